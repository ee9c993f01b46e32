/* obd-application.c — the workshop application: store, session, settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One ObdSession per application, on the local store, which opens on its
 * own thread (the first window does not wait for it); the window observes
 * both.  The application keeps the session in line with the
 * settings (alert thresholds, polling strategy), remembers the
 * connections used, and turns critical live alerts into desktop
 * notifications when nobody is looking at the window.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "obd-adapter.h"
#include "obd-app-settings.h"
#include "obd-application.h"
#include "obd-enum-types.h"
#include "obd-expert-window.h"
#include "obd-preferences-window.h"
#include "obd-sim-transport.h"
#include "obd-sync-preferences-page.h"
#include "obd-window.h"

#define SCHEMA_ID "io.github.obd2diagnostics.Workshop"
/* How many connections "recent-connections" keeps. */
#define MAX_RECENT_CONNECTIONS 8

struct _ObdApplication
{
  AdwApplication  parent_instance;

  GSettings       *settings;
  ObdStoreService *store;
  ObdSession      *session;
  ObdSyncManager  *sync;

  char           *db_path;           /* --db */
  char           *connect_at_start;  /* --connect */
  gboolean        started_once;      /* the first activation connected */
};

G_DEFINE_FINAL_TYPE (ObdApplication, obd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use this local store instead of the one in the user’s data folder"), N_("FILE") },
  { "connect", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Connect at start: sim, sim:SCENARIO, a serial device or tcp:HOST:PORT"),
    N_("CONNECTION") },
  { NULL }
};

/* Settings → session ------------------------------------------------- */

static void
apply_thresholds (ObdApplication *self)
{
  ObdAlertThresholds thresholds;
  g_autoptr(GError) error = NULL;

  /* The preferences keep each limit in its range; limits that contradict
   * each other leave the session with the last consistent set. */
  if (!obd_app_settings_read_thresholds (self->settings, &thresholds, &error))
    {
      g_warning ("Alert limits not applied: %s", error->message);
      return;
    }
  obd_session_set_alert_thresholds (self->session, &thresholds);
}

static void
apply_strategy (ObdApplication *self)
{
  /* The session uses it from its next connection on. */
  obd_session_set_strategy (self->session,
                            (ObdStrategy) obd_app_settings_get_enum (self->settings,
                                                                     "polling-strategy",
                                                                     OBD_TYPE_STRATEGY,
                                                                     OBD_STRATEGY_FAST));
}

static void
on_settings_changed_cb (ObdApplication *self,
                        const char     *key)
{
  if (obd_alert_limit_lookup (key) != NULL)
    apply_thresholds (self);
  else if (g_str_equal (key, "polling-strategy"))
    apply_strategy (self);
}

/* Session → settings, notifications ------------------------------------ */

static void
remember_connection (ObdApplication *self,
                     const char     *connection)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-connections");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_strv_builder_add (builder, connection);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT_CONNECTIONS; i++)
    if (!g_str_equal (old[i], connection))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-connections", (const char * const *) recent);
}

static void
on_session_state_cb (ObdApplication *self)
{
  const char *connection = obd_session_get_connection (self->session);

  if (obd_session_get_state (self->session) == OBD_SESSION_STATE_CONNECTED &&
      connection != NULL && *connection != '\0')
    remember_connection (self, connection);
}

static gboolean
window_is_active (ObdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return window != NULL && gtk_window_is_active (window);
}

static void
on_session_alert_cb (ObdApplication      *self,
                     const ObdAlertEvent *event)
{
  g_autofree char *id = NULL;

  if (event->severity != OBD_HEALTH_SEVERITY_CRITICAL)
    return;
  id = g_strdup_printf ("alert-%s-%s", obd_alert_kind_get_key (event->kind),
                        event->key != NULL ? event->key : "");

  if (event->type == OBD_ALERT_EVENT_CLEARED)
    {
      g_application_withdraw_notification (G_APPLICATION (self), id);
      return;
    }

  /* The window shows a toast itself; the desktop is for when nobody looks. */
  if (g_settings_get_boolean (self->settings, "notify-critical") && !window_is_active (self))
    {
      g_autoptr(GNotification) notification = g_notification_new (event->title);

      g_notification_set_body (notification, event->message);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
      g_notification_set_default_action (notification, "app.show-window");
      g_application_send_notification (G_APPLICATION (self), id, notification);
    }
}

/* The store opens on its own thread; if it cannot, every window says so. */
static void
on_store_error_cb (ObdApplication *self)
{
  const GError *error = obd_store_service_get_error (self->store);

  if (error == NULL)
    return;
  g_message ("Running without a local store: %s", error->message);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (OBD_IS_WINDOW (l->data))
      obd_window_set_store_error (l->data, error);
}

/* Start-up probe --------------------------------------------------------- */

/* OBD2_STARTUP_PROBE set: tells tests/bench/bench-startup.c on stdout when
 * the first frame was drawn and when the vehicle answered, in
 * g_get_monotonic_time () microseconds (one clock for every process). */
