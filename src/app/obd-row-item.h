/* obd-row-item.h — one line of a list: what an ObdItemRow shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pages turn their data (a maintenance item, a note, a recorded session,
 * a control unit) into these, put them in a GListStore and bind it to a
 * GtkListBox with obd_item_row_new (): the row is a template whose parts
 * follow the item's properties.
 *
 * Properties (read-write, with notify):
 *   "id"             gint64, what the row stands for (a store row id)
 *   "title", "subtitle"  strings; "subtitle-lines" int (0: no limit)
 *   "badge"          string, a word in a pill after the text, or NULL
 *   "badge-class"    "success", "warning", "error", "accent" or NULL
 *   "action-name"    string: a button with "action-icon" and the
 *                    accessible name "action-label" that activates this
 *                    action with "id" as its target ("x"), or NULL
 *   "checkable"      boolean: a tick box before the text, with the
 *                    accessible name "check-label", following "checked"
 *   "activatable"    boolean: the row itself can be activated (an arrow
 *                    says so)
 *   "css-class"      string, a style class of the row, or NULL
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OBD_TYPE_ROW_ITEM (obd_row_item_get_type ())
G_DECLARE_FINAL_TYPE (ObdRowItem, obd_row_item, OBD, ROW_ITEM, GObject)

ObdRowItem *obd_row_item_new          (gint64      id,
                                       const char *title,
                                       const char *subtitle);
gint64      obd_row_item_get_id       (ObdRowItem *self);
const char *obd_row_item_get_title    (ObdRowItem *self);
const char *obd_row_item_get_subtitle (ObdRowItem *self);
const char *obd_row_item_get_badge    (ObdRowItem *self);
gboolean    obd_row_item_get_checked  (ObdRowItem *self);
void        obd_row_item_set_checked  (ObdRowItem *self,
                                       gboolean    checked);

G_END_DECLS
