/* obd-health.c — health scores of a vehicle and its systems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The formula and the mappings are documented in obd-health.h; keep the two
 * in step.
 */
#define G_LOG_DOMAIN "obd-health"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-enum-types.h"
#include "obd-enums.h"
#include "obd-health.h"

/* Deduction weights, in points out of 100. */
#define CODE_CRITICAL_POINTS      40.0
#define CODE_WARNING_POINTS       15.0
#define CODE_INFO_POINTS           3.0
#define PENDING_FACTOR             0.5
#define TEST_FAILED_POINTS        20.0
#define ALERT_CRITICAL_POINTS     40.0
#define ALERT_WARNING_POINTS      15.0
#define MONITOR_POINTS             3.0
#define MONITORS_MAX_POINTS       10.0
#define TREND_POINTS               5.0

/* Vehicle score: the worst system plus this caps the weighted mean. */
#define WORST_SYSTEM_MARGIN       10.0
#define HEALTHY_MIN_SCORE         80.0
#define STOP_DRIVING_BELOW        40.0

#define RECENT_CLEAR_KM          200.0
#define RECENT_CLEAR_WARMUPS      10

static const double system_weights[OBD_HEALTH_N_SYSTEMS] = {
  [OBD_HEALTH_SYSTEM_ENGINE] = 0.25,
  [OBD_HEALTH_SYSTEM_EMISSIONS] = 0.15,
  [OBD_HEALTH_SYSTEM_FUEL] = 0.15,
  [OBD_HEALTH_SYSTEM_COOLING] = 0.15,
  [OBD_HEALTH_SYSTEM_ELECTRICAL] = 0.15,
  [OBD_HEALTH_SYSTEM_TRANSMISSION] = 0.15,
};

/* ---- names ------------------------------------------------------------- */

static const char *const system_keys[OBD_HEALTH_N_SYSTEMS] = {
  "engine", "emissions", "fuel", "cooling", "electrical", "transmission",
};

const char *
obd_health_system_get_key (ObdHealthSystem system)
{
  g_return_val_if_fail (system < OBD_HEALTH_N_SYSTEMS, NULL);
  return system_keys[system];
}

