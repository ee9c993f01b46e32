/* bench-sync-fanout.c — live status from 1 000 PCs to 50 fleet managers
 * through obd2-syncd, against a bare libsoup relay under the same load
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-sync-fanout OBD2-SYNCD
 *
 * Ours: obd2-syncd runs as its own process on 127.0.0.1 with a fresh
 * database.  This process opens 1 000 publisher connections (each
 * authenticates as a mechanic's PC and registers its vehicle) and 50
 * subscriber connections (fleet managers, each following 20 vehicles, so
 * every vehicle has one watcher).  Each publisher sends vehicle_status
 * twice a second, phases spread evenly; each subscriber takes
 * now - sampledAt as the latency from push to delivery.  After a warm-up
 * the bench measures for MEASURE_S seconds: p50 and p99 latency, the
 * server's CPU time (/proc/PID/stat) over the window, and its resident
 * memory (VmRSS, VmHWM).  Goals: p99 ≤ 100 ms, RSS ≤ 200 MB.
 *
 * Reference: the simple correct relay a competent engineer would write —
 * this program re-run as "--relay", a libsoup WebSocket server that parses
 * each message with json-glib and forwards vehicle_status to the
 * connections that subscribed to its vehicle, with no accounts, checks,
 * limits or stamping — under the same load, in the same run.
 *
 * "ratio" is the reference's p99 over ours (higher is better).  The load
 * is bounded in count and time and goes to 127.0.0.1 only.  The last line
 * of output is one JSON object.
 */
#define G_LOG_DOMAIN "bench-sync-fanout"
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define N_PUBLISHERS   1000
#define N_SUBSCRIBERS  50
#define PER_SUBSCRIBER 20
#define RATE_HZ        2
#define WARMUP_S       3
#define MEASURE_S      12
#define CONNECT_BATCH  50

G_STATIC_ASSERT (N_SUBSCRIBERS * PER_SUBSCRIBER == N_PUBLISHERS);

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

/* The reference relay (--relay) ------------------------------------------ */

typedef struct
{
  GHashTable *channels;   /* vehicle id → GPtrArray of connections */
  GPtrArray  *conns;
} RelayState;

static void
on_relay_message_cb (SoupWebsocketConnection *conn,
                     int                      type,
                     GBytes                  *bytes,
                     RelayState              *state)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonObject *message, *payload;
  const char *kind;

  if (!json_parser_load_from_data (parser, data, length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  message = json_node_get_object (json_parser_get_root (parser));
  kind = json_object_get_string_member_with_default (message, "type", "");
  payload = json_object_get_object_member (message, "payload");
  if (payload == NULL)
    return;

  if (g_str_equal (kind, "subscribe"))
    {
      JsonArray *channels = json_object_get_array_member (payload, "channels");

      for (guint i = 0; channels != NULL && i < json_array_get_length (channels); i++)
        {
          const char *channel = json_array_get_string_element (channels, i);
          GPtrArray *peers;

          if (channel == NULL || !g_str_has_prefix (channel, "vehicle:"))
            continue;
          peers = g_hash_table_lookup (state->channels, channel + 8);
          if (peers == NULL)
            {
              peers = g_ptr_array_new ();
              g_hash_table_insert (state->channels, g_strdup (channel + 8), peers);
            }
          g_ptr_array_add (peers, conn);
        }
    }
  else if (g_str_equal (kind, "vehicle_status"))
    {
      const char *vehicle = json_object_get_string_member_with_default (payload, "vehicleId", "");
      GPtrArray *peers = g_hash_table_lookup (state->channels, vehicle);
      g_autofree char *text = g_strndup (data, length);

      for (guint i = 0; peers != NULL && i < peers->len; i++)
        soup_websocket_connection_send_text (g_ptr_array_index (peers, i), text);
    }
}

static void
on_relay_websocket_cb (SoupServer              *server,
                       SoupServerMessage       *msg,
                       const char              *path,
                       SoupWebsocketConnection *conn,
                       gpointer                 data)
{
  RelayState *state = data;

  g_ptr_array_add (state->conns, g_object_ref (conn));
  g_signal_connect (conn, "message", G_CALLBACK (on_relay_message_cb), state);
}

static gboolean
on_term_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static int
run_relay (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  RelayState state = {
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref),
    g_ptr_array_new_with_free_func (g_object_unref),
  };
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  soup_server_add_websocket_handler (server, "/sync", NULL, NULL, on_relay_websocket_cb, &state,
                                     NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_print ("relay listening on port %u\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_unix_signal_add (SIGTERM, on_term_cb, loop);
  g_main_loop_run (loop);
  g_hash_table_unref (state.channels);
  g_ptr_array_unref (state.conns);
  return 0;
}

/* The load --------------------------------------------------------------- */

typedef struct _Load Load;

typedef struct
{
  Load                    *load;
  SoupWebsocketConnection *conn;
  char                    *vehicle;
  gint64                   next_us;
  guint                    index;
  gboolean                 ready;    /* authenticated and registered (ours), connected (ref) */
  gboolean                 failed;
} Peer;

struct _Load
{
  gboolean     ours;
  char        *url;
  char        *token;
  char        *fleet_token;
  SoupSession *session;
  Peer         publishers[N_PUBLISHERS];
  Peer         subscribers[N_SUBSCRIBERS];
  guint        ready;
  guint        failed;
  gboolean     measuring;
  GArray      *latencies;   /* gint64 µs */
  guint64      sent;
  guint64      received;
};

static gboolean
all_ready (gpointer data)
{
  Load *load = data;

  return load->ready + load->failed >= N_PUBLISHERS + N_SUBSCRIBERS;
}

static gboolean
batch_ready (gpointer data)
{
  Load *load = data;
  guint target = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (load->session), "target"));

  return load->ready + load->failed >= target;
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
  if (g_strstr_len (data, MIN (length, 40), "\"welcome\"") != NULL)
    {
      g_autofree char *device = g_uuid_string_random ();

      payload = g_strdup_printf ("{\"token\":\"%s\",\"protocolVersion\":1,\"deviceId\":\"%s\"}",
                                 peer->load->token, device);
      peer_send (peer, "authenticate", payload);
    }
  else if (g_strstr_len (data, MIN (length, 40), "\"authentication_success\"") != NULL)
    {
      payload = g_strdup_printf ("{\"changes\":[{\"seq\":1,\"entity\":\"vehicle\","
                                 "\"entityId\":\"%s\",\"op\":\"insert\",\"changedAt\":1,"
                                 "\"data\":{\"uuid\":\"%s\",\"vin\":null,\"created_us\":1,"
                                 "\"updated_us\":1}}]}", peer->vehicle, peer->vehicle);
      peer_send (peer, "push", payload);
    }
  else if (g_strstr_len (data, MIN (length, 40), "\"push_ack\"") != NULL)
    {
      peer->ready = TRUE;
      peer->load->ready++;
    }
  else
    {
      g_printerr ("publisher %u: %.*s\n", peer->index, (int) MIN (length, 300), data);
      peer->failed = TRUE;
      peer->load->failed++;
    }
}

