/* sync-load.h — the live-status load of the sync benchmarks: PCs sharing
 * vehicle status twice a second, fleet managers following them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Publishers authenticate as mechanics' PCs, register a vehicle each and
 * send vehicle_status at a fixed rate, phases spread evenly; subscribers
 * authenticate as fleet managers and follow per_subscriber vehicles each,
 * taking now - sampledAt as the latency from push to delivery.  Each peer
 * connects to one of up to two server addresses.  After a warm-up the
 * load measures: latencies, messages, and the CPU time and memory of the
 * processes named (servers, database).  Bounded in count and time, to
 * 127.0.0.1 only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SYNC_LOAD_MAX_PIDS 8

typedef struct
{
  guint        n_publishers;
  guint        n_subscribers;
  guint        per_subscriber;   /* n_subscribers × per_subscriber = n_publishers */
  guint        rate_hz;
  guint        warmup_s;
  guint        measure_s;
  gboolean     protocol;         /* authenticate and register (FALSE: a bare relay) */
  const char  *token;            /* publishers' */
  const char  *fleet_token;      /* subscribers' */
  const char  *urls[2];
  /* Which address each peer uses (index into urls); NULL: the first. */
  guint      (*publisher_url)  (guint index, gpointer data);
  guint      (*subscriber_url) (guint index, gpointer data);
  gpointer     data;
  GPid         pids[SYNC_LOAD_MAX_PIDS];   /* measured; a postmaster counts its children */
  gboolean     with_children[SYNC_LOAD_MAX_PIDS];
  guint        n_pids;
} SyncLoadConfig;

typedef struct
{
  double  p50_ms;
  double  p99_ms;
  double  max_ms;
  guint64 sent;
  guint64 received;
  double  seconds;
  double  cpu_s[SYNC_LOAD_MAX_PIDS];
  double  rss_mb[SYNC_LOAD_MAX_PIDS];
  double  hwm_mb[SYNC_LOAD_MAX_PIDS];
} SyncLoadFigures;

/* Connects everyone, runs the load, measures, disconnects.  Aborts if a
 * peer cannot connect or authenticate. */
SyncLoadFigures sync_load_run          (const SyncLoadConfig *config);

/* Raises the soft limit of open files to the hard one; aborts when that
 * is below need. */
void            sync_load_raise_files  (guint                 need);
/* Runs `SYNCD OPTION LOCATION admin ARGS…` and returns its output. */
char           *sync_load_admin        (const char           *syncd,
                                        const char           *option,
                                        const char           *location,
                                        ...) G_GNUC_NULL_TERMINATED;
/* Starts argv and reads the port from its first line ("… port N …"). */
GSubprocess    *sync_load_start        (const char * const   *argv,
                                        guint                *out_port);
void            sync_load_stop         (GSubprocess          *process);
GPid            sync_load_pid          (GSubprocess          *process);

G_END_DECLS
