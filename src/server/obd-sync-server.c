/* obd-sync-server.c — the WebSocket server of obd2-syncd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each connection is a Peer.  Frames are checked in this order: text
 * frame, rate limit, size and parse (obd_sync_message_parse), then
 * authentication, then the sender's organisation and role for what the
 * message asks.  A refused message gets an "error" naming the message and
 * leaves the connection as it was; only a failed authentication, a
 * protocol version this server does not speak, a long flood and silence
 * beyond the idle timeout end a connection.
 *
 * Live events go out through the backend (obd_sync_backend_publish) and
 * come back as its "message" signal, so that with a shared backend every
 * server instance delivers to its own connections.
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "obd-sync-message.h"
#include "obd-sync-rules.h"
#include "obd-sync-server.h"

/* A flood this long (in refused messages) ends the connection. */
#define MAX_DROPS_BEFORE_CLOSE 1000
/* libsoup itself closes (1009) beyond this many times our own limit. */
#define HARD_LIMIT_FACTOR 4

typedef struct _Peer Peer;

typedef struct
{
  char      *id;
  char      *vehicle_id;
  char      *organisation_id;
  Peer      *host;        /* NULL when the host is gone */
  GPtrArray *members;     /* Peer *, host included */
  gint64     presence_version;  /* of the newest presence delivered */
} Room;

struct _Peer
{
  gatomicrefcount           ref;
  ObdSyncServer            *server;    /* unowned; the server outlives its peers */
  SoupWebsocketConnection  *conn;
  char                     *remote;
  char                     *member_id;  /* names this connection in rooms, on any instance */
  ObdSyncPrincipal         *principal;
  char                     *device_id;
  gboolean                  authenticating;
  gboolean                  closed;
  GHashTable               *channels;  /* channel → itself */
  GHashTable               *vehicles;  /* vehicle id as sent → the server's id */
  double                    tokens;
  gint64                    refilled_us;
  guint                     drops;
  gint64                    last_drop_error_us;
  gint64                    last_message_us;
  guint64                   delivered_gen;
};

struct _ObdSyncServer
{
  GObject              parent_instance;

  SoupServer          *soup;
  ObdSyncBackend      *backend;
  ObdSyncServerLimits  limits;
  gboolean             tls;
  GHashTable          *peers;       /* Peer * set */
  GHashTable          *channels;    /* channel → GPtrArray of Peer * */
  GHashTable          *rooms;       /* room id → Room * */
  guint64              delivery_gen;
  guint                idle_source;
  gulong               message_handler;
};

G_DEFINE_FINAL_TYPE (ObdSyncServer, obd_sync_server, G_TYPE_OBJECT)

void
obd_sync_server_limits_init_default (ObdSyncServerLimits *limits)
{
  limits->max_message_bytes = OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES;
  limits->max_batch = OBD_SYNC_DEFAULT_MAX_BATCH;
  limits->rate = OBD_SYNC_DEFAULT_RATE;
  limits->burst = OBD_SYNC_DEFAULT_BURST;
  limits->idle_timeout_s = OBD_SYNC_DEFAULT_IDLE_TIMEOUT_S;
  limits->heartbeat_s = OBD_SYNC_DEFAULT_HEARTBEAT_S;
}

/* Peers -------------------------------------------------------------------- */

static Peer *
peer_ref (Peer *peer)
{
  g_atomic_ref_count_inc (&peer->ref);
  return peer;
}

static void
peer_unref (Peer *peer)
{
  if (!g_atomic_ref_count_dec (&peer->ref))
    return;
  g_clear_object (&peer->conn);
  g_free (peer->remote);
  g_free (peer->member_id);
  obd_sync_principal_free (peer->principal);
  g_free (peer->device_id);
  g_clear_pointer (&peer->channels, g_hash_table_unref);
  g_clear_pointer (&peer->vehicles, g_hash_table_unref);
  g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_unref)

