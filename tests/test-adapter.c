/* test-adapter.c — the ELM327 adapter against the simulator: init,
 * discovery, strategies, clone profiles, protocols and faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "obd-adapter.h"
#include "obd-dtc.h"
#include "obd-error.h"
#include "obd-script-transport.h"
#include "obd-sim-transport.h"

static ObdAdapter *
connect_to (const char  *connection,
            ObdStrategy  strategy,
            GError     **error)
{
  g_autoptr(ObdTransport) transport = obd_transport_new_for_string (connection, error);
  g_autoptr(ObdAdapter) adapter = NULL;

  if (transport == NULL)
    return NULL;

  adapter = obd_adapter_new (transport);
  obd_adapter_set_strategy (adapter, strategy);
  if (!obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, NULL, error))
    return NULL;

  return g_steal_pointer (&adapter);
}

static const ObdSample *
find_sample (GArray *samples,
             guint8  pid,
             guint8  index)
{
  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *s = &g_array_index (samples, ObdSample, i);

      if (s->pid == pid && s->index == index)
        return s;
    }

  return NULL;
}

static const guint8 dashboard[] = { 0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B, 0x0F, 0x10 };

static void
check_dashboard (ObdAdapter *adapter)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  g_autoptr(GError) error = NULL;
  const ObdSample *rpm, *coolant;

  g_assert_true (obd_adapter_read_pids (adapter, dashboard, G_N_ELEMENTS (dashboard), samples,
                                        NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (dashboard); i++)
    g_assert_nonnull (find_sample (samples, dashboard[i], 0));

  rpm = find_sample (samples, 0x0C, 0);
  g_assert_cmpfloat (rpm->value, >, 500);
  g_assert_cmpfloat (rpm->value, <, 7000);
  g_assert_cmpuint (rpm->ecu, ==, obd_adapter_get_primary_ecu (adapter)->address);
  coolant = find_sample (samples, 0x05, 0);
  g_assert_cmpfloat (coolant->value, >, -40);
  g_assert_cmpfloat (coolant->value, <, 130);
}

static void
test_connect_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdAdapter) adapter = connect_to ("sim:healthy-idle?timing=0", OBD_STRATEGY_FAST,
                                              &error);
  const ObdEcu *ecus;
  guint n_ecus = 0;

  g_assert_no_error (error);
  g_assert_true (obd_adapter_is_connected (adapter));
  g_assert_true (g_str_has_prefix (obd_adapter_get_version (adapter), "ELM327"));
  g_assert_cmpint (obd_adapter_get_protocol (adapter), ==, OBD_PROTOCOL_CAN_11BIT_500K);

  ecus = obd_adapter_get_ecus (adapter, &n_ecus);
  g_assert_cmpuint (n_ecus, >=, 2);
  g_assert_cmpuint (ecus[0].address, ==, 0x7E8);
  g_assert_cmpuint (ecus[1].address, ==, 0x7E9);
  g_assert_true (ecus[0].supported[0x0C]);
  g_assert_cmpuint (obd_adapter_get_primary_ecu (adapter)->address, ==, 0x7E8);
  g_assert_true (obd_adapter_is_pid_supported (adapter, 0x05));

  {
    double volts = obd_adapter_read_voltage (adapter, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (volts, >, 11);
    g_assert_cmpfloat (volts, <, 15);
  }

  check_dashboard (adapter);
}

static void
test_strategies (void)
{
  static const ObdStrategy strategies[] = { OBD_STRATEGY_FAST, OBD_STRATEGY_NAIVE };

  for (guint i = 0; i < G_N_ELEMENTS (strategies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdAdapter) adapter = connect_to ("sim:driving-cycle?timing=0", strategies[i],
                                                  &error);
      guint64 before;

      g_assert_no_error (error);
      before = obd_adapter_get_n_requests (adapter);
      check_dashboard (adapter);

      /* Fast packs six PIDs a request; naive sends one each. */
      if (strategies[i] == OBD_STRATEGY_FAST)
        g_assert_cmpuint (obd_adapter_get_n_requests (adapter) - before, ==, 2);
      else
        g_assert_cmpuint (obd_adapter_get_n_requests (adapter) - before, ==,
                          G_N_ELEMENTS (dashboard));
    }
}

