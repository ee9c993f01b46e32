/* test-cli-store.c — obd2 record, sessions, export, health and maintenance
 * end to end, each against its own store in a temporary folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

typedef struct
{
  int    status;
  char  *out;
  char  *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static const char *
cli_path (void)
{
  const char *path = g_getenv ("OBD2_CLI");

  g_assert_nonnull (path);
  return path;
}

static void
run_argv (Run        *run,
          GPtrArray  *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

/* Runs obd2 --db DB with the given arguments (NULL-terminated). */
static void
run_cli (Run        *run,
         const char *db,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) cli_path ());
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  va_start (args, db);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  run_argv (run, argv);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* A fresh folder per test, so no test sees another's store. */
typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-cli-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "store.db", NULL);
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
  g_free (f->db);
  g_free (f->dir);
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static gint64
sql_int (const char *path,
         const char *sql)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
sql_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = open_db (path);
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
}

static JsonArray *
sessions_of (JsonNode *root)
{
  return json_object_get_array_member (json_node_get_object (root), "sessions");
}

static gboolean
is_iso8601_utc (const char *text)
{
  return g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", text, 0,
                               0);
}

/* Two seconds of a misfiring car in real time: one complete session with
 * the car's VIN, exported as CSV and JSON. */
static void
test_record_export (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Run) record = { 0 };
  g_auto(Run) sessions = { 0 };
  g_auto(Run) csv = { 0 };
  g_auto(Run) csv_file = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) by_uuid = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) no_format = { 0 };
  g_auto(Run) two_formats = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) export_root = NULL;
  g_autofree char *path = g_build_filename (f->dir, "session.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) cells = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *session;
  JsonObject *vehicle;

  run_cli (&record, f->db, "--port", "sim:misfire", "record", "--duration", "2", NULL);
  g_assert_cmpint (record.status, ==, 0);
  g_assert_nonnull (strstr (record.out, "Recorded session 1"));

  run_cli (&sessions, f->db, "--json", "sessions", NULL);
  g_assert_cmpint (sessions.status, ==, 0);
  root = parse_json (sessions.out);
  g_assert_cmpuint (json_array_get_length (sessions_of (root)), ==, 1);
  session = json_array_get_object_element (sessions_of (root), 0);
  g_assert_cmpstr (json_object_get_string_member (session, "status"), ==, "complete");
  g_assert_cmpint (json_object_get_int_member (session, "samples"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (session, "duration_s"), >=, 1.9);
  g_assert_nonnull (json_object_get_string_member (session, "hash"));
  vehicle = json_object_get_object_member (session, "vehicle");
  g_assert_nonnull (vehicle);
  g_assert_cmpuint (strlen (json_object_get_string_member (vehicle, "vin")), ==, 17);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (session, "id"));

  /* CSV: "time,<label> (<unit>),...", then ISO 8601 UTC times. */
  run_cli (&csv, f->db, "export", id, "--csv", NULL);
  g_assert_cmpint (csv.status, ==, 0);
  lines = g_strsplit (csv.out, "\r\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "time,"));
  g_assert_nonnull (strstr (lines[0], "Engine speed (rpm)"));
  g_assert_nonnull (strstr (lines[0], "Engine coolant temperature (°C)"));
  g_assert_nonnull (lines[1]);
  cells = g_strsplit (lines[1], ",", -1);
  g_assert_true (is_iso8601_utc (cells[0]));

  /* To a file, in US units. */
  run_cli (&csv_file, f->db, "--units", "us", "export", id, "--csv", "-o", path, NULL);
  g_assert_cmpint (csv_file.status, ==, 0);
  g_assert_cmpstr (csv_file.out, ==, "");
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "time,"));
  g_assert_nonnull (strstr (contents, "Engine coolant temperature (°F)"));

  run_cli (&json, f->db, "--json", "export", id, NULL);
  g_assert_cmpint (json.status, ==, 0);
  export_root = parse_json (json.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (export_root), "series")), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (export_root), "dtcs")), >, 0);

  /* A session is also named by its UUID. */
  run_cli (&by_uuid, f->db, "export", json_object_get_string_member (session, "uuid"), "--csv",
           NULL);
  g_assert_cmpint (by_uuid.status, ==, 0);
  g_assert_cmpstr (by_uuid.out, ==, csv.out);

  run_cli (&unknown, f->db, "export", "42", "--csv", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "42"));

  run_cli (&no_format, f->db, "export", id, NULL);
  g_assert_cmpint (no_format.status, ==, 2);

  run_cli (&two_formats, f->db, "--json", "export", id, "--csv", NULL);
  g_assert_cmpint (two_formats.status, ==, 2);
}

