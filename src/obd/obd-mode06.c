/* obd-mode06.c — on-board monitoring test results (Mode 06)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-mode06.h"

#define MODE06_REPLY       0x46
#define NEGATIVE_RESPONSE  0x7F
#define RECORD_LEN         9   /* MID TID UASID value min max */
#define SUPPORT_LEN        5   /* MID bitmap */

typedef struct
{
  guint8      id;
  gboolean    is_signed;
  double      scale;
  double      offset;
  ObdUnit     unit;
  const char *symbol;
} UasInfo;

/* SAE J1979 Appendix E / ISO 15031-5 Annex E: unsigned IDs 0x01-0x7F,
 * two's-complement IDs 0x81-0xFE.  The scaling is per bit of the 16-bit
 * value; where the project's ObdUnit has no such unit the quantity keeps
 * OBD_UNIT_NONE and carries its symbol here. */
static const UasInfo uas_table[] = {
  { 0x01, FALSE, 1.0,           0.0,     OBD_UNIT_NONE,           "" },
  { 0x02, FALSE, 0.1,           0.0,     OBD_UNIT_NONE,           "" },
  { 0x03, FALSE, 0.01,          0.0,     OBD_UNIT_NONE,           "" },
  { 0x04, FALSE, 0.001,         0.0,     OBD_UNIT_NONE,           "" },
  { 0x05, FALSE, 0.0000305,     0.0,     OBD_UNIT_NONE,           "" },
  { 0x06, FALSE, 0.000305,      0.0,     OBD_UNIT_NONE,           "" },
  { 0x07, FALSE, 0.25,          0.0,     OBD_UNIT_RPM,            "rpm" },
  { 0x08, FALSE, 0.01,          0.0,     OBD_UNIT_KMH,            "km/h" },
  { 0x09, FALSE, 1.0,           0.0,     OBD_UNIT_KMH,            "km/h" },
  { 0x0A, FALSE, 0.122,         0.0,     OBD_UNIT_MILLIVOLT,      "mV" },
  { 0x0B, FALSE, 0.001,         0.0,     OBD_UNIT_VOLT,           "V" },
  { 0x0C, FALSE, 0.01,          0.0,     OBD_UNIT_VOLT,           "V" },
  { 0x0D, FALSE, 0.00390625,    0.0,     OBD_UNIT_MILLIAMP,       "mA" },
  { 0x0E, FALSE, 0.001,         0.0,     OBD_UNIT_AMP,            "A" },
  { 0x0F, FALSE, 0.01,          0.0,     OBD_UNIT_AMP,            "A" },
  { 0x10, FALSE, 1.0,           0.0,     OBD_UNIT_MILLISECOND,    "ms" },
  { 0x11, FALSE, 100.0,         0.0,     OBD_UNIT_MILLISECOND,    "ms" },
  { 0x12, FALSE, 1.0,           0.0,     OBD_UNIT_SECOND,         "s" },
  { 0x13, FALSE, 1.0,           0.0,     OBD_UNIT_NONE,           "mΩ" },
  { 0x14, FALSE, 1.0,           0.0,     OBD_UNIT_OHM,            "Ω" },
  { 0x15, FALSE, 1.0,           0.0,     OBD_UNIT_NONE,           "kΩ" },
  { 0x16, FALSE, 0.1,           -40.0,   OBD_UNIT_CELSIUS,        "°C" },
  { 0x17, FALSE, 0.01,          0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0x18, FALSE, 0.0117,        0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0x19, FALSE, 0.079,         0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0x1A, FALSE, 1.0,           0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0x1B, FALSE, 10.0,          0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0x1C, FALSE, 0.01,          0.0,     OBD_UNIT_DEGREE,         "°" },
  { 0x1D, FALSE, 0.5,           0.0,     OBD_UNIT_DEGREE,         "°" },
  { 0x1E, FALSE, 0.0000305,     0.0,     OBD_UNIT_RATIO,          "" },  /* lambda */
  { 0x1F, FALSE, 0.05,          0.0,     OBD_UNIT_RATIO,          "" },  /* air/fuel */
  { 0x20, FALSE, 0.00390625,    0.0,     OBD_UNIT_RATIO,          "" },
  { 0x21, FALSE, 1.0,           0.0,     OBD_UNIT_NONE,           "mHz" },
  { 0x22, FALSE, 1.0,           0.0,     OBD_UNIT_HERTZ,          "Hz" },
  { 0x23, FALSE, 1.0,           0.0,     OBD_UNIT_NONE,           "kHz" },
  { 0x24, FALSE, 1.0,           0.0,     OBD_UNIT_COUNT,          "" },
  { 0x25, FALSE, 1.0,           0.0,     OBD_UNIT_KM,             "km" },
  { 0x26, FALSE, 0.1,           0.0,     OBD_UNIT_NONE,           "mV/ms" },
  { 0x27, FALSE, 0.01,          0.0,     OBD_UNIT_GRAMS_PER_SEC,  "g/s" },
  { 0x28, FALSE, 1.0,           0.0,     OBD_UNIT_GRAMS_PER_SEC,  "g/s" },
  { 0x29, FALSE, 0.25,          0.0,     OBD_UNIT_NONE,           "Pa/s" },
  { 0x2A, FALSE, 0.001,         0.0,     OBD_UNIT_KG_PER_HOUR,    "kg/h" },
  { 0x2B, FALSE, 1.0,           0.0,     OBD_UNIT_COUNT,          "" },  /* switches */
  { 0x2C, FALSE, 0.01,          0.0,     OBD_UNIT_NONE,           "g/cyl" },
  { 0x2D, FALSE, 0.01,          0.0,     OBD_UNIT_MG_PER_STROKE,  "mg/stroke" },
  { 0x2E, FALSE, 1.0,           0.0,     OBD_UNIT_NONE,           "" },  /* true/false */
  { 0x2F, FALSE, 0.01,          0.0,     OBD_UNIT_PERCENT,        "%" },
  { 0x30, FALSE, 0.001526,      0.0,     OBD_UNIT_PERCENT,        "%" },
  { 0x31, FALSE, 0.001,         0.0,     OBD_UNIT_NONE,           "L" },
  { 0x32, FALSE, 0.0007747,     0.0,     OBD_UNIT_NONE,           "mm" },  /* 0.0000305 in */
  { 0x33, FALSE, 0.00024414,    0.0,     OBD_UNIT_RATIO,          "" },
  { 0x34, FALSE, 1.0,           0.0,     OBD_UNIT_MINUTE,         "min" },
  { 0x35, FALSE, 10.0,          0.0,     OBD_UNIT_MILLISECOND,    "ms" },
  { 0x36, FALSE, 0.01,          0.0,     OBD_UNIT_GRAMS,          "g" },
  { 0x37, FALSE, 0.1,           0.0,     OBD_UNIT_GRAMS,          "g" },
  { 0x38, FALSE, 1.0,           0.0,     OBD_UNIT_GRAMS,          "g" },
  { 0x39, FALSE, 0.01,          -327.68, OBD_UNIT_PERCENT,        "%" },
  { 0x3A, FALSE, 0.001,         0.0,     OBD_UNIT_GRAMS,          "g" },
  { 0x3B, FALSE, 0.0001,        0.0,     OBD_UNIT_GRAMS,          "g" },
  { 0x3C, FALSE, 0.1,           0.0,     OBD_UNIT_NONE,           "µs" },
  { 0x3D, FALSE, 0.01,          0.0,     OBD_UNIT_MILLIAMP,       "mA" },
  { 0x3E, FALSE, 0.00006103516, 0.0,     OBD_UNIT_NONE,           "mm²" },
  { 0x3F, FALSE, 0.01,          0.0,     OBD_UNIT_NONE,           "L" },
  { 0x40, FALSE, 1.0,           0.0,     OBD_UNIT_PPM,            "ppm" },
  { 0x41, FALSE, 0.01,          0.0,     OBD_UNIT_NONE,           "µA" },

  { 0x81, TRUE,  1.0,           0.0,     OBD_UNIT_NONE,           "" },
  { 0x82, TRUE,  0.1,           0.0,     OBD_UNIT_NONE,           "" },
  { 0x83, TRUE,  0.01,          0.0,     OBD_UNIT_NONE,           "" },
  { 0x84, TRUE,  0.001,         0.0,     OBD_UNIT_NONE,           "" },
  { 0x85, TRUE,  0.0000305,     0.0,     OBD_UNIT_NONE,           "" },
  { 0x86, TRUE,  0.000305,      0.0,     OBD_UNIT_NONE,           "" },
  { 0x87, TRUE,  1.0,           0.0,     OBD_UNIT_PPM,            "ppm" },
  { 0x8A, TRUE,  0.122,         0.0,     OBD_UNIT_MILLIVOLT,      "mV" },
  { 0x8B, TRUE,  0.001,         0.0,     OBD_UNIT_VOLT,           "V" },
  { 0x8C, TRUE,  0.01,          0.0,     OBD_UNIT_VOLT,           "V" },
  { 0x8D, TRUE,  0.00390625,    0.0,     OBD_UNIT_MILLIAMP,       "mA" },
  { 0x8E, TRUE,  0.001,         0.0,     OBD_UNIT_AMP,            "A" },
  { 0x90, TRUE,  1.0,           0.0,     OBD_UNIT_MILLISECOND,    "ms" },
  { 0x96, TRUE,  0.1,           0.0,     OBD_UNIT_CELSIUS,        "°C" },
  { 0x99, TRUE,  0.1,           0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0x9C, TRUE,  0.01,          0.0,     OBD_UNIT_DEGREE,         "°" },
  { 0x9D, TRUE,  0.5,           0.0,     OBD_UNIT_DEGREE,         "°" },
  { 0xA8, TRUE,  1.0,           0.0,     OBD_UNIT_GRAMS_PER_SEC,  "g/s" },
  { 0xA9, TRUE,  0.25,          0.0,     OBD_UNIT_NONE,           "Pa/s" },
  { 0xAD, TRUE,  0.01,          0.0,     OBD_UNIT_MG_PER_STROKE,  "mg/stroke" },
  { 0xAE, TRUE,  0.1,           0.0,     OBD_UNIT_MG_PER_STROKE,  "mg/stroke" },
  { 0xAF, TRUE,  0.01,          0.0,     OBD_UNIT_PERCENT,        "%" },
  { 0xB0, TRUE,  0.003052,      0.0,     OBD_UNIT_PERCENT,        "%" },
  { 0xB1, TRUE,  2.0,           0.0,     OBD_UNIT_NONE,           "mV/s" },
  { 0xFC, TRUE,  0.01,          0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0xFD, TRUE,  0.001,         0.0,     OBD_UNIT_KPA,            "kPa" },
  { 0xFE, TRUE,  0.25,          0.0,     OBD_UNIT_PA,             "Pa" },
};

