/* test-sim.c — the simulated vehicle, the virtual ELM327 and its transports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times are measured in the simulator's virtual time, never on the wall
 * clock, so the timing tests are exact and repeatable.
 */
#define G_LOG_DOMAIN "test-sim"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>

#include "obd-error.h"
#include "obd-pid.h"
#include "obd-sim-elm.h"
#include "obd-sim-pty.h"
#include "obd-sim-transport.h"
#include "obd-sim-vehicle.h"
#include "obd-vin.h"

/* ------------------------------------------------------------------ */
/* Helpers */

static ObdSimElm *
new_elm (const char *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSimConfig) config = obd_sim_config_parse (options, &error);
  ObdSimElm *elm;

  g_assert_no_error (error);
  elm = obd_sim_elm_new (config, &error);
  g_assert_no_error (error);
  return elm;
}

/* Sends a command and returns everything up to and including the prompt. */
static char *
tx (ObdSimElm  *elm,
    const char *command,
    gint64     *now)
{
  return obd_sim_elm_transact (elm, command, now);
}

static void
expect (ObdSimElm  *elm,
        const char *command,
        gint64     *now,
        const char *reply)
{
  g_autofree char *text = tx (elm, command, now);

  g_assert_cmpstr (text, ==, reply);
}

/* Echo off, then the reply of command with the trailing "\r\r>" removed. */
static ObdSimElm *
quiet_elm (const char *options,
           gint64     *now)
{
  ObdSimElm *elm = new_elm (options);

  *now = 0;
  expect (elm, "ATE0", now, "ATE0\rOK\r\r>");
  return elm;
}

static char *
body (ObdSimElm  *elm,
      const char *command,
      gint64     *now)
{
  g_autofree char *text = tx (elm, command, now);
  gsize len = strlen (text);

  g_assert_true (g_str_has_suffix (text, "\r\r>"));
  return g_strndup (text, len - 3);
}

/* Parses "41 0C 1A F8 " (spaces optional) into bytes. */
static GByteArray *
hex_bytes (const char *text)
{
  GByteArray *bytes = g_byte_array_new ();
  int hi = -1;

  for (const char *p = text; *p; p++)
    {
      if (!g_ascii_isxdigit (*p))
        continue;
      if (hi < 0)
        hi = g_ascii_xdigit_value (*p);
      else
        {
          guint8 b = hi << 4 | g_ascii_xdigit_value (*p);
          g_byte_array_append (bytes, &b, 1);
          hi = -1;
        }
    }
  return bytes;
}

/* The data bytes of a single-frame, headers-off reply line. */
static GByteArray *
reply_bytes (ObdSimElm  *elm,
             const char *command,
             gint64     *now)
{
  g_autofree char *text = body (elm, command, now);
  g_auto(GStrv) lines = g_strsplit (text, "\r", -1);
  g_autoptr(GString) joined = g_string_new (NULL);

  if (g_strv_length (lines) == 1)
    return hex_bytes (text);
  /* One multi-frame message: "0NN", then "0: ..", "1: .." segments. */
  for (guint i = 1; lines[i]; i++)
    {
      const char *colon = strchr (lines[i], ':');

      g_assert_nonnull (colon);
      g_string_append (joined, colon + 1);
    }
  return hex_bytes (joined->str);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\r';
  return n;
}

/* Decodes the DTC list reply (headers off, CAN, engine first). */
static char *
engine_dtcs (ObdSimElm  *elm,
             const char *command,
             gint64     *now)
{
  g_autofree char *text = body (elm, command, now);
  g_auto(GStrv) lines = g_strsplit (text, "\r", -1);
  g_autoptr(GByteArray) bytes = hex_bytes (lines[0]);
  GString *codes = g_string_new (NULL);

  g_assert_cmpuint (bytes->len, >=, 2);
  g_assert_cmpuint (bytes->len, ==, 2 + 2 * bytes->data[1]);
  for (guint i = 2; i + 1 < bytes->len; i += 2)
    g_string_append_printf (codes, "%sP%04X", codes->len ? " " : "",
                            bytes->data[i] << 8 | bytes->data[i + 1]);
  return g_string_free (codes, FALSE);
}

/* ------------------------------------------------------------------ */
/* Configuration */

static void
test_config_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSimConfig) config = NULL;
  gsize n = 0;

  config = obd_sim_config_parse (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (config->scenario);
  g_assert_cmpfloat (config->timing_scale, ==, 1.0);
  g_clear_pointer (&config, obd_sim_config_free);

  config = obd_sim_config_parse ("misfire?profile=clone-v15&timing=0&protocol=3&"
                                 "fault=drop-after:20,stall:3:500&seed=42&baud=38400", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->scenario, ==, "misfire");
  g_assert_cmpint (config->profile, ==, OBD_SIM_PROFILE_CLONE_V15);
  g_assert_cmpfloat (config->timing_scale, ==, 0.0);
  g_assert_cmpint (config->protocol, ==, OBD_PROTOCOL_ISO_9141_2);
  g_assert_cmpuint (config->faults.drop_after, ==, 20);
  g_assert_cmpuint (config->faults.stall_request, ==, 3);
  g_assert_cmpuint (config->faults.stall_ms, ==, 500);
  g_assert_cmpuint (config->seed, ==, 42);
  g_assert_cmpuint (config->baud, ==, 38400);
  g_clear_pointer (&config, obd_sim_config_free);

  config = obd_sim_config_parse ("no-such-car", &error);
  g_assert_null (config);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "healthy-idle"));
  g_assert_nonnull (strstr (error->message, "weak-battery"));
  g_clear_error (&error);

  config = obd_sim_config_parse ("misfire?colour=red", &error);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "profile"));
  g_clear_error (&error);

  config = obd_sim_config_parse ("?profile=clone-v99", &error);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "bt-chatter"));
  g_clear_error (&error);

  config = obd_sim_config_parse ("?fault=explode:3", &error);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);

  config = obd_sim_config_parse ("?protocol=C", &error);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);

  obd_sim_list_scenarios (&n);
  g_assert_cmpuint (n, >=, 7);
  obd_sim_list_profiles (&n);
  g_assert_cmpuint (n, ==, 7);
}

/* ------------------------------------------------------------------ */
/* AT commands */

static void
test_at_defaults (void)
{
  g_autoptr(ObdSimElm) elm = new_elm (NULL);
  gint64 now = 0;
  g_autofree char *rv = NULL;

  /* Echo is on by default; ATZ answers after its reset with the banner. */
  expect (elm, "ATZ", &now, "ATZ\r\r\rELM327 v2.1\r\r>");
  expect (elm, "ATI", &now, "ATI\rELM327 v2.1\r\r>");
  expect (elm, "at @1", &now, "at @1\rOBDII to RS232 Interpreter\r\r>");
  expect (elm, "ATXYZ", &now, "ATXYZ\r?\r\r>");
  expect (elm, "AT BRD 23", &now, "AT BRD 23\r?\r\r>");
  expect (elm, "ATDP", &now, "ATDP\rAUTO\r\r>");
  expect (elm, "ATDPN", &now, "ATDPN\r0\r\r>");
  expect (elm, "ATSP 6", &now, "ATSP 6\rOK\r\r>");
  expect (elm, "ATDP", &now, "ATDP\rISO 15765-4 (CAN 11/500)\r\r>");
  expect (elm, "ATSPA6", &now, "ATSPA6\rOK\r\r>");
  expect (elm, "ATDPN", &now, "ATDPN\rA6\r\r>");
  expect (elm, "ATSPX", &now, "ATSPX\r?\r\r>");
  expect (elm, "ATST 19", &now, "ATST 19\rOK\r\r>");
  expect (elm, "ATAT2", &now, "ATAT2\rOK\r\r>");
  expect (elm, "ATSH 7E0", &now, "ATSH 7E0\rOK\r\r>");
  expect (elm, "ATCRA 7E8", &now, "ATCRA 7E8\rOK\r\r>");
  expect (elm, "ATCAF1", &now, "ATCAF1\rOK\r\r>");
  expect (elm, "ATPC", &now, "ATPC\rOK\r\r>");
  expect (elm, "ATCS", &now, "ATCS\rT:00 R:00\r\r>");

  rv = tx (elm, "ATRV", &now);
  g_assert_true (g_regex_match_simple ("^ATRV\r1[34]\\.[0-9]V\r\r>$", rv, 0, 0));

  /* ATWS keeps nothing but prints the banner too; ATD restores defaults. */
  expect (elm, "ATE0", &now, "ATE0\rOK\r\r>");
  expect (elm, "ATI", &now, "ELM327 v2.1\r\r>");
  expect (elm, "ATWS", &now, "\r\rELM327 v2.1\r\r>");
  expect (elm, "ATE0", &now, "ATE0\rOK\r\r>");
  expect (elm, "ATD", &now, "OK\r\r>");
  expect (elm, "ATI", &now, "ATI\rELM327 v2.1\r\r>");

  /* python-OBD probes with DEL characters: answered with "?" and a prompt. */
  expect (elm, "\x7F\x7F", &now, "\x7F\x7F\r?\r\r>");
}

