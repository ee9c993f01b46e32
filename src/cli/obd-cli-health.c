/* obd-cli-health.c — judgement commands: health and maintenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both only present what src/diag and src/health decide, so the command
 * line and the application never disagree about a vehicle.
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-diagnosis.h"
#include "obd-maintenance.h"
#include "obd-service-plan.h"
#include "obd-snapshot.h"

/* ---- health ------------------------------------------------------------ */

static const char *
item_kind_get_key (ObdHealthItemKind kind)
{
  switch (kind)
    {
    case OBD_HEALTH_ITEM_CODE:
      return "code";
    case OBD_HEALTH_ITEM_TEST:
      return "test";
    case OBD_HEALTH_ITEM_ALERT:
      return "alert";
    case OBD_HEALTH_ITEM_READINESS:
      return "readiness";
    case OBD_HEALTH_ITEM_TREND:
      return "trend";
    default:
      return "?";
    }
}

static void
print_health_json (const ObdHealthReport *report,
                   const char            *vin,
                   gint64                 vehicle_id,
                   gint64                 session_id,
                   GPtrArray             *trends)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *explanation = obd_health_report_explain (report);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vehicle");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vin");
  json_builder_add_string_value (builder, vin);
  if (vehicle_id != 0)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, vehicle_id);
    }
  json_builder_end_object (builder);
  if (session_id != 0)
    {
      json_builder_set_member_name (builder, "session");
      json_builder_add_int_value (builder, session_id);
    }
  json_builder_set_member_name (builder, "score");
  json_builder_add_double_value (builder, report->vehicle_score);
  /* The score as every view shows it (obd_health_score_round). */
  json_builder_set_member_name (builder, "score_shown");
  json_builder_add_int_value (builder, obd_health_score_round (report->vehicle_score));
  json_builder_set_member_name (builder, "weighted_mean");
  json_builder_add_double_value (builder, report->weighted_mean);
  json_builder_set_member_name (builder, "worst_system");
  json_builder_add_string_value (builder, obd_health_system_get_key (report->worst_system));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, obd_health_status_get_key (report->status));
  json_builder_set_member_name (builder, "status_label");
  json_builder_add_string_value (builder, obd_health_status_get_label (report->status));

  json_builder_set_member_name (builder, "systems");
  json_builder_begin_object (builder);
  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    {
      json_builder_set_member_name (builder, obd_health_system_get_key ((ObdHealthSystem) s));
      json_builder_add_double_value (builder, report->system_scores[s]);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "deductions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->deductions->len; i++)
    {
      const ObdHealthDeduction *d = &g_array_index (report->deductions, ObdHealthDeduction, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "system");
      json_builder_add_string_value (builder, obd_health_system_get_key (d->system));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, item_kind_get_key (d->kind));
      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder, obd_severity_get_key (d->severity));
      json_builder_set_member_name (builder, "confirmed");
      json_builder_add_boolean_value (builder, d->confirmed);
      json_builder_set_member_name (builder, "points");
      json_builder_add_double_value (builder, d->points);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, d->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (trends != NULL)
    {
      json_builder_set_member_name (builder, "trends");
      json_builder_begin_array (builder);
      for (guint i = 0; i < trends->len; i++)
        {
          const ObdTrendResult *trend = g_ptr_array_index (trends, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, trend->key);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, obd_trend_kind_get_key (trend->kind));
          json_builder_set_member_name (builder, "sessions");
          json_builder_add_int_value (builder, trend->n_points);
          json_builder_set_member_name (builder, "slope_per_day");
          json_builder_add_double_value (builder, trend->slope_per_day);
          json_builder_set_member_name (builder, "explanation");
          json_builder_add_string_value (builder, trend->explanation);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "explanation");
  json_builder_add_string_value (builder, explanation);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  obd_cli_print_json (root, TRUE);
}

