/* test-worker.c — the adapter worker against the simulator: batches,
 * priorities, jobs, faults and shutdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "obd-error.h"
#include "obd-mode09.h"
#include "obd-sim-transport.h"
#include "obd-worker.h"
#include "test-wait.h"

/* The thread whose default main context started the worker: every
 * signal of the worker must be emitted there (from a source dispatched on
 * that context, or from obd_worker_stop() called there). */
static GThread *main_thread;

#define ASSERT_OWNER_THREAD() g_assert_true (g_thread_self () == main_thread)

typedef struct
{
  ObdWorker *worker;
  GArray    *samples;      /* everything delivered */
  guint      max_batch;
  guint      n_batches;
  gint64     last_batch_us;
  gint64     min_gap_us;
  gboolean   stopped;
  GError    *error;
  guint      n_connected;
  guint      n_reconnecting;
} Fixture;

static void
on_samples_cb (ObdWorker *worker,
               GArray    *samples,
               Fixture   *f)
{
  gint64 now = g_get_monotonic_time ();

  ASSERT_OWNER_THREAD ();
  g_assert_cmpuint (samples->len, >, 0);
  f->max_batch = MAX (f->max_batch, samples->len);
  if (f->last_batch_us != 0)
    f->min_gap_us = MIN (f->min_gap_us, now - f->last_batch_us);
  f->last_batch_us = now;
  f->n_batches++;
  g_array_append_vals (f->samples, samples->data, samples->len);
}

static void
on_state_changed_cb (ObdWorker *worker,
                     Fixture   *f)
{
  ASSERT_OWNER_THREAD ();
  switch (obd_worker_get_state (worker))
    {
    case OBD_WORKER_STATE_CONNECTED:
      f->n_connected++;
      break;
    case OBD_WORKER_STATE_RECONNECTING:
      f->n_reconnecting++;
      break;
    case OBD_WORKER_STATE_IDLE:
    case OBD_WORKER_STATE_CONNECTING:
    case OBD_WORKER_STATE_STOPPED:
    default:
      break;
    }
}

static void
on_stopped_cb (ObdWorker    *worker,
               const GError *error,
               Fixture      *f)
{
  ASSERT_OWNER_THREAD ();
  g_assert_false (f->stopped);
  f->stopped = TRUE;
  if (error != NULL)
    f->error = g_error_copy (error);
}

static void
fixture_start (Fixture    *f,
               const char *connection,
               ObdStrategy strategy)
{
  memset (f, 0, sizeof *f);
  f->samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  f->min_gap_us = G_MAXINT64;
  f->worker = obd_worker_new (connection, strategy, OBD_PROTOCOL_AUTO);
  g_signal_connect (f->worker, "samples", G_CALLBACK (on_samples_cb), f);
  g_signal_connect (f->worker, "state-changed", G_CALLBACK (on_state_changed_cb), f);
  g_signal_connect (f->worker, "stopped", G_CALLBACK (on_stopped_cb), f);
  obd_worker_start (f->worker);
}

static void
fixture_finish (Fixture *f)
{
  obd_worker_stop (f->worker);
  g_assert_true (f->stopped);
  g_assert_finalize_object (f->worker);
  g_array_unref (f->samples);
  g_clear_error (&f->error);
}

/* Iterates the default context until cond holds or the deadline passes;
 * a ticking source makes sure the deadline is looked at. */

static guint
count_pid (GArray *samples,
           guint8  pid)
{
  guint n = 0;

  for (guint i = 0; i < samples->len; i++)
    if (g_array_index (samples, ObdSample, i).pid == pid &&
        g_array_index (samples, ObdSample, i).index == 0)
      n++;

  return n;
}

static void
test_batches (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05, 0x04 };
  Fixture f;
  guint64 delivered;

  fixture_start (&f, "sim:driving-cycle?timing=0", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  g_assert_no_error (f.error);
  g_assert_cmpstr (obd_worker_get_adapter_version (f.worker), !=, NULL);
  g_assert_cmpint (obd_worker_get_protocol (f.worker), ==, OBD_PROTOCOL_CAN_11BIT_500K);

  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (f.samples->len >= 2000, 60);

  /* Coalesced: with no simulated delay the worker reads thousands of
   * samples a second, yet batches come no more often than every 50 ms
   * (less a little for timer slack). */
  g_assert_cmpint (f.min_gap_us, >=, (OBD_WORKER_BATCH_MS - 10) * 1000);
  g_assert_cmpuint (f.n_batches, <, f.samples->len / 10);

  obd_worker_stop (f.worker);
  g_assert_true (f.stopped);
  g_assert_no_error (f.error);

  /* Nothing read is lost: every value the adapter decoded was delivered. */
  delivered = f.samples->len;
  g_assert_cmpuint (delivered, ==, obd_worker_get_n_values (f.worker));
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    g_assert_cmpuint (count_pid (f.samples, pids[i]), >, 100);

  fixture_finish (&f);
}

