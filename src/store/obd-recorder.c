/* obd-recorder.c — the recording thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The owner talks to the thread through one queue of commands, processed
 * in order, so a flush or a stop naturally waits for the batches queued
 * before it.  Calls that need an answer block on a Reply until the thread
 * has handled them; batches never block.
 */
#define G_LOG_DOMAIN "obd-recorder"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-recorder.h"
#include "obd-recorder-private.h"
#include "obd-store-private.h"
#include "obd-store-sql.h"

/* When the thread falls behind, batches waiting in the queue are written
 * together, up to these limits per transaction: a commit costs far more
 * than a row. */
#define COALESCE_MAX_BATCHES 512
#define COALESCE_MAX_ROWS    50000

/* A transaction holds the write lock: any other writer (the application
 * saving an alert, a note, a cleared code) waits for it.  However much is
 * queued, a transaction ends after this long and the next one starts, so
 * nobody waits longer.  The clock is read every CHECK_ROWS rows. */
#define TRANSACTION_BUDGET_US (50 * 1000)
#define CHECK_ROWS            256

/* Between two transactions of a backlog the lock stays free this long, a
 * few of the other connections' tries (OBD_STORE_BUSY_POLL_US): without
 * the gap a waiting writer would find it taken at every try and give up. */
#define TRANSACTION_GAP_US    (4 * OBD_STORE_BUSY_POLL_US)

typedef enum
{
  CMD_OPEN,
  CMD_BATCH,
  CMD_START,
  CMD_STOP,
  CMD_FLUSH,
  CMD_PAGE_LIMIT,
  CMD_QUIT,
} CommandType;

typedef struct
{
  GMutex    mutex;
  GCond     cond;
  gboolean  done;
  gboolean  ok;
  gint64    value;
  GError   *error;
} Reply;

typedef struct
{
  CommandType  type;
  GArray      *batch;
  gint64       number;      /* vehicle id for START, page count for PAGE_LIMIT */
  char        *protocol;
  char        *adapter;
  char        *connection;
  Reply       *reply;
  GTask       *task;        /* answered on its context, never unreferenced here */
} Command;

struct _ObdRecorder
{
  GObject        parent_instance;

  char          *db_path;
  GMainContext  *owner_context;
  GThread       *thread;
  GAsyncQueue   *queue;
  int            disposing;   /* atomic */

  GMutex         stats_mutex;
  gint64         session_id;  /* under stats_mutex: current or last session */
  gint64         committed;   /* under stats_mutex */
  guint64        n_transactions; /* under stats_mutex */
  int            budget_us;   /* atomic */

  /* Owned by the thread. */
  sqlite3       *db;
  ObdStmt       *insert;
  ObdStmt       *add_count;
  gboolean       recording;
  char          *session_uuid;
  int            lock_fd;
  gint64         started_us;
  gint64         last_time_us;
  GError        *failure;
};

G_DEFINE_FINAL_TYPE (ObdRecorder, obd_recorder, G_TYPE_OBJECT)

enum {
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static Command *
command_new (CommandType type)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->type = type;
  return cmd;
}

static void
command_free (Command *cmd)
{
  g_assert (cmd->task == NULL);
  g_clear_pointer (&cmd->batch, g_array_unref);
  g_free (cmd->protocol);
  g_free (cmd->adapter);
  g_free (cmd->connection);
  g_free (cmd);
}

static void
reply_finish (Reply    *reply,
              gboolean  ok,
              gint64    value,
              GError   *error)
{
  g_mutex_lock (&reply->mutex);
  reply->ok = ok;
  reply->value = value;
  reply->error = error;
  reply->done = TRUE;
  g_cond_signal (&reply->cond);
  g_mutex_unlock (&reply->mutex);
}

