/* test-app-window.c — the application shell: window, start page, roles,
 * failures, preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-window"
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lsan-quarks.h"
#include "obd-app-enum-types.h"
#include "obd-app-settings.h"
#include "obd-app-util.h"
#include "obd-enum-types.h"
#include "obd-application.h"
#include "obd-i18n.h"
#include "obd-live-page.h"
#include "obd-preferences-window.h"
#include "obd-recorder.h"
#include "obd-row.h"
#include "obd-recording-private.h"
#include "obd-store-private.h"
#include "obd-sim-transport.h"
#include "obd-sim-vehicle.h"
#include "obd-history-page.h"
#include "obd-trend-chart.h"
#include "obd-vehicle-page.h"
#include "obd-window.h"
#include "test-wait.h"

#define SCHEMA_ID "io.github.obd2diagnostics.Workshop"
#define GOOD_SIM "sim:healthy-idle?timing=0"
#define IGNITION_OFF_SIM "sim:healthy-idle?timing=0&fault=ignition-off"

TEST_LSAN_FONTCONFIG

/* Helpers ------------------------------------------------------------- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *id)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (widget), type, id));
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main loop until condition holds or seconds pass; returns
 * whether it holds. */
static gboolean
try_wait (Condition  condition,
          gpointer   data,
          double     seconds)
{
  /* Every wait here fails the test when it runs out, so its length is only
   * an upper bound: four times what an idle machine needs, for a sanitizer
   * build on a loaded one. */
  gint64 deadline = g_get_monotonic_time () + (gint64) (4 * seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean holds;

  while (!(holds = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return holds;
}

static void
wait_until (Condition    condition,
            gpointer     data,
            double       seconds,
            const char  *what)
{
  if (!try_wait (condition, data, seconds))
    g_error ("Timed out waiting for %s", what);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static void
wait_frames (GtkWidget *widget,
             guint      n_frames)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (frames < n_frames)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  gtk_widget_remove_tick_callback (widget, id);
}

typedef struct
{
  GtkWidget *widget;
  int        width;
} SizeWait;

static gboolean
has_width_cb (gpointer data)
{
  SizeWait *wait = data;

  /* The default size includes the frame of client-side decorations. */
  return gtk_widget_get_mapped (wait->widget) &&
         (wait->width < 0 || ABS (gtk_widget_get_width (wait->widget) - wait->width) <= 24);
}

static void
resize_window (GtkWidget *window,
               int        width,
               int        height)
{
  SizeWait wait = { window, width };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  if (!try_wait (has_width_cb, &wait, 10))
    {
      int min, nat;

      gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_error ("The window did not take a width of %d: it is %d wide, at least %d", width,
               gtk_widget_get_width (window), min);
    }
  /* The view switcher bar slides in or out when the width crosses. */
  wait_frames (window, 30);
}

static GSettings *
fresh_settings (const char *role,
                gboolean    first_run)
{
  GSettings *settings = g_settings_new (SCHEMA_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  /* The memory backend lives as long as the process: start every test
   * from the defaults. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  g_settings_set_string (settings, "role", role);
  g_settings_set_boolean (settings, "first-run", first_run);
  return settings;
}

/* The string value of a settings key, freed with the settings. */
static const char *
setting (GSettings  *settings,
         const char *key)
{
  char *value = g_settings_get_string (settings, key);

  g_object_set_data_full (G_OBJECT (settings), key, value, g_free);
  return value;
}

static ObdWindow *
window_new (ObdSession *session,
            GSettings  *settings)
{
  ObdWindow *window;

  lsan_quarks_ignore_table ();
  window = obd_window_new (NULL, session, settings);

  /* Keep a reference past gtk_window_destroy () for finalize checks. */
  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 750);
  gtk_window_present (GTK_WINDOW (window));
  {
    SizeWait wait = { GTK_WIDGET (window), -1 };
    wait_until (has_width_cb, &wait, 10, "the window to map");
  }
  return window;
}

static gboolean
pointer_cleared_cb (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops the last reference and waits for the object to go: jobs still
 * running (a snapshot read, a stopping worker) hold it for a moment. */
static void
assert_finalized (gpointer object,
                  const char *what)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  if (!try_wait (pointer_cleared_cb, &weak, 10))
    g_error ("%s was not finalized (%u references left)", what,
             G_OBJECT (weak)->ref_count);
}

static void
window_free (ObdWindow  *window,
             ObdSession *session)
{
  obd_session_disconnect (session);
  gtk_window_destroy (GTK_WINDOW (window));
  assert_finalized (window, "The window");
  assert_finalized (session, "The session");
}

typedef struct
{
  ObdWindow  *window;
  const char *view;
} ViewWait;

static gboolean
view_is_cb (gpointer data)
{
  ViewWait *wait = data;

  return g_strcmp0 (obd_window_get_view (wait->window), wait->view) == 0;
}

static void
wait_for_view (ObdWindow  *window,
               const char *view)
{
  ViewWait wait = { window, view };
  ObdSession *session = obd_window_get_session (window);
  const GError *error;

  if (try_wait (view_is_cb, &wait, 30))
    return;
  error = obd_session_get_error (session);
  g_error ("Timed out waiting for the view “%s”: it is “%s”, the session is in state %d "
           "(“%s”), error: %s", view, obd_window_get_view (window),
           obd_session_get_state (session), obd_session_get_status_text (session),
           error != NULL ? error->message : "none");
}

static gboolean
snapshot_read_cb (gpointer data)
{
  return obd_session_get_snapshot (data) != NULL;
}

static const char *
screenshot_dir (void)
{
  return g_getenv ("OBD2_SCREENSHOT_DIR");
}

static void
save_screenshot (GtkWidget  *window,
                 const char *name)
{
  const char *dir = screenshot_dir ();
  GdkPaintable *paintable;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  if (dir == NULL)
    return;

  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  g_object_unref (paintable);
}

/* Light and dark at the normal size, then light at 360 px wide. */
static void
screenshots (ObdWindow  *window,
             const char *prefix)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *widget = GTK_WIDGET (window);
  g_autofree char *light = g_strdup_printf ("%s-light.png", prefix);
  g_autofree char *dark = g_strdup_printf ("%s-dark.png", prefix);
  g_autofree char *narrow = g_strdup_printf ("%s-narrow.png", prefix);
  g_autofree char *narrow_dark = g_strdup_printf ("%s-narrow-dark.png", prefix);

  if (screenshot_dir () == NULL)
    return;

  /* Let cross-fades and reveals finish (about half a second). */
  resize_window (widget, 1100, 750);
  wait_frames (widget, 30);
  save_screenshot (widget, light);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (widget, 3);
  save_screenshot (widget, dark);
  resize_window (widget, 360, 720);
  save_screenshot (widget, narrow_dark);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_frames (widget, 3);
  save_screenshot (widget, narrow);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  resize_window (widget, 1100, 750);
}

/* Offered by its view stack: a page sits in a slot of the stack, and is
 * itself hidden while another slot shows. */
static gboolean
is_visible_in_view_stack (GtkWidget *page)
{
  GtkWidget *slot = gtk_widget_get_parent (page);
  GtkWidget *stack = slot != NULL ? gtk_widget_get_parent (slot) : NULL;

  if (!ADW_IS_VIEW_STACK (stack))
    return gtk_widget_get_visible (page);
  return adw_view_stack_page_get_visible (adw_view_stack_get_page (ADW_VIEW_STACK (stack),
                                                                   slot));
}

static void
assert_pages (ObdWindow          *window,
              const char * const *present)
{
  static const char *all[] = {
    "overview", "live", "codes", "readiness", "vehicle", "history", "fleet", "owner", NULL,
  };

  for (guint i = 0; all[i] != NULL; i++)
    {
      GtkWidget *page = obd_window_get_page (window, all[i]);

      if (g_strv_contains (present, all[i]))
        {
          g_assert_nonnull (page);
          g_assert_true (is_visible_in_view_stack (page));
          g_assert_true (gtk_widget_get_root (page) == GTK_ROOT (window));
        }
      else
        {
          g_assert_null (page);
        }
    }
}

/* Tests -------------------------------------------------------------- */

static void
test_start_page (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window;
  ObdStartPage *start;
  g_autofree char *sim = NULL;
  AdwComboRow *scenarios;
  gsize n_scenarios;
  const char *recent[] = { "sim:misfire", "tcp:192.168.0.10:35000", NULL };

  g_settings_set_strv (settings, "recent-connections", recent);
  window = window_new (session, settings);
  g_assert_cmpstr (obd_window_get_view (window), ==, "start");

  start = obd_window_get_start_page (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (start)));
  g_assert_true (gtk_widget_get_mapped (obd_start_page_get_sim_row (start)));
  g_assert_true (gtk_list_box_row_get_activatable (
                   GTK_LIST_BOX_ROW (obd_start_page_get_sim_row (start))));

  /* The simulator is the default, with every scenario to choose from. */
  sim = obd_start_page_dup_sim_connection (start);
  g_assert_cmpstr (sim, ==, "sim:healthy-idle");
  obd_sim_list_scenarios (&n_scenarios);
  scenarios = ADW_COMBO_ROW (template_child (start, OBD_TYPE_START_PAGE, "scenario_row"));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (scenarios)), ==,
                    n_scenarios);
  /* Each reads as words from the simulator's table, never its key, and
   * says its story under the row when picked. */
  for (guint i = 0; i < n_scenarios; i++)
    {
      const ObdSimScenarioInfo *info = &obd_sim_list_scenarios (NULL)[i];
      g_autoptr(GtkStringObject) item = g_list_model_get_item (adw_combo_row_get_model (scenarios),
                                                               i);

      /* In the language the test runs in (English unless OBD2_LOCALEDIR). */
      g_assert_cmpstr (gtk_string_object_get_string (item), ==,
                       g_dgettext (GETTEXT_PACKAGE, info->title));
      g_assert_cmpstr (gtk_string_object_get_string (item), !=, info->name);
      g_assert_true (g_ascii_isupper (info->title[0]));
      adw_combo_row_set_selected (scenarios, i);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                                                      obd_start_page_get_sim_row (start))),
                       ==, g_dgettext (GETTEXT_PACKAGE, info->description));
    }
  adw_combo_row_set_selected (scenarios, 2);
  g_free (sim);
  sim = obd_start_page_dup_sim_connection (start);
  g_assert_cmpstr (sim, ==, "sim:misfire");
  adw_combo_row_set_selected (scenarios, 0);

  /* No error yet; nothing but the simulator and any real ports. */
  g_assert_null (obd_start_page_get_error_text (start));
  g_test_message ("serial ports listed: %u", obd_start_page_get_n_port_rows (start));

  screenshots (window, "start");
  window_free (window, session);
}