static void
test_at_formatting (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (NULL, &now);
  g_autofree char *first = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *packed = NULL;
  g_autofree char *lf = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *caf0 = NULL;

  first = body (elm, "0100", &now);
  g_assert_cmpstr (first, ==, "SEARCHING...\r41 00 BF BF B9 93 \r41 00 80 08 00 10 ");

  /* CAN, headers off: data bytes followed by a space each (ELM327 prints
   * a space after every byte with S1). */
  spaced = body (elm, "0100", &now);
  g_assert_cmpstr (spaced, ==, "41 00 BF BF B9 93 \r41 00 80 08 00 10 ");

  expect (elm, "ATS0", &now, "OK\r\r>");
  packed = body (elm, "0100", &now);
  g_assert_cmpstr (packed, ==, "4100BFBFB993\r410080080010");

  expect (elm, "ATS1", &now, "OK\r\r>");
  expect (elm, "ATL1", &now, "OK\r\n\r\n>");
  lf = tx (elm, "0120", &now);
  g_assert_true (g_regex_match_simple ("^41 20 [0-9A-F ]+\r\n\r\n>$", lf, 0, 0));
  expect (elm, "ATL0", &now, "OK\r\r>");

  /* Headers on: ID, PCI and all eight bytes with the ECU's padding. */
  expect (elm, "ATH1", &now, "OK\r\r>");
  headers = body (elm, "0100", &now);
  g_assert_cmpstr (headers, ==,
                   "7E8 06 41 00 BF BF B9 93 AA \r7E9 06 41 00 80 08 00 10 00 ");

  /* CAF0, headers off: the frame as received without the ID. */
  expect (elm, "ATH0", &now, "OK\r\r>");
  expect (elm, "ATCAF0", &now, "OK\r\r>");
  caf0 = body (elm, "0100", &now);
  g_assert_cmpstr (caf0, ==, "06 41 00 BF BF B9 93 AA \r06 41 00 80 08 00 10 00 ");
  expect (elm, "ATCAF1", &now, "OK\r\r>");

  /* An empty line repeats the last command. */
  {
    g_autofree char *again = body (elm, "", &now);
    g_assert_cmpstr (again, ==, "OK");
  }
}

static void
test_at_addressing (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (NULL, &now);
  g_autofree char *tcm = NULL;
  g_autofree char *filtered = NULL;
  g_autofree char *ecm = NULL;

  expect (elm, "ATH1", &now, "OK\r\r>");
  expect (elm, "ATSP6", &now, "OK\r\r>");

  /* Physical addressing reaches one ECU. */
  expect (elm, "ATSH7E1", &now, "OK\r\r>");
  tcm = body (elm, "0100", &now);
  g_assert_cmpstr (tcm, ==, "7E9 06 41 00 80 08 00 10 00 ");
  expect (elm, "ATSH7E5", &now, "OK\r\r>");
  expect (elm, "0100", &now, "NO DATA\r\r>");

  /* Back to functional, filtered to the engine. */
  expect (elm, "ATSH7DF", &now, "OK\r\r>");
  expect (elm, "ATCRA7E8", &now, "OK\r\r>");
  filtered = body (elm, "0100", &now);
  g_assert_cmpstr (filtered, ==, "7E8 06 41 00 BF BF B9 93 AA ");
  expect (elm, "ATCRA", &now, "OK\r\r>");

  /* A PID only the engine has: one reply even to the functional address. */
  ecm = body (elm, "010C", &now);
  g_assert_true (g_str_has_prefix (ecm, "7E8 04 41 0C "));
  g_assert_cmpuint (count_lines (ecm), ==, 0);

  /* Unsupported PID: the ECUs stay silent. */
  expect (elm, "01FF", &now, "NO DATA\r\r>");
  expect (elm, "0G00", &now, "?\r\r>");
  expect (elm, "010C0", &now, "?\r\r>");
}

static void
test_at_29bit (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm ("?protocol=7", &now);
  g_autofree char *reply = NULL;
  g_autofree char *physical = NULL;

  expect (elm, "ATH1", &now, "OK\r\r>");
  reply = body (elm, "0100", &now);
  g_assert_cmpstr (reply, ==, "SEARCHING...\r"
                   "18 DA F1 10 06 41 00 BF BF B9 93 AA \r"
                   "18 DA F1 18 06 41 00 80 08 00 10 00 ");
  expect (elm, "ATDPN", &now, "A7\r\r>");
  expect (elm, "ATSH DA18F1", &now, "OK\r\r>");
  physical = body (elm, "0100", &now);
  g_assert_cmpstr (physical, ==, "18 DA F1 18 06 41 00 80 08 00 10 00 ");
}

static void
test_multiframe_vin (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (NULL, &now);
  g_autofree char *h0 = NULL;
  g_autofree char *h1 = NULL;
  g_autofree char *s0 = NULL;
  const char *vin = obd_sim_vehicle_get_vin (obd_sim_elm_get_vehicle (elm));

  g_assert_cmpstr (vin, ==, "1HGCR2F30EA012345");
  g_assert_true (obd_vin_validate (vin, NULL));

  /* Headers off: total length, then numbered segments (datasheet). */
  h0 = body (elm, "0902", &now);
  g_assert_cmpstr (h0, ==, "SEARCHING...\r014\r"
                   "0: 49 02 01 31 48 47 \r"
                   "1: 43 52 32 46 33 30 45 \r"
                   "2: 41 30 31 32 33 34 35 ");

  expect (elm, "ATH1", &now, "OK\r\r>");
  h1 = body (elm, "0902", &now);
  g_assert_cmpstr (h1, ==,
                   "7E8 10 14 49 02 01 31 48 47 \r"
                   "7E8 21 43 52 32 46 33 30 45 \r"
                   "7E8 22 41 30 31 32 33 34 35 ");

  /* Two multi-frame replies share the bus; each ECU's frames stay in
   * sequence order. */
  {
    g_autofree char *names = body (elm, "090A", &now);
    g_auto(GStrv) lines = g_strsplit (names, "\r", -1);
    guint next[2] = { 0x10, 0x10 };

    g_assert_cmpuint (g_strv_length (lines), ==, 8);
    g_assert_true (g_str_has_prefix (lines[0], "7E8 10 17 49 0A 01 45 43 4D"));
    for (guint i = 0; i < 8; i++)
      {
        guint ecu = g_str_has_prefix (lines[i], "7E9") ? 1 : 0;
        guint pci = g_ascii_xdigit_value (lines[i][4]) << 4 | g_ascii_xdigit_value (lines[i][5]);

        g_assert_cmpuint (pci, ==, next[ecu]);
        next[ecu] = next[ecu] == 0x10 ? 0x21 : next[ecu] + 1;
      }
    g_assert_cmpuint (next[0], ==, 0x24);
    g_assert_cmpuint (next[1], ==, 0x24);
  }

  expect (elm, "ATH0", &now, "OK\r\r>");
  expect (elm, "ATS0", &now, "OK\r\r>");
  s0 = body (elm, "0902", &now);
  g_assert_cmpstr (s0, ==, "014\r0:490201314847\r1:43523246333045\r2:41303132333435");
}

static void
test_response_count (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (NULL, &now);
  g_autofree char *warm = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  gint64 start, without, with;

  warm = body (elm, "010C", &now);
  start = now;
  g_free (body (elm, "010C", &now));
  without = now - start;
  start = now;
  one = body (elm, "010C 1", &now);
  with = now - start;
  g_assert_cmpuint (count_lines (one), ==, 0);
  g_assert_true (g_str_has_prefix (one, "41 0C "));
  /* The adapter returns right after the reply instead of waiting. */
  g_assert_cmpint (with, <, without);
  g_assert_cmpint (with, <, 15000);
  g_assert_cmpint (without - with, >=, 15000);

  /* Two replies expected to 0100: both arrive, then the prompt at once. */
  start = now;
  two = body (elm, "01002", &now);
  g_assert_cmpuint (count_lines (two), ==, 1);
  g_assert_cmpint (now - start, <, 20000);
}

/* ------------------------------------------------------------------ */
/* Live data decodes to plausible values */

