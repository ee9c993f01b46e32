/* obd-report-document.h — the customer report laid out on pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ObdReportDocument lays an ObdReport out once for a page size, then
 * draws any page on any cairo_t whose user space is points with (0, 0) at
 * the page's top-left corner: a PDF surface (obd_report_document_write_pdf
 * (), obd_report_export_pdf ()), or a print context — with
 * GtkPrintOperation set to GTK_UNIT_POINTS and use-full-page, call
 * obd_report_document_new () in ::begin-print with the page setup's paper
 * size, set the number of pages, and call obd_report_document_render_page ()
 * in ::draw-page.
 *
 * Text is laid out with pango at 72 units per inch without hinting, so the
 * same document draws identically everywhere and stays real text in a PDF
 * (selectable, searchable).  Pages break between table rows, never split
 * a row that fits on a page, keep headings with what follows them, and
 * repeat a table's header row on the next page.
 *
 * A document borrows its report, which must outlive it.  It is used from
 * one thread at a time.
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "obd-report.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_REPORT_PAPER_A4 = 0,
  OBD_REPORT_PAPER_LETTER,
} ObdReportPaper;

/* "a4" or "letter" (any case). */
gboolean        obd_report_paper_parse      (const char      *text,
                                             ObdReportPaper  *out_paper);
const char     *obd_report_paper_get_key    (ObdReportPaper   paper);
/* In points: A4 595.28 × 841.89, US Letter 612 × 792. */
void            obd_report_paper_get_size   (ObdReportPaper   paper,
                                             double          *out_width,
                                             double          *out_height);
/* The paper of the user's locale (LC_PAPER): Letter where it is 8.5 × 11
 * inches, A4 everywhere else. */
ObdReportPaper  obd_report_paper_for_locale (void);

typedef struct _ObdReportDocument ObdReportDocument;

/* Lays out report on pages of width × height points (at least 300 × 400).
 * A logo that cannot be used does not stop the report: it is left out,
 * and obd_report_document_get_logo_error () says why. */
ObdReportDocument *obd_report_document_new            (const ObdReport    *report,
                                                       double              width,
                                                       double              height);
void               obd_report_document_free           (ObdReportDocument  *doc);
guint              obd_report_document_get_n_pages    (ObdReportDocument  *doc);
void               obd_report_document_get_page_size  (ObdReportDocument  *doc,
                                                       double             *out_width,
                                                       double             *out_height);
/* NULL when there is no logo or it was used. */
const GError      *obd_report_document_get_logo_error (ObdReportDocument  *doc);
/* Draws page (0-based) on cr.  cr's state is saved and restored. */
void               obd_report_document_render_page    (ObdReportDocument  *doc,
                                                       cairo_t            *cr,
                                                       guint               page);
/* Writes every page as a PDF document to stream (not closed). */
gboolean           obd_report_document_write_pdf      (ObdReportDocument  *doc,
                                                       GOutputStream      *stream,
                                                       GCancellable       *cancellable,
                                                       GError            **error);

/* Lays out report on paper and writes it to file as PDF, atomically: a
 * temporary file beside it is renamed over file only once complete, so a
 * failure leaves an earlier file as it was.  out_logo_error (nullable)
 * receives why a logo was left out. */
gboolean           obd_report_export_pdf              (const ObdReport    *report,
                                                       ObdReportPaper      paper,
                                                       GFile              *file,
                                                       GCancellable       *cancellable,
                                                       GError            **out_logo_error,
                                                       GError            **error);

/* Whether path is a logo reports can use: a PNG of at most 8 MB and
 * OBD_REPORT_LOGO_MAX_SIDE pixels a side that decodes.  Fails with
 * OBD_REPORT_ERROR_LOGO and what to do.  Reads the file: call it where
 * waiting is allowed (a worker thread in the app). */
gboolean           obd_report_check_logo              (const char         *path,
                                                       GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdReportDocument, obd_report_document_free)

G_END_DECLS
