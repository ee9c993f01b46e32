/* test-sync-faults.c — two obd2-syncd processes on one PostgreSQL
 * database, and what goes wrong in a workshop: the instance a PC pushes to
 * is killed half-way (the PC goes on with the other one), and PostgreSQL
 * restarts under load (the instances wait and reconnect).  Nothing lost,
 * nothing doubled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside build-aux/pg-test-cluster run (meson does that).
 */
#define G_LOG_DOMAIN "test-sync-faults"
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "obd-recorder.h"
#include "obd-store-sync.h"
#include "obd-sync-client.h"
#include "sync-test-common.h"

#define N_SESSIONS 6
#define SAMPLES_PER_SESSION 40000

typedef struct
{
  char        *dir;
  char        *conninfo;
  char        *token;
  GSubprocess *instance[2];
  guint        port[2];
  char        *url[2];
} Fixture;

static const char *
syncd (void)
{
  const char *path = g_getenv ("OBD2_SYNCD");

  if (path == NULL)
    g_error ("OBD2_SYNCD is not set; run this test through meson");
  return path;
}

static char *
admin (Fixture    *f,
       const char *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) syncd ());
  g_ptr_array_add (argv, (char *) "--postgres");
  g_ptr_array_add (argv, f->conninfo);
  g_ptr_array_add (argv, (char *) "admin");
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_strstrip (g_steal_pointer (&out));
}

static void
start_instance (Fixture *f,
                guint    i)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", f->port[i]);
  const char *port;

  f->instance[i] = sync_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, syncd (),
                                    "--postgres", f->conninfo, "--listen", listen,
                                    "--heartbeat", "1", "--idle-timeout", "5", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->instance[i]));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strstr (line, "port ");
  g_assert_nonnull (port);
  f->port[i] = (guint) g_ascii_strtoull (port + 5, NULL, 10);
  g_free (f->url[i]);
  f->url[i] = g_strdup_printf ("ws://127.0.0.1:%u/sync", f->port[i]);
}

static void
kill_instance (Fixture *f,
               guint    i)
{
  g_autoptr(GError) error = NULL;

  if (f->instance[i] == NULL)
    return;
  g_subprocess_send_signal (f->instance[i], SIGKILL);
  g_subprocess_wait (f->instance[i], NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->instance[i]);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org = NULL;
  g_autofree char *user = NULL;

  f->dir = g_dir_make_tmp ("test-sync-faults-XXXXXX", &error);
  g_assert_no_error (error);
  f->conninfo = sync_test_pg_database ();
  org = admin (f, "create-organisation", "Garage", NULL);
  user = admin (f, "create-user", org, "Ann", "mechanic", NULL);
  f->token = admin (f, "create-token", user, NULL);
  start_instance (f, 0);
  start_instance (f, 1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  kill_instance (f, 0);
  kill_instance (f, 1);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->conninfo);
  g_free (f->token);
  g_free (f->url[0]);
  g_free (f->url[1]);
}

/* A PC's store with sessions recorded offline. */
static char *
fill_store (Fixture    *f,
            const char *name,
            const char *vin)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  gint64 vehicle;

  g_assert_no_error (error);
  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  vehicle = obd_store_ensure_vehicle (store, vin, "Honda", "Accord", 2014, &error);
  g_assert_no_error (error);
  for (guint s = 0; s < N_SESSIONS; s++)
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
  return path;
}

static ObdSyncClient *
new_client (Fixture    *f,
            const char *store)
{
  ObdSyncClient *client = obd_sync_client_new (store);
  g_autofree char *urls = g_strdup_printf ("%s, %s", f->url[0], f->url[1]);

  obd_sync_client_set_server_url (client, urls);
  obd_sync_client_set_token (client, f->token);
  obd_sync_client_set_backoff (client, 50, 1000);
  return client;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
finalize_client (ObdSyncClient *client)
{
  obd_sync_client_stop (client);
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  g_assert_true (sync_test_wait_for (is_null, &client, 10));
}

static gint64
db_int (Fixture    *f,
        const char *sql)
{
  return sync_test_query_int (f->conninfo, sql);
}

static gboolean
parts_arrived (gpointer data)
{
  return db_int (data, "SELECT count(*) FROM sample_chunks") > 0;
}

static gboolean
drained (gpointer data)
{
  ObdSyncClient *client = data;

  return obd_sync_client_get_state (client) == OBD_SYNC_STATE_SYNCED
         && obd_sync_client_get_pending_count (client) == 0;
}

static void
check_exactly_once (Fixture *f,
                    guint    n_pcs)
{
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM changes WHERE entity = 'session'"), ==,
                   n_pcs * N_SESSIONS);
  g_assert_cmpint (db_int (f, "SELECT sum(count) FROM sample_chunks"), ==,
                   (gint64) n_pcs * N_SESSIONS * SAMPLES_PER_SESSION);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM changes c WHERE c.entity = 'session'"
                              " AND (c.data::json->>'sample_count')::bigint !="
                              " (SELECT sum(count) FROM sample_chunks k"
                              "  WHERE k.session_id = c.entity_id)"), ==, 0);
  /* Every change can be pulled: numbered, once. */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM changes WHERE cursor IS NULL"), ==, 0);
}

