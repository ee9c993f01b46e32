/* obd-report.c — the customer report of a session: gathering it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-diagnosis.h"
#include "obd-report.h"
#include "obd-report-code.h"
#include "obd-report-private.h"
#include "obd-service-plan.h"
#include "obd-store-guide.h"

/* The readings a customer report summarises and charts, in the order a
 * mechanic reads them: engine speed, road speed, coolant, oil and intake
 * temperatures, load, system voltage, the fuel trims of both banks and the
 * catalyst temperature.  Only those the session recorded appear. */
static const guint8 key_pids[] = {
  0x0C, 0x0D, 0x05, 0x5C, 0x0F, 0x04, 0x42, 0x06, 0x07, 0x08, 0x09, 0x3C,
};

/* Readiness monitors that run all the time (SAE J1979 PID 01 byte B);
 * the others need particular drive conditions to complete. */
static const char * const continuous_monitors[] = { "misfire", "fuel_system", "components" };

static void
code_free (ObdReportCode *code)
{
  g_free (code->code);
  g_free (code->title);
  g_free (code->explanation);
  g_free (code->cleared_by);
  g_free (code);
}

static void
freeze_frame_free (ObdReportFreezeFrame *frame)
{
  g_free (frame->dtc);
  g_free (frame->dtc_title);
  g_clear_pointer (&frame->values, g_array_unref);
  g_free (frame);
}

static void
monitor_free (ObdReportMonitor *monitor)
{
  g_free (monitor->key);
  g_free (monitor);
}

static void
series_free (ObdReportSeries *series)
{
  g_clear_pointer (&series->points, g_array_unref);
  g_free (series);
}

static void
finding_free (ObdReportFinding *finding)
{
  g_free (finding->title);
  g_free (finding->detail);
  g_free (finding);
}

static void
recommendation_free (ObdReportRecommendation *recommendation)
{
  g_free (recommendation->title);
  g_free (recommendation->detail);
  g_free (recommendation);
}

static void
service_free (ObdReportService *service)
{
  g_free (service->title);
  g_free (service);
}

void
obd_report_free (ObdReport *report)
{
  if (report == NULL)
    return;

  g_free (report->shop_name);
  g_free (report->shop_address);
  g_free (report->shop_phone);
  g_free (report->logo_path);
  g_free (report->mechanic);
  g_free (report->customer);
  g_clear_pointer (&report->session, obd_store_session_free);
  g_clear_pointer (&report->vehicle, obd_store_vehicle_free);
  g_clear_pointer (&report->health, obd_health_report_free);
  g_clear_pointer (&report->codes, g_ptr_array_unref);
  g_clear_pointer (&report->freeze_frames, g_ptr_array_unref);
  g_clear_pointer (&report->monitors, g_ptr_array_unref);
  g_clear_pointer (&report->inspection.incomplete, g_ptr_array_unref);
  g_clear_pointer (&report->mode06, g_array_unref);
  g_clear_pointer (&report->series, g_ptr_array_unref);
  g_clear_pointer (&report->alerts, g_ptr_array_unref);
  g_clear_pointer (&report->notes, g_ptr_array_unref);
  g_clear_pointer (&report->findings, g_ptr_array_unref);
  g_clear_pointer (&report->recommendations, g_ptr_array_unref);
  g_clear_pointer (&report->services, g_ptr_array_unref);
  g_free (report->verification_code);
  g_free (report);
}

/* NULL for NULL, empty or blank text; otherwise a copy without the
 * surrounding blanks. */
static char *
dup_text (const char *text)
{
  g_autofree char *copy = NULL;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  if (copy[0] == '\0')
    return NULL;
  return g_steal_pointer (&copy);
}

void
obd_report_add_finding (ObdReport  *report,
                        const char *title,
                        const char *detail)
{
  ObdReportFinding *finding;

  g_return_if_fail (report != NULL);
  g_return_if_fail (title != NULL);

  finding = g_new0 (ObdReportFinding, 1);
  finding->title = g_strdup (title);
  finding->detail = dup_text (detail);
  g_ptr_array_add (report->findings, finding);
}

