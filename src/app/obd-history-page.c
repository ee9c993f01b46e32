/* obd-history-page.c — a vehicle's recorded sessions: replay, compare, verify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Above the sessions, the vehicle's health report from the store (the one
 * the fleet list shows) and the trends of its readings at idle over its
 * sessions ("coolant at idle rising 3 °C per month since March").
 *
 * A replay reads every numeric quantity the session recorded from the
 * store and puts it into an ObdTrendChart at the times of day it was
 * recorded, with the report the session had.  Two sessions compared get
 * one chart each, both counting the time since their start over the same
 * range, so "30 s after start" is at the same place in both — what a
 * before/after repair comparison needs.
 *
 * The store has no query for "which quantities does this session hold";
 * its samples are keyed by (session, service, pid, index, ...), so asking
 * for each quantity of the PID table is one index seek each and finds
 * exactly the recorded ones.  All of that, the list of sessions and the
 * chain check run on the store's thread; the page shows their answers,
 * and drops those it no longer wants (another vehicle, another replay).
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>

#include "obd-app-resources.h"
#include "obd-diagnosis.h"
#include "obd-health-view.h"
#include "obd-guide-store.h"
#include "obd-guides.h"
#include "obd-history-page.h"
#include "obd-item-row.h"
#include "obd-pid.h"
#include "obd-trend-chart.h"
/* Shown when a replay opens: the quantities a mechanic looks at first. */
static const guint8 preferred_pids[] = { 0x0C, 0x0D, 0x05, 0x04 };
#define MAX_INITIALLY_VISIBLE 4
/* One colour per quantity, the same in both charts of a comparison (the
 * chart's own palette would continue where the last replay stopped). */
static const char * const series_colors[] = {
  "#3584e4", "#e66100", "#2ec27e", "#9141ac", "#c64600", "#1c71d8", "#e5a50a", "#865e3c",
};

struct _ObdHistoryPage
{
  ObdPage         parent_instance;

  GListStore     *sessions;     /* ObdRowItem, id = session id */
  GListStore     *runs;         /* ObdRowItem, id = guided-repair run id */
  GArray         *checked;      /* gint64 session ids ticked for comparison */
  GArray         *series_ids;   /* guint ids in the charts */
  gint64          shown_a;      /* sessions in the charts, 0 when none */
  gint64          shown_b;
  gboolean        comparing;    /* chart_b holds the same series as chart_a */

  GListStore     *trends;       /* ObdRowItem, one per reading at idle */

  GtkStack       *stack;
  AdwStatusPage  *unavailable_page;
  GtkWidget      *health_group;
  ObdRow         *health_row;
  GtkImage       *health_icon;
  GtkLabel       *health_explanation;
  GtkListBox     *trend_list;
  GtkWidget      *replay_group;
  GtkLabel       *chart_a_label;
  GtkLabel       *health_a_label;
  GtkLabel       *health_b_label;
  ObdTrendChart  *chart_a;
  GtkLabel       *chart_b_label;
  GtkWidget      *chart_b_frame;
  ObdTrendChart  *chart_b;
  GtkFlowBox     *series_box;
  GtkWidget      *report_box;
  GtkWidget      *print_button;
  GtkWidget      *export_button;
  GtkWidget      *runs_group;
  GtkListBox     *runs_list;
  GtkWidget      *sessions_group;
  GtkListBox     *session_list;
  ObdRow         *verify_row;
  GtkImage       *verify_icon;
  GtkSpinner     *verify_spinner;
};

G_DEFINE_FINAL_TYPE (ObdHistoryPage, obd_history_page, OBD_TYPE_PAGE)

/* Helpers ------------------------------------------------------------- */


static char *
format_datetime (gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  /* Translators: a date and time as in "12 Mar 2024, 14:05"; see g_date_time_format() */
  return dt != NULL ? g_date_time_format (dt, _("%-d %b %Y, %H:%M")) : g_strdup ("—");
}

static char *
format_duration (gint64 duration_us)
{
  gint64 seconds = MAX (duration_us, 0) / G_USEC_PER_SEC;

  if (seconds >= 3600)
    /* Translators: a duration in hours and minutes */
    return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) (seconds / 60 % 60));
  if (seconds >= 60)
    /* Translators: a duration in minutes and seconds */
    return g_strdup_printf (_("%d min %02d s"), (int) (seconds / 60), (int) (seconds % 60));
  /* Translators: a duration in seconds */
  return g_strdup_printf (_("%d s"), (int) seconds);
}

static const char *
session_status_label (ObdStoreSessionStatus status)
{
  switch (status)
    {
    case OBD_STORE_SESSION_RECORDING:
      return _("Recording");
    case OBD_STORE_SESSION_COMPLETE:
      return _("Complete");
    case OBD_STORE_SESSION_INTERRUPTED:
    default:
      return _("Interrupted");
    }
}

static guint
series_id_for (guint8 pid,
               guint8 index)
{
  return (((guint) pid << 8) | index) + 1;
}

static gboolean
is_preferred (guint8 pid,
              guint8 index)
{
  for (gsize i = 0; i < G_N_ELEMENTS (preferred_pids); i++)
    if (preferred_pids[i] == pid && index == 0)
      return TRUE;
  return FALSE;
}

static void
update_actions (ObdHistoryPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.compare", self->checked->len == 2);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.verify-chain",
                                 obd_page_get_store (OBD_PAGE (self)) != NULL &&
                                 !gtk_widget_get_visible (GTK_WIDGET (self->verify_spinner)));
}

/* Charts -------------------------------------------------------------- */

static void
clear_charts (ObdHistoryPage *self)
{
  GtkWidget *child;

  for (guint i = 0; i < self->series_ids->len; i++)
    {
      guint id = g_array_index (self->series_ids, guint, i);

      obd_trend_chart_remove_series (self->chart_a, id);
      if (self->comparing)
        obd_trend_chart_remove_series (self->chart_b, id);
    }
  g_array_set_size (self->series_ids, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->series_box))) != NULL)
    gtk_flow_box_remove (self->series_box, child);
  self->shown_a = self->shown_b = 0;
  self->comparing = FALSE;
}

