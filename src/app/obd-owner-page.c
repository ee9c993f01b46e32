/* obd-owner-page.c — one vehicle in plain language, for its owner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One big verdict (healthy / needs attention / stop driving), each problem
 * as a card saying what it means and what to do, and the services that are
 * due.  No codes to clear and no raw readings: an owner who wants those
 * goes to a workshop.  The verdict comes from the live check when the car
 * is connected, and from the recorded history otherwise; what the store
 * and the trouble-code knowledge base say is read on the store's thread.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-app-resources.h"
#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"
#include "obd-health-view.h"
#include "obd-guides.h"
#include "obd-item-row.h"
#include "obd-maintenance.h"
#include "obd-owner-page.h"
#include "obd-service-plan.h"

struct _ObdOwnerPage
{
  ObdPage          parent_instance;

  ObdHealthStatus  status;
  GListStore      *reminders;      /* ObdRowItem */

  GtkStack        *stack;
  AdwStatusPage   *unavailable_page;
  GtkWidget       *status_box;
  GtkImage        *status_icon;
  GtkLabel        *status_title;
  GtkLabel        *status_words;
  GtkLabel        *source_label;
  GtkWidget       *problems_group;
  GtkBox          *problems_box;
  GtkWidget       *reminders_group;
  GtkListBox      *reminders_list;
  GtkWidget       *checks_group;
  GtkListBox      *checks_list;
  GStrv            check_codes;    /* the codes of the problems shown */
};

G_DEFINE_FINAL_TYPE (ObdOwnerPage, obd_owner_page, OBD_TYPE_PAGE)

/* One thing to tell the owner about. */
typedef struct
{
  ObdHealthSeverity  severity;
  char              *title;
  char              *meaning;
  char              *code;      /* for the workshop, NULL for live alerts */
} Problem;

static void
problem_free (Problem *problem)
{
  g_free (problem->title);
  g_free (problem->meaning);
  g_free (problem->code);
  g_free (problem);
}

/* The live check describes the car on the bench: use it only when the
 * page shows that car. */
static gboolean
is_live (ObdOwnerPage *self,
         gint64        vehicle_id)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  return session != NULL && obd_page_get_connected (OBD_PAGE (self)) &&
         obd_session_get_health (session) != NULL &&
         (vehicle_id == 0 || obd_session_get_vehicle_id (session) == vehicle_id);
}

/* What to do follows the one verdict: beside "Stop driving" no card may
 * say the car can be driven gently, and a serious item on its own (the
 * verdict "Needs attention") calls for a visit today, not a tow. */
static const char *
what_to_do (ObdHealthSeverity severity,
            ObdHealthStatus   status)
{
  switch (severity)
    {
    case OBD_HEALTH_SEVERITY_CRITICAL:
      if (status == OBD_HEALTH_STATUS_STOP_DRIVING)
        return _("Stop as soon as it is safe and switch the engine off. Have the car checked "
                 "before driving on.");
      return _("Have it checked today. Drive only if you must, gently, and stop if the "
               "warning light flashes or the engine runs badly.");
    case OBD_HEALTH_SEVERITY_WARNING:
      return _("Book a workshop visit soon.");
    case OBD_HEALTH_SEVERITY_INFO:
    default:
      return _("Mention it at the next service.");
    }
}

static const char *
severity_words (ObdHealthSeverity severity)
{
  switch (severity)
    {
    case OBD_HEALTH_SEVERITY_CRITICAL:
      return _("Urgent");
    case OBD_HEALTH_SEVERITY_WARNING:
      return _("Soon");
    case OBD_HEALTH_SEVERITY_INFO:
    default:
      return _("Minor");
    }
}

static const char *
severity_css (ObdHealthSeverity severity)
{
  switch (severity)
    {
    case OBD_HEALTH_SEVERITY_CRITICAL:
      return "error";
    case OBD_HEALTH_SEVERITY_WARNING:
      return "warning";
    case OBD_HEALTH_SEVERITY_INFO:
    default:
      return "accent";
    }
}

