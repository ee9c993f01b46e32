/* obd-gauge.h — a round 270° gauge with warning and critical zones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Which band of the scale the current value lies in.  UNKNOWN means there
 * is no reading (the value is NaN). */
typedef enum
{
  OBD_GAUGE_ZONE_UNKNOWN = 0,
  OBD_GAUGE_ZONE_NORMAL,
  OBD_GAUGE_ZONE_WARNING,
  OBD_GAUGE_ZONE_CRITICAL,
} ObdGaugeZone;

#define OBD_TYPE_GAUGE_ZONE (obd_gauge_zone_get_type ())
GType obd_gauge_zone_get_type (void) G_GNUC_CONST;

#define OBD_TYPE_GAUGE (obd_gauge_get_type ())
G_DECLARE_FINAL_TYPE (ObdGauge, obd_gauge, OBD, GAUGE, GtkWidget)

GtkWidget    *obd_gauge_new                        (void);

/* NaN means "no reading" for the value and "unset" for a threshold; a new
 * gauge starts with NaN in all of them.  GObject refuses NaN through
 * g_object_set() (it fails every range check), so clear them with these
 * setters. */

double        obd_gauge_get_value                  (ObdGauge   *self);
void          obd_gauge_set_value                  (ObdGauge   *self,
                                                    double      value);
double        obd_gauge_get_min_value              (ObdGauge   *self);
void          obd_gauge_set_min_value              (ObdGauge   *self,
                                                    double      min_value);
double        obd_gauge_get_max_value              (ObdGauge   *self);
void          obd_gauge_set_max_value              (ObdGauge   *self,
                                                    double      max_value);
const char   *obd_gauge_get_label                  (ObdGauge   *self);
void          obd_gauge_set_label                  (ObdGauge   *self,
                                                    const char *label);
const char   *obd_gauge_get_unit                   (ObdGauge   *self);
void          obd_gauge_set_unit                   (ObdGauge   *self,
                                                    const char *unit);

/* Thresholds are NaN when unset.  A value at or above a high threshold,
 * or at or below a low one, is in that threshold's zone. */
double        obd_gauge_get_warning_threshold      (ObdGauge   *self);
void          obd_gauge_set_warning_threshold      (ObdGauge   *self,
                                                    double      threshold);
double        obd_gauge_get_critical_threshold     (ObdGauge   *self);
void          obd_gauge_set_critical_threshold     (ObdGauge   *self,
                                                    double      threshold);
double        obd_gauge_get_low_warning_threshold  (ObdGauge   *self);
void          obd_gauge_set_low_warning_threshold  (ObdGauge   *self,
                                                    double      threshold);
double        obd_gauge_get_low_critical_threshold (ObdGauge   *self);
void          obd_gauge_set_low_critical_threshold (ObdGauge   *self,
                                                    double      threshold);

guint         obd_gauge_get_digits                 (ObdGauge   *self);
void          obd_gauge_set_digits                 (ObdGauge   *self,
                                                    guint       digits);

ObdGaugeZone  obd_gauge_get_zone                   (ObdGauge   *self);

/* The sentence given to assistive technologies, e.g.
 * "Engine speed: 1726 rpm, normal".  Returns a new string. */
char         *obd_gauge_dup_reading_text           (ObdGauge   *self);

G_END_DECLS
