/* obd-store.c — opening the store, and the rows a user reads and changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "obd-store-private.h"
#include "obd-store-sql.h"

struct _ObdStore
{
  GObject   parent_instance;

  sqlite3  *db;
  char     *path;
  gboolean  read_only;
};

G_DEFINE_FINAL_TYPE (ObdStore, obd_store, G_TYPE_OBJECT)

static void
obd_store_finalize (GObject *object)
{
  ObdStore *self = OBD_STORE (object);

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (obd_store_parent_class)->finalize (object);
}

static void
obd_store_class_init (ObdStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = obd_store_finalize;
}

static void
obd_store_init (ObdStore *self)
{
}

/* Enumerations --------------------------------------------------------- */

static const char * const session_status_keys[] = { "recording", "complete", "interrupted" };
static const char * const maintenance_status_keys[] = { "due", "overdue", "done" };
static const char * const severity_keys[] = { "info", "warning", "critical" };
static const char * const dtc_kind_keys[] = { "stored", "pending", "permanent" };

static int
key_index (const char * const *keys,
           gsize               n_keys,
           const char         *text)
{
  for (gsize i = 0; text != NULL && i < n_keys; i++)
    if (g_str_equal (keys[i], text))
      return (int) i;
  return 0;
}

const char *
obd_store_session_status_to_string (ObdStoreSessionStatus status)
{
  g_return_val_if_fail (status <= OBD_STORE_SESSION_INTERRUPTED, NULL);
  return session_status_keys[status];
}

const char *
obd_store_maintenance_status_to_string (ObdStoreMaintenanceStatus status)
{
  g_return_val_if_fail (status <= OBD_STORE_MAINTENANCE_DONE, NULL);
  return maintenance_status_keys[status];
}

const char *
obd_store_severity_to_string (ObdStoreSeverity severity)
{
  g_return_val_if_fail (severity <= OBD_STORE_SEVERITY_CRITICAL, NULL);
  return severity_keys[severity];
}

const char *
_obd_store_dtc_kind_to_string (ObdDtcKind kind)
{
  g_return_val_if_fail (kind <= OBD_DTC_KIND_PERMANENT, NULL);
  return dtc_kind_keys[kind];
}

gboolean
_obd_store_session_status_from_string (const char            *text,
                                       ObdStoreSessionStatus *out_status)
{
  for (gsize i = 0; text != NULL && i < G_N_ELEMENTS (session_status_keys); i++)
    if (g_str_equal (session_status_keys[i], text))
      {
        *out_status = (ObdStoreSessionStatus) i;
        return TRUE;
      }
  return FALSE;
}

/* Row structs ---------------------------------------------------------- */

void
obd_store_vehicle_free (ObdStoreVehicle *vehicle)
{
  if (vehicle == NULL)
    return;
  g_free (vehicle->uuid);
  g_free (vehicle->vin);
  g_free (vehicle->make);
  g_free (vehicle->model);
  g_free (vehicle->plate);
  g_free (vehicle->owner_name);
  g_free (vehicle);
}

void
obd_store_session_free (ObdStoreSession *session)
{
  if (session == NULL)
    return;
  g_free (session->uuid);
  g_free (session->vehicle_uuid);
  g_free (session->vehicle_vin);
  g_free (session->vehicle_name);
  g_free (session->protocol);
  g_free (session->adapter);
  g_free (session->connection);
  g_free (session->hash);
  g_free (session->prev_hash);
  g_free (session);
}

void
obd_store_dtc_event_free (ObdStoreDtcEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->uuid);
  g_free (event->code);
  g_free (event->cleared_by);
  g_free (event);
}

void
obd_store_maintenance_item_free (ObdStoreMaintenanceItem *item)
{
  if (item == NULL)
    return;
  g_free (item->uuid);
  g_free (item->title);
  g_free (item);
}

void
obd_store_notification_free (ObdStoreNotification *notification)
{
  if (notification == NULL)
    return;
  g_free (notification->uuid);
  g_free (notification->kind);
  g_free (notification->title);
  g_free (notification->body);
  g_free (notification);
}

void
obd_store_note_free (ObdStoreNote *note)
{
  if (note == NULL)
    return;
  g_free (note->uuid);
  g_free (note->author);
  g_free (note->text);
  g_free (note);
}

void
obd_store_outbox_entry_free (ObdStoreOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->entity);
  g_free (entry->entity_id);
  g_free (entry->op);
  g_free (entry->payload);
  g_free (entry);
}

static gint64
column_int64_or (ObdStmt *stmt,
                 int      column,
                 gint64   if_null)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return if_null;
  return sqlite3_column_int64 (stmt, column);
}

static void
bind_int64_or_null (ObdStmt *stmt,
                    int      column,
                    gint64   value,
                    gint64   null_value)
{
  if (value == null_value)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_int64 (stmt, column, value);
}

static void
bind_id (ObdStmt *stmt,
         int      column,
         gint64   id)
{
  bind_int64_or_null (stmt, column, id, 0);
}

static ObdStoreVehicle *
read_vehicle (ObdStmt *stmt)
{
  ObdStoreVehicle *v = g_new0 (ObdStoreVehicle, 1);

  v->id = sqlite3_column_int64 (stmt, 0);
  v->uuid = _obd_store_column_dup (stmt, 1);
  v->vin = _obd_store_column_dup (stmt, 2);
  v->make = _obd_store_column_dup (stmt, 3);
  v->model = _obd_store_column_dup (stmt, 4);
  v->year = (int) column_int64_or (stmt, 5, 0);
  v->plate = _obd_store_column_dup (stmt, 6);
  v->owner_name = _obd_store_column_dup (stmt, 7);
  v->odometer_km = column_int64_or (stmt, 8, -1);
  v->created_us = sqlite3_column_int64 (stmt, 9);
  v->updated_us = sqlite3_column_int64 (stmt, 10);
  return v;
}

static ObdStoreSession *
read_session (ObdStmt *stmt)
{
  ObdStoreSession *s = g_new0 (ObdStoreSession, 1);
  ObdStoreSessionStatus status = OBD_STORE_SESSION_RECORDING;

  s->id = sqlite3_column_int64 (stmt, 0);
  s->uuid = _obd_store_column_dup (stmt, 1);
  s->vehicle_id = column_int64_or (stmt, 2, 0);
  s->vehicle_uuid = _obd_store_column_dup (stmt, 3);
  s->vehicle_vin = _obd_store_column_dup (stmt, 4);
  s->vehicle_name = _obd_store_column_dup (stmt, 5);
  s->started_us = sqlite3_column_int64 (stmt, 6);
  s->ended_us = column_int64_or (stmt, 7, 0);
  _obd_store_session_status_from_string ((const char *) sqlite3_column_text (stmt, 8), &status);
  s->status = status;
  s->protocol = _obd_store_column_dup (stmt, 9);
  s->adapter = _obd_store_column_dup (stmt, 10);
  s->connection = _obd_store_column_dup (stmt, 11);
  s->hash = _obd_store_column_dup (stmt, 12);
  s->prev_hash = _obd_store_column_dup (stmt, 13);
  s->sample_count = sqlite3_column_int64 (stmt, 14);
  return s;
}