/* Two recordings chain; changing one sample afterwards breaks the chain at
 * that session, and --verify names it. */
static void
test_chain (Fixture       *f,
            gconstpointer  data)
{
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };
  g_auto(Run) sessions = { 0 };
  g_auto(Run) verify = { 0 };
  g_auto(Run) tampered = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *bad_id = NULL;
  JsonObject *newer;
  JsonObject *older;

  run_cli (&first, f->db, "--port", "sim:healthy-idle?timing=0", "record", "--duration", "0.5",
           NULL);
  g_assert_cmpint (first.status, ==, 0);
  run_cli (&second, f->db, "--port", "sim:lean-mixture?timing=0", "record", "--duration", "0.5",
           NULL);
  g_assert_cmpint (second.status, ==, 0);

  run_cli (&sessions, f->db, "--json", "sessions", NULL);
  g_assert_cmpint (sessions.status, ==, 0);
  root = parse_json (sessions.out);
  g_assert_cmpuint (json_array_get_length (sessions_of (root)), ==, 2);
  newer = json_array_get_object_element (sessions_of (root), 0);
  older = json_array_get_object_element (sessions_of (root), 1);
  g_assert_cmpint (json_object_get_int_member (newer, "id"), ==, 2);
  g_assert_true (json_object_get_null_member (older, "prev_hash"));
  g_assert_cmpstr (json_object_get_string_member (newer, "prev_hash"), ==,
                   json_object_get_string_member (older, "hash"));

  run_cli (&verify, f->db, "sessions", "--verify", NULL);
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_nonnull (strstr (verify.out, "OK"));

  /* samples is WITHOUT ROWID: pick one row of the older session by its
   * primary key. */
  sql = g_strdup ("UPDATE samples SET value = value + 1"
                  " WHERE (session_id, service, pid, idx, time_us, ecu) ="
                  " (SELECT session_id, service, pid, idx, time_us, ecu FROM samples"
                  "  WHERE session_id = 1 AND pid = 12 ORDER BY time_us LIMIT 1)");
  sql_exec (f->db, sql);

  run_cli (&tampered, f->db, "sessions", "--verify", NULL);
  g_assert_cmpint (tampered.status, ==, 1);
  bad_id = g_strdup_printf ("Session 1 (%s)", json_object_get_string_member (older, "uuid"));
  g_assert_nonnull (strstr (tampered.err, bad_id));
}

/* Overheating at fifty times real speed: coolant passes 110 °C within a
 * second and stays there for the alert's two seconds. */
static void
test_record_alert (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(Run) record = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *summary;

  run_cli (&record, f->db, "--port", "sim:overheating?timing=0.02", "--json", "record",
           "--duration", "4.5", NULL);
  g_assert_cmpint (record.status, ==, 0);
  g_assert_nonnull (strstr (record.err, "Engine overheating"));
  root = parse_json (record.out);
  summary = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (summary, "alerts"), >=, 1);

  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM notifications"
                                   " WHERE kind = 'coolant-high' AND severity = 'critical'"
                                   " AND session_id = 1 AND vehicle_id IS NOT NULL"), ==, 1);
  /* Notifications sync like every other change. */
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM outbox"
                                   " WHERE entity = 'notification'"), ==, 1);
}

/* The link goes mid-recording (the simulator serving the pty exits): what
 * was recorded is kept and sealed, and the exit status says it failed. */
