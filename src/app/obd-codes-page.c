/* obd-codes-page.c — trouble codes per kind, explained, and clearing them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is rebuilt from the session's snapshot whenever it changes: a
 * snapshot holds a few dozen codes at most, so rebuilding is cheaper to
 * get right than patching rows in place.
 */
#define G_LOG_DOMAIN "obd-codes-page"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "obd-app-resources.h"
#include "obd-codes-page.h"
#include "obd-dtc-kb.h"
#include "obd-pid.h"

struct _ObdCodesPage
{
  AdwBin            parent_instance;

  ObdSession       *session;
  GSignalGroup     *session_signals;
  GSettings        *settings;
  GCancellable     *cancellable;
  guint             busy;

  /* Template widgets */
  AdwToastOverlay  *toasts;
  GtkWidget        *refresh_button;
  GtkWidget        *clear_button;
  GtkSpinner       *spinner;
  GtkStack         *stack;
  AdwStatusPage    *disconnected_page;
  GtkBox           *groups_box;
};

G_DEFINE_FINAL_TYPE (ObdCodesPage, obd_codes_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Toasts ------------------------------------------------------------- */

/* The window's overlay when there is one, so every page's toasts appear
 * in the same place; the page's own otherwise (a page on its own, tests). */
static void
show_toast (ObdCodesPage *self,
            const char   *text,
            gboolean      is_error)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  GtkWidget *overlay = NULL;
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast;

  if (parent != NULL)
    overlay = gtk_widget_get_ancestor (parent, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    overlay = GTK_WIDGET (self->toasts);

  /* libadwaita 1.2 always reads a toast title as Pango markup. */
  toast = adw_toast_new (escaped);
  if (is_error)
    {
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, 10);
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/* Rows ---------------------------------------------------------------- */

static ObdUnitSystem
get_unit_system (ObdCodesPage *self)
{
  return g_settings_get_enum (self->settings, "units") == 1 ? OBD_UNIT_SYSTEM_US
                                                             : OBD_UNIT_SYSTEM_SI;
}

static GtkWidget *
heading_label_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static GtkWidget *
body_label_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return label;
}

static GtkWidget *
severity_box_new (ObdDtcSeverity severity)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *icon_name;
  const char *tone;

  switch (severity)
    {
    case OBD_DTC_SEVERITY_CRITICAL:
      icon_name = "dialog-error-symbolic";
      tone = "error";
      break;
    case OBD_DTC_SEVERITY_WARNING:
      icon_name = "dialog-warning-symbolic";
      tone = "warning";
      break;
    case OBD_DTC_SEVERITY_INFO:
    default:
      icon_name = "dialog-information-symbolic";
      tone = "dim-label";
      break;
    }

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon_name));
  gtk_box_append (GTK_BOX (box), gtk_label_new (obd_dtc_severity_get_label (severity)));
  gtk_widget_add_css_class (box, tone);
  gtk_widget_add_css_class (box, "obd-severity");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  return box;
}

static gboolean
freeze_frame_belongs_to (const ObdSnapshot *snapshot,
                         const ObdDtc      *dtc)
{
  if (snapshot->freeze_dtc[0] == '\0' || strcmp (snapshot->freeze_dtc, dtc->code) != 0)
    return FALSE;
  /* With headers off the ECU is unknown (0) on one side or both. */
  return snapshot->freeze_ecu == 0 || dtc->ecu == 0 || snapshot->freeze_ecu == dtc->ecu;
}

static GtkWidget *
freeze_frame_new (ObdCodesPage      *self,
                  const ObdSnapshot *snapshot)
{
  ObdUnitSystem system = get_unit_system (self);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *caption;

  gtk_widget_add_css_class (box, "obd-freeze-frame");
  gtk_box_append (GTK_BOX (box), heading_label_new (_("Freeze Frame")));
  caption = body_label_new (_("Conditions when this code was set"));
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (caption, "caption");
  gtk_box_append (GTK_BOX (box), caption);

  for (guint i = 0; snapshot->freeze_values != NULL && i < snapshot->freeze_values->len; i++)
    {
      const ObdValue *value = &g_array_index (snapshot->freeze_values, ObdValue, i);
      const ObdPidInfo *info = obd_pid_lookup (value->pid);
      g_autofree char *text = NULL;
      GtkWidget *line, *name, *reading;

      /* PID 02 is the code itself, and bitmaps say only which PIDs exist. */
      if (value->pid == 0x02 || (info != NULL && info->kind == OBD_PID_KIND_BITMAP))
        continue;

      text = obd_value_format (value, system);
      line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      name = gtk_label_new (obd_value_get_label (value));
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_widget_set_hexpand (name, TRUE);
      reading = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (reading), 1);
      gtk_label_set_wrap (GTK_LABEL (reading), TRUE);
      gtk_label_set_selectable (GTK_LABEL (reading), TRUE);
      gtk_widget_add_css_class (reading, "numeric");
      gtk_box_append (GTK_BOX (line), name);
      gtk_box_append (GTK_BOX (line), reading);
      gtk_box_append (GTK_BOX (box), line);
    }

  return box;
}

