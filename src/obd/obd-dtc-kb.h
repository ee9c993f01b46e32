/* obd-dtc-kb.h — the trouble-code knowledge base: what a DTC means
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The table of generic SAE J2012 / ISO 15031-6 codes lives in
 * data/dtc/generic.xml, compiled compressed into the obd GResource and
 * parsed once, on first use, from any thread.  Every string handed out is
 * translated with g_dgettext (GETTEXT_PACKAGE, ...).
 *
 * Lookup answers three kinds of code:
 *
 *   known                 a generic code in the table: its title, system,
 *                         severity, and for the common ones a plain-language
 *                         explanation and likely causes
 *   manufacturer-specific P1xxx, P30xx-P33xx, B1/B2, C1/C2, U1/U2: titled
 *                         "Manufacturer-specific code", never given a
 *                         generic meaning; system from the range
 *   unknown               a code in a generic range that the table does not
 *                         list: titled "Unknown code" (never guessed), system
 *                         from the range
 *
 * System, from the code's range (manufacturer ranges use the same mapping
 * on their third character, e.g. P13xx is ignition):
 *
 *   P00xx P01xx P02xx   fuel-air       fuel and air metering
 *   P03xx               ignition       ignition system or misfire
 *   P04xx               emissions      auxiliary emission controls
 *   P05xx               speed-idle     vehicle speed, idle control, aux inputs
 *   P06xx               computer       computer and output circuits
 *   P07xx P08xx P09xx   transmission
 *   P0Axx P0Bxx P0Cxx   hybrid         hybrid/electric propulsion
 *   P20xx P21xx P22xx   fuel-air       fuel/air metering, aux emission controls
 *   P23xx ignition, P24xx emissions, P25xx speed-idle (auxiliary inputs),
 *   P26xx computer, P27xx P28xx transmission, P29xx P2Axx fuel-air
 *   P30xx P31xx P32xx   fuel-air       (manufacturer controlled)
 *   P33xx               ignition       (manufacturer controlled)
 *   P34xx               fuel-air       cylinder deactivation
 *   other P ranges      other
 *   Uxxxx network, Bxxxx body, Cxxxx chassis
 *
 * The range is the letter of J2012, but J2012 also assigns whole blocks
 * inside those ranges to one subject, and a mechanic looks for a code by
 * its subject: P0217 "Engine Coolant Over Temperature" sits in the fuel and
 * air metering range yet is a cooling fault.  So these generic blocks take
 * their subject's system, before the range rule (the table in
 * obd-dtc-kb.c, subject_blocks[]; data/dtc/generic.xml agrees with it,
 * which tests/test-health.c checks):
 *
 *   cooling       P00B1-P00B7 (radiator coolant temperature, coolant flow),
 *                 P0115-P011B (coolant temperature sensors), P0125, P0126,
 *                 P0128 (thermostat), P0217 (engine over temperature),
 *                 P0480-P0485, P0493-P0495, P0526-P0529, P0691-P0696 (fans),
 *                 P050C, P0597-P0599 (thermostat heater), P2181-P2186,
 *                 P2556-P2560 (coolant level), P2600-P2603 (coolant pump),
 *                 P2678-P2683 (coolant valves)
 *   charging      P0514-P0517 (battery temperature), P0560-P0563 (system
 *                 voltage), P0620-P0623, P0625, P0626, P063A-P063D, P065A, P065B
 *                 (generator), P2500-P2504 (generator lamp, charging voltage)
 *   transmission  P0218 (transmission fluid over temperature)
 *
 * Severity rule (applied when the table is generated; first match wins):
 *
 *   CRITICAL  the title names a misfire; an over-temperature condition;
 *             engine oil pressure or oil level too low; a detected fuel
 *             system leak; a high-voltage isolation or interlock fault;
 *             P codes naming the throttle actuator control, and P2135-P2140
 *             (throttle/pedal sensor correlation), because electronic
 *             throttle faults force limp-home mode; B00xx (restraints:
 *             airbags, pretensioners, occupant sensing); C codes naming
 *             brakes, ABS, wheel speed, tone wheels or the ABS valves; U codes
 *             for lost communication with the engine (ECM/PCM), anti-lock
 *             brake, brake system or restraints modules
 *   INFO      the title says the fault is intermittent (it came and went),
 *             or names a lamp, an indicator or a MIL request from another
 *             module
 *   WARNING   everything else, including every manufacturer-specific and
 *             unknown code (we cannot know better)
 */
#pragma once

#include <glib.h>

#include "obd-severity.h"

G_BEGIN_DECLS

#define OBD_DTC_KB_ERROR (obd_dtc_kb_error_quark ())

typedef enum
{
  OBD_DTC_KB_ERROR_FAILED = 0,      /* the built-in table could not be loaded */
  OBD_DTC_KB_ERROR_INVALID_CODE,    /* not a letter P/C/B/U, a digit 0-3, three hex digits */
} ObdDtcKbErrorCode;

