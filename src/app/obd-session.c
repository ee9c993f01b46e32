/* obd-session.c — the application's model of "the vehicle on the bench"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The wiring of the four parts, and their properties shown as the
 * session's own (a table: each session property names its part and the
 * part's property).  The session's own work is what crosses parts: a
 * sample batch goes to the live data, the recording and the pages; an
 * alert raised goes into the store with the session being recorded; a
 * snapshot read goes to the vehicle state.
 */
#define G_LOG_DOMAIN "obd-session"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-session.h"

typedef enum
{
  PART_LINK,
  PART_LIVE,
  PART_VEHICLE,
  PART_RECORDING,
  N_PARTS
} Part;

struct _ObdSession
{
  GObject            parent_instance;

  ObdStoreService   *store;
  GObject           *parts[N_PARTS];
  GCancellable      *cancellable;     /* of the current connection's reads */
  GArray            *wanted_pids;     /* guint8: what the pages asked to poll */
  GArray            *wanted_priorities; /* guint */
  GHashTable        *extra_watches;   /* id → Watch: polled on top, while a view needs them */
  guint              last_watch_id;

  gint64             batch_max_us;
  gint64             batch_total_us;
  guint64            n_batches;
};

G_DEFINE_FINAL_TYPE (ObdSession, obd_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_CONNECTION,
  PROP_STATUS_TEXT,
  PROP_ERROR,
  PROP_ADAPTER_VERSION,
  PROP_PROTOCOL_NAME,
  PROP_LINK_RATE,
  PROP_STRATEGY,
  PROP_VEHICLE_ID,
  PROP_VEHICLE_TITLE,
  PROP_SNAPSHOT,
  PROP_HEALTH,
  PROP_ACTIVE_ALERTS,
  PROP_ALERT_THRESHOLDS,
  PROP_ENGINE_RUNNING,
  PROP_RECORDING,
  PROP_RECORDING_BUSY,
  PROP_RECORDED_SAMPLES,
  PROP_RECORDING_STARTED,
  PROP_RECORDING_ERROR,
  PROP_STORE,
  N_PROPS
};

enum
{
  SIGNAL_SAMPLES,
  SIGNAL_ALERT,
  SIGNAL_PROBLEM,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The readings the live alerts need (obd_alert_get_watched_pids) are
 * polled in the background whatever the pages show, so the alerts work
 * in every view. */
#define PRIORITY_ALERTS 1

typedef struct
{
  GArray *pids;       /* guint8 */
  guint   priority;
} Watch;

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_array_unref (watch->pids);
  g_free (watch);
}

/* Which part answers for which property of the session. */
static const struct
{
  guint       prop;
  Part        part;
  const char *name;   /* the part's property */
} forwards[] = {
  { PROP_STATE, PART_LINK, "state" },
  { PROP_CONNECTION, PART_LINK, "connection" },
  { PROP_STATUS_TEXT, PART_LINK, "status-text" },
  { PROP_ERROR, PART_LINK, "error" },
  { PROP_ADAPTER_VERSION, PART_LINK, "adapter-version" },
  { PROP_PROTOCOL_NAME, PART_LINK, "protocol-name" },
  { PROP_LINK_RATE, PART_LINK, "link-rate" },
  { PROP_STRATEGY, PART_LINK, "strategy" },
  { PROP_VEHICLE_ID, PART_VEHICLE, "vehicle-id" },
  { PROP_VEHICLE_TITLE, PART_VEHICLE, "vehicle-title" },
  { PROP_SNAPSHOT, PART_VEHICLE, "snapshot" },
  { PROP_HEALTH, PART_VEHICLE, "health" },
  { PROP_ACTIVE_ALERTS, PART_LIVE, "active-alerts" },
  { PROP_ALERT_THRESHOLDS, PART_LIVE, "thresholds" },
  { PROP_ENGINE_RUNNING, PART_LIVE, "engine-running" },
  { PROP_RECORDING, PART_RECORDING, "recording" },
  { PROP_RECORDING_BUSY, PART_RECORDING, "busy" },
  { PROP_RECORDED_SAMPLES, PART_RECORDING, "recorded-samples" },
  { PROP_RECORDING_STARTED, PART_RECORDING, "recording-started" },
  { PROP_RECORDING_ERROR, PART_RECORDING, "error" },
};

