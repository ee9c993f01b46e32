/* obd-live-page.c — the live dashboard: gauges, a trend chart, recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The gauges are the "dashboard-pids" setting minus what the vehicle does
 * not support, in the setting's order; the setting keeps PIDs this car
 * lacks so that the next car that has them shows them again.  Values come
 * from the session's ::samples batches: gauges change once per batch, the
 * chart takes every sample and draws on its own frame clock.  A gauge's
 * colour is the session's alert verdict on its reading, its scale bands
 * the health layer's limits: the page judges nothing itself.  The chart
 * starts from the session's recent history (a page built after a role
 * switch starts full) and keeps about its time span: once it holds twice
 * that, it is filled again from the history, so memory stays flat over a
 * day at the bench.
 */
#define G_LOG_DOMAIN "obd-live-page"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "obd-app-resources.h"
#include "obd-app-util.h"
#include "obd-gauge.h"
#include "obd-defer-bin.h"
#include "obd-live-page.h"
#include "obd-pid.h"
#include "obd-sample.h"
#include "obd-trend-chart.h"

/* Gauges on screen poll fastest; when the page is hidden they keep a low
 * rate so the chart has no hole when the mechanic comes back.  (The
 * readings the live alerts need are the session's to poll.) */
#define PRIORITY_ON_SCREEN 10
#define PRIORITY_HIDDEN     3
/* Series shown in the chart by default: more lines than this are hard to
 * tell apart. */
#define DEFAULT_CHART_SERIES 3

typedef enum
{
  FOCUS_NONE = 0,
  FOCUS_CHECK,
  FOCUS_UP,
  FOCUS_DOWN,
} FocusTarget;

struct _ObdLivePage
{
  ObdPage           parent_instance;

  gint64            chart_filled_us; /* sample time the chart was last refilled */

  GArray           *dashboard;          /* guint8: the gauges, in order */
  gboolean          supported[256];
  GtkWidget        *gauges[256];        /* owned refs, NULL when not shown */
  gboolean          in_chart[256];
  gboolean          chart_known[256];   /* in_chart[] was decided once */
  gboolean          has_series[256];
  guint32           chart_ecu[256];     /* the ECU a series follows */
  gboolean          chart_ecu_set[256];

  guint             rebuild_idle_id;
  gboolean          picker_dirty;     /* built again when it is next shown */
  guint             elapsed_id;
  guint8            focus_pid;
  FocusTarget       focus_target;

  /* Template widgets */
  GtkMenuButton    *pick_button;
  GtkPopover       *pick_popover;
  GtkListBox       *pick_list;
  AdwButtonContent *record_content;
  GtkWidget        *record_button;
  GtkLabel         *record_label;
  GtkLabel         *link_label;
  GtkStack         *stack;
  GtkWidget        *no_gauges_label;
  GtkFlowBox       *gauge_box;
  GtkWidget        *chart_section;
  GtkFlowBox       *chart_toggles;
  ObdTrendChart    *chart;
};

G_DEFINE_FINAL_TYPE (ObdLivePage, obd_live_page, OBD_TYPE_PAGE)

static void rebuild (ObdLivePage *self);

/* Helpers ------------------------------------------------------------- */

/* A PID can be a gauge when its main value is a number with a range. */
static gboolean
pid_is_gaugeable (guint8 pid)
{
  const ObdPidInfo *info = obd_pid_lookup (pid);
  const ObdValue *value;

  if (info == NULL)
    return FALSE;
  if (info->kind != OBD_PID_KIND_NUMERIC && info->kind != OBD_PID_KIND_MULTI)
    return FALSE;
  value = obd_pid_get_value_info (pid, 0);
  return value != NULL && value->max > value->min;
}

/* The setting, parsed: two-digit hex PIDs, duplicates and junk dropped. */
static GArray *
dup_setting_pids (ObdLivePage *self)
{
  g_auto(GStrv) strv = g_settings_get_strv (obd_page_get_settings (OBD_PAGE (self)),
                                              "dashboard-pids");
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  gboolean seen[256] = { FALSE };

  for (guint i = 0; strv[i] != NULL; i++)
    {
      guint64 number;
      guint8 pid;

      if (!g_ascii_string_to_unsigned (strv[i], 16, 0, 0xFF, &number, NULL))
        {
          g_debug ("Ignoring dashboard PID “%s”", strv[i]);
          continue;
        }
      pid = (guint8) number;
      if (seen[pid])
        continue;
      seen[pid] = TRUE;
      g_array_append_val (pids, pid);
    }
  return pids;
}

static void
save_setting_pids (ObdLivePage *self,
                   GArray      *pids)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *hex = g_strdup_printf ("%02X", g_array_index (pids, guint8, i));

      g_strv_builder_add (builder, hex);
    }
  strv = g_strv_builder_end (builder);
  g_settings_set_strv (obd_page_get_settings (OBD_PAGE (self)), "dashboard-pids",
                       (const char * const *) strv);
}

