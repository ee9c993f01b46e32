/* test-sync.c — client and server in one process: exactly-once delivery,
 * conflicts, access checks for every message type, hostile input, limits,
 * heartbeats and reconnects, live events and expert rooms, the chain
 * anchor, and where tokens are kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sync"
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "obd-recorder.h"
#include "obd-store-guide.h"
#include "obd-store-sync.h"
#include "obd-sync-client.h"
#include "obd-sync-token.h"
#include "sync-test-common.h"

#define VIN_1 "1HGCR2F30EA012345"
#define VIN_2 "WVWZZZ1JZXW000001"

typedef struct
{
  SyncTestServer *server;
  char           *dir;
  char           *store1;   /* two workshop PCs */
  char           *store2;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const ObdSyncServerLimits *limits = data;

  f->server = sync_test_server_new (limits);
  f->dir = g_dir_make_tmp ("test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->store1 = g_build_filename (f->dir, "pc1.db", NULL);
  f->store2 = g_build_filename (f->dir, "pc2.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  sync_test_server_free (f->server);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->store1);
  g_free (f->store2);
}

/* Stores ----------------------------------------------------------------------- */

static ObdStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  ObdStore *store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  return store;
}

/* Records a session of n samples (1 Hz of rpm, speed, coolant) for vin. */
static gint64
record_session (ObdStore   *store,
                const char *vin,
                guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  g_autoptr(GArray) batch = g_array_new (FALSE, TRUE, sizeof (ObdSample));
  gint64 vehicle = obd_store_ensure_vehicle (store, vin, "Honda", "Accord", 2014, &error);
  gint64 session, t0 = g_get_real_time () - n * G_USEC_PER_SEC;
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05 };

  g_assert_no_error (error);
  session = obd_recorder_start_session (recorder, vehicle, "ISO 15765-4 CAN", "ELM327 v1.5",
                                        "sim", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      ObdSample s = { 0 };

      s.time_us = t0 + (gint64) (i / 3) * G_USEC_PER_SEC + i % 3;
      s.service = 1;
      s.pid = pids[i % 3];
      s.ecu = 0x7E8;
      s.value = 800.0 + i;
      g_array_append_val (batch, s);
    }
  obd_recorder_push (recorder, batch);
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  return session;
}

static gint64
pending (const char *path)
{
  g_autoptr(ObdStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  gint64 n = obd_store_sync_count_pending (store, &error);

  g_assert_no_error (error);
  return n;
}

/* Clients ---------------------------------------------------------------------- */

static ObdSyncClient *
new_client (Fixture    *f,
            const char *store,
            const char *token)
{
  ObdSyncClient *client = obd_sync_client_new (store);

  obd_sync_client_set_server_url (client, f->server->url);
  obd_sync_client_set_token (client, token);
  obd_sync_client_set_backoff (client, 20, 200);
  return client;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Result;

static void
on_synced_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Result *r = data;

  obd_sync_client_sync_finish (OBD_SYNC_CLIENT (source), result, &r->error);
  r->done = TRUE;
}

/* One cycle; returns its error (NULL on success). */
static GError *
sync_once (ObdSyncClient *client)
{
  Result r = { 0 };

  obd_sync_client_sync_async (client, NULL, on_synced_cb, &r);
  g_assert_true (sync_test_wait (&r.done, 30));
  return r.error;
}

static void
sync_ok (ObdSyncClient *client)
{
  g_autoptr(GError) error = sync_once (client);

  g_assert_no_error (error);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* A connection attempt under way holds the client until libsoup reports
 * its cancellation: wait for that, and fail on a real leak. */
static void
finalize_client (ObdSyncClient *client)
{
  obd_sync_client_stop (client);
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  g_assert_true (sync_test_wait_for (is_null, &client, 10));
}

/* Conditions to wait for --------------------------------------------------------- */

static gboolean
is_synced (gpointer client)
{
  return obd_sync_client_get_state (client) == OBD_SYNC_STATE_SYNCED;
}

static gboolean
is_disconnected (gpointer client)
{
  ObdSyncState state = obd_sync_client_get_state (client);

  return state == OBD_SYNC_STATE_OFFLINE || state == OBD_SYNC_STATE_CONNECTING;
}

static gboolean
is_synced_and_empty (gpointer client)
{
  return is_synced (client) && obd_sync_client_get_pending_count (client) == 0;
}

static gboolean
has_last_error (gpointer client)
{
  return obd_sync_client_get_last_error (client) != NULL;
}

static gboolean
both_synced (gpointer data)
{
  ObdSyncClient **clients = data;

  return is_synced (clients[0]) && is_synced (clients[1]);
}

/* Exactly once ------------------------------------------------------------------ */

static void
test_offline_then_exactly_once (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->store1);
  g_autoptr(GError) error = NULL;
  ObdSyncClient *client;
  ObdSyncStats stats;
  gint64 vehicle, item;

  /* Recorded with no server around: three sessions, a maintenance plan,
   * a note, a notification. */
  record_session (store, VIN_1, 9000);
  record_session (store, VIN_1, 5000);
  record_session (store, VIN_2, 300);
  vehicle = obd_store_ensure_vehicle (store, VIN_1, NULL, NULL, 0, &error);
  item = obd_store_add_maintenance_item (store, vehicle, "Oil", 15000, 365, -1, 0, &error);
  g_assert_cmpint (item, >, 0);
  obd_store_add_note (store, vehicle, 0, "Ann", "Rattle at idle", &error);
  obd_store_add_notification (store, vehicle, 0, OBD_STORE_SEVERITY_WARNING, "coolant-high",
                              "Coolant hot", NULL, &error);
  g_assert_no_error (error);
  /* A guided repair started on the bench. */
  g_assert_cmpint (obd_store_start_guide_run (store, vehicle, 0, "thermostat", 1, "Thermostat",
                                              "P0128", "warm-up", g_get_real_time (), &error),
                   >, 0);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (pending (f->store1), >, 0);

  client = new_client (f, f->store1, f->server->mechanic_a);
  g_assert_cmpint (obd_sync_client_get_state (client), ==, OBD_SYNC_STATE_OFFLINE);
  sync_ok (client);
  g_assert_cmpint (obd_sync_client_get_state (client), ==, OBD_SYNC_STATE_SYNCED);
  g_assert_cmpint (obd_sync_client_get_pending_count (client), ==, 0);
  obd_sync_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.samples_pushed, ==, 14300);
  g_assert_cmpint (pending (f->store1), ==, 0);

  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM vehicles"), ==, 2);
  g_assert_cmpint (sync_test_server_int (f->server,
                                         "SELECT count(*) FROM changes WHERE entity = 'session'"),
                   ==, 3);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT sum(count) FROM sample_chunks"),
                   ==, 14300);
  g_assert_cmpint (sync_test_server_int (f->server,
                                         "SELECT count(*) FROM changes WHERE entity IN"
                                         " ('maintenance_item', 'note', 'notification')"), ==, 3);
  g_assert_cmpint (sync_test_server_int (f->server,
                                         "SELECT count(*) FROM changes WHERE entity = 'guide_run'"),
                   ==, 1);

  /* A second sync sends nothing and stores nothing twice. */
  sync_ok (client);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM changes"), ==, 9);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT sum(count) FROM sample_chunks"),
                   ==, 14300);
  finalize_client (client);
}

/* The ack of a push is lost (the connection drops after the server stored
 * it): the client sends it again, the server keeps it once. */
static void
test_resend_idempotent (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->store1);
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = g_build_filename (f->dir, "pc1-before.db", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  ObdSyncClient *client;

  record_session (store, VIN_1, 5000);
  g_clear_object (&store);
  /* The store as it was before the push was acknowledged. */
  g_assert_true (g_file_get_contents (f->store1, &contents, &length, &error));
  g_assert_true (g_file_set_contents (copy, contents, length, &error));

  client = new_client (f, f->store1, f->server->mechanic_a);
  sync_ok (client);
  finalize_client (client);

  client = new_client (f, copy, f->server->mechanic_a);
  g_assert_cmpint (pending (copy), >, 0);
  sync_ok (client);
  g_assert_cmpint (pending (copy), ==, 0);
  finalize_client (client);

  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM changes"), ==, 2);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT sum(count) FROM sample_chunks"),
                   ==, 5000);
}