static gboolean
has_series (ObdHistoryPage *self,
            guint           id)
{
  for (guint i = 0; i < self->series_ids->len; i++)
    if (g_array_index (self->series_ids, guint, i) == id)
      return TRUE;
  return FALSE;
}

/* The chart stacks a panel per unit shown: it grows with them, so each
 * panel keeps a readable height whatever is ticked. */
static void
update_chart_heights (ObdHistoryPage *self)
{
  gboolean units[OBD_UNIT_LAST] = { FALSE };
  guint n_units = 0;
  int height;

  for (guint i = 0; i < self->series_ids->len; i++)
    {
      guint id = g_array_index (self->series_ids, guint, i);
      const ObdValue *info = obd_pid_get_value_info ((guint8) ((id - 1) >> 8),
                                                     (guint8) ((id - 1) & 0xFF));

      if (info == NULL || !obd_trend_chart_get_series_visible (self->chart_a, id) ||
          (guint) info->unit >= OBD_UNIT_LAST || units[info->unit])
        continue;
      units[info->unit] = TRUE;
      n_units++;
    }
  height = MAX (220, 80 + 90 * (int) n_units);
  gtk_widget_set_size_request (GTK_WIDGET (self->chart_a), -1, height);
  gtk_widget_set_size_request (GTK_WIDGET (self->chart_b), -1, height);
}

static void
on_series_toggled_cb (GtkCheckButton *check,
                      ObdHistoryPage *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "series-id"));
  gboolean active = gtk_check_button_get_active (check);

  obd_trend_chart_set_series_visible (self->chart_a, id, active);
  if (self->comparing)
    obd_trend_chart_set_series_visible (self->chart_b, id, active);
  update_chart_heights (self);
}

/* Replay: read on the store's thread ------------------------------------ */

typedef struct
{
  guint   id;
  guint8  pid;
  guint8  index;
  GArray *times;   /* gint64, relative to the session's start */
  GArray *values;  /* double, in the units shown */
} Series;

typedef struct
{
  ObdStoreSession *session;
  GPtrArray       *series;   /* Series */
  gint64           last_us;  /* the last sample, relative */
  ObdHealthReport *report;   /* the session's report as it was live; NULL if unknown */
} Replay;

typedef struct
{
  gint64         ids[2];     /* the second is 0 when not comparing */
  ObdUnitSystem  units;
  Replay        *replays[2];
} ReplayJob;

static void
series_free (gpointer data)
{
  Series *series = data;

  g_array_unref (series->times);
  g_array_unref (series->values);
  g_free (series);
}

static void
replay_free (Replay *replay)
{
  if (replay == NULL)
    return;
  g_clear_pointer (&replay->session, obd_store_session_free);
  g_clear_pointer (&replay->series, g_ptr_array_unref);
  g_clear_pointer (&replay->report, obd_health_report_free);
  g_free (replay);
}

static void
replay_job_free (gpointer data)
{
  ReplayJob *job = data;

  replay_free (job->replays[0]);
  replay_free (job->replays[1]);
  g_free (job);
}

/* Every recorded numeric quantity of a session, on a time axis relative
 * to its start. */
static Replay *
read_replay (ObdStore       *store,
             gint64          session_id,
             ObdUnitSystem   units,
             GCancellable   *cancellable,
             GError        **error)
{
  const ObdPidInfo *table;
  gsize n_rows = 0;
  Replay *replay = g_new0 (Replay, 1);

  replay->series = g_ptr_array_new_with_free_func (series_free);
  replay->session = obd_store_get_session (store, session_id, error);
  if (replay->session == NULL)
    goto fail;

  table = obd_pid_get_table (&n_rows);
  for (gsize r = 0; r < n_rows; r++)
    {
      /* Bitmaps, flags and enumerations are not quantities over time. */
      if (table[r].kind == OBD_PID_KIND_BITMAP || table[r].kind == OBD_PID_KIND_BITFIELD ||
          table[r].kind == OBD_PID_KIND_ENUM)
        continue;

      for (guint index = 0; index <= G_MAXUINT8; index++)
        {
          const ObdValue *info = obd_pid_get_value_info (table[r].pid, (guint8) index);
          g_autoptr(GArray) points = NULL;
          Series *series;

          if (info == NULL)
            break;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto fail;
          points = obd_store_get_series (store, session_id, table[r].pid, (guint8) index, 0,
                                         error);
          if (points == NULL)
            goto fail;
          if (points->len == 0)
            continue;

          series = g_new0 (Series, 1);
          series->id = series_id_for (table[r].pid, (guint8) index);
          series->pid = table[r].pid;
          series->index = (guint8) index;
          series->times = g_array_sized_new (FALSE, FALSE, sizeof (gint64), points->len);
          series->values = g_array_sized_new (FALSE, FALSE, sizeof (double), points->len);
          for (guint i = 0; i < points->len; i++)
            {
              const ObdStorePoint *p = &g_array_index (points, ObdStorePoint, i);
              gint64 t = p->time_us - replay->session->started_us;
              double v = obd_unit_convert (info->unit, units, p->value);

              g_array_append_val (series->times, t);
              g_array_append_val (series->values, v);
            }
          replay->last_us = MAX (replay->last_us,
                                 g_array_index (series->times, gint64, points->len - 1));
          g_ptr_array_add (replay->series, series);
        }
    }
  if (replay->session->ended_us > 0)
    replay->last_us = MAX (replay->last_us, replay->session->ended_us -
                                            replay->session->started_us);

  /* What the session's visit found, as the live view showed it: a
   * comparison puts before and after side by side.  A session that cannot
   * be judged still replays. */
  {
    g_autoptr(GError) local_error = NULL;
    ObdStoreSessionHealth inputs = { 0 };
    gboolean found = FALSE;

    /* Only a session recorded with its inputs (by this version) can say
     * what its visit found; an older one is not called healthy. */
    if (obd_store_get_session_health (store, session_id, &inputs, &found, &local_error) && found)
      replay->report = obd_diagnosis_evaluate_session (store, session_id, &local_error);
    if (local_error != NULL)
      g_info ("Session %" G_GINT64_FORMAT " not judged: %s", session_id, local_error->message);
  }
  return replay;

fail:
  replay_free (replay);
  return NULL;
}

