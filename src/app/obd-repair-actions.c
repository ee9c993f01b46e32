/* obd-repair-actions.c — the window's guided-repair and report actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-guide-page.h"
#include "obd-guides.h"
#include "obd-page.h"
#include "obd-repair-actions.h"
#include "obd-store-guide.h"

struct _ObdRepairActions
{
  GSimpleActionGroup  parent_instance;

  ObdWindow          *window;          /* borrowed: it owns us */
  ObdSession         *session;
  GSettings          *settings;
  ObdReportPrinter   *printer;
  GCancellable       *cancellable;     /* cancelled at shutdown */
  GCancellable       *query;           /* the banner's store read */
  GSignalGroup       *session_signals;
  GSignalGroup       *store_signals;
  char               *view;
  char               *page;

  GtkWidget          *banner;          /* GtkRevealer */
  GtkLabel           *banner_label;
  GtkButton          *banner_button;
  guint               n_unfinished;
  gint64              unfinished_id;
};

G_DEFINE_FINAL_TYPE (ObdRepairActions, obd_repair_actions, G_TYPE_SIMPLE_ACTION_GROUP)

static void
toast (ObdRepairActions *self,
       const char       *text,
       const char       *button,
       const char       *uri)
{
  g_autofree char *escaped = NULL;
  AdwToast *t;

  if (self->window == NULL)
    {
      g_message ("%s", text);
      return;
    }
  /* libadwaita 1.2 reads a toast's title as Pango markup. */
  escaped = g_markup_escape_text (text, -1);
  t = adw_toast_new (escaped);
  adw_toast_set_timeout (t, 10);
  if (button != NULL && uri != NULL)
    {
      adw_toast_set_button_label (t, button);
      adw_toast_set_action_name (t, "repair.open-file");
      adw_toast_set_action_target_value (t, g_variant_new_string (uri));
    }
  obd_window_add_toast (self->window, t);
}

static void
report_error (ObdRepairActions *self,
              const char       *what,
              const GError     *error)
{
  g_autofree char *text = obd_page_describe_error (what, error);

  g_info ("%s", text);
  toast (self, text, NULL, NULL);
}

/* Guides -------------------------------------------------------------------- */

static ObdGuidePage *
show_guide_page (ObdRepairActions *self)
{
  GtkWidget *page;

  if (self->window == NULL)
    return NULL;
  obd_window_show_page (self->window, "repair");
  page = obd_window_get_page (self->window, "repair");
  if (!OBD_IS_GUIDE_PAGE (page))
    {
      toast (self, _("Guided repair is part of the mechanic’s and the owner’s views. Change "
                     "the role in Preferences to use it."), NULL, NULL);
      return NULL;
    }
  return OBD_GUIDE_PAGE (page);
}

static void
start_guide_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       data)
{
  ObdRepairActions *self = data;
  const char *guide, *reason;
  ObdGuidePage *page;

  g_variant_get (parameter, "(&s&s)", &guide, &reason);
  page = show_guide_page (self);
  if (page != NULL)
    obd_guide_page_start (page, guide, *reason != '\0' ? reason : NULL);
}

static void
resume_guide_activated_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       data)
{
  ObdRepairActions *self = data;
  gint64 run_id = g_variant_get_int64 (parameter);
  ObdGuidePage *page;

  if (run_id <= 0)
    return;
  page = show_guide_page (self);
  if (page != NULL)
    obd_guide_page_resume (page, run_id);
}

/* Reports ------------------------------------------------------------------- */

typedef struct
{
  ObdRepairActions *self;
  gint64            session_id;
  gboolean          export;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->self);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
on_printed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(ObdRepairActions) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) logo_error = NULL;

  if (!obd_report_printer_print_finish (OBD_REPORT_PRINTER (source), result, &logo_error,
                                        &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_error (self, _("The report was not printed"), error);
      return;
    }
  if (logo_error != NULL)
    report_error (self, _("The report was printed without the workshop’s logo"), logo_error);
}

typedef struct
{
  ObdRepairActions *self;
  GFile            *file;
} Export;

