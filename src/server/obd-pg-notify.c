/* obd-pg-notify.c — live events between obd2-syncd instances through
 * PostgreSQL's LISTEN/NOTIFY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "obd-pg-notify.h"
#include "obd-pg-pool.h"
#include "obd-sync-message.h"

/* Live data older than this is not worth sending after an outage. */
#define STALE_US (5 * G_USEC_PER_SEC)
#define MAX_PENDING 20000
#define PURGE_INTERVAL_US (30 * G_USEC_PER_SEC)
#define LARGE_EVENT_LIFETIME_US (60 * G_USEC_PER_SEC)
#define RECONNECT_FIRST_MS 50
#define RECONNECT_MAX_MS 1000

/* The notifier -------------------------------------------------------------------- */

typedef struct
{
  char   *organisation_id;
  char   *vehicle_id;
  char   *room_id;
  char   *text;
  gint64  queued_us;
} Live;

static void
live_free (Live *live)
{
  g_free (live->organisation_id);
  g_free (live->vehicle_id);
  g_free (live->room_id);
  g_free (live->text);
  g_free (live);
}

struct _ObdPgNotifier
{
  char            *conninfo;
  char            *instance_id;
  ObdPgNotifyFunc  func;
  gpointer         user_data;
  GMainContext    *context;
  GThread         *thread;
  int              wake[2];

  /* Owner thread only. */
  GHashTable      *counts;        /* organisation → listeners (GUINT_TO_POINTER) */

  GMutex           lock;
  gboolean         stopping;
  gboolean         woken;
  GHashTable      *wanted;        /* channel → organisation */
  gboolean         wanted_changed;
  GQueue           outbox;        /* Live * to send */
  GQueue           inbox;         /* Live * received */
  GSource         *delivery;
  gboolean         connected;
  guint64          published;
  guint64          notifications;
  guint64          received;
  guint64          dropped;
  guint64          large;
  guint64          malformed;
  guint64          connects;

  /* The thread only. */
  ObdPgConn       *conn;
  GHashTable      *listening;     /* channel → organisation */
  GQueue           pending;       /* Live * not sent yet */
};

static void
wake (ObdPgNotifier *self)
{
  /* Under the lock: one byte is enough until the thread looks. */
  if (!self->woken)
    {
      char byte = 1;

      self->woken = TRUE;
      if (write (self->wake[1], &byte, 1) < 0 && errno != EAGAIN)
        g_warning ("Could not wake the live-event thread: %s", g_strerror (errno));
    }
}

static gboolean
deliver_cb (gpointer data)
{
  ObdPgNotifier *self = data;
  GQueue batch = G_QUEUE_INIT;
  Live *live;

  g_mutex_lock (&self->lock);
  batch = self->inbox;
  g_queue_init (&self->inbox);
  g_clear_pointer (&self->delivery, g_source_unref);
  g_mutex_unlock (&self->lock);

  while ((live = g_queue_pop_head (&batch)) != NULL)
    {
      self->func (live->organisation_id, live->vehicle_id, live->room_id, live->text,
                  self->user_data);
      live_free (live);
    }
  return G_SOURCE_REMOVE;
}

/* Thread: hands an event to the owner's context. */
static void
receive (ObdPgNotifier *self,
         const char    *organisation_id,
         ObdPgEvent    *event,
         char          *text)
{
  Live *live = g_new0 (Live, 1);

  live->organisation_id = g_strdup (organisation_id);
  live->vehicle_id = g_strdup (event->vehicle_id);
  live->room_id = g_strdup (event->room_id);
  live->text = text;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->inbox, live);
  self->received++;
  if (self->delivery == NULL && !self->stopping)
    {
      self->delivery = g_idle_source_new ();
      g_source_set_priority (self->delivery, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->delivery, deliver_cb, self, NULL);
      g_source_attach (self->delivery, self->context);
    }
  g_mutex_unlock (&self->lock);
}