#define LINK(self)      OBD_CONNECTION ((self)->parts[PART_LINK])
#define LIVE(self)      OBD_LIVE_DATA ((self)->parts[PART_LIVE])
#define VEHICLE(self)   OBD_VEHICLE_STATE ((self)->parts[PART_VEHICLE])
#define RECORDING(self) OBD_RECORDING ((self)->parts[PART_RECORDING])

static void
on_part_notify_cb (ObdSession *self,
                   GParamSpec *pspec,
                   GObject    *part)
{
  for (guint i = 0; i < G_N_ELEMENTS (forwards); i++)
    if (self->parts[forwards[i].part] == part && g_str_equal (forwards[i].name, pspec->name))
      {
        g_object_notify_by_pspec (G_OBJECT (self), properties[forwards[i].prop]);
        return;
      }
}

static void
on_problem_cb (ObdSession   *self,
               const char   *what,
               const GError *error)
{
  g_signal_emit (self, signals[SIGNAL_PROBLEM], 0, what, error);
}

/* Samples and alerts ------------------------------------------------------ */

static void
on_samples_cb (ObdSession *self,
               GArray     *samples)
{
  gint64 started = g_get_monotonic_time ();
  gint64 spent;

  obd_live_data_feed (LIVE (self), samples);
  obd_recording_push (RECORDING (self), samples);
  g_signal_emit (self, signals[SIGNAL_SAMPLES], 0, samples);

  spent = g_get_monotonic_time () - started;
  self->batch_max_us = MAX (self->batch_max_us, spent);
  self->batch_total_us += spent;
  self->n_batches++;
}

static void
on_alert_cb (ObdSession          *self,
             const ObdAlertEvent *event)
{
  if (event->type == OBD_ALERT_EVENT_RAISED)
    obd_vehicle_state_record_alert (VEHICLE (self), event,
                                    obd_recording_get_recording (RECORDING (self))
                                      ? obd_recording_get_session_id (RECORDING (self)) : 0);
  g_signal_emit (self, signals[SIGNAL_ALERT], 0, event);
}

static void
on_active_alerts_cb (ObdSession *self)
{
  GPtrArray *active = obd_live_data_get_active_alerts (LIVE (self));

  obd_vehicle_state_set_alerts (VEHICLE (self), active);
  obd_recording_set_alerts (RECORDING (self), active);
}

/* Reading the vehicle -------------------------------------------------------- */

static void
on_read_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  ObdSnapshot *fresh = obd_connection_read_finish (OBD_CONNECTION (source), result, &error);

  if (fresh == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A clear is recorded once the car confirms it. */
  if (g_task_get_source_tag (task) == obd_session_clear_codes_async)
    obd_vehicle_state_record_clear (VEHICLE (self), g_task_get_task_data (task));
  obd_vehicle_state_apply (VEHICLE (self), fresh);
  g_task_return_boolean (task, TRUE);
}

void
obd_session_refresh_async (ObdSession          *self,
                           ObdSnapshotParts     parts,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OBD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_session_refresh_async);
  obd_connection_read_async (LINK (self), parts, cancellable, on_read_cb, task);
}

gboolean
obd_session_refresh_finish (ObdSession    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
obd_session_clear_codes_async (ObdSession          *self,
                               const char          *cleared_by,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OBD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_session_clear_codes_async);
  g_task_set_task_data (task, g_strdup (cleared_by != NULL ? cleared_by : g_get_user_name ()),
                        g_free);
  obd_connection_clear_codes_async (LINK (self), cancellable, on_read_cb, task);
}

gboolean
obd_session_clear_codes_finish (ObdSession    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_first_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  ObdSession *self = OBD_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!obd_session_refresh_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[SIGNAL_PROBLEM], 0,
                   _("The vehicle’s codes and information could not be read"), error);
}

