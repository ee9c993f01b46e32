/* obd-tcp-transport.c — Wi-Fi adapters (ELM327 over a TCP socket)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wi-Fi ELM327 clones are access points that serve the line protocol on a
 * TCP port, most often 192.168.0.10:35000.  Nagle is switched off: every
 * command is a few bytes and waits for its answer.
 */
#define G_LOG_DOMAIN "obd-transport"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-transport-private.h"

#define DEFAULT_PORT 35000
#define CONNECT_TIMEOUT_S 5

#define OBD_TYPE_TCP_TRANSPORT (obd_tcp_transport_get_type ())
G_DECLARE_FINAL_TYPE (ObdTcpTransport, obd_tcp_transport, OBD, TCP_TRANSPORT, ObdTransport)

struct _ObdTcpTransport
{
  ObdTransport parent_instance;
  char *address;
  GSocketConnection *connection;
  GSocket *socket;
};

G_DEFINE_FINAL_TYPE (ObdTcpTransport, obd_tcp_transport, OBD_TYPE_TRANSPORT)

static void
translate_error (GError     **error,
                 GError      *io_error,
                 const char  *address)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (io_error));
      return;
    }

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      io_error->domain == G_RESOLVER_ERROR)
    g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NOT_FOUND,
                 _("No Wi-Fi adapter answers at %s (%s). Check that this computer is "
                   "connected to the adapter’s Wi-Fi network and that the address is "
                   "right (usually 192.168.0.10:35000)."),
                 address, io_error->message);
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT,
                 _("The Wi-Fi adapter at %s did not answer in time. Check that it is "
                   "plugged into the car and that you are on its Wi-Fi network."),
                 address);
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
           g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                 _("The Wi-Fi adapter at %s closed the connection. Check that it still "
                   "has power and connect again."), address);
  else
    g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED,
                 _("Could not talk to the Wi-Fi adapter at %s: %s"), address,
                 io_error->message);
}

static gboolean
obd_tcp_transport_open (ObdTransport  *transport,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ObdTcpTransport *self = OBD_TCP_TRANSPORT (transport);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) local_error = NULL;

  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  self->connection = g_socket_client_connect_to_host (client, self->address, DEFAULT_PORT,
                                                      cancellable, &local_error);
  if (self->connection == NULL)
    {
      translate_error (error, local_error, self->address);
      return FALSE;
    }

  self->socket = g_object_ref (g_socket_connection_get_socket (self->connection));
  g_socket_set_timeout (self->socket, 0);
  if (!g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, &local_error))
    g_debug ("TCP_NODELAY: %s", local_error->message);

  return TRUE;
}

static gboolean
obd_tcp_transport_write (ObdTransport  *transport,
                         const guint8  *buf,
                         gsize          len,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ObdTcpTransport *self = OBD_TCP_TRANSPORT (transport);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  g_autoptr(GError) local_error = NULL;

  if (!g_output_stream_write_all (out, buf, len, NULL, cancellable, &local_error))
    {
      translate_error (error, local_error, self->address);
      return FALSE;
    }

  return TRUE;
}

static gssize
obd_tcp_transport_read (ObdTransport  *transport,
                        guint8        *buf,
                        gsize          len,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ObdTcpTransport *self = OBD_TCP_TRANSPORT (transport);
  g_autoptr(GError) local_error = NULL;
  gssize n;

  if (!g_socket_condition_timed_wait (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      (gint64) timeout_ms * 1000, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        return 0;
      translate_error (error, local_error, self->address);
      return -1;
    }

  n = g_socket_receive (self->socket, (char *) buf, len, cancellable, &local_error);
  if (n < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return 0;
      translate_error (error, local_error, self->address);
      return -1;
    }
  if (n == 0)
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                   _("The Wi-Fi adapter at %s closed the connection. Check that it still "
                     "has power and connect again."), self->address);
      return -1;
    }

  return n;
}

static void
obd_tcp_transport_close (ObdTransport *transport)
{
  ObdTcpTransport *self = OBD_TCP_TRANSPORT (transport);

  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->connection);
}

static void
obd_tcp_transport_finalize (GObject *object)
{
  ObdTcpTransport *self = OBD_TCP_TRANSPORT (object);

  g_clear_pointer (&self->address, g_free);

  G_OBJECT_CLASS (obd_tcp_transport_parent_class)->finalize (object);
}

static void
obd_tcp_transport_class_init (ObdTcpTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ObdTransportClass *transport_class = OBD_TRANSPORT_CLASS (klass);

  object_class->finalize = obd_tcp_transport_finalize;

  transport_class->open = obd_tcp_transport_open;
  transport_class->write = obd_tcp_transport_write;
  transport_class->read = obd_tcp_transport_read;
  transport_class->close = obd_tcp_transport_close;
}

static void
obd_tcp_transport_init (ObdTcpTransport *self)
{
}

ObdTransport *
_obd_tcp_transport_new (const char  *address,
                        GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GError) local_error = NULL;
  ObdTcpTransport *self;

  if (*address != '\0')
    connectable = g_network_address_parse (address, DEFAULT_PORT, &local_error);
  if (connectable == NULL)
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                   _("“tcp:%s” is not a valid Wi-Fi adapter address. Use tcp:HOST:PORT, "
                     "for example tcp:192.168.0.10:35000."), address);
      return NULL;
    }

  self = g_object_new (OBD_TYPE_TCP_TRANSPORT, NULL);
  self->address = g_strdup (address);

  return OBD_TRANSPORT (self);
}