static void
export_free (Export *export)
{
  g_object_unref (export->self);
  g_object_unref (export->file);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(Export) export = data;
  ObdRepairActions *self = export->self;
  GFile *file = export->file;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) logo_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;

  if (!obd_report_printer_export_finish (OBD_REPORT_PRINTER (source), result, &logo_error,
                                         &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_error (self, _("The report was not saved"), error);
      return;
    }
  if (logo_error != NULL)
    report_error (self, _("The report was saved without the workshop’s logo"), logo_error);
  name = g_file_get_basename (file);
  uri = g_file_get_uri (file);
  /* Translators: %s is a file name */
  text = g_strdup_printf (_("The report is saved as “%s”."), name);
  toast (self, text, _("_Open"), uri);
}

static void
export_to (ObdRepairActions *self,
           gint64            session_id,
           GFile            *file)
{
  Export *export = g_new0 (Export, 1);

  export->self = g_object_ref (self);
  export->file = g_object_ref (file);
  obd_report_printer_export_async (self->printer, session_id, file, self->cancellable,
                                   on_exported_cb, export);
}

static void
on_chooser_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        gpointer         data)
{
  g_autoptr(Request) request = data;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (file == NULL || request->self->printer == NULL)
    return;
  export_to (request->self, request->session_id, file);
}

static gpointer
get_session_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return obd_store_get_session (store, *(gint64 *) data, error);
}

static void
on_session_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(Request) request = data;
  ObdRepairActions *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreSession) session = obd_store_service_run_finish (OBD_STORE_SERVICE (source),
                                                                     result, &error);
  g_autofree char *name = NULL;
  g_autoptr(GtkFileFilter) filter = NULL;
  GtkFileChooserNative *chooser;
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (session == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_error (self, _("The report was not saved"), error);
      return;
    }
  if (self->window == NULL)
    return;

  name = obd_report_printer_suggest_name (session->vehicle_name, session->started_us);
  chooser = gtk_file_chooser_native_new (_("Export the Report"), GTK_WINDOW (self->window),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (documents);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response_cb),
                    g_steal_pointer (&request));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The session is sealed (or was never being recorded): print or export. */
static void
proceed (Request *request)   /* taken */
{
  ObdRepairActions *self = request->self;
  ObdStoreService *store = self->session != NULL ? obd_session_get_store (self->session) : NULL;

  if (self->printer == NULL || store == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                                     _("There is no local history."));

      report_error (self, _("There is no report to make"), error);
      request_free (request);
      return;
    }
  if (!request->export)
    {
      obd_report_printer_print_async (self->printer, request->session_id,
                                      GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL,
                                      self->window != NULL ? GTK_WINDOW (self->window) : NULL,
                                      self->cancellable, on_printed_cb, g_object_ref (self));
      request_free (request);
      return;
    }
  obd_store_service_run_async (store, get_session_job,
                               g_memdup2 (&request->session_id, sizeof (gint64)), g_free,
                               (GDestroyNotify) obd_store_session_free, G_PRIORITY_HIGH,
                               self->cancellable, on_session_read_cb, request);
}

static void
on_recording_stopped_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  Request *request = data;
  g_autoptr(GError) error = NULL;

  /* A recording that did not stop cleanly is still on the report, just
   * without a verification code: say so and go on. */
  if (!obd_session_stop_recording_finish (OBD_SESSION (source), result, &error))
    report_error (request->self, _("The recording of this visit did not stop cleanly"), error);
  proceed (request);
}

static void
report (ObdRepairActions *self,
        gint64            session_id,
        gboolean          export)
{
  Request *request;

  if (session_id <= 0)
    return;
  request = g_new0 (Request, 1);
  request->self = g_object_ref (self);
  request->session_id = session_id;
  request->export = export;

  if (self->session != NULL && obd_session_get_recording (self->session) &&
      obd_recording_get_session_id (obd_session_get_recorder (self->session)) == session_id)
    {
      toast (self, _("Recording stopped: the report covers the visit up to now."), NULL, NULL);
      obd_session_stop_recording_async (self->session, self->cancellable,
                                        on_recording_stopped_cb, request);
      return;
    }
  proceed (request);
}

