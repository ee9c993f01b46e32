/* obd-fleet-item.c — one vehicle of the fleet list, with its health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made on the store's thread from the store alone (the vehicle's stored
 * health report, obd_diagnosis_evaluate_stored; its worst code;
 * maintenance due as obd_service_plan forecasts it; the last session),
 * then handed to the main thread; every field is a property with notify
 * so the sync client's live events can update one vehicle later.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>

#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"
#include "obd-fleet-item.h"
#include "obd-maintenance.h"
#include "obd-service-plan.h"

/* g_set_str () is GLib 2.76; this is it for 2.74. */
static gboolean
set_str (char       **str_pointer,
         const char  *new_str)
{
  if (g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;
  g_free (*str_pointer);
  *str_pointer = g_strdup (new_str);
  return TRUE;
}

struct _ObdFleetItem
{
  GObject          parent_instance;

  gint64           vehicle_id;
  char            *title;
  char            *subtitle;
  double           score;
  ObdHealthStatus  status;
  char            *worst_code;
  char            *worst_code_title;
  int              worst_severity;   /* ObdDtcSeverity, -1 when no code */
  guint            maintenance_due;
  guint            maintenance_overdue;
  gint64           last_seen;
  char            *live_status;
  char            *vehicle_uuid;
  double           live_score;      /* -1 when not live */
  ObdHealthStatus  live_health;
};

G_DEFINE_FINAL_TYPE (ObdFleetItem, obd_fleet_item, G_TYPE_OBJECT)

enum
{
  ITEM_PROP_0,
  ITEM_PROP_VEHICLE_ID,
  ITEM_PROP_TITLE,
  ITEM_PROP_SUBTITLE,
  ITEM_PROP_SCORE,
  ITEM_PROP_STATUS,
  ITEM_PROP_WORST_CODE,
  ITEM_PROP_WORST_CODE_TITLE,
  ITEM_PROP_MAINTENANCE_DUE,
  ITEM_PROP_MAINTENANCE_OVERDUE,
  ITEM_PROP_LAST_SEEN,
  ITEM_PROP_NEEDS_ATTENTION,
  ITEM_PROP_LIVE_STATUS,
  ITEM_PROP_LIVE_SCORE,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static void
obd_fleet_item_finalize (GObject *object)
{
  ObdFleetItem *self = OBD_FLEET_ITEM (object);

  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->worst_code);
  g_free (self->worst_code_title);
  g_free (self->live_status);
  g_free (self->vehicle_uuid);

  G_OBJECT_CLASS (obd_fleet_item_parent_class)->finalize (object);
}

static void
obd_fleet_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdFleetItem *self = OBD_FLEET_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_VEHICLE_ID:
      g_value_set_int64 (value, self->vehicle_id);
      break;
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case ITEM_PROP_SCORE:
      g_value_set_double (value, self->score);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case ITEM_PROP_WORST_CODE:
      g_value_set_string (value, self->worst_code);
      break;
    case ITEM_PROP_WORST_CODE_TITLE:
      g_value_set_string (value, self->worst_code_title);
      break;
    case ITEM_PROP_MAINTENANCE_DUE:
      g_value_set_uint (value, self->maintenance_due);
      break;
    case ITEM_PROP_MAINTENANCE_OVERDUE:
      g_value_set_uint (value, self->maintenance_overdue);
      break;
    case ITEM_PROP_LAST_SEEN:
      g_value_set_int64 (value, self->last_seen);
      break;
    case ITEM_PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, obd_fleet_item_get_needs_attention (self));
      break;
    case ITEM_PROP_LIVE_STATUS:
      g_value_set_string (value, self->live_status);
      break;
    case ITEM_PROP_LIVE_SCORE:
      g_value_set_double (value, self->live_score);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_item_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdFleetItem *self = OBD_FLEET_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_VEHICLE_ID:
      self->vehicle_id = g_value_get_int64 (value);
      break;
    case ITEM_PROP_LIVE_STATUS:
      obd_fleet_item_set_live_status (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_item_class_init (ObdFleetItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = obd_fleet_item_finalize;
  object_class->get_property = obd_fleet_item_get_property;
  object_class->set_property = obd_fleet_item_set_property;

  item_properties[ITEM_PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_SCORE] =
    g_param_spec_double ("score", NULL, NULL, -1.0, 100.0, -1.0, ro);
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, OBD_HEALTH_STATUS_HEALTHY,
                      OBD_HEALTH_STATUS_STOP_DRIVING, OBD_HEALTH_STATUS_HEALTHY, ro);
  item_properties[ITEM_PROP_WORST_CODE] =
    g_param_spec_string ("worst-code", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_WORST_CODE_TITLE] =
    g_param_spec_string ("worst-code-title", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_MAINTENANCE_DUE] =
    g_param_spec_uint ("maintenance-due", NULL, NULL, 0, G_MAXUINT, 0, ro);
  item_properties[ITEM_PROP_MAINTENANCE_OVERDUE] =
    g_param_spec_uint ("maintenance-overdue", NULL, NULL, 0, G_MAXUINT, 0, ro);
  item_properties[ITEM_PROP_LAST_SEEN] =
    g_param_spec_int64 ("last-seen", NULL, NULL, 0, G_MAXINT64, 0, ro);
  item_properties[ITEM_PROP_NEEDS_ATTENTION] =
    g_param_spec_boolean ("needs-attention", NULL, NULL, FALSE, ro);
  item_properties[ITEM_PROP_LIVE_STATUS] =
    g_param_spec_string ("live-status", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_LIVE_SCORE] =
    g_param_spec_double ("live-score", NULL, NULL, -1.0, 100.0, -1.0, ro);
  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
obd_fleet_item_init (ObdFleetItem *self)
{
  self->score = -1.0;
  self->live_score = -1.0;
  self->worst_severity = -1;
}

gint64
obd_fleet_item_get_vehicle_id (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->vehicle_id;
}

const char *
obd_fleet_item_get_title (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->title;
}

const char *
obd_fleet_item_get_subtitle (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->subtitle;
}

double
obd_fleet_item_get_score (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), -1.0);
  return self->score;
}