static int
find_pid (GArray *pids,
          guint8  pid)
{
  for (guint i = 0; i < pids->len; i++)
    if (g_array_index (pids, guint8, i) == pid)
      return (int) i;
  return -1;
}

static const char *
pid_label (guint8 pid)
{
  const ObdValue *value = obd_pid_get_value_info (pid, 0);
  const ObdPidInfo *info = obd_pid_lookup (pid);

  if (value != NULL)
    return obd_value_get_label (value);
  return info != NULL ? _(info->label) : "";
}

/* Short names for the common dashboard values: a gauge writes its label
 * inside the dial, where "Engine coolant temperature" does not fit.  The
 * picker keeps the full names. */
static const struct
{
  guint8      pid;
  const char *label;
} short_labels[] = {
  { 0x04, NC_("gauge", "Engine load") },
  { 0x05, NC_("gauge", "Coolant") },
  { 0x06, NC_("gauge", "Short trim 1") },
  { 0x07, NC_("gauge", "Long trim 1") },
  { 0x08, NC_("gauge", "Short trim 2") },
  { 0x09, NC_("gauge", "Long trim 2") },
  { 0x0A, NC_("gauge", "Fuel pressure") },
  { 0x0B, NC_("gauge", "Manifold") },
  { 0x0C, NC_("gauge", "Engine speed") },
  { 0x0D, NC_("gauge", "Speed") },
  { 0x0E, NC_("gauge", "Timing") },
  { 0x0F, NC_("gauge", "Intake air") },
  { 0x10, NC_("gauge", "Air flow") },
  { 0x11, NC_("gauge", "Throttle") },
  { 0x2F, NC_("gauge", "Fuel level") },
  { 0x33, NC_("gauge", "Barometer") },
  { 0x3C, NC_("gauge", "Catalyst 1") },
  { 0x3D, NC_("gauge", "Catalyst 2") },
  { 0x42, NC_("gauge", "Voltage") },
  { 0x45, NC_("gauge", "Rel. throttle") },
  { 0x46, NC_("gauge", "Ambient air") },
  { 0x5C, NC_("gauge", "Oil") },
  { 0x5E, NC_("gauge", "Fuel rate") },
};

static const char *
pid_short_label (guint8 pid)
{
  for (guint i = 0; i < G_N_ELEMENTS (short_labels); i++)
    if (short_labels[i].pid == pid)
      return g_dpgettext2 (GETTEXT_PACKAGE, "gauge", short_labels[i].label);
  return pid_label (pid);
}

/* Gauges -------------------------------------------------------------- */

/* The gauge's scale bands are the limits of the one table in the health
 * layer (obd_alert_limits_for_pid_key) at the values the session judges
 * by; the voltage limits are those of the engine's state now (running or
 * resting).  The bands only show where the limits lie: the colour of the
 * reading is the session's verdict (update_alert_states). */
static void
set_gauge_bands (ObdLivePage *self,
                 ObdGauge    *gauge,
                 guint8       pid)
{
  const ObdValue *meta = obd_pid_get_value_info (pid, 0);
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  ObdLiveData *live = session != NULL ? obd_session_get_live_data (session) : NULL;
  const ObdAlertThresholds *thresholds;
  ObdAlertThresholds defaults;
  const ObdAlertLimit *limits[8];
  gsize n_limits;
  gboolean running = live != NULL && obd_live_data_get_engine_running (live);
  double bands[4] = { NAN, NAN, NAN, NAN };  /* warning, critical, low warning, low critical */

  if (live != NULL)
    thresholds = obd_live_data_get_thresholds (live);
  else
    {
      obd_alert_thresholds_init_defaults (&defaults);
      thresholds = &defaults;
    }

  n_limits = obd_alert_limits_for_pid_key (meta->key, limits, G_N_ELEMENTS (limits));
  for (gsize i = 0; i < n_limits; i++)
    {
      const ObdAlertLimit *limit = limits[i];
      double value = obd_alert_thresholds_get (thresholds, limit);
      gboolean critical = limit->severity == OBD_SEVERITY_CRITICAL;

      /* A limit on the sum of two trims is no mark on either's scale. */
      if (limit->of_sum ||
          (limit->engine == OBD_ALERT_ENGINE_RUNNING && !running) ||
          (limit->engine == OBD_ALERT_ENGINE_OFF && running))
        continue;
      if (limit->direction != OBD_ALERT_DIRECTION_BELOW)
        bands[critical ? 1 : 0] = obd_unit_convert (meta->unit, units, value);
      if (limit->direction == OBD_ALERT_DIRECTION_BELOW)
        bands[critical ? 3 : 2] = obd_unit_convert (meta->unit, units, value);
      else if (limit->direction == OBD_ALERT_DIRECTION_EITHER_WAY)
        bands[critical ? 3 : 2] = obd_unit_convert (meta->unit, units, -value);
    }
  obd_gauge_set_warning_threshold (gauge, bands[0]);
  obd_gauge_set_critical_threshold (gauge, bands[1]);
  obd_gauge_set_low_warning_threshold (gauge, bands[2]);
  obd_gauge_set_low_critical_threshold (gauge, bands[3]);
}

