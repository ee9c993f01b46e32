/* test-sync-tls.c — sync over TLS: the client checks the server's
 * certificate, always, and trusts a shop's own authority when given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Its own program: glib-networking's GnuTLS module leaves threads whose
 * dynamic TLS makes LeakSanitizer crash at exit ("Tracer caught signal
 * 11"), so tests/meson.build runs this one without the leak check; the
 * same client and server code is leak-checked by test-sync.
 */
#define G_LOG_DOMAIN "test-sync-tls"
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "obd-recorder.h"
#include "obd-store-sync.h"
#include "obd-sync-client.h"
#include "sync-test-common.h"

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

static GError *
sync_once (ObdSyncClient *client)
{
  Result r = { 0 };

  obd_sync_client_sync_async (client, NULL, on_synced_cb, &r);
  g_assert_true (sync_test_wait (&r.done, 30));
  return r.error;
}

static gint64
pending (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  gint64 n;

  g_assert_no_error (error);
  n = obd_store_sync_count_pending (store, &error);
  g_assert_no_error (error);
  return n;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
record (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  ObdSample s = { .time_us = G_GINT64_CONSTANT (1714557600000000), .service = 1, .pid = 0x0C,
                  .ecu = 0x7E8, .value = 812 };
  gint64 vehicle;

  g_assert_no_error (error);
  recorder = obd_recorder_new (store, &error);
  vehicle = obd_store_ensure_vehicle (store, "1HGCR2F30EA012345", NULL, NULL, 0, &error);
  obd_recorder_start_session (recorder, vehicle, "CAN", "ELM327", "sim", &error);
  g_assert_no_error (error);
  obd_recorder_push_samples (recorder, &s, 1);
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-sync-tls-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autofree char *store_path = g_build_filename (dir, "pc.db", NULL);
  g_autofree char *url = NULL;
  g_autofree char *org = NULL;
  g_autofree char *user = NULL;
  g_autofree char *token = NULL;
  ObdSyncBackend *backend;
  ObdSyncServer *server;
  ObdSyncClient *client;

  g_assert_no_error (error);
  backend = sync_test_backend_new (dir, &db);
  org = obd_sync_backend_create_organisation (backend, "Garage", &error);
  user = obd_sync_backend_create_user (backend, org, "Ann", OBD_SYNC_ROLE_MECHANIC, NULL, &error);
  token = obd_sync_backend_create_token (backend, user, &error);
  g_assert_no_error (error);

  server = obd_sync_server_new (backend, NULL);
  g_assert_false (obd_sync_server_set_tls_files (server, TEST_DATA_DIR "/sync/missing.crt",
                                                 TEST_DATA_DIR "/sync/test-server.key", &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (obd_sync_server_set_tls_files (server, TEST_DATA_DIR "/sync/test-server.crt",
                                                TEST_DATA_DIR "/sync/test-server.key", &error));
  g_assert_true (obd_sync_server_listen (server, "127.0.0.1:0", &error));
  url = obd_sync_server_dup_url (server);
  g_assert_true (g_str_has_prefix (url, "wss://"));
  record (store_path);

  /* A certificate nobody vouches for: refused, with what to do. */
  client = obd_sync_client_new (store_path);
  obd_sync_client_set_server_url (client, url);
  obd_sync_client_set_token (client, token);
  error = sync_once (client);
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "certificate"));
  g_assert_cmpint (pending (store_path), >, 0);
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  g_assert_true (sync_test_wait_for (is_null, &client, 10));
  g_clear_error (&error);

  /* The shop's authority given: it syncs. */
  client = obd_sync_client_new (store_path);
  obd_sync_client_set_server_url (client, url);
  obd_sync_client_set_token (client, token);
  g_assert_true (obd_sync_client_set_ca_file (client, TEST_DATA_DIR "/sync/test-ca.crt", &error));
  error = sync_once (client);
  g_assert_no_error (error);
  g_assert_cmpint (pending (store_path), ==, 0);
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  g_assert_true (sync_test_wait_for (is_null, &client, 10));

  obd_sync_server_shutdown (server);
  g_object_add_weak_pointer (G_OBJECT (server), (gpointer *) &server);
  g_object_add_weak_pointer (G_OBJECT (backend), (gpointer *) &backend);
  g_object_unref (server);
  g_object_unref (backend);
  g_assert_true (sync_test_wait_for (is_null, &server, 10));
  g_assert_true (sync_test_wait_for (is_null, &backend, 10));
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
  }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/tls/verify-certificates", test_tls);
  return g_test_run ();
}
