/* obd-chart-series.h — one series of a trend chart: its samples and looks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to src/widgets: ObdTrendChart's public API names series by id.
 */
#pragma once

#include <gtk/gtk.h>

#include "obd-chart-columns.h"

G_BEGIN_DECLS

#define OBD_TYPE_CHART_SERIES (obd_chart_series_get_type ())
G_DECLARE_FINAL_TYPE (ObdChartSeries, obd_chart_series, OBD, CHART_SERIES, GObject)

/* color NULL: the palette colour of the id (_obd_chart_series_color_for_id). */
ObdChartSeries  *_obd_chart_series_new             (guint           id,
                                                    const char     *label,
                                                    const char     *unit,
                                                    const GdkRGBA  *color);
guint            _obd_chart_series_get_id          (ObdChartSeries *self);
const char      *_obd_chart_series_get_label       (ObdChartSeries *self);
/* "" when the series has no unit. */
const char      *_obd_chart_series_get_unit        (ObdChartSeries *self);
const GdkRGBA   *_obd_chart_series_get_color       (ObdChartSeries *self);
gboolean         _obd_chart_series_get_visible     (ObdChartSeries *self);
gboolean         _obd_chart_series_set_visible     (ObdChartSeries *self,
                                                    gboolean        visible);
ObdSeriesData   *_obd_chart_series_get_data        (ObdChartSeries *self);
ObdChartColumns *_obd_chart_series_get_columns     (ObdChartSeries *self);

void             _obd_chart_series_set_fixed_range (ObdChartSeries *self,
                                                    double          min_value,
                                                    double          max_value);
void             _obd_chart_series_set_auto_range  (ObdChartSeries *self);
gboolean         _obd_chart_series_get_fixed_range (ObdChartSeries *self,
                                                    double         *min_value,
                                                    double         *max_value);
/* Min and max of the samples in [t0, t1], or of all samples when none is
 * in the window; FALSE without samples. */
gboolean         _obd_chart_series_data_range      (ObdChartSeries *self,
                                                    gint64          t0,
                                                    gint64          t1,
                                                    double         *out_min,
                                                    double         *out_max);
/* The sample nearest to time_us (ties to the earlier one). */
gboolean         _obd_chart_series_nearest         (ObdChartSeries *self,
                                                    gint64          time_us,
                                                    gint64         *out_time,
                                                    double         *out_value);
gboolean         _obd_chart_series_latest          (ObdChartSeries *self,
                                                    gint64         *out_time,
                                                    double         *out_value);

/* The colour a series of this id gets: ids are usually Mode 01 PIDs, so a
 * PID keeps its colour in every chart and every session — the common
 * dashboard PIDs each have a colour of their own, others share the
 * palette by id. */
void             _obd_chart_series_color_for_id    (guint           id,
                                                    GdkRGBA        *out);

G_END_DECLS
