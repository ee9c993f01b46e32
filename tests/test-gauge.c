/* test-gauge.c — ObdGauge: alert states, accessibility, sizing, rendering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-gauge"
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "obd-gauge.h"
#include "obd-gauge-private.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

/* Helpers ------------------------------------------------------------- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main loop until @widget is mapped at @width × @height
 * (-1: any size). */
static void
wait_for_size (GtkWidget *widget,
               int        width,
               int        height)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!gtk_widget_get_mapped (widget) ||
         (width >= 0 && gtk_widget_get_width (widget) != width) ||
         (height >= 0 && gtk_widget_get_height (widget) != height))
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

/* Lets style changes (colour scheme, high contrast) reach every widget. */
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
  wait_for_size (child, width, height);
  return window;
}

/* Renders the window's child through the window's GSK renderer (cairo
 * under GSK_RENDERER=cairo), optionally over the window background so a
 * saved PNG looks like the screen. */
static GdkTexture *
render_child (GtkWidget *window,
              gboolean   with_background)
{
  GtkWidget *child = gtk_window_get_child (GTK_WINDOW (window));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  graphene_rect_t bounds;

  /* The child's place in the window: margins move it off the origin. */
  g_assert_true (gtk_widget_compute_bounds (child, window, &bounds));

  if (with_background)
    {
      GdkRGBA bg;

      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                           "window_bg_color", &bg))
        gdk_rgba_parse (&bg, "#fafafa");
      gtk_snapshot_append_color (snapshot, &bg, &bounds);
    }
  gtk_widget_queue_draw (child);
  gtk_widget_snapshot_child (window, child, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node, &bounds);
}

typedef struct
{
  guint opaque;   /* pixels with alpha > 0.5 */
  guint reddish;  /* clearly red: the error colour */
  guint bluish;   /* clearly blue: the accent colour */
} PixelStats;

static PixelStats
pixel_stats (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  PixelStats stats = { 0, 0, 0 };

  /* Downloads as premultiplied ARGB32 in native order: B, G, R, A here. */
  gdk_texture_download (texture, data, stride);
  for (int i = 0; i < width * height; i++)
    {
      int b = data[4 * i], g = data[4 * i + 1], r = data[4 * i + 2], a = data[4 * i + 3];

      if (a > 128)
        stats.opaque++;
      if (a > 128 && r > g + 80 && r > b + 60)
        stats.reddish++;
      if (a > 128 && b > r + 80 && b > g + 30)
        stats.bluish++;
    }
  return stats;
}

static GtkWidget *
rpm_gauge (void)
{
  return g_object_new (OBD_TYPE_GAUGE,
                       "label", "Engine speed",
                       "unit", "rpm",
                       "min-value", 0.0,
                       "max-value", 8000.0,
                       "warning-threshold", 6000.0,
                       "critical-threshold", 7000.0,
                       NULL);
}

/* Zones ---------------------------------------------------------------- */

static void count_notify_cb (GObject    *object,
                             GParamSpec *pspec,
                             gpointer    user_data);

/* The zone follows the alert state the owner sets, never the value against
 * the thresholds: the alert engine has already applied minimum duration,
 * hysteresis and the engine-running rule, which a gauge cannot know. */
static void
test_gauge_zone_follows_alert_state (void)
{
  g_autoptr(ObdGauge) gauge = g_object_ref_sink (OBD_GAUGE (rpm_gauge ()));
  static const double values[] = { 0.0, 5999.9, 6000.0, 6999.0, 7000.0, 9000.0, -5.0 };
  ObdGaugeAlertState state;

  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_UNKNOWN);
  g_assert_cmpint (obd_gauge_get_alert_state (gauge), ==, OBD_GAUGE_ALERT_STATE_NORMAL);

  /* Beyond both thresholds, but no alert raised (yet): normal. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      ObdGaugeZone zone;

      obd_gauge_set_value (gauge, values[i]);
      g_object_get (gauge, "zone", &zone, NULL);
      g_assert_cmpint (zone, ==, OBD_GAUGE_ZONE_NORMAL);
    }

  /* The verdict colours the gauge, whatever the value. */
  obd_gauge_set_value (gauge, 5800.0);
  g_object_set (gauge, "alert-state", OBD_GAUGE_ALERT_STATE_WARNING, NULL);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_WARNING);
  obd_gauge_set_alert_state (gauge, OBD_GAUGE_ALERT_STATE_CRITICAL);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_CRITICAL);
  g_object_get (gauge, "alert-state", &state, NULL);
  g_assert_cmpint (state, ==, OBD_GAUGE_ALERT_STATE_CRITICAL);

  /* Without a reading there is nothing to judge. */
  obd_gauge_set_value (gauge, NAN);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_UNKNOWN);
  obd_gauge_set_value (gauge, 100.0);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_CRITICAL);
  obd_gauge_set_alert_state (gauge, OBD_GAUGE_ALERT_STATE_NORMAL);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_NORMAL);
}

