/* test-diagnosis.c — one verdict: the live report and the stored one agree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every simulator scenario is read and watched as the live views do it,
 * recorded into a store as a session, and judged again from the store
 * alone: the fleet list and the history must show exactly the report the
 * live view showed.  Then Mode 04 and what it voids, the session's codes in
 * its export, and trends in the stored report.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "obd-adapter.h"
#include "obd-diagnosis.h"
#include "obd-recorder.h"
#include "obd-sim-transport.h"
#include "obd-sim-vehicle.h"
#include "obd-store-private.h"

typedef struct
{
  char     *dir;
  char     *path;
  ObdStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-diagnosis-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static ObdAdapter *
connect_sim (const char *scenario)
{
  g_autofree char *connection = g_strdup_printf ("sim:%s?timing=0", scenario);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = obd_transport_new_for_string (connection, &error);
  g_autoptr(ObdAdapter) adapter = NULL;

  g_assert_no_error (error);
  adapter = obd_adapter_new (transport);
  g_assert_true (obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&adapter);
}

/* Thresholds whose alerts need no minimum duration: the samples of a
 * zero-timing simulator carry the wall clock, so a test cannot wait out
 * seconds of car time.  What is compared is the store round trip. */
static ObdAlertMonitor *
new_quick_monitor (void)
{
  ObdAlertThresholds t;

  obd_alert_thresholds_init_defaults (&t);
  t.min_duration_ms = 0;
  t.trim_min_duration_ms = 0;
  t.load_min_duration_ms = 0;
  return obd_alert_monitor_new (&t);
}

/* Polls the alert PIDs (and the dashboard) a number of times, feeding the
 * monitor and, when recording, the recorder. */
static void
watch (ObdAdapter      *adapter,
       ObdAlertMonitor *monitor,
       ObdRecorder     *recorder,
       guint            rounds,
       guint            max_rounds_for_alert)
{
  static const guint8 dashboard[] = { 0x0C, 0x0D, 0x05, 0x04, 0x11 };
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  const guint8 *alert_pids;
  gsize n_alert_pids = 0;

  alert_pids = obd_alert_get_watched_pids (&n_alert_pids);
  for (gsize i = 0; i < n_alert_pids; i++)
    if (obd_adapter_is_pid_supported (adapter, alert_pids[i]))
      g_array_append_val (pids, alert_pids[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (dashboard); i++)
    if (obd_adapter_is_pid_supported (adapter, dashboard[i]))
      g_array_append_val (pids, dashboard[i]);

  for (guint round = 0; round < MAX (rounds, max_rounds_for_alert); round++)
    {
      /* Some faults build up (an overheating engine warms for a simulated
       * minute): watch on until an alert is up, within a bound. */
      if (round >= rounds)
        {
          g_autoptr(GPtrArray) active = obd_alert_monitor_dup_active (monitor);

          if (active->len > 0)
            break;
        }

      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      g_autoptr(GError) error = NULL;

      g_assert_true (obd_adapter_read_pids (adapter, (const guint8 *) (gpointer) pids->data,
                                            pids->len, samples, NULL, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < samples->len; i++)
        {
          const ObdSample *s = &g_array_index (samples, ObdSample, i);
          const ObdValue *meta = obd_pid_get_value_info (s->pid, s->index);

          if (meta != NULL && meta->key != NULL)
            obd_alert_monitor_feed (monitor, meta->key, s->value, s->time_us, events);
        }
      if (recorder != NULL)
        obd_recorder_push_samples (recorder, (const ObdSample *) (gpointer) samples->data,
                                   samples->len);
    }
}

static void
assert_same_report (const ObdHealthReport *a,
                    const ObdHealthReport *b)
{
  g_autofree char *ta = obd_health_report_explain (a);
  g_autofree char *tb = obd_health_report_explain (b);

  if (g_strcmp0 (ta, tb) != 0)
    g_test_message ("first:\n%s\nsecond:\n%s", ta, tb);
  g_assert_cmpfloat (a->vehicle_score, ==, b->vehicle_score);
  g_assert_cmpint (a->status, ==, b->status);
  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    g_assert_cmpfloat (a->system_scores[s], ==, b->system_scores[s]);
  g_assert_cmpuint (a->deductions->len, ==, b->deductions->len);
  g_assert_cmpstr (ta, ==, tb);
}

typedef struct
{
  gint64           vehicle_id;
  gint64           session_id;
  ObdHealthReport *live;          /* with the vehicle's trends */
  ObdHealthReport *live_session;  /* without: what the session alone says */
} Recorded;

/* Reads the snapshot, watches, records a session of it as obd2 record
 * does, and returns the report the live view showed at the end. */
static Recorded
record_scenario (Fixture    *f,
                 ObdAdapter *adapter,
                 guint       max_rounds_for_alert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSnapshot) snapshot = NULL;
  g_autoptr(ObdAlertMonitor) monitor = new_quick_monitor ();
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) trends = NULL;
  Recorded r = { 0 };

  snapshot = obd_snapshot_read (adapter, OBD_SNAPSHOT_ALL, NULL, &error);
  g_assert_no_error (error);
  r.vehicle_id = obd_diagnosis_ensure_vehicle (f->store, snapshot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r.vehicle_id, !=, 0);

  recorder = obd_recorder_new (f->store, &error);
  g_assert_no_error (error);
  r.session_id = obd_recorder_start_session (recorder, r.vehicle_id, "can11-500", "test",
                                             "sim", &error);
  g_assert_no_error (error);
  g_assert_true (obd_diagnosis_attach_snapshot (f->store, r.vehicle_id, r.session_id, snapshot,
                                                &error));
  g_assert_no_error (error);

  watch (adapter, monitor, recorder, 20, max_rounds_for_alert);
  active = obd_alert_monitor_dup_active (monitor);
  g_assert_true (obd_diagnosis_store_session_alerts (f->store, r.session_id, active, &error));
  g_assert_no_error (error);
  g_assert_true (obd_recorder_stop_session (recorder, &error));
  g_assert_no_error (error);

  /* The live view of a vehicle the store knows includes its trends. */
  trends = obd_diagnosis_list_trends (f->store, r.vehicle_id, &error);
  g_assert_no_error (error);
  r.live = obd_diagnosis_evaluate_full (snapshot, active, trends);
  r.live_session = obd_diagnosis_evaluate (snapshot, active);
  return r;
}

