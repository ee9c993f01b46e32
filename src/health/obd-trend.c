/* obd-trend.c — anomalies in a vehicle's own history of a reading
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-health"
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "obd-trend.h"

/* 1 / Φ⁻¹(3/4): turns a MAD into a standard deviation for normal data. */
#define MAD_TO_SIGMA 1.4826
/* √(π/2): turns a mean absolute deviation into a standard deviation. */
#define MEANAD_TO_SIGMA 1.253314
#define US_PER_DAY (86400.0 * G_USEC_PER_SEC)

/* ---- robust statistics ------------------------------------------------- */

static int
compare_double (const void *a,
                const void *b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return (da > db) - (da < db);
}

double
obd_stats_median (double *values,
                  gsize   n)
{
  g_return_val_if_fail (values != NULL, NAN);
  g_return_val_if_fail (n > 0, NAN);

  qsort (values, n, sizeof (double), compare_double);
  if (n % 2 == 1)
    return values[n / 2];
  return 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double
obd_stats_mad (const double *values,
               gsize         n,
               double        median)
{
  g_autofree double *dev = NULL;

  g_return_val_if_fail (values != NULL, NAN);
  g_return_val_if_fail (n > 0, NAN);

  dev = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    dev[i] = fabs (values[i] - median);
  return obd_stats_median (dev, n);
}

gboolean
obd_stats_theil_sen (const double *x,
                     const double *y,
                     gsize         n,
                     double       *out_slope,
                     double       *out_intercept)
{
  g_autofree double *slopes = NULL;
  g_autofree double *rest = NULL;
  gsize n_slopes = 0;
  double slope;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), FALSE);

  if (n < 2)
    return FALSE;

  slopes = g_new (double, n * (n - 1) / 2);
  for (gsize i = 0; i < n; i++)
    for (gsize j = i + 1; j < n; j++)
      if (x[j] != x[i])
        slopes[n_slopes++] = (y[j] - y[i]) / (x[j] - x[i]);

  if (n_slopes == 0)
    return FALSE;

  slope = obd_stats_median (slopes, n_slopes);

  rest = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    rest[i] = y[i] - slope * x[i];

  if (out_slope != NULL)
    *out_slope = slope;
  if (out_intercept != NULL)
    *out_intercept = obd_stats_median (rest, n);
  return TRUE;
}

double
obd_stats_mann_kendall (const double *y,
                        gsize         n)
{
  g_autofree double *sorted = NULL;
  double s = 0.0, var;

  g_return_val_if_fail (n == 0 || y != NULL, 0.0);

  if (n < 3)
    return 0.0;

  for (gsize i = 0; i < n; i++)
    for (gsize j = i + 1; j < n; j++)
      s += (y[j] > y[i]) - (y[j] < y[i]);

  var = (double) n * (n - 1) * (2 * n + 5);

  /* Tied groups shrink the variance of S (Kendall 1975). */
  sorted = g_memdup2 (y, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_double);
  for (gsize i = 0; i < n;)
    {
      gsize t = 1;

      while (i + t < n && sorted[i + t] == sorted[i])
        t++;
      if (t > 1)
        var -= (double) t * (t - 1) * (2 * t + 5);
      i += t;
    }
  var /= 18.0;

  if (var <= 0.0)
    return 0.0;
  /* Continuity correction: S moves in steps of 2. */
  if (s > 0)
    return (s - 1.0) / sqrt (var);
  if (s < 0)
    return (s + 1.0) / sqrt (var);
  return 0.0;
}

/* A standard-deviation-like spread of values around center: 1.4826 MAD,
 * or 1.2533 × mean absolute deviation when over half the values sit on the
 * center (MAD = 0), floored at 1.4826 × min_mad and at a tiny epsilon so
 * the z-score stays finite. */
static double
robust_sigma (const double *values,
              gsize         n,
              double        center,
              double        min_mad)
{
  double sigma = MAD_TO_SIGMA * obd_stats_mad (values, n, center);

  if (sigma <= 0.0)
    {
      double sum = 0.0;

      for (gsize i = 0; i < n; i++)
        sum += fabs (values[i] - center);
      sigma = MEANAD_TO_SIGMA * sum / (double) n;
    }

  sigma = MAX (sigma, MAD_TO_SIGMA * min_mad);
  return MAX (sigma, 1e-9 * MAX (1.0, fabs (center)));
}

/* ---- options ----------------------------------------------------------- */

void
obd_trend_options_init_defaults (ObdTrendOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (ObdTrendOptions) {
    .min_points = 5,
    .z_threshold = 3.5,
    .mk_z_threshold = 1.96,
    .drift_k = 3.0,
    .min_mad = 0.0,
  };
}

