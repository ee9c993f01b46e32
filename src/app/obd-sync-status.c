/* obd-sync-status.c — the sync state in the header bar, with its popover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-room-window.h"
#include "obd-sync-status.h"

enum
{
  FACT_SERVER,
  FACT_USER,
  FACT_ROLE,
  FACT_ORGANISATION,
  FACT_LAST_SYNC,
  N_FACTS
};

struct _ObdSyncStatus
{
  AdwBin          parent_instance;

  ObdSyncManager *sync;
  GSignalGroup   *sync_signals;
  GBinding       *share_binding;
  GSignalGroup   *room_signals;
  GCancellable   *inviting;
  GtkWindow      *room_window;     /* weak */
  char           *text;
  GtkLabel       *facts[N_FACTS];

  GtkMenuButton  *button;
  GtkImage       *icon;
  GtkImage       *narrow_icon;
  GtkLabel       *count_label;
  GtkLabel       *label;
  GtkLabel       *watching_label;
  GtkPopover     *popover;
  GtkLabel       *title_label;
  GtkLabel       *detail_label;
  GtkGrid        *facts_grid;
  GtkSwitch      *share_switch;
  GtkLabel       *share_label;
  GtkWidget      *room_box;
  GtkLabel       *room_label;
  GtkLabel       *action_error_label;
  GtkSpinner     *invite_spinner;
};

G_DEFINE_FINAL_TYPE (ObdSyncStatus, obd_sync_status, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
state_icon (ObdSyncState state,
            gint64       pending)
{
  switch (state)
    {
    case OBD_SYNC_STATE_OFFLINE:
      return "network-offline-symbolic";
    case OBD_SYNC_STATE_CONNECTING:
    case OBD_SYNC_STATE_SYNCING:
      return "emblem-synchronizing-symbolic";
    case OBD_SYNC_STATE_SYNCED:
      return pending > 0 ? "emblem-synchronizing-symbolic" : "emblem-ok-symbolic";
    case OBD_SYNC_STATE_ERROR:
      return "dialog-warning-symbolic";
    case OBD_SYNC_STATE_DISABLED:
    default:
      return "network-offline-symbolic";
    }
}

static const char *
state_explanation (ObdSyncState state,
                   gint64       pending)
{
  switch (state)
    {
    case OBD_SYNC_STATE_OFFLINE:
      return _("The server does not answer. Work goes on: changes wait on this PC and are sent "
               "when it answers.");
    case OBD_SYNC_STATE_CONNECTING:
      return _("Connecting to the shop’s server.");
    case OBD_SYNC_STATE_SYNCING:
      return _("Sending this PC’s changes and fetching the other PCs’.");
    case OBD_SYNC_STATE_SYNCED:
      return pending > 0 ? _("The latest changes go to the server in a moment.")
                         : _("Everything recorded on this PC is on the server.");
    case OBD_SYNC_STATE_ERROR:
      return _("Syncing stopped until someone acts.");
    case OBD_SYNC_STATE_DISABLED:
    default:
      return _("This PC does not sync.");
    }
}

static void
set_fact (ObdSyncStatus *self,
          guint          fact,
          const char    *value)
{
  gtk_label_set_text (self->facts[fact], value != NULL && *value != '\0' ? value : "—");
}

static void
update (ObdSyncStatus *self)
{
  ObdSyncState state = self->sync != NULL ? obd_sync_manager_get_state (self->sync)
                                          : OBD_SYNC_STATE_DISABLED;
  gint64 pending = self->sync != NULL ? obd_sync_manager_get_pending_count (self->sync) : 0;
  const char *error = self->sync != NULL ? obd_sync_manager_get_last_error (self->sync) : NULL;
  const char *role = self->sync != NULL ? obd_sync_manager_get_role (self->sync) : NULL;
  ObdRoom *room = self->sync != NULL ? obd_sync_manager_get_room (self->sync) : NULL;
  gint64 last_sync = self->sync != NULL ? obd_sync_manager_get_last_sync (self->sync) : 0;
  GtkWidget *button = GTK_WIDGET (self->button);
  g_autofree char *last = NULL;
  gboolean may_share;

  g_free (self->text);
  self->text = self->sync != NULL ? obd_sync_manager_dup_state_text (self->sync) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self), state != OBD_SYNC_STATE_DISABLED);

  gtk_image_set_from_icon_name (self->icon, state_icon (state, pending));
  gtk_image_set_from_icon_name (self->narrow_icon, state_icon (state, pending));
  gtk_label_set_label (self->label, self->text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), pending > 0);
  if (pending > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, pending);

      gtk_label_set_label (self->count_label, count);
    }
  gtk_widget_set_tooltip_text (button, self->text);
  gtk_widget_remove_css_class (button, "error");
  gtk_widget_remove_css_class (button, "warning");
  if (state == OBD_SYNC_STATE_ERROR)
    gtk_widget_add_css_class (button, "error");
  else if (state == OBD_SYNC_STATE_OFFLINE && pending > 0)
    gtk_widget_add_css_class (button, "warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Sync with the shop’s server"), -1);

  gtk_label_set_label (self->title_label, self->text);
  gtk_label_set_label (self->detail_label,
                       error != NULL && state != OBD_SYNC_STATE_SYNCED
                       ? error : state_explanation (state, pending));
  set_fact (self, FACT_SERVER, self->sync != NULL ? obd_sync_manager_get_server_url (self->sync)
                                                  : NULL);
  /* After a refusal, whom this PC was signed in as before is no longer
   * true. */
  if (state == OBD_SYNC_STATE_ERROR)
    role = NULL;
  set_fact (self, FACT_USER, self->sync != NULL && state != OBD_SYNC_STATE_ERROR
                             ? obd_sync_manager_get_user_name (self->sync) : NULL);
  set_fact (self, FACT_ROLE, role != NULL ? obd_sync_manager_get_role_label (role) : NULL);
  set_fact (self, FACT_ORGANISATION, self->sync != NULL && state != OBD_SYNC_STATE_ERROR
                                     ? obd_sync_manager_get_organisation_name (self->sync)
                                     : NULL);
  if (last_sync > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (last_sync / G_USEC_PER_SEC);

      /* Translators: when the last sync ended; see g_date_time_format () */
      last = g_date_time_format (dt, _("%-d %b %Y, %H:%M"));
    }
  set_fact (self, FACT_LAST_SYNC, last != NULL ? last : _("Not yet"));

  gtk_label_set_label (self->share_label,
                       self->sync != NULL ? obd_sync_manager_get_share_status (self->sync) : "");
  /* Watchers (fleet managers, owners) have nothing to share. */
  may_share = role == NULL || g_str_equal (role, "mechanic") || g_str_equal (role, "admin");
  gtk_widget_set_sensitive (GTK_WIDGET (self->share_switch), may_share);

  gtk_widget_set_visible (self->room_box, room != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->watching_label), room != NULL);
  if (room != NULL)
    {
      guint watching = obd_room_get_watching (room);
      g_autofree char *pill = g_strdup_printf (
        /* Translators: people watching this PC's expert session */
        g_dngettext (GETTEXT_PACKAGE, "%u watching", "%u watching", watching), watching);

      gtk_label_set_label (self->watching_label, pill);
      gtk_label_set_label (self->room_label, obd_room_get_presence_text (room));
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.sync-now",
                                 state != OBD_SYNC_STATE_DISABLED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.invite",
                                 may_share && room == NULL && self->inviting == NULL
                                 && (state == OBD_SYNC_STATE_SYNCED
                                     || state == OBD_SYNC_STATE_SYNCING));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.show-room", room != NULL);
}

