/* obd-sync-client.c — syncs the local store with the shop's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two threads: the owner's (network, state, signals) and a store thread
 * with its own ObdStore on the same file, which reads the outbox, builds
 * push messages (JSON and the Base64 of samples are the expensive part),
 * applies acknowledgements and pulled changes.  Store jobs are GTasks, so
 * their results come back to the owner's context through a source
 * attached there, never inline.
 *
 * Pushing keeps up to PUSH_WINDOW messages in flight, paced by the rate
 * the server announced in its welcome.  A session's samples travel as
 * "samples" changes (parts) with the session's seq, before the session
 * itself: the server acknowledges the seq only once the session arrived,
 * so a connection lost half-way resends the session from its first part
 * and the server keeps each part once.
 */
#define G_LOG_DOMAIN "obd-sync"
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "obd-store-sync.h"
#include "obd-sync-client.h"
#include "obd-sync-job-thread.h"

#define PUSH_WINDOW          8
#define SAMPLES_PER_PART     4096
#define OUTBOX_PAGE          200
#define PULL_LIMIT           500
#define POLL_INTERVAL_S      2
#define PULL_INTERVAL_US     (15 * G_USEC_PER_SEC)
#define HANDSHAKE_TIMEOUT_S  20

typedef enum
{
  PHASE_IDLE = 0,
  PHASE_PREPARING,      /* reading the store's sync state */
  PHASE_CONNECTING,
  PHASE_WELCOME,        /* connected, waiting for welcome */
  PHASE_AUTHENTICATING,
  PHASE_READY,
} Phase;

/* Where building pushes goes on from. */
typedef struct
{
  gint64                 after_seq;   /* last outbox seq fully built */
  gboolean               in_session;
  gint64                 session_seq;
  char                  *session_uuid;
  char                  *session_change;  /* the session's change, sent after its samples */
  ObdStoreSyncSampleKey  key;
  gint64                 part;
} PushCursor;

typedef struct
{
  char   *message_id;
  char   *text;
  gint64  last_seq;     /* highest seq fully in this message, 0 if none */
  guint   n_changes;
  guint   n_samples;
} PushText;

struct _ObdSyncClient
{
  GObject          parent_instance;

  GMainContext    *context;
  char            *store_path;
  char            *server_url;   /* as set: one address, or several */
  GStrv            urls;         /* its addresses */
  guint            url_index;    /* the one in use or tried next */
  guint            urls_tried;   /* failed in a row since the last success */
  char            *token;
  char            *device_name;
  GTlsDatabase    *tls_database;
  guint            backoff_first_ms;
  guint            backoff_max_ms;
  gboolean         compression;

  ObdSyncState     state;
  gint64           pending;
  char            *last_error;
  gint64           last_sync;
  char            *device_id;
  char            *role;
  char            *organisation_id;
  char            *user_id;
  char            *user_name;
  char            *organisation_name;
  ObdSyncStats     stats;

  /* The store thread and what it owns. */
  ObdSyncJobThread *store_thread;
  ObdStore        *thread_store;
  GError          *thread_store_error;

  /* The connection. */
  SoupSession              *session;
  SoupWebsocketConnection  *conn;
  GCancellable             *cancellable;
  guint                     generation;  /* bumps on every disconnect */
  Phase                     phase;
  char                     *auth_id;
  guint                     heartbeat_s;
  gint64                    last_rx_us;
  guint                     heartbeat_source;
  guint                     handshake_source;
  gsize                     max_message;
  guint                     max_batch;
  double                    rate;
  double                    burst;
  double                    tokens;
  gint64                    refilled_us;
  guint                     pace_source;

  /* Pushing. */
  PushCursor       cursor;
  gboolean         building;
  gboolean         exhausted;
  GQueue           ready;     /* PushText * built, not sent */
  GQueue           inflight;  /* PushText * sent, not acknowledged */
  guint            acking;    /* ack jobs running */
  gboolean         pushing;

  /* Pulling. */
  char            *pull_id;
  gint64           pull_cursor;
  gint64           last_pull_us;

  /* Cycles. */
  gboolean         cycle_running;
  gboolean         cycle_again;
  GPtrArray       *cycle_tasks;   /* GTask * waiting for the cycle's end */

  /* Staying connected. */
  gboolean         started;
  guint            attempt;
  guint            reconnect_source;
  guint            poll_source;
  gboolean         polling;

  GHashTable      *requests;      /* message id → GTask * */
  GHashTable      *channels;      /* channels asked for, subscribed again on reconnect */
};

G_DEFINE_FINAL_TYPE (ObdSyncClient, obd_sync_client, G_TYPE_OBJECT)

/* g_set_str () is GLib 2.76; this is it for 2.74. */
static gboolean
set_str (char       **str,
         const char  *value)
{
  char *copy;

  if (*str == value || g_strcmp0 (*str, value) == 0)
    return FALSE;
  copy = g_strdup (value);
  g_free (*str);
  *str = copy;
  return TRUE;
}

/* "ws://a:8765/sync, ws://b:8765/sync": addresses separated by commas
 * or white space (neither appears in one). */
static GStrv
split_urls (const char *list)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;

  if (list == NULL)
    return NULL;
  parts = g_regex_split_simple ("[\\s,]+", list, 0, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

static const char *
current_url (ObdSyncClient *self)
{
  return self->urls[self->url_index % g_strv_length (self->urls)];
}

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_STATE,
  PROP_PENDING_COUNT,
  PROP_LAST_ERROR,
  PROP_LAST_SYNC,
  PROP_DEVICE_ID,
  PROP_ROLE,
  PROP_USER_NAME,
  PROP_ORGANISATION_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT,
  SIGNAL_STORE_CHANGED,
  SIGNAL_CONFLICT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_cycle      (ObdSyncClient *self);
static void pump_push        (ObdSyncClient *self);
static void disconnect       (ObdSyncClient *self,
                              const GError  *why);
static void connect_now      (ObdSyncClient *self);

GType
obd_sync_state_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { OBD_SYNC_STATE_DISABLED, "OBD_SYNC_STATE_DISABLED", "disabled" },
    { OBD_SYNC_STATE_OFFLINE, "OBD_SYNC_STATE_OFFLINE", "offline" },
    { OBD_SYNC_STATE_CONNECTING, "OBD_SYNC_STATE_CONNECTING", "connecting" },
    { OBD_SYNC_STATE_SYNCING, "OBD_SYNC_STATE_SYNCING", "syncing" },
    { OBD_SYNC_STATE_SYNCED, "OBD_SYNC_STATE_SYNCED", "synced" },
    { OBD_SYNC_STATE_ERROR, "OBD_SYNC_STATE_ERROR", "error" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("ObdSyncState", values));
  return type;
}

const char *
obd_sync_state_to_string (ObdSyncState state)
{
  GEnumValue *value = g_enum_get_value (g_type_class_peek (OBD_TYPE_SYNC_STATE), state);

  return value != NULL ? value->value_nick : "unknown";
}

/* Properties ------------------------------------------------------------ */

static void
set_state (ObdSyncClient *self,
           ObdSyncState   state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_last_error (ObdSyncClient *self,
                const char    *message)
{
  if (set_str (&self->last_error, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_pending (ObdSyncClient *self,
             gint64         pending)
{
  if (pending < 0 || self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_COUNT]);
}

/* The store thread ------------------------------------------------------- */

typedef void (*StoreFunc) (ObdSyncClient *self,
                           ObdStore      *store,
                           GTask         *task);

static void
open_store (gpointer data,
            gpointer unused)
{
  ObdSyncClient *self = data;

  self->thread_store = obd_store_open (self->store_path, OBD_STORE_OPEN_DEFAULT,
                                       &self->thread_store_error);
}

static void
close_store (gpointer data,
             gpointer unused)
{
  ObdSyncClient *self = data;

  g_clear_object (&self->thread_store);
  g_clear_error (&self->thread_store_error);
}

/* Runs on the store thread: the job of the task, on the thread's store. */
static void
store_job (gpointer  data,
           GTask    *task)
{
  ObdSyncClient *self = data;
  StoreFunc func = g_object_get_data (G_OBJECT (task), "store-func");

  if (self->thread_store == NULL)
    g_task_return_error (task, g_error_copy (self->thread_store_error));
  else
    func (self, self->thread_store, task);
}

static GTask *
store_task (ObdSyncClient       *self,
            GAsyncReadyCallback  callback,
            gpointer             task_data,
            GDestroyNotify       task_data_free)
{
  GTask *task = g_task_new (self, NULL, callback, NULL);

  g_task_set_task_data (task, task_data, task_data_free);
  /* Results of a job queued before a disconnect are for the old
   * connection. */
  g_object_set_data (G_OBJECT (task), "generation", GUINT_TO_POINTER (self->generation));
  return task;
}

static void
store_run (ObdSyncClient *self,
           GTask         *task,
           StoreFunc      func)
{
  g_object_set_data (G_OBJECT (task), "store-func", func);
  obd_sync_job_thread_run (self->store_thread, task, store_job);
}

static gboolean
task_is_current (ObdSyncClient *self,
                 GAsyncResult  *result)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "generation"))
         == self->generation;
}