int
obd_cli_cmd_health (ObdCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *vehicle_name = NULL;
  g_autofree char *watch_text = NULL;
  double watch = 0;
  GOptionEntry entries[] = {
    { "vehicle", 0, 0, G_OPTION_ARG_STRING, &vehicle_name,
      N_("Judge a vehicle of the store (id, VIN or UUID) by its recorded trouble codes, "
         "without connecting"), "ID" },
    { "watch", 'w', 0, G_OPTION_ARG_STRING, &watch_text,
      N_("Also watch the live readings this long (seconds, or 90s, 10m): alerts such as "
         "overheating count"), "S" },
    { NULL }
  };
  g_autoptr(ObdHealthReport) report = NULL;
  g_autoptr(GPtrArray) trends = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vin = NULL;
  gint64 vehicle_id = 0, session_id = 0;

  if (!obd_cli_parse_options (cli, "health", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc > 1)
    return obd_cli_usage_error (_("“health” takes no arguments."));
  if (watch_text != NULL && !obd_cli_parse_seconds ("--watch", watch_text, &watch, &error))
    return obd_cli_fail (cli, error);
  if (watch > 0 && vehicle_name != NULL)
    return obd_cli_usage_error (_("--watch needs the car connected; it does not go with "
                                  "--vehicle."));
  if (vehicle_name != NULL && !obd_cli_check_vehicle_name (vehicle_name, &error))
    return obd_cli_fail (cli, error);

  if (vehicle_name != NULL)
    {
      g_autoptr(ObdStore) store = obd_cli_open_store (cli, FALSE, &error);
      g_autoptr(ObdStoreVehicle) vehicle = NULL;

      if (store == NULL ||
          (vehicle_id = obd_cli_find_vehicle (store, vehicle_name, &error)) == 0 ||
          (vehicle = obd_store_get_vehicle (store, vehicle_id, &error)) == NULL ||
          (report = obd_diagnosis_evaluate_stored (store, vehicle_id, &error)) == NULL ||
          !obd_store_find_health_session (store, vehicle_id, &session_id, &error) ||
          (trends = obd_diagnosis_list_trends (store, vehicle_id, &error)) == NULL)
        return obd_cli_fail (cli, error);
      vin = g_strdup (vehicle->vin);
    }
  else if (watch > 0)
    {
      g_autoptr(ObdSnapshot) snapshot = NULL;
      g_autoptr(GPtrArray) alerts = NULL;

      /* Alerts need their condition held for a while (obd-alerts.h), so
       * only a watch of a few seconds can raise them. */
      snapshot = obd_cli_watch_vehicle (cli, watch, &alerts, &error);
      if (snapshot == NULL)
        return obd_cli_fail (cli, error);
      report = obd_diagnosis_evaluate (snapshot, alerts);
      vin = g_strdup (snapshot->vin);
    }
  else
    {
      g_autoptr(ObdAdapter) adapter = NULL;
      g_autoptr(ObdSnapshot) snapshot = NULL;

      adapter = obd_cli_connect (cli, OBD_STRATEGY_FAST, &error);
      if (adapter == NULL)
        return obd_cli_fail (cli, error);
      snapshot = obd_snapshot_read (adapter, OBD_SNAPSHOT_ALL, cli->cancellable, &error);
      if (snapshot == NULL)
        return obd_cli_fail (cli, error);
      report = obd_diagnosis_evaluate (snapshot, NULL);
      vin = g_strdup (snapshot->vin);
    }

  if (cli->json)
    print_health_json (report, vin, vehicle_id, session_id, trends);
  else
    {
      g_autofree char *explanation = obd_health_report_explain (report);

      if (vin != NULL)
        g_print (_("VIN %s\n"), vin);
      if (vehicle_name != NULL && session_id != 0)
        g_print (_("As judged live during session %" PRId64 ", with what was cleared "
                   "or reported since.\n"), session_id);
      else if (vehicle_name != NULL)
        g_print ("%s\n", _("From the trouble codes recorded in the store: no recorded session "
                           "has readiness, on-board test results or alerts yet. Record one "
                           "with “obd2 record”."));
      g_print ("%s", explanation);
      if (explanation[0] != '\0' && !g_str_has_suffix (explanation, "\n"))
        g_print ("\n");
      if (trends != NULL && trends->len > 0)
        {
          g_print ("\n%s\n", _("Trends over the recorded sessions:"));
          for (guint i = 0; i < trends->len; i++)
            g_print ("  %s\n", ((const ObdTrendResult *) g_ptr_array_index (trends, i))->explanation);
        }
    }

  return OBD_CLI_EXIT_OK;
}

/* ---- maintenance ------------------------------------------------------- */

/* Limits of what a person types: no odometer shows more than 9 999 999
 * km, and no service interval is longer than a century. */
#define MAX_KM   G_GINT64_CONSTANT (9999999)
#define MAX_DAYS G_GINT64_CONSTANT (36525)

static char *
format_date (const GDate *date)
{
  char text[32];

  if (!g_date_valid (date) || g_date_strftime (text, sizeof text, "%Y-%m-%d", date) == 0)
    return g_strdup ("?");
  return g_strdup (text);
}

/* The forecast of an item as of now. */
static void
forecast_item (const ObdServicePlan          *plan,
               const ObdStoreMaintenanceItem *item,
               ObdServiceForecast            *forecast)
{
  obd_service_plan_forecast (plan, item, g_get_real_time (), forecast);
}

static char *
format_distance (ObdCli *cli,
                 double  km)
{
  return g_strdup_printf ("%.0f %s", obd_unit_convert (OBD_UNIT_KM, cli->units, km),
                          obd_unit_get_symbol (OBD_UNIT_KM, cli->units));
}

static char *
vehicle_title (const ObdStoreVehicle *vehicle)
{
  GString *title = g_string_new (NULL);

  g_string_append_printf (title, _("Vehicle %" PRId64), vehicle->id);
  if (vehicle->make != NULL || vehicle->model != NULL || vehicle->year != 0)
    {
      g_string_append (title, ":");
      if (vehicle->make != NULL)
        g_string_append_printf (title, " %s", vehicle->make);
      if (vehicle->model != NULL)
        g_string_append_printf (title, " %s", vehicle->model);
      if (vehicle->year != 0)
        g_string_append_printf (title, " %d", vehicle->year);
    }
  if (vehicle->vin != NULL)
    g_string_append_printf (title, " (%s)", vehicle->vin);

  return g_string_free (title, FALSE);
}

static void
print_plan_text (ObdCli            *cli,
                 const ObdServicePlan *plan)
{
  g_autofree char *title = vehicle_title (plan->vehicle);

  g_print ("%s\n", title);
  if (plan->odometer_km >= 0)
    {
      g_autofree char *odometer = format_distance (cli, plan->odometer_km);

      g_print ("  %s %s\n", _("Odometer:"), odometer);
    }
  else
    g_print ("  %s\n", _("Odometer unknown: give a reading with --odometer KM, or --km when "
                         "completing a service."));

  if (plan->items->len == 0)
    {
      g_print ("  %s\n", _("No maintenance items. Add one with --add TITLE --every-km N "
                           "--every-days N."));
      return;
    }

  for (guint i = 0; i < plan->items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (plan->items, i);
      g_autoptr(GString) line = g_string_new (NULL);
      ObdServiceForecast forecast;

      forecast_item (plan, item, &forecast);

      g_string_append_printf (line, "  %3" G_GINT64_FORMAT "  %-24s %-9s", item->id,
                              item->title, obd_service_status_get_label (forecast.status));
      if (forecast.by_distance)
        {
          g_autofree char *remaining = format_distance (cli, fabs (forecast.remaining_km));

          g_string_append (line, "  ");
          g_string_append_printf (line, forecast.remaining_km >= 0 ? _("in %s") : _("%s ago"),
                                  remaining);
        }
      if (forecast.by_time)
        {
          g_string_append (line, "  ");
          g_string_append_printf (line, forecast.remaining_days >= 0
                                  ? g_dngettext (GETTEXT_PACKAGE, "in %d day", "in %d days",
                                                 forecast.remaining_days)
                                  : g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago",
                                                 -forecast.remaining_days),
                                  ABS (forecast.remaining_days));
        }
      if (forecast.has_prediction)
        {
          g_autofree char *date = format_date (&forecast.predicted_date);

          g_string_append (line, "  ");
          g_string_append_printf (line, forecast.predicted_days >= 0 ? _("next around %s")
                                                                     : _("was due around %s"),
                                  date);
        }
      g_print ("%s\n", g_strchomp (line->str));
    }

  if (isnan (plan->km_per_day))
    g_print ("  %s\n", plan->n_readings <= 1
             ? _("Predicting dates from the distance driven needs more history: at least two "
                 "odometer readings on different days.")
             : _("Predicting dates from the distance driven needs odometer readings on "
                 "different days."));
  else
    {
      g_autofree char *per_day = g_strdup_printf (
        "%.0f %s", obd_unit_convert (OBD_UNIT_KM, cli->units, plan->km_per_day),
        obd_unit_get_symbol (OBD_UNIT_KM, cli->units));

      g_print ("  ");
      g_print (_("Driven about %s a day (from %u odometer readings)."), per_day,
               plan->n_readings);
      g_print ("\n");
    }
}

