/* test-guide-page.c — guided repair and customer reports in the workshop
 * app: from a code to a finding, resuming, a store that cannot be
 * written, printing and exporting reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real window on a real session connected to the simulator, driven
 * through its widgets.  A live check decides from its samples' own
 * timestamps; the adapter stamps them with the wall clock, so a
 * 15-minute warm-up would take 15 minutes.  The tests feed the check what
 * the simulated car of the same scenario reads over simulated time
 * instead, through the entry the session's samples take, so minutes of
 * driving take milliseconds and the outcome is the car's.
 *
 * With OBD2_SCREENSHOT_DIR set, each step kind, the finding, the guide
 * list, the print dialog and the report preferences are saved as PNGs,
 * light and dark, wide and 360 px narrow.
 */
#define G_LOG_DOMAIN "test-guide-page"
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lsan-quarks.h"
#include "obd-app-util.h"
#include "obd-code-row.h"
#include "obd-guide-page.h"
#include "obd-guide-store.h"
#include "obd-history-page.h"
#include "obd-i18n.h"
#include "obd-pid.h"
#include "obd-preferences-window.h"
#include "obd-report-printer.h"
#include "obd-row.h"
#include "obd-sim-transport.h"
#include "obd-sim-vehicle.h"
#include "obd-store-guide.h"
#include "obd-window.h"
#include "test-wait.h"

#define SCHEMA_ID "io.github.obd2diagnostics.Workshop"

TEST_LSAN_FONTCONFIG

/* Waiting ------------------------------------------------------------- */

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static void
settle (GtkWidget *widget,
        guint      n)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);

  WAIT_FOR (frames >= n, 10);
  gtk_widget_remove_tick_callback (widget, id);
}

/* Fixture --------------------------------------------------------------- */

typedef struct
{
  char            *dir;
  char            *path;
  ObdStoreService *store;
  GSettings       *settings;
  ObdSession      *session;
  ObdWindow       *window;
} Fixture;

static GSettings *
fresh_settings (void)
{
  GSettings *settings = g_settings_new (SCHEMA_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  /* The memory backend lives as long as the process. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  g_settings_set_string (settings, "role", "mechanic");
  g_settings_set_boolean (settings, "first-run", FALSE);
  g_settings_set_string (settings, "shop-name", "Garage Müller & Söhne");
  g_settings_set_string (settings, "shop-address", "Hauptstraße 12\n10115 Berlin");
  g_settings_set_string (settings, "shop-phone", "+49 30 1234567");
  g_settings_set_string (settings, "mechanic-name", "Kim Meyer");
  g_settings_set_string (settings, "report-paper", "a4");
  return settings;
}

static void
open_store (Fixture           *f,
            ObdStoreOpenFlags  flags)
{
  f->store = obd_store_service_new (f->path, flags);
  WAIT_FOR (obd_store_service_get_state (f->store) != OBD_STORE_SERVICE_OPENING, 30);
  g_assert_cmpint (obd_store_service_get_state (f->store), ==, OBD_STORE_SERVICE_OPEN);
}

static void
connect (Fixture    *f,
         const char *connection)
{
  f->session = obd_session_new (f->store);
  obd_session_connect (f->session, connection);
  /* A store that cannot be written never learns the vehicle's row. */
  WAIT_FOR (obd_session_get_state (f->session) == OBD_SESSION_STATE_CONNECTED &&
            obd_session_get_snapshot (f->session) != NULL &&
            (obd_session_get_vehicle_id (f->session) != 0 ||
             obd_store_service_get_read_only (f->store)), 30);
}

static void
show_window (Fixture *f,
             int      width)
{
  lsan_quarks_ignore_table ();
  f->window = g_object_ref_sink (obd_window_new (NULL, f->session, f->settings));
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, 760);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)) &&
            (g_strcmp0 (obd_window_get_view (f->window), "mechanic") == 0 ||
             g_strcmp0 (obd_window_get_view (f->window), "owner") == 0), 10);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-guide-page-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->settings = fresh_settings ();
}

static void
destroy_window (Fixture *f)
{
  gpointer weak = f->window;

  if (f->window == NULL)
    return;
  g_object_add_weak_pointer (G_OBJECT (f->window), &weak);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  WAIT_FOR (weak == NULL, 10);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->session != NULL)
    obd_session_disconnect (f->session);
  drain ();
  destroy_window (f);
  if (f->session != NULL)
    {
      gpointer weak = f->session;

      g_object_add_weak_pointer (G_OBJECT (f->session), &weak);
      g_clear_object (&f->session);
      WAIT_FOR (weak == NULL, 10);
    }
  if (f->store != NULL)
    {
      obd_store_service_close (f->store);
      g_clear_object (&f->store);
    }
  g_clear_object (&f->settings);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Store jobs, waited for ------------------------------------------------- */

typedef struct
{
  gboolean  done;
  gpointer  result;
  GError   *error;
} JobWait;

static void
on_job_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  JobWait *wait = data;

  wait->result = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &wait->error);
  wait->done = TRUE;
}