/* Every clone profile still gives a working connection; what it cannot do
 * is remembered. */
static void
test_profiles (void)
{
  static const struct {
    const char *profile;
    const char *quirk;  /* expected among the quirks, or NULL */
  } cases[] = {
    { "genuine", NULL },
    { "clone-v15", NULL },
    { "clone-no-multi", "multi-pid" },
    { "clone-echo-stuck", NULL },
    { "clone-reset-drop", "ATZ" },
    { "bt-chatter", NULL },
    { "clone-silent-at", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *connection = g_strdup_printf ("sim:healthy-idle?timing=0&profile=%s",
                                                     cases[i].profile);
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdAdapter) adapter = NULL;
      g_auto(GStrv) quirks = NULL;

      g_test_message ("profile %s", cases[i].profile);
      adapter = connect_to (connection, OBD_STRATEGY_FAST, &error);
      g_assert_no_error (error);
      check_dashboard (adapter);
      check_dashboard (adapter);

      quirks = obd_adapter_dup_quirks (adapter);
      if (cases[i].quirk != NULL)
        g_assert_true (g_strv_contains ((const char * const *) quirks, cases[i].quirk));
      if (g_str_equal (cases[i].profile, "genuine"))
        g_assert_cmpuint (g_strv_length (quirks), ==, 0);
    }
}

static void
test_protocols (void)
{
  static const ObdProtocol protocols[] = {
    OBD_PROTOCOL_CAN_11BIT_500K, OBD_PROTOCOL_CAN_29BIT_500K, OBD_PROTOCOL_CAN_11BIT_250K,
    OBD_PROTOCOL_ISO_9141_2, OBD_PROTOCOL_ISO_14230_4_FAST, OBD_PROTOCOL_J1850_PWM,
    OBD_PROTOCOL_J1850_VPW,
  };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autofree char *connection = g_strdup_printf ("sim:misfire?timing=0&protocol=%X",
                                                     protocols[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdAdapter) adapter = NULL;
      g_autoptr(ObdResponse) response = NULL;
      g_autoptr(GArray) dtcs = NULL;
      gboolean found = FALSE;

      g_test_message ("protocol %s", obd_protocol_get_name (protocols[i]));
      adapter = connect_to (connection, OBD_STRATEGY_FAST, &error);
      g_assert_no_error (error);
      g_assert_cmpint (obd_adapter_get_protocol (adapter), ==, protocols[i]);
      check_dashboard (adapter);

      response = obd_adapter_query_all (adapter, 0x03, NULL, 0, NULL, &error);
      g_assert_no_error (error);
      dtcs = obd_dtc_parse_response (response, 0x03, obd_protocol_is_can (protocols[i]), NULL,
                                     &error);
      g_assert_no_error (error);
      for (guint d = 0; d < dtcs->len; d++)
        found |= g_str_equal (g_array_index (dtcs, ObdDtc, d).code, "P0301");
      g_assert_true (found);
    }
}

static void
test_ignition_off (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdAdapter) adapter = connect_to ("sim:healthy-idle?timing=0&fault=ignition-off",
                                              OBD_STRATEGY_FAST, &error);

  g_assert_null (adapter);
  g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT);
}

static void
test_drop (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  guint reads = 0;

  adapter = connect_to ("sim:healthy-idle?timing=0&fault=drop-after:20", OBD_STRATEGY_FAST,
                        &error);
  g_assert_no_error (error);

  while (obd_adapter_read_pids (adapter, dashboard, 6, samples, NULL, &error))
    g_assert_cmpuint (++reads, <, 100);

  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED);
  g_assert_cmpuint (samples->len, >, 0);

  /* The adapter comes back after a reconnect. */
  g_clear_error (&error);
  g_assert_true (obd_adapter_reconnect (adapter, NULL, &error));
  g_assert_no_error (error);
  check_dashboard (adapter);
}

