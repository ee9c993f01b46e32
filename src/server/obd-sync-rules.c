/* obd-sync-rules.c — the rules every storage backend of obd2-syncd keeps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-sync-message.h"
#include "obd-sync-rules.h"

gboolean
obd_sync_role_may_push (ObdSyncRole  role,
                        const char  *entity)
{
  static const char * const fleet[] = {
    "vehicle", "maintenance_item", "note", "notification", NULL
  };
  static const char * const owner[] = { "note", "notification", NULL };

  switch (role)
    {
    case OBD_SYNC_ROLE_MECHANIC:
    case OBD_SYNC_ROLE_ADMIN:
      return TRUE;
    case OBD_SYNC_ROLE_FLEET:
      return g_strv_contains (fleet, entity);
    case OBD_SYNC_ROLE_OWNER:
    default:
      return g_strv_contains (owner, entity);
    }
}

gboolean
obd_sync_entity_is_editable (const char *entity)
{
  return g_str_equal (entity, "vehicle") || g_str_equal (entity, "maintenance_item");
}

const char *
obd_sync_entity_state (const char *entity,
                       const char *op,
                       JsonObject *data)
{
  const char *kind, *status, *severity;

  if (g_strcmp0 (op, "delete") == 0 || data == NULL)
    return NULL;
  if (g_str_equal (entity, "dtc_event"))
    {
      /* A code cleared anywhere is cleared; pending codes are not yet
       * confirmed, so they are counted apart. */
      if (obd_sync_payload_get_int (data, "cleared_us", 0) > 0)
        return "cleared";
      kind = obd_sync_payload_get_string (data, "kind");
      return g_strcmp0 (kind, "pending") == 0 ? "pending" : "active";
    }
  if (g_str_equal (entity, "maintenance_item"))
    {
      static const char * const known[] = { "due", "overdue", "done", NULL };

      status = obd_sync_payload_get_string (data, "status");
      return status != NULL && g_strv_contains (known, status)
             ? g_intern_string (status) : NULL;
    }
  if (g_str_equal (entity, "notification"))
    {
      JsonNode *read = json_object_get_member (data, "read");

      if (read != NULL && JSON_NODE_HOLDS_VALUE (read)
          && json_node_get_value_type (read) == G_TYPE_BOOLEAN && json_node_get_boolean (read))
        return "read";
      severity = obd_sync_payload_get_string (data, "severity");
      if (g_strcmp0 (severity, "critical") == 0)
        return "unread-critical";
      if (g_strcmp0 (severity, "warning") == 0)
        return "unread-warning";
      return "unread";
    }
  if (g_str_equal (entity, "session"))
    return "session";
  return NULL;
}

char *
obd_sync_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

JsonObject *
obd_sync_object_from_string (const char *text)
{
  g_autoptr(JsonNode) node = text != NULL ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();
  return json_object_ref (json_node_get_object (node));
}

void
obd_sync_current_clear (ObdSyncCurrent *c)
{
  g_clear_pointer (&c->data, g_free);
  g_clear_pointer (&c->device_id, g_free);
  memset (c, 0, sizeof *c);
}

static gboolean
forbidden (GError     **error,
           const char  *message)
{
  g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN, message);
  return FALSE;
}

gboolean
obd_sync_check_vehicle (const ObdSyncPushOps    *ops,
                        gpointer                 db,
                        const ObdSyncPrincipal  *p,
                        const char              *id,
                        char                   **out_vehicle,
                        GError                 **error)
{
  g_autofree char *vehicle = NULL;
  g_autofree char *organisation = NULL;

  if (!ops->resolve_vehicle (db, id, &vehicle, &organisation, error))
    return FALSE;
  if (vehicle == NULL)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                   _("The server does not know vehicle “%s”. Sync the PC that recorded it "
                     "first."), id);
      return FALSE;
    }
  if (g_strcmp0 (organisation, p->organisation_id) != 0)
    return forbidden (error, _("This vehicle belongs to another organisation."));
  if (p->role == OBD_SYNC_ROLE_OWNER && g_strcmp0 (vehicle, p->vehicle_id) != 0)
    return forbidden (error, _("An owner's account sees only the owner's own vehicle."));
  if (out_vehicle != NULL)
    *out_vehicle = g_steal_pointer (&vehicle);
  return TRUE;
}

