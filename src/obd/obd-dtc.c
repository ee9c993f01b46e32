/* obd-dtc.c — diagnostic trouble codes: formatting, parsing, Modes 03/07/0A/04
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-dtc.h"
#include "obd-error.h"

#define OBD_SERVICE_NEGATIVE 0x7F
#define OBD_SERVICE_CLEAR    0x04

static const char dtc_letters[4] = { 'P', 'C', 'B', 'U' };

void
obd_dtc_format (guint16 raw,
                char    code[6])
{
  static const char hex[] = "0123456789ABCDEF";

  g_return_if_fail (code != NULL);

  code[0] = dtc_letters[(raw >> 14) & 0x3];
  code[1] = (char) ('0' + ((raw >> 12) & 0x3));
  code[2] = hex[(raw >> 8) & 0xF];
  code[3] = hex[(raw >> 4) & 0xF];
  code[4] = hex[raw & 0xF];
  code[5] = '\0';
}

gboolean
obd_dtc_parse_code (const char *code,
                    guint16    *out_raw)
{
  guint16 raw = 0;
  gsize len;
  guint letter;
  const char *p;

  g_return_val_if_fail (code != NULL, FALSE);

  while (g_ascii_isspace (*code))
    code++;
  len = strlen (code);
  while (len > 0 && g_ascii_isspace (code[len - 1]))
    len--;
  if (len != 5)
    return FALSE;

  for (letter = 0; letter < G_N_ELEMENTS (dtc_letters); letter++)
    if (g_ascii_toupper (code[0]) == dtc_letters[letter])
      break;
  if (letter == G_N_ELEMENTS (dtc_letters))
    return FALSE;
  if (code[1] < '0' || code[1] > '3')
    return FALSE;

  raw = (guint16) ((letter << 14) | ((guint) (code[1] - '0') << 12));
  for (p = code + 2; p < code + 5; p++)
    {
      int digit = g_ascii_xdigit_value (*p);

      if (digit < 0)
        return FALSE;
      raw = (guint16) (raw | ((guint) digit << (4 * (4 - (p - code)))));
    }

  if (out_raw != NULL)
    *out_raw = raw;
  return TRUE;
}

ObdDtcCategory
obd_dtc_get_category (guint16 raw)
{
  return (ObdDtcCategory) ((raw >> 14) & 0x3);
}

const char *
obd_dtc_category_get_key (ObdDtcCategory category)
{
  switch (category)
    {
    case OBD_DTC_CATEGORY_POWERTRAIN: return "powertrain";
    case OBD_DTC_CATEGORY_CHASSIS:    return "chassis";
    case OBD_DTC_CATEGORY_BODY:       return "body";
    case OBD_DTC_CATEGORY_NETWORK:    return "network";
    default:                          break;
    }
  g_return_val_if_reached ("powertrain");
}

const char *
obd_dtc_category_get_label (ObdDtcCategory category)
{
  switch (category)
    {
    case OBD_DTC_CATEGORY_POWERTRAIN: return _("Powertrain");
    case OBD_DTC_CATEGORY_CHASSIS:    return _("Chassis");
    case OBD_DTC_CATEGORY_BODY:       return _("Body");
    case OBD_DTC_CATEGORY_NETWORK:    return _("Network");
    default:                          break;
    }
  g_return_val_if_reached ("");
}

gboolean
obd_dtc_is_generic (guint16 raw)
{
  guint digit = (raw >> 12) & 0x3;

  if (obd_dtc_get_category (raw) == OBD_DTC_CATEGORY_POWERTRAIN)
    {
      guint second = (raw >> 8) & 0xF;

      /* SAE J2012: P1 is manufacturer controlled; in P3, P30-P33 belong to
       * the manufacturer and P34-P39 to SAE. */
      if (digit == 1)
        return FALSE;
      if (digit == 3)
        return second >= 4;
      return TRUE;
    }

  /* C, B and U: 0 is SAE, 1 and 2 manufacturer, 3 reserved for SAE. */
  return digit == 0 || digit == 3;
}

const char *
obd_dtc_kind_get_key (ObdDtcKind kind)
{
  switch (kind)
    {
    case OBD_DTC_KIND_STORED:    return "stored";
    case OBD_DTC_KIND_PENDING:   return "pending";
    case OBD_DTC_KIND_PERMANENT: return "permanent";
    default:                     break;
    }
  g_return_val_if_reached ("stored");
}

