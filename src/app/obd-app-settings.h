/* obd-app-settings.h — reading the application's settings the one way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema's enum keys are read by their words through the generated
 * GEnum types (obd-enums.h), never cast from numbers that could drift
 * from the C enums; the alert limits are read through the health layer's
 * one table of limits (obd_alert_limits_get), which names each GSettings
 * key.
 */
#pragma once

#include <gio/gio.h>

#include "obd-alerts.h"

G_BEGIN_DECLS

/* Who uses the application: the "role" key.  GEnum OBD_TYPE_ROLE, nicks
 * as the schema's. */
typedef enum
{
  OBD_ROLE_MECHANIC = 0,
  OBD_ROLE_FLEET,
  OBD_ROLE_OWNER,
} ObdRole;

/* The value of an enum key as enum_type's value with the same nick.  A
 * word the type does not know is a bug (schema and code disagree): it is
 * reported with g_critical() and fallback returned. */
int      obd_app_settings_get_enum        (GSettings          *settings,
                                           const char         *key,
                                           GType               enum_type,
                                           int                 fallback);

/* Every limit of obd_alert_limits_get() from its key, over the defaults.
 * Limits that contradict each other (a critical level milder than its
 * warning) fail with G_KEY_FILE_ERROR_INVALID_VALUE naming the key;
 * thresholds is left unchanged then. */
gboolean obd_app_settings_read_thresholds (GSettings          *settings,
                                           ObdAlertThresholds *thresholds,
                                           GError            **error);

G_END_DECLS