static void
test_record_lost_link (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) record = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  g_autoptr(GDataInputStream) record_err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonNode) pty = NULL;
  g_auto(Run) verify = { 0 };
  g_autoptr(GString) rest = g_string_new (NULL);
  gboolean recording = FALSE;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cli_path (), "--json",
                             "sim", "--pty", "--scenario", "healthy-idle", NULL);
  g_assert_no_error (error);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  pty = parse_json (line);

  record = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, cli_path (), "--db", f->db, "--port",
                             json_object_get_string_member (json_node_get_object (pty), "pty"),
                             "record", NULL);
  g_assert_no_error (error);
  record_err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (record));

  /* Wait (on the pipe, no sleeping) until samples are flowing. */
  while (!recording)
    {
      g_autofree char *err_line = g_data_input_stream_read_line_utf8 (record_err, NULL, NULL,
                                                                       &error);

      g_assert_no_error (error);
      g_assert_nonnull (err_line);
      recording = strstr (err_line, "Recording") != NULL;
    }

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);

  for (char *err_line; (err_line = g_data_input_stream_read_line_utf8 (record_err, NULL, NULL,
                                                                       &error)) != NULL;)
    {
      g_string_append (rest, err_line);
      g_free (err_line);
    }
  g_assert_no_error (error);
  g_subprocess_wait (record, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (record));
  g_assert_cmpint (g_subprocess_get_exit_status (record), ==, 1);
  g_assert_nonnull (strstr (rest->str, "connection to the vehicle was lost"));

  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM sessions WHERE status = 'complete'"
                                   " AND hash IS NOT NULL"), ==, 1);
  run_cli (&verify, f->db, "sessions", "--verify", NULL);
  g_assert_cmpint (verify.status, ==, 0);
}

/* A file that is not ours is refused by every command and left exactly as
 * it was; a store that does not exist is not created by reading it. */
static void
test_foreign_store (Fixture       *f,
                    gconstpointer  data)
{
  static const char text[] = "Not a database: a mechanic's shopping list.\n";
  g_autofree char *path = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.db", NULL);
  g_autofree char *after = NULL;
  gsize length = 0;
  g_auto(Run) record = { 0 };
  g_auto(Run) sessions = { 0 };
  g_auto(Run) export = { 0 };
  g_auto(Run) maintenance = { 0 };
  g_auto(Run) nothing = { 0 };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);

  run_cli (&record, path, "--port", "sim:healthy-idle?timing=0", "record", "--duration", "0.5",
           NULL);
  g_assert_cmpint (record.status, ==, 1);
  g_assert_nonnull (strstr (record.err, "notes.txt"));
  run_cli (&sessions, path, "sessions", "--verify", NULL);
  g_assert_cmpint (sessions.status, ==, 1);
  run_cli (&export, path, "export", "1", "--csv", NULL);
  g_assert_cmpint (export.status, ==, 1);
  run_cli (&maintenance, path, "maintenance", "--add", "Oil", "--every-km", "15000", NULL);
  g_assert_cmpint (maintenance.status, ==, 1);

  g_file_get_contents (path, &after, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, strlen (text));
  g_assert_cmpstr (after, ==, text);

  run_cli (&nothing, missing, "sessions", NULL);
  g_assert_cmpint (nothing.status, ==, 1);
  g_assert_nonnull (strstr (nothing.err, "Record a session first"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

static JsonNode *
health_json (const char *connection,
             const char *watch)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(Run) health = { 0 };

  g_ptr_array_add (argv, (gpointer) cli_path ());
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) connection);
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, (gpointer) "health");
  if (watch != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--watch");
      g_ptr_array_add (argv, (gpointer) watch);
    }
  run_argv (&health, argv);
  if (health.status != 0)
    g_printerr ("%s", health.err);
  g_assert_cmpint (health.status, ==, 0);
  return parse_json (health.out);
}

static double
system_score (JsonNode   *root,
              const char *system)
{
  return json_object_get_double_member (
    json_object_get_object_member (json_node_get_object (root), "systems"), system);
}

static const char *
health_status (JsonNode *root)
{
  return json_object_get_string_member (json_node_get_object (root), "status");
}

/* What a snapshot alone (codes, readiness, Mode 06; no live readings)
 * says about each simulated fault. */