/* Sends a command and waits for the thread's answer. */
static gboolean
call (ObdRecorder  *self,
      Command      *cmd,
      gint64       *out_value,
      GError      **error)
{
  Reply reply = { 0 };
  gboolean ok;

  if (self->thread == NULL)
    {
      command_free (cmd);
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("The recorder was closed. Start a new one to record again."));
      return FALSE;
    }

  g_mutex_init (&reply.mutex);
  g_cond_init (&reply.cond);
  cmd->reply = &reply;
  g_async_queue_push (self->queue, cmd);

  g_mutex_lock (&reply.mutex);
  while (!reply.done)
    g_cond_wait (&reply.cond, &reply.mutex);
  g_mutex_unlock (&reply.mutex);

  g_mutex_clear (&reply.mutex);
  g_cond_clear (&reply.cond);

  ok = reply.ok;
  if (out_value != NULL)
    *out_value = reply.value;
  if (!ok)
    g_propagate_error (error, reply.error);
  else
    g_clear_error (&reply.error);
  return ok;
}

/* An asynchronous command's answer, returned on the caller's context by
 * a source attached there: the task is returned and unreferenced on its
 * own thread, never on the recorder's. */
typedef struct
{
  GTask    *task;
  gboolean  ok;
  gint64    value;
  GError   *error;
} TaskReply;

static gboolean
task_reply_cb (gpointer data)
{
  TaskReply *reply = data;

  if (reply->ok)
    g_task_return_int (reply->task, reply->value);
  else
    g_task_return_error (reply->task, g_steal_pointer (&reply->error));
  return G_SOURCE_REMOVE;
}

static void
task_reply_free (gpointer data)
{
  TaskReply *reply = data;

  g_clear_object (&reply->task);
  g_clear_error (&reply->error);
  g_free (reply);
}

static void
answer_task (Command  *cmd,
             gboolean  ok,
             gint64    value,
             GError   *error)
{
  TaskReply *reply = g_new0 (TaskReply, 1);
  GSource *source = g_idle_source_new ();

  reply->task = g_steal_pointer (&cmd->task);
  reply->ok = ok;
  reply->value = value;
  reply->error = error;
  g_source_set_static_name (source, "[obd] recorder reply");
  g_source_set_callback (source, task_reply_cb, reply, task_reply_free);
  g_source_attach (source, g_task_get_context (reply->task));
  g_source_unref (source);
}

/* Thread side ------------------------------------------------------------ */

typedef struct
{
  GWeakRef  recorder;
  GError   *error;
} FailedReport;

static gboolean
emit_failed_cb (gpointer data)
{
  FailedReport *report = data;
  g_autoptr(ObdRecorder) self = g_weak_ref_get (&report->recorder);

  if (self != NULL)
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, report->error);
  return G_SOURCE_REMOVE;
}

static void
failed_report_free (gpointer data)
{
  FailedReport *report = data;

  g_weak_ref_clear (&report->recorder);
  g_clear_error (&report->error);
  g_free (report);
}

/* Queues func on the owner's context.  Always a source attached to it,
 * never g_main_context_invoke*(): when nobody iterates the owner's context
 * at that moment (the owner is blocked in flush, say) and it is the global
 * default context, invoke would acquire it and run the callback right here
 * on the recorder thread. */
static void
invoke_on_owner (ObdRecorder    *self,
                 GSourceFunc     func,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[obd-recorder] owner callback");
  g_source_set_callback (source, func, data, destroy);
  g_source_attach (source, self->owner_context);
}

static void
release_session (ObdRecorder *self)
{
  _obd_store_session_lock_release (self->db_path, self->session_uuid, self->lock_fd);
  self->lock_fd = -1;
  g_clear_pointer (&self->session_uuid, g_free);
  self->recording = FALSE;
}

static gint64
current_session (ObdRecorder *self)
{
  gint64 id;

  g_mutex_lock (&self->stats_mutex);
  id = self->session_id;
  g_mutex_unlock (&self->stats_mutex);
  return id;
}

/* Ends the session in the chain with status, in its own transaction. */
static gboolean
seal (ObdRecorder            *self,
      ObdStoreSessionStatus   status,
      gint64                  ended_us,
      GError                **error)
{
  if (!_obd_store_begin (self->db, error))
    return FALSE;
  if (!_obd_store_seal_session (self->db, current_session (self), status, ended_us, error)
      || !_obd_store_commit (self->db, error))
    {
      _obd_store_rollback (self->db);
      return FALSE;
    }
  return TRUE;
}

