/* obd-chart-value-axis.h — a panel's value scale: grid, numbers and unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-chart-layer.h"

G_BEGIN_DECLS

#define OBD_TYPE_CHART_VALUE_AXIS (obd_chart_value_axis_get_type ())
G_DECLARE_FINAL_TYPE (ObdChartValueAxis, obd_chart_value_axis, OBD, CHART_VALUE_AXIS,
                      ObdChartLayer)

ObdChartLayer *_obd_chart_value_axis_new      (void);
/* The unit every series of the panel is in ("" for none). */
void           _obd_chart_value_axis_set_unit (ObdChartValueAxis *self,
                                               const char        *unit);

/* The text of the tick labels of [lo, hi] every step, for measuring and
 * for tests: "0", "2000", ... */
GPtrArray     *_obd_chart_value_axis_dup_labels (double lo,
                                                 double hi,
                                                 double step);

G_END_DECLS
