/* test-defer-bin.c — ObdDeferBin: held out of the first frame, let in a
 * frame apart, in order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-defer-bin"

#include "config.h"

#include <adwaita.h>

#include "obd-defer-bin.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

/* Helpers ------------------------------------------------------------- */

/* The frame in which each of a few bins let its child in. */
typedef struct
{
  GdkFrameClock *clock;
  gint64         frames[4];
} Released;

static void
on_deferred_cb (ObdDeferBin *bin,
                GParamSpec  *pspec,
                Released    *released)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (bin), "index"));

  if (!obd_defer_bin_get_deferred (bin) && released->clock != NULL)
    released->frames[index] = gdk_frame_clock_get_frame_counter (released->clock);
}

static GtkWidget *
tall_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_size_request (label, -1, 100);
  return label;
}

/* Tests --------------------------------------------------------------- */

/* Three bins mapped with the window: the rest of the window in the first
 * frame, then a bin a frame, top first; each takes its child's room. */
static void
test_defer_bin_order (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *top = tall_label ("top");
  GtkWidget *bins[3];
  Released released = { NULL, { -1, -1, -1, -1 } };
  int height_before;

  gtk_box_append (GTK_BOX (box), top);
  for (guint i = 0; i < G_N_ELEMENTS (bins); i++)
    {
      g_autofree char *text = g_strdup_printf ("part %u", i);

      bins[i] = obd_defer_bin_new (tall_label (text));
      g_assert_true (obd_defer_bin_get_deferred (OBD_DEFER_BIN (bins[i])));
      g_object_set_data (G_OBJECT (bins[i]), "index", GUINT_TO_POINTER (i));
      g_signal_connect (bins[i], "notify::deferred", G_CALLBACK (on_deferred_cb), &released);
      gtk_box_append (GTK_BOX (box), bins[i]);
    }
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (top) && gtk_widget_get_height (top) == 100, 10);
  released.clock = gtk_widget_get_frame_clock (window);

  /* Held out: no room, the child neither mapped nor allocated. */
  gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, -1, &height_before, NULL, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bins); i++)
    {
      GtkWidget *child = obd_defer_bin_get_child (OBD_DEFER_BIN (bins[i]));

      if (obd_defer_bin_get_deferred (OBD_DEFER_BIN (bins[i])))
        {
          g_assert_false (gtk_widget_get_mapped (child));
          g_assert_cmpint (gtk_widget_get_height (bins[i]), ==, 0);
        }
    }

  WAIT_FOR (!obd_defer_bin_get_deferred (OBD_DEFER_BIN (bins[2])) &&
            gtk_widget_get_height (bins[2]) == 100, 10);
  for (guint i = 0; i < G_N_ELEMENTS (bins); i++)
    {
      GtkWidget *child = obd_defer_bin_get_child (OBD_DEFER_BIN (bins[i]));

      g_assert_false (obd_defer_bin_get_deferred (OBD_DEFER_BIN (bins[i])));
      g_assert_true (gtk_widget_get_mapped (child));
      g_assert_cmpint (gtk_widget_get_height (child), ==, 100);
    }
  /* One a frame, top first (the first may have come before the clock
   * was read). */
  g_assert_cmpint (released.frames[1], >, 0);
  g_assert_cmpint (released.frames[2], ==, released.frames[1] + 1);
  g_assert_true (released.frames[0] == -1 || released.frames[0] == released.frames[1] - 1);
  {
    int height_after;

    gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, -1, &height_after, NULL, NULL, NULL);
    g_assert_cmpint (height_after, ==, 100 + 3 * (100 + 10));
    g_assert_cmpint (height_before, <, height_after);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The stack's helper defers the bins of a child it starts to show, and
 * only then; a hidden child hides its bin (no spacing for nothing). */