static double
decode_first (guint8        pid,
              const guint8 *data,
              gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = obd_value_array_new ();

  g_assert_true (obd_pid_decode (pid, data, len, values, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, >=, 1);
  return g_array_index (values, ObdValue, 0).value;
}

static double
live (ObdSimElm  *elm,
      guint8      pid,
      gint64     *now)
{
  g_autofree char *cmd = g_strdup_printf ("01%02X 1", pid);
  g_autoptr(GByteArray) bytes = reply_bytes (elm, cmd, now);

  g_assert_cmpuint (bytes->len, >=, 3);
  g_assert_cmpuint (bytes->data[0], ==, 0x41);
  g_assert_cmpuint (bytes->data[1], ==, pid);
  return decode_first (pid, bytes->data + 2, bytes->len - 2);
}

static void
test_live_idle (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm ("healthy-idle?seed=7", &now);
  static const guint8 pids[] = {
    0x03, 0x04, 0x05, 0x06, 0x07, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x13, 0x14,
    0x15, 0x1C, 0x1F, 0x21, 0x2F, 0x30, 0x31, 0x33, 0x3C, 0x42, 0x43, 0x44, 0x45, 0x46,
    0x47, 0x49, 0x4C, 0x51, 0x5C, 0x5E,
  };
  double rpm_min = 1e9, rpm_max = 0;

  g_free (body (elm, "0100", &now));
  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    live (elm, pids[i], &now);

  /* Idle: about 750 rpm with a little noise, standing still, warm-ish. */
  for (guint i = 0; i < 40; i++)
    {
      double rpm = live (elm, 0x0C, &now);

      rpm_min = MIN (rpm_min, rpm);
      rpm_max = MAX (rpm_max, rpm);
      now += 250000;
    }
  g_assert_cmpfloat (rpm_min, >, 700);
  g_assert_cmpfloat (rpm_max, <, 800);
  g_assert_cmpfloat (rpm_max - rpm_min, >, 2);
  g_assert_cmpfloat (live (elm, 0x0D, &now), ==, 0);
  g_assert_cmpfloat (live (elm, 0x42, &now), >, 13.5);

  /* Coolant warms up towards 90 °C. */
  {
    double before = live (elm, 0x05, &now);
    double after;

    now += 900 * G_USEC_PER_SEC;
    after = live (elm, 0x05, &now);
    g_assert_cmpfloat (after, >, before);
    g_assert_cmpfloat (after, >, 80);
    g_assert_cmpfloat (after, <, 95);
  }

  /* Six PIDs in one request, one message back (ISO 15765-4). */
  {
    g_autoptr(GByteArray) multi = reply_bytes (elm, "010C0D05040B11 1", &now);
    g_autoptr(GArray) values = obd_value_array_new ();
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (multi->data[0], ==, 0x41);
    g_assert_true (obd_pid_decode_multi (multi->data + 1, multi->len - 1, values, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (values->len, >=, 6);
  }
}

static void
test_live_driving (void)
{
  g_autoptr(ObdSimVehicle) car = obd_sim_vehicle_new ("driving-cycle", 3, NULL);
  double max_speed = 0;

  for (gint64 t = 0; t < 240; t++)
    {
      double speed, rpm, maf, map, load;

      obd_sim_vehicle_set_time (car, t * G_USEC_PER_SEC);
      speed = obd_sim_vehicle_get_value (car, "speed");
      rpm = obd_sim_vehicle_get_value (car, "rpm");
      maf = obd_sim_vehicle_get_value (car, "maf");
      map = obd_sim_vehicle_get_value (car, "map");
      load = obd_sim_vehicle_get_value (car, "load");
      max_speed = MAX (max_speed, speed);
      g_assert_cmpfloat (rpm, >, 600);
      g_assert_cmpfloat (rpm, <, 4500);
      /* Consistent air path: more load, more manifold pressure, more air. */
      g_assert_cmpfloat (map, >, 20);
      g_assert_cmpfloat (map, <, 101);
      g_assert_cmpfloat (maf, >, 1);
      if (load > 60)
        g_assert_cmpfloat (maf, >, 10);
    }
  g_assert_cmpfloat (max_speed, >, 95);
  g_assert_cmpfloat (max_speed, <, 105);
  g_assert_true (isnan (obd_sim_vehicle_get_value (car, "no-such-value")));
}

/* ------------------------------------------------------------------ */
/* Scenarios */

typedef struct
{
  const char *scenario;
  const char *stored;
  const char *pending;
  const char *permanent;
  gboolean    mil;
  guint8      incomplete;   /* PID 01 byte D */
  guint16     freeze_dtc;
} ScenarioCase;

static const ScenarioCase scenario_cases[] = {
  { "healthy-idle", "", "", "", FALSE, 0x00, 0 },
  { "misfire", "P0300 P0301", "P0300 P0301", "P0300", TRUE, 0x01, 0x0300 },
  { "overheating", "P0217", "P0217", "P0217", TRUE, 0x00, 0x0217 },
  { "lean-mixture", "P0171 P0174", "P0171 P0174", "P0171 P0174", TRUE, 0x00, 0x0171 },
  { "failing-catalyst", "P0420", "P0420", "P0420", TRUE, 0x00, 0x0420 },
  { "weak-battery", "P0562", "", "", FALSE, 0x00, 0x0562 },
  /* The guide scenarios (data/guides/). */
  { "stuck-thermostat", "P0128", "P0128", "P0128", TRUE, 0x00, 0x0128 },
  { "failing-maf", "P0171 P0174", "P0101", "P0171 P0174", TRUE, 0x00, 0x0171 },
  { "maf-circuit-low", "P0102", "P0102", "P0102", TRUE, 0x00, 0x0102 },
  { "dead-o2-heater", "P0135 P0141", "P0135 P0141", "P0135 P0141", TRUE, 0x00, 0x0135 },
  { "lazy-o2", "P0133", "P0133", "P0133", TRUE, 0x00, 0x0133 },
  { "o2-downstream-low", "P0137", "P0137", "P0137", TRUE, 0x00, 0x0137 },
  { "evap-large-leak", "P0455", "P0455", "P0455", TRUE, 0x00, 0x0455 },
  { "evap-small-leak", "P0442", "P0442", "P0442", TRUE, 0x00, 0x0442 },
  { "evap-purge-stuck", "P0441", "P0441", "P0441", TRUE, 0x00, 0x0441 },
  { "evap-vent-blocked", "P0446", "P0446", "P0446", TRUE, 0x00, 0x0446 },
  { "crank-sensor", "P0335", "P0335", "P0335", TRUE, 0x00, 0x0335 },
  { "cam-sensor", "P0340", "P0340", "P0340", TRUE, 0x00, 0x0340 },
  { "vss-fault", "P0500", "P0500", "P0500", TRUE, 0x00, 0x0500 },
  { "overcharging", "P0563", "", "", FALSE, 0x00, 0x0563 },
  { "lost-communication", "", "", "", FALSE, 0x00, 0 },
  { "rich-mixture", "P0172 P0175", "P0172 P0175", "P0172 P0175", TRUE, 0x00, 0x0172 },
  { "failing-catalyst-b2", "P0430", "P0430", "P0430", TRUE, 0x00, 0x0430 },
  { "random-misfire", "P0300", "P0300", "P0300", TRUE, 0x01, 0x0300 },
  { "no-start", "", "", "", FALSE, 0x00, 0 },
  { "egr-stuck-open", "", "P0402", "", FALSE, 0x00, 0 },
  { "dirty-throttle", "P0506", "P0506", "", TRUE, 0x00, 0x0506 },
  { "mil-no-codes", "", "", "", FALSE, 0x00, 0 },
  { "ect-circuit-high", "P0118", "P0118", "P0118", TRUE, 0x00, 0x0118 },
  { "tps-glitch", "P0123", "P0123", "P0123", TRUE, 0x00, 0x0123 },
  { "map-hose-off", "P0106", "P0106", "P0106", TRUE, 0x00, 0x0106 },
};

/* Mode 06 record of mid/tid: value, min, max. */
static gboolean
mode06_record (ObdSimElm *elm,
               guint8     mid,
               guint8     tid,
               gint64    *now,
               guint     *value,
               guint     *min,
               guint     *max)
{
  g_autofree char *cmd = g_strdup_printf ("06%02X", mid);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autoptr(GByteArray) bytes = NULL;

  expect (elm, "ATH0", now, "OK\r\r>");
  text = body (elm, cmd, now);
  /* Single frame or "0NN\r0: ...\r1: ..." segments: drop the labels. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\r", -1);

    for (guint i = 0; lines[i]; i++)
      {
        const char *colon = strchr (lines[i], ':');

        if (colon)
          g_string_append (all, colon + 1);
        else if (g_strv_length (lines) == 1)
          g_string_append (all, lines[i]);
      }
  }
  bytes = hex_bytes (all->str);
  g_assert_cmpuint (bytes->data[0], ==, 0x46);
  g_assert_cmpuint ((bytes->len - 1) % 9, ==, 0);
  for (guint i = 1; i + 9 <= bytes->len; i += 9)
    {
      const guint8 *r = bytes->data + i;

      g_assert_cmpuint (r[0], ==, mid);
      if (r[1] == tid)
        {
          *value = r[3] << 8 | r[4];
          *min = r[5] << 8 | r[6];
          *max = r[7] << 8 | r[8];
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_scenario (gconstpointer data)
{
  const ScenarioCase *c = data;
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (c->scenario, &now);
  g_autofree char *stored = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *permanent = NULL;
  g_autoptr(GByteArray) status = NULL;
  g_autoptr(GByteArray) freeze = NULL;
  guint value, min, max;

  g_free (body (elm, "0100", &now));
  stored = engine_dtcs (elm, "03", &now);
  pending = engine_dtcs (elm, "07", &now);
  permanent = engine_dtcs (elm, "0A", &now);
  g_assert_cmpstr (stored, ==, c->stored);
  g_assert_cmpstr (pending, ==, c->pending);
  g_assert_cmpstr (permanent, ==, c->permanent);

  /* PID 01: MIL, number of codes, readiness. */
  status = reply_bytes (elm, "0101 1", &now);
  g_assert_cmpuint (status->len, ==, 6);
  g_assert_cmpuint (!!(status->data[2] & 0x80), ==, c->mil);
  g_assert_cmpuint (status->data[2] & 0x7F, ==, strlen (c->stored) ? (strlen (c->stored) + 1) / 6 : 0);
  g_assert_cmpuint (status->data[4], ==, 0xE5);
  g_assert_cmpuint (status->data[5], ==, c->incomplete);

  /* Freeze frame: PID 02 names the code that stored it. */
  freeze = reply_bytes (elm, "0202 00", &now);
  g_assert_cmpuint (freeze->len, ==, 5);
  g_assert_cmpuint (freeze->data[3] << 8 | freeze->data[4], ==, c->freeze_dtc);

  if (g_str_equal (c->scenario, "misfire"))
    {
      g_autoptr(GByteArray) rpm = reply_bytes (elm, "020C00 1", &now);

      g_assert_cmpuint (rpm->len, ==, 5);
      g_assert_true (mode06_record (elm, 0xA2, 0x0C, &now, &value, &min, &max));
      g_assert_cmpuint (value, >, max);
      g_assert_true (mode06_record (elm, 0xA3, 0x0C, &now, &value, &min, &max));
      g_assert_cmpuint (value, <=, max);
      /* Rough idle. */
      {
        double lo = 1e9, hi = 0;

        for (guint i = 0; i < 40; i++)
          {
            double rpm_now = live (elm, 0x0C, &now);
            lo = MIN (lo, rpm_now);
            hi = MAX (hi, rpm_now);
            now += 100000;
          }
        g_assert_cmpfloat (hi - lo, >, 60);
      }
    }
  else if (g_str_equal (c->scenario, "overheating"))
    {
      g_autoptr(GByteArray) ect = reply_bytes (elm, "020500 1", &now);
      double frozen = decode_first (0x05, ect->data + 3, ect->len - 3);

      g_assert_cmpfloat (frozen, >, 110);
      now += 300 * G_USEC_PER_SEC;
      g_assert_cmpfloat (live (elm, 0x05, &now), >, 110);
    }
  else if (g_str_equal (c->scenario, "lean-mixture"))
    {
      double ltft1 = live (elm, 0x07, &now);
      double ltft2 = live (elm, 0x09, &now);

      g_assert_cmpfloat (ltft1, >=, 19.5);
      g_assert_cmpfloat (ltft1, <=, 25.5);
      g_assert_cmpfloat (ltft2, >=, 19.5);
      g_assert_cmpfloat (ltft2, <=, 25.5);
    }
  else if (g_str_equal (c->scenario, "failing-catalyst"))
    {
      double down_min = 9, down_max = 0;

      g_assert_true (mode06_record (elm, 0x21, 0x80, &now, &value, &min, &max));
      g_assert_cmpuint (value, >, max);
      g_assert_true (mode06_record (elm, 0x22, 0x80, &now, &value, &min, &max));
      g_assert_cmpuint (value, <=, max);
      /* The downstream sensor switches like the upstream one. */
      for (guint i = 0; i < 30; i++)
        {
          g_autoptr(GByteArray) o2 = reply_bytes (elm, "0115 1", &now);
          double v = o2->data[2] / 200.0;

          down_min = MIN (down_min, v);
          down_max = MAX (down_max, v);
          now += 97000;
        }
      g_assert_cmpfloat (down_max - down_min, >, 0.4);
    }
  else if (g_str_equal (c->scenario, "weak-battery"))
    {
      double volts;
      g_autofree char *rv = NULL;

      /* Cranking pulls the system below 10 V in the first second. */
      g_assert_cmpfloat (obd_sim_vehicle_get_value (obd_sim_elm_get_vehicle (elm),
                                                    "ctrl_voltage"), <, 10.0);
      now += 5 * G_USEC_PER_SEC;
      volts = live (elm, 0x42, &now);

      g_assert_cmpfloat (volts, >=, 11.0);
      g_assert_cmpfloat (volts, <=, 11.9);
      rv = body (elm, "ATRV", &now);
      g_assert_true (g_str_has_prefix (rv, "11."));
    }
  else if (g_str_equal (c->scenario, "healthy-idle"))
    {
      static const guint8 mids[][2] = {
        { 0x01, 0x05 }, { 0x02, 0x07 }, { 0x21, 0x80 }, { 0x22, 0x80 }, { 0x31, 0x80 },
        { 0x3C, 0x80 }, { 0xA1, 0x0C }, { 0xA2, 0x0C }, { 0xA7, 0x0B },
      };

      for (guint i = 0; i < G_N_ELEMENTS (mids); i++)
        {
          g_assert_true (mode06_record (elm, mids[i][0], mids[i][1], &now, &value, &min, &max));
          g_assert_cmpuint (value, >=, min);
          g_assert_cmpuint (value, <=, max);
        }
      /* Supported MIDs chain up to the misfire range. */
      expect (elm, "0600", &now, "46 00 CC 00 00 01 \r\r>");
      expect (elm, "06A0", &now, "46 A0 FE 00 00 00 \r\r>");
    }
}

/* The guide scenarios' stories, straight from the vehicle model: what
 * each guide's live checks will see. */
static double
vehicle_pid (ObdSimVehicle *vehicle,
             guint          ecu,
             guint8         pid,
             guint          index)
{
  guint8 request[2] = { 0x01, pid };
  g_autoptr(GPtrArray) replies = obd_sim_vehicle_request (vehicle, ecu, request, 2, TRUE);
  g_autoptr(GArray) values = obd_value_array_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data;

  if (replies == NULL)
    return NAN;
  data = g_bytes_get_data (g_ptr_array_index (replies, 0), &len);
  g_assert_cmpuint (data[0], ==, 0x41);
  g_assert_true (obd_pid_decode_multi (data + 1, len - 1, values, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (index, <, values->len);
  return g_array_index (values, ObdValue, index).value;
}

/* Minimum and maximum of a PID over seconds, sampled every 100 ms. */
static void
vehicle_range (ObdSimVehicle *vehicle,
               guint8         pid,
               guint          index,
               double         seconds,
               double        *lo,
               double        *hi)
{
  gint64 t = obd_sim_vehicle_get_time (vehicle);

  *lo = G_MAXDOUBLE;
  *hi = -G_MAXDOUBLE;
  for (gint64 end = t + (gint64) (seconds * G_USEC_PER_SEC); t < end; t += 100000)
    {
      double v;

      obd_sim_vehicle_set_time (vehicle, t);
      v = vehicle_pid (vehicle, 0, pid, index);
      *lo = MIN (*lo, v);
      *hi = MAX (*hi, v);
    }
}

static ObdSimVehicle *
story (const char *scenario)
{
  g_autoptr(GError) error = NULL;
  ObdSimVehicle *vehicle = obd_sim_vehicle_new (scenario, 1, &error);

  g_assert_no_error (error);
  return vehicle;
}

static double
total_trim (ObdSimVehicle *vehicle,
            guint          bank)
{
  return vehicle_pid (vehicle, 0, bank ? 0x08 : 0x06, 0) +
         vehicle_pid (vehicle, 0, bank ? 0x09 : 0x07, 0);
}

static void
test_scenario_stories (void)
{
  double lo, hi;

  {
    /* Stuck-open thermostat: cold start, never past 75 °C in 15 min;
     * the healthy driving cycle passes 80 °C within 10 min. */
    g_autoptr(ObdSimVehicle) v = story ("stuck-thermostat");
    g_autoptr(ObdSimVehicle) ok = story ("driving-cycle");

    g_assert_cmpfloat (vehicle_pid (v, 0, 0x05, 0), <, 30);
    g_assert_cmpfloat (vehicle_pid (v, 0, 0x1F, 0), <, 5);
    obd_sim_vehicle_set_time (v, 900 * G_USEC_PER_SEC);
    g_assert_cmpfloat (vehicle_pid (v, 0, 0x05, 0), <, 75);
    obd_sim_vehicle_set_time (ok, 600 * G_USEC_PER_SEC);
    g_assert_cmpfloat (vehicle_pid (ok, 0, 0x05, 0), >=, 80);
  }
  {
    /* Vacuum leak: lean at idle, back within 10 % held at 2500 rpm.
     * Failing MAF: lean at idle and worse held at 2500 rpm. */
    g_autoptr(ObdSimVehicle) leak = story ("lean-mixture");
    g_autoptr(ObdSimVehicle) maf = story ("failing-maf");

    obd_sim_vehicle_set_time (leak, 5 * G_USEC_PER_SEC);
    obd_sim_vehicle_set_time (maf, 5 * G_USEC_PER_SEC);
    g_assert_cmpfloat (total_trim (leak, 0), >, 20);
    g_assert_cmpfloat (total_trim (maf, 0), >, 10);
    g_assert_cmpfloat (total_trim (maf, 0), <, 20);
    obd_sim_vehicle_hold_rpm (leak, 2500);
    obd_sim_vehicle_hold_rpm (maf, 2500);
    obd_sim_vehicle_set_time (leak, 10 * G_USEC_PER_SEC);
    obd_sim_vehicle_set_time (maf, 10 * G_USEC_PER_SEC);
    g_assert_cmpfloat (fabs (vehicle_pid (leak, 0, 0x0C, 0) - 2500), <, 40);
    g_assert_cmpfloat (fabs (total_trim (leak, 0)), <, 10);
    g_assert_cmpfloat (total_trim (maf, 1), >, 22);
    obd_sim_vehicle_hold_rpm (leak, 0);
    obd_sim_vehicle_set_time (leak, 15 * G_USEC_PER_SEC);
    g_assert_cmpfloat (vehicle_pid (leak, 0, 0x0C, 0), <, 800);
  }
  {
    /* Dead bank 1 heaters: flat at the bias voltage after a cold start,
     * while bank 2 switches. */
    g_autoptr(ObdSimVehicle) v = story ("dead-o2-heater");

    obd_sim_vehicle_set_time (v, 30 * G_USEC_PER_SEC);
    vehicle_range (v, 0x14, 0, 5, &lo, &hi);
    g_assert_cmpfloat (hi - lo, <, 0.05);
    vehicle_range (v, 0x18, 0, 5, &lo, &hi);
    g_assert_cmpfloat (hi - lo, >, 0.5);
  }
  {
    /* Crank signal drops out; the VSS reads 0 while the engine pulls
     * a gear; the lost ECM is silent for 4 s in 25 while the TCM keeps
     * U0100; the TCM asks for the MIL with P0700. */
    g_autoptr(ObdSimVehicle) crank = story ("crank-sensor");
    g_autoptr(ObdSimVehicle) vss = story ("vss-fault");
    g_autoptr(ObdSimVehicle) lost = story ("lost-communication");
    g_autoptr(ObdSimVehicle) mil = story ("mil-no-codes");
    guint8 codes[1] = { 0x03 };
    g_autoptr(GPtrArray) tcm = NULL;
    gsize len;
    const guint8 *data;

    vehicle_range (crank, 0x0C, 0, 17, &lo, &hi);
    g_assert_cmpfloat (lo, ==, 0);
    g_assert_cmpfloat (hi, >, 700);
    obd_sim_vehicle_set_time (vss, 50 * G_USEC_PER_SEC);
    g_assert_cmpfloat (vehicle_pid (vss, 0, 0x0C, 0), >, 1500);
    g_assert_cmpfloat (vehicle_pid (vss, 0, 0x0D, 0), ==, 0);
    obd_sim_vehicle_set_time (lost, 21 * G_USEC_PER_SEC);
    g_assert_true (isnan (vehicle_pid (lost, 0, 0x0C, 0)));
    g_assert_false (isnan (vehicle_pid (lost, 1, 0x0D, 0)));
    tcm = obd_sim_vehicle_request (lost, 1, codes, 1, TRUE);
    g_assert_nonnull (tcm);
    data = g_bytes_get_data (g_ptr_array_index (tcm, 0), &len);
    g_assert_cmpuint (len, ==, 4);
    g_assert_cmpuint (data[1], ==, 1);
    g_assert_cmpuint (data[2] << 8 | data[3], ==, 0xC100);
    obd_sim_vehicle_set_time (lost, 26 * G_USEC_PER_SEC);
    g_assert_false (isnan (vehicle_pid (lost, 0, 0x0C, 0)));
    g_assert_cmpfloat (vehicle_pid (mil, 0, 0x01, 0), ==, 0);
    g_assert_cmpfloat (vehicle_pid (mil, 1, 0x01, 0), ==, 1);
  }
  {
    /* Cranking: about 200 rpm on a sagging battery, no pedal effect. */
    g_autoptr(ObdSimVehicle) v = story ("no-start");

    obd_sim_vehicle_hold_rpm (v, 2500);
    vehicle_range (v, 0x0C, 0, 5, &lo, &hi);
    g_assert_cmpfloat (lo, >, 150);
    g_assert_cmpfloat (hi, <, 260);
    g_assert_cmpfloat (vehicle_pid (v, 0, 0x42, 0), <, 11);
  }
  {
    /* Stuck EGR and a hose off the MAP sensor both read high manifold
     * pressure at idle; a dirty throttle idles low. */
    g_autoptr(ObdSimVehicle) egr = story ("egr-stuck-open");
    g_autoptr(ObdSimVehicle) map = story ("map-hose-off");
    g_autoptr(ObdSimVehicle) throttle = story ("dirty-throttle");
    g_autoptr(ObdSimVehicle) ok = story ("healthy-idle");

    g_assert_cmpfloat (vehicle_pid (ok, 0, 0x0B, 0), <, 40);
    g_assert_cmpfloat (vehicle_pid (egr, 0, 0x0B, 0), >, 44);
    g_assert_cmpfloat (vehicle_pid (map, 0, 0x0B, 0), >, 95);
    vehicle_range (throttle, 0x0C, 0, 10, &lo, &hi);
    g_assert_cmpfloat (hi, <, 700);
  }
}

static void
test_scenario_clear (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm ("misfire", &now);
  g_autofree char *stored = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *permanent = NULL;
  g_autofree char *later = NULL;
  g_autoptr(GByteArray) status = NULL;
  guint value, min, max;

  g_free (body (elm, "0100", &now));
  expect (elm, "04", &now, "44 \r44 \r\r>");
  stored = engine_dtcs (elm, "03", &now);
  pending = engine_dtcs (elm, "07", &now);
  permanent = engine_dtcs (elm, "0A", &now);
  g_assert_cmpstr (stored, ==, "");
  g_assert_cmpstr (pending, ==, "");
  /* Permanent codes stay until the monitor passes. */
  g_assert_cmpstr (permanent, ==, "P0300");

  status = reply_bytes (elm, "0101 1", &now);
  g_assert_cmpuint (status->data[2], ==, 0x00);
  g_assert_cmpuint (status->data[5], ==, 0xE5);   /* all incomplete again */
  expect (elm, "0202 00", &now, "42 02 00 00 00 \r\r>");
  expect (elm, "020C00", &now, "NO DATA\r\r>");
  g_assert_true (mode06_record (elm, 0x21, 0x80, &now, &value, &min, &max));
  g_assert_cmpuint (max, ==, 0);

  /* The fault is still there: pending again after a while, with a new
   * freeze frame. */
  now += 30 * G_USEC_PER_SEC;
  later = engine_dtcs (elm, "07", &now);
  g_assert_cmpstr (later, ==, "P0300 P0301");
  expect (elm, "0202 00", &now, "42 02 00 03 00 \r\r>");
}

static void
test_scenario_readiness_drive (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm ("driving-cycle", &now);
  g_autoptr(GByteArray) start = NULL;
  g_autoptr(GByteArray) end = NULL;

  g_free (body (elm, "0100", &now));
  start = reply_bytes (elm, "0101 1", &now);
  g_assert_cmpuint (start->data[5], ==, 0xE5);
  now += 1000 * G_USEC_PER_SEC;
  end = reply_bytes (elm, "0101 1", &now);
  g_assert_cmpuint (end->data[5], ==, 0x00);
}

/* ------------------------------------------------------------------ */
/* Legacy protocols */

static guint8
crc8_j1850 (const guint8 *data,
            gsize         len)
{
  guint8 crc = 0xFF;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (guint b = 0; b < 8; b++)
        crc = crc & 0x80 ? (guint8) ((crc << 1) ^ 0x1D) : (guint8) (crc << 1);
    }
  return ~crc;
}

static void
test_legacy_iso9141 (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm ("misfire?protocol=3", &now);
  g_autofree char *first = NULL;
  g_autofree char *vin = NULL;
  g_autofree char *dtcs = NULL;
  g_autoptr(GByteArray) line = NULL;
  g_auto(GStrv) lines = NULL;
  guint sum = 0;

  expect (elm, "ATSP3", &now, "OK\r\r>");
  expect (elm, "ATH1", &now, "OK\r\r>");
  first = body (elm, "010C", &now);
  /* 5-baud initialisation first, then ISO 9141-2 headers 48 6B src. */
  g_assert_true (g_str_has_prefix (first, "BUS INIT: ...OK\r48 6B 10 41 0C "));
  line = hex_bytes (first + strlen ("BUS INIT: ...OK\r"));
  g_assert_cmpuint (line->len, ==, 8);
  for (guint i = 0; i + 1 < line->len; i++)
    sum += line->data[i];
  g_assert_cmpuint (sum & 0xFF, ==, line->data[line->len - 1]);

  /* Mode 09 VIN in numbered messages, padded with leading zeros. */
  expect (elm, "ATH0", &now, "OK\r\r>");
  vin = body (elm, "0902", &now);
  g_assert_cmpstr (vin, ==,
                   "49 02 01 00 00 00 31 \r49 02 02 48 47 43 52 \r49 02 03 32 46 33 30 \r"
                   "49 02 04 45 41 30 31 \r49 02 05 32 33 34 35 ");
  /* Three codes per message, 0000 padding. */
  dtcs = body (elm, "03", &now);
  g_assert_cmpstr (dtcs, ==, "43 03 00 03 01 00 00 ");
  lines = g_strsplit (dtcs, "\r", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);

  /* No Mode 06 on the legacy layout. */
  expect (elm, "0600", &now, "NO DATA\r\r>");
  expect (elm, "ATDPN", &now, "3\r\r>");
}

static void
test_legacy_j1850_kwp (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) pwm = quiet_elm ("?protocol=1", &now);
  g_autoptr(ObdSimElm) kwp = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *kwp_reply = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GByteArray) kbytes = NULL;

  expect (pwm, "ATH1", &now, "OK\r\r>");
  reply = body (pwm, "0100", &now);
  g_assert_true (g_str_has_prefix (reply, "SEARCHING...\r41 6B 10 41 00 BF BF B9 93 "));
  bytes = hex_bytes (strchr (reply, '\r') + 1);
  g_assert_cmpuint (bytes->len, >=, 10);
  g_assert_cmpuint (crc8_j1850 (bytes->data, 9), ==, bytes->data[9]);
  expect (pwm, "ATDPN", &now, "A1\r\r>");

  kwp = quiet_elm ("?protocol=5", &now);
  expect (kwp, "ATSP5", &now, "OK\r\r>");
  expect (kwp, "ATH1", &now, "OK\r\r>");
  kwp_reply = body (kwp, "010D", &now);
  /* KWP: format byte 0x80 + length, target F1, source, sum checksum. */
  g_assert_true (g_str_has_prefix (kwp_reply, "BUS INIT: OK\r83 F1 10 41 0D 00 "));
  {
    g_auto(GStrv) lines = g_strsplit (kwp_reply, "\r", -1);

    /* Both ECUs know PID 0D: the transmission answers from address 18. */
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    g_assert_true (g_str_has_prefix (lines[2], "83 F1 18 41 0D 00 "));
    kbytes = hex_bytes (lines[1]);
  }
  g_assert_cmpuint (kbytes->len, ==, 7);
  g_assert_cmpuint ((0x83 + 0xF1 + 0x10 + 0x41 + 0x0D + 0x00) & 0xFF, ==, kbytes->data[6]);
}

static void
test_legacy_errors (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (NULL, &now);
  g_autoptr(ObdSimElm) off = NULL;
  g_autoptr(ObdSimElm) kline = NULL;
  ObdSimFaults faults = { 0 };

  /* The vehicle speaks CAN: K-line init fails, a 250k CAN bus errors. */
  expect (elm, "ATSP3", &now, "OK\r\r>");
  expect (elm, "0100", &now, "BUS INIT: ...ERROR\r\r>");
  expect (elm, "ATSP8", &now, "OK\r\r>");
  expect (elm, "0100", &now, "CAN ERROR\r\r>");
  expect (elm, "ATSP7", &now, "OK\r\r>");
  expect (elm, "0100", &now, "NO DATA\r\r>");

  /* Ignition off: the search finds nobody. */
  off = quiet_elm ("?fault=ignition-off", &now);
  expect (off, "0100", &now, "SEARCHING...\rUNABLE TO CONNECT\r\r>");
  faults.ignition_off = FALSE;
  obd_sim_elm_set_faults (off, &faults);
  {
    g_autofree char *ok = body (off, "0100", &now);
    g_assert_true (g_str_has_prefix (ok, "SEARCHING...\r41 00 "));
  }

  kline = quiet_elm ("?protocol=3&fault=ignition-off", &now);
  expect (kline, "ATSP3", &now, "OK\r\r>");
  expect (kline, "0100", &now, "BUS INIT: ...ERROR\r\r>");
}

/* ------------------------------------------------------------------ */
/* Timing model */

static void
test_timing_model (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm ("?baud=38400", &now);
  ObdSimTiming timing = *obd_sim_elm_get_timing (elm);
  gint64 start, at0, at1, at2, six, estimate;
  g_autofree char *reply = NULL;

  g_assert_cmpuint (timing.baud, ==, 38400);

  /* Serial bytes: "ATI\r" in, 14 bytes "ELM327 v2.1\r\r>" out, at 10 bits a
   * byte, plus the command processing. */
  start = now;
  expect (elm, "ATI", &now, "ELM327 v2.1\r\r>");
  g_assert_cmpint (now - start, ==, 4 * (10 * G_USEC_PER_SEC / 38400) +
                   timing.processing_us + 14 * (10 * G_USEC_PER_SEC / 38400));

  timing.jitter_us = 0;
  obd_sim_elm_set_timing (elm, &timing);
  g_free (body (elm, "0100", &now));

  /* AT0: the full AT ST time (0x32 × 4 ms) after the last reply. */
  expect (elm, "ATAT0", &now, "OK\r\r>");
  start = now;
  g_free (body (elm, "010C", &now));
  at0 = now - start;
  g_assert_cmpint (at0, >, 200000);
  g_assert_cmpint (at0, <, 215000);

  expect (elm, "ATAT1", &now, "OK\r\r>");
  start = now;
  g_free (body (elm, "010C", &now));
  at1 = now - start;
  expect (elm, "ATAT2", &now, "OK\r\r>");
  start = now;
  g_free (body (elm, "010C", &now));
  at2 = now - start;
  g_assert_cmpint (at1, <, at0);
  g_assert_cmpint (at2, <, at1);

  /* AT ST caps the adaptive wait. */
  expect (elm, "ATAT0", &now, "OK\r\r>");
  expect (elm, "ATST05", &now, "OK\r\r>");
  start = now;
  g_free (body (elm, "010C", &now));
  g_assert_cmpint (now - start, <, 35000);
  expect (elm, "ATST32", &now, "OK\r\r>");
  expect (elm, "ATAT1", &now, "OK\r\r>");

  /* The estimate is what the model really takes with no jitter. */
  start = now;
  reply = body (elm, "010C0D05040B11 1", &now);
  six = now - start;
  estimate = obd_sim_elm_estimate_request_us (elm, "010C0D05040B11 1");
  g_assert_cmpint (estimate, ==, six);
  /* 6 PIDs a request: the limit is several hundred PIDs a second at most. */
  g_assert_cmpfloat (6.0 / (estimate / 1e6), >, 100.0);
  g_assert_cmpfloat (6.0 / (estimate / 1e6), <, 2000.0);

  /* Faster host link, faster requests. */
  {
    g_autoptr(ObdSimElm) fast = quiet_elm ("?baud=500000", &now);
    gint64 fast_estimate = obd_sim_elm_estimate_request_us (fast, "010C0D05040B11 1");

    g_assert_cmpint (fast_estimate, <, estimate);
  }
}

static void
test_timing_repeatable (void)
{
  g_autoptr(ObdSimElm) a = new_elm ("driving-cycle?seed=5");
  g_autoptr(ObdSimElm) b = new_elm ("driving-cycle?seed=5");
  gint64 ta = 0, tb = 0;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *ra = tx (a, "010C0D", &ta);
      g_autofree char *rb = tx (b, "010C0D", &tb);

      g_assert_cmpstr (ra, ==, rb);
      g_assert_cmpint (ta, ==, tb);
      ta += 123456;
      tb += 123456;
    }
}

static void
test_stopped_and_monitor (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) elm = quiet_elm (NULL, &now);
  g_autoptr(GString) text = g_string_new (NULL);
  guint8 buf[4096];
  gsize n;

  g_free (body (elm, "0100", &now));

  /* A byte arriving while the adapter waits for replies aborts it. */
  obd_sim_elm_write (elm, (const guint8 *) "010C\r", 5, now);
  obd_sim_elm_write (elm, (const guint8 *) "X", 1, now + 3000);
  for (guint i = 0; i < 100 && !g_str_has_suffix (text->str, ">"); i++)
    {
      now = MAX (now, obd_sim_elm_get_next_event (elm));
      n = obd_sim_elm_read (elm, buf, sizeof buf, now);
      g_string_append_len (text, (const char *) buf, n);
    }
  g_assert_cmpstr (text->str, ==, "STOPPED\r\r>");

  /* AT MA streams until a byte arrives. */
  g_string_truncate (text, 0);
  obd_sim_elm_write (elm, (const guint8 *) "ATMA\r", 5, now);
  now += 100000;
  n = obd_sim_elm_read (elm, buf, sizeof buf, now);
  g_assert_cmpuint (n, >, 100);
  g_assert_null (memchr (buf, '>', n));
  obd_sim_elm_write (elm, (const guint8 *) "\r", 1, now);
  for (guint i = 0; i < 1000 && !g_str_has_suffix (text->str, ">"); i++)
    {
      now = MAX (now, obd_sim_elm_get_next_event (elm));
      n = obd_sim_elm_read (elm, buf, sizeof buf, now);
      g_string_append_len (text, (const char *) buf, n);
    }
  g_assert_true (g_str_has_suffix (text->str, "STOPPED\r\r>"));

}

