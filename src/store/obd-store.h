/* obd-store.h — the local store: vehicles, sessions, samples, DTC history,
 * workshop data and the sync outbox, in one SQLite file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ObdStore wraps one SQLite connection and belongs to the thread that
 * opened it (one thread owns each sqlite3 *): call it from that thread only.
 * Recording runs on its own connection in an ObdRecorder thread.
 *
 * Times are microseconds since the Unix epoch, UTC (g_get_real_time ()).
 * Rows have an integer id for local use and, where they sync, a stable
 * UUID ("uuid") that the server knows them by.  Every change a user makes
 * (vehicle edit, maintenance, notes, clearing codes, reading a
 * notification) is written together with its outbox row in one
 * transaction: the functions below are the only way to make those changes.
 */
#pragma once

#include <gio/gio.h>

#include "obd-dtc.h"
#include "obd-sample.h"
#include "obd-severity.h"
#include "obd-types.h"

G_BEGIN_DECLS

#define OBD_STORE_ERROR (obd_store_error_quark ())

typedef enum
{
  OBD_STORE_ERROR_FAILED = 0,
  OBD_STORE_ERROR_CORRUPT,          /* the file is damaged */
  OBD_STORE_ERROR_NOT_A_DATABASE,   /* a foreign file: not SQLite, or another program's */
  OBD_STORE_ERROR_TOO_NEW,          /* schema newer than this program */
  OBD_STORE_ERROR_DISK_FULL,
  OBD_STORE_ERROR_NOT_FOUND,        /* no such file, vehicle, session, item */
  OBD_STORE_ERROR_READ_ONLY,        /* opened read-only, or the file is not writable */
  OBD_STORE_ERROR_BUSY,             /* locked by another connection for too long */
  OBD_STORE_ERROR_SESSION_CLOSED,   /* adding content to a session that ended */
} ObdStoreErrorCode;

GQuark obd_store_error_quark (void);

typedef enum
{
  OBD_STORE_OPEN_DEFAULT   = 0,
  OBD_STORE_OPEN_READ_ONLY = 1 << 0,  /* no migration, no recovery, no writes */
} ObdStoreOpenFlags;

typedef enum
{
  OBD_STORE_SESSION_RECORDING = 0,
  OBD_STORE_SESSION_COMPLETE,
  OBD_STORE_SESSION_INTERRUPTED,  /* the recorder died or failed mid-session */
} ObdStoreSessionStatus;

typedef enum
{
  OBD_STORE_MAINTENANCE_DUE = 0,
  OBD_STORE_MAINTENANCE_OVERDUE,
  OBD_STORE_MAINTENANCE_DONE,
} ObdStoreMaintenanceStatus;

/* Notifications grade on the one severity scale (obd-severity.h); the
 * store's names are aliases of it. */
typedef ObdSeverity ObdStoreSeverity;
#define OBD_STORE_SEVERITY_INFO      OBD_SEVERITY_INFO
#define OBD_STORE_SEVERITY_WARNING   OBD_SEVERITY_WARNING
#define OBD_STORE_SEVERITY_CRITICAL  OBD_SEVERITY_CRITICAL

typedef enum
{
  OBD_STORE_FORMAT_CSV = 0,
  OBD_STORE_FORMAT_JSON,
} ObdStoreFormat;

/* Stable keys, as stored and as sent to the server. */
const char *obd_store_session_status_to_string     (ObdStoreSessionStatus     status);
const char *obd_store_maintenance_status_to_string (ObdStoreMaintenanceStatus status);
const char *obd_store_severity_to_string           (ObdStoreSeverity          severity);

/* ------------------------------------------------------------------ */
/* Row types.  Plain structs, owned by the caller once returned. */

typedef struct
{
  gint64  id;
  char   *uuid;
  char   *vin;          /* NULL for a vehicle entered by hand */
  char   *make;         /* NULL when unknown */
  char   *model;
  int     year;         /* 0 when unknown */
  char   *plate;
  char   *owner_name;
  gint64  odometer_km;  /* -1 when unknown */
  gint64  created_us;
  gint64  updated_us;
} ObdStoreVehicle;

typedef struct
{
  gint64                 id;
  char                  *uuid;
  gint64                 vehicle_id;    /* 0 when the vehicle is unknown */
  char                  *vehicle_uuid;  /* joined from vehicles, may be NULL */
  char                  *vehicle_vin;   /* joined from vehicles, may be NULL */
  char                  *vehicle_name;  /* "make model year" or NULL */
  gint64                 started_us;
  gint64                 ended_us;      /* 0 while recording */
  ObdStoreSessionStatus  status;
  char                  *protocol;
  char                  *adapter;
  char                  *connection;
  char                  *hash;          /* hex SHA-256, NULL until sealed */
  char                  *prev_hash;     /* NULL for the first sealed session */
  gint64                 sample_count;
} ObdStoreSession;

