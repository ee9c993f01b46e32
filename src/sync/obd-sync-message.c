/* obd-sync-message.c — the sync protocol's messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every payload is checked against a table of its members (type and
 * whether it is required) and then by a few checks a table cannot say
 * (the changes of a push, the values of a status).  Members not in the
 * table are allowed and ignored, so a newer peer may add some.
 */
#define G_LOG_DOMAIN "obd-sync"
#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "obd-sync-message.h"

G_DEFINE_QUARK (obd-sync-error-quark, obd_sync_error)

static const char * const error_names[] = {
  [OBD_SYNC_ERROR_FAILED] = "internal",
  [OBD_SYNC_ERROR_BAD_JSON] = "bad_json",
  [OBD_SYNC_ERROR_BAD_MESSAGE] = "bad_message",
  [OBD_SYNC_ERROR_UNKNOWN_TYPE] = "unknown_type",
  [OBD_SYNC_ERROR_TOO_LARGE] = "too_large",
  [OBD_SYNC_ERROR_RATE_LIMITED] = "rate_limited",
  [OBD_SYNC_ERROR_BATCH_TOO_LARGE] = "batch_too_large",
  [OBD_SYNC_ERROR_IDLE_TIMEOUT] = "idle_timeout",
  [OBD_SYNC_ERROR_UNAUTHENTICATED] = "unauthenticated",
  [OBD_SYNC_ERROR_AUTH_FAILED] = "auth_failed",
  [OBD_SYNC_ERROR_FORBIDDEN] = "forbidden",
  [OBD_SYNC_ERROR_NOT_FOUND] = "not_found",
  [OBD_SYNC_ERROR_PROTOCOL_VERSION] = "protocol_version",
  [OBD_SYNC_ERROR_UNAVAILABLE] = "unavailable",
  [OBD_SYNC_ERROR_ROOM_CLOSED] = "room_closed",
  [OBD_SYNC_ERROR_ALREADY_AUTHENTICATED] = "already_authenticated",
  [OBD_SYNC_ERROR_NO_SERVER] = "no_server",
  [OBD_SYNC_ERROR_NO_TOKEN] = "no_token",
  [OBD_SYNC_ERROR_CONNECT] = "connect",
  [OBD_SYNC_ERROR_TIMEOUT] = "timeout",
  [OBD_SYNC_ERROR_CLOSED] = "closed",
};

const char *
obd_sync_error_code_to_string (ObdSyncErrorCode code)
{
  if ((guint) code >= G_N_ELEMENTS (error_names))
    return error_names[OBD_SYNC_ERROR_FAILED];
  return error_names[code];
}

ObdSyncErrorCode
obd_sync_error_code_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (error_names); i++)
    if (g_str_equal (error_names[i], name))
      return (ObdSyncErrorCode) i;
  return OBD_SYNC_ERROR_FAILED;
}

/* Payload tables ------------------------------------------------------- */

typedef enum
{
  F_TEXT,     /* a string of at most OBD_SYNC_MAX_TEXT_LENGTH bytes */
  F_BULK,     /* a string bounded only by the message size */
  F_ID,       /* obd_sync_id_is_valid () */
  F_INT,      /* an integer */
  F_COUNT,    /* an integer >= 0 */
  F_NUMBER,   /* a finite number */
  F_BOOL,
  F_OBJECT,
  F_ARRAY,
  F_NULLABLE_OBJECT,
} FieldKind;

typedef struct
{
  const char *name;
  FieldKind   kind;
  gboolean    required;
} Field;

#define REQ TRUE
#define OPT FALSE
#define END { NULL, 0, 0 }