/* Conflicts --------------------------------------------------------------------- */

static void
edit_plate (const char *path,
            const char *plate)
{
  g_autoptr(ObdStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, &error);
  ObdStoreVehicle *v;

  g_assert_no_error (error);
  g_assert_cmpuint (vehicles->len, ==, 1);
  v = g_ptr_array_index (vehicles, 0);
  g_free (v->plate);
  v->plate = g_strdup (plate);
  obd_store_update_vehicle (store, v, &error);
  g_assert_no_error (error);
}

static char *
plate_of (const char *path)
{
  g_autoptr(ObdStore) store = open_store (path);
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, NULL);

  g_assert_cmpuint (vehicles->len, ==, 1);
  return g_strdup (((ObdStoreVehicle *) g_ptr_array_index (vehicles, 0))->plate);
}

static GPtrArray *
conflicts_of (const char *path)
{
  g_autoptr(ObdStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  GPtrArray *conflicts = obd_store_sync_list_conflicts (store, &error);

  g_assert_no_error (error);
  return conflicts;
}

static void
test_conflict_later_edit_wins (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->store1);
  g_autoptr(GPtrArray) c1 = NULL;
  g_autoptr(GPtrArray) c2 = NULL;
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  ObdSyncClient *pc1, *pc2;
  const ObdStoreSyncConflict *c;

  record_session (store, VIN_1, 30);
  g_clear_object (&store);
  pc1 = new_client (f, f->store1, f->server->mechanic_a);
  pc2 = new_client (f, f->store2, f->server->mechanic_a2);
  store = open_store (f->store2);  /* a new, empty store */
  g_clear_object (&store);
  sync_ok (pc1);
  sync_ok (pc2);  /* PC 2 now has the vehicle */
  p2 = plate_of (f->store2);
  g_assert_null (p2);

  /* Both offline: PC 2 edits first, PC 1 later; PC 1 syncs first. */
  edit_plate (f->store2, "B-EARLY-2");
  g_usleep (2000);
  edit_plate (f->store1, "A-LATER-1");
  sync_ok (pc1);
  sync_ok (pc2);

  /* The later edit (PC 1's) won everywhere, and PC 2 kept its own. */
  p1 = plate_of (f->store1);
  g_free (p2);
  p2 = plate_of (f->store2);
  g_assert_cmpstr (p1, ==, "A-LATER-1");
  g_assert_cmpstr (p2, ==, "A-LATER-1");
  c2 = conflicts_of (f->store2);
  g_assert_cmpuint (c2->len, ==, 1);
  c = g_ptr_array_index (c2, 0);
  g_assert_cmpstr (c->entity, ==, "vehicle");
  g_assert_false (c->local_won);
  g_assert_nonnull (strstr (c->local_data, "B-EARLY-2"));
  g_assert_nonnull (strstr (c->remote_data, "A-LATER-1"));
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM conflicts"), ==, 1);

  /* Now the other way round: PC 1 edits first, PC 2 later, PC 1 syncs
   * first again.  PC 2's later edit wins; PC 1 learns it lost when it
   * pulls, and keeps its version in the history. */
  edit_plate (f->store1, "A-EARLY-3");
  g_usleep (2000);
  edit_plate (f->store2, "B-LATER-3");
  sync_ok (pc1);
  sync_ok (pc2);
  sync_ok (pc1);
  g_free (p1);
  g_free (p2);
  p1 = plate_of (f->store1);
  p2 = plate_of (f->store2);
  g_assert_cmpstr (p1, ==, "B-LATER-3");
  g_assert_cmpstr (p2, ==, "B-LATER-3");
  c1 = conflicts_of (f->store1);
  g_assert_cmpuint (c1->len, ==, 1);
  c = g_ptr_array_index (c1, 0);
  g_assert_false (c->local_won);
  g_assert_nonnull (strstr (c->local_data, "A-EARLY-3"));
  g_clear_pointer (&c2, g_ptr_array_unref);
  c2 = conflicts_of (f->store2);
  g_assert_cmpuint (c2->len, ==, 2);
  g_assert_true (((ObdStoreSyncConflict *) g_ptr_array_index (c2, 0))->local_won);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM conflicts"), ==, 2);

  finalize_client (pc1);
  finalize_client (pc2);
}

/* Two PCs that met the same car offline made two vehicles for one VIN:
 * the server keeps one and both PCs end up naming it alike. */
static void
test_same_vin_two_pcs (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ObdStore) s1 = open_store (f->store1);
  g_autoptr(ObdStore) s2 = open_store (f->store2);
  g_autoptr(GPtrArray) v1 = NULL;
  g_autoptr(GPtrArray) v2 = NULL;
  ObdSyncClient *pc1, *pc2;

  record_session (s1, VIN_1, 30);
  record_session (s2, VIN_1, 30);
  g_clear_object (&s1);
  g_clear_object (&s2);
  pc1 = new_client (f, f->store1, f->server->mechanic_a);
  pc2 = new_client (f, f->store2, f->server->mechanic_a2);
  sync_ok (pc1);
  sync_ok (pc2);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM vehicles"), ==, 1);
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM vehicle_aliases"),
                   ==, 1);
  /* Both sessions are the one vehicle's. */
  g_assert_cmpint (sync_test_server_int (f->server,
                                         "SELECT count(DISTINCT vehicle_id) FROM changes"
                                         " WHERE entity = 'session'"), ==, 1);
  sync_ok (pc2);
  s1 = open_store (f->store1);
  s2 = open_store (f->store2);
  v1 = obd_store_list_vehicles (s1, NULL);
  v2 = obd_store_list_vehicles (s2, NULL);
  g_assert_cmpstr (((ObdStoreVehicle *) g_ptr_array_index (v1, 0))->uuid, ==,
                   ((ObdStoreVehicle *) g_ptr_array_index (v2, 0))->uuid);
  finalize_client (pc1);
  finalize_client (pc2);
}

/* Access ------------------------------------------------------------------------ */

/* Pushes org A's vehicle from a raw mechanic of A; returns its id. */
static char *
push_vehicle (SyncTestPeer *peer,
              const char   *vin)
{
  g_autofree char *id = g_uuid_string_random ();
  gint64 seq = ++peer->seq;
  g_autofree char *json = g_strdup_printf (
    "{\"changes\": [{\"seq\": %" G_GINT64_FORMAT ", \"entity\": \"vehicle\", \"entityId\": \"%s\","
    " \"op\": \"insert\", \"changedAt\": 1, \"data\": {\"uuid\": \"%s\", \"vin\": \"%s\","
    " \"created_us\": 1, \"updated_us\": 1}}]}", seq, id, id, vin);
  g_autoptr(ObdSyncMessage) ack = sync_test_peer_call (peer, OBD_SYNC_MSG_PUSH,
                                                       sync_test_object (json));

  g_assert_nonnull (ack);
  g_assert_cmpint (ack->type, ==, OBD_SYNC_MSG_PUSH_ACK);
  g_assert_cmpint (json_object_get_int_member (ack->payload, "ackedSeq"), ==, seq);
  return g_steal_pointer (&id);
}

static SyncTestPeer *
authed_peer (Fixture    *f,
             const char *token)
{
  SyncTestPeer *peer = sync_test_peer_new (f->server->url);
  g_autoptr(ObdSyncMessage) reply = sync_test_peer_auth (peer, token);

  g_assert_nonnull (reply);
  g_assert_cmpint (reply->type, ==, OBD_SYNC_MSG_AUTHENTICATION_SUCCESS);
  return peer;
}

/* Sends a message and expects an error with code. */
static void
expect_refused (SyncTestPeer       *peer,
                ObdSyncMessageType  type,
                const char         *payload_json,
                const char         *code)
{
  g_autoptr(ObdSyncMessage) reply = sync_test_peer_call (peer, type,
                                                         sync_test_object (payload_json));
  g_autoptr(ObdSyncMessage) error = NULL;

  g_assert_nonnull (reply);
  /* A push answers with its ack (nothing stored) and then the error. */
  if (reply->type == OBD_SYNC_MSG_PUSH_ACK)
    {
      g_assert_cmpint (json_object_get_int_member (reply->payload, "ackedSeq"), ==, 0);
      error = sync_test_peer_next (peer, OBD_SYNC_MSG_ERROR, 10);
    }
  else
    error = g_steal_pointer (&reply);
  g_assert_nonnull (error);
  if (g_strcmp0 (sync_test_error_code (error), code) != 0)
    g_error ("%s %s: expected %s, got %s (%s)", obd_sync_message_type_to_string (type),
             payload_json, code, sync_test_error_code (error),
             obd_sync_payload_get_string (error->payload, "message"));
  /* Refused, and the connection goes on. */
  g_assert_true (sync_test_peer_alive (peer));
}