ObdStoreDtcEvent *
_obd_store_read_dtc_event (ObdStmt *stmt)
{
  ObdStoreDtcEvent *e = g_new0 (ObdStoreDtcEvent, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->uuid = _obd_store_column_dup (stmt, 1);
  e->vehicle_id = sqlite3_column_int64 (stmt, 2);
  e->session_id = column_int64_or (stmt, 3, 0);
  e->code = _obd_store_column_dup (stmt, 4);
  e->kind = (ObdDtcKind) key_index (dtc_kind_keys, G_N_ELEMENTS (dtc_kind_keys),
                                    (const char *) sqlite3_column_text (stmt, 5));
  e->ecu = (guint32) sqlite3_column_int64 (stmt, 6);
  e->first_seen_us = sqlite3_column_int64 (stmt, 7);
  e->last_seen_us = sqlite3_column_int64 (stmt, 8);
  e->cleared_us = column_int64_or (stmt, 9, 0);
  e->cleared_by = _obd_store_column_dup (stmt, 10);
  return e;
}

static ObdStoreMaintenanceItem *
read_maintenance_item (ObdStmt *stmt)
{
  ObdStoreMaintenanceItem *m = g_new0 (ObdStoreMaintenanceItem, 1);

  m->id = sqlite3_column_int64 (stmt, 0);
  m->uuid = _obd_store_column_dup (stmt, 1);
  m->vehicle_id = sqlite3_column_int64 (stmt, 2);
  m->title = _obd_store_column_dup (stmt, 3);
  m->interval_km = column_int64_or (stmt, 4, 0);
  m->interval_days = column_int64_or (stmt, 5, 0);
  m->last_done_km = column_int64_or (stmt, 6, -1);
  m->last_done_us = column_int64_or (stmt, 7, 0);
  m->status = (ObdStoreMaintenanceStatus)
    key_index (maintenance_status_keys, G_N_ELEMENTS (maintenance_status_keys),
               (const char *) sqlite3_column_text (stmt, 8));
  return m;
}

static ObdStoreNotification *
read_notification (ObdStmt *stmt)
{
  ObdStoreNotification *n = g_new0 (ObdStoreNotification, 1);

  n->id = sqlite3_column_int64 (stmt, 0);
  n->uuid = _obd_store_column_dup (stmt, 1);
  n->vehicle_id = column_int64_or (stmt, 2, 0);
  n->session_id = column_int64_or (stmt, 3, 0);
  n->severity = (ObdStoreSeverity) key_index (severity_keys, G_N_ELEMENTS (severity_keys),
                                              (const char *) sqlite3_column_text (stmt, 4));
  n->kind = _obd_store_column_dup (stmt, 5);
  n->title = _obd_store_column_dup (stmt, 6);
  n->body = _obd_store_column_dup (stmt, 7);
  n->created_us = sqlite3_column_int64 (stmt, 8);
  n->read = sqlite3_column_int (stmt, 9) != 0;
  return n;
}

static ObdStoreNote *
read_note (ObdStmt *stmt)
{
  ObdStoreNote *n = g_new0 (ObdStoreNote, 1);

  n->id = sqlite3_column_int64 (stmt, 0);
  n->uuid = _obd_store_column_dup (stmt, 1);
  n->vehicle_id = sqlite3_column_int64 (stmt, 2);
  n->session_id = column_int64_or (stmt, 3, 0);
  n->author = _obd_store_column_dup (stmt, 4);
  n->text = _obd_store_column_dup (stmt, 5);
  n->created_us = sqlite3_column_int64 (stmt, 6);
  return n;
}

static ObdStoreOutboxEntry *
read_outbox_entry (ObdStmt *stmt)
{
  ObdStoreOutboxEntry *o = g_new0 (ObdStoreOutboxEntry, 1);

  o->seq = sqlite3_column_int64 (stmt, 0);
  o->entity = _obd_store_column_dup (stmt, 1);
  o->entity_id = _obd_store_column_dup (stmt, 2);
  o->op = _obd_store_column_dup (stmt, 3);
  o->payload = _obd_store_column_dup (stmt, 4);
  o->created_us = sqlite3_column_int64 (stmt, 5);
  return o;
}

typedef gpointer (*RowReader) (ObdStmt *stmt);

/* Runs a prepared query; NULL with error set when it fails, NULL without
 * error (and *found FALSE) when there is no row. */
static gpointer
query_one (sqlite3     *db,
           ObdStmt     *stmt,
           RowReader    reader,
           const char  *not_found,
           GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return reader (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND, not_found);
      return NULL;
    }
  _obd_store_set_error (db, rc, _("Could not read the database"), error);
  return NULL;
}

static GPtrArray *
query_all (sqlite3        *db,
           ObdStmt        *stmt,
           RowReader       reader,
           GDestroyNotify  free_func,
           GError        **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, reader (stmt));

  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the database"), error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* JSON payloads -------------------------------------------------------- */

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* An optional integer: null when it equals none. */
static void
add_int_or_null (JsonBuilder *b,
                 const char  *name,
                 gint64       value,
                 gint64       none)
{
  json_builder_set_member_name (b, name);
  if (value == none)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, value);
}

/* The local id of another row is meaningless to the server: references go
 * by UUID, looked up here.  A lookup that fails fails the change: an outbox
 * row that silently lost its vehicle would sync a wrong record. */