static const Field f_authenticate[] = {
  { "token", F_TEXT, REQ }, { "protocolVersion", F_INT, REQ }, { "deviceId", F_ID, REQ },
  { "deviceName", F_TEXT, OPT }, { "client", F_TEXT, OPT }, END
};
static const Field f_push[] = { { "changes", F_ARRAY, REQ }, END };
static const Field f_pull[] = { { "cursor", F_COUNT, REQ }, { "limit", F_COUNT, OPT }, END };
static const Field f_channels[] = { { "channels", F_ARRAY, REQ }, END };
static const Field f_none[] = { END };
static const Field f_room_create[] = {
  { "vehicleId", F_ID, REQ }, { "sessionId", F_ID, OPT }, END
};
static const Field f_room_join[] = { { "code", F_ID, REQ }, END };
static const Field f_room_note[] = { { "roomId", F_ID, REQ }, { "text", F_TEXT, REQ }, END };
static const Field f_room_id[] = { { "roomId", F_ID, REQ }, END };
static const Field f_vehicle_status[] = {
  { "vehicleId", F_ID, REQ }, { "sampledAt", F_COUNT, REQ }, { "values", F_OBJECT, REQ },
  { "sessionId", F_ID, OPT }, END
};
static const Field f_dtc_detected[] = {
  { "vehicleId", F_ID, REQ }, { "codes", F_ARRAY, REQ }, { "detectedAt", F_COUNT, REQ }, END
};
static const Field f_maintenance_alert[] = {
  { "vehicleId", F_ID, REQ }, { "itemId", F_ID, OPT }, { "title", F_TEXT, REQ },
  { "status", F_TEXT, REQ }, END
};
static const Field f_notification[] = {
  { "vehicleId", F_ID, REQ }, { "severity", F_TEXT, REQ }, { "kind", F_TEXT, REQ },
  { "title", F_TEXT, REQ }, { "body", F_TEXT, OPT }, END
};
static const Field f_guide_progress[] = {
  { "vehicleId", F_ID, REQ }, { "guideId", F_ID, REQ }, { "step", F_COUNT, REQ },
  { "steps", F_COUNT, REQ }, { "title", F_TEXT, REQ }, END
};
static const Field f_welcome[] = {
  { "protocolVersion", F_INT, REQ }, { "minProtocolVersion", F_INT, REQ },
  { "server", F_TEXT, OPT }, { "heartbeatSeconds", F_COUNT, REQ }, { "limits", F_OBJECT, REQ },
  END
};
static const Field f_auth_success[] = {
  { "userId", F_ID, REQ }, { "organisationId", F_ID, REQ }, { "role", F_TEXT, REQ },
  { "deviceId", F_ID, REQ }, { "pushedSeq", F_COUNT, REQ }, { "userName", F_TEXT, OPT },
  { "organisationName", F_TEXT, OPT },
  { "vehicleId", F_ID, OPT }, { "chain", F_NULLABLE_OBJECT, OPT }, END
};
static const Field f_push_ack[] = {
  { "ackedSeq", F_COUNT, REQ }, { "inReplyTo", F_ID, OPT }, { "conflicts", F_ARRAY, OPT },
  { "versions", F_ARRAY, OPT }, { "chain", F_NULLABLE_OBJECT, OPT }, END
};
static const Field f_changes[] = {
  { "changes", F_ARRAY, REQ }, { "cursor", F_COUNT, REQ }, { "more", F_BOOL, REQ },
  { "inReplyTo", F_ID, OPT }, END
};
static const Field f_subscription[] = {
  { "channels", F_ARRAY, REQ }, { "inReplyTo", F_ID, OPT }, END
};
static const Field f_pong[] = { { "inReplyTo", F_ID, OPT }, END };
static const Field f_error[] = {
  { "code", F_TEXT, REQ }, { "message", F_TEXT, REQ }, { "inReplyTo", F_ID, OPT },
  { "fatal", F_BOOL, OPT }, END
};
static const Field f_room_created[] = {
  { "roomId", F_ID, REQ }, { "code", F_ID, REQ }, { "vehicleId", F_ID, REQ },
  { "expiresAt", F_COUNT, REQ }, { "inReplyTo", F_ID, OPT }, END
};
static const Field f_room_joined[] = {
  { "roomId", F_ID, REQ }, { "vehicleId", F_ID, REQ }, { "inReplyTo", F_ID, OPT }, END
};
static const Field f_room_closed[] = {
  { "roomId", F_ID, REQ }, { "reason", F_TEXT, REQ }, END
};
static const Field f_presence[] = {
  { "roomId", F_ID, REQ }, { "members", F_ARRAY, REQ }, { "version", F_COUNT, OPT }, END
};
static const Field f_fleet_summary[] = {
  { "after", F_ID, OPT }, { "limit", F_COUNT, OPT }, END
};
static const Field f_history[] = {
  { "vehicleId", F_ID, REQ }, { "before", F_COUNT, OPT }, { "key", F_TEXT, OPT },
  { "limit", F_COUNT, OPT }, END
};
static const Field f_fleet_page[] = {
  { "vehicles", F_ARRAY, REQ }, { "inReplyTo", F_ID, OPT }, END
};
static const Field f_history_page[] = {
  { "vehicleId", F_ID, REQ }, { "items", F_ARRAY, REQ }, { "inReplyTo", F_ID, OPT }, END
};

typedef struct
{
  const char       *name;
  ObdSyncDirection  senders;
  const Field      *fields;
} TypeInfo;

#define C OBD_SYNC_FROM_CLIENT
#define S OBD_SYNC_FROM_SERVER

