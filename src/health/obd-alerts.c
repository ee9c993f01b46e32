/* obd-alerts.c — alerts for abnormal live readings, with hysteresis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-health"
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "obd-alerts.h"
#include "obd-enums.h"
#include "obd-health-enum-types.h"

/* ---- kinds ------------------------------------------------------------- */

const char *
obd_alert_kind_get_key (ObdAlertKind kind)
{
  g_return_val_if_fail (kind <= OBD_ALERT_KIND_LAST, NULL);
  return obd_enum_get_nick (OBD_TYPE_ALERT_KIND, kind);
}

gboolean
obd_alert_kind_from_key (const char    *key,
                         ObdAlertKind  *out_kind,
                         GError       **error)
{
  int value;

  if (!obd_enum_from_nick (OBD_TYPE_ALERT_KIND, key, &value, error))
    return FALSE;
  if (out_kind != NULL)
    *out_kind = (ObdAlertKind) value;
  return TRUE;
}

/* ---- the limits -------------------------------------------------------- */

#define TF(f) offsetof (ObdAlertThresholds, f)

/* The one table.  Keys, defaults and ranges are those of the GSettings
 * schema (data/io.github.obd2diagnostics.Workshop.gschema.xml); the test
 * /health/alerts/limits-match-schema compares the two. */
static const ObdAlertLimit limits[] = {
  { "coolant-critical", OBD_ALERT_KIND_COOLANT_HIGH, OBD_SEVERITY_CRITICAL,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "coolant_temp", FALSE, FALSE,
    { 0x05 }, 110.0, 50.0, 150.0, TF (coolant_critical_c) },
  { "oil-warning", OBD_ALERT_KIND_OIL_TEMP_HIGH, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "oil_temp", FALSE, FALSE,
    { 0x5C }, 130.0, 50.0, 200.0, TF (oil_temp_warning_c) },
  { "rpm-warning", OBD_ALERT_KIND_RPM_HIGH, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "rpm", FALSE, FALSE,
    { 0x0C }, 6000.0, 1000.0, 16000.0, TF (rpm_warning) },
  { "load-warning", OBD_ALERT_KIND_LOAD_HIGH, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "engine_load", FALSE, FALSE,
    { 0x04 }, 90.0, 10.0, 100.0, TF (load_warning_pct) },
  { "voltage-low-warning", OBD_ALERT_KIND_VOLTAGE_LOW, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_BELOW, OBD_ALERT_ENGINE_RUNNING, "control_module_voltage", FALSE, FALSE,
    { 0x42 }, 11.8, 6.0, 16.0, TF (voltage_running_warning_v) },
  { "voltage-low-critical", OBD_ALERT_KIND_VOLTAGE_LOW, OBD_SEVERITY_CRITICAL,
    OBD_ALERT_DIRECTION_BELOW, OBD_ALERT_ENGINE_RUNNING, "control_module_voltage", FALSE, FALSE,
    { 0x42 }, 11.0, 6.0, 16.0, TF (voltage_running_critical_v) },
  { "voltage-resting-warning", OBD_ALERT_KIND_BATTERY_LOW, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_BELOW, OBD_ALERT_ENGINE_OFF, "control_module_voltage", FALSE, FALSE,
    { 0x42 }, 12.2, 6.0, 16.0, TF (voltage_resting_warning_v) },
  { "voltage-high-warning", OBD_ALERT_KIND_VOLTAGE_HIGH, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "control_module_voltage", FALSE, FALSE,
    { 0x42 }, 15.0, 12.0, 20.0, TF (voltage_high_warning_v) },
  { "trim-warning", OBD_ALERT_KIND_FUEL_TRIM, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_EITHER_WAY, OBD_ALERT_ENGINE_ANY, "stft_b1,ltft_b1,stft_b2,ltft_b2",
    FALSE, FALSE, { 0x06, 0x07, 0x08, 0x09 }, 10.0, 1.0, 100.0, TF (trim_warning_pct) },
  { "trim-critical", OBD_ALERT_KIND_FUEL_TRIM_TOTAL, OBD_SEVERITY_CRITICAL,
    OBD_ALERT_DIRECTION_EITHER_WAY, OBD_ALERT_ENGINE_ANY, "stft_b1,ltft_b1,stft_b2,ltft_b2",
    FALSE, TRUE, { 0x06, 0x07, 0x08, 0x09 }, 25.0, 1.0, 100.0, TF (trim_total_critical_pct) },
  { "catalyst-warning", OBD_ALERT_KIND_CATALYST_HOT, OBD_SEVERITY_WARNING,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "catalyst_temp_", TRUE, FALSE,
    { 0x3C, 0x3D, 0x3E, 0x3F }, 900.0, 300.0, 1400.0, TF (catalyst_warning_c) },
  { "catalyst-critical", OBD_ALERT_KIND_CATALYST_HOT, OBD_SEVERITY_CRITICAL,
    OBD_ALERT_DIRECTION_ABOVE, OBD_ALERT_ENGINE_ANY, "catalyst_temp_", TRUE, FALSE,
    { 0x3C, 0x3D, 0x3E, 0x3F }, 1000.0, 300.0, 1400.0, TF (catalyst_critical_c) },
};

