/* obd-trend-chart.h — a multi-series time chart for live and recorded data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How the time axis and the cursor name a moment. */
typedef enum
{
  OBD_TREND_CHART_TIME_RELATIVE = 0,  /* before the newest sample, "−30 s": live */
  OBD_TREND_CHART_TIME_ELAPSED,       /* since "time-origin", "12:30": a replay
                                       * from its session's start */
  OBD_TREND_CHART_TIME_CLOCK,         /* the local time of day, "14:05:30", for
                                       * wall-clock times (g_get_real_time ()) */
} ObdTrendChartTimeLabels;

#define OBD_TYPE_TREND_CHART_TIME_LABELS (obd_trend_chart_time_labels_get_type ())
GType obd_trend_chart_time_labels_get_type (void) G_GNUC_CONST;

/* How a frame reduces each series to pixel columns.  CACHED (the default)
 * keeps the columns between frames and reduces only those that changed;
 * LINEAR walks every visible sample each frame, the simple alternative a
 * benchmark compares with. */
typedef enum
{
  OBD_TREND_CHART_DECIMATION_CACHED = 0,
  OBD_TREND_CHART_DECIMATION_LINEAR,
} ObdTrendChartDecimation;

#define OBD_TYPE_TREND_CHART_DECIMATION (obd_trend_chart_decimation_get_type ())
GType obd_trend_chart_decimation_get_type (void) G_GNUC_CONST;

#define OBD_TYPE_TREND_CHART (obd_trend_chart_get_type ())
G_DECLARE_FINAL_TYPE (ObdTrendChart, obd_trend_chart, OBD, TREND_CHART, GtkWidget)

GtkWidget *obd_trend_chart_new                   (void);

/* Series.  @id 0 picks a free id; @color NULL picks the colour of the id
 * (ids are usually Mode 01 PIDs: a PID keeps its colour in every chart).
 * Returns the series id, or 0 when @id is already taken.
 *
 * Series of the same unit share a panel with one value axis labelled in
 * that unit; panels of different units are stacked over one time axis,
 * so no series is ever drawn against another's numbers. */
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

/* Time labels (see above) and the origin ELAPSED counts from. */
ObdTrendChartTimeLabels obd_trend_chart_get_time_labels (ObdTrendChart          *self);
void       obd_trend_chart_set_time_labels        (ObdTrendChart          *self,
                                                   ObdTrendChartTimeLabels labels);
gint64     obd_trend_chart_get_time_origin        (ObdTrendChart          *self);
void       obd_trend_chart_set_time_origin        (ObdTrendChart          *self,
                                                   gint64                  origin_us);
/* The span of all samples of all series: for showing a recording whole,
 * or aligning two charts' windows.  FALSE without samples. */
gboolean   obd_trend_chart_get_data_range         (ObdTrendChart          *self,
                                                   gint64                 *first_us,
                                                   gint64                 *last_us);

/* Per-series vertical scaling: automatic from the visible data, or fixed.
 * A panel's axis covers every series in it: the union of their fixed
 * ranges and visible data. */
void       obd_trend_chart_set_series_range      (ObdTrendChart *self,
                                                  guint          series_id,
                                                  double         min_value,
                                                  double         max_value);
void       obd_trend_chart_set_series_auto_range (ObdTrendChart *self,
                                                  guint          series_id);
/* The range of the series' panel for the current window (auto ranges are
 * padded and rounded to whole grid steps); returns TRUE when the series'
 * own range is fixed. */
gboolean   obd_trend_chart_get_series_range      (ObdTrendChart *self,
                                                  guint          series_id,
                                                  double        *min_value,
                                                  double        *max_value);
void       obd_trend_chart_set_series_visible    (ObdTrendChart *self,
                                                  guint          series_id,
                                                  gboolean       visible);
gboolean   obd_trend_chart_get_series_visible    (ObdTrendChart *self,
                                                  guint          series_id);
/* The series drawn on top and named in bold; 0 means the first visible. */
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
