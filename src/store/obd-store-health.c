/* obd-store-health.c — what a session's health report was computed from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The codes, readiness and Mode 06 results of a session are written when it
 * starts (the snapshot read at connect belongs to the session recorded
 * after it); the since-clear figures of that snapshot and the live alerts
 * active on the session complete the inputs of its health report, so the
 * fleet list, the history and a printed report judge a vehicle from
 * exactly what the live view judged it from.  Schema step 4.
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-store-private.h"
#include "obd-store-sql.h"

void
obd_store_alert_free (ObdStoreAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->kind);
  g_free (alert->key);
  g_free (alert);
}

void
obd_store_readiness_entry_free (ObdStoreReadinessEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->monitor);
  g_free (entry);
}

/* A write transaction on a session that is still recording. */
static gboolean
begin_session_change (ObdStore  *self,
                      gint64     session_id,
                      GError   **error)
{
  sqlite3 *db = _obd_store_get_db (self);

  if (obd_store_is_read_only (self))
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                   _("“%s” was opened read-only."), obd_store_get_path (self));
      return FALSE;
    }
  if (!_obd_store_begin (db, error))
    return FALSE;
  if (!_obd_store_check_session_recording (db, session_id, error))
    {
      _obd_store_rollback (db);
      return FALSE;
    }
  return TRUE;
}

static gboolean
end_change (ObdStore  *self,
            gboolean   ok,
            GError   **error)
{
  sqlite3 *db = _obd_store_get_db (self);

  if (ok && _obd_store_commit (db, error))
    return TRUE;
  _obd_store_rollback (db);
  return FALSE;
}

gboolean
obd_store_set_session_health (ObdStore                    *self,
                              gint64                       session_id,
                              const ObdStoreSessionHealth *health,
                              GError                     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (health != NULL, FALSE);

  if (!begin_session_change (self, session_id, error))
    return FALSE;
  db = _obd_store_get_db (self);
  ok = (stmt = _obd_store_prepare (db, SQL_SESSION_HEALTH_SET, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_int64 (stmt, 2, health->taken_us);
      if (isfinite (health->km_since_clear) && health->km_since_clear >= 0)
        sqlite3_bind_double (stmt, 3, health->km_since_clear);
      else
        sqlite3_bind_null (stmt, 3);
      if (health->warmups_since_clear >= 0)
        sqlite3_bind_int (stmt, 4, health->warmups_since_clear);
      else
        sqlite3_bind_null (stmt, 4);
      ok = _obd_store_step_done (db, stmt, error);
    }
  return end_change (self, ok, error);
}

gboolean
obd_store_get_session_health (ObdStore               *self,
                              gint64                  session_id,
                              ObdStoreSessionHealth  *out_health,
                              gboolean               *out_found,
                              GError                **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_health != NULL, FALSE);
  g_return_val_if_fail (out_found != NULL, FALSE);

  db = _obd_store_get_db (self);
  *out_found = FALSE;
  *out_health = (ObdStoreSessionHealth) { 0, NAN, -1 };
  if ((stmt = _obd_store_prepare (db, SQL_SESSION_HEALTH_GET, error)) == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);

  *out_found = TRUE;
  out_health->taken_us = sqlite3_column_int64 (stmt, 0);
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    out_health->km_since_clear = sqlite3_column_double (stmt, 1);
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    out_health->warmups_since_clear = sqlite3_column_int (stmt, 2);
  return TRUE;
}

gboolean
obd_store_link_session_dtcs (ObdStore      *self,
                             gint64         session_id,
                             const gint64  *event_ids,
                             gsize          n_events,
                             GError       **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (event_ids != NULL || n_events == 0, FALSE);

  if (!begin_session_change (self, session_id, error))
    return FALSE;
  db = _obd_store_get_db (self);
  ok = (stmt = _obd_store_prepare (db, SQL_SESSION_DTC_LINK, error)) != NULL;
  for (gsize i = 0; ok && i < n_events; i++)
    {
      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_int64 (stmt, 2, event_ids[i]);
      ok = _obd_store_step_done (db, stmt, error);
      sqlite3_reset (stmt);
    }
  return end_change (self, ok, error);
}

/* Runs stmt (its parameter 1 bound to id) and collects its rows. */
static GPtrArray *
collect_rows (sqlite3         *db,
              ObdStmt         *stmt,
              gint64           id,
              gpointer       (*reader) (ObdStmt *stmt),
              GDestroyNotify   free_func,
              GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, reader (stmt));
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
obd_store_list_session_dtcs (ObdStore  *self,
                             gint64     session_id,
                             GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  if ((stmt = _obd_store_prepare (db, SQL_DTC_FOR_SESSION, error)) == NULL)
    return NULL;
  return collect_rows (db, stmt, session_id, (gpointer (*) (ObdStmt *)) _obd_store_read_dtc_event,
                       (GDestroyNotify) obd_store_dtc_event_free, error);
}