static void
test_store_error (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                 "Permission denied");
  GtkWidget *revealer;

  obd_window_set_store_error (window, error);
  revealer = template_child (obd_window_get_start_page (window), OBD_TYPE_START_PAGE,
                             "store_revealer");
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_true (gtk_widget_get_visible (revealer));
  window_free (window, session);
}

static void
test_welcome (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", TRUE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  GtkWidget *owner_row;

  g_assert_cmpstr (obd_window_get_view (window), ==, "welcome");
  /* The welcome page shows the app's icon, not a broken image, even
   * from the build tree: it is in the app's own resources. */
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (
                                            gdk_display_get_default ()), APP_ID));
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (
                                            gdk_display_get_default ()), APP_ID "-symbolic"));
  screenshots (window, "welcome");

  owner_row = template_child (window, OBD_TYPE_WINDOW, "owner_row");
  g_assert_true (gtk_widget_get_mapped (owner_row));
  gtk_widget_activate (owner_row);
  wait_for_view (window, "start");
  g_assert_cmpstr (setting (settings, "role"), ==, "owner");
  g_assert_false (g_settings_get_boolean (settings, "first-run"));

  window_free (window, session);
}

/* A store in a temporary folder, removed with store_free (): the service
 * the application uses, and a connection of the test's own. */
typedef struct
{
  char            *dir;
  ObdStore        *store;
  ObdStoreService *service;
} TestStore;