static gpointer
run_job (ObdStoreService *store,
         ObdStoreJobFunc  func,
         gpointer         data)
{
  JobWait wait = { 0 };

  obd_store_service_run_async (store, func, data, NULL, NULL, G_PRIORITY_HIGH, NULL, on_job_cb,
                               &wait);
  WAIT_FOR (wait.done, 30);
  g_assert_no_error (wait.error);
  return wait.result;
}

static gpointer
list_runs_job (ObdStore      *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  return obd_store_list_guide_runs (store, 0, 0, error);
}

/* Looking at widgets ------------------------------------------------------ */

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, out);
}

static GPtrArray *
find_all (GtkWidget *root,
          GType      type)
{
  GPtrArray *out = g_ptr_array_new ();

  collect (root, type, out);
  return out;
}

static gpointer
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

/* The button whose label (or label child) says text, shown now. */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *text)
{
  g_autoptr(GPtrArray) buttons = find_all (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (button));

      if (!gtk_widget_is_drawable (button))
        continue;
      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), text) == 0 ||
          (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0))
        return button;
    }
  return NULL;
}

/* Presses a button as a person would: GTK emits ::clicked after a short
 * press animation, so the effect is waited for by the caller. */
static void
press (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
}

static const char *
step_id (ObdGuidePage *page)
{
  ObdGuideRun *run = obd_guide_page_get_run (page);
  const ObdGuideStep *step = run != NULL ? obd_guide_run_get_step (run) : NULL;

  return step != NULL ? step->id : NULL;
}

static const char *
finding_id (ObdGuidePage *page)
{
  ObdGuideRun *run = obd_guide_page_get_run (page);
  const ObdGuideFinding *finding = run != NULL ? obd_guide_run_get_finding (run) : NULL;

  return finding != NULL ? finding->id : NULL;
}

static void
answer (ObdGuidePage *page,
        const char   *label,
        const char   *next)
{
  press (find_button (template_child (page, OBD_TYPE_GUIDE_PAGE, "answers_box"), label));
  if (g_str_has_prefix (next, "finding:"))
    WAIT_FOR (g_strcmp0 (finding_id (page), next + 8) == 0, 10);
  else
    WAIT_FOR (g_strcmp0 (step_id (page), next) == 0, 10);
}

/* Screenshots --------------------------------------------------------------- */

static void
save_png (GtkWidget  *window,
          const char *name)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The window as it is, light and dark, wide and at its narrowest. */
static void
screenshots (GtkWidget  *window,
             const char *name)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  int width, height;

  if (g_getenv ("OBD2_SCREENSHOT_DIR") == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  for (guint narrow = 0; narrow < 2; narrow++)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), narrow ? 360 : 1100, height);
      WAIT_FOR (ABS (gtk_widget_get_width (window) - (narrow ? 360 : 1100)) <= 24, 10);
      for (guint dark = 0; dark < 2; dark++)
        {
          g_autofree char *file = g_strdup_printf ("%s%s-%s.png", name, narrow ? "-narrow" : "",
                                                   dark ? "dark" : "light");

          adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                            : ADW_COLOR_SCHEME_FORCE_LIGHT);
          settle (window, 20);
          save_png (window, file);
        }
    }
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  WAIT_FOR (ABS (gtk_widget_get_width (window) - width) <= 24, 10);
  settle (window, 5);
}

/* The simulated car, over simulated time ------------------------------------------------- */

/* What the car of scenario reads, ten times a second of simulated time
 * from the start of the check on, fed to the check until it decides or
 * seconds pass.  Returns the simulated seconds it took. */
