/* obd-recorder.h — writes live samples into the store from its own thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ObdRecorder owns a thread with its own SQLite connection.  The owner
 * (the thread that created it: the GTK main thread in the app, the CLI's
 * loop) hands it batches of ObdSample as the adapter worker delivers them;
 * the thread writes each batch — or, when it falls behind, everything
 * queued — in one transaction, or several when one would hold the write
 * lock longer than 50 ms (other writers wait for it).  A committed row survives a crash of the
 * process at any moment.
 *
 * If writing fails (disk full, I/O error), recording stops: what was
 * committed is kept, the session is marked interrupted, and the "failed"
 * signal is emitted on the owner's GMainContext: always queued there as a
 * source, so it runs when the owner next iterates that context, never on
 * the recorder thread and never inside a call such as flush.  Later
 * batches are dropped until the session is stopped.
 */
#pragma once

#include <glib-object.h>

#include "obd-sample.h"
#include "obd-store.h"

G_BEGIN_DECLS

#define OBD_TYPE_RECORDER (obd_recorder_get_type ())
G_DECLARE_FINAL_TYPE (ObdRecorder, obd_recorder, OBD, RECORDER, GObject)

/* Starts the recorder thread on the file of store (which must be open for
 * writing, so the schema is current).  Signals are emitted on the
 * thread-default main context of the caller. */
ObdRecorder *obd_recorder_new               (ObdStore        *store,
                                             GError         **error);

/* The same without waiting for the thread: for a caller that must not
 * block (the GTK main thread).  A failure to open the file reaches the
 * first start.  Signals and answers come on the caller's thread-default
 * main context. */
ObdRecorder *obd_recorder_new_for_path      (const char      *path);

/* Creates a session (status "recording") and directs the following
 * batches to it.  vehicle_id may be 0 when the car reports no VIN.
 * Returns the session id, or 0 on error.  Blocks until the row is
 * committed. */
gint64       obd_recorder_start_session     (ObdRecorder     *self,
                                             gint64           vehicle_id,
                                             const char      *protocol,
                                             const char      *adapter,
                                             const char      *connection,
                                             GError         **error);

/* The same, answered on the caller's context: for callers that must not
 * wait on SQLite.  Commands run in the order they were queued, so batches
 * pushed after the start go to the new session. */
void         obd_recorder_start_session_async  (ObdRecorder         *self,
                                                gint64               vehicle_id,
                                                const char          *protocol,
                                                const char          *adapter,
                                                const char          *connection,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gint64       obd_recorder_start_session_finish (ObdRecorder         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Queues a batch of ObdSample for the current session, taking a reference
 * on it: do not modify the array afterwards.  Never blocks. */
void         obd_recorder_push              (ObdRecorder     *self,
                                             GArray          *batch);
/* Same, copying n_samples samples. */
void         obd_recorder_push_samples      (ObdRecorder     *self,
                                             const ObdSample *samples,
                                             gsize            n_samples);

/* Waits until everything queued so far is committed.  out_committed, if
 * not NULL, receives the number of samples committed in the current (or
 * last) session.  Fails with the recording's error if recording stopped. */
gboolean     obd_recorder_flush             (ObdRecorder     *self,
                                             gint64          *out_committed,
                                             GError         **error);

/* Writes what is queued, marks the session complete and seals it into the
 * hash chain.  Fails when no session is recording, or with the error that
 * stopped recording earlier (the session is then interrupted). */
gboolean     obd_recorder_stop_session      (ObdRecorder     *self,
                                             GError         **error);

void         obd_recorder_stop_session_async  (ObdRecorder         *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean     obd_recorder_stop_session_finish (ObdRecorder         *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* Ends the recorder: a session still recording is sealed complete (as
 * obd_recorder_stop_session () does), the thread and its connection are
 * closed, and what failed is returned; afterwards every call fails.
 * Dropping the last reference does the same, but can tell nobody. */
gboolean     obd_recorder_close             (ObdRecorder     *self,
                                             GError         **error);

/* The current (or last) session, 0 before the first start. */
gint64       obd_recorder_get_session_id    (ObdRecorder     *self);
/* Samples committed in the current (or last) session, from any thread. */
gint64       obd_recorder_get_committed     (ObdRecorder     *self);

G_END_DECLS