typedef struct
{
  gint64      id;
  char       *uuid;
  gint64      vehicle_id;
  gint64      session_id;     /* session that first saw it, 0 if none */
  char       *code;           /* "P0301" */
  ObdDtcKind  kind;
  guint32     ecu;
  gint64      first_seen_us;
  gint64      last_seen_us;
  gint64      cleared_us;     /* 0 while active */
  char       *cleared_by;
} ObdStoreDtcEvent;

typedef struct
{
  gint64                     id;
  char                      *uuid;
  gint64                     vehicle_id;
  char                      *title;
  gint64                     interval_km;    /* 0 when not due by distance */
  gint64                     interval_days;  /* 0 when not due by date */
  gint64                     last_done_km;   /* -1 when never done or unknown */
  gint64                     last_done_us;   /* 0 when never done */
  ObdStoreMaintenanceStatus  status;
} ObdStoreMaintenanceItem;

typedef struct
{
  gint64            id;
  char             *uuid;
  gint64            vehicle_id;   /* 0 if none */
  gint64            session_id;   /* 0 if none */
  ObdStoreSeverity  severity;
  char             *kind;         /* machine key, e.g. "coolant-high" */
  char             *title;
  char             *body;
  gint64            created_us;
  gboolean          read;
} ObdStoreNotification;

typedef struct
{
  gint64  id;
  char   *uuid;
  gint64  vehicle_id;
  gint64  session_id;  /* 0 if the note is about the vehicle only */
  char   *author;
  char   *text;
  gint64  created_us;
} ObdStoreNote;

typedef struct
{
  gint64  seq;
  char   *entity;     /* "vehicle", "session", "dtc_event", "maintenance_item",
                       * "notification", "note" */
  char   *entity_id;  /* the row's UUID */
  char   *op;         /* "insert", "update", "delete" */
  char   *payload;    /* JSON object: the row after the change */
  gint64  created_us;
} ObdStoreOutboxEntry;

/* One point of a series. */
typedef struct
{
  gint64 time_us;
  double value;
} ObdStorePoint;

/* Input rows for session content. */
typedef struct
{
  const char *monitor;    /* stable key, e.g. "catalyst", "misfire" */
  gboolean    available;
  gboolean    complete;
} ObdStoreReadiness;

typedef struct
{
  guint32     ecu;
  guint8      mid;        /* monitor ID (SAE J1979 Mode 06) */
  guint8      tid;        /* test ID */
  double      value;
  double      min;
  double      max;
  gboolean    passed;
  const char *unit;       /* symbol, may be NULL */
} ObdStoreMode06Result;

void obd_store_vehicle_free           (ObdStoreVehicle         *vehicle);
void obd_store_session_free           (ObdStoreSession         *session);
void obd_store_dtc_event_free         (ObdStoreDtcEvent        *event);
void obd_store_maintenance_item_free  (ObdStoreMaintenanceItem *item);
void obd_store_notification_free      (ObdStoreNotification    *notification);
void obd_store_note_free              (ObdStoreNote            *note);
void obd_store_outbox_entry_free      (ObdStoreOutboxEntry     *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreVehicle, obd_store_vehicle_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreSession, obd_store_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreDtcEvent, obd_store_dtc_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreMaintenanceItem, obd_store_maintenance_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreNotification, obd_store_notification_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreNote, obd_store_note_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreOutboxEntry, obd_store_outbox_entry_free)

/* ------------------------------------------------------------------ */

#define OBD_TYPE_STORE (obd_store_get_type ())
G_DECLARE_FINAL_TYPE (ObdStore, obd_store, OBD, STORE, GObject)

/* g_get_user_data_dir ()/obd2-diagnostics/store.db.  The directory is not
 * created; obd_store_open () creates it. */
const char *obd_store_get_default_path (void);

