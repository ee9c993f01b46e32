/* obd-conflicts-group.h — edits of a vehicle made on two PCs, and which was kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* A group for a page that shows one vehicle (an ObdPage ancestor, whose
 * "shown-vehicle-id" it follows): each time the vehicle's details or one
 * of its maintenance items was edited on two PCs at once, which edit was
 * kept (the later one), and the other one's values, from the store's
 * conflict history.  Hidden when there is none.  Read on the store's
 * thread, again whenever the store changes. */
#define OBD_TYPE_CONFLICTS_GROUP (obd_conflicts_group_get_type ())
G_DECLARE_FINAL_TYPE (ObdConflictsGroup, obd_conflicts_group, OBD, CONFLICTS_GROUP,
                      AdwPreferencesGroup)

GtkWidget  *obd_conflicts_group_new     (void);
/* Element type ObdRowItem: what the group lists. */
GListModel *obd_conflicts_group_get_items (ObdConflictsGroup *self);

G_END_DECLS
