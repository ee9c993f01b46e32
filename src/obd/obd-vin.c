/* obd-vin.c — vehicle identification numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-resources.h"
#include "obd-vin.h"

#define WMI_RESOURCE_PATH RESOURCE_PATH "/obd/wmi.tsv"

/* ISO 3780 orders the second character of a country range A..Z (without
 * I, O, Q), then 1..9, then 0: "SA-SM" or "X3-X0" are ranges in this order. */
static const char range_order[] = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890";

typedef struct
{
  char        first;
  char        from;
  char        to;
  const char *country;
} CountryRange;

/* ISO 3780 country codes, positions 1-2, as SAE (the registration
 * authority) assigns them. */
static const CountryRange country_ranges[] = {
  { 'A', 'A', 'H', N_("South Africa") },
  { 'A', 'J', 'N', N_("Côte d'Ivoire") },
  { 'B', 'A', 'E', N_("Angola") },
  { 'B', 'F', 'K', N_("Kenya") },
  { 'B', 'L', 'R', N_("Tanzania") },
  { 'C', 'A', 'E', N_("Benin") },
  { 'C', 'F', 'K', N_("Madagascar") },
  { 'C', 'L', 'R', N_("Tunisia") },
  { 'D', 'A', 'E', N_("Egypt") },
  { 'D', 'F', 'K', N_("Morocco") },
  { 'D', 'L', 'R', N_("Zambia") },
  { 'E', 'A', 'E', N_("Ethiopia") },
  { 'E', 'F', 'K', N_("Mozambique") },
  { 'F', 'A', 'E', N_("Ghana") },
  { 'F', 'F', 'K', N_("Nigeria") },
  { 'J', 'A', '0', N_("Japan") },
  { 'K', 'A', 'E', N_("Sri Lanka") },
  { 'K', 'F', 'K', N_("Israel") },
  { 'K', 'L', 'R', N_("South Korea") },
  { 'K', 'S', '0', N_("Kazakhstan") },
  { 'L', 'A', '0', N_("China") },
  { 'M', 'A', 'E', N_("India") },
  { 'M', 'F', 'K', N_("Indonesia") },
  { 'M', 'L', 'R', N_("Thailand") },
  { 'M', 'S', '0', N_("Myanmar") },
  { 'N', 'A', 'E', N_("Iran") },
  { 'N', 'F', 'K', N_("Pakistan") },
  { 'N', 'L', 'R', N_("Turkey") },
  { 'P', 'A', 'E', N_("Philippines") },
  { 'P', 'F', 'K', N_("Singapore") },
  { 'P', 'L', 'R', N_("Malaysia") },
  { 'R', 'A', 'E', N_("United Arab Emirates") },
  { 'R', 'F', 'K', N_("Taiwan") },
  { 'R', 'L', 'R', N_("Vietnam") },
  { 'R', 'S', '0', N_("Saudi Arabia") },
  { 'S', 'A', 'M', N_("United Kingdom") },
  { 'S', 'N', 'T', N_("Germany") },
  { 'S', 'U', 'Z', N_("Poland") },
  { 'S', '1', '4', N_("Latvia") },
  { 'T', 'A', 'H', N_("Switzerland") },
  { 'T', 'J', 'P', N_("Czech Republic") },
  { 'T', 'R', 'V', N_("Hungary") },
  { 'T', 'W', '1', N_("Portugal") },
  { 'U', 'H', 'M', N_("Denmark") },
  { 'U', 'N', 'T', N_("Ireland") },
  { 'U', 'U', 'Z', N_("Romania") },
  { 'U', '5', '7', N_("Slovakia") },
  { 'V', 'A', 'E', N_("Austria") },
  { 'V', 'F', 'R', N_("France") },
  { 'V', 'S', 'W', N_("Spain") },
  { 'V', 'X', '2', N_("Serbia") },
  { 'V', '3', '5', N_("Croatia") },
  { 'V', '6', '0', N_("Estonia") },
  { 'W', 'A', '0', N_("Germany") },
  { 'X', 'A', 'E', N_("Bulgaria") },
  { 'X', 'F', 'K', N_("Greece") },
  { 'X', 'L', 'R', N_("Netherlands") },
  { 'X', 'S', 'W', N_("Russia") },
  { 'X', 'X', '2', N_("Luxembourg") },
  { 'X', '3', '0', N_("Russia") },
  { 'Y', 'A', 'E', N_("Belgium") },
  { 'Y', 'F', 'K', N_("Finland") },
  { 'Y', 'L', 'R', N_("Malta") },
  { 'Y', 'S', 'W', N_("Sweden") },
  { 'Y', 'X', '2', N_("Norway") },
  { 'Y', '3', '5', N_("Belarus") },
  { 'Y', '6', '0', N_("Ukraine") },
  { 'Z', 'A', 'R', N_("Italy") },
  { 'Z', 'X', '2', N_("Slovenia") },
  { 'Z', '3', '5', N_("Lithuania") },
  { 'Z', '6', '0', N_("Russia") },
  { '1', 'A', '0', N_("United States") },
  { '2', 'A', '0', N_("Canada") },
  { '3', 'A', 'W', N_("Mexico") },
  { '3', 'X', '7', N_("Costa Rica") },
  { '3', '8', '0', N_("Cayman Islands") },
  { '4', 'A', '0', N_("United States") },
  { '5', 'A', '0', N_("United States") },
  { '6', 'A', 'W', N_("Australia") },
  { '7', 'A', 'E', N_("New Zealand") },
  /* SAE handed the rest of the 7 block to the United States (Tesla 7SA,
   * Honda 7FA), the 1-5 blocks running short. */
  { '7', 'F', '0', N_("United States") },
  { '8', 'A', 'E', N_("Argentina") },
  { '8', 'F', 'K', N_("Chile") },
  { '8', 'L', 'R', N_("Ecuador") },
  { '8', 'S', 'W', N_("Peru") },
  { '8', 'X', '2', N_("Venezuela") },
  { '9', 'A', 'E', N_("Brazil") },
  { '9', 'F', 'K', N_("Colombia") },
  { '9', 'L', 'R', N_("Paraguay") },
  { '9', 'S', 'W', N_("Uruguay") },
  { '9', 'X', '2', N_("Trinidad and Tobago") },
  { '9', '3', '9', N_("Brazil") },
};

