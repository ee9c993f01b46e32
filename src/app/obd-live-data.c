/* obd-live-data.c — the latest readings, their recent history and the
 * live alerts they raise
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-session"
#include "config.h"

#include <math.h>
#include <string.h>

#include "obd-alert-item.h"
#include "obd-live-data.h"
#include "obd-pid.h"
#include "obd-sample.h"

#define DEFAULT_SPAN_US (60 * G_USEC_PER_SEC)

typedef struct
{
  double   value;
  gint64   time_us;
  guint32  ecu;
  GArray  *history;   /* ObdLivePoint, oldest first */
} Reading;

struct _ObdLiveData
{
  GObject             parent_instance;

  GHashTable         *readings;      /* (pid << 8 | index) -> Reading */
  gint64              span_us;
  ObdAlertThresholds  thresholds;
  ObdAlertMonitor    *alerts;
  GPtrArray          *active_alerts; /* ObdAlertEvent */
  GListStore         *alert_items;   /* ObdAlertItem, the same alerts */
};

G_DEFINE_FINAL_TYPE (ObdLiveData, obd_live_data, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACTIVE_ALERTS,
  PROP_THRESHOLDS,
  PROP_ENGINE_RUNNING,
  N_PROPS
};

enum
{
  SIGNAL_ALERT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
reading_free (gpointer data)
{
  Reading *reading = data;

  g_array_unref (reading->history);
  g_free (reading);
}

static guint
reading_key (guint8 pid,
             guint8 index)
{
  return (guint) pid << 8 | index;
}

/* Keeps between one and two spans: trimming once per span costs one
 * move of the array, not one per sample. */
static void
remember (ObdLiveData     *self,
          Reading         *reading,
          const ObdSample *sample)
{
  ObdLivePoint point = { sample->time_us, sample->value };
  GArray *history = reading->history;

  g_array_append_val (history, point);
  if (history->len > 1 &&
      g_array_index (history, ObdLivePoint, 0).time_us < sample->time_us - 2 * self->span_us)
    {
      guint keep_from = 0;

      while (keep_from < history->len &&
             g_array_index (history, ObdLivePoint, keep_from).time_us <
               sample->time_us - self->span_us)
        keep_from++;
      g_array_remove_range (history, 0, keep_from);
    }
}

static void
set_active_alerts (ObdLiveData *self,
                   GPtrArray   *active)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_clear_pointer (&self->active_alerts, g_ptr_array_unref);
  self->active_alerts = active;
  for (guint i = 0; i < active->len; i++)
    g_ptr_array_add (items, obd_alert_item_new (g_ptr_array_index (active, i)));
  g_list_store_splice (self->alert_items, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->alert_items)),
                       items->pdata, items->len);
}

static void
feed_alerts (ObdLiveData     *self,
             const ObdSample *sample,
             GPtrArray       *events)
{
  const ObdValue *meta = obd_pid_get_value_info (sample->pid, sample->index);

  /* The monitor follows the engine speed itself (the resting-voltage
   * rule, obd-alerts.h). */
  if (meta != NULL)
    obd_alert_monitor_feed (self->alerts, meta->key, sample->value, sample->time_us, events);
}

void
obd_live_data_feed (ObdLiveData *self,
                    GArray      *samples)
{
  g_autoptr(GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  gboolean was_running;

  g_return_if_fail (OBD_IS_LIVE_DATA (self));
  g_return_if_fail (samples != NULL);

  was_running = obd_alert_monitor_get_engine_running (self->alerts);

  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);
      guint key = reading_key (sample->pid, sample->index);
      Reading *reading;

      if (sample->service != 0x01)
        continue;

      /* Several ECUs may answer the same PID (vehicle speed from the engine
       * and the gearbox): a reading follows the ECU that answered first. */
      reading = g_hash_table_lookup (self->readings, GUINT_TO_POINTER (key));
      if (reading == NULL)
        {
          reading = g_new0 (Reading, 1);
          reading->ecu = sample->ecu;
          reading->history = g_array_new (FALSE, FALSE, sizeof (ObdLivePoint));
          g_hash_table_insert (self->readings, GUINT_TO_POINTER (key), reading);
        }
      else if (reading->ecu != sample->ecu)
        continue;

      reading->value = sample->value;
      reading->time_us = sample->time_us;
      remember (self, reading, sample);
      feed_alerts (self, sample, events);
    }

  if (was_running != obd_alert_monitor_get_engine_running (self->alerts))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_RUNNING]);
  if (events->len == 0)
    return;

  set_active_alerts (self, obd_alert_monitor_dup_active (self->alerts));
  for (guint i = 0; i < events->len; i++)
    g_signal_emit (self, signals[SIGNAL_ALERT], 0, g_ptr_array_index (events, i));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_ALERTS]);
}

void
obd_live_data_reset (ObdLiveData *self)
{
  g_return_if_fail (OBD_IS_LIVE_DATA (self));

  g_hash_table_remove_all (self->readings);
  obd_alert_monitor_reset (self->alerts);
  if (obd_alert_monitor_get_engine_running (self->alerts))
    {
      obd_alert_monitor_set_engine_running (self->alerts, FALSE);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_RUNNING]);
    }
  if (self->active_alerts->len > 0)
    {
      set_active_alerts (self, g_ptr_array_new_with_free_func (
                                 (GDestroyNotify) obd_alert_event_free));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_ALERTS]);
    }
}

