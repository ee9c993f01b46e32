/* obd-item-row.c — a list row that shows an ObdRowItem
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The template binds what only mirrors the item; here what a binding
 * expression cannot do: the tick box both ways, the action's target,
 * accessible names and style classes.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include "obd-app-resources.h"
#include "obd-app-util.h"
#include "obd-item-row.h"

struct _ObdItemRow
{
  ObdRow        parent_instance;

  ObdRowItem   *item;
  GtkWidget    *check;
  GtkWidget    *badge;
  GtkWidget    *action_button;
};

G_DEFINE_FINAL_TYPE (ObdItemRow, obd_item_row, OBD_TYPE_ROW)

enum
{
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A closure of the template: the expression's "this", its argument,
 * the closure's data. */
static gboolean
is_set (gpointer    this_object,
        const char *text,
        gpointer    data)
{
  return text != NULL && *text != '\0';
}

static void
add_class (GtkWidget  *widget,
           const char *css_class)
{
  if (css_class != NULL && *css_class != '\0')
    gtk_widget_add_css_class (widget, css_class);
}

static void
set_item (ObdItemRow *self,
          ObdRowItem *item)
{
  g_autofree char *badge_class = NULL;
  g_autofree char *css_class = NULL;
  g_autofree char *action_name = NULL;
  g_autofree char *action_label = NULL;
  g_autofree char *action_icon = NULL;
  g_autofree char *check_label = NULL;

  self->item = g_object_ref (item);
  g_object_bind_property (item, "title", self, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (item, "subtitle", self, "subtitle", G_BINDING_SYNC_CREATE);
  g_object_bind_property (item, "subtitle-lines", self, "subtitle-lines", G_BINDING_SYNC_CREATE);
  g_object_bind_property (item, "activatable", self, "activatable", G_BINDING_SYNC_CREATE);
  g_object_get (item, "badge-class", &badge_class, "css-class", &css_class,
                "action-name", &action_name, "action-label", &action_label,
                "action-icon", &action_icon,
                "check-label", &check_label, NULL);

  add_class (self->badge, badge_class);
  add_class (GTK_WIDGET (self), css_class);
  if (action_name != NULL)
    {
      gtk_button_set_icon_name (GTK_BUTTON (self->action_button),
                                action_icon != NULL ? action_icon : "object-select-symbolic");
      obd_widget_set_tooltip (self->action_button, action_label);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->action_button), action_name);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->action_button), "x",
                                        obd_row_item_get_id (item));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->action_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, action_label, -1);
    }
  if (check_label != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->check),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, check_label, -1);
  g_object_bind_property (item, "checked", self->check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

ObdRowItem *
obd_item_row_get_item (ObdItemRow *self)
{
  g_return_val_if_fail (OBD_IS_ITEM_ROW (self), NULL);

  return self->item;
}

static void
obd_item_row_dispose (GObject *object)
{
  ObdItemRow *self = OBD_ITEM_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_ITEM_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (obd_item_row_parent_class)->dispose (object);
}

static void
obd_item_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ObdItemRow *self = OBD_ITEM_ROW (object);

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
obd_item_row_class_init (ObdItemRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_item_row_dispose;
  object_class->get_property = obd_item_row_get_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, OBD_TYPE_ROW_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/obd-item-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdItemRow, check);
  gtk_widget_class_bind_template_child (widget_class, ObdItemRow, badge);
  gtk_widget_class_bind_template_child (widget_class, ObdItemRow, action_button);
  gtk_widget_class_bind_template_callback (widget_class, is_set);
}

static void
obd_item_row_init (ObdItemRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_item_row_new (gpointer item,
                  gpointer user_data)
{
  ObdItemRow *self;

  g_return_val_if_fail (OBD_IS_ROW_ITEM (item), NULL);

  /* Set after construction, so the template's bindings see it change. */
  self = g_object_new (OBD_TYPE_ITEM_ROW, NULL);
  set_item (self, item);
  return GTK_WIDGET (self);
}
