/* obd-store-guide.c — guided-repair runs in the local store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables from schema step 4 (obd-store-sql.h).  Each change rewrites the
 * run's outbox payload in full: a run has a few dozen steps at most, and a
 * whole document per change keeps the server's copy trivially idempotent.
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-store-guide.h"
#include "obd-store-private.h"

/* id, uuid, vehicle_id, session_id, guide_id, guide_version, guide_title,
 * reason, status, current_step, started_us, updated_us, finished_us,
 * step count, finding id, kind, title */
#define SQL_GUIDE_RUN_SELECT \
  "SELECT r.id, r.uuid, r.vehicle_id, r.session_id, r.guide_id, r.guide_version," \
  " r.guide_title, r.reason, r.status, r.current_step, r.started_us, r.updated_us," \
  " r.finished_us," \
  " (SELECT count(*) FROM guide_run_steps s WHERE s.run_id = r.id)," \
  " f.finding_id, f.kind, f.title" \
  " FROM guide_runs r LEFT JOIN guide_run_findings f ON f.id =" \
  "   (SELECT min (id) FROM guide_run_findings WHERE run_id = r.id)"
#define SQL_GUIDE_RUN_GET SQL_GUIDE_RUN_SELECT " WHERE r.id = ?"
#define SQL_GUIDE_RUN_LIST \
  SQL_GUIDE_RUN_SELECT " WHERE (?1 = 0 OR r.vehicle_id = ?1) AND (?2 = 0 OR r.session_id = ?2)" \
  " ORDER BY r.started_us DESC, r.id DESC"
#define SQL_GUIDE_RUN_INSERT \
  "INSERT INTO guide_runs (uuid, vehicle_id, session_id, guide_id, guide_version, guide_title," \
  " reason, status, current_step, started_us, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, 'active'," \
  " ?, ?, ?)"
#define SQL_GUIDE_RUN_MOVE \
  "UPDATE guide_runs SET current_step = ?, updated_us = ? WHERE id = ?"
#define SQL_GUIDE_RUN_FINISH \
  "UPDATE guide_runs SET status = 'finished', current_step = NULL, updated_us = ?," \
  " finished_us = ? WHERE id = ?"
#define SQL_GUIDE_RUN_REOPEN \
  "UPDATE guide_runs SET status = 'active', finished_us = NULL WHERE id = ?"
#define SQL_GUIDE_FINDING_DELETE "DELETE FROM guide_run_findings WHERE run_id = ?"
#define SQL_GUIDE_RUN_ABANDON \
  "UPDATE guide_runs SET status = 'abandoned', updated_us = ? WHERE id = ?"
#define SQL_VEHICLE_EXISTS "SELECT 1 FROM vehicles WHERE id = ?"
#define SQL_SESSION_EXISTS "SELECT 1 FROM sessions WHERE id = ?"

/* seq, step_id, kind, title, outcome, value, unit, detail, manual, recorded_us */
#define SQL_GUIDE_STEP_LIST \
  "SELECT seq, step_id, kind, title, outcome, value, unit, detail, manual, recorded_us" \
  " FROM guide_run_steps WHERE run_id = ? ORDER BY seq"
#define SQL_GUIDE_STEP_INSERT \
  "INSERT INTO guide_run_steps (run_id, seq, step_id, kind, title, outcome, value, unit," \
  " detail, manual, recorded_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define SQL_GUIDE_STEP_TRIM "DELETE FROM guide_run_steps WHERE run_id = ? AND seq > ?"

/* id, finding_id, kind, title, text, refer_guide */
#define SQL_GUIDE_FINDING_LIST \
  "SELECT id, finding_id, kind, title, text, refer_guide FROM guide_run_findings" \
  " WHERE run_id = ? ORDER BY id"
#define SQL_GUIDE_FINDING_INSERT \
  "INSERT INTO guide_run_findings (run_id, finding_id, kind, title, text, refer_guide)" \
  " VALUES (?, ?, ?, ?, ?, ?)"
/* title, hours, max_hours */
#define SQL_GUIDE_REPAIR_LIST \
  "SELECT title, hours, max_hours FROM guide_run_repairs WHERE finding_id = ? ORDER BY seq"
