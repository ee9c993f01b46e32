/* render-check.h — what a widget's last frame drew, read from its render
 * nodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests only; included by the tests that need it.
 *
 * GTK 4.8's cairo renderer paints a border whose four sides differ in
 * colour with a mesh gradient over the border's whole box, even when only
 * one side has any width; the app's style sheets give every border one
 * colour (style.css).  render_check_borders () fails the test on a border
 * that does not.
 */
#pragma once

#include <gtk/gtk.h>

/* Walks every node; counts the border nodes and fails on one whose sides
 * differ in colour. */
static inline void
render_check_node (GskRenderNode *node,
                   guint         *n_borders)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_BORDER_NODE:
      {
        const GdkRGBA *colors = gsk_border_node_get_colors (node);
        const float *widths = gsk_border_node_get_widths (node);
        g_autofree char *c0 = gdk_rgba_to_string (&colors[0]);

        for (guint side = 1; side < 4; side++)
          if (!gdk_rgba_equal (&colors[0], &colors[side]))
            {
              g_autofree char *other = gdk_rgba_to_string (&colors[side]);

              g_error ("a border of widths %g %g %g %g has side 0 %s, side %u %s",
                       widths[0], widths[1], widths[2], widths[3], c0, side, other);
            }
        (*n_borders)++;
      }
      break;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        render_check_node (gsk_container_node_get_child (node, i), n_borders);
      break;
    case GSK_TRANSFORM_NODE:
      render_check_node (gsk_transform_node_get_child (node), n_borders);
      break;
    case GSK_OPACITY_NODE:
      render_check_node (gsk_opacity_node_get_child (node), n_borders);
      break;
    case GSK_COLOR_MATRIX_NODE:
      render_check_node (gsk_color_matrix_node_get_child (node), n_borders);
      break;
    case GSK_CLIP_NODE:
      render_check_node (gsk_clip_node_get_child (node), n_borders);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      render_check_node (gsk_rounded_clip_node_get_child (node), n_borders);
      break;
    case GSK_SHADOW_NODE:
      render_check_node (gsk_shadow_node_get_child (node), n_borders);
      break;
    case GSK_DEBUG_NODE:
      render_check_node (gsk_debug_node_get_child (node), n_borders);
      break;
    case GSK_REPEAT_NODE:
      render_check_node (gsk_repeat_node_get_child (node), n_borders);
      break;
    case GSK_BLEND_NODE:
      render_check_node (gsk_blend_node_get_bottom_child (node), n_borders);
      render_check_node (gsk_blend_node_get_top_child (node), n_borders);
      break;
    case GSK_CROSS_FADE_NODE:
      render_check_node (gsk_cross_fade_node_get_start_child (node), n_borders);
      render_check_node (gsk_cross_fade_node_get_end_child (node), n_borders);
      break;
    default:
      break;
    }
}

typedef struct
{
  GtkWidget *widget;
  guint      n_borders;
  gboolean   done;
} RenderCheck;

static inline void
render_check_after_paint_cb (GdkFrameClock *clock,
                             RenderCheck   *check)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;

  if (check->done)
    return;
  /* Right after a paint every widget drawn holds its render node (a
   * queued draw drops it until the next frame). */
  paintable = gtk_widget_paintable_new (check->widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (check->widget),
                          gtk_widget_get_height (check->widget));
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    render_check_node (node, &check->n_borders);
  check->done = TRUE;
}

/* Draws @widget (mapped) once more and checks every border of that
 * frame; returns how many there are. */
static inline guint
render_check_borders (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  RenderCheck check = { widget, 0, FALSE };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gulong id;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (render_check_after_paint_cb), &check);
  gtk_widget_queue_draw (widget);
  while (!check.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (clock, id);
  return check.n_borders;
}