static void
on_connected_cb (ObdSession *self)
{
  /* What the pages asked for, and the alerts' readings. */
  obd_session_set_watched_pids (self, (const guint8 *) self->wanted_pids->data,
                                (const guint *) self->wanted_priorities->data,
                                self->wanted_pids->len);
  obd_session_refresh_async (self, OBD_SNAPSHOT_ALL, self->cancellable, on_first_read_cb, NULL);
}

/* Recording -------------------------------------------------------------------- */

static void
on_recording_started_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;

  if (!obd_recording_start_finish (OBD_RECORDING (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
obd_session_start_recording_async (ObdSession          *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ObdConnection *link;

  g_return_if_fail (OBD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_session_start_recording_async);
  link = LINK (self);
  if (obd_connection_get_state (link) != OBD_SESSION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Connect to a vehicle before recording."));
      return;
    }
  obd_recording_start_async (RECORDING (self), obd_vehicle_state_get_vehicle_id (VEHICLE (self)),
                             obd_connection_get_protocol_name (link),
                             obd_connection_get_adapter_version (link),
                             obd_connection_get_connection (link),
                             obd_vehicle_state_get_snapshot (VEHICLE (self)), cancellable,
                             on_recording_started_cb, g_steal_pointer (&task));
}

gboolean
obd_session_start_recording_finish (ObdSession    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_recording_stopped_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;

  if (!obd_recording_stop_finish (OBD_RECORDING (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
obd_session_stop_recording_async (ObdSession          *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OBD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_session_stop_recording_async);
  obd_recording_stop_async (RECORDING (self), cancellable, on_recording_stopped_cb, task);
}

gboolean
obd_session_stop_recording_finish (ObdSession    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A disconnect ends the recording; nobody waits for that, so a failure
 * to seal it must still be told. */
static void
on_teardown_stopped_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data)
{
  g_autoptr(ObdSession) self = data;
  g_autoptr(GError) error = NULL;

  if (!obd_recording_stop_finish (OBD_RECORDING (source), result, &error))
    g_signal_emit (self, signals[SIGNAL_PROBLEM], 0,
                   _("The recording did not end cleanly; what was recorded is kept"), error);
}

static void
on_state_cb (ObdSession *self)
{
  if (obd_connection_get_state (LINK (self)) != OBD_SESSION_STATE_DISCONNECTED)
    return;
  g_cancellable_cancel (self->cancellable);
  if (obd_recording_get_recording (RECORDING (self)))
    obd_recording_stop_async (RECORDING (self), NULL, on_teardown_stopped_cb,
                              g_object_ref (self));
}

/* Connection ------------------------------------------------------------------- */

void
obd_session_connect (ObdSession *self,
                     const char *connection)
{
  g_return_if_fail (OBD_IS_SESSION (self));
  g_return_if_fail (connection != NULL);

  obd_session_disconnect (self);

  self->batch_max_us = 0;
  self->batch_total_us = 0;
  self->n_batches = 0;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  obd_live_data_reset (LIVE (self));
  obd_vehicle_state_reset (VEHICLE (self));
  obd_connection_connect (LINK (self), connection);
}

void
obd_session_disconnect (ObdSession *self)
{
  g_return_if_fail (OBD_IS_SESSION (self));

  obd_connection_disconnect (LINK (self));
}

/* Accessors -------------------------------------------------------------------- */

#define FORWARD(type, name, part_func, part)                 \
  type                                                       \
  obd_session_get_##name (ObdSession *self)                  \
  {                                                          \
    g_return_val_if_fail (OBD_IS_SESSION (self), (type) 0);  \
    return part_func (part (self));                          \
  }

FORWARD (ObdSessionState, state, obd_connection_get_state, LINK)
FORWARD (const char *, connection, obd_connection_get_connection, LINK)
FORWARD (const char *, status_text, obd_connection_get_status_text, LINK)
FORWARD (const GError *, error, obd_connection_get_error, LINK)
FORWARD (const char *, adapter_version, obd_connection_get_adapter_version, LINK)
FORWARD (const char *, protocol_name, obd_connection_get_protocol_name, LINK)
FORWARD (double, link_rate, obd_connection_get_link_rate, LINK)
FORWARD (gint64, vehicle_id, obd_vehicle_state_get_vehicle_id, VEHICLE)
FORWARD (const char *, vehicle_title, obd_vehicle_state_get_vehicle_title, VEHICLE)
FORWARD (const ObdSnapshot *, snapshot, obd_vehicle_state_get_snapshot, VEHICLE)
FORWARD (const ObdHealthReport *, health, obd_vehicle_state_get_health, VEHICLE)
FORWARD (GPtrArray *, active_alerts, obd_live_data_get_active_alerts, LIVE)
FORWARD (gboolean, recording, obd_recording_get_recording, RECORDING)
FORWARD (gboolean, recording_busy, obd_recording_get_busy, RECORDING)
FORWARD (guint64, recorded_samples, obd_recording_get_recorded_samples, RECORDING)
FORWARD (gint64, recording_started, obd_recording_get_started, RECORDING)
FORWARD (const GError *, recording_error, obd_recording_get_error, RECORDING)

#undef FORWARD

ObdStoreService *
obd_session_get_store (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);
  return self->store;
}

ObdConnection *
obd_session_get_link (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);
  return LINK (self);
}

ObdLiveData *
obd_session_get_live_data (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);
  return LIVE (self);
}

ObdVehicleState *
obd_session_get_vehicle_state (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);
  return VEHICLE (self);
}

ObdRecording *
obd_session_get_recorder (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);
  return RECORDING (self);
}

void
obd_session_set_strategy (ObdSession  *self,
                          ObdStrategy  strategy)
{
  g_return_if_fail (OBD_IS_SESSION (self));
  obd_connection_set_strategy (LINK (self), strategy);
}

void
obd_session_get_link_stats (ObdSession   *self,
                            ObdLinkStats *out_stats)
{
  g_return_if_fail (OBD_IS_SESSION (self));
  obd_connection_get_link_stats (LINK (self), out_stats);
}

GArray *
obd_session_dup_supported_pids (ObdSession *self)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NULL);
  return obd_connection_dup_supported_pids (LINK (self));
}