/* Position 10, 49 CFR 565.15(b) / ISO 3779: the years of the 1980-2009
 * cycle; the same code means 30 years later in the next cycle. */
static const char year_codes[] = "ABCDEFGHJKLMNPRSTVWXY123456789";

static gboolean
is_vin_char (char c)
{
  if (c >= '0' && c <= '9')
    return TRUE;
  if (c >= 'A' && c <= 'Z')
    return c != 'I' && c != 'O' && c != 'Q';
  return FALSE;
}

gboolean
obd_vin_validate (const char *vin,
                  GError    **error)
{
  gsize len;

  g_return_val_if_fail (vin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  len = strlen (vin);
  if (len != OBD_VIN_LENGTH)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("A VIN has 17 characters, this one has %u."), (guint) len);
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      char c = vin[i];

      if (is_vin_char (c))
        continue;

      if (c == 'I' || c == 'O' || c == 'Q')
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                     _("A VIN never contains the letter %c (position %u); it is probably "
                       "the digit %c."),
                     c, (guint) i + 1, c == 'I' ? '1' : c == 'O' ? '0' : '9');
      else if (g_ascii_isprint (c))
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                     _("The character “%c” at position %u is not allowed in a VIN."),
                     c, (guint) i + 1);
      else
        g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                     _("The VIN contains an unprintable byte at position %u."),
                     (guint) i + 1);
      return FALSE;
    }

  return TRUE;
}

/* 49 CFR 565.15(c), table IV: letters take the values of their place in
 * three rows of nine (A-I, J-R, S-Z shifted by one), digits their own. */
static guint
transliterate (char c)
{
  static const guint8 letters[26] = {
    /* A  B  C  D  E  F  G  H  I  J  K  L  M  N  O  P  Q  R  S  T  U  V  W  X  Y  Z */
       1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9,
  };

  if (c >= '0' && c <= '9')
    return (guint) (c - '0');
  return letters[c - 'A'];
}

char
obd_vin_compute_check_digit (const char *vin)
{
  static const guint8 weights[OBD_VIN_LENGTH] = {
    8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2,
  };
  guint sum = 0;
  guint rem;

  g_return_val_if_fail (vin != NULL, '\0');

  if (!obd_vin_validate (vin, NULL))
    return '\0';

  for (guint i = 0; i < OBD_VIN_LENGTH; i++)
    sum += transliterate (vin[i]) * weights[i];

  rem = sum % 11;
  return rem == 10 ? 'X' : (char) ('0' + rem);
}

ObdVinRegion
obd_vin_get_region (const char *vin)
{
  char c;

  g_return_val_if_fail (vin != NULL, OBD_VIN_REGION_UNKNOWN);

  c = g_ascii_toupper (vin[0]);
  if (c >= 'A' && c <= 'H')
    return OBD_VIN_REGION_AFRICA;
  if (c >= 'J' && c <= 'R')
    return OBD_VIN_REGION_ASIA;
  if (c >= 'S' && c <= 'Z')
    return OBD_VIN_REGION_EUROPE;
  if (c >= '1' && c <= '5')
    return OBD_VIN_REGION_NORTH_AMERICA;
  if (c == '7' && vin[1] != '\0' && strchr ("ABCDE", g_ascii_toupper (vin[1])) == NULL)
    return OBD_VIN_REGION_NORTH_AMERICA;
  if (c == '6' || c == '7')
    return OBD_VIN_REGION_OCEANIA;
  if (c == '8' || c == '9' || c == '0')
    return OBD_VIN_REGION_SOUTH_AMERICA;
  return OBD_VIN_REGION_UNKNOWN;
}

