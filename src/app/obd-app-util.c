/* obd-app-util.c — small helpers the app's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "obd-app-resources.h"
#include "obd-app-util.h"

static GQuark
tooltip_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("obd-tooltip");
  return quark;
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  const char *text = g_object_get_qdata (G_OBJECT (widget), tooltip_quark ());

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/**
 * obd_widget_set_tooltip:
 * @widget: a widget
 * @text: (nullable): the tooltip, or %NULL (or "") for none
 *
 * Sets @widget's tooltip and accessible description, as
 * gtk_widget_set_tooltip_text () does, without its cost: on a visible
 * widget, GTK 4.8 asks the display server where the pointer is (a round
 * trip) at every call, so that a tooltip under the pointer shows at
 * once.  A row built for each item of a list paid that for every row;
 * here the tooltip shows when the pointer next moves over the widget.
 * Setting the same text again does nothing.
 */
void
obd_widget_set_tooltip (GtkWidget  *widget,
                        const char *text)
{
  GObject *object = G_OBJECT (widget);

  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (g_object_get_qdata (object, tooltip_quark ()), text) == 0)
    return;
  if (g_signal_handler_find (widget, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, query_tooltip_cb,
                             NULL) == 0)
    g_signal_connect (widget, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  g_object_set_qdata_full (object, tooltip_quark (), g_strdup (text), g_free);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_widget_set_has_tooltip (widget, text != NULL);
}

/* Work paced by frames -------------------------------------------------- */

/* Widgets made in an idle callback are styled and laid out in the next
 * frame; idle callbacks that follow one another before it put all their
 * widgets into that one frame.  A pace runs its step once per frame
 * instead: after a step, it waits for the next frame of the widget's
 * window (a tick callback) and runs the next step once that frame is
 * done (an idle callback, which comes after the frame's layout and
 * paint).  A widget not realized has no frames: its steps follow one
 * another from idle callbacks, and cost little, since nothing is styled
 * or laid out there. */
struct _ObdPace
{
  GtkWidget   *widget;          /* not owned: the pace's owner */
  int          priority;
  GSourceFunc  step;
  gpointer     user_data;
  guint        idle_id;
  guint        tick_id;         /* waiting for a frame */
  guint        serial;          /* bumped by obd_pace_stop () */
  gboolean     in_step;
  gboolean     restart;         /* started again during a step */
};

static gboolean pace_idle_cb (gpointer data);

static gboolean
pace_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       data)
{
  ObdPace *pace = data;

  pace->tick_id = 0;
  pace->idle_id = g_idle_add_full (pace->priority, pace_idle_cb, pace, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
pace_idle_cb (gpointer data)
{
  ObdPace *pace = data;
  guint serial = pace->serial;
  gboolean more;

  pace->idle_id = 0;
  pace->in_step = TRUE;
  pace->restart = FALSE;
  more = pace->step (pace->user_data) == G_SOURCE_CONTINUE;
  pace->in_step = FALSE;
  /* Started again during the step (after any stop in it), or more to do
   * and not stopped. */
  if (!pace->restart && (!more || serial != pace->serial))
    return G_SOURCE_REMOVE;
  if (gtk_widget_get_realized (pace->widget))
    pace->tick_id = gtk_widget_add_tick_callback (pace->widget, pace_tick_cb, pace, NULL);
  else
    pace->idle_id = g_idle_add_full (pace->priority, pace_idle_cb, pace, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * obd_pace_new:
 * @widget: the widget whose window paces the work; it owns the pace
 * @priority: the priority of the idle callback each step runs in
 * @step: does one step; returns %G_SOURCE_CONTINUE while there is more
 * @user_data: for @step
 *
 * Returns: (transfer full): a pace, not yet started; free it with
 *   obd_pace_free () while @widget is still there (in its dispose)
 */
ObdPace *
obd_pace_new (GtkWidget   *widget,
              int          priority,
              GSourceFunc  step,
              gpointer     user_data)
{
  ObdPace *pace;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (step != NULL, NULL);

  pace = g_new0 (ObdPace, 1);
  pace->widget = widget;
  pace->priority = priority;
  pace->step = step;
  pace->user_data = user_data;
  return pace;
}

/**
 * obd_pace_start:
 * @pace: a pace
 *
 * Runs the step from the next idle moment on, a step per frame, until it
 * returns %G_SOURCE_REMOVE.  While @pace is running this does nothing,
 * except from inside a step: the pace then goes on after that step even
 * if it returns %G_SOURCE_REMOVE.
 */
void
obd_pace_start (ObdPace *pace)
{
  g_return_if_fail (pace != NULL);

  if (pace->in_step)
    pace->restart = TRUE;
  if (obd_pace_is_running (pace))
    return;
  pace->idle_id = g_idle_add_full (pace->priority, pace_idle_cb, pace, NULL);
}

/**
 * obd_pace_stop:
 * @pace: a pace
 *
 * Runs no more steps; a step may call this.
 */
void
obd_pace_stop (ObdPace *pace)
{
  g_return_if_fail (pace != NULL);

  pace->serial++;
  pace->restart = FALSE;
  g_clear_handle_id (&pace->idle_id, g_source_remove);
  if (pace->tick_id != 0)
    gtk_widget_remove_tick_callback (pace->widget, pace->tick_id);
  pace->tick_id = 0;
}

gboolean
obd_pace_is_running (ObdPace *pace)
{
  g_return_val_if_fail (pace != NULL, FALSE);

  return pace->in_step || pace->idle_id != 0 || pace->tick_id != 0;
}

void
obd_pace_free (ObdPace *pace)
{
  if (pace == NULL)
    return;
  obd_pace_stop (pace);
  g_free (pace);
}

static void
update_high_contrast_cb (AdwStyleManager *manager,
                         GParamSpec      *pspec,
                         GtkCssProvider  *provider)
{
  if (adw_style_manager_get_high_contrast (manager))
    gtk_css_provider_load_from_resource (provider, RESOURCE_PATH "/style-hc.css");
  else
    gtk_css_provider_load_from_data (provider, "", -1);
}

static void
unref_provider (gpointer  provider,
                GClosure *closure)
{
  g_object_unref (provider);
}

void
obd_app_add_style_sheets (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) base = gtk_css_provider_new ();
  GtkCssProvider *high_contrast = gtk_css_provider_new ();
  AdwStyleManager *manager;

  g_return_if_fail (GDK_IS_DISPLAY (display));

  (void) obd_app_get_resource ();
  gtk_css_provider_load_from_resource (base, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (base),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (high_contrast),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  manager = adw_style_manager_get_for_display (display);
  /* The provider lives as long as the display's style manager. */
  g_signal_connect_data (manager, "notify::high-contrast",
                         G_CALLBACK (update_high_contrast_cb), high_contrast,
                         unref_provider, 0);
  update_high_contrast_cb (manager, NULL, high_contrast);
}
