/* bench-sync-push.c — one million samples from a client to the server,
 * against the same bytes through a bare libsoup WebSocket echo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ours: a store holding one million samples (ten sessions of 100 000) is
 * synced by ObdSyncClient to an ObdSyncServer with its SQLite backend,
 * over loopback, in one process; timed from the sync call to its end, so
 * it includes connecting, authenticating, reading the store, building and
 * checking every message, storing every part and acknowledging.
 *
 * Reference: a libsoup WebSocket server that sends every text message
 * back, and a libsoup client that sends push messages of the same number
 * and sizes (the same samples, encoded and chunked as ours, 4096 a part,
 * messages of up to half the server's limit) with the same window of eight
 * in flight, timed until the last echo arrives.  Both with
 * permessage-deflate, libsoup's default.
 *
 * "ratio" is ours over the reference in samples per second (goal: 0.5 or
 * more).  Each side runs three times, alternating, the best run counts.
 * Then ours runs twice more through a counting TCP relay, with and without
 * permessage-deflate, for the bytes on the wire (both directions).
 * The last line of output is one JSON object.
 */
#define G_LOG_DOMAIN "bench-sync-push"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "obd-recorder.h"
#include "obd-sync-backend-sqlite.h"
#include "obd-sync-client.h"
#include "obd-sync-server.h"
#include "sync-test-common.h"

#define N_SESSIONS   10
#define PER_SESSION  100000
#define N_SAMPLES    (N_SESSIONS * PER_SESSION)
#define PART         4096
#define WINDOW       8
#define RUNS         3

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)

static const guint8 pids[] = { 0x04, 0x05, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x2F };

static char *workdir;

static gboolean
iterate_until (const gboolean *flag,
               double          seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return *flag;
}

static ObdSample
make_sample (gint64 k)
{
  gint64 session = k / PER_SESSION, i = k % PER_SESSION;
  ObdSample s = {
    .time_us = T0 + session * G_GINT64_CONSTANT (7200000000)
               + (i / G_N_ELEMENTS (pids)) * (G_USEC_PER_SEC / 10),
    .ecu = 0x7E8,
    .service = 1,
    .pid = pids[i % G_N_ELEMENTS (pids)],
    .value = (double) (k % 1000) * 0.25,
  };
  return s;
}

static char *
make_store (void)
{
  g_autofree char *path = g_build_filename (workdir, "source.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  gint64 vehicle;

  g_assert_no_error (error);
  recorder = obd_recorder_new (store, &error);
  vehicle = obd_store_ensure_vehicle (store, "1HGCR2F30EA012345", "Honda", "Accord", 2014,
                                      &error);
  g_assert_no_error (error);
  for (gint64 s = 0; s < N_SESSIONS; s++)
    {
      g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample),
                                                   PER_SESSION);

      obd_recorder_start_session (recorder, vehicle, "CAN", "ELM327", "sim", &error);
      g_assert_no_error (error);
      for (gint64 i = 0; i < PER_SESSION; i++)
        {
          ObdSample sample = make_sample (s * PER_SESSION + i);
          g_array_append_val (batch, sample);
        }
      obd_recorder_push (recorder, batch);
      obd_recorder_stop_session (recorder, &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&path);
}

static char *
copy_store (const char *source,
            guint       run)
{
  g_autofree char *name = g_strdup_printf ("client-%u.db", run);
  char *path = g_build_filename (workdir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (source, &contents, &length, &error));
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  return path;
}

/* Ours ---------------------------------------------------------------------- */

typedef struct
{
  gboolean  done;
  GError   *error;
} Synced;

static void
on_synced_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Synced *s = data;

  obd_sync_client_sync_finish (OBD_SYNC_CLIENT (source), result, &s->error);
  s->done = TRUE;
}

typedef struct
{
  double  seconds;
  guint64 message_bytes;
  guint64 wire_bytes;
  guint64 samples;
} OursRun;

