/* test-sync-process.c — obd2 and obd2-syncd as separate processes: the
 * admin commands, a sync from the command line, the server killed
 * mid-push at random points (nothing lost, nothing doubled), and
 * `obd2 sync --watch` riding out a server restart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sync-process"
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "obd-recorder.h"
#include "obd-store.h"
#include "sync-test-common.h"

#define N_SESSIONS 8
#define SAMPLES_PER_SESSION 60000

typedef struct
{
  char        *dir;
  char        *server_db;
  char        *store;
  char        *token;
  GSubprocess *server;
  guint        port;
  char        *url;
} Fixture;

static const char *
program (const char *variable)
{
  const char *path = g_getenv (variable);

  if (path == NULL)
    g_error ("%s is not set; run this test through meson", variable);
  return path;
}

/* Runs a program to its end; returns its stdout and exit status. */
static char *
run_argv (const char * const  *argv,
          int                 *out_status)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  *out_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                     : -1;
  return g_strstrip (g_steal_pointer (&out));
}

static GPtrArray *
collect (const char *first,
         va_list     args)
{
  GPtrArray *argv = g_ptr_array_new ();

  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  return argv;
}

static char *
run (int        *out_status,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first);
  argv = collect (first, args);
  va_end (args);
  return run_argv ((const char * const *) argv->pdata, out_status);
}

static char *
run_ok (const char *first,
        ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  char *out;
  int status = -1;
  va_list args;

  va_start (args, first);
  argv = collect (first, args);
  va_end (args);
  out = run_argv ((const char * const *) argv->pdata, &status);
  g_assert_cmpint (status, ==, 0);
  return out;
}

