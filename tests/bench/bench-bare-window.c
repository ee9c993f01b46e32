/* bench-bare-window.c — the reference for bench-startup: a bare libadwaita
 * window with a header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What any libadwaita application pays before it does anything of its
 * own: GTK and libadwaita initialised, one AdwApplicationWindow with an
 * AdwHeaderBar presented.  Like the application under OBD2_STARTUP_PROBE,
 * it prints "first-frame <g_get_monotonic_time ()>" when its first frame
 * is drawn, then waits to be killed.
 */
#include "config.h"

#include <stdio.h>

#include <adwaita.h>

static void
on_first_frame_cb (GdkFrameClock *clock)
{
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_cb, NULL);
}

static void
on_activate_cb (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 750);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_first_frame_cb), NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.obd2diagnostics.BenchBare",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
