/* obd-sync-backend-sqlite.c — the embedded backend of obd2-syncd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Requests are GTasks queued to one thread that owns the connection; the
 * thread returns each task, which GTask delivers to the creator's context
 * through a source attached there.  A push runs in one transaction, so a
 * server killed half-way stores all of a batch's accepted changes or none.
 *
 * The data: organisations, users, salted token hashes, devices (with the
 * highest seq stored and the head of their session chain), vehicles and
 * the organisation each belongs to, the current version of every synced
 * record ("entities"), the log of changes that pulls read ("changes",
 * keyed by device and seq for idempotency), samples as the packed chunks
 * devices sent, conflicts with both versions, and remote-expert rooms.
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "obd-sync-backend-sqlite.h"
#include "obd-sync-job-thread.h"
#include "obd-sync-message.h"
#include "obd-sync-rules.h"

/* PRAGMA application_id of the server's files: "OBSD". */
#define SERVER_APPLICATION_ID 0x4F425344
#define SERVER_SCHEMA_VERSION 3

#define SQL_SCHEMA \
  "CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL," \
  "  created_us INTEGER NOT NULL);" \
  "CREATE TABLE users (id TEXT PRIMARY KEY," \
  "  organisation_id TEXT NOT NULL REFERENCES organisations (id), name TEXT NOT NULL," \
  "  role TEXT NOT NULL CHECK (role IN ('mechanic', 'fleet', 'owner', 'admin'))," \
  "  vehicle_id TEXT, created_us INTEGER NOT NULL);" \
  "CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id)," \
  "  salt BLOB NOT NULL, hash TEXT NOT NULL, created_us INTEGER NOT NULL, revoked_us INTEGER);" \
  "CREATE INDEX tokens_user ON tokens (user_id);" \
  "CREATE TABLE devices (id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL," \
  "  user_id TEXT NOT NULL, name TEXT, acked_seq INTEGER NOT NULL DEFAULT 0," \
  "  chain_seq INTEGER NOT NULL DEFAULT 0, chain_hash TEXT, last_seen_us INTEGER);" \
  "CREATE TABLE vehicles (id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, vin TEXT);" \
  "CREATE UNIQUE INDEX vehicles_vin ON vehicles (organisation_id, vin) WHERE vin IS NOT NULL;" \
  "CREATE TABLE vehicle_aliases (alias TEXT PRIMARY KEY, vehicle_id TEXT NOT NULL);" \
  "CREATE TABLE entities (entity TEXT NOT NULL, entity_id TEXT NOT NULL," \
  "  organisation_id TEXT NOT NULL, vehicle_id TEXT, version INTEGER NOT NULL," \
  "  data TEXT NOT NULL, changed_us INTEGER NOT NULL, device_id TEXT NOT NULL," \
  "  deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (entity, entity_id)) WITHOUT ROWID;" \
  "CREATE TABLE changes (cursor INTEGER PRIMARY KEY AUTOINCREMENT," \
  "  organisation_id TEXT NOT NULL, device_id TEXT NOT NULL, device_seq INTEGER NOT NULL," \
  "  entity TEXT NOT NULL, entity_id TEXT NOT NULL, vehicle_id TEXT, op TEXT NOT NULL," \
  "  version INTEGER NOT NULL, applied INTEGER NOT NULL, data TEXT NOT NULL," \
  "  changed_us INTEGER NOT NULL, received_us INTEGER NOT NULL, conflict TEXT," \
  "  UNIQUE (device_id, device_seq));" \
  "CREATE INDEX changes_organisation ON changes (organisation_id, cursor);" \
  "CREATE TABLE sample_chunks (device_id TEXT NOT NULL, device_seq INTEGER NOT NULL," \
  "  part INTEGER NOT NULL, organisation_id TEXT NOT NULL, session_id TEXT NOT NULL," \
  "  count INTEGER NOT NULL, first_us INTEGER, last_us INTEGER, data BLOB NOT NULL," \
  "  PRIMARY KEY (device_id, device_seq, part)) WITHOUT ROWID;" \
  "CREATE TABLE conflicts (id INTEGER PRIMARY KEY, organisation_id TEXT NOT NULL," \
  "  entity TEXT NOT NULL, entity_id TEXT NOT NULL, winner_device TEXT, loser_device TEXT," \
  "  winner_data TEXT, loser_data TEXT, resolved_us INTEGER NOT NULL);" \
  "CREATE TABLE rooms (id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL," \
  "  vehicle_id TEXT NOT NULL, host_user_id TEXT NOT NULL, code_hash TEXT," \
  "  code_expires_us INTEGER, created_us INTEGER NOT NULL, closed_us INTEGER);" \
  "CREATE INDEX rooms_code ON rooms (code_hash);"

/* Version 2: the summary state of records and the indexes of the paged
 * queries (fleet summary, history), and room members kept with the
 * rooms (obd-sync-rules.h). */
#define SQL_MIGRATION_2 \
  "ALTER TABLE entities ADD COLUMN state TEXT;" \
  "CREATE INDEX entities_vehicle ON entities (vehicle_id, entity, state, changed_us)" \
  "  WHERE deleted = 0;" \
  "CREATE INDEX entities_history ON entities (vehicle_id, changed_us, entity, entity_id);" \
  "CREATE INDEX vehicles_organisation ON vehicles (organisation_id, id);" \
  "CREATE INDEX sample_chunks_session ON sample_chunks (session_id);" \
  "CREATE TABLE room_members (room_id TEXT NOT NULL, member_id TEXT NOT NULL," \
  "  user_id TEXT NOT NULL, user_name TEXT NOT NULL, role TEXT NOT NULL," \
  "  host INTEGER NOT NULL, joined_us INTEGER NOT NULL," \
  "  PRIMARY KEY (room_id, member_id)) WITHOUT ROWID;"

/* 3: presence lists are numbered (ObdSyncRoom.presence_version). */
#define SQL_MIGRATION_3 \
  "ALTER TABLE rooms ADD COLUMN presence_version INTEGER NOT NULL DEFAULT 0;"

typedef sqlite3_stmt Stmt;

typedef void (*JobFunc) (ObdSyncBackendSqlite *self,
                         GTask                *task);

struct _ObdSyncBackendSqlite
{
  GObject       parent_instance;

  char             *path;
  ObdSyncJobThread *thread;
  GMainContext     *sync_context;  /* run_sync's, freed after the thread */

  /* Owned by the thread once it runs. */
  sqlite3      *db;
  GHashTable   *statements;  /* SQL literal (by address) → prepared statement */
};

static void backend_iface_init (ObdSyncBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ObdSyncBackendSqlite, obd_sync_backend_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (OBD_TYPE_SYNC_BACKEND,
                                                      backend_iface_init))

/* SQLite plumbing (backend thread) -------------------------------------- */

static gboolean
db_error (ObdSyncBackendSqlite  *self,
          GError               **error)
{
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
               _("The server's database failed (%s). Try again later; an administrator "
                 "should check the server's disk."), sqlite3_errmsg (self->db));
  return FALSE;
}

/* A cached statement, reset and unbound; do not finalize it.  sql must be
 * a string literal: the cache knows it by its address. */