static void
close_connection (ObdPgNotifier *self)
{
  g_clear_pointer (&self->conn, obd_pg_conn_close);
  g_hash_table_remove_all (self->listening);
  g_mutex_lock (&self->lock);
  self->connected = FALSE;
  g_mutex_unlock (&self->lock);
}

/* The channels of the organisations followed here, LISTENed to. */
static void
sync_listening (ObdPgNotifier *self,
                GHashTable    *wanted)
{
  GHashTableIter iter;
  const char *channel, *organisation;
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, wanted);
  while (self->conn != NULL && g_hash_table_iter_next (&iter, (gpointer *) &channel,
                                                       (gpointer *) &organisation))
    if (!g_hash_table_contains (self->listening, channel))
      {
        /* The channel is "obd2_" and hex digits (obd_pg_notify_channel ()):
         * LISTEN takes no parameters, and nothing of a client's is here. */
        g_autofree char *sql = g_strdup_printf ("LISTEN \"%s\"", channel);
        g_autoptr(GError) error = NULL;

        if (!obd_pg_run_simple (self->conn, sql, &error))
          {
            g_debug ("LISTEN failed: %s", error->message);
            return;
          }
        g_hash_table_insert (self->listening, g_strdup (channel), g_strdup (organisation));
      }
  g_hash_table_iter_init (&iter, self->listening);
  while (g_hash_table_iter_next (&iter, (gpointer *) &channel, NULL))
    if (!g_hash_table_contains (wanted, channel))
      g_ptr_array_add (gone, g_strdup (channel));
  for (guint i = 0; i < gone->len && self->conn != NULL; i++)
    {
      g_autofree char *channel_gone = g_ptr_array_index (gone, i);
      g_autofree char *sql = g_strdup_printf ("UNLISTEN \"%s\"", channel_gone);

      if (obd_pg_run_simple (self->conn, sql, NULL))
        g_hash_table_remove (self->listening, channel_gone);
    }
}

/* A text[] literal: every element quoted, backslash and quote escaped. */
static void
append_array_element (GString    *array,
                      const char *text)
{
  if (array->len > 1)
    g_string_append_c (array, ',');
  g_string_append_c (array, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (array, '\\');
      g_string_append_c (array, *p);
    }
  g_string_append_c (array, '"');
}

static gint64
store_large (ObdPgNotifier  *self,
             const char     *text,
             GError        **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  obd_pg_params_int (&params, g_get_real_time ());
  obd_pg_params_text (&params, text);
  result = obd_pg_exec (self->conn, "INSERT INTO live_events (created_us, body)"
                                    " VALUES ($1, $2) RETURNING id", &params, error);
  return result != NULL ? obd_pg_int (result, 0, 0) : 0;
}

typedef struct
{
  char    *channel;
  GString *payload;
} Batch;

/* Sends what is pending in one statement: one payload per channel, cut
 * where it would grow past the limit.  TRUE when sent (or nothing to). */