/* The report from the store equals the live report of the last session,
 * for every scenario: sim:misfire gives the same score both ways. */
static void
test_stored_equals_live (Fixture       *f,
                         gconstpointer  data)
{
  const ObdSimScenarioInfo *scenarios;
  gsize n = 0;
  gboolean saw_alert = FALSE, saw_test = FALSE, saw_incomplete = FALSE;

  scenarios = obd_sim_list_scenarios (&n);
  g_assert_cmpuint (n, >=, 7);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(ObdAdapter) adapter = connect_sim (scenarios[i].name);
      g_autoptr(ObdHealthReport) stored = NULL;
      g_autoptr(ObdHealthReport) session = NULL;
      g_autoptr(ObdHealthReport) live = NULL;
      g_autoptr(ObdHealthReport) live_session = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      Recorded r;
      gint64 used = 0;

      /* Every scenario is the same car (one VIN), so from the second on
       * its history has trends: they take part in both reports. */
      r = record_scenario (f, adapter, 3000);
      live = r.live;
      live_session = r.live_session;
      stored = obd_diagnosis_evaluate_stored (f->store, r.vehicle_id, &error);
      g_assert_no_error (error);
      session = obd_diagnosis_evaluate_session (f->store, r.session_id, &error);
      g_assert_no_error (error);
      g_assert_true (obd_store_find_health_session (f->store, r.vehicle_id, &used, &error));
      g_assert_cmpint (used, ==, r.session_id);

      text = obd_health_report_explain (live);
      g_test_message ("%s: %.2f %s", scenarios[i].name, live->vehicle_score,
                      obd_health_status_get_key (live->status));
      assert_same_report (live, stored);
      assert_same_report (live_session, session);

      for (guint d = 0; d < live->deductions->len; d++)
        {
          const ObdHealthDeduction *item = &g_array_index (live->deductions,
                                                           ObdHealthDeduction, d);

          saw_alert |= item->kind == OBD_HEALTH_ITEM_ALERT;
          saw_test |= item->kind == OBD_HEALTH_ITEM_TEST;
          saw_incomplete |= item->kind == OBD_HEALTH_ITEM_READINESS;
        }

      if (g_str_equal (scenarios[i].name, "misfire"))
        {
          /* The case the fleet list got wrong: codes, Mode 06 and
           * readiness all count, from the store too. */
          g_assert_cmpint (live->status, ==, OBD_HEALTH_STATUS_STOP_DRIVING);
          g_assert_cmpint (obd_health_score_round (stored->vehicle_score), ==,
                           obd_health_score_round (live->vehicle_score));
          g_assert_nonnull (strstr (text, "On-board test failed"));
        }
      if (g_str_equal (scenarios[i].name, "healthy-idle"))
        g_assert_cmpint (live->status, ==, OBD_HEALTH_STATUS_HEALTHY);
    }

  /* Every kind of stored input took part somewhere. */
  g_assert_true (saw_alert);
  g_assert_true (saw_test);
  g_assert_true (saw_incomplete);
}

