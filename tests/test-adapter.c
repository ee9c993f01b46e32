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

  return g_test_run ();
}
