/* obd-codes-page.c — trouble codes per kind, explained, and clearing them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lists follow the session's snapshot.  Explaining a code looks it up
 * in the knowledge base, which loads on first use: the items are made on
 * a worker thread, the rows (templates bound to them) on the main thread.
 */
#define G_LOG_DOMAIN "obd-codes-page"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-code-row.h"
#include "obd-codes-page.h"
#include "obd-guides.h"

struct _ObdCodesPage
{
  ObdPage           parent_instance;

  GCancellable     *cancellable;    /* refresh and clear, cancelled at dispose */
  GCancellable     *building;       /* the items being made */
  guint             busy;
  GListStore       *codes[3];       /* ObdCodeItem, by ObdDtcKind */

  /* Template widgets */
  GtkWidget        *refresh_button;
  GtkWidget        *clear_button;
  GtkSpinner       *spinner;
  GtkStack         *stack;
  GtkWidget        *groups[3];
  GtkListBox       *lists[3];
  GtkWidget        *stored_group;
  GtkWidget        *pending_group;
  GtkWidget        *permanent_group;
  GtkListBox       *stored_list;
  GtkListBox       *pending_list;
  GtkListBox       *permanent_list;
};

G_DEFINE_FINAL_TYPE (ObdCodesPage, obd_codes_page, OBD_TYPE_PAGE)

static void
update_actions (ObdCodesPage *self)
{
  gboolean ready = obd_page_get_connected (OBD_PAGE (self)) && self->busy == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "codes.refresh", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "codes.clear", ready);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
}

/* Items ---------------------------------------------------------------- */

typedef struct
{
  ObdSnapshot   *snapshot;
  ObdUnitSystem  units;
} Build;

static void
build_free (gpointer data)
{
  Build *build = data;

  obd_snapshot_free (build->snapshot);
  g_free (build);
}

static void
build_items_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  Build *build = data;

  g_task_return_pointer (task, obd_code_items_new_for_snapshot (build->snapshot, build->units),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
on_items_built_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  ObdCodesPage *self = OBD_CODES_PAGE (source);
  g_autoptr(GPtrArray) items = g_task_propagate_pointer (G_TASK (result), NULL);
  guint n_codes = 0;

  /* NULL: cancelled, another snapshot came or the page went. */
  if (items == NULL)
    return;

  /* Each code with the guide that fits it best, once the guides are in. */
  for (guint i = 0; obd_guides_peek () != NULL && i < items->len; i++)
    {
      ObdCodeItem *item = g_ptr_array_index (items, i);
      g_autoptr(GPtrArray) guides = obd_guide_library_find_for_code (obd_guides_peek (),
                                                                     obd_code_item_get_code (item));

      if (guides->len > 0)
        obd_code_item_set_guide (item, obd_guide_get_id (g_ptr_array_index (guides, 0)),
                                 obd_guide_gettext (obd_guide_get_title (g_ptr_array_index (guides,
                                                                                            0))));
    }

  for (ObdDtcKind kind = OBD_DTC_KIND_STORED; kind <= OBD_DTC_KIND_PERMANENT; kind++)
    {
      /* Owned: the page fills its lists a few rows a frame. */
      g_autoptr(GPtrArray) of_kind = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < items->len; i++)
        if (obd_code_item_get_kind (g_ptr_array_index (items, i)) == kind)
          g_ptr_array_add (of_kind, g_object_ref (g_ptr_array_index (items, i)));
      obd_page_fill_model (OBD_PAGE (self), self->codes[kind], of_kind);
      gtk_widget_set_visible (self->groups[kind], of_kind->len > 0);
      n_codes += of_kind->len;
    }
  gtk_stack_set_visible_child_name (self->stack, n_codes > 0 ? "codes" : "empty");
}

static void
rebuild (ObdCodesPage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  const ObdSnapshot *snapshot = session != NULL ? obd_session_get_snapshot (session) : NULL;
  g_autoptr(GTask) task = NULL;
  Build *build;

  update_actions (self);
  g_cancellable_cancel (self->building);
  g_clear_object (&self->building);
  if (snapshot == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
      return;
    }

  self->building = g_cancellable_new ();
  build = g_new0 (Build, 1);
  build->snapshot = obd_snapshot_copy (snapshot);
  build->units = obd_page_get_units (OBD_PAGE (self));
  task = g_task_new (self, self->building, on_items_built_cb, NULL);
  g_task_set_task_data (task, build, build_free);
  g_task_run_in_thread (task, build_items_thread);
}