static gpointer
replay_job (ObdStore      *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  ReplayJob *job = data;
  ReplayJob *result = g_new0 (ReplayJob, 1);

  for (guint i = 0; i < 2 && job->ids[i] != 0; i++)
    {
      result->ids[i] = job->ids[i];
      result->replays[i] = read_replay (store, job->ids[i], job->units, cancellable, error);
      if (result->replays[i] == NULL)
        {
          replay_job_free (result);
          return NULL;
        }
    }
  return result;
}

/* Puts a replay into chart.  Series new to the page get a toggle.  When
 * comparing, every series goes into both charts (empty in one if only the
 * other session has it), in the same order, so each quantity has the same
 * colour in both. */
static void
show_replay (ObdHistoryPage *self,
             const Replay   *replay,
             ObdTrendChart  *chart,
             gboolean        comparing)
{
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  /* One session is shown at the times of day it was recorded; two
   * compared, each from its own start. */
  gint64 offset = comparing ? 0 : replay->session->started_us;

  for (guint s = 0; s < replay->series->len; s++)
    {
      const Series *series = g_ptr_array_index (replay->series, s);
      const ObdValue *info = obd_pid_get_value_info (series->pid, series->index);

      if (!has_series (self, series->id))
        {
          GtkWidget *check = gtk_check_button_new_with_label (obd_value_get_label (info));
          GdkRGBA color;

          gdk_rgba_parse (&color, series_colors[self->series_ids->len %
                                                G_N_ELEMENTS (series_colors)]);
          obd_trend_chart_add_series (self->chart_a, series->id, obd_value_get_label (info),
                                      obd_unit_get_symbol (info->unit, units), &color);
          if (comparing)
            obd_trend_chart_add_series (self->chart_b, series->id, obd_value_get_label (info),
                                        obd_unit_get_symbol (info->unit, units), &color);
          g_array_append_val (self->series_ids, series->id);
          g_object_set_data (G_OBJECT (check), "series-id", GUINT_TO_POINTER (series->id));
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                       is_preferred (series->pid, series->index));
          g_signal_connect_object (check, "toggled", G_CALLBACK (on_series_toggled_cb),
                                   self, G_CONNECT_DEFAULT);
          gtk_flow_box_append (self->series_box, check);
        }
      if (offset == 0)
        obd_trend_chart_append_many (chart, series->id, (const gint64 *) series->times->data,
                                     (const double *) series->values->data, series->times->len);
      else
        {
          g_autofree gint64 *times = g_new (gint64, series->times->len);

          for (guint i = 0; i < series->times->len; i++)
            times[i] = g_array_index (series->times, gint64, i) + offset;
          obd_trend_chart_append_many (chart, series->id, times,
                                       (const double *) series->values->data,
                                       series->times->len);
        }
    }
}

/* After loading: sync visibility with the toggles, and if none of the
 * preferred quantities was recorded show the first few instead. */
static GtkCheckButton *
series_check (GtkWidget *flow_child)
{
  return GTK_CHECK_BUTTON (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (flow_child)));
}

static void
apply_visibility (ObdHistoryPage *self)
{
  GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (self->series_box));
  GtkWidget *child;
  guint n_active = 0;

  for (child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
    n_active += gtk_check_button_get_active (series_check (child));
  if (n_active == 0)
    for (child = first; child != NULL && n_active < MAX_INITIALLY_VISIBLE;
         child = gtk_widget_get_next_sibling (child), n_active++)
      gtk_check_button_set_active (series_check (child), TRUE);
  for (child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
    on_series_toggled_cb (series_check (child), self);
}

/* The window [first, last] and a little room after it, never empty;
 * labels as ELAPSED (from first) or CLOCK. */
static void
set_window (ObdTrendChart          *chart,
            gint64                  first_us,
            gint64                  last_us,
            ObdTrendChartTimeLabels labels)
{
  gint64 span_us = MAX (last_us - first_us, 0);

  span_us = MAX (span_us + span_us / 50, G_USEC_PER_SEC);
  obd_trend_chart_set_live_follow (chart, FALSE);
  obd_trend_chart_set_time_labels (chart, labels);
  obd_trend_chart_set_time_origin (chart, labels == OBD_TREND_CHART_TIME_ELAPSED ? first_us : 0);
  obd_trend_chart_set_time_span (chart, span_us);
  obd_trend_chart_set_end_time (chart, first_us + span_us);
}

/* Before and after on one scale per quantity: an idle 300 rpm lower must
 * look lower, not be stretched to fill its own chart. */
static void
align_value_ranges (ObdHistoryPage *self)
{
  for (guint i = 0; i < self->series_ids->len; i++)
    {
      guint id = g_array_index (self->series_ids, guint, i);
      double lo_a = NAN, hi_a = NAN, lo_b = NAN, hi_b = NAN;

      obd_trend_chart_get_series_range (self->chart_a, id, &lo_a, &hi_a);
      obd_trend_chart_get_series_range (self->chart_b, id, &lo_b, &hi_b);
      if (!isfinite (lo_a) || !isfinite (hi_a))
        lo_a = lo_b, hi_a = hi_b;
      if (!isfinite (lo_b) || !isfinite (hi_b))
        lo_b = lo_a, hi_b = hi_a;
      if (!isfinite (lo_a) || !isfinite (hi_a) || !(MAX (hi_a, hi_b) > MIN (lo_a, lo_b)))
        continue;
      obd_trend_chart_set_series_range (self->chart_a, id, MIN (lo_a, lo_b), MAX (hi_a, hi_b));
      obd_trend_chart_set_series_range (self->chart_b, id, MIN (lo_a, lo_b), MAX (hi_a, hi_b));
    }
}

static void
show_session_health (GtkLabel     *label,
                     const Replay *replay)
{
  g_autofree char *headline = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (label), replay != NULL && replay->report != NULL);
  if (replay == NULL || replay->report == NULL)
    return;
  headline = obd_health_view_dup_headline (replay->report);
  /* Translators: the health report a recorded session had, "46 of 100 · Stop driving" */
  text = g_strdup_printf (_("Health at this visit: %s"), headline);
  gtk_label_set_label (label, text);
}