/* Mode 04: the simulator resets its Mode 06 results, the fresh snapshot
 * reads them again, and neither the live nor the stored verdict stays
 * "stop driving" once no stored or pending code is left. */
static void
test_clear_codes (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ObdAdapter) adapter = connect_sim ("misfire");
  g_autoptr(ObdSnapshot) after = NULL;
  g_autoptr(ObdHealthReport) live = NULL;
  g_autoptr(ObdHealthReport) stored = NULL;
  g_autoptr(ObdHealthReport) before = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;
  Recorded r;
  gboolean recorded = FALSE;

  r = record_scenario (f, adapter, 0);
  before = r.live_session;
  obd_health_report_free (r.live);
  g_assert_cmpint (before->status, ==, OBD_HEALTH_STATUS_STOP_DRIVING);

  after = obd_diagnosis_clear_codes (adapter, &ecus, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (after);
  g_assert_cmpuint (ecus->len, >=, 1);
  g_assert_true (after->parts & OBD_SNAPSHOT_MONITORS);

  /* No stored or pending code is left (the permanent P0300 is), and
   * every Mode 06 test was reset. */
  for (guint i = 0; i < after->dtcs->len; i++)
    g_assert_cmpint (g_array_index (after->dtcs, ObdDtc, i).kind, ==, OBD_DTC_KIND_PERMANENT);
  g_assert_cmpuint (after->monitors->len, >, 0);
  for (guint i = 0; i < after->monitors->len; i++)
    g_assert_true (g_array_index (after->monitors, ObdMonitorResult, i).passed);

  live = obd_diagnosis_evaluate (after, NULL);
  g_assert_cmpint (live->status, !=, OBD_HEALTH_STATUS_STOP_DRIVING);

  /* The store learns of the clear: the session's Mode 06 failures are
   * void, the stored and pending codes cleared. */
  g_assert_true (obd_diagnosis_record_clear (f->store, after->vin != NULL ? after->vin
                                                         : "1HGCR2F30EA012345",
                                             "test", g_get_real_time (), &recorded, &error));
  g_assert_no_error (error);
  g_assert_true (recorded);
  stored = obd_diagnosis_evaluate_stored (f->store, r.vehicle_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->status, !=, OBD_HEALTH_STATUS_STOP_DRIVING);
  g_assert_cmpfloat (stored->vehicle_score, ==, live->vehicle_score);
  for (guint d = 0; d < stored->deductions->len; d++)
    g_assert_cmpint (g_array_index (stored->deductions, ObdHealthDeduction, d).kind, !=,
                     OBD_HEALTH_ITEM_TEST);

  /* The session itself still reads as it was. */
  {
    g_autoptr(ObdHealthReport) session = obd_diagnosis_evaluate_session (f->store, r.session_id,
                                                                          &error);

    g_assert_no_error (error);
    assert_same_report (before, session);
  }
}

/* A session recorded while codes were stored that had first been seen in
 * an earlier session exports them (it used to export "dtcs": []). */
