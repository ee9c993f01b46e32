/* obd-mode09.c — vehicle information (Mode 09)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-mode09.h"

#define MODE09_REPLY       0x49
#define NEGATIVE_RESPONSE  0x7F
#define LEGACY_CHUNK       4     /* data bytes per legacy message */
#define VIN_LEN            17
#define CALID_LEN          16
#define CVN_LEN            4
#define ECU_NAME_LEN       20

typedef struct
{
  const char *key;
  const char *label;
} CounterName;

/* SAE J1979 InfoType 08, spark ignition: 16 counters originally, 20 with
 * the secondary oxygen sensors, 28 with the air/fuel imbalance and
 * gasoline particulate filter monitors. */
static const CounterName ipt_spark[] = {
  { "OBDCOND",   N_("OBD monitoring conditions encountered") },
  { "IGNCNTR",   N_("Ignition cycles") },
  { "CATCOMP1",  N_("Catalyst monitor completions, bank 1") },
  { "CATCOND1",  N_("Catalyst monitor conditions encountered, bank 1") },
  { "CATCOMP2",  N_("Catalyst monitor completions, bank 2") },
  { "CATCOND2",  N_("Catalyst monitor conditions encountered, bank 2") },
  { "O2SCOMP1",  N_("Oxygen sensor monitor completions, bank 1") },
  { "O2SCOND1",  N_("Oxygen sensor monitor conditions encountered, bank 1") },
  { "O2SCOMP2",  N_("Oxygen sensor monitor completions, bank 2") },
  { "O2SCOND2",  N_("Oxygen sensor monitor conditions encountered, bank 2") },
  { "EGRCOMP",   N_("EGR/VVT monitor completions") },
  { "EGRCOND",   N_("EGR/VVT monitor conditions encountered") },
  { "AIRCOMP",   N_("Secondary air monitor completions") },
  { "AIRCOND",   N_("Secondary air monitor conditions encountered") },
  { "EVAPCOMP",  N_("EVAP monitor completions") },
  { "EVAPCOND",  N_("EVAP monitor conditions encountered") },
  { "SO2SCOMP1", N_("Secondary oxygen sensor monitor completions, bank 1") },
  { "SO2SCOND1", N_("Secondary oxygen sensor monitor conditions encountered, bank 1") },
  { "SO2SCOMP2", N_("Secondary oxygen sensor monitor completions, bank 2") },
  { "SO2SCOND2", N_("Secondary oxygen sensor monitor conditions encountered, bank 2") },
  { "AFRICOMP1", N_("Air/fuel imbalance monitor completions, bank 1") },
  { "AFRICOND1", N_("Air/fuel imbalance monitor conditions encountered, bank 1") },
  { "AFRICOMP2", N_("Air/fuel imbalance monitor completions, bank 2") },
  { "AFRICOND2", N_("Air/fuel imbalance monitor conditions encountered, bank 2") },
  { "PFCOMP1",   N_("Particulate filter monitor completions, bank 1") },
  { "PFCOND1",   N_("Particulate filter monitor conditions encountered, bank 1") },
  { "PFCOMP2",   N_("Particulate filter monitor completions, bank 2") },
  { "PFCOND2",   N_("Particulate filter monitor conditions encountered, bank 2") },
};

/* SAE J1979 InfoType 0B, compression ignition: 16 counters, 18 with the
 * fuel monitor. */
static const CounterName ipt_compression[] = {
  { "OBDCOND",   N_("OBD monitoring conditions encountered") },
  { "IGNCNTR",   N_("Ignition cycles") },
  { "HCCATCOMP", N_("NMHC catalyst monitor completions") },
  { "HCCATCOND", N_("NMHC catalyst monitor conditions encountered") },
  { "NCATCOMP",  N_("NOx/SCR catalyst monitor completions") },
  { "NCATCOND",  N_("NOx/SCR catalyst monitor conditions encountered") },
  { "NADSCOMP",  N_("NOx adsorber monitor completions") },
  { "NADSCOND",  N_("NOx adsorber monitor conditions encountered") },
  { "PMCOMP",    N_("PM filter monitor completions") },
  { "PMCOND",    N_("PM filter monitor conditions encountered") },
  { "EGSCOMP",   N_("Exhaust gas sensor monitor completions") },
  { "EGSCOND",   N_("Exhaust gas sensor monitor conditions encountered") },
  { "EGRCOMP",   N_("EGR/VVT monitor completions") },
  { "EGRCOND",   N_("EGR/VVT monitor conditions encountered") },
  { "BPCOMP",    N_("Boost pressure monitor completions") },
  { "BPCOND",    N_("Boost pressure monitor conditions encountered") },
  { "FUELCOMP",  N_("Fuel monitor completions") },
  { "FUELCOND",  N_("Fuel monitor conditions encountered") },
};

