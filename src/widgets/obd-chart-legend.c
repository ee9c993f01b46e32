/* obd-chart-legend.c — which colour is which series, and its latest value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Entries flow left to right and wrap; each keeps room for a value of
 * four digits and a decimal, so the rows do not reflow while the values
 * change.  A hidden series shows a hollow swatch.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-chart-legend.h"

#define PAD 8.0
#define GAP 6.0

struct _ObdChartLegend
{
  ObdChartLayer  parent_instance;

  GPtrArray     *series;      /* ObdChartSeries, borrowed */
  guint          selected;
  guint          n_rows;
  double         line_height; /* of the label font; 0 when fonts changed */
};

G_DEFINE_FINAL_TYPE (ObdChartLegend, obd_chart_legend, OBD_TYPE_CHART_LAYER)

/* "Engine speed", and "1726 rpm" when there is a value. */
static char *
value_text (ObdChartSeries *series)
{
  g_autofree char *number = NULL;
  double v;

  if (!_obd_chart_series_latest (series, NULL, &v))
    return NULL;
  number = _obd_chart_format_reading (v);
  if (*_obd_chart_series_get_unit (series) == '\0')
    return g_steal_pointer (&number);
  /* Translators: a value and its unit in a chart legend, "1726 rpm" */
  return g_strdup_printf (_("%1$s %2$s"), number, _obd_chart_series_get_unit (series));
}

/* Width of one entry: swatch, label, and room for its value. */
static double
entry_width (ObdChartLegend *self,
             GtkWidget      *widget,
             ObdChartSeries *series,
             double          swatch)
{
  ObdChartLayer *layer = OBD_CHART_LAYER (self);
  g_autofree char *value = value_text (series);
  g_autofree char *room = NULL;
  PangoRectangle label_rect, value_rect, room_rect;
  gboolean bold = _obd_chart_series_get_id (series) == self->selected;

  pango_layout_get_pixel_extents (_obd_chart_layer_get_layout (layer, widget,
                                                               _obd_chart_series_get_label (series),
                                                               bold),
                                  NULL, &label_rect);
  room = g_strdup_printf ("−0000.0 %s", _obd_chart_series_get_unit (series));
  pango_layout_get_pixel_extents (_obd_chart_layer_get_layout (layer, widget, room, FALSE),
                                  NULL, &room_rect);
  value_rect.width = 0;
  if (value != NULL)
    pango_layout_get_pixel_extents (_obd_chart_layer_get_layout (layer, widget, value, FALSE),
                                    NULL, &value_rect);
  return swatch + GAP + label_rect.width + GAP + MAX (room_rect.width, value_rect.width);
}

static double
line_height (ObdChartLegend *self,
             GtkWidget      *widget)
{
  if (self->line_height <= 0.0)
    {
      PangoRectangle rect;

      pango_layout_get_pixel_extents (_obd_chart_layer_get_layout (OBD_CHART_LAYER (self), widget,
                                                                   "Hg", FALSE),
                                      NULL, &rect);
      self->line_height = MAX (rect.height, 1);
    }
  return self->line_height;
}

static void
obd_chart_legend_style_changed (ObdChartLayer *layer)
{
  OBD_CHART_LEGEND (layer)->line_height = 0.0;
}

double
_obd_chart_legend_measure (ObdChartLegend *self,
                           GtkWidget      *widget,
                           double          width)
{
  double lh = line_height (self, widget);
  double swatch = lh * 0.6;
  double x = 0;
  guint rows = 0;

  for (guint i = 0; self->series != NULL && i < self->series->len; i++)
    {
      double w = entry_width (self, widget, g_ptr_array_index (self->series, i), swatch);

      if (rows == 0 || (x > 0 && x + w > width))
        {
          rows++;
          x = 0;
        }
      x += w + 2 * PAD;
    }
  self->n_rows = rows;
  return rows > 0 ? rows * lh + PAD / 2 : 0.0;
}

static void
obd_chart_legend_snapshot (ObdChartLayer       *layer,
                           GtkWidget           *widget,
                           GtkSnapshot         *snapshot,
                           const ObdChartFrame *frame)
{
  ObdChartLegend *self = OBD_CHART_LEGEND (layer);
  double lh = frame->line_height;
  double swatch = lh * 0.6;
  double x = 0, y = frame->area.origin.y;
  GdkRGBA dim = frame->fg;
  guint rows = 0;

  dim.alpha *= 0.5f;
  for (guint i = 0; self->series != NULL && i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);
      gboolean visible = _obd_chart_series_get_visible (series);
      const GdkRGBA *color = _obd_chart_series_get_color (series);
      gboolean bold = _obd_chart_series_get_id (series) == self->selected;
      double w = entry_width (self, widget, series, swatch);
      g_autofree char *value = value_text (series);
      PangoLayout *label = _obd_chart_layer_get_layout (layer, widget,
                                                        _obd_chart_series_get_label (series), bold);
      PangoRectangle rect;
      GskRoundedRect dot;
      double left;

      if (rows == 0 || (x > 0 && x + w > frame->area.size.width))
        {
          if (rows > 0)
            y += lh;
          rows++;
          x = 0;
        }
      left = frame->area.origin.x + x;

      gsk_rounded_rect_init_from_rect (&dot,
                                       &GRAPHENE_RECT_INIT ((float) left,
                                                            (float) (y + (lh - swatch) / 2),
                                                            (float) swatch, (float) swatch),
                                       (float) swatch / 2);
      if (visible)
        {
          gtk_snapshot_push_rounded_clip (snapshot, &dot);
          gtk_snapshot_append_color (snapshot, color, &dot.bounds);
          gtk_snapshot_pop (snapshot);
        }
      else
        gtk_snapshot_append_border (snapshot, &dot, (float[4]) { 1, 1, 1, 1 },
                                    (GdkRGBA[4]) { *color, *color, *color, *color });

      _obd_chart_append_layout (snapshot, label, left + swatch + GAP, y,
                                visible ? &frame->fg : &dim);
      if (value != NULL)
        {
          pango_layout_get_pixel_extents (label, NULL, &rect);
          _obd_chart_append_layout (snapshot,
                                    _obd_chart_layer_get_layout (layer, widget, value, FALSE),
                                    left + swatch + GAP + rect.width + GAP, y,
                                    visible ? &frame->fg : &dim);
        }
      x += w + 2 * PAD;
    }
  self->n_rows = rows;
}

static void
obd_chart_legend_class_init (ObdChartLegendClass *klass)
{
  OBD_CHART_LAYER_CLASS (klass)->snapshot = obd_chart_legend_snapshot;
  OBD_CHART_LAYER_CLASS (klass)->style_changed = obd_chart_legend_style_changed;
}

static void
obd_chart_legend_init (ObdChartLegend *self)
{
}

ObdChartLayer *
_obd_chart_legend_new (void)
{
  return g_object_new (OBD_TYPE_CHART_LEGEND, NULL);
}

void
_obd_chart_legend_set_series (ObdChartLegend *self,
                              GPtrArray      *series,
                              guint           selected_id)
{
  self->series = series;
  self->selected = selected_id;
}

guint
_obd_chart_legend_get_n_rows (ObdChartLegend *self)
{
  return self->n_rows;
}