static void
send_message (Peer           *peer,
              ObdSyncMessage *message)
{
  g_autofree char *text = NULL;

  if (peer->closed
      || soup_websocket_connection_get_state (peer->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  text = obd_sync_message_to_string (message, NULL);
  soup_websocket_connection_send_text (peer->conn, text);
}

static void
send_text (Peer       *peer,
           const char *text)
{
  if (!peer->closed
      && soup_websocket_connection_get_state (peer->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (peer->conn, text);
}

static void
send_error (Peer             *peer,
            ObdSyncErrorCode  code,
            const char       *text,
            const char       *in_reply_to,
            gboolean          fatal)
{
  g_autoptr(ObdSyncMessage) message = obd_sync_message_new_error (code, text, in_reply_to,
                                                                  fatal);

  send_message (peer, message);
  if (fatal && !peer->closed
      && soup_websocket_connection_get_state (peer->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                     obd_sync_error_code_to_string (code));
}

/* Storage that is busy or restarting: how long a client waits before
 * it tries again. */
#define UNAVAILABLE_RETRY_MS 1000

static void
send_gerror (Peer         *peer,
             const GError *error,
             const char   *in_reply_to)
{
  ObdSyncErrorCode code = error->domain == OBD_SYNC_ERROR ? (ObdSyncErrorCode) error->code
                                                          : OBD_SYNC_ERROR_FAILED;
  g_autoptr(ObdSyncMessage) message = obd_sync_message_new_error (code, error->message,
                                                                  in_reply_to, FALSE);

  if (code == OBD_SYNC_ERROR_UNAVAILABLE)
    json_object_set_int_member (message->payload, "retryAfterMs", UNAVAILABLE_RETRY_MS);
  send_message (peer, message);
}

static void
reply (Peer               *peer,
       ObdSyncMessageType  type,
       JsonObject         *payload,
       const char         *in_reply_to)
{
  g_autoptr(ObdSyncMessage) message = NULL;

  if (in_reply_to != NULL)
    json_object_set_string_member (payload, "inReplyTo", in_reply_to);
  message = obd_sync_message_new (type, payload);
  send_message (peer, message);
}

/* Channels ----------------------------------------------------------------- */

static void
channel_add (ObdSyncServer *self,
             Peer          *peer,
             const char    *channel)
{
  GPtrArray *peers;

  if (g_hash_table_contains (peer->channels, channel))
    return;
  /* Every channel a peer may follow is of its own organisation. */
  obd_sync_backend_watch (self->backend, peer->principal->organisation_id);
  g_hash_table_add (peer->channels, g_strdup (channel));
  peers = g_hash_table_lookup (self->channels, channel);
  if (peers == NULL)
    {
      peers = g_ptr_array_new ();
      g_hash_table_insert (self->channels, g_strdup (channel), peers);
    }
  g_ptr_array_add (peers, peer);
}

static void
channel_remove (ObdSyncServer *self,
                Peer          *peer,
                const char    *channel)
{
  GPtrArray *peers = g_hash_table_lookup (self->channels, channel);

  if (peers != NULL)
    {
      g_ptr_array_remove_fast (peers, peer);
      if (peers->len == 0)
        g_hash_table_remove (self->channels, channel);
    }
  if (g_hash_table_remove (peer->channels, channel))
    obd_sync_backend_unwatch (self->backend, peer->principal->organisation_id);
}

static JsonArray *
channel_list (Peer *peer)
{
  JsonArray *array = json_array_new ();
  g_autoptr(GList) keys = g_hash_table_get_keys (peer->channels);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    json_array_add_string_element (array, l->data);
  return array;
}

/* Delivery: once per peer and event however many ways it qualifies. */
static void
deliver (ObdSyncServer *self,
         Peer          *peer,
         const char    *text)
{
  if (peer->delivered_gen == self->delivery_gen)
    return;
  peer->delivered_gen = self->delivery_gen;
  send_text (peer, text);
}

static void
deliver_channel (ObdSyncServer *self,
                 const char    *prefix,
                 const char    *id,
                 const char    *text)
{
  g_autofree char *channel = g_strconcat (prefix, id, NULL);
  GPtrArray *peers = g_hash_table_lookup (self->channels, channel);

  for (guint i = 0; peers != NULL && i < peers->len; i++)
    deliver (self, g_ptr_array_index (peers, i), text);
}

static void
deliver_room (ObdSyncServer *self,
              Room          *room,
              const char    *text)
{
  for (guint i = 0; i < room->members->len; i++)
    deliver (self, g_ptr_array_index (room->members, i), text);
}

static void forget_room (ObdSyncServer *self,
                         Room          *room);

/* A room's event, to its members here.  A presence list older than one
 * they already have is dropped: a change published on another instance
 * can arrive after a newer one made here.  A closing event makes this
 * instance forget the room once its members have heard. */
static void
on_room_event (ObdSyncServer *self,
               Room          *room,
               const char    *text)
{
  g_autoptr(ObdSyncMessage) message = obd_sync_message_parse (text, strlen (text), 0,
                                                              OBD_SYNC_FROM_SERVER, NULL, NULL);

  if (message != NULL && message->type == OBD_SYNC_MSG_PRESENCE)
    {
      gint64 version = obd_sync_payload_get_int (message->payload, "version", 0);

      /* 0: from a server that did not number them yet. */
      if (version > 0 && version <= room->presence_version)
        {
          g_debug ("Room %s: presence %" G_GINT64_FORMAT " is older than %" G_GINT64_FORMAT
                   ", dropped", room->id, version, room->presence_version);
          return;
        }
      room->presence_version = MAX (room->presence_version, version);
    }
  deliver_room (self, room, text);
  if (message != NULL && message->type == OBD_SYNC_MSG_ROOM_CLOSED)
    forget_room (self, room);
}

static void
on_backend_message_cb (ObdSyncBackend *backend,
                       const char     *organisation_id,
                       const char     *vehicle_id,
                       const char     *room_id,
                       const char     *text,
                       ObdSyncServer  *self)
{
  self->delivery_gen++;
  /* A room's own events (notes, presence, closing) go to its members
   * only; the organisation names the channel they travel on. */
  if (room_id != NULL)
    {
      Room *room = g_hash_table_lookup (self->rooms, room_id);

      if (room != NULL)
        on_room_event (self, room, text);
      return;
    }
  if (vehicle_id != NULL)
    {
      GHashTableIter iter;
      Room *room;

      deliver_channel (self, "vehicle:", vehicle_id, text);
      /* An expert in a room sees the room's vehicle live. */
      g_hash_table_iter_init (&iter, self->rooms);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
        if (g_strcmp0 (room->vehicle_id, vehicle_id) == 0)
          deliver_room (self, room, text);
    }
  if (organisation_id != NULL)
    deliver_channel (self, "fleet:", organisation_id, text);
}

/* Rooms -------------------------------------------------------------------- */

static void
room_free (Room *room)
{
  g_free (room->id);
  g_free (room->vehicle_id);
  g_free (room->organisation_id);
  g_ptr_array_unref (room->members);
  g_free (room);
}

static JsonObject *
from_object (Peer *peer)
{
  JsonObject *from = json_object_new ();

  json_object_set_string_member (from, "userId", peer->principal->user_id);
  json_object_set_string_member (from, "userName", peer->principal->user_name);
  json_object_set_string_member (from, "role", obd_sync_role_to_string (peer->principal->role));
  if (peer->device_id != NULL)
    json_object_set_string_member (from, "deviceId", peer->device_id);
  return from;
}

static void
publish (ObdSyncServer      *self,
         ObdSyncMessageType  type,
         JsonObject         *payload,
         const char         *organisation_id,
         const char         *vehicle_id,
         const char         *room_id)
{
  g_autoptr(ObdSyncMessage) message = obd_sync_message_new (type, payload);
  g_autofree char *text = obd_sync_message_to_string (message, NULL);

  obd_sync_backend_publish (self->backend, organisation_id, vehicle_id, room_id, text);
}

/* The presence list comes from the backend, which knows the members on
 * every instance. */
static void
publish_presence (ObdSyncServer     *self,
                  const char        *organisation_id,
                  const ObdSyncRoom *room)
{
  g_autofree char *text = obd_sync_room_presence_text (room);

  obd_sync_backend_publish (self->backend, organisation_id, NULL, room->room_id, text);
}

static void
publish_room_closed (ObdSyncServer *self,
                     Room          *room,
                     const char    *reason)
{
  g_autofree char *text = obd_sync_room_closed_text (room->id, reason);

  obd_sync_backend_publish (self->backend, room->organisation_id, NULL, room->id, text);
}

/* A room this instance has a member of: its organisation's events must
 * reach this instance. */
static Room *
ensure_room (ObdSyncServer     *self,
             const ObdSyncRoom *r)
{
  Room *room = g_hash_table_lookup (self->rooms, r->room_id);

  if (room != NULL)
    return room;
  room = g_new0 (Room, 1);
  room->id = g_strdup (r->room_id);
  room->vehicle_id = g_strdup (r->vehicle_id);
  room->organisation_id = g_strdup (r->organisation_id);
  room->members = g_ptr_array_new ();
  g_hash_table_insert (self->rooms, room->id, room);
  if (room->organisation_id != NULL)
    obd_sync_backend_watch (self->backend, room->organisation_id);
  return room;
}

static void
forget_room (ObdSyncServer *self,
             Room          *room)
{
  if (room->organisation_id != NULL)
    obd_sync_backend_unwatch (self->backend, room->organisation_id);
  g_hash_table_remove (self->rooms, room->id);
}

typedef struct
{
  ObdSyncServer *server;
  char          *room_id;
  char          *organisation_id;
} RoomChange;

static void
on_member_left_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  RoomChange *change = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncRoom) left = obd_sync_backend_room_finish (OBD_SYNC_BACKEND (source), result,
                                                              &error);

  if (left != NULL && left->members != NULL)
    publish_presence (change->server, change->organisation_id, left);
  else if (error != NULL)
    g_debug ("Leaving room %s: %s", change->room_id, error->message);
  g_object_unref (change->server);
  g_free (change->room_id);
  g_free (change->organisation_id);
  g_free (change);
}

/* A member (not the host) leaves: at once here, then in the backend,
 * which answers with who is left for everyone's presence. */
static void
leave_room (ObdSyncServer *self,
            Room          *room,
            Peer          *peer)
{
  RoomChange *change = g_new0 (RoomChange, 1);

  change->server = g_object_ref (self);
  change->room_id = g_strdup (room->id);
  change->organisation_id = g_strdup (room->organisation_id);
  g_ptr_array_remove (room->members, peer);
  obd_sync_backend_room_leave_async (self->backend, room->id, peer->member_id, NULL,
                                     on_member_left_cb, change);
  if (room->members->len == 0)
    forget_room (self, room);
}

static Room *
room_of_member (ObdSyncServer *self,
                Peer          *peer,
                const char    *room_id)
{
  Room *room = g_hash_table_lookup (self->rooms, room_id);

  if (room == NULL || !g_ptr_array_find (room->members, peer, NULL))
    return NULL;
  return room;
}

/* Timers ------------------------------------------------------------------- */

static gboolean
check_idle_cb (gpointer data)
{
  ObdSyncServer *self = data;
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_unref);
  gint64 now = g_get_monotonic_time ();
  gint64 limit = (gint64) self->limits.idle_timeout_s * G_USEC_PER_SEC;
  GHashTableIter iter;
  Peer *peer;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    if (!peer->closed && now - peer->last_message_us > limit)
      g_ptr_array_add (idle, peer_ref (peer));

  for (guint i = 0; i < idle->len; i++)
    {
      g_autofree char *text =
        g_strdup_printf (_("Nothing was heard from this connection for %u seconds; the server "
                           "closed it. Clients send “ping” every %u seconds to stay "
                           "connected."), self->limits.idle_timeout_s,
                         self->limits.heartbeat_s);

      send_error (g_ptr_array_index (idle, i), OBD_SYNC_ERROR_IDLE_TIMEOUT, text, NULL, TRUE);
    }
  return G_SOURCE_CONTINUE;
}

/* Rate limit: a token bucket per connection. */
static gboolean
take_token (ObdSyncServer *self,
            Peer          *peer)
{
  gint64 now = g_get_monotonic_time ();

  peer->tokens = MIN ((double) self->limits.burst,
                      peer->tokens + (now - peer->refilled_us) * self->limits.rate / 1e6);
  peer->refilled_us = now;
  if (peer->tokens >= 1.0)
    {
      peer->tokens -= 1.0;
      peer->drops = 0;
      return TRUE;
    }

  peer->drops++;
  if (peer->drops > MAX_DROPS_BEFORE_CLOSE)
    {
      send_error (peer, OBD_SYNC_ERROR_RATE_LIMITED,
                  _("Too many messages for too long; the server closed the connection."),
                  NULL, TRUE);
      return FALSE;
    }
  /* One error a second is enough to tell a flooding client. */
  if (now - peer->last_drop_error_us >= G_USEC_PER_SEC)
    {
      g_autofree char *text =
        g_strdup_printf (_("More than %u messages a second; messages are being dropped. Slow "
                           "down."), self->limits.rate);
      g_autoptr(ObdSyncMessage) message =
        obd_sync_message_new_error (OBD_SYNC_ERROR_RATE_LIMITED, text, NULL, FALSE);

      json_object_set_int_member (message->payload, "retryAfterMs",
                                  (gint64) (1000.0 / MAX (self->limits.rate, 1)) + 1);
      send_message (peer, message);
      peer->last_drop_error_us = now;
    }
  return FALSE;
}

/* Handlers ------------------------------------------------------------------ */

typedef struct
{
  Peer           *peer;
  ObdSyncMessage *message;
  guint           pending;
  GError         *error;
  GPtrArray      *channels;
} Call;

static Call *
call_new (Peer           *peer,
          ObdSyncMessage *message)
{
  Call *call = g_new0 (Call, 1);

  call->peer = peer_ref (peer);
  call->message = message;
  return call;
}

static void
call_free (Call *call)
{
  peer_unref (call->peer);
  obd_sync_message_free (call->message);
  g_clear_error (&call->error);
  g_clear_pointer (&call->channels, g_ptr_array_unref);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static const char *
message_id (Call *call)
{
  return call->message->message_id;
}

static JsonObject *
chain_object (gint64      seq,
              const char *hash)
{
  JsonObject *chain = json_object_new ();

  json_object_set_int_member (chain, "seq", seq);
  json_object_set_string_member (chain, "hash", hash);
  return chain;
}

static void
on_authenticated_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncSession) session = NULL;
  Peer *peer = call->peer;
  JsonObject *payload;
  ObdSyncPrincipal *p;

  session = obd_sync_backend_authenticate_finish (OBD_SYNC_BACKEND (source), result, &error);
  peer->authenticating = FALSE;
  if (peer->closed)
    return;
  if (session == NULL)
    {
      gboolean fatal = g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_AUTH_FAILED)
                       || g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN);

      send_error (peer, error->domain == OBD_SYNC_ERROR ? error->code : OBD_SYNC_ERROR_FAILED,
                  error->message, message_id (call), fatal);
      return;
    }

  p = peer->principal = g_steal_pointer (&session->principal);
  peer->device_id = g_strdup (obd_sync_payload_get_string (call->message->payload, "deviceId"));
  g_debug ("%s: %s (%s) of %s on device %s", peer->remote, p->user_name,
           obd_sync_role_to_string (p->role), p->organisation_id, peer->device_id);

  payload = json_object_new ();
  json_object_set_string_member (payload, "userId", p->user_id);
  json_object_set_string_member (payload, "userName", p->user_name);
  json_object_set_string_member (payload, "organisationId", p->organisation_id);
  if (p->organisation_name != NULL)
    json_object_set_string_member (payload, "organisationName", p->organisation_name);
  json_object_set_string_member (payload, "role", obd_sync_role_to_string (p->role));
  json_object_set_string_member (payload, "deviceId", peer->device_id);
  if (p->vehicle_id != NULL)
    json_object_set_string_member (payload, "vehicleId", p->vehicle_id);
  json_object_set_int_member (payload, "pushedSeq", session->pushed_seq);
  if (session->chain_seq > 0)
    json_object_set_object_member (payload, "chain",
                                   chain_object (session->chain_seq, session->chain_hash));
  else
    json_object_set_null_member (payload, "chain");
  reply (peer, OBD_SYNC_MSG_AUTHENTICATION_SUCCESS, payload, message_id (call));
}

