/* obd-sync-manager.c — the application's side of syncing with the shop's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starting takes three answers, none of which the main thread waits for:
 * the store opens (its service's thread), the store says which server it
 * syncs with (a job there), and the token is found (the keyring may ask
 * the desktop to unlock it, so a thread of its own).  Then the client is
 * started and stays connected, reconnecting by itself.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "obd-app-util.h"
#include "obd-store-sync.h"
#include "obd-sync-manager.h"
#include "obd-sync-token.h"

/* Live vehicles followed at most; the quiet ones go first. */
#define MAX_REMOTES        1000
#define LIVE_CHECK_SECONDS 5

struct _ObdSyncManager
{
  GObject          parent_instance;

  ObdStoreService *store;
  GSettings       *settings;
  ObdSyncClient   *client;
  ObdLiveShare    *share;
  ObdSession      *session;
  GSignalGroup    *store_signals;
  GSignalGroup    *client_signals;
  GCancellable    *cancellable;

  gboolean         enabled;
  gboolean         share_live;
  char            *server_url;
  char            *token_error;   /* no token, or none readable: a person must act */
  gboolean         connected;     /* the client was connected when last seen */
  gboolean         relaying;      /* telling the views what the client wrote */

  /* What the properties last said, to notify only on change. */
  ObdSyncState     state;
  gint64           pending;
  char            *last_error;

  GHashTable      *remotes;       /* vehicle UUID → ObdRemoteVehicle */
  GHashTable      *rooms;         /* room id → ObdRoom, while open */
  ObdRoom         *room;          /* the one this PC hosts */
  guint            follow_fleet;
  char            *fleet_channel; /* subscribed for the views, NULL if not */
  guint            live_check_source;
};

G_DEFINE_FINAL_TYPE (ObdSyncManager, obd_sync_manager, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_SESSION,
  PROP_STATE,
  PROP_PENDING_COUNT,
  PROP_LAST_ERROR,
  PROP_LAST_SYNC,
  PROP_SERVER_URL,
  PROP_USER_NAME,
  PROP_ROLE,
  PROP_ORGANISATION_NAME,
  PROP_SHARE_LIVE,
  PROP_SHARING,
  PROP_SHARE_STATUS,
  PROP_ROOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_REMOTE_CHANGED,
  SIGNAL_CONFLICT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_state      (ObdSyncManager *self);
static void start_client      (ObdSyncManager *self);

static void
notify (ObdSyncManager *self,
        guint           prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* Words ------------------------------------------------------------------ */

const char *
obd_sync_manager_get_role_label (const char *role)
{
  if (g_strcmp0 (role, "mechanic") == 0)
    return _("Mechanic");
  if (g_strcmp0 (role, "fleet") == 0)
    return _("Fleet manager");
  if (g_strcmp0 (role, "owner") == 0)
    return _("Owner");
  if (g_strcmp0 (role, "admin") == 0)
    return _("Administrator");
  return _("Unknown role");
}

char *
obd_sync_manager_dup_state_text (ObdSyncManager *self)
{
  gint64 n;

  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);

  n = self->pending;
  switch (self->state)
    {
    case OBD_SYNC_STATE_OFFLINE:
      if (n > 0)
        /* Translators: the sync server cannot be reached; changes wait on this PC */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Offline, %" PRId64 " change waiting",
                                             "Offline, %" PRId64 " changes waiting",
                                             (gulong) MIN (n, G_MAXLONG)), n);
      return g_strdup (_("Offline"));
    case OBD_SYNC_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case OBD_SYNC_STATE_SYNCING:
      return g_strdup (_("Syncing…"));
    case OBD_SYNC_STATE_SYNCED:
      if (n > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%" PRId64 " change to send",
                                             "%" PRId64 " changes to send",
                                             (gulong) MIN (n, G_MAXLONG)), n);
      return g_strdup (_("Synced"));
    case OBD_SYNC_STATE_ERROR:
      return g_strdup (_("Sync needs attention"));
    case OBD_SYNC_STATE_DISABLED:
    default:
      return g_strdup (_("Sync is off"));
    }
}

/* State -------------------------------------------------------------------- */

static void
close_rooms (ObdSyncManager *self)
{
  g_autoptr(GList) rooms = g_hash_table_get_values (self->rooms);

  for (GList *l = rooms; l != NULL; l = l->next)
    obd_room_connection_lost (l->data);
}

