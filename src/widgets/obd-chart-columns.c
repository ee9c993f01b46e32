/* obd-chart-columns.c — one series reduced to pixel columns, kept between frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>
#include <string.h>

#include "obd-chart-columns.h"

struct _ObdChartColumns
{
  double  column_us;   /* width the cache was made for; 0 when empty */
  gint64  first;       /* absolute index of the first column held */
  guint   n;
  GArray *min;         /* double, n of them */
  GArray *max;
  GArray *last;
  GArray *scratch;     /* double, 3 × n, for the next update */
  guint   generation;  /* of the data the columns describe */
  gsize   length;      /* samples the data had then */
};

ObdChartColumns *
_obd_chart_columns_new (void)
{
  ObdChartColumns *columns = g_new0 (ObdChartColumns, 1);

  columns->min = g_array_new (FALSE, FALSE, sizeof (double));
  columns->max = g_array_new (FALSE, FALSE, sizeof (double));
  columns->last = g_array_new (FALSE, FALSE, sizeof (double));
  columns->scratch = g_array_new (FALSE, FALSE, sizeof (double));
  return columns;
}

void
_obd_chart_columns_free (ObdChartColumns *columns)
{
  if (columns == NULL)
    return;
  g_array_unref (columns->min);
  g_array_unref (columns->max);
  g_array_unref (columns->last);
  g_array_unref (columns->scratch);
  g_free (columns);
}

void
_obd_chart_columns_reset (ObdChartColumns *columns)
{
  columns->column_us = 0.0;
  columns->n = 0;
}

gint64
_obd_chart_column_start (double column_us,
                         gint64 k)
{
  /* In double: k × w overflows nothing, and 53 bits keep wall-clock
   * microseconds (~2^51) exact enough for pixel columns. */
  return (gint64) floor ((double) k * column_us);
}

gint64
_obd_chart_column_at (double column_us,
                      gint64 t)
{
  gint64 k = (gint64) floor ((double) t / column_us);

  /* Rounding in the division may land one column off; the edges decide. */
  while (_obd_chart_column_start (column_us, k) > t)
    k--;
  while (_obd_chart_column_start (column_us, k + 1) <= t)
    k++;
  return k;
}

/* Columns [from, to) (indices relative to first) through the pyramid: one
 * galloping search for each edge from the previous one, one range query
 * each. */
static void
reduce_pyramid (ObdSeriesData *data,
                double         column_us,
                gint64         first,
                guint          from,
                guint          to,
                double        *mn,
                double        *mx,
                double        *last)
{
  const double *values = _obd_series_data_get_values (data);
  gsize lo = _obd_series_data_lower_bound (data, _obd_chart_column_start (column_us,
                                                                         first + from));

  for (guint c = from; c < to; c++)
    {
      gsize hi = _obd_series_data_lower_bound_from (data, lo,
                                                    _obd_chart_column_start (column_us,
                                                                             first + c + 1));

      if (hi > lo && _obd_series_data_range (data, lo, hi, &mn[c], &mx[c]))
        last[c] = values[hi - 1];
      else
        mn[c] = mx[c] = last[c] = NAN;
      lo = hi;
    }
}

/* Every column by walking every sample of the window once: the reference. */
static void
reduce_linear (ObdSeriesData *data,
               double         column_us,
               gint64         first,
               guint          n,
               double        *mn,
               double        *mx,
               double        *last)
{
  const gint64 *times = _obd_series_data_get_times (data);
  const double *values = _obd_series_data_get_values (data);
  gsize length = _obd_series_data_get_length (data);
  gint64 end = _obd_chart_column_start (column_us, first + n);
  gint64 edge;
  gsize i = _obd_series_data_lower_bound (data, _obd_chart_column_start (column_us, first));
  guint c = 0;

  for (guint k = 0; k < n; k++)
    mn[k] = mx[k] = last[k] = NAN;

  edge = _obd_chart_column_start (column_us, first + 1);
  for (; i < length && times[i] < end; i++)
    {
      while (times[i] >= edge)
        edge = _obd_chart_column_start (column_us, first + ++c + 1);
      if (isnan (mn[c]))
        mn[c] = mx[c] = values[i];
      else
        {
          mn[c] = MIN (mn[c], values[i]);
          mx[c] = MAX (mx[c], values[i]);
        }
      last[c] = values[i];
    }
}

