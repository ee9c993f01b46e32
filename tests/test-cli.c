/* test-cli.c — the obd2 command line end to end, as a shell user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct
{
  int    status;
  char  *out;
  char  *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static const char *
cli_path (void)
{
  const char *path = g_getenv ("OBD2_CLI");

  g_assert_nonnull (path);
  return path;
}

/* Runs obd2 with the given arguments (NULL-terminated). */
static void
run_cli (Run *run,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) cli_path ());
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static void
test_usage (void)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) nothing = { 0 };
  g_auto(Run) bad_option = { 0 };
  g_auto(Run) bad_units = { 0 };

  run_cli (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "bench"));

  run_cli (&unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));

  run_cli (&nothing, NULL);
  g_assert_cmpint (nothing.status, ==, 2);

  run_cli (&bad_option, "dtc", "--frob", NULL);
  g_assert_cmpint (bad_option.status, ==, 2);

  run_cli (&bad_units, "--units", "furlongs", "decode", "41", "0C", "1A", "F8", NULL);
  g_assert_cmpint (bad_units.status, ==, 2);
  g_assert_cmpstr (bad_units.out, ==, "");
}

static void
test_decode (void)
{
  g_auto(Run) rpm = { 0 };
  g_auto(Run) coolant = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) dtcs = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *value;

  run_cli (&rpm, "--json", "decode", "41", "0C", "1A", "F8", NULL);
  g_assert_cmpint (rpm.status, ==, 0);
  root = parse_json (rpm.out);
  value = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "values"), 0);
  g_assert_cmpstr (json_object_get_string_member (value, "key"), ==, "rpm");
  g_assert_cmpfloat (json_object_get_double_member (value, "value"), ==, 1726);
  g_assert_cmpstr (json_object_get_string_member (value, "unit"), ==, "rpm");

  /* --units us converts at display: 83 °C is 181.4 °F. */
  run_cli (&coolant, "--units", "us", "decode", "41057B", NULL);
  g_assert_cmpint (coolant.status, ==, 0);
  g_assert_nonnull (strstr (coolant.out, "181.4 °F"));

  run_cli (&bad, "decode", "41", "0C", "ZZ", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "hex"));

  run_cli (&dtcs, "decode", "43", "02", "03", "01", "04", "20", NULL);
  g_assert_cmpint (dtcs.status, ==, 0);
  g_assert_nonnull (strstr (dtcs.out, "P0301"));
  g_assert_nonnull (strstr (dtcs.out, "P0420"));
}

static void
test_codes (void)
{
  g_auto(Run) known = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) stats = { 0 };
  g_auto(Run) maker = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *code;

  run_cli (&known, "codes", "P0301", "--json", NULL);
  g_assert_cmpint (known.status, ==, 0);
  root = parse_json (known.out);
  code = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "codes"), 0);
  g_assert_cmpstr (json_object_get_string_member (code, "title"), ==,
                   "Cylinder 1 Misfire Detected");
  g_assert_cmpstr (json_object_get_string_member (code, "severity"), ==, "critical");

  run_cli (&maker, "codes", "P1234", NULL);
  g_assert_cmpint (maker.status, ==, 0);
  g_assert_nonnull (strstr (maker.out, "anufacturer"));

  run_cli (&bad, "codes", "X0420", NULL);
  g_assert_cmpint (bad.status, ==, 2);

  run_cli (&stats, "codes", "--stats", NULL);
  g_assert_cmpint (stats.status, ==, 0);
  g_assert_nonnull (strstr (stats.out, "generic codes"));
}