static void
update_state (ObdSyncManager *self)
{
  ObdSyncState state;
  const char *error = NULL;
  gint64 pending = 0;
  gboolean connected;

  if (self->client == NULL || !self->enabled || self->server_url == NULL)
    state = OBD_SYNC_STATE_DISABLED;
  else if (self->token_error != NULL)
    {
      state = OBD_SYNC_STATE_ERROR;
      error = self->token_error;
    }
  else
    {
      state = obd_sync_client_get_state (self->client);
      /* A client without a server of its own yet is waiting for the token. */
      if (state == OBD_SYNC_STATE_DISABLED)
        state = OBD_SYNC_STATE_CONNECTING;
      error = obd_sync_client_get_last_error (self->client);
    }
  if (self->client != NULL)
    pending = obd_sync_client_get_pending_count (self->client);
  /* A message the client keeps from before the last success is history. */
  if (state == OBD_SYNC_STATE_SYNCED || state == OBD_SYNC_STATE_SYNCING
      || state == OBD_SYNC_STATE_DISABLED)
    error = NULL;

  connected = state == OBD_SYNC_STATE_SYNCED || state == OBD_SYNC_STATE_SYNCING;
  if (self->connected && !connected)
    close_rooms (self);
  self->connected = connected;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      notify (self, PROP_STATE);
    }
  if (self->pending != pending)
    {
      self->pending = pending;
      notify (self, PROP_PENDING_COUNT);
    }
  if (obd_set_str (&self->last_error, error))
    notify (self, PROP_LAST_ERROR);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_token_error (ObdSyncManager *self,
                 const char     *error)
{
  if (obd_set_str (&self->token_error, error))
    update_state (self);
}

/* Fleet -------------------------------------------------------------------- */

static void
follow_fleet_now (ObdSyncManager *self)
{
  const char *organisation, *role;
  g_autofree char *channel = NULL;

  if (self->client == NULL)
    return;
  organisation = obd_sync_client_get_organisation_id (self->client);
  role = obd_sync_client_get_role (self->client);
  if (self->follow_fleet > 0 && organisation != NULL && g_strcmp0 (role, "owner") != 0)
    channel = g_strconcat ("fleet:", organisation, NULL);
  if (g_strcmp0 (channel, self->fleet_channel) == 0)
    return;
  if (self->fleet_channel != NULL)
    {
      const char *old[] = { self->fleet_channel, NULL };

      /* The client follows its own organisation's fleet by itself for
       * fleet managers and admins: leave that one be. */
      if (g_strcmp0 (role, "fleet") != 0 && g_strcmp0 (role, "admin") != 0)
        obd_sync_client_unsubscribe (self->client, old);
    }
  obd_set_str (&self->fleet_channel, channel);
  if (channel != NULL)
    {
      const char *now[] = { channel, NULL };

      /* Remembered by the client, so followed again on every reconnect. */
      obd_sync_client_subscribe (self->client, now);
    }
}

void
obd_sync_manager_follow_fleet (ObdSyncManager *self,
                               gboolean        follow)
{
  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));

  if (follow)
    self->follow_fleet++;
  else if (self->follow_fleet > 0)
    self->follow_fleet--;
  follow_fleet_now (self);
}

static gboolean
on_live_check_cb (gpointer data)
{
  ObdSyncManager *self = data;
  GHashTableIter iter;
  ObdRemoteVehicle *remote;
  gint64 now = g_get_real_time ();

  g_autoptr(GPtrArray) stopped = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&iter, self->remotes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &remote))
    if (obd_remote_vehicle_check_live (remote, now))
      g_ptr_array_add (stopped, g_object_ref (remote));
  /* The fleet's Live column empties when a PC stops sharing. */
  for (guint i = 0; i < stopped->len; i++)
    g_signal_emit (self, signals[SIGNAL_REMOTE_CHANGED], 0, g_ptr_array_index (stopped, i));
  return G_SOURCE_CONTINUE;
}

/* The oldest vehicle that is not live makes room. */
static void
trim_remotes (ObdSyncManager *self)
{
  GHashTableIter iter;
  ObdRemoteVehicle *remote, *oldest = NULL;

  if (g_hash_table_size (self->remotes) < MAX_REMOTES)
    return;
  g_hash_table_iter_init (&iter, self->remotes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &remote))
    if (oldest == NULL || obd_remote_vehicle_get_updated (remote)
                          < obd_remote_vehicle_get_updated (oldest))
      oldest = remote;
  if (oldest != NULL)
    g_hash_table_remove (self->remotes, obd_remote_vehicle_get_vehicle_id (oldest));
}