static const TypeInfo types[] = {
  [OBD_SYNC_MSG_UNKNOWN] = { NULL, 0, f_none },
  [OBD_SYNC_MSG_AUTHENTICATE] = { "authenticate", C, f_authenticate },
  [OBD_SYNC_MSG_PUSH] = { "push", C, f_push },
  [OBD_SYNC_MSG_PULL] = { "pull", C, f_pull },
  [OBD_SYNC_MSG_SUBSCRIBE] = { "subscribe", C, f_channels },
  [OBD_SYNC_MSG_UNSUBSCRIBE] = { "unsubscribe", C, f_channels },
  [OBD_SYNC_MSG_PING] = { "ping", C, f_none },
  [OBD_SYNC_MSG_ROOM_CREATE] = { "room_create", C, f_room_create },
  [OBD_SYNC_MSG_ROOM_JOIN] = { "room_join", C, f_room_join },
  [OBD_SYNC_MSG_ROOM_NOTE] = { "room_note", C | S, f_room_note },
  [OBD_SYNC_MSG_ROOM_CLOSE] = { "room_close", C, f_room_id },
  [OBD_SYNC_MSG_ROOM_LEAVE] = { "room_leave", C, f_room_id },
  [OBD_SYNC_MSG_FLEET_SUMMARY] = { "fleet_summary", C, f_fleet_summary },
  [OBD_SYNC_MSG_HISTORY] = { "history", C, f_history },
  [OBD_SYNC_MSG_VEHICLE_STATUS] = { "vehicle_status", C | S, f_vehicle_status },
  [OBD_SYNC_MSG_DTC_DETECTED] = { "dtc_detected", C | S, f_dtc_detected },
  [OBD_SYNC_MSG_MAINTENANCE_ALERT] = { "maintenance_alert", C | S, f_maintenance_alert },
  [OBD_SYNC_MSG_NOTIFICATION] = { "notification", C | S, f_notification },
  [OBD_SYNC_MSG_GUIDE_PROGRESS] = { "guide_progress", C | S, f_guide_progress },
  [OBD_SYNC_MSG_WELCOME] = { "welcome", S, f_welcome },
  [OBD_SYNC_MSG_AUTHENTICATION_SUCCESS] = { "authentication_success", S, f_auth_success },
  [OBD_SYNC_MSG_PUSH_ACK] = { "push_ack", S, f_push_ack },
  [OBD_SYNC_MSG_CHANGES] = { "changes", S, f_changes },
  [OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS] = { "subscription_success", S, f_subscription },
  [OBD_SYNC_MSG_PONG] = { "pong", S, f_pong },
  [OBD_SYNC_MSG_ERROR] = { "error", S, f_error },
  [OBD_SYNC_MSG_ROOM_CREATED] = { "room_created", S, f_room_created },
  [OBD_SYNC_MSG_ROOM_JOINED] = { "room_joined", S, f_room_joined },
  [OBD_SYNC_MSG_ROOM_CLOSED] = { "room_closed", S, f_room_closed },
  [OBD_SYNC_MSG_PRESENCE] = { "presence", S, f_presence },
  [OBD_SYNC_MSG_FLEET_PAGE] = { "fleet_page", S, f_fleet_page },
  [OBD_SYNC_MSG_HISTORY_PAGE] = { "history_page", S, f_history_page },
};

#undef C
#undef S

G_STATIC_ASSERT (G_N_ELEMENTS (types) == OBD_SYNC_MSG_LAST + 1);

const char *
obd_sync_message_type_to_string (ObdSyncMessageType type)
{
  g_return_val_if_fail (type > OBD_SYNC_MSG_UNKNOWN && type <= OBD_SYNC_MSG_LAST, NULL);
  return types[type].name;
}

ObdSyncMessageType
obd_sync_message_type_from_string (const char *name)
{
  for (guint i = 1; name != NULL && i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (types[i].name, name))
      return (ObdSyncMessageType) i;
  return OBD_SYNC_MSG_UNKNOWN;
}

ObdSyncDirection
obd_sync_message_type_get_senders (ObdSyncMessageType type)
{
  if ((guint) type > OBD_SYNC_MSG_LAST)
    return 0;
  return types[type].senders;
}

/* Checking ------------------------------------------------------------- */

gboolean
obd_sync_id_is_valid (const char *id)
{
  gsize n = 0;

  if (id == NULL || *id == '\0')
    return FALSE;
  for (const char *p = id; *p != '\0'; p++, n++)
    {
      if (n >= OBD_SYNC_MAX_ID_LENGTH)
        return FALSE;
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.' && *p != ':')
        return FALSE;
    }
  return TRUE;
}

static gboolean
bad (GError     **error,
     const char  *type,
     const char  *member,
     const char  *why)
{
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
               _("The “%s” message has a bad “%s”: %s."), type, member, why);
  return FALSE;
}