static gboolean
add_reference (JsonBuilder  *b,
               sqlite3      *db,
               const char   *name,
               const char   *table,
               gint64        id,
               GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT uuid FROM %s WHERE id = ?", table);
  g_autoptr(ObdStmt) stmt = NULL;
  g_autofree char *uuid = NULL;

  if (id != 0)
    {
      int rc;

      stmt = _obd_store_prepare (db, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        uuid = _obd_store_column_dup (stmt, 0);
      else if (rc != SQLITE_DONE)
        return _obd_store_set_error (db, rc, _("Could not read the database"), error);
    }
  add_string (b, name, uuid);
  return TRUE;
}

JsonNode *
_obd_store_vehicle_to_json (const ObdStoreVehicle *v)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", v->uuid);
  add_string (b, "vin", v->vin);
  add_string (b, "make", v->make);
  add_string (b, "model", v->model);
  add_int_or_null (b, "year", v->year, 0);
  add_string (b, "plate", v->plate);
  add_string (b, "owner_name", v->owner_name);
  add_int_or_null (b, "odometer_km", v->odometer_km, -1);
  add_int (b, "created_us", v->created_us);
  add_int (b, "updated_us", v->updated_us);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
_obd_store_session_to_json (const ObdStoreSession *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", s->uuid);
  add_string (b, "vehicle", s->vehicle_uuid);
  add_int (b, "started_us", s->started_us);
  add_int_or_null (b, "ended_us", s->ended_us, 0);
  add_string (b, "status", obd_store_session_status_to_string (s->status));
  add_string (b, "protocol", s->protocol);
  add_string (b, "adapter", s->adapter);
  add_string (b, "connection", s->connection);
  add_string (b, "hash", s->hash);
  add_string (b, "prev_hash", s->prev_hash);
  add_int (b, "sample_count", s->sample_count);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
dtc_event_to_json (sqlite3                  *db,
                   const ObdStoreDtcEvent   *e,
                   GError                  **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", e->uuid);
  if (!add_reference (b, db, "vehicle", "vehicles", e->vehicle_id, error))
    return NULL;
  if (!add_reference (b, db, "session", "sessions", e->session_id, error))
    return NULL;
  add_string (b, "code", e->code);
  add_string (b, "kind", _obd_store_dtc_kind_to_string (e->kind));
  add_int (b, "ecu", e->ecu);
  add_int (b, "first_seen_us", e->first_seen_us);
  add_int (b, "last_seen_us", e->last_seen_us);
  add_int_or_null (b, "cleared_us", e->cleared_us, 0);
  add_string (b, "cleared_by", e->cleared_by);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
maintenance_item_to_json (sqlite3                         *db,
                          const ObdStoreMaintenanceItem   *m,
                          GError                         **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", m->uuid);
  if (!add_reference (b, db, "vehicle", "vehicles", m->vehicle_id, error))
    return NULL;
  add_string (b, "title", m->title);
  add_int_or_null (b, "interval_km", m->interval_km, 0);
  add_int_or_null (b, "interval_days", m->interval_days, 0);
  add_int_or_null (b, "last_done_km", m->last_done_km, -1);
  add_int_or_null (b, "last_done_us", m->last_done_us, 0);
  add_string (b, "status", obd_store_maintenance_status_to_string (m->status));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
notification_to_json (sqlite3                      *db,
                      const ObdStoreNotification   *n,
                      GError                      **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", n->uuid);
  if (!add_reference (b, db, "vehicle", "vehicles", n->vehicle_id, error))
    return NULL;
  if (!add_reference (b, db, "session", "sessions", n->session_id, error))
    return NULL;
  add_string (b, "severity", obd_store_severity_to_string (n->severity));
  add_string (b, "kind", n->kind);
  add_string (b, "title", n->title);
  add_string (b, "body", n->body);
  add_int (b, "created_us", n->created_us);
  json_builder_set_member_name (b, "read");
  json_builder_add_boolean_value (b, n->read);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
note_to_json (sqlite3              *db,
              const ObdStoreNote   *n,
              GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "uuid", n->uuid);
  if (!add_reference (b, db, "vehicle", "vehicles", n->vehicle_id, error))
    return NULL;
  if (!add_reference (b, db, "session", "sessions", n->session_id, error))
    return NULL;
  add_string (b, "author", n->author);
  add_string (b, "text", n->text);
  add_int (b, "created_us", n->created_us);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Reading single rows by id ------------------------------------------- */

#define DEFINE_GET_ROW(name, Type, sql, reader, message)                    \
  static Type *                                                             \
  name (sqlite3 *db, gint64 id, GError **error)                             \
  {                                                                         \
    g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);          \
    if (stmt == NULL)                                                       \
      return NULL;                                                          \
    sqlite3_bind_int64 (stmt, 1, id);                                       \
    return query_one (db, stmt, (RowReader) reader, message, error);        \
  }

DEFINE_GET_ROW (get_vehicle_row, ObdStoreVehicle, SQL_VEHICLE_GET, read_vehicle,
                _("No such vehicle in the database."))
DEFINE_GET_ROW (get_session_row, ObdStoreSession, SQL_SESSION_GET, read_session,
                _("No such session in the database. List the sessions to see their numbers."))
DEFINE_GET_ROW (get_dtc_event_row, ObdStoreDtcEvent, SQL_DTC_GET, _obd_store_read_dtc_event,
                _("No such trouble code event in the database."))
DEFINE_GET_ROW (get_maintenance_row, ObdStoreMaintenanceItem, SQL_MAINT_GET,
                read_maintenance_item, _("No such maintenance item in the database."))
DEFINE_GET_ROW (get_notification_row, ObdStoreNotification, SQL_NOTIF_GET, read_notification,
                _("No such notification in the database."))
DEFINE_GET_ROW (get_note_row, ObdStoreNote, SQL_NOTE_GET, read_note,
                _("No such note in the database."))

ObdStoreSession *
_obd_store_read_session (sqlite3  *db,
                         gint64    session_id,
                         GError  **error)
{
  return get_session_row (db, session_id, error);
}

ObdStoreVehicle *
_obd_store_read_vehicle (sqlite3  *db,
                         gint64    vehicle_id,
                         GError  **error)
{
  return get_vehicle_row (db, vehicle_id, error);
}

/* Opening -------------------------------------------------------------- */

const char *
obd_store_get_default_path (void)
{
  static gsize initialized;
  static char *path;

  if (g_once_init_enter (&initialized))
    {
      path = g_build_filename (g_get_user_data_dir (), "obd2-diagnostics", "store.db", NULL);
      g_once_init_leave (&initialized, 1);
    }
  return path;
}

int
obd_store_get_schema_version (void)
{
  return OBD_STORE_SCHEMA_VERSION;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

typedef enum
{
  PROBE_NEW,     /* no file, or nothing in it: create the schema */
  PROBE_OURS,    /* our application id, a version we know */
  PROBE_SQLITE,  /* a SQLite file: ask SQLite what it holds */
} ProbeResult;

static void
set_not_ours (const char  *path,
              GError     **error)
{
  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_A_DATABASE,
               _("“%s” is not an OBD2 Diagnostics database. Choose another file or move it "
                 "away."), path);
}

static void
set_damaged (const char  *path,
             const char  *why,
             GError     **error)
{
  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT,
               _("“%s” is damaged (%s). Restore it from a backup, or move it away to start a "
                 "new one."), path, why);
}

static void
set_too_new (const char  *path,
             int          version,
             GError     **error)
{
  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_TOO_NEW,
               _("“%s” was written by a newer version of OBD2 Diagnostics (database version "
                 "%d; this version reads up to %d). Update the program to open it."),
               path, version, OBD_STORE_SCHEMA_VERSION);
}

/* Looks at the file's header (SQLite file format, section 1.3) with plain
 * reads, before SQLite touches it: a foreign file must stay byte-for-byte
 * as it is, and SQLite would happily turn any empty-looking file into a
 * database. */
static gboolean
probe_header (const char   *path,
              gboolean      read_only,
              ProbeResult  *out_result,
              GError      **error)
{
  static const char magic[16] = "SQLite format 3";
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *wal_path = NULL;
  guint8 header[100];
  gsize n_read = 0;
  GStatBuf st;
  guint32 page_size, n_pages, app_id, version;

  if (g_stat (path, &st) != 0)
    {
      if (read_only)
        {
          g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                       _("There is no database at “%s”. Record a session first."), path);
          return FALSE;
        }
      *out_result = PROBE_NEW;
      return TRUE;
    }

  if (!S_ISREG (st.st_mode))
    {
      set_not_ours (path, error);
      return FALSE;
    }

  if (st.st_size == 0)
    {
      *out_result = PROBE_NEW;
      return TRUE;
    }

  in = g_file_read (file, NULL, &local_error);
  if (in == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (in), header, sizeof header, &n_read, NULL,
                                   &local_error))
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s"), path, local_error->message);
      return FALSE;
    }

  if (n_read < sizeof magic || memcmp (header, magic, sizeof magic) != 0)
    {
      set_not_ours (path, error);
      return FALSE;
    }
  if (n_read < sizeof header)
    {
      set_damaged (path, _("the file ends inside its header"), error);
      return FALSE;
    }

  /* Offsets: 16 page size (1 means 65536), 28 size in pages, 24 change
   * counter, 92 version-valid-for (the size is trustworthy when the two
   * match), 60 user version, 68 application id. */
  page_size = ((guint32) header[16] << 8) | header[17];
  if (page_size == 1)
    page_size = 65536;
  n_pages = read_be32 (header + 28);
  version = read_be32 (header + 60);
  app_id = read_be32 (header + 68);

  /* Another program's id: no need to look further. */
  if (app_id != 0 && app_id != OBD_STORE_APPLICATION_ID)
    {
      set_not_ours (path, error);
      return FALSE;
    }
  if (app_id == OBD_STORE_APPLICATION_ID && version > OBD_STORE_SCHEMA_VERSION)
    {
      set_too_new (path, (int) version, error);
      return FALSE;
    }

  /* A file shorter than its header says lost its end (a copy cut short).
   * With a write-ahead log present the header may predate the log's
   * pages, so only judge a checkpointed file. */
  wal_path = g_strconcat (path, "-wal", NULL);
  if (read_be32 (header + 24) == read_be32 (header + 92) && n_pages > 0
      && (guint64) st.st_size < (guint64) n_pages * page_size)
    {
      GStatBuf wal_st;

      if (g_stat (wal_path, &wal_st) != 0 || wal_st.st_size == 0)
        {
          set_damaged (path, _("the file is shorter than its header says"), error);
          return FALSE;
        }
    }

  /* The header in the file may be older than the write-ahead log beside
   * it (a new store's id and version live in the log until a checkpoint),
   * so SQLite, which reads both, has the last word. */
  *out_result = PROBE_SQLITE;
  return TRUE;
}

/* Translates the failure of the first statement on a new connection. */
static gboolean
set_open_error (sqlite3     *db,
                int          rc,
                const char  *path,
                GError     **error)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      set_not_ours (path, error);
      return FALSE;
    case SQLITE_CORRUPT:
      set_damaged (path, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc), error);
      return FALSE;
    default:
      return _obd_store_set_error (db, rc, _("Could not open the database"), error);
    }
}