/* Preparing: the device id, the cursor and the pending count. */
typedef struct
{
  char   *server_url;
  char   *device_id;
  gint64  cursor;
  gint64  pending;
} Prepared;

static void
prepared_free (Prepared *p)
{
  g_free (p->server_url);
  g_free (p->device_id);
  g_free (p);
}

static void
prepare_job (ObdSyncClient *self,
             ObdStore      *store,
             GTask         *task)
{
  Prepared *p = g_task_get_task_data (task);
  g_autoptr(ObdStoreSyncState) state = NULL;
  GError *error = NULL;

  if ((p->server_url != NULL && !obd_store_sync_set_server (store, p->server_url, &error))
      || (state = obd_store_sync_get_state (store, &error)) == NULL
      || (p->pending = obd_store_sync_count_pending (store, &error)) < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  p->device_id = g_strdup (state->device_id);
  p->cursor = state->cursor;
  g_task_return_boolean (task, TRUE);
}

/* Building pushes ------------------------------------------------------- */

static void
push_cursor_clear (PushCursor *c)
{
  g_clear_pointer (&c->session_uuid, g_free);
  g_clear_pointer (&c->session_change, g_free);
  memset (c, 0, sizeof *c);
}

static void
push_cursor_copy (PushCursor       *to,
                  const PushCursor *from)
{
  *to = *from;
  to->session_uuid = g_strdup (from->session_uuid);
  to->session_change = g_strdup (from->session_change);
}

static void
push_text_free (PushText *t)
{
  if (t == NULL)
    return;
  g_free (t->message_id);
  g_free (t->text);
  g_free (t);
}

typedef struct
{
  PushCursor  cursor;
  gsize       max_bytes;
  guint       max_batch;
  guint       max_messages;
  GPtrArray  *texts;      /* PushText * */
  gboolean    exhausted;
} Build;

static void
build_free (Build *b)
{
  push_cursor_clear (&b->cursor);
  g_clear_pointer (&b->texts, g_ptr_array_unref);
  g_free (b);
}

/* The change of an outbox entry, as JSON text. */
static char *
change_text (ObdStore                  *store,
             const ObdStoreOutboxEntry *entry,
             GError                   **error)
{
  g_autoptr(JsonNode) data = json_from_string (entry->payload, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_CORRUPT,
                   _("Change %" PRId64 " in the outbox is damaged."), entry->seq);
      return NULL;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, entry->seq);
  json_builder_set_member_name (b, "entity");
  json_builder_add_string_value (b, entry->entity);
  json_builder_set_member_name (b, "entityId");
  json_builder_add_string_value (b, entry->entity_id);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, entry->op);
  json_builder_set_member_name (b, "changedAt");
  json_builder_add_int_value (b, entry->created_us);
  if (g_str_equal (entry->entity, "vehicle") || g_str_equal (entry->entity, "maintenance_item"))
    {
      gint64 version = obd_store_sync_get_version (store, entry->entity, entry->entity_id, NULL);

      json_builder_set_member_name (b, "baseVersion");
      json_builder_add_int_value (b, MAX (version, 0));
    }
  if (g_str_equal (entry->entity, "session"))
    {
      gint64 chain_seq = 0;

      if (obd_store_sync_get_session_chain (store, entry->entity_id, &chain_seq, NULL, NULL)
          && chain_seq > 0)
        {
          json_builder_set_member_name (b, "chainSeq");
          json_builder_add_int_value (b, chain_seq);
        }
    }
  json_builder_set_member_name (b, "data");
  json_builder_add_value (b, g_steal_pointer (&data));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static char *
samples_change_text (gint64         seq,
                     const char    *session_uuid,
                     gint64         part,
                     GArray        *samples)
{
  g_autoptr(GArray) wire = g_array_sized_new (FALSE, FALSE, sizeof (ObdSyncSample),
                                              samples->len);
  g_autofree char *base64 = NULL;

  for (guint i = 0; i < samples->len; i++)
    {
      const ObdStoreSyncSample *s = &g_array_index (samples, ObdStoreSyncSample, i);
      ObdSyncSample w = { s->time_us, s->value, s->ecu, s->service, s->pid, s->index };

      g_array_append_val (wire, w);
    }
  base64 = obd_sync_samples_encode ((ObdSyncSample *) wire->data, wire->len);
  /* Built by hand: json-glib would copy a string this long twice. */
  return g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT ",\"entity\":\"samples\","
                          "\"entityId\":\"%s\",\"op\":\"insert\",\"changedAt\":0,"
                          "\"part\":%" G_GINT64_FORMAT ",\"data\":{\"encoding\":\"%s\","
                          "\"count\":%u,\"samples\":\"%s\"}}",
                          seq, session_uuid, part, OBD_SYNC_SAMPLES_ENCODING, samples->len,
                          base64);
}

static PushText *
finish_message (GString *changes,
                gint64   last_seq,
                guint    n_changes,
                guint    n_samples)
{
  PushText *t = g_new0 (PushText, 1);
  g_autofree char *stamp = obd_sync_format_timestamp (g_get_real_time ());

  t->message_id = g_uuid_string_random ();
  t->text = g_strdup_printf ("{\"type\":\"push\",\"payload\":{\"changes\":[%s]},"
                             "\"timestamp\":\"%s\",\"messageId\":\"%s\"}",
                             changes->str, stamp, t->message_id);
  t->last_seq = last_seq;
  t->n_changes = n_changes;
  t->n_samples = n_samples;
  return t;
}

static gboolean
build_pushes (ObdStore  *store,
              Build     *b,
              GError   **error)
{
  PushCursor *c = &b->cursor;
  g_autoptr(GPtrArray) page = NULL;
  guint page_index = 0;

  while (b->texts->len < b->max_messages && !b->exhausted)
    {
      g_autoptr(GString) changes = g_string_new (NULL);
      guint n = 0, n_samples = 0, n_parts = 0;
      gint64 last_seq = 0;

      while (n < b->max_batch && changes->len < b->max_bytes)
        {
          g_autofree char *text = NULL;

          if (c->in_session)
            {
              g_autoptr(GArray) samples = g_array_new (FALSE, FALSE,
                                                       sizeof (ObdStoreSyncSample));
              g_autoptr(GError) local_error = NULL;

              if (!obd_store_sync_read_samples (store, c->session_uuid, &c->key,
                                                SAMPLES_PER_PART, samples, &local_error)
                  && !g_error_matches (local_error, OBD_STORE_ERROR,
                                       OBD_STORE_ERROR_NOT_FOUND))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }
              if (samples->len > 0)
                {
                  text = samples_change_text (c->session_seq, c->session_uuid, c->part++,
                                              samples);
                  n_samples += samples->len;
                  n_parts++;
                }
              if (samples->len < SAMPLES_PER_PART)
                {
                  /* Every sample is out: the session follows. */
                  if (text != NULL)
                    {
                      g_string_append_printf (changes, "%s%s", n > 0 ? "," : "", text);
                      n++;
                    }
                  g_free (text);
                  text = g_steal_pointer (&c->session_change);
                  last_seq = c->after_seq = c->session_seq;
                  c->in_session = FALSE;
                  g_clear_pointer (&c->session_uuid, g_free);
                }
            }
          else
            {
              ObdStoreOutboxEntry *entry;

              if (page == NULL || page_index >= page->len)
                {
                  g_clear_pointer (&page, g_ptr_array_unref);
                  page = obd_store_list_outbox (store, c->after_seq, OUTBOX_PAGE, error);
                  if (page == NULL)
                    return FALSE;
                  page_index = 0;
                  if (page->len == 0)
                    {
                      b->exhausted = TRUE;
                      break;
                    }
                }
              entry = g_ptr_array_index (page, page_index++);
              text = change_text (store, entry, error);
              if (text == NULL)
                return FALSE;
              if (g_str_equal (entry->entity, "session") && g_str_equal (entry->op, "insert"))
                {
                  c->in_session = TRUE;
                  c->session_seq = entry->seq;
                  c->session_uuid = g_strdup (entry->entity_id);
                  c->session_change = g_steal_pointer (&text);
                  memset (&c->key, 0, sizeof c->key);
                  c->part = 0;
                  continue;
                }
              last_seq = c->after_seq = entry->seq;
            }

          if (text != NULL)
            {
              g_string_append_printf (changes, "%s%s", n > 0 ? "," : "", text);
              n++;
            }
        }

      if (n == 0)
        break;
      /* Parts are not outbox entries: count what the user sees. */
      g_ptr_array_add (b->texts, finish_message (changes, last_seq, n - n_parts, n_samples));
    }
  return TRUE;
}