static void
test_buffer_full (void)
{
  gint64 now;
  g_autoptr(ObdSimElm) slow = quiet_elm ("?baud=9600", &now);
  g_autofree char *reply = NULL;

  expect (slow, "ATH1", &now, "OK\r\r>");
  reply = tx (slow, "ATMA", &now);
  g_assert_true (g_str_has_suffix (reply, "BUFFER FULL\r\r>"));
}

/* ------------------------------------------------------------------ */
/* Adapter profiles */

static void
test_profiles (void)
{
  gint64 now = 0;

  {
    g_autoptr(ObdSimElm) elm = new_elm ("?profile=clone-v15");

    expect (elm, "ATZ", &now, "ATZ\r\r\rELM327 v1.5\r\r>");
    expect (elm, "ATE0", &now, "ATE0\rOK\r\r>");
    expect (elm, "ATAT1", &now, "?\r\r>");
    expect (elm, "ATCRA7E8", &now, "?\r\r>");
    expect (elm, "ATFCSH7E0", &now, "?\r\r>");
    expect (elm, "ATH1", &now, "OK\r\r>");
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?profile=clone-no-multi", &now);
    g_autofree char *one = body (elm, "010C0D05 1", &now);

    g_assert_true (g_str_has_prefix (one, "SEARCHING...\r41 0C "));
    g_assert_cmpuint (strlen (one), ==, strlen ("SEARCHING...\r41 0C 00 00 "));
  }
  {
    g_autoptr(ObdSimElm) elm = new_elm ("?profile=clone-echo-stuck");

    expect (elm, "ATE0", &now, "ATE0\rOK\r\r>");
    expect (elm, "ATI", &now, "ATI\rELM327 v1.5\r\r>");
  }
  {
    g_autoptr(ObdSimElm) elm = new_elm ("?profile=clone-reset-drop");
    g_autofree char *reply = NULL;

    expect (elm, "ATI", &now, "ATI\rELM327 v1.5\r\r>");
    reply = tx (elm, "ATZ", &now);
    g_assert_cmpstr (reply, ==, "ATZ\r");
    g_assert_true (obd_sim_elm_is_disconnected (elm, now + 20000));
    obd_sim_elm_reconnect (elm, now + 20000);
    now += 20000;
    expect (elm, "ATI", &now, "ATI\rELM327 v1.5\r\r>");
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?profile=clone-silent-at", &now);
    g_autofree char *nothing = tx (elm, "ATST19", &now);

    g_assert_cmpstr (nothing, ==, "");
    expect (elm, "ATH0", &now, "OK\r\r>");
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?profile=bt-chatter&seed=3", &now);
    guint chatter = 0;

    for (guint i = 0; i < 40; i++)
      {
        g_autoptr(GString) reply = g_string_new (NULL);
        guint8 buf[256];
        gsize n;

        /* Read raw: the chatter may hold NUL bytes. */
        obd_sim_elm_write (elm, (const guint8 *) "ATI\r", 4, now);
        while (!g_str_has_suffix (reply->str, ">") || reply->len == 0)
          {
            now = MAX (now, obd_sim_elm_get_next_event (elm));
            n = obd_sim_elm_read (elm, buf, sizeof buf, now);
            for (gsize k = 0; k < n; k++)
              if (buf[k] != 0)
                g_string_append_c (reply, buf[k]);
              else
                g_string_append_c (reply, '~');
          }
        g_assert_true (g_str_has_suffix (reply->str, "ELM327 v1.5\r\r>"));
        if (!g_str_equal (reply->str, "ELM327 v1.5\r\r>"))
          chatter++;
      }
    g_assert_cmpuint (chatter, >, 3);
    g_assert_cmpuint (chatter, <, 30);
  }
}

