/* obd-store-sync.c — sync bookkeeping, and changes pulled from the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-store-private.h"
#include "obd-store-sync.h"

#define SQL_SYNC_STATE \
  "SELECT device_id, server_url, cursor, pushed_seq, anchor_seq, anchor_hash, last_sync_us" \
  " FROM sync_state WHERE id = 1"
#define SQL_SYNC_PENDING      "SELECT count(*) FROM outbox"
#define SQL_SYNC_IS_PENDING   "SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? LIMIT 1"
#define SQL_SYNC_SET_SERVER \
  "UPDATE sync_state SET server_url = ?1, cursor = 0, anchor_seq = 0, anchor_hash = NULL" \
  " WHERE id = 1 AND server_url IS NOT ?1"
#define SQL_SYNC_FORGET_VERSIONS "DELETE FROM sync_versions"
#define SQL_SYNC_SET_CURSOR   "UPDATE sync_state SET cursor = max (cursor, ?) WHERE id = 1"
#define SQL_SYNC_SET_PUSHED   "UPDATE sync_state SET pushed_seq = max (pushed_seq, ?) WHERE id = 1"
#define SQL_SYNC_ACK          "DELETE FROM outbox WHERE seq <= ?"
#define SQL_SYNC_SET_ANCHOR \
  "UPDATE sync_state SET anchor_seq = ?, anchor_hash = ? WHERE id = 1 AND anchor_seq <= ?"
#define SQL_SYNC_SET_SYNCED   "UPDATE sync_state SET last_sync_us = ? WHERE id = 1"
#define SQL_SYNC_GET_VERSION  "SELECT version FROM sync_versions WHERE entity = ? AND entity_id = ?"
#define SQL_SYNC_SET_VERSION \
  "INSERT INTO sync_versions (entity, entity_id, version) VALUES (?1, ?2, ?3)" \
  " ON CONFLICT (entity, entity_id) DO UPDATE SET version = max (version, ?3)"
#define SQL_SYNC_ADD_CONFLICT \
  "INSERT INTO sync_conflicts (entity, entity_id, winner, local_data, remote_data," \
  " remote_device, resolved_us) VALUES (?, ?, ?, ?, ?, ?, ?)"
#define SQL_SYNC_LIST_CONFLICTS \
  "SELECT id, entity, entity_id, winner, local_data, remote_data, remote_device, resolved_us" \
  " FROM sync_conflicts ORDER BY resolved_us DESC, id DESC"
#define SQL_SYNC_SESSION_CHAIN "SELECT chain_seq, hash FROM sessions WHERE uuid = ?"
#define SQL_SYNC_SESSION_ID    "SELECT id FROM sessions WHERE uuid = ?"
#define SQL_SYNC_CHAIN_AT      "SELECT hash FROM sessions WHERE chain_seq = ?"
#define SQL_SYNC_SAMPLES_FIRST \
  "SELECT service, pid, idx, time_us, ecu, value FROM samples WHERE session_id = ?1" \
  " ORDER BY service, pid, idx, time_us, ecu LIMIT ?2"
#define SQL_SYNC_SAMPLES_AFTER \
  "SELECT service, pid, idx, time_us, ecu, value FROM samples WHERE session_id = ?1" \
  " AND (service, pid, idx, time_us, ecu) > (?3, ?4, ?5, ?6, ?7)" \
  " ORDER BY service, pid, idx, time_us, ecu LIMIT ?2"

#define SQL_SYNC_ID_BY_UUID_VEHICLE "SELECT id FROM vehicles WHERE uuid = ?"
#define SQL_SYNC_ID_BY_UUID_SESSION "SELECT id FROM sessions WHERE uuid = ?"
#define SQL_SYNC_VEHICLE_BY_VIN     "SELECT id FROM vehicles WHERE vin = ?"
#define SQL_SYNC_VEHICLE_REKEY      "UPDATE vehicles SET uuid = ? WHERE id = ?"
#define SQL_SYNC_VEHICLE_UPSERT \
  "INSERT INTO vehicles (uuid, vin, make, model, year, plate, owner_name, odometer_km," \
  " created_us, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" \
  " ON CONFLICT (uuid) DO UPDATE SET vin = coalesce (excluded.vin, vin)," \
  " make = excluded.make, model = excluded.model, year = excluded.year," \
  " plate = excluded.plate, owner_name = excluded.owner_name," \
  " odometer_km = excluded.odometer_km, updated_us = excluded.updated_us"
#define SQL_SYNC_MAINT_UPSERT \
  "INSERT INTO maintenance_items (uuid, vehicle_id, title, interval_km, interval_days," \
  " last_done_km, last_done_us, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)" \
  " ON CONFLICT (uuid) DO UPDATE SET title = excluded.title," \
  " interval_km = excluded.interval_km, interval_days = excluded.interval_days," \
  " last_done_km = excluded.last_done_km, last_done_us = excluded.last_done_us," \
  " status = excluded.status"
#define SQL_SYNC_MAINT_DELETE "DELETE FROM maintenance_items WHERE uuid = ?"
#define SQL_SYNC_NOTE_INSERT \
  "INSERT INTO notes (uuid, vehicle_id, session_id, author, text, created_us)" \
  " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO NOTHING"
/* A notification read anywhere is read everywhere. */
#define SQL_SYNC_NOTIF_UPSERT \
  "INSERT INTO notifications (uuid, vehicle_id, session_id, severity, kind, title, body," \
  " created_us, read) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" \
  " ON CONFLICT (uuid) DO UPDATE SET read = max (read, excluded.read)"