static double
drive_live_check (ObdGuidePage *page,
                  const char   *scenario,
                  double        seconds,
                  const char   *screenshot_at_half)
{
  g_autoptr(GError) error = NULL;
  ObdSimVehicle *vehicle = obd_sim_vehicle_new (scenario, 1, &error);
  ObdGuideRun *run = obd_guide_page_get_run (page);
  const ObdGuideStep *step = obd_guide_run_get_step (run);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  g_autoptr(GArray) values = obd_value_array_new ();
  gint64 start = g_get_real_time ();
  gint64 t = 0;
  gboolean shot = screenshot_at_half == NULL;

  g_assert_no_error (error);
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_LIVE);
  obd_sim_vehicle_hold_rpm (vehicle, obd_guide_step_get_held_rpm (step));
  for (; t <= (gint64) (seconds * G_USEC_PER_SEC) &&
         obd_guide_run_get_state (run) == OBD_GUIDE_RUN_LIVE; t += G_USEC_PER_SEC / 10)
    {
      obd_sim_vehicle_set_time (vehicle, t);
      for (guint g = 0; g < step->n_gauges; g++)
        {
          guint8 request[2] = { 0x01, step->gauges[g].pid };
          g_autoptr(GPtrArray) replies = obd_sim_vehicle_request (vehicle, 0, request, 2, TRUE);
          const guint8 *data;
          gsize len;

          if (replies == NULL)
            continue;
          data = g_bytes_get_data (g_ptr_array_index (replies, 0), &len);
          g_array_set_size (values, 0);
          g_assert_true (obd_pid_decode_multi (data + 1, len - 1, values, NULL));
          for (guint v = 0; v < values->len; v++)
            {
              const ObdValue *value = &g_array_index (values, ObdValue, v);
              ObdSample sample = {
                .time_us = start + t, .ecu = 0x7E8, .service = 0x01, .pid = value->pid,
                .index = value->index, .value = value->value,
              };

              g_array_append_val (samples, sample);
            }
        }
      /* A batch every simulated five seconds, as the worker delivers. */
      if (samples->len > 0 && t % (5 * G_USEC_PER_SEC) == 0)
        {
          obd_guide_page_feed_samples (page, (const ObdSample *) samples->data, samples->len);
          g_array_set_size (samples, 0);
          drain ();
          if (!shot && t >= (gint64) (seconds * G_USEC_PER_SEC / 2))
            {
              shot = TRUE;
              screenshots (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (page))),
                           screenshot_at_half);
            }
        }
    }
  if (samples->len > 0)
    obd_guide_page_feed_samples (page, (const ObdSample *) samples->data, samples->len);
  obd_sim_vehicle_free (vehicle);
  drain ();
  return (double) t / G_USEC_PER_SEC;
}

/* Reports ---------------------------------------------------------------------------- */

static char *
pdf_text (const char *pdf)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *argv[] = { pdftotext, "-layout", pdf, "-", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (pdftotext);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("pdftotext %s: %s", pdf, err);
  return g_steal_pointer (&out);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  GError   *logo_error;
} PrintWait;

static void
on_printed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  PrintWait *wait = data;

  wait->ok = obd_report_printer_print_finish (OBD_REPORT_PRINTER (source), result,
                                              &wait->logo_error, &wait->error);
  wait->done = TRUE;
}

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  PrintWait *wait = data;

  wait->ok = obd_report_printer_export_finish (OBD_REPORT_PRINTER (source), result,
                                               &wait->logo_error, &wait->error);
  wait->done = TRUE;
}

/* The report of session_id through the print path (GtkPrintOperation
 * with its export file: the pages drawn on the print context) and through
 * the PDF export; returns the text of each, printed first. */
static void
print_and_export (ObdReportPrinter *printer,
                  gint64            session_id,
                  const char       *dir,
                  char            **out_printed,
                  char            **out_exported)
{
  g_autofree char *printed = g_strdup_printf ("%s/printed-%" G_GINT64_FORMAT ".pdf", dir,
                                              session_id);
  g_autofree char *exported = g_strdup_printf ("%s/exported-%" G_GINT64_FORMAT ".pdf", dir,
                                               session_id);
  g_autoptr(GFile) file = g_file_new_for_path (exported);
  PrintWait print = { 0 }, export = { 0 };

  obd_report_printer_print_async (printer, session_id, GTK_PRINT_OPERATION_ACTION_EXPORT, printed,
                                  NULL, NULL, on_printed_cb, &print);
  WAIT_FOR (print.done, 60);
  g_assert_no_error (print.error);
  g_assert_no_error (print.logo_error);
  g_assert_true (print.ok);
  obd_report_printer_export_async (printer, session_id, file, NULL, on_exported_cb, &export);
  WAIT_FOR (export.done, 60);
  g_assert_no_error (export.error);
  g_assert_no_error (export.logo_error);
  g_assert_true (export.ok);

  *out_printed = pdf_text (printed);
  *out_exported = pdf_text (exported);

  /* Kept to be looked at, with the screenshots. */
  if (g_getenv ("OBD2_SCREENSHOT_DIR") != NULL)
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr(GFile) from = g_file_new_for_path (i == 0 ? printed : exported);
        g_autofree char *name = g_file_get_basename (from);
        g_autofree char *path = g_build_filename (g_getenv ("OBD2_SCREENSHOT_DIR"), name, NULL);
        g_autoptr(GFile) to = g_file_new_for_path (path);
        g_autoptr(GError) error = NULL;

        g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
        g_assert_no_error (error);
      }
}

/* Another window, by its type's name: the print dialog (GtkPrintUnixDialog
 * is in gtk4-unix-print, which the application itself does not need). */
