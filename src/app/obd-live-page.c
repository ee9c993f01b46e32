/* obd-live-page.c — the live dashboard: gauges, a trend chart, recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The gauges are the "dashboard-pids" setting minus what the vehicle does
 * not support, in the setting's order; the setting keeps PIDs this car
 * lacks so that the next car that has them shows them again.  Values come
 * from the session's ::samples batches: gauges change once per batch, the
 * chart takes every sample and draws on its own frame clock.
 */
#define G_LOG_DOMAIN "obd-live-page"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "obd-app-resources.h"
#include "obd-gauge.h"
#include "obd-live-page.h"
#include "obd-pid.h"
#include "obd-sample.h"
#include "obd-trend-chart.h"

/* Gauges on screen poll fastest; when the page is hidden they keep a low
 * rate so the chart has no hole when the mechanic comes back. */
#define PRIORITY_ON_SCREEN 10
#define PRIORITY_HIDDEN     3
/* Readings the session's live alerts need, polled in the background so
 * the overview's alerts work whatever the dashboard shows. */
#define PRIORITY_ALERTS     1
/* Series shown in the chart by default: more lines than this are hard to
 * tell apart. */
#define DEFAULT_CHART_SERIES 3

static const guint8 alert_pids[] = {
  0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0C, 0x3C, 0x3D, 0x3E, 0x3F, 0x42, 0x5C,
};

typedef enum
{
  FOCUS_NONE = 0,
  FOCUS_CHECK,
  FOCUS_UP,
  FOCUS_DOWN,
} FocusTarget;

struct _ObdLivePage
{
  AdwBin            parent_instance;

  ObdSession       *session;
  GSignalGroup     *session_signals;
  GSettings        *settings;
  ObdUnitSystem     units;

  GArray           *dashboard;          /* guint8: the gauges, in order */
  gboolean          supported[256];
  GtkWidget        *gauges[256];        /* owned refs, NULL when not shown */
  gboolean          in_chart[256];
  gboolean          chart_known[256];   /* in_chart[] was decided once */
  gboolean          has_series[256];
  guint32           chart_ecu[256];     /* the ECU a series follows */
  gboolean          chart_ecu_set[256];

  guint             rebuild_idle_id;
  guint             elapsed_id;
  guint8            focus_pid;
  FocusTarget       focus_target;

  /* Template widgets */
  AdwToastOverlay  *toasts;
  GtkMenuButton    *pick_button;
  GtkPopover       *pick_popover;
  GtkListBox       *pick_list;
  AdwButtonContent *record_content;
  GtkWidget        *record_button;
  GtkLabel         *record_label;
  GtkLabel         *link_label;
  GtkStack         *stack;
  AdwStatusPage    *disconnected_page;
  GtkWidget        *no_gauges_label;
  GtkFlowBox       *gauge_box;
  GtkWidget        *chart_section;
  GtkFlowBox       *chart_toggles;
  ObdTrendChart    *chart;
};

