/* bench-sync-scale.c — the live-status fan-out on one instance (SQLite,
 * PostgreSQL) and on two instances sharing one PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   pg-test-cluster run bench-sync-scale OBD2-SYNCD      (meson does that)
 *
 * The load of bench-sync-fanout (1 000 PCs sending vehicle_status at 2 Hz,
 * 50 fleet managers following 20 vehicles each, sync-load.h) against:
 *
 *   sqlite-1      one instance on SQLite
 *   pg-1          one instance on PostgreSQL
 *   pg-2-split    two instances, every second PC and manager on each: half
 *                 of the deliveries cross from one instance to the other
 *   pg-2-within   two instances, each manager on the instance of the PCs it
 *                 follows: no delivery crosses
 *   pg-2-across   two instances, each manager on the other one: every
 *                 delivery crosses (NOTIFY, the other instance, its socket)
 *
 * The load generator, the database and the instances share the machine's
 * cores, so scale is shown by cost, not by rate: CPU seconds per 1 000
 * delivered messages of each instance and of PostgreSQL (the postmaster
 * and its backends), besides messages per second, latency from push to
 * delivery (p50, p99) and each process's memory.
 *
 * "ratio" is the CPU of a message delivered within an instance over the
 * CPU of one delivered across instances (pg-2-within over pg-2-across,
 * instances and database together): the goal is across ≤ 1.3 × within,
 * a ratio ≥ 0.77.  The reference is the same two instances with no
 * crossing, under the same load in the same run.  The last line is one
 * JSON object, with an estimate of what 100 000 connected vehicles would
 * need from the measured costs.
 */
#define G_LOG_DOMAIN "bench-sync-scale"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "sync-load.h"

#define N_PUBLISHERS   1000
#define N_SUBSCRIBERS  50
#define PER_SUBSCRIBER 20
#define RATE_HZ        2
#define WARMUP_S       4
#define MEASURE_S      15
#define GOAL_CROSS     1.3
#define GOAL_P99_MS    150

typedef enum
{
  SINGLE,
  SPLIT,
  WITHIN,
  ACROSS,
} Placement;

static guint
publisher_url (guint    index,
               gpointer data)
{
  Placement placement = GPOINTER_TO_UINT (data);

  /* Subscriber j follows publishers 20 j … 20 j + 19. */
  switch (placement)
    {
    case SPLIT:
      return index % 2;
    case WITHIN:
    case ACROSS:
      return (index / PER_SUBSCRIBER) % 2;
    case SINGLE:
    default:
      return 0;
    }
}

static guint
subscriber_url (guint    index,
                gpointer data)
{
  Placement placement = GPOINTER_TO_UINT (data);

  switch (placement)
    {
    case SPLIT:
    case WITHIN:
      return index % 2;
    case ACROSS:
      return (index + 1) % 2;
    case SINGLE:
    default:
      return 0;
    }
}

typedef struct
{
  const char      *name;
  guint            n_instances;
  SyncLoadFigures  figures;
  double           instance_cpu;    /* s, all instances */
  double           postgres_cpu;    /* s */
  double           per_1000_instances;
  double           per_1000_postgres;
  double           per_1000_total;
  double           rate;            /* delivered per second */
} Run;

