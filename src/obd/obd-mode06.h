/* obd-mode06.h — on-board monitoring test results (Mode 06)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ISO 15765-4 (CAN) form of SAE J1979 / ISO 15031-5 Mode 06.  A reply
 * to "06 MID" holds one 9-byte record per test, the MID repeated in each:
 *
 *   46  MID TID UASID VAL_H VAL_L MIN_H MIN_L MAX_H MAX_L  [MID TID ...]
 *
 * and a reply to a supported-MID request (06 00, 06 20, ... 06 E0) holds
 * the MID and a 4-byte bitmap, possibly several of them in one message.
 * The unit and scaling ID (UASID, J1979 Appendix E / ISO 15031-5 Annex E)
 * says how to turn the raw 16-bit numbers into a quantity.  Pre-CAN
 * vehicles answer Mode 06 in a different, manufacturer-scaled layout that
 * this parser does not read.
 */
#pragma once

#include <glib.h>

#include "obd-elm.h"
#include "obd-units.h"

G_BEGIN_DECLS

/* One test result; plain data, copied by value in GArrays. */
typedef struct
{
  guint32     ecu;
  guint8      mid;          /* on-board monitor ID: 0x21 catalyst bank 1 */
  guint8      tid;          /* test ID: 0x01-0x7F standard, 0x80-0xFF manufacturer */
  guint8      uasid;        /* unit and scaling ID */
  guint16     raw_value;    /* as sent */
  guint16     raw_min;
  guint16     raw_max;
  double      value;        /* scaled */
  double      min;          /* test limits, scaled */
  double      max;
  ObdUnit     unit;         /* OBD_UNIT_NONE when the project has no such unit */
  const char *unit_symbol;  /* always set: "mV", "kΩ", "mV/ms", "" for counts */
  gboolean    known_uasid;  /* FALSE: an undefined UASID, values left raw */
  gboolean    passed;       /* min <= value <= max */
  const char *mid_name;     /* translated, e.g. "Catalyst Monitor Bank 1" */
  const char *tid_name;     /* translated, e.g. "Rich to lean sensor threshold voltage" */
} ObdMonitorResult;

/* One supported-MID bitmap: bit 31 is MID base + 1, bit 0 MID base + 32
 * (which, when set, says the next bitmap is supported too). */
typedef struct
{
  guint32 ecu;
  guint8  base;    /* 0x00, 0x20, ... 0xE0 */
  guint32 bitmap;
} ObdMidSupport;

/* Parses a Mode 06 reply from any number of ECUs.  Returns a GArray of
 * ObdMonitorResult in the order received (possibly empty when the reply
 * holds only bitmaps); out_supported, if not NULL, receives a GArray of
 * ObdMidSupport.  A message that is not a whole number of records fails
 * with OBD_PROTOCOL_ERROR_MALFORMED; when only negative responses came
 * back, with OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE. */
GArray     *obd_mode06_parse          (const ObdResponse *response,
                                       GArray           **out_supported,
                                       GError           **error);

/* Whether support says mid is supported (FALSE for a MID outside the
 * bitmap's range). */
gboolean    obd_mode06_support_has    (const ObdMidSupport *support,
                                       guint8               mid);

/* Translated monitor name; "Manufacturer-defined monitor 0xE5" for
 * 0xE1-0xFF, "Supported monitors 0x21-0x40" for the bitmap MIDs and
 * "Reserved monitor 0x…" for gaps.  Never NULL; the string lives forever. */
const char *obd_mode06_get_mid_name   (guint8 mid);
/* Translated test name; "Manufacturer test 0x85" for 0x80-0xFF. */
const char *obd_mode06_get_tid_name   (guint8 mid,
                                       guint8 tid);

/* Scales a raw value by UASID.  FALSE (value raw, symbol "") for an
 * undefined UASID.  unit and symbol may be NULL. */
gboolean    obd_mode06_scale          (guint8       uasid,
                                       guint16      raw,
                                       double      *out_value,
                                       ObdUnit     *out_unit,
                                       const char **out_symbol);

G_END_DECLS