const ObdAlertLimit *
obd_alert_limits_get (gsize *n_limits)
{
  if (n_limits != NULL)
    *n_limits = G_N_ELEMENTS (limits);
  return limits;
}

const ObdAlertLimit *
obd_alert_limit_lookup (const char *settings_key)
{
  g_return_val_if_fail (settings_key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    if (strcmp (limits[i].settings_key, settings_key) == 0)
      return &limits[i];
  return NULL;
}

/* Whether a limit watches the reading with this PID table key.  pid_key of
 * a limit is one key, a prefix, or a comma-separated list (fuel trims). */
static gboolean
limit_matches (const ObdAlertLimit *limit,
               const char          *key)
{
  if (limit->pid_key_is_prefix)
    return g_str_has_prefix (key, limit->pid_key);
  if (strchr (limit->pid_key, ',') != NULL)
    {
      g_auto(GStrv) keys = g_strsplit (limit->pid_key, ",", -1);

      return g_strv_contains ((const char * const *) keys, key);
    }
  return strcmp (limit->pid_key, key) == 0;
}

gsize
obd_alert_limits_for_pid_key (const char           *pid_key,
                              const ObdAlertLimit **out_limits,
                              gsize                 max_limits)
{
  gsize n = 0;

  g_return_val_if_fail (pid_key != NULL, 0);
  g_return_val_if_fail (max_limits == 0 || out_limits != NULL, 0);

  for (guint i = 0; i < G_N_ELEMENTS (limits) && n < max_limits; i++)
    if (limit_matches (&limits[i], pid_key))
      out_limits[n++] = &limits[i];
  return n;
}

static int
compare_pid (gconstpointer a,
             gconstpointer b)
{
  return (int) *(const guint8 *) a - (int) *(const guint8 *) b;
}

const guint8 *
obd_alert_get_watched_pids (gsize *n_pids)
{
  static guint8 pids[G_N_ELEMENTS (limits) * 4 + 1];
  static gsize n;

  if (g_once_init_enter (&n))
    {
      gboolean seen[256] = { FALSE };
      gsize count = 0;

      /* Engine speed decides whether the running or the resting voltage
       * limits apply. */
      seen[0x0C] = TRUE;
      pids[count++] = 0x0C;
      for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
        for (guint j = 0; j < G_N_ELEMENTS (limits[i].pids) && limits[i].pids[j] != 0; j++)
          if (!seen[limits[i].pids[j]])
            {
              seen[limits[i].pids[j]] = TRUE;
              pids[count++] = limits[i].pids[j];
            }
      qsort (pids, count, 1, compare_pid);
      g_once_init_leave (&n, count);
    }

  if (n_pids != NULL)
    *n_pids = n;
  return pids;
}

/* ---- thresholds -------------------------------------------------------- */

static double *
field_double (ObdAlertThresholds *t,
              gsize               offset)
{
  return (double *) (gpointer) ((guint8 *) t + offset);
}

static guint *
field_uint (ObdAlertThresholds *t,
            gsize               offset)
{
  return (guint *) (gpointer) ((guint8 *) t + offset);
}

double
obd_alert_thresholds_get (const ObdAlertThresholds *thresholds,
                          const ObdAlertLimit      *limit)
{
  g_return_val_if_fail (thresholds != NULL, NAN);
  g_return_val_if_fail (limit != NULL, NAN);

  return *(const double *) (gconstpointer) ((const guint8 *) thresholds + limit->offset);
}

static gboolean
invalid_value (GError    **error,
               const char *key,
               const char *why)
{
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               /* Translators: "coolant-critical: must be between 50 and 150" */
               _("%s: %s"), key, why);
  return FALSE;
}

