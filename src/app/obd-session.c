/* obd-session.c — the application's model of "the vehicle on the bench"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-session"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-diagnosis.h"
#include "obd-error.h"
#include "obd-recorder.h"
#include "obd-session.h"
#include "obd-worker.h"

typedef struct
{
  double  value;
  gint64  time_us;
  guint32 ecu;
} Latest;

struct _ObdSession
{
  GObject             parent_instance;

  ObdStore           *store;
  ObdWorker          *worker;
  GCancellable       *cancellable;     /* of the current connection's jobs */
  ObdStrategy         strategy;

  ObdSessionState     state;
  char               *connection;
  char               *status_text;
  GError             *error;
  char               *adapter_version;
  char               *protocol_name;
  gint64              vehicle_id;
  char               *vehicle_title;
  double              link_rate;
  guint               rate_source;

  GHashTable         *latest;          /* (pid << 8 | index) -> Latest */
  ObdSnapshot        *snapshot;
  ObdHealthReport    *health;

  ObdAlertThresholds  thresholds;
  ObdAlertMonitor    *alerts;
  GPtrArray          *active_alerts;   /* of ObdAlertEvent */

  ObdRecorder        *recorder;
  gint64              recording_started;
  guint64             recorded_samples;

  gint64              batch_max_us;
  gint64              batch_total_us;
  guint64             n_batches;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_CONNECTION,
  PROP_STATUS_TEXT,
  PROP_ERROR,
  PROP_ADAPTER_VERSION,
  PROP_PROTOCOL_NAME,
  PROP_VEHICLE_ID,
  PROP_VEHICLE_TITLE,
  PROP_LINK_RATE,
  PROP_SNAPSHOT,
  PROP_HEALTH,
  PROP_RECORDING,
  PROP_RECORDED_SAMPLES,
  PROP_RECORDING_STARTED,
  PROP_STRATEGY,
  PROP_STORE,
  N_PROPS
};

enum {
  SIGNAL_SAMPLES,
  SIGNAL_ALERT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ObdSession, obd_session, G_TYPE_OBJECT)

static void
set_string (ObdSession  *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_state (ObdSession      *self,
           ObdSessionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (ObdSession   *self,
           const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
update_vehicle_title (ObdSession *self)
{
  g_autofree char *title = NULL;
  const ObdVinInfo *info = self->snapshot != NULL ? self->snapshot->vin_info : NULL;

  if (info != NULL && info->manufacturer != NULL && info->model_year > 0)
    title = g_strdup_printf ("%d %s", info->model_year, info->manufacturer);
  else if (info != NULL && info->manufacturer != NULL)
    title = g_strdup (info->manufacturer);
  else if (self->snapshot != NULL && self->snapshot->vin != NULL)
    title = g_strdup (self->snapshot->vin);
  else
    title = g_strdup (_("Vehicle"));

  set_string (self, &self->vehicle_title, title, PROP_VEHICLE_TITLE);
}

static void
update_health (ObdSession *self)
{
  if (self->snapshot == NULL)
    return;

  g_clear_pointer (&self->health, obd_health_report_free);
  self->health = obd_diagnosis_evaluate (self->snapshot, self->active_alerts);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
}

/* ---- recording ------------------------------------------------------- */

static void
on_recorder_failed_cb (ObdSession   *self,
                       const GError *error)
{
  g_warning ("Recording stopped: %s", error->message);
  self->recording_started = 0;
  set_string (self, &self->status_text, error->message, PROP_STATUS_TEXT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_STARTED]);
}

gboolean
obd_session_start_recording (ObdSession  *self,
                             GError     **error)
{
  gint64 session_id;

  g_return_val_if_fail (OBD_IS_SESSION (self), FALSE);

  if (self->recording_started != 0)
    return TRUE;

  if (self->store == NULL)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("The local history is not available, so nothing can be recorded. "
                     "See the message on the start page."));
      return FALSE;
    }

  if (self->state != OBD_SESSION_STATE_CONNECTED)
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                   _("Connect to a vehicle before recording."));
      return FALSE;
    }

  if (self->recorder == NULL)
    {
      self->recorder = obd_recorder_new (self->store, error);
      if (self->recorder == NULL)
        return FALSE;
      g_signal_connect_object (self->recorder, "failed", G_CALLBACK (on_recorder_failed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  session_id = obd_recorder_start_session (self->recorder, self->vehicle_id,
                                           self->protocol_name, self->adapter_version,
                                           self->connection, error);
  if (session_id == 0)
    return FALSE;

  /* The codes, freeze frame, readiness and monitor results as found at
   * the start belong to the recorded session and its hash. */
  if (self->snapshot != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!obd_diagnosis_store_snapshot (self->store, self->vehicle_id, session_id,
                                         self->snapshot, &local_error))
        g_warning ("Could not store the vehicle snapshot: %s", local_error->message);
    }

  self->recording_started = g_get_real_time ();
  self->recorded_samples = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_STARTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDED_SAMPLES]);
  return TRUE;
}

