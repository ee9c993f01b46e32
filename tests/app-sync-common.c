/* app-sync-common.c — workshop PCs in one process, for the app's sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "app-sync-test"
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "app-sync-common.h"
#include "obd-sim-transport.h"

#define SCHEMA_ID "io.github.obd2diagnostics.Workshop"

static char *config_dir;

void
test_pc_setup_environment (void)
{
  g_autoptr(GError) error = NULL;

  config_dir = g_dir_make_tmp ("app-sync-config-XXXXXX", &error);
  g_assert_no_error (error);
  /* The token file, and never a person's keyring. */
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("OBD2_NO_KEYRING", "1", TRUE);
  g_unsetenv ("OBD2_TOKEN");
  obd_sim_register ();
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
test_pc_cleanup_environment (void)
{
  remove_tree (config_dir);
  g_clear_pointer (&config_dir, g_free);
}

void
test_wait (gboolean  (*condition) (gpointer data),
           gpointer    data,
           double      seconds,
           const char *what)
{
  if (!sync_test_wait_for (condition, data, seconds))
    g_error ("Timed out after %.0f s waiting for %s", seconds, what);
}

static gboolean
store_open_cb (gpointer data)
{
  TestPc *pc = data;

  return obd_store_service_get_state (pc->store) == OBD_STORE_SERVICE_OPEN
         && obd_sync_manager_get_client (pc->sync) != NULL;
}

TestPc *
test_pc_new (const char *role)
{
  TestPc *pc = g_new0 (TestPc, 1);
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GError) error = NULL;

  pc->dir = g_dir_make_tmp ("app-sync-pc-XXXXXX", &error);
  g_assert_no_error (error);
  pc->path = g_build_filename (pc->dir, "store.db", NULL);
  pc->settings = g_settings_new_with_backend (SCHEMA_ID, backend);
  g_settings_set_string (pc->settings, "role", role);
  g_settings_set_boolean (pc->settings, "first-run", FALSE);
  pc->store = obd_store_service_new (pc->path, OBD_STORE_OPEN_DEFAULT);
  pc->session = obd_session_new (pc->store);
  pc->sync = obd_sync_manager_new (pc->store, pc->settings);
  obd_sync_manager_set_session (pc->sync, pc->session);
  test_wait (store_open_cb, pc, 20, "the store to open");
  return pc;
}

static gboolean
pointer_gone_cb (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
wait_finalized (gpointer    object,
                const char *what)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  test_wait (pointer_gone_cb, &weak, 20, what);
}

void
test_pc_free (TestPc *pc)
{
  obd_session_disconnect (pc->session);
  obd_sync_manager_set_session (pc->sync, NULL);
  wait_finalized (pc->sync, "the sync manager to go");
  wait_finalized (pc->session, "the session to go");
  obd_store_service_close (pc->store);
  wait_finalized (pc->store, "the store to close");
  g_object_unref (pc->settings);
  remove_tree (pc->dir);
  g_free (pc->dir);
  g_free (pc->path);
  g_free (pc);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Done;

static void
on_configured_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Done *done = data;

  done->ok = obd_sync_manager_configure_finish (OBD_SYNC_MANAGER (source), result,
                                                &done->error);
  done->done = TRUE;
}

gboolean
test_pc_configure (TestPc      *pc,
                   const char  *url,
                   const char  *token,
                   GError     **error)
{
  Done done = { 0 };

  obd_sync_manager_configure_async (pc->sync, url, token, NULL, on_configured_cb, &done);
  if (!sync_test_wait (&done.done, 30))
    g_error ("Configuring the sync server did not answer");
  if (!done.ok)
    g_propagate_error (error, done.error);
  return done.ok;
}

void
test_pc_fast_retry (TestPc *pc)
{
  obd_sync_client_set_backoff (obd_sync_manager_get_client (pc->sync), 50, 200);
}

static gboolean
car_ready_cb (gpointer data)
{
  TestPc *pc = data;

  return obd_session_get_state (pc->session) == OBD_SESSION_STATE_CONNECTED
         && obd_session_get_vehicle_id (pc->session) > 0
         && obd_session_get_snapshot (pc->session) != NULL
         && obd_session_get_health (pc->session) != NULL;
}

void
test_pc_connect_car (TestPc     *pc,
                     const char *connection)
{
  obd_session_connect (pc->session, connection);
  test_wait (car_ready_cb, pc, 30, "the simulated car to answer");
}

typedef struct
{
  TestPc  *pc;
  guint64  n;
} Recorded;

static gboolean
recorded_cb (gpointer data)
{
  Recorded *r = data;

  return obd_session_get_recording (r->pc->session)
         && obd_session_get_recorded_samples (r->pc->session) >= r->n;
}

static gboolean
recording_stopped_cb (gpointer data)
{
  TestPc *pc = data;

  return !obd_session_get_recording (pc->session)
         && !obd_session_get_recording_busy (pc->session);
}

void
test_pc_record (TestPc  *pc,
                guint64  n_samples)
{
  Recorded r = { pc, n_samples };

  obd_session_start_recording_async (pc->session, NULL, NULL, NULL);
  test_wait (recorded_cb, &r, 30, "samples to be recorded");
  obd_session_stop_recording_async (pc->session, NULL, NULL, NULL);
  test_wait (recording_stopped_cb, pc, 30, "recording to stop");
}

typedef struct
{
  TestPc       *pc;
  ObdSyncState  state;
} StateWait;

static gboolean
state_is_cb (gpointer data)
{
  StateWait *w = data;

  return obd_sync_manager_get_state (w->pc->sync) == w->state;
}

void
test_pc_wait_state (TestPc       *pc,
                    ObdSyncState  state,
                    double        seconds)
{
  StateWait w = { pc, state };

  if (!sync_test_wait_for (state_is_cb, &w, seconds))
    g_error ("Timed out waiting for the sync state “%s”: it is “%s” (%s)",
             obd_sync_state_to_string (state),
             obd_sync_state_to_string (obd_sync_manager_get_state (pc->sync)),
             obd_sync_manager_get_last_error (pc->sync) != NULL
               ? obd_sync_manager_get_last_error (pc->sync) : "no error");
}

char *
test_url_for_port (guint16 port)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/sync", port);
}

guint16
test_server_port (SyncTestServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return (guint16) g_uri_get_port (uri);
}
