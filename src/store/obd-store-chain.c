/* obd-store-chain.c — the sessions' hash chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session's hash is SHA-256 over a canonical serialisation of what was
 * recorded in it, followed by the hash of the session sealed before it.
 * Changing any recorded value, or removing or reordering sessions, breaks
 * the chain from that session on, so a printed report that quotes a hash
 * can be checked against the history.
 *
 * The serialisation: a version line, then sections in a fixed order, each
 * "#name\n" followed by rows in a fixed order, each row its columns then
 * "\n".  Columns are typed and self-delimiting, so no two different
 * contents serialise alike: "i<decimal>;" integers, "r<16 hex digits>;"
 * the IEEE 754 bits of reals, "<byte length>:<bytes>;" text, "~;" NULL.
 * The health inputs of schema step 4 (linked codes, since-clear figures,
 * alerts) follow, each section only when it has rows (feed_query_if_any).
 * Only content that never changes after sealing takes part: not the
 * vehicle's editable details, nor the last-seen and cleared fields of a
 * trouble code event, which later sessions update.
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-store-private.h"
#include "obd-store-sql.h"

#define CANONICAL_VERSION "obd2-session-v1\n"

static void
feed_column (GChecksum *sum,
             ObdStmt   *stmt,
             int        column)
{
  char buf[48];
  int len;

  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      len = g_snprintf (buf, sizeof buf, "i%" G_GINT64_FORMAT ";",
                        (gint64) sqlite3_column_int64 (stmt, column));
      g_checksum_update (sum, (const guchar *) buf, len);
      break;

    case SQLITE_FLOAT:
      {
        double value = sqlite3_column_double (stmt, column);
        guint64 bits;

        memcpy (&bits, &value, sizeof bits);
        len = g_snprintf (buf, sizeof buf, "r%016" G_GINT64_MODIFIER "x;", bits);
        g_checksum_update (sum, (const guchar *) buf, len);
      }
      break;

    case SQLITE_TEXT:
    case SQLITE_BLOB:
      {
        const guchar *data = sqlite3_column_blob (stmt, column);
        int n = sqlite3_column_bytes (stmt, column);

        len = g_snprintf (buf, sizeof buf, "%d:", n);
        g_checksum_update (sum, (const guchar *) buf, len);
        if (n > 0)
          g_checksum_update (sum, data, n);
        g_checksum_update (sum, (const guchar *) ";", 1);
      }
      break;

    default:
      g_checksum_update (sum, (const guchar *) "~;", 2);
      break;
    }
}

static void
feed_text (GChecksum  *sum,
           const char *text)
{
  char buf[24];
  int len;

  if (text == NULL)
    {
      g_checksum_update (sum, (const guchar *) "~;", 2);
      return;
    }
  len = g_snprintf (buf, sizeof buf, "%zu:", strlen (text));
  g_checksum_update (sum, (const guchar *) buf, len);
  g_checksum_update (sum, (const guchar *) text, strlen (text));
  g_checksum_update (sum, (const guchar *) ";", 1);
}

static void
feed_section (GChecksum  *sum,
              const char *name)
{
  g_checksum_update (sum, (const guchar *) "#", 1);
  g_checksum_update (sum, (const guchar *) name, strlen (name));
  g_checksum_update (sum, (const guchar *) "\n", 1);
}

/* Feeds every row of a query bound to session_id; columns from
 * first_column on take part. */
static gboolean
feed_query (GChecksum   *sum,
            sqlite3     *db,
            const char  *section,
            const char  *sql,
            gint64       id,
            int          first_column,
            GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  feed_section (sum, section);
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int n = sqlite3_column_count (stmt);

      for (int i = first_column; i < n; i++)
        feed_column (sum, stmt, i);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);
  return TRUE;
}

/* Sections added after the first sessions were sealed (the health inputs
 * of schema step 4) take part only when they have rows: a session sealed
 * before them hashes exactly as it did, and one with them cannot lose or
 * change them unnoticed. */
static gboolean
feed_query_if_any (GChecksum   *sum,
                   sqlite3     *db,
                   const char  *section,
                   const char  *sql,
                   gint64       id,
                   GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);
  return feed_query (sum, db, section, sql, id, 0, error);
}

static gboolean
feed_freeze_frames (GChecksum  *sum,
                    sqlite3    *db,
                    gint64      session_id,
                    GError    **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_FREEZE_LIST, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  feed_section (sum, "freeze_frames");
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* The frame's local id only links its values; it is not content. */
      for (int i = 1; i < sqlite3_column_count (stmt); i++)
        feed_column (sum, stmt, i);
      g_checksum_update (sum, (const guchar *) "\n", 1);
      if (!feed_query (sum, db, "freeze_frame_values", SQL_FREEZE_VALUES,
                       sqlite3_column_int64 (stmt, 0), 0, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);
  return TRUE;
}

char *
_obd_store_compute_hash (sqlite3     *db,
                         gint64       session_id,
                         const char  *prev_hash,
                         GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) CANONICAL_VERSION, strlen (CANONICAL_VERSION));

  if (!feed_query (sum, db, "session", SQL_HASH_META, session_id, 0, error)
      || !feed_query (sum, db, "samples", SQL_HASH_SAMPLES, session_id, 0, error)
      || !feed_query (sum, db, "dtcs", SQL_HASH_DTCS, session_id, 0, error)
      || !feed_freeze_frames (sum, db, session_id, error)
      || !feed_query (sum, db, "readiness", SQL_READINESS_LIST, session_id, 0, error)
      || !feed_query (sum, db, "mode06", SQL_MODE06_LIST, session_id, 0, error)
      || !feed_query_if_any (sum, db, "session_dtcs", SQL_HASH_SESSION_DTCS, session_id, error)
      || !feed_query_if_any (sum, db, "health", SQL_SESSION_HEALTH_GET, session_id, error)
      || !feed_query_if_any (sum, db, "alerts", SQL_SESSION_ALERTS_LIST, session_id, error))
    return NULL;

  feed_section (sum, "prev");
  feed_text (sum, prev_hash);

  return g_strdup (g_checksum_get_string (sum));
}