gboolean
obd_session_stop_recording (ObdSession  *self,
                            GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (OBD_IS_SESSION (self), FALSE);

  if (self->recording_started == 0 || self->recorder == NULL)
    return TRUE;

  self->recording_started = 0;
  ok = obd_recorder_stop_session (self->recorder, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_STARTED]);

  return ok;
}

gboolean
obd_session_get_recording (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), FALSE);

  return self->recording_started != 0;
}

guint64
obd_session_get_recorded_samples (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), 0);

  return self->recorded_samples;
}

gint64
obd_session_get_recording_started (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), 0);

  return self->recording_started;
}

/* ---- samples and alerts ------------------------------------------------ */

static void
feed_alerts (ObdSession      *self,
             const ObdSample *sample)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  const ObdValue *meta = obd_pid_get_value_info (sample->pid, sample->index);
  gboolean changed = FALSE;

  if (meta == NULL)
    return;

  /* Battery thresholds differ with the engine running (charging). */
  if (sample->pid == 0x0C && sample->index == 0)
    obd_alert_monitor_set_engine_running (self->alerts, sample->value > 400);

  if (obd_alert_monitor_feed (self->alerts, meta->key, sample->value, sample->time_us,
                              events) == 0)
    return;

  for (guint i = 0; i < events->len; i++)
    {
      ObdAlertEvent *event = g_ptr_array_index (events, i);

      if (event->type == OBD_ALERT_EVENT_RAISED && self->store != NULL)
        {
          g_autoptr(GError) error = NULL;
          gint64 session_id = self->recorder != NULL && self->recording_started != 0
                              ? obd_recorder_get_session_id (self->recorder) : 0;

          if (!obd_diagnosis_store_alert (self->store, self->vehicle_id, session_id, event,
                                          &error))
            g_warning ("Could not store the alert: %s", error->message);
        }

      g_signal_emit (self, signals[SIGNAL_ALERT], 0, event);
      changed = TRUE;
    }

  if (changed)
    {
      g_clear_pointer (&self->active_alerts, g_ptr_array_unref);
      self->active_alerts = obd_alert_monitor_dup_active (self->alerts);
      update_health (self);
    }
}

static void
on_worker_samples_cb (ObdSession *self,
                      GArray     *samples)
{
  gint64 started = g_get_monotonic_time ();
  gint64 spent;

  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);
      guint key = (guint) sample->pid << 8 | sample->index;
      Latest *latest = g_hash_table_lookup (self->latest, GUINT_TO_POINTER (key));

      if (sample->service != 0x01)
        continue;

      /* Several ECUs may answer the same PID (vehicle speed from the engine
       * and the gearbox): a reading follows the ECU that answered first. */
      if (latest == NULL)
        {
          latest = g_new0 (Latest, 1);
          latest->ecu = sample->ecu;
          g_hash_table_insert (self->latest, GUINT_TO_POINTER (key), latest);
        }
      else if (latest->ecu != sample->ecu)
        continue;

      latest->value = sample->value;
      latest->time_us = sample->time_us;
      feed_alerts (self, sample);
    }

  if (self->recording_started != 0 && self->recorder != NULL)
    {
      obd_recorder_push_samples (self->recorder, (const ObdSample *) samples->data,
                                 samples->len);
      self->recorded_samples += samples->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDED_SAMPLES]);
    }

  g_signal_emit (self, signals[SIGNAL_SAMPLES], 0, samples);

  spent = g_get_monotonic_time () - started;
  self->batch_max_us = MAX (self->batch_max_us, spent);
  self->batch_total_us += spent;
  self->n_batches++;
}

