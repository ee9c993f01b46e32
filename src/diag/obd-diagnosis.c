/* obd-diagnosis.c — judgement over what was read and what was recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-diagnosis"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"

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

static int
monitor_rank (const char *stem)
{
  for (guint i = 0; i < G_N_ELEMENTS (monitor_names); i++)
    if (g_str_equal (monitor_names[i].key, stem))
      return (int) i;
  return G_N_ELEMENTS (monitor_names);
}

/* ---- the inputs of a report, in one canonical order ------------------- */

typedef struct
{
  GArray    *codes;     /* ObdHealthCode */
  GArray    *tests;     /* ObdHealthTestResult */
  GArray    *alerts;    /* ObdHealthAlert */
  GPtrArray *monitors;  /* char *, stems of incomplete monitors */
  GArray    *trends;    /* ObdHealthTrend */
  gboolean   recently_cleared;
  GPtrArray *strings;   /* owned strings the arrays point into */
} Inputs;

static void
inputs_init (Inputs *in)
{
  in->codes = g_array_new (FALSE, TRUE, sizeof (ObdHealthCode));
  in->tests = g_array_new (FALSE, TRUE, sizeof (ObdHealthTestResult));
  in->alerts = g_array_new (FALSE, TRUE, sizeof (ObdHealthAlert));
  in->monitors = g_ptr_array_new_with_free_func (g_free);
  in->trends = g_array_new (FALSE, TRUE, sizeof (ObdHealthTrend));
  in->strings = g_ptr_array_new_with_free_func (g_free);
  in->recently_cleared = FALSE;
}

static void
inputs_clear (Inputs *in)
{
  g_clear_pointer (&in->codes, g_array_unref);
  g_clear_pointer (&in->tests, g_array_unref);
  g_clear_pointer (&in->alerts, g_array_unref);
  g_clear_pointer (&in->monitors, g_ptr_array_unref);
  g_clear_pointer (&in->trends, g_array_unref);
  g_clear_pointer (&in->strings, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Inputs, inputs_clear)

static const char *
inputs_keep (Inputs *in,
             char   *text)
{
  g_ptr_array_add (in->strings, text);
  return text;
}

static void
inputs_add_code (Inputs     *in,
                 const char *code,
                 ObdDtcKind  kind)
{
  ObdHealthCode entry = { 0 };
  ObdDtcInfo info;

  entry.code = inputs_keep (in, g_strdup (code));
  entry.kind = kind == OBD_DTC_KIND_PENDING ? OBD_HEALTH_CODE_PENDING
               : kind == OBD_DTC_KIND_PERMANENT ? OBD_HEALTH_CODE_PERMANENT
               : OBD_HEALTH_CODE_STORED;
  /* A code the knowledge base cannot parse still counts, as a warning of
   * unknown meaning. */
  entry.severity = OBD_SEVERITY_WARNING;
  if (obd_dtc_kb_lookup (code, &info, NULL))
    {
      entry.description = info.title;
      entry.system = obd_dtc_system_get_key (info.system);
      entry.severity = info.severity;
    }
  g_array_append_val (in->codes, entry);
}

static void
inputs_add_test (Inputs   *in,
                 guint8    mid,
                 guint8    tid,
                 gboolean  passed)
{
  ObdHealthTestResult test = {
    .mid = mid,
    .tid = tid,
    .label = obd_mode06_get_mid_name (mid),
    .passed = passed,
  };

  g_array_append_val (in->tests, test);
}

static void
inputs_add_alert (Inputs       *in,
                  ObdAlertKind  kind,
                  const char   *key,
                  ObdSeverity   severity,
                  double        value)
{
  ObdHealthAlert alert = {
    .key = inputs_keep (in, g_strdup (key)),
    .severity = severity,
    .title = inputs_keep (in, obd_alert_dup_title (kind, value)),
  };

  g_array_append_val (in->alerts, alert);
}

/* Anomalies only; a trend is about the reading whose key it carries. */
static void
inputs_add_trends (Inputs    *in,
                   GPtrArray *trends)
{
  for (guint i = 0; trends != NULL && i < trends->len; i++)
    {
      const ObdTrendResult *r = g_ptr_array_index (trends, i);
      ObdHealthTrend trend;

      if (r->key == NULL || (r->kind != OBD_TREND_KIND_LEVEL && r->kind != OBD_TREND_KIND_DRIFT))
        continue;
      trend.key = r->key;
      trend.explanation = inputs_keep (in, g_strdup (r->explanation));
      g_array_append_val (in->trends, trend);
    }
}

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  const ObdHealthCode *x = a, *y = b;
  int c = strcmp (x->code, y->code);

  return c != 0 ? c : (int) x->kind - (int) y->kind;
}

