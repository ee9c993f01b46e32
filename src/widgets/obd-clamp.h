/* obd-clamp.h — a child no wider than a maximum, centred, narrowing smoothly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What AdwClamp does for a page's column, without what AdwClamp 1.2 also
 * does: mark its child "small", "medium" or "large" from its width.  That
 * class is set when the clamp is first allocated, after the page's first
 * styling, and a class change on an ancestor makes GTK style every widget
 * below it again: each page paid for styling its whole content twice when
 * first shown.  Nothing in the app or in libadwaita's style sheet uses
 * those classes.
 *
 * Below "tightening-threshold" (or the child's minimum width, if larger)
 * the child takes the whole width; from there its width eases out towards
 * "maximum-size", with no kink, and reaches it at three times the distance
 * (an ease-out cubic starts at slope 3, so the child grows at the rate of
 * the clamp where the easing begins).  Horizontal only.
 *
 * Properties: "child", "maximum-size" (default 600) and
 * "tightening-threshold" (default 400), in pixels.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OBD_TYPE_CLAMP (obd_clamp_get_type ())
G_DECLARE_FINAL_TYPE (ObdClamp, obd_clamp, OBD, CLAMP, GtkWidget)

GtkWidget *obd_clamp_new                      (void);
GtkWidget *obd_clamp_get_child                (ObdClamp  *self);
void       obd_clamp_set_child                (ObdClamp  *self,
                                               GtkWidget *child);
int        obd_clamp_get_maximum_size         (ObdClamp  *self);
void       obd_clamp_set_maximum_size         (ObdClamp  *self,
                                               int        maximum_size);
int        obd_clamp_get_tightening_threshold (ObdClamp  *self);
void       obd_clamp_set_tightening_threshold (ObdClamp  *self,
                                               int        tightening_threshold);

/* The width the child gets in a clamp @width wide, for a child whose
 * minimum width is @child_minimum: what the widget allocates. */
int        obd_clamp_child_width              (int        maximum_size,
                                               int        tightening_threshold,
                                               int        child_minimum,
                                               int        width);

G_END_DECLS
