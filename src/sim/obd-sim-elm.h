/* obd-sim-elm.h — a virtual ELM327 in front of the simulated vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pure state machine with no I/O and no clock of its own: the host's
 * bytes are fed in with the (virtual) time they were written, and every
 * byte the adapter produces carries the time at which it has crossed the
 * serial line and can be read.  The transports (obd-sim-transport.c,
 * obd-sim-pty.c) map that virtual time onto real time.
 *
 * Options string (DESIGN.md §4, the text after "sim:"):
 *
 *   SCENARIO[?KEY=VALUE[&KEY=VALUE...]]
 *
 *   profile=NAME    adapter behaviour (obd_sim_list_profiles), default genuine
 *   timing=SCALE    real seconds per simulated second; 0 = no waiting
 *                   (default 1)
 *   protocol=H      protocol the vehicle speaks, ELM327 number 1..9
 *                   (default 6, CAN 11 bit 500 kbaud)
 *   seed=N          seed of the noise and jitter (default 1)
 *   baud=N          host link bit rate (default 115200)
 *   fault=LIST      comma-separated faults:
 *                     drop-after:N   the link drops when request N+1 arrives
 *                     drop-at:MS     the link drops MS ms after it opened
 *                     garbage:N      every Nth reply starts with noise bytes
 *                     truncate:N     every Nth reply is cut short, no prompt
 *                     stall:N:MS     request N is answered MS ms late
 *                     can-error:N    every Nth OBD request: CAN ERROR
 *                     bus-busy:N     every Nth OBD request: BUS BUSY
 *                     ignition-off   the ECUs sleep (UNABLE TO CONNECT)
 *                     late:N:MS      command N is answered MS ms late and
 *                                    cannot be interrupted: what the host
 *                                    sends meanwhile waits behind it (a
 *                                    Bluetooth bridge holding a reply back)
 *                     double:N       every Nth OBD reply is sent twice (a
 *                                    bridge repeating a packet)
 *                     flood:N        every OBD reply on CAN carries N frames
 *                                    from IDs that are no OBD responders,
 *                                    each looking like an answer (a noisy
 *                                    bus, an adapter without its filter)
 *                     babble:N       from command N on, the adapter streams
 *                                    frames without end and never shows a
 *                                    prompt, ignoring all input
 */
#pragma once

#include <glib.h>

#include "obd-types.h"
#include "obd-sim-vehicle.h"

G_BEGIN_DECLS

#define OBD_SIM_NEVER G_MAXINT64

typedef enum
{
  OBD_SIM_PROFILE_GENUINE = 0,
  OBD_SIM_PROFILE_CLONE_V15,
  OBD_SIM_PROFILE_CLONE_NO_MULTI,
  OBD_SIM_PROFILE_CLONE_ECHO_STUCK,
  OBD_SIM_PROFILE_CLONE_RESET_DROP,
  OBD_SIM_PROFILE_BT_CHATTER,
  OBD_SIM_PROFILE_CLONE_SILENT_AT,
  OBD_SIM_N_PROFILES,
} ObdSimProfile;

typedef struct
{
  const char *name;
  const char *description;   /* English, translatable */
} ObdSimProfileInfo;

/* Every field 0 / FALSE: no fault. */
typedef struct
{
  guint    drop_after;       /* requests answered before the link drops */
  gint64   drop_at_us;       /* virtual time of a link drop */
  guint    garbage_every;
  guint    truncate_every;
  guint    stall_request;    /* 1-based request number */
  guint    stall_ms;
  guint    can_error_every;
  guint    bus_busy_every;
  gboolean ignition_off;
  guint    late_request;     /* 1-based command number */
  guint    late_ms;
  guint    double_every;
  guint    flood_frames;
  guint    babble_from;      /* 1-based command number */
} ObdSimFaults;

/* The timing model; every figure is configurable. */
typedef struct
{
  guint  baud;              /* host link bit rate, 10 bits a byte */
  gint64 processing_us;     /* command decoding in the adapter */
  gint64 reset_us;          /* ATZ: power-on self test */
  gint64 jitter_us;         /* ECU response delay jitter (seeded PRNG) */
  gint64 search_step_us;    /* per protocol tried while SEARCHING... */
  gint64 bus_init_us;       /* ISO 9141 / KWP 5 baud initialisation */
} ObdSimTiming;

