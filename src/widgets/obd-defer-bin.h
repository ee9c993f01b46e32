/* obd-defer-bin.h — a part of a page laid out a frame after the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page shown for the first time is measured, laid out and painted in
 * one frame, all of it, down to what lies below the window's edge.  An
 * ObdDeferBin holds one part of a page out of that frame: while
 * "deferred" it takes no room and its child is neither measured nor
 * drawn.  Once the bin is on screen (mapped) it lets its child in by
 * itself, in a later frame, and the bins waiting in a window do so one
 * per frame, in the order they were mapped (the order of the page, top
 * first).  Its child then takes its room as in any bin.
 *
 * The owner decides what to hold back and when: the parts below the
 * first screenful, when their content was built while the page was
 * hidden or has just replaced an empty state, or parts whose first paint
 * is costly (the Live page's gauges, which load their fonts).  Content
 * that was already laid out is not deferred again (the page would lose
 * its scroll position).
 *
 * Properties:
 *   "child"     GtkWidget
 *   "deferred"  boolean, TRUE at construction
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OBD_TYPE_DEFER_BIN (obd_defer_bin_get_type ())
G_DECLARE_FINAL_TYPE (ObdDeferBin, obd_defer_bin, OBD, DEFER_BIN, GtkWidget)

GtkWidget *obd_defer_bin_new          (GtkWidget   *child);
GtkWidget *obd_defer_bin_get_child    (ObdDeferBin *self);
void       obd_defer_bin_set_child    (ObdDeferBin *self,
                                       GtkWidget   *child);
gboolean   obd_defer_bin_get_deferred (ObdDeferBin *self);
/* TRUE holds the child out again (and lets it in a frame after the bin
 * is mapped); FALSE lets it in now. */
void       obd_defer_bin_set_deferred (ObdDeferBin *self,
                                       gboolean     deferred);

/* Shows the child of @stack called @name; when it was not the one shown,
 * the ObdDeferBins in it are deferred first: content that replaces an
 * empty, loading or error state comes in a part a frame. */
void       obd_defer_bin_show_stack_child (GtkStack   *stack,
                                           const char *name);

G_END_DECLS
