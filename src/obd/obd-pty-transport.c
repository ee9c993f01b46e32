/* obd-pty-transport.c — pseudo-terminals through plain termios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Simulators, emulators and socat bridges give us a pty.  libserialport
 * 0.1.1 cannot open those (TESTING.md), so this transport uses POSIX
 * termios directly: raw mode, exclusive access, poll(2) with the
 * cancellable's fd for timeouts.
 */
#define G_LOG_DOMAIN "obd-transport"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "obd-error.h"
#include "obd-transport-private.h"

#define OBD_TYPE_PTY_TRANSPORT (obd_pty_transport_get_type ())
G_DECLARE_FINAL_TYPE (ObdPtyTransport, obd_pty_transport, OBD, PTY_TRANSPORT, ObdTransport)

struct _ObdPtyTransport
{
  ObdTransport parent_instance;
  char *path;
  guint baud;
  int fd;
  /* The program on the other side closed the pty.  Its name is free from
   * then on and the next pty anyone opens may get it, so it is not opened
   * again: that would be someone else's simulator or terminal (and TIOCEXCL
   * does not keep root out). */
  gboolean hung_up;
};

G_DEFINE_FINAL_TYPE (ObdPtyTransport, obd_pty_transport, OBD_TYPE_TRANSPORT)

void
_obd_set_error_from_errno (GError     **error,
                           int          saved_errno,
                           const char  *path)
{
  switch (saved_errno)
    {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NOT_FOUND,
                   _("There is no adapter at %s. Check that it is plugged in, or pick "
                     "another port."), path);
      break;
    case EACCES:
    case EPERM:
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_PERMISSION_DENIED,
                   _("Permission denied for %s. Add your user to the “dialout” group, "
                     "then log out and back in."), path);
      break;
    case EBUSY:
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_BUSY,
                   _("%s is in use by another program. Close it and try again."), path);
      break;
    case EIO:
    case EPIPE:
    case ECONNRESET:
    case ENOTCONN:
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                   _("The adapter at %s was disconnected. Check the cable and connect "
                     "again."), path);
      break;
    default:
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED,
                   _("Could not use %s: %s"), path, g_strerror (saved_errno));
      break;
    }
}

int
_obd_fd_wait_readable (int            fd,
                       guint          timeout_ms,
                       GCancellable  *cancellable,
                       GError       **error)
{
  GPollFD fds[2] = { { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 } };
  guint n_fds = 1;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int ret;

  if (g_cancellable_make_pollfd (cancellable, &fds[1]))
    n_fds = 2;

  for (;;)
    {
      gint64 remaining = deadline - g_get_monotonic_time ();

      if (remaining < 0)
        remaining = 0;

      ret = g_poll (fds, n_fds, (int) ((remaining + 999) / 1000));
      if (ret < 0 && errno == EINTR)
        continue;
      break;
    }

  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  if (ret < 0)
    {
      int saved_errno = errno;

      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED,
                   "poll: %s", g_strerror (saved_errno));
      return -1;
    }

  if (ret == 0)
    return 0;

  /* HUP without IN: the other side is gone; read(2) reports it. */
  return 1;
}

static speed_t
baud_to_speed (guint baud)
{
  switch (baud)
    {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 2000000: return B2000000;
    default: return B0;
    }
}

