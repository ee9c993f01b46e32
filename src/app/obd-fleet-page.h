/* obd-fleet-page.h — every vehicle in the store, with its health at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-fleet-item.h"
#include "obd-page.h"
#include "obd-sync-manager.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_FLEET_SORT_SCORE = 0,   /* worst first */
  OBD_FLEET_SORT_LAST_SEEN,   /* most recent first */
  OBD_FLEET_SORT_NAME,
} ObdFleetSort;

#define OBD_TYPE_FLEET_PAGE (obd_fleet_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdFleetPage, obd_fleet_page, OBD, FLEET_PAGE, ObdPage)

/* Properties: ObdPage's, whose "vehicle-id" is the vehicle last
 * activated; "items" (GListModel of ObdFleetItem, every vehicle,
 * unsorted), "sort" (ObdFleetSort as int), "search-text",
 * "attention-only".
 * Signal ::vehicle-activated (gint64 vehicle_id) when a row is activated. */
GtkWidget    *obd_fleet_page_new                (ObdSession   *session);

/* Every vehicle (ObdFleetItem), in store order. */
GListModel   *obd_fleet_page_get_items          (ObdFleetPage *self);
/* What the list shows: filtered and sorted. */
GListModel   *obd_fleet_page_get_visible_items  (ObdFleetPage *self);
ObdFleetItem *obd_fleet_page_lookup_item        (ObdFleetPage *self,
                                                 gint64        vehicle_id);
ObdFleetSort  obd_fleet_page_get_sort           (ObdFleetPage *self);
void          obd_fleet_page_set_sort           (ObdFleetPage *self,
                                                 ObdFleetSort  sort);
const char   *obd_fleet_page_get_search_text    (ObdFleetPage *self);
void          obd_fleet_page_set_search_text    (ObdFleetPage *self,
                                                 const char   *text);
gboolean      obd_fleet_page_get_attention_only (ObdFleetPage *self);
void          obd_fleet_page_set_attention_only (ObdFleetPage *self,
                                                 gboolean      attention_only);
/* Follows the live events of the organisation's vehicles through sync:
 * the Live column (what each mechanic's PC shares now) and the live
 * health.  NULL stops. */
void          obd_fleet_page_set_sync           (ObdFleetPage   *self,
                                                 ObdSyncManager *sync);
/* Reads every vehicle again from the store (on the store's thread; the
 * list changes when the answer comes). */
void          obd_fleet_page_reload             (ObdFleetPage *self);

G_END_DECLS
