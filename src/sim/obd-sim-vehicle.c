/* obd-sim-vehicle.c — the simulated vehicle and its scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine is a 3.0 L V6 (two banks, so bank-2 codes and sensors exist),
 * spark ignition, gasoline, with an automatic transmission controlled by a
 * second ECU.  Encodings follow SAE J1979 / ISO 15031-5; Mode 06 unit and
 * scaling IDs follow its Appendix E.
 */
#define G_LOG_DOMAIN "obd-sim"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-sim-vehicle.h"

#define DISPLACEMENT_L 3.0
#define N_CYLINDERS    6
#define AMBIENT_C      21.0
#define BARO_KPA       101.0

/* The data both ECUs reason about at one moment; also what a freeze frame
 * keeps. */
typedef struct
{
  double rpm;
  double speed;        /* km/h */
  double throttle;     /* absolute throttle position, % */
  double load;         /* calculated load, % */
  double map;          /* kPa */
  double maf;          /* g/s */
  double coolant;      /* °C */
  double iat;          /* °C */
  double timing;       /* ° before TDC */
  double stft[2];      /* % per bank */
  double ltft[2];
  double o2_up[2];     /* V, sensor 1 per bank */
  double o2_down[2];   /* V, sensor 2 per bank */
  double cat_temp[2];  /* °C */
  double ctrl_voltage; /* V */
  double fuel_level;   /* % */
  double run_time;     /* s */
  double lambda_cmd;
  double fuel_rate;    /* L/h */
  double oil_temp;     /* °C */
  double evap_purge;   /* % */
  double distance;     /* km driven since the vehicle was made */
  guint8 fuel_status;  /* PID 03 byte A */
} SimState;

typedef enum
{
  SCENARIO_HEALTHY_IDLE,
  SCENARIO_DRIVING_CYCLE,
  SCENARIO_MISFIRE,
  SCENARIO_OVERHEATING,
  SCENARIO_LEAN_MIXTURE,
  SCENARIO_FAILING_CATALYST,
  SCENARIO_WEAK_BATTERY,
  /* The stories the guided-repair guides are walked against
   * (data/guides/); each fault has the codes, freeze frame, readiness and
   * live data its guide expects to find. */
  SCENARIO_STUCK_THERMOSTAT,
  SCENARIO_FAILING_MAF,
  SCENARIO_MAF_CIRCUIT_LOW,
  SCENARIO_DEAD_O2_HEATER,
  SCENARIO_LAZY_O2,
  SCENARIO_O2_DOWNSTREAM_LOW,
  SCENARIO_EVAP_LARGE_LEAK,
  SCENARIO_EVAP_SMALL_LEAK,
  SCENARIO_EVAP_PURGE_STUCK,
  SCENARIO_EVAP_VENT_BLOCKED,
  SCENARIO_CRANK_SENSOR,
  SCENARIO_CAM_SENSOR,
  SCENARIO_VSS_FAULT,
  SCENARIO_OVERCHARGING,
  SCENARIO_LOST_COMMUNICATION,
  SCENARIO_RICH_MIXTURE,
  SCENARIO_FAILING_CATALYST_B2,
  SCENARIO_RANDOM_MISFIRE,
  SCENARIO_NO_START,
  SCENARIO_EGR_STUCK_OPEN,
  SCENARIO_DIRTY_THROTTLE,
  SCENARIO_MIL_NO_CODES,
  SCENARIO_ECT_CIRCUIT_HIGH,
  SCENARIO_TPS_GLITCH,
  SCENARIO_MAP_HOSE_OFF,
  N_SCENARIOS
} ScenarioId;

/* ScenarioDef.flags */
enum
{
  STORY_COLD_START = 1 << 0,  /* the engine was started cold just now */
  STORY_DRIVES     = 1 << 1,  /* the driving cycle, like "driving-cycle" */
};

/* Non-continuous readiness monitors (PID 01 byte C/D bit numbers). */
enum
{
  MON_CATALYST = 0,
  MON_EVAP     = 2,
  MON_O2       = 5,
  MON_O2_HEATER = 6,
  MON_EGR      = 7,
};

#define MON_SUPPORTED ((1 << MON_CATALYST) | (1 << MON_EVAP) | (1 << MON_O2) | \
                       (1 << MON_O2_HEATER) | (1 << MON_EGR))

typedef struct
{
  ScenarioId  id;
  const char *name;
  const char *description;
  guint16     stored[3];
  guint16     pending[3];
  guint16     permanent[3];
  /* Codes the fault sets again (as pending) this long after a Mode 04. */
  double      redetect_after_s;
  guint8      incomplete;       /* monitors that cannot complete (mask) */
  double      freeze_time_s;    /* model time the freeze frame shows */
  double      coolant_start;
  guint16     tcm_codes[3];     /* stored, pending and permanent in the TCM */
  guint       flags;            /* STORY_* */
} ScenarioDef;