/* Events ------------------------------------------------------------------- */

static void
on_room_open_cb (ObdSyncManager *self,
                 GParamSpec     *pspec,
                 ObdRoom        *room)
{
  if (obd_room_get_open (room))
    return;
  g_signal_handlers_disconnect_by_data (room, self);
  if (room == self->room)
    {
      g_clear_object (&self->room);
      obd_live_share_set_required (self->share, FALSE);
      notify (self, PROP_ROOM);
    }
  g_hash_table_remove (self->rooms, obd_room_get_room_id (room));
}

static void
on_room_watching_cb (ObdSyncManager *self,
                     GParamSpec     *pspec,
                     ObdRoom        *room)
{
  /* Someone new in the room sees the codes and the guide's step at once,
   * not when they next change. */
  if (obd_room_get_host (room) && obd_room_get_watching (room) > 0)
    obd_live_share_resend (self->share);
}

static void
add_room (ObdSyncManager *self,
          ObdRoom        *room)
{
  g_hash_table_replace (self->rooms, g_strdup (obd_room_get_room_id (room)),
                        g_object_ref (room));
  g_signal_connect_object (room, "notify::open", G_CALLBACK (on_room_open_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::watching", G_CALLBACK (on_room_watching_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
on_event_cb (ObdSyncManager *self,
             const char     *type,
             JsonObject     *payload)
{
  const char *room_id = obd_sync_payload_get_string (payload, "roomId");
  const char *vehicle_id = obd_sync_payload_get_string (payload, "vehicleId");
  ObdRemoteVehicle *remote;

  if (room_id != NULL)
    {
      ObdRoom *room = g_hash_table_lookup (self->rooms, room_id);

      if (room != NULL)
        {
          g_autoptr(ObdRoom) keep = g_object_ref (room);

          obd_room_take_event (room, type, payload);
        }
      return;
    }
  if (vehicle_id == NULL)
    return;

  /* The experts' view of a room's vehicle. */
  {
    g_autoptr(GList) rooms = g_hash_table_get_values (self->rooms);

    for (GList *l = rooms; l != NULL; l = l->next)
      if (!obd_room_get_host (l->data)
          && g_strcmp0 (obd_room_get_vehicle_id (l->data), vehicle_id) == 0)
        obd_room_take_event (l->data, type, payload);
  }

  remote = g_hash_table_lookup (self->remotes, vehicle_id);
  if (remote == NULL)
    {
      g_autoptr(ObdRemoteVehicle) created = obd_remote_vehicle_new (vehicle_id);

      if (!obd_remote_vehicle_take_event (created, type, payload))
        return;
      trim_remotes (self);
      remote = created;
      g_hash_table_insert (self->remotes, g_strdup (vehicle_id), g_steal_pointer (&created));
      if (self->live_check_source == 0)
        self->live_check_source = g_timeout_add_seconds (LIVE_CHECK_SECONDS,
                                                         on_live_check_cb, self);
    }
  else if (!obd_remote_vehicle_take_event (remote, type, payload))
    return;
  g_signal_emit (self, signals[SIGNAL_REMOTE_CHANGED], 0, remote);
}

/* The client wrote to the store on its own connection: the views reload. */
static void
on_client_store_changed_cb (ObdSyncManager *self,
                            const char     *entity)
{
  static const struct { const char *entity, *what; } whats[] = {
    { "vehicle", "vehicle" }, { "maintenance_item", "maintenance" }, { "dtc_event", "dtc" },
    { "note", "note" }, { "notification", "notification" }, { "guide_run", "guide" },
    { "session", "session" },
  };

  if (self->store == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (whats); i++)
    if (g_str_equal (entity, whats[i].entity))
      {
        self->relaying = TRUE;
        obd_store_service_emit_changed (self->store, whats[i].what, 0);
        self->relaying = FALSE;
      }
}

static void
on_client_conflict_cb (ObdSyncManager *self,
                       const char     *entity,
                       const char     *entity_id,
                       gboolean        local_won)
{
  g_signal_emit (self, signals[SIGNAL_CONFLICT], 0, entity, entity_id, local_won);
}

/* The app wrote: push soon rather than at the next poll. */
static void
on_store_changed_cb (ObdSyncManager *self)
{
  if (!self->relaying && self->client != NULL && self->enabled)
    obd_sync_client_notify_changed (self->client);
}

static void
on_client_identity_cb (ObdSyncManager *self,
                       GParamSpec     *pspec)
{
  if (g_str_equal (pspec->name, "role"))
    {
      follow_fleet_now (self);
      notify (self, PROP_ROLE);
    }
  else if (g_str_equal (pspec->name, "user-name"))
    notify (self, PROP_USER_NAME);
  else if (g_str_equal (pspec->name, "organisation-name"))
    notify (self, PROP_ORGANISATION_NAME);
  else if (g_str_equal (pspec->name, "last-sync"))
    notify (self, PROP_LAST_SYNC);
}

/* Starting ------------------------------------------------------------------ */

static void
token_lookup_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  char *token = obd_sync_token_lookup (task_data, NULL, &error);

  if (token != NULL)
    g_task_return_pointer (task, token, g_free);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
on_token_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  ObdSyncManager *self = OBD_SYNC_MANAGER (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_task_propagate_pointer (G_TASK (result), &error);
  const char *url = g_task_get_task_data (G_TASK (result));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_strcmp0 (url, self->server_url) != 0 || !self->enabled)
    return;
  if (token == NULL)
    {
      g_autofree char *text = NULL;

      if (error != NULL)
        /* Translators: %s says why the token file could not be used */
        text = g_strdup_printf (_("The access token for this server cannot be read: %s"),
                                error->message);
      else
        text = g_strdup_printf (_("No access token for %s is saved on this PC. Enter the token "
                                  "in Preferences, under Sync."), url);
      set_token_error (self, text);
      return;
    }
  set_token_error (self, NULL);
  obd_sync_client_set_server_url (self->client, url);
  obd_sync_client_set_token (self->client, token);
  memset (token, 0, strlen (token));
  obd_sync_client_start (self->client);
  update_state (self);
}

static void
start_client (ObdSyncManager *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->client == NULL || !self->enabled || self->server_url == NULL)
    {
      if (self->client != NULL)
        obd_sync_client_stop (self->client);
      update_state (self);
      return;
    }
  task = g_task_new (self, self->cancellable, on_token_found_cb, NULL);
  g_task_set_source_tag (task, start_client);
  g_task_set_task_data (task, g_strdup (self->server_url), g_free);
  g_task_run_in_thread (task, token_lookup_thread);
}

static gpointer
read_server_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(ObdStoreSyncState) state = obd_store_sync_get_state (store, error);

  if (state == NULL)
    return NULL;
  /* "" for none: NULL would be an error. */
  return g_strdup (state->server_url != NULL ? state->server_url : "");
}