static int
compare_tests (gconstpointer a,
               gconstpointer b)
{
  const ObdHealthTestResult *x = a, *y = b;

  if (x->mid != y->mid)
    return (int) x->mid - (int) y->mid;
  if (x->tid != y->tid)
    return (int) x->tid - (int) y->tid;
  return (int) x->passed - (int) y->passed;
}

static int
compare_alerts (gconstpointer a,
                gconstpointer b)
{
  const ObdHealthAlert *x = a, *y = b;
  int c = strcmp (x->key, y->key);

  if (c != 0)
    return c;
  if (x->severity != y->severity)
    return (int) y->severity - (int) x->severity;
  return g_strcmp0 (x->title, y->title);
}

static int
compare_monitors (gconstpointer a,
                  gconstpointer b)
{
  const char *x = *(const char * const *) a;
  const char *y = *(const char * const *) b;
  int rx = monitor_rank (x), ry = monitor_rank (y);

  return rx != ry ? rx - ry : strcmp (x, y);
}

/* The report, from inputs sorted the same way whatever their source: the
 * live and the stored path then agree to the letter. */
static ObdHealthReport *
inputs_evaluate (Inputs *in)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  ObdHealthInput input = { 0 };

  g_array_sort (in->codes, compare_codes);
  g_array_sort (in->tests, compare_tests);
  g_array_sort (in->alerts, compare_alerts);
  g_ptr_array_sort (in->monitors, compare_monitors);
  for (guint i = 0; i < in->monitors->len; i++)
    g_ptr_array_add (names, (gpointer) obd_diagnosis_get_monitor_label (g_ptr_array_index (in->monitors, i)));

  input.codes = (const ObdHealthCode *) (gpointer) in->codes->data;
  input.n_codes = in->codes->len;
  input.tests = (const ObdHealthTestResult *) (gpointer) in->tests->data;
  input.n_tests = in->tests->len;
  input.alerts = (const ObdHealthAlert *) (gpointer) in->alerts->data;
  input.n_alerts = in->alerts->len;
  input.incomplete_monitors = (const char * const *) names->pdata;
  input.n_incomplete_monitors = names->len;
  input.trends = (const ObdHealthTrend *) (gpointer) in->trends->data;
  input.n_trends = in->trends->len;
  input.recently_cleared = in->recently_cleared;
  return obd_health_evaluate (&input);
}

/* ---- from a snapshot ---------------------------------------------------- */

/* Stems of the readiness values "<monitor>_complete" that say "not
 * complete" and whose "<monitor>_available" does not say it is absent. */
static void
collect_incomplete (const ObdSnapshot *snapshot,
                    GPtrArray         *stems)
{
  for (guint i = 0; i < snapshot->readiness->len; i++)
    {
      const ObdValue *v = &g_array_index (snapshot->readiness, ObdValue, i);
      g_autofree char *stem = NULL;
      g_autofree char *available_key = NULL;
      const ObdValue *available;

      if (v->key == NULL || !g_str_has_suffix (v->key, "_complete") || v->value != 0)
        continue;
      stem = g_strndup (v->key, strlen (v->key) - strlen ("_complete"));
      available_key = g_strconcat (stem, "_available", NULL);
      available = obd_snapshot_find_readiness (snapshot, available_key);
      if (available != NULL && available->value == 0)
        continue;
      g_ptr_array_add (stems, g_steal_pointer (&stem));
    }
}

