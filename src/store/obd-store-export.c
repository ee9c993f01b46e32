/* obd-store-export.c — a session as CSV or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-pid.h"
#include "obd-store-private.h"
#include "obd-store-sql.h"
#include "obd-units.h"

/* Output is gathered and written in blocks of about this size. */
#define FLUSH_SIZE (64 * 1024)

typedef struct
{
  guint8   pid;
  guint8   index;
  guint32  ecu;
  char    *key;     /* "rpm", or NULL for a PID the table does not know */
  char    *label;   /* translated */
  ObdUnit  unit;
} Column;

static void
column_clear (Column *column)
{
  g_clear_pointer (&column->key, g_free);
  g_clear_pointer (&column->label, g_free);
}

static gint64
column_key (guint8  pid,
            guint8  index,
            guint32 ecu)
{
  return ((gint64) pid << 40) | ((gint64) index << 32) | ecu;
}

/* Names a quantity from the PID table.  The table describes a PID's main
 * value; the further values of a multi-value PID get their names from the
 * decoder, which names every value it produces whatever the bytes. */
static void
describe_quantity (Column *column)
{
  const ObdPidInfo *info = obd_pid_lookup (column->pid);

  column->unit = OBD_UNIT_NONE;
  if (info == NULL)
    {
      column->label = column->index == 0
                      ? g_strdup_printf (_("PID %02X"), column->pid)
                      : g_strdup_printf (_("PID %02X value %u"), column->pid, column->index);
      return;
    }

  if (info->n_bytes > 0)
    {
      guint8 zeros[256] = { 0 };
      g_autoptr(GArray) values = obd_value_array_new ();

      if (obd_pid_decode (column->pid, zeros, info->n_bytes, values, NULL))
        for (guint i = 0; i < values->len; i++)
          {
            const ObdValue *v = &g_array_index (values, ObdValue, i);

            if (v->index == column->index && v->label != NULL)
              {
                column->key = g_strdup (v->key);
                column->label = g_strdup (_(v->label));
                column->unit = v->unit;
                return;
              }
          }
    }

  column->key = g_strdup (info->key);
  if (column->index == 0)
    {
      column->label = g_strdup (_(info->label));
      column->unit = info->unit;
    }
  else
    column->label = g_strdup_printf (_("%s value %u"), _(info->label), column->index);
}

/* The quantities of a session; several ECUs reporting one quantity each
 * get a column, told apart by the ECU's address. */
static GArray *
list_columns (sqlite3  *db,
              gint64    session_id,
              GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_SESSION_COLUMNS, error);
  g_autoptr(GArray) columns = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (columns, (GDestroyNotify) column_clear);
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Column column = {
        .pid = (guint8) sqlite3_column_int (stmt, 0),
        .index = (guint8) sqlite3_column_int (stmt, 1),
        .ecu = (guint32) sqlite3_column_int64 (stmt, 2),
      };
      describe_quantity (&column);
      g_array_append_val (columns, column);
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }

  for (guint i = 0; i < columns->len; i++)
    {
      Column *c = &g_array_index (columns, Column, i);
      gboolean shared = FALSE;

      for (guint j = 0; j < columns->len; j++)
        {
          Column *o = &g_array_index (columns, Column, j);
          if (j != i && o->pid == c->pid && o->index == c->index)
            shared = TRUE;
        }
      if (shared)
        {
          char *label = g_strdup_printf ("%s [%X]", c->label, c->ecu);
          g_free (c->label);
          c->label = label;
        }
    }

  return g_steal_pointer (&columns);
}

/* Shortest text that reads back as the same double, without the locale's
 * decimal comma. */