/* Opens (creating it and its directory if needed) the store at path.
 *
 * A new or older store is migrated to the current schema in one
 * transaction.  Sessions left in "recording" by a recorder that no longer
 * runs (crash, kill -9, power loss, a full disk) are marked interrupted
 * and sealed.
 *
 * OBD_STORE_OPEN_READ_ONLY writes nothing at all, so it works on a file
 * only readable here (read-only disk or folder, another user's file, a
 * 0444 copy); abandoned sessions are left as they are, for the next
 * writer to close (obd_store_session_is_abandoned () tells them apart).
 * A store whose latest changes sit in its write-ahead log and cannot be
 * read without writing beside it fails with OBD_STORE_ERROR_READ_ONLY.
 * Opening for writing a store that can only be read fails with
 * OBD_STORE_ERROR_READ_ONLY before anything is written.
 *
 * Nothing is written to a file that is not ours: a foreign file fails with
 * OBD_STORE_ERROR_NOT_A_DATABASE, a damaged one with
 * OBD_STORE_ERROR_CORRUPT, one from a newer program with
 * OBD_STORE_ERROR_TOO_NEW, each leaving the file byte-for-byte as it was.
 * Opening for writing first checks every page (PRAGMA quick_check, about
 * 0.2 s per million samples: tests/bench/bench-store-check.c), so nothing
 * is written into a damaged store either; a read-only open skips that, so what is still readable in a
 * damaged store can be read (the damaged parts fail when read). */
ObdStore   *obd_store_open             (const char         *path,
                                        ObdStoreOpenFlags   flags,
                                        GError            **error);
const char *obd_store_get_path         (ObdStore           *self);
gboolean    obd_store_is_read_only     (ObdStore           *self);
/* TRUE for a session still "recording" in the file whose recorder no
 * longer runs: the next open for writing marks it interrupted.  Writes
 * nothing. */
gboolean    obd_store_session_is_abandoned (ObdStore              *self,
                                            const ObdStoreSession *session);
/* The schema version this program writes. */
int         obd_store_get_schema_version (void);
/* Full PRAGMA integrity_check; fails with OBD_STORE_ERROR_CORRUPT naming
 * the first problem. Slow on big stores: for an explicit "check" command. */
gboolean    obd_store_check_integrity  (ObdStore           *self,
                                        GError            **error);

/* Vehicles ---------------------------------------------------------- */

/* Returns the id of the vehicle with this VIN, creating it (with the make,
 * model and year the VIN decoder found, each may be NULL / 0) if it is new.
 * Returns 0 on error. */
gint64           obd_store_ensure_vehicle   (ObdStore              *self,
                                             const char            *vin,
                                             const char            *make,
                                             const char            *model,
                                             int                    year,
                                             GError               **error);
ObdStoreVehicle *obd_store_get_vehicle      (ObdStore              *self,
                                             gint64                 vehicle_id,
                                             GError               **error);
/* Element type ObdStoreVehicle, ordered by id. */
GPtrArray       *obd_store_list_vehicles    (ObdStore              *self,
                                             GError               **error);
/* Writes the editable fields (make, model, year, plate, owner_name,
 * odometer_km) of the vehicle with vehicle->id. */
gboolean         obd_store_update_vehicle   (ObdStore              *self,
                                             const ObdStoreVehicle *vehicle,
                                             GError               **error);

/* Sessions ---------------------------------------------------------- */

/* Element type ObdStoreSession, newest first; vehicle_id 0 lists all. */
GPtrArray       *obd_store_list_sessions    (ObdStore              *self,
                                             gint64                 vehicle_id,
                                             GError               **error);
ObdStoreSession *obd_store_get_session      (ObdStore              *self,
                                             gint64                 session_id,
                                             GError               **error);
/* One quantity of a session (service 01), in time order: a GArray of
 * ObdStorePoint.  ecu 0 takes every ECU that reported it. */
GArray          *obd_store_get_series       (ObdStore              *self,
                                             gint64                 session_id,
                                             guint8                 pid,
                                             guint8                 index,
                                             guint32                ecu,
                                             GError               **error);

/* Session content, written while the session is recording (otherwise
 * OBD_STORE_ERROR_SESSION_CLOSED: a sealed session does not change). */
gint64           obd_store_add_freeze_frame (ObdStore              *self,
                                             gint64                 session_id,
                                             const char            *dtc,
                                             guint32                ecu,
                                             guint8                 frame,
                                             gint64                 captured_us,
                                             const ObdSample       *values,
                                             gsize                  n_values,
                                             GError               **error);
gboolean         obd_store_add_readiness    (ObdStore                *self,
                                             gint64                   session_id,
                                             gint64                   taken_us,
                                             const ObdStoreReadiness *monitors,
                                             gsize                    n_monitors,
                                             GError                 **error);
gboolean         obd_store_add_mode06_results (ObdStore                   *self,
                                               gint64                      session_id,
                                               const ObdStoreMode06Result *results,
                                               gsize                       n_results,
                                               GError                    **error);

/* Trouble codes ----------------------------------------------------- */

/* Notes that the vehicle reported code.  An active event of the same code,
 * kind and ECU gets its last_seen moved; otherwise a new event starts,
 * linked to session_id (0 for none).  Returns the event id, 0 on error. */
