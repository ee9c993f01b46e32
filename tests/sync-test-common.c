/* sync-test-common.c — a sync server, accounts and a raw WebSocket client
 * for the sync tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sync-test"
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "sync-test-common.h"

static void
die_with_parent (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The test may have died before the line above. */
  if (getppid () != parent)
    _exit (1);
}

GSubprocess *
sync_test_spawn (GSubprocessFlags   flags,
                 GError           **error,
                 const char        *argv0,
                 ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, argv0);
  for (const char *a = argv0; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (getpid ()), NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

/* Backends ------------------------------------------------------------------ */

gboolean
sync_test_backend_is_pg (void)
{
  return g_strcmp0 (g_getenv ("OBD2_TEST_BACKEND"), "postgres") == 0;
}

const char *
sync_test_backend_name (void)
{
  return sync_test_backend_is_pg () ? "postgres" : "sqlite";
}

const char *
sync_test_backend_option (void)
{
  return sync_test_backend_is_pg () ? "--postgres" : "--db";
}

static PGconn *
pg_connect (const char *conninfo)
{
  PGconn *pg = PQconnectdb (conninfo);

  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("Cannot connect to the test cluster (%s): %s", conninfo, PQerrorMessage (pg));
  return pg;
}

char *
sync_test_pg_database (void)
{
  static guint counter;
  const char *cluster = g_getenv ("OBD2_PG_CONNINFO");
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  PGconn *pg;
  PGresult *result;

  if (cluster == NULL)
    g_error ("OBD2_PG_CONNINFO is not set: run the PostgreSQL tests through meson "
             "(build-aux/pg-test-cluster run)");
  /* Only digits of our own go into the name. */
  name = g_strdup_printf ("t%u_%u", (guint) getpid (), ++counter);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  pg = pg_connect (cluster);
  result = PQexec (pg, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (pg));
  PQclear (result);
  PQfinish (pg);
  return g_strdup_printf ("%s dbname=%s", cluster, name);
}

void
sync_test_pg_cluster (const char *action)
{
  const char *script = g_getenv ("OBD2_PG_CLUSTER");
  const char *dir = g_getenv ("OBD2_PG_CLUSTER_DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  g_assert_nonnull (script);
  g_assert_nonnull (dir);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, script, action, dir,
                              NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

ObdSyncBackend *
sync_test_backend_new (const char  *dir,
                       char       **out_location)
{
  g_autoptr(GError) error = NULL;
  ObdSyncBackend *backend;

  if (sync_test_backend_is_pg ())
    {
      *out_location = sync_test_pg_database ();
      backend = obd_sync_backend_pg_new (*out_location, NULL, &error);
    }
  else
    {
      *out_location = g_build_filename (dir, "server.db", NULL);
      backend = obd_sync_backend_sqlite_new (*out_location, &error);
    }
  g_assert_no_error (error);
  return backend;
}

gint64
sync_test_query_int (const char *location,
                     const char *sql)
{
  gint64 value = -1;

  if (sync_test_backend_is_pg ())
    {
      PGconn *pg = pg_connect (location);
      PGresult *result = PQexec (pg, sql);

      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        g_error ("%s: %s", sql, PQerrorMessage (pg));
      if (PQntuples (result) > 0)
        value = PQgetisnull (result, 0, 0) ? 0
                                           : g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);
      PQfinish (pg);
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_open_v2 (location, &db, SQLITE_OPEN_READONLY, NULL), ==,
                       SQLITE_OK);
      sqlite3_busy_timeout (db, 5000);
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
  return value;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

gboolean
sync_test_wait_for (gboolean (*condition) (gpointer data),
                    gpointer  data,
                    double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!condition (data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      /* Wakes on any source; a timeout keeps the deadline honest. */
      {
        GSource *tick = g_timeout_source_new (20);

        g_source_set_callback (tick, tick_cb, NULL, NULL);
        g_source_attach (tick, g_main_context_get_thread_default ());
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
        g_source_destroy (tick);
        g_source_unref (tick);
      }
    }
  return TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(const gboolean *) data;
}

gboolean
sync_test_wait (const gboolean *flag,
                double          seconds)
{
  return sync_test_wait_for (flag_is_set, (gpointer) flag, seconds);
}

/* Server --------------------------------------------------------------------- */

static char *
make_token (ObdSyncBackend *backend,
            const char     *organisation,
            const char     *name,
            ObdSyncRole     role,
            const char     *vehicle)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user = obd_sync_backend_create_user (backend, organisation, name, role,
                                                       vehicle, &error);
  char *token;

  g_assert_no_error (error);
  token = obd_sync_backend_create_token (backend, user, &error);
  g_assert_no_error (error);
  return token;
}

SyncTestServer *
sync_test_server_new (const ObdSyncServerLimits *limits)
{
  SyncTestServer *s = g_new0 (SyncTestServer, 1);
  g_autoptr(GError) error = NULL;

  s->dir = g_dir_make_tmp ("sync-test-XXXXXX", &error);
  g_assert_no_error (error);
  s->backend = sync_test_backend_new (s->dir, &s->location);

  s->org_a = obd_sync_backend_create_organisation (s->backend, "Garage A", &error);
  g_assert_no_error (error);
  s->org_b = obd_sync_backend_create_organisation (s->backend, "Garage B", &error);
  g_assert_no_error (error);
  s->mechanic_a = make_token (s->backend, s->org_a, "Ann", OBD_SYNC_ROLE_MECHANIC, NULL);
  s->mechanic_a2 = make_token (s->backend, s->org_a, "Alex", OBD_SYNC_ROLE_MECHANIC, NULL);
  s->fleet_a = make_token (s->backend, s->org_a, "Fiona", OBD_SYNC_ROLE_FLEET, NULL);
  s->admin_a = make_token (s->backend, s->org_a, "Adam", OBD_SYNC_ROLE_ADMIN, NULL);
  s->mechanic_b = make_token (s->backend, s->org_b, "Ben", OBD_SYNC_ROLE_MECHANIC, NULL);

  s->server = obd_sync_server_new (s->backend, limits);
  obd_sync_server_listen (s->server, "127.0.0.1:0", &error);
  g_assert_no_error (error);
  s->url = obd_sync_server_dup_url (s->server);
  return s;
}

char *
sync_test_owner_token (SyncTestServer *s,
                       const char     *vehicle_id)
{
  return make_token (s->backend, s->org_a, "Olivia", OBD_SYNC_ROLE_OWNER, vehicle_id);
}

static gboolean
both_gone (gpointer data)
{
  SyncTestServer *s = data;

  return s->server == NULL && s->backend == NULL;
}

void
sync_test_server_free (SyncTestServer *s)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  obd_sync_server_shutdown (s->server);
  /* Tasks finishing on the backend thread are released on this context:
   * let them, then insist that nothing else holds on. */
  g_object_add_weak_pointer (G_OBJECT (s->server), (gpointer *) &s->server);
  g_object_add_weak_pointer (G_OBJECT (s->backend), (gpointer *) &s->backend);
  g_object_unref (s->server);
  g_object_unref (s->backend);
  g_assert_true (sync_test_wait_for (both_gone, s, 10));
  dir = g_dir_open (s->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (s->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (s->dir);
  g_free (s->dir);
  g_free (s->location);
  g_free (s->url);
  g_free (s->org_a);
  g_free (s->org_b);
  g_free (s->mechanic_a);
  g_free (s->mechanic_a2);
  g_free (s->fleet_a);
  g_free (s->admin_a);
  g_free (s->mechanic_b);
  g_free (s->owner_a_user);
  g_free (s);
}

gint64
sync_test_server_int (SyncTestServer *s,
                      const char     *sql)
{
  return sync_test_query_int (s->location, sql);
}

/* Raw peer ------------------------------------------------------------------- */

static void
on_peer_message_cb (SoupWebsocketConnection *conn,
                    int                      type,
                    GBytes                  *bytes,
                    SyncTestPeer            *peer)
{
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  ObdSyncMessage *message = obd_sync_message_parse (data, length, G_MAXSIZE,
                                                    OBD_SYNC_FROM_SERVER, NULL, &error);

  /* The server must only ever send valid messages. */
  g_assert_no_error (error);
  g_queue_push_tail (&peer->received, message);
}

static void
on_peer_closed_cb (SoupWebsocketConnection *conn,
                   SyncTestPeer            *peer)
{
  peer->closed = TRUE;
}

typedef struct
{
  SoupWebsocketConnection *conn;
  GError                  *error;
  gboolean                 done;
} Connecting;

static void
on_peer_connected_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Connecting *c = data;

  c->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &c->error);
  c->done = TRUE;
}

SyncTestPeer *
sync_test_peer_new (const char *url)
{
  SyncTestPeer *peer = g_new0 (SyncTestPeer, 1);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  Connecting c = { 0 };

  peer->session = soup_session_new ();
  peer->device_id = g_uuid_string_random ();
  soup_session_websocket_connect_async (peer->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_peer_connected_cb, &c);
  g_assert_true (sync_test_wait_for (flag_is_set, &c.done, 10));
  g_assert_no_error (c.error);
  peer->conn = c.conn;
  soup_websocket_connection_set_max_incoming_payload_size (peer->conn, 0);
  g_signal_connect (peer->conn, "message", G_CALLBACK (on_peer_message_cb), peer);
  g_signal_connect (peer->conn, "closed", G_CALLBACK (on_peer_closed_cb), peer);
  {
    g_autoptr(ObdSyncMessage) welcome = sync_test_peer_next (peer, OBD_SYNC_MSG_WELCOME, 10);

    g_assert_nonnull (welcome);
  }
  return peer;
}

void
sync_test_peer_free (SyncTestPeer *peer)
{
  g_signal_handlers_disconnect_by_data (peer->conn, peer);
  if (soup_websocket_connection_get_state (peer->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&peer->conn);
  g_clear_object (&peer->session);
  g_queue_clear_full (&peer->received, (GDestroyNotify) obd_sync_message_free);
  g_free (peer->device_id);
  g_free (peer);
}

void
sync_test_peer_send_text (SyncTestPeer *peer,
                          const char   *text)
{
  soup_websocket_connection_send_text (peer->conn, text);
}

char *
sync_test_peer_send (SyncTestPeer       *peer,
                     ObdSyncMessageType  type,
                     JsonObject         *payload)
{
  g_autoptr(ObdSyncMessage) message = obd_sync_message_new (type, payload);
  g_autofree char *text = obd_sync_message_to_string (message, NULL);

  sync_test_peer_send_text (peer, text);
  return g_strdup (message->message_id);
}

typedef struct
{
  SyncTestPeer       *peer;
  const char         *id;
  ObdSyncMessageType  type;
  ObdSyncMessage     *found;
} Finding;

static gboolean
find_message (gpointer data)
{
  Finding *f = data;

  for (GList *l = f->peer->received.head; l != NULL; l = l->next)
    {
      ObdSyncMessage *m = l->data;
      gboolean match = f->id != NULL
                       ? g_strcmp0 (obd_sync_payload_get_string (m->payload, "inReplyTo"),
                                    f->id) == 0
                       : m->type == f->type;

      if (match)
        {
          f->found = m;
          g_queue_delete_link (&f->peer->received, l);
          return TRUE;
        }
    }
  return FALSE;
}

ObdSyncMessage *
sync_test_peer_reply (SyncTestPeer *peer,
                      const char   *id,
                      double        seconds)
{
  Finding f = { peer, id, 0, NULL };

  sync_test_wait_for (find_message, &f, seconds);
  return f.found;
}

ObdSyncMessage *
sync_test_peer_next (SyncTestPeer       *peer,
                     ObdSyncMessageType  type,
                     double              seconds)
{
  Finding f = { peer, NULL, type, NULL };

  sync_test_wait_for (find_message, &f, seconds);
  return f.found;
}

ObdSyncMessage *
sync_test_peer_call (SyncTestPeer       *peer,
                     ObdSyncMessageType  type,
                     JsonObject         *payload)
{
  g_autofree char *id = sync_test_peer_send (peer, type, payload);

  return sync_test_peer_reply (peer, id, 10);
}

ObdSyncMessage *
sync_test_peer_auth (SyncTestPeer *peer,
                     const char   *token)
{
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "token", token);
  json_object_set_int_member (payload, "protocolVersion", OBD_SYNC_PROTOCOL_VERSION);
  json_object_set_string_member (payload, "deviceId", peer->device_id);
  return sync_test_peer_call (peer, OBD_SYNC_MSG_AUTHENTICATE, payload);
}

gboolean
sync_test_peer_alive (SyncTestPeer *peer)
{
  g_autoptr(ObdSyncMessage) pong = sync_test_peer_call (peer, OBD_SYNC_MSG_PING, NULL);

  return pong != NULL && pong->type == OBD_SYNC_MSG_PONG;
}

JsonObject *
sync_test_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

const char *
sync_test_error_code (const ObdSyncMessage *message)
{
  if (message == NULL || message->type != OBD_SYNC_MSG_ERROR)
    return NULL;
  return obd_sync_payload_get_string (message->payload, "code");
}

/* Relay ---------------------------------------------------------------------- */

/* Each pipe belongs to its pending read or write, and frees itself when
 * the stream ends or the relay cancels it. */
typedef struct
{
  SyncTestRelay *relay;
  GCancellable  *cancellable;
  GInputStream  *in;
  GOutputStream *out;
  GIOStream     *keep_in;
  GIOStream     *keep_out;
  guint8         buffer[65536];
} Pipe;

static void pipe_read (Pipe *pipe);
static void pipe_free (Pipe *pipe);

static void
on_pipe_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    pipe_read (data);
  else
    pipe_free (data);
}

