/* obd-transport.c — the transport base class and the connection-string factory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-transport"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-transport.h"
#include "obd-transport-private.h"

typedef struct
{
  char     *description;
  guint64   bytes_read;
  guint64   bytes_written;
  gboolean  is_open;
} ObdTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ObdTransport, obd_transport, G_TYPE_OBJECT)

static GMutex schemes_lock;
static GHashTable *schemes;

static void
obd_transport_dispose (GObject *object)
{
  ObdTransport *self = OBD_TRANSPORT (object);

  obd_transport_close (self);

  G_OBJECT_CLASS (obd_transport_parent_class)->dispose (object);
}

static void
obd_transport_finalize (GObject *object)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (OBD_TRANSPORT (object));

  g_clear_pointer (&priv->description, g_free);

  G_OBJECT_CLASS (obd_transport_parent_class)->finalize (object);
}

static void
obd_transport_class_init (ObdTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_transport_dispose;
  object_class->finalize = obd_transport_finalize;
}

static void
obd_transport_init (ObdTransport *self)
{
}

void
obd_transport_register_scheme (const char          *scheme,
                               ObdTransportFactory  factory)
{
  g_return_if_fail (scheme != NULL);
  g_return_if_fail (factory != NULL);

  g_mutex_lock (&schemes_lock);
  if (schemes == NULL)
    schemes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_replace (schemes, g_strdup (scheme), factory);
  g_mutex_unlock (&schemes_lock);
}

static ObdTransportFactory
lookup_scheme (const char *scheme)
{
  ObdTransportFactory factory = NULL;

  g_mutex_lock (&schemes_lock);
  if (schemes != NULL)
    factory = g_hash_table_lookup (schemes, scheme);
  g_mutex_unlock (&schemes_lock);

  return factory;
}

static gboolean
is_pseudo_terminal_path (const char *path)
{
  /* libserialport 0.1.1 refuses ptys (it looks them up in /sys/class/tty and
   * needs TIOCMGET), so every /dev/pts/N and the classic /dev/ptyXX and
   * /dev/ttypX names go through the termios transport. */
  return g_str_has_prefix (path, "/dev/pts/") ||
         g_str_has_prefix (path, "/dev/ptmx") ||
         g_str_has_prefix (path, "/dev/ttyp");
}

/* Splits "PATH@BAUD"; baud is 0 when absent. */
static gboolean
split_baud (const char  *connection,
            char       **out_path,
            guint       *out_baud,
            GError     **error)
{
  const char *at = strrchr (connection, '@');
  guint64 baud = 0;

  if (at == NULL)
    {
      *out_path = g_strdup (connection);
      *out_baud = 0;
      return TRUE;
    }

  if (!g_ascii_string_to_unsigned (at + 1, 10, 300, 4000000, &baud, NULL))
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                   _("“%s” is not a valid baud rate in “%s”. Use a number such as 38400 or 115200."),
                   at + 1, connection);
      return FALSE;
    }

  *out_path = g_strndup (connection, at - connection);
  *out_baud = (guint) baud;
  return TRUE;
}

ObdTransport *
obd_transport_new_for_string (const char  *connection,
                              GError     **error)
{
  g_autoptr(ObdTransport) transport = NULL;

  g_return_val_if_fail (connection != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*connection == '\0')
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                   _("No connection given. Use “sim”, a serial port such as /dev/ttyUSB0, "
                     "or tcp:HOST:PORT for a Wi-Fi adapter."));
      return NULL;
    }

  if (g_str_equal (connection, "sim") || g_str_has_prefix (connection, "sim:"))
    {
      ObdTransportFactory factory = lookup_scheme ("sim");
      const char *address = connection[3] == ':' ? connection + 4 : NULL;

      if (factory == NULL)
        {
          g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                       _("The simulated vehicle is not available in this program."));
          return NULL;
        }
      transport = factory (address, error);
    }
  else if (g_str_has_prefix (connection, "tcp:"))
    {
      transport = _obd_tcp_transport_new (connection + 4, error);
    }
  else
    {
      g_autofree char *path = NULL;
      guint baud = 0;

      if (!split_baud (connection, &path, &baud, error))
        return NULL;

      if (is_pseudo_terminal_path (path))
        transport = _obd_pty_transport_new (path, baud, error);
      else if (path[0] == '/' || g_ascii_strncasecmp (path, "COM", 3) == 0)
        transport = _obd_serial_transport_new (path, baud, error);
      else
        g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                     _("“%s” is not a connection this program understands. Use “sim”, a "
                       "serial port such as /dev/ttyUSB0 or /dev/rfcomm0, a pseudo-terminal "
                       "such as /dev/pts/3, or tcp:HOST:PORT for a Wi-Fi adapter."),
                     connection);
    }

  if (transport == NULL)
    return NULL;

  if (obd_transport_get_description (transport) == NULL)
    obd_transport_set_description (transport, connection);

  return g_steal_pointer (&transport);
}

