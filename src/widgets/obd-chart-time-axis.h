/* obd-chart-time-axis.h — the shared time scale under a trend chart's panels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-chart-layer.h"

G_BEGIN_DECLS

#define OBD_TYPE_CHART_TIME_AXIS (obd_chart_time_axis_get_type ())
G_DECLARE_FINAL_TYPE (ObdChartTimeAxis, obd_chart_time_axis, OBD, CHART_TIME_AXIS,
                      ObdChartLayer)

ObdChartLayer *_obd_chart_time_axis_new     (void);
/* The tick spacing for a window of span_us drawn width pixels wide: a
 * label about every 100 px. */
gint64         _obd_chart_time_axis_step    (gint64 span_us,
                                             double width);

G_END_DECLS
