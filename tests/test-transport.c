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

#include "obd-error.h"
#include "obd-sim-transport.h"
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
  g_test_add_func ("/obd/transport/tcp/round-trip", test_tcp);
  g_test_add_func ("/obd/transport/tcp/refused", test_tcp_refused);

  return g_test_run ();
}
