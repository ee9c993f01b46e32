/* obd-report-printer.c — a session's customer report, printed or saved as
 * PDF from the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-report-printer.h"

struct _ObdReportPrinter
{
  GObject           parent_instance;

  ObdStoreService  *store;
  GSettings        *settings;
};

G_DEFINE_FINAL_TYPE (ObdReportPrinter, obd_report_printer, G_TYPE_OBJECT)

/* Gathering, on the store's thread -------------------------------------- */

/* What the store's thread needs: copies, never the settings themselves. */
typedef struct
{
  gint64         session_id;
  char          *shop_name;
  char          *shop_address;
  char          *shop_phone;
  char          *logo_path;
  char          *mechanic;
  ObdUnitSystem  units;
} Gather;

static void
gather_free (gpointer data)
{
  Gather *gather = data;

  g_free (gather->shop_name);
  g_free (gather->shop_address);
  g_free (gather->shop_phone);
  g_free (gather->logo_path);
  g_free (gather->mechanic);
  g_free (gather);
}

static char *
setting_or_null (GSettings  *settings,
                 const char *key)
{
  g_autofree char *value = settings != NULL ? g_settings_get_string (settings, key) : NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (value != NULL ? value : ""));

  return *stripped != '\0' ? g_steal_pointer (&value) : NULL;
}

static Gather *
gather_new (ObdReportPrinter *self,
            gint64            session_id)
{
  Gather *gather = g_new0 (Gather, 1);
  g_autofree char *units = setting_or_null (self->settings, "units");

  gather->session_id = session_id;
  gather->shop_name = setting_or_null (self->settings, "shop-name");
  gather->shop_address = setting_or_null (self->settings, "shop-address");
  gather->shop_phone = setting_or_null (self->settings, "shop-phone");
  gather->logo_path = setting_or_null (self->settings, "shop-logo");
  gather->mechanic = setting_or_null (self->settings, "mechanic-name");
  if (units == NULL || !obd_unit_system_parse (units, &gather->units))
    gather->units = OBD_UNIT_SYSTEM_SI;
  return gather;
}

static gpointer
gather_job (ObdStore      *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  const Gather *gather = data;
  ObdReportOptions options = {
    .shop_name = gather->shop_name,
    .shop_address = gather->shop_address,
    .shop_phone = gather->shop_phone,
    .logo_path = gather->logo_path,
    .mechanic = gather->mechanic,
    .units = gather->units,
  };
  g_autoptr(ObdReport) report = obd_report_new_from_store (store, gather->session_id, &options,
                                                           error);

  if (report == NULL)
    return NULL;
  if (report->integrity == OBD_REPORT_INTEGRITY_CHANGED)
    {
      g_set_error_literal (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_CHANGED,
                           _("This session was changed after it was recorded: its data no "
                             "longer matches its fingerprint, so a report of it cannot be "
                             "trusted and none is made. Check the history on the History "
                             "page."));
      return NULL;
    }
  return g_steal_pointer (&report);
}

static void
gather_async (ObdReportPrinter *self,
              gint64            session_id,
              GTask            *task,
              GAsyncReadyCallback callback)
{
  if (self->store == NULL)
    {
      g_task_return_new_error (task, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED, "%s",
                               _("There is no local history, so there is no report to make."));
      g_object_unref (task);
      return;
    }
  obd_store_service_run_async (self->store, gather_job, gather_new (self, session_id),
                               gather_free, (GDestroyNotify) obd_report_free, G_PRIORITY_HIGH,
                               g_task_get_cancellable (task), callback, task);
}

/* Printing ---------------------------------------------------------------- */

typedef struct
{
  gint64                   session_id;
  GtkPrintOperationAction  action;
  char                    *export_filename;
  GtkWindow               *parent;
  ObdReport               *report;
  ObdReportDocument       *doc;
  GtkPrintOperation       *operation;
  GError                  *logo_error;
  gboolean                 completed;
} PrintJob;

static void
print_job_free (gpointer data)
{
  PrintJob *job = data;

  if (job->operation != NULL)
    g_signal_handlers_disconnect_by_data (job->operation, job);
  g_clear_object (&job->operation);
  g_clear_pointer (&job->doc, obd_report_document_free);
  g_clear_pointer (&job->report, obd_report_free);
  g_clear_error (&job->logo_error);
  g_clear_object (&job->parent);
  g_free (job->export_filename);
  g_free (job);
}

ObdReportPaper
obd_report_printer_get_paper (ObdReportPrinter *self)
{
  g_autofree char *key = NULL;
  ObdReportPaper paper;

  g_return_val_if_fail (OBD_IS_REPORT_PRINTER (self), OBD_REPORT_PAPER_A4);

  key = setting_or_null (self->settings, "report-paper");
  if (key == NULL || !obd_report_paper_parse (key, &paper))
    paper = obd_report_paper_for_locale ();
  return paper;
}