void
obd_session_set_watched_pids (ObdSession   *self,
                              const guint8 *pids,
                              const guint  *priorities,
                              gsize         n_pids)
{
  g_autoptr(GArray) all_pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr(GArray) all_priorities = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) supported = NULL;
  gboolean watched[256] = { FALSE };
  gboolean alerts_read[256] = { FALSE };
  guint background = PRIORITY_ALERTS;
  const guint8 *alert_pids;
  gsize n_alert_pids = 0;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (OBD_IS_SESSION (self));
  g_return_if_fail (n_pids == 0 || pids != NULL);

  /* Kept, for the connection to come if there is none now. */
  if ((gconstpointer) pids != (gconstpointer) self->wanted_pids->data)
    {
      g_array_set_size (self->wanted_pids, 0);
      g_array_set_size (self->wanted_priorities, 0);
      for (gsize i = 0; i < n_pids; i++)
        {
          guint priority = priorities != NULL ? priorities[i] : 1;

          g_array_append_val (self->wanted_pids, pids[i]);
          g_array_append_val (self->wanted_priorities, priority);
        }
    }
  g_array_append_vals (all_pids, self->wanted_pids->data, self->wanted_pids->len);
  g_array_append_vals (all_priorities, self->wanted_priorities->data,
                       self->wanted_priorities->len);
  for (guint i = 0; i < self->wanted_pids->len; i++)
    watched[g_array_index (self->wanted_pids, guint8, i)] = TRUE;

  alert_pids = obd_alert_get_watched_pids (&n_alert_pids);
  for (gsize i = 0; i < n_alert_pids; i++)
    alerts_read[alert_pids[i]] = TRUE;
  /* What a view watches besides: polled at least at its priority. */
  g_hash_table_iter_init (&iter, self->extra_watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Watch *watch = value;

      for (guint i = 0; i < watch->pids->len; i++)
        {
          guint8 pid = g_array_index (watch->pids, guint8, i);
          guint j;

          for (j = 0; j < all_pids->len && g_array_index (all_pids, guint8, j) != pid; j++)
            ;
          if (j == all_pids->len)
            {
              g_array_append_val (all_pids, pid);
              g_array_append_val (all_priorities, watch->priority);
              watched[pid] = TRUE;
            }
          else
            g_array_index (all_priorities, guint, j) = MAX (g_array_index (all_priorities,
                                                                           guint, j),
                                                            watch->priority);
        }
    }

  supported = obd_connection_dup_supported_pids (LINK (self));
  for (guint i = 0; i < supported->len; i++)
    {
      guint8 pid = g_array_index (supported, guint8, i);

      if (watched[pid] || !alerts_read[pid])
        continue;
      g_array_append_val (all_pids, pid);
      g_array_append_val (all_priorities, background);
    }
  obd_connection_set_watched_pids (LINK (self), (const guint8 *) all_pids->data,
                                   (const guint *) all_priorities->data, all_pids->len);
}

