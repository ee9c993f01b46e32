/* obd-vehicle-page.c — one vehicle for the workshop: identity, VIN, ECUs,
 * maintenance and notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything shown comes from the store, read again whenever the vehicle
 * or the store changes, except the control units, which only a connected
 * car can tell (its Mode 09 answers in the session's snapshot).  Every
 * change goes through the store's editing functions so that it reaches the
 * sync outbox.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-maintenance.h"
#include "obd-mode09.h"
#include "obd-app-resources.h"
#include "obd-vehicle-page.h"
#include "obd-vin.h"

#define SETTINGS_SCHEMA "io.github.obd2diagnostics.Workshop"

struct _ObdVehiclePage
{
  AdwBin          parent_instance;

  ObdSession     *session;
  GSignalGroup   *session_signals;
  gint64          vehicle_id;
  GSettings      *settings;

  /* The vehicle shown, as last read; NULL when none. */
  ObdStoreVehicle *vehicle;

  GtkStack       *stack;
  AdwActionRow   *model_row;
  AdwActionRow   *vin_row;
  AdwActionRow   *plate_row;
  AdwActionRow   *owner_row;
  AdwActionRow   *odometer_row;
  GtkWidget      *vin_group;
  AdwActionRow   *check_row;
  GtkImage       *check_icon;
  AdwActionRow   *year_row;
  AdwActionRow   *country_row;
  AdwActionRow   *maker_row;
  GtkListBox     *ecu_list;
  GtkMenuButton  *add_maintenance_button;
  GtkListBox     *maintenance_list;
  GtkListBox     *notes_list;
  AdwEntryRow    *note_entry;
};

G_DEFINE_FINAL_TYPE (ObdVehiclePage, obd_vehicle_page, ADW_TYPE_BIN)

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
get_store (ObdVehiclePage *self)
{
  return self->session != NULL ? obd_session_get_store (self->session) : NULL;
}

static gint64
get_effective_vehicle_id (ObdVehiclePage *self)
{
  if (self->vehicle_id != 0)
    return self->vehicle_id;
  return self->session != NULL ? obd_session_get_vehicle_id (self->session) : 0;
}

static ObdUnitSystem
get_units (ObdVehiclePage *self)
{
  if (self->settings == NULL)
    return OBD_UNIT_SYSTEM_SI;
  return (ObdUnitSystem) g_settings_get_enum (self->settings, "units");
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
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
add_placeholder_row (GtkListBox *list,
                     const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "obd-list-placeholder");
  gtk_list_box_append (list, label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (label)), FALSE);
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL && *text != '\0' ? text : "—");
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
  const ObdSnapshot *snapshot = NULL;
  g_autoptr(GArray) ecus = g_array_new (FALSE, FALSE, sizeof (guint32));

  clear_list (self->ecu_list);

  /* The snapshot describes the car on the bench: only show it on that
   * car's page. */
  if (self->session != NULL &&
      obd_session_get_state (self->session) == OBD_SESSION_STATE_CONNECTED &&
      obd_session_get_vehicle_id (self->session) == self->vehicle->id)
    snapshot = obd_session_get_snapshot (self->session);

  if (snapshot == NULL)
    {
      add_placeholder_row (self->ecu_list,
                           _("Connect to the vehicle to read its control units, "
                             "calibration IDs and verification numbers."));
      return;
    }

  collect_ecus (ecus, snapshot->ecu_names);
  collect_ecus (ecus, snapshot->calibration_ids);
  collect_ecus (ecus, snapshot->cvns);
  if (ecus->len == 0)
    {
      add_placeholder_row (self->ecu_list,
                           _("The vehicle did not report any control unit information."));
      return;
    }

  for (guint i = 0; i < ecus->len; i++)
    {
      guint32 ecu = g_array_index (ecus, guint32, i);
      const char *name = record_ecu_name (snapshot, ecu);
      g_autofree char *cal = record_strings (snapshot->calibration_ids, ecu);
      g_autofree char *cvn = record_strings (snapshot->cvns, ecu);
      g_autofree char *title = NULL;
      g_autoptr(GString) subtitle = g_string_new (NULL);
      GtkWidget *row = adw_action_row_new ();

      /* Translators: a control unit by its bus address, e.g. "7E8" */
      title = name != NULL ? g_strdup_printf (_("%s (%X)"), name, ecu)
                           : g_strdup_printf (_("Control unit %X"), ecu);
      /* Translators: Mode 09 calibration identification */
      g_string_append_printf (subtitle, _("Calibration ID: %s"), cal != NULL ? cal : "—");
      g_string_append_c (subtitle, '\n');
      /* Translators: Mode 09 calibration verification number */
      g_string_append_printf (subtitle, _("CVN: %s"), cvn != NULL ? cvn : "—");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_list_box_append (self->ecu_list, row);
    }
}

