/* obd-fleet-page.h — every vehicle in the store, with its health at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-health.h"
#include "obd-session.h"

G_BEGIN_DECLS

/* One vehicle of the fleet list.  Every field is a property with notify, so
 * rows follow changes made after they were built: "live-status" is meant
 * to be fed by the sync client's live events. */
#define OBD_TYPE_FLEET_ITEM (obd_fleet_item_get_type ())
G_DECLARE_FINAL_TYPE (ObdFleetItem, obd_fleet_item, OBD, FLEET_ITEM, GObject)

gint64           obd_fleet_item_get_vehicle_id          (ObdFleetItem *self);
const char      *obd_fleet_item_get_title               (ObdFleetItem *self);
/* Plate, VIN and owner, as far as known; may be "". */
const char      *obd_fleet_item_get_subtitle            (ObdFleetItem *self);
/* 0..100, or a negative number when it could not be computed. */
double           obd_fleet_item_get_score               (ObdFleetItem *self);
ObdHealthStatus  obd_fleet_item_get_status              (ObdFleetItem *self);
/* The most severe active trouble code ("P0301"), NULL when none. */
const char      *obd_fleet_item_get_worst_code          (ObdFleetItem *self);
const char      *obd_fleet_item_get_worst_code_title    (ObdFleetItem *self);
guint            obd_fleet_item_get_maintenance_due     (ObdFleetItem *self);
guint            obd_fleet_item_get_maintenance_overdue (ObdFleetItem *self);
/* Start of the latest recorded session (µs since the epoch), 0 if none. */
gint64           obd_fleet_item_get_last_seen           (ObdFleetItem *self);
/* Not healthy, or maintenance overdue. */
gboolean         obd_fleet_item_get_needs_attention     (ObdFleetItem *self);
/* What the vehicle is doing now, as reported live; NULL when unknown
 * (shown as "—"). */
const char      *obd_fleet_item_get_live_status         (ObdFleetItem *self);
void             obd_fleet_item_set_live_status         (ObdFleetItem *self,
                                                         const char   *live_status);

typedef enum
{
  OBD_FLEET_SORT_SCORE = 0,   /* worst first */
  OBD_FLEET_SORT_LAST_SEEN,   /* most recent first */
  OBD_FLEET_SORT_NAME,
} ObdFleetSort;

#define OBD_TYPE_FLEET_PAGE (obd_fleet_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdFleetPage, obd_fleet_page, OBD, FLEET_PAGE, AdwBin)

/* Properties: "session", "vehicle-id" (the vehicle last activated),
 * "items" (GListModel of ObdFleetItem, every vehicle, unsorted),
 * "sort" (ObdFleetSort as int), "search-text", "attention-only".
 * Signal ::vehicle-activated (gint64 vehicle_id) when a row is activated. */
GtkWidget    *obd_fleet_page_new                (ObdSession   *session);

ObdSession   *obd_fleet_page_get_session        (ObdFleetPage *self);
void          obd_fleet_page_set_session        (ObdFleetPage *self,
                                                 ObdSession   *session);
gint64        obd_fleet_page_get_vehicle_id     (ObdFleetPage *self);
void          obd_fleet_page_set_vehicle_id     (ObdFleetPage *self,
                                                 gint64        vehicle_id);
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
/* Reads every vehicle again from the store. */
void          obd_fleet_page_reload             (ObdFleetPage *self);

G_END_DECLS