static void
probe_print (const char *what)
{
  g_print ("%s %" G_GINT64_FORMAT "\n", what, g_get_monotonic_time ());
  fflush (stdout);
}

static void
on_probe_first_frame_cb (GdkFrameClock *clock)
{
  probe_print ("first-frame");
  g_signal_handlers_disconnect_by_func (clock, on_probe_first_frame_cb, NULL);
}

static void
on_probe_state_cb (ObdSession *session)
{
  if (obd_session_get_state (session) != OBD_SESSION_STATE_CONNECTED)
    return;
  probe_print ("connected");
  g_signal_handlers_disconnect_by_func (session, on_probe_state_cb, NULL);
}

static void
start_probe (ObdApplication *self,
             GtkWidget      *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_probe_first_frame_cb), NULL);
  g_signal_connect (self->session, "notify::state", G_CALLBACK (on_probe_state_cb), NULL);
}

/* Actions ---------------------------------------------------------------- */

static ObdWindow *
ensure_window (ObdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (OBD_IS_WINDOW (window))
    return OBD_WINDOW (window);

  window = GTK_WINDOW (obd_window_new (GTK_APPLICATION (self), self->session, self->settings));
  obd_window_set_sync (OBD_WINDOW (window), self->sync);
  if (obd_store_service_get_error (self->store) != NULL)
    obd_window_set_store_error (OBD_WINDOW (window), obd_store_service_get_error (self->store));
  return OBD_WINDOW (window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ObdApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing the windows lets them save their size. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (self));
}

static void
show_window_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (ensure_window (user_data)));
}

static GtkWidget *
preferences_new (ObdApplication *self)
{
  GtkWidget *preferences = obd_preferences_window_new (self->settings);

  /* The sync page needs the manager, which the window does not know. */
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (preferences),
                              ADW_PREFERENCES_PAGE (obd_sync_preferences_page_new (self->sync)));
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (ensure_window (self)));
  gtk_window_set_modal (GTK_WINDOW (preferences), TRUE);
  return preferences;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (preferences_new (user_data)));
}

static void
sync_settings_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkWidget *preferences = preferences_new (user_data);

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "sync");
  gtk_window_present (GTK_WINDOW (preferences));
}

/* Any role may watch a mechanic's car: the window asks for the code. */
static void
join_expert_session_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  ObdApplication *self = user_data;
  GtkWidget *window = obd_expert_window_new (self->sync, self->settings);

  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  ObdApplication *self = user_data;
  static const char *developers[] = { "The OBD2 Diagnostics developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", ensure_window (self),
                        "modal", TRUE,
                        "application-name", _("OBD2 Diagnostics"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The OBD2 Diagnostics developers"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", "https://github.com/obd2diagnostics/workshop",
                        "issue-url", "https://github.com/obd2diagnostics/workshop/issues",
                        "comments", _("Read trouble codes, watch live data and follow the "
                                      "health of vehicles through an ELM327 adapter."),
                        /* TRANSLATORS: your name and e-mail, one translator a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  ObdWindow *window = ensure_window (user_data);

  /* GtkApplication gave each window its help overlay (gtk/help-overlay.ui
   * under the resource base path) and the action that shows it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
connect_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ObdApplication *self = user_data;
  const char *connection = g_variant_get_string (parameter, NULL);
  g_autofree char *fallback = NULL;

  /* An empty target means the default connection of the preferences. */
  if (*connection == '\0')
    connection = fallback = g_settings_get_string (self->settings, "default-connection");
  if (*connection == '\0')
    return;
  gtk_window_present (GTK_WINDOW (ensure_window (self)));
  obd_session_connect (self->session, connection);
}

static void
disconnect_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  ObdApplication *self = user_data;

  obd_session_disconnect (self->session);
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ObdApplication *self = user_data;
  ObdWindow *window = ensure_window (self);
  /* The help keeps one ID in development builds, like the schema; F1
   * opens the topic of what the window shows. */
  g_autofree char *uri = g_strdup_printf ("help:" SCHEMA_ID "/%s",
                                          obd_window_get_help_topic (window));

  obd_window_open_help (window, uri);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "help", help_action },
  { "show-window", show_window_action },
  { "preferences", preferences_action },
  { "sync-settings", sync_settings_action },
  { "join-expert-session", join_expert_session_action },
  { "about", about_action },
  { "shortcuts", shortcuts_action },
  { "connect", connect_action, "s" },
  { "disconnect", disconnect_action },
};

/* GApplication ------------------------------------------------------------ */

