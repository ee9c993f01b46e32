/* test-vin.c — VIN validation, check digit, model year, WMI lookups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-vin"

#include "config.h"

#include <glib.h>

#include "obd-error.h"
#include "obd-vin.h"

static void
test_validate (void)
{
  static const char *const good[] = {
    "1HGCM82633A004352",
    "WVWZZZ1JZXW000001",
    "1M8GDM9AXKP042788",
    "11111111111111111",
    "ABCDEFGHJKLMNPRST",
    "UVWXYZ01234567890",
  };
  static const char *const bad[] = {
    "",
    "1HGCM82633A00435",      /* 16 */
    "1HGCM82633A0043521",    /* 18 */
    "1HGCM82633A00435O",     /* O */
    "1HGCM82633A0043I2",     /* I */
    "QHGCM82633A004352",     /* Q */
    "1hgcm82633a004352",     /* lower case */
    "1HGCM8263 A004352",     /* blank */
    "1HGCM82633A00435-",
    "1HGCM82633A00435\x7f",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (obd_vin_validate (good[i], &error));
      g_assert_no_error (error);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_false (obd_vin_validate (bad[i], &error));
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
    }
}

static void
test_check_digit (void)
{
  /* The Honda Accord of NHTSA's examples and the X check digit of the
   * usual worked example. */
  g_assert_cmpint (obd_vin_compute_check_digit ("1HGCM82633A004352"), ==, '3');
  g_assert_cmpint (obd_vin_compute_check_digit ("1M8GDM9AXKP042788"), ==, 'X');
  /* All ones: 89 times 1, 89 mod 11 = 1. */
  g_assert_cmpint (obd_vin_compute_check_digit ("11111111111111111"), ==, '1');
  /* Position 9 has weight 0: the digit itself does not change the sum. */
  g_assert_cmpint (obd_vin_compute_check_digit ("1HGCM82643A004352"), ==, '3');
  g_assert_cmpint (obd_vin_compute_check_digit ("2HGFC2F54JH500001"), ==, '4');
  g_assert_cmpint (obd_vin_compute_check_digit ("not a vin"), ==, '\0');

  g_assert_true (obd_vin_check_digit_applies ("1HGCM82633A004352"));
  g_assert_true (obd_vin_check_digit_applies ("2HGFC2F54JH500001"));
  g_assert_true (obd_vin_check_digit_applies ("3VWFE21C04M000001"));
  g_assert_true (obd_vin_check_digit_applies ("LSVAU218XN2183294"));
  g_assert_true (obd_vin_check_digit_applies ("7SAYGDEEXPF000001"));
  g_assert_false (obd_vin_check_digit_applies ("WVWZZZ1JZXW000001"));
  g_assert_false (obd_vin_check_digit_applies ("JHMCM56557C404453"));
  g_assert_false (obd_vin_check_digit_applies ("6G1EK5EV0AL000001"));
}