void
obd_session_get_batch_stats (ObdSession *self,
                             gint64     *out_max_us,
                             double     *out_mean_us,
                             guint64    *out_n_batches)
{
  g_return_if_fail (OBD_IS_SESSION (self));

  if (out_max_us != NULL)
    *out_max_us = self->batch_max_us;
  if (out_mean_us != NULL)
    *out_mean_us = self->n_batches > 0 ? (double) self->batch_total_us / self->n_batches : 0;
  if (out_n_batches != NULL)
    *out_n_batches = self->n_batches;
}

/* ---- snapshots ----------------------------------------------------------- */

static gpointer
read_snapshot_job (ObdAdapter    *adapter,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return obd_snapshot_read (adapter, GPOINTER_TO_UINT (data), cancellable, error);
}

static void
swap_array (GArray **a,
            GArray **b)
{
  GArray *tmp = *a;

  *a = *b;
  *b = tmp;
}

static void
swap_ptr_array (GPtrArray **a,
                GPtrArray **b)
{
  GPtrArray *tmp = *a;

  *a = *b;
  *b = tmp;
}

/* Takes the parts that fresh holds into the session's snapshot. */
static void
merge_snapshot (ObdSession  *self,
                ObdSnapshot *fresh)
{
  ObdSnapshot *current = self->snapshot;

  if (current == NULL || fresh->parts == OBD_SNAPSHOT_ALL)
    {
      g_clear_pointer (&self->snapshot, obd_snapshot_free);
      self->snapshot = fresh;
      return;
    }

  current->time_us = fresh->time_us;
  if (fresh->parts & OBD_SNAPSHOT_INFO)
    {
      g_free (current->vin);
      current->vin = g_steal_pointer (&fresh->vin);
      g_clear_pointer (&current->vin_info, obd_vin_info_free);
      current->vin_info = g_steal_pointer (&fresh->vin_info);
      current->battery_voltage = fresh->battery_voltage;
      swap_ptr_array (&current->ecu_names, &fresh->ecu_names);
      swap_ptr_array (&current->calibration_ids, &fresh->calibration_ids);
      swap_ptr_array (&current->cvns, &fresh->cvns);
    }
  if (fresh->parts & OBD_SNAPSHOT_DTCS)
    swap_array (&current->dtcs, &fresh->dtcs);
  if (fresh->parts & OBD_SNAPSHOT_FREEZE)
    {
      memcpy (current->freeze_dtc, fresh->freeze_dtc, sizeof current->freeze_dtc);
      current->freeze_ecu = fresh->freeze_ecu;
      swap_array (&current->freeze_values, &fresh->freeze_values);
    }
  if (fresh->parts & OBD_SNAPSHOT_READINESS)
    {
      swap_array (&current->readiness, &fresh->readiness);
      swap_array (&current->readiness_cycle, &fresh->readiness_cycle);
      current->km_since_clear = fresh->km_since_clear;
      current->warmups_since_clear = fresh->warmups_since_clear;
    }
  if (fresh->parts & OBD_SNAPSHOT_MONITORS)
    {
      current->monitors_supported = fresh->monitors_supported;
      swap_array (&current->monitors, &fresh->monitors);
    }
  current->parts |= fresh->parts;
  obd_snapshot_free (fresh);
}

