/* test-role-pages.c — the store-backed pages: vehicle, history, fleet, owner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test fills a temporary store through the store's own API (two
 * vehicles, recorded sessions, trouble codes, maintenance), shows a page
 * in a window, and checks what a person would see: the texts of the
 * labels that are mapped.  With OBD2_SCREENSHOT_DIR set, every page is
 * also saved as PNG, light and dark, wide and 360 px narrow.
 */
#define G_LOG_DOMAIN "test-role-pages"
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "obd-app-util.h"
#include "obd-diagnosis.h"
#include "obd-fleet-page.h"
#include "obd-history-page.h"
#include "obd-mode09.h"
#include "obd-overview-page.h"
#include "obd-owner-page.h"
#include "obd-recorder.h"
#include "obd-session.h"
#include "obd-store-service.h"
#include "obd-sim-transport.h"
#include "obd-trend-chart.h"
#include "obd-vehicle-page.h"
#include "render-check.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

#define VIN_HONDA "1HGCM82633A004352"
#define VIN_VW    "WVWZZZ1JZXW000001"
#define N_SAMPLES 60
#define DAY_US    ((gint64) 24 * 3600 * G_USEC_PER_SEC)

/* Fixture ------------------------------------------------------------- */

typedef struct
{
  char            *dir;
  ObdStore        *store;     /* the test's own look into the store */
  ObdStoreService *service;   /* the application's */
  ObdSession      *session;
  gint64      honda;       /* P0301 + P0420, one service overdue */
  gint64      vw;          /* healthy */
  gint64      session_before;
  gint64      session_after;
  gint64      overdue_item;
} Fixture;

static gint64
record_session (ObdStore *store,
                gint64    vehicle_id,
                double    rpm_offset)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  gint64 session_id, committed = 0;
  gint64 t0 = g_get_real_time ();

  g_assert_no_error (error);
  session_id = obd_recorder_start_session (recorder, vehicle_id, "ISO 15765-4 (CAN 11/500)",
                                           "ELM327 v1.5", "sim:misfire", &error);
  g_assert_no_error (error);
  g_assert_cmpint (session_id, >, 0);

  for (guint i = 0; i < N_SAMPLES; i++)
    {
      gint64 t = t0 + (gint64) i * G_USEC_PER_SEC / 2;
      ObdSample rpm = { t, 0x7E8, 0x01, 0x0C, 0, 800.0 + rpm_offset + 40.0 * (i % 7) };
      ObdSample speed = { t, 0x7E8, 0x01, 0x0D, 0, (double) i };
      ObdSample coolant = { t, 0x7E8, 0x01, 0x05, 0, 70.0 + i / 3.0 };

      g_array_append_val (batch, rpm);
      g_array_append_val (batch, speed);
      g_array_append_val (batch, coolant);
    }
  obd_recorder_push_samples (recorder, (const ObdSample *) batch->data, batch->len);
  g_assert_true (obd_recorder_flush (recorder, &committed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (committed, ==, 3 * N_SAMPLES);
  g_assert_true (obd_recorder_stop_session (recorder, &error));
  g_assert_no_error (error);
  return session_id;
}

static void
set_vehicle_details (ObdStore   *store,
                     gint64      vehicle_id,
                     const char *plate,
                     const char *owner,
                     gint64      odometer_km)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = obd_store_get_vehicle (store, vehicle_id, &error);

  g_assert_no_error (error);
  g_free (vehicle->plate);
  vehicle->plate = g_strdup (plate);
  g_free (vehicle->owner_name);
  vehicle->owner_name = g_strdup (owner);
  vehicle->odometer_km = odometer_km;
  g_assert_true (obd_store_update_vehicle (store, vehicle, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gint64 now = g_get_real_time ();

  f->dir = g_dir_make_tmp ("test-role-pages-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  f->honda = obd_store_ensure_vehicle (f->store, VIN_HONDA, "Honda", "Accord", 2003, &error);
  g_assert_no_error (error);
  f->vw = obd_store_ensure_vehicle (f->store, VIN_VW, "Volkswagen", "Golf", 1999, &error);
  g_assert_no_error (error);
  set_vehicle_details (f->store, f->honda, "AB-123-CD", "Maria Keller", 120000);
  set_vehicle_details (f->store, f->vw, "XY-987-Z", "Tom Berg", 40000);

  f->session_before = record_session (f->store, f->honda, 300.0);
  f->session_after = record_session (f->store, f->honda, 0.0);
  record_session (f->store, f->vw, 0.0);

  /* The sessions are sealed by now: the codes belong to the vehicle only. */
  obd_store_record_dtc (f->store, f->honda, 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8, now, &error);
  g_assert_no_error (error);
  obd_store_record_dtc (f->store, f->honda, 0, "P0420", OBD_DTC_KIND_STORED, 0x7E8, now, &error);
  g_assert_no_error (error);

  /* Oil: every 15000 km, last at 100000, odometer 120000: overdue.  Air
   * filter: every 30000 km, last at 110000: fine for a while. */
  f->overdue_item = obd_store_add_maintenance_item (f->store, f->honda, "Engine oil and filter",
                                                    15000, 0, 100000,
                                                    now - 200 * DAY_US,
                                                    &error);
  g_assert_no_error (error);
  g_assert_cmpint (obd_store_add_maintenance_item (f->store, f->honda, "Air filter", 30000, 0,
                                                   110000, now - 30 * DAY_US, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (obd_store_add_maintenance_item (f->store, f->vw, "Engine oil and filter",
                                                   15000, 365, 35000, now, &error), >, 0);
  g_assert_no_error (error);

  f->service = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  f->session = obd_session_new (f->service);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Drops the last reference the test holds and waits for the object to
 * go: answers still on their way (a store request, a worker thread
 * winding down) hold it until they are delivered. */
static void
wait_finalized (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  g_assert_null (weak);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  wait_finalized (f->session);
  obd_store_service_close (f->service);
  wait_finalized (f->service);
  wait_finalized (f->store);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Helpers ------------------------------------------------------------- */

static void
wait_for_size (GtkWidget *widget,
               int        width)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!gtk_widget_get_mapped (widget) ||
         (width >= 0 && gtk_widget_get_width (widget) != width))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
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

/* The list's row at index, once it has been filled that far. */
static GtkListBoxRow *
wait_for_row (GtkListBox *list,
              int         index)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, index)) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  return row;
}

static void
wait_frames (GtkWidget *widget,
             guint      n_frames)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (frames < n_frames)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  gtk_widget_remove_tick_callback (widget, id);
}

static GtkWidget *
window_with_child (GtkWidget *child,
                   int        width,
                   int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_size (child, width);
  wait_frames (child, 2);
  return window;
}

/* Closes a window of the tests, after checking that every border it
 * shows is of one colour (render-check.h). */
static void
close_window (GtkWidget *window)
{
  GtkWidget *child = gtk_window_get_child (GTK_WINDOW (window));

  if (child != NULL && gtk_widget_get_mapped (child))
    g_test_message ("%u borders drawn, each of one colour", render_check_borders (child));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every mapped label's text, one a line: what is on screen (or scrolled
 * into reach). */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
dup_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

/* Pages read the store on its thread: what they show arrives a moment
 * later.  Waits, up to ten seconds, for the text to be on screen. */
static void
assert_shows (GtkWidget  *widget,
              const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  g_autofree char *text = NULL;

  while (strstr ((text = dup_text (widget)), needle) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("“%s” is not shown; the page shows:\n%s", needle, text);
      g_clear_pointer (&text, g_free);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
text_is (GtkEditable *editable,
         const char  *text)
{
  return g_strcmp0 (gtk_editable_get_text (editable), text) == 0;
}

static void
wait_for_text (GtkEditable *editable,
               const char  *text)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!text_is (editable, text))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static void
assert_not_shows (GtkWidget  *widget,
                  const char *needle)
{
  g_autofree char *text = dup_text (widget);

  if (strstr (text, needle) != NULL)
    g_error ("“%s” is shown but should not be; the page shows:\n%s", needle, text);
}

static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *css_class)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_mapped (GtkWidget *widget,
             GType      type)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
save_png (GtkWidget  *window,
          const char *name)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  GtkWidget *child = gtk_window_get_child (GTK_WINDOW (window));
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t bounds;
  GdkRGBA bg;

  if (dir == NULL || *dir == '\0')
    return;

  g_assert_true (gtk_widget_compute_bounds (child, window, &bounds));
  snapshot = gtk_snapshot_new ();
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                       "window_bg_color", &bg))
    gdk_rgba_parse (&bg, "#fafafa");
  gtk_snapshot_append_color (snapshot, &bg, &bounds);
  gtk_widget_snapshot_child (window, child, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &bounds);
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
resize (GtkWidget *window,
        int        width,
        int        height)
{
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  wait_for_size (gtk_window_get_child (GTK_WINDOW (window)), width);
  wait_frames (window, 2);
}

