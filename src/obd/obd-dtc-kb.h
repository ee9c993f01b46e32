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

G_BEGIN_DECLS

#define OBD_DTC_KB_ERROR (obd_dtc_kb_error_quark ())

typedef enum
{
  OBD_DTC_KB_ERROR_FAILED = 0,      /* the built-in table could not be loaded */
  OBD_DTC_KB_ERROR_INVALID_CODE,    /* not a letter P/C/B/U, a digit 0-3, three hex digits */
} ObdDtcKbErrorCode;

GQuark obd_dtc_kb_error_quark (void);

typedef enum
{
  OBD_DTC_SEVERITY_INFO = 0,
  OBD_DTC_SEVERITY_WARNING,
  OBD_DTC_SEVERITY_CRITICAL,
} ObdDtcSeverity;

#define OBD_DTC_SEVERITY_COUNT 3

/* Stable key for JSON and the data file: "info", "warning", "critical". */
const char *obd_dtc_severity_to_string  (ObdDtcSeverity severity);
/* Translated: "Information", "Warning", "Critical". */
const char *obd_dtc_severity_get_label  (ObdDtcSeverity severity);

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
} ObdDtcSystem;

#define OBD_DTC_SYSTEM_COUNT 11

/* Stable key: "fuel-air", "ignition", "emissions", "speed-idle", "computer",
 * "transmission", "hybrid", "network", "body", "chassis", "other". */
const char *obd_dtc_system_get_key      (ObdDtcSystem system);
/* Translated: "Fuel and air metering", ... */
const char *obd_dtc_system_get_label    (ObdDtcSystem system);

typedef struct ObdDtcInfo
{
  const char         *code;         /* "P0420", upper case, lives forever */
  ObdDtcSystem        system;
  ObdDtcSeverity      severity;
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
  guint per_severity[OBD_DTC_SEVERITY_COUNT];
  guint with_explanation;                       /* explanation and causes */
  gint64 load_time_us;                          /* time the first load took */
} ObdDtcKbStats;

/* Counts over the generic table (for `obd2 codes --stats`). */
gboolean    obd_dtc_kb_get_stats        (ObdDtcKbStats *out,
                                         GError       **error);

G_END_DECLS
