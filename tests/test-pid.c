/* test-pid.c — the Mode 01 PID table, its decoders and the units module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "obd-error.h"
#include "obd-pid.h"
#include "obd-units.h"

#define EPSILON 1e-6

/* "1A F8", "1AF8" -> bytes */
static GByteArray *
parse_hex (const char *hex)
{
  GByteArray *bytes = g_byte_array_new ();
  int hi = -1;

  for (const char *p = hex; *p != '\0'; p++)
    {
      int nibble;

      if (*p == ' ')
        continue;
      nibble = g_ascii_xdigit_value (*p);
      g_assert_cmpint (nibble, >=, 0);
      if (hi < 0)
        hi = nibble;
      else
        {
          guint8 b = (guint8) (hi << 4 | nibble);

          g_byte_array_append (bytes, &b, 1);
          hi = -1;
        }
    }
  g_assert_cmpint (hi, ==, -1);

  return bytes;
}

static char *
hex_of (const guint8 *data,
        gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, i == 0 ? "%02X" : " %02X", data[i]);

  return g_string_free (s, FALSE);
}

static const ObdValue *
find_value (GArray     *values,
            const char *key)
{
  for (guint i = 0; i < values->len; i++)
    {
      const ObdValue *v = &g_array_index (values, ObdValue, i);

      if (g_strcmp0 (v->key, key) == 0)
        return v;
    }

  return NULL;
}

static GArray *
decode_ok (guint8      pid,
           const char *hex)
{
  g_autoptr(GByteArray) bytes = parse_hex (hex);
  g_autoptr(GError) error = NULL;
  GArray *values = obd_value_array_new ();

  g_assert_true (obd_pid_decode (pid, bytes->data, bytes->len, values, &error));
  g_assert_no_error (error);

  return values;
}

/* ---------------------------------------------------------------------- */
/* Known vectors: bytes -> value (and text).  Every row of the table must
 * have at least one (test_vectors_cover_table).  A text of RAW_HEX means
 * "the bytes of the reply in hex", for pass-through PIDs. */

#define RAW_HEX "<hex>"

typedef struct
{
  guint8      pid;
  const char *data;
  const char *key;
  double      value;
  const char *text;
} Vector;

#define Z8  "00 00 00 00 00 00 00 00"
#define R41 "01 " Z8 " " Z8 " " Z8 " " Z8 " " Z8

