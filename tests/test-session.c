/* test-session.c — the application's vehicle model against the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "obd-diagnosis.h"
#include "obd-error.h"
#include "obd-recorder.h"
#include "obd-recording-private.h"
#include "obd-session.h"
#include "obd-sim-transport.h"
#include "obd-store-private.h"
#include "test-wait.h"

/* A store in a temporary folder: the service the session uses, and a
 * connection of the test's own to look into it. */
typedef struct
{
  char            *dir;
  ObdStoreService *service;
  ObdStore        *store;
} TempStore;

static void
temp_store_open (TempStore *t)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  t->dir = g_dir_make_tmp ("obd2-session-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (t->dir, "store.db", NULL);
  t->store = obd_store_open (path, 0, &error);
  g_assert_no_error (error);
  t->service = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  WAIT_FOR (obd_store_service_get_state (t->service) == OBD_STORE_SERVICE_OPEN, 10);
}

/* Drops the last reference the test holds and waits for the object to
 * go: answers still on their way (a snapshot saved, a worker thread
 * winding down) hold it until they are delivered. */
static void
wait_finalized (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  WAIT_FOR (weak == NULL, 10);
}

static void
temp_store_close (TempStore *t)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  obd_store_service_close (t->service);
  wait_finalized (t->service);
  wait_finalized (t->store);
  dir = g_dir_open (t->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (t->dir);
  g_free (t->dir);
}

static void
test_connect_and_judge (void)
{
  g_autoptr(ObdSession) session = obd_session_new (NULL);
  const ObdHealthReport *health;
  const ObdSnapshot *snapshot;
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };

  obd_session_connect (session, "sim:misfire?timing=0");
  g_assert_cmpint (obd_session_get_state (session), ==, OBD_SESSION_STATE_CONNECTING);
  WAIT_FOR (obd_session_get_health (session) != NULL, 30);

  g_assert_cmpint (obd_session_get_state (session), ==, OBD_SESSION_STATE_CONNECTED);
  g_assert_nonnull (obd_session_get_adapter_version (session));
  g_assert_nonnull (strstr (obd_session_get_protocol_name (session), "CAN"));
  g_assert_nonnull (strstr (obd_session_get_vehicle_title (session), "Honda"));

  snapshot = obd_session_get_snapshot (session);
  g_assert_cmpuint (snapshot->dtcs->len, >=, 2);
  health = obd_session_get_health (session);
  g_assert_cmpfloat (health->system_scores[OBD_HEALTH_SYSTEM_ENGINE], <, 50);

  obd_session_set_watched_pids (session, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (!isnan (obd_session_get_latest (session, 0x0C, 0, NULL)), 10);
  g_assert_cmpfloat (obd_session_get_latest (session, 0x0C, 0, NULL), >, 300);

  obd_session_disconnect (session);
  g_assert_cmpint (obd_session_get_state (session), ==, OBD_SESSION_STATE_DISCONNECTED);
  g_assert_null (obd_session_get_error (session));
}

typedef struct
{
  guint rpm;
  guint intake;
} Counts;

static void
on_samples_counted_cb (ObdSession *session,
                       GArray     *samples,
                       Counts     *counts)
{
  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);

      counts->rpm += sample->pid == 0x0C;
      counts->intake += sample->pid == 0x0F;
    }
}

/* A view's extra PIDs (a guided live check) are polled on top of the
 * watched ones while it wants them, and no longer after. */