gboolean
_obd_store_seal_session (sqlite3                *db,
                         gint64                  session_id,
                         ObdStoreSessionStatus   status,
                         gint64                  ended_us,
                         GError                **error)
{
  g_autoptr(ObdStmt) end = NULL;
  g_autoptr(ObdStmt) tail = NULL;
  g_autoptr(ObdStmt) link = NULL;
  g_autoptr(ObdStoreSession) session = NULL;
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  gint64 seq = 1;
  int rc;

  g_return_val_if_fail (status != OBD_STORE_SESSION_RECORDING, FALSE);

  end = _obd_store_prepare (db, SQL_SESSION_END, error);
  if (end == NULL)
    return FALSE;
  sqlite3_bind_text (end, 1, obd_store_session_status_to_string (status), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (end, 2, ended_us);
  sqlite3_bind_int64 (end, 3, session_id);
  if (!_obd_store_step_done (db, end, error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    return TRUE;

  tail = _obd_store_prepare (db, SQL_SESSION_CHAIN_TAIL, error);
  if (tail == NULL)
    return FALSE;
  rc = sqlite3_step (tail);
  if (rc == SQLITE_ROW)
    {
      prev = _obd_store_column_dup (tail, 0);
      seq = sqlite3_column_int64 (tail, 1) + 1;
    }
  else if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);

  hash = _obd_store_compute_hash (db, session_id, prev, error);
  if (hash == NULL)
    return FALSE;

  link = _obd_store_prepare (db, SQL_SESSION_LINK, error);
  if (link == NULL)
    return FALSE;
  sqlite3_bind_text (link, 1, hash, -1, SQLITE_STATIC);
  _obd_store_bind_text (link, 2, prev);
  sqlite3_bind_int64 (link, 3, seq);
  sqlite3_bind_int64 (link, 4, session_id);
  if (!_obd_store_step_done (db, link, error))
    return FALSE;

  session = _obd_store_read_session (db, session_id, error);
  return session != NULL
         && _obd_store_outbox_add (db, "session", session->uuid, "insert",
                                   _obd_store_session_to_json (session), error);
}

char *
obd_store_compute_session_hash (ObdStore  *self,
                                gint64     session_id,
                                GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autofree char *prev = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SESSION_HASHES, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                   _("No such session in the database. List the sessions to see their "
                     "numbers."));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _obd_store_set_error (db, rc, _("Could not read the database"), error);
      return NULL;
    }
  if (sqlite3_column_type (stmt, 2) == SQLITE_NULL)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("The session is still recording; it gets its hash when it ends."));
      return NULL;
    }
  prev = _obd_store_column_dup (stmt, 1);
  g_clear_pointer (&stmt, sqlite3_finalize);

  return _obd_store_compute_hash (db, session_id, prev, error);
}

static gboolean
walk_chain (sqlite3  *db,
            gint64   *out_first_bad,
            GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SESSION_CHAIN, error);
  g_autoptr(ObdStmt) unsealed = NULL;
  g_autofree char *expected_prev = NULL;
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      const char *prev = (const char *) sqlite3_column_text (stmt, 1);
      g_autofree char *hash = _obd_store_column_dup (stmt, 2);
      g_autofree char *computed = NULL;

      if (g_strcmp0 (prev, expected_prev) != 0)
        {
          *out_first_bad = id;
          return TRUE;
        }
      computed = _obd_store_compute_hash (db, id, prev, error);
      if (computed == NULL)
        return FALSE;
      if (g_strcmp0 (computed, hash) != 0)
        {
          *out_first_bad = id;
          return TRUE;
        }
      g_free (expected_prev);
      expected_prev = g_steal_pointer (&hash);
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);

  /* A session that ended but is not in the chain was taken out of it. */
  unsealed = _obd_store_prepare (db, SQL_SESSION_UNSEALED, error);
  if (unsealed == NULL)
    return FALSE;
  rc = sqlite3_step (unsealed);
  if (rc == SQLITE_ROW)
    *out_first_bad = sqlite3_column_int64 (unsealed, 0);
  else if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);

  return TRUE;
}

gboolean
obd_store_verify_chain (ObdStore  *self,
                        gint64    *out_first_bad,
                        GError   **error)
{
  sqlite3 *db;
  gboolean ok;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_first_bad != NULL, FALSE);

  *out_first_bad = 0;
  db = _obd_store_get_db (self);

  /* One read transaction: a recorder sealing a session meanwhile must not
   * make the walk see half a chain. */
  rc = sqlite3_exec (db, SQL_BEGIN_READ, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  ok = walk_chain (db, out_first_bad, error);
  _obd_store_rollback (db);
  return ok;
}