/* ------------------------------------------------------------------ */
/* Faults */

static void
test_faults (void)
{
  gint64 now;

  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?fault=drop-after:3", &now);

    expect (elm, "ATI", &now, "ELM327 v2.1\r\r>");
    expect (elm, "ATI", &now, "ELM327 v2.1\r\r>");
    expect (elm, "ATI", &now, "");
    g_assert_true (obd_sim_elm_is_disconnected (elm, now + 10000));
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?fault=drop-at:1000", &now);

    g_assert_false (obd_sim_elm_is_disconnected (elm, now));
    g_assert_true (obd_sim_elm_is_disconnected (elm, 1000000));
    g_assert_cmpint (obd_sim_elm_get_next_event (elm), ==, 1000000);
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?fault=garbage:2", &now);
    g_autofree char *noisy = tx (elm, "ATI", &now);

    g_assert_true (g_str_has_suffix (noisy, "ELM327 v2.1\r\r>"));
    g_assert_cmpuint ((guchar) noisy[0], >=, 0x80);
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?fault=truncate:2", &now);
    g_autofree char *cut = tx (elm, "ATI", &now);

    g_assert_cmpuint (strlen (cut), <, strlen ("ELM327 v2.1\r\r>"));
    g_assert_null (strchr (cut, '>'));
    expect (elm, "ATI", &now, "ELM327 v2.1\r\r>");
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?fault=stall:2:700", &now);
    gint64 start = now;

    expect (elm, "ATI", &now, "ELM327 v2.1\r\r>");
    g_assert_cmpint (now - start, >=, 700000);
  }
  {
    g_autoptr(ObdSimElm) elm = quiet_elm ("?fault=can-error:2,bus-busy:3", &now);
    g_autofree char *ok = body (elm, "0100", &now);

    g_assert_true (g_str_has_prefix (ok, "SEARCHING...\r41 00"));
    expect (elm, "010C", &now, "CAN ERROR\r\r>");
    expect (elm, "010C", &now, "BUS BUSY\r\r>");
  }
}