G_STATIC_ASSERT ((int) OBD_ALERT_STATE_NORMAL == (int) OBD_GAUGE_ALERT_STATE_NORMAL);
G_STATIC_ASSERT ((int) OBD_ALERT_STATE_WARNING == (int) OBD_GAUGE_ALERT_STATE_WARNING);
G_STATIC_ASSERT ((int) OBD_ALERT_STATE_CRITICAL == (int) OBD_GAUGE_ALERT_STATE_CRITICAL);

/* A gauge is red exactly when the session raised a critical alert on its
 * reading: the verdict of the session's alert monitor, with its minimum
 * durations, hysteresis and resting-voltage rule. */
static void
update_alert_states (ObdLivePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  ObdLiveData *live = session != NULL ? obd_session_get_live_data (session) : NULL;

  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);
      const ObdValue *meta = obd_pid_get_value_info (pid, 0);
      ObdAlertState state = live != NULL ? obd_live_data_get_alert_state (live, meta->key)
                                         : OBD_ALERT_STATE_NORMAL;

      /* ObdAlertState and ObdGaugeAlertState name the same three levels. */
      obd_gauge_set_alert_state (OBD_GAUGE (self->gauges[pid]), (ObdGaugeAlertState) state);
    }
}

static void
configure_gauge (ObdLivePage *self,
                 ObdGauge    *gauge,
                 guint8       pid)
{
  const ObdPidInfo *info = obd_pid_lookup (pid);
  const ObdValue *meta = obd_pid_get_value_info (pid, 0);
  ObdUnit unit = meta->unit;
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  double latest = NAN;
  double min = info->min, max = info->max;

  /* A workshop range rather than what the encoding can hold; for
   * multi-value PIDs, their first value's. */
  if (!obd_pid_get_display_range (pid, 0, &min, &max) || !(max > min))
    {
      min = info->min;
      max = info->max;
    }

  obd_gauge_set_label (gauge, pid_short_label (pid));
  obd_gauge_set_unit (gauge, obd_unit_get_symbol (unit, units));
  obd_gauge_set_digits (gauge, obd_unit_get_decimals (unit, units));
  obd_gauge_set_min_value (gauge, obd_unit_convert (unit, units, min));
  obd_gauge_set_max_value (gauge, obd_unit_convert (unit, units, max));
  set_gauge_bands (self, gauge, pid);

  if (session != NULL)
    latest = obd_session_get_latest (session, pid, 0, NULL);
  obd_gauge_set_value (gauge, isfinite (latest) ? obd_unit_convert (unit, units, latest) : NAN);
}

static void
update_watched (ObdLivePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  g_autoptr(GArray) priorities = g_array_new (FALSE, FALSE, sizeof (guint));
  guint on_screen = gtk_widget_get_mapped (GTK_WIDGET (self)) ? PRIORITY_ON_SCREEN
                                                               : PRIORITY_HIDDEN;

  if (session == NULL || !obd_page_get_connected (OBD_PAGE (self)))
    return;

  for (guint i = 0; i < self->dashboard->len; i++)
    g_array_append_val (priorities, on_screen);
  obd_session_set_watched_pids (session, (const guint8 *) self->dashboard->data,
                                (const guint *) priorities->data, self->dashboard->len);
}

/* The chart ----------------------------------------------------------- */

static void
on_chart_toggle_toggled_cb (GtkCheckButton *button,
                            ObdLivePage    *self)
{
  guint8 pid = (guint8) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "pid"));
  gboolean active = gtk_check_button_get_active (button);

  self->in_chart[pid] = active;
  obd_trend_chart_set_series_visible (self->chart, pid, active);
  if (active)
    obd_trend_chart_set_selected_series (self->chart, pid);
}

/* What the session read of pid over the chart's span, in the units shown. */
static void
fill_series (ObdLivePage *self,
             guint8       pid)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  const ObdValue *meta = obd_pid_get_value_info (pid, 0);
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  g_autoptr(GArray) history = NULL;
  g_autofree gint64 *times = NULL;
  g_autofree double *values = NULL;

  if (session == NULL)
    return;
  history = obd_live_data_dup_history (obd_session_get_live_data (session), pid, 0);
  if (history->len == 0)
    return;
  times = g_new (gint64, history->len);
  values = g_new (double, history->len);
  for (guint i = 0; i < history->len; i++)
    {
      const ObdLivePoint *point = &g_array_index (history, ObdLivePoint, i);

      times[i] = point->time_us;
      values[i] = obd_unit_convert (meta->unit, units, point->value);
    }
  obd_trend_chart_append_many (self->chart, pid, times, values, history->len);
  self->chart_filled_us = MAX (self->chart_filled_us, times[history->len - 1]);
}

