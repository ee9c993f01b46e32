/* test-trend-chart.c — ObdTrendChart: reduction, panels per unit, legend, time
 * labels, following, cursor, scaling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-trend-chart"
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "obd-chart-columns.h"
#include "obd-chart-legend.h"
#include "obd-chart-scale.h"
#include "obd-chart-series.h"
#include "obd-chart-value-axis.h"
#include "obd-trend-chart.h"
#include "obd-trend-chart-private.h"
#include "test-wait.h"

#define SEC G_USEC_PER_SEC

TEST_LSAN_FONTCONFIG

/* Helpers ------------------------------------------------------------- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_for_size (GtkWidget *widget,
               int        width,
               int        height)
{
  gint64 deadline = g_get_monotonic_time () + 10 * SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!gtk_widget_get_mapped (widget) ||
         gtk_widget_get_width (widget) != width ||
         gtk_widget_get_height (widget) != height)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static void
wait_frames (GtkWidget *widget,
             guint      n_frames)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * SEC;

  while (frames < n_frames)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  gtk_widget_remove_tick_callback (widget, id);
}

static GtkWidget *
window_with_child (GtkWidget *child,
                   int        width,
                   int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_size (child, width, height);
  return window;
}

static GdkTexture *
render_child (GtkWidget *window,
              gboolean   with_background)
{
  GtkWidget *child = gtk_window_get_child (GTK_WINDOW (window));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  graphene_rect_t bounds;

  /* A change of series may have asked for a new size: let it land. */
  wait_frames (child, 1);
  g_assert_true (gtk_widget_compute_bounds (child, window, &bounds));
  if (with_background)
    {
      GdkRGBA bg;

      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                           "window_bg_color", &bg))
        gdk_rgba_parse (&bg, "#fafafa");
      gtk_snapshot_append_color (snapshot, &bg, &bounds);
    }
  gtk_widget_queue_draw (child);
  gtk_widget_snapshot_child (window, child, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node, &bounds);
}

/* Pixels close to @color (alpha > 0.5). */
static guint
count_color (GdkTexture    *texture,
             const GdkRGBA *color)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  int r0 = (int) (color->red * 255);
  int g0 = (int) (color->green * 255);
  int b0 = (int) (color->blue * 255);
  guint count = 0;

  gdk_texture_download (texture, data, stride);
  for (int i = 0; i < width * height; i++)
    {
      int b = data[4 * i], g = data[4 * i + 1], r = data[4 * i + 2], a = data[4 * i + 3];

      if (a > 200 && ABS (r - r0) < 40 && ABS (g - g0) < 40 && ABS (b - b0) < 40)
        count++;
    }
  return count;
}

/* Random samples with irregular steps and the odd long gap, as a real
 * recording has when the adapter drops out. */
static void
random_series (ObdSeriesData *data,
               GArray        *times,
               GArray        *values,
               guint          n,
               gint64         start)
{
  gint64 t = start;

  for (guint i = 0; i < n; i++)
    {
      double v;

      if (g_test_rand_int_range (0, 200) == 0)
        t += g_test_rand_int_range (SEC, 20 * SEC);       /* a gap */
      else if (g_test_rand_int_range (0, 10) > 0)
        t += g_test_rand_int_range (1, 100000);           /* irregular steps */
      /* else: a repeated time stamp */
      v = g_test_rand_double_range (-1000.0, 1000.0);
      _obd_series_data_append (data, t, v);
      g_array_append_val (times, t);
      g_array_append_val (values, v);
    }
}

static void
brute_reduce (const gint64 *times,
              const double *values,
              gsize         n,
              gint64        t0,
              gint64        t1,
              guint         n_columns,
              double       *out_min,
              double       *out_max)
{
  for (guint c = 0; c < n_columns; c++)
    {
      gint64 a = _obd_trend_chart_column_edge (t0, t1, n_columns, c);
      gint64 b = _obd_trend_chart_column_edge (t0, t1, n_columns, c + 1);

      out_min[c] = INFINITY;
      out_max[c] = -INFINITY;
      for (gsize i = 0; i < n; i++)
        if (times[i] >= a && times[i] < b)
          {
            out_min[c] = MIN (out_min[c], values[i]);
            out_max[c] = MAX (out_max[c], values[i]);
          }
      if (isinf (out_min[c]))
        out_min[c] = out_max[c] = NAN;
    }
}

static void
assert_same_columns (const double *a,
                     const double *b,
                     guint         n)
{
  for (guint c = 0; c < n; c++)
    {
      if (isnan (a[c]) || isnan (b[c]))
        {
          g_assert_true (isnan (a[c]));
          g_assert_true (isnan (b[c]));
        }
      else
        g_assert_cmpfloat (a[c], ==, b[c]);
    }
}

/* Reduction ------------------------------------------------------------ */

static void
test_range_query (void)
{
  /* Every range of every small length, across the 16-sample bucket and
   * pyramid level boundaries. */
  for (guint n = 0; n <= 300; n += (n < 70 ? 1 : 23))
    {
      g_autoptr(ObdSeriesData) data = _obd_series_data_new ();
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

      random_series (data, times, values, n, 0);
      for (guint i = 0; i <= n; i++)
        for (guint j = i; j <= n; j++)
          {
            double lo, hi, blo = INFINITY, bhi = -INFINITY;
            gboolean found = _obd_series_data_range (data, i, j, &lo, &hi);

            g_assert_cmpint (found, ==, j > i);
            if (!found)
              continue;
            for (guint k = i; k < j; k++)
              {
                blo = MIN (blo, g_array_index (values, double, k));
                bhi = MAX (bhi, g_array_index (values, double, k));
              }
            g_assert_cmpfloat (lo, ==, blo);
            g_assert_cmpfloat (hi, ==, bhi);
          }
    }
}