static void
test_session_codes_exported (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ObdAdapter) adapter = connect_sim ("misfire");
  g_autoptr(GError) error = NULL;
  Recorded first, second;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *dtcs;
  gboolean p0301 = FALSE;

  first = record_scenario (f, adapter, 0);
  obd_health_report_free (first.live);
  obd_health_report_free (first.live_session);
  second = record_scenario (f, adapter, 0);
  obd_health_report_free (second.live);
  obd_health_report_free (second.live_session);
  g_assert_cmpint (first.vehicle_id, ==, second.vehicle_id);

  events = obd_store_list_session_dtcs (f->store, second.session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, >=, 2);
  for (guint i = 0; i < events->len; i++)
    {
      const ObdStoreDtcEvent *event = g_ptr_array_index (events, i);

      /* Seen first in the first session, reported again in the second. */
      g_assert_cmpint (event->session_id, ==, first.session_id);
    }

  g_assert_true (obd_store_export_session (f->store, second.session_id, OBD_STORE_FORMAT_JSON,
                                           OBD_UNIT_SYSTEM_SI, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  g_assert_true (json_parser_load_from_data (parser,
                                             g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                                             (gssize) g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                                             &error));
  g_assert_no_error (error);
  dtcs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                       "dtcs");
  g_assert_cmpuint (json_array_get_length (dtcs), >=, 2);
  for (guint i = 0; i < json_array_get_length (dtcs); i++)
    p0301 |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (dtcs, i),
                                                       "code"), "P0301") == 0;
  g_assert_true (p0301);

  /* The links are session content: the chain still verifies, and a link
   * removed behind the program's back breaks it. */
  {
    gint64 bad = -1;

    g_assert_true (obd_store_verify_chain (f->store, &bad, &error));
    g_assert_no_error (error);
    g_assert_cmpint (bad, ==, 0);
    g_autofree char *sql = g_strdup_printf ("DELETE FROM session_dtcs WHERE session_id = %"
                                            G_GINT64_FORMAT, second.session_id);

    g_assert_true (_obd_store_exec (_obd_store_get_db (f->store), sql, &error));
    g_assert_no_error (error);
    g_assert_true (obd_store_verify_chain (f->store, &bad, &error));
    g_assert_cmpint (bad, ==, second.session_id);
  }
}

/* Alerts and session health are session content: written only while it
 * records, and a damaged severity word is an error, not "info". */
