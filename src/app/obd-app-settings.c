/* obd-app-settings.c — reading the application's settings the one way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include "obd-app-enum-types.h"
#include "obd-app-settings.h"
#include "obd-enums.h"

int
obd_app_settings_get_enum (GSettings  *settings,
                           const char *key,
                           GType       enum_type,
                           int         fallback)
{
  g_autofree char *nick = NULL;
  g_autoptr(GError) error = NULL;
  int value = fallback;

  g_return_val_if_fail (G_IS_SETTINGS (settings), fallback);
  g_return_val_if_fail (key != NULL, fallback);

  nick = g_settings_get_string (settings, key);
  if (!obd_enum_from_nick (enum_type, nick, &value, &error))
    {
      g_critical ("Setting “%s”: %s", key, error->message);
      return fallback;
    }
  return value;
}

gboolean
obd_app_settings_read_thresholds (GSettings          *settings,
                                  ObdAlertThresholds *thresholds,
                                  GError            **error)
{
  const ObdAlertLimit *limits;
  gsize n_limits = 0;
  ObdAlertThresholds read;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (thresholds != NULL, FALSE);

  obd_alert_thresholds_init_defaults (&read);
  limits = obd_alert_limits_get (&n_limits);
  for (gsize i = 0; i < n_limits; i++)
    if (!obd_alert_thresholds_set (&read, &limits[i],
                                   g_settings_get_double (settings, limits[i].settings_key),
                                   error))
      return FALSE;
  if (!obd_alert_thresholds_validate (&read, error))
    return FALSE;
  *thresholds = read;
  return TRUE;
}
