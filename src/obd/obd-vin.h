/* obd-vin.h — vehicle identification numbers (ISO 3779 / ISO 3780 / 49 CFR 565)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A VIN has 17 characters from 0-9 and A-Z without I, O and Q:
 *
 *   1-3    WMI, world manufacturer identifier (ISO 3780); a WMI whose third
 *          character is 9 belongs to a small manufacturer, identified
 *          further by positions 12-14
 *   4-9    VDS, vehicle descriptor; position 9 is the check digit in North
 *          America (49 CFR 565.15) and China (GB 16735)
 *   10-17  VIS, vehicle indicator; position 10 is the model year code,
 *          position 11 the plant
 *
 * Reading the VIN from the car (Mode 09 InfoType 02) is in obd-mode09.h.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OBD_VIN_LENGTH 17

typedef enum
{
  OBD_VIN_REGION_UNKNOWN = 0,
  OBD_VIN_REGION_AFRICA,         /* A-H */
  OBD_VIN_REGION_ASIA,           /* J-R */
  OBD_VIN_REGION_EUROPE,         /* S-Z */
  OBD_VIN_REGION_NORTH_AMERICA,  /* 1-5, and 7F-70 since SAE reassigned them */
  OBD_VIN_REGION_OCEANIA,        /* 6-7 */
  OBD_VIN_REGION_SOUTH_AMERICA,  /* 8-9, 0 */
} ObdVinRegion;

/* Plain fields, ready to print or to put into JSON. */
typedef struct
{
  char          vin[OBD_VIN_LENGTH + 1];  /* upper case */
  char          wmi[4];                   /* positions 1-3 */
  char          vds[7];                   /* positions 4-9 */
  char          vis[9];                   /* positions 10-17 */
  /* The key the manufacturer was looked up by: the WMI, or for a small
   * manufacturer (WMI ending in 9) the WMI followed by positions 12-14. */
  char          manufacturer_code[7];
  gboolean      small_manufacturer;
  ObdVinRegion  region;
  const char   *country;                  /* translated; NULL if unassigned */
  char         *manufacturer;             /* from the WMI table; NULL if unknown */

  char          check_digit;              /* position 9 as written */
  char          expected_check_digit;     /* '0'-'9' or 'X' */
  gboolean      check_digit_ok;           /* check_digit == expected_check_digit */
  /* TRUE where the law requires a check digit (North America, China);
   * elsewhere position 9 is free and check_digit_ok means little. */
  gboolean      check_digit_applies;

  char          model_year_code;          /* position 10 */
  int           model_year;               /* e.g. 2003; 0 when not encoded */
  char          plant_code;               /* position 11 */
  char          serial[7];                /* positions 12-17 */
} ObdVinInfo;

/* TRUE for 17 characters from the VIN alphabet (upper case, no I, O, Q).
 * The error (OBD_PROTOCOL_ERROR_MALFORMED) says what is wrong and where. */
gboolean      obd_vin_validate               (const char *vin,
                                              GError    **error);
/* The check digit the VIN should have ('0'-'9' or 'X', 49 CFR 565.15:
 * transliterate, weigh 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, sum modulo 11);
 * '\0' when vin is not valid. */
char          obd_vin_compute_check_digit    (const char *vin);
/* Whether the check digit is mandatory for this VIN's region. */
gboolean      obd_vin_check_digit_applies    (const char *vin);

/* Model year from position 10.  The codes repeat every 30 years (A is 1980
 * and 2010); for North American vehicles position 7 resolves the cycle
 * (a letter there means 2010-2039, a digit 1980-2009, 49 CFR 565.15(b));
 * otherwise, and when that would be in the future, the most recent year
 * not after reference_year + 1 is taken, as a model year may start a year
 * early.  reference_year <= 0 means the current year.  0 when position 10
 * holds no year code (Z or 0, common in Europe). */
int           obd_vin_get_model_year         (const char *vin,
                                              int         reference_year);

ObdVinRegion  obd_vin_get_region             (const char *vin);
/* Stable key for JSON: "africa", "asia", "europe", "north-america",
 * "oceania", "south-america", "unknown". */
const char   *obd_vin_region_get_key         (ObdVinRegion region);
const char   *obd_vin_region_get_label       (ObdVinRegion region);
/* Country of the WMI from the ISO 3780 ranges of positions 1-2,
 * translated; NULL if unassigned. */
const char   *obd_vin_get_country            (const char *vin);

/* Manufacturer for a WMI ("1G1"), a small-manufacturer code ("SCA9AB"), or
 * a whole VIN; NULL if the built-in table does not know it.  The table is
 * read once from the GResource, on first use, thread-safely. */
const char   *obd_vin_lookup_manufacturer    (const char *vin_or_wmi);
/* Rows in the built-in WMI table. */
guint         obd_vin_get_manufacturer_count (void);

/* Decodes a VIN (surrounding blanks ignored, lower case accepted).  Fails
 * with OBD_PROTOCOL_ERROR_MALFORMED as obd_vin_validate does.  A wrong
 * check digit is not an error: see check_digit_ok. */
ObdVinInfo   *obd_vin_decode                 (const char *vin,
                                              int         reference_year,
                                              GError    **error);
void          obd_vin_info_free              (ObdVinInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdVinInfo, obd_vin_info_free)

G_END_DECLS
