/* obd-fleet-item.h — one vehicle of the fleet list, with its health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "obd-health.h"
#include "obd-store.h"

G_BEGIN_DECLS

/* One vehicle of the fleet list.  Every field is a property with notify, so
 * rows follow changes made after they were built: "live-status" is meant
 * to be fed by the sync client's live events (NULL, and not shown, until
 * it is). */
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
/* The UUID the sync server knows the vehicle by. */
const char      *obd_fleet_item_get_vehicle_uuid        (ObdFleetItem *self);
/* The health the mechanic's PC computes now, shared live ("live-score",
 * -1 when the vehicle is not live); the row shows it instead of the
 * stored one while it is. */
void             obd_fleet_item_set_live_health         (ObdFleetItem    *self,
                                                         double           score,
                                                         ObdHealthStatus  status);
double           obd_fleet_item_get_live_score          (ObdFleetItem *self);
ObdHealthStatus  obd_fleet_item_get_live_health         (ObdFleetItem *self);
/* The most severe active code's ObdDtcSeverity, -1 when there is none. */
int              obd_fleet_item_get_worst_severity      (ObdFleetItem *self);

/* Reads what the list shows of vehicle from store (on the store's thread:
 * it also asks the trouble-code knowledge base). */
ObdFleetItem    *obd_fleet_item_new_from_store          (ObdStore              *store,
                                                         const ObdStoreVehicle *vehicle);

G_END_DECLS