static gboolean
probe_pragma (sqlite3     *db,
              const char  *path,
              const char  *sql,
              gint64      *out_value,
              GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_value = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  return set_open_error (db, rc, path, error);
}

static gboolean
wal_has_content (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;

  return g_stat (wal, &st) == 0 && st.st_size > 0;
}

/* Opens a connection with flags and reads the schema, which is when
 * SQLite opens the write-ahead log and its index.  Returns the SQLite
 * result code; *out_db is NULL unless it is SQLITE_OK. */
static int
open_and_touch (const char  *name,
                int          flags,
                sqlite3    **out_db)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (name, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (db, 1);
      _obd_store_set_busy_timeout (db, OBD_STORE_BUSY_TIMEOUT_MS);
      rc = _obd_store_exec_at_open (db, SQL_PROBE_OBJECTS);
    }
  /* On failure too: the caller reads the message from it, then closes it. */
  *out_db = db;
  return rc;
}

/* A read-only connection that works wherever the file can be read.
 *
 * A WAL database is read through an index beside it ("-shm") that even a
 * reader must create; on a read-only mount, in a folder the user cannot
 * write, for a file the user may only read, or on a full disk, that
 * fails.  When the log
 * beside the file is absent or empty the file alone holds every
 * committed change, and SQLite can read it as "immutable" without the
 * index.  When the log holds changes they cannot be read without the
 * index, so the store is refused rather than shown without them.
 * out_fallback_rc: SQLITE_OK for an ordinary connection, or why it had to
 * be an immutable one. */
/* The index beside the file could not be made: the place cannot be
 * written (SQLITE_CANTOPEN, SQLITE_READONLY_*) or the disk is full (the
 * index cannot grow to its size: SQLITE_IOERR_SHM*, SQLITE_FULL). */
static gboolean
is_index_failure (int rc)
{
  switch (rc)
    {
    case SQLITE_IOERR_SHMOPEN:
    case SQLITE_IOERR_SHMSIZE:
    case SQLITE_IOERR_SHMMAP:
      return TRUE;
    default:
      return (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY
             || (rc & 0xff) == SQLITE_FULL;
    }
}

static gboolean
is_disk_full (int rc)
{
  return (rc & 0xff) == SQLITE_FULL || rc == SQLITE_IOERR_SHMSIZE || rc == SQLITE_IOERR_SHMMAP;
}

static sqlite3 *
connect_read_only (const char  *path,
                   int         *out_fallback_rc,
                   GError     **error)
{
  sqlite3 *db = NULL;
  int rc = open_and_touch (path, SQLITE_OPEN_READONLY, &db);

  *out_fallback_rc = SQLITE_OK;
  if (rc != SQLITE_OK && is_index_failure (rc))
    {
      g_autofree char *absolute = g_canonicalize_filename (path, NULL);
      g_autofree char *uri = g_filename_to_uri (absolute, NULL, NULL);
      g_autofree char *name = NULL;

      if (wal_has_content (path))
        {
          sqlite3_close_v2 (db);
          if (is_disk_full (rc))
            g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL,
                         _("The latest changes to “%s” are in “%s-wal” beside it, and reading "
                           "them needs a little free space on the disk, which is full. Free "
                           "some space; nothing recorded is lost."), path, path);
          else
            g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                         _("The latest changes to “%s” are in “%s-wal” beside it, and reading "
                           "them needs a folder that can be written. Copy both files to a "
                           "writable folder and open the copy, or open the store once where "
                           "it can be written."), path, path);
          return NULL;
        }

      sqlite3_close_v2 (g_steal_pointer (&db));
      if (uri != NULL)
        {
          int first_rc = rc;

          name = g_strconcat (uri, "?immutable=1", NULL);
          rc = open_and_touch (name, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, &db);
          if (rc == SQLITE_OK)
            *out_fallback_rc = first_rc;
        }
    }

  if (rc != SQLITE_OK)
    {
      set_open_error (db, rc, path, error);
      sqlite3_close_v2 (db);
      return NULL;
    }

  rc = sqlite3_exec (db, SQL_PRAGMAS_READ_ONLY, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _obd_store_set_error (db, rc, _("Could not open the database"), error);
      sqlite3_close_v2 (db);
      return NULL;
    }
  return db;
}

/* PRAGMA quick_check: every page of every table and index is read and
 * its structure checked (not, as integrity_check also does, that each
 * index matches its table row for row: a damaged index shows up as
 * damaged pages all the same).  Linear in the size of the file; measured
 * by tests/bench/bench-store-check.c. */
static gboolean
quick_check (sqlite3     *db,
             const char  *path,
             GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  const char *first;
  int rc = sqlite3_prepare_v2 (db, SQL_QUICK_CHECK, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return set_open_error (db, rc, path, error);

  first = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (first, "ok") != 0)
    {
      set_damaged (path, first != NULL ? first : "?", error);
      return FALSE;
    }
  return TRUE;
}

/* rc: why only an immutable connection could read the file (0: SQLite
 * opened it read-only by itself). */
static void
set_not_writable (const char  *path,
                  int          rc,
                  GError     **error)
{
  if (is_disk_full (rc))
    g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL,
                 _("“%s” cannot be written: the disk is full. Free some space; what was saved "
                   "so far is kept."), path);
  else
    g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                 _("“%s” can be read but not written: the file, its folder or the disk is "
                   "read-only. Check the permissions, or copy it to a folder you can write."),
                 path);
}

/* Asks SQLite, on a read-only connection so a foreign file is left alone,
 * whose file this is.  A SQLite file without our id is only taken over
 * when it holds nothing at all.  for_writing: the caller means to write,
 * so a store only readable here, or a damaged one, is refused now, before
 * anything is written: a new session added to a damaged file could only
 * be lost with it, and would make it worse. */
static gboolean
probe_database (const char   *path,
                gboolean      for_writing,
                ProbeResult  *out_result,
                GError      **error)
{
  sqlite3 *db = NULL;
  gint64 app_id = 0, version = 0, n_objects = 0;
  int fallback_rc = SQLITE_OK;
  gboolean ok;

  db = connect_read_only (path, &fallback_rc, error);
  if (db == NULL)
    return FALSE;

  /* One read transaction: another process may be creating the store right
   * now, and its id, version and tables must be seen all before or all
   * after its commit (an id of 0 with a version of 6 is no foreign file). */
  ok = _obd_store_exec_at_open (db, SQL_BEGIN_READ) == SQLITE_OK
       && probe_pragma (db, path, SQL_APPLICATION_ID, &app_id, error)
       && probe_pragma (db, path, SQL_USER_VERSION, &version, error)
       && probe_pragma (db, path, SQL_PROBE_OBJECTS, &n_objects, error);
  if (ok)
    sqlite3_exec (db, SQL_COMMIT, NULL, NULL, NULL);
  else if (error != NULL && *error == NULL)
    _obd_store_set_error (db, sqlite3_errcode (db), _("Could not open the database"), error);
  if (!ok)
    {
      sqlite3_close_v2 (db);
      return FALSE;
    }

  if (app_id == OBD_STORE_APPLICATION_ID)
    {
      if (version > OBD_STORE_SCHEMA_VERSION)
        {
          set_too_new (path, (int) version, error);
          ok = FALSE;
        }
      else if (for_writing && fallback_rc != SQLITE_OK)
        {
          set_not_writable (path, fallback_rc, error);
          ok = FALSE;
        }
      else if (for_writing)
        ok = quick_check (db, path, error);
      sqlite3_close_v2 (db);
      if (ok)
        *out_result = PROBE_OURS;
      return ok;
    }
  sqlite3_close_v2 (db);
  if (app_id == 0 && version == 0 && n_objects == 0)
    {
      if (for_writing && fallback_rc != SQLITE_OK)
        {
          set_not_writable (path, fallback_rc, error);
          return FALSE;
        }
      *out_result = PROBE_NEW;
      return TRUE;
    }

  set_not_ours (path, error);
  return FALSE;
}