/* The page as it is, in light and dark, wide and narrow (360 px), in the
 * window it is in (moving a page to another window would lose the
 * enabled state of its actions in GTK 4.8); the window gets its usual
 * size back afterwards. */
static void
screenshots (GtkWidget  *window,
             GtkWidget  *page,
             const char *name)
{
  static const struct { const char *tag; int width, height; } sizes[] = {
    { "wide", 1100, 750 },
    { "narrow", 360, 1000 },
  };
  AdwStyleManager *style = adw_style_manager_get_default ();

  if (g_getenv ("OBD2_SCREENSHOT_DIR") == NULL)
    return;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      resize (window, sizes[s].width, sizes[s].height);
      for (guint dark = 0; dark < 2; dark++)
        {
          g_autofree char *file = g_strdup_printf ("role-%s-%s-%s.png", name, sizes[s].tag,
                                                   dark ? "dark" : "light");

          adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                          : ADW_COLOR_SCHEME_FORCE_LIGHT);
          wait_frames (page, 3);
          save_png (window, file);
        }
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    }
  resize (window, 1100, 750);
}

/* Vehicle page -------------------------------------------------------- */

static void
test_vehicle_page (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *page = g_object_ref_sink (obd_vehicle_page_new (f->session));
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *entry;
  gboolean completed = FALSE;

  /* Not connected: no vehicle to follow yet. */
  window = window_with_child (page, 1100, 750);
  assert_shows (page, "No Vehicle");

  obd_page_set_vehicle_id (OBD_PAGE (page), f->honda);
  g_assert_cmpint (obd_page_get_vehicle_id (OBD_PAGE (page)), ==, f->honda);

  /* Identity and the VIN decoded. */
  assert_shows (page, VIN_HONDA);
  assert_shows (page, "Honda Accord, 2003");
  assert_shows (page, "AB-123-CD");
  assert_shows (page, "Maria Keller");
  assert_shows (page, "120000 km");
  g_assert_true (gtk_widget_is_sensitive (find_widget (page, GTK_TYPE_BUTTON, "flat")));
  assert_shows (page, "Correct");
  assert_shows (page, "2003");
  assert_shows (page, "United States");
  assert_shows (page, "Honda");
  /* Control units need the car. */
  assert_shows (page, "Connect to the vehicle to read its control units");

  /* Maintenance: oil overdue (due at 115000, at 120000 now), air filter fine. */
  assert_shows (page, "Engine oil and filter");
  assert_shows (page, "Overdue");
  assert_shows (page, "Due at 115000 km, 5000 km ago");
  assert_shows (page, "Air filter");
  assert_shows (page, "OK");

  /* A note, through the entry row as a person types it. */
  entry = find_widget (page, ADW_TYPE_ENTRY_ROW, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "  Customer reports rough idle when cold  ");
  g_signal_emit_by_name (entry, "apply");
  g_signal_emit_by_name (entry, "entry-activated");
  /* Saved: the entry is emptied, and the note is listed. */
  assert_shows (page, "Customer reports rough idle when cold");
  wait_for_text (GTK_EDITABLE (entry), "");
  notes = obd_store_list_notes (f->store, f->honda, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpstr (((ObdStoreNote *) g_ptr_array_index (notes, 0))->text, ==,
                   "Customer reports rough idle when cold");
  g_assert_cmpstr (((ObdStoreNote *) g_ptr_array_index (notes, 0))->author, ==,
                   g_get_real_name ());
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  /* An item from the default schedule. */
  gtk_widget_activate_action (page, "vehicle.add-maintenance", "s", "spark-plugs");
  assert_shows (page, "Spark plugs");

  screenshots (window, page, "vehicle");

  /* Done today, at the current odometer reading. */
  gtk_widget_activate_action (page, "vehicle.complete-maintenance", "x", f->overdue_item);
  assert_shows (page, "Due at 135000 km, in 15000 km");
  items = obd_store_list_maintenance_items (f->store, f->honda, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    {
      ObdStoreMaintenanceItem *item = g_ptr_array_index (items, i);

      if (item->id == f->overdue_item)
        {
          g_assert_cmpint (item->last_done_km, ==, 120000);
          completed = TRUE;
        }
    }
  g_assert_true (completed);
  g_assert_cmpuint (items->len, ==, 3);

  /* Editing: the dialog's rows, then Save. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    g_autoptr(ObdStoreVehicle) edited = NULL;
    g_autoptr(GtkWidget) dialog = NULL;
    GtkWidget *list;
    GtkWidget *row;

    gtk_widget_activate_action (page, "vehicle.edit", NULL);
    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
      {
        g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);
        if (ADW_IS_MESSAGE_DIALOG (w))
          dialog = g_steal_pointer (&w);
      }
    g_assert_nonnull (dialog);
    list = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
    /* Rows: make, model, year, plate, owner, odometer. */
    row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 5));
    gtk_editable_set_text (GTK_EDITABLE (row), "12x");
    g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                             "apply"));
    gtk_editable_set_text (GTK_EDITABLE (row), "121500");
    g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog),
                                                            "apply"));
    row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 3));
    gtk_editable_set_text (GTK_EDITABLE (row), "CD-456-EF");
    /* A response closes the dialog. */
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
    assert_shows (page, "CD-456-EF");

    edited = obd_store_get_vehicle (f->store, f->honda, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (edited->plate, ==, "CD-456-EF");
    g_assert_cmpint (edited->odometer_km, ==, 121500);
    g_assert_cmpstr (edited->owner_name, ==, "Maria Keller");
    g_assert_cmpint (edited->year, ==, 2003);
    assert_shows (page, "121500 km");
  }

  /* The other vehicle: its VIN has no check digit to speak of (Europe). */
  obd_page_set_vehicle_id (OBD_PAGE (page), f->vw);
  assert_shows (page, "Volkswagen Golf, 1999");
  assert_not_shows (page, "Maria Keller");

  close_window (window);
  g_assert_finalize_object (page);
}

