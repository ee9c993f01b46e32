/* test-sync-instances.c — several obd2-syncd instances on one PostgreSQL
 * database, in one process: schema migrations racing, live events and
 * expert rooms across instances, the same batch through two instances,
 * a pool that runs out, the database restarting under the instances, and
 * the plans of the hot queries on a database of a million samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs inside build-aux/pg-test-cluster run (meson does that), each test
 * in a database of its own.
 */
#define G_LOG_DOMAIN "test-sync-instances"
#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "obd-sync-rules.h"
#include "sync-test-common.h"

#define VIN_1 "1HGCR2F30EA012345"

/* Two instances ----------------------------------------------------------------- */

typedef struct
{
  char           *conninfo;
  ObdSyncBackend *backend[2];
  ObdSyncServer  *server[2];
  char           *url[2];
  char           *org;
  char           *org_b;
  char           *mechanic;
  char           *mechanic2;
  char           *fleet;
  char           *expert;     /* a mechanic of another organisation */
} Fixture;

static char *
token_for (ObdSyncBackend *backend,
           const char     *org,
           const char     *name,
           ObdSyncRole     role)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user = obd_sync_backend_create_user (backend, org, name, role, NULL, &error);
  char *token;

  g_assert_no_error (error);
  token = obd_sync_backend_create_token (backend, user, &error);
  g_assert_no_error (error);
  return token;
}