static const ScenarioDef scenarios[N_SCENARIOS] = {
  { SCENARIO_HEALTHY_IDLE, "healthy-idle",
    N_("Warm engine idling, no trouble codes, every monitor complete"),
    { 0 }, { 0 }, { 0 }, 0, 0, 0, 62.0 },
  { SCENARIO_DRIVING_CYCLE, "driving-cycle",
    N_("Cold start, then a repeating drive: accelerate, cruise at 100 km/h, brake, idle; "
       "monitors complete as it drives"),
    { 0 }, { 0 }, { 0 }, 0, 0, 0, AMBIENT_C },
  { SCENARIO_MISFIRE, "misfire",
    N_("Cylinder 1 misfires: rough idle, P0300 and P0301 stored, MIL on"),
    { 0x0300, 0x0301 }, { 0x0300, 0x0301 }, { 0x0300 }, 20.0,
    1 << MON_CATALYST, 0, 88.0 },
  { SCENARIO_OVERHEATING, "overheating",
    N_("Cooling system failure: coolant climbs past 110 °C, P0217 stored"),
    { 0x0217 }, { 0x0217 }, { 0x0217 }, 15.0, 0, 120.0, 104.0 },
  { SCENARIO_LEAN_MIXTURE, "lean-mixture",
    N_("Vacuum leak: both banks lean, long-term fuel trims +20 to +25 %, P0171 and P0174"),
    { 0x0171, 0x0174 }, { 0x0171, 0x0174 }, { 0x0171, 0x0174 }, 40.0, 0, 0, 88.0 },
  { SCENARIO_FAILING_CATALYST, "failing-catalyst",
    N_("Worn bank 1 catalyst: downstream O2 switches like upstream, P0420, Mode 06 test fails"),
    { 0x0420 }, { 0x0420 }, { 0x0420 }, 60.0, 0, 0, 88.0 },
  { SCENARIO_WEAK_BATTERY, "weak-battery",
    N_("Charging system fault: system voltage 11.4 to 11.8 V with dips, P0562"),
    { 0x0562 }, { 0 }, { 0 }, 30.0, 0, 0, 86.0 },
  { SCENARIO_STUCK_THERMOSTAT, "stuck-thermostat",
    N_("Thermostat stuck open: after a cold start the coolant levels off near 70 °C, P0128"),
    { 0x0128 }, { 0x0128 }, { 0x0128 }, 600.0, 0, 900.0, AMBIENT_C, { 0 }, STORY_COLD_START },
  { SCENARIO_FAILING_MAF, "failing-maf",
    N_("Contaminated air flow sensor reads low, more so at higher flow: lean trims, "
       "P0171 and P0174 stored, P0101 pending"),
    { 0x0171, 0x0174 }, { 0x0101 }, { 0x0171, 0x0174 }, 30.0, 0, 0, 88.0 },
  { SCENARIO_MAF_CIRCUIT_LOW, "maf-circuit-low",
    N_("Air flow sensor signal near zero (open circuit): P0102, the engine runs on its "
       "back-up model"),
    { 0x0102 }, { 0x0102 }, { 0x0102 }, 5.0, 0, 0, 88.0 },
  { SCENARIO_DEAD_O2_HEATER, "dead-o2-heater",
    N_("Bank 1 oxygen sensor heaters dead after a cold start: both sensors stay at their "
       "bias voltage for minutes, P0135 and P0141"),
    { 0x0135, 0x0141 }, { 0x0135, 0x0141 }, { 0x0135, 0x0141 }, 120.0, 0, 60.0, AMBIENT_C,
    { 0 }, STORY_COLD_START },
  { SCENARIO_LAZY_O2, "lazy-o2",
    N_("Aged bank 1 upstream oxygen sensor switches slowly and weakly, P0133"),
    { 0x0133 }, { 0x0133 }, { 0x0133 }, 120.0, 0, 0, 88.0 },
  { SCENARIO_O2_DOWNSTREAM_LOW, "o2-downstream-low",
    N_("Bank 1 downstream oxygen sensor stuck near 0.05 V, P0137"),
    { 0x0137 }, { 0x0137 }, { 0x0137 }, 120.0, 0, 0, 88.0 },
  { SCENARIO_EVAP_LARGE_LEAK, "evap-large-leak",
    N_("Fuel cap left loose: evaporative system large leak, P0455"),
    { 0x0455 }, { 0x0455 }, { 0x0455 }, 900.0, 0, 0, 88.0 },
  { SCENARIO_EVAP_SMALL_LEAK, "evap-small-leak",
    N_("Cracked evaporative hose: small leak found by the leak test, P0442"),
    { 0x0442 }, { 0x0442 }, { 0x0442 }, 900.0, 0, 0, 88.0 },
  { SCENARIO_EVAP_PURGE_STUCK, "evap-purge-stuck",
    N_("Purge valve stuck open: fuel vapour rich at idle, negative trims, P0441"),
    { 0x0441 }, { 0x0441 }, { 0x0441 }, 300.0, 0, 0, 88.0 },
  { SCENARIO_EVAP_VENT_BLOCKED, "evap-vent-blocked",
    N_("Canister vent valve blocked: the fuel pump nozzle clicks off, P0446"),
    { 0x0446 }, { 0x0446 }, { 0x0446 }, 300.0, 0, 0, 88.0 },
  { SCENARIO_CRANK_SENSOR, "crank-sensor",
    N_("Failing crankshaft position sensor: engine speed signal drops out when hot, P0335"),
    { 0x0335 }, { 0x0335 }, { 0x0335 }, 20.0, 0, 0, 92.0 },
  { SCENARIO_CAM_SENSOR, "cam-sensor",
    N_("No camshaft position signal: long cranking, then runs on the crank signal, P0340"),
    { 0x0340 }, { 0x0340 }, { 0x0340 }, 10.0, 0, 0, 88.0 },
  { SCENARIO_VSS_FAULT, "vss-fault",
    N_("Vehicle speed sensor dead: the driving cycle with speed reading 0 km/h, P0500"),
    { 0x0500 }, { 0x0500 }, { 0x0500 }, 60.0, 0, 40.0, AMBIENT_C, { 0 }, STORY_DRIVES },
  { SCENARIO_OVERCHARGING, "overcharging",
    N_("Failed voltage regulator: system voltage 15.6 V and more, P0563"),
    { 0x0563 }, { 0 }, { 0 }, 30.0, 0, 0, 86.0 },
  { SCENARIO_LOST_COMMUNICATION, "lost-communication",
    N_("Engine module drops off the bus for seconds at a time: the transmission module "
       "stores U0100"),
    { 0 }, { 0 }, { 0 }, 30.0, 0, 0, 88.0, { 0xC100 } },
  { SCENARIO_RICH_MIXTURE, "rich-mixture",
    N_("Fuel pressure regulator stuck closed: both banks rich at every speed, trims -18 "
       "to -22 %, P0172 and P0175"),
    { 0x0172, 0x0175 }, { 0x0172, 0x0175 }, { 0x0172, 0x0175 }, 40.0, 0, 0, 88.0 },
  { SCENARIO_FAILING_CATALYST_B2, "failing-catalyst-b2",
    N_("Worn bank 2 catalyst: downstream O2 switches like upstream, P0430, Mode 06 test fails"),
    { 0x0430 }, { 0x0430 }, { 0x0430 }, 60.0, 0, 0, 88.0 },
  { SCENARIO_RANDOM_MISFIRE, "random-misfire",
    N_("Worn spark plugs: misfires spread over every cylinder, rough idle, P0300"),
    { 0x0300 }, { 0x0300 }, { 0x0300 }, 20.0, 1 << MON_CATALYST, 0, 88.0 },
  { SCENARIO_NO_START, "no-start",
    N_("Cranks but will not start: the starter turns the engine at about 200 rpm, no fuel "
       "pressure, no trouble codes"),
    { 0 }, { 0 }, { 0 }, 0, 0, 0, AMBIENT_C, { 0 }, STORY_COLD_START },
  { SCENARIO_EGR_STUCK_OPEN, "egr-stuck-open",
    N_("EGR valve stuck partly open: rough idle, high manifold pressure, P0402 pending"),
    { 0 }, { 0x0402 }, { 0 }, 60.0, 0, 0, 88.0 },
  { SCENARIO_DIRTY_THROTTLE, "dirty-throttle",
    N_("Carbon in the throttle body: idle low and hunting around 600 rpm, P0506"),
    { 0x0506 }, { 0x0506 }, { 0 }, 60.0, 0, 0, 88.0 },
  { SCENARIO_MIL_NO_CODES, "mil-no-codes",
    N_("MIL on but the engine module has no codes: the transmission module stores P0700"),
    { 0 }, { 0 }, { 0 }, 30.0, 0, 0, 88.0, { 0x0700 } },
  { SCENARIO_ECT_CIRCUIT_HIGH, "ect-circuit-high",
    N_("Coolant temperature sensor circuit open: reads -40 °C on a warm engine, P0118"),
    { 0x0118 }, { 0x0118 }, { 0x0118 }, 5.0, 0, 0, 88.0 },
  { SCENARIO_TPS_GLITCH, "tps-glitch",
    /* xgettext:no-c-format */
    N_("Worn throttle position sensor track: the reading jumps to 100 % for an instant, P0123"),
    { 0x0123 }, { 0x0123 }, { 0x0123 }, 20.0, 0, 0, 88.0 },
  { SCENARIO_MAP_HOSE_OFF, "map-hose-off",
    N_("Manifold pressure sensor hose off: reads barometric pressure at idle, P0106"),
    { 0x0106 }, { 0x0106 }, { 0x0106 }, 20.0, 0, 0, 88.0 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (scenarios) == N_SCENARIOS);

/* Seconds of driving each monitor needs to complete after a clear. */
static const struct { guint8 bit; double seconds; } monitor_needs[] = {
  { MON_O2_HEATER, 60 },
  { MON_O2, 120 },
  { MON_CATALYST, 300 },
  { MON_EGR, 400 },
  { MON_EVAP, 900 },
};

static const ObdSimEcu ecus[] = {
  /* name, request, reply, address, padding, response delay */
  { "ECM", 0x7E0, 0x7E8, 0x10, 0xAA, 5000 },
  { "TCM", 0x7E1, 0x7E9, 0x18, 0x00, 8000 },
};

#define ECU_ENGINE       0
#define ECU_TRANSMISSION 1

/* Mode 01 PIDs of each ECU (bitmap PIDs 00/20/40 included). */
static const guint8 engine_pids[] = {
  0x00, 0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E,
  0x0F, 0x10, 0x11, 0x13, 0x14, 0x15, 0x18, 0x19, 0x1C, 0x1F, 0x20, 0x21, 0x2E,
  0x2F, 0x30, 0x31, 0x33, 0x3C, 0x3D, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
  0x47, 0x49, 0x4A, 0x4C, 0x51, 0x5C, 0x5E,
};
static const guint8 transmission_pids[] = { 0x00, 0x01, 0x0D, 0x1C };
/* Mode 02 (freeze frame) PIDs. */
static const guint8 freeze_pids[] = {
  0x00, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E,
  0x0F, 0x10, 0x11,
};
/* Mode 06 monitor IDs of the engine: O2 sensors B1S1, B1S2, B2S1, B2S2,
 * catalyst banks 1 and 2, EGR bank 1, EVAP 0.020", misfire general and
 * cylinders 1..6; the range IDs 00/20/.../A0 are added when answering. */
static const guint8 engine_mids[] = {
  0x01, 0x02, 0x05, 0x06, 0x21, 0x22, 0x31, 0x3C,
  0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
};

#define VIN "1HGCR2F30EA012345"

struct _ObdSimVehicle
{
  const ScenarioDef *scenario;
  ObdProtocol        protocol;
  guint32            seed;
  gint64             now_us;
  gboolean           ignition;

  GArray            *stored;     /* guint16 */
  GArray            *pending;
  GArray            *permanent;

  gboolean           have_freeze;
  guint16            freeze_dtc;
  SimState           freeze;

  GArray            *tcm_stored;     /* guint16, the TCM's own codes */
  GArray            *tcm_pending;

  /* The mechanic's foot on the pedal of the standing car
   * (obd_sim_vehicle_hold_rpm). */
  double             pedal_target;   /* rpm held, 0: released to idle */
  double             pedal_from;     /* rpm when the pedal last moved */
  double             pedal_since_s;  /* model time it moved, < 0: never */

  gboolean           cleared;        /* Mode 04 was received */
  gint64             clear_time_us;
  gboolean           redetected;
  guint              clears;
};

/* ------------------------------------------------------------------ */
/* Deterministic noise: a hash of (seed, channel, step) interpolated
 * smoothly, so values are a pure function of time. */

static guint64
mix64 (guint64 x)
{
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

static double
hash01 (guint32 seed, guint channel, gint64 step)
{
  guint64 h = mix64 (((guint64) seed << 32) ^ ((guint64) channel << 48) ^ (guint64) step);
  return (double) (h >> 11) / (double) (1ULL << 53);
}

/* Smooth noise in [-1, 1] changing about freq times a second. */
static double
noise (ObdSimVehicle *self,
       guint          channel,
       double         t,
       double         freq)
{
  double x = t * freq;
  double i = floor (x);
  double f = x - i;
  double s = f * f * (3.0 - 2.0 * f);
  double a = hash01 (self->seed, channel, (gint64) i);
  double b = hash01 (self->seed, channel, (gint64) i + 1);

  return (a + (b - a) * s) * 2.0 - 1.0;
}

static double
smoothstep (double x)
{
  x = CLAMP (x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

/* ------------------------------------------------------------------ */
/* The engine model */

/* The driving cycle (120 s, repeating): idle, accelerate to 100 km/h,
 * cruise, brake, idle.  Returns speed and sets the phase. */
typedef enum { PHASE_IDLE, PHASE_ACCEL, PHASE_CRUISE, PHASE_BRAKE } Phase;

static double
cycle_speed (ObdSimVehicle *self,
             double         t,
             Phase         *phase)
{
  double c = fmod (t, 120.0);

  if (c < 10.0)
    {
      *phase = PHASE_IDLE;
      return 0.0;
    }
  if (c < 30.0)
    {
      *phase = PHASE_ACCEL;
      return 100.0 * smoothstep ((c - 10.0) / 20.0);
    }
  if (c < 70.0)
    {
      *phase = PHASE_CRUISE;
      return 100.0 + 2.0 * noise (self, 1, t, 0.2);
    }
  if (c < 85.0)
    {
      *phase = PHASE_BRAKE;
      return 100.0 * (1.0 - smoothstep ((c - 70.0) / 15.0));
    }
  *phase = PHASE_IDLE;
  return 0.0;
}

static gboolean
scenario_drives (const ScenarioDef *sc)
{
  return sc->id == SCENARIO_DRIVING_CYCLE || (sc->flags & STORY_DRIVES);
}

/* O2 sensor voltage switching around stoichiometry about once a second. */
static double
o2_switching (double t,
              double phase,
              double bias)
{
  double s = sin (2.0 * G_PI * 1.1 * t + phase);

  return CLAMP (0.45 + bias + 0.38 * tanh (3.0 * s), 0.05, 0.95);
}

/* Airflow of the warm engine at idle, g/s: the reference the fuel trim
 * stories below scale with (a leak of fixed size matters less at higher
 * airflow). */
#define IDLE_MAF_GS 6.6

static double
pedal_rpm (ObdSimVehicle *self,
           double         t,
           double         idle_rpm)
{
  double target, from;

  if (self->pedal_since_s < 0 || t < self->pedal_since_s)
    return idle_rpm;
  target = self->pedal_target > 0 ? self->pedal_target : idle_rpm;
  from = self->pedal_from > 0 ? self->pedal_from : idle_rpm;
  /* About 1.5 s to get there, then a foot is never quite steady. */
  return from + (target - from) * smoothstep ((t - self->pedal_since_s) / 1.5) +
         (self->pedal_target > 0 ? 10.0 * noise (self, 20, t, 0.7) : 0.0);
}

/* The standing engine held above idle (pedal), as a fraction of the way
 * from idle to 3000 rpm. */
static double
pedal_fraction (const SimState *st)
{
  return st->speed > 1.0 ? 0.0 : CLAMP ((st->rpm - 800.0) / 2200.0, 0.0, 1.0);
}

/* Stories of the guide scenarios, applied in model_state() at the stage
 * each name says.  The idle speed first: */
static double
story_idle_rpm (ObdSimVehicle *self,
                double         t,
                double         idle_rpm)
{
  switch (self->scenario->id)
    {
    case SCENARIO_RANDOM_MISFIRE:
      {
        /* Any cylinder drops a firing now and then: dips of up to 80 rpm,
         * less regular than one dead cylinder. */
        double dip = hash01 (self->seed, 22, (gint64) floor (t * 6.0));
        return idle_rpm + 25.0 * noise (self, 4, t, 5.0) -
               (dip > 0.75 ? 80.0 * (dip - 0.75) / 0.25 : 0.0);
      }
    case SCENARIO_EGR_STUCK_OPEN:
      /* Exhaust gas dilutes the idle charge: the speed hunts. */
      return idle_rpm - 40.0 + 35.0 * noise (self, 23, t, 1.3);
    case SCENARIO_DIRTY_THROTTLE:
      /* Too little air past the closed throttle: low and hunting. */
      return 610.0 + 45.0 * noise (self, 23, t, 0.8);
    case SCENARIO_NO_START:
      /* The starter turning the engine: compression pulses. */
      return 205.0 + 25.0 * noise (self, 24, t, 6.0);
    default:
      return idle_rpm;
    }
}

/* Coolant temperature; FALSE keeps the common warm-up model. */
static gboolean
story_coolant (ObdSimVehicle *self,
               double         t,
               double        *coolant)
{
  switch (self->scenario->id)
    {
    case SCENARIO_STUCK_THERMOSTAT:
      /* Coolant flows through the radiator from the start: it levels off
       * near 71 °C instead of reaching the thermostat's 88-92 °C. */
      *coolant = 71.0 - (71.0 - self->scenario->coolant_start) * exp (-t / 400.0) +
                 0.5 * noise (self, 7, t, 0.02);
      return TRUE;
    case SCENARIO_NO_START:
      *coolant = self->scenario->coolant_start + 0.3 * noise (self, 7, t, 0.02);
      return TRUE;
    default:
      return FALSE;
    }
}

/* What the sensors report, after the physics: trims, oxygen sensors,
 * signals that fail, voltages. */
static void
story_readings (ObdSimVehicle *self,
                double         t,
                SimState      *st)
{
  double held = pedal_fraction (st);

  switch (self->scenario->id)
    {
    case SCENARIO_LEAN_MIXTURE:
      /* The leak is a fixed amount of unmetered air: held above idle it
       * is a smaller share of the airflow and the mixture recovers; the
       * idle-learnt long-term trim stays, so the short-term one goes
       * negative.  (At idle this is the table above, unchanged.) */
      if (held > 0.05)
        for (guint b = 0; b < 2; b++)
          st->stft[b] = 28.0 * IDLE_MAF_GS / st->maf - st->ltft[b] +
                        0.5 * noise (self, 10 + b, t, 1.5);
      break;
    case SCENARIO_FAILING_MAF:
      {
        /* Reads 12 % low at idle, 22 % low at 2500 rpm and above: the
         * engine gets more air than it is fuelled for, so it runs lean,
         * worse at higher airflow. */
        double under = 0.12 + 0.10 * CLAMP ((st->rpm - 750.0) / 1750.0, 0.0, 1.0);
        double needed = 100.0 * (1.0 / (1.0 - under) - 1.0);

        for (guint b = 0; b < 2; b++)
          {
            st->ltft[b] = 12.5 + (b ? 1.0 : 0.0) + 0.5 * noise (self, 14 + b, t, 0.02);
            st->stft[b] = needed - st->ltft[b] + 1.5 * noise (self, 10 + b, t, 1.5);
          }
        st->maf *= 1.0 - under;
        st->load *= 1.0 - under;
        break;
      }
    case SCENARIO_MAF_CIRCUIT_LOW:
      st->maf = 0.28 + 0.02 * noise (self, 25, t, 1.0);
      break;
    case SCENARIO_RICH_MIXTURE:
      /* Too much fuel pressure: the same share too rich at any airflow. */
      for (guint b = 0; b < 2; b++)
        {
          st->ltft[b] = -(17.5 + (b ? 1.5 : 0.0)) + 0.5 * noise (self, 14 + b, t, 0.02);
          st->stft[b] = -20.0 - st->ltft[b] + 1.5 * noise (self, 10 + b, t, 1.5);
          st->o2_up[b] = o2_switching (t, b * 1.3, 0.12);
          st->o2_down[b] = 0.78 + 0.03 * noise (self, 12 + b, t, 0.3);
        }
      break;
    case SCENARIO_EVAP_PURGE_STUCK:
      /* Vapour from the canister at idle, whatever the purge command;
       * diluted by the airflow when held above idle. */
      for (guint b = 0; b < 2; b++)
        {
          st->ltft[b] = -11.0 + 0.5 * noise (self, 14 + b, t, 0.02);
          st->stft[b] = -14.0 * IDLE_MAF_GS / st->maf - st->ltft[b] +
                        1.5 * noise (self, 10 + b, t, 1.5);
        }
      break;
    case SCENARIO_DEAD_O2_HEATER:
      /* Unheated bank 1 sensors sit at the bias voltage the module puts
       * on them until the exhaust alone warms them: about 7 minutes for
       * the upstream one at idle, 15 for the downstream one. */
      if (t < 420.0)
        st->o2_up[0] = 0.45 + 0.01 * noise (self, 26, t, 0.5);
      if (t < 900.0)
        st->o2_down[0] = 0.45 + 0.01 * noise (self, 27, t, 0.5);
      break;
    case SCENARIO_LAZY_O2:
      {
        /* A quarter of the switching rate and a narrow swing. */
        double s = sin (2.0 * G_PI * 0.28 * t);

        st->o2_up[0] = 0.45 + 0.16 * tanh (2.0 * s);
        break;
      }
    case SCENARIO_O2_DOWNSTREAM_LOW:
      st->o2_down[0] = 0.06 + 0.01 * noise (self, 27, t, 0.5);
      break;
    case SCENARIO_FAILING_CATALYST_B2:
      st->o2_down[1] = 0.45 + 0.85 * (o2_switching (t - 0.15, 1.3, 0.0) - 0.45);
      break;
    case SCENARIO_RANDOM_MISFIRE:
      st->cat_temp[0] += 40.0;
      st->cat_temp[1] += 40.0;
      break;
    case SCENARIO_CRANK_SENSOR:
      /* Every 17 s the signal drops out for 0.4 s: the module sees no
       * engine speed at all. */
      if (fmod (t, 17.0) >= 9.0 && fmod (t, 17.0) < 9.4)
        st->rpm = 0.0;
      break;
    case SCENARIO_VSS_FAULT:
      st->speed = 0.0;
      break;
    case SCENARIO_OVERCHARGING:
      st->ctrl_voltage = 15.7 + 0.15 * noise (self, 18, t, 0.5);
      break;
    case SCENARIO_NO_START:
      /* Cranking: open loop, a battery under the starter's load, sensors
       * cold, and no combustion for the oxygen sensors to see. */
      st->fuel_status = 0x01;
      for (guint b = 0; b < 2; b++)
        {
          st->stft[b] = 0.0;
          st->ltft[b] = 0.0;
          st->o2_up[b] = 0.08 + 0.01 * noise (self, 12 + b, t, 0.3);
          st->o2_down[b] = 0.10;
          st->cat_temp[b] = AMBIENT_C + 5.0;
        }
      st->ctrl_voltage = 10.3 + 0.15 * noise (self, 18, t, 2.0);
      st->timing = 6.0;
      st->evap_purge = 0.0;
      break;
    case SCENARIO_ECT_CIRCUIT_HIGH:
      /* An open circuit reads as the coldest temperature the range has;
       * the oil temperature sensor still tells the truth. */
      st->coolant = -40.0;
      break;
    case SCENARIO_TPS_GLITCH:
      if (fmod (t, 6.3) < 0.25)
        st->throttle = 100.0;
      break;
    case SCENARIO_MAP_HOSE_OFF:
      st->map = BARO_KPA;
      break;
    default:
      break;
    }
}

static void
model_state (ObdSimVehicle *self,
             double         t,
             SimState      *st)
{
  const ScenarioDef *sc = self->scenario;
  Phase phase = PHASE_IDLE;
  double idle_rpm;

  memset (st, 0, sizeof *st);

  if (scenario_drives (sc))
    st->speed = cycle_speed (self, t, &phase);

  /* Engine speed: idle with a little noise; in gear, from road speed. */
  idle_rpm = 750.0 + 12.0 * noise (self, 2, t, 2.0);
  if ((sc->id == SCENARIO_DRIVING_CYCLE || (sc->flags & STORY_COLD_START)) &&
      sc->id != SCENARIO_NO_START && t < 60.0)
    idle_rpm += 350.0 * (1.0 - t / 60.0);   /* cold fast idle */
  idle_rpm = story_idle_rpm (self, t, idle_rpm);
  if (sc->id == SCENARIO_MISFIRE)
    {
      /* Cylinder 1 drops out irregularly: dips of up to 90 rpm. */
      double dip = hash01 (self->seed, 3, (gint64) floor (t * 8.0));
      idle_rpm += 40.0 * noise (self, 4, t, 6.0) - (dip > 0.7 ? 90.0 * (dip - 0.7) / 0.3 : 0.0);
    }

  if (st->speed > 1.0)
    {
      static const double rpm_per_kmh[] = { 0, 130, 80, 56, 42, 31, 21 };
      guint gear = st->speed < 15 ? 1 : st->speed < 30 ? 2 : st->speed < 50 ? 3 :
                   st->speed < 70 ? 4 : st->speed < 90 ? 5 : 6;
      st->rpm = MAX (idle_rpm, st->speed * rpm_per_kmh[gear]);
    }
  else if (sc->id == SCENARIO_NO_START)
    st->rpm = idle_rpm;   /* the starter, not the pedal, turns it */
  else
    st->rpm = pedal_rpm (self, t, idle_rpm);

  switch (phase)
    {
    case PHASE_ACCEL:
      st->throttle = 38.0 + 10.0 * noise (self, 5, t, 0.5);
      st->load = 70.0 + 8.0 * noise (self, 6, t, 0.5);
      break;
    case PHASE_CRUISE:
      st->throttle = 20.0 + 1.5 * noise (self, 5, t, 0.5);
      st->load = 38.0 + 3.0 * noise (self, 6, t, 0.5);
      break;
    case PHASE_BRAKE:
      st->throttle = 12.2;
      st->load = 12.0;
      break;
    case PHASE_IDLE:
    default:
      st->throttle = 14.5 + 0.3 * noise (self, 5, t, 0.5);
      st->load = 22.0 + 1.0 * noise (self, 6, t, 1.0);
      break;
    }

  if (pedal_fraction (st) > 0.0)
    {
      /* Held above idle in neutral: a little more throttle, a little less
       * load. */
      st->throttle += 6.0 * pedal_fraction (st);
      st->load -= 4.0 * pedal_fraction (st);
    }

  st->map = BARO_KPA * (0.18 + 0.8 * st->load / 100.0);
  if (sc->id == SCENARIO_LEAN_MIXTURE)
    st->map += 3.0;   /* the vacuum leak raises idle manifold pressure */
  if (sc->id == SCENARIO_EGR_STUCK_OPEN)
    st->map += 11.0 * (1.0 - pedal_fraction (st));  /* exhaust gas in the manifold */
  if (sc->id == SCENARIO_NO_START)
    st->map = BARO_KPA - 7.0 + 3.0 * noise (self, 25, t, 6.0);  /* barely any vacuum */

  /* Coolant: warm-up towards 90 °C, thermostat cycling once warm. */
  if (story_coolant (self, t, &st->coolant))
    ;
  else if (sc->id == SCENARIO_OVERHEATING)
    st->coolant = sc->coolant_start + 14.0 * (1.0 - exp (-t / 90.0)) +
                  0.3 * noise (self, 7, t, 0.1);
  else
    st->coolant = 90.0 - (90.0 - sc->coolant_start) * exp (-t / 300.0) +
                  1.0 * noise (self, 7, t, 0.02);
  st->iat = AMBIENT_C + 8.0 + 1.0 * noise (self, 8, t, 0.05);
  st->oil_temp = st->coolant + (st->coolant > 80.0 ? 6.0 : -3.0);

  /* Speed-density: air mass from manifold pressure, volumetric efficiency
   * 0.85, ideal gas. */
  st->maf = st->map * 1000.0 * (DISPLACEMENT_L / 1000.0) * (st->rpm / 120.0) * 0.85 /
            (287.0 * (st->iat + 273.15)) * 1000.0;

  st->timing = CLAMP (10.0 + 18.0 * (st->rpm - 750.0) / 1500.0 - 10.0 * (st->load - 25.0) / 60.0,
                      -5.0, 40.0) + 1.0 * noise (self, 9, t, 1.0);

  /* Fuel control: closed loop once warm; open loop when cold or in fuel cut. */
  if (st->coolant < 40.0)
    st->fuel_status = 0x01;
  else if (phase == PHASE_BRAKE)
    st->fuel_status = 0x04;
  else
    st->fuel_status = 0x02;

  for (guint b = 0; b < 2; b++)
    {
      st->stft[b] = 2.5 * noise (self, 10 + b, t, 1.5);
      st->ltft[b] = b == 0 ? 1.6 : -0.8;
      st->o2_up[b] = o2_switching (t, b * 1.3, 0.0);
      st->o2_down[b] = 0.66 + 0.02 * noise (self, 12 + b, t, 0.3);
    }
  if (sc->id == SCENARIO_LEAN_MIXTURE)
    {
      st->ltft[0] = 22.0 + 1.5 * noise (self, 14, t, 0.02);
      st->ltft[1] = 23.5 + 1.5 * noise (self, 15, t, 0.02);
      for (guint b = 0; b < 2; b++)
        {
          st->stft[b] = 6.0 + 2.0 * noise (self, 10 + b, t, 1.5);
          st->o2_up[b] = o2_switching (t, b * 1.3, -0.18);
          st->o2_down[b] = 0.35 + 0.05 * noise (self, 12 + b, t, 0.3);
        }
    }
  if (sc->id == SCENARIO_MISFIRE)
    {
      /* Unburnt oxygen from the dead cylinder reads lean on bank 1. */
      st->o2_up[0] = o2_switching (t, 0.0, -0.10);
      st->stft[0] += 4.0;
    }
  if (sc->id == SCENARIO_FAILING_CATALYST)
    {
      /* No oxygen storage left: the downstream sensor follows the upstream
       * one with a short lag and a little less swing. */
      st->o2_down[0] = 0.45 + 0.85 * (o2_switching (t - 0.15, 0.0, 0.0) - 0.45);
    }
  if (st->fuel_status != 0x02)
    for (guint b = 0; b < 2; b++)
      st->stft[b] = 0.0;

  st->lambda_cmd = st->fuel_status == 0x04 ? 1.5 : phase == PHASE_ACCEL ? 0.95 : 1.0;
  st->fuel_rate = st->fuel_status == 0x04 ? 0.0 :
                  st->maf / (14.7 * st->lambda_cmd) / 745.0 * 3600.0;

  for (guint b = 0; b < 2; b++)
    st->cat_temp[b] = 320.0 + 4.5 * st->load + (st->rpm - 750.0) * 0.05 +
                      5.0 * noise (self, 16 + b, t, 0.1) - (b ? 12.0 : 0.0);
  if (sc->id == SCENARIO_MISFIRE)
    st->cat_temp[0] += 90.0;   /* unburnt fuel burning in the catalyst */

  /* Charging system: 14.1 V with the alternator working. */
  st->ctrl_voltage = 14.1 + 0.05 * noise (self, 18, t, 1.0);
  if (sc->id == SCENARIO_WEAK_BATTERY)
    {
      double c = fmod (t, 90.0);
      st->ctrl_voltage = 11.6 + 0.12 * noise (self, 18, t, 0.5);
      if (c < 1.5)
        st->ctrl_voltage -= 0.5;   /* a load switching on (fan, restart) */
      if (t < 1.0)
        st->ctrl_voltage = 9.8;    /* cranking */
    }

  st->run_time = (scenario_drives (sc) || (sc->flags & STORY_COLD_START) ? 0.0 : 240.0) + t;
  if (sc->id == SCENARIO_NO_START)
    st->run_time = 0.0;
  st->distance = 48210.0 + (scenario_drives (sc) ? t * 52.0 / 3600.0 : 0.0);
  st->fuel_level = CLAMP (62.0 - t * 0.0008, 5.0, 100.0);
  st->evap_purge = st->coolant > 70.0 && phase != PHASE_BRAKE ?
                   12.0 + 6.0 * noise (self, 19, t, 0.2) : 0.0;

  story_readings (self, t, st);
}

/* ------------------------------------------------------------------ */

static const ScenarioDef *
find_scenario (const char *name)
{
  for (guint i = 0; i < N_SCENARIOS; i++)
    if (g_ascii_strcasecmp (scenarios[i].name, name) == 0)
      return &scenarios[i];
  return NULL;
}

const ObdSimScenarioInfo *
obd_sim_list_scenarios (gsize *n_scenarios)
{
  static ObdSimScenarioInfo infos[N_SCENARIOS];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < N_SCENARIOS; i++)
        {
          infos[i].name = scenarios[i].name;
          infos[i].description = scenarios[i].description;
        }
      g_once_init_leave (&initialized, 1);
    }
  if (n_scenarios)
    *n_scenarios = N_SCENARIOS;
  return infos;
}

static void
add_codes (GArray        *array,
           const guint16 *codes)
{
  for (guint i = 0; i < 3 && codes[i]; i++)
    g_array_append_val (array, codes[i]);
}

ObdSimVehicle *
obd_sim_vehicle_new (const char  *scenario,
                     guint32      seed,
                     GError     **error)
{
  const ScenarioDef *sc = &scenarios[0];
  ObdSimVehicle *self;

  if (scenario && *scenario && !(sc = find_scenario (scenario)))
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < N_SCENARIOS; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", scenarios[i].name);
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                   _("Unknown simulator scenario “%s”. Valid scenarios: %s."),
                   scenario, names->str);
      return NULL;
    }

  self = g_new0 (ObdSimVehicle, 1);
  self->scenario = sc;
  self->protocol = OBD_PROTOCOL_CAN_11BIT_500K;
  self->seed = seed;
  self->ignition = TRUE;
  self->stored = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->pending = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->permanent = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->tcm_stored = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->tcm_pending = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->pedal_since_s = -1.0;

  /* The story so far: codes set on an earlier drive, with the freeze frame
   * of the moment the first one was set. */
  add_codes (self->stored, sc->stored);
  add_codes (self->pending, sc->pending);
  add_codes (self->permanent, sc->permanent);
  add_codes (self->tcm_stored, sc->tcm_codes);
  add_codes (self->tcm_pending, sc->tcm_codes);
  if (sc->stored[0])
    {
      self->have_freeze = TRUE;
      self->freeze_dtc = sc->stored[0];
      model_state (self, sc->freeze_time_s, &self->freeze);
    }

  return self;
}

