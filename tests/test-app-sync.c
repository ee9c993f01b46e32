/* test-app-sync.c — the app's side of syncing, without windows: offline work
 * synced later, live sharing watched by a fleet, expert rooms, conflicts,
 * and what bad input gets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-sync"
#include "config.h"

#include <math.h>
#include <string.h>

#include "app-sync-common.h"
#include "obd-row-item.h"
#include "obd-store-sync.h"
#include "obd-sync-token.h"

/* Offline, then synced ------------------------------------------------------ */

static gboolean
offline_pending_cb (gpointer data)
{
  TestPc *pc = data;

  return obd_sync_manager_get_pending_count (pc->sync) > 0
         && obd_sync_manager_get_state (pc->sync) == OBD_SYNC_STATE_OFFLINE;
}

static gboolean
synced_empty_cb (gpointer data)
{
  TestPc *pc = data;

  return obd_sync_manager_get_state (pc->sync) == OBD_SYNC_STATE_SYNCED
         && obd_sync_manager_get_pending_count (pc->sync) == 0;
}

/* A PC records with the server out of reach: the changes wait, counted;
 * when the server answers they go, and the server holds every sample. */
static void
test_offline_then_synced (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  /* The server's address leads nowhere until the relay is pointed at it. */
  SyncTestRelay *relay = sync_test_relay_new (0);
  g_autofree char *url = test_url_for_port (relay->port);
  TestPc *pc = test_pc_new ("mechanic");
  g_autoptr(GError) error = NULL;
  guint64 recorded;

  test_pc_fast_retry (pc);
  g_assert_cmpint (obd_sync_manager_get_state (pc->sync), ==, OBD_SYNC_STATE_DISABLED);
  g_assert_false (test_pc_configure (pc, url, server->mechanic_a, &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CONNECT);
  g_test_message ("server down: %s", error->message);
  g_assert_cmpstr (obd_sync_manager_get_server_url (pc->sync), ==, url);
  g_assert_cmpint (obd_sync_manager_get_state (pc->sync), !=, OBD_SYNC_STATE_SYNCED);
  g_assert_cmpint (obd_sync_manager_get_state (pc->sync), !=, OBD_SYNC_STATE_ERROR);

  /* Work goes on offline, and what waits is counted. */
  test_pc_connect_car (pc, TEST_SIM);
  test_pc_record (pc, 200);
  recorded = obd_session_get_recorded_samples (pc->session);
  test_wait (offline_pending_cb, pc, 20, "the changes waiting to be counted");
  g_assert_cmpint (sync_test_server_int (server, "SELECT count(*) FROM vehicles"), ==, 0);
  {
    g_autofree char *text = obd_sync_manager_dup_state_text (pc->sync);

    g_test_message ("offline: %s", text);
    g_assert_nonnull (strstr (text, "waiting"));
  }

  /* The server comes up. */
  relay->target = test_server_port (server);
  test_wait (synced_empty_cb, pc, 60, "every change to reach the server");
  g_assert_cmpint (sync_test_server_int (server, "SELECT count(*) FROM vehicles"), ==, 1);
  g_assert_cmpint (sync_test_server_int (server, "SELECT sum(count) FROM sample_chunks"), >=,
                   (gint64) recorded);
  g_assert_null (obd_sync_manager_get_last_error (pc->sync));
  /* Who this PC is signed in as, in words. */
  g_assert_cmpstr (obd_sync_manager_get_user_name (pc->sync), ==, "Ann");
  g_assert_cmpstr (obd_sync_manager_get_role (pc->sync), ==, "mechanic");
  g_assert_cmpstr (obd_sync_manager_get_organisation_name (pc->sync), ==, "Garage A");

  test_pc_free (pc);
  sync_test_relay_free (relay);
  sync_test_server_free (server);
}

/* Live sharing, watched by the fleet ---------------------------------------- */

typedef struct
{
  TestPc *pc;
  guint   n_status;
} Watch;

static void
on_remote_changed_cb (ObdSyncManager   *sync,
                      ObdRemoteVehicle *remote,
                      Watch            *watch)
{
  if (!isnan (obd_remote_vehicle_get_value (remote, "rpm")))
    watch->n_status++;
}

static gboolean
sharing_cb (gpointer data)
{
  TestPc *pc = data;

  return obd_sync_manager_get_sharing (pc->sync);
}

typedef struct
{
  TestPc     *fleet;
  const char *vehicle;
} RemoteWait;

static gboolean
remote_complete_cb (gpointer data)
{
  RemoteWait *w = data;
  ObdRemoteVehicle *remote = obd_sync_manager_lookup_remote (w->fleet->sync, w->vehicle);

  return remote != NULL && obd_remote_vehicle_get_live (remote)
         && !isnan (obd_remote_vehicle_get_value (remote, "rpm"))
         && obd_remote_vehicle_get_score (remote) >= 0
         && obd_remote_vehicle_get_codes (remote) != NULL;
}

static gboolean
time_passed_cb (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
test_live_fleet (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  TestPc *mechanic = test_pc_new ("mechanic");
  TestPc *fleet = test_pc_new ("fleet");
  g_autoptr(GError) error = NULL;
  Watch watch = { fleet, 0 };
  RemoteWait remote_wait = { fleet, NULL };
  ObdRemoteVehicle *remote;
  g_autofree char *summary = NULL;
  gint64 until;
  guint before, interval;

  g_assert_true (test_pc_configure (mechanic, server->url, server->mechanic_a, &error));
  g_assert_no_error (error);
  g_assert_true (test_pc_configure (fleet, server->url, server->fleet_a, &error));
  g_assert_no_error (error);
  obd_sync_manager_follow_fleet (fleet->sync, TRUE);

  /* Nothing is shared unless asked. */
  test_pc_connect_car (mechanic, TEST_SIM);
  g_assert_false (obd_sync_manager_get_sharing (mechanic->sync));
  g_assert_nonnull (obd_sync_manager_get_share_status (mechanic->sync));
  obd_sync_manager_set_share_live (mechanic->sync, TRUE);
  test_wait (sharing_cb, mechanic, 30, "the mechanic's PC to share");
  g_assert_true (g_settings_get_boolean (mechanic->settings, "sync-share-live"));

  remote_wait.vehicle = obd_sync_manager_get_shared_vehicle (mechanic->sync);
  g_assert_nonnull (remote_wait.vehicle);
  g_signal_connect (fleet->sync, "remote-changed", G_CALLBACK (on_remote_changed_cb), &watch);
  test_wait (remote_complete_cb, &remote_wait, 30, "the fleet to see the live vehicle");
  remote = obd_sync_manager_lookup_remote (fleet->sync, remote_wait.vehicle);
  g_assert_cmpstr (obd_remote_vehicle_get_from_name (remote), ==, "Ann");
  /* The verdict the mechanic's PC shows, to the point. */
  g_assert_cmpint (obd_remote_vehicle_get_score (remote), ==,
                   obd_health_score_round (obd_session_get_health (mechanic->session)
                                             ->vehicle_score));
  summary = obd_remote_vehicle_dup_summary (remote, OBD_UNIT_SYSTEM_SI);
  g_test_message ("fleet sees: %s", summary);
  g_assert_nonnull (strstr (summary, "rpm"));

  /* Paced: never faster than the interval, whatever the car sends. */
  interval = obd_live_share_get_interval (obd_sync_manager_get_live_share (mechanic->sync));
  g_assert_cmpuint (interval, >=, 500);
  before = watch.n_status;
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  sync_test_wait_for (time_passed_cb, &until, 4);
  g_test_message ("%u vehicle_status in 3 s at %u ms", watch.n_status - before, interval);
  g_assert_cmpuint (watch.n_status - before, >=, 2);
  g_assert_cmpuint (watch.n_status - before, <=, 3000 / interval + 1);

  /* Turned off, the fleet stops getting it. */
  obd_sync_manager_set_share_live (mechanic->sync, FALSE);
  g_assert_false (obd_sync_manager_get_sharing (mechanic->sync));
  before = watch.n_status;
  until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  sync_test_wait_for (time_passed_cb, &until, 3);
  g_assert_cmpuint (watch.n_status - before, <=, 1);

  g_signal_handlers_disconnect_by_data (fleet->sync, &watch);
  obd_sync_manager_follow_fleet (fleet->sync, FALSE);
  test_pc_free (fleet);
  test_pc_free (mechanic);
  sync_test_server_free (server);
}

/* An expert room ----------------------------------------------------------- */

typedef struct
{
  gboolean  done;
  ObdRoom  *room;
  GError   *error;
} RoomWait;

static void
on_opened_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  RoomWait *w = data;

  w->room = obd_sync_manager_open_room_finish (OBD_SYNC_MANAGER (source), result, &w->error);
  w->done = TRUE;
}

static void
on_joined_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  RoomWait *w = data;

  w->room = obd_sync_manager_join_room_finish (OBD_SYNC_MANAGER (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
watched_cb (gpointer data)
{
  return obd_room_get_watching (data) == 1;
}

static gboolean
room_has_live_cb (gpointer data)
{
  ObdRemoteVehicle *remote = obd_room_get_vehicle (data);

  return !isnan (obd_remote_vehicle_get_value (remote, "rpm"))
         && obd_remote_vehicle_get_codes (remote) != NULL;
}

static gboolean
has_note_cb (gpointer data)
{
  return g_list_model_get_n_items (obd_room_get_notes (data)) > 0;
}

static gboolean
room_closed_cb (gpointer data)
{
  return !obd_room_get_open (data);
}

static ObdRoom *
join (TestPc     *pc,
      const char *code,
      GError    **error)
{
  RoomWait joined = { 0 };

  obd_sync_manager_join_room_async (pc->sync, code, NULL, on_joined_cb, &joined);
  g_assert_true (sync_test_wait (&joined.done, 20));
  if (joined.error != NULL)
    g_propagate_error (error, joined.error);
  return joined.room;
}

static void
test_expert_room (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  TestPc *mechanic = test_pc_new ("mechanic");
  TestPc *expert = test_pc_new ("mechanic");
  g_autoptr(GError) error = NULL;
  RoomWait opened = { 0 };
  g_autoptr(ObdRoom) guest = NULL;
  g_autoptr(ObdRoom) again = NULL;
  g_autoptr(ObdRowItem) note = NULL;
  g_autofree char *typed = NULL;

  g_assert_true (test_pc_configure (mechanic, server->url, server->mechanic_a, &error));
  /* The expert works for another garage: the code is the invitation. */
  g_assert_true (test_pc_configure (expert, server->url, server->mechanic_b, &error));
  g_assert_no_error (error);

  /* No car, no room: it says why. */
  obd_sync_manager_open_room_async (mechanic->sync, NULL, on_opened_cb, &opened);
  g_assert_true (sync_test_wait (&opened.done, 20));
  g_assert_error (opened.error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND);
  g_test_message ("without a car: %s", opened.error->message);
  g_clear_error (&opened.error);

  test_pc_connect_car (mechanic, TEST_SIM);
  /* The vehicle must reach the server first: wait for it. */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    do
      {
        memset (&opened, 0, sizeof opened);
        obd_sync_manager_open_room_async (mechanic->sync, NULL, on_opened_cb, &opened);
        g_assert_true (sync_test_wait (&opened.done, 20));
        if (opened.error != NULL && g_get_monotonic_time () < deadline)
          {
            gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

            g_clear_error (&opened.error);
            sync_test_wait_for (time_passed_cb, &until, 1);
          }
      }
    while (opened.room == NULL && opened.error == NULL);
  }
  g_assert_no_error (opened.error);
  g_assert_true (obd_sync_manager_get_room (mechanic->sync) == opened.room);
  g_assert_true (obd_room_get_host (opened.room));
  g_assert_cmpuint (strlen (obd_room_get_code (opened.room)), ==, 9);
  g_assert_cmpint (obd_room_get_expires_at (opened.room), >, g_get_real_time ());
  /* A room shares live data whatever the switch says. */
  test_wait (sharing_cb, mechanic, 20, "the room to share live data");

  /* People type codes their own way. */
  typed = g_ascii_strdown (obd_room_get_code (opened.room), -1);
  typed[4] = ' ';
  guest = join (expert, typed, &error);
  g_assert_no_error (error);
  g_assert_false (obd_room_get_host (guest));
  g_assert_cmpstr (obd_room_get_vehicle_id (guest), ==, obd_room_get_vehicle_id (opened.room));
  /* Once only. */
  again = join (expert, obd_room_get_code (opened.room), &error);
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND);
  g_assert_null (again);
  g_clear_error (&error);

  /* Presence on both sides. */
  test_wait (watched_cb, opened.room, 20, "the mechanic to see the expert");
  g_assert_cmpuint (g_list_model_get_n_items (obd_room_get_members (opened.room)), ==, 2);
  g_assert_nonnull (strstr (obd_room_get_presence_text (opened.room), "Ben"));
  test_wait (watched_cb, guest, 20, "the expert to see the room");
  g_assert_nonnull (strstr (obd_room_get_presence_text (guest), "Ann"));

  /* The expert sees the car live, read-only, and writes back. */
  test_wait (room_has_live_cb, guest, 20, "the expert to see the live data and codes");
  g_assert_false (obd_room_send_note (guest, "   ", &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE);
  g_clear_error (&error);
  {
    g_autofree char *huge = g_strnfill (OBD_SYNC_MAX_TEXT_LENGTH + 1, 'x');

    g_assert_false (obd_room_send_note (guest, huge, &error));
    g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
  g_assert_true (obd_room_send_note (guest, "Check the thermostat before the pump.", &error));
  g_assert_no_error (error);
  test_wait (has_note_cb, opened.room, 20, "the mechanic to get the note");
  note = g_list_model_get_item (obd_room_get_notes (opened.room), 0);
  g_assert_cmpstr (obd_row_item_get_title (note), ==, "Check the thermostat before the pump.");
  g_assert_nonnull (strstr (obd_row_item_get_subtitle (note), "Ben"));

  /* The mechanic ends it, for everyone. */
  obd_room_end_async (opened.room, NULL, NULL, NULL);
  test_wait (room_closed_cb, opened.room, 20, "the room to close");
  test_wait (room_closed_cb, guest, 20, "the expert to hear the room closed");
  g_test_message ("the expert is told: %s", obd_room_get_closed_reason (guest));
  g_assert_nonnull (obd_room_get_closed_reason (guest));
  g_assert_null (obd_sync_manager_get_room (mechanic->sync));
  g_assert_false (obd_sync_manager_get_sharing (mechanic->sync));
  g_assert_false (obd_room_send_note (guest, "Too late", &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_ROOM_CLOSED);

  g_clear_object (&opened.room);
  test_pc_free (expert);
  test_pc_free (mechanic);
  sync_test_server_free (server);
}

/* What bad input gets ----------------------------------------------------- */

static void
test_bad_input (void)
{
  TestPc *pc = test_pc_new ("mechanic");
  g_autoptr(GError) error = NULL;
  const char *good_token = "obd2_0123456789abcdef_"
                           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const char *bad_urls[] = {
    "", "http://server:8765/sync", "server:8765", "ws://", "ws:// /sync", "\xff\xfe", NULL,
  };
  const char *bad_tokens[] = {
    "", "secret", "obd2_0123456789abcdef",
    "obd2_0123456789abcdeg_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "obd2_0123456789abcdef-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    NULL,
  };
  const char *bad_codes[] = { "", "ABCD", "ABCD-EFGH-IJKL", "ABCD_EFGH", "ÄBCD-EFGH", NULL };

  for (guint i = 0; bad_urls[i] != NULL; i++)
    {
      g_assert_false (test_pc_configure (pc, bad_urls[i], good_token, &error));
      g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_SERVER);
      g_clear_error (&error);
    }
  for (guint i = 0; bad_tokens[i] != NULL; i++)
    {
      g_assert_false (test_pc_configure (pc, "ws://127.0.0.1:1/sync", bad_tokens[i], &error));
      g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN);
      g_clear_error (&error);
    }
  /* Nothing was saved by any of them. */
  g_assert_null (obd_sync_manager_get_server_url (pc->sync));
  g_assert_cmpint (obd_sync_manager_get_state (pc->sync), ==, OBD_SYNC_STATE_DISABLED);

  for (guint i = 0; bad_codes[i] != NULL; i++)
    {
      g_autoptr(ObdRoom) room = join (pc, bad_codes[i], &error);

      g_assert_null (room);
      g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE);
      g_clear_error (&error);
    }
  /* A good code without a server. */
  {
    g_autoptr(ObdRoom) room = join (pc, "KX7P-3MWA", &error);

    g_assert_null (room);
    g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED);
    g_clear_error (&error);
  }
  test_pc_free (pc);
}