static GPid
postmaster_pid (void)
{
  const char *dir = g_getenv ("OBD2_PG_CLUSTER_DIR");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  if (dir == NULL)
    g_error ("OBD2_PG_CLUSTER_DIR is not set: run through meson (build-aux/pg-test-cluster run)");
  path = g_build_filename (dir, "data", "postmaster.pid", NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    g_error ("No %s", path);
  return (GPid) atoi (text);
}

static void
run (Run            *r,
     const char     *syncd,
     const char     *option,
     const char     *location,
     Placement       placement,
     const char     *token,
     const char     *fleet_token)
{
  GSubprocess *instances[2] = { NULL, NULL };
  g_autofree char *url0 = NULL;
  g_autofree char *url1 = NULL;
  gboolean pg = g_str_equal (option, "--postgres");
  SyncLoadConfig config = {
    .n_publishers = N_PUBLISHERS,
    .n_subscribers = N_SUBSCRIBERS,
    .per_subscriber = PER_SUBSCRIBER,
    .rate_hz = RATE_HZ,
    .warmup_s = WARMUP_S,
    .measure_s = MEASURE_S,
    .protocol = TRUE,
    .token = token,
    .fleet_token = fleet_token,
    .publisher_url = publisher_url,
    .subscriber_url = subscriber_url,
    .data = GUINT_TO_POINTER (placement),
  };

  for (guint i = 0; i < r->n_instances; i++)
    {
      const char *argv[] = { syncd, option, location, "--listen", "127.0.0.1:0", NULL };
      guint port = 0;

      instances[i] = sync_load_start (argv, &port);
      if (i == 0)
        url0 = g_strdup_printf ("ws://127.0.0.1:%u/sync", port);
      else
        url1 = g_strdup_printf ("ws://127.0.0.1:%u/sync", port);
      config.pids[config.n_pids++] = sync_load_pid (instances[i]);
    }
  config.urls[0] = url0;
  config.urls[1] = url1 != NULL ? url1 : url0;
  if (pg)
    {
      config.with_children[config.n_pids] = TRUE;
      config.pids[config.n_pids++] = postmaster_pid ();
    }

  g_print ("%s: %u instance(s) on %s...\n", r->name, r->n_instances, pg ? "PostgreSQL" : "SQLite");
  r->figures = sync_load_run (&config);
  for (guint i = 0; i < r->n_instances; i++)
    r->instance_cpu += r->figures.cpu_s[i];
  r->postgres_cpu = pg ? r->figures.cpu_s[r->n_instances] : 0;
  r->rate = r->figures.received / r->figures.seconds;
  if (r->figures.received > 0)
    {
      r->per_1000_instances = 1000.0 * r->instance_cpu / r->figures.received;
      r->per_1000_postgres = 1000.0 * r->postgres_cpu / r->figures.received;
      r->per_1000_total = r->per_1000_instances + r->per_1000_postgres;
    }
  g_print ("%s: %.0f messages/s delivered (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
           " sent), p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", r->name, r->rate,
           r->figures.received, r->figures.sent, r->figures.p50_ms, r->figures.p99_ms,
           r->figures.max_ms);
  for (guint i = 0; i < r->n_instances; i++)
    g_print ("  instance %u: %.3f CPU s per 1000 messages, RSS %.1f MB (peak %.1f MB)\n", i,
             1000.0 * r->figures.cpu_s[i] / MAX (r->figures.received, 1), r->figures.rss_mb[i],
             r->figures.hwm_mb[i]);
  if (pg)
    g_print ("  PostgreSQL: %.3f CPU s per 1000 messages (postmaster RSS %.1f MB)\n",
             r->per_1000_postgres, r->figures.rss_mb[r->n_instances]);
  for (guint i = 0; i < r->n_instances; i++)
    {
      sync_load_stop (instances[i]);
      g_object_unref (instances[i]);
    }
}

static char *
new_database (void)
{
  const char *cluster = g_getenv ("OBD2_PG_CONNINFO");
  PGconn *pg;

  if (cluster == NULL)
    g_error ("OBD2_PG_CONNINFO is not set: run through meson (build-aux/pg-test-cluster run)");
  pg = PQconnectdb (cluster);
  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (pg));
  PQclear (PQexec (pg, "CREATE DATABASE bench_scale"));
  PQfinish (pg);
  return g_strdup_printf ("%s dbname=bench_scale", cluster);
}

static void
accounts (const char  *syncd,
          const char  *option,
          const char  *location,
          char       **out_token,
          char       **out_fleet_token)
{
  g_autofree char *org = sync_load_admin (syncd, option, location, "create-organisation",
                                          "Fleet bench", NULL);
  g_autofree char *mechanic = sync_load_admin (syncd, option, location, "create-user", org,
                                               "Publisher", "mechanic", NULL);
  g_autofree char *fleet = sync_load_admin (syncd, option, location, "create-user", org,
                                            "Fleet", "fleet", NULL);

  *out_token = sync_load_admin (syncd, option, location, "create-token", mechanic, NULL);
  *out_fleet_token = sync_load_admin (syncd, option, location, "create-token", fleet, NULL);
}

