/* obd-vehicle-page.c — one vehicle for the workshop: identity, VIN, ECUs,
 * maintenance and notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything shown comes from the store, read on the store's thread
 * whenever the vehicle or the store changes, except what only a connected
 * car can tell: its control units (its Mode 09 answers in the session's
 * snapshot), the check just made (the session's health report, else the
 * one from the store, as the fleet list shows it) and the adapter link.  Every change goes through the store's editing
 * functions so that it reaches the sync outbox; a change that fails says
 * why in a toast, and the form's text is kept.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-app-resources.h"
#include "obd-diagnosis.h"
#include "obd-health-view.h"
#include "obd-conflicts-group.h"
#include "obd-defer-bin.h"
#include "obd-item-row.h"
#include "obd-maintenance.h"
#include "obd-mode09.h"
#include "obd-row.h"
#include "obd-service-plan.h"
#include "obd-vehicle-page.h"
#include "obd-vin.h"

struct _ObdVehiclePage
{
  ObdPage         parent_instance;

  /* The vehicle shown, as last read; NULL when none. */
  ObdStoreVehicle *vehicle;
  ObdHealthReport *stored_report; /* its report from the store, as last read */
  GListStore     *ecus;          /* ObdRowItem */
  GListStore     *maintenance;   /* ObdRowItem */
  GListStore     *notes;         /* ObdRowItem */
  char           *saving_note;   /* the note being saved */

  GtkStack       *stack;
  AdwStatusPage  *unavailable_page;
  ObdRow         *model_row;
  ObdRow         *vin_row;
  ObdRow         *plate_row;
  ObdRow         *owner_row;
  ObdRow         *odometer_row;
  GtkWidget      *health_group;
  ObdRow         *health_row;
  GtkImage       *health_icon;
  GtkLabel       *health_explanation;
  ObdRow         *link_row;
  GtkLabel       *link_quality_label;
  GtkWidget      *vin_group;
  ObdRow         *check_row;
  GtkImage       *check_icon;
  ObdRow         *year_row;
  ObdRow         *country_row;
  ObdRow         *maker_row;
  GtkListBox     *ecu_list;
  GtkMenuButton  *add_maintenance_button;
  GtkListBox     *maintenance_list;
  GtkListBox     *notes_list;
  AdwEntryRow    *note_entry;
};

G_DEFINE_FINAL_TYPE (ObdVehiclePage, obd_vehicle_page, OBD_TYPE_PAGE)

/* Helpers ------------------------------------------------------------- */

static ObdUnitSystem
get_units (ObdVehiclePage *self)
{
  return obd_page_get_units (OBD_PAGE (self));
}

static char *
format_distance (ObdVehiclePage *self,
                 double          km)
{
  ObdUnitSystem units = get_units (self);

  return g_strdup_printf ("%'.0f %s", obd_unit_convert (OBD_UNIT_KM, units, km),
                          obd_unit_get_symbol (OBD_UNIT_KM, units));
}

static char *
format_date (gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  /* Translators: a date as in "12 Mar 2024"; see g_date_time_format() */
  return dt != NULL ? g_date_time_format (dt, _("%-d %b %Y")) : g_strdup ("—");
}

static void
set_subtitle (ObdRow       *row,
              const char   *text)
{
  obd_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
}

/* The custom-item dialog asks for months: an average month. */
static gint64
months_to_days (guint months)
{
  return (gint64) lround (months * 365.25 / 12.0);
}

/* Identity ------------------------------------------------------------ */