static const Vector vectors[] = {
  { 0x00, "BE 1F A8 13", "pids_supported_01_20", 3189745683.0,
    "01 03 04 05 06 07 0C 0D 0E 0F 10 11 13 15 1C 1F 20" },
  /* Spark ignition: MIL on, 3 DTCs; misfire available and complete;
   * catalyst, evap, O2 sensor and heater available, evap incomplete. */
  { 0x01, "83 07 65 04", "mil", 1, "On" },
  { 0x01, "83 07 65 04", "dtc_count", 3, NULL },
  { 0x01, "83 07 65 04", "ignition_type", 0, "Spark ignition" },
  { 0x01, "83 07 65 04", "misfire_available", 1, "Available" },
  { 0x01, "83 07 65 04", "misfire_complete", 1, "Complete" },
  { 0x01, "83 07 65 04", "components_available", 1, "Available" },
  { 0x01, "83 07 65 04", "catalyst_available", 1, "Available" },
  { 0x01, "83 07 65 04", "catalyst_complete", 1, "Complete" },
  { 0x01, "83 07 65 04", "heated_catalyst_available", 0, "Not available" },
  { 0x01, "83 07 65 04", "evap_available", 1, "Available" },
  { 0x01, "83 07 65 04", "evap_complete", 0, "Incomplete" },
  { 0x01, "83 07 65 04", "o2_heater_available", 1, "Available" },
  { 0x01, "83 07 65 04", "egr_vvt_available", 0, "Not available" },
  /* Compression ignition (B3 set). */
  { 0x01, "00 0C 23 01", "mil", 0, "Off" },
  { 0x01, "00 0C 23 01", "ignition_type", 1, "Compression ignition" },
  { 0x01, "00 0C 23 01", "nmhc_catalyst_available", 1, "Available" },
  { 0x01, "00 0C 23 01", "nmhc_catalyst_complete", 0, "Incomplete" },
  { 0x01, "00 0C 23 01", "nox_scr_complete", 1, "Complete" },
  { 0x01, "00 0C 23 01", "exhaust_gas_sensor_available", 1, "Available" },
  { 0x01, "00 0C 23 01", "pm_filter_available", 0, "Not available" },
  { 0x02, "03 01", "freeze_dtc", 0x0301, "P0301" },
  { 0x02, "C1 58", "freeze_dtc", 0xC158, "U0158" },
  { 0x02, "00 00", "freeze_dtc", 0, "None" },
  { 0x03, "02 00", "fuel_system_1", 2, "Closed loop, using oxygen sensor feedback" },
  { 0x03, "02 00", "fuel_system_2", 0, "Motor off" },
  { 0x03, "01 08", "fuel_system_1", 1, "Open loop due to insufficient engine temperature" },
  { 0x03, "01 08", "fuel_system_2", 8, "Open loop due to system failure" },
  { 0x03, "03 00", "fuel_system_1", 3, "Invalid (0x03)" },
  { 0x04, "80", "engine_load", 128 * 100.0 / 255, NULL },
  { 0x05, "7B", "coolant_temp", 83, NULL },
  { 0x06, "80", "stft_b1", 0, NULL },
  { 0x07, "90", "ltft_b1", 12.5, NULL },
  { 0x08, "70", "stft_b2", -12.5, NULL },
  { 0x09, "00", "ltft_b2", -100, NULL },
  { 0x0A, "20", "fuel_pressure", 96, NULL },
  { 0x0B, "65", "map", 101, NULL },
  { 0x0C, "1A F8", "rpm", 1726, NULL },
  { 0x0D, "32", "speed", 50, NULL },
  { 0x0E, "A0", "timing_advance", 16, NULL },
  { 0x0F, "3C", "intake_temp", 20, NULL },
  { 0x10, "01 90", "maf", 4.0, NULL },
  { 0x11, "33", "throttle_pos", 20, NULL },
  { 0x12, "02", "secondary_air_status", 2, "Downstream of catalytic converter" },
  { 0x12, "03", "secondary_air_status", 3, "Invalid (0x03)" },
  { 0x13, "33", "o2_b1s1_present", 1, "Present" },
  { 0x13, "33", "o2_b1s3_present", 0, "Absent" },
  { 0x13, "33", "o2_b2s2_present", 1, "Present" },
  { 0x14, "5A 80", "o2_s1_voltage", 0.45, NULL },
  { 0x14, "5A 80", "o2_s1_stft", 0, NULL },
  { 0x15, "64 90", "o2_s2_voltage", 0.5, NULL },
  { 0x15, "64 90", "o2_s2_stft", 12.5, NULL },
  { 0x16, "14 70", "o2_s3_voltage", 0.1, NULL },
  { 0x16, "14 70", "o2_s3_stft", -12.5, NULL },
  { 0x17, "C8 80", "o2_s4_voltage", 1.0, NULL },
  { 0x18, "5A 80", "o2_s5_voltage", 0.45, NULL },
  { 0x19, "5A 80", "o2_s6_stft", 0, NULL },
  { 0x1A, "5A 80", "o2_s7_voltage", 0.45, NULL },
  { 0x1B, "5A 00", "o2_s8_stft", -100, NULL },
  { 0x1C, "06", "obd_standard", 6, "EOBD (Europe)" },
  { 0x1C, "01", "obd_standard", 1, "OBD-II as defined by the CARB" },
  { 0x1C, "21", "obd_standard", 33, "Heavy Duty Euro OBD Stage VI (HD EOBD-IV)" },
  { 0x1C, "24", "obd_standard", 36, "Reserved" },
  { 0x1C, "FB", "obd_standard", 251, "Not available for assignment (SAE J1939 special meaning)" },
  { 0x1C, "00", "obd_standard", 0, "Invalid (0x00)" },
  { 0x1D, "05", "o2_4bank_b1s1_present", 1, "Present" },
  { 0x1D, "05", "o2_4bank_b1s2_present", 0, "Absent" },
  { 0x1D, "05", "o2_4bank_b2s1_present", 1, "Present" },
  { 0x1E, "01", "pto_active", 1, "Active" },
  { 0x1E, "FE", "pto_active", 0, "Inactive" },
  { 0x1F, "0E 10", "run_time", 3600, NULL },
  { 0x20, "80 00 00 01", "pids_supported_21_40", 2147483649.0, "21 40" },
  { 0x21, "01 00", "distance_with_mil", 256, NULL },
  { 0x22, "00 64", "fuel_rail_pressure_rel", 7.9, NULL },
  { 0x23, "00 64", "fuel_rail_gauge_pressure", 1000, NULL },
  { 0x24, "80 00 40 00", "o2_s1_lambda", 1.0, NULL },
  { 0x24, "80 00 40 00", "o2_s1_wr_voltage", 2.0, NULL },
  { 0x25, "40 00 80 00", "o2_s2_lambda", 0.5, NULL },
  { 0x25, "40 00 80 00", "o2_s2_wr_voltage", 4.0, NULL },
  { 0x26, "80 00 40 00", "o2_s3_lambda", 1.0, NULL },
  { 0x27, "80 00 40 00", "o2_s4_wr_voltage", 2.0, NULL },
  { 0x28, "80 00 40 00", "o2_s5_lambda", 1.0, NULL },
  { 0x29, "80 00 40 00", "o2_s6_lambda", 1.0, NULL },
  { 0x2A, "80 00 40 00", "o2_s7_wr_voltage", 2.0, NULL },
  { 0x2B, "80 00 40 00", "o2_s8_lambda", 1.0, NULL },
  { 0x2C, "33", "commanded_egr", 20, NULL },
  { 0x2D, "80", "egr_error", 0, NULL },
  { 0x2E, "FF", "commanded_evap_purge", 100, NULL },
  { 0x2F, "66", "fuel_level", 40, NULL },
  { 0x30, "0A", "warmups_since_clear", 10, NULL },
  { 0x31, "02 00", "distance_since_clear", 512, NULL },
  { 0x32, "FF FC", "evap_vapor_pressure", -1.0, NULL },
  { 0x32, "00 04", "evap_vapor_pressure", 1.0, NULL },
  { 0x32, "80 00", "evap_vapor_pressure", -8192, NULL },
  { 0x33, "65", "baro_pressure", 101, NULL },
  { 0x34, "80 00 80 00", "o2_s1_wr_lambda", 1.0, NULL },
  { 0x34, "80 00 80 00", "o2_s1_wr_current", 0.0, NULL },
  { 0x35, "80 00 81 00", "o2_s2_wr_current", 1.0, NULL },
  { 0x36, "80 00 7F 00", "o2_s3_wr_current", -1.0, NULL },
  { 0x37, "80 00 80 00", "o2_s4_wr_lambda", 1.0, NULL },
  { 0x38, "80 00 80 80", "o2_s5_wr_current", 0.5, NULL },
  { 0x39, "80 00 80 00", "o2_s6_wr_lambda", 1.0, NULL },
  { 0x3A, "C0 00 80 00", "o2_s7_wr_lambda", 1.5, NULL },
  { 0x3B, "80 00 00 00", "o2_s8_wr_current", -128, NULL },
  { 0x3C, "1E 14", "catalyst_temp_b1s1", 730, NULL },
  { 0x3D, "0F A0", "catalyst_temp_b2s1", 360, NULL },
  { 0x3E, "01 90", "catalyst_temp_b1s2", 0, NULL },
  { 0x3F, "01 95", "catalyst_temp_b2s2", 0.5, NULL },
  { 0x40, "00 00 00 01", "pids_supported_41_60", 1, "60" },
  { 0x41, "00 07 65 04", "cycle_ignition_type", 0, "Spark ignition" },
  { 0x41, "00 07 65 04", "cycle_misfire_enabled", 1, "Enabled" },
  { 0x41, "00 07 65 04", "cycle_misfire_complete", 1, "Complete" },
  { 0x41, "00 07 65 04", "cycle_evap_complete", 0, "Incomplete" },
  { 0x41, "00 07 65 04", "cycle_heated_catalyst_enabled", 0, "Disabled" },
  { 0x41, "00 0C 40 40", "cycle_pm_filter_enabled", 1, "Enabled" },
  { 0x41, "00 0C 40 40", "cycle_pm_filter_complete", 0, "Incomplete" },
  { 0x42, "37 78", "control_module_voltage", 14.2, NULL },
  { 0x43, "00 80", "absolute_load", 128 * 100.0 / 255, NULL },
  { 0x44, "80 00", "commanded_equiv_ratio", 1.0, NULL },
  { 0x45, "33", "relative_throttle_pos", 20, NULL },
  { 0x46, "3C", "ambient_temp", 20, NULL },
  { 0x47, "33", "throttle_pos_b", 20, NULL },
  { 0x48, "66", "throttle_pos_c", 40, NULL },
  { 0x49, "99", "accel_pedal_pos_d", 60, NULL },
  { 0x4A, "CC", "accel_pedal_pos_e", 80, NULL },
  { 0x4B, "33", "accel_pedal_pos_f", 20, NULL },
  { 0x4C, "33", "commanded_throttle_actuator", 20, NULL },
  { 0x4D, "00 3C", "time_with_mil", 60, NULL },
  { 0x4E, "05 A0", "time_since_clear", 1440, NULL },
  { 0x4F, "0A 08 80 0A", "max_equiv_ratio", 10, NULL },
  { 0x4F, "0A 08 80 0A", "max_o2_voltage", 8, NULL },
  { 0x4F, "0A 08 80 0A", "max_o2_current", 128, NULL },
  { 0x4F, "0A 08 80 0A", "max_map", 100, NULL },
  { 0x50, "1E 00 00 00", "max_maf", 300, NULL },
  { 0x51, "01", "fuel_type", 1, "Gasoline" },
  { 0x51, "04", "fuel_type", 4, "Diesel" },
  { 0x51, "17", "fuel_type", 23, "Bifuel running diesel" },
  { 0x51, "18", "fuel_type", 24, "Reserved (0x18)" },
  { 0x52, "33", "ethanol_percent", 20, NULL },
  { 0x53, "4E 20", "evap_vapor_pressure_abs", 100, NULL },
  /* (256A + B) - 32767 Pa, as the published J1979 PID table, AndrOBD and
   * python-OBD read it: not two's complement like PID 32. */
  { 0x54, "FF FF", "evap_vapor_pressure_wide", 32768, NULL },
  { 0x54, "80 00", "evap_vapor_pressure_wide", 1, NULL },
  { 0x54, "7F FF", "evap_vapor_pressure_wide", 0, NULL },
  { 0x54, "00 00", "evap_vapor_pressure_wide", -32767, NULL },
  { 0x54, "7F F0", "evap_vapor_pressure_wide", -15, NULL },
  { 0x55, "80 90", "sec_o2_stft_b1", 0, NULL },
  { 0x55, "80 90", "sec_o2_stft_b3", 12.5, NULL },
  { 0x56, "70 80", "sec_o2_ltft_b1", -12.5, NULL },
  { 0x56, "70 80", "sec_o2_ltft_b3", 0, NULL },
  { 0x57, "80 90", "sec_o2_stft_b2", 0, NULL },
  { 0x57, "80 90", "sec_o2_stft_b4", 12.5, NULL },
  { 0x58, "90 70", "sec_o2_ltft_b2", 12.5, NULL },
  { 0x58, "90 70", "sec_o2_ltft_b4", -12.5, NULL },
  { 0x59, "00 64", "fuel_rail_abs_pressure", 1000, NULL },
  { 0x5A, "33", "relative_accel_pedal_pos", 20, NULL },
  { 0x5B, "CC", "hybrid_battery_remaining", 80, NULL },
  { 0x5C, "82", "oil_temp", 90, NULL },
  { 0x5D, "69 00", "fuel_injection_timing", 0, NULL },
  { 0x5D, "69 40", "fuel_injection_timing", 0.5, NULL },
  { 0x5E, "00 C8", "fuel_rate", 10, NULL },
  { 0x5F, "0E", "emission_requirements", 14, "0E" },
  { 0x60, "00 00 00 00", "pids_supported_61_80", 0, "None" },
  { 0x61, "7D", "demanded_torque", 0, NULL },
  { 0x62, "E1", "actual_torque", 100, NULL },
  { 0x63, "01 90", "reference_torque", 400, NULL },
  { 0x64, "7D 96 AF C8 E1", "torque_idle", 0, NULL },
  { 0x64, "7D 96 AF C8 E1", "torque_point_1", 25, NULL },
  { 0x64, "7D 96 AF C8 E1", "torque_point_2", 50, NULL },
  { 0x64, "7D 96 AF C8 E1", "torque_point_3", 75, NULL },
  { 0x64, "7D 96 AF C8 E1", "torque_point_4", 100, NULL },
  { 0x65, "0F 05", "aux_pto", 1, "Active" },
  { 0x65, "0F 05", "aux_auto_trans", 0, "Park or neutral" },
  { 0x65, "0F 05", "aux_manual_trans", 1, "In gear" },
  { 0x65, "0F 05", "aux_glow_plug_lamp", 0, "Off" },
  { 0x66, "03 00 80 01 00", "maf_a", 4.0, NULL },
  { 0x66, "03 00 80 01 00", "maf_b", 8.0, NULL },
  { 0x67, "03 7B 7C", "coolant_temp_1", 83, NULL },
  { 0x67, "03 7B 7C", "coolant_temp_2", 84, NULL },
  { 0x68, "3F 3C 3D 3E 3F 40 41", "intake_temp_b1s1", 20, NULL },
  { 0x68, "3F 3C 3D 3E 3F 40 41", "intake_temp_b1s3", 22, NULL },
  { 0x68, "3F 3C 3D 3E 3F 40 41", "intake_temp_b2s3", 25, NULL },
  { 0x69, "3F 33 66 80 99 CC 90", "egr_a_commanded", 20, NULL },
  { 0x69, "3F 33 66 80 99 CC 90", "egr_a_actual", 40, NULL },
  { 0x69, "3F 33 66 80 99 CC 90", "egr_a_error", 0, NULL },
  { 0x69, "3F 33 66 80 99 CC 90", "egr_b_commanded", 60, NULL },
  { 0x69, "3F 33 66 80 99 CC 90", "egr_b_actual", 80, NULL },
  { 0x69, "3F 33 66 80 99 CC 90", "egr_b_error", 12.5, NULL },
  { 0x6A, "0F 33 66 99 CC", "intake_air_flow_a_commanded", 20, NULL },
  { 0x6A, "0F 33 66 99 CC", "intake_air_flow_b_position", 80, NULL },
  { 0x6B, "0F 50 51 52 53", "egr_temp_b1s1", 40, NULL },
  { 0x6B, "0F 50 51 52 53", "egr_temp_b2s2", 43, NULL },
  { 0x6C, "0F 33 66 99 CC", "throttle_a_commanded", 20, NULL },
  { 0x6C, "0F 33 66 99 CC", "throttle_b_relative", 80, NULL },
  { 0x6D, "3F 27 10 27 10 5A 03 E8 03 E8 50", "fuel_rail_pressure_a_commanded", 100000, NULL },
  { 0x6D, "3F 27 10 27 10 5A 03 E8 03 E8 50", "fuel_temp_a", 50, NULL },
  { 0x6D, "3F 27 10 27 10 5A 03 E8 03 E8 50", "fuel_rail_pressure_b", 10000, NULL },
  { 0x6D, "3F 27 10 27 10 5A 03 E8 03 E8 50", "fuel_temp_b", 40, NULL },
  { 0x6E, "0F 27 10 27 00 03 E8 03 E0", "injection_pressure_a_commanded", 100000, NULL },
  { 0x6E, "0F 27 10 27 00 03 E8 03 E0", "injection_pressure_a", 99840, NULL },
  { 0x6E, "0F 27 10 27 00 03 E8 03 E0", "injection_pressure_b", 9920, NULL },
  { 0x6F, "03 64 65", "compressor_inlet_pressure_a", 100, NULL },
  { 0x6F, "03 64 65", "compressor_inlet_pressure_b", 101, NULL },
  { 0x70, "0F 0C 80 0C 80 06 40 06 40 05", "boost_pressure_a", 100, NULL },
  { 0x70, "0F 0C 80 0C 80 06 40 06 40 05", "boost_pressure_b_commanded", 50, NULL },
  { 0x70, "0F 0C 80 0C 80 06 40 06 40 05", "boost_control_status", 5, "05" },
  { 0x71, "0F 33 66 99 CC 0A", "vgt_a_commanded", 20, NULL },
  { 0x71, "0F 33 66 99 CC 0A", "vgt_b_position", 80, NULL },
  { 0x71, "0F 33 66 99 CC 0A", "vgt_control_status", 10, "0A" },
  { 0x72, "0F 33 66 99 CC", "wastegate_a_position", 40, NULL },
  { 0x72, "0F 33 66 99 CC", "wastegate_b_commanded", 60, NULL },
  { 0x73, "03 27 10 4E 20", "exhaust_pressure_b1", 100, NULL },
  { 0x73, "03 27 10 4E 20", "exhaust_pressure_b2", 200, NULL },
  { 0x74, "03 27 10 13 88", "turbo_rpm_a", 100000, NULL },
  { 0x74, "03 27 10 13 88", "turbo_rpm_b", 50000, NULL },
  { 0x75, "0F 3C 8C 1E 14 1A 2C", "turbo_a_compressor_inlet_temp", 20, NULL },
  { 0x75, "0F 3C 8C 1E 14 1A 2C", "turbo_a_compressor_outlet_temp", 100, NULL },
  { 0x75, "0F 3C 8C 1E 14 1A 2C", "turbo_a_turbine_inlet_temp", 730, NULL },
  { 0x75, "0F 3C 8C 1E 14 1A 2C", "turbo_a_turbine_outlet_temp", 630, NULL },
  { 0x76, "0F 3C 8C 1E 14 1A 2C", "turbo_b_compressor_inlet_temp", 20, NULL },
  { 0x76, "0F 3C 8C 1E 14 1A 2C", "turbo_b_turbine_outlet_temp", 630, NULL },
  { 0x77, "0F 3C 3D 3E 3F", "cact_b1s1", 20, NULL },
  { 0x77, "0F 3C 3D 3E 3F", "cact_b2s2", 23, NULL },
  { 0x78, "0F 1E 14 1A 2C 16 44 12 5C", "egt_b1s1", 730, NULL },
  { 0x78, "0F 1E 14 1A 2C 16 44 12 5C", "egt_b1s3", 530, NULL },
  { 0x78, "0F 1E 14 1A 2C 16 44 12 5C", "egt_b1s4", 430, NULL },
  { 0x79, "0F 1E 14 1A 2C 16 44 12 5C", "egt_b2s2", 630, NULL },
  { 0x7A, "07 FF 9C 27 10 23 28", "dpf_b1_delta_pressure", -1.0, NULL },
  { 0x7A, "07 FF 9C 27 10 23 28", "dpf_b1_inlet_pressure", 100, NULL },
  { 0x7A, "07 FF 9C 27 10 23 28", "dpf_b1_outlet_pressure", 90, NULL },
  { 0x7B, "07 00 64 27 10 23 28", "dpf_b2_delta_pressure", 1.0, NULL },
  { 0x7C, "0F 1E 14 1A 2C 16 44 12 5C", "dpf_b1_inlet_temp", 730, NULL },
  { 0x7C, "0F 1E 14 1A 2C 16 44 12 5C", "dpf_b2_outlet_temp", 430, NULL },
  { 0x7D, "05", "nox_nte_inside", 1, "Yes" },
  { 0x7D, "05", "nox_nte_outside", 0, "No" },
  { 0x7D, "05", "nox_nte_carve_out", 1, "Yes" },
  { 0x7E, "0A", "pm_nte_outside", 1, "Yes" },
  { 0x7E, "0A", "pm_nte_deficiency", 1, "Yes" },
  { 0x7F, "07 00 00 0E 10 00 00 00 3C 00 00 00 00", "engine_run_time_total", 3600, NULL },
  { 0x7F, "07 00 00 0E 10 00 00 00 3C 00 00 00 00", "engine_run_time_idle", 60, NULL },
  { 0x7F, "07 00 00 0E 10 00 00 00 3C 00 00 00 00", "engine_run_time_pto", 0, NULL },
  { 0x80, "C0 00 00 00", "pids_supported_81_a0", 3221225472.0, "81 82" },
  { 0x81, R41, "aecd_run_time_1_5", 0, RAW_HEX },
  { 0x82, R41, "aecd_run_time_6_10", 0, RAW_HEX },
  { 0x83, "01 02 03 04 05 06 07 08 09", "nox_sensor", 0, RAW_HEX },
  { 0x84, "5A", "manifold_surface_temp", 50, NULL },
  { 0x85, "0F 00 10 00 20 CC 00 00 0E 10", "reagent_tank_level", 80, NULL },
  { 0x85, "0F 00 10 00 20 CC 00 00 0E 10", "nox_reagent_system_raw", 0, RAW_HEX },
  { 0x86, "01 02 03 04 05", "pm_sensor", 0x0102030405, RAW_HEX },
  { 0x87, "03 0C 80 0C 80", "map_sensors", 0x030C800C80, RAW_HEX },
  { 0x88, "01 02 03 04 05 06 07 08 09 0A 0B 0C 0D", "scr_inducement", 0, RAW_HEX },
  { 0x89, R41, "aecd_run_time_11_15", 0, RAW_HEX },
  { 0x8A, R41, "aecd_run_time_16_20", 0, RAW_HEX },
  { 0x8B, "01 02 03 04 05 06 07", "diesel_aftertreatment", 0, RAW_HEX },
  { 0x8C, "01 " Z8 " " Z8, "o2_sensor_wide_range", 0, RAW_HEX },
  { 0x8D, "33", "throttle_pos_g", 20, NULL },
  { 0x8E, "7D", "friction_torque", 0, NULL },
  { 0x8F, "01 02 03 04 05 06 07", "pm_sensor_b1_b2", 0, RAW_HEX },
  { 0x90, "01 02 03", "wwh_obd_vehicle_info", 0x010203, RAW_HEX },
  { 0x91, "01 02 03 04 05", "wwh_obd_ecu_info", 0x0102030405, RAW_HEX },
  { 0x92, "AB CD", "fuel_system_control", 0xABCD, RAW_HEX },
  { 0x93, "01 02 03", "wwh_obd_counters", 0x010203, RAW_HEX },
  { 0x94, "01 02 03 04 05 06 07 08 09 0A 0B 0C", "nox_warning_inducement", 0, RAW_HEX },
  { 0x98, "0F 1E 14 1A 2C 16 44 12 5C", "egt_sensor_b1", 0, RAW_HEX },
  { 0x99, "0F 1E 14 1A 2C 16 44 12 5C", "egt_sensor_b2", 0, RAW_HEX },
  { 0x9A, "01 02 03 04 05 06", "hybrid_battery_voltage", 0x010203040506, RAW_HEX },
  { 0x9B, "01 02 03 CC", "def_tank_level", 80, NULL },
  { 0x9B, "01 02 03 CC", "def_sensor_raw", 0x010203, "01 02 03" },
  { 0x9C, "01 " Z8 " " Z8, "o2_sensor_data", 0, RAW_HEX },
  { 0x9D, "01 F4 03 E8", "engine_fuel_rate_mass", 10, NULL },
  { 0x9D, "01 F4 03 E8", "vehicle_fuel_rate_mass", 20, NULL },
  { 0x9E, "03 E8", "exhaust_flow_rate", 200, NULL },
  { 0x9F, "01 02 03 04 05 06 07 08 09", "fuel_system_use", 0, RAW_HEX },
  { 0xA0, "00 00 00 01", "pids_supported_a1_c0", 1, "C0" },
  { 0xA1, "01 02 03 04 05 06 07 08 09", "nox_sensor_corrected", 0, RAW_HEX },
  { 0xA2, "01 40", "cylinder_fuel_rate", 10, NULL },
  { 0xA3, "01 02 03 04 05 06 07 08 09", "evap_vapor_pressure_ext", 0, RAW_HEX },
  { 0xA4, "02 00 0D AC", "gear_ratio", 3.5, NULL },
  { 0xA5, "01 64 00 00", "def_dosing", 50, NULL },
  { 0xA6, "00 01 E2 40", "odometer", 12345.6, NULL },
  { 0xA7, "01 02 03 04", "nox_sensor_3_4", 0x01020304, RAW_HEX },
  { 0xA8, "01 02 03 04", "nox_sensor_corrected_3_4", 0x01020304, RAW_HEX },
  { 0xA9, "01 01 00 00", "abs_disabled", 1, "Yes" },
  { 0xA9, "01 00 00 00", "abs_disabled", 0, "No" },
  { 0xC0, "00 00 00 00", "pids_supported_c1_e0", 0, "None" },
  { 0xC3, "01 02", "pid_c3", 0x0102, RAW_HEX },
  { 0xC4, "AA BB CC DD", "pid_c4", 0xAABBCCDD, RAW_HEX },
};

