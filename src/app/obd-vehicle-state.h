/* obd-vehicle-state.h — what the application knows of the vehicle on the
 * bench, and what of it goes into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One part of ObdSession.  It keeps the latest snapshot (codes, freeze
 * frame, readiness, monitors, vehicle information) merged from partial
 * reads, the health report judged from it and the live alerts, the
 * vehicle's row in the store and the title people know it by.  What the
 * car reports enters the store through the store's thread: the vehicle
 * by its VIN, trouble codes as they are seen, a clear, raised alerts.
 * A write that fails is reported through ::store-error, never dropped.
 */
#pragma once

#include <glib-object.h>

#include "obd-alerts.h"
#include "obd-health.h"
#include "obd-snapshot.h"
#include "obd-store-service.h"

G_BEGIN_DECLS

#define OBD_TYPE_VEHICLE_STATE (obd_vehicle_state_get_type ())
G_DECLARE_FINAL_TYPE (ObdVehicleState, obd_vehicle_state, OBD, VEHICLE_STATE, GObject)

/* Properties, all with notify: "snapshot" (pointer, owned, NULL until the
 * first read), "health" (pointer, owned, NULL until the first read has
 * been judged, on a worker thread, a moment later), "vehicle-id"
 * (gint64, the row in the store, 0 while unknown), "vehicle-title"
 * ("2014 Honda Accord" as the store knows it, else as the VIN says, else
 * "Vehicle").
 *
 * Signal ::store-error (const char *what, GError *error): something the
 * car reported could not be saved. */
ObdVehicleState       *obd_vehicle_state_new           (ObdStoreService     *store);

/* Forgets the vehicle (a new connection); late store answers about the
 * old one are dropped. */
void                   obd_vehicle_state_reset         (ObdVehicleState     *self);
/* Takes a fresh (partial) snapshot over, merges it and saves what it
 * holds: the vehicle by its VIN, the codes into its history. */
void                   obd_vehicle_state_apply         (ObdVehicleState     *self,
                                                        ObdSnapshot         *fresh);
/* The live alerts now raised, for the health report (a ref is kept; the
 * array must not change afterwards). */
void                   obd_vehicle_state_set_alerts    (ObdVehicleState     *self,
                                                        GPtrArray           *active_alerts);

/* Saves a successful Mode 04 into the vehicle's code history. */
void                   obd_vehicle_state_record_clear  (ObdVehicleState     *self,
                                                        const char          *cleared_by);
/* Saves a raised alert as a notification of the vehicle (and of the
 * session being recorded, session_id 0 if none). */
void                   obd_vehicle_state_record_alert  (ObdVehicleState     *self,
                                                        const ObdAlertEvent *event,
                                                        gint64               session_id);

const ObdSnapshot     *obd_vehicle_state_get_snapshot  (ObdVehicleState     *self);
const ObdHealthReport *obd_vehicle_state_get_health    (ObdVehicleState     *self);
gint64                 obd_vehicle_state_get_vehicle_id (ObdVehicleState    *self);
const char            *obd_vehicle_state_get_vehicle_title (ObdVehicleState *self);

G_END_DECLS
