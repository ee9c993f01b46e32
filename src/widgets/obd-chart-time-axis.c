/* obd-chart-time-axis.c — the shared time scale under a trend chart's panels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Vertical grid lines through every panel and a label under each that has
 * room.  The labels say what a mechanic reads best for the data: time
 * before now for a live view, time since the start for a replay, or the
 * clock (ObdTrendChartTimeLabels).
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-chart-time-axis.h"

#define PAD 8.0

struct _ObdChartTimeAxis
{
  ObdChartLayer parent_instance;
};

G_DEFINE_FINAL_TYPE (ObdChartTimeAxis, obd_chart_time_axis, OBD_TYPE_CHART_LAYER)

gint64
_obd_chart_time_axis_step (gint64 span_us,
                           double width)
{
  return _obd_chart_nice_time_step ((gint64) ((double) span_us * 100.0 / MAX (width, 1.0)));
}

static void
obd_chart_time_axis_snapshot (ObdChartLayer       *layer,
                              GtkWidget           *widget,
                              GtkSnapshot         *snapshot,
                              const ObdChartFrame *frame)
{
  const graphene_rect_t *area = &frame->area;
  gint64 span = frame->t1 - frame->t0;
  gint64 step = _obd_chart_time_axis_step (span, area->size.width);
  GdkRGBA grid = frame->fg, dim = frame->fg;
  double last_right = -G_MAXDOUBLE;
  int width = gtk_widget_get_width (widget);

  if (span <= 0)
    return;
  grid.alpha *= frame->high_contrast ? 0.35f : 0.1f;
  dim.alpha *= frame->high_contrast ? 1.0f : 0.7f;

  for (gint64 t = _obd_chart_first_tick (frame->time_labels, frame->t0, step, frame->time_origin,
                                         frame->newest);
       t <= frame->t1; t += step)
    {
      double x = area->origin.x + (double) (t - frame->t0) / (double) span * area->size.width;
      g_autofree char *text = _obd_chart_format_time (frame->time_labels, t, step,
                                                      frame->time_origin, frame->newest);
      PangoLayout *layout = _obd_chart_layer_get_layout (layer, widget, text, FALSE);
      PangoRectangle rect;
      double left;

      _obd_chart_append_vline (snapshot, round (x), area->origin.y,
                               area->origin.y + area->size.height, &grid);

      /* Skipped where it would collide with the previous label. */
      pango_layout_get_pixel_extents (layout, NULL, &rect);
      left = CLAMP (x - rect.width / 2.0, area->origin.x - frame->label_width,
                    width - rect.width - 1.0);
      if (left < last_right + PAD)
        continue;
      _obd_chart_append_layout (snapshot, layout, left,
                                area->origin.y + area->size.height + PAD / 2, &dim);
      last_right = left + rect.width;
    }
}

static void
obd_chart_time_axis_class_init (ObdChartTimeAxisClass *klass)
{
  OBD_CHART_LAYER_CLASS (klass)->snapshot = obd_chart_time_axis_snapshot;
}

static void
obd_chart_time_axis_init (ObdChartTimeAxis *self)
{
}

ObdChartLayer *
_obd_chart_time_axis_new (void)
{
  return g_object_new (OBD_TYPE_CHART_TIME_AXIS, NULL);
}
