/* obd-history-page.c — a vehicle's recorded sessions: replay, compare, verify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A replay reads every numeric quantity the session recorded from the
 * store and puts it into an ObdTrendChart on a time axis that starts at the
 * session's start.  Two sessions compared get one chart each, both on that
 * relative axis and with the same span, so "30 s after start" is at the
 * same place in both — what a before/after repair comparison needs.
 *
 * The store has no query for "which quantities does this session hold";
 * its samples are keyed by (session, service, pid, index, ...), so asking
 * for each quantity of the PID table is one index seek each and finds
 * exactly the recorded ones.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-history-page.h"
#include "obd-pid.h"
#include "obd-trend-chart.h"

#define SETTINGS_SCHEMA "io.github.obd2diagnostics.Workshop"
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
  AdwBin          parent_instance;

  ObdSession     *session;
  GSignalGroup   *session_signals;
  gint64          vehicle_id;
  GSettings      *settings;

  GArray         *checked;      /* gint64 session ids ticked for comparison */
  GArray         *series_ids;   /* guint ids in the charts */
  gint64          shown_a;      /* sessions in the charts, 0 when none */
  gint64          shown_b;
  gboolean        comparing;    /* chart_b holds the same series as chart_a */

  GtkStack       *stack;
  GtkWidget      *replay_group;
  GtkLabel       *chart_a_label;
  ObdTrendChart  *chart_a;
  GtkLabel       *chart_b_label;
  GtkWidget      *chart_b_frame;
  ObdTrendChart  *chart_b;
  GtkFlowBox     *series_box;
  GtkWidget      *sessions_group;
  GtkListBox     *session_list;
  AdwActionRow   *verify_row;
  GtkImage       *verify_icon;
};

G_DEFINE_FINAL_TYPE (ObdHistoryPage, obd_history_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_VEHICLE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers ------------------------------------------------------------- */

static ObdStore *
get_store (ObdHistoryPage *self)
{
  return self->session != NULL ? obd_session_get_store (self->session) : NULL;
}

static gint64
get_effective_vehicle_id (ObdHistoryPage *self)
{
  if (self->vehicle_id != 0)
    return self->vehicle_id;
  return self->session != NULL ? obd_session_get_vehicle_id (self->session) : 0;
}

static ObdUnitSystem
get_units (ObdHistoryPage *self)
{
  if (self->settings == NULL)
    return OBD_UNIT_SYSTEM_SI;
  return (ObdUnitSystem) g_settings_get_enum (self->settings, "units");
}

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
                                 get_store (self) != NULL);
}

static void
report_error (ObdHistoryPage *self,
              const char     *what,
              const GError   *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  g_warning ("%s: %s", what, error->message);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, what,
                                   error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
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

static void
on_series_toggled_cb (GtkCheckButton *check,
                      ObdHistoryPage *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "series-id"));
  gboolean active = gtk_check_button_get_active (check);

  obd_trend_chart_set_series_visible (self->chart_a, id, active);
  if (self->comparing)
    obd_trend_chart_set_series_visible (self->chart_b, id, active);
}

/* Loads every recorded numeric quantity of session into chart, on a time
 * axis relative to the session's start.  Series new to the page get a
 * toggle.  When comparing, every series goes into both charts (empty in
 * one if only the other session has it), in the same order, so each
 * quantity has the same colour in both.  Returns the time of the last
 * sample, relative. */