/* Events that cannot be used change nothing. */
static void
test_hostile_events (void)
{
  g_autoptr(ObdRemoteVehicle) remote = obd_remote_vehicle_new ("v1");
  const char *rejected[][2] = {
    { "vehicle_status", "{\"vehicleId\": \"v2\", \"values\": {\"rpm\": {\"value\": 1}}}" },
    { "dtc_detected", "{\"vehicleId\": \"v1\", \"codes\": [{\"code\": \"X9999\"}]}" },
    { "dtc_detected", "{\"vehicleId\": \"v1\", \"codes\": [\"P0301\"]}" },
    { "guide_progress", "{\"vehicleId\": \"v1\", \"guideId\": \"g\", \"step\": 9, \"steps\": 3,"
                        " \"title\": \"t\"}" },
    { "notification", "{\"vehicleId\": \"v1\", \"severity\": \"critical\"}" },
    { "room_note", "{\"vehicleId\": \"v1\", \"text\": \"hi\"}" },
  };
  g_autoptr(JsonObject) mixed = sync_test_object (
    "{\"vehicleId\": \"v1\", \"values\": {"
    " \"rpm\": {\"value\": 812, \"unit\": \"rpm\"},"
    " \"speed\": {\"value\": \"fast\"},"
    " \"coolant_temp\": 90,"
    " \"health_score\": {\"value\": 900},"
    " \"health_status\": {\"value\": 7},"
    " \"my_sensor\": {\"value\": 1.5, \"unit\": \"bar\"}}}");
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *rpm = NULL;
  g_autofree char *mine = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr(JsonObject) payload = sync_test_object (rejected[i][1]);

      g_assert_false (obd_remote_vehicle_take_event (remote, rejected[i][0], payload));
    }
  g_assert_null (obd_remote_vehicle_get_codes (remote));
  g_assert_false (obd_remote_vehicle_get_guide (remote, NULL, NULL, NULL, NULL));
  g_assert_cmpuint (obd_remote_vehicle_get_notices (remote)->len, ==, 0);
  g_assert_false (obd_remote_vehicle_get_live (remote));

  /* What can be used is taken, the rest left out. */
  g_assert_true (obd_remote_vehicle_take_event (remote, "vehicle_status", mixed));
  keys = obd_remote_vehicle_dup_keys (remote);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_cmpfloat (obd_remote_vehicle_get_value (remote, "rpm"), ==, 812);
  g_assert_true (isnan (obd_remote_vehicle_get_value (remote, "speed")));
  g_assert_cmpfloat (obd_remote_vehicle_get_score (remote), <, 0);
  rpm = obd_remote_vehicle_format_value (remote, "rpm", OBD_UNIT_SYSTEM_SI);
  g_assert_cmpstr (rpm, ==, "812 rpm");
  mine = obd_remote_vehicle_format_value (remote, "my_sensor", OBD_UNIT_SYSTEM_SI);
  g_assert_cmpstr (mine, ==, "1.5 bar");
  g_assert_true (obd_remote_vehicle_get_live (remote));
  /* Quiet for long enough: no longer live. */
  obd_remote_vehicle_check_live (remote, g_get_real_time () + OBD_REMOTE_LIVE_TIMEOUT_US + 1);
  g_assert_false (obd_remote_vehicle_get_live (remote));

  /* Notices are bounded. */
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(JsonObject) notice = sync_test_object (
        "{\"vehicleId\": \"v1\", \"severity\": \"bogus\", \"kind\": \"k\", \"title\": \"T\"}");

      g_assert_true (obd_remote_vehicle_take_event (remote, "notification", notice));
    }
  g_assert_cmpuint (obd_remote_vehicle_get_notices (remote)->len, ==, 20);
  g_assert_cmpstr (((ObdRemoteNotice *) g_ptr_array_index (
                      obd_remote_vehicle_get_notices (remote), 0))->severity, ==, "info");
}