static void
handle_authenticate (ObdSyncServer *self,
                     Call          *call)
{
  Peer *peer = call->peer;
  JsonObject *payload = call->message->payload;
  gint64 version = json_object_get_int_member (payload, "protocolVersion");

  if (peer->principal != NULL || peer->authenticating)
    {
      send_error (peer, OBD_SYNC_ERROR_ALREADY_AUTHENTICATED,
                  _("This connection is already authenticated."), message_id (call), FALSE);
      call_free (call);
      return;
    }
  if (version < OBD_SYNC_MIN_PROTOCOL_VERSION || version > OBD_SYNC_PROTOCOL_VERSION)
    {
      g_autofree char *text =
        version < OBD_SYNC_MIN_PROTOCOL_VERSION
        ? g_strdup_printf (_("This client speaks sync protocol version %" PRId64 "; the "
                             "server speaks versions %d to %d. Update the application."),
                           version, OBD_SYNC_MIN_PROTOCOL_VERSION, OBD_SYNC_PROTOCOL_VERSION)
        : g_strdup_printf (_("This client speaks sync protocol version %" PRId64 "; the "
                             "server speaks versions %d to %d. Update the server."),
                           version, OBD_SYNC_MIN_PROTOCOL_VERSION, OBD_SYNC_PROTOCOL_VERSION);

      send_error (peer, OBD_SYNC_ERROR_PROTOCOL_VERSION, text, message_id (call), TRUE);
      call_free (call);
      return;
    }

  peer->authenticating = TRUE;
  obd_sync_backend_authenticate_async (self->backend,
                                       json_object_get_string_member (payload, "token"),
                                       json_object_get_string_member (payload, "deviceId"),
                                       obd_sync_payload_get_string (payload, "deviceName"),
                                       NULL, on_authenticated_cb, call);
}