static void
start_instance (Fixture               *f,
                guint                  i,
                const ObdPgPoolConfig *config)
{
  g_autoptr(GError) error = NULL;

  f->backend[i] = obd_sync_backend_pg_new (f->conninfo, config, &error);
  g_assert_no_error (error);
  f->server[i] = obd_sync_server_new (f->backend[i], NULL);
  g_assert_true (obd_sync_server_listen (f->server[i], "127.0.0.1:0", &error));
  f->url[i] = obd_sync_server_dup_url (f->server[i]);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->conninfo = sync_test_pg_database ();
  start_instance (f, 0, data);
  start_instance (f, 1, data);
  f->org = obd_sync_backend_create_organisation (f->backend[0], "Fleet", &error);
  g_assert_no_error (error);
  f->org_b = obd_sync_backend_create_organisation (f->backend[0], "Experts", &error);
  g_assert_no_error (error);
  f->mechanic = token_for (f->backend[0], f->org, "Ann", OBD_SYNC_ROLE_MECHANIC);
  f->mechanic2 = token_for (f->backend[0], f->org, "Alex", OBD_SYNC_ROLE_MECHANIC);
  f->fleet = token_for (f->backend[0], f->org, "Fiona", OBD_SYNC_ROLE_FLEET);
  f->expert = token_for (f->backend[0], f->org_b, "Eve", OBD_SYNC_ROLE_MECHANIC);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
stop_instance (Fixture *f,
               guint    i)
{
  if (f->server[i] == NULL)
    return;
  obd_sync_server_shutdown (f->server[i]);
  g_object_add_weak_pointer (G_OBJECT (f->server[i]), (gpointer *) &f->server[i]);
  g_object_add_weak_pointer (G_OBJECT (f->backend[i]), (gpointer *) &f->backend[i]);
  g_object_unref (f->server[i]);
  g_object_unref (f->backend[i]);
  g_assert_true (sync_test_wait_for (is_null, &f->server[i], 10));
  g_assert_true (sync_test_wait_for (is_null, &f->backend[i], 10));
  g_clear_pointer (&f->url[i], g_free);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  stop_instance (f, 0);
  stop_instance (f, 1);
  g_free (f->conninfo);
  g_free (f->org);
  g_free (f->org_b);
  g_free (f->mechanic);
  g_free (f->mechanic2);
  g_free (f->fleet);
  g_free (f->expert);
}

static SyncTestPeer *
authed (const char *url,
        const char *token)
{
  SyncTestPeer *peer = sync_test_peer_new (url);
  g_autoptr(ObdSyncMessage) reply = sync_test_peer_auth (peer, token);

  g_assert_nonnull (reply);
  g_assert_cmpint (reply->type, ==, OBD_SYNC_MSG_AUTHENTICATION_SUCCESS);
  return peer;
}

static char *
push_vehicle (SyncTestPeer *peer,
              const char   *vin)
{
  g_autofree char *id = g_uuid_string_random ();
  gint64 seq = ++peer->seq;
  g_autofree char *json = g_strdup_printf (
    "{\"changes\": [{\"seq\": %" G_GINT64_FORMAT ", \"entity\": \"vehicle\", \"entityId\": \"%s\","
    " \"op\": \"insert\", \"changedAt\": 1, \"data\": {\"uuid\": \"%s\", \"vin\": \"%s\"}}]}",
    seq, id, id, vin);
  g_autoptr(ObdSyncMessage) ack = sync_test_peer_call (peer, OBD_SYNC_MSG_PUSH,
                                                       sync_test_object (json));

  g_assert_nonnull (ack);
  g_assert_cmpint (ack->type, ==, OBD_SYNC_MSG_PUSH_ACK);
  return g_steal_pointer (&id);
}

static void
subscribe (SyncTestPeer *peer,
           const char   *channel)
{
  g_autofree char *json = g_strdup_printf ("{\"channels\": [\"%s\"]}", channel);
  g_autoptr(ObdSyncMessage) ok = sync_test_peer_call (peer, OBD_SYNC_MSG_SUBSCRIBE,
                                                      sync_test_object (json));

  g_assert_nonnull (ok);
  g_assert_cmpint (ok->type, ==, OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS);
}

static gint64
db_int (Fixture    *f,
        const char *sql)
{
  return sync_test_query_int (f->conninfo, sql);
}

/* Migrations ---------------------------------------------------------------------- */

typedef struct
{
  const char     *conninfo;
  ObdSyncBackend *backend;
  GError         *error;
} Opening;

static gpointer
open_thread (gpointer data)
{
  Opening *o = data;

  o->backend = obd_sync_backend_pg_new (o->conninfo, NULL, &o->error);
  return NULL;
}

/* Instances starting at once on an empty database: the schema is made
 * once, under the advisory lock, and every instance starts. */
static void
test_migrations_race (void)
{
  g_autofree char *conninfo = sync_test_pg_database ();
  Opening opening[4] = { { 0 } };
  GThread *threads[G_N_ELEMENTS (opening)];

  for (guint i = 0; i < G_N_ELEMENTS (opening); i++)
    {
      opening[i].conninfo = conninfo;
      threads[i] = g_thread_new ("open", open_thread, &opening[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (opening); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (opening[i].error);
      g_assert_nonnull (opening[i].backend);
      g_object_unref (opening[i].backend);
    }
  g_assert_cmpint (sync_test_query_int (conninfo, "SELECT count(*) FROM obd2_schema"), ==,
                   OBD_SYNC_PG_SCHEMA_VERSION);

  /* A database of a newer server is refused, untouched. */
  {
    PGconn *pg = PQconnectdb (conninfo);
    g_autoptr(GError) error = NULL;
    ObdSyncBackend *backend;

    PQclear (PQexec (pg, "INSERT INTO obd2_schema VALUES (99, 0)"));
    PQfinish (pg);
    backend = obd_sync_backend_pg_new (conninfo, NULL, &error);
    g_assert_null (backend);
    g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE);
    g_assert_nonnull (strstr (error->message, "newer"));
  }
}

/* Live events ------------------------------------------------------------------------ */

static gboolean
queue_has (SyncTestPeer       *peer,
           ObdSyncMessageType  type,
           const char         *needle)
{
  for (GList *l = peer->received.head; l != NULL; l = l->next)
    {
      ObdSyncMessage *m = l->data;
      g_autofree char *text = NULL;

      if (m->type != type)
        continue;
      text = obd_sync_message_to_string (m, NULL);
      if (needle == NULL || strstr (text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static guint
queue_count (SyncTestPeer       *peer,
             ObdSyncMessageType  type)
{
  guint n = 0;

  for (GList *l = peer->received.head; l != NULL; l = l->next)
    n += ((ObdSyncMessage *) l->data)->type == type;
  return n;
}

typedef struct
{
  SyncTestPeer       *peer;
  ObdSyncMessageType  type;
  const char         *needle;
} Waiting;

static gboolean
arrived (gpointer data)
{
  Waiting *w = data;

  return queue_has (w->peer, w->type, w->needle);
}

static gboolean
wait_for (SyncTestPeer       *peer,
          ObdSyncMessageType  type,
          const char         *needle)
{
  Waiting w = { peer, type, needle };

  return sync_test_wait_for (arrived, &w, 15);
}

static void
send_status (SyncTestPeer *peer,
             const char   *vehicle,
             const char   *marker,
             guint         n_values)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_printf (json, "{\"vehicleId\": \"%s\", \"sampledAt\": 1, \"values\": {"
                   "\"%s\": {\"value\": 1, \"unit\": \"rpm\"}", vehicle, marker);
  for (guint i = 0; i < n_values; i++)
    g_string_append_printf (json, ", \"pid_%03u_with_a_long_descriptive_name\": {\"value\": %u,"
                            " \"unit\": \"kPa\"}", i, i);
  g_string_append (json, "}}");
  g_free (sync_test_peer_send (peer, OBD_SYNC_MSG_VEHICLE_STATUS,
                               sync_test_object (json->str)));
}

static gboolean
sent_large (gpointer backend)
{
  g_autoptr(JsonObject) status = obd_sync_backend_dup_status (backend);

  return json_object_get_int_member (status, "notify_large_total") >= 1;
}

static void
test_live_across (Fixture       *f,
                  gconstpointer  data)
{
  SyncTestPeer *mechanic = authed (f->url[0], f->mechanic);
  g_autofree char *v = push_vehicle (mechanic, VIN_1);
  g_autofree char *fleet_channel = g_strdup_printf ("fleet:%s", f->org);
  g_autofree char *vehicle_channel = g_strdup_printf ("vehicle:%s", v);
  SyncTestPeer *far_fleet = authed (f->url[1], f->fleet);
  SyncTestPeer *far_vehicle = authed (f->url[1], f->mechanic2);
  SyncTestPeer *near_fleet = authed (f->url[0], f->fleet);
  SyncTestPeer *stranger = authed (f->url[1], f->expert);

  subscribe (far_fleet, fleet_channel);
  subscribe (far_vehicle, vehicle_channel);
  subscribe (near_fleet, fleet_channel);

  /* Published on instance 0: heard on 1 by the fleet and the vehicle's
   * followers, on 0 by its own follower once (no echo). */
  send_status (mechanic, v, "first", 0);
  g_assert_true (wait_for (far_fleet, OBD_SYNC_MSG_VEHICLE_STATUS, "first"));
  g_assert_true (wait_for (far_vehicle, OBD_SYNC_MSG_VEHICLE_STATUS, "first"));
  g_assert_true (wait_for (near_fleet, OBD_SYNC_MSG_VEHICLE_STATUS, "first"));

  /* Too large for a notification (8000 bytes): through live_events. */
  send_status (mechanic, v, "large", 200);
  g_assert_true (wait_for (far_fleet, OBD_SYNC_MSG_VEHICLE_STATUS, "large"));
  g_assert_true (wait_for (near_fleet, OBD_SYNC_MSG_VEHICLE_STATUS, "large"));
  g_assert_true (sync_test_wait_for (sent_large, f->backend[0], 10));

  /* A last one, then count: each was delivered exactly once. */
  send_status (mechanic, v, "last", 0);
  g_assert_true (wait_for (far_fleet, OBD_SYNC_MSG_VEHICLE_STATUS, "last"));
  g_assert_true (wait_for (near_fleet, OBD_SYNC_MSG_VEHICLE_STATUS, "last"));
  g_assert_true (sync_test_peer_alive (near_fleet));
  g_assert_cmpuint (queue_count (far_fleet, OBD_SYNC_MSG_VEHICLE_STATUS), ==, 3);
  g_assert_cmpuint (queue_count (near_fleet, OBD_SYNC_MSG_VEHICLE_STATUS), ==, 3);
  /* Another organisation's mechanic hears nothing of it. */
  g_assert_true (sync_test_peer_alive (stranger));
  g_assert_cmpuint (queue_count (stranger, OBD_SYNC_MSG_VEHICLE_STATUS), ==, 0);

  sync_test_peer_free (mechanic);
  sync_test_peer_free (far_fleet);
  sync_test_peer_free (far_vehicle);
  sync_test_peer_free (near_fleet);
  sync_test_peer_free (stranger);
}

/* Rooms ------------------------------------------------------------------------------ */

static guint
presence_size (SyncTestPeer *peer)
{
  /* The newest presence: who is in the room now. */
  for (GList *l = peer->received.tail; l != NULL; l = l->prev)
    {
      ObdSyncMessage *m = l->data;

      if (m->type == OBD_SYNC_MSG_PRESENCE)
        return json_array_get_length (json_object_get_array_member (m->payload, "members"));
    }
  return 0;
}

typedef struct
{
  SyncTestPeer *peer;
  guint         size;
} PresenceOf;

static gboolean
presence_is (gpointer data)
{
  PresenceOf *p = data;

  return presence_size (p->peer) == p->size;
}

static gboolean
no_open_room (gpointer data)
{
  return db_int (data, "SELECT count(*) FROM rooms WHERE closed_us IS NULL") == 0;
}

static void
test_room_across (Fixture       *f,
                  gconstpointer  data)
{
  SyncTestPeer *host = authed (f->url[0], f->mechanic);
  g_autofree char *v = push_vehicle (host, VIN_1);
  SyncTestPeer *expert = authed (f->url[1], f->expert);
  g_autofree char *create = g_strdup_printf ("{\"vehicleId\": \"%s\"}", v);
  g_autoptr(ObdSyncMessage) created = sync_test_peer_call (host, OBD_SYNC_MSG_ROOM_CREATE,
                                                           sync_test_object (create));
  g_autoptr(ObdSyncMessage) joined = NULL;
  g_autofree char *join = NULL;
  g_autofree char *note = NULL;
  g_autofree char *room_id = NULL;
  PresenceOf two_at_host = { host, 2 }, two_at_expert = { expert, 2 }, one_at_host = { host, 1 };

  g_assert_cmpint (created->type, ==, OBD_SYNC_MSG_ROOM_CREATED);
  room_id = g_strdup (json_object_get_string_member (created->payload, "roomId"));
  join = g_strdup_printf ("{\"code\": \"%s\"}",
                          json_object_get_string_member (created->payload, "code"));
  joined = sync_test_peer_call (expert, OBD_SYNC_MSG_ROOM_JOIN, sync_test_object (join));
  g_assert_cmpint (joined->type, ==, OBD_SYNC_MSG_ROOM_JOINED);

  /* One presence list on both instances: the host and the expert. */
  g_assert_true (sync_test_wait_for (presence_is, &two_at_host, 15));
  g_assert_true (sync_test_wait_for (presence_is, &two_at_expert, 15));

  /* The list published when the room was made, reaching the expert's
   * instance only now (a notification from another instance can come
   * after a newer change made here): older than what the expert has,
   * so dropped.  The note after it shows it was handled. */
  {
    g_autoptr(JsonArray) members = json_array_new ();
    ObdSyncRoom stale = { .room_id = room_id, .members = members, .presence_version = 1 };
    g_autofree char *stale_text = NULL;
    g_autofree char *marker = g_strdup_printf ("{\"roomId\": \"%s\", \"text\": \"after the stale list\","
                                               " \"from\": {\"userId\": \"u\", \"userName\": \"Ann\","
                                               " \"role\": \"mechanic\"}}", room_id);
    g_autoptr(ObdSyncMessage) after = obd_sync_message_new (OBD_SYNC_MSG_ROOM_NOTE,
                                                            sync_test_object (marker));
    g_autofree char *note_text = obd_sync_message_to_string (after, NULL);

    json_array_add_object_element (members, obd_sync_room_member ("u", "Ann", "mechanic", TRUE));
    stale_text = obd_sync_room_presence_text (&stale);
    obd_sync_backend_publish (f->backend[0], f->org, NULL, room_id, stale_text);
    obd_sync_backend_publish (f->backend[0], f->org, NULL, room_id, note_text);
    g_assert_true (wait_for (expert, OBD_SYNC_MSG_ROOM_NOTE, "after the stale list"));
    g_assert_cmpuint (presence_size (expert), ==, 2);
    g_assert_cmpuint (presence_size (host), ==, 2);
  }

  /* The expert on instance 1 sees the vehicle live from instance 0, and
   * the host hears the expert's note. */
  send_status (host, v, "roomlive", 0);
  g_assert_true (wait_for (expert, OBD_SYNC_MSG_VEHICLE_STATUS, "roomlive"));
  note = g_strdup_printf ("{\"roomId\": \"%s\", \"text\": \"Check the fan relay\"}", room_id);
  g_free (sync_test_peer_send (expert, OBD_SYNC_MSG_ROOM_NOTE, sync_test_object (note)));
  g_assert_true (wait_for (host, OBD_SYNC_MSG_ROOM_NOTE, "fan relay"));

  /* The expert leaves on instance 1: the host sees it on 0. */
  {
    g_autofree char *leave = g_strdup_printf ("{\"roomId\": \"%s\"}", room_id);

    g_free (sync_test_peer_send (expert, OBD_SYNC_MSG_ROOM_LEAVE, sync_test_object (leave)));
  }
  g_assert_true (sync_test_wait_for (presence_is, &one_at_host, 15));
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM room_members"), ==, 1);

  /* Closed on instance 0 while a second expert watches from 1. */
  {
    g_autoptr(ObdSyncMessage) again = NULL;
    g_autoptr(ObdSyncMessage) recreated = NULL;
    g_autoptr(ObdSyncMessage) closed = NULL;
    g_autofree char *join2 = NULL;
    g_autofree char *close = NULL;
    SyncTestPeer *watcher = authed (f->url[1], f->expert);

    recreated = sync_test_peer_call (host, OBD_SYNC_MSG_ROOM_CREATE, sync_test_object (create));
    join2 = g_strdup_printf ("{\"code\": \"%s\"}",
                             json_object_get_string_member (recreated->payload, "code"));
    again = sync_test_peer_call (watcher, OBD_SYNC_MSG_ROOM_JOIN, sync_test_object (join2));
    g_assert_cmpint (again->type, ==, OBD_SYNC_MSG_ROOM_JOINED);
    close = g_strdup_printf ("{\"roomId\": \"%s\"}",
                             json_object_get_string_member (recreated->payload, "roomId"));
    g_free (sync_test_peer_send (host, OBD_SYNC_MSG_ROOM_CLOSE, sync_test_object (close)));
    closed = sync_test_peer_next (watcher, OBD_SYNC_MSG_ROOM_CLOSED, 15);
    g_assert_nonnull (closed);
    g_assert_cmpstr (json_object_get_string_member (closed->payload, "reason"), ==, "closed");
    sync_test_peer_free (watcher);
  }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM rooms WHERE closed_us IS NULL"), ==, 1);

  /* The host disconnects: its first room closes too. */
  sync_test_peer_free (host);
  g_assert_true (sync_test_wait_for (no_open_room, f, 15));
  g_assert_true (sync_test_peer_alive (expert));
  sync_test_peer_free (expert);
}

/* The same batch through two instances ------------------------------------------ */

#define PARTS 12

/* A session of PARTS × 500 samples with seq, and a note with seq + 1. */
static char *
batch_json (const char *vehicle,
            const char *session,
            gint64      seq)
{
  g_autoptr(GString) json = g_string_new ("{\"changes\": [");
  g_autoptr(GArray) raw = g_array_new (FALSE, TRUE, 24);
  g_autofree char *samples = NULL;

  for (guint i = 0; i < 500; i++)
    {
      guint8 record[24] = { 0 };
      gint64 t = 1714557600000000 + i;
      double value = i;
      guint32 ecu = 0x7E8;

      memcpy (record, &t, 8);
      memcpy (record + 8, &value, 8);
      memcpy (record + 16, &ecu, 4);
      record[20] = 1;
      record[21] = 0x0C;
      g_array_append_vals (raw, record, 1);
    }
  samples = g_base64_encode ((const guchar *) raw->data, raw->len * 24);
  for (guint part = 0; part < PARTS; part++)
    g_string_append_printf (json, "{\"seq\": %" G_GINT64_FORMAT ", \"entity\": \"samples\","
                            " \"entityId\": \"%s\", \"op\": \"insert\", \"changedAt\": 0,"
                            " \"part\": %u, \"data\": {\"encoding\": \"obd2-samples-v1\","
                            " \"count\": 500, \"samples\": \"%s\"}},", seq, session, part, samples);
  g_string_append_printf (json, "{\"seq\": %" G_GINT64_FORMAT ", \"entity\": \"session\","
                          " \"entityId\": \"%s\", \"op\": \"insert\", \"changedAt\": 5,"
                          " \"chainSeq\": %" G_GINT64_FORMAT ", \"data\": {\"uuid\": \"%s\","
                          " \"vehicle\": \"%s\", \"hash\": \"ab\", \"sample_count\": %u}},"
                          "{\"seq\": %" G_GINT64_FORMAT ", \"entity\": \"note\","
                          " \"entityId\": \"n-%s\", \"op\": \"insert\", \"changedAt\": 6,"
                          " \"data\": {\"vehicle\": \"%s\", \"text\": \"Brakes squeal\"}}]}",
                          seq, session, seq, session, vehicle, PARTS * 500, seq + 1, session,
                          vehicle);
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* Two transactions of the test's database wait for a lock. */
static gboolean
two_waiting (gpointer data)
{
  Fixture *f = data;

  return db_int (f, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database ()") >= 2;
}

static void
test_same_batch_two_instances (Fixture       *f,
                               gconstpointer  data)
{
  SyncTestPeer *a = authed (f->url[0], f->mechanic);
  g_autofree char *v = push_vehicle (a, VIN_1);
  SyncTestPeer *b = sync_test_peer_new (f->url[1]);
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  g_autoptr(ObdSyncMessage) ack_a = NULL;
  g_autoptr(ObdSyncMessage) ack_b = NULL;
  g_autoptr(ObdSyncMessage) auth = NULL;

  /* The same PC (device) on both: a retry that went to the other
   * instance while the first still worked on it. */
  g_free (b->device_id);
  b->device_id = g_strdup (a->device_id);
  auth = sync_test_peer_auth (b, f->mechanic);
  g_assert_cmpint (auth->type, ==, OBD_SYNC_MSG_AUTHENTICATION_SUCCESS);

  /* First a note, held until both instances have checked that it is new
   * and wait to write it (behind a lock on the change log): only the
   * device's lock keeps the second from writing it again.  Then rounds of
   * a new session, sent to both at once. */
  {
    g_autofree char *note = g_strdup_printf (
      "{\"changes\": [{\"seq\": 100, \"entity\": \"note\", \"entityId\": \"first-note\","
      " \"op\": \"insert\", \"changedAt\": 6, \"data\": {\"vehicle\": \"%s\"}}]}", v);
    PGconn *locker = PQconnectdb (f->conninfo);

    PQclear (PQexec (locker, "BEGIN"));
    PQclear (PQexec (locker, "LOCK TABLE changes IN EXCLUSIVE MODE"));
    id_a = sync_test_peer_send (a, OBD_SYNC_MSG_PUSH, sync_test_object (note));
    id_b = sync_test_peer_send (b, OBD_SYNC_MSG_PUSH, sync_test_object (note));
    g_assert_true (sync_test_wait_for (two_waiting, f, 15));
    PQclear (PQexec (locker, "COMMIT"));
    PQfinish (locker);
    ack_a = sync_test_peer_reply (a, id_a, 15);
    ack_b = sync_test_peer_reply (b, id_b, 15);
    if (ack_a->type != OBD_SYNC_MSG_PUSH_ACK || ack_b->type != OBD_SYNC_MSG_PUSH_ACK)
      g_error ("%s / %s", obd_sync_payload_get_string (ack_a->payload, "message"),
               obd_sync_payload_get_string (ack_b->payload, "message"));
    g_clear_pointer (&id_a, g_free);
    g_clear_pointer (&id_b, g_free);
    g_clear_pointer (&ack_a, obd_sync_message_free);
    g_clear_pointer (&ack_b, obd_sync_message_free);
  }
  for (guint round = 0; round < 5; round++)
    {
      g_autofree char *session = g_uuid_string_random ();
      g_autofree char *json = batch_json (v, session, 200 + 2 * round);

      id_a = sync_test_peer_send (a, OBD_SYNC_MSG_PUSH, sync_test_object (json));
      id_b = sync_test_peer_send (b, OBD_SYNC_MSG_PUSH, sync_test_object (json));
      ack_a = sync_test_peer_reply (a, id_a, 15);
      ack_b = sync_test_peer_reply (b, id_b, 15);
      g_assert_cmpint (ack_a->type, ==, OBD_SYNC_MSG_PUSH_ACK);
      g_assert_cmpint (ack_b->type, ==, OBD_SYNC_MSG_PUSH_ACK);
      if (ack_a->type != OBD_SYNC_MSG_PUSH_ACK || ack_b->type != OBD_SYNC_MSG_PUSH_ACK)
        g_error ("round %u: %s / %s", round,
                 obd_sync_payload_get_string (ack_a->payload, "message"),
                 obd_sync_payload_get_string (ack_b->payload, "message"));
      g_assert_cmpint (json_object_get_int_member (ack_a->payload, "ackedSeq"), ==,
                       201 + 2 * round);
      g_assert_cmpint (json_object_get_int_member (ack_b->payload, "ackedSeq"), ==,
                       201 + 2 * round);
      g_clear_pointer (&id_a, g_free);
      g_clear_pointer (&id_b, g_free);
      g_clear_pointer (&ack_a, obd_sync_message_free);
      g_clear_pointer (&ack_b, obd_sync_message_free);
    }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM changes WHERE entity = 'session'"), ==, 5);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM changes WHERE entity = 'note'"), ==, 6);
  g_assert_cmpint (db_int (f, "SELECT sum(count) FROM sample_chunks"), ==, 5 * PARTS * 500);
  /* And every stored change has its pull cursor, once. */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM changes WHERE cursor IS NULL"), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(DISTINCT cursor) FROM changes"), ==, 12);
  sync_test_peer_free (a);
  sync_test_peer_free (b);
}

/* Pull cursors follow commits --------------------------------------------------- */

/* A change left without a cursor (its instance died between COMMIT and
 * numbering) is numbered by the next pull, after every cursor given
 * before, so nobody who pulled already misses it. */
static void
test_cursor_after_crash (Fixture       *f,
                         gconstpointer  data)
{
  SyncTestPeer *a = authed (f->url[0], f->mechanic);
  SyncTestPeer *reader = authed (f->url[1], f->mechanic2);
  g_autofree char *v = push_vehicle (a, VIN_1);
  g_autoptr(ObdSyncMessage) first = NULL;
  g_autoptr(ObdSyncMessage) second = NULL;
  g_autofree char *pull = NULL;
  gint64 cursor;
  PGconn *pg;

  first = sync_test_peer_call (reader, OBD_SYNC_MSG_PULL, sync_test_object ("{\"cursor\": 0}"));
  cursor = json_object_get_int_member (first->payload, "cursor");
  g_assert_cmpint (cursor, >, 0);
  /* As a crashed instance leaves it: stored, not numbered. */
  pg = PQconnectdb (f->conninfo);
  g_assert_cmpint (PQstatus (pg), ==, CONNECTION_OK);
  PQclear (PQexec (pg, "UPDATE changes SET cursor = NULL"));
  PQfinish (pg);
  pull = g_strdup_printf ("{\"cursor\": %" G_GINT64_FORMAT "}", cursor);
  second = sync_test_peer_call (reader, OBD_SYNC_MSG_PULL, sync_test_object (pull));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (second->payload,
                                                                        "changes")), ==, 1);
  g_assert_cmpint (json_object_get_int_member (second->payload, "cursor"), >, cursor);
  sync_test_peer_free (a);
  sync_test_peer_free (reader);
}

/* Pool -------------------------------------------------------------------------------- */

static const ObdPgPoolConfig tiny_pool = {
  .size = 1,
  .max_waiting = 3,
  .wait_timeout_ms = 300,
  .reconnect_timeout_ms = 10000,
};

static gboolean
got_reply (gpointer data)
{
  Waiting *w = data;

  return queue_has (w->peer, w->type, w->needle);
}

/* Every connection busy: a client is told to retry, soon — never left
 * hanging — and all works again once the connection is free. */
static void
test_pool_exhausted (Fixture       *f,
                     gconstpointer  data)
{
  SyncTestPeer *holder = authed (f->url[0], f->mechanic);
  SyncTestPeer *waiters[5];
  PGconn *locker = PQconnectdb (f->conninfo);
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *pull_id = NULL;
  gint64 started;
  guint busy = 0;

  g_assert_cmpint (PQstatus (locker), ==, CONNECTION_OK);
  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    waiters[i] = authed (f->url[0], f->mechanic2);
  /* The pool's one connection stuck behind a lock held elsewhere. */
  PQclear (PQexec (locker, "BEGIN"));
  PQclear (PQexec (locker, "LOCK TABLE organisations IN ACCESS EXCLUSIVE MODE"));
  pull_id = sync_test_peer_send (holder, OBD_SYNC_MSG_PULL, sync_test_object ("{\"cursor\": 0}"));

  started = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    g_free (sync_test_peer_send (waiters[i], OBD_SYNC_MSG_PULL,
                                 sync_test_object ("{\"cursor\": 0}")));
  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    {
      Waiting w = { waiters[i], OBD_SYNC_MSG_ERROR, "unavailable" };
      g_autoptr(ObdSyncMessage) error = NULL;

      g_assert_true (sync_test_wait_for (got_reply, &w, 5));
      error = sync_test_peer_next (waiters[i], OBD_SYNC_MSG_ERROR, 1);
      g_assert_nonnull (strstr (obd_sync_payload_get_string (error->payload, "message"),
                                "busy"));
      g_assert_cmpint (obd_sync_payload_get_int (error->payload, "retryAfterMs", 0), >, 0);
      g_assert_false (json_object_get_boolean_member (error->payload, "fatal"));
      busy++;
    }
  /* Within the wait timeout (and the queue bound), not after the lock. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (busy, ==, G_N_ELEMENTS (waiters));
  status = obd_sync_backend_dup_status (f->backend[0]);
  g_assert_cmpint (json_object_get_int_member (status, "pool_timeouts_total")
                   + json_object_get_int_member (status, "pool_rejected_total"), >=,
                   G_N_ELEMENTS (waiters));

  /* Released: the held pull completes, and a retry works. */
  PQclear (PQexec (locker, "COMMIT"));
  PQfinish (locker);
  {
    g_autoptr(ObdSyncMessage) held = sync_test_peer_reply (holder, pull_id, 15);
    g_autoptr(ObdSyncMessage) retried = sync_test_peer_call (waiters[0], OBD_SYNC_MSG_PULL,
                                                             sync_test_object ("{\"cursor\": 0}"));

    g_assert_cmpint (held->type, ==, OBD_SYNC_MSG_CHANGES);
    g_assert_cmpint (retried->type, ==, OBD_SYNC_MSG_CHANGES);
  }
  sync_test_peer_free (holder);
  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    sync_test_peer_free (waiters[i]);
}

/* The database restarts ---------------------------------------------------------- */

typedef struct
{
  SyncTestPeer *from;
  SyncTestPeer *to;
  const char   *vehicle;
} StreamTo;

static gboolean
stream_heard (gpointer data)
{
  StreamTo *s = data;
  Waiting w = { s->to, OBD_SYNC_MSG_VEHICLE_STATUS, "after-restart" };

  send_status (s->from, s->vehicle, "after-restart", 0);
  return sync_test_wait_for (arrived, &w, 0.2);
}

static void
test_database_restart (Fixture       *f,
                       gconstpointer  data)
{
  SyncTestPeer *a = authed (f->url[0], f->mechanic);
  g_autofree char *v = push_vehicle (a, VIN_1);
  g_autofree char *fleet_channel = g_strdup_printf ("fleet:%s", f->org);
  SyncTestPeer *far = authed (f->url[1], f->fleet);
  g_autofree char *session = g_uuid_string_random ();
  g_autofree char *json = batch_json (v, session, 2);
  g_autoptr(ObdSyncMessage) ack = NULL;
  g_autoptr(JsonObject) down = NULL;
  g_autoptr(JsonObject) up = NULL;

  subscribe (far, fleet_channel);
  /* Stopped as a power cut would, and started again. */
  sync_test_pg_cluster ("crash");
  {
    gboolean noticed = FALSE;
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!noticed && g_get_monotonic_time () < deadline)
      {
        g_clear_pointer (&down, json_object_unref);
        down = obd_sync_backend_dup_status (f->backend[0]);
        noticed = !json_object_get_boolean_member (down, "healthy");
        g_main_context_iteration (NULL, FALSE);
      }
    g_assert_true (noticed);
  }
  sync_test_pg_cluster ("start");

  /* The instances reconnect by themselves: a push and live data go
   * through, and nothing is stored twice. */
  ack = sync_test_peer_call (a, OBD_SYNC_MSG_PUSH, sync_test_object (json));
  g_assert_nonnull (ack);
  g_assert_cmpint (ack->type, ==, OBD_SYNC_MSG_PUSH_ACK);
  g_assert_cmpint (json_object_get_int_member (ack->payload, "ackedSeq"), ==, 3);
  /* Live status is a stream (twice a second): what was sent while an
   * instance was still LISTENing again is gone, the stream resumes. */
  {
    StreamTo stream = { a, far, v };

    g_assert_true (sync_test_wait_for (stream_heard, &stream, 20));
  }
  up = obd_sync_backend_dup_status (f->backend[0]);
  g_assert_true (json_object_get_boolean_member (up, "healthy"));
  g_assert_cmpint (db_int (f, "SELECT sum(count) FROM sample_chunks"), ==, PARTS * 500);
  sync_test_peer_free (a);
  sync_test_peer_free (far);
}

