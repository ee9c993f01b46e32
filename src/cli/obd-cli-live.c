/* obd-cli-live.c — streaming commands: live and bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both run the adapter worker exactly as the application does, on this
 * program's main loop.
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-cli-table.h"
#include "obd-error.h"
#include "obd-pid-format.h"
#include "obd-sim-elm.h"
#include "obd-sim-transport.h"
#include "obd-worker.h"

typedef struct
{
  ObdCli     *cli;
  GMainLoop  *loop;
  ObdWorker  *worker;
  GError     *error;
  gboolean    csv;
  ObdCliTable *table;        /* --table: one refreshing line per reading */
  gboolean    connected;
  gboolean    link_lost;     /* the worker went to RECONNECTING at least once */
  guint       duration_id;
  guint64     n_values;      /* values printed */
  guint64     n_pid_reads;   /* samples with index 0: one per PID read */
  gint64      window_start;
  guint64     window_requests;
  guint64     window_reads;
} LiveRun;

static void
on_state_changed_cb (ObdWorker *worker,
                     LiveRun   *run)
{
  if (obd_worker_get_state (worker) == OBD_WORKER_STATE_RECONNECTING)
    {
      run->link_lost = TRUE;
      g_printerr ("obd2: %s\n", _("Link lost; reconnecting…"));
    }
}

static void
on_stopped_cb (ObdWorker    *worker,
               const GError *error,
               LiveRun      *run)
{
  if (error != NULL && run->error == NULL)
    run->error = g_error_copy (error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_duration_cb (gpointer data)
{
  LiveRun *run = data;

  run->duration_id = 0;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static void
print_sample (LiveRun         *run,
              const ObdSample *sample)
{
  ObdCli *cli = run->cli;
  const ObdValue *meta = obd_pid_get_value_info (sample->pid, sample->index);
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_local (sample->time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) time = g_date_time_add (seconds, sample->time_us % G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S.%f%:z");
  /* 0: the adapter shows no headers, so the ECU is unknown. */
  g_autofree char *ecu = sample->ecu != 0 ? g_strdup_printf ("%X", sample->ecu) : g_strdup ("?");
  ObdUnit unit = meta != NULL ? meta->unit : OBD_UNIT_NONE;
  const char *key = meta != NULL ? meta->key : "?";
  double value = obd_unit_convert (unit, cli->units, sample->value);
  const char *symbol = obd_unit_get_symbol (unit, cli->units);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *pid = g_strdup_printf ("%02X", sample->pid);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, stamp);
      json_builder_set_member_name (builder, "ecu");
      json_builder_add_string_value (builder, ecu);
      json_builder_set_member_name (builder, "pid");
      json_builder_add_string_value (builder, pid);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, key);
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, value);
      json_builder_set_member_name (builder, "unit");
      json_builder_add_string_value (builder, symbol);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, FALSE);
    }
  else if (run->csv)
    g_print ("%s,%s,%02X,%s,%.6g,%s\n", stamp, ecu, sample->pid, key, value, symbol);
  else
    {
      /* For people: only the digits the PID resolves (machine output
       * above keeps them all). */
      g_autofree char *shown = obd_pid_format_value (sample->pid, sample->index, sample->value,
                                                     cli->units);

      g_print ("%s  %-4s %-28s %14s\n", stamp + 11, ecu,
               meta != NULL ? obd_value_get_label (meta) : key, shown);
    }
}

static void
on_live_samples_cb (ObdWorker *worker,
                    GArray    *samples,
                    LiveRun   *run)
{
  if (run->table != NULL)
    {
      g_autofree char *text = NULL;

      obd_cli_table_add_samples (run->table, (const ObdSample *) (gpointer) samples->data,
                                 samples->len);
      text = obd_cli_table_render (run->table, g_get_monotonic_time (), FALSE);
      if (text != NULL)
        g_print ("%s", text);
      fflush (stdout);
      return;
    }
  for (guint i = 0; i < samples->len; i++)
    print_sample (run, &g_array_index (samples, ObdSample, i));
  run->n_values += samples->len;
  fflush (stdout);
}

static void
on_bench_samples_cb (ObdWorker *worker,
                     GArray    *samples,
                     LiveRun   *run)
{
  for (guint i = 0; i < samples->len; i++)
    if (g_array_index (samples, ObdSample, i).index == 0)
      run->n_pid_reads++;
}

static gboolean
resolve_pids (int       argc,
              char    **argv,
              GArray   *pids,
              GError  **error)
{
  for (int i = 1; i < argc; i++)
    if (!obd_cli_parse_pids (argv[i], pids, error))
      return FALSE;

  return TRUE;
}

