/* obd-alerts.h — alerts for abnormal live readings, with hysteresis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A live reading is named by its PID table key ("coolant_temp", "rpm",
 * "control_module_voltage", "ltft_b1", "catalyst_temp_b1s1", ...) and
 * carries its value in SI units, as ObdValue.value does.
 *
 * Default rules (every number lives in ObdAlertThresholds and can be
 * changed from a GKeyFile group):
 *
 *   reading                        condition                      severity
 *   coolant_temp                   > 110 °C                       critical
 *   oil_temp                       > 130 °C                       warning
 *   rpm                            > 6000 rpm                     warning
 *   engine_load                    > 90 %, for 30 s               warning
 *   control_module_voltage,        < 11.8 V                       warning
 *     engine running               < 11.0 V                       critical
 *   control_module_voltage,        < 12.2 V                       warning
 *     engine off (resting)
 *   control_module_voltage         > 15.0 V (overcharging)        warning
 *   stft_bN, ltft_bN               |trim| > 10 %, for 10 s        warning
 *   stft_bN + ltft_bN              |sum| > 25 %, for 10 s         critical
 *   catalyst_temp_*                > 900 °C                       warning
 *                                  > 1000 °C                      critical
 *
 * Why these fuel trim values: a healthy engine keeps its long-term trim
 * within about ±5 % and its short-term trim swinging around zero.  Beyond
 * ±10 % for more than a few seconds the ECU is steadily correcting a real
 * fault (vacuum leak, dirty air-flow sensor, weak pump, leaking injector),
 * which workshops treat as "investigate".  Most ECUs set P0171/P0172
 * (system too lean/rich) when the combined correction reaches about ±25 %,
 * the end of their authority: the mixture can no longer be held at
 * stoichiometric, so that is the critical level.  Trims swing during
 * transients (tip-in, deceleration fuel cut), hence their longer minimum
 * duration.  Likewise a full-throttle acceleration reaches 100 % load for
 * several seconds in a healthy car; only load held above 90 % for half a
 * minute (towing uphill, a dragging brake, a blocked exhaust) is news.
 *
 * Battery voltage: a resting lead-acid battery at 12.2 V is about half
 * charged.  With the engine running the alternator normally holds
 * 13.5-14.7 V, but "smart" charging systems let it sag to about 12.3 V when
 * the battery is full, so the running limits sit below that: 11.8 V means
 * the battery is being drained, 11.0 V means the electronics are close to
 * browning out.  Whether the engine runs is an input
 * (obd_alert_monitor_set_engine_running()); callers usually derive it from
 * rpm > 400.
 *
 * Flapping: an alert is raised only when its condition has held on every
 * sample for at least the minimum duration (min_duration_ms, or
 * trim_min_duration_ms for fuel trims and load_min_duration_ms for engine
 * load), measured from the first sample
 * beyond the threshold to the current one.  It is cleared when the value
 * comes back past the threshold minus the hysteresis (e.g. coolant at or
 * below 107 °C for a 110 °C limit with 3 °C hysteresis) — at once, since
 * going back to normal needs no confirmation.
 *
 * A reading with a warning and a critical level (voltage, catalyst) has one
 * alert at a time: escalating emits CLEARED for the warning, then RAISED for
 * the critical alert; falling back does the reverse.  So every alert has a
 * simple RAISED ... CLEARED life, which is what notifications store.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared by alerts, codes and health deductions; ordered, so CRITICAL >
 * WARNING > INFO can be compared. */
typedef enum
{
  OBD_HEALTH_SEVERITY_INFO = 0,
  OBD_HEALTH_SEVERITY_WARNING,
  OBD_HEALTH_SEVERITY_CRITICAL,
} ObdHealthSeverity;

/* Stable keys "info", "warning", "critical". */
const char *obd_health_severity_get_key   (ObdHealthSeverity  severity);
/* Translated: "Information", "Warning", "Critical". */
const char *obd_health_severity_get_label (ObdHealthSeverity  severity);
gboolean    obd_health_severity_from_key  (const char        *key,
                                           ObdHealthSeverity *out_severity);

/* What an alert is about; one kind may apply to several readings (both
 * banks, every catalyst sensor). */
typedef enum
{
  OBD_ALERT_KIND_COOLANT_HIGH = 0,
  OBD_ALERT_KIND_OIL_TEMP_HIGH,
  OBD_ALERT_KIND_RPM_HIGH,
  OBD_ALERT_KIND_LOAD_HIGH,
  OBD_ALERT_KIND_VOLTAGE_LOW,       /* engine running: not charging */
  OBD_ALERT_KIND_BATTERY_LOW,       /* engine off: resting battery weak */
  OBD_ALERT_KIND_VOLTAGE_HIGH,      /* overcharging */
  OBD_ALERT_KIND_FUEL_TRIM,         /* one trim beyond its limit */
  OBD_ALERT_KIND_FUEL_TRIM_TOTAL,   /* short + long term of a bank */
  OBD_ALERT_KIND_CATALYST_HOT,
} ObdAlertKind;

#define OBD_ALERT_KIND_LAST OBD_ALERT_KIND_CATALYST_HOT

/* Stable keys: "coolant-high", "oil-temp-high", "rpm-high", "load-high",
 * "voltage-low", "battery-low", "voltage-high", "fuel-trim",
 * "fuel-trim-total", "catalyst-hot". */