static void
apply_snapshot (ObdSession  *self,
                ObdSnapshot *fresh)
{
  ObdSnapshotParts parts = fresh->parts;

  merge_snapshot (self, fresh);

  if (self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      if ((parts & OBD_SNAPSHOT_INFO) && self->snapshot->vin != NULL)
        {
          gint64 id = obd_diagnosis_ensure_vehicle (self->store, self->snapshot, &error);

          if (id == 0 && error != NULL)
            g_warning ("Could not remember the vehicle: %s", error->message);
          else if (id != self->vehicle_id)
            {
              self->vehicle_id = id;
              g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
            }
          g_clear_error (&error);
        }

      /* Codes enter the vehicle's history as they are seen. */
      if ((parts & OBD_SNAPSHOT_DTCS) && self->vehicle_id != 0)
        {
          g_autoptr(ObdSnapshot) codes_only = obd_snapshot_new ();

          g_array_append_vals (codes_only->dtcs, self->snapshot->dtcs->data,
                               self->snapshot->dtcs->len);
          codes_only->time_us = self->snapshot->time_us;
          if (!obd_diagnosis_store_snapshot (self->store, self->vehicle_id, 0, codes_only,
                                             &error))
            g_warning ("Could not store the trouble codes: %s", error->message);
        }
    }

  update_vehicle_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
  update_health (self);
}

static void
on_refresh_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  ObdSnapshot *fresh;

  fresh = obd_worker_run_finish (OBD_WORKER (source), result, &error);
  if (fresh == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  apply_snapshot (self, fresh);
  g_task_return_boolean (task, TRUE);
}

void
obd_session_refresh_async (ObdSession          *self,
                           ObdSnapshotParts     parts,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OBD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_session_refresh_async);

  if (self->worker == NULL || self->state != OBD_SESSION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                               _("Not connected to a vehicle. Connect first."));
      return;
    }

  obd_worker_run_async (self->worker, read_snapshot_job, GUINT_TO_POINTER (parts), NULL,
                        (GDestroyNotify) obd_snapshot_free, cancellable, on_refresh_done_cb,
                        g_steal_pointer (&task));
}

gboolean
obd_session_refresh_finish (ObdSession    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
clear_codes_job (ObdAdapter    *adapter,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  /* The clear and what the car reports after it, Mode 06 included: the
   * test results from before the clear must not keep counting. */
  return obd_diagnosis_clear_codes (adapter, NULL, cancellable, error);
}

static void
on_clear_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdSession *self = g_task_get_source_object (task);
  const char *cleared_by = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ObdSnapshot *fresh;

  fresh = obd_worker_run_finish (OBD_WORKER (source), result, &error);
  if (fresh == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->store != NULL && self->vehicle_id != 0 &&
      !obd_store_clear_dtcs (self->store, self->vehicle_id, cleared_by, g_get_real_time (),
                             &error))
    g_warning ("The codes were cleared but the history could not record it: %s",
               error->message);

  apply_snapshot (self, fresh);
  g_task_return_boolean (task, TRUE);
}

void
obd_session_clear_codes_async (ObdSession          *self,
                               const char          *cleared_by,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OBD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_session_clear_codes_async);
  g_task_set_task_data (task, g_strdup (cleared_by != NULL ? cleared_by : g_get_user_name ()),
                        g_free);

  if (self->worker == NULL || self->state != OBD_SESSION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                               _("Not connected to a vehicle. Connect first."));
      return;
    }

  obd_worker_run_async (self->worker, clear_codes_job, NULL, NULL,
                        (GDestroyNotify) obd_snapshot_free, cancellable, on_clear_done_cb,
                        g_steal_pointer (&task));
}

gboolean
obd_session_clear_codes_finish (ObdSession    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- connection ---------------------------------------------------------- */

static gboolean
update_rate_cb (gpointer data)
{
  ObdSession *self = data;
  double rate = self->worker != NULL ? obd_worker_get_values_per_second (self->worker) : 0;

  if (fabs (rate - self->link_rate) >= 0.5)
    {
      self->link_rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_RATE]);
    }

  return G_SOURCE_CONTINUE;
}

static void
on_initial_refresh_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!obd_session_refresh_finish (OBD_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not read the vehicle: %s", error->message);
}