ObdHealthReport *
obd_diagnosis_evaluate_full (const ObdSnapshot *snapshot,
                             GPtrArray         *active_alerts,
                             GPtrArray         *trends)
{
  g_auto(Inputs) in;

  g_return_val_if_fail (snapshot != NULL, NULL);

  inputs_init (&in);
  for (guint i = 0; i < snapshot->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);

      inputs_add_code (&in, dtc->code, dtc->kind);
    }
  for (guint i = 0; i < snapshot->monitors->len; i++)
    {
      const ObdMonitorResult *r = &g_array_index (snapshot->monitors, ObdMonitorResult, i);

      inputs_add_test (&in, r->mid, r->tid, r->passed);
    }
  for (guint i = 0; active_alerts != NULL && i < active_alerts->len; i++)
    {
      const ObdAlertEvent *event = g_ptr_array_index (active_alerts, i);

      inputs_add_alert (&in, event->kind, event->key, event->severity, event->value);
    }
  collect_incomplete (snapshot, in.monitors);
  in.recently_cleared = obd_health_readiness_recently_cleared (snapshot->km_since_clear,
                                                               snapshot->warmups_since_clear);
  inputs_add_trends (&in, trends);

  return inputs_evaluate (&in);
}

ObdHealthReport *
obd_diagnosis_evaluate (const ObdSnapshot *snapshot,
                        GPtrArray         *active_alerts)
{
  return obd_diagnosis_evaluate_full (snapshot, active_alerts, NULL);
}

/* ---- from the store ----------------------------------------------------- */

/* Mode 06 results, readiness and since-clear figures of a session. */
static gboolean
add_session_tests_and_readiness (Inputs                      *in,
                                 ObdStore                    *store,
                                 gint64                       session_id,
                                 const ObdStoreSessionHealth *health,
                                 GError                     **error)
{
  g_autoptr(GArray) results = NULL;
  g_autoptr(GPtrArray) readiness = NULL;

  results = obd_store_list_mode06_results (store, session_id, error);
  if (results == NULL)
    return FALSE;
  for (guint i = 0; i < results->len; i++)
    {
      const ObdStoreMode06Result *r = &g_array_index (results, ObdStoreMode06Result, i);

      inputs_add_test (in, r->mid, r->tid, r->passed);
    }

  readiness = obd_store_list_readiness (store, session_id, error);
  if (readiness == NULL)
    return FALSE;
  for (guint i = 0; i < readiness->len; i++)
    {
      const ObdStoreReadinessEntry *entry = g_ptr_array_index (readiness, i);

      if (entry->available && !entry->complete)
        g_ptr_array_add (in->monitors, g_strdup (entry->monitor));
    }

  in->recently_cleared = obd_health_readiness_recently_cleared (health->km_since_clear,
                                                                health->warmups_since_clear);
  return TRUE;
}

static gboolean
add_session_alerts (Inputs    *in,
                    ObdStore  *store,
                    gint64     session_id,
                    GError   **error)
{
  g_autoptr(GPtrArray) alerts = obd_store_list_session_alerts (store, session_id, error);

  if (alerts == NULL)
    return FALSE;
  for (guint i = 0; i < alerts->len; i++)
    {
      const ObdStoreAlert *alert = g_ptr_array_index (alerts, i);
      ObdAlertKind kind;

      if (!obd_alert_kind_from_key (alert->kind, &kind, error))
        {
          g_prefix_error (error, _("Damaged alert in session %" PRId64 ": "),
                          session_id);
          return FALSE;
        }
      inputs_add_alert (in, kind, alert->key, alert->severity, alert->value);
    }
  return TRUE;
}

ObdHealthReport *
obd_diagnosis_evaluate_session (ObdStore  *store,
                                gint64     session_id,
                                GError   **error)
{
  g_auto(Inputs) in;
  g_autoptr(GPtrArray) events = NULL;
  ObdStoreSessionHealth health;
  gboolean found = FALSE;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  inputs_init (&in);
  events = obd_store_list_session_dtcs (store, session_id, error);
  if (events == NULL
      || !obd_store_get_session_health (store, session_id, &health, &found, error))
    return NULL;
  for (guint i = 0; i < events->len; i++)
    {
      const ObdStoreDtcEvent *event = g_ptr_array_index (events, i);

      inputs_add_code (&in, event->code, event->kind);
    }
  if (!add_session_tests_and_readiness (&in, store, session_id, &health, error)
      || !add_session_alerts (&in, store, session_id, error))
    return NULL;

  return inputs_evaluate (&in);
}