static void
update_identity (ObdVehiclePage *self)
{
  ObdStoreVehicle *v = self->vehicle;
  g_autoptr(GString) model = g_string_new (NULL);
  g_autoptr(ObdVinInfo) info = NULL;

  if (v->make != NULL)
    g_string_append (model, v->make);
  if (v->model != NULL)
    g_string_append_printf (model, "%s%s", model->len > 0 ? " " : "", v->model);
  if (v->year > 0)
    g_string_append_printf (model, "%s%d", model->len > 0 ? ", " : "", v->year);
  set_subtitle (self->model_row, model->str);
  set_subtitle (self->vin_row, v->vin);
  set_subtitle (self->plate_row, v->plate);
  set_subtitle (self->owner_row, v->owner_name);
  if (v->odometer_km >= 0)
    {
      g_autofree char *odo = format_distance (self, (double) v->odometer_km);
      set_subtitle (self->odometer_row, odo);
    }
  else
    set_subtitle (self->odometer_row, _("Unknown"));

  if (v->vin != NULL)
    info = obd_vin_decode (v->vin, 0, NULL);
  gtk_widget_set_visible (self->vin_group, info != NULL);
  if (info == NULL)
    return;

  if (info->check_digit_ok)
    {
      set_subtitle (self->check_row, _("Correct"));
      gtk_image_set_from_icon_name (self->check_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->check_icon), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->check_icon), "success");
    }
  else
    {
      g_autofree char *text = NULL;

      if (info->check_digit_applies)
        /* Translators: a VIN's 9th character does not match the computed check digit */
        text = g_strdup_printf (_("Wrong: is %c, should be %c — the VIN may be mistyped"),
                                info->check_digit, info->expected_check_digit);
      else
        text = g_strdup_printf (_("Not used in this region (is %c, a North American VIN "
                                  "would have %c)"),
                                info->check_digit, info->expected_check_digit);
      set_subtitle (self->check_row, text);
      gtk_image_set_from_icon_name (self->check_icon,
                                    info->check_digit_applies ? "dialog-warning-symbolic"
                                                              : "dialog-information-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->check_icon), "success");
      if (info->check_digit_applies)
        gtk_widget_add_css_class (GTK_WIDGET (self->check_icon), "warning");
    }

  if (info->model_year > 0)
    {
      g_autofree char *year = g_strdup_printf ("%d", info->model_year);
      set_subtitle (self->year_row, year);
    }
  else
    set_subtitle (self->year_row, _("Not encoded in this VIN"));
  set_subtitle (self->country_row, info->country != NULL ? info->country : _("Unknown"));
  set_subtitle (self->maker_row,
                info->manufacturer != NULL ? info->manufacturer : _("Unknown"));
}

/* Control units ------------------------------------------------------- */

static const char *
record_ecu_name (const ObdSnapshot *snapshot,
                 guint32            ecu)
{
  for (guint i = 0; snapshot->ecu_names != NULL && i < snapshot->ecu_names->len; i++)
    {
      const ObdInfoRecord *record = g_ptr_array_index (snapshot->ecu_names, i);

      if (record->ecu == ecu && record->text != NULL)
        return record->text;
    }
  return NULL;
}

static char *
record_strings (GPtrArray *records,
                guint32    ecu)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const ObdInfoRecord *record = g_ptr_array_index (records, i);

      if (record->ecu != ecu || record->strings == NULL)
        continue;
      for (guint j = 0; j < record->strings->len; j++)
        g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "",
                                (const char *) g_ptr_array_index (record->strings, j));
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static void
collect_ecus (GArray    *ecus,
              GPtrArray *records)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const ObdInfoRecord *record = g_ptr_array_index (records, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < ecus->len && !seen; j++)
        seen = g_array_index (ecus, guint32, j) == record->ecu;
      if (!seen)
        g_array_append_val (ecus, record->ecu);
    }
}

static void
update_ecus (ObdVehiclePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  const ObdSnapshot *snapshot = NULL;
  g_autoptr(GArray) ecus = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  /* The snapshot describes the car on the bench: only show it on that
   * car's page. */
  if (session != NULL && obd_page_get_connected (OBD_PAGE (self)) && self->vehicle != NULL &&
      obd_session_get_vehicle_id (session) == self->vehicle->id)
    snapshot = obd_session_get_snapshot (session);

  if (snapshot != NULL)
    {
      collect_ecus (ecus, snapshot->ecu_names);
      collect_ecus (ecus, snapshot->calibration_ids);
      collect_ecus (ecus, snapshot->cvns);
    }
  for (guint i = 0; i < ecus->len; i++)
    {
      guint32 ecu = g_array_index (ecus, guint32, i);
      const char *name = record_ecu_name (snapshot, ecu);
      g_autofree char *cal = record_strings (snapshot->calibration_ids, ecu);
      g_autofree char *cvn = record_strings (snapshot->cvns, ecu);
      g_autofree char *title = NULL;
      g_autoptr(GString) subtitle = g_string_new (NULL);
      ObdRowItem *item;

      /* Translators: a control unit by its bus address, e.g. "7E8" */
      title = name != NULL ? g_strdup_printf (_("%s (%X)"), name, ecu)
                           : g_strdup_printf (_("Control unit %X"), ecu);
      /* Translators: Mode 09 calibration identification */
      g_string_append_printf (subtitle, _("Calibration ID: %s"), cal != NULL ? cal : "—");
      g_string_append_c (subtitle, '\n');
      /* Translators: Mode 09 calibration verification number */
      g_string_append_printf (subtitle, _("CVN: %s"), cvn != NULL ? cvn : "—");
      item = obd_row_item_new (ecu, title, subtitle->str);
      g_object_set (item, "subtitle-lines", 0, NULL);
      g_ptr_array_add (items, item);
    }
  obd_page_fill_model (OBD_PAGE (self), self->ecus, items);
}