static void
on_pipe_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Pipe *pipe = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      g_io_stream_close (pipe->keep_out, NULL, NULL);
      pipe_free (pipe);
      return;
    }
  if (pipe->relay->blackhole)
    {
      /* Swallowed: nothing goes through, nothing is closed. */
      pipe_read (pipe);
      return;
    }
  pipe->relay->bytes += n;
  g_output_stream_write_all_async (pipe->out, pipe->buffer, n, G_PRIORITY_DEFAULT,
                                   pipe->cancellable, on_pipe_written_cb, pipe);
}

static void
pipe_read (Pipe *pipe)
{
  g_input_stream_read_async (pipe->in, pipe->buffer, sizeof pipe->buffer, G_PRIORITY_DEFAULT,
                             pipe->cancellable, on_pipe_read_cb, pipe);
}

static void
pipe_free (Pipe *pipe)
{
  g_clear_object (&pipe->cancellable);
  g_clear_object (&pipe->keep_in);
  g_clear_object (&pipe->keep_out);
  g_free (pipe);
}

static Pipe *
pipe_new (SyncTestRelay     *relay,
          GSocketConnection *from,
          GSocketConnection *to)
{
  Pipe *pipe = g_new0 (Pipe, 1);

  pipe->relay = relay;
  pipe->cancellable = g_object_ref (relay->cancellable);
  pipe->in = g_io_stream_get_input_stream (G_IO_STREAM (from));
  pipe->out = g_io_stream_get_output_stream (G_IO_STREAM (to));
  pipe->keep_in = G_IO_STREAM (g_object_ref (from));
  pipe->keep_out = G_IO_STREAM (g_object_ref (to));
  return pipe;
}