/* Actions ------------------------------------------------------------- */

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ObdCodesPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  /* The page was disposed meanwhile: nothing left to show it in. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!obd_session_refresh_finish (OBD_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    obd_page_report_error (OBD_PAGE (self), _("Could not read the codes"), error);
  update_actions (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ObdCodesPage *self = OBD_CODES_PAGE (widget);
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  if (session == NULL)
    return;

  self->busy++;
  update_actions (self);
  obd_session_refresh_async (session, OBD_SNAPSHOT_DTCS | OBD_SNAPSHOT_FREEZE,
                             self->cancellable, refresh_cb, g_object_ref (self));
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ObdCodesPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  /* The page was disposed meanwhile: nothing left to show it in. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (obd_session_clear_codes_finish (OBD_SESSION (source), result, &error))
    obd_page_show_toast (OBD_PAGE (self), _("Codes cleared"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    obd_page_report_error (OBD_PAGE (self), _("Could not clear the codes"), error);
  update_actions (self);
}

static const char *
get_person_name (void)
{
  const char *name = g_get_real_name ();

  /* GLib answers "Unknown" when the password database has no full name. */
  if (name == NULL || *name == '\0' || g_str_equal (name, "Unknown"))
    name = g_get_user_name ();
  return name;
}

static void
on_clear_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      ObdCodesPage     *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  if (!g_str_equal (response, "clear") || session == NULL)
    return;

  self->busy++;
  update_actions (self);
  obd_session_clear_codes_async (session, get_person_name (), self->cancellable,
                                 clear_cb, g_object_ref (self));
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ObdCodesPage *self = OBD_CODES_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Clear Trouble Codes?"), NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Stored and pending codes are erased in every control unit, "
                                 "together with their freeze frames, and the readiness "
                                 "monitors are reset. The vehicle will need a full drive "
                                 "cycle before it can pass an emissions inspection.\n\n"
                                 "Permanent codes stay until the repair is confirmed."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "clear", _("_Clear"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_clear_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The guides arrived after the codes: explain them again, with guides. */
static void
on_guides_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(ObdGuideLibrary) library = obd_guides_load_finish (result, NULL);
  ObdCodesPage *self = data;

  if (library != NULL)
    rebuild (self);
}

/* GObject ------------------------------------------------------------- */

static void
obd_codes_page_state_changed (ObdPage *page)
{
  ObdCodesPage *self = OBD_CODES_PAGE (page);
  ObdSession *session = obd_page_get_session (page);

  update_actions (self);
  if (session == NULL || obd_session_get_snapshot (session) == NULL)
    gtk_stack_set_visible_child_name (self->stack, "disconnected");
}

static void
obd_codes_page_rebuild (ObdPage *page)
{
  rebuild (OBD_CODES_PAGE (page));
}

static void
obd_codes_page_dispose (GObject *object)
{
  ObdCodesPage *self = OBD_CODES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->building);
  for (guint i = 0; i < G_N_ELEMENTS (self->lists); i++)
    if (self->lists[i] != NULL)
      gtk_list_box_bind_model (self->lists[i], NULL, NULL, NULL, NULL);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_CODES_PAGE);

  G_OBJECT_CLASS (obd_codes_page_parent_class)->dispose (object);
}

static void
obd_codes_page_finalize (GObject *object)
{
  ObdCodesPage *self = OBD_CODES_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->building);
  for (guint i = 0; i < G_N_ELEMENTS (self->codes); i++)
    g_clear_object (&self->codes[i]);

  G_OBJECT_CLASS (obd_codes_page_parent_class)->finalize (object);
}

static void
obd_codes_page_class_init (ObdCodesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->dispose = obd_codes_page_dispose;
  object_class->finalize = obd_codes_page_finalize;
  page_class->disconnected_description = N_("Connect to a vehicle to read its trouble codes.");
  page_class->session_changed = obd_codes_page_rebuild;
  page_class->units_changed = obd_codes_page_rebuild;
  page_class->state_changed = obd_codes_page_state_changed;

  gtk_widget_class_install_action (widget_class, "codes.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "codes.clear", NULL, clear_action);

  g_type_ensure (OBD_TYPE_CODE_ITEM);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-codes-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, clear_button);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, stored_group);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, pending_group);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, permanent_group);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, stored_list);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, pending_list);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, permanent_list);
}

static void
obd_codes_page_init (ObdCodesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->groups[OBD_DTC_KIND_STORED] = self->stored_group;
  self->groups[OBD_DTC_KIND_PENDING] = self->pending_group;
  self->groups[OBD_DTC_KIND_PERMANENT] = self->permanent_group;
  self->lists[OBD_DTC_KIND_STORED] = self->stored_list;
  self->lists[OBD_DTC_KIND_PENDING] = self->pending_list;
  self->lists[OBD_DTC_KIND_PERMANENT] = self->permanent_list;
  for (guint i = 0; i < G_N_ELEMENTS (self->codes); i++)
    {
      self->codes[i] = g_list_store_new (OBD_TYPE_CODE_ITEM);
      gtk_list_box_bind_model (self->lists[i], G_LIST_MODEL (self->codes[i]), obd_code_row_new,
                               NULL, NULL);
    }

  g_signal_group_connect_object (obd_page_get_session_signals (OBD_PAGE (self)),
                                 "notify::snapshot", G_CALLBACK (rebuild), self,
                                 G_CONNECT_SWAPPED);
  if (obd_guides_peek () == NULL)
    obd_guides_load_async (self->cancellable, on_guides_loaded_cb, self);
}

GtkWidget *
obd_codes_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_CODES_PAGE, "session", session, NULL);
}
