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

#include "obd-pg-notify-format.h"

G_BEGIN_DECLS

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