/* Push ------------------------------------------------------------------- */

/* A copy of data with "vehicle" naming the vehicle the server keeps. */
static JsonObject *
with_vehicle (JsonObject *data,
              const char *vehicle_id)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (data);

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (data,
                                                                                  l->data)));
  json_object_set_string_member (copy, "vehicle", vehicle_id);
  return copy;
}

static JsonObject *
side (const char *device,
      gint64      changed_us,
      JsonObject *data)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "device", device);
  json_object_set_int_member (o, "changedAt", changed_us);
  json_object_set_object_member (o, "data", json_object_ref (data));
  return o;
}

/* Which vehicle a change is about, checked against the principal.  For a
 * new vehicle, registers it in the principal's organisation (or, when
 * another device already brought the same VIN, makes the id an alias of
 * that vehicle).  *out_vehicle stays NULL for a record without one. */
static gboolean
change_vehicle (ObdSyncPush  *push,
                const char   *entity,
                const char   *entity_id,
                JsonObject   *data,
                char        **out_vehicle,
                gboolean     *out_merged,
                GError      **error)
{
  const ObdSyncPushOps *ops = push->ops;
  const char *ref;

  *out_vehicle = NULL;
  *out_merged = FALSE;
  if (g_str_equal (entity, "vehicle"))
    {
      g_autofree char *organisation = NULL;
      g_autofree char *existing = NULL;
      const char *vin = obd_sync_payload_get_string (data, "vin");

      if (!ops->resolve_vehicle (push->db, entity_id, out_vehicle, &organisation, error))
        return FALSE;
      if (*out_vehicle != NULL)
        return obd_sync_check_vehicle (ops, push->db, push->principal, entity_id, NULL, error);
      if (push->principal->role == OBD_SYNC_ROLE_OWNER)
        return forbidden (error, _("An owner's account cannot add vehicles."));

      if (vin != NULL && !ops->find_vin (push, vin, &existing, error))
        return FALSE;
      if (existing != NULL)
        {
          if (!ops->add_alias (push, entity_id, existing, error))
            return FALSE;
          *out_vehicle = g_steal_pointer (&existing);
          *out_merged = TRUE;
          return TRUE;
        }
      if (!ops->add_vehicle (push, entity_id, vin, out_vehicle, error))
        return FALSE;
      *out_merged = g_strcmp0 (*out_vehicle, entity_id) != 0;
      return TRUE;
    }

  ref = obd_sync_payload_get_string (data, "vehicle");
  if (ref == NULL)
    {
      /* A session recorded without a VIN has no vehicle; other records
       * always have one. */
      if (g_str_equal (entity, "session") && push->principal->role != OBD_SYNC_ROLE_OWNER)
        return TRUE;
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                   _("A %s change must name its vehicle."), entity);
      return FALSE;
    }
  if (!obd_sync_id_is_valid (ref))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                   _("A %s change names a vehicle with a bad identifier."), entity);
      return FALSE;
    }
  return obd_sync_check_vehicle (ops, push->db, push->principal, ref, out_vehicle, error);
}

static void
add_version (ObdSyncPush *push,
             const char  *entity,
             const char  *entity_id,
             gint64       version)
{
  JsonObject *v = json_object_new ();

  json_object_set_string_member (v, "entity", entity);
  json_object_set_string_member (v, "entityId", entity_id);
  json_object_set_int_member (v, "version", version);
  json_array_add_object_element (push->result->versions, v);
}

