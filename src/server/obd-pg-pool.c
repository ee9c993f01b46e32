/* obd-pg-pool.c — a bounded pool of PostgreSQL connections on worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-pg-pool.h"
#include "obd-sync-message.h"

/* A connection idle this long is pinged before a job uses it. */
#define HEALTH_CHECK_IDLE_US (10 * G_USEC_PER_SEC)
#define SWEEP_INTERVAL_MS 100
#define RECONNECT_FIRST_MS 50
#define RECONNECT_MAX_MS 1000

void
obd_pg_pool_config_init_default (ObdPgPoolConfig *config)
{
  config->size = OBD_PG_POOL_DEFAULT_SIZE;
  config->max_waiting = OBD_PG_POOL_DEFAULT_MAX_WAITING;
  config->wait_timeout_ms = OBD_PG_POOL_DEFAULT_WAIT_TIMEOUT_MS;
  config->reconnect_timeout_ms = OBD_PG_POOL_DEFAULT_RECONNECT_TIMEOUT_MS;
}

/* Connections --------------------------------------------------------------- */

struct _ObdPgConn
{
  PGconn     *pg;
  GHashTable *prepared;     /* SQL literal (by address) → statement name */
  guint       next_name;
  gboolean    broken;
  char        sqlstate[6];
  gint64      last_used_us;
};

static PGconn *
connect_pg (const char  *conninfo,
            GError     **error)
{
  /* Our defaults first, so that the administrator's conninfo (expanded
   * from "dbname") overrides them. */
  const char * const keywords[] = { "connect_timeout", "application_name", "dbname", NULL };
  const char * const values[] = { "5", "obd2-syncd", conninfo, NULL };
  PGconn *pg = PQconnectdbParams (keywords, values, 1);

  if (pg == NULL || PQstatus (pg) != CONNECTION_OK)
    {
      g_autofree char *reason = g_strstrip (g_strdup (pg != NULL ? PQerrorMessage (pg)
                                                                 : "out of memory"));

      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
                   _("Could not connect to the PostgreSQL database (%s). Check that it runs "
                     "and that the connection string is right; clients retry meanwhile."),
                   reason);
      PQfinish (pg);
      return NULL;
    }
  return pg;
}

static void
ignore_notice (void       *arg,
               const char *message)
{
}

ObdPgConn *
obd_pg_conn_open (const char  *conninfo,
                  GError     **error)
{
  PGconn *pg = connect_pg (conninfo, error);
  ObdPgConn *conn;

  if (pg == NULL)
    return NULL;
  /* Notices ("relation exists, skipping") would go to stderr. */
  PQsetNoticeProcessor (pg, ignore_notice, NULL);
  conn = g_new0 (ObdPgConn, 1);
  conn->pg = pg;
  conn->prepared = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  conn->last_used_us = g_get_monotonic_time ();
  return conn;
}

void
obd_pg_conn_close (ObdPgConn *conn)
{
  if (conn == NULL)
    return;
  PQfinish (conn->pg);
  g_hash_table_unref (conn->prepared);
  g_free (conn);
}

PGconn *
obd_pg_conn_get_pgconn (ObdPgConn *conn)
{
  return conn->pg;
}

gboolean
obd_pg_conn_is_broken (ObdPgConn *conn)
{
  return conn->broken;
}

const char *
obd_pg_conn_get_sqlstate (ObdPgConn *conn)
{
  return conn->sqlstate;
}

/* Class 08 is a connection exception; 57P01–57P03 the server shutting
 * down or starting up: the connection is gone either way. */
static gboolean
sqlstate_means_lost (const char *state)
{
  return g_str_has_prefix (state, "08") || g_str_equal (state, "57P01")
         || g_str_equal (state, "57P02") || g_str_equal (state, "57P03");
}