static void
test_watch_pids (void)
{
  g_autoptr(ObdSession) session = obd_session_new (NULL);
  static const guint8 watched[] = { 0x0C };
  static const guint8 extra[] = { 0x0F, 0x0C };
  Counts counts = { 0 };
  guint id, rpm, intake;

  g_signal_connect (session, "samples", G_CALLBACK (on_samples_counted_cb), &counts);
  obd_session_connect (session, "sim:healthy-idle?timing=0");
  WAIT_FOR (obd_session_get_health (session) != NULL, 30);
  obd_session_set_watched_pids (session, watched, NULL, G_N_ELEMENTS (watched));
  WAIT_FOR (counts.rpm > 20, 10);
  /* Intake air temperature is neither watched nor needed by an alert. */
  g_assert_cmpuint (counts.intake, ==, 0);

  id = obd_session_watch_pids (session, extra, G_N_ELEMENTS (extra), 10);
  g_assert_cmpuint (id, >, 0);
  WAIT_FOR (counts.intake > 5, 10);
  /* What the pages watch is kept, not replaced. */
  rpm = counts.rpm;
  WAIT_FOR (counts.rpm > rpm + 5, 10);

  obd_session_unwatch_pids (session, id);
  /* Batches already on their way may still carry it; the next ones do
   * not. */
  rpm = counts.rpm;
  WAIT_FOR (counts.rpm > rpm + 40, 10);
  intake = counts.intake;
  rpm = counts.rpm;
  WAIT_FOR (counts.rpm > rpm + 40, 10);
  g_assert_cmpuint (counts.intake, ==, intake);

  /* An id that is gone is ignored. */
  obd_session_unwatch_pids (session, id);
  obd_session_disconnect (session);
}

static void
test_failure_and_recovery (void)
{
  g_autoptr(ObdSession) session = obd_session_new (NULL);

  obd_session_connect (session, "sim:healthy-idle?timing=0&fault=ignition-off");
  WAIT_FOR (obd_session_get_state (session) == OBD_SESSION_STATE_DISCONNECTED, 30);
  g_assert_nonnull (obd_session_get_error (session));
  g_assert_nonnull (strstr (obd_session_get_status_text (session), "ignition"));

  /* The same session recovers without a restart. */
  obd_session_connect (session, "sim:healthy-idle?timing=0");
  WAIT_FOR (obd_session_get_health (session) != NULL, 30);
  g_assert_null (obd_session_get_error (session));
  g_assert_cmpfloat (obd_session_get_health (session)->vehicle_score, >, 90);
}

static void
on_alert_cb (ObdSession          *session,
             const ObdAlertEvent *event,
             guint               *n_critical)
{
  if (event->type == OBD_ALERT_EVENT_RAISED && event->severity == OBD_SEVERITY_CRITICAL)
    (*n_critical)++;
}

