/* obd-preferences-window.h — the application's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OBD_TYPE_PREFERENCES_WINDOW (obd_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ObdPreferencesWindow, obd_preferences_window,
                      OBD, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* settings: an io.github.obd2diagnostics.Workshop GSettings; every row is
 * bound to it, so changes apply at once. */
GtkWidget *obd_preferences_window_new (GSettings *settings);

G_END_DECLS