static void
subscribe (Peer *peer)
{
  g_autoptr(GString) channels = g_string_new ("{\"channels\":[");

  for (guint i = 0; i < PER_SUBSCRIBER; i++)
    g_string_append_printf (channels, "%s\"vehicle:%s\"", i > 0 ? "," : "",
                            peer->load->publishers[peer->index * PER_SUBSCRIBER + i].vehicle);
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
      gint64 sampled, latency;

      if (!json_parser_load_from_data (parser, data, length, NULL))
        return;
      payload = json_object_get_object_member (json_node_get_object (
                                                 json_parser_get_root (parser)), "payload");
      if (payload == NULL || !json_object_has_member (payload, "sampledAt"))
        return;
      sampled = json_object_get_int_member (payload, "sampledAt");
      latency = g_get_real_time () - sampled;
      load->received++;
      if (load->measuring)
        g_array_append_val (load->latencies, latency);
      return;
    }

  if (g_strstr_len (data, MIN (length, 40), "\"welcome\"") != NULL)
    {
      g_autofree char *device = g_uuid_string_random ();
      g_autofree char *payload =
        g_strdup_printf ("{\"token\":\"%s\",\"protocolVersion\":1,\"deviceId\":\"%s\"}",
                         load->fleet_token, device);

      peer_send (peer, "authenticate", payload);
    }
  else if (g_strstr_len (data, MIN (length, 40), "\"authentication_success\"") != NULL)
    subscribe (peer);
  else if (g_strstr_len (data, MIN (length, 40), "\"subscription_success\"") != NULL)
    {
      peer->ready = TRUE;
      load->ready++;
    }
  else
    {
      g_printerr ("subscriber %u: %.*s\n", peer->index, (int) MIN (length, 300), data);
      peer->failed = TRUE;
      load->failed++;
    }
}

static void
on_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Peer *peer = data;
  g_autoptr(GError) error = NULL;
  gboolean publisher = peer >= peer->load->publishers
                       && peer < peer->load->publishers + N_PUBLISHERS;

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
                    publisher ? G_CALLBACK (on_publisher_message_cb)
                              : G_CALLBACK (on_subscriber_message_cb), peer);

  /* The reference has no accounts: ready once connected (subscribers
   * subscribe straight away). */
  if (!peer->load->ours)
    {
      if (!publisher)
        subscribe (peer);
      peer->ready = TRUE;
      peer->load->ready++;
    }
}

