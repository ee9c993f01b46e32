/* test-guide-store.c — guided-repair runs in the local store: schema step,
 * rows, outbox, hostile input, read-only and migrated stores
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-guide-store"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "obd-store-guide.h"

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)

typedef struct
{
  char     *dir;
  char     *path;
  ObdStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-guide-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static ObdStore *
open_store (Fixture           *f,
            ObdStoreOpenFlags  flags)
{
  g_autoptr(GError) error = NULL;
  ObdStore *store = obd_store_open (f->path, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gint64
start_run (ObdStore   *store,
           gint64      vehicle_id)
{
  g_autoptr(GError) error = NULL;
  gint64 id = obd_store_start_guide_run (store, vehicle_id, 0, "thermostat", 3,
                                         "Engine warms up too slowly", "code:P0128",
                                         "confirm", T0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
add_step (ObdStore   *store,
          gint64      run_id,
          guint       seq,
          const char *step_id,
          const char *kind,
          const char *outcome,
          double      value,
          const char *next)
{
  g_autoptr(GError) error = NULL;
  ObdStoreGuideStep step = {
    .seq = seq, .step_id = (char *) step_id, .kind = (char *) kind,
    .title = (char *) "A step", .outcome = (char *) outcome, .value = value,
    .unit = isnan (value) ? NULL : (char *) "°C", .recorded_us = T0 + seq * G_USEC_PER_SEC,
  };

  g_assert_true (obd_store_add_guide_run_step (store, run_id, &step, next, &error));
  g_assert_no_error (error);
}

/* The last outbox payload of the run, parsed. */
static JsonNode *
last_payload (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) outbox = obd_store_list_outbox (store, 0, 1000, &error);
  const ObdStoreOutboxEntry *entry;
  JsonNode *node;

  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, >, 0);
  entry = g_ptr_array_index (outbox, outbox->len - 1);
  g_assert_cmpstr (entry->entity, ==, "guide_run");
  node = json_from_string (entry->payload, &error);
  g_assert_no_error (error);
  return node;
}

