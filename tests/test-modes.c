/* test-modes.c — Mode 06 monitor results and Mode 09 vehicle information
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-modes"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "obd-error.h"
#include "obd-mode06.h"
#include "obd-mode09.h"

/* Appends hex ("49 02 01") to bytes. */
static void
append_hex (GByteArray *bytes,
            const char *hex)
{
  for (const char *p = hex; *p != '\0';)
    {
      guint8 b;

      if (*p == ' ')
        {
          p++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
      b = (guint8) ((g_ascii_xdigit_value (p[0]) << 4) | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (bytes, &b, 1);
      p += 2;
    }
}

static void
add_hex (ObdResponse *response,
         guint32      ecu,
         const char  *hex)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  append_hex (bytes, hex);
  obd_response_add_message (response, ecu, bytes->data, bytes->len);
}

/* A message of hex header bytes followed by len bytes of text (which may
 * hold NULs). */
static void
add_text (ObdResponse *response,
          guint32      ecu,
          const char  *hex,
          const char  *text,
          gsize        len)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  append_hex (bytes, hex);
  g_byte_array_append (bytes, (const guint8 *) text, (guint) len);
  obd_response_add_message (response, ecu, bytes->data, bytes->len);
}

static const ObdMonitorResult *
result_at (GArray *results,
           guint   i)
{
  g_assert_cmpuint (i, <, results->len);
  return &g_array_index (results, ObdMonitorResult, i);
}

static ObdInfoRecord *
record_at (GPtrArray *records,
           guint      i)
{
  g_assert_cmpuint (i, <, records->len);
  return g_ptr_array_index (records, i);
}

/* Mode 06 ------------------------------------------------------------- */

static void
test_mode06_o2_sensor (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const ObdMonitorResult *r;

  /* Two tests of MID 01 in one ISO-TP message, the MID repeated. */
  add_hex (response, 0x7E8,
           "46 01 01 0A 0B B8 00 00 FF FF"
           "   01 05 10 00 64 00 00 00 C8");
  results = obd_mode06_parse (response, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);

  r = result_at (results, 0);
  g_assert_cmpuint (r->ecu, ==, 0x7E8);
  g_assert_cmpuint (r->mid, ==, 0x01);
  g_assert_cmpuint (r->tid, ==, 0x01);
  g_assert_cmpuint (r->uasid, ==, 0x0A);
  g_assert_cmpuint (r->raw_value, ==, 3000);
  /* UASID 0A: 0.122 mV per bit. */
  g_assert_cmpfloat_with_epsilon (r->value, 366.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->min, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->max, 65535 * 0.122, 1e-6);
  g_assert_cmpint (r->unit, ==, OBD_UNIT_MILLIVOLT);
  g_assert_cmpstr (r->unit_symbol, ==, "mV");
  g_assert_true (r->known_uasid);
  g_assert_true (r->passed);
  g_assert_cmpstr (r->mid_name, ==, "Oxygen Sensor Monitor Bank 1 - Sensor 1");
  g_assert_cmpstr (r->tid_name, ==, "Rich to lean sensor threshold voltage");

  r = result_at (results, 1);
  g_assert_cmpuint (r->mid, ==, 0x01);
  g_assert_cmpuint (r->tid, ==, 0x05);
  g_assert_cmpfloat_with_epsilon (r->value, 100.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->max, 200.0, 1e-9);
  g_assert_cmpint (r->unit, ==, OBD_UNIT_MILLISECOND);
  g_assert_cmpstr (r->unit_symbol, ==, "ms");
  g_assert_true (r->passed);
  g_assert_cmpstr (r->tid_name, ==, "Rich to lean sensor switch time");
}

static void
test_mode06_catalyst_misfire (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const ObdMonitorResult *r;

  add_hex (response, 0x7E8, "46 21 80 01 00 9E 00 00 01 00");
  add_hex (response, 0x7E8, "46 A2 0B 24 00 05 00 00 00 00 A2 0C 24 00 00 00 00 00 00");
  results = obd_mode06_parse (response, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);

  r = result_at (results, 0);
  g_assert_cmpstr (r->mid_name, ==, "Catalyst Monitor Bank 1");
  g_assert_cmpstr (r->tid_name, ==, "Manufacturer test 0x80");
  g_assert_cmpfloat_with_epsilon (r->value, 158.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->max, 256.0, 1e-9);
  g_assert_cmpstr (r->unit_symbol, ==, "");
  g_assert_cmpint (r->unit, ==, OBD_UNIT_NONE);
  g_assert_true (r->passed);

  /* Five misfires against a limit of zero: failed. */
  r = result_at (results, 1);
  g_assert_cmpstr (r->mid_name, ==, "Misfire Cylinder 1 Data");
  g_assert_cmpuint (r->tid, ==, 0x0B);
  g_assert_cmpfloat_with_epsilon (r->value, 5.0, 1e-9);
  g_assert_cmpint (r->unit, ==, OBD_UNIT_COUNT);
  g_assert_false (r->passed);

  r = result_at (results, 2);
  g_assert_cmpuint (r->tid, ==, 0x0C);
  g_assert_true (r->passed);
}