/* Garbage, truncated replies and bus errors are survivable: a read may
 * fail with a protocol error, but the next ones work. */
static void
test_noise_faults (void)
{
  static const char *faults[] = { "garbage:3", "truncate:4", "can-error:5", "bus-busy:5" };

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *connection = g_strdup_printf ("sim:healthy-idle?timing=0&fault=%s",
                                                     faults[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdAdapter) adapter = NULL;
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      guint ok = 0;

      g_test_message ("fault %s", faults[i]);
      adapter = connect_to (connection, OBD_STRATEGY_FAST, &error);
      g_assert_no_error (error);

      for (guint round = 0; round < 20; round++)
        {
          g_autoptr(GError) read_error = NULL;

          if (obd_adapter_read_pids (adapter, dashboard, 6, samples, NULL, &read_error))
            ok++;
          else
            g_assert_true (read_error->domain == OBD_PROTOCOL_ERROR ||
                           g_error_matches (read_error, OBD_TRANSPORT_ERROR,
                                            OBD_TRANSPORT_ERROR_TIMEOUT));
        }
      g_assert_cmpuint (ok, >=, 10);
    }
}

/* Each PID once per read and ECU, however the adapter treats multi-PID
 * requests: a clone that answers only the first PID of each request makes
 * the adapter fall back to single requests mid-way, and nothing may be
 * read twice (duplicates would reach the recording and its hash chain). */
static void
test_each_pid_once (void)
{
  static const guint8 pids[] = {
    0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B, 0x0F, 0x10, 0x0E, 0x2F, 0x42, 0x46, 0x06, 0x07,
  };
  static const struct {
    const char  *connection;
    ObdStrategy  strategy;
  } cases[] = {
    { "sim:healthy-idle?timing=0&profile=clone-no-multi", OBD_STRATEGY_FAST },
    { "sim:healthy-idle?timing=0&profile=clone-no-multi", OBD_STRATEGY_NAIVE },
    { "sim:healthy-idle?timing=0", OBD_STRATEGY_FAST },
    { "sim:healthy-idle?timing=0", OBD_STRATEGY_NAIVE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdAdapter) adapter = NULL;

      g_test_message ("%s, %s", cases[c].connection, obd_strategy_to_string (cases[c].strategy));
      adapter = connect_to (cases[c].connection, cases[c].strategy, &error);
      g_assert_no_error (error);

      for (guint round = 0; round < 4; round++)
        {
          g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
          g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

          g_assert_true (obd_adapter_read_pids (adapter, pids, G_N_ELEMENTS (pids), samples,
                                                NULL, &error));
          g_assert_no_error (error);

          for (guint i = 0; i < samples->len; i++)
            {
              const ObdSample *s = &g_array_index (samples, ObdSample, i);
              /* ECU, PID and field: one sample each per read */
              gpointer key = GUINT_TO_POINTER ((s->ecu & 0xFFF) << 16 | s->pid << 8 | s->index);

              g_assert_false (g_hash_table_contains (seen, key));
              g_hash_table_add (seen, key);
            }
          for (guint p = 0; p < G_N_ELEMENTS (pids); p++)
            g_assert_nonnull (find_sample (samples, pids[p], 0));
        }
    }
}

