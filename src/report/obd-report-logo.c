/* obd-report-logo.c — the workshop's logo, a PNG file chosen in the
 * preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file comes from outside, so it is checked before cairo decodes it:
 * a size cap on the file and on the image (a 30000 × 30000 PNG of a few
 * kilobytes would otherwise decode into gigabytes), read from its header
 * by _obd_report_png_get_size ().
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-report-document.h"
#include "obd-report-private.h"

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static cairo_status_t
read_cb (void          *closure,
         unsigned char *out,
         unsigned int   length)
{
  Reader *r = closure;

  if (length > r->len - r->pos)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (out, r->data + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

cairo_surface_t *
_obd_report_load_logo (const char  *path,
                       GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  guint width, height;
  cairo_surface_t *surface;
  Reader reader;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, &local_error);
  if (info == NULL)
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                   _("The logo “%s” cannot be read: %s. Choose the logo again in the "
                     "preferences."), path, local_error->message);
      return NULL;
    }
  if (g_file_info_get_size (info) > OBD_REPORT_LOGO_MAX_BYTES)
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                   _("The logo “%s” is larger than 8 MB. Save a smaller PNG and choose it "
                     "again."), path);
      return NULL;
    }

  if (!g_file_load_contents (file, NULL, &data, &len, NULL, &local_error))
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                   _("The logo “%s” cannot be read: %s. Choose the logo again in the "
                     "preferences."), path, local_error->message);
      return NULL;
    }
  /* The file may have grown between the size check and the read. */
  if (len > OBD_REPORT_LOGO_MAX_BYTES)
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                   _("The logo “%s” is larger than 8 MB. Save a smaller PNG and choose it "
                     "again."), path);
      return NULL;
    }

  if (!_obd_report_png_get_size ((const guint8 *) data, len, &width, &height, &local_error))
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO, "%s (%s)",
                   local_error->message, path);
      return NULL;
    }

  reader = (Reader) { (const guint8 *) data, len, 0 };
  surface = cairo_image_surface_create_from_png_stream (read_cb, &reader);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO,
                   _("The logo “%s” is a damaged PNG image (%s). Save it again and choose "
                     "it again."), path, cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }

  return surface;
}

gboolean
obd_report_check_logo (const char  *path,
                       GError     **error)
{
  cairo_surface_t *logo;

  g_return_val_if_fail (path != NULL, FALSE);

  logo = _obd_report_load_logo (path, error);
  if (logo == NULL)
    return FALSE;
  cairo_surface_destroy (logo);
  return TRUE;
}
