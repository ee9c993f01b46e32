/* obd-start-page.c — choose what to connect to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-clamp.h"
#include "obd-error.h"
#include "obd-ports.h"
#include "obd-sim-vehicle.h"
#include "obd-start-page.h"

/* How many vehicles and connections "Recent" lists. */
#define MAX_RECENT 8

struct _ObdStartPage
{
  AdwBin           parent_instance;

  ObdSession      *session;
  GSettings       *settings;
  GSignalGroup    *session_signals;
  GPtrArray       *port_rows;    /* AdwActionRow, in ports_group */
  GPtrArray       *recent_rows;  /* AdwActionRow, in recent_group */
  GPtrArray       *recent;       /* RecentVehicle, as last read from the store */
  GCancellable    *cancellable;  /* the port listing and the store's answers */
  char            *error_text;

  /* Template widgets */
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkLabel             *error_hint;
  GtkButton            *retry_button;
  GtkRevealer          *store_revealer;
  GtkLabel             *store_error_label;
  AdwActionRow         *sim_row;
  AdwComboRow          *scenario_row;
  AdwPreferencesGroup  *ports_group;
  AdwActionRow         *no_ports_row;
  AdwEntryRow          *wifi_row;
  GtkButton            *wifi_button;
  AdwPreferencesGroup  *recent_group;
};

G_DEFINE_FINAL_TYPE (ObdStartPage, obd_start_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A scenario's short title, from the simulator's own table (translated
 * there); an unknown key is shown as it is. */
static const char *
scenario_title (const char *name)
{
  gsize n_scenarios;
  const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n_scenarios);

  for (gsize i = 0; i < n_scenarios; i++)
    if (g_strcmp0 (scenarios[i].name, name) == 0)
      return _(scenarios[i].title);
  return name;
}

/* A connection string as a person reads it. */
static char *
describe_connection (const char *connection)
{
  if (g_strcmp0 (connection, "sim") == 0)
    return g_strdup (_("Simulated vehicle"));
  if (g_str_has_prefix (connection, "sim:"))
    {
      g_autofree char *name = g_strndup (connection + 4, strcspn (connection + 4, "?"));

      /* TRANSLATORS: %s is a scenario, e.g. “Misfire” */
      return g_strdup_printf (_("Simulated vehicle: %s"), scenario_title (name));
    }
  if (g_str_has_prefix (connection, "tcp:"))
    /* TRANSLATORS: %s is an address such as 192.168.0.10:35000 */
    return g_strdup_printf (_("Wi-Fi adapter at %s"), connection + 4);
  return g_strdup (connection);
}

static void
connect_to (ObdStartPage *self,
            const char   *connection)
{
  g_return_if_fail (connection != NULL && *connection != '\0');

  if (self->session == NULL)
    return;
  g_debug ("Connecting to %s", connection);
  obd_session_connect (self->session, connection);
}

/* GTK 4.8 names a labelled button after its label property (mnemonic
 * underscore included) followed by its label child, "_Cancel Cancel";
 * give it one clean name instead: name, or the label's text. */
static void
set_button_name (GtkButton  *button,
                 const char *name)
{
  GtkWidget *child = gtk_button_get_child (button);

  if (name == NULL && GTK_IS_LABEL (child))
    name = gtk_label_get_text (GTK_LABEL (child));
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

/* Error ---------------------------------------------------------------- */

static const char *
error_hint (const GError *error)
{
  if (g_error_matches (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_PERMISSION_DENIED))
    return _("Add your user to the “dialout” group, log out and back in, then try again.");
  if (g_error_matches (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_BUSY))
    return _("Close the other program that uses the adapter, then try again.");
  if (g_error_matches (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NOT_FOUND))
    return _("Check that the adapter is plugged in or in reach, look for adapters again, "
             "or choose another connection below.");
  return _("Try again, or choose another connection below.");
}

static void
update_error (ObdStartPage *self)
{
  const GError *error = NULL;
  gboolean show;

  if (self->session != NULL &&
      obd_session_get_state (self->session) == OBD_SESSION_STATE_DISCONNECTED)
    error = obd_session_get_error (self->session);

  show = error != NULL;
  g_clear_pointer (&self->error_text, g_free);
  if (show)
    {
      self->error_text = g_strdup (error->message);
      gtk_label_set_text (self->error_label, error->message);
      gtk_label_set_text (self->error_hint, error_hint (error));
    }
  gtk_revealer_set_reveal_child (self->error_revealer, show);
  gtk_widget_set_visible (GTK_WIDGET (self->error_revealer), show);
}

/* A keyboard user starts where the next step usually is: trying again
 * after a failure, else the simulated vehicle (the default). */
static void
obd_start_page_map (GtkWidget *widget)
{
  ObdStartPage *self = OBD_START_PAGE (widget);

  GTK_WIDGET_CLASS (obd_start_page_parent_class)->map (widget);

  if (self->error_text != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->sim_row));
}