ObdHealthReport *
obd_diagnosis_evaluate_stored (ObdStore  *store,
                               gint64     vehicle_id,
                               GError   **error)
{
  g_auto(Inputs) in;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) session_events = NULL;
  g_autoptr(GPtrArray) trends = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  ObdStoreSessionHealth health = { 0, NAN, -1 };
  gint64 session_id = 0, last_clear = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  inputs_init (&in);
  active = obd_store_list_dtc_events (store, vehicle_id, FALSE, error);
  if (active == NULL
      || !obd_store_find_health_session (store, vehicle_id, &session_id, error)
      || !obd_store_get_last_clear (store, vehicle_id, &last_clear, error))
    return NULL;

  if (session_id != 0)
    {
      gboolean voided;

      if (!obd_store_get_session_health (store, session_id, &health, &found, error)
          || (session_events = obd_store_list_session_dtcs (store, session_id, error)) == NULL)
        return NULL;

      /* The session's codes still active: a later Mode 04 cleared the
       * stored and pending ones (permanent codes stay, J1979 Mode 0A). */
      for (guint i = 0; i < session_events->len; i++)
        {
          ObdStoreDtcEvent *event = g_ptr_array_index (session_events, i);

          if (event->cleared_us != 0)
            continue;
          g_hash_table_add (seen, &event->id);
          inputs_add_code (&in, event->code, event->kind);
        }

      /* A clear after the snapshot voided its Mode 06 results and
       * readiness: the monitors start over, which is no fault. */
      voided = last_clear > health.taken_us;
      if (voided)
        in.recently_cleared = TRUE;
      else if (!add_session_tests_and_readiness (&in, store, session_id, &health, error))
        return NULL;

      if (!add_session_alerts (&in, store, session_id, error))
        return NULL;
    }

  /* Codes reported since (or, without any session inputs, every active
   * code) are known too. */
  for (guint i = 0; i < active->len; i++)
    {
      ObdStoreDtcEvent *event = g_ptr_array_index (active, i);

      if (g_hash_table_contains (seen, &event->id))
        continue;
      if (session_id != 0 && event->first_seen_us <= health.taken_us)
        continue;
      inputs_add_code (&in, event->code, event->kind);
    }

  trends = obd_diagnosis_list_trends (store, vehicle_id, error);
  if (trends == NULL)
    return NULL;
  inputs_add_trends (&in, trends);

  return inputs_evaluate (&in);
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
obd_diagnosis_attach_snapshot (ObdStore           *store,
                               gint64              vehicle_id,
                               gint64              session_id,
                               const ObdSnapshot  *snapshot,
                               GError            **error)
{
  g_autoptr(GArray) event_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  ObdStoreSessionHealth health;

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  if (vehicle_id != 0)
    for (guint i = 0; i < snapshot->dtcs->len; i++)
      {
        const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);
        gint64 id = obd_store_record_dtc (store, vehicle_id, session_id, dtc->code, dtc->kind,
                                          dtc->ecu, snapshot->time_us, error);

        if (id == 0)
          return FALSE;
        g_array_append_val (event_ids, id);
      }

  if (session_id == 0)
    return TRUE;

  /* The codes belong to this session even when their events started in an
   * earlier one: its export and its report list them. */
  if (!obd_store_link_session_dtcs (store, session_id, (const gint64 *) (gpointer) event_ids->data,
                                    event_ids->len, error))
    return FALSE;

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

  health.taken_us = snapshot->time_us;
  health.km_since_clear = snapshot->km_since_clear;
  health.warmups_since_clear = snapshot->warmups_since_clear;
  return obd_store_set_session_health (store, session_id, &health, error);
}

gboolean
obd_diagnosis_store_snapshot (ObdStore           *store,
                              gint64              vehicle_id,
                              gint64              session_id,
                              const ObdSnapshot  *snapshot,
                              GError            **error)
{
  return obd_diagnosis_attach_snapshot (store, vehicle_id, session_id, snapshot, error);
}

gboolean
obd_diagnosis_store_session_alerts (ObdStore   *store,
                                    gint64      session_id,
                                    GPtrArray  *active_alerts,
                                    GError    **error)
{
  g_autoptr(GArray) alerts = g_array_new (FALSE, TRUE, sizeof (ObdStoreAlert));

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);

  for (guint i = 0; active_alerts != NULL && i < active_alerts->len; i++)
    {
      const ObdAlertEvent *event = g_ptr_array_index (active_alerts, i);
      ObdStoreAlert alert = {
        .kind = (char *) obd_alert_kind_get_key (event->kind),
        .key = event->key,
        .severity = event->severity,
        .value = event->value,
        .threshold = event->threshold,
        .time_us = event->time_us,
      };

      if (event->type != OBD_ALERT_EVENT_RAISED)
        continue;
      g_array_append_val (alerts, alert);
    }
  return obd_store_set_session_alerts (store, session_id,
                                       (const ObdStoreAlert *) (gpointer) alerts->data,
                                       alerts->len, error);
}