static GtkWindow *
find_toplevel (const char *type_name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GType type = g_type_from_name (type_name);

  for (guint i = 0; type != 0 && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* Tests ---------------------------------------------------------------------------------- */

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  g_autoptr(GPtrArray) rows = find_all (root, ADW_TYPE_PREFERENCES_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static ObdCodeRow *
find_code_row (GtkWidget  *page,
               const char *code)
{
  GtkWidget *row = find_row (page, code);

  return OBD_IS_CODE_ROW (row) ? OBD_CODE_ROW (row) : NULL;
}

static GtkWidget *
guide_button_of (ObdCodeRow *row)
{
  GtkWidget *button = template_child (row, OBD_TYPE_CODE_ROW, "guide_button");

  return gtk_widget_get_visible (gtk_widget_get_parent (button)) ? button : NULL;
}

/* From a code to a finding: the thermostat guide on a car whose thermostat
 * is stuck open, started from P0128 on the Codes page, every answer given
 * through the page's buttons, the warm-up decided by the simulated car's
 * coolant; then its report printed and exported. */
static void
test_thermostat_walk (Fixture       *f,
                      gconstpointer  data)
{
  ObdCodeRow *row = NULL;
  GtkWidget *codes_page, *button;
  ObdGuidePage *page;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) repairs = NULL;
  g_autoptr(ObdReportPrinter) printer = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *exported = NULL;
  const ObdStoreGuideRun *run;
  gint64 session_id;
  GtkWindow *dialog;
  double taken;

  open_store (f, OBD_STORE_OPEN_DEFAULT);
  connect (f, "sim:stuck-thermostat?timing=0");
  show_window (f, 1100);

  obd_window_show_page (f->window, "codes");
  codes_page = obd_window_get_page (f->window, "codes");
  WAIT_FOR ((row = find_code_row (codes_page, "P0128")) != NULL && guide_button_of (row) != NULL,
            20);
  /* Open the code, as a mechanic would, and start its guide. */
  obd_row_set_expanded (OBD_ROW (row), TRUE);
  settle (GTK_WIDGET (f->window), 3);
  screenshots (GTK_WIDGET (f->window), "codes-guide-offer");
  press (guide_button_of (row));

  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  WAIT_FOR (obd_guide_page_get_run (page) != NULL, 10);
  g_assert_cmpstr (obd_guide_get_id (obd_guide_run_get_guide (obd_guide_page_get_run (page))), ==,
                   "thermostat");
  g_assert_cmpstr (obd_guide_run_get_reason (obd_guide_page_get_run (page)), ==, "code:P0128");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));

  /* The code check reads the car by itself: no coolant sensor code. */
  WAIT_FOR (g_strcmp0 (step_id (page), "prepare") == 0, 20);
  /* The visit is recorded, so its report will show what the guide finds. */
  WAIT_FOR (obd_session_get_recording (f->session) && obd_guide_page_get_session_id (page) != 0,
            20);
  session_id = obd_guide_page_get_session_id (page);
  g_assert_true (gtk_widget_get_visible (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                         "safety_box")));
  g_assert_true (gtk_widget_get_visible (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                         "tools_box")));
  screenshots (GTK_WIDGET (f->window), "guide-instruction");

  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "done_button"));
  WAIT_FOR (g_strcmp0 (step_id (page), "coolant-level") == 0, 10);
  screenshots (GTK_WIDGET (f->window), "guide-question");
  answer (page, "Yes, at or above the mark", "warm-up");

  /* The live check: its gauges, started by the mechanic, decided by the
   * coolant temperature of the simulated car. */
  g_assert_cmpuint (gtk_widget_get_visible (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                            "gauges_box")), ==, TRUE);
  screenshots (GTK_WIDGET (f->window), "guide-live-ready");
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "start_check_button"));
  WAIT_FOR (obd_guide_run_get_state (obd_guide_page_get_run (page)) == OBD_GUIDE_RUN_LIVE, 10);
  button = template_child (page, OBD_TYPE_GUIDE_PAGE, "stop_check_button");
  g_assert_true (gtk_widget_get_visible (button));
  taken = drive_live_check (page, "stuck-thermostat", 1000, "guide-live-running");
  /* Never warm: the check ran out of its fifteen minutes. */
  g_assert_cmpfloat (taken, >=, 899);
  WAIT_FOR (g_strcmp0 (step_id (page), "fan-running") == 0, 10);
  {
    ObdGuideRecord *last = g_ptr_array_index (obd_guide_run_get_records (
                                                obd_guide_page_get_run (page)), 3);

    g_assert_cmpstr (last->step_id, ==, "warm-up");
    g_assert_cmpstr (last->outcome, ==, "timeout");
    g_assert_false (last->manual);
    g_assert_true (gtk_widget_get_visible (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                           "previous_label")));
  }

  answer (page, "No, it stands still", "ir-compare");
  answer (page, "Yes, they agree", "finding:thermostat-stuck-open");
  g_assert_cmpstr (gtk_label_get_label (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                        "finding_title_label")), ==,
                   "Thermostat stuck open");
  repairs = find_all (template_child (page, OBD_TYPE_GUIDE_PAGE, "repairs_list"),
                      ADW_TYPE_ACTION_ROW);
  g_assert_cmpuint (repairs->len, ==, 3);   /* two repairs and the total */
  g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (repairs, 0)), ==,
                   "Replace the thermostat and its seal or housing");
  screenshots (GTK_WIDGET (f->window), "guide-finding");

  /* Every step is in the store, and so is the finding. */
  WAIT_FOR (obd_guide_page_is_saved (page), 20);
  runs = run_job (f->store, list_runs_job, NULL);
  g_assert_cmpuint (runs->len, ==, 1);
  run = g_ptr_array_index (runs, 0);
  g_assert_cmpint (run->status, ==, OBD_STORE_GUIDE_RUN_FINISHED);
  g_assert_cmpuint (run->n_steps, ==, 6);
  g_assert_cmpstr (run->finding_id, ==, "thermostat-stuck-open");
  g_assert_cmpint (run->session_id, ==, session_id);
  g_assert_cmpint (run->vehicle_id, ==, obd_session_get_vehicle_id (f->session));

  /* Printing from the finding ends the recording first (so the report
   * carries its code) and opens the system's dialog. */
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "print_button"));
  WAIT_FOR ((dialog = find_toplevel ("GtkPrintUnixDialog")) != NULL, 30);
  g_assert_false (obd_session_get_recording (f->session));
  settle (GTK_WIDGET (dialog), 10);
  if (g_getenv ("OBD2_SCREENSHOT_DIR") != NULL)
    save_png (GTK_WIDGET (dialog), "print-dialog.png");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  WAIT_FOR (find_toplevel ("GtkPrintUnixDialog") == NULL, 10);

  /* The same report printed to a file through the print operation, and
   * exported: the workshop, the finding, its repairs and labour, the
   * verification code. */
  printer = obd_report_printer_new (f->store, f->settings);
  print_and_export (printer, session_id, f->dir, &printed, &exported);
  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? printed : exported;

      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "Garage Müller & Söhne"));
      g_assert_nonnull (strstr (text, "Kim Meyer"));
      g_assert_nonnull (strstr (text, "P0128"));
      g_assert_nonnull (strstr (text, "Thermostat stuck open"));
      g_assert_nonnull (strstr (text, "Replace the thermostat"));
      g_assert_nonnull (strstr (text, "Verification code"));
    }

  /* The history lists the run; opening it says what was done and found. */
  obd_window_show_page (f->window, "history");
  {
    GtkWidget *history = obd_window_get_page (f->window, "history");
    GtkWidget *run_row;
    AdwMessageDialog *details = NULL;
    const char *body;

    /* The page may have been built before the run ended: the run comes
     * when the page has reloaded its list. */
    WAIT_FOR ((run_row = find_row (template_child (history, OBD_TYPE_HISTORY_PAGE, "runs_list"),
                                   "Engine warms up too slowly (thermostat)")) != NULL, 20);
    g_assert_true (gtk_widget_get_visible (template_child (history, OBD_TYPE_HISTORY_PAGE,
                                                           "runs_group")));
    settle (GTK_WIDGET (f->window), 5);
    screenshots (GTK_WIDGET (f->window), "history-runs");
    g_assert_true (gtk_widget_activate (run_row));
    WAIT_FOR ((details = (AdwMessageDialog *) find_toplevel ("AdwMessageDialog")) != NULL, 20);
    g_assert_cmpstr (adw_message_dialog_get_body (details), ==, "Thermostat stuck open");
    body = gtk_label_get_text (GTK_LABEL (adw_message_dialog_get_extra_child (details)));
    g_test_message ("%s", body);
    g_assert_nonnull (strstr (body, "4. Warm up at idle — not met in time"));
    g_assert_nonnull (strstr (body, "6. Compare with a thermometer — Yes, they agree"));
    g_assert_nonnull (strstr (body, "Replace the thermostat and its seal or housing (0.8–2.5 h)"));
    settle (GTK_WIDGET (details), 5);
    if (g_getenv ("OBD2_SCREENSHOT_DIR") != NULL)
      save_png (GTK_WIDGET (details), "history-run-details.png");
    gtk_window_destroy (GTK_WINDOW (details));
    WAIT_FOR (find_toplevel ("AdwMessageDialog") == NULL, 10);
  }
}