static GtkPageSetup *
page_setup_new (ObdReportPaper paper)
{
  GtkPageSetup *setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) size = gtk_paper_size_new (paper == OBD_REPORT_PAPER_LETTER
                                                     ? GTK_PAPER_NAME_LETTER
                                                     : GTK_PAPER_NAME_A4);

  gtk_page_setup_set_paper_size_and_default_margins (setup, size);
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_PORTRAIT);
  return setup;
}

/* The paper is what the dialog ended with: lay the report out for it. */
static void
on_begin_print_cb (GtkPrintOperation *operation,
                   GtkPrintContext   *context,
                   PrintJob          *job)
{
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);

  g_clear_pointer (&job->doc, obd_report_document_free);
  job->doc = obd_report_document_new (job->report, width, height);
  g_clear_error (&job->logo_error);
  if (obd_report_document_get_logo_error (job->doc) != NULL)
    job->logo_error = g_error_copy (obd_report_document_get_logo_error (job->doc));
  gtk_print_operation_set_n_pages (operation, obd_report_document_get_n_pages (job->doc));
}

static void
on_draw_page_cb (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page_nr,
                 PrintJob          *job)
{
  if (job->doc != NULL && page_nr >= 0 &&
      (guint) page_nr < obd_report_document_get_n_pages (job->doc))
    obd_report_document_render_page (job->doc, gtk_print_context_get_cairo_context (context),
                                     (guint) page_nr);
}

static void on_done_cb (GtkPrintOperation       *operation,
                        GtkPrintOperationResult  result,
                        GTask                   *task);

static void
complete (GTask                   *task,
          GtkPrintOperationResult  result,
          GError                  *error)   /* taken */
{
  PrintJob *job = g_task_get_task_data (task);

  if (job->completed)
    {
      g_clear_error (&error);
      return;
    }
  job->completed = TRUE;
  /* The operation lets go of the task it held for "done". */
  if (job->operation != NULL)
    g_signal_handlers_disconnect_by_func (job->operation, on_done_cb, task);
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      if (error == NULL)
        error = g_error_new_literal (GTK_PRINT_ERROR, GTK_PRINT_ERROR_GENERAL,
                                     _("The printing system gave no reason."));
      g_prefix_error (&error, "%s", _("The report could not be printed: "));
      g_task_return_error (task, error);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    {
      g_clear_error (&error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("Printing was cancelled."));
    }
  else
    {
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
    }
}

static void
on_done_cb (GtkPrintOperation       *operation,
            GtkPrintOperationResult  result,
            GTask                   *task)
{
  GError *error = NULL;

  /* GTK 4.8 warns when asked for an error it does not have. */
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    gtk_print_operation_get_error (operation, &error);
  complete (task, result, error);
}

static void
on_print_gathered_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdReportPrinter *self = g_task_get_source_object (task);
  PrintJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkPageSetup) setup = NULL;
  g_autofree char *name = NULL;
  GtkPrintOperationResult run;

  job->report = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);
  if (job->report == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job->operation = gtk_print_operation_new ();
  setup = page_setup_new (obd_report_printer_get_paper (self));
  gtk_print_operation_set_default_page_setup (job->operation, setup);
  /* The document is laid out in points on the whole sheet: it keeps its
   * own margins, the same as in the PDF. */
  gtk_print_operation_set_unit (job->operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_use_full_page (job->operation, TRUE);
  gtk_print_operation_set_embed_page_setup (job->operation, TRUE);
  gtk_print_operation_set_allow_async (job->operation, TRUE);
  /* Translators: the print job's name; %s is the vehicle */
  name = g_strdup_printf (_("Report — %s"), job->report->session->vehicle_name != NULL
                                            ? job->report->session->vehicle_name
                                            : _("Vehicle"));
  gtk_print_operation_set_job_name (job->operation, name);
  if (job->export_filename != NULL)
    gtk_print_operation_set_export_filename (job->operation, job->export_filename);
  g_signal_connect (job->operation, "begin-print", G_CALLBACK (on_begin_print_cb), job);
  g_signal_connect (job->operation, "draw-page", G_CALLBACK (on_draw_page_cb), job);
  /* Until "done" the operation holds the task (a dialog may stay open
   * for minutes). */
  g_signal_connect_data (job->operation, "done", G_CALLBACK (on_done_cb), g_object_ref (task),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);

  run = gtk_print_operation_run (job->operation, job->action, job->parent, &error);
  if (run != GTK_PRINT_OPERATION_RESULT_IN_PROGRESS)
    complete (task, run, g_steal_pointer (&error));
}

void
obd_report_printer_print_async (ObdReportPrinter        *self,
                                gint64                   session_id,
                                GtkPrintOperationAction  action,
                                const char              *export_filename,
                                GtkWindow               *parent,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  GTask *task;
  PrintJob *job;

  g_return_if_fail (OBD_IS_REPORT_PRINTER (self));
  g_return_if_fail (session_id > 0);
  g_return_if_fail (action != GTK_PRINT_OPERATION_ACTION_EXPORT || export_filename != NULL);
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_report_printer_print_async);
  job = g_new0 (PrintJob, 1);
  job->session_id = session_id;
  job->action = action;
  job->export_filename = g_strdup (export_filename);
  job->parent = parent != NULL ? g_object_ref (parent) : NULL;
  g_task_set_task_data (task, job, print_job_free);
  gather_async (self, session_id, task, on_print_gathered_cb);
}