void
obd_sim_vehicle_free (ObdSimVehicle *self)
{
  if (!self)
    return;
  g_array_unref (self->stored);
  g_array_unref (self->pending);
  g_array_unref (self->permanent);
  g_array_unref (self->tcm_stored);
  g_array_unref (self->tcm_pending);
  g_free (self);
}

const char *
obd_sim_vehicle_get_scenario (ObdSimVehicle *self)
{
  return self->scenario->name;
}

ObdProtocol
obd_sim_vehicle_get_protocol (ObdSimVehicle *self)
{
  return self->protocol;
}

void
obd_sim_vehicle_set_protocol (ObdSimVehicle *self,
                              ObdProtocol    protocol)
{
  g_return_if_fail (protocol > OBD_PROTOCOL_AUTO && protocol <= OBD_PROTOCOL_CAN_29BIT_250K);
  self->protocol = protocol;
}

guint
obd_sim_vehicle_get_n_ecus (ObdSimVehicle *self)
{
  return G_N_ELEMENTS (ecus);
}

const ObdSimEcu *
obd_sim_vehicle_get_ecu (ObdSimVehicle *self,
                         guint          index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (ecus), NULL);
  return &ecus[index];
}

int
obd_sim_vehicle_find_ecu (ObdSimVehicle *self,
                          guint32        id)
{
  for (guint i = 0; i < G_N_ELEMENTS (ecus); i++)
    if (ecus[i].address == id || ecus[i].can_request_id == id || ecus[i].can_reply_id == id)
      return i;
  return -1;
}

