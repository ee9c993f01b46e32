/* bench-recorder.c — recording throughput against a bare insert loop, and
 * the one-PID query on a one-hour session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ours: one million samples through ObdRecorder, in batches of BATCH
 * samples as the adapter worker hands them over (it coalesces ~50 ms of
 * replies per batch), timed until a flush says everything is committed.
 *
 * Reference: the same rows into a fresh file with the same schema and
 * connection settings, by a bare prepared-statement loop in the calling
 * thread, one transaction per batch, nothing else.
 *
 * The headline "ratio" is like for like: the recorder committing once per
 * batch too (a flush after every push), against the bare loop — what the
 * thread hand-off, the queue and the recorder's bookkeeping cost.  When
 * batches come faster than commits the recorder writes everything queued
 * in one transaction; that flattering case ("batched_ratio") is printed
 * beside it, never instead of it: the reference does not get to batch.
 *
 * The data: 10 PIDs at 10 Hz, so one hour is 360 000 rows; the million
 * rows make sessions of one hour, one hour and the rest.  The query reads
 * one PID of the middle hour through obd_store_get_series ().
 *
 * Each side runs twice, alternating, and the better run counts: these
 * machines are noisy, and only the ratio measured side by side means
 * anything.  The last line of output is one JSON object.
 */
#define G_LOG_DOMAIN "bench-recorder"
#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>

#include "obd-recorder.h"
#include "bench-store-util.h"
#include "obd-store-private.h"
#include "obd-store-sql.h"

#define N_SAMPLES    1000000
#define BATCH        20
#define N_PIDS       10
#define RATE_HZ      10
#define HOUR_ROWS    (N_PIDS * RATE_HZ * 3600)
#define N_SESSIONS   ((N_SAMPLES + HOUR_ROWS - 1) / HOUR_ROWS)
#define QUERY_RUNS   7

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)

static const guint8 pids[N_PIDS] = { 0x04, 0x05, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x2F };

static ObdSample
make_sample (gint64 k)
{
  gint64 in_session = k % HOUR_ROWS;
  ObdSample s = {
    .time_us = T0 + (k / HOUR_ROWS) * G_GINT64_CONSTANT (7200000000)
               + (in_session / N_PIDS) * (G_USEC_PER_SEC / RATE_HZ),
    .ecu = 0x7E8,
    .service = 1,
    .pid = pids[k % N_PIDS],
    .index = 0,
    .value = (double) (k % 5000) * 0.25,
  };
  return s;
}

/* The batches as the worker would deliver them, made up front so that
 * neither side pays for building them. */
static GPtrArray *
make_batches (void)
{
  GPtrArray *batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (gint64 k = 0; k < N_SAMPLES; k += BATCH)
    {
      GArray *batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample), BATCH);

      for (gint64 i = k; i < MIN (k + BATCH, N_SAMPLES); i++)
        {
          ObdSample s = make_sample (i);
          g_array_append_val (batch, s);
        }
      g_ptr_array_add (batches, batch);
    }
  return batches;
}

static char *
fresh_path (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  return g_steal_pointer (&path);
}

static gint64
stored_samples (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = obd_store_list_sessions (store, 0, &error);
  gint64 total = 0;

  check (sessions != NULL, error);
  for (guint i = 0; i < sessions->len; i++)
    total += ((ObdStoreSession *) g_ptr_array_index (sessions, i))->sample_count;
  return total;
}

/* Ours: rows per second.  Leaves the store at *out_path.  With
 * each_batch, waits for every batch's commit before pushing the next: one
 * transaction per batch, as when batches arrive slower than they are
 * written (the thread then never has several queued to write together). */
static double
run_recorder (const char  *dir,
              GPtrArray   *batches,
              gboolean     each_batch,
              char       **out_path)
{
  g_autofree char *path = fresh_path (dir, each_batch ? "recorder-each.db" : "recorder.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  gint64 vehicle, committed = 0, start, elapsed;
  guint per_session = HOUR_ROWS / BATCH;

  check (store != NULL, error);
  vehicle = obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);
  check (vehicle != 0, error);
  recorder = obd_recorder_new (store, &error);
  check (recorder != NULL, error);

  start = g_get_monotonic_time ();
  for (guint b = 0; b < batches->len; b++)
    {
      if (b % per_session == 0)
        {
          if (b > 0)
            check (obd_recorder_stop_session (recorder, &error), error);
          check (obd_recorder_start_session (recorder, vehicle, "can11-500", "bench", "sim",
                                             &error) != 0, error);
        }
      obd_recorder_push (recorder, g_ptr_array_index (batches, b));
      if (each_batch)
        check (obd_recorder_flush (recorder, NULL, &error), error);
    }
  check (obd_recorder_flush (recorder, &committed, &error), error);
  elapsed = g_get_monotonic_time () - start;
  check (obd_recorder_stop_session (recorder, &error), error);

  if (stored_samples (store) != N_SAMPLES)
    g_error ("The recorder stored %" G_GINT64_FORMAT " samples, not %d",
             stored_samples (store), N_SAMPLES);

  *out_path = g_steal_pointer (&path);
  return N_SAMPLES / (elapsed / (double) G_USEC_PER_SEC);
}

