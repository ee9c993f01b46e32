/* obd-vehicle-page.h — one vehicle for the workshop: identity, VIN, ECUs,
 * maintenance and notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_VEHICLE_PAGE (obd_vehicle_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdVehiclePage, obd_vehicle_page, OBD, VEHICLE_PAGE, ObdPage)

GtkWidget  *obd_vehicle_page_new            (ObdSession     *session);

/* The vehicle shown: ObdPage's "vehicle-id" (0 follows the session's). */
/* Reads the vehicle again from the store (after changes made elsewhere). */
void        obd_vehicle_page_reload         (ObdVehiclePage *self);

G_END_DECLS
