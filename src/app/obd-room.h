/* obd-room.h — one remote-expert room, from the mechanic's or the expert's side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mechanic opens a room for the vehicle on the bench and reads its
 * one-time code to an expert; the expert joins with it, watches the
 * vehicle's live data read-only and sends notes; the room closes when the
 * mechanic ends it (or the mechanic's connection goes).  ObdSyncManager
 * makes rooms (obd_sync_manager_open_room_async, _join_room_async) and
 * feeds them the server's presence, room_note and room_closed events; the
 * views bind to the lists and properties here.  Main thread only.
 *
 * Properties (read-only, with notify):
 *   "room-id", "vehicle-id" (UUID)   strings
 *   "code"        the invitation, "ABCD-EFGH" (the host's room only)
 *   "expires-at"  gint64, µs: when the code stops working (host)
 *   "host"        boolean: this PC opened the room
 *   "open"        boolean: FALSE once closed or left
 *   "closed-reason"  translated sentence, NULL while open
 *   "watching"    guint: members other than the host (the experts)
 *   "presence-text"  translated: who is in the room, one line
 */
#pragma once

#include <gio/gio.h>

#include "obd-remote-vehicle.h"
#include "obd-sync-client.h"

G_BEGIN_DECLS

#define OBD_TYPE_ROOM (obd_room_get_type ())
G_DECLARE_FINAL_TYPE (ObdRoom, obd_room, OBD, ROOM, GObject)

/* For ObdSyncManager: a room on client.  payload is the room_created or
 * room_joined reply. */
ObdRoom          *obd_room_new                (ObdSyncClient *client,
                                               JsonObject    *payload,
                                               gboolean       host);

const char       *obd_room_get_room_id        (ObdRoom       *self);
const char       *obd_room_get_vehicle_id     (ObdRoom       *self);
const char       *obd_room_get_code           (ObdRoom       *self);
gint64            obd_room_get_expires_at     (ObdRoom       *self);
gboolean          obd_room_get_host           (ObdRoom       *self);
gboolean          obd_room_get_open           (ObdRoom       *self);
const char       *obd_room_get_closed_reason  (ObdRoom       *self);
guint             obd_room_get_watching       (ObdRoom       *self);
const char       *obd_room_get_presence_text  (ObdRoom       *self);

/* Who is in the room: ObdRowItem (title the name, subtitle the role,
 * badge "Host" or "You"). */
GListModel       *obd_room_get_members        (ObdRoom       *self);
/* The notes, oldest first: ObdRowItem (title the text, subtitle who and
 * when). */
GListModel       *obd_room_get_notes          (ObdRoom       *self);
/* The room's vehicle as its live events tell it (the expert's view). */
ObdRemoteVehicle *obd_room_get_vehicle        (ObdRoom       *self);

/* Takes a presence, room_note or room_closed event, and the live events of
 * the room's vehicle.  FALSE when it is not for this room. */
gboolean          obd_room_take_event         (ObdRoom       *self,
                                               const char    *type,
                                               JsonObject    *payload);
/* The connection to the server went: the server closed a host's room,
 * and took a member out of it. */
void              obd_room_connection_lost    (ObdRoom       *self);

/* Sends a note to every member (it comes back as a room_note).  Fails
 * with a reason people can act on: empty or too long, not connected,
 * room closed, sending too fast. */
gboolean          obd_room_send_note          (ObdRoom       *self,
                                               const char    *text,
                                               GError       **error);
/* The host closes the room for everyone (completes when the server says
 * it is closed); an expert leaves it.  Either way it is no longer open
 * when this completes. */
void              obd_room_end_async          (ObdRoom             *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean          obd_room_end_finish         (ObdRoom             *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