static void
on_server_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(ObdSyncManager) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result,
                                                       &error);

  if (url == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Not syncing: the store's sync state cannot be read: %s", error->message);
      return;
    }
  /* Configured meanwhile: that address wins. */
  if (self->server_url != NULL)
    return;
  if (*url != '\0' && obd_set_str (&self->server_url, url))
    notify (self, PROP_SERVER_URL);
  start_client (self);
}

static void
on_store_state_cb (ObdSyncManager *self)
{
  g_autofree char *name = NULL;

  if (self->client != NULL
      || obd_store_service_get_state (self->store) != OBD_STORE_SERVICE_OPEN
      || obd_store_service_get_read_only (self->store))
    return;

  self->client = obd_sync_client_new (obd_store_service_get_path (self->store));
  name = g_strdup (g_get_host_name ());
  obd_sync_client_set_device_name (self->client, name);
  g_signal_group_set_target (self->client_signals, self->client);
  obd_live_share_set_client (self->share, self->client);
  obd_store_service_run_async (self->store, read_server_job, NULL, NULL, g_free,
                               G_PRIORITY_DEFAULT, self->cancellable, on_server_read_cb,
                               g_object_ref (self));
}

/* Configuring --------------------------------------------------------------- */

typedef struct
{
  char *url;
  char *token;
} Configure;

static void
configure_free (Configure *c)
{
  g_free (c->url);
  if (c->token != NULL)
    memset (c->token, 0, strlen (c->token));
  g_free (c->token);
  g_free (c);
}

static gboolean
check_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  gboolean blank = FALSE;

  /* A pasted address may carry a space or a line break inside. */
  for (const char *p = url; *p != '\0' && !blank; p++)
    blank = g_ascii_isspace (*p) || g_ascii_iscntrl (*p);
  uri = blank ? NULL : g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && (g_strcmp0 (g_uri_get_scheme (uri), "ws") == 0
                      || g_strcmp0 (g_uri_get_scheme (uri), "wss") == 0)
      && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    return TRUE;
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_SERVER,
               _("“%s” is not a sync server address. It looks like ws://server:8765/sync, or "
                 "wss://server/sync when the server has a certificate."), url);
  return FALSE;
}