/* Maintenance --------------------------------------------------------- */

static char *
describe_forecast (ObdVehiclePage                *self,
                   const ObdStoreMaintenanceItem *item,
                   const ObdServiceForecast      *f)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (f->status == OBD_SERVICE_STATUS_DONE)
    {
      g_autofree char *date = format_date (item->last_done_us);
      /* Translators: one-off work, with the date it was done */
      g_string_printf (text, _("Done on %s"), date);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (f->by_distance)
    {
      g_autofree char *at = format_distance (self, f->due_km);
      g_autofree char *left = format_distance (self, fabs (f->remaining_km));

      if (f->remaining_km < 0)
        /* Translators: "Due at 45,000 km, 3,000 km ago" */
        g_string_append_printf (text, _("Due at %s, %s ago"), at, left);
      else
        /* Translators: "Due at 45,000 km, in 3,000 km" */
        g_string_append_printf (text, _("Due at %s, in %s"), at, left);
    }
  if (f->by_time && g_date_valid (&f->due_date))
    {
      char date[64];

      /* Translators: a date as in "12 Mar 2024"; see strftime() */
      g_date_strftime (date, sizeof date, _("%-d %b %Y"), &f->due_date);
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, _("by %s"), date);
    }
  /* One-off work not done yet is due now; an interval with nothing to
   * count from (no odometer, never done) is not known to be due. */
  if (text->len == 0)
    g_string_append (text, f->status == OBD_SERVICE_STATUS_DUE
                             ? _("Due now")
                             : _("Not enough to go by: enter the odometer reading, or when it "
                                 "was last done"));
  if (item->last_done_us > 0)
    {
      g_autofree char *date = format_date (item->last_done_us);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Last done on %s"), date);
    }
  else
    {
      g_string_append_c (text, '\n');
      g_string_append (text, _("Never recorded as done"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A forecast with no dimension to count is no "OK". */
static gboolean
forecast_known (const ObdServiceForecast *f)
{
  return f->status != OBD_SERVICE_STATUS_OK || f->by_distance || f->by_time;
}

static const char *
status_css_class (ObdServiceStatus status)
{
  switch (status)
    {
    case OBD_SERVICE_STATUS_OVERDUE:
      return "error";
    case OBD_SERVICE_STATUS_DUE:
      return "warning";
    case OBD_SERVICE_STATUS_OK:
    case OBD_SERVICE_STATUS_DONE:
    default:
      return "success";
    }
}

static void
update_maintenance (ObdVehiclePage       *self,
                    const ObdServicePlan *plan)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < plan->items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (plan->items, i);
      ObdServiceForecast forecast;
      g_autofree char *subtitle = NULL;
      g_autofree char *a11y = NULL;
      ObdRowItem *row;
      gboolean known;

      /* The one forecast of the owner view and the fleet list. */
      obd_service_plan_forecast (plan, item, now, &forecast);
      known = forecast_known (&forecast);
      subtitle = describe_forecast (self, item, &forecast);
      a11y = g_strdup_printf (_("Mark “%s” as done today"), item->title);
      row = obd_row_item_new (item->id, item->title, subtitle);
      g_object_set (row,
                    "subtitle-lines", 0,
                    "badge", known ? obd_service_status_get_label (forecast.status)
                                   : C_("service status", "Unknown"),
                    "badge-class", known ? status_css_class (forecast.status) : NULL,
                    "action-name", "vehicle.complete-maintenance",
                    "action-icon", "object-select-symbolic",
                    "action-label", a11y,
                    NULL);
      g_ptr_array_add (rows, row);
    }
  obd_page_fill_model (OBD_PAGE (self), self->maintenance, rows);
}

static void
build_maintenance_menu (ObdVehiclePage *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) schedule = g_menu_new ();
  const ObdServiceSchedule *entries;
  gsize n_entries = 0;

  entries = obd_service_get_default_schedule (&n_entries);
  for (gsize i = 0; i < n_entries; i++)
    {
      g_autoptr(GMenuItem) item =
        g_menu_item_new (obd_service_schedule_get_label (&entries[i]), NULL);

      g_menu_item_set_action_and_target (item, "vehicle.add-maintenance", "s", entries[i].key);
      g_menu_append_item (schedule, item);
    }
  g_menu_append_section (menu, _("Default Schedule"), G_MENU_MODEL (schedule));
  g_menu_append (menu, _("_Custom Item…"), "vehicle.add-custom-maintenance");
  gtk_menu_button_set_menu_model (self->add_maintenance_button, G_MENU_MODEL (menu));
}

