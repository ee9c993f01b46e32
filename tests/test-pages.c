/* test-pages.c — the mechanic's pages against a simulated vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test drives a real ObdSession connected to the built-in simulator
 * (no timing model, so a snapshot arrives in well under a second) and
 * looks at the widgets a person would see.
 */
#define G_LOG_DOMAIN "test-pages"
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "obd-app-util.h"
#include "obd-codes-page.h"
#include "obd-gauge.h"
#include "obd-i18n.h"
#include "obd-live-page.h"
#include "obd-overview-page.h"
#include "obd-readiness-page.h"
#include "obd-row.h"
#include "obd-session.h"
#include "obd-sim-transport.h"
#include "obd-store-service.h"
#include "obd-trend-chart.h"
#include "render-check.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

/* Waiting ------------------------------------------------------------- */

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* Lets widget draw n frames: whatever was queued before (layout, a
 * transition's first steps) is on screen after it. */
static void
settle (GtkWidget *widget,
        guint      n)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);

  WAIT_FOR (frames >= n, 10);
  gtk_widget_remove_tick_callback (widget, id);
}

/* Runs what is pending on the main context now (no waiting). */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Drops the last reference the test holds and waits for the object to
 * go: answers still on their way (a store request, a worker thread
 * winding down) hold it until they are delivered. */
static void
wait_finalized (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  WAIT_FOR (weak == NULL, 10);
}

/* Fixtures ------------------------------------------------------------ */

static ObdSession *
connect_session (const char      *connection,
                 ObdStoreService *store)
{
  ObdSession *session = obd_session_new (store);

  obd_session_connect (session, connection);
  WAIT_FOR (obd_session_get_state (session) != OBD_SESSION_STATE_CONNECTING, 30);
  if (obd_session_get_error (session) != NULL)
    g_test_message ("%s: %s", connection, obd_session_get_error (session)->message);
  WAIT_FOR (obd_session_get_state (session) == OBD_SESSION_STATE_CONNECTED &&
            obd_session_get_snapshot (session) != NULL &&
            obd_session_get_health (session) != NULL, 30);
  return session;
}

static GtkWidget *
window_with_page (GtkWidget *page,
                  int        width,
                  int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (page) && gtk_widget_get_width (page) > 0, 10);
  return window;
}

/* Ends a test the way the window ends a connection: the session lets go
 * of the vehicle, the page leaves its window, and both must be gone. */
static void
finish (GtkWidget  *window,
        GtkWidget  *page,
        ObdSession *session)
{
  /* Every border the page shows at the end is of one colour
   * (render-check.h; /style/one-colour-borders checks that the check
   * sees them). */
  if (gtk_widget_get_mapped (page))
    g_test_message ("%u borders drawn, each of one colour", render_check_borders (page));
  obd_session_disconnect (session);
  drain ();
  gtk_window_destroy (GTK_WINDOW (window));
  drain ();
  g_assert_finalize_object (page);
  wait_finalized (session);
}

/* Looking at widgets -------------------------------------------------- */

static void
collect (GtkWidget  *widget,
         GType       type,
         const char *css_class,
         GPtrArray  *out)
{
  if ((type == G_TYPE_NONE || G_TYPE_CHECK_INSTANCE_TYPE (widget, type)) &&
      (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    g_ptr_array_add (out, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, css_class, out);
}

static GPtrArray *
find_all (GtkWidget  *root,
          GType       type,
          const char *css_class)
{
  GPtrArray *out = g_ptr_array_new ();

  collect (root, type, css_class, out);
  return out;
}

static guint
count_all (GtkWidget  *root,
           GType       type,
           const char *css_class)
{
  g_autoptr(GPtrArray) all = find_all (root, type, css_class);

  return all->len;
}

static GtkWidget *
find_one (GtkWidget  *root,
          GType       type,
          const char *css_class)
{
  g_autoptr(GPtrArray) all = find_all (root, type, css_class);

  g_assert_cmpuint (all->len, ==, 1);
  return g_ptr_array_index (all, 0);
}

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  g_autoptr(GPtrArray) rows = find_all (root, ADW_TYPE_PREFERENCES_ROW, NULL);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  g_autoptr(GPtrArray) labels = find_all (root, GTK_TYPE_LABEL, NULL);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, i)), text) == 0)
      return TRUE;
  return FALSE;
}

static gpointer
template_child (GtkWidget  *page,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (page, type, name);

  g_assert_nonnull (child);
  return child;
}

static int
label_int (GtkWidget *label)
{
  return atoi (gtk_label_get_label (GTK_LABEL (label)));
}

static GtkWidget *
find_gauge (GtkWidget  *page,
            const char *label)
{
  g_autoptr(GPtrArray) gauges = find_all (page, OBD_TYPE_GAUGE, NULL);

  for (guint i = 0; i < gauges->len; i++)
    if (g_strcmp0 (obd_gauge_get_label (g_ptr_array_index (gauges, i)), label) == 0)
      return g_ptr_array_index (gauges, i);
  return NULL;
}

/* Screenshots --------------------------------------------------------- */

