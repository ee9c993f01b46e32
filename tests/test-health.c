/* test-health.c — alerts, health scores, trends and maintenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "obd-alerts.h"
#include "obd-enum-types.h"
#include "obd-enums.h"
#include "obd-dtc.h"
#include "obd-health.h"
#include "obd-maintenance.h"
#include "obd-trend.h"

#define MS(x) ((gint64) (x) * 1000)

/* ---- alert helpers ----------------------------------------------------- */

static GPtrArray *
new_events (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
}

static ObdAlertMonitor *
new_default_monitor (void)
{
  ObdAlertThresholds t;

  obd_alert_thresholds_init_defaults (&t);
  return obd_alert_monitor_new (&t);
}

static const ObdAlertEvent *
event_at (GPtrArray *events,
          guint      i)
{
  g_assert_cmpuint (i, <, events->len);
  return g_ptr_array_index (events, i);
}

static void
assert_event (const ObdAlertEvent *event,
              ObdAlertEventType    type,
              ObdAlertKind         kind,
              ObdSeverity    severity,
              const char          *key,
              double               threshold)
{
  g_assert_cmpint (event->type, ==, type);
  g_assert_cmpstr (obd_alert_kind_get_key (event->kind), ==, obd_alert_kind_get_key (kind));
  g_assert_cmpint (event->severity, ==, severity);
  g_assert_cmpstr (event->key, ==, key);
  g_assert_cmpfloat_with_epsilon (event->threshold, threshold, 1e-9);
  g_assert_nonnull (event->title);
  g_assert_cmpuint (strlen (event->title), >, 0);
  g_assert_nonnull (event->message);
  g_assert_cmpuint (strlen (event->message), >, 0);
}

static guint
feed (ObdAlertMonitor *monitor,
      const char      *key,
      double           value,
      gint64           t_ms,
      GPtrArray       *events)
{
  return obd_alert_monitor_feed (monitor, key, value, MS (t_ms), events);
}

/* Feeds value every second from t0_ms for duration_ms (inclusive) and
 * returns the number of events. */
static guint
feed_steady (ObdAlertMonitor *monitor,
             const char      *key,
             double           value,
             gint64           t0_ms,
             gint64           duration_ms,
             GPtrArray       *events)
{
  guint n = 0;

  for (gint64 t = t0_ms; t <= t0_ms + duration_ms; t += 1000)
    n += obd_alert_monitor_feed (monitor, key, value, MS (t), events);
  return n;
}

/* ---- thresholds -------------------------------------------------------- */

static void
test_thresholds_defaults (void)
{
  ObdAlertThresholds t;

  obd_alert_thresholds_init_defaults (&t);
  g_assert_cmpfloat_with_epsilon (t.coolant_critical_c, 110.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.rpm_warning, 6000.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.load_warning_pct, 90.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.voltage_running_warning_v, 11.8, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.voltage_running_critical_v, 11.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.voltage_resting_warning_v, 12.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.voltage_high_warning_v, 15.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.trim_warning_pct, 10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.trim_total_critical_pct, 25.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.catalyst_warning_c, 900.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.catalyst_critical_c, 1000.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.oil_temp_warning_c, 130.0, 1e-9);
  g_assert_cmpuint (t.min_duration_ms, ==, 2000);
  g_assert_cmpuint (t.trim_min_duration_ms, ==, 10000);
  g_assert_cmpuint (t.load_min_duration_ms, ==, 30000);
}

/* Field by field: the struct has padding, so memcmp would compare junk. */
static void
assert_thresholds_equal (const ObdAlertThresholds *a,
                         const ObdAlertThresholds *b)
{
  const double da[] = {
    a->coolant_critical_c, a->coolant_hysteresis_c, a->oil_temp_warning_c,
    a->oil_temp_hysteresis_c, a->rpm_warning, a->rpm_hysteresis, a->load_warning_pct,
    a->load_hysteresis_pct, a->voltage_running_warning_v, a->voltage_running_critical_v,
    a->voltage_resting_warning_v, a->voltage_high_warning_v, a->voltage_hysteresis_v,
    a->trim_warning_pct, a->trim_total_critical_pct, a->trim_hysteresis_pct,
    a->catalyst_warning_c, a->catalyst_critical_c, a->catalyst_hysteresis_c,
  };
  const double db[] = {
    b->coolant_critical_c, b->coolant_hysteresis_c, b->oil_temp_warning_c,
    b->oil_temp_hysteresis_c, b->rpm_warning, b->rpm_hysteresis, b->load_warning_pct,
    b->load_hysteresis_pct, b->voltage_running_warning_v, b->voltage_running_critical_v,
    b->voltage_resting_warning_v, b->voltage_high_warning_v, b->voltage_hysteresis_v,
    b->trim_warning_pct, b->trim_total_critical_pct, b->trim_hysteresis_pct,
    b->catalyst_warning_c, b->catalyst_critical_c, b->catalyst_hysteresis_c,
  };

  for (guint i = 0; i < G_N_ELEMENTS (da); i++)
    g_assert_cmpfloat (da[i], ==, db[i]);
  g_assert_cmpuint (a->min_duration_ms, ==, b->min_duration_ms);
  g_assert_cmpuint (a->trim_min_duration_ms, ==, b->trim_min_duration_ms);
  g_assert_cmpuint (a->load_min_duration_ms, ==, b->load_min_duration_ms);
}

static void
test_thresholds_keyfile (void)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GKeyFile) reread = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  ObdAlertThresholds t, loaded, before;
  gboolean ok;

  /* Round trip through text, with many fields changed. */
  obd_alert_thresholds_init_defaults (&t);
  t.coolant_critical_c = 112.5;
  t.coolant_hysteresis_c = 4.25;
  t.oil_temp_warning_c = 135.0;
  t.rpm_warning = 6500.0;
  t.load_warning_pct = 95.0;
  t.voltage_resting_warning_v = 12.3;
  t.voltage_high_warning_v = 15.2;
  t.trim_warning_pct = 12.0;
  t.trim_total_critical_pct = 0.1 + 0.2 + 24.7;  /* not exactly representable */
  t.catalyst_warning_c = 880.0;
  t.voltage_running_warning_v = 12.1;
  t.catalyst_critical_c = 980.0;
  t.min_duration_ms = 3500;
  t.trim_min_duration_ms = 20000;
  t.load_min_duration_ms = 45000;
  obd_alert_thresholds_save_to_key_file (&t, kf, OBD_ALERT_THRESHOLDS_GROUP);
  data = g_key_file_to_data (kf, NULL, NULL);
  g_assert_true (strstr (data, "[Alert Thresholds]") != NULL);
  g_assert_true (strstr (data, "coolant-critical=112.5") != NULL);

  ok = g_key_file_load_from_data (reread, data, -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  obd_alert_thresholds_init_defaults (&loaded);
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, OBD_ALERT_THRESHOLDS_GROUP,
                                                &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_thresholds_equal (&loaded, &t);

  /* Partial group: missing keys keep their values; a missing group is fine. */
  g_clear_pointer (&reread, g_key_file_unref);
  reread = g_key_file_new ();
  g_key_file_set_double (reread, "Custom", "rpm-warning", 6800.0);
  obd_alert_thresholds_init_defaults (&loaded);
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Custom", &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpfloat_with_epsilon (loaded.rpm_warning, 6800.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (loaded.coolant_critical_c, 110.0, 1e-9);
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Nothing", &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  /* Bad values fail and leave the thresholds untouched. */
  before = loaded;
  g_key_file_set_string (reread, "Custom", "coolant-critical", "hot");
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Custom", &error);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_false (ok);
  assert_thresholds_equal (&loaded, &before);
  g_clear_error (&error);

  g_key_file_set_double (reread, "Custom", "coolant-critical", 115.0);
  g_key_file_set_double (reread, "Custom", "rpm-hysteresis", -5.0);
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Custom", &error);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_false (ok);
  g_clear_error (&error);

  g_key_file_set_double (reread, "Custom", "rpm-hysteresis", 100.0);
  g_key_file_set_double (reread, "Custom", "voltage-low-critical", 12.5);
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Custom", &error);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "voltage-low-critical"));
  g_assert_false (ok);
  assert_thresholds_equal (&loaded, &before);
  g_clear_error (&error);

  /* Outside the range the preferences accept (the schema's), and not a
   * number at all. */
  g_key_file_set_double (reread, "Custom", "voltage-low-critical", 11.0);
  g_key_file_set_double (reread, "Custom", "coolant-critical", 400.0);
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Custom", &error);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "coolant-critical"));
  g_assert_false (ok);
  assert_thresholds_equal (&loaded, &before);
  g_clear_error (&error);
  g_key_file_set_string (reread, "Custom", "coolant-critical", "nan");
  ok = obd_alert_thresholds_load_from_key_file (&loaded, reread, "Custom", &error);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_false (ok);
  assert_thresholds_equal (&loaded, &before);
  g_clear_error (&error);
}

/* The one table: every limit is a "d" key of the GSettings schema with
 * the same default and range, every threshold key of the schema is in the
 * table, and the key file uses the same names. */