void
obd_info_record_free (ObdInfoRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->vin);
  g_clear_pointer (&record->strings, g_ptr_array_unref);
  g_clear_pointer (&record->counters, g_array_unref);
  g_free (record->text);
  g_free (record->ecu_acronym);
  g_free (record->ecu_name);
  g_free (record);
}

static gboolean
infotype_get_kind (guint8       infotype,
                   ObdInfoKind *out_kind)
{
  if ((infotype & 0x1F) == 0)
    {
      *out_kind = OBD_INFO_KIND_SUPPORTED;
      return TRUE;
    }
  switch (infotype)
    {
    case 0x01: case 0x03: case 0x05: case 0x07: case 0x09:
      *out_kind = OBD_INFO_KIND_COUNT;
      return TRUE;
    case 0x02:
      *out_kind = OBD_INFO_KIND_VIN;
      return TRUE;
    case 0x04:
      *out_kind = OBD_INFO_KIND_CALIBRATION_IDS;
      return TRUE;
    case 0x06:
      *out_kind = OBD_INFO_KIND_CVNS;
      return TRUE;
    case 0x08: case 0x0B:
      *out_kind = OBD_INFO_KIND_PERFORMANCE;
      return TRUE;
    case 0x0A:
      *out_kind = OBD_INFO_KIND_ECU_NAME;
      return TRUE;
    default:
      return FALSE;
    }
}

const char *
obd_mode09_get_infotype_name (guint8 infotype)
{
  switch (infotype)
    {
    case 0x01: return _("VIN message count");
    case 0x02: return _("Vehicle identification number");
    case 0x03: return _("Calibration ID message count");
    case 0x04: return _("Calibration IDs");
    case 0x05: return _("Calibration verification number message count");
    case 0x06: return _("Calibration verification numbers");
    case 0x07: return _("In-use performance tracking message count");
    case 0x08: return _("In-use performance tracking (spark ignition)");
    case 0x09: return _("ECU name message count");
    case 0x0A: return _("ECU name");
    case 0x0B: return _("In-use performance tracking (compression ignition)");
    default:   break;
    }
  if ((infotype & 0x1F) == 0)
    return _("Supported information types");
  return _("Unknown information type");
}

const char *
obd_mode09_get_infotype_key (guint8 infotype)
{
  static const char *const supported_keys[] = {
    "supported_00", "supported_20", "supported_40", "supported_60",
    "supported_80", "supported_a0", "supported_c0", "supported_e0",
  };

  switch (infotype)
    {
    case 0x01: return "vin_count";
    case 0x02: return "vin";
    case 0x03: return "calibration_id_count";
    case 0x04: return "calibration_ids";
    case 0x05: return "cvn_count";
    case 0x06: return "cvns";
    case 0x07: return "ipt_count";
    case 0x08: return "ipt_spark";
    case 0x09: return "ecu_name_count";
    case 0x0A: return "ecu_name";
    case 0x0B: return "ipt_compression";
    default:   break;
    }
  if ((infotype & 0x1F) == 0)
    return supported_keys[infotype >> 5];
  return "unknown";
}

gboolean
obd_mode09_record_supports (const ObdInfoRecord *record,
                            guint8               infotype)
{
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->kind == OBD_INFO_KIND_SUPPORTED, FALSE);

  if (infotype <= record->infotype || infotype > record->infotype + 0x20)
    return FALSE;
  return (record->bitmap >> (31 - (infotype - record->infotype - 1))) & 1;
}

/* One ECU's legacy messages, collected before they are put in order. */
typedef struct
{
  guint32     ecu;
  GByteArray *data;       /* the chunks in message-number order */
  GArray     *sequence;   /* guint8 message numbers as they came */
  GByteArray *chunks;     /* LEGACY_CHUNK bytes per message, as they came */
} EcuData;

static void
ecu_data_free (EcuData *d)
{
  g_byte_array_unref (d->data);
  g_array_unref (d->sequence);
  g_byte_array_unref (d->chunks);
  g_free (d);
}

