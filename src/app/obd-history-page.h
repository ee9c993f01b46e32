/* obd-history-page.h — a vehicle's recorded sessions: replay, compare, verify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-page.h"

G_BEGIN_DECLS

#define OBD_TYPE_HISTORY_PAGE (obd_history_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdHistoryPage, obd_history_page, OBD, HISTORY_PAGE, ObdPage)

GtkWidget  *obd_history_page_new               (ObdSession     *session);

/* The vehicle shown is ObdPage's "vehicle-id" (0 follows the session's);
 * when that is 0 too, every recorded session is listed. */
/* Lists the sessions again from the store. */
void        obd_history_page_reload            (ObdHistoryPage *self);

/* Replays one recorded session in the chart (read from the store in the
 * background; the chart fills when it arrives). */
void        obd_history_page_open_session      (ObdHistoryPage *self,
                                                gint64          session_id);
/* Shows two sessions one above the other (the older as "before"), each on
 * a time axis that starts at its own start and with the same span, so a
 * before/after repair comparison lines up. */
void        obd_history_page_compare_sessions  (ObdHistoryPage *self,
                                                gint64          before_id,
                                                gint64          after_id);
/* The ObdTrendChart of the opened session (the "before" one when
 * comparing), and the "after" chart of a comparison. */
GtkWidget  *obd_history_page_get_replay_chart  (ObdHistoryPage *self);
GtkWidget  *obd_history_page_get_compare_chart (ObdHistoryPage *self);

G_END_DECLS