static int
obd_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  ObdApplication *self = OBD_APPLICATION (application);
  g_autoptr(GError) error = NULL;

  g_variant_dict_lookup (options, "db", "^ay", &self->db_path);
  g_variant_dict_lookup (options, "connect", "s", &self->connect_at_start);

  if (self->connect_at_start == NULL)
    return -1;

  /* When the app already runs, hand the connection to it. */
  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (g_application_get_is_remote (application))
    {
      if (self->db_path != NULL)
        g_printerr (_("The application is already running; --db is ignored.\n"));
      g_action_group_activate_action (G_ACTION_GROUP (application), "connect",
                                      g_variant_new_string (self->connect_at_start));
      return 0;
    }
  return -1;
}

static void
obd_application_startup (GApplication *application)
{
  ObdApplication *self = OBD_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *no_accels[] = { NULL };
  const char *path;

  /* Loads style.css and gtk/help-overlay.ui from the resource base path. */
  G_APPLICATION_CLASS (obd_application_parent_class)->startup (application);

  /* "sim" and "sim:SCENARIO" connect to the built-in simulated vehicle. */
  obd_sim_register ();
  self->settings = g_settings_new (SCHEMA_ID);

  path = self->db_path != NULL ? self->db_path : obd_store_get_default_path ();
  self->store = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  g_signal_connect_object (self->store, "notify::error", G_CALLBACK (on_store_error_cb), self,
                           G_CONNECT_SWAPPED);

  self->session = obd_session_new (self->store);
  /* Syncs the store with the shop's server, if one is set, and shares
   * the session live when asked. */
  self->sync = obd_sync_manager_new (self->store, self->settings);
  obd_sync_manager_set_session (self->sync, self->session);
  apply_thresholds (self);
  apply_strategy (self);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (on_session_state_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "alert", G_CALLBACK (on_session_alert_cb),
                           self, G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  /* Ctrl+? belongs to app.shortcuts, which shows the same overlay. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         no_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts",
                                         shortcuts_accels);
}

static void
obd_application_activate (GApplication *application)
{
  ObdApplication *self = OBD_APPLICATION (application);
  ObdWindow *window = ensure_window (self);
  g_autofree char *role = NULL;

  gtk_window_present (GTK_WINDOW (window));

  if (self->started_once)
    return;
  self->started_once = TRUE;
  if (g_getenv ("OBD2_STARTUP_PROBE") != NULL)
    start_probe (self, GTK_WIDGET (window));

  /* --connect wins; otherwise a set-up app connects to the default
   * connection, as the schema promises.  The first run asks for the role
   * and then offers the start page instead.  A fleet manager's view needs
   * no car, and a fleet account may not sync what a car's reading writes
   * (codes, sessions). */
  role = g_settings_get_string (self->settings, "role");
  if (self->connect_at_start != NULL)
    obd_session_connect (self->session, self->connect_at_start);
  else if (!g_settings_get_boolean (self->settings, "first-run")
           && !g_str_equal (role, "fleet"))
    {
      g_autofree char *connection = g_settings_get_string (self->settings,
                                                           "default-connection");

      if (*connection != '\0')
        obd_session_connect (self->session, connection);
    }
}

static void
obd_application_shutdown (GApplication *application)
{
  ObdApplication *self = OBD_APPLICATION (application);

  if (self->session != NULL)
    obd_session_disconnect (self->session);

  G_APPLICATION_CLASS (obd_application_parent_class)->shutdown (application);

  /* Sync stops first (its client's thread has a connection of its own to
   * the store); the recorder seals its session as the session goes; then
   * the store finishes the writes asked for and closes. */
  if (self->sync != NULL)
    obd_sync_manager_set_session (self->sync, NULL);
  g_clear_object (&self->sync);
  g_clear_object (&self->session);
  if (self->store != NULL)
    obd_store_service_close (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
}

static void
obd_application_finalize (GObject *object)
{
  ObdApplication *self = OBD_APPLICATION (object);

  g_clear_object (&self->sync);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_free (self->db_path);
  g_free (self->connect_at_start);

  G_OBJECT_CLASS (obd_application_parent_class)->finalize (object);
}

static void
obd_application_class_init (ObdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = obd_application_finalize;
  app_class->handle_local_options = obd_application_handle_local_options;
  app_class->startup = obd_application_startup;
  app_class->activate = obd_application_activate;
  app_class->shutdown = obd_application_shutdown;
}

static void
obd_application_init (ObdApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

ObdApplication *
obd_application_new (void)
{
  return g_object_new (OBD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

ObdSession *
obd_application_get_session (ObdApplication *self)
{
  g_return_val_if_fail (OBD_IS_APPLICATION (self), NULL);

  return self->session;
}

ObdSyncManager *
obd_application_get_sync (ObdApplication *self)
{
  g_return_val_if_fail (OBD_IS_APPLICATION (self), NULL);

  return self->sync;
}

GSettings *
obd_application_get_settings (ObdApplication *self)
{
  g_return_val_if_fail (OBD_IS_APPLICATION (self), NULL);

  return self->settings;
}

ObdStoreService *
obd_application_get_store (ObdApplication *self)
{
  g_return_val_if_fail (OBD_IS_APPLICATION (self), NULL);

  return self->store;
}