static GdkTexture *
render_page (GtkWidget *window)
{
  GtkWidget *child = gtk_window_get_child (GTK_WINDOW (window));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  graphene_rect_t bounds;
  GdkRGBA bg;

  g_assert_true (gtk_widget_compute_bounds (child, window, &bounds));
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                       "window_bg_color", &bg))
    gdk_rgba_parse (&bg, "#fafafa");
  gtk_snapshot_append_color (snapshot, &bg, &bounds);
  gtk_widget_snapshot_child (window, child, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node, &bounds);
}

static void
save_screenshot (GtkWidget  *window,
                 const char *name)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;

  texture = render_page (window);
  g_assert_cmpint (gdk_texture_get_width (texture), >, 0);
  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* A widget on its own surface (a popover), as it is drawn. */
static void
save_widget (GtkWidget  *widget,
             const char *name)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autofree char *path = NULL;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The vertical scrolling of the page's visible content, if any. */
static GtkAdjustment *
visible_scroll (GtkWidget *page)
{
  g_autoptr(GPtrArray) scrolled = find_all (page, GTK_TYPE_SCROLLED_WINDOW, NULL);

  for (guint i = 0; i < scrolled->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (scrolled, i);

      if (gtk_widget_get_mapped (widget) && gtk_widget_get_native (widget) ==
                                            gtk_widget_get_native (page))
        return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget));
    }
  return NULL;
}

/* Shows the page wide and narrow, light and dark; narrow means the page
 * really fits in 360 px (it asks for no more). */
static void
screenshots (GtkWidget  *page,
             const char *name)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  static const struct { int width; int height; const char *suffix; } sizes[] = {
    { 1100, 750, "" },
    { 360, 720, "-narrow" },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      GtkWidget *window = gtk_window_new ();
      int minimum;

      gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_assert_cmpint (minimum, <=, 360);

      gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
      gtk_window_set_default_size (GTK_WINDOW (window), sizes[s].width, sizes[s].height);
      gtk_window_set_child (GTK_WINDOW (window), page);
      gtk_window_present (GTK_WINDOW (window));
      WAIT_FOR (gtk_widget_get_mapped (page) &&
                gtk_widget_get_width (page) == sizes[s].width, 10);

      for (guint dark = 0; dark < 2; dark++)
        {
          g_autofree char *file = g_strdup_printf ("%s%s-%s.png", name, sizes[s].suffix,
                                                   dark ? "dark" : "light");

          g_autofree char *end_file = g_strdup_printf ("%s%s-end-%s.png", name,
                                                       sizes[s].suffix,
                                                       dark ? "dark" : "light");
          GtkAdjustment *scroll = visible_scroll (page);

          adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                            : ADW_COLOR_SCHEME_FORCE_LIGHT);
          if (scroll != NULL)
            gtk_adjustment_set_value (scroll, 0);
          /* The style change and the crossfades of the stacks (a quarter
           * of a second) are over after this many frames. */
          settle (page, 30);
          save_screenshot (window, file);

          /* What lies below the fold, when there is something. */
          if (scroll != NULL && gtk_adjustment_get_upper (scroll) >
                                gtk_adjustment_get_page_size (scroll) + 1)
            {
              gtk_adjustment_set_value (scroll, gtk_adjustment_get_upper (scroll));
              settle (page, 5);
              save_screenshot (window, end_file);
            }
        }
      adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
      gtk_window_set_child (GTK_WINDOW (window), NULL);
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

/* Overview ------------------------------------------------------------ */

static void
test_overview_misfire (void)
{
  ObdSession *session = connect_session ("sim:misfire?timing=0", NULL);
  GtkWidget *page = g_object_ref_sink (obd_overview_page_new (session));
  GtkWidget *window = window_with_page (page, 1000, 800);
  GtkWidget *tile, *score, *explain;
  g_autoptr(GPtrArray) tiles = NULL;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_child (page, OBD_TYPE_OVERVIEW_PAGE,
                                                                     "stack")),
                   ==, "content");

  /* Six systems, and a misfiring engine scores below half. */
  tiles = find_all (page, GTK_TYPE_BOX, "obd-system-tile");
  g_assert_cmpuint (tiles->len, ==, OBD_HEALTH_N_SYSTEMS);
  tile = find_one (page, GTK_TYPE_BOX, "obd-system-engine");
  score = find_one (tile, GTK_TYPE_LABEL, "obd-score");
  g_assert_cmpint (label_int (score), <, 50);
  /* Rounded the one way, as the explanation rounds (14.7 is 15 in both). */
  g_assert_cmpint (label_int (score), ==,
                   obd_health_score_round (obd_session_get_health (session)->system_scores[0]));
  g_assert_true (gtk_widget_has_css_class (tile, "error"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (find_one (tile, GTK_TYPE_LABEL, "obd-state"))),
                   ==, "Poor");

  /* The status is a word and an icon, not a colour alone. */
  g_assert_cmpstr (gtk_label_get_label (template_child (page, OBD_TYPE_OVERVIEW_PAGE,
                                                        "status_label")),
                   !=, "Healthy");
  g_assert_nonnull (gtk_image_get_icon_name (template_child (page, OBD_TYPE_OVERVIEW_PAGE,
                                                             "status_icon")));

  /* MIL on, P0300 and P0301 stored. */
  g_assert_cmpstr (gtk_label_get_label (template_child (page, OBD_TYPE_OVERVIEW_PAGE,
                                                        "mil_label")), ==, "On");
  g_assert_cmpint (label_int (template_child (page, OBD_TYPE_OVERVIEW_PAGE, "stored_label")),
                   >=, 2);

  /* The explanation is laid out when its row is opened. */
  explain = template_child (page, OBD_TYPE_OVERVIEW_PAGE, "explain_label");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find_row (page, "How is this score made?")),
                                 TRUE);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (explain)), "P0301"));
  {
    g_autofree char *engine = g_strdup_printf ("Engine: %d/100", label_int (score));
    g_autofree char *vehicle = g_strdup_printf ("Vehicle health: %d/100, %s",
                                                label_int (template_child (page,
                                                                           OBD_TYPE_OVERVIEW_PAGE,
                                                                           "score_label")),
                                                gtk_label_get_label (template_child (
                                                  page, OBD_TYPE_OVERVIEW_PAGE,
                                                  "status_label")));

    g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (explain)), engine));
    g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (explain)), vehicle));
  }
  g_assert_cmpstr (gtk_label_get_label (template_child (page, OBD_TYPE_OVERVIEW_PAGE,
                                                        "title_label")),
                   ==, obd_session_get_vehicle_title (session));
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  screenshots (page, "overview");
  gtk_window_set_child (GTK_WINDOW (window), page);
  finish (window, page, session);
}