const char *
obd_health_system_get_label (ObdHealthSystem system)
{
  switch (system)
    {
    case OBD_HEALTH_SYSTEM_ENGINE:
      return _("Engine");
    case OBD_HEALTH_SYSTEM_EMISSIONS:
      return _("Emissions");
    case OBD_HEALTH_SYSTEM_FUEL:
      return _("Fuel");
    case OBD_HEALTH_SYSTEM_COOLING:
      return _("Cooling");
    case OBD_HEALTH_SYSTEM_ELECTRICAL:
      return _("Electrical");
    case OBD_HEALTH_SYSTEM_TRANSMISSION:
      return _("Transmission");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
obd_health_system_from_key (const char      *key,
                            ObdHealthSystem *out_system)
{
  g_return_val_if_fail (key != NULL, FALSE);

  for (guint i = 0; i < OBD_HEALTH_N_SYSTEMS; i++)
    if (g_ascii_strcasecmp (key, system_keys[i]) == 0)
      {
        if (out_system != NULL)
          *out_system = (ObdHealthSystem) i;
        return TRUE;
      }
  return FALSE;
}

const char *
obd_health_status_get_key (ObdHealthStatus status)
{
  static const char *const keys[] = { "healthy", "needs-attention", "stop-driving" };

  g_return_val_if_fail (status <= OBD_HEALTH_STATUS_STOP_DRIVING, NULL);
  return keys[status];
}

const char *
obd_health_status_get_label (ObdHealthStatus status)
{
  switch (status)
    {
    case OBD_HEALTH_STATUS_HEALTHY:
      return _("Healthy");
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      return _("Needs attention");
    case OBD_HEALTH_STATUS_STOP_DRIVING:
      return _("Stop driving");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---- mappings ---------------------------------------------------------- */

/* The knowledge base files every code under a system by its subject
 * (obd-dtc-kb.h: cooling, charging, ... before the J2012 ranges), so this
 * is a plain mapping of its systems onto the six scored here. */
static const ObdHealthSystem kb_systems[OBD_DTC_SYSTEM_COUNT] = {
  [OBD_DTC_SYSTEM_FUEL_AIR] = OBD_HEALTH_SYSTEM_FUEL,
  [OBD_DTC_SYSTEM_IGNITION] = OBD_HEALTH_SYSTEM_ENGINE,
  [OBD_DTC_SYSTEM_EMISSIONS] = OBD_HEALTH_SYSTEM_EMISSIONS,
  [OBD_DTC_SYSTEM_SPEED_IDLE] = OBD_HEALTH_SYSTEM_ENGINE,
  [OBD_DTC_SYSTEM_COMPUTER] = OBD_HEALTH_SYSTEM_ELECTRICAL,
  [OBD_DTC_SYSTEM_TRANSMISSION] = OBD_HEALTH_SYSTEM_TRANSMISSION,
  [OBD_DTC_SYSTEM_HYBRID] = OBD_HEALTH_SYSTEM_ELECTRICAL,
  [OBD_DTC_SYSTEM_NETWORK] = OBD_HEALTH_SYSTEM_ELECTRICAL,
  [OBD_DTC_SYSTEM_BODY] = OBD_HEALTH_SYSTEM_ELECTRICAL,
  [OBD_DTC_SYSTEM_CHASSIS] = OBD_HEALTH_SYSTEM_ELECTRICAL,
  [OBD_DTC_SYSTEM_OTHER] = OBD_HEALTH_SYSTEM_ENGINE,
  [OBD_DTC_SYSTEM_COOLING] = OBD_HEALTH_SYSTEM_COOLING,
  [OBD_DTC_SYSTEM_CHARGING] = OBD_HEALTH_SYSTEM_ELECTRICAL,
};

ObdHealthSystem
obd_health_system_for_dtc_system (ObdDtcSystem system)
{
  g_return_val_if_fail ((guint) system < OBD_DTC_SYSTEM_COUNT, OBD_HEALTH_SYSTEM_ENGINE);

  return kb_systems[system];
}

ObdHealthSystem
obd_health_system_for_dtc (const char *code,
                           const char *kb_system)
{
  ObdDtcInfo info;
  int value;

  if (kb_system != NULL && obd_enum_from_nick (OBD_TYPE_DTC_SYSTEM, kb_system, &value, NULL))
    return kb_systems[value];

  /* Without the caller's system, the knowledge base answers for any valid
   * code (listed, manufacturer-specific or unknown alike). */
  if (code != NULL && obd_dtc_kb_lookup (code, &info, NULL))
    return kb_systems[info.system];
  return OBD_HEALTH_SYSTEM_ENGINE;
}

ObdHealthSystem
obd_health_system_for_mode06_mid (guint8 mid)
{
  /* Monitor IDs of SAE J1979 Appendix D: A1 misfire general, A2-AD
   * cylinders 1-12; 85-88 boost pressure; 81-84 fuel system. */
  if (mid >= 0xA1 && mid <= 0xAD)
    return OBD_HEALTH_SYSTEM_ENGINE;
  if (mid >= 0x85 && mid <= 0x88)
    return OBD_HEALTH_SYSTEM_ENGINE;
  if (mid >= 0x81 && mid <= 0x84)
    return OBD_HEALTH_SYSTEM_FUEL;
  return OBD_HEALTH_SYSTEM_EMISSIONS;
}

ObdHealthSystem
obd_health_system_for_pid_key (const char *key)
{
  g_return_val_if_fail (key != NULL, OBD_HEALTH_SYSTEM_ENGINE);

  if (strcmp (key, "coolant_temp") == 0)
    return OBD_HEALTH_SYSTEM_COOLING;
  if (strcmp (key, "control_module_voltage") == 0)
    return OBD_HEALTH_SYSTEM_ELECTRICAL;
  if (g_str_has_prefix (key, "stft_") || g_str_has_prefix (key, "ltft_"))
    return OBD_HEALTH_SYSTEM_FUEL;
  if (g_str_has_prefix (key, "catalyst_temp_") || g_str_has_prefix (key, "o2_"))
    return OBD_HEALTH_SYSTEM_EMISSIONS;
  return OBD_HEALTH_SYSTEM_ENGINE;
}

gboolean
obd_health_readiness_recently_cleared (double km_since_clear,
                                       int    warmups_since_clear)
{
  return (km_since_clear >= 0 && km_since_clear < RECENT_CLEAR_KM)
         || (warmups_since_clear >= 0 && warmups_since_clear < RECENT_CLEAR_WARMUPS);
}

/* ---- evaluation -------------------------------------------------------- */

static const char *
severity_word (ObdSeverity severity)
{
  switch (severity)
    {
    case OBD_SEVERITY_INFO:
      return C_("severity", "information");
    case OBD_SEVERITY_WARNING:
      return C_("severity", "warning");
    case OBD_SEVERITY_CRITICAL:
      return C_("severity", "critical");
    default:
      g_assert_not_reached ();
    }
}

static const char *
code_kind_word (ObdHealthCodeKind kind)
{
  switch (kind)
    {
    case OBD_HEALTH_CODE_STORED:
      return C_("trouble code", "stored");
    case OBD_HEALTH_CODE_PENDING:
      return C_("trouble code", "pending");
    case OBD_HEALTH_CODE_PERMANENT:
      return C_("trouble code", "permanent");
    default:
      g_assert_not_reached ();
    }
}

static double
code_points (const ObdHealthCode *code)
{
  double points;

  switch (code->severity)
    {
    case OBD_SEVERITY_CRITICAL:
      points = CODE_CRITICAL_POINTS;
      break;
    case OBD_SEVERITY_WARNING:
      points = CODE_WARNING_POINTS;
      break;
    case OBD_SEVERITY_INFO:
    default:
      points = CODE_INFO_POINTS;
      break;
    }
  if (code->kind == OBD_HEALTH_CODE_PENDING)
    points *= PENDING_FACTOR;
  return points;
}

static void
add_deduction (GArray            *deductions,
               ObdHealthSystem    system,
               ObdHealthItemKind  kind,
               ObdSeverity  severity,
               gboolean           confirmed,
               double             points,
               const char        *subject,
               char              *reason)
{
  ObdHealthDeduction d = {
    .system = system,
    .kind = kind,
    .severity = severity,
    .confirmed = confirmed,
    .points = CLAMP (points, 0.0, 100.0),
    .reason = reason,
    .subject = g_strdup (subject),
  };

  g_array_append_val (deductions, d);
}

static void
clear_deduction (gpointer data)
{
  ObdHealthDeduction *d = data;

  g_clear_pointer (&d->reason, g_free);
  g_clear_pointer (&d->subject, g_free);
}

static int
compare_deductions (gconstpointer a,
                    gconstpointer b)
{
  const ObdHealthDeduction *da = a, *db = b;

  return (da->points < db->points) - (da->points > db->points);
}

static void
add_codes (const ObdHealthInput *input,
           GArray               *deductions)
{
  for (gsize i = 0; i < input->n_codes; i++)
    {
      const ObdHealthCode *code = &input->codes[i];
      ObdHealthSystem system;
      gboolean duplicate = FALSE;
      char *reason;

      g_return_if_fail (code->code != NULL);

      /* One fault reported in several lists (stored and permanent, or by
       * two ECUs) counts once, with its heaviest weight; ties go to the
       * first. */
      for (gsize j = 0; j < input->n_codes && !duplicate; j++)
        {
          const ObdHealthCode *other = &input->codes[j];

          if (j == i || other->code == NULL || g_ascii_strcasecmp (other->code, code->code) != 0)
            continue;
          if (code_points (other) > code_points (code)
              || (code_points (other) == code_points (code) && j < i))
            duplicate = TRUE;
        }
      if (duplicate)
        continue;

      if (code->health_system == NULL
          || !obd_health_system_from_key (code->health_system, &system))
        system = obd_health_system_for_dtc (code->code, code->system);

      if (code->description != NULL && *code->description != '\0')
        /* Translators: "P0301 Cylinder 1 Misfire Detected (critical, stored)" */
        reason = g_strdup_printf (_("%s %s (%s, %s)"), code->code, code->description,
                                  severity_word (code->severity), code_kind_word (code->kind));
      else
        /* Translators: "P0301 (critical, stored)" */
        reason = g_strdup_printf (_("%s (%s, %s)"), code->code,
                                  severity_word (code->severity), code_kind_word (code->kind));

      add_deduction (deductions, system, OBD_HEALTH_ITEM_CODE, code->severity,
                     code->kind != OBD_HEALTH_CODE_PENDING, code_points (code), code->code,
                     reason);
    }
}

static void
add_tests (const ObdHealthInput *input,
           GArray               *deductions)
{
  for (gsize i = 0; i < input->n_tests; i++)
    {
      const ObdHealthTestResult *test = &input->tests[i];
      char *reason;

      if (test->passed)
        continue;

      if (test->label != NULL && *test->label != '\0')
        reason = g_strdup_printf (_("On-board test failed: %s (monitor %02X, test %02X)"),
                                  test->label, test->mid, test->tid);
      else
        reason = g_strdup_printf (_("On-board test failed (monitor %02X, test %02X)"),
                                  test->mid, test->tid);

      add_deduction (deductions, obd_health_system_for_mode06_mid (test->mid),
                     OBD_HEALTH_ITEM_TEST, OBD_SEVERITY_WARNING, TRUE,
                     TEST_FAILED_POINTS, NULL, reason);
    }
}

static void
add_alerts (const ObdHealthInput *input,
            GArray               *deductions)
{
  for (gsize i = 0; i < input->n_alerts; i++)
    {
      const ObdHealthAlert *alert = &input->alerts[i];
      const char *what;
      double points;

      g_return_if_fail (alert->key != NULL);

      if (alert->severity == OBD_SEVERITY_CRITICAL)
        points = ALERT_CRITICAL_POINTS;
      else if (alert->severity == OBD_SEVERITY_WARNING)
        points = ALERT_WARNING_POINTS;
      else
        continue;

      what = alert->title != NULL && *alert->title != '\0' ? alert->title : alert->key;
      add_deduction (deductions, obd_health_system_for_pid_key (alert->key),
                     OBD_HEALTH_ITEM_ALERT, alert->severity, TRUE, points, alert->key,
                     /* Translators: "Live alert: Engine overheating (critical)" */
                     g_strdup_printf (_("Live alert: %s (%s)"), what,
                                      severity_word (alert->severity)));
    }
}

static void
add_readiness (const ObdHealthInput *input,
               GArray               *deductions)
{
  g_autoptr(GString) names = NULL;
  guint n = (guint) input->n_incomplete_monitors;
  char *reason;

  if (n == 0)
    return;

  names = g_string_new (NULL);
  for (gsize i = 0; i < input->n_incomplete_monitors; i++)
    {
      if (input->incomplete_monitors[i] == NULL)
        continue;
      if (names->len > 0)
        /* Translators: separator in a list of monitor names */
        g_string_append (names, _(", "));
      g_string_append (names, input->incomplete_monitors[i]);
    }

  if (input->recently_cleared)
    {
      reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u readiness monitor incomplete (%s): expected "
                                             "after codes were cleared, not counted until the "
                                             "car has been driven",
                                             "%u readiness monitors incomplete (%s): expected "
                                             "after codes were cleared, not counted until the "
                                             "car has been driven", n),
                                n, names->str);
      add_deduction (deductions, OBD_HEALTH_SYSTEM_EMISSIONS, OBD_HEALTH_ITEM_READINESS,
                     OBD_SEVERITY_INFO, FALSE, 0.0, NULL, reason);
      return;
    }

  reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u readiness monitor incomplete (%s)",
                                         "%u readiness monitors incomplete (%s)", n),
                            n, names->str);
  add_deduction (deductions, OBD_HEALTH_SYSTEM_EMISSIONS, OBD_HEALTH_ITEM_READINESS,
                 OBD_SEVERITY_INFO, FALSE,
                 MIN (MONITOR_POINTS * n, MONITORS_MAX_POINTS), NULL, reason);
}