static GtkWidget *
code_row_new (ObdCodesPage      *self,
              const ObdSnapshot *snapshot,
              const ObdDtc      *dtc,
              gboolean           with_freeze_frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  ObdDtcInfo info = { 0 };
  GtkWidget *row, *details, *details_row;

  if (!obd_dtc_kb_lookup (dtc->code, &info, &error))
    {
      g_debug ("No knowledge base entry for %s: %s", dtc->code, error->message);
      info.title = _("Unknown code");
      info.severity = OBD_DTC_SEVERITY_WARNING;
      info.system = OBD_DTC_SYSTEM_OTHER;
    }

  row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), dtc->code);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), info.title);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), severity_box_new (info.severity));
  gtk_widget_add_css_class (row, "obd-dtc-row");

  details = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (details, 12);
  gtk_widget_set_margin_bottom (details, 12);
  gtk_widget_set_margin_start (details, 12);
  gtk_widget_set_margin_end (details, 12);

  g_string_append (where, obd_dtc_system_get_label (info.system));
  if (dtc->ecu != 0)
    {
      g_string_append (where, " · ");
      /* Translators: the control unit (ECU) that reported a code, by its
       * bus address in hexadecimal, e.g. "Control unit 7E8" */
      g_string_append_printf (where, _("Control unit %X"), dtc->ecu);
    }
  {
    GtkWidget *label = body_label_new (where->str);

    gtk_widget_add_css_class (label, "dim-label");
    gtk_widget_add_css_class (label, "caption");
    gtk_box_append (GTK_BOX (details), label);
  }

  if (info.explanation != NULL)
    {
      gtk_box_append (GTK_BOX (details), heading_label_new (_("What It Means")));
      gtk_box_append (GTK_BOX (details), body_label_new (info.explanation));
    }
  else if (info.manufacturer_specific)
    gtk_box_append (GTK_BOX (details),
                    body_label_new (_("The vehicle manufacturer defines what this code means. "
                                      "Look it up in the service information for this make.")));
  else
    gtk_box_append (GTK_BOX (details),
                    body_label_new (_("No plain-language explanation is available for this "
                                      "code yet.")));

  if (info.causes != NULL && info.causes[0] != NULL)
    {
      g_autoptr(GString) causes = g_string_new (NULL);

      for (guint i = 0; info.causes[i] != NULL; i++)
        g_string_append_printf (causes, "%s• %s", i > 0 ? "\n" : "", info.causes[i]);
      gtk_box_append (GTK_BOX (details), heading_label_new (_("Likely Causes")));
      gtk_box_append (GTK_BOX (details), body_label_new (causes->str));
    }

  if (with_freeze_frame)
    {
      GtkWidget *frame = freeze_frame_new (self, snapshot);

      gtk_widget_set_margin_top (frame, 6);
      gtk_box_append (GTK_BOX (details), frame);
    }

  details_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (details_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (details_row), details);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), details_row);

  return row;
}

static const char *
kind_title (ObdDtcKind kind)
{
  switch (kind)
    {
    case OBD_DTC_KIND_STORED:
      return _("Stored Codes");
    case OBD_DTC_KIND_PENDING:
      return _("Pending Codes");
    case OBD_DTC_KIND_PERMANENT:
    default:
      return _("Permanent Codes");
    }
}

static const char *
kind_description (ObdDtcKind kind)
{
  switch (kind)
    {
    case OBD_DTC_KIND_STORED:
      return _("Confirmed faults. They can light the malfunction indicator lamp.");
    case OBD_DTC_KIND_PENDING:
      return _("Seen during the current or last drive cycle, not confirmed yet.");
    case OBD_DTC_KIND_PERMANENT:
    default:
      return _("Kept by the control unit until its monitor confirms the repair. "
               "Clearing codes does not remove them.");
    }
}

static void
update_actions (ObdCodesPage *self)
{
  gboolean connected = self->session != NULL &&
                       obd_session_get_state (self->session) == OBD_SESSION_STATE_CONNECTED;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "codes.refresh",
                                 connected && self->busy == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "codes.clear",
                                 connected && self->busy == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
}

/* The status page shown until a snapshot arrives, and the buttons. */
static void
update_status (ObdCodesPage *self)
{
  ObdSessionState state = OBD_SESSION_STATE_DISCONNECTED;

  update_actions (self);

  if (self->session != NULL)
    state = obd_session_get_state (self->session);

  if (state == OBD_SESSION_STATE_DISCONNECTED)
    {
      adw_status_page_set_icon_name (self->disconnected_page, "network-offline-symbolic");
      adw_status_page_set_title (self->disconnected_page, _("Not Connected"));
      adw_status_page_set_description (self->disconnected_page,
                                       _("Connect to a vehicle to read its trouble codes."));
    }
  else
    {
      adw_status_page_set_icon_name (self->disconnected_page, "content-loading-symbolic");
      adw_status_page_set_title (self->disconnected_page, _("Reading the Vehicle…"));
      adw_status_page_set_description (self->disconnected_page,
                                       obd_session_get_status_text (self->session));
    }
}