static void
build_job (ObdSyncClient *self,
           ObdStore      *store,
           GTask         *task)
{
  GError *error = NULL;

  if (!build_pushes (store, g_task_get_task_data (task), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* What a store job changed, told to the owner afterwards ----------------- */

/* A conflict recorded in the store's history. */
typedef struct
{
  char     *entity;
  char     *entity_id;
  gboolean  local_won;
} ConflictNote;

static void
conflict_note_free (ConflictNote *c)
{
  g_free (c->entity);
  g_free (c->entity_id);
  g_free (c);
}

typedef struct
{
  GPtrArray *entities;    /* char *: the kinds of rows written, each once */
  GPtrArray *conflicts;   /* ConflictNote * */
} Touched;

static void
touched_init (Touched *t)
{
  t->entities = g_ptr_array_new_with_free_func (g_free);
  t->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) conflict_note_free);
}

static void
touched_clear (Touched *t)
{
  g_clear_pointer (&t->entities, g_ptr_array_unref);
  g_clear_pointer (&t->conflicts, g_ptr_array_unref);
}

static void
touched_add_entity (Touched    *t,
                    const char *entity)
{
  if (entity != NULL && !g_ptr_array_find_with_equal_func (t->entities, entity, g_str_equal,
                                                           NULL))
    g_ptr_array_add (t->entities, g_strdup (entity));
}

static void
touched_add_conflict (Touched    *t,
                      const char *entity,
                      const char *entity_id,
                      gboolean    local_won)
{
  ConflictNote *c = g_new0 (ConflictNote, 1);

  c->entity = g_strdup (entity);
  c->entity_id = g_strdup (entity_id);
  c->local_won = local_won;
  g_ptr_array_add (t->conflicts, c);
  /* The conflict history changed, and with it what a view of the row
   * shows. */
  touched_add_entity (t, entity);
}

/* On the owner's context, once the store has it: views reload. */
static void
emit_touched (ObdSyncClient *self,
              Touched       *t)
{
  for (guint i = 0; i < t->entities->len; i++)
    g_signal_emit (self, signals[SIGNAL_STORE_CHANGED], 0, g_ptr_array_index (t->entities, i));
  for (guint i = 0; i < t->conflicts->len; i++)
    {
      ConflictNote *c = g_ptr_array_index (t->conflicts, i);

      g_signal_emit (self, signals[SIGNAL_CONFLICT], 0, c->entity, c->entity_id, c->local_won);
    }
}

/* Acknowledgements ------------------------------------------------------- */

typedef struct
{
  gint64      acked_seq;
  JsonObject *payload;      /* push_ack */
  gint64      pending;
  guint       n_conflicts;
  Touched     touched;
} Ack;

static void
ack_free (Ack *a)
{
  g_clear_pointer (&a->payload, json_object_unref);
  touched_clear (&a->touched);
  g_free (a);
}

static char *
object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;

  if (object == NULL)
    return NULL;
  node = json_node_init_object (json_node_alloc (), object);
  return json_to_string (node, FALSE);
}