static void
test_mode06_signed (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const ObdMonitorResult *r;

  /* EVAP 0.020": UASID FE, 0.25 Pa per bit, two's complement.  -200
   * within [-500, 0] passes although 0xFF38 > 0x0000 unsigned; -1000
   * fails. */
  add_hex (response, 0x7E8, "46 3C 81 FE FF 38 FE 0C 00 00 3C 82 FE FC 18 FE 0C 00 00");
  results = obd_mode06_parse (response, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);

  r = result_at (results, 0);
  g_assert_cmpstr (r->mid_name, ==, "EVAP Monitor (0.020\")");
  g_assert_cmpfloat_with_epsilon (r->value, -50.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->min, -125.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->max, 0.0, 1e-9);
  g_assert_cmpint (r->unit, ==, OBD_UNIT_PA);
  g_assert_cmpstr (r->unit_symbol, ==, "Pa");
  g_assert_true (r->passed);

  r = result_at (results, 1);
  g_assert_cmpfloat_with_epsilon (r->value, -250.0, 1e-9);
  g_assert_false (r->passed);
}

static void
test_mode06_scale (void)
{
  static const struct {
    guint8      uasid;
    guint16     raw;
    double      value;
    ObdUnit     unit;
    const char *symbol;
  } cases[] = {
    { 0x01, 0xFFFF, 65535.0,     OBD_UNIT_NONE,          "" },
    { 0x03, 12345,  123.45,      OBD_UNIT_NONE,          "" },
    { 0x07, 0x1000, 1024.0,      OBD_UNIT_RPM,           "rpm" },
    { 0x09, 120,    120.0,       OBD_UNIT_KMH,           "km/h" },
    { 0x0B, 12345,  12.345,      OBD_UNIT_VOLT,          "V" },
    { 0x0D, 256,    1.0,         OBD_UNIT_MILLIAMP,      "mA" },
    { 0x10, 250,    250.0,       OBD_UNIT_MILLISECOND,   "ms" },
    { 0x14, 4700,   4700.0,      OBD_UNIT_OHM,           "Ω" },
    { 0x15, 10,     10.0,        OBD_UNIT_NONE,          "kΩ" },
    { 0x16, 880,    48.0,        OBD_UNIT_CELSIUS,       "°C" },
    { 0x16, 0,      -40.0,       OBD_UNIT_CELSIUS,       "°C" },
    { 0x17, 10132,  101.32,      OBD_UNIT_KPA,           "kPa" },
    { 0x1E, 32768,  0.999424,    OBD_UNIT_RATIO,         "" },
    { 0x24, 7,      7.0,         OBD_UNIT_COUNT,         "" },
    { 0x26, 15,     1.5,         OBD_UNIT_NONE,          "mV/ms" },
    { 0x27, 550,    5.5,         OBD_UNIT_GRAMS_PER_SEC, "g/s" },
    { 0x2F, 5000,   50.0,        OBD_UNIT_PERCENT,       "%" },
    { 0x39, 32768,  0.0,         OBD_UNIT_PERCENT,       "%" },
    { 0x39, 0,      -327.68,     OBD_UNIT_PERCENT,       "%" },
    { 0x40, 42,     42.0,        OBD_UNIT_PPM,           "ppm" },
    { 0x81, 0xFFFF, -1.0,        OBD_UNIT_NONE,          "" },
    { 0x83, 0x8000, -327.68,     OBD_UNIT_NONE,          "" },
    { 0x8A, 0xFFFF, -0.122,      OBD_UNIT_MILLIVOLT,     "mV" },
    { 0x96, 0xFF9C, -10.0,       OBD_UNIT_CELSIUS,       "°C" },
    { 0x9C, 0x00C8, 2.0,         OBD_UNIT_DEGREE,        "°" },
    { 0xAF, 0xFC18, -10.0,       OBD_UNIT_PERCENT,       "%" },
    { 0xFC, 0x7FFF, 327.67,      OBD_UNIT_KPA,           "kPa" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double value = 0;
      ObdUnit unit = OBD_UNIT_LAST;
      const char *symbol = NULL;

      g_test_message ("UASID 0x%02X raw 0x%04X", cases[i].uasid, cases[i].raw);
      g_assert_true (obd_mode06_scale (cases[i].uasid, cases[i].raw, &value, &unit, &symbol));
      g_assert_cmpfloat_with_epsilon (value, cases[i].value, 1e-6);
      g_assert_cmpint (unit, ==, cases[i].unit);
      g_assert_cmpstr (symbol, ==, cases[i].symbol);
    }
}

static void
test_mode06_unknown_uasid (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const ObdMonitorResult *r;
  double value = 0;

  /* 0x7F is not defined: the numbers stay raw, the verdict still holds. */
  add_hex (response, 0x7E8, "46 85 81 7F 00 10 00 00 00 20");
  results = obd_mode06_parse (response, NULL, &error);
  g_assert_no_error (error);
  r = result_at (results, 0);
  g_assert_false (r->known_uasid);
  g_assert_cmpfloat_with_epsilon (r->value, 16.0, 1e-9);
  g_assert_cmpstr (r->unit_symbol, ==, "");
  g_assert_true (r->passed);
  g_assert_cmpstr (r->mid_name, ==, "Boost Pressure Control Monitor Bank 1");

  /* An undefined signed ID still reads two's complement. */
  g_assert_false (obd_mode06_scale (0xF0, 0xFFFE, &value, NULL, NULL));
  g_assert_cmpfloat_with_epsilon (value, -2.0, 1e-9);
}

static void
test_mode06_supported (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GArray) supported = NULL;
  g_autoptr(GError) error = NULL;
  const ObdMidSupport *s;

  add_hex (response, 0x7E8, "46 00 C0 00 00 01 20 80 00 80 00");
  add_hex (response, 0x7E9, "46 00 00 00 00 00");
  results = obd_mode06_parse (response, &supported, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_assert_cmpuint (supported->len, ==, 3);

  s = &g_array_index (supported, ObdMidSupport, 0);
  g_assert_cmpuint (s->ecu, ==, 0x7E8);
  g_assert_cmpuint (s->base, ==, 0x00);
  g_assert_cmpuint (s->bitmap, ==, 0xC0000001);
  g_assert_true (obd_mode06_support_has (s, 0x01));
  g_assert_true (obd_mode06_support_has (s, 0x02));
  g_assert_false (obd_mode06_support_has (s, 0x03));
  g_assert_true (obd_mode06_support_has (s, 0x20));
  g_assert_false (obd_mode06_support_has (s, 0x21));
  g_assert_false (obd_mode06_support_has (s, 0x00));

  s = &g_array_index (supported, ObdMidSupport, 1);
  g_assert_cmpuint (s->base, ==, 0x20);
  g_assert_true (obd_mode06_support_has (s, 0x21));
  g_assert_true (obd_mode06_support_has (s, 0x31));
  g_assert_false (obd_mode06_support_has (s, 0x22));
  g_assert_false (obd_mode06_support_has (s, 0x01));

  s = &g_array_index (supported, ObdMidSupport, 2);
  g_assert_cmpuint (s->ecu, ==, 0x7E9);
  g_assert_cmpuint (s->bitmap, ==, 0);
}

static void
test_mode06_multi_ecu (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x7E8, "46 41 81 14 00 0A 00 04 00 14");
  add_hex (response, 0x7E9, "7F 06 12");
  add_hex (response, 0x7EA, "46 B0 85 17 27 10 00 00 13 88");
  results = obd_mode06_parse (response, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpuint (result_at (results, 0)->ecu, ==, 0x7E8);
  g_assert_cmpstr (result_at (results, 0)->mid_name, ==,
                   "Oxygen Sensor Heater Monitor Bank 1 - Sensor 1");
  g_assert_true (result_at (results, 0)->passed);
  /* A filter pressure of 100 kPa above its 50 kPa limit. */
  g_assert_cmpuint (result_at (results, 1)->ecu, ==, 0x7EA);
  g_assert_cmpstr (result_at (results, 1)->mid_name, ==, "PM Filter Monitor Bank 1");
  g_assert_cmpfloat_with_epsilon (result_at (results, 1)->value, 100.0, 1e-9);
  g_assert_false (result_at (results, 1)->passed);
}

static void
test_mode06_malformed (void)
{
  static const char *const bad[] = {
    "46",
    "46 01",
    "46 01 01 0A 0B B8 00 00 FF",              /* one byte short */
    "46 01 01 0A 0B B8 00 00 FF FF 01",        /* a stray byte after a record */
    "46 00 C0 00 00",                          /* short bitmap */
    "46 00 C0 00 00 01 20",                    /* second bitmap cut */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdResponse) response = obd_response_new ();
      g_autoptr(GArray) results = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      add_hex (response, 0x7E8, bad[i]);
      results = obd_mode06_parse (response, NULL, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (results);
    }
}

static void
test_mode06_negative (void)
{
  g_autoptr(ObdResponse) refused = obd_response_new ();
  g_autoptr(ObdResponse) empty = obd_response_new ();
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (refused, 0x7E8, "7F 06 31");
  results = obd_mode06_parse (refused, NULL, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE);
  g_assert_null (results);
  g_clear_error (&error);

  results = obd_mode06_parse (empty, NULL, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (results);
}

static void
test_mode06_names (void)
{
  static const struct { guint8 mid; const char *name; } mids[] = {
    { 0x00, "Supported monitors 0x01-0x20" },
    { 0xE0, "Supported monitors 0xE1-0xFF" },
    { 0x02, "Oxygen Sensor Monitor Bank 1 - Sensor 2" },
    { 0x05, "Oxygen Sensor Monitor Bank 2 - Sensor 1" },
    { 0x10, "Oxygen Sensor Monitor Bank 4 - Sensor 4" },
    { 0x24, "Catalyst Monitor Bank 4" },
    { 0x31, "EGR Monitor Bank 1" },
    { 0x35, "VVT Monitor Bank 1" },
    { 0x39, "EVAP Monitor (Cap Off / 0.150\")" },
    { 0x3D, "Purge Flow Monitor" },
    { 0x50, "Oxygen Sensor Heater Monitor Bank 4 - Sensor 4" },
    { 0x61, "Heated Catalyst Monitor Bank 1" },
    { 0x71, "Secondary Air Monitor 1" },
    { 0x81, "Fuel System Monitor Bank 1" },
    { 0x86, "Boost Pressure Control Monitor Bank 2" },
    { 0x90, "NOx Adsorber Monitor Bank 1" },
    { 0x98, "NOx/SCR Catalyst Monitor Bank 1" },
    { 0xA1, "Misfire Monitor General Data" },
    { 0xAD, "Misfire Cylinder 12 Data" },
    { 0xB1, "PM Filter Monitor Bank 2" },
    { 0xE5, "Manufacturer-defined monitor 0xE5" },
    { 0x11, "Reserved monitor 0x11" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (mids); i++)
    g_assert_cmpstr (obd_mode06_get_mid_name (mids[i].mid), ==, mids[i].name);

  g_assert_cmpstr (obd_mode06_get_tid_name (0x01, 0x0A), ==, "Sensor period");
  g_assert_cmpstr (obd_mode06_get_tid_name (0x21, 0xFF), ==, "Manufacturer test 0xFF");
  g_assert_cmpstr (obd_mode06_get_tid_name (0x21, 0x40), ==, "Reserved test 0x40");
  /* Interned: the same pointer every time. */
  g_assert_true (obd_mode06_get_tid_name (0x21, 0x85) == obd_mode06_get_tid_name (0x22, 0x85));
}

/* Mode 09 ------------------------------------------------------------- */

#define HONDA_VIN "1HGCM82633A004352"

static void
test_mode09_vin_can (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vin = NULL;
  guint32 ecu = 0;

  add_text (response, 0x7E8, "49 02 01", HONDA_VIN, 17);
  records = obd_mode09_parse (response, 0x02, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpuint (record_at (records, 0)->ecu, ==, 0x7E8);
  g_assert_cmpint (record_at (records, 0)->kind, ==, OBD_INFO_KIND_VIN);
  g_assert_cmpstr (record_at (records, 0)->vin, ==, HONDA_VIN);

  vin = obd_mode09_parse_vin (response, TRUE, &ecu, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vin, ==, HONDA_VIN);
  g_assert_cmpuint (ecu, ==, 0x7E8);
}

static void
test_mode09_vin_can_padded (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *vin = NULL;

  /* Some CAN ECUs keep the legacy three-byte padding. */
  add_text (response, 0x7E8, "49 02 01 00 00 00", HONDA_VIN, 17);
  vin = obd_mode09_parse_vin (response, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vin, ==, HONDA_VIN);
}

static void
test_mode09_vin_headers_off (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  /* With headers off every message has ECU 0; two ECUs answering still
   * give two records. */
  add_text (response, 0, "49 02 01", HONDA_VIN, 17);
  add_text (response, 0, "49 02 01", "WVWZZZ1JZXW000001", 17);
  records = obd_mode09_parse (response, 0x02, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpstr (record_at (records, 0)->vin, ==, HONDA_VIN);
  g_assert_cmpstr (record_at (records, 1)->vin, ==, "WVWZZZ1JZXW000001");
}

static void
test_mode09_vin_legacy (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *vin = NULL;
  guint32 ecu = 0;

  /* Five numbered messages, not in order; the first padded with 00 00 00. */
  add_hex (response, 0x10, "49 02 02 48 47 43 4D");
  add_hex (response, 0x10, "49 02 01 00 00 00 31");
  add_hex (response, 0x10, "49 02 04 33 41 30 30");
  add_hex (response, 0x10, "49 02 03 38 32 36 33");
  add_hex (response, 0x10, "49 02 05 34 33 35 32");
  vin = obd_mode09_parse_vin (response, FALSE, &ecu, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vin, ==, HONDA_VIN);
  g_assert_cmpuint (ecu, ==, 0x10);
}

static void
test_mode09_vin_malformed (void)
{
  static const struct { gboolean can; const char *messages[6]; } bad[] = {
    /* 16 characters */
    { TRUE, { "49 02 01 31 48 47 43 4D 38 32 36 33 33 41 30 30 34 33 35", NULL } },
    /* a control character */
    { TRUE, { "49 02 01 31 48 47 43 4D 38 32 36 33 33 41 30 30 34 33 35 07", NULL } },
    /* nothing programmed */
    { TRUE, { "49 02 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", NULL } },
    /* two VINs announced */
    { TRUE, { "49 02 02 31 48 47 43 4D 38 32 36 33 33 41 30 30 34 33 35 32", NULL } },
    /* legacy: message 3 missing */
    { FALSE, { "49 02 01 00 00 00 31", "49 02 02 48 47 43 4D", "49 02 04 33 41 30 30",
               "49 02 05 34 33 35 32", NULL } },
    /* legacy: message 2 twice */
    { FALSE, { "49 02 01 00 00 00 31", "49 02 02 48 47 43 4D", "49 02 02 48 47 43 4D",
               "49 02 04 33 41 30 30", "49 02 05 34 33 35 32", NULL } },
    /* legacy: a message with three data bytes */
    { FALSE, { "49 02 01 00 00 31", NULL } },
    /* legacy: only four messages, 16 bytes */
    { FALSE, { "49 02 01 00 00 00 31", "49 02 02 48 47 43 4D", "49 02 03 38 32 36 33",
               "49 02 04 33 41 30 30", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdResponse) response = obd_response_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *vin = NULL;

      g_test_message ("case %u", (guint) i);
      for (guint m = 0; bad[i].messages[m] != NULL; m++)
        add_hex (response, bad[i].can ? 0x7E8 : 0x10, bad[i].messages[m]);
      vin = obd_mode09_parse_vin (response, bad[i].can, NULL, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (vin);
    }
}

static void
test_mode09_calids (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  add_text (response, 0x7E8, "49 04 02", "JMB*36761500\0\0\0\0JMB*47872611\0\0\0\0", 32);
  add_text (response, 0x7E9, "49 04 01", "T0W1H0\0\0\0\0\0\0\0\0\0\0", 16);
  records = obd_mode09_parse (response, 0x04, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);

  r = record_at (records, 0);
  g_assert_cmpint (r->kind, ==, OBD_INFO_KIND_CALIBRATION_IDS);
  g_assert_cmpuint (r->strings->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (r->strings, 0), ==, "JMB*36761500");
  g_assert_cmpstr (g_ptr_array_index (r->strings, 1), ==, "JMB*47872611");

  r = record_at (records, 1);
  g_assert_cmpuint (r->ecu, ==, 0x7E9);
  g_assert_cmpuint (r->strings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r->strings, 0), ==, "T0W1H0");
}

static void
test_mode09_calids_legacy (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  add_text (response, 0x10, "49 04 01", "1234", 4);
  add_text (response, 0x10, "49 04 02", "5678", 4);
  add_text (response, 0x10, "49 04 03", "ABCD", 4);
  add_text (response, 0x10, "49 04 04", "\0\0\0\0", 4);
  records = obd_mode09_parse (response, 0x04, FALSE, &error);
  g_assert_no_error (error);
  r = record_at (records, 0);
  g_assert_cmpuint (r->strings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r->strings, 0), ==, "12345678ABCD");
}

static void
test_mode09_calids_malformed (void)
{
  g_autoptr(ObdResponse) short_calid = obd_response_new ();
  g_autoptr(ObdResponse) binary = obd_response_new ();
  g_autoptr(ObdResponse) hole = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  add_text (short_calid, 0x7E8, "49 04 01", "JMB*36761500", 12);
  records = obd_mode09_parse (short_calid, 0x04, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (records);
  g_clear_error (&error);

  add_text (binary, 0x7E8, "49 04 01", "JMB*\x01" "6761500\0\0\0\0", 16);
  records = obd_mode09_parse (binary, 0x04, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (records);
  g_clear_error (&error);

  /* A NUL inside the text is not padding. */
  add_text (hole, 0x7E8, "49 04 01", "JMB\0" "36761500\0\0\0\0", 16);
  records = obd_mode09_parse (hole, 0x04, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (records);
}

static void
test_mode09_cvns (void)
{
  g_autoptr(ObdResponse) can = obd_response_new ();
  g_autoptr(ObdResponse) legacy = obd_response_new ();
  g_autoptr(ObdResponse) bad = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) legacy_records = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  add_hex (can, 0x7E8, "49 06 02 17 91 BC 82 16 E0 62 BE");
  records = obd_mode09_parse (can, 0x06, TRUE, &error);
  g_assert_no_error (error);
  r = record_at (records, 0);
  g_assert_cmpint (r->kind, ==, OBD_INFO_KIND_CVNS);
  g_assert_cmpuint (r->strings->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (r->strings, 0), ==, "1791BC82");
  g_assert_cmpstr (g_ptr_array_index (r->strings, 1), ==, "16E062BE");

  add_hex (legacy, 0x10, "49 06 01 00 00 A1 5F");
  legacy_records = obd_mode09_parse (legacy, 0x06, FALSE, &error);
  g_assert_no_error (error);
  r = record_at (legacy_records, 0);
  g_assert_cmpuint (r->strings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r->strings, 0), ==, "0000A15F");

  add_hex (bad, 0x7E8, "49 06 02 17 91 BC 82 16 E0 62");
  none = obd_mode09_parse (bad, 0x06, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (none);
}

static void
test_mode09_ecu_name (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  add_text (response, 0x7E8, "49 0A 01", "ECM\0-EngineControl\0\0", 20);
  add_text (response, 0x7E9, "49 0A 01", "TCM\0-TransmissionCtl", 20);
  records = obd_mode09_parse (response, 0x0A, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);

  r = record_at (records, 0);
  g_assert_cmpint (r->kind, ==, OBD_INFO_KIND_ECU_NAME);
  g_assert_cmpstr (r->ecu_acronym, ==, "ECM");
  g_assert_cmpstr (r->ecu_name, ==, "EngineControl");
  g_assert_cmpstr (r->text, ==, "ECM-EngineControl");

  r = record_at (records, 1);
  g_assert_cmpstr (r->ecu_acronym, ==, "TCM");
  g_assert_cmpstr (r->ecu_name, ==, "TransmissionCtl");
}

static void
test_mode09_ecu_name_malformed (void)
{
  static const char *const bad[] = {
    "ECM\0_EngineControl\0\0",   /* no separator */
    "\0\0\0\0-EngineControl\0\0", /* no acronym */
    "ECM\0-Engine\x80ontrol\0\0", /* not ASCII */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdResponse) response = obd_response_new ();
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;

      add_text (response, 0x7E8, "49 0A 01", bad[i], 20);
      records = obd_mode09_parse (response, 0x0A, TRUE, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (records);
    }

  {
    g_autoptr(ObdResponse) response = obd_response_new ();
    g_autoptr(GPtrArray) records = NULL;
    g_autoptr(GError) error = NULL;

    add_text (response, 0x7E8, "49 0A 01", "ECM\0-EngineControl", 18);
    records = obd_mode09_parse (response, 0x0A, TRUE, &error);
    g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
    g_assert_null (records);
  }
}

static void
test_mode09_ipt_spark (void)
{
  static const char *const keys[] = {
    "OBDCOND", "IGNCNTR", "CATCOMP1", "CATCOND1", "CATCOMP2", "CATCOND2",
    "O2SCOMP1", "O2SCOND1", "O2SCOMP2", "O2SCOND2", "EGRCOMP", "EGRCOND",
    "AIRCOMP", "AIRCOND", "EVAPCOMP", "EVAPCOND",
  };
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  add_hex (response, 0x7E8,
           "49 08 10 00 64 01 2C 00 32 00 50 00 00 00 00 00 28 00 50"
           "         00 00 00 00 00 1E 00 50 00 00 00 00 00 0A 00 50");
  records = obd_mode09_parse (response, 0x08, TRUE, &error);
  g_assert_no_error (error);
  r = record_at (records, 0);
  g_assert_cmpint (r->kind, ==, OBD_INFO_KIND_PERFORMANCE);
  g_assert_cmpuint (r->counters->len, ==, 16);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, i).key, ==, keys[i]);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 0).value, ==, 100);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 1).value, ==, 300);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 2).value, ==, 50);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 3).value, ==, 80);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 14).value, ==, 10);
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 2).label, ==,
                   "Catalyst monitor completions, bank 1");
}

