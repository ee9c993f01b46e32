/* obd-transport-private.h — constructors of the built-in transports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-transport.h"

G_BEGIN_DECLS

/* baud == 0: detect it (serial) or leave the line as it is (pty). */
ObdTransport *_obd_serial_transport_new (const char  *path,
                                         guint        baud,
                                         GError     **error);
ObdTransport *_obd_pty_transport_new    (const char  *path,
                                         guint        baud,
                                         GError     **error);
/* address is "HOST:PORT". */
ObdTransport *_obd_tcp_transport_new    (const char  *address,
                                         GError     **error);

/* Shared by the fd-based transports: waits up to timeout_ms for fd to be
 * readable, or for cancellable.  Returns 1 readable, 0 timeout, -1 error. */
int           _obd_fd_wait_readable     (int           fd,
                                         guint         timeout_ms,
                                         GCancellable *cancellable,
                                         GError      **error);
/* Maps errno of open(2)/read(2)/write(2) on a port to a transport error. */
void          _obd_set_error_from_errno (GError      **error,
                                         int           saved_errno,
                                         const char   *path);

G_END_DECLS