static void
ack_job (ObdSyncClient *self,
         ObdStore      *store,
         GTask         *task)
{
  Ack *a = g_task_get_task_data (task);
  JsonNode *node;
  GError *error = NULL;

  if (!obd_store_sync_ack (store, a->acked_seq, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  node = json_object_get_member (a->payload, "versions");
  for (guint i = 0; node != NULL && JSON_NODE_HOLDS_ARRAY (node)
                    && i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonObject *v = json_array_get_object_element (json_node_get_array (node), i);

      obd_store_sync_set_version (store, json_object_get_string_member (v, "entity"),
                                  json_object_get_string_member (v, "entityId"),
                                  json_object_get_int_member (v, "version"), NULL);
    }

  /* Conflicts: recorded with both versions; when the other PC's version
   * won, it replaces ours here too. */
  node = json_object_get_member (a->payload, "conflicts");
  for (guint i = 0; node != NULL && JSON_NODE_HOLDS_ARRAY (node)
                    && i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonObject *c = json_array_get_object_element (json_node_get_array (node), i);
      JsonObject *theirs = json_object_get_object_member (c, "theirs");
      JsonObject *their_data = json_object_get_object_member (theirs, "data");
      g_autofree char *mine = object_text (json_object_get_object_member (c, "mine"));
      g_autofree char *their_text = object_text (their_data);
      ObdStoreSyncConflict conflict = {
        .entity = (char *) json_object_get_string_member (c, "entity"),
        .entity_id = (char *) json_object_get_string_member (c, "entityId"),
        .local_won = g_strcmp0 (json_object_get_string_member (c, "winner"), "mine") == 0,
        .local_data = mine,
        .remote_data = their_text,
        .remote_device = (char *) obd_sync_payload_get_string (theirs, "device"),
      };
      gboolean applied = FALSE;

      if (!obd_store_sync_add_conflict (store, &conflict, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      a->n_conflicts++;
      if (!conflict.local_won && their_data != NULL
          && !obd_store_sync_apply (store, conflict.entity, conflict.entity_id, "update",
                                    their_data, json_object_get_int_member (c, "version"),
                                    &applied, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      touched_add_conflict (&a->touched, conflict.entity, conflict.entity_id, conflict.local_won);
    }

  node = json_object_get_member (a->payload, "chain");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *chain = json_node_get_object (node);

      obd_store_sync_set_anchor (store, obd_sync_payload_get_int (chain, "seq", 0),
                                 obd_sync_payload_get_string (chain, "hash"), NULL);
    }
  a->pending = obd_store_sync_count_pending (store, NULL);
  g_task_return_boolean (task, TRUE);
}

/* Pulled changes --------------------------------------------------------- */

typedef struct
{
  JsonObject *payload;     /* changes */
  char       *device_id;
  guint       applied;
  guint       conflicts;
  Touched     touched;
} Apply;

static void
apply_free (Apply *a)
{
  g_clear_pointer (&a->payload, json_object_unref);
  g_free (a->device_id);
  touched_clear (&a->touched);
  g_free (a);
}

static void
apply_job (ObdSyncClient *self,
           ObdStore      *store,
           GTask         *task)
{
  Apply *a = g_task_get_task_data (task);
  JsonArray *changes = json_object_get_array_member (a->payload, "changes");
  GError *error = NULL;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      JsonNode *conflict = json_object_get_member (c, "conflict");
      gboolean applied = FALSE;

      if (!obd_store_sync_apply (store, json_object_get_string_member (c, "entity"),
                                 json_object_get_string_member (c, "entityId"),
                                 json_object_get_string_member (c, "op"),
                                 json_object_get_object_member (c, "data"),
                                 json_object_get_int_member (c, "version"), &applied, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      a->applied += applied;
      if (applied)
        touched_add_entity (&a->touched, json_object_get_string_member (c, "entity"));

      /* This PC's version lost to a later edit pushed afterwards: keep
       * ours in the history. */
      if (conflict != NULL && JSON_NODE_HOLDS_OBJECT (conflict))
        {
          JsonObject *co = json_node_get_object (conflict);
          JsonNode *loser = json_object_get_member (co, "loser");
          JsonNode *winner = json_object_get_member (co, "winner");

          if (loser != NULL && JSON_NODE_HOLDS_OBJECT (loser) && winner != NULL
              && JSON_NODE_HOLDS_OBJECT (winner)
              && g_strcmp0 (obd_sync_payload_get_string (json_node_get_object (loser), "device"),
                            a->device_id) == 0)
            {
              JsonObject *lo = json_node_get_object (loser), *wo = json_node_get_object (winner);
              JsonNode *ld = json_object_get_member (lo, "data");
              JsonNode *wd = json_object_get_member (wo, "data");
              g_autofree char *local = ld != NULL && JSON_NODE_HOLDS_OBJECT (ld)
                                       ? object_text (json_node_get_object (ld)) : NULL;
              g_autofree char *remote = wd != NULL && JSON_NODE_HOLDS_OBJECT (wd)
                                        ? object_text (json_node_get_object (wd)) : NULL;
              ObdStoreSyncConflict record = {
                .entity = (char *) json_object_get_string_member (c, "entity"),
                .entity_id = (char *) json_object_get_string_member (c, "entityId"),
                .local_won = FALSE,
                .local_data = local,
                .remote_data = remote,
                .remote_device = (char *) obd_sync_payload_get_string (wo, "device"),
              };

              if (!obd_store_sync_add_conflict (store, &record, &error))
                {
                  g_task_return_error (task, error);
                  return;
                }
              a->conflicts++;
              touched_add_conflict (&a->touched, record.entity, record.entity_id, FALSE);
            }
        }
    }
  if (!obd_store_sync_set_cursor (store, json_object_get_int_member (a->payload, "cursor"),
                                  &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
finish_cycle_job (ObdSyncClient *self,
                  ObdStore      *store,
                  GTask         *task)
{
  GError *error = NULL;
  gint64 now = g_get_real_time ();
  gint64 pending;

  if (!obd_store_sync_mark_synced (store, now, &error)
      || (pending = obd_store_sync_count_pending (store, &error)) < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, pending);
}

static void
count_job (ObdSyncClient *self,
           ObdStore      *store,
           GTask         *task)
{
  GError *error = NULL;
  gint64 pending = obd_store_sync_count_pending (store, &error);

  if (pending < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, pending);
}

/* Sending ---------------------------------------------------------------- */

static gboolean
is_open (ObdSyncClient *self)
{
  return self->conn != NULL
         && soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
send_text (ObdSyncClient *self,
           const char    *text)
{
  self->stats.messages_sent++;
  self->stats.bytes_sent += strlen (text);
  soup_websocket_connection_send_text (self->conn, text);
}

static char *
send_message (ObdSyncClient      *self,
              ObdSyncMessageType  type,
              JsonObject         *payload)
{
  g_autoptr(ObdSyncMessage) message = obd_sync_message_new (type, payload);
  g_autofree char *text = obd_sync_message_to_string (message, NULL);

  send_text (self, text);
  return g_strdup (message->message_id);
}

/* The server's token bucket, mirrored: a client that keeps to the rate
 * it was told is never dropped. */
static gboolean
take_token (ObdSyncClient *self,
            gint64        *out_wait_ms)
{
  gint64 now = g_get_monotonic_time ();

  self->tokens = MIN (self->burst, self->tokens + (now - self->refilled_us) * self->rate / 1e6);
  self->refilled_us = now;
  /* Keep one in hand for pings and live data. */
  if (self->tokens >= 2.0)
    {
      self->tokens -= 1.0;
      return TRUE;
    }
  *out_wait_ms = (gint64) ceil ((2.0 - self->tokens) * 1000.0 / self->rate);
  return FALSE;
}

/* Cycles ----------------------------------------------------------------- */

static void
complete_cycle (ObdSyncClient *self,
                const GError  *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->cycle_tasks);

  self->cycle_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->cycle_running = FALSE;
  self->pushing = FALSE;
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
on_cycle_finished_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  gint64 pending = g_task_propagate_int (G_TASK (result), &error);

  if (!task_is_current (self, result))
    return;
  if (pending < 0)
    {
      disconnect (self, error);
      return;
    }
  set_pending (self, pending);
  self->last_sync = g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
  set_last_error (self, NULL);
  set_state (self, OBD_SYNC_STATE_SYNCED);
  complete_cycle (self, NULL);
  if (self->cycle_again)
    start_cycle (self);
}

static void
send_pull (ObdSyncClient *self)
{
  JsonObject *payload = json_object_new ();

  json_object_set_int_member (payload, "cursor", self->pull_cursor);
  json_object_set_int_member (payload, "limit", PULL_LIMIT);
  g_free (self->pull_id);
  self->pull_id = send_message (self, OBD_SYNC_MSG_PULL, payload);
}

static void
on_applied_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  Apply *a = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (task_is_current (self, result))
        disconnect (self, error);
      return;
    }
  if (!task_is_current (self, result))
    return;
  self->stats.changes_pulled += a->applied;
  self->stats.conflicts += a->conflicts;
  emit_touched (self, &a->touched);
  self->pull_cursor = json_object_get_int_member (a->payload, "cursor");
  if (json_object_get_boolean_member (a->payload, "more") && is_open (self))
    {
      send_pull (self);
      return;
    }
  self->last_pull_us = g_get_monotonic_time ();
  store_run (self, store_task (self, on_cycle_finished_cb, NULL, NULL), finish_cycle_job);
}

static void
handle_changes (ObdSyncClient  *self,
                ObdSyncMessage *message)
{
  Apply *a;

  if (g_strcmp0 (obd_sync_payload_get_string (message->payload, "inReplyTo"), self->pull_id)
      != 0)
    return;
  g_clear_pointer (&self->pull_id, g_free);
  a = g_new0 (Apply, 1);
  touched_init (&a->touched);
  a->payload = json_object_ref (message->payload);
  a->device_id = g_strdup (self->device_id);
  store_run (self, store_task (self, on_applied_cb, a, (GDestroyNotify) apply_free), apply_job);
}

static void
push_done (ObdSyncClient *self)
{
  self->pushing = FALSE;
  send_pull (self);
}

static void
on_built_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  Build *b = g_task_get_task_data (G_TASK (result));

  if (!task_is_current (self, result))
    return;
  self->building = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      disconnect (self, error);
      return;
    }
  push_cursor_clear (&self->cursor);
  push_cursor_copy (&self->cursor, &b->cursor);
  self->exhausted = b->exhausted;
  for (guint i = 0; i < b->texts->len; i++)
    g_queue_push_tail (&self->ready, g_steal_pointer (&b->texts->pdata[i]));
  pump_push (self);
}

static gboolean
on_pace_cb (gpointer data)
{
  ObdSyncClient *self = data;

  self->pace_source = 0;
  pump_push (self);
  return G_SOURCE_REMOVE;
}

static void
pump_push (ObdSyncClient *self)
{
  gint64 wait_ms = 0;

  if (!self->pushing || !is_open (self) || self->phase != PHASE_READY)
    return;

  while (!g_queue_is_empty (&self->ready) && g_queue_get_length (&self->inflight) < PUSH_WINDOW)
    {
      PushText *t;

      if (!take_token (self, &wait_ms))
        {
          if (self->pace_source == 0)
            self->pace_source = g_timeout_add (MAX (wait_ms, 1), on_pace_cb, self);
          break;
        }
      t = g_queue_pop_head (&self->ready);
      send_text (self, t->text);
      g_clear_pointer (&t->text, g_free);
      g_queue_push_tail (&self->inflight, t);
    }

  if (!self->building && !self->exhausted && g_queue_get_length (&self->ready) < PUSH_WINDOW)
    {
      Build *b = g_new0 (Build, 1);

      push_cursor_copy (&b->cursor, &self->cursor);
      /* Leave room for the envelope and for the server's own limit. */
      b->max_bytes = self->max_message / 2;
      b->max_batch = self->max_batch;
      b->max_messages = PUSH_WINDOW;
      b->texts = g_ptr_array_new_with_free_func ((GDestroyNotify) push_text_free);
      self->building = TRUE;
      store_run (self, store_task (self, on_built_cb, b, (GDestroyNotify) build_free),
                 build_job);
    }

  if (self->exhausted && !self->building && g_queue_is_empty (&self->ready)
      && g_queue_is_empty (&self->inflight) && self->acking == 0)
    push_done (self);
}

static void
on_acked_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  Ack *a = g_task_get_task_data (G_TASK (result));
  gboolean current = task_is_current (self, result);

  if (current)
    self->acking--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (current)
        disconnect (self, error);
      return;
    }
  self->stats.conflicts += a->n_conflicts;
  set_pending (self, a->pending);
  emit_touched (self, &a->touched);
  if (current)
    pump_push (self);
}

static void
handle_push_ack (ObdSyncClient  *self,
                 ObdSyncMessage *message)
{
  const char *reply_to = obd_sync_payload_get_string (message->payload, "inReplyTo");
  Ack *a;

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      PushText *t = l->data;

      if (g_strcmp0 (t->message_id, reply_to) == 0)
        {
          self->stats.changes_pushed += t->n_changes;
          self->stats.samples_pushed += t->n_samples;
          g_queue_delete_link (&self->inflight, l);
          push_text_free (t);
          break;
        }
    }

  a = g_new0 (Ack, 1);
  touched_init (&a->touched);
  a->acked_seq = json_object_get_int_member (message->payload, "ackedSeq");
  a->payload = json_object_ref (message->payload);
  self->acking++;
  store_run (self, store_task (self, on_acked_cb, a, (GDestroyNotify) ack_free), ack_job);
}

static void
start_cycle (ObdSyncClient *self)
{
  if (self->cycle_running)
    {
      self->cycle_again = TRUE;
      return;
    }
  if (self->phase != PHASE_READY)
    {
      connect_now (self);
      return;
    }
  self->cycle_again = FALSE;
  self->cycle_running = TRUE;
  set_state (self, OBD_SYNC_STATE_SYNCING);

  /* Start from the first change not acknowledged: whatever was in flight
   * on an earlier connection is built again. */
  push_cursor_clear (&self->cursor);
  g_queue_clear_full (&self->ready, (GDestroyNotify) push_text_free);
  g_queue_clear_full (&self->inflight, (GDestroyNotify) push_text_free);
  self->exhausted = FALSE;
  self->pushing = TRUE;
  pump_push (self);
}

/* Connection --------------------------------------------------------------- */

static gboolean
on_reconnect_cb (gpointer data)
{
  ObdSyncClient *self = data;

  self->reconnect_source = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (ObdSyncClient *self)
{
  guint64 delay;

  if (!self->started || self->reconnect_source != 0)
    return;
  /* Another server of the list not tried since the last success: try it
   * at once, without backing off (its instance is likely up). */
  if (self->urls != NULL && self->urls_tried > 0
      && self->urls_tried < g_strv_length (self->urls))
    {
      g_debug ("Trying the next server, %s", self->urls[self->url_index]);
      self->reconnect_source = g_timeout_add (MIN (self->backoff_first_ms, 100),
                                              on_reconnect_cb, self);
      return;
    }
  self->urls_tried = 0;
  delay = (guint64) self->backoff_first_ms << MIN (self->attempt, 16);
  delay = MIN (delay, self->backoff_max_ms);
  /* Jitter: half to all of the delay, so a shop's PCs coming back after
   * an outage do not all knock at once. */
  delay = delay / 2 + (guint64) g_random_int_range (0, (gint32) MAX (delay / 2, 1));
  self->attempt++;
  g_debug ("Reconnecting in %" G_GUINT64_FORMAT " ms", delay);
  self->reconnect_source = g_timeout_add ((guint) delay, on_reconnect_cb, self);
}

static gboolean
is_fatal (const GError *error)
{
  return g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_AUTH_FAILED)
         || g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_PROTOCOL_VERSION)
         || g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN)
         || g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN)
         || g_error_matches (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE)
         || g_error_matches (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND)
         || g_error_matches (error, OBD_STORE_ERROR, OBD_STORE_ERROR_TOO_NEW)
         || g_error_matches (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_A_DATABASE);
}