gboolean
obd_transport_open (ObdTransport  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (!priv->is_open, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!OBD_TRANSPORT_GET_CLASS (self)->open (self, cancellable, error))
    return FALSE;

  priv->is_open = TRUE;
  priv->bytes_read = 0;
  priv->bytes_written = 0;
  return TRUE;
}

static gboolean
ensure_open (ObdTransport  *self,
             GError       **error)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  if (priv->is_open)
    return TRUE;

  g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
               _("The connection to the adapter is closed. Connect again."));
  return FALSE;
}

gboolean
obd_transport_write (ObdTransport  *self,
                     const guint8  *buf,
                     gsize          len,
                     GCancellable  *cancellable,
                     GError       **error)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);

  if (!ensure_open (self, error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!OBD_TRANSPORT_GET_CLASS (self)->write (self, buf, len, cancellable, error))
    return FALSE;

  priv->bytes_written += len;
  return TRUE;
}

gssize
obd_transport_read (ObdTransport  *self,
                    guint8        *buf,
                    gsize          len,
                    guint          timeout_ms,
                    GCancellable  *cancellable,
                    GError       **error)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);
  gssize n;

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), -1);
  g_return_val_if_fail (buf != NULL && len > 0, -1);

  if (!ensure_open (self, error))
    return -1;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  n = OBD_TRANSPORT_GET_CLASS (self)->read (self, buf, len, timeout_ms, cancellable, error);
  if (n > 0)
    priv->bytes_read += n;

  return n;
}

void
obd_transport_close (ObdTransport *self)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_if_fail (OBD_IS_TRANSPORT (self));

  if (!priv->is_open)
    return;

  priv->is_open = FALSE;
  if (OBD_TRANSPORT_GET_CLASS (self)->close != NULL)
    OBD_TRANSPORT_GET_CLASS (self)->close (self);
}

gboolean
obd_transport_set_baud_rate (ObdTransport  *self,
                             guint          baud,
                             GError       **error)
{
  g_return_val_if_fail (OBD_IS_TRANSPORT (self), FALSE);

  if (!ensure_open (self, error))
    return FALSE;

  /* Transports without a bit rate (TCP, the simulator) accept any. */
  if (OBD_TRANSPORT_GET_CLASS (self)->set_baud_rate == NULL)
    return TRUE;

  return OBD_TRANSPORT_GET_CLASS (self)->set_baud_rate (self, baud, error);
}

gboolean
obd_transport_is_open (ObdTransport *self)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), FALSE);

  return priv->is_open;
}

const char *
obd_transport_get_description (ObdTransport *self)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), NULL);

  return priv->description;
}

void
obd_transport_set_description (ObdTransport *self,
                               const char   *description)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_if_fail (OBD_IS_TRANSPORT (self));

  if (g_strcmp0 (priv->description, description) == 0)
    return;

  g_free (priv->description);
  priv->description = g_strdup (description);
}

guint64
obd_transport_get_bytes_read (ObdTransport *self)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), 0);

  return priv->bytes_read;
}

guint64
obd_transport_get_bytes_written (ObdTransport *self)
{
  ObdTransportPrivate *priv = obd_transport_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_TRANSPORT (self), 0);

  return priv->bytes_written;
}
