/* obd-owner-page.h — one vehicle in plain language, for its owner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-health.h"
#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_OWNER_PAGE (obd_owner_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdOwnerPage, obd_owner_page, OBD, OWNER_PAGE, ObdPage)

GtkWidget       *obd_owner_page_new            (ObdSession   *session);

/* The vehicle shown is ObdPage's "vehicle-id" (0 follows the session's). */
/* Reads the vehicle again (after changes made elsewhere). */
void             obd_owner_page_reload         (ObdOwnerPage *self);
/* The verdict shown: healthy, needs attention or stop driving. */
ObdHealthStatus  obd_owner_page_get_status     (ObdOwnerPage *self);

G_END_DECLS