/* A code cleared anywhere is cleared; its last sighting is the latest. */
#define SQL_SYNC_DTC_UPSERT \
  "INSERT INTO dtc_events (uuid, vehicle_id, session_id, code, kind, ecu, first_seen_us," \
  " last_seen_us, cleared_us, cleared_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" \
  " ON CONFLICT (uuid) DO UPDATE SET last_seen_us = max (last_seen_us, excluded.last_seen_us)," \
  " cleared_us = coalesce (cleared_us, excluded.cleared_us)," \
  " cleared_by = coalesce (cleared_by, excluded.cleared_by)"

void
obd_store_sync_state_free (ObdStoreSyncState *state)
{
  if (state == NULL)
    return;
  g_free (state->device_id);
  g_free (state->server_url);
  g_free (state->anchor_hash);
  g_free (state);
}

void
obd_store_sync_conflict_free (ObdStoreSyncConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->entity);
  g_free (conflict->entity_id);
  g_free (conflict->local_data);
  g_free (conflict->remote_data);
  g_free (conflict->remote_device);
  g_free (conflict);
}

static gboolean
check_writable (ObdStore  *self,
                GError   **error)
{
  if (!obd_store_is_read_only (self))
    return TRUE;
  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
               _("“%s” was opened read-only; syncing needs to write to it."),
               obd_store_get_path (self));
  return FALSE;
}

/* Runs a statement with up to two integer and two text parameters that
 * returns no row. */
static gboolean
exec_bound (ObdStore    *self,
            const char  *sql,
            const char  *text1,
            const char  *text2,
            gint64       int1,
            GError     **error)
{
  sqlite3 *db = _obd_store_get_db (self);
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);
  int n;

  if (stmt == NULL)
    return FALSE;
  n = sqlite3_bind_parameter_count (stmt);
  /* Parameters in order: texts first, then the integer (repeated where
   * the statement names it twice). */
  for (int i = 1; i <= n; i++)
    {
      if (i == 1 && text1 != NULL)
        sqlite3_bind_text (stmt, i, text1, -1, SQLITE_STATIC);
      else if (i == 2 && text2 != NULL)
        sqlite3_bind_text (stmt, i, text2, -1, SQLITE_STATIC);
      else
        sqlite3_bind_int64 (stmt, i, int1);
    }
  return _obd_store_step_done (db, stmt, error);
}