/* The chart holds twice its span: start it again from the session's
 * history, which keeps one to two spans. */
static void
trim_chart (ObdLivePage *self,
            gint64       now_us)
{
  gint64 span = obd_trend_chart_get_time_span (self->chart);

  if (self->chart_filled_us == 0)
    self->chart_filled_us = now_us;
  if (now_us - self->chart_filled_us < 2 * span)
    return;

  obd_trend_chart_clear (self->chart);
  self->chart_filled_us = now_us;
  for (guint pid = 1; pid < 256; pid++)
    if (self->has_series[pid])
      fill_series (self, pid);
}

/* Series ids are the PIDs (never 0: PID 00 is a bitmap, not a gauge). */
static void
sync_chart (ObdLivePage *self,
            gboolean     from_scratch)
{
  GtkWidget *child;
  guint n_shown = 0;

  for (guint pid = 1; pid < 256; pid++)
    if (self->has_series[pid] && (from_scratch || self->gauges[pid] == NULL))
      {
        obd_trend_chart_remove_series (self->chart, pid);
        self->has_series[pid] = FALSE;
      }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chart_toggles))) != NULL)
    gtk_flow_box_remove (self->chart_toggles, child);

  for (guint i = 0; i < self->dashboard->len; i++)
    if (self->in_chart[g_array_index (self->dashboard, guint8, i)])
      n_shown++;

  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);
      const ObdValue *meta = obd_pid_get_value_info (pid, 0);
      GtkWidget *toggle;

      if (!self->chart_known[pid])
        {
          self->chart_known[pid] = TRUE;
          self->in_chart[pid] = n_shown < DEFAULT_CHART_SERIES;
          n_shown += self->in_chart[pid];
        }

      if (!self->has_series[pid])
        {
          obd_trend_chart_add_series (self->chart, pid, pid_short_label (pid),
                                      obd_unit_get_symbol (meta->unit,
                                                           obd_page_get_units (OBD_PAGE (self))),
                                      NULL);
          self->has_series[pid] = TRUE;
          fill_series (self, pid);
        }
      obd_trend_chart_set_series_visible (self->chart, pid, self->in_chart[pid]);

      toggle = gtk_check_button_new_with_label (pid_short_label (pid));
      obd_widget_set_tooltip (toggle, pid_label (pid));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (toggle), self->in_chart[pid]);
      g_object_set_data (G_OBJECT (toggle), "pid", GUINT_TO_POINTER (pid));
      g_signal_connect_object (toggle, "toggled", G_CALLBACK (on_chart_toggle_toggled_cb),
                               self, 0);
      gtk_flow_box_append (self->chart_toggles, toggle);
      gtk_widget_set_focusable (gtk_widget_get_parent (toggle), FALSE);
    }
}

/* The picker ---------------------------------------------------------- */

static void
on_pick_toggled_cb (GtkCheckButton *button,
                    ObdLivePage    *self)
{
  guint8 pid = (guint8) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "pid"));
  g_autoptr(GArray) pids = dup_setting_pids (self);
  int index = find_pid (pids, pid);

  if (gtk_check_button_get_active (button) && index < 0)
    g_array_append_val (pids, pid);
  else if (!gtk_check_button_get_active (button) && index >= 0)
    g_array_remove_index (pids, index);
  else
    return;

  self->focus_pid = pid;
  self->focus_target = FOCUS_CHECK;
  save_setting_pids (self, pids);
}

/* Moves pid one place among the gauges shown: it swaps places in the
 * setting with its shown neighbour, leaving the PIDs this car lacks where
 * they were. */
static void
move_pid (ObdLivePage *self,
          guint8       pid,
          int          direction)
{
  g_autoptr(GArray) pids = dup_setting_pids (self);
  int shown = find_pid (self->dashboard, pid);
  int neighbour_shown = shown + direction;
  int from, to;
  guint8 other;

  if (shown < 0 || neighbour_shown < 0 || neighbour_shown >= (int) self->dashboard->len)
    return;

  other = g_array_index (self->dashboard, guint8, neighbour_shown);
  from = find_pid (pids, pid);
  to = find_pid (pids, other);
  g_assert (from >= 0 && to >= 0);
  g_array_index (pids, guint8, from) = other;
  g_array_index (pids, guint8, to) = pid;

  self->focus_pid = pid;
  self->focus_target = direction < 0 ? FOCUS_UP : FOCUS_DOWN;
  save_setting_pids (self, pids);
}

