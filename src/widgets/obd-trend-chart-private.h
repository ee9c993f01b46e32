/* obd-trend-chart-private.h — internals of ObdTrendChart shared by its files,
 * its tests and its benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chart is split by job: the series store (obd-trend-chart-data.c),
 * per-column reduction kept between frames (obd-chart-columns.c), the
 * series (obd-chart-series.c), the layers that draw (obd-chart-layer.c and
 * its line, value-axis, time-axis and legend subclasses), scales and
 * labels (obd-chart-scale.c), the widget's series API
 * (obd-trend-chart-series.c), its cursor (obd-trend-chart-cursor.c), its
 * pointer and keyboard input (obd-trend-chart-input.c), and the widget
 * that lays the panels out (obd-trend-chart.c).
 */
#pragma once

#include "obd-trend-chart.h"

G_BEGIN_DECLS

/* ---- the series store (obd-trend-chart-data.c) ---- */

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
/* Changes whenever samples change other than by appending in time order
 * (a clear, a late sample sorted in): cached reductions are then void. */
guint          _obd_series_data_get_generation (ObdSeriesData *data);

/* Index of the first sample at or after @time_us (the length if none). */
gsize          _obd_series_data_lower_bound (ObdSeriesData *data,
                                             gint64         time_us);
/* The same, searching from index @from on (galloping: cheap when the
 * answer is near). */
gsize          _obd_series_data_lower_bound_from (ObdSeriesData *data,
                                                  gsize          from,
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

/* ---- the widget ---- */

/* One panel of the last layout: the visible series of one unit. */
typedef struct
{
  graphene_rect_t  area;
  const char      *unit;      /* of its first series, borrowed */
  double           lo;
  double           hi;
  double           step;
} ObdChartPanel;

struct _ObdTrendChart
{
  GtkWidget                parent_instance;

  GPtrArray               *series;       /* ObdChartSeries, in the order added */
  GPtrArray               *lines;        /* ObdChartLineLayer, one a series, same order */
  GPtrArray               *axes;         /* ObdChartValueAxis, one a panel */
  gpointer                 time_axis;    /* ObdChartTimeAxis */
  gpointer                 legend;       /* ObdChartLegend */

  gint64                   time_span;
  gint64                   end_time;
  guint                    selected_series;
  gboolean                 live_follow;
  ObdTrendChartDecimation  decimation;
  ObdTrendChartTimeLabels  time_labels;
  gint64                   time_origin;

  gboolean                 cursor_visible;
  gint64                   cursor_time;

  /* Layout: the plot is every panel together; recomputed each frame. */
  graphene_rect_t          plot;
  GArray                  *panels;       /* ObdChartPanel */
  GArray                  *panel_of;     /* int, the panel of each series or -1 */
  double                   line_height;  /* of the label font, 0 when stale */
  double                   label_width;
  double                   legend_height;

  /* Gesture state (obd-trend-chart-input.c). */
  gint64                   drag_begin_end;
  gboolean                 dragging;
  gint64                   zoom_begin_span;
  gint64                   zoom_begin_end;
  gint64                   zoom_anchor;

  guint                    a11y_source;
  char                    *a11y_description;
};

/* The time under widget x coordinate @x, after the last allocation. */
gint64         _obd_trend_chart_time_at_x  (ObdTrendChart *self,
                                            double         x);
/* The cursor readout as drawn, one line per visible series; NULL when the
 * cursor is hidden. */
char          *_obd_trend_chart_dup_readout (ObdTrendChart *self);
/* The accessible description, computed now. */
char          *_obd_trend_chart_dup_description (ObdTrendChart *self);
/* The panels of the last layout, and the panel each series is in (by
 * series id; -1 when hidden or unknown). */
const ObdChartPanel *_obd_trend_chart_get_panels (ObdTrendChart *self,
                                                  guint         *n_panels);
int            _obd_trend_chart_get_series_panel (ObdTrendChart *self,
                                                  guint          series_id);
/* Lays the panels out for a widget of this size now (tests call it
 * without a window). */
void           _obd_trend_chart_layout     (ObdTrendChart *self,
                                            int            width,
                                            int            height);
/* How many pixel columns the series' line layer reduced anew in the last
 * frame (a scrolling live chart reduces only what scrolled in). */
guint          _obd_trend_chart_get_last_recomputed (ObdTrendChart *self,
                                                     guint          series_id);

/* Used by the input handlers. */
void           _obd_trend_chart_set_end_time_internal (ObdTrendChart *self,
                                                       gint64         end_time);
void           _obd_trend_chart_pan        (ObdTrendChart *self,
                                            gint64         delta_us);
void           _obd_trend_chart_zoom_around (ObdTrendChart *self,
                                             gint64         anchor,
                                             double         factor);
gboolean       _obd_trend_chart_get_earliest (ObdTrendChart *self,
                                              gint64        *out_time);
/* The visible series after the selected one, wrapping; 0 when none. */
guint          _obd_trend_chart_next_visible_series (ObdTrendChart *self);

/* Shared by the chart's files. */
typedef struct _ObdChartSeries ObdChartSeries;

int             _obd_trend_chart_find_index    (ObdTrendChart *self,
                                                guint          id);
ObdChartSeries *_obd_trend_chart_find_series   (ObdTrendChart *self,
                                                guint          id);
/* The selected series if visible, else the first visible one. */
ObdChartSeries *_obd_trend_chart_get_selected  (ObdTrendChart *self);
/* The newest sample of any series. */
gboolean        _obd_trend_chart_get_newest    (ObdTrendChart *self,
                                                gint64        *out_time);
double          _obd_trend_chart_x_at_time     (ObdTrendChart *self,
                                                gint64         time_us);
/* "1726 rpm", or the bare number for a series without a unit. */
char           *_obd_trend_chart_format_value  (ObdChartSeries *series,
                                                double          value);
/* Samples changed: follow, redraw, tell assistive technologies soon. */
void            _obd_trend_chart_data_changed  (ObdTrendChart *self);
/* Series, units or visibility changed: the panels and the legend's rows,
 * so the height asked for, may change. */
void            _obd_trend_chart_series_changed (ObdTrendChart *self);
/* obd-trend-chart-cursor.c: the cursor line, dots and readout. */
void            _obd_trend_chart_draw_cursor   (ObdTrendChart *self,
                                                GtkSnapshot   *snapshot,
                                                const GdkRGBA *fg,
                                                const GdkRGBA *bg);

/* obd-trend-chart-input.c */
void           _obd_trend_chart_class_init_input (GtkWidgetClass *widget_class);
void           _obd_trend_chart_init_input       (ObdTrendChart  *self);

G_END_DECLS