static void
test_priorities (void)
{
  static const guint8 pids[] = { 0x0C, 0x05, 0x2F, 0x0D, 0x04, 0x11, 0x0B, 0x0F };
  static const guint priorities[] = { 10, 1, 1, 1, 1, 1, 1, 1 };
  Fixture f;
  guint rpm, coolant;

  /* Naive: one PID a request, so the schedule decides everything. */
  fixture_start (&f, "sim:healthy-idle?timing=0", OBD_STRATEGY_NAIVE);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, priorities, G_N_ELEMENTS (pids));
  WAIT_FOR (count_pid (f.samples, 0x05) >= 20, 60);
  obd_worker_stop (f.worker);

  rpm = count_pid (f.samples, 0x0C);
  coolant = count_pid (f.samples, 0x05);
  g_assert_cmpfloat ((double) rpm / coolant, >, 7);
  g_assert_cmpfloat ((double) rpm / coolant, <, 13);

  fixture_finish (&f);
}

static gpointer
read_vin_job (ObdAdapter    *adapter,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  guint8 infotype = 0x02;
  g_autoptr(ObdResponse) response = NULL;

  g_assert_false (g_main_context_is_owner (g_main_context_default ()));
  g_assert_true (g_thread_self () != main_thread);
  if (data != NULL)
    *(GThread **) data = g_thread_self ();

  response = obd_adapter_query_all (adapter, 0x09, &infotype, 1, cancellable, error);
  if (response == NULL)
    return NULL;

  return obd_mode09_parse_vin (response, TRUE, NULL, error);
}

static void
on_vin_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  char **vin = data;
  g_autoptr(GError) error = NULL;

  ASSERT_OWNER_THREAD ();
  *vin = obd_worker_run_finish (OBD_WORKER (source), result, &error);
  g_assert_no_error (error);
}

static void
test_job (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D };
  g_autofree char *vin = NULL;
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (f.samples->len > 10, 30);

  /* A job runs between two polls and its result comes back here. */
  obd_worker_run_async (f.worker, read_vin_job, NULL, NULL, g_free, NULL, on_vin_cb, &vin);
  WAIT_FOR (vin != NULL, 30);
  g_assert_cmpuint (strlen (vin), ==, 17);

  fixture_finish (&f);
}

static void
test_drop_no_reconnect (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0&fault=drop-after:40", OBD_STRATEGY_FAST);
  obd_worker_set_auto_reconnect (f.worker, FALSE);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (f.stopped, 30);

  /* A pulled cable: a clear error, after every sample read before it. */
  g_assert_error (f.error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED);
  g_assert_cmpuint (f.samples->len, >, 0);
  g_assert_cmpuint (f.samples->len, ==, obd_worker_get_n_values (f.worker));
  g_assert_cmpint (obd_worker_get_state (f.worker), ==, OBD_WORKER_STATE_STOPPED);

  fixture_finish (&f);
}

static void
test_drop_reconnect (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0&fault=drop-after:40", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (f.n_connected == 2 || f.stopped, 30);
  g_assert_false (f.stopped);
  g_assert_cmpuint (f.n_reconnecting, ==, 1);

  /* Polling goes on after the reconnect. */
  {
    guint before = f.samples->len;

    WAIT_FOR (f.samples->len > before + 100, 30);
  }

  fixture_finish (&f);
  g_assert_no_error (f.error);
}

static void
test_faults_survivable (void)
{
  static const char *faults[] = { "garbage:5", "truncate:25", "can-error:6", "bus-busy:7", "stall:30:3000" };
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *connection = g_strdup_printf ("sim:healthy-idle?timing=0&fault=%s",
                                                     faults[i]);
      Fixture f;

      g_test_message ("fault %s", faults[i]);
      fixture_start (&f, connection, OBD_STRATEGY_FAST);
      WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
      obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
      WAIT_FOR (f.samples->len >= 200 || f.stopped, 60);
      g_assert_false (f.stopped);
      fixture_finish (&f);
      g_assert_no_error (f.error);
    }
}