gboolean
obd_report_printer_print_finish (ObdReportPrinter  *self,
                                 GAsyncResult      *result,
                                 GError           **out_logo_error,
                                 GError           **error)
{
  PrintJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (out_logo_error != NULL && job->logo_error != NULL)
    *out_logo_error = g_error_copy (job->logo_error);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Exporting ----------------------------------------------------------------- */

typedef struct
{
  GFile          *file;
  ObdReportPaper  paper;
  ObdReport      *report;
  GError         *logo_error;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->file);
  g_clear_pointer (&job->report, obd_report_free);
  g_clear_error (&job->logo_error);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ExportJob *job = data;
  GError *error = NULL;

  if (obd_report_export_pdf (job->report, job->paper, job->file, cancellable, &job->logo_error,
                             &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      g_autofree char *name = g_file_get_parse_name (job->file);

      g_prefix_error (&error, _("The report could not be saved as “%s”: "), name);
      g_task_return_error (task, error);
    }
}

static void
on_export_gathered_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr(GTask) task = data;
  ExportJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->report = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);
  if (job->report == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Writing a PDF is seconds of work on a slow disk: never on the main
   * thread. */
  g_task_run_in_thread (task, export_thread);
}

void
obd_report_printer_export_async (ObdReportPrinter    *self,
                                 gint64               session_id,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  ExportJob *job;

  g_return_if_fail (OBD_IS_REPORT_PRINTER (self));
  g_return_if_fail (session_id > 0);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_report_printer_export_async);
  job = g_new0 (ExportJob, 1);
  job->file = g_object_ref (file);
  job->paper = obd_report_printer_get_paper (self);
  g_task_set_task_data (task, job, export_job_free);
  gather_async (self, session_id, task, on_export_gathered_cb);
}

gboolean
obd_report_printer_export_finish (ObdReportPrinter  *self,
                                  GAsyncResult      *result,
                                  GError           **out_logo_error,
                                  GError           **error)
{
  ExportJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (out_logo_error != NULL && job->logo_error != NULL)
    *out_logo_error = g_error_copy (job->logo_error);
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
obd_report_printer_suggest_name (const char *vehicle,
                                 gint64      started_us)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (started_us / G_USEC_PER_SEC);
  g_autofree char *day = date != NULL ? g_date_time_format (date, "%Y-%m-%d") : NULL;
  /* Translators: the start of a report's file name; keep it one word in
   * lower case without spaces */
  const char *prefix = _("report");
  gboolean dash = TRUE;

  g_string_append (name, prefix);
  /* Letters and digits of the vehicle's name, words joined by hyphens:
   * a name any file system and any mail program takes. */
  for (const char *p = vehicle; p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (dash)
            g_string_append_c (name, '-');
          g_string_append_c (name, g_ascii_tolower (*p));
          dash = FALSE;
        }
      else
        dash = TRUE;
    }
  if (day != NULL)
    g_string_append_printf (name, "-%s", day);
  g_string_append (name, ".pdf");
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* GObject ------------------------------------------------------------------- */

static void
obd_report_printer_dispose (GObject *object)
{
  ObdReportPrinter *self = OBD_REPORT_PRINTER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (obd_report_printer_parent_class)->dispose (object);
}

static void
obd_report_printer_class_init (ObdReportPrinterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = obd_report_printer_dispose;
}

static void
obd_report_printer_init (ObdReportPrinter *self)
{
}

ObdReportPrinter *
obd_report_printer_new (ObdStoreService *store,
                        GSettings       *settings)
{
  ObdReportPrinter *self;

  g_return_val_if_fail (store == NULL || OBD_IS_STORE_SERVICE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (OBD_TYPE_REPORT_PRINTER, NULL);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  return self;
}