ObdHealthStatus
obd_fleet_item_get_status (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), OBD_HEALTH_STATUS_HEALTHY);
  return self->status;
}

const char *
obd_fleet_item_get_worst_code (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->worst_code;
}

const char *
obd_fleet_item_get_worst_code_title (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->worst_code_title;
}

guint
obd_fleet_item_get_maintenance_due (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->maintenance_due;
}

guint
obd_fleet_item_get_maintenance_overdue (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->maintenance_overdue;
}

gint64
obd_fleet_item_get_last_seen (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->last_seen;
}

gboolean
obd_fleet_item_get_needs_attention (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), FALSE);
  return self->status != OBD_HEALTH_STATUS_HEALTHY || self->maintenance_overdue > 0;
}

const char *
obd_fleet_item_get_live_status (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->live_status;
}

void
obd_fleet_item_set_live_status (ObdFleetItem *self,
                                const char   *live_status)
{
  g_return_if_fail (OBD_IS_FLEET_ITEM (self));

  if (set_str (&self->live_status, live_status))
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LIVE_STATUS]);
}

const char *
obd_fleet_item_get_vehicle_uuid (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->vehicle_uuid;
}

void
obd_fleet_item_set_live_health (ObdFleetItem    *self,
                                double           score,
                                ObdHealthStatus  status)
{
  g_return_if_fail (OBD_IS_FLEET_ITEM (self));

  if (score < 0 || score > 100)
    score = -1;
  if (self->live_score == score && self->live_health == status)
    return;
  self->live_score = score;
  self->live_health = status;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LIVE_SCORE]);
}

double
obd_fleet_item_get_live_score (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), -1.0);
  return self->live_score;
}

