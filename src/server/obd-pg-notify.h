/* obd-pg-notify.h — live events between obd2-syncd instances through
 * PostgreSQL's LISTEN/NOTIFY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One channel per organisation ("obd2_" and a hash of its id, so no
 * client's text ever reaches SQL).  An instance LISTENs only to the
 * organisations its own connections follow (obd_pg_notifier_listen ()
 * counts them) and filters by vehicle and room itself.  An instance
 * delivers its own events directly and ignores their echo.
 *
 * Payloads stay small: a notification carries a header line naming the
 * sending instance and one line per event, batched per channel up to
 * OBD_PG_NOTIFY_MAX_PAYLOAD bytes; an event larger than that is stored in
 * the live_events table and travels as its id, and receivers fetch the
 * body.
 *
 * One thread owns the dedicated connection (LISTEN needs one per
 * instance): it sends, receives, reconnects with backoff and LISTENs
 * again after the database restarts.  Events arrive on the owner's
 * context through one source attached there.  Events published while the
 * database is away wait (a few seconds at most, live data goes stale)
 * and go out once it is back.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* NOTIFY's payload limit is 8000 bytes; room for the header. */
#define OBD_PG_NOTIFY_MAX_PAYLOAD 7800

/* The wire format ----------------------------------------------------------- */

typedef struct
{
  char   *vehicle_id;   /* NULL: none */
  char   *room_id;      /* NULL: none */
  char   *text;         /* the message; NULL when ref is set */
  gint64  ref;          /* > 0: the body is live_events row ref */
} ObdPgEvent;

void        obd_pg_event_free         (ObdPgEvent   *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdPgEvent, obd_pg_event_free)

/* "obd2_" + 40 hex digits of SHA-256 (organisation_id). */
char       *obd_pg_notify_channel     (const char   *organisation_id);
/* Appends one event line to a payload being built. */
void        obd_pg_notify_append      (GString      *payload,
                                       const char   *vehicle_id,
                                       const char   *room_id,
                                       const char   *text,
                                       gint64        ref);
char       *obd_pg_notify_header      (const char   *origin);
/* Parses a payload from the database (another instance's, or anyone's
 * who may NOTIFY: checked like outside input).  *out_events: ObdPgEvent *. */
gboolean    obd_pg_notify_parse       (const char   *payload,
                                       char        **out_origin,
                                       GPtrArray   **out_events,
                                       GError      **error);

/* The notifier ----------------------------------------------------------------- */

typedef struct _ObdPgNotifier ObdPgNotifier;

/* Runs on the owner's context for each event of another instance. */
typedef void (*ObdPgNotifyFunc) (const char *organisation_id,
                                 const char *vehicle_id,
                                 const char *room_id,
                                 const char *text,
                                 gpointer    user_data);

/* The owner is the caller's thread-default context. */
ObdPgNotifier *obd_pg_notifier_new        (const char      *conninfo,
                                           const char      *instance_id,
                                           ObdPgNotifyFunc  func,
                                           gpointer         user_data);
void           obd_pg_notifier_listen     (ObdPgNotifier   *self,
                                           const char      *organisation_id);
void           obd_pg_notifier_unlisten   (ObdPgNotifier   *self,
                                           const char      *organisation_id);
void           obd_pg_notifier_publish    (ObdPgNotifier   *self,
                                           const char      *organisation_id,
                                           const char      *vehicle_id,
                                           const char      *room_id,
                                           const char      *text);
/* Adds notify_* figures to a status object. */
void           obd_pg_notifier_add_status (ObdPgNotifier   *self,
                                           JsonObject      *status);
/* Stops the thread; nothing is delivered afterwards. */
void           obd_pg_notifier_free       (ObdPgNotifier   *self);

G_END_DECLS
