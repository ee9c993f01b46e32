/* obd-vehicle-page.h — one vehicle for the workshop: identity, VIN, ECUs,
 * maintenance and notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-session.h"

G_BEGIN_DECLS

#define OBD_TYPE_VEHICLE_PAGE (obd_vehicle_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdVehiclePage, obd_vehicle_page, OBD, VEHICLE_PAGE, AdwBin)

GtkWidget  *obd_vehicle_page_new            (ObdSession     *session);

ObdSession *obd_vehicle_page_get_session    (ObdVehiclePage *self);
void        obd_vehicle_page_set_session    (ObdVehiclePage *self,
                                             ObdSession     *session);
/* 0 follows the session's "vehicle-id". */
gint64      obd_vehicle_page_get_vehicle_id (ObdVehiclePage *self);
void        obd_vehicle_page_set_vehicle_id (ObdVehiclePage *self,
                                             gint64          vehicle_id);
/* Reads the vehicle again from the store (after changes made elsewhere). */
void        obd_vehicle_page_reload         (ObdVehiclePage *self);

G_END_DECLS
