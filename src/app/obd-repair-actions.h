/* obd-repair-actions.h — the window's guided-repair and report actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GActionGroup the window inserts as "repair", so every page, row and
 * dialog inside it can start a guide or print a report by action name:
 *
 *   repair.start-guide (ss)   guide id and reason ("code:P0128"): shows
 *                             the guide page and starts it there
 *   repair.resume-guide (x)   a saved run, continued on the guide page
 *   repair.print-report (x)   the report of a recorded session, through
 *                             the system's print dialog
 *   repair.export-report (x)  the same as a PDF file, chosen in a file
 *                             dialog
 *   repair.open-file (s)      opens a URI (the PDF just saved)
 *
 * A session still being recorded is sealed first (its recording stops),
 * so the report carries its verification code.  It also owns the banner
 * under the header bar that offers to continue an unfinished guided
 * repair of the car on the bench, wherever the mechanic is in the
 * window.
 */
#pragma once

#include <adwaita.h>

#include "obd-report-printer.h"
#include "obd-window.h"

G_BEGIN_DECLS

#define OBD_TYPE_REPAIR_ACTIONS (obd_repair_actions_get_type ())
G_DECLARE_FINAL_TYPE (ObdRepairActions, obd_repair_actions, OBD, REPAIR_ACTIONS,
                      GSimpleActionGroup)

/* The window is borrowed (it owns this); settings may be NULL (tests),
 * which leaves reports without the workshop's details. */
ObdRepairActions *obd_repair_actions_new         (ObdWindow        *window,
                                                  ObdSession       *session,
                                                  GSettings        *settings);
/* The "continue guided repair" banner, for the window to place. */
GtkWidget        *obd_repair_actions_get_banner  (ObdRepairActions *self);
/* What the window shows now: view ("mechanic", "owner", …) and page
 * ("repair", …, or NULL); the banner hides where it does not belong. */
void              obd_repair_actions_set_view    (ObdRepairActions *self,
                                                  const char       *view,
                                                  const char       *page);
ObdReportPrinter *obd_repair_actions_get_printer (ObdRepairActions *self);
/* Drops what refers to the window; for its dispose. */
void              obd_repair_actions_shutdown    (ObdRepairActions *self);

G_END_DECLS