static void
test_gauge_thresholds_draw_only (void)
{
  /* A battery: the scale shows 11.8 V and below as weak, 11.0 V and below
   * as flat, above 14.8 V as overcharging. */
  g_autoptr(ObdGauge) gauge = g_object_ref_sink (g_object_new (OBD_TYPE_GAUGE,
                                                               "label", "Battery",
                                                               "unit", "V",
                                                               "digits", 1,
                                                               "min-value", 8.0,
                                                               "max-value", 16.0,
                                                               "low-warning-threshold", 11.8,
                                                               "low-critical-threshold", 11.0,
                                                               "warning-threshold", 14.8,
                                                               NULL));
  guint zone_notifies = 0;

  g_signal_connect (gauge, "notify::zone", G_CALLBACK (count_notify_cb), &zone_notifies);
  obd_gauge_set_value (gauge, 12.0);
  g_assert_cmpuint (zone_notifies, ==, 1);   /* unknown → normal */

  /* 11.6 V with the engine off is only the resting warning; 11.6 V the
   * moment the engine started is nothing yet: the engine decides, and the
   * gauge's own thresholds must not. */
  obd_gauge_set_value (gauge, 11.6);
  obd_gauge_set_value (gauge, 9.0);
  obd_gauge_set_low_warning_threshold (gauge, 12.2);
  obd_gauge_set_low_warning_threshold (gauge, NAN);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_NORMAL);
  g_assert_cmpuint (zone_notifies, ==, 1);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_gauge_zone_unknown (void)
{
  g_autoptr(ObdGauge) gauge = g_object_ref_sink (OBD_GAUGE (rpm_gauge ()));
  guint zone_notifies = 0, value_notifies = 0;

  g_signal_connect (gauge, "notify::zone", G_CALLBACK (count_notify_cb), &zone_notifies);
  g_signal_connect (gauge, "notify::value", G_CALLBACK (count_notify_cb), &value_notifies);

  g_assert_true (isnan (obd_gauge_get_value (gauge)));
  obd_gauge_set_value (gauge, 800.0);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_NORMAL);
  obd_gauge_set_value (gauge, 900.0);   /* same zone: no zone notify */
  obd_gauge_set_value (gauge, 900.0);   /* same value: no notify at all */
  obd_gauge_set_value (gauge, NAN);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_UNKNOWN);
  obd_gauge_set_value (gauge, NAN);

  g_assert_cmpuint (zone_notifies, ==, 2);
  g_assert_cmpuint (value_notifies, ==, 3);

  /* An unchanged alert state notifies nothing. */
  obd_gauge_set_value (gauge, 1e9);
  zone_notifies = 0;
  obd_gauge_set_alert_state (gauge, OBD_GAUGE_ALERT_STATE_NORMAL);
  g_assert_cmpuint (zone_notifies, ==, 0);
  g_assert_cmpint (obd_gauge_get_zone (gauge), ==, OBD_GAUGE_ZONE_NORMAL);
}