static void
append_double (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      const char *format = precision == 15 ? "%.15g" : precision == 16 ? "%.16g" : "%.17g";

      g_ascii_formatd (buf, sizeof buf, format, value);
      if (precision == 17 || g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
}

/* RFC 4180: fields with a comma, a quote or a line break are quoted, and
 * quotes inside doubled. */
static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* ISO 8601 in UTC with milliseconds always present, so every row reads
 * alike ("2024-05-01T10:00:00.000Z"); g_date_time_format_iso8601 () drops
 * the fraction when it is zero and prints microseconds otherwise. */
static void
append_time (GString *out,
             gint64   time_us)
{
  gint64 seconds = time_us / G_USEC_PER_SEC;
  gint64 rest = time_us % G_USEC_PER_SEC;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *text = NULL;

  if (rest < 0)
    {
      seconds -= 1;
      rest += G_USEC_PER_SEC;
    }
  dt = g_date_time_new_from_unix_utc (seconds);
  if (dt == NULL)
    return;
  text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  g_string_append_printf (out, "%s.%03dZ", text, (int) (rest / 1000));
}

static gboolean
flush (GOutputStream  *stream,
       GString        *out,
       gboolean        force,
       GCancellable   *cancellable,
       GError        **error)
{
  if (out->len == 0 || (!force && out->len < FLUSH_SIZE))
    return TRUE;
  if (!g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error))
    return FALSE;
  g_string_truncate (out, 0);
  return TRUE;
}

static void
append_header_cell (GString       *out,
                    const Column  *column,
                    ObdUnitSystem  units)
{
  const char *symbol = obd_unit_get_symbol (column->unit, units);
  g_autofree char *text = NULL;

  if (symbol != NULL && *symbol != '\0')
    text = g_strdup_printf ("%s (%s)", column->label, symbol);
  else
    text = g_strdup (column->label);
  g_string_append_c (out, ',');
  append_csv_field (out, text);
}

static void
append_csv_row (GString       *out,
                gint64         time_us,
                GArray        *columns,
                const double  *cells,
                const gboolean *present,
                ObdUnitSystem  units)
{
  append_time (out, time_us);
  for (guint i = 0; i < columns->len; i++)
    {
      const Column *c = &g_array_index (columns, Column, i);

      g_string_append_c (out, ',');
      if (present[i])
        append_double (out, obd_unit_convert (c->unit, units, cells[i]));
    }
  g_string_append (out, "\r\n");
}

static gboolean
export_csv (sqlite3        *db,
            gint64          session_id,
            ObdUnitSystem   units,
            GOutputStream  *stream,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(GArray) columns = NULL;
  g_autoptr(GHashTable) index_of = NULL;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(GString) out = g_string_sized_new (FLUSH_SIZE + 4096);
  g_autofree double *cells = NULL;
  g_autofree gboolean *present = NULL;
  gint64 row_time = 0;
  gboolean have_row = FALSE;
  guint n_rows = 0;
  int rc;

  columns = list_columns (db, session_id, error);
  if (columns == NULL)
    return FALSE;

  index_of = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_string_append (out, "time");
  for (guint i = 0; i < columns->len; i++)
    {
      const Column *c = &g_array_index (columns, Column, i);
      gint64 *key = g_new (gint64, 1);

      *key = column_key (c->pid, c->index, c->ecu);
      g_hash_table_insert (index_of, key, GUINT_TO_POINTER (i));
      append_header_cell (out, c, units);
    }
  g_string_append (out, "\r\n");

  cells = g_new0 (double, MAX (columns->len, 1));
  present = g_new0 (gboolean, MAX (columns->len, 1));

  stmt = _obd_store_prepare (db, SQL_SESSION_ROWS, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 time_us = sqlite3_column_int64 (stmt, 0);
      gint64 key = column_key ((guint8) sqlite3_column_int (stmt, 1),
                               (guint8) sqlite3_column_int (stmt, 2),
                               (guint32) sqlite3_column_int64 (stmt, 3));
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, &key));

      if (have_row && time_us != row_time)
        {
          append_csv_row (out, row_time, columns, cells, present, units);
          memset (present, 0, sizeof (gboolean) * columns->len);
          if (++n_rows % 1024 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (!flush (stream, out, FALSE, cancellable, error))
            return FALSE;
        }
      row_time = time_us;
      have_row = TRUE;
      cells[i] = sqlite3_column_double (stmt, 4);
      present[i] = sqlite3_column_type (stmt, 4) != SQLITE_NULL;
    }
  if (rc != SQLITE_DONE)
    return _obd_store_set_error (db, rc, _("Could not read the session"), error);

  if (have_row)
    append_csv_row (out, row_time, columns, cells, present, units);
  return flush (stream, out, TRUE, cancellable, error);
}