/* Plans of the hot queries ----------------------------------------------------------- */

#define SEED_ORGS 10
#define SEED_VEHICLES 1000      /* per organisation */
#define SEED_SESSIONS 20        /* per vehicle */
#define SEED_SAMPLES 5          /* per session */

/* A database such as a fleet operator's after a while: 10 organisations
 * of 1 000 vehicles and users, 200 000 sessions and 1 000 000 samples,
 * codes, maintenance items, notifications and the change log of it all. */
static const char seed_sql[] =
  "INSERT INTO organisations (id, name, created_us, last_cursor)"
  "  SELECT 'org-' || o, 'Fleet ' || o, 0, 0 FROM generate_series (1, 10) o;"
  "INSERT INTO users SELECT 'user-' || o || '-' || u, 'org-' || o, 'User', 'mechanic', NULL, 0"
  "  FROM generate_series (1, 10) o, generate_series (1, 1000) u;"
  "INSERT INTO tokens SELECT 'tok-' || o || '-' || u, 'user-' || o || '-' || u, '00', 'x', 0,"
  "  NULL FROM generate_series (1, 10) o, generate_series (1, 1000) u;"
  "INSERT INTO vehicles SELECT 'v-' || o || '-' || lpad (v::text, 5, '0'), 'org-' || o,"
  "  'VIN' || o || '-' || v FROM generate_series (1, 10) o, generate_series (1, 1000) v;"
  "INSERT INTO vehicle_aliases SELECT 'alias-' || id, id FROM vehicles WHERE id LIKE '%0';"
  "INSERT INTO devices (id, organisation_id, user_id, acked_seq)"
  "  SELECT 'd-' || o || '-' || v, 'org-' || o, 'user-' || o || '-' || v, 20"
  "  FROM generate_series (1, 10) o, generate_series (1, 1000) v;"
  "INSERT INTO entities (entity, entity_id, organisation_id, vehicle_id, version, data,"
  "  changed_us, device_id, state)"
  "  SELECT e.entity, e.entity || '-' || v.id || '-' || n, v.organisation_id, v.id, 1, '{}',"
  "    n * 1000000, 'd-x', e.state"
  "  FROM vehicles v, (VALUES ('session', 20, 'session'), ('dtc_event', 5, 'active'),"
  "    ('maintenance_item', 3, 'due'), ('notification', 2, 'unread-warning')) e (entity, k, state),"
  "    LATERAL generate_series (1, e.k) n;"
  "INSERT INTO entities SELECT 'vehicle', id, organisation_id, id, 1, '{\"vin\": \"x\"}', 0,"
  "  'd-x', false, NULL FROM vehicles;"
  "INSERT INTO changes (cursor, organisation_id, device_id, device_seq, entity, entity_id,"
  "  vehicle_id, op, version, applied, data, changed_us, received_us)"
  "  SELECT row_number () OVER (PARTITION BY organisation_id ORDER BY entity_id),"
  "    organisation_id, 'd-' || substr (vehicle_id, 3), row_number () OVER (PARTITION BY"
  "    vehicle_id ORDER BY entity_id), entity, entity_id, vehicle_id, 'insert', 1, true, '{}',"
  "    changed_us, 0 FROM entities;"
  "UPDATE organisations o SET last_cursor = (SELECT max (cursor) FROM changes c"
  "  WHERE c.organisation_id = o.id);"
  "INSERT INTO sample_chunks SELECT 'd-x', row_number () OVER (), 0, organisation_id,"
  "  entity_id, 5, 0, 0, decode (repeat ('00', 120), 'hex') FROM entities"
  "  WHERE entity = 'session';"
  "INSERT INTO rooms (id, organisation_id, vehicle_id, host_user_id, code_hash, created_us)"
  "  SELECT 'room-' || i, 'org-1', 'v-1-00001', 'user-1-1', md5 (i::text), 0"
  "  FROM generate_series (1, 1000) i;";

