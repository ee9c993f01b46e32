/* test-cli-table.c — readings rounded to their PID's resolution, and the
 * live table that refreshes in place and stops on Ctrl+C
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#include "obd-cli-table.h"
#include "obd-pid-format.h"

/* One step of each PID, as SAE J1979 scales it. */
static void
test_resolution (void)
{
  static const struct
  {
    guint8 pid;
    double step;
  } cases[] = {
    { 0x0C, 0.25 },            /* rpm: quarters */
    { 0x11, 100.0 / 255.0 },   /* throttle */
    { 0x04, 100.0 / 255.0 },   /* load */
    { 0x07, 100.0 / 128.0 },   /* long-term trim bank 1 */
    { 0x05, 1.0 },             /* coolant */
    { 0x42, 0.001 },           /* module voltage */
    { 0x10, 0.01 },            /* air flow */
    { 0x0E, 0.5 },             /* timing advance */
    { 0x0D, 1.0 },             /* speed */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("PID %02X", cases[i].pid);
      g_assert_cmpfloat_with_epsilon (obd_pid_get_resolution (cases[i].pid, 0), cases[i].step,
                                      1e-9);
    }
  /* Flags and codes have no step; unknown PIDs neither. */
  g_assert_cmpfloat (obd_pid_get_resolution (0x01, 0), ==, 0.0);
  g_assert_cmpfloat (obd_pid_get_resolution (0xFF, 0), ==, 0.0);
}