static void
fail_requests (ObdSyncClient *self,
               const GError  *error)
{
  g_autoptr(GHashTable) requests = g_steal_pointer (&self->requests);
  GHashTableIter iter;
  GTask *task;

  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_hash_table_iter_init (&iter, requests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &task))
    {
      g_signal_handlers_disconnect_by_data (self, task);
      g_task_return_error (task, g_error_copy (error));
    }
}

/* Drops the connection (if any) and tells everyone waiting why. */
static void
disconnect (ObdSyncClient *self,
            const GError  *why)
{
  g_autoptr(GError) closed = NULL;

  self->generation++;
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
  g_clear_handle_id (&self->handshake_source, g_source_remove);
  g_clear_handle_id (&self->pace_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->conn, self);
      if (soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->conn);
    }
  self->phase = PHASE_IDLE;
  self->building = FALSE;
  self->acking = 0;
  self->pushing = FALSE;
  g_clear_pointer (&self->pull_id, g_free);
  g_clear_pointer (&self->auth_id, g_free);
  g_queue_clear_full (&self->ready, (GDestroyNotify) push_text_free);
  g_queue_clear_full (&self->inflight, (GDestroyNotify) push_text_free);

  if (why == NULL)
    {
      closed = g_error_new_literal (OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                                    _("The connection to the server was closed."));
      why = closed;
    }
  g_debug ("Disconnected: %s", why->message);
  set_last_error (self, why->message);
  fail_requests (self, why);
  if (self->cycle_running || self->cycle_tasks->len > 0)
    complete_cycle (self, why);

  if (is_fatal (why))
    {
      set_state (self, OBD_SYNC_STATE_ERROR);
      /* A refused token or version needs a person; a refused change may
       * be allowed later: retry, slowly. */
      if (g_error_matches (why, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN)
          || g_error_matches (why, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE))
        {
          self->attempt = 32;
          schedule_reconnect (self);
        }
      return;
    }
  /* Lost or never reached: the next attempt goes to the next server of
   * the list (an instance killed mid-push, one behind a cut cable). */
  if (self->urls != NULL && g_strv_length (self->urls) > 1)
    {
      self->url_index = (self->url_index + 1) % g_strv_length (self->urls);
      self->urls_tried++;
    }
  set_state (self, self->server_url != NULL ? OBD_SYNC_STATE_OFFLINE : OBD_SYNC_STATE_DISABLED);
  schedule_reconnect (self);
}

static void
fail_connection (ObdSyncClient    *self,
                 ObdSyncErrorCode  code,
                 const char       *message)
{
  g_autoptr(GError) error = g_error_new_literal (OBD_SYNC_ERROR, code, message);

  disconnect (self, error);
}

static gboolean
on_heartbeat_cb (gpointer data)
{
  ObdSyncClient *self = data;
  gint64 silent = g_get_monotonic_time () - self->last_rx_us;

  /* No answer to the last ping: the connection is half-open (a cable
   * pulled on the way, a van out of range) and TCP may not notice for
   * hours.  Drop it and reconnect. */
  if (silent > (gint64) self->heartbeat_s * 2 * G_USEC_PER_SEC)
    {
      self->heartbeat_source = 0;
      fail_connection (self, OBD_SYNC_ERROR_TIMEOUT,
                       _("The server stopped answering; reconnecting."));
      return G_SOURCE_REMOVE;
    }
  g_free (send_message (self, OBD_SYNC_MSG_PING, NULL));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_handshake_timeout_cb (gpointer data)
{
  ObdSyncClient *self = data;

  self->handshake_source = 0;
  fail_connection (self, OBD_SYNC_ERROR_TIMEOUT,
                   _("The server did not answer the greeting in time."));
  return G_SOURCE_REMOVE;
}

static void
handle_welcome (ObdSyncClient  *self,
                ObdSyncMessage *message)
{
  JsonObject *p = message->payload;
  JsonObject *limits = json_object_get_object_member (p, "limits");
  gint64 version = json_object_get_int_member (p, "protocolVersion");
  gint64 min_version = json_object_get_int_member (p, "minProtocolVersion");
  JsonObject *auth;

  if (self->phase != PHASE_WELCOME)
    return;
  if (version < OBD_SYNC_MIN_PROTOCOL_VERSION || min_version > OBD_SYNC_PROTOCOL_VERSION)
    {
      g_autofree char *text =
        version < OBD_SYNC_MIN_PROTOCOL_VERSION
        ? g_strdup_printf (_("The server speaks sync protocol versions %" PRId64 " to %"
                             PRId64 "; this program speaks %d to %d. Update the server."),
                           min_version, version, OBD_SYNC_MIN_PROTOCOL_VERSION,
                           OBD_SYNC_PROTOCOL_VERSION)
        : g_strdup_printf (_("The server speaks sync protocol versions %" PRId64 " to %"
                             PRId64 "; this program speaks %d to %d. Update the application."),
                           min_version, version, OBD_SYNC_MIN_PROTOCOL_VERSION,
                           OBD_SYNC_PROTOCOL_VERSION);

      fail_connection (self, OBD_SYNC_ERROR_PROTOCOL_VERSION, text);
      return;
    }

  self->heartbeat_s = MAX (1, json_object_get_int_member (p, "heartbeatSeconds"));
  self->max_message = MAX (4096, obd_sync_payload_get_int (limits, "maxMessageBytes",
                                                           OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES));
  self->max_batch = CLAMP (obd_sync_payload_get_int (limits, "maxBatch",
                                                     OBD_SYNC_DEFAULT_MAX_BATCH), 1, 10000);
  self->rate = MAX (1, obd_sync_payload_get_int (limits, "ratePerSecond",
                                                 OBD_SYNC_DEFAULT_RATE));
  self->burst = MAX (2, obd_sync_payload_get_int (limits, "burst", OBD_SYNC_DEFAULT_BURST));
  /* The server filled our bucket when it sent the welcome. */
  self->tokens = self->burst - 1;
  self->refilled_us = g_get_monotonic_time ();

  auth = json_object_new ();
  json_object_set_string_member (auth, "token", self->token);
  json_object_set_int_member (auth, "protocolVersion", OBD_SYNC_PROTOCOL_VERSION);
  json_object_set_string_member (auth, "deviceId", self->device_id);
  if (self->device_name != NULL)
    json_object_set_string_member (auth, "deviceName", self->device_name);
  json_object_set_string_member (auth, "client", "obd2-diagnostics " PACKAGE_VERSION);
  self->phase = PHASE_AUTHENTICATING;
  g_free (self->auth_id);
  self->auth_id = send_message (self, OBD_SYNC_MSG_AUTHENTICATE, auth);
}

/* Staying connected: the channels the role needs (a fleet manager or an
 * admin the fleet, an owner the car) and those asked for, again on every
 * connection. */
static void
subscribe_again (ObdSyncClient *self,
                 JsonObject    *auth)
{
  g_autoptr(GPtrArray) channels = g_ptr_array_new_with_free_func (g_free);
  const char *vehicle = obd_sync_payload_get_string (auth, "vehicleId");
  GHashTableIter iter;
  const char *channel;
  JsonObject *payload;
  JsonArray *array;

  if (g_strcmp0 (self->role, "fleet") == 0 || g_strcmp0 (self->role, "admin") == 0)
    g_ptr_array_add (channels, g_strconcat ("fleet:", self->organisation_id, NULL));
  else if (g_strcmp0 (self->role, "owner") == 0 && vehicle != NULL)
    g_ptr_array_add (channels, g_strconcat ("vehicle:", vehicle, NULL));
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, (gpointer *) &channel, NULL)
         && channels->len < OBD_SYNC_MAX_CHANNELS)
    if (!g_ptr_array_find_with_equal_func (channels, channel, g_str_equal, NULL))
      g_ptr_array_add (channels, g_strdup (channel));
  if (channels->len == 0)
    return;

  payload = json_object_new ();
  array = json_array_new ();
  for (guint i = 0; i < channels->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (channels, i));
  json_object_set_array_member (payload, "channels", array);
  g_free (send_message (self, OBD_SYNC_MSG_SUBSCRIBE, payload));
}