static void
on_worker_state_changed_cb (ObdSession *self,
                            ObdWorker  *worker)
{
  switch (obd_worker_get_state (worker))
    {
    case OBD_WORKER_STATE_CONNECTING:
      set_string (self, &self->status_text,
                  _("Connecting to the adapter and searching for the vehicle’s protocol…"),
                  PROP_STATUS_TEXT);
      set_state (self, OBD_SESSION_STATE_CONNECTING);
      break;

    case OBD_WORKER_STATE_CONNECTED:
      {
        gboolean first = self->state == OBD_SESSION_STATE_CONNECTING;

        set_string (self, &self->adapter_version, obd_worker_get_adapter_version (worker),
                    PROP_ADAPTER_VERSION);
        set_string (self, &self->protocol_name,
                    obd_protocol_get_name (obd_worker_get_protocol (worker)),
                    PROP_PROTOCOL_NAME);
        set_string (self, &self->status_text, _("Connected"), PROP_STATUS_TEXT);
        set_state (self, OBD_SESSION_STATE_CONNECTED);
        if (self->rate_source == 0)
          self->rate_source = g_timeout_add_seconds (1, update_rate_cb, self);
        if (first)
          obd_session_refresh_async (self, OBD_SNAPSHOT_ALL, self->cancellable,
                                     on_initial_refresh_cb, NULL);
      }
      break;

    case OBD_WORKER_STATE_RECONNECTING:
      set_string (self, &self->status_text,
                  _("The link to the adapter dropped. Reconnecting…"), PROP_STATUS_TEXT);
      set_state (self, OBD_SESSION_STATE_RECONNECTING);
      break;

    case OBD_WORKER_STATE_IDLE:
    case OBD_WORKER_STATE_STOPPED:
    default:
      break;
    }
}

static void
teardown (ObdSession   *self,
          const GError *error)
{
  g_autoptr(GError) record_error = NULL;

  if (!obd_session_stop_recording (self, &record_error))
    g_warning ("Recording did not end cleanly: %s", record_error->message);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->rate_source, g_source_remove);
  if (self->link_rate != 0)
    {
      self->link_rate = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_RATE]);
    }

  set_error (self, error);
  set_string (self, &self->status_text,
              error != NULL ? error->message : _("Not connected"), PROP_STATUS_TEXT);
  set_state (self, OBD_SESSION_STATE_DISCONNECTED);
}

static void
on_worker_stopped_cb (ObdSession   *self,
                      const GError *error,
                      ObdWorker    *worker)
{
  if (worker != self->worker)
    return;

  g_signal_handlers_disconnect_by_data (worker, self);
  g_clear_object (&self->worker);
  teardown (self, error);
}

void
obd_session_connect (ObdSession *self,
                     const char *connection)
{
  g_return_if_fail (OBD_IS_SESSION (self));
  g_return_if_fail (connection != NULL);

  obd_session_disconnect (self);

  set_error (self, NULL);
  set_string (self, &self->connection, connection, PROP_CONNECTION);
  set_string (self, &self->adapter_version, NULL, PROP_ADAPTER_VERSION);
  set_string (self, &self->protocol_name, NULL, PROP_PROTOCOL_NAME);
  g_hash_table_remove_all (self->latest);
  self->batch_max_us = 0;
  self->batch_total_us = 0;
  self->n_batches = 0;
  g_clear_pointer (&self->snapshot, obd_snapshot_free);
  g_clear_pointer (&self->health, obd_health_report_free);
  obd_alert_monitor_reset (self->alerts);
  g_ptr_array_set_size (self->active_alerts, 0);
  if (self->vehicle_id != 0)
    {
      self->vehicle_id = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
  update_vehicle_title (self);

  self->cancellable = g_cancellable_new ();
  self->worker = obd_worker_new (connection, self->strategy, OBD_PROTOCOL_AUTO);
  g_signal_connect_object (self->worker, "state-changed",
                           G_CALLBACK (on_worker_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->worker, "samples", G_CALLBACK (on_worker_samples_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->worker, "stopped", G_CALLBACK (on_worker_stopped_cb), self,
                           G_CONNECT_SWAPPED);

  set_string (self, &self->status_text, _("Connecting to the adapter…"), PROP_STATUS_TEXT);
  set_state (self, OBD_SESSION_STATE_CONNECTING);
  obd_worker_start (self->worker);
}

void
obd_session_disconnect (ObdSession *self)
{
  g_autoptr(ObdWorker) worker = NULL;

  g_return_if_fail (OBD_IS_SESSION (self));

  if (self->worker == NULL)
    return;

  /* Stop delivers the samples still pending (recorded below) and then
   * ::stopped, which we no longer listen to: a disconnect asked for is not
   * an error. */
  worker = g_steal_pointer (&self->worker);
  g_signal_handlers_disconnect_matched (worker, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_signal_connect_object (worker, "samples", G_CALLBACK (on_worker_samples_cb), self,
                           G_CONNECT_SWAPPED);
  obd_worker_stop (worker);
  g_signal_handlers_disconnect_matched (worker, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);

  teardown (self, NULL);
}

/* ---- accessors ---------------------------------------------------------- */

ObdStore *
obd_session_get_store (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->store;
}

ObdSessionState
obd_session_get_state (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), OBD_SESSION_STATE_DISCONNECTED);

  return self->state;
}

const char *
obd_session_get_connection (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->connection;
}

const char *
obd_session_get_status_text (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->status_text;
}

const GError *
obd_session_get_error (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->error;
}

const char *
obd_session_get_adapter_version (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->adapter_version;
}

const char *
obd_session_get_protocol_name (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->protocol_name;
}

gint64
obd_session_get_vehicle_id (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), 0);

  return self->vehicle_id;
}

