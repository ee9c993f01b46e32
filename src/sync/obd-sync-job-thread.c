/* obd-sync-job-thread.c — a thread that owns one resource and runs GTasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-sync"
#include "config.h"

#include "obd-sync-job-thread.h"

typedef struct
{
  ObdSyncJobFunc  func;      /* NULL: quit */
  GTask          *task;
} Job;

struct _ObdSyncJobThread
{
  GThread     *thread;
  GAsyncQueue *queue;
  GFunc        setup;
  GFunc        teardown;
  gpointer     data;
};

static gboolean
release_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
release_task (GTask *task)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, release_task_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static gpointer
job_thread (gpointer data)
{
  ObdSyncJobThread *self = data;
  Job *job;

  if (self->setup != NULL)
    self->setup (self->data, NULL);
  while ((job = g_async_queue_pop (self->queue))->func != NULL)
    {
      job->func (self->data, job->task);
      release_task (job->task);
      g_free (job);
    }
  g_free (job);
  if (self->teardown != NULL)
    self->teardown (self->data, NULL);
  return NULL;
}

ObdSyncJobThread *
obd_sync_job_thread_new (const char *name,
                         GFunc       setup,
                         GFunc       teardown,
                         gpointer    data)
{
  ObdSyncJobThread *self = g_new0 (ObdSyncJobThread, 1);

  self->queue = g_async_queue_new ();
  self->setup = setup;
  self->teardown = teardown;
  self->data = data;
  self->thread = g_thread_new (name, job_thread, self);
  return self;
}

void
obd_sync_job_thread_run (ObdSyncJobThread *self,
                         GTask            *task,
                         ObdSyncJobFunc    func)
{
  Job *job = g_new0 (Job, 1);

  g_return_if_fail (self != NULL && G_IS_TASK (task) && func != NULL);

  job->func = func;
  job->task = task;
  g_async_queue_push (self->queue, job);
}

void
obd_sync_job_thread_free (ObdSyncJobThread *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (g_thread_self () != self->thread);

  g_async_queue_push (self->queue, g_new0 (Job, 1));
  g_thread_join (self->thread);
  g_async_queue_unref (self->queue);
  g_free (self);
}