static void
handle_authenticated (ObdSyncClient  *self,
                      ObdSyncMessage *message)
{
  JsonObject *p = message->payload;

  if (self->phase != PHASE_AUTHENTICATING)
    return;
  g_clear_handle_id (&self->handshake_source, g_source_remove);
  self->phase = PHASE_READY;
  self->attempt = 0;
  set_str (&self->organisation_id, json_object_get_string_member (p, "organisationId"));
  set_str (&self->user_id, json_object_get_string_member (p, "userId"));
  if (set_str (&self->user_name, obd_sync_payload_get_string (p, "userName")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_NAME]);
  /* Servers before organisationName send only the id. */
  if (set_str (&self->organisation_name, obd_sync_payload_get_string (p, "organisationName")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORGANISATION_NAME]);
  self->urls_tried = 0;
  if (set_str (&self->role, json_object_get_string_member (p, "role")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
  self->heartbeat_source = g_timeout_add_seconds (self->heartbeat_s, on_heartbeat_cb, self);
  if (self->started)
    subscribe_again (self, p);
  start_cycle (self);
}

static void
handle_error (ObdSyncClient  *self,
              ObdSyncMessage *message)
{
  g_autoptr(GError) error = obd_sync_message_dup_error (message);
  const char *reply_to = obd_sync_payload_get_string (message->payload, "inReplyTo");
  GTask *request;

  if (reply_to != NULL && (request = g_hash_table_lookup (self->requests, reply_to)) != NULL)
    {
      g_autoptr(GTask) task = g_object_ref (request);

      g_hash_table_remove (self->requests, reply_to);
      g_signal_handlers_disconnect_by_data (self, task);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_strcmp0 (reply_to, self->auth_id) == 0 && reply_to != NULL)
    {
      disconnect (self, error);
      return;
    }

  for (GList *l = self->inflight.head; reply_to != NULL && l != NULL; l = l->next)
    if (g_strcmp0 (((PushText *) l->data)->message_id, reply_to) == 0)
      {
        /* A push refused: "unavailable" is the server's trouble and goes
         * away; anything else is about our data and stays until someone
         * acts. */
        disconnect (self, error);
        return;
      }

  if (g_strcmp0 (reply_to, self->pull_id) == 0 && reply_to != NULL)
    {
      disconnect (self, error);
      return;
    }

  /* A change of a push refused ("seq" names it): nothing after it may be
   * acknowledged, so this connection ends here; the pushes after it are
   * sent again next time and the server keeps them once. */
  if (json_object_has_member (message->payload, "seq")
      || json_object_get_boolean_member_with_default (message->payload, "fatal", FALSE))
    {
      disconnect (self, error);
      return;
    }
  /* Not about a request of ours (a live event refused, a flood
   * warning): worth showing, not worth dropping the connection. */
  set_last_error (self, error->message);
}

static void
handle_reply (ObdSyncClient  *self,
              ObdSyncMessage *message)
{
  const char *reply_to = obd_sync_payload_get_string (message->payload, "inReplyTo");
  GTask *request = reply_to != NULL ? g_hash_table_lookup (self->requests, reply_to) : NULL;

  if (request != NULL)
    {
      g_autoptr(GTask) task = g_object_ref (request);

      g_hash_table_remove (self->requests, reply_to);
      g_task_return_pointer (task, json_object_ref (message->payload),
                             (GDestroyNotify) json_object_unref);
    }
}

static void
on_message_cb (SoupWebsocketConnection *conn,
               int                      type,
               GBytes                  *bytes,
               ObdSyncClient           *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncMessage) message = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  self->last_rx_us = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  /* The server's frames are checked like anyone's: the server may be an
   * impostor, or broken. */
  message = obd_sync_message_parse (data, length, G_MAXSIZE, OBD_SYNC_FROM_SERVER, NULL,
                                    &error);
  if (message == NULL)
    {
      g_warning ("Ignoring a message from the server: %s", error->message);
      return;
    }

  switch (message->type)
    {
    case OBD_SYNC_MSG_WELCOME:
      handle_welcome (self, message);
      break;
    case OBD_SYNC_MSG_AUTHENTICATION_SUCCESS:
      handle_authenticated (self, message);
      break;
    case OBD_SYNC_MSG_PUSH_ACK:
      handle_push_ack (self, message);
      break;
    case OBD_SYNC_MSG_CHANGES:
      handle_changes (self, message);
      break;
    case OBD_SYNC_MSG_ERROR:
      handle_error (self, message);
      break;
    case OBD_SYNC_MSG_ROOM_CREATED:
    case OBD_SYNC_MSG_ROOM_JOINED:
      handle_reply (self, message);
      break;
    case OBD_SYNC_MSG_PONG:
      break;
    case OBD_SYNC_MSG_SUBSCRIPTION_SUCCESS:
    case OBD_SYNC_MSG_VEHICLE_STATUS:
    case OBD_SYNC_MSG_DTC_DETECTED:
    case OBD_SYNC_MSG_MAINTENANCE_ALERT:
    case OBD_SYNC_MSG_NOTIFICATION:
    case OBD_SYNC_MSG_GUIDE_PROGRESS:
    case OBD_SYNC_MSG_ROOM_NOTE:
    case OBD_SYNC_MSG_ROOM_CLOSED:
    case OBD_SYNC_MSG_PRESENCE:
      g_signal_emit (self, signals[SIGNAL_EVENT], 0,
                     obd_sync_message_type_to_string (message->type), message->payload);
      break;
    default:
      break;
    }
}

static void
on_closed_cb (SoupWebsocketConnection *conn,
              ObdSyncClient           *self)
{
  const char *reason = soup_websocket_connection_get_close_data (conn);
  g_autofree char *text = NULL;

  if (reason != NULL && *reason != '\0')
    text = g_strdup_printf (_("The server closed the connection (%s)."), reason);
  else
    text = g_strdup (_("The server closed the connection."));
  fail_connection (self, OBD_SYNC_ERROR_CLOSED, text);
}

static void
on_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  ObdSyncClient *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) wrapped = NULL;
  SoupWebsocketConnection *conn;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  if (conn == NULL && error->domain == G_TLS_ERROR)
    {
      wrapped = g_error_new (OBD_SYNC_ERROR, OBD_SYNC_ERROR_CONNECT,
                             _("The certificate of the server at %s is not trusted (%s). If the "
                               "shop has its own certificate authority, give its certificate "
                               "(obd2 sync --ca-file); changes are kept meanwhile."),
                             current_url (self), error->message);
      disconnect (self, wrapped);
      g_object_unref (self);
      return;
    }
  if (conn == NULL)
    {
      wrapped = g_error_new (OBD_SYNC_ERROR, OBD_SYNC_ERROR_CONNECT,
                             _("Could not reach the server at %s: %s. Check the address and "
                               "the network; changes are kept until it answers."),
                             current_url (self), error->message);
      disconnect (self, wrapped);
      g_object_unref (self);
      return;
    }

  self->conn = conn;
  self->phase = PHASE_WELCOME;
  self->last_rx_us = g_get_monotonic_time ();
  /* Pushes can be large; our own server bounds them. */
  soup_websocket_connection_set_max_incoming_payload_size (conn, 64 * 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (conn, 0);
  g_signal_connect (conn, "message", G_CALLBACK (on_message_cb), self);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed_cb), self);
  g_object_unref (self);
}