static void
collect_scans (JsonObject *plan,
               GString    *out)
{
  const char *type = json_object_get_string_member (plan, "Node Type");
  JsonArray *children = json_object_has_member (plan, "Plans")
                        ? json_object_get_array_member (plan, "Plans") : NULL;

  if (g_strcmp0 (type, "Seq Scan") == 0)
    g_string_append_printf (out, " %s", json_object_get_string_member (plan, "Relation Name"));
  for (guint i = 0; children != NULL && i < json_array_get_length (children); i++)
    collect_scans (json_array_get_object_element (children, i), out);
}

static char *
param_value (char kind)
{
  switch (kind)
    {
    case 'o': return g_strdup ("org-3");
    case 'v': return g_strdup ("v-3-00500");
    case 'd': return g_strdup ("d-3-500");
    case 't': return g_strdup ("tok-3-500");
    case 'e': return g_strdup ("session");
    case 'i': return g_strdup ("session-v-3-00500-7");
    case 's': return g_strdup ("session-v-3-00500-7");
    case 'V': return g_strdup ("VIN3-500");
    case 'n': return g_strdup ("10");
    case 'z': return g_strdup ("");
    default:  return NULL;
    }
}

/* Each hot query, with its parameters as the server binds them and as a
 * prepared statement's generic plan: index scans only, on a million
 * samples.  A sequential scan on this much is the query that would make a
 * fleet wait. */