guint
_obd_chart_columns_update (ObdChartColumns         *columns,
                           ObdSeriesData           *data,
                           ObdChartColumnsStrategy  strategy,
                           double                   column_us,
                           gint64                   first,
                           guint                    n)
{
  gsize length = _obd_series_data_get_length (data);
  double *mn, *mx, *last;
  guint keep_from = 0, keep_to = 0;   /* [from, to) of the new range copied */
  guint recomputed = 0;

  g_return_val_if_fail (column_us > 0.0, 0);

  g_array_set_size (columns->scratch, 3 * (gsize) n);
  mn = &g_array_index (columns->scratch, double, 0);
  mx = mn + n;
  last = mx + n;

  if (strategy == OBD_CHART_COLUMNS_LINEAR)
    {
      reduce_linear (data, column_us, first, n, mn, mx, last);
      recomputed = n;
    }
  else
    {
      /* What the previous frame computed and still holds: the same width,
       * the same samples plus appended ones (appends only change columns
       * from the one the last old sample is in). */
      if (columns->n > 0 && columns->column_us == column_us
          && columns->generation == _obd_series_data_get_generation (data)
          && length >= columns->length)
        {
          gint64 valid_end = columns->first + columns->n;

          if (length > columns->length && columns->length > 0)
            {
              gint64 t = _obd_series_data_get_times (data)[columns->length - 1];

              valid_end = MIN (valid_end, _obd_chart_column_at (column_us, t));
            }
          else if (length > columns->length)
            valid_end = columns->first;
          if (valid_end > first && columns->first < first + n)
            {
              keep_from = (guint) (MAX (columns->first, first) - first);
              keep_to = (guint) (MIN (valid_end, first + n) - first);
            }
        }

      if (keep_to > keep_from)
        {
          gsize offset = (gsize) (first + keep_from - columns->first);
          gsize count = keep_to - keep_from;

          memcpy (mn + keep_from, &g_array_index (columns->min, double, offset),
                  count * sizeof (double));
          memcpy (mx + keep_from, &g_array_index (columns->max, double, offset),
                  count * sizeof (double));
          memcpy (last + keep_from, &g_array_index (columns->last, double, offset),
                  count * sizeof (double));
        }
      else
        keep_from = keep_to = 0;

      if (keep_from > 0)
        reduce_pyramid (data, column_us, first, 0, keep_from, mn, mx, last);
      if (keep_to < n)
        reduce_pyramid (data, column_us, first, keep_to, n, mn, mx, last);
      recomputed = n - (keep_to - keep_from);
    }

  g_array_set_size (columns->min, n);
  g_array_set_size (columns->max, n);
  g_array_set_size (columns->last, n);
  if (n > 0)
    {
      memcpy (columns->min->data, mn, n * sizeof (double));
      memcpy (columns->max->data, mx, n * sizeof (double));
      memcpy (columns->last->data, last, n * sizeof (double));
    }
  columns->column_us = column_us;
  columns->first = first;
  columns->n = n;
  columns->generation = _obd_series_data_get_generation (data);
  columns->length = length;
  return recomputed;
}

const double *
_obd_chart_columns_get_min (ObdChartColumns *columns)
{
  return (const double *) (gpointer) columns->min->data;
}

const double *
_obd_chart_columns_get_max (ObdChartColumns *columns)
{
  return (const double *) (gpointer) columns->max->data;
}

const double *
_obd_chart_columns_get_last (ObdChartColumns *columns)
{
  return (const double *) (gpointer) columns->last->data;
}