static void
on_prepared_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  Prepared *p = g_task_get_task_data (G_TASK (result));

  if (!task_is_current (self, result))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      disconnect (self, error);
      return;
    }
  if (set_str (&self->device_id, p->device_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_ID]);
  self->pull_cursor = p->cursor;
  set_pending (self, p->pending);

  msg = soup_message_new (SOUP_METHOD_GET, current_url (self));
  if (msg == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is not a server address. Give one such "
                                                 "as ws://server:8765/sync."),
                                               current_url (self));

      fail_connection (self, OBD_SYNC_ERROR_NO_SERVER, text);
      return;
    }
  self->phase = PHASE_CONNECTING;
  self->handshake_source = g_timeout_add_seconds (HANDSHAKE_TIMEOUT_S, on_handshake_timeout_cb,
                                                  self);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, on_connected_cb,
                                        g_object_ref (self));
}

static void
connect_now (ObdSyncClient *self)
{
  Prepared *p;
  g_autoptr(GUri) uri = NULL;

  if (self->phase != PHASE_IDLE)
    return;
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  if (self->server_url == NULL)
    {
      fail_connection (self, OBD_SYNC_ERROR_NO_SERVER,
                       _("No sync server is set. Give the server's address (ws://… or "
                         "wss://…)."));
      return;
    }
  for (guint i = 0; self->urls[i] != NULL; i++)
    {
      g_clear_pointer (&uri, g_uri_unref);
      uri = g_uri_parse (self->urls[i], G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0
                          && g_strcmp0 (g_uri_get_scheme (uri), "wss") != 0))
        {
          g_autofree char *text = g_strdup_printf (_("“%s” is not a server address. Give one "
                                                     "such as ws://server:8765/sync or "
                                                     "wss://server/sync (several separated by "
                                                     "commas)."), self->urls[i]);

          fail_connection (self, OBD_SYNC_ERROR_NO_SERVER, text);
          return;
        }
    }
  if (self->token == NULL)
    {
      fail_connection (self, OBD_SYNC_ERROR_NO_TOKEN,
                       _("No sync token. Set OBD2_TOKEN, or save one with “obd2 sync "
                         "--set-token”."));
      return;
    }

  self->cancellable = g_cancellable_new ();
  self->phase = PHASE_PREPARING;
  set_state (self, OBD_SYNC_STATE_CONNECTING);
  p = g_new0 (Prepared, 1);
  p->server_url = g_strdup (self->server_url);
  store_run (self, store_task (self, on_prepared_cb, p, (GDestroyNotify) prepared_free),
             prepare_job);
}

/* Staying connected -------------------------------------------------------- */

static void
on_counted_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (source);
  gint64 pending = g_task_propagate_int (G_TASK (result), NULL);

  self->polling = FALSE;
  if (pending < 0)
    return;
  set_pending (self, pending);
  if (self->started && self->phase == PHASE_READY && !self->cycle_running
      && (pending > 0 || g_get_monotonic_time () - self->last_pull_us > PULL_INTERVAL_US))
    start_cycle (self);
}

static gboolean
on_poll_cb (gpointer data)
{
  ObdSyncClient *self = data;

  if (!self->polling)
    {
      self->polling = TRUE;
      store_run (self, store_task (self, on_counted_cb, NULL, NULL), count_job);
    }
  return G_SOURCE_CONTINUE;
}

void
obd_sync_client_start (ObdSyncClient *self)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->attempt = 0;
  self->poll_source = g_timeout_add_seconds (POLL_INTERVAL_S, on_poll_cb, self);
  if (self->phase == PHASE_READY)
    start_cycle (self);
  else
    connect_now (self);
}

void
obd_sync_client_stop (ObdSyncClient *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));

  self->started = FALSE;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Syncing was stopped."));
  if (self->phase != PHASE_IDLE)
    disconnect (self, error);
  set_state (self, self->server_url != NULL ? OBD_SYNC_STATE_OFFLINE : OBD_SYNC_STATE_DISABLED);
}

void
obd_sync_client_notify_changed (ObdSyncClient *self)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));

  if (self->started && self->phase == PHASE_READY)
    start_cycle (self);
}

void
obd_sync_client_sync_async (ObdSyncClient       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_sync_client_sync_async);
  g_ptr_array_add (self->cycle_tasks, task);
  if (self->phase == PHASE_READY)
    start_cycle (self);
  else
    connect_now (self);
}

gboolean
obd_sync_client_sync_finish (ObdSyncClient  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Live --------------------------------------------------------------------- */

static gboolean
send_channels (ObdSyncClient       *self,
               ObdSyncMessageType   type,
               const char * const  *channels)
{
  JsonObject *payload;
  JsonArray *array;

  if (self->phase != PHASE_READY || !is_open (self))
    return FALSE;
  payload = json_object_new ();
  array = json_array_new ();
  for (guint i = 0; channels[i] != NULL; i++)
    json_array_add_string_element (array, channels[i]);
  json_object_set_array_member (payload, "channels", array);
  g_free (send_message (self, type, payload));
  return TRUE;
}

gboolean
obd_sync_client_subscribe (ObdSyncClient      *self,
                           const char * const *channels)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (channels != NULL, FALSE);

  for (guint i = 0; channels[i] != NULL; i++)
    g_hash_table_add (self->channels, g_strdup (channels[i]));
  return send_channels (self, OBD_SYNC_MSG_SUBSCRIBE, channels);
}

gboolean
obd_sync_client_unsubscribe (ObdSyncClient      *self,
                             const char * const *channels)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (channels != NULL, FALSE);

  for (guint i = 0; channels[i] != NULL; i++)
    g_hash_table_remove (self->channels, channels[i]);
  return send_channels (self, OBD_SYNC_MSG_UNSUBSCRIBE, channels);
}

gboolean
obd_sync_client_send_event (ObdSyncClient      *self,
                            ObdSyncMessageType  type,
                            JsonObject         *payload)
{
  g_autoptr(JsonObject) owned = payload;
  gint64 wait_ms;

  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail ((obd_sync_message_type_get_senders (type) & OBD_SYNC_FROM_CLIENT) != 0,
                        FALSE);

  if (self->phase != PHASE_READY || !is_open (self) || !take_token (self, &wait_ms))
    return FALSE;
  g_free (send_message (self, type, g_steal_pointer (&owned)));
  return TRUE;
}

static void
request (ObdSyncClient       *self,
         ObdSyncMessageType   type,
         JsonObject          *payload,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, request);
  if (self->phase != PHASE_READY || !is_open (self))
    {
      json_object_unref (payload);
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                               _("Not connected to the sync server."));
      g_object_unref (task);
      return;
    }
  g_hash_table_insert (self->requests, send_message (self, type, payload), task);
}

void
obd_sync_client_room_create_async (ObdSyncClient       *self,
                                   const char          *vehicle_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  JsonObject *payload = json_object_new ();

  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  json_object_set_string_member (payload, "vehicleId", vehicle_id);
  request (self, OBD_SYNC_MSG_ROOM_CREATE, payload, cancellable, callback, user_data);
}

void
obd_sync_client_room_join_async (ObdSyncClient       *self,
                                 const char          *code,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  JsonObject *payload = json_object_new ();

  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  json_object_set_string_member (payload, "code", code);
  request (self, OBD_SYNC_MSG_ROOM_JOIN, payload, cancellable, callback, user_data);
}

typedef struct
{
  char *room_id;
  char *message_id;
} Closing;

static void
closing_free (Closing *c)
{
  g_free (c->room_id);
  g_free (c->message_id);
  g_free (c);
}

static void
on_room_closed_event_cb (ObdSyncClient *self,
                         const char    *type,
                         JsonObject    *payload,
                         GTask         *task)
{
  Closing *c = g_task_get_task_data (task);

  if (g_str_equal (type, "room_closed")
      && g_strcmp0 (obd_sync_payload_get_string (payload, "roomId"), c->room_id) == 0)
    {
      gpointer key = NULL;

      g_signal_handlers_disconnect_by_data (self, task);
      /* The table's reference is the task's only one: take it back. */
      if (g_hash_table_steal_extended (self->requests, c->message_id, &key, NULL))
        g_free (key);
      g_task_return_pointer (task, json_object_ref (payload),
                             (GDestroyNotify) json_object_unref);
      g_object_unref (task);
    }
}

/* Completes when the server reports the room closed (or refuses). */
void
obd_sync_client_room_close_async (ObdSyncClient       *self,
                                  const char          *room_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  JsonObject *payload = json_object_new ();
  Closing *closing;
  GTask *task;

  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, request);
  if (self->phase != PHASE_READY || !is_open (self))
    {
      json_object_unref (payload);
      g_task_return_new_error (task, OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                               _("Not connected to the sync server."));
      g_object_unref (task);
      return;
    }
  closing = g_new0 (Closing, 1);
  closing->room_id = g_strdup (room_id);
  g_task_set_task_data (task, closing, (GDestroyNotify) closing_free);
  g_signal_connect (self, "event", G_CALLBACK (on_room_closed_event_cb), task);
  json_object_set_string_member (payload, "roomId", room_id);
  /* A refusal comes back as an error replying to the message; the
   * handler borrows the table's reference. */
  closing->message_id = send_message (self, OBD_SYNC_MSG_ROOM_CLOSE, payload);
  g_hash_table_insert (self->requests, g_strdup (closing->message_id), task);
}