/* Maintenance --------------------------------------------------------- */

static void
forecast_item (ObdVehiclePage                *self,
               const ObdStoreMaintenanceItem *item,
               ObdServiceForecast            *forecast)
{
  ObdServiceItem service = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today;

  service.interval_km = (double) item->interval_km;
  service.interval_days = (guint) MAX (item->interval_days, 0);
  service.last_done_km = (double) item->last_done_km;
  g_date_clear (&service.last_done_date, 1);
  if (item->last_done_us > 0)
    {
      g_autoptr(GDateTime) done = g_date_time_new_from_unix_local (item->last_done_us /
                                                                   G_USEC_PER_SEC);
      g_date_set_dmy (&service.last_done_date, g_date_time_get_day_of_month (done),
                      g_date_time_get_month (done), g_date_time_get_year (done));
    }
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));

  obd_service_forecast (&service, (double) self->vehicle->odometer_km, &today, NAN, forecast);
}

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
  if (text->len == 0)
    g_string_append (text, _("Due now"));
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
update_maintenance (ObdVehiclePage *self,
                    ObdStore       *store)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  clear_list (self->maintenance_list);
  items = obd_store_list_maintenance_items (store, self->vehicle->id, &error);
  if (items == NULL)
    {
      g_warning ("Could not list maintenance items: %s", error->message);
      add_placeholder_row (self->maintenance_list,
                           _("The maintenance items could not be read."));
      return;
    }
  if (items->len == 0)
    {
      add_placeholder_row (self->maintenance_list,
                           _("No maintenance items yet. Add one from the default "
                             "schedule, or a custom one."));
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (items, i);
      ObdServiceForecast forecast;
      g_autofree char *subtitle = NULL;
      g_autofree char *a11y = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *status;
      GtkWidget *done;

      forecast_item (self, item, &forecast);
      status = gtk_label_new (obd_service_status_get_label (forecast.status));
      subtitle = describe_forecast (self, item, &forecast);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);

      gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (status, "obd-status-pill");
      gtk_widget_add_css_class (status, status_css_class (forecast.status));
      gtk_widget_set_name (status, obd_service_status_get_key (forecast.status));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), status);

      done = gtk_button_new_from_icon_name ("object-select-symbolic");
      gtk_widget_set_valign (done, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (done, "flat");
      gtk_widget_set_tooltip_text (done, _("Mark as done today"));
      a11y = g_strdup_printf (_("Mark “%s” as done today"), item->title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (done),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (done), "vehicle.complete-maintenance");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (done), "x", item->id);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), done);

      gtk_list_box_append (self->maintenance_list, row);
    }
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
              ObdStore       *store)
{
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) error = NULL;

  clear_list (self->notes_list);
  notes = obd_store_list_notes (store, self->vehicle->id, 0, &error);
  if (notes == NULL)
    {
      g_warning ("Could not list notes: %s", error->message);
      add_placeholder_row (self->notes_list, _("The notes could not be read."));
      return;
    }
  if (notes->len == 0)
    {
      add_placeholder_row (self->notes_list, _("No notes about this vehicle yet."));
      return;
    }

  /* Newest first: the latest word on a car is what a mechanic reads first. */
  for (guint i = notes->len; i-- > 0;)
    {
      const ObdStoreNote *note = g_ptr_array_index (notes, i);
      g_autofree char *date = format_date (note->created_us);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      /* Translators: a note's author and date, "Ana Silva · 12 Mar 2024" */
      subtitle = g_strdup_printf (_("%s · %s"), note->author != NULL ? note->author : _("Unknown"),
                                  date);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), note->text);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->notes_list, row);
    }
}

