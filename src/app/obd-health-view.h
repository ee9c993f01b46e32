/* obd-health-view.h — how every view says a health report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The overview, the fleet list, the owner view, the vehicle page and the
 * history show one report (obd-diagnosis.h): its scores rounded the one
 * way (obd_health_score_format), its status in the same word, icon and
 * colour everywhere.  These are those words, icons and colours.
 */
#pragma once

#include <adwaita.h>

#include "obd-health.h"
#include "obd-row.h"

G_BEGIN_DECLS

/* "emblem-ok-symbolic", "dialog-warning-symbolic", "dialog-error-symbolic" */
const char *obd_health_view_status_icon  (ObdHealthStatus        status);
/* The style class of the status: "success", "warning", "error". */
const char *obd_health_view_status_class (ObdHealthStatus        status);
/* Puts the status's class on widget and takes the others off. */
void        obd_health_view_set_status_class (GtkWidget         *widget,
                                              ObdHealthStatus    status);
/* "46 of 100 · Stop driving" */
char       *obd_health_view_dup_headline (const ObdHealthReport *report);
/* "Most affected: Cooling", or "No problems found". */
char       *obd_health_view_dup_worst    (const ObdHealthReport *report);

/* Fills a row with a report: the headline as its title, the
 * worst system and source (nullable: "From the check just now.") as its
 * subtitle, the status icon and class on icon; explanation (the row's
 * details) gets the report's explanation while the row is open. */
void        obd_health_view_show_report  (ObdRow                *row,
                                          GtkImage              *icon,
                                          GtkLabel              *explanation,
                                          const ObdHealthReport *report,
                                          const char            *source);

G_END_DECLS
