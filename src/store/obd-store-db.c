/* obd-store-db.c — SQLite plumbing shared by the store and the recorder:
 * error translation, statements, connections, schema steps, recording locks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "obd-store-private.h"
#include "obd-store-sql.h"

G_DEFINE_QUARK (obd-store-error-quark, obd_store_error)

gboolean
_obd_store_set_error (sqlite3     *db,
                      int          rc,
                      const char  *context,
                      GError     **error)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  const char *hint = NULL;
  int code = OBD_STORE_ERROR_FAILED;

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      code = OBD_STORE_ERROR_DISK_FULL;
      hint = _("The disk is full. Free some space; what was saved so far is kept.");
      break;
    case SQLITE_CORRUPT:
      code = OBD_STORE_ERROR_CORRUPT;
      hint = _("The database is damaged. Restore it from a backup, or move it away to start "
               "a new one.");
      break;
    case SQLITE_NOTADB:
      code = OBD_STORE_ERROR_NOT_A_DATABASE;
      hint = _("This is not an OBD2 Diagnostics database. Choose another file or move it away.");
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = OBD_STORE_ERROR_BUSY;
      hint = _("Another program keeps the database busy. Close it and try again.");
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = OBD_STORE_ERROR_READ_ONLY;
      hint = _("The database cannot be written. Check the permissions of the file and its "
               "folder.");
      break;
    case SQLITE_CANTOPEN:
      hint = _("The database cannot be opened. Check that its folder exists and can be "
               "written.");
      break;
    case SQLITE_IOERR:
      hint = _("Reading or writing the disk failed. Check the disk.");
      break;
    default:
      break;
    }

  if (hint != NULL)
    g_set_error (error, OBD_STORE_ERROR, code, "%s: %s (%s)", context, hint, detail);
  else
    g_set_error (error, OBD_STORE_ERROR, code, "%s: %s", context, detail);
  return FALSE;
}

gboolean
_obd_store_exec (sqlite3     *db,
                 const char  *sql,
                 GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _obd_store_set_error (db, rc, _("Database command failed"), error);
  return TRUE;
}

ObdStmt *
_obd_store_prepare (sqlite3     *db,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _obd_store_set_error (db, rc, _("Database query failed"), error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
_obd_store_step_done (sqlite3     *db,
                      ObdStmt     *stmt,
                      GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _obd_store_set_error (db, rc, _("Could not write to the database"), error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
_obd_store_begin (sqlite3     *db,
                  GError     **error)
{
  int rc = sqlite3_exec (db, SQL_BEGIN, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _obd_store_set_error (db, rc, _("Could not start a database transaction"), error);
  return TRUE;
}

gboolean
_obd_store_commit (sqlite3     *db,
                   GError     **error)
{
  int rc = sqlite3_exec (db, SQL_COMMIT, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _obd_store_set_error (db, rc, _("Could not save to the database"), error);
  return TRUE;
}

void
_obd_store_rollback (sqlite3 *db)
{
  /* Some errors (SQLITE_FULL among them) already rolled the transaction
   * back; ROLLBACK then fails harmlessly. */
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, SQL_ROLLBACK, NULL, NULL, NULL);
}