static void
test_overview_disconnected (void)
{
  ObdSession *session = obd_session_new (NULL);
  GtkWidget *page = g_object_ref_sink (obd_overview_page_new (NULL));
  GtkWidget *window = window_with_page (page, 800, 600);
  GtkStack *stack = template_child (page, OBD_TYPE_OVERVIEW_PAGE, "stack");

  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");

  /* The session can come later, and the page follows it. */
  obd_page_set_session (OBD_PAGE (page), session);
  g_assert_true (obd_page_get_session (OBD_PAGE (page)) == session);
  obd_session_connect (session, "sim:healthy-idle?timing=0");
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "content") == 0, 30);
  g_assert_cmpint (label_int (template_child (page, OBD_TYPE_OVERVIEW_PAGE, "stored_label")),
                   ==, 0);

  /* Unplugged, the last reading stays, marked as such. */
  obd_session_disconnect (session);
  WAIT_FOR (obd_session_get_state (session) == OBD_SESSION_STATE_DISCONNECTED, 10);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "content");
  g_assert_nonnull (strstr (gtk_label_get_label (template_child (page, OBD_TYPE_OVERVIEW_PAGE,
                                                                 "subtitle_label")),
                            "last reading"));

  finish (window, page, session);
}

/* Live ---------------------------------------------------------------- */

typedef struct
{
  char            *dir;
  ObdStoreService *store;
} TempStore;

static void
temp_store_open (TempStore *t)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  t->dir = g_dir_make_tmp ("obd2-pages-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (t->dir, "store.db", NULL);
  t->store = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  WAIT_FOR (obd_store_service_get_state (t->store) == OBD_STORE_SERVICE_OPEN, 10);
}

static void
temp_store_close (TempStore *t)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  obd_store_service_close (t->store);
  wait_finalized (t->store);
  dir = g_dir_open (t->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (t->dir);
  g_free (t->dir);
}

static guint
count_gauges (GtkWidget *page)
{
  g_autoptr(GPtrArray) gauges = find_all (page, OBD_TYPE_GAUGE, NULL);

  return gauges->len;
}

static const char *
first_gauge_label (GtkWidget *page)
{
  g_autoptr(GPtrArray) gauges = find_all (page, OBD_TYPE_GAUGE, NULL);

  return gauges->len > 0 ? obd_gauge_get_label (g_ptr_array_index (gauges, 0)) : NULL;
}