static void
test_mode09_ipt_spark_20 (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) hex = g_string_new ("49 08 14");
  ObdInfoRecord *r;

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (hex, " 00 %02X", i);
  add_hex (response, 0x7E8, hex->str);
  records = obd_mode09_parse (response, 0x08, TRUE, &error);
  g_assert_no_error (error);
  r = record_at (records, 0);
  g_assert_cmpuint (r->counters->len, ==, 20);
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 16).key, ==, "SO2SCOMP1");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 19).key, ==, "SO2SCOND2");
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 19).value, ==, 19);
}

static void
test_mode09_ipt_legacy (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  /* Eight messages, two counters each. */
  for (guint seq = 8; seq >= 1; seq--)
    {
      g_autofree char *hex = g_strdup_printf ("49 08 %02X 00 %02X 01 %02X",
                                              seq, 2 * seq - 2, 2 * seq - 1);
      add_hex (response, 0x10, hex);
    }
  records = obd_mode09_parse (response, 0x08, FALSE, &error);
  g_assert_no_error (error);
  r = record_at (records, 0);
  g_assert_cmpuint (r->counters->len, ==, 16);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 0).value, ==, 0);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 1).value, ==, 0x101);
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 14).value, ==, 14);
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 15).key, ==, "EVAPCOND");
}