static EcuData *
ecu_data_get (GPtrArray *list,
              guint32    ecu)
{
  EcuData *d;

  for (guint i = 0; i < list->len; i++)
    {
      d = g_ptr_array_index (list, i);
      if (d->ecu == ecu)
        return d;
    }

  d = g_new0 (EcuData, 1);
  d->ecu = ecu;
  d->data = g_byte_array_new ();
  d->sequence = g_array_new (FALSE, FALSE, sizeof (guint8));
  d->chunks = g_byte_array_new ();
  g_ptr_array_add (list, d);
  return d;
}

G_GNUC_PRINTF (3, 4)
static void
set_malformed (GError    **error,
               guint32     ecu,
               const char *format,
               ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
               _("The vehicle information from ECU %X cannot be read: %s"), ecu, detail);
}

/* Puts the legacy messages of one ECU in order: J1979 numbers them 1..n
 * and a scan tool must not assume they arrive in that order. */
static gboolean
assemble_legacy (EcuData  *d,
                 GError  **error)
{
  guint n = d->sequence->len;

  for (guint want = 1; want <= n; want++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < n; i++)
        {
          if (g_array_index (d->sequence, guint8, i) != want)
            continue;
          if (found)
            {
              set_malformed (error, d->ecu, _("message %u came twice."), want);
              return FALSE;
            }
          found = TRUE;
          g_byte_array_append (d->data, d->chunks->data + i * LEGACY_CHUNK, LEGACY_CHUNK);
        }
      if (!found)
        {
          set_malformed (error, d->ecu, _("message %u of %u is missing."), want, n);
          return FALSE;
        }
    }
  return TRUE;
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

/* Text fields (VIN, CALID, ECU name) are ASCII padded with NUL bytes. */
static char *
take_text (const guint8 *data,
           gsize         len,
           gboolean      allow_padding,
           GError      **error,
           guint32       ecu,
           const char   *what)
{
  gsize end = len;

  if (allow_padding)
    while (end > 0 && data[end - 1] == 0)
      end--;

  for (gsize i = 0; i < end; i++)
    if (data[i] < 0x20 || data[i] > 0x7E)
      {
        set_malformed (error, ecu, _("the %s contains the unprintable byte 0x%02X."),
                       what, data[i]);
        return NULL;
      }
  return g_strndup ((const char *) data, end);
}

static gboolean
decode_vin (ObdInfoRecord *record,
            const guint8  *data,
            gsize          len,
            GError       **error)
{
  /* Legacy buses send 20 bytes, the first three 00 so the 17 characters
   * fill five 4-byte messages; some CAN ECUs copy that padding. */
  if (len == VIN_LEN + 3 && all_zero (data, 3))
    {
      data += 3;
      len -= 3;
    }
  if (len != VIN_LEN)
    {
      set_malformed (error, record->ecu, _("a VIN has 17 characters, not %u."), (guint) len);
      return FALSE;
    }
  if (all_zero (data, len))
    {
      set_malformed (error, record->ecu, _("no VIN is programmed."));
      return FALSE;
    }
  record->vin = take_text (data, len, FALSE, error, record->ecu, _("VIN"));
  return record->vin != NULL;
}