static void
on_replay_loaded_cb (ObdPage      *page,
                     gpointer      result,
                     const GError *error,
                     gpointer      user_data)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (page);
  ReplayJob *job = result;
  const Replay *a, *b;
  g_autofree char *date_a = NULL;
  g_autofree char *title_a = NULL;

  clear_charts (self);
  if (job == NULL)
    {
      obd_page_report_error (page, _("The session could not be replayed"), error);
      gtk_widget_set_visible (self->replay_group, FALSE);
      return;
    }

  a = job->replays[0];
  b = job->replays[1];
  /* The older one is "before". */
  if (b != NULL && b->session->started_us < a->session->started_us)
    {
      const Replay *tmp = a;
      a = b;
      b = tmp;
    }
  self->comparing = b != NULL;
  show_replay (self, a, self->chart_a, b != NULL);
  if (b != NULL)
    show_replay (self, b, self->chart_b, TRUE);

  if (b != NULL)
    {
      gint64 first_a = 0, last_a = 0, first_b = 0, last_b = 0;

      /* One time range for both, from their starts, so equal times since
       * the start line up vertically and neither runs empty past its end
       * more than the other's length. */
      obd_trend_chart_get_data_range (self->chart_a, &first_a, &last_a);
      obd_trend_chart_get_data_range (self->chart_b, &first_b, &last_b);
      last_a = MAX (MAX (last_a, last_b), MAX (a->last_us, b->last_us));
      set_window (self->chart_a, 0, last_a, OBD_TREND_CHART_TIME_ELAPSED);
      set_window (self->chart_b, 0, last_a, OBD_TREND_CHART_TIME_ELAPSED);
    }
  else
    {
      gint64 first = a->session->started_us, last = a->session->started_us + a->last_us;

      if (obd_trend_chart_get_data_range (self->chart_a, &first, &last))
        first = MIN (first, a->session->started_us);
      set_window (self->chart_a, first, MAX (last, a->session->started_us + a->last_us),
                  OBD_TREND_CHART_TIME_CLOCK);
    }
  show_session_health (self->health_a_label, a);
  show_session_health (self->health_b_label, b);
  self->shown_a = a->session->id;
  self->shown_b = b != NULL ? b->session->id : 0;
  /* The report is of one session: the one replayed. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->print_button), NULL);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->export_button), NULL);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->print_button), "x", self->shown_a);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->export_button), "x", self->shown_a);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->print_button), "repair.print-report");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->export_button), "repair.export-report");
  gtk_widget_set_visible (self->report_box, b == NULL);
  apply_visibility (self);
  if (b != NULL)
    align_value_ranges (self);

  date_a = format_datetime (a->session->started_us);
  if (b != NULL)
    {
      g_autofree char *date_b = format_datetime (b->session->started_us);
      g_autofree char *title_b = NULL;

      /* Translators: the earlier of two compared sessions */
      title_a = g_strdup_printf (_("Before: %s"), date_a);
      /* Translators: the later of two compared sessions */
      title_b = g_strdup_printf (_("After: %s"), date_b);
      gtk_label_set_label (self->chart_b_label, title_b);
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->replay_group),
                                       _("Comparison"));
    }
  else
    {
      title_a = g_strdup_printf (_("Session of %s"), date_a);
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->replay_group), _("Replay"));
    }
  gtk_label_set_label (self->chart_a_label, title_a);
  gtk_widget_set_visible (GTK_WIDGET (self->chart_b_label), b != NULL);
  gtk_widget_set_visible (self->chart_b_frame, b != NULL);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->replay_group),
                                         self->series_ids->len == 0
                                         ? _("Nothing was recorded in this session.")
                                         : self->comparing
                                           ? _("Each chart starts where its session started, over "
                                               "the same length of time; the axis counts the "
                                               "time since the start.")
                                           : _("The axis shows the time of day of the "
                                               "recording."));
  gtk_widget_set_visible (self->replay_group, TRUE);
}

static void
show_sessions (ObdHistoryPage *self,
               gint64          id_a,
               gint64          id_b)
{
  ReplayJob *job = g_new0 (ReplayJob, 1);

  job->ids[0] = id_a;
  job->ids[1] = id_b;
  job->units = obd_page_get_units (OBD_PAGE (self));
  obd_page_load (OBD_PAGE (self), "replay", replay_job, job, replay_job_free, replay_job_free,
                 G_PRIORITY_DEFAULT, on_replay_loaded_cb, NULL);
}

/* Session list -------------------------------------------------------- */

static void
on_item_checked_cb (ObdHistoryPage *self,
                    GParamSpec     *pspec,
                    ObdRowItem     *item)
{
  gint64 id = obd_row_item_get_id (item);

  for (guint i = 0; i < self->checked->len; i++)
    if (g_array_index (self->checked, gint64, i) == id)
      {
        g_array_remove_index (self->checked, i);
        break;
      }
  if (obd_row_item_get_checked (item))
    g_array_append_val (self->checked, id);
  update_actions (self);
}