static void
on_retry_button_clicked_cb (ObdStartPage *self)
{
  const char *connection = NULL;

  if (self->session != NULL)
    connection = obd_session_get_connection (self->session);
  if (connection == NULL || *connection == '\0')
    {
      g_autofree char *sim = obd_start_page_dup_sim_connection (self);
      connect_to (self, sim);
      return;
    }
  connect_to (self, connection);
}

/* Simulator ------------------------------------------------------------ */

char *
obd_start_page_dup_sim_connection (ObdStartPage *self)
{
  gsize n_scenarios;
  const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n_scenarios);
  guint selected;

  g_return_val_if_fail (OBD_IS_START_PAGE (self), NULL);

  selected = adw_combo_row_get_selected (self->scenario_row);
  if (selected >= n_scenarios)
    selected = 0;
  return g_strconcat ("sim:", scenarios[selected].name, NULL);
}

static void
on_scenario_row_selected_cb (ObdStartPage *self)
{
  gsize n_scenarios;
  const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n_scenarios);
  guint selected = adw_combo_row_get_selected (self->scenario_row);

  if (selected >= n_scenarios)
    return;
  adw_action_row_set_subtitle (self->sim_row, _(scenarios[selected].description));
}

static void
on_sim_row_activated_cb (ObdStartPage *self)
{
  g_autofree char *connection = obd_start_page_dup_sim_connection (self);

  connect_to (self, connection);
}

static void
setup_scenarios (ObdStartPage *self)
{
  gsize n_scenarios;
  const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n_scenarios);
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  for (gsize i = 0; i < n_scenarios; i++)
    gtk_string_list_append (model, _(scenarios[i].title));
  adw_combo_row_set_model (self->scenario_row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (self->scenario_row, 0);
  on_scenario_row_selected_cb (self);
}

/* Serial ports --------------------------------------------------------- */

static void
on_connection_row_activated_cb (AdwActionRow *row,
                                ObdStartPage *self)
{
  const char *connection = g_object_get_data (G_OBJECT (row), "connection");

  connect_to (self, connection);
}

static GtkWidget *
connection_row_new (ObdStartPage *self,
                    const char   *title,
                    const char   *subtitle,
                    const char   *icon_name,
                    const char   *connection)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  image = gtk_image_new_from_icon_name (icon_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
  if (connection != NULL)
    {
      image = gtk_image_new_from_icon_name ("go-next-symbolic");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), image);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "connection", g_strdup (connection), g_free);
      g_signal_connect_object (row, "activated", G_CALLBACK (on_connection_row_activated_cb),
                               self, 0);
    }
  return row;
}

static void
list_ports_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  g_task_return_pointer (task, obd_ports_list (), (GDestroyNotify) g_ptr_array_unref);
}

static void
show_ports (ObdStartPage *self,
            GPtrArray    *ports)
{
  for (guint i = 0; i < self->port_rows->len; i++)
    adw_preferences_group_remove (self->ports_group, g_ptr_array_index (self->port_rows, i));
  g_ptr_array_set_size (self->port_rows, 0);

  for (guint i = 0; i < ports->len; i++)
    {
      ObdPortInfo *info = g_ptr_array_index (ports, i);
      g_autofree char *subtitle = NULL;
      const char *title;
      GtkWidget *row;

      if (info->bluetooth)
        {
          title = info->title != NULL ? info->title : _("Bluetooth adapter");
          /* TRANSLATORS: %s is a device path such as /dev/rfcomm0 */
          subtitle = g_strdup_printf (_("%s · Bluetooth"), info->path);
        }
      else
        {
          title = info->title != NULL ? info->title : _("Serial port");
          subtitle = g_strdup (info->path);
        }
      row = connection_row_new (self, title, subtitle,
                                info->bluetooth ? "bluetooth-symbolic"
                                                : "preferences-system-devices-symbolic",
                                info->path);
      adw_preferences_group_add (self->ports_group, row);
      g_ptr_array_add (self->port_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_ports_row), ports->len == 0);
}