static void
test_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = obd_transport_new_for_string ("sim", &error);
  g_autoptr(ObdAdapter) adapter = obd_adapter_new (transport);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  g_assert_false (obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- transcripts: a scripted adapter that gets out of step ------------ */

/* A small ELM327 for transcripts: headers on, no echo, one ECU (7E8) that
 * supports PIDs 05, 0C and 0D, plus the ways real adapters get out of
 * step, each armed by the number of the OBD request it hits. */
typedef struct
{
  guint   n_obd;       /* OBD requests seen */
  guint   late;        /* answered only when another line arrives... */
  guint   late_lines;  /* ...this many lines later (0: the very next) */
  guint   doubled;     /* answered twice, the copy with the next line */
  guint   doubled_now; /* answered twice at once */
  guint   stopped;     /* its first byte interrupted a request still running */
  guint   flood;       /* two thousand frames from unknown IDs before the answer */
  guint   split;       /* only split_at bytes now, the rest with the next line */
  gsize   split_at;
  const char *const *stale; /* replies left by another program, one released
                             * with each of the first lines */
  GString *held;
  guint   hold_lines;
} ScriptElm;

static void
script_elm_clear (ScriptElm *e)
{
  if (e->held != NULL)
    g_string_free (e->held, TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScriptElm, script_elm_clear)

static void
script_elm_answer_obd (const guint8 *req,
                       gsize         n,
                       GString      *out)
{
  g_autoptr(GString) data = g_string_new (NULL);
  guint len = 1;

  if (req[0] != 0x01)
    {
      g_string_append (out, "NO DATA\r\r>");
      return;
    }

  g_string_append (data, " 41");
  for (gsize i = 1; i < n; i++)
    {
      switch (req[i])
        {
        case 0x00: g_string_append (data, " 00 08 18 00 00"); len += 5; break;
        case 0x05: g_string_append (data, " 05 7B"); len += 2; break;
        case 0x0C: g_string_append (data, " 0C 1A F8"); len += 3; break;
        case 0x0D: g_string_append (data, " 0D 2A"); len += 2; break;
        default: break;
        }
    }
  if (len == 1)
    g_string_append (out, "NO DATA\r\r>");
  else
    g_string_append_printf (out, "7E8 %02X%s\r\r>", len, data->str);
}

static GBytes *
script_elm_reply (ObdScriptTransport *transport,
                  const char         *line,
                  guint               n,
                  gpointer            data)
{
  ScriptElm *e = data;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *cmd = g_malloc (strlen (line) + 1);
  char *w = cmd;
  guint8 req[8];
  gsize n_req = 0;
  gsize len;

  /* an ELM327 ignores spaces and case */
  for (const char *r = line; *r != '\0'; r++)
    if (*r != ' ')
      *w++ = g_ascii_toupper (*r);
  *w = '\0';

  if (e->stale != NULL && e->stale[n] != NULL)
    g_string_append (out, e->stale[n]);
  else
    e->stale = NULL;

  if (e->held != NULL)
    {
      if (e->hold_lines == 0)
        {
          g_string_append (out, e->held->str);
          g_string_free (e->held, TRUE);
          e->held = NULL;
        }
      else
        e->hold_lines--;
    }

  if (g_str_has_prefix (cmd, "AT"))
    {
      const char *at = cmd + 2;

      if (g_str_equal (at, "Z"))
        g_string_append (out, "\r\rELM327 v1.5\r\r>");
      else if (g_str_equal (at, "I"))
        g_string_append (out, "ELM327 v1.5\r\r>");
      else if (g_str_equal (at, "@1"))
        g_string_append (out, "SCRIPTED ELM\r\r>");
      else if (g_str_equal (at, "DPN"))
        g_string_append (out, "A6\r\r>");
      else if (g_str_equal (at, "RV"))
        g_string_append (out, "12.6V\r\r>");
      else
        g_string_append (out, "OK\r\r>");
      return g_string_free_to_bytes (g_steal_pointer (&out));
    }

  len = strlen (cmd);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (cmd[i]))
      len = 0;
  if (len < 2)
    {
      g_string_append (out, "?\r\r>");
      return g_string_free_to_bytes (g_steal_pointer (&out));
    }
  /* an odd digit at the end is the response count */
  for (gsize i = 0; i + 1 < len && n_req < sizeof req; i += 2)
    req[n_req++] = g_ascii_xdigit_value (cmd[i]) << 4 | g_ascii_xdigit_value (cmd[i + 1]);

  e->n_obd++;
  if (e->n_obd == e->stopped)
    {
      /* The first byte stopped a request still running and was lost; the
       * rest of the line is no command. */
      g_string_append (out, "STOPPED\r\r>?\r\r>");
      return g_string_free_to_bytes (g_steal_pointer (&out));
    }
  if (e->n_obd == e->flood)
    for (guint i = 0; i < 2000; i++)
      g_string_append (out, i % 2 ? "7FF 06 41 0C BE 1F A8 13\r" : "3C1 03 41 0C 00 00 00 00 00\r");
  if (e->n_obd == e->late)
    {
      e->held = g_string_new (NULL);
      script_elm_answer_obd (req, n_req, e->held);
      e->hold_lines = e->late_lines;
      return g_string_free_to_bytes (g_steal_pointer (&out));
    }
  if (e->n_obd == e->split)
    {
      /* The rest is still on the wire when the host writes again. */
      e->held = g_string_new (NULL);
      script_elm_answer_obd (req, n_req, e->held);
      g_string_append_len (out, e->held->str, MIN (e->split_at, e->held->len));
      g_string_erase (e->held, 0, MIN (e->split_at, e->held->len));
      e->hold_lines = 0;
      return g_string_free_to_bytes (g_steal_pointer (&out));
    }
  script_elm_answer_obd (req, n_req, out);
  if (e->n_obd == e->doubled_now)
    script_elm_answer_obd (req, n_req, out);
  if (e->n_obd == e->doubled)
    {
      e->held = g_string_new (NULL);
      script_elm_answer_obd (req, n_req, e->held);
      e->hold_lines = 0;
    }

  return g_string_free_to_bytes (g_steal_pointer (&out));
}

static ObdAdapter *
script_connect (ScriptElm           *e,
                ObdStrategy          strategy,
                ObdScriptTransport **out_transport)
{
  g_autoptr(ObdScriptTransport) transport = obd_script_transport_new (script_elm_reply, e);
  g_autoptr(ObdAdapter) adapter = obd_adapter_new (OBD_TRANSPORT (transport));
  g_autoptr(GError) error = NULL;

  obd_adapter_set_strategy (adapter, strategy);
  obd_script_transport_set_chunk (transport, 7);
  g_assert_true (obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, NULL, &error));
  g_assert_no_error (error);

  *out_transport = g_steal_pointer (&transport);
  return g_steal_pointer (&adapter);
}