static void
test_limits_match_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  const ObdAlertLimit *limits;
  ObdAlertThresholds t;
  gsize n = 0;

  g_assert_nonnull (source);
  schema = g_settings_schema_source_lookup (source, "io.github.obd2diagnostics.Workshop", FALSE);
  g_assert_nonnull (schema);

  limits = obd_alert_limits_get (&n);
  g_assert_cmpuint (n, >=, 12);
  obd_alert_thresholds_init_defaults (&t);
  obd_alert_thresholds_save_to_key_file (&t, kf, "T");
  for (gsize i = 0; i < n; i++)
    {
      const ObdAlertLimit *limit = &limits[i];
      g_autoptr(GSettingsSchemaKey) key = NULL;
      g_autoptr(GVariant) def = NULL;
      g_autoptr(GVariant) range = NULL;
      g_autoptr(GVariant) bounds = NULL;
      const char *range_type = NULL;
      double lo, hi;

      g_test_message ("limit %s", limit->settings_key);
      g_assert_true (g_settings_schema_has_key (schema, limit->settings_key));
      key = g_settings_schema_get_key (schema, limit->settings_key);
      g_assert_true (g_variant_type_equal (g_settings_schema_key_get_value_type (key),
                                           G_VARIANT_TYPE_DOUBLE));
      def = g_settings_schema_key_get_default_value (key);
      g_assert_cmpfloat (g_variant_get_double (def), ==, limit->default_value);
      range = g_settings_schema_key_get_range (key);
      g_variant_get (range, "(&sv)", &range_type, &bounds);
      g_assert_cmpstr (range_type, ==, "range");
      g_variant_get (bounds, "(dd)", &lo, &hi);
      g_assert_cmpfloat (lo, ==, limit->min_value);
      g_assert_cmpfloat (hi, ==, limit->max_value);

      g_assert_true (obd_alert_limit_lookup (limit->settings_key) == limit);
      g_assert_cmpfloat (obd_alert_thresholds_get (&t, limit), ==, limit->default_value);
      g_assert_true (g_key_file_has_key (kf, "T", limit->settings_key, NULL));
      g_assert_cmpint (limit->pids[0], !=, 0);
    }

  /* Every threshold (a number ending in -warning or -critical) the schema
   * has is in the table. */
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, keys[i]);

      if (!g_variant_type_equal (g_settings_schema_key_get_value_type (key),
                                 G_VARIANT_TYPE_DOUBLE))
        continue;
      if (g_str_has_suffix (keys[i], "-warning") || g_str_has_suffix (keys[i], "-critical"))
        {
          g_test_message ("schema key %s", keys[i]);
          g_assert_nonnull (obd_alert_limit_lookup (keys[i]));
        }
    }
  g_assert_null (obd_alert_limit_lookup ("voltage-running-warning"));
}

/* The settings' enums spell their values as the generated GEnum types
 * do, so a setting is read by its word (obd_enum_from_nick on
 * g_settings_get_string), never cast from a number that could drift. */
static void
test_enums_match_schema (void)
{
  static const struct
  {
    const char *key;
    GType     (*type) (void);
  } cases[] = {
    { "units", obd_unit_system_get_type },
    { "polling-strategy", obd_strategy_get_type },
  };
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  schema = g_settings_schema_source_lookup (source, "io.github.obd2diagnostics.Workshop", FALSE);
  g_assert_nonnull (schema);
  settings = g_settings_new_full (schema, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, cases[i].key);
      g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
      g_autoptr(GVariant) values = NULL;
      g_autoptr(GEnumClass) klass = g_type_class_ref (cases[i].type ());
      const char *kind = NULL;
      g_autofree const char **nicks = NULL;
      gsize n = 0;

      g_variant_get (range, "(&sv)", &kind, &values);
      g_assert_cmpstr (kind, ==, "enum");
      nicks = g_variant_get_strv (values, &n);
      g_assert_cmpuint (n, ==, klass->n_values);
      for (gsize j = 0; j < n; j++)
        {
          int value = -1;

          g_assert_true (obd_enum_from_nick (cases[i].type (), nicks[j], &value, NULL));
          g_assert_cmpstr (obd_enum_get_nick (cases[i].type (), value), ==, nicks[j]);
          /* And the same number: what g_settings_get_enum() gives is the
           * C enum's value (the memory backend of the tests takes writes). */
          g_assert_true (g_settings_set_string (settings, cases[i].key, nicks[j]));
          g_assert_cmpint (g_settings_get_enum (settings, cases[i].key), ==, value);
        }
    }
}

static void
test_limits_pids (void)
{
  const ObdAlertLimit *found[8];
  const guint8 *pids;
  gsize n = 0;
  static const guint8 expected[] = {
    0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0C, 0x3C, 0x3D, 0x3E, 0x3F, 0x42, 0x5C,
  };

  /* The PIDs the alerts read, for pollers to watch in the background. */
  pids = obd_alert_get_watched_pids (&n);
  g_assert_cmpmem (pids, n, expected, sizeof expected);

  g_assert_cmpuint (obd_alert_limits_for_pid_key ("control_module_voltage", found, 8), ==, 4);
  g_assert_cmpstr (found[0]->settings_key, ==, "voltage-low-warning");
  g_assert_cmpint (found[2]->engine, ==, OBD_ALERT_ENGINE_OFF);
  g_assert_cmpuint (obd_alert_limits_for_pid_key ("stft_b2", found, 8), ==, 2);
  g_assert_true (found[1]->of_sum);
  g_assert_cmpuint (obd_alert_limits_for_pid_key ("catalyst_temp_b2s2", found, 8), ==, 2);
  g_assert_cmpint (found[1]->severity, ==, OBD_SEVERITY_CRITICAL);
  g_assert_cmpuint (obd_alert_limits_for_pid_key ("speed", found, 8), ==, 0);
  g_assert_cmpuint (obd_alert_limits_for_pid_key ("coolant_temp", found, 1), ==, 1);
  g_assert_cmpuint (obd_alert_limits_for_pid_key ("stft_b3", found, 8), ==, 0);
}

/* ---- alert behaviour --------------------------------------------------- */

static void
test_alert_min_duration (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  /* A single hot sample between normal ones raises nothing. */
  g_assert_cmpuint (feed (monitor, "coolant_temp", 92, 0, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 125, 500, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 93, 1000, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 125, 3000, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 93, 5500, events), ==, 0);

  /* Held for 1.999 s: not yet; held for 2 s: raised once. */
  g_assert_cmpuint (feed (monitor, "coolant_temp", 114, 10000, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 114, 11000, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 114, 11999, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 114, 12000, events), ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_COOLANT_HIGH,
                OBD_SEVERITY_CRITICAL, "coolant_temp", 110.0);
  g_assert_cmpint (event_at (events, 0)->time_us, ==, MS (12000));
  g_assert_cmpfloat_with_epsilon (event_at (events, 0)->value, 114.0, 1e-9);
  g_assert_cmpstr (event_at (events, 0)->title, ==, "Engine overheating");
  g_assert_cmpstr (event_at (events, 0)->message, ==,
                   "Coolant is at 114 °C, above the 110 °C limit. Stop the engine and let it "
                   "cool; check the coolant level and the cooling fan.");

  /* Stays raised; no repeated events. */
  g_assert_cmpuint (feed_steady (monitor, "coolant_temp", 115, 13000, 10000, events), ==, 0);
  g_assert_cmpuint (events->len, ==, 1);
}

static void
test_alert_hysteresis (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  feed_steady (monitor, "coolant_temp", 113, 0, 2000, events);
  g_assert_cmpuint (events->len, ==, 1);

  /* Below the limit but within the 3 °C hysteresis: still raised. */
  g_assert_cmpuint (feed_steady (monitor, "coolant_temp", 109, 3000, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "coolant_temp", 107.5, 9000, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "coolant_temp", 111, 15000, 1000, events), ==, 0);

  /* At the limit minus hysteresis: cleared at once. */
  g_assert_cmpuint (feed (monitor, "coolant_temp", 107, 20000, events),
                    ==, 1);
  assert_event (event_at (events, 1), OBD_ALERT_EVENT_CLEARED, OBD_ALERT_KIND_COOLANT_HIGH,
                OBD_SEVERITY_CRITICAL, "coolant_temp", 110.0);
  g_assert_cmpstr (event_at (events, 1)->title, ==, event_at (events, 0)->title);

  /* Going back above needs the full duration again. */
  g_assert_cmpuint (feed (monitor, "coolant_temp", 111, 21000, events),
                    ==, 0);
  g_assert_cmpuint (feed (monitor, "coolant_temp", 111, 23000, events),
                    ==, 1);
  g_assert_cmpint (event_at (events, 2)->type, ==, OBD_ALERT_EVENT_RAISED);

  /* Reset forgets everything silently. */
  obd_alert_monitor_reset (monitor);
  g_autoptr(GPtrArray) active = obd_alert_monitor_dup_active (monitor);
  g_assert_cmpuint (active->len, ==, 0);
}

static void
test_alert_rpm_load_oil (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  g_assert_cmpuint (feed_steady (monitor, "rpm", 5900, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "rpm", 6400, 6000, 2000, events), ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_RPM_HIGH,
                OBD_SEVERITY_WARNING, "rpm", 6000);
  /* 5800 is within the 250 rpm hysteresis, 5700 is not. */
  g_assert_cmpuint (feed (monitor, "rpm", 5800, 9000, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "rpm", 5700, 10000, events), ==, 1);
  g_assert_cmpint (event_at (events, 1)->type, ==, OBD_ALERT_EVENT_CLEARED);

  /* A full-throttle pull of 20 s is normal; 30 s held above 90 % is not. */
  g_ptr_array_set_size (events, 0);
  g_assert_cmpuint (feed_steady (monitor, "engine_load", 100, 0, 20000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "engine_load", 40, 21000, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "engine_load", 95, 30000, 30000, events), ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_LOAD_HIGH,
                OBD_SEVERITY_WARNING, "engine_load", 90);

  g_assert_cmpuint (feed_steady (monitor, "oil_temp", 128, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "oil_temp", 134, 6000, 2000, events), ==, 1);
  assert_event (event_at (events, 1), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_OIL_TEMP_HIGH,
                OBD_SEVERITY_WARNING, "oil_temp", 130);

  /* Readings without a rule raise nothing. */
  g_assert_cmpuint (feed_steady (monitor, "speed", 250, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "intake_temp", 60, 0, 5000, events), ==, 0);
  g_assert_cmpuint (obd_alert_monitor_feed (monitor, "rpm", NAN, MS (20000), events), ==, 0);
}

