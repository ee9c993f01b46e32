/* obd-chart-value-axis.c — a panel's value scale: grid, numbers and unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every panel of a trend chart holds the series of one unit and is
 * labelled in that unit: no series is ever drawn against numbers that are
 * not its own.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-chart-value-axis.h"

#define PAD 8.0

struct _ObdChartValueAxis
{
  ObdChartLayer  parent_instance;

  char          *unit;
};

G_DEFINE_FINAL_TYPE (ObdChartValueAxis, obd_chart_value_axis, OBD_TYPE_CHART_LAYER)

GPtrArray *
_obd_chart_value_axis_dup_labels (double lo,
                                  double hi,
                                  double step)
{
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  int digits = _obd_chart_digits_for_step (step);

  if (!(step > 0.0) || !(hi >= lo))
    return labels;
  for (double v = ceil (lo / step - 1e-9) * step; v <= hi + step * 1e-6; v += step)
    g_ptr_array_add (labels, _obd_chart_format_number (v, digits));
  return labels;
}

static void
obd_chart_value_axis_snapshot (ObdChartLayer       *layer,
                               GtkWidget           *widget,
                               GtkSnapshot         *snapshot,
                               const ObdChartFrame *frame)
{
  ObdChartValueAxis *self = OBD_CHART_VALUE_AXIS (layer);
  const graphene_rect_t *area = &frame->area;
  GdkRGBA grid = frame->fg, dim = frame->fg;
  int digits = _obd_chart_digits_for_step (frame->step);

  if (!(frame->step > 0.0) || !(frame->hi > frame->lo))
    return;

  grid.alpha *= frame->high_contrast ? 0.35f : 0.1f;
  dim.alpha *= frame->high_contrast ? 1.0f : 0.7f;

  for (double v = ceil (frame->lo / frame->step - 1e-9) * frame->step;
       v <= frame->hi + frame->step * 1e-6; v += frame->step)
    {
      double y = area->origin.y + area->size.height * (1.0 - (v - frame->lo) /
                                                          (frame->hi - frame->lo));
      g_autofree char *text = _obd_chart_format_number (v, digits);
      PangoLayout *layout = _obd_chart_layer_get_layout (layer, widget, text, FALSE);
      PangoRectangle rect;
      double label_y;

      _obd_chart_append_hline (snapshot, area->origin.x, area->origin.x + area->size.width,
                               round (y), &grid);
      pango_layout_get_pixel_extents (layout, NULL, &rect);
      /* Centred on its line, but inside the panel: the gap above it holds
       * the unit, and stacked panels' numbers never overlap. */
      label_y = CLAMP (y - frame->line_height / 2, area->origin.y,
                       area->origin.y + area->size.height - frame->line_height);
      _obd_chart_append_layout (snapshot, layout, area->origin.x - PAD - rect.width, label_y, &dim);
    }

  /* The unit heads the panel's numbers, in the gap above it. */
  if (self->unit != NULL && *self->unit != '\0')
    {
      PangoLayout *layout = _obd_chart_layer_get_layout (layer, widget, self->unit, TRUE);
      PangoRectangle rect;

      pango_layout_get_pixel_extents (layout, NULL, &rect);
      _obd_chart_append_layout (snapshot, layout,
                                MAX (area->origin.x - PAD - rect.width, 0.0),
                                area->origin.y - frame->line_height - 1, &frame->fg);
    }
}

static void
obd_chart_value_axis_finalize (GObject *object)
{
  ObdChartValueAxis *self = OBD_CHART_VALUE_AXIS (object);

  g_free (self->unit);

  G_OBJECT_CLASS (obd_chart_value_axis_parent_class)->finalize (object);
}

static void
obd_chart_value_axis_class_init (ObdChartValueAxisClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = obd_chart_value_axis_finalize;
  OBD_CHART_LAYER_CLASS (klass)->snapshot = obd_chart_value_axis_snapshot;
}

static void
obd_chart_value_axis_init (ObdChartValueAxis *self)
{
}

ObdChartLayer *
_obd_chart_value_axis_new (void)
{
  return g_object_new (OBD_TYPE_CHART_VALUE_AXIS, NULL);
}

void
_obd_chart_value_axis_set_unit (ObdChartValueAxis *self,
                                const char        *unit)
{
  g_free (self->unit);
  self->unit = g_strdup (unit);
}
