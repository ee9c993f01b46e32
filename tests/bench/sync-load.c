/* sync-load.c — the live-status load of the sync benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sync-load"
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sync-load.h"

#define CONNECT_BATCH 50

static gboolean
iterate_until (gboolean (*condition) (gpointer),
               gpointer  data,
               double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!condition (data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
    }
  return TRUE;
}

static char *
envelope (const char *type,
          const char *payload)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);

  return g_strdup_printf ("{\"type\":\"%s\",\"payload\":%s,\"timestamp\":\"%s\","
                          "\"messageId\":\"%s\"}", type, payload, stamp, id);
}

typedef struct _Load Load;

typedef struct
{
  Load                    *load;
  SoupWebsocketConnection *conn;
  char                    *vehicle;
  gint64                   next_us;
  guint                    index;
  gboolean                 publisher;
  gboolean                 ready;
  gboolean                 failed;
} Peer;

struct _Load
{
  const SyncLoadConfig *config;
  SoupSession          *session;
  Peer                 *publishers;
  Peer                 *subscribers;
  guint                 ready;
  guint                 failed;
  guint                 target;
  gboolean              measuring;
  GArray               *latencies;   /* gint64 µs */
  guint64               sent;
  guint64               received;
};

static gboolean
enough_ready (gpointer data)
{
  Load *load = data;

  return load->ready + load->failed >= load->target;
}

static void
peer_send (Peer       *peer,
           const char *type,
           const char *payload)
{
  g_autofree char *text = envelope (type, payload);

  soup_websocket_connection_send_text (peer->conn, text);
}

static void
peer_failed (Peer       *peer,
             const char *data,
             gsize       length)
{
  g_printerr ("%s %u: %.*s\n", peer->publisher ? "publisher" : "subscriber", peer->index,
              (int) MIN (length, 300), data);
  peer->failed = TRUE;
  peer->load->failed++;
}

static gboolean
starts (const char *data,
        gsize       length,
        const char *type)
{
  return g_strstr_len (data, MIN (length, 40), type) != NULL;
}

static void
on_publisher_message_cb (SoupWebsocketConnection *conn,
                         int                      type,
                         GBytes                  *bytes,
                         Peer                    *peer)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autofree char *payload = NULL;

  if (peer->ready)
    return;
  /* welcome → authenticate → push its vehicle → push_ack: ready. */
  if (starts (data, length, "\"welcome\""))
    {
      g_autofree char *device = g_uuid_string_random ();

      payload = g_strdup_printf ("{\"token\":\"%s\",\"protocolVersion\":1,\"deviceId\":\"%s\"}",
                                 peer->load->config->token, device);
      peer_send (peer, "authenticate", payload);
    }
  else if (starts (data, length, "\"authentication_success\""))
    {
      payload = g_strdup_printf ("{\"changes\":[{\"seq\":1,\"entity\":\"vehicle\","
                                 "\"entityId\":\"%s\",\"op\":\"insert\",\"changedAt\":1,"
                                 "\"data\":{\"uuid\":\"%s\",\"vin\":null,\"created_us\":1,"
                                 "\"updated_us\":1}}]}", peer->vehicle, peer->vehicle);
      peer_send (peer, "push", payload);
    }
  else if (starts (data, length, "\"push_ack\""))
    {
      peer->ready = TRUE;
      peer->load->ready++;
    }
  else
    peer_failed (peer, data, length);
}

static void
subscribe (Peer *peer)
{
  const SyncLoadConfig *config = peer->load->config;
  g_autoptr(GString) channels = g_string_new ("{\"channels\":[");

  for (guint i = 0; i < config->per_subscriber; i++)
    g_string_append_printf (channels, "%s\"vehicle:%s\"", i > 0 ? "," : "",
                            peer->load->publishers[peer->index * config->per_subscriber
                                                   + i].vehicle);
  g_string_append (channels, "]}");
  peer_send (peer, "subscribe", channels->str);
}

static void
on_subscriber_message_cb (SoupWebsocketConnection *conn,
                          int                      type,
                          GBytes                  *bytes,
                          Peer                    *peer)
{
  Load *load = peer->load;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (peer->ready)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *payload;
      gint64 latency;

      if (!json_parser_load_from_data (parser, data, length, NULL))
        return;
      payload = json_object_get_object_member (json_node_get_object (
                                                 json_parser_get_root (parser)), "payload");
      if (payload == NULL || !json_object_has_member (payload, "sampledAt"))
        return;
      latency = g_get_real_time () - json_object_get_int_member (payload, "sampledAt");
      load->received++;
      if (load->measuring)
        g_array_append_val (load->latencies, latency);
      return;
    }

  if (starts (data, length, "\"welcome\""))
    {
      g_autofree char *device = g_uuid_string_random ();
      g_autofree char *payload =
        g_strdup_printf ("{\"token\":\"%s\",\"protocolVersion\":1,\"deviceId\":\"%s\"}",
                         load->config->fleet_token, device);

      peer_send (peer, "authenticate", payload);
    }
  else if (starts (data, length, "\"authentication_success\""))
    subscribe (peer);
  else if (starts (data, length, "\"subscription_success\""))
    {
      peer->ready = TRUE;
      load->ready++;
    }
  else
    peer_failed (peer, data, length);
}