/* History page -------------------------------------------------------- */

static void
test_history_page (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *page = g_object_ref_sink (obd_history_page_new (f->session));
  ObdTrendChart *chart_a, *chart_b;
  GtkWidget *window, *list;
  guint n_rows = 0;
  guint rpm_id = ((0x0Cu << 8) | 0) + 1;

  obd_page_set_vehicle_id (OBD_PAGE (page), f->honda);
  window = window_with_child (page, 1100, 750);

  /* Two sessions of this vehicle, newest first, with their facts. */
  assert_shows (page, "Complete · 180 samples");
  list = find_widget (page, GTK_TYPE_LIST_BOX, "obd-session-list");
  g_assert_nonnull (list);
  /* Rows are added one a frame, in order. */
  wait_for_row (GTK_LIST_BOX (list), 1);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 2);
  assert_shows (page, "Complete · 180 samples");

  /* The vehicle's report from the store, as the fleet list has it, and
   * its trends (two sessions are too few to tell one yet). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ObdHealthReport) stored = obd_diagnosis_evaluate_stored (f->store, f->honda,
                                                                       &error);
    g_autofree char *score = NULL;
    g_autofree char *headline = NULL;

    g_assert_no_error (error);
    score = obd_health_score_format (stored->vehicle_score);
    headline = g_strdup_printf ("%s of 100 · %s", score,
                                obd_health_status_get_label (stored->status));
    assert_shows (page, headline);
    assert_shows (page, "Not enough history for Coolant temperature at idle yet");
    assert_shows (page, "Too early");
  }

  /* A replay fills the chart with what was recorded: rpm, speed, coolant. */
  chart_a = OBD_TREND_CHART (obd_history_page_get_replay_chart (OBD_HISTORY_PAGE (page)));
  chart_b = OBD_TREND_CHART (obd_history_page_get_compare_chart (OBD_HISTORY_PAGE (page)));
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart_a), ==, 0);
  obd_history_page_open_session (OBD_HISTORY_PAGE (page), f->session_after);
  assert_shows (page, "Session of");
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart_a), ==, 3);
  g_assert_cmpuint (obd_trend_chart_get_n_samples (chart_a, rpm_id), ==, N_SAMPLES);
  g_assert_true (obd_trend_chart_get_series_visible (chart_a, rpm_id));
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart_b), ==, 0);
  assert_shows (page, "Session of");
  assert_shows (page, "Engine speed");
  /* These sessions were recorded without the inputs of a report (as an
   * older version did): no verdict is made up for them. */
  assert_not_shows (page, "Health at this visit");
  /* One session at the times of day it was recorded, shown whole. */
  g_assert_cmpint (obd_trend_chart_get_time_labels (chart_a), ==, OBD_TREND_CHART_TIME_CLOCK);
  {
    gint64 first = 0, last = 0;
    gint64 end = obd_trend_chart_get_end_time (chart_a);

    g_assert_true (obd_trend_chart_get_data_range (chart_a, &first, &last));
    g_assert_cmpint (end - obd_trend_chart_get_time_span (chart_a), <=, first);
    g_assert_cmpint (end, >=, last);
    /* Not 80 % empty: the window is about the recording's length. */
    g_assert_cmpint (obd_trend_chart_get_time_span (chart_a), <=, (last - first) * 11 / 10);
  }

  /* Comparison: tick both sessions and press Compare (which needs two).
   * Each row is looked up afresh: a change in the store (the report the
   * test read above) may reload the list between two ticks, which keeps
   * the ticks but makes new rows, filled a frame or two apart. */
  for (int i = 0; i < 2; i++)
    {
      GtkListBoxRow *row = wait_for_row (GTK_LIST_BOX (list), i);

      gtk_check_button_set_active (GTK_CHECK_BUTTON (find_widget (GTK_WIDGET (row),
                                                                  GTK_TYPE_CHECK_BUTTON,
                                                                  NULL)), TRUE);
      gtk_widget_activate_action (page, "history.compare", NULL);
      if (i == 0)
        g_assert_cmpuint (obd_trend_chart_get_n_series (chart_b), ==, 0);
    }
  assert_shows (page, "Before:");
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart_a), ==, 3);
  g_assert_cmpuint (obd_trend_chart_get_n_series (chart_b), ==, 3);
  g_assert_cmpuint (obd_trend_chart_get_n_samples (chart_b, rpm_id), ==, N_SAMPLES);
  /* Both on time since start, with one span: the same moment lines up. */
  g_assert_cmpint (obd_trend_chart_get_time_span (chart_a), ==,
                   obd_trend_chart_get_time_span (chart_b));
  g_assert_cmpint (obd_trend_chart_get_end_time (chart_a), ==,
                   obd_trend_chart_get_end_time (chart_b));
  g_assert_cmpint (obd_trend_chart_get_time_labels (chart_a), ==, OBD_TREND_CHART_TIME_ELAPSED);
  g_assert_cmpint (obd_trend_chart_get_time_labels (chart_b), ==, OBD_TREND_CHART_TIME_ELAPSED);
  {
    gint64 first_a = 0, last_a = 0, first_b = 0, last_b = 0;
    gint64 end = obd_trend_chart_get_end_time (chart_a);
    gint64 span = obd_trend_chart_get_time_span (chart_a);

    /* From the start of each session to the end of the longer. */
    g_assert_true (obd_trend_chart_get_data_range (chart_a, &first_a, &last_a));
    g_assert_true (obd_trend_chart_get_data_range (chart_b, &first_b, &last_b));
    g_assert_cmpint (end - span, ==, 0);
    g_assert_cmpint (end, >=, MAX (last_a, last_b));
    g_assert_cmpint (span, <=, MAX (last_a, last_b) * 11 / 10);
  }
  assert_shows (page, "Before:");
  assert_shows (page, "After:");
  {
    double before = 0, after = 0;
    gint64 t;

    /* The "before" session had its idle 300 rpm higher (the fault). */
    g_assert_true (obd_trend_chart_lookup (chart_a, rpm_id, 0, &t, &before));
    g_assert_true (obd_trend_chart_lookup (chart_b, rpm_id, 0, &t, &after));
    g_assert_cmpfloat_with_epsilon (before - after, 300.0, 1e-6);
  }

  /* The hash chain. */
  gtk_widget_activate_action (page, "history.verify-chain", NULL);
  assert_shows (page, "Intact");

  screenshots (window, page, "history");

  close_window (window);
  g_assert_finalize_object (page);
}