static void
json_run (JsonBuilder *b,
          const Run   *r)
{
  json_builder_set_member_name (b, r->name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "messages_per_s");
  json_builder_add_double_value (b, r->rate);
  json_builder_set_member_name (b, "p50_ms");
  json_builder_add_double_value (b, r->figures.p50_ms);
  json_builder_set_member_name (b, "p99_ms");
  json_builder_add_double_value (b, r->figures.p99_ms);
  json_builder_set_member_name (b, "instance_cpu_s_per_1000");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->n_instances; i++)
    json_builder_add_double_value (b, 1000.0 * r->figures.cpu_s[i]
                                      / MAX (r->figures.received, 1));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "postgres_cpu_s_per_1000");
  json_builder_add_double_value (b, r->per_1000_postgres);
  json_builder_set_member_name (b, "total_cpu_s_per_1000");
  json_builder_add_double_value (b, r->per_1000_total);
  json_builder_set_member_name (b, "instance_rss_mb");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->n_instances; i++)
    json_builder_add_double_value (b, r->figures.rss_mb[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *sqlite = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fleet_token = NULL;
  g_autofree char *pg_token = NULL;
  g_autofree char *pg_fleet_token = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  Run runs[] = {
    { .name = "sqlite-1", .n_instances = 1 },
    { .name = "pg-1", .n_instances = 1 },
    { .name = "pg-2-split", .n_instances = 2 },
    { .name = "pg-2-within", .n_instances = 2 },
    { .name = "pg-2-across", .n_instances = 2 },
  };
  Run *split = &runs[2], *within = &runs[3], *across = &runs[4];
  double cross_cost, vehicles = 100000, in_rate, instance_cores, postgres_cores;
  double p99_max = 0;

  if (argc != 2)
    {
      g_printerr ("usage: pg-test-cluster run %s OBD2-SYNCD\n", argv[0]);
      return 2;
    }
  /* The load's 1 050 connections, and as many in an instance. */
  sync_load_raise_files (2 * (N_PUBLISHERS + N_SUBSCRIBERS) + 200);

  dir = g_dir_make_tmp ("bench-sync-scale-XXXXXX", &error);
  g_assert_no_error (error);
  sqlite = g_build_filename (dir, "server.db", NULL);
  accounts (argv[1], "--db", sqlite, &token, &fleet_token);
  conninfo = new_database ();
  accounts (argv[1], "--postgres", conninfo, &pg_token, &pg_fleet_token);

  g_print ("%d PCs at %d Hz, %d fleet managers of %d vehicles; %d s measured after %d s\n",
           N_PUBLISHERS, RATE_HZ, N_SUBSCRIBERS, PER_SUBSCRIBER, MEASURE_S, WARMUP_S);
  run (&runs[0], argv[1], "--db", sqlite, SINGLE, token, fleet_token);
  run (&runs[1], argv[1], "--postgres", conninfo, SINGLE, pg_token, pg_fleet_token);
  run (split, argv[1], "--postgres", conninfo, SPLIT, pg_token, pg_fleet_token);
  run (within, argv[1], "--postgres", conninfo, WITHIN, pg_token, pg_fleet_token);
  run (across, argv[1], "--postgres", conninfo, ACROSS, pg_token, pg_fleet_token);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    p99_max = MAX (p99_max, runs[i].figures.p99_ms);
  cross_cost = within->per_1000_total > 0 ? across->per_1000_total / within->per_1000_total : 0;
  g_print ("A message delivered across instances costs %.2fx one delivered within "
           "(goal <= %.1fx); p99 at most %.1f ms (goal <= %d ms)\n", cross_cost, GOAL_CROSS,
           p99_max, GOAL_P99_MS);

  /* 100 000 vehicles at 2 Hz, each status delivered about once (as
   * here), half of the deliveries crossing instances (as in pg-2-split):
   * the cores each part needs at the measured cost. */
  in_rate = vehicles * RATE_HZ;
  instance_cores = in_rate * split->per_1000_instances / 1000.0;
  postgres_cores = in_rate * split->per_1000_postgres / 1000.0;
  g_print ("100 000 vehicles: %.0f messages/s; instances %.1f cores in all (%.0f instances of "
           "2 cores at 70 %%), PostgreSQL %.1f cores for the notifications\n", in_rate,
           instance_cores, ceil (instance_cores / 1.4), postgres_cores);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "bench-sync-scale");
  json_builder_set_member_name (b, "ratio");
  json_builder_add_double_value (b, cross_cost > 0 ? 1.0 / cross_cost : 0);
  json_builder_set_member_name (b, "cross_over_within_cpu");
  json_builder_add_double_value (b, cross_cost);
  json_builder_set_member_name (b, "goal_cross_over_within_cpu");
  json_builder_add_double_value (b, GOAL_CROSS);
  json_builder_set_member_name (b, "p99_max_ms");
  json_builder_add_double_value (b, p99_max);
  json_builder_set_member_name (b, "goal_p99_ms");
  json_builder_add_int_value (b, GOAL_P99_MS);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    json_run (b, &runs[i]);
  json_builder_set_member_name (b, "estimate_100k_vehicles");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "messages_per_s");
  json_builder_add_double_value (b, in_rate);
  json_builder_set_member_name (b, "instance_cores");
  json_builder_add_double_value (b, instance_cores);
  json_builder_set_member_name (b, "instances_of_2_cores_at_70_percent");
  json_builder_add_double_value (b, ceil (instance_cores / 1.4));
  json_builder_set_member_name (b, "postgres_cores");
  json_builder_add_double_value (b, postgres_cores);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);

  g_unlink (sqlite);
  {
    g_autofree char *wal = g_strconcat (sqlite, "-wal", NULL);
    g_autofree char *shm = g_strconcat (sqlite, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  g_print ("%s\n", json);
  return 0;
}
