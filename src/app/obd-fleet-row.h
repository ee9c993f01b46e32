/* obd-fleet-row.h — one vehicle in the fleet list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "obd-fleet-item.h"

G_BEGIN_DECLS

#define OBD_TYPE_FLEET_ROW (obd_fleet_row_get_type ())
G_DECLARE_FINAL_TYPE (ObdFleetRow, obd_fleet_row, OBD, FLEET_ROW, GtkListBoxRow)

/* A GtkListBoxCreateWidgetFunc for a model of ObdFleetItem. */
GtkWidget    *obd_fleet_row_new      (gpointer     item,
                                      gpointer     user_data);
ObdFleetItem *obd_fleet_row_get_item (ObdFleetRow *self);

G_END_DECLS