const char *
obd_vin_region_get_key (ObdVinRegion region)
{
  switch (region)
    {
    case OBD_VIN_REGION_AFRICA:        return "africa";
    case OBD_VIN_REGION_ASIA:          return "asia";
    case OBD_VIN_REGION_EUROPE:        return "europe";
    case OBD_VIN_REGION_NORTH_AMERICA: return "north-america";
    case OBD_VIN_REGION_OCEANIA:       return "oceania";
    case OBD_VIN_REGION_SOUTH_AMERICA: return "south-america";
    case OBD_VIN_REGION_UNKNOWN:
    default:                           return "unknown";
    }
}

const char *
obd_vin_region_get_label (ObdVinRegion region)
{
  switch (region)
    {
    case OBD_VIN_REGION_AFRICA:        return _("Africa");
    case OBD_VIN_REGION_ASIA:          return _("Asia");
    case OBD_VIN_REGION_EUROPE:        return _("Europe");
    case OBD_VIN_REGION_NORTH_AMERICA: return _("North America");
    case OBD_VIN_REGION_OCEANIA:       return _("Oceania");
    case OBD_VIN_REGION_SOUTH_AMERICA: return _("South America");
    case OBD_VIN_REGION_UNKNOWN:
    default:                           return _("Unknown");
    }
}

const char *
obd_vin_get_country (const char *vin)
{
  const char *pos;
  char first, second;
  gsize index;

  g_return_val_if_fail (vin != NULL, NULL);

  if (vin[0] == '\0' || vin[1] == '\0')
    return NULL;
  first = g_ascii_toupper (vin[0]);
  second = g_ascii_toupper (vin[1]);
  pos = strchr (range_order, second);
  if (pos == NULL || second == '\0')
    return NULL;
  index = (gsize) (pos - range_order);

  for (gsize i = 0; i < G_N_ELEMENTS (country_ranges); i++)
    {
      const CountryRange *r = &country_ranges[i];

      if (r->first != first)
        continue;
      if (index >= (gsize) (strchr (range_order, r->from) - range_order) &&
          index <= (gsize) (strchr (range_order, r->to) - range_order))
        return _(r->country);
    }
  return NULL;
}

gboolean
obd_vin_check_digit_applies (const char *vin)
{
  g_return_val_if_fail (vin != NULL, FALSE);

  /* 49 CFR 565.15(c) for vehicles built for North America (WMIs 1-5);
   * GB 16735 makes it mandatory in China (L) as well.  ISO 3779 leaves
   * position 9 to the manufacturer, so European and Japanese domestic VINs
   * often hold a letter or a zero there. */
  return obd_vin_get_region (vin) == OBD_VIN_REGION_NORTH_AMERICA ||
         g_ascii_toupper (vin[0]) == 'L';
}

int
obd_vin_get_model_year (const char *vin,
                        int         reference_year)
{
  const char *pos;
  int early, latest, best;

  g_return_val_if_fail (vin != NULL, 0);

  if (strlen (vin) < 10)
    return 0;
  pos = strchr (year_codes, g_ascii_toupper (vin[9]));
  if (pos == NULL || vin[9] == '\0')
    return 0;

  if (reference_year <= 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      reference_year = g_date_time_get_year (now);
    }

  early = 1980 + (int) (pos - year_codes);
  /* A model year may go on sale in the previous calendar year. */
  latest = reference_year + 1;

  /* 49 CFR 565.15(b): from model year 2010, light vehicles built for North
   * America have a letter at position 7, those of 1980-2009 a digit; so
   * the 30-year cycles alternate.  Heavy trucks are exempt, which is why a
   * year in the future falls back to the plain rule below. */
  if (obd_vin_get_region (vin) == OBD_VIN_REGION_NORTH_AMERICA)
    {
      int parity = g_ascii_isalpha (vin[6]) ? 1 : 0;

      best = 0;
      for (int cycle = 0, year = early; year <= latest; cycle++, year += 30)
        if (cycle % 2 == parity)
          best = year;
      if (best != 0)
        return best;
    }

  /* Otherwise the most recent year of the code that is not in the future. */
  best = early;
  for (int year = early; year <= latest; year += 30)
    best = year;
  return best;
}

/* The WMI table: "WMI<TAB>manufacturer" lines.  Keys are 2 characters (a
 * manufacturer owning a whole block, e.g. JT), 3 (a WMI) or 6 (a small
 * manufacturer: WMI ending in 9 plus positions 12-14). */
