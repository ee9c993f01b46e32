/* obd-alert-item.h — a live alert as an item of a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "obd-alerts.h"

G_BEGIN_DECLS

#define OBD_TYPE_ALERT_ITEM (obd_alert_item_get_type ())
G_DECLARE_FINAL_TYPE (ObdAlertItem, obd_alert_item, OBD, ALERT_ITEM, GObject)

/* Read-only properties for templates: "title", "message",
 * "severity-label", "icon-name" and "critical". */
ObdAlertItem        *obd_alert_item_new       (const ObdAlertEvent *event);
const ObdAlertEvent *obd_alert_item_get_event (ObdAlertItem        *self);
gboolean             obd_alert_item_get_critical (ObdAlertItem     *self);

G_END_DECLS
