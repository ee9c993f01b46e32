/* bench-startup.c — launch time and memory of the application against a
 * bare libadwaita window, in the same run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-startup APP BARE_WINDOW
 *
 * 1. Launch to first frame: the application (set up, mechanic role,
 *    connecting to the simulated car at start) and bench-bare-window are
 *    launched alternately, RUNS times each; each prints the monotonic time
 *    of its first drawn frame (the application under OBD2_STARTUP_PROBE),
 *    and the launch time is measured from just before the spawn.  Medians.
 *    Goal: the application within 1.5 × the bare window; "ratio" is
 *    bare ÷ application (≥ 0.67 meets it).
 * 2. Idle memory: VmRSS of the application IDLE_SECONDS after the car
 *    answered, and of the bare window as long after its first frame.
 *    Goal: within 1.25 ×.
 * 3. Soak: the application on the driving-cycle car at real timing for
 *    SOAK_SECONDS (OBD2_BENCH_SOAK_SECONDS, default 240), VmRSS every
 *    5 s.  Live data is kept for the chart's time span, so memory must
 *    level off once that span has filled; the slope over the second half
 *    of the run, in MB per hour, says whether it is flat over an hour.
 *    Real timing rather than an accelerated simulator: the live chart
 *    keeps data by time, and an accelerated car would squeeze hours of
 *    samples into its span, which is not what an hour at the bench does.
 */
#define G_LOG_DOMAIN "bench-startup"
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#define RUNS          7
#define IDLE_SECONDS  10

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GMainLoop        *loop;
  const char       *wanted;
  gint64            time_us;
} Child;

static char **
child_environment (const char *config_dir)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config_dir, TRUE);
  env = g_environ_setenv (env, "OBD2_STARTUP_PROBE", "1", TRUE);
  return env;
}

static void
write_settings (const char *config_dir)
{
  g_autofree char *dir = g_build_filename (config_dir, "glib-2.0", "settings", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  /* Set up as a workshop would be: no first-run question. */
  g_file_set_contents (path,
                       "[io/github/obd2diagnostics/Workshop]\n"
                       "first-run=false\n"
                       "role='mechanic'\n",
                       -1, &error);
  g_assert_no_error (error);
}

static void
on_line_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Child *child = data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);
  gsize len;

  if (line == NULL)
    {
      g_main_loop_quit (child->loop);
      return;
    }
  len = strlen (child->wanted);
  if (strncmp (line, child->wanted, len) == 0 && line[len] == ' ')
    {
      child->time_us = g_ascii_strtoll (line + len + 1, NULL, 10);
      g_main_loop_quit (child->loop);
      return;
    }
  g_data_input_stream_read_line_async (child->out, G_PRIORITY_DEFAULT, NULL, on_line_cb, child);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Waits for the child to print "wanted <time>"; returns the time. */
static gint64
wait_line (Child      *child,
           const char *wanted)
{
  guint timeout;

  child->wanted = wanted;
  child->time_us = 0;
  child->loop = g_main_loop_new (NULL, FALSE);
  timeout = g_timeout_add_seconds (60, quit_cb, child->loop);
  g_data_input_stream_read_line_async (child->out, G_PRIORITY_DEFAULT, NULL, on_line_cb, child);
  g_main_loop_run (child->loop);
  g_source_remove (timeout);
  g_clear_pointer (&child->loop, g_main_loop_unref);
  if (child->time_us == 0)
    g_error ("%s never said “%s”", g_subprocess_get_identifier (child->process), wanted);
  return child->time_us;
}

static void
sleep_in_loop (double seconds)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add ((guint) (seconds * 1000), quit_cb, loop);
  g_main_loop_run (loop);
}

static Child *
launch (const char * const *argv,
        const char         *config_dir,
        gint64             *out_started)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_auto(GStrv) env = child_environment (config_dir);
  g_autoptr(GError) error = NULL;
  Child *child = g_new0 (Child, 1);

  g_subprocess_launcher_set_environ (launcher, env);
  *out_started = g_get_monotonic_time ();
  child->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
  return child;
}

static void
child_end (Child *child)
{
  g_subprocess_send_signal (child->process, SIGTERM);
  g_subprocess_wait (child->process, NULL, NULL);
  g_clear_object (&child->out);
  g_clear_object (&child->process);
  g_free (child);
}

