/* obd-trend-chart-series.c — the series and samples of a trend chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ObdTrendChart's public API for its series: adding and removing them,
 * their samples, ranges, visibility and selection.  Drawing and layout are
 * in obd-trend-chart.c.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-chart-line-layer.h"
#include "obd-trend-chart-private.h"

int
_obd_trend_chart_find_index (ObdTrendChart *self,
                             guint          id)
{
  for (guint i = 0; i < self->series->len; i++)
    if (_obd_chart_series_get_id (g_ptr_array_index (self->series, i)) == id)
      return (int) i;
  return -1;
}

ObdChartSeries *
_obd_trend_chart_find_series (ObdTrendChart *self,
                              guint          id)
{
  int i = _obd_trend_chart_find_index (self, id);

  return i >= 0 ? g_ptr_array_index (self->series, i) : NULL;
}

ObdChartSeries *
_obd_trend_chart_get_selected (ObdTrendChart *self)
{
  ObdChartSeries *series = _obd_trend_chart_find_series (self, self->selected_series);

  if (series != NULL && _obd_chart_series_get_visible (series))
    return series;
  for (guint i = 0; i < self->series->len; i++)
    {
      series = g_ptr_array_index (self->series, i);
      if (_obd_chart_series_get_visible (series))
        return series;
    }
  return NULL;
}

gboolean
_obd_trend_chart_get_newest (ObdTrendChart *self,
                             gint64        *out_time)
{
  gboolean found = FALSE;
  gint64 latest = G_MININT64, t;

  for (guint i = 0; i < self->series->len; i++)
    if (_obd_chart_series_latest (g_ptr_array_index (self->series, i), &t, NULL))
      {
        latest = MAX (latest, t);
        found = TRUE;
      }
  *out_time = latest;
  return found;
}

gboolean
_obd_trend_chart_get_earliest (ObdTrendChart *self,
                               gint64        *out_time)
{
  gboolean found = FALSE;
  gint64 earliest = G_MAXINT64;

  for (guint i = 0; i < self->series->len; i++)
    {
      ObdSeriesData *data = _obd_chart_series_get_data (g_ptr_array_index (self->series, i));

      if (_obd_series_data_get_length (data) > 0)
        {
          earliest = MIN (earliest, _obd_series_data_get_times (data)[0]);
          found = TRUE;
        }
    }
  *out_time = earliest;
  return found;
}

guint
_obd_trend_chart_next_visible_series (ObdTrendChart *self)
{
  ObdChartSeries *current = _obd_trend_chart_get_selected (self);
  guint start = 0;

  if (current == NULL)
    return 0;
  for (guint i = 0; i < self->series->len; i++)
    if (g_ptr_array_index (self->series, i) == current)
      start = i;
  for (guint k = 1; k <= self->series->len; k++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, (start + k) % self->series->len);

      if (_obd_chart_series_get_visible (series))
        return _obd_chart_series_get_id (series);
    }
  return 0;
}

/* "1726 rpm", or the bare number for a series without a unit. */
char *
_obd_trend_chart_format_value (ObdChartSeries *series,
                               double          value)
{
  g_autofree char *number = _obd_chart_format_reading (value);

  if (*_obd_chart_series_get_unit (series) == '\0')
    return g_steal_pointer (&number);
  /* Translators: a value and its unit, "1726 rpm" */
  return g_strdup_printf (_("%1$s %2$s"), number, _obd_chart_series_get_unit (series));
}

guint
obd_trend_chart_add_series (ObdTrendChart *self,
                            guint          id,
                            const char    *label,
                            const char    *unit,
                            const GdkRGBA *color)
{
  ObdChartSeries *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);
  g_return_val_if_fail (label != NULL, 0);

  if (id == 0)
    {
      id = 1;
      while (_obd_trend_chart_find_series (self, id) != NULL)
        id++;
    }
  else if (_obd_trend_chart_find_series (self, id) != NULL)
    {
      g_critical ("Trend chart already has a series with id %u", id);
      return 0;
    }

  series = _obd_chart_series_new (id, label, unit, color);
  g_ptr_array_add (self->series, series);
  g_ptr_array_add (self->lines, _obd_chart_line_layer_new (series));
  _obd_trend_chart_series_changed (self);
  return id;
}

void
obd_trend_chart_remove_series (ObdTrendChart *self,
                               guint          series_id)
{
  int i;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  i = _obd_trend_chart_find_index (self, series_id);
  g_return_if_fail (i >= 0);
  g_ptr_array_remove_index (self->series, (guint) i);
  g_ptr_array_remove_index (self->lines, (guint) i);
  _obd_trend_chart_series_changed (self);
}

guint
obd_trend_chart_get_n_series (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  return self->series->len;
}

void
obd_trend_chart_append (ObdTrendChart *self,
                        guint          series_id,
                        gint64         time_us,
                        double         value)
{
  ObdChartSeries *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_if_fail (series != NULL);
  _obd_series_data_append (_obd_chart_series_get_data (series), time_us, value);
  _obd_trend_chart_data_changed (self);
}