/* JSON ---------------------------------------------------------------- */

/* The document is written member by member, each generated by json-glib,
 * so a long session never has to exist as one tree in memory. */
static void
append_member (GString    *out,
               gboolean   *first,
               const char *name,
               JsonNode   *node)
{
  g_autoptr(JsonNode) owned = node;
  g_autofree char *text = json_to_string (owned, FALSE);

  g_string_append (out, *first ? "{" : ",");
  g_string_append_printf (out, "\"%s\":", name);
  g_string_append (out, text);
  *first = FALSE;
}

static void
set_string (JsonObject *o,
            const char *name,
            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (o, name, value);
  else
    json_object_set_null_member (o, name);
}

static char *
format_time (gint64 time_us)
{
  g_autoptr(GString) s = g_string_new (NULL);

  append_time (s, time_us);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JsonNode *
session_node (const ObdStoreSession *session)
{
  JsonNode *node = _obd_store_session_to_json (session);
  JsonObject *o = json_node_get_object (node);
  g_autofree char *started = format_time (session->started_us);

  json_object_set_int_member (o, "id", session->id);
  json_object_set_string_member (o, "started", started);
  if (session->ended_us != 0)
    {
      g_autofree char *ended = format_time (session->ended_us);
      json_object_set_string_member (o, "ended", ended);
    }
  else
    json_object_set_null_member (o, "ended");
  return node;
}

static JsonNode *
column_node (const Column  *c,
             ObdUnitSystem  units)
{
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (o, "pid", c->pid);
  json_object_set_int_member (o, "index", c->index);
  json_object_set_int_member (o, "ecu", c->ecu);
  set_string (o, "key", c->key);
  json_object_set_string_member (o, "label", c->label);
  json_object_set_string_member (o, "unit", obd_unit_get_symbol (c->unit, units));
  json_node_take_object (node, o);
  return node;
}

static gboolean
append_series (GString        *out,
               GOutputStream  *stream,
               sqlite3        *db,
               gint64          session_id,
               ObdUnitSystem   units,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(GArray) columns = list_columns (db, session_id, error);
  g_autoptr(ObdStmt) stmt = NULL;

  if (columns == NULL)
    return FALSE;
  stmt = _obd_store_prepare (db, SQL_SERIES_ECU, error);
  if (stmt == NULL)
    return FALSE;

  g_string_append (out, ",\"series\":[");
  for (guint i = 0; i < columns->len; i++)
    {
      const Column *c = &g_array_index (columns, Column, i);
      g_autoptr(JsonNode) node = column_node (c, units);
      JsonArray *samples = json_array_new ();
      g_autofree char *text = NULL;
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_int (stmt, 2, c->pid);
      sqlite3_bind_int (stmt, 3, c->index);
      sqlite3_bind_int64 (stmt, 4, c->ecu);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          JsonArray *point = json_array_sized_new (2);

          json_array_add_int_element (point, sqlite3_column_int64 (stmt, 0));
          json_array_add_double_element (point, obd_unit_convert (c->unit, units,
                                                                  sqlite3_column_double (stmt, 1)));
          json_array_add_array_element (samples, point);
        }
      json_object_set_array_member (json_node_get_object (node), "samples", samples);
      if (rc != SQLITE_DONE)
        return _obd_store_set_error (db, rc, _("Could not read the session"), error);

      text = json_to_string (node, FALSE);
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, text);
      if (g_cancellable_set_error_if_cancelled (cancellable, error)
          || !flush (stream, out, FALSE, cancellable, error))
        return FALSE;
    }
  g_string_append_c (out, ']');
  return TRUE;
}

/* Fills o from the current row; FALSE with error set when it cannot. */
typedef gboolean (*RowToJson) (ObdStmt     *stmt,
                               JsonObject  *o,
                               gpointer     data,
                               GError     **error);