/* A guide left half way is in the store step by step; a new window (the
 * application started again) offers to continue it and goes on at the
 * step where it stopped. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  ObdGuidePage *page;
  GtkWidget *banner;
  GtkWidget *button;
  g_autoptr(GPtrArray) runs = NULL;

  open_store (f, OBD_STORE_OPEN_DEFAULT);
  connect (f, "sim:stuck-thermostat?timing=0");
  show_window (f, 1100);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "repair.start-guide", "(ss)",
                              "thermostat", "symptom:poor-fuel-economy");
  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  WAIT_FOR (g_strcmp0 (step_id (page), "prepare") == 0, 20);
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "done_button"));
  WAIT_FOR (g_strcmp0 (step_id (page), "coolant-level") == 0, 10);
  WAIT_FOR (obd_guide_page_is_saved (page), 20);
  /* The mechanic leaves it for later and looks at something else. */
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "leave_button"));
  WAIT_FOR (obd_guide_page_get_run (page) == NULL, 10);
  WAIT_FOR (gtk_widget_get_visible (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                    "continue_group")), 20);
  screenshots (GTK_WIDGET (f->window), "guide-list");
  destroy_window (f);

  runs = run_job (f->store, list_runs_job, NULL);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((ObdStoreGuideRun *) g_ptr_array_index (runs, 0))->status, ==,
                   OBD_STORE_GUIDE_RUN_ACTIVE);
  g_assert_cmpuint (((ObdStoreGuideRun *) g_ptr_array_index (runs, 0))->n_steps, ==, 2);

  /* "Restart": a new window on the same car. */
  show_window (f, 1100);
  obd_window_show_page (f->window, "live");
  banner = NULL;
  {
    g_autoptr(GPtrArray) revealers = find_all (GTK_WIDGET (f->window), GTK_TYPE_REVEALER);

    for (guint i = 0; i < revealers->len && banner == NULL; i++)
      if (find_button (g_ptr_array_index (revealers, i), "_Continue") != NULL ||
          gtk_revealer_get_child (g_ptr_array_index (revealers, i)) != NULL)
        {
          GtkWidget *child = gtk_revealer_get_child (g_ptr_array_index (revealers, i));

          if (child != NULL && gtk_widget_has_css_class (child, "obd-banner") &&
              GTK_IS_IMAGE (gtk_widget_get_first_child (child)) &&
              g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (gtk_widget_get_first_child (child))),
                         "applications-engineering-symbolic") == 0)
            banner = g_ptr_array_index (revealers, i);
        }
  }
  g_assert_nonnull (banner);
  WAIT_FOR (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)), 20);
  settle (GTK_WIDGET (f->window), 10);
  screenshots (GTK_WIDGET (f->window), "continue-banner");
  button = gtk_widget_get_last_child (gtk_revealer_get_child (GTK_REVEALER (banner)));
  press (button);

  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  WAIT_FOR (g_strcmp0 (step_id (page), "coolant-level") == 0, 20);
  g_assert_cmpuint (obd_guide_run_get_records (obd_guide_page_get_run (page))->len, ==, 2);
  g_assert_cmpstr (obd_guide_run_get_reason (obd_guide_page_get_run (page)), ==,
                   "symptom:poor-fuel-economy");
  /* Shown where it stopped, the banner goes. */
  WAIT_FOR (!gtk_revealer_get_reveal_child (GTK_REVEALER (banner)), 10);

  /* It goes on, and back: a step back is saved too. */
  answer (page, "No, below the mark", "finding:low-coolant");
  WAIT_FOR (obd_guide_page_is_saved (page), 20);
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "finding_back_button"));
  WAIT_FOR (g_strcmp0 (step_id (page), "coolant-level") == 0, 10);
  WAIT_FOR (obd_guide_page_is_saved (page), 20);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = run_job (f->store, list_runs_job, NULL);
  g_assert_cmpint (((ObdStoreGuideRun *) g_ptr_array_index (runs, 0))->status, ==,
                   OBD_STORE_GUIDE_RUN_ACTIVE);
  g_assert_cmpuint (((ObdStoreGuideRun *) g_ptr_array_index (runs, 0))->n_steps, ==, 2);
}