guint
obd_session_watch_pids (ObdSession   *self,
                        const guint8 *pids,
                        gsize         n_pids,
                        guint         priority)
{
  Watch *watch;

  g_return_val_if_fail (OBD_IS_SESSION (self), 0);
  g_return_val_if_fail (n_pids == 0 || pids != NULL, 0);
  g_return_val_if_fail (priority >= 1 && priority <= 10, 0);

  watch = g_new0 (Watch, 1);
  watch->pids = g_array_sized_new (FALSE, FALSE, sizeof (guint8), n_pids);
  g_array_append_vals (watch->pids, pids, n_pids);
  watch->priority = priority;
  g_hash_table_insert (self->extra_watches, GUINT_TO_POINTER (++self->last_watch_id), watch);
  obd_session_set_watched_pids (self, (const guint8 *) self->wanted_pids->data,
                                (const guint *) self->wanted_priorities->data,
                                self->wanted_pids->len);
  return self->last_watch_id;
}

void
obd_session_unwatch_pids (ObdSession *self,
                          guint       id)
{
  g_return_if_fail (OBD_IS_SESSION (self));

  if (!g_hash_table_remove (self->extra_watches, GUINT_TO_POINTER (id)))
    return;
  obd_session_set_watched_pids (self, (const guint8 *) self->wanted_pids->data,
                                (const guint *) self->wanted_priorities->data,
                                self->wanted_pids->len);
}

double
obd_session_get_latest (ObdSession *self,
                        guint8      pid,
                        guint8      index,
                        gint64     *time_us)
{
  g_return_val_if_fail (OBD_IS_SESSION (self), NAN);
  return obd_live_data_get_latest (LIVE (self), pid, index, time_us);
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

void
obd_session_set_alert_thresholds (ObdSession               *self,
                                  const ObdAlertThresholds *thresholds)
{
  g_return_if_fail (OBD_IS_SESSION (self));
  obd_live_data_set_thresholds (LIVE (self), thresholds);
}

/* GObject ------------------------------------------------------------------------ */

static void
obd_session_constructed (GObject *object)
{
  ObdSession *self = OBD_SESSION (object);

  G_OBJECT_CLASS (obd_session_parent_class)->constructed (object);

  self->parts[PART_LINK] = G_OBJECT (obd_connection_new ());
  self->parts[PART_LIVE] = G_OBJECT (obd_live_data_new ());
  self->parts[PART_VEHICLE] = G_OBJECT (obd_vehicle_state_new (self->store));
  self->parts[PART_RECORDING] = G_OBJECT (obd_recording_new (self->store));

  for (guint i = 0; i < N_PARTS; i++)
    g_signal_connect_object (self->parts[i], "notify", G_CALLBACK (on_part_notify_cb), self,
                             G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_LINK], "samples", G_CALLBACK (on_samples_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_LINK], "connected", G_CALLBACK (on_connected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_LINK], "notify::state", G_CALLBACK (on_state_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_LIVE], "alert", G_CALLBACK (on_alert_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_LIVE], "notify::active-alerts",
                           G_CALLBACK (on_active_alerts_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_VEHICLE], "store-error",
                           G_CALLBACK (on_problem_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->parts[PART_RECORDING], "store-error",
                           G_CALLBACK (on_problem_cb), self, G_CONNECT_SWAPPED);
  on_active_alerts_cb (self);
}

static void
obd_session_dispose (GObject *object)
{
  ObdSession *self = OBD_SESSION (object);

  if (self->parts[PART_LINK] != NULL)
    obd_session_disconnect (self);
  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < N_PARTS; i++)
    {
      if (self->parts[i] != NULL)
        g_signal_handlers_disconnect_by_data (self->parts[i], self);
      g_clear_object (&self->parts[i]);
    }

  G_OBJECT_CLASS (obd_session_parent_class)->dispose (object);
}