static void
test_alert_voltage_running (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) active = NULL;

  obd_alert_monitor_set_engine_running (monitor, TRUE);
  /* A healthy charging system, and a smart alternator resting at 12.4 V. */
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 14.2, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 12.4, 6000, 5000, events),
                    ==, 0);

  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 11.5, 12000, 2000, events),
                    ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_VOLTAGE_LOW,
                OBD_SEVERITY_WARNING, "control_module_voltage", 11.8);

  /* Escalation: the warning makes way for the critical alert. */
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 10.6, 15000, 2000, events),
                    ==, 2);
  assert_event (event_at (events, 1), OBD_ALERT_EVENT_CLEARED, OBD_ALERT_KIND_VOLTAGE_LOW,
                OBD_SEVERITY_WARNING, "control_module_voltage", 11.8);
  assert_event (event_at (events, 2), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_VOLTAGE_LOW,
                OBD_SEVERITY_CRITICAL, "control_module_voltage", 11.0);

  active = obd_alert_monitor_dup_active (monitor);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpint (event_at (active, 0)->severity, ==, OBD_SEVERITY_CRITICAL);
  g_assert_cmpfloat_with_epsilon (event_at (active, 0)->value, 10.6, 1e-9);

  /* 11.3 V: out of the critical band (11.0 + 0.2), still a warning. */
  g_assert_cmpuint (feed (monitor, "control_module_voltage", 11.3, 20000, events), ==, 2);
  assert_event (event_at (events, 3), OBD_ALERT_EVENT_CLEARED, OBD_ALERT_KIND_VOLTAGE_LOW,
                OBD_SEVERITY_CRITICAL, "control_module_voltage", 11.0);
  assert_event (event_at (events, 4), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_VOLTAGE_LOW,
                OBD_SEVERITY_WARNING, "control_module_voltage", 11.8);

  /* Charging again. */
  g_assert_cmpuint (feed (monitor, "control_module_voltage", 14.0, 21000, events), ==, 1);
  g_assert_cmpint (event_at (events, 5)->type, ==, OBD_ALERT_EVENT_CLEARED);

  /* Overcharging. */
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 15.6, 30000, 2000, events),
                    ==, 1);
  assert_event (event_at (events, 6), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_VOLTAGE_HIGH,
                OBD_SEVERITY_WARNING, "control_module_voltage", 15.0);
}

static void
test_alert_voltage_resting (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  /* Engine off: 12.6 V is a full battery, 12.0 V a weak one.  11.5 V
   * with the engine off is only the resting warning, not "not charging". */
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 12.6, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 12.0, 6000, 2000, events),
                    ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_BATTERY_LOW,
                OBD_SEVERITY_WARNING, "control_module_voltage", 12.2);
  g_assert_cmpuint (feed_steady (monitor, "control_module_voltage", 11.5, 9000, 5000, events),
                    ==, 0);

  /* Engine starts, the alternator lifts the voltage: the resting alert
   * clears with the next sample. */
  obd_alert_monitor_set_engine_running (monitor, TRUE);
  g_assert_cmpuint (feed (monitor, "control_module_voltage", 14.1, 20000, events), ==, 1);
  assert_event (event_at (events, 1), OBD_ALERT_EVENT_CLEARED, OBD_ALERT_KIND_BATTERY_LOW,
                OBD_SEVERITY_WARNING, "control_module_voltage", 12.2);
}

/* What a gauge shows is the monitor's state, not the value against the
 * limit: a value over the limit is NORMAL until the minimum duration has
 * passed, stays CRITICAL inside the hysteresis band, and the resting
 * voltage rule follows the rpm fed. */
static void
test_alert_state (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "coolant_temp"), ==,
                   OBD_ALERT_STATE_NORMAL);

  /* 1 s over 110 °C: beyond the limit, but not an alert yet. */
  feed (monitor, "coolant_temp", 115, 0, events);
  feed (monitor, "coolant_temp", 115, 1000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "coolant_temp"), ==,
                   OBD_ALERT_STATE_NORMAL);
  feed (monitor, "coolant_temp", 115, 2000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "coolant_temp"), ==,
                   OBD_ALERT_STATE_CRITICAL);
  /* 108 °C is below the limit but inside the 3 °C hysteresis. */
  feed (monitor, "coolant_temp", 108, 3000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "coolant_temp"), ==,
                   OBD_ALERT_STATE_CRITICAL);
  feed (monitor, "coolant_temp", 107, 4000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "coolant_temp"), ==,
                   OBD_ALERT_STATE_NORMAL);
  /* Other readings are not affected. */
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "oil_temp"), ==,
                   OBD_ALERT_STATE_NORMAL);

  /* 12.0 V: a warning with the engine off (resting battery), normal
   * with it running (above 11.8 V) — and the engine state comes from the
   * rpm the monitor is fed, not from each caller. */
  feed (monitor, "rpm", 0, 10000, events);
  g_assert_false (obd_alert_monitor_get_engine_running (monitor));
  feed_steady (monitor, "control_module_voltage", 12.0, 10000, 2000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "control_module_voltage"), ==,
                   OBD_ALERT_STATE_WARNING);
  feed (monitor, "rpm", 800, 13000, events);
  g_assert_true (obd_alert_monitor_get_engine_running (monitor));
  feed (monitor, "control_module_voltage", 12.0, 13000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "control_module_voltage"), ==,
                   OBD_ALERT_STATE_NORMAL);
  /* Running at 10.8 V for 2 s: critical (browning out). */
  feed_steady (monitor, "control_module_voltage", 10.8, 14000, 2000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "control_module_voltage"), ==,
                   OBD_ALERT_STATE_CRITICAL);

  /* A bank's total trim is critical on both of its trims' gauges; the
   * other bank stays normal. */
  feed_steady (monitor, "stft_b1", 9, 20000, 10000, events);
  feed_steady (monitor, "ltft_b1", 9, 20000, 10000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "stft_b1"), ==,
                   OBD_ALERT_STATE_NORMAL);
  feed_steady (monitor, "stft_b1", 9.5, 31000, 11000, events);
  feed_steady (monitor, "ltft_b1", 17, 31000, 11000, events);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "ltft_b1"), ==,
                   OBD_ALERT_STATE_CRITICAL);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "stft_b1"), ==,
                   OBD_ALERT_STATE_CRITICAL);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "stft_b2"), ==,
                   OBD_ALERT_STATE_NORMAL);

  obd_alert_monitor_reset (monitor);
  g_assert_cmpint (obd_alert_monitor_get_state (monitor, "ltft_b1"), ==,
                   OBD_ALERT_STATE_NORMAL);
}

static void
test_alert_fuel_trims (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  /* Trims swing during transients: 5 s beyond 10 % is not enough. */
  g_assert_cmpuint (feed_steady (monitor, "stft_b1", 14, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "stft_b1", 1, 6000, 1000, events), ==, 0);

  /* A sustained lean long-term trim. */
  g_assert_cmpuint (feed_steady (monitor, "ltft_b1", 12.5, 10000, 9000, events), ==, 0);
  g_assert_cmpuint (feed (monitor, "ltft_b1", 12.5, 20000, events), ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_FUEL_TRIM,
                OBD_SEVERITY_WARNING, "ltft_b1", 10);
  g_assert_cmpstr (event_at (events, 0)->title, ==, "Engine running lean");
  g_assert_true (strstr (event_at (events, 0)->message, "+12 %") != NULL ||
                 strstr (event_at (events, 0)->message, "+13 %") != NULL);

  /* A rich bank 2, negative trims. */
  g_ptr_array_set_size (events, 0);
  g_assert_cmpuint (feed_steady (monitor, "ltft_b2", -15, 0, 10000, events), ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_FUEL_TRIM,
                OBD_SEVERITY_WARNING, "ltft_b2", 10);
  g_assert_cmpstr (event_at (events, 0)->title, ==, "Engine running rich");
  /* -9 % is within the 2 % hysteresis of -10 %; -7 % clears. */
  g_assert_cmpuint (obd_alert_monitor_feed (monitor, "ltft_b2", -9, MS (11000), events), ==, 0);
  g_assert_cmpuint (obd_alert_monitor_feed (monitor, "ltft_b2", -7, MS (12000), events), ==, 1);
  g_assert_cmpint (event_at (events, 1)->type, ==, OBD_ALERT_EVENT_CLEARED);
}

static void
test_alert_fuel_trim_total (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();
  g_autoptr(GPtrArray) active = NULL;
  guint n = 0;

  /* Lean mixture: LTFT +22 %, STFT +6 % → +28 % in total. */
  for (gint64 t = 0; t <= 10000; t += 1000)
    {
      n += obd_alert_monitor_feed (monitor, "ltft_b1", 22, MS (t), events);
      n += obd_alert_monitor_feed (monitor, "stft_b1", 6, MS (t + 100), events);
    }
  g_assert_cmpuint (n, ==, 2);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_FUEL_TRIM,
                OBD_SEVERITY_WARNING, "ltft_b1", 10);
  assert_event (event_at (events, 1), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_FUEL_TRIM_TOTAL,
                OBD_SEVERITY_CRITICAL, "ltft_b1", 25);
  g_assert_cmpfloat_with_epsilon (event_at (events, 1)->value, 28.0, 1e-9);

  active = obd_alert_monitor_dup_active (monitor);
  g_assert_cmpuint (active->len, ==, 2);
  /* Most severe first. */
  g_assert_cmpint (event_at (active, 0)->kind, ==, OBD_ALERT_KIND_FUEL_TRIM_TOTAL);

  /* Without a fresh partner no total is computed. */
  g_ptr_array_set_size (events, 0);
  g_assert_cmpuint (feed_steady (monitor, "stft_b2", 9, 0, 30000, events), ==, 0);
}