static void
test_vectors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      const Vector *vec = &vectors[i];
      g_autoptr(GArray) values = decode_ok (vec->pid, vec->data);
      const ObdValue *v = find_value (values, vec->key);

      g_test_message ("PID %02X [%s] %s", vec->pid, vec->data, vec->key);
      g_assert_nonnull (v);
      g_assert_cmpint (v->pid, ==, vec->pid);
      g_assert_cmpfloat_with_epsilon (v->value, vec->value, EPSILON);

      if (g_strcmp0 (vec->text, RAW_HEX) == 0)
        {
          g_autoptr(GByteArray) bytes = parse_hex (vec->data);
          g_autofree char *hex = hex_of (bytes->data, bytes->len);

          g_assert_cmpstr (v->text, ==, hex);
        }
      else
        g_assert_cmpstr (v->text, ==, vec->text);
    }
}

static void
test_vectors_cover_table (void)
{
  gsize n_rows;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);

  for (gsize r = 0; r < n_rows; r++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (vectors) && !found; i++)
        found = vectors[i].pid == table[r].pid;

      g_test_message ("PID %02X has a known vector", table[r].pid);
      g_assert_true (found);
    }
}

/* ---------------------------------------------------------------------- */
/* Table invariants                                                        */

static gboolean
pid_is_defined (guint pid)
{
  /* Every PID of SAE J1979 from 00 to C4: 00-94, 98-A9, C0, C3, C4. */
  return pid <= 0x94 || (pid >= 0x98 && pid <= 0xA9) || pid == 0xC0 || pid == 0xC3 ||
         pid == 0xC4;
}