static void
test_live_gauges (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  TempStore store;
  ObdSession *session;
  GtkWidget *page, *window, *rpm, *record_label;
  g_auto(GStrv) dashboard = NULL;
  g_autoptr(GArray) supported = NULL;
  ObdTrendChart *chart;
  guint expected = 0;
  double first;

  temp_store_open (&store);
  session = connect_session ("sim:misfire?timing=0", store.store);
  page = g_object_ref_sink (obd_live_page_new (session));
  window = window_with_page (page, 1100, 750);

  /* A gauge per dashboard PID the car supports, in the setting's order. */
  dashboard = g_settings_get_strv (settings, "dashboard-pids");
  supported = obd_session_dup_supported_pids (session);
  for (guint i = 0; dashboard[i] != NULL; i++)
    for (guint j = 0; j < supported->len; j++)
      if (g_ascii_strtoull (dashboard[i], NULL, 16) == g_array_index (supported, guint8, j))
        expected++;
  g_assert_cmpuint (expected, >=, 3);
  g_assert_cmpuint (count_gauges (page), ==, expected);
  g_assert_cmpstr (first_gauge_label (page), ==, "Engine speed");

  /* The workshop range of the PID layer (not the 0-16383.75 rpm the
   * encoding can hold), threshold from the alert settings. */
  rpm = find_gauge (page, "Engine speed");
  g_assert_nonnull (rpm);
  g_assert_cmpfloat_with_epsilon (obd_gauge_get_min_value (OBD_GAUGE (rpm)), 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (obd_gauge_get_max_value (OBD_GAUGE (rpm)), 8000, 1e-6);
  g_assert_cmpfloat_with_epsilon (obd_gauge_get_warning_threshold (OBD_GAUGE (rpm)),
                                  g_settings_get_double (settings, "rpm-warning"), 1e-9);

  /* Values arrive in batches and move (a misfiring idle is rough). */
  WAIT_FOR (isfinite (obd_gauge_get_value (OBD_GAUGE (rpm))), 10);
  first = obd_gauge_get_value (OBD_GAUGE (rpm));
  WAIT_FOR (obd_gauge_get_value (OBD_GAUGE (rpm)) != first, 10);
  g_assert_cmpfloat (obd_gauge_get_value (OBD_GAUGE (rpm)), >, 300.0);

  /* The chart has a series per gauge and is fed for the ones shown. */
  chart = OBD_TREND_CHART (find_one (page, OBD_TYPE_TREND_CHART, NULL));
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart), ==, expected);
  g_assert_true (obd_trend_chart_get_live_follow (chart));
  WAIT_FOR (obd_trend_chart_get_n_samples (chart, 0x0C) > 3, 10);
  g_assert_true (obd_trend_chart_get_series_visible (chart, 0x0C));

  /* Reordering from the keyboard-reachable buttons saves the setting. */
  gtk_widget_activate_action (page, "live.move-down", "y", (guint8) 0x0C);
  WAIT_FOR (g_strcmp0 (first_gauge_label (page), "Engine speed") != 0, 30);
  {
    g_auto(GStrv) moved = g_settings_get_strv (settings, "dashboard-pids");

    g_assert_cmpstr (moved[0], ==, dashboard[1]);
    g_assert_cmpstr (moved[1], ==, "0C");
  }
  /* The same gauge widget survives the move, with its value. */
  g_assert_true (find_gauge (page, "Engine speed") == rpm);
  gtk_widget_activate_action (page, "live.move-up", "y", (guint8) 0x0C);
  WAIT_FOR (g_strcmp0 (first_gauge_label (page), "Engine speed") == 0, 30);

  /* Picking: the picker lists the supported PIDs; unchecking removes. */
  gtk_menu_button_popup (template_child (page, OBD_TYPE_LIVE_PAGE, "pick_button"));
  {
    GtkWidget *row = find_row (template_child (page, OBD_TYPE_LIVE_PAGE, "pick_list"),
                               "Engine speed");
    GtkWidget *check;

    g_assert_nonnull (row);
    check = find_one (row, GTK_TYPE_CHECK_BUTTON, NULL);
    g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), FALSE);
    WAIT_FOR (count_gauges (page) == expected - 1, 30);
    g_assert_null (find_gauge (page, "Engine speed"));
  }
  g_settings_reset (settings, "dashboard-pids");
  WAIT_FOR (count_gauges (page) == expected, 30);
  gtk_popover_popdown (GTK_POPOVER (template_child (page, OBD_TYPE_LIVE_PAGE, "pick_popover")));

  /* Recording: elapsed time and count show while it runs. */
  record_label = template_child (page, OBD_TYPE_LIVE_PAGE, "record_label");
  g_assert_false (gtk_widget_get_visible (record_label));
  gtk_widget_activate_action (page, "live.record", NULL);
  WAIT_FOR (obd_session_get_recording (session), 10);
  WAIT_FOR (obd_session_get_recorded_samples (session) > 10, 10);
  WAIT_FOR (strstr (gtk_label_get_label (GTK_LABEL (record_label)), "samples") != NULL, 30);
  g_assert_true (gtk_widget_get_visible (record_label));
  /* Stopping is asked for at once and done in the background. */
  gtk_widget_activate_action (page, "live.record", NULL);
  g_assert_false (obd_session_get_recording (session));
  g_assert_false (gtk_widget_get_visible (record_label));
  WAIT_FOR (!obd_session_get_recording_busy (session), 10);

  /* Link quality. */
  WAIT_FOR (obd_session_get_link_rate (session) > 0.0, 10);
  g_assert_nonnull (strstr (gtk_label_get_label (template_child (page, OBD_TYPE_LIVE_PAGE,
                                                                 "link_label")), "values/s"));

  finish (window, page, session);
  temp_store_close (&store);
}

/* A gauge shows the session's verdict on its reading: red exactly when
 * the session has raised the critical alert, not when the value first
 * crosses the limit (the alert waits out its minimum duration). */
typedef struct
{
  ObdSession *session;
  GtkWidget  *gauge;
  guint       batches;
  guint       disagreements;
  gboolean    over_limit_not_raised;  /* a reading past the limit, no alert yet */
  gboolean    raised;
} GaugeWatch;

