/* obd-readiness-page.c — readiness monitors and Mode 06 test results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Readiness comes from PID 01 (since codes were cleared) and PID 41 (this
 * drive cycle), SAE J1979 / ISO 15031-5; the test results from Mode 06,
 * which only CAN vehicles answer in the standard layout.
 */
#define G_LOG_DOMAIN "obd-readiness-page"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "obd-app-resources.h"
#include "obd-app-util.h"
#include "obd-pid.h"
#include "obd-readiness-page.h"
#include "obd-defer-bin.h"
#include "obd-row.h"

struct _ObdReadinessPage
{
  ObdPage              parent_instance;

  GCancellable        *cancellable;
  GPtrArray           *monitor_rows;   /* widgets added to monitors_group */
  GPtrArray           *unsupported_rows; /* widgets added to unsupported_group */
  guint                busy;

  /* The test groups still to show, one per idle (a car reports dozens of
   * tests: laying them all out at once stalls the window). */
  ObdSnapshot         *tests_snapshot;
  GPtrArray           *pending_groups; /* TestGroup, in order */
  GtkWidget           *groups_box;
  gboolean             several_ecus;
  ObdPace             *tests_pace;    /* adding a group of tests a frame */
  /* The parts of the snapshot the rows show (held, to compare) */
  GArray              *shown_readiness;
  GArray              *shown_cycle;
  GArray              *shown_monitors;
  double               shown_km;
  int                  shown_warmups;
  gboolean             shown_supported;

  /* Template widgets */
  GtkWidget        *refresh_button;
  GtkSpinner          *spinner;
  GtkStack            *stack;
  GtkLabel            *distance_label;
  GtkLabel            *warmups_label;
  AdwPreferencesGroup *monitors_group;
  AdwPreferencesGroup *unsupported_group;
  GtkBox              *tests_box;
};

G_DEFINE_FINAL_TYPE (ObdReadinessPage, obd_readiness_page, OBD_TYPE_PAGE)

/* Names of the monitors of PID 01 by the key stem of their
 * "<stem>_available" / "<stem>_complete" values (see obd-pid.c); spark and
 * compression ignition engines report different sets. */
static const struct
{
  const char *stem;
  const char *label;
} monitor_names[] = {
  { "misfire", N_("Misfire") },
  { "fuel_system", N_("Fuel system") },
  { "components", N_("Comprehensive components") },
  { "catalyst", N_("Catalyst") },
  { "heated_catalyst", N_("Heated catalyst") },
  { "evap", N_("Evaporative system") },
  { "secondary_air", N_("Secondary air system") },
  { "gpf", N_("Gasoline particulate filter") },
  { "o2_sensor", N_("Oxygen sensor") },
  { "o2_heater", N_("Oxygen sensor heater") },
  { "egr_vvt", N_("EGR and VVT system") },
  { "nmhc_catalyst", N_("NMHC catalyst") },
  { "nox_scr", N_("NOx aftertreatment") },
  { "boost_pressure", N_("Boost pressure") },
  { "exhaust_gas_sensor", N_("Exhaust gas sensor") },
  { "pm_filter", N_("Particulate filter") },
};

/* Helpers ------------------------------------------------------------- */

static ObdUnitSystem
get_unit_system (ObdReadinessPage *self)
{
  return obd_page_get_units (OBD_PAGE (self));
}

typedef enum
{
  STATE_GOOD,
  STATE_WAITING,
  STATE_BAD,
  STATE_NONE,
} State;

/* A status as an icon and a word, never by colour alone. */
static GtkWidget *
state_box_new (State       state,
               const char *word)
{
  static const char * const icons[] = {
    "emblem-ok-symbolic", "dialog-warning-symbolic", "dialog-error-symbolic",
    "action-unavailable-symbolic",
  };
  static const char * const tones[] = { "success", "warning", "error", "dim-label" };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icons[state]));
  gtk_box_append (GTK_BOX (box), gtk_label_new (word));
  gtk_widget_add_css_class (box, tones[state]);
  gtk_widget_add_css_class (box, "obd-status-word");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  return box;
}

static const ObdValue *
find_value (GArray     *values,
            const char *key)
{
  for (guint i = 0; values != NULL && i < values->len; i++)
    {
      const ObdValue *value = &g_array_index (values, ObdValue, i);

      if (value->key != NULL && g_str_equal (value->key, key))
        return value;
    }
  return NULL;
}

