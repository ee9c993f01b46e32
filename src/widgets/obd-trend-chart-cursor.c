/* obd-trend-chart-cursor.c — the cursor of a trend chart and its readout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A line at the cursor's time through every panel, a dot where it meets
 * each series, and a box with the time and each series' value there.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-chart-layer.h"
#include "obd-chart-series.h"
#include "obd-trend-chart-private.h"

#define CURSOR_STEPS 100
#define PAD          8.0

char *
_obd_trend_chart_dup_readout (ObdTrendChart *self)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *when = NULL;
  gint64 latest;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), NULL);

  if (!self->cursor_visible)
    return NULL;

  if (!_obd_trend_chart_get_newest (self, &latest))
    latest = self->end_time;
  when = _obd_chart_format_time (self->time_labels, self->cursor_time,
                                 MAX (self->time_span / CURSOR_STEPS, 1), self->time_origin,
                                 latest);
  text = g_string_new (when);
  for (guint i = 0; i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);
      g_autofree char *value = NULL;
      double v;

      if (!_obd_chart_series_get_visible (series)
          || !_obd_chart_series_nearest (series, self->cursor_time, NULL, &v))
        continue;
      value = _obd_trend_chart_format_value (series, v);
      g_string_append_c (text, '\n');
      /* Translators: one line of the chart cursor readout: series label
       * and value, e.g. "Engine speed: 1726 rpm" */
      g_string_append_printf (text, _("%1$s: %2$s"), _obd_chart_series_get_label (series), value);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
draw_readout (ObdTrendChart *self,
              GtkSnapshot   *snapshot,
              double         cursor_x,
              const GdkRGBA *fg)
{
  g_autofree char *text = _obd_trend_chart_dup_readout (self);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) layouts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) colors = g_ptr_array_new ();
  double swatch = self->line_height * 0.6;
  double width = 0, height = 0, x, y;
  GdkRGBA bg, border = *fg;
  GskRoundedRect box;
  guint series_index = 0;

  if (text == NULL)
    return;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      PangoLayout *layout = _obd_chart_create_layout (GTK_WIDGET (self), lines[i], i == 0);
      PangoRectangle rect;

      pango_layout_get_pixel_extents (layout, NULL, &rect);
      width = MAX (width, rect.width + (i > 0 ? swatch + 6 : 0));
      height += self->line_height;
      g_ptr_array_add (layouts, layout);
    }
  for (guint i = 0; i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);

      if (_obd_chart_series_get_visible (series) && _obd_chart_series_latest (series, NULL, NULL))
        g_ptr_array_add (colors, (gpointer) _obd_chart_series_get_color (series));
    }

  width += 2 * PAD;
  height += PAD;
  x = cursor_x + PAD;
  if (x + width > self->plot.origin.x + self->plot.size.width)
    x = cursor_x - PAD - width;
  x = MAX (x, 0.0);
  y = self->plot.origin.y + PAD;

  _obd_chart_lookup_color (GTK_WIDGET (self), "popover_bg_color", "#ffffff", &bg);
  bg.alpha = 0.95f;
  border.alpha *= 0.2f;
  gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT ((float) x, (float) y,
                                                              (float) width, (float) height), 6.0f);
  gtk_snapshot_push_rounded_clip (snapshot, &box);
  gtk_snapshot_append_color (snapshot, &bg, &box.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &box, (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { border, border, border, border });

  for (guint i = 0; i < layouts->len; i++)
    {
      double row_y = y + PAD / 2 + i * self->line_height;
      double text_x = x + PAD;

      if (i > 0 && series_index < colors->len)
        {
          const GdkRGBA *color = g_ptr_array_index (colors, series_index++);
          GskRoundedRect dot;

          gsk_rounded_rect_init_from_rect (&dot,
                                           &GRAPHENE_RECT_INIT ((float) text_x,
                                                                (float) (row_y + (self->line_height
                                                                                  - swatch) / 2),
                                                                (float) swatch, (float) swatch),
                                           (float) swatch / 2);
          gtk_snapshot_push_rounded_clip (snapshot, &dot);
          gtk_snapshot_append_color (snapshot, color, &dot.bounds);
          gtk_snapshot_pop (snapshot);
          text_x += swatch + 6;
        }
      _obd_chart_append_layout (snapshot, g_ptr_array_index (layouts, i), text_x, row_y, fg);
    }
}

/* A line through every panel and a dot on each series. */
static void
draw_cursor_line (ObdTrendChart *self,
             GtkSnapshot   *snapshot,
             const GdkRGBA *fg,
             const GdkRGBA *bg)
{
  double x = _obd_trend_chart_x_at_time (self, self->cursor_time);
  GdkRGBA line = *fg;

  line.alpha *= 0.5f;
  _obd_chart_append_vline (snapshot, round (x), self->plot.origin.y,
                           self->plot.origin.y + self->plot.size.height, &line);

  for (guint i = 0; i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);
      int p = g_array_index (self->panel_of, int, i);
      const ObdChartPanel *panel;
      GskRoundedRect dot;
      gint64 st;
      double sv, cx, cy;

      if (p < 0 || !_obd_chart_series_nearest (series, self->cursor_time, &st, &sv))
        continue;
      panel = &g_array_index (self->panels, ObdChartPanel, p);
      cx = _obd_trend_chart_x_at_time (self, st);
      cy = panel->area.origin.y + panel->area.size.height * (1.0 - (sv - panel->lo) /
                                                                 (panel->hi - panel->lo));
      if (cy < panel->area.origin.y || cy > panel->area.origin.y + panel->area.size.height)
        continue;
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT ((float) cx - 4, (float) cy - 4,
                                                                  8, 8), 4);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, _obd_chart_series_get_color (series), &dot.bounds);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_append_border (snapshot, &dot, (float[4]) { 1.5f, 1.5f, 1.5f, 1.5f },
                                  (GdkRGBA[4]) { *bg, *bg, *bg, *bg });
    }
}

void
_obd_trend_chart_draw_cursor (ObdTrendChart *self,
                              GtkSnapshot   *snapshot,
                              const GdkRGBA *fg,
                              const GdkRGBA *bg)
{
  draw_cursor_line (self, snapshot, fg, bg);
  draw_readout (self, snapshot, _obd_trend_chart_x_at_time (self, self->cursor_time), fg);
}
