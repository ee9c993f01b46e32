/* obd-owner-page.c — one vehicle in plain language, for its owner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One big verdict (healthy / needs attention / stop driving), each problem
 * as a card saying what it means and what to do, and the services that are
 * due.  No codes to clear and no raw readings: an owner who wants those
 * goes to a workshop.  The verdict comes from the live check when the car
 * is connected, and from the recorded history otherwise.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"
#include "obd-maintenance.h"
#include "obd-app-resources.h"
#include "obd-owner-page.h"

#define SETTINGS_SCHEMA "io.github.obd2diagnostics.Workshop"

struct _ObdOwnerPage
{
  AdwBin           parent_instance;

  ObdSession      *session;
  GSignalGroup    *session_signals;
  gint64           vehicle_id;
  GSettings       *settings;
  ObdHealthStatus  status;

  GtkStack        *stack;
  GtkWidget       *status_box;
  GtkImage        *status_icon;
  GtkLabel        *status_title;
  GtkLabel        *status_words;
  GtkLabel        *source_label;
  GtkWidget       *problems_group;
  GtkBox          *problems_box;
  GtkWidget       *reminders_group;
  GtkListBox      *reminders_list;
};

G_DEFINE_FINAL_TYPE (ObdOwnerPage, obd_owner_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_VEHICLE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static ObdStore *
get_store (ObdOwnerPage *self)
{
  return self->session != NULL ? obd_session_get_store (self->session) : NULL;
}

static gint64
get_effective_vehicle_id (ObdOwnerPage *self)
{
  if (self->vehicle_id != 0)
    return self->vehicle_id;
  return self->session != NULL ? obd_session_get_vehicle_id (self->session) : 0;
}

/* The live check describes the car on the bench: use it only when the
 * page shows that car. */
static gboolean
is_live (ObdOwnerPage *self,
         gint64        vehicle_id)
{
  return self->session != NULL &&
         obd_session_get_state (self->session) == OBD_SESSION_STATE_CONNECTED &&
         obd_session_get_health (self->session) != NULL &&
         (vehicle_id == 0 || obd_session_get_vehicle_id (self->session) == vehicle_id);
}