static Stmt *
stmt_get (ObdSyncBackendSqlite  *self,
          const char            *sql,
          GError               **error)
{
  Stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
          != SQLITE_OK)
        {
          db_error (self, error);
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static void
bind_text (Stmt       *stmt,
           int         column,
           const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
}

static gboolean
step_done (ObdSyncBackendSqlite  *self,
           Stmt                  *stmt,
           GError               **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return db_error (self, error);
  return TRUE;
}

/* Steps a query: TRUE with *out_row set to whether a row came. */
static gboolean
step_row (ObdSyncBackendSqlite  *self,
          Stmt                  *stmt,
          gboolean              *out_row,
          GError               **error)
{
  int rc = sqlite3_step (stmt);

  *out_row = rc == SQLITE_ROW;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return db_error (self, error);
  return TRUE;
}

static char *
column_dup (Stmt *stmt,
            int   column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
exec (ObdSyncBackendSqlite  *self,
      const char            *sql,
      GError               **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_error (self, error);
  return TRUE;
}

static void
rollback (ObdSyncBackendSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
forbidden (GError     **error,
           const char  *message)
{
  g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN, message);
  return FALSE;
}

/* Thread ------------------------------------------------------------------ */

/* Queues a job; the task is consumed. */
static void
run (ObdSyncBackendSqlite *self,
     GTask                *task,
     JobFunc               func)
{
  obd_sync_job_thread_run (self->thread, task, (ObdSyncJobFunc) func);
}

static void
run_sync_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
}

static void
run_sync_task_gone_cb (gpointer  data,
                       GObject  *where_the_task_was)
{
  gboolean *gone = data;

  *gone = TRUE;
}

/* For the admin calls: runs a job and waits for it on a context of its
 * own.  It waits for the task's callback, which runs on this thread,
 * rather than polling g_task_get_completed (): GLib 2.74 keeps a task's
 * flags in one bit-field that the job thread writes as it returns, so
 * reading it from here races (ThreadSanitizer reports it).  The context
 * lives as long as the backend and goes after the job thread has ended:
 * the job thread unreferences the sources it attaches to it (in
 * g_task_return, and handing the task back) after they may already have
 * run here, reading source->context, which freeing the context writes.
 * It waits until the task is gone too: the job thread's reference comes
 * back here, as an idle, once g_task_return () has returned. */
static gpointer
run_sync (ObdSyncBackendSqlite  *self,
          gpointer               task_data,
          GDestroyNotify         task_data_free,
          JobFunc                func,
          GError               **error)
{
  GMainContext *context;
  GTask *task;
  gboolean done = FALSE, gone = FALSE;
  gpointer result;

  if (self->sync_context == NULL)
    self->sync_context = g_main_context_new ();
  context = self->sync_context;
  g_main_context_push_thread_default (context);
  task = g_task_new (self, NULL, run_sync_done_cb, &done);
  g_task_set_task_data (task, task_data, task_data_free);
  g_object_weak_ref (G_OBJECT (task), run_sync_task_gone_cb, &gone);
  obd_sync_job_thread_run (self->thread, g_object_ref (task), (ObdSyncJobFunc) func);
  while (!done)
    g_main_context_iteration (context, TRUE);
  result = g_task_propagate_pointer (task, error);
  g_object_unref (task);
  while (!gone)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return result;
}

static void
obd_sync_backend_sqlite_dispose (GObject *object)
{
  ObdSyncBackendSqlite *self = OBD_SYNC_BACKEND_SQLITE (object);

  g_clear_pointer (&self->thread, obd_sync_job_thread_free);
  g_clear_pointer (&self->sync_context, g_main_context_unref);
  G_OBJECT_CLASS (obd_sync_backend_sqlite_parent_class)->dispose (object);
}

static void
obd_sync_backend_sqlite_finalize (GObject *object)
{
  ObdSyncBackendSqlite *self = OBD_SYNC_BACKEND_SQLITE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_free (self->path);
  G_OBJECT_CLASS (obd_sync_backend_sqlite_parent_class)->finalize (object);
}

static void
obd_sync_backend_sqlite_class_init (ObdSyncBackendSqliteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_sync_backend_sqlite_dispose;
  object_class->finalize = obd_sync_backend_sqlite_finalize;
}

static void
obd_sync_backend_sqlite_init (ObdSyncBackendSqlite *self)
{
  /* Keyed by the address of the SQL literal: hashing kilobytes of SQL
   * for every row costs more than the row. */
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
}

static gboolean
pragma_int (ObdSyncBackendSqlite  *self,
            const char            *sql,
            gint64                *out_value,
            GError               **error)
{
  Stmt *stmt = stmt_get (self, sql, error);
  gboolean row;

  if (stmt == NULL || !step_row (self, stmt, &row, error))
    return FALSE;
  *out_value = row ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  return TRUE;
}

/* Records stored before version 2 get the state the fleet summary
 * counts. */
static gboolean
backfill_states (ObdSyncBackendSqlite  *self,
                 GError               **error)
{
  Stmt *stmt = stmt_get (self, "SELECT entity, entity_id, data FROM entities WHERE deleted = 0",
                         error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) data = obd_sync_object_from_string ((const char *)
                                                                sqlite3_column_text (stmt, 2));
      const char *state = obd_sync_entity_state ((const char *) sqlite3_column_text (stmt, 0),
                                                 "update", data);

      if (state != NULL)
        {
          g_ptr_array_add (rows, column_dup (stmt, 0));
          g_ptr_array_add (rows, column_dup (stmt, 1));
          g_ptr_array_add (rows, g_strdup (state));
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error);
  for (guint i = 0; i + 2 < rows->len; i += 3)
    {
      stmt = stmt_get (self, "UPDATE entities SET state = ?3 WHERE entity = ?1 AND entity_id = ?2",
                       error);
      if (stmt == NULL)
        return FALSE;
      for (int c = 0; c < 3; c++)
        bind_text (stmt, c + 1, g_ptr_array_index (rows, i + c));
      if (!step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Runs on the caller's thread before the backend thread exists. */
static gboolean
open_database (ObdSyncBackendSqlite  *self,
               GError               **error)
{
  gint64 app_id = 0, version = 0, objects = 0;
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
                   _("Could not open the server database “%s”: %s. Check that its folder "
                     "exists and can be written."), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, 5000);

  if (!pragma_int (self, "PRAGMA application_id", &app_id, NULL)
      || !pragma_int (self, "PRAGMA user_version", &version, NULL)
      || !pragma_int (self, "SELECT count(*) FROM sqlite_schema", &objects, NULL)
      || (app_id != SERVER_APPLICATION_ID && (app_id != 0 || objects != 0)))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
                   _("“%s” is not an obd2-syncd database. Choose another file with --db."),
                   self->path);
      return FALSE;
    }
  if (version > SERVER_SCHEMA_VERSION)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
                   _("“%s” was written by a newer obd2-syncd (version %" PRId64
                     "). Update the server."), self->path, version);
      return FALSE;
    }

  /* WAL with synchronous=NORMAL: a killed server loses no committed push,
   * so a push_ack always means stored. */
  if (!exec (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                   "PRAGMA foreign_keys = ON;", error))
    return FALSE;
  if (version < SERVER_SCHEMA_VERSION)
    {
      g_autofree char *stamp = g_strdup_printf ("PRAGMA application_id = %d;"
                                                "PRAGMA user_version = %d;",
                                                SERVER_APPLICATION_ID, SERVER_SCHEMA_VERSION);

      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if ((version < 1 && !exec (self, SQL_SCHEMA, error))
          || (version < 2 && (!exec (self, SQL_MIGRATION_2, error) || !backfill_states (self,
                                                                                       error)))
          || (version < 3 && !exec (self, SQL_MIGRATION_3, error))
          || !exec (self, stamp, error) || !exec (self, "COMMIT", error))
        {
          rollback (self);
          return FALSE;
        }
    }

  /* Rooms of an earlier run: their connections are gone with it. */
  return exec (self, "DELETE FROM room_members;"
                     "UPDATE rooms SET code_hash = NULL, closed_us = unixepoch () * 1000000"
                     " WHERE closed_us IS NULL;", error);
}

ObdSyncBackend *
obd_sync_backend_sqlite_new (const char  *path,
                             GError     **error)
{
  g_autoptr(ObdSyncBackendSqlite) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (OBD_TYPE_SYNC_BACKEND_SQLITE, NULL);
  self->path = g_strdup (path);
  if (!open_database (self, error))
    return NULL;
  /* From here on only the thread touches the connection. */
  self->thread = obd_sync_job_thread_new ("obd-syncd-db", NULL, NULL, self);
  return OBD_SYNC_BACKEND (g_steal_pointer (&self));
}

/* Shared lookups (backend thread) ------------------------------------------ */

/* The vehicle an id names, through the aliases of vehicles two devices
 * created for one VIN.  *out_vehicle NULL when unknown. */
