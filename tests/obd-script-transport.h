/* obd-script-transport.h — a transport that plays an adapter from a script
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For transcript tests and the adapter fuzz target: every line the host
 * writes (up to CR) is handed to a reply function, whose bytes are queued
 * for reading; tests may also queue bytes nobody asked for at any time
 * (a late reply, a doubled one, a stream without end).  Time is virtual:
 * a read with nothing queued returns 0 at once, as a read that waited its
 * whole timeout, so no test ever sleeps.
 */
#pragma once

#include "obd-transport.h"

G_BEGIN_DECLS

#define OBD_TYPE_SCRIPT_TRANSPORT (obd_script_transport_get_type ())
G_DECLARE_FINAL_TYPE (ObdScriptTransport, obd_script_transport, OBD, SCRIPT_TRANSPORT,
                      ObdTransport)

/* Returns the bytes to queue in answer to line (without its CR), or NULL
 * for none.  n is how many lines came before this one. */
typedef GBytes *(*ObdScriptReplyFunc) (ObdScriptTransport *self,
                                       const char         *line,
                                       guint               n,
                                       gpointer            data);

ObdScriptTransport *obd_script_transport_new        (ObdScriptReplyFunc  func,
                                                     gpointer            data);
/* Queues bytes for reading after what is queued already. */
void                obd_script_transport_queue      (ObdScriptTransport *self,
                                                     const char         *bytes,
                                                     gsize               len);
/* At most this many bytes per read (default 64), so replies arrive in
 * pieces as they do from a serial line. */
void                obd_script_transport_set_chunk  (ObdScriptTransport *self,
                                                     gsize               chunk);
/* Calls func(data) before a read once total bytes have been read, e.g. to
 * cancel in the middle of a reply; 0 disarms. */
void                obd_script_transport_set_trap   (ObdScriptTransport *self,
                                                     guint64             total,
                                                     GCallback           func,
                                                     gpointer            data);
/* Once everything queued is read, reads return pattern over and over:
 * an adapter that never stops talking.  NULL stops it. */
void                obd_script_transport_set_endless (ObdScriptTransport *self,
                                                      const char         *pattern);
/* Bytes read so far. */
guint64             obd_script_transport_get_n_read (ObdScriptTransport *self);
/* Every line written so far. */
GPtrArray          *obd_script_transport_get_lines  (ObdScriptTransport *self);
/* Reads that found nothing queued, i.e. waits that ran out. */
guint               obd_script_transport_get_n_timeouts (ObdScriptTransport *self);
/* The link drops: reads and writes fail as a pulled cable does. */
void                obd_script_transport_drop       (ObdScriptTransport *self);

G_END_DECLS
