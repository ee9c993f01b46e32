/* obd-alerts.h — alerts for abnormal live readings, with hysteresis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A live reading is named by its PID table key ("coolant_temp", "rpm",
 * "control_module_voltage", "ltft_b1", "catalyst_temp_b1s1", ...) and
 * carries its value in SI units, as ObdValue.value does.
 *
 * Default rules (every limit lives in ObdAlertThresholds; the table
 * obd_alert_limits_get() names each one with its GSettings key, which is
 * also its key-file key, and the PIDs it reads):
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
 * browning out.  Whether the engine runs follows the rpm the monitor is
 * fed (above OBD_ALERT_ENGINE_RUNNING_RPM), so every caller applies the
 * same resting-voltage rule; obd_alert_monitor_set_engine_running() sets
 * it for callers without an rpm reading.
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
 *
 * What a gauge shows is the monitor's verdict, not a second comparison of
 * the value with the limits: obd_alert_monitor_get_state() gives, per
 * reading, the level of the alerts active on it after minimum duration,
 * hysteresis and the resting-voltage rule.
 */
#pragma once

#include <glib.h>

#include "obd-severity.h"

G_BEGIN_DECLS

/* Alerts, codes and health deductions grade on the one ObdSeverity scale.
 * These names are the same enum under the health layer's old spelling,
 * kept so callers outside src/health compile unchanged; new code uses
 * ObdSeverity and obd_severity_*(). */
typedef ObdSeverity ObdHealthSeverity;
#define OBD_HEALTH_SEVERITY_INFO       OBD_SEVERITY_INFO
#define OBD_HEALTH_SEVERITY_WARNING    OBD_SEVERITY_WARNING
#define OBD_HEALTH_SEVERITY_CRITICAL   OBD_SEVERITY_CRITICAL
#define obd_health_severity_get_key    obd_severity_get_key
#define obd_health_severity_get_label  obd_severity_get_label

/* What an alert is about; one kind may apply to several readings (both
 * banks, every catalyst sensor).  GEnum OBD_TYPE_ALERT_KIND, nicks as the
 * keys below. */
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
/* Unknown text fails with G_IO_ERROR_INVALID_DATA. */
gboolean    obd_alert_kind_from_key (const char   *key,
                                     ObdAlertKind *out_kind,
                                     GError      **error);

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

/* Above this engine speed the engine counts as running (cranking stays
 * below it), which picks the running or the resting voltage limits. */
#define OBD_ALERT_ENGINE_RUNNING_RPM 400.0

typedef enum
{
  OBD_ALERT_DIRECTION_ABOVE = 0,
  OBD_ALERT_DIRECTION_BELOW,
  OBD_ALERT_DIRECTION_EITHER_WAY,   /* |value| above: fuel trims */
} ObdAlertDirection;

typedef enum
{
  OBD_ALERT_ENGINE_ANY = 0,
  OBD_ALERT_ENGINE_RUNNING,
  OBD_ALERT_ENGINE_OFF,
} ObdAlertEngineState;

/* One user-settable limit: THE table that joins a GSettings key, a field
 * of ObdAlertThresholds, the readings it watches and the alert it raises.
 * Preferences, the CLI, the gauges' scale bands and the list of PIDs the
 * alerts need to be polled all come from here. */
typedef struct
{
  const char          *settings_key;  /* GSettings key (type "d") and key-file
                                       * key: "coolant-critical" */
  ObdAlertKind         kind;
  ObdSeverity          severity;      /* the level crossing it raises */
  ObdAlertDirection    direction;
  ObdAlertEngineState  engine;        /* when the limit applies */
  const char          *pid_key;       /* PID table key of the reading,
                                       * "coolant_temp"; several keys
                                       * comma-separated (the fuel trims);
                                       * or, with pid_key_is_prefix, a
                                       * prefix ("catalyst_temp_") */
  gboolean             pid_key_is_prefix;
  gboolean             of_sum;        /* the limit is on stft_bN + ltft_bN */
  guint8               pids[4];       /* Mode 01 PIDs it reads, 0-terminated */
  double               default_value;
  double               min_value;     /* the range preferences accept */
  double               max_value;
  gsize                offset;        /* of the double in ObdAlertThresholds */
} ObdAlertLimit;

/* Every limit, in a fixed order (the preferences show them in it). */
const ObdAlertLimit *obd_alert_limits_get            (gsize        *n_limits);
/* The limit with that GSettings key, or NULL. */
const ObdAlertLimit *obd_alert_limit_lookup          (const char   *settings_key);
/* The limits that apply to a reading (by PID table key), in table order,
 * written to out_limits; returns how many (at most max_limits). */
gsize                obd_alert_limits_for_pid_key    (const char           *pid_key,
                                                      const ObdAlertLimit **out_limits,
                                                      gsize                 max_limits);
/* Every Mode 01 PID some alert reads, ascending, plus engine speed (0x0C,
 * for the engine-running rule); pollers watch these in the background so
 * alerts work whatever is on screen. */
const guint8        *obd_alert_get_watched_pids      (gsize        *n_pids);

double   obd_alert_thresholds_get   (const ObdAlertThresholds *thresholds,
                                     const ObdAlertLimit      *limit);