static void
on_session_list_row_activated_cb (ObdHistoryPage *self,
                                  GtkListBoxRow  *row)
{
  if (OBD_IS_ITEM_ROW (row))
    obd_history_page_open_session (self, obd_row_item_get_id (obd_item_row_get_item (
                                                                OBD_ITEM_ROW (row))));
}

static ObdRowItem *
session_item_new (ObdHistoryPage        *self,
                  const ObdStoreSession *session,
                  gboolean               show_vehicle)
{
  g_autofree char *title = format_datetime (session->started_us);
  g_autofree char *duration = NULL;
  g_autofree char *samples = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *print = NULL;
  ObdRowItem *item;

  if (session->ended_us > 0)
    duration = format_duration (session->ended_us - session->started_us);
  else
    duration = g_strdup (_("still recording"));
  samples = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " sample",
                                          "%'" PRId64 " samples",
                                          (gulong) session->sample_count),
                             session->sample_count);
  /* Translators: duration · status · sample count of a recorded session */
  subtitle = g_strdup_printf (_("%s · %s · %s"), duration, session_status_label (session->status),
                              samples);
  if (show_vehicle && session->vehicle_name != NULL)
    {
      char *with_vehicle = g_strdup_printf ("%s\n%s", session->vehicle_name, subtitle);
      g_free (subtitle);
      subtitle = with_vehicle;
    }
  /* Translators: accessible name of the tick box that picks a session for comparison */
  a11y = g_strdup_printf (_("Compare the session of %s"), title);
  /* Translators: accessible name of the button that prints a session's report */
  print = g_strdup_printf (_("Print the report of the session of %s"), title);

  item = obd_row_item_new (session->id, title, subtitle);
  g_object_set (item,
                "subtitle-lines", 0,
                "activatable", TRUE,
                "checkable", TRUE,
                "check-label", a11y,
                "action-name", "repair.print-report",
                "action-icon", "printer-symbolic",
                "action-label", print,
                "css-class", session->status == OBD_STORE_SESSION_INTERRUPTED
                               ? "obd-session-interrupted" : NULL,
                NULL);
  for (guint i = 0; i < self->checked->len; i++)
    if (g_array_index (self->checked, gint64, i) == session->id)
      obd_row_item_set_checked (item, TRUE);
  g_signal_connect_object (item, "notify::checked", G_CALLBACK (on_item_checked_cb), self,
                           G_CONNECT_SWAPPED);
  return item;
}

typedef struct
{
  GPtrArray       *sessions;  /* ObdStoreSession */
  ObdHealthReport *report;    /* the vehicle's, from the store; NULL for all vehicles */
  GPtrArray       *trends;    /* ObdTrendResult; NULL for all vehicles */
} SessionsLoad;

static void
sessions_load_free (gpointer data)
{
  SessionsLoad *load = data;

  g_clear_pointer (&load->sessions, g_ptr_array_unref);
  g_clear_pointer (&load->report, obd_health_report_free);
  g_clear_pointer (&load->trends, g_ptr_array_unref);
  g_free (load);
}

static gpointer
list_sessions_job (ObdStore      *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gint64 vehicle_id = *(gint64 *) data;
  SessionsLoad *load = g_new0 (SessionsLoad, 1);

  load->sessions = obd_store_list_sessions (store, vehicle_id, error);
  if (load->sessions == NULL)
    {
      sessions_load_free (load);
      return NULL;
    }
  /* The report and the trends are what the history adds up to; a list
   * of sessions is worth showing without them. */
  if (vehicle_id != 0)
    {
      g_autoptr(GError) local_error = NULL;

      load->report = obd_diagnosis_evaluate_stored (store, vehicle_id, &local_error);
      if (load->report != NULL)
        load->trends = obd_diagnosis_list_trends (store, vehicle_id, &local_error);
      if (local_error != NULL)
        g_info ("Vehicle %" G_GINT64_FORMAT " not judged: %s", vehicle_id,
                local_error->message);
    }
  return load;
}

static const char *
trend_badge (const ObdTrendResult *trend,
             const char          **out_class)
{
  *out_class = NULL;
  switch (trend->kind)
    {
    case OBD_TREND_KIND_LEVEL:
      *out_class = "warning";
      return C_("trend", "Unusual");
    case OBD_TREND_KIND_DRIFT:
      *out_class = "warning";
      return trend->direction == OBD_TREND_DIRECTION_UP ? C_("trend", "Rising")
                                                          : C_("trend", "Falling");
    case OBD_TREND_KIND_NONE:
      *out_class = "success";
      return C_("trend", "Steady");
    case OBD_TREND_KIND_NOT_ENOUGH_HISTORY:
    default:
      return C_("trend", "Too early");
    }
}

static void
update_health (ObdHistoryPage *self,
               SessionsLoad   *load)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_set_visible (self->health_group, load->report != NULL);
  if (load->report == NULL)
    return;
  obd_health_view_show_report (self->health_row, self->health_icon, self->health_explanation,
                               load->report, _("From the recorded history"));
  for (guint i = 0; load->trends != NULL && i < load->trends->len; i++)
    {
      const ObdTrendResult *trend = g_ptr_array_index (load->trends, i);
      const char *badge_class;
      const char *badge = trend_badge (trend, &badge_class);
      ObdRowItem *row = obd_row_item_new (i, trend->explanation, NULL);

      g_object_set (row, "badge", badge, "badge-class", badge_class, NULL);
      g_ptr_array_add (rows, row);
    }
  obd_page_fill_model (OBD_PAGE (self), self->trends, rows);
  gtk_widget_set_visible (GTK_WIDGET (self->trend_list), rows->len > 0);
}

