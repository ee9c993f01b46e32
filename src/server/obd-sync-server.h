/* obd-sync-server.h — the WebSocket server of obd2-syncd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Serves the sync protocol (src/sync/PROTOCOL.md) on "/sync" and a health
 * check on "/healthz", over plain HTTP or TLS.  Runs on the thread-default
 * main context of its creator and never blocks it: storage is the
 * backend's business (obd-sync-backend.h).
 */
#pragma once

#include "obd-sync-backend.h"

G_BEGIN_DECLS

typedef struct
{
  gsize max_message_bytes;   /* larger frames get "too_large" */
  guint max_batch;           /* changes per push */
  guint rate;                /* messages per second per connection */
  guint burst;               /* messages a connection may send at once */
  guint idle_timeout_s;      /* silence before the server hangs up */
  guint heartbeat_s;         /* how often clients should ping */
} ObdSyncServerLimits;

/* The defaults of obd-sync-message.h. */
void obd_sync_server_limits_init_default (ObdSyncServerLimits *limits);

#define OBD_TYPE_SYNC_SERVER (obd_sync_server_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncServer, obd_sync_server, OBD, SYNC_SERVER, GObject)

/* limits may be NULL for the defaults. */
ObdSyncServer *obd_sync_server_new             (ObdSyncBackend             *backend,
                                                const ObdSyncServerLimits  *limits);
/* Before listening: serve TLS with this certificate and key (PEM). */
gboolean       obd_sync_server_set_tls_files   (ObdSyncServer              *self,
                                                const char                 *cert_file,
                                                const char                 *key_file,
                                                GError                    **error);
/* address: "HOST:PORT" with an IP address or "localhost"; port 0 picks a
 * free one. */
gboolean       obd_sync_server_listen          (ObdSyncServer              *self,
                                                const char                 *address,
                                                GError                    **error);
guint          obd_sync_server_get_port        (ObdSyncServer              *self);
/* "ws://127.0.0.1:PORT/sync" or "wss://…" once listening. */
char          *obd_sync_server_dup_url         (ObdSyncServer              *self);
guint          obd_sync_server_get_n_connections (ObdSyncServer            *self);
/* Closes every connection (going away) and stops listening. */
void           obd_sync_server_shutdown        (ObdSyncServer              *self);

G_END_DECLS
