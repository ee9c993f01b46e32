/* obd-transport.h — a byte pipe to an ELM327 adapter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Implementations: serial ports (libserialport), pseudo-terminals (termios),
 * TCP (Wi-Fi adapters) and the in-process simulator (src/sim/, registered
 * through obd_transport_register_scheme() so this layer never includes it).
 * All calls block and are meant for the adapter worker thread; every one
 * honours its GCancellable.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OBD_TYPE_TRANSPORT (obd_transport_get_type ())
G_DECLARE_DERIVABLE_TYPE (ObdTransport, obd_transport, OBD, TRANSPORT, GObject)

struct _ObdTransportClass
{
  GObjectClass parent_class;

  gboolean (*open)          (ObdTransport  *self,
                             GCancellable  *cancellable,
                             GError       **error);
  /* Writes all of buf or fails. */
  gboolean (*write)         (ObdTransport  *self,
                             const guint8  *buf,
                             gsize          len,
                             GCancellable  *cancellable,
                             GError       **error);
  /* Waits up to timeout_ms for at least one byte; returns the number read,
   * 0 on timeout, -1 with error set on failure.  End of stream is an
   * OBD_TRANSPORT_ERROR_DISCONNECTED error. */
  gssize   (*read)          (ObdTransport  *self,
                             guint8        *buf,
                             gsize          len,
                             guint          timeout_ms,
                             GCancellable  *cancellable,
                             GError       **error);
  void     (*close)         (ObdTransport  *self);
  /* Serial only: change the host side bit rate (after AT BRD). */
  gboolean (*set_baud_rate) (ObdTransport  *self,
                             guint          baud,
                             GError       **error);

  gpointer padding[8];
};

typedef ObdTransport *(*ObdTransportFactory) (const char  *address,
                                              GError     **error);

/* Parses a connection string (DESIGN.md §4): "sim", "sim:SCENARIO",
 * "/dev/ttyUSB0", "/dev/ttyUSB0@38400", "COM3", "/dev/pts/4",
 * "tcp:192.168.0.10:35000".  The transport is created closed. */
ObdTransport *obd_transport_new_for_string   (const char           *connection,
                                              GError              **error);
/* Lets a higher layer provide a scheme ("sim") without this layer
 * depending on it.  address is the text after "scheme:" or NULL. */
void          obd_transport_register_scheme  (const char           *scheme,
                                              ObdTransportFactory   factory);

gboolean      obd_transport_open             (ObdTransport  *self,
                                              GCancellable  *cancellable,
                                              GError       **error);
gboolean      obd_transport_write            (ObdTransport  *self,
                                              const guint8  *buf,
                                              gsize          len,
                                              GCancellable  *cancellable,
                                              GError       **error);
gssize        obd_transport_read             (ObdTransport  *self,
                                              guint8        *buf,
                                              gsize          len,
                                              guint          timeout_ms,
                                              GCancellable  *cancellable,
                                              GError       **error);
void          obd_transport_close            (ObdTransport  *self);
gboolean      obd_transport_set_baud_rate    (ObdTransport  *self,
                                              guint          baud,
                                              GError       **error);
gboolean      obd_transport_is_open          (ObdTransport  *self);
/* The connection string it was made from, for messages and the UI. */
const char   *obd_transport_get_description  (ObdTransport  *self);
void          obd_transport_set_description  (ObdTransport  *self,
                                              const char    *description);
/* Statistics for link quality: bytes moved since open. */
guint64       obd_transport_get_bytes_read   (ObdTransport  *self);
guint64       obd_transport_get_bytes_written(ObdTransport  *self);

G_END_DECLS