static void
on_sessions_loaded_cb (ObdPage      *page,
                       gpointer      result,
                       const GError *error,
                       gpointer      user_data)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (page);
  SessionsLoad *load = result;
  GPtrArray *sessions = load != NULL ? load->sessions : NULL;
  gint64 vehicle_id = obd_page_get_shown_vehicle_id (page);
  g_autoptr(GArray) still_checked = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean a_present = FALSE, b_present = FALSE;

  if (sessions == NULL)
    {
      g_autofree char *text = obd_page_describe_error (_("The recorded sessions cannot be "
                                                         "shown"), error);

      adw_status_page_set_description (self->unavailable_page, text);
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }

  update_health (self, load);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->sessions_group),
                                   vehicle_id != 0 ? _("Recorded Sessions")
                                                   : _("All Recorded Sessions"));
  for (guint i = 0; i < sessions->len; i++)
    {
      const ObdStoreSession *session = g_ptr_array_index (sessions, i);

      for (guint j = 0; j < self->checked->len; j++)
        if (g_array_index (self->checked, gint64, j) == session->id)
          g_array_append_val (still_checked, session->id);
      a_present |= session->id == self->shown_a;
      b_present |= session->id == self->shown_b;
    }
  /* Ticks of sessions no longer listed (another vehicle) are dropped. */
  g_array_set_size (self->checked, 0);
  g_array_append_vals (self->checked, still_checked->data, still_checked->len);

  for (guint i = 0; i < sessions->len; i++)
    g_ptr_array_add (items, session_item_new (self, g_ptr_array_index (sessions, i),
                                              vehicle_id == 0));
  obd_page_fill_model (OBD_PAGE (self), self->sessions, items);

  if (!a_present || (self->shown_b != 0 && !b_present))
    {
      clear_charts (self);
      gtk_widget_set_visible (self->replay_group, FALSE);
    }
  update_actions (self);
  gtk_stack_set_visible_child_name (self->stack, sessions->len > 0 ? "content" : "empty");
}

/* Guided repairs ---------------------------------------------------------- */

static ObdRowItem *
run_item_new (const ObdStoreGuideRun *run)
{
  g_autofree char *date = format_datetime (run->started_us);
  g_autoptr(GString) subtitle = g_string_new (date);
  const char *badge, *badge_class;
  ObdRowItem *item;

  switch (run->status)
    {
    case OBD_STORE_GUIDE_RUN_ACTIVE:
      badge = _("Unfinished");
      badge_class = "accent";
      g_string_append_printf (subtitle, " · %s",
                              _("stopped before its finding; open it to continue"));
      break;
    case OBD_STORE_GUIDE_RUN_ABANDONED:
      badge = _("Given Up");
      badge_class = NULL;
      break;
    case OBD_STORE_GUIDE_RUN_FINISHED:
    default:
      if (g_strcmp0 (run->finding_kind, "fault") == 0)
        {
          badge = _("Fault Found");
          badge_class = "error";
        }
      else if (g_strcmp0 (run->finding_kind, "no-fault") == 0)
        {
          badge = _("Cleared");
          badge_class = "success";
        }
      else
        {
          badge = _("Next Guide");
          badge_class = "warning";
        }
      if (run->finding_title != NULL)
        g_string_append_printf (subtitle, " · %s", g_dgettext (GETTEXT_PACKAGE,
                                                                run->finding_title));
      break;
    }
  item = obd_row_item_new (run->id, g_dgettext (GETTEXT_PACKAGE, run->guide_title),
                           subtitle->str);
  g_object_set (item,
                "subtitle-lines", 0,
                "activatable", TRUE,
                "badge", badge,
                "badge-class", badge_class,
                NULL);
  g_object_set_data (G_OBJECT (item), "obd-active",
                     GINT_TO_POINTER (run->status == OBD_STORE_GUIDE_RUN_ACTIVE));
  return item;
}

static gpointer
list_runs_job (ObdStore      *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  return obd_store_list_guide_runs (store, *(gint64 *) data, 0, error);
}

static void
on_runs_loaded_cb (ObdPage      *page,
                   gpointer      result,
                   const GError *error,
                   gpointer      user_data)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (page);
  GPtrArray *runs = result;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  /* The sessions' list says why the history cannot be read. */
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    g_ptr_array_add (items, run_item_new (g_ptr_array_index (runs, i)));
  obd_page_fill_model (page, self->runs, items);
  gtk_widget_set_visible (self->runs_group, items->len > 0);
}

static void
reload_runs (ObdHistoryPage *self)
{
  gint64 vehicle_id = obd_page_get_shown_vehicle_id (OBD_PAGE (self));

  if (obd_page_get_store (OBD_PAGE (self)) == NULL)
    return;
  obd_page_load (OBD_PAGE (self), "runs", list_runs_job,
                 g_memdup2 (&vehicle_id, sizeof vehicle_id), g_free,
                 (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, on_runs_loaded_cb, NULL);
}

typedef struct
{
  gint64            run_id;
  ObdStoreGuideRun *run;
  GPtrArray        *steps;      /* ObdStoreGuideStep */
  GPtrArray        *findings;   /* ObdStoreGuideFinding */
} RunDetails;

static void
run_details_free (gpointer data)
{
  RunDetails *details = data;

  g_clear_pointer (&details->run, obd_store_guide_run_free);
  g_clear_pointer (&details->steps, g_ptr_array_unref);
  g_clear_pointer (&details->findings, g_ptr_array_unref);
  g_free (details);
}

static gpointer
run_details_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  RunDetails *details = g_new0 (RunDetails, 1);

  details->run_id = *(gint64 *) data;
  if ((details->run = obd_store_get_guide_run (store, details->run_id, error)) == NULL ||
      (details->steps = obd_store_list_guide_run_steps (store, details->run_id, error)) == NULL ||
      (details->findings = obd_store_list_guide_run_findings (store, details->run_id,
                                                              error)) == NULL)
    {
      run_details_free (details);
      return NULL;
    }
  return details;
}

