/* obd-chart-columns.h — one series reduced to pixel columns, kept between frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A frame draws each series as the min, max and last value of every device
 * pixel column.  The columns are aligned to absolute time (column k covers
 * [k × w, (k + 1) × w) for a column width w = span / width), so as a live
 * chart scrolls, the columns it showed last frame are still the same
 * columns: only those that new samples fell into, and those scrolled in,
 * are reduced again — through the min/max pyramid of obd-trend-chart-data.c,
 * O(log n) each.  A frame then costs in proportion to the width, whatever
 * the number of samples, and hardly more than drawing.
 *
 * The LINEAR strategy recomputes every column each frame by walking every
 * visible sample: the simple correct alternative a benchmark compares
 * with (tests/bench/bench-trend-chart.c).  Private to src/widgets.
 */
#pragma once

#include "obd-trend-chart-private.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_CHART_COLUMNS_CACHED = 0,
  OBD_CHART_COLUMNS_LINEAR,
} ObdChartColumnsStrategy;

typedef struct _ObdChartColumns ObdChartColumns;

ObdChartColumns *_obd_chart_columns_new     (void);
void             _obd_chart_columns_free    (ObdChartColumns         *columns);
/* Forgets everything (e.g. the data was cleared). */
void             _obd_chart_columns_reset   (ObdChartColumns         *columns);

/* Brings columns [first, first + n) of width column_us up to date with
 * data and returns how many columns were reduced anew (for tests).  Then
 * min, max and last of column first + i are at index i of the arrays
 * below; NaN in all three for a column without samples. */
guint            _obd_chart_columns_update  (ObdChartColumns         *columns,
                                             ObdSeriesData           *data,
                                             ObdChartColumnsStrategy  strategy,
                                             double                  column_us,
                                             gint64                  first,
                                             guint                   n);
const double    *_obd_chart_columns_get_min  (ObdChartColumns        *columns);
const double    *_obd_chart_columns_get_max  (ObdChartColumns        *columns);
const double    *_obd_chart_columns_get_last (ObdChartColumns        *columns);

/* The left edge of absolute column k, in microseconds. */
gint64           _obd_chart_column_start     (double                  column_us,
                                              gint64                  k);
/* The absolute column that time t falls into. */
gint64           _obd_chart_column_at        (double                  column_us,
                                              gint64                  t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdChartColumns, _obd_chart_columns_free)

G_END_DECLS
