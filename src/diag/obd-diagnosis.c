/* obd-diagnosis.c — judgement over what was read and what was recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-diagnosis"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"

static ObdHealthSeverity
severity_from_kb (ObdDtcSeverity severity)
{
  switch (severity)
    {
    case OBD_DTC_SEVERITY_CRITICAL:
      return OBD_HEALTH_SEVERITY_CRITICAL;
    case OBD_DTC_SEVERITY_INFO:
      return OBD_HEALTH_SEVERITY_INFO;
    case OBD_DTC_SEVERITY_WARNING:
    default:
      return OBD_HEALTH_SEVERITY_WARNING;
    }
}

static ObdHealthCodeKind
code_kind (ObdDtcKind kind)
{
  switch (kind)
    {
    case OBD_DTC_KIND_PENDING:
      return OBD_HEALTH_CODE_PENDING;
    case OBD_DTC_KIND_PERMANENT:
      return OBD_HEALTH_CODE_PERMANENT;
    case OBD_DTC_KIND_STORED:
    default:
      return OBD_HEALTH_CODE_STORED;
    }
}

static void
add_code (GArray     *codes,
          const char *code,
          ObdDtcKind  kind)
{
  ObdHealthCode entry = { 0 };
  ObdDtcInfo info;

  entry.code = g_intern_string (code);
  entry.kind = code_kind (kind);
  entry.severity = OBD_HEALTH_SEVERITY_WARNING;
  if (obd_dtc_kb_lookup (code, &info, NULL))
    {
      entry.description = info.title;
      entry.system = obd_dtc_system_get_key (info.system);
      entry.severity = severity_from_kb (info.severity);
    }

  g_array_append_val (codes, entry);
}

/* Readiness monitors by the key stem of their PID 01 fields. */
static const struct
{
  const char *key;
  const char *name;
} monitor_names[] = {
  { "misfire", N_("Misfire") },
  { "fuel_system", N_("Fuel system") },
  { "components", N_("Comprehensive components") },
  { "catalyst", N_("Catalyst") },
  { "heated_catalyst", N_("Heated catalyst") },
  { "evap", N_("Evaporative system") },
  { "secondary_air", N_("Secondary air system") },
  { "ac_refrigerant", N_("A/C refrigerant") },
  { "gpf", N_("Gasoline particulate filter") },
  { "o2_sensor", N_("Oxygen sensor") },
  { "o2_heater", N_("Oxygen sensor heater") },
  { "egr_vvt", N_("EGR/VVT system") },
  { "nmhc_catalyst", N_("NMHC catalyst") },
  { "nox_scr", N_("NOx/SCR aftertreatment") },
  { "boost_pressure", N_("Boost pressure") },
  { "exhaust_gas_sensor", N_("Exhaust gas sensor") },
  { "pm_filter", N_("Particulate filter") },
};

const char *
obd_diagnosis_get_monitor_label (const char *stem)
{
  for (guint i = 0; i < G_N_ELEMENTS (monitor_names); i++)
    if (g_str_equal (monitor_names[i].key, stem))
      return _(monitor_names[i].name);

  return g_intern_string (stem);
}

/* Monitor names from the readiness values "<monitor>_complete" that say
 * "not complete" and whose "<monitor>_available" says it exists. */
static void
collect_incomplete (const ObdSnapshot *snapshot,
                    GPtrArray         *names)
{
  for (guint i = 0; i < snapshot->readiness->len; i++)
    {
      const ObdValue *v = &g_array_index (snapshot->readiness, ObdValue, i);
      g_autofree char *available_key = NULL;
      const ObdValue *available;

      if (v->key == NULL || !g_str_has_suffix (v->key, "_complete") || v->value != 0)
        continue;

      available_key = g_strdup_printf ("%.*s_available",
                                       (int) (strlen (v->key) - strlen ("_complete")), v->key);
      available = obd_snapshot_find_readiness (snapshot, available_key);
      if (available != NULL && available->value == 0)
        continue;

      {
        g_autofree char *stem = g_strndup (v->key, strlen (v->key) - strlen ("_complete"));

        g_ptr_array_add (names, (gpointer) obd_diagnosis_get_monitor_label (stem));
      }
    }
}