static void
on_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Peer *peer = data;
  g_autoptr(GError) error = NULL;

  peer->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (peer->conn == NULL)
    {
      g_printerr ("connection %u failed: %s\n", peer->index, error->message);
      peer->failed = TRUE;
      peer->load->failed++;
      return;
    }
  soup_websocket_connection_set_keepalive_interval (peer->conn, 0);
  g_signal_connect (peer->conn, "message",
                    peer->publisher ? G_CALLBACK (on_publisher_message_cb)
                                    : G_CALLBACK (on_subscriber_message_cb), peer);

  /* A bare relay has no accounts: ready once connected (subscribers
   * subscribe straight away). */
  if (!peer->load->config->protocol)
    {
      if (!peer->publisher)
        subscribe (peer);
      peer->ready = TRUE;
      peer->load->ready++;
    }
}

static void
connect_peer (Load *load,
              Peer *peer,
              guint url)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, load->config->urls[url]);

  peer->load = load;
  soup_session_websocket_connect_async (load->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected_cb, peer);
}

static gboolean
on_tick_cb (gpointer data)
{
  Load *load = data;
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < load->config->n_publishers; i++)
    {
      Peer *p = &load->publishers[i];
      g_autofree char *payload = NULL;

      if (!p->ready || now < p->next_us)
        continue;
      p->next_us += G_USEC_PER_SEC / load->config->rate_hz;
      payload = g_strdup_printf ("{\"vehicleId\":\"%s\",\"sampledAt\":%" G_GINT64_FORMAT ","
                                 "\"values\":{\"rpm\":{\"value\":%u,\"unit\":\"rpm\"},"
                                 "\"speed\":{\"value\":%u,\"unit\":\"km/h\"},"
                                 "\"coolant_temp\":{\"value\":91,\"unit\":\"°C\"}}}",
                                 p->vehicle, now, 800 + i % 3000, i % 130);
      peer_send (p, "vehicle_status", payload);
      load->sent++;
    }
  return G_SOURCE_CONTINUE;
}

/* Processes ------------------------------------------------------------------ */

/* utime + stime (+ cutime + cstime: children already reaped), in ticks. */
static gint64
stat_ticks (const char *pid,
            gboolean    with_reaped,
            gint64     *out_parent)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  gint64 ticks;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 15)
    return 0;
  /* Fields 4 (ppid) and 14–17 of stat, counted after the name. */
  if (out_parent != NULL)
    *out_parent = g_ascii_strtoll (fields[1], NULL, 10);
  ticks = g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
  if (with_reaped)
    ticks += g_ascii_strtoll (fields[13], NULL, 10) + g_ascii_strtoll (fields[14], NULL, 10);
  return ticks;
}

static double
cpu_seconds (GPid     pid,
             gboolean with_children)
{
  g_autofree char *self = g_strdup_printf ("%d", pid);
  gint64 ticks = stat_ticks (self, with_children, NULL);

  if (with_children)
    {
      g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
      const char *name;

      while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
        {
          gint64 parent = 0, child;

          if (!g_ascii_isdigit (name[0]))
            continue;
          child = stat_ticks (name, FALSE, &parent);
          if (parent == pid)
            ticks += child;
        }
    }
  return (double) ticks / sysconf (_SC_CLK_TCK);
}

static double
status_mb (GPid        pid,
           const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, key)) == NULL)
    return 0;
  return g_ascii_strtod (line + strlen (key) + 1, NULL) / 1024.0;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gboolean
time_is_up (gpointer data)
{
  return *(gint64 *) data <= g_get_monotonic_time ();
}

static void
close_peer (Peer *peer)
{
  if (peer->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (peer->conn, peer);
      soup_websocket_connection_close (peer->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&peer->conn);
    }
  g_free (peer->vehicle);
}