static gboolean
send_pending (ObdPgNotifier *self)
{
  g_autoptr(GHashTable) open = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);
  g_autoptr(GString) channels = g_string_new ("{");
  g_autoptr(GString) payloads = g_string_new ("{");
  g_autofree char *header = obd_pg_notify_header (self->instance_id);
  g_autoptr(GPtrArray) batches = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  guint64 large = 0, dropped = 0, sent = 0;
  Live *live;

  if (g_queue_is_empty (&self->pending))
    return TRUE;
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Batch *batch;
      gint64 ref = 0;
      gsize line;

      live = l->data;
      if (now - live->queued_us > STALE_US)
        {
          dropped++;
          continue;
        }
      line = strlen (live->text) + 4 + (live->vehicle_id ? strlen (live->vehicle_id) : 1)
             + (live->room_id ? strlen (live->room_id) : 1);
      if (line + strlen (header) > OBD_PG_NOTIFY_MAX_PAYLOAD)
        {
          /* Too large for a notification: the body goes through a table. */
          ref = store_large (self, live->text, &error);
          if (ref == 0)
            goto failed;
          large++;
        }
      batch = g_hash_table_lookup (open, live->organisation_id);
      if (batch != NULL && batch->payload->len + line + 1 > OBD_PG_NOTIFY_MAX_PAYLOAD)
        batch = NULL;
      if (batch == NULL)
        {
          batch = g_new0 (Batch, 1);
          batch->channel = obd_pg_notify_channel (live->organisation_id);
          batch->payload = g_string_new (header);
          g_ptr_array_add (batches, batch);
          g_hash_table_insert (open, live->organisation_id, batch);
        }
      obd_pg_notify_append (batch->payload, live->vehicle_id, live->room_id, live->text, ref);
      sent++;
    }
  for (guint i = 0; i < batches->len; i++)
    {
      Batch *batch = g_ptr_array_index (batches, i);

      append_array_element (channels, batch->channel);
      append_array_element (payloads, batch->payload->str);
    }
  g_string_append_c (channels, '}');
  g_string_append_c (payloads, '}');
  if (batches->len > 0)
    {
      g_auto(ObdPgParams) params = { 0 };

      obd_pg_params_text (&params, channels->str);
      obd_pg_params_text (&params, payloads->str);
      if (!obd_pg_run (self->conn, "SELECT pg_notify (c, p)"
                                   " FROM unnest ($1::text[], $2::text[]) AS t (c, p)",
                       &params, &error))
        goto failed;
    }

  g_queue_clear_full (&self->pending, (GDestroyNotify) live_free);
  g_mutex_lock (&self->lock);
  self->notifications += batches->len;
  self->large += large;
  self->dropped += dropped;
  self->published += sent;
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < batches->len; i++)
    {
      Batch *batch = g_ptr_array_index (batches, i);

      g_free (batch->channel);
      g_string_free (batch->payload, TRUE);
      g_free (batch);
    }
  return TRUE;

failed:
  g_debug ("Could not send live events: %s", error->message);
  for (guint i = 0; i < batches->len; i++)
    {
      Batch *batch = g_ptr_array_index (batches, i);

      g_free (batch->channel);
      g_string_free (batch->payload, TRUE);
      g_free (batch);
    }
  return FALSE;
}

static char *
fetch_large (ObdPgNotifier *self,
             gint64         ref)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GError) error = NULL;

  obd_pg_params_int (&params, ref);
  result = obd_pg_exec (self->conn, "SELECT body FROM live_events WHERE id = $1", &params,
                        &error);
  if (result == NULL || PQntuples (result) == 0)
    {
      g_debug ("Live event %" G_GINT64_FORMAT " is gone: %s", ref,
               error != NULL ? error->message : "purged");
      return NULL;
    }
  return obd_pg_dup (result, 0, 0);
}

static void
handle_notifications (ObdPgNotifier *self)
{
  PGconn *pg = obd_pg_conn_get_pgconn (self->conn);
  PGnotify *note;

  if (!PQconsumeInput (pg))
    {
      g_debug ("Live-event connection lost: %s", PQerrorMessage (pg));
      close_connection (self);
      return;
    }
  while (self->conn != NULL && (note = PQnotifies (pg)) != NULL)
    {
      const char *organisation = g_hash_table_lookup (self->listening, note->relname);
      g_autofree char *origin = NULL;
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GError) error = NULL;

      if (organisation == NULL)
        ;  /* UNLISTENed meanwhile */
      else if (!obd_pg_notify_parse (note->extra, &origin, &events, &error))
        {
          g_warning ("%s", error->message);
          g_mutex_lock (&self->lock);
          self->malformed++;
          g_mutex_unlock (&self->lock);
        }
      else if (!g_str_equal (origin, self->instance_id))
        for (guint i = 0; i < events->len; i++)
          {
            ObdPgEvent *event = g_ptr_array_index (events, i);
            char *text = event->ref > 0 ? fetch_large (self, event->ref)
                                        : g_steal_pointer (&event->text);

            if (text != NULL)
              receive (self, organisation, event, text);
          }
      PQfreemem (note);
      if (self->conn != NULL && obd_pg_conn_is_broken (self->conn))
        close_connection (self);
    }
}