G_DEFINE_FINAL_TYPE (ObdLivePage, obd_live_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void rebuild (ObdLivePage *self);

/* Helpers ------------------------------------------------------------- */

static void
show_toast (ObdLivePage *self,
            const char  *text)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  GtkWidget *overlay = NULL;
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast;

  /* The window's overlay when there is one, the page's own otherwise. */
  if (parent != NULL)
    overlay = gtk_widget_get_ancestor (parent, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    overlay = GTK_WIDGET (self->toasts);

  /* libadwaita 1.2 always reads a toast title as Pango markup. */
  toast = adw_toast_new (escaped);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

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
  g_auto(GStrv) strv = g_settings_get_strv (self->settings, "dashboard-pids");
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
  g_settings_set_strv (self->settings, "dashboard-pids", (const char * const *) strv);
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

static double
setting_in_units (ObdLivePage *self,
                  const char  *key,
                  ObdUnit      unit)
{
  return obd_unit_convert (unit, self->units, g_settings_get_double (self->settings, key));
}

/* Thresholds come from the alert settings, so a gauge turns red exactly
 * when the session raises the matching alert. */
static void
configure_gauge (ObdLivePage *self,
                 ObdGauge    *gauge,
                 guint8       pid)
{
  const ObdPidInfo *info = obd_pid_lookup (pid);
  const ObdValue *meta = obd_pid_get_value_info (pid, 0);
  ObdUnit unit = meta->unit;
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
  obd_gauge_set_unit (gauge, obd_unit_get_symbol (unit, self->units));
  obd_gauge_set_digits (gauge, obd_unit_get_decimals (unit, self->units));
  obd_gauge_set_min_value (gauge, obd_unit_convert (unit, self->units, min));
  obd_gauge_set_max_value (gauge, obd_unit_convert (unit, self->units, max));
  obd_gauge_set_warning_threshold (gauge, NAN);
  obd_gauge_set_critical_threshold (gauge, NAN);
  obd_gauge_set_low_warning_threshold (gauge, NAN);
  obd_gauge_set_low_critical_threshold (gauge, NAN);

  if (g_str_equal (meta->key, "coolant_temp"))
    obd_gauge_set_critical_threshold (gauge, setting_in_units (self, "coolant-critical", unit));
  else if (g_str_equal (meta->key, "rpm"))
    obd_gauge_set_warning_threshold (gauge, setting_in_units (self, "rpm-warning", unit));
  else if (g_str_equal (meta->key, "engine_load"))
    obd_gauge_set_warning_threshold (gauge, setting_in_units (self, "load-warning", unit));
  else if (g_str_equal (meta->key, "oil_temp"))
    obd_gauge_set_warning_threshold (gauge, setting_in_units (self, "oil-warning", unit));
  else if (g_str_has_prefix (meta->key, "catalyst_temp"))
    {
      obd_gauge_set_warning_threshold (gauge, setting_in_units (self, "catalyst-warning", unit));
      obd_gauge_set_critical_threshold (gauge, setting_in_units (self, "catalyst-critical", unit));
    }
  else if (g_str_equal (meta->key, "control_module_voltage"))
    {
      obd_gauge_set_low_warning_threshold (gauge,
                                           setting_in_units (self, "voltage-low-warning", unit));
      obd_gauge_set_low_critical_threshold (gauge,
                                            setting_in_units (self, "voltage-low-critical", unit));
      obd_gauge_set_warning_threshold (gauge,
                                       setting_in_units (self, "voltage-high-warning", unit));
    }

  if (self->session != NULL)
    latest = obd_session_get_latest (self->session, pid, 0, NULL);
  obd_gauge_set_value (gauge, isfinite (latest) ? obd_unit_convert (unit, self->units, latest)
                                                : NAN);
}

static void
update_watched (ObdLivePage *self)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr(GArray) priorities = g_array_new (FALSE, FALSE, sizeof (guint));
  guint on_screen = gtk_widget_get_mapped (GTK_WIDGET (self)) ? PRIORITY_ON_SCREEN
                                                               : PRIORITY_HIDDEN;
  guint background = PRIORITY_ALERTS;

  if (self->session == NULL ||
      obd_session_get_state (self->session) != OBD_SESSION_STATE_CONNECTED)
    return;

  for (guint i = 0; i < self->dashboard->len; i++)
    {
      g_array_append_val (pids, g_array_index (self->dashboard, guint8, i));
      g_array_append_val (priorities, on_screen);
    }
  for (guint i = 0; i < G_N_ELEMENTS (alert_pids); i++)
    {
      if (!self->supported[alert_pids[i]] || find_pid (self->dashboard, alert_pids[i]) >= 0)
        continue;
      g_array_append_val (pids, alert_pids[i]);
      g_array_append_val (priorities, background);
    }

  obd_session_set_watched_pids (self->session, (const guint8 *) pids->data,
                                (const guint *) priorities->data, pids->len);
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
                                      obd_unit_get_symbol (meta->unit, self->units), NULL);
          self->has_series[pid] = TRUE;
        }
      obd_trend_chart_set_series_visible (self->chart, pid, self->in_chart[pid]);

      toggle = gtk_check_button_new_with_label (pid_short_label (pid));
      gtk_widget_set_tooltip_text (toggle, pid_label (pid));
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
  gtk_widget_set_tooltip_text (button, up ? _("Move Up") : _("Move Down"));
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
update_status (ObdLivePage *self)
{
  ObdSessionState state = self->session != NULL ? obd_session_get_state (self->session)
                                                 : OBD_SESSION_STATE_DISCONNECTED;

  if (state == OBD_SESSION_STATE_DISCONNECTED)
    {
      adw_status_page_set_icon_name (self->disconnected_page, "network-offline-symbolic");
      adw_status_page_set_title (self->disconnected_page, _("Not Connected"));
      adw_status_page_set_description (self->disconnected_page,
                                       _("Connect to a vehicle to see its live values."));
    }
  else if (state != OBD_SESSION_STATE_CONNECTED)
    {
      adw_status_page_set_icon_name (self->disconnected_page, "content-loading-symbolic");
      adw_status_page_set_title (self->disconnected_page, _("Connecting…"));
      adw_status_page_set_description (self->disconnected_page,
                                       obd_session_get_status_text (self->session));
    }
}

