/* test-app-sync-ui.c — sync in the windows: the header's status, the Sync
 * preferences, edits made on two PCs, and the whole story with a server and
 * three workshop PCs in one process — offline recording synced later, a
 * fleet manager watching a mechanic's live session, a remote expert in a
 * room
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With OBD2_SCREENSHOT_DIR set, every state is saved as PNG (light, dark,
 * and 360 px wide).
 */
#define G_LOG_DOMAIN "test-app-sync-ui"
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "app-sync-common.h"
#include "lsan-quarks.h"
#include "obd-app-util.h"
#include "obd-conflicts-group.h"
#include "obd-expert-window.h"
#include "obd-fleet-page.h"
#include "obd-room-panel.h"
#include "obd-room-window.h"
#include "obd-row-item.h"
#include "obd-store-guide.h"
#include "obd-store-sync.h"
#include "obd-sync-preferences-page.h"
#include "obd-sync-status.h"
#include "obd-vehicle-page.h"
#include "obd-window.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

/* Windows and pictures ----------------------------------------------------- */

static gboolean
frame_cb (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  guint *frames;
  guint  wanted;
} Frames;

static gboolean
frames_drawn_cb (gpointer data)
{
  Frames *f = data;

  return *f->frames >= f->wanted;
}

static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint frames = 0;
  Frames f = { &frames, n };
  guint id = gtk_widget_add_tick_callback (widget, frame_cb, &frames, NULL);

  test_wait (frames_drawn_cb, &f, 10, "frames to be drawn");
  gtk_widget_remove_tick_callback (widget, id);
}

typedef struct
{
  GtkWidget *window;
  int        width;
} Width;

static gboolean
has_width_cb (gpointer data)
{
  Width *w = data;

  return gtk_widget_get_mapped (w->window)
         && (w->width < 0 || ABS (gtk_widget_get_width (w->window) - w->width) <= 24);
}

static void
resize (GtkWidget *window,
        int        width,
        int        height)
{
  Width w = { window, width };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  test_wait (has_width_cb, &w, 10, "the window to take its size");
  wait_frames (window, 20);
}

static GtkWidget *
show_window (GtkWidget *window,
             int        width,
             int        height)
{
  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  resize (window, -1, -1);
  return window;
}

static ObdWindow *
pc_window (TestPc *pc)
{
  ObdWindow *window;

  lsan_quarks_ignore_table ();
  window = obd_window_new (NULL, pc->session, pc->settings);

  obd_window_set_sync (window, pc->sync);
  show_window (GTK_WIDGET (window), 1100, 750);
  return window;
}

