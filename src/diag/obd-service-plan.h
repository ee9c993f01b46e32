/* obd-service-plan.h — a vehicle's maintenance items with their forecast,
 * from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Joins the store's maintenance items and odometer history with the pure
 * forecast of obd-maintenance.h, so the command line, the application and
 * printed reports say the same about what is due.
 */
#pragma once

#include <glib.h>

#include "obd-maintenance.h"
#include "obd-store.h"

G_BEGIN_DECLS

typedef struct
{
  ObdStoreVehicle *vehicle;
  GPtrArray       *items;          /* ObdStoreMaintenanceItem, by id */
  double           odometer_km;    /* < 0 when unknown */
  double           km_per_day;     /* NaN when unknown */
  guint            n_readings;     /* odometer readings the estimate used */
} ObdServicePlan;

/* The vehicle's items and its odometer history: the current reading
 * (dated by the vehicle's last edit) and the reading of every completed
 * service; the highest reading is taken as the odometer. */
ObdServicePlan *obd_service_plan_load     (ObdStore                      *store,
                                           gint64                         vehicle_id,
                                           GError                       **error);
void            obd_service_plan_free     (ObdServicePlan                *plan);
/* The forecast of one of plan's items as of today_us (a real time). */
void            obd_service_plan_forecast (const ObdServicePlan          *plan,
                                           const ObdStoreMaintenanceItem *item,
                                           gint64                         today_us,
                                           ObdServiceForecast            *out_forecast);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdServicePlan, obd_service_plan_free)

G_END_DECLS