/* A measurement: what cannot be a reading is refused with the reason and
 * nothing is recorded; a reading below the range takes the low branch.
 * The live check before it is judged by hand (the mechanic measured the
 * charging voltage another way). */
static void
test_measurement (Fixture       *f,
                  gconstpointer  data)
{
  ObdGuidePage *page;
  GtkWidget *entry, *error_label;

  open_store (f, OBD_STORE_OPEN_DEFAULT);
  connect (f, "sim:weak-battery?timing=0");
  show_window (f, 1100);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "repair.start-guide", "(ss)",
                              "charging-low", "code:P0562");
  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  WAIT_FOR (g_strcmp0 (step_id (page), "charging") == 0, 20);
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "failed_button"));
  WAIT_FOR (g_strcmp0 (step_id (page), "belt") == 0, 10);
  g_assert_true (((ObdGuideRecord *) g_ptr_array_index (obd_guide_run_get_records (
                                                           obd_guide_page_get_run (page)),
                                                         0))->manual);
  answer (page, "Yes", "alternator-output");

  entry = template_child (page, OBD_TYPE_GUIDE_PAGE, "reading_entry");
  error_label = template_child (page, OBD_TYPE_GUIDE_PAGE, "reading_error_label");
  g_assert_cmpstr (gtk_label_get_label (template_child (page, OBD_TYPE_GUIDE_PAGE,
                                                        "expected_label")), ==,
                   "Expected: 13.2 to 14.8 V");
  screenshots (GTK_WIDGET (f->window), "guide-measurement");

  gtk_editable_set_text (GTK_EDITABLE (entry), "fourteen");
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "measure_button"));
  WAIT_FOR (gtk_widget_get_visible (error_label), 10);
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpstr (step_id (page), ==, "alternator-output");
  screenshots (GTK_WIDGET (f->window), "guide-measurement-error");

  gtk_editable_set_text (GTK_EDITABLE (entry), "99");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (gtk_widget_get_visible (error_label), 10);
  g_assert_cmpstr (step_id (page), ==, "alternator-output");

  gtk_editable_set_text (GTK_EDITABLE (entry), "12.6");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (g_strcmp0 (finding_id (page), "alternator") == 0, 10);
  {
    GPtrArray *records = obd_guide_run_get_records (obd_guide_page_get_run (page));
    ObdGuideRecord *last = g_ptr_array_index (records, records->len - 1);

    g_assert_cmpstr (last->outcome, ==, "low");
    g_assert_cmpfloat_with_epsilon (last->value, 12.6, 1e-9);
  }
}