/* Fleet page ---------------------------------------------------------- */

static void
on_vehicle_activated_cb (ObdFleetPage *page,
                         gint64        vehicle_id,
                         gint64       *out)
{
  *out = vehicle_id;
}

static ObdFleetItem *
visible_item (GtkWidget *page,
              guint      position)
{
  GListModel *model = obd_fleet_page_get_visible_items (OBD_FLEET_PAGE (page));
  ObdFleetItem *item = g_list_model_get_item (model, position);

  /* The page's store keeps it alive. */
  g_object_unref (item);
  return item;
}

static void
test_fleet_page (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *page = g_object_ref_sink (obd_fleet_page_new (f->session));
  GListModel *visible = obd_fleet_page_get_visible_items (OBD_FLEET_PAGE (page));
  g_autoptr(GListModel) items = NULL;
  ObdFleetItem *honda, *vw;
  GtkWidget *window, *list;
  gint64 activated = 0;

  window = window_with_child (page, 1100, 750);
  assert_shows (page, "P0301 Cylinder 1 Misfire Detected");
  g_object_get (page, "items", &items, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  honda = obd_fleet_page_lookup_item (OBD_FLEET_PAGE (page), f->honda);
  vw = obd_fleet_page_lookup_item (OBD_FLEET_PAGE (page), f->vw);
  g_assert_nonnull (honda);
  g_assert_nonnull (vw);
  g_assert_cmpstr (obd_fleet_item_get_title (honda), ==, "Honda Accord 2003");
  g_assert_cmpfloat (obd_fleet_item_get_score (honda), <, 80.0);
  g_assert_cmpfloat (obd_fleet_item_get_score (honda), >=, 0.0);
  g_assert_cmpfloat_with_epsilon (obd_fleet_item_get_score (vw), 100.0, 1e-9);
  g_assert_cmpint (obd_fleet_item_get_status (vw), ==, OBD_HEALTH_STATUS_HEALTHY);
  g_assert_cmpint (obd_fleet_item_get_status (honda), !=, OBD_HEALTH_STATUS_HEALTHY);
  /* The misfire is critical, the catalyst a warning: the misfire is worst. */
  g_assert_cmpstr (obd_fleet_item_get_worst_code (honda), ==, "P0301");
  g_assert_null (obd_fleet_item_get_worst_code (vw));
  g_assert_cmpuint (obd_fleet_item_get_maintenance_overdue (honda), ==, 1);
  g_assert_cmpuint (obd_fleet_item_get_maintenance_overdue (vw), ==, 0);
  g_assert_cmpint (obd_fleet_item_get_last_seen (honda), >, 0);
  assert_shows (page, "P0301 Cylinder 1 Misfire Detected");
  assert_shows (page, "1 service overdue");
  /* Nothing reports vehicles live yet: no empty column pretends it does. */
  assert_not_shows (page, "Live:");

  /* By score, worst first; by name, alphabetical. */
  g_assert_cmpint (obd_fleet_page_get_sort (OBD_FLEET_PAGE (page)), ==, OBD_FLEET_SORT_SCORE);
  g_assert_true (visible_item (page, 0) == honda);
  g_assert_true (visible_item (page, 1) == vw);
  obd_fleet_page_set_sort (OBD_FLEET_PAGE (page), OBD_FLEET_SORT_NAME);
  g_assert_true (visible_item (page, 0) == honda);
  obd_fleet_page_set_sort (OBD_FLEET_PAGE (page), OBD_FLEET_SORT_LAST_SEEN);
  /* The Volkswagen's session was recorded last. */
  g_assert_true (visible_item (page, 0) == vw);
  obd_fleet_page_set_sort (OBD_FLEET_PAGE (page), OBD_FLEET_SORT_SCORE);

  /* Search, case-insensitively, by name, plate or code. */
  obd_fleet_page_set_search_text (OBD_FLEET_PAGE (page), "golf");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_true (visible_item (page, 0) == vw);
  obd_fleet_page_set_search_text (OBD_FLEET_PAGE (page), "p0301");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_true (visible_item (page, 0) == honda);
  obd_fleet_page_set_search_text (OBD_FLEET_PAGE (page), "");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  /* Needs attention only. */
  obd_fleet_page_set_attention_only (OBD_FLEET_PAGE (page), TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_true (visible_item (page, 0) == honda);
  obd_fleet_page_set_attention_only (OBD_FLEET_PAGE (page), FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  /* Live status, as the sync client will feed it, reaches the row. */
  obd_fleet_item_set_live_status (vw, "Driving, 52 km/h");
  wait_frames (page, 2);
  /* A number and its unit never split across lines. */
  assert_shows (page, "Live: Driving, 52\u00a0km/h");

  screenshots (window, page, "fleet");

  /* Activating a row names the vehicle. */
  g_signal_connect (page, "vehicle-activated", G_CALLBACK (on_vehicle_activated_cb), &activated);
  list = find_widget (page, GTK_TYPE_LIST_BOX, "obd-fleet-list");
  g_assert_nonnull (list);
  g_signal_emit_by_name (list, "row-activated",
                         gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1));
  g_assert_cmpint (activated, ==, f->vw);
  g_assert_cmpint (obd_page_get_vehicle_id (OBD_PAGE (page)), ==, f->vw);

  close_window (window);
  g_assert_finalize_object (page);
}

static void
on_fill_items_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          gpointer    data)
{
  guint *removed_later = data;

  /* The first change replaces the rows shown before the reload. */
  if (removed_later[1]++ > 0)
    removed_later[0] += removed;
}

/* A fill adds each step after the rows already shown: none is built again
 * while the rest arrive (the sort model reports everything between the
 * first and the last position a step lands on as changed). */
static void
test_fleet_fill_in_order (Fixture       *f,
                          gconstpointer  data)
{
  /* Each step's two land apart, one first and one last in the list. */
  static const char *const makes[] = { "Alfa", "Zeta", "Bravo", "Yotta", "Charlie", "Xenon",
                                       "Delta", "Wolf" };
  GtkWidget *page = g_object_ref_sink (obd_fleet_page_new (f->session));
  GListModel *visible = obd_fleet_page_get_visible_items (OBD_FLEET_PAGE (page));
  g_autoptr(GError) error = NULL;
  guint counts[2] = { 0, 0 };
  gint64 deadline;
  GtkWidget *window;
  gulong id;

  window = window_with_child (page, 1100, 750);
  assert_shows (page, "Honda Accord 2003");
  /* Stored after the others, in an order other than the names'. */
  for (guint i = 0; i < G_N_ELEMENTS (makes); i++)
    {
      g_autofree char *vin = g_strdup_printf ("TESTFILL%09u", i);

      g_assert_cmpint (obd_store_ensure_vehicle (f->store, vin, makes[i], "Model", 2010, &error),
                       >, 0);
      g_assert_no_error (error);
    }
  obd_fleet_page_set_sort (OBD_FLEET_PAGE (page), OBD_FLEET_SORT_NAME);
  id = g_signal_connect (visible, "items-changed", G_CALLBACK (on_fill_items_changed_cb), counts);
  obd_fleet_page_reload (OBD_FLEET_PAGE (page));

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_list_model_get_n_items (visible) < 2 + G_N_ELEMENTS (makes))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (visible, id);
  /* In more than one step, or the test shows nothing. */
  g_assert_cmpuint (counts[1], >, 2);
  g_assert_cmpuint (counts[0], ==, 0);
  g_assert_cmpstr (obd_fleet_item_get_title (visible_item (page, 0)), ==, "Alfa Model 2010");
  g_assert_cmpstr (obd_fleet_item_get_title (visible_item (page, 9)), ==, "Zeta Model 2010");

  close_window (window);
  g_assert_finalize_object (page);
}