static const char *
what_to_do (ObdHealthSeverity severity)
{
  switch (severity)
    {
    case OBD_HEALTH_SEVERITY_CRITICAL:
      /* The page's verdict says "Stop driving" only when the car is unsafe
       * now (a critical live alert, or a very low score); a serious stored
       * code on its own calls for a visit today, not a tow. */
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

/* Adds a problem for a trouble code, once per code. */
static void
add_code_problem (GPtrArray  *problems,
                  const char *code)
{
  ObdDtcInfo info;
  Problem *problem;

  for (guint i = 0; i < problems->len; i++)
    {
      Problem *p = g_ptr_array_index (problems, i);
      if (g_strcmp0 (p->code, code) == 0)
        return;
    }
  if (!obd_dtc_kb_lookup (code, &info, NULL))
    return;

  problem = g_new0 (Problem, 1);
  /* The knowledge base's severity scale is the health one (info, warning,
   * critical in the same order). */
  problem->severity = (ObdHealthSeverity) info.severity;
  problem->title = g_strdup (info.title);
  problem->meaning = g_strdup (info.explanation != NULL ? info.explanation : info.title);
  problem->code = g_strdup (code);
  g_ptr_array_add (problems, problem);
}

static int
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  const Problem *pa = *(const Problem * const *) a;
  const Problem *pb = *(const Problem * const *) b;

  return (int) pb->severity - (int) pa->severity;
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
problem_card_new (const Problem *problem)
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
  gtk_box_append (GTK_BOX (card), wrap_label (what_to_do (problem->severity), "obd-card-action"));
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
      icon = "dialog-error-symbolic";
      words = _("A serious problem was found. Driving on could damage the car or be unsafe.");
      break;
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      icon = "dialog-warning-symbolic";
      words = _("The car can be driven, but something should be looked at. See below "
                "what was found.");
      break;
    case OBD_HEALTH_STATUS_HEALTHY:
    default:
      icon = "emblem-ok-symbolic";
      words = _("No problems were found. Keep up the regular servicing.");
      break;
    }

  self->status = status;
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

static void
update_reminders (ObdOwnerPage          *self,
                  ObdStore              *store,
                  const ObdStoreVehicle *vehicle)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GtkWidget *child;
  GDate today;
  guint shown = 0;
  ObdUnitSystem units = self->settings != NULL
                        ? (ObdUnitSystem) g_settings_get_enum (self->settings, "units")
                        : OBD_UNIT_SYSTEM_SI;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->reminders_list))) != NULL)
    gtk_list_box_remove (self->reminders_list, child);

  items = obd_store_list_maintenance_items (store, vehicle->id, NULL);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (items, i);
      ObdServiceItem service = { 0 };
      ObdServiceForecast forecast;
      GtkWidget *row, *icon;
      g_autoptr(GString) subtitle = g_string_new (NULL);

      service.interval_km = (double) item->interval_km;
      service.interval_days = (guint) MAX (item->interval_days, 0);
      service.last_done_km = (double) item->last_done_km;
      g_date_clear (&service.last_done_date, 1);
      if (item->last_done_us > 0)
        {
          g_autoptr(GDateTime) done =
            g_date_time_new_from_unix_local (item->last_done_us / G_USEC_PER_SEC);
          g_date_set_dmy (&service.last_done_date, g_date_time_get_day_of_month (done),
                          g_date_time_get_month (done), g_date_time_get_year (done));
        }
      obd_service_forecast (&service, (double) vehicle->odometer_km, &today, NAN, &forecast);
      if (forecast.status != OBD_SERVICE_STATUS_DUE &&
          forecast.status != OBD_SERVICE_STATUS_OVERDUE)
        continue;

      if (forecast.status == OBD_SERVICE_STATUS_OVERDUE)
        g_string_append (subtitle, _("Overdue: book it now."));
      else
        g_string_append (subtitle, _("Due soon: book it at your convenience."));
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

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      icon = gtk_image_new_from_icon_name (forecast.status == OBD_SERVICE_STATUS_OVERDUE
                                           ? "dialog-warning-symbolic" : "alarm-symbolic");
      gtk_widget_add_css_class (icon, forecast.status == OBD_SERVICE_STATUS_OVERDUE
                                      ? "error" : "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->reminders_list, row);
      shown++;
    }

  if (shown == 0)
    {
      GtkWidget *label = wrap_label (_("No service is due."), "dim-label");

      gtk_widget_add_css_class (label, "obd-list-placeholder");
      gtk_list_box_append (self->reminders_list, label);
    }
}

void
obd_owner_page_reload (ObdOwnerPage *self)
{
  ObdStore *store;
  gint64 vehicle_id;
  gboolean live;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  g_autoptr(ObdHealthReport) stored = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  g_autoptr(GError) error = NULL;
  ObdHealthStatus status;
  gint64 last_check = 0;
  GtkWidget *child;

  g_return_if_fail (OBD_IS_OWNER_PAGE (self));

  store = get_store (self);
  vehicle_id = get_effective_vehicle_id (self);
  if (store == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }
  if (vehicle_id != 0)
    vehicle = obd_store_get_vehicle (store, vehicle_id, &error);
  if (vehicle == NULL)
    {
      if (error != NULL)
        g_warning ("Could not read vehicle %" G_GINT64_FORMAT ": %s", vehicle_id,
                   error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  live = is_live (self, vehicle_id);
  if (live)
    {
      const ObdSnapshot *snapshot = obd_session_get_snapshot (self->session);
      GPtrArray *alerts = obd_session_get_active_alerts (self->session);

      status = obd_session_get_health (self->session)->status;
      for (guint i = 0; alerts != NULL && i < alerts->len; i++)
        {
          const ObdAlertEvent *event = g_ptr_array_index (alerts, i);
          Problem *problem;

          if (event->severity == OBD_HEALTH_SEVERITY_INFO)
            continue;
          problem = g_new0 (Problem, 1);
          problem->severity = event->severity;
          problem->title = g_strdup (event->title);
          problem->meaning = g_strdup (event->message != NULL ? event->message : event->title);
          g_ptr_array_add (problems, problem);
        }
      for (guint i = 0; snapshot != NULL && snapshot->dtcs != NULL && i < snapshot->dtcs->len; i++)
        add_code_problem (problems, g_array_index (snapshot->dtcs, ObdDtc, i).code);
    }
  else
    {
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GPtrArray) sessions = NULL;

      stored = obd_diagnosis_evaluate_stored (store, vehicle_id, &error);
      if (stored == NULL)
        {
          g_warning ("Could not evaluate vehicle %" G_GINT64_FORMAT ": %s", vehicle_id,
                     error->message);
          g_clear_error (&error);
        }
      status = stored != NULL ? stored->status : OBD_HEALTH_STATUS_HEALTHY;

      events = obd_store_list_dtc_events (store, vehicle_id, FALSE, NULL);
      for (guint i = 0; events != NULL && i < events->len; i++)
        {
          const ObdStoreDtcEvent *event = g_ptr_array_index (events, i);

          add_code_problem (problems, event->code);
          last_check = MAX (last_check, event->last_seen_us);
        }
      sessions = obd_store_list_sessions (store, vehicle_id, NULL);
      if (sessions != NULL && sessions->len > 0)
        last_check = MAX (last_check,
                          ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->started_us);
    }
  g_ptr_array_sort (problems, compare_problems);

  update_status (self, status, live, last_check);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_box))) != NULL)
    gtk_box_remove (self->problems_box, child);
  for (guint i = 0; i < problems->len; i++)
    gtk_box_append (self->problems_box, problem_card_new (g_ptr_array_index (problems, i)));
  gtk_widget_set_visible (self->problems_group, problems->len > 0);

  update_reminders (self, store, vehicle);
  gtk_stack_set_visible_child_name (self->stack, "content");
}