/* A history that can only be read: the guide still runs, and the page
 * says, where the mechanic looks, that nothing of it is saved. */
static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  ObdGuidePage *page;
  GtkWidget *revealer;

  /* Make the file, then open it read-only. */
  open_store (f, OBD_STORE_OPEN_DEFAULT);
  obd_store_service_close (f->store);
  g_clear_object (&f->store);
  open_store (f, OBD_STORE_OPEN_READ_ONLY);
  connect (f, "sim:stuck-thermostat?timing=0");
  show_window (f, 1100);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "repair.start-guide", "(ss)",
                              "thermostat", "");
  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  revealer = template_child (page, OBD_TYPE_GUIDE_PAGE, "save_revealer");
  WAIT_FOR (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)), 20);
  g_assert_false (obd_guide_page_is_saved (page));
  g_assert_false (obd_session_get_recording (f->session));
  WAIT_FOR (g_strcmp0 (step_id (page), "prepare") == 0, 20);
  press (template_child (page, OBD_TYPE_GUIDE_PAGE, "done_button"));
  WAIT_FOR (g_strcmp0 (step_id (page), "coolant-level") == 0, 10);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  screenshots (GTK_WIDGET (f->window), "guide-not-saved");
}

/* Every scenario of the simulator: a session recorded, its report printed
 * through the print operation and exported as PDF, on A4 and on Letter. */
static void
test_reports (Fixture       *f,
              gconstpointer  data)
{
  const char *cli = g_getenv ("OBD2_CLI");
  gsize n_scenarios;
  const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n_scenarios);
  g_autoptr(ObdReportPrinter) printer = NULL;

  g_assert_nonnull (cli);
  for (gsize i = 0; i < n_scenarios; i++)
    {
      g_autofree char *port = g_strdup_printf ("sim:%s?timing=0", scenarios[i].name);
      const char *argv[] = { cli, "--db", f->path, "--port", port, "record", "--duration", "0.5",
                             NULL };
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                    &err, &status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("obd2 record %s: %s", scenarios[i].name, err);
    }

  open_store (f, OBD_STORE_OPEN_DEFAULT);
  printer = obd_report_printer_new (f->store, f->settings);
  for (gsize i = 0; i < n_scenarios; i++)
    {
      g_autofree char *printed = NULL;
      g_autofree char *exported = NULL;

      g_settings_set_string (f->settings, "report-paper", i % 2 == 0 ? "a4" : "letter");
      print_and_export (printer, (gint64) i + 1, f->dir, &printed, &exported);
      g_test_message ("%s: %zu characters", scenarios[i].name, strlen (exported));
      for (guint k = 0; k < 2; k++)
        {
          const char *text = k == 0 ? printed : exported;

          g_assert_nonnull (strstr (text, "Garage Müller & Söhne"));
          g_assert_nonnull (strstr (text, "Hauptstraße 12"));
          g_assert_nonnull (strstr (text, "Overall health"));
          g_assert_nonnull (strstr (text, "Verification code"));
        }
    }

  /* A session that is not in the store: said, and no file. */
  {
    g_autofree char *missing = g_build_filename (f->dir, "missing.pdf", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (missing);
    PrintWait wait = { 0 };

    obd_report_printer_export_async (printer, 9999, file, NULL, on_exported_cb, &wait);
    WAIT_FOR (wait.done, 30);
    g_assert_false (wait.ok);
    g_assert_error (wait.error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&wait.error);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
}

/* The rows under @root that open a guide. */
static guint
count_guide_rows (GtkWidget *root)
{
  g_autoptr(GPtrArray) rows = find_all (root, ADW_TYPE_ACTION_ROW);
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    if (g_object_get_data (G_OBJECT (g_ptr_array_index (rows, i)), "obd-guide") != NULL)
      n++;
  return n;
}

/* The guide list: guides for the car's codes, and by symptom, where a
 * guide starts with the symptom as its reason. */
static void
test_symptoms (Fixture       *f,
               gconstpointer  data)
{
  ObdGuidePage *page;
  GtkWidget *symptom, *row = NULL;

  open_store (f, OBD_STORE_OPEN_DEFAULT);
  connect (f, "sim:stuck-thermostat?timing=0");
  show_window (f, 1100);
  obd_window_show_page (f->window, "repair");
  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (template_child (page,
                                                                          OBD_TYPE_GUIDE_PAGE,
                                                                          "stack")),
                       "choose") == 0, 20);
  /* P0128 has its guide at the top. */
  WAIT_FOR (find_row (template_child (page, OBD_TYPE_GUIDE_PAGE, "codes_list"),
                      "Engine warms up too slowly (thermostat)") != NULL, 10);
  symptom = find_row (GTK_WIDGET (page), "Overheating");
  g_assert_nonnull (symptom);
  {
    g_autoptr(ObdGuideLibrary) library = obd_guide_library_new_default ();
    g_autoptr(GPtrArray) guides = obd_guide_library_find_for_symptom (library, "overheating");
    const char *first = obd_guide_gettext (obd_guide_get_title (g_ptr_array_index (guides, 0)));
    GtkWidget *every = find_row (GTK_WIDGET (page), "Every Guide");

    g_assert_cmpuint (guides->len, >, 0);
    /* A symptom's guides are made when it is opened, once. */
    g_assert_null (find_row (symptom, first));
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (symptom), TRUE);
    settle (GTK_WIDGET (f->window), 5);
    screenshots (GTK_WIDGET (f->window), "guide-list");
    row = find_row (symptom, first);
    g_assert_nonnull (row);
    g_assert_cmpuint (count_guide_rows (symptom), ==, guides->len);
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (symptom), FALSE);
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (symptom), TRUE);
    g_assert_cmpuint (count_guide_rows (symptom), ==, guides->len);
    /* Every guide, under its own expander. */
    g_assert_nonnull (every);
    g_assert_cmpuint (count_guide_rows (every), ==, 0);
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (every), TRUE);
    g_assert_cmpuint (count_guide_rows (every), ==,
                      g_list_model_get_n_items (G_LIST_MODEL (library)));
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (every), FALSE);
  }
  g_assert_true (gtk_widget_activate (row));
  WAIT_FOR (obd_guide_page_get_run (page) != NULL, 10);
  g_assert_cmpstr (obd_guide_run_get_reason (obd_guide_page_get_run (page)), ==,
                   "symptom:overheating");
}

