/* test-dtc.c — trouble code formatting and Mode 03/07/0A/04 replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-dtc"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "obd-dtc.h"
#include "obd-error.h"

/* Adds a message written as hex ("43 01 03 01") to response. */
static void
add_hex (ObdResponse *response,
         guint32      ecu,
         const char  *hex)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

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
  obd_response_add_message (response, ecu, bytes->data, bytes->len);
}

static const ObdDtc *
dtc_at (GArray *codes,
        guint   i)
{
  g_assert_cmpuint (i, <, codes->len);
  return &g_array_index (codes, ObdDtc, i);
}

static void
test_format (void)
{
  static const struct { guint16 raw; const char *code; } cases[] = {
    { 0x0000, "P0000" },
    { 0x0301, "P0301" },
    { 0x0420, "P0420" },
    { 0x1ABC, "P1ABC" },
    { 0x3FFF, "P3FFF" },
    { 0x4035, "C0035" },
    { 0x5123, "C1123" },
    { 0x7FFF, "C3FFF" },
    { 0x8000, "B0000" },
    { 0x9234, "B1234" },
    { 0xC100, "U0100" },
    { 0xD001, "U1001" },
    { 0xFFFF, "U3FFF" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char code[6];

      obd_dtc_format (cases[i].raw, code);
      g_assert_cmpstr (code, ==, cases[i].code);
    }
}

static void
test_parse_code (void)
{
  static const char *const bad[] = {
    "", "P", "P030", "P03011", "P4301", "X0301", "P03G1", "0301P", "PP301", "P-301",
  };
  guint16 raw = 0;

  /* Every raw value survives the round trip. */
  for (guint v = 0; v <= 0xFFFF; v++)
    {
      char code[6];

      obd_dtc_format ((guint16) v, code);
      g_assert_true (obd_dtc_parse_code (code, &raw));
      g_assert_cmpuint (raw, ==, v);
    }

  g_assert_true (obd_dtc_parse_code ("p0301", &raw));
  g_assert_cmpuint (raw, ==, 0x0301);
  g_assert_true (obd_dtc_parse_code ("  u0100\n", &raw));
  g_assert_cmpuint (raw, ==, 0xC100);
  g_assert_true (obd_dtc_parse_code ("b1a2f", &raw));
  g_assert_cmpuint (raw, ==, 0x9A2F);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      raw = 0x1234;
      g_assert_false (obd_dtc_parse_code (bad[i], &raw));
      g_assert_cmpuint (raw, ==, 0x1234);
    }
}

static void
test_category (void)
{
  guint16 raw = 0;

  g_assert_true (obd_dtc_parse_code ("P0301", &raw));
  g_assert_cmpint (obd_dtc_get_category (raw), ==, OBD_DTC_CATEGORY_POWERTRAIN);
  g_assert_true (obd_dtc_parse_code ("C0035", &raw));
  g_assert_cmpint (obd_dtc_get_category (raw), ==, OBD_DTC_CATEGORY_CHASSIS);
  g_assert_true (obd_dtc_parse_code ("B1000", &raw));
  g_assert_cmpint (obd_dtc_get_category (raw), ==, OBD_DTC_CATEGORY_BODY);
  g_assert_true (obd_dtc_parse_code ("U0100", &raw));
  g_assert_cmpint (obd_dtc_get_category (raw), ==, OBD_DTC_CATEGORY_NETWORK);

  g_assert_cmpstr (obd_dtc_category_get_key (OBD_DTC_CATEGORY_POWERTRAIN), ==, "powertrain");
  g_assert_cmpstr (obd_dtc_category_get_key (OBD_DTC_CATEGORY_CHASSIS), ==, "chassis");
  g_assert_cmpstr (obd_dtc_category_get_key (OBD_DTC_CATEGORY_BODY), ==, "body");
  g_assert_cmpstr (obd_dtc_category_get_key (OBD_DTC_CATEGORY_NETWORK), ==, "network");
  g_assert_cmpstr (obd_dtc_category_get_label (OBD_DTC_CATEGORY_NETWORK), ==, "Network");
}