static const char *
monitor_label (const char     *stem,
               const ObdValue *available)
{
  for (guint i = 0; i < G_N_ELEMENTS (monitor_names); i++)
    if (g_str_equal (monitor_names[i].stem, stem))
      return _(monitor_names[i].label);
  /* A monitor added to the PID table after this page was written. */
  return obd_value_get_label (available);
}

/* Readiness ----------------------------------------------------------- */

static GtkWidget *
monitor_row_new (const ObdSnapshot *snapshot,
                 const ObdValue    *available,
                 const char        *stem)
{
  g_autofree char *complete_key = g_strconcat (stem, "_complete", NULL);
  g_autofree char *cycle_enabled_key = g_strconcat ("cycle_", stem, "_enabled", NULL);
  g_autofree char *cycle_complete_key = g_strconcat ("cycle_", stem, "_complete", NULL);
  const ObdValue *complete = find_value (snapshot->readiness, complete_key);
  const ObdValue *cycle_enabled = find_value (snapshot->readiness_cycle, cycle_enabled_key);
  const ObdValue *cycle_complete = find_value (snapshot->readiness_cycle, cycle_complete_key);
  GtkWidget *row = obd_row_new ();

  obd_row_set_title (OBD_ROW (row), monitor_label (stem, available));
  gtk_widget_add_css_class (row, "obd-monitor-row");

  if (available->value == 0.0)
    obd_row_add_suffix (OBD_ROW (row), state_box_new (STATE_NONE, C_("monitor", "Not supported")));
  else if (complete != NULL && complete->value != 0.0)
    obd_row_add_suffix (OBD_ROW (row), state_box_new (STATE_GOOD, C_("monitor", "Complete")));
  else
    obd_row_add_suffix (OBD_ROW (row), state_box_new (STATE_WAITING, C_("monitor", "Incomplete")));

  /* PID 41 says what happened in the drive cycle under way, which tells a
   * mechanic whether the drive just done was enough. */
  if (available->value != 0.0 && cycle_enabled != NULL)
    {
      const char *text;

      if (cycle_enabled->value == 0.0)
        text = _("This drive cycle: not enabled");
      else if (cycle_complete != NULL && cycle_complete->value != 0.0)
        text = _("This drive cycle: complete");
      else
        text = _("This drive cycle: incomplete");
      obd_row_set_subtitle (OBD_ROW (row), text);
    }

  return row;
}