/* Recording cannot go on: keep what was committed, mark the session
 * interrupted if the database still takes that one small write (if not,
 * the next open finds it abandoned and does it), and tell the owner. */
static void
fail_recording (ObdRecorder *self,
                GError      *error)
{
  g_autoptr(GError) seal_error = NULL;

  g_info ("Recording stopped: %s", error->message);
  g_clear_error (&self->failure);
  self->failure = error;

  if (!seal (self, OBD_STORE_SESSION_INTERRUPTED, MAX (self->last_time_us, self->started_us),
             &seal_error))
    g_debug ("Could not mark the session interrupted: %s", seal_error->message);
  release_session (self);

  if (!g_atomic_int_get (&self->disposing))
    {
      FailedReport *report = g_new0 (FailedReport, 1);

      g_weak_ref_init (&report->recorder, self);
      report->error = g_error_copy (error);
      invoke_on_owner (self, emit_failed_cb, report, failed_report_free);
    }
}

static gboolean
thread_open (ObdRecorder  *self,
             GError      **error)
{
  int rc;

  self->db = _obd_store_connect (self->db_path, error);
  if (self->db == NULL)
    return FALSE;

  /* Persistent: these two run for every batch of the whole session. */
  rc = sqlite3_prepare_v3 (self->db, SQL_SAMPLE_INSERT, -1, SQLITE_PREPARE_PERSISTENT,
                           &self->insert, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (self->db, SQL_SESSION_ADD_SAMPLES, -1, SQLITE_PREPARE_PERSISTENT,
                             &self->add_count, NULL);
  if (rc != SQLITE_OK)
    return _obd_store_set_error (self->db, rc, _("Could not prepare recording"), error);
  return TRUE;
}

static gint64
thread_start (ObdRecorder  *self,
              Command      *cmd,
              GError      **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  gint64 now = g_get_real_time ();
  gint64 id;
  int fd;

  if (self->recording)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("A session is already recording. Stop it first."));
      return 0;
    }
  /* Opened without waiting (obd_recorder_new_for_path ()) and failed:
   * the first start says why. */
  if (self->db == NULL)
    {
      if (self->failure != NULL)
        g_propagate_error (error, g_error_copy (self->failure));
      else
        g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                     _("The local history could not be opened for recording."));
      return 0;
    }

  /* The lock exists before the row does, so no opener ever sees the
   * session "recording" without its recorder's lock. */
  fd = _obd_store_session_lock_acquire (self->db_path, uuid, error);
  if (fd < 0)
    return 0;

  stmt = _obd_store_prepare (self->db, SQL_SESSION_INSERT, error);
  if (stmt == NULL || !_obd_store_begin (self->db, error))
    {
      _obd_store_session_lock_release (self->db_path, uuid, fd);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  if (cmd->number != 0)
    sqlite3_bind_int64 (stmt, 2, cmd->number);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, now);
  _obd_store_bind_text (stmt, 4, cmd->protocol);
  _obd_store_bind_text (stmt, 5, cmd->adapter);
  _obd_store_bind_text (stmt, 6, cmd->connection);
  if (!_obd_store_step_done (self->db, stmt, error) || !_obd_store_commit (self->db, error))
    {
      _obd_store_rollback (self->db);
      _obd_store_session_lock_release (self->db_path, uuid, fd);
      return 0;
    }

  id = sqlite3_last_insert_rowid (self->db);
  self->recording = TRUE;
  self->session_uuid = g_steal_pointer (&uuid);
  self->lock_fd = fd;
  self->started_us = now;
  self->last_time_us = now;
  g_clear_error (&self->failure);

  g_mutex_lock (&self->stats_mutex);
  self->session_id = id;
  self->committed = 0;
  g_mutex_unlock (&self->stats_mutex);

  return id;
}