void
obd_report_add_recommendation (ObdReport  *report,
                               const char *title,
                               const char *detail,
                               double      labour_hours)
{
  ObdReportRecommendation *recommendation;

  g_return_if_fail (report != NULL);
  g_return_if_fail (title != NULL);

  recommendation = g_new0 (ObdReportRecommendation, 1);
  recommendation->title = g_strdup (title);
  recommendation->detail = dup_text (detail);
  /* Nonsense from a guide file prints as "not estimated", never as a
   * negative or endless job. */
  recommendation->labour_hours = isfinite (labour_hours) && labour_hours >= 0
                                 ? labour_hours : NAN;
  g_ptr_array_add (report->recommendations, recommendation);
}

/* Inspection readiness ------------------------------------------------- */

void
obd_report_evaluate_inspection (const ObdReportMonitor *monitors,
                                gsize                   n_monitors,
                                int                     model_year,
                                gboolean                confirmed_codes,
                                ObdReportInspection    *out)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (monitors != NULL || n_monitors == 0);

  g_clear_pointer (&out->incomplete, g_ptr_array_unref);
  out->incomplete = g_ptr_array_new ();
  out->n_incomplete = 0;
  out->model_year = model_year;
  /* US EPA guidance most programmes follow: 1996-2000 vehicles may have
   * two incomplete monitors, 2001 and later one.  An unknown year gets the
   * stricter rule. */
  out->n_tolerated = model_year >= 1996 && model_year <= 2000 ? 2 : 1;

  for (gsize i = 0; i < n_monitors; i++)
    if (monitors[i].available && !monitors[i].complete)
      {
        out->n_incomplete++;
        g_ptr_array_add (out->incomplete, (gpointer) monitors[i].label);
      }

  if (n_monitors == 0 || (model_year != 0 && model_year < 1996))
    out->verdict = OBD_INSPECTION_UNKNOWN;
  else if (confirmed_codes)
    out->verdict = OBD_INSPECTION_CODES;
  else if (out->n_incomplete > out->n_tolerated)
    out->verdict = OBD_INSPECTION_NOT_READY;
  else
    out->verdict = OBD_INSPECTION_READY;
}

/* Gathering ------------------------------------------------------------ */

typedef struct
{
  gint64 start_us;
  gint64 end_us;
} Window;

/* The visit: from the earliest thing the session holds (the snapshot read
 * at connect is taken a moment before the recording starts) to its end. */
static Window
session_window (const ObdStoreSession        *session,
                const ObdStoreSessionContent *content,
                gint64                        now_us)
{
  Window w = { session->started_us, session->ended_us != 0 ? session->ended_us : now_us };

  for (guint i = 0; i < content->readiness->len; i++)
    w.start_us = MIN (w.start_us, g_array_index (content->readiness,
                                                 ObdStoreReadinessRow, i).taken_us);
  for (guint i = 0; i < content->freeze_frames->len; i++)
    {
      const ObdStoreFreezeFrame *frame = g_ptr_array_index (content->freeze_frames, i);

      w.start_us = MIN (w.start_us, frame->captured_us);
    }
  w.end_us = MAX (w.end_us, w.start_us);
  return w;
}

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  const ObdReportCode *x = *(ObdReportCode * const *) a;
  const ObdReportCode *y = *(ObdReportCode * const *) b;

  /* What is still wrong first, then the worst, then by code. */
  if ((x->status == OBD_REPORT_CODE_CLEARED) != (y->status == OBD_REPORT_CODE_CLEARED))
    return x->status == OBD_REPORT_CODE_CLEARED ? 1 : -1;
  if (x->severity != y->severity)
    return x->severity > y->severity ? -1 : 1;
  if (x->status != y->status)
    return x->status < y->status ? -1 : 1;
  return g_strcmp0 (x->code, y->code);
}

static ObdReportCode *
find_code_row (GPtrArray           *rows,
               const char          *code,
               ObdReportCodeStatus  status)
{
  for (guint i = 0; i < rows->len; i++)
    {
      ObdReportCode *row = g_ptr_array_index (rows, i);

      if (row->status == status && g_str_equal (row->code, code))
        return row;
    }
  return NULL;
}

