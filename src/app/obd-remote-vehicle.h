/* obd-remote-vehicle.h — a vehicle on another PC, as its live events tell it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mechanic's PC that shares its live session sends vehicle_status,
 * dtc_detected, guide_progress, notification and maintenance_alert events
 * about the vehicle on its bench (src/sync/PROTOCOL.md); a fleet manager
 * and a remote expert receive them.  An ObdRemoteVehicle keeps what they
 * said about one vehicle (by its UUID): the latest readings, the trouble
 * codes, the health the sending PC computed, guided-repair progress and
 * the last notices, with who sent them.  It lives on the main thread and
 * is fed by ObdSyncManager; views observe "changed".
 *
 * The sender's health is shared as two readings of its own,
 * "health_score" (0–100) and "health_status" (ObdHealthStatus), so every
 * viewer shows the verdict the mechanic's PC shows, not a second opinion.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "obd-health.h"
#include "obd-units.h"

G_BEGIN_DECLS

/* The readings that carry the sender's health report. */
#define OBD_REMOTE_KEY_HEALTH_SCORE  "health_score"
#define OBD_REMOTE_KEY_HEALTH_STATUS "health_status"

/* Without a vehicle_status for this long the vehicle is no longer live. */
#define OBD_REMOTE_LIVE_TIMEOUT_US (30 * G_USEC_PER_SEC)

typedef struct
{
  char *code;      /* "P0301" */
  char *kind;      /* "stored", "pending", "permanent" */
} ObdRemoteCode;

typedef struct
{
  char   *type;    /* "notification" or "maintenance_alert" */
  char   *title;   /* as sent: the sender's language */
  char   *body;    /* may be NULL; for a maintenance alert, its status */
  char   *severity;/* "info", "warning", "critical"; NULL for maintenance */
  gint64  received_us;
} ObdRemoteNotice;

#define OBD_TYPE_REMOTE_VEHICLE (obd_remote_vehicle_get_type ())
G_DECLARE_FINAL_TYPE (ObdRemoteVehicle, obd_remote_vehicle, OBD, REMOTE_VEHICLE, GObject)

/* Properties (read-only, with notify): "vehicle-id" (the UUID), "live"
 * (a vehicle_status arrived within OBD_REMOTE_LIVE_TIMEOUT_US), "score"
 * (double, the sender's health score, -1 unknown), "from-name" (who sent
 * the last event).  Signal ::changed after every event taken. */
ObdRemoteVehicle *obd_remote_vehicle_new            (const char       *vehicle_id);

const char       *obd_remote_vehicle_get_vehicle_id (ObdRemoteVehicle *self);

/* Takes one event (the client's "event" signal: type and payload, already
 * checked against the protocol).  Returns FALSE, changing nothing, for an
 * event of another vehicle, of a type it does not keep, or with members
 * it cannot use (a value that is not a finite number, a code that is not
 * one). */
gboolean          obd_remote_vehicle_take_event     (ObdRemoteVehicle *self,
                                                     const char       *type,
                                                     JsonObject       *payload);
/* Looks again whether it is still live (call now and then); TRUE when it
 * just stopped being. */
gboolean          obd_remote_vehicle_check_live     (ObdRemoteVehicle *self,
                                                     gint64            now_us);

gboolean          obd_remote_vehicle_get_live       (ObdRemoteVehicle *self);
/* Local wall-clock time of the last event, 0 if none. */
gint64            obd_remote_vehicle_get_updated    (ObdRemoteVehicle *self);
const char       *obd_remote_vehicle_get_from_name  (ObdRemoteVehicle *self);
double            obd_remote_vehicle_get_score      (ObdRemoteVehicle *self);
ObdHealthStatus   obd_remote_vehicle_get_status     (ObdRemoteVehicle *self);

/* The readings' keys ("rpm", …) in the order first seen, health keys
 * left out.  A new array of borrowed strings. */
GPtrArray        *obd_remote_vehicle_dup_keys       (ObdRemoteVehicle *self);
/* NAN when the key was not sent. */
double            obd_remote_vehicle_get_value      (ObdRemoteVehicle *self,
                                                     const char       *key);
/* "Engine speed" (translated) for a PID table key, else the key. */
const char       *obd_remote_vehicle_get_label      (const char       *key);
/* "812 rpm", "52 km/h" or "32 mph": the reading as this PC shows
 * readings (rounding and units); unknown keys with the sender's unit.
 * NULL when the key was not sent. */
char             *obd_remote_vehicle_format_value   (ObdRemoteVehicle *self,
                                                     const char       *key,
                                                     ObdUnitSystem     units);
/* For a gauge: the PID's display range, its unit's symbol in units and
 * the decimals its resolution is worth; FALSE for a key that is no PID
 * reading. */
gboolean          obd_remote_vehicle_get_range      (const char       *key,
                                                     ObdUnitSystem     units,
                                                     double           *out_min,
                                                     double           *out_max,
                                                     const char      **out_unit,
                                                     guint            *out_digits);
/* The value converted to units (for a gauge). */
double            obd_remote_vehicle_convert        (const char       *key,
                                                     ObdUnitSystem     units,
                                                     double           value);
/* A line for lists: up to four main readings, "52 km/h · 812 rpm · 91 °C";
 * NULL when no reading came. */
char             *obd_remote_vehicle_dup_summary    (ObdRemoteVehicle *self,
                                                     ObdUnitSystem     units);

/* Element type ObdRemoteCode: the codes of the last dtc_detected; NULL
 * when none came yet (an empty array: the car reported none). */
GPtrArray        *obd_remote_vehicle_get_codes      (ObdRemoteVehicle *self);

/* The last guide_progress; FALSE when none came. */
gboolean          obd_remote_vehicle_get_guide      (ObdRemoteVehicle *self,
                                                     const char      **out_guide_id,
                                                     guint            *out_step,
                                                     guint            *out_steps,
                                                     const char      **out_title);

/* Element type ObdRemoteNotice, newest first, at most 20. */
GPtrArray        *obd_remote_vehicle_get_notices    (ObdRemoteVehicle *self);

G_END_DECLS