static TestStore *
store_new_with_flags (ObdStoreOpenFlags flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  TestStore *t = g_new0 (TestStore, 1);

  t->dir = g_dir_make_tmp ("test-app-window-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (t->dir, "store.db", NULL);
  t->store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  t->service = obd_store_service_new (path, flags);
  return t;
}

static TestStore *
store_new (void)
{
  return store_new_with_flags (OBD_STORE_OPEN_DEFAULT);
}

static void
store_free (TestStore *t)
{
  g_autoptr(GDir) contents = NULL;
  const char *name;

  /* Answers already on their way hold the service until delivered. */
  obd_store_service_close (t->service);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_finalized (t->service, "The store service");
  assert_finalized (t->store, "The store");
  contents = g_dir_open (t->dir, 0, NULL);
  while (contents != NULL && (name = g_dir_read_name (contents)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (t->dir), ==, 0);
  g_free (t->dir);
  g_free (t);
}

static gboolean
recorded_some_cb (gpointer data)
{
  return obd_session_get_recorded_samples (data) > 40;
}

static gboolean
recording_idle_cb (gpointer data)
{
  return !obd_session_get_recording (data) && !obd_session_get_recording_busy (data);
}

static gboolean
recording_cb (gpointer data)
{
  return obd_session_get_recording (data);
}

static void
record_a_little (ObdWindow  *window,
                 ObdSession *session)
{
  GtkWidget *live = obd_window_get_page (window, "live");

  gtk_widget_activate_action (live, "live.record", NULL);
  wait_until (recording_cb, session, 10, "recording to start");
  wait_until (recorded_some_cb, session, 20, "samples to be recorded");
  gtk_widget_activate_action (live, "live.record", NULL);
  wait_until (recording_idle_cb, session, 10, "recording to end");
}

/* The help topic F1 opens for what the window shows: a page of its own
 * (not the index) that help/C/ has. */
static void
assert_help_topic (ObdWindow *window)
{
  const char *topic = obd_window_get_help_topic (window);
  g_autofree char *name = g_strconcat (topic, ".page", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "help", "C", name, NULL);

  g_test_message ("view %s: help topic %s", obd_window_get_view (window), topic);
  g_assert_cmpstr (topic, !=, "index");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
run_role (const char         *role,
          const char * const *pages)
{
  g_autoptr(GSettings) settings = fresh_settings (role, FALSE);
  TestStore *store = store_new ();
  ObdSession *session = obd_session_new (store->service);
  ObdWindow *window = window_new (session, settings);
  g_autofree char *prefix = g_strdup_printf ("role-%s", role);

  /* The role view exists before connecting, but only shows once connected
   * (the fleet's at once: it needs no car). */
  assert_pages (window, pages);
  g_assert_cmpstr (obd_window_get_view (window), ==, g_str_equal (role, "fleet") ? role : "start");

  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, role);
  assert_pages (window, pages);
  g_assert_cmpint (obd_session_get_state (session), ==, OBD_SESSION_STATE_CONNECTED);
  wait_until (snapshot_read_cb, session, 30, "the first snapshot");
  /* Something in the history to show: a short recording. */
  if (g_str_equal (role, "mechanic"))
    record_a_little (window, session);
  wait_frames (GTK_WIDGET (window), 10);
  screenshots (window, prefix);
  /* Every page of the role, each as a person would find it. */
  for (guint i = 1; screenshot_dir () != NULL && pages[i] != NULL; i++)
    {
      g_autofree char *page_prefix = g_strdup_printf ("%s-%s", prefix, pages[i]);

      obd_window_show_page (window, pages[i]);
      screenshots (window, page_prefix);
    }

  /* F1 on every page opens a help topic about it, which exists. */
  for (guint i = 0; pages[i] != NULL; i++)
    {
      obd_window_show_page (window, pages[i]);
      assert_help_topic (window);
    }

  /* Disconnecting returns to the start page (the fleet stays), without an
   * error. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.disconnect", NULL);
  wait_for_view (window, g_str_equal (role, "fleet") ? role : "start");
  g_assert_null (obd_start_page_get_error_text (obd_window_get_start_page (window)));
  assert_help_topic (window);

  window_free (window, session);
  store_free (store);
}

static void
test_role_mechanic (void)
{
  const char *pages[] = { "overview", "live", "codes", "readiness", "vehicle", "history", NULL };

  run_role ("mechanic", pages);
}

static void
test_role_fleet (void)
{
  const char *pages[] = { "fleet", "history", NULL };

  run_role ("fleet", pages);
}

/* A fleet manager opens one vehicle's history from the list, and goes
 * back. */
static void
test_fleet_drill_down (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("fleet", FALSE);
  TestStore *store = store_new ();
  ObdSession *session = obd_session_new (store->service);
  ObdWindow *window = window_new (session, settings);
  GtkWidget *fleet = obd_window_get_page (window, "fleet");
  GtkWidget *history = obd_window_get_page (window, "history");
  AdwLeaflet *leaflet;
  gint64 vehicle_id;

  vehicle_id = obd_store_ensure_vehicle (store->store, "1HGCM82633A004352", "Honda", NULL, 2003,
                                         NULL);
  g_assert_cmpint (vehicle_id, >, 0);
  g_assert_nonnull (fleet);
  g_assert_nonnull (history);
  leaflet = ADW_LEAFLET (gtk_widget_get_ancestor (history, ADW_TYPE_LEAFLET));
  g_assert_nonnull (leaflet);

  g_signal_emit_by_name (fleet, "vehicle-activated", vehicle_id);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "history");
  g_assert_cmpint (obd_page_get_vehicle_id (OBD_PAGE (history)), ==, vehicle_id);

  adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "fleet");

  window_free (window, session);
  store_free (store);
}

static void
test_role_owner (void)
{
  const char *pages[] = { "owner", "vehicle", NULL };

  run_role ("owner", pages);
}

/* Changing the role in the preferences rebuilds the view at once. */
static void
test_role_change (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  const char *owner[] = { "owner", "vehicle", NULL };

  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, "mechanic");
  g_settings_set_string (settings, "role", "owner");
  wait_for_view (window, "owner");
  assert_pages (window, owner);
  window_free (window, session);
}

