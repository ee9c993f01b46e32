/* obd-report-parse.c — the report's parsers of outside input: codes typed
 * by people, headers of logo files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-report.h"
#include "obd-report-code.h"
#include "obd-report-parse.h"

G_DEFINE_QUARK (obd-report-error-quark, obd_report_error)

/* Digits per group of a printed code. */
#define GROUP 4

char *
obd_report_code_from_hash (const char *hash)
{
  GString *code;

  if (hash == NULL)
    return NULL;
  for (guint i = 0; i < OBD_REPORT_CODE_DIGITS; i++)
    if (!g_ascii_isxdigit (hash[i]))
      return NULL;

  code = g_string_sized_new (OBD_REPORT_CODE_DIGITS + OBD_REPORT_CODE_DIGITS / GROUP);
  for (guint i = 0; i < OBD_REPORT_CODE_DIGITS; i++)
    {
      if (i > 0 && i % GROUP == 0)
        g_string_append_c (code, '-');
      g_string_append_c (code, g_ascii_toupper (hash[i]));
    }
  return g_string_free (code, FALSE);
}

gboolean
obd_report_code_parse (const char  *text,
                       char         out_digits[OBD_REPORT_CODE_DIGITS + 1],
                       GError     **error)
{
  guint n = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_digits != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-' || *p == ' ' || *p == '\t')
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_INVALID_CODE,
                       _("“%s” is not a verification code: it has characters other than "
                         "0–9, A–F and dashes. Type it as printed at the bottom of the "
                         "report, e.g. 3F2A-91C0-77DE-4B12."), text);
          return FALSE;
        }
      /* A whole hash (64 digits) is fine: only its start is compared. */
      if (n < OBD_REPORT_CODE_DIGITS)
        out_digits[n] = g_ascii_tolower (*p);
      n++;
    }

  if (n < OBD_REPORT_CODE_DIGITS || (n > OBD_REPORT_CODE_DIGITS && n != 64))
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_INVALID_CODE,
                   _("“%s” is not a verification code: a code has 16 characters in four "
                     "groups, e.g. 3F2A-91C0-77DE-4B12. Check it against the report."), text);
      return FALSE;
    }

  out_digits[OBD_REPORT_CODE_DIGITS] = '\0';
  return TRUE;
}

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

gboolean
_obd_report_png_get_size (const guint8  *data,
                          gsize          len,
                          guint         *out_width,
                          guint         *out_height,
                          GError       **error)
{
  guint32 width, height;

  /* signature (8), IHDR length (4) and type (4), width (4), height (4) */
  if (len < 24 || memcmp (data, png_signature, sizeof png_signature) != 0 ||
      read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    {
      g_set_error_literal (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                           _("The logo is not a PNG image. Save it as PNG and choose it "
                             "again."));
      return FALSE;
    }

  width = read_be32 (data + 16);
  height = read_be32 (data + 20);
  if (width == 0 || height == 0)
    {
      g_set_error_literal (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                           _("The logo image is damaged: it has no pixels."));
      return FALSE;
    }
  if (width > OBD_REPORT_LOGO_MAX_SIDE || height > OBD_REPORT_LOGO_MAX_SIDE)
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                   _("The logo is %u × %u pixels, larger than a report can use. Scale it "
                     "down to at most %u pixels on each side."),
                   width, height, OBD_REPORT_LOGO_MAX_SIDE);
      return FALSE;
    }

  *out_width = width;
  *out_height = height;
  return TRUE;
}