#define SQL_GUIDE_REPAIR_INSERT \
  "INSERT INTO guide_run_repairs (finding_id, seq, title, hours, max_hours) VALUES (?, ?, ?, ?, ?)"

static const char * const run_status_keys[] = { "active", "finished", "abandoned" };
static const char * const finding_kinds[] = { "fault", "no-fault", "refer", NULL };

const char *
obd_store_guide_run_status_to_string (ObdStoreGuideRunStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (run_status_keys), NULL);
  return run_status_keys[status];
}

void
obd_store_guide_run_free (ObdStoreGuideRun *run)
{
  if (run == NULL)
    return;
  g_free (run->uuid);
  g_free (run->guide_id);
  g_free (run->guide_title);
  g_free (run->reason);
  g_free (run->current_step);
  g_free (run->finding_id);
  g_free (run->finding_kind);
  g_free (run->finding_title);
  g_free (run);
}

void
obd_store_guide_step_free (ObdStoreGuideStep *step)
{
  if (step == NULL)
    return;
  g_free (step->step_id);
  g_free (step->kind);
  g_free (step->title);
  g_free (step->outcome);
  g_free (step->unit);
  g_free (step->detail);
  g_free (step);
}

void
obd_store_guide_repair_free (ObdStoreGuideRepair *repair)
{
  if (repair == NULL)
    return;
  g_free (repair->title);
  g_free (repair);
}

ObdStoreGuideFinding *
obd_store_guide_finding_new (void)
{
  ObdStoreGuideFinding *finding = g_new0 (ObdStoreGuideFinding, 1);

  finding->repairs = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_guide_repair_free);
  return finding;
}

void
obd_store_guide_finding_free (ObdStoreGuideFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->finding_id);
  g_free (finding->kind);
  g_free (finding->title);
  g_free (finding->text);
  g_free (finding->refer_guide);
  g_clear_pointer (&finding->repairs, g_ptr_array_unref);
  g_free (finding);
}

/* Reading ---------------------------------------------------------------- */

static gint64
column_id (ObdStmt *stmt,
           int      column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, column);
}

static double
column_double_or_nan (ObdStmt *stmt,
                      int      column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, column);
}

static void
bind_double_or_null (ObdStmt *stmt,
                     int      column,
                     double   value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_double (stmt, column, value);
}

static void
bind_id_or_null (ObdStmt *stmt,
                 int      column,
                 gint64   id)
{
  if (id == 0)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_int64 (stmt, column, id);
}

static ObdStoreGuideRun *
read_run (ObdStmt *stmt)
{
  ObdStoreGuideRun *run = g_new0 (ObdStoreGuideRun, 1);
  const char *status = (const char *) sqlite3_column_text (stmt, 8);

  run->id = sqlite3_column_int64 (stmt, 0);
  run->uuid = _obd_store_column_dup (stmt, 1);
  run->vehicle_id = column_id (stmt, 2);
  run->session_id = column_id (stmt, 3);
  run->guide_id = _obd_store_column_dup (stmt, 4);
  run->guide_version = sqlite3_column_int (stmt, 5);
  run->guide_title = _obd_store_column_dup (stmt, 6);
  run->reason = _obd_store_column_dup (stmt, 7);
  for (guint i = 0; i < G_N_ELEMENTS (run_status_keys); i++)
    if (g_strcmp0 (status, run_status_keys[i]) == 0)
      run->status = i;
  run->current_step = _obd_store_column_dup (stmt, 9);
  run->started_us = sqlite3_column_int64 (stmt, 10);
  run->updated_us = sqlite3_column_int64 (stmt, 11);
  run->finished_us = column_id (stmt, 12);
  run->n_steps = sqlite3_column_int (stmt, 13);
  run->finding_id = _obd_store_column_dup (stmt, 14);
  run->finding_kind = _obd_store_column_dup (stmt, 15);
  run->finding_title = _obd_store_column_dup (stmt, 16);
  return run;
}

static ObdStoreGuideStep *
read_step (ObdStmt *stmt)
{
  ObdStoreGuideStep *step = g_new0 (ObdStoreGuideStep, 1);

  step->seq = sqlite3_column_int (stmt, 0);
  step->step_id = _obd_store_column_dup (stmt, 1);
  step->kind = _obd_store_column_dup (stmt, 2);
  step->title = _obd_store_column_dup (stmt, 3);
  step->outcome = _obd_store_column_dup (stmt, 4);
  step->value = column_double_or_nan (stmt, 5);
  step->unit = _obd_store_column_dup (stmt, 6);
  step->detail = _obd_store_column_dup (stmt, 7);
  step->manual = sqlite3_column_int (stmt, 8) != 0;
  step->recorded_us = sqlite3_column_int64 (stmt, 9);
  return step;
}