static void
test_show_page (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  AdwViewStack *stack;

  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, "mechanic");
  stack = ADW_VIEW_STACK (template_child (window, OBD_TYPE_WINDOW, "mechanic_stack"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "overview");
  /* What Alt+3 and Alt+6 do. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 3));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "codes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 6));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "history");
  obd_window_show_page (window, "live");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "live");
  window_free (window, session);
}

static gboolean
error_shown_cb (gpointer data)
{
  return obd_start_page_get_error_text (data) != NULL;
}

static void
test_failure_and_recovery (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  ObdStartPage *start = obd_window_get_start_page (window);
  g_autofree char *error_text = NULL;
  GtkWidget *retry;

  obd_session_connect (session, IGNITION_OFF_SIM);
  wait_until (error_shown_cb, start, 30, "the error on the start page");
  g_assert_cmpstr (obd_window_get_view (window), ==, "start");
  error_text = g_utf8_strdown (obd_start_page_get_error_text (start), -1);
  g_test_message ("error shown: %s", obd_start_page_get_error_text (start));
  g_assert_nonnull (strstr (error_text, "ignition"));
  retry = template_child (start, OBD_TYPE_START_PAGE, "retry_button");
  g_assert_true (gtk_widget_get_mapped (retry));
  screenshots (window, "start-error");

  /* A good connection afterwards works without a restart. */
  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, "mechanic");
  g_assert_null (obd_session_get_error (session));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.disconnect", NULL);
  wait_for_view (window, "start");
  g_assert_null (obd_start_page_get_error_text (start));
  window_free (window, session);
}

static gboolean
connecting_cb (gpointer data)
{
  return obd_session_get_state (data) == OBD_SESSION_STATE_CONNECTING;
}

/* With real timing the protocol search takes long enough to look at the
 * progress page, and to cancel it. */
static void
test_connecting (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  GtkLabel *label;

  obd_session_connect (session, "sim:healthy-idle");
  g_assert_true (connecting_cb (session));
  g_assert_cmpstr (obd_window_get_view (window), ==, "connecting");
  label = GTK_LABEL (template_child (window, OBD_TYPE_WINDOW, "connecting_label"));
  g_assert_cmpstr (gtk_label_get_text (label), ==, obd_session_get_status_text (session));
  if (screenshot_dir () != NULL)
    {
      wait_frames (GTK_WIDGET (window), 30);
      save_screenshot (GTK_WIDGET (window), "connecting-light.png");
    }

  /* Cancel goes back to the start page with no error. */
  if (connecting_cb (session))
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.disconnect", NULL);
      wait_for_view (window, "start");
      g_assert_null (obd_session_get_error (session));
    }
  window_free (window, session);
}