static gboolean
decode_items (ObdInfoRecord *record,
              const guint8  *data,
              gsize          len,
              guint          n_items,
              GError       **error)
{
  switch (record->kind)
    {
    case OBD_INFO_KIND_CALIBRATION_IDS:
      if (len != (gsize) n_items * CALID_LEN || n_items == 0)
        {
          set_malformed (error, record->ecu,
                         _("calibration IDs take 16 bytes each, %u bytes came."), (guint) len);
          return FALSE;
        }
      record->strings = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n_items; i++)
        {
          char *calid = take_text (data + i * CALID_LEN, CALID_LEN, TRUE, error, record->ecu,
                                   _("calibration ID"));

          if (calid == NULL)
            return FALSE;
          g_ptr_array_add (record->strings, calid);
        }
      return TRUE;

    case OBD_INFO_KIND_CVNS:
      if (len != (gsize) n_items * CVN_LEN || n_items == 0)
        {
          set_malformed (error, record->ecu,
                         _("calibration verification numbers take 4 bytes each, %u bytes "
                           "came."), (guint) len);
          return FALSE;
        }
      record->strings = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n_items; i++)
        {
          const guint8 *p = data + i * CVN_LEN;

          g_ptr_array_add (record->strings,
                           g_strdup_printf ("%02X%02X%02X%02X", p[0], p[1], p[2], p[3]));
        }
      return TRUE;

    case OBD_INFO_KIND_PERFORMANCE:
      {
        const CounterName *names = record->infotype == 0x08 ? ipt_spark : ipt_compression;
        guint n_names = record->infotype == 0x08 ? G_N_ELEMENTS (ipt_spark)
                                                 : G_N_ELEMENTS (ipt_compression);

        if (len != (gsize) n_items * 2 || n_items == 0 || n_items > n_names)
          {
            set_malformed (error, record->ecu,
                           _("%u bytes do not make a list of performance counters."),
                           (guint) len);
            return FALSE;
          }
        record->counters = g_array_sized_new (FALSE, FALSE, sizeof (ObdIptCounter), n_items);
        for (guint i = 0; i < n_items; i++)
          {
            ObdIptCounter c;

            c.key = names[i].key;
            c.label = _(names[i].label);
            c.value = (guint) ((data[2 * i] << 8) | data[2 * i + 1]);
            g_array_append_val (record->counters, c);
          }
        return TRUE;
      }

    case OBD_INFO_KIND_ECU_NAME:
      {
        gsize dash = 0;

        if (len != ECU_NAME_LEN || n_items != 1)
          {
            set_malformed (error, record->ecu, _("an ECU name has 20 bytes, not %u."),
                           (guint) len);
            return FALSE;
          }
        /* J1979 InfoType 0A: a 4-byte acronym (NUL-padded), '-', then a
         * 15-byte name (NUL-padded). */
        while (dash < 5 && data[dash] != '-')
          dash++;
        if (dash == 5 || dash == 0)
          {
            set_malformed (error, record->ecu, _("the ECU name has no acronym."));
            return FALSE;
          }
        record->ecu_acronym = take_text (data, dash, TRUE, error, record->ecu, _("ECU name"));
        if (record->ecu_acronym == NULL)
          return FALSE;
        if (record->ecu_acronym[0] == '\0')
          {
            set_malformed (error, record->ecu, _("the ECU name has no acronym."));
            return FALSE;
          }
        record->ecu_name = take_text (data + dash + 1, len - dash - 1, TRUE, error,
                                      record->ecu, _("ECU name"));
        if (record->ecu_name == NULL)
          return FALSE;
        record->text = g_strconcat (record->ecu_acronym, "-", record->ecu_name, NULL);
        return TRUE;
      }

    case OBD_INFO_KIND_VIN:
      if (n_items != 1)
        {
          set_malformed (error, record->ecu, _("%u VINs in one answer."), n_items);
          return FALSE;
        }
      return decode_vin (record, data, len, error);

    case OBD_INFO_KIND_SUPPORTED:
    case OBD_INFO_KIND_COUNT:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Single-message answers: bitmaps and message counts. */
static ObdInfoRecord *
parse_simple (const ObdMessage *msg,
              guint8            infotype,
              ObdInfoKind       kind,
              gboolean          can,
              GError          **error)
{
  g_autoptr(ObdInfoRecord) record = g_new0 (ObdInfoRecord, 1);

  record->ecu = msg->ecu;
  record->infotype = infotype;
  record->kind = kind;

  if (kind == OBD_INFO_KIND_COUNT)
    {
      if (msg->len != 3)
        {
          set_malformed (error, msg->ecu, _("a message count takes 1 byte, %u came."),
                         (guint) msg->len - 2);
          return NULL;
        }
      record->count = msg->data[2];
    }
  else
    {
      /* Legacy buses put a message count (always 1) before the bitmap. */
      gsize offset = can ? 2 : 3;

      if (msg->len != offset + 4 || (!can && msg->data[2] != 1))
        {
          set_malformed (error, msg->ecu, _("a support bitmap takes 4 bytes, %u came."),
                         (guint) (msg->len >= offset ? msg->len - offset : 0));
          return NULL;
        }
      record->bitmap = ((guint32) msg->data[offset] << 24) |
                       ((guint32) msg->data[offset + 1] << 16) |
                       ((guint32) msg->data[offset + 2] << 8) |
                       msg->data[offset + 3];
    }
  return g_steal_pointer (&record);
}