static gboolean
fail (ObdPgConn   *conn,
      PGresult    *result,
      GError     **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *reason = NULL;

  g_strlcpy (conn->sqlstate, state != NULL ? state : "", sizeof conn->sqlstate);
  if (PQstatus (conn->pg) != CONNECTION_OK || sqlstate_means_lost (conn->sqlstate))
    conn->broken = TRUE;
  reason = g_strstrip (g_strdup (result != NULL && *PQresultErrorMessage (result) != '\0'
                                 ? PQresultErrorMessage (result) : PQerrorMessage (conn->pg)));
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
               _("The server's database failed (%s). Try again later; an administrator "
                 "should check the PostgreSQL server."), reason);
  return FALSE;
}

static gboolean
result_ok (PGresult *result)
{
  ExecStatusType status = result != NULL ? PQresultStatus (result) : PGRES_FATAL_ERROR;

  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

PGresult *
obd_pg_exec (ObdPgConn    *conn,
             const char   *sql,
             ObdPgParams  *params,
             GError      **error)
{
  const char *name = g_hash_table_lookup (conn->prepared, sql);
  PGresult *result;
  int n = params != NULL ? params->n : 0;

  conn->sqlstate[0] = '\0';
  if (conn->broken)
    return fail (conn, NULL, error), NULL;
  if (name == NULL)
    {
      g_autofree char *fresh = g_strdup_printf ("obd%u", conn->next_name++);

      result = PQprepare (conn->pg, fresh, sql, 0, NULL);
      if (!result_ok (result))
        {
          fail (conn, result, error);
          PQclear (result);
          return NULL;
        }
      PQclear (result);
      name = fresh;
      g_hash_table_insert (conn->prepared, (gpointer) sql, g_steal_pointer (&fresh));
    }
  result = PQexecPrepared (conn->pg, name, n, n > 0 ? params->values : NULL,
                           n > 0 ? params->lengths : NULL, n > 0 ? params->formats : NULL, 0);
  conn->last_used_us = g_get_monotonic_time ();
  if (!result_ok (result))
    {
      fail (conn, result, error);
      PQclear (result);
      return NULL;
    }
  return result;
}

gboolean
obd_pg_run (ObdPgConn    *conn,
            const char   *sql,
            ObdPgParams  *params,
            GError      **error)
{
  PGresult *result = obd_pg_exec (conn, sql, params, error);

  PQclear (result);
  return result != NULL;
}

gboolean
obd_pg_run_simple (ObdPgConn   *conn,
                   const char  *sql,
                   GError     **error)
{
  PGresult *result;
  gboolean ok;

  conn->sqlstate[0] = '\0';
  if (conn->broken)
    return fail (conn, NULL, error);
  result = PQexec (conn->pg, sql);
  conn->last_used_us = g_get_monotonic_time ();
  ok = result_ok (result);
  if (!ok)
    fail (conn, result, error);
  PQclear (result);
  return ok;
}

gint64
obd_pg_int (PGresult *result,
            int       row,
            int       column)
{
  if (PQgetisnull (result, row, column))
    return 0;
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

const char *
obd_pg_text (PGresult *result,
             int       row,
             int       column)
{
  if (PQgetisnull (result, row, column))
    return NULL;
  return PQgetvalue (result, row, column);
}

char *
obd_pg_dup (PGresult *result,
            int       row,
            int       column)
{
  return g_strdup (obd_pg_text (result, row, column));
}

/* Parameters ---------------------------------------------------------------- */

static int
next_param (ObdPgParams *params)
{
  g_assert (params->n < OBD_PG_MAX_PARAMS);
  return params->n++;
}

void
obd_pg_params_text (ObdPgParams *params,
                    const char  *text)
{
  int i = next_param (params);

  params->values[i] = text;
  params->lengths[i] = 0;
  params->formats[i] = 0;
}

void
obd_pg_params_int (ObdPgParams *params,
                   gint64       value)
{
  int i = next_param (params);

  params->owned[i] = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  params->values[i] = params->owned[i];
  params->formats[i] = 0;
}

void
obd_pg_params_bool (ObdPgParams *params,
                    gboolean     value)
{
  obd_pg_params_text (params, value ? "t" : "f");
}

void
obd_pg_params_bytes (ObdPgParams   *params,
                     gconstpointer  data,
                     gsize          length)
{
  int i = next_param (params);

  params->values[i] = data;
  params->lengths[i] = (int) length;
  params->formats[i] = 1;
}

void
obd_pg_params_clear (ObdPgParams *params)
{
  for (int i = 0; i < params->n; i++)
    g_clear_pointer (&params->owned[i], g_free);
  params->n = 0;
}

/* The pool ---------------------------------------------------------------------- */

typedef struct
{
  GTask          *task;
  ObdPgJob        func;
  GDestroyNotify  result_free;
  gint64          queued_us;
} Job;

typedef struct
{
  ObdPgPool *pool;
  GThread   *thread;
  ObdPgConn *conn;
} Worker;

struct _ObdPgPool
{
  char            *conninfo;
  ObdPgPoolConfig  config;
  GMainContext    *context;
  GSource         *sweep;

  GMutex           lock;
  GCond            cond;          /* a job arrived, or shutting down */
  GQueue           queue;         /* Job * */
  gboolean         shutting_down;
  Worker          *workers;

  /* Figures, under lock. */
  guint            in_use;
  guint            open;
  gboolean         reachable;
  guint64          jobs;
  guint64          waits_us;
  gint64           wait_max_us;
  guint64          timeouts;
  guint64          rejected;
  guint64          reconnects;
  guint64          retried;
  guint64          failures;
};

static void
job_free (Job *job)
{
  g_clear_object (&job->task);
  g_free (job);
}

static gboolean
release_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* The worker's reference to a finished task is dropped on the task's
 * context: dropping the last one here could finalize the backend, whose
 * dispose joins this thread. */
static void
release_task (GTask *task)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, release_task_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
return_busy (Job *job)
{
  g_task_return_new_error (job->task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
                           _("The server is busy: every database connection is in use. Try "
                             "again in a moment; nothing was lost."));
}

/* Owner's context: fails jobs that waited longer than the timeout. */
static gboolean
sweep_cb (gpointer data)
{
  ObdPgPool *pool = data;
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  gint64 limit = g_get_monotonic_time () - (gint64) pool->config.wait_timeout_ms * 1000;

  g_mutex_lock (&pool->lock);
  while (!g_queue_is_empty (&pool->queue)
         && ((Job *) g_queue_peek_head (&pool->queue))->queued_us < limit)
    {
      g_ptr_array_add (expired, g_queue_pop_head (&pool->queue));
      pool->timeouts++;
    }
  g_mutex_unlock (&pool->lock);
  /* Outside the lock: a callback may queue the next job at once. */
  for (guint i = 0; i < expired->len; i++)
    return_busy (g_ptr_array_index (expired, i));
  return G_SOURCE_CONTINUE;
}

/* Waits (without the lock) up to ms, or less when shutting down. */
static gboolean
pause_unless_stopping (ObdPgPool *pool,
                       guint      ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  gboolean stopping;

  g_mutex_lock (&pool->lock);
  while (!pool->shutting_down && g_get_monotonic_time () < until)
    g_cond_wait_until (&pool->cond, &pool->lock, until);
  stopping = pool->shutting_down;
  g_mutex_unlock (&pool->lock);
  return !stopping;
}

static void
set_open (ObdPgPool *pool,
          int        delta,
          gboolean   reachable)
{
  g_mutex_lock (&pool->lock);
  pool->open += delta;
  pool->reachable = reachable;
  g_mutex_unlock (&pool->lock);
}

/* A usable connection, reopened (with backoff) until deadline. */
static gboolean
ensure_connection (Worker  *w,
                   gint64   deadline,
                   GError **error)
{
  ObdPgPool *pool = w->pool;
  guint delay = RECONNECT_FIRST_MS;

  if (w->conn != NULL && !w->conn->broken
      && g_get_monotonic_time () - w->conn->last_used_us > HEALTH_CHECK_IDLE_US)
    {
      /* An empty query: one round trip that says whether the server is
       * still there after a long quiet spell. */
      PGresult *ping = PQexec (w->conn->pg, "");

      if (PQresultStatus (ping) != PGRES_EMPTY_QUERY || PQstatus (w->conn->pg) != CONNECTION_OK)
        w->conn->broken = TRUE;
      PQclear (ping);
      w->conn->last_used_us = g_get_monotonic_time ();
    }
  if (w->conn != NULL && !w->conn->broken)
    return TRUE;

  if (w->conn != NULL)
    {
      g_clear_pointer (&w->conn, obd_pg_conn_close);
      set_open (pool, -1, FALSE);
    }
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      w->conn = obd_pg_conn_open (pool->conninfo, &local_error);
      if (w->conn != NULL)
        {
          g_mutex_lock (&pool->lock);
          pool->open++;
          pool->reachable = TRUE;
          pool->reconnects++;
          g_mutex_unlock (&pool->lock);
          return TRUE;
        }
      set_open (pool, 0, FALSE);
      if (g_get_monotonic_time () + (gint64) delay * 1000 >= deadline
          || !pause_unless_stopping (pool, delay))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      delay = MIN (delay * 2, RECONNECT_MAX_MS);
    }
}

static void
run_job (Worker *w,
         Job    *job)
{
  ObdPgPool *pool = w->pool;
  gint64 deadline = g_get_monotonic_time () + (gint64) pool->config.reconnect_timeout_ms * 1000;
  gpointer request = g_task_get_task_data (job->task);
  GError *error = NULL;
  gpointer result = NULL;

  for (;;)
    {
      g_clear_error (&error);
      if (!ensure_connection (w, deadline, &error))
        break;
      result = job->func (w->conn, request, &error);
      if (result != NULL || !w->conn->broken || g_get_monotonic_time () >= deadline)
        break;
      /* Lost under the job: whatever it did was rolled back (or, if it
       * died in COMMIT, is found again by the job's own idempotency);
       * run it again on a fresh connection. */
      g_debug ("Database connection lost during a job (%s); running it again",
               error->message);
      g_mutex_lock (&pool->lock);
      pool->retried++;
      g_mutex_unlock (&pool->lock);
    }

  if (result != NULL)
    g_task_return_pointer (job->task, result, job->result_free);
  else
    {
      if (error->domain == OBD_SYNC_ERROR && error->code == OBD_SYNC_ERROR_UNAVAILABLE)
        {
          g_mutex_lock (&pool->lock);
          pool->failures++;
          g_mutex_unlock (&pool->lock);
        }
      g_task_return_error (job->task, error);
    }
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  ObdPgPool *pool = w->pool;

  for (;;)
    {
      Job *job;
      gint64 waited;

      g_mutex_lock (&pool->lock);
      while (g_queue_is_empty (&pool->queue) && !pool->shutting_down)
        g_cond_wait (&pool->cond, &pool->lock);
      if (pool->shutting_down)
        {
          g_mutex_unlock (&pool->lock);
          break;
        }
      job = g_queue_pop_head (&pool->queue);
      waited = g_get_monotonic_time () - job->queued_us;
      pool->in_use++;
      pool->jobs++;
      pool->waits_us += waited;
      pool->wait_max_us = MAX (pool->wait_max_us, waited);
      g_mutex_unlock (&pool->lock);

      run_job (w, job);
      release_task (g_steal_pointer (&job->task));
      job_free (job);

      g_mutex_lock (&pool->lock);
      pool->in_use--;
      g_mutex_unlock (&pool->lock);
    }
  if (w->conn != NULL)
    {
      g_clear_pointer (&w->conn, obd_pg_conn_close);
      /* One fewer open, whether the database is reachable unchanged: read
       * under the lock, as other workers write it. */
      g_mutex_lock (&pool->lock);
      pool->open--;
      g_mutex_unlock (&pool->lock);
    }
  return NULL;
}

ObdPgPool *
obd_pg_pool_new (const char            *conninfo,
                 const ObdPgPoolConfig *config)
{
  ObdPgPool *pool = g_new0 (ObdPgPool, 1);

  g_return_val_if_fail (conninfo != NULL, NULL);

  pool->conninfo = g_strdup (conninfo);
  if (config != NULL)
    pool->config = *config;
  else
    obd_pg_pool_config_init_default (&pool->config);
  pool->config.size = CLAMP (pool->config.size, 1, 256);
  pool->config.wait_timeout_ms = MAX (pool->config.wait_timeout_ms, 1);
  pool->reachable = TRUE;
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->cond);
  pool->context = g_main_context_ref_thread_default ();
  pool->sweep = g_timeout_source_new (MIN (SWEEP_INTERVAL_MS, pool->config.wait_timeout_ms));
  g_source_set_callback (pool->sweep, sweep_cb, pool, NULL);
  g_source_attach (pool->sweep, pool->context);

  pool->workers = g_new0 (Worker, pool->config.size);
  for (guint i = 0; i < pool->config.size; i++)
    {
      pool->workers[i].pool = pool;
      pool->workers[i].thread = g_thread_new ("obd-syncd-pg", worker_main, &pool->workers[i]);
    }
  return pool;
}