static void
test_vehicle_commands (void)
{
  g_auto(Run) info = { 0 };
  g_auto(Run) dtc = { 0 };
  g_auto(Run) clear_no = { 0 };
  g_auto(Run) clear = { 0 };
  g_auto(Run) freeze = { 0 };
  g_auto(Run) readiness = { 0 };
  g_auto(Run) monitors = { 0 };
  g_autoptr(JsonNode) info_root = NULL;
  g_autoptr(JsonNode) dtc_root = NULL;
  g_autoptr(JsonNode) freeze_root = NULL;
  g_autoptr(JsonNode) monitors_root = NULL;
  JsonObject *vin;
  JsonArray *codes;
  JsonArray *results;
  gboolean failed_catalyst = FALSE;

  run_cli (&info, "--port", "sim:misfire?timing=0", "--json", "info", NULL);
  g_assert_cmpint (info.status, ==, 0);
  info_root = parse_json (info.out);
  vin = json_object_get_object_member (json_node_get_object (info_root), "vin");
  g_assert_cmpuint (strlen (json_object_get_string_member (vin, "vin")), ==, 17);
  g_assert_true (json_object_get_boolean_member (vin, "check_digit_ok"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (info_root), "ecus")), >=, 2);

  run_cli (&dtc, "--port", "sim:misfire?timing=0", "dtc", "--all", "--json", NULL);
  g_assert_cmpint (dtc.status, ==, 0);
  dtc_root = parse_json (dtc.out);
  codes = json_object_get_array_member (json_node_get_object (dtc_root), "codes");
  g_assert_cmpuint (json_array_get_length (codes), >=, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (codes, 0),
                                                  "ecu"), ==, "7E8");

  run_cli (&clear_no, "--db", "/nonexistent/obd2-test/store.db", "--port",
           "sim:misfire?timing=0", "clear", NULL);
  g_assert_cmpint (clear_no.status, ==, 2);
  g_assert_nonnull (strstr (clear_no.err, "--yes"));

  /* No store there: nothing is created, the clear alone happens. */
  run_cli (&clear, "--db", "/nonexistent/obd2-test/store.db", "--port", "sim:misfire?timing=0",
           "clear", "--yes", NULL);
  g_assert_cmpint (clear.status, ==, 0);

  run_cli (&freeze, "--port", "sim:overheating?timing=0", "freeze", "--json", NULL);
  g_assert_cmpint (freeze.status, ==, 0);
  freeze_root = parse_json (freeze.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (freeze_root), "dtc"),
                   ==, "P0217");

  run_cli (&readiness, "--port", "sim:healthy-idle?timing=0", "readiness", NULL);
  g_assert_cmpint (readiness.status, ==, 0);
  g_assert_nonnull (strstr (readiness.out, "atalyst"));

  run_cli (&monitors, "--port", "sim:failing-catalyst?timing=0", "monitors", "--json", NULL);
  g_assert_cmpint (monitors.status, ==, 0);
  monitors_root = parse_json (monitors.out);
  results = json_object_get_array_member (json_node_get_object (monitors_root), "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (r, "mid"), "21") &&
          !json_object_get_boolean_member (r, "passed"))
        failed_catalyst = TRUE;
    }
  g_assert_true (failed_catalyst);
}

static void
test_failures (void)
{
  g_auto(Run) missing = { 0 };
  g_auto(Run) ignition = { 0 };
  g_auto(Run) bad_port = { 0 };

  run_cli (&missing, "--port", "/dev/ttyUSB-obd2-no-such", "info", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "/dev/ttyUSB-obd2-no-such"));

  run_cli (&ignition, "--port", "sim:healthy-idle?timing=0&fault=ignition-off", "dtc", NULL);
  g_assert_cmpint (ignition.status, ==, 1);
  g_assert_nonnull (strstr (ignition.err, "ignition"));

  run_cli (&bad_port, "--port", "bluetooth", "info", NULL);
  g_assert_cmpint (bad_port.status, ==, 2);
}