static GPtrArray *
gather_codes (GPtrArray    *events,
              const Window *w)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) code_free);
  g_autoptr(GHashTable) first_clear = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                             g_free, g_free);

  /* When each code was first cleared during the visit. */
  for (guint i = 0; i < events->len; i++)
    {
      const ObdStoreDtcEvent *e = g_ptr_array_index (events, i);
      gint64 *when;

      if (e->code == NULL || e->cleared_us == 0 ||
          e->cleared_us < w->start_us || e->cleared_us > w->end_us)
        continue;
      when = g_hash_table_lookup (first_clear, e->code);
      if (when == NULL)
        {
          when = g_new (gint64, 1);
          *when = e->cleared_us;
          g_hash_table_insert (first_clear, g_strdup (e->code), when);
        }
      else
        *when = MIN (*when, e->cleared_us);
    }

  for (guint i = 0; i < events->len; i++)
    {
      const ObdStoreDtcEvent *e = g_ptr_array_index (events, i);
      gboolean cleared_in_visit;
      gint64 *cleared_before;
      ObdReportCodeStatus status;
      ObdReportCode *row;

      if (e->code == NULL || e->first_seen_us > w->end_us)
        continue;
      if (e->cleared_us != 0 && e->cleared_us < w->start_us)
        continue;
      /* Still active but not seen in the visit: the car no longer
       * reported it, so it says nothing about this session. */
      if (e->last_seen_us < w->start_us && e->cleared_us == 0)
        continue;

      cleared_in_visit = e->cleared_us != 0 && e->cleared_us <= w->end_us;
      cleared_before = g_hash_table_lookup (first_clear, e->code);
      if (cleared_in_visit)
        status = OBD_REPORT_CODE_CLEARED;
      else if (cleared_before != NULL && e->first_seen_us > *cleared_before)
        status = OBD_REPORT_CODE_RETURNED;
      else
        status = OBD_REPORT_CODE_PRESENT;

      row = find_code_row (rows, e->code, status);
      if (row == NULL)
        {
          ObdDtcInfo info;

          row = g_new0 (ObdReportCode, 1);
          row->code = g_strdup (e->code);
          row->status = status;
          row->severity = OBD_DTC_SEVERITY_WARNING;
          if (obd_dtc_kb_lookup (e->code, &info, NULL))
            {
              row->title = g_strdup (info.title);
              row->explanation = g_strdup (info.explanation);
              row->severity = info.severity;
            }
          g_ptr_array_add (rows, row);
        }
      if (e->kind <= OBD_DTC_KIND_PERMANENT)
        row->kinds |= 1u << e->kind;
      if (cleared_in_visit && e->cleared_us >= row->cleared_us)
        {
          row->cleared_us = e->cleared_us;
          g_free (row->cleared_by);
          row->cleared_by = dup_text (e->cleared_by);
        }
    }

  g_ptr_array_sort (rows, compare_codes);
  return g_steal_pointer (&rows);
}

static GPtrArray *
gather_freeze_frames (GPtrArray *frames)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) freeze_frame_free);

  for (guint i = 0; i < frames->len; i++)
    {
      const ObdStoreFreezeFrame *frame = g_ptr_array_index (frames, i);
      ObdReportFreezeFrame *f = g_new0 (ObdReportFreezeFrame, 1);
      ObdDtcInfo info;

      f->dtc = dup_text (frame->dtc);
      if (f->dtc != NULL && obd_dtc_kb_lookup (f->dtc, &info, NULL))
        f->dtc_title = g_strdup (info.title);
      f->captured_us = frame->captured_us;
      f->values = g_array_new (FALSE, TRUE, sizeof (ObdReportValue));
      for (guint j = 0; j < frame->values->len; j++)
        {
          const ObdStoreFreezeValue *v = &g_array_index (frame->values, ObdStoreFreezeValue, j);
          const ObdValue *meta = obd_pid_get_value_info (v->pid, v->index);
          ObdReportValue value = { v->pid, v->index, v->value };

          /* PID 02 (the code that stored the frame) is the frame's title;
           * bit fields and values the table does not know mean nothing
           * to a customer. */
          if (meta == NULL || v->pid == 0x02 || !isfinite (v->value) ||
              meta->unit == OBD_UNIT_NONE)
            continue;
          g_array_append_val (f->values, value);
        }
      g_ptr_array_add (out, f);
    }

  return out;
}

