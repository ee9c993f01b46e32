/* obd-code-item.h — a trouble code read from the vehicle, explained
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "obd-snapshot.h"
#include "obd-units.h"

G_BEGIN_DECLS

#define OBD_TYPE_CODE_ITEM (obd_code_item_get_type ())
G_DECLARE_FINAL_TYPE (ObdCodeItem, obd_code_item, OBD, CODE_ITEM, GObject)

/* Read-only properties for templates: "code", "title", "where" (system
 * and control unit), "explanation", "causes" (one a line, "" for none),
 * "has-causes", "severity-label", "severity-icon", "has-freeze-frame",
 * "guide-title" (the guided repair for the code, translated, or NULL)
 * and "has-guide" (both notified when set). */
ObdDtcKind   obd_code_item_get_kind           (ObdCodeItem *self);
/* "error", "warning" or "dim-label": the colour of the severity. */
const char  *obd_code_item_get_severity_class (ObdCodeItem *self);
/* The freeze frame taken when this code was set: name and reading, one
 * pair after the other (a strv of even length); NULL for none. */
const char * const *obd_code_item_get_freeze_frame (ObdCodeItem *self);

/* The guided repair that fits the code best (nullable). */
void         obd_code_item_set_guide          (ObdCodeItem *self,
                                               const char  *guide_id,
                                               const char  *guide_title);
const char  *obd_code_item_get_guide_id       (ObdCodeItem *self);
const char  *obd_code_item_get_code           (ObdCodeItem *self);

/* The codes of snapshot, explained from the knowledge base (which may
 * load it: call it off the main thread).  Element type ObdCodeItem,
 * stored then pending then permanent. */
GPtrArray   *obd_code_items_new_for_snapshot  (const ObdSnapshot *snapshot,
                                               ObdUnitSystem      units);

G_END_DECLS