static gboolean
resolve_vehicle (ObdSyncBackendSqlite  *self,
                 const char            *id,
                 char                 **out_vehicle,
                 char                 **out_organisation,
                 GError               **error)
{
  Stmt *stmt = stmt_get (self,
                         "SELECT v.id, v.organisation_id FROM vehicles v WHERE v.id ="
                         " coalesce ((SELECT vehicle_id FROM vehicle_aliases WHERE alias = ?1),"
                         " ?1)", error);
  gboolean row;

  *out_vehicle = NULL;
  if (out_organisation != NULL)
    *out_organisation = NULL;
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  if (!step_row (self, stmt, &row, error))
    return FALSE;
  if (row)
    {
      *out_vehicle = column_dup (stmt, 0);
      if (out_organisation != NULL)
        *out_organisation = column_dup (stmt, 1);
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* Authenticate ------------------------------------------------------------ */

typedef struct
{
  char             *token;
  char             *device_id;
  char             *device_name;
  ObdSyncPrincipal *principal;
  char             *vehicle_id;
  char             *code;
  gint64            cursor;
  guint             limit;
  JsonArray        *changes;
  char             *name;
  char             *organisation_id;
  ObdSyncRole       role;
  char             *member_id;
} Request;

static void
request_free (Request *r)
{
  g_free (r->token);
  g_free (r->device_id);
  g_free (r->device_name);
  obd_sync_principal_free (r->principal);
  g_free (r->vehicle_id);
  g_free (r->code);
  g_clear_pointer (&r->changes, json_array_unref);
  g_free (r->name);
  g_free (r->organisation_id);
  g_free (r->member_id);
  g_free (r);
}

static GTask *
request_task (ObdSyncBackend          *backend,
              const ObdSyncPrincipal  *principal,
              GCancellable            *cancellable,
              GAsyncReadyCallback      callback,
              gpointer                 user_data,
              gpointer                 tag,
              Request                **out_request)
{
  GTask *task = g_task_new (backend, cancellable, callback, user_data);
  Request *r = g_new0 (Request, 1);

  g_task_set_source_tag (task, tag);
  if (principal != NULL)
    r->principal = obd_sync_principal_copy (principal);
  g_task_set_task_data (task, r, (GDestroyNotify) request_free);
  *out_request = r;
  return task;
}

static ObdSyncSession *
authenticate (ObdSyncBackendSqlite  *self,
              Request               *r,
              GError               **error)
{
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(ObdSyncSession) session = g_new0 (ObdSyncSession, 1);
  ObdSyncPrincipal *p;
  Stmt *stmt;
  gboolean row, valid;
  const char *role;
  gint64 now = g_get_real_time ();

  if (!obd_sync_token_split (r->token, &id, &secret))
    return obd_sync_auth_failed (error), NULL;

  stmt = stmt_get (self,
                   "SELECT t.salt, t.hash, t.revoked_us, u.id, u.name, u.organisation_id,"
                   " u.role, u.vehicle_id, o.name FROM tokens t JOIN users u ON u.id = t.user_id"
                   " LEFT JOIN organisations o ON o.id = u.organisation_id WHERE t.id = ?",
                   error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  if (!step_row (self, stmt, &row, error))
    return NULL;

  valid = obd_sync_token_check (row, row ? sqlite3_column_blob (stmt, 0) : NULL,
                                row ? (gsize) sqlite3_column_bytes (stmt, 0) : 0,
                                row ? (const char *) sqlite3_column_text (stmt, 1) : NULL,
                                row && sqlite3_column_type (stmt, 2) != SQLITE_NULL, secret);
  if (!valid)
    {
      sqlite3_reset (stmt);
      return obd_sync_auth_failed (error), NULL;
    }

  p = session->principal = g_new0 (ObdSyncPrincipal, 1);
  p->user_id = column_dup (stmt, 3);
  p->user_name = column_dup (stmt, 4);
  p->organisation_id = column_dup (stmt, 5);
  role = (const char *) sqlite3_column_text (stmt, 6);
  if (!obd_sync_role_from_string (role, &p->role))
    p->role = OBD_SYNC_ROLE_OWNER;  /* the least a damaged row can do */
  p->vehicle_id = column_dup (stmt, 7);
  p->organisation_name = column_dup (stmt, 8);
  sqlite3_reset (stmt);

  /* A device stays in the organisation that first synced it: a copied
   * store must not carry one shop's history into another's. */
  stmt = stmt_get (self, "SELECT organisation_id, acked_seq, chain_seq, chain_hash FROM devices"
                         " WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, r->device_id);
  if (!step_row (self, stmt, &row, error))
    return NULL;
  if (row)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), p->organisation_id) != 0)
        {
          sqlite3_reset (stmt);
          return forbidden (error, _("This PC synced with another organisation before. Use "
                                     "a token of that organisation.")), NULL;
        }
      session->pushed_seq = sqlite3_column_int64 (stmt, 1);
      session->chain_seq = sqlite3_column_int64 (stmt, 2);
      session->chain_hash = column_dup (stmt, 3);
    }
  sqlite3_reset (stmt);

  stmt = stmt_get (self, "INSERT INTO devices (id, organisation_id, user_id, name, last_seen_us)"
                         " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET"
                         " user_id = ?3, name = coalesce (?4, name), last_seen_us = ?5", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, r->device_id);
  bind_text (stmt, 2, p->organisation_id);
  bind_text (stmt, 3, p->user_id);
  bind_text (stmt, 4, r->device_name);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&session);
}

static void
authenticate_job (ObdSyncBackendSqlite *self,
                  GTask                *task)
{
  GError *error = NULL;
  ObdSyncSession *session = authenticate (self, g_task_get_task_data (task), &error);

  if (session == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, (GDestroyNotify) obd_sync_session_free);
}

static void
sqlite_authenticate_async (ObdSyncBackend      *backend,
                           const char          *token,
                           const char          *device_id,
                           const char          *device_name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Request *r;
  GTask *task = request_task (backend, NULL, cancellable, callback, user_data,
                              sqlite_authenticate_async, &r);

  r->token = g_strdup (token);
  r->device_id = g_strdup (device_id);
  r->device_name = g_strdup (device_name);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, authenticate_job);
}

static gpointer
propagate (GAsyncResult  *result,
           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static ObdSyncSession *
sqlite_authenticate_finish (ObdSyncBackend  *backend,
                            GAsyncResult    *result,
                            GError         **error)
{
  return propagate (result, error);
}

/* Push -------------------------------------------------------------------- */

/* The storage primitives of obd_sync_push_change () (obd-sync-rules.h):
 * one writer at a time, so nothing needs locking beyond the transaction. */

#define PUSH_SELF(push) ((ObdSyncBackendSqlite *) (push)->db)

static gboolean
op_seen (ObdSyncPush  *push,
         gint64        seq,
         gboolean     *out_seen,
         GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "SELECT 1 FROM changes WHERE device_id = ? AND device_seq = ?",
                         error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, push->device_id);
  sqlite3_bind_int64 (stmt, 2, seq);
  if (!step_row (self, stmt, out_seen, error))
    return FALSE;
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
op_store_samples (ObdSyncPush  *push,
                  JsonObject   *change,
                  GBytes       *packed,
                  gint64        first,
                  gint64        last,
                  GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  JsonObject *data = json_object_get_object_member (change, "data");
  gsize size = 0;
  gconstpointer bytes = g_bytes_get_data (packed, &size);
  Stmt *stmt;

  stmt = stmt_get (self,
                   "INSERT INTO sample_chunks (device_id, device_seq, part, organisation_id,"
                   " session_id, count, first_us, last_us, data)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, push->device_id);
  sqlite3_bind_int64 (stmt, 2, json_object_get_int_member (change, "seq"));
  sqlite3_bind_int64 (stmt, 3, json_object_get_int_member (change, "part"));
  bind_text (stmt, 4, push->principal->organisation_id);
  bind_text (stmt, 5, json_object_get_string_member (change, "entityId"));
  sqlite3_bind_int64 (stmt, 6, json_object_get_int_member (data, "count"));
  sqlite3_bind_int64 (stmt, 7, first);
  sqlite3_bind_int64 (stmt, 8, last);
  sqlite3_bind_blob (stmt, 9, bytes, size, SQLITE_STATIC);
  return step_done (self, stmt, error);
}

static gboolean
op_count_samples (ObdSyncPush  *push,
                  const char   *session_id,
                  gint64       *out_count,
                  GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "SELECT coalesce (sum (count), 0) FROM sample_chunks"
                               " WHERE session_id = ? AND organisation_id = ?", error);
  gboolean row;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, push->principal->organisation_id);
  if (!step_row (self, stmt, &row, error))
    return FALSE;
  *out_count = row ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
op_find_vin (ObdSyncPush  *push,
             const char   *vin,
             char        **out_vehicle,
             GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "SELECT id FROM vehicles WHERE organisation_id = ? AND vin = ?",
                         error);
  gboolean row;

  *out_vehicle = NULL;
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, push->principal->organisation_id);
  bind_text (stmt, 2, vin);
  if (!step_row (self, stmt, &row, error))
    return FALSE;
  if (row)
    *out_vehicle = column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