/* What a finished or given-up run did, in words. */
static void
on_run_details_cb (ObdPage      *page,
                   gpointer      result,
                   const GError *error,
                   gpointer      user_data)
{
  RunDetails *details = result;
  ObdUnitSystem units = obd_page_get_units (page);
  ObdGuideLibrary *library = obd_guides_peek ();
  ObdGuide *guide = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (page));
  GtkWidget *dialog, *steps;
  const char *summary;

  if (details == NULL)
    {
      obd_page_report_error (page, _("The guided repair cannot be shown"), error);
      return;
    }
  if (library != NULL)
    guide = obd_guide_library_lookup (library, details->run->guide_id);
  for (guint i = 0; i < details->steps->len; i++)
    {
      g_autoptr(ObdGuideRecord) record = obd_guide_record_from_store (g_ptr_array_index (
                                                                        details->steps, i),
                                                                      NULL);
      g_autofree char *text = record != NULL
                              ? obd_guides_describe_record (guide, record, units) : NULL;

      g_string_append_printf (body, "%s%u. %s", i > 0 ? "\n" : "", i + 1,
                              text != NULL ? text
                              : ((ObdStoreGuideStep *) g_ptr_array_index (details->steps,
                                                                           i))->outcome);
    }
  for (guint f = 0; f < details->findings->len; f++)
    {
      const ObdStoreGuideFinding *finding = g_ptr_array_index (details->findings, f);

      for (guint r = 0; r < finding->repairs->len; r++)
        {
          const ObdStoreGuideRepair *repair = g_ptr_array_index (finding->repairs, r);
          g_autofree char *hours = obd_guide_format_hours (repair->hours, repair->max_hours);

          g_string_append_printf (body, "\n• %s (%s)", g_dgettext (GETTEXT_PACKAGE,
                                                                    repair->title), hours);
        }
    }

  /* The finding in the dialog's words, the steps beside them, aligned. */
  if (details->findings->len > 0)
    summary = g_dgettext (GETTEXT_PACKAGE,
                          ((ObdStoreGuideFinding *) g_ptr_array_index (details->findings,
                                                                       0))->title);
  else if (details->run->status == OBD_STORE_GUIDE_RUN_ABANDONED)
    summary = _("Given up before reaching a finding.");
  else
    summary = _("Not finished yet.");
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   g_dgettext (GETTEXT_PACKAGE, details->run->guide_title),
                                   summary);
  steps = gtk_label_new (body->str);
  gtk_label_set_xalign (GTK_LABEL (steps), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (steps), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (steps), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (steps), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), steps);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_runs_list_row_activated_cb (ObdHistoryPage *self,
                               GtkListBoxRow  *row)
{
  ObdRowItem *item;
  gint64 run_id;

  if (!OBD_IS_ITEM_ROW (row))
    return;
  item = obd_item_row_get_item (OBD_ITEM_ROW (row));
  run_id = obd_row_item_get_id (item);
  if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "obd-active")))
    gtk_widget_activate_action (GTK_WIDGET (self), "repair.resume-guide", "x", run_id);
  else
    obd_page_load (OBD_PAGE (self), "run-details", run_details_job,
                   g_memdup2 (&run_id, sizeof run_id), g_free, run_details_free,
                   G_PRIORITY_HIGH, on_run_details_cb, NULL);
}

void
obd_history_page_reload (ObdHistoryPage *self)
{
  gint64 vehicle_id;

  g_return_if_fail (OBD_IS_HISTORY_PAGE (self));

  update_actions (self);
  if (obd_page_get_store (OBD_PAGE (self)) == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                                     _("There is no local history."));

      on_sessions_loaded_cb (OBD_PAGE (self), NULL, error, NULL);
      return;
    }

  /* Without a vehicle (a car that reports no VIN, or none connected) the
   * whole workshop's history is listed. */
  vehicle_id = obd_page_get_shown_vehicle_id (OBD_PAGE (self));
  obd_page_load (OBD_PAGE (self), "sessions", list_sessions_job,
                 g_memdup2 (&vehicle_id, sizeof vehicle_id), g_free,
                 sessions_load_free, G_PRIORITY_HIGH, on_sessions_loaded_cb, NULL);
  reload_runs (self);
}

/* Actions ------------------------------------------------------------- */

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (widget);

  if (self->checked->len == 2)
    obd_history_page_compare_sessions (self, g_array_index (self->checked, gint64, 0),
                                       g_array_index (self->checked, gint64, 1));
}

static void
close_replay_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (widget);

  clear_charts (self);
  gtk_widget_set_visible (self->replay_group, FALSE);
}

typedef struct
{
  gint64           first_bad;
  ObdStoreSession *bad;
} Verdict;

static void
verdict_free (gpointer data)
{
  Verdict *verdict = data;

  g_clear_pointer (&verdict->bad, obd_store_session_free);
  g_free (verdict);
}

static gpointer
verify_job (ObdStore      *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  Verdict *verdict = g_new0 (Verdict, 1);

  if (!obd_store_verify_chain (store, &verdict->first_bad, error))
    {
      verdict_free (verdict);
      return NULL;
    }
  if (verdict->first_bad != 0)
    verdict->bad = obd_store_get_session (store, verdict->first_bad, NULL);
  return verdict;
}

static void
set_checking (ObdHistoryPage *self,
              gboolean        checking)
{
  gtk_widget_set_visible (GTK_WIDGET (self->verify_spinner), checking);
  gtk_spinner_set_spinning (self->verify_spinner, checking);
  gtk_widget_set_visible (GTK_WIDGET (self->verify_icon), !checking);
  update_actions (self);
}