static void
test_run_lifecycle (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreGuideRun) run = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(ObdStoreGuideFinding) finding = obd_store_guide_finding_new ();
  g_autoptr(JsonNode) payload = NULL;
  ObdStoreGuideRepair *repair;
  const ObdStoreGuideFinding *read;
  gint64 vehicle, id;
  JsonObject *root;

  f->store = open_store (f, OBD_STORE_OPEN_DEFAULT);
  vehicle = obd_store_ensure_vehicle (f->store, "1HGCR2F30EA012345", "Honda", "Accord", 2014,
                                      &error);
  g_assert_no_error (error);
  id = start_run (f->store, vehicle);

  run = obd_store_get_guide_run (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->status, ==, OBD_STORE_GUIDE_RUN_ACTIVE);
  g_assert_cmpstr (run->current_step, ==, "confirm");
  g_assert_cmpstr (run->reason, ==, "code:P0128");
  g_assert_cmpint (run->vehicle_id, ==, vehicle);
  g_assert_cmpint (run->session_id, ==, 0);
  g_assert_cmpuint (run->n_steps, ==, 0);
  g_assert_null (run->finding_id);
  g_clear_pointer (&run, obd_store_guide_run_free);

  add_step (f->store, id, 1, "confirm", "code-check", "present", NAN, "warm-up");
  add_step (f->store, id, 2, "warm-up", "live-check", "timeout", 68.4, "inspect");
  add_step (f->store, id, 3, "inspect", "question", "no", NAN, "wrong-way");

  /* Out of order: refused, nothing written. */
  {
    ObdStoreGuideStep step = { .seq = 7, .step_id = (char *) "x", .kind = (char *) "question",
                               .outcome = (char *) "yes", .value = NAN };

    g_assert_false (obd_store_add_guide_run_step (f->store, id, &step, "y", &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* Back one step: the answer goes, the run is on "inspect" again. */
  g_assert_true (obd_store_rewind_guide_run (f->store, id, 2, "inspect", &error));
  g_assert_no_error (error);
  add_step (f->store, id, 3, "inspect", "question", "yes", NAN, NULL);

  steps = obd_store_list_guide_run_steps (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 3);
  g_assert_cmpstr (((ObdStoreGuideStep *) g_ptr_array_index (steps, 2))->outcome, ==, "yes");
  g_assert_cmpfloat (((ObdStoreGuideStep *) g_ptr_array_index (steps, 1))->value, ==, 68.4);
  g_assert_true (isnan (((ObdStoreGuideStep *) g_ptr_array_index (steps, 0))->value));

  finding->finding_id = g_strdup ("thermostat-stuck-open");
  finding->kind = g_strdup ("fault");
  finding->title = g_strdup ("Thermostat stuck open");
  finding->text = g_strdup ("The engine never reaches its regulated temperature.");
  repair = g_new0 (ObdStoreGuideRepair, 1);
  repair->title = g_strdup ("Replace the thermostat and its seal");
  repair->hours = 0.8;
  repair->max_hours = 2.5;
  g_ptr_array_add (finding->repairs, repair);
  repair = g_new0 (ObdStoreGuideRepair, 1);
  repair->title = g_strdup ("Refill and bleed the cooling system");
  repair->hours = 0.3;
  repair->max_hours = NAN;
  g_ptr_array_add (finding->repairs, repair);
  g_assert_true (obd_store_finish_guide_run (f->store, id, finding, T0 + 600 * G_USEC_PER_SEC,
                                             &error));
  g_assert_no_error (error);

  /* What a report reads. */
  findings = obd_store_list_guide_run_findings (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (findings->len, ==, 1);
  read = g_ptr_array_index (findings, 0);
  g_assert_cmpstr (read->finding_id, ==, "thermostat-stuck-open");
  g_assert_cmpstr (read->kind, ==, "fault");
  g_assert_cmpuint (read->repairs->len, ==, 2);
  g_assert_cmpfloat (((ObdStoreGuideRepair *) g_ptr_array_index (read->repairs, 0))->max_hours,
                     ==, 2.5);
  g_assert_true (isnan (((ObdStoreGuideRepair *) g_ptr_array_index (read->repairs, 1))->max_hours));

  runs = obd_store_list_guide_runs (f->store, vehicle, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  run = g_ptr_array_steal_index (runs, 0);
  g_assert_cmpint (run->status, ==, OBD_STORE_GUIDE_RUN_FINISHED);
  g_assert_null (run->current_step);
  g_assert_cmpstr (run->finding_id, ==, "thermostat-stuck-open");
  g_assert_cmpstr (run->finding_kind, ==, "fault");
  g_assert_cmpuint (run->n_steps, ==, 3);
  g_assert_cmpint (run->finished_us, ==, T0 + 600 * G_USEC_PER_SEC);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = obd_store_list_guide_runs (f->store, vehicle + 1, 0, &error);
  g_assert_cmpuint (runs->len, ==, 0);

  /* Every change went out with the whole run. */
  payload = last_payload (f->store);
  root = json_node_get_object (payload);
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "finished");
  g_assert_cmpstr (json_object_get_string_member (root, "vehicle"), !=, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "steps")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "findings")),
                    ==, 1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM outbox WHERE entity = 'guide_run'"),
                   ==, 7);

  /* A finished run does not change. */
  {
    ObdStoreGuideStep step = { .seq = 4, .step_id = (char *) "x", .kind = (char *) "question",
                               .outcome = (char *) "yes", .value = NAN };

    g_assert_false (obd_store_add_guide_run_step (f->store, id, &step, "y", &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
    g_clear_error (&error);
    g_assert_false (obd_store_finish_guide_run (f->store, id, finding, T0, &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
    g_clear_error (&error);
    g_assert_false (obd_store_abandon_guide_run (f->store, id, &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
    g_clear_error (&error);
  }
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM guide_run_findings"), ==, 1);

  /* Going back from the finding reopens the run; the finding goes. */
  g_assert_true (obd_store_rewind_guide_run (f->store, id, 2, "inspect", &error));
  g_assert_no_error (error);
  g_clear_pointer (&run, obd_store_guide_run_free);
  run = obd_store_get_guide_run (f->store, id, &error);
  g_assert_cmpint (run->status, ==, OBD_STORE_GUIDE_RUN_ACTIVE);
  g_assert_cmpint (run->finished_us, ==, 0);
  g_assert_null (run->finding_id);
  g_assert_cmpuint (run->n_steps, ==, 2);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM guide_run_findings"), ==, 0);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM guide_run_repairs"), ==, 0);

  /* An abandoned run stays as it was. */
  g_assert_true (obd_store_abandon_guide_run (f->store, id, &error));
  g_assert_false (obd_store_rewind_guide_run (f->store, id, 1, "warm-up", &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM guide_run_steps"), ==, 2);
}

static void
test_hostile_input (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreGuideFinding) finding = obd_store_guide_finding_new ();
  g_autoptr(GPtrArray) steps = NULL;
  ObdStoreGuideRepair *repair;
  gint64 id;

  f->store = open_store (f, OBD_STORE_OPEN_DEFAULT);

  /* Blank ids, unknown rows. */
  g_assert_cmpint (obd_store_start_guide_run (f->store, 0, 0, "  ", 1, "T", NULL, "a", T0,
                                              &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (obd_store_start_guide_run (f->store, 0, 0, "g", 1, "T", NULL, "\xff\xfe", T0,
                                              &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (obd_store_start_guide_run (f->store, 42, 0, "g", 1, "T", NULL, "a", T0,
                                              &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (obd_store_start_guide_run (f->store, 0, 42, "g", 1, "T", NULL, "a", T0,
                                              &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (obd_store_get_guide_run (f->store, 42, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (obd_store_list_guide_run_steps (f->store, 42, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM guide_runs"), ==, 0);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM outbox"), ==, 0);

  id = start_run (f->store, 0);

  /* Evidence that is not a JSON object; minus infinity. */
  {
    ObdStoreGuideStep step = { .seq = 1, .step_id = (char *) "s", .kind = (char *) "live-check",
                               .outcome = (char *) "pass", .value = NAN,
                               .detail = (char *) "{\"broken\": " };

    g_assert_false (obd_store_add_guide_run_step (f->store, id, &step, "t", &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
    g_clear_error (&error);
    step.detail = (char *) "[1, 2]";
    g_assert_false (obd_store_add_guide_run_step (f->store, id, &step, "t", &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
    g_clear_error (&error);
    step.detail = NULL;
    step.value = -INFINITY;
    g_assert_false (obd_store_add_guide_run_step (f->store, id, &step, "t", &error));
    g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
    g_clear_error (&error);

    /* An open circuit is kept as such, and sent as over range. */
    step.value = INFINITY;
    step.kind = (char *) "measurement";
    step.outcome = (char *) "high";
    step.detail = (char *) "{\"expected\": [2, 15]}";
    g_assert_true (obd_store_add_guide_run_step (f->store, id, &step, "t", &error));
    g_assert_no_error (error);
    steps = obd_store_list_guide_run_steps (f->store, id, &error);
    g_assert_true (isinf (((ObdStoreGuideStep *) g_ptr_array_index (steps, 0))->value));
    {
      g_autoptr(JsonNode) payload = last_payload (f->store);
      JsonObject *first = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (payload), "steps"), 0);

      g_assert_true (json_object_get_boolean_member (first, "over_range"));
      g_assert_true (json_object_get_null_member (first, "value"));
      g_assert_true (json_object_has_member (json_object_get_object_member (first, "detail"),
                                             "expected"));
    }
  }

  /* Findings: an unknown kind, a labour time that is not a time. */
  finding->finding_id = g_strdup ("f");
  finding->title = g_strdup ("T");
  finding->kind = g_strdup ("maybe");
  g_assert_false (obd_store_finish_guide_run (f->store, id, finding, T0, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_free (finding->kind);
  finding->kind = g_strdup ("fault");
  repair = g_new0 (ObdStoreGuideRepair, 1);
  repair->title = g_strdup ("Replace");
  repair->hours = NAN;
  repair->max_hours = NAN;
  g_ptr_array_add (finding->repairs, repair);
  g_assert_false (obd_store_finish_guide_run (f->store, id, finding, T0, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  repair->hours = 2;
  repair->max_hours = 1;
  g_assert_false (obd_store_finish_guide_run (f->store, id, finding, T0, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM guide_run_findings"), ==, 0);
  g_assert_cmpint (raw_int (f->path, "SELECT status = 'active' FROM guide_runs"), ==, 1);

  /* Abandoned: kept for history, closed to changes. */
  g_assert_true (obd_store_abandon_guide_run (f->store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f->path, "SELECT status = 'abandoned' FROM guide_runs"), ==, 1);
}

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  gint64 id;

  f->store = open_store (f, OBD_STORE_OPEN_DEFAULT);
  id = start_run (f->store, 0);
  g_clear_object (&f->store);

  f->store = open_store (f, OBD_STORE_OPEN_READ_ONLY);
  runs = obd_store_list_guide_runs (f->store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_false (obd_store_abandon_guide_run (f->store, id, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_cmpint (obd_store_start_guide_run (f->store, 0, 0, "g", 1, "T", NULL, "a", T0,
                                              &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY);
}

/* A store of the previous schema gets the guide tables and keeps its
 * rows. */
static void
test_migrate (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *fixture = g_build_filename (TEST_DATA_DIR, "store", "schema-v3.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;
  gint64 id;

  g_file_get_contents (fixture, &sql, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  sqlite3_close (db);
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, 3);

  f->store = open_store (f, OBD_STORE_OPEN_DEFAULT);
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, obd_store_get_schema_version ());
  notes = obd_store_list_notes (f->store, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM maintenance_items"), ==, 1);

  id = obd_store_start_guide_run (f->store, 1, 2, "misfire-cylinder", 1, "Misfire", NULL, "a",
                                  T0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/guide/store/lifecycle", Fixture, NULL, fixture_setup, test_run_lifecycle,
              fixture_teardown);
  g_test_add ("/guide/store/hostile-input", Fixture, NULL, fixture_setup, test_hostile_input,
              fixture_teardown);
  g_test_add ("/guide/store/read-only", Fixture, NULL, fixture_setup, test_read_only,
              fixture_teardown);
  g_test_add ("/guide/store/migrate", Fixture, NULL, fixture_setup, test_migrate,
              fixture_teardown);

  return g_test_run ();
}
