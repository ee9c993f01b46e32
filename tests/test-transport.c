/* test-transport.c — connection strings, the pty and TCP transports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>

#include "obd-adapter.h"
#include "obd-error.h"
#include "obd-mode09.h"
#include "obd-sim-pty.h"
#include "obd-sim-transport.h"
#include "obd-sim-vehicle.h"
#include "obd-transport.h"

static void
test_connection_strings (void)
{
  static const char *invalid[] = {
    "", "bluetooth", "tcp:", "/dev/ttyUSB0@fast", "/dev/ttyUSB0@12", "sim:no-such-scenario",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdTransport) transport = obd_transport_new_for_string (invalid[i], &error);

      g_assert_null (transport);
      g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS);
      g_assert_cmpuint (strlen (error->message), >, 20);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ObdTransport) transport = obd_transport_new_for_string ("sim", &error);

    g_assert_no_error (error);
    g_assert_nonnull (transport);
    g_assert_cmpstr (obd_transport_get_description (transport), ==, "sim");
    g_assert_false (obd_transport_is_open (transport));
  }
}

static void
test_missing_serial_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport =
    obd_transport_new_for_string ("/dev/ttyUSB-obd2-test-missing@38400", &error);

  g_assert_no_error (error);
  g_assert_false (obd_transport_open (transport, NULL, &error));
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NOT_FOUND);
}

typedef struct
{
  int master;
  int slave;
  char path[64];
} PtyPair;

static void
pty_pair_open (PtyPair *pair)
{
  struct termios tio;

  g_assert_cmpint (openpty (&pair->master, &pair->slave, pair->path, NULL, NULL), ==, 0);
  tcgetattr (pair->slave, &tio);
  cfmakeraw (&tio);
  tcsetattr (pair->slave, TCSANOW, &tio);
}

static void
test_pty_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;
  g_autofree char *connection = NULL;
  PtyPair pair;
  guint8 buf[64];
  gssize n;
  gint64 start;

  pty_pair_open (&pair);
  g_assert_true (g_str_has_prefix (pair.path, "/dev/pts/"));

  connection = g_strdup (pair.path);
  transport = obd_transport_new_for_string (connection, &error);
  g_assert_no_error (error);
  g_assert_true (obd_transport_open (transport, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (obd_transport_write (transport, (const guint8 *) "ATI\r", 4, NULL, &error));
  g_assert_no_error (error);
  n = read (pair.master, buf, sizeof buf);
  g_assert_cmpint (n, ==, 4);
  g_assert_cmpmem (buf, 4, "ATI\r", 4);

  /* Nothing to read: a timeout is 0 bytes, not an error. */
  start = g_get_monotonic_time ();
  n = obd_transport_read (transport, buf, sizeof buf, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 40000);

  g_assert_cmpint (write (pair.master, "ELM327 v1.5\r\r>", 14), ==, 14);
  n = obd_transport_read (transport, buf, sizeof buf, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpuint (obd_transport_get_bytes_written (transport), ==, 4);

  close (pair.slave);
  close (pair.master);

  /* The other side went away: a clear disconnection error. */
  n = obd_transport_read (transport, buf, sizeof buf, 1000, NULL, &error);
  if (n == 0 && error == NULL)
    n = obd_transport_read (transport, buf, sizeof buf, 1000, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED);
  g_clear_error (&error);

  /* Its name is free now and the next pty may get it, someone else's: a
   * reconnect must not open it. */
  obd_transport_close (transport);
  {
    PtyPair reuse;

    pty_pair_open (&reuse);
    g_assert_false (obd_transport_open (transport, NULL, &error));
    g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED);
    g_assert_nonnull (strstr (error->message, "another program"));
    close (reuse.slave);
    close (reuse.master);
  }
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_later_thread (gpointer data)
{
  g_usleep (50000);
  cancel_cb (data);
  return NULL;
}