static gboolean
node_is (JsonNode *node,
         GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
check_field (JsonObject  *object,
             const char  *type,
             const Field *field,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, field->name);

  if (node == NULL)
    return field->required ? bad (error, type, field->name, _("it is missing")) : TRUE;

  switch (field->kind)
    {
    case F_TEXT:
      if (!node_is (node, G_TYPE_STRING))
        return bad (error, type, field->name, _("expected a string"));
      if (strlen (json_node_get_string (node)) > OBD_SYNC_MAX_TEXT_LENGTH)
        return bad (error, type, field->name, _("the text is too long"));
      return TRUE;
    case F_BULK:
      if (!node_is (node, G_TYPE_STRING))
        return bad (error, type, field->name, _("expected a string"));
      return TRUE;
    case F_ID:
      if (!node_is (node, G_TYPE_STRING) || !obd_sync_id_is_valid (json_node_get_string (node)))
        return bad (error, type, field->name,
                    _("expected an identifier of letters, digits and .-_:"));
      return TRUE;
    case F_INT:
      if (!node_is (node, G_TYPE_INT64))
        return bad (error, type, field->name, _("expected an integer"));
      return TRUE;
    case F_COUNT:
      if (!node_is (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
        return bad (error, type, field->name, _("expected an integer of 0 or more"));
      return TRUE;
    case F_NUMBER:
      if (!(node_is (node, G_TYPE_INT64) || node_is (node, G_TYPE_DOUBLE))
          || !isfinite (json_node_get_double (node)))
        return bad (error, type, field->name, _("expected a finite number"));
      return TRUE;
    case F_BOOL:
      if (!node_is (node, G_TYPE_BOOLEAN))
        return bad (error, type, field->name, _("expected true or false"));
      return TRUE;
    case F_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad (error, type, field->name, _("expected an object"));
      return TRUE;
    case F_NULLABLE_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node) && !JSON_NODE_HOLDS_NULL (node))
        return bad (error, type, field->name, _("expected an object or null"));
      return TRUE;
    case F_ARRAY:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return bad (error, type, field->name, _("expected an array"));
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
check_fields (JsonObject  *object,
              const char  *type,
              const Field *fields,
              GError     **error)
{
  for (const Field *f = fields; f->name != NULL; f++)
    if (!check_field (object, type, f, error))
      return FALSE;
  return TRUE;
}

/* Each element an object that passes fields. */
static gboolean
check_array_of (JsonObject  *payload,
                const char  *type,
                const char  *member,
                const Field *fields,
                guint        max,
                GError     **error)
{
  JsonArray *array = json_object_get_array_member (payload, member);
  guint n = json_array_get_length (array);

  if (n > max)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BATCH_TOO_LARGE,
                   _("The “%s” message has %u entries in “%s”; at most %u are allowed."),
                   type, n, member, max);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad (error, type, member, _("expected an array of objects"));
      if (!check_fields (json_node_get_object (node), type, fields, error))
        return FALSE;
    }
  return TRUE;
}

static const char * const entities[] = {
  "vehicle", "session", "dtc_event", "maintenance_item", "notification", "note", "guide_run",
  "samples", NULL
};
static const char * const ops[] = { "insert", "update", "delete", NULL };

static const Field f_change[] = {
  { "seq", F_COUNT, REQ }, { "entity", F_TEXT, REQ }, { "entityId", F_ID, REQ },
  { "op", F_TEXT, REQ }, { "changedAt", F_COUNT, REQ }, { "data", F_OBJECT, REQ },
  { "baseVersion", F_COUNT, OPT }, { "part", F_COUNT, OPT }, { "chainSeq", F_COUNT, OPT }, END
};
static const Field f_samples_data[] = {
  { "encoding", F_TEXT, REQ }, { "count", F_COUNT, REQ }, { "samples", F_BULK, REQ }, END
};
static const Field f_pulled_change[] = {
  { "cursor", F_COUNT, REQ }, { "entity", F_TEXT, REQ }, { "entityId", F_ID, REQ },
  { "op", F_TEXT, REQ }, { "version", F_COUNT, REQ }, { "changedAt", F_COUNT, REQ },
  { "device", F_ID, REQ }, { "data", F_OBJECT, REQ }, { "conflict", F_NULLABLE_OBJECT, OPT },
  END
};
static const Field f_conflict[] = {
  { "entity", F_TEXT, REQ }, { "entityId", F_ID, REQ }, { "winner", F_TEXT, REQ },
  { "version", F_COUNT, REQ }, { "theirs", F_OBJECT, REQ }, { "mine", F_OBJECT, REQ }, END
};
static const Field f_version[] = {
  { "entity", F_TEXT, REQ }, { "entityId", F_ID, REQ }, { "version", F_COUNT, REQ }, END
};
static const Field f_dtc_code[] = { { "code", F_ID, REQ }, { "kind", F_TEXT, OPT }, END };
static const Field f_member[] = {
  { "userId", F_ID, REQ }, { "userName", F_TEXT, OPT }, { "role", F_TEXT, REQ },
  { "host", F_BOOL, REQ }, END
};

