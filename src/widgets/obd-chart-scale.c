/* obd-chart-scale.c — numbers and times on a chart's axes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-chart-scale.h"

#define MINUTE_US  ((gint64) 60 * G_USEC_PER_SEC)
#define HOUR_US    (60 * MINUTE_US)
#define DAY_US     (24 * HOUR_US)

double
_obd_chart_nice_step (double x)
{
  double exponent, fraction;

  if (!(x > 0.0) || !isfinite (x))
    return 1.0;
  exponent = floor (log10 (x));
  fraction = x / pow (10.0, exponent);
  if (fraction <= 1.0)
    fraction = 1.0;
  else if (fraction <= 2.0)
    fraction = 2.0;
  else if (fraction <= 2.5)
    fraction = 2.5;
  else if (fraction <= 5.0)
    fraction = 5.0;
  else
    fraction = 10.0;
  return fraction * pow (10.0, exponent);
}

gint64
_obd_chart_nice_time_step (gint64 at_least_us)
{
  static const gint64 long_steps[] = { 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
                                       3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600 };

  if (at_least_us <= 10 * G_USEC_PER_SEC)
    return MAX ((gint64) _obd_chart_nice_step ((double) at_least_us), 1);
  for (guint i = 0; i < G_N_ELEMENTS (long_steps); i++)
    if (long_steps[i] * G_USEC_PER_SEC >= at_least_us)
      return long_steps[i] * G_USEC_PER_SEC;
  return (at_least_us / DAY_US + 1) * DAY_US;
}

int
_obd_chart_digits_for_step (double step)
{
  if (!(step > 0.0) || step >= 1.0)
    return 0;
  return MIN ((int) ceil (-log10 (step) - 1e-9), 6);
}

void
_obd_chart_auto_range (double  lo,
                       double  hi,
                       double *out_lo,
                       double *out_hi,
                       double *out_step)
{
  double step;

  if (isnan (lo) || isnan (hi))
    {
      lo = 0.0;
      hi = 1.0;
    }
  if (hi > lo)
    {
      double pad = (hi - lo) * 0.05;

      lo -= pad;
      hi += pad;
    }
  else
    {
      double pad = fabs (lo) > 0.0 ? fabs (lo) * 0.1 : 1.0;

      lo -= pad;
      hi += pad;
    }
  step = _obd_chart_nice_step ((hi - lo) / 4.0);
  *out_lo = floor (lo / step) * step;
  *out_hi = ceil (hi / step) * step;
  *out_step = step;
}

char *
_obd_chart_format_number (double value,
                          int    digits)
{
  g_autofree char *text = NULL;
  double scale = pow (10.0, digits);
  double rounded = round (value * scale) / scale;

  if (rounded == 0.0)
    rounded = 0.0;   /* turns -0.0 into 0.0 */
  text = g_strdup_printf ("%.*f", digits, fabs (rounded));
  return rounded < 0.0 ? g_strconcat ("−", text, NULL) : g_steal_pointer (&text);
}

char *
_obd_chart_format_reading (double value)
{
  double magnitude = fabs (value);

  return _obd_chart_format_number (value, magnitude >= 100.0 ? 0 : magnitude >= 10.0 ? 1 : 2);
}

/* "1:02:03", "2:30" or "12 s" for a duration; minutes once the duration
 * or the spacing reaches a minute, so an axis does not mix "50 s" and
 * "1:00". */
static char *
format_duration (gint64      magnitude,
                 gint64      resolution_us,
                 const char *sign)
{
  if ((magnitude >= MINUTE_US && resolution_us >= G_USEC_PER_SEC) ||
      resolution_us >= MINUTE_US)
    {
      gint64 seconds = (magnitude + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;

      if (seconds >= 3600)
        return g_strdup_printf ("%s%" G_GINT64_FORMAT ":%02d:%02d", sign, seconds / 3600,
                                (int) (seconds / 60 % 60), (int) (seconds % 60));
      return g_strdup_printf ("%s%" G_GINT64_FORMAT ":%02d", sign, seconds / 60,
                              (int) (seconds % 60));
    }
  else
    {
      g_autofree char *number = NULL;

      number = _obd_chart_format_number ((double) magnitude / G_USEC_PER_SEC,
                                         _obd_chart_digits_for_step ((double) resolution_us /
                                                                     G_USEC_PER_SEC));
      /* Translators: a time in seconds on a chart axis, e.g. "−12 s" */
      return g_strdup_printf (_("%s%s s"), magnitude == 0 ? "" : sign, number);
    }
}

/* Seconds east of UTC of the local zone at t. */
static gint64
local_offset_us (gint64 t)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = when != NULL ? g_date_time_to_local (when) : NULL;

  return local != NULL ? g_date_time_get_utc_offset (local) : 0;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

gint64
_obd_chart_first_tick (ObdTrendChartTimeLabels mode,
                       gint64                  t0,
                       gint64                  step,
                       gint64                  origin,
                       gint64                  newest)
{
  gint64 anchor;

  g_return_val_if_fail (step > 0, t0);

  switch (mode)
    {
    case OBD_TREND_CHART_TIME_CLOCK:
      /* Whole steps of the local clock: a 15 min grid falls on :00, :15,
       * :30, :45 wherever the zone is. */
      anchor = -local_offset_us (t0);
      break;
    case OBD_TREND_CHART_TIME_ELAPSED:
      anchor = origin;
      break;
    case OBD_TREND_CHART_TIME_RELATIVE:
    default:
      anchor = newest;
      break;
    }
  return anchor + (floor_div (t0 - anchor - 1, step) + 1) * step;
}

char *
_obd_chart_format_time (ObdTrendChartTimeLabels mode,
                        gint64                  t,
                        gint64                  resolution_us,
                        gint64                  origin,
                        gint64                  newest)
{
  switch (mode)
    {
    case OBD_TREND_CHART_TIME_CLOCK:
      {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (t / G_USEC_PER_SEC);

        if (when == NULL)
          return g_strdup ("?");
        if (resolution_us >= DAY_US)
          /* Translators: a date on a chart's time axis, g_date_time_format() */
          return g_date_time_format (when, _("%b %e"));
        if (resolution_us >= MINUTE_US)
          /* Translators: a time of day on a chart's time axis, hours and
           * minutes, g_date_time_format() */
          return g_date_time_format (when, _("%H:%M"));
        /* Translators: a time of day with seconds, g_date_time_format() */
        return g_date_time_format (when, _("%H:%M:%S"));
      }

    case OBD_TREND_CHART_TIME_ELAPSED:
      return format_duration (ABS (t - origin), resolution_us, t < origin ? "−" : "");

    case OBD_TREND_CHART_TIME_RELATIVE:
    default:
      return format_duration (ABS (t - newest), resolution_us, t < newest ? "−" : "");
    }
}