static OursRun
run_ours (const char *source,
          guint       run,
          gboolean    relay_it,
          gboolean    deflate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store = copy_store (source, run);
  g_autofree char *db_name = g_strdup_printf ("server-%u.db", run);
  g_autofree char *db = g_build_filename (workdir, db_name, NULL);
  g_autoptr(ObdSyncBackend) backend = obd_sync_backend_sqlite_new (db, &error);
  g_autoptr(ObdSyncServer) server = NULL;
  g_autoptr(ObdSyncClient) client = NULL;
  g_autofree char *org = NULL;
  g_autofree char *user = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  SyncTestRelay *relay = NULL;
  Synced synced = { 0 };
  ObdSyncStats stats;
  OursRun result = { 0 };
  gint64 start;

  g_assert_no_error (error);
  org = obd_sync_backend_create_organisation (backend, "Bench", &error);
  user = obd_sync_backend_create_user (backend, org, "Bench", OBD_SYNC_ROLE_MECHANIC, NULL,
                                       &error);
  token = obd_sync_backend_create_token (backend, user, &error);
  g_assert_no_error (error);
  server = obd_sync_server_new (backend, NULL);
  obd_sync_server_listen (server, "127.0.0.1:0", &error);
  g_assert_no_error (error);

  if (relay_it)
    {
      relay = sync_test_relay_new (obd_sync_server_get_port (server));
      url = g_strdup_printf ("ws://127.0.0.1:%u/sync", relay->port);
    }
  else
    url = obd_sync_server_dup_url (server);

  client = obd_sync_client_new (store);
  obd_sync_client_set_server_url (client, url);
  obd_sync_client_set_token (client, token);
  obd_sync_client_set_compression (client, deflate);

  start = g_get_monotonic_time ();
  obd_sync_client_sync_async (client, NULL, on_synced_cb, &synced);
  g_assert_true (iterate_until (&synced.done, 600));
  result.seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (synced.error);

  obd_sync_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.samples_pushed, ==, N_SAMPLES);
  result.samples = stats.samples_pushed;
  result.message_bytes = stats.bytes_sent;
  result.wire_bytes = relay != NULL ? relay->bytes : 0;

  obd_sync_client_stop (client);
  obd_sync_server_shutdown (server);
  g_clear_pointer (&relay, sync_test_relay_free);
  return result;
}

/* The reference ------------------------------------------------------------- */

static void
on_echo_message_cb (SoupWebsocketConnection *conn,
                    int                      type,
                    GBytes                  *bytes,
                    gpointer                 data)
{
  soup_websocket_connection_send_message (conn, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
on_echo_websocket_cb (SoupServer              *server,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *conn,
                      gpointer                 data)
{
  GPtrArray *keep = data;

  soup_websocket_connection_set_max_incoming_payload_size (conn, 0);
  g_ptr_array_add (keep, g_object_ref (conn));
  g_signal_connect (conn, "message", G_CALLBACK (on_echo_message_cb), NULL);
}

/* The messages ours sends, rebuilt: the same samples, parts of 4096, as
 * many parts a message as fit in half the server's limit. */
static GPtrArray *
make_messages (guint64 *out_bytes)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) changes = g_string_new (NULL);
  gsize budget = OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES / 2;
  guint part = 0;

  *out_bytes = 0;
  for (gint64 s = 0; s < N_SESSIONS; s++)
    for (gint64 i = 0; i < PER_SESSION; i += PART)
      {
        gint64 n = MIN (PART, PER_SESSION - i);
        g_autofree ObdSyncSample *wire = g_new (ObdSyncSample, n);
        g_autofree char *base64 = NULL;

        for (gint64 k = 0; k < n; k++)
          {
            ObdSample sample = make_sample (s * PER_SESSION + i + k);
            ObdSyncSample w = { sample.time_us, sample.value, sample.ecu, sample.service,
                                sample.pid, sample.index };
            wire[k] = w;
          }
        base64 = obd_sync_samples_encode (wire, n);
        g_string_append_printf (changes, "%s{\"seq\":%" G_GINT64_FORMAT ",\"entity\":\"samples\","
                                "\"entityId\":\"3f2c7a2e-8e0b-4b61-9a49-0b1f0f6c1d2e\","
                                "\"op\":\"insert\",\"changedAt\":0,\"part\":%u,\"data\":"
                                "{\"encoding\":\"obd2-samples-v1\",\"count\":%" G_GINT64_FORMAT
                                ",\"samples\":\"%s\"}}", changes->len > 0 ? "," : "", s + 2,
                                part++, n, base64);
        if (changes->len >= budget || (s == N_SESSIONS - 1 && i + PART >= PER_SESSION))
          {
            char *text = g_strdup_printf ("{\"type\":\"push\",\"payload\":{\"changes\":[%s]},"
                                          "\"timestamp\":\"2024-05-01T10:00:00.000Z\","
                                          "\"messageId\":\"%u\"}", changes->str,
                                          messages->len);
            *out_bytes += strlen (text);
            g_ptr_array_add (messages, text);
            g_string_truncate (changes, 0);
          }
      }
  return messages;
}

typedef struct
{
  SoupWebsocketConnection *conn;
  GPtrArray               *messages;
  guint                    sent;
  guint                    echoed;
  gboolean                 done;
} Echoing;