/* Starts a worker and runs the loop until it is connected or gave up. */
static gboolean
start_worker (LiveRun     *run,
              ObdStrategy  strategy,
              GCallback    samples_cb)
{
  run->loop = g_main_loop_new (NULL, FALSE);
  run->worker = obd_cli_start_worker (run->cli, strategy, run->loop, &run->error);
  if (run->worker == NULL)
    return FALSE;

  run->connected = TRUE;
  g_signal_connect (run->worker, "state-changed", G_CALLBACK (on_state_changed_cb), run);
  g_signal_connect (run->worker, "stopped", G_CALLBACK (on_stopped_cb), run);
  g_signal_connect (run->worker, "samples", samples_cb, run);

  return TRUE;
}

static void
live_run_clear (LiveRun *run)
{
  if (run->worker != NULL)
    {
      obd_worker_stop (run->worker);
      g_signal_handlers_disconnect_by_data (run->worker, run);
    }
  g_clear_object (&run->worker);
  g_clear_pointer (&run->table, obd_cli_table_free);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_error (&run->error);
}

int
obd_cli_cmd_live (ObdCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autofree char *duration_text = NULL;
  double duration = 0;
  gboolean csv = FALSE;
  gboolean table = FALSE;
  g_autofree char *strategy_name = NULL;
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &duration_text,
      N_("Stop after this long: seconds, or 90s, 10m, 1h (default: until Ctrl+C)"), "S" },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("Print CSV rows"), NULL },
    { "table", 't', 0, G_OPTION_ARG_NONE, &table,
      N_("Show one line per reading, refreshed in place"), NULL },
    { "strategy", 0, 0, G_OPTION_ARG_STRING, &strategy_name, N_("fast (default) or naive"),
      "STRATEGY" },
    { NULL }
  };
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr(GError) error = NULL;
  ObdStrategy strategy = OBD_STRATEGY_FAST;
  LiveRun run = { .cli = cli };
  int status = OBD_CLI_EXIT_OK;

  if (!obd_cli_parse_options (cli, "live", "PID...", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;

  if (strategy_name != NULL && !obd_strategy_parse (strategy_name, &strategy))
    return obd_cli_usage_error (_("Unknown strategy “%s”. Use fast or naive."), strategy_name);
  if (argc < 2)
    return obd_cli_usage_error (_("Name the PIDs to stream, e.g. “obd2 live rpm speed 05”."));
  if (duration_text != NULL && !obd_cli_parse_seconds ("--duration", duration_text, &duration,
                                                       &error))
    return obd_cli_fail (cli, error);
  if (!resolve_pids (argc, argv, pids, &error))
    return obd_cli_fail (cli, error);
  if (pids->len == 0)
    return obd_cli_usage_error (_("Name the PIDs to stream, e.g. “obd2 live rpm speed 05”."));

  run.csv = csv;
  if (table && (csv || cli->json))
    return obd_cli_usage_error (_("--table is for people; it does not go with --csv or "
                                  "--json."));
  if (table)
    run.table = obd_cli_table_new (cli->units, isatty (STDOUT_FILENO));
  if (csv && !cli->json)
    g_print ("time,ecu,pid,key,value,unit\n");

  if (start_worker (&run, strategy, G_CALLBACK (on_live_samples_cb)))
    {
      gboolean link_down;

      obd_worker_set_pids (run.worker, (const guint8 *) pids->data, NULL, pids->len);
      if (duration > 0)
        run.duration_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                              obd_cli_seconds_to_ms (duration), on_duration_cb,
                                              &run, NULL);
      obd_cli_run_loop (cli, run.loop);
      g_clear_handle_id (&run.duration_id, g_source_remove);
      link_down = obd_worker_get_state (run.worker) == OBD_WORKER_STATE_RECONNECTING;
      /* Deliver what was read before stopping. */
      obd_worker_stop (run.worker);
      if (run.table != NULL)
        {
          g_autofree char *text = obd_cli_table_render (run.table, g_get_monotonic_time (),
                                                        TRUE);

          g_print ("%s", text);
        }

      /* The link went and did not come back before the end (the worker
       * was still trying, or stopped without an error to tell): the
       * stream was cut short, and with no value at all nothing was
       * read. */
      if (run.error == NULL && !g_cancellable_is_cancelled (cli->cancellable)
          && (link_down || (run.link_lost && run.n_values == 0)))
        g_set_error (&run.error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                     run.n_values == 0
                     ? _("The link to the adapter was lost before any value arrived. Check the "
                         "cable or the Bluetooth pairing, and that the ignition is on.")
                     : _("The link to the adapter was lost and did not come back; the values "
                         "above are all that arrived. Check the cable or the Bluetooth "
                         "pairing."));
      else if (run.error == NULL && !g_cancellable_is_cancelled (cli->cancellable)
               && run.n_values == 0)
        g_set_error (&run.error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NO_DATA,
                     _("The vehicle answered none of the PIDs asked for. Run “obd2 info” to see "
                       "what it supports."));
    }

  if (run.error != NULL)
    status = obd_cli_fail (cli, run.error);
  else if (g_cancellable_is_cancelled (cli->cancellable) && !run.connected)
    status = OBD_CLI_EXIT_FAILURE;

  live_run_clear (&run);
  return status;
}

