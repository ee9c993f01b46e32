/* obd-chart-line-layer.c — a series drawn as a line over its pixel columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each device pixel column of the panel shows the min..max of its samples
 * as a bar that also reaches to where the previous column ended, so the
 * bars join into a trace: where samples are denser than pixels they carry
 * the shape (a spike stays visible however far out one zooms); where they
 * are sparser, straight segments cross the empty columns.  Both are drawn the same way whatever produced the
 * columns (obd-chart-columns.h), so a benchmark of the two strategies
 * compares only the reduction.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-chart-line-layer.h"

struct _ObdChartLineLayer
{
  ObdChartLayer   parent_instance;

  ObdChartSeries *series;
  gboolean        selected;
  guint           last_recomputed;
};

G_DEFINE_FINAL_TYPE (ObdChartLineLayer, obd_chart_line_layer, OBD_TYPE_CHART_LAYER)

static inline double
y_at (const ObdChartFrame *frame,
      double               value)
{
  return frame->area.origin.y
         + frame->area.size.height * (1.0 - (value - frame->lo) / (frame->hi - frame->lo));
}

static inline double
x_at (const ObdChartFrame *frame,
      double               time_us)
{
  return frame->area.origin.x
         + (time_us - (double) frame->t0) / (double) (frame->t1 - frame->t0)
           * frame->area.size.width;
}

static void
obd_chart_line_layer_snapshot (ObdChartLayer       *layer,
                               GtkWidget           *widget,
                               GtkSnapshot         *snapshot,
                               const ObdChartFrame *frame)
{
  ObdChartLineLayer *self = OBD_CHART_LINE_LAYER (layer);
  ObdSeriesData *data = _obd_chart_series_get_data (self->series);
  ObdChartColumns *columns = _obd_chart_series_get_columns (self->series);
  gsize n_samples = _obd_series_data_get_length (data);
  const gint64 *times = _obd_series_data_get_times (data);
  const double *values = _obd_series_data_get_values (data);
  double device_width = frame->area.size.width * frame->scale;
  double column_us, line_width = self->selected ? 2.0 : 1.5;
  const double *mn, *mx, *last;
  gint64 first, last_column;
  gsize before, after;
  guint n;
  cairo_t *cr;

  self->last_recomputed = 0;
  if (n_samples == 0 || device_width < 1.0 || frame->t1 <= frame->t0 || !(frame->hi > frame->lo))
    return;

  /* One column a device pixel, on the absolute time grid of that width. */
  column_us = (double) (frame->t1 - frame->t0) / floor (device_width);
  first = _obd_chart_column_at (column_us, frame->t0);
  last_column = _obd_chart_column_at (column_us, frame->t1);
  n = (guint) (last_column - first + 1);
  self->last_recomputed = _obd_chart_columns_update (columns, data, frame->strategy, column_us,
                                                     first, n);
  mn = _obd_chart_columns_get_min (columns);
  mx = _obd_chart_columns_get_max (columns);
  last = _obd_chart_columns_get_last (columns);

  cr = gtk_snapshot_append_cairo (snapshot, &frame->area);
  cairo_rectangle (cr, frame->area.origin.x, frame->area.origin.y,
                   frame->area.size.width, frame->area.size.height);
  cairo_clip (cr);
  gdk_cairo_set_source_rgba (cr, _obd_chart_series_get_color (self->series));

  /* Columns next to each other are one bar each, reaching from the
   * column's min to its max and on to where the previous column ended:
   * that is the trace, drawn as boxes that cairo fills in one go.
   * Stroking a polyline that zigzags through every column costs many
   * times more (the stroker's joins) and looks the same at this width. */
  before = _obd_series_data_lower_bound (data, _obd_chart_column_start (column_us, first));
  after = _obd_series_data_lower_bound (data, _obd_chart_column_start (column_us, first + n));
  {
    g_autoptr(GArray) segments = g_array_new (FALSE, FALSE, sizeof (double));
    gboolean have_prev = before > 0;
    double prev_x = have_prev ? x_at (frame, (double) times[before - 1]) : 0.0;
    double prev_value = have_prev ? values[before - 1] : 0.0;
    gint64 prev_c = G_MININT64;

    for (guint c = 0; c < n; c++)
      {
        double x, top_value, bottom_value, top, bottom;

        if (isnan (last[c]))
          continue;
        x = x_at (frame, _obd_chart_column_start (column_us, first + c) + column_us / 2);
        top_value = mx[c];
        bottom_value = mn[c];
        if (have_prev && prev_c == (gint64) c - 1)
          {
            top_value = MAX (top_value, prev_value);
            bottom_value = MIN (bottom_value, prev_value);
          }
        else if (have_prev)
          {
            /* Empty columns in between (samples sparser than pixels, or a
             * dropout): a straight segment across them onto this bar. */
            double seg[4] = { prev_x, y_at (frame, prev_value),
                              x, y_at (frame, CLAMP (prev_value, mn[c], mx[c])) };

            g_array_append_vals (segments, seg, 4);
          }
        /* On whole device pixels: cairo fills pixel-aligned boxes without
         * computing coverage, several times faster. */
        top = floor ((y_at (frame, top_value) - line_width / 2) * frame->scale) / frame->scale;
        bottom = ceil ((y_at (frame, bottom_value) + line_width / 2) * frame->scale)
                 / frame->scale;
        cairo_rectangle (cr, floor ((x - line_width / 2) * frame->scale) / frame->scale, top,
                         ceil (line_width * frame->scale) / frame->scale, bottom - top);
        have_prev = TRUE;
        prev_c = c;
        prev_x = x;
        prev_value = last[c];
      }
    cairo_fill (cr);

    /* Leaving towards the sample right of the window. */
    if (have_prev && after < n_samples)
      {
        double seg[4] = { prev_x, y_at (frame, prev_value),
                          x_at (frame, (double) times[after]), y_at (frame, values[after]) };

        g_array_append_vals (segments, seg, 4);
      }
    for (guint i = 0; i + 3 < segments->len; i += 4)
      {
        const double *seg = &g_array_index (segments, double, i);

        cairo_move_to (cr, seg[0], seg[1]);
        cairo_line_to (cr, seg[2], seg[3]);
      }
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width (cr, line_width);
    cairo_stroke (cr);
  }
  cairo_destroy (cr);
}

static void
obd_chart_line_layer_dispose (GObject *object)
{
  ObdChartLineLayer *self = OBD_CHART_LINE_LAYER (object);

  g_clear_object (&self->series);

  G_OBJECT_CLASS (obd_chart_line_layer_parent_class)->dispose (object);
}

static void
obd_chart_line_layer_class_init (ObdChartLineLayerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = obd_chart_line_layer_dispose;
  OBD_CHART_LAYER_CLASS (klass)->snapshot = obd_chart_line_layer_snapshot;
}

static void
obd_chart_line_layer_init (ObdChartLineLayer *self)
{
}

ObdChartLayer *
_obd_chart_line_layer_new (ObdChartSeries *series)
{
  ObdChartLineLayer *self = g_object_new (OBD_TYPE_CHART_LINE_LAYER, NULL);

  self->series = g_object_ref (series);
  return OBD_CHART_LAYER (self);
}

ObdChartSeries *
_obd_chart_line_layer_get_series (ObdChartLineLayer *self)
{
  return self->series;
}

void
_obd_chart_line_layer_set_selected (ObdChartLineLayer *self,
                                    gboolean           selected)
{
  self->selected = !!selected;
}

guint
_obd_chart_line_layer_get_last_recomputed (ObdChartLineLayer *self)
{
  return self->last_recomputed;
}