static void
test_alert_catalyst (void)
{
  g_autoptr(ObdAlertMonitor) monitor = new_default_monitor ();
  g_autoptr(GPtrArray) events = new_events ();

  g_assert_cmpuint (feed_steady (monitor, "catalyst_temp_b1s1", 750, 0, 5000, events), ==, 0);
  g_assert_cmpuint (feed_steady (monitor, "catalyst_temp_b1s1", 940, 6000, 2000, events), ==, 1);
  assert_event (event_at (events, 0), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_CATALYST_HOT,
                OBD_SEVERITY_WARNING, "catalyst_temp_b1s1", 900);
  /* Straight to critical on another sensor. */
  g_assert_cmpuint (feed_steady (monitor, "catalyst_temp_b2s1", 1050, 0, 2000, events), ==, 1);
  assert_event (event_at (events, 1), OBD_ALERT_EVENT_RAISED, OBD_ALERT_KIND_CATALYST_HOT,
                OBD_SEVERITY_CRITICAL, "catalyst_temp_b2s1", 1000);
}

static void
test_alert_names (void)
{
  g_autoptr(GError) error = NULL;
  ObdAlertKind kind;
  ObdSeverity severity;

  for (guint k = 0; k <= OBD_ALERT_KIND_LAST; k++)
    {
      g_assert_true (obd_alert_kind_from_key (obd_alert_kind_get_key (k), &kind, NULL));
      g_assert_cmpint (kind, ==, k);
    }
  /* Unknown words are errors that say what is accepted, and leave the
   * output alone: nothing silently becomes the first value. */
  kind = OBD_ALERT_KIND_CATALYST_HOT;
  g_assert_false (obd_alert_kind_from_key ("nonsense", &kind, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "coolant-high"));
  g_assert_cmpint (kind, ==, OBD_ALERT_KIND_CATALYST_HOT);
  g_clear_error (&error);

  g_assert_true (obd_severity_from_key ("critical", &severity, NULL));
  g_assert_cmpint (severity, ==, OBD_SEVERITY_CRITICAL);
  severity = OBD_SEVERITY_WARNING;
  g_assert_false (obd_severity_from_key ("", &severity, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpint (severity, ==, OBD_SEVERITY_WARNING);
  g_clear_error (&error);
  g_assert_false (obd_severity_from_key ("Critical", &severity, NULL));
  g_assert_false (obd_severity_from_key (NULL, &severity, NULL));
  g_assert_cmpstr (obd_severity_get_label (OBD_SEVERITY_WARNING), ==, "Warning");
  for (guint v = 0; v < OBD_SEVERITY_COUNT; v++)
    {
      g_assert_true (obd_severity_from_key (obd_severity_get_key (v), &severity, NULL));
      g_assert_cmpint (severity, ==, v);
    }
}

/* ---- health scores ----------------------------------------------------- */

static const char *const all_monitors_complete[] = { NULL };

static void
test_score_healthy_idle (void)
{
  static const ObdHealthTestResult tests[] = {
    { 0x01, 0x01, "O2 sensor bank 1 sensor 1", TRUE },
    { 0x21, 0x80, "Catalyst bank 1", TRUE },
    { 0xA2, 0x0B, "Misfire cylinder 1", TRUE },
  };
  ObdHealthInput input = {
    .tests = tests, .n_tests = G_N_ELEMENTS (tests),
    .incomplete_monitors = all_monitors_complete, .n_incomplete_monitors = 0,
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);

  g_assert_cmpfloat (report->vehicle_score, >, 90.0);
  g_assert_cmpfloat_with_epsilon (report->vehicle_score, 100.0, 1e-9);
  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    g_assert_cmpfloat_with_epsilon (report->system_scores[s], 100.0, 1e-9);
  g_assert_cmpint (report->status, ==, OBD_HEALTH_STATUS_HEALTHY);
  g_assert_cmpuint (report->deductions->len, ==, 0);
}

static void
test_score_misfire (void)
{
  static const ObdHealthCode codes[] = {
    { "P0300", "Random/Multiple Cylinder Misfire Detected", "ignition", NULL,
      OBD_SEVERITY_CRITICAL, OBD_HEALTH_CODE_STORED },
    { "P0301", "Cylinder 1 Misfire Detected", "ignition", NULL,
      OBD_SEVERITY_CRITICAL, OBD_HEALTH_CODE_STORED },
  };
  static const ObdHealthTestResult tests[] = {
    { 0xA2, 0x0B, "Misfire cylinder 1", FALSE },
    { 0xA3, 0x0B, "Misfire cylinder 2", TRUE },
  };
  ObdHealthInput input = {
    .codes = codes, .n_codes = G_N_ELEMENTS (codes),
    .tests = tests, .n_tests = G_N_ELEMENTS (tests),
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);

  g_assert_cmpfloat (report->system_scores[OBD_HEALTH_SYSTEM_ENGINE], <, 50.0);
  /* 100 × 0.6 × 0.6 × 0.8 */
  g_assert_cmpfloat_with_epsilon (report->system_scores[OBD_HEALTH_SYSTEM_ENGINE], 28.8, 1e-9);
  g_assert_cmpint (report->worst_system, ==, OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpfloat (report->vehicle_score, <, 50.0);
  g_assert_cmpint (report->status, !=, OBD_HEALTH_STATUS_HEALTHY);
  g_assert_cmpfloat_with_epsilon (report->system_scores[OBD_HEALTH_SYSTEM_COOLING], 100.0, 1e-9);
}

static void
test_score_overheating (void)
{
  static const ObdHealthCode codes[] = {
    /* The knowledge base files P0217 under cooling (a J2012 subject
     * block inside the fuel and air metering range). */
    { "P0217", "Engine Coolant Over Temperature Condition", "cooling", NULL,
      OBD_SEVERITY_CRITICAL, OBD_HEALTH_CODE_STORED },
  };
  static const ObdHealthAlert alerts[] = {
    { "coolant_temp", OBD_SEVERITY_CRITICAL, "Engine overheating" },
  };
  ObdHealthInput input = {
    .codes = codes, .n_codes = G_N_ELEMENTS (codes),
    .alerts = alerts, .n_alerts = G_N_ELEMENTS (alerts),
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);
  g_autofree char *text = NULL;

  g_assert_cmpfloat (report->system_scores[OBD_HEALTH_SYSTEM_COOLING], <, 40.0);
  g_assert_cmpfloat_with_epsilon (report->system_scores[OBD_HEALTH_SYSTEM_FUEL], 100.0, 1e-9);
  g_assert_cmpint (report->status, ==, OBD_HEALTH_STATUS_STOP_DRIVING);
  g_assert_cmpfloat (report->vehicle_score, <=, report->system_scores[OBD_HEALTH_SYSTEM_COOLING]
                     + 10.0 + 1e-9);

  text = obd_health_report_explain (report);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Stop driving: a critical condition is happening now on the "
                                  "Cooling system: Live alert: Engine overheating (critical)."));
  g_assert_nonnull (strstr (text, "−40: P0217 Engine Coolant Over Temperature Condition "
                                  "(critical, stored)"));
}

static void
test_score_lean_mixture (void)
{
  static const ObdHealthCode codes[] = {
    { "P0171", "System Too Lean (Bank 1)", "fuel-air", NULL,
      OBD_SEVERITY_WARNING, OBD_HEALTH_CODE_STORED },
  };
  static const ObdHealthAlert alerts[] = {
    { "ltft_b1", OBD_SEVERITY_WARNING, "Engine running lean" },
  };
  ObdHealthInput input = {
    .codes = codes, .n_codes = G_N_ELEMENTS (codes),
    .alerts = alerts, .n_alerts = G_N_ELEMENTS (alerts),
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);

  g_assert_cmpfloat (report->system_scores[OBD_HEALTH_SYSTEM_FUEL], <, 75.0);
  g_assert_cmpfloat (report->vehicle_score, >=, 60.0);
  g_assert_cmpfloat (report->vehicle_score, <=, 85.0);
  g_assert_cmpint (report->status, ==, OBD_HEALTH_STATUS_NEEDS_ATTENTION);
}

static void
test_score_failing_catalyst (void)
{
  static const ObdHealthCode codes[] = {
    { "P0420", "Catalyst System Efficiency Below Threshold (Bank 1)", "emissions", NULL,
      OBD_SEVERITY_WARNING, OBD_HEALTH_CODE_STORED },
  };
  static const ObdHealthTestResult tests[] = {
    { 0x21, 0x80, "Catalyst bank 1", FALSE },
    { 0x01, 0x01, "O2 sensor bank 1 sensor 1", TRUE },
  };
  ObdHealthInput input = {
    .codes = codes, .n_codes = G_N_ELEMENTS (codes),
    .tests = tests, .n_tests = G_N_ELEMENTS (tests),
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);

  g_assert_cmpfloat (report->system_scores[OBD_HEALTH_SYSTEM_EMISSIONS], <, 70.0);
  g_assert_cmpint (report->status, ==, OBD_HEALTH_STATUS_NEEDS_ATTENTION);
  g_assert_cmpfloat (report->vehicle_score, >=, 40.0);
}

static void
test_score_weak_battery (void)
{
  static const ObdHealthCode codes[] = {
    /* P05xx is the speed/idle range, but the knowledge base files system
     * voltage under charging, which is electrical. */
    { "P0562", "System Voltage Low", "charging", NULL,
      OBD_SEVERITY_WARNING, OBD_HEALTH_CODE_STORED },
  };
  static const ObdHealthAlert alerts[] = {
    { "control_module_voltage", OBD_SEVERITY_WARNING, "Battery weak" },
  };
  ObdHealthInput input = {
    .codes = codes, .n_codes = G_N_ELEMENTS (codes),
    .alerts = alerts, .n_alerts = G_N_ELEMENTS (alerts),
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);

  g_assert_cmpfloat (report->system_scores[OBD_HEALTH_SYSTEM_ELECTRICAL], <, 75.0);
  g_assert_cmpfloat_with_epsilon (report->system_scores[OBD_HEALTH_SYSTEM_ENGINE], 100.0, 1e-9);
  g_assert_cmpint (report->status, ==, OBD_HEALTH_STATUS_NEEDS_ATTENTION);
}

static void
test_score_explain (void)
{
  static const ObdHealthCode codes[] = {
    { "P0301", "Cylinder 1 Misfire Detected", "ignition", NULL,
      OBD_SEVERITY_CRITICAL, OBD_HEALTH_CODE_STORED },
    { "P0171", NULL, "fuel-air", NULL, OBD_SEVERITY_WARNING, OBD_HEALTH_CODE_PENDING },
  };
  static const ObdHealthTestResult tests[] = {
    { 0xA2, 0x0B, "Misfire cylinder 1", FALSE },
  };
  static const char *const incomplete[] = { "Catalyst", "EVAP", "Oxygen sensor", "EGR" };
  static const ObdHealthTrend trends[] = {
    { "ltft_b1", "Idle long-term fuel trim has been rising by 0.10 % per day over 60 days" },
  };
  ObdHealthInput input = {
    .codes = codes, .n_codes = G_N_ELEMENTS (codes),
    .tests = tests, .n_tests = G_N_ELEMENTS (tests),
    .incomplete_monitors = incomplete, .n_incomplete_monitors = G_N_ELEMENTS (incomplete),
    .trends = trends, .n_trends = G_N_ELEMENTS (trends),
  };
  g_autoptr(ObdHealthReport) report = obd_health_evaluate (&input);
  g_autofree char *text = obd_health_report_explain (report);

  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "−40: P0301 Cylinder 1 Misfire Detected (critical, stored)"));
  g_assert_nonnull (strstr (text, "−20: On-board test failed: Misfire cylinder 1 "
                                  "(monitor A2, test 0B)"));
  g_assert_nonnull (strstr (text, "−7.5: P0171 (warning, pending)"));
  /* Four monitors × 3 points, capped at 10. */
  g_assert_nonnull (strstr (text, "−10: 4 readiness monitors incomplete (Catalyst, EVAP, "
                                  "Oxygen sensor, EGR)"));
  g_assert_nonnull (strstr (text, "−5: Unusual trend: Idle long-term fuel trim"));
  g_assert_nonnull (strstr (text, "Engine: 48/100"));
  g_assert_nonnull (strstr (text, "Cooling: 100/100, no problems found"));
  g_assert_nonnull (strstr (text, "Vehicle health: 58/100, Needs attention"));

  /* Deductions are sorted by points. */
  g_assert_cmpuint (report->deductions->len, ==, 5);
  for (guint i = 1; i < report->deductions->len; i++)
    g_assert_cmpfloat (g_array_index (report->deductions, ObdHealthDeduction, i - 1).points, >=,
                       g_array_index (report->deductions, ObdHealthDeduction, i).points);

  /* Each item names what it is about, so a view can say more of it (the
   * owner's card looks the code up). */
  for (guint i = 0; i < report->deductions->len; i++)
    {
      const ObdHealthDeduction *d = &g_array_index (report->deductions, ObdHealthDeduction, i);

      if (d->kind == OBD_HEALTH_ITEM_CODE)
        g_assert_true (g_str_has_prefix (d->reason, d->subject));
      else if (d->kind == OBD_HEALTH_ITEM_TREND)
        g_assert_cmpstr (d->subject, ==, "ltft_b1");
      else
        g_assert_null (d->subject);
    }
}

