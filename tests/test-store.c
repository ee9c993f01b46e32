/* test-store.c — the local store: schema, migrations, rows, outbox, chain,
 * export, and files that are not ours
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store"
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "obd-recorder.h"
#include "obd-store.h"
#include "store-damage.h"

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Raw SQLite access, to look behind the API's back ------------------- */

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
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

static char *
raw_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static ObdStore *
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ObdStore *store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static ObdSample
sample (gint64  time_us,
        guint8  pid,
        guint8  index,
        guint32 ecu,
        double  value)
{
  ObdSample s = { .time_us = time_us, .ecu = ecu, .service = 1, .pid = pid,
                  .index = index, .value = value };
  return s;
}

/* Records one session through the real recorder. */
static gint64
record_session (ObdStore        *store,
                gint64           vehicle_id,
                const ObdSample *samples,
                gsize            n_samples)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  gint64 id;

  g_assert_no_error (error);
  id = obd_recorder_start_session (recorder, vehicle_id, "can11-500", "ELM327 v1.5", "sim",
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  obd_recorder_push_samples (recorder, samples, n_samples);
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  return id;
}

static GPtrArray *
outbox (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = obd_store_list_outbox (store, 0, 1000, &error);

  g_assert_no_error (error);
  return entries;
}

static JsonObject *
parse_object (const char *text,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* Schema --------------------------------------------------------------- */

/* Two openers of one new file at once — the app's store thread and its
 * sync client, or the app and obd2 — both get the store.  Before each
 * probe read the id, version and tables in one snapshot and the set-up
 * waited out SQLITE_BUSY, about one opener in six failed ("database is
 * locked", or the half-created file called foreign). */
static gpointer
open_concurrently (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (data, OBD_STORE_OPEN_DEFAULT, &error);

  return error != NULL ? g_strdup (error->message) : NULL;
}

static void
test_open_concurrent (Fixture       *f,
                      gconstpointer  data)
{
  for (guint round = 0; round < 40; round++)
    {
      g_autofree char *path = g_strdup_printf ("%s/concurrent-%u.db", f->dir, round);
      GThread *a = g_thread_new ("opener-a", open_concurrently, path);
      GThread *b = g_thread_new ("opener-b", open_concurrently, path);
      g_autofree char *failure_a = g_thread_join (a);
      g_autofree char *failure_b = g_thread_join (b);

      g_assert_null (failure_a);
      g_assert_null (failure_b);
    }
}

static void
test_open_new (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autofree char *nested = g_build_filename (f->dir, "a", "b", "store.db", NULL);
  g_autofree char *mode = NULL;
  g_autoptr(GError) error = NULL;

  store = obd_store_open (nested, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpstr (obd_store_get_path (store), ==, nested);
  g_assert_false (obd_store_is_read_only (store));
  obd_store_check_integrity (store, &error);
  g_assert_no_error (error);

  g_assert_cmpint (raw_int (nested, "PRAGMA user_version"), ==, obd_store_get_schema_version ());
  g_assert_cmpint (raw_int (nested, "PRAGMA application_id"), ==, 0x4F424432);
  mode = raw_text (nested, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_clear_object (&store);

  /* Opening again changes nothing. */
  store = obd_store_open (nested, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  {
    g_autofree char *a = g_build_filename (f->dir, "a", NULL);
    g_autofree char *b = g_build_filename (f->dir, "a", "b", NULL);
    g_unlink (nested);
    g_rmdir (b);
    g_rmdir (a);
  }
}

static void
test_default_path (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "obd2-diagnostics",
                                                "store.db", NULL);

  g_assert_cmpstr (obd_store_get_default_path (), ==, expected);
}

static void
build_from_fixture (Fixture    *f,
                    const char *name)
{
  g_autofree char *fixture = g_build_filename (TEST_DATA_DIR, "store", name, NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (fixture, &sql, NULL, &error);
  g_assert_no_error (error);
  raw_exec (f->path, sql);
}

/* Data every earlier version had, still there after migration. */
static void
check_migrated_common (ObdStore *store,
                       Fixture  *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  g_autoptr(GArray) rpm = NULL;
  gint64 bad = -1;

  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==,
                   obd_store_get_schema_version ());

  vehicle = obd_store_get_vehicle (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vehicle->uuid, ==, "0b6f2d4e-6a51-4c1e-9d59-2f0d3f1b7a01");
  g_assert_cmpstr (vehicle->vin, ==, "WVWZZZ1JZXW000001");
  g_assert_cmpstr (vehicle->make, ==, "Volkswagen");
  g_assert_cmpstr (vehicle->model, ==, "Golf");
  g_assert_cmpint (vehicle->year, ==, 1999);
  g_assert_cmpstr (vehicle->plate, ==, "AB-123");
  g_assert_cmpstr (vehicle->owner_name, ==, "Kim Meyer");
  g_assert_cmpint (vehicle->odometer_km, ==, 185000);

  rpm = obd_store_get_series (store, 1, 0x0C, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rpm->len, >=, 2);
  g_assert_cmpint (g_array_index (rpm, ObdStorePoint, 0).time_us, ==, 1700000100100000);
  g_assert_cmpfloat_with_epsilon (g_array_index (rpm, ObdStorePoint, 0).value, 812.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (rpm, ObdStorePoint, 1).value, 815.25, 1e-9);

  /* The recorded history still verifies after the migration. */
  obd_store_verify_chain (store, &bad, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bad, ==, 0);

  /* And the newest tables work. */
  g_assert_cmpint (obd_store_add_note (store, 1, 0, "test", "after migration", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (obd_store_add_maintenance_item (store, 1, "Oil", 15000, 365, -1, 0, &error),
                   >, 0);
  g_assert_no_error (error);
}

static void
test_migrate_v0 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;

  /* Version 0: an empty file (as a file manager's "new file" makes). */
  g_file_set_contents (f->path, "", 0, &error);
  g_assert_no_error (error);
  store = open_store (f);
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==,
                   obd_store_get_schema_version ());
  sessions = obd_store_list_sessions (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 0);
}

static void
test_migrate_v1 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  ObdStoreSession *s;

  build_from_fixture (f, "schema-v1.sql");
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, 1);
  store = open_store (f);
  check_migrated_common (store, f);

  sessions = obd_store_list_sessions (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 2);
  /* Newest first. */
  s = g_ptr_array_index (sessions, 0);
  g_assert_cmpint (s->id, ==, 2);
  g_assert_cmpint (s->status, ==, OBD_STORE_SESSION_INTERRUPTED);
  g_assert_cmpstr (s->connection, ==, "/dev/ttyUSB0");
  g_assert_cmpint (s->sample_count, ==, 2);  /* filled in by migration step 2 */
  g_assert_cmpstr (s->vehicle_vin, ==, "WVWZZZ1JZXW000001");
  g_assert_cmpstr (s->vehicle_name, ==, "Volkswagen Golf 1999");
  s = g_ptr_array_index (sessions, 1);
  g_assert_cmpint (s->id, ==, 1);
  g_assert_cmpint (s->status, ==, OBD_STORE_SESSION_COMPLETE);
  g_assert_cmpint (s->sample_count, ==, 6);
  g_assert_cmpint (s->started_us, ==, 1700000100000000);
  g_assert_cmpint (s->ended_us, ==, 1700000160000000);
  g_assert_null (s->prev_hash);

  entries = outbox (store);
  g_assert_cmpuint (entries->len, >=, 1);
  g_assert_cmpint (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 0))->seq, ==, 1);
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 0))->entity, ==,
                   "vehicle");
}

