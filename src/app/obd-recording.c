/* obd-recording.c — recording the live readings into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-session"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-diagnosis.h"
#include "obd-recorder.h"
#include "obd-recording.h"
#include "obd-recording-private.h"

struct _ObdRecording
{
  GObject           parent_instance;

  ObdStoreService  *store;
  ObdRecorder      *recorder;
  gboolean          busy;
  gint64            started;        /* 0 when not recording */
  guint64           recorded;
  gint64            session_id;
  gint64            vehicle_id;
  GError           *error;

  /* What is written into the session beside its samples (the snapshot
   * read at the start, the live alerts) goes through the store's thread
   * and must be in before the recorder seals the session. */
  GPtrArray        *alerts;          /* ObdAlertEvent: the set now raised */
  gboolean          alerts_dirty;    /* not yet written into the session */
  gboolean          alerts_writing;
  guint             n_writes;        /* in flight */
  GTask            *stop_task;       /* a stop waiting for them */
};

G_DEFINE_FINAL_TYPE (ObdRecording, obd_recording, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RECORDING,
  PROP_BUSY,
  PROP_RECORDED_SAMPLES,
  PROP_RECORDING_STARTED,
  PROP_SESSION_ID,
  PROP_ERROR,
  N_PROPS
};

enum
{
  SIGNAL_STORE_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_busy (ObdRecording *self,
          gboolean      busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_error (ObdRecording *self,
           const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Recording on or off: the three properties that say so change together. */
static void
set_started (ObdRecording *self,
             gint64        started)
{
  gboolean was_recording = self->started != 0;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->started != started)
    {
      self->started = started;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_STARTED]);
    }
  if (was_recording != (started != 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_recorder_failed_cb (ObdRecording *self,
                       const GError *error)
{
  g_info ("Recording stopped: %s", error->message);
  set_started (self, 0);
  set_busy (self, FALSE);
  set_error (self, error);
  /* What was committed before the failure is a session worth listing. */
  obd_store_service_emit_changed (self->store, "session", self->vehicle_id);
}

/* Start -------------------------------------------------------------------- */

typedef struct
{
  gint64       vehicle_id;
  gint64       session_id;
  ObdSnapshot *snapshot;
} SnapshotWrite;

static void
snapshot_write_free (gpointer data)
{
  SnapshotWrite *write = data;

  g_clear_pointer (&write->snapshot, obd_snapshot_free);
  g_free (write);
}

static gpointer
store_snapshot_job (ObdStore      *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  SnapshotWrite *write = data;

  if (!obd_diagnosis_store_snapshot (store, write->vehicle_id, write->session_id,
                                     write->snapshot, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void write_alerts  (ObdRecording *self);
static void stop_recorder (ObdRecording *self);

/* A write into the session ended: the next one, or the stop that waited. */
static void
write_done (ObdRecording *self,
            const GError *error,
            const char   *what)
{
  g_assert (self->n_writes > 0);
  self->n_writes--;
  /* After recording failed on its own (a full disk) its banner says so;
   * every write after it failing too is no news. */
  if (error != NULL && self->error == NULL)
    g_signal_emit (self, signals[SIGNAL_STORE_ERROR], 0, what, error);
  if (self->alerts_dirty && self->session_id != 0 && self->error == NULL)
    write_alerts (self);
  if (self->n_writes == 0 && self->stop_task != NULL)
    stop_recorder (self);
}

static void
on_snapshot_stored_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr(ObdRecording) self = data;
  g_autoptr(GError) error = NULL;

  obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);
  write_done (self, error,
              _("The trouble codes and readiness found at the start could not be saved "
                "with the recording"));
}

/* Alerts ---------------------------------------------------------------- */

typedef struct
{
  gint64     session_id;
  GPtrArray *alerts;
} AlertsWrite;

static void
alerts_write_free (gpointer data)
{
  AlertsWrite *write = data;

  g_ptr_array_unref (write->alerts);
  g_free (write);
}

static gpointer
store_alerts_job (ObdStore      *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  AlertsWrite *write = data;

  if (!obd_diagnosis_store_session_alerts (store, write->session_id, write->alerts, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
on_alerts_stored_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(ObdRecording) self = data;
  g_autoptr(GError) error = NULL;

  self->alerts_writing = FALSE;
  obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);
  write_done (self, error, _("The live alerts could not be saved with the recording"));
}

/* One write in flight at a time, of the latest set: the store holds a
 * session's alerts as a set, so only the last one matters. */
static void
write_alerts (ObdRecording *self)
{
  AlertsWrite *write;

  if (self->alerts_writing)
    return;
  write = g_new0 (AlertsWrite, 1);
  write->session_id = self->session_id;
  write->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  for (guint i = 0; self->alerts != NULL && i < self->alerts->len; i++)
    g_ptr_array_add (write->alerts, obd_alert_event_copy (g_ptr_array_index (self->alerts, i)));
  self->alerts_dirty = FALSE;
  self->alerts_writing = TRUE;
  self->n_writes++;
  obd_store_service_write_async (self->store, "health", self->vehicle_id, store_alerts_job,
                                 write, alerts_write_free, NULL, on_alerts_stored_cb,
                                 g_object_ref (self));
}

void
obd_recording_set_alerts (ObdRecording *self,
                          GPtrArray    *active_alerts)
{
  g_return_if_fail (OBD_IS_RECORDING (self));
  g_return_if_fail (active_alerts != NULL);

  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  self->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  for (guint i = 0; i < active_alerts->len; i++)
    g_ptr_array_add (self->alerts, obd_alert_event_copy (g_ptr_array_index (active_alerts, i)));
  if (self->started == 0 || self->session_id == 0 || self->error != NULL)
    return;
  self->alerts_dirty = TRUE;
  write_alerts (self);
}

static void
on_recorder_started_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdRecording *self = g_task_get_source_object (task);
  SnapshotWrite *write = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 id;

  set_busy (self, FALSE);
  id = obd_recorder_start_session_finish (OBD_RECORDER (source), result, &error);
  if (id == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->session_id = id;
  self->recorded = 0;
  set_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDED_SAMPLES]);
  set_started (self, g_get_real_time ());

  if (write->snapshot != NULL)
    {
      SnapshotWrite *copy = g_new0 (SnapshotWrite, 1);

      copy->vehicle_id = write->vehicle_id;
      copy->session_id = id;
      copy->snapshot = g_steal_pointer (&write->snapshot);
      self->n_writes++;
      obd_store_service_write_async (self->store, "session", write->vehicle_id,
                                     store_snapshot_job, copy, snapshot_write_free, NULL,
                                     on_snapshot_stored_cb, g_object_ref (self));
    }
  /* The alerts raised before the start are part of the session too. */
  if (self->alerts != NULL && self->alerts->len > 0)
    {
      self->alerts_dirty = TRUE;
      write_alerts (self);
    }
  obd_store_service_emit_changed (self->store, "session", write->vehicle_id);
  g_task_return_boolean (task, TRUE);
}

void
obd_recording_start_async (ObdRecording        *self,
                           gint64               vehicle_id,
                           const char          *protocol,
                           const char          *adapter,
                           const char          *connection,
                           const ObdSnapshot   *snapshot,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SnapshotWrite *write;

  g_return_if_fail (OBD_IS_RECORDING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_recording_start_async);

  if (self->started != 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Recording is already starting or stopping. Wait a moment."));
      return;
    }
  if (self->store == NULL || obd_store_service_get_state (self->store) == OBD_STORE_SERVICE_FAILED)
    {
      g_task_return_new_error (task, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                               _("The local history is not available, so nothing can be "
                                 "recorded. See the message on the start page."));
      return;
    }
  if (obd_store_service_get_read_only (self->store))
    {
      g_task_return_new_error (task, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                               _("The local history can only be read, so nothing can be "
                                 "recorded. Check that the disk is not write-protected and "
                                 "that the file “%s” may be written."),
                               obd_store_service_get_path (self->store));
      return;
    }

  if (self->recorder == NULL)
    {
      self->recorder = obd_recorder_new_for_path (obd_store_service_get_path (self->store));
      g_signal_connect_object (self->recorder, "failed", G_CALLBACK (on_recorder_failed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  write = g_new0 (SnapshotWrite, 1);
  write->vehicle_id = vehicle_id;
  write->snapshot = snapshot != NULL ? obd_snapshot_copy (snapshot) : NULL;
  g_task_set_task_data (task, write, snapshot_write_free);
  self->vehicle_id = vehicle_id;

  set_busy (self, TRUE);
  obd_recorder_start_session_async (self->recorder, vehicle_id, protocol, adapter, connection,
                                    NULL, on_recorder_started_cb, g_steal_pointer (&task));
}

gboolean
obd_recording_start_finish (ObdRecording  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Stop ---------------------------------------------------------------------- */

static void
on_recorder_stopped_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdRecording *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  obd_store_service_emit_changed (self->store, "session", self->vehicle_id);
  if (!obd_recorder_stop_session_finish (OBD_RECORDER (source), result, &error))
    {
      set_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
obd_recording_stop_async (ObdRecording        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OBD_IS_RECORDING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_recording_stop_async);
  if (self->started == 0 || self->recorder == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->stop_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Recording is already stopping. Wait a moment."));
      return;
    }

  /* Nothing read from now on belongs to the session; what is on its way
   * to it (the snapshot, the alerts) goes in before it is sealed. */
  set_started (self, 0);
  set_busy (self, TRUE);
  self->stop_task = g_steal_pointer (&task);
  if (self->n_writes == 0)
    stop_recorder (self);
}

static void
stop_recorder (ObdRecording *self)
{
  GTask *task = g_steal_pointer (&self->stop_task);

  obd_recorder_stop_session_async (self->recorder, NULL, on_recorder_stopped_cb, task);
}

gboolean
obd_recording_stop_finish (ObdRecording  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
obd_recording_push (ObdRecording *self,
                    GArray       *samples)
{
  g_return_if_fail (OBD_IS_RECORDING (self));

  if (self->started == 0 || self->recorder == NULL || samples->len == 0)
    return;
  obd_recorder_push_samples (self->recorder, (const ObdSample *) samples->data, samples->len);
  self->recorded += samples->len;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDED_SAMPLES]);
}

gboolean
obd_recording_get_recording (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), FALSE);
  return self->started != 0;
}

gboolean
obd_recording_get_busy (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), FALSE);
  return self->busy;
}

guint64
obd_recording_get_recorded_samples (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), 0);
  return self->recorded;
}