const char *
obd_session_get_vehicle_title (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->vehicle_title;
}

double
obd_session_get_link_rate (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), 0);

  return self->link_rate;
}

void
obd_session_set_strategy (ObdSession  *self,
                          ObdStrategy  strategy)
{
  g_return_if_fail (OBD_IS_SESSION (self));

  if (self->strategy == strategy)
    return;

  self->strategy = strategy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRATEGY]);
}

GArray *
obd_session_dup_supported_pids (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  if (self->worker == NULL || self->state == OBD_SESSION_STATE_CONNECTING)
    return g_array_new (FALSE, FALSE, sizeof (guint8));

  return obd_worker_dup_supported_pids (self->worker);
}

void
obd_session_set_watched_pids (ObdSession   *self,
                              const guint8 *pids,
                              const guint  *priorities,
                              gsize         n_pids)
{
  g_return_if_fail (OBD_IS_SESSION (self));

  if (self->worker != NULL)
    obd_worker_set_pids (self->worker, pids, priorities, n_pids);
}

double
obd_session_get_latest (ObdSession *self,
                        guint8      pid,
                        guint8      index,
                        gint64     *time_us)
{
  Latest *latest;

  g_return_val_if_fail (OBD_IS_SESSION (self), NAN);

  latest = g_hash_table_lookup (self->latest, GUINT_TO_POINTER ((guint) pid << 8 | index));
  if (time_us != NULL)
    *time_us = latest != NULL ? latest->time_us : 0;

  return latest != NULL ? latest->value : NAN;
}

const ObdSnapshot *
obd_session_get_snapshot (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->snapshot;
}

const ObdHealthReport *
obd_session_get_health (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->health;
}

GPtrArray *
obd_session_get_active_alerts (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);

  return self->active_alerts;
}

void
obd_session_set_alert_thresholds (ObdSession               *self,
                                  const ObdAlertThresholds *thresholds)
{
  g_return_if_fail (OBD_IS_SESSION (self));
  g_return_if_fail (thresholds != NULL);

  self->thresholds = *thresholds;
  obd_alert_monitor_set_thresholds (self->alerts, thresholds);
}

/* ---- GObject ------------------------------------------------------------- */

static void
obd_session_dispose (GObject *object)
{
  ObdSession *self = OBD_SESSION (object);

  obd_session_disconnect (self);
  g_clear_object (&self->recorder);

  G_OBJECT_CLASS (obd_session_parent_class)->dispose (object);
}

