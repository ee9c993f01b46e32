/* obd-sim-vehicle.h — the simulated vehicle: ECUs, live data, trouble codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pure model: every live value is a function of the simulated time (and a
 * seed for the noise), so the same questions at the same times always get
 * the same answers.  The ECUs answer OBD services (SAE J1979 / ISO 15031-5)
 * with the bytes of the reply message; framing on the bus (ISO-TP, legacy
 * headers) is the virtual adapter's business (obd-sim-elm.c).
 *
 * A scenario tells one consistent story: which codes are stored, pending
 * and permanent, what the freeze frame holds, which readiness monitors are
 * complete and how the Mode 06 test results compare with their limits.
 */
#pragma once

#include <glib.h>

#include "obd-types.h"

G_BEGIN_DECLS

typedef struct _ObdSimVehicle ObdSimVehicle;

typedef struct
{
  const char *name;         /* scenario key, e.g. "misfire" */
  const char *title;        /* a few words, English, translatable: "Misfire" */
  const char *description;  /* one line, English, translatable */
} ObdSimScenarioInfo;

/* One ECU on the diagnostic bus. */
typedef struct
{
  const char *name;               /* "ECM", "TCM" */
  guint16     can_request_id;     /* physical request ID, 11 bit: 0x7E0 */
  guint16     can_reply_id;       /* reply ID, 11 bit: 0x7E8 */
  guint8      address;            /* 29-bit / legacy node address: 0x10 */
  guint8      padding;            /* CAN frame padding byte it sends */
  gint64      response_delay_us;  /* request end to first reply frame */
} ObdSimEcu;

/* Every scenario, the default ("healthy-idle") first. */
const ObdSimScenarioInfo *obd_sim_list_scenarios            (gsize          *n_scenarios);

/* Fails with OBD_TRANSPORT_ERROR_INVALID_ADDRESS for an unknown scenario
 * (the message lists the valid names).  NULL means the default. */
ObdSimVehicle            *obd_sim_vehicle_new               (const char     *scenario,
                                                             guint32         seed,
                                                             GError        **error);
void                      obd_sim_vehicle_free              (ObdSimVehicle  *self);

const char               *obd_sim_vehicle_get_scenario      (ObdSimVehicle  *self);
/* The protocol the vehicle speaks (default ISO 15765-4 CAN 11/500). */
ObdProtocol               obd_sim_vehicle_get_protocol      (ObdSimVehicle  *self);
void                      obd_sim_vehicle_set_protocol      (ObdSimVehicle  *self,
                                                             ObdProtocol     protocol);
guint                     obd_sim_vehicle_get_n_ecus        (ObdSimVehicle  *self);
const ObdSimEcu          *obd_sim_vehicle_get_ecu           (ObdSimVehicle  *self,
                                                             guint           index);
/* Index of the ECU with this legacy / 29-bit address or 11-bit request or
 * reply ID; -1 if none. */
int                       obd_sim_vehicle_find_ecu          (ObdSimVehicle  *self,
                                                             guint32         id);

/* Moves the simulated clock (microseconds since the vehicle was made);
 * time never runs backwards, earlier values are ignored. */
void                      obd_sim_vehicle_set_time          (ObdSimVehicle  *self,
                                                             gint64          time_us);
gint64                    obd_sim_vehicle_get_time          (ObdSimVehicle  *self);

/* The mechanic's foot: while the car stands, the engine is held at rpm
 * (0 releases it to idle), reached in about 1.5 s.  Guides ask for it
 * ("hold 2500 rpm"); tests press it.  A driving or cranking scenario
 * ignores it. */
void                      obd_sim_vehicle_hold_rpm          (ObdSimVehicle  *self,
                                                             double          rpm);

/* Ignition off: the ECUs are asleep and answer nothing. */
gboolean                  obd_sim_vehicle_get_ignition      (ObdSimVehicle  *self);
void                      obd_sim_vehicle_set_ignition      (ObdSimVehicle  *self,
                                                             gboolean        on);
/* What the adapter measures on pin 16 (AT RV). */
double                    obd_sim_vehicle_get_battery_voltage (ObdSimVehicle *self);
const char               *obd_sim_vehicle_get_vin           (ObdSimVehicle  *self);

/* A live quantity at the current time, for tests and tools: "rpm", "speed"
 * (km/h), "load" (%), "throttle" (%), "maf" (g/s), "map" (kPa), "coolant"
 * (°C), "ltft1" (%), "ctrl_voltage" (V), "cat_temp" (°C).  NaN if unknown. */
double                    obd_sim_vehicle_get_value         (ObdSimVehicle  *self,
                                                             const char     *key);

/* Asks ECU index a request (service byte first).  can selects the
 * ISO 15765-4 message layouts (DTC count byte, Mode 09 item counts, Mode 06
 * records); otherwise the legacy ones (three DTCs per message, Mode 09 in
 * numbered 4-byte messages).  Returns the reply messages (GBytes, service
 * byte first; a negative response is 7F SID NRC), or NULL when the ECU
 * stays silent (unsupported PID, ignition off). */
GPtrArray                *obd_sim_vehicle_request           (ObdSimVehicle  *self,
                                                             guint           ecu,
                                                             const guint8   *request,
                                                             gsize           len,
                                                             gboolean        can);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSimVehicle, obd_sim_vehicle_free)

G_END_DECLS