static void
add_trends (const ObdHealthInput *input,
            GArray               *deductions)
{
  for (gsize i = 0; i < input->n_trends; i++)
    {
      const ObdHealthTrend *trend = &input->trends[i];
      char *reason;

      g_return_if_fail (trend->key != NULL);

      if (trend->explanation != NULL && *trend->explanation != '\0')
        reason = g_strdup_printf (_("Unusual trend: %s"), trend->explanation);
      else
        reason = g_strdup_printf (_("Unusual trend in %s"), trend->key);
      add_deduction (deductions, obd_health_system_for_pid_key (trend->key),
                     OBD_HEALTH_ITEM_TREND, OBD_SEVERITY_INFO, FALSE,
                     TREND_POINTS, trend->key, reason);
    }
}

/* The item that makes the status "stop driving", if any. */
static const ObdHealthDeduction *
find_stop_driving_alert (const ObdHealthReport *report)
{
  for (guint i = 0; i < report->deductions->len; i++)
    {
      const ObdHealthDeduction *d = &g_array_index (report->deductions, ObdHealthDeduction, i);

      if (d->kind == OBD_HEALTH_ITEM_ALERT && d->severity == OBD_SEVERITY_CRITICAL
          && (d->system == OBD_HEALTH_SYSTEM_ENGINE || d->system == OBD_HEALTH_SYSTEM_COOLING))
        return d;
    }
  return NULL;
}