ObdStoreSyncState *
obd_store_sync_get_state (ObdStore  *self,
                          GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  ObdStoreSyncState *state;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_STATE, error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT,
                     _("The sync state of “%s” is missing. Restore the database from a "
                       "backup."), obd_store_get_path (self));
      else
        _obd_store_set_error (db, rc, _("Could not read the database"), error);
      return NULL;
    }

  state = g_new0 (ObdStoreSyncState, 1);
  state->device_id = _obd_store_column_dup (stmt, 0);
  state->server_url = _obd_store_column_dup (stmt, 1);
  state->cursor = sqlite3_column_int64 (stmt, 2);
  state->pushed_seq = sqlite3_column_int64 (stmt, 3);
  state->anchor_seq = sqlite3_column_int64 (stmt, 4);
  state->anchor_hash = _obd_store_column_dup (stmt, 5);
  state->last_sync_us = sqlite3_column_int64 (stmt, 6);
  return state;
}

static gboolean
query_int64 (sqlite3     *db,
             ObdStmt     *stmt,
             gint64      *out_value,
             gboolean    *out_found,
             GError     **error)
{
  int rc = sqlite3_step (stmt);

  *out_found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    *out_value = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  sqlite3_reset (stmt);
  return TRUE;
}

gint64
obd_store_sync_count_pending (ObdStore  *self,
                              GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  gint64 count = 0;
  gboolean found;

  g_return_val_if_fail (OBD_IS_STORE (self), -1);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_PENDING, error);
  if (stmt == NULL || !query_int64 (db, stmt, &count, &found, error))
    return -1;
  return count;
}

gboolean
obd_store_sync_set_server (ObdStore    *self,
                           const char  *url,
                           GError     **error)
{
  sqlite3 *db;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;
  db = _obd_store_get_db (self);
  if (!_obd_store_begin (db, error))
    return FALSE;
  if (!exec_bound (self, SQL_SYNC_SET_SERVER, url, NULL, 0, error))
    goto fail;
  /* Versions belong to the old server. */
  if (sqlite3_changes (db) > 0 && !_obd_store_exec (db, SQL_SYNC_FORGET_VERSIONS, error))
    goto fail;
  if (_obd_store_commit (db, error))
    return TRUE;
fail:
  _obd_store_rollback (db);
  return FALSE;
}

gboolean
obd_store_sync_set_cursor (ObdStore  *self,
                           gint64     cursor,
                           GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  return check_writable (self, error)
         && exec_bound (self, SQL_SYNC_SET_CURSOR, NULL, NULL, cursor, error);
}

gboolean
obd_store_sync_ack (ObdStore  *self,
                    gint64     up_to_seq,
                    GError   **error)
{
  sqlite3 *db;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  db = _obd_store_get_db (self);
  if (!_obd_store_begin (db, error))
    return FALSE;
  if (exec_bound (self, SQL_SYNC_ACK, NULL, NULL, up_to_seq, error)
      && exec_bound (self, SQL_SYNC_SET_PUSHED, NULL, NULL, up_to_seq, error)
      && _obd_store_commit (db, error))
    return TRUE;
  _obd_store_rollback (db);
  return FALSE;
}

gboolean
obd_store_sync_set_anchor (ObdStore    *self,
                           gint64       seq,
                           const char  *hash,
                           GError     **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);

  if (!check_writable (self, error))
    return FALSE;
  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_SET_ANCHOR, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  _obd_store_bind_text (stmt, 2, hash);
  sqlite3_bind_int64 (stmt, 3, seq);
  return _obd_store_step_done (db, stmt, error);
}

gboolean
obd_store_sync_mark_synced (ObdStore  *self,
                            gint64     time_us,
                            GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  return check_writable (self, error)
         && exec_bound (self, SQL_SYNC_SET_SYNCED, NULL, NULL, time_us, error);
}

gint64
obd_store_sync_get_version (ObdStore    *self,
                            const char  *entity,
                            const char  *entity_id,
                            GError     **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  gint64 version = 0;
  gboolean found;

  g_return_val_if_fail (OBD_IS_STORE (self), -1);
  g_return_val_if_fail (entity != NULL && entity_id != NULL, -1);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_GET_VERSION, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, entity_id, -1, SQLITE_STATIC);
  if (!query_int64 (db, stmt, &version, &found, error))
    return -1;
  return found ? version : 0;
}

static gboolean
set_version (sqlite3     *db,
             const char  *entity,
             const char  *entity_id,
             gint64       version,
             GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SYNC_SET_VERSION, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, entity_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, version);
  return _obd_store_step_done (db, stmt, error);
}