static void
test_gauge_properties (void)
{
  g_autoptr(ObdGauge) gauge = g_object_ref_sink (OBD_GAUGE (obd_gauge_new ()));
  g_autofree char *label = NULL;
  g_autofree char *unit = NULL;
  double min, max, warn, crit, lwarn, lcrit;
  guint digits;

  g_object_set (gauge,
                "label", "Coolant", "unit", "°C", "digits", 1,
                "min-value", -40.0, "max-value", 130.0,
                "warning-threshold", 105.0, "critical-threshold", 115.0,
                "low-warning-threshold", 0.0, "low-critical-threshold", -20.0,
                NULL);
  g_object_get (gauge,
                "label", &label, "unit", &unit, "digits", &digits,
                "min-value", &min, "max-value", &max,
                "warning-threshold", &warn, "critical-threshold", &crit,
                "low-warning-threshold", &lwarn, "low-critical-threshold", &lcrit,
                NULL);
  g_assert_cmpstr (label, ==, "Coolant");
  g_assert_cmpstr (unit, ==, "°C");
  g_assert_cmpuint (digits, ==, 1);
  g_assert_cmpfloat (min, ==, -40.0);
  g_assert_cmpfloat (max, ==, 130.0);
  g_assert_cmpfloat (warn, ==, 105.0);
  g_assert_cmpfloat (crit, ==, 115.0);
  g_assert_cmpfloat (lwarn, ==, 0.0);
  g_assert_cmpfloat (lcrit, ==, -20.0);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (gauge)));
}

/* Accessibility -------------------------------------------------------- */

static void
test_gauge_a11y (void)
{
  g_autoptr(ObdGauge) gauge = g_object_ref_sink (OBD_GAUGE (rpm_gauge ()));
  g_autofree char *text = NULL;
  guint updates;

  gtk_test_accessible_assert_role (gauge, GTK_ACCESSIBLE_ROLE_METER);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: no reading");
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 8000.0);

  obd_gauge_set_value (gauge, 1726.0);
  text = obd_gauge_dup_reading_text (gauge);
  g_assert_cmpstr (text, ==, "Engine speed: 1726 rpm, normal");
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: 1726 rpm, normal");
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 1726.0);

  /* A change below the shown precision says nothing new: no event. */
  updates = _obd_gauge_get_a11y_update_count (gauge);
  obd_gauge_set_value (gauge, 1726.3);
  obd_gauge_set_value (gauge, 1725.8);
  g_assert_cmpuint (_obd_gauge_get_a11y_update_count (gauge), ==, updates);

  obd_gauge_set_value (gauge, 6500.0);
  obd_gauge_set_alert_state (gauge, OBD_GAUGE_ALERT_STATE_WARNING);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: 6500 rpm, warning");
  g_assert_cmpuint (_obd_gauge_get_a11y_update_count (gauge), ==, updates + 2);

  obd_gauge_set_value (gauge, 7200.0);
  obd_gauge_set_alert_state (gauge, OBD_GAUGE_ALERT_STATE_CRITICAL);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: 7200 rpm, critical");

  obd_gauge_set_digits (gauge, 1);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: 7200.0 rpm, critical");

  obd_gauge_set_value (gauge, -0.01);   /* rounds to zero: no "−0.0" */
  obd_gauge_set_alert_state (gauge, OBD_GAUGE_ALERT_STATE_NORMAL);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: 0.0 rpm, normal");

  obd_gauge_set_value (gauge, NAN);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: no reading");

  obd_gauge_set_unit (gauge, NULL);
  obd_gauge_set_value (gauge, 3.0);
  gtk_test_accessible_assert_property (gauge, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Engine speed: 3.0, normal");
}

/* Size and rendering --------------------------------------------------- */

static void
test_gauge_measure (void)
{
  g_autoptr(ObdGauge) gauge = g_object_ref_sink (OBD_GAUGE (rpm_gauge ()));
  int minimum, natural;

  g_assert_cmpint (gtk_widget_get_request_mode (GTK_WIDGET (gauge)), ==,
                   GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH);
  gtk_widget_measure (GTK_WIDGET (gauge), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, <=, 96);
  g_assert_cmpint (natural, >=, 96);
  g_assert_cmpint (natural, <=, 400);

  /* Square: the height follows the width. */
  for (int width = 96; width <= 400; width += 76)
    {
      gtk_widget_measure (GTK_WIDGET (gauge), GTK_ORIENTATION_VERTICAL, width,
                          &minimum, &natural, NULL, NULL);
      g_assert_cmpint (natural, ==, width);
      g_assert_cmpint (minimum, <=, width);
    }
}