/* obd2_ + 16 hex + _ + 64 hex, as obd2-syncd admin create-token prints it. */
static gboolean
check_token (const char  *token,
             GError     **error)
{
  gsize length = strlen (token);
  gboolean ok = length == 86 && g_str_has_prefix (token, "obd2_") && token[21] == '_';

  for (gsize i = 5; ok && i < length; i++)
    ok = i == 21 || g_ascii_isxdigit (token[i]);
  if (!ok)
    g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN,
                         _("This is not a sync token. A token starts with “obd2_” and is 86 "
                           "characters long: ask the shop’s administrator for one, and paste "
                           "it whole."));
  return ok;
}

static void
on_configured_sync_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (!obd_sync_client_sync_finish (OBD_SYNC_CLIENT (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_server_saved_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdSyncManager *self = g_task_get_source_object (task);
  Configure *c = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;

  if (obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (obd_set_str (&self->server_url, c->url))
    notify (self, PROP_SERVER_URL);
  self->enabled = TRUE;
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "sync-enabled", TRUE);
  set_token_error (self, NULL);
  obd_sync_client_set_server_url (self->client, c->url);
  obd_sync_client_set_token (self->client, c->token);
  obd_sync_client_start (self->client);
  update_state (self);
  cancellable = g_task_get_cancellable (task);
  obd_sync_client_sync_async (self->client, cancellable, on_configured_sync_cb,
                              g_steal_pointer (&task));
}

static gpointer
save_server_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return obd_store_sync_set_server (store, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
token_store_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Configure *c = task_data;
  GError *error = NULL;

  if (!obd_sync_token_store (c->url, c->token, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_token_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdSyncManager *self = g_task_get_source_object (task);
  Configure *c = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  obd_store_service_run_async (self->store, save_server_job, g_strdup (c->url), g_free, NULL,
                               G_PRIORITY_HIGH, cancellable, on_server_saved_cb,
                               g_steal_pointer (&task));
}

void
obd_sync_manager_configure_async (ObdSyncManager      *self,
                                  const char          *url,
                                  const char          *token,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) saving = NULL;
  g_autofree char *clean_url = NULL;
  g_autofree char *clean_token = NULL;
  GError *error = NULL;
  Configure *c;

  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));
  g_return_if_fail (url != NULL && token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_sync_manager_configure_async);
  clean_url = g_strstrip (g_strdup (url));
  clean_token = g_strstrip (g_strdup (token));
  if (!check_url (clean_url, &error) || !check_token (clean_token, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->client == NULL)
    {
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FAILED,
                               _("The local history is not open, so nothing can be synced. "
                                 "See the message in the window about it."));
      return;
    }

  c = g_new0 (Configure, 1);
  c->url = g_steal_pointer (&clean_url);
  c->token = g_steal_pointer (&clean_token);
  g_task_set_task_data (task, c, (GDestroyNotify) configure_free);
  /* The keyring may prompt: on a thread. */
  saving = g_task_new (self, cancellable, on_token_saved_cb, g_steal_pointer (&task));
  g_task_set_task_data (saving, c, NULL);
  g_task_run_in_thread (saving, token_store_thread);
}

gboolean
obd_sync_manager_configure_finish (ObdSyncManager  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
obd_sync_manager_stop_syncing (ObdSyncManager *self)
{
  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));

  self->enabled = FALSE;
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "sync-enabled", FALSE);
  if (self->client != NULL)
    obd_sync_client_stop (self->client);
  close_rooms (self);
  update_state (self);
}

void
obd_sync_manager_resume_syncing (ObdSyncManager *self)
{
  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));

  if (self->enabled)
    return;
  self->enabled = TRUE;
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "sync-enabled", TRUE);
  start_client (self);
}

static void
on_sync_now_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;

  /* The state and "last-error" already say it. */
  if (!obd_sync_client_sync_finish (OBD_SYNC_CLIENT (source), result, &error))
    g_debug ("Sync now: %s", error->message);
}

void
obd_sync_manager_sync_now (ObdSyncManager *self)
{
  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));

  if (self->client == NULL || !self->enabled || self->server_url == NULL)
    return;
  if (self->token_error != NULL)
    {
      /* Perhaps saved meanwhile with obd2 sync --set-token. */
      start_client (self);
      return;
    }
  obd_sync_client_sync_async (self->client, NULL, on_sync_now_cb, NULL);
}