static ObdStoreGuideRun *
get_run (sqlite3  *db,
         gint64    run_id,
         GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_GUIDE_RUN_GET, error);
  g_autoptr(GError) local_error = NULL;
  ObdStoreGuideRun *run;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  run = _obd_store_query_one (db, stmt, (ObdStoreRowReader) read_run, "", &local_error);
  if (g_error_matches (local_error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND))
    g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                 _("No guided repair %" PRId64 " in the database. List the runs "
                   "to see their numbers."), run_id);
  else if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return run;
}

static GPtrArray *
list_steps (sqlite3  *db,
            gint64    run_id,
            GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_GUIDE_STEP_LIST, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  return _obd_store_query_all (db, stmt, (ObdStoreRowReader) read_step,
                               (GDestroyNotify) obd_store_guide_step_free, error);
}

static GPtrArray *
list_findings (sqlite3  *db,
               gint64    run_id,
               GError  **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_GUIDE_FINDING_LIST, error);
  g_autoptr(ObdStmt) repairs = _obd_store_prepare (db, SQL_GUIDE_REPAIR_LIST, error);
  g_autoptr(GPtrArray) findings = NULL;
  int rc;

  if (stmt == NULL || repairs == NULL)
    return NULL;
  findings = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_guide_finding_free);
  sqlite3_bind_int64 (stmt, 1, run_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ObdStoreGuideFinding *finding = obd_store_guide_finding_new ();

      finding->finding_id = _obd_store_column_dup (stmt, 1);
      finding->kind = _obd_store_column_dup (stmt, 2);
      finding->title = _obd_store_column_dup (stmt, 3);
      finding->text = _obd_store_column_dup (stmt, 4);
      finding->refer_guide = _obd_store_column_dup (stmt, 5);
      g_ptr_array_add (findings, finding);

      sqlite3_reset (repairs);
      sqlite3_bind_int64 (repairs, 1, sqlite3_column_int64 (stmt, 0));
      while ((rc = sqlite3_step (repairs)) == SQLITE_ROW)
        {
          ObdStoreGuideRepair *repair = g_new0 (ObdStoreGuideRepair, 1);

          repair->title = _obd_store_column_dup (repairs, 0);
          repair->hours = sqlite3_column_double (repairs, 1);
          repair->max_hours = column_double_or_nan (repairs, 2);
          g_ptr_array_add (finding->repairs, repair);
        }
      if (rc != SQLITE_DONE)
        break;
      rc = SQLITE_ROW;
    }
  if (rc != SQLITE_DONE)
    {
      _obd_store_set_error (db, rc, _("Could not read the database"), error);
      return NULL;
    }
  return g_steal_pointer (&findings);
}

/* The outbox payload: the whole run ------------------------------------ */