/* Reads one PID and checks that exactly its value came back. */
static void
check_read (ObdAdapter *adapter,
            guint8      pid,
            double      value)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  g_autoptr(GError) error = NULL;

  g_assert_true (obd_adapter_read_pids (adapter, &pid, 1, samples, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (samples->len, ==, 1);
  g_assert_cmpuint (g_array_index (samples, ObdSample, 0).pid, ==, pid);
  g_assert_cmpuint (g_array_index (samples, ObdSample, 0).ecu, ==, 0x7E8);
  g_assert_cmpfloat (g_array_index (samples, ObdSample, 0).value, ==, value);
}

static guint
count_lines (ObdScriptTransport *transport,
             const char         *prefix)
{
  GPtrArray *lines = obd_script_transport_get_lines (transport);
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    n += g_str_has_prefix (lines->pdata[i], prefix);

  return n;
}

/* A reply the host gave up on arrives late: it must never be taken for
 * the answer to the next request. */
static void
test_transcript_late (void)
{
  for (guint lines = 0; lines < 3; lines++)
    {
      g_auto(ScriptElm) e = { 0 };
      g_autoptr(ObdScriptTransport) transport = NULL;
      g_autoptr(ObdAdapter) adapter = NULL;
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      g_autoptr(GError) error = NULL;
      static const guint8 speed = 0x0D;

      g_test_message ("the late reply comes %u line(s) after the next", lines);
      adapter = script_connect (&e, OBD_STRATEGY_NAIVE, &transport);
      e.late = e.n_obd + 1;
      e.late_lines = lines;

      /* 010D is not answered in time. */
      g_assert_false (obd_adapter_read_pids (adapter, &speed, 1, samples, NULL, &error));
      g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT);
      g_assert_cmpuint (samples->len, ==, 0);

      /* Its answer turns up while the next requests are under way. */
      check_read (adapter, 0x0C, 1726);
      check_read (adapter, 0x05, 83);
      check_read (adapter, 0x0D, 42);
      check_read (adapter, 0x0C, 1726);
    }
}

