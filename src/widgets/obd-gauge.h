/* obd-gauge.h — a round 270° gauge that shows a reading and its alert state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The gauge does not judge its value.  Whether a reading is a warning or
 * critical is decided by the alert engine (obd-alerts.h), with its
 * minimum durations, hysteresis and the engine-running rule; the owner
 * passes that verdict in as "alert-state" — e.g. from
 * obd_alert_monitor_get_state() after each batch of samples, whose
 * NORMAL / WARNING / CRITICAL map one to one onto ObdGaugeAlertState.  So
 * a gauge is red exactly when the session has raised a critical alert on
 * its reading, never before the minimum duration and not again while the
 * value hovers inside the hysteresis band.
 *
 * The thresholds only draw the scale: tinted bands that show where the
 * limits lie.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The verdict on the reading, set by the owner. */
typedef enum
{
  OBD_GAUGE_ALERT_STATE_NORMAL = 0,
  OBD_GAUGE_ALERT_STATE_WARNING,
  OBD_GAUGE_ALERT_STATE_CRITICAL,
} ObdGaugeAlertState;

#define OBD_TYPE_GAUGE_ALERT_STATE (obd_gauge_alert_state_get_type ())
GType obd_gauge_alert_state_get_type (void) G_GNUC_CONST;

/* What the gauge shows: UNKNOWN when there is no reading (the value is
 * NaN), else the alert state. */
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

/* Thresholds are NaN when unset.  They tint the scale from a high
 * threshold up, or from a low one down; they do not colour the value. */
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

ObdGaugeAlertState obd_gauge_get_alert_state      (ObdGauge   *self);
void          obd_gauge_set_alert_state            (ObdGauge           *self,
                                                    ObdGaugeAlertState  state);

ObdGaugeZone  obd_gauge_get_zone                   (ObdGauge   *self);

/* The sentence given to assistive technologies, e.g.
 * "Engine speed: 1726 rpm, normal".  Returns a new string. */
char         *obd_gauge_dup_reading_text           (ObdGauge   *self);

G_END_DECLS