static void
build_facts (ObdSyncStatus *self)
{
  static const char *keys[N_FACTS] = {
    N_("Server"), N_("Signed in as"), N_("Role"), N_("Organisation"), N_("Last synced"),
  };

  for (guint i = 0; i < N_FACTS; i++)
    {
      GtkWidget *key = gtk_label_new (_(keys[i]));
      GtkWidget *value = gtk_label_new ("—");

      gtk_label_set_xalign (GTK_LABEL (key), 1.0);
      gtk_label_set_yalign (GTK_LABEL (key), 0.0);
      gtk_widget_add_css_class (key, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0.0);
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (value), 28);
      gtk_widget_set_hexpand (value, TRUE);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, key, NULL, -1);
      gtk_grid_attach (self->facts_grid, key, 0, i, 1, 1);
      gtk_grid_attach (self->facts_grid, value, 1, i, 1, 1);
      self->facts[i] = GTK_LABEL (value);
    }
}

/* Actions ---------------------------------------------------------------- */

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (widget);

  if (self->sync != NULL)
    obd_sync_manager_sync_now (self->sync);
}

static void
show_room_window (ObdSyncStatus *self,
                  ObdRoom       *room)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->room_window == NULL)
    {
      self->room_window = GTK_WINDOW (obd_room_window_new (self->sync, room));
      g_object_add_weak_pointer (G_OBJECT (self->room_window), (gpointer *) &self->room_window);
      if (GTK_IS_WINDOW (root))
        gtk_window_set_transient_for (self->room_window, GTK_WINDOW (root));
    }
  gtk_popover_popdown (self->popover);
  gtk_window_present (self->room_window);
}

static void
on_room_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(ObdSyncStatus) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRoom) room = obd_sync_manager_open_room_finish (OBD_SYNC_MANAGER (source),
                                                               result, &error);

  g_clear_object (&self->inviting);
  gtk_spinner_set_spinning (self->invite_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->invite_spinner), FALSE);
  if (room == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
        {
          gtk_label_set_label (self->action_error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->action_error_label), TRUE);
        }
      update (self);
      return;
    }
  update (self);
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    show_room_window (self, room);
}