/* The item that keeps the status from "healthy", if any. */
static const ObdHealthDeduction *
find_unhealthy_item (const ObdHealthReport *report)
{
  for (guint i = 0; i < report->deductions->len; i++)
    {
      const ObdHealthDeduction *d = &g_array_index (report->deductions, ObdHealthDeduction, i);

      if (d->severity == OBD_SEVERITY_CRITICAL
          || (d->severity == OBD_SEVERITY_WARNING && d->confirmed))
        return d;
    }
  return NULL;
}

ObdHealthReport *
obd_health_evaluate (const ObdHealthInput *input)
{
  ObdHealthReport *report;
  double worst;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (input->n_codes == 0 || input->codes != NULL, NULL);
  g_return_val_if_fail (input->n_tests == 0 || input->tests != NULL, NULL);
  g_return_val_if_fail (input->n_alerts == 0 || input->alerts != NULL, NULL);
  g_return_val_if_fail (input->n_trends == 0 || input->trends != NULL, NULL);
  g_return_val_if_fail (input->n_incomplete_monitors == 0
                        || input->incomplete_monitors != NULL, NULL);

  report = g_new0 (ObdHealthReport, 1);
  report->deductions = g_array_new (FALSE, TRUE, sizeof (ObdHealthDeduction));
  g_array_set_clear_func (report->deductions, clear_deduction);

  add_codes (input, report->deductions);
  add_tests (input, report->deductions);
  add_alerts (input, report->deductions);
  add_readiness (input, report->deductions);
  add_trends (input, report->deductions);

  /* GArray sorts are stable, so equal deductions keep the input order. */
  g_array_sort (report->deductions, compare_deductions);

  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    report->system_scores[s] = 100.0;
  for (guint i = 0; i < report->deductions->len; i++)
    {
      const ObdHealthDeduction *d = &g_array_index (report->deductions, ObdHealthDeduction, i);

      report->system_scores[d->system] *= 1.0 - d->points / 100.0;
    }

  report->weighted_mean = 0.0;
  report->worst_system = OBD_HEALTH_SYSTEM_ENGINE;
  worst = 100.0;
  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    {
      report->weighted_mean += system_weights[s] * report->system_scores[s];
      if (report->system_scores[s] < worst)
        {
          worst = report->system_scores[s];
          report->worst_system = (ObdHealthSystem) s;
        }
    }
  report->vehicle_score = CLAMP (MIN (worst + WORST_SYSTEM_MARGIN, report->weighted_mean),
                                 0.0, 100.0);

  if (find_stop_driving_alert (report) != NULL || report->vehicle_score < STOP_DRIVING_BELOW)
    report->status = OBD_HEALTH_STATUS_STOP_DRIVING;
  else if (report->vehicle_score >= HEALTHY_MIN_SCORE && find_unhealthy_item (report) == NULL)
    report->status = OBD_HEALTH_STATUS_HEALTHY;
  else
    report->status = OBD_HEALTH_STATUS_NEEDS_ATTENTION;

  g_debug ("health: vehicle %.1f (%s), engine %.1f emissions %.1f fuel %.1f cooling %.1f "
           "electrical %.1f transmission %.1f",
           report->vehicle_score, obd_health_status_get_key (report->status),
           report->system_scores[0], report->system_scores[1], report->system_scores[2],
           report->system_scores[3], report->system_scores[4], report->system_scores[5]);
  return report;
}

