/* obd-pg-notify-format.h — the payload of obd2-syncd's live-event
 * notifications (obd-pg-notify.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib only, so the parser can be fuzzed
 * (tests/fuzz/fuzz-pg-notify.c): a payload comes from the database, and
 * anyone who may connect to it may NOTIFY.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NOTIFY's payload limit is 8000 bytes; room for the header. */
#define OBD_PG_NOTIFY_MAX_PAYLOAD 7800

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

G_END_DECLS
