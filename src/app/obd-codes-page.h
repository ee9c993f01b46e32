/* obd-codes-page.h — trouble codes per kind with explanations, freeze frame, clearing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_CODES_PAGE (obd_codes_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdCodesPage, obd_codes_page, OBD, CODES_PAGE, ObdPage)

/* session may be NULL and set later. */
GtkWidget  *obd_codes_page_new         (ObdSession   *session);


G_END_DECLS