static void
on_pushed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncPushResult) pushed = NULL;
  JsonObject *payload;

  pushed = obd_sync_backend_push_finish (OBD_SYNC_BACKEND (source), result, &error);
  if (pushed == NULL)
    {
      send_gerror (call->peer, error, message_id (call));
      return;
    }

  payload = json_object_new ();
  json_object_set_int_member (payload, "ackedSeq", pushed->acked_seq);
  json_object_set_array_member (payload, "conflicts", json_array_ref (pushed->conflicts));
  json_object_set_array_member (payload, "versions", json_array_ref (pushed->versions));
  if (pushed->chain_seq > 0)
    json_object_set_object_member (payload, "chain",
                                   chain_object (pushed->chain_seq, pushed->chain_hash));
  else
    json_object_set_null_member (payload, "chain");
  reply (call->peer, OBD_SYNC_MSG_PUSH_ACK, payload, message_id (call));

  if (pushed->error != NULL)
    {
      g_autoptr(ObdSyncMessage) message = NULL;
      g_autofree char *text = g_strdup_printf (_("Change %" PRId64 " was refused: %s"),
                                               pushed->refused_seq, pushed->error->message);

      message = obd_sync_message_new_error (pushed->error->domain == OBD_SYNC_ERROR
                                              ? (ObdSyncErrorCode) pushed->error->code
                                              : OBD_SYNC_ERROR_FAILED,
                                            text, message_id (call), FALSE);
      json_object_set_int_member (message->payload, "seq", pushed->refused_seq);
      send_message (call->peer, message);
    }
}

static void
handle_push (ObdSyncServer *self,
             Call          *call)
{
  JsonArray *changes = json_object_get_array_member (call->message->payload, "changes");

  if (json_array_get_length (changes) > self->limits.max_batch)
    {
      g_autofree char *text =
        g_strdup_printf (_("A push may hold at most %u changes; this one has %u. Send them in "
                           "smaller batches."), self->limits.max_batch,
                         json_array_get_length (changes));

      send_error (call->peer, OBD_SYNC_ERROR_BATCH_TOO_LARGE, text, message_id (call), FALSE);
      call_free (call);
      return;
    }
  obd_sync_backend_push_async (self->backend, call->peer->principal, call->peer->device_id,
                               changes, NULL, on_pushed_cb, call);
}

static void
on_pulled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  JsonObject *payload = obd_sync_backend_pull_finish (OBD_SYNC_BACKEND (source), result,
                                                      &error);

  if (payload == NULL)
    send_gerror (call->peer, error, message_id (call));
  else
    reply (call->peer, OBD_SYNC_MSG_CHANGES, payload, message_id (call));
}

static void
handle_pull (ObdSyncServer *self,
             Call          *call)
{
  JsonObject *payload = call->message->payload;

  obd_sync_backend_pull_async (self->backend, call->peer->principal, call->peer->device_id,
                               json_object_get_int_member (payload, "cursor"),
                               obd_sync_payload_get_int (payload, "limit", 200), NULL,
                               on_pulled_cb, call);
}

/* Subscriptions: all channels or none. */
static void
finish_subscribe (ObdSyncServer *self,
                  Call          *call)
{
  Peer *peer = call->peer;
  JsonObject *payload;

  if (call->error != NULL)
    {
      send_gerror (peer, call->error, message_id (call));
      return;
    }
  for (guint i = 0; i < call->channels->len; i++)
    channel_add (self, peer, g_ptr_array_index (call->channels, i));
  payload = json_object_new ();
  json_object_set_array_member (payload, "channels", channel_list (peer));
  reply (peer, OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS, payload, message_id (call));
}

static void
on_subscribe_access_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data)
{
  Call *call = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *vehicle = NULL;

  vehicle = obd_sync_backend_vehicle_access_finish (OBD_SYNC_BACKEND (source), result, &error);
  if (vehicle == NULL && call->error == NULL)
    call->error = g_steal_pointer (&error);
  if (--call->pending == 0)
    {
      if (!call->peer->closed)
        finish_subscribe (call->peer->server, call);
      call_free (call);
    }
}

