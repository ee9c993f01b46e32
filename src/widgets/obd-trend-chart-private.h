/* obd-trend-chart-private.h — the series store behind ObdTrendChart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared with tests and the benchmark, which check the min/max reduction
 * against a brute-force scan and compare both drawing paths.
 */
#pragma once

#include "obd-trend-chart.h"

G_BEGIN_DECLS

typedef struct _ObdSeriesData ObdSeriesData;

ObdSeriesData *_obd_series_data_new        (void);
void           _obd_series_data_free       (ObdSeriesData *data);
void           _obd_series_data_clear      (ObdSeriesData *data);
void           _obd_series_data_append     (ObdSeriesData *data,
                                            gint64         time_us,
                                            double         value);
gsize          _obd_series_data_get_length (ObdSeriesData *data);
const gint64  *_obd_series_data_get_times  (ObdSeriesData *data);
const double  *_obd_series_data_get_values (ObdSeriesData *data);

/* Index of the first sample at or after @time_us (the length if none). */
gsize          _obd_series_data_lower_bound (ObdSeriesData *data,
                                             gint64         time_us);
/* Min and max of samples [begin, end) through the pyramid; FALSE if empty. */
gboolean       _obd_series_data_range      (ObdSeriesData *data,
                                            gsize          begin,
                                            gsize          end,
                                            double        *out_min,
                                            double        *out_max);
/* Per-column min, max, first and last value over [t0, t1); the outputs
 * other than @out_min and @out_max may be NULL. */
void           _obd_series_data_reduce     (ObdSeriesData *data,
                                            gint64         t0,
                                            gint64         t1,
                                            guint          n_columns,
                                            double        *out_min,
                                            double        *out_max,
                                            double        *out_first,
                                            double        *out_last);

/* The left edge of column @column when [t0, t1) is cut into @n_columns. */
gint64         _obd_trend_chart_column_edge (gint64 t0,
                                             gint64 t1,
                                             guint  n_columns,
                                             guint  column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSeriesData, _obd_series_data_free)

/* The time under widget x coordinate @x, after the last allocation. */
gint64         _obd_trend_chart_time_at_x  (ObdTrendChart *self,
                                            double         x);
/* The cursor readout as drawn, one line per visible series; NULL when the
 * cursor is hidden. */
char          *_obd_trend_chart_dup_readout (ObdTrendChart *self);
/* The accessible description, computed now. */
char          *_obd_trend_chart_dup_description (ObdTrendChart *self);

G_END_DECLS