gboolean
obd_diagnosis_record_clear (ObdStore    *store,
                            const char  *vin,
                            const char  *cleared_by,
                            gint64       cleared_us,
                            gboolean    *out_recorded,
                            GError     **error)
{
  g_autoptr(GPtrArray) vehicles = NULL;

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (vin != NULL, FALSE);
  g_return_val_if_fail (out_recorded != NULL, FALSE);

  *out_recorded = FALSE;
  vehicles = obd_store_list_vehicles (store, error);
  if (vehicles == NULL)
    return FALSE;

  for (guint i = 0; i < vehicles->len; i++)
    {
      const ObdStoreVehicle *vehicle = g_ptr_array_index (vehicles, i);

      if (vehicle->vin != NULL && g_ascii_strcasecmp (vehicle->vin, vin) == 0)
        {
          if (!obd_store_clear_dtcs (store, vehicle->id, cleared_by, cleared_us, error))
            return FALSE;
          *out_recorded = TRUE;
          return TRUE;
        }
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
  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (event->type != OBD_ALERT_EVENT_RAISED)
    return TRUE;

  return obd_store_add_notification (store, vehicle_id, session_id, event->severity,
                                     obd_alert_kind_get_key (event->kind), event->title,
                                     event->message, error) != 0;
}

ObdSnapshot *
obd_diagnosis_clear_codes (ObdAdapter    *adapter,
                           GArray       **out_ecus,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (adapter), NULL);

  if (!obd_snapshot_clear_codes (adapter, out_ecus, cancellable, error))
    return NULL;

  /* Mode 04 resets the codes, the freeze frame, the readiness monitors
   * and the Mode 06 results alike (SAE J1979): keeping any of them from
   * before the clear would keep a fault the car no longer reports. */
  return obd_snapshot_read (adapter,
                            OBD_SNAPSHOT_DTCS | OBD_SNAPSHOT_FREEZE | OBD_SNAPSHOT_READINESS |
                            OBD_SNAPSHOT_MONITORS,
                            cancellable, error);
}

/* ---- trends ------------------------------------------------------------- */

/* Speed and rpm of an idling engine: stopped, turning, not revved. */
#define IDLE_MAX_SPEED_KMH  1.0
#define IDLE_MIN_RPM        400.0
#define IDLE_MAX_RPM        1200.0
/* A reading counts as "at idle" when the nearest speed and rpm samples are
 * this close in time. */
#define IDLE_MAX_GAP_US     (2 * G_USEC_PER_SEC)
/* Trends look at the vehicle's latest sessions only: older history says
 * little about today, and reading every session of a long life costs. */
#define TREND_MAX_SESSIONS  24

static const struct
{
  guint8      pid;
  guint8      index;
  const char *label;   /* the reading at idle */
} trend_readings[] = {
  { 0x05, 0, N_("Coolant temperature at idle") },
  { 0x07, 0, N_("Long-term fuel trim bank 1 at idle") },
  { 0x09, 0, N_("Long-term fuel trim bank 2 at idle") },
  { 0x42, 0, N_("Control module voltage at idle") },
};

static gboolean
near_value (const GArray *series,
            gint64        time_us,
            double       *out_value)
{
  const ObdStorePoint *p = (const ObdStorePoint *) (gconstpointer) series->data;
  gsize lo = 0, hi = series->len;

  if (series->len == 0)
    return FALSE;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (p[mid].time_us < time_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == series->len || (lo > 0 && time_us - p[lo - 1].time_us <= p[lo].time_us - time_us))
    lo--;
  if (ABS (p[lo].time_us - time_us) > IDLE_MAX_GAP_US)
    return FALSE;
  *out_value = p[lo].value;
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The session's summary of a reading: the median of its samples (idle
 * ones only when idle_only).  FALSE when there are none. */