static gboolean
all_pages_built_cb (gpointer data)
{
  AdwViewStack *stack = ADW_VIEW_STACK (template_child (data, OBD_TYPE_WINDOW, "mechanic_stack"));
  g_autoptr(GListModel) pages = G_LIST_MODEL (adw_view_stack_get_pages (stack));

  for (guint i = 0; i < g_list_model_get_n_items (pages); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (pages, i);

      if (adw_bin_get_child (ADW_BIN (adw_view_stack_page_get_child (page))) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* While the car connects, and after, the role's pages are built ahead
 * (one per idle moment), so that showing one costs only its layout and
 * paint; the switchers are built once and only turned off while no car
 * is there. */
static gboolean
only_shown_page_visible_cb (gpointer data)
{
  AdwViewStack *stack = data;
  GtkWidget *shown = adw_view_stack_get_visible_child (stack);

  for (GtkWidget *slot = gtk_widget_get_first_child (GTK_WIDGET (stack)); slot != NULL;
       slot = gtk_widget_get_next_sibling (slot))
    {
      GtkWidget *page = adw_bin_get_child (ADW_BIN (slot));

      if (page != NULL && gtk_widget_get_visible (page) != (slot == shown))
        return FALSE;
    }
  return TRUE;
}

static void
test_pages_built_ahead (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  AdwViewSwitcherTitle *title = ADW_VIEW_SWITCHER_TITLE (template_child (window, OBD_TYPE_WINDOW,
                                                                         "switcher_title"));
  AdwViewStack *stack = ADW_VIEW_STACK (template_child (window, OBD_TYPE_WINDOW,
                                                        "mechanic_stack"));

  g_assert_false (all_pages_built_cb (window));
  g_assert_false (adw_view_switcher_title_get_view_switcher_enabled (title));
  obd_session_connect (session, "sim:healthy-idle");
  wait_until (all_pages_built_cb, window, 60, "every page built");
  g_assert_true (adw_view_switcher_title_get_stack (title) == stack);
  wait_for_view (window, "mechanic");
  g_assert_true (adw_view_switcher_title_get_view_switcher_enabled (title));

  /* Only the shown page is visible: a focus change restyles what is
   * visible, and hidden pages cost it nothing.  A switch swaps them,
   * the focus in the page left included. */
  wait_until (only_shown_page_visible_cb, stack, 30, "the pages not shown hidden");
  gtk_widget_child_focus (obd_window_get_page (window, "overview"), GTK_DIR_TAB_FORWARD);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         obd_window_get_page (window, "overview")));
  obd_window_show_page (window, "vehicle");
  g_assert_true (gtk_widget_get_visible (obd_window_get_page (window, "vehicle")));
  wait_until (only_shown_page_visible_cb, stack, 30, "the page left hidden");
  obd_window_show_page (window, "overview");
  wait_until (only_shown_page_visible_cb, stack, 30, "the page left hidden");

  obd_session_disconnect (session);
  wait_for_view (window, "start");
  g_assert_false (adw_view_switcher_title_get_view_switcher_enabled (title));
  g_assert_true (adw_view_switcher_title_get_stack (title) == stack);
  window_free (window, session);
}

static gboolean
reconnecting_cb (gpointer data)
{
  return obd_session_get_state (data) == OBD_SESSION_STATE_RECONNECTING;
}

/* A link that drops mid-session keeps the view and says so. */
static void
test_reconnecting (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  GtkRevealer *banner;

  banner = GTK_REVEALER (template_child (window, OBD_TYPE_WINDOW, "reconnect_revealer"));
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  obd_session_connect (session, "sim:healthy-idle?timing=0&fault=drop-after:60");
  wait_until (reconnecting_cb, session, 60, "the session to reconnect");
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  g_assert_cmpstr (obd_window_get_view (window), ==, "mechanic");
  if (screenshot_dir () != NULL)
    {
      wait_frames (GTK_WIDGET (window), 30);
      save_screenshot (GTK_WIDGET (window), "reconnecting-light.png");
    }
  obd_session_disconnect (session);
  wait_for_view (window, "start");
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  window_free (window, session);
}

/* Failures of the store reach the person ------------------------------- */

typedef struct
{
  GtkWidget  *root;
  const char *text;
} TextWait;

static gboolean
find_text (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_text (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
shows_text_cb (gpointer data)
{
  TextWait *wait = data;

  return find_text (wait->root, wait->text);
}

/* Waits for a mapped label holding text, anywhere in the window (a
 * banner, a toast, a page). */
static void
wait_for_text (ObdWindow  *window,
               const char *text)
{
  TextWait wait = { GTK_WIDGET (window), text };

  wait_until (shows_text_cb, &wait, 20, text);
}

static gboolean
revealed_cb (gpointer data)
{
  return gtk_revealer_get_child_revealed (data);
}

/* A history that can only be read: the window says so for as long as it
 * is so, and recording is not offered. */
static void
test_store_read_only (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  TestStore *store = store_new_with_flags (OBD_STORE_OPEN_READ_ONLY);
  ObdSession *session = obd_session_new (store->service);
  ObdWindow *window = window_new (session, settings);
  GtkWidget *banner = template_child (window, OBD_TYPE_WINDOW, "store_revealer");

  wait_until (revealed_cb, banner, 10, "the store banner");
  wait_for_text (window, "can only be read");
  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, "mechanic");
  obd_window_show_page (window, "live");
  wait_for_text (window, "values/s");
  /* Recording is offered only where it can work. */
  g_assert_false (gtk_widget_is_sensitive (
                    GTK_WIDGET (gtk_widget_get_template_child (obd_window_get_page (window, "live"),
                                                               OBD_TYPE_LIVE_PAGE,
                                                               "record_button"))));
  gtk_widget_activate_action (obd_window_get_page (window, "live"), "live.record", NULL);
  g_assert_false (obd_session_get_recording (session));
  g_assert_false (obd_session_get_recording_busy (session));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  if (screenshot_dir () != NULL)
    {
      wait_frames (GTK_WIDGET (window), 30);
      save_screenshot (GTK_WIDGET (window), "store-read-only-light.png");
    }

  window_free (window, session);
  store_free (store);
}

/* A file that is not a history at all: said on the start page and in
 * the banner. */
static void
test_store_unusable (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-app-window-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  ObdStoreService *service;
  ObdSession *session;
  ObdWindow *window;
  GtkWidget *banner;

  g_assert_no_error (error);
  g_file_set_contents (path, "Not a history: a shopping list.\n", -1, &error);
  g_assert_no_error (error);
  service = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  session = obd_session_new (service);
  window = window_new (session, settings);
  banner = template_child (window, OBD_TYPE_WINDOW, "store_revealer");
  wait_until (revealed_cb, banner, 10, "the store banner");
  wait_for_text (window, "could not be opened");
  wait_for_text (window, "--db FILE");

  window_free (window, session);
  obd_store_service_close (service);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_finalized (service, "The store service");
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A change that cannot be saved (the notes are gone from the history
 * behind the application's back): a toast says what and why, and the
 * note is kept in its entry. */
static void
test_store_write_fails (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  g_autoptr(GError) error = NULL;
  TestStore *store = store_new ();
  ObdSession *session = obd_session_new (store->service);
  ObdWindow *window = window_new (session, settings);
  GtkWidget *vehicle, *entry;

  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, "mechanic");
  obd_window_show_page (window, "vehicle");
  vehicle = obd_window_get_page (window, "vehicle");
  wait_for_text (window, "Add a note");
  g_assert_true (_obd_store_exec (_obd_store_get_db (store->store),
                                  "ALTER TABLE notes RENAME TO notes_gone", &error));
  g_assert_no_error (error);

  entry = GTK_WIDGET (gtk_widget_get_template_child (vehicle, OBD_TYPE_VEHICLE_PAGE,
                                                     "note_entry"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Rattle from the exhaust");
  g_signal_emit_by_name (entry, "apply");
  wait_for_text (window, "The note could not be saved");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Rattle from the exhaust");
  if (screenshot_dir () != NULL)
    {
      wait_frames (GTK_WIDGET (window), 30);
      save_screenshot (GTK_WIDGET (window), "store-write-fails-light.png");
    }

  window_free (window, session);
  store_free (store);
}

/* The disk fills while recording: a banner that stays says so. */
static void
test_recording_disk_full (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  g_autoptr(GError) error = NULL;
  TestStore *store = store_new ();
  ObdSession *session = obd_session_new (store->service);
  ObdWindow *window = window_new (session, settings);
  GtkWidget *banner = template_child (window, OBD_TYPE_WINDOW, "record_revealer");
  ObdRecorder *recorder;

  obd_session_connect (session, "sim:driving-cycle?timing=0");
  wait_for_view (window, "mechanic");
  obd_window_show_page (window, "live");
  gtk_widget_activate_action (obd_window_get_page (window, "live"), "live.record", NULL);
  wait_until (recording_cb, session, 10, "recording to start");
  recorder = _obd_recording_get_recorder (obd_session_get_recorder (session));
  g_assert_true (_obd_recorder_set_page_limit (recorder, 1, &error));
  g_assert_no_error (error);

  wait_until (revealed_cb, banner, 20, "the recording banner");
  wait_for_text (window, "Recording stopped. ");
  wait_for_text (window, "disk is full");
  /* Said once: the store's own advice, not the app's on top of it. */
  {
    const char *text = gtk_label_get_text (GTK_LABEL (template_child (window, OBD_TYPE_WINDOW,
                                                                      "record_label")));
    const char *first = strstr (text, "Free some space");

    g_assert_nonnull (first);
    g_assert_null (strstr (first + 1, "Free some space"));
  }
  g_assert_false (obd_session_get_recording (session));
  if (screenshot_dir () != NULL)
    {
      wait_frames (GTK_WIDGET (window), 30);
      save_screenshot (GTK_WIDGET (window), "recording-disk-full-light.png");
    }
  /* Dismissed, it goes. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-recording-error", NULL);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));

  window_free (window, session);
  store_free (store);
}

/* Switching role and back keeps the live chart's history (it is the
 * session's, not the page's). */
static gboolean
chart_filled_cb (gpointer data)
{
  return obd_trend_chart_get_n_samples (data, 0x0C) > 20;
}

static ObdTrendChart *
live_chart (ObdWindow *window)
{
  GtkWidget *live = obd_window_get_page (window, "live");

  return OBD_TREND_CHART (gtk_widget_get_template_child (live, OBD_TYPE_LIVE_PAGE, "chart"));
}

static void
test_role_change_keeps_chart (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);

  obd_session_connect (session, GOOD_SIM);
  wait_for_view (window, "mechanic");
  obd_window_show_page (window, "live");
  wait_until (chart_filled_cb, live_chart (window), 20, "the chart to fill");

  g_settings_set_string (settings, "role", "owner");
  wait_for_view (window, "owner");
  g_settings_set_string (settings, "role", "mechanic");
  wait_for_view (window, "mechanic");
  /* The same page, its chart as full as before. */
  g_assert_cmpuint (obd_trend_chart_get_n_samples (live_chart (window), 0x0C), >, 20);

  window_free (window, session);
}

/* F1 without a help viewer: a dialog says so and what to install, not a
 * warning on a terminal nobody reads. */
static GtkWidget *
help_dialog (ObdWindow *window)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) &&
        gtk_window_get_transient_for (l->data) == GTK_WINDOW (window) &&
        gtk_widget_get_mapped (l->data))
      return l->data;
  return NULL;
}

static gboolean
help_dialog_cb (gpointer data)
{
  return help_dialog (data) != NULL;
}

static void
test_help_missing (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  ObdSession *session = obd_session_new (NULL);
  ObdWindow *window = window_new (session, settings);
  GtkWidget *dialog;

  /* A scheme nothing handles, as "help:" is without Yelp. */
  obd_window_open_help (window, "obd2-test-unhandled:index");
  wait_until (help_dialog_cb, window, 10, "the help dialog");
  dialog = help_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Help Could Not Be Opened");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "“yelp”"));
  if (screenshot_dir () != NULL)
    {
      wait_frames (dialog, 10);
      save_screenshot (dialog, "help-missing-light.png");
    }
  gtk_window_destroy (GTK_WINDOW (dialog));

  window_free (window, session);
}

static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  GtkWidget *preferences = obd_preferences_window_new (settings);
  AdwComboRow *role_row, *units_row;
  ObdAlertThresholds thresholds;
  g_autoptr(GError) error = NULL;

  g_object_ref_sink (preferences);
  gtk_window_present (GTK_WINDOW (preferences));
  wait_frames (preferences, 3);

  /* Reports print, so their fields are offered (test-guide-page checks them). */
  g_assert_true (shows_label (preferences, "General"));
  g_assert_true (shows_label (preferences, "Reports"));

  role_row = ADW_COMBO_ROW (template_child (preferences, OBD_TYPE_PREFERENCES_WINDOW,
                                           "role_row"));
  units_row = ADW_COMBO_ROW (template_child (preferences, OBD_TYPE_PREFERENCES_WINDOW,
                                            "units_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (role_row), ==, 0);
  adw_combo_row_set_selected (role_row, 1);
  g_assert_cmpstr (setting (settings, "role"), ==, "fleet");
  g_settings_set_string (settings, "role", "owner");
  g_assert_cmpuint (adw_combo_row_get_selected (role_row), ==, 2);

  /* Thresholds are shown in the chosen units and stored in SI. */
  g_settings_set_double (settings, "coolant-critical", 100.0);
  adw_combo_row_set_selected (units_row, 1);
  g_assert_cmpstr (setting (settings, "units"), ==, "us");
  wait_frames (preferences, 2);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "coolant-critical"), 100.0,
                                  1e-9);

  g_assert_true (obd_app_settings_read_thresholds (settings, &thresholds, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (thresholds.coolant_critical_c, 100.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (thresholds.voltage_running_warning_v, 11.8, 1e-9);

  if (screenshot_dir () != NULL)
    {
      resize_window (preferences, 640, 700);
      save_screenshot (preferences, "preferences-light.png");
    }

  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_finalize_object (preferences);
}

/* The coolant threshold row converts °F back to °C for the key. */
static void
test_preferences_units (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  GtkWidget *preferences;
  GtkWidget *page;
  GtkWidget *spin = NULL;
  GtkWidget *child;

  g_settings_set_string (settings, "units", "us");
  g_settings_set_double (settings, "coolant-critical", 110.0);
  preferences = obd_preferences_window_new (settings);
  g_object_ref_sink (preferences);
  gtk_window_present (GTK_WINDOW (preferences));
  wait_frames (preferences, 3);

  page = template_child (preferences, OBD_TYPE_PREFERENCES_WINDOW, "alerts_page");
  /* The first spin button of the alerts page is the coolant threshold. */
  for (child = page; child != NULL && !GTK_IS_SPIN_BUTTON (child);)
    {
      GtkWidget *next = gtk_widget_get_first_child (child);

      while (next == NULL && child != page)
        {
          next = gtk_widget_get_next_sibling (child);
          if (next == NULL)
            child = gtk_widget_get_parent (child);
        }
      child = next;
    }
  spin = child;
  g_assert_nonnull (spin);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), 230.0,
                                  1e-6);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 212.0);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "coolant-critical"), 100.0,
                                  1e-6);

  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_finalize_object (preferences);
}