static gboolean
load_session (ObdHistoryPage        *self,
              ObdStore              *store,
              const ObdStoreSession *session,
              ObdTrendChart         *chart,
              gboolean               comparing,
              gint64                *out_last_us,
              GError               **error)
{
  const ObdPidInfo *table;
  gsize n_rows = 0;
  ObdUnitSystem units = get_units (self);
  gint64 last = 0;

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
          g_autofree gint64 *times = NULL;
          g_autofree double *values = NULL;
          guint id;

          if (info == NULL)
            break;
          points = obd_store_get_series (store, session->id, table[r].pid, (guint8) index, 0,
                                         error);
          if (points == NULL)
            return FALSE;
          if (points->len == 0)
            continue;

          id = series_id_for (table[r].pid, (guint8) index);
          if (!has_series (self, id))
            {
              GtkWidget *check = gtk_check_button_new_with_label (obd_value_get_label (info));
              GdkRGBA color;

              gdk_rgba_parse (&color, series_colors[self->series_ids->len %
                                                    G_N_ELEMENTS (series_colors)]);
              obd_trend_chart_add_series (self->chart_a, id, obd_value_get_label (info),
                                          obd_unit_get_symbol (info->unit, units), &color);
              if (comparing)
                obd_trend_chart_add_series (self->chart_b, id, obd_value_get_label (info),
                                            obd_unit_get_symbol (info->unit, units), &color);
              g_array_append_val (self->series_ids, id);
              g_object_set_data (G_OBJECT (check), "series-id", GUINT_TO_POINTER (id));
              gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                           is_preferred (table[r].pid, (guint8) index));
              g_signal_connect_object (check, "toggled", G_CALLBACK (on_series_toggled_cb),
                                       self, G_CONNECT_DEFAULT);
              gtk_flow_box_append (self->series_box, check);
            }

          times = g_new (gint64, points->len);
          values = g_new (double, points->len);
          for (guint i = 0; i < points->len; i++)
            {
              const ObdStorePoint *p = &g_array_index (points, ObdStorePoint, i);

              times[i] = p->time_us - session->started_us;
              values[i] = obd_unit_convert (info->unit, units, p->value);
            }
          last = MAX (last, times[points->len - 1]);
          obd_trend_chart_append_many (chart, id, times, values, points->len);
        }
    }
  *out_last_us = last;
  return TRUE;
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

static void
set_window (ObdTrendChart *chart,
            gint64         span_us)
{
  /* A little room after the last sample, and never a zero span. */
  span_us = MAX (span_us + span_us / 50, G_USEC_PER_SEC);
  obd_trend_chart_set_live_follow (chart, FALSE);
  obd_trend_chart_set_time_span (chart, span_us);
  obd_trend_chart_set_end_time (chart, span_us);
}

static void
show_sessions (ObdHistoryPage *self,
               gint64          id_a,
               gint64          id_b)
{
  ObdStore *store = get_store (self);
  g_autoptr(ObdStoreSession) a = NULL;
  g_autoptr(ObdStoreSession) b = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last_a = 0, last_b = 0;
  g_autofree char *date_a = NULL;
  g_autofree char *title_a = NULL;

  clear_charts (self);
  if (store == NULL)
    return;

  a = obd_store_get_session (store, id_a, &error);
  if (a != NULL && id_b != 0)
    b = obd_store_get_session (store, id_b, &error);
  if (a == NULL || (id_b != 0 && b == NULL))
    {
      report_error (self, _("The session could not be opened"), error);
      return;
    }
  self->comparing = b != NULL;
  /* The older one is "before". */
  if (b != NULL && b->started_us < a->started_us)
    {
      ObdStoreSession *tmp = a;
      a = b;
      b = tmp;
    }

  if (!load_session (self, store, a, self->chart_a, b != NULL, &last_a, &error) ||
      (b != NULL && !load_session (self, store, b, self->chart_b, TRUE, &last_b, &error)))
    {
      clear_charts (self);
      report_error (self, _("The session could not be replayed"), error);
      return;
    }
  if (a->ended_us > 0)
    last_a = MAX (last_a, a->ended_us - a->started_us);
  if (b != NULL && b->ended_us > 0)
    last_b = MAX (last_b, b->ended_us - b->started_us);

  /* One span for both, so equal times since start line up vertically. */
  set_window (self->chart_a, MAX (last_a, last_b));
  set_window (self->chart_b, MAX (last_a, last_b));
  self->shown_a = a->id;
  self->shown_b = b != NULL ? b->id : 0;
  apply_visibility (self);

  date_a = format_datetime (a->started_us);
  if (b != NULL)
    {
      g_autofree char *date_b = format_datetime (b->started_us);
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
                                               "the same length of time; the axis counts back "
                                               "from the end.")
                                           : _("The axis counts back from the end of the "
                                               "session."));
  gtk_widget_set_visible (self->replay_group, TRUE);
}

/* Session list -------------------------------------------------------- */