static void
test_decode_honda (void)
{
  g_autoptr(ObdVinInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = obd_vin_decode ("1HGCM82633A004352", 2024, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->vin, ==, "1HGCM82633A004352");
  g_assert_cmpstr (info->wmi, ==, "1HG");
  g_assert_cmpstr (info->vds, ==, "CM8263");
  g_assert_cmpstr (info->vis, ==, "3A004352");
  g_assert_cmpstr (info->serial, ==, "004352");
  g_assert_cmpstr (info->manufacturer_code, ==, "1HG");
  g_assert_false (info->small_manufacturer);
  g_assert_cmpstr (info->manufacturer, ==, "Honda");
  g_assert_cmpint (info->region, ==, OBD_VIN_REGION_NORTH_AMERICA);
  g_assert_cmpstr (info->country, ==, "United States");
  g_assert_cmpint (info->check_digit, ==, '3');
  g_assert_cmpint (info->expected_check_digit, ==, '3');
  g_assert_true (info->check_digit_ok);
  g_assert_true (info->check_digit_applies);
  g_assert_cmpint (info->model_year_code, ==, '3');
  g_assert_cmpint (info->model_year, ==, 2003);
  g_assert_cmpint (info->plant_code, ==, 'A');
}

static void
test_decode_european (void)
{
  g_autoptr(ObdVinInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = obd_vin_decode ("WVWZZZ1JZXW000001", 2024, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->manufacturer, ==, "Volkswagen");
  g_assert_cmpint (info->region, ==, OBD_VIN_REGION_EUROPE);
  g_assert_cmpstr (info->country, ==, "Germany");
  /* ISO 3779 leaves position 9 free: a Z there is no error. */
  g_assert_cmpint (info->check_digit, ==, 'Z');
  g_assert_false (info->check_digit_ok);
  g_assert_false (info->check_digit_applies);
  /* X is 1999 or 2029; 2029 is still to come. */
  g_assert_cmpint (info->model_year, ==, 1999);
  g_assert_cmpint (info->plant_code, ==, 'W');
}

static void
test_decode_normalises (void)
{
  g_autoptr(ObdVinInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = obd_vin_decode ("  1hgcm82633a004352\n", 2024, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->vin, ==, "1HGCM82633A004352");
  g_assert_true (info->check_digit_ok);
}

static void
test_decode_invalid (void)
{
  static const char *const bad[] = {
    "1HGCM82633A00435", "1HGCM82633A0043522", "1HGCM82633A00435O", "", "1HGCM82633A0043Q2",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ObdVinInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      info = obd_vin_decode (bad[i], 2024, &error);
      g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED);
      g_assert_null (info);
    }
}

static void
test_wrong_check_digit (void)
{
  g_autoptr(ObdVinInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  /* A typo in position 9 of a North American VIN: decoded, but flagged. */
  info = obd_vin_decode ("1HGCM82643A004352", 2024, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->check_digit, ==, '4');
  g_assert_cmpint (info->expected_check_digit, ==, '3');
  g_assert_false (info->check_digit_ok);
  g_assert_true (info->check_digit_applies);
}

static void
test_model_year (void)
{
  /* North America: a digit at position 7 means 1980-2009... */
  g_assert_cmpint (obd_vin_get_model_year ("1HGCM82633A004352", 2024), ==, 2003);
  g_assert_cmpint (obd_vin_get_model_year ("1M8GDM9AXKP042788", 2024), ==, 1989);
  g_assert_cmpint (obd_vin_get_model_year ("1G1JC5248A7000001", 2024), ==, 1980);
  /* ...a letter 2010-2039. */
  g_assert_cmpint (obd_vin_get_model_year ("5YJSA1E2XAF000001", 2024), ==, 2010);
  g_assert_cmpint (obd_vin_get_model_year ("5YJSA1E25RF000001", 2024), ==, 2024);
  g_assert_cmpint (obd_vin_get_model_year ("2HGFC2F54JH500001", 2024), ==, 2018);
  /* Next year's models are on sale already; two years ahead is not. */
  g_assert_cmpint (obd_vin_get_model_year ("5YJSA1E28SF000001", 2024), ==, 2025);
  g_assert_cmpint (obd_vin_get_model_year ("5YJSA1E26TF000001", 2024), ==, 1996);
  /* The letter rule only holds from 2010: before that, the plain rule. */
  g_assert_cmpint (obd_vin_get_model_year ("5YJSA1E25RF000001", 2005), ==, 1994);

  /* Elsewhere: the most recent year that is not in the future. */
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZAW000001", 2024), ==, 2010);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZAW000001", 2009), ==, 2010);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZAW000001", 2008), ==, 1980);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZYW000001", 2024), ==, 2000);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZ1W000001", 2024), ==, 2001);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZ9W000001", 2024), ==, 2009);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZPW000001", 2023), ==, 2023);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZAW000001", 2045), ==, 2040);

  /* No year code (Z, 0, U are never years). */
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZZW000001", 2024), ==, 0);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZ0W000001", 2024), ==, 0);
  g_assert_cmpint (obd_vin_get_model_year ("WVWZZZ1KZUW000001", 2024), ==, 0);

  /* 0 means this year: some year of a cycle comes out. */
  g_assert_cmpint (obd_vin_get_model_year ("1HGCM82633A004352", 0), >=, 2003);
}