static void
check_gauge_cb (GaugeWatch *watch)
{
  ObdLiveData *live = obd_session_get_live_data (watch->session);
  ObdAlertState state = obd_live_data_get_alert_state (live, "coolant_temp");
  ObdGaugeAlertState shown = obd_gauge_get_alert_state (OBD_GAUGE (watch->gauge));
  double coolant = obd_session_get_latest (watch->session, 0x05, 0, NULL);

  watch->batches++;
  if ((int) shown != (int) state)
    watch->disagreements++;
  if (coolant > 110.0 && state == OBD_ALERT_STATE_NORMAL)
    watch->over_limit_not_raised = TRUE;
  if (state == OBD_ALERT_STATE_CRITICAL)
    watch->raised = TRUE;
}

static void
test_live_gauge_verdict (void)
{
  ObdSession *session = connect_session ("sim:overheating?timing=0", NULL);
  GtkWidget *page = g_object_ref_sink (obd_live_page_new (session));
  GtkWidget *window = window_with_page (page, 1100, 750);
  GaugeWatch watch = { session, NULL };
  gulong samples_id, alerts_id;
  double limit = NAN;
  gsize n_limits;
  const ObdAlertLimit *limits = obd_alert_limits_get (&n_limits);

  watch.gauge = find_gauge (page, "Coolant");
  g_assert_nonnull (watch.gauge);
  /* The scale's band is the health layer's limit, as the session has it. */
  for (gsize i = 0; i < n_limits; i++)
    if (g_str_equal (limits[i].settings_key, "coolant-critical"))
      limit = obd_alert_thresholds_get (obd_live_data_get_thresholds (
                                          obd_session_get_live_data (session)), &limits[i]);
  g_assert_cmpfloat_with_epsilon (obd_gauge_get_critical_threshold (OBD_GAUGE (watch.gauge)),
                                  limit, 1e-9);

  /* Connected after the page's handlers, so each check sees what the page
   * made of the batch. */
  samples_id = g_signal_connect_swapped (session, "samples", G_CALLBACK (check_gauge_cb), &watch);
  alerts_id = g_signal_connect_swapped (session, "notify::active-alerts",
                                        G_CALLBACK (check_gauge_cb), &watch);
  WAIT_FOR (watch.raised, 60);
  g_assert_cmpint (obd_gauge_get_alert_state (OBD_GAUGE (watch.gauge)), ==,
                   OBD_GAUGE_ALERT_STATE_CRITICAL);
  g_assert_cmpint (obd_gauge_get_zone (OBD_GAUGE (watch.gauge)), ==, OBD_GAUGE_ZONE_CRITICAL);
  g_assert_true (watch.over_limit_not_raised);
  g_assert_cmpuint (watch.disagreements, ==, 0);
  g_assert_cmpuint (watch.batches, >, 1);
  g_signal_handler_disconnect (session, samples_id);
  g_signal_handler_disconnect (session, alerts_id);

  /* Another limit in the settings moves the band (through the session). */
  {
    ObdAlertThresholds thresholds = *obd_live_data_get_thresholds (
                                       obd_session_get_live_data (session));

    thresholds.coolant_critical_c = 120.0;
    obd_session_set_alert_thresholds (session, &thresholds);
    g_assert_cmpfloat_with_epsilon (obd_gauge_get_critical_threshold (OBD_GAUGE (watch.gauge)),
                                    120.0, 1e-9);
  }

  finish (window, page, session);
}

/* With the simulator's real timing, as a person sees it: the chart spans
 * seconds, not the blur of an instant. */
static void
test_live_real_time (void)
{
  ObdSession *session = connect_session ("sim:driving-cycle", NULL);
  GtkWidget *page = g_object_ref_sink (obd_live_page_new (session));
  GtkWidget *window = window_with_page (page, 1100, 750);
  ObdTrendChart *chart = OBD_TREND_CHART (find_one (page, OBD_TYPE_TREND_CHART, NULL));
  GtkWidget *rpm = find_gauge (page, "Engine speed");
  gint64 first = 0, last = 0;

  g_assert_nonnull (rpm);
  WAIT_FOR (obd_trend_chart_get_n_samples (chart, 0x0C) > 0 &&
            obd_trend_chart_get_latest (chart, 0x0C, &first, NULL), 10);
  WAIT_FOR (obd_trend_chart_get_latest (chart, 0x0C, &last, NULL) &&
            last - first > 8 * G_USEC_PER_SEC, 20);
  g_assert_true (isfinite (obd_gauge_get_value (OBD_GAUGE (rpm))));

  gtk_window_set_child (GTK_WINDOW (window), NULL);
  screenshots (page, "live");
  gtk_window_set_child (GTK_WINDOW (window), page);
  WAIT_FOR (gtk_widget_get_mapped (page), 30);

  /* The picker: every supported value, the gauges first with their
   * move buttons. */
  {
    GtkWidget *popover = template_child (page, OBD_TYPE_LIVE_PAGE, "pick_popover");
    GtkWidget *list = template_child (page, OBD_TYPE_LIVE_PAGE, "pick_list");
    g_autoptr(GPtrArray) rows = NULL;
    g_autoptr(GPtrArray) buttons = NULL;

    /* Made when opened. */
    gtk_menu_button_popup (template_child (page, OBD_TYPE_LIVE_PAGE, "pick_button"));
    rows = find_all (list, ADW_TYPE_ACTION_ROW, NULL);
    buttons = find_all (g_ptr_array_index (rows, 0), GTK_TYPE_BUTTON, NULL);

    g_assert_cmpuint (rows->len, >, count_gauges (page));
    g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (rows, 0)), ==,
                     "Engine speed");
    /* Up (insensitive: already first) and down. */
    g_assert_cmpuint (buttons->len, ==, 2);
    g_assert_false (gtk_widget_get_sensitive (g_ptr_array_index (buttons, 0)));
    g_assert_true (gtk_widget_get_sensitive (g_ptr_array_index (buttons, 1)));

    WAIT_FOR (gtk_widget_get_mapped (popover) && gtk_widget_get_height (popover) > 50, 30);
    settle (popover, 20);
    save_widget (popover, "live-picker-light.png");
    gtk_popover_popdown (GTK_POPOVER (popover));
  }

  finish (window, page, session);
}