/* Every client message type that names a vehicle, about vehicle v. */
static void
expect_all_refused (SyncTestPeer *peer,
                    const char   *v,
                    const char   *code,
                    gboolean      include_rooms)
{
  const char *templates[][2] = {
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"vehicle\", \"entityId\": \"@V@\","
              " \"op\": \"update\", \"changedAt\": 5, \"data\": {\"uuid\": \"@V@\","
              " \"created_us\": 1, \"updated_us\": 5}}]}" },
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"maintenance_item\", \"entityId\": \"m1\","
              " \"op\": \"insert\", \"changedAt\": 5, \"data\": {\"vehicle\": \"@V@\","
              " \"title\": \"Oil\", \"status\": \"due\"}}]}" },
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"session\", \"entityId\": \"s1\","
              " \"op\": \"insert\", \"changedAt\": 5, \"data\": {\"vehicle\": \"@V@\"}}]}" },
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"dtc_event\", \"entityId\": \"d1\","
              " \"op\": \"insert\", \"changedAt\": 5, \"data\": {\"vehicle\": \"@V@\"}}]}" },
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n1\","
              " \"op\": \"insert\", \"changedAt\": 5, \"data\": {\"vehicle\": \"@V@\"}}]}" },
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"notification\", \"entityId\": \"n2\","
              " \"op\": \"insert\", \"changedAt\": 5, \"data\": {\"vehicle\": \"@V@\"}}]}" },
    { "subscribe", "{\"channels\": [\"vehicle:@V@\"]}" },
    { "vehicle_status", "{\"vehicleId\": \"@V@\", \"sampledAt\": 1, \"values\": {}}" },
    { "dtc_detected", "{\"vehicleId\": \"@V@\", \"codes\": [{\"code\": \"P0301\"}],"
                      " \"detectedAt\": 1}" },
    { "maintenance_alert", "{\"vehicleId\": \"@V@\", \"title\": \"Oil\", \"status\": \"due\"}" },
    { "notification", "{\"vehicleId\": \"@V@\", \"severity\": \"info\", \"kind\": \"k\","
                      " \"title\": \"t\"}" },
    { "guide_progress", "{\"vehicleId\": \"@V@\", \"guideId\": \"g\", \"step\": 1,"
                        " \"steps\": 3, \"title\": \"t\"}" },
    { "room_create", "{\"vehicleId\": \"@V@\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_autoptr(GString) payload = NULL;

      if (!include_rooms && g_str_equal (templates[i][0], "room_create"))
        continue;
      payload = g_string_new (templates[i][1]);
      g_string_replace (payload, "@V@", v, 0);
      expect_refused (peer, obd_sync_message_type_from_string (templates[i][0]), payload->str,
                      code);
    }
}

static void
test_access_other_organisation (Fixture       *f,
                                gconstpointer  data)
{
  SyncTestPeer *a = authed_peer (f, f->server->mechanic_a);
  SyncTestPeer *b = authed_peer (f, f->server->mechanic_b);
  g_autofree char *v = push_vehicle (a, VIN_1);
  g_autofree char *fleet = g_strdup_printf ("{\"channels\": [\"fleet:%s\"]}", f->server->org_a);
  g_autoptr(ObdSyncMessage) changes = NULL;

  /* Garage B's mechanic: every message about garage A's vehicle. */
  expect_all_refused (b, v, "forbidden", TRUE);
  expect_refused (b, OBD_SYNC_MSG_SUBSCRIBE, fleet, "forbidden");
  /* A pull shows nothing of garage A. */
  changes = sync_test_peer_call (b, OBD_SYNC_MSG_PULL, sync_test_object ("{\"cursor\": 0}"));
  g_assert_cmpint (changes->type, ==, OBD_SYNC_MSG_CHANGES);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (changes->payload,
                                                                          "changes")), ==, 0);
  /* Nothing of B's got in. */
  g_assert_cmpint (sync_test_server_int (f->server, "SELECT count(*) FROM changes"), ==, 1);
  sync_test_peer_free (a);
  sync_test_peer_free (b);
}

static void
test_access_roles (Fixture       *f,
                   gconstpointer  data)
{
  SyncTestPeer *mechanic = authed_peer (f, f->server->mechanic_a);
  g_autofree char *v = push_vehicle (mechanic, VIN_1);
  g_autofree char *other = push_vehicle (mechanic, VIN_2);
  g_autofree char *owner_token = sync_test_owner_token (f->server, v);
  SyncTestPeer *fleet = authed_peer (f, f->server->fleet_a);
  SyncTestPeer *owner = authed_peer (f, owner_token);
  g_autofree char *fleet_channel = g_strdup_printf ("{\"channels\": [\"fleet:%s\"]}",
                                                    f->server->org_a);
  g_autofree char *session = g_strdup_printf (
    "{\"changes\": [{\"seq\": 1, \"entity\": \"session\", \"entityId\": \"s1\","
    " \"op\": \"insert\", \"changedAt\": 5, \"data\": {\"vehicle\": \"%s\"}}]}", v);
  g_autofree char *status = g_strdup_printf (
    "{\"vehicleId\": \"%s\", \"sampledAt\": 1, \"values\": {}}", v);
  g_autoptr(ObdSyncMessage) ok = NULL;
  g_autoptr(ObdSyncMessage) changes = NULL;
  JsonArray *list;

  /* Fleet managers watch and plan; they do not record or go live. */
  expect_refused (fleet, OBD_SYNC_MSG_PUSH, session, "forbidden");
  expect_refused (fleet, OBD_SYNC_MSG_VEHICLE_STATUS, status, "forbidden");
  ok = sync_test_peer_call (fleet, OBD_SYNC_MSG_SUBSCRIBE, sync_test_object (fleet_channel));
  g_assert_cmpint (ok->type, ==, OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS);

  /* An owner sees one vehicle: not the other one, not the fleet. */
  expect_all_refused (owner, other, "forbidden", TRUE);
  expect_refused (owner, OBD_SYNC_MSG_PUSH, session, "forbidden");
  expect_refused (owner, OBD_SYNC_MSG_VEHICLE_STATUS, status, "forbidden");
  expect_refused (owner, OBD_SYNC_MSG_SUBSCRIBE, fleet_channel, "forbidden");
  expect_refused (owner, OBD_SYNC_MSG_ROOM_JOIN, "{\"code\": \"ABCD-EFGH\"}", "forbidden");
  g_clear_pointer (&ok, obd_sync_message_free);
  {
    g_autofree char *own = g_strdup_printf ("{\"channels\": [\"vehicle:%s\"]}", v);

    ok = sync_test_peer_call (owner, OBD_SYNC_MSG_SUBSCRIBE, sync_test_object (own));
    g_assert_cmpint (ok->type, ==, OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS);
  }
  /* Its pull holds its own vehicle only. */
  changes = sync_test_peer_call (owner, OBD_SYNC_MSG_PULL, sync_test_object ("{\"cursor\": 0}"));
  list = json_object_get_array_member (changes->payload, "changes");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "entityId"), ==, v);

  /* Rooms: a room id is no channel, and nobody subscribes to one. */
  expect_refused (mechanic, OBD_SYNC_MSG_SUBSCRIBE, "{\"channels\": [\"room:x\"]}", "forbidden");

  sync_test_peer_free (mechanic);
  sync_test_peer_free (fleet);
  sync_test_peer_free (owner);
}