const char *obd_alert_kind_get_key  (ObdAlertKind  kind);
gboolean    obd_alert_kind_from_key (const char   *key,
                                     ObdAlertKind *out_kind);

/* Plain data; copy by value.  Temperatures °C, voltages V, trims and load
 * %, hysteresis in the unit of its reading, durations in milliseconds. */
typedef struct
{
  double coolant_critical_c;
  double coolant_hysteresis_c;
  double oil_temp_warning_c;
  double oil_temp_hysteresis_c;
  double rpm_warning;
  double rpm_hysteresis;
  double load_warning_pct;
  double load_hysteresis_pct;
  double voltage_running_warning_v;
  double voltage_running_critical_v;
  double voltage_resting_warning_v;
  double voltage_high_warning_v;
  double voltage_hysteresis_v;
  double trim_warning_pct;
  double trim_total_critical_pct;
  double trim_hysteresis_pct;
  double catalyst_warning_c;
  double catalyst_critical_c;
  double catalyst_hysteresis_c;
  guint  min_duration_ms;
  guint  trim_min_duration_ms;
  guint  load_min_duration_ms;
} ObdAlertThresholds;

/* The group preferences and the CLI use by default. */
#define OBD_ALERT_THRESHOLDS_GROUP "Alert Thresholds"

/* Fills thresholds with the defaults in the table above; hysteresis
 * 3 °C (coolant, oil), 250 rpm, 5 % load, 0.2 V, 2 % trim, 25 °C catalyst;
 * min_duration_ms 2000, trim_min_duration_ms 10000, load_min_duration_ms
 * 30000. */
void     obd_alert_thresholds_init_defaults   (ObdAlertThresholds       *thresholds);

/* Reads the keys present in group (kebab-case field names without the
 * unit suffix: "coolant-critical", "voltage-running-warning",
 * "min-duration-ms", ...); absent keys keep their current value, so init
 * with the defaults first.  A missing group is not an error.  A value that
 * is not a number, is negative where it cannot be, or contradicts its
 * partner (a critical level milder than its warning level) fails with
 * G_KEY_FILE_ERROR_INVALID_VALUE, and thresholds is left unchanged. */
gboolean obd_alert_thresholds_load_from_key_file (ObdAlertThresholds   *thresholds,
                                                  GKeyFile             *key_file,
                                                  const char           *group,
                                                  GError              **error);
/* Writes every key to group. */
void     obd_alert_thresholds_save_to_key_file   (const ObdAlertThresholds *thresholds,
                                                  GKeyFile                 *key_file,
                                                  const char               *group);

typedef enum
{
  OBD_ALERT_EVENT_RAISED = 0,
  OBD_ALERT_EVENT_CLEARED,
} ObdAlertEventType;

typedef struct
{
  ObdAlertEventType  type;
  ObdAlertKind       kind;
  ObdHealthSeverity  severity;
  char              *key;        /* PID key of the reading; for
                                  * FUEL_TRIM_TOTAL the bank's "ltft_bN" */
  double             value;      /* the reading (for FUEL_TRIM_TOTAL the sum) */
  double             threshold;  /* the limit that was crossed */
  gint64             time_us;    /* time of the sample that caused the event */
  char              *title;      /* translated; the same for RAISED and CLEARED
                                  * so a UI can pair them: "Engine overheating" */
  char              *message;    /* translated, what happened and what to do */
} ObdAlertEvent;

ObdAlertEvent *obd_alert_event_copy (const ObdAlertEvent *event);
void           obd_alert_event_free (ObdAlertEvent       *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdAlertEvent, obd_alert_event_free)

typedef struct _ObdAlertMonitor ObdAlertMonitor;

/* thresholds is copied. */
ObdAlertMonitor *obd_alert_monitor_new                (const ObdAlertThresholds *thresholds);
void             obd_alert_monitor_free               (ObdAlertMonitor          *monitor);
/* Replaces the thresholds; active alerts are re-checked at their next
 * sample. */
void             obd_alert_monitor_set_thresholds     (ObdAlertMonitor          *monitor,
                                                       const ObdAlertThresholds *thresholds);
/* Default FALSE.  Voltage alerts of the other state clear at the next
 * voltage sample. */
void             obd_alert_monitor_set_engine_running (ObdAlertMonitor          *monitor,
                                                       gboolean                  running);
/* Feeds one sample (times must not go backwards per key; a NaN value is
 * ignored).  Appends the resulting ObdAlertEvent to events (a GPtrArray
 * with obd_alert_event_free as free func) and returns how many. */
guint            obd_alert_monitor_feed               (ObdAlertMonitor          *monitor,
                                                       const char               *key,
                                                       double                    value,
                                                       gint64                    time_us,
                                                       GPtrArray                *events);
/* The alerts raised and not cleared, as RAISED events with the latest
 * value, most severe first.  Free with g_ptr_array_unref. */
GPtrArray       *obd_alert_monitor_dup_active         (ObdAlertMonitor          *monitor);
/* Forgets every alert and pending condition, emitting nothing. */
void             obd_alert_monitor_reset              (ObdAlertMonitor          *monitor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdAlertMonitor, obd_alert_monitor_free)

G_END_DECLS