static gboolean
pragma_int (sqlite3     *db,
            const char  *sql,
            int         *out_value,
            GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  *out_value = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* Brings the schema to the current version, in one transaction.  The
 * version is read again inside it: another process may have upgraded the
 * file since the header was looked at. */
static gboolean
migrate (ObdStore  *self,
         GError   **error)
{
  int version = 0;
  int app_id = 0;

  if (!_obd_store_begin (self->db, error))
    return FALSE;

  if (!pragma_int (self->db, SQL_USER_VERSION, &version, error)
      || !pragma_int (self->db, SQL_APPLICATION_ID, &app_id, error))
    goto fail;

  if (version > OBD_STORE_SCHEMA_VERSION)
    {
      set_too_new (self->path, version, error);
      goto fail;
    }

  if (version < OBD_STORE_SCHEMA_VERSION
      && !_obd_store_schema_migrate (self->db, version, error))
    goto fail;

  if (_obd_store_commit (self->db, error))
    return TRUE;

fail:
  _obd_store_rollback (self->db);
  return FALSE;
}

static gboolean
check_version_read_only (ObdStore  *self,
                         GError   **error)
{
  int version = 0;

  if (!pragma_int (self->db, SQL_USER_VERSION, &version, error))
    return FALSE;
  if (version > OBD_STORE_SCHEMA_VERSION)
    {
      set_too_new (self->path, version, error);
      return FALSE;
    }
  if (version < OBD_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                   _("“%s” needs an upgrade, which cannot happen read-only. Open it once for "
                     "writing."), self->path);
      return FALSE;
    }
  return TRUE;
}

/* When an abandoned session ended: its last sample, or its start.  The
 * time is sealed into the chain for good, so a failed read fails. */
static gboolean
session_end_time (sqlite3  *db,
                  gint64    session_id,
                  gint64    started_us,
                  gint64   *out_ended_us,
                  GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SESSION_LAST_SAMPLE, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  *out_ended_us = sqlite3_column_type (stmt, 0) != SQLITE_NULL
                  ? MAX (started_us, sqlite3_column_int64 (stmt, 0)) : started_us;
  return TRUE;
}

/* Sessions still "recording" whose recorder holds no lock were abandoned
 * (crash, kill -9, power cut): they become interrupted and get sealed,
 * with whatever was committed. */
static gboolean
recover_abandoned_sessions (ObdStore  *self,
                            GError   **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (self->db, SQL_SESSION_RECORDING, error);
  g_autoptr(GArray) abandoned = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      const char *uuid = (const char *) sqlite3_column_text (stmt, 1);

      if (!_obd_store_session_lock_is_held (self->path, uuid, TRUE))
        g_array_append_val (abandoned, id);
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (self->db, rc, _("Could not read the database"), error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < abandoned->len; i++)
    {
      gint64 id = g_array_index (abandoned, gint64, i);
      g_autoptr(ObdStoreSession) session = NULL;
      gint64 ended_us = 0;

      if (!_obd_store_begin (self->db, error))
        return FALSE;
      session = get_session_row (self->db, id, error);
      if (session == NULL
          || !session_end_time (self->db, id, session->started_us, &ended_us, error)
          || !_obd_store_seal_session (self->db, id, OBD_STORE_SESSION_INTERRUPTED, ended_us,
                                       error)
          || !_obd_store_commit (self->db, error))
        {
          _obd_store_rollback (self->db);
          return FALSE;
        }
      g_debug ("Session %" G_GINT64_FORMAT " was abandoned while recording: interrupted", id);
    }

  return TRUE;
}

ObdStore *
obd_store_open (const char         *path,
                ObdStoreOpenFlags   flags,
                GError            **error)
{
  g_autoptr(ObdStore) self = NULL;
  gboolean read_only = (flags & OBD_STORE_OPEN_READ_ONLY) != 0;
  ProbeResult probe;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!probe_header (path, read_only, &probe, error))
    return NULL;
  if (probe == PROBE_SQLITE && !probe_database (path, !read_only, &probe, error))
    return NULL;

  if (probe == PROBE_NEW)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (read_only)
        {
          g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                       _("“%s” holds no data yet, and cannot be set up read-only."), path);
          return NULL;
        }
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                       _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
          return NULL;
        }
    }

  self = g_object_new (OBD_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = read_only;
  if (read_only)
    {
      int fallback_rc;

      self->db = connect_read_only (path, &fallback_rc, error);
      if (self->db == NULL || !check_version_read_only (self, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  self->db = _obd_store_connect (path, error);
  if (self->db == NULL)
    return NULL;
  /* SQLite quietly opens a file it may only read read-only. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      set_not_writable (path, SQLITE_OK, error);
      return NULL;
    }
  if (!migrate (self, error) || !recover_abandoned_sessions (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
obd_store_get_path (ObdStore *self)
{
  g_return_val_if_fail (OBD_IS_STORE (self), NULL);
  return self->path;
}

gboolean
obd_store_is_read_only (ObdStore *self)
{
  g_return_val_if_fail (OBD_IS_STORE (self), TRUE);
  return self->read_only;
}

gboolean
obd_store_session_is_abandoned (ObdStore              *self,
                                const ObdStoreSession *session)
{
  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (session != NULL, FALSE);

  return session->status == OBD_STORE_SESSION_RECORDING && session->uuid != NULL
         && !_obd_store_session_lock_is_held (self->path, session->uuid, FALSE);
}

gboolean
obd_store_check_integrity (ObdStore  *self,
                           GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  const char *first;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  stmt = _obd_store_prepare (self->db, SQL_INTEGRITY_CHECK, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (self->db, rc, _("Could not check the database"), error);
  first = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (first, "ok") != 0)
    {
      set_damaged (self->path, first, error);
      return FALSE;
    }
  return TRUE;
}

/* Shared helpers for changes ------------------------------------------ */

static gboolean
check_writable (ObdStore  *self,
                GError   **error)
{
  if (!self->read_only)
    return TRUE;
  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
               _("“%s” was opened read-only."), self->path);
  return FALSE;
}

static gboolean
begin_change (ObdStore  *self,
              GError   **error)
{
  return check_writable (self, error) && _obd_store_begin (self->db, error);
}

/* Commits when ok, rolls back otherwise: every change and its outbox row
 * land together or not at all. */
static gboolean
end_change (ObdStore  *self,
            gboolean   ok,
            GError   **error)
{
  if (ok && _obd_store_commit (self->db, error))
    return TRUE;
  _obd_store_rollback (self->db);
  return FALSE;
}

gboolean
_obd_store_check_session_recording (sqlite3     *db,
                         gint64       session_id,
                         GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SESSION_STATUS, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                   _("No such session in the database."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "recording") != 0)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED,
                   _("The session has ended; its recorded content cannot change."));
      return FALSE;
    }
  return TRUE;
}

/* Vehicles ------------------------------------------------------------- */