static gboolean
store_samples (ObdSyncPush  *push,
               JsonObject   *change,
               GError      **error)
{
  JsonObject *data = json_object_get_object_member (change, "data");
  g_autoptr(GBytes) packed = NULL;
  gint64 first = 0, last = 0;

  packed = obd_sync_samples_decode (json_object_get_string_member (data, "samples"),
                                    json_object_get_int_member (data, "count"),
                                    &first, &last, error);
  if (packed == NULL)
    return FALSE;
  return push->ops->store_samples (push, change, packed, first, last, error);
}

/* A session is stored (and its seq acknowledged) only with all its
 * samples: its parts travel ahead of it, possibly in several pushes, and
 * one of those may have failed (the database restarted, an instance was
 * killed) while a later one got through.  Refused, the session is sent
 * again from its first part, and the parts stored already count once. */
static gboolean
samples_complete (ObdSyncPush  *push,
                  const char   *session_id,
                  JsonObject   *data,
                  GError      **error)
{
  gint64 expected = obd_sync_payload_get_int (data, "sample_count", 0);
  gint64 stored = 0;

  if (expected <= 0)
    return TRUE;
  if (!push->ops->count_samples (push, session_id, &stored, error))
    return FALSE;
  if (stored >= expected)
    return TRUE;
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
               _("Only %" PRId64 " of the %" PRId64 " samples of session %s "
                 "arrived; the PC sends the session again."), stored, expected, session_id);
  return FALSE;
}