static void
test_manufacturers (void)
{
  static const struct { const char *wmi; const char *maker; } cases[] = {
    { "1G1", "Chevrolet" },   { "1FA", "Ford" },         { "1FT", "Ford" },
    { "1HG", "Honda" },       { "JHM", "Honda" },        { "WVW", "Volkswagen" },
    { "WBA", "BMW" },         { "VF1", "Renault" },      { "VF3", "Peugeot" },
    { "ZFA", "Fiat" },        { "SAJ", "Jaguar" },       { "SAL", "Land Rover" },
    { "KMH", "Hyundai" },     { "KNA", "Kia" },          { "WDD", "Mercedes-Benz" },
    { "WAU", "Audi" },        { "WP0", "Porsche" },      { "YV1", "Volvo Cars" },
    { "TMB", "Škoda" },       { "VSS", "SEAT" },         { "5YJ", "Tesla" },
    { "JF1", "Subaru" },      { "JM1", "Mazda" },        { "JN1", "Nissan" },
    { "ZFF", "Ferrari" },     { "ZHW", "Lamborghini" },  { "SCC", "Lotus" },
    { "jhm", "Honda" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].wmi);
      g_assert_cmpstr (obd_vin_lookup_manufacturer (cases[i].wmi), ==, cases[i].maker);
    }

  /* Toyota owns the whole JT block; Lexus has its own rows in it. */
  g_assert_cmpstr (obd_vin_lookup_manufacturer ("JTD"), ==, "Toyota");
  g_assert_cmpstr (obd_vin_lookup_manufacturer ("JTDKB20U093000001"), ==, "Toyota");
  g_assert_cmpstr (obd_vin_lookup_manufacturer ("JTH"), ==, "Lexus");
  /* A whole VIN works as well as a WMI. */
  g_assert_cmpstr (obd_vin_lookup_manufacturer ("1HGCM82633A004352"), ==, "Honda");

  g_assert_null (obd_vin_lookup_manufacturer ("ZZZ"));
  g_assert_null (obd_vin_lookup_manufacturer ("1G"));
  g_assert_null (obd_vin_lookup_manufacturer (""));

  g_assert_cmpuint (obd_vin_get_manufacturer_count (), >=, 300);
}