static GHashTable *
load_wmi_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  GHashTable *table;
  const char *data;
  gsize size;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Referencing the resource keeps its object file in static links, so
   * its constructor registers it. */
  (void) obd_get_resource ();
  bytes = g_resources_lookup_data (WMI_RESOURCE_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      g_critical ("The WMI table is missing from the resources: %s", error->message);
      return table;
    }

  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data, size);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *key = NULL;
      gsize key_len;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      fields = g_strsplit (lines[i], "\t", 3);
      if (g_strv_length (fields) < 2 || fields[1][0] == '\0')
        {
          g_warning ("wmi.tsv line %u: expected WMI and manufacturer", i + 1);
          continue;
        }

      key = g_ascii_strup (g_strstrip (fields[0]), -1);
      key_len = strlen (key);
      if (key_len != 2 && key_len != 3 && key_len != 6)
        {
          g_warning ("wmi.tsv line %u: “%s” is not a WMI", i + 1, key);
          continue;
        }
      if (g_hash_table_contains (table, key))
        g_warning ("wmi.tsv line %u: duplicate WMI “%s”", i + 1, key);

      g_hash_table_replace (table, g_steal_pointer (&key), g_strdup (g_strstrip (fields[1])));
    }

  return table;
}

static GHashTable *
get_wmi_table (void)
{
  static gsize table = 0;

  if (g_once_init_enter (&table))
    g_once_init_leave (&table, (gsize) load_wmi_table ());

  return (GHashTable *) table;
}

guint
obd_vin_get_manufacturer_count (void)
{
  return g_hash_table_size (get_wmi_table ());
}

const char *
obd_vin_lookup_manufacturer (const char *vin_or_wmi)
{
  GHashTable *table = get_wmi_table ();
  char key[7] = { 0, };
  const char *name;
  gsize len;

  g_return_val_if_fail (vin_or_wmi != NULL, NULL);

  len = strlen (vin_or_wmi);
  if (len < 3)
    return NULL;
  for (guint i = 0; i < 3; i++)
    key[i] = g_ascii_toupper (vin_or_wmi[i]);

  /* A small manufacturer is known by WMI + positions 12-14 of the VIN. */
  if (key[2] == '9')
    {
      if (len == 6)
        memcpy (key + 3, vin_or_wmi + 3, 3);
      else if (len == OBD_VIN_LENGTH)
        memcpy (key + 3, vin_or_wmi + 11, 3);
      for (guint i = 3; i < 6; i++)
        key[i] = g_ascii_toupper (key[i]);
      if (key[3] != '\0' && (name = g_hash_table_lookup (table, key)) != NULL)
        return name;
      key[3] = '\0';
    }

  if ((name = g_hash_table_lookup (table, key)) != NULL)
    return name;

  key[2] = '\0';
  return g_hash_table_lookup (table, key);
}

ObdVinInfo *
obd_vin_decode (const char *vin,
                int         reference_year,
                GError    **error)
{
  g_autofree char *upper = NULL;
  g_autoptr(ObdVinInfo) info = NULL;
  const char *manufacturer;

  g_return_val_if_fail (vin != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  upper = g_ascii_strup (vin, -1);
  g_strstrip (upper);
  if (!obd_vin_validate (upper, error))
    return NULL;

  info = g_new0 (ObdVinInfo, 1);
  memcpy (info->vin, upper, OBD_VIN_LENGTH);
  memcpy (info->wmi, upper, 3);
  memcpy (info->vds, upper + 3, 6);
  memcpy (info->vis, upper + 9, 8);
  memcpy (info->serial, upper + 11, 6);

  /* ISO 3780: a 9 in position 3 marks a manufacturer building fewer than
   * 1000 vehicles a year (500 in North America); positions 12-14 then
   * complete its identifier. */
  info->small_manufacturer = upper[2] == '9';
  memcpy (info->manufacturer_code, upper, 3);
  if (info->small_manufacturer)
    memcpy (info->manufacturer_code + 3, upper + 11, 3);

  info->region = obd_vin_get_region (upper);
  info->country = obd_vin_get_country (upper);
  manufacturer = obd_vin_lookup_manufacturer (upper);
  info->manufacturer = g_strdup (manufacturer);

  info->check_digit = upper[8];
  info->expected_check_digit = obd_vin_compute_check_digit (upper);
  info->check_digit_ok = info->check_digit == info->expected_check_digit;
  info->check_digit_applies = obd_vin_check_digit_applies (upper);

  info->model_year_code = upper[9];
  info->model_year = obd_vin_get_model_year (upper, reference_year);
  info->plant_code = upper[10];

  return g_steal_pointer (&info);
}

void
obd_vin_info_free (ObdVinInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->manufacturer);
  g_free (info);
}
