/* obd-room.c — one remote-expert room, from the mechanic's or the expert's side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "obd-app-util.h"
#include "obd-room.h"
#include "obd-row-item.h"
#include "obd-sync-manager.h"

/* Notes kept for the view; older ones scroll away. */
#define MAX_NOTES 200

struct _ObdRoom
{
  GObject           parent_instance;

  ObdSyncClient    *client;       /* weak: the manager owns both */
  char             *room_id;
  char             *vehicle_id;
  char             *code;
  gint64            expires_at;
  gboolean          host;
  gboolean          open;
  char             *closed_reason;
  guint             watching;
  char             *presence_text;
  GListStore       *members;      /* ObdRowItem */
  GListStore       *notes;        /* ObdRowItem */
  ObdRemoteVehicle *vehicle;
  gint64            next_note_id;
};

G_DEFINE_FINAL_TYPE (ObdRoom, obd_room, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ROOM_ID,
  PROP_VEHICLE_ID,
  PROP_CODE,
  PROP_EXPIRES_AT,
  PROP_HOST,
  PROP_OPEN,
  PROP_CLOSED_REASON,
  PROP_WATCHING,
  PROP_PRESENCE_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
close_with (ObdRoom    *self,
            const char *reason)
{
  if (!self->open)
    return;
  self->open = FALSE;
  obd_set_str (&self->closed_reason, reason);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Presence --------------------------------------------------------------- */

static char *
describe_presence (ObdRoom   *self,
                   GPtrArray *guest_names,
                   const char *host_name)
{
  g_autofree char *names = NULL;

  if (guest_names->len > 0)
    {
      g_ptr_array_add (guest_names, NULL);
      names = g_strjoinv (", ", (char **) guest_names->pdata);
      g_ptr_array_remove_index (guest_names, guest_names->len - 1);
    }
  if (self->host)
    {
      if (guest_names->len == 0)
        return g_strdup (_("No one has joined yet. Read the code to the expert."));
      /* Translators: %s is a list of names, "Ben" or "Ben, Carla" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s is watching",
                                           "%s are watching", guest_names->len), names);
    }
  if (host_name == NULL)
    return g_strdup (_("The mechanic has left."));
  /* Translators: the mechanic who opened the room, and the experts in it */
  return g_strdup_printf (_("Session of %s, watched by %s"), host_name,
                          names != NULL ? names : "—");
}

static void
take_presence (ObdRoom    *self,
               JsonObject *payload)
{
  JsonArray *members = json_object_get_array_member (payload, "members");
  const char *own_id = self->client != NULL ? obd_sync_client_get_user_id (self->client) : NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) guest_names = g_ptr_array_new ();
  const char *host_name = NULL;
  g_autofree char *text = NULL;
  guint watching = 0;

  for (guint i = 0; i < json_array_get_length (members) && i < 256; i++)
    {
      JsonNode *node = json_array_get_element (members, i);
      JsonObject *member;
      const char *name, *role, *user_id;
      gboolean is_host;
      ObdRowItem *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      member = json_node_get_object (node);
      name = obd_sync_payload_get_string (member, "userName");
      role = obd_sync_payload_get_string (member, "role");
      user_id = obd_sync_payload_get_string (member, "userId");
      is_host = json_object_get_boolean_member_with_default (member, "host", FALSE);
      if (name == NULL || !g_utf8_validate (name, -1, NULL))
        name = _("Someone");
      item = obd_row_item_new (i + 1, name, obd_sync_manager_get_role_label (role));
      if (is_host)
        g_object_set (item, "badge", _("Host"), "badge-class", "accent", NULL);
      else if (own_id != NULL && g_strcmp0 (user_id, own_id) == 0)
        g_object_set (item, "badge", _("You"), NULL);
      g_ptr_array_add (items, item);
      if (is_host)
        host_name = name;
      else
        {
          watching++;
          g_ptr_array_add (guest_names, (gpointer) name);
        }
    }

  text = describe_presence (self, guest_names, host_name);
  g_list_store_splice (self->members, 0, g_list_model_get_n_items (G_LIST_MODEL (self->members)),
                       items->pdata, items->len);
  if (self->watching != watching)
    {
      self->watching = watching;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING]);
    }
  if (obd_set_str (&self->presence_text, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENCE_TEXT]);
}

/* Notes ------------------------------------------------------------------ */