/* The instance a PC pushes to is killed: the PC goes on with the other
 * one at once, and the session it was sending arrives whole, once. */
static void
test_kill_instance_mid_push (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *store = fill_store (f, "pc.db", "1HGCR2F30EA012345");
  ObdSyncClient *client = new_client (f, store);
  g_autofree char *victim = NULL;
  guint killed;

  obd_sync_client_start (client);
  g_assert_true (sync_test_wait_for (parts_arrived, f, 60));
  victim = g_strdup (obd_sync_client_get_current_url (client));
  killed = g_str_equal (victim, f->url[0]) ? 0 : 1;
  kill_instance (f, killed);
  g_test_message ("killed instance %u with %" G_GINT64_FORMAT " sample parts stored", killed,
                  db_int (f, "SELECT count(*) FROM sample_chunks"));

  g_assert_true (sync_test_wait_for (drained, client, 120));
  g_assert_cmpstr (obd_sync_client_get_current_url (client), ==, f->url[1 - killed]);
  check_exactly_once (f, 1);
  finalize_client (client);
}

static gboolean
both_drained (gpointer data)
{
  ObdSyncClient **clients = data;

  return drained (clients[0]) && drained (clients[1]);
}

/* GET /healthz of the instance on port: 200 and "ok". */
static gboolean
instance_healthy (gpointer data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/healthz", GPOINTER_TO_UINT (data));
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg) == SOUP_STATUS_OK
         && g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                          "\"status\":\"ok\"") != NULL;
}

/* PostgreSQL stops as a power cut would and comes back, while two PCs
 * push through the two instances: the instances wait and reconnect,
 * the PCs retry, and the data arrives whole, once. */
static void
test_postgres_restart_under_load (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *store1 = fill_store (f, "pc1.db", "1HGCR2F30EA012345");
  g_autofree char *store2 = fill_store (f, "pc2.db", "WVWZZZ1JZXW000001");
  ObdSyncClient *clients[2] = { new_client (f, store1), new_client (f, store2) };

  obd_sync_client_start (clients[0]);
  obd_sync_client_start (clients[1]);
  g_assert_true (sync_test_wait_for (parts_arrived, f, 60));
  sync_test_pg_cluster ("crash");
  g_test_message ("PostgreSQL stopped with %" G_GINT64_FORMAT " pending",
                  obd_sync_client_get_pending_count (clients[0])
                  + obd_sync_client_get_pending_count (clients[1]));
  sync_test_pg_cluster ("start");

  g_assert_true (sync_test_wait_for (both_drained, clients, 180));
  check_exactly_once (f, 2);
  /* Both instances rode it out, and say so once their live-event
   * connection is back (it reconnects with a backoff of its own, so an
   * instance may still be waiting when the pushes have drained). */
  for (guint i = 0; i < 2; i++)
    g_assert_true (sync_test_wait_for (instance_healthy, GUINT_TO_POINTER (f->port[i]), 60));
  finalize_client (clients[0]);
  finalize_client (clients[1]);
}

/* The instance of a room's mechanic dies (killed, cut off): it cannot
 * say so, so the other instances notice that its heartbeat stopped and
 * close its rooms for the experts connected to them. */
