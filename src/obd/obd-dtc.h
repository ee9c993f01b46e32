/* obd-dtc.h — diagnostic trouble codes: formatting, parsing, Modes 03/07/0A/04
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A DTC travels as two bytes (SAE J2012 / ISO 15031-6):
 *
 *   bits 15-14  system letter   00 P, 01 C, 10 B, 11 U
 *   bits 13-12  first digit     0..3
 *   bits 11-0   three hex digits
 *
 * so 0x0301 is "P0301" and 0xC123 is "U0123".  Descriptions live in the
 * knowledge base (obd-dtc-kb.h); this file only knows the structure.
 */
#pragma once

#include <glib.h>

#include "obd-elm.h"

G_BEGIN_DECLS

/* Which list a code came from. */
typedef enum
{
  OBD_DTC_KIND_STORED = 0,  /* Mode 03: confirmed, may light the MIL */
  OBD_DTC_KIND_PENDING,     /* Mode 07: detected this or last driving cycle */
  OBD_DTC_KIND_PERMANENT,   /* Mode 0A: cannot be cleared by Mode 04 */
} ObdDtcKind;

typedef enum
{
  OBD_DTC_CATEGORY_POWERTRAIN = 0,  /* P */
  OBD_DTC_CATEGORY_CHASSIS,         /* C */
  OBD_DTC_CATEGORY_BODY,            /* B */
  OBD_DTC_CATEGORY_NETWORK,         /* U */
} ObdDtcCategory;

/* Plain data, copied by value in GArrays. */
typedef struct
{
  guint32    ecu;      /* responder address, 0 if unknown (headers off) */
  guint16    raw;      /* the two bytes as sent, big-endian: 0x0301 */
  char       code[6];  /* "P0301", NUL-terminated */
  ObdDtcKind kind;
} ObdDtc;

/* Writes the five-character code of raw into code (6 bytes with the NUL). */
void            obd_dtc_format              (guint16     raw,
                                             char        code[6]);
/* Parses "P0301" (case-insensitive, surrounding blanks ignored).  FALSE
 * when the text is not a letter P/C/B/U, a digit 0-3 and three hex digits. */
gboolean        obd_dtc_parse_code          (const char *code,
                                             guint16    *out_raw);

ObdDtcCategory  obd_dtc_get_category        (guint16     raw);
/* Stable key for JSON: "powertrain", "chassis", "body", "network". */
const char     *obd_dtc_category_get_key    (ObdDtcCategory category);
/* Translated name: "Powertrain", ... */
const char     *obd_dtc_category_get_label  (ObdDtcCategory category);

/* TRUE when SAE J2012 / ISO 15031-6 defines the meaning of the code for
 * every make, FALSE when the vehicle manufacturer does:
 *
 *   P0xxx, P2xxx, P34xx-P39xx   generic (SAE)
 *   P1xxx, P30xx-P33xx          manufacturer
 *   C0, B0, U0                  generic
 *   C1, C2, B1, B2, U1, U2      manufacturer
 *   C3, B3, U3                  reserved by SAE for future generic codes:
 *                               reported as generic, because no
 *                               manufacturer may assign them
 */
gboolean        obd_dtc_is_generic          (guint16     raw);

/* Stable key for JSON: "stored", "pending", "permanent". */
const char     *obd_dtc_kind_get_key        (ObdDtcKind  kind);
/* Translated: "Stored", "Pending", "Permanent". */
const char     *obd_dtc_kind_get_label      (ObdDtcKind  kind);
/* The request service of a list: 0x03, 0x07 or 0x0A. */
guint8          obd_dtc_kind_get_service    (ObdDtcKind  kind);
/* Maps a request (0x03/0x07/0x0A) or reply (0x43/0x47/0x4A) service to its
 * kind; FALSE for any other service. */
gboolean        obd_dtc_kind_from_service   (guint8      service,
                                             ObdDtcKind *out_kind);

/* Decodes a Mode 03, 07 or 0A reply.  service is the request (0x03, 0x07,
 * 0x0A) or the reply service (0x43, 0x47, 0x4A).  can selects the
 * ISO 15765-4 layout (a count byte, then the pairs) instead of the legacy
 * one (three pairs per message, 0000 padding, several messages per ECU).
 *
 * Returns a GArray of ObdDtc grouped by ECU in order of first answer, codes
 * in the order the ECU sent them.  An empty array means every ECU answered
 * "no codes".  out_ecus, if not NULL, receives a GArray of guint32: every
 * ECU that answered positively, with or without codes, so a caller can print
 * "7E9: no codes".  ECUs that answered with a negative response are left
 * out; if no ECU answered positively the call fails with
 * OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE.  A message whose length does not fit
 * the layout fails the call with OBD_PROTOCOL_ERROR_MALFORMED. */
GArray         *obd_dtc_parse_response      (const ObdResponse *response,
                                             guint8             service,
                                             gboolean           can,
                                             GArray           **out_ecus,
                                             GError           **error);

/* Mode 01 / Mode 02 PID 02, "DTC that caused the freeze frame": data are the
 * two bytes after the PID (and, for Mode 02, the frame number).  On success
 * out_raw is the code, 0 when no freeze frame is stored (0000); code, if not
 * NULL, receives "P0301" or "" for none. */
gboolean        obd_dtc_parse_freeze_frame  (const guint8 *data,
                                             gsize         len,
                                             guint16      *out_raw,
                                             char          code[6],
                                             GError      **error);

/* Checks the reply to Mode 04 (clear codes and stored values).  TRUE when
 * at least one ECU acknowledged (0x44) and none refused.  A refusal
 * (7F 04 NRC — typically 0x22 "conditions not correct" with the engine
 * running) fails with OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE naming the ECU
 * and what to do.  out_ecus, if not NULL, receives the ECUs that
 * acknowledged (GArray of guint32), also when the call fails. */
gboolean        obd_dtc_check_clear_reply   (const ObdResponse *response,
                                             GArray           **out_ecus,
                                             GError           **error);

G_END_DECLS
