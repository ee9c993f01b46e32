/* obd-cli-parse.c — what people type on the obd2 command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-cli-parse.h"
#include "obd-pid.h"

static gboolean
set_bad_value (GError     **error,
               const char  *format,
               ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_bad_value (GError     **error,
               const char  *format,
               ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* Decimal digits with at most one point and at least one digit: what
 * g_ascii_strtod () would read as "nan", "inf", "0x1p3" or "1e9" never
 * gets there.  Returns the length of the number. */
static gsize
decimal_length (const char *text)
{
  gsize n = 0, digits = 0;
  gboolean point = FALSE;

  for (; text[n] != '\0'; n++)
    {
      if (g_ascii_isdigit (text[n]))
        digits++;
      else if (text[n] == '.' && !point)
        point = TRUE;
      else
        break;
    }
  return digits > 0 ? n : 0;
}

gboolean
obd_cli_parse_seconds (const char  *option,
                       const char  *text,
                       double      *out_seconds,
                       GError     **error)
{
  static const struct
  {
    const char *suffix;
    double      seconds;
  } units[] = {
    { "", 1 }, { "s", 1 }, { "m", 60 }, { "min", 60 }, { "h", 3600 },
  };
  gsize length;
  double value;

  g_return_val_if_fail (option != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_seconds != NULL, FALSE);

  length = decimal_length (text);
  for (guint i = 0; length > 0 && i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *number = NULL;

      if (!g_str_equal (text + length, units[i].suffix))
        continue;

      number = g_strndup (text, length);
      value = g_ascii_strtod (number, NULL) * units[i].seconds;
      /* A long enough string of digits is inf: out of range too. */
      if (!(value > 0) || !(value <= OBD_CLI_MAX_SECONDS))
        return set_bad_value (error, _("%s: %s is out of range. Give a duration of more than 0 "
                                       "and at most 30 days (720h)."), option, text);
      *out_seconds = value;
      return TRUE;
    }

  return set_bad_value (error, _("%s: “%s” is not a duration. Give seconds, or a number with a "
                                 "unit: 30, 2.5, 90s, 10m, 1.5h."), option, text);
}

guint
obd_cli_seconds_to_ms (double seconds)
{
  g_return_val_if_fail (seconds > 0 && seconds <= OBD_CLI_MAX_SECONDS, 1);

  return MAX (1, (guint) ceil (seconds * 1000));
}

gboolean
obd_cli_parse_number (const char  *option,
                      const char  *text,
                      gint64       min,
                      gint64       max,
                      gint64      *out_value,
                      GError     **error)
{
  guint64 value = 0;

  g_return_val_if_fail (option != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (min >= 0 && min <= max, FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return set_bad_value (error, _("%s: “%s” is not a whole number. Give digits only, "
                                     "e.g. %s %" PRId64 "."),
                            option, text, option, MAX (min, 1));

  if (text[0] == '\0'
      || !g_ascii_string_to_unsigned (text, 10, (guint64) min, (guint64) max, &value, NULL))
    return set_bad_value (error, _("%s: give a whole number from %" PRId64 " to %"
                                   PRId64 "; “%s” is not."), option, min, max, text);

  *out_value = (gint64) value;
  return TRUE;
}

gboolean
obd_cli_parse_pids (const char  *text,
                    GArray      *pids,
                    GError     **error)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (pids != NULL, FALSE);

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const ObdPidInfo *info;

      if (parts[i][0] == '\0')
        continue;
      info = obd_pid_lookup_name (parts[i]);
      if (info == NULL || info->kind == OBD_PID_KIND_BITMAP)
        return set_bad_value (error, _("Unknown PID “%s”. Give a hex number such as 0C or a name "
                                       "such as rpm; “obd2 info” lists what the car supports."),
                              parts[i]);
      g_array_append_val (pids, info->pid);
    }

  return TRUE;
}

/* 8-4-4-4-12 hex digits (RFC 4122 layout, any version). */
static gboolean
is_uuid (const char *text)
{
  if (strlen (text) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;

      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

/* Letters and digits, at most 17 (ISO 3779; cars before 1981 have
 * shorter ones). */
static gboolean
is_vin_shaped (const char *text)
{
  gsize n = strlen (text);

  if (n == 0 || n > 17)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (text[i]))
      return FALSE;
  return TRUE;
}

gboolean
obd_cli_parse_reference (const char       *what,
                         const char       *text,
                         gboolean          allow_vin,
                         ObdCliReference  *out_kind,
                         gint64           *out_id,
                         GError          **error)
{
  gboolean digits = text != NULL && text[0] != '\0';

  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_kind != NULL && out_id != NULL, FALSE);

  for (const char *p = text; digits && *p != '\0'; p++)
    digits = g_ascii_isdigit (*p);

  *out_id = 0;
  if (digits)
    {
      *out_kind = OBD_CLI_REFERENCE_ID;
      return obd_cli_parse_number (what, text, 1, G_MAXINT64, out_id, error);
    }
  if (is_uuid (text))
    {
      *out_kind = OBD_CLI_REFERENCE_UUID;
      return TRUE;
    }
  if (allow_vin && is_vin_shaped (text))
    {
      *out_kind = OBD_CLI_REFERENCE_VIN;
      return TRUE;
    }

  if (allow_vin)
    return set_bad_value (error, _("%s: “%s” is not a vehicle number, VIN or UUID. “obd2 "
                                   "maintenance” lists the vehicles."), what, text);
  return set_bad_value (error, _("%s: “%s” is not a session number or UUID. “obd2 sessions” "
                                 "lists the sessions."), what, text);
}
