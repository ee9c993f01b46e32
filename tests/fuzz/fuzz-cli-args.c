/* fuzz-cli-args.c — libFuzzer target for what people type on the obd2
 * command line (src/cli/obd-cli-parse.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input, up to its first NUL, is given to every parser at once: as a
 * duration, as a whole number (within limits taken from the input's
 * length, so both wide and narrow ranges are tried), as a PID list, and
 * as the name of a session and of a vehicle.  Besides memory errors, the
 * target checks each parser's promise: an accepted duration is finite,
 * in range and becomes at least one millisecond without overflow; an
 * accepted number is within its limits and is the decimal the text
 * spells; accepted PIDs are in the table; a name is of the kind it was
 * classified as; and every refusal is a G_OPTION_ERROR_BAD_VALUE with a
 * message that names what was wrong.
 */
#define G_LOG_DOMAIN "fuzz-cli-args"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-cli-parse.h"
#include "obd-pid.h"

static void
check_refusal (GError     *error,
               const char *what)
{
  fuzz_check (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE),
              "a refusal is bad usage");
  fuzz_check (error->message != NULL && strstr (error->message, what) != NULL,
              "a refusal names what was wrong");
}

static void
fuzz_seconds (const char *text)
{
  g_autoptr(GError) error = NULL;
  double seconds = -1;

  if (obd_cli_parse_seconds ("--duration", text, &seconds, &error))
    {
      guint ms = obd_cli_seconds_to_ms (seconds);

      fuzz_check (error == NULL, "seconds: no error on success");
      fuzz_check (isfinite (seconds) && seconds > 0 && seconds <= OBD_CLI_MAX_SECONDS,
                  "seconds: finite and in range");
      fuzz_check (ms >= 1 && ms >= seconds * 1000 - 1 && ms <= seconds * 1000 + 1,
                  "seconds: whole milliseconds, rounded up, no overflow");
    }
  else
    check_refusal (error, "--duration");
}

static void
fuzz_number (const char *text,
             gsize       length)
{
  /* Limits from the input: [length % 3, 10^(length % 20)] or [0, max]. */
  gint64 min = length % 3;
  gint64 max = length % 7 == 0 ? G_MAXINT64 : (gint64) pow (10, length % 19) + min;
  g_autoptr(GError) error = NULL;
  gint64 value = -1;

  if (obd_cli_parse_number ("--km", text, min, max, &value, &error))
    {
      fuzz_check (error == NULL, "number: no error on success");
      fuzz_check (value >= min && value <= max, "number: within its limits");
      fuzz_check (text[0] != '\0' && strspn (text, "0123456789") == strlen (text),
                  "number: digits only");
      fuzz_check ((guint64) value == g_ascii_strtoull (text, NULL, 10),
                  "number: the decimal the text spells");
    }
  else
    check_refusal (error, "--km");
}

static void
fuzz_pids (const char *text)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr(GError) error = NULL;

  if (obd_cli_parse_pids (text, pids, &error))
    for (guint i = 0; i < pids->len; i++)
      {
        const ObdPidInfo *info = obd_pid_lookup (g_array_index (pids, guint8, i));

        fuzz_check (info != NULL && info->kind != OBD_PID_KIND_BITMAP,
                    "pids: a numeric PID of the table");
      }
  else
    check_refusal (error, "PID");
}

static void
fuzz_reference (const char *text,
                gboolean    allow_vin)
{
  g_autoptr(GError) error = NULL;
  ObdCliReference kind = OBD_CLI_REFERENCE_ID;
  gint64 id = -1;

  if (!obd_cli_parse_reference ("--vehicle", text, allow_vin, &kind, &id, &error))
    {
      check_refusal (error, "--vehicle");
      return;
    }

  switch (kind)
    {
    case OBD_CLI_REFERENCE_ID:
      fuzz_check (id >= 1 && strspn (text, "0123456789") == strlen (text),
                  "reference: a number is digits, at least 1");
      break;
    case OBD_CLI_REFERENCE_UUID:
      fuzz_check (strlen (text) == 36 && id == 0, "reference: a UUID is 36 characters");
      break;
    case OBD_CLI_REFERENCE_VIN:
      fuzz_check (allow_vin && strlen (text) >= 1 && strlen (text) <= 17 && id == 0,
                  "reference: a VIN only for vehicles, 1 to 17 characters");
      break;
    default:
      fuzz_check (FALSE, "reference: a known kind");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gsize length = strlen (text);

  fuzz_init ();
  fuzz_seconds (text);
  fuzz_number (text, length);
  fuzz_pids (text);
  fuzz_reference (text, FALSE);
  fuzz_reference (text, TRUE);
  return 0;
}