static gboolean
check_changes (JsonObject  *payload,
               GError     **error)
{
  JsonArray *array = json_object_get_array_member (payload, "changes");

  if (json_array_get_length (array) == 0)
    return bad (error, "push", "changes", _("a push needs at least one change"));
  if (!check_array_of (payload, "push", "changes", f_change, G_MAXUINT, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *change = json_array_get_object_element (array, i);
      const char *entity = json_object_get_string_member (change, "entity");
      gboolean is_samples = g_str_equal (entity, "samples");

      if (!g_strv_contains (entities, entity))
        return bad (error, "push", "entity", _("not a kind of record this version knows"));
      if (!g_strv_contains (ops, json_object_get_string_member (change, "op")))
        return bad (error, "push", "op", _("expected insert, update or delete"));
      if (json_object_get_int_member (change, "seq") < 1)
        return bad (error, "push", "seq", _("sequence numbers start at 1"));
      if (is_samples != json_object_has_member (change, "part"))
        return bad (error, "push", "part", _("exactly the samples changes have parts"));
      if (is_samples)
        {
          JsonObject *data = json_object_get_object_member (change, "data");

          if (!check_fields (data, "push", f_samples_data, error))
            return FALSE;
          if (!g_str_equal (json_object_get_string_member (data, "encoding"),
                            OBD_SYNC_SAMPLES_ENCODING))
            return bad (error, "push", "encoding", _("unknown sample encoding"));
        }
    }
  return TRUE;
}

static gboolean
check_channels (JsonObject  *payload,
                const char  *type,
                GError     **error)
{
  JsonArray *array = json_object_get_array_member (payload, "channels");
  guint n = json_array_get_length (array);

  if (n > OBD_SYNC_MAX_CHANNELS)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BATCH_TOO_LARGE,
                   _("The “%s” message names %u channels; at most %u are allowed."),
                   type, n, OBD_SYNC_MAX_CHANNELS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!node_is (node, G_TYPE_STRING)
          || obd_sync_channel_parse (json_node_get_string (node), NULL)
             == OBD_SYNC_CHANNEL_INVALID)
        return bad (error, type, "channels",
                    _("expected channel names such as “vehicle:ID” or “fleet:ID”"));
    }
  return TRUE;
}

/* {"rpm": {"value": 812, "unit": "rpm"}, ...} */
static gboolean
check_values (JsonObject  *payload,
              GError     **error)
{
  JsonObject *values = json_object_get_object_member (payload, "values");
  g_autoptr(GList) names = json_object_get_members (values);
  static const Field f_value[] = {
    { "value", F_NUMBER, REQ }, { "unit", F_TEXT, OPT }, END
  };

  if (g_list_length (names) > 256)
    return bad (error, "vehicle_status", "values", _("more than 256 values"));
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (values, l->data);

      if (!obd_sync_id_is_valid (l->data) || !JSON_NODE_HOLDS_OBJECT (node))
        return bad (error, "vehicle_status", "values",
                    _("expected {\"name\": {\"value\": number, \"unit\": text}}"));
      if (!check_fields (json_node_get_object (node), "vehicle_status", f_value, error))
        return FALSE;
    }
  return TRUE;
}

static const Field f_fleet_vehicle[] = {
  { "vehicleId", F_ID, REQ }, { "activeCodes", F_COUNT, REQ }, { "pendingCodes", F_COUNT, REQ },
  { "maintenanceDue", F_COUNT, REQ }, { "maintenanceOverdue", F_COUNT, REQ },
  { "unreadWarnings", F_COUNT, REQ }, { "unreadCritical", F_COUNT, REQ },
  { "sessions", F_COUNT, REQ }, END
};
static const Field f_history_item[] = {
  { "entity", F_TEXT, REQ }, { "entityId", F_ID, REQ }, { "version", F_COUNT, REQ },
  { "changedAt", F_COUNT, REQ }, { "data", F_OBJECT, REQ }, END
};

static gboolean
check_payload (ObdSyncMessageType   type,
               JsonObject          *payload,
               GError             **error)
{
  const char *name = types[type].name;

  if (!check_fields (payload, name, types[type].fields, error))
    return FALSE;

  switch (type)
    {
    case OBD_SYNC_MSG_PUSH:
      return check_changes (payload, error);
    case OBD_SYNC_MSG_PULL:
      if (obd_sync_payload_get_int (payload, "limit", 1) < 1
          || obd_sync_payload_get_int (payload, "limit", 1) > OBD_SYNC_MAX_PULL)
        return bad (error, name, "limit", _("expected 1 to 1000"));
      return TRUE;
    case OBD_SYNC_MSG_SUBSCRIBE:
    case OBD_SYNC_MSG_UNSUBSCRIBE:
    case OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS:
      return check_channels (payload, name, error);
    case OBD_SYNC_MSG_VEHICLE_STATUS:
      return check_values (payload, error);
    case OBD_SYNC_MSG_DTC_DETECTED:
      return check_array_of (payload, name, "codes", f_dtc_code, 256, error);
    case OBD_SYNC_MSG_CHANGES:
      return check_array_of (payload, name, "changes", f_pulled_change, OBD_SYNC_MAX_PULL,
                             error);
    case OBD_SYNC_MSG_PUSH_ACK:
      return (!json_object_has_member (payload, "conflicts")
              || check_array_of (payload, name, "conflicts", f_conflict, G_MAXUINT, error))
             && (!json_object_has_member (payload, "versions")
                 || check_array_of (payload, name, "versions", f_version, G_MAXUINT, error));
    case OBD_SYNC_MSG_PRESENCE:
      return check_array_of (payload, name, "members", f_member, 1024, error);
    case OBD_SYNC_MSG_FLEET_SUMMARY:
    case OBD_SYNC_MSG_HISTORY:
      if (obd_sync_payload_get_int (payload, "limit", 1) < 1
          || obd_sync_payload_get_int (payload, "limit", 1) > OBD_SYNC_MAX_PAGE)
        return bad (error, name, "limit", _("expected 1 to 200"));
      return TRUE;
    case OBD_SYNC_MSG_FLEET_PAGE:
      return check_array_of (payload, name, "vehicles", f_fleet_vehicle, OBD_SYNC_MAX_PAGE,
                             error);
    case OBD_SYNC_MSG_HISTORY_PAGE:
      return check_array_of (payload, name, "items", f_history_item, OBD_SYNC_MAX_PAGE, error);
    default:
      return TRUE;
    }
}