static void
test_mode09_ipt_compression (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) hex = g_string_new ("49 0B 12");
  ObdInfoRecord *r;

  for (guint i = 0; i < 18; i++)
    g_string_append_printf (hex, " 00 %02X", 10 * i);
  add_hex (response, 0x7E8, hex->str);
  records = obd_mode09_parse (response, 0x0B, TRUE, &error);
  g_assert_no_error (error);
  r = record_at (records, 0);
  g_assert_cmpuint (r->counters->len, ==, 18);
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 0).key, ==, "OBDCOND");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 2).key, ==, "HCCATCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 4).key, ==, "NCATCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 6).key, ==, "NADSCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 8).key, ==, "PMCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 10).key, ==, "EGSCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 12).key, ==, "EGRCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 14).key, ==, "BPCOMP");
  g_assert_cmpstr (g_array_index (r->counters, ObdIptCounter, 17).key, ==, "FUELCOND");
  g_assert_cmpuint (g_array_index (r->counters, ObdIptCounter, 17).value, ==, 170);
}

static void
test_mode09_ipt_malformed (void)
{
  static const char *const bad[] = {
    "49 08 10 00 64 01 2C",         /* NODI 16, two counters */
    "49 08 02 00 64 01",            /* odd byte count */
    "49 08 00",                     /* no counters */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdResponse) response = obd_response_new ();
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;

      add_hex (response, 0x7E8, bad[i]);
      records = obd_mode09_parse (response, 0x08, TRUE, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (records);
    }

  /* More counters than the compression-ignition list has. */
  {
    g_autoptr(ObdResponse) response = obd_response_new ();
    g_autoptr(GPtrArray) records = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) hex = g_string_new ("49 0B 14");

    for (guint i = 0; i < 20; i++)
      g_string_append (hex, " 00 01");
    add_hex (response, 0x7E8, hex->str);
    records = obd_mode09_parse (response, 0x0B, TRUE, &error);
    g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
    g_assert_null (records);
  }
}