gint64
obd_store_ensure_vehicle (ObdStore    *self,
                          const char  *vin,
                          const char  *make,
                          const char  *model,
                          int          year,
                          GError     **error)
{
  g_autoptr(ObdStmt) find = NULL;
  g_autoptr(ObdStmt) insert = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  g_autofree char *uuid = NULL;
  gint64 id = 0, now;
  gboolean ok;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);
  g_return_val_if_fail (vin != NULL && *vin != '\0', 0);

  if (!begin_change (self, error))
    return 0;

  find = _obd_store_prepare (self->db, SQL_VEHICLE_BY_VIN, error);
  if (find == NULL)
    return end_change (self, FALSE, error);
  sqlite3_bind_text (find, 1, vin, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (find, 0);
      return end_change (self, TRUE, error) ? id : 0;
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (self->db, rc, _("Could not read the database"), error);
      return end_change (self, FALSE, error);
    }

  insert = _obd_store_prepare (self->db, SQL_VEHICLE_INSERT, error);
  if (insert == NULL)
    return end_change (self, FALSE, error);
  uuid = g_uuid_string_random ();
  now = g_get_real_time ();
  sqlite3_bind_text (insert, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, vin, -1, SQLITE_STATIC);
  _obd_store_bind_text (insert, 3, make);
  _obd_store_bind_text (insert, 4, model);
  bind_int64_or_null (insert, 5, year, 0);
  sqlite3_bind_int64 (insert, 6, now);
  sqlite3_bind_int64 (insert, 7, now);

  ok = _obd_store_step_done (self->db, insert, error);
  if (ok)
    {
      id = sqlite3_last_insert_rowid (self->db);
      vehicle = get_vehicle_row (self->db, id, error);
      ok = vehicle != NULL
           && _obd_store_outbox_add (self->db, "vehicle", uuid, "insert",
                                     _obd_store_vehicle_to_json (vehicle), error);
    }
  return end_change (self, ok, error) ? id : 0;
}

ObdStoreVehicle *
obd_store_get_vehicle (ObdStore  *self,
                       gint64     vehicle_id,
                       GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), NULL);
  return get_vehicle_row (self->db, vehicle_id, error);
}

GPtrArray *
obd_store_list_vehicles (ObdStore  *self,
                         GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, SQL_VEHICLE_LIST, error);
  if (stmt == NULL)
    return NULL;
  return query_all (self->db, stmt, (RowReader) read_vehicle,
                    (GDestroyNotify) obd_store_vehicle_free, error);
}

gboolean
obd_store_update_vehicle (ObdStore               *self,
                          const ObdStoreVehicle  *vehicle,
                          GError                **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreVehicle) after = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (vehicle != NULL, FALSE);

  if (!begin_change (self, error))
    return FALSE;

  stmt = _obd_store_prepare (self->db, SQL_VEHICLE_UPDATE, error);
  ok = stmt != NULL;
  if (ok)
    {
      _obd_store_bind_text (stmt, 1, vehicle->make);
      _obd_store_bind_text (stmt, 2, vehicle->model);
      bind_int64_or_null (stmt, 3, vehicle->year, 0);
      _obd_store_bind_text (stmt, 4, vehicle->plate);
      _obd_store_bind_text (stmt, 5, vehicle->owner_name);
      bind_int64_or_null (stmt, 6, vehicle->odometer_km, -1);
      sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
      sqlite3_bind_int64 (stmt, 8, vehicle->id);
      ok = _obd_store_step_done (self->db, stmt, error);
    }
  ok = ok && (after = get_vehicle_row (self->db, vehicle->id, error)) != NULL;
  ok = ok && _obd_store_outbox_add (self->db, "vehicle", after->uuid, "update",
                                    _obd_store_vehicle_to_json (after), error);
  return end_change (self, ok, error);
}

/* Sessions ------------------------------------------------------------- */

GPtrArray *
obd_store_list_sessions (ObdStore  *self,
                         gint64     vehicle_id,
                         GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db,
                             vehicle_id != 0 ? SQL_SESSION_LIST_VEHICLE : SQL_SESSION_LIST_ALL,
                             error);
  if (stmt == NULL)
    return NULL;
  if (vehicle_id != 0)
    sqlite3_bind_int64 (stmt, 1, vehicle_id);
  return query_all (self->db, stmt, (RowReader) read_session,
                    (GDestroyNotify) obd_store_session_free, error);
}

ObdStoreSession *
obd_store_get_session (ObdStore  *self,
                       gint64     session_id,
                       GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), NULL);
  return get_session_row (self->db, session_id, error);
}

GArray *
obd_store_get_series (ObdStore  *self,
                      gint64     session_id,
                      guint8     pid,
                      guint8     index,
                      guint32    ecu,
                      GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(GArray) points = NULL;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, ecu != 0 ? SQL_SERIES_ECU : SQL_SERIES, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int (stmt, 2, pid);
  sqlite3_bind_int (stmt, 3, index);
  if (ecu != 0)
    sqlite3_bind_int64 (stmt, 4, ecu);

  points = g_array_new (FALSE, FALSE, sizeof (ObdStorePoint));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStorePoint p = {
        .time_us = sqlite3_column_int64 (stmt, 0),
        .value = sqlite3_column_double (stmt, 1),
      };
      g_array_append_val (points, p);
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (self->db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&points);
}

gint64
obd_store_add_freeze_frame (ObdStore         *self,
                            gint64            session_id,
                            const char       *dtc,
                            guint32           ecu,
                            guint8            frame,
                            gint64            captured_us,
                            const ObdSample  *values,
                            gsize             n_values,
                            GError          **error)
{
  g_autoptr(ObdStmt) frame_stmt = NULL;
  g_autoptr(ObdStmt) value_stmt = NULL;
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);
  g_return_val_if_fail (values != NULL || n_values == 0, 0);

  if (!begin_change (self, error))
    return 0;

  ok = _obd_store_check_session_recording (self->db, session_id, error)
       && (frame_stmt = _obd_store_prepare (self->db, SQL_FREEZE_INSERT, error)) != NULL
       && (value_stmt = _obd_store_prepare (self->db, SQL_FREEZE_VALUE_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (frame_stmt, 1, session_id);
      _obd_store_bind_text (frame_stmt, 2, dtc);
      sqlite3_bind_int64 (frame_stmt, 3, ecu);
      sqlite3_bind_int (frame_stmt, 4, frame);
      sqlite3_bind_int64 (frame_stmt, 5, captured_us);
      ok = _obd_store_step_done (self->db, frame_stmt, error);
      id = sqlite3_last_insert_rowid (self->db);
    }
  for (gsize i = 0; ok && i < n_values; i++)
    {
      sqlite3_bind_int64 (value_stmt, 1, id);
      sqlite3_bind_int (value_stmt, 2, values[i].pid);
      sqlite3_bind_int (value_stmt, 3, values[i].index);
      sqlite3_bind_double (value_stmt, 4, values[i].value);
      ok = _obd_store_step_done (self->db, value_stmt, error);
    }
  return end_change (self, ok, error) ? id : 0;
}

gboolean
obd_store_add_readiness (ObdStore                 *self,
                         gint64                    session_id,
                         gint64                    taken_us,
                         const ObdStoreReadiness  *monitors,
                         gsize                     n_monitors,
                         GError                  **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (monitors != NULL || n_monitors == 0, FALSE);

  if (!begin_change (self, error))
    return FALSE;

  ok = _obd_store_check_session_recording (self->db, session_id, error)
       && (stmt = _obd_store_prepare (self->db, SQL_READINESS_INSERT, error)) != NULL;
  for (gsize i = 0; ok && i < n_monitors; i++)
    {
      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_int64 (stmt, 2, taken_us);
      sqlite3_bind_text (stmt, 3, monitors[i].monitor, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, monitors[i].available ? 1 : 0);
      sqlite3_bind_int (stmt, 5, monitors[i].complete ? 1 : 0);
      ok = _obd_store_step_done (self->db, stmt, error);
    }
  return end_change (self, ok, error);
}

gboolean
obd_store_add_mode06_results (ObdStore                    *self,
                              gint64                       session_id,
                              const ObdStoreMode06Result  *results,
                              gsize                        n_results,
                              GError                     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (results != NULL || n_results == 0, FALSE);

  if (!begin_change (self, error))
    return FALSE;

  ok = _obd_store_check_session_recording (self->db, session_id, error)
       && (stmt = _obd_store_prepare (self->db, SQL_MODE06_INSERT, error)) != NULL;
  for (gsize i = 0; ok && i < n_results; i++)
    {
      const ObdStoreMode06Result *r = &results[i];

      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_int64 (stmt, 2, r->ecu);
      sqlite3_bind_int (stmt, 3, r->mid);
      sqlite3_bind_int (stmt, 4, r->tid);
      sqlite3_bind_double (stmt, 5, r->value);
      sqlite3_bind_double (stmt, 6, r->min);
      sqlite3_bind_double (stmt, 7, r->max);
      sqlite3_bind_int (stmt, 8, r->passed ? 1 : 0);
      _obd_store_bind_text (stmt, 9, r->unit);
      ok = _obd_store_step_done (self->db, stmt, error);
    }
  return end_change (self, ok, error);
}