gint64
obd_recording_get_started (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), 0);
  return self->started;
}

gint64
obd_recording_get_session_id (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), 0);
  return self->session_id;
}

const GError *
obd_recording_get_error (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), NULL);
  return self->error;
}

/* GObject -------------------------------------------------------------------- */

static void
obd_recording_dispose (GObject *object)
{
  ObdRecording *self = OBD_RECORDING (object);

  /* The recorder seals a session still open as it goes (its thread ends
   * it complete). */
  g_clear_object (&self->recorder);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (obd_recording_parent_class)->dispose (object);
}

static void
obd_recording_finalize (GObject *object)
{
  ObdRecording *self = OBD_RECORDING (object);

  g_clear_error (&self->error);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);

  G_OBJECT_CLASS (obd_recording_parent_class)->finalize (object);
}

static void
obd_recording_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdRecording *self = OBD_RECORDING (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      g_value_set_boolean (value, self->started != 0);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_RECORDED_SAMPLES:
      g_value_set_uint64 (value, self->recorded);
      break;
    case PROP_RECORDING_STARTED:
      g_value_set_int64 (value, self->started);
      break;
    case PROP_SESSION_ID:
      g_value_set_int64 (value, self->session_id);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_recording_class_init (ObdRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = obd_recording_dispose;
  object_class->finalize = obd_recording_finalize;
  object_class->get_property = obd_recording_get_property;

  properties[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_RECORDED_SAMPLES] =
    g_param_spec_uint64 ("recorded-samples", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RECORDING_STARTED] =
    g_param_spec_int64 ("recording-started", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SESSION_ID] =
    g_param_spec_int64 ("session-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ObdRecording::store-error:
   * @what: what could not be saved, a sentence
   * @error: why
   */
  signals[SIGNAL_STORE_ERROR] =
    g_signal_new ("store-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
obd_recording_init (ObdRecording *self)
{
}

ObdRecording *
obd_recording_new (ObdStoreService *store)
{
  ObdRecording *self;

  g_return_val_if_fail (store == NULL || OBD_IS_STORE_SERVICE (store), NULL);

  self = g_object_new (OBD_TYPE_RECORDING, NULL);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  return self;
}

ObdRecorder *
_obd_recording_get_recorder (ObdRecording *self)
{
  g_return_val_if_fail (OBD_IS_RECORDING (self), NULL);
  return self->recorder;
}
