/* obd-units.c — unit symbols and SI → US customary conversions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decoded values stay in the units SAE J1979 defines (metric); converting
 * them is purely a presentation step, done at the last moment.
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-units.h"

typedef struct
{
  /* Stable symbols, used untranslated in machine output (JSON, CSV). */
  const char *si;
  const char *us;     /* NULL: the unit has no US counterpart */
  /* SI → US: us = si * factor + offset. */
  double      factor;
  double      offset;
} UnitInfo;

/* The exact definitions: 1 mi = 1.609344 km, 1 ft = 0.3048 m,
 * 1 lb = 0.45359237 kg, 1 US gal = 3.785411784 L, 1 psi = 6.894757293 kPa,
 * 1 inH₂O (conventional, 4 °C) = 249.08891 Pa, 1 lb·ft = 1.3558179483 N·m. */
static const UnitInfo units[OBD_UNIT_LAST] = {
  [OBD_UNIT_NONE]            = { "",          NULL,     1.0, 0.0 },
  [OBD_UNIT_PERCENT]         = { "%",         NULL,     1.0, 0.0 },
  [OBD_UNIT_CELSIUS]         = { "°C",        "°F",     1.8, 32.0 },
  [OBD_UNIT_KPA]             = { "kPa",       "psi",    1.0 / 6.894757293168361, 0.0 },
  [OBD_UNIT_PA]              = { "Pa",        "inH₂O",  1.0 / 249.08891, 0.0 },
  [OBD_UNIT_RPM]             = { "rpm",       NULL,     1.0, 0.0 },
  [OBD_UNIT_KMH]             = { "km/h",      "mph",    1.0 / 1.609344, 0.0 },
  [OBD_UNIT_DEGREE]          = { "°",         NULL,     1.0, 0.0 },
  [OBD_UNIT_GRAMS_PER_SEC]   = { "g/s",       "lb/min", 60.0 / 453.59237, 0.0 },
  [OBD_UNIT_VOLT]            = { "V",         NULL,     1.0, 0.0 },
  [OBD_UNIT_MILLIVOLT]       = { "mV",        NULL,     1.0, 0.0 },
  [OBD_UNIT_MILLIAMP]        = { "mA",        NULL,     1.0, 0.0 },
  [OBD_UNIT_AMP]             = { "A",         NULL,     1.0, 0.0 },
  [OBD_UNIT_SECOND]          = { "s",         NULL,     1.0, 0.0 },
  [OBD_UNIT_MINUTE]          = { "min",       NULL,     1.0, 0.0 },
  [OBD_UNIT_HOUR]            = { "h",         NULL,     1.0, 0.0 },
  [OBD_UNIT_KM]              = { "km",        "mi",     1.0 / 1.609344, 0.0 },
  [OBD_UNIT_METRE]           = { "m",         "ft",     1.0 / 0.3048, 0.0 },
  [OBD_UNIT_RATIO]           = { "",          NULL,     1.0, 0.0 },
  [OBD_UNIT_LITRES_PER_HOUR] = { "L/h",       "gal/h",  1.0 / 3.785411784, 0.0 },
  [OBD_UNIT_NEWTON_METRE]    = { "N·m",       "lb·ft",  1.0 / 1.3558179483314004, 0.0 },
  [OBD_UNIT_PPM]             = { "ppm",       NULL,     1.0, 0.0 },
  [OBD_UNIT_MG_PER_STROKE]   = { "mg/stroke", NULL,     1.0, 0.0 },
  [OBD_UNIT_MG_PER_M3]       = { "mg/m³",     NULL,     1.0, 0.0 },
  [OBD_UNIT_GRAMS]           = { "g",         NULL,     1.0, 0.0 },
  [OBD_UNIT_KG_PER_HOUR]     = { "kg/h",      "lb/h",   1.0 / 0.45359237, 0.0 },
  [OBD_UNIT_COUNT]           = { "",          NULL,     1.0, 0.0 },
  [OBD_UNIT_MILLISECOND]     = { "ms",        NULL,     1.0, 0.0 },
  [OBD_UNIT_OHM]             = { "Ω",         NULL,     1.0, 0.0 },
  [OBD_UNIT_HERTZ]           = { "Hz",        NULL,     1.0, 0.0 },
  [OBD_UNIT_MILLIGRAM]       = { "mg",        NULL,     1.0, 0.0 },
};