static gboolean
array_contains (GArray  *array,
                guint16  code)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, guint16, i) == code)
      return TRUE;
  return FALSE;
}

void
obd_sim_vehicle_set_time (ObdSimVehicle *self,
                          gint64         time_us)
{
  const ScenarioDef *sc = self->scenario;

  if (time_us <= self->now_us)
    return;
  self->now_us = time_us;

  /* After a clear the fault is still there: its codes come back as pending
   * once the monitor has run again, with a new freeze frame. */
  if (self->cleared && !self->redetected && sc->redetect_after_s > 0 &&
      self->now_us - self->clear_time_us >= (gint64) (sc->redetect_after_s * G_USEC_PER_SEC))
    {
      gint64 when = self->clear_time_us + (gint64) (sc->redetect_after_s * G_USEC_PER_SEC);
      const guint16 *codes = sc->pending[0] ? sc->pending : sc->stored;

      self->redetected = TRUE;
      for (guint i = 0; i < 3 && sc->tcm_codes[i]; i++)
        if (!array_contains (self->tcm_pending, sc->tcm_codes[i]))
          g_array_append_val (self->tcm_pending, sc->tcm_codes[i]);
      for (guint i = 0; i < 3 && codes[i]; i++)
        if (!array_contains (self->pending, codes[i]))
          g_array_append_val (self->pending, codes[i]);
      if (!self->have_freeze && codes[0])
        {
          self->have_freeze = TRUE;
          self->freeze_dtc = codes[0];
          model_state (self, (double) when / G_USEC_PER_SEC, &self->freeze);
        }
    }
}

