/* obd-sync-status.h — the sync state in the header bar, with its popover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-sync-manager.h"

G_BEGIN_DECLS

/* Shows the state of sync (synced, N changes waiting, offline, needs
 * attention) and hides itself while sync is off.  Its popover says who
 * this PC is signed in as, when it last synced and what went wrong; it
 * turns live sharing on and off, invites an expert and shows the open
 * session, and leads to the sync settings.  Nothing here waits on the
 * network: it follows the manager's properties.
 *
 * Property "sync" (ObdSyncManager, read-write, nullable). */
#define OBD_TYPE_SYNC_STATUS (obd_sync_status_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncStatus, obd_sync_status, OBD, SYNC_STATUS, AdwBin)

GtkWidget      *obd_sync_status_new          (void);
void            obd_sync_status_set_sync     (ObdSyncStatus  *self,
                                              ObdSyncManager *sync);
ObdSyncManager *obd_sync_status_get_sync     (ObdSyncStatus  *self);
/* What the button says (for tests and screen readers). */
const char     *obd_sync_status_get_text     (ObdSyncStatus  *self);
/* The room window opened from here, if any. */
GtkWindow      *obd_sync_status_get_room_window (ObdSyncStatus *self);

G_END_DECLS
