/* obd-service-plan.c — a vehicle's maintenance items with their forecast
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-diagnosis"

#include "config.h"

#include <math.h>

#include "obd-service-plan.h"

static void
date_from_us (GDate  *date,
              gint64  time_us)
{
  g_date_clear (date, 1);
  g_date_set_time_t (date, (time_t) (time_us / G_USEC_PER_SEC));
}

void
obd_service_plan_free (ObdServicePlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->vehicle, obd_store_vehicle_free);
  g_clear_pointer (&plan->items, g_ptr_array_unref);
  g_free (plan);
}

ObdServicePlan *
obd_service_plan_load (ObdStore  *store,
                       gint64     vehicle_id,
                       GError   **error)
{
  g_autoptr(ObdServicePlan) plan = g_new0 (ObdServicePlan, 1);
  g_autoptr(GArray) readings = g_array_new (FALSE, FALSE, sizeof (ObdOdometerReading));
  double km_per_day;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  plan->vehicle = obd_store_get_vehicle (store, vehicle_id, error);
  if (plan->vehicle == NULL)
    return NULL;
  plan->items = obd_store_list_maintenance_items (store, vehicle_id, error);
  if (plan->items == NULL)
    return NULL;

  plan->odometer_km = -1;
  if (plan->vehicle->odometer_km >= 0)
    {
      ObdOdometerReading reading = { .km = plan->vehicle->odometer_km };

      date_from_us (&reading.date, plan->vehicle->updated_us);
      g_array_append_val (readings, reading);
      plan->odometer_km = plan->vehicle->odometer_km;
    }
  for (guint i = 0; i < plan->items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (plan->items, i);
      ObdOdometerReading reading;

      if (item->last_done_km < 0 || item->last_done_us == 0)
        continue;
      reading.km = item->last_done_km;
      date_from_us (&reading.date, item->last_done_us);
      g_array_append_val (readings, reading);
      /* An odometer only counts up: the highest reading is the latest. */
      plan->odometer_km = MAX (plan->odometer_km, reading.km);
    }

  plan->n_readings = readings->len;
  plan->km_per_day = NAN;
  if (obd_service_estimate_km_per_day ((const ObdOdometerReading *) readings->data,
                                       readings->len, &km_per_day))
    plan->km_per_day = km_per_day;

  return g_steal_pointer (&plan);
}

void
obd_service_plan_forecast (const ObdServicePlan          *plan,
                           const ObdStoreMaintenanceItem *stored,
                           gint64                         today_us,
                           ObdServiceForecast            *out_forecast)
{
  ObdServiceItem item = { 0 };
  GDate today;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (stored != NULL);
  g_return_if_fail (out_forecast != NULL);

  item.interval_km = stored->interval_km;
  item.interval_days = (guint) MAX (stored->interval_days, 0);
  item.last_done_km = stored->last_done_km;
  g_date_clear (&item.last_done_date, 1);
  if (stored->last_done_us != 0)
    date_from_us (&item.last_done_date, stored->last_done_us);

  date_from_us (&today, today_us);
  obd_service_forecast (&item, plan->odometer_km, &today, plan->km_per_day, out_forecast);
}
