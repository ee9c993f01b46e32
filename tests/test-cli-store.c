/* test-cli-store.c — obd2 record, sessions, export, health and maintenance
 * end to end, each against its own store in a temporary folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "store-damage.h"

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

/* The uid and gid of "nobody" on Debian. */
#define UNPRIVILEGED_ID 65534

/* Tests run as root here, and root writes whatever the permission bits
 * say.  A reader that must not be able to write runs as an unprivileged
 * user instead, so the kernel enforces a 0444 file in a 0555 folder as it
 * does for a mechanic's own account. */
static void
drop_privileges (gpointer data)
{
  if (geteuid () != 0)
    return;
  if (setgroups (0, NULL) != 0 || setgid (UNPRIVILEGED_ID) != 0 || setuid (UNPRIVILEGED_ID) != 0)
    _exit (127);
}

static void
run_argv_full (Run        *run,
               GPtrArray  *argv,
               gboolean    unprivileged)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (unprivileged)
    g_subprocess_launcher_set_child_setup (launcher, drop_privileges, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_assert_cmpint (run->status, !=, 127);
}

static void
run_argv (Run        *run,
          GPtrArray  *argv)
{
  run_argv_full (run, argv, FALSE);
}

static void
add_cli_args (GPtrArray  *argv,
              const char *db,
              va_list     args)
{
  const char *arg;

  g_ptr_array_add (argv, (gpointer) cli_path ());
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
}

/* Runs obd2 --db DB with the given arguments (NULL-terminated). */
static void
run_cli (Run        *run,
         const char *db,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, db);
  add_cli_args (argv, db, args);
  va_end (args);
  run_argv (run, argv);
}

/* The mount namespace commands that make folder read-only for one
 * command, the way a read-only disk is: even root gets EROFS.  Root needs
 * only a private mount namespace; anyone else maps themselves to root in
 * a user namespace first.  NULL when this machine allows neither. */
static const char * const *
read_only_mount_prefix (void)
{
  static const char * const as_root[] = { "unshare", "--mount", NULL };
  static const char * const as_user[] = { "unshare", "--map-root-user", "--mount", NULL };
  static gsize checked;
  static const char * const *prefix;

  if (g_once_init_enter (&checked))
    {
      const char * const *candidate = geteuid () == 0 ? as_root : as_user;
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *unshare = g_find_program_in_path ("unshare");
      g_auto(Run) probe = { 0 };

      for (guint i = 0; candidate[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) candidate[i]);
      g_ptr_array_add (argv, (gpointer) "true");
      if (unshare != NULL)
        {
          run_argv (&probe, argv);
          if (probe.status == 0)
            prefix = candidate;
        }
      g_once_init_leave (&checked, 1);
    }
  return prefix;
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
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* Some tests leave folders read-only. */
  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->db);
  g_free (f->dir);
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) destination = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, destination, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A folder in the fixture that an unprivileged user may enter and, if
 * writable, write (the fixture's own folder is private to root). */
static char *
make_shared_folder (Fixture    *f,
                    const char *name,
                    gboolean    writable)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  g_assert_cmpint (g_chmod (path, writable ? 01777 : 0755), ==, 0);
  return path;
}

static gboolean
has_lines_after_header (const char *csv)
{
  const char *first_break = strstr (csv, "\r\n");

  return first_break != NULL && first_break[2] != '\0';
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

  /* Again over it, through a symbolic link: the file is replaced whole,
   * the link stays a link. */
  {
    g_autofree char *link = g_build_filename (f->dir, "latest.csv", NULL);
    g_autofree char *again = NULL;
    g_auto(Run) replace = { 0 };
    g_auto(Run) folder = { 0 };

    g_assert_cmpint (symlink ("session.csv", link), ==, 0);
    run_cli (&replace, f->db, "export", id, "--csv", "-o", link, NULL);
    g_assert_cmpint (replace.status, ==, 0);
    g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
    g_file_get_contents (path, &again, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, csv.out);

    run_cli (&folder, f->db, "export", id, "--csv", "-o", f->dir, NULL);
    g_assert_cmpint (folder.status, ==, 1);
    g_assert_nonnull (strstr (folder.err, "is a folder"));
  }

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

/* Every command that only reads, run against db by run (a function
 * running obd2 one way or another) must work and change nothing. */
typedef void (*RunReader) (Run *run, const char *db, const char *where, const char *first, ...);

static void
run_reader_unprivileged (Run        *run,
                         const char *db,
                         const char *where,
                         const char *first,
                         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) cli_path ());
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  g_ptr_array_add (argv, (gpointer) first);
  va_start (args, first);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  run_argv_full (run, argv, TRUE);
}