static void
obd_session_finalize (GObject *object)
{
  ObdSession *self = OBD_SESSION (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_free (self->connection);
  g_free (self->status_text);
  g_clear_error (&self->error);
  g_free (self->adapter_version);
  g_free (self->protocol_name);
  g_free (self->vehicle_title);
  g_hash_table_unref (self->latest);
  g_clear_pointer (&self->snapshot, obd_snapshot_free);
  g_clear_pointer (&self->health, obd_health_report_free);
  obd_alert_monitor_free (self->alerts);
  g_ptr_array_unref (self->active_alerts);

  G_OBJECT_CLASS (obd_session_parent_class)->finalize (object);
}

static void
obd_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ObdSession *self = OBD_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_CONNECTION:
      g_value_set_string (value, self->connection);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_ADAPTER_VERSION:
      g_value_set_string (value, self->adapter_version);
      break;
    case PROP_PROTOCOL_NAME:
      g_value_set_string (value, self->protocol_name);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_int64 (value, self->vehicle_id);
      break;
    case PROP_VEHICLE_TITLE:
      g_value_set_string (value, self->vehicle_title);
      break;
    case PROP_LINK_RATE:
      g_value_set_double (value, self->link_rate);
      break;
    case PROP_SNAPSHOT:
      g_value_set_pointer (value, self->snapshot);
      break;
    case PROP_HEALTH:
      g_value_set_pointer (value, self->health);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recording_started != 0);
      break;
    case PROP_RECORDED_SAMPLES:
      g_value_set_uint64 (value, self->recorded_samples);
      break;
    case PROP_RECORDING_STARTED:
      g_value_set_int64 (value, self->recording_started);
      break;
    case PROP_STRATEGY:
      g_value_set_int (value, self->strategy);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_session_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ObdSession *self = OBD_SESSION (object);

  switch (prop_id)
    {
    case PROP_STRATEGY:
      obd_session_set_strategy (self, g_value_get_int (value));
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_session_class_init (ObdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = obd_session_dispose;
  object_class->finalize = obd_session_finalize;
  object_class->get_property = obd_session_get_property;
  object_class->set_property = obd_session_set_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, OBD_SESSION_STATE_DISCONNECTED,
                      OBD_SESSION_STATE_RECONNECTING, OBD_SESSION_STATE_DISCONNECTED, ro);
  properties[PROP_CONNECTION] = g_param_spec_string ("connection", NULL, NULL, NULL, ro);
  properties[PROP_STATUS_TEXT] = g_param_spec_string ("status-text", NULL, NULL, NULL, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_ADAPTER_VERSION] =
    g_param_spec_string ("adapter-version", NULL, NULL, NULL, ro);
  properties[PROP_PROTOCOL_NAME] = g_param_spec_string ("protocol-name", NULL, NULL, NULL, ro);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_VEHICLE_TITLE] = g_param_spec_string ("vehicle-title", NULL, NULL, NULL, ro);
  properties[PROP_LINK_RATE] =
    g_param_spec_double ("link-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_SNAPSHOT] = g_param_spec_pointer ("snapshot", NULL, NULL, ro);
  properties[PROP_HEALTH] = g_param_spec_pointer ("health", NULL, NULL, ro);
  properties[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE, ro);
  properties[PROP_RECORDED_SAMPLES] =
    g_param_spec_uint64 ("recorded-samples", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RECORDING_STARTED] =
    g_param_spec_int64 ("recording-started", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_STRATEGY] =
    g_param_spec_int ("strategy", NULL, NULL, OBD_STRATEGY_FAST, OBD_STRATEGY_NAIVE,
                      OBD_STRATEGY_FAST,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, OBD_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ObdSession::samples:
   * @samples: (element-type ObdSample): a batch of readings
   */
  signals[SIGNAL_SAMPLES] =
    g_signal_new ("samples", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ObdSession::alert:
   * @event: (type gpointer): the ObdAlertEvent, valid during the emission
   */
  signals[SIGNAL_ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
obd_session_init (ObdSession *self)
{
  self->latest = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  obd_alert_thresholds_init_defaults (&self->thresholds);
  self->alerts = obd_alert_monitor_new (&self->thresholds);
  self->active_alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  self->vehicle_title = g_strdup (_("Vehicle"));
  self->status_text = g_strdup (_("Not connected"));
}

ObdSession *
obd_session_new (ObdStore *store)
{
  g_return_val_if_fail (store == NULL || OBD_IS_STORE (store), NULL);

  return g_object_new (OBD_TYPE_SESSION, "store", store, NULL);
}