static void
on_ports_listed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(GPtrArray) ports = g_task_propagate_pointer (G_TASK (result), NULL);

  /* NULL: cancelled, the page is going. */
  if (ports != NULL)
    show_ports (OBD_START_PAGE (source), ports);
}

/* sysfs is read on a worker thread: a slow driver must not stall the
 * window. */
static void
refresh_ports (ObdStartPage *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_ports_listed_cb, NULL);

  g_task_run_in_thread (task, list_ports_thread);
}

static void
on_refresh_button_clicked_cb (ObdStartPage *self)
{
  refresh_ports (self);
}

guint
obd_start_page_get_n_port_rows (ObdStartPage *self)
{
  g_return_val_if_fail (OBD_IS_START_PAGE (self), 0);

  return self->port_rows->len;
}

/* Wi-Fi ---------------------------------------------------------------- */

/* HOST:PORT with a port: what a Wi-Fi ELM327 listens on. */
static gboolean
wifi_address_valid (const char *text)
{
  g_autoptr(GSocketConnectable) address = NULL;

  if (text == NULL || *text == '\0' || strchr (text, ' ') != NULL)
    return FALSE;
  address = g_network_address_parse (text, 0, NULL);
  return address != NULL && g_network_address_get_port (G_NETWORK_ADDRESS (address)) != 0;
}

static void
on_wifi_row_changed_cb (ObdStartPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->wifi_row));
  gboolean valid = wifi_address_valid (text);

  gtk_widget_set_sensitive (GTK_WIDGET (self->wifi_button), valid);
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->wifi_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->wifi_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->wifi_row), GTK_ACCESSIBLE_STATE_INVALID,
                               valid ? GTK_ACCESSIBLE_INVALID_FALSE : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
}

static void
on_wifi_connect_cb (ObdStartPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->wifi_row));
  g_autofree char *connection = NULL;

  if (!wifi_address_valid (text))
    {
      gtk_widget_error_bell (GTK_WIDGET (self->wifi_row));
      return;
    }
  connection = g_strconcat ("tcp:", text, NULL);
  connect_to (self, connection);
}

/* Recent --------------------------------------------------------------- */

typedef struct
{
  ObdStoreVehicle *vehicle;
  gint64           last_used_us;
  char            *connection;  /* of its newest session, or NULL */
} RecentVehicle;

static void
recent_vehicle_free (RecentVehicle *recent)
{
  obd_store_vehicle_free (recent->vehicle);
  g_free (recent->connection);
  g_free (recent);
}

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  const RecentVehicle *ra = *(RecentVehicle * const *) a;
  const RecentVehicle *rb = *(RecentVehicle * const *) b;

  /* Newest first. */
  return (rb->last_used_us > ra->last_used_us) - (rb->last_used_us < ra->last_used_us);
}

static char *
vehicle_title (const ObdStoreVehicle *vehicle)
{
  g_autoptr(GString) title = g_string_new (NULL);

  if (vehicle->year > 0)
    g_string_append_printf (title, "%d", vehicle->year);
  if (vehicle->make != NULL)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", vehicle->make);
  if (vehicle->model != NULL)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", vehicle->model);
  if (title->len == 0 && vehicle->vin != NULL)
    g_string_append (title, vehicle->vin);
  if (title->len == 0)
    g_string_append (title, _("Vehicle"));
  return g_string_free (g_steal_pointer (&title), FALSE);
}

/* The store's vehicles, newest first, on the store's thread. */
static gpointer
list_recent_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, error);
  GPtrArray *recent;

  if (vehicles == NULL)
    return NULL;

  recent = g_ptr_array_new_with_free_func ((GDestroyNotify) recent_vehicle_free);
  /* The items below take the vehicles over. */
  g_ptr_array_set_free_func (vehicles, NULL);
  for (guint i = 0; i < vehicles->len; i++)
    {
      RecentVehicle *item = g_new0 (RecentVehicle, 1);
      g_autoptr(GPtrArray) sessions = NULL;

      item->vehicle = g_ptr_array_index (vehicles, i);
      item->last_used_us = item->vehicle->updated_us;
      sessions = obd_store_list_sessions (store, item->vehicle->id, NULL);
      if (sessions != NULL && sessions->len > 0)
        {
          const ObdStoreSession *newest = g_ptr_array_index (sessions, 0);

          item->last_used_us = MAX (item->last_used_us, newest->started_us);
          item->connection = g_strdup (newest->connection);
        }
      g_ptr_array_add (recent, item);
    }
  g_ptr_array_sort (recent, compare_recent);
  return recent;
}

