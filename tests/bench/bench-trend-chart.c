/* bench-trend-chart.c — a live trend chart of 10 k to 10 M samples: kept
 * pixel columns against a linear decimation each frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same ObdTrendChart, allocated 1200 × 400 in a real window, shows one
 * series of N samples recorded at 1 kHz, the whole recording in view, live:
 * before every frame the next 17 samples arrive (one 60 Hz frame's worth)
 * and the window follows them.  A frame is the chart's snapshot rendered
 * through the window's GSK renderer (cairo under GSK_RENDERER=cairo) into
 * a texture, legend, axes and labels included.
 *
 * Ours: "decimation" CACHED — pixel columns kept between frames, only the
 * ones that scrolled in or got samples reduced anew, through the min/max
 * pyramid (src/widgets/obd-chart-columns.c).
 * Reference: "decimation" LINEAR — the simple correct alternative, every
 * column recomputed each frame by walking every visible sample once, the
 * result drawn by the very same code.
 *
 * Times are the CPU time of the thread that snapshots and renders (the
 * machine is shared; wall-clock times are printed too).  Rounds alternate
 * between the two so that drift hits both alike; each side renders many
 * frames (at least 5 of the reference, the slow one) and the median round
 * counts.  The last line of output is one JSON object: "ratio" is the
 * reference's frame time over ours at 1 M samples, whole frames;
 * "snapshot_ratio" the same for the chart's own work alone (what differs,
 * before GSK rasterises); "flatness" how far (as a fraction) our frame
 * time strays from its mean over 10 k to 10 M samples.
 */
#define G_LOG_DOMAIN "bench-trend-chart"
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "obd-trend-chart.h"

#define WIDTH          1200
#define HEIGHT         400
#define RATE_HZ        1000
#define PER_FRAME      17      /* samples arriving between two 60 Hz frames */
#define ROUNDS         3

static const gsize sizes[] = { 10000, 100000, 1000000, 10000000 };

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

typedef struct
{
  GtkWidget   *window;
  GtkWidget   *chart;
  GskRenderer *renderer;
  guint        id;
  gsize        n;        /* samples so far */
  gsize        total;    /* samples of the recording */
  GRand       *rand;
} Bench;

/* Five slow revs over the whole recording, with sample noise: the same
 * picture at every size, so only the number of samples changes. */
static double
value_at (Bench *b,
          gsize  i)
{
  return 2500.0 + 1500.0 * sin (2 * G_PI * 5.0 * (double) i / (double) b->total)
         + g_rand_double_range (b->rand, -80.0, 80.0);
}

static void
append (Bench *b,
        gsize  count)
{
  g_autofree gint64 *times = g_new (gint64, count);
  g_autofree double *values = g_new (double, count);

  for (gsize k = 0; k < count; k++, b->n++)
    {
      times[k] = (gint64) b->n * (G_USEC_PER_SEC / RATE_HZ);
      values[k] = value_at (b, b->n);
    }
  obd_trend_chart_append_many (OBD_TREND_CHART (b->chart), b->id, times, values, count);
}

/* CPU time of this thread, in milliseconds: the machine is shared, and
 * what a frame costs is the work it does, not how long the scheduler
 * kept it waiting (GTK renders on this thread). */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct
{
  double snapshot;  /* the chart's own work: layout, reduction, geometry */
  double frame;     /* that plus GSK rasterising the frame */
  double wall;      /* the frame in wall-clock time */
} Timing;

/* One live frame: the next samples arrive (not timed: both sides get the
 * same), then a fresh snapshot of the chart rasterised. */
static Timing
render_frame (Bench *b)
{
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 begin;
  double c0, c1;
  Timing t;

  append (b, PER_FRAME);
  begin = g_get_monotonic_time ();
  c0 = cpu_ms ();
  snapshot = gtk_snapshot_new ();
  gtk_widget_queue_draw (b->chart);
  gtk_widget_snapshot_child (b->window, b->chart, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  c1 = cpu_ms ();
  texture = gsk_renderer_render_texture (b->renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT));
  g_assert (texture != NULL);
  t.snapshot = c1 - c0;
  t.frame = cpu_ms () - c0;
  t.wall = (g_get_monotonic_time () - begin) / 1000.0;
  return t;
}

/* The mean of n_frames frames, after one that is not counted: it settles
 * the path just switched to (the kept columns refill). */
static Timing
render_frames (Bench                   *b,
               ObdTrendChartDecimation  decimation,
               guint                    n_frames)
{
  Timing sum = { 0, 0, 0 };

  g_object_set (b->chart, "decimation", decimation, NULL);
  render_frame (b);
  for (guint i = 0; i < n_frames; i++)
    {
      Timing t = render_frame (b);

      sum.snapshot += t.snapshot;
      sum.frame += t.frame;
      sum.wall += t.wall;
    }
  sum.snapshot /= n_frames;
  sum.frame /= n_frames;
  sum.wall /= n_frames;
  return sum;
}