static void
test_unauthenticated (Fixture       *f,
                      gconstpointer  data)
{
  SyncTestPeer *peer = sync_test_peer_new (f->server->url);
  static const char *types[][2] = {
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n\","
              " \"op\": \"insert\", \"changedAt\": 1, \"data\": {}}]}" },
    { "pull", "{\"cursor\": 0}" },
    { "subscribe", "{\"channels\": [\"vehicle:v\"]}" },
    { "unsubscribe", "{\"channels\": [\"vehicle:v\"]}" },
    { "vehicle_status", "{\"vehicleId\": \"v\", \"sampledAt\": 1, \"values\": {}}" },
    { "room_create", "{\"vehicleId\": \"v\"}" },
    { "room_join", "{\"code\": \"ABCD-EFGH\"}" },
    { "room_note", "{\"roomId\": \"r\", \"text\": \"hi\"}" },
    { "room_close", "{\"roomId\": \"r\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    expect_refused (peer, obd_sync_message_type_from_string (types[i][0]), types[i][1],
                    "unauthenticated");
  sync_test_peer_free (peer);
}

/* Hostile input ------------------------------------------------------------------ */

static void
expect_text_refused (SyncTestPeer *peer,
                     const char   *text,
                     const char   *code)
{
  g_autoptr(ObdSyncMessage) error = NULL;

  sync_test_peer_send_text (peer, text);
  error = sync_test_peer_next (peer, OBD_SYNC_MSG_ERROR, 10);
  g_assert_nonnull (error);
  g_assert_cmpstr (sync_test_error_code (error), ==, code);
  g_assert_true (sync_test_peer_alive (peer));
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  SyncTestPeer *peer = authed_peer (f, f->server->mechanic_a);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) big = g_string_new ("{\"type\": \"ping\", \"payload\": {\"x\": \"");
  g_autoptr(ObdSyncMessage) error = NULL;
  const char *stamp = "\"timestamp\": \"2024-05-01T10:00:00.000Z\", \"messageId\": \"m1\"";
  g_autofree char *unknown = g_strdup_printf ("{\"type\": \"teleport\", \"payload\": {}, %s}",
                                              stamp);
  g_autofree char *server_only = g_strdup_printf ("{\"type\": \"welcome\", \"payload\": {}, %s}",
                                                  stamp);
  g_autofree char *no_payload = g_strdup_printf ("{\"type\": \"pull\", %s}", stamp);
  g_autofree char *bad_field = g_strdup_printf ("{\"type\": \"pull\", \"payload\":"
                                                " {\"cursor\": \"zero\"}, %s}", stamp);
  g_autofree char *bad_time = g_strdup ("{\"type\": \"ping\", \"payload\": {}, \"timestamp\":"
                                        " \"yesterday\", \"messageId\": \"m1\"}");
  g_autofree char *bad_id = g_strdup ("{\"type\": \"ping\", \"payload\": {}, \"timestamp\":"
                                      " \"2024-05-01T10:00:00Z\", \"messageId\": \"a b\"}");
  g_autofree char *bad_samples = g_strdup_printf (
    "{\"type\": \"push\", \"payload\": {\"changes\": [{\"seq\": 1, \"entity\": \"samples\","
    " \"entityId\": \"s\", \"op\": \"insert\", \"changedAt\": 0, \"part\": 0, \"data\":"
    " {\"encoding\": \"obd2-samples-v1\", \"count\": 1, \"samples\": \"AAAA\"}}]}, %s}", stamp);

  expect_text_refused (peer, "garbage", "bad_json");
  expect_text_refused (peer, "[1, 2, 3]", "bad_message");
  expect_text_refused (peer, "\"just a string\"", "bad_message");
  expect_text_refused (peer, "{\"type\": \"ping\"", "bad_json");
  expect_text_refused (peer, unknown, "unknown_type");
  expect_text_refused (peer, server_only, "unknown_type");
  expect_text_refused (peer, no_payload, "bad_message");
  expect_text_refused (peer, bad_field, "bad_message");
  expect_text_refused (peer, bad_time, "bad_message");
  expect_text_refused (peer, bad_id, "bad_message");

  /* The samples decode only on the backend thread; still refused cleanly. */
  sync_test_peer_send_text (peer, bad_samples);
  error = sync_test_peer_next (peer, OBD_SYNC_MSG_ERROR, 10);
  g_assert_cmpstr (sync_test_error_code (error), ==, "bad_message");
  g_assert_true (sync_test_peer_alive (peer));

  for (guint i = 0; i < 60000; i++)
    g_string_append_c (deep, '[');
  expect_text_refused (peer, deep->str, "bad_json");

  /* Over the limit (64 KiB here), under libsoup's hard stop. */
  for (guint i = 0; i < 70 * 1024; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}, \"timestamp\": \"2024-05-01T10:00:00Z\", \"messageId\": \"m\"}");
  expect_text_refused (peer, big->str, "too_large");

  /* Binary frames are not messages. */
  soup_websocket_connection_send_binary (peer->conn, "\x00\x01", 2);
  g_clear_pointer (&error, obd_sync_message_free);
  error = sync_test_peer_next (peer, OBD_SYNC_MSG_ERROR, 10);
  g_assert_cmpstr (sync_test_error_code (error), ==, "bad_message");
  g_assert_true (sync_test_peer_alive (peer));

  /* Authenticating twice. */
  g_clear_pointer (&error, obd_sync_message_free);
  error = sync_test_peer_auth (peer, f->server->mechanic_a);
  g_assert_cmpstr (sync_test_error_code (error), ==, "already_authenticated");
  sync_test_peer_free (peer);
}

static void
test_bad_tokens (Fixture       *f,
                 gconstpointer  data)
{
  static const char *tokens[] = {
    "", "nonsense",
    "obd2_0000000000000000_" "00000000000000000000000000000000" "00000000000000000000000000000000",
  };
  g_autofree char *tampered = g_strdup (f->server->mechanic_a);
  ObdSyncClient *client;
  g_autoptr(GError) error = NULL;

  tampered[strlen (tampered) - 1] = tampered[strlen (tampered) - 1] == 'a' ? 'b' : 'a';
  for (guint i = 0; i <= G_N_ELEMENTS (tokens); i++)
    {
      SyncTestPeer *peer = sync_test_peer_new (f->server->url);
      g_autoptr(ObdSyncMessage) reply =
        sync_test_peer_auth (peer, i < G_N_ELEMENTS (tokens) ? tokens[i] : tampered);

      g_assert_cmpstr (sync_test_error_code (reply), ==, "auth_failed");
      g_assert_true (json_object_get_boolean_member (reply->payload, "fatal"));
      g_assert_true (sync_test_wait (&peer->closed, 10));
      sync_test_peer_free (peer);
    }

  /* A revoked token. */
  g_assert_true (obd_sync_backend_revoke (f->server->backend, f->server->fleet_a, &error));
  {
    SyncTestPeer *peer = sync_test_peer_new (f->server->url);
    g_autoptr(ObdSyncMessage) reply = sync_test_peer_auth (peer, f->server->fleet_a);

    g_assert_cmpstr (sync_test_error_code (reply), ==, "auth_failed");
    sync_test_peer_free (peer);
  }

  /* The client: an error a person must act on, no retry loop. */
  g_object_unref (open_store (f->store1));
  client = new_client (f, f->store1, tampered);
  error = sync_once (client);
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_AUTH_FAILED);
  g_assert_cmpint (obd_sync_client_get_state (client), ==, OBD_SYNC_STATE_ERROR);
  g_assert_nonnull (strstr (obd_sync_client_get_last_error (client), "token"));
  finalize_client (client);
}

static void
test_protocol_version (Fixture       *f,
                       gconstpointer  data)
{
  SyncTestPeer *peer = sync_test_peer_new (f->server->url);
  g_autofree char *json = g_strdup_printf ("{\"token\": \"%s\", \"protocolVersion\": 99,"
                                           " \"deviceId\": \"d\"}", f->server->mechanic_a);
  g_autoptr(ObdSyncMessage) reply = sync_test_peer_call (peer, OBD_SYNC_MSG_AUTHENTICATE,
                                                         sync_test_object (json));

  g_assert_cmpstr (sync_test_error_code (reply), ==, "protocol_version");
  g_assert_nonnull (strstr (obd_sync_payload_get_string (reply->payload, "message"), "99"));
  g_assert_true (sync_test_wait (&peer->closed, 10));
  sync_test_peer_free (peer);
}

static const ObdSyncServerLimits malformed_limits = {
  .max_message_bytes = 64 * 1024,
  .max_batch = OBD_SYNC_DEFAULT_MAX_BATCH,
  .rate = OBD_SYNC_DEFAULT_RATE,
  .burst = OBD_SYNC_DEFAULT_BURST,
  .idle_timeout_s = OBD_SYNC_DEFAULT_IDLE_TIMEOUT_S,
  .heartbeat_s = OBD_SYNC_DEFAULT_HEARTBEAT_S,
};

