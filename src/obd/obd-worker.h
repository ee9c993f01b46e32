/* obd-worker.h — one thread per connection: connect, poll, run jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md §3.  The worker owns the transport and the adapter on its own
 * thread with its own GMainContext, which it holds from start to end:
 * requests (obd_worker_set_pids(), obd_worker_run_async()) reach it as
 * sources queued there and never run on the caller's thread.  Signals are
 * emitted on the main context that was thread-default when
 * obd_worker_start() was called, always from sources queued there.
 * Samples arrive in batches, at most every OBD_WORKER_BATCH_MS.
 *
 * The queue between the worker and its owner holds at most
 * OBD_WORKER_MAX_PENDING samples (about 36 s at the fast strategy's
 * 450 values a second).  When the owner falls that far behind (its main
 * loop blocked), the worker does not wait for it: it thins the older half
 * of the queue, dropping every other sample of each ECU, PID and field
 * there, oldest first, so the owner still gets the whole stretch of time
 * at a lower rate and the newest values are never lost.  What was dropped
 * is counted in ObdLinkStats.n_dropped_samples.
 */
#pragma once

#include <gio/gio.h>

#include "obd-adapter.h"

G_BEGIN_DECLS

#define OBD_WORKER_BATCH_MS     50
#define OBD_WORKER_MAX_PENDING  16384

typedef enum
{
  OBD_WORKER_STATE_IDLE = 0,
  OBD_WORKER_STATE_CONNECTING,
  OBD_WORKER_STATE_CONNECTED,
  OBD_WORKER_STATE_RECONNECTING,
  OBD_WORKER_STATE_STOPPED,
} ObdWorkerState;

/* Runs on the worker thread with the connected adapter. */
typedef gpointer (*ObdWorkerJobFunc) (ObdAdapter    *adapter,
                                      gpointer       data,
                                      GCancellable  *cancellable,
                                      GError       **error);

#define OBD_TYPE_WORKER (obd_worker_get_type ())
G_DECLARE_FINAL_TYPE (ObdWorker, obd_worker, OBD, WORKER, GObject)

ObdWorker      *obd_worker_new              (const char       *connection,
                                             ObdStrategy       strategy,
                                             ObdProtocol       protocol);
const char     *obd_worker_get_connection   (ObdWorker        *self);
ObdWorkerState  obd_worker_get_state        (ObdWorker        *self);
/* Reconnect after a dropped link or a stalled adapter (default TRUE). */
void            obd_worker_set_auto_reconnect (ObdWorker      *self,
                                               gboolean        auto_reconnect);

void            obd_worker_start            (ObdWorker        *self);
/* Cancels, joins the thread, delivers the samples still pending, then
 * emits ::stopped (if it was not emitted already).  Safe to call twice. */
void            obd_worker_stop             (ObdWorker        *self);

/* The PIDs to poll, each with a priority 1 (background) to 10 (on screen
 * now): a PID of priority p is read p times as often as one of priority 1. */
void            obd_worker_set_pids         (ObdWorker        *self,
                                             const guint8     *pids,
                                             const guint      *priorities,
                                             gsize             n_pids);

/* Runs func on the worker thread between two polls; the result comes back
 * on the caller's thread-default main context. */
void            obd_worker_run_async        (ObdWorker           *self,
                                             ObdWorkerJobFunc     func,
                                             gpointer             data,
                                             GDestroyNotify       data_destroy,
                                             GDestroyNotify       result_destroy,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gpointer        obd_worker_run_finish       (ObdWorker           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Connection facts as of the last CONNECTED state, kept on the owner's
 * side: the version string stays valid until the next ::state-changed. */
const char     *obd_worker_get_adapter_version (ObdWorker     *self);
ObdProtocol     obd_worker_get_protocol     (ObdWorker        *self);
/* Supported Mode 01 PIDs of all ECUs (newly allocated, sorted). */
GArray         *obd_worker_dup_supported_pids (ObdWorker      *self);

/* Link quality over the last few seconds. */
double          obd_worker_get_requests_per_second (ObdWorker *self);
double          obd_worker_get_values_per_second   (ObdWorker *self);
guint64         obd_worker_get_n_requests   (ObdWorker        *self);
guint64         obd_worker_get_n_values     (ObdWorker        *self);
/* Link quality since start: requests, values, what was discarded as out
 * of step or unasked, resynchronisations, reconnects and samples the full
 * queue dropped.  Safe from any thread. */
void            obd_worker_get_link_stats   (ObdWorker        *self,
                                             ObdLinkStats     *out_stats);

G_END_DECLS