gint64
obd_sim_vehicle_get_time (ObdSimVehicle *self)
{
  return self->now_us;
}

static double now_s (ObdSimVehicle *self);

void
obd_sim_vehicle_hold_rpm (ObdSimVehicle *self,
                          double         rpm)
{
  SimState st;

  g_return_if_fail (self != NULL);

  if (!isfinite (rpm) || rpm < 0)
    rpm = 0;
  rpm = MIN (rpm, 6000.0);
  if (rpm == self->pedal_target && self->pedal_since_s >= 0)
    return;

  /* From wherever the engine is now, so that moving the pedal mid-ramp
   * does not make the speed jump. */
  model_state (self, now_s (self), &st);
  self->pedal_from = st.rpm;
  self->pedal_target = rpm;
  self->pedal_since_s = now_s (self);
}

gboolean
obd_sim_vehicle_get_ignition (ObdSimVehicle *self)
{
  return self->ignition;
}

void
obd_sim_vehicle_set_ignition (ObdSimVehicle *self,
                              gboolean       on)
{
  self->ignition = !!on;
}

static double
now_s (ObdSimVehicle *self)
{
  return (double) self->now_us / G_USEC_PER_SEC;
}

double
obd_sim_vehicle_get_battery_voltage (ObdSimVehicle *self)
{
  SimState st;

  if (!self->ignition)
    /* Resting battery: a healthy one holds 12.6 V, a weak one less. */
    return self->scenario->id == SCENARIO_WEAK_BATTERY ? 11.9 : 12.6;
  model_state (self, now_s (self), &st);
  /* The adapter measures pin 16 through its own divider, a little below
   * what the ECU sees. */
  return st.ctrl_voltage - 0.1;
}

const char *
obd_sim_vehicle_get_vin (ObdSimVehicle *self)
{
  return VIN;
}

double
obd_sim_vehicle_get_value (ObdSimVehicle *self,
                           const char    *key)
{
  SimState st;

  model_state (self, now_s (self), &st);
  if (g_str_equal (key, "rpm"))
    return st.rpm;
  if (g_str_equal (key, "speed"))
    return st.speed;
  if (g_str_equal (key, "load"))
    return st.load;
  if (g_str_equal (key, "throttle"))
    return st.throttle;
  if (g_str_equal (key, "maf"))
    return st.maf;
  if (g_str_equal (key, "map"))
    return st.map;
  if (g_str_equal (key, "coolant"))
    return st.coolant;
  if (g_str_equal (key, "ltft1"))
    return st.ltft[0];
  if (g_str_equal (key, "ctrl_voltage"))
    return st.ctrl_voltage;
  if (g_str_equal (key, "cat_temp"))
    return st.cat_temp[0];
  return NAN;
}

/* ------------------------------------------------------------------ */
/* Readiness */

static gboolean
mil_on (ObdSimVehicle *self)
{
  for (guint i = 0; i < self->stored->len; i++)
    /* P0562 and P0563 (system voltage low, high) are not emission related:
     * no MIL. */
    if (g_array_index (self->stored, guint16, i) != 0x0562 &&
        g_array_index (self->stored, guint16, i) != 0x0563)
      return TRUE;
  return FALSE;
}