/* JSON has no infinity and no NaN: an open circuit is "over_range". */
static void
add_number_member (JsonBuilder *b,
                   const char  *name,
                   double       value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static JsonNode *
run_to_json (sqlite3  *db,
             gint64    run_id,
             GError  **error)
{
  g_autoptr(ObdStoreGuideRun) run = get_run (db, run_id, error);
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(JsonBuilder) b = NULL;

  if (run == NULL || (steps = list_steps (db, run_id, error)) == NULL ||
      (findings = list_findings (db, run_id, error)) == NULL)
    return NULL;

  b = json_builder_new ();
  json_builder_begin_object (b);
  _obd_store_json_add_string (b, "uuid", run->uuid);
  if (!_obd_store_json_add_reference (b, db, "vehicle", "vehicles", run->vehicle_id, error) ||
      !_obd_store_json_add_reference (b, db, "session", "sessions", run->session_id, error))
    return NULL;
  _obd_store_json_add_string (b, "guide", run->guide_id);
  json_builder_set_member_name (b, "guide_version");
  json_builder_add_int_value (b, run->guide_version);
  _obd_store_json_add_string (b, "guide_title", run->guide_title);
  _obd_store_json_add_string (b, "reason", run->reason);
  _obd_store_json_add_string (b, "status", obd_store_guide_run_status_to_string (run->status));
  _obd_store_json_add_string (b, "current_step", run->current_step);
  json_builder_set_member_name (b, "started_us");
  json_builder_add_int_value (b, run->started_us);
  json_builder_set_member_name (b, "updated_us");
  json_builder_add_int_value (b, run->updated_us);
  json_builder_set_member_name (b, "finished_us");
  if (run->finished_us != 0)
    json_builder_add_int_value (b, run->finished_us);
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < steps->len; i++)
    {
      const ObdStoreGuideStep *step = g_ptr_array_index (steps, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, step->seq);
      _obd_store_json_add_string (b, "step", step->step_id);
      _obd_store_json_add_string (b, "kind", step->kind);
      _obd_store_json_add_string (b, "title", step->title);
      _obd_store_json_add_string (b, "outcome", step->outcome);
      add_number_member (b, "value", step->value);
      json_builder_set_member_name (b, "over_range");
      json_builder_add_boolean_value (b, isinf (step->value) && step->value > 0);
      _obd_store_json_add_string (b, "unit", step->unit);
      json_builder_set_member_name (b, "detail");
      if (step->detail != NULL)
        {
          g_autoptr(JsonNode) detail = json_from_string (step->detail, NULL);

          if (detail != NULL)
            json_builder_add_value (b, g_steal_pointer (&detail));
          else
            json_builder_add_null_value (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "manual");
      json_builder_add_boolean_value (b, step->manual);
      json_builder_set_member_name (b, "recorded_us");
      json_builder_add_int_value (b, step->recorded_us);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++)
    {
      const ObdStoreGuideFinding *finding = g_ptr_array_index (findings, i);

      json_builder_begin_object (b);
      _obd_store_json_add_string (b, "finding", finding->finding_id);
      _obd_store_json_add_string (b, "kind", finding->kind);
      _obd_store_json_add_string (b, "title", finding->title);
      _obd_store_json_add_string (b, "text", finding->text);
      _obd_store_json_add_string (b, "refer_guide", finding->refer_guide);
      json_builder_set_member_name (b, "repairs");
      json_builder_begin_array (b);
      for (guint r = 0; r < finding->repairs->len; r++)
        {
          const ObdStoreGuideRepair *repair = g_ptr_array_index (finding->repairs, r);

          json_builder_begin_object (b);
          _obd_store_json_add_string (b, "title", repair->title);
          add_number_member (b, "hours", repair->hours);
          add_number_member (b, "max_hours", repair->max_hours);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Changes ---------------------------------------------------------------- */

static gboolean
begin_change (ObdStore  *self,
              GError   **error)
{
  if (obd_store_is_read_only (self))
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                   _("“%s” was opened read-only."), obd_store_get_path (self));
      return FALSE;
    }
  return _obd_store_begin (_obd_store_get_db (self), error);
}

/* Writes the run's outbox row, then commits; rolls back on any failure. */
static gboolean
end_change (ObdStore  *self,
            gint64     run_id,
            const char *op,
            gboolean   ok,
            GError   **error)
{
  sqlite3 *db = _obd_store_get_db (self);

  if (ok)
    {
      g_autoptr(ObdStoreGuideRun) run = get_run (db, run_id, error);
      JsonNode *payload = run != NULL ? run_to_json (db, run_id, error) : NULL;

      ok = payload != NULL &&
           _obd_store_outbox_add (db, "guide_run", run->uuid, op, payload, error);
    }
  if (ok && _obd_store_commit (db, error))
    return TRUE;
  _obd_store_rollback (db);
  return FALSE;
}

static gboolean
exists (sqlite3     *db,
        const char  *sql,
        gint64       id,
        const char  *not_found,
        GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND, not_found);
  else
    _obd_store_set_error (db, rc, _("Could not read the database"), error);
  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
check_text (const char  *text,
            const char  *what,
            GError     **error)
{
  if (!is_blank (text) && g_utf8_validate (text, -1, NULL))
    return TRUE;
  /* TRANSLATORS: %s names a field, e.g. “guide”, “step” */
  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
               _("A guided repair needs a valid %s; nothing was saved."), what);
  return FALSE;
}

/* The run, checked to be active, inside the caller's transaction. */
static ObdStoreGuideRun *
get_active_run (sqlite3  *db,
                gint64    run_id,
                GError  **error)
{
  g_autoptr(ObdStoreGuideRun) run = get_run (db, run_id, error);

  if (run != NULL && run->status != OBD_STORE_GUIDE_RUN_ACTIVE)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED,
                   _("This guided repair has ended; its record cannot change. Start the "
                     "guide again for a new run."));
      return NULL;
    }
  return g_steal_pointer (&run);
}

