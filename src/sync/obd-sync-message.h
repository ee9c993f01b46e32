/* obd-sync-message.h — the sync protocol's messages: parsing, checking,
 * building
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the client and the server.  Every message is one JSON text
 * frame, an envelope {"type", "payload", "timestamp", "messageId"}; the
 * document src/sync/PROTOCOL.md describes each type and field.  Parsing
 * checks the envelope and the payload of each known type completely, so
 * code that handles a message may rely on the fields it reads.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The version this code speaks, and the oldest it still accepts. */
#define OBD_SYNC_PROTOCOL_VERSION     1
#define OBD_SYNC_MIN_PROTOCOL_VERSION 1

/* Default limits (the server may be configured otherwise and says so in
 * its welcome). */
#define OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES (1024 * 1024)
#define OBD_SYNC_DEFAULT_MAX_BATCH         500
#define OBD_SYNC_DEFAULT_RATE              200   /* messages per second */
#define OBD_SYNC_DEFAULT_BURST             400
#define OBD_SYNC_DEFAULT_IDLE_TIMEOUT_S    90
#define OBD_SYNC_DEFAULT_HEARTBEAT_S       25
#define OBD_SYNC_MAX_PULL                  1000
/* Rows in one fleet_page or history_page. */
#define OBD_SYNC_MAX_PAGE 200
#define OBD_SYNC_MAX_CHANNELS              64
#define OBD_SYNC_MAX_JSON_DEPTH            32
#define OBD_SYNC_MAX_ID_LENGTH             128
#define OBD_SYNC_MAX_TEXT_LENGTH           4000

/* The packed samples of a "samples" change: little-endian records of
 * time_us (int64), value (float64), ecu (uint32), service, pid, index
 * (uint8 each) and one zero byte. */
#define OBD_SYNC_SAMPLES_ENCODING "obd2-samples-v1"
#define OBD_SYNC_SAMPLE_RECORD_SIZE 24

#define OBD_SYNC_ERROR (obd_sync_error_quark ())

/* Each code has a stable name on the wire (see PROTOCOL.md). */
typedef enum
{
  OBD_SYNC_ERROR_FAILED = 0,         /* "internal" */
  OBD_SYNC_ERROR_BAD_JSON,           /* "bad_json" */
  OBD_SYNC_ERROR_BAD_MESSAGE,        /* "bad_message": envelope or payload */
  OBD_SYNC_ERROR_UNKNOWN_TYPE,       /* "unknown_type" */
  OBD_SYNC_ERROR_TOO_LARGE,          /* "too_large" */
  OBD_SYNC_ERROR_RATE_LIMITED,       /* "rate_limited" */
  OBD_SYNC_ERROR_BATCH_TOO_LARGE,    /* "batch_too_large" */
  OBD_SYNC_ERROR_IDLE_TIMEOUT,       /* "idle_timeout" */
  OBD_SYNC_ERROR_UNAUTHENTICATED,    /* "unauthenticated": authenticate first */
  OBD_SYNC_ERROR_AUTH_FAILED,        /* "auth_failed": unknown or revoked token */
  OBD_SYNC_ERROR_FORBIDDEN,          /* "forbidden": organisation or role */
  OBD_SYNC_ERROR_NOT_FOUND,          /* "not_found" */
  OBD_SYNC_ERROR_PROTOCOL_VERSION,   /* "protocol_version" */
  OBD_SYNC_ERROR_UNAVAILABLE,        /* "unavailable": storage failed, retry */
  OBD_SYNC_ERROR_ROOM_CLOSED,        /* "room_closed" */
  OBD_SYNC_ERROR_ALREADY_AUTHENTICATED, /* "already_authenticated" */
  /* Client side only: never on the wire. */
  OBD_SYNC_ERROR_NO_SERVER,
  OBD_SYNC_ERROR_NO_TOKEN,
  OBD_SYNC_ERROR_CONNECT,
  OBD_SYNC_ERROR_TIMEOUT,
  OBD_SYNC_ERROR_CLOSED,
} ObdSyncErrorCode;

GQuark            obd_sync_error_quark            (void);
const char       *obd_sync_error_code_to_string   (ObdSyncErrorCode  code);
/* Unknown names map to OBD_SYNC_ERROR_FAILED. */
ObdSyncErrorCode  obd_sync_error_code_from_string (const char       *name);

typedef enum
{
  OBD_SYNC_MSG_UNKNOWN = 0,
  /* client → server */
  OBD_SYNC_MSG_AUTHENTICATE,
  OBD_SYNC_MSG_PUSH,
  OBD_SYNC_MSG_PULL,
  OBD_SYNC_MSG_SUBSCRIBE,
  OBD_SYNC_MSG_UNSUBSCRIBE,
  OBD_SYNC_MSG_PING,
  OBD_SYNC_MSG_ROOM_CREATE,
  OBD_SYNC_MSG_ROOM_JOIN,
  OBD_SYNC_MSG_ROOM_NOTE,
  OBD_SYNC_MSG_ROOM_CLOSE,
  OBD_SYNC_MSG_ROOM_LEAVE,
  OBD_SYNC_MSG_FLEET_SUMMARY,
  OBD_SYNC_MSG_HISTORY,
  /* both ways: a client publishes, the server fans out */
  OBD_SYNC_MSG_VEHICLE_STATUS,
  OBD_SYNC_MSG_DTC_DETECTED,
  OBD_SYNC_MSG_MAINTENANCE_ALERT,
  OBD_SYNC_MSG_NOTIFICATION,
  OBD_SYNC_MSG_GUIDE_PROGRESS,
  /* server → client */
  OBD_SYNC_MSG_WELCOME,
  OBD_SYNC_MSG_AUTHENTICATION_SUCCESS,
  OBD_SYNC_MSG_PUSH_ACK,
  OBD_SYNC_MSG_CHANGES,
  OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS,
  OBD_SYNC_MSG_PONG,
  OBD_SYNC_MSG_ERROR,
  OBD_SYNC_MSG_ROOM_CREATED,
  OBD_SYNC_MSG_ROOM_JOINED,
  OBD_SYNC_MSG_ROOM_CLOSED,
  OBD_SYNC_MSG_PRESENCE,
  OBD_SYNC_MSG_FLEET_PAGE,
  OBD_SYNC_MSG_HISTORY_PAGE,
  OBD_SYNC_MSG_LAST = OBD_SYNC_MSG_HISTORY_PAGE,
} ObdSyncMessageType;