/* json-glib's parser recurses once per level of nesting: bound the depth
 * before it runs, so a frame of a million "[" cannot exhaust the stack. */
static gboolean
check_depth (const char *data,
             gsize       length,
             guint       max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            return FALSE;
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  return TRUE;
}

/* What json-glib accepts but cannot write back as JSON, found by the
 * fuzzer: 1e999 reads as infinity (written "inf.0"), and an escaped lone
 * surrogate ("\ud800") decodes to bytes that are not UTF-8.  Refused
 * anywhere, not only in the members the tables check.  The depth was
 * bounded before parsing. */
static gboolean
check_values_round_trip (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        const char *name;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !check_values_round_trip (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!check_values_round_trip (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      return json_node_get_value_type (node) != G_TYPE_DOUBLE
             || isfinite (json_node_get_double (node));
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

void
obd_sync_message_free (ObdSyncMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->message_id);
  g_clear_pointer (&message->payload, json_object_unref);
  g_free (message);
}

ObdSyncMessage *
obd_sync_message_parse (const char        *data,
                        gsize              length,
                        gsize              max_bytes,
                        ObdSyncDirection   from,
                        char             **out_message_id,
                        GError           **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(ObdSyncMessage) message = NULL;
  JsonObject *envelope;
  JsonNode *root, *node;
  const char *type_name, *id, *stamp;
  ObdSyncMessageType type;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (out_message_id != NULL)
    *out_message_id = NULL;
  if (max_bytes == 0)
    max_bytes = OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES;
  if (length > max_bytes)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_TOO_LARGE,
                   _("The message has %zu bytes; at most %zu are allowed. Send fewer changes at once."), length, max_bytes);
      return NULL;
    }
  if (length == 0 || !g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_JSON,
                   _("The message is not JSON text: it is empty or not valid UTF-8."));
      return NULL;
    }
  if (!check_depth (data, length, OBD_SYNC_MAX_JSON_DEPTH))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_JSON,
                   _("The message nests deeper than %d levels."), OBD_SYNC_MAX_JSON_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_JSON,
                   _("The message is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                   _("A message is a JSON object with “type”, “payload”, “timestamp” and "
                     "“messageId”."));
      return NULL;
    }
  if (!check_values_round_trip (root))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_JSON,
                   _("The message holds a number too large for JSON, or text that is not "
                     "UTF-8 once its escapes are read."));
      return NULL;
    }
  envelope = json_node_get_object (root);

  node = json_object_get_member (envelope, "messageId");
  if (!node_is (node, G_TYPE_STRING) || !obd_sync_id_is_valid (json_node_get_string (node)))
    return bad (error, "?", "messageId", _("expected an identifier such as a UUID")), NULL;
  id = json_node_get_string (node);
  if (out_message_id != NULL)
    *out_message_id = g_strdup (id);

  node = json_object_get_member (envelope, "type");
  if (!node_is (node, G_TYPE_STRING))
    return bad (error, "?", "type", _("expected the name of a message type")), NULL;
  type_name = json_node_get_string (node);
  type = obd_sync_message_type_from_string (type_name);
  if (type == OBD_SYNC_MSG_UNKNOWN || (types[type].senders & from) == 0)
    {
      g_autofree char *shown = g_utf8_make_valid (type_name, MIN (strlen (type_name), 64));

      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNKNOWN_TYPE,
                   _("Unknown message type “%s”."), shown);
      return NULL;
    }

  node = json_object_get_member (envelope, "timestamp");
  if (!node_is (node, G_TYPE_STRING))
    return bad (error, type_name, "timestamp", _("expected ISO 8601 text")), NULL;
  stamp = json_node_get_string (node);
  if (strlen (stamp) > 64 || (time = g_date_time_new_from_iso8601 (stamp, NULL)) == NULL)
    return bad (error, type_name, "timestamp",
                _("expected ISO 8601 text with a time zone, such as "
                  "2024-05-01T10:00:00.000Z")), NULL;

  node = json_object_get_member (envelope, "payload");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, type_name, "payload", _("expected an object")), NULL;

  if (!check_payload (type, json_node_get_object (node), error))
    return NULL;

  message = g_new0 (ObdSyncMessage, 1);
  message->type = type;
  message->message_id = g_strdup (id);
  message->timestamp_us = g_date_time_to_unix (time) * G_USEC_PER_SEC
                          + g_date_time_get_microsecond (time);
  message->payload = json_object_ref (json_node_get_object (node));
  return g_steal_pointer (&message);
}