/* Codes --------------------------------------------------------------- */

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* Boxes of css_class that are shown (each code row has a freeze frame
 * box; only the code that set it shows it). */
static guint
count_visible (GtkWidget  *root,
               const char *css_class)
{
  g_autoptr(GPtrArray) boxes = find_all (root, GTK_TYPE_BOX, css_class);
  guint n = 0;

  for (guint i = 0; i < boxes->len; i++)
    n += gtk_widget_get_visible (g_ptr_array_index (boxes, i));
  return n;
}

static guint
count_stored_rows (GtkWidget *page)
{
  g_autoptr(GPtrArray) groups = find_all (page, ADW_TYPE_PREFERENCES_GROUP, "obd-dtc-stored");
  guint n = 0;

  for (guint i = 0; i < groups->len; i++)
    {
      g_autoptr(GPtrArray) rows = find_all (g_ptr_array_index (groups, i),
                                            OBD_TYPE_ROW, "obd-dtc-row");
      n += rows->len;
    }
  return n;
}

static void
test_codes_misfire_and_clear (void)
{
  ObdSession *session = connect_session ("sim:misfire?timing=0", NULL);
  GtkWidget *page = g_object_ref_sink (obd_codes_page_new (session));
  GtkWidget *window = window_with_page (page, 1000, 800);
  GtkStack *stack = template_child (page, OBD_TYPE_CODES_PAGE, "stack");
  GtkWidget *p0300, *p0301, *clear_button;
  g_autoptr(GPtrArray) severity = NULL;
  gboolean has_freeze = FALSE;
  AdwMessageDialog *dialog;

  /* The codes are explained on a worker thread (the knowledge base). */
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "codes") == 0, 10);
  /* A few rows a frame. */
  WAIT_FOR (find_row (page, "P0300") != NULL && find_row (page, "P0301") != NULL, 10);
  p0300 = find_row (page, "P0300");
  p0301 = find_row (page, "P0301");
  g_assert_nonnull (p0300);
  g_assert_nonnull (p0301);
  g_assert_cmpstr (obd_row_get_subtitle (OBD_ROW (p0300)), ==,
                   "Random/Multiple Cylinder Misfire Detected");
  g_assert_cmpstr (obd_row_get_subtitle (OBD_ROW (p0301)), ==,
                   "Cylinder 1 Misfire Detected");
  g_assert_cmpuint (count_stored_rows (page), >=, 2);

  /* Severity as an icon and a word. */
  severity = find_all (p0301, GTK_TYPE_BOX, "obd-severity");
  g_assert_cmpuint (severity->len, ==, 1);
  g_assert_nonnull (find_one (g_ptr_array_index (severity, 0), GTK_TYPE_IMAGE, NULL));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (find_one (g_ptr_array_index (severity, 0),
                                                             GTK_TYPE_LABEL, NULL))),
                   ==, "Critical");

  /* The explanation, and the freeze frame on the code that set it. */
  g_assert_true (has_label (p0301, "Likely Causes"));
  g_assert_true (has_label (p0301, "What It Means"));
  {
    const ObdSnapshot *snapshot = obd_session_get_snapshot (session);

    has_freeze = snapshot->freeze_dtc[0] != '\0';
    g_assert_cmpuint (count_visible (page, "obd-freeze-frame"), ==, has_freeze ? 1 : 0);
    if (has_freeze)
      g_assert_cmpuint (count_visible (find_row (page, snapshot->freeze_dtc),
                                       "obd-freeze-frame"), ==, 1);
  }

  /* Open the code that set the freeze frame, as a mechanic would. */
  obd_row_set_expanded (OBD_ROW (p0300), TRUE);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  screenshots (page, "codes");
  gtk_window_set_child (GTK_WINDOW (window), page);
  WAIT_FOR (gtk_widget_get_mapped (page), 30);

  /* Clearing asks first; cancelling changes nothing. */
  clear_button = template_child (page, OBD_TYPE_CODES_PAGE, "clear_button");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (clear_button)), ==, "Clear Codes…");
  g_assert_true (gtk_widget_is_sensitive (clear_button));
  gtk_widget_activate_action (page, "codes.clear", NULL);
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL, 30);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "clear"), ==, "_Clear");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "clear"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "drive cycle"));
  {
    /* The way a person answers: the dialog's own button. */
    g_autoptr(GPtrArray) buttons = find_all (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, NULL);
    GtkWidget *cancel = NULL;

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), "_Cancel") == 0)
        cancel = g_ptr_array_index (buttons, i);
    g_assert_nonnull (cancel);
    g_signal_emit_by_name (cancel, "clicked");
  }
  WAIT_FOR (find_message_dialog () == NULL, 30);
  drain ();
  g_assert_nonnull (find_row (page, "P0301"));

  /* Confirmed, the codes go and the list follows. */
  gtk_widget_activate_action (page, "codes.clear", NULL);
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL, 30);
  adw_message_dialog_response (dialog, "clear");
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_FOR (!gtk_widget_is_sensitive (clear_button), 30);
  WAIT_FOR (gtk_widget_is_sensitive (clear_button), 30);
  WAIT_FOR (count_stored_rows (page) == 0, 10);
  for (guint i = 0; i < obd_session_get_snapshot (session)->dtcs->len; i++)
    g_assert_cmpint (g_array_index (obd_session_get_snapshot (session)->dtcs, ObdDtc, i).kind,
                     !=, OBD_DTC_KIND_STORED);

  finish (window, page, session);
}