gboolean
obd_alert_thresholds_set (ObdAlertThresholds  *thresholds,
                          const ObdAlertLimit *limit,
                          double               value,
                          GError             **error)
{
  g_return_val_if_fail (thresholds != NULL, FALSE);
  g_return_val_if_fail (limit != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!isfinite (value) || value < limit->min_value || value > limit->max_value)
    {
      g_autofree char *why = g_strdup_printf (_("must be a number from %g to %g"),
                                              limit->min_value, limit->max_value);

      return invalid_value (error, limit->settings_key, why);
    }
  *field_double (thresholds, limit->offset) = value;
  return TRUE;
}

gboolean
obd_alert_thresholds_validate (const ObdAlertThresholds *t,
                               GError                  **error)
{
  g_return_val_if_fail (t != NULL, FALSE);

  /* A critical level must be worse than its warning level, or the
   * one-alert-per-reading escalation would never reach it. */
  if (t->voltage_running_critical_v >= t->voltage_running_warning_v)
    return invalid_value (error, "voltage-low-critical",
                          _("must be lower than voltage-low-warning"));
  if (t->catalyst_critical_c <= t->catalyst_warning_c)
    return invalid_value (error, "catalyst-critical",
                          _("must be higher than catalyst-warning"));
  if (t->voltage_high_warning_v <= t->voltage_running_warning_v)
    return invalid_value (error, "voltage-high-warning",
                          _("must be higher than voltage-low-warning"));
  return TRUE;
}

void
obd_alert_thresholds_init_defaults (ObdAlertThresholds *t)
{
  g_return_if_fail (t != NULL);

  *t = (ObdAlertThresholds) {
    .coolant_hysteresis_c = 3.0,
    .oil_temp_hysteresis_c = 3.0,
    .rpm_hysteresis = 250.0,
    .load_hysteresis_pct = 5.0,
    .voltage_hysteresis_v = 0.2,
    .trim_hysteresis_pct = 2.0,
    .catalyst_hysteresis_c = 25.0,
    .min_duration_ms = 2000,
    .trim_min_duration_ms = 10000,
    .load_min_duration_ms = 30000,
  };
  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    *field_double (t, limits[i].offset) = limits[i].default_value;
}

/* What the key file holds beside the limits: not user preferences, but
 * tuning a workshop may adjust in a file. */
typedef struct
{
  const char *key;
  gsize       offset;
  gboolean    duration;  /* guint milliseconds, else a double >= 0 */
} TuningField;

