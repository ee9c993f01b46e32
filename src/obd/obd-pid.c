/* obd-pid.c — the Mode 01/02 PID table of SAE J1979 / ISO 15031-5
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per PID, 0x00 through 0xC4.  Rows are decoded by a handful of
 * generic decoders:
 *
 *  - decode_linear / decode_signed: one quantity of n_bytes big-endian
 *    bytes, scaled so that raw 0 is the row's min and the largest raw
 *    value its max.  J1979 defines every single-quantity PID this way, so
 *    "A*100/255 %", "A-40 °C", "(256A+B)/4 rpm", "(A-128)*100/128 %" are
 *    all the same decoder with a different range.
 *  - decode_fields: PIDs made of several fields (bit flags, enumerations,
 *    scaled quantities, support bits), described by a FieldSpec array.
 *  - decode_bitmap: the supported-PID bitmaps 00, 20, ... C0.  They give
 *    one value: the 32-bit bitmap as a number, with a text listing the
 *    supported PIDs in hex ("01 03 04 ...").  obd_pid_parse_supported()
 *    is the structured form.
 *  - decode_raw: PIDs whose field layout the public descriptions of J1979
 *    we work from do not give.  Their bytes are passed through as one
 *    value (text: the bytes in hex) rather than guessed at.
 *
 * ObdValue.index is the position of the field in the PID's description,
 * not in the output: a field that the vehicle marks as unsupported (the
 * "[A0] == sensor A supported" bits) is left out and the others keep their
 * index, so a stored sample (pid, index) always means the same quantity.
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-pid.h"

/* ---------------------------------------------------------------------- */
/* Field descriptions                                                      */

typedef struct
{
  guint       lo;
  guint       hi;
  const char *name;
} EnumEntry;

typedef struct
{
  const EnumEntry *entries;
  guint            n_entries;
  const char      *other;   /* for codes no entry covers */
} EnumTable;

typedef enum
{
  FIELD_LINEAR,  /* unsigned, min + raw * (max - min) / raw_max */
  FIELD_SIGNED,  /* two's complement, raw * (max - min) / raw_max */
  FIELD_BITS,    /* (byte >> bit) & mask, with a text when texts != NULL */
  FIELD_ENUM,    /* one byte from an EnumTable */
  FIELD_RAW,     /* bytes passed through: value = big-endian number, text = hex */
} FieldType;

/* Field is present when... */
#define ALWAYS       (-1)  /* ...always */
#define SPARK        (-2)  /* ...byte B bit 3 is 0 (monitor bytes C/D of spark engines) */
#define COMPRESSION  (-3)  /* ...byte B bit 3 is 1 (C/D of compression ignition engines) */
/* 0..7: ...that bit of byte A, the PID's own "supported" bits, is set. */

enum
{
  FIELD_INVERT    = 1 << 0,  /* a set bit means 0 ("not complete" bits of PID 01) */
  FIELD_FF_ABSENT = 1 << 1,  /* 0xFF means "not used", the field is left out */
};

typedef struct
{
  const char        *key;
  const char        *label;
  ObdUnit            unit;
  guint8             type;
  guint8             offset;
  guint8             size;      /* bytes; for FIELD_BITS the bit width */
  guint8             bit;
  gint8              support;
  guint8             flags;
  double             min;
  double             max;
  const char *const *texts;     /* FIELD_BITS: a text per value */
  const EnumTable   *table;     /* FIELD_ENUM */
} FieldSpec;

#define F_LIN(sup, off, size, key, label, unit, min, max) \
  { key, label, unit, FIELD_LINEAR, off, size, 0, sup, 0, min, max, NULL, NULL }
#define F_LIN_FF(off, key, label, min, max) \
  { key, label, OBD_UNIT_PERCENT, FIELD_LINEAR, off, 1, 0, ALWAYS, FIELD_FF_ABSENT, \
    min, max, NULL, NULL }
#define F_SIGNED(sup, off, size, key, label, unit, min, max) \
  { key, label, unit, FIELD_SIGNED, off, size, 0, sup, 0, min, max, NULL, NULL }
#define F_FLAG(sup, off, bit, flags, key, label, texts) \
  { key, label, OBD_UNIT_NONE, FIELD_BITS, off, 1, bit, sup, flags, 0, 1, texts, NULL }
#define F_BITS(off, bit, width, key, label, unit, max) \
  { key, label, unit, FIELD_BITS, off, width, bit, ALWAYS, 0, 0, max, NULL, NULL }
#define F_ENUM(off, key, label, table, min, max) \
  { key, label, OBD_UNIT_NONE, FIELD_ENUM, off, 1, 0, ALWAYS, 0, min, max, NULL, &table }
#define F_RAW(off, size, key, label) \
  { key, label, OBD_UNIT_NONE, FIELD_RAW, off, size, 0, ALWAYS, 0, 0, 0, NULL, NULL }

/* Percentages: "A*100/255" and "(A-128)*100/128" (the latter reaches
 * 99.21875 at 0xFF). */
#define PCT_MAX 100.0
#define TRIM_MIN (-100.0)
#define TRIM_MAX 99.21875
/* Wide-range O2 sensors, PIDs 24-2B / 34-3B: lambda is 2/65536 per bit,
 * voltage 8/65536 V per bit, current 1/256 mA per bit offset by -128 mA. */
#define LAMBDA_MAX (65535.0 * 2.0 / 65536.0)
#define WR_VOLTAGE_MAX (65535.0 * 8.0 / 65536.0)
#define WR_CURRENT_MAX (65535.0 / 256.0 - 128.0)
/* Two-byte temperatures, "(256A+B)/10 - 40". */
#define TEMP16_MAX 6513.5

static const char *const texts_off_on[] = { N_("Off"), N_("On") };
static const char *const texts_no_yes[] = { N_("No"), N_("Yes") };
static const char *const texts_inactive_active[] = { N_("Inactive"), N_("Active") };
static const char *const texts_absent_present[] = { N_("Absent"), N_("Present") };
static const char *const texts_available[] = { N_("Not available"), N_("Available") };
static const char *const texts_enabled[] = { N_("Disabled"), N_("Enabled") };
static const char *const texts_complete[] = { N_("Incomplete"), N_("Complete") };
static const char *const texts_ignition[] = {
  N_("Spark ignition"), N_("Compression ignition")
};

/* ---------------------------------------------------------------------- */
/* Enumerations                                                            */

/* PID 03: one bit set per fuel system; any other value is invalid. */
static const EnumEntry fuel_system_entries[] = {
  { 0, 0, N_("Motor off") },
  { 1, 1, N_("Open loop due to insufficient engine temperature") },
  { 2, 2, N_("Closed loop, using oxygen sensor feedback") },
  { 4, 4, N_("Open loop due to engine load or fuel cut due to deceleration") },
  { 8, 8, N_("Open loop due to system failure") },
  { 16, 16, N_("Closed loop, using at least one oxygen sensor but there is a fault "
               "in the feedback system") },
};
static const EnumTable fuel_system_table = {
  fuel_system_entries, G_N_ELEMENTS (fuel_system_entries), N_("Invalid")
};

/* PID 12 */
static const EnumEntry secondary_air_entries[] = {
  { 1, 1, N_("Upstream") },
  { 2, 2, N_("Downstream of catalytic converter") },
  { 4, 4, N_("From the outside atmosphere or off") },
  { 8, 8, N_("Pump commanded on for diagnostics") },
};
static const EnumTable secondary_air_table = {
  secondary_air_entries, G_N_ELEMENTS (secondary_air_entries), N_("Invalid")
};

/* PID 1C */
static const EnumEntry obd_standard_entries[] = {
  { 1, 1, N_("OBD-II as defined by the CARB") },
  { 2, 2, N_("OBD as defined by the EPA") },
  { 3, 3, N_("OBD and OBD-II") },
  { 4, 4, N_("OBD-I") },
  { 5, 5, N_("Not OBD compliant") },
  { 6, 6, N_("EOBD (Europe)") },
  { 7, 7, N_("EOBD and OBD-II") },
  { 8, 8, N_("EOBD and OBD") },
  { 9, 9, N_("EOBD, OBD and OBD-II") },
  { 10, 10, N_("JOBD (Japan)") },
  { 11, 11, N_("JOBD and OBD-II") },
  { 12, 12, N_("JOBD and EOBD") },
  { 13, 13, N_("JOBD, EOBD, and OBD-II") },
  { 14, 14, N_("OBD, EOBD, and KOBD") },
  { 15, 15, N_("OBD, OBD-II, EOBD, and KOBD") },
  { 16, 16, N_("Reserved") },
  { 17, 17, N_("Engine Manufacturer Diagnostics (EMD)") },
  { 18, 18, N_("Engine Manufacturer Diagnostics Enhanced (EMD+)") },
  { 19, 19, N_("Heavy Duty On-Board Diagnostics (Child/Partial) (HD OBD-C)") },
  { 20, 20, N_("Heavy Duty On-Board Diagnostics (HD OBD)") },
  { 21, 21, N_("World Wide Harmonized OBD (WWH OBD)") },
  { 22, 22, N_("Reserved") },
  { 23, 23, N_("Heavy Duty Euro OBD Stage I without NOx control (HD EOBD-I)") },
  { 24, 24, N_("Heavy Duty Euro OBD Stage I with NOx control (HD EOBD-I N)") },
  { 25, 25, N_("Heavy Duty Euro OBD Stage II without NOx control (HD EOBD-II)") },
  { 26, 26, N_("Heavy Duty Euro OBD Stage II with NOx control (HD EOBD-II N)") },
  { 27, 27, N_("Heavy Duty ZEV") },
  { 28, 28, N_("Brazil OBD Phase 1 (OBDBr-1)") },
  { 29, 29, N_("Brazil OBD Phase 2 (OBDBr-2)") },
  { 30, 30, N_("Korean OBD (KOBD)") },
  { 31, 31, N_("India OBD I (IOBD I)") },
  { 32, 32, N_("India OBD II (IOBD II)") },
  { 33, 33, N_("Heavy Duty Euro OBD Stage VI (HD EOBD-IV)") },
  { 34, 34, N_("OBD, OBD-II, and HD OBD") },
  { 35, 35, N_("Brazil OBD Phase 3 (OBDBr-3)") },
  { 36, 250, N_("Reserved") },
  /* J1939's "not available" / "error" codes, which J1979 keeps free. */
  { 251, 255, N_("Not available for assignment (SAE J1939 special meaning)") },
};
static const EnumTable obd_standard_table = {
  obd_standard_entries, G_N_ELEMENTS (obd_standard_entries), N_("Invalid")
};

/* PID 51 */
static const EnumEntry fuel_type_entries[] = {
  { 0, 0, N_("Not available") },
  { 1, 1, N_("Gasoline") },
  { 2, 2, N_("Methanol") },
  { 3, 3, N_("Ethanol") },
  { 4, 4, N_("Diesel") },
  { 5, 5, N_("LPG") },
  { 6, 6, N_("CNG") },
  { 7, 7, N_("Propane") },
  { 8, 8, N_("Electric") },
  { 9, 9, N_("Bifuel running gasoline") },
  { 10, 10, N_("Bifuel running methanol") },
  { 11, 11, N_("Bifuel running ethanol") },
  { 12, 12, N_("Bifuel running LPG") },
  { 13, 13, N_("Bifuel running CNG") },
  { 14, 14, N_("Bifuel running propane") },
  { 15, 15, N_("Bifuel running electricity") },
  { 16, 16, N_("Bifuel running electric and combustion engine") },
  { 17, 17, N_("Hybrid gasoline") },
  { 18, 18, N_("Hybrid ethanol") },
  { 19, 19, N_("Hybrid diesel") },
  { 20, 20, N_("Hybrid electric") },
  { 21, 21, N_("Hybrid running electric and combustion engine") },
  { 22, 22, N_("Hybrid regenerative") },
  { 23, 23, N_("Bifuel running diesel") },
};
static const EnumTable fuel_type_table = {
  fuel_type_entries, G_N_ELEMENTS (fuel_type_entries), N_("Reserved")
};

/* ---------------------------------------------------------------------- */
/* Multi-field PIDs                                                        */