static void
test_table_invariants (void)
{
  gsize n_rows;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_defined = 0;

  g_assert_nonnull (table);
  g_assert_cmpuint (n_rows, >, 0);

  for (gsize i = 0; i < n_rows; i++)
    {
      const ObdPidInfo *info = &table[i];

      g_test_message ("row PID %02X %s", info->pid, info->key);
      if (i > 0)
        g_assert_cmpuint (table[i - 1].pid, <, info->pid);

      g_assert_true (pid_is_defined (info->pid));
      g_assert_nonnull (info->key);
      g_assert_nonnull (info->label);
      g_assert_cmpuint (strlen (info->label), >, 0);
      g_assert_nonnull (info->decode);
      g_assert_cmpint (info->unit, <, OBD_UNIT_LAST);
      g_assert_cmpfloat (info->min, <=, info->max);
      g_assert_true (obd_pid_lookup (info->pid) == info);

      /* Keys are lowercase snake_case and unique. */
      for (const char *p = info->key; *p != '\0'; p++)
        g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_');
      g_assert_false (g_hash_table_contains (keys, info->key));
      g_hash_table_add (keys, (gpointer) info->key);

      if (info->kind == OBD_PID_KIND_BITMAP)
        {
          g_assert_cmpuint (info->pid % 0x20, ==, 0);
          g_assert_cmpuint (info->n_bytes, ==, 4);
        }
      if (info->kind == OBD_PID_KIND_NUMERIC)
        g_assert_cmpfloat (info->min, <, info->max);
    }

  for (guint pid = 0; pid <= 0xFF; pid++)
    {
      g_test_message ("PID %02X", pid);
      if (pid_is_defined (pid))
        {
          g_assert_nonnull (obd_pid_lookup ((guint8) pid));
          n_defined++;
        }
      else
        g_assert_null (obd_pid_lookup ((guint8) pid));
    }
  g_assert_cmpuint (n_defined, ==, n_rows);
}

