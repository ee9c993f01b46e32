/* test-session.c — the application's vehicle model against the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "obd-error.h"
#include "obd-session.h"
#include "obd-sim-transport.h"

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

#define WAIT_FOR(cond, seconds)                                              \
  G_STMT_START {                                                             \
    gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC; \
    guint tick_ = g_timeout_add (50, tick_cb, NULL);                         \
    while (!(cond) && g_get_monotonic_time () < deadline_)                   \
      g_main_context_iteration (NULL, TRUE);                                 \
    g_source_remove (tick_);                                                 \
    g_assert_true (cond);                                                    \
  } G_STMT_END

typedef struct
{
  char     *dir;
  ObdStore *store;
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
}

static void
temp_store_close (TempStore *t)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_finalize_object (t->store);
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

static void
test_record_alert_clear (void)
{
  static const guint8 pids[] = { 0x05, 0x0C };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) notifications = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ObdSession *session;
  TempStore t;
  guint n_critical = 0;
  gboolean cleared = FALSE;

  temp_store_open (&t);
  session = obd_session_new (t.store);
  g_signal_connect (session, "alert", G_CALLBACK (on_alert_cb), &n_critical);

  obd_session_connect (session, "sim:overheating?timing=0");
  WAIT_FOR (obd_session_get_health (session) != NULL, 30);
  g_assert_cmpint (obd_session_get_vehicle_id (session), >, 0);

  g_assert_true (obd_session_start_recording (session, &error));
  g_assert_no_error (error);
  obd_session_set_watched_pids (session, pids, NULL, G_N_ELEMENTS (pids));

  /* Coolant above 110 °C for the alert's minimum duration: critical. */
  WAIT_FOR (n_critical > 0, 20);
  g_assert_cmpuint (obd_session_get_active_alerts (session)->len, >, 0);
  g_assert_cmpint (obd_session_get_health (session)->status, ==, OBD_HEALTH_STATUS_STOP_DRIVING);
  WAIT_FOR (obd_session_get_recorded_samples (session) > 100, 20);

  g_assert_true (obd_session_stop_recording (session, &error));
  g_assert_no_error (error);
  sessions = obd_store_list_sessions (t.store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpint (((ObdStoreSession *) g_ptr_array_index (sessions, 0))->sample_count, >, 100);

  notifications = obd_store_list_notifications (t.store, obd_session_get_vehicle_id (session),
                                                FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notifications->len, >, 0);

  obd_session_clear_codes_async (session, "test", NULL, on_cleared_cb, &cleared);
  WAIT_FOR (cleared, 20);
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  obd_sim_register ();

  g_test_add_func ("/app/session/connect", test_connect_and_judge);
  g_test_add_func ("/app/session/failure", test_failure_and_recovery);
  g_test_add_func ("/app/session/record-alert-clear", test_record_alert_clear);

  return g_test_run ();
}