static const TuningField tuning_fields[] = {
  { "coolant-hysteresis", TF (coolant_hysteresis_c), FALSE },
  { "oil-temp-hysteresis", TF (oil_temp_hysteresis_c), FALSE },
  { "rpm-hysteresis", TF (rpm_hysteresis), FALSE },
  { "load-hysteresis", TF (load_hysteresis_pct), FALSE },
  { "voltage-hysteresis", TF (voltage_hysteresis_v), FALSE },
  { "trim-hysteresis", TF (trim_hysteresis_pct), FALSE },
  { "catalyst-hysteresis", TF (catalyst_hysteresis_c), FALSE },
  { "min-duration-ms", TF (min_duration_ms), TRUE },
  { "trim-min-duration-ms", TF (trim_min_duration_ms), TRUE },
  { "load-min-duration-ms", TF (load_min_duration_ms), TRUE },
};

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

  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    {
      g_autoptr(GError) local_error = NULL;
      double v;

      if (!g_key_file_has_key (key_file, group, limits[i].settings_key, NULL))
        continue;
      v = g_key_file_get_double (key_file, group, limits[i].settings_key, &local_error);
      if (local_error != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", group);
          return FALSE;
        }
      if (!obd_alert_thresholds_set (&t, &limits[i], v, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", group);
          return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (tuning_fields); i++)
    {
      const TuningField *field = &tuning_fields[i];
      g_autoptr(GError) local_error = NULL;

      if (!g_key_file_has_key (key_file, group, field->key, NULL))
        continue;

      if (field->duration)
        {
          gint64 ms = g_key_file_get_int64 (key_file, group, field->key, &local_error);

          if (local_error != NULL)
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", group);
              return FALSE;
            }
          if (ms < 0 || ms > G_MAXUINT)
            {
              invalid_value (error, field->key, _("must be a duration in milliseconds"));
              g_prefix_error (error, "%s: ", group);
              return FALSE;
            }
          *field_uint (&t, field->offset) = (guint) ms;
        }
      else
        {
          double v = g_key_file_get_double (key_file, group, field->key, &local_error);

          if (local_error != NULL)
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", group);
              return FALSE;
            }
          if (!isfinite (v) || v < 0.0)
            {
              invalid_value (error, field->key, _("must be a number, not negative"));
              g_prefix_error (error, "%s: ", group);
              return FALSE;
            }
          *field_double (&t, field->offset) = v;
        }
    }

  if (!obd_alert_thresholds_validate (&t, error))
    {
      g_prefix_error (error, "%s: ", group);
      return FALSE;
    }

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
  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    g_key_file_set_double (key_file, group, limits[i].settings_key,
                           *field_double (&t, limits[i].offset));
  for (guint i = 0; i < G_N_ELEMENTS (tuning_fields); i++)
    {
      const TuningField *field = &tuning_fields[i];

      if (field->duration)
        g_key_file_set_int64 (key_file, group, field->key, *field_uint (&t, field->offset));
      else
        g_key_file_set_double (key_file, group, field->key, *field_double (&t, field->offset));
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

/* One alert kind: how its readings are matched and how long a condition
 * must hold.  Its levels, direction and engine state come from the limits
 * of the same kind (rule_tiers()). */
typedef struct
{
  ObdAlertKind kind;
  MatchType    match;
  const char  *key;
  gsize        hysteresis;
  DurationType duration;
} AlertRule;

static const AlertRule rules[] = {
  { OBD_ALERT_KIND_COOLANT_HIGH, MATCH_EXACT, "coolant_temp", TF (coolant_hysteresis_c),
    DURATION_DEFAULT },
  { OBD_ALERT_KIND_OIL_TEMP_HIGH, MATCH_EXACT, "oil_temp", TF (oil_temp_hysteresis_c),
    DURATION_DEFAULT },
  { OBD_ALERT_KIND_RPM_HIGH, MATCH_EXACT, "rpm", TF (rpm_hysteresis), DURATION_DEFAULT },
  { OBD_ALERT_KIND_LOAD_HIGH, MATCH_EXACT, "engine_load", TF (load_hysteresis_pct),
    DURATION_LOAD },
  { OBD_ALERT_KIND_VOLTAGE_LOW, MATCH_EXACT, "control_module_voltage",
    TF (voltage_hysteresis_v), DURATION_DEFAULT },
  { OBD_ALERT_KIND_BATTERY_LOW, MATCH_EXACT, "control_module_voltage",
    TF (voltage_hysteresis_v), DURATION_DEFAULT },
  { OBD_ALERT_KIND_VOLTAGE_HIGH, MATCH_EXACT, "control_module_voltage",
    TF (voltage_hysteresis_v), DURATION_DEFAULT },
  { OBD_ALERT_KIND_FUEL_TRIM, MATCH_TRIM, NULL, TF (trim_hysteresis_pct), DURATION_TRIM },
  { OBD_ALERT_KIND_FUEL_TRIM_TOTAL, MATCH_TRIM_TOTAL, NULL, TF (trim_hysteresis_pct),
    DURATION_TRIM },
  { OBD_ALERT_KIND_CATALYST_HOT, MATCH_PREFIX, "catalyst_temp_", TF (catalyst_hysteresis_c),
    DURATION_DEFAULT },
};

G_STATIC_ASSERT (G_N_ELEMENTS (rules) == OBD_ALERT_KIND_LAST + 1);

#undef TF

/* The limit of a rule's tier (warning or critical), NULL when the kind has
 * no such level. */
static const ObdAlertLimit *
rule_tier (const AlertRule *rule,
           int              tier)
{
  ObdSeverity severity = tier == TIER_CRITICAL ? OBD_SEVERITY_CRITICAL : OBD_SEVERITY_WARNING;

  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    if (limits[i].kind == rule->kind && limits[i].severity == severity)
      return &limits[i];
  return NULL;
}

/* Direction and engine state are the same for every limit of a kind. */
static const ObdAlertLimit *
rule_any_limit (const AlertRule *rule)
{
  const ObdAlertLimit *limit = rule_tier (rule, TIER_WARNING);

  return limit != NULL ? limit : rule_tier (rule, TIER_CRITICAL);
}

/* The partner trim of a bank is used for the total only when it is this
 * fresh, so a stale reading from a stopped poll cannot raise an alert. */
#define TRIM_PARTNER_MAX_AGE_US (10 * G_USEC_PER_SEC)

static double
offset_get (const ObdAlertThresholds *t,
            gsize                     offset)
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

gboolean
obd_alert_monitor_get_engine_running (ObdAlertMonitor *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->engine_running;
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
beyond (ObdAlertDirection direction,
        double            value,
        double            limit)
{
  switch (direction)
    {
    case OBD_ALERT_DIRECTION_ABOVE:
      return value > limit;
    case OBD_ALERT_DIRECTION_BELOW:
      return value < limit;
    case OBD_ALERT_DIRECTION_EITHER_WAY:
      return fabs (value) > limit;
    default:
      g_assert_not_reached ();
    }
}

/* The limit moved back towards normal by the hysteresis: an active alert
 * stays while the value is beyond this. */
static double
relaxed_limit (ObdAlertDirection direction,
               double            limit,
               double            hysteresis)
{
  return direction == OBD_ALERT_DIRECTION_BELOW ? limit + hysteresis : limit - hysteresis;
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

char *
obd_alert_dup_title (ObdAlertKind  kind,
                     double        value)
{
  g_return_val_if_fail (kind <= OBD_ALERT_KIND_LAST, NULL);

  switch (kind)
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
      return g_strdup (value > 0 ? _("Engine running lean") : _("Engine running rich"));
    case OBD_ALERT_KIND_FUEL_TRIM_TOTAL:
      return g_strdup (_("Fuel mixture at its correction limit"));
    case OBD_ALERT_KIND_CATALYST_HOT:
      return g_strdup (_("Catalytic converter overheating"));
    default:
      g_assert_not_reached ();
    }
}

static char *
format_title (const AlertState *state)
{
  return obd_alert_dup_title (state->rule->kind, state->value);
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
  const ObdAlertLimit *limit;

  g_assert (tier >= 0 && tier < N_TIERS);
  limit = rule_tier (state->rule, tier);
  g_assert (limit != NULL);

  event->type = type;
  event->kind = state->rule->kind;
  event->severity = limit->severity;
  event->key = g_strdup (state->key);
  event->value = state->value;
  event->threshold = obd_alert_thresholds_get (&self->thresholds, limit);
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
  const ObdAlertLimit *any = rule_any_limit (rule);
  ObdAlertDirection direction = any->direction;
  gboolean applicable;
  double hysteresis = offset_get (t, rule->hysteresis);
  gint64 duration_us;
  int raise = 0, hold = 0, new_level;
  guint n = 0;

  applicable = any->engine == OBD_ALERT_ENGINE_ANY
               || (any->engine == OBD_ALERT_ENGINE_RUNNING) == self->engine_running;
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
      const ObdAlertLimit *limit = rule_tier (rule, tier);

      if (limit == NULL)
        continue;
      if (applicable && beyond (direction, value, obd_alert_thresholds_get (t, limit)))
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
        const ObdAlertLimit *limit = rule_tier (rule, tier);
        double relaxed;

        if (limit == NULL)
          continue;
        relaxed = relaxed_limit (direction, obd_alert_thresholds_get (t, limit), hysteresis);
        if (beyond (direction, value, relaxed))
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
               obd_alert_kind_get_key (rule->kind), event_key, state->level, new_level, value);
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

  /* The resting-voltage rule follows the engine speed in one place. */
  if (strcmp (key, "rpm") == 0)
    self->engine_running = value > OBD_ALERT_ENGINE_RUNNING_RPM;

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

ObdAlertState
obd_alert_monitor_get_state (ObdAlertMonitor *self,
                             const char      *key)
{
  gboolean long_term = FALSE;
  guint bank = 0;
  char total_key[8] = "";
  int level = 0;

  g_return_val_if_fail (self != NULL, OBD_ALERT_STATE_NORMAL);
  g_return_val_if_fail (key != NULL, OBD_ALERT_STATE_NORMAL);

  /* A bank's total trim alert is reported on its long-term key, but the
   * short-term trim is half of that sum: its gauge shows it too. */
  if (parse_trim_key (key, &long_term, &bank))
    g_snprintf (total_key, sizeof total_key, "ltft_b%u", bank);

  for (guint i = 0; i < self->states->len; i++)
    {
      const AlertState *state = g_ptr_array_index (self->states, i);
      int severity;

      if (state->level == 0)
        continue;
      if (strcmp (state->key, key) != 0
          && !(state->rule->kind == OBD_ALERT_KIND_FUEL_TRIM_TOTAL
               && strcmp (state->key, total_key) == 0))
        continue;
      severity = rule_tier (state->rule, state->level - 1)->severity;
      level = MAX (level, severity);
    }

  switch (level)
    {
    case OBD_SEVERITY_CRITICAL:
      return OBD_ALERT_STATE_CRITICAL;
    case OBD_SEVERITY_WARNING:
      return OBD_ALERT_STATE_WARNING;
    default:
      return OBD_ALERT_STATE_NORMAL;
    }
}