static void
test_gauge_render (void)
{
  static const int sizes[] = { 96, 160, 400 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GtkWidget *gauge = rpm_gauge ();
      GtkWidget *window;
      g_autoptr(GdkTexture) normal = NULL;
      g_autoptr(GdkTexture) critical = NULL;
      g_autoptr(GdkTexture) none = NULL;
      PixelStats s_normal, s_critical, s_none;

      g_object_ref_sink (gauge);
      window = window_with_child (gauge, sizes[i], sizes[i]);

      obd_gauge_set_value (OBD_GAUGE (gauge), 3000.0);
      wait_frames (gauge, 2);   /* let the needle animation finish or skip */
      normal = render_child (window, FALSE);
      g_assert_cmpint (gdk_texture_get_width (normal), ==, sizes[i]);

      obd_gauge_set_value (OBD_GAUGE (gauge), 7500.0);
      obd_gauge_set_alert_state (OBD_GAUGE (gauge), OBD_GAUGE_ALERT_STATE_CRITICAL);
      wait_frames (gauge, 20);
      critical = render_child (window, FALSE);

      obd_gauge_set_value (OBD_GAUGE (gauge), NAN);
      none = render_child (window, FALSE);

      s_normal = pixel_stats (normal);
      s_critical = pixel_stats (critical);
      s_none = pixel_stats (none);
      g_test_message ("size %d: opaque %u/%u/%u, red %u/%u, blue %u/%u", sizes[i],
                      s_normal.opaque, s_critical.opaque, s_none.opaque,
                      s_normal.reddish, s_critical.reddish, s_normal.bluish, s_critical.bluish);

      /* Something is drawn at every size, the normal arc is the accent
       * colour, the critical one the error colour (and longer). */
      g_assert_cmpuint (s_normal.opaque, >, (guint) (sizes[i] * sizes[i] / 50));
      g_assert_cmpuint (s_normal.bluish, >, s_normal.reddish);
      g_assert_cmpuint (s_critical.reddish, >, s_normal.reddish);
      g_assert_cmpuint (s_critical.reddish, >, s_critical.bluish);
      g_assert_cmpuint (s_none.reddish + s_none.bluish, <, s_critical.reddish);

      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_finalize_object (gauge);
    }
}

/* The dial (track, alert bands, ticks) is kept as a texture between
 * frames: it must still follow the thresholds and the size. */
