/* fuzz-modes.c — libFuzzer target for the Mode 06 and Mode 09 parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the options (bit 0 the CAN layout instead of the
 * legacy one, bit 1 whether the Mode 06 support bitmaps are asked for),
 * the second the Mode 09 InfoType; the rest is a reply split into
 * messages (fuzz_response_new).  The same reply goes to the Mode 06
 * parser, the Mode 09 parser and the VIN reader.  Besides memory errors,
 * the target checks the documented contracts: NULL exactly with an
 * OBD_PROTOCOL_ERROR, every field of a record's kind set, verdicts that
 * agree with the limits.
 */
#define G_LOG_DOMAIN "fuzz-modes"
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-error.h"
#include "obd-mode06.h"
#include "obd-mode09.h"

static void
fuzz_mode06 (const ObdResponse *response,
             gboolean           want_supported)
{
  g_autoptr(GArray) results = NULL;
  g_autoptr(GArray) supported = NULL;
  g_autoptr(GError) error = NULL;

  results = obd_mode06_parse (response, want_supported ? &supported : NULL, &error);
  fuzz_check ((results == NULL) == (error != NULL), "mode 06: NULL exactly with an error");
  if (results == NULL)
    {
      fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "mode 06: error domain");
      fuzz_check (supported == NULL, "mode 06: no bitmaps on failure");
      return;
    }

  for (guint i = 0; i < results->len; i++)
    {
      const ObdMonitorResult *r = &g_array_index (results, ObdMonitorResult, i);
      double value;

      fuzz_check (r->unit_symbol != NULL, "mode 06: a unit symbol");
      fuzz_check (r->mid_name != NULL && r->tid_name != NULL, "mode 06: names");
      fuzz_touch (r->unit_symbol, strlen (r->unit_symbol));
      fuzz_touch (r->mid_name, strlen (r->mid_name));
      fuzz_touch (r->tid_name, strlen (r->tid_name));
      fuzz_check ((r->mid & 0x1F) != 0, "mode 06: a test record is not a bitmap MID");
      fuzz_check (obd_mode06_scale (r->uasid, r->raw_value, &value, NULL, NULL) ==
                  r->known_uasid, "mode 06: known_uasid is what scaling says");
      fuzz_check (value == r->value, "mode 06: the value is the scaled raw value");
      fuzz_check (r->passed == (r->min <= r->value && r->value <= r->max),
                  "mode 06: passed means min <= value <= max");
    }

  if (want_supported)
    {
      fuzz_check (supported != NULL, "mode 06: the bitmaps are returned");
      for (guint i = 0; i < supported->len; i++)
        {
          const ObdMidSupport *s = &g_array_index (supported, ObdMidSupport, i);

          fuzz_check (s->base % 0x20 == 0, "mode 06: a bitmap base is a multiple of 0x20");
          for (guint mid = 0; mid < 256; mid++)
            {
              gboolean has = obd_mode06_support_has (s, mid);

              if (mid <= s->base || mid > s->base + 0x20u)
                fuzz_check (!has, "mode 06: a bitmap says nothing outside its range");
              else
                fuzz_check (has == ((s->bitmap >> (0x20u - (mid - s->base))) & 1),
                            "mode 06: bit 31 is base + 1");
            }
        }
    }
}

static void
check_record (const ObdInfoRecord *record,
              guint8               infotype)
{
  fuzz_check (record->infotype == infotype, "mode 09: the record is of the InfoType asked");
  switch (record->kind)
    {
    case OBD_INFO_KIND_SUPPORTED:
      for (guint it = 0; it < 256; it++)
        (void) obd_mode09_record_supports (record, it);
      break;
    case OBD_INFO_KIND_COUNT:
      break;
    case OBD_INFO_KIND_VIN:
      fuzz_check (record->vin != NULL && strlen (record->vin) == 17, "mode 09: a 17 character VIN");
      for (guint i = 0; i < 17; i++)
        fuzz_check (g_ascii_isprint (record->vin[i]), "mode 09: the VIN is printable");
      break;
    case OBD_INFO_KIND_CALIBRATION_IDS:
    case OBD_INFO_KIND_CVNS:
      fuzz_check (record->strings != NULL, "mode 09: a string list");
      for (guint i = 0; i < record->strings->len; i++)
        {
          const char *s = g_ptr_array_index (record->strings, i);

          fuzz_check (s != NULL, "mode 09: no NULL string");
          if (record->kind == OBD_INFO_KIND_CVNS)
            {
              fuzz_check (strlen (s) == 8, "mode 09: a CVN has 8 hex digits");
              for (guint j = 0; j < 8; j++)
                fuzz_check (g_ascii_isxdigit (s[j]) && !g_ascii_islower (s[j]),
                            "mode 09: a CVN is upper-case hex");
            }
          else
            fuzz_touch (s, strlen (s));
        }
      break;
    case OBD_INFO_KIND_PERFORMANCE:
      fuzz_check (record->counters != NULL, "mode 09: a counter list");
      for (guint i = 0; i < record->counters->len; i++)
        {
          const ObdIptCounter *c = &g_array_index (record->counters, ObdIptCounter, i);

          fuzz_check (c->key != NULL && c->label != NULL, "mode 09: counters have names");
        }
      break;
    case OBD_INFO_KIND_ECU_NAME:
      fuzz_check (record->text != NULL, "mode 09: an ECU name");
      fuzz_touch (record->text, strlen (record->text));
      if (record->ecu_acronym != NULL)
        fuzz_touch (record->ecu_acronym, strlen (record->ecu_acronym));
      if (record->ecu_name != NULL)
        fuzz_touch (record->ecu_name, strlen (record->ecu_name));
      break;
    default:
      fuzz_check (FALSE, "mode 09: a known kind");
    }
}

static void
fuzz_mode09 (const ObdResponse *response,
             guint8             infotype,
             gboolean           can)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vin = NULL;
  guint32 ecu = 0xFFFFFFFF;

  fuzz_check (obd_mode09_get_infotype_name (infotype) != NULL, "mode 09: an InfoType name");
  fuzz_check (obd_mode09_get_infotype_key (infotype) != NULL, "mode 09: an InfoType key");

  records = obd_mode09_parse (response, infotype, can, &error);
  fuzz_check ((records == NULL) == (error != NULL), "mode 09: NULL exactly with an error");
  if (records == NULL)
    fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "mode 09: error domain");
  else
    {
      fuzz_check (records->len > 0, "mode 09: success means an ECU answered");
      for (guint i = 0; i < records->len; i++)
        check_record (g_ptr_array_index (records, i), infotype);
    }

  g_clear_error (&error);
  vin = obd_mode09_parse_vin (response, can, &ecu, &error);
  fuzz_check ((vin == NULL) == (error != NULL), "VIN: NULL exactly with an error");
  if (vin == NULL)
    fuzz_check (error->domain == OBD_PROTOCOL_ERROR, "VIN: error domain");
  else
    fuzz_check (strlen (vin) == 17 && ecu != 0xFFFFFFFF, "VIN: 17 characters and an ECU");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ObdResponse) response = NULL;
  gboolean can, want_supported;
  guint8 infotype;

  fuzz_init ();
  if (size < 2)
    return 0;

  can = data[0] & 1;
  want_supported = (data[0] >> 1) & 1;
  infotype = data[1];
  response = fuzz_response_new (data + 2, size - 2);

  fuzz_mode06 (response, want_supported);
  fuzz_mode09 (response, infotype, can);
  return 0;
}