static const UasInfo *
lookup_uas (guint8 uasid)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uas_table); i++)
    if (uas_table[i].id == uasid)
      return &uas_table[i];
  return NULL;
}

/* The raw number as the UASID reads it: IDs with bit 7 set are two's
 * complement, also when the ID itself is undefined. */
static double
raw_number (guint8  uasid,
            guint16 raw)
{
  if (uasid & 0x80)
    return (double) (gint16) raw;
  return (double) raw;
}

gboolean
obd_mode06_scale (guint8       uasid,
                  guint16      raw,
                  double      *out_value,
                  ObdUnit     *out_unit,
                  const char **out_symbol)
{
  const UasInfo *uas = lookup_uas (uasid);
  double number = raw_number (uasid, raw);

  if (uas == NULL)
    {
      if (out_value != NULL)
        *out_value = number;
      if (out_unit != NULL)
        *out_unit = OBD_UNIT_NONE;
      if (out_symbol != NULL)
        *out_symbol = "";
      return FALSE;
    }

  if (out_value != NULL)
    *out_value = number * uas->scale + uas->offset;
  if (out_unit != NULL)
    *out_unit = uas->unit;
  if (out_symbol != NULL)
    *out_symbol = uas->symbol;
  return TRUE;
}

/* Translated names built from a pattern are interned: they are few (at most
 * 256 per pattern and language) and callers keep them in plain structs. */
