/* obd-store-service.h — the store on its own thread, for callers that must
 * never wait on SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ObdStoreService owns a thread that opens the store and then runs
 * jobs from a queue, one at a time, on that one connection (one thread
 * owns each sqlite3 *).  A job is any function of the synchronous store
 * API — or above it, such as a health report from the store — given the
 * ObdStore it may use for its duration.  Its result comes back to the
 * caller's thread-default main context through a source attached there,
 * never inline, so the GTK main thread asks for a chain check on a
 * million samples and keeps drawing.
 *
 * Every job is cancellable, also halfway through a query: the connection
 * checks the job's GCancellable while SQLite works, and a cancelled job
 * ends with G_IO_ERROR_CANCELLED whatever it returned.  Jobs run in
 * priority order (G_PRIORITY_HIGH first, then the order they came in):
 * what a person waits for goes before background reloads.
 *
 * Writes are jobs too, with a name for what they change; once one has
 * succeeded, ::changed is emitted (on the owner's context, before the
 * caller's callback) so every view of that data can reload.  Writes
 * queued before obd_store_service_close () are all done.
 */
#pragma once

#include <gio/gio.h>

#include "obd-store.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_STORE_SERVICE_OPENING = 0,
  OBD_STORE_SERVICE_OPEN,
  OBD_STORE_SERVICE_FAILED,     /* could not open: see "error" */
  OBD_STORE_SERVICE_CLOSED,
} ObdStoreServiceState;

/* Runs on the service's thread.  Returns NULL exactly when it sets
 * error; a job with nothing to return returns GINT_TO_POINTER (TRUE). */
typedef gpointer (*ObdStoreJobFunc) (ObdStore      *store,
                                     gpointer       data,
                                     GCancellable  *cancellable,
                                     GError       **error);

#define OBD_TYPE_STORE_SERVICE (obd_store_service_get_type ())
G_DECLARE_FINAL_TYPE (ObdStoreService, obd_store_service, OBD, STORE_SERVICE, GObject)

/* Starts the thread, which opens path with flags (see obd_store_open ())
 * before any job.  Never blocks.  The owner is the caller's
 * thread-default main context: properties and ::changed are notified
 * there.
 *
 * Properties (read-only, with notify):
 *   "path"        string
 *   "state"       ObdStoreServiceState as int
 *   "error"       GError (boxed): why the store could not be opened
 *   "read-only"   boolean, opened read-only (asked for, or fallen back to)
 *
 * Signal ::changed (const char *what, gint64 vehicle_id), detailed by
 * what: "vehicle", "session", "health" (a session's health inputs),
 * "dtc", "maintenance", "note", "notification"; vehicle_id 0 when it concerns no single vehicle. */
ObdStoreService      *obd_store_service_new         (const char         *path,
                                                     ObdStoreOpenFlags   flags);

const char           *obd_store_service_get_path    (ObdStoreService    *self);
ObdStoreServiceState  obd_store_service_get_state   (ObdStoreService    *self);
const GError         *obd_store_service_get_error   (ObdStoreService    *self);
gboolean              obd_store_service_get_read_only (ObdStoreService  *self);

/* Completes when the store is open, or with the error that kept it from
 * opening. */
void                  obd_store_service_open_async  (ObdStoreService     *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean              obd_store_service_open_finish (ObdStoreService     *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Queues func (store, data, …) on the service's thread.  data_destroy
 * (nullable) frees data and result_destroy (nullable) an unclaimed
 * result, both on the owner's context.  io_priority orders the queue
 * (G_PRIORITY_HIGH first, G_PRIORITY_LOW last). */
void                  obd_store_service_run_async   (ObdStoreService     *self,
                                                     ObdStoreJobFunc      func,
                                                     gpointer             data,
                                                     GDestroyNotify       data_destroy,
                                                     GDestroyNotify       result_destroy,
                                                     int                  io_priority,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* Returns the job's result (owned by the caller), or NULL with error. */
gpointer              obd_store_service_run_finish  (ObdStoreService     *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* A job that changes what, for vehicle_id (0: none or several).  Runs at
 * G_PRIORITY_HIGH, and is done even when close () comes after it;
 * finish with obd_store_service_run_finish (). */
void                  obd_store_service_write_async (ObdStoreService     *self,
                                                     const char          *what,
                                                     gint64               vehicle_id,
                                                     ObdStoreJobFunc      func,
                                                     gpointer             data,
                                                     GDestroyNotify       data_destroy,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* For changes written elsewhere (the recorder's own connection). */
void                  obd_store_service_emit_changed (ObdStoreService    *self,
                                                      const char         *what,
                                                      gint64              vehicle_id);

/* Cancels every read still queued, waits for the queued writes and the
 * thread, and closes the store.  Results not yet delivered are dropped
 * when the owner's context next runs.  For shutdown; safe twice. */
void                  obd_store_service_close       (ObdStoreService    *self);

G_END_DECLS
