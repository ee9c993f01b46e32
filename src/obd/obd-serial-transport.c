/* obd-serial-transport.c — USB and Bluetooth serial adapters via libserialport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ELM327 adapters ship at 38400 (genuine v1.x default) or 9600, clones often
 * at 115200, some at 57600 or higher after AT BRD.  With no "@BAUD" in the
 * connection string, open() probes the usual rates by sending a harmless
 * line and waiting for the '>' prompt.
 */
#define G_LOG_DOMAIN "obd-transport"

#include "config.h"

#include <errno.h>
#include <libserialport.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "obd-error.h"
#include "obd-transport-private.h"

#define OBD_TYPE_SERIAL_TRANSPORT (obd_serial_transport_get_type ())
G_DECLARE_FINAL_TYPE (ObdSerialTransport, obd_serial_transport, OBD, SERIAL_TRANSPORT, ObdTransport)

struct _ObdSerialTransport
{
  ObdTransport parent_instance;
  char *path;
  guint baud;
  struct sp_port *port;
  int fd;
};

G_DEFINE_FINAL_TYPE (ObdSerialTransport, obd_serial_transport, OBD_TYPE_TRANSPORT)

/* In the order adapters are most often found at. */
static const guint probe_rates[] = { 38400, 115200, 9600, 57600, 230400, 500000 };

static void
set_error_from_sp (GError          **error,
                   enum sp_return    ret,
                   const char       *path)
{
  if (ret == SP_ERR_FAIL)
    {
      int code = sp_last_error_code ();
      g_autofree char *message = sp_last_error_message ();

      g_debug ("libserialport on %s: %s", path, message);
      _obd_set_error_from_errno (error, code, path);
      return;
    }

  g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED,
               _("Could not use the serial port %s (libserialport error %d)."), path, ret);
}

static gboolean
configure (ObdSerialTransport  *self,
           guint                baud,
           GError             **error)
{
  enum sp_return ret;

  if ((ret = sp_set_baudrate (self->port, (int) baud)) != SP_OK ||
      (ret = sp_set_bits (self->port, 8)) != SP_OK ||
      (ret = sp_set_parity (self->port, SP_PARITY_NONE)) != SP_OK ||
      (ret = sp_set_stopbits (self->port, 1)) != SP_OK ||
      (ret = sp_set_flowcontrol (self->port, SP_FLOWCONTROL_NONE)) != SP_OK)
    {
      set_error_from_sp (error, ret, self->path);
      return FALSE;
    }

  self->baud = baud;
  return TRUE;
}

static gboolean
probe_rate (ObdSerialTransport  *self,
            guint                baud,
            GCancellable        *cancellable,
            GError             **error)
{
  /* DEL DEL CR: the ELM327 ignores the DELs and answers the empty line with
   * its prompt (possibly after "?"), whatever state it is in. */
  static const guint8 probe[] = { 0x7f, 0x7f, '\r' };
  gint64 deadline;
  guint8 buf[64];

  if (!configure (self, baud, error))
    return FALSE;

  sp_flush (self->port, SP_BUF_BOTH);
  if (sp_blocking_write (self->port, probe, sizeof probe, 200) != (int) sizeof probe)
    return FALSE;

  deadline = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < deadline)
    {
      int ready = _obd_fd_wait_readable (self->fd, 50, cancellable, error);
      int n;

      if (ready < 0)
        return FALSE;
      if (ready == 0)
        continue;

      n = sp_nonblocking_read (self->port, buf, sizeof buf);
      if (n < 0)
        return FALSE;
      if (memchr (buf, '>', n) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
obd_serial_transport_open (ObdTransport  *transport,
                           GCancellable  *cancellable,
                           GError       **error)
{
  ObdSerialTransport *self = OBD_SERIAL_TRANSPORT (transport);
  enum sp_return ret;

  ret = sp_get_port_by_name (self->path, &self->port);
  if (ret != SP_OK)
    {
      GStatBuf st;

      /* Something is there, but it is no serial port: a typo or the
       * wrong file (--port /etc/passwd), not an unplugged adapter. */
      if (g_stat (self->path, &st) == 0)
        g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                     S_ISDIR (st.st_mode)
                     ? _("%s is a folder, not a serial port. Give the adapter’s port, such as "
                         "/dev/ttyUSB0 or /dev/rfcomm0.")
                     : S_ISCHR (st.st_mode)
                     ? _("%s is a device, but not a serial port. Give the adapter’s port, such "
                         "as /dev/ttyUSB0 or /dev/rfcomm0.")
                     : _("%s is a file, not a serial port. Give the adapter’s port, such as "
                         "/dev/ttyUSB0 or /dev/rfcomm0."), self->path);
      else
        g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NOT_FOUND,
                     _("There is no serial port %s. Check that the adapter is plugged in "
                       "(USB) or paired and bound with rfcomm (Bluetooth)."), self->path);
      return FALSE;
    }

  ret = sp_open (self->port, SP_MODE_READ_WRITE);
  if (ret != SP_OK)
    {
      set_error_from_sp (error, ret, self->path);
      g_clear_pointer (&self->port, sp_free_port);
      return FALSE;
    }

  if (sp_get_port_handle (self->port, &self->fd) != SP_OK)
    self->fd = -1;

  if (self->baud != 0)
    {
      if (!configure (self, self->baud, error))
        goto failed;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (probe_rates); i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (probe_rate (self, probe_rates[i], cancellable, &local_error))
        {
          g_debug ("%s answers at %u baud", self->path, probe_rates[i]);
          return TRUE;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto failed;
        }
    }

  g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NO_ADAPTER,
               _("Nothing on %s answers like an ELM327 adapter at any usual speed. Check "
                 "that the adapter is powered (plugged into the car) and that this is the "
                 "right port, or give the speed as %s@38400."), self->path, self->path);