/* Enum settings are read by their words: every word of the schema is one
 * of the C enum's, read as that value; a word the type does not know is
 * a bug said aloud (a critical) and the fallback, never the first value. */
static gboolean
ask_tooltip (GtkWidget *widget)
{
  GtkTooltip *tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  g_signal_emit_by_name (widget, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  g_object_unref (tooltip);
  return shown;
}

/* The tooltip that rows set without asking where the pointer is: shown
 * when asked for, and gone when cleared. */
static void
test_widget_tooltip (void)
{
  GtkWidget *button = g_object_ref_sink (gtk_button_new ());
  GSignalMatchType mask;
  guint query;

  g_assert_false (gtk_widget_get_has_tooltip (button));
  obd_widget_set_tooltip (button, "Move Up");
  g_assert_true (gtk_widget_get_has_tooltip (button));
  g_assert_true (ask_tooltip (button));
  obd_widget_set_tooltip (button, "Move Up");
  obd_widget_set_tooltip (button, "Move Down");
  g_assert_true (ask_tooltip (button));
  /* One handler, however often the text changes. */
  query = g_signal_lookup ("query-tooltip", GTK_TYPE_WIDGET);
  mask = G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DATA;
  g_assert_cmpuint (g_signal_handlers_block_matched (button, mask, query, 0, NULL, NULL, NULL),
                    ==, 1);
  g_signal_handlers_unblock_matched (button, mask, query, 0, NULL, NULL, NULL);
  obd_widget_set_tooltip (button, "");
  g_assert_false (gtk_widget_get_has_tooltip (button));
  g_assert_false (ask_tooltip (button));
  g_object_unref (button);
}

typedef struct
{
  GtkWidget *widget;
  guint      steps;
  guint      until;        /* the step that returns G_SOURCE_REMOVE */
  gint64     frames[8];    /* the frame counter at each step */
  ObdPace   *pace;
  gboolean   stop_at_2;
  gboolean   restart_at_2;   /* stopped and started again at step 2 */
} PaceRun;

static gboolean
pace_step_cb (gpointer data)
{
  PaceRun *run = data;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (run->widget);

  g_assert_cmpuint (run->steps, <, G_N_ELEMENTS (run->frames));
  run->frames[run->steps] = clock != NULL ? gdk_frame_clock_get_frame_counter (clock) : -1;
  run->steps++;
  if ((run->stop_at_2 || run->restart_at_2) && run->steps == 2)
    {
      obd_pace_stop (run->pace);
      if (run->restart_at_2)
        {
          obd_pace_start (run->pace);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }
  return run->steps < run->until ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
wait_pace (ObdPace *pace)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (obd_pace_is_running (pace))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Where the text of @label is, top and bottom, in @row's coordinates. */
static void
text_span (GtkWidget *label,
           GtkWidget *row,
           double    *top,
           double    *bottom)
{
  graphene_point_t at;
  PangoRectangle logical;
  int x, y;

  g_assert_true (gtk_widget_compute_point (label, row, &GRAPHENE_POINT_INIT (0, 0), &at));
  gtk_label_get_layout_offsets (GTK_LABEL (label), &x, &y);
  pango_layout_get_pixel_extents (gtk_label_get_layout (GTK_LABEL (label)), NULL, &logical);
  /* The offsets are in the label's coordinates (GTK 4). */
  *top = at.y + y;
  *bottom = *top + logical.height;
}

static gboolean
rows_laid_out_cb (gpointer data)
{
  GtkWidget **rows = data;

  for (guint i = 0; i < 2; i++)
    if (!gtk_widget_get_mapped (rows[i]) || gtk_widget_get_height (rows[i]) != 90)
      return FALSE;
  return TRUE;
}

/* An ObdRow taller than its text keeps the text in the middle: the title
 * alone, and title and subtitle as a pair; the room does not make the
 * row (or its list) ask for more. */
static void
test_widget_row_centred (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *alone = obd_row_new ();
  GtkWidget *pair = obd_row_new ();
  GtkWidget *grid;
  double top, bottom, top2, bottom2;

  obd_row_set_title (OBD_ROW (alone), "Title alone");
  obd_row_set_title (OBD_ROW (pair), "Title");
  obd_row_set_subtitle (OBD_ROW (pair), "and its subtitle");
  gtk_widget_set_size_request (alone, 300, 90);
  gtk_widget_set_size_request (pair, 300, 90);
  gtk_list_box_append (GTK_LIST_BOX (list), alone);
  gtk_list_box_append (GTK_LIST_BOX (list), pair);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));
  {
    GtkWidget *rows[] = { alone, pair };

    wait_until (rows_laid_out_cb, rows, 10, "the rows to be laid out");
  }
  g_assert_cmpint (gtk_widget_get_height (alone), ==, 90);
  g_assert_false (gtk_widget_compute_expand (alone, GTK_ORIENTATION_VERTICAL));
  g_assert_false (gtk_widget_compute_expand (list, GTK_ORIENTATION_VERTICAL));

  grid = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (alone));
  text_span (gtk_widget_get_first_child (grid) != NULL
               ? gtk_widget_get_next_sibling (gtk_widget_get_first_child (grid)) : NULL,
             alone, &top, &bottom);
  g_assert_cmpfloat (fabs ((top + bottom) / 2 - 45.0), <=, 2.0);

  grid = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (pair));
  {
    GtkWidget *title = gtk_widget_get_next_sibling (gtk_widget_get_first_child (grid));
    GtkWidget *subtitle = gtk_widget_get_next_sibling (title);

    g_assert_true (GTK_IS_LABEL (title) && GTK_IS_LABEL (subtitle));
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (subtitle)), ==, "and its subtitle");
    text_span (title, pair, &top, &bottom);
    text_span (subtitle, pair, &top2, &bottom2);
    g_assert_cmpfloat (bottom, <=, top2);
    g_assert_cmpfloat (top2 - bottom, <=, 6.0);
    g_assert_cmpfloat (fabs ((top + bottom2) / 2 - 45.0), <=, 2.0);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Work paced by frames: in a window on screen, each step in a frame of its
 * own (its widgets styled and laid out before the next step); with no
 * window, the steps follow one another; stopped from a step, no more. */