static int
compare_timing (gconstpointer a,
                gconstpointer b)
{
  double x = ((const Timing *) a)->frame, y = ((const Timing *) b)->frame;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GString) json = g_string_new (NULL);
  Timing ours[G_N_ELEMENTS (sizes)], ref[G_N_ELEMENTS (sizes)];
  double ratio_1m = 0.0, snapshot_ratio_1m = 0.0, wall_ratio_1m = 0.0;
  double fastest = G_MAXDOUBLE, slowest = 0.0, mean = 0.0, deviation = 0.0;
  const char *renderer_name = "?";

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-trend-chart needs a display: run it under xvfb-run\n");
      return EXIT_FAILURE;
    }
  gtk_init ();
  adw_init ();

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      Bench b = { .rand = rand, .total = sizes[s] };
      Timing our_rounds[ROUNDS], ref_rounds[ROUNDS];
      /* Enough frames to time each side well; the reference costs some
       * nanoseconds a sample. */
      guint ref_frames = sizes[s] >= 10000000 ? 5 : sizes[s] >= 1000000 ? 12 : 40;
      guint our_frames = 60;
      gint64 begin;
      double append_ms;

      b.chart = obd_trend_chart_new ();
      b.id = obd_trend_chart_add_series (OBD_TREND_CHART (b.chart), 0x0C, "Engine speed", "rpm",
                                         NULL);
      begin = g_get_monotonic_time ();
      append (&b, sizes[s]);
      append_ms = (g_get_monotonic_time () - begin) / 1000.0;
      /* The whole recording in view, following the newest sample. */
      obd_trend_chart_set_time_span (OBD_TREND_CHART (b.chart),
                                     (gint64) sizes[s] * (G_USEC_PER_SEC / RATE_HZ));

      b.window = gtk_window_new ();
      gtk_window_set_decorated (GTK_WINDOW (b.window), FALSE);
      gtk_window_set_default_size (GTK_WINDOW (b.window), WIDTH, HEIGHT);
      gtk_window_set_child (GTK_WINDOW (b.window), b.chart);
      gtk_window_present (GTK_WINDOW (b.window));
      if (!wait_for_size (b.chart))
        {
          g_printerr ("the chart never got its %d × %d allocation\n", WIDTH, HEIGHT);
          return EXIT_FAILURE;
        }
      b.renderer = gtk_native_get_renderer (GTK_NATIVE (b.window));
      renderer_name = G_OBJECT_TYPE_NAME (b.renderer);

      /* Warm the glyph and font caches, shared by both sides. */
      render_frames (&b, OBD_TREND_CHART_DECIMATION_CACHED, 5);

      for (guint round = 0; round < ROUNDS; round++)
        {
          our_rounds[round] = render_frames (&b, OBD_TREND_CHART_DECIMATION_CACHED, our_frames);
          ref_rounds[round] = render_frames (&b, OBD_TREND_CHART_DECIMATION_LINEAR, ref_frames);
        }
      /* The median round of each: one disturbed round does not decide. */
      qsort (our_rounds, ROUNDS, sizeof (Timing), compare_timing);
      qsort (ref_rounds, ROUNDS, sizeof (Timing), compare_timing);
      ours[s] = our_rounds[ROUNDS / 2];
      ref[s] = ref_rounds[ROUNDS / 2];
      fastest = MIN (fastest, ours[s].frame);
      slowest = MAX (slowest, ours[s].frame);
      if (sizes[s] == 1000000)
        {
          ratio_1m = ref[s].frame / ours[s].frame;
          snapshot_ratio_1m = ref[s].snapshot / ours[s].snapshot;
          wall_ratio_1m = ref[s].wall / ours[s].wall;
        }

      g_print ("%8" G_GSIZE_FORMAT " samples, CPU ms a frame: ours %.3f (snapshot %.3f), "
               "linear decimation %.3f (snapshot %.3f), ratio %.2f; wall clock %.3f vs %.3f; "
               "%u and %u frames × %d rounds; bulk append %.0f ms\n",
               sizes[s], ours[s].frame, ours[s].snapshot, ref[s].frame, ref[s].snapshot,
               ref[s].frame / ours[s].frame, ours[s].wall, ref[s].wall, our_frames, ref_frames,
               ROUNDS, append_ms);

      gtk_window_destroy (GTK_WINDOW (b.window));
    }

  /* Flat: every size within this fraction of the mean frame time. */
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    mean += ours[s].frame / G_N_ELEMENTS (sizes);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    deviation = MAX (deviation, fabs (ours[s].frame - mean) / mean);
  g_print ("ours from 10 k to 10 M samples: %.3f to %.3f ms, within ±%.0f %% of the mean\n",
           fastest, slowest, deviation * 100);

  g_string_append_printf (json, "{\"name\":\"trend-chart\",\"ratio\":%.2f,"
                          "\"flatness\":%.3f,\"snapshot_ratio\":%.2f,\"wall_ratio\":%.2f,"
                          "\"width\":%d,\"height\":%d,\"renderer\":\"%s\",\"frames\":[",
                          ratio_1m, deviation, snapshot_ratio_1m, wall_ratio_1m, WIDTH,
                          HEIGHT, renderer_name);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    g_string_append_printf (json, "%s{\"points\":%" G_GSIZE_FORMAT ",\"ours_ms\":%.3f,"
                            "\"ours_snapshot_ms\":%.3f,\"reference_ms\":%.3f,"
                            "\"reference_snapshot_ms\":%.3f}", s > 0 ? "," : "", sizes[s],
                            ours[s].frame, ours[s].snapshot, ref[s].frame, ref[s].snapshot);
  g_string_append (json, "]}");
  g_print ("%s\n", json->str);
  return EXIT_SUCCESS;
}