static void
update_readiness (ObdReadinessPage *self,
                  const ObdSnapshot *snapshot)
{
  guint n_supported = 0, n_complete = 0;
  g_autofree char *description = NULL;
  ObdUnitSystem system = get_unit_system (self);

  for (guint i = 0; i < self->monitor_rows->len; i++)
    adw_preferences_group_remove (self->monitors_group, g_ptr_array_index (self->monitor_rows, i));
  g_ptr_array_set_size (self->monitor_rows, 0);
  for (guint i = 0; i < self->unsupported_rows->len; i++)
    adw_preferences_group_remove (self->unsupported_group,
                                  g_ptr_array_index (self->unsupported_rows, i));
  g_ptr_array_set_size (self->unsupported_rows, 0);

  for (guint i = 0; snapshot->readiness != NULL && i < snapshot->readiness->len; i++)
    {
      const ObdValue *value = &g_array_index (snapshot->readiness, ObdValue, i);
      g_autofree char *stem = NULL;
      g_autofree char *complete_key = NULL;
      const ObdValue *complete;
      GtkWidget *row;

      if (value->key == NULL || !g_str_has_suffix (value->key, "_available"))
        continue;

      stem = g_strndup (value->key, strlen (value->key) - strlen ("_available"));
      row = monitor_row_new (snapshot, value, stem);
      if (value->value == 0.0)
        {
          /* In a group of their own, after: they need no attention (and
           * the supported ones come a frame before them). */
          adw_preferences_group_add (self->unsupported_group, row);
          g_ptr_array_add (self->unsupported_rows, row);
          continue;
        }

      complete_key = g_strconcat (stem, "_complete", NULL);
      complete = find_value (snapshot->readiness, complete_key);
      n_supported++;
      if (complete != NULL && complete->value != 0.0)
        n_complete++;
      adw_preferences_group_add (self->monitors_group, row);
      g_ptr_array_add (self->monitor_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->unsupported_group), self->unsupported_rows->len > 0);

  if (self->monitor_rows->len == 0)
    {
      GtkWidget *row = obd_row_new ();

      if (self->unsupported_rows->len == 0)
        {
          obd_row_set_title (OBD_ROW (row), _("No readiness data"));
          obd_row_set_subtitle (OBD_ROW (row),
                                _("The vehicle did not report its monitor status."));
        }
      else
        {
          obd_row_set_title (OBD_ROW (row), _("No supported monitors"));
          obd_row_set_subtitle (OBD_ROW (row),
                                _("The vehicle reports every monitor as not supported."));
        }
      adw_preferences_group_add (self->monitors_group, row);
      g_ptr_array_add (self->monitor_rows, row);
      description = g_strdup (_("Every supported monitor must be complete before an "
                                "emissions inspection."));
    }
  else
    {
      /* Translators: first %u complete monitors, second %u supported ones */
      description = g_strdup_printf (ngettext ("%u of %u supported monitor complete. Every "
                                               "supported monitor must be complete before an "
                                               "emissions inspection.",
                                               "%u of %u supported monitors complete. Every "
                                               "supported monitor must be complete before an "
                                               "emissions inspection.",
                                               n_supported),
                                     n_complete, n_supported);
    }
  adw_preferences_group_set_description (self->monitors_group, description);

  if (isfinite (snapshot->km_since_clear))
    {
      double distance = obd_unit_convert (OBD_UNIT_KM, system, snapshot->km_since_clear);
      g_autofree char *text = g_strdup_printf ("%.0f %s", distance,
                                               obd_unit_get_symbol (OBD_UNIT_KM, system));

      gtk_label_set_label (self->distance_label, text);
    }
  else
    gtk_label_set_label (self->distance_label, C_("distance", "Unknown"));

  if (snapshot->warmups_since_clear >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", snapshot->warmups_since_clear);

      gtk_label_set_label (self->warmups_label, text);
    }
  else
    gtk_label_set_label (self->warmups_label, C_("count", "Unknown"));
}

/* Mode 06 ------------------------------------------------------------- */

/* Enough decimals for the largest of a value and its limits, the same for
 * all three so they line up. */
static guint
test_decimals (double value,
               double min,
               double max)
{
  double span = MAX (fabs (value), MAX (fabs (min), fabs (max)));

  if (span >= 1000.0)
    return 0;
  if (span >= 100.0)
    return 1;
  if (span >= 1.0)
    return 2;
  return 3;
}

static char *
test_subtitle (const ObdMonitorResult *result,
               ObdUnitSystem           system)
{
  double value = result->value, min = result->min, max = result->max;
  const char *symbol = result->unit_symbol != NULL ? result->unit_symbol : "";
  g_autofree char *value_text = NULL;
  g_autofree char *min_text = NULL;
  g_autofree char *max_text = NULL;
  guint decimals;

  if (result->unit != OBD_UNIT_NONE)
    {
      value = obd_unit_convert (result->unit, system, value);
      min = obd_unit_convert (result->unit, system, min);
      max = obd_unit_convert (result->unit, system, max);
      symbol = obd_unit_get_symbol (result->unit, system);
    }

  /* Counts (misfires) are whole numbers; so are raw values. */
  if (!result->known_uasid ||
      (value == round (value) && min == round (min) && max == round (max)))
    decimals = 0;
  else
    decimals = test_decimals (value, min, max);
  if (*symbol != '\0')
    {
      value_text = g_strdup_printf ("%.*f %s", decimals, value, symbol);
      min_text = g_strdup_printf ("%.*f", decimals, min);
      max_text = g_strdup_printf ("%.*f %s", decimals, max, symbol);
    }
  else
    {
      value_text = g_strdup_printf ("%.*f", decimals, value);
      min_text = g_strdup_printf ("%.*f", decimals, min);
      max_text = g_strdup_printf ("%.*f", decimals, max);
    }

  if (!result->known_uasid)
    /* Translators: a Mode 06 result whose unit the standard does not
     * define: value, lowest and highest limit as raw numbers */
    return g_strdup_printf (_("Raw value %s, limits %s to %s"), value_text, min_text, max_text);
  /* Translators: a Mode 06 result: value, lowest and highest limit */
  return g_strdup_printf (_("Value %s, limits %s to %s"), value_text, min_text, max_text);
}