static void
on_cleared_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (obd_session_clear_codes_finish (OBD_SESSION (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Done;

static void
on_recording_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Done *done = data;

  if (g_task_get_source_tag (G_TASK (result)) == obd_session_start_recording_async)
    done->ok = obd_session_start_recording_finish (OBD_SESSION (source), result, &done->error);
  else
    done->ok = obd_session_stop_recording_finish (OBD_SESSION (source), result, &done->error);
  done->done = TRUE;
}

static guint
count_notifications (TempStore *t,
                     gint64     vehicle_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notifications = obd_store_list_notifications (t->store, vehicle_id, FALSE,
                                                                     &error);

  g_assert_no_error (error);
  return notifications->len;
}

/* Active events that a clear ends (stored and pending). */
static guint
count_active_stored (TempStore *t,
                     gint64     vehicle_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = obd_store_list_dtc_events (t->store, vehicle_id, FALSE, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    n += ((ObdStoreDtcEvent *) g_ptr_array_index (events, i))->kind != OBD_DTC_KIND_PERMANENT;
  return n;
}

static void
test_record_alert_clear (void)
{
  static const guint8 pids[] = { 0x05, 0x0C };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ObdSession *session;
  TempStore t;
  guint n_critical = 0;
  gboolean cleared = FALSE;
  Done started = { 0 }, stopped = { 0 };

  temp_store_open (&t);
  session = obd_session_new (t.service);
  g_signal_connect (session, "alert", G_CALLBACK (on_alert_cb), &n_critical);

  obd_session_connect (session, "sim:overheating?timing=0");
  WAIT_FOR (obd_session_get_health (session) != NULL, 30);
  /* The vehicle enters the store on the store's thread. */
  WAIT_FOR (obd_session_get_vehicle_id (session) > 0, 10);

  obd_session_start_recording_async (session, NULL, on_recording_cb, &started);
  g_assert_true (obd_session_get_recording_busy (session));
  WAIT_FOR (started.done, 10);
  g_assert_no_error (started.error);
  g_assert_true (obd_session_get_recording (session));
  obd_session_set_watched_pids (session, pids, NULL, G_N_ELEMENTS (pids));

  /* Coolant above 110 °C for the alert's minimum duration: critical. */
  WAIT_FOR (n_critical > 0, 20);
  g_assert_cmpuint (obd_session_get_active_alerts (session)->len, >, 0);
  /* The verdict follows a moment later (judged on a worker thread). */
  WAIT_FOR (obd_session_get_health (session)->status == OBD_HEALTH_STATUS_STOP_DRIVING, 10);
  WAIT_FOR (obd_session_get_recorded_samples (session) > 100, 20);

  obd_session_stop_recording_async (session, NULL, on_recording_cb, &stopped);
  WAIT_FOR (stopped.done, 10);
  g_assert_no_error (stopped.error);
  sessions = obd_store_list_sessions (t.store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpint (((ObdStoreSession *) g_ptr_array_index (sessions, 0))->sample_count, >, 100);

  /* The session keeps what its report was made of: the codes read at
   * connect (before it started) and the alerts raised while it ran, so
   * its report from the store is the one shown live, to the letter. */
  {
    gint64 id = ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->id;
    const ObdHealthReport *live = obd_session_get_health (session);
    g_autoptr(ObdHealthReport) stored = obd_diagnosis_evaluate_session (t.store, id, &error);
    g_autofree char *live_text = NULL;
    g_autofree char *stored_text = NULL;
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autofree char *json = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (stored);
    live_text = obd_health_report_explain (live);
    stored_text = obd_health_report_explain (stored);
    g_assert_cmpstr (stored_text, ==, live_text);
    g_assert_cmpint (stored->status, ==, OBD_HEALTH_STATUS_STOP_DRIVING);
    g_assert_nonnull (strstr (stored_text, "Live alert: "));

    g_assert_true (obd_store_export_session (t.store, id, OBD_STORE_FORMAT_JSON,
                                             OBD_UNIT_SYSTEM_SI, out, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
    g_output_stream_close (out, NULL, NULL);
    json = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    g_assert_nonnull (strstr (json, "\"P0217\""));
    g_assert_null (strstr (json, "\"dtcs\":[]"));
  }

  /* The raised alert became a notification of the vehicle. */
  WAIT_FOR (count_notifications (&t, obd_session_get_vehicle_id (session)) > 0, 10);

  obd_session_clear_codes_async (session, "test", NULL, on_cleared_cb, &cleared);
  WAIT_FOR (cleared, 20);
  /* The clear reaches the history through the store's thread. */
  WAIT_FOR (count_active_stored (&t, obd_session_get_vehicle_id (session)) == 0, 10);
  for (guint i = 0; i < obd_session_get_snapshot (session)->dtcs->len; i++)
    g_assert_cmpint (g_array_index (obd_session_get_snapshot (session)->dtcs, ObdDtc, i).kind,
                     ==, OBD_DTC_KIND_PERMANENT);
  events = obd_store_list_dtc_events (t.store, obd_session_get_vehicle_id (session), FALSE,
                                      &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (((ObdStoreDtcEvent *) g_ptr_array_index (events, i))->kind, ==,
                     OBD_DTC_KIND_PERMANENT);

  g_object_unref (session);
  temp_store_close (&t);
}

/* The vehicle's title is what the workshop wrote down: an edit made
 * anywhere (the vehicle page) reaches every view at once. */
typedef struct
{
  gint64 id;
  char  *model;
} Edit;

static gpointer
edit_model_job (ObdStore      *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Edit *edit = data;
  g_autoptr(ObdStoreVehicle) vehicle = obd_store_get_vehicle (store, edit->id, error);

  if (vehicle == NULL)
    return NULL;
  g_free (vehicle->model);
  vehicle->model = g_strdup (edit->model);
  if (!obd_store_update_vehicle (store, vehicle, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
on_written_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static void
test_title_follows_store (void)
{
  ObdSession *session;
  TempStore t;
  Edit edit = { 0, (char *) "Accord EX" };
  gboolean written = FALSE;

  temp_store_open (&t);
  session = obd_session_new (t.service);
  obd_session_connect (session, "sim:healthy-idle?timing=0");
  WAIT_FOR (obd_session_get_vehicle_id (session) > 0, 30);
  g_test_message ("title before the edit: %s", obd_session_get_vehicle_title (session));

  edit.id = obd_session_get_vehicle_id (session);
  obd_store_service_write_async (t.service, "vehicle", edit.id, edit_model_job, &edit, NULL,
                                 NULL, on_written_cb, &written);
  WAIT_FOR (written, 10);
  WAIT_FOR (g_strcmp0 (obd_session_get_vehicle_title (session), "2014 Honda Accord EX") == 0, 10);

  g_object_unref (session);
  temp_store_close (&t);
}

/* A write nobody waits for (recording a clear) fails: the session says so. */
typedef struct
{
  guint   n;
  char   *what;
  GError *error;
} Problem;

static void
on_problem_cb (ObdSession   *session,
               const char   *what,
               const GError *error,
               Problem      *problem)
{
  /* The clear's own problem: others may come with it (the codes read
   * after the clear cannot be saved either). */
  problem->n++;
  g_test_message ("problem: %s: %s", what, error->message);
  if (strstr (what, "cleared") == NULL)
    return;
  g_free (problem->what);
  problem->what = g_strdup (what);
  g_clear_error (&problem->error);
  problem->error = g_error_copy (error);
}

static void
test_problem_reported (void)
{
  ObdSession *session;
  TempStore t;
  Problem problem = { 0 };
  gboolean cleared = FALSE;
  g_autoptr(GError) error = NULL;

  temp_store_open (&t);
  session = obd_session_new (t.service);
  g_signal_connect (session, "problem", G_CALLBACK (on_problem_cb), &problem);
  obd_session_connect (session, "sim:misfire?timing=0");
  WAIT_FOR (obd_session_get_vehicle_id (session) > 0, 30);

  /* Behind the application's back, the history loses its table of codes:
   * the car's codes are cleared, the history cannot say so. */
  g_assert_true (_obd_store_exec (_obd_store_get_db (t.store),
                                  "ALTER TABLE dtc_events RENAME TO dtc_events_gone", &error));
  g_assert_no_error (error);
  obd_session_clear_codes_async (session, "test", NULL, on_cleared_cb, &cleared);
  WAIT_FOR (cleared && problem.what != NULL, 20);
  g_assert_true (problem.error->domain == OBD_STORE_ERROR);

  g_signal_handlers_disconnect_by_data (session, &problem);
  g_object_unref (session);
  g_free (problem.what);
  g_clear_error (&problem.error);
  temp_store_close (&t);
}

/* Recording stops on its own when the disk is full; the session keeps
 * why, for the window's banner, until recording starts again. */
static void
test_recording_disk_full (void)
{
  g_autoptr(GError) error = NULL;
  ObdSession *session;
  ObdRecorder *recorder;
  TempStore t;
  Done started = { 0 };

  temp_store_open (&t);
  session = obd_session_new (t.service);
  obd_session_connect (session, "sim:driving-cycle?timing=0");
  WAIT_FOR (obd_session_get_vehicle_id (session) > 0, 30);
  obd_session_start_recording_async (session, NULL, on_recording_cb, &started);
  WAIT_FOR (started.done, 10);
  g_assert_true (started.ok);

  recorder = _obd_recording_get_recorder (obd_session_get_recorder (session));
  g_assert_true (_obd_recorder_set_page_limit (recorder, 1, &error));
  g_assert_no_error (error);
  WAIT_FOR (obd_session_get_recording_error (session) != NULL, 20);
  g_assert_false (obd_session_get_recording (session));
  g_assert_error (obd_session_get_recording_error (session), OBD_STORE_ERROR,
                  OBD_STORE_ERROR_DISK_FULL);

  g_object_unref (session);
  temp_store_close (&t);
}

static GArray *
samples_of (guint8  pid,
            gint64  from_us,
            gint64  step_us,
            guint   n,
            double  value)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));

  for (guint i = 0; i < n; i++)
    {
      ObdSample sample = { .time_us = from_us + i * step_us, .ecu = 0x7E8, .service = 1,
                           .pid = pid, .index = 0, .value = value };

      g_array_append_val (samples, sample);
    }
  return samples;
}

/* A reading's history covers the span, and never more than twice it:
 * memory stays flat however long the car is connected. */
static void
test_live_data_history (void)
{
  g_autoptr(ObdLiveData) live = obd_live_data_new ();
  gint64 span = 10 * G_USEC_PER_SEC;
  gint64 step = G_USEC_PER_SEC / 10;
  guint longest = 0;

  obd_live_data_set_history_span (live, span);
  for (guint second = 0; second < 120; second++)
    {
      g_autoptr(GArray) batch = samples_of (0x0C, (gint64) second * G_USEC_PER_SEC, step, 10,
                                            800 + second);
      g_autoptr(GArray) history = NULL;

      obd_live_data_feed (live, batch);
      history = obd_live_data_dup_history (live, 0x0C, 0);
      longest = MAX (longest, history->len);
      if (second >= 10)
        {
          const ObdLivePoint *first = &g_array_index (history, ObdLivePoint, 0);
          const ObdLivePoint *last = &g_array_index (history, ObdLivePoint, history->len - 1);

          /* At least the span, at most twice it. */
          g_assert_cmpint (last->time_us - first->time_us, >=, span - step);
          g_assert_cmpint (last->time_us - first->time_us, <=, 2 * span);
        }
    }
  g_assert_cmpuint (longest, <=, 2 * 10 * 10 + 10);
  g_assert_cmpfloat (obd_live_data_get_latest (live, 0x0C, 0, NULL), ==, 800 + 119);
}

static void
test_live_data_alerts (void)
{
  g_autoptr(ObdLiveData) live = obd_live_data_new ();
  g_autoptr(GArray) hot = samples_of (0x05, 0, G_USEC_PER_SEC, 10, 125);
  g_autoptr(GArray) cool = samples_of (0x05, 20 * G_USEC_PER_SEC, G_USEC_PER_SEC, 10, 85);
  GListModel *model = obd_live_data_get_alerts (live);

  g_assert_null (obd_live_data_get_alert (live, "coolant_temp"));
  obd_live_data_feed (live, hot);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_nonnull (obd_live_data_get_alert (live, "coolant_temp"));
  g_assert_cmpint (obd_live_data_get_alert (live, "coolant_temp")->severity, ==,
                   OBD_HEALTH_SEVERITY_CRITICAL);
  obd_live_data_feed (live, cool);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_null (obd_live_data_get_alert (live, "coolant_temp"));
}

/* What came over the link, in words: a clean link and one that doubles
 * replies (a Bluetooth bridge repeating packets) read differently, and
 * the figures stay after the disconnect, for the mechanic to look at. */
static void
test_link_stats (void)
{
  ObdSession *session = obd_session_new (NULL);
  ObdLinkStats stats;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  ObdLinkStats clean = { .n_requests = 120, .n_values = 600 };

  text = obd_connection_describe_link_stats (&clean, &summary, NULL);
  g_assert_cmpstr (summary, ==, "Good");
  g_assert_nonnull (strstr (text, "120 requests answered, 600 values read."));
  g_assert_nonnull (strstr (text, "Every reply matched its request."));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&summary, g_free);

  obd_session_get_link_stats (session, &stats);
  g_assert_cmpuint (stats.n_requests, ==, 0);
  text = obd_connection_describe_link_stats (&stats, &summary, NULL);
  g_assert_cmpstr (summary, ==, "No replies yet");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&summary, g_free);

  obd_session_connect (session, "sim:healthy-idle?timing=0&fault=double:3");
  WAIT_FOR (obd_session_get_state (session) == OBD_SESSION_STATE_CONNECTED, 30);
  WAIT_FOR ((obd_session_get_link_stats (session, &stats), stats.n_discarded_replies > 2), 30);
  text = obd_connection_describe_link_stats (&stats, &summary, NULL);
  g_test_message ("%s: %s", summary, text);
  g_assert_cmpstr (summary, !=, "Good");
  g_assert_nonnull (strstr (text, "out of step and were dropped, not read"));

  obd_session_disconnect (session);
  WAIT_FOR (obd_session_get_state (session) == OBD_SESSION_STATE_DISCONNECTED, 10);
  {
    ObdLinkStats after;

    obd_session_get_link_stats (session, &after);
    g_assert_cmpuint (after.n_discarded_replies, >=, stats.n_discarded_replies);
    g_assert_cmpuint (after.n_requests, >=, stats.n_requests);
  }
  wait_finalized (session);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

/* What a gauge shows is the alert monitor's state of its reading, with
 * minimum duration, hysteresis and the resting-voltage rule — not a
 * comparison of the latest value with a limit. */
static void
test_live_data_alert_state (void)
{
  g_autoptr(ObdLiveData) live = obd_live_data_new ();
  g_autoptr(GArray) hot_brief = samples_of (0x05, 0, G_USEC_PER_SEC / 2, 3, 115);
  g_autoptr(GArray) hot_long = samples_of (0x05, 1500000, G_USEC_PER_SEC / 2, 6, 115);
  g_autoptr(GArray) inside_band = samples_of (0x05, 5 * G_USEC_PER_SEC, G_USEC_PER_SEC, 3, 108);
  g_autoptr(GArray) cooled = samples_of (0x05, 9 * G_USEC_PER_SEC, G_USEC_PER_SEC, 1, 106);
  g_autoptr(GArray) resting = samples_of (0x42, 20 * G_USEC_PER_SEC, G_USEC_PER_SEC, 4, 12.0);
  g_autoptr(GArray) idling = samples_of (0x0C, 25 * G_USEC_PER_SEC, G_USEC_PER_SEC, 1, 800);
  g_autoptr(GArray) charging = samples_of (0x42, 26 * G_USEC_PER_SEC, G_USEC_PER_SEC, 1, 12.0);
  guint notified = 0;

  g_signal_connect_swapped (live, "notify::engine-running", G_CALLBACK (count_cb), &notified);

  /* Above 110 °C for one second: not yet (two seconds are needed). */
  obd_live_data_feed (live, hot_brief);
  g_assert_cmpfloat (obd_live_data_get_latest (live, 0x05, 0, NULL), >, 110.0);
  g_assert_cmpint (obd_live_data_get_alert_state (live, "coolant_temp"), ==,
                   OBD_ALERT_STATE_NORMAL);
  obd_live_data_feed (live, hot_long);
  g_assert_cmpint (obd_live_data_get_alert_state (live, "coolant_temp"), ==,
                   OBD_ALERT_STATE_CRITICAL);
  /* Back under the limit but inside the 3 °C band: still critical. */
  obd_live_data_feed (live, inside_band);
  g_assert_cmpfloat (obd_live_data_get_latest (live, 0x05, 0, NULL), <, 110.0);
  g_assert_cmpint (obd_live_data_get_alert_state (live, "coolant_temp"), ==,
                   OBD_ALERT_STATE_CRITICAL);
  obd_live_data_feed (live, cooled);
  g_assert_cmpint (obd_live_data_get_alert_state (live, "coolant_temp"), ==,
                   OBD_ALERT_STATE_NORMAL);

  /* 12.0 V: a weak resting battery with the engine off, fine while the
   * engine runs (the running limit is 11.8 V). */
  g_assert_false (obd_live_data_get_engine_running (live));
  obd_live_data_feed (live, resting);
  g_assert_cmpint (obd_live_data_get_alert_state (live, "control_module_voltage"), ==,
                   OBD_ALERT_STATE_WARNING);
  obd_live_data_feed (live, idling);
  g_assert_true (obd_live_data_get_engine_running (live));
  g_assert_cmpuint (notified, ==, 1);
  obd_live_data_feed (live, charging);
  g_assert_cmpint (obd_live_data_get_alert_state (live, "control_module_voltage"), ==,
                   OBD_ALERT_STATE_NORMAL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  obd_sim_register ();

  g_test_add_func ("/app/session/connect", test_connect_and_judge);
  g_test_add_func ("/app/session/failure", test_failure_and_recovery);
  g_test_add_func ("/app/session/watch-pids", test_watch_pids);
  g_test_add_func ("/app/session/record-alert-clear", test_record_alert_clear);
  g_test_add_func ("/app/session/title-follows-store", test_title_follows_store);
  g_test_add_func ("/app/session/problem-reported", test_problem_reported);
  g_test_add_func ("/app/session/recording-disk-full", test_recording_disk_full);
  g_test_add_func ("/app/live-data/history", test_live_data_history);
  g_test_add_func ("/app/live-data/alerts", test_live_data_alerts);
  g_test_add_func ("/app/live-data/alert-state", test_live_data_alert_state);
  g_test_add_func ("/app/session/link-stats", test_link_stats);

  return g_test_run ();
}
