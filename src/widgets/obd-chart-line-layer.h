/* obd-chart-line-layer.h — a series drawn as a line over its pixel columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-chart-layer.h"
#include "obd-chart-series.h"

G_BEGIN_DECLS

#define OBD_TYPE_CHART_LINE_LAYER (obd_chart_line_layer_get_type ())
G_DECLARE_FINAL_TYPE (ObdChartLineLayer, obd_chart_line_layer, OBD, CHART_LINE_LAYER,
                      ObdChartLayer)

ObdChartLayer  *_obd_chart_line_layer_new          (ObdChartSeries    *series);
ObdChartSeries *_obd_chart_line_layer_get_series   (ObdChartLineLayer *self);
/* The selected series is drawn thicker. */
void            _obd_chart_line_layer_set_selected (ObdChartLineLayer *self,
                                                    gboolean           selected);
/* How many columns the last frame reduced anew (for tests). */
guint           _obd_chart_line_layer_get_last_recomputed (ObdChartLineLayer *self);

G_END_DECLS