/* A server address without a token: it says what to do ---------------------- */

static gpointer
set_server_job (ObdStore      *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  return obd_store_sync_set_server (store, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
test_no_token (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  TestPc *pc = test_pc_new ("mechanic");
  g_autoptr(GError) error = NULL;
  ObdSyncManager *restarted;

  /* What obd2 sync --server leaves: an address in the store. */
  obd_store_service_write_async (pc->store, "sync", 0, set_server_job, g_strdup (server->url),
                                 g_free, NULL, NULL, NULL);
  /* A second manager, as at the next start of the app. */
  restarted = obd_sync_manager_new (pc->store, pc->settings);
  g_object_unref (pc->sync);
  pc->sync = restarted;
  test_pc_wait_state (pc, OBD_SYNC_STATE_ERROR, 20);
  g_test_message ("without a token: %s", obd_sync_manager_get_last_error (pc->sync));
  g_assert_nonnull (strstr (obd_sync_manager_get_last_error (pc->sync), "Preferences"));

  /* Saved meanwhile (obd2 sync --set-token): "Sync now" finds it. */
  g_assert_true (obd_sync_token_store (server->url, server->mechanic_a, NULL, &error));
  g_assert_no_error (error);
  obd_sync_manager_sync_now (pc->sync);
  test_pc_wait_state (pc, OBD_SYNC_STATE_SYNCED, 30);

  /* Turned off, it stays off; on again, it syncs. */
  obd_sync_manager_stop_syncing (pc->sync);
  g_assert_cmpint (obd_sync_manager_get_state (pc->sync), ==, OBD_SYNC_STATE_DISABLED);
  g_assert_false (g_settings_get_boolean (pc->settings, "sync-enabled"));
  g_settings_set_boolean (pc->settings, "sync-enabled", TRUE);
  test_pc_wait_state (pc, OBD_SYNC_STATE_SYNCED, 30);

  test_pc_free (pc);
  sync_test_server_free (server);
}

/* Two PCs edit one vehicle ----------------------------------------------------- */

typedef struct
{
  guint    conflicts;
  gboolean local_won;
  guint    vehicle_changes;
} Heard;

static void
on_conflict_cb (ObdSyncManager *sync,
                const char     *entity,
                const char     *entity_id,
                gboolean        local_won,
                Heard          *heard)
{
  g_assert_cmpstr (entity, ==, "vehicle");
  heard->conflicts++;
  heard->local_won = local_won;
}

static void
on_vehicle_changed_cb (ObdStoreService *store,
                       const char      *what,
                       gint64           vehicle_id,
                       Heard           *heard)
{
  heard->vehicle_changes++;
}

static gboolean
heard_conflict_cb (gpointer data)
{
  return ((Heard *) data)->conflicts > 0;
}

static gboolean
heard_vehicle_cb (gpointer data)
{
  return ((Heard *) data)->vehicle_changes > 0;
}

typedef struct
{
  gint64      vehicle_id;
  const char *plate;
} Plate;

static gpointer
set_plate_job (ObdStore      *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  Plate *p = data;
  g_autoptr(ObdStoreVehicle) vehicle = obd_store_get_vehicle (store, p->vehicle_id, error);

  if (vehicle == NULL)
    return NULL;
  g_free (vehicle->plate);
  vehicle->plate = g_strdup (p->plate);
  return obd_store_update_vehicle (store, vehicle, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static gpointer
first_vehicle_job (ObdStore      *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, error);
  gint64 *id;

  if (vehicles == NULL)
    return NULL;
  id = g_new0 (gint64, 1);
  *id = vehicles->len > 0 ? ((ObdStoreVehicle *) g_ptr_array_index (vehicles, 0))->id : 0;
  return id;
}

typedef struct
{
  gboolean  done;
  gpointer  result;
  GError   *error;
} Job;

static void
on_job_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Job *job = data;

  job->result = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &job->error);
  job->done = TRUE;
}

/* Runs func on the PC's store thread and waits for its answer. */
static gpointer
run_job (TestPc          *pc,
         ObdStoreJobFunc  func,
         gpointer         data,
         GDestroyNotify   result_destroy)
{
  Job job = { 0 };

  obd_store_service_run_async (pc->store, func, data, NULL, result_destroy, G_PRIORITY_DEFAULT,
                               NULL, on_job_cb, &job);
  g_assert_true (sync_test_wait (&job.done, 20));
  g_assert_no_error (job.error);
  return job.result;
}

static gboolean
has_vehicle_cb (gpointer data)
{
  g_autofree gint64 *id = run_job (data, first_vehicle_job, NULL, g_free);

  return *id > 0;
}

static gpointer
list_conflicts_job (ObdStore      *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return obd_store_sync_list_conflicts (store, error);
}

static gpointer
get_vehicle_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return obd_store_get_vehicle (store, *(gint64 *) data, error);
}

