/* bench-ui-batch.c — main-thread cost of live data in the real window,
 * against a plain text dashboard in the same run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two runs on the same simulated car (real timing), each with a store
 * attached and recording:
 *
 *   - ours: the mechanic window on the Live page (gauges, chart, alerts);
 *   - reference: the simple correct alternative — a window with one
 *     GtkLabel per value the car sends, set from each batch of samples.
 *
 * Every main-loop iteration is timed (wall clock and the main thread's
 * own CPU time), so each batch's cost includes what it causes: the
 * session's work, the pages' handlers, layout and drawing.  The figure
 * compared is the main thread's CPU time per batch over the run; the
 * worst iteration of each run is printed beside it.  A third run with no
 * delays in the simulator (thousands of samples a batch) reports the
 * session's own worst batch.
 *
 * Last line: one JSON object, ratio = reference CPU per batch ÷ ours
 * (higher is better; 1 would be as cheap as text labels).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <time.h>

#include "obd-gauge.h"
#include "obd-session.h"
#include "obd-sim-transport.h"
#include "obd-store-service.h"
#include "obd-window.h"

#define WARM_UP_S 2.0

typedef struct
{
  guint64 batches;
  gint64  cpu_us;         /* main thread's CPU during the measured run */
  gint64  worst_us;       /* longest iteration, wall clock */
  gint64  worst_cpu_us;   /* most CPU in one iteration */
  gint64  session_max_us; /* ObdSession's own longest batch */
  double  session_mean_us;
  double  values_per_s;
  double  gauge_updates_per_s;
} Run;

/* Iteration timing ---------------------------------------------------- */

static Run    *timed;           /* the run being measured, or NULL */
static gint64  last_poll_end;
static gint64  last_poll_end_cpu;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int
timing_poll (GPollFD *fds,
             guint    n_fds,
             int      timeout)
{
  gint64 start = g_get_monotonic_time ();
  gint64 start_cpu = thread_cpu_us ();
  int rc;

  if (timed != NULL && last_poll_end != 0)
    {
      timed->worst_us = MAX (timed->worst_us, start - last_poll_end);
      timed->worst_cpu_us = MAX (timed->worst_cpu_us, start_cpu - last_poll_end_cpu);
      timed->cpu_us += start_cpu - last_poll_end_cpu;
    }
  rc = g_poll (fds, n_fds, timeout);
  last_poll_end = g_get_monotonic_time ();
  last_poll_end_cpu = thread_cpu_us ();
  return rc;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint tick = g_timeout_add (20, tick_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

typedef gboolean (*Condition) (ObdSession *session);

static gboolean
wait_for (ObdSession *session,
          Condition   condition,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!condition (session))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr ("bench-ui-batch: timed out waiting for %s\n", what);
          return FALSE;
        }
      iterate_for (0.02);
    }
  return TRUE;
}

static gboolean
is_ready (ObdSession *session)
{
  return obd_session_get_health (session) != NULL;
}

static gboolean
is_recording (ObdSession *session)
{
  return obd_session_get_recording (session);
}

static gboolean
is_stopped (ObdSession *session)
{
  return !obd_session_get_recording (session) && !obd_session_get_recording_busy (session);
}

/* The reference: one text label per value ------------------------------ */

typedef struct
{
  GtkWidget  *grid;
  GHashTable *labels;   /* (pid << 8 | index) → GtkLabel */
} TextDashboard;