static void
test_reduce_brute_force (void)
{
  static const guint widths[] = { 1, 2, 7, 100, 333, 1200 };
  g_autoptr(ObdSeriesData) data = _obd_series_data_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  gsize n;
  const gint64 *t;

  random_series (data, times, values, 20000, 5 * SEC);
  n = times->len;
  t = (const gint64 *) (gpointer) times->data;
  g_assert_cmpuint (_obd_series_data_get_length (data), ==, n);

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      guint cols = widths[w];
      g_autofree double *fast_min = g_new (double, cols);
      g_autofree double *fast_max = g_new (double, cols);
      g_autofree double *slow_min = g_new (double, cols);
      g_autofree double *slow_max = g_new (double, cols);
      /* Windows: everything, before the data, after it, straddling either
       * end, exactly on sample times, tiny, and random. */
      gint64 windows[][2] = {
        { t[0], t[n - 1] + 1 },
        { 0, t[0] },
        { t[n - 1] + 1, t[n - 1] + 10 * SEC },
        { t[0] - 3 * SEC, t[n / 3] },
        { t[n / 2], t[n - 1] + 3 * SEC },
        { t[n / 4], t[n / 4 + 1000] },
        { t[n / 5], t[n / 5] + 1 },
        { t[n / 7], t[n / 7] + cols },   /* one microsecond a column */
        { 0, 0 },
        { 0, 0 },
        { 0, 0 },
      };

      for (guint k = 8; k < G_N_ELEMENTS (windows); k++)
        {
          gint64 a = g_test_rand_int_range (0, (gint32) (n - 1));
          gint64 b = g_test_rand_int_range ((gint32) a, (gint32) n);

          windows[k][0] = t[a] - g_test_rand_int_range (0, 1000);
          windows[k][1] = t[b] + g_test_rand_int_range (1, 1000);
        }

      for (guint k = 0; k < G_N_ELEMENTS (windows); k++)
        {
          _obd_series_data_reduce (data, windows[k][0], windows[k][1], cols,
                                   fast_min, fast_max, NULL, NULL);
          brute_reduce (t, (const double *) (gpointer) values->data, n,
                        windows[k][0], windows[k][1], cols, slow_min, slow_max);
          assert_same_columns (fast_min, slow_min, cols);
          assert_same_columns (fast_max, slow_max, cols);
        }
    }
}

static void
test_reduce_first_last (void)
{
  g_autoptr(ObdSeriesData) data = _obd_series_data_new ();
  double mn[4], mx[4], first[4], last[4];

  /* Column width 10 µs over [0, 40). */
  _obd_series_data_append (data, 0, 5.0);
  _obd_series_data_append (data, 3, -1.0);
  _obd_series_data_append (data, 9, 2.0);
  _obd_series_data_append (data, 10, 7.0);   /* on an edge: belongs right */
  _obd_series_data_append (data, 35, 4.0);
  _obd_series_data_append (data, 40, 99.0);   /* t1 is excluded */
  _obd_series_data_reduce (data, 0, 40, 4, mn, mx, first, last);

  g_assert_cmpfloat (mn[0], ==, -1.0);
  g_assert_cmpfloat (mx[0], ==, 5.0);
  g_assert_cmpfloat (first[0], ==, 5.0);
  g_assert_cmpfloat (last[0], ==, 2.0);
  g_assert_cmpfloat (mn[1], ==, 7.0);
  g_assert_true (isnan (mn[2]) && isnan (mx[2]) && isnan (first[2]) && isnan (last[2]));
  g_assert_cmpfloat (mx[3], ==, 4.0);
}

static void
test_reduce_out_of_order (void)
{
  g_autoptr(ObdTrendChart) chart = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  g_autoptr(ObdSeriesData) expected = _obd_series_data_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  guint id = obd_trend_chart_add_series (chart, 0, "Speed", "km/h", NULL);
  double fast_min[50], fast_max[50], slow_min[50], slow_max[50];
  gint64 t;
  double v;

  /* In order, then a few late samples sorted in; the chart's series must
   * end up as the sorted sequence. */
  for (int i = 0; i < 1000; i++)
    {
      gint64 ti = (gint64) i * 1000;

      if (i % 97 == 13)
        continue;
      obd_trend_chart_append (chart, id, ti, (double) i);
    }
  for (int i = 13; i < 1000; i += 97)
    obd_trend_chart_append (chart, id, (gint64) i * 1000, (double) i);
  obd_trend_chart_append (chart, id, 0, NAN);   /* ignored */

  g_assert_cmpuint (obd_trend_chart_get_n_samples (chart, id), ==, 1000);
  for (int i = 0; i < 1000; i++)
    {
      gint64 ti = (gint64) i * 1000;
      double vi = i;

      g_array_append_val (times, ti);
      g_array_append_val (values, vi);
      g_assert_true (obd_trend_chart_lookup (chart, id, ti, &t, &v));
      g_assert_cmpint (t, ==, ti);
      g_assert_cmpfloat (v, ==, vi);
    }
  g_assert_true (obd_trend_chart_reduce (chart, id, -500, 1000500, 50, fast_min, fast_max));
  brute_reduce ((gint64 *) (gpointer) times->data, (double *) (gpointer) values->data, 1000,
                -500, 1000500, 50, slow_min, slow_max);
  assert_same_columns (fast_min, slow_min, 50);
  assert_same_columns (fast_max, slow_max, 50);
}

/* The columns a frame draws, kept between frames, against the linear walk
 * and brute force: every window, every scroll, appends and late samples. */