/* Two PCs change one vehicle's plate while one of them is offline: the
 * later edit wins everywhere, the PC whose edit lost hears of it, takes
 * the winner and keeps its own version in the conflict history. */
static void
test_conflict (void)
{
  SyncTestServer *server = sync_test_server_new (NULL);
  TestPc *ann = test_pc_new ("mechanic");
  TestPc *alex = test_pc_new ("mechanic");
  g_autoptr(GError) error = NULL;
  Heard heard = { 0 };
  Plate alex_plate = { 0, "AB-2" }, ann_plate = { 0, "AB-1" };
  g_autofree gint64 *ann_id = NULL;
  g_autofree gint64 *alex_id = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  ObdStoreSyncConflict *conflict;

  g_assert_true (test_pc_configure (ann, server->url, server->mechanic_a, &error));
  g_assert_true (test_pc_configure (alex, server->url, server->mechanic_a2, &error));
  g_assert_no_error (error);
  test_pc_fast_retry (alex);

  /* Ann's car reaches Alex's PC through the server. */
  test_pc_connect_car (ann, TEST_SIM);
  g_signal_connect (alex->store, "changed::vehicle", G_CALLBACK (on_vehicle_changed_cb), &heard);
  test_wait (heard_vehicle_cb, &heard, 30, "Alex's views to hear of the pulled vehicle");
  test_wait (has_vehicle_cb, alex, 10, "the vehicle in Alex's store");
  ann_id = run_job (ann, first_vehicle_job, NULL, g_free);
  alex_id = run_job (alex, first_vehicle_job, NULL, g_free);

  /* Alex edits offline; Ann edits later, online. */
  obd_sync_manager_stop_syncing (alex->sync);
  alex_plate.vehicle_id = *alex_id;
  run_job (alex, set_plate_job, &alex_plate, NULL);
  ann_plate.vehicle_id = *ann_id;
  run_job (ann, set_plate_job, &ann_plate, NULL);
  obd_sync_manager_sync_now (ann->sync);
  test_wait (synced_empty_cb, ann, 30, "Ann's edit to reach the server");

  g_signal_connect (alex->sync, "conflict", G_CALLBACK (on_conflict_cb), &heard);
  heard.vehicle_changes = 0;
  g_settings_set_boolean (alex->settings, "sync-enabled", TRUE);
  test_wait (heard_conflict_cb, &heard, 30, "Alex's PC to hear of the conflict");
  g_assert_false (heard.local_won);
  test_wait (heard_vehicle_cb, &heard, 10, "Alex's views to reload the vehicle");

  vehicle = run_job (alex, get_vehicle_job, alex_id, (GDestroyNotify) obd_store_vehicle_free);
  g_assert_cmpstr (vehicle->plate, ==, "AB-1");
  conflicts = run_job (alex, list_conflicts_job, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_false (conflict->local_won);
  g_assert_nonnull (strstr (conflict->local_data, "AB-2"));
  g_assert_nonnull (strstr (conflict->remote_data, "AB-1"));

  g_signal_handlers_disconnect_by_data (alex->sync, &heard);
  g_signal_handlers_disconnect_by_data (alex->store, &heard);
  test_pc_free (alex);
  test_pc_free (ann);
  sync_test_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_pc_setup_environment ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/sync/offline-then-synced", test_offline_then_synced);
  g_test_add_func ("/app/sync/live/fleet", test_live_fleet);
  g_test_add_func ("/app/sync/room/expert", test_expert_room);
  g_test_add_func ("/app/sync/bad-input", test_bad_input);
  g_test_add_func ("/app/sync/hostile-events", test_hostile_events);
  g_test_add_func ("/app/sync/no-token", test_no_token);
  g_test_add_func ("/app/sync/conflict", test_conflict);

  status = g_test_run ();
  test_pc_cleanup_environment ();
  return status;
}