typedef enum
{
  OBD_SYNC_FROM_CLIENT = 1 << 0,
  OBD_SYNC_FROM_SERVER = 1 << 1,
} ObdSyncDirection;

const char         *obd_sync_message_type_to_string   (ObdSyncMessageType  type);
ObdSyncMessageType  obd_sync_message_type_from_string (const char         *name);
/* Who may send a type. */
ObdSyncDirection    obd_sync_message_type_get_senders (ObdSyncMessageType  type);

typedef struct
{
  ObdSyncMessageType  type;
  char               *message_id;
  gint64              timestamp_us;  /* from the envelope */
  JsonObject         *payload;       /* owned reference */
} ObdSyncMessage;

void            obd_sync_message_free      (ObdSyncMessage  *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSyncMessage, obd_sync_message_free)

/* Parses and checks one frame sent by from.  Fails with
 * OBD_SYNC_ERROR_TOO_LARGE (more than max_bytes, 0 for the default),
 * _BAD_JSON (not JSON, or nested deeper than OBD_SYNC_MAX_JSON_DEPTH),
 * _BAD_MESSAGE (envelope or payload wrong; *out_message_id receives the
 * messageId when one could be read, so the error can name it),
 * _UNKNOWN_TYPE (a type this version does not know, or one from sends
 * not). */
ObdSyncMessage *obd_sync_message_parse     (const char        *data,
                                            gsize              length,
                                            gsize              max_bytes,
                                            ObdSyncDirection   from,
                                            char             **out_message_id,
                                            GError           **error);

/* A new message with a fresh messageId and the current time; takes
 * payload (a new empty one when NULL). */
ObdSyncMessage *obd_sync_message_new       (ObdSyncMessageType  type,
                                            JsonObject         *payload);
char           *obd_sync_message_to_string (const ObdSyncMessage *message,
                                            gsize                *out_length);

/* An "error" message; in_reply_to may be NULL. */
ObdSyncMessage *obd_sync_message_new_error (ObdSyncErrorCode  code,
                                            const char       *text,
                                            const char       *in_reply_to,
                                            gboolean          fatal);
/* The error an "error" message carries, as a GError of OBD_SYNC_ERROR. */
GError         *obd_sync_message_dup_error (const ObdSyncMessage *message);

/* Channels: "vehicle:ID", "fleet:ORGANISATION", "room:ID". */
typedef enum
{
  OBD_SYNC_CHANNEL_INVALID = 0,
  OBD_SYNC_CHANNEL_VEHICLE,
  OBD_SYNC_CHANNEL_FLEET,
  OBD_SYNC_CHANNEL_ROOM,
} ObdSyncChannelKind;

ObdSyncChannelKind obd_sync_channel_parse  (const char  *channel,
                                            const char **out_id);

/* An identifier as the protocol allows it: 1 to OBD_SYNC_MAX_ID_LENGTH
 * characters of [A-Za-z0-9._:-]. */
gboolean        obd_sync_id_is_valid       (const char  *id);

/* Packed samples (OBD_SYNC_SAMPLES_ENCODING). */
typedef struct
{
  gint64  time_us;
  double  value;
  guint32 ecu;
  guint8  service;
  guint8  pid;
  guint8  index;
} ObdSyncSample;

char           *obd_sync_samples_encode    (const ObdSyncSample *samples,
                                            gsize                n_samples);
/* Decodes and checks the Base64 text of a "samples" change (finite
 * values, services 1-10, times after 1990, exactly expected_count
 * records): the packed records, or NULL with OBD_SYNC_ERROR_BAD_MESSAGE.
 * out_first_us and out_last_us receive the earliest and latest time. */
GBytes         *obd_sync_samples_decode    (const char          *base64,
                                            gsize                expected_count,
                                            gint64              *out_first_us,
                                            gint64              *out_last_us,
                                            GError             **error);
/* Appends the records of packed (as decode returns them) to samples (of
 * ObdSyncSample). */
void            obd_sync_samples_unpack    (GBytes              *packed,
                                            GArray              *samples);

/* Small helpers for payloads read after a successful parse. */
const char     *obd_sync_payload_get_string (JsonObject *payload,
                                             const char *member);
gint64          obd_sync_payload_get_int    (JsonObject *payload,
                                             const char *member,
                                             gint64      if_missing);

/* ISO 8601 UTC with milliseconds, as envelopes carry it. */
char           *obd_sync_format_timestamp   (gint64      time_us);

G_END_DECLS