gint64     obd_store_record_dtc       (ObdStore    *self,
                                       gint64       vehicle_id,
                                       gint64       session_id,
                                       const char  *code,
                                       ObdDtcKind   kind,
                                       guint32      ecu,
                                       gint64       seen_us,
                                       GError     **error);
/* Element type ObdStoreDtcEvent, by first_seen. */
GPtrArray *obd_store_list_dtc_events  (ObdStore    *self,
                                       gint64       vehicle_id,
                                       gboolean     include_cleared,
                                       GError     **error);
/* Records a successful Mode 04: stored and pending events of the vehicle
 * become cleared.  Permanent codes survive Mode 04 (SAE J1979 Mode 0A: only
 * the ECU's own monitors erase them), so their events stay active. */
gboolean   obd_store_clear_dtcs       (ObdStore    *self,
                                       gint64       vehicle_id,
                                       const char  *cleared_by,
                                       gint64       cleared_us,
                                       GError     **error);

/* Maintenance ------------------------------------------------------- */

/* Status starts DONE when last_done_* is known, else DUE. */
gint64     obd_store_add_maintenance_item      (ObdStore                  *self,
                                                gint64                     vehicle_id,
                                                const char                *title,
                                                gint64                     interval_km,
                                                gint64                     interval_days,
                                                gint64                     last_done_km,
                                                gint64                     last_done_us,
                                                GError                   **error);
gboolean   obd_store_complete_maintenance_item (ObdStore                  *self,
                                                gint64                     item_id,
                                                gint64                     done_km,
                                                gint64                     done_us,
                                                GError                   **error);
gboolean   obd_store_set_maintenance_status    (ObdStore                  *self,
                                                gint64                     item_id,
                                                ObdStoreMaintenanceStatus  status,
                                                GError                   **error);
gboolean   obd_store_delete_maintenance_item   (ObdStore                  *self,
                                                gint64                     item_id,
                                                GError                   **error);
/* Element type ObdStoreMaintenanceItem, by id. */
GPtrArray *obd_store_list_maintenance_items    (ObdStore                  *self,
                                                gint64                     vehicle_id,
                                                GError                   **error);

/* Notifications and notes ------------------------------------------- */

gint64     obd_store_add_notification       (ObdStore          *self,
                                             gint64             vehicle_id,
                                             gint64             session_id,
                                             ObdStoreSeverity   severity,
                                             const char        *kind,
                                             const char        *title,
                                             const char        *body,
                                             GError           **error);
gboolean   obd_store_mark_notification_read (ObdStore          *self,
                                             gint64             notification_id,
                                             GError           **error);
/* Element type ObdStoreNotification, newest first; vehicle_id 0: all. */
GPtrArray *obd_store_list_notifications     (ObdStore          *self,
                                             gint64             vehicle_id,
                                             gboolean           unread_only,
                                             GError           **error);
gint64     obd_store_add_note               (ObdStore          *self,
                                             gint64             vehicle_id,
                                             gint64             session_id,
                                             const char        *author,
                                             const char        *text,
                                             GError           **error);
/* Element type ObdStoreNote, oldest first; session_id 0: every note of the
 * vehicle. */
GPtrArray *obd_store_list_notes             (ObdStore          *self,
                                             gint64             vehicle_id,
                                             gint64             session_id,
                                             GError           **error);

/* Sync outbox ------------------------------------------------------- */

/* Element type ObdStoreOutboxEntry: up to limit entries with seq > after_seq. */
GPtrArray *obd_store_list_outbox (ObdStore  *self,
                                  gint64     after_seq,
                                  guint      limit,
                                  GError   **error);
/* The server stored everything up to up_to_seq: drop those entries. */
gboolean   obd_store_ack_outbox  (ObdStore  *self,
                                  gint64     up_to_seq,
                                  GError   **error);

/* Hash chain -------------------------------------------------------- */

/* Recomputes a sealed session's hash from its content and its stored
 * prev_hash (hex SHA-256). Compare with ObdStoreSession.hash or a printed
 * report. */
char      *obd_store_compute_session_hash (ObdStore  *self,
                                           gint64     session_id,
                                           GError   **error);
/* Walks the sealed sessions in sealing order, recomputing each hash and
 * checking each link.  Returns FALSE only when the check could not run;
 * otherwise out_first_bad is 0 when the chain is intact, or the id of the
 * first session whose content or link does not match. */
gboolean   obd_store_verify_chain         (ObdStore  *self,
                                           gint64    *out_first_bad,
                                           GError   **error);

