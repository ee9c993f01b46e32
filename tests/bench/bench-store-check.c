/* bench-store-check.c — what the integrity check costs a writer, on a
 * store of one million samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before anything is written, obd_store_open () for writing reads every
 * page of the store with PRAGMA quick_check, so nothing is written into a
 * damaged file.  This measures that check on a store of one million
 * samples (10 PIDs at 10 Hz over three sessions, as bench-recorder
 * records them), with the file in the page cache, as it is when a
 * mechanic records again soon after the last time.
 *
 * Ours: PRAGMA quick_check, as the opener runs it.
 * Reference: PRAGMA integrity_check, the simple complete check (it also
 * matches every index against its table row by row).  "ratio" is
 * reference time over ours.
 *
 * Also printed: the whole open for writing (probe, check, migration
 * check, recovery) against the read-only open, which does no check: their
 * difference is what a writer pays.
 *
 * Each measurement runs RUNS times, alternating, and the best run counts:
 * these machines are noisy.  The last line of output is one JSON object.
 */
#define G_LOG_DOMAIN "bench-store-check"
#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>

#include "bench-store-util.h"
#include "obd-store-private.h"

#define N_SAMPLES   1000000
#define N_PIDS      10
#define RATE_HZ     10
#define N_SESSIONS  3
#define RUNS        5

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)

static const guint8 pids[N_PIDS] = { 0x04, 0x05, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x2F };

/* The store: our schema through obd_store_open (), then the rows with a
 * bare statement loop (how they got there does not matter to a check). */
static void
make_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStmt) insert = NULL;
  gint64 per_session = N_SAMPLES / N_SESSIONS + 1;
  sqlite3 *db;

  {
    g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
    check (store != NULL, error);
  }

  db = _obd_store_connect (path, &error);
  check (db != NULL, error);
  exec_or_die (db, "BEGIN");
  for (int s = 1; s <= N_SESSIONS; s++)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *sql = g_strdup_printf ("INSERT INTO sessions (id, uuid, started_us, status,"
                                              " ended_us) VALUES (%d, '%s', %" G_GINT64_FORMAT
                                              ", 'complete', %" G_GINT64_FORMAT ")",
                                              s, uuid, T0, T0 + 1);
      exec_or_die (db, sql);
    }
  insert = _obd_store_prepare (db, "INSERT INTO samples (session_id, service, pid, idx, time_us,"
                                   " ecu, value) VALUES (?, 1, ?, 0, ?, 2024, ?)", &error);
  check (insert != NULL, error);
  for (gint64 k = 0; k < N_SAMPLES; k++)
    {
      gint64 in_session = k % per_session;

      sqlite3_bind_int64 (insert, 1, 1 + k / per_session);
      sqlite3_bind_int (insert, 2, pids[k % N_PIDS]);
      sqlite3_bind_int64 (insert, 3, T0 + (in_session / N_PIDS) * (G_USEC_PER_SEC / RATE_HZ));
      sqlite3_bind_double (insert, 4, (double) (k % 5000) * 0.25);
      check (_obd_store_step_done (db, insert, &error), error);
    }
  exec_or_die (db, "COMMIT");
  g_clear_pointer (&insert, sqlite3_finalize);
  /* Everything into the main file, as after a clean close. */
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close_v2 (db);
}

/* Milliseconds one PRAGMA takes to answer "ok". */
static double
time_pragma (const char *path,
             const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start;
  double ms;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("open %s: %s", path, sqlite3_errmsg (db));
  start = g_get_monotonic_time ();
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW
      || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  ms = (g_get_monotonic_time () - start) / 1000.0;
  sqlite3_finalize (stmt);
  sqlite3_close_v2 (db);
  return ms;
}

static double
time_open (const char        *path,
           ObdStoreOpenFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = NULL;
  gint64 start = g_get_monotonic_time ();
  double ms;

  store = obd_store_open (path, flags, &error);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  check (store != NULL, error);
  return ms;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-store-check-XXXXXX", &error);
  g_autofree char *path = NULL;
  double quick = G_MAXDOUBLE, full = G_MAXDOUBLE, open_write = G_MAXDOUBLE;
  double open_read = G_MAXDOUBLE;
  GStatBuf st;

  check (dir != NULL, error);
  path = g_build_filename (dir, "store.db", NULL);
  make_store (path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);

  /* Once each to bring the file into the page cache. */
  time_pragma (path, "PRAGMA quick_check");
  time_open (path, OBD_STORE_OPEN_READ_ONLY);

  for (int run = 0; run < RUNS; run++)
    {
      double q = time_pragma (path, "PRAGMA quick_check");
      double i = time_pragma (path, "PRAGMA integrity_check");
      double w = time_open (path, OBD_STORE_OPEN_DEFAULT);
      double r = time_open (path, OBD_STORE_OPEN_READ_ONLY);

      printf ("# run %d: quick_check %.1f ms, integrity_check %.1f ms, open for writing "
              "%.1f ms, open read-only %.1f ms\n", run + 1, q, i, w, r);
      quick = MIN (quick, q);
      full = MIN (full, i);
      open_write = MIN (open_write, w);
      open_read = MIN (open_read, r);
    }

  printf ("# %d samples, %.1f MB: the check costs a writer %.0f ms\n", N_SAMPLES,
          st.st_size / 1e6, open_write - open_read);
  printf ("{\"name\":\"store-check\",\"ratio\":%.3f,\"samples\":%d,\"file_mb\":%.1f,"
          "\"quick_check_ms\":%.1f,\"integrity_check_ms\":%.1f,\"open_write_ms\":%.1f,"
          "\"open_read_only_ms\":%.1f,\"writer_cost_ms\":%.1f}\n",
          full / quick, N_SAMPLES, st.st_size / 1e6, quick, full, open_write, open_read,
          open_write - open_read);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *child = g_build_filename (dir, name, NULL);
        g_unlink (child);
      }
    g_rmdir (dir);
  }
  return 0;
}