void
obd_health_report_free (ObdHealthReport *report)
{
  if (report == NULL)
    return;
  g_array_unref (report->deductions);
  g_free (report);
}

/* ---- scores as shown ---------------------------------------------------- */

int
obd_health_score_round (double score)
{
  if (isnan (score))
    return 0;
  /* Half up, after a nudge for binary fractions: 34.5 is 35 everywhere,
   * and a 24.999999999 that is 25 on paper shows as 25. */
  return (int) CLAMP (floor (score + 0.5 + 1e-9), 0.0, 100.0);
}

char *
obd_health_score_format (double score)
{
  return g_strdup_printf ("%d", obd_health_score_round (score));
}

/* ---- explanation ------------------------------------------------------- */

/* Points without noise: "40", "7.5". */
static char *
format_points (double points)
{
  if (fabs (points - round (points)) < 0.05)
    return g_strdup_printf ("%.0f", points);
  return g_strdup_printf ("%.1f", points);
}

char *
obd_health_report_explain (const ObdHealthReport *report)
{
  g_autoptr(GString) text = NULL;
  const ObdHealthDeduction *item;

  g_return_val_if_fail (report != NULL, NULL);

  text = g_string_new (NULL);

  g_string_append_printf (text, _("Vehicle health: %d/100, %s"),
                          obd_health_score_round (report->vehicle_score),
                          obd_health_status_get_label (report->status));
  g_string_append_c (text, '\n');
  g_string_append_printf (text,
                          _("The vehicle score is the lower of the worst system plus %.0f "
                            "(%s: %d + %.0f) and the weighted mean of all systems (%d; "
                            "engine counts 25 %%, each other system 15 %%)."),
                          WORST_SYSTEM_MARGIN,
                          obd_health_system_get_label (report->worst_system),
                          obd_health_score_round (report->system_scores[report->worst_system]),
                          WORST_SYSTEM_MARGIN, obd_health_score_round (report->weighted_mean));
  g_string_append_c (text, '\n');

  switch (report->status)
    {
    case OBD_HEALTH_STATUS_STOP_DRIVING:
      item = find_stop_driving_alert (report);
      if (item != NULL)
        g_string_append_printf (text, _("Stop driving: a critical condition is happening now "
                                        "on the %s system: %s."),
                                obd_health_system_get_label (item->system), item->reason);
      else
        g_string_append_printf (text, _("Stop driving: the vehicle score is below %.0f."),
                                STOP_DRIVING_BELOW);
      break;

    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      item = find_unhealthy_item (report);
      if (item != NULL)
        g_string_append_printf (text, _("Needs attention: %s."), item->reason);
      else
        g_string_append_printf (text, _("Needs attention: the vehicle score is below %.0f."),
                                HEALTHY_MIN_SCORE);
      break;

    case OBD_HEALTH_STATUS_HEALTHY:
      g_string_append_printf (text, _("Healthy: a score of at least %.0f and no confirmed "
                                      "warning or critical problem."), HEALTHY_MIN_SCORE);
      break;

    default:
      g_assert_not_reached ();
    }
  g_string_append_c (text, '\n');

  g_string_append (text, _("Each system starts at 100; every problem takes its share of "
                           "what is left: score = 100 × (1 − d₁/100) × (1 − d₂/100) × …"));
  g_string_append_c (text, '\n');

  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    {
      guint n_items = 0;

      g_string_append_c (text, '\n');
      for (guint i = 0; i < report->deductions->len; i++)
        if (g_array_index (report->deductions, ObdHealthDeduction, i).system == s)
          n_items++;

      if (n_items == 0)
        {
          g_string_append_printf (text, _("%s: %d/100, no problems found"),
                                  obd_health_system_get_label ((ObdHealthSystem) s),
                                  obd_health_score_round (report->system_scores[s]));
          g_string_append_c (text, '\n');
          continue;
        }

      g_string_append_printf (text, _("%s: %d/100"),
                              obd_health_system_get_label ((ObdHealthSystem) s),
                              obd_health_score_round (report->system_scores[s]));
      g_string_append_c (text, '\n');
      for (guint i = 0; i < report->deductions->len; i++)
        {
          const ObdHealthDeduction *d = &g_array_index (report->deductions,
                                                        ObdHealthDeduction, i);
          g_autofree char *points = NULL;

          if (d->system != s)
            continue;
          points = format_points (d->points);
          /* U+2212 MINUS SIGN, as the deduction is a subtraction; notes
           * that cost nothing show a plain 0. */
          g_string_append_printf (text, "  %s%s: %s\n", d->points > 0 ? "−" : "", points,
                                  d->reason);
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}