const char *
obd_dtc_kind_get_label (ObdDtcKind kind)
{
  switch (kind)
    {
    case OBD_DTC_KIND_STORED:    return _("Stored");
    case OBD_DTC_KIND_PENDING:   return _("Pending");
    case OBD_DTC_KIND_PERMANENT: return _("Permanent");
    default:                     break;
    }
  g_return_val_if_reached ("");
}

guint8
obd_dtc_kind_get_service (ObdDtcKind kind)
{
  switch (kind)
    {
    case OBD_DTC_KIND_STORED:    return 0x03;
    case OBD_DTC_KIND_PENDING:   return 0x07;
    case OBD_DTC_KIND_PERMANENT: return 0x0A;
    default:                     break;
    }
  g_return_val_if_reached (0x03);
}

gboolean
obd_dtc_kind_from_service (guint8      service,
                           ObdDtcKind *out_kind)
{
  ObdDtcKind kind;

  /* A positive reply's service is the request's with bit 6 set. */
  switch (service & ~0x40)
    {
    case 0x03: kind = OBD_DTC_KIND_STORED;    break;
    case 0x07: kind = OBD_DTC_KIND_PENDING;   break;
    case 0x0A: kind = OBD_DTC_KIND_PERMANENT; break;
    default:   return FALSE;
    }
  if (out_kind != NULL)
    *out_kind = kind;
  return TRUE;
}

static void
ecus_add_unique (GArray  *ecus,
                 guint32  ecu)
{
  for (guint i = 0; i < ecus->len; i++)
    if (g_array_index (ecus, guint32, i) == ecu)
      return;
  g_array_append_val (ecus, ecu);
}

static void
append_dtc (GArray     *codes,
            guint32     ecu,
            guint16     raw,
            ObdDtcKind  kind)
{
  ObdDtc dtc = { 0, };

  dtc.ecu = ecu;
  dtc.raw = raw;
  dtc.kind = kind;
  obd_dtc_format (raw, dtc.code);
  g_array_append_val (codes, dtc);
}

static gboolean
all_zero (const guint8 *data,
          gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != 0)
      return FALSE;
  return TRUE;
}

/* ISO 15765-4 (J1979 CAN): 4x N pair pair ...  The count byte lets an ECU
 * report more than three codes in one ISO-TP message. */
static gboolean
parse_can_message (const ObdMessage *msg,
                   ObdDtcKind        kind,
                   GArray           *codes,
                   GError          **error)
{
  gsize count, needed;

  if (msg->len < 2)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The trouble code reply from ECU %X has no code count."), msg->ecu);
      return FALSE;
    }

  count = msg->data[1];
  needed = 2 + 2 * count;
  /* A few ECUs pad the last CAN frame with zero bytes and the padding ends
   * up in the message when the adapter does not trim to the PCI length
   * (AT CAF0); zeros past the counted pairs are harmless, anything else
   * means we misread the reply. */
  if (msg->len < needed || !all_zero (msg->data + needed, msg->len - needed))
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The trouble code reply from ECU %X announces %u codes but carries "
                     "%u bytes."),
                   msg->ecu, (guint) count, (guint) (msg->len - 2));
      return FALSE;
    }

  for (gsize i = 0; i < count; i++)
    {
      guint16 raw = (guint16) ((msg->data[2 + 2 * i] << 8) | msg->data[3 + 2 * i]);

      /* 0000 is not a code ("P0000"); some ECUs count padding pairs. */
      if (raw != 0)
        append_dtc (codes, msg->ecu, raw, kind);
    }
  return TRUE;
}

/* SAE J1979 on J1850 / ISO 9141-2 / ISO 14230-4: every message carries
 * exactly three pairs, unused ones sent as 0000; an ECU with more codes
 * sends more messages. */
static gboolean
parse_legacy_message (const ObdMessage *msg,
                      ObdDtcKind        kind,
                      GArray           *codes,
                      GError          **error)
{
  if (msg->len < 3 || (msg->len - 1) % 2 != 0)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The trouble code reply from ECU %X has an odd length (%u bytes)."),
                   msg->ecu, (guint) msg->len);
      return FALSE;
    }

  for (gsize i = 1; i + 1 < msg->len; i += 2)
    {
      guint16 raw = (guint16) ((msg->data[i] << 8) | msg->data[i + 1]);

      if (raw != 0)
        append_dtc (codes, msg->ecu, raw, kind);
    }
  return TRUE;
}