/* Pings until one is answered with a pong rather than dropped. */
static gboolean
pong_again (gpointer data)
{
  SyncTestPeer *peer = data;
  g_autofree char *id = sync_test_peer_send (peer, OBD_SYNC_MSG_PING, NULL);
  g_autoptr(ObdSyncMessage) pong = sync_test_peer_reply (peer, id, 0.2);

  return pong != NULL;
}

static const ObdSyncServerLimits small_limits = {
  .max_message_bytes = 64 * 1024,
  .max_batch = 5,
  .rate = 20,
  .burst = 10,
  .idle_timeout_s = 2,
  .heartbeat_s = 1,
};

static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  SyncTestPeer *peer = authed_peer (f, f->server->mechanic_a);
  g_autoptr(GString) batch = g_string_new ("{\"changes\": [");
  g_autoptr(ObdSyncMessage) limited = NULL;
  gboolean idle_seen = FALSE;
  SyncTestPeer *silent;

  for (guint i = 1; i <= 6; i++)
    g_string_append_printf (batch, "%s{\"seq\": %u, \"entity\": \"note\", \"entityId\": \"n%u\","
                            " \"op\": \"insert\", \"changedAt\": 1, \"data\": {}}",
                            i > 1 ? "," : "", i, i);
  g_string_append (batch, "]}");
  expect_refused (peer, OBD_SYNC_MSG_PUSH, batch->str, "batch_too_large");

  /* A flood: past the burst, messages are dropped with one error. */
  for (guint i = 0; i < 40; i++)
    g_free (sync_test_peer_send (peer, OBD_SYNC_MSG_PING, NULL));
  limited = sync_test_peer_next (peer, OBD_SYNC_MSG_ERROR, 10);
  g_assert_cmpstr (sync_test_error_code (limited), ==, "rate_limited");
  g_assert_false (json_object_get_boolean_member (limited->payload, "fatal"));
  /* The bucket refills; the connection is usable again. */
  g_assert_true (sync_test_wait_for (pong_again, peer, 10));

  /* Silence beyond the idle timeout ends a connection, with a reason. */
  silent = sync_test_peer_new (f->server->url);
  {
    g_autoptr(ObdSyncMessage) idle = sync_test_peer_next (silent, OBD_SYNC_MSG_ERROR, 10);

    g_assert_cmpstr (sync_test_error_code (idle), ==, "idle_timeout");
    idle_seen = TRUE;
  }
  g_assert_true (idle_seen);
  g_assert_true (sync_test_wait (&silent->closed, 10));
  sync_test_peer_free (silent);
  sync_test_peer_free (peer);
}

/* Heartbeat and reconnect, through a relay that can go silent. */
static void
test_heartbeat_reconnect (Fixture       *f,
                          gconstpointer  data)
{
  SyncTestRelay *relay = sync_test_relay_new (obd_sync_server_get_port (f->server->server));
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/sync", relay->port);
  ObdSyncClient *client;
  g_autoptr(ObdStore) store = open_store (f->store1);
  guint states_seen = 0;

  record_session (store, VIN_1, 30);
  client = obd_sync_client_new (f->store1);
  obd_sync_client_set_server_url (client, url);
  obd_sync_client_set_token (client, f->server->mechanic_a);
  obd_sync_client_set_backoff (client, 50, 400);
  obd_sync_client_start (client);
  g_assert_true (sync_test_wait_for (is_synced, client, 20));

  /* The link goes silent: within two heartbeats (1 s each here) the
   * client calls the connection dead, and keeps trying. */
  relay->blackhole = TRUE;
  g_assert_true (sync_test_wait_for (is_disconnected, client, 10));
  states_seen++;
  g_assert_nonnull (obd_sync_client_get_last_error (client));

  /* A change recorded meanwhile goes out once the link is back. */
  record_session (store, VIN_1, 30);
  relay->blackhole = FALSE;
  g_assert_true (sync_test_wait_for (is_synced_and_empty, client, 30));
  g_assert_cmpint (sync_test_server_int (f->server,
                                         "SELECT count(*) FROM changes WHERE entity = 'session'"),
                   ==, 2);
  g_assert_cmpuint (states_seen, ==, 1);

  finalize_client (client);
  sync_test_relay_free (relay);
}