SyncLoadFigures
sync_load_run (const SyncLoadConfig *config)
{
  Load *load = g_new0 (Load, 1);
  SyncLoadFigures figures = { 0 };
  double start_cpu[SYNC_LOAD_MAX_PIDS];
  gint64 start_us, until;
  guint total = config->n_publishers + config->n_subscribers, tick;

  g_assert_cmpuint (config->n_subscribers * config->per_subscriber, ==, config->n_publishers);
  load->config = config;
  load->session = soup_session_new_with_options ("max-conns", total + 10,
                                                 "max-conns-per-host", total + 10, NULL);
  load->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  load->publishers = g_new0 (Peer, config->n_publishers);
  load->subscribers = g_new0 (Peer, config->n_subscribers);

  /* Publishers in batches, so handshakes do not pile up. */
  for (guint i = 0; i < config->n_publishers; i++)
    {
      Peer *p = &load->publishers[i];

      p->index = i;
      p->publisher = TRUE;
      p->vehicle = g_uuid_string_random ();
      connect_peer (load, p, config->publisher_url != NULL
                             ? config->publisher_url (i, config->data) : 0);
      if ((i + 1) % CONNECT_BATCH == 0 || i + 1 == config->n_publishers)
        {
          load->target = i + 1;
          if (!iterate_until (enough_ready, load, 120))
            g_error ("publishers did not get ready");
        }
    }
  for (guint i = 0; i < config->n_subscribers; i++)
    {
      load->subscribers[i].index = i;
      connect_peer (load, &load->subscribers[i], config->subscriber_url != NULL
                                                 ? config->subscriber_url (i, config->data) : 0);
    }
  load->target = total;
  if (!iterate_until (enough_ready, load, 120))
    g_error ("subscribers did not get ready");
  if (load->failed > 0)
    g_error ("%u connections failed", load->failed);

  /* Spread the publishers' phases over one period. */
  for (guint i = 0; i < config->n_publishers; i++)
    load->publishers[i].next_us = g_get_real_time ()
                                  + (gint64) i * (G_USEC_PER_SEC / config->rate_hz)
                                    / config->n_publishers;
  tick = g_timeout_add (5, on_tick_cb, load);

  until = g_get_monotonic_time () + config->warmup_s * G_USEC_PER_SEC;
  iterate_until (time_is_up, &until, config->warmup_s + 5);
  load->measuring = TRUE;
  load->sent = load->received = 0;
  for (guint i = 0; i < config->n_pids; i++)
    start_cpu[i] = cpu_seconds (config->pids[i], config->with_children[i]);
  start_us = g_get_monotonic_time ();
  until = start_us + config->measure_s * G_USEC_PER_SEC;
  iterate_until (time_is_up, &until, config->measure_s + 5);
  load->measuring = FALSE;
  figures.seconds = (g_get_monotonic_time () - start_us) / 1e6;
  for (guint i = 0; i < config->n_pids; i++)
    {
      figures.cpu_s[i] = cpu_seconds (config->pids[i], config->with_children[i]) - start_cpu[i];
      figures.rss_mb[i] = status_mb (config->pids[i], "VmRSS:");
      figures.hwm_mb[i] = status_mb (config->pids[i], "VmHWM:");
    }
  g_source_remove (tick);

  g_array_sort (load->latencies, compare_gint64);
  if (load->latencies->len > 0)
    {
      guint n = load->latencies->len;

      figures.p50_ms = g_array_index (load->latencies, gint64, n / 2) / 1000.0;
      figures.p99_ms = g_array_index (load->latencies, gint64, (n * 99) / 100) / 1000.0;
      figures.max_ms = g_array_index (load->latencies, gint64, n - 1) / 1000.0;
    }
  figures.sent = load->sent;
  figures.received = load->received;

  for (guint i = 0; i < config->n_publishers; i++)
    close_peer (&load->publishers[i]);
  for (guint i = 0; i < config->n_subscribers; i++)
    close_peer (&load->subscribers[i]);
  g_clear_object (&load->session);
  g_array_unref (load->latencies);
  g_free (load->publishers);
  g_free (load->subscribers);
  g_free (load);
  return figures;
}

/* Processes -------------------------------------------------------------------------- */

void
sync_load_raise_files (guint need)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < need)
        g_error ("Need %u open files; the hard limit is %lu", need,
                 (unsigned long) limit.rlim_max);
    }
}

char *
sync_load_admin (const char *syncd,
                 const char *option,
                 const char *location,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) syncd);
  g_ptr_array_add (argv, (char *) option);
  g_ptr_array_add (argv, (char *) location);
  g_ptr_array_add (argv, (char *) "admin");
  va_start (args, location);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_strstrip (g_steal_pointer (&out));
}

GSubprocess *
sync_load_start (const char * const *argv,
                 guint              *out_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  const char *port;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strstr (line, "port ");
  g_assert_nonnull (port);
  *out_port = (guint) g_ascii_strtoull (port + 5, NULL, 10);
  return process;
}

void
sync_load_stop (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

GPid
sync_load_pid (GSubprocess *process)
{
  return (GPid) atoi (g_subprocess_get_identifier (process));
}