static void
test_live (void)
{
  g_auto(Run) live = { 0 };
  g_auto(Run) csv = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(GStrv) lines = NULL;
  guint n_rpm = 0;

  /* Real-time simulator: a second of polling is a few hundred values. */
  run_cli (&live, "--port", "sim:driving-cycle", "--json", "live", "rpm", "0D",
           "--duration", "1", NULL);
  g_assert_cmpint (live.status, ==, 0);
  lines = g_strsplit (live.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;

      if (lines[i][0] == '\0')
        continue;
      node = parse_json (lines[i]);
      if (g_str_equal (json_object_get_string_member (json_node_get_object (node), "key"),
                       "rpm"))
        n_rpm++;
    }
  g_assert_cmpuint (n_rpm, >, 10);

  run_cli (&csv, "--port", "sim:driving-cycle", "live", "speed", "--csv", "--duration", "0.5",
           NULL);
  g_assert_cmpint (csv.status, ==, 0);
  g_assert_true (g_str_has_prefix (csv.out, "time,ecu,pid,key,value,unit\n"));

  run_cli (&unknown, "live", "warp_factor", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
}

/* Runs obd2 with argv (NULL-terminated) and expects bad usage: exit 2,
 * nothing on stdout, and stderr naming what was wrong. */
static void
expect_usage_error (const char *expected,
                    const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *joined = g_strjoinv (" ", (char **) args);

  g_ptr_array_add (argv, (gpointer) cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("obd2 %s → %s", joined, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, expected));
}

#define USAGE(expected, ...) \
  expect_usage_error (expected, (const char * const[]) { __VA_ARGS__, NULL })

/* Every number and name a command takes is checked before anything runs:
 * no nan, inf, negative, hex, exponent or overflow gets through, and the
 * message names the option. */
static void
test_numbers (void)
{
  static const char * const bad_durations[] = {
    "nan", "NaN", "inf", "-inf", "infinity", "-1", "0", "0s", "-0.5", "1e3", "0x10", "",
    "10x", "1..5", "2592001", "4294968", "721h", "99999999999999999999999999999999999999",
    " 5", "5 ", "+5",
  };
  static const char * const bad_counts[] = {
    "-5", "1e3", "0x10", "abc", "", "99999999999999999999", "1.5", "+3", " 7",
  };
  const char *commands[][4] = {
    { "--port", "sim:healthy-idle?timing=0", "live", "rpm" },
    { "--port", "sim:healthy-idle?timing=0", "record", NULL },
    { "--port", "sim:healthy-idle?timing=0", "bench", NULL },
    { "--port", "sim:healthy-idle?timing=0", "health", NULL },
  };

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    for (guint i = 0; i < G_N_ELEMENTS (bad_durations); i++)
      {
        const char *option = c == 3 ? "--watch" : "--duration";
        const char *args[10] = { "--db", "/nonexistent/obd2-test/store.db" };
        guint n = 2;

        for (guint k = 0; k < 4 && commands[c][k] != NULL; k++)
          args[n++] = commands[c][k];
        args[n++] = option;
        args[n++] = bad_durations[i];
        args[n] = NULL;
        expect_usage_error (option, args);
      }

  for (guint i = 0; i < G_N_ELEMENTS (bad_counts); i++)
    {
      const char *db = "/nonexistent/obd2-test/store.db";

      USAGE ("--every-km", "--db", db, "maintenance", "--add", "Oil", "--every-km", bad_counts[i]);
      USAGE ("--every-days", "--db", db, "maintenance", "--add", "Oil", "--every-days",
             bad_counts[i]);
      USAGE ("--done", "--db", db, "maintenance", "--done", bad_counts[i]);
      USAGE ("--km", "--db", db, "maintenance", "--done", "1", "--km", bad_counts[i]);
      USAGE ("--odometer", "--db", db, "maintenance", "--odometer", bad_counts[i]);
    }
  USAGE ("--every-km", "maintenance", "--add", "Oil", "--every-km", "0");
  USAGE ("--odometer", "maintenance", "--odometer", "10000000");

  /* Sessions and vehicles by number, UUID or VIN: anything else, or a
   * number that does not fit, is refused before the store is opened. */
  USAGE ("session", "--db", "/nonexistent/x.db", "export", "abc", "--csv");
  USAGE ("-1", "--db", "/nonexistent/x.db", "export", "-1", "--csv");
  USAGE ("session", "--db", "/nonexistent/x.db", "export", "99999999999999999999", "--csv");
  USAGE ("session", "--db", "/nonexistent/x.db", "export", "", "--csv");
  USAGE ("--vehicle", "--db", "/nonexistent/x.db", "sessions", "--vehicle", "../etc");
  USAGE ("--vehicle", "--db", "/nonexistent/x.db", "health", "--vehicle", "");
  USAGE ("--vehicle", "--db", "/nonexistent/x.db", "maintenance", "--vehicle",
         "ABCDEFGHJKLMNPRSTU");
  USAGE ("--vehicle", "--db", "/nonexistent/x.db", "sessions", "--vehicle",
         "99999999999999999999");

  /* PID lists. */
  USAGE ("Unknown PID", "record", "--pids", "rpm,warp");
  USAGE ("--pids", "record", "--pids", ",,");
  USAGE ("Name the PIDs", "live", ",");

  /* Arguments nobody asked for. */
  USAGE ("takes no arguments", "info", "now");
  USAGE ("takes no arguments", "freeze", "P0301");
  USAGE ("takes no arguments", "readiness", "all");
  USAGE ("takes no arguments", "monitors", "21");
  USAGE ("takes no arguments", "clear", "--yes", "P0301");
  USAGE ("takes no arguments", "bench", "fast");
  USAGE ("takes no arguments", "dtc", "P0301");
  USAGE ("takes no arguments", "sim", "--list-scenarios", "misfire");
  USAGE ("not both", "codes", "--stats", "P0301");
}

/* A port that is something else: says so, as bad usage. */
static void
test_not_a_port (void)
{
  USAGE ("is a file, not a serial port", "--port", "/etc/passwd", "info");
  USAGE ("is a folder, not a serial port", "--port", "/tmp", "dtc");
  USAGE ("is a device, but not a serial port", "--port", "/dev/null", "live", "rpm");
}

/* Durations people write work: with a unit, and short. */
static void
test_duration_units (void)
{
  g_auto(Run) live = { 0 };

  run_cli (&live, "--port", "sim:healthy-idle?timing=0", "--json", "live", "rpm",
           "--duration", "0.3s", NULL);
  g_assert_cmpint (live.status, ==, 0);
  g_assert_nonnull (strstr (live.out, "\"rpm\""));
}

/* TRUE when the simulated link, dropped at request n + 1, still gets as
 * far as polling (the worker reports the link lost); FALSE when it already
 * fails while connecting. */
static gboolean
connects_before_drop (guint  n,
                      Run   *run)
{
  g_autofree char *port = g_strdup_printf ("sim:healthy-idle?timing=0&fault=drop-after:%u", n);

  run_clear (run);
  run_cli (run, "--port", port, "live", "rpm", "--duration", "0.2", NULL);
  return strstr (run->err, "Link lost") != NULL;
}

/* The link drops at the first poll, and the duration ends while the
 * worker tries again: nothing was read, so live fails and says why. */
static void
test_live_link_lost (void)
{
  g_auto(Run) run = { 0 };
  guint low = 1, high = 64;

  /* The smallest drop point that lets the connection finish: found by
   * bisection, so a change in how many requests connecting takes does not
   * break the test. */
  g_assert_true (connects_before_drop (high, &run));
  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (connects_before_drop (mid, &run))
        high = mid;
      else
        low = mid + 1;
    }
  connects_before_drop (low, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "Link lost"));
}