/* Reference: rows per second of a bare loop, same schema, same SQL, same
 * connection settings, one transaction per batch. */
static double
run_bare (const char *dir,
          GPtrArray  *batches)
{
  g_autofree char *path = fresh_path (dir, "bare.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStmt) insert = NULL;
  sqlite3 *db;
  guint per_session = HOUR_ROWS / BATCH;
  gint64 start, elapsed;

  {
    g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
    check (store != NULL, error);
  }

  db = _obd_store_connect (path, &error);
  check (db != NULL, error);
  for (int s = 0; s < N_SESSIONS; s++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO sessions (id, uuid, started_us, status)"
                                              " VALUES (%d, 'bare-%d', 0, 'recording')",
                                              s + 1, s + 1);
      exec_or_die (db, sql);
    }
  if (sqlite3_prepare_v2 (db, SQL_SAMPLE_INSERT, -1, &insert, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (db));

  start = g_get_monotonic_time ();
  for (guint b = 0; b < batches->len; b++)
    {
      const GArray *batch = g_ptr_array_index (batches, b);

      exec_or_die (db, "BEGIN");
      for (guint i = 0; i < batch->len; i++)
        {
          const ObdSample *s = &g_array_index (batch, ObdSample, i);

          sqlite3_bind_int64 (insert, 1, b / per_session + 1);
          sqlite3_bind_int (insert, 2, s->service);
          sqlite3_bind_int (insert, 3, s->pid);
          sqlite3_bind_int (insert, 4, s->index);
          sqlite3_bind_int64 (insert, 5, s->time_us);
          sqlite3_bind_int64 (insert, 6, s->ecu);
          sqlite3_bind_double (insert, 7, s->value);
          if (sqlite3_step (insert) != SQLITE_DONE)
            g_error ("%s", sqlite3_errmsg (db));
          sqlite3_reset (insert);
        }
      exec_or_die (db, "COMMIT");
    }
  elapsed = g_get_monotonic_time () - start;

  g_clear_pointer (&insert, sqlite3_finalize);
  sqlite3_close (db);
  return N_SAMPLES / (elapsed / (double) G_USEC_PER_SEC);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Median milliseconds to read one PID of the middle one-hour session, on
 * a freshly opened store. */
static double
run_query (const char *path,
           guint      *out_points)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GPtrArray) sessions = NULL;
  double times[QUERY_RUNS];
  gint64 middle = 0;

  check (store != NULL, error);
  sessions = obd_store_list_sessions (store, 0, &error);
  check (sessions != NULL, error);
  for (guint i = 0; i < sessions->len; i++)
    {
      ObdStoreSession *s = g_ptr_array_index (sessions, i);
      if (s->sample_count == HOUR_ROWS && (middle == 0 || s->id > middle) && i > 0)
        middle = s->id;
    }
  if (middle == 0)
    g_error ("No one-hour session to query");

  for (guint run = 0; run < QUERY_RUNS; run++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GArray) series = obd_store_get_series (store, middle, 0x0C, 0, 0, &error);

      times[run] = (g_get_monotonic_time () - start) / 1000.0;
      check (series != NULL, error);
      *out_points = series->len;
    }
  qsort (times, QUERY_RUNS, sizeof (double), compare_double);
  return times[QUERY_RUNS / 2];
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batches = make_batches ();
  g_autofree char *dir = g_dir_make_tmp ("bench-recorder-XXXXXX", &error);
  g_autofree char *recorded = NULL;
  double batched = 0, bare = 0, per_batch = 0, query_ms;
  guint points = 0;

  check (dir != NULL, error);

  for (int round = 0; round < 2; round++)
    {
      g_autofree char *path = NULL;
      g_autofree char *unused = NULL;
      double r = run_recorder (dir, batches, FALSE, &path);
      double b = run_bare (dir, batches);
      double u = run_recorder (dir, batches, TRUE, &unused);

      printf ("# round %d: recorder with a commit per batch %.0f rows/s, bare loop %.0f "
              "rows/s (like for like); recorder batching its queue %.0f rows/s\n",
              round + 1, u, b, r);
      batched = MAX (batched, r);
      bare = MAX (bare, b);
      per_batch = MAX (per_batch, u);
      g_free (recorded);
      recorded = g_steal_pointer (&path);
    }

  query_ms = run_query (recorded, &points);
  printf ("# one PID of a one-hour session: %u points in %.2f ms (median of %d)\n",
          points, query_ms, QUERY_RUNS);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }

  printf ("{\"name\":\"recorder\",\"ratio\":%.3f,"
          "\"recorder_commit_per_batch_rows_per_s\":%.0f,\"bare_rows_per_s\":%.0f,"
          "\"batched_ratio\":%.3f,\"recorder_batched_rows_per_s\":%.0f,"
          "\"query_ms\":%.2f,\"query_points\":%u,\"rows\":%d,\"batch\":%d}\n",
          per_batch / bare, per_batch, bare, batched / bare, batched, query_ms, points, N_SAMPLES,
          BATCH);
  return 0;
}
