/* obd-enums.c — stable keys of enums, through their generated GEnum types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "obd-enums.h"

const char *
obd_enum_get_nick (GType enum_type,
                   int   value)
{
  /* Generated enum types are registered once and never unloaded, so the
   * class (and its nicks) can be kept for the life of the process. */
  GEnumClass *klass = g_type_class_ref (enum_type);
  GEnumValue *entry = g_enum_get_value (klass, value);

  g_type_class_unref (klass);
  g_return_val_if_fail (entry != NULL, NULL);
  return entry->value_nick;
}

gboolean
obd_enum_from_nick (GType        enum_type,
                    const char  *nick,
                    int         *out_value,
                    GError     **error)
{
  g_autoptr(GEnumClass) klass = NULL;
  g_autoptr(GString) accepted = NULL;
  GEnumValue *entry;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = g_type_class_ref (enum_type);
  entry = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;
  if (entry != NULL)
    {
      if (out_value != NULL)
        *out_value = entry->value;
      return TRUE;
    }

  accepted = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    {
      if (i > 0)
        /* Translators: separator in a list of accepted words */
        g_string_append (accepted, _(", "));
      g_string_append (accepted, klass->values[i].value_nick);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               /* Translators: "“severe” is not a valid severity; use one of: info,
                * warning, critical."  The second %s is a type name. */
               _("“%s” is not a valid %s; use one of: %s."),
               nick != NULL ? nick : "", g_type_name (enum_type), accepted->str);
  return FALSE;
}