/* Owner page ---------------------------------------------------------- */

static void
test_owner_page (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *page = g_object_ref_sink (obd_owner_page_new (f->session));
  GtkWidget *window;
  ObdHealthStatus status;

  obd_page_set_vehicle_id (OBD_PAGE (page), f->honda);
  window = window_with_child (page, 1100, 750);
  assert_shows (page, "Code for your workshop: P0301");

  status = obd_owner_page_get_status (OBD_OWNER_PAGE (page));
  g_assert_true (status == OBD_HEALTH_STATUS_NEEDS_ATTENTION ||
                 status == OBD_HEALTH_STATUS_STOP_DRIVING);
  assert_shows (page, status == OBD_HEALTH_STATUS_STOP_DRIVING ? "Stop driving"
                                                               : "Needs attention");
  /* The misfire, in plain words, with what to do about it. */
  assert_shows (page, "Cylinder 1 Misfire Detected");
  assert_shows (page, "Cylinder 1 is misfiring: it is not burning its fuel properly.");
  assert_shows (page, "Have it checked today. Drive only if you must, gently, and stop if "
                "the warning light flashes or the engine runs badly.");
  assert_shows (page, "Book a workshop visit soon.");
  assert_shows (page, "Code for your workshop: P0301");
  /* The overdue oil change; the air filter is not due. */
  assert_shows (page, "Engine oil and filter");
  assert_shows (page, "Overdue: book it now.");
  assert_not_shows (page, "Air filter");
  /* Nothing to press here: no clearing, no editing. */
  g_assert_null (find_mapped (page, GTK_TYPE_BUTTON));

  screenshots (window, page, "owner");

  obd_page_set_vehicle_id (OBD_PAGE (page), f->vw);
  assert_shows (page, "No service is due.");
  g_assert_cmpint (obd_owner_page_get_status (OBD_OWNER_PAGE (page)), ==,
                   OBD_HEALTH_STATUS_HEALTHY);
  assert_shows (page, "Healthy");
  assert_shows (page, "No service is due.");
  assert_not_shows (page, "What to do");
  screenshots (window, page, "owner-healthy");

  close_window (window);
  g_assert_finalize_object (page);
}

