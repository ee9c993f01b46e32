/* obd-sync-preferences-page.c — the sync server, the account, live sharing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token entry is emptied once the token is saved: it is never shown
 * again, and never read back from where it is kept.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-sync-preferences-page.h"

struct _ObdSyncPreferencesPage
{
  AdwPreferencesPage  parent_instance;

  ObdSyncManager     *sync;
  GCancellable       *connecting;
  char               *result;       /* how the last Connect went, NULL when it worked */
  char               *status;
  char               *status_detail;

  GtkSpinner         *spinner;
  AdwEntryRow        *url_row;
  AdwEntryRow        *token_row;
  AdwActionRow       *status_row;
  GtkImage           *status_icon;
  AdwActionRow       *user_row;
  AdwActionRow       *role_row;
  AdwActionRow       *organisation_row;
  GtkSwitch          *share_switch;
  AdwActionRow       *share_status_row;
  GtkWidget          *stop_group;
};

G_DEFINE_FINAL_TYPE (ObdSyncPreferencesPage, obd_sync_preferences_page,
                     ADW_TYPE_PREFERENCES_PAGE)

static void
set_row (AdwActionRow *row,
         const char   *value)
{
  gtk_widget_set_visible (GTK_WIDGET (row), value != NULL && *value != '\0');
  adw_action_row_set_subtitle (row, value != NULL ? value : "");
}

static void
update (ObdSyncPreferencesPage *self)
{
  ObdSyncState state = obd_sync_manager_get_state (self->sync);
  const char *url = obd_sync_manager_get_server_url (self->sync);
  const char *error = obd_sync_manager_get_last_error (self->sync);
  const char *role = obd_sync_manager_get_role (self->sync);
  gboolean busy = self->connecting != NULL;
  gboolean signed_in = state == OBD_SYNC_STATE_SYNCED || state == OBD_SYNC_STATE_SYNCING;
  const char *icon;
  g_autofree char *title = NULL;
  const char *detail;

  if (busy)
    {
      title = g_strdup (_("Connecting…"));
      detail = _("Saving the token and signing in.");
      icon = "emblem-synchronizing-symbolic";
    }
  else if (url == NULL)
    {
      title = g_strdup (_("Not set up"));
      detail = _("Enter the server’s address and your access token, then press Connect.");
      icon = "network-offline-symbolic";
    }
  else if (state == OBD_SYNC_STATE_DISABLED)
    {
      title = g_strdup (_("Syncing is off on this PC"));
      detail = _("Changes wait on this PC. Press Connect to sync again.");
      icon = "network-offline-symbolic";
    }
  else
    {
      title = obd_sync_manager_dup_state_text (self->sync);
      detail = error != NULL ? error
               : signed_in ? _("Signed in. Changes go to the server as they are made.")
               : _("The server has not answered yet. Changes wait on this PC.");
      icon = state == OBD_SYNC_STATE_ERROR ? "dialog-warning-symbolic"
             : signed_in ? "emblem-ok-symbolic" : "network-offline-symbolic";
    }

  /* How the last Connect went, until it is no longer true. */
  if (!busy && !signed_in && self->result != NULL)
    {
      detail = self->result;
      icon = "dialog-warning-symbolic";
    }

  g_free (self->status);
  self->status = g_steal_pointer (&title);
  g_free (self->status_detail);
  self->status_detail = g_strdup (detail);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), self->status);
  adw_action_row_set_subtitle (self->status_row, self->status_detail);
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  if ((state == OBD_SYNC_STATE_ERROR || (self->result != NULL && !signed_in)) && !busy)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "error");
  else if (signed_in && !busy)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "success");

  /* Who this PC is signed in as, while that is true. */
  if (state == OBD_SYNC_STATE_ERROR || url == NULL)
    role = NULL;
  set_row (self->user_row, role != NULL ? obd_sync_manager_get_user_name (self->sync) : NULL);
  set_row (self->role_row, role != NULL ? obd_sync_manager_get_role_label (role) : NULL);
  set_row (self->organisation_row,
           role != NULL ? obd_sync_manager_get_organisation_name (self->sync) : NULL);
  adw_action_row_set_subtitle (self->share_status_row,
                               obd_sync_manager_get_share_status (self->sync));

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync-page.connect", !busy);
  gtk_widget_set_visible (self->stop_group, url != NULL && state != OBD_SYNC_STATE_DISABLED);
}

/* Connecting --------------------------------------------------------------- */

static void
set_result (ObdSyncPreferencesPage *self,
            const char             *result)
{
  g_free (self->result);
  self->result = g_strdup (result);
}