static GtkWidget *
test_row_new (const ObdMonitorResult *result,
              ObdUnitSystem           system)
{
  GtkWidget *row = obd_row_new ();
  g_autofree char *subtitle = test_subtitle (result, system);

  obd_row_set_title (OBD_ROW (row), result->tid_name);
  obd_row_set_subtitle (OBD_ROW (row), subtitle);
  obd_row_add_suffix (OBD_ROW (row),
                      result->passed
                      ? state_box_new (STATE_GOOD, C_("test", "Passed"))
                      : state_box_new (STATE_BAD, C_("test", "Failed")));
  gtk_widget_add_css_class (row, result->passed ? "obd-test-passed" : "obd-test-failed");
  return row;
}

typedef struct
{
  guint32 ecu;
  guint8  mid;
  guint   first;     /* index of its first result, to keep the ECU's order */
  guint   n_failed;
  GArray *results;   /* of guint indices into snapshot->monitors */
} TestGroup;

static void
test_group_free (TestGroup *group)
{
  g_array_unref (group->results);
  g_free (group);
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const TestGroup *ga = *(const TestGroup * const *) a;
  const TestGroup *gb = *(const TestGroup * const *) b;

  if ((ga->n_failed > 0) != (gb->n_failed > 0))
    return ga->n_failed > 0 ? -1 : 1;
  return (ga->first > gb->first) - (ga->first < gb->first);
}

static void
stop_adding_tests (ObdReadinessPage *self)
{
  if (self->tests_pace != NULL)
    obd_pace_stop (self->tests_pace);
  g_clear_pointer (&self->tests_snapshot, obd_snapshot_free);
  g_clear_pointer (&self->pending_groups, g_ptr_array_unref);
  self->groups_box = NULL;
}

static gboolean
add_test_group_cb (gpointer data)
{
  ObdReadinessPage *self = data;
  TestGroup *test_group = g_ptr_array_steal_index (self->pending_groups, 0);
  const ObdMonitorResult *first = &g_array_index (self->tests_snapshot->monitors,
                                                   ObdMonitorResult, test_group->first);
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), first->mid_name);
  if (self->several_ecus && test_group->ecu != 0)
    {
      /* Translators: a control unit by its bus address in hexadecimal */
      g_autofree char *ecu = g_strdup_printf (_("Control unit %X"), test_group->ecu);

      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), ecu);
    }
  for (guint j = 0; j < test_group->results->len; j++)
    {
      guint index = g_array_index (test_group->results, guint, j);

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 test_row_new (&g_array_index (self->tests_snapshot->monitors,
                                                               ObdMonitorResult, index),
                                               get_unit_system (self)));
    }
  /* Below the monitors, out of the first screenful: laid out a frame
   * after the page shows when built while it was hidden. */
  gtk_box_append (GTK_BOX (self->groups_box), obd_defer_bin_new (group));
  test_group_free (test_group);

  if (self->pending_groups->len > 0)
    return G_SOURCE_CONTINUE;
  stop_adding_tests (self);
  return G_SOURCE_REMOVE;
}

