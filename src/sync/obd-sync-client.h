/* obd-sync-client.h — syncs the local store with the shop's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ObdSyncClient belongs to the thread that created it and works on
 * that thread's default main context: every property change, signal and
 * async callback arrives there.  It never blocks that thread: the network
 * is libsoup's asynchronous WebSocket, and the store is read and written
 * by a thread of the client's own that opens its own connection to the
 * store file.
 *
 * A sync cycle authenticates, pushes the outbox (sessions with their
 * samples, then everything else, in outbox order) in batches and pulls
 * the changes other PCs made since the cursor.  obd_sync_client_start ()
 * stays connected: it syncs whenever the outbox changes, pings the server
 * to notice a dead connection, and reconnects with exponential backoff
 * and jitter.  The UI binds to "state", "pending-count" and "last-error";
 * live events arrive through "event"; "store-changed" and "conflict" say
 * what the client wrote to the store on its own connection.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "obd-sync-message.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_SYNC_STATE_DISABLED = 0,  /* no server set */
  OBD_SYNC_STATE_OFFLINE,       /* not connected; retries later when started */
  OBD_SYNC_STATE_CONNECTING,
  OBD_SYNC_STATE_SYNCING,       /* connected, pushing or pulling */
  OBD_SYNC_STATE_SYNCED,        /* connected, nothing left to send */
  OBD_SYNC_STATE_ERROR,         /* needs a person: see "last-error" */
} ObdSyncState;

GType       obd_sync_state_get_type  (void);
#define OBD_TYPE_SYNC_STATE (obd_sync_state_get_type ())
const char *obd_sync_state_to_string (ObdSyncState state);

#define OBD_TYPE_SYNC_CLIENT (obd_sync_client_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncClient, obd_sync_client, OBD, SYNC_CLIENT, GObject)

/* store_path: the local store file (it must exist and be current: the
 * app or obd2 opened it once). */
ObdSyncClient *obd_sync_client_new              (const char     *store_path);

/* url: one server, or several separated by commas (instances of one
 * server on one database): the client starts at one of them and, when a
 * connection is lost or refused, goes on with the next at once, backing
 * off only once every one of them failed. */
void           obd_sync_client_set_server_url   (ObdSyncClient  *self,
                                                 const char     *url);
const char    *obd_sync_client_get_server_url   (ObdSyncClient  *self);
/* The address of the list in use, or tried next. */
const char    *obd_sync_client_get_current_url  (ObdSyncClient  *self);
void           obd_sync_client_set_token        (ObdSyncClient  *self,
                                                 const char     *token);
/* Trust the certificate authorities in this file (PEM) instead of the
 * system's, e.g. a shop's own; server certificates are always verified. */
gboolean       obd_sync_client_set_ca_file      (ObdSyncClient  *self,
                                                 const char     *ca_file,
                                                 GError        **error);
void           obd_sync_client_set_device_name  (ObdSyncClient  *self,
                                                 const char     *name);
/* First reconnect delay; doubles per failure up to a minute, with
 * jitter. */
void           obd_sync_client_set_backoff      (ObdSyncClient  *self,
                                                 guint           first_ms,
                                                 guint           max_ms);
/* Turn permessage-deflate off (it is on by default). */
void           obd_sync_client_set_compression  (ObdSyncClient  *self,
                                                 gboolean        enabled);

ObdSyncState   obd_sync_client_get_state         (ObdSyncClient  *self);
gint64         obd_sync_client_get_pending_count (ObdSyncClient  *self);
const char    *obd_sync_client_get_last_error    (ObdSyncClient  *self);
gint64         obd_sync_client_get_last_sync     (ObdSyncClient  *self);
const char    *obd_sync_client_get_device_id     (ObdSyncClient  *self);
/* Once authenticated: the role ("mechanic", …), the organisation, and
 * the names the server gave the user and the organisation (NULL when it
 * gave none).  Properties "role", "user-name", "organisation-name". */
const char    *obd_sync_client_get_role          (ObdSyncClient  *self);
const char    *obd_sync_client_get_organisation_id (ObdSyncClient *self);
const char    *obd_sync_client_get_user_id       (ObdSyncClient  *self);
const char    *obd_sync_client_get_user_name     (ObdSyncClient  *self);
const char    *obd_sync_client_get_organisation_name (ObdSyncClient *self);
/* Messages a second the server allows this connection (its welcome's
 * ratePerSecond; the default until one came): live senders pace
 * themselves well below it. */
double         obd_sync_client_get_rate_limit    (ObdSyncClient  *self);

/* Counters of the last cycle, for "obd2 sync". */
typedef struct
{
  guint64 changes_pushed;   /* outbox entries the server acknowledged */
  guint64 samples_pushed;
  guint64 changes_pulled;   /* changes applied to the store */
  guint64 conflicts;
  guint64 messages_sent;
  guint64 bytes_sent;       /* message text before compression */
} ObdSyncStats;

void           obd_sync_client_get_stats         (ObdSyncClient  *self,
                                                  ObdSyncStats   *out_stats);

/* One cycle (connect if needed, push, pull).  Fails with the reason;
 * connects once, without retrying. */
void           obd_sync_client_sync_async        (ObdSyncClient        *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       obd_sync_client_sync_finish       (ObdSyncClient        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Stays connected until stop: syncs, reconnects, heartbeats. */
void           obd_sync_client_start             (ObdSyncClient  *self);
void           obd_sync_client_stop              (ObdSyncClient  *self);
/* Something was written to the store: push soon. */
void           obd_sync_client_notify_changed    (ObdSyncClient  *self);

/* Live.  A started client follows what its role needs by itself (a
 * fleet manager or admin the organisation's fleet, an owner the car).
 * Channels subscribed here are remembered and followed again after each
 * reconnect; the calls return FALSE when not connected right now (the
 * channels then follow on the next connection).  Events are sent only
 * while connected: live data is not queued. */
gboolean       obd_sync_client_subscribe         (ObdSyncClient       *self,
                                                  const char * const  *channels);
gboolean       obd_sync_client_unsubscribe       (ObdSyncClient       *self,
                                                  const char * const  *channels);
/* type: vehicle_status, dtc_detected, maintenance_alert, notification,
 * guide_progress, room_note; payload is consumed. */
gboolean       obd_sync_client_send_event        (ObdSyncClient       *self,
                                                  ObdSyncMessageType   type,
                                                  JsonObject          *payload);

/* Remote-expert rooms.  create: the reply's payload (roomId, code,
 * expiresAt); join: (roomId, vehicleId). */
void           obd_sync_client_room_create_async (ObdSyncClient        *self,
                                                  const char           *vehicle_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
void           obd_sync_client_room_join_async   (ObdSyncClient        *self,
                                                  const char           *code,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
void           obd_sync_client_room_close_async  (ObdSyncClient        *self,
                                                  const char           *room_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
JsonObject    *obd_sync_client_request_finish    (ObdSyncClient        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* An expert leaves a room it joined (the host closes it instead); no
 * reply comes, the members get "presence".  FALSE when not connected. */
gboolean       obd_sync_client_room_leave        (ObdSyncClient        *self,
                                                  const char           *room_id);

/* Signals besides "event":
 *   ::store-changed (const char *entity)  pulled changes or a settled
 *        conflict were written to the store, rows of that entity
 *        ("vehicle", "maintenance_item", …): views of them reload.
 *   ::conflict (const char *entity, const char *entity_id,
 *        gboolean local_won)  an edit of this PC met another PC's; both
 *        versions are in the store's conflict history. */

G_END_DECLS