/* A JSON array with one object per row of a query bound to id. */
static JsonNode *
query_array (sqlite3     *db,
             const char  *sql,
             gint64       id,
             RowToJson    fill,
             gpointer     data,
             GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  int rc;

  if (stmt == NULL)
    return NULL;

  array = json_array_new ();
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *o = json_object_new ();

      json_array_add_object_element (array, o);
      if (!fill (stmt, o, data, error))
        return NULL;
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the session"), error);
      return NULL;
    }
  return g_steal_pointer (&node);
}

static void
set_column_string (JsonObject *o,
                   const char *name,
                   ObdStmt    *stmt,
                   int         column)
{
  set_string (o, name, (const char *) sqlite3_column_text (stmt, column));
}

static void
set_column_int_or_null (JsonObject *o,
                        const char *name,
                        ObdStmt    *stmt,
                        int         column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (o, name);
  else
    json_object_set_int_member (o, name, sqlite3_column_int64 (stmt, column));
}

/* SQL_DTC_FOR_SESSION columns */
static gboolean
fill_dtc (ObdStmt     *stmt,
          JsonObject  *o,
          gpointer     data,
          GError     **error)
{
  set_column_string (o, "uuid", stmt, 1);
  set_column_string (o, "code", stmt, 4);
  set_column_string (o, "kind", stmt, 5);
  json_object_set_int_member (o, "ecu", sqlite3_column_int64 (stmt, 6));
  json_object_set_int_member (o, "first_seen_us", sqlite3_column_int64 (stmt, 7));
  json_object_set_int_member (o, "last_seen_us", sqlite3_column_int64 (stmt, 8));
  set_column_int_or_null (o, "cleared_us", stmt, 9);
  set_column_string (o, "cleared_by", stmt, 10);
  return TRUE;
}

typedef struct
{
  sqlite3        *db;
  ObdUnitSystem   units;
} FreezeContext;

/* SQL_FREEZE_VALUES columns */
static gboolean
fill_freeze_value (ObdStmt     *stmt,
                   JsonObject  *o,
                   gpointer     data,
                   GError     **error)
{
  const FreezeContext *ctx = data;
  Column c = {
    .pid = (guint8) sqlite3_column_int (stmt, 0),
    .index = (guint8) sqlite3_column_int (stmt, 1),
  };

  describe_quantity (&c);
  json_object_set_int_member (o, "pid", c.pid);
  json_object_set_int_member (o, "index", c.index);
  set_string (o, "key", c.key);
  json_object_set_string_member (o, "label", c.label);
  json_object_set_string_member (o, "unit", obd_unit_get_symbol (c.unit, ctx->units));
  json_object_set_double_member (o, "value",
                                 obd_unit_convert (c.unit, ctx->units,
                                                   sqlite3_column_double (stmt, 2)));
  column_clear (&c);
  return TRUE;
}

/* SQL_FREEZE_LIST columns */
static gboolean
fill_freeze_frame (ObdStmt     *stmt,
                   JsonObject  *o,
                   gpointer     data,
                   GError     **error)
{
  const FreezeContext *ctx = data;
  JsonNode *values;

  set_column_string (o, "dtc", stmt, 1);
  json_object_set_int_member (o, "ecu", sqlite3_column_int64 (stmt, 2));
  json_object_set_int_member (o, "frame", sqlite3_column_int64 (stmt, 3));
  json_object_set_int_member (o, "captured_us", sqlite3_column_int64 (stmt, 4));
  values = query_array (ctx->db, SQL_FREEZE_VALUES, sqlite3_column_int64 (stmt, 0),
                        fill_freeze_value, data, error);
  if (values == NULL)
    return FALSE;
  json_object_set_member (o, "values", values);
  return TRUE;
}

/* SQL_READINESS_LIST columns */
static gboolean
fill_readiness (ObdStmt     *stmt,
                JsonObject  *o,
                gpointer     data,
                GError     **error)
{
  json_object_set_int_member (o, "taken_us", sqlite3_column_int64 (stmt, 0));
  set_column_string (o, "monitor", stmt, 1);
  json_object_set_boolean_member (o, "available", sqlite3_column_int (stmt, 2) != 0);
  json_object_set_boolean_member (o, "complete", sqlite3_column_int (stmt, 3) != 0);
  return TRUE;
}