/* A link that drops at a moment in time rather than after a request
 * count: the worker reconnects and polling goes on. */
static void
test_drop_at_time (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?fault=drop-at:1500", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (f.n_reconnecting == 1 || f.stopped, 30);
  g_assert_false (f.stopped);
  WAIT_FOR (f.n_connected == 2 || f.stopped, 30);
  {
    guint before = f.samples->len;

    WAIT_FOR (f.samples->len > before + 20, 30);
  }
  fixture_finish (&f);
  g_assert_no_error (f.error);
}

static void
test_ignition_off (void)
{
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0&fault=ignition-off", OBD_STRATEGY_FAST);
  WAIT_FOR (f.stopped, 30);
  g_assert_error (f.error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT);
  fixture_finish (&f);
}

static void
test_bad_connection (void)
{
  Fixture f;

  fixture_start (&f, "tcp:", OBD_STRATEGY_FAST);
  WAIT_FOR (f.stopped, 30);
  g_assert_error (f.error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  fixture_finish (&f);
}

/* Stopping while the simulated adapter takes its time in real time. */
static void
test_stop_while_busy (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };
  Fixture f;
  gint64 start;

  fixture_start (&f, "sim:healthy-idle?fault=stall:40:20000", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  /* Request 40 is answered 20 s late: stop while it is pending. */
  WAIT_FOR (obd_worker_get_n_requests (f.worker) >= 39, 30);

  start = g_get_monotonic_time ();
  fixture_finish (&f);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* Requests made while the worker is still connecting wait for it on its
 * own thread; neither runs on the caller's (g_main_context_invoke() would
 * run them right here, before any connection exists). */
static void
test_requests_while_connecting (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D };
  g_autofree char *vin = NULL;
  GThread *job_thread = NULL;
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0.2", OBD_STRATEGY_FAST);
  g_assert_cmpuint (f.n_connected, ==, 0);
  obd_worker_run_async (f.worker, read_vin_job, &job_thread, NULL, g_free, NULL, on_vin_cb,
                        &vin);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));

  WAIT_FOR (vin != NULL || f.stopped, 30);
  g_assert_no_error (f.error);
  g_assert_cmpuint (strlen (vin), ==, 17);
  g_assert_nonnull (job_thread);
  g_assert_true (job_thread != main_thread);
  WAIT_FOR (count_pid (f.samples, 0x0D) > 3 || f.stopped, 30);

  fixture_finish (&f);
}

static void
wait_for_reconnects (ObdWorker *worker,
                     guint64    n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  ObdLinkStats stats;

  /* Without iterating the owner's context: nothing may reach it. */
  obd_worker_get_link_stats (worker, &stats);
  while (stats.n_reconnects < n && g_get_monotonic_time () < deadline)
    {
      g_usleep (2000);
      obd_worker_get_link_stats (worker, &stats);
    }
  g_assert_cmpuint (stats.n_reconnects, >=, n);
}

/* The owner's view of the connection stays valid while the worker
 * reconnects on its thread (it used to be the worker's string, freed by
 * every reconnect); it changes when the owner hears of the new state. */
static void
test_facts_across_reconnect (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };
  const char *version;
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0&fault=drop-after:40", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  version = obd_worker_get_adapter_version (f.worker);
  g_assert_cmpstr (version, ==, "ELM327 v2.1");
  g_assert_cmpint (obd_worker_get_protocol (f.worker), ==, OBD_PROTOCOL_CAN_11BIT_500K);

  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  /* set_pids() queued the request: let the worker see it */
  g_main_context_iteration (NULL, FALSE);
  wait_for_reconnects (f.worker, 1);

  g_assert_true (obd_worker_get_adapter_version (f.worker) == version);
  g_assert_cmpstr (version, ==, "ELM327 v2.1");

  WAIT_FOR (f.n_connected == 2 || f.stopped, 30);
  g_assert_cmpstr (obd_worker_get_adapter_version (f.worker), ==, "ELM327 v2.1");
  fixture_finish (&f);
}

/* An owner that stops iterating its main loop: the queue stays bounded,
 * the worker never waits for it, and what it drops is counted. */