static void
print_report_activated_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       data)
{
  report (data, g_variant_get_int64 (parameter), FALSE);
}

static void
export_report_activated_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       data)
{
  report (data, g_variant_get_int64 (parameter), TRUE);
}

static void
on_file_shown_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(ObdRepairActions) self = data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report_error (self, _("The file could not be opened. Open it from the file manager"), error);
}

static void
open_file_activated_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       data)
{
  ObdRepairActions *self = data;

  if (self->window != NULL)
    gtk_show_uri_full (GTK_WINDOW (self->window), g_variant_get_string (parameter, NULL),
                       GDK_CURRENT_TIME, NULL, on_file_shown_cb, g_object_ref (self));
}

/* The banner ------------------------------------------------------------------ */

static void
update_banner (ObdRepairActions *self)
{
  gboolean role = g_strcmp0 (self->view, "mechanic") == 0 || g_strcmp0 (self->view, "owner") == 0;

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->banner),
                                 role && self->n_unfinished > 0 &&
                                 g_strcmp0 (self->page, "repair") != 0);
}

static void
on_unfinished_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(ObdRepairActions) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result,
                                                            &error);
  g_autofree char *text = NULL;

  /* A history that cannot be read has its own banner. */
  if (runs == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->n_unfinished = 0;
          update_banner (self);
        }
      return;
    }
  self->n_unfinished = runs->len;
  if (runs->len == 1)
    {
      const ObdStoreGuideRun *run = g_ptr_array_index (runs, 0);

      self->unfinished_id = run->id;
      /* Translators: %s is a guide's title, %u the step where it stopped */
      text = g_strdup_printf (_("The guided repair “%s” is not finished: it stopped at step %u."),
                              g_dgettext (GETTEXT_PACKAGE, run->guide_title), run->n_steps + 1);
      gtk_button_set_label (self->banner_button, _("_Continue"));
      /* The target before the name: an action helper checks them at once. */
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), NULL);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->banner_button), "x", run->id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), "repair.resume-guide");
    }
  else if (runs->len > 1)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u guided repair of this car is not finished.",
                                           "%u guided repairs of this car are not finished.",
                                           runs->len), runs->len);
      gtk_button_set_label (self->banner_button, _("_Show Them"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), NULL);
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->banner_button), NULL);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), "repair.show-guides");
    }
  if (text != NULL)
    {
      gtk_label_set_label (self->banner_label, text);
      /* One clean name for the button (GTK 4.8 doubles a labelled one's). */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->banner_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      runs->len == 1 ? _("Continue the guided repair")
                                                     : _("Show the unfinished guided repairs"),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
    }
  update_banner (self);
}