gboolean
obd_sync_push_change (ObdSyncPush  *push,
                      JsonObject   *change,
                      GError      **error)
{
  const ObdSyncPushOps *ops = push->ops;
  const char *entity = json_object_get_string_member (change, "entity");
  const char *entity_id = json_object_get_string_member (change, "entityId");
  const char *op = json_object_get_string_member (change, "op");
  JsonObject *data = json_object_get_object_member (change, "data");
  gint64 seq = json_object_get_int_member (change, "seq");
  gint64 changed_us = json_object_get_int_member (change, "changedAt");
  gint64 base = obd_sync_payload_get_int (change, "baseVersion", 0);
  g_autofree char *vehicle = NULL;
  g_autofree char *data_text = NULL;
  g_autofree char *conflict_text = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_auto(ObdSyncCurrent) current = { 0 };
  gboolean merged = FALSE, seen = FALSE, wins = TRUE;
  gint64 version;

  if (!obd_sync_role_may_push (push->principal->role, entity))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN,
                   _("Your role (%s) may not send %s records."),
                   obd_sync_role_to_string (push->principal->role), entity);
      return FALSE;
    }

  /* Seen before: stored already, acknowledge again.  Samples share the
   * session's seq and are kept by part; the seq is acknowledged only
   * with the session. */
  if (!ops->seen (push, seq, &seen, error))
    return FALSE;
  if (seen)
    {
      push->result->acked_seq = MAX (push->result->acked_seq, seq);
      return TRUE;
    }
  if (g_str_equal (entity, "samples"))
    return store_samples (push, change, error);

  if (!change_vehicle (push, entity, entity_id, data, &vehicle, &merged, error))
    return FALSE;

  if (vehicle != NULL && !g_str_equal (entity, "vehicle")
      && g_strcmp0 (vehicle, obd_sync_payload_get_string (data, "vehicle")) != 0)
    stored = with_vehicle (data, vehicle);
  else
    stored = json_object_ref (data);
  data_text = obd_sync_object_to_string (stored);

  if (merged)
    {
      /* Another device brought this VIN first: its vehicle stays, this id
       * becomes an alias, and nothing else changes. */
      if (!ops->record_change (push, change, vehicle, 0, FALSE, data_text, NULL, error))
        return FALSE;
      push->result->acked_seq = MAX (push->result->acked_seq, seq);
      return TRUE;
    }

  if (!ops->read_current (push, entity, entity_id, &current, error))
    return FALSE;
  version = current.version + 1;

  if (current.exists && obd_sync_entity_is_editable (entity) && base < current.version
      && g_strcmp0 (current.device_id, push->device_id) != 0)
    {
      /* Edited on two PCs since this one last heard of it: the later edit
       * wins (a tie goes to the device id that sorts last), the other is
       * kept in the conflict history and reported to both. */
      g_autoptr(JsonObject) theirs = obd_sync_object_from_string (current.data);
      g_autoptr(JsonObject) record = json_object_new ();
      JsonObject *report = json_object_new ();

      wins = changed_us > current.changed_us
             || (changed_us == current.changed_us
                 && g_strcmp0 (push->device_id, current.device_id) > 0);

      json_object_set_string_member (report, "entity", entity);
      json_object_set_string_member (report, "entityId", entity_id);
      json_object_set_string_member (report, "winner", wins ? "mine" : "theirs");
      json_object_set_int_member (report, "version", wins ? version : current.version);
      json_object_set_object_member (report, "theirs",
                                     side (current.device_id, current.changed_us, theirs));
      json_object_set_object_member (report, "mine", json_object_ref (stored));
      json_array_add_object_element (push->result->conflicts, report);

      json_object_set_object_member (record, "winner",
                                     wins ? side (push->device_id, changed_us, stored)
                                          : side (current.device_id, current.changed_us,
                                                  theirs));
      json_object_set_object_member (record, "loser",
                                     wins ? side (current.device_id, current.changed_us,
                                                  theirs)
                                          : side (push->device_id, changed_us, stored));
      conflict_text = obd_sync_object_to_string (record);

      if (!ops->record_conflict (push, entity, entity_id,
                                 wins ? push->device_id : current.device_id,
                                 wins ? current.device_id : push->device_id,
                                 wins ? data_text : current.data,
                                 wins ? current.data : data_text, error))
        return FALSE;
    }

  if (!wins)
    {
      if (!ops->record_change (push, change, vehicle, current.version, FALSE, data_text,
                               conflict_text, error))
        return FALSE;
      push->result->acked_seq = MAX (push->result->acked_seq, seq);
      return TRUE;
    }

  if (g_str_equal (entity, "session") && !samples_complete (push, entity_id, data, error))
    return FALSE;
  if (!ops->write_entity (push, change, vehicle, version, data_text,
                          obd_sync_entity_state (entity, op, stored), error)
      || !ops->record_change (push, change, vehicle, version, TRUE, data_text, conflict_text,
                              error))
    return FALSE;
  if (obd_sync_entity_is_editable (entity))
    add_version (push, entity, entity_id, version);
  if (g_str_equal (entity, "session"))
    {
      gint64 chain_seq = obd_sync_payload_get_int (change, "chainSeq", 0);
      const char *hash = obd_sync_payload_get_string (data, "hash");

      if (chain_seq > 0 && hash != NULL && !ops->update_chain (push, chain_seq, hash, error))
        return FALSE;
    }
  push->result->acked_seq = MAX (push->result->acked_seq, seq);
  return TRUE;
}

/* Tokens ------------------------------------------------------------------ */

gboolean
obd_sync_token_check (gboolean      row,
                      const guint8 *salt,
                      gsize         salt_length,
                      const char   *stored_hash,
                      gboolean      revoked,
                      const char   *secret)
{
  g_autofree char *hash = obd_sync_token_hash (row ? salt : (const guint8 *) "",
                                               row ? salt_length : 0, secret);
  g_autofree char *expected = row && stored_hash != NULL ? g_strdup (stored_hash)
                                                         : g_strnfill (64, '0');

  return obd_sync_constant_time_equal (hash, expected) && row && !revoked;
}

gboolean
obd_sync_auth_failed (GError **error)
{
  g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_AUTH_FAILED,
                       _("The server does not accept this token: it is unknown or was "
                         "revoked. Ask the server's administrator for a new one."));
  return FALSE;
}

