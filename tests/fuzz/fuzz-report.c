/* fuzz-report.c — libFuzzer target for the report's parsers of outside
 * input: verification codes typed by people, headers of logo files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole input goes to the PNG header check and, as text, to the code
 * parser and to the code formatter.  Besides memory errors, the target
 * checks the contracts: FALSE or NULL exactly with an error, a parsed code
 * is sixteen lower-case hex digits that format to a code which parses
 * back to them, a logo's size is within the limits.
 */
#define G_LOG_DOMAIN "fuzz-report"
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-report.h"
#include "obd-report-code.h"
#include "obd-report-parse.h"

static void
fuzz_code (const char *text)
{
  char digits[OBD_REPORT_CODE_DIGITS + 1];
  char again[OBD_REPORT_CODE_DIGITS + 1];
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *formatted = NULL;

  if (!obd_report_code_parse (text, digits, &error))
    {
      fuzz_check (error != NULL && g_error_matches (error, OBD_REPORT_ERROR,
                                                    OBD_REPORT_ERROR_INVALID_CODE),
                  "code: FALSE with an invalid-code error");
      return;
    }
  fuzz_check (error == NULL, "code: TRUE without error");
  fuzz_check (strlen (digits) == OBD_REPORT_CODE_DIGITS, "code: sixteen digits");
  for (guint i = 0; i < OBD_REPORT_CODE_DIGITS; i++)
    fuzz_check (g_ascii_isxdigit (digits[i]) && !g_ascii_isupper (digits[i]),
                "code: lower-case hex digits");

  code = obd_report_code_from_hash (digits);
  fuzz_check (code != NULL && strlen (code) == 19, "code: formats as four groups");
  fuzz_check (obd_report_code_parse (code, again, NULL), "code: the formatted code parses");
  fuzz_check (strcmp (again, digits) == 0, "code: and back to the same digits");

  /* The formatter takes any text: NULL or a code, never a crash. */
  formatted = obd_report_code_from_hash (text);
  if (formatted != NULL)
    fuzz_check (strlen (formatted) == 19, "hash: formats as four groups");
}

static void
fuzz_png (const guint8 *data,
          gsize         len)
{
  g_autoptr(GError) error = NULL;
  guint width = 0, height = 0;

  if (!_obd_report_png_get_size (data, len, &width, &height, &error))
    {
      fuzz_check (error != NULL && g_error_matches (error, OBD_REPORT_ERROR,
                                                    OBD_REPORT_ERROR_LOGO),
                  "png: FALSE with a logo error");
      return;
    }
  fuzz_check (error == NULL, "png: TRUE without error");
  fuzz_check (width >= 1 && width <= OBD_REPORT_LOGO_MAX_SIDE, "png: width within limits");
  fuzz_check (height >= 1 && height <= OBD_REPORT_LOGO_MAX_SIDE, "png: height within limits");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  fuzz_init ();

  fuzz_png (data, size);
  text = g_strndup ((const char *) data, size);
  fuzz_code (text);

  return 0;
}