static void
handle_subscribe (ObdSyncServer *self,
                  Call          *call)
{
  Peer *peer = call->peer;
  ObdSyncPrincipal *p = peer->principal;
  JsonArray *channels = json_object_get_array_member (call->message->payload, "channels");

  call->channels = g_ptr_array_new_with_free_func (g_free);
  call->pending = 1;  /* held until every check is queued */
  for (guint i = 0; i < json_array_get_length (channels); i++)
    {
      const char *channel = json_array_get_string_element (channels, i);
      const char *id = NULL;

      switch (obd_sync_channel_parse (channel, &id))
        {
        case OBD_SYNC_CHANNEL_VEHICLE:
          call->pending++;
          obd_sync_backend_vehicle_access_async (self->backend, p, id, NULL,
                                                 on_subscribe_access_cb, call);
          g_ptr_array_add (call->channels, g_strdup (channel));
          break;
        case OBD_SYNC_CHANNEL_FLEET:
          if (p->role == OBD_SYNC_ROLE_OWNER || g_strcmp0 (id, p->organisation_id) != 0)
            {
              if (call->error == NULL)
                g_set_error (&call->error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN,
                             _("You may not follow the fleet “%s”: only your own "
                               "organisation's, and not as an owner."), id);
            }
          else
            g_ptr_array_add (call->channels, g_strdup (channel));
          break;
        case OBD_SYNC_CHANNEL_ROOM:
        default:
          if (call->error == NULL)
            g_set_error (&call->error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN,
                         _("Rooms are entered with “room_join” and an invitation code, not "
                           "subscribed to."));
          break;
        }
    }
  if (--call->pending == 0)
    {
      finish_subscribe (self, call);
      call_free (call);
    }
}

static void
handle_unsubscribe (ObdSyncServer *self,
                    Call          *call)
{
  JsonArray *channels = json_object_get_array_member (call->message->payload, "channels");
  JsonObject *payload = json_object_new ();

  for (guint i = 0; i < json_array_get_length (channels); i++)
    channel_remove (self, call->peer, json_array_get_string_element (channels, i));
  json_object_set_array_member (payload, "channels", channel_list (call->peer));
  reply (call->peer, OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS, payload, message_id (call));
  call_free (call);
}

/* Live events: mechanics (and admins) publish about their organisation's
 * vehicles; the server stamps who sent it. */
static void
publish_event (ObdSyncServer *self,
               Call          *call,
               const char    *vehicle)
{
  Peer *peer = call->peer;
  g_autoptr(ObdSyncMessage) event = NULL;
  g_autofree char *text = NULL;
  JsonObject *payload = json_object_new ();
  JsonObject *in = call->message->payload;
  g_autoptr(GList) members = json_object_get_members (in);

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (payload, l->data, json_node_copy (json_object_get_member (in,
                                                                                     l->data)));
  json_object_set_string_member (payload, "vehicleId", vehicle);
  json_object_set_object_member (payload, "from", from_object (peer));
  event = obd_sync_message_new (call->message->type, payload);
  text = obd_sync_message_to_string (event, NULL);
  obd_sync_backend_publish (self->backend, peer->principal->organisation_id, vehicle, NULL,
                            text);
}

static void
on_event_access_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *vehicle = NULL;
  const char *asked = json_object_get_string_member (call->message->payload, "vehicleId");

  vehicle = obd_sync_backend_vehicle_access_finish (OBD_SYNC_BACKEND (source), result, &error);
  if (call->peer->closed)
    return;
  if (vehicle == NULL)
    {
      send_gerror (call->peer, error, message_id (call));
      return;
    }
  g_hash_table_insert (call->peer->vehicles, g_strdup (asked), g_strdup (vehicle));
  publish_event (call->peer->server, call, vehicle);
}

static void
handle_event (ObdSyncServer *self,
              Call          *call)
{
  Peer *peer = call->peer;
  const char *asked = json_object_get_string_member (call->message->payload, "vehicleId");
  const char *vehicle;

  if (peer->principal->role != OBD_SYNC_ROLE_MECHANIC
      && peer->principal->role != OBD_SYNC_ROLE_ADMIN)
    {
      send_error (peer, OBD_SYNC_ERROR_FORBIDDEN,
                  _("Only a mechanic's PC shares live data and events."), message_id (call),
                  FALSE);
      call_free (call);
      return;
    }
  /* Live status arrives twice a second per car: the access check is done
   * once per connection and vehicle. */
  vehicle = g_hash_table_lookup (peer->vehicles, asked);
  if (vehicle != NULL)
    {
      publish_event (self, call, vehicle);
      call_free (call);
      return;
    }
  obd_sync_backend_vehicle_access_async (self->backend, peer->principal, asked, NULL,
                                         on_event_access_cb, call);
}

static void
on_room_created_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncRoom) created = NULL;
  ObdSyncServer *self = call->peer->server;
  JsonObject *payload;
  Room *room;

  created = obd_sync_backend_room_finish (OBD_SYNC_BACKEND (source), result, &error);
  if (call->peer->closed)
    return;
  if (created == NULL)
    {
      send_gerror (call->peer, error, message_id (call));
      return;
    }

  room = ensure_room (self, created);
  room->host = call->peer;
  g_ptr_array_add (room->members, call->peer);

  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", created->room_id);
  json_object_set_string_member (payload, "code", created->code);
  json_object_set_string_member (payload, "vehicleId", created->vehicle_id);
  json_object_set_int_member (payload, "expiresAt", created->expires_us);
  reply (call->peer, OBD_SYNC_MSG_ROOM_CREATED, payload, message_id (call));
  publish_presence (self, room->organisation_id, created);
}

static void
on_room_joined_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncRoom) joined = NULL;
  ObdSyncServer *self = call->peer->server;
  JsonObject *payload;
  Room *room;

  joined = obd_sync_backend_room_finish (OBD_SYNC_BACKEND (source), result, &error);
  if (call->peer->closed)
    return;
  if (joined == NULL)
    {
      send_gerror (call->peer, error, message_id (call));
      return;
    }
  /* The host may be connected to another instance. */
  room = ensure_room (self, joined);
  if (!g_ptr_array_find (room->members, call->peer, NULL))
    g_ptr_array_add (room->members, call->peer);

  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", joined->room_id);
  json_object_set_string_member (payload, "vehicleId", joined->vehicle_id);
  reply (call->peer, OBD_SYNC_MSG_ROOM_JOINED, payload, message_id (call));
  publish_presence (self, room->organisation_id, joined);
}

/* Every instance (this one included) forgets the room when the closing
 * event reaches it. */
static void
drop_room (ObdSyncServer *self,
           Room          *room,
           const char    *reason)
{
  publish_room_closed (self, room, reason);
}