static void
test_generic (void)
{
  static const struct { const char *code; gboolean generic; } cases[] = {
    { "P0301", TRUE },  { "P0000", TRUE },  { "P0FFF", TRUE },
    { "P1301", FALSE }, { "P1FFF", FALSE },
    { "P2096", TRUE },  { "P2FFF", TRUE },
    { "P3000", FALSE }, { "P3123", FALSE }, { "P33FF", FALSE },
    { "P3400", TRUE },  { "P3999", TRUE },  { "P3FFF", TRUE },
    { "C0035", TRUE },  { "C1234", FALSE }, { "C2000", FALSE }, { "C3000", TRUE },
    { "B0001", TRUE },  { "B1318", FALSE }, { "B2AAA", FALSE }, { "B3FFF", TRUE },
    { "U0100", TRUE },  { "U1000", FALSE }, { "U2100", FALSE }, { "U3000", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint16 raw = 0;

      g_assert_true (obd_dtc_parse_code (cases[i].code, &raw));
      g_test_message ("%s", cases[i].code);
      g_assert_cmpint (obd_dtc_is_generic (raw), ==, cases[i].generic);
    }
}

static void
test_kind (void)
{
  ObdDtcKind kind = OBD_DTC_KIND_STORED;

  g_assert_true (obd_dtc_kind_from_service (0x07, &kind));
  g_assert_cmpint (kind, ==, OBD_DTC_KIND_PENDING);
  g_assert_true (obd_dtc_kind_from_service (0x4A, &kind));
  g_assert_cmpint (kind, ==, OBD_DTC_KIND_PERMANENT);
  g_assert_true (obd_dtc_kind_from_service (0x43, &kind));
  g_assert_cmpint (kind, ==, OBD_DTC_KIND_STORED);
  g_assert_false (obd_dtc_kind_from_service (0x01, &kind));
  g_assert_false (obd_dtc_kind_from_service (0x44, &kind));

  g_assert_cmpuint (obd_dtc_kind_get_service (OBD_DTC_KIND_STORED), ==, 0x03);
  g_assert_cmpuint (obd_dtc_kind_get_service (OBD_DTC_KIND_PENDING), ==, 0x07);
  g_assert_cmpuint (obd_dtc_kind_get_service (OBD_DTC_KIND_PERMANENT), ==, 0x0A);
  g_assert_cmpstr (obd_dtc_kind_get_key (OBD_DTC_KIND_STORED), ==, "stored");
  g_assert_cmpstr (obd_dtc_kind_get_key (OBD_DTC_KIND_PENDING), ==, "pending");
  g_assert_cmpstr (obd_dtc_kind_get_key (OBD_DTC_KIND_PERMANENT), ==, "permanent");
  g_assert_cmpstr (obd_dtc_kind_get_label (OBD_DTC_KIND_PENDING), ==, "Pending");
}

static void
test_can_single (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x7E8, "43 02 03 01 02 45");
  codes = obd_dtc_parse_response (response, 0x03, TRUE, &ecus, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 2);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0301");
  g_assert_cmpuint (dtc_at (codes, 0)->raw, ==, 0x0301);
  g_assert_cmpuint (dtc_at (codes, 0)->ecu, ==, 0x7E8);
  g_assert_cmpint (dtc_at (codes, 0)->kind, ==, OBD_DTC_KIND_STORED);
  g_assert_cmpstr (dtc_at (codes, 1)->code, ==, "P0245");
  g_assert_cmpuint (ecus->len, ==, 1);
  g_assert_cmpuint (g_array_index (ecus, guint32, 0), ==, 0x7E8);
}