/* Inserts rows from position (*cmd_index, *row_index) on, until every
 * batch is in or the transaction's time is up; moves the position. */
static gboolean
insert_batches (ObdRecorder  *self,
                GPtrArray    *commands,
                guint        *cmd_index,
                guint        *row_index,
                gint64        session_id,
                gint64        deadline,
                gint64       *out_rows,
                gint64       *out_last_time,
                GError      **error)
{
  gint64 rows = 0, last_time = self->last_time_us;
  guint c = *cmd_index, i = *row_index;
  int rc;

  for (; c < commands->len; c++, i = 0)
    {
      const GArray *batch = ((Command *) g_ptr_array_index (commands, c))->batch;

      for (; i < batch->len; i++)
        {
          const ObdSample *s = &g_array_index (batch, ObdSample, i);

          if (rows > 0 && rows % CHECK_ROWS == 0 && g_get_monotonic_time () >= deadline)
            goto out;

          sqlite3_bind_int64 (self->insert, 1, session_id);
          sqlite3_bind_int (self->insert, 2, s->service);
          sqlite3_bind_int (self->insert, 3, s->pid);
          sqlite3_bind_int (self->insert, 4, s->index);
          sqlite3_bind_int64 (self->insert, 5, s->time_us);
          sqlite3_bind_int64 (self->insert, 6, s->ecu);
          sqlite3_bind_double (self->insert, 7, s->value);
          rc = sqlite3_step (self->insert);
          sqlite3_reset (self->insert);
          if (rc != SQLITE_DONE)
            return _obd_store_set_error (self->db, rc, _("Could not save the samples"), error);
          last_time = MAX (last_time, s->time_us);
          rows++;
        }
    }

out:
  sqlite3_bind_int64 (self->add_count, 1, rows);
  sqlite3_bind_int64 (self->add_count, 2, session_id);
  rc = sqlite3_step (self->add_count);
  sqlite3_reset (self->add_count);
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (self->db, rc, _("Could not save the samples"), error);

  *cmd_index = c;
  *row_index = i;
  *out_rows = rows;
  *out_last_time = last_time;
  return TRUE;
}

static void
thread_write (ObdRecorder *self,
              GPtrArray   *commands)
{
  gint64 session_id = current_session (self);
  guint c = 0, i = 0;

  if (!self->recording)
    {
      g_debug ("Dropping %u batches: no session is recording", commands->len);
      return;
    }

  /* One transaction after the other until everything queued is in, none
   * longer than the budget. */
  while (c < commands->len)
    {
      g_autoptr(GError) error = NULL;
      gint64 deadline = g_get_monotonic_time () + g_atomic_int_get (&self->budget_us);
      gint64 rows = 0, last_time = 0;

      if (!_obd_store_begin (self->db, &error)
          || !insert_batches (self, commands, &c, &i, session_id, deadline, &rows, &last_time,
                              &error)
          || !_obd_store_commit (self->db, &error))
        {
          _obd_store_rollback (self->db);
          fail_recording (self, g_steal_pointer (&error));
          return;
        }

      self->last_time_us = last_time;
      g_mutex_lock (&self->stats_mutex);
      self->committed += rows;
      self->n_transactions++;
      g_mutex_unlock (&self->stats_mutex);

      if (c < commands->len)
        g_usleep (TRANSACTION_GAP_US);
    }
}

static gboolean
thread_stop (ObdRecorder  *self,
             GError      **error)
{
  GError *seal_error = NULL;

  if (!self->recording)
    {
      if (self->failure != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->failure));
          return FALSE;
        }
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("No session is recording."));
      return FALSE;
    }

  if (!seal (self, OBD_STORE_SESSION_COMPLETE, MAX (g_get_real_time (), self->last_time_us),
             &seal_error))
    {
      *error = g_error_copy (seal_error);
      fail_recording (self, seal_error);
      g_clear_error (&self->failure);
      return FALSE;
    }

  release_session (self);
  return TRUE;
}