typedef struct
{
  char         *scenario;   /* NULL: default */
  ObdSimProfile profile;
  double        timing_scale;
  ObdProtocol   protocol;   /* what the vehicle speaks */
  guint32       seed;
  guint         baud;
  ObdSimFaults  faults;
} ObdSimConfig;

typedef struct _ObdSimElm ObdSimElm;

const ObdSimProfileInfo *obd_sim_list_profiles        (gsize              *n_profiles);

ObdSimConfig   *obd_sim_config_new            (void);
/* Parses the options string above (NULL or "" = defaults).  Fails with
 * OBD_TRANSPORT_ERROR_INVALID_ADDRESS naming the bad part and the valid
 * choices. */
ObdSimConfig   *obd_sim_config_parse          (const char         *text,
                                               GError            **error);
ObdSimConfig   *obd_sim_config_copy           (const ObdSimConfig *config);
void            obd_sim_config_free           (ObdSimConfig       *config);
/* Parses the fault list ("drop-after:20,stall:3:500"). */
gboolean        obd_sim_faults_parse          (const char         *text,
                                               ObdSimFaults       *faults,
                                               GError            **error);

void            obd_sim_timing_init_defaults  (ObdSimTiming       *timing);

/* Makes the vehicle of config->scenario (fails on an unknown one). */
ObdSimElm      *obd_sim_elm_new               (const ObdSimConfig *config,
                                               GError            **error);
void            obd_sim_elm_free              (ObdSimElm          *self);

ObdSimVehicle  *obd_sim_elm_get_vehicle       (ObdSimElm          *self);
ObdSimProfile   obd_sim_elm_get_profile       (ObdSimElm          *self);
void            obd_sim_elm_set_faults        (ObdSimElm          *self,
                                               const ObdSimFaults *faults);
const ObdSimTiming *obd_sim_elm_get_timing    (ObdSimElm          *self);
void            obd_sim_elm_set_timing        (ObdSimElm          *self,
                                               const ObdSimTiming *timing);

/* Bytes the host wrote, arriving at the adapter's serial input at now_us
 * (virtual microseconds; never decreasing between calls). */
void            obd_sim_elm_write             (ObdSimElm          *self,
                                               const guint8       *buf,
                                               gsize               len,
                                               gint64              now_us);
/* Copies out up to len bytes that are readable at now_us. */
gsize           obd_sim_elm_read              (ObdSimElm          *self,
                                               guint8             *buf,
                                               gsize               len,
                                               gint64              now_us);
/* When the next byte becomes readable or the link drops, OBD_SIM_NEVER if
 * nothing will happen without more input. */
gint64          obd_sim_elm_get_next_event    (ObdSimElm          *self);
/* TRUE once the link has dropped (at or before now_us). */
gboolean        obd_sim_elm_is_disconnected   (ObdSimElm          *self,
                                               gint64              now_us);
/* The host reconnects: the adapter powers up again with its defaults and
 * no banner; a drop fault that fired does not fire again. */
void            obd_sim_elm_reconnect         (ObdSimElm          *self,
                                               gint64              now_us);

/* Convenience for tests and tools: writes command + CR at *now_us, reads
 * until the '>' prompt (or until nothing more comes), returns the text and
 * moves *now_us to when the last byte became readable. */
char           *obd_sim_elm_transact          (ObdSimElm          *self,
                                               const char         *command,
                                               gint64             *now_us);

/* The least time request (an OBD request such as "010C0D 1") takes under
 * the timing model with the adapter's current settings, from the first
 * byte written to the prompt, with no jitter.  A benchmark divides by it
 * to state the limit the model allows. */
gint64          obd_sim_elm_estimate_request_us (ObdSimElm        *self,
                                                 const char       *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSimElm, obd_sim_elm_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSimConfig, obd_sim_config_free)

G_END_DECLS