static void
test_health_snapshot (void)
{
  g_autoptr(JsonNode) healthy = health_json ("sim:healthy-idle?timing=0", NULL);
  g_autoptr(JsonNode) misfire = health_json ("sim:misfire?timing=0", NULL);
  g_autoptr(JsonNode) overheating = health_json ("sim:overheating?timing=0", NULL);
  g_autoptr(JsonNode) lean = health_json ("sim:lean-mixture?timing=0", NULL);
  g_autoptr(JsonNode) catalyst = health_json ("sim:failing-catalyst?timing=0", NULL);
  g_autoptr(JsonNode) battery = health_json ("sim:weak-battery?timing=0", NULL);

  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (healthy), "score"),
                     >=, 90);
  g_assert_cmpstr (health_status (healthy), ==, "healthy");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (healthy), "deductions")), ==, 0);

  /* Two critical codes and four failed misfire tests. */
  g_assert_cmpfloat (system_score (misfire, "engine"), <, 50);
  g_assert_cmpstr (health_status (misfire), ==, "stop-driving");

  /* P0217 alone is one critical code: 60 by the formula (obd-health.h),
   * "needs attention".  The car is overheating now, but only live
   * readings can show that: see test_health_watch. */
  g_assert_cmpfloat_with_epsilon (system_score (overheating, "cooling"), 60, 0.01);
  g_assert_cmpstr (health_status (overheating), ==, "needs-attention");

  g_assert_cmpfloat (system_score (lean, "fuel"), <, 75);
  g_assert_cmpfloat (system_score (catalyst, "emissions"), <, 70);

  /* P0562 alone is one warning: 85; the low voltage itself is live data. */
  g_assert_cmpfloat_with_epsilon (system_score (battery, "electrical"), 85, 0.01);
  g_assert_cmpstr (health_status (battery), ==, "needs-attention");
}

/* With a few seconds of live readings the alerts count too: the car that
 * is overheating now must stop; the weak battery is not being charged. */
static void
test_health_watch (void)
{
  g_autoptr(JsonNode) overheating = health_json ("sim:overheating?timing=0.02", "4.5");
  g_autoptr(JsonNode) battery = health_json ("sim:weak-battery?timing=0.02", "3");

  g_assert_cmpfloat (system_score (overheating, "cooling"), <, 40);
  g_assert_cmpstr (health_status (overheating), ==, "stop-driving");
  g_assert_cmpfloat (system_score (battery, "electrical"), <, 75);
}

/* Health of a vehicle from the store, without connecting. */
static void
test_health_stored (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Run) record = { 0 };
  g_auto(Run) health = { 0 };
  g_auto(Run) unknown = { 0 };
  g_autoptr(JsonNode) root = NULL;

  run_cli (&record, f->db, "--port", "sim:misfire?timing=0", "record", "--duration", "0.3",
           NULL);
  g_assert_cmpint (record.status, ==, 0);

  run_cli (&health, f->db, "--json", "health", "--vehicle", "1", NULL);
  g_assert_cmpint (health.status, ==, 0);
  root = parse_json (health.out);
  g_assert_cmpfloat (system_score (root, "engine"), <, 50);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (root), "deductions")), >=, 2);

  run_cli (&unknown, f->db, "health", "--vehicle", "7", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
}

static JsonObject *
first_item (JsonNode *root)
{
  JsonObject *plan = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "vehicles"), 0);

  return json_array_get_object_element (json_object_get_array_member (plan, "items"), 0);
}