/* Building ------------------------------------------------------------- */

char *
obd_sync_format_timestamp (gint64 time_us)
{
  gint64 seconds = time_us / G_USEC_PER_SEC;
  gint64 micro = time_us % G_USEC_PER_SEC;
  time_t t;
  struct tm tm;

  if (micro < 0)
    {
      micro += G_USEC_PER_SEC;
      seconds--;
    }
  /* gmtime_r, not GDateTime: GLib 2.74's shared UTC time zone is
   * reference-counted with a racy read (ThreadSanitizer sees it from the
   * client's job thread and the main thread).  By hand: "%Y" does not pad
   * years before 1000, and the result must parse again. */
  t = (time_t) seconds;
  if ((gint64) t != seconds || gmtime_r (&t, &tm) == NULL || tm.tm_year + 1900 < 1
      || tm.tm_year + 1900 > 9999)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                          (int) (micro / 1000));
}

ObdSyncMessage *
obd_sync_message_new (ObdSyncMessageType  type,
                      JsonObject         *payload)
{
  ObdSyncMessage *message;

  g_return_val_if_fail (type > OBD_SYNC_MSG_UNKNOWN && type <= OBD_SYNC_MSG_LAST, NULL);

  message = g_new0 (ObdSyncMessage, 1);
  message->type = type;
  message->message_id = g_uuid_string_random ();
  message->timestamp_us = g_get_real_time ();
  message->payload = payload != NULL ? payload : json_object_new ();
  return message;
}

char *
obd_sync_message_to_string (const ObdSyncMessage *message,
                            gsize                *out_length)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonObject *envelope = json_object_new ();
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  stamp = obd_sync_format_timestamp (message->timestamp_us);
  json_object_set_string_member (envelope, "type", types[message->type].name);
  json_object_set_object_member (envelope, "payload", json_object_ref (message->payload));
  json_object_set_string_member (envelope, "timestamp", stamp);
  json_object_set_string_member (envelope, "messageId", message->message_id);
  json_node_take_object (root, envelope);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, out_length);
}

ObdSyncMessage *
obd_sync_message_new_error (ObdSyncErrorCode  code,
                            const char       *text,
                            const char       *in_reply_to,
                            gboolean          fatal)
{
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "code", obd_sync_error_code_to_string (code));
  json_object_set_string_member (payload, "message", text != NULL ? text : "");
  if (in_reply_to != NULL)
    json_object_set_string_member (payload, "inReplyTo", in_reply_to);
  json_object_set_boolean_member (payload, "fatal", fatal);
  return obd_sync_message_new (OBD_SYNC_MSG_ERROR, payload);
}

GError *
obd_sync_message_dup_error (const ObdSyncMessage *message)
{
  g_return_val_if_fail (message != NULL && message->type == OBD_SYNC_MSG_ERROR, NULL);

  return g_error_new (OBD_SYNC_ERROR,
                      obd_sync_error_code_from_string (
                        obd_sync_payload_get_string (message->payload, "code")),
                      "%s", obd_sync_payload_get_string (message->payload, "message"));
}

ObdSyncChannelKind
obd_sync_channel_parse (const char  *channel,
                        const char **out_id)
{
  static const struct { const char *prefix; ObdSyncChannelKind kind; } kinds[] = {
    { "vehicle:", OBD_SYNC_CHANNEL_VEHICLE },
    { "fleet:", OBD_SYNC_CHANNEL_FLEET },
    { "room:", OBD_SYNC_CHANNEL_ROOM },
  };

  if (channel == NULL)
    return OBD_SYNC_CHANNEL_INVALID;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_has_prefix (channel, kinds[i].prefix))
      {
        const char *id = channel + strlen (kinds[i].prefix);

        if (!obd_sync_id_is_valid (id))
          return OBD_SYNC_CHANNEL_INVALID;
        if (out_id != NULL)
          *out_id = id;
        return kinds[i].kind;
      }
  return OBD_SYNC_CHANNEL_INVALID;
}