/* The same symbols for display.  Most are international, but some
 * languages write units in their own script ("км/ч"), so translators get
 * them with a "unit" context.  Kept in step with units[] above; the test
 * checks that every unit has a symbol in both systems. */
static const char *const display_si[OBD_UNIT_LAST] = {
  [OBD_UNIT_NONE]            = "",
  [OBD_UNIT_PERCENT]         = NC_("unit", "%"),
  [OBD_UNIT_CELSIUS]         = NC_("unit", "°C"),
  [OBD_UNIT_KPA]             = NC_("unit", "kPa"),
  [OBD_UNIT_PA]              = NC_("unit", "Pa"),
  [OBD_UNIT_RPM]             = NC_("unit", "rpm"),
  [OBD_UNIT_KMH]             = NC_("unit", "km/h"),
  [OBD_UNIT_DEGREE]          = NC_("unit", "°"),
  [OBD_UNIT_GRAMS_PER_SEC]   = NC_("unit", "g/s"),
  [OBD_UNIT_VOLT]            = NC_("unit", "V"),
  [OBD_UNIT_MILLIVOLT]       = NC_("unit", "mV"),
  [OBD_UNIT_MILLIAMP]        = NC_("unit", "mA"),
  [OBD_UNIT_AMP]             = NC_("unit", "A"),
  [OBD_UNIT_SECOND]          = NC_("unit", "s"),
  [OBD_UNIT_MINUTE]          = NC_("unit", "min"),
  [OBD_UNIT_HOUR]            = NC_("unit", "h"),
  [OBD_UNIT_KM]              = NC_("unit", "km"),
  [OBD_UNIT_METRE]           = NC_("unit", "m"),
  [OBD_UNIT_RATIO]           = "",
  [OBD_UNIT_LITRES_PER_HOUR] = NC_("unit", "L/h"),
  [OBD_UNIT_NEWTON_METRE]    = NC_("unit", "N·m"),
  [OBD_UNIT_PPM]             = NC_("unit", "ppm"),
  [OBD_UNIT_MG_PER_STROKE]   = NC_("unit", "mg/stroke"),
  [OBD_UNIT_MG_PER_M3]       = NC_("unit", "mg/m³"),
  [OBD_UNIT_GRAMS]           = NC_("unit", "g"),
  [OBD_UNIT_KG_PER_HOUR]     = NC_("unit", "kg/h"),
  [OBD_UNIT_COUNT]           = "",
  [OBD_UNIT_MILLISECOND]     = NC_("unit", "ms"),
  [OBD_UNIT_OHM]             = NC_("unit", "Ω"),
  [OBD_UNIT_HERTZ]           = NC_("unit", "Hz"),
  [OBD_UNIT_MILLIGRAM]       = NC_("unit", "mg"),
};

static const char *const display_us[OBD_UNIT_LAST] = {
  [OBD_UNIT_CELSIUS]         = NC_("unit", "°F"),
  [OBD_UNIT_KPA]             = NC_("unit", "psi"),
  [OBD_UNIT_PA]              = NC_("unit", "inH₂O"),
  [OBD_UNIT_KMH]             = NC_("unit", "mph"),
  [OBD_UNIT_GRAMS_PER_SEC]   = NC_("unit", "lb/min"),
  [OBD_UNIT_KM]              = NC_("unit", "mi"),
  [OBD_UNIT_METRE]           = NC_("unit", "ft"),
  [OBD_UNIT_LITRES_PER_HOUR] = NC_("unit", "gal/h"),
  [OBD_UNIT_NEWTON_METRE]    = NC_("unit", "lb·ft"),
  [OBD_UNIT_KG_PER_HOUR]     = NC_("unit", "lb/h"),
};

