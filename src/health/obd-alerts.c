/* obd-alerts.c — alerts for abnormal live readings, with hysteresis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-health"
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-alerts.h"

/* ---- severities and kinds ---------------------------------------------- */

static const char *const severity_keys[] = { "info", "warning", "critical" };

const char *
obd_health_severity_get_key (ObdHealthSeverity severity)
{
  g_return_val_if_fail (severity <= OBD_HEALTH_SEVERITY_CRITICAL, NULL);
  return severity_keys[severity];
}

const char *
obd_health_severity_get_label (ObdHealthSeverity severity)
{
  switch (severity)
    {
    case OBD_HEALTH_SEVERITY_INFO:
      return _("Information");
    case OBD_HEALTH_SEVERITY_WARNING:
      return _("Warning");
    case OBD_HEALTH_SEVERITY_CRITICAL:
      return _("Critical");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
obd_health_severity_from_key (const char        *key,
                              ObdHealthSeverity *out_severity)
{
  g_return_val_if_fail (key != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (severity_keys); i++)
    if (g_ascii_strcasecmp (key, severity_keys[i]) == 0)
      {
        if (out_severity != NULL)
          *out_severity = (ObdHealthSeverity) i;
        return TRUE;
      }
  return FALSE;
}

static const char *const kind_keys[] = {
  "coolant-high", "oil-temp-high", "rpm-high", "load-high", "voltage-low",
  "battery-low", "voltage-high", "fuel-trim", "fuel-trim-total", "catalyst-hot",
};
G_STATIC_ASSERT (G_N_ELEMENTS (kind_keys) == OBD_ALERT_KIND_LAST + 1);

const char *
obd_alert_kind_get_key (ObdAlertKind kind)
{
  g_return_val_if_fail (kind <= OBD_ALERT_KIND_LAST, NULL);
  return kind_keys[kind];
}

gboolean
obd_alert_kind_from_key (const char   *key,
                         ObdAlertKind *out_kind)
{
  g_return_val_if_fail (key != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (kind_keys); i++)
    if (strcmp (key, kind_keys[i]) == 0)
      {
        if (out_kind != NULL)
          *out_kind = (ObdAlertKind) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- thresholds -------------------------------------------------------- */

void
obd_alert_thresholds_init_defaults (ObdAlertThresholds *t)
{
  g_return_if_fail (t != NULL);

  *t = (ObdAlertThresholds) {
    .coolant_critical_c = 110.0,
    .coolant_hysteresis_c = 3.0,
    .oil_temp_warning_c = 130.0,
    .oil_temp_hysteresis_c = 3.0,
    .rpm_warning = 6000.0,
    .rpm_hysteresis = 250.0,
    .load_warning_pct = 90.0,
    .load_hysteresis_pct = 5.0,
    .voltage_running_warning_v = 11.8,
    .voltage_running_critical_v = 11.0,
    .voltage_resting_warning_v = 12.2,
    .voltage_high_warning_v = 15.0,
    .voltage_hysteresis_v = 0.2,
    .trim_warning_pct = 10.0,
    .trim_total_critical_pct = 25.0,
    .trim_hysteresis_pct = 2.0,
    .catalyst_warning_c = 900.0,
    .catalyst_critical_c = 1000.0,
    .catalyst_hysteresis_c = 25.0,
    .min_duration_ms = 2000,
    .trim_min_duration_ms = 10000,
    .load_min_duration_ms = 30000,
  };
}

typedef enum
{
  FIELD_LEVEL,       /* any finite number */
  FIELD_POSITIVE,    /* finite and > 0 */
  FIELD_HYSTERESIS,  /* finite and >= 0 */
  FIELD_DURATION,    /* guint milliseconds */
} FieldType;

typedef struct
{
  const char *key;
  gsize       offset;
  FieldType   type;
} ThresholdField;

#define DOUBLE_FIELD(k, f, t) { k, offsetof (ObdAlertThresholds, f), t }

static const ThresholdField threshold_fields[] = {
  DOUBLE_FIELD ("coolant-critical", coolant_critical_c, FIELD_LEVEL),
  DOUBLE_FIELD ("coolant-hysteresis", coolant_hysteresis_c, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("oil-temp-warning", oil_temp_warning_c, FIELD_LEVEL),
  DOUBLE_FIELD ("oil-temp-hysteresis", oil_temp_hysteresis_c, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("rpm-warning", rpm_warning, FIELD_POSITIVE),
  DOUBLE_FIELD ("rpm-hysteresis", rpm_hysteresis, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("load-warning", load_warning_pct, FIELD_POSITIVE),
  DOUBLE_FIELD ("load-hysteresis", load_hysteresis_pct, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("voltage-running-warning", voltage_running_warning_v, FIELD_POSITIVE),
  DOUBLE_FIELD ("voltage-running-critical", voltage_running_critical_v, FIELD_POSITIVE),
  DOUBLE_FIELD ("voltage-resting-warning", voltage_resting_warning_v, FIELD_POSITIVE),
  DOUBLE_FIELD ("voltage-high-warning", voltage_high_warning_v, FIELD_POSITIVE),
  DOUBLE_FIELD ("voltage-hysteresis", voltage_hysteresis_v, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("trim-warning", trim_warning_pct, FIELD_POSITIVE),
  DOUBLE_FIELD ("trim-total-critical", trim_total_critical_pct, FIELD_POSITIVE),
  DOUBLE_FIELD ("trim-hysteresis", trim_hysteresis_pct, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("catalyst-warning", catalyst_warning_c, FIELD_LEVEL),
  DOUBLE_FIELD ("catalyst-critical", catalyst_critical_c, FIELD_LEVEL),
  DOUBLE_FIELD ("catalyst-hysteresis", catalyst_hysteresis_c, FIELD_HYSTERESIS),
  DOUBLE_FIELD ("min-duration-ms", min_duration_ms, FIELD_DURATION),
  DOUBLE_FIELD ("trim-min-duration-ms", trim_min_duration_ms, FIELD_DURATION),
  DOUBLE_FIELD ("load-min-duration-ms", load_min_duration_ms, FIELD_DURATION),
};

#undef DOUBLE_FIELD

static double *
field_double (ObdAlertThresholds   *t,
              const ThresholdField *field)
{
  return (double *) (gpointer) ((guint8 *) t + field->offset);
}

static guint *
field_uint (ObdAlertThresholds   *t,
            const ThresholdField *field)
{
  return (guint *) (gpointer) ((guint8 *) t + field->offset);
}

static gboolean
invalid_value (GError    **error,
               const char *group,
               const char *key,
               const char *why)
{
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               /* Translators: "Alert Thresholds: coolant-critical: must be
                * a positive number" */
               _("%s: %s: %s"), group, key, why);
  return FALSE;
}

gboolean
obd_alert_thresholds_load_from_key_file (ObdAlertThresholds  *thresholds,
                                         GKeyFile            *key_file,
                                         const char          *group,
                                         GError             **error)
{
  ObdAlertThresholds t;

  g_return_val_if_fail (thresholds != NULL, FALSE);
  g_return_val_if_fail (key_file != NULL, FALSE);
  g_return_val_if_fail (group != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_key_file_has_group (key_file, group))
    return TRUE;

  /* Work on a copy so a bad value leaves the caller's thresholds intact. */
  t = *thresholds;

  for (guint i = 0; i < G_N_ELEMENTS (threshold_fields); i++)
    {
      const ThresholdField *field = &threshold_fields[i];
      g_autoptr(GError) local_error = NULL;

      if (!g_key_file_has_key (key_file, group, field->key, NULL))
        continue;

      if (field->type == FIELD_DURATION)
        {
          gint64 ms = g_key_file_get_int64 (key_file, group, field->key, &local_error);

          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (ms < 0 || ms > G_MAXUINT)
            return invalid_value (error, group, field->key,
                                  _("must be a duration in milliseconds"));
          *field_uint (&t, field) = (guint) ms;
        }
      else
        {
          double v = g_key_file_get_double (key_file, group, field->key, &local_error);

          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (!isfinite (v))
            return invalid_value (error, group, field->key, _("must be a number"));
          if (field->type == FIELD_POSITIVE && v <= 0.0)
            return invalid_value (error, group, field->key, _("must be a positive number"));
          if (field->type == FIELD_HYSTERESIS && v < 0.0)
            return invalid_value (error, group, field->key, _("must not be negative"));
          *field_double (&t, field) = v;
        }
    }

  /* A critical level must be worse than its warning level, or the
   * one-alert-per-reading escalation would never reach it. */
  if (t.voltage_running_critical_v >= t.voltage_running_warning_v)
    return invalid_value (error, group, "voltage-running-critical",
                          _("must be lower than voltage-running-warning"));
  if (t.catalyst_critical_c <= t.catalyst_warning_c)
    return invalid_value (error, group, "catalyst-critical",
                          _("must be higher than catalyst-warning"));
  if (t.voltage_high_warning_v <= t.voltage_running_warning_v)
    return invalid_value (error, group, "voltage-high-warning",
                          _("must be higher than voltage-running-warning"));

  *thresholds = t;
  return TRUE;
}

void
obd_alert_thresholds_save_to_key_file (const ObdAlertThresholds *thresholds,
                                       GKeyFile                 *key_file,
                                       const char               *group)
{
  ObdAlertThresholds t;

  g_return_if_fail (thresholds != NULL);
  g_return_if_fail (key_file != NULL);
  g_return_if_fail (group != NULL);

  t = *thresholds;
  for (guint i = 0; i < G_N_ELEMENTS (threshold_fields); i++)
    {
      const ThresholdField *field = &threshold_fields[i];

      if (field->type == FIELD_DURATION)
        g_key_file_set_int64 (key_file, group, field->key, *field_uint (&t, field));
      else
        g_key_file_set_double (key_file, group, field->key, *field_double (&t, field));
    }
}

/* ---- events ------------------------------------------------------------ */

ObdAlertEvent *
obd_alert_event_copy (const ObdAlertEvent *event)
{
  ObdAlertEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = g_new (ObdAlertEvent, 1);
  *copy = *event;
  copy->key = g_strdup (event->key);
  copy->title = g_strdup (event->title);
  copy->message = g_strdup (event->message);
  return copy;
}

void
obd_alert_event_free (ObdAlertEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->key);
  g_free (event->title);
  g_free (event->message);
  g_free (event);
}

/* ---- rules ------------------------------------------------------------- */

typedef enum
{
  DIRECTION_ABOVE,
  DIRECTION_BELOW,
  DIRECTION_ABS_ABOVE,  /* fuel trims: too lean and too rich are both faults */
} Direction;

typedef enum
{
  ENGINE_ANY,
  ENGINE_RUNNING,
  ENGINE_OFF,
} EngineState;

typedef enum
{
  DURATION_DEFAULT,
  DURATION_TRIM,
  DURATION_LOAD,
} DurationType;

typedef enum
{
  MATCH_EXACT,
  MATCH_PREFIX,
  MATCH_TRIM,        /* stft_b1 .. ltft_b2 */
  MATCH_TRIM_TOTAL,  /* either trim of a bank, reported as ltft_bN */
} MatchType;

/* Tiers of an alert: index 0 warning, 1 critical. */
enum { TIER_WARNING, TIER_CRITICAL, N_TIERS };

#define NO_FIELD ((gssize) -1)
#define TF(f) ((gssize) offsetof (ObdAlertThresholds, f))

typedef struct
{
  ObdAlertKind kind;
  MatchType    match;
  const char  *key;
  Direction    direction;
  EngineState  engine;
  gssize       tiers[N_TIERS];  /* offsets of the levels, NO_FIELD if absent */
  gsize        hysteresis;
  DurationType duration;
} AlertRule;

static const AlertRule rules[] = {
  { OBD_ALERT_KIND_COOLANT_HIGH, MATCH_EXACT, "coolant_temp", DIRECTION_ABOVE, ENGINE_ANY,
    { NO_FIELD, TF (coolant_critical_c) }, TF (coolant_hysteresis_c), DURATION_DEFAULT },
  { OBD_ALERT_KIND_OIL_TEMP_HIGH, MATCH_EXACT, "oil_temp", DIRECTION_ABOVE, ENGINE_ANY,
    { TF (oil_temp_warning_c), NO_FIELD }, TF (oil_temp_hysteresis_c), DURATION_DEFAULT },
  { OBD_ALERT_KIND_RPM_HIGH, MATCH_EXACT, "rpm", DIRECTION_ABOVE, ENGINE_ANY,
    { TF (rpm_warning), NO_FIELD }, TF (rpm_hysteresis), DURATION_DEFAULT },
  { OBD_ALERT_KIND_LOAD_HIGH, MATCH_EXACT, "engine_load", DIRECTION_ABOVE, ENGINE_ANY,
    { TF (load_warning_pct), NO_FIELD }, TF (load_hysteresis_pct), DURATION_LOAD },
  { OBD_ALERT_KIND_VOLTAGE_LOW, MATCH_EXACT, "control_module_voltage", DIRECTION_BELOW,
    ENGINE_RUNNING, { TF (voltage_running_warning_v), TF (voltage_running_critical_v) },
    TF (voltage_hysteresis_v), DURATION_DEFAULT },
  { OBD_ALERT_KIND_BATTERY_LOW, MATCH_EXACT, "control_module_voltage", DIRECTION_BELOW,
    ENGINE_OFF, { TF (voltage_resting_warning_v), NO_FIELD }, TF (voltage_hysteresis_v),
    DURATION_DEFAULT },
  { OBD_ALERT_KIND_VOLTAGE_HIGH, MATCH_EXACT, "control_module_voltage", DIRECTION_ABOVE,
    ENGINE_ANY, { TF (voltage_high_warning_v), NO_FIELD }, TF (voltage_hysteresis_v),
    DURATION_DEFAULT },
  { OBD_ALERT_KIND_FUEL_TRIM, MATCH_TRIM, NULL, DIRECTION_ABS_ABOVE, ENGINE_ANY,
    { TF (trim_warning_pct), NO_FIELD }, TF (trim_hysteresis_pct), DURATION_TRIM },
  { OBD_ALERT_KIND_FUEL_TRIM_TOTAL, MATCH_TRIM_TOTAL, NULL, DIRECTION_ABS_ABOVE, ENGINE_ANY,
    { NO_FIELD, TF (trim_total_critical_pct) }, TF (trim_hysteresis_pct), DURATION_TRIM },
  { OBD_ALERT_KIND_CATALYST_HOT, MATCH_PREFIX, "catalyst_temp_", DIRECTION_ABOVE, ENGINE_ANY,
    { TF (catalyst_warning_c), TF (catalyst_critical_c) }, TF (catalyst_hysteresis_c),
    DURATION_DEFAULT },
};

#undef TF

/* The partner trim of a bank is used for the total only when it is this
 * fresh, so a stale reading from a stopped poll cannot raise an alert. */
#define TRIM_PARTNER_MAX_AGE_US (10 * G_USEC_PER_SEC)

static double
threshold_get (const ObdAlertThresholds *t,
               gssize                    offset)
{
  return *(const double *) (gconstpointer) ((const guint8 *) t + offset);
}

/* Parses "stft_b1" style keys: TRUE for a fuel trim, with its bank and
 * whether it is the long-term one. */
static gboolean
parse_trim_key (const char *key,
                gboolean   *out_long_term,
                guint      *out_bank)
{
  if ((g_str_has_prefix (key, "stft_b") || g_str_has_prefix (key, "ltft_b"))
      && (key[6] == '1' || key[6] == '2') && key[7] == '\0')
    {
      *out_long_term = key[0] == 'l';
      *out_bank = (guint) (key[6] - '0');
      return TRUE;
    }
  return FALSE;
}

/* ---- monitor ----------------------------------------------------------- */

typedef struct
{
  double value;
  gint64 time_us;
} LastValue;

typedef struct
{
  const AlertRule *rule;
  char            *key;             /* PID key of the events */
  int              level;           /* 0 none, 1 + TIER_* when active */
  gint64           since[N_TIERS];  /* first sample of the current run beyond
                                     * the tier, -1 when not beyond */
  double           value;
  gint64           time_us;
} AlertState;

struct _ObdAlertMonitor
{
  ObdAlertThresholds  thresholds;
  gboolean            engine_running;
  GPtrArray          *states;       /* AlertState, few enough to scan */
  GHashTable         *last_values;  /* key → LastValue, for trim totals */
};

static void
alert_state_free (gpointer data)
{
  AlertState *state = data;

  g_free (state->key);
  g_free (state);
}

ObdAlertMonitor *
obd_alert_monitor_new (const ObdAlertThresholds *thresholds)
{
  ObdAlertMonitor *self;

  g_return_val_if_fail (thresholds != NULL, NULL);

  self = g_new0 (ObdAlertMonitor, 1);
  self->thresholds = *thresholds;
  self->states = g_ptr_array_new_with_free_func (alert_state_free);
  self->last_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
obd_alert_monitor_free (ObdAlertMonitor *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->states);
  g_hash_table_unref (self->last_values);
  g_free (self);
}

void
obd_alert_monitor_set_thresholds (ObdAlertMonitor          *self,
                                  const ObdAlertThresholds *thresholds)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (thresholds != NULL);

  self->thresholds = *thresholds;
}

void
obd_alert_monitor_set_engine_running (ObdAlertMonitor *self,
                                      gboolean         running)
{
  g_return_if_fail (self != NULL);

  self->engine_running = !!running;
}

void
obd_alert_monitor_reset (ObdAlertMonitor *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->states, 0);
  g_hash_table_remove_all (self->last_values);
}

static AlertState *
lookup_state (ObdAlertMonitor *self,
              const AlertRule *rule,
              const char      *key)
{
  AlertState *state;

  for (guint i = 0; i < self->states->len; i++)
    {
      state = g_ptr_array_index (self->states, i);
      if (state->rule == rule && strcmp (state->key, key) == 0)
        return state;
    }

  state = g_new0 (AlertState, 1);
  state->rule = rule;
  state->key = g_strdup (key);
  for (guint i = 0; i < N_TIERS; i++)
    state->since[i] = -1;
  g_ptr_array_add (self->states, state);
  return state;
}

static gboolean
beyond (Direction direction,
        double    value,
        double    limit)
{
  switch (direction)
    {
    case DIRECTION_ABOVE:
      return value > limit;
    case DIRECTION_BELOW:
      return value < limit;
    case DIRECTION_ABS_ABOVE:
      return fabs (value) > limit;
    default:
      g_assert_not_reached ();
    }
}

/* The limit moved back towards normal by the hysteresis: an active alert
 * stays while the value is beyond this. */
static double
relaxed_limit (Direction direction,
               double    limit,
               double    hysteresis)
{
  return direction == DIRECTION_BELOW ? limit + hysteresis : limit - hysteresis;
}

static const char *
trim_label (const char *key)
{
  gboolean long_term = FALSE;
  guint bank = 0;

  if (!parse_trim_key (key, &long_term, &bank))
    return key;
  if (long_term)
    return bank == 1 ? _("Long-term fuel trim bank 1") : _("Long-term fuel trim bank 2");
  return bank == 1 ? _("Short-term fuel trim bank 1") : _("Short-term fuel trim bank 2");
}

static char *
format_title (const AlertState *state)
{
  switch (state->rule->kind)
    {
    case OBD_ALERT_KIND_COOLANT_HIGH:
      return g_strdup (_("Engine overheating"));
    case OBD_ALERT_KIND_OIL_TEMP_HIGH:
      return g_strdup (_("Engine oil too hot"));
    case OBD_ALERT_KIND_RPM_HIGH:
      return g_strdup (_("Engine speed too high"));
    case OBD_ALERT_KIND_LOAD_HIGH:
      return g_strdup (_("Sustained high engine load"));
    case OBD_ALERT_KIND_VOLTAGE_LOW:
      return g_strdup (_("Charging voltage low"));
    case OBD_ALERT_KIND_BATTERY_LOW:
      return g_strdup (_("Battery weak"));
    case OBD_ALERT_KIND_VOLTAGE_HIGH:
      return g_strdup (_("Battery overcharging"));
    case OBD_ALERT_KIND_FUEL_TRIM:
      /* The sign of the trim tells which way the mixture is off: a positive
       * trim means the ECU adds fuel because the engine runs lean. */
      return g_strdup (state->value > 0 ? _("Engine running lean") : _("Engine running rich"));
    case OBD_ALERT_KIND_FUEL_TRIM_TOTAL:
      return g_strdup (_("Fuel mixture at its correction limit"));
    case OBD_ALERT_KIND_CATALYST_HOT:
      return g_strdup (_("Catalytic converter overheating"));
    default:
      g_assert_not_reached ();
    }
}

static char *
format_raised_message (const AlertState *state,
                       double            limit)
{
  double v = state->value;

  switch (state->rule->kind)
    {
    case OBD_ALERT_KIND_COOLANT_HIGH:
      return g_strdup_printf (_("Coolant is at %.0f °C, above the %.0f °C limit. Stop the "
                                "engine and let it cool; check the coolant level and the "
                                "cooling fan."), v, limit);
    case OBD_ALERT_KIND_OIL_TEMP_HIGH:
      return g_strdup_printf (_("Engine oil is at %.0f °C, above the %.0f °C limit. Ease off "
                                "and let the engine cool; check the oil level and the oil "
                                "cooler."), v, limit);
    case OBD_ALERT_KIND_RPM_HIGH:
      return g_strdup_printf (_("The engine is turning at %.0f rpm, above %.0f rpm. Shift up "
                                "or lift off to avoid engine damage."), v, limit);
    case OBD_ALERT_KIND_LOAD_HIGH:
      return g_strdup_printf (_("Engine load has stayed at %.0f %%, above %.0f %%. Long full "
                                "load heats the engine and the catalytic converter; ease off "
                                "unless the test needs it."), v, limit);
    case OBD_ALERT_KIND_VOLTAGE_LOW:
      return g_strdup_printf (_("System voltage is %.1f V with the engine running, below "
                                "%.1f V: the battery is not being charged. Check the "
                                "alternator drive belt, the alternator output and the "
                                "battery terminals."), v, limit);
    case OBD_ALERT_KIND_BATTERY_LOW:
      return g_strdup_printf (_("The battery rests at %.1f V with the engine off, below "
                                "%.1f V. Charge it and test it; it may fail to start the "
                                "engine next time."), v, limit);
    case OBD_ALERT_KIND_VOLTAGE_HIGH:
      return g_strdup_printf (_("System voltage is %.1f V, above %.1f V. The voltage "
                                "regulator may be faulty; overcharging damages the battery "
                                "and the electronics."), v, limit);
    case OBD_ALERT_KIND_FUEL_TRIM:
      if (v > 0)
        return g_strdup_printf (_("%s is %+.0f %%, beyond ±%.0f %%: the engine control unit "
                                  "keeps adding fuel. Check for vacuum leaks, a dirty "
                                  "air-flow sensor and low fuel pressure."),
                                trim_label (state->key), v, limit);
      return g_strdup_printf (_("%s is %+.0f %%, beyond ±%.0f %%: the engine control unit "
                                "keeps removing fuel. Check for leaking injectors, high fuel "
                                "pressure, a stuck purge valve and the oxygen sensors."),
                              trim_label (state->key), v, limit);
    case OBD_ALERT_KIND_FUEL_TRIM_TOTAL:
      return g_strdup_printf (_("Short- plus long-term fuel trim of bank %c is %+.0f %%, "
                                "beyond ±%.0f %%: the engine control unit has run out of "
                                "correction and the mixture is no longer right. Find the "
                                "cause before driving hard."),
                              state->key[6], v, limit);
    case OBD_ALERT_KIND_CATALYST_HOT:
      return g_strdup_printf (_("Catalytic converter temperature is %.0f °C, above %.0f °C. "
                                "This usually means misfires or a rich mixture burning in the "
                                "converter; reduce load and check for misfires."), v, limit);
    default:
      g_assert_not_reached ();
    }
}

static char *
format_cleared_message (const AlertState *state)
{
  double v = state->value;

  switch (state->rule->kind)
    {
    case OBD_ALERT_KIND_COOLANT_HIGH:
      return g_strdup_printf (_("Coolant is back to %.0f °C."), v);
    case OBD_ALERT_KIND_OIL_TEMP_HIGH:
      return g_strdup_printf (_("Engine oil is back to %.0f °C."), v);
    case OBD_ALERT_KIND_RPM_HIGH:
      return g_strdup_printf (_("Engine speed is back to %.0f rpm."), v);
    case OBD_ALERT_KIND_LOAD_HIGH:
      return g_strdup_printf (_("Engine load is back to %.0f %%."), v);
    case OBD_ALERT_KIND_VOLTAGE_LOW:
    case OBD_ALERT_KIND_BATTERY_LOW:
    case OBD_ALERT_KIND_VOLTAGE_HIGH:
      return g_strdup_printf (_("System voltage is back to %.1f V."), v);
    case OBD_ALERT_KIND_FUEL_TRIM:
      return g_strdup_printf (_("%s is back to %+.0f %%."), trim_label (state->key), v);
    case OBD_ALERT_KIND_FUEL_TRIM_TOTAL:
      return g_strdup_printf (_("Total fuel trim of bank %c is back to %+.0f %%."),
                              state->key[6], v);
    case OBD_ALERT_KIND_CATALYST_HOT:
      return g_strdup_printf (_("Catalytic converter temperature is back to %.0f °C."), v);
    default:
      g_assert_not_reached ();
    }
}

static ObdAlertEvent *
make_event (const ObdAlertMonitor *self,
            const AlertState      *state,
            ObdAlertEventType      type,
            int                    level)
{
  ObdAlertEvent *event = g_new0 (ObdAlertEvent, 1);
  int tier = level - 1;

  g_assert (tier >= 0 && tier < N_TIERS);
  g_assert (state->rule->tiers[tier] != NO_FIELD);

  event->type = type;
  event->kind = state->rule->kind;
  event->severity = tier == TIER_CRITICAL ? OBD_HEALTH_SEVERITY_CRITICAL
                                          : OBD_HEALTH_SEVERITY_WARNING;
  event->key = g_strdup (state->key);
  event->value = state->value;
  event->threshold = threshold_get (&self->thresholds, state->rule->tiers[tier]);
  event->time_us = state->time_us;
  event->title = format_title (state);
  if (type == OBD_ALERT_EVENT_RAISED)
    event->message = format_raised_message (state, event->threshold);
  else
    event->message = format_cleared_message (state);
  return event;
}

static guint
evaluate (ObdAlertMonitor *self,
          const AlertRule *rule,
          const char      *event_key,
          double           value,
          gint64           time_us,
          GPtrArray       *events)
{
  const ObdAlertThresholds *t = &self->thresholds;
  AlertState *state = lookup_state (self, rule, event_key);
  gboolean applicable;
  double hysteresis = threshold_get (t, (gssize) rule->hysteresis);
  gint64 duration_us;
  int raise = 0, hold = 0, new_level;
  guint n = 0;

  applicable = rule->engine == ENGINE_ANY
               || (rule->engine == ENGINE_RUNNING) == self->engine_running;
  switch (rule->duration)
    {
    case DURATION_TRIM:
      duration_us = (gint64) t->trim_min_duration_ms * 1000;
      break;
    case DURATION_LOAD:
      duration_us = (gint64) t->load_min_duration_ms * 1000;
      break;
    case DURATION_DEFAULT:
    default:
      duration_us = (gint64) t->min_duration_ms * 1000;
      break;
    }

  state->value = value;
  state->time_us = time_us;

  for (int tier = 0; tier < N_TIERS; tier++)
    {
      if (rule->tiers[tier] == NO_FIELD)
        continue;
      if (applicable && beyond (rule->direction, value, threshold_get (t, rule->tiers[tier])))
        {
          if (state->since[tier] < 0 || time_us < state->since[tier])
            state->since[tier] = time_us;
          if (time_us - state->since[tier] >= duration_us)
            raise = tier + 1;
        }
      else
        state->since[tier] = -1;
    }

  /* The active level, or a milder one, holds until the value comes back
   * past its limit minus the hysteresis. */
  if (applicable)
    for (int tier = state->level - 1; tier >= 0 && hold == 0; tier--)
      {
        double limit;

        if (rule->tiers[tier] == NO_FIELD)
          continue;
        limit = relaxed_limit (rule->direction, threshold_get (t, rule->tiers[tier]),
                               hysteresis);
        if (beyond (rule->direction, value, limit))
          hold = tier + 1;
      }

  new_level = MAX (raise, hold);
  if (new_level != state->level)
    {
      if (state->level > 0)
        {
          g_ptr_array_add (events, make_event (self, state, OBD_ALERT_EVENT_CLEARED,
                                               state->level));
          n++;
        }
      if (new_level > 0)
        {
          g_ptr_array_add (events, make_event (self, state, OBD_ALERT_EVENT_RAISED,
                                               new_level));
          n++;
        }
      g_debug ("alert %s on %s: level %d → %d at %.2f",
               kind_keys[rule->kind], event_key, state->level, new_level, value);
      state->level = new_level;
    }
  return n;
}

guint
obd_alert_monitor_feed (ObdAlertMonitor *self,
                        const char      *key,
                        double           value,
                        gint64           time_us,
                        GPtrArray       *events)
{
  gboolean long_term = FALSE;
  guint bank = 0;
  gboolean is_trim;
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);
  g_return_val_if_fail (events != NULL, 0);

  if (isnan (value))
    return 0;

  is_trim = parse_trim_key (key, &long_term, &bank);
  if (is_trim)
    {
      LastValue *last = g_hash_table_lookup (self->last_values, key);

      if (last == NULL)
        {
          last = g_new (LastValue, 1);
          g_hash_table_insert (self->last_values, g_strdup (key), last);
        }
      last->value = value;
      last->time_us = time_us;
    }

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const AlertRule *rule = &rules[i];

      switch (rule->match)
        {
        case MATCH_EXACT:
          if (strcmp (key, rule->key) == 0)
            n += evaluate (self, rule, key, value, time_us, events);
          break;

        case MATCH_PREFIX:
          if (g_str_has_prefix (key, rule->key))
            n += evaluate (self, rule, key, value, time_us, events);
          break;

        case MATCH_TRIM:
          if (is_trim)
            n += evaluate (self, rule, key, value, time_us, events);
          break;

        case MATCH_TRIM_TOTAL:
          if (is_trim)
            {
              char partner_key[8], total_key[8];
              LastValue *partner;

              g_snprintf (partner_key, sizeof partner_key, "%s_b%u",
                          long_term ? "stft" : "ltft", bank);
              g_snprintf (total_key, sizeof total_key, "ltft_b%u", bank);
              partner = g_hash_table_lookup (self->last_values, partner_key);
              if (partner != NULL && time_us - partner->time_us <= TRIM_PARTNER_MAX_AGE_US)
                n += evaluate (self, rule, total_key, value + partner->value, time_us, events);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
  return n;
}

static int
compare_active (gconstpointer a,
                gconstpointer b)
{
  const ObdAlertEvent *ea = *(ObdAlertEvent *const *) a;
  const ObdAlertEvent *eb = *(ObdAlertEvent *const *) b;

  if (ea->severity != eb->severity)
    return ea->severity > eb->severity ? -1 : 1;
  if (ea->kind != eb->kind)
    return ea->kind < eb->kind ? -1 : 1;
  return strcmp (ea->key, eb->key);
}

GPtrArray *
obd_alert_monitor_dup_active (ObdAlertMonitor *self)
{
  GPtrArray *active;

  g_return_val_if_fail (self != NULL, NULL);

  active = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  for (guint i = 0; i < self->states->len; i++)
    {
      AlertState *state = g_ptr_array_index (self->states, i);

      if (state->level > 0)
        g_ptr_array_add (active, make_event (self, state, OBD_ALERT_EVENT_RAISED,
                                             state->level));
    }
  g_ptr_array_sort (active, compare_active);
  return active;
}
