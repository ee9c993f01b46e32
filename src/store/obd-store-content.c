/* obd-store-content.c — reading back what a session holds besides samples:
 * freeze frames, readiness and Mode 06 results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same queries, in the same order, as the hash chain and the JSON
 * export use, so a report shows exactly the rows the session's hash
 * covers.
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-store-private.h"
#include "obd-store-sql.h"

void
obd_store_freeze_frame_free (ObdStoreFreezeFrame *frame)
{
  if (frame == NULL)
    return;
  g_free (frame->dtc);
  g_clear_pointer (&frame->values, g_array_unref);
  g_free (frame);
}

static void
readiness_row_clear (ObdStoreReadinessRow *row)
{
  g_clear_pointer (&row->monitor, g_free);
}

static void
mode06_row_clear (ObdStoreMode06Row *row)
{
  g_clear_pointer (&row->unit, g_free);
}

void
obd_store_session_content_free (ObdStoreSessionContent *content)
{
  if (content == NULL)
    return;
  g_clear_pointer (&content->freeze_frames, g_ptr_array_unref);
  g_clear_pointer (&content->readiness, g_array_unref);
  g_clear_pointer (&content->mode06, g_array_unref);
  g_free (content);
}

/* A value the store holds as NULL (never written that way, but a damaged
 * or hand-edited file may) reads as NaN rather than as a plausible 0. */
static double
column_double (ObdStmt *stmt,
               int      column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, column);
}

static gboolean
read_freeze_values (sqlite3  *db,
                    ObdStmt  *stmt,
                    gint64    frame_id,
                    GArray   *values,
                    GError  **error)
{
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, frame_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreFreezeValue value = {
        .pid = (guint8) sqlite3_column_int (stmt, 0),
        .index = (guint8) sqlite3_column_int (stmt, 1),
        .value = column_double (stmt, 2),
      };

      g_array_append_val (values, value);
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);
  return TRUE;
}

/* SQL_FREEZE_LIST columns: id, dtc, ecu, frame, captured_us */
static GPtrArray *
read_freeze_frames (sqlite3  *db,
                    gint64    session_id,
                    GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_FREEZE_LIST, error);
  g_autoptr(ObdStmt) values = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  values = _obd_store_prepare (db, SQL_FREEZE_VALUES, error);
  if (values == NULL)
    return NULL;

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_freeze_frame_free);
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreFreezeFrame *frame = g_new0 (ObdStoreFreezeFrame, 1);

      frame->id = sqlite3_column_int64 (stmt, 0);
      frame->dtc = _obd_store_column_dup (stmt, 1);
      frame->ecu = (guint32) sqlite3_column_int64 (stmt, 2);
      frame->frame = (guint8) sqlite3_column_int (stmt, 3);
      frame->captured_us = sqlite3_column_int64 (stmt, 4);
      frame->values = g_array_new (FALSE, TRUE, sizeof (ObdStoreFreezeValue));
      g_ptr_array_add (frames, frame);

      if (!read_freeze_values (db, values, frame->id, frame->values, error))
        return NULL;
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&frames);
}

/* SQL_READINESS_LIST columns: taken_us, monitor, available, complete */
static GArray *
read_readiness (sqlite3  *db,
                gint64    session_id,
                GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_READINESS_LIST, error);
  g_autoptr(GArray) rows = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  rows = g_array_new (FALSE, TRUE, sizeof (ObdStoreReadinessRow));
  g_array_set_clear_func (rows, (GDestroyNotify) readiness_row_clear);
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreReadinessRow row = {
        .taken_us = sqlite3_column_int64 (stmt, 0),
        .monitor = _obd_store_column_dup (stmt, 1),
        .available = sqlite3_column_int (stmt, 2) != 0,
        .complete = sqlite3_column_int (stmt, 3) != 0,
      };

      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* SQL_MODE06_LIST columns: ecu, mid, tid, value, min, max, passed, unit */
static GArray *
read_mode06 (sqlite3  *db,
             gint64    session_id,
             GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_MODE06_LIST, error);
  g_autoptr(GArray) rows = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  rows = g_array_new (FALSE, TRUE, sizeof (ObdStoreMode06Row));
  g_array_set_clear_func (rows, (GDestroyNotify) mode06_row_clear);
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreMode06Row row = {
        .ecu = (guint32) sqlite3_column_int64 (stmt, 0),
        .mid = (guint8) sqlite3_column_int (stmt, 1),
        .tid = (guint8) sqlite3_column_int (stmt, 2),
        .value = column_double (stmt, 3),
        .min = column_double (stmt, 4),
        .max = column_double (stmt, 5),
        .passed = sqlite3_column_int (stmt, 6) != 0,
        .unit = _obd_store_column_dup (stmt, 7),
      };

      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

ObdStoreSessionContent *
obd_store_get_session_content (ObdStore  *self,
                               gint64     session_id,
                               GError   **error)
{
  g_autoptr(ObdStoreSession) session = NULL;
  ObdStoreSessionContent *content;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);

  /* One read transaction: the three parts belong to one moment, even
   * while a recorder writes. */
  rc = sqlite3_exec (db, SQL_BEGIN_READ, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _obd_store_set_error (db, rc, _("Could not read the database"), error);
      return NULL;
    }

  session = _obd_store_read_session (db, session_id, error);
  if (session == NULL)
    {
      _obd_store_rollback (db);
      return NULL;
    }

  content = g_new0 (ObdStoreSessionContent, 1);
  if ((content->freeze_frames = read_freeze_frames (db, session_id, error)) == NULL ||
      (content->readiness = read_readiness (db, session_id, error)) == NULL ||
      (content->mode06 = read_mode06 (db, session_id, error)) == NULL)
    {
      _obd_store_rollback (db);
      obd_store_session_content_free (content);
      return NULL;
    }

  _obd_store_rollback (db);
  return content;
}