static void
test_owner_stalls (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05, 0x04 };
  gint64 deadline;
  gint64 first_us, last_us, stall_start_us;
  ObdLinkStats stats;
  Fixture f;

  fixture_start (&f, "sim:driving-cycle?timing=0", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  stall_start_us = g_get_real_time ();
  g_main_context_iteration (NULL, FALSE);

  /* The owner is busy elsewhere while the worker reads four times what
   * the queue holds. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  do
    {
      g_usleep (5000);
      obd_worker_get_link_stats (f.worker, &stats);
    }
  while (stats.n_values < 4 * OBD_WORKER_MAX_PENDING && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (stats.n_values, >=, 4 * OBD_WORKER_MAX_PENDING);
  g_assert_cmpuint (stats.n_dropped_samples, >, 0);

  obd_worker_stop (f.worker);
  g_assert_true (f.stopped);
  g_assert_no_error (f.error);
  obd_worker_get_link_stats (f.worker, &stats);

  /* Never more than the queue holds at once; delivered and dropped
   * account for every value read. */
  g_assert_cmpuint (f.max_batch, <=, OBD_WORKER_MAX_PENDING);
  g_assert_cmpuint (f.samples->len + stats.n_dropped_samples, ==, stats.n_values);

  /* Thinned, not cut: the owner still gets the start of the stall and the
   * newest values, for every PID. */
  first_us = g_array_index (f.samples, ObdSample, 0).time_us;
  last_us = g_array_index (f.samples, ObdSample, f.samples->len - 1).time_us;
  g_assert_cmpint (first_us - stall_start_us, <, 1 * G_USEC_PER_SEC);
  g_assert_cmpint (last_us, >=, first_us);
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    g_assert_cmpuint (count_pid (f.samples, pids[i]), >, 100);

  fixture_finish (&f);
}

/* Stopping while the adapter talks on and on: the read in progress ends
 * at once, not when its bounds run out. */
static void
test_stop_while_babbling (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };
  Fixture f;
  gint64 start;

  /* Lines 1-16 connect (the resynchronisation probe, AT Z ... AT SH), 17
   * and 18 are answered polls of three PIDs each, 19 starts the babble. */
  fixture_start (&f, "sim:healthy-idle?fault=babble:19", OBD_STRATEGY_FAST);
  WAIT_FOR (f.n_connected == 1 || f.stopped, 30);
  obd_worker_set_pids (f.worker, pids, NULL, G_N_ELEMENTS (pids));
  WAIT_FOR (f.samples->len >= 6 || f.stopped, 30);
  g_assert_false (f.stopped);

  start = g_get_monotonic_time ();
  fixture_finish (&f);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

/* An adapter that never stops talking: a clear error, the worker gives up
 * (after trying to reconnect) instead of hanging. */
static void
test_babbling_adapter (void)
{
  Fixture f;

  fixture_start (&f, "sim:healthy-idle?timing=0&fault=babble:8", OBD_STRATEGY_FAST);
  WAIT_FOR (f.stopped, 60);
  g_assert_error (f.error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED);
  g_assert_nonnull (strstr (f.error->message, "keeps sending"));
  fixture_finish (&f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  obd_sim_register ();
  main_thread = g_thread_self ();

  g_test_add_func ("/obd/worker/batches", test_batches);
  g_test_add_func ("/obd/worker/priorities", test_priorities);
  g_test_add_func ("/obd/worker/job", test_job);
  g_test_add_func ("/obd/worker/drop", test_drop_no_reconnect);
  g_test_add_func ("/obd/worker/reconnect", test_drop_reconnect);
  g_test_add_func ("/obd/worker/faults", test_faults_survivable);
  g_test_add_func ("/obd/worker/drop-at-time", test_drop_at_time);
  g_test_add_func ("/obd/worker/ignition-off", test_ignition_off);
  g_test_add_func ("/obd/worker/bad-connection", test_bad_connection);
  g_test_add_func ("/obd/worker/stop-while-busy", test_stop_while_busy);
  g_test_add_func ("/obd/worker/requests-while-connecting", test_requests_while_connecting);
  g_test_add_func ("/obd/worker/facts-across-reconnect", test_facts_across_reconnect);
  g_test_add_func ("/obd/worker/owner-stalls", test_owner_stalls);
  g_test_add_func ("/obd/worker/stop-while-babbling", test_stop_while_babbling);
  g_test_add_func ("/obd/worker/babbling-adapter", test_babbling_adapter);

  return g_test_run ();
}
