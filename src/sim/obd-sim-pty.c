/* obd-sim-pty.c — the simulated adapter served on a pseudo-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A poll loop on its own thread: the pty master, and a pipe that wakes it
 * for shutdown.  The loop sleeps until the virtual adapter's next byte is
 * due, so the timing model holds in real time.
 */
#define G_LOG_DOMAIN "obd-sim"
/* posix_openpt(), grantpt(), unlockpt() and ptsname_r() are X/Open and GNU. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-sim-pty.h"

/* After a link-drop fault the pty goes quiet this long, then the adapter
 * powers up again for whoever opens the path next (a pty cannot hang up
 * on its client without losing its name). */
#define DROP_QUIET_US (2 * G_USEC_PER_SEC)

struct _ObdSimPty
{
  ObdSimConfig *config;
  ObdSimElm    *elm;
  double        scale;
  int           master;
  int           slave;      /* kept open so the master never sees EIO */
  char         *path;
  int           wake[2];
  GThread      *thread;
  gint64        real_base_us;
  gint64        virtual_us;
};

static gboolean
set_errno_error (GError    **error,
                 const char *what)
{
  int saved = errno;

  g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED,
               _("Could not create the simulator’s pseudo-terminal (%s: %s)."),
               what, g_strerror (saved));
  return FALSE;
}

ObdSimPty *
obd_sim_pty_new (const char  *options,
                 GError     **error)
{
  g_autoptr(ObdSimConfig) config = obd_sim_config_parse (options, error);
  g_autoptr(ObdSimPty) self = NULL;
  struct termios tio;
  char name[128];

  if (!config)
    return NULL;

  self = g_new0 (ObdSimPty, 1);
  self->master = -1;
  self->slave = -1;
  self->wake[0] = self->wake[1] = -1;
  self->scale = config->timing_scale;
  self->elm = obd_sim_elm_new (config, error);
  if (!self->elm)
    return NULL;
  self->config = g_steal_pointer (&config);

  self->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (self->master < 0)
    {
      set_errno_error (error, "posix_openpt");
      return NULL;
    }
  if (grantpt (self->master) < 0 || unlockpt (self->master) < 0)
    {
      set_errno_error (error, "unlockpt");
      return NULL;
    }
  if (ptsname_r (self->master, name, sizeof name) != 0)
    {
      set_errno_error (error, "ptsname");
      return NULL;
    }
  self->path = g_strdup (name);

  /* Hold the slave open ourselves: when the last slave fd closes the
   * master reads EIO, and a client closing and reopening the path would
   * otherwise kill the server.  Raw mode, so CR stays CR. */
  self->slave = open (self->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (self->slave < 0)
    {
      set_errno_error (error, self->path);
      return NULL;
    }
  if (tcgetattr (self->slave, &tio) < 0)
    {
      set_errno_error (error, "tcgetattr");
      return NULL;
    }
  cfmakeraw (&tio);
  cfsetispeed (&tio, B115200);
  cfsetospeed (&tio, B115200);
  if (tcsetattr (self->slave, TCSANOW, &tio) < 0)
    {
      set_errno_error (error, "tcsetattr");
      return NULL;
    }
  if (!g_unix_set_fd_nonblocking (self->master, TRUE, error))
    return NULL;
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error) ||
      !g_unix_set_fd_nonblocking (self->wake[0], TRUE, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
obd_sim_pty_get_path (ObdSimPty *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

static gint64
virtual_now (ObdSimPty *self)
{
  if (self->scale > 0.0)
    self->virtual_us = MAX (self->virtual_us,
                            (gint64) ((double) (g_get_monotonic_time () - self->real_base_us) /
                                      self->scale));
  return self->virtual_us;
}

static gpointer
serve (gpointer data)
{
  ObdSimPty *self = data;
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  gint64 dropped_at = -1;

  for (;;)
    {
      struct pollfd fds[2];
      gint64 now = virtual_now (self);
      gint64 next;
      int timeout = -1;
      guint8 buf[512];
      gsize n;

      if (obd_sim_elm_is_disconnected (self->elm, now))
        {
          if (dropped_at < 0)
            dropped_at = g_get_monotonic_time ();
          else if (g_get_monotonic_time () - dropped_at >= DROP_QUIET_US)
            {
              obd_sim_elm_reconnect (self->elm, now);
              dropped_at = -1;
            }
        }

      if (pending->len < 4096)
        {
          n = obd_sim_elm_read (self->elm, buf, sizeof buf, now);
          g_byte_array_append (pending, buf, n);
        }

      next = obd_sim_elm_get_next_event (self->elm);
      if (dropped_at >= 0)
        timeout = (int) ((DROP_QUIET_US - (g_get_monotonic_time () - dropped_at)) / 1000) + 1;
      else if (next != OBD_SIM_NEVER && pending->len < 4096)
        {
          if (self->scale <= 0.0)
            {
              /* No waiting: jump to the next event right away. */
              self->virtual_us = MAX (self->virtual_us, next);
              timeout = 0;
            }
          else
            timeout = (int) MIN ((double) (next - now) * self->scale / 1000.0 + 1.0, 60000.0);
        }

      fds[0].fd = self->master;
      fds[0].events = POLLIN | (pending->len ? POLLOUT : 0);
      fds[0].revents = 0;
      fds[1].fd = self->wake[0];
      fds[1].events = POLLIN;
      fds[1].revents = 0;

      if (poll (fds, 2, timeout) < 0)
        {
          if (errno == EINTR)
            continue;
          g_warning ("Simulator pty: poll failed: %s", g_strerror (errno));
          break;
        }
      if (fds[1].revents)
        break;

      if (fds[0].revents & POLLIN)
        {
          gssize r = read (self->master, buf, sizeof buf);

          if (r > 0 && dropped_at < 0)
            obd_sim_elm_write (self->elm, buf, r, virtual_now (self));
        }
      if ((fds[0].revents & POLLOUT) && pending->len)
        {
          gssize w = write (self->master, pending->data, pending->len);

          if (w > 0)
            g_byte_array_remove_range (pending, 0, w);
        }
      if ((fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & (POLLIN | POLLOUT)))
        {
          /* Cannot happen while we hold the slave, but never spin. */
          g_usleep (10000);
        }
    }
  return NULL;
}

gboolean
obd_sim_pty_start (ObdSimPty  *self,
                   GError    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->thread)
    return TRUE;
  self->real_base_us = g_get_monotonic_time () - (gint64) ((double) self->virtual_us * self->scale);
  self->thread = g_thread_try_new ("obd-sim-pty", serve, self, error);
  return self->thread != NULL;
}

void
obd_sim_pty_stop (ObdSimPty *self)
{
  guint8 b = 1;

  g_return_if_fail (self != NULL);

  if (!self->thread)
    return;
  while (write (self->wake[1], &b, 1) < 0 && errno == EINTR)
    ;
  g_thread_join (g_steal_pointer (&self->thread));
  /* Empty the wake pipe for a later start. */
  while (read (self->wake[0], &b, 1) > 0)
    ;
}

gboolean
obd_sim_pty_is_running (ObdSimPty *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->thread != NULL;
}

void
obd_sim_pty_free (ObdSimPty *self)
{
  if (!self)
    return;
  obd_sim_pty_stop (self);
  if (self->master >= 0)
    close (self->master);
  if (self->slave >= 0)
    close (self->slave);
  if (self->wake[0] >= 0)
    close (self->wake[0]);
  if (self->wake[1] >= 0)
    close (self->wake[1]);
  g_free (self->path);
  obd_sim_elm_free (self->elm);
  obd_sim_config_free (self->config);
  g_free (self);
}