static void
invite_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (widget);

  if (self->sync == NULL || self->inviting != NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->action_error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->invite_spinner), TRUE);
  gtk_spinner_set_spinning (self->invite_spinner, TRUE);
  self->inviting = g_cancellable_new ();
  update (self);
  obd_sync_manager_open_room_async (self->sync, self->inviting, on_room_opened_cb,
                                    g_object_ref (self));
}

static void
show_room_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (widget);
  ObdRoom *room = self->sync != NULL ? obd_sync_manager_get_room (self->sync) : NULL;

  if (room != NULL)
    show_room_window (self, room);
}

/* The room ---------------------------------------------------------------- */

static void
on_room_changed_cb (ObdSyncStatus *self)
{
  ObdRoom *room = self->sync != NULL ? obd_sync_manager_get_room (self->sync) : NULL;

  g_signal_group_set_target (self->room_signals, room);
  update (self);
}

/* Public ------------------------------------------------------------------ */

void
obd_sync_status_set_sync (ObdSyncStatus  *self,
                          ObdSyncManager *sync)
{
  g_return_if_fail (OBD_IS_SYNC_STATUS (self));
  g_return_if_fail (sync == NULL || OBD_IS_SYNC_MANAGER (sync));

  if (self->sync == sync)
    return;
  if (self->inviting != NULL)
    g_cancellable_cancel (self->inviting);
  g_clear_pointer (&self->share_binding, g_binding_unbind);
  g_set_object (&self->sync, sync);
  g_signal_group_set_target (self->sync_signals, sync);
  if (sync != NULL)
    self->share_binding = g_object_bind_property (sync, "share-live", self->share_switch,
                                                  "active",
                                                  G_BINDING_BIDIRECTIONAL
                                                  | G_BINDING_SYNC_CREATE);
  on_room_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

ObdSyncManager *
obd_sync_status_get_sync (ObdSyncStatus *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_STATUS (self), NULL);
  return self->sync;
}

const char *
obd_sync_status_get_text (ObdSyncStatus *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_STATUS (self), NULL);
  return self->text;
}

GtkWindow *
obd_sync_status_get_room_window (ObdSyncStatus *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_STATUS (self), NULL);
  return self->room_window;
}

GtkWidget *
obd_sync_status_new (void)
{
  return g_object_new (OBD_TYPE_SYNC_STATUS, NULL);
}

/* GObject ----------------------------------------------------------------- */

static void
obd_sync_status_dispose (GObject *object)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (object);

  if (self->inviting != NULL)
    g_cancellable_cancel (self->inviting);
  g_clear_object (&self->inviting);
  g_clear_pointer (&self->share_binding, g_binding_unbind);
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  if (self->room_signals != NULL)
    g_signal_group_set_target (self->room_signals, NULL);
  if (self->room_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->room_window),
                                    (gpointer *) &self->room_window);
      gtk_window_destroy (self->room_window);
      self->room_window = NULL;
    }
  /* The template's top widget is also the bin's child: out of the bin
   * first, or it would be unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_SYNC_STATUS);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->room_signals);
  g_clear_object (&self->sync);

  G_OBJECT_CLASS (obd_sync_status_parent_class)->dispose (object);
}

static void
obd_sync_status_finalize (GObject *object)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (object);

  g_free (self->text);

  G_OBJECT_CLASS (obd_sync_status_parent_class)->finalize (object);
}

static void
obd_sync_status_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_sync_status_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ObdSyncStatus *self = OBD_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      obd_sync_status_set_sync (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_sync_status_class_init (ObdSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_sync_status_dispose;
  object_class->finalize = obd_sync_status_finalize;
  object_class->get_property = obd_sync_status_get_property;
  object_class->set_property = obd_sync_status_set_property;

  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL, OBD_TYPE_SYNC_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-sync-status.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, button);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, icon);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, narrow_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, count_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, watching_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, popover);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, title_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, detail_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, facts_grid);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, share_switch);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, share_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, room_box);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, room_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, action_error_label);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncStatus, invite_spinner);

  gtk_widget_class_install_action (widget_class, "sync.sync-now", NULL, sync_now_action);
  gtk_widget_class_install_action (widget_class, "sync.invite", NULL, invite_action);
  gtk_widget_class_install_action (widget_class, "sync.show-room", NULL, show_room_action);
}

static void
obd_sync_status_init (ObdSyncStatus *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_facts (self);

  self->sync_signals = g_signal_group_new (OBD_TYPE_SYNC_MANAGER);
  g_signal_group_connect_swapped (self->sync_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::pending-count",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::last-error",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::last-sync",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::server-url",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::user-name",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::role", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::organisation-name",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::share-status",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::room",
                                  G_CALLBACK (on_room_changed_cb), self);

  self->room_signals = g_signal_group_new (OBD_TYPE_ROOM);
  g_signal_group_connect_swapped (self->room_signals, "notify::watching",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->room_signals, "notify::presence-text",
                                  G_CALLBACK (update), self);
  update (self);
}
