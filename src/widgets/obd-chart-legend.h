/* obd-chart-legend.h — which colour is which series, and its latest value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-chart-layer.h"
#include "obd-chart-series.h"

G_BEGIN_DECLS

#define OBD_TYPE_CHART_LEGEND (obd_chart_legend_get_type ())
G_DECLARE_FINAL_TYPE (ObdChartLegend, obd_chart_legend, OBD, CHART_LEGEND, ObdChartLayer)

ObdChartLayer *_obd_chart_legend_new        (void);
/* series: ObdChartSeries, borrowed until the next call. */
void           _obd_chart_legend_set_series (ObdChartLegend *self,
                                             GPtrArray      *series,
                                             guint           selected_id);
/* The height the legend needs at this width: entries wrap onto as many
 * rows as they need, so none is ever cut off. */
double         _obd_chart_legend_measure    (ObdChartLegend *self,
                                             GtkWidget      *widget,
                                             double          width);
/* The rows the last measure or snapshot laid the entries out in. */
guint          _obd_chart_legend_get_n_rows (ObdChartLegend *self);

G_END_DECLS
