/* fuzz-sim-elm.c — libFuzzer target for the virtual ELM327
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `obd2 sim --pty` serves the simulator to any program that opens the
 * pseudo-terminal, so every byte it reads is outside input.  The adapter
 * is a pure state machine on virtual time, so a session is replayed here
 * without waiting; the only thing to bound is how much virtual time the
 * target lets pass (AT MA streams the bus for as long as nobody types).
 *
 * First byte, bit 7 clear — a session:
 *   bits 0-2 the adapter profile, bits 3-6 the vehicle's protocol;
 *   byte 1 a set of injected faults (one bit each), byte 2 the scenario;
 *   then chunks, each a header byte (bits 0-5 the length, bits 6-7 the
 *   pause before it: none, 1 ms, 100 ms, or until the adapter is quiet)
 *   followed by the bytes the host writes.
 * First byte, bit 7 set — an options string ("misfire?profile=...&fault=
 *   ..."): the rest goes to obd_sim_faults_parse() and
 *   obd_sim_config_parse(), and an adapter made from a valid one runs a
 *   fixed session.
 */
#define G_LOG_DOMAIN "fuzz-sim-elm"
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-error.h"
#include "obd-sim-elm.h"

/* Virtual time a pause may last: long enough for ATZ (0.5 s), a K-line
 * bus initialisation (2.6 s) and a search over every protocol. */
#define SETTLE_US (4 * G_USEC_PER_SEC)
/* Reconnections after a dropped link within one input. */
#define MAX_RECONNECTS 3
/* Output kept per input; a session cannot make more unless it streams. */
#define MAX_OUTPUT (256 * 1024)

typedef struct
{
  ObdSimElm *elm;
  gint64     now;
  GString   *out;
  guint      reconnects;
} Session;

static void
drain (Session *s)
{
  guint8 buf[97];
  gsize n;

  /* an odd buffer size, so reads end in the middle of lines */
  while ((n = obd_sim_elm_read (s->elm, buf, sizeof buf, s->now)) > 0)
    {
      fuzz_check (n <= sizeof buf, "read: at most the buffer");
      if (s->out->len < MAX_OUTPUT)
        g_string_append_len (s->out, (const char *) buf, n);
    }
}

/* Reads what the adapter says up to budget virtual microseconds from now,
 * jumping from event to event; reconnects a dropped link. */
static void
settle (Session *s,
        gint64   budget)
{
  gint64 deadline = s->now + budget;

  for (guint i = 0; i < 100000; i++)
    {
      gint64 next = obd_sim_elm_get_next_event (s->elm);

      if (next == OBD_SIM_NEVER || next > deadline)
        break;
      fuzz_check (next >= 0, "next event: not before the start");
      s->now = MAX (s->now, next);
      drain (s);
      if (obd_sim_elm_is_disconnected (s->elm, s->now))
        {
          if (s->reconnects++ >= MAX_RECONNECTS)
            break;
          obd_sim_elm_reconnect (s->elm, s->now);
          fuzz_check (!obd_sim_elm_is_disconnected (s->elm, s->now),
                      "reconnect: the link is up again");
        }
    }
  drain (s);
}

static void
host_write (Session    *s,
            const void *bytes,
            gsize       len)
{
  obd_sim_elm_write (s->elm, bytes, len, s->now);
  drain (s);
}

static ObdSimFaults
faults_from_bits (guint8 bits)
{
  ObdSimFaults f = { 0, };

  if (bits & 0x01)
    f.garbage_every = 3;
  if (bits & 0x02)
    f.truncate_every = 4;
  if (bits & 0x04)
    f.can_error_every = 3;
  if (bits & 0x08)
    f.bus_busy_every = 5;
  if (bits & 0x10)
    f.drop_after = 6;
  if (bits & 0x20)
    {
      f.stall_request = 2;
      f.stall_ms = 300;
    }
  f.ignition_off = (bits & 0x40) != 0;
  if (bits & 0x80)
    f.drop_at_us = 800 * 1000;
  return f;
}