/* Connected to the simulator ------------------------------------------ */

static void
wait_until (gboolean (*done) (ObdSession *), ObdSession *session)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!done (session))
    {
      if (g_get_monotonic_time () >= deadline)
        g_test_message ("state %d, status %s, health %p, vehicle %" G_GINT64_FORMAT,
                        obd_session_get_state (session), obd_session_get_status_text (session),
                        obd_session_get_health (session), obd_session_get_vehicle_id (session));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
is_judged (ObdSession *session)
{
  return obd_session_get_health (session) != NULL && obd_session_get_vehicle_id (session) != 0;
}

static gboolean
is_disconnected (ObdSession *session)
{
  return obd_session_get_state (session) == OBD_SESSION_STATE_DISCONNECTED;
}

static void
test_connected (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *vehicle = g_object_ref_sink (obd_vehicle_page_new (f->session));
  GtkWidget *owner = g_object_ref_sink (obd_owner_page_new (f->session));
  GtkWidget *window;
  const ObdSnapshot *snapshot;

  obd_session_connect (f->session, "sim:misfire?timing=0");
  wait_until (is_judged, f->session);
  snapshot = obd_session_get_snapshot (f->session);
  g_assert_nonnull (snapshot);

  /* Both pages follow the session's vehicle. */
  window = window_with_child (vehicle, 1100, 750);
  assert_shows (vehicle, "Calibration ID:");
  assert_shows (vehicle, "CVN:");
  assert_not_shows (vehicle, "Connect to the vehicle to read its control units");
  if (snapshot->ecu_names != NULL && snapshot->ecu_names->len > 0)
    assert_shows (vehicle, ((ObdInfoRecord *) g_ptr_array_index (snapshot->ecu_names, 0))->text);
  screenshots (window, vehicle, "vehicle-connected");
  close_window (window);

  window = window_with_child (owner, 1100, 750);
  g_assert_cmpint (obd_owner_page_get_status (OBD_OWNER_PAGE (owner)), ==,
                   obd_session_get_health (f->session)->status);
  assert_shows (owner, "From the check of the car just now.");
  assert_shows (owner, "Misfire");
  screenshots (window, owner, "owner-connected");

  /* Disconnected, the owner page falls back to the recorded history. */
  obd_session_disconnect (f->session);
  wait_until (is_disconnected, f->session);
  assert_shows (owner, "From the last check");
  assert_not_shows (owner, "From the check of the car just now.");

  close_window (window);
  g_assert_finalize_object (vehicle);
  g_assert_finalize_object (owner);
}

/* Maintenance: the vehicle page and the owner agree --------------------- */

/* A car whose odometer was never typed in, but whose last oil change was
 * noted at 58 000 km: the spark plugs (every 60 000 km, never done) are
 * due by what is known.  The mechanic and the owner both say so; and an
 * item with nothing to count from is no green "OK" beside "Due now". */
static void
test_maintenance_agrees (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *vehicle_page = g_object_ref_sink (obd_vehicle_page_new (f->session));
  GtkWidget *owner = g_object_ref_sink (obd_owner_page_new (f->session));
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 car, bare;
  GtkWidget *window;

  car = obd_store_ensure_vehicle (f->store, "JT2BG22K1Y0123456", "Toyota", "Camry", 2000,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpint (obd_store_add_maintenance_item (f->store, car, "Engine oil and filter", 15000,
                                                   0, 58000, now - 30 * DAY_US, &error), >, 0);
  g_assert_cmpint (obd_store_add_maintenance_item (f->store, car, "Spark plugs", 60000, 0, -1, 0,
                                                   &error), >, 0);
  g_assert_no_error (error);
  bare = obd_store_ensure_vehicle (f->store, "WP0ZZZ99ZTS392124", "Porsche", "911", 1996,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (obd_store_add_maintenance_item (f->store, bare, "Spark plugs", 60000, 0, -1,
                                                   0, &error), >, 0);
  g_assert_no_error (error);

  obd_page_set_vehicle_id (OBD_PAGE (vehicle_page), car);
  window = window_with_child (vehicle_page, 1100, 750);
  assert_shows (vehicle_page, "Spark plugs");
  assert_shows (vehicle_page, "Due at 60000 km, in 2000 km");
  close_window (window);

  obd_page_set_vehicle_id (OBD_PAGE (owner), car);
  window = window_with_child (owner, 1100, 750);
  assert_shows (owner, "Spark plugs");
  assert_shows (owner, "Due soon");
  assert_not_shows (owner, "No service is due.");
  close_window (window);

  /* Nothing to go by: neither due now nor OK. */
  obd_page_set_vehicle_id (OBD_PAGE (vehicle_page), bare);
  window = window_with_child (vehicle_page, 1100, 750);
  assert_shows (vehicle_page, "Not enough to go by");
  assert_shows (vehicle_page, "Unknown");
  assert_not_shows (vehicle_page, "Due now");
  assert_not_shows (vehicle_page, "\nOK\n");
  close_window (window);

  g_assert_finalize_object (vehicle_page);
  g_assert_finalize_object (owner);
}

/* One verdict ---------------------------------------------------------- */

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  gboolean *done = data;

  *done = TRUE;
}

static gboolean
is_recording (ObdSession *session)
{
  return obd_session_get_recording (session) && obd_session_get_recorded_samples (session) > 50;
}

static gboolean
is_recording_done (ObdSession *session)
{
  return !obd_session_get_recording (session) && !obd_session_get_recording_busy (session);
}

/* The car of sim:misfire, recorded once: the overview's cards and its
 * explanation, the fleet list, the owner view, the vehicle page and the
 * history say the same score and the same verdict, and no card tells the
 * owner to drive on when the verdict is to stop. */
static void
test_one_verdict (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *overview = g_object_ref_sink (obd_overview_page_new (f->session));
  GtkWidget *fleet = g_object_ref_sink (obd_fleet_page_new (f->session));
  GtkWidget *owner = g_object_ref_sink (obd_owner_page_new (f->session));
  GtkWidget *vehicle = g_object_ref_sink (obd_vehicle_page_new (f->session));
  GtkWidget *history = g_object_ref_sink (obd_history_page_new (f->session));
  const ObdHealthReport *report;
  ObdHealthStatus verdict;
  int rounded;
  g_autofree char *score = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *headline = NULL;
  g_autofree char *explained = NULL;
  g_autofree char *explanation = NULL;
  const char *status;
  ObdFleetItem *item;
  GtkWidget *window;
  gint64 id;
  gboolean done = FALSE;

  obd_session_connect (f->session, "sim:misfire?timing=0");
  wait_until (is_judged, f->session);
  obd_session_start_recording_async (f->session, NULL, on_done_cb, &done);
  wait_until (is_recording, f->session);
  obd_session_stop_recording_async (f->session, NULL, NULL, NULL);
  wait_until (is_recording_done, f->session);

  /* The session's report may be replaced as later batches come (it is
   * borrowed): keep what it says. */
  report = obd_session_get_health (f->session);
  id = obd_session_get_vehicle_id (f->session);
  verdict = report->status;
  rounded = obd_health_score_round (report->vehicle_score);
  status = obd_health_status_get_label (report->status);
  score = obd_health_score_format (report->vehicle_score);
  engine = obd_health_score_format (report->system_scores[OBD_HEALTH_SYSTEM_ENGINE]);
  headline = g_strdup_printf ("%s of 100 · %s", score, status);
  explained = g_strdup_printf ("Vehicle health: %s/100, %s", score, status);
  g_test_message ("live: %s", headline);
  g_assert_cmpint (verdict, ==, OBD_HEALTH_STATUS_STOP_DRIVING);

  /* Overview: the card, the status and the explanation. */
  window = window_with_child (overview, 1100, 750);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (
                                          overview, OBD_TYPE_OVERVIEW_PAGE, "score_label"))),
                   ==, score);
  assert_shows (overview, status);
  assert_shows (overview, engine);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gtk_widget_get_template_child (
                                   overview, OBD_TYPE_OVERVIEW_PAGE, "explain_row")),
                                 TRUE);
  assert_shows (overview, explained);
  explanation = dup_text (overview);
  {
    g_autofree char *line = g_strdup_printf ("Engine: %s/100", engine);

    g_assert_nonnull (strstr (explanation, line));
  }
  close_window (window);

  /* Fleet list: the store's report of the session just recorded. */
  window = window_with_child (fleet, 1100, 750);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    guint wake = g_timeout_add (20, wake_cb, NULL);

    while ((item = obd_fleet_page_lookup_item (OBD_FLEET_PAGE (fleet), id)) == NULL)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    g_source_remove (wake);
  }
  g_assert_cmpint (obd_health_score_round (obd_fleet_item_get_score (item)), ==, rounded);
  g_assert_cmpint (obd_fleet_item_get_status (item), ==, verdict);
  assert_shows (fleet, score);
  assert_shows (fleet, status);
  close_window (window);

  /* Owner view, live: the verdict, and cards that agree with it. */
  window = window_with_child (owner, 1100, 750);
  assert_shows (owner, "From the check of the car just now.");
  g_assert_cmpint (obd_owner_page_get_status (OBD_OWNER_PAGE (owner)), ==, verdict);
  assert_shows (owner, status);
  assert_shows (owner, "Stop as soon as it is safe");
  assert_not_shows (owner, "Drive only if you must");
  close_window (window);

  /* Vehicle page and history: the same headline. */
  window = window_with_child (vehicle, 1100, 750);
  assert_shows (vehicle, headline);
  assert_shows (vehicle, "Adapter link");
  close_window (window);
  window = window_with_child (history, 1100, 750);
  assert_shows (history, headline);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) sessions = obd_store_list_sessions (f->store, id, &error);
    g_autofree char *at_visit = g_strdup_printf ("Health at this visit: %s", headline);

    g_assert_no_error (error);
    g_assert_cmpuint (sessions->len, ==, 1);
    obd_history_page_open_session (OBD_HISTORY_PAGE (history),
                                   ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->id);
    assert_shows (history, at_visit);
  }
  close_window (window);

  /* Disconnected, the owner view reads the store: still the same. */
  obd_session_disconnect (f->session);
  wait_until (is_disconnected, f->session);
  window = window_with_child (owner, 1100, 750);
  assert_shows (owner, "From the last check");
  g_assert_cmpint (obd_owner_page_get_status (OBD_OWNER_PAGE (owner)), ==,
                   OBD_HEALTH_STATUS_STOP_DRIVING);
  assert_not_shows (owner, "Drive only if you must");
  close_window (window);

  g_assert_true (done);
  g_assert_finalize_object (overview);
  g_assert_finalize_object (fleet);
  g_assert_finalize_object (owner);
  g_assert_finalize_object (vehicle);
  g_assert_finalize_object (history);
}