static void
on_relay_incoming_cb (GSocketService    *service,
                      GSocketConnection *client,
                      GObject           *source,
                      SyncTestRelay     *relay)
{
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketConnection) server =
    g_socket_client_connect_to_host (connector, "127.0.0.1", relay->target, NULL, NULL);

  if (server == NULL)
    return;
  pipe_read (pipe_new (relay, client, server));
  pipe_read (pipe_new (relay, server, client));
}

SyncTestRelay *
sync_test_relay_new (guint16 target)
{
  SyncTestRelay *relay = g_new0 (SyncTestRelay, 1);
  g_autoptr(GError) error = NULL;

  relay->service = g_socket_service_new ();
  relay->cancellable = g_cancellable_new ();
  relay->target = target;
  relay->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (relay->service), NULL,
                                                     &error);
  g_assert_no_error (error);
  g_signal_connect (relay->service, "incoming", G_CALLBACK (on_relay_incoming_cb), relay);
  return relay;
}

void
sync_test_relay_free (SyncTestRelay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  g_clear_object (&relay->service);
  /* The pipes free themselves as their operations end cancelled; they no
   * longer look at the relay then. */
  g_cancellable_cancel (relay->cancellable);
  g_clear_object (&relay->cancellable);
  g_free (relay);
}