/* Rooms ------------------------------------------------------------------- */

/* The answer to room_create (this PC hosts) or room_join. */
static void
on_room_reply_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GTask) task = data;
  ObdSyncManager *self = g_task_get_source_object (task);
  gboolean host = g_task_get_source_tag (task) == obd_sync_manager_open_room_async;
  g_autoptr(JsonObject) reply = NULL;
  GError *error = NULL;
  ObdRoom *room;

  reply = obd_sync_client_request_finish (OBD_SYNC_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  room = obd_room_new (OBD_SYNC_CLIENT (source), reply, host);
  add_room (self, room);
  if (host)
    {
      if (self->room != NULL && obd_room_get_open (self->room))
        obd_room_end_async (self->room, NULL, NULL, NULL);
      g_set_object (&self->room, room);
      obd_live_share_set_required (self->share, TRUE);
      notify (self, PROP_ROOM);
    }
  g_task_return_pointer (task, room, g_object_unref);
}

void
obd_sync_manager_open_room_async (ObdSyncManager      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *vehicle;

  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_sync_manager_open_room_async);
  if (self->room != NULL && obd_room_get_open (self->room))
    {
      g_task_return_pointer (task, g_object_ref (self->room), g_object_unref);
      return;
    }
  if (!self->connected)
    {
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                               _("Not connected to the sync server: an expert can be invited "
                                 "once it answers."));
      return;
    }
  /* Sharing is forced on with the room; until the vehicle can be shared,
   * the share says why not. */
  vehicle = obd_live_share_get_vehicle_id (self->share);
  if (vehicle == NULL)
    {
      obd_live_share_set_required (self->share, TRUE);
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND, "%s",
                               obd_live_share_get_status (self->share));
      obd_live_share_set_required (self->share, FALSE);
      return;
    }
  obd_sync_client_room_create_async (self->client, vehicle, cancellable, on_room_reply_cb,
                                     g_steal_pointer (&task));
}

ObdRoom *
obd_sync_manager_open_room_finish (ObdSyncManager  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* "abcd 2345", "ABCD-2345" → "ABCD-2345"; NULL if it cannot be a code. */
static char *
normalise_code (const char *code)
{
  GString *clean = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (clean, g_ascii_toupper (*p));
      else if (*p != '-' && *p != ' ' && *p != '\t')
        {
          g_string_free (clean, TRUE);
          return NULL;
        }
    }
  if (clean->len != 8)
    {
      g_string_free (clean, TRUE);
      return NULL;
    }
  g_string_insert_c (clean, 4, '-');
  return g_string_free (clean, FALSE);
}

void
obd_sync_manager_join_room_async (ObdSyncManager      *self,
                                  const char          *code,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *clean = NULL;

  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_sync_manager_join_room_async);
  clean = normalise_code (code);
  if (clean == NULL)
    {
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
                               _("An invitation code is eight letters and digits, such as "
                                 "KX7P-3MWA. Check it with the mechanic."));
      return;
    }
  if (!self->connected)
    {
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                               _("Not connected to the sync server. Set it up in Preferences, "
                                 "under Sync, then try the code again."));
      return;
    }
  obd_sync_client_room_join_async (self->client, clean, cancellable, on_room_reply_cb,
                                   g_steal_pointer (&task));
}

ObdRoom *
obd_sync_manager_join_room_finish (ObdSyncManager  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

ObdRoom *
obd_sync_manager_get_room (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->room;
}

/* Accessors ---------------------------------------------------------------- */

ObdSyncClient *
obd_sync_manager_get_client (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->client;
}

ObdStoreService *
obd_sync_manager_get_store (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->store;
}

void
obd_sync_manager_set_session (ObdSyncManager *self,
                              ObdSession     *session)
{
  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  obd_live_share_set_session (self->share, session);
  notify (self, PROP_SESSION);
}

ObdSession *
obd_sync_manager_get_session (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->session;
}

ObdSyncState
obd_sync_manager_get_state (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), OBD_SYNC_STATE_DISABLED);
  return self->state;
}

gint64
obd_sync_manager_get_pending_count (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), 0);
  return self->pending;
}

const char *
obd_sync_manager_get_last_error (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->last_error;
}

gint64
obd_sync_manager_get_last_sync (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), 0);
  return self->client != NULL ? obd_sync_client_get_last_sync (self->client) : 0;
}

const char *
obd_sync_manager_get_server_url (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->server_url;
}

const char *
obd_sync_manager_get_user_name (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->client != NULL ? obd_sync_client_get_user_name (self->client) : NULL;
}