static void
connect_peer (Load *load,
              Peer *peer)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, load->url);

  peer->load = load;
  soup_session_websocket_connect_async (load->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected_cb, peer);
}

static gboolean
on_tick_cb (gpointer data)
{
  Load *load = data;
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < N_PUBLISHERS; i++)
    {
      Peer *p = &load->publishers[i];
      g_autofree char *payload = NULL;

      if (!p->ready || now < p->next_us)
        continue;
      p->next_us += G_USEC_PER_SEC / RATE_HZ;
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

typedef struct
{
  double  p50_ms;
  double  p99_ms;
  double  max_ms;
  double  cpu_percent;
  double  rss_mb;
  double  hwm_mb;
  guint64 sent;
  guint64 received;
  guint   failed;
} Figures;

static gint64
proc_cpu_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  fields = g_strsplit (after + 2, " ", -1);
  /* Fields 14 and 15 of stat (utime, stime), counted after the name. */
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

static double
proc_status_mb (GPid        pid,
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
measuring_done (gpointer data)
{
  return *(gint64 *) data <= g_get_monotonic_time ();
}

static Figures
run_load (gboolean     ours,
          GPid         server_pid,
          guint        port,
          const char  *token,
          const char  *fleet_token)
{
  Load *load = g_new0 (Load, 1);
  Figures figures = { 0 };
  gint64 start_ticks, start_us, until;
  guint tick;
  long hz = sysconf (_SC_CLK_TCK);

  load->ours = ours;
  load->url = g_strdup_printf ("ws://127.0.0.1:%u/sync", port);
  load->token = g_strdup (token);
  load->fleet_token = g_strdup (fleet_token);
  load->session = soup_session_new_with_options ("max-conns", N_PUBLISHERS + N_SUBSCRIBERS + 10,
                                                 "max-conns-per-host",
                                                 N_PUBLISHERS + N_SUBSCRIBERS + 10, NULL);
  load->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Publishers in batches, so handshakes do not pile up. */
  for (guint i = 0; i < N_PUBLISHERS; i++)
    {
      load->publishers[i].index = i;
      load->publishers[i].vehicle = g_uuid_string_random ();
      connect_peer (load, &load->publishers[i]);
      if ((i + 1) % CONNECT_BATCH == 0)
        {
          g_object_set_data (G_OBJECT (load->session), "target", GUINT_TO_POINTER (i + 1));
          if (!iterate_until (batch_ready, load, 60))
            g_error ("publishers did not get ready");
        }
    }
  for (guint i = 0; i < N_SUBSCRIBERS; i++)
    {
      load->subscribers[i].index = i;
      connect_peer (load, &load->subscribers[i]);
    }
  if (!iterate_until (all_ready, load, 60))
    g_error ("subscribers did not get ready");
  if (load->failed > 0)
    g_error ("%u connections failed", load->failed);

  /* Spread the publishers' phases over half a second. */
  for (guint i = 0; i < N_PUBLISHERS; i++)
    load->publishers[i].next_us = g_get_real_time ()
                                  + (gint64) i * (G_USEC_PER_SEC / RATE_HZ) / N_PUBLISHERS;
  tick = g_timeout_add (5, on_tick_cb, load);

  until = g_get_monotonic_time () + WARMUP_S * G_USEC_PER_SEC;
  iterate_until (measuring_done, &until, WARMUP_S + 5);
  load->measuring = TRUE;
  load->sent = load->received = 0;
  start_ticks = proc_cpu_ticks (server_pid);
  start_us = g_get_monotonic_time ();
  until = start_us + MEASURE_S * G_USEC_PER_SEC;
  iterate_until (measuring_done, &until, MEASURE_S + 5);
  load->measuring = FALSE;
  figures.cpu_percent = 100.0 * (proc_cpu_ticks (server_pid) - start_ticks) / hz
                        / ((g_get_monotonic_time () - start_us) / 1e6);
  figures.rss_mb = proc_status_mb (server_pid, "VmRSS:");
  figures.hwm_mb = proc_status_mb (server_pid, "VmHWM:");
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
  figures.failed = load->failed;

  for (guint i = 0; i < N_PUBLISHERS; i++)
    {
      if (load->publishers[i].conn != NULL)
        {
          g_signal_handlers_disconnect_by_data (load->publishers[i].conn, &load->publishers[i]);
          soup_websocket_connection_close (load->publishers[i].conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                           NULL);
          g_clear_object (&load->publishers[i].conn);
        }
      g_free (load->publishers[i].vehicle);
    }
  for (guint i = 0; i < N_SUBSCRIBERS; i++)
    if (load->subscribers[i].conn != NULL)
      {
        g_signal_handlers_disconnect_by_data (load->subscribers[i].conn, &load->subscribers[i]);
        soup_websocket_connection_close (load->subscribers[i].conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                         NULL);
        g_clear_object (&load->subscribers[i].conn);
      }
  g_clear_object (&load->session);
  g_array_unref (load->latencies);
  g_free (load->url);
  g_free (load->token);
  g_free (load->fleet_token);
  g_free (load);
  return figures;
}

/* Processes ---------------------------------------------------------------- */

static char *
admin (const char *syncd,
       const char *db,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) syncd);
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) db);
  g_ptr_array_add (argv, (char *) "admin");
  va_start (args, db);
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