static void
test_session_inputs_guarded (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ObdAdapter) adapter = connect_sim ("overheating");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  gint64 started = g_get_monotonic_time ();
  ObdStoreAlert alert = {
    .kind = (char *) "coolant-high", .key = (char *) "coolant_temp",
    .severity = OBD_SEVERITY_CRITICAL, .value = 118, .threshold = 110, .time_us = 1,
  };
  Recorded r;

  r = record_scenario (f, adapter, 3000);
  g_test_message ("watched %.1f s", (g_get_monotonic_time () - started) / 1e6);
  obd_health_report_free (r.live);
  obd_health_report_free (r.live_session);

  g_assert_false (obd_store_set_session_alerts (f->store, r.session_id, &alert, 1, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
  g_clear_error (&error);

  /* Overheating keeps the coolant above the limit: its alert was stored. */
  alerts = obd_store_list_session_alerts (f->store, r.session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alerts->len, >=, 1);

  /* Tamper: the CHECK lets only known words in; with checks off, write a
   * word this program does not know. */
  g_assert_true (_obd_store_exec (_obd_store_get_db (f->store),
                                  "PRAGMA ignore_check_constraints = ON;"
                                  "UPDATE session_alerts SET severity = 'severe';"
                                  "PRAGMA ignore_check_constraints = OFF;", &error));
  g_assert_no_error (error);
  g_clear_pointer (&alerts, g_ptr_array_unref);
  alerts = obd_store_list_session_alerts (f->store, r.session_id, &error);
  g_assert_null (alerts);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (obd_diagnosis_evaluate_stored (f->store, r.vehicle_id, &error));
  g_assert_nonnull (error);
}

/* A reading that creeps up over the sessions is a drift in the vehicle's
 * stored report, said the way a mechanic reads it. */
static void
test_trends_in_report (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) trends = NULL;
  g_autoptr(ObdHealthReport) report = NULL;
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autofree char *text = NULL;
  const ObdTrendResult *coolant = NULL;
  gint64 vehicle;
  /* 2024-03-01 */
  const gint64 t0 = G_GINT64_CONSTANT (1709251200000000);
  const gint64 week = (gint64) 7 * 24 * 3600 * G_USEC_PER_SEC;

  vehicle = obd_store_ensure_vehicle (f->store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  recorder = obd_recorder_new (f->store, &error);
  g_assert_no_error (error);

  /* Twelve weekly sessions at idle, coolant 88 °C rising 0.7 °C a week;
   * a session driving at speed adds points that are not at idle. */
  for (int s = 0; s < 12; s++)
    {
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      gint64 id;

      id = obd_recorder_start_session (recorder, vehicle, "can11-500", "test", "sim", &error);
      g_assert_no_error (error);
      /* The recorder stamps the session with the wall clock; move it to
       * its week, as sessions recorded over months would be. */
      {
        g_autofree char *sql = g_strdup_printf ("UPDATE sessions SET started_us = %" G_GINT64_FORMAT
                                                " WHERE id = %" G_GINT64_FORMAT,
                                                t0 + s * week, id);
        g_assert_true (_obd_store_exec (_obd_store_get_db (f->store), sql, &error));
        g_assert_no_error (error);
      }
      for (int k = 0; k < 40; k++)
        {
          gint64 t = t0 + s * week + (gint64) k * G_USEC_PER_SEC;
          gboolean driving = k >= 30;
          ObdSample speed = { t, 0x7E8, 1, 0x0D, 0, driving ? 90.0 : 0.0 };
          ObdSample rpm = { t, 0x7E8, 1, 0x0C, 0, driving ? 2600.0 : 780.0 };
          ObdSample coolant_sample = { t, 0x7E8, 1, 0x05, 0,
                                       driving ? 104.0 : 88.0 + 0.7 * s + (k % 3) * 0.2 };

          g_array_append_val (samples, speed);
          g_array_append_val (samples, rpm);
          g_array_append_val (samples, coolant_sample);
        }
      obd_recorder_push_samples (recorder, (const ObdSample *) (gpointer) samples->data,
                                 samples->len);
      g_assert_true (obd_recorder_stop_session (recorder, &error));
      g_assert_no_error (error);
    }

  trends = obd_diagnosis_list_trends (f->store, vehicle, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < trends->len; i++)
    if (g_strcmp0 (((ObdTrendResult *) g_ptr_array_index (trends, i))->key, "coolant_temp") == 0)
      coolant = g_ptr_array_index (trends, i);
  g_assert_nonnull (coolant);
  g_test_message ("%s", coolant->explanation);
  g_assert_cmpint (coolant->kind, ==, OBD_TREND_KIND_DRIFT);
  g_assert_cmpuint (coolant->n_points, ==, 12);
  /* 0.1 °C a day at idle; the driving samples (104 °C) are not mixed in. */
  g_assert_cmpfloat_with_epsilon (coolant->slope_per_day, 0.1, 0.02);
  g_assert_nonnull (strstr (coolant->explanation, "Coolant temperature at idle rising"));
  g_assert_nonnull (strstr (coolant->explanation, "per month since March 2024"));

  report = obd_diagnosis_evaluate_stored (f->store, vehicle, &error);
  g_assert_no_error (error);
  text = obd_health_report_explain (report);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Unusual trend: Coolant temperature at idle rising"));
  g_assert_cmpfloat (report->system_scores[OBD_HEALTH_SYSTEM_COOLING], <, 100.0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "UTC", TRUE);
  obd_sim_register ();

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/diagnosis/stored-equals-live", test_stored_equals_live);
  ADD ("/diagnosis/clear-codes", test_clear_codes);
  ADD ("/diagnosis/session-codes-exported", test_session_codes_exported);
  ADD ("/diagnosis/session-inputs-guarded", test_session_inputs_guarded);
  ADD ("/diagnosis/trends-in-report", test_trends_in_report);
#undef ADD

  return g_test_run ();
}