static gboolean
gone_cb (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
close_window (gpointer window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (window, &weak);
  gtk_window_destroy (window);
  g_object_unref (window);
  test_wait (gone_cb, &weak, 10, "the window to be finalized");
}

static void
save_png (GtkWidget  *widget,
          const char *name)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  GtkNative *native = gtk_widget_get_native (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;

  if (dir == NULL)
    return;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Light and dark at the window's size, then light and dark 360 px wide. */
static void
shots_sized (GtkWidget  *window,
             const char *prefix,
             int         width,
             int         height)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strdup_printf ("%s-light.png", prefix);
  g_autofree char *dark = g_strdup_printf ("%s-dark.png", prefix);
  g_autofree char *narrow = g_strdup_printf ("%s-narrow.png", prefix);
  g_autofree char *narrow_dark = g_strdup_printf ("%s-narrow-dark.png", prefix);

  if (g_getenv ("OBD2_SCREENSHOT_DIR") == NULL)
    return;
  resize (window, width, height);
  save_png (window, light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (window, 3);
  save_png (window, dark);
  resize (window, 360, 720);
  save_png (window, narrow_dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_frames (window, 3);
  save_png (window, narrow);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  resize (window, width, height);
}

/* Main windows as a workshop PC shows them. */
static void
shots (GtkWidget  *window,
       const char *prefix)
{
  shots_sized (window, prefix, 1100, 750);
}

/* The status popover on its own, light and dark. */
static void
popover_shots (ObdWindow  *window,
               const char *prefix)
{
  GtkWidget *status = obd_window_get_sync_status (window);
  GtkWidget *button = (GtkWidget *) gtk_widget_get_template_child (status, OBD_TYPE_SYNC_STATUS, "button");
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strdup_printf ("%s-popover-light.png", prefix);
  g_autofree char *dark = g_strdup_printf ("%s-popover-dark.png", prefix);

  if (g_getenv ("OBD2_SCREENSHOT_DIR") == NULL)
    return;
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  wait_frames (GTK_WIDGET (popover), 10);
  save_png (GTK_WIDGET (popover), light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (GTK_WIDGET (popover), 3);
  save_png (GTK_WIDGET (popover), dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_popover_popdown (popover);
}

static const char *
status_text (ObdWindow *window)
{
  return obd_sync_status_get_text (OBD_SYNC_STATUS (obd_window_get_sync_status (window)));
}

typedef struct
{
  ObdWindow  *window;
  const char *text;
} TextWait;

static gboolean
status_says_cb (gpointer data)
{
  TextWait *w = data;
  GtkWidget *status = obd_window_get_sync_status (w->window);

  return gtk_widget_get_visible (status) && status_text (w->window) != NULL
         && strstr (status_text (w->window), w->text) != NULL;
}

static void
wait_status (ObdWindow  *window,
             const char *text)
{
  TextWait w = { window, text };

  if (!sync_test_wait_for (status_says_cb, &w, 60))
    g_error ("The sync status says “%s”, not “%s”", status_text (window), text);
}

/* The header's status ------------------------------------------------------- */

/* Hidden while sync is off; then offline with what waits, synced, and an
 * error that says what to do. */
static void
test_status (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  SyncTestRelay *relay = sync_test_relay_new (0);
  g_autofree char *url = test_url_for_port (relay->port);
  TestPc *pc = test_pc_new ("mechanic");
  ObdWindow *window = pc_window (pc);
  GtkWidget *status = obd_window_get_sync_status (window);
  GtkWidget *button = (GtkWidget *) gtk_widget_get_template_child (status, OBD_TYPE_SYNC_STATUS, "button");
  g_autoptr(GError) error = NULL;
  const char *forged = "obd2_0123456789abcdef_"
                       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  g_assert_false (gtk_widget_get_visible (status));

  test_pc_fast_retry (pc);
  g_assert_false (test_pc_configure (pc, url, server->mechanic_a, &error));
  g_clear_error (&error);
  test_pc_connect_car (pc, TEST_SIM);
  test_pc_record (pc, 100);
  wait_status (window, "waiting");
  g_assert_true (gtk_widget_get_visible (status));
  g_assert_true (gtk_widget_has_css_class (button, "warning"));
  shots (GTK_WIDGET (window), "sync-offline");
  popover_shots (window, "sync-offline");

  relay->target = test_server_port (server);
  wait_status (window, "Synced");
  g_assert_false (gtk_widget_has_css_class (button, "warning"));
  shots (GTK_WIDGET (window), "sync-synced");
  popover_shots (window, "sync-synced");

  /* A token the server does not know: a person must act, and is told. */
  g_assert_false (test_pc_configure (pc, server->url, forged, &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_AUTH_FAILED);
  wait_status (window, "attention");
  g_assert_true (gtk_widget_has_css_class (button, "error"));
  g_assert_nonnull (obd_sync_manager_get_last_error (pc->sync));
  shots (GTK_WIDGET (window), "sync-error");
  popover_shots (window, "sync-error");

  close_window (window);
  test_pc_free (pc);
  sync_test_relay_free (relay);
  sync_test_server_free (server);
}

/* The Sync page of the preferences -------------------------------------------- */

static gboolean
page_idle_cb (gpointer data)
{
  return !obd_sync_preferences_page_get_busy (data);
}

static void
press_connect (GtkWidget *page)
{
  gtk_widget_activate_action (page, "sync-page.connect", NULL);
  test_wait (page_idle_cb, page, 30, "Connect to finish");
}

static void
test_preferences (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  TestPc *pc = test_pc_new ("mechanic");
  GtkWidget *preferences = adw_preferences_window_new ();
  GtkWidget *page = obd_sync_preferences_page_new (pc->sync);
  GtkWidget *url_row = (GtkWidget *) gtk_widget_get_template_child (page, OBD_TYPE_SYNC_PREFERENCES_PAGE,
                                                      "url_row");
  GtkWidget *token_row = (GtkWidget *) gtk_widget_get_template_child (page, OBD_TYPE_SYNC_PREFERENCES_PAGE,
                                                        "token_row");
  GtkWidget *user_row = (GtkWidget *) gtk_widget_get_template_child (page, OBD_TYPE_SYNC_PREFERENCES_PAGE,
                                                       "user_row");
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (preferences), ADW_PREFERENCES_PAGE (page));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "sync");
  show_window (preferences, 640, 720);
  g_assert_cmpstr (obd_sync_preferences_page_get_status (OBD_SYNC_PREFERENCES_PAGE (page)), ==,
                   "Not set up");

  /* A malformed token: said, nothing saved, the text kept to fix. */
  gtk_editable_set_text (GTK_EDITABLE (url_row), server->url);
  gtk_editable_set_text (GTK_EDITABLE (token_row), "obd2_not-a-token");
  press_connect (page);
  g_assert_nonnull (strstr (obd_sync_preferences_page_get_status_detail (
                              OBD_SYNC_PREFERENCES_PAGE (page)), "not a sync token"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (token_row)), ==, "obd2_not-a-token");
  g_assert_null (obd_sync_manager_get_server_url (pc->sync));
  shots_sized (preferences, "sync-preferences-bad-token", 640, 720);

  /* The right one: signed in, and who as. */
  gtk_editable_set_text (GTK_EDITABLE (token_row), server->mechanic_a);
  press_connect (page);
  g_assert_cmpint (obd_sync_manager_get_state (pc->sync), ==, OBD_SYNC_STATE_SYNCED);
  g_assert_true (gtk_widget_get_visible (user_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (user_row)), ==, "Ann");
  /* The token is gone from the entry, and was never put in the settings. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (token_row)), ==, "");
  g_object_get (pc->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (pc->settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, server->mechanic_a + 22));
    }
  shots_sized (preferences, "sync-preferences", 640, 720);

  /* Live sharing follows the switch, through the setting. */
  gtk_switch_set_active (GTK_SWITCH (gtk_widget_get_template_child (
                                       page, OBD_TYPE_SYNC_PREFERENCES_PAGE, "share_switch")),
                         TRUE);
  g_assert_true (g_settings_get_boolean (pc->settings, "sync-share-live"));
  g_assert_true (obd_sync_manager_get_share_live (pc->sync));

  close_window (preferences);
  test_pc_free (pc);
  sync_test_server_free (server);
}

/* Edits made on two PCs, on the vehicle page ----------------------------------- */

typedef struct
{
  const char *vehicle_uuid;
  gboolean    done;
} AddConflict;

static gpointer
add_conflict_job (ObdStore      *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, error);
  const ObdStoreVehicle *vehicle;
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  ObdStoreSyncConflict conflict = { 0 };

  if (vehicles == NULL)
    return NULL;
  g_assert_cmpuint (vehicles->len, ==, 1);
  vehicle = g_ptr_array_index (vehicles, 0);
  local = g_strdup_printf ("{\"uuid\": \"%s\", \"plate\": \"AB-2\", \"owner_name\": \"Jo\"}",
                           vehicle->uuid);
  remote = g_strdup_printf ("{\"uuid\": \"%s\", \"plate\": \"AB-1\", \"owner_name\": \"Jo\"}",
                            vehicle->uuid);
  conflict.entity = (char *) "vehicle";
  conflict.entity_id = vehicle->uuid;
  conflict.local_won = FALSE;
  conflict.local_data = local;
  conflict.remote_data = remote;
  conflict.remote_device = (char *) "5ee5ae1f-79a2-41ca-9b8e-eb1b0b527d51";
  return obd_store_sync_add_conflict (store, &conflict, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static gboolean
group_shown_cb (gpointer data)
{
  return gtk_widget_get_visible (data)
         && g_list_model_get_n_items (obd_conflicts_group_get_items (data)) == 1;
}

static GtkWidget *
find_child_of_type (GtkWidget *widget,
                    GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_conflicts_shown (void)
{
  TestPc *pc = test_pc_new ("mechanic");
  ObdWindow *window = pc_window (pc);
  GtkWidget *vehicle_page, *group;
  g_autoptr(ObdRowItem) item = NULL;

  test_pc_connect_car (pc, TEST_SIM);
  obd_window_show_page (window, "vehicle");
  vehicle_page = obd_window_get_page (window, "vehicle");
  group = find_child_of_type (vehicle_page, OBD_TYPE_CONFLICTS_GROUP);
  g_assert_nonnull (group);
  wait_frames (GTK_WIDGET (window), 10);
  g_assert_false (gtk_widget_get_visible (group));

  /* What the sync client records when another PC's later edit wins, and
   * the change it announces. */
  obd_store_service_write_async (pc->store, "vehicle", 0, add_conflict_job, NULL, NULL, NULL,
                                 NULL, NULL);
  test_wait (group_shown_cb, group, 20, "the conflict on the vehicle page");
  item = g_list_model_get_item (obd_conflicts_group_get_items (OBD_CONFLICTS_GROUP (group)), 0);
  g_test_message ("conflict: %s — %s", obd_row_item_get_title (item),
                  obd_row_item_get_subtitle (item));
  g_assert_nonnull (strstr (obd_row_item_get_subtitle (item), "AB-2"));
  g_assert_null (strstr (obd_row_item_get_subtitle (item), "Jo"));
  shots (GTK_WIDGET (window), "sync-conflict-vehicle");

  obd_session_disconnect (pc->session);
  close_window (window);
  test_pc_free (pc);
}

/* The whole story ----------------------------------------------------------- */

typedef struct
{
  ObdFleetPage *fleet;
  const char   *uuid;
} FleetLive;

static gboolean
fleet_live_cb (gpointer data)
{
  FleetLive *w = data;
  GListModel *items = obd_fleet_page_get_items (w->fleet);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(ObdFleetItem) item = g_list_model_get_item (items, i);
      const char *live = obd_fleet_item_get_live_status (item);

      if (g_strcmp0 (obd_fleet_item_get_vehicle_uuid (item), w->uuid) == 0 && live != NULL
          && strstr (live, "rpm") != NULL && obd_fleet_item_get_live_score (item) >= 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
room_window_cb (gpointer data)
{
  return obd_sync_status_get_room_window (data) != NULL;
}

static gboolean
expert_live_cb (gpointer data)
{
  ObdExpertWindow *expert = data;
  ObdRoom *room = obd_expert_window_get_room (expert);

  return room != NULL && obd_expert_window_get_gauge (expert, "rpm") != NULL
         && obd_room_get_watching (room) == 1
         && obd_remote_vehicle_get_codes (obd_room_get_vehicle (room)) != NULL;
}

static gboolean
watching_cb (gpointer data)
{
  return obd_room_get_watching (data) == 1;
}

static gboolean
has_note_cb (gpointer data)
{
  return g_list_model_get_n_items (obd_room_get_notes (data)) > 0;
}

static gboolean
room_closed_cb (gpointer data)
{
  return !obd_room_get_open (data);
}

static gboolean
sharing_cb (gpointer data)
{
  return obd_sync_manager_get_sharing (data);
}

/* What the guide page writes when a mechanic starts the thermostat guide
 * and gets past its first step. */
static gpointer
guide_job (ObdStore      *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  gint64 vehicle_id = *(gint64 *) data;
  ObdStoreGuideStep step = {
    .seq = 1, .step_id = (char *) "ect-codes", .kind = (char *) "code-check",
    .title = (char *) "Rule out a coolant temperature sensor fault",
    .outcome = (char *) "absent", .value = NAN, .recorded_us = g_get_real_time (),
  };
  gint64 run = obd_store_start_guide_run (store, vehicle_id, 0, "thermostat", 1,
                                          "Engine warms up too slowly (thermostat)",
                                          "code:P0128", "ect-codes", g_get_real_time (), error);

  if (run == 0 || !obd_store_add_guide_run_step (store, run, &step, "prepare", error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gboolean
expert_guide_cb (gpointer data)
{
  ObdExpertWindow *expert = data;
  guint step = 0, steps = 0;
  const char *title = NULL;

  return obd_remote_vehicle_get_guide (obd_room_get_vehicle (obd_expert_window_get_room (expert)),
                                       NULL, &step, &steps, &title)
         && step == 2 && steps >= 2 && g_strcmp0 (title, "Start from a cold engine") == 0
         && gtk_widget_get_visible ((GtkWidget *) gtk_widget_get_template_child (
                                      GTK_WIDGET (expert), OBD_TYPE_EXPERT_WINDOW,
                                      "guide_group"));
}

static void
test_story (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  /* Ann's PC reaches the server through a relay that leads nowhere at
   * first: the server is down. */
  SyncTestRelay *relay = sync_test_relay_new (0);
  g_autofree char *ann_url = test_url_for_port (relay->port);
  TestPc *ann = test_pc_new ("mechanic");
  TestPc *fiona = test_pc_new ("fleet");
  TestPc *ben = test_pc_new ("mechanic");
  ObdWindow *ann_window = pc_window (ann);
  ObdWindow *fiona_window;
  ObdSyncStatus *ann_status = OBD_SYNC_STATUS (obd_window_get_sync_status (ann_window));
  GtkWidget *expert, *room_window, *panel, *entry;
  ObdRoom *ann_room;
  FleetLive fleet_live = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRowItem) note = NULL;

  /* 1. Offline: Ann records; the changes wait. */
  test_pc_fast_retry (ann);
  g_assert_false (test_pc_configure (ann, ann_url, server->mechanic_a, &error));
  g_clear_error (&error);
  test_pc_connect_car (ann, TEST_SIM);
  test_pc_record (ann, 150);
  wait_status (ann_window, "waiting");
  g_assert_cmpint (sync_test_server_int (server, "SELECT count(*) FROM sample_chunks"), ==, 0);
  shots (GTK_WIDGET (ann_window), "story-1-offline");

  /* 2. The server comes up: everything goes, the count drops to nothing. */
  relay->target = test_server_port (server);
  wait_status (ann_window, "Synced");
  g_assert_cmpint (obd_sync_manager_get_pending_count (ann->sync), ==, 0);
  g_assert_cmpint (sync_test_server_int (server, "SELECT sum(count) FROM sample_chunks"), >=,
                   (gint64) obd_session_get_recorded_samples (ann->session));
  shots (GTK_WIDGET (ann_window), "story-2-synced");

  /* 3. Fiona watches the fleet; Ann shares her session live. */
  g_assert_true (test_pc_configure (fiona, server->url, server->fleet_a, &error));
  g_assert_no_error (error);
  /* A fleet manager needs no car: the fleet view shows at once. */
  fiona_window = pc_window (fiona);
  g_assert_cmpstr (obd_window_get_view (fiona_window), ==, "fleet");
  fleet_live.fleet = OBD_FLEET_PAGE (obd_window_get_page (fiona_window, "fleet"));
  g_assert_nonnull (fleet_live.fleet);
  obd_sync_manager_set_share_live (ann->sync, TRUE);
  test_wait (sharing_cb, ann->sync, 30, "Ann's PC to share");
  fleet_live.uuid = obd_sync_manager_get_shared_vehicle (ann->sync);
  if (!sync_test_wait_for (fleet_live_cb, &fleet_live, 60))
    {
      GListModel *items = obd_fleet_page_get_items (fleet_live.fleet);
      ObdRemoteVehicle *remote = obd_sync_manager_lookup_remote (fiona->sync, fleet_live.uuid);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(ObdFleetItem) item = g_list_model_get_item (items, i);

          g_test_message ("fleet item %s: live %s, score %g",
                          obd_fleet_item_get_vehicle_uuid (item),
                          obd_fleet_item_get_live_status (item),
                          obd_fleet_item_get_live_score (item));
        }
      {
        ObdSyncStats ann_stats, fiona_stats;

        obd_sync_client_get_stats (obd_sync_manager_get_client (ann->sync), &ann_stats);
        obd_sync_client_get_stats (obd_sync_manager_get_client (fiona->sync), &fiona_stats);
        g_test_message ("Ann: sharing %d, state %s, sent %" G_GUINT64_FORMAT "; Fiona: state %s, "
                        "role %s", obd_sync_manager_get_sharing (ann->sync),
                        obd_sync_state_to_string (obd_sync_manager_get_state (ann->sync)),
                        ann_stats.messages_sent,
                        obd_sync_state_to_string (obd_sync_manager_get_state (fiona->sync)),
                        obd_sync_manager_get_role (fiona->sync));
        g_test_message ("Fiona's error: %s", obd_sync_manager_get_last_error (fiona->sync));
      }
      g_error ("The fleet's Live column does not show Ann's vehicle %s (remote: %s, live %d)",
               fleet_live.uuid, remote != NULL ? "yes" : "no",
               remote != NULL && obd_remote_vehicle_get_live (remote));
    }
  {
    int minimum;

    /* The live line wraps: the fleet still fits a 360-pixel window. */
    gtk_widget_measure (GTK_WIDGET (fiona_window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL,
                        NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
  }
  shots (GTK_WIDGET (fiona_window), "story-3-fleet-live");

  /* 4. Ann invites an expert of another garage; Ben joins with the code. */
  g_assert_true (test_pc_configure (ben, server->url, server->mechanic_b, &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (ann_status), "sync.invite", NULL);
  test_wait (room_window_cb, ann_status, 30, "the room window");
  room_window = GTK_WIDGET (obd_sync_status_get_room_window (ann_status));
  ann_room = obd_room_window_get_room (OBD_ROOM_WINDOW (room_window));
  g_assert_true (ann_room == obd_sync_manager_get_room (ann->sync));
  wait_frames (room_window, 10);
  shots_sized (room_window, "story-4-room-invite", 480, 700);

  expert = show_window (obd_expert_window_new (ben->sync, ben->settings), 1000, 760);
  shots_sized (expert, "story-4-expert-join", 1000, 760);
  obd_expert_window_join (OBD_EXPERT_WINDOW (expert), obd_room_get_code (ann_room));
  test_wait (expert_live_cb, expert, 30, "Ben to see Ann's car live");
  test_wait (watching_cb, ann_room, 20, "Ann to see Ben watching");
  g_assert_nonnull (strstr (obd_room_get_presence_text (ann_room), "Ben"));
  g_assert_nonnull (strstr (status_text (ann_window), "Synced"));

  /* Ann starts a guided repair: Ben follows its steps. */
  {
    gint64 *vehicle_id = g_new (gint64, 1);

    *vehicle_id = obd_session_get_vehicle_id (ann->session);
    obd_store_service_write_async (ann->store, "guide", *vehicle_id, guide_job, vehicle_id,
                                   g_free, NULL, NULL, NULL);
  }
  test_wait (expert_guide_cb, expert, 20, "Ben to see the guide's step");

  /* 5. Ben sends a note; Ann reads it. */
  panel = (GtkWidget *) gtk_widget_get_template_child (expert, OBD_TYPE_EXPERT_WINDOW, "panel");
  entry = (GtkWidget *) gtk_widget_get_template_child (panel, OBD_TYPE_ROOM_PANEL, "note_entry");
  gtk_editable_set_text (GTK_EDITABLE (entry), "Coolant looks fine. Check the plugs on bank 1.");
  obd_room_panel_send (OBD_ROOM_PANEL (panel));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  test_wait (has_note_cb, ann_room, 20, "Ann to get Ben's note");
  note = g_list_model_get_item (obd_room_get_notes (ann_room), 0);
  g_assert_cmpstr (obd_row_item_get_title (note), ==,
                   "Coolant looks fine. Check the plugs on bank 1.");
  test_wait (has_note_cb, obd_expert_window_get_room (OBD_EXPERT_WINDOW (expert)), 20,
             "Ben to see his note");
  shots_sized (expert, "story-5-expert-view", 1000, 760);
  shots_sized (room_window, "story-5-mechanic-room", 480, 700);
  popover_shots (ann_window, "story-5-mechanic");

  /* 6. Ann ends the session; Ben is told. */
  gtk_widget_activate_action (room_window, "room.end", NULL);
  test_wait (room_closed_cb, obd_expert_window_get_room (OBD_EXPERT_WINDOW (expert)), 20,
             "Ben to hear the session ended");
  g_assert_true (gtk_widget_get_visible ((GtkWidget *) gtk_widget_get_template_child (
                   expert, OBD_TYPE_EXPERT_WINDOW, "closed_label")));
  test_wait (room_closed_cb, ann_room, 20, "Ann's room to close");
  g_assert_null (obd_sync_manager_get_room (ann->sync));
  shots_sized (expert, "story-6-expert-ended", 1000, 760);
  shots_sized (room_window, "story-6-mechanic-ended", 480, 700);

  close_window (expert);
  close_window (fiona_window);
  close_window (ann_window);
  test_pc_free (ben);
  test_pc_free (fiona);
  test_pc_free (ann);
  sync_test_relay_free (relay);
  sync_test_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  test_pc_setup_environment ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Several windows and no window manager: a text's cursor blink timer
   * can fire while another window holds the X focus, which GTK 4.8 takes
   * for a focus-out it never got, and warns. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  /* The style sheets that AdwApplication loads in the real app. */
  obd_app_add_style_sheets (gdk_display_get_default ());

  g_test_add_func ("/app/sync-ui/status", test_status);
  g_test_add_func ("/app/sync-ui/preferences", test_preferences);
  g_test_add_func ("/app/sync-ui/conflicts", test_conflicts_shown);
  g_test_add_func ("/app/sync-ui/story", test_story);

  status = g_test_run ();
  test_pc_cleanup_environment ();
  return status;
}