GPtrArray *
obd_mode09_parse (const ObdResponse *response,
                  guint8             infotype,
                  gboolean           can,
                  GError           **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) per_ecu = NULL;
  ObdInfoKind kind;
  gboolean refused = FALSE;
  guint8 nrc = 0;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!infotype_get_kind (infotype, &kind))
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("Vehicle information type 0x%02X is not supported by this program."),
                   infotype);
      return NULL;
    }

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_info_record_free);
  per_ecu = g_ptr_array_new_with_free_func ((GDestroyNotify) ecu_data_free);

  for (guint i = 0; response->messages != NULL && i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);
      EcuData *d;

      if (msg->len == 0)
        continue;
      if (msg->data[0] == NEGATIVE_RESPONSE)
        {
          if (msg->len >= 3 && msg->data[1] == 0x09)
            {
              refused = TRUE;
              nrc = msg->data[2];
            }
          continue;
        }
      if (msg->data[0] != MODE09_REPLY || msg->len < 2 || msg->data[1] != infotype)
        continue;

      if (kind == OBD_INFO_KIND_SUPPORTED || kind == OBD_INFO_KIND_COUNT)
        {
          ObdInfoRecord *record = parse_simple (msg, infotype, kind, can, error);

          if (record == NULL)
            return NULL;
          g_ptr_array_add (records, record);
          continue;
        }

      if (msg->len < 3)
        {
          set_malformed (error, msg->ecu, _("the answer is empty."));
          return NULL;
        }

      if (can)
        {
          /* ISO 15765-4: one reassembled message holds everything, NODI
           * first.  Each message is decoded on its own, so ECUs stay apart
           * even with headers off, when every message has ECU 0. */
          g_autoptr(ObdInfoRecord) record = g_new0 (ObdInfoRecord, 1);

          record->ecu = msg->ecu;
          record->infotype = infotype;
          record->kind = kind;
          if (!decode_items (record, msg->data + 3, msg->len - 3, msg->data[2], error))
            return NULL;
          g_ptr_array_add (records, g_steal_pointer (&record));
        }
      else
        {
          guint8 seq = msg->data[2];

          if (msg->len != 3 + LEGACY_CHUNK || seq == 0)
            {
              set_malformed (error, msg->ecu,
                             _("a message has %u data bytes instead of 4."),
                             (guint) msg->len - 3);
              return NULL;
            }
          d = ecu_data_get (per_ecu, msg->ecu);
          g_array_append_val (d->sequence, seq);
          g_byte_array_append (d->chunks, msg->data + 3, LEGACY_CHUNK);
        }
    }

  for (guint i = 0; i < per_ecu->len; i++)
    {
      EcuData *d = g_ptr_array_index (per_ecu, i);
      g_autoptr(ObdInfoRecord) record = g_new0 (ObdInfoRecord, 1);
      guint n_items;

      record->ecu = d->ecu;
      record->infotype = infotype;
      record->kind = kind;

      if (!assemble_legacy (d, error))
        return NULL;
      /* Legacy answers carry no item count: it follows from the length,
       * the VIN and the ECU name being single items. */
      switch (kind)
        {
        case OBD_INFO_KIND_CALIBRATION_IDS: n_items = d->data->len / CALID_LEN; break;
        case OBD_INFO_KIND_CVNS:            n_items = d->data->len / CVN_LEN;   break;
        case OBD_INFO_KIND_PERFORMANCE:     n_items = d->data->len / 2;         break;
        case OBD_INFO_KIND_VIN:
        case OBD_INFO_KIND_ECU_NAME:
        case OBD_INFO_KIND_SUPPORTED:
        case OBD_INFO_KIND_COUNT:
        default:                            n_items = 1;                        break;
        }

      if (!decode_items (record, d->data->data, d->data->len, n_items, error))
        return NULL;
      g_ptr_array_add (records, g_steal_pointer (&record));
    }

  if (records->len == 0)
    {
      if (refused)
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,
                     _("The vehicle refused to report “%s”: %s."),
                     obd_mode09_get_infotype_name (infotype), obd_elm_nrc_to_string (nrc));
      else
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                     _("The vehicle did not report “%s”."),
                     obd_mode09_get_infotype_name (infotype));
      return NULL;
    }

  return g_steal_pointer (&records);
}

char *
obd_mode09_parse_vin (const ObdResponse *response,
                      gboolean           can,
                      guint32           *out_ecu,
                      GError           **error)
{
  g_autoptr(GPtrArray) records = NULL;
  ObdInfoRecord *first;

  records = obd_mode09_parse (response, 0x02, can, error);
  if (records == NULL)
    return NULL;

  first = g_ptr_array_index (records, 0);
  if (out_ecu != NULL)
    *out_ecu = first->ecu;
  return g_steal_pointer (&first->vin);
}