static void
run_chunks (Session      *s,
            const guint8 *data,
            gsize         size)
{
  static const gint64 pauses[] = { 0, 1000, 100000, -1 };
  gsize pos = 0;

  while (pos < size)
    {
      guint8 header = data[pos++];
      gsize len = MIN ((gsize) (header & 0x3F), size - pos);
      gint64 pause = pauses[header >> 6];

      if (pause < 0)
        settle (s, SETTLE_US);
      else
        {
          s->now += pause;
          drain (s);
        }
      host_write (s, data + pos, len);
      pos += len;
    }
  settle (s, SETTLE_US);
}

static void
run_session (ObdSimConfig *config,
             const guint8 *data,
             gsize         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  Session s = { NULL, 0, out, 0 };

  /* Timing scale 0: the transports would not wait either. */
  config->timing_scale = 0.0;
  s.elm = obd_sim_elm_new (config, &error);
  fuzz_check (s.elm != NULL && error == NULL, "a parsed configuration makes an adapter");
  fuzz_check (obd_sim_elm_get_vehicle (s.elm) != NULL, "the adapter has a vehicle");
  fuzz_check (obd_sim_elm_get_profile (s.elm) == config->profile, "the adapter's profile");

  if (data != NULL)
    run_chunks (&s, data, size);
  else
    {
      /* the first minutes of a typical host program, then a monitor run
       * that a keystroke stops */
      static const char *commands[] = {
        "ATZ", "ATE0", "ATL0", "ATS0", "ATH1", "ATSP0", "0100", "ATDPN", "010C0D05 1",
        "03", "07", "0A", "0902", "ATAT2", "0600", "04", "ATRV", "ATMA",
      };

      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          host_write (&s, commands[i], strlen (commands[i]));
          host_write (&s, "\r", 1);
          settle (&s, SETTLE_US);
        }
      host_write (&s, "x", 1);
      settle (&s, SETTLE_US);
    }

  fuzz_touch (out->str, out->len);
  obd_sim_elm_free (s.elm);
}

static void
fuzz_options (const char *text)
{
  g_autoptr(ObdSimConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  ObdSimFaults faults = { 0, };
  gboolean ok;

  ok = obd_sim_faults_parse (text, &faults, &error);
  fuzz_check (ok == (error == NULL), "faults: FALSE exactly with an error");
  if (!ok)
    fuzz_check (error->domain == OBD_TRANSPORT_ERROR, "faults: error domain");
  g_clear_error (&error);

  config = obd_sim_config_parse (text, &error);
  fuzz_check ((config == NULL) == (error != NULL), "options: NULL exactly with an error");
  if (config == NULL)
    {
      fuzz_check (error->domain == OBD_TRANSPORT_ERROR, "options: error domain");
      return;
    }
  fuzz_check (config->profile < OBD_SIM_N_PROFILES, "options: a known profile");
  fuzz_check (config->timing_scale >= 0.0, "options: a timing scale >= 0");
  run_session (config, NULL, 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ObdSimConfig) config = NULL;
  const ObdSimScenarioInfo *scenarios;
  gsize n_scenarios;

  fuzz_init ();
  if (size < 1)
    return 0;

  if (data[0] & 0x80)
    {
      g_autofree char *text = g_strndup ((const char *) data + 1, size - 1);

      fuzz_options (text);
      return 0;
    }
  if (size < 3)
    return 0;

  scenarios = obd_sim_list_scenarios (&n_scenarios);
  config = obd_sim_config_new ();
  config->profile = (data[0] & 0x07) % OBD_SIM_N_PROFILES;
  config->protocol = (ObdProtocol) (((data[0] >> 3) & 0x0F) % 9 + 1);
  config->faults = faults_from_bits (data[1]);
  config->scenario = g_strdup (scenarios[data[2] % n_scenarios].name);
  run_session (config, data + 3, size - 3);
  return 0;
}