/* Bit mask of incomplete non-continuous monitors since the last clear
 * (since_start: in this drive cycle, PID 41). */
static guint8
incomplete_monitors (ObdSimVehicle *self,
                     gboolean       this_cycle)
{
  const ScenarioDef *sc = self->scenario;
  guint8 incomplete = sc->incomplete;
  double driven;

  if (this_cycle)
    driven = now_s (self);
  else if (self->cleared)
    driven = (double) (self->now_us - self->clear_time_us) / G_USEC_PER_SEC;
  else if (sc->id == SCENARIO_DRIVING_CYCLE)
    /* The battery was disconnected before this drive. */
    driven = now_s (self);
  else
    return incomplete;

  for (guint i = 0; i < G_N_ELEMENTS (monitor_needs); i++)
    {
      /* The heater monitor runs at idle too; the others need driving. */
      gboolean can_run = monitor_needs[i].bit == MON_O2_HEATER || scenario_drives (sc);

      if (!can_run || driven < monitor_needs[i].seconds)
        incomplete |= 1 << monitor_needs[i].bit;
    }
  return incomplete;
}

/* ------------------------------------------------------------------ */
/* Encoding */

static void
put8 (GByteArray *out,
      double      v)
{
  guint8 b = (guint8) CLAMP (lround (v), 0, 255);
  g_byte_array_append (out, &b, 1);
}

static void
put16 (GByteArray *out,
       double      v)
{
  long x = CLAMP (lround (v), 0, 65535);
  guint8 b[2] = { (x >> 8) & 0xFF, x & 0xFF };
  g_byte_array_append (out, b, 2);
}

static gboolean
list_has (const guint8 *list,
          gsize         n,
          guint8        pid)
{
  for (gsize i = 0; i < n; i++)
    if (list[i] == pid)
      return TRUE;
  return FALSE;
}

/* Supported-ID bitmap for IDs base+1 .. base+32 (J1979: bit 7 of the first
 * byte is base+1).  The last bit (base+32) says whether the next range has
 * anything, so it is set when any higher ID is supported. */
static void
put_bitmap (GByteArray   *out,
            const guint8 *list,
            gsize         n,
            guint8        base)
{
  guint8 bytes[4] = { 0 };

  for (gsize i = 0; i < n; i++)
    {
      guint id = list[i];

      if (id > base && id <= (guint) base + 32)
        {
          guint bit = id - base - 1;
          bytes[bit / 8] |= 0x80 >> (bit % 8);
        }
      else if (id > (guint) base + 32)
        bytes[3] |= 0x01;
    }
  g_byte_array_append (out, bytes, 4);
}

static double
trim_byte (double percent)
{
  return percent * 128.0 / 100.0 + 128.0;
}