static void
test_columns_cache (void)
{
  g_autoptr(ObdSeriesData) data = _obd_series_data_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(ObdChartColumns) cached = _obd_chart_columns_new ();
  g_autoptr(ObdChartColumns) linear = _obd_chart_columns_new ();
  const guint n = 300;
  double column_us = 3333.3;
  gint64 first;
  guint recomputed;

  random_series (data, times, values, 5000, 7 * SEC);
  first = _obd_chart_column_at (column_us, g_array_index (times, gint64, 100));

  for (int frame = 0; frame < 400; frame++)
    {
      const double *cmin, *cmax, *clast, *lmin, *lmax, *llast;
      g_autofree double *bmin = g_new (double, n);
      g_autofree double *bmax = g_new (double, n);

      /* Scroll by a few columns, append a few samples; now and then a late
       * sample or a clear, and a change of width. */
      first += g_test_rand_int_range (-2, 6);
      for (int k = g_test_rand_int_range (0, 5); k > 0; k--)
        {
          gint64 t = g_array_index (times, gint64, times->len - 1) + g_test_rand_int_range (0, 3000);
          double v = g_test_rand_double_range (-50, 50);

          _obd_series_data_append (data, t, v);
          g_array_append_val (times, t);
          g_array_append_val (values, v);
        }
      if (frame % 97 == 96)
        {
          gint64 t = g_array_index (times, gint64, times->len / 2) + 1;

          _obd_series_data_append (data, t, 1e6);   /* late: sorted in */
          g_array_set_size (times, 0);
          g_array_set_size (values, 0);
          for (gsize i = 0; i < _obd_series_data_get_length (data); i++)
            {
              g_array_append_val (times, _obd_series_data_get_times (data)[i]);
              g_array_append_val (values, _obd_series_data_get_values (data)[i]);
            }
        }
      if (frame == 250)
        column_us = 5000.0;

      recomputed = _obd_chart_columns_update (cached, data, OBD_CHART_COLUMNS_CACHED, column_us,
                                              first, n);
      _obd_chart_columns_update (linear, data, OBD_CHART_COLUMNS_LINEAR, column_us, first, n);
      cmin = _obd_chart_columns_get_min (cached);
      cmax = _obd_chart_columns_get_max (cached);
      clast = _obd_chart_columns_get_last (cached);
      lmin = _obd_chart_columns_get_min (linear);
      lmax = _obd_chart_columns_get_max (linear);
      llast = _obd_chart_columns_get_last (linear);
      assert_same_columns (cmin, lmin, n);
      assert_same_columns (cmax, lmax, n);
      assert_same_columns (clast, llast, n);
      brute_reduce ((const gint64 *) (gpointer) times->data,
                    (const double *) (gpointer) values->data, times->len,
                    _obd_chart_column_start (column_us, first),
                    _obd_chart_column_start (column_us, first + n), n, bmin, bmax);
      /* The brute force cuts [t0, t1) evenly; the cache uses the absolute
       * grid: the same edges when the window is whole columns. */
      for (guint c = 0; c < n; c++)
        {
          gint64 a = _obd_chart_column_start (column_us, first + c);
          gint64 b = _obd_chart_column_start (column_us, first + c + 1);
          double lo = INFINITY, hi = -INFINITY;

          for (guint i = 0; i < times->len; i++)
            if (g_array_index (times, gint64, i) >= a && g_array_index (times, gint64, i) < b)
              {
                lo = MIN (lo, g_array_index (values, double, i));
                hi = MAX (hi, g_array_index (values, double, i));
              }
          if (isinf (lo))
            g_assert_true (isnan (cmin[c]));
          else
            {
              g_assert_cmpfloat (cmin[c], ==, lo);
              g_assert_cmpfloat (cmax[c], ==, hi);
            }
        }
      /* Kept columns are not reduced again: a small scroll with few new
       * samples costs a few columns, not the width. */
      if (frame > 0 && frame % 97 != 96 && frame != 250)
        g_assert_cmpuint (recomputed, <, n / 4);
    }
  g_assert_cmpfloat (column_us, ==, 5000.0);
}

/* A live chart that scrolls reduces only the columns that scrolled in or
 * got new samples, at any number of samples. */
/* One frame of the chart as it stands, without waiting for the frame
 * clock (which may draw frames of its own in between). */
static void
snapshot_now (GtkWidget *window,
              GtkWidget *widget)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  gtk_widget_queue_draw (widget);
  gtk_widget_snapshot_child (window, widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
}