static void
test_hot_query_plans (void)
{
  g_autofree char *conninfo = sync_test_pg_database ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncBackend) backend = obd_sync_backend_pg_new (conninfo, NULL, &error);
  const ObdSyncPgQuery *queries;
  guint n_queries;
  PGconn *pg = PQconnectdb (conninfo);
  PGresult *result;

  g_assert_no_error (error);
  g_assert_cmpint (PQstatus (pg), ==, CONNECTION_OK);
  result = PQexec (pg, seed_sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("Seeding: %s", PQerrorMessage (pg));
  PQclear (result);
  /* Statistics, and the visibility map index-only scans rely on. */
  PQclear (PQexec (pg, "VACUUM ANALYZE"));
  g_assert_cmpint (sync_test_query_int (conninfo, "SELECT sum (count) FROM sample_chunks"),
                   >=, 1000000);

  queries = obd_sync_backend_pg_hot_queries (&n_queries);
  g_assert_cmpuint (n_queries, >=, 10);
  for (guint q = 0; q < n_queries; q++)
    for (int generic = 0; generic <= 1; generic++)
      {
        const char *kinds = queries[q].params;
        int n = strlen (kinds);
        g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *sql = NULL;
        g_autoptr(JsonNode) plan = NULL;
        g_autoptr(GString) scans = g_string_new (NULL);
        JsonObject *top;

        for (int i = 0; i < n; i++)
          g_ptr_array_add (values, param_value (kinds[i]));
        PQclear (PQexec (pg, generic ? "SET plan_cache_mode = force_generic_plan"
                                     : "SET plan_cache_mode = force_custom_plan"));
        PQclear (PQexec (pg, "DEALLOCATE ALL"));
        result = PQprepare (pg, "hot", queries[q].sql, 0, NULL);
        if (PQresultStatus (result) != PGRES_COMMAND_OK)
          g_error ("%s: %s", queries[q].name, PQerrorMessage (pg));
        PQclear (result);
        {
          g_autoptr(GString) execute = g_string_new ("EXPLAIN (FORMAT JSON) EXECUTE hot");

          for (int i = 0; i < n; i++)
            {
              char *literal = values->pdata[i] != NULL
                              ? PQescapeLiteral (pg, values->pdata[i], strlen (values->pdata[i]))
                              : NULL;

              g_string_append (execute, i == 0 ? " (" : ", ");
              g_string_append (execute, literal != NULL ? literal : "NULL");
              PQfreemem (literal);
            }
          if (n > 0)
            g_string_append_c (execute, ')');
          sql = g_string_free (g_steal_pointer (&execute), FALSE);
        }
        result = PQexec (pg, sql);
        if (PQresultStatus (result) != PGRES_TUPLES_OK)
          g_error ("%s: %s", queries[q].name, PQerrorMessage (pg));
        plan = json_from_string (PQgetvalue (result, 0, 0), &error);
        PQclear (result);
        g_assert_no_error (error);
        top = json_object_get_object_member (json_array_get_object_element (
                                               json_node_get_array (plan), 0), "Plan");
        collect_scans (top, scans);
        g_test_message ("%s (%s plan): %s, cost %.0f", queries[q].name,
                        generic ? "generic" : "custom",
                        json_object_get_string_member (top, "Node Type"),
                        json_object_get_double_member (top, "Total Cost"));
        if (scans->len > 0)
          g_error ("%s (%s plan) scans%s sequentially", queries[q].name,
                   generic ? "generic" : "custom", scans->str);
      }
  PQfinish (pg);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!sync_test_backend_is_pg ())
    {
      g_print ("Bail out! PostgreSQL only: run it through meson, which starts a cluster for "
               "it (build-aux/pg-test-cluster run)\n");
      return 1;
    }
  g_test_add_func ("/sync/instances/migrations-race", test_migrations_race);
  g_test_add_func ("/sync/instances/hot-query-plans", test_hot_query_plans);
#define ADD(path, func, config) \
  g_test_add (path, Fixture, config, fixture_setup, func, fixture_teardown)
  ADD ("/sync/instances/live-events", test_live_across, NULL);
  ADD ("/sync/instances/expert-room", test_room_across, NULL);
  ADD ("/sync/instances/same-batch-twice", test_same_batch_two_instances, NULL);
  ADD ("/sync/instances/cursor-after-crash", test_cursor_after_crash, NULL);
  ADD ("/sync/instances/pool-exhausted", test_pool_exhausted, &tiny_pool);
  ADD ("/sync/instances/database-restart", test_database_restart, NULL);
  return g_test_run ();
}