/* PID 01, monitor status since DTCs cleared.  Byte A: MIL (A7) and the
 * count of confirmed DTCs (A6-A0).  Byte B: the common monitors
 * (availability B0-B2, completeness B4-B6) and the ignition type (B3),
 * which says how C (availability) and D (completeness) are to be read.
 * A completeness bit of 0 means complete, hence FIELD_INVERT.  C4/D4 is
 * the gasoline particulate filter (formerly reserved); C2/D2 and C4/D4 are
 * reserved for compression ignition.  C7/D7 is EGR/VVT for both. */
#define MONITOR(sup, off_a, off_c, bit, key_a, label_a, texts_a, key_c, label_c) \
  F_FLAG (sup, off_a, bit, 0, key_a, label_a, texts_a), \
  F_FLAG (sup, off_c, bit + ((off_a) == (off_c) ? 4 : 0), FIELD_INVERT, key_c, label_c, \
          texts_complete)

static const FieldSpec fields_monitor_status[] = {
  F_FLAG (ALWAYS, 0, 7, 0, "mil", N_("Malfunction indicator lamp"), texts_off_on),
  F_BITS (0, 0, 7, "dtc_count", N_("Confirmed trouble codes"), OBD_UNIT_COUNT, 127),
  F_FLAG (ALWAYS, 1, 3, 0, "ignition_type", N_("Ignition type"), texts_ignition),
  MONITOR (ALWAYS, 1, 1, 0, "misfire_available", N_("Misfire monitor available"),
           texts_available, "misfire_complete", N_("Misfire monitor complete")),
  MONITOR (ALWAYS, 1, 1, 1, "fuel_system_available", N_("Fuel system monitor available"),
           texts_available, "fuel_system_complete", N_("Fuel system monitor complete")),
  MONITOR (ALWAYS, 1, 1, 2, "components_available", N_("Components monitor available"),
           texts_available, "components_complete", N_("Components monitor complete")),
  MONITOR (ALWAYS, 2, 3, 7, "egr_vvt_available", N_("EGR/VVT system monitor available"),
           texts_available, "egr_vvt_complete", N_("EGR/VVT system monitor complete")),
  MONITOR (SPARK, 2, 3, 0, "catalyst_available", N_("Catalyst monitor available"),
           texts_available, "catalyst_complete", N_("Catalyst monitor complete")),
  MONITOR (SPARK, 2, 3, 1, "heated_catalyst_available",
           N_("Heated catalyst monitor available"), texts_available,
           "heated_catalyst_complete", N_("Heated catalyst monitor complete")),
  MONITOR (SPARK, 2, 3, 2, "evap_available", N_("Evaporative system monitor available"),
           texts_available, "evap_complete", N_("Evaporative system monitor complete")),
  MONITOR (SPARK, 2, 3, 3, "secondary_air_available",
           N_("Secondary air system monitor available"), texts_available,
           "secondary_air_complete", N_("Secondary air system monitor complete")),
  MONITOR (SPARK, 2, 3, 4, "gpf_available",
           N_("Gasoline particulate filter monitor available"), texts_available,
           "gpf_complete", N_("Gasoline particulate filter monitor complete")),
  MONITOR (SPARK, 2, 3, 5, "o2_sensor_available", N_("Oxygen sensor monitor available"),
           texts_available, "o2_sensor_complete", N_("Oxygen sensor monitor complete")),
  MONITOR (SPARK, 2, 3, 6, "o2_heater_available",
           N_("Oxygen sensor heater monitor available"), texts_available,
           "o2_heater_complete", N_("Oxygen sensor heater monitor complete")),
  MONITOR (COMPRESSION, 2, 3, 0, "nmhc_catalyst_available",
           N_("NMHC catalyst monitor available"), texts_available,
           "nmhc_catalyst_complete", N_("NMHC catalyst monitor complete")),
  MONITOR (COMPRESSION, 2, 3, 1, "nox_scr_available", N_("NOx/SCR monitor available"),
           texts_available, "nox_scr_complete", N_("NOx/SCR monitor complete")),
  MONITOR (COMPRESSION, 2, 3, 3, "boost_pressure_available",
           N_("Boost pressure monitor available"), texts_available,
           "boost_pressure_complete", N_("Boost pressure monitor complete")),
  MONITOR (COMPRESSION, 2, 3, 5, "exhaust_gas_sensor_available",
           N_("Exhaust gas sensor monitor available"), texts_available,
           "exhaust_gas_sensor_complete", N_("Exhaust gas sensor monitor complete")),
  MONITOR (COMPRESSION, 2, 3, 6, "pm_filter_available",
           N_("PM filter monitor available"), texts_available,
           "pm_filter_complete", N_("PM filter monitor complete")),
};

/* PID 41, monitor status this drive cycle: the same layout as PID 01
 * with byte A reserved; the "available" bits say whether the monitor is
 * enabled for this drive cycle. */