static gboolean
is_continuous (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (continuous_monitors); i++)
    if (g_str_equal (key, continuous_monitors[i]))
      return TRUE;
  return FALSE;
}

static int
compare_monitors (gconstpointer a,
                  gconstpointer b)
{
  const ObdReportMonitor *x = *(ObdReportMonitor * const *) a;
  const ObdReportMonitor *y = *(ObdReportMonitor * const *) b;

  if (x->continuous != y->continuous)
    return x->continuous ? -1 : 1;
  return g_utf8_collate (x->label, y->label);
}

/* The monitors of the session's last readiness snapshot. */
static GPtrArray *
gather_monitors (GArray *readiness,
                 gint64 *out_taken_us)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) monitor_free);
  gint64 last = G_MININT64;

  for (guint i = 0; i < readiness->len; i++)
    last = MAX (last, g_array_index (readiness, ObdStoreReadinessRow, i).taken_us);
  *out_taken_us = readiness->len > 0 ? last : 0;

  for (guint i = 0; i < readiness->len; i++)
    {
      const ObdStoreReadinessRow *row = &g_array_index (readiness, ObdStoreReadinessRow, i);
      ObdReportMonitor *m;

      if (row->taken_us != last || row->monitor == NULL)
        continue;
      m = g_new0 (ObdReportMonitor, 1);
      m->key = g_strdup (row->monitor);
      m->label = obd_diagnosis_get_monitor_label (row->monitor);
      m->available = row->available;
      m->complete = row->complete;
      m->continuous = is_continuous (row->monitor);
      g_ptr_array_add (out, m);
    }

  g_ptr_array_sort (out, compare_monitors);
  return out;
}

/* Confirmed powertrain codes: emission-related faults light the warning
 * lamp (SAE J1979); body, chassis and network codes do not. */
static gboolean
has_confirmed_codes (GPtrArray *codes)
{
  for (guint i = 0; i < codes->len; i++)
    {
      const ObdReportCode *code = g_ptr_array_index (codes, i);

      if (code->status != OBD_REPORT_CODE_CLEARED && code->code[0] == 'P' &&
          (code->kinds & ((1u << OBD_DTC_KIND_STORED) | (1u << OBD_DTC_KIND_PERMANENT))) != 0)
        return TRUE;
    }
  return FALSE;
}

static GPtrArray *
gather_series (ObdStore  *store,
               gint64     session_id,
               GError   **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);

  for (guint i = 0; i < G_N_ELEMENTS (key_pids); i++)
    {
      g_autoptr(GArray) points = obd_store_get_series (store, session_id, key_pids[i], 0, 0,
                                                       error);
      g_autoptr(GArray) finite = NULL;
      ObdReportSeries *series;
      double sum = 0;

      if (points == NULL)
        return NULL;

      /* A damaged row must not turn a whole summary into NaN. */
      finite = g_array_sized_new (FALSE, FALSE, sizeof (ObdStorePoint), points->len);
      for (guint j = 0; j < points->len; j++)
        {
          const ObdStorePoint *p = &g_array_index (points, ObdStorePoint, j);

          if (isfinite (p->value))
            g_array_append_val (finite, *p);
        }
      if (finite->len == 0)
        continue;

      series = g_new0 (ObdReportSeries, 1);
      series->pid = key_pids[i];
      series->index = 0;
      series->info = obd_pid_get_value_info (key_pids[i], 0);
      series->min = INFINITY;
      series->max = -INFINITY;
      for (guint j = 0; j < finite->len; j++)
        {
          double v = g_array_index (finite, ObdStorePoint, j).value;

          series->min = MIN (series->min, v);
          series->max = MAX (series->max, v);
          sum += v;
        }
      series->mean = sum / finite->len;
      series->points = g_steal_pointer (&finite);
      if (series->info == NULL)
        {
          series_free (series);
          continue;
        }
      g_ptr_array_add (out, series);
    }

  return g_steal_pointer (&out);
}

static int
compare_services (gconstpointer a,
                  gconstpointer b)
{
  static const int rank[] = {
    [OBD_SERVICE_STATUS_OVERDUE] = 0,
    [OBD_SERVICE_STATUS_DUE] = 1,
    [OBD_SERVICE_STATUS_OK] = 2,
    [OBD_SERVICE_STATUS_DONE] = 3,
  };
  const ObdReportService *x = *(ObdReportService * const *) a;
  const ObdReportService *y = *(ObdReportService * const *) b;

  return rank[x->forecast.status] - rank[y->forecast.status];
}