/* Trouble codes -------------------------------------------------------- */

gint64
obd_store_record_dtc (ObdStore    *self,
                      gint64       vehicle_id,
                      gint64       session_id,
                      const char  *code,
                      ObdDtcKind   kind,
                      guint32      ecu,
                      gint64       seen_us,
                      GError     **error)
{
  g_autoptr(ObdStmt) find = NULL;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreDtcEvent) event = NULL;
  g_autofree char *uuid = NULL;
  gint64 id = 0;
  gboolean ok;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);
  g_return_val_if_fail (code != NULL, 0);
  g_return_val_if_fail (kind <= OBD_DTC_KIND_PERMANENT, 0);

  if (!begin_change (self, error))
    return 0;

  find = _obd_store_prepare (self->db, SQL_DTC_FIND_ACTIVE, error);
  if (find == NULL)
    return end_change (self, FALSE, error);
  sqlite3_bind_int64 (find, 1, vehicle_id);
  sqlite3_bind_text (find, 2, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (find, 3, _obd_store_dtc_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (find, 4, ecu);
  rc = sqlite3_step (find);

  if (rc == SQLITE_ROW)
    {
      /* Still active: only the last sighting moves.  This is aggregate
       * state, not content of the session, so no outbox row per read. */
      id = sqlite3_column_int64 (find, 0);
      ok = (stmt = _obd_store_prepare (self->db, SQL_DTC_TOUCH, error)) != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, seen_us);
          sqlite3_bind_int64 (stmt, 2, id);
          ok = _obd_store_step_done (self->db, stmt, error);
        }
      return end_change (self, ok, error) ? id : 0;
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (self->db, rc, _("Could not read the database"), error);
      return end_change (self, FALSE, error);
    }

  ok = (session_id == 0 || _obd_store_check_session_recording (self->db, session_id, error))
       && (stmt = _obd_store_prepare (self->db, SQL_DTC_INSERT, error)) != NULL;
  if (ok)
    {
      uuid = g_uuid_string_random ();
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      bind_id (stmt, 3, session_id);
      sqlite3_bind_text (stmt, 4, code, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, _obd_store_dtc_kind_to_string (kind), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 6, ecu);
      sqlite3_bind_int64 (stmt, 7, seen_us);
      sqlite3_bind_int64 (stmt, 8, seen_us);
      ok = _obd_store_step_done (self->db, stmt, error);
      id = sqlite3_last_insert_rowid (self->db);
    }
  ok = ok && (event = get_dtc_event_row (self->db, id, error)) != NULL;
  ok = ok && _obd_store_outbox_add (self->db, "dtc_event", event->uuid, "insert",
                                    dtc_event_to_json (self->db, event, error), error);
  return end_change (self, ok, error) ? id : 0;
}

GPtrArray *
obd_store_list_dtc_events (ObdStore  *self,
                           gint64     vehicle_id,
                           gboolean   include_cleared,
                           GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, include_cleared ? SQL_DTC_LIST_ALL : SQL_DTC_LIST_ACTIVE,
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, vehicle_id);
  return query_all (self->db, stmt, (RowReader) _obd_store_read_dtc_event,
                    (GDestroyNotify) obd_store_dtc_event_free, error);
}

gboolean
obd_store_clear_dtcs (ObdStore    *self,
                      gint64       vehicle_id,
                      const char  *cleared_by,
                      gint64       cleared_us,
                      GError     **error)
{
  g_autoptr(ObdStmt) find = NULL;
  g_autoptr(ObdStmt) clear = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean ok;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!begin_change (self, error))
    return FALSE;

  ok = (find = _obd_store_prepare (self->db, SQL_DTC_CLEARABLE, error)) != NULL
       && (clear = _obd_store_prepare (self->db, SQL_DTC_CLEAR, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (find, 1, vehicle_id);
      while ((rc = sqlite3_step (find)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (find, 0);
          g_array_append_val (ids, id);
        }
      if (rc != SQLITE_DONE)
        ok = _obd_store_set_error (self->db, rc, _("Could not read the database"), error);
    }

  for (guint i = 0; ok && i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(ObdStoreDtcEvent) event = NULL;

      sqlite3_bind_int64 (clear, 1, cleared_us);
      _obd_store_bind_text (clear, 2, cleared_by);
      sqlite3_bind_int64 (clear, 3, id);
      ok = _obd_store_step_done (self->db, clear, error)
           && (event = get_dtc_event_row (self->db, id, error)) != NULL
           && _obd_store_outbox_add (self->db, "dtc_event", event->uuid, "update",
                                     dtc_event_to_json (self->db, event, error), error);
    }
  /* Every Mode 04 is remembered, codes or not: it voids the Mode 06
   * results and readiness read before it (obd_store_get_last_clear). */
  if (ok)
    ok = _obd_store_log_clear (self->db, vehicle_id, cleared_by, cleared_us, error);
  return end_change (self, ok, error);
}

/* Maintenance ---------------------------------------------------------- */

static gboolean
outbox_maintenance (ObdStore    *self,
                    gint64       item_id,
                    const char  *op,
                    GError     **error)
{
  g_autoptr(ObdStoreMaintenanceItem) item = get_maintenance_row (self->db, item_id, error);

  return item != NULL
         && _obd_store_outbox_add (self->db, "maintenance_item", item->uuid, op,
                                   maintenance_item_to_json (self->db, item, error), error);
}

gint64
obd_store_add_maintenance_item (ObdStore    *self,
                                gint64       vehicle_id,
                                const char  *title,
                                gint64       interval_km,
                                gint64       interval_days,
                                gint64       last_done_km,
                                gint64       last_done_us,
                                GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  ObdStoreMaintenanceStatus status;
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);
  g_return_val_if_fail (title != NULL, 0);

  status = (last_done_km >= 0 || last_done_us > 0) ? OBD_STORE_MAINTENANCE_DONE
                                                   : OBD_STORE_MAINTENANCE_DUE;
  if (!begin_change (self, error))
    return 0;

  ok = (stmt = _obd_store_prepare (self->db, SQL_MAINT_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      sqlite3_bind_text (stmt, 3, title, -1, SQLITE_STATIC);
      bind_int64_or_null (stmt, 4, interval_km, 0);
      bind_int64_or_null (stmt, 5, interval_days, 0);
      bind_int64_or_null (stmt, 6, MAX (last_done_km, -1), -1);
      bind_int64_or_null (stmt, 7, last_done_us, 0);
      sqlite3_bind_text (stmt, 8, maintenance_status_keys[status], -1, SQLITE_STATIC);
      ok = _obd_store_step_done (self->db, stmt, error);
      id = sqlite3_last_insert_rowid (self->db);
    }
  ok = ok && outbox_maintenance (self, id, "insert", error);
  return end_change (self, ok, error) ? id : 0;
}

static gboolean
update_maintenance (ObdStore    *self,
                    ObdStmt     *stmt,
                    gint64       item_id,
                    GError     **error)
{
  if (!_obd_store_step_done (self->db, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                   _("No such maintenance item in the database."));
      return FALSE;
    }
  return outbox_maintenance (self, item_id, "update", error);
}

gboolean
obd_store_complete_maintenance_item (ObdStore  *self,
                                     gint64     item_id,
                                     gint64     done_km,
                                     gint64     done_us,
                                     GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!begin_change (self, error))
    return FALSE;
  ok = (stmt = _obd_store_prepare (self->db, SQL_MAINT_COMPLETE, error)) != NULL;
  if (ok)
    {
      bind_int64_or_null (stmt, 1, MAX (done_km, -1), -1);
      sqlite3_bind_int64 (stmt, 2, done_us);
      sqlite3_bind_int64 (stmt, 3, item_id);
      ok = update_maintenance (self, stmt, item_id, error);
    }
  return end_change (self, ok, error);
}