/* Rooms -------------------------------------------------------------------- */

gboolean
obd_sync_room_may_create (const ObdSyncPrincipal  *p,
                          GError                 **error)
{
  if (p->role != OBD_SYNC_ROLE_MECHANIC && p->role != OBD_SYNC_ROLE_ADMIN)
    return forbidden (error, _("Only a mechanic invites an expert into a room."));
  return TRUE;
}

/* Any organisation's mechanic may be the expert: the code is the
 * invitation.  Owners are not experts. */
gboolean
obd_sync_room_may_join (const ObdSyncPrincipal  *p,
                        GError                 **error)
{
  if (p->role == OBD_SYNC_ROLE_OWNER)
    return forbidden (error, _("An owner's account cannot join an expert room."));
  return TRUE;
}

gboolean
obd_sync_room_may_close (const ObdSyncPrincipal  *p,
                         const char              *host_user_id,
                         const char              *organisation_id,
                         GError                 **error)
{
  if (g_strcmp0 (host_user_id, p->user_id) == 0
      || (p->role == OBD_SYNC_ROLE_ADMIN && g_strcmp0 (organisation_id, p->organisation_id) == 0))
    return TRUE;
  return forbidden (error, _("Only the mechanic who opened the room closes it."));
}

char *
obd_sync_room_hash_code (const char *code)
{
  g_autofree char *upper = g_ascii_strup (code, -1);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, upper, -1);
}

/* Eight characters people read aloud without confusion (no 0/O, 1/I/L). */
char *
obd_sync_room_new_code (void)
{
  static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  guint8 noise[8];
  char code[10];

  obd_sync_random_bytes (noise, sizeof noise);
  for (int i = 0, j = 0; i < 9; i++)
    code[i] = i == 4 ? '-' : alphabet[noise[j++] % (sizeof alphabet - 1)];
  code[9] = '\0';
  return g_strdup (code);
}

JsonObject *
obd_sync_room_member (const char *user_id,
                      const char *user_name,
                      const char *role,
                      gboolean    host)
{
  JsonObject *m = json_object_new ();

  json_object_set_string_member (m, "userId", user_id);
  json_object_set_string_member (m, "userName", user_name);
  json_object_set_string_member (m, "role", role);
  json_object_set_boolean_member (m, "host", host);
  return m;
}

static char *
message_text (ObdSyncMessageType  type,
              JsonObject         *payload)
{
  g_autoptr(ObdSyncMessage) message = obd_sync_message_new (type, payload);

  return obd_sync_message_to_string (message, NULL);
}

char *
obd_sync_room_presence_text (const ObdSyncRoom *room)
{
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "roomId", room->room_id);
  json_object_set_array_member (payload, "members", json_array_ref (room->members));
  json_object_set_int_member (payload, "version", room->presence_version);
  return message_text (OBD_SYNC_MSG_PRESENCE, payload);
}

char *
obd_sync_room_closed_text (const char *room_id,
                           const char *reason)
{
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "roomId", room_id);
  json_object_set_string_member (payload, "reason", reason);
  return message_text (OBD_SYNC_MSG_ROOM_CLOSED, payload);
}

/* Fleet ---------------------------------------------------------------------- */

