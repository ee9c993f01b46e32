/* obd-expert-window.h — a remote expert's view of a mechanic's vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-sync-manager.h"

G_BEGIN_DECLS

/* Asks for the invitation code, joins the room, then shows the room's
 * vehicle read-only as its live events tell it: gauges, trouble codes,
 * guided-repair progress, alerts and reminders, who is in the room, and
 * the notes, with an entry to send one.  Leaving (or the mechanic ending
 * the session) says so and keeps what was seen.  settings (nullable)
 * gives the units. */
#define OBD_TYPE_EXPERT_WINDOW (obd_expert_window_get_type ())
G_DECLARE_FINAL_TYPE (ObdExpertWindow, obd_expert_window, OBD, EXPERT_WINDOW, AdwWindow)

GtkWidget *obd_expert_window_new      (ObdSyncManager  *sync,
                                       GSettings       *settings);
/* As typing the code and pressing Join. */
void       obd_expert_window_join     (ObdExpertWindow *self,
                                       const char      *code);
/* The room once joined, else NULL. */
ObdRoom   *obd_expert_window_get_room (ObdExpertWindow *self);
/* The gauge showing a reading ("rpm"), or NULL. */
GtkWidget *obd_expert_window_get_gauge (ObdExpertWindow *self,
                                        const char      *key);

G_END_DECLS
