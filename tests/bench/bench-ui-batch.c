/* bench-ui-batch.c — main-thread time per sample batch in the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mechanic window on the Live page, connected to the simulator: once
 * with its real timing (what a mechanic sees) and once with no delays (the
 * worst case: thousands of samples a batch).  Reports the longest and mean
 * main-thread time per batch (ObdSession's own work plus every page's
 * ::samples handler) against the 4 ms budget, and how often the engine
 * speed gauge changes.  Last line: one JSON object, ratio = budget / max.
 */
#include "config.h"

#include <adwaita.h>

#include "obd-gauge.h"
#include "obd-session.h"
#include "obd-sim-transport.h"
#include "obd-window.h"

#define BUDGET_US 4000

typedef struct
{
  gint64  max_us;
  double  mean_us;
  guint64 batches;
  double  gauge_updates_per_s;
  double  values_per_s;
} Run;

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

static gboolean
run (const char *connection,
     double      seconds,
     Run        *out)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(ObdSession) session = obd_session_new (NULL);
  ObdWindow *window;
  ObdGauge *rpm = NULL;
  guint changes = 0;
  gint64 deadline;

  g_settings_set_boolean (settings, "first-run", FALSE);
  g_settings_set_string (settings, "role", "mechanic");

  window = obd_window_new (NULL, session, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));

  obd_session_connect (session, connection);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (obd_session_get_health (session) == NULL && g_get_monotonic_time () < deadline)
    iterate_for (0.05);
  if (obd_session_get_health (session) == NULL)
    {
      g_printerr ("bench-ui-batch: could not connect to %s\n", connection);
      gtk_window_destroy (GTK_WINDOW (window));
      return FALSE;
    }

  obd_window_show_page (window, "live");
  iterate_for (1.0);
  rpm = find_gauge (GTK_WIDGET (window), "Engine speed");
  if (rpm != NULL)
    g_signal_connect (rpm, "notify::value", G_CALLBACK (on_value_cb), &changes);

  /* The statistics run from the connection on, first layout of the
   * Live page included: the worst batch of the whole run counts. */
  iterate_for (seconds);
  obd_session_get_batch_stats (session, &out->max_us, &out->mean_us, &out->batches);

  out->gauge_updates_per_s = changes / seconds;
  out->values_per_s = obd_session_get_link_rate (session);

  if (rpm != NULL)
    g_signal_handlers_disconnect_by_data (rpm, &changes);
  obd_session_disconnect (session);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (0.2);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  Run real = { 0 }, stress = { 0 };

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-ui-batch needs a display (run it under xvfb-run)\n");
      return 77;
    }

  gtk_init ();
  adw_init ();
  obd_sim_register ();

  if (!run ("sim:driving-cycle", 10, &real) ||
      !run ("sim:driving-cycle?timing=0", 5, &stress))
    return 1;

  g_print ("real timing:  %" G_GUINT64_FORMAT " batches, max %.2f ms, mean %.2f ms, "
           "engine speed gauge %.1f updates/s, %.0f values/s\n",
           real.batches, real.max_us / 1000.0, real.mean_us / 1000.0,
           real.gauge_updates_per_s, real.values_per_s);
  g_print ("no delays:    %" G_GUINT64_FORMAT " batches, max %.2f ms, mean %.2f ms, "
           "%.0f values/s\n",
           stress.batches, stress.max_us / 1000.0, stress.mean_us / 1000.0, stress.values_per_s);
  g_print ("{\"name\":\"ui-batch\",\"ratio\":%.3f,\"budget_ms\":%.1f,"
           "\"max_batch_ms\":%.3f,\"mean_batch_ms\":%.3f,\"batches\":%" G_GUINT64_FORMAT ","
           "\"gauge_updates_per_s\":%.1f,\"values_per_s\":%.0f,"
           "\"stress_max_batch_ms\":%.3f,\"stress_mean_batch_ms\":%.3f,"
           "\"stress_values_per_s\":%.0f}\n",
           (double) BUDGET_US / MAX (real.max_us, 1), BUDGET_US / 1000.0,
           real.max_us / 1000.0, real.mean_us / 1000.0, real.batches,
           real.gauge_updates_per_s, real.values_per_s,
           stress.max_us / 1000.0, stress.mean_us / 1000.0, stress.values_per_s);

  return 0;
}