static void
take_note (ObdRoom    *self,
           JsonObject *payload)
{
  const char *text = obd_sync_payload_get_string (payload, "text");
  JsonObject *from = json_object_has_member (payload, "from")
                     && JSON_NODE_HOLDS_OBJECT (json_object_get_member (payload, "from"))
                     ? json_object_get_object_member (payload, "from") : NULL;
  const char *name = from != NULL ? obd_sync_payload_get_string (from, "userName") : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M");
  g_autofree char *subtitle = NULL;
  g_autoptr(ObdRowItem) item = NULL;

  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return;
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    name = _("Someone");
  /* Translators: who wrote a note and when, "Ben, 10:42" */
  subtitle = g_strdup_printf (_("%s, %s"), name, time);
  item = obd_row_item_new (++self->next_note_id, text, subtitle);
  g_object_set (item, "subtitle-lines", 1, NULL);
  g_list_store_append (self->notes, item);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->notes)) > MAX_NOTES)
    g_list_store_remove (self->notes, 0);
}

gboolean
obd_room_take_event (ObdRoom    *self,
                     const char *type,
                     JsonObject *payload)
{
  const char *room_id;

  g_return_val_if_fail (OBD_IS_ROOM (self), FALSE);
  g_return_val_if_fail (type != NULL && payload != NULL, FALSE);

  room_id = obd_sync_payload_get_string (payload, "roomId");
  if (room_id == NULL)
    return obd_remote_vehicle_take_event (self->vehicle, type, payload);
  if (!g_str_equal (room_id, self->room_id) || !self->open)
    return FALSE;

  if (g_str_equal (type, "presence"))
    take_presence (self, payload);
  else if (g_str_equal (type, "room_note"))
    take_note (self, payload);
  else if (g_str_equal (type, "room_closed"))
    {
      const char *reason = obd_sync_payload_get_string (payload, "reason");

      if (g_strcmp0 (reason, "host_left") == 0)
        close_with (self, self->host
                    ? _("The session ended: this PC lost its connection to the server.")
                    : _("The session ended: the mechanic’s PC went offline."));
      else
        close_with (self, self->host ? _("You ended the session.")
                                     : _("The mechanic ended the session."));
    }
  else
    return FALSE;
  return TRUE;
}

void
obd_room_connection_lost (ObdRoom *self)
{
  g_return_if_fail (OBD_IS_ROOM (self));

  close_with (self, self->host
              ? _("The session ended: this PC lost its connection to the server. Open a new "
                  "one when it is back.")
              : _("The session ended: this PC lost its connection to the server. Ask the "
                  "mechanic for a new code when it is back."));
}

/* Acting ----------------------------------------------------------------- */

gboolean
obd_room_send_note (ObdRoom     *self,
                    const char  *text,
                    GError     **error)
{
  g_autofree char *stripped = NULL;
  JsonObject *payload;

  g_return_val_if_fail (OBD_IS_ROOM (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    {
      g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                           _("The note is empty. Type something to send."));
      return FALSE;
    }
  if (!g_utf8_validate (stripped, -1, NULL) || strlen (stripped) > OBD_SYNC_MAX_TEXT_LENGTH)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_TOO_LARGE,
                   _("The note is too long: keep it under %d characters, or send it in "
                     "parts."), OBD_SYNC_MAX_TEXT_LENGTH / 4);
      return FALSE;
    }
  if (!self->open)
    {
      g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_ROOM_CLOSED,
                           _("The session has ended: the note was not sent."));
      return FALSE;
    }
  if (self->client == NULL)
    {
      g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                           _("Not connected to the sync server: the note was not sent."));
      return FALSE;
    }
  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", self->room_id);
  json_object_set_string_member (payload, "text", stripped);
  if (!obd_sync_client_send_event (self->client, OBD_SYNC_MSG_ROOM_NOTE, payload))
    {
      g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                           _("The note could not be sent: the connection to the server is down "
                             "or busy. Try again in a moment."));
      return FALSE;
    }
  return TRUE;
}

static void
on_closed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdRoom *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) reply = NULL;
  GError *error = NULL;

  reply = obd_sync_client_request_finish (OBD_SYNC_CLIENT (source), result, &error);
  /* A room the server no longer has is closed all the same. */
  if (reply == NULL && !g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_ROOM_CLOSED)
      && !g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  close_with (self, _("You ended the session."));
  g_task_return_boolean (task, TRUE);
}

void
obd_room_end_async (ObdRoom             *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OBD_IS_ROOM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_room_end_async);
  if (!self->open)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->host && self->client != NULL)
    {
      obd_sync_client_room_close_async (self->client, self->room_id, cancellable, on_closed_cb,
                                        g_steal_pointer (&task));
      return;
    }
  /* An expert leaves; if the connection is down the server has already
   * taken it out. */
  if (self->client != NULL)
    obd_sync_client_room_leave (self->client, self->room_id);
  close_with (self, _("You left the session."));
  g_task_return_boolean (task, TRUE);
}

