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

typedef struct
{
  ObdWorker *worker;
  GArray    *samples;      /* everything delivered */
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

  g_assert_cmpuint (samples->len, >, 0);
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

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until cond holds or the deadline passes;
 * a ticking source makes sure the deadline is looked at. */
#define WAIT_FOR(cond, seconds)                                              \
  G_STMT_START {                                                             \
    gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC; \
    guint tick_ = g_timeout_add (100, tick_cb, NULL);                        \
    while (!(cond) && g_get_monotonic_time () < deadline_)                   \
      g_main_context_iteration (NULL, TRUE);                                 \
    g_source_remove (tick_);                                                 \
    g_assert_true (cond);                                                    \
  } G_STMT_END

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  obd_sim_register ();

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

  return g_test_run ();
}