static void
test_table_lengths (void)
{
  /* The lengths that split multi-PID replies; a sample from J1979. */
  static const struct { guint8 pid; guint8 n; } lengths[] = {
    { 0x00, 4 }, { 0x01, 4 }, { 0x02, 2 }, { 0x03, 2 }, { 0x04, 1 }, { 0x0C, 2 },
    { 0x14, 2 }, { 0x1C, 1 }, { 0x24, 4 }, { 0x34, 4 }, { 0x3C, 2 }, { 0x4F, 4 },
    { 0x50, 4 }, { 0x64, 5 }, { 0x65, 2 }, { 0x66, 5 }, { 0x67, 3 }, { 0x68, 7 },
    { 0x69, 7 }, { 0x6D, 11 }, { 0x70, 10 }, { 0x7F, 13 }, { 0x81, 41 }, { 0x8C, 17 },
    { 0x9C, 17 }, { 0x9D, 4 }, { 0xA6, 4 }, { 0xA9, 4 }, { 0xC3, 0 }, { 0xC4, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      const ObdPidInfo *info = obd_pid_lookup (lengths[i].pid);

      g_assert_nonnull (info);
      g_assert_cmpuint (info->n_bytes, ==, lengths[i].n);
    }
}

static gboolean
is_signed_key (const char *key)
{
  static const char *const signed_keys[] = {
    "evap_vapor_pressure",
    "dpf_b1_delta_pressure", "dpf_b2_delta_pressure",
  };

  for (guint i = 0; i < G_N_ELEMENTS (signed_keys); i++)
    {
      if (strcmp (key, signed_keys[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

static GArray *
decode_pattern (const ObdPidInfo *info,
                guint8            first,
                guint8            rest)
{
  gsize n = info->n_bytes != 0 ? info->n_bytes : 4;
  g_autofree guint8 *data = g_malloc (n);
  g_autoptr(GError) error = NULL;
  GArray *values = obd_value_array_new ();

  memset (data, rest, n);
  data[0] = first;
  g_assert_true (obd_pid_decode (info->pid, data, n, values, &error));
  g_assert_no_error (error);

  return values;
}

/* Every value of every row, for all-zero, all-0xFF and 0xFF-then-zero data
 * (the last turns on the "supported" bits of byte A): sane fields, a
 * value inside its range, zero data at the minimum and 0xFF data at the
 * maximum where the formula is unsigned, and one key per (PID, index). */
static void
test_table_ranges (void)
{
  gsize n_rows;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize r = 0; r < n_rows; r++)
    {
      const ObdPidInfo *info = &table[r];
      g_autoptr(GArray) zero = decode_pattern (info, 0x00, 0x00);
      g_autoptr(GArray) ff = decode_pattern (info, 0xFF, 0xFF);
      g_autoptr(GArray) ff00 = decode_pattern (info, 0xFF, 0x00);
      GArray *patterns[] = { zero, ff, ff00 };

      g_test_message ("PID %02X %s", info->pid, info->key);
      g_assert_cmpuint (ff->len, >, 0);
      g_assert_cmpuint (ff00->len, >, 0);

      for (guint p = 0; p < G_N_ELEMENTS (patterns); p++)
        {
          GArray *values = patterns[p];

          for (guint i = 0; i < values->len; i++)
            {
              const ObdValue *v = &g_array_index (values, ObdValue, i);
              guint id = (guint) v->pid << 8 | v->index;
              gpointer seen;

              g_test_message ("  pattern %u %s = %g", p, v->key, v->value);
              g_assert_cmpuint (v->pid, ==, info->pid);
              g_assert_nonnull (v->key);
              g_assert_nonnull (v->label);
              g_assert_cmpstr (obd_value_get_label (v), ==, v->label);
              g_assert_cmpint (v->unit, <, OBD_UNIT_LAST);
              g_assert_true (isfinite (v->value));
              if (i > 0)
                g_assert_cmpuint (g_array_index (values, ObdValue, i - 1).index, <, v->index);

              /* One meaning per key across the whole table. */
              seen = g_hash_table_lookup (keys, v->key);
              if (seen != NULL)
                g_assert_cmpuint (GPOINTER_TO_UINT (seen) - 1, ==, id);
              else
                g_hash_table_insert (keys, (gpointer) v->key, GUINT_TO_POINTER (id + 1));

              /* Enumerations may carry codes outside the defined set (their
               * text says "Invalid"); quantities must stay in range. */
              if (v->text == NULL && v->min < v->max)
                {
                  g_assert_cmpfloat (v->value, >=, v->min - EPSILON);
                  g_assert_cmpfloat (v->value, <=, v->max + EPSILON);
                }

              if (v->text != NULL || v->min >= v->max || is_signed_key (v->key))
                continue;

              if (values == ff)
                g_assert_cmpfloat_with_epsilon (v->value, v->max, EPSILON);
              else if (values == zero || find_value (zero, v->key) == NULL)
                g_assert_cmpfloat_with_epsilon (v->value, v->min, EPSILON);
            }
        }
    }
}

static void
test_signed_ends (void)
{
  static const struct { guint8 pid; const char *data; const char *key; double value; } ends[] = {
    { 0x32, "80 00", "evap_vapor_pressure", -8192 },
    { 0x32, "7F FF", "evap_vapor_pressure", 8191.75 },
    { 0x32, "00 00", "evap_vapor_pressure", 0 },
    { 0x7A, "01 80 00 00 00 00 00", "dpf_b1_delta_pressure", -327.68 },
    { 0x7B, "01 7F FF 00 00 00 00", "dpf_b2_delta_pressure", 327.67 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      g_autoptr(GArray) values = decode_ok (ends[i].pid, ends[i].data);
      const ObdValue *v = find_value (values, ends[i].key);

      g_assert_nonnull (v);
      g_assert_cmpfloat_with_epsilon (v->value, ends[i].value, EPSILON);
      g_assert_cmpfloat_with_epsilon (v->min, ends[i].value < 0 ? ends[i].value : v->min,
                                      EPSILON);
    }
}

static void
test_short_data (void)
{
  gsize n_rows;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);
  guint8 data[64] = { 0 };

  for (gsize r = 0; r < n_rows; r++)
    {
      const ObdPidInfo *info = &table[r];
      g_autoptr(GArray) values = obd_value_array_new ();
      g_autoptr(GError) error = NULL;
      gsize len = info->n_bytes != 0 ? info->n_bytes - 1u : 0;

      g_test_message ("PID %02X with %" G_GSIZE_FORMAT " bytes", info->pid, len);
      g_assert_false (obd_pid_decode (info->pid, data, len, values, &error));
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_cmpuint (values->len, ==, 0);
    }
}

static void
test_unknown_pid (void)
{
  static const guint8 unknown[] = { 0x95, 0x96, 0x97, 0xAA, 0xBF, 0xC1, 0xC2, 0xC5, 0xE0, 0xFF };
  guint8 data[8] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(GArray) values = obd_value_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (obd_pid_decode (unknown[i], data, sizeof data, values, &error));
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED);
      g_assert_cmpuint (values->len, ==, 0);
    }
}

/* ---------------------------------------------------------------------- */
/* Particular decodings                                                    */

static void
test_absent_fields (void)
{
  g_autoptr(GArray) o2 = decode_ok (0x15, "5A FF");
  g_autoptr(GArray) maf = decode_ok (0x66, "01 00 80 01 00");
  g_autoptr(GArray) maf_none = decode_ok (0x66, "00 00 80 01 00");
  g_autoptr(GArray) aux = decode_ok (0x65, "01 01");
  g_autoptr(GArray) gear = decode_ok (0xA4, "00 00 0D AC");
  const ObdValue *v;

  /* B == 0xFF: the sensor is not used for the trim; only the voltage. */
  g_assert_cmpuint (o2->len, ==, 1);
  g_assert_cmpstr (g_array_index (o2, ObdValue, 0).key, ==, "o2_s2_voltage");

  /* Only sensor A supported: B is left out, A keeps index 0. */
  g_assert_cmpuint (maf->len, ==, 1);
  v = find_value (maf, "maf_a");
  g_assert_nonnull (v);
  g_assert_cmpuint (v->index, ==, 0);
  g_assert_null (find_value (maf, "maf_b"));
  g_assert_cmpuint (maf_none->len, ==, 0);

  g_assert_cmpuint (aux->len, ==, 1);
  g_assert_nonnull (find_value (aux, "aux_pto"));
  g_assert_cmpuint (gear->len, ==, 0);
}

static void
test_monitor_engine_types (void)
{
  g_autoptr(GArray) spark = decode_ok (0x01, "00 07 FF 00");
  g_autoptr(GArray) diesel = decode_ok (0x01, "00 0F FF 00");
  const ObdValue *a, *b;

  g_assert_nonnull (find_value (spark, "catalyst_available"));
  g_assert_nonnull (find_value (spark, "gpf_complete"));
  g_assert_null (find_value (spark, "nmhc_catalyst_available"));
  g_assert_null (find_value (diesel, "catalyst_available"));
  g_assert_nonnull (find_value (diesel, "boost_pressure_available"));
  g_assert_nonnull (find_value (diesel, "pm_filter_complete"));

  /* EGR/VVT is C7/D7 for both and keeps one index. */
  a = find_value (spark, "egr_vvt_available");
  b = find_value (diesel, "egr_vvt_available");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a->index, ==, b->index);

  /* Both have mil, dtc_count, ignition type, 4 common monitors x 2; spark
   * 7 specific monitors x 2, compression 5. */
  g_assert_cmpuint (spark->len, ==, 3 + 8 + 14);
  g_assert_cmpuint (diesel->len, ==, 3 + 8 + 10);
}

static void
test_value_ranges (void)
{
  g_autoptr(GArray) rpm = decode_ok (0x0C, "1A F8");
  g_autoptr(GArray) coolant = decode_ok (0x05, "7B");
  const ObdValue *v;

  v = &g_array_index (rpm, ObdValue, 0);
  g_assert_cmpstr (v->key, ==, "rpm");
  g_assert_cmpstr (v->label, ==, "Engine speed");
  g_assert_cmpint (v->unit, ==, OBD_UNIT_RPM);
  g_assert_cmpuint (v->index, ==, 0);
  g_assert_cmpfloat_with_epsilon (v->min, 0, EPSILON);
  g_assert_cmpfloat_with_epsilon (v->max, 16383.75, EPSILON);
  g_assert_null (v->text);

  v = &g_array_index (coolant, ObdValue, 0);
  g_assert_cmpfloat_with_epsilon (v->min, -40, EPSILON);
  g_assert_cmpfloat_with_epsilon (v->max, 215, EPSILON);
}

static void
test_padded_reply (void)
{
  /* Extra bytes after the PID's data (frame padding) are ignored. */
  g_autoptr(GArray) values = decode_ok (0x0D, "32 00 00 00 00");

  g_assert_cmpuint (values->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (values, ObdValue, 0).value, 50, EPSILON);
}

/* ---------------------------------------------------------------------- */
/* Lookup                                                                  */

static void
test_lookup_name (void)
{
  static const struct { const char *name; gint pid; } names[] = {
    { "0C", 0x0C }, { "0c", 0x0C }, { "0x0c", 0x0C }, { "0X0C", 0x0C }, { "c", 0x0C },
    { "rpm", 0x0C }, { "RPM", 0x0C }, { "Rpm", 0x0C },
    { "speed", 0x0D }, { "coolant_temp", 0x05 }, { "engine_load", 0x04 },
    { "throttle_pos", 0x11 }, { "maf", 0x10 }, { "intake_temp", 0x0F }, { "map", 0x0B },
    { "timing_advance", 0x0E }, { "fuel_level", 0x2F }, { "control_module_voltage", 0x42 },
    { "stft_b1", 0x06 }, { "ltft_b1", 0x07 }, { "stft_b2", 0x08 }, { "ltft_b2", 0x09 },
    { "fuel_pressure", 0x0A }, { "run_time", 0x1F }, { "distance_with_mil", 0x21 },
    { "catalyst_temp_b1s1", 0x3C }, { "ambient_temp", 0x46 }, { "oil_temp", 0x5C },
    { "fuel_rate", 0x5E }, { "baro_pressure", 0x33 }, { "absolute_load", 0x43 },
    { "commanded_equiv_ratio", 0x44 }, { "distance_since_clear", 0x31 },
    { "warmups_since_clear", 0x30 }, { "monitor_status", 0x01 }, { "fuel_type", 0x51 },
    { "obd_standard", 0x1C }, { "00", 0x00 }, { "0xC4", 0xC4 }, { "a6", 0xA6 },
    { "odometer", 0xA6 },
    { "95", -1 }, { "0x95", -1 }, { "nope", -1 }, { "", -1 }, { "0x", -1 }, { "123", -1 },
    { "0x123", -1 }, { "0g", -1 }, { " 0C", -1 }, { "rpm ", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const ObdPidInfo *info = obd_pid_lookup_name (names[i].name);

      g_test_message ("lookup \"%s\"", names[i].name);
      if (names[i].pid < 0)
        g_assert_null (info);
      else
        {
          g_assert_nonnull (info);
          g_assert_cmpint (info->pid, ==, names[i].pid);
        }
    }
}

static void
test_lookup_every_key (void)
{
  gsize n_rows;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);

  for (gsize i = 0; i < n_rows; i++)
    {
      g_autofree char *upper = g_ascii_strup (table[i].key, -1);
      g_autofree char *hex = g_strdup_printf ("%02X", table[i].pid);
      g_autofree char *prefixed = g_strdup_printf ("0x%02x", table[i].pid);

      g_assert_true (obd_pid_lookup_name (table[i].key) == &table[i]);
      g_assert_true (obd_pid_lookup_name (upper) == &table[i]);
      g_assert_true (obd_pid_lookup_name (hex) == &table[i]);
      g_assert_true (obd_pid_lookup_name (prefixed) == &table[i]);
    }
}

/* ---------------------------------------------------------------------- */
/* Multi-PID replies                                                       */

static void
test_multi (void)
{
  g_autoptr(GByteArray) payload = parse_hex ("0C 1A F8 0D 32 05 7B");
  g_autoptr(GArray) values = obd_value_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (obd_pid_decode_multi (payload->data, payload->len, values, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 3);
  g_assert_cmpstr (g_array_index (values, ObdValue, 0).key, ==, "rpm");
  g_assert_cmpfloat_with_epsilon (g_array_index (values, ObdValue, 0).value, 1726, EPSILON);
  g_assert_cmpstr (g_array_index (values, ObdValue, 1).key, ==, "speed");
  g_assert_cmpfloat_with_epsilon (g_array_index (values, ObdValue, 1).value, 50, EPSILON);
  g_assert_cmpstr (g_array_index (values, ObdValue, 2).key, ==, "coolant_temp");
  g_assert_cmpfloat_with_epsilon (g_array_index (values, ObdValue, 2).value, 83, EPSILON);
}

static void
test_multi_six (void)
{
  /* Six PIDs, the most one CAN request may carry, with a multi-value one. */
  g_autoptr(GByteArray) payload =
    parse_hex ("04 80 14 5A 80 0B 65 01 83 07 65 04 0D 32 0F 3C");
  g_autoptr(GArray) values = obd_value_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (obd_pid_decode_multi (payload->data, payload->len, values, &error));
  g_assert_no_error (error);
  g_assert_nonnull (find_value (values, "engine_load"));
  g_assert_nonnull (find_value (values, "o2_s1_voltage"));
  g_assert_nonnull (find_value (values, "o2_s1_stft"));
  g_assert_cmpfloat_with_epsilon (find_value (values, "map")->value, 101, EPSILON);
  g_assert_cmpfloat_with_epsilon (find_value (values, "dtc_count")->value, 3, EPSILON);
  g_assert_cmpfloat_with_epsilon (find_value (values, "speed")->value, 50, EPSILON);
  g_assert_cmpfloat_with_epsilon (find_value (values, "intake_temp")->value, 20, EPSILON);
}

static void
test_multi_errors (void)
{
  static const struct { const char *hex; gint code; guint n_kept; } cases[] = {
    { "0C 1A F8 95 00", OBD_PROTOCOL_ERROR_UNSUPPORTED, 1 },   /* unknown PID */
    { "0D 32 0C 1A", OBD_PROTOCOL_ERROR_MALFORMED, 1 },        /* truncated */
    { "0D 32 0C", OBD_PROTOCOL_ERROR_MALFORMED, 1 },           /* PID without data */
    { "0D 32 C3 01 02", OBD_PROTOCOL_ERROR_MALFORMED, 1 },     /* variable length */
    { "", OBD_PROTOCOL_ERROR_MALFORMED, 0 },                   /* nothing */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) payload = parse_hex (cases[i].hex);
      g_autoptr(GArray) values = obd_value_array_new ();
      g_autoptr(GError) error = NULL;

      g_test_message ("multi \"%s\"", cases[i].hex);
      g_assert_false (obd_pid_decode_multi (payload->data, payload->len, values, &error));
      g_assert_error (error, OBD_PROTOCOL_ERROR, cases[i].code);
      g_assert_cmpuint (values->len, ==, cases[i].n_kept);
    }
}

/* ---------------------------------------------------------------------- */
/* Supported-PID bitmaps                                                   */

static void
check_supported (guint8       base,
                 const char  *hex,
                 const guint *expected,
                 gsize        n_expected)
{
  g_autoptr(GByteArray) bytes = parse_hex (hex);
  gboolean supported[256];

  /* Entries outside base+1 .. base+32 are left alone. */
  for (guint i = 0; i < 256; i++)
    supported[i] = 2;

  obd_pid_parse_supported (base, bytes->data, supported);

  for (guint pid = 0; pid < 256; pid++)
    {
      gboolean want = FALSE;

      for (gsize i = 0; i < n_expected; i++)
        want = want || expected[i] == pid;

      g_test_message ("base %02X PID %02X", base, pid);
      if (pid > base && pid <= base + 32u)
        g_assert_cmpint (supported[pid], ==, want);
      else
        g_assert_cmpint (supported[pid], ==, 2);
    }
}

static void
test_supported (void)
{
  static const guint wiki[] = {
    0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x13, 0x15,
    0x1C, 0x1F, 0x20,
  };
  /* "BE 3F A8 13": as above plus 0B (3F = 0011 1111 covers 0B-10). */
  static const guint with_0b[] = {
    0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x13,
    0x15, 0x1C, 0x1F, 0x20,
  };
  static const guint high[] = { 0x21, 0x40 };
  static const guint top[] = { 0xE1, 0xFF };

  check_supported (0x00, "BE 1F A8 13", wiki, G_N_ELEMENTS (wiki));
  check_supported (0x00, "BE 3F A8 13", with_0b, G_N_ELEMENTS (with_0b));
  check_supported (0x20, "80 00 00 01", high, G_N_ELEMENTS (high));
  check_supported (0xC0, "00 00 00 00", NULL, 0);
  /* E0's last bit would be PID 0x100: nothing is written past 0xFF. */
  check_supported (0xE0, "80 00 00 03", top, G_N_ELEMENTS (top));
}

static void
test_supported_bad_base (void)
{
  gboolean supported[256] = { 0 };
  const guint8 data[4] = { 0xFF, 0xFF, 0xFF, 0xFF };

  g_test_expect_message ("obd", G_LOG_LEVEL_CRITICAL, "*base % 0x20 == 0*");
  obd_pid_parse_supported (0x10, data, supported);
  g_test_assert_expected_messages ();
  g_assert_false (supported[0x11]);
}

/* ---------------------------------------------------------------------- */
/* Units                                                                   */

static void
test_unit_conversions (void)
{
  static const struct { ObdUnit unit; double si; double us; } cases[] = {
    { OBD_UNIT_CELSIUS, 93, 199.4 },
    { OBD_UNIT_CELSIUS, -40, -40 },
    { OBD_UNIT_CELSIUS, 100, 212 },
    { OBD_UNIT_KPA, 6.894757293168361, 1 },
    { OBD_UNIT_KPA, 101.325, 14.6959487755 },
    { OBD_UNIT_PA, 249.08891, 1 },
    { OBD_UNIT_KMH, 100, 62.1371192237 },
    { OBD_UNIT_KMH, 1.609344, 1 },
    { OBD_UNIT_GRAMS_PER_SEC, 453.59237 / 60, 1 },
    { OBD_UNIT_KM, 1.609344, 1 },
    { OBD_UNIT_METRE, 0.3048, 1 },
    { OBD_UNIT_LITRES_PER_HOUR, 3.785411784, 1 },
    { OBD_UNIT_NEWTON_METRE, 1.3558179483314004, 1 },
    { OBD_UNIT_NEWTON_METRE, 100, 73.7562149277 },
    { OBD_UNIT_KG_PER_HOUR, 0.45359237, 1 },
    { OBD_UNIT_RPM, 1726, 1726 },
    { OBD_UNIT_PERCENT, 45.5, 45.5 },
    { OBD_UNIT_VOLT, 14.2, 14.2 },
    { OBD_UNIT_NONE, 3, 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpfloat_with_epsilon (obd_unit_convert (cases[i].unit, OBD_UNIT_SYSTEM_US,
                                                        cases[i].si),
                                      cases[i].us, 1e-6);
      g_assert_cmpfloat_with_epsilon (obd_unit_convert (cases[i].unit, OBD_UNIT_SYSTEM_SI,
                                                        cases[i].si),
                                      cases[i].si, 1e-12);
    }
}

static void
test_unit_symbols (void)
{
  static const struct { ObdUnit unit; const char *si; const char *us; } cases[] = {
    { OBD_UNIT_CELSIUS, "°C", "°F" },
    { OBD_UNIT_KPA, "kPa", "psi" },
    { OBD_UNIT_PA, "Pa", "inH₂O" },
    { OBD_UNIT_KMH, "km/h", "mph" },
    { OBD_UNIT_KM, "km", "mi" },
    { OBD_UNIT_METRE, "m", "ft" },
    { OBD_UNIT_GRAMS_PER_SEC, "g/s", "lb/min" },
    { OBD_UNIT_LITRES_PER_HOUR, "L/h", "gal/h" },
    { OBD_UNIT_NEWTON_METRE, "N·m", "lb·ft" },
    { OBD_UNIT_KG_PER_HOUR, "kg/h", "lb/h" },
    { OBD_UNIT_RPM, "rpm", "rpm" },
    { OBD_UNIT_PERCENT, "%", "%" },
    { OBD_UNIT_VOLT, "V", "V" },
    { OBD_UNIT_NONE, "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (obd_unit_get_symbol (cases[i].unit, OBD_UNIT_SYSTEM_SI), ==,
                       cases[i].si);
      g_assert_cmpstr (obd_unit_get_symbol (cases[i].unit, OBD_UNIT_SYSTEM_US), ==,
                       cases[i].us);
      g_assert_cmpstr (obd_unit_get_name (cases[i].unit, OBD_UNIT_SYSTEM_SI), ==,
                       cases[i].si);
      g_assert_cmpstr (obd_unit_get_name (cases[i].unit, OBD_UNIT_SYSTEM_US), ==,
                       cases[i].us);
    }

  /* Every unit has a symbol in both systems (empty only for pure numbers). */
  for (guint unit = 0; unit < OBD_UNIT_LAST; unit++)
    {
      for (guint system = OBD_UNIT_SYSTEM_SI; system <= OBD_UNIT_SYSTEM_US; system++)
        {
          const char *symbol = obd_unit_get_symbol (unit, system);
          const char *name = obd_unit_get_name (unit, system);

          g_assert_nonnull (symbol);
          g_assert_nonnull (name);
          g_assert_cmpstr (symbol, ==, name);
          if (unit != OBD_UNIT_NONE && unit != OBD_UNIT_RATIO && unit != OBD_UNIT_COUNT)
            g_assert_cmpuint (strlen (symbol), >, 0);
        }
    }
}

static void
test_unit_bad (void)
{
  g_test_expect_message ("obd", G_LOG_LEVEL_CRITICAL, "*unit_is_valid*");
  g_assert_cmpstr (obd_unit_get_symbol (OBD_UNIT_LAST, OBD_UNIT_SYSTEM_SI), ==, "");
  g_test_assert_expected_messages ();
}

static void
test_unit_system_parse (void)
{
  static const struct { const char *text; gboolean ok; ObdUnitSystem system; } cases[] = {
    { "si", TRUE, OBD_UNIT_SYSTEM_SI }, { "SI", TRUE, OBD_UNIT_SYSTEM_SI },
    { "metric", TRUE, OBD_UNIT_SYSTEM_SI }, { "Metric", TRUE, OBD_UNIT_SYSTEM_SI },
    { "us", TRUE, OBD_UNIT_SYSTEM_US }, { "US", TRUE, OBD_UNIT_SYSTEM_US },
    { "imperial", TRUE, OBD_UNIT_SYSTEM_US }, { "IMPERIAL", TRUE, OBD_UNIT_SYSTEM_US },
    { "", FALSE, 0 }, { "uk", FALSE, 0 }, { "si ", FALSE, 0 }, { "metrics", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ObdUnitSystem system = 99;

      g_assert_cmpint (obd_unit_system_parse (cases[i].text, &system), ==, cases[i].ok);
      if (cases[i].ok)
        {
          g_assert_cmpint (system, ==, cases[i].system);
          g_assert_true (obd_unit_system_parse (obd_unit_system_get_name (system), NULL));
        }
      else
        g_assert_cmpint (system, ==, 99);
    }
}

/* ---------------------------------------------------------------------- */
/* Formatting                                                              */

static void
test_format (void)
{
  static const struct
  {
    guint8        pid;
    const char   *data;
    const char   *key;
    ObdUnitSystem system;
    const char   *expected;
  } cases[] = {
    { 0x0C, "1A F8", "rpm", OBD_UNIT_SYSTEM_SI, "1726 rpm" },
    { 0x0C, "1A F8", "rpm", OBD_UNIT_SYSTEM_US, "1726 rpm" },
    { 0x05, "85", "coolant_temp", OBD_UNIT_SYSTEM_SI, "93 °C" },
    { 0x05, "85", "coolant_temp", OBD_UNIT_SYSTEM_US, "199.4 °F" },
    { 0x0D, "32", "speed", OBD_UNIT_SYSTEM_SI, "50 km/h" },
    { 0x0D, "32", "speed", OBD_UNIT_SYSTEM_US, "31 mph" },
    { 0x0B, "65", "map", OBD_UNIT_SYSTEM_SI, "101 kPa" },
    { 0x0B, "65", "map", OBD_UNIT_SYSTEM_US, "14.6 psi" },
    { 0x04, "80", "engine_load", OBD_UNIT_SYSTEM_SI, "50.2 %" },
    { 0x06, "70", "stft_b1", OBD_UNIT_SYSTEM_SI, "-12.5 %" },
    { 0x0E, "80", "timing_advance", OBD_UNIT_SYSTEM_SI, "0.0 °" },
    { 0x10, "01 90", "maf", OBD_UNIT_SYSTEM_SI, "4.00 g/s" },
    { 0x10, "01 90", "maf", OBD_UNIT_SYSTEM_US, "0.53 lb/min" },
    { 0x42, "37 78", "control_module_voltage", OBD_UNIT_SYSTEM_SI, "14.200 V" },
    { 0x44, "7F BE", "commanded_equiv_ratio", OBD_UNIT_SYSTEM_SI, "0.998" },
    { 0x31, "00 64", "distance_since_clear", OBD_UNIT_SYSTEM_US, "62 mi" },
    { 0x5E, "00 C8", "fuel_rate", OBD_UNIT_SYSTEM_US, "2.64 gal/h" },
    { 0x63, "01 90", "reference_torque", OBD_UNIT_SYSTEM_US, "295 lb·ft" },
    { 0x32, "FF FC", "evap_vapor_pressure", OBD_UNIT_SYSTEM_SI, "-1 Pa" },
    { 0x30, "0A", "warmups_since_clear", OBD_UNIT_SYSTEM_SI, "10" },
    { 0x03, "02 00", "fuel_system_1", OBD_UNIT_SYSTEM_SI,
      "Closed loop, using oxygen sensor feedback" },
    { 0x01, "83 07 65 04", "mil", OBD_UNIT_SYSTEM_US, "On" },
    { 0x51, "04", "fuel_type", OBD_UNIT_SYSTEM_SI, "Diesel" },
    { 0x00, "BE 1F A8 13", "pids_supported_01_20", OBD_UNIT_SYSTEM_SI,
      "01 03 04 05 06 07 0C 0D 0E 0F 10 11 13 15 1C 1F 20" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) values = decode_ok (cases[i].pid, cases[i].data);
      const ObdValue *v = find_value (values, cases[i].key);
      g_autofree char *text = NULL;

      g_assert_nonnull (v);
      text = obd_value_format (v, cases[i].system);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_format_every_value (void)
{
  gsize n_rows;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);

  for (gsize r = 0; r < n_rows; r++)
    {
      g_autoptr(GArray) values = decode_pattern (&table[r], 0xFF, 0x42);

      for (guint i = 0; i < values->len; i++)
        {
          for (guint system = OBD_UNIT_SYSTEM_SI; system <= OBD_UNIT_SYSTEM_US; system++)
            {
              g_autofree char *text = obd_value_format (&g_array_index (values, ObdValue, i),
                                                        system);

              g_assert_nonnull (text);
              g_assert_cmpuint (strlen (text), >, 0);
              g_assert_true (g_utf8_validate (text, -1, NULL));
            }
        }
    }
}

/* Every field a decoder produces is described by obd_pid_get_value_info()
 * with the same key and unit, so stored samples can be labelled later. */
static void
test_value_info (void)
{
  gsize n_rows = 0;
  const ObdPidInfo *table = obd_pid_get_table (&n_rows);
  const ObdValue *info;

  for (gsize r = 0; r < n_rows; r++)
    {
      g_autoptr(GArray) values = obd_value_array_new ();
      guint8 data[64];
      gsize len = table[r].n_bytes != 0 ? table[r].n_bytes : 8;

      memset (data, 0x5A, sizeof data);
      if (!obd_pid_decode (table[r].pid, data, len, values, NULL))
        continue;
      for (guint i = 0; i < values->len; i++)
        {
          const ObdValue *v = &g_array_index (values, ObdValue, i);

          info = obd_pid_get_value_info (v->pid, v->index);
          if (info == NULL)
            g_error ("no info for PID %02X index %u (%s)", v->pid, v->index, v->key);
          g_assert_cmpstr (info->key, ==, v->key);
          g_assert_cmpint (info->unit, ==, v->unit);
        }
    }

  info = obd_pid_get_value_info (0x0C, 0);
  g_assert_cmpstr (info->key, ==, "rpm");
  g_assert_cmpint (info->unit, ==, OBD_UNIT_RPM);
  g_assert_null (obd_pid_get_value_info (0x0C, 7));
  g_assert_null (obd_pid_get_value_info (0xFF, 0));
}

static void
test_display_range (void)
{
  double min, max;

  g_assert_true (obd_pid_get_display_range (0x0C, 0, &min, &max));
  g_assert_cmpfloat (min, ==, 0);
  g_assert_cmpfloat (max, ==, 8000);
  g_assert_true (obd_pid_get_display_range (0x42, 0, &min, &max));
  g_assert_cmpfloat (min, ==, 8);
  g_assert_cmpfloat (max, ==, 16);

  /* Without a workshop range, the standard's. */
  g_assert_true (obd_pid_get_display_range (0x0D, 0, &min, &max));
  g_assert_cmpfloat (min, ==, 0);
  g_assert_cmpfloat (max, ==, 255);

  g_assert_false (obd_pid_get_display_range (0xFF, 0, &min, &max));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/obd/pid/vectors", test_vectors);
  g_test_add_func ("/obd/pid/vectors-cover-table", test_vectors_cover_table);
  g_test_add_func ("/obd/pid/table/invariants", test_table_invariants);
  g_test_add_func ("/obd/pid/table/lengths", test_table_lengths);
  g_test_add_func ("/obd/pid/table/ranges", test_table_ranges);
  g_test_add_func ("/obd/pid/signed-ends", test_signed_ends);
  g_test_add_func ("/obd/pid/short-data", test_short_data);
  g_test_add_func ("/obd/pid/unknown", test_unknown_pid);
  g_test_add_func ("/obd/pid/absent-fields", test_absent_fields);
  g_test_add_func ("/obd/pid/monitor-engine-types", test_monitor_engine_types);
  g_test_add_func ("/obd/pid/value-ranges", test_value_ranges);
  g_test_add_func ("/obd/pid/padded-reply", test_padded_reply);
  g_test_add_func ("/obd/pid/lookup/name", test_lookup_name);
  g_test_add_func ("/obd/pid/lookup/every-key", test_lookup_every_key);
  g_test_add_func ("/obd/pid/multi/basic", test_multi);
  g_test_add_func ("/obd/pid/multi/six", test_multi_six);
  g_test_add_func ("/obd/pid/multi/errors", test_multi_errors);
  g_test_add_func ("/obd/pid/supported", test_supported);
  g_test_add_func ("/obd/pid/supported-bad-base", test_supported_bad_base);
  g_test_add_func ("/obd/units/conversions", test_unit_conversions);
  g_test_add_func ("/obd/units/symbols", test_unit_symbols);
  g_test_add_func ("/obd/units/bad-unit", test_unit_bad);
  g_test_add_func ("/obd/units/system-parse", test_unit_system_parse);
  g_test_add_func ("/obd/pid/format", test_format);
  g_test_add_func ("/obd/pid/format-every-value", test_format_every_value);
  g_test_add_func ("/obd/pid/value-info", test_value_info);
  g_test_add_func ("/obd/pid/display-range", test_display_range);

  return g_test_run ();
}