/* Notes --------------------------------------------------------------- */

static void
update_notes (ObdVehiclePage *self,
              GPtrArray      *notes)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  /* Newest first: the latest word on a car is what a mechanic reads first. */
  for (guint i = notes->len; i-- > 0;)
    {
      const ObdStoreNote *note = g_ptr_array_index (notes, i);
      g_autofree char *date = format_date (note->created_us);
      g_autofree char *subtitle = NULL;
      ObdRowItem *row;

      /* Translators: a note's author and date, "Ana Silva · 12 Mar 2024" */
      subtitle = g_strdup_printf (_("%s · %s"), note->author != NULL ? note->author : _("Unknown"),
                                  date);
      row = obd_row_item_new (note->id, note->text, subtitle);
      g_ptr_array_add (rows, row);
    }
  obd_page_fill_model (OBD_PAGE (self), self->notes, rows);
}

/* Reload -------------------------------------------------------------- */

typedef struct
{
  ObdServicePlan  *plan;       /* the vehicle, its items and odometer history */
  GPtrArray       *notes;
  ObdHealthReport *report;     /* from the store: what the fleet list shows */
} Loaded;

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_pointer (&loaded->plan, obd_service_plan_free);
  g_clear_pointer (&loaded->notes, g_ptr_array_unref);
  g_clear_pointer (&loaded->report, obd_health_report_free);
  g_free (loaded);
}

static gpointer
load_job (ObdStore      *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 id = *(gint64 *) data;
  Loaded *loaded = g_new0 (Loaded, 1);

  if ((loaded->plan = obd_service_plan_load (store, id, error)) == NULL ||
      (loaded->notes = obd_store_list_notes (store, id, 0, error)) == NULL ||
      (loaded->report = obd_diagnosis_evaluate_stored (store, id, error)) == NULL)
    {
      loaded_free (loaded);
      return NULL;
    }
  return loaded;
}

/* Health -------------------------------------------------------------- */

/* The session's check describes the car on the bench: only this car's. */
static gboolean
shows_session_car (ObdVehiclePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));

  return session != NULL && self->vehicle != NULL && obd_page_get_connected (OBD_PAGE (self)) &&
         obd_session_get_vehicle_id (session) == self->vehicle->id;
}

static void
update_health (ObdVehiclePage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  const ObdHealthReport *report = NULL;
  const char *source = NULL;

  if (shows_session_car (self) && obd_session_get_health (session) != NULL)
    {
      report = obd_session_get_health (session);
      source = _("From the check just now");
    }
  else if (self->stored_report != NULL)
    {
      report = self->stored_report;
      source = _("From the recorded history");
    }
  gtk_widget_set_visible (self->health_group, report != NULL);
  if (report != NULL)
    obd_health_view_show_report (self->health_row, self->health_icon, self->health_explanation,
                                 report, source);
}

static void
update_link (ObdVehiclePage *self)
{
  ObdLinkStats stats;
  g_autofree char *summary = NULL;
  g_autofree char *details = NULL;
  const char *style_class = NULL;
  gboolean shown = shows_session_car (self);

  gtk_widget_set_visible (GTK_WIDGET (self->link_row), shown);
  if (!shown)
    return;
  obd_session_get_link_stats (obd_page_get_session (OBD_PAGE (self)), &stats);
  details = obd_connection_describe_link_stats (&stats, &summary, &style_class);
  obd_row_set_subtitle (self->link_row, details);
  gtk_label_set_label (self->link_quality_label, summary);
  gtk_widget_remove_css_class (GTK_WIDGET (self->link_quality_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->link_quality_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->link_quality_label), "error");
  if (style_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->link_quality_label), style_class);
}

static void
show_unavailable (ObdVehiclePage *self,
                  const GError   *error)
{
  g_autofree char *text = obd_page_describe_error (_("The vehicle, its maintenance and notes "
                                                     "cannot be shown"), error);

  adw_status_page_set_description (self->unavailable_page, text);
  gtk_stack_set_visible_child_name (self->stack, "unavailable");
}