/* The owner's plain words: what the workshop should check for the car's
 * code, with what the repair may take; opening it starts the guide. */
static void
test_owner (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *owner, *row = NULL;
  ObdGuidePage *page;

  g_settings_set_string (f->settings, "role", "owner");
  open_store (f, OBD_STORE_OPEN_DEFAULT);
  connect (f, "sim:stuck-thermostat?timing=0");
  show_window (f, 1100);
  owner = obd_window_get_page (f->window, "owner");
  WAIT_FOR ((row = find_row (owner, "Engine warms up too slowly (thermostat)")) != NULL &&
            gtk_widget_get_mapped (row), 20);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "P0128"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "0.3–3.0 h"));
  screenshots (GTK_WIDGET (f->window), "owner-checks");
  /* Found again: the screenshots resize the window, and the session's
   * updates meanwhile may have rebuilt the list. */
  WAIT_FOR ((row = find_row (owner, "Engine warms up too slowly (thermostat)")) != NULL &&
            gtk_widget_get_mapped (row), 20);
  g_assert_true (gtk_widget_activate (row));
  page = OBD_GUIDE_PAGE (obd_window_get_page (f->window, "repair"));
  WAIT_FOR (page != NULL && obd_guide_page_get_run (page) != NULL, 10);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_cmpstr (obd_guide_run_get_reason (obd_guide_page_get_run (page)), ==, "code:P0128");
}

/* The report fields are back in the preferences, bound to the settings. */
static void
test_report_preferences (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *preferences = obd_preferences_window_new (f->settings);
  GtkWidget *shop_name;

  g_object_ref_sink (preferences);
  gtk_window_present (GTK_WINDOW (preferences));
  settle (preferences, 3);
  shop_name = template_child (preferences, OBD_TYPE_PREFERENCES_WINDOW, "shop_name_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (shop_name)), ==, "Garage Müller & Söhne");
  gtk_editable_set_text (GTK_EDITABLE (shop_name), "Werkstatt Kim");
  {
    g_autofree char *value = g_settings_get_string (f->settings, "shop-name");

    g_assert_cmpstr (value, ==, "Werkstatt Kim");
  }
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "reports");
  settle (preferences, 5);
  screenshots (preferences, "preferences-reports");
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_finalize_object (preferences);
}

int
main (int   argc,
      char *argv[])
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
  /* What the application installs: the simulator, and the style sheet
   * the screenshots should show. */
  obd_sim_register ();
  obd_app_add_style_sheets (gdk_display_get_default ());

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/guide-page/thermostat-walk", test_thermostat_walk);
  ADD ("/guide-page/resume", test_resume);
  ADD ("/guide-page/measurement", test_measurement);
  ADD ("/guide-page/read-only", test_read_only);
  ADD ("/guide-page/symptoms", test_symptoms);
  ADD ("/guide-page/owner", test_owner);
  ADD ("/guide-page/reports", test_reports);
  ADD ("/guide-page/report-preferences", test_report_preferences);
#undef ADD

  return g_test_run ();
}
