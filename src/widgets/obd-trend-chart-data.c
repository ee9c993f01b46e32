/* obd-trend-chart-data.c — time-sorted samples with a min/max pyramid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A chart frame must cost in proportion to its width, not to the number of
 * samples.  Each series therefore keeps, beside its raw (time, value)
 * arrays, a pyramid of min/max buckets: level 0 summarises 16 samples a
 * bucket, every level above it pairs two buckets of the level below.  The
 * min/max of any index range is then the raw samples up to the first
 * 16-aligned index, plus at most two buckets a level — O(log n) — and one
 * pixel column is one binary search plus one such query.
 *
 * Memory: the pyramid adds 2 × n/16 × 2 doubles ≈ 2 bytes a sample on top
 * of the 16 bytes of raw data.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-trend-chart-private.h"

#define BASE_SHIFT 4   /* level 0 buckets hold 1 << BASE_SHIFT samples */
#define BASE_MASK  ((1u << BASE_SHIFT) - 1)

typedef struct
{
  double min;
  double max;
} Bucket;

struct _ObdSeriesData
{
  GArray    *times;       /* gint64, non-decreasing */
  GArray    *values;      /* double, finite */
  GPtrArray *levels;      /* GArray of Bucket each; level k buckets 16 << k samples */
  guint      generation;  /* bumped when samples change other than by appending */
};

ObdSeriesData *
_obd_series_data_new (void)
{
  ObdSeriesData *data = g_new0 (ObdSeriesData, 1);

  data->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->values = g_array_new (FALSE, FALSE, sizeof (double));
  data->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  return data;
}

void
_obd_series_data_free (ObdSeriesData *data)
{
  if (data == NULL)
    return;
  g_array_unref (data->times);
  g_array_unref (data->values);
  g_ptr_array_unref (data->levels);
  g_free (data);
}

void
_obd_series_data_clear (ObdSeriesData *data)
{
  g_array_set_size (data->times, 0);
  g_array_set_size (data->values, 0);
  g_ptr_array_set_size (data->levels, 0);
  data->generation++;
}

guint
_obd_series_data_get_generation (ObdSeriesData *data)
{
  return data->generation;
}

gsize
_obd_series_data_get_length (ObdSeriesData *data)
{
  return data->times->len;
}

const gint64 *
_obd_series_data_get_times (ObdSeriesData *data)
{
  return (const gint64 *) (gpointer) data->times->data;
}

const double *
_obd_series_data_get_values (ObdSeriesData *data)
{
  return (const double *) (gpointer) data->values->data;
}

static inline Bucket *
level_buckets (ObdSeriesData *data,
               guint          level)
{
  GArray *array = g_ptr_array_index (data->levels, level);

  return (Bucket *) (gpointer) array->data;
}

/* Builds level @level completely from the level below (or the raw data). */
static void
build_level (ObdSeriesData *data,
             guint          level)
{
  gsize n = data->values->len;
  gsize size = (gsize) 1 << (BASE_SHIFT + level);
  gsize n_buckets = (n + size - 1) / size;
  GArray *array = g_array_sized_new (FALSE, FALSE, sizeof (Bucket), (guint) n_buckets);
  const double *values = _obd_series_data_get_values (data);

  g_array_set_size (array, (guint) n_buckets);
  for (gsize b = 0; b < n_buckets; b++)
    {
      Bucket *out = &g_array_index (array, Bucket, b);

      if (level == 0)
        {
          gsize end = MIN (n, (b + 1) * size);

          out->min = out->max = values[b * size];
          for (gsize i = b * size + 1; i < end; i++)
            {
              out->min = MIN (out->min, values[i]);
              out->max = MAX (out->max, values[i]);
            }
        }
      else
        {
          GArray *below = g_ptr_array_index (data->levels, level - 1);
          const Bucket *a = &g_array_index (below, Bucket, 2 * b);

          *out = *a;
          if (2 * b + 1 < below->len)
            {
              out->min = MIN (out->min, a[1].min);
              out->max = MAX (out->max, a[1].max);
            }
        }
    }
  g_assert (data->levels->len == level);
  g_ptr_array_add (data->levels, array);
}

/* Folds the newest sample (index n − 1) into every level.  A level is
 * created once the level below has a second bucket; until then it would
 * only repeat it. */
static void
pyramid_push (ObdSeriesData *data,
              double         value)
{
  gsize index = data->values->len - 1;

  for (guint level = 0; ; level++)
    {
      gsize b = index >> (BASE_SHIFT + level);

      if (level >= data->levels->len)
        build_level (data, level);   /* already includes the new sample */
      else
        {
          GArray *array = g_ptr_array_index (data->levels, level);

          if (b == array->len)
            {
              Bucket fresh = { value, value };

              g_array_append_val (array, fresh);
            }
          else
            {
              Bucket *bucket = &g_array_index (array, Bucket, b);

              bucket->min = MIN (bucket->min, value);
              bucket->max = MAX (bucket->max, value);
            }
        }
      if (b == 0)
        break;
    }
}

