/* obd-live-page.h — gauges for the dashboard values, a trend chart, recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_LIVE_PAGE (obd_live_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdLivePage, obd_live_page, OBD, LIVE_PAGE, ObdPage)

/* session may be NULL and set later. */
GtkWidget  *obd_live_page_new         (ObdSession  *session);


G_END_DECLS