op_add_alias (ObdSyncPush  *push,
              const char   *id,
              const char   *vehicle,
              GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "INSERT OR IGNORE INTO vehicle_aliases (alias, vehicle_id)"
                               " VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, vehicle);
  return step_done (self, stmt, error);
}

/* One writer: nobody registers the VIN between find_vin and here. */
static gboolean
op_add_vehicle (ObdSyncPush  *push,
                const char   *id,
                const char   *vin,
                char        **out_kept,
                GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "INSERT INTO vehicles (id, organisation_id, vin) VALUES (?, ?, ?)",
                         error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, push->principal->organisation_id);
  bind_text (stmt, 3, vin);
  if (!step_done (self, stmt, error))
    return FALSE;
  *out_kept = g_strdup (id);
  return TRUE;
}

static gboolean
op_read_current (ObdSyncPush     *push,
                 const char      *entity,
                 const char      *entity_id,
                 ObdSyncCurrent  *out,
                 GError         **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "SELECT data, version, changed_us, device_id FROM entities"
                               " WHERE entity = ? AND entity_id = ?", error);
  gboolean row;

  memset (out, 0, sizeof *out);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, entity_id);
  if (!step_row (self, stmt, &row, error))
    return FALSE;
  if (row)
    {
      out->exists = TRUE;
      out->data = column_dup (stmt, 0);
      out->version = sqlite3_column_int64 (stmt, 1);
      out->changed_us = sqlite3_column_int64 (stmt, 2);
      out->device_id = column_dup (stmt, 3);
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
op_write_entity (ObdSyncPush  *push,
                 JsonObject   *change,
                 const char   *vehicle_id,
                 gint64        version,
                 const char   *data_text,
                 const char   *state,
                 GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self,
                         "INSERT INTO entities (entity, entity_id, organisation_id, vehicle_id,"
                         " version, data, changed_us, device_id, deleted, state)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                         " ON CONFLICT (entity, entity_id) DO UPDATE SET vehicle_id = ?4,"
                         " version = ?5, data = ?6, changed_us = ?7, device_id = ?8,"
                         " deleted = ?9, state = ?10", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, json_object_get_string_member (change, "entity"));
  bind_text (stmt, 2, json_object_get_string_member (change, "entityId"));
  bind_text (stmt, 3, push->principal->organisation_id);
  bind_text (stmt, 4, vehicle_id);
  sqlite3_bind_int64 (stmt, 5, version);
  bind_text (stmt, 6, data_text);
  sqlite3_bind_int64 (stmt, 7, json_object_get_int_member (change, "changedAt"));
  bind_text (stmt, 8, push->device_id);
  sqlite3_bind_int (stmt, 9, g_str_equal (json_object_get_string_member (change, "op"),
                                          "delete") ? 1 : 0);
  bind_text (stmt, 10, state);
  return step_done (self, stmt, error);
}

static gboolean
op_record_change (ObdSyncPush  *push,
                  JsonObject   *change,
                  const char   *vehicle_id,
                  gint64        version,
                  gboolean      applied,
                  const char   *data_text,
                  const char   *conflict_text,
                  GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self,
                         "INSERT INTO changes (organisation_id, device_id, device_seq, entity,"
                         " entity_id, vehicle_id, op, version, applied, data, changed_us,"
                         " received_us, conflict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, push->principal->organisation_id);
  bind_text (stmt, 2, push->device_id);
  sqlite3_bind_int64 (stmt, 3, json_object_get_int_member (change, "seq"));
  bind_text (stmt, 4, json_object_get_string_member (change, "entity"));
  bind_text (stmt, 5, json_object_get_string_member (change, "entityId"));
  bind_text (stmt, 6, vehicle_id);
  bind_text (stmt, 7, json_object_get_string_member (change, "op"));
  sqlite3_bind_int64 (stmt, 8, version);
  sqlite3_bind_int (stmt, 9, applied ? 1 : 0);
  bind_text (stmt, 10, data_text);
  sqlite3_bind_int64 (stmt, 11, json_object_get_int_member (change, "changedAt"));
  sqlite3_bind_int64 (stmt, 12, push->now);
  bind_text (stmt, 13, conflict_text);
  return step_done (self, stmt, error);
}

static gboolean
op_record_conflict (ObdSyncPush  *push,
                    const char   *entity,
                    const char   *entity_id,
                    const char   *winner_device,
                    const char   *loser_device,
                    const char   *winner_data,
                    const char   *loser_data,
                    GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self,
                         "INSERT INTO conflicts (organisation_id, entity, entity_id,"
                         " winner_device, loser_device, winner_data, loser_data, resolved_us)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, push->principal->organisation_id);
  bind_text (stmt, 2, entity);
  bind_text (stmt, 3, entity_id);
  bind_text (stmt, 4, winner_device);
  bind_text (stmt, 5, loser_device);
  bind_text (stmt, 6, winner_data);
  bind_text (stmt, 7, loser_data);
  sqlite3_bind_int64 (stmt, 8, push->now);
  return step_done (self, stmt, error);
}

static gboolean
op_update_chain (ObdSyncPush  *push,
                 gint64        chain_seq,
                 const char   *hash,
                 GError      **error)
{
  ObdSyncBackendSqlite *self = PUSH_SELF (push);
  Stmt *stmt = stmt_get (self, "UPDATE devices SET chain_seq = ?1, chain_hash = ?2"
                               " WHERE id = ?3 AND chain_seq < ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, chain_seq);
  bind_text (stmt, 2, hash);
  bind_text (stmt, 3, push->device_id);
  return step_done (self, stmt, error);
}

static gboolean
op_resolve_vehicle (gpointer   db,
                    const char *id,
                    char      **out_vehicle,
                    char      **out_organisation,
                    GError    **error)
{
  return resolve_vehicle (db, id, out_vehicle, out_organisation, error);
}

static const ObdSyncPushOps push_ops = {
  .seen = op_seen,
  .store_samples = op_store_samples,
  .count_samples = op_count_samples,
  .resolve_vehicle = op_resolve_vehicle,
  .find_vin = op_find_vin,
  .add_alias = op_add_alias,
  .add_vehicle = op_add_vehicle,
  .read_current = op_read_current,
  .write_entity = op_write_entity,
  .record_change = op_record_change,
  .record_conflict = op_record_conflict,
  .update_chain = op_update_chain,
};

static gboolean
check_vehicle (ObdSyncBackendSqlite    *self,
               const ObdSyncPrincipal  *p,
               const char              *id,
               char                   **out_vehicle,
               GError                 **error)
{
  return obd_sync_check_vehicle (&push_ops, self, p, id, out_vehicle, error);
}

static ObdSyncPushResult *
push (ObdSyncBackendSqlite  *self,
      Request               *r,
      GError               **error)
{
  g_autoptr(ObdSyncPushResult) result = g_new0 (ObdSyncPushResult, 1);
  ObdSyncPush ctx = { &push_ops, self, r->principal, r->device_id, result, g_get_real_time () };
  guint n = json_array_get_length (r->changes);
  Stmt *stmt;
  gboolean row;

  result->conflicts = json_array_new ();
  result->versions = json_array_new ();

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *change = json_array_get_object_element (r->changes, i);
      GError *refused = NULL;

      if (!exec (self, "SAVEPOINT change", error))
        goto fail;
      if (!obd_sync_push_change (&ctx, change, &refused))
        {
          /* The changes before it stay; this one and the rest wait. */
          exec (self, "ROLLBACK TO change; RELEASE change", NULL);
          if (g_error_matches (refused, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE))
            {
              g_propagate_error (error, refused);
              goto fail;
            }
          result->refused_seq = json_object_get_int_member (change, "seq");
          result->error = refused;
          break;
        }
      if (!exec (self, "RELEASE change", error))
        goto fail;
    }

  stmt = stmt_get (self, "UPDATE devices SET acked_seq = max (acked_seq, ?1), last_seen_us = ?2"
                         " WHERE id = ?3", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, result->acked_seq);
  sqlite3_bind_int64 (stmt, 2, ctx.now);
  bind_text (stmt, 3, r->device_id);
  if (!step_done (self, stmt, error))
    goto fail;

  /* ackedSeq is what this push stored (or had stored before), never more:
   * a client must not drop a change the server refused because a later
   * one got in. */
  stmt = stmt_get (self, "SELECT chain_seq, chain_hash FROM devices WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, r->device_id);
  if (!step_row (self, stmt, &row, error))
    goto fail;
  if (row)
    {
      result->chain_seq = sqlite3_column_int64 (stmt, 0);
      result->chain_hash = column_dup (stmt, 1);
    }
  sqlite3_reset (stmt);

  if (!exec (self, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&result);

fail:
  rollback (self);
  return NULL;
}

static void
push_job (ObdSyncBackendSqlite *self,
          GTask                *task)
{
  GError *error = NULL;
  ObdSyncPushResult *result = push (self, g_task_get_task_data (task), &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) obd_sync_push_result_free);
}

static void
sqlite_push_async (ObdSyncBackend          *backend,
                   const ObdSyncPrincipal  *principal,
                   const char              *device_id,
                   JsonArray               *changes,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  Request *r;
  GTask *task = request_task (backend, principal, cancellable, callback, user_data,
                              sqlite_push_async, &r);

  r->device_id = g_strdup (device_id);
  r->changes = json_array_ref (changes);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, push_job);
}