void
obd_trend_chart_append_many (ObdTrendChart *self,
                             guint          series_id,
                             const gint64  *times_us,
                             const double  *values,
                             gsize          n_values)
{
  ObdChartSeries *series;
  ObdSeriesData *data;

  g_return_if_fail (OBD_IS_TREND_CHART (self));
  g_return_if_fail (n_values == 0 || (times_us != NULL && values != NULL));

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_if_fail (series != NULL);
  data = _obd_chart_series_get_data (series);
  for (gsize i = 0; i < n_values; i++)
    _obd_series_data_append (data, times_us[i], values[i]);
  _obd_trend_chart_data_changed (self);
}

void
obd_trend_chart_clear (ObdTrendChart *self)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  for (guint i = 0; i < self->series->len; i++)
    _obd_series_data_clear (_obd_chart_series_get_data (g_ptr_array_index (self->series, i)));
  _obd_trend_chart_data_changed (self);
}

gsize
obd_trend_chart_get_n_samples (ObdTrendChart *self,
                               guint          series_id)
{
  ObdChartSeries *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_val_if_fail (series != NULL, 0);
  return _obd_series_data_get_length (_obd_chart_series_get_data (series));
}

gboolean
obd_trend_chart_get_latest (ObdTrendChart *self,
                            guint          series_id,
                            gint64        *time_us,
                            double        *value)
{
  ObdChartSeries *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  return _obd_chart_series_latest (series, time_us, value);
}

gboolean
obd_trend_chart_lookup (ObdTrendChart *self,
                        guint          series_id,
                        gint64         time_us,
                        gint64        *sample_time_us,
                        double        *value)
{
  ObdChartSeries *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  return _obd_chart_series_nearest (series, time_us, sample_time_us, value);
}

gboolean
obd_trend_chart_get_data_range (ObdTrendChart *self,
                                gint64        *first_us,
                                gint64        *last_us)
{
  gint64 first, last;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  if (!_obd_trend_chart_get_earliest (self, &first) || !_obd_trend_chart_get_newest (self, &last))
    return FALSE;
  if (first_us != NULL)
    *first_us = first;
  if (last_us != NULL)
    *last_us = last;
  return TRUE;
}

void
obd_trend_chart_set_series_range (ObdTrendChart *self,
                                  guint          series_id,
                                  double         min_value,
                                  double         max_value)
{
  ObdChartSeries *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));
  g_return_if_fail (isfinite (min_value) && isfinite (max_value) && min_value < max_value);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_if_fail (series != NULL);
  _obd_chart_series_set_fixed_range (series, min_value, max_value);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
obd_trend_chart_set_series_auto_range (ObdTrendChart *self,
                                       guint          series_id)
{
  ObdChartSeries *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_if_fail (series != NULL);
  _obd_chart_series_set_auto_range (series);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
obd_trend_chart_get_series_range (ObdTrendChart *self,
                                  guint          series_id,
                                  double        *min_value,
                                  double        *max_value)
{
  ObdChartSeries *series;
  const ObdChartPanel *panel;
  double lo, hi;
  int p;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);

  _obd_trend_chart_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                           gtk_widget_get_height (GTK_WIDGET (self)));
  p = _obd_trend_chart_get_series_panel (self, series_id);
  if (p >= 0)
    {
      panel = &g_array_index (self->panels, ObdChartPanel, p);
      lo = panel->lo;
      hi = panel->hi;
    }
  else if (!_obd_chart_series_get_fixed_range (series, &lo, &hi))
    {
      double step;

      if (!_obd_chart_series_data_range (series, self->end_time - self->time_span,
                                         self->end_time, &lo, &hi))
        lo = hi = NAN;
      _obd_chart_auto_range (lo, hi, &lo, &hi, &step);
    }
  if (min_value != NULL)
    *min_value = lo;
  if (max_value != NULL)
    *max_value = hi;
  return _obd_chart_series_get_fixed_range (series, &lo, &hi);
}

void
obd_trend_chart_set_series_visible (ObdTrendChart *self,
                                    guint          series_id,
                                    gboolean       visible)
{
  ObdChartSeries *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_if_fail (series != NULL);
  if (_obd_chart_series_set_visible (series, visible))
    _obd_trend_chart_series_changed (self);
}

gboolean
obd_trend_chart_get_series_visible (ObdTrendChart *self,
                                    guint          series_id)
{
  ObdChartSeries *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  return _obd_chart_series_get_visible (series);
}

gboolean
obd_trend_chart_reduce (ObdTrendChart *self,
                        guint          series_id,
                        gint64         t0,
                        gint64         t1,
                        guint          n_columns,
                        double        *out_min,
                        double        *out_max)
{
  ObdChartSeries *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);
  g_return_val_if_fail (t0 < t1, FALSE);
  g_return_val_if_fail (n_columns == 0 || (out_min != NULL && out_max != NULL), FALSE);

  series = _obd_trend_chart_find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  _obd_series_data_reduce (_obd_chart_series_get_data (series), t0, t1, n_columns, out_min,
                           out_max, NULL, NULL);
  return TRUE;
}