static void
test_gauge_dial_follows (void)
{
  GtkWidget *gauge = g_object_ref_sink (rpm_gauge ());
  GtkWidget *window = window_with_child (gauge, 200, 200);
  g_autoptr(GdkTexture) banded = NULL;
  g_autoptr(GdkTexture) plain = NULL;
  g_autoptr(GdkTexture) again = NULL;
  g_autoptr(GdkTexture) larger = NULL;
  PixelStats s_banded, s_plain, s_again, s_larger;

  /* No reading: whatever is red is the critical band of the scale. */
  wait_frames (gauge, 2);
  banded = render_child (window, FALSE);
  obd_gauge_set_warning_threshold (OBD_GAUGE (gauge), NAN);
  obd_gauge_set_critical_threshold (OBD_GAUGE (gauge), NAN);
  plain = render_child (window, FALSE);
  obd_gauge_set_warning_threshold (OBD_GAUGE (gauge), 6000.0);
  obd_gauge_set_critical_threshold (OBD_GAUGE (gauge), 7000.0);
  again = render_child (window, FALSE);
  s_banded = pixel_stats (banded);
  s_plain = pixel_stats (plain);
  s_again = pixel_stats (again);
  g_test_message ("red pixels: banded %u, plain %u, again %u", s_banded.reddish,
                  s_plain.reddish, s_again.reddish);
  g_assert_cmpuint (s_banded.reddish, >, 20);
  g_assert_cmpuint (s_plain.reddish, ==, 0);
  g_assert_cmpuint (s_again.reddish, ==, s_banded.reddish);

  /* A larger gauge gets a larger dial, not the old one stretched. */
  gtk_window_set_default_size (GTK_WINDOW (window), 320, 320);
  wait_for_size (gauge, 320, 320);
  larger = render_child (window, FALSE);
  s_larger = pixel_stats (larger);
  g_assert_cmpint (gdk_texture_get_width (larger), ==, 320);
  g_assert_cmpuint (s_larger.reddish, >, s_banded.reddish * 3 / 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (gauge);
}

/* A reading that moves the needle by less than a pixel is shown at once;
 * a longer move is animated (and so redrawn for a while). */
static void
test_gauge_small_moves_jump (void)
{
  GtkWidget *gauge = g_object_ref_sink (rpm_gauge ());
  GtkWidget *window = window_with_child (gauge, 160, 160);
  ObdGauge *g = OBD_GAUGE (gauge);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_object_set (gtk_widget_get_settings (gauge), "gtk-enable-animations", TRUE, NULL);
  obd_gauge_set_value (g, 3000.0);
  g_assert_cmpfloat (_obd_gauge_get_display_value (g), ==, 3000.0);
  /* 10 rpm of 8000 over 270° on a 160 px gauge: under half a pixel. */
  obd_gauge_set_value (g, 3010.0);
  g_assert_cmpfloat (_obd_gauge_get_display_value (g), ==, 3010.0);
  obd_gauge_set_value (g, 5000.0);
  g_assert_cmpfloat (_obd_gauge_get_display_value (g), <, 5000.0);
  while (_obd_gauge_get_display_value (g) != 5000.0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (gauge);
}

/* The text is kept laid out between frames: a new label, unit or value
 * must still show. */
static void
test_gauge_text_follows (void)
{
  GtkWidget *gauge = g_object_ref_sink (rpm_gauge ());
  GtkWidget *window = window_with_child (gauge, 200, 200);
  ObdGauge *g = OBD_GAUGE (gauge);
  g_autoptr(GdkTexture) short_label = NULL;
  g_autoptr(GdkTexture) long_label = NULL;
  g_autoptr(GdkTexture) short_unit = NULL;
  guint n_short, n_long, n_short_unit;

  obd_gauge_set_label (g, "A");
  obd_gauge_set_value (g, 3000.0);
  wait_frames (gauge, 2);
  short_label = render_child (window, FALSE);
  obd_gauge_set_label (g, "Intake air temp");
  long_label = render_child (window, FALSE);
  obd_gauge_set_unit (g, "r");
  short_unit = render_child (window, FALSE);
  n_short = pixel_stats (short_label).opaque;
  n_long = pixel_stats (long_label).opaque;
  n_short_unit = pixel_stats (short_unit).opaque;
  g_test_message ("opaque pixels: short label %u, long label %u, short unit %u", n_short,
                  n_long, n_short_unit);
  g_assert_cmpuint (n_long, >, n_short + 50);
  g_assert_cmpuint (n_short_unit + 20, <, n_long);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (gauge);
}

static void
test_gauge_finalize (void)
{
  GtkWidget *gauge = g_object_ref_sink (rpm_gauge ());

  obd_gauge_set_value (OBD_GAUGE (gauge), 4000.0);
  obd_gauge_set_value (OBD_GAUGE (gauge), 5000.0);   /* an animation object exists */
  g_assert_finalize_object (gauge);
}

/* Screenshots ---------------------------------------------------------- */

static GtkWidget *
showcase (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *gauge;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);

  gauge = rpm_gauge ();
  obd_gauge_set_value (OBD_GAUGE (gauge), 1726.0);
  gtk_widget_set_size_request (gauge, 96, 96);
  gtk_box_append (GTK_BOX (column), gauge);

  gauge = g_object_new (OBD_TYPE_GAUGE, "label", "Coolant temperature", "unit", "°C",
                        "min-value", -40.0, "max-value", 130.0,
                        "warning-threshold", 105.0, "critical-threshold", 115.0, NULL);
  obd_gauge_set_value (OBD_GAUGE (gauge), 108.0);
  obd_gauge_set_alert_state (OBD_GAUGE (gauge), OBD_GAUGE_ALERT_STATE_WARNING);
  gtk_widget_set_size_request (gauge, 96, 96);
  gtk_box_append (GTK_BOX (column), gauge);

  gauge = g_object_new (OBD_TYPE_GAUGE, "label", "Fuel pressure", "unit", "kPa",
                        "min-value", 0.0, "max-value", 765.0, NULL);
  gtk_widget_set_size_request (gauge, 96, 96);
  gtk_box_append (GTK_BOX (column), gauge);
  gtk_box_append (GTK_BOX (box), column);

  gauge = g_object_new (OBD_TYPE_GAUGE, "label", "Battery", "unit", "V", "digits", 1,
                        "min-value", 8.0, "max-value", 16.0,
                        "low-warning-threshold", 11.8, "low-critical-threshold", 11.0,
                        "warning-threshold", 14.8, "critical-threshold", 15.5, NULL);
  obd_gauge_set_value (OBD_GAUGE (gauge), 10.7);
  obd_gauge_set_alert_state (OBD_GAUGE (gauge), OBD_GAUGE_ALERT_STATE_CRITICAL);
  gtk_widget_set_size_request (gauge, 200, 200);
  gtk_widget_set_valign (gauge, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), gauge);

  gauge = rpm_gauge ();
  obd_gauge_set_value (OBD_GAUGE (gauge), 3250.0);
  gtk_widget_set_size_request (gauge, 400, 400);
  gtk_box_append (GTK_BOX (box), gauge);
  gtk_widget_grab_focus (gauge);

  return box;
}