failed:
  sp_close (self->port);
  g_clear_pointer (&self->port, sp_free_port);
  self->fd = -1;
  return FALSE;
}

static gboolean
obd_serial_transport_write (ObdTransport  *transport,
                            const guint8  *buf,
                            gsize          len,
                            GCancellable  *cancellable,
                            GError       **error)
{
  ObdSerialTransport *self = OBD_SERIAL_TRANSPORT (transport);
  int n = sp_blocking_write (self->port, buf, len, 1000);

  if (n < 0)
    {
      set_error_from_sp (error, n, self->path);
      return FALSE;
    }
  if ((gsize) n != len)
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT,
                   _("The adapter does not accept data. Unplug it and plug it in again."));
      return FALSE;
    }

  return TRUE;
}

static gssize
obd_serial_transport_read (ObdTransport  *transport,
                           guint8        *buf,
                           gsize          len,
                           guint          timeout_ms,
                           GCancellable  *cancellable,
                           GError       **error)
{
  ObdSerialTransport *self = OBD_SERIAL_TRANSPORT (transport);
  int ready;
  int n;

  ready = _obd_fd_wait_readable (self->fd, timeout_ms, cancellable, error);
  if (ready <= 0)
    return ready;

  n = sp_nonblocking_read (self->port, buf, len);
  if (n < 0)
    {
      set_error_from_sp (error, n, self->path);
      return -1;
    }
  if (n == 0)
    {
      /* Readable with nothing to read: a USB adapter that went away. */
      _obd_set_error_from_errno (error, EIO, self->path);
      return -1;
    }

  return n;
}

static void
obd_serial_transport_close (ObdTransport *transport)
{
  ObdSerialTransport *self = OBD_SERIAL_TRANSPORT (transport);

  if (self->port != NULL)
    {
      sp_close (self->port);
      g_clear_pointer (&self->port, sp_free_port);
    }
  self->fd = -1;
}

static gboolean
obd_serial_transport_set_baud_rate (ObdTransport  *transport,
                                    guint          baud,
                                    GError       **error)
{
  return configure (OBD_SERIAL_TRANSPORT (transport), baud, error);
}

static void
obd_serial_transport_finalize (GObject *object)
{
  ObdSerialTransport *self = OBD_SERIAL_TRANSPORT (object);

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (obd_serial_transport_parent_class)->finalize (object);
}

static void
obd_serial_transport_class_init (ObdSerialTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ObdTransportClass *transport_class = OBD_TRANSPORT_CLASS (klass);

  object_class->finalize = obd_serial_transport_finalize;

  transport_class->open = obd_serial_transport_open;
  transport_class->write = obd_serial_transport_write;
  transport_class->read = obd_serial_transport_read;
  transport_class->close = obd_serial_transport_close;
  transport_class->set_baud_rate = obd_serial_transport_set_baud_rate;
}

static void
obd_serial_transport_init (ObdSerialTransport *self)
{
  self->fd = -1;
}

ObdTransport *
_obd_serial_transport_new (const char  *path,
                           guint        baud,
                           GError     **error)
{
  ObdSerialTransport *self = g_object_new (OBD_TYPE_SERIAL_TRANSPORT, NULL);

  self->path = g_strdup (path);
  self->baud = baud;

  return OBD_TRANSPORT (self);
}