static void
pump (Echoing *e)
{
  while (e->sent < e->messages->len && e->sent - e->echoed < WINDOW)
    soup_websocket_connection_send_text (e->conn, g_ptr_array_index (e->messages, e->sent++));
}

static void
on_echoed_cb (SoupWebsocketConnection *conn,
              int                      type,
              GBytes                  *bytes,
              Echoing                 *e)
{
  if (++e->echoed == e->messages->len)
    e->done = TRUE;
  else
    pump (e);
}

typedef struct
{
  SoupWebsocketConnection *conn;
  gboolean                 done;
} Connecting;

static void
on_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Connecting *c = data;

  c->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  c->done = TRUE;
}

static double
run_reference (GPtrArray *messages)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  Connecting c = { 0 };
  Echoing e = { 0 };
  gint64 start;
  double seconds;

  /* permessage-deflate, as ours (libsoup 3.2's session needs the manager
   * added; its server offers deflate by itself). */
  soup_session_add_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  soup_server_add_websocket_handler (server, "/echo", NULL, NULL, on_echo_websocket_cb, keep,
                                     NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("ws://127.0.0.1:%u/echo", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  /* Timed like ours: from asking to connect to the last reply. */
  start = g_get_monotonic_time ();
  msg = soup_message_new (SOUP_METHOD_GET, url);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected_cb, &c);
  g_assert_true (iterate_until (&c.done, 30));
  g_assert_nonnull (c.conn);
  soup_websocket_connection_set_max_incoming_payload_size (c.conn, 0);
  e.conn = c.conn;
  e.messages = messages;
  g_signal_connect (c.conn, "message", G_CALLBACK (on_echoed_cb), &e);
  pump (&e);
  g_assert_true (iterate_until (&e.done, 600));
  seconds = (g_get_monotonic_time () - start) / 1e6;

  soup_websocket_connection_close (c.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&c.conn);
  soup_server_disconnect (server);
  return seconds;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *source = NULL;
  guint64 reference_bytes = 0;
  double best_ours = G_MAXDOUBLE, best_reference = G_MAXDOUBLE;
  OursRun ours = { 0 }, plain, compressed;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_setenv ("OBD2_NO_KEYRING", "1", TRUE);
  workdir = g_dir_make_tmp ("bench-sync-push-XXXXXX", &error);
  g_assert_no_error (error);

  g_print ("Preparing %d samples…\n", N_SAMPLES);
  source = make_store ();
  messages = make_messages (&reference_bytes);

  for (guint run = 0; run < RUNS; run++)
    {
      OursRun r = run_ours (source, run, FALSE, TRUE);
      double reference = run_reference (messages);

      g_print ("run %u: ours %.3f s (%" G_GUINT64_FORMAT " message bytes), echo %.3f s (%"
               G_GUINT64_FORMAT " bytes, %u messages)\n", run, r.seconds, r.message_bytes,
               reference, reference_bytes, messages->len);
      if (r.seconds < best_ours)
        {
          best_ours = r.seconds;
          ours = r;
        }
      best_reference = MIN (best_reference, reference);
    }

  compressed = run_ours (source, RUNS, TRUE, TRUE);
  plain = run_ours (source, RUNS + 1, TRUE, FALSE);
  g_print ("on the wire: %" G_GUINT64_FORMAT " bytes with permessage-deflate, %" G_GUINT64_FORMAT
           " without\n", compressed.wire_bytes, plain.wire_bytes);

  dir = g_dir_open (workdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (workdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (workdir);

  g_print ("{\"name\": \"bench-sync-push\", \"ratio\": %.3f, \"samples\": %d,"
           " \"ours_s\": %.3f, \"reference_s\": %.3f, \"ours_samples_per_s\": %.0f,"
           " \"reference_samples_per_s\": %.0f, \"ours_message_bytes\": %" G_GUINT64_FORMAT ","
           " \"reference_message_bytes\": %" G_GUINT64_FORMAT ", \"reference_messages\": %u,"
           " \"wire_bytes_deflate\": %" G_GUINT64_FORMAT ", \"wire_bytes_plain\": %"
           G_GUINT64_FORMAT ", \"deflate_saving\": %.3f}\n",
           best_reference / best_ours, N_SAMPLES, best_ours, best_reference,
           N_SAMPLES / best_ours, N_SAMPLES / best_reference, ours.message_bytes,
           reference_bytes, messages->len, compressed.wire_bytes, plain.wire_bytes,
           plain.wire_bytes > 0 ? 1.0 - (double) compressed.wire_bytes / plain.wire_bytes : 0.0);
  return 0;
}