ObdHealthStatus
obd_fleet_item_get_live_health (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), OBD_HEALTH_STATUS_HEALTHY);
  return self->live_health;
}

/* Each part that cannot be read is left at "unknown" (logged): one bad
 * row must not hide the fleet. */
int
obd_fleet_item_get_worst_severity (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), -1);

  return self->worst_severity;
}

ObdFleetItem *
obd_fleet_item_new_from_store (ObdStore              *store,
                               const ObdStoreVehicle *vehicle)
{
  ObdFleetItem *self = g_object_new (OBD_TYPE_FLEET_ITEM, "vehicle-id", vehicle->id, NULL);
  g_autoptr(ObdHealthReport) report = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(ObdServicePlan) plan = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GString) title = g_string_new (NULL);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 worst_seen = 0;

  self->vehicle_uuid = g_strdup (vehicle->uuid);
  if (vehicle->make != NULL)
    g_string_append (title, vehicle->make);
  if (vehicle->model != NULL)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", vehicle->model);
  if (vehicle->year > 0)
    g_string_append_printf (title, "%s%d", title->len > 0 ? " " : "", vehicle->year);
  if (title->len == 0)
    {
      if (vehicle->vin != NULL)
        g_string_append (title, vehicle->vin);
      else
        /* Translators: a vehicle known by its number in the local store only */
        g_string_append_printf (title, _("Vehicle %" PRId64), vehicle->id);
    }
  self->title = g_string_free (g_steal_pointer (&title), FALSE);

  if (vehicle->plate != NULL)
    g_string_append (subtitle, vehicle->plate);
  if (vehicle->vin != NULL && g_strcmp0 (vehicle->vin, self->title) != 0)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", vehicle->vin);
  if (vehicle->owner_name != NULL)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "",
                            vehicle->owner_name);
  self->subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);

  report = obd_diagnosis_evaluate_stored (store, vehicle->id, &error);
  if (report != NULL)
    {
      self->score = report->vehicle_score;
      self->status = report->status;
    }
  else
    {
      g_info ("Could not evaluate vehicle %" G_GINT64_FORMAT ": %s", vehicle->id,
                 error->message);
      g_clear_error (&error);
    }

  events = obd_store_list_dtc_events (store, vehicle->id, FALSE, &error);
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const ObdStoreDtcEvent *event = g_ptr_array_index (events, i);
      ObdDtcInfo info;

      if (!obd_dtc_kb_lookup (event->code, &info, NULL))
        continue;
      /* Most severe first; among equals the one seen last. */
      if ((int) info.severity > self->worst_severity ||
          ((int) info.severity == self->worst_severity && event->last_seen_us > worst_seen))
        {
          self->worst_severity = info.severity;
          worst_seen = event->last_seen_us;
          set_str (&self->worst_code, event->code);
          set_str (&self->worst_code_title, info.title);
        }
    }
  if (events == NULL)
    {
      g_info ("Could not list codes: %s", error->message);
      g_clear_error (&error);
    }

  /* The vehicle page's forecast, with the odometer history. */
  plan = obd_service_plan_load (store, vehicle->id, &error);
  for (guint i = 0; plan != NULL && i < plan->items->len; i++)
    {
      ObdServiceForecast forecast;

      obd_service_plan_forecast (plan, g_ptr_array_index (plan->items, i), g_get_real_time (),
                                 &forecast);
      if (forecast.status == OBD_SERVICE_STATUS_OVERDUE)
        self->maintenance_overdue++;
      else if (forecast.status == OBD_SERVICE_STATUS_DUE)
        self->maintenance_due++;
    }
  if (plan == NULL)
    {
      g_info ("Could not list maintenance: %s", error->message);
      g_clear_error (&error);
    }

  sessions = obd_store_list_sessions (store, vehicle->id, &error);
  if (sessions != NULL && sessions->len > 0)
    self->last_seen = ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->started_us;
  else if (sessions == NULL)
    g_info ("Could not list sessions: %s", error->message);

  return self;
}