static gboolean
thread_flush (ObdRecorder  *self,
              gint64       *out_committed,
              GError      **error)
{
  g_mutex_lock (&self->stats_mutex);
  *out_committed = self->committed;
  g_mutex_unlock (&self->stats_mutex);

  if (self->failure != NULL)
    {
      *error = g_error_copy (self->failure);
      return FALSE;
    }
  return TRUE;
}

static gboolean
thread_page_limit (ObdRecorder  *self,
                   gint64        max_pages,
                   GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                                          max_pages);
  return _obd_store_exec (self->db, sql, error);
}

static gboolean
thread_close (ObdRecorder  *self,
              GError      **error)
{
  gboolean ok = TRUE;

  if (self->recording)
    {
      /* The owner let go without stopping: what was written is whole.  If
       * sealing fails the session stays "recording" without its lock, and
       * the next open for writing marks it interrupted: nothing is lost. */
      ok = seal (self, OBD_STORE_SESSION_COMPLETE, MAX (g_get_real_time (), self->last_time_us),
                 error);
      if (!ok)
        g_prefix_error (error, _("Could not end the session (the next recording closes it): "));
      release_session (self);
    }
  g_clear_pointer (&self->insert, sqlite3_finalize);
  g_clear_pointer (&self->add_count, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  return ok;
}

static gpointer
recorder_thread (gpointer data)
{
  ObdRecorder *self = data;
  Command *pending = NULL;
  gboolean running = TRUE;

  while (running)
    {
      Command *cmd = pending != NULL ? pending : g_async_queue_pop (self->queue);
      GError *error = NULL;
      gint64 value = 0;
      gboolean ok = TRUE;

      pending = NULL;
      switch (cmd->type)
        {
        case CMD_OPEN:
          ok = thread_open (self, &error);
          if (!ok)
            {
              g_clear_pointer (&self->db, sqlite3_close_v2);
              if (cmd->reply == NULL)
                {
                  g_clear_error (&self->failure);
                  self->failure = g_error_copy (error);
                }
            }
          break;

        case CMD_BATCH:
          {
            g_autoptr(GPtrArray) batch =
              g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
            guint rows = cmd->batch->len;
            Command *next;

            g_ptr_array_add (batch, cmd);
            while (batch->len < COALESCE_MAX_BATCHES && rows < COALESCE_MAX_ROWS
                   && (next = g_async_queue_try_pop (self->queue)) != NULL)
              {
                if (next->type != CMD_BATCH)
                  {
                    pending = next;
                    break;
                  }
                g_ptr_array_add (batch, next);
                rows += next->batch->len;
              }
            thread_write (self, batch);
          }
          continue;

        case CMD_START:
          value = thread_start (self, cmd, &error);
          ok = value != 0;
          break;

        case CMD_STOP:
          ok = thread_stop (self, &error);
          break;

        case CMD_FLUSH:
          ok = thread_flush (self, &value, &error);
          break;

        case CMD_PAGE_LIMIT:
          ok = thread_page_limit (self, cmd->number, &error);
          break;

        case CMD_QUIT:
          ok = thread_close (self, &error);
          running = FALSE;
          break;

        default:
          g_assert_not_reached ();
        }

      if (cmd->reply != NULL)
        reply_finish (cmd->reply, ok, value, error);
      else if (cmd->task != NULL)
        answer_task (cmd, ok, value, error);
      else
        g_clear_error (&error);
      command_free (cmd);
    }

  return NULL;
}

/* Owner side ----------------------------------------------------------- */

/* disposing: the owner is going away, so ::failed is not queued any more
 * for the batches still to write. */
static gboolean
close_thread (ObdRecorder  *self,
              gboolean      disposing,
              GError      **error)
{
  gboolean ok;

  if (disposing)
    g_atomic_int_set (&self->disposing, TRUE);
  ok = call (self, command_new (CMD_QUIT), NULL, error);
  g_thread_join (g_steal_pointer (&self->thread));
  return ok;
}

static void
obd_recorder_dispose (GObject *object)
{
  ObdRecorder *self = OBD_RECORDER (object);

  if (self->thread != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Nobody is left to tell: owners that want to know close first. */
      if (!close_thread (self, TRUE, &error))
        g_info ("%s", error->message);
    }

  G_OBJECT_CLASS (obd_recorder_parent_class)->dispose (object);
}

static void
obd_recorder_finalize (GObject *object)
{
  ObdRecorder *self = OBD_RECORDER (object);

  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_error (&self->failure);
  g_mutex_clear (&self->stats_mutex);

  G_OBJECT_CLASS (obd_recorder_parent_class)->finalize (object);
}

static void
obd_recorder_class_init (ObdRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_recorder_dispose;
  object_class->finalize = obd_recorder_finalize;

  /**
   * ObdRecorder::failed:
   * @error: why recording stopped
   *
   * Recording stopped on an error (OBD_STORE_ERROR_DISK_FULL, ...).
   * Emitted on the owner's main context.
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
obd_recorder_init (ObdRecorder *self)
{
  g_mutex_init (&self->stats_mutex);
  self->lock_fd = -1;
  self->budget_us = TRANSACTION_BUDGET_US;
  self->queue = g_async_queue_new_full ((GDestroyNotify) command_free);
}

ObdRecorder *
obd_recorder_new (ObdStore  *store,
                  GError   **error)
{
  g_autoptr(ObdRecorder) self = NULL;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);

  if (obd_store_is_read_only (store))
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                   _("“%s” was opened read-only: nothing can be recorded into it."),
                   obd_store_get_path (store));
      return NULL;
    }

  self = g_object_new (OBD_TYPE_RECORDER, NULL);
  self->db_path = g_strdup (obd_store_get_path (store));
  self->owner_context = g_main_context_ref_thread_default ();
  self->thread = g_thread_try_new ("obd-recorder", recorder_thread, self, error);
  if (self->thread == NULL)
    return NULL;

  if (!call (self, command_new (CMD_OPEN), NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

ObdRecorder *
obd_recorder_new_for_path (const char *path)
{
  g_autoptr(ObdRecorder) self = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (OBD_TYPE_RECORDER, NULL);
  self->db_path = g_strdup (path);
  self->owner_context = g_main_context_ref_thread_default ();
  self->thread = g_thread_try_new ("obd-recorder", recorder_thread, self, &error);
  if (self->thread == NULL)
    {
      /* No thread: every start says so, as a failed open would. */
      self->failure = g_error_new (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                   _("Could not start recording: %s"), error->message);
      return g_steal_pointer (&self);
    }
  g_async_queue_push (self->queue, command_new (CMD_OPEN));
  return g_steal_pointer (&self);
}

