/* obd-overview-page.h — the mechanic's summary: health per system, MIL, codes, live alerts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_OVERVIEW_PAGE (obd_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdOverviewPage, obd_overview_page, OBD, OVERVIEW_PAGE, ObdPage)

/* session may be NULL and set later (obd_page_set_session ()). */
GtkWidget  *obd_overview_page_new         (ObdSession      *session);

G_END_DECLS
