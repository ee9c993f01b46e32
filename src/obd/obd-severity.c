/* obd-severity.c — how serious a finding is: one scale for every layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-enum-types.h"
#include "obd-enums.h"
#include "obd-severity.h"

const char *
obd_severity_get_key (ObdSeverity severity)
{
  g_return_val_if_fail ((guint) severity < OBD_SEVERITY_COUNT, NULL);
  return obd_enum_get_nick (OBD_TYPE_SEVERITY, severity);
}

const char *
obd_severity_get_label (ObdSeverity severity)
{
  switch (severity)
    {
    case OBD_SEVERITY_INFO:
      return _("Information");
    case OBD_SEVERITY_WARNING:
      return _("Warning");
    case OBD_SEVERITY_CRITICAL:
      return _("Critical");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
obd_severity_from_key (const char   *key,
                       ObdSeverity  *out_severity,
                       GError      **error)
{
  int value;

  if (!obd_enum_from_nick (OBD_TYPE_SEVERITY, key, &value, error))
    return FALSE;
  if (out_severity != NULL)
    *out_severity = (ObdSeverity) value;
  return TRUE;
}