gboolean
obd_store_set_maintenance_status (ObdStore                   *self,
                                  gint64                      item_id,
                                  ObdStoreMaintenanceStatus   status,
                                  GError                    **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (status <= OBD_STORE_MAINTENANCE_DONE, FALSE);

  if (!begin_change (self, error))
    return FALSE;
  ok = (stmt = _obd_store_prepare (self->db, SQL_MAINT_STATUS, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, maintenance_status_keys[status], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, item_id);
      ok = update_maintenance (self, stmt, item_id, error);
    }
  return end_change (self, ok, error);
}

gboolean
obd_store_delete_maintenance_item (ObdStore  *self,
                                   gint64     item_id,
                                   GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreMaintenanceItem) item = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!begin_change (self, error))
    return FALSE;
  ok = (item = get_maintenance_row (self->db, item_id, error)) != NULL
       && (stmt = _obd_store_prepare (self->db, SQL_MAINT_DELETE, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, item_id);
      ok = _obd_store_step_done (self->db, stmt, error)
           && _obd_store_outbox_add (self->db, "maintenance_item", item->uuid, "delete",
                                     maintenance_item_to_json (self->db, item, error), error);
    }
  return end_change (self, ok, error);
}

GPtrArray *
obd_store_list_maintenance_items (ObdStore  *self,
                                  gint64     vehicle_id,
                                  GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, SQL_MAINT_LIST, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, vehicle_id);
  return query_all (self->db, stmt, (RowReader) read_maintenance_item,
                    (GDestroyNotify) obd_store_maintenance_item_free, error);
}

/* Notifications and notes --------------------------------------------- */

gint64
obd_store_add_notification (ObdStore          *self,
                            gint64             vehicle_id,
                            gint64             session_id,
                            ObdStoreSeverity   severity,
                            const char        *kind,
                            const char        *title,
                            const char        *body,
                            GError           **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreNotification) row = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);
  g_return_val_if_fail (severity <= OBD_STORE_SEVERITY_CRITICAL, 0);
  g_return_val_if_fail (kind != NULL && title != NULL, 0);

  if (!begin_change (self, error))
    return 0;
  ok = (stmt = _obd_store_prepare (self->db, SQL_NOTIF_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      bind_id (stmt, 2, vehicle_id);
      bind_id (stmt, 3, session_id);
      sqlite3_bind_text (stmt, 4, severity_keys[severity], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, title, -1, SQLITE_STATIC);
      _obd_store_bind_text (stmt, 7, body);
      sqlite3_bind_int64 (stmt, 8, g_get_real_time ());
      ok = _obd_store_step_done (self->db, stmt, error);
      id = sqlite3_last_insert_rowid (self->db);
    }
  ok = ok && (row = get_notification_row (self->db, id, error)) != NULL;
  ok = ok && _obd_store_outbox_add (self->db, "notification", row->uuid, "insert",
                                    notification_to_json (self->db, row, error), error);
  return end_change (self, ok, error) ? id : 0;
}

gboolean
obd_store_mark_notification_read (ObdStore  *self,
                                  gint64     notification_id,
                                  GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreNotification) row = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!begin_change (self, error))
    return FALSE;
  ok = (row = get_notification_row (self->db, notification_id, error)) != NULL;
  if (ok && row->read)
    return end_change (self, TRUE, error);

  ok = ok && (stmt = _obd_store_prepare (self->db, SQL_NOTIF_READ, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, notification_id);
      ok = _obd_store_step_done (self->db, stmt, error);
      row->read = TRUE;
    }
  ok = ok && _obd_store_outbox_add (self->db, "notification", row->uuid, "update",
                                    notification_to_json (self->db, row, error), error);
  return end_change (self, ok, error);
}

GPtrArray *
obd_store_list_notifications (ObdStore  *self,
                              gint64     vehicle_id,
                              gboolean   unread_only,
                              GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, SQL_NOTIF_LIST, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, vehicle_id);
  sqlite3_bind_int (stmt, 2, unread_only ? 1 : 0);
  return query_all (self->db, stmt, (RowReader) read_notification,
                    (GDestroyNotify) obd_store_notification_free, error);
}

gint64
obd_store_add_note (ObdStore    *self,
                    gint64       vehicle_id,
                    gint64       session_id,
                    const char  *author,
                    const char  *text,
                    GError     **error)
{
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreNote) row = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);
  g_return_val_if_fail (text != NULL, 0);

  if (!begin_change (self, error))
    return 0;
  ok = (stmt = _obd_store_prepare (self->db, SQL_NOTE_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, vehicle_id);
      bind_id (stmt, 3, session_id);
      _obd_store_bind_text (stmt, 4, author);
      sqlite3_bind_text (stmt, 5, text, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
      ok = _obd_store_step_done (self->db, stmt, error);
      id = sqlite3_last_insert_rowid (self->db);
    }
  ok = ok && (row = get_note_row (self->db, id, error)) != NULL;
  ok = ok && _obd_store_outbox_add (self->db, "note", row->uuid, "insert",
                                    note_to_json (self->db, row, error), error);
  return end_change (self, ok, error) ? id : 0;
}

GPtrArray *
obd_store_list_notes (ObdStore  *self,
                      gint64     vehicle_id,
                      gint64     session_id,
                      GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, SQL_NOTE_LIST, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, vehicle_id);
  sqlite3_bind_int64 (stmt, 2, session_id);
  return query_all (self->db, stmt, (RowReader) read_note,
                    (GDestroyNotify) obd_store_note_free, error);
}

/* Outbox --------------------------------------------------------------- */

GPtrArray *
obd_store_list_outbox (ObdStore  *self,
                       gint64     after_seq,
                       guint      limit,
                       GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  stmt = _obd_store_prepare (self->db, SQL_OUTBOX_LIST, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_seq);
  sqlite3_bind_int64 (stmt, 2, limit);
  return query_all (self->db, stmt, (RowReader) read_outbox_entry,
                    (GDestroyNotify) obd_store_outbox_entry_free, error);
}

gboolean
obd_store_ack_outbox (ObdStore  *self,
                      gint64     up_to_seq,
                      GError   **error)
{
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  stmt = _obd_store_prepare (self->db, SQL_OUTBOX_ACK, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, up_to_seq);
  return _obd_store_step_done (self->db, stmt, error);
}

sqlite3 *
_obd_store_get_db (ObdStore *self)
{
  return self->db;
}

/* Shared with the other files of the store --------------------------------- */

gpointer
_obd_store_query_one (sqlite3           *db,
                      ObdStmt           *stmt,
                      ObdStoreRowReader  reader,
                      const char        *not_found,
                      GError           **error)
{
  return query_one (db, stmt, (RowReader) reader, not_found, error);
}

GPtrArray *
_obd_store_query_all (sqlite3           *db,
                      ObdStmt           *stmt,
                      ObdStoreRowReader  reader,
                      GDestroyNotify     free_func,
                      GError           **error)
{
  return query_all (db, stmt, (RowReader) reader, free_func, error);
}

void
_obd_store_json_add_string (JsonBuilder *b,
                            const char  *name,
                            const char  *value)
{
  add_string (b, name, value);
}

gboolean
_obd_store_json_add_reference (JsonBuilder  *b,
                               sqlite3      *db,
                               const char   *name,
                               const char   *table,
                               gint64        id,
                               GError      **error)
{
  return add_reference (b, db, name, table, id, error);
}