static void
update_tests (ObdReadinessPage  *self,
              const ObdSnapshot *snapshot)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) test_group_free);
  gboolean several_ecus = FALSE;
  GtkWidget *child, *groups_box;

  stop_adding_tests (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tests_box))) != NULL)
    gtk_box_remove (self->tests_box, child);

  for (guint i = 0; snapshot->monitors != NULL && i < snapshot->monitors->len; i++)
    {
      const ObdMonitorResult *result = &g_array_index (snapshot->monitors, ObdMonitorResult, i);
      TestGroup *group = NULL;

      for (guint j = 0; j < groups->len && group == NULL; j++)
        {
          TestGroup *candidate = g_ptr_array_index (groups, j);

          if (candidate->ecu == result->ecu && candidate->mid == result->mid)
            group = candidate;
        }
      if (group == NULL)
        {
          group = g_new0 (TestGroup, 1);
          group->ecu = result->ecu;
          group->mid = result->mid;
          group->first = i;
          group->results = g_array_new (FALSE, FALSE, sizeof (guint));
          several_ecus |= groups->len > 0 &&
                          ((TestGroup *) g_ptr_array_index (groups, 0))->ecu != result->ecu;
          g_ptr_array_add (groups, group);
        }
      /* Failed tests first, each part in the order received. */
      if (!result->passed)
        {
          g_array_insert_val (group->results, group->n_failed, i);
          group->n_failed++;
        }
      else
        g_array_append_val (group->results, i);
    }
  g_ptr_array_sort (groups, compare_groups);

  if (!snapshot->monitors_supported || groups->len == 0)
    {
      GtkWidget *group = adw_preferences_group_new ();
      GtkWidget *row = obd_row_new ();

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group),
                                       _("On-Board Monitor Tests"));
      if (!snapshot->monitors_supported)
        {
          obd_row_set_title (OBD_ROW (row), _("Not available"));
          obd_row_set_subtitle (OBD_ROW (row),
                                _("This vehicle does not report test results in the "
                                  "standard form, which needs a CAN bus."));
        }
      else
        {
          obd_row_set_title (OBD_ROW (row), _("No test results"));
          obd_row_set_subtitle (OBD_ROW (row),
                                _("The monitors have not run since codes were cleared."));
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      gtk_box_append (self->tests_box, group);
      return;
    }

  {
    GtkWidget *heading = gtk_label_new (_("On-Board Monitor Tests"));
    GtkWidget *caption = gtk_label_new (_("The latest result of each test the control units "
                                          "ran, failed ones first."));
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

    gtk_label_set_xalign (GTK_LABEL (heading), 0);
    gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
    gtk_widget_add_css_class (heading, "title-3");
    gtk_label_set_xalign (GTK_LABEL (caption), 0);
    gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
    gtk_widget_add_css_class (caption, "dim-label");
    gtk_box_append (GTK_BOX (box), heading);
    gtk_box_append (GTK_BOX (box), caption);
    gtk_box_append (self->tests_box, box);
  }
  /* The heading sits closer to its groups than the groups to each other
   * (tests_box spaces its children by 12). */
  groups_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_box_append (self->tests_box, groups_box);

  /* The rest a group a frame, from a copy: the session's snapshot may
   * change meanwhile (and the page then starts again). */
  self->groups_box = groups_box;
  self->several_ecus = several_ecus;
  self->tests_snapshot = obd_snapshot_copy (snapshot);
  self->pending_groups = g_steal_pointer (&groups);
  if (self->tests_pace != NULL)
    obd_pace_start (self->tests_pace);
}

/* Page state ---------------------------------------------------------- */