GQuark obd_dtc_kb_error_quark (void);

/* Codes are graded on the one severity scale of obd-severity.h.  These
 * names are the same enum under the knowledge base's old spelling, kept so
 * callers outside src/obd compile unchanged; new code uses ObdSeverity. */
typedef ObdSeverity ObdDtcSeverity;
#define OBD_DTC_SEVERITY_INFO       OBD_SEVERITY_INFO
#define OBD_DTC_SEVERITY_WARNING    OBD_SEVERITY_WARNING
#define OBD_DTC_SEVERITY_CRITICAL   OBD_SEVERITY_CRITICAL
#define OBD_DTC_SEVERITY_COUNT      OBD_SEVERITY_COUNT
#define obd_dtc_severity_to_string  obd_severity_get_key
#define obd_dtc_severity_get_label  obd_severity_get_label

typedef enum
{
  OBD_DTC_SYSTEM_FUEL_AIR = 0,
  OBD_DTC_SYSTEM_IGNITION,
  OBD_DTC_SYSTEM_EMISSIONS,
  OBD_DTC_SYSTEM_SPEED_IDLE,
  OBD_DTC_SYSTEM_COMPUTER,
  OBD_DTC_SYSTEM_TRANSMISSION,
  OBD_DTC_SYSTEM_HYBRID,
  OBD_DTC_SYSTEM_NETWORK,
  OBD_DTC_SYSTEM_BODY,
  OBD_DTC_SYSTEM_CHASSIS,
  OBD_DTC_SYSTEM_OTHER,
  OBD_DTC_SYSTEM_COOLING,
  OBD_DTC_SYSTEM_CHARGING,
} ObdDtcSystem;

#define OBD_DTC_SYSTEM_COUNT (OBD_DTC_SYSTEM_CHARGING + 1)

/* Stable key: "fuel-air", "ignition", "emissions", "speed-idle", "computer",
 * "transmission", "hybrid", "network", "body", "chassis", "other",
 * "cooling", "charging". */
const char *obd_dtc_system_get_key      (ObdDtcSystem system);
/* Translated: "Fuel and air metering", ... */
const char *obd_dtc_system_get_label    (ObdDtcSystem system);

typedef struct ObdDtcInfo
{
  const char         *code;         /* "P0420", upper case, lives forever */
  ObdDtcSystem        system;
  ObdSeverity         severity;
  gboolean            known;        /* TRUE: listed in the generic table */
  gboolean            manufacturer_specific;
  const char         *title;        /* translated, never NULL */
  const char         *explanation;  /* translated plain language, or NULL */
  const char * const *causes;       /* translated, NULL-terminated, or NULL */
} ObdDtcInfo;

/* Fills out for code ("p0420", "P0420", surrounding blanks ignored).  Fails
 * with OBD_DTC_KB_ERROR_INVALID_CODE for anything that is not a DTC ("P9",
 * "X0420", "P04200", "P4000").  Every string stays valid for the life of the
 * process. */
gboolean    obd_dtc_kb_lookup           (const char  *code,
                                         ObdDtcInfo  *out,
                                         GError     **error);

/* The generic table, sorted by code (P, C, B, U, then numerically), for
 * lists in the UI.  get_nth fills out like lookup; FALSE past the end. */
guint       obd_dtc_kb_get_n_codes      (void);
gboolean    obd_dtc_kb_get_nth          (guint        index,
                                         ObdDtcInfo  *out);

/* Code prefixes the generic table can contain, for per-prefix counts. */
typedef enum
{
  OBD_DTC_KB_PREFIX_P0 = 0,
  OBD_DTC_KB_PREFIX_P2,
  OBD_DTC_KB_PREFIX_P3,
  OBD_DTC_KB_PREFIX_C0,
  OBD_DTC_KB_PREFIX_B0,
  OBD_DTC_KB_PREFIX_U0,
  OBD_DTC_KB_PREFIX_U3,
} ObdDtcKbPrefix;

#define OBD_DTC_KB_PREFIX_COUNT 7

/* "P0", "P2", ... */
const char *obd_dtc_kb_prefix_get_key   (ObdDtcKbPrefix prefix);

typedef struct
{
  guint total;
  guint per_letter[4];                          /* P, C, B, U */
  guint per_prefix[OBD_DTC_KB_PREFIX_COUNT];
  guint per_system[OBD_DTC_SYSTEM_COUNT];
  guint per_severity[OBD_SEVERITY_COUNT];
  guint with_explanation;                       /* explanation and causes */
  gint64 load_time_us;                          /* time the first load took */
} ObdDtcKbStats;

/* Counts over the generic table (for `obd2 codes --stats`). */
gboolean    obd_dtc_kb_get_stats        (ObdDtcKbStats *out,
                                         GError       **error);

G_END_DECLS