static void
on_loaded_cb (ObdPage      *page,
              gpointer      result,
              const GError *error,
              gpointer      user_data)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (page);
  Loaded *loaded = result;

  g_clear_pointer (&self->vehicle, obd_store_vehicle_free);
  g_clear_pointer (&self->stored_report, obd_health_report_free);
  if (loaded == NULL)
    {
      /* A vehicle removed meanwhile is simply not there any more. */
      if (g_error_matches (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND))
        gtk_stack_set_visible_child_name (self->stack, "empty");
      else
        show_unavailable (self, error);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "vehicle.edit", FALSE);
      return;
    }

  self->vehicle = g_steal_pointer (&loaded->plan->vehicle);
  self->stored_report = g_steal_pointer (&loaded->report);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vehicle.edit",
                                 obd_page_get_store_writable (page));
  update_identity (self);
  update_health (self);
  update_link (self);
  update_ecus (self);
  update_maintenance (self, loaded->plan);
  update_notes (self, loaded->notes);
  /* The identity first, the groups below a frame apart. */
  obd_defer_bin_show_stack_child (self->stack, "content");
}

void
obd_vehicle_page_reload (ObdVehiclePage *self)
{
  gint64 vehicle_id;

  g_return_if_fail (OBD_IS_VEHICLE_PAGE (self));

  vehicle_id = obd_page_get_shown_vehicle_id (OBD_PAGE (self));
  if (obd_page_get_store (OBD_PAGE (self)) == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                                     _("There is no local history."));

      g_clear_pointer (&self->vehicle, obd_store_vehicle_free);
      show_unavailable (self, error);
      return;
    }
  if (vehicle_id == 0)
    {
      obd_page_cancel_load (OBD_PAGE (self), "vehicle");
      g_clear_pointer (&self->vehicle, obd_store_vehicle_free);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "vehicle.edit", FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  obd_page_load (OBD_PAGE (self), "vehicle", load_job,
                 g_memdup2 (&vehicle_id, sizeof vehicle_id), g_free, loaded_free,
                 G_PRIORITY_HIGH, on_loaded_cb, NULL);
}

/* Changes -------------------------------------------------------------- */

typedef struct
{
  gint64  vehicle_id;
  gint64  item_id;
  char   *author;
  char   *text;       /* a note, or a maintenance item's title */
  gint64  km;
  gint64  days;
  gint64  done_km;
  gint64  done_us;
  ObdStoreVehicle vehicle;
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  g_free (change->author);
  g_free (change->text);
  g_free (change->vehicle.make);
  g_free (change->vehicle.model);
  g_free (change->vehicle.plate);
  g_free (change->vehicle.owner_name);
  g_free (change);
}

