/* obd-alert-row.h — a live alert in a list: title, what to do, severity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-alert-item.h"
#include "obd-row.h"

G_BEGIN_DECLS

#define OBD_TYPE_ALERT_ROW (obd_alert_row_get_type ())
G_DECLARE_FINAL_TYPE (ObdAlertRow, obd_alert_row, OBD, ALERT_ROW, ObdRow)

/* A GtkListBoxCreateWidgetFunc for a model of ObdAlertItem. */
GtkWidget *obd_alert_row_new (gpointer item,
                              gpointer user_data);

G_END_DECLS