ObdHealthReport *
obd_diagnosis_evaluate (const ObdSnapshot *snapshot,
                        GPtrArray         *active_alerts)
{
  g_autoptr(GArray) codes = g_array_new (FALSE, TRUE, sizeof (ObdHealthCode));
  g_autoptr(GArray) tests = g_array_new (FALSE, TRUE, sizeof (ObdHealthTestResult));
  g_autoptr(GArray) alerts = g_array_new (FALSE, TRUE, sizeof (ObdHealthAlert));
  g_autoptr(GPtrArray) incomplete = g_ptr_array_new ();
  ObdHealthInput input = { 0 };

  g_return_val_if_fail (snapshot != NULL, NULL);

  for (guint i = 0; i < snapshot->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);

      add_code (codes, dtc->code, dtc->kind);
    }

  for (guint i = 0; i < snapshot->monitors->len; i++)
    {
      const ObdMonitorResult *r = &g_array_index (snapshot->monitors, ObdMonitorResult, i);
      ObdHealthTestResult test = {
        .mid = r->mid,
        .tid = r->tid,
        .label = r->mid_name,
        .passed = r->passed,
      };

      g_array_append_val (tests, test);
    }

  for (guint i = 0; active_alerts != NULL && i < active_alerts->len; i++)
    {
      const ObdAlertEvent *event = g_ptr_array_index (active_alerts, i);
      ObdHealthAlert alert = {
        .key = event->key,
        .severity = event->severity,
        .title = event->title,
      };

      g_array_append_val (alerts, alert);
    }

  collect_incomplete (snapshot, incomplete);

  input.codes = (const ObdHealthCode *) codes->data;
  input.n_codes = codes->len;
  input.tests = (const ObdHealthTestResult *) tests->data;
  input.n_tests = tests->len;
  input.alerts = (const ObdHealthAlert *) alerts->data;
  input.n_alerts = alerts->len;
  input.incomplete_monitors = (const char * const *) incomplete->pdata;
  input.n_incomplete_monitors = incomplete->len;
  input.recently_cleared =
    obd_health_readiness_recently_cleared (snapshot->km_since_clear,
                                           snapshot->warmups_since_clear);

  return obd_health_evaluate (&input);
}

ObdHealthReport *
obd_diagnosis_evaluate_stored (ObdStore  *store,
                               gint64     vehicle_id,
                               GError   **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) codes = g_array_new (FALSE, TRUE, sizeof (ObdHealthCode));
  ObdHealthInput input = { 0 };

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  events = obd_store_list_dtc_events (store, vehicle_id, FALSE, error);
  if (events == NULL)
    return NULL;

  for (guint i = 0; i < events->len; i++)
    {
      const ObdStoreDtcEvent *event = g_ptr_array_index (events, i);

      add_code (codes, event->code, event->kind);
    }

  input.codes = (const ObdHealthCode *) codes->data;
  input.n_codes = codes->len;

  return obd_health_evaluate (&input);
}

gint64
obd_diagnosis_ensure_vehicle (ObdStore           *store,
                              const ObdSnapshot  *snapshot,
                              GError            **error)
{
  const ObdVinInfo *info;

  g_return_val_if_fail (OBD_IS_STORE (store), 0);
  g_return_val_if_fail (snapshot != NULL, 0);

  if (snapshot->vin == NULL)
    return 0;

  /* The VIN gives the make and the model year; the model itself is not
   * encoded in a way that can be decoded without each maker's tables, so it
   * is left for the mechanic to fill in. */
  info = snapshot->vin_info;
  return obd_store_ensure_vehicle (store, snapshot->vin,
                                   info != NULL ? info->manufacturer : NULL, NULL,
                                   info != NULL ? info->model_year : 0, error);
}