GArray *
obd_dtc_parse_response (const ObdResponse *response,
                        guint8             service,
                        gboolean           can,
                        GArray           **out_ecus,
                        GError           **error)
{
  g_autoptr(GArray) codes = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GArray) sorted = NULL;
  ObdDtcKind kind;
  guint8 reply_service;
  guint8 nrc = 0;
  gboolean refused = FALSE;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_return_val_if_fail (obd_dtc_kind_from_service (service, &kind), NULL);
  reply_service = (guint8) (obd_dtc_kind_get_service (kind) | 0x40);

  codes = g_array_new (FALSE, FALSE, sizeof (ObdDtc));
  ecus = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; response->messages != NULL && i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);

      if (msg->len == 0)
        continue;

      if (msg->data[0] == OBD_SERVICE_NEGATIVE)
        {
          if (msg->len >= 3 && (msg->data[1] | 0x40) == reply_service)
            {
              refused = TRUE;
              nrc = msg->data[2];
            }
          continue;
        }

      /* Other services can only be stray traffic on a shared bus (ATMA
       * leftovers, another tester); they say nothing about this request. */
      if (msg->data[0] != reply_service)
        {
          g_debug ("Ignoring a 0x%02X message from %X in a 0x%02X reply",
                   msg->data[0], msg->ecu, reply_service);
          continue;
        }

      if (can ? !parse_can_message (msg, kind, codes, error)
              : !parse_legacy_message (msg, kind, codes, error))
        return NULL;

      ecus_add_unique (ecus, msg->ecu);
    }

  if (ecus->len == 0)
    {
      if (refused)
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,
                     _("The vehicle refused to report trouble codes: %s."),
                     obd_elm_nrc_to_string (nrc));
      else
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                     _("The vehicle did not answer the trouble code request. Check that "
                       "the ignition is on and try again."));
      return NULL;
    }

  /* Legacy ECUs interleave their messages on the bus; group the codes by
   * ECU in order of first answer while keeping each ECU's own order. */
  sorted = g_array_sized_new (FALSE, FALSE, sizeof (ObdDtc), codes->len);
  for (guint e = 0; e < ecus->len; e++)
    {
      guint32 ecu = g_array_index (ecus, guint32, e);

      for (guint i = 0; i < codes->len; i++)
        if (g_array_index (codes, ObdDtc, i).ecu == ecu)
          g_array_append_val (sorted, g_array_index (codes, ObdDtc, i));
    }

  if (out_ecus != NULL)
    *out_ecus = g_steal_pointer (&ecus);
  return g_steal_pointer (&sorted);
}

gboolean
obd_dtc_parse_freeze_frame (const guint8 *data,
                            gsize         len,
                            guint16      *out_raw,
                            char          code[6],
                            GError      **error)
{
  guint16 raw;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len != 2)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The freeze frame trouble code has %u bytes instead of 2."), (guint) len);
      return FALSE;
    }

  raw = (guint16) ((data[0] << 8) | data[1]);
  if (out_raw != NULL)
    *out_raw = raw;
  if (code != NULL)
    {
      /* SAE J1979 PID 02: 0000 means no freeze frame is stored. */
      if (raw == 0)
        code[0] = '\0';
      else
        obd_dtc_format (raw, code);
    }
  return TRUE;
}

gboolean
obd_dtc_check_clear_reply (const ObdResponse *response,
                           GArray           **out_ecus,
                           GError           **error)
{
  g_autoptr(GArray) ecus = NULL;
  gboolean refused = FALSE;
  guint32 refused_ecu = 0;
  guint8 nrc = 0;

  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ecus = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; response->messages != NULL && i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);

      if (msg->len >= 1 && msg->data[0] == (OBD_SERVICE_CLEAR | 0x40))
        ecus_add_unique (ecus, msg->ecu);
      else if (msg->len >= 3 && msg->data[0] == OBD_SERVICE_NEGATIVE &&
               msg->data[1] == OBD_SERVICE_CLEAR && !refused)
        {
          refused = TRUE;
          refused_ecu = msg->ecu;
          nrc = msg->data[2];
        }
    }

  if (out_ecus != NULL)
    *out_ecus = g_array_ref (ecus);

  if (refused)
    {
      /* J1979 Mode 04: ECUs answer 0x22 "conditions not correct" when the
       * engine is running; the fix is always the same. */
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,
                   _("Control unit %X refused to clear the trouble codes (%s). Switch the "
                     "engine off, leave the ignition on and try again."),
                   refused_ecu, obd_elm_nrc_to_string (nrc));
      return FALSE;
    }

  if (ecus->len == 0)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("No control unit confirmed that the trouble codes were cleared. "
                     "Check that the ignition is on and try again."));
      return FALSE;
    }

  return TRUE;
}