static void
on_text_samples_cb (ObdSession    *session,
                    GArray        *samples,
                    TextDashboard *dashboard)
{
  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);
      guint key = (guint) sample->pid << 8 | sample->index;
      GtkWidget *label = g_hash_table_lookup (dashboard->labels, GUINT_TO_POINTER (key));
      char text[32];

      if (sample->service != 1)
        continue;
      if (label == NULL)
        {
          guint row = g_hash_table_size (dashboard->labels);
          char name[16];

          g_snprintf (name, sizeof name, "PID %02X.%u", sample->pid, sample->index);
          label = gtk_label_new (NULL);
          gtk_label_set_xalign (GTK_LABEL (label), 1);
          gtk_grid_attach (GTK_GRID (dashboard->grid), gtk_label_new (name), 0, (int) row, 1, 1);
          gtk_grid_attach (GTK_GRID (dashboard->grid), label, 1, (int) row, 1, 1);
          g_hash_table_insert (dashboard->labels, GUINT_TO_POINTER (key), label);
        }
      g_snprintf (text, sizeof text, "%.2f", sample->value);
      gtk_label_set_label (GTK_LABEL (label), text);
    }
}

/* A run --------------------------------------------------------------- */

static ObdGauge *
find_gauge (GtkWidget  *widget,
            const char *label)
{
  if (OBD_IS_GAUGE (widget) && g_strcmp0 (obd_gauge_get_label (OBD_GAUGE (widget)), label) == 0)
    return OBD_GAUGE (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ObdGauge *found = find_gauge (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
on_value_cb (ObdGauge   *gauge,
             GParamSpec *pspec,
             guint      *changes)
{
  (*changes)++;
}

static void
on_batch_cb (ObdSession *session,
             GArray     *samples,
             guint64    *batches)
{
  (*batches)++;
}

static void
recording_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(GError) error = NULL;
  gboolean (*finish) (ObdSession *, GAsyncResult *, GError **) = data;

  if (!finish (OBD_SESSION (source), result, &error))
    g_printerr ("bench-ui-batch: recording: %s\n", error->message);
}

static gboolean
run (const char *connection,
     gboolean    reference,
     double      seconds,
     Run        *out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-ui-batch-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(ObdStoreService) store = NULL;
  g_autoptr(ObdSession) session = NULL;
  TextDashboard text = { 0 };
  GtkWidget *window;
  ObdGauge *rpm = NULL;
  guint changes = 0;
  gboolean ok;

  g_assert_no_error (error);
  path = g_build_filename (dir, "store.db", NULL);
  store = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  session = obd_session_new (store);
  g_settings_set_boolean (settings, "first-run", FALSE);
  g_settings_set_string (settings, "role", "mechanic");

  if (reference)
    {
      text.labels = g_hash_table_new (NULL, NULL);
      text.grid = gtk_grid_new ();
      gtk_grid_set_column_spacing (GTK_GRID (text.grid), 24);
      window = gtk_window_new ();
      gtk_window_set_child (GTK_WINDOW (window), text.grid);
      g_signal_connect (session, "samples", G_CALLBACK (on_text_samples_cb), &text);
    }
  else
    {
      window = GTK_WIDGET (obd_window_new (NULL, session, settings));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));

  obd_session_connect (session, connection);
  ok = wait_for (session, is_ready, connection);
  if (ok)
    {
      obd_session_start_recording_async (session, NULL, recording_done_cb,
                                         obd_session_start_recording_finish);
      ok = wait_for (session, is_recording, "recording to start");
    }
  if (ok)
    {
      if (!reference)
        obd_window_show_page (OBD_WINDOW (window), "live");
      iterate_for (WARM_UP_S);
      rpm = find_gauge (window, "Engine speed");
      if (rpm != NULL)
        g_signal_connect (rpm, "notify::value", G_CALLBACK (on_value_cb), &changes);
      g_signal_connect (session, "samples", G_CALLBACK (on_batch_cb), &out->batches);

      timed = out;
      last_poll_end = 0;
      iterate_for (seconds);
      timed = NULL;

      obd_session_get_batch_stats (session, &out->session_max_us, &out->session_mean_us, NULL);
      out->gauge_updates_per_s = changes / seconds;
      out->values_per_s = obd_session_get_link_rate (session);
      g_signal_handlers_disconnect_by_data (session, &out->batches);
      if (rpm != NULL)
        g_signal_handlers_disconnect_by_data (rpm, &changes);

      obd_session_stop_recording_async (session, NULL, recording_done_cb,
                                        obd_session_stop_recording_finish);
      ok = wait_for (session, is_stopped, "recording to stop");
    }

  if (reference)
    g_signal_handlers_disconnect_by_data (session, &text);
  obd_session_disconnect (session);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_pointer (&text.labels, g_hash_table_unref);
  iterate_for (0.2);
  obd_store_service_close (store);

  {
    g_autoptr(GDir) contents = g_dir_open (dir, 0, NULL);
    const char *name;

    while (contents != NULL && (name = g_dir_read_name (contents)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_remove (file);
      }
    g_rmdir (dir);
  }
  if (ok && out->batches == 0)
    {
      g_printerr ("bench-ui-batch: no samples from %s\n", connection);
      ok = FALSE;
    }
  return ok;
}

static double
cpu_per_batch_ms (const Run *run)
{
  return run->cpu_us / 1000.0 / MAX (run->batches, 1);
}

static void
print_run (const char *what,
           const Run  *run)
{
  g_print ("%-10s %5" G_GUINT64_FORMAT " batches, main thread %.3f ms CPU per batch, "
           "worst iteration %.2f ms (CPU %.2f ms), %.0f values/s\n",
           what, run->batches, cpu_per_batch_ms (run), run->worst_us / 1000.0,
           run->worst_cpu_us / 1000.0, run->values_per_s);
}

int
main (int    argc,
      char **argv)
{
  Run ours = { 0 }, text = { 0 }, stress = { 0 };

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-ui-batch needs a display (run it under xvfb-run)\n");
      return 77;
    }

  gtk_init ();
  adw_init ();
  obd_sim_register ();
  g_main_context_set_poll_func (NULL, timing_poll);

  if (!run ("sim:driving-cycle", TRUE, 10, &text) ||
      !run ("sim:driving-cycle", FALSE, 10, &ours) ||
      !run ("sim:driving-cycle?timing=0", FALSE, 5, &stress))
    return 1;

  print_run ("reference", &text);
  print_run ("ours", &ours);
  print_run ("no delays", &stress);
  g_print ("ours: engine speed gauge %.1f updates/s; session's own batch, wall clock: max %.2f ms, "
           "mean %.3f ms (no delays: max %.2f ms)\n",
           ours.gauge_updates_per_s, ours.session_max_us / 1000.0,
           ours.session_mean_us / 1000.0, stress.session_max_us / 1000.0);
  g_print ("{\"name\":\"ui-batch\",\"ratio\":%.3f,"
           "\"cpu_per_batch_ms\":%.4f,\"reference_cpu_per_batch_ms\":%.4f,"
           "\"batches\":%" G_GUINT64_FORMAT ",\"reference_batches\":%" G_GUINT64_FORMAT ","
           "\"worst_iteration_ms\":%.3f,\"worst_iteration_cpu_ms\":%.3f,"
           "\"reference_worst_iteration_ms\":%.3f,\"reference_worst_iteration_cpu_ms\":%.3f,"
           "\"session_max_batch_ms\":%.3f,\"gauge_updates_per_s\":%.1f,\"values_per_s\":%.0f,"
           "\"stress_cpu_per_batch_ms\":%.4f,\"stress_session_max_batch_ms\":%.3f,"
           "\"stress_values_per_s\":%.0f}\n",
           cpu_per_batch_ms (&text) / MAX (cpu_per_batch_ms (&ours), 1e-6),
           cpu_per_batch_ms (&ours), cpu_per_batch_ms (&text), ours.batches, text.batches,
           ours.worst_us / 1000.0, ours.worst_cpu_us / 1000.0, text.worst_us / 1000.0,
           text.worst_cpu_us / 1000.0, ours.session_max_us / 1000.0, ours.gauge_updates_per_s,
           ours.values_per_s, cpu_per_batch_ms (&stress), stress.session_max_us / 1000.0,
           stress.values_per_s);

  return 0;
}