static ObdSyncPushResult *
sqlite_push_finish (ObdSyncBackend  *backend,
                    GAsyncResult    *result,
                    GError         **error)
{
  return propagate (result, error);
}

/* Pull -------------------------------------------------------------------- */

static JsonObject *
pull (ObdSyncBackendSqlite  *self,
      Request               *r,
      GError               **error)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  JsonArray *changes = json_array_new ();
  gint64 cursor = r->cursor;
  guint n = 0;
  gboolean more = FALSE;
  Stmt *stmt;
  int rc;

  json_object_set_array_member (payload, "changes", changes);

  if (!exec (self, "BEGIN", error))
    return NULL;
  stmt = stmt_get (self,
                   "SELECT cursor, entity, entity_id, op, version, changed_us, device_id, data,"
                   " conflict FROM changes WHERE organisation_id = ?1 AND cursor > ?2"
                   " AND applied = 1 AND device_id != ?3 AND (?4 IS NULL OR vehicle_id = ?4)"
                   " ORDER BY cursor LIMIT ?5", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, r->principal->organisation_id);
  sqlite3_bind_int64 (stmt, 2, r->cursor);
  bind_text (stmt, 3, r->device_id);
  bind_text (stmt, 4, r->principal->role == OBD_SYNC_ROLE_OWNER ? r->principal->vehicle_id
                                                                : NULL);
  sqlite3_bind_int64 (stmt, 5, r->limit + 1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *c;

      if (n == r->limit)
        {
          more = TRUE;
          break;
        }
      cursor = sqlite3_column_int64 (stmt, 0);
      c = obd_sync_pulled_change (cursor, (const char *) sqlite3_column_text (stmt, 1),
                                  (const char *) sqlite3_column_text (stmt, 2),
                                  (const char *) sqlite3_column_text (stmt, 3),
                                  sqlite3_column_int64 (stmt, 4), sqlite3_column_int64 (stmt, 5),
                                  (const char *) sqlite3_column_text (stmt, 6),
                                  (const char *) sqlite3_column_text (stmt, 7),
                                  (const char *) sqlite3_column_text (stmt, 8));
      json_array_add_object_element (changes, c);
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      db_error (self, error);
      goto fail;
    }

  /* Nothing more for this device: skip the rows it may not or need not
   * see, so the next pull starts at the end. */
  if (!more)
    {
      gboolean row;

      stmt = stmt_get (self, "SELECT max (cursor) FROM changes WHERE organisation_id = ?", error);
      if (stmt == NULL)
        goto fail;
      bind_text (stmt, 1, r->principal->organisation_id);
      if (!step_row (self, stmt, &row, error))
        goto fail;
      if (row && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        cursor = MAX (cursor, sqlite3_column_int64 (stmt, 0));
      sqlite3_reset (stmt);
    }
  exec (self, "COMMIT", NULL);

  json_object_set_int_member (payload, "cursor", cursor);
  json_object_set_boolean_member (payload, "more", more);
  return g_steal_pointer (&payload);

fail:
  rollback (self);
  return NULL;
}

static void
pull_job (ObdSyncBackendSqlite *self,
          GTask                *task)
{
  GError *error = NULL;
  JsonObject *payload = pull (self, g_task_get_task_data (task), &error);

  if (payload == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, payload, (GDestroyNotify) json_object_unref);
}

static void
sqlite_pull_async (ObdSyncBackend          *backend,
                   const ObdSyncPrincipal  *principal,
                   const char              *device_id,
                   gint64                   cursor,
                   guint                    limit,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  Request *r;
  GTask *task = request_task (backend, principal, cancellable, callback, user_data,
                              sqlite_pull_async, &r);

  r->device_id = g_strdup (device_id);
  r->cursor = cursor;
  r->limit = CLAMP (limit, 1, OBD_SYNC_MAX_PULL);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, pull_job);
}

static JsonObject *
sqlite_pull_finish (ObdSyncBackend  *backend,
                    GAsyncResult    *result,
                    GError         **error)
{
  return propagate (result, error);
}

/* Vehicle access ---------------------------------------------------------- */

static void
vehicle_access_job (ObdSyncBackendSqlite *self,
                    GTask                *task)
{
  Request *r = g_task_get_task_data (task);
  GError *error = NULL;
  char *vehicle = NULL;

  if (!check_vehicle (self, r->principal, r->vehicle_id, &vehicle, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vehicle, g_free);
}

static void
sqlite_vehicle_access_async (ObdSyncBackend          *backend,
                             const ObdSyncPrincipal  *principal,
                             const char              *vehicle_id,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  Request *r;
  GTask *task = request_task (backend, principal, cancellable, callback, user_data,
                              sqlite_vehicle_access_async, &r);

  r->vehicle_id = g_strdup (vehicle_id);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, vehicle_access_job);
}

static char *
sqlite_vehicle_access_finish (ObdSyncBackend  *backend,
                              GAsyncResult    *result,
                              GError         **error)
{
  return propagate (result, error);
}

/* Rooms ------------------------------------------------------------------- */