/* Live ----------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *types;
  GPtrArray *payloads;
} Events;

static void
on_event_cb (ObdSyncClient *client,
             const char    *type,
             JsonObject    *payload,
             Events        *events)
{
  g_ptr_array_add (events->types, g_strdup (type));
  g_ptr_array_add (events->payloads, json_object_ref (payload));
}

typedef struct
{
  Events     *events;
  const char *vehicle;
  guint       after;
} EventsFor;

/* A vehicle_status of the vehicle among the events after the first few. */
static gboolean
has_event_for (gpointer data)
{
  EventsFor *f = data;

  for (guint i = f->after; i < f->events->types->len; i++)
    if (g_str_equal (g_ptr_array_index (f->events->types, i), "vehicle_status")
        && g_strcmp0 (json_object_get_string_member (g_ptr_array_index (f->events->payloads, i),
                                                     "vehicleId"), f->vehicle) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  Events     *events;
  const char *channel;
} Subscribed;

/* A subscription_success that lists the channel: from then on its events
 * reach the client.  (The backend checks access concurrently with other
 * connections' events: nothing orders one connection's subscription
 * before another's event but this answer.) */
static gboolean
has_subscribed (gpointer data)
{
  Subscribed *s = data;

  for (guint i = 0; i < s->events->types->len; i++)
    if (g_str_equal (g_ptr_array_index (s->events->types, i), "subscription_success"))
      {
        JsonArray *channels = json_object_get_array_member (g_ptr_array_index (s->events->payloads,
                                                                               i), "channels");

        for (guint j = 0; channels != NULL && j < json_array_get_length (channels); j++)
          if (g_strcmp0 (json_array_get_string_element (channels, j), s->channel) == 0)
            return TRUE;
      }
  return FALSE;
}

static gboolean
has_event (gpointer data)
{
  Events *e = data;

  for (guint i = 0; i < e->types->len; i++)
    if (g_str_equal (g_ptr_array_index (e->types, i), "vehicle_status"))
      return TRUE;
  return FALSE;
}

static void
test_live_status (Fixture       *f,
                  gconstpointer  data)
{
  SyncTestPeer *mechanic = authed_peer (f, f->server->mechanic_a);
  g_autofree char *v = push_vehicle (mechanic, VIN_1);
  g_autofree char *w = push_vehicle (mechanic, VIN_2);
  g_autofree char *owner_token = sync_test_owner_token (f->server, v);
  g_autofree char *fleet_channel = g_strdup_printf ("fleet:%s", f->server->org_a);
  g_autofree char *own_channel = g_strdup_printf ("vehicle:%s", w);
  const char *fleet_channels[] = { fleet_channel, NULL };
  const char *owner_channels[] = { own_channel, NULL };
  Events fleet_events = { g_ptr_array_new_with_free_func (g_free),
                          g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
  Events owner_events = { g_ptr_array_new_with_free_func (g_free),
                          g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
  ObdSyncClient *fleet = new_client (f, f->store1, f->server->fleet_a);
  ObdSyncClient *owner = new_client (f, f->store2, owner_token);
  g_autofree char *status = g_strdup_printf (
    "{\"vehicleId\": \"%s\", \"sampledAt\": 1714557600000000,"
    " \"values\": {\"rpm\": {\"value\": 812, \"unit\": \"rpm\"}}}", v);
  JsonObject *got;

  g_signal_connect (fleet, "event", G_CALLBACK (on_event_cb), &fleet_events);
  g_signal_connect (owner, "event", G_CALLBACK (on_event_cb), &owner_events);
  obd_sync_client_start (fleet);
  obd_sync_client_start (owner);
  g_assert_true (sync_test_wait_for (both_synced, (ObdSyncClient *[]) { fleet, owner }, 20));
  g_assert_true (obd_sync_client_subscribe (fleet, fleet_channels));
  /* The owner may follow only its own vehicle (v); w is refused. */
  g_assert_true (obd_sync_client_subscribe (owner, owner_channels));
  {
    g_autofree char *own_vehicle = g_strdup_printf ("vehicle:%s", v);
    Subscribed fleet_ready = { &fleet_events, fleet_channel };
    Subscribed owner_ready = { &owner_events, own_vehicle };

    g_assert_true (sync_test_wait_for (has_subscribed, &fleet_ready, 10));
    g_assert_true (sync_test_wait_for (has_subscribed, &owner_ready, 10));
  }

  g_free (sync_test_peer_send (mechanic, OBD_SYNC_MSG_VEHICLE_STATUS, sync_test_object (status)));
  g_assert_true (sync_test_wait_for (has_event, &fleet_events, 10));
  got = g_ptr_array_index (fleet_events.payloads, fleet_events.payloads->len - 1);
  g_assert_cmpstr (json_object_get_string_member (got, "vehicleId"), ==, v);
  g_assert_cmpfloat (json_object_get_double_member (
                       json_object_get_object_member (
                         json_object_get_object_member (got, "values"), "rpm"), "value"),
                     ==, 812);
  /* Who sent it is the server's word, not the sender's. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (got, "from"),
                                                  "userName"), ==, "Ann");
  /* The owner follows its own car by itself; its subscription to another
   * vehicle was refused. */
  {
    EventsFor own = { &owner_events, v, 0 };

    g_assert_true (sync_test_wait_for (has_event_for, &own, 10));
  }
  g_assert_true (sync_test_wait_for (has_last_error, owner, 10));
  g_assert_nonnull (strstr (obd_sync_client_get_last_error (owner), "owner"));
  {
    /* Nothing of the other vehicle reaches the owner. */
    g_autofree char *other = g_strdup_printf (
      "{\"vehicleId\": \"%s\", \"sampledAt\": 1714557600000000, \"values\": {}}", w);
    guint before = owner_events.types->len;
    EventsFor fleet_w = { &fleet_events, w }, owner_v = { &owner_events, v };

    g_free (sync_test_peer_send (mechanic, OBD_SYNC_MSG_VEHICLE_STATUS,
                                 sync_test_object (other)));
    /* Delivered to the fleet, so delivered to whoever else would get it. */
    g_assert_true (sync_test_wait_for (has_event_for, &fleet_w, 10));
    owner_v.after = before;
    g_free (sync_test_peer_send (mechanic, OBD_SYNC_MSG_VEHICLE_STATUS,
                                 sync_test_object (status)));
    g_assert_true (sync_test_wait_for (has_event_for, &owner_v, 10));
    for (guint i = before; i < owner_events.payloads->len; i++)
      if (g_str_equal (g_ptr_array_index (owner_events.types, i), "vehicle_status"))
        g_assert_cmpstr (obd_sync_payload_get_string (g_ptr_array_index (owner_events.payloads,
                                                                         i), "vehicleId"),
                         ==, v);
  }

  finalize_client (fleet);
  finalize_client (owner);
  g_ptr_array_unref (fleet_events.types);
  g_ptr_array_unref (fleet_events.payloads);
  g_ptr_array_unref (owner_events.types);
  g_ptr_array_unref (owner_events.payloads);
  sync_test_peer_free (mechanic);
}

typedef struct
{
  JsonObject *reply;
  GError     *error;
  gboolean    done;
} Request;

static void
on_request_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Request *r = data;

  r->reply = obd_sync_client_request_finish (OBD_SYNC_CLIENT (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
client_ready (gpointer data)
{
  return obd_sync_client_get_state (data) == OBD_SYNC_STATE_SYNCED;
}

static gboolean
saw_type (Events     *events,
          const char *type)
{
  for (guint i = 0; i < events->types->len; i++)
    if (g_str_equal (g_ptr_array_index (events->types, i), type))
      return TRUE;
  return FALSE;
}

static gboolean
saw_note (gpointer data)
{
  return saw_type (data, "room_note");
}

static gboolean
saw_presence (gpointer data)
{
  return saw_type (data, "presence");
}

static gboolean
saw_closed (gpointer data)
{
  return saw_type (data, "room_closed");
}

static gboolean
saw_status (gpointer data)
{
  return saw_type (data, "vehicle_status");
}

static void
test_expert_room (Fixture       *f,
                  gconstpointer  data)
{
  SyncTestPeer *raw = authed_peer (f, f->server->mechanic_a);
  g_autofree char *v = push_vehicle (raw, VIN_1);
  ObdSyncClient *mechanic = new_client (f, f->store1, f->server->mechanic_a);
  ObdSyncClient *expert = new_client (f, f->store2, f->server->mechanic_b);
  Events mechanic_events = { g_ptr_array_new_with_free_func (g_free),
                             g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
  Events expert_events = { g_ptr_array_new_with_free_func (g_free),
                           g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
  Request created = { 0 }, joined = { 0 }, again = { 0 }, closed = { 0 };
  g_autofree char *code = NULL;
  g_autofree char *room = NULL;
  JsonObject *note, *status;

  g_signal_connect (mechanic, "event", G_CALLBACK (on_event_cb), &mechanic_events);
  g_signal_connect (expert, "event", G_CALLBACK (on_event_cb), &expert_events);
  obd_sync_client_start (mechanic);
  obd_sync_client_start (expert);
  g_assert_true (sync_test_wait_for (client_ready, mechanic, 20));
  g_assert_true (sync_test_wait_for (client_ready, expert, 20));

  obd_sync_client_room_create_async (mechanic, v, NULL, on_request_cb, &created);
  g_assert_true (sync_test_wait (&created.done, 10));
  g_assert_no_error (created.error);
  code = g_strdup (json_object_get_string_member (created.reply, "code"));
  room = g_strdup (json_object_get_string_member (created.reply, "roomId"));
  g_assert_cmpuint (strlen (code), ==, 9);

  /* An expert of another garage joins with the code (lower case works:
   * people type it). */
  {
    g_autofree char *typed = g_ascii_strdown (code, -1);

    obd_sync_client_room_join_async (expert, typed, NULL, on_request_cb, &joined);
  }
  g_assert_true (sync_test_wait (&joined.done, 10));
  g_assert_no_error (joined.error);
  g_assert_cmpstr (json_object_get_string_member (joined.reply, "vehicleId"), ==, v);
  /* One time: the code does not open the room twice. */
  obd_sync_client_room_join_async (mechanic, code, NULL, on_request_cb, &again);
  g_assert_true (sync_test_wait (&again.done, 10));
  g_assert_error (again.error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND);

  /* Presence: the mechanic sees who watches. */
  g_assert_true (sync_test_wait_for (saw_presence, &mechanic_events, 10));

  /* The expert sees the live data read-only, and sends notes back. */
  status = json_object_new ();
  json_object_set_string_member (status, "vehicleId", v);
  json_object_set_int_member (status, "sampledAt", g_get_real_time ());
  json_object_set_object_member (status, "values", sync_test_object (
                                   "{\"coolant_temp\": {\"value\": 104, \"unit\": \"°C\"}}"));
  g_assert_true (obd_sync_client_send_event (mechanic, OBD_SYNC_MSG_VEHICLE_STATUS, status));
  g_assert_true (sync_test_wait_for (saw_status, &expert_events, 10));
  status = json_object_new ();
  json_object_set_string_member (status, "vehicleId", v);
  json_object_set_int_member (status, "sampledAt", g_get_real_time ());
  json_object_set_object_member (status, "values", json_object_new ());
  g_assert_true (obd_sync_client_send_event (expert, OBD_SYNC_MSG_VEHICLE_STATUS, status));
  g_assert_true (sync_test_wait_for (has_last_error, expert, 10));

  note = json_object_new ();
  json_object_set_string_member (note, "roomId", room);
  json_object_set_string_member (note, "text", "Check the thermostat before the pump.");
  g_assert_true (obd_sync_client_send_event (expert, OBD_SYNC_MSG_ROOM_NOTE, note));
  g_assert_true (sync_test_wait_for (saw_note, &mechanic_events, 10));

  /* The mechanic ends it; everyone hears. */
  obd_sync_client_room_close_async (mechanic, room, NULL, on_request_cb, &closed);
  g_assert_true (sync_test_wait (&closed.done, 10));
  g_assert_no_error (closed.error);
  g_assert_true (sync_test_wait_for (saw_closed, &expert_events, 10));

  g_clear_pointer (&created.reply, json_object_unref);
  g_clear_pointer (&joined.reply, json_object_unref);
  g_clear_pointer (&closed.reply, json_object_unref);
  finalize_client (mechanic);
  finalize_client (expert);
  g_ptr_array_unref (mechanic_events.types);
  g_ptr_array_unref (mechanic_events.payloads);
  g_ptr_array_unref (expert_events.types);
  g_ptr_array_unref (expert_events.payloads);
  sync_test_peer_free (raw);
}

/* Paged queries ------------------------------------------------------------------ */

static void
push_change (SyncTestPeer *peer,
             const char   *entity,
             const char   *entity_id,
             gint64        changed_us,
             const char   *data)
{
  g_autofree char *json = g_strdup_printf (
    "{\"changes\": [{\"seq\": %" G_GINT64_FORMAT ", \"entity\": \"%s\", \"entityId\": \"%s\","
    " \"op\": \"insert\", \"changedAt\": %" G_GINT64_FORMAT ", \"data\": %s}]}",
    ++peer->seq, entity, entity_id, changed_us, data);
  g_autoptr(ObdSyncMessage) ack = sync_test_peer_call (peer, OBD_SYNC_MSG_PUSH,
                                                       sync_test_object (json));

  g_assert_nonnull (ack);
  g_assert_cmpint (ack->type, ==, OBD_SYNC_MSG_PUSH_ACK);
  g_assert_cmpint (json_object_get_int_member (ack->payload, "ackedSeq"), ==, peer->seq);
}

static JsonObject *
find_vehicle (JsonArray  *vehicles,
              const char *id)
{
  for (guint i = 0; i < json_array_get_length (vehicles); i++)
    {
      JsonObject *v = json_array_get_object_element (vehicles, i);

      if (g_strcmp0 (json_object_get_string_member (v, "vehicleId"), id) == 0)
        return v;
    }
  return NULL;
}

/* The fleet list with each vehicle's summary, and a vehicle's history,
 * page by page (keyset): every row once, in order, whatever the page size;
 * owners and other organisations see only what they may. */
static void
test_paged_queries (Fixture       *f,
                    gconstpointer  data)
{
  SyncTestPeer *mechanic = authed_peer (f, f->server->mechanic_a);
  g_autofree char *v = push_vehicle (mechanic, VIN_1);
  g_autofree char *w = push_vehicle (mechanic, VIN_2);
  g_autofree char *owner_token = sync_test_owner_token (f->server, v);
  SyncTestPeer *fleet = authed_peer (f, f->server->fleet_a);
  SyncTestPeer *owner = authed_peer (f, owner_token);
  SyncTestPeer *stranger = authed_peer (f, f->server->mechanic_b);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *after = NULL;
  JsonObject *first_v = NULL;
  gint64 last_at = G_MAXINT64;
  char *key = NULL;
  gint64 before = -1;
  guint pages = 0;

  /* More vehicles than a page. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *vin = g_strdup_printf ("VIN%014u", i);

      g_free (push_vehicle (mechanic, vin));
    }
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *id = g_strdup_printf ("s-%u", i);
      g_autofree char *d = g_strdup_printf ("{\"uuid\": \"%s\", \"vehicle\": \"%s\","
                                            " \"status\": \"complete\"}", id, v);

      push_change (mechanic, "session", id, 1000 + i, d);
    }
  {
    g_autofree char *active = g_strdup_printf ("{\"vehicle\": \"%s\", \"code\": \"P0301\","
                                               " \"kind\": \"stored\"}", v);
    g_autofree char *pending = g_strdup_printf ("{\"vehicle\": \"%s\", \"code\": \"P0420\","
                                                " \"kind\": \"pending\"}", v);
    g_autofree char *cleared = g_strdup_printf ("{\"vehicle\": \"%s\", \"code\": \"P0171\","
                                                " \"kind\": \"stored\", \"cleared_us\": 5}", v);
    g_autofree char *overdue = g_strdup_printf ("{\"vehicle\": \"%s\", \"title\": \"Oil\","
                                                " \"status\": \"overdue\"}", v);
    g_autofree char *critical = g_strdup_printf ("{\"vehicle\": \"%s\", \"severity\":"
                                                 " \"critical\", \"read\": false}", v);
    g_autofree char *read = g_strdup_printf ("{\"vehicle\": \"%s\", \"severity\":"
                                             " \"critical\", \"read\": true}", v);
    g_autofree char *other = g_strdup_printf ("{\"vehicle\": \"%s\", \"code\": \"P0300\","
                                              " \"kind\": \"permanent\"}", w);

    push_change (mechanic, "dtc_event", "d-1", 2000, active);
    push_change (mechanic, "dtc_event", "d-2", 2001, pending);
    push_change (mechanic, "dtc_event", "d-3", 2002, cleared);
    push_change (mechanic, "maintenance_item", "m-1", 2003, overdue);
    push_change (mechanic, "notification", "n-1", 2004, critical);
    push_change (mechanic, "notification", "n-2", 2004, read);
    push_change (mechanic, "dtc_event", "d-4", 2005, other);
  }

  /* The fleet, two vehicles a page. */
  do
    {
      g_autofree char *json = after != NULL
                              ? g_strdup_printf ("{\"limit\": 2, \"after\": \"%s\"}", after)
                              : g_strdup ("{\"limit\": 2}");
      g_autoptr(ObdSyncMessage) page = sync_test_peer_call (fleet, OBD_SYNC_MSG_FLEET_SUMMARY,
                                                            sync_test_object (json));
      JsonArray *vehicles;
      JsonNode *next;

      g_assert_nonnull (page);
      g_assert_cmpint (page->type, ==, OBD_SYNC_MSG_FLEET_PAGE);
      vehicles = json_object_get_array_member (page->payload, "vehicles");
      g_assert_cmpuint (json_array_get_length (vehicles), <=, 2);
      for (guint i = 0; i < json_array_get_length (vehicles); i++)
        {
          const char *id = json_object_get_string_member (json_array_get_object_element (vehicles,
                                                                                         i),
                                                          "vehicleId");

          g_assert_false (g_hash_table_contains (ids, id));
          /* In id order, byte by byte, on both backends. */
          if (seen->len > 0)
            g_assert_cmpint (strcmp (g_ptr_array_index (seen, seen->len - 1), id), <, 0);
          g_ptr_array_add (seen, g_strdup (id));
          g_hash_table_add (ids, seen->pdata[seen->len - 1]);
        }
      if (find_vehicle (vehicles, v) != NULL)
        first_v = json_object_ref (find_vehicle (vehicles, v));
      g_clear_pointer (&after, g_free);
      next = json_object_get_member (page->payload, "next");
      if (next != NULL && !JSON_NODE_HOLDS_NULL (next))
        after = g_strdup (json_node_get_string (next));
      pages++;
    }
  while (after != NULL && pages < 10);
  g_assert_cmpuint (seen->len, ==, 7);
  g_assert_cmpuint (pages, ==, 4);
  g_assert_nonnull (first_v);
  g_assert_cmpstr (json_object_get_string_member (first_v, "vin"), ==, VIN_1);
  g_assert_cmpint (json_object_get_int_member (first_v, "activeCodes"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (first_v, "pendingCodes"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (first_v, "maintenanceOverdue"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (first_v, "maintenanceDue"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (first_v, "unreadCritical"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (first_v, "sessions"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (first_v, "lastSessionAt"), ==, 1006);
  json_object_unref (first_v);

  /* v's history, three records a page, newest first. */
  g_ptr_array_set_size (seen, 0);
  do
    {
      g_autofree char *json = key != NULL
        ? g_strdup_printf ("{\"vehicleId\": \"%s\", \"limit\": 3, \"before\": %" G_GINT64_FORMAT
                           ", \"key\": \"%s\"}", v, before, key)
        : g_strdup_printf ("{\"vehicleId\": \"%s\", \"limit\": 3}", v);
      g_autoptr(ObdSyncMessage) page = sync_test_peer_call (owner, OBD_SYNC_MSG_HISTORY,
                                                            sync_test_object (json));
      JsonArray *items;
      JsonNode *next;

      g_assert_cmpint (page->type, ==, OBD_SYNC_MSG_HISTORY_PAGE);
      items = json_object_get_array_member (page->payload, "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          gint64 at = json_object_get_int_member (item, "changedAt");

          g_assert_cmpint (at, <=, last_at);
          last_at = at;
          g_ptr_array_add (seen, g_strdup (json_object_get_string_member (item, "entityId")));
        }
      g_clear_pointer (&key, g_free);
      next = json_object_get_member (page->payload, "next");
      if (next != NULL && JSON_NODE_HOLDS_OBJECT (next))
        {
          before = json_object_get_int_member (json_node_get_object (next), "before");
          key = g_strdup (json_object_get_string_member (json_node_get_object (next), "key"));
        }
    }
  while (key != NULL && seen->len < 100);
  /* 7 sessions, 3 codes, 1 item, 2 notifications — and nothing of w. */
  g_assert_cmpuint (seen->len, ==, 13);
  /* Newest first; a tie in time goes by entity and id, descending. */
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "n-2");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "n-1");
  g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "m-1");
  g_assert_cmpstr (g_ptr_array_index (seen, 12), ==, "s-0");
  for (guint i = 0; i < seen->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (seen, i), !=, "d-4");
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (g_ptr_array_index (seen, i), !=, g_ptr_array_index (seen, j));
    }

  /* The owner's fleet is its car; another vehicle's history and another
   * organisation are refused. */
  {
    g_autoptr(ObdSyncMessage) own = sync_test_peer_call (owner, OBD_SYNC_MSG_FLEET_SUMMARY,
                                                         sync_test_object ("{}"));
    g_autofree char *other = g_strdup_printf ("{\"vehicleId\": \"%s\"}", w);
    g_autofree char *mine = g_strdup_printf ("{\"vehicleId\": \"%s\"}", v);
    g_autoptr(ObdSyncMessage) theirs = sync_test_peer_call (stranger, OBD_SYNC_MSG_FLEET_SUMMARY,
                                                            sync_test_object ("{}"));

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (own->payload,
                                                                           "vehicles")), ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (theirs->payload,
                                                                           "vehicles")), ==, 0);
    expect_refused (owner, OBD_SYNC_MSG_HISTORY, other, "forbidden");
    expect_refused (stranger, OBD_SYNC_MSG_HISTORY, mine, "forbidden");
    expect_refused (fleet, OBD_SYNC_MSG_HISTORY, "{\"vehicleId\": \"v\", \"limit\": 500}",
                    "bad_message");
  }
  sync_test_peer_free (mechanic);
  sync_test_peer_free (fleet);
  sync_test_peer_free (owner);
  sync_test_peer_free (stranger);
}

/* The chain anchor ------------------------------------------------------------------ */

static void
test_chain_anchor (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->store1);
  g_autoptr(GError) error = NULL;
  ObdSyncClient *client;
  gboolean ok = FALSE;
  gint64 anchor = 0, first_bad = -1, newest;

  record_session (store, VIN_1, 30);
  newest = record_session (store, VIN_1, 30);
  g_assert_true (obd_store_sync_verify_anchor (store, &ok, &anchor, &error));
  g_assert_true (ok);
  g_assert_cmpint (anchor, ==, 0);

  client = new_client (f, f->store1, f->server->mechanic_a);
  sync_ok (client);
  finalize_client (client);
  g_assert_true (obd_store_sync_verify_anchor (store, &ok, &anchor, &error));
  g_assert_true (ok);
  g_assert_cmpint (anchor, ==, 2);

  /* Deleting the newest session leaves a chain that checks out on its
   * own; the anchor tells. */
  {
    sqlite3 *db = NULL;
    g_autofree char *sql = g_strdup_printf ("DELETE FROM samples WHERE session_id = %"
                                            G_GINT64_FORMAT "; DELETE FROM sessions WHERE id = %"
                                            G_GINT64_FORMAT, newest, newest);

    g_assert_cmpint (sqlite3_open (f->store1, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_true (obd_store_verify_chain (store, &first_bad, &error));
  g_assert_cmpint (first_bad, ==, 0);
  g_assert_true (obd_store_sync_verify_anchor (store, &ok, &anchor, &error));
  g_assert_no_error (error);
  g_assert_false (ok);
}

/* Tokens ------------------------------------------------------------------------------ */

/* The config folder of the whole test run (GLib reads XDG_CONFIG_HOME
 * once, so main () sets it before anything asks). */
static char *config_dir;

static void
test_token_file (void)
{
  g_autoptr(GError) error = NULL;
  const char *dir = config_dir;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  ObdSyncTokenSource source;
  GStatBuf st;

  g_unsetenv ("OBD2_TOKEN");
  /* A session bus address nobody answers at: the keyring fails over. */
  g_unsetenv ("OBD2_NO_KEYRING");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);

  token = obd_sync_token_lookup ("ws://shop:8765/sync", &source, &error);
  g_assert_no_error (error);
  g_assert_null (token);
  g_assert_cmpint (source, ==, OBD_SYNC_TOKEN_NONE);

  g_assert_true (obd_sync_token_store ("ws://shop:8765/sync", "obd2_secret", &source, &error));
  g_assert_no_error (error);
  g_assert_cmpint (source, ==, OBD_SYNC_TOKEN_FILE);
  path = obd_sync_token_file_path ();
  g_assert_true (g_str_has_prefix (path, dir));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  token = obd_sync_token_lookup ("ws://shop:8765/sync", &source, &error);
  g_assert_cmpstr (token, ==, "obd2_secret");
  g_assert_cmpint (source, ==, OBD_SYNC_TOKEN_FILE);
  g_clear_pointer (&token, g_free);
  /* Another server has none. */
  token = obd_sync_token_lookup ("ws://other/sync", &source, &error);
  g_assert_null (token);

  /* The environment wins. */
  g_setenv ("OBD2_TOKEN", "from-env", TRUE);
  token = obd_sync_token_lookup ("ws://shop:8765/sync", &source, &error);
  g_assert_cmpstr (token, ==, "from-env");
  g_assert_cmpint (source, ==, OBD_SYNC_TOKEN_ENVIRONMENT);
  g_clear_pointer (&token, g_free);
  g_unsetenv ("OBD2_TOKEN");

  /* Loose permissions: refused, with what to do. */
  g_chmod (path, 0644);
  token = obd_sync_token_lookup ("ws://shop:8765/sync", &source, &error);
  g_assert_null (token);
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN);
  g_assert_nonnull (strstr (error->message, "chmod 600"));

  g_unlink (path);
  {
    g_autofree char *folder = g_path_get_dirname (path);
    g_rmdir (folder);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  config_dir = g_dir_make_tmp ("test-sync-config-XXXXXX", NULL);
  g_assert_nonnull (config_dir);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_setenv ("OBD2_NO_KEYRING", "1", TRUE);

#define ADD(path, func, limits) \
  g_test_add (path, Fixture, limits, fixture_setup, func, fixture_teardown)

  ADD ("/sync/exactly-once/offline-then-sync", test_offline_then_exactly_once, NULL);
  ADD ("/sync/exactly-once/resend-after-lost-ack", test_resend_idempotent, NULL);
  ADD ("/sync/conflict/later-edit-wins", test_conflict_later_edit_wins, NULL);
  ADD ("/sync/conflict/same-vin-two-pcs", test_same_vin_two_pcs, NULL);
  ADD ("/sync/access/other-organisation", test_access_other_organisation, NULL);
  ADD ("/sync/access/roles", test_access_roles, NULL);
  ADD ("/sync/access/unauthenticated", test_unauthenticated, NULL);
  ADD ("/sync/hostile/malformed", test_malformed, &malformed_limits);
  ADD ("/sync/hostile/bad-tokens", test_bad_tokens, NULL);
  ADD ("/sync/hostile/protocol-version", test_protocol_version, NULL);
  ADD ("/sync/hostile/limits", test_limits, &small_limits);
  ADD ("/sync/connection/heartbeat-and-reconnect", test_heartbeat_reconnect, &small_limits);
  ADD ("/sync/live/status-fan-out", test_live_status, NULL);
  ADD ("/sync/live/expert-room", test_expert_room, NULL);
  ADD ("/sync/chain/anchor", test_chain_anchor, NULL);
  ADD ("/sync/query/fleet-and-history", test_paged_queries, NULL);
  g_test_add_func ("/sync/token/file-and-keyring-failover", test_token_file);
  status = g_test_run ();
  g_rmdir (config_dir);
  g_free (config_dir);
  return status;
}