static void
start_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", f->port);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *port;

  /* The default heartbeat and idle timeout: a killed server closes its
   * sockets, so clients notice at once without them.  A one-second
   * heartbeat made a client give up on a server that was only slow (two
   * seconds without an answer, under ThreadSanitizer on a busy machine). */
  f->server = sync_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                               program ("OBD2_SYNCD"), sync_test_backend_option (),
                               f->server_db, "--listen", listen, NULL);
  g_assert_no_error (error);
  /* Its first line says where it listens. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strstr (line, "port ");
  g_assert_nonnull (port);
  f->port = (guint) g_ascii_strtoull (port + 5, NULL, 10);
  g_assert_cmpuint (f->port, >, 0);
  g_free (f->url);
  f->url = g_strdup_printf ("ws://127.0.0.1:%u/sync", f->port);
}

static void
kill_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (f->server, SIGKILL);
  g_subprocess_wait (f->server, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->server);
}

static void
fill_store (const char *path,
            guint       first,
            guint       n_sessions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  gint64 vehicle;

  g_assert_no_error (error);
  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  vehicle = obd_store_ensure_vehicle (store, "1HGCR2F30EA012345", "Honda", "Accord", 2014,
                                      &error);
  g_assert_no_error (error);
  for (guint s = first; s < first + n_sessions; s++)
    {
      g_autoptr(GArray) batch = g_array_new (FALSE, TRUE, sizeof (ObdSample));
      gint64 t0 = G_GINT64_CONSTANT (1714557600000000) + (gint64) s * 3600 * G_USEC_PER_SEC;

      obd_recorder_start_session (recorder, vehicle, "CAN", "ELM327", "sim", &error);
      g_assert_no_error (error);
      for (guint i = 0; i < SAMPLES_PER_SESSION; i++)
        {
          ObdSample sample = { 0 };

          sample.time_us = t0 + (gint64) (i / 4) * 100000;
          sample.service = 1;
          sample.pid = (guint8[]) { 0x0C, 0x0D, 0x05, 0x11 }[i % 4];
          sample.ecu = 0x7E8;
          sample.value = (double) (i % 977);
          g_array_append_val (batch, sample);
        }
      obd_recorder_push (recorder, batch);
      obd_recorder_stop_session (recorder, &error);
      g_assert_no_error (error);
    }
}

static gint64
server_int (Fixture    *f,
            const char *sql)
{
  return sync_test_query_int (f->server_db, sql);
}

static gint64
pending (Fixture *f)
{
  g_autofree char *out = run_ok (program ("OBD2_CLI"), "--db", f->store, "--json", "sync",
                                 "--status", NULL);
  g_autoptr(JsonNode) node = json_from_string (out, NULL);

  g_assert_nonnull (node);
  return json_object_get_int_member (json_node_get_object (node), "pending");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org = NULL;
  g_autofree char *user = NULL;

  f->dir = g_dir_make_tmp ("test-sync-process-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_db = sync_test_backend_is_pg () ? sync_test_pg_database ()
                                             : g_build_filename (f->dir, "server.db", NULL);
  f->store = g_build_filename (f->dir, "workshop.db", NULL);

  org = run_ok (program ("OBD2_SYNCD"), sync_test_backend_option (), f->server_db, "admin", "create-organisation",
                "Garage", NULL);
  user = run_ok (program ("OBD2_SYNCD"), sync_test_backend_option (), f->server_db, "admin", "create-user", org,
                 "Ann", "mechanic", NULL);
  f->token = run_ok (program ("OBD2_SYNCD"), sync_test_backend_option (), f->server_db, "admin", "create-token",
                     user, NULL);
  g_assert_true (g_str_has_prefix (f->token, "obd2_"));
  g_setenv ("OBD2_TOKEN", f->token, TRUE);
  g_setenv ("OBD2_NO_KEYRING", "1", TRUE);
  g_setenv ("XDG_CONFIG_HOME", f->dir, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->server != NULL)
    kill_server (f);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
  g_free (f->store);
  g_free (f->token);
  g_free (f->url);
}

static void
check_exactly_once (Fixture *f,
                    guint    n_sessions)
{
  g_assert_cmpint (server_int (f, "SELECT count(*) FROM changes WHERE entity = 'session'"), ==,
                   n_sessions);
  g_assert_cmpint (server_int (f, "SELECT count(*) FROM changes WHERE entity = 'vehicle'"), ==,
                   1);
  g_assert_cmpint (server_int (f, "SELECT sum(count) FROM sample_chunks"), ==,
                   (gint64) n_sessions * SAMPLES_PER_SESSION);
  /* Every session's parts add up to its sample count. */
  g_assert_cmpint (server_int (f, sync_test_backend_is_pg ()
                                  ? "SELECT count(*) FROM changes c WHERE c.entity = 'session'"
                                    " AND (c.data::json->>'sample_count')::bigint !="
                                    " (SELECT sum(count) FROM sample_chunks k"
                                    "  WHERE k.session_id = c.entity_id)"
                                  : "SELECT count(*) FROM changes c WHERE c.entity = 'session'"
                                    " AND json_extract (c.data, '$.sample_count') !="
                                    " (SELECT sum(count) FROM sample_chunks k"
                                    "  WHERE k.session_id = c.entity_id)"), ==, 0);
  g_assert_cmpint (pending (f), ==, 0);
}

static void
test_kill_mid_push (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree char *out = NULL;
  int status = -1;
  guint kills = 0;

  fill_store (f->store, 0, N_SESSIONS);
  start_server (f);

  /* Kill the server at random moments while obd2 sync pushes: once the
   * server has stored a part more than before, then a random while
   * later, so every round dies in the middle of the push. */
  for (guint round = 0; round < 5; round++)
    {
      g_autoptr(GSubprocess) client = NULL;
      g_autoptr(GError) error = NULL;
      gint64 before = server_int (f, "SELECT count(*) FROM sample_chunks");
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      guint delay_ms = g_rand_int_range (rand, 0, 60);

      client = sync_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                program ("OBD2_CLI"), "--db", f->store, "sync", "--server",
                                f->url, NULL);
      g_assert_no_error (error);
      while (server_int (f, "SELECT count(*) FROM sample_chunks") == before)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (2000);
        }
      /* The random moment is the point here, not a wait for something. */
      g_usleep (delay_ms * 1000);
      kill_server (f);
      kills++;
      g_subprocess_wait (client, NULL, &error);
      g_assert_no_error (error);
      /* Killed under it: the client says so and fails. */
      g_assert_true (g_subprocess_get_if_exited (client));
      g_assert_cmpint (g_subprocess_get_exit_status (client), ==, 1);
      g_test_message ("round %u: killed %u ms into the push; the server holds %" G_GINT64_FORMAT
                      " sessions and %" G_GINT64_FORMAT " sample parts", round, delay_ms,
                      server_int (f, "SELECT count(*) FROM changes WHERE entity = 'session'"),
                      server_int (f, "SELECT count(*) FROM sample_chunks"));
      start_server (f);
    }
  g_assert_cmpuint (kills, ==, 5);

  out = run (&status, program ("OBD2_CLI"), "--db", f->store, "--json", "sync", "--server",
             f->url, NULL);
  g_assert_cmpint (status, ==, 0);
  check_exactly_once (f, N_SESSIONS);
}