G_GNUC_PRINTF (1, 2)
static const char *
intern_printf (const char *format,
               ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return g_intern_string (text);
}

const char *
obd_mode06_get_mid_name (guint8 mid)
{
  /* SAE J1979 Appendix D / ISO 15031-5 Annex D. */
  if ((mid & 0x1F) == 0)
    return intern_printf (_("Supported monitors 0x%02X-0x%02X"), mid + 1u,
                          MIN (mid + 0x20u, 0xFFu));
  if (mid >= 0x01 && mid <= 0x10)
    return intern_printf (_("Oxygen Sensor Monitor Bank %u - Sensor %u"),
                          (mid - 0x01u) / 4 + 1, (mid - 0x01u) % 4 + 1);
  if (mid >= 0x21 && mid <= 0x24)
    return intern_printf (_("Catalyst Monitor Bank %u"), mid - 0x20u);
  if (mid >= 0x31 && mid <= 0x34)
    return intern_printf (_("EGR Monitor Bank %u"), mid - 0x30u);
  if (mid >= 0x35 && mid <= 0x38)
    return intern_printf (_("VVT Monitor Bank %u"), mid - 0x34u);
  switch (mid)
    {
    case 0x39: return _("EVAP Monitor (Cap Off / 0.150\")");
    case 0x3A: return _("EVAP Monitor (0.090\")");
    case 0x3B: return _("EVAP Monitor (0.040\")");
    case 0x3C: return _("EVAP Monitor (0.020\")");
    case 0x3D: return _("Purge Flow Monitor");
    case 0xA1: return _("Misfire Monitor General Data");
    default:   break;
    }
  if (mid >= 0x41 && mid <= 0x50)
    return intern_printf (_("Oxygen Sensor Heater Monitor Bank %u - Sensor %u"),
                          (mid - 0x41u) / 4 + 1, (mid - 0x41u) % 4 + 1);
  if (mid >= 0x61 && mid <= 0x64)
    return intern_printf (_("Heated Catalyst Monitor Bank %u"), mid - 0x60u);
  if (mid >= 0x71 && mid <= 0x74)
    return intern_printf (_("Secondary Air Monitor %u"), mid - 0x70u);
  if (mid >= 0x81 && mid <= 0x84)
    return intern_printf (_("Fuel System Monitor Bank %u"), mid - 0x80u);
  if (mid >= 0x85 && mid <= 0x86)
    return intern_printf (_("Boost Pressure Control Monitor Bank %u"), mid - 0x84u);
  if (mid >= 0x90 && mid <= 0x91)
    return intern_printf (_("NOx Adsorber Monitor Bank %u"), mid - 0x8Fu);
  if (mid >= 0x98 && mid <= 0x99)
    return intern_printf (_("NOx/SCR Catalyst Monitor Bank %u"), mid - 0x97u);
  if (mid >= 0xA2 && mid <= 0xAD)
    return intern_printf (_("Misfire Cylinder %u Data"), mid - 0xA1u);
  if (mid >= 0xB0 && mid <= 0xB1)
    return intern_printf (_("PM Filter Monitor Bank %u"), mid - 0xAFu);
  if (mid >= 0xE1)
    return intern_printf (_("Manufacturer-defined monitor 0x%02X"), mid);
  return intern_printf (_("Reserved monitor 0x%02X"), mid);
}