static void
on_verified_cb (ObdPage      *page,
                gpointer      result,
                const GError *error,
                gpointer      user_data)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (page);
  Verdict *verdict = result;
  g_autofree char *text = NULL;
  const char *icon, *css;

  set_checking (self, FALSE);
  if (verdict == NULL)
    {
      g_autofree char *reason = obd_page_describe_error ("", error);

      text = g_strdup_printf (_("The check could not run: %s"), reason);
      icon = "dialog-warning-symbolic";
      css = "error";
    }
  else if (verdict->first_bad == 0)
    {
      text = g_strdup (_("Intact: every sealed session matches its fingerprint and the chain "
                         "is unbroken."));
      icon = "security-high-symbolic";
      css = "success";
    }
  else
    {
      g_autofree char *date = verdict->bad != NULL ? format_datetime (verdict->bad->started_us)
                                                   : NULL;

      text = g_strdup_printf (_("Broken: the session of %s no longer matches what was sealed. "
                                "The history was changed after recording; reports printed "
                                "since then cannot be trusted."),
                              date != NULL ? date : "?");
      icon = "security-low-symbolic";
      css = "error";
    }
  obd_row_set_subtitle (self->verify_row, text);
  gtk_image_set_from_icon_name (self->verify_icon, icon);
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_icon), css);
}

static void
verify_chain_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (widget);

  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "error");
  obd_row_set_subtitle (self->verify_row,
                        _("Checking every sealed session… The rest of the application "
                          "can be used meanwhile."));
  set_checking (self, TRUE);
  obd_page_load (OBD_PAGE (self), "verify", verify_job, NULL, NULL, verdict_free,
                 G_PRIORITY_LOW, on_verified_cb, NULL);
}

/* GObject ------------------------------------------------------------- */

static void
obd_history_page_vehicle_changed (ObdPage *page)
{
  obd_history_page_reload (OBD_HISTORY_PAGE (page));
}

static void
obd_history_page_store_changed (ObdPage    *page,
                                const char *what,
                                gint64      vehicle_id)
{
  /* A recording that starts or ends changes the list; codes and a
   * session's inputs change the report. */
  if (g_str_equal (what, "session") || g_str_equal (what, "vehicle") ||
      g_str_equal (what, "dtc") || g_str_equal (what, "health"))
    obd_history_page_reload (OBD_HISTORY_PAGE (page));
  else if (g_str_equal (what, "guide"))
    reload_runs (OBD_HISTORY_PAGE (page));
}

static void
obd_history_page_dispose (GObject *object)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (object);

  if (self->session_list != NULL)
    gtk_list_box_bind_model (self->session_list, NULL, NULL, NULL, NULL);
  if (self->trend_list != NULL)
    gtk_list_box_bind_model (self->trend_list, NULL, NULL, NULL, NULL);
  if (self->runs_list != NULL)
    gtk_list_box_bind_model (self->runs_list, NULL, NULL, NULL, NULL);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_HISTORY_PAGE);

  G_OBJECT_CLASS (obd_history_page_parent_class)->dispose (object);
}

static void
obd_history_page_finalize (GObject *object)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (object);

  g_clear_object (&self->sessions);
  g_clear_object (&self->trends);
  g_clear_object (&self->runs);
  g_clear_pointer (&self->checked, g_array_unref);
  g_clear_pointer (&self->series_ids, g_array_unref);

  G_OBJECT_CLASS (obd_history_page_parent_class)->finalize (object);
}

static void
obd_history_page_class_init (ObdHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->dispose = obd_history_page_dispose;
  object_class->finalize = obd_history_page_finalize;
  page_class->vehicle_changed = obd_history_page_vehicle_changed;
  page_class->store_changed = obd_history_page_store_changed;

  g_type_ensure (OBD_TYPE_TREND_CHART);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, health_group);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, health_row);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, health_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, health_explanation);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, trend_list);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, replay_group);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_a_label);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, health_a_label);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, health_b_label);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_a);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_b_label);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_b_frame);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_b);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, series_box);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, report_box);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, runs_group);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, runs_list);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, sessions_group);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, session_list);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, verify_row);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, verify_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_session_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_runs_list_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "history.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "history.close-replay", NULL,
                                   close_replay_action);
  gtk_widget_class_install_action (widget_class, "history.verify-chain", NULL,
                                   verify_chain_action);
}

static void
obd_history_page_init (ObdHistoryPage *self)
{
  self->checked = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->series_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  self->sessions = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->trends = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->runs = g_list_store_new (OBD_TYPE_ROW_ITEM);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_bind_model (self->trend_list, G_LIST_MODEL (self->trends), obd_item_row_new,
                           NULL, NULL);
  gtk_list_box_bind_model (self->session_list, G_LIST_MODEL (self->sessions), obd_item_row_new,
                           NULL, NULL);
  gtk_list_box_bind_model (self->runs_list, G_LIST_MODEL (self->runs), obd_item_row_new,
                           NULL, NULL);
}

GtkWidget *
obd_history_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_HISTORY_PAGE, "session", session, NULL);
}

void
obd_history_page_open_session (ObdHistoryPage *self,
                               gint64          session_id)
{
  g_return_if_fail (OBD_IS_HISTORY_PAGE (self));
  g_return_if_fail (session_id > 0);

  show_sessions (self, session_id, 0);
}

void
obd_history_page_compare_sessions (ObdHistoryPage *self,
                                   gint64          before_id,
                                   gint64          after_id)
{
  g_return_if_fail (OBD_IS_HISTORY_PAGE (self));
  g_return_if_fail (before_id > 0 && after_id > 0);

  show_sessions (self, before_id, after_id);
}

GtkWidget *
obd_history_page_get_replay_chart (ObdHistoryPage *self)
{
  g_return_val_if_fail (OBD_IS_HISTORY_PAGE (self), NULL);

  return GTK_WIDGET (self->chart_a);
}

GtkWidget *
obd_history_page_get_compare_chart (ObdHistoryPage *self)
{
  g_return_val_if_fail (OBD_IS_HISTORY_PAGE (self), NULL);

  return GTK_WIDGET (self->chart_b);
}
