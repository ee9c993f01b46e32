/* obd-chart-scale.h — numbers and times on a chart's axes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions shared by the trend chart's axes, legend and readout:
 * round tick steps, padded value ranges, and the text of values and times.
 * Private to src/widgets.
 */
#pragma once

#include "obd-trend-chart.h"

G_BEGIN_DECLS

/* 1, 2, 2.5 or 5 times a power of ten, at least x. */
double  _obd_chart_nice_step        (double   x);
/* A time step at least at_least_us long that reads well: 1-2-5 below ten
 * seconds, then 15 s, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h,
 * days. */
gint64  _obd_chart_nice_time_step   (gint64   at_least_us);
/* Decimal places for labels spaced step apart. */
int     _obd_chart_digits_for_step  (double   step);

/* The range an axis shows for data in [lo, hi] (NaN: no data): padded by
 * 5 %, widened to whole steps of about a quarter of it; a flat line gets
 * room around it.  Writes the range and its tick step. */
void    _obd_chart_auto_range       (double   lo,
                                     double   hi,
                                     double  *out_lo,
                                     double  *out_hi,
                                     double  *out_step);

/* Fixed precision, no "-0", a real minus sign (U+2212). */
char   *_obd_chart_format_number    (double   value,
                                     int      digits);
/* Enough digits for a reading: 1726, 90.5, 12.45. */
char   *_obd_chart_format_reading   (double   value);

/* The first tick at or after t0 for ticks every step (a step of a whole
 * number of minutes, hours or days falls on the local clock's minutes,
 * hours or midnight when mode is CLOCK; on origin + k × step when ELAPSED;
 * on newest − k × step when RELATIVE). */
gint64  _obd_chart_first_tick       (ObdTrendChartTimeLabels mode,
                                     gint64                  t0,
                                     gint64                  step,
                                     gint64                  origin,
                                     gint64                  newest);
/* The label of a tick or of the cursor at time t, spaced resolution_us
 * apart: "−2:30" / "−12 s" (RELATIVE to newest), "1:02:03" / "45 s"
 * (ELAPSED since origin), "14:05:30" / "14:05" (CLOCK). */
char   *_obd_chart_format_time      (ObdTrendChartTimeLabels mode,
                                     gint64                  t,
                                     gint64                  resolution_us,
                                     gint64                  origin,
                                     gint64                  newest);

G_END_DECLS