static gboolean
move_run (sqlite3     *db,
          gint64       run_id,
          const char  *current_step,
          GError     **error)
{
  g_autoptr(ObdStmt) stmt = _obd_store_prepare (db, SQL_GUIDE_RUN_MOVE, error);

  if (stmt == NULL)
    return FALSE;
  _obd_store_bind_text (stmt, 1, current_step);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 3, run_id);
  return _obd_store_step_done (db, stmt, error);
}

gint64
obd_store_start_guide_run (ObdStore    *self,
                           gint64       vehicle_id,
                           gint64       session_id,
                           const char  *guide_id,
                           int          guide_version,
                           const char  *guide_title,
                           const char  *reason,
                           const char  *first_step,
                           gint64       started_us,
                           GError     **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), 0);

  if (!check_text (guide_id, _("guide"), error) ||
      !check_text (guide_title, _("guide title"), error) ||
      !check_text (first_step, _("first step"), error) ||
      (reason != NULL && !check_text (reason, _("reason"), error)) ||
      !begin_change (self, error))
    return 0;

  db = _obd_store_get_db (self);
  ok = (vehicle_id == 0 ||
        exists (db, SQL_VEHICLE_EXISTS, vehicle_id, _("No such vehicle in the database."), error)) &&
       (session_id == 0 ||
        exists (db, SQL_SESSION_EXISTS, session_id,
                _("No such session in the database. List the sessions to see their numbers."),
                error));
  ok = ok && (stmt = _obd_store_prepare (db, SQL_GUIDE_RUN_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      bind_id_or_null (stmt, 2, vehicle_id);
      bind_id_or_null (stmt, 3, session_id);
      sqlite3_bind_text (stmt, 4, guide_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 5, guide_version);
      sqlite3_bind_text (stmt, 6, guide_title, -1, SQLITE_STATIC);
      _obd_store_bind_text (stmt, 7, reason);
      sqlite3_bind_text (stmt, 8, first_step, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, started_us);
      sqlite3_bind_int64 (stmt, 10, started_us);
      ok = _obd_store_step_done (db, stmt, error);
      id = sqlite3_last_insert_rowid (db);
    }
  return end_change (self, id, "insert", ok, error) ? id : 0;
}

gboolean
obd_store_add_guide_run_step (ObdStore                 *self,
                              gint64                    run_id,
                              const ObdStoreGuideStep  *step,
                              const char               *current_step,
                              GError                  **error)
{
  sqlite3 *db;
  g_autoptr(ObdStoreGuideRun) run = NULL;
  g_autoptr(ObdStmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (step != NULL, FALSE);

  if (!check_text (step->step_id, _("step"), error) ||
      !check_text (step->kind, _("step kind"), error) ||
      !check_text (step->outcome, _("outcome"), error))
    return FALSE;
  if (step->detail != NULL)
    {
      g_autoptr(JsonNode) detail = json_from_string (step->detail, NULL);

      if (detail == NULL || !JSON_NODE_HOLDS_OBJECT (detail))
        {
          g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                       _("The evidence of step “%s” is not a JSON object; nothing was saved."),
                       step->step_id);
          return FALSE;
        }
    }
  if (isinf (step->value) && step->value < 0)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("The value of step “%s” is not a number; nothing was saved."),
                   step->step_id);
      return FALSE;
    }
  if (!begin_change (self, error))
    return FALSE;

  db = _obd_store_get_db (self);
  ok = (run = get_active_run (db, run_id, error)) != NULL;
  if (ok && step->seq != run->n_steps + 1)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("Step %u of guided repair %" PRId64 " arrived out of order "
                     "(expected step %u); nothing was saved."),
                   step->seq, run_id, run->n_steps + 1);
      ok = FALSE;
    }
  ok = ok && (stmt = _obd_store_prepare (db, SQL_GUIDE_STEP_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, run_id);
      sqlite3_bind_int (stmt, 2, step->seq);
      sqlite3_bind_text (stmt, 3, step->step_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, step->kind, -1, SQLITE_STATIC);
      _obd_store_bind_text (stmt, 5, step->title);
      sqlite3_bind_text (stmt, 6, step->outcome, -1, SQLITE_STATIC);
      bind_double_or_null (stmt, 7, step->value);
      _obd_store_bind_text (stmt, 8, step->unit);
      _obd_store_bind_text (stmt, 9, step->detail);
      sqlite3_bind_int (stmt, 10, step->manual ? 1 : 0);
      sqlite3_bind_int64 (stmt, 11, step->recorded_us);
      ok = _obd_store_step_done (db, stmt, error);
    }
  ok = ok && move_run (db, run_id, current_step, error);
  return end_change (self, run_id, "update", ok, error);
}

