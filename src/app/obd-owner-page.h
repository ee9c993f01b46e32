/* obd-owner-page.h — one vehicle in plain language, for its owner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-health.h"
#include "obd-session.h"

G_BEGIN_DECLS

#define OBD_TYPE_OWNER_PAGE (obd_owner_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdOwnerPage, obd_owner_page, OBD, OWNER_PAGE, AdwBin)

GtkWidget       *obd_owner_page_new            (ObdSession   *session);

ObdSession      *obd_owner_page_get_session    (ObdOwnerPage *self);
void             obd_owner_page_set_session    (ObdOwnerPage *self,
                                                ObdSession   *session);
/* 0 follows the session's "vehicle-id". */
gint64           obd_owner_page_get_vehicle_id (ObdOwnerPage *self);
void             obd_owner_page_set_vehicle_id (ObdOwnerPage *self,
                                                gint64        vehicle_id);
/* Reads the vehicle again (after changes made elsewhere). */
void             obd_owner_page_reload         (ObdOwnerPage *self);
/* The verdict shown: healthy, needs attention or stop driving. */
ObdHealthStatus  obd_owner_page_get_status     (ObdOwnerPage *self);

G_END_DECLS