void
obd_trend_options_init_for_key (ObdTrendOptions *options,
                                const char      *key)
{
  /* Resolutions of the SAE J1979 scalings of these PIDs. */
  static const struct { const char *prefix; double resolution; } resolutions[] = {
    { "stft_", 100.0 / 128.0 },
    { "ltft_", 100.0 / 128.0 },
    { "catalyst_temp_", 0.1 },
    { "coolant_temp", 1.0 },
    { "intake_temp", 1.0 },
    { "oil_temp", 1.0 },
    { "control_module_voltage", 0.001 },
    { "rpm", 0.25 },
    { "engine_load", 100.0 / 255.0 },
    { "speed", 1.0 },
  };

  g_return_if_fail (options != NULL);
  g_return_if_fail (key != NULL);

  obd_trend_options_init_defaults (options);
  for (guint i = 0; i < G_N_ELEMENTS (resolutions); i++)
    if (g_str_has_prefix (key, resolutions[i].prefix))
      {
        options->min_mad = resolutions[i].resolution;
        break;
      }
}

const char *
obd_trend_kind_get_key (ObdTrendKind kind)
{
  static const char *const keys[] = { "none", "level", "drift", "not-enough-history" };

  g_return_val_if_fail (kind <= OBD_TREND_KIND_NOT_ENOUGH_HISTORY, NULL);
  return keys[kind];
}

/* ---- analysis ---------------------------------------------------------- */

static int
compare_point (const void *a,
               const void *b)
{
  const ObdTrendPoint *pa = a, *pb = b;

  return (pa->time_us > pb->time_us) - (pa->time_us < pb->time_us);
}

/* "12.5 %", "0.12 V", "1740 rpm": fewer decimals for bigger numbers. */
static char *
format_quantity (double      value,
                 const char *unit)
{
  double mag = fabs (value);
  int decimals = mag >= 100.0 ? 0 : mag >= 10.0 ? 1 : mag >= 0.1 ? 2 : 3;

  if (unit == NULL || *unit == '\0')
    return g_strdup_printf ("%.*f", decimals, value);
  return g_strdup_printf ("%.*f %s", decimals, value, unit);
}

/* An average Gregorian month. */
#define DAYS_PER_MONTH (365.2425 / 12.0)

/* "March 2024", in the user's language and time zone. */
static char *
format_since (gint64 time_us)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  if (when == NULL)
    return g_strdup ("?");
  /* Translators: a month and year for "since March 2024"; strftime-style
   * format as g_date_time_format() takes it. */
  return g_date_time_format (when, _("%B %Y"));
}

static char *
explain (const ObdTrendResult *r,
         const ObdTrendOptions *options,
         const char           *label,
         const char           *unit)
{
  g_autofree char *latest = format_quantity (r->latest, unit);
  g_autofree char *usual = format_quantity (r->median, unit);

  switch (r->kind)
    {
    case OBD_TREND_KIND_NOT_ENOUGH_HISTORY:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Not enough history for %s yet: %u point "
                                           "recorded, at least %u needed.",
                                           "Not enough history for %s yet: %u points "
                                           "recorded, at least %u needed.",
                                           r->n_points),
                              label, r->n_points, options->min_points);

    case OBD_TREND_KIND_LEVEL:
      if (r->direction == OBD_TREND_DIRECTION_UP)
        return g_strdup_printf (_("%s is %s, unusually high for this vehicle: it is usually "
                                  "about %s (modified z-score %.1f, limit %.1f)."),
                                label, latest, usual, r->z_score, options->z_threshold);
      return g_strdup_printf (_("%s is %s, unusually low for this vehicle: it is usually "
                                "about %s (modified z-score %.1f, limit %.1f)."),
                              label, latest, usual, r->z_score, -options->z_threshold);

    case OBD_TREND_KIND_DRIFT:
      {
        g_autofree char *total = format_quantity (fabs (r->change), unit);
        g_autofree char *since = format_since (r->first_time_us);
        g_autofree char *rate = NULL;

        /* The rate in the step a mechanic thinks in for that span: a
         * coolant creeping up over a season is "3 °C per month", not
         * "0.1 °C per day". */
        if (r->span_days >= 60.0)
          {
            g_autofree char *q = format_quantity (fabs (r->slope_per_day) * DAYS_PER_MONTH, unit);
            /* Translators: a rate, e.g. "3.0 °C per month" */
            rate = g_strdup_printf (_("%s per month"), q);
          }
        else if (r->span_days >= 14.0)
          {
            g_autofree char *q = format_quantity (fabs (r->slope_per_day) * 7.0, unit);
            /* Translators: a rate, e.g. "0.8 % per week" */
            rate = g_strdup_printf (_("%s per week"), q);
          }
        else
          {
            g_autofree char *q = format_quantity (fabs (r->slope_per_day), unit);
            /* Translators: a rate, e.g. "0.02 V per day" */
            rate = g_strdup_printf (_("%s per day"), q);
          }

        if (r->direction == OBD_TREND_DIRECTION_UP)
          /* Translators: "Coolant temperature at idle rising 3.0 °C per month since
           * March 2024 (9.1 °C in all), too steadily to be noise." */
          return g_strdup_printf (_("%s rising %s since %s (%s in all), too steadily to be "
                                    "noise."), label, rate, since, total);
        /* Translators: as above, falling */
        return g_strdup_printf (_("%s falling %s since %s (%s in all), too steadily to be "
                                  "noise."), label, rate, since, total);
      }

    case OBD_TREND_KIND_NONE:
      return g_strdup_printf (_("%s is within its usual range (%s; usually about %s) and "
                                "shows no steady drift."), label, latest, usual);

    default:
      g_assert_not_reached ();
    }
}