static void
run_reader_mounted (Run        *run,
                    const char *db,
                    const char *where,
                    const char *first,
                    ...)
{
  const char * const *prefix = read_only_mount_prefix ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  for (guint i = 0; prefix[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) prefix[i]);
  g_ptr_array_add (argv, (gpointer) "sh");
  g_ptr_array_add (argv, (gpointer) "-ec");
  g_ptr_array_add (argv, (gpointer) "mount --bind \"$1\" \"$1\"; "
                                    "mount -o remount,bind,ro \"$1\"; shift; exec \"$@\"");
  g_ptr_array_add (argv, (gpointer) "sh");
  g_ptr_array_add (argv, (gpointer) where);
  g_ptr_array_add (argv, (gpointer) cli_path ());
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  g_ptr_array_add (argv, (gpointer) first);
  va_start (args, first);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  run_argv (run, argv);
}

/* sessions, sessions --verify, export (to stdout and to a file elsewhere),
 * health --vehicle and maintenance on a store nobody may write here; and
 * the commands that write say so and exit 1. */
static void
check_read_only_store (RunReader   reader,
                       const char *db,
                       const char *where,
                       const char *out_dir)
{
  g_autofree char *before = file_checksum (db);
  g_autofree char *after = NULL;
  g_autofree char *out = g_build_filename (out_dir, "export.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(Run) sessions = { 0 };
  g_auto(Run) verify = { 0 };
  g_auto(Run) export = { 0 };
  g_auto(Run) export_file = { 0 };
  g_auto(Run) health = { 0 };
  g_auto(Run) maintenance = { 0 };
  g_auto(Run) record = { 0 };
  g_auto(Run) odometer = { 0 };

  reader (&sessions, db, where, "--json", "sessions", NULL);
  g_assert_cmpstr (sessions.err, ==, "");
  g_assert_cmpint (sessions.status, ==, 0);
  root = parse_json (sessions.out);
  g_assert_cmpuint (json_array_get_length (sessions_of (root)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     sessions_of (root), 0), "status"), ==, "complete");

  reader (&verify, db, where, "sessions", "--verify", NULL);
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_nonnull (strstr (verify.out, "Hash chain OK"));

  reader (&export, db, where, "export", "1", "--csv", NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_assert_true (has_lines_after_header (export.out));

  reader (&export_file, db, where, "export", "1", "--csv", "-o", out, NULL);
  g_assert_cmpint (export_file.status, ==, 0);
  g_file_get_contents (out, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, export.out);

  reader (&health, db, where, "health", "--vehicle", "1", NULL);
  g_assert_cmpint (health.status, ==, 0);

  reader (&maintenance, db, where, "maintenance", NULL);
  g_assert_cmpint (maintenance.status, ==, 0);

  /* Writing fails before the car is woken up, and says why. */
  reader (&record, db, where, "--port", "sim:healthy-idle?timing=0", "record", "--duration",
          "0.3", NULL);
  g_assert_cmpint (record.status, ==, 1);
  g_assert_nonnull (strstr (record.err, "not written"));
  g_assert_nonnull (strstr (record.err, db));
  reader (&odometer, db, where, "maintenance", "--odometer", "1000", NULL);
  g_assert_cmpint (odometer.status, ==, 1);
  g_assert_nonnull (strstr (odometer.err, "not written"));

  after = file_checksum (db);
  g_assert_cmpstr (before, ==, after);
}

static void
record_short_session (const char *db)
{
  g_auto(Run) record = { 0 };

  run_cli (&record, db, "--port", "sim:misfire?timing=0", "record", "--duration", "0.3", NULL);
  g_assert_cmpint (record.status, ==, 0);
}

/* A 0444 copy in a 0555 folder, read by a user who may not write either
 * (root could). */
static void
test_read_only_copy (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *folder = make_shared_folder (f, "copy", FALSE);
  g_autofree char *out_dir = make_shared_folder (f, "out", TRUE);
  g_autofree char *copy = g_build_filename (folder, "store.db", NULL);

  record_short_session (f->db);
  copy_file (f->db, copy);
  g_assert_cmpint (g_chmod (copy, 0444), ==, 0);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  check_read_only_store (run_reader_unprivileged, copy, folder, out_dir);
}

/* The store's own folder mounted read-only: even root cannot write. */
static void
test_read_only_mount (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *folder = make_shared_folder (f, "disk", TRUE);
  g_autofree char *out_dir = make_shared_folder (f, "out", TRUE);
  g_autofree char *db = g_build_filename (folder, "store.db", NULL);

  if (read_only_mount_prefix () == NULL)
    {
      g_test_skip ("This machine allows no private mount namespace (unshare), so no "
                   "read-only mount can be made; /cli/store/read-only-copy covers the rest.");
      return;
    }

  record_short_session (db);
  check_read_only_store (run_reader_mounted, db, folder, out_dir);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits until sql (a count) on db is above zero, looking again every
 * 20 ms, for at most 30 s. */
static void
wait_for (const char *db,
          const char *sql)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (sql_int (db, sql) == 0)
    {
      gboolean tick = FALSE;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_timeout_add (20, set_flag_cb, &tick);
      while (!tick)
        g_main_context_iteration (NULL, TRUE);
    }
}

/* Starts obd2 record on a real-time simulator, waits (on its stderr, no
 * sleeping) until it records, and kills it with SIGKILL: the session stays
 * "recording" in the file, with its committed samples. */
static void
kill_recording (const char *db)
{
  g_autoptr(GSubprocess) record = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  gboolean recording = FALSE;

  record = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, cli_path (), "--db", db, "--port", "sim:driving-cycle",
                             "record", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (record));
  while (!recording)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      recording = strstr (line, "Recording") != NULL;
    }
  wait_for (db, "SELECT count(*) FROM samples");
  g_subprocess_send_signal (record, SIGKILL);
  g_subprocess_wait (record, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (record));
}

