/* obd-units.h — units of decoded quantities and their US conversions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "obd-types.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_UNIT_NONE = 0,        /* a count, a state, an enumeration */
  OBD_UNIT_PERCENT,         /* % */
  OBD_UNIT_CELSIUS,         /* °C   -> °F */
  OBD_UNIT_KPA,             /* kPa  -> psi */
  OBD_UNIT_PA,              /* Pa   -> inH2O */
  OBD_UNIT_RPM,             /* rpm */
  OBD_UNIT_KMH,             /* km/h -> mph */
  OBD_UNIT_DEGREE,          /* ° (ignition timing, angle) */
  OBD_UNIT_GRAMS_PER_SEC,   /* g/s  -> lb/min */
  OBD_UNIT_VOLT,            /* V */
  OBD_UNIT_MILLIVOLT,       /* mV */
  OBD_UNIT_MILLIAMP,        /* mA */
  OBD_UNIT_AMP,             /* A */
  OBD_UNIT_SECOND,          /* s */
  OBD_UNIT_MINUTE,          /* min */
  OBD_UNIT_HOUR,            /* h */
  OBD_UNIT_KM,              /* km   -> mi */
  OBD_UNIT_METRE,           /* m    -> ft */
  OBD_UNIT_RATIO,           /* lambda, equivalence ratio (no dimension) */
  OBD_UNIT_LITRES_PER_HOUR, /* L/h  -> gal/h */
  OBD_UNIT_NEWTON_METRE,    /* N·m  -> lb·ft */
  OBD_UNIT_PPM,             /* ppm */
  OBD_UNIT_MG_PER_STROKE,   /* mg/stroke */
  OBD_UNIT_MG_PER_M3,       /* mg/m³ */
  OBD_UNIT_GRAMS,           /* g */
  OBD_UNIT_KG_PER_HOUR,     /* kg/h -> lb/h */
  OBD_UNIT_COUNT,           /* number of events */
  OBD_UNIT_MILLISECOND,     /* ms */
  OBD_UNIT_OHM,             /* Ω */
  OBD_UNIT_HERTZ,           /* Hz */
  OBD_UNIT_MILLIGRAM,       /* mg */
  OBD_UNIT_LAST
} ObdUnit;

/* Symbol in the given system, e.g. "°C" or "°F"; never NULL ("" for NONE). */
const char *obd_unit_get_symbol (ObdUnit       unit,
                                 ObdUnitSystem system);
/* Converts an SI value for display in system (identity for SI and for
 * units without a US counterpart). */
double      obd_unit_convert    (ObdUnit       unit,
                                 ObdUnitSystem system,
                                 double        value);
/* Parses "si", "metric", "us", "imperial". */
gboolean    obd_unit_system_parse (const char    *text,
                                   ObdUnitSystem *out_system);

/* Untranslated, stable symbol ("°C", "mph") for machine output such as
 * JSON and CSV; obd_unit_get_symbol() is the translated one for display. */
const char *obd_unit_get_name     (ObdUnit       unit,
                                   ObdUnitSystem system);
/* Decimals worth showing for a value of this unit in this system. */
guint       obd_unit_get_decimals (ObdUnit       unit,
                                   ObdUnitSystem system);
/* "si" or "us", the inverse of obd_unit_system_parse(). */
const char *obd_unit_system_get_name (ObdUnitSystem system);

G_END_DECLS