static void
on_room_closed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncRoom) closed = NULL;
  ObdSyncServer *self = call->peer->server;
  Room *room;

  closed = obd_sync_backend_room_finish (OBD_SYNC_BACKEND (source), result, &error);
  if (closed == NULL)
    {
      send_gerror (call->peer, error, message_id (call));
      return;
    }
  room = g_hash_table_lookup (self->rooms, closed->room_id);
  if (room != NULL)
    drop_room (self, room, "closed");
  else
    {
      /* Closed by an admin connected here, hosted elsewhere. */
      Room elsewhere = { .id = closed->room_id, .organisation_id = closed->organisation_id };

      publish_room_closed (self, &elsewhere, "closed");
    }
}

static void
handle_room (ObdSyncServer *self,
             Call          *call)
{
  Peer *peer = call->peer;
  JsonObject *payload = call->message->payload;
  const char *room_id = obd_sync_payload_get_string (payload, "roomId");
  Room *room;

  switch (call->message->type)
    {
    case OBD_SYNC_MSG_ROOM_CREATE:
      obd_sync_backend_room_create_async (self->backend, peer->principal,
                                          json_object_get_string_member (payload, "vehicleId"),
                                          peer->member_id, NULL, on_room_created_cb, call);
      return;
    case OBD_SYNC_MSG_ROOM_JOIN:
      obd_sync_backend_room_join_async (self->backend, peer->principal,
                                        json_object_get_string_member (payload, "code"),
                                        peer->member_id, NULL, on_room_joined_cb, call);
      return;
    case OBD_SYNC_MSG_ROOM_CLOSE:
      obd_sync_backend_room_close_async (self->backend, peer->principal, room_id, NULL,
                                         on_room_closed_cb, call);
      return;
    case OBD_SYNC_MSG_ROOM_NOTE:
    case OBD_SYNC_MSG_ROOM_LEAVE:
      room = room_of_member (self, peer, room_id);
      if (room == NULL)
        send_error (peer, OBD_SYNC_ERROR_ROOM_CLOSED,
                    _("You are not in this room, or it was closed."), message_id (call), FALSE);
      else if (call->message->type == OBD_SYNC_MSG_ROOM_NOTE)
        {
          JsonObject *note = json_object_new ();

          json_object_set_string_member (note, "roomId", room->id);
          json_object_set_string_member (note, "text",
                                         json_object_get_string_member (payload, "text"));
          json_object_set_object_member (note, "from", from_object (peer));
          publish (self, OBD_SYNC_MSG_ROOM_NOTE, note, room->organisation_id, NULL, room->id);
        }
      else if (room->host == peer)
        send_error (peer, OBD_SYNC_ERROR_BAD_MESSAGE,
                    _("The mechanic who opened the room ends it with “room_close”."),
                    message_id (call), FALSE);
      else
        leave_room (self, room, peer);
      call_free (call);
      return;
    default:
      g_assert_not_reached ();
    }
}

/* Paged queries ------------------------------------------------------------ */

static void
on_page_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(Call) call = data;
  g_autoptr(GError) error = NULL;
  JsonObject *page = obd_sync_backend_page_finish (OBD_SYNC_BACKEND (source), result, &error);

  if (page == NULL)
    send_gerror (call->peer, error, message_id (call));
  else
    reply (call->peer,
           call->message->type == OBD_SYNC_MSG_FLEET_SUMMARY ? OBD_SYNC_MSG_FLEET_PAGE
                                                             : OBD_SYNC_MSG_HISTORY_PAGE,
           page, message_id (call));
}

static void
handle_page (ObdSyncServer *self,
             Call          *call)
{
  JsonObject *payload = call->message->payload;
  guint limit = obd_sync_payload_get_int (payload, "limit", 50);

  if (call->message->type == OBD_SYNC_MSG_FLEET_SUMMARY)
    obd_sync_backend_fleet_async (self->backend, call->peer->principal,
                                  obd_sync_payload_get_string (payload, "after"), limit, NULL,
                                  on_page_cb, call);
  else
    obd_sync_backend_history_async (self->backend, call->peer->principal,
                                    json_object_get_string_member (payload, "vehicleId"),
                                    obd_sync_payload_get_int (payload, "before", -1),
                                    obd_sync_payload_get_string (payload, "key"), limit, NULL,
                                    on_page_cb, call);
}

static void
dispatch (ObdSyncServer  *self,
          Peer           *peer,
          ObdSyncMessage *message)
{
  Call *call = call_new (peer, message);

  if (message->type == OBD_SYNC_MSG_AUTHENTICATE)
    {
      handle_authenticate (self, call);
      return;
    }
  if (message->type == OBD_SYNC_MSG_PING)
    {
      reply (peer, OBD_SYNC_MSG_PONG, json_object_new (), message_id (call));
      call_free (call);
      return;
    }
  if (peer->principal == NULL)
    {
      send_error (peer, OBD_SYNC_ERROR_UNAUTHENTICATED,
                  _("Authenticate first: send “authenticate” with your token."),
                  message_id (call), FALSE);
      call_free (call);
      return;
    }

  switch (message->type)
    {
    case OBD_SYNC_MSG_PUSH:
      handle_push (self, call);
      break;
    case OBD_SYNC_MSG_PULL:
      handle_pull (self, call);
      break;
    case OBD_SYNC_MSG_SUBSCRIBE:
      handle_subscribe (self, call);
      break;
    case OBD_SYNC_MSG_UNSUBSCRIBE:
      handle_unsubscribe (self, call);
      break;
    case OBD_SYNC_MSG_VEHICLE_STATUS:
    case OBD_SYNC_MSG_DTC_DETECTED:
    case OBD_SYNC_MSG_MAINTENANCE_ALERT:
    case OBD_SYNC_MSG_NOTIFICATION:
    case OBD_SYNC_MSG_GUIDE_PROGRESS:
      handle_event (self, call);
      break;
    case OBD_SYNC_MSG_ROOM_CREATE:
    case OBD_SYNC_MSG_ROOM_JOIN:
    case OBD_SYNC_MSG_ROOM_NOTE:
    case OBD_SYNC_MSG_ROOM_CLOSE:
    case OBD_SYNC_MSG_ROOM_LEAVE:
      handle_room (self, call);
      break;
    case OBD_SYNC_MSG_FLEET_SUMMARY:
    case OBD_SYNC_MSG_HISTORY:
      handle_page (self, call);
      break;
    default:
      /* obd_sync_message_parse () lets only client types through. */
      g_assert_not_reached ();
    }
}