static void
on_configured_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(ObdSyncPreferencesPage) self = data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->connecting);
  if (!obd_sync_manager_configure_finish (OBD_SYNC_MANAGER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_result (self, error->message);
      /* A token the server refused or that is malformed stays in the
       * entry to be corrected; anything else was saved. */
      if (!g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN)
          && !g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_SERVER)
          && !g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_AUTH_FAILED))
        gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
    }
  else
    {
      set_result (self, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
    }
  update (self);
}

void
obd_sync_preferences_page_connect (ObdSyncPreferencesPage *self)
{
  const char *url, *token, *current;
  g_autofree char *clean_url = NULL;

  g_return_if_fail (OBD_IS_SYNC_PREFERENCES_PAGE (self));

  if (self->connecting != NULL)
    return;
  url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  clean_url = g_strstrip (g_strdup (url));
  current = obd_sync_manager_get_server_url (self->sync);

  if (*token == '\0')
    {
      /* The same server with the token already saved: sync again. */
      if (current != NULL && g_str_equal (clean_url, current))
        {
          set_result (self, NULL);
          if (obd_sync_manager_get_state (self->sync) == OBD_SYNC_STATE_DISABLED)
            obd_sync_manager_resume_syncing (self->sync);
          else
            obd_sync_manager_sync_now (self->sync);
        }
      else
        set_result (self, _("Paste the access token for this server: the shop’s administrator "
                            "makes one with “obd2-syncd admin create-token”."));
      update (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
      return;
    }
  self->connecting = g_cancellable_new ();
  set_result (self, NULL);
  obd_sync_manager_configure_async (self->sync, clean_url, token, self->connecting,
                                    on_configured_cb, g_object_ref (self));
  update (self);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  obd_sync_preferences_page_connect (OBD_SYNC_PREFERENCES_PAGE (widget));
}

static void
on_entry_activated_cb (ObdSyncPreferencesPage *self)
{
  obd_sync_preferences_page_connect (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdSyncPreferencesPage *self = OBD_SYNC_PREFERENCES_PAGE (widget);

  obd_sync_manager_stop_syncing (self->sync);
  set_result (self, NULL);
  update (self);
}

/* Public ------------------------------------------------------------------ */

gboolean
obd_sync_preferences_page_get_busy (ObdSyncPreferencesPage *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_PREFERENCES_PAGE (self), FALSE);
  return self->connecting != NULL;
}

const char *
obd_sync_preferences_page_get_status (ObdSyncPreferencesPage *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_PREFERENCES_PAGE (self), NULL);
  return self->status;
}

const char *
obd_sync_preferences_page_get_status_detail (ObdSyncPreferencesPage *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_PREFERENCES_PAGE (self), NULL);
  return self->status_detail;
}

/* GObject ------------------------------------------------------------------ */

static void
obd_sync_preferences_page_dispose (GObject *object)
{
  ObdSyncPreferencesPage *self = OBD_SYNC_PREFERENCES_PAGE (object);

  /* The configuring goes on: closing the window does not undo it. */
  g_clear_object (&self->connecting);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_SYNC_PREFERENCES_PAGE);
  g_clear_object (&self->sync);

  G_OBJECT_CLASS (obd_sync_preferences_page_parent_class)->dispose (object);
}

static void
obd_sync_preferences_page_finalize (GObject *object)
{
  ObdSyncPreferencesPage *self = OBD_SYNC_PREFERENCES_PAGE (object);

  g_free (self->result);
  g_free (self->status);
  g_free (self->status_detail);

  G_OBJECT_CLASS (obd_sync_preferences_page_parent_class)->finalize (object);
}

static void
obd_sync_preferences_page_class_init (ObdSyncPreferencesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_sync_preferences_page_dispose;
  object_class->finalize = obd_sync_preferences_page_finalize;

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-sync-preferences-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, role_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage,
                                        organisation_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, share_switch);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage,
                                        share_status_row);
  gtk_widget_class_bind_template_child (widget_class, ObdSyncPreferencesPage, stop_group);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "sync-page.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "sync-page.stop", NULL, stop_action);
}

static void
obd_sync_preferences_page_init (ObdSyncPreferencesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_sync_preferences_page_new (ObdSyncManager *sync)
{
  ObdSyncPreferencesPage *self;
  const char *url;

  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (sync), NULL);

  self = g_object_new (OBD_TYPE_SYNC_PREFERENCES_PAGE, NULL);
  self->sync = g_object_ref (sync);
  url = obd_sync_manager_get_server_url (sync);
  if (url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  g_object_bind_property (sync, "share-live", self->share_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (sync, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
  return GTK_WIDGET (self);
}
