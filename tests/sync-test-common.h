/* sync-test-common.h — a sync server, accounts and a raw WebSocket client
 * for the sync tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "obd-sync-backend-pg.h"
#include "obd-sync-backend-sqlite.h"
#include "obd-sync-message.h"
#include "obd-sync-server.h"

G_BEGIN_DECLS

/* Backends ------------------------------------------------------------------
 *
 * The sync suite runs every test twice: on SQLite, and with
 * OBD2_TEST_BACKEND=postgres on PostgreSQL, inside a throwaway cluster
 * that build-aux/pg-test-cluster run made for the test program
 * (OBD2_PG_CONNINFO); each test gets a database of its own. */

gboolean        sync_test_backend_is_pg  (void);
/* "sqlite" or "postgres", for messages. */
const char     *sync_test_backend_name   (void);
/* A fresh database of the test cluster; returns its conninfo. */
char           *sync_test_pg_database    (void);
/* Runs build-aux/pg-test-cluster ACTION on the test cluster (stop, start,
 * crash). */
void            sync_test_pg_cluster     (const char     *action);
/* A backend with a fresh database: a file in dir, or a new PostgreSQL
 * database.  *out_location: the file's path or the conninfo, what
 * obd2-syncd takes after --db or --postgres (see
 * sync_test_backend_option ()). */
ObdSyncBackend *sync_test_backend_new    (const char     *dir,
                                          char          **out_location);
/* "--db" or "--postgres". */
const char     *sync_test_backend_option (void);
/* One integer from a server database (its first row and column; -1 when
 * there is none; NULL counts as 0). */
gint64          sync_test_query_int      (const char     *location,
                                          const char     *sql);

/* Starts argv0 and the arguments after it, NULL-terminated, like
 * g_subprocess_new (), but the child dies with the test: a test that fails
 * must not leave servers or clients behind holding its output open (meson
 * would wait for them to its timeout). */
GSubprocess    *sync_test_spawn          (GSubprocessFlags  flags,
                                          GError          **error,
                                          const char       *argv0,
                                          ...) G_GNUC_NULL_TERMINATED;

/* Iterates the thread-default context until *flag is TRUE or seconds
 * pass; returns *flag. */
gboolean     sync_test_wait          (const gboolean *flag,
                                      double          seconds);
/* Same for a condition function. */
gboolean     sync_test_wait_for      (gboolean      (*condition) (gpointer data),
                                      gpointer        data,
                                      double          seconds);

typedef struct
{
  char           *dir;
  char           *location;     /* the SQLite file or the PostgreSQL conninfo */
  ObdSyncBackend *backend;
  ObdSyncServer  *server;
  char           *url;
  /* Two organisations; tokens by role. */
  char           *org_a;
  char           *org_b;
  char           *mechanic_a;   /* tokens */
  char           *mechanic_a2;
  char           *fleet_a;
  char           *admin_a;
  char           *mechanic_b;
  char           *owner_a_user; /* the owner's user id; token made once the vehicle exists */
} SyncTestServer;

/* limits may be NULL. */
SyncTestServer *sync_test_server_new   (const ObdSyncServerLimits *limits);
void            sync_test_server_free  (SyncTestServer            *server);
/* A token for a new owner of vehicle_id in organisation A. */
char           *sync_test_owner_token  (SyncTestServer            *server,
                                        const char                *vehicle_id);
/* One integer from the server's database (its own connection). */
gint64          sync_test_server_int   (SyncTestServer            *server,
                                        const char                *sql);

/* A WebSocket client that speaks raw JSON. */
typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *conn;
  GQueue                   received;   /* ObdSyncMessage * */
  gboolean                 closed;
  char                    *device_id;
  gint64                   seq;        /* last change sequence the test used */
} SyncTestPeer;

/* Connects and waits for the welcome (kept in received). */
SyncTestPeer   *sync_test_peer_new       (const char    *url);
void            sync_test_peer_free      (SyncTestPeer  *peer);
/* Authenticates with token; returns the reply (authentication_success or
 * error). */
ObdSyncMessage *sync_test_peer_auth      (SyncTestPeer  *peer,
                                          const char    *token);
/* Sends raw text. */
void            sync_test_peer_send_text (SyncTestPeer  *peer,
                                          const char    *text);
/* Sends type + payload (consumed); returns its messageId. */
char           *sync_test_peer_send      (SyncTestPeer       *peer,
                                          ObdSyncMessageType  type,
                                          JsonObject         *payload);
/* The next message whose payload's inReplyTo is id (others are kept);
 * NULL after seconds. */
ObdSyncMessage *sync_test_peer_reply     (SyncTestPeer  *peer,
                                          const char    *id,
                                          double         seconds);
/* The next message of type (others are kept); NULL after seconds. */
ObdSyncMessage *sync_test_peer_next      (SyncTestPeer       *peer,
                                          ObdSyncMessageType  type,
                                          double              seconds);
/* Sends and waits for the reply. */
ObdSyncMessage *sync_test_peer_call      (SyncTestPeer       *peer,
                                          ObdSyncMessageType  type,
                                          JsonObject         *payload);
/* TRUE when a ping still gets its pong. */
gboolean        sync_test_peer_alive     (SyncTestPeer  *peer);

/* A TCP relay on 127.0.0.1 to a port: counts the bytes that cross it,
 * and can go silent (blackhole) like a link that drops without telling
 * anyone. */
typedef struct
{
  GSocketService *service;
  guint16         port;
  guint16         target;
  gboolean        blackhole;
  guint64         bytes;
  GCancellable   *cancellable;
} SyncTestRelay;

SyncTestRelay  *sync_test_relay_new      (guint16        target);
void            sync_test_relay_free     (SyncTestRelay *relay);

/* JSON from text, for payloads written inline in tests. */
JsonObject     *sync_test_object         (const char    *json);

/* The error code name of an error message, or NULL when it is not one. */
const char     *sync_test_error_code     (const ObdSyncMessage *message);

G_END_DECLS