static void
test_score_readiness_and_duplicates (void)
{
  static const char *const incomplete[] = { "Catalyst", "EVAP" };
  static const ObdHealthCode codes[] = {
    { "P0420", NULL, "emissions", NULL, OBD_SEVERITY_WARNING, OBD_HEALTH_CODE_STORED },
    { "P0420", NULL, "emissions", NULL, OBD_SEVERITY_WARNING, OBD_HEALTH_CODE_PERMANENT },
    { "P0128", NULL, "fuel-air", "engine", OBD_SEVERITY_INFO, OBD_HEALTH_CODE_PENDING },
  };
  ObdHealthInput input = {
    .incomplete_monitors = incomplete, .n_incomplete_monitors = G_N_ELEMENTS (incomplete),
  };
  g_autoptr(ObdHealthReport) report = NULL;
  g_autoptr(ObdHealthReport) cleared = NULL;
  g_autoptr(ObdHealthReport) codes_report = NULL;
  g_autofree char *text = NULL;

  report = obd_health_evaluate (&input);
  g_assert_cmpfloat_with_epsilon (report->system_scores[OBD_HEALTH_SYSTEM_EMISSIONS], 94.0, 1e-9);
  /* Incomplete monitors alone do not make a car unhealthy. */
  g_assert_cmpint (report->status, ==, OBD_HEALTH_STATUS_HEALTHY);

  input.recently_cleared = TRUE;
  cleared = obd_health_evaluate (&input);
  g_assert_cmpfloat_with_epsilon (cleared->system_scores[OBD_HEALTH_SYSTEM_EMISSIONS], 100.0, 1e-9);
  text = obd_health_report_explain (cleared);
  g_assert_nonnull (strstr (text, "  0: 2 readiness monitors incomplete (Catalyst, EVAP): "
                                  "expected after codes were cleared"));

  g_assert_true (obd_health_readiness_recently_cleared (35.0, -1));
  g_assert_true (obd_health_readiness_recently_cleared (-1, 3));
  g_assert_false (obd_health_readiness_recently_cleared (1500.0, 40));
  g_assert_false (obd_health_readiness_recently_cleared (-1, -1));

  /* Stored + permanent P0420 count once; the override moves P0128 to the
   * engine. */
  input = (ObdHealthInput) { .codes = codes, .n_codes = G_N_ELEMENTS (codes) };
  codes_report = obd_health_evaluate (&input);
  g_assert_cmpuint (codes_report->deductions->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (codes_report->system_scores[OBD_HEALTH_SYSTEM_EMISSIONS],
                                  85.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (codes_report->system_scores[OBD_HEALTH_SYSTEM_ENGINE],
                                  98.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (codes_report->system_scores[OBD_HEALTH_SYSTEM_COOLING],
                                  100.0, 1e-9);
}

static void
test_score_mapping (void)
{
  ObdHealthSystem system;

  g_assert_cmpint (obd_health_system_for_dtc ("P0301", "ignition"), ==, OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpint (obd_health_system_for_dtc ("P0171", "fuel-air"), ==, OBD_HEALTH_SYSTEM_FUEL);
  g_assert_cmpint (obd_health_system_for_dtc ("P0420", "emissions"), ==,
                   OBD_HEALTH_SYSTEM_EMISSIONS);
  g_assert_cmpint (obd_health_system_for_dtc ("P0505", "speed-idle"), ==,
                   OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpint (obd_health_system_for_dtc ("P0605", "computer"), ==,
                   OBD_HEALTH_SYSTEM_ELECTRICAL);
  g_assert_cmpint (obd_health_system_for_dtc ("P0700", "transmission"), ==,
                   OBD_HEALTH_SYSTEM_TRANSMISSION);
  g_assert_cmpint (obd_health_system_for_dtc ("U0100", "network"), ==,
                   OBD_HEALTH_SYSTEM_ELECTRICAL);
  g_assert_cmpint (obd_health_system_for_dtc ("B0001", "body"), ==, OBD_HEALTH_SYSTEM_ELECTRICAL);
  g_assert_cmpint (obd_health_system_for_dtc ("C0035", "chassis"), ==,
                   OBD_HEALTH_SYSTEM_ELECTRICAL);
  g_assert_cmpint (obd_health_system_for_dtc ("P0217", "cooling"), ==,
                   OBD_HEALTH_SYSTEM_COOLING);
  g_assert_cmpint (obd_health_system_for_dtc ("P0562", "charging"), ==,
                   OBD_HEALTH_SYSTEM_ELECTRICAL);
  /* The caller's system wins: the mapping has no hidden per-code list. */
  g_assert_cmpint (obd_health_system_for_dtc ("P0217", "fuel-air"), ==, OBD_HEALTH_SYSTEM_FUEL);
  /* Without a system, the knowledge base is asked. */
  g_assert_cmpint (obd_health_system_for_dtc ("P0302", NULL), ==, OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpint (obd_health_system_for_dtc ("P0455", NULL), ==, OBD_HEALTH_SYSTEM_EMISSIONS);
  g_assert_cmpint (obd_health_system_for_dtc ("P0730", NULL), ==,
                   OBD_HEALTH_SYSTEM_TRANSMISSION);

  g_assert_cmpint (obd_health_system_for_mode06_mid (0xA1), ==, OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpint (obd_health_system_for_mode06_mid (0x21), ==, OBD_HEALTH_SYSTEM_EMISSIONS);
  g_assert_cmpint (obd_health_system_for_mode06_mid (0x3B), ==, OBD_HEALTH_SYSTEM_EMISSIONS);
  g_assert_cmpint (obd_health_system_for_mode06_mid (0x31), ==, OBD_HEALTH_SYSTEM_EMISSIONS);
  g_assert_cmpint (obd_health_system_for_mode06_mid (0x81), ==, OBD_HEALTH_SYSTEM_FUEL);

  g_assert_cmpint (obd_health_system_for_pid_key ("coolant_temp"), ==, OBD_HEALTH_SYSTEM_COOLING);
  g_assert_cmpint (obd_health_system_for_pid_key ("control_module_voltage"), ==,
                   OBD_HEALTH_SYSTEM_ELECTRICAL);
  g_assert_cmpint (obd_health_system_for_pid_key ("stft_b2"), ==, OBD_HEALTH_SYSTEM_FUEL);
  g_assert_cmpint (obd_health_system_for_pid_key ("rpm"), ==, OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpint (obd_health_system_for_pid_key ("engine_load"), ==, OBD_HEALTH_SYSTEM_ENGINE);
  g_assert_cmpint (obd_health_system_for_pid_key ("catalyst_temp_b1s1"), ==,
                   OBD_HEALTH_SYSTEM_EMISSIONS);

  g_assert_true (obd_health_system_from_key ("cooling", &system));
  g_assert_cmpint (system, ==, OBD_HEALTH_SYSTEM_COOLING);
  g_assert_false (obd_health_system_from_key ("brakes", &system));
  g_assert_cmpstr (obd_health_status_get_key (OBD_HEALTH_STATUS_STOP_DRIVING), ==,
                   "stop-driving");
}

/* Representative codes of every system, from the code to the knowledge
 * base's system to the health system it costs points on.  The subject
 * blocks of obd-dtc-kb.h (P0217 over temperature is cooling, not fuel and
 * air metering) hold for listed and for unlisted codes alike, and the data
 * file agrees with the table for every code it lists. */
static void
test_dtc_systems (void)
{
  static const struct
  {
    const char      *code;
    ObdDtcSystem     kb;
    ObdHealthSystem  health;
  } cases[] = {
    { "P0171", OBD_DTC_SYSTEM_FUEL_AIR, OBD_HEALTH_SYSTEM_FUEL },
    { "P0101", OBD_DTC_SYSTEM_FUEL_AIR, OBD_HEALTH_SYSTEM_FUEL },
    { "P0201", OBD_DTC_SYSTEM_FUEL_AIR, OBD_HEALTH_SYSTEM_FUEL },
    { "P0300", OBD_DTC_SYSTEM_IGNITION, OBD_HEALTH_SYSTEM_ENGINE },
    { "P0301", OBD_DTC_SYSTEM_IGNITION, OBD_HEALTH_SYSTEM_ENGINE },
    { "P0335", OBD_DTC_SYSTEM_IGNITION, OBD_HEALTH_SYSTEM_ENGINE },
    { "P0420", OBD_DTC_SYSTEM_EMISSIONS, OBD_HEALTH_SYSTEM_EMISSIONS },
    { "P0455", OBD_DTC_SYSTEM_EMISSIONS, OBD_HEALTH_SYSTEM_EMISSIONS },
    { "P0505", OBD_DTC_SYSTEM_SPEED_IDLE, OBD_HEALTH_SYSTEM_ENGINE },
    { "P0606", OBD_DTC_SYSTEM_COMPUTER, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "P0700", OBD_DTC_SYSTEM_TRANSMISSION, OBD_HEALTH_SYSTEM_TRANSMISSION },
    { "P0A80", OBD_DTC_SYSTEM_HYBRID, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "U0100", OBD_DTC_SYSTEM_NETWORK, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "B0001", OBD_DTC_SYSTEM_BODY, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "C0035", OBD_DTC_SYSTEM_CHASSIS, OBD_HEALTH_SYSTEM_ELECTRICAL },
    /* Cooling: over temperature, sensors, thermostat, fans, level, pump. */
    { "P0217", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P0115", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P0118", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P0128", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P00B7", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P0480", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P0691", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P0597", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P2181", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P2560", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    { "P2600", OBD_DTC_SYSTEM_COOLING, OBD_HEALTH_SYSTEM_COOLING },
    /* Charging: system voltage, generator, battery temperature. */
    { "P0562", OBD_DTC_SYSTEM_CHARGING, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "P0620", OBD_DTC_SYSTEM_CHARGING, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "P2503", OBD_DTC_SYSTEM_CHARGING, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "P0515", OBD_DTC_SYSTEM_CHARGING, OBD_HEALTH_SYSTEM_ELECTRICAL },
    /* Transmission over temperature sits in the fuel range too. */
    { "P0218", OBD_DTC_SYSTEM_TRANSMISSION, OBD_HEALTH_SYSTEM_TRANSMISSION },
    /* Neighbours of the blocks keep their range. */
    { "P0216", OBD_DTC_SYSTEM_FUEL_AIR, OBD_HEALTH_SYSTEM_FUEL },
    { "P0219", OBD_DTC_SYSTEM_FUEL_AIR, OBD_HEALTH_SYSTEM_FUEL },
    { "P0624", OBD_DTC_SYSTEM_COMPUTER, OBD_HEALTH_SYSTEM_ELECTRICAL },
    { "P0627", OBD_DTC_SYSTEM_COMPUTER, OBD_HEALTH_SYSTEM_ELECTRICAL },
    /* Manufacturer-specific codes follow the range. */
    { "P1217", OBD_DTC_SYSTEM_FUEL_AIR, OBD_HEALTH_SYSTEM_FUEL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      ObdDtcInfo info;

      g_test_message ("%s", cases[i].code);
      g_assert_true (obd_dtc_kb_lookup (cases[i].code, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (obd_dtc_system_get_key (info.system), ==,
                       obd_dtc_system_get_key (cases[i].kb));
      g_assert_cmpint (obd_health_system_for_dtc (cases[i].code, NULL), ==, cases[i].health);
      g_assert_cmpint (obd_health_system_for_dtc (cases[i].code,
                                                  obd_dtc_system_get_key (info.system)), ==,
                       cases[i].health);
    }

  /* The data file against the blocks as obd-dtc-kb.h documents them:
   * every listed code inside a block has the block's system, and no listed
   * code outside the blocks is filed under cooling or charging. */
  for (guint i = 0; i < obd_dtc_kb_get_n_codes (); i++)
    {
      static const struct { guint16 first, last; ObdDtcSystem system; } blocks[] = {
        { 0x00B1, 0x00B7, OBD_DTC_SYSTEM_COOLING }, { 0x0115, 0x011B, OBD_DTC_SYSTEM_COOLING },
        { 0x0125, 0x0126, OBD_DTC_SYSTEM_COOLING }, { 0x0128, 0x0128, OBD_DTC_SYSTEM_COOLING },
        { 0x0217, 0x0217, OBD_DTC_SYSTEM_COOLING }, { 0x0218, 0x0218, OBD_DTC_SYSTEM_TRANSMISSION },
        { 0x0480, 0x0485, OBD_DTC_SYSTEM_COOLING }, { 0x0493, 0x0495, OBD_DTC_SYSTEM_COOLING },
        { 0x050C, 0x050C, OBD_DTC_SYSTEM_COOLING }, { 0x0514, 0x0517, OBD_DTC_SYSTEM_CHARGING },
        { 0x0526, 0x0529, OBD_DTC_SYSTEM_COOLING }, { 0x0560, 0x0563, OBD_DTC_SYSTEM_CHARGING },
        { 0x0597, 0x0599, OBD_DTC_SYSTEM_COOLING }, { 0x0620, 0x0623, OBD_DTC_SYSTEM_CHARGING },
        { 0x0625, 0x0626, OBD_DTC_SYSTEM_CHARGING }, { 0x063A, 0x063D, OBD_DTC_SYSTEM_CHARGING },
        { 0x065A, 0x065B, OBD_DTC_SYSTEM_CHARGING }, { 0x0691, 0x0696, OBD_DTC_SYSTEM_COOLING },
        { 0x2181, 0x2186, OBD_DTC_SYSTEM_COOLING }, { 0x2500, 0x2504, OBD_DTC_SYSTEM_CHARGING },
        { 0x2556, 0x2560, OBD_DTC_SYSTEM_COOLING }, { 0x2600, 0x2603, OBD_DTC_SYSTEM_COOLING },
        { 0x2678, 0x2683, OBD_DTC_SYSTEM_COOLING },
      };
      ObdDtcInfo info;
      guint16 raw = 0;
      int in_block = -1;

      g_assert_true (obd_dtc_kb_get_nth (i, &info));
      g_assert_true (obd_dtc_parse_code (info.code, &raw));
      for (guint b = 0; b < G_N_ELEMENTS (blocks) && info.code[0] == 'P'; b++)
        if (raw >= blocks[b].first && raw <= blocks[b].last)
          in_block = (int) b;
      if (in_block >= 0)
        g_assert_cmpint (info.system, ==, blocks[in_block].system);
      else
        g_assert_true (info.system != OBD_DTC_SYSTEM_COOLING
                       && info.system != OBD_DTC_SYSTEM_CHARGING);
    }
  g_assert_cmpstr (obd_dtc_system_get_key (OBD_DTC_SYSTEM_COOLING), ==, "cooling");
  g_assert_cmpstr (obd_dtc_system_get_label (OBD_DTC_SYSTEM_CHARGING), ==,
                   "Charging and system voltage");
}

/* ---- trends ------------------------------------------------------------ */

#define DAY_US ((gint64) 86400 * G_USEC_PER_SEC)

/* Deterministic noise in [-1, 1], so the tests never flake. */
static double
noise (guint i)
{
  static const double table[] = {
    0.31, -0.72, 0.05, 0.88, -0.43, -0.11, 0.64, -0.95, 0.27, -0.36,
    0.79, -0.58, 0.12, -0.04, 0.51, -0.83, 0.40, -0.22, 0.93, -0.67,
  };

  return table[i % G_N_ELEMENTS (table)];
}

static void
test_trend_flat (void)
{
  ObdTrendPoint points[20];
  ObdTrendOptions options;
  g_autoptr(ObdTrendResult) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (ObdTrendPoint) { (gint64) 1700000000 * G_USEC_PER_SEC + i * 3 * DAY_US,
                                  2.0 + 0.8 * noise (i) };
  obd_trend_options_init_for_key (&options, "ltft_b1");
  result = obd_trend_analyze (points, G_N_ELEMENTS (points), &options,
                              "Idle long-term fuel trim", "%");
  g_assert_cmpint (result->kind, ==, OBD_TREND_KIND_NONE);
  g_assert_false (result->level_anomaly);
  g_assert_false (result->drift);
  g_assert_cmpint (result->direction, ==, OBD_TREND_DIRECTION_NONE);
  g_assert_cmpfloat (fabs (result->z_score), <, 3.5);
  g_assert_nonnull (strstr (result->explanation, "within its usual range"));
}

static void
test_trend_outlier (void)
{
  ObdTrendPoint points[12];
  g_autoptr(ObdTrendResult) high = NULL;
  g_autoptr(ObdTrendResult) low = NULL;

  /* Given in reverse order: the analysis sorts by time. */
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (ObdTrendPoint) { (gint64) (11 - i) * DAY_US, 13.9 + 0.15 * noise (i) };
  points[0].value = 13.1;  /* the latest session: the charging voltage dropped */
  low = obd_trend_analyze (points, G_N_ELEMENTS (points), NULL, "Charging voltage", "V");
  g_assert_cmpint (low->kind, ==, OBD_TREND_KIND_LEVEL);
  g_assert_true (low->level_anomaly);
  g_assert_cmpint (low->direction, ==, OBD_TREND_DIRECTION_DOWN);
  g_assert_cmpfloat (low->z_score, <, -3.5);
  g_assert_cmpfloat_with_epsilon (low->latest, 13.1, 1e-9);
  g_assert_nonnull (strstr (low->explanation, "unusually low"));

  points[0].value = 15.2;
  high = obd_trend_analyze (points, G_N_ELEMENTS (points), NULL, "Charging voltage", "V");
  g_assert_cmpint (high->kind, ==, OBD_TREND_KIND_LEVEL);
  g_assert_cmpint (high->direction, ==, OBD_TREND_DIRECTION_UP);
  g_assert_nonnull (strstr (high->explanation, "unusually high"));
}

static void
test_trend_constant_history (void)
{
  ObdTrendPoint points[8];
  ObdTrendOptions options;
  g_autoptr(ObdTrendResult) quantum = NULL;
  g_autoptr(ObdTrendResult) jump = NULL;

  /* A perfectly flat history has MAD = 0: a change of one sensor quantum
   * must not be an anomaly, a real jump must. */
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (ObdTrendPoint) { (gint64) i * DAY_US, 90.0 };
  obd_trend_options_init_for_key (&options, "coolant_temp");
  points[7].value = 91.0;
  quantum = obd_trend_analyze (points, G_N_ELEMENTS (points), &options, "Coolant", "°C");
  g_assert_false (quantum->level_anomaly);
  g_assert_true (isfinite (quantum->z_score));

  points[7].value = 99.0;
  jump = obd_trend_analyze (points, G_N_ELEMENTS (points), &options, "Coolant", "°C");
  g_assert_cmpint (jump->kind, ==, OBD_TREND_KIND_LEVEL);
}

static void
test_trend_drift (void)
{
  ObdTrendPoint points[20];
  ObdTrendOptions options;
  g_autoptr(ObdTrendResult) rising = NULL;
  g_autoptr(ObdTrendResult) falling = NULL;

  /* Idle LTFT rising 0.15 %/day over ~2 months, ±0.5 % session noise, and
   * one wild session in the middle that Theil–Sen must shrug off. */
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (ObdTrendPoint) { (gint64) i * 3 * DAY_US + (gint64) (noise (i + 3) * 3600e6),
                                  1.0 + 0.15 * 3 * i + 0.5 * noise (i) };
  points[9].value = -6.0;
  obd_trend_options_init_for_key (&options, "ltft_b1");
  rising = obd_trend_analyze (points, G_N_ELEMENTS (points), &options,
                              "Idle long-term fuel trim", "%");
  g_test_message ("%s", rising->explanation);
  g_assert_cmpint (rising->kind, ==, OBD_TREND_KIND_DRIFT);
  g_assert_true (rising->drift);
  g_assert_cmpint (rising->direction, ==, OBD_TREND_DIRECTION_UP);
  g_assert_cmpfloat_with_epsilon (rising->slope_per_day, 0.15, 0.02);
  g_assert_cmpfloat (rising->mk_z, >, 1.96);
  g_assert_nonnull (strstr (rising->explanation, "rising"));

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i].value = 12.6 - 0.004 * 3 * i + 0.01 * noise (i);
  obd_trend_options_init_for_key (&options, "control_module_voltage");
  falling = obd_trend_analyze (points, G_N_ELEMENTS (points), &options,
                               "Resting battery voltage", "V");
  g_assert_cmpint (falling->kind, ==, OBD_TREND_KIND_DRIFT);
  g_assert_cmpint (falling->direction, ==, OBD_TREND_DIRECTION_DOWN);
  g_assert_cmpfloat_with_epsilon (falling->slope_per_day, -0.004, 0.001);
  g_assert_nonnull (strstr (falling->explanation, "falling"));
}

static void
test_trend_not_enough (void)
{
  ObdTrendPoint points[4];
  g_autoptr(ObdTrendResult) result = NULL;
  g_autoptr(ObdTrendResult) empty = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (ObdTrendPoint) { (gint64) i * DAY_US, i == 3 ? 50.0 : 1.0 };
  result = obd_trend_analyze (points, G_N_ELEMENTS (points), NULL, "Idle fuel trim", "%");
  g_assert_cmpint (result->kind, ==, OBD_TREND_KIND_NOT_ENOUGH_HISTORY);
  g_assert_false (result->level_anomaly);
  g_assert_cmpstr (result->explanation, ==,
                   "Not enough history for Idle fuel trim yet: 4 points recorded, "
                   "at least 5 needed.");

  empty = obd_trend_analyze (NULL, 0, NULL, "Idle fuel trim", "%");
  g_assert_cmpint (empty->kind, ==, OBD_TREND_KIND_NOT_ENOUGH_HISTORY);
  g_assert_cmpstr (obd_trend_kind_get_key (empty->kind), ==, "not-enough-history");
}

static void
test_trend_stats (void)
{
  double odd[] = { 5, 1, 3 };
  double even[] = { 4, 1, 3, 2 };
  double x[] = { 0, 1, 2, 3, 4, 5, 6 };
  double y[] = { 1, 3, 5, 7, 100, 11, 13 };  /* y = 2x + 1, one outlier */
  double up[] = { 1, 2, 3, 4, 5, 6 };
  double tied[] = { 2, 2, 2, 2, 2 };
  double slope = 0, intercept = 0;

  g_assert_cmpfloat_with_epsilon (obd_stats_median (odd, 3), 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (obd_stats_median (even, 4), 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (obd_stats_mad ((double[]) { 1, 2, 3, 4, 100 }, 5, 3.0), 1.0,
                                  1e-12);
  g_assert_true (obd_stats_theil_sen (x, y, G_N_ELEMENTS (x), &slope, &intercept));
  g_assert_cmpfloat_with_epsilon (slope, 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (intercept, 1.0, 1e-12);
  g_assert_false (obd_stats_theil_sen ((double[]) { 1, 1 }, (double[]) { 1, 2 }, 2, &slope,
                                       NULL));
  /* n = 6 strictly increasing: S = 15, Var = 6·5·17/18, Z = 14/√28.33. */
  g_assert_cmpfloat_with_epsilon (obd_stats_mann_kendall (up, 6), 14.0 / sqrt (510.0 / 18.0),
                                  1e-9);
  g_assert_cmpfloat_with_epsilon (obd_stats_mann_kendall (tied, 5), 0.0, 1e-12);
}

/* ---- maintenance ------------------------------------------------------- */

static GDate
make_date (int year,
           int month,
           int day)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return date;
}

static ObdServiceItem
oil_item (double done_km,
          GDate  done_date)
{
  ObdServiceItem item;

  obd_service_item_init_from_schedule (&item, obd_service_schedule_lookup ("oil-change"));
  item.last_done_km = done_km;
  item.last_done_date = done_date;
  return item;
}

static void
test_maintenance_by_distance (void)
{
  GDate today = make_date (2024, 6, 1);
  ObdServiceItem item = oil_item (50000, make_date (2024, 3, 1));
  ObdServiceForecast f;

  obd_service_forecast (&item, 55000, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OK);
  g_assert_true (f.by_distance);
  g_assert_cmpfloat_with_epsilon (f.due_km, 65000, 1e-9);
  g_assert_cmpfloat_with_epsilon (f.remaining_km, 10000, 1e-9);
  g_assert_cmpfloat_with_epsilon (f.margin_km, 1500, 1e-9);

  /* Within 10 % of the 15000 km interval. */
  obd_service_forecast (&item, 63600, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_DUE);
  g_assert_cmpfloat_with_epsilon (f.remaining_km, 1400, 1e-9);
  obd_service_forecast (&item, 65000, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_DUE);

  obd_service_forecast (&item, 65200, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OVERDUE);
  g_assert_cmpfloat_with_epsilon (f.remaining_km, -200, 1e-9);

  /* A short interval gets the 500 km floor. */
  item.interval_km = 3000;
  obd_service_forecast (&item, 52600, &today, 0, &f);
  g_assert_cmpfloat_with_epsilon (f.margin_km, 500, 1e-9);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_DUE);

  /* Never done: counted from 0 km. */
  obd_service_item_init_from_schedule (&item, obd_service_schedule_lookup ("timing-belt"));
  obd_service_forecast (&item, 120000, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OVERDUE);
  g_assert_false (f.by_time);
}

static void
test_maintenance_by_date (void)
{
  GDate today;
  ObdServiceItem item;
  ObdServiceForecast f;

  obd_service_item_init_from_schedule (&item, obd_service_schedule_lookup ("brake-fluid"));
  item.last_done_date = make_date (2022, 7, 10);
  g_assert_cmpfloat_with_epsilon (item.interval_km, 0, 1e-9);

  today = make_date (2024, 3, 1);
  obd_service_forecast (&item, 80000, &today, 40, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OK);
  g_assert_false (f.by_distance);
  g_assert_true (f.by_time);
  g_assert_cmpint (g_date_get_year (&f.due_date), ==, 2024);
  /* 730 days after 2022-07-10, over the leap day of 2024. */
  g_assert_cmpint (g_date_get_month (&f.due_date), ==, 7);
  g_assert_cmpint (g_date_get_day (&f.due_date), ==, 9);
  g_assert_cmpint (f.remaining_days, ==, 130);
  /* 10 % of 730 days. */
  g_assert_cmpint (f.margin_days, ==, 73);
  g_assert_true (f.has_prediction);
  g_assert_cmpint (f.predicted_days, ==, 130);

  today = make_date (2024, 6, 1);
  obd_service_forecast (&item, 80000, &today, 40, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_DUE);

  today = make_date (2024, 7, 10);
  obd_service_forecast (&item, 80000, &today, 40, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OVERDUE);
  g_assert_cmpint (f.remaining_days, ==, -1);

  /* Oil: fine by distance, overdue by time (365 days). */
  item = oil_item (50000, make_date (2023, 5, 1));
  today = make_date (2024, 5, 20);
  obd_service_forecast (&item, 52000, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OVERDUE);
  g_assert_cmpfloat (f.remaining_km, >, 0);

  /* One-off work. */
  item = (ObdServiceItem) { .last_done_km = -1 };
  g_date_clear (&item.last_done_date, 1);
  obd_service_forecast (&item, 52000, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_DUE);
  item.last_done_km = 51000;
  obd_service_forecast (&item, 52000, &today, 0, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_DONE);
  g_assert_cmpstr (obd_service_status_get_key (f.status), ==, "done");
}

static void
test_maintenance_prediction (void)
{
  ObdOdometerReading readings[10];
  GDate today = make_date (2024, 4, 1);
  ObdServiceItem item = oil_item (40000, make_date (2024, 1, 1));
  ObdServiceForecast f;
  double km_per_day = 0;

  /* Steady 40 km a day, readings every 9 days up to today. */
  for (guint i = 0; i < G_N_ELEMENTS (readings); i++)
    {
      readings[i].date = today;
      g_date_subtract_days (&readings[i].date, 9 * (9 - i));
      readings[i].km = 44000 - 40.0 * 9 * (9 - i);
    }
  g_assert_true (obd_service_estimate_km_per_day (readings, G_N_ELEMENTS (readings),
                                                  &km_per_day));
  g_assert_cmpfloat_with_epsilon (km_per_day, 40.0, 1e-9);

  /* 11000 km left at 40 km/day → 275 days; the 365-day limit
   * (2024-12-31, a leap year) is 274 days away and comes first. */
  obd_service_forecast (&item, 44000, &today, km_per_day, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OK);
  g_assert_true (f.has_prediction);
  g_assert_cmpint (f.predicted_days, ==, 274);
  g_assert_cmpint (f.remaining_days, ==, 274);

  /* Twice the driving: distance first. */
  obd_service_forecast (&item, 44000, &today, 2 * km_per_day, &f);
  g_assert_cmpint (f.predicted_days, ==, 137);
  g_assert_cmpint (g_date_days_between (&today, &f.predicted_date), ==, 137);

  /* A misread odometer (an extra digit) and a reading typed as 0 do not
   * move the estimate much; readings in any order. */
  readings[4].km = 428800;
  readings[7].km = 0;
  {
    ObdOdometerReading tmp = readings[0];
    readings[0] = readings[9];
    readings[9] = tmp;
  }
  g_assert_true (obd_service_estimate_km_per_day (readings, G_N_ELEMENTS (readings),
                                                  &km_per_day));
  g_assert_cmpfloat_with_epsilon (km_per_day, 40.0, 4.0);

  /* Overdue by distance: the predicted date is in the past. */
  item = oil_item (40000, make_date (2024, 3, 1));
  obd_service_forecast (&item, 55400, &today, 40, &f);
  g_assert_cmpint (f.status, ==, OBD_SERVICE_STATUS_OVERDUE);
  g_assert_cmpint (f.predicted_days, ==, -10);

  /* Not enough readings. */
  g_assert_false (obd_service_estimate_km_per_day (readings, 1, &km_per_day));
  g_assert_false (obd_service_estimate_km_per_day (NULL, 0, &km_per_day));
}

static void
test_maintenance_schedule (void)
{
  const ObdServiceSchedule *schedule;
  g_autoptr(GError) error = NULL;
  gsize n = 0;
  ObdServiceStatus status;

  schedule = obd_service_get_default_schedule (&n);
  g_assert_cmpuint (n, ==, 7);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_nonnull (schedule[i].key);
      g_assert_nonnull (obd_service_schedule_get_label (&schedule[i]));
      g_assert_true (schedule[i].interval_km > 0 || schedule[i].interval_days > 0);
      g_assert_true (obd_service_schedule_lookup (schedule[i].key) == &schedule[i]);
    }
  g_assert_cmpfloat_with_epsilon (obd_service_schedule_lookup ("oil-change")->interval_km,
                                  15000, 1e-9);
  /* Six years of 365 days and a leap day each four: the store's unit. */
  g_assert_cmpuint (obd_service_schedule_lookup ("timing-belt")->interval_days, ==, 2191);
  g_assert_null (obd_service_schedule_lookup ("muffler"));
  g_assert_true (obd_service_status_from_key ("OVERDUE", &status, NULL));
  g_assert_cmpint (status, ==, OBD_SERVICE_STATUS_OVERDUE);
  /* Unknown text is an error, never the first status. */
  status = OBD_SERVICE_STATUS_DONE;
  g_assert_false (obd_service_status_from_key ("soon", &status, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpint (status, ==, OBD_SERVICE_STATUS_DONE);
  g_assert_cmpstr (obd_service_status_get_label (OBD_SERVICE_STATUS_DUE), ==, "Due");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/health/alerts/thresholds-defaults", test_thresholds_defaults);
  g_test_add_func ("/health/alerts/thresholds-keyfile", test_thresholds_keyfile);
  g_test_add_func ("/health/alerts/limits-match-schema", test_limits_match_schema);
  g_test_add_func ("/health/alerts/limits-pids", test_limits_pids);
  g_test_add_func ("/health/enums-match-schema", test_enums_match_schema);
  g_test_add_func ("/health/alerts/state", test_alert_state);
  g_test_add_func ("/health/alerts/min-duration", test_alert_min_duration);
  g_test_add_func ("/health/alerts/hysteresis", test_alert_hysteresis);
  g_test_add_func ("/health/alerts/rpm-load-oil", test_alert_rpm_load_oil);
  g_test_add_func ("/health/alerts/voltage-running", test_alert_voltage_running);
  g_test_add_func ("/health/alerts/voltage-resting", test_alert_voltage_resting);
  g_test_add_func ("/health/alerts/fuel-trims", test_alert_fuel_trims);
  g_test_add_func ("/health/alerts/fuel-trim-total", test_alert_fuel_trim_total);
  g_test_add_func ("/health/alerts/catalyst", test_alert_catalyst);
  g_test_add_func ("/health/alerts/names", test_alert_names);

  g_test_add_func ("/health/score/healthy-idle", test_score_healthy_idle);
  g_test_add_func ("/health/score/misfire", test_score_misfire);
  g_test_add_func ("/health/score/overheating", test_score_overheating);
  g_test_add_func ("/health/score/lean-mixture", test_score_lean_mixture);
  g_test_add_func ("/health/score/failing-catalyst", test_score_failing_catalyst);
  g_test_add_func ("/health/score/weak-battery", test_score_weak_battery);
  g_test_add_func ("/health/score/explain", test_score_explain);
  g_test_add_func ("/health/score/readiness-duplicates", test_score_readiness_and_duplicates);
  g_test_add_func ("/health/score/mapping", test_score_mapping);
  g_test_add_func ("/health/score/dtc-systems", test_dtc_systems);

  g_test_add_func ("/health/trend/flat", test_trend_flat);
  g_test_add_func ("/health/trend/outlier", test_trend_outlier);
  g_test_add_func ("/health/trend/constant-history", test_trend_constant_history);
  g_test_add_func ("/health/trend/drift", test_trend_drift);
  g_test_add_func ("/health/trend/not-enough", test_trend_not_enough);
  g_test_add_func ("/health/trend/stats", test_trend_stats);

  g_test_add_func ("/health/maintenance/by-distance", test_maintenance_by_distance);
  g_test_add_func ("/health/maintenance/by-date", test_maintenance_by_date);
  g_test_add_func ("/health/maintenance/prediction", test_maintenance_prediction);
  g_test_add_func ("/health/maintenance/schedule", test_maintenance_schedule);

  return g_test_run ();
}