static void
purge_large (ObdPgNotifier *self)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_int (&params, g_get_real_time () - LARGE_EVENT_LIFETIME_US);
  obd_pg_run (self->conn, "DELETE FROM live_events WHERE created_us < $1", &params, NULL);
}

static gpointer
notifier_main (gpointer data)
{
  ObdPgNotifier *self = data;
  g_autoptr(GHashTable) wanted = NULL;
  gint64 next_connect = 0, next_purge = 0;
  guint delay = RECONNECT_FIRST_MS;

  for (;;)
    {
      GPollFD fds[2] = { { self->wake[0], G_IO_IN, 0 }, { -1, G_IO_IN, 0 } };
      gint64 now = g_get_monotonic_time ();
      int timeout = 1000;
      char drain[64];

      g_mutex_lock (&self->lock);
      if (self->stopping)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      while (!g_queue_is_empty (&self->outbox))
        g_queue_push_tail (&self->pending, g_queue_pop_head (&self->outbox));
      if (self->wanted_changed || wanted == NULL)
        {
          g_clear_pointer (&wanted, g_hash_table_unref);
          wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          {
            GHashTableIter iter;
            gpointer k, v;

            g_hash_table_iter_init (&iter, self->wanted);
            while (g_hash_table_iter_next (&iter, &k, &v))
              g_hash_table_insert (wanted, g_strdup (k), g_strdup (v));
          }
          self->wanted_changed = FALSE;
        }
      self->woken = FALSE;
      while (g_queue_get_length (&self->pending) > MAX_PENDING)
        {
          live_free (g_queue_pop_head (&self->pending));
          self->dropped++;
        }
      g_mutex_unlock (&self->lock);
      while (read (self->wake[0], drain, sizeof drain) > 0)
        ;

      if (self->conn == NULL && now >= next_connect)
        {
          g_autoptr(GError) error = NULL;

          self->conn = obd_pg_conn_open (self->conninfo, &error);
          if (self->conn == NULL)
            {
              g_debug ("Live events: %s", error->message);
              g_mutex_lock (&self->lock);
              self->connected = FALSE;
              g_mutex_unlock (&self->lock);
              next_connect = now + (gint64) delay * 1000;
              delay = MIN (delay * 2, RECONNECT_MAX_MS);
            }
          else
            {
              delay = RECONNECT_FIRST_MS;
              g_mutex_lock (&self->lock);
              self->connected = TRUE;
              self->connects++;
              g_mutex_unlock (&self->lock);
            }
        }
      if (self->conn != NULL)
        {
          sync_listening (self, wanted);
          if (self->conn != NULL && !obd_pg_conn_is_broken (self->conn))
            send_pending (self);
          if (self->conn != NULL && now >= next_purge)
            {
              purge_large (self);
              next_purge = now + PURGE_INTERVAL_US;
            }
          if (self->conn != NULL && obd_pg_conn_is_broken (self->conn))
            close_connection (self);
        }

      if (self->conn != NULL)
        fds[1].fd = PQsocket (obd_pg_conn_get_pgconn (self->conn));
      else
        timeout = (int) CLAMP ((next_connect - now) / 1000, 1, 1000);
      /* Notifications may already wait in libpq's buffer from an earlier
       * exchange: look before sleeping. */
      if (self->conn != NULL)
        handle_notifications (self);
      g_poll (fds, self->conn != NULL ? 2 : 1, timeout);
      if (self->conn != NULL && (fds[1].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        handle_notifications (self);
    }
  g_clear_pointer (&wanted, g_hash_table_unref);
  close_connection (self);
  return NULL;
}

ObdPgNotifier *
obd_pg_notifier_new (const char      *conninfo,
                     const char      *instance_id,
                     ObdPgNotifyFunc  func,
                     gpointer         user_data)
{
  ObdPgNotifier *self = g_new0 (ObdPgNotifier, 1);
  g_autoptr(GError) error = NULL;

  self->conninfo = g_strdup (conninfo);
  self->instance_id = g_strdup (instance_id);
  self->func = func;
  self->user_data = user_data;
  self->context = g_main_context_ref_thread_default ();
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->listening = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Not known to be down until a connection fails. */
  self->connected = TRUE;
  g_mutex_init (&self->lock);
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, &error)
      || !g_unix_set_fd_nonblocking (self->wake[0], TRUE, &error)
      || !g_unix_set_fd_nonblocking (self->wake[1], TRUE, &error))
    g_error ("Could not make the live-event thread's pipe: %s", error->message);
  self->thread = g_thread_new ("obd-syncd-live", notifier_main, self);
  return self;
}