static void
test_codes_healthy (void)
{
  ObdSession *session = connect_session ("sim:healthy-idle?timing=0", NULL);
  GtkWidget *page = g_object_ref_sink (obd_codes_page_new (session));
  GtkWidget *window = window_with_page (page, 800, 600);
  GtkStack *stack = template_child (page, OBD_TYPE_CODES_PAGE, "stack");
  GtkWidget *button;

  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "empty") == 0, 10);

  /* Refresh reads again and comes back. */
  button = template_child (page, OBD_TYPE_CODES_PAGE, "refresh_button");
  gtk_widget_activate_action (page, "codes.refresh", NULL);
  g_assert_false (gtk_widget_is_sensitive (button));
  WAIT_FOR (gtk_widget_is_sensitive (button), 30);
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "empty") == 0, 10);

  gtk_window_set_child (GTK_WINDOW (window), NULL);
  screenshots (page, "codes-empty");
  gtk_window_set_child (GTK_WINDOW (window), page);
  finish (window, page, session);
}

/* Readiness ----------------------------------------------------------- */

static void
test_readiness_failing_catalyst (void)
{
  ObdSession *session = connect_session ("sim:failing-catalyst?timing=0", NULL);
  GtkWidget *page = g_object_ref_sink (obd_readiness_page_new (session));
  GtkWidget *window = window_with_page (page, 1000, 800);
  GtkWidget *tests_box, *first_group, *catalyst, *button;
  g_autoptr(GPtrArray) monitors = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  g_autoptr(GPtrArray) failed_first = NULL;
  g_autoptr(GPtrArray) words = NULL;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (template_child (page,
                                                                     OBD_TYPE_READINESS_PAGE,
                                                                     "stack")),
                   ==, "content");

  monitors = find_all (page, OBD_TYPE_ROW, "obd-monitor-row");
  g_assert_cmpuint (monitors->len, >=, 3);
  catalyst = find_row (page, "Catalyst");
  g_assert_nonnull (catalyst);
  words = find_all (catalyst, GTK_TYPE_BOX, "obd-status-word");
  g_assert_cmpuint (words->len, ==, 1);
  {
    const char *word = gtk_label_get_label (GTK_LABEL (find_one (g_ptr_array_index (words, 0),
                                                                 GTK_TYPE_LABEL, NULL)));

    g_assert_true (g_str_equal (word, "Complete") || g_str_equal (word, "Incomplete"));
  }
  g_assert_nonnull (find_row (page, "Misfire"));

  /* Monitors the car does not have are in a group of their own, after the
   * supported ones, and only there. */
  {
    GtkWidget *supported_group = template_child (page, OBD_TYPE_READINESS_PAGE,
                                                 "monitors_group");
    GtkWidget *unsupported_group = template_child (page, OBD_TYPE_READINESS_PAGE,
                                                   "unsupported_group");
    g_autoptr(GPtrArray) supported = find_all (supported_group, OBD_TYPE_ROW, "obd-monitor-row");
    g_autoptr(GPtrArray) unsupported = find_all (unsupported_group, OBD_TYPE_ROW,
                                                 "obd-monitor-row");

    g_assert_true (gtk_widget_get_visible (unsupported_group));
    g_assert_cmpuint (unsupported->len, >=, 1);
    g_assert_cmpuint (supported->len + unsupported->len, ==, monitors->len);
    g_assert_nonnull (find_row (unsupported_group, "Heated catalyst"));
    g_assert_null (find_row (supported_group, "Heated catalyst"));
    g_assert_nonnull (find_row (supported_group, "Catalyst"));
  }

  /* A failing Mode 06 test, in the first group (the groups come a few
   * frames after the page). */
  WAIT_FOR (count_all (page, OBD_TYPE_ROW, "obd-test-failed") > 0, 10);
  failed = find_all (page, OBD_TYPE_ROW, "obd-test-failed");
  g_assert_cmpuint (failed->len, >=, 1);
  g_assert_nonnull (strstr (obd_row_get_subtitle (g_ptr_array_index (failed, 0)),
                            "limits"));
  tests_box = template_child (page, OBD_TYPE_READINESS_PAGE, "tests_box");
  WAIT_FOR (count_all (tests_box, ADW_TYPE_PREFERENCES_GROUP, NULL) >= 2, 10);
  {
    g_autoptr(GPtrArray) groups = find_all (tests_box, ADW_TYPE_PREFERENCES_GROUP, NULL);

    g_assert_cmpuint (groups->len, >=, 2);
    first_group = g_ptr_array_index (groups, 0);
  }
  failed_first = find_all (first_group, OBD_TYPE_ROW, "obd-test-failed");
  g_assert_cmpuint (failed_first->len, >=, 1);
  g_assert_nonnull (strstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (first_group)),
                            "atalyst"));

  gtk_window_set_child (GTK_WINDOW (window), NULL);
  screenshots (page, "readiness");
  gtk_window_set_child (GTK_WINDOW (window), page);
  WAIT_FOR (gtk_widget_get_mapped (page), 30);

  /* And the test results themselves, scrolled to. */
  {
    GtkAdjustment *scroll = visible_scroll (page);
    graphene_point_t at;

    g_assert_nonnull (scroll);
    settle (page, 3);
    g_assert_true (gtk_widget_compute_point (tests_box, page, &GRAPHENE_POINT_INIT (0, 0), &at));
    gtk_adjustment_set_value (scroll, gtk_adjustment_get_value (scroll) + at.y - 60);
    settle (page, 5);
    save_screenshot (window, "readiness-tests-light.png");
  }

  button = template_child (page, OBD_TYPE_READINESS_PAGE, "refresh_button");
  gtk_widget_activate_action (page, "readiness.refresh", NULL);
  g_assert_false (gtk_widget_is_sensitive (button));
  WAIT_FOR (gtk_widget_is_sensitive (button), 30);
  catalyst = find_row (page, "Catalyst");
  g_assert_nonnull (catalyst);

  /* A change of the snapshot's other parts (its codes, the vehicle) does
   * not build the rows again. */
  g_object_add_weak_pointer (G_OBJECT (catalyst), (gpointer *) &catalyst);
  g_object_notify (G_OBJECT (session), "snapshot");
  g_assert_nonnull (catalyst);
  g_assert_true (find_row (page, "Catalyst") == catalyst);

  /* A disconnect leaves the last readings as they are (not built again)
   * and only turns off what needs the car. */
  obd_session_disconnect (session);
  WAIT_FOR (obd_session_get_state (session) == OBD_SESSION_STATE_DISCONNECTED, 30);
  g_assert_false (gtk_widget_is_sensitive (button));
  g_assert_nonnull (catalyst);
  g_assert_true (find_row (page, "Catalyst") == catalyst);
  g_object_remove_weak_pointer (G_OBJECT (catalyst), (gpointer *) &catalyst);

  finish (window, page, session);
}