/* ------------------------------------------------------------------ */
/* In-process transport */

static char *
transport_command (ObdTransport *transport,
                   const char   *command,
                   GError      **error)
{
  g_autofree char *line = g_strconcat (command, "\r", NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  if (!obd_transport_write (transport, (const guint8 *) line, strlen (line), NULL, error))
    return NULL;
  while (!g_str_has_suffix (text->str, ">"))
    {
      guint8 buf[256];
      gssize n = obd_transport_read (transport, buf, sizeof buf, 2000, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_string_append_len (text, (const char *) buf, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_transport (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;
  g_autofree char *banner = NULL;
  g_autofree char *vin = NULL;
  g_autofree char *dropped = NULL;

  obd_sim_register ();
  transport = obd_transport_new_for_string ("sim:misfire?timing=0&fault=drop-after:4", &error);
  g_assert_no_error (error);
  g_assert_true (OBD_IS_SIM_TRANSPORT (transport));
  g_assert_cmpstr (obd_sim_transport_get_scenario (OBD_SIM_TRANSPORT (transport)), ==, "misfire");
  g_assert_true (obd_transport_open (transport, NULL, &error));
  g_assert_no_error (error);

  banner = transport_command (transport, "ATZ", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (banner, ==, "ATZ\r\r\rELM327 v2.1\r\r>");
  g_free (transport_command (transport, "ATE0", &error));
  vin = transport_command (transport, "0902", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (vin, "SEARCHING...\r014\r0: 49 02 01"));
  /* Virtual time moved on, though the test did not wait for it. */
  g_assert_cmpint (obd_sim_transport_get_virtual_time_us (OBD_SIM_TRANSPORT (transport)), >,
                   500000);

  /* A read with nothing to come times out (in virtual time). */
  {
    guint8 buf[16];
    gssize n = obd_transport_read (transport, buf, sizeof buf, 50, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (n, ==, 0);
  }

  /* drop-after:4 — the fourth command still works, the fifth drops. */
  g_free (transport_command (transport, "ATI", &error));
  g_assert_no_error (error);
  dropped = transport_command (transport, "ATI", &error);
  g_assert_null (dropped);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED);
  g_clear_error (&error);

  /* Reopening plugs the adapter back in; the fault does not fire again. */
  obd_transport_close (transport);
  g_assert_true (obd_transport_open (transport, NULL, &error));
  {
    g_autofree char *again = transport_command (transport, "ATI", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, "ATI\rELM327 v2.1\r\r>");
  }

  g_assert_cmpint (obd_sim_transport_estimate_request_us (OBD_SIM_TRANSPORT (transport),
                                                          "010C 1"), >, 5000);
  obd_transport_close (transport);
}

static void
test_transport_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;

  obd_sim_register ();
  transport = obd_transport_new_for_string ("sim:nope", &error);
  g_assert_null (transport);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "driving-cycle"));
  g_clear_error (&error);

  transport = obd_transport_new_for_string ("sim", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (obd_sim_transport_get_scenario (OBD_SIM_TRANSPORT (transport)), ==,
                   "healthy-idle");
  g_assert_cmpfloat (obd_sim_transport_get_timing_scale (OBD_SIM_TRANSPORT (transport)), ==, 1.0);
}

static gpointer
cancel_later (gpointer data)
{
  GCancellable *cancellable = data;

  g_usleep (50000);
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
test_transport_real_time (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *reply = NULL;
  GThread *thread;
  guint8 buf[64];
  gssize n;
  gint64 start;

  /* Real time, ten times faster: a stalled reply blocks the read until
   * the cancellable fires from another thread. */
  transport = obd_sim_transport_new ("?timing=0.1&fault=stall:2:60000", &error);
  g_assert_no_error (error);
  g_assert_true (obd_transport_open (transport, NULL, &error));
  reply = transport_command (transport, "ATE0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "ATE0\rOK\r\r>");

  g_assert_true (obd_transport_write (transport, (const guint8 *) "ATI\r", 4, NULL, &error));
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  start = g_get_monotonic_time ();
  n = obd_transport_read (transport, buf, sizeof buf, 5000, cancellable, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4000000);
  g_thread_join (thread);
  obd_transport_close (transport);
}

/* ------------------------------------------------------------------ */
/* Pseudo-terminal */

static char *
pty_command (int         fd,
             const char *command)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *line = g_strconcat (command, "\r", NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_cmpint (write (fd, line, strlen (line)), ==, (gssize) strlen (line));
  while (!g_str_has_suffix (text->str, ">") && g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      char buf[256];
      gssize n;

      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (fd, buf, sizeof buf);
      if (n > 0)
        g_string_append_len (text, buf, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static int
open_raw (const char *path)
{
  struct termios tio;
  int fd = open (path, O_RDWR | O_NOCTTY);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (tcgetattr (fd, &tio), ==, 0);
  cfmakeraw (&tio);
  g_assert_cmpint (tcsetattr (fd, TCSANOW, &tio), ==, 0);
  return fd;
}

static void
test_pty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSimPty) pty = obd_sim_pty_new ("misfire?timing=0.2", &error);
  int fd;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (obd_sim_pty_get_path (pty), "/dev/pts/"));
  g_assert_true (obd_sim_pty_start (pty, &error));
  g_assert_true (obd_sim_pty_is_running (pty));

  fd = open_raw (obd_sim_pty_get_path (pty));
  {
    g_autofree char *z = pty_command (fd, "ATZ");
    g_autofree char *e = pty_command (fd, "ATE0");
    g_autofree char *r = pty_command (fd, "0100");
    g_autofree char *d = pty_command (fd, "03");

    g_assert_cmpstr (z, ==, "ATZ\r\r\rELM327 v2.1\r\r>");
    g_assert_cmpstr (e, ==, "ATE0\rOK\r\r>");
    g_assert_cmpstr (r, ==, "SEARCHING...\r41 00 BF BF B9 93 \r41 00 80 08 00 10 \r\r>");
    g_assert_cmpstr (d, ==, "43 02 03 00 03 01 \r43 00 \r\r>");
  }
  close (fd);

  /* A client that closes and reopens finds the server still there. */
  fd = open_raw (obd_sim_pty_get_path (pty));
  {
    g_autofree char *i = pty_command (fd, "ATI");

    g_assert_cmpstr (i, ==, "ELM327 v2.1\r\r>");
  }
  close (fd);

  obd_sim_pty_stop (pty);
  g_assert_false (obd_sim_pty_is_running (pty));
  obd_sim_pty_stop (pty);
}

int
main (int argc, char **argv)
{
  gsize n_scenarios;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/config/parse", test_config_parse);
  g_test_add_func ("/sim/elm/at-defaults", test_at_defaults);
  g_test_add_func ("/sim/elm/formatting", test_at_formatting);
  g_test_add_func ("/sim/elm/addressing", test_at_addressing);
  g_test_add_func ("/sim/elm/can-29bit", test_at_29bit);
  g_test_add_func ("/sim/elm/multiframe-vin", test_multiframe_vin);
  g_test_add_func ("/sim/elm/response-count", test_response_count);
  g_test_add_func ("/sim/elm/stopped-monitor", test_stopped_and_monitor);
  g_test_add_func ("/sim/elm/buffer-full", test_buffer_full);
  g_test_add_func ("/sim/vehicle/live-idle", test_live_idle);
  g_test_add_func ("/sim/vehicle/live-driving", test_live_driving);
  obd_sim_list_scenarios (&n_scenarios);
  g_assert_cmpuint (n_scenarios, ==, G_N_ELEMENTS (scenario_cases) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (scenario_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sim/scenario/%s", scenario_cases[i].scenario);
      g_test_add_data_func (path, &scenario_cases[i], test_scenario);
    }
  g_test_add_func ("/sim/scenario/stories", test_scenario_stories);
  g_test_add_func ("/sim/scenario/clear", test_scenario_clear);
  g_test_add_func ("/sim/scenario/readiness-drive", test_scenario_readiness_drive);
  g_test_add_func ("/sim/legacy/iso9141", test_legacy_iso9141);
  g_test_add_func ("/sim/legacy/j1850-kwp", test_legacy_j1850_kwp);
  g_test_add_func ("/sim/legacy/errors", test_legacy_errors);
  g_test_add_func ("/sim/timing/model", test_timing_model);
  g_test_add_func ("/sim/timing/repeatable", test_timing_repeatable);
  g_test_add_func ("/sim/profiles", test_profiles);
  g_test_add_func ("/sim/faults", test_faults);
  g_test_add_func ("/sim/transport/in-process", test_transport);
  g_test_add_func ("/sim/transport/errors", test_transport_errors);
  g_test_add_func ("/sim/transport/real-time-cancel", test_transport_real_time);
  g_test_add_func ("/sim/pty", test_pty);

  return g_test_run ();
}