static void
test_widget_pace (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label = gtk_label_new ("Paced");
  PaceRun run = { .until = 4 };
  g_autoptr(ObdPace) pace = NULL;

  /* Not in a window: no frames to wait for. */
  run.widget = g_object_ref_sink (gtk_label_new ("Alone"));
  pace = obd_pace_new (run.widget, G_PRIORITY_DEFAULT_IDLE, pace_step_cb, &run);
  obd_pace_start (pace);
  obd_pace_start (pace);
  wait_pace (pace);
  g_assert_cmpuint (run.steps, ==, 4);
  g_assert_cmpint (run.frames[3], ==, -1);
  g_clear_pointer (&pace, obd_pace_free);
  g_clear_object (&run.widget);

  /* In a window on screen: one step a frame. */
  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (label))
    g_main_context_iteration (NULL, TRUE);
  run = (PaceRun) { .widget = label, .until = 4 };
  pace = obd_pace_new (label, G_PRIORITY_DEFAULT_IDLE, pace_step_cb, &run);
  obd_pace_start (pace);
  wait_pace (pace);
  g_assert_cmpuint (run.steps, ==, 4);
  for (guint i = 1; i < run.steps; i++)
    g_assert_cmpint (run.frames[i], >, run.frames[i - 1]);

  /* Stopped from inside a step. */
  run = (PaceRun) { .widget = label, .until = 6, .stop_at_2 = TRUE, .pace = pace };
  obd_pace_start (pace);
  wait_pace (pace);
  g_assert_cmpuint (run.steps, ==, 2);

  /* Stopped and started again from inside a step: it goes on. */
  run = (PaceRun) { .widget = label, .until = 5, .restart_at_2 = TRUE, .pace = pace };
  obd_pace_start (pace);
  wait_pace (pace);
  g_assert_cmpuint (run.steps, ==, 5);

  g_clear_pointer (&pace, obd_pace_free);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_settings_enums (void)
{
  g_autoptr(GSettings) settings = fresh_settings ("mechanic", FALSE);
  g_autoptr(GError) error = NULL;
  ObdAlertThresholds thresholds;
  static const char *const roles[] = { "mechanic", "fleet", "owner" };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_settings_set_string (settings, "role", roles[i]);
      g_assert_cmpint (obd_app_settings_get_enum (settings, "role", OBD_TYPE_ROLE, -1), ==, i);
    }
  g_settings_set_string (settings, "units", "us");
  g_assert_cmpint (obd_app_settings_get_enum (settings, "units", OBD_TYPE_UNIT_SYSTEM, -1), ==,
                   OBD_UNIT_SYSTEM_US);
  g_settings_set_string (settings, "polling-strategy", "naive");
  g_assert_cmpint (obd_app_settings_get_enum (settings, "polling-strategy", OBD_TYPE_STRATEGY,
                                              -1), ==, OBD_STRATEGY_NAIVE);

  /* "us" is no role. */
  g_test_expect_message ("obd-app", G_LOG_LEVEL_CRITICAL, "*units*");
  g_assert_cmpint (obd_app_settings_get_enum (settings, "units", OBD_TYPE_ROLE,
                                              OBD_ROLE_OWNER), ==, OBD_ROLE_OWNER);
  g_test_assert_expected_messages ();

  /* Limits that contradict each other are refused as a whole. */
  g_settings_set_double (settings, "catalyst-warning", 1200.0);
  g_settings_set_double (settings, "catalyst-critical", 1000.0);
  thresholds.catalyst_warning_c = -1;
  g_assert_false (obd_app_settings_read_thresholds (settings, &thresholds, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_cmpfloat (thresholds.catalyst_warning_c, ==, -1);
}

int
main (int argc, char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  /* In the language of the environment when OBD2_LOCALEDIR names the
   * built catalogues: screenshots in German, Spanish or French. */
  obd_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  obd_sim_register ();
  /* What GtkApplication does with the resource base path: the app's icon
   * comes from there, installed or not (test_welcome checks it is). */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    RESOURCE_PATH "/icons");
  /* The style sheets that AdwApplication loads in the real app. */
  obd_app_add_style_sheets (gdk_display_get_default ());

  g_test_add_func ("/app/window/start-page", test_start_page);
  g_test_add_func ("/app/window/store-error", test_store_error);
  g_test_add_func ("/app/window/welcome", test_welcome);
  g_test_add_func ("/app/window/role/mechanic", test_role_mechanic);
  g_test_add_func ("/app/window/role/fleet", test_role_fleet);
  g_test_add_func ("/app/window/fleet/drill-down", test_fleet_drill_down);
  g_test_add_func ("/app/window/role/owner", test_role_owner);
  g_test_add_func ("/app/window/role/change", test_role_change);
  g_test_add_func ("/app/window/show-page", test_show_page);
  g_test_add_func ("/app/window/failure", test_failure_and_recovery);
  g_test_add_func ("/app/window/connecting", test_connecting);
  g_test_add_func ("/app/window/pages-built-ahead", test_pages_built_ahead);
  g_test_add_func ("/app/window/reconnecting", test_reconnecting);
  g_test_add_func ("/app/window/store/read-only", test_store_read_only);
  g_test_add_func ("/app/window/store/unusable", test_store_unusable);
  g_test_add_func ("/app/window/store/write-fails", test_store_write_fails);
  g_test_add_func ("/app/window/recording/disk-full", test_recording_disk_full);
  g_test_add_func ("/app/window/role/keeps-chart", test_role_change_keeps_chart);
  g_test_add_func ("/app/window/help-missing", test_help_missing);
  g_test_add_func ("/app/preferences/bindings", test_preferences);
  g_test_add_func ("/app/preferences/units", test_preferences_units);
  g_test_add_func ("/app/settings/enums", test_settings_enums);
  g_test_add_func ("/app/widget/tooltip", test_widget_tooltip);
  g_test_add_func ("/app/widget/pace", test_widget_pace);
  g_test_add_func ("/app/widget/row-centred", test_widget_row_centred);

  return g_test_run ();
}