/* SQL_MODE06_LIST columns */
static gboolean
fill_mode06 (ObdStmt     *stmt,
             JsonObject  *o,
             gpointer     data,
             GError     **error)
{
  json_object_set_int_member (o, "ecu", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (o, "mid", sqlite3_column_int64 (stmt, 1));
  json_object_set_int_member (o, "tid", sqlite3_column_int64 (stmt, 2));
  json_object_set_double_member (o, "value", sqlite3_column_double (stmt, 3));
  json_object_set_double_member (o, "min", sqlite3_column_double (stmt, 4));
  json_object_set_double_member (o, "max", sqlite3_column_double (stmt, 5));
  json_object_set_boolean_member (o, "passed", sqlite3_column_int (stmt, 6) != 0);
  set_column_string (o, "unit", stmt, 7);
  return TRUE;
}

static gboolean
export_json (sqlite3                *db,
             const ObdStoreSession  *session,
             ObdUnitSystem           units,
             GOutputStream          *stream,
             GCancellable           *cancellable,
             GError                **error)
{
  g_autoptr(GString) out = g_string_sized_new (FLUSH_SIZE + 4096);
  FreezeContext ctx = { db, units };
  JsonNode *node;
  gboolean first = TRUE;

  append_member (out, &first, "session", session_node (session));
  if (session->vehicle_id != 0)
    {
      g_autoptr(ObdStoreVehicle) vehicle = _obd_store_read_vehicle (db, session->vehicle_id,
                                                                    error);
      if (vehicle == NULL)
        return FALSE;
      append_member (out, &first, "vehicle", _obd_store_vehicle_to_json (vehicle));
    }
  else
    append_member (out, &first, "vehicle", json_node_new (JSON_NODE_NULL));

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, units == OBD_UNIT_SYSTEM_US ? "us" : "si");
  append_member (out, &first, "units", node);

  if (!append_series (out, stream, db, session->id, units, cancellable, error))
    return FALSE;

  if ((node = query_array (db, SQL_DTC_FOR_SESSION, session->id, fill_dtc, NULL, error)) == NULL)
    return FALSE;
  append_member (out, &first, "dtcs", node);
  if ((node = query_array (db, SQL_FREEZE_LIST, session->id, fill_freeze_frame, &ctx,
                           error)) == NULL)
    return FALSE;
  append_member (out, &first, "freeze_frames", node);
  if ((node = query_array (db, SQL_READINESS_LIST, session->id, fill_readiness, NULL,
                           error)) == NULL)
    return FALSE;
  append_member (out, &first, "readiness", node);
  if ((node = query_array (db, SQL_MODE06_LIST, session->id, fill_mode06, NULL, error)) == NULL)
    return FALSE;
  append_member (out, &first, "mode06", node);

  g_string_append (out, "}\n");
  return flush (stream, out, TRUE, cancellable, error);
}

gboolean
obd_store_export_session (ObdStore       *self,
                          gint64          session_id,
                          ObdStoreFormat  format,
                          ObdUnitSystem   units,
                          GOutputStream  *stream,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(ObdStoreSession) session = NULL;
  sqlite3 *db;
  gboolean ok;
  int rc;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (format <= OBD_STORE_FORMAT_JSON, FALSE);

  db = _obd_store_get_db (self);

  /* One read transaction: a snapshot, even while a recorder writes. */
  rc = sqlite3_exec (db, SQL_BEGIN_READ, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return _obd_store_set_error (db, rc, _("Could not read the database"), error);

  session = _obd_store_read_session (db, session_id, error);
  if (session == NULL)
    ok = FALSE;
  else if (format == OBD_STORE_FORMAT_CSV)
    ok = export_csv (db, session_id, units, stream, cancellable, error);
  else
    ok = export_json (db, session, units, stream, cancellable, error);

  _obd_store_rollback (db);
  return ok;
}