static void
rebuild (ObdCodesPage *self)
{
  const ObdSnapshot *snapshot = NULL;
  gboolean freeze_shown = FALSE;
  GtkWidget *child;
  guint n_codes = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))) != NULL)
    gtk_box_remove (self->groups_box, child);

  if (self->session != NULL)
    snapshot = obd_session_get_snapshot (self->session);

  update_status (self);
  if (snapshot == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
      return;
    }

  /* Stored first: the freeze frame belongs to the code that set it, which
   * is normally a stored one, and is shown once. */
  for (ObdDtcKind kind = OBD_DTC_KIND_STORED; kind <= OBD_DTC_KIND_PERMANENT; kind++)
    {
      g_autofree char *kind_class = NULL;
      GtkWidget *group = NULL;
      guint n = 0;

      for (guint i = 0; snapshot->dtcs != NULL && i < snapshot->dtcs->len; i++)
        {
          const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);
          gboolean with_freeze;

          if (dtc->kind != kind)
            continue;
          if (group == NULL)
            {
              group = adw_preferences_group_new ();
              adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), kind_title (kind));
              adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                                     kind_description (kind));
              kind_class = g_strconcat ("obd-dtc-", obd_dtc_kind_get_key (kind), NULL);
              gtk_widget_add_css_class (group, kind_class);
              gtk_box_append (self->groups_box, group);
            }
          with_freeze = !freeze_shown && freeze_frame_belongs_to (snapshot, dtc);
          freeze_shown |= with_freeze;
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                     code_row_new (self, snapshot, dtc, with_freeze));
          n++;
        }
      n_codes += n;
    }

  gtk_stack_set_visible_child_name (self->stack, n_codes > 0 ? "codes" : "empty");
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
    {
      /* Translators: %s says why, e.g. "The adapter stopped answering." */
      g_autofree char *text = g_strdup_printf (_("Could not read the codes: %s"),
                                               error->message);
      show_toast (self, text, TRUE);
    }
  update_actions (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ObdCodesPage *self = OBD_CODES_PAGE (widget);

  if (self->session == NULL)
    return;

  self->busy++;
  update_actions (self);
  obd_session_refresh_async (self->session, OBD_SNAPSHOT_DTCS | OBD_SNAPSHOT_FREEZE,
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
    show_toast (self, _("Codes cleared"), FALSE);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: %s says why and what to do, e.g. "The engine control
       * unit refused: switch the engine off, ignition on." */
      g_autofree char *text = g_strdup_printf (_("Could not clear the codes: %s"),
                                               error->message);
      show_toast (self, text, TRUE);
    }
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
  if (!g_str_equal (response, "clear") || self->session == NULL)
    return;

  self->busy++;
  update_actions (self);
  obd_session_clear_codes_async (self->session, get_person_name (), self->cancellable,
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

/* GObject ------------------------------------------------------------- */

/* GTK 4.8: once the page has been taken out of its window, the action
 * helpers of its buttons believe the page's own actions are gone and stay
 * insensitive after it is put back; naming the action again makes them
 * look it up afresh. */
static void
reset_actionables (GtkWidget *widget)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    {
      g_autofree char *name = g_strdup (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (widget), NULL);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (widget), name);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    reset_actionables (child);
}

static void
obd_codes_page_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (obd_codes_page_parent_class)->root (widget);

  reset_actionables (widget);
}

static void
obd_codes_page_dispose (GObject *object)
{
  ObdCodesPage *self = OBD_CODES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  /* The toast overlay is both a template child and AdwBin's child: take
   * it out of the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_CODES_PAGE);

  G_OBJECT_CLASS (obd_codes_page_parent_class)->dispose (object);
}

static void
obd_codes_page_finalize (GObject *object)
{
  ObdCodesPage *self = OBD_CODES_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (obd_codes_page_parent_class)->finalize (object);
}

static void
obd_codes_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdCodesPage *self = OBD_CODES_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_codes_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdCodesPage *self = OBD_CODES_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_codes_page_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_codes_page_class_init (ObdCodesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_codes_page_dispose;
  object_class->finalize = obd_codes_page_finalize;
  object_class->get_property = obd_codes_page_get_property;
  object_class->set_property = obd_codes_page_set_property;
  widget_class->root = obd_codes_page_root;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         OBD_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "codes.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "codes.clear", NULL, clear_action);

  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-codes-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, toasts);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, clear_button);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, disconnected_page);
  gtk_widget_class_bind_template_child (widget_class, ObdCodesPage, groups_box);
}

static void
obd_codes_page_init (ObdCodesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (SCHEMA_ID);
  g_signal_connect_object (self->settings, "changed::units",
                           G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::snapshot",
                                 G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::state",
                                 G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::status-text",
                                 G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);

  rebuild (self);
}

GtkWidget *
obd_codes_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_CODES_PAGE, "session", session, NULL);
}

ObdSession *
obd_codes_page_get_session (ObdCodesPage *self)
{
  g_return_val_if_fail (OBD_IS_CODES_PAGE (self), NULL);

  return self->session;
}

void
obd_codes_page_set_session (ObdCodesPage *self,
                            ObdSession   *session)
{
  g_return_if_fail (OBD_IS_CODES_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