/* Health inputs ----------------------------------------------------- */
/* What a session's health report was computed from (obd-store-health.c;
 * src/diag writes and reads them).  The setters need the session still
 * recording (OBD_STORE_ERROR_SESSION_CLOSED otherwise). */

typedef struct
{
  gint64 taken_us;             /* when the snapshot was read */
  double km_since_clear;       /* PID 31, NAN when unknown */
  int    warmups_since_clear;  /* PID 30, -1 when unknown */
} ObdStoreSessionHealth;

typedef struct
{
  char        *kind;       /* alert kind key, "coolant-high" */
  char        *key;        /* PID key of the reading, "coolant_temp" */
  ObdSeverity  severity;
  double       value;
  double       threshold;
  gint64       time_us;    /* of the sample that raised it */
} ObdStoreAlert;

typedef struct
{
  char     *monitor;       /* stable key, "catalyst" */
  gboolean  available;
  gboolean  complete;
} ObdStoreReadinessEntry;

void obd_store_alert_free           (ObdStoreAlert          *alert);
void obd_store_readiness_entry_free (ObdStoreReadinessEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreAlert, obd_store_alert_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreReadinessEntry, obd_store_readiness_entry_free)

gboolean   obd_store_set_session_health  (ObdStore                    *self,
                                          gint64                       session_id,
                                          const ObdStoreSessionHealth *health,
                                          GError                     **error);
/* *out_found FALSE (and TRUE returned) for a session without one. */
gboolean   obd_store_get_session_health  (ObdStore                    *self,
                                          gint64                       session_id,
                                          ObdStoreSessionHealth       *out_health,
                                          gboolean                    *out_found,
                                          GError                     **error);
/* Links the trouble-code events the vehicle reported when the session
 * started (obd_store_record_dtc's ids), which may have started before it. */
gboolean   obd_store_link_session_dtcs   (ObdStore                    *self,
                                          gint64                       session_id,
                                          const gint64                *event_ids,
                                          gsize                        n_events,
                                          GError                     **error);
/* ObdStoreDtcEvent: first seen in the session or linked to it. */
GPtrArray *obd_store_list_session_dtcs   (ObdStore                    *self,
                                          gint64                       session_id,
                                          GError                     **error);
/* Replaces the session's active alerts with these (strings borrowed). */
gboolean   obd_store_set_session_alerts  (ObdStore                    *self,
                                          gint64                       session_id,
                                          const ObdStoreAlert         *alerts,
                                          gsize                        n_alerts,
                                          GError                     **error);
/* ObdStoreAlert, by kind and key.  A damaged severity word fails. */
GPtrArray *obd_store_list_session_alerts (ObdStore                    *self,
                                          gint64                       session_id,
                                          GError                     **error);
/* ObdStoreReadinessEntry of the session's latest readiness reading. */
GPtrArray *obd_store_list_readiness      (ObdStore                    *self,
                                          gint64                       session_id,
                                          GError                     **error);
/* GArray of ObdStoreMode06Result (unit interned). */
GArray    *obd_store_list_mode06_results (ObdStore                    *self,
                                          gint64                       session_id,
                                          GError                     **error);
/* The vehicle's newest session with health inputs; 0 when none. */
gboolean   obd_store_find_health_session (ObdStore                    *self,
                                          gint64                       vehicle_id,
                                          gint64                      *out_session_id,
                                          GError                     **error);
/* When the vehicle's codes were last cleared (obd_store_clear_dtcs, with
 * or without codes to clear); 0 when never. */
gboolean   obd_store_get_last_clear      (ObdStore                    *self,
                                          gint64                       vehicle_id,
                                          gint64                      *out_cleared_us,
                                          GError                     **error);

/* Export ------------------------------------------------------------ */

/* Writes a session to stream.
 *
 * CSV (RFC 4180, CRLF): a header "time,<label> (<unit>),..." with one
 * column per quantity, then one row per timestamp (ISO 8601 UTC with
 * milliseconds), values reported at the same time on one row, empty cells
 * where a quantity has no value at that time.
 *
 * JSON: {"session": {...}, "vehicle": {...}, "series": [{"pid", "index",
 * "ecu", "key", "label", "unit", "samples": [[time_us, value], ...]}],
 * "dtcs": [...], "freeze_frames": [...], "readiness": [...],
 * "mode06": [...]}.
 *
 * Values are converted to units; the stream is not closed. */
gboolean   obd_store_export_session (ObdStore       *self,
                                     gint64          session_id,
                                     ObdStoreFormat  format,
                                     ObdUnitSystem   units,
                                     GOutputStream  *stream,
                                     GCancellable   *cancellable,
                                     GError        **error);

G_END_DECLS