/* Everything recorded so far (n sessions) is on the server. */
static gboolean
drained (Fixture *f,
         gint64   n)
{
  return pending (f) == 0
         && server_int (f, "SELECT count(*) FROM changes WHERE entity = 'session'") == n;
}

static void
wait_drained (Fixture *f,
              gint64   n)
{
  /* Backoff may have grown to half a minute while the server was down. */
  gint64 deadline = g_get_monotonic_time () + 150 * G_USEC_PER_SEC;

  while (!drained (f, n))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
}

static void
test_watch_survives_restart (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(GError) error = NULL;

  fill_store (f->store, 0, 2);
  start_server (f);
  watch = sync_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, program ("OBD2_CLI"), "--db", f->store, "sync", "--server",
                           f->url, "--watch", NULL);
  g_assert_no_error (error);
  wait_drained (f, 2);

  /* Down after a sync; recorded while it is down; back up on the same
   * port: the watch notices, backs off, and sends the rest. */
  kill_server (f);
  fill_store (f->store, 2, N_SESSIONS - 1);
  start_server (f);
  wait_drained (f, N_SESSIONS + 1);
  check_exactly_once (f, N_SESSIONS + 1);

  g_subprocess_send_signal (watch, SIGTERM);
  g_subprocess_wait (watch, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (watch));
  g_assert_cmpint (g_subprocess_get_exit_status (watch), ==, 0);
}

static void
test_admin_and_health (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *list = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  int status = -1;

  list = run_ok (program ("OBD2_SYNCD"), sync_test_backend_option (), f->server_db, "admin", "list", NULL);
  node = json_from_string (list, NULL);
  g_assert_nonnull (node);
  /* Secrets never leave the server: no token or hash in the listing. */
  g_assert_null (strstr (list, f->token));
  g_assert_null (strstr (list, "hash"));

  /* Usage errors exit 2 and say what to do. */
  g_free (run (&status, program ("OBD2_SYNCD"), sync_test_backend_option (), f->server_db, "admin", "create-user",
               "nope", "X", "pilot", NULL));
  g_assert_cmpint (status, ==, 2);
  /* Not a connection string, or two places for the data: usage; a
   * database that does not answer: failure. */
  g_free (run (&status, program ("OBD2_SYNCD"), "--postgres", "nonsense", NULL));
  g_assert_cmpint (status, ==, 2);
  g_free (run (&status, program ("OBD2_SYNCD"), "--db", f->dir, "--postgres", "dbname=x",
               NULL));
  g_assert_cmpint (status, ==, 2);
  g_free (run (&status, program ("OBD2_SYNCD"), "--postgres",
               "host=/nonexistent dbname=x connect_timeout=2", "admin", "list", NULL));
  g_assert_cmpint (status, ==, 1);
  g_free (run (&status, program ("OBD2_CLI"), "--db", f->store, "sync", "--server", "http://x",
               NULL));
  g_assert_cmpint (status, ==, 2);

  /* Revoked: the next sync fails with the reason, exit 1. */
  g_free (run_ok (program ("OBD2_SYNCD"), sync_test_backend_option (), f->server_db, "admin", "revoke", f->token,
                  NULL));
  start_server (f);
  fill_store (f->store, 0, 1);
  out = run (&status, program ("OBD2_CLI"), "--db", f->store, "sync", "--server", f->url, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpint (pending (f), >, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sync/process/admin", Fixture, NULL, fixture_setup, test_admin_and_health,
              fixture_teardown);
  g_test_add ("/sync/process/kill-mid-push", Fixture, NULL, fixture_setup, test_kill_mid_push,
              fixture_teardown);
  g_test_add ("/sync/process/watch-survives-restart", Fixture, NULL, fixture_setup,
              test_watch_survives_restart, fixture_teardown);
  return g_test_run ();
}
