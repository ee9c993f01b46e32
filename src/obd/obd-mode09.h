/* obd-mode09.h — vehicle information (Mode 09)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SAE J1979 / ISO 15031-5 Mode 09 InfoTypes, in both layouts:
 *
 *   CAN (ISO 15765-4):  49 IT NODI data...       one ISO-TP message per ECU;
 *                       NODI is the number of data items (VINs, CALIDs...)
 *   legacy (J1850, ISO 9141-2, ISO 14230-4):
 *                       49 IT SEQ d d d d        several messages per ECU,
 *                       numbered 1..n, four data bytes each
 *
 * InfoTypes 00, 20, 40 (supported bitmaps) carry no NODI on CAN and a
 * message count of 1 on legacy buses; the odd InfoTypes 01-09 are message
 * counts and are only asked on legacy buses.
 */
#pragma once

#include <glib.h>

#include "obd-elm.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_INFO_KIND_SUPPORTED = 0,    /* 00, 20, 40, ...: bitmap */
  OBD_INFO_KIND_COUNT,            /* 01, 03, 05, 07, 09: count */
  OBD_INFO_KIND_VIN,              /* 02: vin */
  OBD_INFO_KIND_CALIBRATION_IDS,  /* 04: strings, one per calibration */
  OBD_INFO_KIND_CVNS,             /* 06: strings, 8 upper-case hex digits each */
  OBD_INFO_KIND_PERFORMANCE,      /* 08, 0B: counters */
  OBD_INFO_KIND_ECU_NAME,         /* 0A: ecu_acronym, ecu_name, text */
} ObdInfoKind;

/* One in-use performance tracking counter (J1979 InfoType 08 / 0B). */
typedef struct
{
  const char *key;    /* the standard's name: "OBDCOND", "CATCOMP1" */
  const char *label;  /* translated: "Catalyst monitor completions, bank 1" */
  guint       value;
} ObdIptCounter;

/* What one ECU answered for one InfoType.  Only the fields of its kind are
 * set; the others are 0 / NULL, so every field can go into JSON as is. */
typedef struct
{
  guint32      ecu;
  guint8       infotype;
  ObdInfoKind  kind;
  guint32      bitmap;        /* SUPPORTED: bit 31 = infotype + 1 */
  guint        count;         /* COUNT */
  char        *vin;           /* VIN: 17 printable characters */
  GPtrArray   *strings;       /* CALIBRATION_IDS, CVNS: of char* */
  GArray      *counters;      /* PERFORMANCE: of ObdIptCounter */
  char        *text;          /* ECU_NAME: "ECM-EngineControl" */
  char        *ecu_acronym;   /* ECU_NAME: "ECM" */
  char        *ecu_name;      /* ECU_NAME: "EngineControl" */
} ObdInfoRecord;

void            obd_info_record_free          (ObdInfoRecord *record);

/* Parses the reply to "09 infotype".  Returns a GPtrArray of ObdInfoRecord
 * (freeing them itself), one per ECU in order of first answer.  Fails with
 * OBD_PROTOCOL_ERROR_MALFORMED on a length that does not fit, a gap in the
 * legacy message numbers, or non-printable text; with
 * OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE when every ECU refused; with
 * OBD_PROTOCOL_ERROR_UNSUPPORTED for an InfoType this parser does not know. */
GPtrArray      *obd_mode09_parse              (const ObdResponse *response,
                                               guint8             infotype,
                                               gboolean           can,
                                               GError           **error);

/* The VIN from a reply to "09 02": the first ECU's, as most vehicles answer
 * from the engine ECU only.  out_ecu may be NULL. */
char           *obd_mode09_parse_vin          (const ObdResponse *response,
                                               gboolean           can,
                                               guint32           *out_ecu,
                                               GError           **error);

/* Whether a SUPPORTED record lists infotype. */
gboolean        obd_mode09_record_supports    (const ObdInfoRecord *record,
                                               guint8               infotype);

/* Translated name of an InfoType, e.g. "Calibration IDs"; never NULL. */
const char     *obd_mode09_get_infotype_name  (guint8 infotype);
/* Stable key for JSON: "vin", "calibration_ids", "cvns", "ipt_spark",
 * "ipt_compression", "ecu_name", "supported_00", "vin_count", ... */
const char     *obd_mode09_get_infotype_key   (guint8 infotype);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdInfoRecord, obd_info_record_free)

G_END_DECLS
