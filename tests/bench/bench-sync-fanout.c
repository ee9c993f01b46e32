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

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sync-load.h"

#define N_PUBLISHERS   1000
#define N_SUBSCRIBERS  50
#define PER_SUBSCRIBER 20
#define RATE_HZ        2
#define WARMUP_S       3
#define MEASURE_S      12

G_STATIC_ASSERT (N_SUBSCRIBERS * PER_SUBSCRIBER == N_PUBLISHERS);

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
  sync_load_raise_files (N_PUBLISHERS + N_SUBSCRIBERS + 100);
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

/* The runs ------------------------------------------------------------------ */

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
} Figures;

static Figures
run_load (gboolean    ours,
          GPid        server_pid,
          guint       port,
          const char *token,
          const char *fleet_token)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/sync", port);
  SyncLoadConfig config = {
    .n_publishers = N_PUBLISHERS,
    .n_subscribers = N_SUBSCRIBERS,
    .per_subscriber = PER_SUBSCRIBER,
    .rate_hz = RATE_HZ,
    .warmup_s = WARMUP_S,
    .measure_s = MEASURE_S,
    .protocol = ours,
    .token = token,
    .fleet_token = fleet_token,
    .urls = { url, NULL },
    .pids = { server_pid },
    .n_pids = 1,
  };
  SyncLoadFigures measured = sync_load_run (&config);
  Figures figures = {
    .p50_ms = measured.p50_ms,
    .p99_ms = measured.p99_ms,
    .max_ms = measured.max_ms,
    .cpu_percent = 100.0 * measured.cpu_s[0] / measured.seconds,
    .rss_mb = measured.rss_mb[0],
    .hwm_mb = measured.hwm_mb[0],
    .sent = measured.sent,
    .received = measured.received,
  };

  return figures;
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
  sync_load_raise_files (2 * N_PUBLISHERS + 200);

  dir = g_dir_make_tmp ("bench-sync-fanout-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "server.db", NULL);
  org = sync_load_admin (argv[1], "--db", db, "create-organisation", "Fleet bench", NULL);
  mechanic = sync_load_admin (argv[1], "--db", db, "create-user", org, "Publisher", "mechanic",
                              NULL);
  fleet = sync_load_admin (argv[1], "--db", db, "create-user", org, "Fleet", "fleet", NULL);
  token = sync_load_admin (argv[1], "--db", db, "create-token", mechanic, NULL);
  fleet_token = sync_load_admin (argv[1], "--db", db, "create-token", fleet, NULL);

  {
    const char *server_argv[] = { argv[1], "--db", db, "--listen", "127.0.0.1:0", NULL };

    server = sync_load_start (server_argv, &port);
  }
  g_print ("obd2-syncd on port %u: %d publishers at %d Hz, %d subscribers of %d vehicles\n",
           port, N_PUBLISHERS, RATE_HZ, N_SUBSCRIBERS, PER_SUBSCRIBER);
  ours = run_load (TRUE, sync_load_pid (server), port, token, fleet_token);
  print_figures ("obd2-syncd", &ours);
  sync_load_stop (server);

  self = g_file_read_link ("/proc/self/exe", NULL);
  {
    const char *relay_argv[] = { self, "--relay", NULL };

    relay = sync_load_start (relay_argv, &port);
  }
  reference = run_load (FALSE, sync_load_pid (relay), port, "", "");
  print_figures ("bare relay", &reference);
  sync_load_stop (relay);

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