static gpointer
add_note_job (ObdStore      *store,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Change *change = data;

  if (obd_store_add_note (store, change->vehicle_id, 0, change->author, change->text,
                          error) == 0)
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
complete_job (ObdStore      *store,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Change *change = data;

  if (!obd_store_complete_maintenance_item (store, change->item_id, change->done_km,
                                            change->done_us, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
add_item_job (ObdStore      *store,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Change *change = data;

  if (obd_store_add_maintenance_item (store, change->vehicle_id, change->text, change->km,
                                      change->days, -1, 0, error) == 0)
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
update_vehicle_job (ObdStore      *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Change *change = data;

  if (!obd_store_update_vehicle (store, &change->vehicle, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static const char *
get_person_name (void)
{
  const char *name = g_get_real_name ();

  /* GLib answers "Unknown" when the password database has no full name. */
  if (name == NULL || *name == '\0' || g_str_equal (name, "Unknown"))
    name = g_get_user_name ();
  return name;
}

static void
on_note_saved_cb (ObdPage      *page,
                  gpointer      result,
                  const GError *error,
                  gpointer      user_data)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (page);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
  g_autofree char *now = g_strstrip (g_strdup (text));

  /* Empty the entry only if it still holds what was saved; after a
   * failure it keeps the text, to try again. */
  if (error == NULL && g_strcmp0 (now, self->saving_note) == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  g_clear_pointer (&self->saving_note, g_free);
}

static void
on_note_entry_apply_cb (ObdVehiclePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  Change *change;

  /* "apply" and "entry-activated" both come for one Enter: one save. */
  if (*stripped == '\0' || self->vehicle == NULL || self->saving_note != NULL)
    return;

  change = g_new0 (Change, 1);
  change->vehicle_id = self->vehicle->id;
  change->author = g_strdup (get_person_name ());
  change->text = g_strdup (stripped);
  /* The entry keeps the text until the note is saved: a note that could
   * not be saved is not lost. */
  self->saving_note = g_strdup (stripped);
  obd_page_write (OBD_PAGE (self), "note", change->vehicle_id, add_note_job, change, change_free,
                  _("The note could not be saved"), on_note_saved_cb, NULL);
}

/* Maintenance: actions ------------------------------------------------ */

static void
complete_maintenance_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (widget);
  Change *change;

  if (self->vehicle == NULL)
    return;
  change = g_new0 (Change, 1);
  change->item_id = g_variant_get_int64 (parameter);
  change->done_km = self->vehicle->odometer_km;
  change->done_us = g_get_real_time ();
  obd_page_write (OBD_PAGE (self), "maintenance", self->vehicle->id, complete_job, change,
                  change_free, _("The maintenance item could not be updated"), NULL, NULL);
}

static void
add_item (ObdVehiclePage *self,
          const char     *title,
          gint64          km,
          gint64          days)
{
  Change *change = g_new0 (Change, 1);

  change->vehicle_id = self->vehicle->id;
  change->text = g_strdup (title);
  change->km = km;
  change->days = days;
  obd_page_write (OBD_PAGE (self), "maintenance", self->vehicle->id, add_item_job, change,
                  change_free, _("The maintenance item could not be added"), NULL, NULL);
}

static void
add_maintenance_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (widget);
  const ObdServiceSchedule *entry = obd_service_schedule_lookup (g_variant_get_string (parameter,
                                                                                        NULL));

  if (entry == NULL || self->vehicle == NULL)
    return;
  add_item (self, obd_service_schedule_get_label (entry), (gint64) lround (entry->interval_km),
            entry->interval_days);
}

/* A dialog of entry rows, shared by "edit vehicle" and "custom item". */

static GtkWidget *
add_entry_row (GtkListBox *list,
               const char *title,
               const char *text,
               gboolean    numeric)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  if (numeric)
    adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_DIGITS);
  gtk_list_box_append (list, row);
  return row;
}

/* Reads a whole non-negative number; an empty field is "unknown" (-1). */
static gboolean
parse_count (GtkWidget *row,
             gint64    *out)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  guint64 value;

  if (*text == '\0')
    {
      *out = -1;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

static GtkWidget *
new_form_dialog (ObdVehiclePage *self,
                 const char     *heading,
                 const char     *apply_label,
                 GtkListBox    **out_list)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading, NULL);
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "apply", apply_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  *out_list = GTK_LIST_BOX (list);
  return dialog;
}

typedef struct
{
  ObdVehiclePage *self;  /* weak: the dialog may outlive the page */
  GtkWidget *make, *model, *year, *plate, *owner, *odometer;
} EditForm;

static void
edit_form_free (gpointer data)
{
  EditForm *form = data;

  g_clear_weak_pointer (&form->self);
  g_free (form);
}

static void
on_edit_changed_cb (GtkWidget *dialog)
{
  EditForm *form = g_object_get_data (G_OBJECT (dialog), "form");
  gint64 year, odometer;
  gboolean valid = parse_count (form->year, &year) && parse_count (form->odometer, &odometer) &&
                   (year < 0 || (year >= 1900 && year <= 2100));

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply", valid);
}

static char *
dup_field (GtkWidget *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static void
on_edit_response_cb (GtkWidget  *dialog,
                     const char *response)
{
  EditForm *form = g_object_get_data (G_OBJECT (dialog), "form");
  ObdVehiclePage *self = form->self;
  Change *change;
  gint64 year = -1;

  if (g_strcmp0 (response, "apply") != 0 || self == NULL || self->vehicle == NULL)
    return;

  change = g_new0 (Change, 1);
  change->vehicle = *self->vehicle;
  change->vehicle.make = dup_field (form->make);
  change->vehicle.model = dup_field (form->model);
  change->vehicle.plate = dup_field (form->plate);
  change->vehicle.owner_name = dup_field (form->owner);
  /* Borrowed from the page's vehicle; the job does not keep them. */
  change->vehicle.uuid = NULL;
  change->vehicle.vin = NULL;
  parse_count (form->year, &year);
  parse_count (form->odometer, &change->vehicle.odometer_km);
  change->vehicle.year = year > 0 ? (int) year : 0;
  obd_page_write (OBD_PAGE (self), "vehicle", self->vehicle->id, update_vehicle_job, change,
                  change_free, _("The vehicle could not be saved"), NULL, NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (widget);
  EditForm *form;
  GtkListBox *list;
  GtkWidget *dialog;
  g_autofree char *year = NULL;
  g_autofree char *odometer = NULL;

  if (self->vehicle == NULL)
    return;

  dialog = new_form_dialog (self, _("Edit Vehicle"), _("_Save"), &list);
  form = g_new0 (EditForm, 1);
  g_set_weak_pointer (&form->self, self);
  if (self->vehicle->year > 0)
    year = g_strdup_printf ("%d", self->vehicle->year);
  /* The store keeps kilometres; the form does too, whatever the display
   * units, so an edit never rounds the stored reading. */
  if (self->vehicle->odometer_km >= 0)
    odometer = g_strdup_printf ("%" G_GINT64_FORMAT, self->vehicle->odometer_km);
  form->make = add_entry_row (list, _("_Make"), self->vehicle->make, FALSE);
  form->model = add_entry_row (list, _("M_odel"), self->vehicle->model, FALSE);
  form->year = add_entry_row (list, _("_Year"), year, TRUE);
  form->plate = add_entry_row (list, _("_Licence plate"), self->vehicle->plate, FALSE);
  form->owner = add_entry_row (list, _("_Owner"), self->vehicle->owner_name, FALSE);
  form->odometer = add_entry_row (list, _("O_dometer (km)"), odometer, TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "form", form, edit_form_free);

  g_signal_connect_swapped (form->year, "changed", G_CALLBACK (on_edit_changed_cb), dialog);
  g_signal_connect_swapped (form->odometer, "changed", G_CALLBACK (on_edit_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_edit_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  ObdVehiclePage *self;  /* weak */
  GtkWidget *title, *km, *months;
} CustomForm;

static void
custom_form_free (gpointer data)
{
  CustomForm *form = data;

  g_clear_weak_pointer (&form->self);
  g_free (form);
}

static gboolean
read_custom_form (CustomForm *form,
                  char      **out_title,
                  gint64     *out_km,
                  gint64     *out_months)
{
  g_autofree char *title = dup_field (form->title);

  if (title == NULL || !parse_count (form->km, out_km) || !parse_count (form->months, out_months))
    return FALSE;
  if (*out_km <= 0 && *out_months <= 0)
    return FALSE;
  *out_title = g_steal_pointer (&title);
  return TRUE;
}

static void
on_custom_changed_cb (GtkWidget *dialog)
{
  CustomForm *form = g_object_get_data (G_OBJECT (dialog), "form");
  g_autofree char *title = NULL;
  gint64 km, months;

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply",
                                           read_custom_form (form, &title, &km, &months));
}

static void
on_custom_response_cb (GtkWidget  *dialog,
                       const char *response)
{
  CustomForm *form = g_object_get_data (G_OBJECT (dialog), "form");
  ObdVehiclePage *self = form->self;
  g_autofree char *title = NULL;
  gint64 km, months;

  if (g_strcmp0 (response, "apply") != 0 || self == NULL || self->vehicle == NULL ||
      !read_custom_form (form, &title, &km, &months))
    return;
  add_item (self, title, MAX (km, 0), months > 0 ? months_to_days ((guint) months) : 0);
}

static void
add_custom_maintenance_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (widget);
  CustomForm *form;
  GtkListBox *list;
  GtkWidget *dialog;

  if (self->vehicle == NULL)
    return;

  dialog = new_form_dialog (self, _("Custom Maintenance Item"), _("_Add"), &list);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Give at least one interval: the item falls due at "
                                 "whichever comes first."));
  form = g_new0 (CustomForm, 1);
  g_set_weak_pointer (&form->self, self);
  form->title = add_entry_row (list, _("_Title"), NULL, FALSE);
  form->km = add_entry_row (list, _("Every _kilometres"), NULL, TRUE);
  form->months = add_entry_row (list, _("Every _months"), NULL, TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "form", form, custom_form_free);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply", FALSE);

  g_signal_connect_swapped (form->title, "changed", G_CALLBACK (on_custom_changed_cb), dialog);
  g_signal_connect_swapped (form->km, "changed", G_CALLBACK (on_custom_changed_cb), dialog);
  g_signal_connect_swapped (form->months, "changed", G_CALLBACK (on_custom_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_custom_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject ------------------------------------------------------------- */

static void
obd_vehicle_page_vehicle_changed (ObdPage *page)
{
  obd_vehicle_page_reload (OBD_VEHICLE_PAGE (page));
}

static void
obd_vehicle_page_store_changed (ObdPage    *page,
                                const char *what,
                                gint64      vehicle_id)
{
  /* Codes, recorded sessions and their inputs change the stored report. */
  if (g_str_equal (what, "vehicle") || g_str_equal (what, "maintenance") ||
      g_str_equal (what, "note") || g_str_equal (what, "dtc") || g_str_equal (what, "session") ||
      g_str_equal (what, "health"))
    obd_vehicle_page_reload (OBD_VEHICLE_PAGE (page));
}

/* The control units, the check and the link follow the car on the bench. */
static void
on_snapshot_cb (ObdVehiclePage *self)
{
  if (self->vehicle == NULL)
    return;
  update_ecus (self);
  update_health (self);
  update_link (self);
}

static void
obd_vehicle_page_dispose (GObject *object)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (object);

  g_clear_pointer (&self->vehicle, obd_store_vehicle_free);
  g_clear_pointer (&self->stored_report, obd_health_report_free);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_VEHICLE_PAGE);

  G_OBJECT_CLASS (obd_vehicle_page_parent_class)->dispose (object);
}

static void
obd_vehicle_page_finalize (GObject *object)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (object);

  g_clear_object (&self->ecus);
  g_clear_object (&self->maintenance);
  g_clear_object (&self->notes);
  g_free (self->saving_note);

  G_OBJECT_CLASS (obd_vehicle_page_parent_class)->finalize (object);
}

static void
obd_vehicle_page_class_init (ObdVehiclePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->dispose = obd_vehicle_page_dispose;
  object_class->finalize = obd_vehicle_page_finalize;
  page_class->vehicle_changed = obd_vehicle_page_vehicle_changed;
  page_class->units_changed = obd_vehicle_page_vehicle_changed;
  page_class->store_changed = obd_vehicle_page_store_changed;

  g_type_ensure (OBD_TYPE_ROW);
  g_type_ensure (OBD_TYPE_CONFLICTS_GROUP);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-vehicle-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, model_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, vin_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, plate_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, owner_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, odometer_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, health_group);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, health_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, health_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, health_explanation);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, link_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, link_quality_label);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, vin_group);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, check_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, check_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, year_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, country_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, maker_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, ecu_list);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, add_maintenance_button);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, maintenance_list);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, notes_list);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, note_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_note_entry_apply_cb);

  gtk_widget_class_install_action (widget_class, "vehicle.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "vehicle.add-maintenance", "s",
                                   add_maintenance_action);
  gtk_widget_class_install_action (widget_class, "vehicle.add-custom-maintenance", NULL,
                                   add_custom_maintenance_action);
  gtk_widget_class_install_action (widget_class, "vehicle.complete-maintenance", "x",
                                   complete_maintenance_action);
}