static void
test_live_scroll_cost (void)
{
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  ObdTrendChart *chart = OBD_TREND_CHART (widget);
  guint id = obd_trend_chart_add_series (chart, 0x0C, "Engine speed", "rpm", NULL);
  GtkWidget *window = window_with_child (widget, 600, 300);
  gint64 t = 0;

  obd_trend_chart_set_time_span (chart, 60 * SEC);
  for (int i = 0; i < 200000; i++, t += 500)
    obd_trend_chart_append (chart, id, t, 800 + i % 1000);
  snapshot_now (window, widget);
  g_assert_cmpuint (_obd_trend_chart_get_last_recomputed (chart, id), >, 400);

  for (int frame = 0; frame < 5; frame++)
    {
      for (int k = 0; k < 40; k++, t += 500)
        obd_trend_chart_append (chart, id, t, 3000);
      snapshot_now (window, widget);
      g_test_message ("frame %d: %u columns reduced", frame,
                      _obd_trend_chart_get_last_recomputed (chart, id));
      /* 20 ms of samples at a 100 ms column: one or two columns. */
      g_assert_cmpuint (_obd_trend_chart_get_last_recomputed (chart, id), <=, 3);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (widget);
}

/* One axis per unit: series of one unit share a panel, every panel is
 * labelled in its own unit and scaled to its own series — a speed of
 * 0 km/h is never drawn at "725 rpm". */
static void
test_panels_per_unit (void)
{
  g_autoptr(ObdTrendChart) chart = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  guint rpm = obd_trend_chart_add_series (chart, 0x0C, "Engine speed", "rpm", NULL);
  guint speed = obd_trend_chart_add_series (chart, 0x0D, "Speed", "km/h", NULL);
  guint load = obd_trend_chart_add_series (chart, 0x04, "Load", "%", NULL);
  guint throttle = obd_trend_chart_add_series (chart, 0x11, "Throttle", "%", NULL);
  guint gear = obd_trend_chart_add_series (chart, 0xA4, "Gear", NULL, NULL);
  const ObdChartPanel *panels;
  guint n_panels = 0;
  double lo, hi;
  g_autoptr(GPtrArray) labels = NULL;

  for (int i = 0; i < 100; i++)
    {
      gint64 t = (gint64) i * SEC / 10;

      obd_trend_chart_append (chart, rpm, t, 725 + 20 * (i % 3));
      obd_trend_chart_append (chart, speed, t, 0);
      obd_trend_chart_append (chart, load, t, 20 + i % 10);
      obd_trend_chart_append (chart, throttle, t, 80);
      obd_trend_chart_append (chart, gear, t, 1);
    }
  obd_trend_chart_set_time_span (chart, 10 * SEC);

  _obd_trend_chart_layout (chart, 800, 600);
  panels = _obd_trend_chart_get_panels (chart, &n_panels);
  g_assert_cmpuint (n_panels, ==, 4);
  g_assert_cmpstr (panels[0].unit, ==, "rpm");
  g_assert_cmpstr (panels[1].unit, ==, "km/h");
  g_assert_cmpstr (panels[2].unit, ==, "%");
  g_assert_cmpint (_obd_trend_chart_get_series_panel (chart, load), ==, 2);
  g_assert_cmpint (_obd_trend_chart_get_series_panel (chart, throttle), ==, 2);
  g_assert_cmpint (_obd_trend_chart_get_series_panel (chart, gear), ==, 3);

  /* Panels are stacked, do not overlap, and share the time span. */
  for (guint p = 1; p < n_panels; p++)
    {
      g_assert_cmpfloat (panels[p].area.origin.y, >=,
                         panels[p - 1].area.origin.y + panels[p - 1].area.size.height);
      g_assert_cmpfloat (panels[p].area.origin.x, ==, panels[0].area.origin.x);
      g_assert_cmpfloat (panels[p].area.size.width, ==, panels[0].area.size.width);
    }

  /* Each axis covers its own series: rpm about 725-765, speed around 0,
   * the % panel both load (20-29) and throttle (80). */
  g_assert_cmpfloat (panels[0].lo, >, 600);
  g_assert_cmpfloat (panels[0].hi, <, 900);
  g_assert_cmpfloat (panels[1].lo, <=, 0);
  g_assert_cmpfloat (panels[1].hi, <, 10);
  g_assert_cmpfloat (panels[2].lo, <=, 20);
  g_assert_cmpfloat (panels[2].hi, >=, 80);
  obd_trend_chart_get_series_range (chart, speed, &lo, &hi);
  g_assert_cmpfloat (hi, <, 10);
  obd_trend_chart_get_series_range (chart, throttle, &lo, &hi);
  g_assert_cmpfloat (lo, <=, 20);

  /* The speed axis's numbers are speeds. */
  labels = _obd_chart_value_axis_dup_labels (panels[1].lo, panels[1].hi, panels[1].step);
  g_assert_cmpuint (labels->len, >=, 2);
  for (guint i = 0; i < labels->len; i++)
    g_assert_cmpfloat (fabs (g_ascii_strtod (g_ptr_array_index (labels, i), NULL)), <, 10);

  /* Hiding the only series of a unit removes its panel. */
  obd_trend_chart_set_series_visible (chart, speed, FALSE);
  _obd_trend_chart_layout (chart, 800, 600);
  _obd_trend_chart_get_panels (chart, &n_panels);
  g_assert_cmpuint (n_panels, ==, 3);
  g_assert_cmpint (_obd_trend_chart_get_series_panel (chart, speed), ==, -1);

  /* A fixed range is the panel's when all its series are fixed. */
  obd_trend_chart_set_series_range (chart, rpm, 0, 8000);
  _obd_trend_chart_layout (chart, 800, 600);
  panels = _obd_trend_chart_get_panels (chart, &n_panels);
  g_assert_cmpfloat (panels[0].lo, ==, 0);
  g_assert_cmpfloat (panels[0].hi, ==, 8000);
}

/* The legend wraps instead of cutting entries off, and the chart asks
 * for the height it needs. */
static void
test_legend_fits (void)
{
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  ObdTrendChart *chart = OBD_TREND_CHART (widget);
  static const char *const names[] = {
    "Engine speed", "Vehicle speed", "Coolant temperature", "Calculated engine load",
    "Throttle position", "Mass air flow rate", "Intake air temperature",
    "Control module voltage",
  };
  static const char *const units[] = { "rpm", "km/h", "°C", "%", "%", "g/s", "°C", "V" };
  int narrow_min, wide_min, natural;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint id = obd_trend_chart_add_series (chart, 0, names[i], units[i], NULL);

      obd_trend_chart_append (chart, id, SEC, 1234.5);
    }

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, 1200, &wide_min, &natural, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, 400, &narrow_min, &natural, NULL, NULL);
  g_test_message ("minimum height: %d at 1200 px, %d at 400 px", wide_min, narrow_min);
  /* Narrow: more legend rows, so more height; every entry shown. */
  g_assert_cmpint (narrow_min, >, wide_min);
  _obd_trend_chart_layout (chart, 400, narrow_min);
  g_assert_cmpuint (_obd_chart_legend_get_n_rows (chart->legend), >=, 4);
  _obd_trend_chart_layout (chart, 1200, wide_min);
  g_assert_cmpuint (_obd_chart_legend_get_n_rows (chart->legend), <=, 3);

  /* Rendered at the height asked for, nothing of the legend is drawn
   * past the right edge. */
  {
    GtkWidget *window = window_with_child (widget, 400, MAX (narrow_min, 300));
    g_autoptr(GdkTexture) texture = render_child (window, FALSE);

    g_assert_cmpint (gdk_texture_get_width (texture), ==, 400);
    gtk_window_destroy (GTK_WINDOW (window));
  }
  g_assert_finalize_object (widget);
}

/* What the time axis says: before the newest sample for live data, since
 * the start for a replay, the clock for wall-clock times. */