void
obd_pg_pool_run (ObdPgPool      *pool,
                 GTask          *task,
                 ObdPgJob        func,
                 GDestroyNotify  result_free)
{
  Job *job = g_new0 (Job, 1);
  gboolean full;

  job->task = task;
  job->func = func;
  job->result_free = result_free;
  job->queued_us = g_get_monotonic_time ();

  g_mutex_lock (&pool->lock);
  full = pool->shutting_down
         || (g_queue_get_length (&pool->queue) >= pool->config.max_waiting
             && pool->in_use >= pool->config.size);
  if (full)
    pool->rejected++;
  else
    {
      g_queue_push_tail (&pool->queue, job);
      g_cond_signal (&pool->cond);
    }
  g_mutex_unlock (&pool->lock);
  if (full)
    {
      return_busy (job);
      job_free (job);
    }
}

JsonObject *
obd_pg_pool_dup_status (ObdPgPool *pool)
{
  JsonObject *o = json_object_new ();

  g_mutex_lock (&pool->lock);
  json_object_set_boolean_member (o, "healthy", pool->reachable);
  json_object_set_int_member (o, "pool_size", pool->config.size);
  json_object_set_int_member (o, "pool_open", pool->open);
  json_object_set_int_member (o, "pool_in_use", pool->in_use);
  json_object_set_int_member (o, "pool_waiting", g_queue_get_length (&pool->queue));
  json_object_set_int_member (o, "pool_max_waiting", pool->config.max_waiting);
  json_object_set_double_member (o, "pool_wait_timeout_seconds",
                                 pool->config.wait_timeout_ms / 1000.0);
  json_object_set_int_member (o, "pool_jobs_total", pool->jobs);
  json_object_set_double_member (o, "pool_wait_seconds_total", pool->waits_us / 1e6);
  json_object_set_double_member (o, "pool_wait_max_seconds", pool->wait_max_us / 1e6);
  json_object_set_int_member (o, "pool_timeouts_total", pool->timeouts);
  json_object_set_int_member (o, "pool_rejected_total", pool->rejected);
  json_object_set_int_member (o, "pool_connects_total", pool->reconnects);
  json_object_set_int_member (o, "pool_retried_total", pool->retried);
  json_object_set_int_member (o, "pool_failures_total", pool->failures);
  g_mutex_unlock (&pool->lock);
  return o;
}

void
obd_pg_pool_free (ObdPgPool *pool)
{
  g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);

  if (pool == NULL)
    return;
  g_mutex_lock (&pool->lock);
  pool->shutting_down = TRUE;
  while (!g_queue_is_empty (&pool->queue))
    g_ptr_array_add (waiting, g_queue_pop_head (&pool->queue));
  g_cond_broadcast (&pool->cond);
  g_mutex_unlock (&pool->lock);
  for (guint i = 0; i < waiting->len; i++)
    return_busy (g_ptr_array_index (waiting, i));
  for (guint i = 0; i < pool->config.size; i++)
    g_thread_join (pool->workers[i].thread);
  g_source_destroy (pool->sweep);
  g_source_unref (pool->sweep);
  g_main_context_unref (pool->context);
  g_free (pool->workers);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->cond);
  g_free (pool->conninfo);
  g_free (pool);
}