const char *
obd_sync_manager_get_role (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->client != NULL ? obd_sync_client_get_role (self->client) : NULL;
}

const char *
obd_sync_manager_get_organisation_name (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->client != NULL ? obd_sync_client_get_organisation_name (self->client) : NULL;
}

void
obd_sync_manager_set_share_live (ObdSyncManager *self,
                                 gboolean        share)
{
  g_return_if_fail (OBD_IS_SYNC_MANAGER (self));

  share = !!share;
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "sync-share-live", share);
  if (self->share_live == share)
    return;
  self->share_live = share;
  obd_live_share_set_wanted (self->share, share);
  notify (self, PROP_SHARE_LIVE);
}

gboolean
obd_sync_manager_get_share_live (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), FALSE);
  return self->share_live;
}

gboolean
obd_sync_manager_get_sharing (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), FALSE);
  return obd_live_share_get_sharing (self->share);
}

const char *
obd_sync_manager_get_share_status (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return obd_live_share_get_status (self->share);
}

const char *
obd_sync_manager_get_shared_vehicle (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return obd_live_share_get_vehicle_id (self->share);
}

ObdLiveShare *
obd_sync_manager_get_live_share (ObdSyncManager *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return self->share;
}

ObdRemoteVehicle *
obd_sync_manager_lookup_remote (ObdSyncManager *self,
                                const char     *vehicle_id)
{
  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (self), NULL);
  return vehicle_id != NULL ? g_hash_table_lookup (self->remotes, vehicle_id) : NULL;
}

/* GObject ------------------------------------------------------------------ */

static void
on_settings_changed_cb (ObdSyncManager *self,
                        const char     *key)
{
  if (g_str_equal (key, "sync-share-live"))
    {
      obd_sync_manager_set_share_live (self, g_settings_get_boolean (self->settings, key));
    }
  else if (g_str_equal (key, "sync-enabled")
           && self->enabled != g_settings_get_boolean (self->settings, key))
    {
      self->enabled = g_settings_get_boolean (self->settings, key);
      start_client (self);
    }
}

static void
on_share_notify_cb (ObdSyncManager *self,
                    GParamSpec     *pspec)
{
  if (g_str_equal (pspec->name, "sharing"))
    notify (self, PROP_SHARING);
  else if (g_str_equal (pspec->name, "status"))
    notify (self, PROP_SHARE_STATUS);
}

static void
obd_sync_manager_constructed (GObject *object)
{
  ObdSyncManager *self = OBD_SYNC_MANAGER (object);

  G_OBJECT_CLASS (obd_sync_manager_parent_class)->constructed (object);

  self->share = obd_live_share_new (self->store);
  g_signal_connect_object (self->share, "notify", G_CALLBACK (on_share_notify_cb), self,
                           G_CONNECT_SWAPPED);
  if (self->settings != NULL)
    {
      self->enabled = g_settings_get_boolean (self->settings, "sync-enabled");
      self->share_live = g_settings_get_boolean (self->settings, "sync-share-live");
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  obd_live_share_set_wanted (self->share, self->share_live);
  g_signal_group_set_target (self->store_signals, self->store);
  if (self->store != NULL)
    on_store_state_cb (self);
  update_state (self);
}

static void
obd_sync_manager_dispose (GObject *object)
{
  ObdSyncManager *self = OBD_SYNC_MANAGER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->live_check_source, g_source_remove);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  if (self->client_signals != NULL)
    g_signal_group_set_target (self->client_signals, NULL);
  if (self->rooms != NULL)
    {
      g_autoptr(GList) rooms = g_hash_table_get_values (self->rooms);

      for (GList *l = rooms; l != NULL; l = l->next)
        g_signal_handlers_disconnect_by_data (l->data, self);
      g_hash_table_remove_all (self->rooms);
    }
  g_clear_object (&self->room);
  if (self->share != NULL)
    {
      obd_live_share_set_client (self->share, NULL);
      obd_live_share_set_session (self->share, NULL);
    }
  g_clear_object (&self->share);
  if (self->client != NULL)
    obd_sync_client_stop (self->client);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->client_signals);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->remotes, g_hash_table_unref);

  G_OBJECT_CLASS (obd_sync_manager_parent_class)->dispose (object);
}

static void
obd_sync_manager_finalize (GObject *object)
{
  ObdSyncManager *self = OBD_SYNC_MANAGER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_free (self->server_url);
  g_free (self->token_error);
  g_free (self->last_error);
  g_free (self->fleet_channel);

  G_OBJECT_CLASS (obd_sync_manager_parent_class)->finalize (object);
}

