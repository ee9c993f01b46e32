/* obd-code-row.c — a trouble code in a list: what it means, likely
 * causes, the freeze frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The template binds every text to the item; here only the severity's
 * colour and the lines of the freeze frame, whose number varies.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-code-row.h"

struct _ObdCodeRow
{
  ObdRow          parent_instance;

  ObdCodeItem    *item;
  GtkWidget      *severity_box;
  GtkGrid        *freeze_grid;
  gboolean        freeze_filled;
  GtkWidget      *guide_button;
  GtkWidget      *quick_guide_button;
};

G_DEFINE_FINAL_TYPE (ObdCodeRow, obd_code_row, OBD_TYPE_ROW)

enum
{
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
reading_label_new (const char *text,
                   gboolean    reading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), reading ? 1 : 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, !reading);
  if (reading)
    {
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "numeric");
    }
  return label;
}

/* The freeze frame's lines are made the first time the row is opened
 * (ObdRow lays out its details only while open). */
static void
on_expanded_cb (ObdCodeRow *self)
{
  const char * const *frame;

  if (self->freeze_filled || !obd_row_get_expanded (OBD_ROW (self)))
    return;
  self->freeze_filled = TRUE;
  frame = obd_code_item_get_freeze_frame (self->item);
  for (guint i = 0; frame != NULL && frame[i] != NULL && frame[i + 1] != NULL; i += 2)
    {
      gtk_grid_attach (self->freeze_grid, reading_label_new (frame[i], FALSE), 0, i / 2, 1, 1);
      gtk_grid_attach (self->freeze_grid, reading_label_new (frame[i + 1], TRUE), 1, i / 2, 1, 1);
    }
}

/* The button starts the code's guide through the window's actions. */
static void
set_guide_action (GtkWidget  *button,
                  const char *guide,
                  const char *reason)
{
  /* The target before the name: an action helper checks them at once. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), NULL);
  if (guide == NULL)
    return;
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", guide, reason);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "repair.start-guide");
}

/* The code's guide starts from its row at once (the button beside the
 * severity), or from the guide's title in the open row. */
static void
update_guide (ObdCodeRow *self)
{
  const char *guide = obd_code_item_get_guide_id (self->item);
  const char *code = obd_code_item_get_code (self->item);
  g_autofree char *reason = g_strdup_printf ("code:%s", code);
  /* Translators: accessible name of the button that starts a code's guide */
  g_autofree char *name = g_strdup_printf (_("Start the guide for %s"), code);
  g_autofree char *title = NULL;
  g_autofree char *full = NULL;

  g_object_get (self->item, "guide-title", &title, NULL);
  /* Translators: accessible name of the button under a guide's title */
  full = g_strdup_printf (_("Start the guide “%s”"), title != NULL ? title : "");

  set_guide_action (self->quick_guide_button, guide, reason);
  set_guide_action (self->guide_button, guide, reason);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->quick_guide_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->guide_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, full, -1);
}

static void
set_item (ObdCodeRow  *self,
          ObdCodeItem *item)
{
  if (!g_set_object (&self->item, item))
    return;

  g_object_bind_property (item, "code", self, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (item, "title", self, "subtitle", G_BINDING_SYNC_CREATE);
  gtk_widget_add_css_class (self->severity_box, obd_code_item_get_severity_class (item));
  g_signal_connect_object (self, "notify::expanded", G_CALLBACK (on_expanded_cb), self,
                           G_CONNECT_SWAPPED);
  on_expanded_cb (self);
  update_guide (self);
  g_signal_connect_object (item, "notify::has-guide", G_CALLBACK (update_guide), self,
                           G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

static void
obd_code_row_dispose (GObject *object)
{
  ObdCodeRow *self = OBD_CODE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_CODE_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (obd_code_row_parent_class)->dispose (object);
}

static void
obd_code_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ObdCodeRow *self = OBD_CODE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_code_row_class_init (ObdCodeRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_code_row_dispose;
  object_class->get_property = obd_code_row_get_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, OBD_TYPE_CODE_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/obd-code-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdCodeRow, severity_box);
  gtk_widget_class_bind_template_child (widget_class, ObdCodeRow, freeze_grid);
  gtk_widget_class_bind_template_child (widget_class, ObdCodeRow, guide_button);
  gtk_widget_class_bind_template_child (widget_class, ObdCodeRow, quick_guide_button);
}

static void
obd_code_row_init (ObdCodeRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_code_row_new (gpointer item,
                  gpointer user_data)
{
  ObdCodeRow *self;

  g_return_val_if_fail (OBD_IS_CODE_ITEM (item), NULL);

  /* Set after construction, so the template's bindings see it change. */
  self = g_object_new (OBD_TYPE_CODE_ROW, NULL);
  set_item (self, item);
  return GTK_WIDGET (self);
}