static void
test_maintenance (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Run) empty = { 0 };
  g_auto(Run) record = { 0 };
  g_auto(Run) add = { 0 };
  g_auto(Run) odometer = { 0 };
  g_auto(Run) due = { 0 };
  g_auto(Run) done = { 0 };
  g_auto(Run) after = { 0 };
  g_auto(Run) history = { 0 };
  g_auto(Run) predicted = { 0 };
  g_auto(Run) bad = { 0 };
  g_autoptr(JsonNode) due_root = NULL;
  g_autoptr(JsonNode) after_root = NULL;
  g_autoptr(JsonNode) predicted_root = NULL;
  g_autofree char *backdate = NULL;
  JsonObject *item;
  JsonObject *vehicle;

  run_cli (&empty, f->db, "maintenance", NULL);
  g_assert_cmpint (empty.status, ==, 1);

  run_cli (&record, f->db, "--port", "sim:healthy-idle?timing=0", "record", "--duration", "0.3",
           NULL);
  g_assert_cmpint (record.status, ==, 0);

  run_cli (&add, f->db, "maintenance", "--add", "Oil change", "--every-km", "15000",
           "--every-days", "365", NULL);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_nonnull (strstr (add.out, "Oil change"));

  /* Never done: due at 15 000 km, within the 1 500 km margin at 14 000. */
  run_cli (&odometer, f->db, "maintenance", "--odometer", "14000", NULL);
  g_assert_cmpint (odometer.status, ==, 0);
  run_cli (&due, f->db, "--json", "maintenance", NULL);
  g_assert_cmpint (due.status, ==, 0);
  due_root = parse_json (due.out);
  item = first_item (due_root);
  g_assert_cmpstr (json_object_get_string_member (item, "title"), ==, "Oil change");
  g_assert_cmpstr (json_object_get_string_member (item, "status"), ==, "due");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (
                                    json_object_get_object_member (item, "remaining_distance"),
                                    "value"), 1000, 0.01);

  run_cli (&done, f->db, "maintenance", "--done", "1", "--km", "14000", NULL);
  g_assert_cmpint (done.status, ==, 0);
  run_cli (&after, f->db, "--json", "maintenance", NULL);
  after_root = parse_json (after.out);
  item = first_item (after_root);
  g_assert_cmpstr (json_object_get_string_member (item, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (item, "stored_status"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (item, "last_done_km"), ==, 14000);
  g_assert_cmpint (json_object_get_int_member (item, "remaining_days"), ==, 365);

  /* Every reading so far is from today: no distance per day yet. */
  run_cli (&history, f->db, "maintenance", NULL);
  g_assert_cmpint (history.status, ==, 0);
  g_assert_nonnull (strstr (history.out, "needs"));

  /* The service was really done 100 days and 3 000 km ago: 30 km a day,
   * and the date (265 days away) comes before the distance (400 days). */
  backdate = g_strdup_printf ("UPDATE maintenance_items SET last_done_km = 11000,"
                              " last_done_us = %" G_GINT64_FORMAT " WHERE id = 1",
                              g_get_real_time () - (gint64) 100 * 24 * 3600 * G_USEC_PER_SEC);
  sql_exec (f->db, backdate);
  run_cli (&predicted, f->db, "--json", "maintenance", NULL);
  predicted_root = parse_json (predicted.out);
  vehicle = json_object_get_object_member (json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (predicted_root), "vehicles"), 0),
    "vehicle");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (
                                    json_object_get_object_member (vehicle, "distance_per_day"),
                                    "value"), 30, 0.5);
  item = first_item (predicted_root);
  g_assert_cmpint (json_object_get_int_member (item, "remaining_days"), ==, 265);
  g_assert_cmpstr (json_object_get_string_member (item, "predicted_date"), ==,
                   json_object_get_string_member (item, "due_date"));

  /* Each change went out with its outbox row. */
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM outbox"
                                   " WHERE entity = 'maintenance_item'"), ==, 2);
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM outbox"
                                   " WHERE entity = 'vehicle' AND op = 'update'"), >=, 1);

  run_cli (&bad, f->db, "maintenance", "--done", "99", NULL);
  g_assert_cmpint (bad.status, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cli/store/record-export", test_record_export);
  ADD ("/cli/store/chain", test_chain);
  ADD ("/cli/store/alert", test_record_alert);
  ADD ("/cli/store/lost-link", test_record_lost_link);
  ADD ("/cli/store/foreign", test_foreign_store);
  g_test_add_func ("/cli/health/snapshot", test_health_snapshot);
  g_test_add_func ("/cli/health/watch", test_health_watch);
  ADD ("/cli/health/stored", test_health_stored);
  ADD ("/cli/maintenance", test_maintenance);

  return g_test_run ();
}