/* A session left "recording" (the recorder was killed; a full disk leaves
 * the same): reading lists and exports it and leaves it as it is; the
 * next command that writes closes it as interrupted. */
static void
test_abandoned_session (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(Run) sessions = { 0 };
  g_auto(Run) text = { 0 };
  g_auto(Run) verify = { 0 };
  g_auto(Run) export = { 0 };
  g_auto(Run) record = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *session;

  kill_recording (f->db);
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM sessions WHERE status = 'recording'"),
                   ==, 1);

  run_cli (&sessions, f->db, "--json", "sessions", NULL);
  g_assert_cmpint (sessions.status, ==, 0);
  root = parse_json (sessions.out);
  session = json_array_get_object_element (sessions_of (root), 0);
  g_assert_true (json_object_get_boolean_member (session, "abandoned"));
  g_assert_cmpstr (json_object_get_string_member (session, "status"), ==, "interrupted");
  g_assert_true (json_object_get_null_member (session, "hash"));
  g_assert_cmpint (json_object_get_int_member (session, "samples"), >, 0);

  run_cli (&text, f->db, "sessions", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "interrupted"));
  g_assert_nonnull (strstr (text.out, "next recording closes them"));

  run_cli (&verify, f->db, "sessions", "--verify", NULL);
  g_assert_cmpint (verify.status, ==, 0);

  run_cli (&export, f->db, "export", "1", "--csv", NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_assert_true (has_lines_after_header (export.out));

  /* Reading closed nothing. */
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM sessions WHERE status = 'recording'"),
                   ==, 1);

  /* Writing does, before it records its own session. */
  run_cli (&record, f->db, "--port", "sim:healthy-idle?timing=0", "record", "--duration", "0.3",
           NULL);
  g_assert_cmpint (record.status, ==, 0);
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM sessions WHERE id = 1"
                                   " AND status = 'interrupted' AND hash IS NOT NULL"), ==, 1);
}