static Problem *
problem_new (ObdHealthSeverity  severity,
             const char        *title,
             const char        *meaning,
             const char        *code)
{
  Problem *problem = g_new0 (Problem, 1);

  problem->severity = severity;
  problem->title = g_strdup (title);
  problem->meaning = g_strdup (meaning != NULL ? meaning : title);
  problem->code = g_strdup (code);
  return problem;
}

/* The live alert on a reading, for its owner-friendly message. */
static const ObdAlertEvent *
find_alert (GPtrArray  *alerts,
            const char *key)
{
  const ObdAlertEvent *found = NULL;

  for (guint i = 0; alerts != NULL && key != NULL && i < alerts->len; i++)
    {
      const ObdAlertEvent *event = g_ptr_array_index (alerts, i);

      if (g_strcmp0 (event->key, key) == 0 && (found == NULL || event->severity > found->severity))
        found = event;
    }
  return found;
}

/* A card for every item of the one health report that counts (the notes
 * worth no points, such as monitors reset by a clear, are the
 * mechanic's), in the report's order: what the owner reads is what the
 * score was made of.  alerts (nullable) are the live ones, for their
 * messages. */
static GPtrArray *
problems_from_report (const ObdHealthReport *report,
                      GPtrArray             *alerts)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);

  for (guint i = 0; i < report->deductions->len; i++)
    {
      const ObdHealthDeduction *d = &g_array_index (report->deductions, ObdHealthDeduction, i);
      const ObdAlertEvent *alert;
      ObdDtcInfo info;

      if (d->points <= 0.0)
        continue;
      switch (d->kind)
        {
        case OBD_HEALTH_ITEM_CODE:
          if (d->subject != NULL && obd_dtc_kb_lookup (d->subject, &info, NULL))
            g_ptr_array_add (problems, problem_new (d->severity, info.title, info.explanation,
                                                    d->subject));
          else
            g_ptr_array_add (problems, problem_new (d->severity, d->reason, NULL, d->subject));
          break;
        case OBD_HEALTH_ITEM_ALERT:
          alert = find_alert (alerts, d->subject);
          g_ptr_array_add (problems,
                           problem_new (d->severity, alert != NULL ? alert->title : d->reason,
                                        alert != NULL ? alert->message : NULL, NULL));
          break;
        case OBD_HEALTH_ITEM_TEST:
          g_ptr_array_add (problems,
                           problem_new (d->severity, _("A self-test of the car failed"),
                                        _("The engine computer tests parts of the engine and "
                                          "the exhaust system as you drive, and one did not "
                                          "pass. A workshop can tell which part it means."),
                                        NULL));
          break;
        case OBD_HEALTH_ITEM_READINESS:
          g_ptr_array_add (problems,
                           problem_new (d->severity, _("The car’s self-checks are not finished"),
                                        _("The car has not finished checking all of its "
                                          "systems since its computer was last reset. That is "
                                          "normal for a few days after a repair or a battery "
                                          "change; if it lasts, an inspection may fail."),
                                        NULL));
          break;
        case OBD_HEALTH_ITEM_TREND:
        default:
          g_ptr_array_add (problems,
                           problem_new (d->severity, _("A reading is slowly changing"),
                                        d->reason, NULL));
          break;
        }
    }
  return problems;
}

static const char *
severity_card_css (ObdHealthSeverity severity)
{
  switch (severity)
    {
    case OBD_HEALTH_SEVERITY_CRITICAL:
      return "obd-critical";
    case OBD_HEALTH_SEVERITY_WARNING:
      return "obd-warning";
    case OBD_HEALTH_SEVERITY_INFO:
    default:
      return "obd-info";
    }
}