const char *
obd_mode06_get_tid_name (guint8 mid,
                         guint8 tid)
{
  /* SAE J1979 Appendix F: standardised test IDs.  01-0A describe oxygen
   * sensor tests, 0B-0C the misfire counters. */
  switch (tid)
    {
    case 0x01: return _("Rich to lean sensor threshold voltage");
    case 0x02: return _("Lean to rich sensor threshold voltage");
    case 0x03: return _("Low sensor voltage for switch time calculation");
    case 0x04: return _("High sensor voltage for switch time calculation");
    case 0x05: return _("Rich to lean sensor switch time");
    case 0x06: return _("Lean to rich sensor switch time");
    case 0x07: return _("Minimum sensor voltage for test cycle");
    case 0x08: return _("Maximum sensor voltage for test cycle");
    case 0x09: return _("Time between sensor transitions");
    case 0x0A: return _("Sensor period");
    case 0x0B: return _("Average misfire count over the last ten driving cycles");
    case 0x0C: return _("Misfire count in the last or current driving cycle");
    default:   break;
    }
  if (tid >= 0x80)
    return intern_printf (_("Manufacturer test 0x%02X"), tid);
  return intern_printf (_("Reserved test 0x%02X"), tid);
}

gboolean
obd_mode06_support_has (const ObdMidSupport *support,
                        guint8               mid)
{
  g_return_val_if_fail (support != NULL, FALSE);

  if (mid <= support->base || mid > support->base + 0x20)
    return FALSE;
  return (support->bitmap >> (31 - (mid - support->base - 1))) & 1;
}