static void
update_link (ObdLivePage *self)
{
  g_autofree char *text = NULL;
  double rate = self->session != NULL ? obd_session_get_link_rate (self->session) : 0.0;

  /* Translators: link quality, values read per second */
  text = g_strdup_printf (_("%.1f values/s"), isfinite (rate) ? rate : 0.0);
  gtk_label_set_label (self->link_label, text);
}

static void
update_recording (ObdLivePage *self)
{
  gboolean connected = self->session != NULL &&
                       obd_session_get_state (self->session) == OBD_SESSION_STATE_CONNECTED;
  gboolean recording = self->session != NULL && obd_session_get_recording (self->session);
  gboolean has_store = self->session != NULL && obd_session_get_store (self->session) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "live.record",
                                 recording || (connected && has_store));
  adw_button_content_set_icon_name (self->record_content,
                                    recording ? "media-playback-stop-symbolic"
                                              : "media-record-symbolic");
  adw_button_content_set_label (self->record_content, recording ? _("_Stop") : _("_Record"));
  gtk_widget_set_tooltip_text (self->record_button,
                               !has_store ? _("Recording needs the local store, which is not open")
                               : recording ? _("Stop recording")
                               : _("Record every value read into the local store"));
  if (recording)
    gtk_widget_add_css_class (self->record_button, "destructive-action");
  else
    gtk_widget_remove_css_class (self->record_button, "destructive-action");

  gtk_widget_set_visible (GTK_WIDGET (self->record_label), recording);
  if (recording)
    {
      gint64 started = obd_session_get_recording_started (self->session);
      gint64 seconds = MAX (0, (g_get_real_time () - started) / G_USEC_PER_SEC);
      guint64 n = obd_session_get_recorded_samples (self->session);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%" G_GUINT64_FORMAT " sample",
                                                             "%" G_GUINT64_FORMAT " samples",
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
  gboolean recording = self->session != NULL && obd_session_get_recording (self->session);

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

  connected = self->session != NULL &&
              obd_session_get_state (self->session) == OBD_SESSION_STATE_CONNECTED;
  memset (self->supported, 0, sizeof self->supported);
  if (connected)
    {
      supported = obd_session_dup_supported_pids (self->session);
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
      gtk_flow_box_append (self->gauge_box, self->gauges[pid]);
      /* The gauge itself takes focus (and reads itself out); its flow box
       * child would be a second, silent stop. */
      gtk_widget_set_focusable (gtk_widget_get_parent (self->gauges[pid]), FALSE);
    }

  gtk_widget_set_visible (self->no_gauges_label, self->dashboard->len == 0);
  gtk_widget_set_visible (self->chart_section, self->dashboard->len > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pick_button), connected);

  sync_chart (self, FALSE);
  rebuild_picker (self);
  update_status (self);
  update_link (self);
  on_recording_changed_cb (self);
  update_watched (self);

  gtk_stack_set_visible_child_name (self->stack, connected ? "dashboard" : "disconnected");
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

static void
on_settings_changed_cb (GSettings   *settings,
                        const char  *key,
                        ObdLivePage *self)
{
  if (g_str_equal (key, "dashboard-pids"))
    queue_rebuild (self);
  else if (g_str_equal (key, "units"))
    {
      self->units = g_settings_get_enum (settings, "units") == 1 ? OBD_UNIT_SYSTEM_US
                                                                  : OBD_UNIT_SYSTEM_SI;
      /* Stored samples are in the old units: start the chart afresh. */
      sync_chart (self, TRUE);
      for (guint i = 0; i < self->dashboard->len; i++)
        {
          guint8 pid = g_array_index (self->dashboard, guint8, i);

          configure_gauge (self, OBD_GAUGE (self->gauges[pid]), pid);
        }
    }
  else if (g_str_equal (key, "chart-time-span-seconds"))
    obd_trend_chart_set_time_span (self->chart,
                                   (gint64) g_settings_get_uint (settings, key) * G_USEC_PER_SEC);
  else
    {
      for (guint i = 0; i < self->dashboard->len; i++)
        {
          guint8 pid = g_array_index (self->dashboard, guint8, i);

          configure_gauge (self, OBD_GAUGE (self->gauges[pid]), pid);
        }
    }
}

/* Samples ------------------------------------------------------------- */

static void
on_session_samples_cb (ObdLivePage *self,
                       GArray      *samples)
{
  gboolean seen[256] = { FALSE };

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
                              obd_unit_convert (meta->unit, self->units, sample->value));
    }

  for (guint i = 0; i < self->dashboard->len; i++)
    {
      guint8 pid = g_array_index (self->dashboard, guint8, i);
      const ObdValue *meta;
      double value;

      if (!seen[pid])
        continue;
      meta = obd_pid_get_value_info (pid, 0);
      value = obd_session_get_latest (self->session, pid, 0, NULL);
      if (isfinite (value))
        obd_gauge_set_value (OBD_GAUGE (self->gauges[pid]),
                             obd_unit_convert (meta->unit, self->units, value));
    }
}

