/* obd-maintenance.c — service items: due, overdue, and when next
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-health"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-enums.h"
#include "obd-health-enum-types.h"
#include "obd-maintenance.h"
#include "obd-trend.h"

#define MARGIN_FRACTION  0.10
#define MARGIN_MIN_KM    500.0
#define MARGIN_MIN_DAYS  14

const char *
obd_service_status_get_key (ObdServiceStatus status)
{
  g_return_val_if_fail (status <= OBD_SERVICE_STATUS_DONE, NULL);
  return obd_enum_get_nick (OBD_TYPE_SERVICE_STATUS, status);
}

gboolean
obd_service_status_from_key (const char        *key,
                             ObdServiceStatus  *out_status,
                             GError           **error)
{
  g_autofree char *lower = NULL;
  int value;

  g_return_val_if_fail (key != NULL, FALSE);

  /* The store writes DUE / OVERDUE / DONE in upper case (DESIGN.md §6). */
  lower = g_ascii_strdown (key, -1);
  if (!obd_enum_from_nick (OBD_TYPE_SERVICE_STATUS, lower, &value, error))
    return FALSE;
  if (out_status != NULL)
    *out_status = (ObdServiceStatus) value;
  return TRUE;
}

const char *
obd_service_status_get_label (ObdServiceStatus status)
{
  switch (status)
    {
    case OBD_SERVICE_STATUS_OK:
      return C_("service status", "OK");
    case OBD_SERVICE_STATUS_DUE:
      return C_("service status", "Due");
    case OBD_SERVICE_STATUS_OVERDUE:
      return C_("service status", "Overdue");
    case OBD_SERVICE_STATUS_DONE:
      return C_("service status", "Done");
    default:
      g_return_val_if_reached (NULL);
    }
}

static const ObdServiceSchedule default_schedule[] = {
  { "oil-change", N_("Engine oil and filter"), 15000.0, 365 },
  { "air-filter", N_("Air filter"), 30000.0, 730 },
  { "cabin-filter", N_("Cabin air filter"), 15000.0, 365 },
  { "spark-plugs", N_("Spark plugs"), 60000.0, 1461 },
  { "brake-fluid", N_("Brake fluid"), 0.0, 730 },
  { "coolant", N_("Coolant"), 100000.0, 1826 },
  { "timing-belt", N_("Timing belt"), 100000.0, 2191 },
};

const ObdServiceSchedule *
obd_service_get_default_schedule (gsize *n_items)
{
  if (n_items != NULL)
    *n_items = G_N_ELEMENTS (default_schedule);
  return default_schedule;
}

const ObdServiceSchedule *
obd_service_schedule_lookup (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (default_schedule); i++)
    if (strcmp (key, default_schedule[i].key) == 0)
      return &default_schedule[i];
  return NULL;
}

const char *
obd_service_schedule_get_label (const ObdServiceSchedule *schedule)
{
  g_return_val_if_fail (schedule != NULL, NULL);

  return g_dgettext (GETTEXT_PACKAGE, schedule->label);
}

void
obd_service_item_init_from_schedule (ObdServiceItem           *item,
                                     const ObdServiceSchedule *schedule)
{
  g_return_if_fail (item != NULL);
  g_return_if_fail (schedule != NULL);

  memset (item, 0, sizeof *item);
  item->interval_km = schedule->interval_km;
  item->interval_days = schedule->interval_days;
  item->last_done_km = -1.0;
  g_date_clear (&item->last_done_date, 1);
}

void
obd_service_forecast (const ObdServiceItem *item,
                      double                odometer_km,
                      const GDate          *today,
                      double                km_per_day,
                      ObdServiceForecast   *out)
{
  gboolean overdue = FALSE, due = FALSE;

  g_return_if_fail (item != NULL);
  g_return_if_fail (today != NULL && g_date_valid (today));
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  g_date_clear (&out->due_date, 1);
  g_date_clear (&out->predicted_date, 1);

  if (item->interval_km <= 0 && item->interval_days == 0)
    {
      /* One-off work: done once it has a record, else waiting to be done. */
      gboolean done = item->last_done_km >= 0 || g_date_valid (&item->last_done_date);

      out->status = done ? OBD_SERVICE_STATUS_DONE : OBD_SERVICE_STATUS_DUE;
      return;
    }

  if (item->interval_km > 0 && odometer_km >= 0)
    {
      out->by_distance = TRUE;
      out->due_km = MAX (item->last_done_km, 0.0) + item->interval_km;
      out->remaining_km = out->due_km - odometer_km;
      out->margin_km = MAX (MARGIN_FRACTION * item->interval_km, MARGIN_MIN_KM);
      overdue |= out->remaining_km < 0;
      due |= out->remaining_km <= out->margin_km;
    }

  if (item->interval_days > 0 && g_date_valid (&item->last_done_date))
    {
      out->by_time = TRUE;
      out->due_date = item->last_done_date;
      g_date_add_days (&out->due_date, item->interval_days);
      out->remaining_days = g_date_days_between (today, &out->due_date);
      out->margin_days = MAX ((gint) lround (MARGIN_FRACTION * item->interval_days),
                              MARGIN_MIN_DAYS);
      overdue |= out->remaining_days < 0;
      due |= out->remaining_days <= out->margin_days;
    }

  out->status = overdue ? OBD_SERVICE_STATUS_OVERDUE
                        : due ? OBD_SERVICE_STATUS_DUE : OBD_SERVICE_STATUS_OK;

  if (out->by_time)
    {
      out->has_prediction = TRUE;
      out->predicted_days = out->remaining_days;
    }
  if (out->by_distance && isfinite (km_per_day) && km_per_day > 0)
    {
      /* The day the odometer reaches the due point; floor, so a past due
       * point gives the day it was passed. */
      double days = floor (out->remaining_km / km_per_day);
      gint by_km = (gint) CLAMP (days, -36500.0, 36500.0);

      if (!out->has_prediction || by_km < out->predicted_days)
        out->predicted_days = by_km;
      out->has_prediction = TRUE;
    }
  if (out->has_prediction)
    {
      out->predicted_date = *today;
      if (out->predicted_days >= 0)
        g_date_add_days (&out->predicted_date, (guint) out->predicted_days);
      else
        g_date_subtract_days (&out->predicted_date, (guint) -out->predicted_days);
    }
}

gboolean
obd_service_estimate_km_per_day (const ObdOdometerReading *readings,
                                 gsize                     n_readings,
                                 double                   *out_km_per_day)
{
  g_autofree double *days = NULL;
  g_autofree double *km = NULL;
  const GDate *first = NULL;
  gsize n = 0;
  double slope = 0.0;

  g_return_val_if_fail (n_readings == 0 || readings != NULL, FALSE);
  g_return_val_if_fail (out_km_per_day != NULL, FALSE);

  days = g_new (double, MAX (n_readings, 1));
  km = g_new (double, MAX (n_readings, 1));
  for (gsize i = 0; i < n_readings; i++)
    {
      if (!g_date_valid (&readings[i].date) || !isfinite (readings[i].km))
        continue;
      if (first == NULL)
        first = &readings[i].date;
      days[n] = g_date_days_between (first, &readings[i].date);
      km[n] = readings[i].km;
      n++;
    }

  /* Theil–Sen: the median of the pairwise rates, so one odometer misread
   * among several readings does not move the estimate (see obd-trend.h). */
  if (!obd_stats_theil_sen (days, km, n, &slope, NULL))
    return FALSE;

  *out_km_per_day = MAX (slope, 0.0);
  return TRUE;
}