/* Queues cmd to be answered through a task on the caller's context. */
static void
call_async (ObdRecorder         *self,
            Command             *cmd,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  cmd->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (cmd->task, source_tag);
  if (self->thread == NULL)
    {
      GTask *task = g_steal_pointer (&cmd->task);

      g_task_return_error (task, g_error_copy (self->failure));
      g_object_unref (task);
      command_free (cmd);
      return;
    }
  g_async_queue_push (self->queue, cmd);
}

void
obd_recorder_start_session_async (ObdRecorder         *self,
                                  gint64               vehicle_id,
                                  const char          *protocol,
                                  const char          *adapter,
                                  const char          *connection,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (OBD_IS_RECORDER (self));

  cmd = command_new (CMD_START);
  cmd->number = vehicle_id;
  cmd->protocol = g_strdup (protocol);
  cmd->adapter = g_strdup (adapter);
  cmd->connection = g_strdup (connection);
  call_async (self, cmd, obd_recorder_start_session_async, cancellable, callback, user_data);
}

gint64
obd_recorder_start_session_finish (ObdRecorder   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  gint64 id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  /* 0 on error, as the blocking call returns (GTask's own is -1). */
  id = g_task_propagate_int (G_TASK (result), error);
  return MAX (id, 0);
}

void
obd_recorder_stop_session_async (ObdRecorder         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (OBD_IS_RECORDER (self));

  call_async (self, command_new (CMD_STOP), obd_recorder_stop_session_async, cancellable,
              callback, user_data);
}