char *
_obd_store_column_dup (ObdStmt *stmt,
                       int      column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

void
_obd_store_bind_text (ObdStmt    *stmt,
                      int         column,
                      const char *text)
{
  if (text == NULL || *text == '\0')
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
}

/* Runs sql on a connection being opened, waiting out another process
 * that is creating or converting the same file.  SQLite's busy handler is
 * not called on every path of opening a write-ahead-log database (while
 * another connection switches a new file to WAL, or builds the log's
 * index), so SQLITE_BUSY may come back at once: try again for as long as
 * the busy timeout allows.  Only ever runs on the store's own thread. */
int
_obd_store_exec_at_open (sqlite3    *db,
                         const char *sql)
{
  gint64 deadline = g_get_monotonic_time () + OBD_STORE_BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  gulong pause_us = 1000;
  int rc;

  while (((rc = sqlite3_exec (db, sql, NULL, NULL, NULL)) & 0xff) == SQLITE_BUSY
         && g_get_monotonic_time () < deadline)
    {
      g_usleep (pause_us);
      pause_us = MIN (pause_us * 2, 50000);
    }
  return rc;
}

/* When this thread's current wait for a lock began (a connection has one
 * owner thread and waits for one lock at a time). */
static _Thread_local gint64 busy_since;

/* SQLite's own busy handler sleeps ever longer, up to 100 ms between two
 * tries.  A writer with a backlog (the recorder) ends one transaction and
 * starts the next within microseconds, so such a waiter almost never
 * finds the lock free and gives up after its whole timeout.  This one
 * tries every millisecond; the recorder leaves a gap of a few between its
 * transactions (see obd-recorder.c), so a waiter gets its turn within one
 * transaction's time. */
static int
on_busy (void *data,
         int   count)
{
  gint64 now = g_get_monotonic_time ();

  if (count == 0)
    busy_since = now;
  if (now - busy_since >= (gint64) GPOINTER_TO_INT (data) * G_TIME_SPAN_MILLISECOND)
    return 0;
  g_usleep (OBD_STORE_BUSY_POLL_US);
  return 1;
}

void
_obd_store_set_busy_timeout (sqlite3 *db,
                             int      timeout_ms)
{
  sqlite3_busy_handler (db, on_busy, GINT_TO_POINTER (timeout_ms));
}

sqlite3 *
_obd_store_connect (const char  *path,
                    GError     **error)
{
  sqlite3 *db = NULL;
  /* NOMUTEX: one thread owns each connection. */
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc;

  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      _obd_store_set_error (db, rc, _("Could not open the database"), error);
      sqlite3_close_v2 (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, 1);
  _obd_store_set_busy_timeout (db, OBD_STORE_BUSY_TIMEOUT_MS);

  /* WAL with synchronous=NORMAL: a crash of the process never loses a
   * committed transaction and never corrupts the file; a power cut may lose
   * the last few transactions, still without corruption. */
  rc = _obd_store_exec_at_open (db, SQL_PRAGMAS);
  if (rc != SQLITE_OK)
    {
      _obd_store_set_error (db, rc, _("Could not open the database"), error);
      sqlite3_close_v2 (db);
      return NULL;
    }

  return db;
}

static const char * const schema_steps[] = {
  NULL,
  SQL_SCHEMA_1,
  SQL_SCHEMA_2,
  SQL_SCHEMA_3,
  SQL_SCHEMA_4,
  SQL_SCHEMA_5,
  SQL_SCHEMA_6,
};

G_STATIC_ASSERT (G_N_ELEMENTS (schema_steps) == OBD_STORE_SCHEMA_VERSION + 1);

gboolean
_obd_store_schema_migrate (sqlite3     *db,
                           int          from,
                           GError     **error)
{
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (from >= 0 && from <= OBD_STORE_SCHEMA_VERSION, FALSE);

  for (int version = from + 1; version <= OBD_STORE_SCHEMA_VERSION; version++)
    {
      int rc = sqlite3_exec (db, schema_steps[version], NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        {
          g_autofree char *context =
            g_strdup_printf (_("Could not upgrade the database to version %d"), version);
          return _obd_store_set_error (db, rc, context, error);
        }
      g_debug ("Database upgraded to schema version %d", version);
    }

  stamp = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d;",
                           OBD_STORE_APPLICATION_ID, OBD_STORE_SCHEMA_VERSION);
  return _obd_store_exec (db, stamp, error);
}

gboolean
_obd_store_outbox_add (sqlite3     *db,
                       const char  *entity,
                       const char  *entity_id,
                       const char  *op,
                       JsonNode    *payload,
                       GError     **error)
{
  g_autoptr(JsonNode) node = payload;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autofree char *text = NULL;

  /* Building the payload failed, and said why in error. */
  if (node == NULL)
    return FALSE;

  text = json_to_string (node, FALSE);
  stmt = _obd_store_prepare (db, SQL_OUTBOX_INSERT, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, entity_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, op, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  return _obd_store_step_done (db, stmt, error);
}

/* Recording locks ---------------------------------------------------- */

static char *
lock_path (const char *db_path,
           const char *uuid)
{
  return g_strdup_printf ("%s-recording-%s.lock", db_path, uuid);
}

int
_obd_store_session_lock_acquire (const char  *db_path,
                                 const char  *uuid,
                                 GError     **error)
{
  g_autofree char *path = lock_path (db_path, uuid);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, OBD_STORE_ERROR,
                   saved == EROFS || saved == EACCES ? OBD_STORE_ERROR_READ_ONLY
                                                     : OBD_STORE_ERROR_FAILED,
                   _("Could not create the recording lock “%s”: %s"),
                   path, g_strerror (saved));
      return -1;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_BUSY,
                   _("Could not lock “%s”: %s"), path, g_strerror (saved));
      return -1;
    }

  return fd;
}

void
_obd_store_session_lock_release (const char *db_path,
                                 const char *uuid,
                                 int         fd)
{
  g_autofree char *path = lock_path (db_path, uuid);

  if (fd < 0)
    return;
  /* Unlink while still holding the lock: an opener that finds the file
   * unlocked afterwards sees a session that has already ended. */
  g_unlink (path);
  close (fd);
}

gboolean
_obd_store_session_lock_is_held (const char *db_path,
                                 const char *uuid,
                                 gboolean    remove_stale)
{
  g_autofree char *path = lock_path (db_path, uuid);
  /* Read-only is enough for flock(), and works where nothing may be
   * written (a reader on a read-only disk). */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return FALSE;

  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    {
      if (remove_stale)
        g_unlink (path);
      close (fd);
      return FALSE;
    }

  close (fd);
  return TRUE;
}