/* The recorder killed, and the store copied as it was left (its log
 * beside it) to a folder that cannot be written: the log's changes cannot
 * be read there, and the reader says so instead of showing less. */
static void
test_read_only_with_log (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *folder = make_shared_folder (f, "copy", FALSE);
  g_autofree char *copy = g_build_filename (folder, "store.db", NULL);
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *copy_wal = g_strconcat (copy, "-wal", NULL);
  g_auto(Run) sessions = { 0 };

  kill_recording (f->db);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  copy_file (f->db, copy);
  copy_file (wal, copy_wal);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  run_reader_unprivileged (&sessions, copy, folder, "sessions", NULL);
  g_assert_cmpint (sessions.status, ==, 1);
  g_assert_nonnull (strstr (sessions.err, "-wal"));
  g_assert_nonnull (strstr (sessions.err, "writable folder"));
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Session 1 of f->db cannot be read to the end: an export of it to a new
 * file leaves no file, and over an existing one leaves that one as it
 * was; nothing else appears beside them. */
static void
check_failed_export_leaves_files (Fixture *f)
{
  static const char old_text[] = "time,rpm\r\nan export from last week\r\n";
  g_autofree char *folder = g_build_filename (f->dir, "exports", NULL);
  g_autofree char *fresh = g_build_filename (folder, "new.csv", NULL);
  g_autofree char *existing = g_build_filename (folder, "old.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) to_new = { 0 };
  g_auto(Run) over_old = { 0 };

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_file_set_contents (existing, old_text, -1, &error);
  g_assert_no_error (error);

  run_cli (&to_new, f->db, "export", "1", "--csv", "-o", fresh, NULL);
  g_assert_cmpint (to_new.status, ==, 1);
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));

  run_cli (&over_old, f->db, "--json", "export", "1", "-o", existing, NULL);
  g_assert_cmpint (over_old.status, ==, 1);
  g_file_get_contents (existing, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, old_text);

  g_assert_cmpuint (count_files (folder), ==, 1);
}

/* A page of the store is damaged: record refuses before it wakes the car
 * and leaves the file byte for byte as it was; what is readable can still
 * be listed, and reading the damaged part fails with the reason. */
static void
test_damaged_store (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Run) first = { 0 };
  g_auto(Run) record = { 0 };
  g_auto(Run) sessions = { 0 };
  g_auto(Run) export = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  run_cli (&first, f->db, "--port", "sim:healthy-idle?timing=0", "record", "--duration", "1",
           NULL);
  g_assert_cmpint (first.status, ==, 0);
  damage_leaf_page (f->db, "samples");
  before = file_checksum (f->db);

  run_cli (&record, f->db, "--port", "sim:healthy-idle?timing=0", "record", "--duration", "0.3",
           NULL);
  g_assert_cmpint (record.status, ==, 1);
  g_assert_nonnull (strstr (record.err, "is damaged"));
  g_assert_nonnull (strstr (record.err, "backup"));
  g_assert_null (strstr (record.err, "Recording"));
  after = file_checksum (f->db);
  g_assert_cmpstr (before, ==, after);

  run_cli (&sessions, f->db, "sessions", NULL);
  g_assert_cmpint (sessions.status, ==, 0);

  run_cli (&export, f->db, "export", "1", "--csv", NULL);
  g_assert_cmpint (export.status, ==, 1);
  g_assert_nonnull (strstr (export.err, "damaged"));

  check_failed_export_leaves_files (f);

  g_clear_pointer (&after, g_free);
  after = file_checksum (f->db);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM sessions"), ==, 1);
}