static void
add_plan_json (ObdCli            *cli,
               JsonBuilder       *builder,
               const ObdServicePlan *plan)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vehicle");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, plan->vehicle->id);
  json_builder_set_member_name (builder, "uuid");
  json_builder_add_string_value (builder, plan->vehicle->uuid);
  json_builder_set_member_name (builder, "vin");
  json_builder_add_string_value (builder, plan->vehicle->vin);
  json_builder_set_member_name (builder, "odometer");
  if (plan->odometer_km >= 0)
    obd_cli_add_quantity (cli, builder, NULL, plan->odometer_km, OBD_UNIT_KM);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "distance_per_day");
  if (!isnan (plan->km_per_day))
    obd_cli_add_quantity (cli, builder, NULL, plan->km_per_day, OBD_UNIT_KM);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "odometer_readings");
  json_builder_add_int_value (builder, plan->n_readings);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < plan->items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (plan->items, i);
      ObdServiceForecast forecast;

      forecast_item (plan, item, &forecast);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, item->id);
      json_builder_set_member_name (builder, "uuid");
      json_builder_add_string_value (builder, item->uuid);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, item->title);
      json_builder_set_member_name (builder, "interval_km");
      json_builder_add_int_value (builder, item->interval_km);
      json_builder_set_member_name (builder, "interval_days");
      json_builder_add_int_value (builder, item->interval_days);
      json_builder_set_member_name (builder, "last_done_km");
      if (item->last_done_km >= 0)
        json_builder_add_int_value (builder, item->last_done_km);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "last_done");
      if (item->last_done_us != 0)
        {
          g_autofree char *done = obd_cli_format_time (item->last_done_us);

          json_builder_add_string_value (builder, done);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "stored_status");
      json_builder_add_string_value (builder,
                                     obd_store_maintenance_status_to_string (item->status));
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, obd_service_status_get_key (forecast.status));
      if (forecast.by_distance)
        {
          obd_cli_add_quantity (cli, builder, "remaining_distance", forecast.remaining_km,
                                OBD_UNIT_KM);
          obd_cli_add_quantity (cli, builder, "due_odometer", forecast.due_km, OBD_UNIT_KM);
        }
      if (forecast.by_time)
        {
          g_autofree char *due = format_date (&forecast.due_date);

          json_builder_set_member_name (builder, "remaining_days");
          json_builder_add_int_value (builder, forecast.remaining_days);
          json_builder_set_member_name (builder, "due_date");
          json_builder_add_string_value (builder, due);
        }
      json_builder_set_member_name (builder, "predicted_date");
      if (forecast.has_prediction)
        {
          g_autofree char *date = format_date (&forecast.predicted_date);

          json_builder_add_string_value (builder, date);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* The vehicle an item belongs to, 0 with error set when no vehicle has
 * it. */
static gint64
find_item_vehicle (ObdStore    *store,
                   GPtrArray   *vehicles,
                   gint64       item_id,
                   GError     **error)
{
  for (guint i = 0; i < vehicles->len; i++)
    {
      const ObdStoreVehicle *vehicle = g_ptr_array_index (vehicles, i);
      g_autoptr(GPtrArray) items = obd_store_list_maintenance_items (store, vehicle->id, error);

      if (items == NULL)
        return 0;
      for (guint j = 0; j < items->len; j++)
        if (((ObdStoreMaintenanceItem *) g_ptr_array_index (items, j))->id == item_id)
          return vehicle->id;
    }

  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
               _("No maintenance item %" PRId64 ". Run “obd2 maintenance” to list "
                 "them."), item_id);
  return 0;
}