static void
obd_sync_manager_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ObdSyncManager *self = OBD_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING_COUNT:
      g_value_set_int64 (value, self->pending);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, obd_sync_manager_get_last_sync (self));
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_USER_NAME:
      g_value_set_string (value, obd_sync_manager_get_user_name (self));
      break;
    case PROP_ROLE:
      g_value_set_string (value, obd_sync_manager_get_role (self));
      break;
    case PROP_ORGANISATION_NAME:
      g_value_set_string (value, obd_sync_manager_get_organisation_name (self));
      break;
    case PROP_SHARE_LIVE:
      g_value_set_boolean (value, self->share_live);
      break;
    case PROP_SHARING:
      g_value_set_boolean (value, obd_sync_manager_get_sharing (self));
      break;
    case PROP_SHARE_STATUS:
      g_value_set_string (value, obd_sync_manager_get_share_status (self));
      break;
    case PROP_ROOM:
      g_value_set_object (value, self->room);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_sync_manager_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ObdSyncManager *self = OBD_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_SESSION:
      obd_sync_manager_set_session (self, g_value_get_object (value));
      break;
    case PROP_SHARE_LIVE:
      obd_sync_manager_set_share_live (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_sync_manager_class_init (ObdSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                | G_PARAM_STATIC_STRINGS;

  object_class->constructed = obd_sync_manager_constructed;
  object_class->dispose = obd_sync_manager_dispose;
  object_class->finalize = obd_sync_manager_finalize;
  object_class->get_property = obd_sync_manager_get_property;
  object_class->set_property = obd_sync_manager_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, OBD_TYPE_STORE_SERVICE, construct);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, construct);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OBD_TYPE_SYNC_STATE, OBD_SYNC_STATE_DISABLED, ro);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_int64 ("pending-count", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_LAST_SYNC] =
    g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, ro);
  properties[PROP_USER_NAME] = g_param_spec_string ("user-name", NULL, NULL, NULL, ro);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, ro);
  properties[PROP_ORGANISATION_NAME] =
    g_param_spec_string ("organisation-name", NULL, NULL, NULL, ro);
  properties[PROP_SHARE_LIVE] =
    g_param_spec_boolean ("share-live", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHARING] = g_param_spec_boolean ("sharing", NULL, NULL, FALSE, ro);
  properties[PROP_SHARE_STATUS] = g_param_spec_string ("share-status", NULL, NULL, NULL, ro);
  properties[PROP_ROOM] = g_param_spec_object ("room", NULL, NULL, OBD_TYPE_ROOM, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_REMOTE_CHANGED] =
    g_signal_new ("remote-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, OBD_TYPE_REMOTE_VEHICLE);
  signals[SIGNAL_CONFLICT] =
    g_signal_new ("conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
obd_sync_manager_init (ObdSyncManager *self)
{
  self->enabled = TRUE;
  self->cancellable = g_cancellable_new ();
  self->remotes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  self->store_signals = g_signal_group_new (OBD_TYPE_STORE_SERVICE);
  g_signal_group_connect_swapped (self->store_signals, "notify::state",
                                  G_CALLBACK (on_store_state_cb), self);
  g_signal_group_connect_swapped (self->store_signals, "changed",
                                  G_CALLBACK (on_store_changed_cb), self);

  self->client_signals = g_signal_group_new (OBD_TYPE_SYNC_CLIENT);
  g_signal_group_connect_swapped (self->client_signals, "notify::state",
                                  G_CALLBACK (update_state), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::pending-count",
                                  G_CALLBACK (update_state), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::last-error",
                                  G_CALLBACK (update_state), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::role",
                                  G_CALLBACK (on_client_identity_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::user-name",
                                  G_CALLBACK (on_client_identity_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::organisation-name",
                                  G_CALLBACK (on_client_identity_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::last-sync",
                                  G_CALLBACK (on_client_identity_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "event",
                                  G_CALLBACK (on_event_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "store-changed",
                                  G_CALLBACK (on_client_store_changed_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "conflict",
                                  G_CALLBACK (on_client_conflict_cb), self);
}

ObdSyncManager *
obd_sync_manager_new (ObdStoreService *store,
                      GSettings       *settings)
{
  g_return_val_if_fail (store == NULL || OBD_IS_STORE_SERVICE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (OBD_TYPE_SYNC_MANAGER, "store", store, "settings", settings, NULL);
}