static void
assert_format (guint8         pid,
               double         value,
               ObdUnitSystem  system,
               const char    *expected)
{
  g_autofree char *text = obd_pid_format_value (pid, 0, value, system);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_format (void)
{
  /* The examples that scrolled by unrounded. */
  assert_format (0x0C, 1107.25, OBD_UNIT_SYSTEM_SI, "1107 rpm");
  assert_format (0x11, 21.5686, OBD_UNIT_SYSTEM_SI, "22 %");
  assert_format (0x42, 13.874, OBD_UNIT_SYSTEM_SI, "13.874 V");
  assert_format (0x10, 9.713, OBD_UNIT_SYSTEM_SI, "9.71 g/s");
  assert_format (0x05, 93.0, OBD_UNIT_SYSTEM_US, "199 °F");
  assert_format (0x0D, 100.0, OBD_UNIT_SYSTEM_US, "62 mph");
  /* No "-0" */
  assert_format (0x07, -0.3, OBD_UNIT_SYSTEM_SI, "0 %");
  assert_format (0x07, -21.875, OBD_UNIT_SYSTEM_SI, "-22 %");
  assert_format (0x0C, NAN, OBD_UNIT_SYSTEM_SI, "—");
  g_assert_cmpuint (obd_pid_get_decimals (0x42, 0, OBD_UNIT_SYSTEM_SI), ==, 3);
  g_assert_cmpuint (obd_pid_get_decimals (0x0C, 0, OBD_UNIT_SYSTEM_SI), ==, 0);
}

static void
test_render (void)
{
  g_autoptr(ObdCliTable) plain = obd_cli_table_new (OBD_UNIT_SYSTEM_SI, FALSE);
  g_autoptr(ObdCliTable) ansi = obd_cli_table_new (OBD_UNIT_SYSTEM_SI, TRUE);
  ObdSample samples[] = {
    { 1, 0x7E8, 0x01, 0x0C, 0, 1107.25 },
    { 1, 0x7E8, 0x01, 0x11, 0, 21.5686 },
    { 2, 0x7E8, 0x01, 0x0C, 0, 1580.5 },
    { 2, 0x7E8, 0x02, 0x05, 0, 90.0 },     /* a freeze frame: not live */
  };
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *redraw = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 now = g_get_monotonic_time ();

  obd_cli_table_add_samples (plain, samples, G_N_ELEMENTS (samples));
  first = obd_cli_table_render (plain, now, FALSE);
  g_assert_nonnull (first);
  g_test_message ("%s", first);
  lines = g_strsplit (first, "\n", -1);
  /* Header, one row per reading (not per sample), and a blank line. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4 + 1);
  g_assert_nonnull (strstr (lines[1], "Engine speed"));
  g_assert_nonnull (strstr (lines[1], "1580 rpm"));   /* now: 1580.5 rounds to even */
  g_assert_nonnull (strstr (lines[1], "1107 rpm"));   /* min */
  g_assert_nonnull (strstr (lines[2], "22 %"));
  g_assert_null (strstr (first, "1107.25"));
  g_assert_null (strstr (first, "\033"));
  /* Once a second at most, unless forced. */
  g_assert_null (obd_cli_table_render (plain, now + G_USEC_PER_SEC / 2, FALSE));
  second = obd_cli_table_render (plain, now + G_USEC_PER_SEC / 2, TRUE);
  g_assert_nonnull (second);

  /* On a terminal the table goes back over itself: up three lines (header
   * and two rows), each line cleared. */
  obd_cli_table_add_samples (ansi, samples, 2);
  g_clear_pointer (&first, g_free);
  first = obd_cli_table_render (ansi, now, FALSE);
  g_assert_null (strstr (first, "\033[3A"));
  g_assert_nonnull (strstr (first, "\033[2K"));
  g_assert_null (obd_cli_table_render (ansi, now + G_USEC_PER_SEC / 10, FALSE));
  redraw = obd_cli_table_render (ansi, now + G_USEC_PER_SEC / 4, FALSE);
  g_assert_nonnull (redraw);
  g_assert_true (g_str_has_prefix (redraw, "\033[3A"));

  /* A reading that stopped coming is marked. */
  g_clear_pointer (&redraw, g_free);
  redraw = obd_cli_table_render (ansi, now + 10 * G_USEC_PER_SEC, TRUE);
  g_assert_nonnull (strstr (redraw, "(no reply)"));
}

typedef struct
{
  GString  *out;
  gboolean  seen_row;
} Reader;

static void
read_some_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Reader *reader = data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              NULL);

  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    {
      g_string_append_len (reader->out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      reader->seen_row = strstr (reader->out->str, "Engine speed") != NULL;
      g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 4096, G_PRIORITY_DEFAULT, NULL,
                                       read_some_cb, reader);
    }
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  gboolean *exited = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* obd2 live --table, as build-aux/run --terminal starts it: shows the table
 * and stops, printing it one last time, on Ctrl+C. */
static void
test_live_sigint (void)
{
  const char *cli = g_getenv ("OBD2_CLI");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Reader reader = { g_string_new (NULL), FALSE };
  gboolean exited = FALSE;
  gint64 deadline;
  guint wake;

  g_assert_nonnull (cli);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, cli, "--port", "sim:driving-cycle", "live", "--table",
                              "rpm", "throttle_pos", "control_module_voltage", NULL);
  g_assert_no_error (error);
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (process), 4096,
                                   G_PRIORITY_DEFAULT, NULL, read_some_cb, &reader);

  wake = g_timeout_add (50, wake_cb, NULL);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!reader.seen_row)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_wait_async (process, NULL, wait_done_cb, &exited);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!exited)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* Only the digits each PID resolves. */
  g_test_message ("%s", reader.out->str);
  g_assert_nonnull (strstr (reader.out->str, " rpm"));
  g_assert_false (g_regex_match_simple ("[0-9]\\.[0-9]+ rpm", reader.out->str, 0, 0));
  g_assert_false (g_regex_match_simple ("[0-9]\\.[0-9]+ %", reader.out->str, 0, 0));
  g_string_free (reader.out, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/table/resolution", test_resolution);
  g_test_add_func ("/cli/table/format", test_format);
  g_test_add_func ("/cli/table/render", test_render);
  g_test_add_func ("/cli/table/live-sigint", test_live_sigint);

  return g_test_run ();
}