static void
test_small_manufacturer (void)
{
  g_autoptr(ObdVinInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  /* ISO 3780: WMI ending in 9; positions 12-14 complete it. */
  info = obd_vin_decode ("W09987654A1123456", 2024, &error);
  g_assert_no_error (error);
  g_assert_true (info->small_manufacturer);
  g_assert_cmpstr (info->wmi, ==, "W09");
  g_assert_cmpstr (info->manufacturer_code, ==, "W09123");
  /* No row for W09123: the WMI's own row answers. */
  g_assert_cmpstr (info->manufacturer, ==, "Ruf");
  g_assert_cmpstr (obd_vin_lookup_manufacturer ("W09123"), ==, "Ruf");
}

static void
test_regions (void)
{
  static const struct {
    const char   *vin;
    ObdVinRegion  region;
    const char   *country;
  } cases[] = {
    { "1HG", OBD_VIN_REGION_NORTH_AMERICA, "United States" },
    { "4T1", OBD_VIN_REGION_NORTH_AMERICA, "United States" },
    { "5YJ", OBD_VIN_REGION_NORTH_AMERICA, "United States" },
    { "2HG", OBD_VIN_REGION_NORTH_AMERICA, "Canada" },
    { "3VW", OBD_VIN_REGION_NORTH_AMERICA, "Mexico" },
    { "7SA", OBD_VIN_REGION_NORTH_AMERICA, "United States" },
    { "7AT", OBD_VIN_REGION_OCEANIA,       "New Zealand" },
    { "6G1", OBD_VIN_REGION_OCEANIA,       "Australia" },
    { "JHM", OBD_VIN_REGION_ASIA,          "Japan" },
    { "KMH", OBD_VIN_REGION_ASIA,          "South Korea" },
    { "LSV", OBD_VIN_REGION_ASIA,          "China" },
    { "MA3", OBD_VIN_REGION_ASIA,          "India" },
    { "NM0", OBD_VIN_REGION_ASIA,          "Turkey" },
    { "SAJ", OBD_VIN_REGION_EUROPE,        "United Kingdom" },
    { "SUF", OBD_VIN_REGION_EUROPE,        "Poland" },
    { "TMB", OBD_VIN_REGION_EUROPE,        "Czech Republic" },
    { "TRU", OBD_VIN_REGION_EUROPE,        "Hungary" },
    { "UU1", OBD_VIN_REGION_EUROPE,        "Romania" },
    { "VF1", OBD_VIN_REGION_EUROPE,        "France" },
    { "VSS", OBD_VIN_REGION_EUROPE,        "Spain" },
    { "WVW", OBD_VIN_REGION_EUROPE,        "Germany" },
    { "W0L", OBD_VIN_REGION_EUROPE,        "Germany" },
    { "XTA", OBD_VIN_REGION_EUROPE,        "Russia" },
    { "X4X", OBD_VIN_REGION_EUROPE,        "Russia" },
    { "XLR", OBD_VIN_REGION_EUROPE,        "Netherlands" },
    { "YV1", OBD_VIN_REGION_EUROPE,        "Sweden" },
    { "ZFA", OBD_VIN_REGION_EUROPE,        "Italy" },
    { "9BW", OBD_VIN_REGION_SOUTH_AMERICA, "Brazil" },
    { "93H", OBD_VIN_REGION_SOUTH_AMERICA, "Brazil" },
    { "8AF", OBD_VIN_REGION_SOUTH_AMERICA, "Argentina" },
    { "AAV", OBD_VIN_REGION_AFRICA,        "South Africa" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].vin);
      g_assert_cmpint (obd_vin_get_region (cases[i].vin), ==, cases[i].region);
      g_assert_cmpstr (obd_vin_get_country (cases[i].vin), ==, cases[i].country);
    }

  /* Unassigned ranges. */
  g_assert_null (obd_vin_get_country ("AZ1"));
  g_assert_null (obd_vin_get_country ("ZS1"));
  g_assert_null (obd_vin_get_country ("1"));

  g_assert_cmpstr (obd_vin_region_get_key (OBD_VIN_REGION_NORTH_AMERICA), ==, "north-america");
  g_assert_cmpstr (obd_vin_region_get_key (OBD_VIN_REGION_UNKNOWN), ==, "unknown");
  g_assert_cmpstr (obd_vin_region_get_label (OBD_VIN_REGION_EUROPE), ==, "Europe");
}

static gpointer
lookup_thread (gpointer data)
{
  return (gpointer) obd_vin_lookup_manufacturer (data);
}

static void
test_table_threads (void)
{
  GThread *threads[8];

  /* The table loads once, whichever thread asks first. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("lookup", lookup_thread, (gpointer) "WBA");
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpstr (g_thread_join (threads[i]), ==, "BMW");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Runs first in its own path so the threads race for the first load. */
  g_test_add_func ("/obd/vin/table/threads", test_table_threads);
  g_test_add_func ("/obd/vin/validate", test_validate);
  g_test_add_func ("/obd/vin/check-digit", test_check_digit);
  g_test_add_func ("/obd/vin/decode/honda", test_decode_honda);
  g_test_add_func ("/obd/vin/decode/european", test_decode_european);
  g_test_add_func ("/obd/vin/decode/normalises", test_decode_normalises);
  g_test_add_func ("/obd/vin/decode/invalid", test_decode_invalid);
  g_test_add_func ("/obd/vin/decode/wrong-check-digit", test_wrong_check_digit);
  g_test_add_func ("/obd/vin/model-year", test_model_year);
  g_test_add_func ("/obd/vin/manufacturers", test_manufacturers);
  g_test_add_func ("/obd/vin/small-manufacturer", test_small_manufacturer);
  g_test_add_func ("/obd/vin/regions", test_regions);

  return g_test_run ();
}