static const FieldSpec fields_monitor_cycle[] = {
  F_FLAG (ALWAYS, 1, 3, 0, "cycle_ignition_type", N_("Ignition type"), texts_ignition),
  MONITOR (ALWAYS, 1, 1, 0, "cycle_misfire_enabled",
           N_("Misfire monitor enabled this drive cycle"), texts_enabled,
           "cycle_misfire_complete", N_("Misfire monitor complete this drive cycle")),
  MONITOR (ALWAYS, 1, 1, 1, "cycle_fuel_system_enabled",
           N_("Fuel system monitor enabled this drive cycle"), texts_enabled,
           "cycle_fuel_system_complete",
           N_("Fuel system monitor complete this drive cycle")),
  MONITOR (ALWAYS, 1, 1, 2, "cycle_components_enabled",
           N_("Components monitor enabled this drive cycle"), texts_enabled,
           "cycle_components_complete", N_("Components monitor complete this drive cycle")),
  MONITOR (ALWAYS, 2, 3, 7, "cycle_egr_vvt_enabled",
           N_("EGR/VVT system monitor enabled this drive cycle"), texts_enabled,
           "cycle_egr_vvt_complete", N_("EGR/VVT system monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 0, "cycle_catalyst_enabled",
           N_("Catalyst monitor enabled this drive cycle"), texts_enabled,
           "cycle_catalyst_complete", N_("Catalyst monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 1, "cycle_heated_catalyst_enabled",
           N_("Heated catalyst monitor enabled this drive cycle"), texts_enabled,
           "cycle_heated_catalyst_complete",
           N_("Heated catalyst monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 2, "cycle_evap_enabled",
           N_("Evaporative system monitor enabled this drive cycle"), texts_enabled,
           "cycle_evap_complete", N_("Evaporative system monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 3, "cycle_secondary_air_enabled",
           N_("Secondary air system monitor enabled this drive cycle"), texts_enabled,
           "cycle_secondary_air_complete",
           N_("Secondary air system monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 4, "cycle_gpf_enabled",
           N_("Gasoline particulate filter monitor enabled this drive cycle"), texts_enabled,
           "cycle_gpf_complete",
           N_("Gasoline particulate filter monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 5, "cycle_o2_sensor_enabled",
           N_("Oxygen sensor monitor enabled this drive cycle"), texts_enabled,
           "cycle_o2_sensor_complete", N_("Oxygen sensor monitor complete this drive cycle")),
  MONITOR (SPARK, 2, 3, 6, "cycle_o2_heater_enabled",
           N_("Oxygen sensor heater monitor enabled this drive cycle"), texts_enabled,
           "cycle_o2_heater_complete",
           N_("Oxygen sensor heater monitor complete this drive cycle")),
  MONITOR (COMPRESSION, 2, 3, 0, "cycle_nmhc_catalyst_enabled",
           N_("NMHC catalyst monitor enabled this drive cycle"), texts_enabled,
           "cycle_nmhc_catalyst_complete",
           N_("NMHC catalyst monitor complete this drive cycle")),
  MONITOR (COMPRESSION, 2, 3, 1, "cycle_nox_scr_enabled",
           N_("NOx/SCR monitor enabled this drive cycle"), texts_enabled,
           "cycle_nox_scr_complete", N_("NOx/SCR monitor complete this drive cycle")),
  MONITOR (COMPRESSION, 2, 3, 3, "cycle_boost_pressure_enabled",
           N_("Boost pressure monitor enabled this drive cycle"), texts_enabled,
           "cycle_boost_pressure_complete",
           N_("Boost pressure monitor complete this drive cycle")),
  MONITOR (COMPRESSION, 2, 3, 5, "cycle_exhaust_gas_sensor_enabled",
           N_("Exhaust gas sensor monitor enabled this drive cycle"), texts_enabled,
           "cycle_exhaust_gas_sensor_complete",
           N_("Exhaust gas sensor monitor complete this drive cycle")),
  MONITOR (COMPRESSION, 2, 3, 6, "cycle_pm_filter_enabled",
           N_("PM filter monitor enabled this drive cycle"), texts_enabled,
           "cycle_pm_filter_complete", N_("PM filter monitor complete this drive cycle")),
};

/* PID 03: system 1 in byte A, system 2 (if any) in byte B. */
static const FieldSpec fields_fuel_system[] = {
  F_ENUM (0, "fuel_system_1", N_("Fuel system 1 status"), fuel_system_table, 0, 16),
  F_ENUM (1, "fuel_system_2", N_("Fuel system 2 status"), fuel_system_table, 0, 16),
};

static const FieldSpec fields_secondary_air[] = {
  F_ENUM (0, "secondary_air_status", N_("Commanded secondary air status"),
          secondary_air_table, 1, 8),
};

/* PID 13: [A0..A3] bank 1 sensors 1-4, [A4..A7] bank 2 sensors 1-4. */
static const FieldSpec fields_o2_present[] = {
  F_FLAG (ALWAYS, 0, 0, 0, "o2_b1s1_present", N_("Oxygen sensor bank 1 sensor 1"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 1, 0, "o2_b1s2_present", N_("Oxygen sensor bank 1 sensor 2"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 2, 0, "o2_b1s3_present", N_("Oxygen sensor bank 1 sensor 3"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 3, 0, "o2_b1s4_present", N_("Oxygen sensor bank 1 sensor 4"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 4, 0, "o2_b2s1_present", N_("Oxygen sensor bank 2 sensor 1"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 5, 0, "o2_b2s2_present", N_("Oxygen sensor bank 2 sensor 2"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 6, 0, "o2_b2s3_present", N_("Oxygen sensor bank 2 sensor 3"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 7, 0, "o2_b2s4_present", N_("Oxygen sensor bank 2 sensor 4"),
          texts_absent_present),
};

/* PID 1D: [A0..A7] == B1S1, B1S2, B2S1, B2S2, B3S1, B3S2, B4S1, B4S2. */
static const FieldSpec fields_o2_present_4bank[] = {
  F_FLAG (ALWAYS, 0, 0, 0, "o2_4bank_b1s1_present", N_("Oxygen sensor bank 1 sensor 1"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 1, 0, "o2_4bank_b1s2_present", N_("Oxygen sensor bank 1 sensor 2"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 2, 0, "o2_4bank_b2s1_present", N_("Oxygen sensor bank 2 sensor 1"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 3, 0, "o2_4bank_b2s2_present", N_("Oxygen sensor bank 2 sensor 2"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 4, 0, "o2_4bank_b3s1_present", N_("Oxygen sensor bank 3 sensor 1"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 5, 0, "o2_4bank_b3s2_present", N_("Oxygen sensor bank 3 sensor 2"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 6, 0, "o2_4bank_b4s1_present", N_("Oxygen sensor bank 4 sensor 1"),
          texts_absent_present),
  F_FLAG (ALWAYS, 0, 7, 0, "o2_4bank_b4s2_present", N_("Oxygen sensor bank 4 sensor 2"),
          texts_absent_present),
};

/* PID 1E: A0 is the power take-off status, A1-A7 are not used. */
static const FieldSpec fields_aux_input[] = {
  F_FLAG (ALWAYS, 0, 0, 0, "pto_active", N_("Power take-off"), texts_inactive_active),
};

static const FieldSpec fields_obd_standard[] = {
  F_ENUM (0, "obd_standard", N_("OBD standard"), obd_standard_table, 1, 250),
};

static const FieldSpec fields_fuel_type[] = {
  F_ENUM (0, "fuel_type", N_("Fuel type"), fuel_type_table, 0, 23),
};

/* PIDs 14-1B, 24-2B, 34-3B.  The sensor number maps to bank and sensor
 * through PID 13 (B1S1..B1S4, B2S1..B2S4) or PID 1D (B1S1, B1S2, B2S1, ...),
 * whichever the vehicle supports.  PIDs 14-1B: A/200 V, and the short term
 * fuel trim in B unless B is 0xFF (sensor not used in the trim). */
static const FieldSpec fields_o2_s1[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s1_voltage", N_("Oxygen sensor 1 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s1_stft", N_("Oxygen sensor 1 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s2[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s2_voltage", N_("Oxygen sensor 2 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s2_stft", N_("Oxygen sensor 2 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s3[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s3_voltage", N_("Oxygen sensor 3 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s3_stft", N_("Oxygen sensor 3 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s4[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s4_voltage", N_("Oxygen sensor 4 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s4_stft", N_("Oxygen sensor 4 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s5[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s5_voltage", N_("Oxygen sensor 5 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s5_stft", N_("Oxygen sensor 5 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s6[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s6_voltage", N_("Oxygen sensor 6 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s6_stft", N_("Oxygen sensor 6 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s7[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s7_voltage", N_("Oxygen sensor 7 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s7_stft", N_("Oxygen sensor 7 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s8[] = {
  F_LIN (ALWAYS, 0, 1, "o2_s8_voltage", N_("Oxygen sensor 8 voltage"), OBD_UNIT_VOLT, 0, 1.275),
  F_LIN_FF (1, "o2_s8_stft", N_("Oxygen sensor 8 short term fuel trim"), -100, 99.21875),
};

static const FieldSpec fields_o2_s1_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s1_lambda", N_("Oxygen sensor 1 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s1_wr_voltage", N_("Oxygen sensor 1 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s2_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s2_lambda", N_("Oxygen sensor 2 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s2_wr_voltage", N_("Oxygen sensor 2 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s3_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s3_lambda", N_("Oxygen sensor 3 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s3_wr_voltage", N_("Oxygen sensor 3 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s4_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s4_lambda", N_("Oxygen sensor 4 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s4_wr_voltage", N_("Oxygen sensor 4 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s5_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s5_lambda", N_("Oxygen sensor 5 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s5_wr_voltage", N_("Oxygen sensor 5 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s6_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s6_lambda", N_("Oxygen sensor 6 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s6_wr_voltage", N_("Oxygen sensor 6 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s7_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s7_lambda", N_("Oxygen sensor 7 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s7_wr_voltage", N_("Oxygen sensor 7 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s8_lambda_voltage[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s8_lambda", N_("Oxygen sensor 8 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s8_wr_voltage", N_("Oxygen sensor 8 voltage"),
         OBD_UNIT_VOLT, 0, WR_VOLTAGE_MAX),
};

static const FieldSpec fields_o2_s1_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s1_wr_lambda", N_("Oxygen sensor 1 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s1_wr_current", N_("Oxygen sensor 1 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s2_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s2_wr_lambda", N_("Oxygen sensor 2 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s2_wr_current", N_("Oxygen sensor 2 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s3_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s3_wr_lambda", N_("Oxygen sensor 3 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s3_wr_current", N_("Oxygen sensor 3 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s4_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s4_wr_lambda", N_("Oxygen sensor 4 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s4_wr_current", N_("Oxygen sensor 4 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s5_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s5_wr_lambda", N_("Oxygen sensor 5 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s5_wr_current", N_("Oxygen sensor 5 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s6_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s6_wr_lambda", N_("Oxygen sensor 6 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s6_wr_current", N_("Oxygen sensor 6 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s7_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s7_wr_lambda", N_("Oxygen sensor 7 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s7_wr_current", N_("Oxygen sensor 7 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};

static const FieldSpec fields_o2_s8_lambda_current[] = {
  F_LIN (ALWAYS, 0, 2, "o2_s8_wr_lambda", N_("Oxygen sensor 8 equivalence ratio"),
         OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  F_LIN (ALWAYS, 2, 2, "o2_s8_wr_current", N_("Oxygen sensor 8 current"),
         OBD_UNIT_MILLIAMP, -128, WR_CURRENT_MAX),
};
/* PID 4F: the scaling maxima the vehicle uses for PIDs 24-2B, 34-3B and 0B. */
static const FieldSpec fields_max_values[] = {
  F_LIN (ALWAYS, 0, 1, "max_equiv_ratio", N_("Maximum equivalence ratio"),
         OBD_UNIT_NONE, 0, 255),
  F_LIN (ALWAYS, 1, 1, "max_o2_voltage", N_("Maximum oxygen sensor voltage"),
         OBD_UNIT_VOLT, 0, 255),
  F_LIN (ALWAYS, 2, 1, "max_o2_current", N_("Maximum oxygen sensor current"),
         OBD_UNIT_MILLIAMP, 0, 255),
  F_LIN (ALWAYS, 3, 1, "max_map", N_("Maximum intake manifold absolute pressure"),
         OBD_UNIT_KPA, 0, 2550),
};

/* PID 50: A*10 g/s; B, C and D are reserved. */
static const FieldSpec fields_max_maf[] = {
  F_LIN (ALWAYS, 0, 1, "max_maf", N_("Maximum mass air flow rate"),
         OBD_UNIT_GRAMS_PER_SEC, 0, 2550),
};

/* PIDs 55-58: secondary oxygen sensor trims, A and B for two banks. */
static const FieldSpec fields_sec_o2_stft_13[] = {
  F_LIN (ALWAYS, 0, 1, "sec_o2_stft_b1", N_("Short term secondary oxygen sensor trim bank 1"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
  F_LIN (ALWAYS, 1, 1, "sec_o2_stft_b3", N_("Short term secondary oxygen sensor trim bank 3"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
};
static const FieldSpec fields_sec_o2_ltft_13[] = {
  F_LIN (ALWAYS, 0, 1, "sec_o2_ltft_b1", N_("Long term secondary oxygen sensor trim bank 1"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
  F_LIN (ALWAYS, 1, 1, "sec_o2_ltft_b3", N_("Long term secondary oxygen sensor trim bank 3"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
};
static const FieldSpec fields_sec_o2_stft_24[] = {
  F_LIN (ALWAYS, 0, 1, "sec_o2_stft_b2", N_("Short term secondary oxygen sensor trim bank 2"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
  F_LIN (ALWAYS, 1, 1, "sec_o2_stft_b4", N_("Short term secondary oxygen sensor trim bank 4"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
};
static const FieldSpec fields_sec_o2_ltft_24[] = {
  F_LIN (ALWAYS, 0, 1, "sec_o2_ltft_b2", N_("Long term secondary oxygen sensor trim bank 2"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
  F_LIN (ALWAYS, 1, 1, "sec_o2_ltft_b4", N_("Long term secondary oxygen sensor trim bank 4"),
         OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
};

/* PID 64: A-125 % at idle and at engine points 1 to 4. */
static const FieldSpec fields_torque_data[] = {
  F_LIN (ALWAYS, 0, 1, "torque_idle", N_("Engine percent torque at idle"),
         OBD_UNIT_PERCENT, -125, 130),
  F_LIN (ALWAYS, 1, 1, "torque_point_1", N_("Engine percent torque at point 1"),
         OBD_UNIT_PERCENT, -125, 130),
  F_LIN (ALWAYS, 2, 1, "torque_point_2", N_("Engine percent torque at point 2"),
         OBD_UNIT_PERCENT, -125, 130),
  F_LIN (ALWAYS, 3, 1, "torque_point_3", N_("Engine percent torque at point 3"),
         OBD_UNIT_PERCENT, -125, 130),
  F_LIN (ALWAYS, 4, 1, "torque_point_4", N_("Engine percent torque at point 4"),
         OBD_UNIT_PERCENT, -125, 130),
};

/* PID 65: support bits A0-A3, states B0-B3. */
static const char *const texts_auto_trans[] = {
  N_("Park or neutral"), N_("Drive or reverse")
};
static const char *const texts_manual_trans[] = {
  N_("Neutral or clutch depressed"), N_("In gear")
};
static const FieldSpec fields_aux_io[] = {
  F_FLAG (0, 1, 0, 0, "aux_pto", N_("Power take-off"), texts_inactive_active),
  F_FLAG (1, 1, 1, 0, "aux_auto_trans", N_("Automatic transmission"), texts_auto_trans),
  F_FLAG (2, 1, 2, 0, "aux_manual_trans", N_("Manual transmission"), texts_manual_trans),
  F_FLAG (3, 1, 3, 0, "aux_glow_plug_lamp", N_("Glow plug lamp"), texts_off_on),
};

/* PID 66: [A0] sensor A supported, [A1] sensor B; (256B+C)/32 g/s. */
static const FieldSpec fields_maf_sensors[] = {
  F_LIN (0, 1, 2, "maf_a", N_("Mass air flow sensor A"), OBD_UNIT_GRAMS_PER_SEC,
         0, 2047.96875),
  F_LIN (1, 3, 2, "maf_b", N_("Mass air flow sensor B"), OBD_UNIT_GRAMS_PER_SEC,
         0, 2047.96875),
};

/* PID 67 */
static const FieldSpec fields_coolant_sensors[] = {
  F_LIN (0, 1, 1, "coolant_temp_1", N_("Engine coolant temperature sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (1, 2, 1, "coolant_temp_2", N_("Engine coolant temperature sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
};

/* PID 68: seven bytes, support bits A0-A5 for bank 1 sensors 1-3 and bank
 * 2 sensors 1-3.  (Some copies of the PID list give it three bytes like
 * PID 67; J1979 has six sensors, and the length matters when splitting
 * multi-PID replies.) */
static const FieldSpec fields_intake_sensors[] = {
  F_LIN (0, 1, 1, "intake_temp_b1s1", N_("Intake air temperature bank 1 sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (1, 2, 1, "intake_temp_b1s2", N_("Intake air temperature bank 1 sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (2, 3, 1, "intake_temp_b1s3", N_("Intake air temperature bank 1 sensor 3"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (3, 4, 1, "intake_temp_b2s1", N_("Intake air temperature bank 2 sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (4, 5, 1, "intake_temp_b2s2", N_("Intake air temperature bank 2 sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (5, 6, 1, "intake_temp_b2s3", N_("Intake air temperature bank 2 sensor 3"),
         OBD_UNIT_CELSIUS, -40, 215),
};

/* PID 69: commanded and actual EGR A/B duty cycle or position, and the
 * EGR error ((A-128)*100/128 %); support bits A0-A5. */
static const FieldSpec fields_egr[] = {
  F_LIN (0, 1, 1, "egr_a_commanded", N_("Commanded EGR A"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (1, 2, 1, "egr_a_actual", N_("Actual EGR A"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (2, 3, 1, "egr_a_error", N_("EGR A error"), OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
  F_LIN (3, 4, 1, "egr_b_commanded", N_("Commanded EGR B"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (4, 5, 1, "egr_b_actual", N_("Actual EGR B"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (5, 6, 1, "egr_b_error", N_("EGR B error"), OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX),
};

/* PID 6A */
static const FieldSpec fields_diesel_intake_air[] = {
  F_LIN (0, 1, 1, "intake_air_flow_a_commanded",
         N_("Commanded diesel intake air flow A"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (1, 2, 1, "intake_air_flow_a_position",
         N_("Relative intake air flow A position"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (2, 3, 1, "intake_air_flow_b_commanded",
         N_("Commanded diesel intake air flow B"), OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (3, 4, 1, "intake_air_flow_b_position",
         N_("Relative intake air flow B position"), OBD_UNIT_PERCENT, 0, PCT_MAX),
};

/* PID 6B */
static const FieldSpec fields_egr_temp[] = {
  F_LIN (0, 1, 1, "egr_temp_b1s1", N_("EGR temperature bank 1 sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (1, 2, 1, "egr_temp_b1s2", N_("EGR temperature bank 1 sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (2, 3, 1, "egr_temp_b2s1", N_("EGR temperature bank 2 sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (3, 4, 1, "egr_temp_b2s2", N_("EGR temperature bank 2 sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
};

/* PID 6C */
static const FieldSpec fields_throttle_actuator[] = {
  F_LIN (0, 1, 1, "throttle_a_commanded", N_("Commanded throttle actuator A"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (1, 2, 1, "throttle_a_relative", N_("Relative throttle A position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (2, 3, 1, "throttle_b_commanded", N_("Commanded throttle actuator B"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (3, 4, 1, "throttle_b_relative", N_("Relative throttle B position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
};

/* PID 6D: rail pressures 10 kPa per bit, fuel temperature A-40 °C, for
 * fuel systems A and B (support bits A0-A5). */
static const FieldSpec fields_fuel_pressure_control[] = {
  F_LIN (0, 1, 2, "fuel_rail_pressure_a_commanded", N_("Commanded fuel rail pressure A"),
         OBD_UNIT_KPA, 0, 655350),
  F_LIN (1, 3, 2, "fuel_rail_pressure_a", N_("Fuel rail pressure A"),
         OBD_UNIT_KPA, 0, 655350),
  F_LIN (2, 5, 1, "fuel_temp_a", N_("Fuel temperature A"), OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (3, 6, 2, "fuel_rail_pressure_b_commanded", N_("Commanded fuel rail pressure B"),
         OBD_UNIT_KPA, 0, 655350),
  F_LIN (4, 8, 2, "fuel_rail_pressure_b", N_("Fuel rail pressure B"),
         OBD_UNIT_KPA, 0, 655350),
  F_LIN (5, 10, 1, "fuel_temp_b", N_("Fuel temperature B"), OBD_UNIT_CELSIUS, -40, 215),
};

/* PID 6E: injection control pressures, 10 kPa per bit. */
static const FieldSpec fields_injection_pressure[] = {
  F_LIN (0, 1, 2, "injection_pressure_a_commanded",
         N_("Commanded injection control pressure A"), OBD_UNIT_KPA, 0, 655350),
  F_LIN (1, 3, 2, "injection_pressure_a", N_("Injection control pressure A"),
         OBD_UNIT_KPA, 0, 655350),
  F_LIN (2, 5, 2, "injection_pressure_b_commanded",
         N_("Commanded injection control pressure B"), OBD_UNIT_KPA, 0, 655350),
  F_LIN (3, 7, 2, "injection_pressure_b", N_("Injection control pressure B"),
         OBD_UNIT_KPA, 0, 655350),
};

/* PID 6F: 1 kPa per bit. */
static const FieldSpec fields_compressor_inlet[] = {
  F_LIN (0, 1, 1, "compressor_inlet_pressure_a",
         N_("Turbocharger compressor inlet pressure A"), OBD_UNIT_KPA, 0, 255),
  F_LIN (1, 2, 1, "compressor_inlet_pressure_b",
         N_("Turbocharger compressor inlet pressure B"), OBD_UNIT_KPA, 0, 255),
};

/* PID 70: pressures 1/32 kPa per bit.  Byte J carries the boost control
 * loop status bits, passed through undecoded. */
static const FieldSpec fields_boost_control[] = {
  F_LIN (0, 1, 2, "boost_pressure_a_commanded", N_("Commanded boost pressure A"),
         OBD_UNIT_KPA, 0, 2047.96875),
  F_LIN (1, 3, 2, "boost_pressure_a", N_("Boost pressure A"), OBD_UNIT_KPA, 0, 2047.96875),
  F_LIN (2, 5, 2, "boost_pressure_b_commanded", N_("Commanded boost pressure B"),
         OBD_UNIT_KPA, 0, 2047.96875),
  F_LIN (3, 7, 2, "boost_pressure_b", N_("Boost pressure B"), OBD_UNIT_KPA, 0, 2047.96875),
  F_RAW (9, 1, "boost_control_status", N_("Boost pressure control status (raw)")),
};

/* PID 71: byte F carries the VGT control loop status bits, undecoded. */
static const FieldSpec fields_vgt_control[] = {
  F_LIN (0, 1, 1, "vgt_a_commanded", N_("Commanded variable geometry turbo A position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (1, 2, 1, "vgt_a_position", N_("Variable geometry turbo A position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (2, 3, 1, "vgt_b_commanded", N_("Commanded variable geometry turbo B position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (3, 4, 1, "vgt_b_position", N_("Variable geometry turbo B position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_RAW (5, 1, "vgt_control_status", N_("Variable geometry turbo control status (raw)")),
};

/* PID 72 */
static const FieldSpec fields_wastegate[] = {
  F_LIN (0, 1, 1, "wastegate_a_commanded", N_("Commanded wastegate A position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (1, 2, 1, "wastegate_a_position", N_("Wastegate A position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (2, 3, 1, "wastegate_b_commanded", N_("Commanded wastegate B position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_LIN (3, 4, 1, "wastegate_b_position", N_("Wastegate B position"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
};

/* PID 73: 0.01 kPa per bit. */
static const FieldSpec fields_exhaust_pressure[] = {
  F_LIN (0, 1, 2, "exhaust_pressure_b1", N_("Exhaust pressure bank 1"),
         OBD_UNIT_KPA, 0, 655.35),
  F_LIN (1, 3, 2, "exhaust_pressure_b2", N_("Exhaust pressure bank 2"),
         OBD_UNIT_KPA, 0, 655.35),
};

/* PID 74: 10 rpm per bit — turbochargers spin well beyond the 65535 rpm
 * one rpm per bit could carry. */
static const FieldSpec fields_turbo_rpm[] = {
  F_LIN (0, 1, 2, "turbo_rpm_a", N_("Turbocharger A speed"), OBD_UNIT_RPM, 0, 655350),
  F_LIN (1, 3, 2, "turbo_rpm_b", N_("Turbocharger B speed"), OBD_UNIT_RPM, 0, 655350),
};

/* PIDs 75/76: compressor temperatures one byte A-40 °C, turbine
 * temperatures two bytes (256A+B)/10-40 °C. */
static const FieldSpec fields_turbo_a_temp[] = {
  F_LIN (0, 1, 1, "turbo_a_compressor_inlet_temp",
         N_("Turbocharger A compressor inlet temperature"), OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (1, 2, 1, "turbo_a_compressor_outlet_temp",
         N_("Turbocharger A compressor outlet temperature"), OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (2, 3, 2, "turbo_a_turbine_inlet_temp",
         N_("Turbocharger A turbine inlet temperature"), OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (3, 5, 2, "turbo_a_turbine_outlet_temp",
         N_("Turbocharger A turbine outlet temperature"), OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
};
static const FieldSpec fields_turbo_b_temp[] = {
  F_LIN (0, 1, 1, "turbo_b_compressor_inlet_temp",
         N_("Turbocharger B compressor inlet temperature"), OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (1, 2, 1, "turbo_b_compressor_outlet_temp",
         N_("Turbocharger B compressor outlet temperature"), OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (2, 3, 2, "turbo_b_turbine_inlet_temp",
         N_("Turbocharger B turbine inlet temperature"), OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (3, 5, 2, "turbo_b_turbine_outlet_temp",
         N_("Turbocharger B turbine outlet temperature"), OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
};

/* PID 77 */
static const FieldSpec fields_cact[] = {
  F_LIN (0, 1, 1, "cact_b1s1", N_("Charge air cooler temperature bank 1 sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (1, 2, 1, "cact_b1s2", N_("Charge air cooler temperature bank 1 sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (2, 3, 1, "cact_b2s1", N_("Charge air cooler temperature bank 2 sensor 1"),
         OBD_UNIT_CELSIUS, -40, 215),
  F_LIN (3, 4, 1, "cact_b2s2", N_("Charge air cooler temperature bank 2 sensor 2"),
         OBD_UNIT_CELSIUS, -40, 215),
};

/* PIDs 78/79: [A0..A3] sensors 1-4 supported, each (256X+Y)/10-40 °C. */
static const FieldSpec fields_egt_b1[] = {
  F_LIN (0, 1, 2, "egt_b1s1", N_("Exhaust gas temperature bank 1 sensor 1"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (1, 3, 2, "egt_b1s2", N_("Exhaust gas temperature bank 1 sensor 2"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (2, 5, 2, "egt_b1s3", N_("Exhaust gas temperature bank 1 sensor 3"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (3, 7, 2, "egt_b1s4", N_("Exhaust gas temperature bank 1 sensor 4"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
};
static const FieldSpec fields_egt_b2[] = {
  F_LIN (0, 1, 2, "egt_b2s1", N_("Exhaust gas temperature bank 2 sensor 1"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (1, 3, 2, "egt_b2s2", N_("Exhaust gas temperature bank 2 sensor 2"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (2, 5, 2, "egt_b2s3", N_("Exhaust gas temperature bank 2 sensor 3"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (3, 7, 2, "egt_b2s4", N_("Exhaust gas temperature bank 2 sensor 4"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
};

/* PIDs 7A/7B: DPF of bank 1 / bank 2, 0.01 kPa per bit.  The delta
 * pressure is signed; read as two's complement, as J1979 does for its
 * other signed pressures (PIDs 32 and 54). */
static const FieldSpec fields_dpf_b1[] = {
  F_SIGNED (0, 1, 2, "dpf_b1_delta_pressure", N_("DPF bank 1 delta pressure"),
            OBD_UNIT_KPA, -327.68, 327.67),
  F_LIN (1, 3, 2, "dpf_b1_inlet_pressure", N_("DPF bank 1 inlet pressure"),
         OBD_UNIT_KPA, 0, 655.35),
  F_LIN (2, 5, 2, "dpf_b1_outlet_pressure", N_("DPF bank 1 outlet pressure"),
         OBD_UNIT_KPA, 0, 655.35),
};
static const FieldSpec fields_dpf_b2[] = {
  F_SIGNED (0, 1, 2, "dpf_b2_delta_pressure", N_("DPF bank 2 delta pressure"),
            OBD_UNIT_KPA, -327.68, 327.67),
  F_LIN (1, 3, 2, "dpf_b2_inlet_pressure", N_("DPF bank 2 inlet pressure"),
         OBD_UNIT_KPA, 0, 655.35),
  F_LIN (2, 5, 2, "dpf_b2_outlet_pressure", N_("DPF bank 2 outlet pressure"),
         OBD_UNIT_KPA, 0, 655.35),
};

/* PID 7C */
static const FieldSpec fields_dpf_temp[] = {
  F_LIN (0, 1, 2, "dpf_b1_inlet_temp", N_("DPF bank 1 inlet temperature"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (1, 3, 2, "dpf_b1_outlet_temp", N_("DPF bank 1 outlet temperature"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (2, 5, 2, "dpf_b2_inlet_temp", N_("DPF bank 2 inlet temperature"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
  F_LIN (3, 7, 2, "dpf_b2_outlet_temp", N_("DPF bank 2 outlet temperature"),
         OBD_UNIT_CELSIUS, -40, TEMP16_MAX),
};

/* PIDs 7D/7E: Not-To-Exceed control area status, A0-A3. */
static const FieldSpec fields_nox_nte[] = {
  F_FLAG (ALWAYS, 0, 0, 0, "nox_nte_inside", N_("Inside NOx NTE control area"),
          texts_no_yes),
  F_FLAG (ALWAYS, 0, 1, 0, "nox_nte_outside", N_("Outside NOx NTE control area"),
          texts_no_yes),
  F_FLAG (ALWAYS, 0, 2, 0, "nox_nte_carve_out",
          N_("Inside manufacturer-specific NOx NTE carve-out area"), texts_no_yes),
  F_FLAG (ALWAYS, 0, 3, 0, "nox_nte_deficiency", N_("NOx NTE deficiency area active"),
          texts_no_yes),
};
static const FieldSpec fields_pm_nte[] = {
  F_FLAG (ALWAYS, 0, 0, 0, "pm_nte_inside", N_("Inside PM NTE control area"),
          texts_no_yes),
  F_FLAG (ALWAYS, 0, 1, 0, "pm_nte_outside", N_("Outside PM NTE control area"),
          texts_no_yes),
  F_FLAG (ALWAYS, 0, 2, 0, "pm_nte_carve_out",
          N_("Inside manufacturer-specific PM NTE carve-out area"), texts_no_yes),
  F_FLAG (ALWAYS, 0, 3, 0, "pm_nte_deficiency", N_("PM NTE deficiency area active"),
          texts_no_yes),
};

/* PID 7F: total, idle and PTO run time, four bytes of seconds each. */
static const FieldSpec fields_engine_run_time[] = {
  F_LIN (0, 1, 4, "engine_run_time_total", N_("Total engine run time"),
         OBD_UNIT_SECOND, 0, 4294967295.0),
  F_LIN (1, 5, 4, "engine_run_time_idle", N_("Total engine idle run time"),
         OBD_UNIT_SECOND, 0, 4294967295.0),
  F_LIN (2, 9, 4, "engine_run_time_pto", N_("Total engine run time with PTO active"),
         OBD_UNIT_SECOND, 0, 4294967295.0),
};

/* PID 85: byte F is the reagent tank level (100/255 %); the layout of the
 * other bytes is not in our public sources, so the whole reply is also
 * passed through. */
static const FieldSpec fields_nox_reagent[] = {
  F_LIN (ALWAYS, 5, 1, "reagent_tank_level", N_("NOx reagent tank level"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_RAW (0, 10, "nox_reagent_system_raw", N_("NOx reagent system (raw)")),
};

/* PID 9B: byte D is the diesel exhaust fluid tank level (100/255 %);
 * bytes A-C are passed through. */
static const FieldSpec fields_def_sensor[] = {
  F_LIN (ALWAYS, 3, 1, "def_tank_level", N_("Diesel exhaust fluid tank level"),
         OBD_UNIT_PERCENT, 0, PCT_MAX),
  F_RAW (0, 3, "def_sensor_raw", N_("Diesel exhaust fluid sensor data (raw)")),
};

/* PID 9D: engine and vehicle fuel rate, 0.02 g/s per bit. */
static const FieldSpec fields_fuel_rate_mass[] = {
  F_LIN (ALWAYS, 0, 2, "engine_fuel_rate_mass", N_("Engine fuel rate"),
         OBD_UNIT_GRAMS_PER_SEC, 0, 1310.7),
  F_LIN (ALWAYS, 2, 2, "vehicle_fuel_rate_mass", N_("Vehicle fuel rate"),
         OBD_UNIT_GRAMS_PER_SEC, 0, 1310.7),
};

/* PID A4: [A1] supported, (256C+D)/1000. */
static const FieldSpec fields_gear_ratio[] = {
  F_LIN (1, 2, 2, "gear_ratio", N_("Transmission actual gear ratio"), OBD_UNIT_RATIO,
         0, 65.535),
};

/* PID A5: [A0] supported, B/2 %. */
static const FieldSpec fields_def_dosing[] = {
  F_LIN (0, 1, 1, "def_dosing", N_("Commanded diesel exhaust fluid dosing"),
         OBD_UNIT_PERCENT, 0, 127.5),
};

/* PID A9: [A0] supported, [B0] switch state. */
static const FieldSpec fields_abs_switch[] = {
  F_FLAG (0, 1, 0, 0, "abs_disabled", N_("ABS disable switch"), texts_no_yes),
};

typedef struct
{
  guint8           pid;
  const FieldSpec *fields;
  guint            n_fields;
} PidFields;

#define FIELDS(pid, array) { pid, array, G_N_ELEMENTS (array) }

/* Ordered by PID. */
static const PidFields pid_fields[] = {
  FIELDS (0x01, fields_monitor_status),
  FIELDS (0x03, fields_fuel_system),
  FIELDS (0x12, fields_secondary_air),
  FIELDS (0x13, fields_o2_present),
  FIELDS (0x14, fields_o2_s1),
  FIELDS (0x15, fields_o2_s2),
  FIELDS (0x16, fields_o2_s3),
  FIELDS (0x17, fields_o2_s4),
  FIELDS (0x18, fields_o2_s5),
  FIELDS (0x19, fields_o2_s6),
  FIELDS (0x1A, fields_o2_s7),
  FIELDS (0x1B, fields_o2_s8),
  FIELDS (0x1C, fields_obd_standard),
  FIELDS (0x1D, fields_o2_present_4bank),
  FIELDS (0x1E, fields_aux_input),
  FIELDS (0x24, fields_o2_s1_lambda_voltage),
  FIELDS (0x25, fields_o2_s2_lambda_voltage),
  FIELDS (0x26, fields_o2_s3_lambda_voltage),
  FIELDS (0x27, fields_o2_s4_lambda_voltage),
  FIELDS (0x28, fields_o2_s5_lambda_voltage),
  FIELDS (0x29, fields_o2_s6_lambda_voltage),
  FIELDS (0x2A, fields_o2_s7_lambda_voltage),
  FIELDS (0x2B, fields_o2_s8_lambda_voltage),
  FIELDS (0x34, fields_o2_s1_lambda_current),
  FIELDS (0x35, fields_o2_s2_lambda_current),
  FIELDS (0x36, fields_o2_s3_lambda_current),
  FIELDS (0x37, fields_o2_s4_lambda_current),
  FIELDS (0x38, fields_o2_s5_lambda_current),
  FIELDS (0x39, fields_o2_s6_lambda_current),
  FIELDS (0x3A, fields_o2_s7_lambda_current),
  FIELDS (0x3B, fields_o2_s8_lambda_current),
  FIELDS (0x41, fields_monitor_cycle),
  FIELDS (0x4F, fields_max_values),
  FIELDS (0x50, fields_max_maf),
  FIELDS (0x51, fields_fuel_type),
  FIELDS (0x55, fields_sec_o2_stft_13),
  FIELDS (0x56, fields_sec_o2_ltft_13),
  FIELDS (0x57, fields_sec_o2_stft_24),
  FIELDS (0x58, fields_sec_o2_ltft_24),
  FIELDS (0x64, fields_torque_data),
  FIELDS (0x65, fields_aux_io),
  FIELDS (0x66, fields_maf_sensors),
  FIELDS (0x67, fields_coolant_sensors),
  FIELDS (0x68, fields_intake_sensors),
  FIELDS (0x69, fields_egr),
  FIELDS (0x6A, fields_diesel_intake_air),
  FIELDS (0x6B, fields_egr_temp),
  FIELDS (0x6C, fields_throttle_actuator),
  FIELDS (0x6D, fields_fuel_pressure_control),
  FIELDS (0x6E, fields_injection_pressure),
  FIELDS (0x6F, fields_compressor_inlet),
  FIELDS (0x70, fields_boost_control),
  FIELDS (0x71, fields_vgt_control),
  FIELDS (0x72, fields_wastegate),
  FIELDS (0x73, fields_exhaust_pressure),
  FIELDS (0x74, fields_turbo_rpm),
  FIELDS (0x75, fields_turbo_a_temp),
  FIELDS (0x76, fields_turbo_b_temp),
  FIELDS (0x77, fields_cact),
  FIELDS (0x78, fields_egt_b1),
  FIELDS (0x79, fields_egt_b2),
  FIELDS (0x7A, fields_dpf_b1),
  FIELDS (0x7B, fields_dpf_b2),
  FIELDS (0x7C, fields_dpf_temp),
  FIELDS (0x7D, fields_nox_nte),
  FIELDS (0x7E, fields_pm_nte),
  FIELDS (0x7F, fields_engine_run_time),
  FIELDS (0x85, fields_nox_reagent),
  FIELDS (0x9B, fields_def_sensor),
  FIELDS (0x9D, fields_fuel_rate_mass),
  FIELDS (0xA4, fields_gear_ratio),
  FIELDS (0xA5, fields_def_dosing),
  FIELDS (0xA9, fields_abs_switch),
};

/* ---------------------------------------------------------------------- */
/* Decoders                                                                */

static guint64
read_be (const guint8 *data,
         gsize         size)
{
  guint64 raw = 0;

  for (gsize i = 0; i < size; i++)
    raw = (raw << 8) | data[i];

  return raw;
}

static double
raw_max (gsize size)
{
  return ldexp (1.0, (int) (8 * size)) - 1.0;
}

/* min + raw * (max - min) / raw_max, multiplied before dividing so that
 * exact scalings (1/4 rpm, 1/10 °C) stay exact for integer results. */
static double
scale_unsigned (guint64 raw,
                gsize   size,
                double  min,
                double  max)
{
  return min + ((double) raw * (max - min)) / raw_max (size);
}

/* Two's complement: the step is the same as for the unsigned range,
 * (max - min) / raw_max, and raw 0 is 0. */
static double
scale_signed (guint64 raw,
              gsize   size,
              double  min,
              double  max)
{
  gint64 value = (gint64) raw;
  guint bits = (guint) (8 * size);

  if (bits < 64 && (raw & (G_GUINT64_CONSTANT (1) << (bits - 1))) != 0)
    value -= (gint64) (G_GUINT64_CONSTANT (1) << bits);

  return ((double) value * (max - min)) / raw_max (size);
}

static char *
hex_string (const guint8 *data,
            gsize         len)
{
  GString *str = g_string_sized_new (len * 3);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (str, i == 0 ? "%02X" : " %02X", data[i]);

  return g_string_free (str, FALSE);
}

static void
push_value (GArray     *values,
            guint8      pid,
            guint       index,
            const char *key,
            const char *label,
            ObdUnit     unit,
            double      value,
            double      min,
            double      max,
            char       *text)
{
  ObdValue v = {
    .pid = pid,
    .index = (guint8) index,
    .key = key,
    .label = label,
    .unit = unit,
    .value = value,
    .min = min,
    .max = max,
    .text = text,
  };

  g_array_append_val (values, v);
}

/* Raw bytes as a value: a number while it fits a double exactly (six
 * bytes), and always the bytes in hex as the text. */
static void
push_raw (GArray       *values,
          guint8        pid,
          guint         index,
          const char   *key,
          const char   *label,
          const guint8 *data,
          gsize         len)
{
  double number = len <= 6 ? (double) read_be (data, len) : 0.0;

  push_value (values, pid, index, key, label, OBD_UNIT_NONE, number, 0, 0,
              hex_string (data, len));
}

static void
decode_linear (const ObdPidInfo *info,
               const guint8     *data,
               gsize             len,
               GArray           *values)
{
  double value = scale_unsigned (read_be (data, info->n_bytes), info->n_bytes,
                                 info->min, info->max);

  push_value (values, info->pid, 0, info->key, info->label, info->unit,
              value, info->min, info->max, NULL);
}

static void
decode_signed (const ObdPidInfo *info,
               const guint8     *data,
               gsize             len,
               GArray           *values)
{
  double value = scale_signed (read_be (data, info->n_bytes), info->n_bytes,
                               info->min, info->max);

  push_value (values, info->pid, 0, info->key, info->label, info->unit,
              value, info->min, info->max, NULL);
}

/* Supported-PID bitmaps: bit A7 is PID base+1, D0 is PID base+32. */
static void
decode_bitmap (const ObdPidInfo *info,
               const guint8     *data,
               gsize             len,
               GArray           *values)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 32; i++)
    {
      if ((data[i / 8] & (0x80 >> (i % 8))) == 0)
        continue;
      g_string_append_printf (text, text->len == 0 ? "%02X" : " %02X",
                              (info->pid + 1 + i) & 0xFF);
    }

  if (text->len == 0)
    g_string_assign (text, _("None"));

  push_value (values, info->pid, 0, info->key, info->label, OBD_UNIT_NONE,
              (double) read_be (data, 4), info->min, info->max,
              g_string_free (text, FALSE));
}

/* PID 02 (Mode 02): the DTC that stored the freeze frame, coded as in
 * Mode 03 — A7-A6 the letter, then 14 bits shown as four hex digits of
 * which the first is 0-3.  0000 means no freeze frame is stored. */
static void
decode_freeze_dtc (const ObdPidInfo *info,
                   const guint8     *data,
                   gsize             len,
                   GArray           *values)
{
  static const char letters[] = "PCBU";
  guint code = (guint) read_be (data, 2);
  char *text;

  if (code == 0)
    text = g_strdup (_("None"));
  else
    text = g_strdup_printf ("%c%u%X%X%X", letters[data[0] >> 6], (data[0] >> 4) & 0x3,
                            data[0] & 0xF, data[1] >> 4, data[1] & 0xF);

  push_value (values, info->pid, 0, info->key, info->label, OBD_UNIT_NONE,
              code, info->min, info->max, text);
}

/* PIDs whose layout we pass through: see the comment on the table. */
static void
decode_raw (const ObdPidInfo *info,
            const guint8     *data,
            gsize             len,
            GArray           *values)
{
  gsize n = info->n_bytes != 0 ? info->n_bytes : len;

  push_raw (values, info->pid, 0, info->key, info->label, data, n);
}

static const PidFields *
lookup_fields (guint8 pid)
{
  for (guint i = 0; i < G_N_ELEMENTS (pid_fields); i++)
    {
      if (pid_fields[i].pid == pid)
        return &pid_fields[i];
    }

  return NULL;
}

static char *
enum_text (const EnumTable *table,
           guint            code)
{
  for (guint i = 0; i < table->n_entries; i++)
    {
      if (code >= table->entries[i].lo && code <= table->entries[i].hi)
        return g_strdup (_(table->entries[i].name));
    }

  return g_strdup_printf ("%s (0x%02X)", _(table->other), code);
}

static gboolean
field_present (const FieldSpec *field,
               const guint8    *data,
               gsize            len)
{
  switch (field->support)
    {
    case ALWAYS:
      break;
    case SPARK:
      if (len < 2 || (data[1] & 0x08) != 0)
        return FALSE;
      break;
    case COMPRESSION:
      if (len < 2 || (data[1] & 0x08) == 0)
        return FALSE;
      break;
    default:
      if (len < 1 || (data[0] & (1u << field->support)) == 0)
        return FALSE;
      break;
    }

  if ((field->flags & FIELD_FF_ABSENT) != 0 && data[field->offset] == 0xFF)
    return FALSE;

  return TRUE;
}

static void
decode_fields (const ObdPidInfo *info,
               const guint8     *data,
               gsize             len,
               GArray           *values)
{
  const PidFields *pf = lookup_fields (info->pid);

  g_assert (pf != NULL);

  for (guint i = 0; i < pf->n_fields; i++)
    {
      const FieldSpec *f = &pf->fields[i];
      guint64 raw;
      double value;
      char *text = NULL;

      g_assert (f->type == FIELD_BITS || (gsize) f->offset + f->size <= info->n_bytes);

      if (!field_present (f, data, len))
        continue;

      switch ((FieldType) f->type)
        {
        case FIELD_LINEAR:
          value = scale_unsigned (read_be (data + f->offset, f->size), f->size, f->min, f->max);
          break;

        case FIELD_SIGNED:
          value = scale_signed (read_be (data + f->offset, f->size), f->size, f->min, f->max);
          break;

        case FIELD_BITS:
          raw = (data[f->offset] >> f->bit) & ((1u << f->size) - 1);
          if ((f->flags & FIELD_INVERT) != 0)
            raw = !raw;
          value = (double) raw;
          if (f->texts != NULL)
            text = g_strdup (_(f->texts[raw]));
          break;

        case FIELD_ENUM:
          value = data[f->offset];
          text = enum_text (f->table, data[f->offset]);
          break;

        case FIELD_RAW:
          push_raw (values, info->pid, i, f->key, f->label, data + f->offset, f->size);
          continue;

        default:
          g_assert_not_reached ();
        }

      push_value (values, info->pid, i, f->key, f->label, f->unit, value, f->min, f->max,
                  text);
    }
}

/* ---------------------------------------------------------------------- */
/* The table                                                               */

#define ROW(pid, n, kind, key, label, unit, min, max, decode) \
  { pid, n, kind, key, label, unit, min, max, decode }
#define LINEAR(pid, n, key, label, unit, min, max) \
  ROW (pid, n, OBD_PID_KIND_NUMERIC, key, label, unit, min, max, decode_linear)
#define SIGNED(pid, n, key, label, unit, min, max) \
  ROW (pid, n, OBD_PID_KIND_NUMERIC, key, label, unit, min, max, decode_signed)
#define PERCENT(pid, key, label) \
  LINEAR (pid, 1, key, label, OBD_UNIT_PERCENT, 0, PCT_MAX)
#define TRIM(pid, key, label) \
  LINEAR (pid, 1, key, label, OBD_UNIT_PERCENT, TRIM_MIN, TRIM_MAX)
#define TEMP(pid, key, label) \
  LINEAR (pid, 1, key, label, OBD_UNIT_CELSIUS, -40, 215)
#define TEMP16(pid, key, label) \
  LINEAR (pid, 2, key, label, OBD_UNIT_CELSIUS, -40, TEMP16_MAX)
#define TORQUE(pid, key, label) \
  LINEAR (pid, 1, key, label, OBD_UNIT_PERCENT, -125, 130)
#define BITMAP(pid, key, label) \
  ROW (pid, 4, OBD_PID_KIND_BITMAP, key, label, OBD_UNIT_NONE, 0, 4294967295.0, decode_bitmap)
#define MULTI(pid, n, key, label) \
  ROW (pid, n, OBD_PID_KIND_MULTI, key, label, OBD_UNIT_NONE, 0, 0, decode_fields)
#define BITFIELD(pid, n, key, label) \
  ROW (pid, n, OBD_PID_KIND_BITFIELD, key, label, OBD_UNIT_NONE, 0, 0, decode_fields)
#define ENUM(pid, n, key, label, min, max) \
  ROW (pid, n, OBD_PID_KIND_ENUM, key, label, OBD_UNIT_NONE, min, max, decode_fields)
#define FIELD_NUMERIC(pid, n, key, label, unit, min, max) \
  ROW (pid, n, OBD_PID_KIND_NUMERIC, key, label, unit, min, max, decode_fields)
/* The public descriptions of J1979 we decode from give these PIDs' length
 * (and sometimes their unit) but not their field layout.  Rather than
 * guess, their bytes are passed through as one value; n_bytes 0 marks the
 * ones whose length is not settled either. */
#define RAW(pid, n, key, label) \
  ROW (pid, n, OBD_PID_KIND_MULTI, key, label, OBD_UNIT_NONE, 0, 0, decode_raw)

/* Ordered by PID (the lookup is a binary search; the test checks it). */
static const ObdPidInfo pid_table[] = {
  BITMAP (0x00, "pids_supported_01_20", N_("PIDs supported [01–20]")),
  BITFIELD (0x01, 4, "monitor_status", N_("Monitor status since DTCs cleared")),
  ROW (0x02, 2, OBD_PID_KIND_ENUM, "freeze_dtc", N_("DTC that caused the freeze frame"),
       OBD_UNIT_NONE, 0, 65535, decode_freeze_dtc),
  ENUM (0x03, 2, "fuel_system_status", N_("Fuel system status"), 0, 16),
  PERCENT (0x04, "engine_load", N_("Calculated engine load")),
  TEMP (0x05, "coolant_temp", N_("Engine coolant temperature")),
  TRIM (0x06, "stft_b1", N_("Short term fuel trim bank 1")),
  TRIM (0x07, "ltft_b1", N_("Long term fuel trim bank 1")),
  TRIM (0x08, "stft_b2", N_("Short term fuel trim bank 2")),
  TRIM (0x09, "ltft_b2", N_("Long term fuel trim bank 2")),
  LINEAR (0x0A, 1, "fuel_pressure", N_("Fuel pressure (gauge)"), OBD_UNIT_KPA, 0, 765),
  LINEAR (0x0B, 1, "map", N_("Intake manifold absolute pressure"), OBD_UNIT_KPA, 0, 255),
  LINEAR (0x0C, 2, "rpm", N_("Engine speed"), OBD_UNIT_RPM, 0, 16383.75),
  LINEAR (0x0D, 1, "speed", N_("Vehicle speed"), OBD_UNIT_KMH, 0, 255),
  LINEAR (0x0E, 1, "timing_advance", N_("Timing advance"), OBD_UNIT_DEGREE, -64, 63.5),
  TEMP (0x0F, "intake_temp", N_("Intake air temperature")),
  LINEAR (0x10, 2, "maf", N_("Mass air flow rate"), OBD_UNIT_GRAMS_PER_SEC, 0, 655.35),
  PERCENT (0x11, "throttle_pos", N_("Throttle position")),
  ENUM (0x12, 1, "secondary_air_status", N_("Commanded secondary air status"), 1, 8),
  BITFIELD (0x13, 1, "o2_sensors_present", N_("Oxygen sensors present (2 banks)")),
  MULTI (0x14, 2, "o2_s1", N_("Oxygen sensor 1 voltage and short term fuel trim")),
  MULTI (0x15, 2, "o2_s2", N_("Oxygen sensor 2 voltage and short term fuel trim")),
  MULTI (0x16, 2, "o2_s3", N_("Oxygen sensor 3 voltage and short term fuel trim")),
  MULTI (0x17, 2, "o2_s4", N_("Oxygen sensor 4 voltage and short term fuel trim")),
  MULTI (0x18, 2, "o2_s5", N_("Oxygen sensor 5 voltage and short term fuel trim")),
  MULTI (0x19, 2, "o2_s6", N_("Oxygen sensor 6 voltage and short term fuel trim")),
  MULTI (0x1A, 2, "o2_s7", N_("Oxygen sensor 7 voltage and short term fuel trim")),
  MULTI (0x1B, 2, "o2_s8", N_("Oxygen sensor 8 voltage and short term fuel trim")),
  ENUM (0x1C, 1, "obd_standard", N_("OBD standard"), 1, 250),
  BITFIELD (0x1D, 1, "o2_sensors_present_4bank", N_("Oxygen sensors present (4 banks)")),
  BITFIELD (0x1E, 1, "aux_input_status", N_("Auxiliary input status")),
  LINEAR (0x1F, 2, "run_time", N_("Run time since engine start"), OBD_UNIT_SECOND, 0, 65535),
  BITMAP (0x20, "pids_supported_21_40", N_("PIDs supported [21–40]")),
  LINEAR (0x21, 2, "distance_with_mil", N_("Distance traveled with MIL on"),
          OBD_UNIT_KM, 0, 65535),
  LINEAR (0x22, 2, "fuel_rail_pressure_rel",
          N_("Fuel rail pressure (relative to manifold vacuum)"), OBD_UNIT_KPA, 0, 5177.265),
  LINEAR (0x23, 2, "fuel_rail_gauge_pressure", N_("Fuel rail gauge pressure"),
          OBD_UNIT_KPA, 0, 655350),
  MULTI (0x24, 4, "o2_s1_lambda_voltage", N_("Oxygen sensor 1 equivalence ratio and voltage")),
  MULTI (0x25, 4, "o2_s2_lambda_voltage", N_("Oxygen sensor 2 equivalence ratio and voltage")),
  MULTI (0x26, 4, "o2_s3_lambda_voltage", N_("Oxygen sensor 3 equivalence ratio and voltage")),
  MULTI (0x27, 4, "o2_s4_lambda_voltage", N_("Oxygen sensor 4 equivalence ratio and voltage")),
  MULTI (0x28, 4, "o2_s5_lambda_voltage", N_("Oxygen sensor 5 equivalence ratio and voltage")),
  MULTI (0x29, 4, "o2_s6_lambda_voltage", N_("Oxygen sensor 6 equivalence ratio and voltage")),
  MULTI (0x2A, 4, "o2_s7_lambda_voltage", N_("Oxygen sensor 7 equivalence ratio and voltage")),
  MULTI (0x2B, 4, "o2_s8_lambda_voltage", N_("Oxygen sensor 8 equivalence ratio and voltage")),
  PERCENT (0x2C, "commanded_egr", N_("Commanded EGR")),
  TRIM (0x2D, "egr_error", N_("EGR error")),
  PERCENT (0x2E, "commanded_evap_purge", N_("Commanded evaporative purge")),
  PERCENT (0x2F, "fuel_level", N_("Fuel tank level input")),
  LINEAR (0x30, 1, "warmups_since_clear", N_("Warm-ups since codes cleared"),
          OBD_UNIT_COUNT, 0, 255),
  LINEAR (0x31, 2, "distance_since_clear", N_("Distance traveled since codes cleared"),
          OBD_UNIT_KM, 0, 65535),
  SIGNED (0x32, 2, "evap_vapor_pressure", N_("Evaporative system vapor pressure"),
          OBD_UNIT_PA, -8192, 8191.75),
  LINEAR (0x33, 1, "baro_pressure", N_("Absolute barometric pressure"), OBD_UNIT_KPA, 0, 255),
  MULTI (0x34, 4, "o2_s1_lambda_current", N_("Oxygen sensor 1 equivalence ratio and current")),
  MULTI (0x35, 4, "o2_s2_lambda_current", N_("Oxygen sensor 2 equivalence ratio and current")),
  MULTI (0x36, 4, "o2_s3_lambda_current", N_("Oxygen sensor 3 equivalence ratio and current")),
  MULTI (0x37, 4, "o2_s4_lambda_current", N_("Oxygen sensor 4 equivalence ratio and current")),
  MULTI (0x38, 4, "o2_s5_lambda_current", N_("Oxygen sensor 5 equivalence ratio and current")),
  MULTI (0x39, 4, "o2_s6_lambda_current", N_("Oxygen sensor 6 equivalence ratio and current")),
  MULTI (0x3A, 4, "o2_s7_lambda_current", N_("Oxygen sensor 7 equivalence ratio and current")),
  MULTI (0x3B, 4, "o2_s8_lambda_current", N_("Oxygen sensor 8 equivalence ratio and current")),
  TEMP16 (0x3C, "catalyst_temp_b1s1", N_("Catalyst temperature bank 1 sensor 1")),
  TEMP16 (0x3D, "catalyst_temp_b2s1", N_("Catalyst temperature bank 2 sensor 1")),
  TEMP16 (0x3E, "catalyst_temp_b1s2", N_("Catalyst temperature bank 1 sensor 2")),
  TEMP16 (0x3F, "catalyst_temp_b2s2", N_("Catalyst temperature bank 2 sensor 2")),
  BITMAP (0x40, "pids_supported_41_60", N_("PIDs supported [41–60]")),
  BITFIELD (0x41, 4, "monitor_status_cycle", N_("Monitor status this drive cycle")),
  LINEAR (0x42, 2, "control_module_voltage", N_("Control module voltage"),
          OBD_UNIT_VOLT, 0, 65.535),
  LINEAR (0x43, 2, "absolute_load", N_("Absolute load value"), OBD_UNIT_PERCENT, 0, 25700),
  LINEAR (0x44, 2, "commanded_equiv_ratio", N_("Commanded air-fuel equivalence ratio"),
          OBD_UNIT_RATIO, 0, LAMBDA_MAX),
  PERCENT (0x45, "relative_throttle_pos", N_("Relative throttle position")),
  TEMP (0x46, "ambient_temp", N_("Ambient air temperature")),
  PERCENT (0x47, "throttle_pos_b", N_("Absolute throttle position B")),
  PERCENT (0x48, "throttle_pos_c", N_("Absolute throttle position C")),
  PERCENT (0x49, "accel_pedal_pos_d", N_("Accelerator pedal position D")),
  PERCENT (0x4A, "accel_pedal_pos_e", N_("Accelerator pedal position E")),
  PERCENT (0x4B, "accel_pedal_pos_f", N_("Accelerator pedal position F")),
  PERCENT (0x4C, "commanded_throttle_actuator", N_("Commanded throttle actuator")),
  LINEAR (0x4D, 2, "time_with_mil", N_("Time run with MIL on"), OBD_UNIT_MINUTE, 0, 65535),
  LINEAR (0x4E, 2, "time_since_clear", N_("Time since trouble codes cleared"),
          OBD_UNIT_MINUTE, 0, 65535),
  MULTI (0x4F, 4, "max_values", N_("Maximum values for equivalence ratio, oxygen sensor "
                                   "voltage and current, and manifold pressure")),
  FIELD_NUMERIC (0x50, 4, "max_maf", N_("Maximum mass air flow rate"),
                 OBD_UNIT_GRAMS_PER_SEC, 0, 2550),
  ENUM (0x51, 1, "fuel_type", N_("Fuel type"), 0, 23),
  PERCENT (0x52, "ethanol_percent", N_("Ethanol fuel")),
  LINEAR (0x53, 2, "evap_vapor_pressure_abs", N_("Absolute evaporative system vapor pressure"),
          OBD_UNIT_KPA, 0, 327.675),
  /* Not two's complement like PID 32: the published J1979 PID table gives
   * the range -32767 .. 32768 Pa, i.e. (256A + B) - 32767, and AndrOBD and
   * python-OBD decode it so.  No text of the standard we work from says
   * otherwise. */
  LINEAR (0x54, 2, "evap_vapor_pressure_wide", N_("Evaporative system vapor pressure"),
          OBD_UNIT_PA, -32767, 32768),
  MULTI (0x55, 2, "sec_o2_stft_b1_b3",
         N_("Short term secondary oxygen sensor trim, banks 1 and 3")),
  MULTI (0x56, 2, "sec_o2_ltft_b1_b3", N_("Long term secondary oxygen sensor trim, banks 1 and 3")),
  MULTI (0x57, 2, "sec_o2_stft_b2_b4",
         N_("Short term secondary oxygen sensor trim, banks 2 and 4")),
  MULTI (0x58, 2, "sec_o2_ltft_b2_b4", N_("Long term secondary oxygen sensor trim, banks 2 and 4")),
  LINEAR (0x59, 2, "fuel_rail_abs_pressure", N_("Fuel rail absolute pressure"),
          OBD_UNIT_KPA, 0, 655350),
  PERCENT (0x5A, "relative_accel_pedal_pos", N_("Relative accelerator pedal position")),
  PERCENT (0x5B, "hybrid_battery_remaining", N_("Hybrid battery pack remaining life")),
  /* J1979 states the sensor range as -40..210 °C; the byte reaches 215. */
  TEMP (0x5C, "oil_temp", N_("Engine oil temperature")),
  LINEAR (0x5D, 2, "fuel_injection_timing", N_("Fuel injection timing"), OBD_UNIT_DEGREE,
          -210, 65535.0 / 128.0 - 210),
  LINEAR (0x5E, 2, "fuel_rate", N_("Engine fuel rate"), OBD_UNIT_LITRES_PER_HOUR,
          0, 3276.75),
  /* "Bit encoded" per the public PID list, without the bit meanings. */
  ROW (0x5F, 1, OBD_PID_KIND_BITFIELD, "emission_requirements",
       N_("Emission requirements to which vehicle is designed"), OBD_UNIT_NONE, 0, 0,
       decode_raw),
  BITMAP (0x60, "pids_supported_61_80", N_("PIDs supported [61–80]")),
  TORQUE (0x61, "demanded_torque", N_("Driver's demand engine percent torque")),
  TORQUE (0x62, "actual_torque", N_("Actual engine percent torque")),
  LINEAR (0x63, 2, "reference_torque", N_("Engine reference torque"),
          OBD_UNIT_NEWTON_METRE, 0, 65535),
  MULTI (0x64, 5, "torque_data", N_("Engine percent torque data")),
  BITFIELD (0x65, 2, "aux_io_status", N_("Auxiliary input/output status")),
  MULTI (0x66, 5, "maf_sensors", N_("Mass air flow sensors A and B")),
  MULTI (0x67, 3, "coolant_temp_sensors", N_("Engine coolant temperature sensors")),
  MULTI (0x68, 7, "intake_temp_sensors", N_("Intake air temperature sensors")),
  MULTI (0x69, 7, "egr_status", N_("Commanded and actual EGR, and EGR error")),
  MULTI (0x6A, 5, "diesel_intake_air_flow",
         N_("Commanded diesel intake air flow and relative intake air flow position")),
  MULTI (0x6B, 5, "egr_temp", N_("Exhaust gas recirculation temperature")),
  MULTI (0x6C, 5, "throttle_actuator_control",
         N_("Commanded throttle actuator and relative throttle position")),
  MULTI (0x6D, 11, "fuel_pressure_control", N_("Fuel pressure control system")),
  MULTI (0x6E, 9, "injection_pressure_control", N_("Injection pressure control system")),
  MULTI (0x6F, 3, "compressor_inlet_pressure", N_("Turbocharger compressor inlet pressure")),
  MULTI (0x70, 10, "boost_pressure_control", N_("Boost pressure control")),
  MULTI (0x71, 6, "vgt_control", N_("Variable geometry turbo control")),
  MULTI (0x72, 5, "wastegate_control", N_("Wastegate control")),
  MULTI (0x73, 5, "exhaust_pressure", N_("Exhaust pressure")),
  MULTI (0x74, 5, "turbo_rpm", N_("Turbocharger speed")),
  MULTI (0x75, 7, "turbo_a_temp", N_("Turbocharger A temperature")),
  MULTI (0x76, 7, "turbo_b_temp", N_("Turbocharger B temperature")),
  MULTI (0x77, 5, "charge_air_cooler_temp", N_("Charge air cooler temperature")),
  MULTI (0x78, 9, "egt_b1", N_("Exhaust gas temperature bank 1")),
  MULTI (0x79, 9, "egt_b2", N_("Exhaust gas temperature bank 2")),
  MULTI (0x7A, 7, "dpf_b1", N_("Diesel particulate filter bank 1")),
  MULTI (0x7B, 7, "dpf_b2", N_("Diesel particulate filter bank 2")),
  MULTI (0x7C, 9, "dpf_temp", N_("Diesel particulate filter temperature")),
  BITFIELD (0x7D, 1, "nox_nte_status", N_("NOx NTE control area status")),
  BITFIELD (0x7E, 1, "pm_nte_status", N_("PM NTE control area status")),
  MULTI (0x7F, 13, "engine_run_time", N_("Engine run time")),
  BITMAP (0x80, "pids_supported_81_a0", N_("PIDs supported [81–A0]")),
  RAW (0x81, 41, "aecd_run_time_1_5", N_("Engine run time for AECD #1–#5")),
  RAW (0x82, 41, "aecd_run_time_6_10", N_("Engine run time for AECD #6–#10")),
  RAW (0x83, 9, "nox_sensor", N_("NOx sensor")),
  /* One byte A-40 °C, J1979's encoding of every one-byte temperature. */
  TEMP (0x84, "manifold_surface_temp", N_("Manifold surface temperature")),
  MULTI (0x85, 10, "nox_reagent_system", N_("NOx reagent system")),
  RAW (0x86, 5, "pm_sensor", N_("Particulate matter sensor")),
  RAW (0x87, 5, "map_sensors", N_("Intake manifold absolute pressure A and B")),
  RAW (0x88, 13, "scr_inducement", N_("SCR inducement system")),
  RAW (0x89, 41, "aecd_run_time_11_15", N_("Engine run time for AECD #11–#15")),
  RAW (0x8A, 41, "aecd_run_time_16_20", N_("Engine run time for AECD #16–#20")),
  RAW (0x8B, 7, "diesel_aftertreatment", N_("Diesel aftertreatment status")),
  RAW (0x8C, 17, "o2_sensor_wide_range", N_("Oxygen sensor (wide range)")),
  PERCENT (0x8D, "throttle_pos_g", N_("Throttle position G")),
  TORQUE (0x8E, "friction_torque", N_("Engine friction percent torque")),
  RAW (0x8F, 7, "pm_sensor_b1_b2", N_("Particulate matter sensor banks 1 and 2")),
  RAW (0x90, 3, "wwh_obd_vehicle_info", N_("WWH-OBD vehicle OBD system information")),
  RAW (0x91, 5, "wwh_obd_ecu_info", N_("WWH-OBD ECU OBD system information")),
  RAW (0x92, 2, "fuel_system_control", N_("Fuel system control")),
  RAW (0x93, 3, "wwh_obd_counters", N_("WWH-OBD vehicle OBD counters")),
  RAW (0x94, 12, "nox_warning_inducement", N_("NOx warning and inducement system")),
  RAW (0x98, 9, "egt_sensor_b1", N_("Exhaust gas temperature sensor (PID 98)")),
  RAW (0x99, 9, "egt_sensor_b2", N_("Exhaust gas temperature sensor (PID 99)")),
  RAW (0x9A, 6, "hybrid_battery_voltage", N_("Hybrid/EV system data, battery, voltage")),
  MULTI (0x9B, 4, "def_sensor", N_("Diesel exhaust fluid sensor data")),
  RAW (0x9C, 17, "o2_sensor_data", N_("Oxygen sensor data")),
  MULTI (0x9D, 4, "fuel_rate_mass", N_("Engine and vehicle fuel rate")),
  LINEAR (0x9E, 2, "exhaust_flow_rate", N_("Engine exhaust flow rate"),
          OBD_UNIT_KG_PER_HOUR, 0, 13107),
  RAW (0x9F, 9, "fuel_system_use", N_("Fuel system percentage use")),
  BITMAP (0xA0, "pids_supported_a1_c0", N_("PIDs supported [A1–C0]")),
  RAW (0xA1, 9, "nox_sensor_corrected", N_("NOx sensor corrected data")),
  LINEAR (0xA2, 2, "cylinder_fuel_rate", N_("Cylinder fuel rate"), OBD_UNIT_MG_PER_STROKE,
          0, 2047.96875),
  RAW (0xA3, 9, "evap_vapor_pressure_ext", N_("Evaporative system vapor pressure (PID A3)")),
  FIELD_NUMERIC (0xA4, 4, "gear_ratio", N_("Transmission actual gear ratio"),
                 OBD_UNIT_RATIO, 0, 65.535),
  FIELD_NUMERIC (0xA5, 4, "def_dosing", N_("Commanded diesel exhaust fluid dosing"),
                 OBD_UNIT_PERCENT, 0, 127.5),
  LINEAR (0xA6, 4, "odometer", N_("Odometer"), OBD_UNIT_KM, 0, 429496729.5),
  RAW (0xA7, 4, "nox_sensor_3_4", N_("NOx sensor concentration, sensors 3 and 4")),
  RAW (0xA8, 4, "nox_sensor_corrected_3_4",
       N_("NOx sensor corrected concentration, sensors 3 and 4")),
  BITFIELD (0xA9, 4, "abs_disable_switch", N_("ABS disable switch state")),
  BITMAP (0xC0, "pids_supported_c1_e0", N_("PIDs supported [C1–E0]")),
  /* Public copies of the PID list disagree on C3 and C4 (length, and even
   * meaning: "Returns numerous data, including Drive Condition ID and
   * Engine Speed" and "B5 is Engine Idle Request, B6 is Engine Stop
   * Request" in some, fuel level and particulate control counters in
   * others), so they are variable length and passed through. */
  RAW (0xC3, 0, "pid_c3", N_("Drive condition data (PID C3)")),
  RAW (0xC4, 0, "pid_c4", N_("Engine idle and stop requests (PID C4)")),
};

/* ---------------------------------------------------------------------- */
/* Public API                                                              */

static int
compare_pid (const void *key,
             const void *row)
{
  guint8 pid = *(const guint8 *) key;
  const ObdPidInfo *info = row;

  return (int) pid - (int) info->pid;
}

const ObdPidInfo *
obd_pid_lookup (guint8 pid)
{
  return bsearch (&pid, pid_table, G_N_ELEMENTS (pid_table), sizeof (ObdPidInfo),
                  compare_pid);
}

static gboolean
parse_hex_pid (const char *name,
               guint8     *out_pid)
{
  const char *digits = name;
  gsize n;

  if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
    digits += 2;

  n = strlen (digits);
  if (n < 1 || n > 2)
    return FALSE;

  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isxdigit (digits[i]))
        return FALSE;
    }

  *out_pid = (guint8) g_ascii_strtoull (digits, NULL, 16);
  return TRUE;
}

const ObdPidInfo *
obd_pid_lookup_name (const char *name)
{
  guint8 pid;

  g_return_val_if_fail (name != NULL, NULL);

  if (parse_hex_pid (name, &pid))
    return obd_pid_lookup (pid);

  for (guint i = 0; i < G_N_ELEMENTS (pid_table); i++)
    {
      if (g_ascii_strcasecmp (pid_table[i].key, name) == 0)
        return &pid_table[i];
    }

  return NULL;
}

const ObdPidInfo *
obd_pid_get_table (gsize *n_rows)
{
  if (n_rows != NULL)
    *n_rows = G_N_ELEMENTS (pid_table);

  return pid_table;
}

gboolean
obd_pid_decode (guint8        pid,
                const guint8 *data,
                gsize         len,
                GArray       *values,
                GError      **error)
{
  const ObdPidInfo *info;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info = obd_pid_lookup (pid);
  if (info == NULL)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("PID %02X is not defined by SAE J1979."), pid);
      return FALSE;
    }

  /* Longer replies are accepted: some ECUs pad single frames, and the
   * fields are at fixed offsets from the start. */
  if (len < info->n_bytes || (info->n_bytes == 0 && len == 0))
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The reply to PID %02X has %zu data bytes; "
                     "%u are needed."),
                   pid, len, MAX (info->n_bytes, 1u));
      return FALSE;
    }

  info->decode (info, data, len, values);
  return TRUE;
}

gboolean
obd_pid_decode_multi (const guint8 *payload,
                      gsize         len,
                      GArray       *values,
                      GError      **error)
{
  gsize pos = 0;

  g_return_val_if_fail (payload != NULL || len == 0, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len == 0)
    {
      g_set_error_literal (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                           _("The reply contains no PID."));
      return FALSE;
    }

  /* A reply to "01 0C 0D 05" is "41 0C a b 0D c 05 d": PID bytes followed
   * by their data, with nothing to mark the boundaries but the length each
   * PID is defined with (ISO 15031-5, requests with several PIDs). */
  while (pos < len)
    {
      guint8 pid = payload[pos];
      const ObdPidInfo *info = obd_pid_lookup (pid);

      if (info == NULL)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                       _("PID %02X is not defined by SAE J1979."), pid);
          return FALSE;
        }

      if (info->n_bytes == 0)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                       _("PID %02X has no fixed length and cannot be part of a "
                         "reply with several PIDs."), pid);
          return FALSE;
        }

      if (len - pos - 1 < info->n_bytes)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                       _("The reply to PID %02X is cut short: %zu data bytes of %u."),
                       pid, len - pos - 1, (guint) info->n_bytes);
          return FALSE;
        }

      info->decode (info, payload + pos + 1, info->n_bytes, values);
      pos += 1 + info->n_bytes;
    }

  return TRUE;
}

void
obd_pid_parse_supported (guint8        base,
                         const guint8  data[4],
                         gboolean      supported[256])
{
  g_return_if_fail (base % 0x20 == 0);
  g_return_if_fail (data != NULL);
  g_return_if_fail (supported != NULL);

  for (guint i = 0; i < 32; i++)
    {
      guint pid = base + 1 + i;

      /* PID E0's bitmap would reach "PID 100", which does not exist. */
      if (pid > 0xFF)
        break;

      supported[pid] = (data[i / 8] & (0x80 >> (i % 8))) != 0;
    }
}

void
obd_value_clear (ObdValue *value)
{
  g_clear_pointer (&value->text, g_free);
}

GArray *
obd_value_array_new (void)
{
  GArray *values = g_array_new (FALSE, TRUE, sizeof (ObdValue));

  g_array_set_clear_func (values, (GDestroyNotify) obd_value_clear);
  return values;
}

const char *
obd_value_get_label (const ObdValue *value)
{
  g_return_val_if_fail (value != NULL, "");

  return value->label != NULL ? _(value->label) : "";
}

char *
obd_value_format (const ObdValue *value,
                  ObdUnitSystem   system)
{
  const char *symbol;
  double shown;
  guint decimals;

  g_return_val_if_fail (value != NULL, NULL);

  if (value->text != NULL)
    return g_strdup (value->text);

  shown = obd_unit_convert (value->unit, system, value->value);
  decimals = obd_unit_get_decimals (value->unit, system);
  symbol = obd_unit_get_symbol (value->unit, system);

  /* Avoid "-0.0" for values that round to zero. */
  if (fabs (shown) < 0.5 * pow (10.0, -(double) decimals))
    shown = 0.0;

  if (*symbol == '\0')
    return g_strdup_printf ("%.*f", (int) decimals, shown);

  return g_strdup_printf ("%.*f %s", (int) decimals, shown, symbol);
}

/* Per PID, the union of the fields that the decoder can produce: decoding
 * data all zeros, all ones, and each with byte A flipped covers the fields
 * that depend on "supported" bits in byte A, on the spark/compression bit
 * of byte B, and those absent at 0xFF. */
static GArray *
describe_pid (const ObdPidInfo *info)
{
  GArray *fields = g_array_new (FALSE, TRUE, sizeof (ObdValue));
  guint8 data[64] = { 0 };
  gsize len = info->n_bytes != 0 ? info->n_bytes : sizeof data;

  for (guint pass = 0; pass < 4; pass++)
    {
      g_autoptr(GArray) values = obd_value_array_new ();

      memset (data, pass & 1 ? 0xFF : 0x00, sizeof data);
      data[0] = pass & 2 ? ~data[0] : data[0];
      if (!obd_pid_decode (info->pid, data, len, values, NULL))
        continue;

      for (guint i = 0; i < values->len; i++)
        {
          const ObdValue *v = &g_array_index (values, ObdValue, i);

          if (v->index >= fields->len)
            g_array_set_size (fields, v->index + 1);
          if (g_array_index (fields, ObdValue, v->index).key == NULL)
            {
              ObdValue *slot = &g_array_index (fields, ObdValue, v->index);

              *slot = *v;
              slot->value = 0;
              slot->text = NULL;
            }
        }
    }

  return fields;
}

const ObdValue *
obd_pid_get_value_info (guint8 pid,
                        guint8 index)
{
  static GArray *cache[256];
  static GMutex lock;
  const ObdPidInfo *info = obd_pid_lookup (pid);
  const ObdValue *result = NULL;

  if (info == NULL)
    return NULL;

  g_mutex_lock (&lock);
  if (cache[pid] == NULL)
    cache[pid] = describe_pid (info);
  if (index < cache[pid]->len && g_array_index (cache[pid], ObdValue, index).key != NULL)
    result = &g_array_index (cache[pid], ObdValue, index);
  g_mutex_unlock (&lock);

  return result;
}

/* Ranges a gauge shows for readings whose encodable range dwarfs what an
 * engine does; by value key, in SI. */
static const struct
{
  const char *key;
  double      min;
  double      max;
} display_ranges[] = {
  { "rpm", 0, 8000 },
  { "coolant_temp", -40, 150 },
  { "intake_temp", -40, 100 },
  { "ambient_temp", -40, 60 },
  { "oil_temp", -40, 160 },
  { "control_module_voltage", 8, 16 },
  { "maf", 0, 300 },
  { "fuel_pressure", 0, 765 },
  { "timing_advance", -20, 60 },
  { "catalyst_temp_b1s1", 0, 1200 },
  { "catalyst_temp_b2s1", 0, 1200 },
  { "catalyst_temp_b1s2", 0, 1200 },
  { "catalyst_temp_b2s2", 0, 1200 },
  { "fuel_rate", 0, 60 },
  { "run_time", 0, 7200 },
};

gboolean
obd_pid_get_display_range (guint8  pid,
                           guint8  index,
                           double *out_min,
                           double *out_max)
{
  const ObdValue *info = obd_pid_get_value_info (pid, index);

  g_return_val_if_fail (out_min != NULL && out_max != NULL, FALSE);

  if (info == NULL)
    return FALSE;

  *out_min = info->min;
  *out_max = info->max;
  for (guint i = 0; i < G_N_ELEMENTS (display_ranges); i++)
    if (g_str_equal (display_ranges[i].key, info->key))
      {
        *out_min = display_ranges[i].min;
        *out_max = display_ranges[i].max;
        break;
      }

  return TRUE;
}