static void
test_migrate_v2 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(ObdStoreSession) abandoned = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  ObdStoreDtcEvent *event;
  JsonObject *root, *frame;
  JsonArray *array;

  build_from_fixture (f, "schema-v2.sql");
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, 2);
  store = open_store (f);
  check_migrated_common (store, f);

  /* Left "recording" without a live recorder: interrupted, ended at its
   * last sample, and sealed onto the chain. */
  abandoned = obd_store_get_session (store, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (abandoned->status, ==, OBD_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (abandoned->ended_us, ==, 1700000300500000);
  g_assert_nonnull (abandoned->hash);
  g_assert_cmpstr (abandoned->prev_hash, ==,
                   "6bc4a8a54a0879a521a253c025378eb8e509b7ba499119770035a67485b63eaf");

  events = obd_store_list_dtc_events (store, 1, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpstr (event->code, ==, "P0301");
  g_assert_cmpint (event->kind, ==, OBD_DTC_KIND_STORED);
  g_assert_cmpint (event->session_id, ==, 2);

  out = g_memory_output_stream_new_resizable ();
  obd_store_export_session (store, 2, OBD_STORE_FORMAT_JSON, OBD_UNIT_SYSTEM_SI, out, NULL,
                            &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  root = parse_object (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), parser);
  array = json_object_get_array_member (root, "freeze_frames");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  frame = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (frame, "dtc"), ==, "P0301");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (frame, "values")), ==,
                    2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "readiness")),
                    ==, 2);
  array = json_object_get_array_member (root, "mode06");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 0), "mid"),
                   ==, 161);
}

static void
test_too_new (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);

  raw_exec (f->path, "PRAGMA application_id = 1329742898; PRAGMA user_version = 99;"
                     "CREATE TABLE future_things (x);");
  before = file_checksum (f->path);

  store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_TOO_NEW);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "newer version"));
  g_clear_error (&error);

  store = obd_store_open (f->path, OBD_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_TOO_NEW);
  g_assert_null (store);

  after = file_checksum (f->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

/* Files that are not ours --------------------------------------------- */

static void
expect_untouched (Fixture *f,
                  int      code,
                  const char *expected_text)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = file_checksum (f->path);
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);

  for (int i = 0; i < 2; i++)
    {
      store = obd_store_open (f->path, i == 0 ? OBD_STORE_OPEN_DEFAULT : OBD_STORE_OPEN_READ_ONLY,
                              &error);
      g_assert_error (error, OBD_STORE_ERROR, code);
      g_assert_null (store);
      g_assert_nonnull (strstr (error->message, f->path));
      g_assert_nonnull (strstr (error->message, expected_text));
      g_clear_error (&error);
    }

  after = file_checksum (f->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_foreign_text (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->path, "time,rpm\n2024-05-01,800\n", -1, &error);
  g_assert_no_error (error);
  expect_untouched (f, OBD_STORE_ERROR_NOT_A_DATABASE,
                    "is not an OBD2 Diagnostics database. Choose another file or move it away.");
}

static void
test_foreign_random (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  guint8 bytes[8192];

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_file_set_contents (f->path, (const char *) bytes, sizeof bytes, &error);
  g_assert_no_error (error);
  expect_untouched (f, OBD_STORE_ERROR_NOT_A_DATABASE, "is not an OBD2 Diagnostics database");
}

static void
test_foreign_sqlite (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *mode = NULL;
  g_autofree char *tables = NULL;

  /* Another program's perfectly valid database, in rollback-journal mode. */
  raw_exec (f->path, "CREATE TABLE contacts (name TEXT, phone TEXT);"
                     "INSERT INTO contacts VALUES ('Ann', '555-0101');");
  expect_untouched (f, OBD_STORE_ERROR_NOT_A_DATABASE, "is not an OBD2 Diagnostics database");

  mode = raw_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "delete");
  tables = raw_text (f->path, "SELECT group_concat (name) FROM sqlite_schema");
  g_assert_cmpstr (tables, ==, "contacts");
}

static void
test_foreign_other_app_id (Fixture       *f,
                           gconstpointer  data)
{
  raw_exec (f->path, "PRAGMA application_id = 1196444487;"  /* GeoPackage, "GPKG" */
                     "CREATE TABLE gpkg_contents (table_name TEXT);");
  expect_untouched (f, OBD_STORE_ERROR_NOT_A_DATABASE, "is not an OBD2 Diagnostics database");
}

/* 20 000 samples of one PID in one session, closed cleanly: everything is
 * in the main file, no log beside it. */