static void
obd_vehicle_page_init (ObdVehiclePage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  build_maintenance_menu (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vehicle.edit", FALSE);

  self->ecus = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->maintenance = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->notes = g_list_store_new (OBD_TYPE_ROW_ITEM);
  gtk_list_box_bind_model (self->ecu_list, G_LIST_MODEL (self->ecus), obd_item_row_new, NULL,
                           NULL);
  gtk_list_box_bind_model (self->maintenance_list, G_LIST_MODEL (self->maintenance),
                           obd_item_row_new, NULL, NULL);
  gtk_list_box_bind_model (self->notes_list, G_LIST_MODEL (self->notes), obd_item_row_new, NULL,
                           NULL);

  signals = obd_page_get_session_signals (OBD_PAGE (self));
  g_signal_group_connect_object (signals, "notify::snapshot", G_CALLBACK (on_snapshot_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::state", G_CALLBACK (on_snapshot_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::health", G_CALLBACK (update_health), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::vehicle-id", G_CALLBACK (on_snapshot_cb),
                                 self, G_CONNECT_SWAPPED);
  /* About once a second while connected. */
  g_signal_group_connect_object (signals, "notify::link-rate", G_CALLBACK (update_link), self,
                                 G_CONNECT_SWAPPED);
}

GtkWidget *
obd_vehicle_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_VEHICLE_PAGE, "session", session, NULL);
}