static void
move_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  move_pid (OBD_LIVE_PAGE (widget), g_variant_get_byte (parameter), -1);
}

static void
move_down_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  move_pid (OBD_LIVE_PAGE (widget), g_variant_get_byte (parameter), 1);
}

static GtkWidget *
move_button_new (guint8      pid,
                 gboolean    up,
                 gboolean    sensitive)
{
  GtkWidget *button = gtk_button_new_from_icon_name (up ? "go-up-symbolic" : "go-down-symbolic");
  g_autofree char *a11y = NULL;

  /* The action helper owns the sensitivity of a button with an action,
   * so the first and last rows get none. */
  if (sensitive)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button),
                                      up ? "live.move-up" : "live.move-down");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "y", pid);
    }
  else
    gtk_widget_set_sensitive (button, FALSE);
  obd_widget_set_tooltip (button, up ? _("Move Up") : _("Move Down"));
  /* Translators: accessible name of a button, %s is a value such as
   * "Engine speed" */
  a11y = g_strdup_printf (up ? _("Move %s up") : _("Move %s down"), pid_label (pid));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
pick_row_new (ObdLivePage *self,
              guint8       pid,
              int          shown_index)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *subtitle = g_strdup_printf ("PID %02X", pid);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pid_label (pid));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), shown_index >= 0);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, pid_label (pid), -1);
  g_object_set_data (G_OBJECT (check), "pid", GUINT_TO_POINTER (pid));
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_pick_toggled_cb), self, 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_object_set_data (G_OBJECT (row), "check", check);

  if (shown_index >= 0)
    {
      GtkWidget *up = move_button_new (pid, TRUE, shown_index > 0);
      GtkWidget *down = move_button_new (pid, FALSE,
                                         shown_index + 1 < (int) self->dashboard->len);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), down);
      g_object_set_data (G_OBJECT (row), "up", up);
      g_object_set_data (G_OBJECT (row), "down", down);
    }
  g_object_set_data (G_OBJECT (row), "pid", GUINT_TO_POINTER (pid));
  return row;
}

static void
rebuild_picker (ObdLivePage *self)
{
  GtkWidget *child;
  GtkWidget *focus = NULL;

  self->picker_dirty = FALSE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pick_list))) != NULL)
    gtk_list_box_remove (self->pick_list, child);

  /* Gauges first, in their order, then the rest by number. */
  for (guint i = 0; i < self->dashboard->len; i++)
    gtk_list_box_append (self->pick_list,
                         pick_row_new (self, g_array_index (self->dashboard, guint8, i), i));
  for (guint pid = 1; pid < 256; pid++)
    if (self->supported[pid] && pid_is_gaugeable (pid) && self->gauges[pid] == NULL)
      gtk_list_box_append (self->pick_list, pick_row_new (self, pid, -1));

  /* Keep the keyboard where it was: the list was rebuilt under it. */
  if (self->focus_target == FOCUS_NONE)
    return;
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->pick_list));
       child != NULL && focus == NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *up, *down;

      if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "pid")) != self->focus_pid)
        continue;
      up = g_object_get_data (G_OBJECT (child), "up");
      down = g_object_get_data (G_OBJECT (child), "down");
      if (self->focus_target == FOCUS_UP && up != NULL)
        focus = gtk_widget_get_sensitive (up) ? up : down;
      else if (self->focus_target == FOCUS_DOWN && down != NULL)
        focus = gtk_widget_get_sensitive (down) ? down : up;
      else
        focus = g_object_get_data (G_OBJECT (child), "check");
    }
  if (focus != NULL && gtk_widget_get_visible (GTK_WIDGET (self->pick_popover)))
    gtk_widget_grab_focus (focus);
  self->focus_target = FOCUS_NONE;
}

/* Rebuilding ---------------------------------------------------------- */

static void
update_link (ObdLivePage *self)
{
  g_autofree char *text = NULL;
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  double rate = session != NULL ? obd_session_get_link_rate (session) : 0.0;

  /* Translators: link quality, values read per second */
  text = g_strdup_printf (_("%.1f values/s"), isfinite (rate) ? rate : 0.0);
  gtk_label_set_label (self->link_label, text);
}