static void
test_can_many (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GError) error = NULL;

  /* Seven codes: more than one CAN frame holds, reassembled by ISO-TP. */
  add_hex (response, 0x7E8, "43 07 01 71 01 74 03 00 03 01 03 04 C1 00 81 23");
  codes = obd_dtc_parse_response (response, 0x43, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 7);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0171");
  g_assert_cmpstr (dtc_at (codes, 1)->code, ==, "P0174");
  g_assert_cmpstr (dtc_at (codes, 2)->code, ==, "P0300");
  g_assert_cmpstr (dtc_at (codes, 3)->code, ==, "P0301");
  g_assert_cmpstr (dtc_at (codes, 4)->code, ==, "P0304");
  g_assert_cmpstr (dtc_at (codes, 5)->code, ==, "U0100");
  g_assert_cmpstr (dtc_at (codes, 6)->code, ==, "B0123");
}

static void
test_can_multi_ecu (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x7E9, "43 01 07 00");
  add_hex (response, 0x7E8, "43 02 04 20 04 30");
  add_hex (response, 0x7EA, "43 00");
  codes = obd_dtc_parse_response (response, 0x03, TRUE, &ecus, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 3);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0700");
  g_assert_cmpuint (dtc_at (codes, 0)->ecu, ==, 0x7E9);
  g_assert_cmpstr (dtc_at (codes, 1)->code, ==, "P0420");
  g_assert_cmpuint (dtc_at (codes, 1)->ecu, ==, 0x7E8);
  g_assert_cmpstr (dtc_at (codes, 2)->code, ==, "P0430");
  g_assert_cmpuint (ecus->len, ==, 3);
  g_assert_cmpuint (g_array_index (ecus, guint32, 0), ==, 0x7E9);
  g_assert_cmpuint (g_array_index (ecus, guint32, 1), ==, 0x7E8);
  g_assert_cmpuint (g_array_index (ecus, guint32, 2), ==, 0x7EA);
}

static void
test_can_zero (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x7E8, "43 00");
  codes = obd_dtc_parse_response (response, 0x03, TRUE, &ecus, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 0);
  g_assert_cmpuint (ecus->len, ==, 1);
}

static void
test_can_padding (void)
{
  g_autoptr(ObdResponse) padded = obd_response_new ();
  g_autoptr(ObdResponse) garbage = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) none = NULL;
  g_autoptr(GError) error = NULL;

  /* Zero padding after the counted pairs (AT CAF0) is tolerated... */
  add_hex (padded, 0x7E8, "43 01 03 01 00 00 00");
  codes = obd_dtc_parse_response (padded, 0x03, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 1);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0301");

  /* ...data beyond the count is not. */
  add_hex (garbage, 0x7E8, "43 01 03 01 04 20");
  none = obd_dtc_parse_response (garbage, 0x03, TRUE, NULL, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (none);
}

static void
test_can_bad_length (void)
{
  static const char *const bad[] = {
    "43",                /* no count */
    "43 02 03 01",       /* count says two, one came */
    "43 01 03",          /* half a pair */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdResponse) response = obd_response_new ();
      g_autoptr(GArray) codes = NULL;
      g_autoptr(GError) error = NULL;

      add_hex (response, 0x7E8, bad[i]);
      codes = obd_dtc_parse_response (response, 0x03, TRUE, NULL, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (codes);
    }
}

static void
test_legacy (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;

  /* J1850: ECU 10 has four codes in two messages, ECU 18 none; their
   * messages interleave on the bus. */
  add_hex (response, 0x10, "43 01 33 02 45 C1 23");
  add_hex (response, 0x18, "43 00 00 00 00 00 00");
  add_hex (response, 0x10, "43 04 20 00 00 00 00");
  codes = obd_dtc_parse_response (response, 0x03, FALSE, &ecus, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 4);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0133");
  g_assert_cmpstr (dtc_at (codes, 1)->code, ==, "P0245");
  g_assert_cmpstr (dtc_at (codes, 2)->code, ==, "U0123");
  g_assert_cmpstr (dtc_at (codes, 3)->code, ==, "P0420");
  for (guint i = 0; i < codes->len; i++)
    g_assert_cmpuint (dtc_at (codes, i)->ecu, ==, 0x10);
  g_assert_cmpuint (ecus->len, ==, 2);
  g_assert_cmpuint (g_array_index (ecus, guint32, 1), ==, 0x18);
}