gboolean
obd_store_sync_set_version (ObdStore    *self,
                            const char  *entity,
                            const char  *entity_id,
                            gint64       version,
                            GError     **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (entity != NULL && entity_id != NULL, FALSE);
  return check_writable (self, error)
         && set_version (_obd_store_get_db (self), entity, entity_id, version, error);
}

/* Applying pulled changes ----------------------------------------------- */

typedef struct
{
  JsonObject *data;
  const char *entity;
  GError     *error;
} Fields;

static void
fields_bad (Fields     *f,
            const char *member)
{
  if (f->error == NULL)
    g_set_error (&f->error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                 _("The server sent a %s whose “%s” is not valid. Update the program, or ask "
                   "the server's administrator."), f->entity, member);
}

/* A text member: NULL when absent or null, an error for another type. */
static const char *
field_text (Fields     *f,
            const char *member)
{
  JsonNode *node = json_object_get_member (f->data, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  fields_bad (f, member);
  return NULL;
}

static const char *
field_text_required (Fields     *f,
                     const char *member)
{
  const char *text = field_text (f, member);

  if (text == NULL)
    fields_bad (f, member);
  return text;
}

/* Binds an integer member, or NULL when absent or null. */
static void
bind_field_int (Fields     *f,
                ObdStmt    *stmt,
                int         column,
                const char *member)
{
  JsonNode *node = json_object_get_member (f->data, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, column);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    sqlite3_bind_int64 (stmt, column, json_node_get_int (node));
  else
    fields_bad (f, member);
}

static void
bind_field_int_required (Fields     *f,
                         ObdStmt    *stmt,
                         int         column,
                         const char *member)
{
  JsonNode *node = json_object_get_member (f->data, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    fields_bad (f, member);
  else
    bind_field_int (f, stmt, column, member);
}

static void
bind_field_text (Fields     *f,
                 ObdStmt    *stmt,
                 int         column,
                 const char *member,
                 gboolean    required)
{
  const char *text = required ? field_text_required (f, member) : field_text (f, member);

  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

/* The local id of a row named by UUID, 0 when there is none. */
static gboolean
local_id (sqlite3     *db,
          const char  *sql,
          const char  *uuid,
          gint64      *out_id,
          GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  gboolean found;

  *out_id = 0;
  if (uuid == NULL)
    return TRUE;
  stmt = _obd_store_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  return query_int64 (db, stmt, out_id, &found, error);
}

static gboolean
is_pending (sqlite3     *db,
            const char  *entity,
            const char  *entity_id,
            gboolean    *out_pending,
            GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SYNC_IS_PENDING, error);
  gint64 one = 0;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, entity_id, -1, SQLITE_STATIC);
  return query_int64 (db, stmt, &one, out_pending, error);
}

static gboolean
apply_vehicle (sqlite3     *db,
               Fields      *f,
               const char  *uuid,
               gboolean    *out_applied,
               GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  const char *vin = field_text (f, "vin");
  gint64 id = 0, by_vin = 0;

  if (!local_id (db, SQL_SYNC_ID_BY_UUID_VEHICLE, uuid, &id, error))
    return FALSE;
  /* Two PCs that met the same car offline each made a vehicle for its
   * VIN; the server keeps the first and names it here.  This PC's row
   * takes the server's UUID, so both PCs talk about one vehicle. */
  if (id == 0 && vin != NULL)
    {
      if (!local_id (db, SQL_SYNC_VEHICLE_BY_VIN, vin, &by_vin, error))
        return FALSE;
      if (by_vin != 0)
        {
          g_autoptr(ObdStmt) rekey = _obd_store_prepare (db, SQL_SYNC_VEHICLE_REKEY, error);

          if (rekey == NULL)
            return FALSE;
          sqlite3_bind_text (rekey, 1, uuid, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (rekey, 2, by_vin);
          if (!_obd_store_step_done (db, rekey, error))
            return FALSE;
        }
    }

  stmt = _obd_store_prepare (db, SQL_SYNC_VEHICLE_UPSERT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  bind_field_text (f, stmt, 2, "vin", FALSE);
  bind_field_text (f, stmt, 3, "make", FALSE);
  bind_field_text (f, stmt, 4, "model", FALSE);
  bind_field_int (f, stmt, 5, "year");
  bind_field_text (f, stmt, 6, "plate", FALSE);
  bind_field_text (f, stmt, 7, "owner_name", FALSE);
  bind_field_int (f, stmt, 8, "odometer_km");
  bind_field_int_required (f, stmt, 9, "created_us");
  bind_field_int_required (f, stmt, 10, "updated_us");
  if (f->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&f->error));
      return FALSE;
    }
  *out_applied = TRUE;
  return _obd_store_step_done (db, stmt, error);
}

/* The vehicle a row belongs to; *out_id 0 when this store lacks it. */
static gboolean
vehicle_of (sqlite3     *db,
            Fields      *f,
            gint64      *out_id,
            GError     **error)
{
  const char *vehicle = field_text_required (f, "vehicle");

  if (f->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&f->error));
      return FALSE;
    }
  return local_id (db, SQL_SYNC_ID_BY_UUID_VEHICLE, vehicle, out_id, error);
}