/* Reload -------------------------------------------------------------- */

void
obd_vehicle_page_reload (ObdVehiclePage *self)
{
  ObdStore *store;
  gint64 vehicle_id;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OBD_IS_VEHICLE_PAGE (self));

  g_clear_pointer (&self->vehicle, obd_store_vehicle_free);
  store = get_store (self);
  vehicle_id = get_effective_vehicle_id (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vehicle.edit", FALSE);
  if (store == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }
  if (vehicle_id != 0)
    {
      self->vehicle = obd_store_get_vehicle (store, vehicle_id, &error);
      if (self->vehicle == NULL)
        g_warning ("Could not read vehicle %" G_GINT64_FORMAT ": %s", vehicle_id, error->message);
    }
  if (self->vehicle == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vehicle.edit",
                                 !obd_store_is_read_only (store));
  update_identity (self);
  update_ecus (self);
  update_maintenance (self, store);
  update_notes (self, store);
  gtk_stack_set_visible_child_name (self->stack, "content");
}

static void
report_error (ObdVehiclePage *self,
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

/* Notes: adding ------------------------------------------------------- */

static void
on_note_entry_apply_cb (ObdVehiclePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  ObdStore *store = get_store (self);
  g_autoptr(GError) error = NULL;

  /* "apply" and "entry-activated" can both fire for one Enter: the second
   * finds the entry already emptied. */
  if (*stripped == '\0' || store == NULL || self->vehicle == NULL)
    return;

  if (obd_store_add_note (store, self->vehicle->id, 0, g_get_real_name (), stripped,
                          &error) == 0)
    {
      report_error (self, _("The note could not be saved"), error);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  update_notes (self, store);
}

/* Maintenance: actions ------------------------------------------------ */

static void
complete_maintenance_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (widget);
  ObdStore *store = get_store (self);
  g_autoptr(GError) error = NULL;

  if (store == NULL || self->vehicle == NULL)
    return;
  if (!obd_store_complete_maintenance_item (store, g_variant_get_int64 (parameter),
                                            self->vehicle->odometer_km, g_get_real_time (),
                                            &error))
    {
      report_error (self, _("The maintenance item could not be updated"), error);
      return;
    }
  update_maintenance (self, store);
}

static void
add_maintenance_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (widget);
  const ObdServiceSchedule *entry = obd_service_schedule_lookup (g_variant_get_string (parameter,
                                                                                        NULL));
  ObdStore *store = get_store (self);
  g_autoptr(GError) error = NULL;

  if (entry == NULL || store == NULL || self->vehicle == NULL)
    return;
  if (obd_store_add_maintenance_item (store, self->vehicle->id,
                                      obd_service_schedule_get_label (entry),
                                      (gint64) lround (entry->interval_km),
                                      entry->interval_days,
                                      -1, 0, &error) == 0)
    {
      report_error (self, _("The maintenance item could not be added"), error);
      return;
    }
  update_maintenance (self, store);
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
  ObdStore *store;
  ObdStoreVehicle edited;
  gint64 year = -1;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "apply") != 0 || self == NULL || self->vehicle == NULL)
    return;
  store = get_store (self);
  if (store == NULL)
    return;

  edited = *self->vehicle;
  edited.make = dup_field (form->make);
  edited.model = dup_field (form->model);
  edited.plate = dup_field (form->plate);
  edited.owner_name = dup_field (form->owner);
  parse_count (form->year, &year);
  parse_count (form->odometer, &edited.odometer_km);
  edited.year = year > 0 ? (int) year : 0;

  if (!obd_store_update_vehicle (store, &edited, &error))
    report_error (self, _("The vehicle could not be saved"), error);
  g_free (edited.make);
  g_free (edited.model);
  g_free (edited.plate);
  g_free (edited.owner_name);
  obd_vehicle_page_reload (self);
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
  ObdStore *store;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "apply") != 0 || self == NULL || self->vehicle == NULL ||
      !read_custom_form (form, &title, &km, &months))
    return;
  store = get_store (self);
  if (store == NULL)
    return;
  if (obd_store_add_maintenance_item (store, self->vehicle->id, title, MAX (km, 0),
                                      months > 0 ? months_to_days ((guint) months) : 0,
                                      -1, 0, &error) == 0)
    report_error (self, _("The maintenance item could not be added"), error);
  update_maintenance (self, store);
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
on_session_changed_cb (ObdVehiclePage *self)
{
  obd_vehicle_page_reload (self);
}

