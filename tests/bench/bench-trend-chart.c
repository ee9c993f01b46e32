/* bench-trend-chart.c — one million samples: min/max reduction vs every point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same ObdTrendChart, allocated 1200 × 400 in a real window, renders
 * frames through the window's GSK renderer (cairo under GSK_RENDERER=cairo)
 * into a texture: first with the per-pixel-column reduction, then with
 * "reduce" off so every sample becomes a line segment.  Rounds alternate
 * between the two so drift on a noisy machine hits both alike.  The last
 * line of output is one JSON object.
 */
#define G_LOG_DOMAIN "bench-trend-chart"
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <stdlib.h>

#include "obd-trend-chart.h"

#define N_POINTS       1000000
#define WIDTH          1200
#define HEIGHT         400
#define ROUNDS         2
#define REDUCED_FRAMES 60   /* a round */
#define BRUTE_FRAMES   1    /* a round: one takes seconds */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for_size (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok = TRUE;

  while (!gtk_widget_get_mapped (widget) ||
         gtk_widget_get_width (widget) != WIDTH ||
         gtk_widget_get_height (widget) != HEIGHT)
    {
      if (g_get_monotonic_time () > deadline)
        {
          ok = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  return ok;
}

/* One frame: a fresh snapshot of the chart (queue_draw drops its cached
 * render node) rasterised to a texture.  Returns milliseconds. */
static double
render_frame (GtkWidget   *window,
              GtkWidget   *chart,
              GskRenderer *renderer)
{
  gint64 begin = g_get_monotonic_time ();
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gtk_widget_queue_draw (chart);
  gtk_widget_snapshot_child (window, chart, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT));
  g_assert (texture != NULL);
  return (g_get_monotonic_time () - begin) / 1000.0;
}

static double
render_frames (GtkWidget   *window,
               GtkWidget   *chart,
               GskRenderer *renderer,
               gboolean     reduce,
               guint        n_frames)
{
  double total = 0.0;

  g_object_set (chart, "reduce", reduce, NULL);
  for (guint i = 0; i < n_frames; i++)
    total += render_frame (window, chart, renderer);
  return total;
}

int
main (int argc, char **argv)
{
  g_autofree gint64 *times = NULL;
  g_autofree double *values = NULL;
  GtkWidget *window, *chart;
  GskRenderer *renderer;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  double reduced_ms = 0, brute_ms = 0, reduced_per_frame, brute_per_frame, append_ms;
  guint id;
  gint64 begin;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-trend-chart needs a display: run it under xvfb-run\n");
      return EXIT_FAILURE;
    }
  gtk_init ();
  adw_init ();

  chart = obd_trend_chart_new ();
  id = obd_trend_chart_add_series (OBD_TREND_CHART (chart), 0, "Engine speed", "rpm", NULL);

  /* 1 kHz for 1000 s: a slow wave with sample noise, so every pixel
   * column holds ~800 samples with a real spread. */
  times = g_new (gint64, N_POINTS);
  values = g_new (double, N_POINTS);
  for (gsize i = 0; i < N_POINTS; i++)
    {
      times[i] = (gint64) i * 1000;
      values[i] = 2500.0 + 1500.0 * sin (i / 20000.0) + g_rand_double_range (rand, -80.0, 80.0);
    }
  begin = g_get_monotonic_time ();
  obd_trend_chart_append_many (OBD_TREND_CHART (chart), id, times, values, N_POINTS);
  append_ms = (g_get_monotonic_time () - begin) / 1000.0;
  obd_trend_chart_set_time_span (OBD_TREND_CHART (chart), (gint64) N_POINTS * 1000);

  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_set_child (GTK_WINDOW (window), chart);
  gtk_window_present (GTK_WINDOW (window));
  if (!wait_for_size (chart))
    {
      g_printerr ("the chart never got its %d × %d allocation\n", WIDTH, HEIGHT);
      return EXIT_FAILURE;
    }
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  /* Warm the glyph and font caches (shared by both paths: only the
   * series geometry differs, and a brute frame takes seconds anyway). */
  render_frames (window, chart, renderer, TRUE, 5);

  for (guint round = 0; round < ROUNDS; round++)
    {
      reduced_ms += render_frames (window, chart, renderer, TRUE, REDUCED_FRAMES);
      brute_ms += render_frames (window, chart, renderer, FALSE, BRUTE_FRAMES);
    }
  reduced_per_frame = reduced_ms / (ROUNDS * REDUCED_FRAMES);
  brute_per_frame = brute_ms / (ROUNDS * BRUTE_FRAMES);

  g_print ("renderer: %s\n", G_OBJECT_TYPE_NAME (renderer));
  g_print ("bulk append of %d samples: %.1f ms\n", N_POINTS, append_ms);
  g_print ("reduced (min/max pyramid): %.3f ms a frame over %d frames\n",
           reduced_per_frame, ROUNDS * REDUCED_FRAMES);
  g_print ("every point:               %.3f ms a frame over %d frames\n",
           brute_per_frame, ROUNDS * BRUTE_FRAMES);
  g_print ("{\"name\":\"trend-chart\",\"ratio\":%.2f,\"reduced_ms_per_frame\":%.3f,"
           "\"brute_ms_per_frame\":%.3f,\"points\":%d,\"width\":%d,\"height\":%d,"
           "\"renderer\":\"%s\",\"append_ms\":%.1f}\n",
           brute_per_frame / reduced_per_frame, reduced_per_frame, brute_per_frame,
           N_POINTS, WIDTH, HEIGHT, G_OBJECT_TYPE_NAME (renderer), append_ms);

  gtk_window_destroy (GTK_WINDOW (window));
  return EXIT_SUCCESS;
}