gboolean
obd_room_end_finish (ObdRoom       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading it ------------------------------------------------------------- */

const char *
obd_room_get_room_id (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return self->room_id;
}

const char *
obd_room_get_vehicle_id (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return self->vehicle_id;
}

const char *
obd_room_get_code (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return self->code;
}

gint64
obd_room_get_expires_at (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), 0);
  return self->expires_at;
}

gboolean
obd_room_get_host (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), FALSE);
  return self->host;
}

gboolean
obd_room_get_open (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), FALSE);
  return self->open;
}

const char *
obd_room_get_closed_reason (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return self->closed_reason;
}

guint
obd_room_get_watching (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), 0);
  return self->watching;
}

const char *
obd_room_get_presence_text (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return self->presence_text;
}

GListModel *
obd_room_get_members (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return G_LIST_MODEL (self->members);
}

GListModel *
obd_room_get_notes (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return G_LIST_MODEL (self->notes);
}

ObdRemoteVehicle *
obd_room_get_vehicle (ObdRoom *self)
{
  g_return_val_if_fail (OBD_IS_ROOM (self), NULL);
  return self->vehicle;
}

/* GObject ---------------------------------------------------------------- */

static void
obd_room_dispose (GObject *object)
{
  ObdRoom *self = OBD_ROOM (object);

  if (self->client != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->client), (gpointer *) &self->client);
  self->client = NULL;
  g_clear_object (&self->vehicle);

  G_OBJECT_CLASS (obd_room_parent_class)->dispose (object);
}

static void
obd_room_finalize (GObject *object)
{
  ObdRoom *self = OBD_ROOM (object);

  g_free (self->room_id);
  g_free (self->vehicle_id);
  g_free (self->code);
  g_free (self->closed_reason);
  g_free (self->presence_text);
  g_clear_object (&self->members);
  g_clear_object (&self->notes);

  G_OBJECT_CLASS (obd_room_parent_class)->finalize (object);
}

static void
obd_room_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  ObdRoom *self = OBD_ROOM (object);

  switch (prop_id)
    {
    case PROP_ROOM_ID:
      g_value_set_string (value, self->room_id);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_string (value, self->vehicle_id);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;
    case PROP_HOST:
      g_value_set_boolean (value, self->host);
      break;
    case PROP_OPEN:
      g_value_set_boolean (value, self->open);
      break;
    case PROP_CLOSED_REASON:
      g_value_set_string (value, self->closed_reason);
      break;
    case PROP_WATCHING:
      g_value_set_uint (value, self->watching);
      break;
    case PROP_PRESENCE_TEXT:
      g_value_set_string (value, self->presence_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_room_class_init (ObdRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_room_dispose;
  object_class->finalize = obd_room_finalize;
  object_class->get_property = obd_room_get_property;

  properties[PROP_ROOM_ID] = g_param_spec_string ("room-id", NULL, NULL, NULL, ro);
  properties[PROP_VEHICLE_ID] = g_param_spec_string ("vehicle-id", NULL, NULL, NULL, ro);
  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, ro);
  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_HOST] = g_param_spec_boolean ("host", NULL, NULL, FALSE, ro);
  properties[PROP_OPEN] = g_param_spec_boolean ("open", NULL, NULL, FALSE, ro);
  properties[PROP_CLOSED_REASON] = g_param_spec_string ("closed-reason", NULL, NULL, NULL, ro);
  properties[PROP_WATCHING] = g_param_spec_uint ("watching", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_PRESENCE_TEXT] = g_param_spec_string ("presence-text", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_room_init (ObdRoom *self)
{
  self->members = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->notes = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->open = TRUE;
}

ObdRoom *
obd_room_new (ObdSyncClient *client,
              JsonObject    *payload,
              gboolean       host)
{
  ObdRoom *self;
  g_autoptr(GPtrArray) no_guests = g_ptr_array_new ();

  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (client), NULL);
  g_return_val_if_fail (payload != NULL, NULL);

  self = g_object_new (OBD_TYPE_ROOM, NULL);
  self->client = client;
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &self->client);
  self->room_id = g_strdup (obd_sync_payload_get_string (payload, "roomId"));
  self->vehicle_id = g_strdup (obd_sync_payload_get_string (payload, "vehicleId"));
  self->code = g_strdup (obd_sync_payload_get_string (payload, "code"));
  self->expires_at = obd_sync_payload_get_int (payload, "expiresAt", 0);
  self->host = host;
  self->vehicle = obd_remote_vehicle_new (self->vehicle_id != NULL ? self->vehicle_id : "");
  self->presence_text = host ? describe_presence (self, no_guests, NULL)
                             : g_strdup (_("Joined. Waiting for the list of who is here…"));
  return self;
}
