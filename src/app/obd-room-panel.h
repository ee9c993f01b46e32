/* obd-room-panel.h — who is in a remote-expert session, and its notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-room.h"

G_BEGIN_DECLS

/* The part both sides of a room show: the people in it (presence) and the
 * notes, with an entry to write one.  Property "room" (ObdRoom,
 * nullable); the entry is off once the room is closed. */
#define OBD_TYPE_ROOM_PANEL (obd_room_panel_get_type ())
G_DECLARE_FINAL_TYPE (ObdRoomPanel, obd_room_panel, OBD, ROOM_PANEL, AdwBin)

GtkWidget *obd_room_panel_new      (void);
void       obd_room_panel_set_room (ObdRoomPanel *self,
                                    ObdRoom      *room);
ObdRoom   *obd_room_panel_get_room (ObdRoomPanel *self);
/* Sends what the entry holds, as Enter does. */
void       obd_room_panel_send     (ObdRoomPanel *self);

G_END_DECLS