/* Recording ----------------------------------------------------------- */

static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ObdLivePage *self = OBD_LIVE_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self->session == NULL)
    return;

  if (obd_session_get_recording (self->session))
    ok = obd_session_stop_recording (self->session, &error);
  else
    ok = obd_session_start_recording (self->session, &error);

  if (!ok)
    {
      /* Translators: %s says why */
      g_autofree char *text = g_strdup_printf (_("Could not record: %s"), error->message);

      show_toast (self, text);
    }
  on_recording_changed_cb (self);
}

/* GObject ------------------------------------------------------------- */

/* GTK 4.8: once the page has been taken out of its window, the action
 * helpers of its buttons believe the page's own actions are gone and stay
 * insensitive after it is put back; naming the action again makes them
 * look it up afresh. */
static void
reset_actionables (GtkWidget *widget)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    {
      g_autofree char *name = g_strdup (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (widget), NULL);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (widget), name);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    reset_actionables (child);
}

static void
obd_live_page_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (obd_live_page_parent_class)->root (widget);

  reset_actionables (widget);
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
obd_live_page_dispose (GObject *object)
{
  ObdLivePage *self = OBD_LIVE_PAGE (object);

  g_clear_handle_id (&self->rebuild_idle_id, g_source_remove);
  g_clear_handle_id (&self->elapsed_id, g_source_remove);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  /* The toast overlay is both a template child and AdwBin's child: take
   * it out of the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_LIVE_PAGE);

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
obd_live_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdLivePage *self = OBD_LIVE_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_live_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ObdLivePage *self = OBD_LIVE_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_live_page_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_live_page_class_init (ObdLivePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_live_page_dispose;
  object_class->finalize = obd_live_page_finalize;
  object_class->get_property = obd_live_page_get_property;
  object_class->set_property = obd_live_page_set_property;
  widget_class->root = obd_live_page_root;
  widget_class->map = obd_live_page_map;
  widget_class->unmap = obd_live_page_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         OBD_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "live.record", NULL, record_action);
  gtk_widget_class_install_action (widget_class, "live.move-up", "y", move_up_action);
  gtk_widget_class_install_action (widget_class, "live.move-down", "y", move_down_action);

  g_type_ensure (OBD_TYPE_TREND_CHART);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-live-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, toasts);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, pick_button);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, pick_popover);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, pick_list);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, record_content);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, record_button);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, record_label);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, link_label);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, disconnected_page);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, no_gauges_label);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, gauge_box);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, chart_section);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, chart_toggles);
  gtk_widget_class_bind_template_child (widget_class, ObdLivePage, chart);
}

static void
obd_live_page_init (ObdLivePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->dashboard = g_array_new (FALSE, FALSE, sizeof (guint8));
  self->settings = g_settings_new (SCHEMA_ID);
  self->units = g_settings_get_enum (self->settings, "units") == 1 ? OBD_UNIT_SYSTEM_US
                                                                    : OBD_UNIT_SYSTEM_SI;
  g_signal_connect (self->settings, "changed", G_CALLBACK (on_settings_changed_cb), self);
  obd_trend_chart_set_time_span (self->chart,
                                 (gint64) g_settings_get_uint (self->settings,
                                                               "chart-time-span-seconds")
                                 * G_USEC_PER_SEC);
  obd_trend_chart_set_live_follow (self->chart, TRUE);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "samples",
                                 G_CALLBACK (on_session_samples_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::state",
                                 G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::status-text",
                                 G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::link-rate",
                                 G_CALLBACK (update_link), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::recording",
                                 G_CALLBACK (on_recording_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::recorded-samples",
                                 G_CALLBACK (update_recording), self, G_CONNECT_SWAPPED);

  rebuild (self);
}

GtkWidget *
obd_live_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_LIVE_PAGE, "session", session, NULL);
}

ObdSession *
obd_live_page_get_session (ObdLivePage *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_PAGE (self), NULL);

  return self->session;
}

void
obd_live_page_set_session (ObdLivePage *self,
                           ObdSession  *session)
{
  g_return_if_fail (OBD_IS_LIVE_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  memset (self->chart_ecu_set, 0, sizeof self->chart_ecu_set);
  obd_trend_chart_clear (self->chart);
  g_signal_group_set_target (self->session_signals, session);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