static gboolean
gather_services (ObdReport  *report,
                 ObdStore   *store,
                 GError    **error)
{
  g_autoptr(ObdServicePlan) plan = obd_service_plan_load (store, report->vehicle->id, error);

  if (plan == NULL)
    return FALSE;

  report->odometer_km = plan->odometer_km;
  for (guint i = 0; i < plan->items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (plan->items, i);
      ObdReportService *service = g_new0 (ObdReportService, 1);

      service->title = g_strdup (item->title);
      obd_service_plan_forecast (plan, item, report->created_us, &service->forecast);
      /* One-off work already done is history, not something due. */
      if (service->forecast.status == OBD_SERVICE_STATUS_DONE)
        {
          service_free (service);
          continue;
        }
      g_ptr_array_add (report->services, service);
    }
  g_ptr_array_sort (report->services, compare_services);
  return TRUE;
}

static gboolean
gather_alerts (ObdReport  *report,
               ObdStore   *store,
               GError    **error)
{
  g_autoptr(GPtrArray) all = obd_store_list_notifications (store, report->session->vehicle_id,
                                                           FALSE, error);

  if (all == NULL)
    return FALSE;

  /* Newest first from the store; a report reads in time order. */
  for (guint i = all->len; i > 0; i--)
    {
      ObdStoreNotification *n = g_ptr_array_index (all, i - 1);

      if (n->session_id == report->session->id)
        g_ptr_array_add (report->alerts, g_ptr_array_steal_index (all, i - 1));
    }
  return TRUE;
}

static gboolean
check_integrity (ObdReport  *report,
                 ObdStore   *store,
                 GError    **error)
{
  g_autofree char *computed = NULL;

  if (report->session->hash == NULL)
    {
      report->integrity = OBD_REPORT_INTEGRITY_UNSEALED;
      return TRUE;
    }

  computed = obd_store_compute_session_hash (store, report->session->id, error);
  if (computed == NULL)
    return FALSE;

  report->integrity = g_ascii_strcasecmp (computed, report->session->hash) == 0
                      ? OBD_REPORT_INTEGRITY_INTACT : OBD_REPORT_INTEGRITY_CHANGED;
  report->verification_code = obd_report_code_from_hash (report->session->hash);
  return TRUE;
}

static const char *
guide_text (const char *msgid)
{
  /* Guides store the English text they were run with; the report speaks
   * the reader's language (data/guides are translated like the UI). */
  return msgid != NULL && *msgid != '\0' ? g_dgettext (GETTEXT_PACKAGE, msgid) : NULL;
}

/* The findings of the guided repairs finished during this session, and the
 * repairs each recommends with its labour time. */
static gboolean
gather_guides (ObdReport  *report,
               ObdStore   *store,
               gint64      session_id,
               GError    **error)
{
  g_autoptr(GPtrArray) runs = obd_store_list_guide_runs (store, 0, session_id, error);

  if (runs == NULL)
    return FALSE;

  /* Oldest first, as the mechanic did them. */
  for (guint i = runs->len; i-- > 0;)
    {
      const ObdStoreGuideRun *run = g_ptr_array_index (runs, i);
      g_autoptr(GPtrArray) findings = NULL;
      const char *guide = guide_text (run->guide_title);

      if (run->status != OBD_STORE_GUIDE_RUN_FINISHED)
        continue;
      findings = obd_store_list_guide_run_findings (store, run->id, error);
      if (findings == NULL)
        return FALSE;

      for (guint f = 0; f < findings->len; f++)
        {
          const ObdStoreGuideFinding *finding = g_ptr_array_index (findings, f);

          obd_report_add_finding (report, guide_text (finding->title),
                                  guide_text (finding->text));
          for (guint r = 0; r < finding->repairs->len; r++)
            {
              const ObdStoreGuideRepair *repair = g_ptr_array_index (finding->repairs, r);
              g_autofree char *detail = NULL;

              if (isfinite (repair->max_hours) && repair->max_hours > repair->hours)
                {
                  g_autofree char *most = _obd_report_format_number (repair->max_hours, 1);

                  /* Translators: the first %s is a guide's title, the second
                   * a number of hours */
                  detail = g_strdup_printf (_("Found with the guided repair “%s”; up to %s h "
                                              "on some cars."), guide, most);
                }
              else
                {
                  /* Translators: %s is a guide's title */
                  detail = g_strdup_printf (_("Found with the guided repair “%s”."), guide);
                }
              obd_report_add_recommendation (report, guide_text (repair->title), detail,
                                             repair->hours);
            }
        }
    }

  return TRUE;
}