static void
test_time_labels (void)
{
  g_autoptr(ObdTrendChart) chart = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  guint id = obd_trend_chart_add_series (chart, 0, "Engine speed", "rpm", NULL);
  /* 2024-03-05 14:05:00 UTC */
  const gint64 start = G_GINT64_CONSTANT (1709647500) * SEC;
  g_autofree char *readout = NULL;
  char *text;

  /* Relative to the newest sample. */
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_RELATIVE, 70 * SEC, SEC, 0, 100 * SEC);
  g_assert_cmpstr (text, ==, "−30 s");
  g_free (text);
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_RELATIVE, 0, 60 * SEC, 0, 150 * SEC);
  g_assert_cmpstr (text, ==, "−2:30");
  g_free (text);

  /* Elapsed since the session's start. */
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_ELAPSED, start + 750 * SEC, 60 * SEC,
                                 start, 0);
  g_assert_cmpstr (text, ==, "12:30");
  g_free (text);
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_ELAPSED, start + (gint64) 3723 * SEC, 60 * SEC,
                                 start, 0);
  g_assert_cmpstr (text, ==, "1:02:03");
  g_free (text);
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_ELAPSED, start + 45 * SEC, 5 * SEC,
                                 start, 0);
  g_assert_cmpstr (text, ==, "45 s");
  g_free (text);

  /* The clock, in the local zone (UTC in this test). */
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_CLOCK, start + 30 * SEC, SEC, 0, 0);
  g_assert_cmpstr (text, ==, "14:05:30");
  g_free (text);
  text = _obd_chart_format_time (OBD_TREND_CHART_TIME_CLOCK, start + 300 * SEC, 300 * SEC, 0, 0);
  g_assert_cmpstr (text, ==, "14:10");
  g_free (text);
  /* Clock ticks fall on whole minutes of the clock. */
  g_assert_cmpint (_obd_chart_first_tick (OBD_TREND_CHART_TIME_CLOCK, start + 7 * SEC,
                                          (gint64) 15 * 60 * SEC, 0, 0), ==, start + (gint64) 10 * 60 * SEC);
  g_assert_cmpint (_obd_chart_first_tick (OBD_TREND_CHART_TIME_ELAPSED, start + 7 * SEC,
                                          30 * SEC, start, 0), ==, start + 30 * SEC);
  g_assert_cmpint (_obd_chart_first_tick (OBD_TREND_CHART_TIME_RELATIVE, 5 * SEC, 10 * SEC, 0,
                                          33 * SEC), ==, 13 * SEC);

  /* A replay's cursor says how far into the session it is. */
  for (int i = 0; i <= 600; i++)
    obd_trend_chart_append (chart, id, start + (gint64) i * SEC, 800.0 + i);
  obd_trend_chart_set_time_span (chart, 600 * SEC);
  obd_trend_chart_set_time_origin (chart, start);
  g_object_set (chart, "time-labels", OBD_TREND_CHART_TIME_ELAPSED, NULL);
  g_assert_cmpint (obd_trend_chart_get_time_labels (chart), ==, OBD_TREND_CHART_TIME_ELAPSED);
  obd_trend_chart_set_cursor_time (chart, start + 150 * SEC);
  readout = _obd_trend_chart_dup_readout (chart);
  g_assert_cmpstr (readout, ==, "2:30\nEngine speed: 950 rpm");
  g_clear_pointer (&readout, g_free);
  obd_trend_chart_set_time_labels (chart, OBD_TREND_CHART_TIME_CLOCK);
  readout = _obd_trend_chart_dup_readout (chart);
  g_assert_cmpstr (readout, ==, "14:07:30\nEngine speed: 950 rpm");

  {
    gint64 first = 0, last = 0;

    g_assert_true (obd_trend_chart_get_data_range (chart, &first, &last));
    g_assert_cmpint (first, ==, start);
    g_assert_cmpint (last, ==, start + 600 * SEC);
  }
}

/* A PID keeps its colour whatever else is in the chart and in which order. */
static void
test_colors_per_pid (void)
{
  g_autoptr(ObdTrendChart) a = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  g_autoptr(ObdTrendChart) b = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  static const guint8 dashboard[] = { 0x0C, 0x0D, 0x05, 0x04, 0x11, 0x10, 0x0F, 0x0B, 0x42, 0x5C };
  GdkRGBA ca, cb;

  obd_trend_chart_add_series (a, 0x0C, "Engine speed", "rpm", NULL);
  obd_trend_chart_add_series (a, 0x05, "Coolant", "°C", NULL);
  obd_trend_chart_add_series (b, 0x11, "Throttle", "%", NULL);
  obd_trend_chart_add_series (b, 0x05, "Coolant", "°C", NULL);
  obd_trend_chart_add_series (b, 0x0C, "Engine speed", "rpm", NULL);
  ca = *_obd_chart_series_get_color (g_ptr_array_index (a->series, 0));
  cb = *_obd_chart_series_get_color (g_ptr_array_index (b->series, 2));
  g_assert_true (gdk_rgba_equal (&ca, &cb));
  ca = *_obd_chart_series_get_color (g_ptr_array_index (a->series, 1));
  cb = *_obd_chart_series_get_color (g_ptr_array_index (b->series, 1));
  g_assert_true (gdk_rgba_equal (&ca, &cb));

  /* The dashboard's PIDs each have their own. */
  for (guint i = 0; i < G_N_ELEMENTS (dashboard); i++)
    for (guint j = i + 1; j < G_N_ELEMENTS (dashboard); j++)
      {
        _obd_chart_series_color_for_id (dashboard[i], &ca);
        _obd_chart_series_color_for_id (dashboard[j], &cb);
        g_assert_false (gdk_rgba_equal (&ca, &cb));
      }
}

/* Behaviour -------------------------------------------------------------- */

static void
test_live_follow (void)
{
  g_autoptr(ObdTrendChart) chart = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  guint rpm = obd_trend_chart_add_series (chart, 7, "Engine speed", "rpm", NULL);
  guint speed = obd_trend_chart_add_series (chart, 0, "Speed", "km/h", NULL);

  g_assert_cmpuint (rpm, ==, 7);
  g_assert_cmpuint (speed, !=, 0);
  g_assert_cmpuint (speed, !=, rpm);
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart), ==, 2);
  g_assert_true (obd_trend_chart_get_live_follow (chart));
  obd_trend_chart_set_time_span (chart, 10 * SEC);

  obd_trend_chart_append (chart, rpm, 100 * SEC, 800.0);
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 100 * SEC);
  obd_trend_chart_append (chart, speed, 101 * SEC, 12.0);
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 101 * SEC);

  /* Placing the view by hand stops following; data no longer moves it. */
  obd_trend_chart_set_end_time (chart, 95 * SEC);
  g_assert_false (obd_trend_chart_get_live_follow (chart));
  obd_trend_chart_append (chart, rpm, 102 * SEC, 900.0);
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 95 * SEC);

  /* Following again jumps to the newest sample. */
  g_object_set (chart, "live-follow", TRUE, NULL);
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 102 * SEC);

  /* The keyboard actions: Home leaves the live edge, End returns to it,
   * "f" toggles following. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.home", NULL));
  g_assert_false (obd_trend_chart_get_live_follow (chart));
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 100 * SEC + 10 * SEC);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.end", NULL));
  g_assert_true (obd_trend_chart_get_live_follow (chart));
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 102 * SEC);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.live-follow", NULL));
  g_assert_false (obd_trend_chart_get_live_follow (chart));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.live-follow", NULL));
  g_assert_true (obd_trend_chart_get_live_follow (chart));

  /* Zooming while following keeps the right edge on the newest sample. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.zoom", "i", 1));
  g_assert_cmpint (obd_trend_chart_get_time_span (chart), ==, (gint64) (10 * SEC / 1.5));
  g_assert_cmpint (obd_trend_chart_get_end_time (chart), ==, 102 * SEC);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.zoom", "i", -1));
  g_assert_cmpint (ABS (obd_trend_chart_get_time_span (chart) - 10 * SEC), <=, 1);
  obd_trend_chart_set_time_span (chart, 1);   /* clamped */
  g_assert_cmpint (obd_trend_chart_get_time_span (chart), ==, SEC / 100);

  /* Clearing keeps the series. */
  obd_trend_chart_clear (chart);
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart), ==, 2);
  g_assert_cmpuint (obd_trend_chart_get_n_samples (chart, rpm), ==, 0);
  g_assert_false (obd_trend_chart_get_latest (chart, rpm, NULL, NULL));
  obd_trend_chart_remove_series (chart, speed);
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart), ==, 1);
}