static void
test_mode09_supported (void)
{
  g_autoptr(ObdResponse) can = obd_response_new ();
  g_autoptr(ObdResponse) legacy = obd_response_new ();
  g_autoptr(ObdResponse) bad = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) legacy_records = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  ObdInfoRecord *r;

  add_hex (can, 0x7E8, "49 00 55 40 00 00");
  add_hex (can, 0x7E9, "49 00 14 40 00 00");
  records = obd_mode09_parse (can, 0x00, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  r = record_at (records, 0);
  g_assert_cmpint (r->kind, ==, OBD_INFO_KIND_SUPPORTED);
  g_assert_cmpuint (r->bitmap, ==, 0x55400000);
  g_assert_false (obd_mode09_record_supports (r, 0x01));
  g_assert_true (obd_mode09_record_supports (r, 0x02));
  g_assert_true (obd_mode09_record_supports (r, 0x04));
  g_assert_true (obd_mode09_record_supports (r, 0x06));
  g_assert_true (obd_mode09_record_supports (r, 0x08));
  g_assert_true (obd_mode09_record_supports (r, 0x0A));
  g_assert_false (obd_mode09_record_supports (r, 0x0B));
  g_assert_false (obd_mode09_record_supports (r, 0x00));
  g_assert_false (obd_mode09_record_supports (r, 0x21));
  g_assert_cmpuint (record_at (records, 1)->ecu, ==, 0x7E9);

  /* Legacy: a message count of 1 before the bitmap. */
  add_hex (legacy, 0x10, "49 00 01 7C 00 00 00");
  legacy_records = obd_mode09_parse (legacy, 0x00, FALSE, &error);
  g_assert_no_error (error);
  r = record_at (legacy_records, 0);
  g_assert_cmpuint (r->bitmap, ==, 0x7C000000);
  g_assert_false (obd_mode09_record_supports (r, 0x01));
  g_assert_true (obd_mode09_record_supports (r, 0x02));
  g_assert_true (obd_mode09_record_supports (r, 0x06));
  g_assert_false (obd_mode09_record_supports (r, 0x07));

  add_hex (bad, 0x7E8, "49 00 55 40 00");
  none = obd_mode09_parse (bad, 0x00, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (none);
}

static void
test_mode09_counts (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(ObdResponse) bad = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x10, "49 01 05");
  records = obd_mode09_parse (response, 0x01, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record_at (records, 0)->kind, ==, OBD_INFO_KIND_COUNT);
  g_assert_cmpuint (record_at (records, 0)->count, ==, 5);

  add_hex (bad, 0x10, "49 03");
  none = obd_mode09_parse (bad, 0x03, FALSE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (none);
}

static void
test_mode09_errors (void)
{
  g_autoptr(ObdResponse) refused = obd_response_new ();
  g_autoptr(ObdResponse) other = obd_response_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (refused, 0x7E8, "7F 09 12");
  records = obd_mode09_parse (refused, 0x02, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE);
  g_assert_null (records);
  g_clear_error (&error);

  /* An answer to another InfoType does not answer this one. */
  add_hex (other, 0x7E8, "49 00 55 40 00 00");
  records = obd_mode09_parse (other, 0x02, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (records);
  g_clear_error (&error);

  records = obd_mode09_parse (other, 0x0C, TRUE, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED);
  g_assert_null (records);
}

static void
test_mode09_names (void)
{
  g_assert_cmpstr (obd_mode09_get_infotype_name (0x02), ==, "Vehicle identification number");
  g_assert_cmpstr (obd_mode09_get_infotype_name (0x0B), ==,
                   "In-use performance tracking (compression ignition)");
  g_assert_cmpstr (obd_mode09_get_infotype_name (0x20), ==, "Supported information types");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x02), ==, "vin");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x04), ==, "calibration_ids");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x06), ==, "cvns");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x08), ==, "ipt_spark");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x0A), ==, "ecu_name");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x0B), ==, "ipt_compression");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x40), ==, "supported_40");
  g_assert_cmpstr (obd_mode09_get_infotype_key (0x33), ==, "unknown");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/obd/mode06/o2-sensor", test_mode06_o2_sensor);
  g_test_add_func ("/obd/mode06/catalyst-misfire", test_mode06_catalyst_misfire);
  g_test_add_func ("/obd/mode06/signed", test_mode06_signed);
  g_test_add_func ("/obd/mode06/scale", test_mode06_scale);
  g_test_add_func ("/obd/mode06/unknown-uasid", test_mode06_unknown_uasid);
  g_test_add_func ("/obd/mode06/supported", test_mode06_supported);
  g_test_add_func ("/obd/mode06/multi-ecu", test_mode06_multi_ecu);
  g_test_add_func ("/obd/mode06/malformed", test_mode06_malformed);
  g_test_add_func ("/obd/mode06/negative", test_mode06_negative);
  g_test_add_func ("/obd/mode06/names", test_mode06_names);

  g_test_add_func ("/obd/mode09/vin/can", test_mode09_vin_can);
  g_test_add_func ("/obd/mode09/vin/can-padded", test_mode09_vin_can_padded);
  g_test_add_func ("/obd/mode09/vin/headers-off", test_mode09_vin_headers_off);
  g_test_add_func ("/obd/mode09/vin/legacy", test_mode09_vin_legacy);
  g_test_add_func ("/obd/mode09/vin/malformed", test_mode09_vin_malformed);
  g_test_add_func ("/obd/mode09/calids/can", test_mode09_calids);
  g_test_add_func ("/obd/mode09/calids/legacy", test_mode09_calids_legacy);
  g_test_add_func ("/obd/mode09/calids/malformed", test_mode09_calids_malformed);
  g_test_add_func ("/obd/mode09/cvns", test_mode09_cvns);
  g_test_add_func ("/obd/mode09/ecu-name", test_mode09_ecu_name);
  g_test_add_func ("/obd/mode09/ecu-name/malformed", test_mode09_ecu_name_malformed);
  g_test_add_func ("/obd/mode09/ipt/spark", test_mode09_ipt_spark);
  g_test_add_func ("/obd/mode09/ipt/spark-20", test_mode09_ipt_spark_20);
  g_test_add_func ("/obd/mode09/ipt/legacy", test_mode09_ipt_legacy);
  g_test_add_func ("/obd/mode09/ipt/compression", test_mode09_ipt_compression);
  g_test_add_func ("/obd/mode09/ipt/malformed", test_mode09_ipt_malformed);
  g_test_add_func ("/obd/mode09/supported", test_mode09_supported);
  g_test_add_func ("/obd/mode09/counts", test_mode09_counts);
  g_test_add_func ("/obd/mode09/errors", test_mode09_errors);
  g_test_add_func ("/obd/mode09/names", test_mode09_names);

  return g_test_run ();
}