/* ---- bench -------------------------------------------------------------- */

/* What the simulator's timing model allows at best: six PIDs in one
 * request with a response count, back to back, on an adapter set up as the
 * fast strategy sets it up (echo and spaces off, headers on, the engine
 * ECU addressed physically).  0 when the connection is not the simulator. */
static double
sim_limit_pids_per_second (const char *connection)
{
  static const char *setup[] = {
    "ATZ", "ATE0", "ATL0", "ATS0", "ATH1", "ATAT2", "ATSP0", "0100", "ATSH7E0",
  };
  g_autoptr(ObdSimConfig) config = NULL;
  g_autoptr(ObdSimElm) elm = NULL;
  gint64 now = 0;
  gint64 request_us;

  if (!g_str_equal (connection, "sim") && !g_str_has_prefix (connection, "sim:"))
    return 0;

  config = obd_sim_config_parse (connection[3] == ':' ? connection + 4 : NULL, NULL);
  if (config == NULL || (elm = obd_sim_elm_new (config, NULL)) == NULL)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (setup); i++)
    g_free (obd_sim_elm_transact (elm, setup[i], &now));

  request_us = obd_sim_elm_estimate_request_us (elm, "010C0D05040B11 1");
  return request_us > 0 ? 6.0 * G_USEC_PER_SEC / request_us : 0;
}

typedef struct
{
  double queries_per_s;
  double pids_per_s;
  guint  n_pids;
} BenchResult;

/* The PIDs a dashboard shows: numeric, supported by the car, one value
 * each, as many as fit two full multi-PID requests. */
static void
choose_bench_pids (ObdWorker *worker,
                   GArray    *out)
{
  static const guint8 preferred[] = {
    0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B, 0x0F, 0x10, 0x0E, 0x2F, 0x42, 0x46,
  };
  g_autoptr(GArray) supported = obd_worker_dup_supported_pids (worker);

  for (guint i = 0; i < G_N_ELEMENTS (preferred); i++)
    for (guint j = 0; j < supported->len; j++)
      if (g_array_index (supported, guint8, j) == preferred[i])
        g_array_append_val (out, preferred[i]);
}

static gboolean
run_bench (ObdCli       *cli,
           ObdStrategy   strategy,
           double        duration,
           BenchResult  *result,
           GError      **error)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  LiveRun run = { .cli = cli };
  guint64 requests0, requests1;
  guint64 reads0;
  gint64 t0, t1;

  if (!start_worker (&run, strategy, G_CALLBACK (on_bench_samples_cb)))
    {
      if (run.error != NULL)
        g_propagate_error (error, g_steal_pointer (&run.error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Interrupted."));
      live_run_clear (&run);
      return FALSE;
    }

  choose_bench_pids (run.worker, pids);
  if (pids->len == 0)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("The vehicle supports none of the PIDs the benchmark reads."));
      live_run_clear (&run);
      return FALSE;
    }

  obd_worker_set_pids (run.worker, (const guint8 *) pids->data, NULL, pids->len);

  /* Measure from the first batch on, so connection set-up is not counted. */
  g_timeout_add (500, on_duration_cb, &run);
  obd_cli_run_loop (cli, run.loop);
  requests0 = obd_worker_get_n_requests (run.worker);
  reads0 = run.n_pid_reads;
  t0 = g_get_monotonic_time ();

  g_timeout_add_full (G_PRIORITY_DEFAULT, obd_cli_seconds_to_ms (duration), on_duration_cb, &run,
                      NULL);
  obd_cli_run_loop (cli, run.loop);
  g_source_remove_by_user_data (&run);
  requests1 = obd_worker_get_n_requests (run.worker);
  t1 = g_get_monotonic_time ();

  if (run.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run.error));
      live_run_clear (&run);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cli->cancellable, error))
    {
      live_run_clear (&run);
      return FALSE;
    }

  result->n_pids = pids->len;
  result->queries_per_s = (requests1 - requests0) / ((t1 - t0) / (double) G_USEC_PER_SEC);
  /* Samples of the last batch may still be in flight: count what arrived
   * up to t1 only, which slightly under-reports, never over-reports. */
  result->pids_per_s = (run.n_pid_reads - reads0) / ((t1 - t0) / (double) G_USEC_PER_SEC);

  live_run_clear (&run);
  return TRUE;
}