static void
obd_session_finalize (GObject *object)
{
  ObdSession *self = OBD_SESSION (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_array_unref (self->wanted_pids);
  g_array_unref (self->wanted_priorities);
  g_hash_table_unref (self->extra_watches);

  G_OBJECT_CLASS (obd_session_parent_class)->finalize (object);
}

static void
obd_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ObdSession *self = OBD_SESSION (object);

  if (prop_id == PROP_STORE)
    {
      g_value_set_object (value, self->store);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (forwards); i++)
    if (forwards[i].prop == prop_id)
      {
        g_object_get_property (self->parts[forwards[i].part], forwards[i].name, value);
        return;
      }
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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

  object_class->constructed = obd_session_constructed;
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
  properties[PROP_LINK_RATE] =
    g_param_spec_double ("link-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_STRATEGY] =
    g_param_spec_int ("strategy", NULL, NULL, OBD_STRATEGY_FAST, OBD_STRATEGY_NAIVE,
                      OBD_STRATEGY_FAST,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_VEHICLE_TITLE] = g_param_spec_string ("vehicle-title", NULL, NULL, NULL, ro);
  properties[PROP_SNAPSHOT] = g_param_spec_pointer ("snapshot", NULL, NULL, ro);
  properties[PROP_HEALTH] = g_param_spec_pointer ("health", NULL, NULL, ro);
  properties[PROP_ACTIVE_ALERTS] = g_param_spec_pointer ("active-alerts", NULL, NULL, ro);
  properties[PROP_ALERT_THRESHOLDS] =
    g_param_spec_pointer ("alert-thresholds", NULL, NULL, ro);
  properties[PROP_ENGINE_RUNNING] =
    g_param_spec_boolean ("engine-running", NULL, NULL, FALSE, ro);
  properties[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE, ro);
  properties[PROP_RECORDING_BUSY] =
    g_param_spec_boolean ("recording-busy", NULL, NULL, FALSE, ro);
  properties[PROP_RECORDED_SAMPLES] =
    g_param_spec_uint64 ("recorded-samples", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_RECORDING_STARTED] =
    g_param_spec_int64 ("recording-started", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_RECORDING_ERROR] =
    g_param_spec_boxed ("recording-error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, OBD_TYPE_STORE_SERVICE,
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

  /**
   * ObdSession::problem:
   * @what: what failed, a translated sentence
   * @error: why
   */
  signals[SIGNAL_PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
obd_session_init (ObdSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->wanted_pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  self->wanted_priorities = g_array_new (FALSE, FALSE, sizeof (guint));
  self->extra_watches = g_hash_table_new_full (NULL, NULL, NULL, watch_free);
}

ObdSession *
obd_session_new (ObdStoreService *store)
{
  g_return_val_if_fail (store == NULL || OBD_IS_STORE_SERVICE (store), NULL);

  return g_object_new (OBD_TYPE_SESSION, "store", store, NULL);
}