const char *
obd_sync_payload_get_string (JsonObject *payload,
                             const char *member)
{
  JsonNode *node = json_object_get_member (payload, member);

  return node_is (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

gint64
obd_sync_payload_get_int (JsonObject *payload,
                          const char *member,
                          gint64      if_missing)
{
  JsonNode *node = json_object_get_member (payload, member);

  return node_is (node, G_TYPE_INT64) ? json_node_get_int (node) : if_missing;
}

/* Samples -------------------------------------------------------------- */

char *
obd_sync_samples_encode (const ObdSyncSample *samples,
                         gsize                n_samples)
{
  g_autofree guint8 *packed = g_malloc0 (MAX (n_samples, 1) * OBD_SYNC_SAMPLE_RECORD_SIZE);

  for (gsize i = 0; i < n_samples; i++)
    {
      guint8 *r = packed + i * OBD_SYNC_SAMPLE_RECORD_SIZE;
      guint64 time = GUINT64_TO_LE ((guint64) samples[i].time_us);
      guint64 bits;
      guint32 ecu = GUINT32_TO_LE (samples[i].ecu);

      memcpy (&bits, &samples[i].value, sizeof bits);
      bits = GUINT64_TO_LE (bits);
      memcpy (r, &time, 8);
      memcpy (r + 8, &bits, 8);
      memcpy (r + 16, &ecu, 4);
      r[20] = samples[i].service;
      r[21] = samples[i].pid;
      r[22] = samples[i].index;
    }
  return g_base64_encode (packed, n_samples * OBD_SYNC_SAMPLE_RECORD_SIZE);
}

/* 1990-01-01: no OBD-II car recorded anything before. */
#define EARLIEST_SAMPLE_US G_GINT64_CONSTANT (631152000000000)

static void
unpack_record (const guint8  *r,
               ObdSyncSample *s)
{
  guint64 time, bits;
  guint32 ecu;

  memcpy (&time, r, 8);
  memcpy (&bits, r + 8, 8);
  memcpy (&ecu, r + 16, 4);
  bits = GUINT64_FROM_LE (bits);
  s->time_us = (gint64) GUINT64_FROM_LE (time);
  memcpy (&s->value, &bits, sizeof s->value);
  s->ecu = GUINT32_FROM_LE (ecu);
  s->service = r[20];
  s->pid = r[21];
  s->index = r[22];
}

GBytes *
obd_sync_samples_decode (const char  *base64,
                         gsize        expected_count,
                         gint64      *out_first_us,
                         gint64      *out_last_us,
                         GError     **error)
{
  g_autofree guint8 *packed = NULL;
  gsize length = 0;
  gsize text_length;
  gint64 first = G_MAXINT64, last = 0;

  g_return_val_if_fail (base64 != NULL, NULL);

  /* g_base64_decode () skips characters outside the alphabet; a chunk
   * must be nothing but the alphabet, padded to a multiple of four. */
  text_length = strlen (base64);
  for (gsize i = 0; i < text_length; i++)
    if (!g_ascii_isalnum (base64[i]) && base64[i] != '+' && base64[i] != '/'
        && !(base64[i] == '=' && i + 2 >= text_length))
      {
        g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                     _("The samples are not Base64 text."));
        return NULL;
      }
  if (text_length % 4 != 0)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                   _("The samples are cut short."));
      return NULL;
    }

  packed = text_length > 0 ? g_base64_decode (base64, &length) : NULL;
  if (length % OBD_SYNC_SAMPLE_RECORD_SIZE != 0
      || length / OBD_SYNC_SAMPLE_RECORD_SIZE != expected_count)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                   _("The samples hold %zu bytes, not the %zu records of %d bytes the change announces."),
                   length, expected_count, OBD_SYNC_SAMPLE_RECORD_SIZE);
      return NULL;
    }

  for (gsize i = 0; i < expected_count; i++)
    {
      const guint8 *r = packed + i * OBD_SYNC_SAMPLE_RECORD_SIZE;
      ObdSyncSample s;

      unpack_record (r, &s);
      if (!isfinite (s.value) || s.service < 1 || s.service > 10 || r[23] != 0
          || s.time_us < EARLIEST_SAMPLE_US)
        {
          g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                       _("Sample %zu is not valid (a value that is not a "
                         "number, an unknown service or an impossible time)."), i);
          return NULL;
        }
      first = MIN (first, s.time_us);
      last = MAX (last, s.time_us);
    }
  if (out_first_us != NULL)
    *out_first_us = expected_count > 0 ? first : 0;
  if (out_last_us != NULL)
    *out_last_us = last;
  return g_bytes_new_take (g_steal_pointer (&packed), length);
}

void
obd_sync_samples_unpack (GBytes *packed,
                         GArray *samples)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (packed, &length);

  g_return_if_fail (length % OBD_SYNC_SAMPLE_RECORD_SIZE == 0);
  for (gsize i = 0; i < length / OBD_SYNC_SAMPLE_RECORD_SIZE; i++)
    {
      ObdSyncSample s;

      unpack_record (data + i * OBD_SYNC_SAMPLE_RECORD_SIZE, &s);
      g_array_append_val (samples, s);
    }
}