gboolean
obd_store_rewind_guide_run (ObdStore    *self,
                            gint64       run_id,
                            guint        keep_seq,
                            const char  *current_step,
                            GError     **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreGuideRun) run = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!check_text (current_step, _("step"), error) || !begin_change (self, error))
    return FALSE;

  db = _obd_store_get_db (self);
  ok = (run = get_run (db, run_id, error)) != NULL;
  if (ok && run->status == OBD_STORE_GUIDE_RUN_ABANDONED)
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED,
                   _("This guided repair was abandoned; its record cannot change. Start the "
                     "guide again for a new run."));
      ok = FALSE;
    }
  /* Going back from the finding reopens the run: the finding goes. */
  if (ok && run->status == OBD_STORE_GUIDE_RUN_FINISHED)
    {
      g_autoptr(ObdStmt) findings = _obd_store_prepare (db, SQL_GUIDE_FINDING_DELETE, error);
      g_autoptr(ObdStmt) reopen = findings != NULL ? _obd_store_prepare (db, SQL_GUIDE_RUN_REOPEN,
                                                                         error) : NULL;

      ok = reopen != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (findings, 1, run_id);
          sqlite3_bind_int64 (reopen, 1, run_id);
          ok = _obd_store_step_done (db, findings, error) && _obd_store_step_done (db, reopen, error);
        }
    }
  ok = ok && (stmt = _obd_store_prepare (db, SQL_GUIDE_STEP_TRIM, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, run_id);
      sqlite3_bind_int (stmt, 2, keep_seq);
      ok = _obd_store_step_done (db, stmt, error);
    }
  ok = ok && move_run (db, run_id, current_step, error);
  return end_change (self, run_id, "update", ok, error);
}

