/* obd-sync-preferences-page.h — the sync server, the account, live sharing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-sync-manager.h"

G_BEGIN_DECLS

/* A page of the preferences window (named "sync"): the server's address
 * and the access token (saved through the manager to the keyring or the
 * 0600 file, never in GSettings), a Connect button that signs in and says
 * how it went, who this PC is signed in as, live sharing, joining an
 * expert session, and stopping sync on this PC. */
#define OBD_TYPE_SYNC_PREFERENCES_PAGE (obd_sync_preferences_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncPreferencesPage, obd_sync_preferences_page,
                      OBD, SYNC_PREFERENCES_PAGE, AdwPreferencesPage)

GtkWidget  *obd_sync_preferences_page_new             (ObdSyncManager         *sync);
/* As pressing Connect with what the entries hold. */
void        obd_sync_preferences_page_connect         (ObdSyncPreferencesPage *self);
gboolean    obd_sync_preferences_page_get_busy        (ObdSyncPreferencesPage *self);
/* The status row's title and subtitle, as shown. */
const char *obd_sync_preferences_page_get_status      (ObdSyncPreferencesPage *self);
const char *obd_sync_preferences_page_get_status_detail (ObdSyncPreferencesPage *self);

G_END_DECLS