ObdHealthStatus
obd_owner_page_get_status (ObdOwnerPage *self)
{
  g_return_val_if_fail (OBD_IS_OWNER_PAGE (self), OBD_HEALTH_STATUS_HEALTHY);

  return self->status;
}

/* GObject ------------------------------------------------------------- */

static void
on_session_changed_cb (ObdOwnerPage *self)
{
  obd_owner_page_reload (self);
}

static void
obd_owner_page_dispose (GObject *object)
{
  ObdOwnerPage *self = OBD_OWNER_PAGE (object);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  /* The stack is both a template child and AdwBin's child: take it out of
   * the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_OWNER_PAGE);

  G_OBJECT_CLASS (obd_owner_page_parent_class)->dispose (object);
}

static void
obd_owner_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdOwnerPage *self = OBD_OWNER_PAGE (object);

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
obd_owner_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdOwnerPage *self = OBD_OWNER_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_owner_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_VEHICLE_ID:
      obd_owner_page_set_vehicle_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_owner_page_class_init (ObdOwnerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_owner_page_dispose;
  object_class->get_property = obd_owner_page_get_property;
  object_class->set_property = obd_owner_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-owner-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_box);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_title);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, status_words);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, source_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, problems_group);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, problems_box);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, reminders_group);
  gtk_widget_class_bind_template_child (widget_class, ObdOwnerPage, reminders_list);
}

static void
obd_owner_page_init (ObdOwnerPage *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (SETTINGS_SCHEMA);
      g_signal_connect_object (self->settings, "changed::units",
                               G_CALLBACK (on_session_changed_cb), self, G_CONNECT_SWAPPED);
    }

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-id",
                                  G_CALLBACK (on_session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::health",
                                  G_CALLBACK (on_session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (on_session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "alert",
                                  G_CALLBACK (on_session_changed_cb), self);

  obd_owner_page_reload (self);
}

GtkWidget *
obd_owner_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_OWNER_PAGE, "session", session, NULL);
}

ObdSession *
obd_owner_page_get_session (ObdOwnerPage *self)
{
  g_return_val_if_fail (OBD_IS_OWNER_PAGE (self), NULL);

  return self->session;
}

void
obd_owner_page_set_session (ObdOwnerPage *self,
                            ObdSession   *session)
{
  g_return_if_fail (OBD_IS_OWNER_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  obd_owner_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gint64
obd_owner_page_get_vehicle_id (ObdOwnerPage *self)
{
  g_return_val_if_fail (OBD_IS_OWNER_PAGE (self), 0);

  return self->vehicle_id;
}

void
obd_owner_page_set_vehicle_id (ObdOwnerPage *self,
                               gint64        vehicle_id)
{
  g_return_if_fail (OBD_IS_OWNER_PAGE (self));
  g_return_if_fail (vehicle_id >= 0);

  if (self->vehicle_id == vehicle_id)
    return;
  self->vehicle_id = vehicle_id;
  obd_owner_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
}