ObdReport *
obd_report_new_from_store (ObdStore                *store,
                           gint64                   session_id,
                           const ObdReportOptions  *options,
                           GError                 **error)
{
  g_autoptr(ObdReport) report = NULL;
  g_autoptr(ObdStoreSessionContent) content = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  Window window;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  report = g_new0 (ObdReport, 1);
  report->shop_name = dup_text (options->shop_name);
  report->shop_address = dup_text (options->shop_address);
  report->shop_phone = dup_text (options->shop_phone);
  report->logo_path = dup_text (options->logo_path);
  report->mechanic = dup_text (options->mechanic);
  report->customer = dup_text (options->customer);
  report->units = options->units;
  report->created_us = g_get_real_time ();
  report->odometer_km = -1;
  report->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) finding_free);
  report->recommendations =
    g_ptr_array_new_with_free_func ((GDestroyNotify) recommendation_free);
  report->services = g_ptr_array_new_with_free_func ((GDestroyNotify) service_free);
  report->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_notification_free);

  report->session = obd_store_get_session (store, session_id, error);
  if (report->session == NULL)
    return NULL;
  content = obd_store_get_session_content (store, session_id, error);
  if (content == NULL)
    return NULL;
  window = session_window (report->session, content, report->created_us);

  if (report->session->vehicle_id != 0)
    {
      g_autoptr(GPtrArray) events = NULL;

      report->vehicle = obd_store_get_vehicle (store, report->session->vehicle_id, error);
      if (report->vehicle == NULL)
        return NULL;
      if (report->customer == NULL)
        report->customer = dup_text (report->vehicle->owner_name);

      events = obd_store_list_dtc_events (store, report->vehicle->id, TRUE, error);
      if (events == NULL)
        return NULL;
      report->codes = gather_codes (events, &window);

      report->notes = obd_store_list_notes (store, report->vehicle->id, session_id, error);
      if (report->notes == NULL || !gather_services (report, store, error))
        return NULL;

      report->health = obd_diagnosis_evaluate_stored (store, report->vehicle->id, error);
      if (report->health == NULL)
        return NULL;
      sessions = obd_store_list_sessions (store, report->vehicle->id, error);
      if (sessions == NULL)
        return NULL;
      /* Newest first: the scores are the vehicle's now, which is this
       * visit only when no later session exists. */
      report->health_current =
        sessions->len == 0 ||
        ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->id == session_id;
    }
  else
    {
      report->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) code_free);
      report->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_note_free);
    }

  report->freeze_frames = gather_freeze_frames (content->freeze_frames);
  report->monitors = gather_monitors (content->readiness, &report->inspection.taken_us);
  {
    g_autofree ObdReportMonitor *monitors = g_new0 (ObdReportMonitor,
                                                    MAX (report->monitors->len, 1));
    gint64 taken_us = report->inspection.taken_us;

    for (guint i = 0; i < report->monitors->len; i++)
      monitors[i] = *(ObdReportMonitor *) g_ptr_array_index (report->monitors, i);
    obd_report_evaluate_inspection (monitors, report->monitors->len,
                                    report->vehicle != NULL ? report->vehicle->year : 0,
                                    has_confirmed_codes (report->codes), &report->inspection);
    report->inspection.taken_us = taken_us;
  }
  report->mode06 = g_array_ref (content->mode06);

  report->series = gather_series (store, session_id, error);
  if (report->series == NULL || !gather_alerts (report, store, error) ||
      !gather_guides (report, store, session_id, error))
    return NULL;

  if (!check_integrity (report, store, error))
    return NULL;

  return g_steal_pointer (&report);
}