static void
test_defer_bin_stack (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *bin = obd_defer_bin_new (tall_label ("part"));
  GtkWidget *hidden = obd_defer_bin_new (tall_label ("hidden"));

  gtk_widget_set_visible (obd_defer_bin_get_child (OBD_DEFER_BIN (hidden)), FALSE);
  g_assert_false (gtk_widget_get_visible (hidden));
  gtk_box_append (GTK_BOX (content), tall_label ("top"));
  gtk_box_append (GTK_BOX (content), bin);
  gtk_box_append (GTK_BOX (content), hidden);
  gtk_stack_add_named (GTK_STACK (stack), gtk_label_new ("empty"), "empty");
  gtk_stack_add_named (GTK_STACK (stack), content, "content");
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "empty");
  gtk_window_set_child (GTK_WINDOW (window), stack);
  gtk_window_present (GTK_WINDOW (window));
  /* Not mapped: it waits, deferred. */
  WAIT_FOR (gtk_widget_get_mapped (stack), 10);
  g_assert_true (obd_defer_bin_get_deferred (OBD_DEFER_BIN (bin)));

  obd_defer_bin_show_stack_child (GTK_STACK (stack), "content");
  WAIT_FOR (!obd_defer_bin_get_deferred (OBD_DEFER_BIN (bin)) && gtk_widget_get_height (bin) == 100, 10);
  {
    int height;

    gtk_widget_measure (content, GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);
    g_assert_cmpint (height, ==, 100 + 10 + 100);
  }

  /* Shown already: nothing deferred again (the scroll position stays). */
  obd_defer_bin_show_stack_child (GTK_STACK (stack), "content");
  g_assert_false (obd_defer_bin_get_deferred (OBD_DEFER_BIN (bin)));

  /* Back from the empty state: deferred, then in again. */
  obd_defer_bin_show_stack_child (GTK_STACK (stack), "empty");
  obd_defer_bin_show_stack_child (GTK_STACK (stack), "content");
  g_assert_true (obd_defer_bin_get_deferred (OBD_DEFER_BIN (bin)));
  WAIT_FOR (!obd_defer_bin_get_deferred (OBD_DEFER_BIN (bin)), 10);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A bin unmapped or destroyed while it waits leaves the others to go on
 * (ASan would see a freed bin left in the waiting list). */
static void
test_defer_bin_gone_while_waiting (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *doomed = obd_defer_bin_new (tall_label ("doomed"));
  GtkWidget *hidden = obd_defer_bin_new (tall_label ("hidden later"));
  GtkWidget *last = obd_defer_bin_new (tall_label ("last"));

  gtk_box_append (GTK_BOX (box), doomed);
  gtk_box_append (GTK_BOX (box), hidden);
  gtk_box_append (GTK_BOX (box), last);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (last), 10);
  /* All three wait (none before the second frame after their map). */
  g_assert_true (obd_defer_bin_get_deferred (OBD_DEFER_BIN (doomed)));
  gtk_box_remove (GTK_BOX (box), doomed);
  gtk_widget_set_visible (hidden, FALSE);

  WAIT_FOR (!obd_defer_bin_get_deferred (OBD_DEFER_BIN (last)) && gtk_widget_get_height (last) == 100, 10);
  /* Unmapped, it stays out until it is shown again. */
  g_assert_true (obd_defer_bin_get_deferred (OBD_DEFER_BIN (hidden)));
  gtk_widget_set_visible (hidden, TRUE);
  WAIT_FOR (!obd_defer_bin_get_deferred (OBD_DEFER_BIN (hidden)), 10);

  /* A child replaced no longer shows or hides the bin. */
  {
    g_autoptr(GtkWidget) old = g_object_ref (obd_defer_bin_get_child (OBD_DEFER_BIN (last)));

    obd_defer_bin_set_child (OBD_DEFER_BIN (last), tall_label ("new"));
    gtk_widget_set_visible (old, FALSE);
    g_assert_true (gtk_widget_get_visible (last));
  }

  /* Let in by hand at once, without a frame. */
  {
    GtkWidget *manual = obd_defer_bin_new (tall_label ("manual"));

    gtk_box_append (GTK_BOX (box), manual);
    obd_defer_bin_set_deferred (OBD_DEFER_BIN (manual), FALSE);
    g_assert_true (gtk_widget_get_mapped (obd_defer_bin_get_child (OBD_DEFER_BIN (manual))));
  }

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

  g_test_add_func ("/defer-bin/order", test_defer_bin_order);
  g_test_add_func ("/defer-bin/stack", test_defer_bin_stack);
  g_test_add_func ("/defer-bin/gone-while-waiting", test_defer_bin_gone_while_waiting);

  return g_test_run ();
}
