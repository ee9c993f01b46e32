/* obd-alert-row.c — a live alert in a list: title, what to do, severity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The template binds every text to the item; only the colour of the
 * severity (a CSS class) is set here.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include "obd-alert-row.h"
#include "obd-app-resources.h"

struct _ObdAlertRow
{
  ObdRow        parent_instance;

  ObdAlertItem *item;
  GtkWidget    *severity_box;
};

G_DEFINE_FINAL_TYPE (ObdAlertRow, obd_alert_row, OBD_TYPE_ROW)

enum
{
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
obd_alert_row_dispose (GObject *object)
{
  ObdAlertRow *self = OBD_ALERT_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_ALERT_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (obd_alert_row_parent_class)->dispose (object);
}

static void
obd_alert_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdAlertRow *self = OBD_ALERT_ROW (object);

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
obd_alert_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ObdAlertRow *self = OBD_ALERT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      if (g_set_object (&self->item, g_value_get_object (value)))
        {
          if (self->item != NULL)
            {
              g_object_bind_property (self->item, "title", self, "title",
                                      G_BINDING_SYNC_CREATE);
              g_object_bind_property (self->item, "message", self, "subtitle",
                                      G_BINDING_SYNC_CREATE);
            }
          gboolean critical = self->item != NULL && obd_alert_item_get_critical (self->item);

          gtk_widget_remove_css_class (self->severity_box, critical ? "warning" : "error");
          gtk_widget_add_css_class (self->severity_box, critical ? "error" : "warning");
          g_object_notify_by_pspec (object, properties[PROP_ITEM]);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_alert_row_class_init (ObdAlertRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_alert_row_dispose;
  object_class->get_property = obd_alert_row_get_property;
  object_class->set_property = obd_alert_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, OBD_TYPE_ALERT_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/obd-alert-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdAlertRow, severity_box);
}

static void
obd_alert_row_init (ObdAlertRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_alert_row_new (gpointer item,
                   gpointer user_data)
{
  GtkWidget *row;

  g_return_val_if_fail (OBD_IS_ALERT_ITEM (item), NULL);

  /* Set after construction, so the template's bindings see it change. */
  row = g_object_new (OBD_TYPE_ALERT_ROW, NULL);
  g_object_set (row, "item", item, NULL);
  return row;
}
