/* test-clamp.c — ObdClamp: the child's width, centred, and its classes left
 * alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-clamp"

#include "config.h"

#include <adwaita.h>

#include "obd-clamp.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

/* The curve: the whole width up to the threshold, then easing out without
 * a jump or a kink to the maximum, reached at three times the distance;
 * the child never grows faster than the clamp, so its margins never
 * shrink as the window widens. */
static void
test_clamp_curve (void)
{
  int previous = obd_clamp_child_width (600, 400, 100, 0);

  g_assert_cmpint (previous, ==, 100);   /* never below the child's minimum */
  g_assert_cmpint (obd_clamp_child_width (600, 400, 100, 300), ==, 300);
  g_assert_cmpint (obd_clamp_child_width (600, 400, 100, 400), ==, 400);
  g_assert_cmpint (obd_clamp_child_width (600, 400, 100, 1000), ==, 600);
  g_assert_cmpint (obd_clamp_child_width (600, 400, 100, 5000), ==, 600);
  /* Halfway to the upper width (400 + 3 × 200 = 1000): 1 - 0.5³ of the way. */
  g_assert_cmpint (obd_clamp_child_width (600, 400, 100, 700), ==, 400 + (int) (200 * 0.875));

  for (int width = 1; width <= 1200; width++)
    {
      int child = obd_clamp_child_width (600, 400, 100, width);

      g_assert_cmpint (child, >=, previous);
      g_assert_cmpint (child - previous, <=, 1);
      g_assert_cmpint (child, <=, MAX (width, 100));
      previous = child;
    }

  /* A child wider than the threshold is never squeezed: the curve starts
   * at its minimum; one wider than the maximum gets its minimum. */
  g_assert_cmpint (obd_clamp_child_width (600, 400, 500, 500), ==, 500);
  g_assert_cmpint (obd_clamp_child_width (600, 400, 500, 450), ==, 500);
  g_assert_cmpint (obd_clamp_child_width (600, 400, 700, 2000), ==, 700);
  /* No room to ease: a threshold above the maximum is the maximum. */
  g_assert_cmpint (obd_clamp_child_width (600, 900, 100, 800), ==, 600);
  /* Extremes: no maximum at all, nothing allowed. */
  g_assert_cmpint (obd_clamp_child_width (G_MAXINT, G_MAXINT, 100, 5000), ==, 5000);
  g_assert_cmpint (obd_clamp_child_width (G_MAXINT, 400, 100, G_MAXINT), <=, G_MAXINT);
  g_assert_cmpint (obd_clamp_child_width (0, 0, 100, 5000), ==, 100);
  g_assert_cmpint (obd_clamp_child_width (0, 0, 0, 5000), ==, 0);
}

static GtkWidget *
fixed_child (int width)
{
  GtkWidget *child = gtk_label_new ("child");

  gtk_widget_set_size_request (child, width, 40);
  gtk_widget_add_css_class (child, "mine");
  return child;
}

/* In a window: the child gets the curve's width, centred, the whole
 * height; its classes stay as they were, at any width (AdwClamp adds
 * "small", "medium" or "large" when it is first allocated, and a page
 * under it is styled again). */
static void
test_clamp_window (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *clamp = obd_clamp_new ();
  GtkWidget *child = fixed_child (100);
  static const int widths[] = { 1200, 700, 300 };

  obd_clamp_set_maximum_size (OBD_CLAMP (clamp), 600);
  obd_clamp_set_tightening_threshold (OBD_CLAMP (clamp), 400);
  obd_clamp_set_child (OBD_CLAMP (clamp), child);
  g_assert_true (obd_clamp_get_child (OBD_CLAMP (clamp)) == child);
  gtk_window_set_child (GTK_WINDOW (window), clamp);
  gtk_window_set_default_size (GTK_WINDOW (window), widths[0], 200);
  gtk_window_present (GTK_WINDOW (window));

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      int expected = obd_clamp_child_width (600, 400, 100, widths[i]);
      graphene_rect_t bounds;
      g_auto(GStrv) classes = NULL;

      gtk_window_set_default_size (GTK_WINDOW (window), widths[i], 200);
      WAIT_FOR (gtk_widget_get_mapped (child) && gtk_widget_get_width (clamp) == widths[i] &&
                gtk_widget_get_width (child) == expected, 10);
      g_assert_true (gtk_widget_compute_bounds (child, clamp, &bounds));
      g_assert_cmpfloat (bounds.origin.x, ==, (widths[i] - expected) / 2);
      g_assert_cmpint (gtk_widget_get_height (child), ==, gtk_widget_get_height (clamp));

      classes = gtk_widget_get_css_classes (child);
      g_assert_cmpuint (g_strv_length (classes), ==, 1);
      g_assert_cmpstr (classes[0], ==, "mine");
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A widget of a given minimum and natural width. */
#define TEST_TYPE_SIZED (test_sized_get_type ())
G_DECLARE_FINAL_TYPE (TestSized, test_sized, TEST, SIZED, GtkWidget)

struct _TestSized
{
  GtkWidget parent_instance;
  int       minimum;
  int       natural;
};

G_DEFINE_FINAL_TYPE (TestSized, test_sized, GTK_TYPE_WIDGET)

static void
test_sized_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  TestSized *self = TEST_SIZED (widget);

  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? self->minimum : 40;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? self->natural : 40;
}