static void
on_message_cb (SoupWebsocketConnection *conn,
               int                      type,
               GBytes                  *bytes,
               Peer                    *peer)
{
  ObdSyncServer *self = peer->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  ObdSyncMessage *message;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (peer->closed || !take_token (self, peer))
    return;
  peer->last_message_us = g_get_monotonic_time ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      send_error (peer, OBD_SYNC_ERROR_BAD_MESSAGE,
                  _("Messages are JSON in text frames, not binary frames."), NULL, FALSE);
      return;
    }

  message = obd_sync_message_parse (data, length, self->limits.max_message_bytes,
                                    OBD_SYNC_FROM_CLIENT, &id, &error);
  if (message == NULL)
    {
      send_gerror (peer, error, id);
      return;
    }
  dispatch (self, peer, message);
}

static void
peer_closed (ObdSyncServer *self,
             Peer          *peer)
{
  g_autoptr(GList) channels = NULL;
  g_autoptr(GPtrArray) hosted = g_ptr_array_new ();
  g_autoptr(GPtrArray) left = g_ptr_array_new ();
  GHashTableIter iter;
  Room *room;

  if (peer->closed)
    return;
  peer->closed = TRUE;

  channels = g_hash_table_get_keys (peer->channels);
  for (GList *l = channels; l != NULL; l = l->next)
    {
      g_autofree char *channel = g_strdup (l->data);

      channel_remove (self, peer, channel);
    }

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    {
      if (room->host == peer)
        g_ptr_array_add (hosted, room);
      else if (g_ptr_array_find (room->members, peer, NULL))
        g_ptr_array_add (left, room);
    }
  for (guint i = 0; i < left->len; i++)
    leave_room (self, g_ptr_array_index (left, i), peer);
  /* The mechanic is gone: so is the room. */
  for (guint i = 0; i < hosted->len; i++)
    {
      Room *r = g_ptr_array_index (hosted, i);

      g_ptr_array_remove (r->members, peer);
      r->host = NULL;
      obd_sync_backend_room_close_async (self->backend, peer->principal, r->id, NULL, NULL,
                                         NULL);
      drop_room (self, r, "host_left");
    }

  g_signal_handlers_disconnect_by_data (peer->conn, peer);
  g_hash_table_remove (self->peers, peer);
}

static void
on_closed_cb (SoupWebsocketConnection *conn,
              Peer                    *peer)
{
  peer_closed (peer->server, peer);
}

static void
on_websocket_cb (SoupServer              *server,
                 SoupServerMessage       *msg,
                 const char              *path,
                 SoupWebsocketConnection *conn,
                 gpointer                 data)
{
  ObdSyncServer *self = data;
  Peer *peer = g_new0 (Peer, 1);
  JsonObject *payload = json_object_new ();
  JsonObject *limits = json_object_new ();
  g_autoptr(ObdSyncMessage) welcome = NULL;

  g_atomic_ref_count_init (&peer->ref);
  peer->server = self;
  peer->conn = g_object_ref (conn);
  peer->remote = g_strdup (soup_server_message_get_remote_host (msg));
  peer->member_id = g_uuid_string_random ();
  peer->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->vehicles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  peer->tokens = self->limits.burst;
  peer->refilled_us = peer->last_message_us = g_get_monotonic_time ();
  g_hash_table_add (self->peers, peer);

  /* Heartbeats are the protocol's ping/pong, which any client library
   * can send; our own size check answers frames up to a few times the
   * limit with "too_large", and libsoup closes beyond that. */
  soup_websocket_connection_set_keepalive_interval (conn, 0);
  soup_websocket_connection_set_max_incoming_payload_size (
    conn, (guint64) self->limits.max_message_bytes * HARD_LIMIT_FACTOR);
  g_signal_connect (conn, "message", G_CALLBACK (on_message_cb), peer);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed_cb), peer);

  json_object_set_int_member (payload, "protocolVersion", OBD_SYNC_PROTOCOL_VERSION);
  json_object_set_int_member (payload, "minProtocolVersion", OBD_SYNC_MIN_PROTOCOL_VERSION);
  json_object_set_string_member (payload, "server", "obd2-syncd " PACKAGE_VERSION);
  json_object_set_int_member (payload, "heartbeatSeconds", self->limits.heartbeat_s);
  json_object_set_int_member (limits, "maxMessageBytes", self->limits.max_message_bytes);
  json_object_set_int_member (limits, "maxBatch", self->limits.max_batch);
  json_object_set_int_member (limits, "ratePerSecond", self->limits.rate);
  json_object_set_int_member (limits, "burst", self->limits.burst);
  json_object_set_int_member (limits, "idleTimeoutSeconds", self->limits.idle_timeout_s);
  json_object_set_int_member (limits, "maxPull", OBD_SYNC_MAX_PULL);
  json_object_set_object_member (payload, "limits", limits);
  welcome = obd_sync_message_new (OBD_SYNC_MSG_WELCOME, payload);
  send_message (peer, welcome);
}

static gboolean
method_is_get (SoupServerMessage *msg)
{
  if (soup_server_message_get_method (msg) == SOUP_METHOD_GET
      || soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    return TRUE;
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  return FALSE;
}

static gboolean
backend_healthy (JsonObject *status)
{
  return status == NULL || json_object_get_boolean_member_with_default (status, "healthy", TRUE);
}

/* 200 while the instance can serve; 503 while its storage cannot be
 * reached, so a load balancer's check sends clients elsewhere. */
static void
on_healthz_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  ObdSyncServer *self = data;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gboolean healthy;
  char *body;

  if (!method_is_get (msg))
    return;
  status = obd_sync_backend_dup_status (self->backend);
  healthy = backend_healthy (status);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, healthy ? "ok" : "unavailable");
  json_builder_set_member_name (b, "protocolVersion");
  json_builder_add_int_value (b, OBD_SYNC_PROTOCOL_VERSION);
  json_builder_set_member_name (b, "connections");
  json_builder_add_int_value (b, g_hash_table_size (self->peers));
  if (status != NULL)
    {
      json_builder_set_member_name (b, "backend");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), status));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);
  soup_server_message_set_status (msg, healthy ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body,
                                    strlen (body));
}

static void
append_metric (GString    *out,
               const char *name,
               const char *help,
               double      value)
{
  const char *type = g_str_has_suffix (name, "_total") ? "counter" : "gauge";

  g_string_append_printf (out, "# HELP obd2_syncd_%s %s\n# TYPE obd2_syncd_%s %s\n",
                          name, help, name, type);
  g_string_append_printf (out, "obd2_syncd_%s %.17g\n", name, value);
}