double
obd_live_data_get_latest (ObdLiveData *self,
                          guint8       pid,
                          guint8       index,
                          gint64      *time_us)
{
  Reading *reading;

  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), NAN);

  reading = g_hash_table_lookup (self->readings, GUINT_TO_POINTER (reading_key (pid, index)));
  if (time_us != NULL)
    *time_us = reading != NULL ? reading->time_us : 0;
  return reading != NULL ? reading->value : NAN;
}

GArray *
obd_live_data_dup_history (ObdLiveData *self,
                           guint8       pid,
                           guint8       index)
{
  Reading *reading;
  GArray *copy = g_array_new (FALSE, FALSE, sizeof (ObdLivePoint));

  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), copy);

  reading = g_hash_table_lookup (self->readings, GUINT_TO_POINTER (reading_key (pid, index)));
  if (reading != NULL)
    g_array_append_vals (copy, reading->history->data, reading->history->len);
  return copy;
}

void
obd_live_data_set_history_span (ObdLiveData *self,
                                gint64       span_us)
{
  g_return_if_fail (OBD_IS_LIVE_DATA (self));
  g_return_if_fail (span_us > 0);

  self->span_us = span_us;
}

gint64
obd_live_data_get_history_span (ObdLiveData *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), DEFAULT_SPAN_US);

  return self->span_us;
}

void
obd_live_data_set_thresholds (ObdLiveData              *self,
                              const ObdAlertThresholds *thresholds)
{
  g_return_if_fail (OBD_IS_LIVE_DATA (self));
  g_return_if_fail (thresholds != NULL);

  if (memcmp (&self->thresholds, thresholds, sizeof *thresholds) == 0)
    return;
  self->thresholds = *thresholds;
  obd_alert_monitor_set_thresholds (self->alerts, &self->thresholds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLDS]);
}

GListModel *
obd_live_data_get_alerts (ObdLiveData *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), NULL);

  return G_LIST_MODEL (self->alert_items);
}

const ObdAlertThresholds *
obd_live_data_get_thresholds (ObdLiveData *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), NULL);

  return &self->thresholds;
}

ObdAlertState
obd_live_data_get_alert_state (ObdLiveData *self,
                               const char  *key)
{
  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), OBD_ALERT_STATE_NORMAL);
  g_return_val_if_fail (key != NULL, OBD_ALERT_STATE_NORMAL);

  return obd_alert_monitor_get_state (self->alerts, key);
}

gboolean
obd_live_data_get_engine_running (ObdLiveData *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), FALSE);

  return obd_alert_monitor_get_engine_running (self->alerts);
}

GPtrArray *
obd_live_data_get_active_alerts (ObdLiveData *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), NULL);

  return self->active_alerts;
}

const ObdAlertEvent *
obd_live_data_get_alert (ObdLiveData *self,
                         const char  *key)
{
  const ObdAlertEvent *worst = NULL;

  g_return_val_if_fail (OBD_IS_LIVE_DATA (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < self->active_alerts->len; i++)
    {
      const ObdAlertEvent *event = g_ptr_array_index (self->active_alerts, i);

      if (g_strcmp0 (event->key, key) == 0 &&
          (worst == NULL || event->severity > worst->severity))
        worst = event;
    }
  return worst;
}

/* GObject ------------------------------------------------------------------ */

static void
obd_live_data_finalize (GObject *object)
{
  ObdLiveData *self = OBD_LIVE_DATA (object);

  g_hash_table_unref (self->readings);
  obd_alert_monitor_free (self->alerts);
  g_ptr_array_unref (self->active_alerts);
  g_object_unref (self->alert_items);

  G_OBJECT_CLASS (obd_live_data_parent_class)->finalize (object);
}

static void
obd_live_data_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdLiveData *self = OBD_LIVE_DATA (object);

  switch (prop_id)
    {
    case PROP_ACTIVE_ALERTS:
      g_value_set_pointer (value, self->active_alerts);
      break;
    case PROP_THRESHOLDS:
      g_value_set_pointer (value, &self->thresholds);
      break;
    case PROP_ENGINE_RUNNING:
      g_value_set_boolean (value, obd_alert_monitor_get_engine_running (self->alerts));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_live_data_class_init (ObdLiveDataClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = obd_live_data_finalize;
  object_class->get_property = obd_live_data_get_property;

  properties[PROP_ACTIVE_ALERTS] =
    g_param_spec_pointer ("active-alerts", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THRESHOLDS] =
    g_param_spec_pointer ("thresholds", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENGINE_RUNNING] =
    g_param_spec_boolean ("engine-running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ObdLiveData::alert:
   * @event: (type gpointer): the ObdAlertEvent, valid during the emission
   */
  signals[SIGNAL_ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
obd_live_data_init (ObdLiveData *self)
{
  self->readings = g_hash_table_new_full (NULL, NULL, NULL, reading_free);
  self->span_us = DEFAULT_SPAN_US;
  obd_alert_thresholds_init_defaults (&self->thresholds);
  self->alerts = obd_alert_monitor_new (&self->thresholds);
  self->active_alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  self->alert_items = g_list_store_new (OBD_TYPE_ALERT_ITEM);
}

ObdLiveData *
obd_live_data_new (void)
{
  return g_object_new (OBD_TYPE_LIVE_DATA, NULL);
}
