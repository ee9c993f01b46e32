/* obd-sim-transport.h — the simulated adapter and vehicle as a transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connection strings "sim" and "sim:OPTIONS" (options: obd-sim-elm.h) make
 * one of these through the factory obd_sim_register() installs.  Reads
 * block until the virtual adapter's output is due (timing scale 1 = real
 * time, 0 = virtual time jumps ahead, for fast tests) and honour their
 * GCancellable.
 */
#pragma once

#include "obd-transport.h"
#include "obd-sim-elm.h"

G_BEGIN_DECLS

#define OBD_TYPE_SIM_TRANSPORT (obd_sim_transport_get_type ())
G_DECLARE_FINAL_TYPE (ObdSimTransport, obd_sim_transport, OBD, SIM_TRANSPORT, ObdTransport)

/* Installs the "sim" connection-string scheme; programs call it once at
 * startup. */
void          obd_sim_register                       (void);

/* options: "SCENARIO?key=value&..." or NULL for the defaults. */
ObdTransport *obd_sim_transport_new                  (const char         *options,
                                                      GError            **error);
ObdTransport *obd_sim_transport_new_for_config       (const ObdSimConfig *config,
                                                      GError            **error);

double        obd_sim_transport_get_timing_scale     (ObdSimTransport    *self);
const char   *obd_sim_transport_get_scenario         (ObdSimTransport    *self);
/* Microseconds of simulated time since the transport was made. */
gint64        obd_sim_transport_get_virtual_time_us  (ObdSimTransport    *self);
/* Thread-safe knobs for tests and tools. */
void          obd_sim_transport_set_faults           (ObdSimTransport    *self,
                                                      const ObdSimFaults *faults);
void          obd_sim_transport_set_ignition         (ObdSimTransport    *self,
                                                      gboolean            on);
/* The simulated mechanic's foot (obd_sim_vehicle_hold_rpm): holds the
 * standing engine at rpm, 0 releases it.  Thread-safe. */
void          obd_sim_transport_hold_rpm             (ObdSimTransport    *self,
                                                      double              rpm);
/* obd_sim_elm_estimate_request_us() with the adapter's current settings. */
gint64        obd_sim_transport_estimate_request_us  (ObdSimTransport    *self,
                                                      const char         *request);

G_END_DECLS