gboolean
obd_sync_client_room_leave (ObdSyncClient *self,
                            const char    *room_id)
{
  JsonObject *payload;

  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (room_id != NULL, FALSE);

  /* No reply: the others see the presence change.  Sent even when the
   * bucket is low, as a ping would be: leaving must not be dropped. */
  if (self->phase != PHASE_READY || !is_open (self))
    return FALSE;
  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", room_id);
  g_free (send_message (self, OBD_SYNC_MSG_ROOM_LEAVE, payload));
  return TRUE;
}

JsonObject *
obd_sync_client_request_finish (ObdSyncClient  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GObject ------------------------------------------------------------------ */

static void
obd_sync_client_dispose (GObject *object)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (object);

  self->started = FALSE;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  if (self->phase != PHASE_IDLE)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("Syncing was stopped."));

      disconnect (self, error);
    }
  g_clear_pointer (&self->store_thread, obd_sync_job_thread_free);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  G_OBJECT_CLASS (obd_sync_client_parent_class)->dispose (object);
}

static void
obd_sync_client_finalize (GObject *object)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (object);

  push_cursor_clear (&self->cursor);
  g_clear_pointer (&self->cycle_tasks, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->store_path);
  g_free (self->server_url);
  g_strfreev (self->urls);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->device_name);
  g_free (self->last_error);
  g_free (self->device_id);
  g_free (self->role);
  g_free (self->organisation_id);
  g_free (self->user_id);
  g_free (self->user_name);
  g_free (self->organisation_name);
  G_OBJECT_CLASS (obd_sync_client_parent_class)->finalize (object);
}

static void
obd_sync_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
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
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_DEVICE_ID:
      g_value_set_string (value, self->device_id);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_USER_NAME:
      g_value_set_string (value, self->user_name);
      break;
    case PROP_ORGANISATION_NAME:
      g_value_set_string (value, self->organisation_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_sync_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ObdSyncClient *self = OBD_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      obd_sync_client_set_server_url (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_sync_client_class_init (ObdSyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = obd_sync_client_dispose;
  object_class->finalize = obd_sync_client_finalize;
  object_class->get_property = obd_sync_client_get_property;
  object_class->set_property = obd_sync_client_set_property;

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OBD_TYPE_SYNC_STATE, OBD_SYNC_STATE_DISABLED, ro);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_int64 ("pending-count", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_LAST_SYNC] =
    g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_DEVICE_ID] = g_param_spec_string ("device-id", NULL, NULL, NULL, ro);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, ro);
  properties[PROP_USER_NAME] = g_param_spec_string ("user-name", NULL, NULL, NULL, ro);
  properties[PROP_ORGANISATION_NAME] =
    g_param_spec_string ("organisation-name", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A live event or room message from the server: the message type
   * ("vehicle_status", "dtc_detected", "maintenance_alert",
   * "notification", "guide_progress", "room_note", "presence",
   * "room_closed", "subscription_success") and its payload. */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  /* Rows of this entity ("vehicle", "maintenance_item", "dtc_event",
   * "note", "notification", "guide_run") were written to the store by
   * the client's own connection: pulled changes applied, a conflict
   * settled.  Views of them reload. */
  signals[SIGNAL_STORE_CHANGED] =
    g_signal_new ("store-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* An edit of this PC and one of another met (entity, entity id, whether
   * this PC's version was kept); both are in the store's conflict
   * history (obd_store_sync_list_conflicts). */
  signals[SIGNAL_CONFLICT] =
    g_signal_new ("conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
obd_sync_client_init (ObdSyncClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->backoff_first_ms = 1000;
  self->backoff_max_ms = 60000;
  self->compression = TRUE;
  self->max_message = OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES;
  self->max_batch = OBD_SYNC_DEFAULT_MAX_BATCH;
  self->rate = OBD_SYNC_DEFAULT_RATE;
  self->burst = OBD_SYNC_DEFAULT_BURST;
  self->heartbeat_s = OBD_SYNC_DEFAULT_HEARTBEAT_S;
  self->cycle_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->session = soup_session_new_with_options ("timeout", HANDSHAKE_TIMEOUT_S,
                                                 "user-agent", "obd2-diagnostics/"
                                                 PACKAGE_VERSION, NULL);
  /* libsoup 3.2 does not add the extension manager by itself: without it
   * no permessage-deflate is offered. */
  soup_session_add_feature_by_type (self->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
}

ObdSyncClient *
obd_sync_client_new (const char *store_path)
{
  ObdSyncClient *self;

  g_return_val_if_fail (store_path != NULL, NULL);

  self = g_object_new (OBD_TYPE_SYNC_CLIENT, NULL);
  self->store_path = g_strdup (store_path);
  self->store_thread = obd_sync_job_thread_new ("obd-sync-store", open_store, close_store, self);
  return self;
}

void
obd_sync_client_set_server_url (ObdSyncClient *self,
                                const char    *url)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));

  if (!set_str (&self->server_url, url != NULL && *url != '\0' ? url : NULL))
    return;
  g_clear_pointer (&self->urls, g_strfreev);
  self->urls = split_urls (self->server_url);
  if (self->urls != NULL && g_strv_length (self->urls) == 0)
    {
      /* Only separators: no server. */
      g_clear_pointer (&self->urls, g_strfreev);
      g_clear_pointer (&self->server_url, g_free);
    }
  /* Several servers: each PC starts at one of them, so the instances
   * share the shop's PCs without a load balancer. */
  self->url_index = self->urls != NULL ? g_random_int_range (0, g_strv_length (self->urls)) : 0;
  self->urls_tried = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
  if (self->phase != PHASE_IDLE)
    {
      g_autoptr(GError) error = g_error_new_literal (OBD_SYNC_ERROR, OBD_SYNC_ERROR_CLOSED,
                                                     _("The server address changed."));

      disconnect (self, error);
    }
  else if (self->state == OBD_SYNC_STATE_DISABLED || self->state == OBD_SYNC_STATE_OFFLINE)
    set_state (self, self->server_url != NULL ? OBD_SYNC_STATE_OFFLINE
                                              : OBD_SYNC_STATE_DISABLED);
}

const char *
obd_sync_client_get_server_url (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->server_url;
}

const char *
obd_sync_client_get_current_url (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->urls != NULL ? current_url (self) : NULL;
}

void
obd_sync_client_set_token (ObdSyncClient *self,
                           const char    *token)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  g_free (self->token);
  self->token = g_strdup (token);
}

gboolean
obd_sync_client_set_ca_file (ObdSyncClient  *self,
                             const char     *ca_file,
                             GError        **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), FALSE);

  database = g_tls_file_database_new (ca_file, error);
  if (database == NULL)
    return FALSE;
  g_set_object (&self->tls_database, database);
  g_object_set (self->session, "tls-database", database, NULL);
  return TRUE;
}

void
obd_sync_client_set_device_name (ObdSyncClient *self,
                                 const char    *name)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  set_str (&self->device_name, name);
}

void
obd_sync_client_set_backoff (ObdSyncClient *self,
                             guint          first_ms,
                             guint          max_ms)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  self->backoff_first_ms = MAX (first_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_first_ms);
}

void
obd_sync_client_set_compression (ObdSyncClient *self,
                                 gboolean       enabled)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));

  if (self->compression == enabled)
    return;
  self->compression = enabled;
  if (enabled)
    soup_session_add_feature_by_type (self->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  else
    soup_session_remove_feature_by_type (self->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
}

ObdSyncState
obd_sync_client_get_state (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), OBD_SYNC_STATE_DISABLED);
  return self->state;
}

gint64
obd_sync_client_get_pending_count (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), 0);
  return self->pending;
}

const char *
obd_sync_client_get_last_error (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->last_error;
}

gint64
obd_sync_client_get_last_sync (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), 0);
  return self->last_sync;
}

const char *
obd_sync_client_get_device_id (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->device_id;
}

const char *
obd_sync_client_get_role (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->role;
}

const char *
obd_sync_client_get_organisation_id (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->organisation_id;
}

const char *
obd_sync_client_get_user_id (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->user_id;
}

const char *
obd_sync_client_get_user_name (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->user_name;
}

const char *
obd_sync_client_get_organisation_name (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), NULL);
  return self->organisation_name;
}

double
obd_sync_client_get_rate_limit (ObdSyncClient *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_CLIENT (self), OBD_SYNC_DEFAULT_RATE);
  return self->rate;
}

void
obd_sync_client_get_stats (ObdSyncClient *self,
                           ObdSyncStats  *out_stats)
{
  g_return_if_fail (OBD_IS_SYNC_CLIENT (self));
  *out_stats = self->stats;
}