static void
update_recording (ObdLivePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  gboolean connected = obd_page_get_connected (OBD_PAGE (self));
  gboolean recording = session != NULL && obd_session_get_recording (session);
  gboolean busy = session != NULL && obd_session_get_recording_busy (session);
  gboolean has_store = obd_page_get_store_writable (OBD_PAGE (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "live.record",
                                 !busy && (recording || (connected && has_store)));
  adw_button_content_set_icon_name (self->record_content,
                                    recording ? "media-playback-stop-symbolic"
                                              : "media-record-symbolic");
  adw_button_content_set_label (self->record_content, recording ? _("_Stop") : _("_Record"));
  gtk_widget_set_tooltip_text (self->record_button,
                               !has_store ? _("Recording needs the local history, which cannot "
                                              "be written now")
                               : recording ? _("Stop recording")
                               : _("Record every value read into the local store"));
  if (recording)
    gtk_widget_add_css_class (self->record_button, "destructive-action");
  else
    gtk_widget_remove_css_class (self->record_button, "destructive-action");

  gtk_widget_set_visible (GTK_WIDGET (self->record_label), recording);
  if (recording)
    {
      gint64 started = obd_session_get_recording_started (session);
      gint64 seconds = MAX (0, (g_get_real_time () - started) / G_USEC_PER_SEC);
      guint64 n = obd_session_get_recorded_samples (session);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%" PRIu64 " sample",
                                                             "%" PRIu64 " samples",
                                                             n), n);
      g_autofree char *text = g_strdup_printf ("%d:%02d · %s",
                                               (int) (seconds / 60), (int) (seconds % 60),
                                               count);

      gtk_label_set_label (self->record_label, text);
    }
}

static gboolean
elapsed_tick_cb (gpointer user_data)
{
  update_recording (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_recording_changed_cb (ObdLivePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  gboolean recording = session != NULL && obd_session_get_recording (session);

  if (recording && self->elapsed_id == 0)
    self->elapsed_id = g_timeout_add_seconds (1, elapsed_tick_cb, self);
  else if (!recording)
    g_clear_handle_id (&self->elapsed_id, g_source_remove);
  update_recording (self);
}

static void
rebuild (ObdLivePage *self)
{
  g_autoptr(GArray) setting = dup_setting_pids (self);
  g_autoptr(GArray) supported = NULL;
  gboolean connected;
  GtkWidget *child;

  g_clear_handle_id (&self->rebuild_idle_id, g_source_remove);

  connected = obd_page_get_connected (OBD_PAGE (self));
  memset (self->supported, 0, sizeof self->supported);
  if (connected)
    {
      supported = obd_session_dup_supported_pids (obd_page_get_session (OBD_PAGE (self)));
      for (guint i = 0; i < supported->len; i++)
        self->supported[g_array_index (supported, guint8, i)] = TRUE;
    }

  g_array_set_size (self->dashboard, 0);
  for (guint i = 0; i < setting->len; i++)
    {
      guint8 pid = g_array_index (setting, guint8, i);

      if (self->supported[pid] && pid_is_gaugeable (pid))
        g_array_append_val (self->dashboard, pid);
    }

  /* Gauges are kept across rebuilds (they hold the latest value and their
   * needle animation); only their order and set change. */
  for (guint pid = 0; pid < 256; pid++)
    {
      GtkWidget *parent = self->gauges[pid] != NULL ? gtk_widget_get_parent (self->gauges[pid])
                                                    : NULL;

      if (OBD_IS_DEFER_BIN (parent))
        obd_defer_bin_set_child (OBD_DEFER_BIN (parent), NULL);
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->gauge_box))) != NULL)
    gtk_flow_box_remove (self->gauge_box, child);
  for (guint pid = 0; pid < 256; pid++)
    if (self->gauges[pid] != NULL && find_pid (self->dashboard, pid) < 0)
      {
        g_clear_object (&self->gauges[pid]);
        self->chart_ecu_set[pid] = FALSE;
      }
  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);

      if (self->gauges[pid] == NULL)
        {
          self->gauges[pid] = g_object_ref_sink (obd_gauge_new ());
          gtk_widget_add_css_class (self->gauges[pid], "obd-dashboard-gauge");
          /* Two fit side by side in 360 px; less and the dial is unreadable. */
          gtk_widget_set_size_request (self->gauges[pid], 136, 136);
        }
      configure_gauge (self, OBD_GAUGE (self->gauges[pid]), pid);
      /* A gauge's first paint draws its dial and loads its fonts at its
       * size: the gauges come a frame each after the page's first frame,
       * which repaints the whole window already (the flow box is
       * homogeneous, so once the first is in, the places of the others
       * are kept).  With three, then one, in the page's first frame, that
       * frame was the record step's longest in bench-main-thread. */
      gtk_flow_box_append (self->gauge_box, obd_defer_bin_new (self->gauges[pid]));
      /* The gauge itself takes focus (and reads itself out); its flow box
       * child would be a second, silent stop. */
      gtk_widget_set_focusable (GTK_WIDGET (gtk_widget_get_ancestor (self->gauges[pid],
                                                                     GTK_TYPE_FLOW_BOX_CHILD)),
                                FALSE);
    }

  update_alert_states (self);
  gtk_widget_set_visible (self->no_gauges_label, self->dashboard->len == 0);
  gtk_widget_set_visible (self->chart_section, self->dashboard->len > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pick_button), connected);

  sync_chart (self, FALSE);
  /* The picker has a row per value the car supports: made when it is
   * opened, not with every page. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->pick_popover)))
    rebuild_picker (self);
  else
    self->picker_dirty = TRUE;
  update_link (self);
  on_recording_changed_cb (self);
  update_watched (self);

  /* The gauges first, the trend a frame later (obd-defer-bin.h). */
  obd_defer_bin_show_stack_child (self->stack, connected ? "dashboard" : "disconnected");
}