static void
update_status (ObdReadinessPage *self)
{
  gboolean connected = obd_page_get_connected (OBD_PAGE (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "readiness.refresh",
                                 connected && self->busy == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
}

static void
set_shown (GArray **shown,
           GArray  *array)
{
  if (array != NULL)
    g_array_ref (array);
  g_clear_pointer (shown, g_array_unref);
  *shown = array;
}

static void
remember_shown (ObdReadinessPage  *self,
                const ObdSnapshot *snapshot)
{
  set_shown (&self->shown_readiness, snapshot != NULL ? snapshot->readiness : NULL);
  set_shown (&self->shown_cycle, snapshot != NULL ? snapshot->readiness_cycle : NULL);
  set_shown (&self->shown_monitors, snapshot != NULL ? snapshot->monitors : NULL);
  self->shown_km = snapshot != NULL ? snapshot->km_since_clear : NAN;
  self->shown_warmups = snapshot != NULL ? snapshot->warmups_since_clear : -1;
  self->shown_supported = snapshot != NULL && snapshot->monitors_supported;
}

/* Whether the rows already show these parts: the session replaces an
 * array when it reads that part again, so the same arrays are the same
 * readings. */
static gboolean
shows (ObdReadinessPage  *self,
       const ObdSnapshot *snapshot)
{
  return snapshot != NULL && self->shown_readiness != NULL &&
         snapshot->readiness == self->shown_readiness &&
         snapshot->readiness_cycle == self->shown_cycle &&
         snapshot->monitors == self->shown_monitors &&
         snapshot->warmups_since_clear == self->shown_warmups &&
         (snapshot->km_since_clear == self->shown_km ||
          (isnan (snapshot->km_since_clear) && isnan (self->shown_km))) &&
         snapshot->monitors_supported == self->shown_supported;
}

static void
rebuild (ObdReadinessPage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  const ObdSnapshot *snapshot = session != NULL ? obd_session_get_snapshot (session) : NULL;

  update_status (self);
  remember_shown (self, snapshot);
  if (snapshot == NULL)
    {
      stop_adding_tests (self);
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
      return;
    }

  update_readiness (self, snapshot);
  update_tests (self, snapshot);
  obd_defer_bin_show_stack_child (self->stack, "content");
}

/* The snapshot changes for other parts too (codes, the vehicle's
 * details): the rows are built again only when theirs did, or a page
 * built ahead and hidden would show new, unstyled rows when it shows. */
static void
on_snapshot_cb (ObdReadinessPage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  if (session != NULL && shows (self, obd_session_get_snapshot (session)))
    {
      update_status (self);
      return;
    }
  rebuild (self);
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ObdReadinessPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  /* The page was disposed meanwhile: nothing left to show it in. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!obd_session_refresh_finish (OBD_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    obd_page_report_error (OBD_PAGE (self), _("Could not read readiness"), error);
  update_status (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ObdReadinessPage *self = OBD_READINESS_PAGE (widget);
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  if (session == NULL)
    return;

  self->busy++;
  update_status (self);
  obd_session_refresh_async (session, OBD_SNAPSHOT_READINESS | OBD_SNAPSHOT_MONITORS,
                             self->cancellable, refresh_cb, g_object_ref (self));
}

/* GObject ------------------------------------------------------------- */

static void
obd_readiness_page_rebuild (ObdPage *page)
{
  rebuild (OBD_READINESS_PAGE (page));
}

/* What the rows say comes from the snapshot (rebuilt when it changes); a
 * connection that ends or begins changes only what can be done.  Rows
 * built again at every disconnect cost a frame for nothing. */
static void
obd_readiness_page_state_changed (ObdPage *page)
{
  update_status (OBD_READINESS_PAGE (page));
}

static void
obd_readiness_page_dispose (GObject *object)
{
  ObdReadinessPage *self = OBD_READINESS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  stop_adding_tests (self);
  g_clear_pointer (&self->tests_pace, obd_pace_free);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_READINESS_PAGE);

  G_OBJECT_CLASS (obd_readiness_page_parent_class)->dispose (object);
}

static void
obd_readiness_page_finalize (GObject *object)
{
  ObdReadinessPage *self = OBD_READINESS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->monitor_rows, g_ptr_array_unref);
  g_clear_pointer (&self->unsupported_rows, g_ptr_array_unref);
  remember_shown (self, NULL);

  G_OBJECT_CLASS (obd_readiness_page_parent_class)->finalize (object);
}

static void
obd_readiness_page_class_init (ObdReadinessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->dispose = obd_readiness_page_dispose;
  object_class->finalize = obd_readiness_page_finalize;
  page_class->disconnected_description = N_("Connect to a vehicle to read its readiness "
                                            "monitors.");
  page_class->session_changed = obd_readiness_page_rebuild;
  page_class->state_changed = obd_readiness_page_state_changed;
  page_class->units_changed = obd_readiness_page_rebuild;

  gtk_widget_class_install_action (widget_class, "readiness.refresh", NULL, refresh_action);

  g_type_ensure (OBD_TYPE_ROW);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-readiness-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, distance_label);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, warmups_label);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, monitors_group);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, unsupported_group);
  gtk_widget_class_bind_template_child (widget_class, ObdReadinessPage, tests_box);
}

static void
obd_readiness_page_init (ObdReadinessPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->tests_pace = obd_pace_new (GTK_WIDGET (self), G_PRIORITY_DEFAULT_IDLE, add_test_group_cb,
                                   self);

  self->monitor_rows = g_ptr_array_new ();
  self->unsupported_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  g_signal_group_connect_object (obd_page_get_session_signals (OBD_PAGE (self)),
                                 "notify::snapshot", G_CALLBACK (on_snapshot_cb), self,
                                 G_CONNECT_SWAPPED);
}

GtkWidget *
obd_readiness_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_READINESS_PAGE, "session", session, NULL);
}
