/* fuzz-dtc.c — libFuzzer target for the trouble code parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the options: bits 0-2 the service (03, 07, 0A or
 * their replies 43, 47, 4A), bit 3 the CAN layout instead of the legacy
 * one, bit 4 whether the ECU list is asked for.  The rest is a reply split
 * into messages (fuzz_response_new), which goes to the Mode 03/07/0A
 * parser and to the Mode 04 acknowledgement check; each message's data
 * after the service and PID bytes (and after a Mode 02 frame number) goes
 * to the freeze frame DTC parser, and the rest of the input as text to the
 * code parser.  Besides memory errors, the target checks the documented
 * contracts: NULL or FALSE exactly with an error, codes that format and
 * parse back to their raw value, ECU lists that cover every code.
 */
#define G_LOG_DOMAIN "fuzz-dtc"
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-dtc.h"
#include "obd-error.h"

static void
check_code (const ObdDtc *dtc)
{
  char code[6];
  guint16 raw = 0;

  fuzz_check (strlen (dtc->code) == 5, "a code has five characters");
  obd_dtc_format (dtc->raw, code);
  fuzz_check (strcmp (code, dtc->code) == 0, "the code is the formatted raw value");
  fuzz_check (obd_dtc_parse_code (dtc->code, &raw), "a formatted code parses");
  fuzz_check (raw == dtc->raw, "a formatted code parses back to its raw value");
  fuzz_check (obd_dtc_category_get_key (obd_dtc_get_category (dtc->raw)) != NULL,
              "every code has a category");
  (void) obd_dtc_is_generic (dtc->raw);
}

static void
fuzz_codes (const ObdResponse *response,
            guint8             service,
            gboolean           can,
            gboolean           want_ecus)
{
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;
  ObdDtcKind kind;

  fuzz_check (obd_dtc_kind_from_service (service, &kind), "the service is a DTC service");
  codes = obd_dtc_parse_response (response, service, can, want_ecus ? &ecus : NULL, &error);
  fuzz_check ((codes == NULL) == (error != NULL), "codes: NULL exactly with an error");
  if (codes == NULL)
    {
      fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "codes: error domain");
      fuzz_check (ecus == NULL, "codes: no ECU list on failure");
      return;
    }

  if (want_ecus)
    {
      fuzz_check (ecus != NULL, "codes: the ECU list is returned");
      fuzz_check (ecus->len > 0, "codes: success means an ECU answered");
      for (guint i = 0; i < ecus->len; i++)
        for (guint j = i + 1; j < ecus->len; j++)
          fuzz_check (g_array_index (ecus, guint32, i) != g_array_index (ecus, guint32, j),
                      "codes: each ECU listed once");
    }

  for (guint i = 0, e = 0; i < codes->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (codes, ObdDtc, i);

      check_code (dtc);
      fuzz_check (dtc->kind == kind, "codes: the kind of the service");
      if (ecus != NULL)
        {
          /* grouped by ECU, the groups in the order of the ECU list */
          while (e < ecus->len && g_array_index (ecus, guint32, e) != dtc->ecu)
            e++;
          fuzz_check (e < ecus->len, "codes: grouped by ECU, in the order of the ECU list");
        }
      else if (i > 0 && g_array_index (codes, ObdDtc, i - 1).ecu != dtc->ecu)
        {
          for (guint j = 0; j < i; j++)
            fuzz_check (g_array_index (codes, ObdDtc, j).ecu != dtc->ecu,
                        "codes: grouped by ECU");
        }
    }
}

static void
fuzz_clear (const ObdResponse *response)
{
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = obd_dtc_check_clear_reply (response, &ecus, &error);
  fuzz_check (ok == (error == NULL), "clear: FALSE exactly with an error");
  fuzz_check (ecus != NULL, "clear: the ECU list is returned also on failure");
  if (ok)
    fuzz_check (ecus->len > 0, "clear: success means an ECU acknowledged");
  else
    fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "clear: error domain");

  g_clear_error (&error);
  ok = obd_dtc_check_clear_reply (response, NULL, &error);
  fuzz_check (ok == (error == NULL), "clear without ECU list: FALSE exactly with an error");
}

static void
fuzz_freeze_frame (const guint8 *data,
                   gsize         len)
{
  g_autoptr(GError) error = NULL;
  guint16 raw = 0xFFFF;
  char code[6] = "XXXXX";

  if (!obd_dtc_parse_freeze_frame (data, len, &raw, code, &error))
    {
      fuzz_check (error != NULL && error->domain == OBD_PROTOCOL_ERROR,
                  "freeze frame: FALSE with a protocol error");
      return;
    }
  fuzz_check (error == NULL, "freeze frame: TRUE without error");
  if (raw == 0)
    fuzz_check (code[0] == '\0', "freeze frame: 0000 is no code");
  else
    {
      char expected[6];

      obd_dtc_format (raw, expected);
      fuzz_check (strcmp (code, expected) == 0, "freeze frame: the formatted code");
    }
  fuzz_check (obd_dtc_parse_freeze_frame (data, len, NULL, NULL, NULL),
              "freeze frame: outputs are optional");
}

static void
fuzz_code_text (const char *text)
{
  guint16 raw = 0;

  if (obd_dtc_parse_code (text, &raw))
    {
      char code[6];
      g_autofree char *upper = g_ascii_strup (text, -1);

      obd_dtc_format (raw, code);
      fuzz_check (strstr (g_strstrip (upper), code) == upper && strlen (upper) == 5,
                  "code text: the formatted code is the text, upper-cased and stripped");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint8 services[] = { 0x03, 0x07, 0x0A, 0x43, 0x47, 0x4A };
  g_autoptr(ObdResponse) response = NULL;
  g_autofree char *text = NULL;
  guint8 service;
  gboolean can, want_ecus;

  fuzz_init ();
  if (size < 1)
    return 0;

  service = services[(data[0] & 0x07) % G_N_ELEMENTS (services)];
  can = (data[0] >> 3) & 1;
  want_ecus = (data[0] >> 4) & 1;
  response = fuzz_response_new (data + 1, size - 1);

  fuzz_codes (response, service, can, want_ecus);
  fuzz_clear (response);

  for (guint i = 0; i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);

      /* 41 02 hi lo (Mode 01) and 42 02 frame hi lo (Mode 02) */
      for (gsize skip = 2; skip <= 3; skip++)
        if (msg->len >= skip)
          fuzz_freeze_frame (msg->data + skip, msg->len - skip);
    }

  text = g_strndup ((const char *) data + 1, size - 1);
  fuzz_code_text (text);

  return 0;
}
