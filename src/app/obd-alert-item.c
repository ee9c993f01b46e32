/* obd-alert-item.c — a live alert as an item of a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include "obd-alert-item.h"

struct _ObdAlertItem
{
  GObject        parent_instance;

  ObdAlertEvent *event;
};

G_DEFINE_FINAL_TYPE (ObdAlertItem, obd_alert_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_MESSAGE,
  PROP_SEVERITY_LABEL,
  PROP_ICON_NAME,
  PROP_CRITICAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
obd_alert_item_get_critical (ObdAlertItem *self)
{
  g_return_val_if_fail (OBD_IS_ALERT_ITEM (self), FALSE);

  return self->event->severity == OBD_HEALTH_SEVERITY_CRITICAL;
}

const ObdAlertEvent *
obd_alert_item_get_event (ObdAlertItem *self)
{
  g_return_val_if_fail (OBD_IS_ALERT_ITEM (self), NULL);

  return self->event;
}

static void
obd_alert_item_finalize (GObject *object)
{
  ObdAlertItem *self = OBD_ALERT_ITEM (object);

  g_clear_pointer (&self->event, obd_alert_event_free);

  G_OBJECT_CLASS (obd_alert_item_parent_class)->finalize (object);
}

static void
obd_alert_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdAlertItem *self = OBD_ALERT_ITEM (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->event->title);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->event->message);
      break;
    case PROP_SEVERITY_LABEL:
      g_value_set_string (value, obd_health_severity_get_label (self->event->severity));
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, obd_alert_item_get_critical (self) ? "dialog-error-symbolic"
                                                                    : "dialog-warning-symbolic");
      break;
    case PROP_CRITICAL:
      g_value_set_boolean (value, obd_alert_item_get_critical (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_alert_item_class_init (ObdAlertItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = obd_alert_item_finalize;
  object_class->get_property = obd_alert_item_get_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);
  properties[PROP_SEVERITY_LABEL] = g_param_spec_string ("severity-label", NULL, NULL, NULL, ro);
  properties[PROP_ICON_NAME] = g_param_spec_string ("icon-name", NULL, NULL, NULL, ro);
  properties[PROP_CRITICAL] = g_param_spec_boolean ("critical", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_alert_item_init (ObdAlertItem *self)
{
}

ObdAlertItem *
obd_alert_item_new (const ObdAlertEvent *event)
{
  ObdAlertItem *self;

  g_return_val_if_fail (event != NULL, NULL);

  self = g_object_new (OBD_TYPE_ALERT_ITEM, NULL);
  self->event = obd_alert_event_copy (event);
  return self;
}