/* Decimals shown for a value, chosen from the resolution J1979 gives the
 * quantities that use the unit (e.g. 1 °C for most temperatures, which is
 * 1.8 °F, hence one decimal in °F). */
static const guint8 decimals_si[OBD_UNIT_LAST] = {
  [OBD_UNIT_PERCENT] = 1, [OBD_UNIT_DEGREE] = 1, [OBD_UNIT_GRAMS_PER_SEC] = 2,
  [OBD_UNIT_VOLT] = 3, [OBD_UNIT_MILLIAMP] = 2, [OBD_UNIT_AMP] = 2,
  [OBD_UNIT_HOUR] = 1, [OBD_UNIT_RATIO] = 3, [OBD_UNIT_LITRES_PER_HOUR] = 2,
  [OBD_UNIT_MG_PER_STROKE] = 2, [OBD_UNIT_MG_PER_M3] = 2, [OBD_UNIT_KG_PER_HOUR] = 1,
};

static const guint8 decimals_us[OBD_UNIT_LAST] = {
  [OBD_UNIT_CELSIUS] = 1, [OBD_UNIT_KPA] = 1, [OBD_UNIT_PA] = 2,
  [OBD_UNIT_GRAMS_PER_SEC] = 2, [OBD_UNIT_LITRES_PER_HOUR] = 2,
  [OBD_UNIT_KG_PER_HOUR] = 1,
};

static gboolean
unit_is_valid (ObdUnit unit)
{
  return (guint) unit < OBD_UNIT_LAST;
}

static gboolean
has_us_counterpart (ObdUnit       unit,
                    ObdUnitSystem system)
{
  return system == OBD_UNIT_SYSTEM_US && units[unit].us != NULL;
}

const char *
obd_unit_get_symbol (ObdUnit       unit,
                     ObdUnitSystem system)
{
  const char *msgid;

  g_return_val_if_fail (unit_is_valid (unit), "");

  msgid = has_us_counterpart (unit, system) ? display_us[unit] : display_si[unit];
  if (msgid == NULL || *msgid == '\0')
    return "";

  return g_dpgettext2 (GETTEXT_PACKAGE, "unit", msgid);
}

const char *
obd_unit_get_name (ObdUnit       unit,
                   ObdUnitSystem system)
{
  g_return_val_if_fail (unit_is_valid (unit), "");

  return has_us_counterpart (unit, system) ? units[unit].us : units[unit].si;
}

double
obd_unit_convert (ObdUnit       unit,
                  ObdUnitSystem system,
                  double        value)
{
  g_return_val_if_fail (unit_is_valid (unit), value);

  if (!has_us_counterpart (unit, system))
    return value;

  return value * units[unit].factor + units[unit].offset;
}

guint
obd_unit_get_decimals (ObdUnit       unit,
                       ObdUnitSystem system)
{
  g_return_val_if_fail (unit_is_valid (unit), 0);

  if (has_us_counterpart (unit, system))
    return decimals_us[unit];

  return decimals_si[unit];
}

gboolean
obd_unit_system_parse (const char    *text,
                       ObdUnitSystem *out_system)
{
  ObdUnitSystem system;

  g_return_val_if_fail (text != NULL, FALSE);

  if (g_ascii_strcasecmp (text, "si") == 0 || g_ascii_strcasecmp (text, "metric") == 0)
    system = OBD_UNIT_SYSTEM_SI;
  else if (g_ascii_strcasecmp (text, "us") == 0 || g_ascii_strcasecmp (text, "imperial") == 0)
    system = OBD_UNIT_SYSTEM_US;
  else
    return FALSE;

  if (out_system != NULL)
    *out_system = system;

  return TRUE;
}

const char *
obd_unit_system_get_name (ObdUnitSystem system)
{
  return system == OBD_UNIT_SYSTEM_US ? "us" : "si";
}