static GtkWidget *
wrap_label (const char *text,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
problem_card_new (const Problem   *problem,
                  ObdHealthStatus  status)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = wrap_label (problem->title, "heading");
  GtkWidget *pill = gtk_label_new (severity_words (problem->severity));

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "obd-problem-card");
  gtk_widget_add_css_class (card, severity_card_css (problem->severity));
  gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  problem->title, -1);

  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (head), title);
  gtk_widget_set_valign (pill, GTK_ALIGN_START);
  gtk_widget_add_css_class (pill, "obd-status-pill");
  gtk_widget_add_css_class (pill, severity_css (problem->severity));
  gtk_box_append (GTK_BOX (head), pill);
  gtk_box_append (GTK_BOX (card), head);

  gtk_box_append (GTK_BOX (card), wrap_label (_("What it means"), "obd-card-caption"));
  gtk_box_append (GTK_BOX (card), wrap_label (problem->meaning, NULL));
  gtk_box_append (GTK_BOX (card), wrap_label (_("What to do"), "obd-card-caption"));
  gtk_box_append (GTK_BOX (card), wrap_label (what_to_do (problem->severity, status),
                                                 "obd-card-action"));
  if (problem->code != NULL)
    {
      /* Translators: the trouble code, for the owner to quote to a workshop */
      g_autofree char *text = g_strdup_printf (_("Code for your workshop: %s"), problem->code);
      GtkWidget *code = wrap_label (text, "caption");

      gtk_widget_add_css_class (code, "dim-label");
      gtk_widget_set_margin_top (code, 6);
      gtk_box_append (GTK_BOX (card), code);
    }
  return card;
}

static void
update_status (ObdOwnerPage    *self,
               ObdHealthStatus  status,
               gboolean         live,
               gint64           last_check_us)
{
  static const char *classes[] = { "obd-healthy", "obd-attention", "obd-stop" };
  const char *icon, *words;
  g_autofree char *source = NULL;

  switch (status)
    {
    case OBD_HEALTH_STATUS_STOP_DRIVING:
      words = _("A serious problem was found. Driving on could damage the car or be unsafe.");
      break;
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      words = _("The car can be driven, but something should be looked at. See below "
                "what was found.");
      break;
    case OBD_HEALTH_STATUS_HEALTHY:
    default:
      words = _("No problems were found. Keep up the regular servicing.");
      break;
    }

  self->status = status;
  icon = obd_health_view_status_icon (status);
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_label_set_label (self->status_title, obd_health_status_get_label (status));
  gtk_label_set_label (self->status_words, words);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->status_box, classes[i]);
  gtk_widget_add_css_class (self->status_box, classes[MIN ((guint) status, 2u)]);

  if (live)
    source = g_strdup (_("From the check of the car just now."));
  else if (last_check_us > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (last_check_us /
                                                                 G_USEC_PER_SEC);
      /* Translators: a date as in "12 Mar 2024"; see g_date_time_format() */
      g_autofree char *date = g_date_time_format (dt, _("%-d %b %Y"));

      source = g_strdup_printf (_("From the last check, on %s."), date);
    }
  else
    source = g_strdup (_("From what is recorded about the car."));
  gtk_label_set_label (self->source_label, source);

  /* Screen readers get the verdict as the group's name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  obd_health_status_get_label (status),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, words, -1);
}

/* Reading, on the store's thread ----------------------------------------- */

typedef struct
{
  gint64            vehicle_id;
  gboolean          live;          /* the session's report is shown */
  ObdUnitSystem     units;

  /* The answer */
  ObdHealthStatus   stored_status;
  GPtrArray        *problems;      /* Problem, from the stored report */
  gint64            last_check;
  GPtrArray        *reminders;     /* ObdRowItem */
} OwnerLoad;

static void
owner_load_free (gpointer data)
{
  OwnerLoad *load = data;

  g_clear_pointer (&load->problems, g_ptr_array_unref);
  g_clear_pointer (&load->reminders, g_ptr_array_unref);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OwnerLoad, owner_load_free)

/* The vehicle page's forecast (obd_service_plan, with the odometer
 * history), so the owner and the mechanic see the same items due. */
