/* obd-app-util.h — small helpers the app's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* g_set_str () is GLib 2.76; this is it for 2.74: replaces *str_pointer
 * with a copy of new_str, and says whether it changed. */
static inline gboolean
obd_set_str (char       **str_pointer,
             const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;
  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

void obd_widget_set_tooltip (GtkWidget  *widget,
                             const char *text);

/* What ObdApplication's resource base path gives its windows (AdwApplication
 * loads it), for programs that show the app's widgets without it: tests
 * and benchmarks.  style.css, and style-hc.css while high contrast is on. */
void obd_app_add_style_sheets (GdkDisplay *display);

typedef struct _ObdPace ObdPace;

ObdPace  *obd_pace_new        (GtkWidget   *widget,
                               int          priority,
                               GSourceFunc  step,
                               gpointer     user_data);
void      obd_pace_start      (ObdPace     *pace);
void      obd_pace_stop       (ObdPace     *pace);
gboolean  obd_pace_is_running (ObdPace     *pace);
void      obd_pace_free       (ObdPace     *pace);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdPace, obd_pace_free)

G_END_DECLS