static void
test_cursor (void)
{
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  ObdTrendChart *chart = OBD_TREND_CHART (widget);
  GtkWidget *window;
  guint rpm = obd_trend_chart_add_series (chart, 0, "Engine speed", "rpm", NULL);
  guint temp = obd_trend_chart_add_series (chart, 0, "Coolant", "°C", NULL);
  g_autofree char *readout = NULL;
  gint64 t, cursor;
  double v;

  for (int i = 0; i <= 100; i++)
    obd_trend_chart_append (chart, rpm, (gint64) i * SEC, 1000.0 + i);
  for (int i = 0; i <= 10; i++)
    obd_trend_chart_append (chart, temp, (gint64) i * 10 * SEC + 2 * SEC, 80.0 + i * 0.5);
  obd_trend_chart_set_time_span (chart, 100 * SEC);

  g_assert_false (obd_trend_chart_get_cursor_time (chart, NULL));
  g_assert_false (obd_trend_chart_get_cursor_value (chart, rpm, NULL, NULL));
  g_assert_null (_obd_trend_chart_dup_readout (chart));

  /* Nearest sample on either side, ties to the earlier one. */
  obd_trend_chart_set_cursor_time (chart, 41 * SEC + 400000);
  g_assert_true (obd_trend_chart_get_cursor_value (chart, rpm, &t, &v));
  g_assert_cmpint (t, ==, 41 * SEC);
  g_assert_cmpfloat (v, ==, 1041.0);
  g_assert_true (obd_trend_chart_get_cursor_value (chart, temp, &t, &v));
  g_assert_cmpint (t, ==, 42 * SEC);
  g_assert_cmpfloat (v, ==, 82.0);
  obd_trend_chart_set_cursor_time (chart, 41 * SEC + 500000);
  g_assert_true (obd_trend_chart_get_cursor_value (chart, rpm, &t, &v));
  g_assert_cmpint (t, ==, 41 * SEC);
  obd_trend_chart_set_cursor_time (chart, 500 * SEC);
  g_assert_true (obd_trend_chart_get_cursor_value (chart, rpm, &t, &v));
  g_assert_cmpint (t, ==, 100 * SEC);

  obd_trend_chart_set_cursor_time (chart, 42 * SEC);
  /* Times are relative to the newest sample of any series (102 s). */
  readout = _obd_trend_chart_dup_readout (chart);
  g_assert_cmpstr (readout, ==, "−1:00\nEngine speed: 1042 rpm\nCoolant: 82.0 °C");

  /* Keyboard: a hundredth of the span a press. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.move-cursor", "i", -1));
  g_assert_true (obd_trend_chart_get_cursor_time (chart, &cursor));
  g_assert_cmpint (cursor, ==, 41 * SEC);
  obd_trend_chart_hide_cursor (chart);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.move-cursor", "i", 1));
  g_assert_true (obd_trend_chart_get_cursor_time (chart, &cursor));
  /* Appears mid-window ([2 s, 102 s] while following), then moves. */
  g_assert_cmpint (cursor, ==, 53 * SEC);

  /* Pointer positions map onto the plot after allocation. */
  window = window_with_child (widget, 600, 300);
  {
    double left = 0, right = 600;
    gint64 t_left = _obd_trend_chart_time_at_x (chart, left);
    gint64 t_right = _obd_trend_chart_time_at_x (chart, right);
    gint64 t_mid;

    g_assert_cmpint (t_left, ==, 2 * SEC);
    g_assert_cmpint (t_right, ==, 102 * SEC);
    /* Half way between the ends of the plot is half way in time. */
    for (double x = 0; x < 600; x += 1)
      if (_obd_trend_chart_time_at_x (chart, x) > 2 * SEC && left == 0)
        left = x - 1;
    for (double x = 600; x > 0; x -= 1)
      if (_obd_trend_chart_time_at_x (chart, x) < 102 * SEC && right == 600)
        right = x + 1;
    t_mid = _obd_trend_chart_time_at_x (chart, (left + right) / 2);
    g_assert_cmpint (ABS (t_mid - 52 * SEC), <, SEC);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (widget);
}

static void
test_series_range (void)
{
  g_autoptr(ObdTrendChart) chart = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  guint a = obd_trend_chart_add_series (chart, 0, "Throttle", "%", NULL);
  guint b = obd_trend_chart_add_series (chart, 0, "Battery", "V", NULL);
  double lo, hi;

  obd_trend_chart_set_time_span (chart, 10 * SEC);
  obd_trend_chart_append (chart, a, 0, 5000.0);   /* far outside the window */
  for (int i = 0; i < 100; i++)
    {
      obd_trend_chart_append (chart, a, 100 * SEC + i * 100000, 20.0 + (i % 7));
      obd_trend_chart_append (chart, b, 100 * SEC + i * 100000, 14.1);
    }

  /* Auto: covers the visible data (20..26) with some room, ignores the
   * spike outside the window. */
  g_assert_false (obd_trend_chart_get_series_range (chart, a, &lo, &hi));
  g_assert_cmpfloat (lo, <, 20.0);
  g_assert_cmpfloat (hi, >, 26.0);
  g_assert_cmpfloat (lo, >=, 15.0);
  g_assert_cmpfloat (hi, <=, 30.0);

  /* A flat line still gets a usable range around it. */
  obd_trend_chart_get_series_range (chart, b, &lo, &hi);
  g_assert_cmpfloat (lo, <, 14.1);
  g_assert_cmpfloat (hi, >, 14.1);

  /* Panning back to the spike widens the auto range. */
  obd_trend_chart_set_end_time (chart, 5 * SEC);
  obd_trend_chart_get_series_range (chart, a, &lo, &hi);
  g_assert_cmpfloat (hi, >=, 5000.0);

  /* Fixed ranges are used as given. */
  obd_trend_chart_set_series_range (chart, a, 0.0, 100.0);
  g_assert_true (obd_trend_chart_get_series_range (chart, a, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (hi, ==, 100.0);
  obd_trend_chart_set_series_auto_range (chart, a);
  g_assert_false (obd_trend_chart_get_series_range (chart, a, &lo, &hi));

  /* Selection and visibility. */
  g_assert_cmpuint (obd_trend_chart_get_selected_series (chart), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.next-series", NULL));
  g_assert_cmpuint (obd_trend_chart_get_selected_series (chart), ==, b);
  obd_trend_chart_set_series_visible (chart, a, FALSE);
  g_assert_false (obd_trend_chart_get_series_visible (chart, a));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.next-series", NULL));
  g_assert_cmpuint (obd_trend_chart_get_selected_series (chart), ==, b);   /* a is hidden */
}

static void
test_a11y (void)
{
  g_autoptr(ObdTrendChart) chart = g_object_ref_sink (OBD_TREND_CHART (obd_trend_chart_new ()));
  guint rpm, temp;
  g_autofree char *text = NULL;
  gint64 deadline;

  gtk_test_accessible_assert_role (chart, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "Trend chart");
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "No data");
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (chart)));

  rpm = obd_trend_chart_add_series (chart, 0, "Engine speed", "rpm", NULL);
  temp = obd_trend_chart_add_series (chart, 0, "Coolant", "°C", NULL);
  obd_trend_chart_append (chart, rpm, SEC, 1726.4);
  text = _obd_trend_chart_dup_description (chart);
  g_assert_cmpstr (text, ==, "Engine speed: 1726 rpm; Coolant: no data");

  /* The description catches up within a second, not on every sample. */
  obd_trend_chart_append (chart, temp, SEC, 90.5);
  deadline = g_get_monotonic_time () + 5 * SEC;
  for (;;)
    {
      g_autofree char *mismatch =
        gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart),
                                            GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                            "Engine speed: 1726 rpm; Coolant: 90.5 °C");

      if (mismatch == NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  obd_trend_chart_set_series_visible (chart, rpm, FALSE);
  g_clear_pointer (&text, g_free);
  text = _obd_trend_chart_dup_description (chart);
  g_assert_cmpstr (text, ==, "Coolant: 90.5 °C");
}

/* Rendering ------------------------------------------------------------- */

static void
fill_million (ObdTrendChart *chart,
              guint          id)
{
  const gsize n = 1000000;
  g_autofree gint64 *times = g_new (gint64, n);
  g_autofree double *values = g_new (double, n);

  /* 1 kHz for 1000 s: an engine-speed-like wave with noise. */
  for (gsize i = 0; i < n; i++)
    {
      times[i] = (gint64) i * 1000;
      values[i] = 2500.0 + 1500.0 * sin (i / 20000.0) + g_test_rand_double_range (-60.0, 60.0);
    }
  obd_trend_chart_append_many (chart, id, times, values, n);
}

static void
test_render_million (void)
{
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  ObdTrendChart *chart = OBD_TREND_CHART (widget);
  GdkRGBA blue = { 0.2f, 0.4f, 0.9f, 1.0f };
  GdkRGBA green = { 0.1f, 0.65f, 0.3f, 1.0f };
  guint rpm = obd_trend_chart_add_series (chart, 0, "Engine speed", "rpm", &blue);
  guint other = obd_trend_chart_add_series (chart, 0, "Load", "%", &green);
  g_autoptr(GdkTexture) whole = NULL;
  g_autoptr(GdkTexture) zoomed = NULL;
  g_autoptr(GdkTexture) hidden = NULL;
  GtkWidget *window;
  gint64 begin;

  fill_million (chart, rpm);
  for (int i = 0; i < 1000; i++)
    obd_trend_chart_append (chart, other, (gint64) i * SEC, 40.0 + 30.0 * cos (i / 50.0));
  g_assert_cmpuint (obd_trend_chart_get_n_samples (chart, rpm), ==, 1000000);
  obd_trend_chart_set_time_span (chart, 1000 * SEC);

  window = window_with_child (widget, 1200, 400);
  begin = g_get_monotonic_time ();
  whole = render_child (window, FALSE);
  g_test_message ("1M points, 1200x400: %.2f ms", (g_get_monotonic_time () - begin) / 1000.0);
  g_assert_cmpint (gdk_texture_get_width (whole), ==, 1200);
  g_assert_cmpuint (count_color (whole, &blue), >, 1200);
  g_assert_cmpuint (count_color (whole, &green), >, 600);
  if (g_getenv ("OBD2_SCREENSHOT_DIR") != NULL)
    {
      g_autoptr(GdkTexture) shot = render_child (window, TRUE);
      g_autofree char *path = g_build_filename (g_getenv ("OBD2_SCREENSHOT_DIR"),
                                                "trend-chart-million.png", NULL);

      g_assert_true (gdk_texture_save_to_png (shot, path));
      g_test_message ("screenshot: %s", path);
    }

  /* Zoomed into a few seconds, with the cursor's readout. */
  obd_trend_chart_set_time_span (chart, 2 * SEC);
  obd_trend_chart_set_end_time (chart, 500 * SEC);
  obd_trend_chart_set_cursor_time (chart, 499 * SEC);
  zoomed = render_child (window, FALSE);
  g_assert_cmpuint (count_color (zoomed, &blue), >, 200);

  if (g_getenv ("OBD2_SCREENSHOT_DIR") != NULL)
    {
      g_autoptr(GdkTexture) shot = render_child (window, TRUE);
      g_autofree char *path = g_build_filename (g_getenv ("OBD2_SCREENSHOT_DIR"),
                                                "trend-chart-zoomed.png", NULL);

      g_assert_true (gdk_texture_save_to_png (shot, path));
      g_test_message ("screenshot: %s", path);
    }

  obd_trend_chart_set_series_visible (chart, rpm, FALSE);
  hidden = render_child (window, FALSE);
  g_assert_cmpuint (count_color (hidden, &blue), <, count_color (zoomed, &blue) / 4);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (widget);
}

static void
test_render_empty_and_tiny (void)
{
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  GtkWidget *window = window_with_child (widget, 200, 120);
  g_autoptr(GdkTexture) empty = render_child (window, FALSE);
  g_autoptr(GdkTexture) one = NULL;
  guint id = obd_trend_chart_add_series (OBD_TREND_CHART (widget), 0, "Speed", "km/h", NULL);

  g_assert_cmpint (gdk_texture_get_width (empty), ==, 200);
  obd_trend_chart_append (OBD_TREND_CHART (widget), id, 0, 42.0);
  one = render_child (window, FALSE);
  g_assert_cmpint (gdk_texture_get_height (one), ==, 120);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (widget);
}

static void
test_finalize (void)
{
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  guint id = obd_trend_chart_add_series (OBD_TREND_CHART (widget), 0, "Speed", "km/h", NULL);

  /* A pending accessibility update must not outlive the widget. */
  obd_trend_chart_append (OBD_TREND_CHART (widget), id, 0, 1.0);
  g_assert_finalize_object (widget);
}

/* Screenshots ---------------------------------------------------------- */

static void
save_texture (GdkTexture *texture,
              const char *dir,
              const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
test_screenshots (void)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *widget = g_object_ref_sink (obd_trend_chart_new ());
  ObdTrendChart *chart = OBD_TREND_CHART (widget);
  guint rpm = obd_trend_chart_add_series (chart, 0, "Engine speed", "rpm", NULL);
  guint temp = obd_trend_chart_add_series (chart, 0, "Coolant", "°C", NULL);
  guint volt = obd_trend_chart_add_series (chart, 0, "Battery", "V", NULL);
  g_autoptr(GdkTexture) light = NULL;
  g_autoptr(GdkTexture) dark = NULL;
  GtkWidget *window;

  /* Five minutes of a drive: revs, a warming engine, a charging battery. */
  for (int i = 0; i < 3000; i++)
    {
      gint64 t = (gint64) i * 100000;
      double rev = 800.0 + 1800.0 * fabs (sin (i / 180.0)) + 60.0 * sin (i * 1.7);

      obd_trend_chart_append (chart, rpm, t, rev);
      if (i % 10 == 0)
        obd_trend_chart_append (chart, temp, t, 90.0 - 60.0 * exp (-i / 900.0));
      if (i % 5 == 0)
        obd_trend_chart_append (chart, volt, t, 13.9 + 0.3 * sin (i / 400.0));
    }
  obd_trend_chart_set_time_span (chart, 240 * SEC);
  obd_trend_chart_set_cursor_time (chart, 200 * SEC);

  window = window_with_child (widget, 800, 320);
  light = render_child (window, TRUE);
  if (dir != NULL)
    save_texture (light, dir, "trend-chart-light.png");

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (widget, 3);
  g_assert_true (adw_style_manager_get_dark (manager));
  dark = render_child (window, TRUE);
  if (dir != NULL)
    save_texture (dark, dir, "trend-chart-dark.png");

  /* High contrast comes from the desktop's a11y settings; the memory
   * GSettings backend of the tests lets us flip it. */
  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema = NULL;

    if (source != NULL
        && (schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.a11y.interface",
                                                      TRUE)) != NULL
        && g_settings_schema_has_key (schema, "high-contrast"))
      {
        g_autoptr(GSettings) a11y = g_settings_new ("org.gnome.desktop.a11y.interface");
        g_autoptr(GdkTexture) contrast = NULL;

        adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
        g_settings_set_boolean (a11y, "high-contrast", TRUE);
        wait_frames (widget, 3);
        contrast = render_child (window, TRUE);
        if (dir != NULL)
          save_texture (contrast, dir, "trend-chart-high-contrast.png");
        g_settings_set_boolean (a11y, "high-contrast", FALSE);
      }
  }
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);

  /* A recorded session replayed: time since its start, the cursor's
   * readout, a legend that wraps in a narrow window. */
  obd_trend_chart_set_time_labels (chart, OBD_TREND_CHART_TIME_ELAPSED);
  obd_trend_chart_set_time_origin (chart, 0);
  obd_trend_chart_set_time_span (chart, 300 * SEC);
  obd_trend_chart_set_end_time (chart, 300 * SEC);
  gtk_window_destroy (GTK_WINDOW (window));
  window = window_with_child (widget, 420, 380);
  {
    g_autoptr(GdkTexture) replay = render_child (window, TRUE);

    if (dir != NULL)
      save_texture (replay, dir, "trend-chart-replay-narrow.png");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (widget);
}