JsonObject *
obd_sync_fleet_row_to_json (const ObdSyncFleetRow *row)
{
  g_autoptr(JsonObject) data = obd_sync_object_from_string (row->vehicle_data);
  JsonObject *o = json_object_new ();
  static const char * const copied[] = {
    "vin", "make", "model", "year", "plate", "owner_name", "odometer_km"
  };

  json_object_set_string_member (o, "vehicleId", row->vehicle_id);
  /* What a fleet list shows of the vehicle itself. */
  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      JsonNode *value = json_object_get_member (data, copied[i]);

      json_object_set_member (o, copied[i], value != NULL ? json_node_copy (value)
                                                          : json_node_new (JSON_NODE_NULL));
    }
  json_object_set_int_member (o, "activeCodes", row->active_codes);
  json_object_set_int_member (o, "pendingCodes", row->pending_codes);
  json_object_set_int_member (o, "maintenanceDue", row->maintenance_due);
  json_object_set_int_member (o, "maintenanceOverdue", row->maintenance_overdue);
  json_object_set_int_member (o, "unreadWarnings", row->unread_warnings);
  json_object_set_int_member (o, "unreadCritical", row->unread_critical);
  json_object_set_int_member (o, "sessions", row->sessions);
  if (row->last_session_us > 0)
    json_object_set_int_member (o, "lastSessionAt", row->last_session_us);
  else
    json_object_set_null_member (o, "lastSessionAt");
  if (row->last_change_us > 0)
    json_object_set_int_member (o, "lastChangeAt", row->last_change_us);
  else
    json_object_set_null_member (o, "lastChangeAt");
  return o;
}

void
obd_sync_page_set_next_vehicle (JsonObject *payload,
                                const char *last)
{
  if (last != NULL)
    json_object_set_string_member (payload, "next", last);
  else
    json_object_set_null_member (payload, "next");
}

/* History ------------------------------------------------------------------ */

JsonObject *
obd_sync_history_item (const char *entity,
                       const char *entity_id,
                       gint64      version,
                       gint64      changed_us,
                       const char *device,
                       const char *data,
                       const char *state)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "entity", entity);
  json_object_set_string_member (o, "entityId", entity_id);
  json_object_set_int_member (o, "version", version);
  json_object_set_int_member (o, "changedAt", changed_us);
  json_object_set_string_member (o, "device", device);
  if (state != NULL)
    json_object_set_string_member (o, "state", state);
  else
    json_object_set_null_member (o, "state");
  json_object_set_object_member (o, "data", obd_sync_object_from_string (data));
  return o;
}

char *
obd_sync_history_key (const char *entity,
                      const char *entity_id)
{
  return g_strconcat (entity, ":", entity_id, NULL);
}

void
obd_sync_history_key_split (const char  *key,
                            char       **out_entity,
                            char       **out_entity_id)
{
  const char *colon = key != NULL ? strchr (key, ':') : NULL;

  *out_entity = colon != NULL ? g_strndup (key, colon - key) : g_strdup ("");
  *out_entity_id = g_strdup (colon != NULL ? colon + 1 : "");
}

void
obd_sync_page_set_next_history (JsonObject *payload,
                                gboolean    more,
                                gint64      last_us,
                                const char *last_key)
{
  JsonObject *next;

  if (!more || last_key == NULL)
    {
      json_object_set_null_member (payload, "next");
      return;
    }
  next = json_object_new ();
  json_object_set_int_member (next, "before", last_us);
  json_object_set_string_member (next, "key", last_key);
  json_object_set_object_member (payload, "next", next);
}

JsonObject *
obd_sync_pulled_change (gint64      cursor,
                        const char *entity,
                        const char *entity_id,
                        const char *op,
                        gint64      version,
                        gint64      changed_us,
                        const char *device,
                        const char *data,
                        const char *conflict)
{
  JsonObject *c = json_object_new ();

  json_object_set_int_member (c, "cursor", cursor);
  json_object_set_string_member (c, "entity", entity);
  json_object_set_string_member (c, "entityId", entity_id);
  json_object_set_string_member (c, "op", op);
  json_object_set_int_member (c, "version", version);
  json_object_set_int_member (c, "changedAt", changed_us);
  json_object_set_string_member (c, "device", device);
  json_object_set_object_member (c, "data", obd_sync_object_from_string (data));
  if (conflict != NULL)
    json_object_set_object_member (c, "conflict", obd_sync_object_from_string (conflict));
  return c;
}