/* Sets one limit after checking it is a finite number within the limit's
 * range (G_KEY_FILE_ERROR_INVALID_VALUE otherwise, thresholds unchanged).
 * Consistency between limits is checked by obd_alert_thresholds_validate(). */
gboolean obd_alert_thresholds_set   (ObdAlertThresholds       *thresholds,
                                     const ObdAlertLimit      *limit,
                                     double                    value,
                                     GError                  **error);
/* FALSE (G_KEY_FILE_ERROR_INVALID_VALUE, naming the key) when a critical
 * level is milder than its warning level, or the high voltage limit is not
 * above the running warning. */
gboolean obd_alert_thresholds_validate (const ObdAlertThresholds *thresholds,
                                        GError                  **error);

/* Fills thresholds with the defaults in the table above; hysteresis
 * 3 °C (coolant, oil), 250 rpm, 5 % load, 0.2 V, 2 % trim, 25 °C catalyst;
 * min_duration_ms 2000, trim_min_duration_ms 10000, load_min_duration_ms
 * 30000. */
void     obd_alert_thresholds_init_defaults   (ObdAlertThresholds       *thresholds);

/* Reads the keys present in group: the limits by their GSettings keys
 * ("coolant-critical", "voltage-low-warning", "trim-critical", ...), the
 * hysteresis values as "coolant-hysteresis", "oil-temp-hysteresis",
 * "rpm-hysteresis", "load-hysteresis", "voltage-hysteresis",
 * "trim-hysteresis", "catalyst-hysteresis", and "min-duration-ms",
 * "trim-min-duration-ms", "load-min-duration-ms".  Absent keys keep their
 * current value, so init with the defaults first.  A missing group is not
 * an error.  A value that is not a number, is out of its range, or
 * contradicts its partner fails with G_KEY_FILE_ERROR_INVALID_VALUE, and
 * thresholds is left unchanged. */
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
  ObdSeverity        severity;
  char              *key;        /* PID key of the reading; for
                                  * FUEL_TRIM_TOTAL the bank's "ltft_bN" */
  double             value;      /* the reading (for FUEL_TRIM_TOTAL the sum) */
  double             threshold;  /* the limit that was crossed */
  gint64             time_us;    /* time of the sample that caused the event */
  char              *title;      /* translated; the same for RAISED and CLEARED
                                  * so a UI can pair them: "Engine overheating" */
  char              *message;    /* translated, what happened and what to do */
} ObdAlertEvent;

/* The title of an alert of that kind on that value (ObdAlertEvent.title),
 * for alerts read back from the store. */
char          *obd_alert_dup_title  (ObdAlertKind         kind,
                                     double               value);

ObdAlertEvent *obd_alert_event_copy (const ObdAlertEvent *event);
void           obd_alert_event_free (ObdAlertEvent       *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdAlertEvent, obd_alert_event_free)

/* A reading's alert state, as a gauge shows it.  GEnum
 * OBD_TYPE_ALERT_STATE, nicks "normal", "warning", "critical". */
typedef enum
{
  OBD_ALERT_STATE_NORMAL = 0,
  OBD_ALERT_STATE_WARNING,
  OBD_ALERT_STATE_CRITICAL,
} ObdAlertState;

typedef struct _ObdAlertMonitor ObdAlertMonitor;

/* thresholds is copied. */
ObdAlertMonitor *obd_alert_monitor_new                (const ObdAlertThresholds *thresholds);
void             obd_alert_monitor_free               (ObdAlertMonitor          *monitor);
/* Replaces the thresholds; active alerts are re-checked at their next
 * sample. */
void             obd_alert_monitor_set_thresholds     (ObdAlertMonitor          *monitor,
                                                       const ObdAlertThresholds *thresholds);
/* Default FALSE; every "rpm" sample fed sets it (rpm above
 * OBD_ALERT_ENGINE_RUNNING_RPM).  Voltage alerts of the other state clear
 * at the next voltage sample. */
void             obd_alert_monitor_set_engine_running (ObdAlertMonitor          *monitor,
                                                       gboolean                  running);
gboolean         obd_alert_monitor_get_engine_running (ObdAlertMonitor          *monitor);
/* Feeds one sample (times must not go backwards per key; a NaN value is
 * ignored).  Appends the resulting ObdAlertEvent to events (a GPtrArray
 * with obd_alert_event_free as free func) and returns how many. */
guint            obd_alert_monitor_feed               (ObdAlertMonitor          *monitor,
                                                       const char               *key,
                                                       double                    value,
                                                       gint64                    time_us,
                                                       GPtrArray                *events);
/* The state of one reading (PID table key, "coolant_temp"): the level of
 * the most severe alert active on it — for a fuel trim including its
 * bank's total — or NORMAL.  This is what a gauge of that reading shows;
 * it changes only when feed() returns events. */
ObdAlertState    obd_alert_monitor_get_state          (ObdAlertMonitor          *monitor,
                                                       const char               *key);
/* The alerts raised and not cleared, as RAISED events with the latest
 * value, most severe first.  Free with g_ptr_array_unref. */
GPtrArray       *obd_alert_monitor_dup_active         (ObdAlertMonitor          *monitor);
/* Forgets every alert and pending condition, emitting nothing. */
void             obd_alert_monitor_reset              (ObdAlertMonitor          *monitor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdAlertMonitor, obd_alert_monitor_free)

G_END_DECLS