/* Starts argv and reads the port from its first line ("… port N …"). */
static GSubprocess *
start (const char * const *argv,
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

static void
stop (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

static void
print_figures (const char    *name,
               const Figures *f)
{
  g_print ("%s: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %" G_GUINT64_FORMAT " sent, %"
           G_GUINT64_FORMAT " delivered; server CPU %.1f %%, RSS %.1f MB (peak %.1f MB)\n",
           name, f->p50_ms, f->p99_ms, f->max_ms, f->sent, f->received, f->cpu_percent,
           f->rss_mb, f->hwm_mb);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) relay = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *org = NULL;
  g_autofree char *mechanic = NULL;
  g_autofree char *fleet = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fleet_token = NULL;
  g_autofree char *self = NULL;
  struct rlimit limit;
  Figures ours, reference;
  guint port = 0;

  if (argc == 2 && g_str_equal (argv[1], "--relay"))
    return run_relay ();
  if (argc != 2)
    {
      g_printerr ("usage: %s OBD2-SYNCD\n", argv[0]);
      return 2;
    }

  /* 1 050 connections here and as many in the server: more descriptors
   * than the usual soft limit of 1 024. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < 2 * N_PUBLISHERS + 200)
        g_error ("Need %d open files; the hard limit is %lu", 2 * N_PUBLISHERS + 200,
                 (unsigned long) limit.rlim_max);
    }

  dir = g_dir_make_tmp ("bench-sync-fanout-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "server.db", NULL);
  org = admin (argv[1], db, "create-organisation", "Fleet bench", NULL);
  mechanic = admin (argv[1], db, "create-user", org, "Publisher", "mechanic", NULL);
  fleet = admin (argv[1], db, "create-user", org, "Fleet", "fleet", NULL);
  token = admin (argv[1], db, "create-token", mechanic, NULL);
  fleet_token = admin (argv[1], db, "create-token", fleet, NULL);

  {
    const char *server_argv[] = { argv[1], "--db", db, "--listen", "127.0.0.1:0", NULL };

    server = start (server_argv, &port);
  }
  g_print ("obd2-syncd on port %u: %d publishers at %d Hz, %d subscribers of %d vehicles\n",
           port, N_PUBLISHERS, RATE_HZ, N_SUBSCRIBERS, PER_SUBSCRIBER);
  ours = run_load (TRUE, (GPid) atoi (g_subprocess_get_identifier (server)), port, token,
                   fleet_token);
  print_figures ("obd2-syncd", &ours);
  stop (server);

  self = g_file_read_link ("/proc/self/exe", NULL);
  {
    const char *relay_argv[] = { self, "--relay", NULL };

    relay = start (relay_argv, &port);
  }
  reference = run_load (FALSE, (GPid) atoi (g_subprocess_get_identifier (relay)), port, "", "");
  print_figures ("bare relay", &reference);
  stop (relay);

  g_unlink (db);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);

  g_print ("{\"name\": \"bench-sync-fanout\", \"ratio\": %.3f, \"publishers\": %d,"
           " \"subscribers\": %d, \"rate_hz\": %d, \"measure_s\": %d,"
           " \"p50_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f,"
           " \"server_cpu_percent\": %.1f, \"server_rss_mb\": %.1f, \"server_peak_rss_mb\": %.1f,"
           " \"delivered\": %" G_GUINT64_FORMAT ", \"sent\": %" G_GUINT64_FORMAT ","
           " \"reference_p50_ms\": %.1f, \"reference_p99_ms\": %.1f,"
           " \"reference_cpu_percent\": %.1f, \"reference_rss_mb\": %.1f,"
           " \"goal_p99_ms\": 100, \"goal_rss_mb\": 200}\n",
           ours.p99_ms > 0 ? reference.p99_ms / ours.p99_ms : 0.0, N_PUBLISHERS, N_SUBSCRIBERS,
           RATE_HZ, MEASURE_S, ours.p50_ms, ours.p99_ms, ours.max_ms, ours.cpu_percent,
           ours.rss_mb, ours.hwm_mb, ours.received, ours.sent, reference.p50_ms,
           reference.p99_ms, reference.cpu_percent, reference.hwm_mb);
  return 0;
}