static gboolean
apply_termios (ObdPtyTransport  *self,
               guint             baud,
               GError          **error)
{
  struct termios tio;

  if (tcgetattr (self->fd, &tio) != 0)
    {
      _obd_set_error_from_errno (error, errno, self->path);
      return FALSE;
    }

  cfmakeraw (&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;

  if (baud != 0)
    {
      speed_t speed = baud_to_speed (baud);

      if (speed == B0)
        {
          g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS,
                       _("%u baud is not supported. Use 9600, 38400, 57600, 115200 or "
                         "230400."), baud);
          return FALSE;
        }
      cfsetispeed (&tio, speed);
      cfsetospeed (&tio, speed);
    }

  if (tcsetattr (self->fd, TCSANOW, &tio) != 0)
    {
      _obd_set_error_from_errno (error, errno, self->path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
obd_pty_transport_open (ObdTransport  *transport,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ObdPtyTransport *self = OBD_PTY_TRANSPORT (transport);

  if (self->hung_up)
    {
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                   _("The program that served %s has closed it, and the name may now "
                     "belong to another program. Start it again and connect to the path "
                     "it prints."), self->path);
      return FALSE;
    }

  self->fd = g_open (self->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
  if (self->fd < 0)
    {
      _obd_set_error_from_errno (error, errno, self->path);
      return FALSE;
    }

  /* Two programs writing to one adapter interleave their commands, so ask
   * for exclusive use as libserialport does for real ports. */
  if (ioctl (self->fd, TIOCEXCL) != 0)
    g_debug ("TIOCEXCL on %s: %s", self->path, g_strerror (errno));

  if (!apply_termios (self, self->baud, error))
    {
      close (self->fd);
      self->fd = -1;
      return FALSE;
    }

  tcflush (self->fd, TCIOFLUSH);
  return TRUE;
}

static gboolean
obd_pty_transport_write (ObdTransport  *transport,
                         const guint8  *buf,
                         gsize          len,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ObdPtyTransport *self = OBD_PTY_TRANSPORT (transport);
  gsize done = 0;

  while (done < len)
    {
      gssize n = write (self->fd, buf + done, len - done);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN)
            {
              GPollFD pfd = { self->fd, G_IO_OUT, 0 };

              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                return FALSE;
              if (g_poll (&pfd, 1, 1000) == 0)
                {
                  g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT,
                               _("The adapter does not accept data. Unplug it and plug it "
                                 "in again."));
                  return FALSE;
                }
              continue;
            }
          _obd_set_error_from_errno (error, errno, self->path);
          return FALSE;
        }
      done += n;
    }

  return TRUE;
}

static gssize
obd_pty_transport_read (ObdTransport  *transport,
                        guint8        *buf,
                        gsize          len,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ObdPtyTransport *self = OBD_PTY_TRANSPORT (transport);

  for (;;)
    {
      int ready = _obd_fd_wait_readable (self->fd, timeout_ms, cancellable, error);
      gssize n;

      if (ready <= 0)
        return ready;

      n = read (self->fd, buf, len);
      if (n > 0)
        return n;
      if (n == 0 || errno == EIO)
        {
          /* A pty whose other side closed reads as EOF or EIO. */
          self->hung_up = TRUE;
          _obd_set_error_from_errno (error, EIO, self->path);
          return -1;
        }
      if (errno == EINTR || errno == EAGAIN)
        continue;

      _obd_set_error_from_errno (error, errno, self->path);
      return -1;
    }
}

static void
obd_pty_transport_close (ObdTransport *transport)
{
  ObdPtyTransport *self = OBD_PTY_TRANSPORT (transport);

  if (self->fd >= 0)
    {
      ioctl (self->fd, TIOCNXCL);
      close (self->fd);
      self->fd = -1;
    }
}

static gboolean
obd_pty_transport_set_baud_rate (ObdTransport  *transport,
                                 guint          baud,
                                 GError       **error)
{
  ObdPtyTransport *self = OBD_PTY_TRANSPORT (transport);

  self->baud = baud;
  return apply_termios (self, baud, error);
}

static void
obd_pty_transport_finalize (GObject *object)
{
  ObdPtyTransport *self = OBD_PTY_TRANSPORT (object);

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (obd_pty_transport_parent_class)->finalize (object);
}

static void
obd_pty_transport_class_init (ObdPtyTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ObdTransportClass *transport_class = OBD_TRANSPORT_CLASS (klass);

  object_class->finalize = obd_pty_transport_finalize;

  transport_class->open = obd_pty_transport_open;
  transport_class->write = obd_pty_transport_write;
  transport_class->read = obd_pty_transport_read;
  transport_class->close = obd_pty_transport_close;
  transport_class->set_baud_rate = obd_pty_transport_set_baud_rate;
}

static void
obd_pty_transport_init (ObdPtyTransport *self)
{
  self->fd = -1;
}

ObdTransport *
_obd_pty_transport_new (const char  *path,
                        guint        baud,
                        GError     **error)
{
  ObdPtyTransport *self = g_object_new (OBD_TYPE_PTY_TRANSPORT, NULL);

  self->path = g_strdup (path);
  self->baud = baud;

  return OBD_TRANSPORT (self);
}