static gboolean
bind_session_of (sqlite3     *db,
                 Fields      *f,
                 ObdStmt     *stmt,
                 int          column,
                 GError     **error)
{
  gint64 session_id = 0;

  /* A session recorded on another PC is not in this store: no link. */
  if (!local_id (db, SQL_SYNC_ID_BY_UUID_SESSION, field_text (f, "session"), &session_id,
                 error))
    return FALSE;
  if (session_id != 0)
    sqlite3_bind_int64 (stmt, column, session_id);
  else
    sqlite3_bind_null (stmt, column);
  return TRUE;
}

static gboolean
finish_row (sqlite3     *db,
            Fields      *f,
            ObdStmt     *stmt,
            gboolean    *out_applied,
            GError     **error)
{
  if (f->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&f->error));
      return FALSE;
    }
  if (!_obd_store_step_done (db, stmt, error))
    return FALSE;
  *out_applied = TRUE;
  return TRUE;
}

static gboolean
apply_row (sqlite3     *db,
           Fields      *f,
           const char  *uuid,
           const char  *op,
           gboolean    *out_applied,
           GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  gint64 vehicle_id = 0;

  if (g_str_equal (f->entity, "vehicle"))
    return apply_vehicle (db, f, uuid, out_applied, error);

  if (g_str_equal (f->entity, "maintenance_item") && g_str_equal (op, "delete"))
    {
      stmt = _obd_store_prepare (db, SQL_SYNC_MAINT_DELETE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      return finish_row (db, f, stmt, out_applied, error);
    }

  if (!vehicle_of (db, f, &vehicle_id, error))
    return FALSE;
  if (vehicle_id == 0)
    {
      g_debug ("Skipping %s %s: its vehicle is not in this store", f->entity, uuid);
      return TRUE;
    }

  if (g_str_equal (f->entity, "maintenance_item"))
    {
      stmt = _obd_store_prepare (db, SQL_SYNC_MAINT_UPSERT, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      bind_field_text (f, stmt, 3, "title", TRUE);
      bind_field_int (f, stmt, 4, "interval_km");
      bind_field_int (f, stmt, 5, "interval_days");
      bind_field_int (f, stmt, 6, "last_done_km");
      bind_field_int (f, stmt, 7, "last_done_us");
      bind_field_text (f, stmt, 8, "status", TRUE);
    }
  else if (g_str_equal (f->entity, "note"))
    {
      stmt = _obd_store_prepare (db, SQL_SYNC_NOTE_INSERT, error);
      if (stmt == NULL || !bind_session_of (db, f, stmt, 3, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      bind_field_text (f, stmt, 4, "author", FALSE);
      bind_field_text (f, stmt, 5, "text", TRUE);
      bind_field_int_required (f, stmt, 6, "created_us");
    }
  else if (g_str_equal (f->entity, "notification"))
    {
      JsonNode *read = json_object_get_member (f->data, "read");

      stmt = _obd_store_prepare (db, SQL_SYNC_NOTIF_UPSERT, error);
      if (stmt == NULL || !bind_session_of (db, f, stmt, 3, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      bind_field_text (f, stmt, 4, "severity", TRUE);
      bind_field_text (f, stmt, 5, "kind", TRUE);
      bind_field_text (f, stmt, 6, "title", TRUE);
      bind_field_text (f, stmt, 7, "body", FALSE);
      bind_field_int_required (f, stmt, 8, "created_us");
      if (read != NULL && JSON_NODE_HOLDS_VALUE (read)
          && json_node_get_value_type (read) == G_TYPE_BOOLEAN)
        sqlite3_bind_int (stmt, 9, json_node_get_boolean (read) ? 1 : 0);
      else
        fields_bad (f, "read");
    }
  else if (g_str_equal (f->entity, "dtc_event"))
    {
      stmt = _obd_store_prepare (db, SQL_SYNC_DTC_UPSERT, error);
      if (stmt == NULL || !bind_session_of (db, f, stmt, 3, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      bind_field_text (f, stmt, 4, "code", TRUE);
      bind_field_text (f, stmt, 5, "kind", TRUE);
      bind_field_int_required (f, stmt, 6, "ecu");
      bind_field_int_required (f, stmt, 7, "first_seen_us");
      bind_field_int_required (f, stmt, 8, "last_seen_us");
      bind_field_int (f, stmt, 9, "cleared_us");
      bind_field_text (f, stmt, 10, "cleared_by", FALSE);
    }
  else
    g_assert_not_reached ();

  return finish_row (db, f, stmt, out_applied, error);
}

gboolean
obd_store_sync_apply (ObdStore    *self,
                      const char  *entity,
                      const char  *entity_id,
                      const char  *op,
                      JsonObject  *data,
                      gint64       version,
                      gboolean    *out_applied,
                      GError     **error)
{
  static const char * const applied_entities[] = {
    "vehicle", "maintenance_item", "note", "notification", "dtc_event", NULL
  };
  sqlite3 *db;
  Fields f = { .data = data, .entity = entity };
  gboolean pending = FALSE, applied = FALSE;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (entity != NULL && entity_id != NULL && op != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (out_applied != NULL, FALSE);

  *out_applied = FALSE;
  if (!g_strv_contains (applied_entities, entity))
    return TRUE;
  if (!check_writable (self, error))
    return FALSE;

  db = _obd_store_get_db (self);
  if (!_obd_store_begin (db, error))
    return FALSE;
  if (!is_pending (db, entity, entity_id, &pending, error))
    goto fail;
  /* A change older than the version this store already has (its own
   * push came back newer in the push's acknowledgement) is history. */
  if (!pending)
    {
      g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SYNC_GET_VERSION, error);
      gint64 known = 0;
      gboolean found = FALSE;

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, entity_id, -1, SQLITE_STATIC);
      if (!query_int64 (db, stmt, &known, &found, error))
        goto fail;
      if (found && known >= version)
        pending = TRUE;
    }
  if (!pending)
    {
      if (!apply_row (db, &f, entity_id, op, &applied, error))
        goto fail;
      if (applied && !set_version (db, entity, entity_id, version, error))
        goto fail;
    }
  if (!_obd_store_commit (db, error))
    goto fail;
  *out_applied = applied;
  return TRUE;

fail:
  g_clear_error (&f.error);
  _obd_store_rollback (db);
  return FALSE;
}

/* Conflicts ------------------------------------------------------------ */

gboolean
obd_store_sync_add_conflict (ObdStore                    *self,
                             const ObdStoreSyncConflict  *c,
                             GError                     **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (c != NULL && c->entity != NULL && c->entity_id != NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;
  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_ADD_CONFLICT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->entity_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, c->local_won ? "local" : "remote", -1, SQLITE_STATIC);
  _obd_store_bind_text (stmt, 4, c->local_data);
  _obd_store_bind_text (stmt, 5, c->remote_data);
  _obd_store_bind_text (stmt, 6, c->remote_device);
  sqlite3_bind_int64 (stmt, 7, c->resolved_us != 0 ? c->resolved_us : g_get_real_time ());
  return _obd_store_step_done (db, stmt, error);
}

GPtrArray *
obd_store_sync_list_conflicts (ObdStore  *self,
                               GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_LIST_CONFLICTS, error);
  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_sync_conflict_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreSyncConflict *c = g_new0 (ObdStoreSyncConflict, 1);

      c->id = sqlite3_column_int64 (stmt, 0);
      c->entity = _obd_store_column_dup (stmt, 1);
      c->entity_id = _obd_store_column_dup (stmt, 2);
      c->local_won = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "local") == 0;
      c->local_data = _obd_store_column_dup (stmt, 4);
      c->remote_data = _obd_store_column_dup (stmt, 5);
      c->remote_device = _obd_store_column_dup (stmt, 6);
      c->resolved_us = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (rows, c);
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the database"), error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* Sessions and samples -------------------------------------------------- */

gboolean
obd_store_sync_get_session_chain (ObdStore     *self,
                                  const char   *session_uuid,
                                  gint64       *out_chain_seq,
                                  char        **out_hash,
                                  GError      **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (session_uuid != NULL && out_chain_seq != NULL, FALSE);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_SESSION_CHAIN, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, session_uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                   _("No such session in the database."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  *out_chain_seq = sqlite3_column_int64 (stmt, 0);
  if (out_hash != NULL)
    *out_hash = _obd_store_column_dup (stmt, 1);
  return TRUE;
}

gboolean
obd_store_sync_read_samples (ObdStore               *self,
                             const char             *session_uuid,
                             ObdStoreSyncSampleKey  *key,
                             guint                   limit,
                             GArray                 *samples,
                             GError                **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) find = NULL;
  g_autoptr(ObdStmt) stmt = NULL;
  gint64 session_id = 0;
  gboolean found;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (session_uuid != NULL && key != NULL && samples != NULL, FALSE);
  g_return_val_if_fail (g_array_get_element_size (samples) == sizeof (ObdStoreSyncSample),
                        FALSE);

  db = _obd_store_get_db (self);
  find = _obd_store_prepare (db, SQL_SYNC_SESSION_ID, error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_text (find, 1, session_uuid, -1, SQLITE_STATIC);
  if (!query_int64 (db, find, &session_id, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                   _("No such session in the database."));
      return FALSE;
    }

  stmt = _obd_store_prepare (db, key->started ? SQL_SYNC_SAMPLES_AFTER : SQL_SYNC_SAMPLES_FIRST,
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  if (key->started)
    {
      sqlite3_bind_int (stmt, 3, key->service);
      sqlite3_bind_int (stmt, 4, key->pid);
      sqlite3_bind_int (stmt, 5, key->index);
      sqlite3_bind_int64 (stmt, 6, key->time_us);
      sqlite3_bind_int64 (stmt, 7, key->ecu);
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreSyncSample s = {
        .service = (guint8) sqlite3_column_int (stmt, 0),
        .pid = (guint8) sqlite3_column_int (stmt, 1),
        .index = (guint8) sqlite3_column_int (stmt, 2),
        .time_us = sqlite3_column_int64 (stmt, 3),
        .ecu = (guint32) sqlite3_column_int64 (stmt, 4),
        .value = sqlite3_column_double (stmt, 5),
      };

      g_array_append_val (samples, s);
      key->service = s.service;
      key->pid = s.pid;
      key->index = s.index;
      key->time_us = s.time_us;
      key->ecu = s.ecu;
      key->started = TRUE;
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);
  return TRUE;
}

gboolean
obd_store_sync_verify_anchor (ObdStore  *self,
                              gboolean  *out_ok,
                              gint64    *out_anchor_seq,
                              GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStoreSyncState) state = NULL;
  g_autoptr(ObdStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_ok != NULL, FALSE);

  *out_ok = TRUE;
  state = obd_store_sync_get_state (self, error);
  if (state == NULL)
    return FALSE;
  if (out_anchor_seq != NULL)
    *out_anchor_seq = state->anchor_seq;
  if (state->anchor_seq == 0)
    return TRUE;

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_SYNC_CHAIN_AT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, state->anchor_seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    *out_ok = FALSE;
  else if (rc == SQLITE_ROW)
    *out_ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), state->anchor_hash) == 0;
  else
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  return TRUE;
}