static ObdRowItem *
reminder_new (const ObdServicePlan          *plan,
              const ObdStoreMaintenanceItem *item,
              ObdUnitSystem                  units)
{
  ObdServiceForecast forecast;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  gboolean overdue;
  ObdRowItem *row;

  obd_service_plan_forecast (plan, item, g_get_real_time (), &forecast);
  if (forecast.status != OBD_SERVICE_STATUS_DUE && forecast.status != OBD_SERVICE_STATUS_OVERDUE)
    return NULL;

  overdue = forecast.status == OBD_SERVICE_STATUS_OVERDUE;
  g_string_append (subtitle, overdue ? _("Overdue: book it now.")
                                     : _("Due soon: book it at your convenience."));
  if (forecast.by_distance)
    {
      double left = obd_unit_convert (OBD_UNIT_KM, units, fabs (forecast.remaining_km));
      const char *unit = obd_unit_get_symbol (OBD_UNIT_KM, units);

      g_string_append_c (subtitle, ' ');
      if (forecast.remaining_km < 0)
        /* Translators: "3,000 km ago" */
        g_string_append_printf (subtitle, _("It was due %'.0f %s ago."), left, unit);
      else
        /* Translators: "in 300 km" */
        g_string_append_printf (subtitle, _("It is due in %'.0f %s."), left, unit);
    }

  row = obd_row_item_new (item->id, item->title, subtitle->str);
  g_object_set (row,
                "subtitle-lines", 0,
                "badge", obd_service_status_get_label (forecast.status),
                "badge-class", overdue ? "error" : "warning",
                NULL);
  return row;
}

static gpointer
owner_load_job (ObdStore      *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  const OwnerLoad *asked = data;
  g_autoptr(OwnerLoad) load = g_new0 (OwnerLoad, 1);
  g_autoptr(ObdServicePlan) plan = NULL;

  load->vehicle_id = asked->vehicle_id;
  load->live = asked->live;
  load->units = asked->units;
  plan = obd_service_plan_load (store, load->vehicle_id, error);
  if (plan == NULL)
    return NULL;
  load->reminders = g_ptr_array_new_with_free_func (g_object_unref);
  load->stored_status = OBD_HEALTH_STATUS_HEALTHY;

  /* Not connected to this car: the report from its recorded history, as
   * the fleet list shows it. */
  if (!load->live)
    {
      g_autoptr(ObdHealthReport) stored = NULL;
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GPtrArray) sessions = NULL;

      stored = obd_diagnosis_evaluate_stored (store, load->vehicle_id, error);
      events = stored != NULL ? obd_store_list_dtc_events (store, load->vehicle_id, FALSE, error)
                              : NULL;
      sessions = events != NULL ? obd_store_list_sessions (store, load->vehicle_id, error) : NULL;
      if (sessions == NULL)
        return NULL;
      load->stored_status = stored->status;
      load->problems = problems_from_report (stored, NULL);
      for (guint i = 0; i < events->len; i++)
        load->last_check = MAX (load->last_check,
                                ((ObdStoreDtcEvent *) g_ptr_array_index (events, i))->last_seen_us);
      if (sessions->len > 0)
        load->last_check = MAX (load->last_check,
                                ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->started_us);
    }

  for (guint i = 0; i < plan->items->len; i++)
    {
      ObdRowItem *row = reminder_new (plan, g_ptr_array_index (plan->items, i), load->units);

      if (row != NULL)
        g_ptr_array_add (load->reminders, row);
    }
  return g_steal_pointer (&load);
}

/* What the workshop should check: for each code, the guide a workshop
 * follows (starting it shows its steps), what it may cost in labour. */
