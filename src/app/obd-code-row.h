/* obd-code-row.h — a trouble code in a list: what it means, likely
 * causes, the freeze frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-code-item.h"
#include "obd-row.h"

G_BEGIN_DECLS

#define OBD_TYPE_CODE_ROW (obd_code_row_get_type ())
G_DECLARE_FINAL_TYPE (ObdCodeRow, obd_code_row, OBD, CODE_ROW, ObdRow)

/* A GtkListBoxCreateWidgetFunc for a model of ObdCodeItem. */
GtkWidget *obd_code_row_new (gpointer item,
                             gpointer user_data);

G_END_DECLS