static void
on_session_vehicle_changed_cb (ObdVehiclePage *self)
{
  if (self->vehicle_id == 0)
    obd_vehicle_page_reload (self);
}

static void
obd_vehicle_page_dispose (GObject *object)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (object);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->vehicle, obd_store_vehicle_free);
  /* The stack is both a template child and AdwBin's child: take it out of
   * the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_VEHICLE_PAGE);

  G_OBJECT_CLASS (obd_vehicle_page_parent_class)->dispose (object);
}

static void
obd_vehicle_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (object);

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
obd_vehicle_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ObdVehiclePage *self = OBD_VEHICLE_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_vehicle_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_VEHICLE_ID:
      obd_vehicle_page_set_vehicle_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_vehicle_page_class_init (ObdVehiclePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_vehicle_page_dispose;
  object_class->get_property = obd_vehicle_page_get_property;
  object_class->set_property = obd_vehicle_page_set_property;

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
                                               "/obd-vehicle-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, model_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, vin_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, plate_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, owner_row);
  gtk_widget_class_bind_template_child (widget_class, ObdVehiclePage, odometer_row);
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
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  build_maintenance_menu (self);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (SETTINGS_SCHEMA);
      g_signal_connect_object (self->settings, "changed::units",
                               G_CALLBACK (obd_vehicle_page_reload), self, G_CONNECT_SWAPPED);
    }

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-id",
                                  G_CALLBACK (on_session_vehicle_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::snapshot",
                                  G_CALLBACK (on_session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (on_session_changed_cb), self);

  obd_vehicle_page_reload (self);
}

GtkWidget *
obd_vehicle_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_VEHICLE_PAGE, "session", session, NULL);
}

ObdSession *
obd_vehicle_page_get_session (ObdVehiclePage *self)
{
  g_return_val_if_fail (OBD_IS_VEHICLE_PAGE (self), NULL);

  return self->session;
}

void
obd_vehicle_page_set_session (ObdVehiclePage *self,
                              ObdSession     *session)
{
  g_return_if_fail (OBD_IS_VEHICLE_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  obd_vehicle_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gint64
obd_vehicle_page_get_vehicle_id (ObdVehiclePage *self)
{
  g_return_val_if_fail (OBD_IS_VEHICLE_PAGE (self), 0);

  return self->vehicle_id;
}

void
obd_vehicle_page_set_vehicle_id (ObdVehiclePage *self,
                                 gint64          vehicle_id)
{
  g_return_if_fail (OBD_IS_VEHICLE_PAGE (self));
  g_return_if_fail (vehicle_id >= 0);

  if (self->vehicle_id == vehicle_id)
    return;
  self->vehicle_id = vehicle_id;
  obd_vehicle_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
}
