/* obd-room-window.c — the mechanic's side of a remote-expert session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-clamp.h"
#include "obd-room-panel.h"
#include "obd-room-window.h"

struct _ObdRoomWindow
{
  AdwWindow       parent_instance;

  ObdSyncManager *sync;
  ObdRoom        *room;
  gboolean        ending;
  guint           expiry_source;

  GtkLabel       *code_label;
  GtkLabel       *code_hint;
  GtkWidget      *code_box;
  GtkLabel       *share_label;
  GtkLabel       *closed_label;
  ObdRoomPanel   *panel;
  GtkButton      *end_button;
};

G_DEFINE_FINAL_TYPE (ObdRoomWindow, obd_room_window, ADW_TYPE_WINDOW)

static void
update (ObdRoomWindow *self)
{
  gboolean open = obd_room_get_open (self->room);
  gboolean expired = g_get_real_time () >= obd_room_get_expires_at (self->room);
  g_autofree char *hint = NULL;

  if (obd_room_get_watching (self->room) > 0)
    hint = g_strdup (_("The expert has joined; the code is used up."));
  else if (expired)
    hint = g_strdup (_("This code has expired. End the session and invite the expert again."));
  else
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (
        obd_room_get_expires_at (self->room) / G_USEC_PER_SEC);
      g_autofree char *time = g_date_time_format (until, "%H:%M");

      /* Translators: %s is a time of day, "10:42" */
      hint = g_strdup_printf (_("Read this code to the expert. It works once, until %s."), time);
    }
  gtk_label_set_label (self->code_hint, hint);
  gtk_widget_set_visible (self->code_box, open);
  gtk_label_set_label (self->share_label, obd_sync_manager_get_share_status (self->sync));
  gtk_widget_set_visible (GTK_WIDGET (self->share_label), open);
  gtk_widget_set_visible (GTK_WIDGET (self->closed_label), !open);
  if (!open)
    gtk_label_set_label (self->closed_label, obd_room_get_closed_reason (self->room));
  gtk_button_set_label (self->end_button, open ? _("_End Session") : _("_Close"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->end_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  open ? _("End the session for everyone") : _("Close"), -1);
  gtk_widget_remove_css_class (GTK_WIDGET (self->end_button), "destructive-action");
  if (open)
    gtk_widget_add_css_class (GTK_WIDGET (self->end_button), "destructive-action");
  gtk_widget_set_sensitive (GTK_WIDGET (self->end_button), !self->ending);
}

static gboolean
on_expired_cb (gpointer data)
{
  ObdRoomWindow *self = data;

  self->expiry_source = 0;
  update (self);
  return G_SOURCE_REMOVE;
}

static void
on_ended_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(ObdRoomWindow) self = data;
  g_autoptr(GError) error = NULL;

  self->ending = FALSE;
  if (!obd_room_end_finish (OBD_ROOM (source), result, &error))
    {
      gtk_label_set_label (self->closed_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->closed_label), TRUE);
    }
  update (self);
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ObdRoomWindow *self = OBD_ROOM_WINDOW (widget);

  if (!obd_room_get_open (self->room))
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  if (self->ending)
    return;
  self->ending = TRUE;
  update (self);
  obd_room_end_async (self->room, NULL, on_ended_cb, g_object_ref (self));
}

static void
copy_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ObdRoomWindow *self = OBD_ROOM_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), obd_room_get_code (self->room));
}

ObdRoom *
obd_room_window_get_room (ObdRoomWindow *self)
{
  g_return_val_if_fail (OBD_IS_ROOM_WINDOW (self), NULL);
  return self->room;
}

static void
obd_room_window_dispose (GObject *object)
{
  ObdRoomWindow *self = OBD_ROOM_WINDOW (object);

  g_clear_handle_id (&self->expiry_source, g_source_remove);
  if (self->room != NULL)
    g_signal_handlers_disconnect_by_data (self->room, self);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_ROOM_WINDOW);
  g_clear_object (&self->room);
  g_clear_object (&self->sync);

  G_OBJECT_CLASS (obd_room_window_parent_class)->dispose (object);
}

static void
obd_room_window_class_init (ObdRoomWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_room_window_dispose;

  g_type_ensure (OBD_TYPE_ROOM_PANEL);
  g_type_ensure (OBD_TYPE_CLAMP);
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-room-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, code_label);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, code_hint);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, code_box);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, share_label);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, closed_label);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, panel);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomWindow, end_button);

  gtk_widget_class_install_action (widget_class, "room.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "room.copy-code", NULL, copy_code_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
obd_room_window_init (ObdRoomWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_room_window_new (ObdSyncManager *sync,
                     ObdRoom        *room)
{
  ObdRoomWindow *self;
  g_autofree char *spoken = NULL;
  gint64 until;

  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (sync), NULL);
  g_return_val_if_fail (OBD_IS_ROOM (room), NULL);

  self = g_object_new (OBD_TYPE_ROOM_WINDOW, NULL);
  self->sync = g_object_ref (sync);
  self->room = g_object_ref (room);
  gtk_label_set_label (self->code_label, obd_room_get_code (room));
  /* Translators: the accessible name of the code, read out letter by letter */
  spoken = g_strdup_printf (_("Invitation code %s"), obd_room_get_code (room));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  obd_room_panel_set_room (self->panel, room);
  g_signal_connect_object (room, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sync, "notify::share-status", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  until = (obd_room_get_expires_at (room) - g_get_real_time ()) / 1000;
  if (until > 0 && until < G_MAXUINT)
    self->expiry_source = g_timeout_add ((guint) until + 1, on_expired_cb, self);
  update (self);
  return GTK_WIDGET (self);
}