/* The VIN of the simulator's car (the same in every scenario). */
static const char *
simulator_vin (void)
{
  static char *vin = NULL;

  if (g_once_init_enter (&vin))
    {
      g_autoptr(ObdSimVehicle) vehicle = obd_sim_vehicle_new (NULL, 0, NULL);

      g_once_init_leave (&vin, g_strdup (vehicle != NULL ? obd_sim_vehicle_get_vin (vehicle)
                                                         : ""));
    }
  return vin;
}

/* The simulator has its own row with every scenario: its car and its
 * connections are not "recent" ones too. */
static gboolean
is_simulator (const char *connection)
{
  return connection != NULL && (g_str_equal (connection, "sim") ||
                                g_str_has_prefix (connection, "sim:"));
}

static void
show_recent (ObdStartPage *self)
{
  g_autoptr(GHashTable) shown = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) connections = NULL;

  for (guint i = 0; i < self->recent_rows->len; i++)
    adw_preferences_group_remove (self->recent_group, g_ptr_array_index (self->recent_rows, i));
  g_ptr_array_set_size (self->recent_rows, 0);

  for (guint i = 0; self->recent != NULL && i < self->recent->len &&
                    self->recent_rows->len < MAX_RECENT; i++)
    {
      RecentVehicle *item = g_ptr_array_index (self->recent, i);
      g_autofree char *title = NULL;
      g_autofree char *via = NULL;
      g_autoptr(GString) subtitle = g_string_new (NULL);
      GtkWidget *row;

      if (is_simulator (item->connection) ||
          g_strcmp0 (item->vehicle->vin, simulator_vin ()) == 0)
        continue;
      title = vehicle_title (item->vehicle);
      if (item->vehicle->vin != NULL && g_strcmp0 (title, item->vehicle->vin) != 0)
        g_string_append (subtitle, item->vehicle->vin);
      if (item->vehicle->plate != NULL)
        g_string_append_printf (subtitle, "%s%s", subtitle->len ? " · " : "",
                                item->vehicle->plate);
      if (item->connection != NULL)
        {
          via = describe_connection (item->connection);
          g_string_append_printf (subtitle, "%s%s", subtitle->len ? " · " : "", via);
          g_hash_table_add (shown, item->connection);
        }
      row = connection_row_new (self, title, subtitle->len ? subtitle->str : NULL,
                                "document-open-recent-symbolic", item->connection);
      adw_preferences_group_add (self->recent_group, row);
      g_ptr_array_add (self->recent_rows, row);
    }

  /* Connections used recently that no vehicle row above stands for (no
   * store, or nothing recorded through them). */
  if (self->settings != NULL)
    connections = g_settings_get_strv (self->settings, "recent-connections");
  for (guint i = 0; connections != NULL && connections[i] != NULL; i++)
    {
      g_autofree char *title = NULL;
      GtkWidget *row;

      if (self->recent_rows->len >= MAX_RECENT)
        break;
      if (*connections[i] == '\0' || is_simulator (connections[i]) ||
          g_hash_table_contains (shown, connections[i]))
        continue;
      g_hash_table_add (shown, connections[i]);
      title = describe_connection (connections[i]);
      row = connection_row_new (self, title,
                                g_strcmp0 (title, connections[i]) != 0 ? connections[i] : NULL,
                                "document-open-recent-symbolic", connections[i]);
      adw_preferences_group_add (self->recent_group, row);
      g_ptr_array_add (self->recent_rows, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), self->recent_rows->len > 0);
}

static void
on_recent_listed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(ObdStartPage) self = data;
  g_autoptr(GError) error = NULL;
  GPtrArray *recent = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Without the store the recent connections are still worth showing;
   * why the store failed is said once, in the window's banner. */
  g_clear_pointer (&self->recent, g_ptr_array_unref);
  self->recent = recent;
  show_recent (self);
}

static void
refresh_recent (ObdStartPage *self)
{
  ObdStoreService *store = self->session != NULL ? obd_session_get_store (self->session) : NULL;

  show_recent (self);
  if (store == NULL)
    return;
  obd_store_service_run_async (store, list_recent_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT,
                               self->cancellable, on_recent_listed_cb, g_object_ref (self));
}

void
obd_start_page_refresh (ObdStartPage *self)
{
  g_return_if_fail (OBD_IS_START_PAGE (self));

  refresh_ports (self);
  refresh_recent (self);
}

