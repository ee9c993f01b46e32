/* obd-trend-chart-input.c — pointer, touch and keyboard on a trend chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hover shows the cursor, scrolling pans (with Ctrl, zooms), dragging
 * pans, pinching zooms.  Everything a pointer does a key does too:
 * Left/Right move the cursor, +/− zoom, Home/End go to the first sample
 * and back to the live edge, F toggles following, S selects the next
 * series.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-trend-chart-private.h"

#define MIN_SPAN_US   (G_USEC_PER_SEC / 100)
#define MAX_SPAN_US   ((gint64) 31 * 24 * 3600 * G_USEC_PER_SEC)
#define ZOOM_STEP     1.5
#define CURSOR_STEPS  100

static void
motion_cb (ObdTrendChart            *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  if (graphene_rect_contains_point (&self->plot, &GRAPHENE_POINT_INIT ((float) x, (float) y)))
    obd_trend_chart_set_cursor_time (self, _obd_trend_chart_time_at_x (self, x));
  else
    obd_trend_chart_hide_cursor (self);
}

static void
leave_cb (ObdTrendChart            *self,
          GtkEventControllerMotion *motion)
{
  obd_trend_chart_hide_cursor (self);
}

static gboolean
scroll_cb (ObdTrendChart            *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *scroll)
{
  GdkModifierType state;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if (state & GDK_CONTROL_MASK)
    {
      gint64 anchor = self->cursor_visible ? self->cursor_time : self->end_time;

      _obd_trend_chart_zoom_around (self, anchor, pow (1.1, dy));
      return TRUE;
    }
  _obd_trend_chart_pan (self, (gint64) llround ((dx != 0.0 ? dx : dy) *
                                                (double) self->time_span / 20.0));
  return TRUE;
}

static void
drag_begin_cb (ObdTrendChart  *self,
               double          x,
               double          y,
               GtkGestureDrag *drag)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_begin_end = self->end_time;
  self->dragging = FALSE;
}

static void
drag_update_cb (ObdTrendChart  *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *drag)
{
  double us_per_px = (double) self->time_span / self->plot.size.width;

  /* A few pixels of slack, so a click to focus does not stop following. */
  if (!self->dragging && fabs (offset_x) < 4.0)
    return;
  self->dragging = TRUE;
  obd_trend_chart_set_live_follow (self, FALSE);
  _obd_trend_chart_set_end_time_internal (self, self->drag_begin_end -
                                                (gint64) llround (offset_x * us_per_px));
}

static void
zoom_begin_cb (ObdTrendChart    *self,
               GdkEventSequence *sequence,
               GtkGesture       *gesture)
{
  double x, y;

  self->zoom_begin_span = self->time_span;
  self->zoom_begin_end = self->end_time;
  if (gtk_gesture_get_bounding_box_center (gesture, &x, &y))
    self->zoom_anchor = _obd_trend_chart_time_at_x (self, x);
  else
    self->zoom_anchor = self->end_time;
}

static void
zoom_scale_changed_cb (ObdTrendChart  *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  gint64 span;

  if (!(scale > 0.0))
    return;
  span = (gint64) CLAMP ((double) self->zoom_begin_span / scale,
                         (double) MIN_SPAN_US, (double) MAX_SPAN_US);
  if (!self->live_follow)
    {
      double ratio = (double) span / (double) self->zoom_begin_span;

      _obd_trend_chart_set_end_time_internal (self, self->zoom_anchor +
                                              (gint64) llround ((double) (self->zoom_begin_end -
                                                                          self->zoom_anchor) *
                                                                ratio));
    }
  obd_trend_chart_set_time_span (self, span);
}

static void
move_cursor_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  gint64 t1 = self->end_time, t0 = t1 - self->time_span, start;
  int direction = g_variant_get_int32 (parameter);

  start = self->cursor_visible ? self->cursor_time : t0 + (t1 - t0) / 2;
  obd_trend_chart_set_cursor_time (self, CLAMP (start + direction * self->time_span /
                                                CURSOR_STEPS, t0, t1));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  int direction = g_variant_get_int32 (parameter);
  gint64 anchor = self->cursor_visible ? self->cursor_time : self->end_time - self->time_span / 2;

  _obd_trend_chart_zoom_around (self, anchor, direction > 0 ? 1.0 / ZOOM_STEP : ZOOM_STEP);
}

static void
home_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  gint64 earliest;

  if (!_obd_trend_chart_get_earliest (self, &earliest))
    return;
  obd_trend_chart_set_live_follow (self, FALSE);
  _obd_trend_chart_set_end_time_internal (self, earliest + self->time_span);
}

/* End goes back to the live edge: the newest data, following again. */
static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  obd_trend_chart_set_live_follow (OBD_TREND_CHART (widget), TRUE);
}

static void
next_series_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  guint next = _obd_trend_chart_next_visible_series (self);

  if (next != 0)
    obd_trend_chart_set_selected_series (self, next);
}

void
_obd_trend_chart_class_init_input (GtkWidgetClass *widget_class)
{
  static const struct {
    guint       keyval;
    const char *action;
    int         arg;    /* for the actions taking an "i" */
  } int_bindings[] = {
    { GDK_KEY_Left, "chart.move-cursor", -1 },
    { GDK_KEY_Right, "chart.move-cursor", 1 },
    { GDK_KEY_plus, "chart.zoom", 1 },
    { GDK_KEY_equal, "chart.zoom", 1 },
    { GDK_KEY_KP_Add, "chart.zoom", 1 },
    { GDK_KEY_minus, "chart.zoom", -1 },
    { GDK_KEY_KP_Subtract, "chart.zoom", -1 },
  };

  gtk_widget_class_install_action (widget_class, "chart.move-cursor", "i", move_cursor_action);
  gtk_widget_class_install_action (widget_class, "chart.zoom", "i", zoom_action);
  gtk_widget_class_install_action (widget_class, "chart.home", NULL, home_action);
  gtk_widget_class_install_action (widget_class, "chart.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "chart.next-series", NULL, next_series_action);
  gtk_widget_class_install_property_action (widget_class, "chart.live-follow", "live-follow");

  for (guint i = 0; i < G_N_ELEMENTS (int_bindings); i++)
    gtk_widget_class_add_binding_action (widget_class, int_bindings[i].keyval, 0,
                                         int_bindings[i].action, "i", int_bindings[i].arg);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "chart.home", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "chart.end", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, 0, "chart.live-follow", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, 0, "chart.next-series", NULL);
}

void
_obd_trend_chart_init_input (ObdTrendChart *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect_object (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "drag-update", G_CALLBACK (drag_update_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_object (gesture, "begin", G_CALLBACK (zoom_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}