gboolean
obd_diagnosis_store_snapshot (ObdStore           *store,
                              gint64              vehicle_id,
                              gint64              session_id,
                              const ObdSnapshot  *snapshot,
                              GError            **error)
{
  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  if (vehicle_id != 0)
    for (guint i = 0; i < snapshot->dtcs->len; i++)
      {
        const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);

        if (obd_store_record_dtc (store, vehicle_id, session_id, dtc->code, dtc->kind, dtc->ecu,
                                  snapshot->time_us, error) == 0)
          return FALSE;
      }

  if (session_id == 0)
    return TRUE;

  if (snapshot->freeze_dtc[0] != '\0')
    {
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));

      for (guint i = 0; i < snapshot->freeze_values->len; i++)
        {
          const ObdValue *v = &g_array_index (snapshot->freeze_values, ObdValue, i);
          ObdSample sample = {
            .time_us = snapshot->time_us,
            .ecu = snapshot->freeze_ecu,
            .service = 0x02,
            .pid = v->pid,
            .index = v->index,
            .value = v->value,
          };

          g_array_append_val (samples, sample);
        }

      if (obd_store_add_freeze_frame (store, session_id, snapshot->freeze_dtc,
                                      snapshot->freeze_ecu, 0, snapshot->time_us,
                                      (const ObdSample *) samples->data, samples->len,
                                      error) == 0)
        return FALSE;
    }

  if (snapshot->readiness->len > 0)
    {
      g_autoptr(GArray) monitors = g_array_new (FALSE, TRUE, sizeof (ObdStoreReadiness));

      for (guint i = 0; i < snapshot->readiness->len; i++)
        {
          const ObdValue *v = &g_array_index (snapshot->readiness, ObdValue, i);
          g_autofree char *available_key = NULL;
          const ObdValue *available;
          ObdStoreReadiness entry = { 0 };

          if (v->key == NULL || !g_str_has_suffix (v->key, "_complete"))
            continue;
          available_key = g_strdup_printf ("%.*s_available",
                                           (int) (strlen (v->key) - strlen ("_complete")),
                                           v->key);
          available = obd_snapshot_find_readiness (snapshot, available_key);
          {
            g_autofree char *monitor = g_strndup (v->key,
                                                  strlen (v->key) - strlen ("_complete"));

            entry.monitor = g_intern_string (monitor);
          }
          entry.available = available == NULL || available->value != 0;
          entry.complete = v->value != 0;
          g_array_append_val (monitors, entry);
        }

      if (!obd_store_add_readiness (store, session_id, snapshot->time_us,
                                    (const ObdStoreReadiness *) monitors->data, monitors->len,
                                    error))
        return FALSE;
    }

  if (snapshot->monitors->len > 0)
    {
      g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (ObdStoreMode06Result));

      for (guint i = 0; i < snapshot->monitors->len; i++)
        {
          const ObdMonitorResult *r = &g_array_index (snapshot->monitors, ObdMonitorResult, i);
          ObdStoreMode06Result entry = {
            .ecu = r->ecu,
            .mid = r->mid,
            .tid = r->tid,
            .value = r->value,
            .min = r->min,
            .max = r->max,
            .passed = r->passed,
            .unit = r->unit_symbol,
          };

          g_array_append_val (results, entry);
        }

      if (!obd_store_add_mode06_results (store, session_id,
                                         (const ObdStoreMode06Result *) results->data,
                                         results->len, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
obd_diagnosis_store_alert (ObdStore             *store,
                           gint64                vehicle_id,
                           gint64                session_id,
                           const ObdAlertEvent  *event,
                           GError              **error)
{
  ObdStoreSeverity severity;

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (event->type != OBD_ALERT_EVENT_RAISED)
    return TRUE;

  switch (event->severity)
    {
    case OBD_HEALTH_SEVERITY_CRITICAL:
      severity = OBD_STORE_SEVERITY_CRITICAL;
      break;
    case OBD_HEALTH_SEVERITY_INFO:
      severity = OBD_STORE_SEVERITY_INFO;
      break;
    case OBD_HEALTH_SEVERITY_WARNING:
    default:
      severity = OBD_STORE_SEVERITY_WARNING;
      break;
    }

  return obd_store_add_notification (store, vehicle_id, session_id, severity,
                                     obd_alert_kind_get_key (event->kind), event->title,
                                     event->message, error) != 0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

ObdTrendResult *
obd_diagnosis_trend (ObdStore  *store,
                     gint64     vehicle_id,
                     guint8     pid,
                     guint8     index,
                     GError   **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ObdTrendPoint));
  const ObdValue *meta = obd_pid_get_value_info (pid, index);
  ObdTrendOptions options;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  sessions = obd_store_list_sessions (store, vehicle_id, error);
  if (sessions == NULL)
    return NULL;

  for (guint i = 0; i < sessions->len; i++)
    {
      const ObdStoreSession *session = g_ptr_array_index (sessions, i);
      g_autoptr(GArray) series = NULL;
      g_autoptr(GArray) values = NULL;
      ObdTrendPoint point;

      series = obd_store_get_series (store, session->id, pid, index, 0, error);
      if (series == NULL)
        return NULL;
      if (series->len == 0)
        continue;

      values = g_array_sized_new (FALSE, FALSE, sizeof (double), series->len);
      for (guint j = 0; j < series->len; j++)
        g_array_append_val (values, g_array_index (series, ObdStorePoint, j).value);
      g_array_sort (values, compare_doubles);

      point.time_us = session->started_us;
      point.value = g_array_index (values, double, values->len / 2);
      g_array_append_val (points, point);
    }

  if (meta != NULL)
    obd_trend_options_init_for_key (&options, meta->key);
  else
    obd_trend_options_init_defaults (&options);

  return obd_trend_analyze ((const ObdTrendPoint *) points->data, points->len, &options,
                            meta != NULL ? obd_value_get_label (meta) : _("Reading"),
                            meta != NULL ? obd_unit_get_symbol (meta->unit, OBD_UNIT_SYSTEM_SI)
                                         : NULL);
}