/* Encodes PID (Mode 01 or 02) from state st into out (data bytes only). */
static gboolean
encode_engine_pid (ObdSimVehicle  *self,
                   const SimState *st,
                   guint8          pid,
                   GByteArray     *out)
{
  switch (pid)
    {
    case 0x01:
      {
        guint8 inc = incomplete_monitors (self, FALSE);
        guint8 b[4];

        b[0] = (mil_on (self) ? 0x80 : 0) | MIN (self->stored->len, 0x7F);
        /* Continuous monitors (misfire, fuel system, components) are
         * supported and complete; bit 3 clear: spark ignition. */
        b[1] = 0x07;
        b[2] = MON_SUPPORTED;
        b[3] = inc & MON_SUPPORTED;
        g_byte_array_append (out, b, 4);
        return TRUE;
      }
    case 0x03:
      put8 (out, st->fuel_status);
      put8 (out, 0);
      return TRUE;
    case 0x04:
      put8 (out, st->load * 255.0 / 100.0);
      return TRUE;
    case 0x05:
      put8 (out, st->coolant + 40.0);
      return TRUE;
    case 0x06: case 0x08:
      put8 (out, trim_byte (st->stft[pid == 0x08]));
      return TRUE;
    case 0x07: case 0x09:
      put8 (out, trim_byte (st->ltft[pid == 0x09]));
      return TRUE;
    case 0x0B:
      put8 (out, st->map);
      return TRUE;
    case 0x0C:
      put16 (out, st->rpm * 4.0);
      return TRUE;
    case 0x0D:
      put8 (out, st->speed);
      return TRUE;
    case 0x0E:
      put8 (out, (st->timing + 64.0) * 2.0);
      return TRUE;
    case 0x0F:
      put8 (out, st->iat + 40.0);
      return TRUE;
    case 0x10:
      put16 (out, st->maf * 100.0);
      return TRUE;
    case 0x11:
      put8 (out, st->throttle * 255.0 / 100.0);
      return TRUE;
    case 0x13:
      /* Sensors present: bank 1 sensors 1-2 (bits 0-1), bank 2 (bits 4-5). */
      put8 (out, 0x33);
      return TRUE;
    case 0x14: case 0x15: case 0x18: case 0x19:
      {
        guint bank = pid >= 0x18;
        gboolean down = pid & 1;
        double v = down ? st->o2_down[bank] : st->o2_up[bank];

        put8 (out, v * 200.0);
        /* Downstream sensors are not used for trim: 0xFF. */
        put8 (out, down ? 255.0 : trim_byte (st->stft[bank]));
        return TRUE;
      }
    case 0x1C:
      put8 (out, 0x01);   /* OBD-II as defined by CARB */
      return TRUE;
    case 0x1F:
      put16 (out, st->run_time);
      return TRUE;
    case 0x21:
      put16 (out, mil_on (self) ? 84.0 + (st->distance - 48210.0) : 0.0);
      return TRUE;
    case 0x2E:
      put8 (out, st->evap_purge * 255.0 / 100.0);
      return TRUE;
    case 0x2F:
      put8 (out, st->fuel_level * 255.0 / 100.0);
      return TRUE;
    case 0x30:
      put8 (out, self->cleared ? 0 : 45);
      return TRUE;
    case 0x31:
      put16 (out, self->cleared ? 0.0 : 1250.0 + (st->distance - 48210.0));
      return TRUE;
    case 0x33:
      put8 (out, BARO_KPA);
      return TRUE;
    case 0x3C: case 0x3D:
      put16 (out, (st->cat_temp[pid == 0x3D] + 40.0) * 10.0);
      return TRUE;
    case 0x41:
      {
        guint8 inc = incomplete_monitors (self, TRUE);
        guint8 b[4] = { 0, 0x07, MON_SUPPORTED, inc & MON_SUPPORTED };

        g_byte_array_append (out, b, 4);
        return TRUE;
      }
    case 0x42:
      put16 (out, st->ctrl_voltage * 1000.0);
      return TRUE;
    case 0x43:
      put16 (out, st->load * 0.85 * 255.0 / 100.0);
      return TRUE;
    case 0x44:
      put16 (out, st->lambda_cmd * 32768.0);
      return TRUE;
    case 0x45:
      put8 (out, MAX (st->throttle - 12.0, 0.0) * 255.0 / 100.0);
      return TRUE;
    case 0x46:
      put8 (out, AMBIENT_C + 40.0);
      return TRUE;
    case 0x47:
      put8 (out, (st->throttle * 0.96 + 1.0) * 255.0 / 100.0);
      return TRUE;
    case 0x49:
      put8 (out, (15.0 + 1.1 * MAX (st->throttle - 12.0, 0.0)) * 255.0 / 100.0);
      return TRUE;
    case 0x4A:
      put8 (out, (7.5 + 0.55 * MAX (st->throttle - 12.0, 0.0)) * 255.0 / 100.0);
      return TRUE;
    case 0x4C:
      put8 (out, MAX (st->throttle - 12.0, 0.0) * 255.0 / 100.0);
      return TRUE;
    case 0x51:
      put8 (out, 0x01);   /* gasoline */
      return TRUE;
    case 0x5C:
      put8 (out, st->oil_temp + 40.0);
      return TRUE;
    case 0x5E:
      put16 (out, st->fuel_rate * 20.0);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
encode_mode01_pid (ObdSimVehicle *self,
                   guint          ecu,
                   guint8         pid,
                   GByteArray    *out)
{
  const guint8 *list = ecu == ECU_ENGINE ? engine_pids : transmission_pids;
  gsize n = ecu == ECU_ENGINE ? G_N_ELEMENTS (engine_pids) : G_N_ELEMENTS (transmission_pids);
  SimState st;

  if (!list_has (list, n, pid))
    return FALSE;

  g_byte_array_append (out, &pid, 1);
  if (pid % 0x20 == 0)
    {
      put_bitmap (out, list, n, pid);
      return TRUE;
    }

  model_state (self, now_s (self), &st);
  if (ecu == ECU_TRANSMISSION && pid == 0x01)
    {
      /* The TCM has no emission monitors of its own; its codes (U0100,
       * P0700) are emission related and ask for the MIL. */
      guint8 b[4] = { 0, 0, 0, 0 };

      if (self->tcm_stored->len > 0)
        b[0] = 0x80 | MIN (self->tcm_stored->len, 0x7F);
      g_byte_array_append (out, b, 4);
      return TRUE;
    }
  return encode_engine_pid (self, &st, pid, out);
}

static GBytes *
take_message (GByteArray *out)
{
  return g_byte_array_free_to_bytes (out);
}

static void
add_message (GPtrArray    *replies,
             const guint8 *data,
             gsize         len)
{
  g_ptr_array_add (replies, g_bytes_new (data, len));
}

static void
add_negative (GPtrArray *replies,
              guint8     service,
              guint8     nrc)
{
  guint8 b[3] = { 0x7F, service, nrc };
  add_message (replies, b, 3);
}

static void
reply_mode01 (ObdSimVehicle *self,
              guint          ecu,
              const guint8  *req,
              gsize          len,
              gboolean       can,
              GPtrArray     *replies)
{
  if (can)
    {
      /* ISO 15765-4: up to six PIDs in one request, answered in one
       * message holding only the supported ones. */
      GByteArray *out = g_byte_array_new ();
      guint8 sid = 0x41;

      g_byte_array_append (out, &sid, 1);
      for (gsize i = 1; i < len && i <= 6; i++)
        encode_mode01_pid (self, ecu, req[i], out);
      if (out->len > 1)
        g_ptr_array_add (replies, take_message (out));
      else
        g_byte_array_unref (out);
      return;
    }

  /* Legacy protocols: one message per PID. */
  for (gsize i = 1; i < len && i <= 6; i++)
    {
      GByteArray *out = g_byte_array_new ();
      guint8 sid = 0x41;

      g_byte_array_append (out, &sid, 1);
      if (encode_mode01_pid (self, ecu, req[i], out))
        g_ptr_array_add (replies, take_message (out));
      else
        g_byte_array_unref (out);
    }
}

/* Mode 02: pairs of (PID, frame); only frame 0 exists. */
static void
reply_mode02 (ObdSimVehicle *self,
              guint          ecu,
              const guint8  *req,
              gsize          len,
              gboolean       can,
              GPtrArray     *replies)
{
  GByteArray *out = NULL;

  if (ecu != ECU_ENGINE)
    return;

  for (gsize i = 1; i < len; i += 2)
    {
      guint8 pid = req[i];
      guint8 frame = i + 1 < len ? req[i + 1] : 0;
      gsize mark;

      if (frame != 0 || !list_has (freeze_pids, G_N_ELEMENTS (freeze_pids), pid))
        continue;
      if (!out || !can)
        {
          guint8 sid = 0x42;

          if (out)
            g_ptr_array_add (replies, take_message (out));
          out = g_byte_array_new ();
          g_byte_array_append (out, &sid, 1);
        }
      mark = out->len;
      g_byte_array_append (out, &pid, 1);
      g_byte_array_append (out, &frame, 1);

      if (pid == 0x00)
        put_bitmap (out, freeze_pids, G_N_ELEMENTS (freeze_pids), 0);
      else if (pid == 0x02)
        put16 (out, self->have_freeze ? self->freeze_dtc : 0);
      else if (!self->have_freeze)
        /* No freeze frame stored: only PID 02 (reading 0000) answers. */
        g_byte_array_set_size (out, mark);
      else
        encode_engine_pid (self, &self->freeze, pid, out);
    }

  if (out && out->len > 1)
    g_ptr_array_add (replies, take_message (out));
  else if (out)
    g_byte_array_unref (out);
}

static void
reply_dtcs (ObdSimVehicle *self,
            guint          ecu,
            guint8         service,
            gboolean       can,
            GPtrArray     *replies)
{
  GArray *codes = service == 0x03 ? self->stored :
                  service == 0x07 ? self->pending : self->permanent;
  guint n = ecu == ECU_ENGINE ? codes->len : 0;

  if (ecu == ECU_TRANSMISSION)
    {
      /* The TCM's permanent codes are the stored ones until its own
       * monitor passes; Mode 04 clears stored and pending. */
      codes = service == 0x07 ? self->tcm_pending : self->tcm_stored;
      if (service == 0x0A)
        codes = self->cleared ? self->tcm_pending : self->tcm_stored;
      n = codes->len;
    }
  guint8 sid = service + 0x40;

  if (can)
    {
      /* ISO 15765-4: one message, a count byte then the pairs. */
      GByteArray *out = g_byte_array_new ();
      guint8 count = n;

      g_byte_array_append (out, &sid, 1);
      g_byte_array_append (out, &count, 1);
      for (guint i = 0; i < n; i++)
        put16 (out, g_array_index (codes, guint16, i));
      g_ptr_array_add (replies, take_message (out));
      return;
    }

  /* Legacy: three codes per message, padded with 0000; an ECU without
   * codes sends one all-zero message (J1850/ISO 9141 often stay silent
   * instead, the engine ECU here always answers). */
  if (ecu != ECU_ENGINE && n == 0)
    return;
  for (guint i = 0; i == 0 || i < n; i += 3)
    {
      GByteArray *out = g_byte_array_new ();

      g_byte_array_append (out, &sid, 1);
      for (guint j = i; j < i + 3; j++)
        put16 (out, j < n ? g_array_index (codes, guint16, j) : 0);
      g_ptr_array_add (replies, take_message (out));
    }
}

static void
reply_clear (ObdSimVehicle *self,
             guint          ecu,
             GPtrArray     *replies)
{
  guint8 sid = 0x44;

  if (ecu == ECU_ENGINE)
    {
      /* Mode 04 clears stored and pending codes, the freeze frame, the
       * Mode 06 results and the readiness status; permanent codes stay
       * until the monitor that set them passes (J1979 Mode 0A). */
      g_array_set_size (self->stored, 0);
      g_array_set_size (self->pending, 0);
      self->have_freeze = FALSE;
      self->freeze_dtc = 0;
      self->cleared = TRUE;
      self->redetected = FALSE;
      self->clear_time_us = self->now_us;
      self->clears++;
    }
  else
    {
      g_array_set_size (self->tcm_stored, 0);
      g_array_set_size (self->tcm_pending, 0);
    }
  add_message (replies, &sid, 1);
}

/* One Mode 06 test record: OBDMID, TID, UASID, value, min, max. */
static void
put_record (GByteArray *out,
            guint8      mid,
            guint8      tid,
            guint8      uasid,
            guint       value,
            guint       min,
            guint       max)
{
  guint8 head[3] = { mid, tid, uasid };

  g_byte_array_append (out, head, 3);
  put16 (out, value);
  put16 (out, min);
  put16 (out, max);
}

static gboolean
monitor_done (ObdSimVehicle *self,
              guint          mon)
{
  return !(incomplete_monitors (self, FALSE) & (1 << mon));
}

static void
mode06_records (ObdSimVehicle *self,
                guint8         mid,
                GByteArray    *out)
{
  ScenarioId id = self->scenario->id;

  switch (mid)
    {
    case 0x01: case 0x05:
      /* Upstream O2: rich-to-lean and lean-to-rich switch times (ms). */
      if (monitor_done (self, MON_O2))
        {
          put_record (out, mid, 0x05, 0x10, id == SCENARIO_LEAN_MIXTURE ? 112 : 68, 0, 150);
          put_record (out, mid, 0x06, 0x10, id == SCENARIO_LEAN_MIXTURE ? 96 : 74, 0, 150);
        }
      else
        {
          put_record (out, mid, 0x05, 0x10, 0, 0, 0);
          put_record (out, mid, 0x06, 0x10, 0, 0, 0);
        }
      return;
    case 0x02: case 0x06:
      /* Downstream O2: minimum sensor voltage in the test (1 mV). */
      put_record (out, mid, 0x07, 0x0B, monitor_done (self, MON_O2) ? 62 : 0, 0,
                  monitor_done (self, MON_O2) ? 400 : 0);
      return;
    case 0x21: case 0x22:
      /* Catalyst oxygen storage: downstream/upstream switch ratio
       * (1/256 per bit); above the maximum means the catalyst failed. */
      if (!monitor_done (self, MON_CATALYST))
        put_record (out, mid, 0x80, 0x20, 0, 0, 0);
      else if (id == SCENARIO_FAILING_CATALYST && mid == 0x21)
        put_record (out, mid, 0x80, 0x20, 0xE6, 0, 0xB3);
      else if (id == SCENARIO_FAILING_CATALYST_B2 && mid == 0x22)
        put_record (out, mid, 0x80, 0x20, 0xDC, 0, 0xB3);
      else
        put_record (out, mid, 0x80, 0x20, mid == 0x21 ? 0x31 : 0x2A, 0, 0xB3);
      return;
    case 0x31:
      /* EGR flow: manifold pressure rise when the valve opens (0.01 kPa). */
      if (monitor_done (self, MON_EGR))
        put_record (out, mid, 0x80, 0x17, 420, 200, 1500);
      else
        put_record (out, mid, 0x80, 0x17, 0, 0, 0);
      return;
    case 0x3C:
      /* EVAP 0.020" leak test: pressure decay (0.25 Pa, signed). */
      if (monitor_done (self, MON_EVAP) &&
          (id == SCENARIO_EVAP_SMALL_LEAK || id == SCENARIO_EVAP_LARGE_LEAK))
        /* The pressure decays far faster than the limit allows. */
        put_record (out, mid, 0x80, 0xFE, id == SCENARIO_EVAP_SMALL_LEAK ? 610 : 2400, 0, 400);
      else if (monitor_done (self, MON_EVAP))
        put_record (out, mid, 0x80, 0xFE, 96, 0, 400);
      else
        put_record (out, mid, 0x80, 0xFE, 0, 0, 0);
      return;
    default:
      if (mid >= 0xA1 && mid <= 0xA7)
        {
          /* Misfire (continuous): TID 0B = EWMA of the last ten driving
           * cycles, 0C = counts in the current/last cycle; the limit is
           * the counts that would damage the catalyst.  Mode 04 resets
           * both (SAE J1979: it clears the test results with the codes):
           * zero until the fault is detected again. */
          gboolean reset = self->cleared && !self->redetected;
          gboolean bad = id == SCENARIO_MISFIRE && (mid == 0xA1 || mid == 0xA2) && !reset;
          guint ewma = reset ? 0 : bad ? 148 : (mid * 7u) % 3;
          guint now = reset ? 0 : bad ? 187 : (mid * 5u) % 4;

          if (id == SCENARIO_RANDOM_MISFIRE)
            {
              /* Spread out: every cylinder misfires a little, none past
               * its own limit; together past the general one. */
              ewma = mid == 0xA1 ? 131 : 18 + (mid * 5u) % 9;
              now = mid == 0xA1 ? 162 : 22 + (mid * 3u) % 11;
            }

          put_record (out, mid, 0x0B, 0x24, ewma, 0, 65);
          put_record (out, mid, 0x0C, 0x24, now, 0, 65);
        }
      return;
    }
}

static void
reply_mode06 (ObdSimVehicle *self,
              guint          ecu,
              const guint8  *req,
              gsize          len,
              gboolean       can,
              GPtrArray     *replies)
{
  GByteArray *out;
  guint8 sid = 0x46;
  guint8 mid;

  /* Only the engine ECU runs monitors, and the OBDMID/TID/UASID layout is
   * the ISO 15765-4 one; legacy Mode 06 (TID-based) is not simulated. */
  if (ecu != ECU_ENGINE || !can || len != 2)
    return;
  mid = req[1];

  out = g_byte_array_new ();
  g_byte_array_append (out, &sid, 1);
  if (mid % 0x20 == 0)
    {
      g_byte_array_append (out, &mid, 1);
      put_bitmap (out, engine_mids, G_N_ELEMENTS (engine_mids), mid);
    }
  else if (list_has (engine_mids, G_N_ELEMENTS (engine_mids), mid))
    mode06_records (self, mid, out);

  if (out->len > 1)
    g_ptr_array_add (replies, take_message (out));
  else
    g_byte_array_unref (out);
}

/* Mode 09 information items. */
static void
infotype_data (ObdSimVehicle *self,
               guint          ecu,
               guint8         infotype,
               GByteArray    *out,
               guint8        *n_items)
{
  *n_items = 1;
  switch (infotype)
    {
    case 0x02:
      g_byte_array_append (out, (const guint8 *) VIN, 17);
      return;
    case 0x04:
      {
        /* Calibration ID: 16 bytes, ASCII padded with NULs. */
        guint8 calid[16] = { 0 };
        const char *id = ecu == ECU_ENGINE ? "37805R40A640" : "28101R36A120";

        memcpy (calid, id, strlen (id));
        g_byte_array_append (out, calid, 16);
        return;
      }
    case 0x06:
      {
        guint8 cvn[2][4] = { { 0x1A, 0x2F, 0xC4, 0x07 }, { 0x93, 0x5E, 0x10, 0xB2 } };
        g_byte_array_append (out, cvn[ecu], 4);
        return;
      }
    case 0x08:
      {
        /* In-use performance tracking, spark ignition: 20 counters
         * (OBDCOND, IGNCNTR, then completions/conditions per monitor). */
        static const guint16 ipt[20] = {
          412, 1890, 371, 412, 365, 412, 398, 412, 390, 412,
          305, 412, 0, 0, 122, 412, 371, 412, 366, 412,
        };
        *n_items = 20;
        for (guint i = 0; i < 20; i++)
          put16 (out, ipt[i]);
        return;
      }
    case 0x0A:
      {
        /* ECU name: 4-char acronym, '-', 15-char name, NUL padded (20). */
        guint8 name[20] = { 0 };
        const char *text = ecu == ECU_ENGINE ? "ECM\0-EngineControl" :
                                               "TCM\0-TransmissionCtr";
        memcpy (name, text, ecu == ECU_ENGINE ? 18 : 20);
        g_byte_array_append (out, name, 20);
        return;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
reply_mode09 (ObdSimVehicle *self,
              guint          ecu,
              const guint8  *req,
              gsize          len,
              gboolean       can,
              GPtrArray     *replies)
{
  static const guint8 engine_can[] = { 0x02, 0x04, 0x06, 0x08, 0x0A };
  static const guint8 trans_can[] = { 0x04, 0x06, 0x0A };
  /* Legacy protocols also have the message-count infotypes 01/03/05/07/09. */
  static const guint8 engine_legacy[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                          0x07, 0x08, 0x09, 0x0A };
  static const guint8 trans_legacy[] = { 0x03, 0x04, 0x05, 0x06, 0x09, 0x0A };
  const guint8 *list;
  gsize n;
  guint8 infotype;
  guint8 sid = 0x49;

  if (len != 2)
    return;
  infotype = req[1];
  if (ecu == ECU_ENGINE)
    {
      list = can ? engine_can : engine_legacy;
      n = can ? G_N_ELEMENTS (engine_can) : G_N_ELEMENTS (engine_legacy);
    }
  else
    {
      list = can ? trans_can : trans_legacy;
      n = can ? G_N_ELEMENTS (trans_can) : G_N_ELEMENTS (trans_legacy);
    }

  if (infotype == 0x00)
    {
      GByteArray *out = g_byte_array_new ();

      g_byte_array_append (out, &sid, 1);
      g_byte_array_append (out, &infotype, 1);
      put_bitmap (out, list, n, 0);
      g_ptr_array_add (replies, take_message (out));
      return;
    }
  if (!list_has (list, n, infotype))
    return;

  if (!can && infotype % 2 == 1)
    {
      /* Legacy message count of the next infotype: 4 data bytes each. */
      g_autoptr(GByteArray) data = g_byte_array_new ();
      guint8 items;
      guint8 b[3] = { sid, infotype, 0 };

      infotype_data (self, ecu, infotype + 1, data, &items);
      b[2] = (data->len + 3) / 4;
      add_message (replies, b, 3);
      return;
    }

  {
    g_autoptr(GByteArray) data = g_byte_array_new ();
    guint8 items;

    infotype_data (self, ecu, infotype, data, &items);
    if (can)
      {
        /* ISO 15765-4: one message, number of data items first. */
        GByteArray *out = g_byte_array_new ();

        g_byte_array_append (out, &sid, 1);
        g_byte_array_append (out, &infotype, 1);
        g_byte_array_append (out, &items, 1);
        g_byte_array_append (out, data->data, data->len);
        g_ptr_array_add (replies, take_message (out));
      }
    else
      {
        /* Legacy: numbered messages of four bytes; the VIN is padded with
         * leading zeros to 20 bytes (J1979 Mode 09 legacy layout). */
        guint pad = (4 - data->len % 4) % 4;
        g_autoptr(GByteArray) padded = g_byte_array_sized_new (data->len + pad);
        guint8 zero = 0;

        for (guint i = 0; i < pad; i++)
          g_byte_array_append (padded, &zero, 1);
        g_byte_array_append (padded, data->data, data->len);
        for (guint i = 0; i < padded->len; i += 4)
          {
            guint8 b[7] = { sid, infotype, i / 4 + 1 };

            memcpy (b + 3, padded->data + i, 4);
            add_message (replies, b, 7);
          }
      }
  }
}

GPtrArray *
obd_sim_vehicle_request (ObdSimVehicle *self,
                         guint          ecu,
                         const guint8  *request,
                         gsize          len,
                         gboolean       can)
{
  g_autoptr(GPtrArray) replies = NULL;

  g_return_val_if_fail (ecu < G_N_ELEMENTS (ecus), NULL);

  if (!self->ignition || len == 0)
    return NULL;
  /* A module that drops off the bus (power or ground contact lost) for
   * four seconds in every 25: it answers nothing at all. */
  if (self->scenario->id == SCENARIO_LOST_COMMUNICATION && ecu == ECU_ENGINE &&
      fmod (now_s (self), 25.0) >= 20.0)
    return NULL;

  replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  switch (request[0])
    {
    case 0x01:
      if (len >= 2)
        reply_mode01 (self, ecu, request, len, can, replies);
      break;
    case 0x02:
      if (len >= 2)
        reply_mode02 (self, ecu, request, len, can, replies);
      break;
    case 0x03: case 0x07: case 0x0A:
      if (len == 1)
        reply_dtcs (self, ecu, request[0], can, replies);
      break;
    case 0x04:
      if (len == 1)
        reply_clear (self, ecu, replies);
      break;
    case 0x06:
      reply_mode06 (self, ecu, request, len, can, replies);
      break;
    case 0x09:
      reply_mode09 (self, ecu, request, len, can, replies);
      break;
    default:
      /* Services the vehicle does not support: the engine ECU says so
       * (ISO 14229 NRC 0x11 serviceNotSupported), others stay silent. */
      if (ecu == ECU_ENGINE && request[0] < 0x40)
        add_negative (replies, request[0], 0x11);
      break;
    }

  if (replies->len == 0)
    return NULL;
  return g_steal_pointer (&replies);
}