ObdTrendResult *
obd_trend_analyze (const ObdTrendPoint   *points,
                   gsize                  n_points,
                   const ObdTrendOptions *options,
                   const char            *label,
                   const char            *unit)
{
  ObdTrendOptions defaults;
  g_autofree ObdTrendPoint *sorted = NULL;
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  g_autofree double *history = NULL;
  g_autofree double *residuals = NULL;
  ObdTrendResult *r;
  double intercept = 0.0, sigma;
  gsize n = n_points;

  g_return_val_if_fail (n_points == 0 || points != NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  if (options == NULL)
    {
      obd_trend_options_init_defaults (&defaults);
      options = &defaults;
    }

  r = g_new0 (ObdTrendResult, 1);
  r->n_points = (guint) n;

  if (n < MAX (options->min_points, 3u))
    {
      r->kind = OBD_TREND_KIND_NOT_ENOUGH_HISTORY;
      if (n > 0)
        {
          sorted = g_memdup2 (points, n * sizeof (ObdTrendPoint));
          qsort (sorted, n, sizeof (ObdTrendPoint), compare_point);
          r->latest = r->median = sorted[n - 1].value;
        }
      r->explanation = explain (r, options, label, unit);
      return r;
    }

  sorted = g_memdup2 (points, n * sizeof (ObdTrendPoint));
  qsort (sorted, n, sizeof (ObdTrendPoint), compare_point);
  x = g_new (double, n);
  y = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      x[i] = (double) (sorted[i].time_us - sorted[0].time_us) / US_PER_DAY;
      y[i] = sorted[i].value;
    }
  r->latest = y[n - 1];
  r->span_days = x[n - 1] - x[0];
  r->first_time_us = sorted[0].time_us;

  /* (a) Level: the latest point against everything before it. */
  history = g_memdup2 (y, (n - 1) * sizeof (double));
  r->median = obd_stats_median (history, n - 1);
  sigma = robust_sigma (history, n - 1, r->median, options->min_mad);
  r->mad = sigma / MAD_TO_SIGMA;
  r->z_score = (r->latest - r->median) / sigma;
  r->level_anomaly = fabs (r->z_score) > options->z_threshold;

  /* (b) Drift: Theil–Sen slope, Mann–Kendall for "is it monotonic", and
   * the residual noise for "is it big enough to matter". */
  r->mk_z = obd_stats_mann_kendall (y, n);
  if (obd_stats_theil_sen (x, y, n, &r->slope_per_day, &intercept))
    {
      double center;

      residuals = g_new (double, n);
      for (gsize i = 0; i < n; i++)
        residuals[i] = y[i] - (r->slope_per_day * x[i] + intercept);
      {
        g_autofree double *tmp = g_memdup2 (residuals, n * sizeof (double));
        center = obd_stats_median (tmp, n);
      }
      r->noise = robust_sigma (residuals, n, center, options->min_mad);
      r->change = r->slope_per_day * r->span_days;
      r->drift = fabs (r->mk_z) > options->mk_z_threshold
                 && (r->mk_z > 0) == (r->slope_per_day > 0)
                 && r->slope_per_day != 0.0
                 && fabs (r->change) > options->drift_k * r->noise;
    }

  if (r->level_anomaly)
    {
      r->kind = OBD_TREND_KIND_LEVEL;
      r->direction = r->z_score > 0 ? OBD_TREND_DIRECTION_UP : OBD_TREND_DIRECTION_DOWN;
      r->magnitude = fabs (r->z_score);
    }
  else if (r->drift)
    {
      r->kind = OBD_TREND_KIND_DRIFT;
      r->direction = r->slope_per_day > 0 ? OBD_TREND_DIRECTION_UP : OBD_TREND_DIRECTION_DOWN;
      r->magnitude = fabs (r->change);
    }
  else
    r->kind = OBD_TREND_KIND_NONE;

  r->explanation = explain (r, options, label, unit);
  g_debug ("trend %s: n=%u z=%.2f slope=%.4f/day mk_z=%.2f noise=%.4f → %s",
           label, r->n_points, r->z_score, r->slope_per_day, r->mk_z, r->noise,
           obd_trend_kind_get_key (r->kind));
  return r;
}

void
obd_trend_result_free (ObdTrendResult *result)
{
  if (result == NULL)
    return;
  g_free (result->explanation);
  g_free (result);
}