static void
on_check_toggled_cb (GtkCheckButton *check,
                     ObdHistoryPage *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (check), "session-id");

  for (guint i = 0; i < self->checked->len; i++)
    if (g_array_index (self->checked, gint64, i) == id)
      {
        g_array_remove_index (self->checked, i);
        break;
      }
  if (gtk_check_button_get_active (check))
    g_array_append_val (self->checked, id);
  update_actions (self);
}

static void
on_session_list_row_activated_cb (ObdHistoryPage *self,
                                  GtkListBoxRow  *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "session-id");

  if (id != NULL)
    obd_history_page_open_session (self, *id);
}

static GtkWidget *
session_row_new (ObdHistoryPage        *self,
                 const ObdStoreSession *session,
                 gboolean               show_vehicle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *title = format_datetime (session->started_us);
  g_autofree char *duration = NULL;
  g_autofree char *samples = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;
  gint64 *id = g_new (gint64, 1);

  *id = session->id;
  if (session->ended_us > 0)
    duration = format_duration (session->ended_us - session->started_us);
  else
    duration = g_strdup (_("still recording"));
  samples = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " sample",
                                          "%'" G_GINT64_FORMAT " samples",
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

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "session-id", id, g_free);
  if (session->status == OBD_STORE_SESSION_INTERRUPTED)
    gtk_widget_add_css_class (row, "obd-session-interrupted");

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  /* Translators: accessible name of the tick box that picks a session for comparison */
  a11y = g_strdup_printf (_("Compare the session of %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_widget_set_tooltip_text (check, _("Tick two sessions to compare them"));
  g_object_set_data (G_OBJECT (check), "session-id", id);
  for (guint i = 0; i < self->checked->len; i++)
    if (g_array_index (self->checked, gint64, i) == session->id)
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_check_toggled_cb), self,
                           G_CONNECT_DEFAULT);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

void
obd_history_page_reload (ObdHistoryPage *self)
{
  ObdStore *store;
  gint64 vehicle_id;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GArray) still_checked = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  gint64 shown_a = self->shown_a, shown_b = self->shown_b;
  gboolean a_present = FALSE, b_present = FALSE;

  g_return_if_fail (OBD_IS_HISTORY_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->session_list))) != NULL)
    gtk_list_box_remove (self->session_list, child);

  store = get_store (self);
  update_actions (self);
  if (store == NULL)
    {
      clear_charts (self);
      gtk_widget_set_visible (self->replay_group, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }

  /* Without a vehicle (a car that reports no VIN, or none connected) the
   * whole workshop's history is listed. */
  vehicle_id = get_effective_vehicle_id (self);
  sessions = obd_store_list_sessions (store, vehicle_id, &error);
  if (sessions == NULL)
    {
      g_warning ("Could not list sessions: %s", error->message);
      sessions = g_ptr_array_new ();
    }
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->sessions_group),
                                   vehicle_id != 0 ? _("Recorded Sessions")
                                                   : _("All Recorded Sessions"));

  for (guint i = 0; i < sessions->len; i++)
    {
      const ObdStoreSession *session = g_ptr_array_index (sessions, i);

      for (guint j = 0; j < self->checked->len; j++)
        if (g_array_index (self->checked, gint64, j) == session->id)
          g_array_append_val (still_checked, session->id);
      a_present |= session->id == shown_a;
      b_present |= session->id == shown_b;
    }
  /* Ticks of sessions no longer listed (another vehicle) are dropped. */
  g_array_set_size (self->checked, 0);
  g_array_append_vals (self->checked, still_checked->data, still_checked->len);

  for (guint i = 0; i < sessions->len; i++)
    gtk_list_box_append (self->session_list,
                         session_row_new (self, g_ptr_array_index (sessions, i), vehicle_id == 0));

  if (!a_present || (shown_b != 0 && !b_present))
    {
      clear_charts (self);
      gtk_widget_set_visible (self->replay_group, FALSE);
    }
  update_actions (self);
  gtk_stack_set_visible_child_name (self->stack, sessions->len > 0 ? "content" : "empty");
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