gboolean
obd_store_finish_guide_run (ObdStore                    *self,
                            gint64                       run_id,
                            const ObdStoreGuideFinding  *finding,
                            gint64                       finished_us,
                            GError                     **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStmt) repair_stmt = NULL;
  g_autoptr(ObdStoreGuideRun) run = NULL;
  gint64 finding_row = 0;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);
  g_return_val_if_fail (finding != NULL, FALSE);

  if (!check_text (finding->finding_id, _("finding"), error) ||
      !check_text (finding->title, _("finding title"), error))
    return FALSE;
  if (finding->kind == NULL || !g_strv_contains (finding_kinds, finding->kind))
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                   _("Unknown kind of finding “%s”; nothing was saved."),
                   finding->kind != NULL ? finding->kind : "");
      return FALSE;
    }
  for (guint i = 0; finding->repairs != NULL && i < finding->repairs->len; i++)
    {
      const ObdStoreGuideRepair *repair = g_ptr_array_index (finding->repairs, i);

      if (!check_text (repair->title, _("repair"), error))
        return FALSE;
      if (!isfinite (repair->hours) || repair->hours < 0 ||
          (!isnan (repair->max_hours) &&
           (!isfinite (repair->max_hours) || repair->max_hours < repair->hours)))
        {
          g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                       _("The labour time of “%s” is not a valid number of hours; nothing "
                         "was saved."), repair->title);
          return FALSE;
        }
    }
  if (!begin_change (self, error))
    return FALSE;

  db = _obd_store_get_db (self);
  ok = (run = get_active_run (db, run_id, error)) != NULL;
  ok = ok && (stmt = _obd_store_prepare (db, SQL_GUIDE_FINDING_INSERT, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, run_id);
      sqlite3_bind_text (stmt, 2, finding->finding_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, finding->kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, finding->title, -1, SQLITE_STATIC);
      _obd_store_bind_text (stmt, 5, finding->text);
      _obd_store_bind_text (stmt, 6, finding->refer_guide);
      ok = _obd_store_step_done (db, stmt, error);
      finding_row = sqlite3_last_insert_rowid (db);
    }
  ok = ok && (repair_stmt = _obd_store_prepare (db, SQL_GUIDE_REPAIR_INSERT, error)) != NULL;
  for (guint i = 0; ok && finding->repairs != NULL && i < finding->repairs->len; i++)
    {
      const ObdStoreGuideRepair *repair = g_ptr_array_index (finding->repairs, i);

      sqlite3_bind_int64 (repair_stmt, 1, finding_row);
      sqlite3_bind_int (repair_stmt, 2, i + 1);
      sqlite3_bind_text (repair_stmt, 3, repair->title, -1, SQLITE_STATIC);
      sqlite3_bind_double (repair_stmt, 4, repair->hours);
      bind_double_or_null (repair_stmt, 5, repair->max_hours);
      ok = _obd_store_step_done (db, repair_stmt, error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  ok = ok && (stmt = _obd_store_prepare (db, SQL_GUIDE_RUN_FINISH, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
      sqlite3_bind_int64 (stmt, 2, finished_us);
      sqlite3_bind_int64 (stmt, 3, run_id);
      ok = _obd_store_step_done (db, stmt, error);
    }
  return end_change (self, run_id, "update", ok, error);
}

gboolean
obd_store_abandon_guide_run (ObdStore  *self,
                             gint64     run_id,
                             GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;
  g_autoptr(ObdStoreGuideRun) run = NULL;
  gboolean ok;

  g_return_val_if_fail (OBD_IS_STORE (self), FALSE);

  if (!begin_change (self, error))
    return FALSE;
  db = _obd_store_get_db (self);
  ok = (run = get_active_run (db, run_id, error)) != NULL;
  ok = ok && (stmt = _obd_store_prepare (db, SQL_GUIDE_RUN_ABANDON, error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
      sqlite3_bind_int64 (stmt, 2, run_id);
      ok = _obd_store_step_done (db, stmt, error);
    }
  return end_change (self, run_id, "update", ok, error);
}

ObdStoreGuideRun *
obd_store_get_guide_run (ObdStore  *self,
                         gint64     run_id,
                         GError   **error)
{
  g_return_val_if_fail (OBD_IS_STORE (self), NULL);
  return get_run (_obd_store_get_db (self), run_id, error);
}

GPtrArray *
obd_store_list_guide_runs (ObdStore  *self,
                           gint64     vehicle_id,
                           gint64     session_id,
                           GError   **error)
{
  sqlite3 *db;
  g_autoptr(ObdStmt) stmt = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  db = _obd_store_get_db (self);
  stmt = _obd_store_prepare (db, SQL_GUIDE_RUN_LIST, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, vehicle_id);
  sqlite3_bind_int64 (stmt, 2, session_id);
  return _obd_store_query_all (db, stmt, (ObdStoreRowReader) read_run,
                               (GDestroyNotify) obd_store_guide_run_free, error);
}

GPtrArray *
obd_store_list_guide_run_steps (ObdStore  *self,
                                gint64     run_id,
                                GError   **error)
{
  g_autoptr(ObdStoreGuideRun) run = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  run = get_run (_obd_store_get_db (self), run_id, error);
  return run != NULL ? list_steps (_obd_store_get_db (self), run_id, error) : NULL;
}

GPtrArray *
obd_store_list_guide_run_findings (ObdStore  *self,
                                   gint64     run_id,
                                   GError   **error)
{
  g_autoptr(ObdStoreGuideRun) run = NULL;

  g_return_val_if_fail (OBD_IS_STORE (self), NULL);

  run = get_run (_obd_store_get_db (self), run_id, error);
  return run != NULL ? list_findings (_obd_store_get_db (self), run_id, error) : NULL;
}
