/* obd-start-page.h — choose what to connect to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated vehicle, the serial adapters found on this computer, a
 * Wi-Fi adapter and the vehicles seen before.  Activating one calls
 * obd_session_connect ().  The page also shows why the last connection
 * failed, with a way to try again.
 */
#pragma once

#include <adwaita.h>

#include "obd-session.h"

G_BEGIN_DECLS

#define OBD_TYPE_START_PAGE (obd_start_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdStartPage, obd_start_page, OBD, START_PAGE, AdwBin)

/* settings may be NULL (no recent connections then). */
GtkWidget  *obd_start_page_new                 (ObdSession   *session,
                                                GSettings    *settings);

ObdSession *obd_start_page_get_session         (ObdStartPage *self);
void        obd_start_page_set_session         (ObdStartPage *self,
                                                ObdSession   *session);

/* Re-reads the serial ports and the recent vehicles. */
void        obd_start_page_refresh             (ObdStartPage *self);

/* The connection string the simulator row connects to, "sim:SCENARIO". */
char       *obd_start_page_dup_sim_connection  (ObdStartPage *self);

/* The error shown, NULL if none (the last connection did not fail). */
const char *obd_start_page_get_error_text      (ObdStartPage *self);

/* Says the local store is unusable (NULL hides it). */
void        obd_start_page_set_store_error     (ObdStartPage *self,
                                                const GError *error);

/* Rows, for tests and the window's keyboard focus. */
GtkWidget  *obd_start_page_get_sim_row         (ObdStartPage *self);
guint       obd_start_page_get_n_port_rows     (ObdStartPage *self);

G_END_DECLS