static gboolean
rebuild_idle_cb (gpointer user_data)
{
  ObdLivePage *self = user_data;

  self->rebuild_idle_id = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

/* Called from inside the picker's own signal handlers: rebuilding there
 * would destroy the button being toggled. */
static void
queue_rebuild (ObdLivePage *self)
{
  if (self->rebuild_idle_id == 0)
    self->rebuild_idle_id = g_idle_add (rebuild_idle_cb, self);
}

/* The chart's span, and the session's history that backs it. */
static void
set_time_span (ObdLivePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  gint64 span = (gint64) g_settings_get_uint (obd_page_get_settings (OBD_PAGE (self)),
                                              "chart-time-span-seconds") * G_USEC_PER_SEC;

  obd_trend_chart_set_time_span (self->chart, span);
  if (session != NULL)
    obd_live_data_set_history_span (obd_session_get_live_data (session), span);
}

static void
obd_live_page_units_changed (ObdPage *page)
{
  ObdLivePage *self = OBD_LIVE_PAGE (page);

  /* The series are in the old units: start the chart afresh, from the
   * history in the new ones. */
  sync_chart (self, TRUE);
  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);

      configure_gauge (self, OBD_GAUGE (self->gauges[pid]), pid);
    }
}

static void
on_settings_changed_cb (GSettings   *settings,
                        const char  *key,
                        ObdLivePage *self)
{
  if (g_str_equal (key, "dashboard-pids"))
    queue_rebuild (self);
  else if (g_str_equal (key, "units"))
    return;  /* ObdPage says it, see units_changed */
  else if (g_str_equal (key, "chart-time-span-seconds"))
    set_time_span (self);
  /* Alert limits reach the gauges through the session (its
   * "alert-thresholds"), once the application has applied them. */
}

static void
update_bands (ObdLivePage *self)
{
  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);

      set_gauge_bands (self, OBD_GAUGE (self->gauges[pid]), pid);
    }
}

/* Samples ------------------------------------------------------------- */

static void
on_session_samples_cb (ObdLivePage *self,
                       GArray      *samples)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  gboolean seen[256] = { FALSE };
  gint64 last_time = 0;

  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);
      const ObdValue *meta;

      if (sample->service != 0x01 || sample->index != 0 || !self->has_series[sample->pid])
        continue;

      /* Like the session's latest values, a series follows the ECU that
       * answered first (speed may come from the engine and the gearbox). */
      if (!self->chart_ecu_set[sample->pid])
        {
          self->chart_ecu_set[sample->pid] = TRUE;
          self->chart_ecu[sample->pid] = sample->ecu;
        }
      else if (self->chart_ecu[sample->pid] != sample->ecu)
        continue;

      seen[sample->pid] = TRUE;
      meta = obd_pid_get_value_info (sample->pid, 0);
      obd_trend_chart_append (self->chart, sample->pid, sample->time_us,
                              obd_unit_convert (meta->unit, units, sample->value));
      last_time = MAX (last_time, sample->time_us);
    }
  if (last_time > 0)
    trim_chart (self, last_time);

  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);
      const ObdValue *meta;
      double value;

      if (!seen[pid])
        continue;
      meta = obd_pid_get_value_info (pid, 0);
      value = obd_session_get_latest (session, pid, 0, NULL);
      if (isfinite (value))
        obd_gauge_set_value (OBD_GAUGE (self->gauges[pid]),
                             obd_unit_convert (meta->unit, units, value));
    }
}

/* Recording ----------------------------------------------------------- */

static void
on_record_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(ObdLivePage) self = data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == obd_session_start_recording_async)
    ok = obd_session_start_recording_finish (OBD_SESSION (source), result, &error);
  else
    ok = obd_session_stop_recording_finish (OBD_SESSION (source), result, &error);
  if (!ok && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    obd_page_report_error (OBD_PAGE (self), _("Could not record"), error);
  on_recording_changed_cb (self);
}

static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ObdLivePage *self = OBD_LIVE_PAGE (widget);
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  if (session == NULL || obd_session_get_recording_busy (session))
    return;

  if (obd_session_get_recording (session))
    obd_session_stop_recording_async (session, NULL, on_record_done_cb, g_object_ref (self));
  else
    obd_session_start_recording_async (session, NULL, on_record_done_cb, g_object_ref (self));
  on_recording_changed_cb (self);
}

