/* obd-pg-pool.h — a bounded pool of PostgreSQL connections on worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libpq blocks; the server's loop must not.  So each connection of the
 * pool belongs to one worker thread for its whole life (as one thread owns
 * each sqlite3 *), and work arrives as GTasks in one queue.  A finished
 * task returns through GTask, which delivers it to the creator's context
 * through a source attached there.
 *
 * - Bounded: `size` connections at most; jobs beyond them wait in the
 *   queue, at most `max_waiting` of them and each at most
 *   `wait_timeout_ms`, after which it fails with OBD_SYNC_ERROR_UNAVAILABLE
 *   ("busy, try again") — never a hang.  A timer on the owner's context
 *   fails jobs that waited too long even when every worker is stuck.
 * - Health-checked: a connection idle for a while is pinged before use; a
 *   connection that broke (the database restarted, the network dropped)
 *   is reopened, with backoff, and the job that was running on it runs
 *   again from its start for up to `reconnect_timeout_ms`.  Jobs are whole
 *   transactions and idempotent (pushes are keyed by device and seq), so
 *   running one again is safe even when the connection died during its
 *   COMMIT.
 * - Visible: obd_pg_pool_dup_status () gives size, use, waits and
 *   reconnects for /healthz and /metrics.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct
{
  guint size;                  /* connections (and worker threads) */
  guint max_waiting;           /* jobs queued beyond them */
  guint wait_timeout_ms;       /* longest wait for a free connection */
  guint reconnect_timeout_ms;  /* how long a running job waits for the database to return */
} ObdPgPoolConfig;

#define OBD_PG_POOL_DEFAULT_SIZE 8
#define OBD_PG_POOL_DEFAULT_MAX_WAITING 1000
#define OBD_PG_POOL_DEFAULT_WAIT_TIMEOUT_MS 5000
#define OBD_PG_POOL_DEFAULT_RECONNECT_TIMEOUT_MS 30000

void obd_pg_pool_config_init_default (ObdPgPoolConfig *config);

/* One connection, owned by one thread at a time. */
typedef struct _ObdPgConn ObdPgConn;

/* Opens a connection on the calling thread (blocking), for admin commands
 * and start-up; conninfo is libpq's ("host=… dbname=…" or a URI). */
ObdPgConn  *obd_pg_conn_open          (const char   *conninfo,
                                       GError      **error);
void        obd_pg_conn_close         (ObdPgConn    *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdPgConn, obd_pg_conn_close)
PGconn     *obd_pg_conn_get_pgconn    (ObdPgConn    *conn);
/* TRUE once the connection was lost: the job should give up, the pool
 * reopens it. */
gboolean    obd_pg_conn_is_broken     (ObdPgConn    *conn);
/* The SQLSTATE of the last failed statement ("" if none). */
const char *obd_pg_conn_get_sqlstate  (ObdPgConn    *conn);

/* Statement parameters, all text but bytes (binary).  Up to 16. */
#define OBD_PG_MAX_PARAMS 16
typedef struct
{
  int         n;
  const char *values[OBD_PG_MAX_PARAMS];
  int         lengths[OBD_PG_MAX_PARAMS];
  int         formats[OBD_PG_MAX_PARAMS];
  char       *owned[OBD_PG_MAX_PARAMS];
} ObdPgParams;

void        obd_pg_params_text        (ObdPgParams  *params,
                                       const char   *text);
void        obd_pg_params_int         (ObdPgParams  *params,
                                       gint64        value);
void        obd_pg_params_bool        (ObdPgParams  *params,
                                       gboolean      value);
void        obd_pg_params_bytes       (ObdPgParams  *params,
                                       gconstpointer data,
                                       gsize         length);
void        obd_pg_params_clear       (ObdPgParams  *params);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ObdPgParams, obd_pg_params_clear)

/* Runs sql (a string literal: prepared once per connection, known by its
 * address) with params (may be NULL).  Returns the result of a successful
 * statement, or NULL with error (OBD_SYNC_ERROR_UNAVAILABLE). */
PGresult   *obd_pg_exec               (ObdPgConn    *conn,
                                       const char   *sql,
                                       ObdPgParams  *params,
                                       GError      **error);
/* The same, for statements whose result does not matter. */
gboolean    obd_pg_run                (ObdPgConn    *conn,
                                       const char   *sql,
                                       ObdPgParams  *params,
                                       GError      **error);
/* Unprepared and without parameters: BEGIN, COMMIT, schema scripts. */
gboolean    obd_pg_run_simple         (ObdPgConn    *conn,
                                       const char   *sql,
                                       GError      **error);
/* A result's integer and text cells (NULL for SQL NULL). */
gint64      obd_pg_int                (PGresult     *result,
                                       int           row,
                                       int           column);
const char *obd_pg_text               (PGresult     *result,
                                       int           row,
                                       int           column);
char       *obd_pg_dup                (PGresult     *result,
                                       int           row,
                                       int           column);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

typedef struct _ObdPgPool ObdPgPool;

/* A job: runs on a worker with its connection and the task's data;
 * returns the result or NULL with error. */
typedef gpointer (*ObdPgJob) (ObdPgConn  *conn,
                              gpointer    request,
                              GError    **error);

/* Starts the workers; they connect as they are needed.  The queue timer
 * runs on the caller's thread-default context. */
ObdPgPool  *obd_pg_pool_new           (const char            *conninfo,
                                       const ObdPgPoolConfig *config);
/* Queues job (conn, g_task_get_task_data (task)); the task is returned
 * with the job's result (freed with result_free) or error.  Takes task. */
void        obd_pg_pool_run           (ObdPgPool             *pool,
                                       GTask                 *task,
                                       ObdPgJob               job,
                                       GDestroyNotify         result_free);
/* {"healthy", "pool_size", "pool_open", "pool_in_use", "pool_waiting", …}. */
JsonObject *obd_pg_pool_dup_status    (ObdPgPool             *pool);
/* Fails what waits, lets running jobs finish, joins the workers. */
void        obd_pg_pool_free          (ObdPgPool             *pool);

G_END_DECLS
