/* fuzz-decode.c — libFuzzer target for the PID, VIN and option decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is used whole in several ways at once: the first byte as a
 * PID (any of the 256, defined or not) and the rest as its data (a Mode
 * 01/02 reply after service and PID), the whole input as the payload of a
 * multi-PID reply (after 0x41), and the input up to its first NUL as text
 * for the VIN decoder and the parsers of names typed by people or reported
 * by the adapter (protocol, unit system, PID name).
 * Besides memory errors, the target checks that every decoded value can
 * be described and formatted, and that the VIN functions agree.
 */
#define G_LOG_DOMAIN "fuzz-decode"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-error.h"
#include "obd-pid.h"
#include "obd-types.h"
#include "obd-units.h"
#include "obd-vin.h"

static void
check_values (GArray *values,
              guint   from,
              int     pid)
{
  for (guint i = from; i < values->len; i++)
    {
      const ObdValue *v = &g_array_index (values, ObdValue, i);
      const ObdValue *info = obd_pid_get_value_info (v->pid, v->index);
      g_autofree char *si = NULL;
      g_autofree char *us = NULL;

      fuzz_check (pid < 0 || v->pid == pid, "PID: values of the PID asked");
      fuzz_check (v->key != NULL && v->label != NULL, "PID: a key and a label");
      fuzz_check (obd_value_get_label (v) != NULL, "PID: a translated label");
      fuzz_check (v->unit < OBD_UNIT_LAST, "PID: a known unit");
      fuzz_check (isfinite (v->value), "PID: a finite value");
      fuzz_check (info != NULL, "PID: every decoded (pid, index) can be described");
      fuzz_check (strcmp (info->key, v->key) == 0, "PID: the description has the same key");
      fuzz_check (info->unit == v->unit, "PID: the description has the same unit");
      if (v->text != NULL)
        fuzz_touch (v->text, strlen (v->text));
      si = obd_value_format (v, OBD_UNIT_SYSTEM_SI);
      us = obd_value_format (v, OBD_UNIT_SYSTEM_US);
      fuzz_check (si != NULL && us != NULL, "PID: a value formats");
    }
}

static void
fuzz_pid (guint8        pid,
          const guint8 *data,
          gsize         len)
{
  g_autoptr(GArray) values = obd_value_array_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = obd_pid_decode (pid, data, len, values, &error);
  fuzz_check (ok == (error == NULL), "PID: FALSE exactly with an error");
  if (!ok)
    {
      fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "PID: error domain");
      fuzz_check (values->len == 0, "PID: nothing decoded on failure");
      return;
    }
  /* no value is fine: PIDs such as 0x65-0x7B start with a byte of
   * "sensor supported" bits, and fields not supported are left out */
  check_values (values, 0, pid);
}

static void
fuzz_multi (const guint8 *payload,
            gsize         len)
{
  g_autoptr(GArray) values = obd_value_array_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = obd_pid_decode_multi (payload, len, values, &error);
  fuzz_check (ok == (error == NULL), "multi: FALSE exactly with an error");
  if (!ok)
    fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "multi: error domain");
  /* values decoded before an error are kept, and must be whole */
  check_values (values, 0, -1);
}

static void
fuzz_vin (const char *text)
{
  g_autoptr(ObdVinInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gboolean valid;
  char check;
  const char *name;

  valid = obd_vin_validate (text, &error);
  fuzz_check (valid == (error == NULL), "VIN: FALSE exactly with an error");
  if (!valid)
    fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "VIN: error domain");
  g_clear_error (&error);

  check = obd_vin_compute_check_digit (text);
  fuzz_check (valid == (check != '\0'), "VIN: a check digit exactly for a valid VIN");
  fuzz_check (check == '\0' || check == 'X' || g_ascii_isdigit (check),
              "VIN: the check digit is 0-9 or X");

  /* These take any text, not only a valid VIN. */
  (void) obd_vin_check_digit_applies (text);
  fuzz_check (obd_vin_region_get_key (obd_vin_get_region (text)) != NULL, "VIN: a region key");
  if ((name = obd_vin_get_country (text)) != NULL)
    fuzz_touch (name, strlen (name));
  if ((name = obd_vin_lookup_manufacturer (text)) != NULL)
    fuzz_touch (name, strlen (name));
  (void) obd_vin_get_model_year (text, 2024);

  info = obd_vin_decode (text, 2024, &error);
  fuzz_check ((info == NULL) == (error != NULL), "VIN decode: NULL exactly with an error");
  if (valid)
    fuzz_check (info != NULL, "VIN decode: a valid VIN decodes");
  if (info == NULL)
    {
      fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "VIN decode: error domain");
      return;
    }
  fuzz_check (strlen (info->vin) == OBD_VIN_LENGTH, "VIN decode: 17 characters");
  fuzz_check (obd_vin_validate (info->vin, NULL), "VIN decode: the decoded VIN is valid");
  fuzz_check (info->check_digit_ok == (info->check_digit == info->expected_check_digit),
              "VIN decode: check_digit_ok");
  fuzz_check (info->model_year == 0 || (info->model_year >= 1980 && info->model_year <= 2025),
              "VIN decode: a model year not after the reference year + 1");
  fuzz_check (strlen (info->manufacturer_code) == (info->small_manufacturer ? 6u : 3u),
              "VIN decode: the manufacturer code");
  if (info->manufacturer != NULL)
    fuzz_touch (info->manufacturer, strlen (info->manufacturer));
}

static void
fuzz_names (const char *text)
{
  ObdProtocol protocol = OBD_PROTOCOL_LAST + 1;
  gboolean automatic = FALSE;
  ObdUnitSystem system;
  const ObdPidInfo *info;

  if (obd_protocol_parse (text, &protocol, &automatic))
    {
      fuzz_check (protocol <= OBD_PROTOCOL_LAST, "protocol: a known protocol");
      fuzz_check (obd_protocol_get_name (protocol) != NULL &&
                  obd_protocol_get_key (protocol) != NULL, "protocol: a name and a key");
    }
  if (obd_unit_system_parse (text, &system))
    fuzz_check (obd_unit_system_get_name (system) != NULL, "units: a name");
  info = obd_pid_lookup_name (text);
  if (info != NULL)
    fuzz_check (obd_pid_lookup (info->pid) == info, "PID name: a row of the table");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  fuzz_init ();
  if (size < 1)
    return 0;

  fuzz_pid (data[0], data + 1, size - 1);
  fuzz_multi (data, size);

  text = g_strndup ((const char *) data, size);
  fuzz_vin (text);
  fuzz_names (text);
  return 0;
}