int
main (int argc, char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  g_setenv ("TZ", "UTC", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/trend-chart/reduce/range-query", test_range_query);
  g_test_add_func ("/trend-chart/reduce/brute-force", test_reduce_brute_force);
  g_test_add_func ("/trend-chart/reduce/first-last", test_reduce_first_last);
  g_test_add_func ("/trend-chart/reduce/out-of-order", test_reduce_out_of_order);
  g_test_add_func ("/trend-chart/reduce/columns-cache", test_columns_cache);
  g_test_add_func ("/trend-chart/reduce/live-scroll-cost", test_live_scroll_cost);
  g_test_add_func ("/trend-chart/panels-per-unit", test_panels_per_unit);
  g_test_add_func ("/trend-chart/legend-fits", test_legend_fits);
  g_test_add_func ("/trend-chart/time-labels", test_time_labels);
  g_test_add_func ("/trend-chart/colors-per-pid", test_colors_per_pid);
  g_test_add_func ("/trend-chart/live-follow", test_live_follow);
  g_test_add_func ("/trend-chart/cursor", test_cursor);
  g_test_add_func ("/trend-chart/series-range", test_series_range);
  g_test_add_func ("/trend-chart/a11y", test_a11y);
  g_test_add_func ("/trend-chart/render/million", test_render_million);
  g_test_add_func ("/trend-chart/render/empty", test_render_empty_and_tiny);
  g_test_add_func ("/trend-chart/finalize", test_finalize);
  g_test_add_func ("/trend-chart/screenshots", test_screenshots);

  return g_test_run ();
}