/* VmRSS of a process, in MB. */
static double
rss_mb (Child *child)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (child->process));
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    g_error ("Could not read %s", path);
  return g_ascii_strtod (line + strlen ("VmRSS:"), NULL) / 1024.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_double);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  double app_ms[RUNS], bare_ms[RUNS], app_rss[3], bare_rss[3];
  double app_first, bare_first, app_mem, bare_mem;
  guint soak_seconds = 240;
  g_autoptr(GArray) soak = g_array_new (FALSE, FALSE, sizeof (double));
  double slope = 0, soak_max = 0;

  if (argc != 3)
    {
      g_printerr ("usage: bench-startup APP BARE_WINDOW\n");
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-startup needs a display (run it under xvfb-run)\n");
      return 77;
    }
  if (g_getenv ("OBD2_BENCH_SOAK_SECONDS") != NULL)
    soak_seconds = (guint) CLAMP (g_ascii_strtoull (g_getenv ("OBD2_BENCH_SOAK_SECONDS"),
                                                    NULL, 10), 20, 7200);

  dir = g_dir_make_tmp ("bench-startup-XXXXXX", &error);
  g_assert_no_error (error);
  write_settings (dir);
  db = g_build_filename (dir, "store.db", NULL);

  {
    const char *app_argv[] = { argv[1], "--db", db, "--connect", "sim:healthy-idle", NULL };
    const char *bare_argv[] = { argv[2], NULL };

    for (guint i = 0; i < RUNS; i++)
      {
        gint64 started;
        Child *child;

        child = launch (bare_argv, dir, &started);
        bare_ms[i] = (wait_line (child, "first-frame") - started) / 1000.0;
        if (i < G_N_ELEMENTS (bare_rss))
          {
            sleep_in_loop (IDLE_SECONDS);
            bare_rss[i] = rss_mb (child);
          }
        child_end (child);

        child = launch (app_argv, dir, &started);
        app_ms[i] = (wait_line (child, "first-frame") - started) / 1000.0;
        if (i < G_N_ELEMENTS (app_rss))
          {
            wait_line (child, "connected");
            sleep_in_loop (IDLE_SECONDS);
            app_rss[i] = rss_mb (child);
          }
        child_end (child);
        g_print ("run %u: bare %.0f ms, app %.0f ms\n", i + 1, bare_ms[i], app_ms[i]);
      }
  }
  bare_first = median (bare_ms, RUNS);
  app_first = median (app_ms, RUNS);
  bare_mem = median (bare_rss, G_N_ELEMENTS (bare_rss));
  app_mem = median (app_rss, G_N_ELEMENTS (app_rss));
  g_print ("first frame: app %.0f ms, bare window %.0f ms (%.2f x, goal <= 1.5 x)\n",
           app_first, bare_first, app_first / bare_first);
  g_print ("idle RSS: app connected %.1f MB, bare window %.1f MB (%.2f x, goal <= 1.25 x)\n",
           app_mem, bare_mem, app_mem / bare_mem);

  {
    const char *soak_argv[] = { argv[1], "--db", db, "--connect", "sim:driving-cycle", NULL };
    gint64 started;
    Child *child = launch (soak_argv, dir, &started);
    guint n, half;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;

    wait_line (child, "connected");
    for (guint t = 0; t <= soak_seconds; t += 5)
      {
        double mb = rss_mb (child);

        g_array_append_val (soak, mb);
        soak_max = MAX (soak_max, mb);
        if (t < soak_seconds)
          sleep_in_loop (5);
      }
    child_end (child);

    /* Least squares over the second half, MB per hour. */
    n = soak->len;
    half = n / 2;
    for (guint i = half; i < n; i++)
      {
        double x = i * 5.0 / 3600.0, y = g_array_index (soak, double, i);

        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
      }
    n -= half;
    slope = (n * sxy - sx * sy) / MAX (n * sxx - sx * sx, 1e-12);
    g_print ("soak: %u s on the driving cycle, RSS %.1f MB -> %.1f MB (max %.1f), "
             "second-half slope %.1f MB/h\n", soak_seconds, g_array_index (soak, double, 0),
             g_array_index (soak, double, soak->len - 1), soak_max, slope);
  }

  g_print ("{\"name\":\"startup\",\"ratio\":%.3f,\"first_frame_ms\":%.1f,"
           "\"bare_first_frame_ms\":%.1f,\"first_frame_goal\":1.5,"
           "\"rss_connected_mb\":%.1f,\"bare_rss_mb\":%.1f,\"rss_ratio\":%.3f,\"rss_goal\":1.25,"
           "\"soak_seconds\":%u,\"soak_start_mb\":%.1f,\"soak_end_mb\":%.1f,"
           "\"soak_max_mb\":%.1f,\"soak_slope_mb_per_h\":%.2f}\n",
           bare_first / app_first, app_first, bare_first, app_mem, bare_mem, app_mem / bare_mem,
           soak_seconds, g_array_index (soak, double, 0),
           g_array_index (soak, double, soak->len - 1), soak_max, slope);

  {
    g_autoptr(GFile) top = g_file_new_for_path (dir);
    g_autoptr(GFileEnumerator) it = NULL;
    const char *paths[] = { "glib-2.0/settings/keyfile", "glib-2.0/settings", "glib-2.0",
                            "store.db", "store.db-wal", "store.db-shm", NULL };

    for (guint i = 0; paths[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, paths[i], NULL);

        g_remove (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