static gboolean
session_point (ObdStore  *store,
               gint64     session_id,
               guint8     pid,
               guint8     index,
               gboolean   idle_only,
               double    *out_value,
               GError   **error)
{
  g_autoptr(GArray) series = NULL;
  g_autoptr(GArray) speed = NULL;
  g_autoptr(GArray) rpm = NULL;
  g_autoptr(GArray) values = NULL;

  series = obd_store_get_series (store, session_id, pid, index, 0, error);
  if (series == NULL)
    return FALSE;
  if (idle_only)
    {
      speed = obd_store_get_series (store, session_id, 0x0D, 0, 0, error);
      if (speed == NULL)
        return FALSE;
      rpm = obd_store_get_series (store, session_id, 0x0C, 0, 0, error);
      if (rpm == NULL)
        return FALSE;
    }

  values = g_array_sized_new (FALSE, FALSE, sizeof (double), series->len);
  for (guint j = 0; j < series->len; j++)
    {
      const ObdStorePoint *point = &g_array_index (series, ObdStorePoint, j);
      double v_speed, v_rpm;

      if (idle_only
          && !(near_value (speed, point->time_us, &v_speed) && v_speed < IDLE_MAX_SPEED_KMH
               && near_value (rpm, point->time_us, &v_rpm)
               && v_rpm > IDLE_MIN_RPM && v_rpm < IDLE_MAX_RPM))
        continue;
      g_array_append_val (values, point->value);
    }
  if (values->len == 0)
    {
      *out_value = NAN;
      return TRUE;
    }
  g_array_sort (values, compare_doubles);
  *out_value = g_array_index (values, double, values->len / 2);
  return TRUE;
}

static ObdTrendResult *
analyze_sessions (ObdStore    *store,
                  GPtrArray   *sessions,
                  guint8       pid,
                  guint8       index,
                  gboolean     idle_only,
                  const char  *label,
                  GError     **error)
{
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ObdTrendPoint));
  const ObdValue *meta = obd_pid_get_value_info (pid, index);
  ObdTrendResult *result;
  ObdTrendOptions options;

  /* Newest first; the latest TREND_MAX_SESSIONS. */
  for (guint i = 0; i < sessions->len && i < TREND_MAX_SESSIONS; i++)
    {
      const ObdStoreSession *session = g_ptr_array_index (sessions, i);
      ObdTrendPoint point;

      if (!session_point (store, session->id, pid, index, idle_only, &point.value, error))
        return NULL;
      if (isnan (point.value))
        continue;
      point.time_us = session->started_us;
      g_array_append_val (points, point);
    }

  if (meta != NULL)
    obd_trend_options_init_for_key (&options, meta->key);
  else
    obd_trend_options_init_defaults (&options);

  result = obd_trend_analyze ((const ObdTrendPoint *) (gpointer) points->data, points->len,
                              &options, label,
                              meta != NULL ? obd_unit_get_symbol (meta->unit, OBD_UNIT_SYSTEM_SI)
                                           : NULL);
  result->key = meta != NULL ? meta->key : NULL;
  return result;
}

ObdTrendResult *
obd_diagnosis_trend (ObdStore  *store,
                     gint64     vehicle_id,
                     guint8     pid,
                     guint8     index,
                     GError   **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  const ObdValue *meta = obd_pid_get_value_info (pid, index);
  const char *label = meta != NULL ? obd_value_get_label (meta) : _("Reading");
  gboolean idle_only = FALSE;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (trend_readings); i++)
    if (trend_readings[i].pid == pid && trend_readings[i].index == index)
      {
        idle_only = TRUE;
        label = _(trend_readings[i].label);
      }

  sessions = obd_store_list_sessions (store, vehicle_id, error);
  if (sessions == NULL)
    return NULL;
  return analyze_sessions (store, sessions, pid, index, idle_only, label, error);
}

GPtrArray *
obd_diagnosis_list_trends (ObdStore  *store,
                           gint64     vehicle_id,
                           GError   **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) results = NULL;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_trend_result_free);
  sessions = obd_store_list_sessions (store, vehicle_id, error);
  if (sessions == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (trend_readings); i++)
    {
      ObdTrendResult *r = analyze_sessions (store, sessions, trend_readings[i].pid,
                                            trend_readings[i].index, TRUE,
                                            _(trend_readings[i].label), error);

      if (r == NULL)
        return NULL;
      /* Readings this vehicle never recorded at idle are not news. */
      if (r->n_points == 0)
        {
          obd_trend_result_free (r);
          continue;
        }
      g_ptr_array_add (results, r);
    }
  return g_steal_pointer (&results);
}