static void
verify_chain_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (widget);
  ObdStore *store = get_store (self);
  gint64 first_bad = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *icon, *css;

  if (store == NULL)
    return;

  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "error");
  if (!obd_store_verify_chain (store, &first_bad, &error))
    {
      text = g_strdup_printf (_("The check could not run: %s"), error->message);
      icon = "dialog-warning-symbolic";
      css = "error";
    }
  else if (first_bad == 0)
    {
      text = g_strdup (_("Intact: every sealed session matches its fingerprint and the chain "
                         "is unbroken."));
      icon = "security-high-symbolic";
      css = "success";
    }
  else
    {
      g_autoptr(ObdStoreSession) bad = obd_store_get_session (store, first_bad, NULL);
      g_autofree char *date = bad != NULL ? format_datetime (bad->started_us) : NULL;

      text = g_strdup_printf (_("Broken: the session of %s no longer matches what was sealed. "
                                "The history was changed after recording; reports printed "
                                "since then cannot be trusted."),
                              date != NULL ? date : "?");
      icon = "security-low-symbolic";
      css = "error";
    }
  adw_action_row_set_subtitle (self->verify_row, text);
  gtk_image_set_from_icon_name (self->verify_icon, icon);
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_icon), css);
}

/* GObject ------------------------------------------------------------- */

static void
on_session_vehicle_changed_cb (ObdHistoryPage *self)
{
  if (self->vehicle_id == 0)
    obd_history_page_reload (self);
}

static void
obd_history_page_dispose (GObject *object)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (object);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  /* The stack is both a template child and AdwBin's child: take it out of
   * the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_HISTORY_PAGE);

  G_OBJECT_CLASS (obd_history_page_parent_class)->dispose (object);
}

static void
obd_history_page_finalize (GObject *object)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (object);

  g_clear_pointer (&self->checked, g_array_unref);
  g_clear_pointer (&self->series_ids, g_array_unref);

  G_OBJECT_CLASS (obd_history_page_parent_class)->finalize (object);
}

static void
obd_history_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_int64 (value, self->vehicle_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_history_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ObdHistoryPage *self = OBD_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_history_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_VEHICLE_ID:
      obd_history_page_set_vehicle_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_history_page_class_init (ObdHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_history_page_dispose;
  object_class->finalize = obd_history_page_finalize;
  object_class->get_property = obd_history_page_get_property;
  object_class->set_property = obd_history_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (OBD_TYPE_TREND_CHART);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, replay_group);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_a_label);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_a);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_b_label);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_b_frame);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, chart_b);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, series_box);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, sessions_group);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, session_list);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, verify_row);
  gtk_widget_class_bind_template_child (widget_class, ObdHistoryPage, verify_icon);
  gtk_widget_class_bind_template_callback (widget_class, on_session_list_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "history.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "history.close-replay", NULL,
                                   close_replay_action);
  gtk_widget_class_install_action (widget_class, "history.verify-chain", NULL,
                                   verify_chain_action);
}

static void
obd_history_page_init (ObdHistoryPage *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  self->checked = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->series_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  gtk_widget_init_template (GTK_WIDGET (self));

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (SETTINGS_SCHEMA);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-id",
                                  G_CALLBACK (on_session_vehicle_changed_cb), self);
  /* A recording that ends adds a session to the list. */
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (obd_history_page_reload), self);

  obd_history_page_reload (self);
}

GtkWidget *
obd_history_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_HISTORY_PAGE, "session", session, NULL);
}

ObdSession *
obd_history_page_get_session (ObdHistoryPage *self)
{
  g_return_val_if_fail (OBD_IS_HISTORY_PAGE (self), NULL);

  return self->session;
}

void
obd_history_page_set_session (ObdHistoryPage *self,
                              ObdSession     *session)
{
  g_return_if_fail (OBD_IS_HISTORY_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  obd_history_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gint64
obd_history_page_get_vehicle_id (ObdHistoryPage *self)
{
  g_return_val_if_fail (OBD_IS_HISTORY_PAGE (self), 0);

  return self->vehicle_id;
}

void
obd_history_page_set_vehicle_id (ObdHistoryPage *self,
                                 gint64          vehicle_id)
{
  g_return_if_fail (OBD_IS_HISTORY_PAGE (self));
  g_return_if_fail (vehicle_id >= 0);

  if (self->vehicle_id == vehicle_id)
    return;
  self->vehicle_id = vehicle_id;
  obd_history_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
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