void
obd_pg_notifier_listen (ObdPgNotifier *self,
                        const char    *organisation_id)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, organisation_id));

  g_hash_table_insert (self->counts, g_strdup (organisation_id), GUINT_TO_POINTER (count + 1));
  if (count > 0)
    return;
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->wanted, obd_pg_notify_channel (organisation_id),
                       g_strdup (organisation_id));
  self->wanted_changed = TRUE;
  wake (self);
  g_mutex_unlock (&self->lock);
}

void
obd_pg_notifier_unlisten (ObdPgNotifier *self,
                          const char    *organisation_id)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, organisation_id));
  g_autofree char *channel = NULL;

  g_return_if_fail (count > 0);
  if (count > 1)
    {
      g_hash_table_insert (self->counts, g_strdup (organisation_id),
                           GUINT_TO_POINTER (count - 1));
      return;
    }
  g_hash_table_remove (self->counts, organisation_id);
  channel = obd_pg_notify_channel (organisation_id);
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->wanted, channel);
  self->wanted_changed = TRUE;
  wake (self);
  g_mutex_unlock (&self->lock);
}

void
obd_pg_notifier_publish (ObdPgNotifier *self,
                         const char    *organisation_id,
                         const char    *vehicle_id,
                         const char    *room_id,
                         const char    *text)
{
  Live *live = g_new0 (Live, 1);

  live->organisation_id = g_strdup (organisation_id);
  live->vehicle_id = g_strdup (vehicle_id);
  live->room_id = g_strdup (room_id);
  live->text = g_strdup (text);
  live->queued_us = g_get_monotonic_time ();
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->outbox, live);
  wake (self);
  g_mutex_unlock (&self->lock);
}

void
obd_pg_notifier_add_status (ObdPgNotifier *self,
                            JsonObject    *status)
{
  g_mutex_lock (&self->lock);
  json_object_set_boolean_member (status, "notify_connected", self->connected);
  json_object_set_int_member (status, "notify_channels", g_hash_table_size (self->wanted));
  json_object_set_int_member (status, "notify_events_sent_total", self->published);
  json_object_set_int_member (status, "notify_notifications_total", self->notifications);
  json_object_set_int_member (status, "notify_events_received_total", self->received);
  json_object_set_int_member (status, "notify_large_total", self->large);
  json_object_set_int_member (status, "notify_dropped_total", self->dropped);
  json_object_set_int_member (status, "notify_malformed_total", self->malformed);
  json_object_set_int_member (status, "notify_connects_total", self->connects);
  g_mutex_unlock (&self->lock);
}

void
obd_pg_notifier_free (ObdPgNotifier *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  self->woken = FALSE;
  wake (self);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  if (self->delivery != NULL)
    {
      g_source_destroy (self->delivery);
      g_clear_pointer (&self->delivery, g_source_unref);
    }
  g_queue_clear_full (&self->outbox, (GDestroyNotify) live_free);
  g_queue_clear_full (&self->inbox, (GDestroyNotify) live_free);
  g_queue_clear_full (&self->pending, (GDestroyNotify) live_free);
  close (self->wake[0]);
  close (self->wake[1]);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->counts);
  g_hash_table_unref (self->wanted);
  g_hash_table_unref (self->listening);
  g_mutex_clear (&self->lock);
  g_free (self->conninfo);
  g_free (self->instance_id);
  g_free (self);
}