static void
test_bench_shape (void)
{
  g_auto(Run) bench = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *strategies;

  run_cli (&bench, "--json", "bench", "--duration", "1", NULL);
  g_assert_cmpint (bench.status, ==, 0);
  root = parse_json (bench.out);
  strategies = json_object_get_object_member (json_node_get_object (root), "strategies");
  g_assert_true (json_object_has_member (json_object_get_object_member (strategies, "fast"),
                                         "pids_per_s"));
  g_assert_true (json_object_has_member (json_object_get_object_member (strategies, "naive"),
                                         "queries_per_s"));
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (root),
                                                    "limit_pids_per_s"), >, 0);
}

static void
test_list_scenarios (void)
{
  g_auto(Run) list = { 0 };

  run_cli (&list, "sim", "--list-scenarios", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "misfire"));
  g_assert_nonnull (strstr (list.out, "failing-catalyst"));
}

/* `obd2 sim --pty` serves a pty; a client that shares none of our code
 * (plain Python termios) and our own CLI both use it. */
static void
test_pty (void)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *script = NULL;
  g_autofree char *client_out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(Run) dtc = { 0 };
  const char *path;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cli_path (), "--json",
                             "sim", "--pty", "--scenario", "misfire", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  root = parse_json (line);
  path = json_object_get_string_member (json_node_get_object (root), "pty");
  g_assert_true (g_str_has_prefix (path, "/dev/pts/"));

  script = g_test_build_filename (G_TEST_DIST, "sim-pty-client.py", NULL);
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                             &error, "/usr/bin/python3", script, path, NULL);
  g_assert_no_error (error);
  /* Its report goes into the TAP stream as comments, not as stray lines. */
  g_subprocess_communicate_utf8 (client, NULL, NULL, &client_out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", client_out);
  g_assert_true (g_subprocess_get_if_exited (client));
  g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 0);

  run_cli (&dtc, "--port", path, "dtc", NULL);
  g_assert_cmpint (dtc.status, ==, 0);
  g_assert_nonnull (strstr (dtc.out, "P0301"));

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
}