/* A service was done at done_km, or the odometer was read: the vehicle's
 * reading moves forward (never back, an odometer only counts up). */
static gboolean
note_odometer (ObdStore  *store,
               gint64     vehicle_id,
               gint64     km,
               GError   **error)
{
  g_autoptr(ObdStoreVehicle) vehicle = obd_store_get_vehicle (store, vehicle_id, error);

  if (vehicle == NULL)
    return FALSE;
  if (vehicle->odometer_km >= km)
    return TRUE;

  vehicle->odometer_km = km;
  return obd_store_update_vehicle (store, vehicle, error);
}

int
obd_cli_cmd_maintenance (ObdCli  *cli,
                         int      argc,
                         char   **argv)
{
  g_autofree char *vehicle_name = NULL;
  g_autofree char *add_title = NULL;
  g_autofree char *every_km_text = NULL;
  g_autofree char *every_days_text = NULL;
  g_autofree char *done_text = NULL;
  g_autofree char *km_text = NULL;
  g_autofree char *odometer_text = NULL;
  gint64 every_km = 0;
  gint64 every_days = 0;
  gint64 done_id = 0;
  gint64 done_km = -1;
  gint64 odometer_km = -1;
  GOptionEntry entries[] = {
    { "vehicle", 0, 0, G_OPTION_ARG_STRING, &vehicle_name,
      N_("The vehicle (id, VIN or UUID); needed when the store has several"), "ID" },
    { "add", 0, 0, G_OPTION_ARG_STRING, &add_title, N_("Add a service item"), "TITLE" },
    { "every-km", 0, 0, G_OPTION_ARG_STRING, &every_km_text,
      N_("With --add: repeat every N km"), "N" },
    { "every-days", 0, 0, G_OPTION_ARG_STRING, &every_days_text,
      N_("With --add: repeat every N days"), "N" },
    { "done", 0, 0, G_OPTION_ARG_STRING, &done_text, N_("Mark item ID done today"), "ID" },
    { "km", 0, 0, G_OPTION_ARG_STRING, &km_text, N_("With --done: the odometer reading"), "N" },
    { "odometer", 0, 0, G_OPTION_ARG_STRING, &odometer_text,
      N_("Note the vehicle’s odometer reading in km"), "KM" },
    { NULL }
  };
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) vehicles = NULL;
  g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                               obd_service_plan_free);
  g_autoptr(GError) error = NULL;
  gint64 vehicle_id = 0;
  gboolean changes;

  if (!obd_cli_parse_options (cli, "maintenance", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc > 1)
    return obd_cli_usage_error (_("“maintenance” takes no arguments."));
  if ((every_km_text != NULL &&
       !obd_cli_parse_number ("--every-km", every_km_text, 1, MAX_KM, &every_km, &error)) ||
      (every_days_text != NULL &&
       !obd_cli_parse_number ("--every-days", every_days_text, 1, MAX_DAYS, &every_days,
                              &error)) ||
      (done_text != NULL &&
       !obd_cli_parse_number ("--done", done_text, 1, G_MAXINT64, &done_id, &error)) ||
      (km_text != NULL && !obd_cli_parse_number ("--km", km_text, 0, MAX_KM, &done_km, &error)) ||
      (odometer_text != NULL &&
       !obd_cli_parse_number ("--odometer", odometer_text, 0, MAX_KM, &odometer_km, &error)) ||
      (vehicle_name != NULL && !obd_cli_check_vehicle_name (vehicle_name, &error)))
    return obd_cli_fail (cli, error);
  if (add_title != NULL && done_id != 0)
    return obd_cli_usage_error (_("Give either --add or --done, not both."));
  if (add_title == NULL && (every_km != 0 || every_days != 0))
    return obd_cli_usage_error (_("--every-km and --every-days go with --add TITLE."));
  if (done_id == 0 && done_km >= 0)
    return obd_cli_usage_error (_("--km goes with --done ID."));
  if (add_title != NULL && g_strstrip (add_title)[0] == '\0')
    return obd_cli_usage_error (_("Give the item a title, e.g. --add \"Oil change\"."));
  changes = add_title != NULL || done_id != 0 || odometer_km >= 0;

  store = obd_cli_open_store (cli, changes, &error);
  if (store == NULL)
    return obd_cli_fail (cli, error);

  vehicles = obd_store_list_vehicles (store, &error);
  if (vehicles == NULL)
    return obd_cli_fail (cli, error);
  if (vehicles->len == 0)
    {
      g_printerr ("obd2: %s\n", _("There is no vehicle in the store yet. Connect to the car "
                                  "and run “obd2 record” (it reads the VIN) first."));
      return OBD_CLI_EXIT_FAILURE;
    }

  if (vehicle_name != NULL)
    {
      vehicle_id = obd_cli_find_vehicle (store, vehicle_name, &error);
      if (vehicle_id == 0)
        return obd_cli_fail (cli, error);
    }
  else if (done_id != 0)
    {
      vehicle_id = find_item_vehicle (store, vehicles, done_id, &error);
      if (vehicle_id == 0)
        return obd_cli_fail (cli, error);
    }
  else if (vehicles->len == 1)
    vehicle_id = ((ObdStoreVehicle *) g_ptr_array_index (vehicles, 0))->id;
  else if (changes)
    return obd_cli_usage_error (_("The store has %u vehicles: choose one with --vehicle ID "
                                  "(“obd2 maintenance” lists them)."), vehicles->len);

  if (odometer_km >= 0 && !note_odometer (store, vehicle_id, odometer_km, &error))
    return obd_cli_fail (cli, error);

  if (add_title != NULL)
    {
      gint64 id = obd_store_add_maintenance_item (store, vehicle_id, add_title, every_km,
                                                  every_days, -1, 0, &error);

      if (id == 0)
        return obd_cli_fail (cli, error);
      if (!cli->json)
        g_print (_("Added item %" PRId64 ": %s.\n"), id, add_title);
    }

  if (done_id != 0)
    {
      if (vehicle_name != NULL &&
          find_item_vehicle (store, vehicles, done_id, &error) != vehicle_id)
        {
          if (error == NULL)
            g_set_error (&error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                         _("Item %" PRId64 " belongs to another vehicle."), done_id);
          return obd_cli_fail (cli, error);
        }
      if (!obd_store_complete_maintenance_item (store, done_id, done_km, g_get_real_time (),
                                                &error))
        return obd_cli_fail (cli, error);
      if (done_km >= 0 && !note_odometer (store, vehicle_id, done_km, &error))
        return obd_cli_fail (cli, error);
      if (!cli->json)
        g_print (_("Item %" PRId64 " done.\n"), done_id);
    }

  for (guint i = 0; i < vehicles->len; i++)
    {
      const ObdStoreVehicle *vehicle = g_ptr_array_index (vehicles, i);
      ObdServicePlan *plan;

      if (vehicle_id != 0 && vehicle->id != vehicle_id)
        continue;
      plan = obd_service_plan_load (store, vehicle->id, &error);
      if (plan == NULL)
        return obd_cli_fail (cli, error);
      g_ptr_array_add (plans, plan);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "vehicles");
      json_builder_begin_array (builder);
      for (guint i = 0; i < plans->len; i++)
        add_plan_json (cli, builder, g_ptr_array_index (plans, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  for (guint i = 0; i < plans->len; i++)
    {
      if (i > 0)
        g_print ("\n");
      print_plan_text (cli, g_ptr_array_index (plans, i));
    }

  return OBD_CLI_EXIT_OK;
}