static void
test_legacy_grouping (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x10, "43 01 71 00 00 00 00");
  add_hex (response, 0x1A, "43 07 00 00 00 00 00");
  add_hex (response, 0x10, "43 01 74 00 00 00 00");
  codes = obd_dtc_parse_response (response, 0x03, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 3);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0171");
  g_assert_cmpstr (dtc_at (codes, 1)->code, ==, "P0174");
  g_assert_cmpstr (dtc_at (codes, 2)->code, ==, "P0700");
  g_assert_cmpuint (dtc_at (codes, 2)->ecu, ==, 0x1A);
}

static void
test_legacy_zero (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (response, 0x10, "43 00 00 00 00 00 00");
  codes = obd_dtc_parse_response (response, 0x03, FALSE, &ecus, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 0);
  g_assert_cmpuint (ecus->len, ==, 1);
}

static void
test_legacy_bad_length (void)
{
  static const char *const bad[] = { "43", "43 01", "43 01 33 00", "43 01 33 02 45 C1" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdResponse) response = obd_response_new ();
      g_autoptr(GArray) codes = NULL;
      g_autoptr(GError) error = NULL;

      add_hex (response, 0x10, bad[i]);
      codes = obd_dtc_parse_response (response, 0x03, FALSE, NULL, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (codes);
    }
}

