/* obd-sync-job-thread.h — a thread that owns one resource and runs GTasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pattern of the sync client's store thread and the server's SQLite
 * backend: one thread owns a connection (one thread owns each sqlite3 *)
 * and runs jobs in the order they were queued.  A job returns its GTask
 * (g_task_return_*), which GTask delivers to the task's context through a
 * source attached there.  The thread's own reference to a finished task
 * is dropped on that context too: dropping it on the thread could drop
 * the last reference to the object that owns the thread, whose dispose
 * joins it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ObdSyncJobThread ObdSyncJobThread;

typedef void (*ObdSyncJobFunc) (gpointer  data,
                                GTask    *task);

/* Starts the thread.  setup and teardown (may be NULL) run on it, before
 * the first job and after the last, with data. */
ObdSyncJobThread *obd_sync_job_thread_new          (const char        *name,
                                                    GFunc              setup,
                                                    GFunc              teardown,
                                                    gpointer           data);
/* Queues func (data, task); takes the reference to task. */
void              obd_sync_job_thread_run          (ObdSyncJobThread  *self,
                                                    GTask             *task,
                                                    ObdSyncJobFunc     func);
/* Runs what is queued, then stops and joins the thread.  Not from the
 * thread itself. */
void              obd_sync_job_thread_free         (ObdSyncJobThread  *self);

G_END_DECLS