static gboolean
add_member (ObdSyncBackendSqlite    *self,
            const char              *room_id,
            const char              *member_id,
            const ObdSyncPrincipal  *p,
            gboolean                 host,
            GError                 **error)
{
  Stmt *stmt = stmt_get (self, "INSERT OR REPLACE INTO room_members (room_id, member_id,"
                               " user_id, user_name, role, host, joined_us)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, room_id);
  bind_text (stmt, 2, member_id);
  bind_text (stmt, 3, p->user_id);
  bind_text (stmt, 4, p->user_name);
  bind_text (stmt, 5, obd_sync_role_to_string (p->role));
  sqlite3_bind_int (stmt, 6, host ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  return step_done (self, stmt, error);
}

/* The presence list of a room, host first. */
static JsonArray *
list_members (ObdSyncBackendSqlite  *self,
              const char            *room_id,
              GError               **error)
{
  g_autoptr(JsonArray) members = json_array_new ();
  Stmt *stmt = stmt_get (self, "SELECT user_id, user_name, role, host FROM room_members"
                               " WHERE room_id = ? ORDER BY host DESC, joined_us, member_id",
                         error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, room_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    json_array_add_object_element (members,
                                   obd_sync_room_member ((const char *)
                                                         sqlite3_column_text (stmt, 0),
                                                         (const char *)
                                                         sqlite3_column_text (stmt, 1),
                                                         (const char *)
                                                         sqlite3_column_text (stmt, 2),
                                                         sqlite3_column_int (stmt, 3) != 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  return g_steal_pointer (&members);
}

/* The room's members after a change, numbered: one writer, so the
 * numbers follow the changes. */
static gboolean
list_presence (ObdSyncBackendSqlite  *self,
               ObdSyncRoom           *room,
               GError               **error)
{
  Stmt *stmt = stmt_get (self, "UPDATE rooms SET presence_version = presence_version + 1"
                               " WHERE id = ? RETURNING presence_version", error);
  gboolean row;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, room->room_id);
  if (!step_row (self, stmt, &row, error))
    {
      sqlite3_reset (stmt);
      return FALSE;
    }
  room->presence_version = row ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  room->members = list_members (self, room->room_id, error);
  return room->members != NULL;
}

static ObdSyncRoom *
room_create (ObdSyncBackendSqlite  *self,
             Request               *r,
             GError               **error)
{
  g_autoptr(ObdSyncRoom) room = g_new0 (ObdSyncRoom, 1);
  g_autofree char *code_hash = NULL;
  Stmt *stmt;

  if (!obd_sync_room_may_create (r->principal, error)
      || !check_vehicle (self, r->principal, r->vehicle_id, &room->vehicle_id, error))
    return NULL;

  room->room_id = g_uuid_string_random ();
  room->code = obd_sync_room_new_code ();
  room->host_user_id = g_strdup (r->principal->user_id);
  room->organisation_id = g_strdup (r->principal->organisation_id);
  room->expires_us = g_get_real_time () + OBD_SYNC_ROOM_CODE_LIFETIME_US;
  code_hash = obd_sync_room_hash_code (room->code);

  if (!exec (self, "SAVEPOINT room", error))
    return NULL;
  stmt = stmt_get (self, "INSERT INTO rooms (id, organisation_id, vehicle_id, host_user_id,"
                         " code_hash, code_expires_us, created_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, room->room_id);
  bind_text (stmt, 2, r->principal->organisation_id);
  bind_text (stmt, 3, room->vehicle_id);
  bind_text (stmt, 4, room->host_user_id);
  bind_text (stmt, 5, code_hash);
  sqlite3_bind_int64 (stmt, 6, room->expires_us);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  if (!step_done (self, stmt, error)
      || !add_member (self, room->room_id, r->member_id, r->principal, TRUE, error)
      || !list_presence (self, room, error)
      || !exec (self, "RELEASE room", error))
    goto fail;
  return g_steal_pointer (&room);

fail:
  exec (self, "ROLLBACK TO room; RELEASE room", NULL);
  return NULL;
}

static ObdSyncRoom *
room_join (ObdSyncBackendSqlite  *self,
           Request               *r,
           GError               **error)
{
  g_autoptr(ObdSyncRoom) room = NULL;
  g_autofree char *code_hash = obd_sync_room_hash_code (r->code);
  Stmt *stmt;
  gboolean row;

  if (!obd_sync_room_may_join (r->principal, error))
    return NULL;

  stmt = stmt_get (self, "SELECT id, vehicle_id, host_user_id, code_expires_us, organisation_id"
                         " FROM rooms WHERE code_hash = ? AND closed_us IS NULL", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, code_hash);
  if (!step_row (self, stmt, &row, error))
    return NULL;
  if (!row || sqlite3_column_int64 (stmt, 3) < g_get_real_time ())
    {
      sqlite3_reset (stmt);
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                   _("This invitation code is unknown, used or expired. Ask the mechanic for "
                     "a new one."));
      return NULL;
    }
  room = g_new0 (ObdSyncRoom, 1);
  room->room_id = column_dup (stmt, 0);
  room->vehicle_id = column_dup (stmt, 1);
  room->host_user_id = column_dup (stmt, 2);
  room->organisation_id = column_dup (stmt, 4);
  sqlite3_reset (stmt);

  stmt = stmt_get (self, "UPDATE rooms SET code_hash = NULL WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, room->room_id);
  if (!step_done (self, stmt, error)
      || !add_member (self, room->room_id, r->member_id, r->principal, FALSE, error)
      || !list_presence (self, room, error))
    return NULL;
  return g_steal_pointer (&room);
}

static ObdSyncRoom *
room_leave (ObdSyncBackendSqlite  *self,
            Request               *r,
            GError               **error)
{
  g_autoptr(ObdSyncRoom) room = g_new0 (ObdSyncRoom, 1);
  Stmt *stmt = stmt_get (self, "DELETE FROM room_members WHERE room_id = ? AND member_id = ?",
                         error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, r->vehicle_id);  /* queue_room () puts the room id here */
  bind_text (stmt, 2, r->member_id);
  if (!step_done (self, stmt, error))
    return NULL;
  room->room_id = g_strdup (r->vehicle_id);
  if (!list_presence (self, room, error))
    return NULL;
  return g_steal_pointer (&room);
}

static ObdSyncRoom *
room_close (ObdSyncBackendSqlite  *self,
            Request               *r,
            GError               **error)
{
  g_autoptr(ObdSyncRoom) room = NULL;
  Stmt *stmt;
  gboolean row;

  stmt = stmt_get (self, "SELECT vehicle_id, host_user_id, organisation_id FROM rooms"
                         " WHERE id = ? AND closed_us IS NULL", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, r->vehicle_id);  /* queue_room () puts the room id here */
  if (!step_row (self, stmt, &row, error))
    return NULL;
  if (!row)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_ROOM_CLOSED,
                   _("This room is closed or does not exist."));
      return NULL;
    }
  room = g_new0 (ObdSyncRoom, 1);
  room->room_id = g_strdup (r->vehicle_id);
  room->vehicle_id = column_dup (stmt, 0);
  room->host_user_id = column_dup (stmt, 1);
  room->organisation_id = column_dup (stmt, 2);
  sqlite3_reset (stmt);
  if (!obd_sync_room_may_close (r->principal, room->host_user_id, room->organisation_id, error))
    return NULL;

  stmt = stmt_get (self, "UPDATE rooms SET closed_us = ?, code_hash = NULL WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  bind_text (stmt, 2, room->room_id);
  if (!step_done (self, stmt, error))
    return NULL;
  stmt = stmt_get (self, "DELETE FROM room_members WHERE room_id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, room->room_id);
  if (!step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&room);
}

#define DEFINE_ROOM_JOB(name, func)                                              \
  static void                                                                    \
  name (ObdSyncBackendSqlite *self, GTask *task)                                 \
  {                                                                              \
    GError *error = NULL;                                                        \
    ObdSyncRoom *room = func (self, g_task_get_task_data (task), &error);       \
    if (room == NULL)                                                            \
      g_task_return_error (task, error);                                         \
    else                                                                         \
      g_task_return_pointer (task, room, (GDestroyNotify) obd_sync_room_free);   \
  }

DEFINE_ROOM_JOB (room_create_job, room_create)
DEFINE_ROOM_JOB (room_join_job, room_join)
DEFINE_ROOM_JOB (room_leave_job, room_leave)
DEFINE_ROOM_JOB (room_close_job, room_close)

static void
queue_room (ObdSyncBackend          *backend,
            const ObdSyncPrincipal  *principal,
            const char              *argument,
            gboolean                 is_code,
            const char              *member_id,
            JobFunc                  func,
            GCancellable            *cancellable,
            GAsyncReadyCallback      callback,
            gpointer                 user_data)
{
  Request *r;
  GTask *task = request_task (backend, principal, cancellable, callback, user_data,
                              queue_room, &r);

  if (is_code)
    r->code = g_strdup (argument);
  else
    r->vehicle_id = g_strdup (argument);
  r->member_id = g_strdup (member_id);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, func);
}

static void
sqlite_room_create_async (ObdSyncBackend          *backend,
                          const ObdSyncPrincipal  *principal,
                          const char              *vehicle_id,
                          const char              *member_id,
                          GCancellable            *cancellable,
                          GAsyncReadyCallback      callback,
                          gpointer                 user_data)
{
  queue_room (backend, principal, vehicle_id, FALSE, member_id, room_create_job, cancellable,
              callback, user_data);
}

static void
sqlite_room_join_async (ObdSyncBackend          *backend,
                        const ObdSyncPrincipal  *principal,
                        const char              *code,
                        const char              *member_id,
                        GCancellable            *cancellable,
                        GAsyncReadyCallback      callback,
                        gpointer                 user_data)
{
  queue_room (backend, principal, code, TRUE, member_id, room_join_job, cancellable, callback,
              user_data);
}

static void
sqlite_room_leave_async (ObdSyncBackend      *backend,
                         const char          *room_id,
                         const char          *member_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  queue_room (backend, NULL, room_id, FALSE, member_id, room_leave_job, cancellable, callback,
              user_data);
}

static void
sqlite_room_close_async (ObdSyncBackend          *backend,
                         const ObdSyncPrincipal  *principal,
                         const char              *room_id,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  queue_room (backend, principal, room_id, FALSE, NULL, room_close_job, cancellable, callback,
              user_data);
}

static ObdSyncRoom *
sqlite_room_finish (ObdSyncBackend  *backend,
                    GAsyncResult    *result,
                    GError         **error)
{
  return propagate (result, error);
}

/* Paged queries ------------------------------------------------------------ */

static JsonObject *
fleet (ObdSyncBackendSqlite  *self,
       Request               *r,
       GError               **error)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  JsonArray *vehicles = json_array_new ();
  g_autofree char *last = NULL;
  guint n = 0;
  Stmt *stmt;
  int rc;

  json_object_set_array_member (payload, "vehicles", vehicles);
  /* One query: a page of the organisation's vehicles by id, each with
   * counts from the index of its records' states. */
  stmt = stmt_get (self,
                   "SELECT v.id, (SELECT data FROM entities WHERE entity = 'vehicle'"
                   "   AND entity_id = v.id),"
                   " sum (e.entity = 'dtc_event' AND e.state = 'active'),"
                   " sum (e.entity = 'dtc_event' AND e.state = 'pending'),"
                   " sum (e.entity = 'maintenance_item' AND e.state = 'due'),"
                   " sum (e.entity = 'maintenance_item' AND e.state = 'overdue'),"
                   " sum (e.entity = 'notification' AND e.state = 'unread-warning'),"
                   " sum (e.entity = 'notification' AND e.state = 'unread-critical'),"
                   " sum (e.entity = 'session'),"
                   " max (CASE WHEN e.entity = 'session' THEN e.changed_us END),"
                   " max (e.changed_us)"
                   " FROM (SELECT id FROM vehicles WHERE organisation_id = ?1 AND id > ?2"
                   "       AND (?3 IS NULL OR id = ?3) ORDER BY id LIMIT ?4) v"
                   " LEFT JOIN entities e ON e.vehicle_id = v.id AND e.deleted = 0"
                   " GROUP BY v.id ORDER BY v.id", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, r->principal->organisation_id);
  bind_text (stmt, 2, r->code != NULL ? r->code : "");
  bind_text (stmt, 3, r->principal->role == OBD_SYNC_ROLE_OWNER ? r->principal->vehicle_id
                                                                : NULL);
  sqlite3_bind_int64 (stmt, 4, r->limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdSyncFleetRow row = {
        .vehicle_id = (const char *) sqlite3_column_text (stmt, 0),
        .vehicle_data = (const char *) sqlite3_column_text (stmt, 1),
        .active_codes = sqlite3_column_int64 (stmt, 2),
        .pending_codes = sqlite3_column_int64 (stmt, 3),
        .maintenance_due = sqlite3_column_int64 (stmt, 4),
        .maintenance_overdue = sqlite3_column_int64 (stmt, 5),
        .unread_warnings = sqlite3_column_int64 (stmt, 6),
        .unread_critical = sqlite3_column_int64 (stmt, 7),
        .sessions = sqlite3_column_int64 (stmt, 8),
        .last_session_us = sqlite3_column_int64 (stmt, 9),
        .last_change_us = sqlite3_column_int64 (stmt, 10),
      };

      json_array_add_object_element (vehicles, obd_sync_fleet_row_to_json (&row));
      g_free (last);
      last = g_strdup (row.vehicle_id);
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  obd_sync_page_set_next_vehicle (payload, n == r->limit ? last : NULL);
  return g_steal_pointer (&payload);
}

static JsonObject *
history (ObdSyncBackendSqlite  *self,
         Request               *r,
         GError               **error)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *vehicle = NULL;
  JsonArray *items = json_array_new ();
  Stmt *stmt;
  int rc;
  guint n = 0;
  gint64 last_us = 0;
  g_autofree char *last_key = NULL;

  json_object_set_array_member (payload, "items", items);
  if (!check_vehicle (self, r->principal, r->vehicle_id, &vehicle, error))
    return NULL;
  json_object_set_string_member (payload, "vehicleId", vehicle);
  /* Keyset: newest first from the index, strictly before the last row
   * of the previous page. */
  if (r->name == NULL)
    stmt = stmt_get (self,
                     "SELECT entity, entity_id, version, changed_us, device_id, data, state"
                     " FROM entities WHERE vehicle_id = ?1 AND deleted = 0"
                     " AND entity != 'vehicle'"
                     " ORDER BY changed_us DESC, entity DESC, entity_id DESC LIMIT ?5", error);
  else
    stmt = stmt_get (self,
                     "SELECT entity, entity_id, version, changed_us, device_id, data, state"
                     " FROM entities WHERE vehicle_id = ?1 AND deleted = 0"
                     " AND entity != 'vehicle' AND (changed_us, entity, entity_id) < (?2, ?3, ?4)"
                     " ORDER BY changed_us DESC, entity DESC, entity_id DESC LIMIT ?5", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, vehicle);
  if (r->name != NULL)
    {
      sqlite3_bind_int64 (stmt, 2, r->cursor);
      bind_text (stmt, 3, r->name);
      bind_text (stmt, 4, r->code);
    }
  sqlite3_bind_int64 (stmt, 5, r->limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_array_add_object_element (items,
        obd_sync_history_item ((const char *) sqlite3_column_text (stmt, 0),
                               (const char *) sqlite3_column_text (stmt, 1),
                               sqlite3_column_int64 (stmt, 2), sqlite3_column_int64 (stmt, 3),
                               (const char *) sqlite3_column_text (stmt, 4),
                               (const char *) sqlite3_column_text (stmt, 5),
                               (const char *) sqlite3_column_text (stmt, 6)));
      last_us = sqlite3_column_int64 (stmt, 3);
      g_free (last_key);
      last_key = obd_sync_history_key ((const char *) sqlite3_column_text (stmt, 0),
                                       (const char *) sqlite3_column_text (stmt, 1));
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  obd_sync_page_set_next_history (payload, n == r->limit, last_us, last_key);
  return g_steal_pointer (&payload);
}

#define DEFINE_PAGE_JOB(name, func)                                              \
  static void                                                                    \
  name (ObdSyncBackendSqlite *self, GTask *task)                                 \
  {                                                                              \
    GError *error = NULL;                                                        \
    JsonObject *page = func (self, g_task_get_task_data (task), &error);        \
    if (page == NULL)                                                            \
      g_task_return_error (task, error);                                         \
    else                                                                         \
      g_task_return_pointer (task, page, (GDestroyNotify) json_object_unref);    \
  }

DEFINE_PAGE_JOB (fleet_job, fleet)
DEFINE_PAGE_JOB (history_job, history)

static void
sqlite_fleet_async (ObdSyncBackend          *backend,
                    const ObdSyncPrincipal  *principal,
                    const char              *after,
                    guint                    limit,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  Request *r;
  GTask *task = request_task (backend, principal, cancellable, callback, user_data,
                              sqlite_fleet_async, &r);

  r->code = g_strdup (after);
  r->limit = CLAMP (limit, 1, OBD_SYNC_MAX_PAGE);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, fleet_job);
}

static void
sqlite_history_async (ObdSyncBackend          *backend,
                      const ObdSyncPrincipal  *principal,
                      const char              *vehicle_id,
                      gint64                   before_us,
                      const char              *before_key,
                      guint                    limit,
                      GCancellable            *cancellable,
                      GAsyncReadyCallback      callback,
                      gpointer                 user_data)
{
  Request *r;
  GTask *task = request_task (backend, principal, cancellable, callback, user_data,
                              sqlite_history_async, &r);

  r->vehicle_id = g_strdup (vehicle_id);
  r->cursor = before_us;
  if (before_us >= 0)
    obd_sync_history_key_split (before_key, &r->name, &r->code);
  r->limit = CLAMP (limit, 1, OBD_SYNC_MAX_PAGE);
  run (OBD_SYNC_BACKEND_SQLITE (backend), task, history_job);
}

static JsonObject *
sqlite_page_finish (ObdSyncBackend  *backend,
                    GAsyncResult    *result,
                    GError         **error)
{
  return propagate (result, error);
}

/* Live events: one process, so the fan-out is the signal itself. */
static void
sqlite_publish (ObdSyncBackend *backend,
                const char     *organisation_id,
                const char     *vehicle_id,
                const char     *room_id,
                const char     *text)
{
  _obd_sync_backend_emit_message (backend, organisation_id, vehicle_id, room_id, text);
}

/* Admin ------------------------------------------------------------------- */

static char *
create_organisation (ObdSyncBackendSqlite  *self,
                     Request               *r,
                     GError               **error)
{
  g_autofree char *id = g_uuid_string_random ();
  Stmt *stmt = stmt_get (self, "INSERT INTO organisations (id, name, created_us)"
                               " VALUES (?, ?, ?)", error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, r->name);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  return step_done (self, stmt, error) ? g_steal_pointer (&id) : NULL;
}

static gboolean
exists (ObdSyncBackendSqlite  *self,
        const char            *sql,
        const char            *id,
        GError               **error)
{
  Stmt *stmt = stmt_get (self, sql, error);
  gboolean row = FALSE;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  if (!step_row (self, stmt, &row, error))
    return FALSE;
  sqlite3_reset (stmt);
  return row;
}

static char *
create_user (ObdSyncBackendSqlite  *self,
             Request               *r,
             GError               **error)
{
  g_autofree char *id = g_uuid_string_random ();
  GError *local_error = NULL;
  Stmt *stmt;

  if (!exists (self, "SELECT 1 FROM organisations WHERE id = ?", r->organisation_id,
               &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                     _("There is no organisation “%s”. “obd2-syncd admin list” shows them."),
                     r->organisation_id);
      return NULL;
    }
  stmt = stmt_get (self, "INSERT INTO users (id, organisation_id, name, role, vehicle_id,"
                         " created_us) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, r->organisation_id);
  bind_text (stmt, 3, r->name);
  bind_text (stmt, 4, obd_sync_role_to_string (r->role));
  bind_text (stmt, 5, r->vehicle_id);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  return step_done (self, stmt, error) ? g_steal_pointer (&id) : NULL;
}

static char *
random_hex (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  GString *text = g_string_sized_new (n_bytes * 2);

  obd_sync_random_bytes (bytes, n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (text, "%02x", bytes[i]);
  return g_string_free (text, FALSE);
}

static char *
create_token (ObdSyncBackendSqlite  *self,
              Request               *r,
              GError               **error)
{
  g_autofree char *id = random_hex (8);
  g_autofree char *secret = random_hex (32);
  g_autofree char *hash = NULL;
  guint8 salt[16];
  GError *local_error = NULL;
  Stmt *stmt;

  if (!exists (self, "SELECT 1 FROM users WHERE id = ?", r->name, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                     _("There is no user “%s”. “obd2-syncd admin list” shows them."), r->name);
      return NULL;
    }
  obd_sync_random_bytes (salt, sizeof salt);
  hash = obd_sync_token_hash (salt, sizeof salt, secret);

  stmt = stmt_get (self, "INSERT INTO tokens (id, user_id, salt, hash, created_us)"
                         " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, r->name);
  sqlite3_bind_blob (stmt, 3, salt, sizeof salt, SQLITE_TRANSIENT);
  bind_text (stmt, 4, hash);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (!step_done (self, stmt, error))
    return NULL;
  return g_strdup_printf ("obd2_%s_%s", id, secret);
}

static char *
revoke_tokens (ObdSyncBackendSqlite  *self,
        Request               *r,
        GError               **error)
{
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  const char *key = r->name;
  Stmt *stmt;

  if (obd_sync_token_split (r->name, &id, &secret))
    key = id;
  stmt = stmt_get (self, "UPDATE tokens SET revoked_us = ?1 WHERE (id = ?2 OR user_id = ?2)"
                         " AND revoked_us IS NULL", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  bind_text (stmt, 2, key);
  if (!step_done (self, stmt, error))
    return NULL;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                   _("No active token matches “%s”. Give a token, its id or a user id."),
                   key);
      return NULL;
    }
  return g_strdup_printf ("%d", sqlite3_changes (self->db));
}

static void
add_rows (ObdSyncBackendSqlite  *self,
          JsonBuilder           *b,
          const char            *member,
          const char            *sql,
          GError               **error)
{
  Stmt *stmt = stmt_get (self, sql, error);

  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          json_builder_set_member_name (b, sqlite3_column_name (stmt, i));
          if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
            json_builder_add_null_value (b);
          else if (sqlite3_column_type (stmt, i) == SQLITE_INTEGER)
            json_builder_add_int_value (b, sqlite3_column_int64 (stmt, i));
          else
            json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, i));
        }
      json_builder_end_object (b);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_builder_end_array (b);
}

static JsonNode *
list_accounts (ObdSyncBackendSqlite  *self,
               Request               *r,
               GError               **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_rows (self, b, "organisations", "SELECT id, name FROM organisations ORDER BY created_us",
            error);
  add_rows (self, b, "users",
            "SELECT u.id, u.organisation_id, u.name, u.role, u.vehicle_id,"
            " (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.revoked_us IS NULL)"
            " AS active_tokens FROM users u ORDER BY u.created_us", error);
  add_rows (self, b, "devices",
            "SELECT id, organisation_id, user_id, name, acked_seq, chain_seq, last_seen_us"
            " FROM devices ORDER BY last_seen_us DESC", error);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

#define DEFINE_ADMIN_JOB(name, func, free_func)                                  \
  static void                                                                    \
  name (ObdSyncBackendSqlite *self, GTask *task)                                 \
  {                                                                              \
    GError *error = NULL;                                                        \
    gpointer result = func (self, g_task_get_task_data (task), &error);         \
    if (result == NULL)                                                          \
      g_task_return_error (task, error);                                         \
    else                                                                         \
      g_task_return_pointer (task, result, (GDestroyNotify) free_func);          \
  }

DEFINE_ADMIN_JOB (create_organisation_job, create_organisation, g_free)
DEFINE_ADMIN_JOB (create_user_job, create_user, g_free)
DEFINE_ADMIN_JOB (create_token_job, create_token, g_free)
DEFINE_ADMIN_JOB (revoke_job, revoke_tokens, g_free)
DEFINE_ADMIN_JOB (list_accounts_job, list_accounts, json_node_unref)

static char *
sqlite_create_organisation (ObdSyncBackend  *backend,
                            const char      *name,
                            GError         **error)
{
  Request *r = g_new0 (Request, 1);

  r->name = g_strdup (name);
  return run_sync (OBD_SYNC_BACKEND_SQLITE (backend), r, (GDestroyNotify) request_free,
                   create_organisation_job, error);
}

static char *
sqlite_create_user (ObdSyncBackend  *backend,
                    const char      *organisation_id,
                    const char      *name,
                    ObdSyncRole      role,
                    const char      *vehicle_id,
                    GError         **error)
{
  Request *r = g_new0 (Request, 1);

  r->organisation_id = g_strdup (organisation_id);
  r->name = g_strdup (name);
  r->role = role;
  r->vehicle_id = g_strdup (vehicle_id);
  return run_sync (OBD_SYNC_BACKEND_SQLITE (backend), r, (GDestroyNotify) request_free,
                   create_user_job, error);
}

static char *
sqlite_create_token (ObdSyncBackend  *backend,
                     const char      *user_id,
                     GError         **error)
{
  Request *r = g_new0 (Request, 1);

  r->name = g_strdup (user_id);
  return run_sync (OBD_SYNC_BACKEND_SQLITE (backend), r, (GDestroyNotify) request_free,
                   create_token_job, error);
}

static gboolean
sqlite_revoke (ObdSyncBackend  *backend,
               const char      *token_or_user,
               GError         **error)
{
  Request *r = g_new0 (Request, 1);
  g_autofree char *count = NULL;

  r->name = g_strdup (token_or_user);
  count = run_sync (OBD_SYNC_BACKEND_SQLITE (backend), r, (GDestroyNotify) request_free,
                    revoke_job, error);
  return count != NULL;
}

static JsonNode *
sqlite_list_accounts (ObdSyncBackend  *backend,
                      GError         **error)
{
  return run_sync (OBD_SYNC_BACKEND_SQLITE (backend), g_new0 (Request, 1),
                   (GDestroyNotify) request_free, list_accounts_job, error);
}

static void
backend_iface_init (ObdSyncBackendInterface *iface)
{
  iface->authenticate_async = sqlite_authenticate_async;
  iface->authenticate_finish = sqlite_authenticate_finish;
  iface->push_async = sqlite_push_async;
  iface->push_finish = sqlite_push_finish;
  iface->pull_async = sqlite_pull_async;
  iface->pull_finish = sqlite_pull_finish;
  iface->vehicle_access_async = sqlite_vehicle_access_async;
  iface->vehicle_access_finish = sqlite_vehicle_access_finish;
  iface->room_create_async = sqlite_room_create_async;
  iface->room_join_async = sqlite_room_join_async;
  iface->room_leave_async = sqlite_room_leave_async;
  iface->room_close_async = sqlite_room_close_async;
  iface->room_finish = sqlite_room_finish;
  iface->publish = sqlite_publish;
  iface->fleet_async = sqlite_fleet_async;
  iface->history_async = sqlite_history_async;
  iface->page_finish = sqlite_page_finish;
  iface->create_organisation = sqlite_create_organisation;
  iface->create_user = sqlite_create_user;
  iface->create_token = sqlite_create_token;
  iface->revoke = sqlite_revoke;
  iface->list_accounts = sqlite_list_accounts;
}
