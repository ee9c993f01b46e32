/* obd-item-row.h — a list row that shows an ObdRowItem
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-row.h"
#include "obd-row-item.h"

G_BEGIN_DECLS

#define OBD_TYPE_ITEM_ROW (obd_item_row_get_type ())
G_DECLARE_FINAL_TYPE (ObdItemRow, obd_item_row, OBD, ITEM_ROW, ObdRow)

/* A GtkListBoxCreateWidgetFunc for a model of ObdRowItem. */
GtkWidget  *obd_item_row_new      (gpointer    item,
                                   gpointer    user_data);
ObdRowItem *obd_item_row_get_item (ObdItemRow *self);

G_END_DECLS
