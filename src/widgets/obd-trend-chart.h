/* obd-trend-chart.h — a multi-series time chart for live and recorded data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OBD_TYPE_TREND_CHART (obd_trend_chart_get_type ())
G_DECLARE_FINAL_TYPE (ObdTrendChart, obd_trend_chart, OBD, TREND_CHART, GtkWidget)

GtkWidget *obd_trend_chart_new                   (void);

/* Series.  @id 0 picks a free id; @color NULL picks one from the palette.
 * Returns the series id, or 0 when @id is already taken. */
guint      obd_trend_chart_add_series            (ObdTrendChart *self,
                                                  guint          id,
                                                  const char    *label,
                                                  const char    *unit,
                                                  const GdkRGBA *color);
void       obd_trend_chart_remove_series         (ObdTrendChart *self,
                                                  guint          series_id);
guint      obd_trend_chart_get_n_series          (ObdTrendChart *self);

/* Data.  Times are in microseconds on any monotonic clock shared by all
 * series; samples normally arrive in time order (out-of-order ones are
 * sorted in, at a cost).  Non-finite values are ignored. */
void       obd_trend_chart_append                (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gint64         time_us,
                                                  double         value);
void       obd_trend_chart_append_many           (ObdTrendChart *self,
                                                  guint          series_id,
                                                  const gint64  *times_us,
                                                  const double  *values,
                                                  gsize          n_values);
void       obd_trend_chart_clear                 (ObdTrendChart *self);
gsize      obd_trend_chart_get_n_samples         (ObdTrendChart *self,
                                                  guint          series_id);
gboolean   obd_trend_chart_get_latest            (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gint64        *time_us,
                                                  double        *value);
/* The sample nearest to @time_us. */
gboolean   obd_trend_chart_lookup                (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gint64         time_us,
                                                  gint64        *sample_time_us,
                                                  double        *value);

/* Visible window: [end-time − time-span, end-time). */
gint64     obd_trend_chart_get_time_span         (ObdTrendChart *self);
void       obd_trend_chart_set_time_span         (ObdTrendChart *self,
                                                  gint64         time_span_us);
gint64     obd_trend_chart_get_end_time          (ObdTrendChart *self);
void       obd_trend_chart_set_end_time          (ObdTrendChart *self,
                                                  gint64         end_time_us);
gboolean   obd_trend_chart_get_live_follow       (ObdTrendChart *self);
void       obd_trend_chart_set_live_follow       (ObdTrendChart *self,
                                                  gboolean       live_follow);

/* Per-series vertical scaling: automatic from the visible data, or fixed. */
void       obd_trend_chart_set_series_range      (ObdTrendChart *self,
                                                  guint          series_id,
                                                  double         min_value,
                                                  double         max_value);
void       obd_trend_chart_set_series_auto_range (ObdTrendChart *self,
                                                  guint          series_id);
/* The range in effect for the current window (auto ranges are padded and
 * rounded to whole grid steps); returns TRUE when it is a fixed range. */
gboolean   obd_trend_chart_get_series_range      (ObdTrendChart *self,
                                                  guint          series_id,
                                                  double        *min_value,
                                                  double        *max_value);
void       obd_trend_chart_set_series_visible    (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gboolean       visible);
gboolean   obd_trend_chart_get_series_visible    (ObdTrendChart *self,
                                                  guint          series_id);
/* The series whose y axis is labelled; 0 means the first visible one. */
guint      obd_trend_chart_get_selected_series   (ObdTrendChart *self);
void       obd_trend_chart_set_selected_series   (ObdTrendChart *self,
                                                  guint          series_id);

/* The cursor: a time under the pointer (or moved with the keyboard). */
gboolean   obd_trend_chart_get_cursor_time       (ObdTrendChart *self,
                                                  gint64        *time_us);
void       obd_trend_chart_set_cursor_time       (ObdTrendChart *self,
                                                  gint64         time_us);
void       obd_trend_chart_hide_cursor           (ObdTrendChart *self);
gboolean   obd_trend_chart_get_cursor_value      (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gint64        *sample_time_us,
                                                  double        *value);

/* Min/max of one series in each of @n_columns equal slices of [t0, t1);
 * slices without samples get NaN.  This is what one frame draws. */
gboolean   obd_trend_chart_reduce                (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gint64         t0,
                                                  gint64         t1,
                                                  guint          n_columns,
                                                  double        *out_min,
                                                  double        *out_max);

G_END_DECLS