static void
fill_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  gint64 vehicle = obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);

  g_assert_no_error (error);
  for (int i = 0; i < 20000; i++)
    {
      ObdSample s = sample (T0 + i * 1000, 0x0C, 0, 0x7E8, i);
      g_array_append_val (batch, s);
    }
  record_session (store, vehicle, (const ObdSample *) batch->data, batch->len);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  fill_store (f);
  g_file_get_contents (f->path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 65536);

  /* A copy cut short. */
  g_file_set_contents (f->path, contents, len / 2, &error);
  g_assert_no_error (error);
  expect_untouched (f, OBD_STORE_ERROR_CORRUPT, "damaged");

  /* Cut inside the header. */
  g_file_set_contents (f->path, contents, 60, &error);
  g_assert_no_error (error);
  expect_untouched (f, OBD_STORE_ERROR_CORRUPT, "damaged");
}

/* A damaged page: writing is refused with the file left as it was;
 * reading goes on where the damage is not. */
static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  fill_store (f);
  damage_leaf_page (f->path, "samples");
  before = file_checksum (f->path);

  store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_clear_error (&error);
  after = file_checksum (f->path);
  g_assert_cmpstr (before, ==, after);
  /* The read-only look at it may leave an empty log beside it (SQLite's
   * readers do), never content. */
  g_assert_true (!g_file_test (wal, G_FILE_TEST_EXISTS) || file_size (wal) == 0);

  store = obd_store_open (f->path, OBD_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  sessions = obd_store_list_sessions (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  out = g_memory_output_stream_new_resizable ();
  g_assert_false (obd_store_export_session (store, 1, OBD_STORE_FORMAT_CSV, OBD_UNIT_SYSTEM_SI,
                                            out, NULL, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT);
}

/* A change whose outbox row cannot be built (the session it refers to
 * cannot be read) fails whole, rather than syncing a record that lost its
 * session.  (SQLite also refuses the writes after reading a damaged page,
 * so this passed before the reference lookup reported its failure; an I/O
 * error would not have been caught.) */
static void
test_outbox_reference_unreadable (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ObdSample s = sample (T0, 0x0C, 0, 0x7E8, 800);
  gint64 vehicle, session, notification;

  store = open_store (f);
  vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  session = record_session (store, vehicle, &s, 1);
  notification = obd_store_add_notification (store, vehicle, session, OBD_STORE_SEVERITY_WARNING,
                                             "coolant-high", "Hot", NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Damaged after the check at open, as a failing disk does. */
  store = open_store (f);
  damage_leaf_page (f->path, "sessions");

  g_assert_false (obd_store_mark_notification_read (store, notification, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT);
  g_clear_object (&store);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM notifications WHERE read = 0"), ==, 1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM outbox WHERE entity = 'notification'"
                                     " AND op = 'update'"), ==, 0);
}

/* An export whose freeze-frame values cannot be read fails, instead of
 * writing the frame with its values left out. */
static void
test_export_freeze_unreadable (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  ObdSample values[] = {
    sample (T0, 0x0C, 0, 0x7E8, 800), sample (T0, 0x05, 0, 0x7E8, 90),
    sample (T0, 0x0D, 0, 0x7E8, 0),
  };
  gint64 session;

  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  session = obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  obd_store_add_freeze_frame (store, session, "P0301", 0x7E8, 0, T0, values,
                              G_N_ELEMENTS (values), &error);
  g_assert_no_error (error);
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  g_clear_object (&recorder);
  g_clear_object (&store);

  damage_leaf_page (f->path, "freeze_frame_values");
  store = obd_store_open (f->path, OBD_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  out = g_memory_output_stream_new_resizable ();
  g_assert_false (obd_store_export_session (store, session, OBD_STORE_FORMAT_JSON,
                                            OBD_UNIT_SYSTEM_SI, out, NULL, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT);
}

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vehicles = NULL;
  g_autoptr(ObdRecorder) recorder = NULL;

  store = obd_store_open (f->path, OBD_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_assert_null (store);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  store = open_store (f);
  obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  store = obd_store_open (f->path, OBD_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (obd_store_is_read_only (store));
  vehicles = obd_store_list_vehicles (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vehicles->len, ==, 1);

  g_assert_cmpint (obd_store_add_note (store, 1, 0, NULL, "x", &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  recorder = obd_recorder_new (store, &error);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY);
  g_assert_null (recorder);
}

/* Vehicles and the outbox --------------------------------------------- */

static void
test_vehicles (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  g_autoptr(ObdStoreVehicle) edited = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  ObdStoreOutboxEntry *entry;
  JsonObject *payload;
  gint64 id, again, other;

  id = obd_store_ensure_vehicle (store, "1HGCM82633A004352", "Honda", "Accord", 2003, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  again = obd_store_ensure_vehicle (store, "1HGCM82633A004352", "Other", "Name", 1990, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);
  other = obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (other, !=, id);

  vehicle = obd_store_get_vehicle (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vehicle->vin, ==, "1HGCM82633A004352");
  g_assert_cmpstr (vehicle->make, ==, "Honda");
  g_assert_cmpstr (vehicle->model, ==, "Accord");
  g_assert_cmpint (vehicle->year, ==, 2003);
  g_assert_null (vehicle->plate);
  g_assert_cmpint (vehicle->odometer_km, ==, -1);
  g_assert_true (g_uuid_string_is_valid (vehicle->uuid));

  g_free (vehicle->plate);
  vehicle->plate = g_strdup ("HH-OB 2003");
  g_free (vehicle->owner_name);
  vehicle->owner_name = g_strdup ("Jo \"the mechanic\" Lee");
  vehicle->odometer_km = 201345;
  obd_store_update_vehicle (store, vehicle, &error);
  g_assert_no_error (error);

  edited = obd_store_get_vehicle (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (edited->plate, ==, "HH-OB 2003");
  g_assert_cmpstr (edited->owner_name, ==, "Jo \"the mechanic\" Lee");
  g_assert_cmpint (edited->odometer_km, ==, 201345);
  g_assert_cmpstr (edited->uuid, ==, vehicle->uuid);

  list = obd_store_list_vehicles (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);

  /* Two inserts and one update; the second ensure of a known VIN wrote
   * nothing. */
  entries = outbox (store);
  g_assert_cmpuint (entries->len, ==, 3);
  entry = g_ptr_array_index (entries, 2);
  g_assert_cmpstr (entry->entity, ==, "vehicle");
  g_assert_cmpstr (entry->op, ==, "update");
  g_assert_cmpstr (entry->entity_id, ==, vehicle->uuid);
  payload = parse_object (entry->payload, parser);
  g_assert_cmpstr (json_object_get_string_member (payload, "plate"), ==, "HH-OB 2003");
  g_assert_cmpint (json_object_get_int_member (payload, "odometer_km"), ==, 201345);
  g_assert_cmpstr (json_object_get_string_member (payload, "uuid"), ==, vehicle->uuid);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->op, ==, "insert");
  g_assert_cmpstr (entry->entity_id, ==, vehicle->uuid);

  g_assert_null (obd_store_get_vehicle (store, 999, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
}

/* A failing outbox insert takes the change down with it. */
static void
test_outbox_atomic (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  g_autoptr(ObdStoreVehicle) unchanged = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) notifications = NULL;
  gint64 id, item, notification, n_outbox;

  id = obd_store_ensure_vehicle (store, "1HGCM82633A004352", "Honda", "Accord", 2003, &error);
  g_assert_no_error (error);
  item = obd_store_add_maintenance_item (store, id, "Brake fluid", 0, 730, -1, 0, &error);
  g_assert_no_error (error);
  notification = obd_store_add_notification (store, id, 0, OBD_STORE_SEVERITY_WARNING,
                                             "battery-weak", "Battery weak", NULL, &error);
  g_assert_no_error (error);
  obd_store_record_dtc (store, id, 0, "P0420", OBD_DTC_KIND_STORED, 0x7E8, T0, &error);
  g_assert_no_error (error);
  n_outbox = raw_int (f->path, "SELECT count(*) FROM outbox");

  raw_exec (f->path, "CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox"
                     " BEGIN SELECT RAISE (ABORT, 'outbox refuses'); END;");

  vehicle = obd_store_get_vehicle (store, id, &error);
  g_assert_no_error (error);
  vehicle->odometer_km = 99;
  g_assert_false (obd_store_update_vehicle (store, vehicle, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "outbox refuses"));
  g_clear_error (&error);

  g_assert_cmpint (obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error),
                   ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (obd_store_add_maintenance_item (store, id, "Oil", 15000, 0, -1, 0, &error),
                   ==, 0);
  g_clear_error (&error);
  g_assert_false (obd_store_complete_maintenance_item (store, item, 1000, T0, &error));
  g_clear_error (&error);
  g_assert_false (obd_store_delete_maintenance_item (store, item, &error));
  g_clear_error (&error);
  g_assert_cmpint (obd_store_add_note (store, id, 0, "me", "note", &error), ==, 0);
  g_clear_error (&error);
  g_assert_false (obd_store_mark_notification_read (store, notification, &error));
  g_clear_error (&error);
  g_assert_false (obd_store_clear_dtcs (store, id, "me", T0, &error));
  g_clear_error (&error);

  unchanged = obd_store_get_vehicle (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (unchanged->odometer_km, ==, -1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM vehicles"), ==, 1);
  items = obd_store_list_maintenance_items (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (((ObdStoreMaintenanceItem *) g_ptr_array_index (items, 0))->status, ==,
                   OBD_STORE_MAINTENANCE_DUE);
  notes = obd_store_list_notes (store, id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notes->len, ==, 0);
  notifications = obd_store_list_notifications (store, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notifications->len, ==, 1);
  events = obd_store_list_dtc_events (store, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM outbox"), ==, n_outbox);

  /* Once the outbox takes rows again, so do changes. */
  raw_exec (f->path, "DROP TRIGGER outbox_refuses;");
  obd_store_update_vehicle (store, vehicle, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM outbox"), ==, n_outbox + 1);
}

static void
test_outbox_ack (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gint64 id;

  id = obd_store_ensure_vehicle (store, "1HGCM82633A004352", NULL, NULL, 0, &error);
  for (int i = 0; i < 4; i++)
    obd_store_add_note (store, id, 0, NULL, "n", &error);
  g_assert_no_error (error);

  first = obd_store_list_outbox (store, 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 2);
  rest = obd_store_list_outbox (store,
                                ((ObdStoreOutboxEntry *) g_ptr_array_index (first, 1))->seq,
                                100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rest->len, ==, 3);

  obd_store_ack_outbox (store, ((ObdStoreOutboxEntry *) g_ptr_array_index (first, 1))->seq,
                        &error);
  g_assert_no_error (error);
  after = outbox (store);
  g_assert_cmpuint (after->len, ==, 3);
  g_assert_cmpint (((ObdStoreOutboxEntry *) g_ptr_array_index (after, 0))->seq, ==,
                   ((ObdStoreOutboxEntry *) g_ptr_array_index (rest, 0))->seq);
}

/* Trouble codes ------------------------------------------------------- */

static void
test_dtc_events (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  ObdStoreDtcEvent *e;
  ObdStoreOutboxEntry *last;
  gint64 vehicle, stored, again, pending, permanent, after_clear;

  vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", NULL, NULL, 0, &error);
  g_assert_no_error (error);

  stored = obd_store_record_dtc (store, vehicle, 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8,
                                 T0, &error);
  g_assert_no_error (error);
  again = obd_store_record_dtc (store, vehicle, 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8,
                                T0 + 5000000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, stored);
  /* An older sighting arriving late does not move last_seen back. */
  obd_store_record_dtc (store, vehicle, 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8, T0 + 1, &error);
  g_assert_no_error (error);
  pending = obd_store_record_dtc (store, vehicle, 0, "P0301", OBD_DTC_KIND_PENDING, 0x7E8,
                                  T0 + 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pending, !=, stored);
  permanent = obd_store_record_dtc (store, vehicle, 0, "P0420", OBD_DTC_KIND_PERMANENT, 0x7E8,
                                    T0 + 2000, &error);
  g_assert_no_error (error);

  active = obd_store_list_dtc_events (store, vehicle, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 3);
  e = g_ptr_array_index (active, 0);
  g_assert_cmpint (e->id, ==, stored);
  g_assert_cmpstr (e->code, ==, "P0301");
  g_assert_cmpint (e->ecu, ==, 0x7E8);
  g_assert_cmpint (e->first_seen_us, ==, T0);
  g_assert_cmpint (e->last_seen_us, ==, T0 + 5000000);
  g_assert_cmpint (e->cleared_us, ==, 0);

  obd_store_clear_dtcs (store, vehicle, "Sam", T0 + 9000000, &error);
  g_assert_no_error (error);
  g_clear_pointer (&active, g_ptr_array_unref);
  active = obd_store_list_dtc_events (store, vehicle, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 1);
  e = g_ptr_array_index (active, 0);
  g_assert_cmpint (e->id, ==, permanent);
  g_assert_cmpint (e->kind, ==, OBD_DTC_KIND_PERMANENT);

  all = obd_store_list_dtc_events (store, vehicle, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  e = g_ptr_array_index (all, 0);
  g_assert_cmpint (e->cleared_us, ==, T0 + 9000000);
  g_assert_cmpstr (e->cleared_by, ==, "Sam");

  /* Seen again after the clear: a new episode. */
  after_clear = obd_store_record_dtc (store, vehicle, 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8,
                                      T0 + 20000000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after_clear, !=, stored);

  /* Outbox: vehicle, 3 new events, 2 cleared, 1 new event. */
  entries = outbox (store);
  g_assert_cmpuint (entries->len, ==, 7);
  last = g_ptr_array_index (entries, 5);
  g_assert_cmpstr (last->entity, ==, "dtc_event");
  g_assert_cmpstr (last->op, ==, "update");
  g_assert_cmpint (json_object_get_int_member (parse_object (last->payload, parser),
                                               "cleared_us"), ==, T0 + 9000000);
}

/* Maintenance, notifications, notes ----------------------------------- */

static void
test_maintenance (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  ObdStoreMaintenanceItem *m;
  gint64 vehicle, oil, belt;

  vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", NULL, NULL, 0, &error);
  oil = obd_store_add_maintenance_item (store, vehicle, "Engine oil and filter", 15000, 365,
                                        180000, T0, &error);
  g_assert_no_error (error);
  belt = obd_store_add_maintenance_item (store, vehicle, "Timing belt", 120000, 0, -1, 0, &error);
  g_assert_no_error (error);

  items = obd_store_list_maintenance_items (store, vehicle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  m = g_ptr_array_index (items, 0);
  g_assert_cmpstr (m->title, ==, "Engine oil and filter");
  g_assert_cmpint (m->interval_km, ==, 15000);
  g_assert_cmpint (m->interval_days, ==, 365);
  g_assert_cmpint (m->last_done_km, ==, 180000);
  g_assert_cmpint (m->last_done_us, ==, T0);
  g_assert_cmpint (m->status, ==, OBD_STORE_MAINTENANCE_DONE);
  m = g_ptr_array_index (items, 1);
  g_assert_cmpint (m->interval_days, ==, 0);
  g_assert_cmpint (m->last_done_km, ==, -1);
  g_assert_cmpint (m->status, ==, OBD_STORE_MAINTENANCE_DUE);

  obd_store_set_maintenance_status (store, oil, OBD_STORE_MAINTENANCE_OVERDUE, &error);
  g_assert_no_error (error);
  obd_store_complete_maintenance_item (store, belt, 195000, T0 + 1, &error);
  g_assert_no_error (error);
  obd_store_delete_maintenance_item (store, oil, &error);
  g_assert_no_error (error);
  g_assert_false (obd_store_complete_maintenance_item (store, oil, 1, 1, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_pointer (&items, g_ptr_array_unref);
  items = obd_store_list_maintenance_items (store, vehicle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  m = g_ptr_array_index (items, 0);
  g_assert_cmpint (m->id, ==, belt);
  g_assert_cmpint (m->last_done_km, ==, 195000);
  g_assert_cmpint (m->last_done_us, ==, T0 + 1);
  g_assert_cmpint (m->status, ==, OBD_STORE_MAINTENANCE_DONE);

  /* vehicle insert, 2 inserts, status, complete, delete */
  entries = outbox (store);
  g_assert_cmpuint (entries->len, ==, 6);
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 3))->op, ==, "update");
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 5))->op, ==, "delete");
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 5))->entity, ==,
                   "maintenance_item");
}

static void
test_notifications_notes (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unread = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) session_notes = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  ObdSample s = sample (T0, 0x0C, 0, 0x7E8, 800);
  ObdStoreNotification *n;
  gint64 vehicle, session, first, second;

  vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", NULL, NULL, 0, &error);
  session = record_session (store, vehicle, &s, 1);

  first = obd_store_add_notification (store, vehicle, session, OBD_STORE_SEVERITY_CRITICAL,
                                      "coolant-high", "Engine overheating",
                                      "Coolant reached 118 °C.", &error);
  g_assert_no_error (error);
  second = obd_store_add_notification (store, vehicle, 0, OBD_STORE_SEVERITY_INFO,
                                       "maintenance-due", "Oil change due", NULL, &error);
  g_assert_no_error (error);

  obd_store_mark_notification_read (store, first, &error);
  g_assert_no_error (error);
  /* Reading it twice is one change. */
  obd_store_mark_notification_read (store, first, &error);
  g_assert_no_error (error);

  unread = obd_store_list_notifications (store, vehicle, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unread->len, ==, 1);
  g_assert_cmpint (((ObdStoreNotification *) g_ptr_array_index (unread, 0))->id, ==, second);
  all = obd_store_list_notifications (store, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  n = g_ptr_array_index (all, 0);
  if (n->id != first)
    n = g_ptr_array_index (all, 1);
  g_assert_cmpint (n->severity, ==, OBD_STORE_SEVERITY_CRITICAL);
  g_assert_cmpstr (n->kind, ==, "coolant-high");
  g_assert_cmpstr (n->body, ==, "Coolant reached 118 °C.");
  g_assert_cmpint (n->session_id, ==, session);
  g_assert_true (n->read);

  obd_store_add_note (store, vehicle, 0, "Sam", "Customer reports rough idle.", &error);
  g_assert_no_error (error);
  obd_store_add_note (store, vehicle, session, "Sam", "Misfire on cylinder 1 at idle.", &error);
  g_assert_no_error (error);
  notes = obd_store_list_notes (store, vehicle, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notes->len, ==, 2);
  g_assert_cmpstr (((ObdStoreNote *) g_ptr_array_index (notes, 0))->text, ==,
                   "Customer reports rough idle.");
  session_notes = obd_store_list_notes (store, vehicle, session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (session_notes->len, ==, 1);
  g_assert_cmpstr (((ObdStoreNote *) g_ptr_array_index (session_notes, 0))->author, ==, "Sam");

  /* vehicle, session, 2 notifications, 1 read, 2 notes */
  entries = outbox (store);
  g_assert_cmpuint (entries->len, ==, 7);
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 1))->entity, ==,
                   "session");
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 4))->entity, ==,
                   "notification");
  g_assert_cmpstr (((ObdStoreOutboxEntry *) g_ptr_array_index (entries, 4))->op, ==, "update");
}

/* Sessions, hash chain ------------------------------------------------- */

/* Three sessions; the second has every kind of content. */
static void
record_history (ObdStore *store,
                gint64    ids[3])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  ObdSample ff[] = { sample (0, 0x0C, 0, 0, 2450.5), sample (0, 0x05, 0, 0, 91) };
  ObdStoreReadiness readiness[] = { { "misfire", TRUE, TRUE }, { "catalyst", TRUE, FALSE } };
  ObdStoreMode06Result mode06[] = { { 0x7E8, 0xA1, 0x0B, 3, 0, 50, TRUE, "count" } };
  gint64 vehicle;

  g_assert_no_error (error);
  vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", "Honda", "Accord", 2003,
                                      &error);
  g_assert_no_error (error);

  for (int s = 0; s < 3; s++)
    {
      gint64 base = T0 + s * G_GINT64_CONSTANT (3600000000);

      ids[s] = obd_recorder_start_session (recorder, vehicle, "can11-500", "ELM327", "sim",
                                           &error);
      g_assert_no_error (error);
      for (int i = 0; i < 50; i++)
        {
          ObdSample batch[] = {
            sample (base + i * 100000, 0x0C, 0, 0x7E8, 800 + i),
            sample (base + i * 100000, 0x05, 0, 0x7E8, 80 + i * 0.1),
          };
          obd_recorder_push_samples (recorder, batch, G_N_ELEMENTS (batch));
        }
      if (s == 1)
        {
          obd_store_record_dtc (store, vehicle, ids[s], "P0301", OBD_DTC_KIND_STORED, 0x7E8,
                                base, &error);
          g_assert_no_error (error);
          obd_store_add_freeze_frame (store, ids[s], "P0301", 0x7E8, 0, base, ff,
                                      G_N_ELEMENTS (ff), &error);
          g_assert_no_error (error);
          obd_store_add_readiness (store, ids[s], base, readiness, G_N_ELEMENTS (readiness),
                                   &error);
          g_assert_no_error (error);
          obd_store_add_mode06_results (store, ids[s], mode06, G_N_ELEMENTS (mode06), &error);
          g_assert_no_error (error);
        }
      obd_recorder_stop_session (recorder, &error);
      g_assert_no_error (error);
    }
}

static void
expect_chain (ObdStore *store,
              gint64    expected_bad)
{
  g_autoptr(GError) error = NULL;
  gint64 bad = -1;

  g_assert_true (obd_store_verify_chain (store, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bad, ==, expected_bad);
}

static void
tamper (Fixture    *f,
        ObdStore   *store,
        const char *sql,
        const char *undo,
        gint64      expected_bad)
{
  raw_exec (f->path, sql);
  expect_chain (store, expected_bad);
  raw_exec (f->path, undo);
  expect_chain (store, 0);
}

static void
test_chain (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreSession) first = NULL;
  g_autoptr(ObdStoreSession) second = NULL;
  g_autoptr(ObdStoreSession) third = NULL;
  g_autofree char *recomputed = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *undo = NULL;
  gint64 ids[3];

  record_history (store, ids);
  expect_chain (store, 0);

  first = obd_store_get_session (store, ids[0], &error);
  second = obd_store_get_session (store, ids[1], &error);
  third = obd_store_get_session (store, ids[2], &error);
  g_assert_no_error (error);
  g_assert_null (first->prev_hash);
  g_assert_cmpuint (strlen (first->hash), ==, 64);
  g_assert_cmpstr (second->prev_hash, ==, first->hash);
  g_assert_cmpstr (third->prev_hash, ==, second->hash);
  g_assert_cmpint (second->status, ==, OBD_STORE_SESSION_COMPLETE);
  g_assert_cmpint (second->sample_count, ==, 100);
  g_assert_cmpint (second->ended_us, >=, second->started_us);

  recomputed = obd_store_compute_session_hash (store, ids[1], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recomputed, ==, second->hash);

  /* Every kind of content of the middle session is covered. */
  sql = g_strdup_printf ("UPDATE samples SET value = value + 1 WHERE session_id = %"
                         G_GINT64_FORMAT " AND pid = 12 AND time_us = %" G_GINT64_FORMAT,
                         ids[1], T0 + G_GINT64_CONSTANT (3600000000) + 2500000);
  undo = g_strdup_printf ("UPDATE samples SET value = value - 1 WHERE session_id = %"
                          G_GINT64_FORMAT " AND pid = 12 AND time_us = %" G_GINT64_FORMAT,
                          ids[1], T0 + G_GINT64_CONSTANT (3600000000) + 2500000);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM samples"), ==, 300);
  tamper (f, store, sql, undo, ids[1]);
  tamper (f, store, "UPDATE freeze_frame_values SET value = 2000 WHERE pid = 12",
          "UPDATE freeze_frame_values SET value = 2450.5 WHERE pid = 12", ids[1]);
  tamper (f, store, "UPDATE dtc_events SET code = 'P0302'",
          "UPDATE dtc_events SET code = 'P0301'", ids[1]);
  tamper (f, store, "UPDATE readiness SET complete = 1 WHERE monitor = 'catalyst'",
          "UPDATE readiness SET complete = 0 WHERE monitor = 'catalyst'", ids[1]);
  tamper (f, store, "UPDATE mode06_results SET passed = 0",
          "UPDATE mode06_results SET passed = 1", ids[1]);
  g_free (sql);
  g_free (undo);
  sql = g_strdup_printf ("UPDATE sessions SET started_us = started_us + 1 WHERE id = %"
                         G_GINT64_FORMAT, ids[2]);
  undo = g_strdup_printf ("UPDATE sessions SET started_us = started_us - 1 WHERE id = %"
                          G_GINT64_FORMAT, ids[2]);
  tamper (f, store, sql, undo, ids[2]);

  /* Editing the vehicle's details, or seeing the code again later, is not
   * tampering with what was recorded. */
  obd_store_record_dtc (store, third->vehicle_id, 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8,
                        T0 + G_GINT64_CONSTANT (99000000000), &error);
  g_assert_no_error (error);
  raw_exec (f->path, "UPDATE vehicles SET plate = 'NEW-1'");
  expect_chain (store, 0);

  /* Removing a session breaks the link of the next one. */
  {
    g_autofree char *del = g_strdup_printf ("DELETE FROM sessions WHERE id = %" G_GINT64_FORMAT,
                                            ids[0]);
    raw_exec (f->path, del);
    expect_chain (store, ids[1]);
  }
}

static void
test_session_closed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  ObdSample s = sample (T0, 0x0C, 0, 0x7E8, 800);
  ObdStoreReadiness readiness = { "misfire", TRUE, TRUE };
  gint64 vehicle, session;

  vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", NULL, NULL, 0, &error);
  session = record_session (store, vehicle, &s, 1);

  g_assert_cmpint (obd_store_add_freeze_frame (store, session, "P0301", 0x7E8, 0, T0, &s, 1,
                                               &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
  g_clear_error (&error);
  g_assert_false (obd_store_add_readiness (store, session, T0, &readiness, 1, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (obd_store_record_dtc (store, vehicle, session, "P0301", OBD_DTC_KIND_STORED,
                                         0x7E8, T0, &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_SESSION_CLOSED);
  g_clear_error (&error);
  g_assert_false (obd_store_add_readiness (store, 4242, T0, &readiness, 1, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (obd_store_compute_session_hash (store, 4242, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
  expect_chain (store, 0);
}

static void
test_series (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) both = NULL;
  g_autoptr(GArray) one = NULL;
  g_autoptr(GArray) none = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  ObdSample samples[] = {
    sample (T0 + 300, 0x0C, 0, 0x7E8, 3),
    sample (T0 + 100, 0x0C, 0, 0x7E8, 1),
    sample (T0 + 200, 0x0C, 0, 0x7E9, 2),
    sample (T0 + 100, 0x0D, 0, 0x7E8, 50),
  };
  gint64 session = record_session (store, 0, samples, G_N_ELEMENTS (samples));

  both = obd_store_get_series (store, session, 0x0C, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (both->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (g_array_index (both, ObdStorePoint, i).time_us, ==, T0 + 100 * (i + 1));
      g_assert_cmpfloat (g_array_index (both, ObdStorePoint, i).value, ==, i + 1);
    }
  one = obd_store_get_series (store, session, 0x0C, 0, 0x7E9, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (one->len, ==, 1);
  none = obd_store_get_series (store, session, 0x0C, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  /* A session without a vehicle lists fine. */
  sessions = obd_store_list_sessions (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 1);
  g_assert_cmpint (((ObdStoreSession *) g_ptr_array_index (sessions, 0))->vehicle_id, ==, 0);
  g_assert_null (((ObdStoreSession *) g_ptr_array_index (sessions, 0))->vehicle_name);
  g_assert_cmpint (((ObdStoreSession *) g_ptr_array_index (sessions, 0))->sample_count, ==, 4);
}

/* Export --------------------------------------------------------------- */

static char *
export (ObdStore       *store,
        gint64          session,
        ObdStoreFormat  format,
        ObdUnitSystem   units)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  obd_store_export_session (store, session, format, units, out, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static gint64
record_export_session (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  ObdSample samples[] = {
    sample (T0, 0x0C, 0, 0x7E8, 812.5),
    sample (T0, 0x05, 0, 0x7E8, 88),
    sample (T0, 0x0C, 0, 0x7E9, 810),
    sample (T0 + 100000, 0x0C, 0, 0x7E8, 815.25),
    sample (T0 + 250000, 0x0D, 0, 0x7E8, 12.3),
    sample (T0 + 250000, 0x05, 0, 0x7E8, 89),
    sample (T0 + 1001000, 0x14, 0, 0x7E8, 0.455),
    sample (T0 + 1001000, 0x14, 1, 0x7E8, -2.34375),
  };
  gint64 vehicle = obd_store_ensure_vehicle (store, "1HGCM82633A004352", "Honda", "Accord", 2003,
                                             &error);

  g_assert_no_error (error);
  return record_session (store, vehicle, samples, G_N_ELEMENTS (samples));
}

static void
test_export_csv (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *csv = NULL;
  g_autofree char *us = NULL;
  gint64 session = record_export_session (store);
  const char *expected =
    "time,Engine coolant temperature (°C),Engine speed [7E8] (rpm),Engine speed [7E9] (rpm),"
    "Vehicle speed (km/h),Oxygen sensor 1 voltage (V),"
    "Oxygen sensor 1 short term fuel trim (%)\r\n"
    "2024-05-01T10:00:00.000Z,88,812.5,810,,,\r\n"
    "2024-05-01T10:00:00.100Z,,815.25,,,,\r\n"
    "2024-05-01T10:00:00.250Z,89,,,12.3,,\r\n"
    "2024-05-01T10:00:01.001Z,,,,,0.455,-2.34375\r\n";

  csv = export (store, session, OBD_STORE_FORMAT_CSV, OBD_UNIT_SYSTEM_SI);
  g_assert_cmpstr (csv, ==, expected);

  us = export (store, session, OBD_STORE_FORMAT_CSV, OBD_UNIT_SYSTEM_US);
  g_assert_true (g_str_has_prefix (us, "time,Engine coolant temperature (°F),"));
  g_assert_nonnull (strstr (us, "Vehicle speed (mph)"));
  g_assert_nonnull (strstr (us, "\r\n2024-05-01T10:00:00.000Z,190.4"));

  g_assert_false (obd_store_export_session (store, 4242, OBD_STORE_FORMAT_CSV,
                                            OBD_UNIT_SYSTEM_SI, out, NULL, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
}

static void
test_export_json (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ObdStoreSession) session = NULL;
  g_autofree char *text = NULL;
  gint64 ids[3];
  JsonObject *root, *meta, *vehicle, *series, *dtc;
  JsonArray *all_series, *points, *point;

  record_history (store, ids);
  session = obd_store_get_session (store, ids[1], &error);
  g_assert_no_error (error);

  text = export (store, ids[1], OBD_STORE_FORMAT_JSON, OBD_UNIT_SYSTEM_SI);
  root = parse_object (text, parser);

  meta = json_object_get_object_member (root, "session");
  g_assert_cmpint (json_object_get_int_member (meta, "id"), ==, ids[1]);
  g_assert_cmpstr (json_object_get_string_member (meta, "uuid"), ==, session->uuid);
  g_assert_cmpstr (json_object_get_string_member (meta, "status"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (meta, "hash"), ==, session->hash);
  g_assert_cmpint (json_object_get_int_member (meta, "started_us"), ==, session->started_us);
  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (session->started_us /
                                                             G_USEC_PER_SEC);
    g_autofree char *seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
    g_autofree char *expected = g_strdup_printf ("%s.%03dZ", seconds,
                                                 (int) (session->started_us % G_USEC_PER_SEC
                                                        / 1000));
    g_assert_cmpstr (json_object_get_string_member (meta, "started"), ==, expected);
  }
  g_assert_cmpint (json_object_get_int_member (meta, "sample_count"), ==, 100);
  g_assert_cmpstr (json_object_get_string_member (meta, "protocol"), ==, "can11-500");

  vehicle = json_object_get_object_member (root, "vehicle");
  g_assert_cmpstr (json_object_get_string_member (vehicle, "vin"), ==, "1HGCM82633A004352");
  g_assert_cmpstr (json_object_get_string_member (vehicle, "make"), ==, "Honda");
  g_assert_cmpstr (json_object_get_string_member (root, "units"), ==, "si");

  all_series = json_object_get_array_member (root, "series");
  g_assert_cmpuint (json_array_get_length (all_series), ==, 2);
  series = json_array_get_object_element (all_series, 1);
  g_assert_cmpint (json_object_get_int_member (series, "pid"), ==, 0x0C);
  g_assert_cmpint (json_object_get_int_member (series, "ecu"), ==, 0x7E8);
  g_assert_cmpstr (json_object_get_string_member (series, "key"), ==, "rpm");
  g_assert_cmpstr (json_object_get_string_member (series, "label"), ==, "Engine speed");
  g_assert_cmpstr (json_object_get_string_member (series, "unit"), ==, "rpm");
  points = json_object_get_array_member (series, "samples");
  g_assert_cmpuint (json_array_get_length (points), ==, 50);
  point = json_array_get_array_element (points, 49);
  g_assert_cmpint (json_array_get_int_element (point, 0), ==,
                   T0 + G_GINT64_CONSTANT (3600000000) + 4900000);
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element (point, 1), 849, 1e-9);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "dtcs")), ==, 1);
  dtc = json_array_get_object_element (json_object_get_array_member (root, "dtcs"), 0);
  g_assert_cmpstr (json_object_get_string_member (dtc, "code"), ==, "P0301");
  g_assert_cmpstr (json_object_get_string_member (dtc, "kind"), ==, "stored");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "freeze_frames")),
                    ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "readiness")),
                    ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "mode06")), ==, 1);

  /* US units convert values and name the unit. */
  {
    g_autoptr(JsonParser) us_parser = json_parser_new ();
    g_autofree char *us = export (store, ids[1], OBD_STORE_FORMAT_JSON, OBD_UNIT_SYSTEM_US);
    JsonObject *us_root = parse_object (us, us_parser);
    JsonObject *coolant = json_array_get_object_element (
      json_object_get_array_member (us_root, "series"), 0);
    JsonArray *first = json_array_get_array_element (
      json_object_get_array_member (coolant, "samples"), 0);

    g_assert_cmpstr (json_object_get_string_member (coolant, "unit"), ==, "°F");
    g_assert_cmpfloat_with_epsilon (json_array_get_double_element (first, 1), 176, 1e-9);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store/open/new", test_open_new);
  ADD ("/store/open/concurrent", test_open_concurrent);
  g_test_add_func ("/store/open/default-path", test_default_path);
  ADD ("/store/open/read-only", test_read_only);
  ADD ("/store/migrate/from-v0", test_migrate_v0);
  ADD ("/store/migrate/from-v1", test_migrate_v1);
  ADD ("/store/migrate/from-v2", test_migrate_v2);
  ADD ("/store/migrate/too-new", test_too_new);
  ADD ("/store/foreign/text", test_foreign_text);
  ADD ("/store/foreign/random-bytes", test_foreign_random);
  ADD ("/store/foreign/other-sqlite", test_foreign_sqlite);
  ADD ("/store/foreign/other-application-id", test_foreign_other_app_id);
  ADD ("/store/foreign/truncated", test_truncated);
  ADD ("/store/open/damaged", test_damaged);
  ADD ("/store/outbox/reference-unreadable", test_outbox_reference_unreadable);
  ADD ("/store/export/freeze-unreadable", test_export_freeze_unreadable);
  ADD ("/store/vehicles", test_vehicles);
  ADD ("/store/outbox/atomic", test_outbox_atomic);
  ADD ("/store/outbox/ack", test_outbox_ack);
  ADD ("/store/dtc/events", test_dtc_events);
  ADD ("/store/maintenance", test_maintenance);
  ADD ("/store/notifications-notes", test_notifications_notes);
  ADD ("/store/session/series", test_series);
  ADD ("/store/session/closed", test_session_closed);
  ADD ("/store/chain/verify", test_chain);
  ADD ("/store/export/csv", test_export_csv);
  ADD ("/store/export/json", test_export_json);

  return g_test_run ();
}