static void
save_showcase (GtkWidget  *window,
               const char *dir,
               const char *name)
{
  g_autoptr(GdkTexture) texture = render_child (window, TRUE);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
test_gauge_screenshots (void)
{
  const char *dir = g_getenv ("OBD2_SCREENSHOT_DIR");
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autoptr(GSettings) a11y = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GtkWidget *box, *window;

  /* The rendering itself is checked in /gauge/render; this only runs the
   * styles over a whole dashboard, and keeps the pictures when asked. */
  box = showcase ();
  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_size (box, -1, -1);
  wait_frames (box, 20);
  if (dir != NULL)
    save_showcase (window, dir, "gauge-light.png");

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (box, 3);
  g_assert_true (adw_style_manager_get_dark (manager));
  if (dir != NULL)
    save_showcase (window, dir, "gauge-dark.png");

  /* High contrast comes from the desktop's a11y settings; with the memory
   * GSettings backend of the tests we can flip it. */
  if (source != NULL &&
      (schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.a11y.interface",
                                                 TRUE)) != NULL &&
      g_settings_schema_has_key (schema, "high-contrast"))
    {
      a11y = g_settings_new ("org.gnome.desktop.a11y.interface");
      adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
      g_settings_set_boolean (a11y, "high-contrast", TRUE);
      wait_frames (box, 3);
      g_test_message ("high contrast: %d", adw_style_manager_get_high_contrast (manager));
      if (dir != NULL)
        save_showcase (window, dir, "gauge-high-contrast.png");
      g_settings_set_boolean (a11y, "high-contrast", FALSE);
    }

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/gauge/zone/alert-state", test_gauge_zone_follows_alert_state);
  g_test_add_func ("/gauge/zone/thresholds-draw-only", test_gauge_thresholds_draw_only);
  g_test_add_func ("/gauge/zone/unknown", test_gauge_zone_unknown);
  g_test_add_func ("/gauge/properties", test_gauge_properties);
  g_test_add_func ("/gauge/a11y", test_gauge_a11y);
  g_test_add_func ("/gauge/measure", test_gauge_measure);
  g_test_add_func ("/gauge/render", test_gauge_render);
  g_test_add_func ("/gauge/dial-follows", test_gauge_dial_follows);
  g_test_add_func ("/gauge/small-moves-jump", test_gauge_small_moves_jump);
  g_test_add_func ("/gauge/text-follows", test_gauge_text_follows);
  g_test_add_func ("/gauge/finalize", test_gauge_finalize);
  g_test_add_func ("/gauge/screenshots", test_gauge_screenshots);

  return g_test_run ();
}
