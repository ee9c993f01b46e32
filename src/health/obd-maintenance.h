/* obd-maintenance.h — service items: due, overdue, and when next
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A service item repeats every interval_km kilometres and/or every
 * interval_days days, whichever comes first, counted from when it was
 * last done.  Days, as the store keeps them (a year is 365 days, a
 * maker's "every 2 years" 730): the store, this forecast and every view
 * count the same unit, so nothing converts and nothing rounds on the way.
 * Given the odometer and today:
 *
 *   due at        last done km + interval_km;  last done date + interval_days
 *   remaining     due − now, per dimension (negative when past)
 *   margin        the larger of 10 % of the interval and 500 km / 14 days:
 *                 enough warning to book the work, even for short intervals
 *   status        OVERDUE  when any dimension is past its due point;
 *                 DUE      when any dimension is within its margin (or
 *                          exactly at its due point);
 *                 OK       otherwise;
 *                 DONE     for one-off work (no interval) already done.
 *                 One-off work not yet done is DUE.
 *
 * Never done: the distance is counted from 0 km (a new car's first service
 * falls due at the interval), and the time dimension is skipped when there
 * is no date to count from, since a purchase date is not known here.
 *
 * Prediction: from the vehicle's recorded odometer readings, a robust
 * distance per day (the Theil–Sen slope of km over days: one misread or
 * mistyped reading among several does not move it; a negative slope
 * becomes 0).  The predicted date is the earlier of the time-based due
 * date and today + remaining km / (km per day); it lies in the past for
 * overdue items ("was due around").
 *
 * Values are SI (km, days); formatting in miles is the caller's job.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  OBD_SERVICE_STATUS_OK = 0,
  OBD_SERVICE_STATUS_DUE,
  OBD_SERVICE_STATUS_OVERDUE,
  OBD_SERVICE_STATUS_DONE,
} ObdServiceStatus;

/* Stable keys "ok", "due", "overdue", "done" (the store's DUE / OVERDUE /
 * DONE, DESIGN.md §6, in lower case). */
const char *obd_service_status_get_key   (ObdServiceStatus   status);
/* Case-insensitive (the store's "DUE" too); other text fails with
 * G_IO_ERROR_INVALID_DATA. */
gboolean    obd_service_status_from_key  (const char        *key,
                                          ObdServiceStatus  *out_status,
                                          GError           **error);
/* Translated: "OK", "Due", "Overdue", "Done". */
const char *obd_service_status_get_label (ObdServiceStatus  status);

typedef struct
{
  const char *key;              /* stable: "oil-change" */
  const char *label;            /* English, marked N_(); see _get_label() */
  double      interval_km;      /* 0: no distance interval */
  guint       interval_days;    /* 0: no time interval */
} ObdServiceSchedule;

/* A generic petrol-car schedule: oil and filter 15000 km / 1 year, air
 * filter 30000 km / 2 years, cabin filter 15000 / 1, spark plugs 60000 / 4,
 * brake fluid 2 years, coolant 100000 / 5, timing belt 100000 / 6 (years
 * of 365 days, plus a leap day every four).
 * The maker's schedule always wins; these are the defaults a workshop
 * starts from. */
const ObdServiceSchedule *obd_service_get_default_schedule (gsize       *n_items);
const ObdServiceSchedule *obd_service_schedule_lookup      (const char  *key);
/* Translated label. */
const char               *obd_service_schedule_get_label   (const ObdServiceSchedule *schedule);

typedef struct
{
  double interval_km;       /* 0: none */
  guint  interval_days;     /* 0: none */
  double last_done_km;      /* < 0: never recorded */
  GDate  last_done_date;    /* invalid (cleared): never recorded */
} ObdServiceItem;

/* Fills item from a schedule entry, never done. */
void obd_service_item_init_from_schedule (ObdServiceItem           *item,
                                          const ObdServiceSchedule *schedule);

typedef struct
{
  ObdServiceStatus status;

  gboolean by_distance;       /* the fields below are set */
  double   due_km;
  double   remaining_km;
  double   margin_km;

  gboolean by_time;
  GDate    due_date;
  gint     remaining_days;
  gint     margin_days;

  gboolean has_prediction;
  GDate    predicted_date;
  gint     predicted_days;    /* from today; negative when overdue */
} ObdServiceForecast;

/* odometer_km < 0 when unknown (the distance dimension is then skipped);
 * km_per_day <= 0 or NaN when unknown (the prediction then uses the time
 * dimension only). */
void     obd_service_forecast              (const ObdServiceItem *item,
                                            double                odometer_km,
                                            const GDate          *today,
                                            double                km_per_day,
                                            ObdServiceForecast   *out_forecast);

typedef struct
{
  GDate  date;
  double km;
} ObdOdometerReading;

/* Robust km per day from readings in any order.  FALSE when fewer than
 * two distinct dates exist. */
gboolean obd_service_estimate_km_per_day   (const ObdOdometerReading *readings,
                                            gsize                     n_readings,
                                            double                   *out_km_per_day);

G_END_DECLS
