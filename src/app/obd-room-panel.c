/* obd-room-panel.c — who is in a remote-expert session, and its notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-item-row.h"
#include "obd-room-panel.h"

struct _ObdRoomPanel
{
  AdwBin               parent_instance;

  ObdRoom             *room;
  GSignalGroup        *room_signals;

  AdwPreferencesGroup *presence_group;
  GtkListBox          *members_list;
  GtkListBox          *notes_list;
  AdwEntryRow         *note_entry;
  GtkLabel            *error_label;
};

G_DEFINE_FINAL_TYPE (ObdRoomPanel, obd_room_panel, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_ROOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (ObdRoomPanel *self)
{
  gboolean open = self->room != NULL && obd_room_get_open (self->room);

  adw_preferences_group_set_description (self->presence_group,
                                         self->room != NULL
                                         ? obd_room_get_presence_text (self->room) : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->note_entry), open);
}

void
obd_room_panel_send (ObdRoomPanel *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OBD_IS_ROOM_PANEL (self));

  /* "apply" and "entry-activated" both come for one Enter. */
  if (*stripped == '\0' || self->room == NULL)
    return;
  if (!obd_room_send_note (self->room, stripped, &error))
    {
      /* The text stays in the entry, to send again. */
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
}

static void
on_note_entry_apply_cb (ObdRoomPanel *self)
{
  obd_room_panel_send (self);
}

void
obd_room_panel_set_room (ObdRoomPanel *self,
                         ObdRoom      *room)
{
  g_return_if_fail (OBD_IS_ROOM_PANEL (self));
  g_return_if_fail (room == NULL || OBD_IS_ROOM (room));

  if (!g_set_object (&self->room, room))
    return;
  g_signal_group_set_target (self->room_signals, room);
  gtk_list_box_bind_model (self->members_list, room != NULL ? obd_room_get_members (room) : NULL,
                           obd_item_row_new, NULL, NULL);
  gtk_list_box_bind_model (self->notes_list, room != NULL ? obd_room_get_notes (room) : NULL,
                           obd_item_row_new, NULL, NULL);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM]);
}

ObdRoom *
obd_room_panel_get_room (ObdRoomPanel *self)
{
  g_return_val_if_fail (OBD_IS_ROOM_PANEL (self), NULL);
  return self->room;
}

GtkWidget *
obd_room_panel_new (void)
{
  return g_object_new (OBD_TYPE_ROOM_PANEL, NULL);
}

static void
obd_room_panel_dispose (GObject *object)
{
  ObdRoomPanel *self = OBD_ROOM_PANEL (object);

  if (self->members_list != NULL)
    {
      gtk_list_box_bind_model (self->members_list, NULL, NULL, NULL, NULL);
      gtk_list_box_bind_model (self->notes_list, NULL, NULL, NULL, NULL);
    }
  if (self->room_signals != NULL)
    g_signal_group_set_target (self->room_signals, NULL);
  /* The template's top widget is also the bin's child: out of the bin
   * first, or it would be unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_ROOM_PANEL);
  g_clear_object (&self->room_signals);
  g_clear_object (&self->room);

  G_OBJECT_CLASS (obd_room_panel_parent_class)->dispose (object);
}

static void
obd_room_panel_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdRoomPanel *self = OBD_ROOM_PANEL (object);

  switch (prop_id)
    {
    case PROP_ROOM:
      g_value_set_object (value, self->room);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_room_panel_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdRoomPanel *self = OBD_ROOM_PANEL (object);

  switch (prop_id)
    {
    case PROP_ROOM:
      obd_room_panel_set_room (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_room_panel_class_init (ObdRoomPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_room_panel_dispose;
  object_class->get_property = obd_room_panel_get_property;
  object_class->set_property = obd_room_panel_set_property;

  properties[PROP_ROOM] =
    g_param_spec_object ("room", NULL, NULL, OBD_TYPE_ROOM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-room-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdRoomPanel, presence_group);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomPanel, members_list);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomPanel, notes_list);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomPanel, note_entry);
  gtk_widget_class_bind_template_child (widget_class, ObdRoomPanel, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_note_entry_apply_cb);
}

static void
obd_room_panel_init (ObdRoomPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->room_signals = g_signal_group_new (OBD_TYPE_ROOM);
  g_signal_group_connect_swapped (self->room_signals, "notify::presence-text",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->room_signals, "notify::open", G_CALLBACK (update), self);
  update (self);
}