static void
test_pty_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  PtyPair pair;
  guint8 buf[16];
  gint64 start;
  gssize n;

  pty_pair_open (&pair);
  transport = obd_transport_new_for_string (pair.path, &error);
  g_assert_true (obd_transport_open (transport, NULL, &error));

  /* A blocked read ends promptly when another thread cancels it. */
  thread = g_thread_new ("cancel", cancel_later_thread, cancellable);
  start = g_get_monotonic_time ();
  n = obd_transport_read (transport, buf, sizeof buf, 10000, cancellable, &error);
  g_thread_join (thread);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  close (pair.slave);
  close (pair.master);
}

typedef struct
{
  GSocketListener *listener;
  guint16 port;
} TcpServer;

static gpointer
tcp_server_thread (gpointer data)
{
  TcpServer *server = data;
  g_autoptr(GSocketConnection) connection = NULL;
  GInputStream *in;
  GOutputStream *out;
  char buf[16];
  gssize n;

  connection = g_socket_listener_accept (server->listener, NULL, NULL, NULL);
  if (connection == NULL)
    return NULL;
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);
  if (n > 0)
    g_output_stream_write_all (out, "OK\r\r>", 5, NULL, NULL, NULL);
  /* Then hang up: the client must see a disconnection. */
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

static void
test_tcp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;
  g_autofree char *connection = NULL;
  TcpServer server = { 0 };
  GThread *thread;
  guint8 buf[16];
  gsize got = 0;
  gssize n;

  server.listener = g_socket_listener_new ();
  server.port = g_socket_listener_add_any_inet_port (server.listener, NULL, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("tcp", tcp_server_thread, &server);

  connection = g_strdup_printf ("tcp:127.0.0.1:%u", server.port);
  transport = obd_transport_new_for_string (connection, &error);
  g_assert_no_error (error);
  g_assert_true (obd_transport_open (transport, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (obd_transport_write (transport, (const guint8 *) "ATE0\r", 5, NULL, &error));

  while (got < 5)
    {
      n = obd_transport_read (transport, buf + got, sizeof buf - got, 2000, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  g_assert_cmpmem (buf, 5, "OK\r\r>", 5);

  n = obd_transport_read (transport, buf, sizeof buf, 2000, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED);

  g_thread_join (thread);
  g_socket_listener_close (server.listener);
  g_object_unref (server.listener);
}

static void
test_tcp_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdTransport) transport = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *connection = NULL;
  guint16 port;

  /* A port that was just free: nothing listens there any more. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  connection = g_strdup_printf ("tcp:127.0.0.1:%u", port);
  transport = obd_transport_new_for_string (connection, &error);
  g_assert_false (obd_transport_open (transport, NULL, &error));
  g_assert_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NOT_FOUND);
}

/* ---- a pty shared by one connection after another ------------------- */

/* A transport in front of another that can cancel a read once a number of
 * bytes have come through: "cancel in the middle of a reply", exactly. */
#define TEST_TYPE_TAP_TRANSPORT (test_tap_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestTapTransport, test_tap_transport, TEST, TAP_TRANSPORT, ObdTransport)

struct _TestTapTransport
{
  ObdTransport  parent_instance;
  ObdTransport *inner;
  guint64       n_read;
  guint64       cancel_at;     /* 0: disarmed */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TestTapTransport, test_tap_transport, OBD_TYPE_TRANSPORT)

static gboolean
tap_open (ObdTransport  *transport,
          GCancellable  *cancellable,
          GError       **error)
{
  return obd_transport_open (TEST_TAP_TRANSPORT (transport)->inner, cancellable, error);
}

static gboolean
tap_write (ObdTransport  *transport,
           const guint8  *buf,
           gsize          len,
           GCancellable  *cancellable,
           GError       **error)
{
  return obd_transport_write (TEST_TAP_TRANSPORT (transport)->inner, buf, len, cancellable,
                              error);
}

static gssize
tap_read (ObdTransport  *transport,
          guint8        *buf,
          gsize          len,
          guint          timeout_ms,
          GCancellable  *cancellable,
          GError       **error)
{
  TestTapTransport *self = TEST_TAP_TRANSPORT (transport);
  gssize n;

  if (self->cancel_at > 0)
    len = MIN (len, self->cancel_at - self->n_read);
  n = obd_transport_read (self->inner, buf, len, timeout_ms, cancellable, error);
  if (n > 0)
    self->n_read += n;
  if (self->cancel_at > 0 && self->n_read >= self->cancel_at)
    {
      self->cancel_at = 0;
      g_cancellable_cancel (self->cancellable);
    }
  return n;
}

static void
tap_close (ObdTransport *transport)
{
  obd_transport_close (TEST_TAP_TRANSPORT (transport)->inner);
}

static void
test_tap_transport_finalize (GObject *object)
{
  TestTapTransport *self = TEST_TAP_TRANSPORT (object);

  g_clear_object (&self->inner);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (test_tap_transport_parent_class)->finalize (object);
}

static void
test_tap_transport_class_init (TestTapTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_tap_transport_finalize;
  OBD_TRANSPORT_CLASS (klass)->open = tap_open;
  OBD_TRANSPORT_CLASS (klass)->write = tap_write;
  OBD_TRANSPORT_CLASS (klass)->read = tap_read;
  OBD_TRANSPORT_CLASS (klass)->close = tap_close;
}

static void
test_tap_transport_init (TestTapTransport *self)
{
}

static TestTapTransport *
tap_new (const char *connection)
{
  g_autoptr(GError) error = NULL;
  TestTapTransport *self = g_object_new (TEST_TYPE_TAP_TRANSPORT, NULL);

  self->inner = obd_transport_new_for_string (connection, &error);
  g_assert_no_error (error);
  obd_transport_set_description (OBD_TRANSPORT (self), connection);
  return self;
}

/* Cancels the next read that takes the total past after more bytes. */
static void
tap_arm (TestTapTransport *self,
         guint             after,
         GCancellable     *cancellable)
{
  self->cancel_at = self->n_read + after;
  g_set_object (&self->cancellable, cancellable);
}

static void
read_and_check (ObdAdapter *adapter,
                const char *vin)
{
  static const guint8 pids[] = { 0x0D, 0x05 };
  static const guint8 infotype = 0x02;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *read_vin = NULL;
  double volts;

  g_assert_true (obd_adapter_read_pids (adapter, pids, G_N_ELEMENTS (pids), samples, NULL,
                                        &error));
  g_assert_no_error (error);
  /* the engine computer answers both; asked functionally (naive), the
   * transmission computer (7E9) answers the speed too */
  g_assert_cmpuint (samples->len, >=, 2);
  g_assert_cmpuint (samples->len, <=, 3);
  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *s = &g_array_index (samples, ObdSample, i);

      g_assert_true (s->ecu == 0x7E8 || (s->ecu == 0x7E9 && s->pid == 0x0D));
      if (s->pid == 0x0D)
        g_assert_cmpfloat (s->value, ==, 0);           /* standing still */
      else
        {
          g_assert_cmpuint (s->pid, ==, 0x05);
          g_assert_cmpfloat (s->value, >, 20);         /* coolant, warm */
          g_assert_cmpfloat (s->value, <, 110);
        }
    }

  response = obd_adapter_query_all (adapter, 0x09, &infotype, 1, NULL, &error);
  g_assert_no_error (error);
  read_vin = obd_mode09_parse_vin (response, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read_vin, ==, vin);

  volts = obd_adapter_read_voltage (adapter, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (volts, >, 11);
  g_assert_cmpfloat (volts, <, 15);
}

/* One connection after another on the simulator's pseudo-terminal, each
 * cancelled in the middle of a reply that then arrives for the next one
 * (or is stopped by it): every connection must read correct values.
 * Before the adapter resynchronised, this failed in most cycles with
 * "The adapter's answer could not be understood". */
static void
test_pty_resync_cycles (void)
{
  static const guint8 dashboard[] = { 0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B };
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSimPty) pty = NULL;
  g_autoptr(ObdSimVehicle) vehicle = obd_sim_vehicle_new ("healthy-idle", 1, NULL);
  g_autoptr(TestTapTransport) tap = NULL;
  g_autoptr(ObdAdapter) adapter = NULL;
  guint cancelled = 0;
  guint caught = 0;

  /* A slow serial line (2400 baud) on a fast clock (a hundredth of real
   * time): a reply still takes milliseconds to arrive, so the rest of a
   * cancelled one is on its way while the next connection starts, and a
   * reset is quick. */
  pty = obd_sim_pty_new ("healthy-idle?timing=0.005&baud=2400", &error);
  g_assert_no_error (error);
  g_assert_true (obd_sim_pty_start (pty, &error));

  for (guint cycle = 0; cycle < 100; cycle++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      g_autoptr(GError) read_error = NULL;
      ObdStrategy strategy = cycle % 2 ? OBD_STRATEGY_NAIVE : OBD_STRATEGY_FAST;

      /* Odd cycles reconnect the same adapter, even ones come as a new
       * program would, with a new transport and adapter. */
      if (cycle % 4 == 1 || cycle % 4 == 3)
        {
          obd_adapter_set_strategy (adapter, strategy);
          g_assert_true (obd_adapter_reconnect (adapter, NULL, &error));
        }
      else
        {
          g_clear_object (&adapter);
          g_clear_object (&tap);
          tap = tap_new (obd_sim_pty_get_path (pty));
          adapter = obd_adapter_new (OBD_TRANSPORT (tap));
          obd_adapter_set_strategy (adapter, strategy);
          g_assert_true (obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, NULL, &error));
        }
      g_assert_no_error (error);
      g_assert_cmpstr (obd_adapter_get_version (adapter), ==, "ELM327 v2.1");

      read_and_check (adapter, obd_sim_vehicle_get_vin (vehicle));
      g_assert_true (obd_adapter_read_pids (adapter, dashboard, G_N_ELEMENTS (dashboard),
                                            samples, NULL, &error));
      g_assert_no_error (error);

      /* Cancel a few bytes into the next reply; the rest is on its way. */
      tap_arm (tap, 1 + cycle % 13, cancellable);
      if (!obd_adapter_read_pids (adapter, dashboard, G_N_ELEMENTS (dashboard), samples,
                                  cancellable, &read_error))
        {
          g_assert_error (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          cancelled++;
        }
      tap->cancel_at = 0;

      /* Every other cycle goes on with the same connection first. */
      if (cycle % 2 == 0)
        {
          ObdLinkStats before, after;

          obd_adapter_get_link_stats (adapter, &before);
          read_and_check (adapter, obd_sim_vehicle_get_vin (vehicle));
          obd_adapter_get_link_stats (adapter, &after);
          /* more than the probe's "?" was dropped: the rest of the reply */
          if (after.n_discarded_bytes - before.n_discarded_bytes > 4)
            caught++;
        }
      obd_adapter_disconnect (adapter);
    }

  /* The cancels did land mid-reply, and the rest of the reply was still
   * coming in most cycles that went on with the same connection. */
  g_test_message ("%u cancelled, %u remainders caught by the resync", cancelled, caught);
  g_assert_cmpuint (cancelled, ==, 100);
  g_assert_cmpuint (caught, >=, 25);
  obd_sim_pty_stop (pty);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  obd_sim_register ();

  g_test_add_func ("/obd/transport/connection-strings", test_connection_strings);
  g_test_add_func ("/obd/transport/serial-missing", test_missing_serial_port);
  g_test_add_func ("/obd/transport/pty/round-trip", test_pty_round_trip);
  g_test_add_func ("/obd/transport/pty/cancel", test_pty_cancel);
  g_test_add_func ("/obd/transport/pty/resync-cycles", test_pty_resync_cycles);
  g_test_add_func ("/obd/transport/tcp/round-trip", test_tcp);
  g_test_add_func ("/obd/transport/tcp/refused", test_tcp_refused);

  return g_test_run ();
}