/* Without a store ----------------------------------------------------- */

static void
test_no_store (void)
{
  ObdSession *session = obd_session_new (NULL);
  GtkWidget *pages[] = {
    g_object_ref_sink (obd_vehicle_page_new (session)),
    g_object_ref_sink (obd_history_page_new (session)),
    g_object_ref_sink (obd_fleet_page_new (session)),
    g_object_ref_sink (obd_owner_page_new (session)),
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *window = window_with_child (pages[i], 800, 600);

      assert_shows (pages[i], "Local History Unavailable");
      if (i == 0)
        screenshots (window, pages[i], "unavailable");
      close_window (window);
      g_assert_finalize_object (pages[i]);
    }
  g_assert_finalize_object (session);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  obd_sim_register ();

  /* What AdwApplication loads from the resource base path in the app. */
  obd_app_add_style_sheets (gdk_display_get_default ());

  g_test_add ("/ui/role-pages/vehicle", Fixture, NULL, fixture_set_up, test_vehicle_page,
              fixture_tear_down);
  g_test_add ("/ui/role-pages/history", Fixture, NULL, fixture_set_up, test_history_page,
              fixture_tear_down);
  g_test_add ("/ui/role-pages/fleet", Fixture, NULL, fixture_set_up, test_fleet_page,
              fixture_tear_down);
  g_test_add ("/ui/role-pages/fleet/fill-in-order", Fixture, NULL, fixture_set_up,
              test_fleet_fill_in_order, fixture_tear_down);
  g_test_add ("/ui/role-pages/owner", Fixture, NULL, fixture_set_up, test_owner_page,
              fixture_tear_down);
  g_test_add ("/ui/role-pages/connected", Fixture, NULL, fixture_set_up, test_connected,
              fixture_tear_down);
  g_test_add ("/ui/role-pages/one-verdict", Fixture, NULL, fixture_set_up, test_one_verdict,
              fixture_tear_down);
  g_test_add ("/ui/role-pages/maintenance-agrees", Fixture, NULL, fixture_set_up,
              test_maintenance_agrees, fixture_tear_down);
  g_test_add_func ("/ui/role-pages/no-store", test_no_store);

  return g_test_run ();
}
