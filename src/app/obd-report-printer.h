/* obd-report-printer.h — a session's customer report, printed or saved as
 * PDF from the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report is gathered on the store's thread (obd_report_new_from_store ()
 * as a job of the store service), never on the main thread.  Printing goes
 * through GtkPrintOperation: the system dialog, the page setup starting
 * from the paper in the preferences, and each page drawn with
 * obd-report-document on the print context's cairo_t, laid out for the
 * paper the dialog ends with.  Exporting writes the PDF on a worker
 * thread, atomically (an older file is replaced only once the new one is
 * complete).  The workshop's details, the paper and the units come from
 * the settings: shop-name, shop-address, shop-phone, shop-logo,
 * mechanic-name, report-paper, units (without settings: none, the
 * locale's paper, metric).
 *
 * A session whose data no longer matches its hash is not printed: the
 * error says so (OBD_REPORT_ERROR_CHANGED).
 */
#pragma once

#include <gtk/gtk.h>

#include "obd-report-document.h"
#include "obd-store-service.h"

G_BEGIN_DECLS

#define OBD_TYPE_REPORT_PRINTER (obd_report_printer_get_type ())
G_DECLARE_FINAL_TYPE (ObdReportPrinter, obd_report_printer, OBD, REPORT_PRINTER, GObject)

ObdReportPrinter *obd_report_printer_new            (ObdStoreService         *store,
                                                     GSettings               *settings);

/* The paper of the preferences ("auto" is the locale's). */
ObdReportPaper    obd_report_printer_get_paper      (ObdReportPrinter        *self);

/* Prints the report of session_id.  action PRINT_DIALOG shows the system
 * dialog over parent (nullable); EXPORT writes export_filename as PDF
 * without a dialog.  Completes when the printing is handed over, with
 * G_IO_ERROR_CANCELLED when the dialog was cancelled. */
void              obd_report_printer_print_async    (ObdReportPrinter        *self,
                                                     gint64                   session_id,
                                                     GtkPrintOperationAction  action,
                                                     const char              *export_filename,
                                                     GtkWindow               *parent,
                                                     GCancellable            *cancellable,
                                                     GAsyncReadyCallback      callback,
                                                     gpointer                 user_data);
gboolean          obd_report_printer_print_finish   (ObdReportPrinter        *self,
                                                     GAsyncResult            *result,
                                                     GError                 **out_logo_error,
                                                     GError                 **error);

/* Writes the report of session_id to file as PDF on the paper of the
 * preferences. */
void              obd_report_printer_export_async   (ObdReportPrinter        *self,
                                                     gint64                   session_id,
                                                     GFile                   *file,
                                                     GCancellable            *cancellable,
                                                     GAsyncReadyCallback      callback,
                                                     gpointer                 user_data);
/* out_logo_error (nullable) receives why the logo was left out. */
gboolean          obd_report_printer_export_finish  (ObdReportPrinter        *self,
                                                     GAsyncResult            *result,
                                                     GError                 **out_logo_error,
                                                     GError                 **error);

/* A file name for the report: "report-2014-honda-accord-2024-05-01.pdf". */
char             *obd_report_printer_suggest_name   (const char              *vehicle,
                                                     gint64                   started_us);

G_END_DECLS