/* The CLI against an ELM327 stand-in that shares none of our code and
 * behaves like a cheap clone: linefeeds and spaces always on, headers never
 * shown, no response counts, multi-PID requests answered for the first PID
 * only (tests/emulators/plain-elm.py). */
static void
test_other_emulator (void)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;
  g_auto(Run) info = { 0 };
  g_auto(Run) dtc = { 0 };
  g_auto(Run) live = { 0 };

  script = g_test_build_filename (G_TEST_DIST, "emulators", "plain-elm.py", NULL);
  /* Its stdin is a pipe we hold: closing it (at unref) ends the emulator. */
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                             &error, "/usr/bin/python3", script, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  path = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (path, "/dev/pts/"));

  run_cli (&info, "--port", path, "info", NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "1FTFW1ET9DFC10312"));
  g_assert_nonnull (strstr (info.out, "check digit correct"));

  run_cli (&dtc, "--port", path, "--json", "dtc", NULL);
  g_assert_cmpint (dtc.status, ==, 0);
  g_assert_nonnull (strstr (dtc.out, "P0171"));

  run_cli (&live, "--port", path, "live", "rpm", "speed", "05", "--csv", "--duration", "1", NULL);
  g_assert_cmpint (live.status, ==, 0);
  g_assert_nonnull (strstr (live.out, ",0C,rpm,"));
  g_assert_nonnull (strstr (live.out, ",05,coolant_temp,83,"));

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/decode", test_decode);
  g_test_add_func ("/cli/codes", test_codes);
  g_test_add_func ("/cli/vehicle", test_vehicle_commands);
  g_test_add_func ("/cli/failures", test_failures);
  g_test_add_func ("/cli/live", test_live);
  g_test_add_func ("/cli/live/link-lost", test_live_link_lost);
  g_test_add_func ("/cli/numbers", test_numbers);
  g_test_add_func ("/cli/not-a-port", test_not_a_port);
  g_test_add_func ("/cli/duration-units", test_duration_units);
  g_test_add_func ("/cli/bench", test_bench_shape);
  g_test_add_func ("/cli/sim/list", test_list_scenarios);
  g_test_add_func ("/cli/sim/pty", test_pty);
  g_test_add_func ("/cli/other-emulator", test_other_emulator);

  return g_test_run ();
}
