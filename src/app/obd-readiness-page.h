/* obd-readiness-page.h — readiness monitors and on-board monitor test results (Mode 06)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_READINESS_PAGE (obd_readiness_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdReadinessPage, obd_readiness_page, OBD, READINESS_PAGE, ObdPage)

/* session may be NULL and set later. */
GtkWidget  *obd_readiness_page_new         (ObdSession       *session);


G_END_DECLS