/* GObject ------------------------------------------------------------- */

static void
on_pick_popover_show_cb (ObdLivePage *self)
{
  if (self->picker_dirty)
    rebuild_picker (self);
}

static void
obd_live_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (obd_live_page_parent_class)->map (widget);
  update_watched (OBD_LIVE_PAGE (widget));
}

static void
obd_live_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (obd_live_page_parent_class)->unmap (widget);
  update_watched (OBD_LIVE_PAGE (widget));
}

static void
obd_live_page_session_changed (ObdPage *page)
{
  ObdLivePage *self = OBD_LIVE_PAGE (page);

  memset (self->chart_ecu_set, 0, sizeof self->chart_ecu_set);
  self->chart_filled_us = 0;
  set_time_span (self);
  sync_chart (self, TRUE);
  rebuild (self);
}

static void
obd_live_page_state_changed (ObdPage *page)
{
  rebuild (OBD_LIVE_PAGE (page));
}

static void
obd_live_page_constructed (GObject *object)
{
  ObdLivePage *self = OBD_LIVE_PAGE (object);
  GSettings *settings;

  G_OBJECT_CLASS (obd_live_page_parent_class)->constructed (object);

  settings = obd_page_get_settings (OBD_PAGE (self));
  g_return_if_fail (settings != NULL);
  g_signal_connect_object (settings, "changed", G_CALLBACK (on_settings_changed_cb), self, 0);
}

static void
obd_live_page_dispose (GObject *object)
{
  ObdLivePage *self = OBD_LIVE_PAGE (object);

  g_clear_handle_id (&self->rebuild_idle_id, g_source_remove);
  g_clear_handle_id (&self->elapsed_id, g_source_remove);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_LIVE_PAGE);

  for (guint pid = 0; pid < 256; pid++)
    g_clear_object (&self->gauges[pid]);

  G_OBJECT_CLASS (obd_live_page_parent_class)->dispose (object);
}

static void
obd_live_page_finalize (GObject *object)
{
  ObdLivePage *self = OBD_LIVE_PAGE (object);

  g_clear_pointer (&self->dashboard, g_array_unref);

  G_OBJECT_CLASS (obd_live_page_parent_class)->finalize (object);
}

static void
obd_live_page_class_init (ObdLivePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->constructed = obd_live_page_constructed;
  object_class->dispose = obd_live_page_dispose;
  object_class->finalize = obd_live_page_finalize;
  widget_class->map = obd_live_page_map;
  widget_class->unmap = obd_live_page_unmap;
  page_class->disconnected_description = N_("Connect to a vehicle to see its live values.");
  page_class->session_changed = obd_live_page_session_changed;
  page_class->state_changed = obd_live_page_state_changed;
  page_class->units_changed = obd_live_page_units_changed;

  gtk_widget_class_install_action (widget_class, "live.record", NULL, record_action);
  gtk_widget_class_install_action (widget_class, "live.move-up", "y", move_up_action);
  gtk_widget_class_install_action (widget_class, "live.move-down", "y", move_down_action);

  g_type_ensure (OBD_TYPE_TREND_CHART);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-live-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, pick_button);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, pick_popover);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, pick_list);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, record_content);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, record_button);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, record_label);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, link_label);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, no_gauges_label);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, gauge_box);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, chart_section);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, chart_toggles);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, chart);
}

static void
obd_live_page_init (ObdLivePage *self)
{
  GSignalGroup *signals;

  self->dashboard = g_array_new (FALSE, FALSE, sizeof (guint8));
  gtk_widget_init_template (GTK_WIDGET (self));
  obd_trend_chart_set_live_follow (self->chart, TRUE);
  g_signal_connect_object (self->pick_popover, "show", G_CALLBACK (on_pick_popover_show_cb),
                           self, G_CONNECT_SWAPPED);

  signals = obd_page_get_session_signals (OBD_PAGE (self));
  g_signal_group_connect_object (signals, "samples",
                                 G_CALLBACK (on_session_samples_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::active-alerts",
                                 G_CALLBACK (update_alert_states), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::alert-thresholds",
                                 G_CALLBACK (update_bands), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::engine-running",
                                 G_CALLBACK (update_bands), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::link-rate",
                                 G_CALLBACK (update_link), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::recording",
                                 G_CALLBACK (on_recording_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::recording-busy",
                                 G_CALLBACK (update_recording), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::recorded-samples",
                                 G_CALLBACK (update_recording), self, G_CONNECT_SWAPPED);
}

GtkWidget *
obd_live_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_LIVE_PAGE, "session", session, NULL);
}
