/* obd-window.h — the main window: start page, connecting, role views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-session.h"
#include "obd-start-page.h"
#include "obd-sync-manager.h"

G_BEGIN_DECLS

#define OBD_TYPE_WINDOW (obd_window_get_type ())
G_DECLARE_FINAL_TYPE (ObdWindow, obd_window, OBD, WINDOW, AdwApplicationWindow)

/* application may be NULL (tests).  settings is an
 * io.github.obd2diagnostics.Workshop GSettings. */
ObdWindow    *obd_window_new                  (GtkApplication *application,
                                               ObdSession     *session,
                                               GSettings      *settings);

ObdSession   *obd_window_get_session          (ObdWindow      *self);
ObdStartPage *obd_window_get_start_page       (ObdWindow      *self);

/* What fills the window now: "welcome" (first run: choose a role),
 * "start", "connecting", or the role view "mechanic", "fleet", "owner". */
const char   *obd_window_get_view             (ObdWindow      *self);
const char   *obd_window_get_help_topic       (ObdWindow      *self);

/* The page of the current role view with this name ("overview", "live",
 * "codes", "readiness", "vehicle", "history", "fleet", "owner"), built now
 * if it was not shown yet; NULL when the role does not have it. */
GtkWidget    *obd_window_get_page             (ObdWindow      *self,
                                               const char     *name);
/* Shows that page (if the role has it). */
void          obd_window_show_page            (ObdWindow      *self,
                                               const char     *name);

/* Says, on the start page, that the local store could not be opened. */
void          obd_window_set_store_error      (ObdWindow      *self,
                                               const GError   *error);

/* Opens the user help at uri ("help:…") in the help viewer; when that
 * fails (no Yelp installed), says so in a dialog with what to do. */
void          obd_window_open_help            (ObdWindow      *self,
                                               const char     *uri);

/* Sync with the shop's server (nullable): the header's sync status, the
 * fleet's Live column, conflicts said in toasts. */
void            obd_window_set_sync           (ObdWindow      *self,
                                               ObdSyncManager *sync);
ObdSyncManager *obd_window_get_sync           (ObdWindow      *self);
/* The header's ObdSyncStatus. */
GtkWidget      *obd_window_get_sync_status    (ObdWindow      *self);

/* Shows a toast; takes ownership of toast. */
void          obd_window_add_toast            (ObdWindow      *self,
                                               AdwToast       *toast);

G_END_DECLS