/* Session -------------------------------------------------------------- */

static void
on_session_state_cb (ObdStartPage *self)
{
  update_error (self);
  /* A finished connection may have added a vehicle to the store. */
  if (obd_session_get_state (self->session) == OBD_SESSION_STATE_DISCONNECTED)
    refresh_recent (self);
}

static void
on_recent_connections_changed_cb (ObdStartPage *self)
{
  show_recent (self);
}

ObdSession *
obd_start_page_get_session (ObdStartPage *self)
{
  g_return_val_if_fail (OBD_IS_START_PAGE (self), NULL);

  return self->session;
}

void
obd_start_page_set_session (ObdStartPage *self,
                            ObdSession   *session)
{
  g_return_if_fail (OBD_IS_START_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  update_error (self);
  refresh_recent (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

const char *
obd_start_page_get_error_text (ObdStartPage *self)
{
  g_return_val_if_fail (OBD_IS_START_PAGE (self), NULL);

  return self->error_text;
}

void
obd_start_page_set_store_error (ObdStartPage *self,
                                const GError *error)
{
  g_return_if_fail (OBD_IS_START_PAGE (self));

  if (error != NULL)
    {
      g_autofree char *text = NULL;

      /* TRANSLATORS: %s says why the store could not be opened */
      text = g_strdup_printf (_("The vehicle history could not be opened: %s\n"
                                "You can still connect and read vehicles, but nothing "
                                "is saved until the app is restarted with a working store."),
                              error->message);
      gtk_label_set_text (self->store_error_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->store_revealer), error != NULL);
  gtk_revealer_set_reveal_child (self->store_revealer, error != NULL);
}

GtkWidget *
obd_start_page_get_sim_row (ObdStartPage *self)
{
  g_return_val_if_fail (OBD_IS_START_PAGE (self), NULL);

  return GTK_WIDGET (self->sim_row);
}

/* GObject -------------------------------------------------------------- */

static void
obd_start_page_constructed (GObject *object)
{
  ObdStartPage *self = OBD_START_PAGE (object);

  G_OBJECT_CLASS (obd_start_page_parent_class)->constructed (object);

  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::recent-connections",
                             G_CALLBACK (on_recent_connections_changed_cb), self,
                             G_CONNECT_SWAPPED);
  obd_start_page_refresh (self);
}

static void
obd_start_page_dispose (GObject *object)
{
  ObdStartPage *self = OBD_START_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_START_PAGE);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (obd_start_page_parent_class)->dispose (object);
}

static void
obd_start_page_finalize (GObject *object)
{
  ObdStartPage *self = OBD_START_PAGE (object);

  g_ptr_array_unref (self->port_rows);
  g_ptr_array_unref (self->recent_rows);
  g_clear_pointer (&self->recent, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->error_text);

  G_OBJECT_CLASS (obd_start_page_parent_class)->finalize (object);
}

static void
obd_start_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdStartPage *self = OBD_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_start_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdStartPage *self = OBD_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_start_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_start_page_class_init (ObdStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = obd_start_page_constructed;
  object_class->dispose = obd_start_page_dispose;
  object_class->finalize = obd_start_page_finalize;
  object_class->get_property = obd_start_page_get_property;
  object_class->set_property = obd_start_page_set_property;
  widget_class->map = obd_start_page_map;
  g_type_ensure (OBD_TYPE_CLAMP);

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Links the resources of this static library in (their constructor
   * registers them); nothing else refers to them by symbol. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, error_hint);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, store_revealer);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, store_error_label);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, sim_row);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, scenario_row);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, ports_group);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, no_ports_row);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, wifi_row);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, wifi_button);
  gtk_widget_class_bind_template_child (widget_class, ObdStartPage, recent_group);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sim_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_scenario_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_wifi_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_wifi_connect_cb);
}

static void
obd_start_page_init (ObdStartPage *self)
{
  self->port_rows = g_ptr_array_new ();
  self->recent_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (on_session_state_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::error",
                                  G_CALLBACK (update_error), self);

  set_button_name (self->retry_button, NULL);
  set_button_name (self->wifi_button, _("Connect to the Wi-Fi adapter"));
  setup_scenarios (self);
  on_wifi_row_changed_cb (self);
  update_error (self);
}

GtkWidget *
obd_start_page_new (ObdSession *session,
                    GSettings  *settings)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (OBD_TYPE_START_PAGE, "session", session, "settings", settings, NULL);
}