static void
test_pending_permanent (void)
{
  g_autoptr(ObdResponse) pending = obd_response_new ();
  g_autoptr(ObdResponse) permanent = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) perm = NULL;
  g_autoptr(GArray) mismatch = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (pending, 0x7E8, "47 01 03 02");
  codes = obd_dtc_parse_response (pending, 0x07, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 1);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0302");
  g_assert_cmpint (dtc_at (codes, 0)->kind, ==, OBD_DTC_KIND_PENDING);

  add_hex (permanent, 0x10, "4A 04 20 00 00 00 00");
  perm = obd_dtc_parse_response (permanent, 0x0A, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (perm->len, ==, 1);
  g_assert_cmpstr (dtc_at (perm, 0)->code, ==, "P0420");
  g_assert_cmpint (dtc_at (perm, 0)->kind, ==, OBD_DTC_KIND_PERMANENT);

  /* A Mode 07 reply is not an answer to Mode 03. */
  mismatch = obd_dtc_parse_response (pending, 0x03, TRUE, NULL, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (mismatch);
}

static void
test_negative (void)
{
  g_autoptr(ObdResponse) refused = obd_response_new ();
  g_autoptr(ObdResponse) mixed = obd_response_new ();
  g_autoptr(GArray) none = NULL;
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (refused, 0x7E8, "7F 0A 11");
  none = obd_dtc_parse_response (refused, 0x0A, TRUE, NULL, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE);
  g_assert_null (none);
  g_clear_error (&error);

  /* The transmission refuses, the engine answers: the engine's codes count. */
  add_hex (mixed, 0x7E9, "7F 03 12");
  add_hex (mixed, 0x7E8, "43 01 01 01");
  codes = obd_dtc_parse_response (mixed, 0x03, TRUE, &ecus, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 1);
  g_assert_cmpstr (dtc_at (codes, 0)->code, ==, "P0101");
  g_assert_cmpuint (ecus->len, ==, 1);
}

static void
test_empty_response (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GError) error = NULL;

  codes = obd_dtc_parse_response (response, 0x03, TRUE, NULL, &error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
  g_assert_null (codes);
}

static void
test_bad_service (void)
{
  g_autoptr(ObdResponse) response = obd_response_new ();
  GArray *codes;

  add_hex (response, 0x7E8, "41 00 BE 3F A8 13");
  g_test_expect_message ("obd", G_LOG_LEVEL_CRITICAL, "*obd_dtc_kind_from_service*");
  codes = obd_dtc_parse_response (response, 0x01, TRUE, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (codes);
}

static void
test_freeze_frame (void)
{
  static const guint8 p0133[] = { 0x01, 0x33 };
  static const guint8 none[] = { 0x00, 0x00 };
  static const guint8 c0035[] = { 0x40, 0x35 };
  g_autoptr(GError) error = NULL;
  guint16 raw = 0xFFFF;
  char code[6] = "X";

  g_assert_true (obd_dtc_parse_freeze_frame (p0133, 2, &raw, code, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (raw, ==, 0x0133);
  g_assert_cmpstr (code, ==, "P0133");

  g_assert_true (obd_dtc_parse_freeze_frame (c0035, 2, NULL, code, &error));
  g_assert_cmpstr (code, ==, "C0035");

  g_assert_true (obd_dtc_parse_freeze_frame (none, 2, &raw, code, &error));
  g_assert_cmpuint (raw, ==, 0);
  g_assert_cmpstr (code, ==, "");

  g_assert_false (obd_dtc_parse_freeze_frame (p0133, 1, &raw, code, &error));
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
}

static void
test_clear (void)
{
  g_autoptr(ObdResponse) ok = obd_response_new ();
  g_autoptr(ObdResponse) refused = obd_response_new ();
  g_autoptr(ObdResponse) mixed = obd_response_new ();
  g_autoptr(ObdResponse) silent = obd_response_new ();
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GArray) partial = NULL;
  g_autoptr(GError) error = NULL;

  add_hex (ok, 0x7E8, "44");
  add_hex (ok, 0x7E9, "44");
  g_assert_true (obd_dtc_check_clear_reply (ok, &ecus, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ecus->len, ==, 2);

  add_hex (refused, 0x7E8, "7F 04 22");
  g_assert_false (obd_dtc_check_clear_reply (refused, NULL, &error));
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE);
  g_assert_nonnull (strstr (error->message, "7E8"));
  g_clear_error (&error);

  add_hex (mixed, 0x7E8, "44");
  add_hex (mixed, 0x7E9, "7F 04 22");
  g_assert_false (obd_dtc_check_clear_reply (mixed, &partial, &error));
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE);
  g_assert_cmpuint (partial->len, ==, 1);
  g_assert_cmpuint (g_array_index (partial, guint32, 0), ==, 0x7E8);
  g_clear_error (&error);

  add_hex (silent, 0x7E8, "43 00");
  g_assert_false (obd_dtc_check_clear_reply (silent, NULL, &error));
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/obd/dtc/format", test_format);
  g_test_add_func ("/obd/dtc/parse-code", test_parse_code);
  g_test_add_func ("/obd/dtc/category", test_category);
  g_test_add_func ("/obd/dtc/generic", test_generic);
  g_test_add_func ("/obd/dtc/kind", test_kind);
  g_test_add_func ("/obd/dtc/can/single", test_can_single);
  g_test_add_func ("/obd/dtc/can/many", test_can_many);
  g_test_add_func ("/obd/dtc/can/multi-ecu", test_can_multi_ecu);
  g_test_add_func ("/obd/dtc/can/zero", test_can_zero);
  g_test_add_func ("/obd/dtc/can/padding", test_can_padding);
  g_test_add_func ("/obd/dtc/can/bad-length", test_can_bad_length);
  g_test_add_func ("/obd/dtc/legacy/padding", test_legacy);
  g_test_add_func ("/obd/dtc/legacy/grouping", test_legacy_grouping);
  g_test_add_func ("/obd/dtc/legacy/zero", test_legacy_zero);
  g_test_add_func ("/obd/dtc/legacy/bad-length", test_legacy_bad_length);
  g_test_add_func ("/obd/dtc/pending-permanent", test_pending_permanent);
  g_test_add_func ("/obd/dtc/negative", test_negative);
  g_test_add_func ("/obd/dtc/empty", test_empty_response);
  g_test_add_func ("/obd/dtc/bad-service", test_bad_service);
  g_test_add_func ("/obd/dtc/freeze-frame", test_freeze_frame);
  g_test_add_func ("/obd/dtc/clear", test_clear);

  return g_test_run ();
}