static void
update_checks (ObdOwnerPage *self)
{
  ObdGuideLibrary *library = obd_guides_peek ();
  GtkWidget *child;
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->checks_list))) != NULL)
    gtk_list_box_remove (self->checks_list, child);
  for (guint i = 0; library != NULL && self->check_codes != NULL && self->check_codes[i] != NULL;
       i++)
    {
      g_autoptr(GPtrArray) guides = obd_guide_library_find_for_code (library,
                                                                     self->check_codes[i]);
      ObdGuide *guide;
      GtkWidget *row, *arrow;
      g_autofree char *labour = NULL;
      g_autofree char *subtitle = NULL;

      if (guides->len == 0 || g_hash_table_contains (seen, obd_guide_get_id (
                                                       g_ptr_array_index (guides, 0))))
        continue;
      guide = g_ptr_array_index (guides, 0);
      g_hash_table_add (seen, (gpointer) obd_guide_get_id (guide));
      labour = obd_guides_describe_labour (guide);
      /* Translators: %s is a trouble code; then what the repair may take */
      subtitle = g_strdup_printf (_("For code %s. %s"), self->check_codes[i],
                                  labour != NULL ? labour : "");
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     obd_guide_gettext (obd_guide_get_title (guide)));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), g_strchomp (subtitle));
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
      g_object_set_data_full (G_OBJECT (row), "obd-guide", g_strdup (obd_guide_get_id (guide)),
                              g_free);
      g_object_set_data_full (G_OBJECT (row), "obd-reason",
                              g_strdup_printf ("code:%s", self->check_codes[i]), g_free);
      gtk_list_box_append (self->checks_list, row);
      n++;
    }
  g_hash_table_unref (seen);
  gtk_widget_set_visible (self->checks_group, n > 0);
}

static void
on_guides_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(ObdGuideLibrary) library = obd_guides_load_finish (result, NULL);
  g_autoptr(ObdOwnerPage) self = g_weak_ref_get (data);

  g_weak_ref_clear (data);
  g_free (data);
  if (library != NULL && self != NULL)
    update_checks (self);
}

static void
on_checks_list_row_activated_cb (ObdOwnerPage  *self,
                                 GtkListBoxRow *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "repair.start-guide", "(ss)",
                              g_object_get_data (G_OBJECT (row), "obd-guide"),
                              g_object_get_data (G_OBJECT (row), "obd-reason"));
}

static void
on_loaded_cb (ObdPage      *page,
              gpointer      result,
              const GError *error,
              gpointer      user_data)
{
  ObdOwnerPage *self = OBD_OWNER_PAGE (page);
  OwnerLoad *load = result;
  ObdSession *session = obd_page_get_session (page);
  g_autoptr(GPtrArray) live_problems = NULL;
  GPtrArray *problems;
  ObdHealthStatus status;
  GtkWidget *child;

  if (load == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND))
        {
          gtk_stack_set_visible_child_name (self->stack, "empty");
          return;
        }
      text = obd_page_describe_error (_("What is known about the car cannot be shown"), error);
      adw_status_page_set_description (self->unavailable_page, text);
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }

  /* The session's report if the car is still the one checked (the
   * overview shows the same), else the store's. */
  if (load->live && is_live (self, load->vehicle_id))
    {
      const ObdHealthReport *report = obd_session_get_health (session);

      status = report->status;
      live_problems = problems_from_report (report, obd_session_get_active_alerts (session));
      problems = live_problems;
    }
  else if (load->live)
    {
      /* The car went between the question and the answer: ask again. */
      obd_owner_page_reload (self);
      return;
    }
  else
    {
      status = load->stored_status;
      problems = load->problems;
    }

  update_status (self, status, load->live, load->last_check);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_box))) != NULL)
    gtk_box_remove (self->problems_box, child);
  for (guint i = 0; i < problems->len; i++)
    gtk_box_append (self->problems_box, problem_card_new (g_ptr_array_index (problems, i),
                                                          status));
  gtk_widget_set_visible (self->problems_group, problems->len > 0);

  obd_page_fill_model (OBD_PAGE (self), self->reminders, load->reminders);

  {
    g_autoptr(GStrvBuilder) codes = g_strv_builder_new ();

    for (guint i = 0; i < problems->len; i++)
      if (((Problem *) g_ptr_array_index (problems, i))->code != NULL)
        g_strv_builder_add (codes, ((Problem *) g_ptr_array_index (problems, i))->code);
    g_strfreev (self->check_codes);
    self->check_codes = g_strv_builder_end (codes);
  }
  if (obd_guides_peek () != NULL)
    update_checks (self);
  else
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      obd_guides_load_async (NULL, on_guides_loaded_cb, ref);
    }
  gtk_stack_set_visible_child_name (self->stack, "content");
}