/* The same figures in the Prometheus text format (version 0.0.4). */
static void
on_metrics_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  ObdSyncServer *self = data;
  g_autoptr(JsonObject) status = NULL;
  GString *out = g_string_new (NULL);
  gsize length;

  if (!method_is_get (msg))
    {
      g_string_free (out, TRUE);
      return;
    }
  status = obd_sync_backend_dup_status (self->backend);
  append_metric (out, "connections", "Open WebSocket connections.",
                 g_hash_table_size (self->peers));
  append_metric (out, "up", "1 while the storage can be reached.", backend_healthy (status));
  if (status != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (status);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (status, l->data);
          g_autofree char *name = NULL;
          GType type;

          if (!JSON_NODE_HOLDS_VALUE (node) || g_str_equal (l->data, "healthy"))
            continue;
          type = json_node_get_value_type (node);
          if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE && type != G_TYPE_BOOLEAN)
            continue;
          name = g_strconcat ("backend_", l->data, NULL);
          append_metric (out, name, "Storage backend figure (see /healthz).",
                         type == G_TYPE_BOOLEAN ? json_node_get_boolean (node)
                                                : json_node_get_double (node));
        }
    }
  length = out->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4", SOUP_MEMORY_TAKE,
                                    g_string_free (out, FALSE), length);
}

/* GObject ------------------------------------------------------------------ */

void
obd_sync_server_shutdown (ObdSyncServer *self)
{
  g_autoptr(GList) peers = NULL;

  g_return_if_fail (OBD_IS_SYNC_SERVER (self));

  peers = g_hash_table_get_keys (self->peers);
  for (GList *l = peers; l != NULL; l = l->next)
    {
      g_autoptr(Peer) peer = peer_ref (l->data);
      g_autoptr(SoupWebsocketConnection) conn = g_object_ref (peer->conn);

      peer_closed (self, peer);
      if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "shutdown");
    }
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}

static void
obd_sync_server_dispose (GObject *object)
{
  ObdSyncServer *self = OBD_SYNC_SERVER (object);

  if (self->peers != NULL)
    obd_sync_server_shutdown (self);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_signal_handler (&self->message_handler, self->backend);
  g_clear_object (&self->soup);
  g_clear_object (&self->backend);
  G_OBJECT_CLASS (obd_sync_server_parent_class)->dispose (object);
}

static void
obd_sync_server_finalize (GObject *object)
{
  ObdSyncServer *self = OBD_SYNC_SERVER (object);

  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  G_OBJECT_CLASS (obd_sync_server_parent_class)->finalize (object);
}

static void
obd_sync_server_class_init (ObdSyncServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_sync_server_dispose;
  object_class->finalize = obd_sync_server_finalize;
}

static void
obd_sync_server_init (ObdSyncServer *self)
{
  self->peers = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) peer_unref, NULL);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) room_free);
}

ObdSyncServer *
obd_sync_server_new (ObdSyncBackend            *backend,
                     const ObdSyncServerLimits *limits)
{
  ObdSyncServer *self;

  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (backend), NULL);

  self = g_object_new (OBD_TYPE_SYNC_SERVER, NULL);
  self->backend = g_object_ref (backend);
  if (limits != NULL)
    self->limits = *limits;
  else
    obd_sync_server_limits_init_default (&self->limits);
  self->limits.max_message_bytes = MAX (self->limits.max_message_bytes, 4096);
  self->limits.max_batch = MAX (self->limits.max_batch, 1);
  self->limits.rate = MAX (self->limits.rate, 1);
  self->limits.burst = MAX (self->limits.burst, 1);
  self->limits.idle_timeout_s = MAX (self->limits.idle_timeout_s, 1);
  self->limits.heartbeat_s = MAX (self->limits.heartbeat_s, 1);
  self->message_handler = g_signal_connect (backend, "message",
                                            G_CALLBACK (on_backend_message_cb), self);
  self->idle_source = g_timeout_add_seconds (1, check_idle_cb, self);
  return self;
}

static SoupServer *
ensure_soup (ObdSyncServer  *self,
             GTlsCertificate *certificate)
{
  if (self->soup == NULL)
    {
      self->soup = soup_server_new ("server-header", "obd2-syncd/" PACKAGE_VERSION,
                                    "tls-certificate", certificate, NULL);
      soup_server_add_websocket_handler (self->soup, "/sync", NULL, NULL, on_websocket_cb, self,
                                         NULL);
      soup_server_add_handler (self->soup, "/healthz", on_healthz_cb, self, NULL);
      soup_server_add_handler (self->soup, "/metrics", on_metrics_cb, self, NULL);
    }
  return self->soup;
}

gboolean
obd_sync_server_set_tls_files (ObdSyncServer  *self,
                               const char     *cert_file,
                               const char     *key_file,
                               GError        **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (OBD_IS_SYNC_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FAILED,
                   _("Could not load the TLS certificate “%s” and key “%s”: %s"),
                   cert_file, key_file, local_error->message);
      return FALSE;
    }
  ensure_soup (self, certificate);
  self->tls = TRUE;
  return TRUE;
}

gboolean
obd_sync_server_listen (ObdSyncServer  *self,
                        const char     *address,
                        GError        **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *host;

  g_return_val_if_fail (OBD_IS_SYNC_SERVER (self), FALSE);

  parsed = g_network_address_parse (address != NULL ? address : "127.0.0.1:0", 0, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not an address to listen on. Give HOST:PORT, for example "
                     "0.0.0.0:8765."), address);
      return FALSE;
    }
  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed));
  inet = g_str_equal (host, "localhost") ? g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4)
                                         : g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not an IP address. Listen on an address of this machine, such as "
                     "0.0.0.0 (all) or 127.0.0.1."), host);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (inet,
                                              g_network_address_get_port (
                                                G_NETWORK_ADDRESS (parsed)));
  ensure_soup (self, NULL);
  if (!soup_server_listen (self->soup, socket_address, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0,
                           &local_error))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FAILED,
                   _("Could not listen on %s: %s. Is another server using the port?"),
                   address, local_error->message);
      return FALSE;
    }
  return TRUE;
}

guint
obd_sync_server_get_port (ObdSyncServer *self)
{
  g_autoptr(GSList) uris = NULL;
  guint port = 0;

  g_return_val_if_fail (OBD_IS_SYNC_SERVER (self), 0);
  if (self->soup == NULL)
    return 0;
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return port;
}

char *
obd_sync_server_dup_url (ObdSyncServer *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_SERVER (self), NULL);
  return g_strdup_printf ("%s://127.0.0.1:%u/sync", self->tls ? "wss" : "ws",
                          obd_sync_server_get_port (self));
}

guint
obd_sync_server_get_n_connections (ObdSyncServer *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_SERVER (self), 0);
  return g_hash_table_size (self->peers);
}