/* The adapter (or a Bluetooth bridge) sends a reply twice. */
static void
test_transcript_doubled (void)
{
  for (guint at_once = 0; at_once < 2; at_once++)
    {
      g_auto(ScriptElm) e = { 0 };
      g_autoptr(ObdScriptTransport) transport = NULL;
      g_autoptr(ObdAdapter) adapter = NULL;
      ObdLinkStats stats;

      adapter = script_connect (&e, OBD_STRATEGY_FAST, &transport);
      if (at_once)
        e.doubled_now = e.n_obd + 1;
      else
        e.doubled = e.n_obd + 1;

      check_read (adapter, 0x0D, 42);
      check_read (adapter, 0x0C, 1726);
      check_read (adapter, 0x05, 83);
      check_read (adapter, 0x0C, 1726);

      obd_adapter_get_link_stats (adapter, &stats);
      g_assert_cmpuint (stats.n_resyncs, >=, 1);
      g_assert_cmpuint (stats.n_discarded_replies + stats.n_discarded_bytes, >, 0);
    }
}

/* The first byte of a request stopped one still running: "STOPPED", then
 * "?" for the rest of the line.  The request goes out again. */
static void
test_transcript_stopped (void)
{
  g_auto(ScriptElm) e = { 0 };
  g_autoptr(ObdScriptTransport) transport = NULL;
  g_autoptr(ObdAdapter) adapter = script_connect (&e, OBD_STRATEGY_FAST, &transport);
  guint before = count_lines (transport, "010C");

  e.stopped = e.n_obd + 1;
  check_read (adapter, 0x0C, 1726);
  g_assert_cmpuint (count_lines (transport, "010C"), ==, before + 2);
  check_read (adapter, 0x0D, 42);
}

typedef struct
{
  GCancellable *cancellable;
} Trap;

static void
cancel_trap (Trap *trap)
{
  g_cancellable_cancel (trap->cancellable);
}

/* Cancelled in the middle of a reply: its rest, still on the wire, must
 * not be read as the answer to the next request. */