static gsize
upper_bound (const gint64 *times,
             gsize         lo,
             gsize         hi,
             gint64        time_us)
{
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (times[mid] <= time_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static gsize
lower_bound (const gint64 *times,
             gsize         lo,
             gsize         hi,
             gint64        time_us)
{
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (times[mid] < time_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gsize
_obd_series_data_lower_bound (ObdSeriesData *data,
                              gint64         time_us)
{
  return lower_bound (_obd_series_data_get_times (data), 0, data->times->len, time_us);
}

gsize
_obd_series_data_lower_bound_from (ObdSeriesData *data,
                                   gsize          from,
                                   gint64         time_us)
{
  const gint64 *times = _obd_series_data_get_times (data);
  gsize n = data->times->len;
  gsize step = 1, hi = from;

  /* Galloping: columns are searched left to right, each edge a little
   * after the previous one, so most searches touch a few neighbouring
   * samples instead of halving the whole array. */
  while (hi < n && times[hi] < time_us)
    {
      from = hi + 1;
      hi = MIN (n, hi + step);
      step *= 2;
    }
  return lower_bound (times, from, hi, time_us);
}

void
_obd_series_data_append (ObdSeriesData *data,
                         gint64         time_us,
                         double         value)
{
  gsize n = data->times->len;

  if (!isfinite (value))
    return;

  if (n == 0 || g_array_index (data->times, gint64, n - 1) <= time_us)
    {
      g_array_append_val (data->times, time_us);
      g_array_append_val (data->values, value);
      pyramid_push (data, value);
      return;
    }

  /* A late sample (e.g. a slow ECU answering after a faster one was
   * stored): sort it in after any samples of the same time and rebuild the
   * pyramid, which is O(n) but rare. */
  {
    gsize at = upper_bound (_obd_series_data_get_times (data), 0, n, time_us);

    g_array_insert_val (data->times, (guint) at, time_us);
    g_array_insert_val (data->values, (guint) at, value);
    data->generation++;
    g_ptr_array_set_size (data->levels, 0);
    /* The same levels pyramid_push() would have made: level k > 0 exists
     * once level k − 1 has two buckets. */
    for (guint level = 0;
         level == 0 || data->values->len > ((gsize) 1 << (BASE_SHIFT + level - 1));
         level++)
      build_level (data, level);
  }
}

gboolean
_obd_series_data_range (ObdSeriesData *data,
                        gsize          begin,
                        gsize          end,
                        double        *out_min,
                        double        *out_max)
{
  const double *values = _obd_series_data_get_values (data);
  double lo = INFINITY;
  double hi = -INFINITY;
  gsize i = begin;
  gsize j = MIN (end, data->values->len);
  guint level = 0;

  if (i >= j)
    return FALSE;

  /* Raw samples up to the bucket boundaries on both sides. */
  while (i < j && (i & BASE_MASK) != 0)
    {
      lo = MIN (lo, values[i]);
      hi = MAX (hi, values[i]);
      i++;
    }
  while (j > i && (j & BASE_MASK) != 0)
    {
      j--;
      lo = MIN (lo, values[j]);
      hi = MAX (hi, values[j]);
    }

  /* Whole buckets: take an odd bucket at either end, then go up a level.
   * Every bucket taken ends at or before @end, so none is partial. */
  i >>= BASE_SHIFT;
  j >>= BASE_SHIFT;
  while (i < j)
    {
      const Bucket *buckets;

      g_assert (level < data->levels->len);
      buckets = level_buckets (data, level);
      if (i & 1)
        {
          lo = MIN (lo, buckets[i].min);
          hi = MAX (hi, buckets[i].max);
          i++;
        }
      if (j & 1)
        {
          j--;
          lo = MIN (lo, buckets[j].min);
          hi = MAX (hi, buckets[j].max);
        }
      i >>= 1;
      j >>= 1;
      level++;
    }

  *out_min = lo;
  *out_max = hi;
  return TRUE;
}

gint64
_obd_trend_chart_column_edge (gint64 t0,
                              gint64 t1,
                              guint  n_columns,
                              guint  column)
{
  if (column >= n_columns)
    return t1;
  /* In double: the span times the column index can overflow gint64 for
   * long spans, and 53 bits of mantissa are plenty for microseconds. */
  return t0 + (gint64) floor ((double) (t1 - t0) * column / n_columns);
}

void
_obd_series_data_reduce (ObdSeriesData *data,
                         gint64         t0,
                         gint64         t1,
                         guint          n_columns,
                         double        *out_min,
                         double        *out_max,
                         double        *out_first,
                         double        *out_last)
{
  const gint64 *times = _obd_series_data_get_times (data);
  const double *values = _obd_series_data_get_values (data);
  gsize n = data->times->len;
  gsize lo = lower_bound (times, 0, n, t0);

  for (guint c = 0; c < n_columns; c++)
    {
      gint64 edge = _obd_trend_chart_column_edge (t0, t1, n_columns, c + 1);
      gsize hi = lower_bound (times, lo, n, edge);

      if (hi > lo)
        {
          _obd_series_data_range (data, lo, hi, &out_min[c], &out_max[c]);
          if (out_first != NULL)
            out_first[c] = values[lo];
          if (out_last != NULL)
            out_last[c] = values[hi - 1];
        }
      else
        {
          out_min[c] = out_max[c] = NAN;
          if (out_first != NULL)
            out_first[c] = NAN;
          if (out_last != NULL)
            out_last[c] = NAN;
        }
      lo = hi;
    }
}