static void
test_sized_class_init (TestSizedClass *klass)
{
  GTK_WIDGET_CLASS (klass)->measure = test_sized_measure;
}

static void
test_sized_init (TestSized *self)
{
}

static void
test_sized_set (TestSized *self,
                int        minimum,
                int        natural)
{
  self->minimum = minimum;
  self->natural = natural;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Natural width: the narrowest clamp that gives the child its natural
 * width, or the maximum; its minimum, the child's. */
static void
test_clamp_natural (void)
{
  GtkWidget *clamp = g_object_ref_sink (obd_clamp_new ());
  GtkWidget *child = g_object_new (TEST_TYPE_SIZED, NULL);

  g_object_set (clamp, "maximum-size", 600, "tightening-threshold", 400, "child", child, NULL);
  g_assert_cmpint (obd_clamp_get_maximum_size (OBD_CLAMP (clamp)), ==, 600);
  g_assert_cmpint (obd_clamp_get_tightening_threshold (OBD_CLAMP (clamp)), ==, 400);
  for (int want = 200; want <= 900; want += 20)
    {
      int minimum, natural, got = MIN (want, 600);

      test_sized_set (TEST_SIZED (child), 100, want);
      gtk_widget_measure (clamp, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
      g_assert_cmpint (minimum, ==, 100);
      g_assert_cmpint (obd_clamp_child_width (600, 400, 100, natural), >=, got);
      g_assert_cmpint (obd_clamp_child_width (600, 400, 100, natural - 1), <, got);
    }

  /* A child wider than the maximum is given its width. */
  test_sized_set (TEST_SIZED (child), 900, 900);
  {
    int minimum, natural;

    gtk_widget_measure (clamp, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
    g_assert_cmpint (minimum, ==, 900);
    g_assert_cmpint (natural, ==, 900);
    g_assert_cmpint (obd_clamp_child_width (600, 400, minimum, 1200), ==, 900);
  }

  /* A maximum near G_MAXINT: the natural width stays a width, and is
   * cut at G_MAXINT / 2 rather than overflow. */
  obd_clamp_set_maximum_size (OBD_CLAMP (clamp), G_MAXINT);
  {
    int minimum, natural;

    test_sized_set (TEST_SIZED (child), 100, 1 << 29);
    gtk_widget_measure (clamp, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
    g_assert_cmpint (minimum, ==, 100);
    g_assert_cmpint (obd_clamp_child_width (G_MAXINT, 400, 100, natural), >=, 1 << 29);
    g_assert_cmpint (obd_clamp_child_width (G_MAXINT, 400, 100, natural - 1), <, 1 << 29);
    test_sized_set (TEST_SIZED (child), 100, G_MAXINT);
    gtk_widget_measure (clamp, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
    g_assert_cmpint (natural, ==, G_MAXINT / 2);
  }

  obd_clamp_set_child (OBD_CLAMP (clamp), NULL);
  g_assert_null (obd_clamp_get_child (OBD_CLAMP (clamp)));
  g_object_unref (clamp);
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

  g_test_add_func ("/clamp/curve", test_clamp_curve);
  g_test_add_func ("/clamp/window", test_clamp_window);
  g_test_add_func ("/clamp/natural", test_clamp_natural);

  return g_test_run ();
}