int
obd_cli_cmd_bench (ObdCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autofree char *duration_text = NULL;
  double duration = 5;
  g_autofree char *strategy_name = NULL;
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &duration_text,
      N_("How long per strategy: seconds, or 90s, 10m (default 5)"), "S" },
    { "strategy", 0, 0, G_OPTION_ARG_STRING, &strategy_name,
      N_("naive, fast or both (default)"), "STRATEGY" },
    { NULL }
  };
  ObdStrategy strategies[2];
  BenchResult results[2] = { { 0 } };
  guint n_strategies = 0;
  g_autoptr(GError) error = NULL;
  double limit;

  if (!obd_cli_parse_options (cli, "bench", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("bench", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  if (strategy_name == NULL || g_str_equal (strategy_name, "both"))
    {
      strategies[n_strategies++] = OBD_STRATEGY_NAIVE;
      strategies[n_strategies++] = OBD_STRATEGY_FAST;
    }
  else if (obd_strategy_parse (strategy_name, &strategies[0]))
    n_strategies = 1;
  else
    return obd_cli_usage_error (_("Unknown strategy “%s”. Use naive, fast or both."),
                                strategy_name);

  if (duration_text != NULL && !obd_cli_parse_seconds ("--duration", duration_text, &duration,
                                                       &error))
    return obd_cli_fail (cli, error);

  for (guint i = 0; i < n_strategies; i++)
    if (!run_bench (cli, strategies[i], duration, &results[i], &error))
      return obd_cli_fail (cli, error);

  limit = sim_limit_pids_per_second (cli->port);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      /* DESIGN.md §8: a benchmark's last line names it and gives the
       * ratio of ours (fast) over the reference (naive). */
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, "strategies");
      if (n_strategies == 2 && results[0].pids_per_s > 0)
        {
          json_builder_set_member_name (builder, "ratio");
          json_builder_add_double_value (builder,
                                         results[1].pids_per_s / results[0].pids_per_s);
        }
      json_builder_set_member_name (builder, "connection");
      json_builder_add_string_value (builder, cli->port);
      json_builder_set_member_name (builder, "duration_s");
      json_builder_add_double_value (builder, duration);
      json_builder_set_member_name (builder, "strategies");
      json_builder_begin_object (builder);
      for (guint i = 0; i < n_strategies; i++)
        {
          json_builder_set_member_name (builder, obd_strategy_to_string (strategies[i]));
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "queries_per_s");
          json_builder_add_double_value (builder, results[i].queries_per_s);
          json_builder_set_member_name (builder, "pids_per_s");
          json_builder_add_double_value (builder, results[i].pids_per_s);
          json_builder_set_member_name (builder, "pids_polled");
          json_builder_add_int_value (builder, results[i].n_pids);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "limit_pids_per_s");
      if (limit > 0)
        json_builder_add_double_value (builder, limit);
      else
        json_builder_add_null_value (builder);
      if (n_strategies == 2 && results[0].pids_per_s > 0)
        {
          json_builder_set_member_name (builder, "fast_over_naive");
          json_builder_add_double_value (builder,
                                         results[1].pids_per_s / results[0].pids_per_s);
        }
      for (guint i = 0; i < n_strategies; i++)
        if (strategies[i] == OBD_STRATEGY_FAST && limit > 0)
          {
            json_builder_set_member_name (builder, "fast_over_limit");
            json_builder_add_double_value (builder, results[i].pids_per_s / limit);
          }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, FALSE);
      return OBD_CLI_EXIT_OK;
    }

  g_print ("%-8s %12s %12s\n", _("strategy"), _("queries/s"), _("PIDs/s"));
  for (guint i = 0; i < n_strategies; i++)
    g_print ("%-8s %12.1f %12.1f\n", obd_strategy_to_string (strategies[i]),
             results[i].queries_per_s, results[i].pids_per_s);
  if (limit > 0)
    g_print (_("Timing-model limit: %.1f PIDs/s\n"), limit);
  if (n_strategies == 2 && results[0].pids_per_s > 0)
    g_print (_("fast / naive: %.1f×\n"), results[1].pids_per_s / results[0].pids_per_s);
  for (guint i = 0; i < n_strategies; i++)
    if (strategies[i] == OBD_STRATEGY_FAST && limit > 0)
      g_print (_("fast / limit: %.0f %%\n"), 100 * results[i].pids_per_s / limit);

  return OBD_CLI_EXIT_OK;
}