gboolean
obd_recorder_stop_session_finish (ObdRecorder   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gint64
obd_recorder_start_session (ObdRecorder  *self,
                            gint64        vehicle_id,
                            const char   *protocol,
                            const char   *adapter,
                            const char   *connection,
                            GError      **error)
{
  Command *cmd;
  gint64 id = 0;

  g_return_val_if_fail (OBD_IS_RECORDER (self), 0);

  cmd = command_new (CMD_START);
  cmd->number = vehicle_id;
  cmd->protocol = g_strdup (protocol);
  cmd->adapter = g_strdup (adapter);
  cmd->connection = g_strdup (connection);
  if (!call (self, cmd, &id, error))
    return 0;
  return id;
}

void
obd_recorder_push (ObdRecorder *self,
                   GArray      *batch)
{
  Command *cmd;

  g_return_if_fail (OBD_IS_RECORDER (self));
  g_return_if_fail (batch != NULL);
  g_return_if_fail (g_array_get_element_size (batch) == sizeof (ObdSample));
  g_return_if_fail (self->thread != NULL);

  if (batch->len == 0)
    return;
  cmd = command_new (CMD_BATCH);
  cmd->batch = g_array_ref (batch);
  g_async_queue_push (self->queue, cmd);
}

void
obd_recorder_push_samples (ObdRecorder     *self,
                           const ObdSample *samples,
                           gsize            n_samples)
{
  g_autoptr(GArray) batch = NULL;

  g_return_if_fail (OBD_IS_RECORDER (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample), n_samples);
  g_array_append_vals (batch, samples, n_samples);
  obd_recorder_push (self, batch);
}

gboolean
obd_recorder_flush (ObdRecorder  *self,
                    gint64       *out_committed,
                    GError      **error)
{
  g_return_val_if_fail (OBD_IS_RECORDER (self), FALSE);
  return call (self, command_new (CMD_FLUSH), out_committed, error);
}

gboolean
obd_recorder_stop_session (ObdRecorder  *self,
                           GError      **error)
{
  g_return_val_if_fail (OBD_IS_RECORDER (self), FALSE);
  return call (self, command_new (CMD_STOP), NULL, error);
}

gboolean
obd_recorder_close (ObdRecorder  *self,
                    GError      **error)
{
  g_return_val_if_fail (OBD_IS_RECORDER (self), FALSE);

  if (self->thread == NULL)
    return TRUE;
  return close_thread (self, FALSE, error);
}

gint64
obd_recorder_get_session_id (ObdRecorder *self)
{
  g_return_val_if_fail (OBD_IS_RECORDER (self), 0);
  return current_session (self);
}

gint64
obd_recorder_get_committed (ObdRecorder *self)
{
  gint64 committed;

  g_return_val_if_fail (OBD_IS_RECORDER (self), 0);

  g_mutex_lock (&self->stats_mutex);
  committed = self->committed;
  g_mutex_unlock (&self->stats_mutex);
  return committed;
}

gboolean
_obd_recorder_set_page_limit (ObdRecorder  *self,
                              gint64        max_pages,
                              GError      **error)
{
  Command *cmd;

  g_return_val_if_fail (OBD_IS_RECORDER (self), FALSE);

  cmd = command_new (CMD_PAGE_LIMIT);
  cmd->number = max_pages;
  return call (self, cmd, NULL, error);
}

void
_obd_recorder_set_transaction_budget (ObdRecorder *self,
                                      int          budget_us)
{
  g_return_if_fail (OBD_IS_RECORDER (self));
  g_return_if_fail (budget_us >= 0);

  g_atomic_int_set (&self->budget_us, budget_us);
}

guint64
_obd_recorder_get_n_transactions (ObdRecorder *self)
{
  guint64 n;

  g_return_val_if_fail (OBD_IS_RECORDER (self), 0);

  g_mutex_lock (&self->stats_mutex);
  n = self->n_transactions;
  g_mutex_unlock (&self->stats_mutex);
  return n;
}
