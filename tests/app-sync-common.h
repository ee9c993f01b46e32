/* app-sync-common.h — workshop PCs in one process, for the app's sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TestPc is what one installation of the app has: its own store (a
 * temporary folder), settings (a memory backend of its own, so two PCs in
 * one process do not share a role), session on the simulator, and sync
 * manager.  The server comes from sync-test-common.h.
 */
#pragma once

#include "obd-session.h"
#include "obd-sync-manager.h"
#include "sync-test-common.h"

G_BEGIN_DECLS

#define TEST_SIM "sim:healthy-idle?timing=0"

typedef struct
{
  char            *dir;
  char            *path;
  ObdStoreService *store;
  ObdSession      *session;
  ObdSyncManager  *sync;
  GSettings       *settings;
} TestPc;

/* Points the token file and the keyring lookups at a temporary folder;
 * call first in main (), before GLib reads the folders. */
void            test_pc_setup_environment (void);
void            test_pc_cleanup_environment (void);

TestPc         *test_pc_new          (const char *role);
void            test_pc_free         (TestPc     *pc);
/* Saves url and token and waits for the answer: TRUE signed in and
 * synced, FALSE with error. */
gboolean        test_pc_configure    (TestPc      *pc,
                                      const char  *url,
                                      const char  *token,
                                      GError     **error);
/* Retries after 50 ms, at most 200 ms apart: tests do not wait minutes. */
void            test_pc_fast_retry   (TestPc     *pc);
void            test_pc_connect_car  (TestPc     *pc,
                                      const char *connection);
/* Records until at least n_samples are in the store, and stops. */
void            test_pc_record       (TestPc     *pc,
                                      guint64     n_samples);
/* Waits for the manager's state. */
void            test_pc_wait_state   (TestPc      *pc,
                                      ObdSyncState state,
                                      double       seconds);

/* ws://127.0.0.1:PORT/sync */
char           *test_url_for_port    (guint16     port);
guint16         test_server_port     (SyncTestServer *server);

/* Asserts the condition comes true within seconds, naming what. */
void            test_wait            (gboolean  (*condition) (gpointer data),
                                      gpointer    data,
                                      double      seconds,
                                      const char *what);

G_END_DECLS