/* Pages without a session --------------------------------------------- */

static void
test_pages_without_session (void)
{
  GType types[] = {
    OBD_TYPE_OVERVIEW_PAGE, OBD_TYPE_LIVE_PAGE, OBD_TYPE_CODES_PAGE, OBD_TYPE_READINESS_PAGE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWidget *page = g_object_ref_sink (g_object_new (types[i], NULL));
      GtkWidget *window = window_with_page (page, 360, 600);
      GObject *stack = gtk_widget_get_template_child (page, types[i], "stack");
      ObdSession *session = NULL;

      g_assert_nonnull (stack);
      g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), !=, "content");
      g_object_get (page, "session", &session, NULL);
      g_assert_null (session);

      gtk_window_destroy (GTK_WINDOW (window));
      drain ();
      g_assert_finalize_object (page);
    }
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
  /* The application installs the simulator and its style sheet; so does
   * this, so that the screenshots look like the application. */
  obd_sim_register ();
  obd_app_add_style_sheets (gdk_display_get_default ());

  g_test_add_func ("/pages/none", test_pages_without_session);
  g_test_add_func ("/pages/overview/misfire", test_overview_misfire);
  g_test_add_func ("/pages/overview/follow-session", test_overview_disconnected);
  g_test_add_func ("/pages/live/gauges", test_live_gauges);
  g_test_add_func ("/pages/live/gauge-verdict", test_live_gauge_verdict);
  g_test_add_func ("/pages/live/real-time", test_live_real_time);
  g_test_add_func ("/pages/codes/misfire-clear", test_codes_misfire_and_clear);
  g_test_add_func ("/pages/codes/healthy", test_codes_healthy);
  g_test_add_func ("/pages/readiness/failing-catalyst", test_readiness_failing_catalyst);

  return g_test_run ();
}
