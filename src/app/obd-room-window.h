/* obd-room-window.h — the mechanic's side of a remote-expert session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-sync-manager.h"

G_BEGIN_DECLS

/* The one-time code to read to the expert (and until when it works),
 * what is shared, who is watching, the notes, and the button that ends
 * the session for everyone.  Closing the window keeps the session open:
 * the header's sync button shows it again. */
#define OBD_TYPE_ROOM_WINDOW (obd_room_window_get_type ())
G_DECLARE_FINAL_TYPE (ObdRoomWindow, obd_room_window, OBD, ROOM_WINDOW, AdwWindow)

GtkWidget *obd_room_window_new      (ObdSyncManager *sync,
                                     ObdRoom        *room);
ObdRoom   *obd_room_window_get_room (ObdRoomWindow  *self);

G_END_DECLS
