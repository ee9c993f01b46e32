/* obd-report-parse.h — the report's parsers of outside input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib only, so the fuzz target (tests/fuzz/fuzz-report.c) links them
 * without cairo, pango or the store.  The verification code parser is
 * declared in obd-report-code.h.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Logos: at most this many bytes and pixels on a side. */
#define OBD_REPORT_LOGO_MAX_BYTES (8 * 1024 * 1024)
#define OBD_REPORT_LOGO_MAX_SIDE  4096

/* Reads width and height from a PNG's IHDR chunk (PNG specification,
 * section 11.2.2: it must come first), failing with OBD_REPORT_ERROR_LOGO
 * on anything that is not a PNG or is larger than
 * OBD_REPORT_LOGO_MAX_SIDE, before a decoder spends memory on it. */
gboolean _obd_report_png_get_size (const guint8  *data,
                                   gsize          len,
                                   guint         *out_width,
                                   guint         *out_height,
                                   GError       **error);

G_END_DECLS