/* Runs the shell script in a private mount namespace (as root, or as
 * root of a user namespace), with args; returns its exit status. */
static int
run_in_mount_namespace (const char  *script,
                        const char **args)
{
  const char * const *prefix = read_only_mount_prefix ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(Run) run = { 0 };

  for (guint i = 0; prefix[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) prefix[i]);
  g_ptr_array_add (argv, (gpointer) "sh");
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) script);
  g_ptr_array_add (argv, (gpointer) "sh");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  run_argv (&run, argv);
  if (run.status != 0)
    g_test_message ("%s", run.err);
  return run.status;
}

static char *
read_result (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* A real full disk: a small tmpfs holding the store, mounted for this
 * test only.  Recording fills it: record stops, keeps what it committed,
 * says the disk is full and exits 1.  On the full disk the commands that
 * only read still work; those that write say it is full and exit 1. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  /* $1 mount point, $2 the store to start from, $3 obd2, $4 results, $5
   * the size of the disk. */
  static const char script[] =
    "set -u\n"
    "mount -t tmpfs -o size=\"$5\" tmpfs \"$1\"\n"
    "cp \"$2\" \"$1/store.db\"\n"
    "run () { n=$1; shift; \"$@\" > \"$R/out$n\" 2> \"$R/err$n\"; echo $? > \"$R/rc$n\"; }\n"
    "R=$4; O=$3; D=$1/store.db\n"
    "run 1 \"$O\" --db \"$D\" --port sim:driving-cycle record --duration 60\n"
    /* Whatever room the end of the recording gave back, fill it. */
    "dd if=/dev/zero of=\"$1/filler\" bs=4096 2> /dev/null\n"
    "run 2 \"$O\" --db \"$D\" --json sessions\n"
    "run 3 \"$O\" --db \"$D\" export 2 --csv\n"
    "run 4 \"$O\" --db \"$D\" maintenance --odometer 5000\n"
    "run 5 \"$O\" --db \"$D\" --port sim:healthy-idle?timing=0 record --duration 1\n"
    /* With its log: on a full disk the last checkpoint may not have
     * finished, and the file alone is then not the store. */
    "cp \"$D\" \"$R/store.db\"\n"
    "if [ -s \"$D-wal\" ]; then cp \"$D-wal\" \"$R/store.db-wal\"; fi\n";
  g_autofree char *disk = g_build_filename (f->dir, "disk", NULL);
  g_autofree char *results = g_build_filename (f->dir, "results", NULL);
  g_autofree char *copy = g_build_filename (results, "store.db", NULL);
  g_autofree char *size = NULL;
  g_autofree char *rc = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *session;
  GStatBuf st;

  if (read_only_mount_prefix () == NULL)
    {
      g_test_skip ("This machine allows no private mount namespace (unshare), so no small "
                   "disk can be mounted to fill; /recorder/disk-full covers the recorder.");
      return;
    }

  record_short_session (f->db);
  g_assert_cmpint (g_stat (f->db, &st), ==, 0);
  /* The store, the 32 KiB index beside it, and 100 KiB for the log: a
   * second or so of recording. */
  size = g_strdup_printf ("%" G_GINT64_FORMAT "k", (gint64) st.st_size / 1024 + 32 + 100);
  g_assert_cmpint (g_mkdir (disk, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (results, 0755), ==, 0);
  g_assert_cmpint (run_in_mount_namespace (script, (const char *[]) {
                     disk, f->db, cli_path (), results, size, NULL }), ==, 0);

  rc = read_result (results, "rc1");
  err = read_result (results, "err1");
  g_assert_cmpstr (rc, ==, "1\n");
  g_assert_nonnull (strstr (err, "The disk is full: recording stopped. What was recorded until "
                                 "then is kept."));

  g_free (rc);
  rc = read_result (results, "rc2");
  g_assert_cmpstr (rc, ==, "0\n");
  out = read_result (results, "out2");
  root = parse_json (out);
  session = json_array_get_object_element (sessions_of (root), 0);
  g_assert_cmpint (json_object_get_int_member (session, "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (session, "status"), ==, "interrupted");
  g_assert_cmpint (json_object_get_int_member (session, "samples"), >, 0);

  g_free (rc);
  g_free (out);
  rc = read_result (results, "rc3");
  out = read_result (results, "out3");
  g_assert_cmpstr (rc, ==, "0\n");
  g_assert_true (has_lines_after_header (out));

  for (guint i = 4; i <= 5; i++)
    {
      g_autofree char *rc_name = g_strdup_printf ("rc%u", i);
      g_autofree char *err_name = g_strdup_printf ("err%u", i);

      g_free (rc);
      g_free (err);
      rc = read_result (results, rc_name);
      err = read_result (results, err_name);
      g_assert_cmpstr (rc, ==, "1\n");
      /* Where exactly it meets the full disk depends on what the last
       * recording could leave behind; the message always says so. */
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, "isk is full"));
      g_assert_nonnull (strstr (err, "Free some space"));
    }

  /* What the recording committed is all there, counted right. */
  sql = g_strdup_printf ("SELECT count(*) FROM samples WHERE session_id = 2 AND (SELECT"
                         " sample_count FROM sessions WHERE id = 2) = %" G_GINT64_FORMAT,
                         json_object_get_int_member (session, "samples"));
  g_assert_cmpint (sql_int (copy, sql), ==, json_object_get_int_member (session, "samples"));
}

/* Clearing codes notes it in the vehicle's history, as the application
 * does, so the health judged from the store no longer counts them; a store
 * that cannot take the note makes clear fail, saying the codes are gone
 * from the car but not from the history. */
static void
test_clear_recorded (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *folder = make_shared_folder (f, "copy", FALSE);
  g_autofree char *copy = g_build_filename (folder, "store.db", NULL);
  g_auto(Run) clear = { 0 };
  g_auto(Run) refused = { 0 };
  g_autoptr(JsonNode) root = NULL;
  gint64 active;

  record_short_session (f->db);
  active = sql_int (f->db, "SELECT count(*) FROM dtc_events WHERE cleared_us IS NULL"
                           " AND kind != 'permanent'");
  g_assert_cmpint (active, >, 0);
  copy_file (f->db, copy);
  g_assert_cmpint (g_chmod (copy, 0444), ==, 0);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  run_cli (&clear, f->db, "--port", "sim:misfire?timing=0", "--json", "clear", "--yes", NULL);
  g_assert_cmpint (clear.status, ==, 0);
  root = parse_json (clear.out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root),
                                                 "history_updated"));
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM dtc_events WHERE cleared_us IS NULL"
                                   " AND kind != 'permanent'"), ==, 0);
  g_assert_cmpint (sql_int (f->db, "SELECT count(*) FROM outbox WHERE entity = 'dtc_event'"
                                   " AND op = 'update'"), ==, active);

  run_reader_unprivileged (&refused, copy, folder, "--port", "sim:misfire?timing=0", "clear",
                           "--yes", NULL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "The trouble codes were cleared, but the local store "
                                         "could not note it"));
  g_assert_nonnull (strstr (refused.err, "not written"));
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
  ADD ("/cli/store/read-only-copy", test_read_only_copy);
  ADD ("/cli/store/read-only-mount", test_read_only_mount);
  ADD ("/cli/store/abandoned-session", test_abandoned_session);
  ADD ("/cli/store/read-only-with-log", test_read_only_with_log);
  ADD ("/cli/store/damaged", test_damaged_store);
  ADD ("/cli/store/disk-full", test_disk_full);
  ADD ("/cli/store/clear-recorded", test_clear_recorded);
  g_test_add_func ("/cli/health/snapshot", test_health_snapshot);
  g_test_add_func ("/cli/health/watch", test_health_watch);
  ADD ("/cli/health/stored", test_health_stored);
  ADD ("/cli/maintenance", test_maintenance);

  return g_test_run ();
}