void
obd_owner_page_reload (ObdOwnerPage *self)
{
  OwnerLoad *load;
  gint64 vehicle_id;

  g_return_if_fail (OBD_IS_OWNER_PAGE (self));

  vehicle_id = obd_page_get_shown_vehicle_id (OBD_PAGE (self));
  if (obd_page_get_store (OBD_PAGE (self)) == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                                     _("There is no local history."));

      on_loaded_cb (OBD_PAGE (self), NULL, error, NULL);
      return;
    }
  if (vehicle_id == 0)
    {
      obd_page_cancel_load (OBD_PAGE (self), "owner");
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  load = g_new0 (OwnerLoad, 1);
  load->vehicle_id = vehicle_id;
  load->units = obd_page_get_units (OBD_PAGE (self));
  load->live = is_live (self, vehicle_id);
  obd_page_load (OBD_PAGE (self), "owner", owner_load_job, load, owner_load_free,
                 owner_load_free, G_PRIORITY_HIGH, on_loaded_cb, NULL);
}

ObdHealthStatus
obd_owner_page_get_status (ObdOwnerPage *self)
{
  g_return_val_if_fail (OBD_IS_OWNER_PAGE (self), OBD_HEALTH_STATUS_HEALTHY);

  return self->status;
}

/* GObject ------------------------------------------------------------- */

static void
obd_owner_page_reload_vfunc (ObdPage *page)
{
  obd_owner_page_reload (OBD_OWNER_PAGE (page));
}

static void
obd_owner_page_store_changed (ObdPage    *page,
                              const char *what,
                              gint64      vehicle_id)
{
  if (!g_str_equal (what, "note"))
    obd_owner_page_reload (OBD_OWNER_PAGE (page));
}

static void
obd_owner_page_dispose (GObject *object)
{
  ObdOwnerPage *self = OBD_OWNER_PAGE (object);

  if (self->reminders_list != NULL)
    gtk_list_box_bind_model (self->reminders_list, NULL, NULL, NULL, NULL);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_OWNER_PAGE);

  G_OBJECT_CLASS (obd_owner_page_parent_class)->dispose (object);
}

static void
obd_owner_page_finalize (GObject *object)
{
  ObdOwnerPage *self = OBD_OWNER_PAGE (object);

  g_clear_object (&self->reminders);
  g_strfreev (self->check_codes);

  G_OBJECT_CLASS (obd_owner_page_parent_class)->finalize (object);
}

static void
obd_owner_page_class_init (ObdOwnerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->dispose = obd_owner_page_dispose;
  object_class->finalize = obd_owner_page_finalize;
  page_class->vehicle_changed = obd_owner_page_reload_vfunc;
  page_class->units_changed = obd_owner_page_reload_vfunc;
  page_class->state_changed = obd_owner_page_reload_vfunc;
  page_class->store_changed = obd_owner_page_store_changed;

  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-owner-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_box);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_title);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_words);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, source_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, problems_group);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, problems_box);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, reminders_group);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, reminders_list);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, checks_group);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, checks_list);
  gtk_widget_class_bind_template_callback (widget_class, on_checks_list_row_activated_cb);
}

static void
obd_owner_page_init (ObdOwnerPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->reminders = g_list_store_new (OBD_TYPE_ROW_ITEM);
  gtk_list_box_bind_model (self->reminders_list, G_LIST_MODEL (self->reminders),
                           obd_item_row_new, NULL, NULL);

  signals = obd_page_get_session_signals (OBD_PAGE (self));
  g_signal_group_connect_object (signals, "notify::health", G_CALLBACK (obd_owner_page_reload),
                                 self, G_CONNECT_SWAPPED);
}

GtkWidget *
obd_owner_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_OWNER_PAGE, "session", session, NULL);
}