static guint16
be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

GArray *
obd_mode06_parse (const ObdResponse *response,
                  GArray           **out_supported,
                  GError           **error)
{
  g_autoptr(GArray) results = NULL;
  g_autoptr(GArray) supported = NULL;
  gboolean any_positive = FALSE;
  gboolean refused = FALSE;
  guint8 nrc = 0;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  results = g_array_new (FALSE, FALSE, sizeof (ObdMonitorResult));
  supported = g_array_new (FALSE, FALSE, sizeof (ObdMidSupport));

  for (guint i = 0; response->messages != NULL && i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);
      gsize pos = 1;

      if (msg->len == 0)
        continue;
      if (msg->data[0] == NEGATIVE_RESPONSE)
        {
          if (msg->len >= 3 && msg->data[1] == 0x06)
            {
              refused = TRUE;
              nrc = msg->data[2];
            }
          continue;
        }
      if (msg->data[0] != MODE06_REPLY)
        continue;

      if (msg->len < 1 + SUPPORT_LEN)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                       _("The monitor test reply from ECU %X is too short (%u bytes)."),
                       msg->ecu, (guint) msg->len);
          return NULL;
        }
      any_positive = TRUE;

      while (pos < msg->len)
        {
          const guint8 *p = msg->data + pos;
          guint8 mid = p[0];

          if ((mid & 0x1F) == 0)
            {
              ObdMidSupport s = { 0, };

              if (msg->len - pos < SUPPORT_LEN)
                break;
              s.ecu = msg->ecu;
              s.base = mid;
              s.bitmap = ((guint32) p[1] << 24) | ((guint32) p[2] << 16) |
                         ((guint32) p[3] << 8) | p[4];
              g_array_append_val (supported, s);
              pos += SUPPORT_LEN;
            }
          else
            {
              ObdMonitorResult r = { 0, };
              double lo, hi;

              if (msg->len - pos < RECORD_LEN)
                break;
              r.ecu = msg->ecu;
              r.mid = mid;
              r.tid = p[1];
              r.uasid = p[2];
              r.raw_value = be16 (p + 3);
              r.raw_min = be16 (p + 5);
              r.raw_max = be16 (p + 7);
              r.known_uasid = obd_mode06_scale (r.uasid, r.raw_value, &r.value,
                                                &r.unit, &r.unit_symbol);
              obd_mode06_scale (r.uasid, r.raw_min, &r.min, NULL, NULL);
              obd_mode06_scale (r.uasid, r.raw_max, &r.max, NULL, NULL);
              /* Compare the numbers the UASID defines (signed or not),
               * not the scaled doubles, so rounding cannot flip a verdict. */
              lo = raw_number (r.uasid, r.raw_min);
              hi = raw_number (r.uasid, r.raw_max);
              r.passed = lo <= raw_number (r.uasid, r.raw_value) &&
                         raw_number (r.uasid, r.raw_value) <= hi;
              r.mid_name = obd_mode06_get_mid_name (r.mid);
              r.tid_name = obd_mode06_get_tid_name (r.mid, r.tid);
              g_array_append_val (results, r);
              pos += RECORD_LEN;
            }
        }

      if (pos != msg->len)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                       _("The monitor test reply from ECU %X ends in the middle of a record "
                         "(%u bytes left over)."),
                       msg->ecu, (guint) (msg->len - pos));
          return NULL;
        }
    }

  if (!any_positive)
    {
      if (refused)
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,
                     _("The vehicle refused to report monitor test results: %s."),
                     obd_elm_nrc_to_string (nrc));
      else
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                     _("The vehicle did not answer the monitor test request."));
      return NULL;
    }

  if (out_supported != NULL)
    *out_supported = g_steal_pointer (&supported);
  return g_steal_pointer (&results);
}