static void
test_transcript_cancel (void)
{
  /* the reply is 21 bytes, read 7 at a time */
  for (guint offset = 1; offset <= 14; offset += 2)
    {
      g_auto(ScriptElm) e = { 0 };
      g_autoptr(ObdScriptTransport) transport = NULL;
      g_autoptr(ObdAdapter) adapter = script_connect (&e, OBD_STRATEGY_NAIVE, &transport);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      g_autoptr(GError) error = NULL;
      static const guint8 rpm = 0x0C;
      Trap trap = { cancellable };

      g_test_message ("cancel after %u bytes of the reply", offset);
      e.split = e.n_obd + 1;
      e.split_at = 14;
      obd_script_transport_set_trap (transport, obd_script_transport_get_n_read (transport) +
                                     offset, G_CALLBACK (cancel_trap), &trap);
      g_assert_false (obd_adapter_read_pids (adapter, &rpm, 1, samples, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      check_read (adapter, 0x0D, 42);
      check_read (adapter, 0x05, 83);
    }
}

/* Another program quit in the middle of its requests: the replies it
 * left behind are in the stream before ours. */
static void
test_transcript_stale_at_connect (void)
{
  static const char *const stale[] = {
    "7E8 03 41 0D 2A\r\r>", "OK\r\r>", "12.1V\r\r>", "ELM327 v1.5\r\r>", NULL,
  };
  g_auto(ScriptElm) e = { .stale = stale };
  g_autoptr(ObdScriptTransport) transport = obd_script_transport_new (script_elm_reply, &e);
  g_autoptr(ObdAdapter) adapter = obd_adapter_new (OBD_TRANSPORT (transport));
  g_autoptr(GError) error = NULL;
  guint n_ecus = 0;

  /* Some of it was already there, the rest comes with our first lines. */
  obd_script_transport_queue (transport, "STOPPED\r\r>", 10);
  g_assert_true (obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (obd_adapter_get_version (adapter), ==, "ELM327 v1.5");
  g_assert_cmpstr (obd_adapter_get_device_description (adapter), ==, "SCRIPTED ELM");
  obd_adapter_get_ecus (adapter, &n_ecus);
  g_assert_cmpuint (n_ecus, ==, 1);
  g_assert_true (obd_adapter_is_pid_supported (adapter, 0x0C));
  g_assert_false (obd_adapter_is_pid_supported (adapter, 0x20));
  check_read (adapter, 0x0C, 1726);

  {
    double volts = obd_adapter_read_voltage (adapter, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (volts, ==, 12.6);
  }
}

/* Two thousand frames from IDs no OBD responder uses, before the answer:
 * the answer is read, the rest counted and dropped. */
static void
test_transcript_flood (void)
{
  g_auto(ScriptElm) e = { 0 };
  g_autoptr(ObdScriptTransport) transport = NULL;
  g_autoptr(ObdAdapter) adapter = script_connect (&e, OBD_STRATEGY_FAST, &transport);
  ObdLinkStats stats;

  obd_script_transport_set_chunk (transport, 512);
  e.flood = e.n_obd + 1;
  check_read (adapter, 0x0C, 1726);
  obd_adapter_get_link_stats (adapter, &stats);
  g_assert_cmpuint (stats.n_discarded_frames, >=, 2000);
  check_read (adapter, 0x0D, 42);
}

/* An adapter that never stops talking gets a clear error, having been
 * read no further than the bounds allow. */
static void
test_transcript_endless (void)
{
  static const char *patterns[] = {
    "7E8 03 41 0D 2A\r",          /* frames, never a prompt */
    "7E8 03 41 0D 2A\r\r>",       /* prompts, never a quiet line */
    "\x80\x81\x82",               /* noise */
  };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_auto(ScriptElm) e = { 0 };
      g_autoptr(ObdScriptTransport) transport = NULL;
      g_autoptr(ObdAdapter) adapter = script_connect (&e, OBD_STRATEGY_FAST, &transport);
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      g_autoptr(GError) error = NULL;
      static const guint8 rpm = 0x0C;
      guint64 before = obd_script_transport_get_n_read (transport);

      obd_script_transport_set_chunk (transport, 256);
      obd_script_transport_set_endless (transport, patterns[i]);
      g_assert_false (obd_adapter_read_pids (adapter, &rpm, 1, samples, NULL, &error));
      g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "keeps sending"));
      g_assert_cmpuint (obd_script_transport_get_n_read (transport) - before, <, 512 * 1024);
      g_assert_cmpuint (samples->len, ==, 0);
      g_clear_error (&error);

      /* and when it has calmed down, it works again */
      obd_script_transport_set_endless (transport, NULL);
      check_read (adapter, 0x0C, 1726);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  obd_sim_register ();

  g_test_add_func ("/obd/adapter/connect", test_connect_default);
  g_test_add_func ("/obd/adapter/strategies", test_strategies);
  g_test_add_func ("/obd/adapter/profiles", test_profiles);
  g_test_add_func ("/obd/adapter/protocols", test_protocols);
  g_test_add_func ("/obd/adapter/ignition-off", test_ignition_off);
  g_test_add_func ("/obd/adapter/drop", test_drop);
  g_test_add_func ("/obd/adapter/noise-faults", test_noise_faults);
  g_test_add_func ("/obd/adapter/cancel", test_cancel);
  g_test_add_func ("/obd/adapter/each-pid-once", test_each_pid_once);
  g_test_add_func ("/obd/adapter/transcript/late", test_transcript_late);
  g_test_add_func ("/obd/adapter/transcript/doubled", test_transcript_doubled);
  g_test_add_func ("/obd/adapter/transcript/stopped", test_transcript_stopped);
  g_test_add_func ("/obd/adapter/transcript/cancel", test_transcript_cancel);
  g_test_add_func ("/obd/adapter/transcript/stale-at-connect", test_transcript_stale_at_connect);
  g_test_add_func ("/obd/adapter/transcript/flood", test_transcript_flood);
  g_test_add_func ("/obd/adapter/transcript/endless", test_transcript_endless);

  return g_test_run ();
}