static void
query_unfinished (ObdRepairActions *self)
{
  ObdStoreService *store = self->session != NULL ? obd_session_get_store (self->session) : NULL;
  gint64 vehicle_id = self->session != NULL ? obd_session_get_vehicle_id (self->session) : 0;

  g_cancellable_cancel (self->query);
  g_clear_object (&self->query);
  /* Runs are the car's: with no car known there is nothing to offer. */
  if (store == NULL || vehicle_id == 0 ||
      obd_store_service_get_state (store) != OBD_STORE_SERVICE_OPEN)
    {
      self->n_unfinished = 0;
      update_banner (self);
      return;
    }
  self->query = g_cancellable_new ();
  obd_store_service_run_async (store, obd_guides_list_unfinished_job, g_memdup2 (&vehicle_id, sizeof vehicle_id),
                               g_free, (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_LOW,
                               self->query, on_unfinished_cb, g_object_ref (self));
}

static void
on_store_changed_cb (ObdRepairActions *self,
                     const char       *what,
                     gint64            vehicle_id)
{
  if (g_str_equal (what, "guide"))
    query_unfinished (self);
}

static void
show_guides_activated_cb (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       data)
{
  show_guide_page (data);
}

static GtkWidget *
banner_new (ObdRepairActions *self)
{
  GtkWidget *revealer = gtk_revealer_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("applications-engineering-symbolic");
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Continue"));

  gtk_revealer_set_transition_type (GTK_REVEALER (revealer),
                                    GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_widget_add_css_class (box, "obd-banner");
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  gtk_revealer_set_child (GTK_REVEALER (revealer), box);
  self->banner_label = GTK_LABEL (label);
  self->banner_button = GTK_BUTTON (button);
  return revealer;
}

/* GObject ------------------------------------------------------------------------ */

static const GActionEntry actions[] = {
  { "start-guide", start_guide_activated_cb, "(ss)" },
  { "resume-guide", resume_guide_activated_cb, "x" },
  { "show-guides", show_guides_activated_cb },
  { "print-report", print_report_activated_cb, "x" },
  { "export-report", export_report_activated_cb, "x" },
  { "open-file", open_file_activated_cb, "s" },
};

static void
obd_repair_actions_dispose (GObject *object)
{
  ObdRepairActions *self = OBD_REPAIR_ACTIONS (object);

  obd_repair_actions_shutdown (self);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->printer);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->query);
  g_clear_object (&self->banner);

  G_OBJECT_CLASS (obd_repair_actions_parent_class)->dispose (object);
}

static void
obd_repair_actions_finalize (GObject *object)
{
  ObdRepairActions *self = OBD_REPAIR_ACTIONS (object);

  g_free (self->view);
  g_free (self->page);

  G_OBJECT_CLASS (obd_repair_actions_parent_class)->finalize (object);
}

static void
obd_repair_actions_class_init (ObdRepairActionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_repair_actions_dispose;
  object_class->finalize = obd_repair_actions_finalize;
}

static void
obd_repair_actions_init (ObdRepairActions *self)
{
  self->cancellable = g_cancellable_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-id",
                                  G_CALLBACK (query_unfinished), self);
  self->store_signals = g_signal_group_new (OBD_TYPE_STORE_SERVICE);
  g_signal_group_connect_swapped (self->store_signals, "changed",
                                  G_CALLBACK (on_store_changed_cb), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::state",
                                  G_CALLBACK (query_unfinished), self);
}

ObdRepairActions *
obd_repair_actions_new (ObdWindow  *window,
                        ObdSession *session,
                        GSettings  *settings)
{
  ObdRepairActions *self;
  ObdStoreService *store;

  g_return_val_if_fail (OBD_IS_WINDOW (window), NULL);
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (OBD_TYPE_REPAIR_ACTIONS, NULL);
  self->window = window;
  self->session = session != NULL ? g_object_ref (session) : NULL;
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  store = session != NULL ? obd_session_get_store (session) : NULL;
  self->printer = obd_report_printer_new (store, settings);
  self->banner = g_object_ref_sink (banner_new (self));
  g_signal_group_set_target (self->session_signals, session);
  g_signal_group_set_target (self->store_signals, store);
  query_unfinished (self);
  return self;
}

GtkWidget *
obd_repair_actions_get_banner (ObdRepairActions *self)
{
  g_return_val_if_fail (OBD_IS_REPAIR_ACTIONS (self), NULL);

  return self->banner;
}

void
obd_repair_actions_set_view (ObdRepairActions *self,
                             const char       *view,
                             const char       *page)
{
  g_return_if_fail (OBD_IS_REPAIR_ACTIONS (self));

  g_free (self->view);
  g_free (self->page);
  self->view = g_strdup (view);
  self->page = g_strdup (page);
  update_banner (self);
}

ObdReportPrinter *
obd_repair_actions_get_printer (ObdRepairActions *self)
{
  g_return_val_if_fail (OBD_IS_REPAIR_ACTIONS (self), NULL);

  return self->printer;
}

void
obd_repair_actions_shutdown (ObdRepairActions *self)
{
  g_return_if_fail (OBD_IS_REPAIR_ACTIONS (self));

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->query);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  self->window = NULL;
}