gboolean
obd_store_set_session_alerts (ObdStore             *self,
                              gint64                session_id,
                              const ObdStoreAlert  *alerts,
                              gsize                 n_alerts,
                              GError              **error)
{
  g_autoptr(ObdStmt) clear = NULL;
  g_autoptr(ObdStmt) insert = NULL;
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (alerts != NULL || n_alerts == 0, FALSE);
  for (gsize i = 0; i < n_alerts; i++)
    {
      g_return_val_if_fail (alerts[i].kind != NULL && alerts[i].key != NULL, FALSE);
      g_return_val_if_fail ((guint) alerts[i].severity < OBD_SEVERITY_COUNT, FALSE);
    }

  if (!begin_session_change (self, session_id, error))
    return FALSE;
  db = _obd_store_get_db (self);
  ok = (clear = _obd_store_prepare (db, SQL_SESSION_ALERTS_DELETE, error)) != NULL
       && (insert = _obd_store_prepare (db, SQL_SESSION_ALERT_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (clear, 1, session_id);
      ok = _obd_store_step_done (db, clear, error);
    }
  for (gsize i = 0; ok && i < n_alerts; i++)
    {
      const ObdStoreAlert *a = &alerts[i];

      sqlite3_bind_int64 (insert, 1, session_id);
      sqlite3_bind_text (insert, 2, a->kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, a->key, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, obd_severity_get_key (a->severity), -1, SQLITE_STATIC);
      sqlite3_bind_double (insert, 5, a->value);
      sqlite3_bind_double (insert, 6, a->threshold);
      sqlite3_bind_int64 (insert, 7, a->time_us);
      ok = _obd_store_step_done (db, insert, error);
      sqlite3_reset (insert);
    }
  return end_change (self, ok, error);
}

GPtrArray *
obd_store_list_session_alerts (ObdStore  *self,
                               gint64     session_id,
                               GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  if ((stmt = _obd_store_prepare (db, SQL_SESSION_ALERTS_LIST, error)) == NULL)
    return NULL;
  alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_alert_free);
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ObdStoreAlert) alert = g_new0 (ObdStoreAlert, 1);
      const char *severity = (const char *) sqlite3_column_text (stmt, 2);

      alert->kind = _obd_store_column_dup (stmt, 0);
      alert->key = _obd_store_column_dup (stmt, 1);
      /* A word the schema's CHECK lets through but this program does not
       * know is damage, not "info". */
      if (!obd_severity_from_key (severity, &alert->severity, error))
        {
          g_prefix_error (error, _("Damaged alert in session %" PRId64 ": "),
                          session_id);
          return NULL;
        }
      alert->value = sqlite3_column_double (stmt, 3);
      alert->threshold = sqlite3_column_double (stmt, 4);
      alert->time_us = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (alerts, g_steal_pointer (&alert));
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&alerts);
}

static gpointer
read_readiness_entry (ObdStmt *stmt)
{
  ObdStoreReadinessEntry *entry = g_new0 (ObdStoreReadinessEntry, 1);

  entry->monitor = _obd_store_column_dup (stmt, 0);
  entry->available = sqlite3_column_int (stmt, 1) != 0;
  entry->complete = sqlite3_column_int (stmt, 2) != 0;
  return entry;
}

GPtrArray *
obd_store_list_readiness (ObdStore  *self,
                          gint64     session_id,
                          GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  if ((stmt = _obd_store_prepare (db, SQL_READINESS_LATEST, error)) == NULL)
    return NULL;
  return collect_rows (db, stmt, session_id, read_readiness_entry,
                       (GDestroyNotify) obd_store_readiness_entry_free, error);
}

GArray *
obd_store_list_mode06_results (ObdStore  *self,
                               gint64     session_id,
                               GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (ObdStoreMode06Result));
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  if ((stmt = _obd_store_prepare (db, SQL_MODE06_LIST, error)) == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreMode06Result r = {
        .ecu = (guint32) sqlite3_column_int64 (stmt, 0),
        .mid = (guint8) sqlite3_column_int (stmt, 1),
        .tid = (guint8) sqlite3_column_int (stmt, 2),
        .value = sqlite3_column_double (stmt, 3),
        .min = sqlite3_column_double (stmt, 4),
        .max = sqlite3_column_double (stmt, 5),
        .passed = sqlite3_column_int (stmt, 6) != 0,
        /* Unit symbols are a handful of short strings. */
        .unit = g_intern_string ((const char *) sqlite3_column_text (stmt, 7)),
      };

      g_array_append_val (results, r);
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&results);
}

/* One integer (or NULL as 0) from a query bound to id. */
static gboolean
query_int64 (ObdStore    *self,
             const char  *sql,
             gint64       id,
             gint64      *out_value,
             GError     **error)
{
  sqlite3 *db = _obd_store_get_db (self);
  g_autoptr(ObdStmt) stmt = NULL;
  int rc;

  *out_value = 0;
  if ((stmt = _obd_store_prepare (db, sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_value = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  return TRUE;
}

gboolean
obd_store_find_health_session (ObdStore  *self,
                               gint64     vehicle_id,
                               gint64    *out_session_id,
                               GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_session_id != NULL, FALSE);

  return query_int64 (self, SQL_SESSION_HEALTH_LATEST, vehicle_id, out_session_id, error);
}

gboolean
obd_store_get_last_clear (ObdStore  *self,
                          gint64     vehicle_id,
                          gint64    *out_cleared_us,
                          GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_cleared_us != NULL, FALSE);

  return query_int64 (self, SQL_DTC_LAST_CLEAR, vehicle_id, out_cleared_us, error);
}

gboolean
_obd_store_log_clear (sqlite3     *db,
                      gint64       vehicle_id,
                      const char  *cleared_by,
                      gint64       cleared_us,
                      GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_DTC_CLEAR_LOG, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, vehicle_id);
  sqlite3_bind_int64 (stmt, 2, cleared_us);
  _obd_store_bind_text (stmt, 3, cleared_by);
  return _obd_store_step_done (db, stmt, error);
}