static void
test_room_host_instance_dies (Fixture       *f,
                              gconstpointer  data)
{
  SyncTestPeer *host = sync_test_peer_new (f->url[0]);
  SyncTestPeer *expert = sync_test_peer_new (f->url[1]);
  g_autofree char *org_b = admin (f, "create-organisation", "Experts", NULL);
  g_autofree char *user_b = admin (f, "create-user", org_b, "Eve", "mechanic", NULL);
  g_autofree char *expert_token = admin (f, "create-token", user_b, NULL);
  g_autofree char *vehicle = g_uuid_string_random ();
  g_autofree char *push = g_strdup_printf (
    "{\"changes\": [{\"seq\": 1, \"entity\": \"vehicle\", \"entityId\": \"%s\","
    " \"op\": \"insert\", \"changedAt\": 1, \"data\": {\"uuid\": \"%s\"}}]}",
    vehicle, vehicle);
  g_autofree char *create = g_strdup_printf ("{\"vehicleId\": \"%s\"}", vehicle);
  g_autofree char *join = NULL;
  g_autoptr(ObdSyncMessage) reply = NULL;
  g_autoptr(ObdSyncMessage) closed = NULL;
  g_autoptr(ObdSyncMessage) joined = NULL;

  g_clear_pointer (&reply, obd_sync_message_free);
  reply = sync_test_peer_auth (host, f->token);
  g_assert_cmpint (reply->type, ==, OBD_SYNC_MSG_AUTHENTICATION_SUCCESS);
  g_clear_pointer (&reply, obd_sync_message_free);
  reply = sync_test_peer_auth (expert, expert_token);
  g_assert_cmpint (reply->type, ==, OBD_SYNC_MSG_AUTHENTICATION_SUCCESS);
  g_clear_pointer (&reply, obd_sync_message_free);
  reply = sync_test_peer_call (host, OBD_SYNC_MSG_PUSH, sync_test_object (push));
  g_assert_cmpint (reply->type, ==, OBD_SYNC_MSG_PUSH_ACK);
  g_clear_pointer (&reply, obd_sync_message_free);
  reply = sync_test_peer_call (host, OBD_SYNC_MSG_ROOM_CREATE, sync_test_object (create));
  g_assert_cmpint (reply->type, ==, OBD_SYNC_MSG_ROOM_CREATED);
  join = g_strdup_printf ("{\"code\": \"%s\"}",
                          json_object_get_string_member (reply->payload, "code"));
  joined = sync_test_peer_call (expert, OBD_SYNC_MSG_ROOM_JOIN, sync_test_object (join));
  g_assert_cmpint (joined->type, ==, OBD_SYNC_MSG_ROOM_JOINED);

  kill_instance (f, 0);
  /* Its last heartbeat, as if it were long ago (the wait is 20 s); the
   * survivor's next heartbeat (every 5 s) finds it gone. */
  {
    g_autoptr(GSubprocess) psql = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL,
                                                    "psql", "-q", "-d", f->conninfo, "-c",
                                                    "UPDATE instances SET seen_us ="
                                                    " seen_us - 60000000", NULL);

    g_assert_nonnull (psql);
    g_assert_true (g_subprocess_wait_check (psql, NULL, NULL));
  }
  /* Pinging meanwhile, as a client does: the instances hang up on
   * connections silent for 5 s here. */
  for (guint i = 0; i < 30 && closed == NULL; i++)
    {
      g_assert_true (sync_test_peer_alive (expert));
      closed = sync_test_peer_next (expert, OBD_SYNC_MSG_ROOM_CLOSED, 1);
    }
  g_assert_nonnull (closed);
  g_assert_cmpstr (json_object_get_string_member (closed->payload, "reason"), ==, "host_left");
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM room_members"), ==, 0);
  sync_test_peer_free (host);
  sync_test_peer_free (expert);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("OBD2_NO_KEYRING", "1", TRUE);
  if (!sync_test_backend_is_pg ())
    {
      g_print ("Bail out! PostgreSQL only: run it through meson, which starts a cluster for "
               "it (build-aux/pg-test-cluster run)\n");
      return 1;
    }
  g_test_add ("/sync/faults/kill-instance-mid-push", Fixture, NULL, fixture_setup,
              test_kill_instance_mid_push, fixture_teardown);
  g_test_add ("/sync/faults/postgres-restart-under-load", Fixture, NULL, fixture_setup,
              test_postgres_restart_under_load, fixture_teardown);
  g_test_add ("/sync/faults/room-host-instance-dies", Fixture, NULL, fixture_setup,
              test_room_host_instance_dies, fixture_teardown);
  return g_test_run ();
}
