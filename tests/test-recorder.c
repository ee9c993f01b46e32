/* test-recorder.c — recording: sessions, kill -9 at random moments, disk full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-recorder"
#include "config.h"

#include <signal.h>
#include <string.h>
#include <stdio.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "obd-recorder.h"
#include "obd-store-private.h"

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)

/* The child's k-th sample, so the parent knows exactly what to expect. */
static ObdSample
child_sample (gint64 k)
{
  ObdSample s = {
    .time_us = T0 + k,
    .ecu = 0x7E8,
    .service = 1,
    .pid = 0x0C,
    .index = 0,
    .value = (double) k,
  };
  return s;
}

#define CHILD_BATCH 37

/* Child mode: record forever; after each commit, tell the parent how many
 * samples are committed.  The parent kills it with SIGKILL. */
static int
run_child (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  gint64 vehicle, session, k = 0;

  if (store == NULL)
    g_error ("child: %s", error->message);
  vehicle = obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", "Volkswagen", "Golf", 1999,
                                      &error);
  recorder = obd_recorder_new (store, &error);
  if (recorder == NULL)
    g_error ("child: %s", error->message);
  session = obd_recorder_start_session (recorder, vehicle, "can11-500", "ELM327", "sim", &error);
  if (session == 0)
    g_error ("child: %s", error->message);
  printf ("session %" G_GINT64_FORMAT "\n", session);
  fflush (stdout);

  /* Bounded, so an orphaned child cannot run forever. */
  while (k < 5000000)
    {
      gint64 committed = 0;

      /* Several batches per flush: the recorder writes what queued up in
       * one transaction, as it does when it falls behind. */
      for (int b = 0; b < 3; b++)
        {
          ObdSample batch[CHILD_BATCH];

          for (int i = 0; i < CHILD_BATCH; i++)
            batch[i] = child_sample (k++);
          obd_recorder_push_samples (recorder, batch, CHILD_BATCH);
        }
      if (!obd_recorder_flush (recorder, &committed, &error))
        g_error ("child: %s", error->message);
      if (printf ("committed %" G_GINT64_FORMAT "\n", committed) < 0 || fflush (stdout) != 0)
        break;
    }
  return 0;
}

/* Fixture -------------------------------------------------------------- */

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-recorder-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
}

static void
remove_dir_contents (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_dir_contents (f->dir);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static ObdStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  ObdStore *store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static ObdStoreSessionStatus
session_status (ObdStore *store,
                gint64    id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreSession) session = obd_store_get_session (store, id, &error);

  g_assert_no_error (error);
  return session->status;
}

static void
expect_chain_intact (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 bad = -1;

  g_assert_true (obd_store_verify_chain (store, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bad, ==, 0);
}

/* Recording in-process ------------------------------------------------- */

static void
test_basic (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->path);
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  g_autoptr(ObdStoreSession) session = NULL;
  g_autoptr(ObdStoreSession) second_session = NULL;
  g_autoptr(GArray) series = NULL;
  gint64 vehicle, id, second, committed = 0;

  vehicle = obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);
  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (obd_recorder_get_session_id (recorder), ==, 0);

  g_assert_false (obd_recorder_stop_session (recorder, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  id = obd_recorder_start_session (recorder, vehicle, "can11-500", "ELM327 v2.1",
                                   "tcp:192.168.0.10:35000", &error);
  g_assert_no_error (error);
  g_assert_cmpint (obd_recorder_get_session_id (recorder), ==, id);
  g_assert_cmpint (session_status (store, id), ==, OBD_STORE_SESSION_RECORDING);

  g_assert_cmpint (obd_recorder_start_session (recorder, vehicle, NULL, NULL, NULL, &error),
                   ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  for (gint64 k = 0; k < 1000; k++)
    {
      ObdSample s = child_sample (k);
      g_array_append_val (batch, s);
      if (batch->len == 20)
        {
          obd_recorder_push (recorder, batch);
          g_clear_pointer (&batch, g_array_unref);
          batch = g_array_new (FALSE, FALSE, sizeof (ObdSample));
        }
    }
  obd_recorder_push (recorder, batch);  /* empty: ignored */
  obd_recorder_flush (recorder, &committed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (committed, ==, 1000);
  g_assert_cmpint (obd_recorder_get_committed (recorder), ==, 1000);

  /* Readable from the owner's connection while still recording. */
  series = obd_store_get_series (store, id, 0x0C, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (series->len, ==, 1000);
  g_assert_cmpfloat (g_array_index (series, ObdStorePoint, 999).value, ==, 999);

  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  session = obd_store_get_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session->status, ==, OBD_STORE_SESSION_COMPLETE);
  g_assert_cmpint (session->sample_count, ==, 1000);
  g_assert_cmpstr (session->connection, ==, "tcp:192.168.0.10:35000");
  g_assert_cmpstr (session->adapter, ==, "ELM327 v2.1");
  g_assert_nonnull (session->hash);
  g_assert_cmpint (session->ended_us, >=, session->started_us);

  /* Nothing records after stop: a late batch is dropped. */
  {
    ObdSample late = child_sample (5000);
    obd_recorder_push_samples (recorder, &late, 1);
    obd_recorder_flush (recorder, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM samples"), ==, 1000);
  }

  /* A second session chains onto the first. */
  second = obd_recorder_start_session (recorder, vehicle, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, !=, id);
  g_assert_cmpint (obd_recorder_get_committed (recorder), ==, 0);
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  second_session = obd_store_get_session (store, second, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second_session->prev_hash, ==, session->hash);
  expect_chain_intact (store);
}

/* A recorder that is alive keeps its session "recording" whoever opens
 * the store meanwhile. */
static void
test_live_session_kept (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->path);
  g_autoptr(ObdStore) other = NULL;
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  ObdSample s = child_sample (0);
  gint64 id;

  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  id = obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  obd_recorder_push_samples (recorder, &s, 1);
  obd_recorder_flush (recorder, NULL, &error);
  g_assert_no_error (error);

  other = open_store (f->path);
  g_assert_cmpint (session_status (other, id), ==, OBD_STORE_SESSION_RECORDING);

  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session_status (other, id), ==, OBD_STORE_SESSION_COMPLETE);
}

/* Dropping the recorder mid-session ends the session cleanly. */
static void
test_dispose_completes (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->path);
  g_autoptr(GError) error = NULL;
  ObdRecorder *recorder = obd_recorder_new (store, &error);
  ObdSample s = child_sample (0);
  gint64 id;

  g_assert_no_error (error);
  id = obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  obd_recorder_push_samples (recorder, &s, 1);
  g_assert_finalize_object (recorder);

  g_assert_cmpint (session_status (store, id), ==, OBD_STORE_SESSION_COMPLETE);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM samples"), ==, 1);
  expect_chain_intact (store);
}

/* close () seals what is recording and says so; afterwards every call
 * fails at once instead of waiting for a thread that is gone. */
static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->path);
  g_autoptr(GError) error = NULL;
  ObdRecorder *recorder = obd_recorder_new (store, &error);
  ObdSample batch[10];
  gint64 id;

  g_assert_no_error (error);
  id = obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 10; i++)
    batch[i] = child_sample (i);
  obd_recorder_push_samples (recorder, batch, 10);

  g_assert_true (obd_recorder_close (recorder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (session_status (store, id), ==, OBD_STORE_SESSION_COMPLETE);
  g_assert_cmpint (raw_int (f->path, "SELECT sample_count FROM sessions"), ==, 10);
  expect_chain_intact (store);

  g_assert_cmpint (obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error), ==, 0);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "closed"));
  g_clear_error (&error);
  g_assert_false (obd_recorder_flush (recorder, NULL, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (obd_recorder_close (recorder, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (recorder);
}

static void
on_failed (ObdRecorder  *recorder,
           const GError *error,
           GError      **out_error)
{
  g_assert_null (*out_error);
  *out_error = g_error_copy (error);
}

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* SQLITE_FULL half-way through: recording stops, the owner hears it on
 * its main context, what was committed stays. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->path);
  g_autoptr(ObdStore) reopened = NULL;
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reported = NULL;
  g_autoptr(ObdStoreSession) session = NULL;
  g_autofree char *count_sql = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;
  gint64 id, committed = 0, k = 0;

  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  g_signal_connect (recorder, "failed", G_CALLBACK (on_failed), &reported);
  id = obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* About 25 pages of room: a few thousand samples. */
  _obd_recorder_set_page_limit (recorder, raw_int (f->path, "PRAGMA page_count") + 25, &error);
  g_assert_no_error (error);

  while (k < 1000000)
    {
      ObdSample batch[100];

      for (int i = 0; i < 100; i++)
        batch[i] = child_sample (k++);
      obd_recorder_push_samples (recorder, batch, 100);
      if (!obd_recorder_flush (recorder, &committed, &error))
        break;
    }
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL);
  g_assert_cmpint (committed, >, 0);
  g_assert_cmpint (committed, <, k);
  g_clear_error (&error);

  /* The report arrives on this thread's main context. */
  timeout_id = g_timeout_add_seconds (10, deadline_cb, &timed_out);
  while (reported == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_assert_error (reported, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (reported->message, "disk is full"));

  /* Later batches are dropped, and stopping reports why recording ended. */
  obd_recorder_push_samples (recorder, (ObdSample[]) { child_sample (k) }, 1);
  g_assert_false (obd_recorder_stop_session (recorder, &error));
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL);
  g_clear_error (&error);

  count_sql = g_strdup_printf ("SELECT count(*) FROM samples WHERE session_id = %"
                               G_GINT64_FORMAT " AND time_us < %" G_GINT64_FORMAT,
                               id, T0 + committed);
  g_assert_cmpint (raw_int (f->path, count_sql), ==, committed);
  g_assert_cmpint (raw_int (f->path, "SELECT count(*) FROM samples"), ==, committed);

  /* Interrupted by the recorder if the last write fitted, else by the
   * next open: either way, after an open. */
  reopened = open_store (f->path);
  session = obd_store_get_session (reopened, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session->status, ==, OBD_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (session->sample_count, ==, committed);
  g_assert_nonnull (session->hash);
  expect_chain_intact (reopened);
}

/* Where ObdRecorder::failed runs ----------------------------------------- */

typedef struct
{
  GThread *thread;    /* where the handler ran */
  GError  *error;
  gboolean during_flush;
  gboolean in_flush;
} FailedSeen;

static void
on_failed_seen (ObdRecorder  *recorder,
                const GError *error,
                FailedSeen   *seen)
{
  g_assert_null (seen->error);
  seen->thread = g_thread_self ();
  seen->error = g_error_copy (error);
  seen->during_flush = seen->in_flush;
}

/* Fills the page limit until recording stops on SQLITE_FULL, then runs the
 * caller's main context (thread-default) until the report arrives. */
static void
record_until_full (const char *path,
                   FailedSeen *seen)
{
  g_autoptr(ObdStore) store = open_store (path);
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 deadline;
  gint64 k = 0;

  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  g_signal_connect (recorder, "failed", G_CALLBACK (on_failed_seen), seen);
  obd_recorder_start_session (recorder, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  _obd_recorder_set_page_limit (recorder, raw_int (path, "PRAGMA page_count") + 25, &error);
  g_assert_no_error (error);

  /* The owner is busy in flush (it does not iterate its context) while
   * the recorder thread meets the full disk: exactly when an inline
   * g_main_context_invoke() would run the handler on the recorder thread. */
  while (k < 1000000)
    {
      ObdSample batch[100];
      gboolean ok;

      for (int i = 0; i < 100; i++)
        batch[i] = child_sample (k++);
      obd_recorder_push_samples (recorder, batch, 100);
      seen->in_flush = TRUE;
      ok = obd_recorder_flush (recorder, NULL, &error);
      seen->in_flush = FALSE;
      if (!ok)
        break;
    }
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (seen->error == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE);
  g_assert_error (seen->error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL);
}

/* The owner is the main thread, on the global default context. */
/* A backlog (the recorder fell behind, or a long recording pushed at
 * once) is written transaction after transaction.  Another writer (the
 * app saving a note, `obd2 sync` opening the store) still gets the write
 * lock within its busy timeout, not after the whole backlog: SQLite's own
 * busy handler polls too seldom to ever find the lock free between two of
 * the recorder's transactions. */
#define BACKLOG_SAMPLES 600000
#define OTHER_TIMEOUT_MS 250

static void
test_other_writers_get_a_turn (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f->path);
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *other;
  gint64 vehicle, committed = 0;
  guint turns = 0, during = 0;

  vehicle = obd_store_ensure_vehicle (store, "WVWZZZ1JZXW000001", NULL, NULL, 0, &error);
  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (obd_recorder_start_session (recorder, vehicle, "can11-500", "ELM327", "sim",
                                               &error), >, 0);
  g_assert_no_error (error);

  other = _obd_store_connect (f->path, &error);
  g_assert_no_error (error);
  _obd_store_set_busy_timeout (other, OTHER_TIMEOUT_MS);

  for (gint64 k = 0; k < BACKLOG_SAMPLES; k += 1000)
    {
      g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample), 1000);

      for (gint64 j = k; j < k + 1000; j++)
        {
          ObdSample s = child_sample (j);
          g_array_append_val (batch, s);
        }
      obd_recorder_push (recorder, batch);
    }

  /* Turn after turn while the backlog lasts; each must come in time. */
  while (obd_recorder_get_committed (recorder) < BACKLOG_SAMPLES)
    {
      int rc = sqlite3_exec (other, "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_error ("turn %u: %s, with %" G_GINT64_FORMAT " of %d samples written", turns,
                 sqlite3_errmsg (other), obd_recorder_get_committed (recorder),
                 BACKLOG_SAMPLES);
      turns++;
      if (obd_recorder_get_committed (recorder) < BACKLOG_SAMPLES)
        during++;
    }
  g_test_message ("%u turns, %u of them while the backlog lasted", turns, during);
  /* The backlog took longer than one timeout, or this proves nothing. */
  g_assert_cmpuint (during, >=, 2);

  g_assert_true (obd_recorder_flush (recorder, &committed, &error));
  g_assert_cmpint (committed, ==, BACKLOG_SAMPLES);
  g_assert_true (obd_recorder_stop_session (recorder, &error));
  g_assert_no_error (error);
  sqlite3_close (other);
}

static void
test_failed_on_owner (Fixture       *f,
                      gconstpointer  data)
{
  FailedSeen seen = { 0 };

  record_until_full (f->path, &seen);
  g_assert_true (seen.thread == g_thread_self ());
  g_assert_false (seen.during_flush);
  g_clear_error (&seen.error);
}

typedef struct
{
  const char *path;
  FailedSeen  seen;
  GThread    *owner;
} OwnerThread;

static gpointer
owner_thread_main (gpointer data)
{
  OwnerThread *o = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  o->owner = g_thread_self ();
  record_until_full (o->path, &o->seen);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* The owner is another thread with its own context (as a store thread of
 * the application is): the report reaches that thread, never the main
 * thread, whose default context is free for anyone to acquire. */
static void
test_failed_on_owner_thread (Fixture       *f,
                             gconstpointer  data)
{
  OwnerThread o = { .path = f->path };
  GThread *thread = g_thread_new ("test-owner", owner_thread_main, &o);

  g_thread_join (thread);
  g_assert_true (o.seen.thread == o.owner);
  g_assert_false (o.seen.during_flush);
  g_clear_error (&o.seen.error);
}

/* kill -9 ---------------------------------------------------------------- */

typedef struct
{
  char     *line;
  gboolean  done;
  GError   *error;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  LineRead *read = data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

/* Reads one line from the child, iterating the main context up to the
 * deadline instead of blocking: a hung child fails the test, not the run. */
static char *
read_child_line (GDataInputStream *in,
                 gint64            deadline)
{
  LineRead read = { 0 };
  gboolean timed_out = FALSE;
  guint timeout_id;
  gint64 left = deadline - g_get_monotonic_time ();

  g_assert_cmpint (left, >, 0);
  timeout_id = g_timeout_add (left / 1000 + 1, deadline_cb, &timed_out);
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  while (!read.done)
    {
      g_main_context_iteration (NULL, TRUE);
      if (timed_out && !read.done)
        g_error ("The recording child did not report in time");
    }
  if (!timed_out)
    g_source_remove (timeout_id);
  g_assert_no_error (read.error);
  return read.line;
}

static guint
count_lock_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".lock"))
      n++;
  return n;
}

static void
kill_once (const char *exe,
           guint       iteration)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-recorder-kill-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(ObdStoreSession) session = NULL;
  g_autofree char *line = NULL;
  g_autofree char *count_sql = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 session_id, reported = 0;
  guint target = (guint) g_test_rand_int_range (1, 60);

  g_assert_no_error (error);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            exe, "--record-child", path, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

  line = read_child_line (in, deadline);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "session "));
  session_id = g_ascii_strtoll (line + 8, NULL, 10);
  g_assert_cmpint (session_id, >, 0);

  for (guint i = 0; i < target; i++)
    {
      g_free (line);
      line = read_child_line (in, deadline);
      g_assert_nonnull (line);
      g_assert_true (g_str_has_prefix (line, "committed "));
      reported = g_ascii_strtoll (line + 10, NULL, 10);
    }
  g_assert_cmpint (reported, >, 0);

  /* A reader sees the rows the child reported, while the child goes on. */
  {
    g_autoptr(ObdStore) reader = obd_store_open (path, OBD_STORE_OPEN_READ_ONLY, &error);
    g_autoptr(ObdStoreSession) live = NULL;

    g_assert_no_error (error);
    live = obd_store_get_session (reader, session_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (live->status, ==, OBD_STORE_SESSION_RECORDING);
    g_assert_cmpint (live->sample_count, >=, reported);
    g_assert_false (obd_store_session_is_abandoned (reader, live));
  }

  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  /* A reader sees the session abandoned but leaves it, and its lock file,
   * for the next writer to close. */
  {
    g_autoptr(ObdStore) reader = obd_store_open (path, OBD_STORE_OPEN_READ_ONLY, &error);
    g_autoptr(ObdStoreSession) left = NULL;
    g_autoptr(ObdStoreSession) still = NULL;

    g_assert_no_error (error);
    left = obd_store_get_session (reader, session_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (left->status, ==, OBD_STORE_SESSION_RECORDING);
    g_assert_true (obd_store_session_is_abandoned (reader, left));
    g_clear_object (&reader);

    g_assert_cmpint (count_lock_files (dir), ==, 1);
    reader = obd_store_open (path, OBD_STORE_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
    still = obd_store_get_session (reader, session_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (still->status, ==, OBD_STORE_SESSION_RECORDING);
  }

  store = open_store (path);
  obd_store_check_integrity (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_lock_files (dir), ==, 0);

  session = obd_store_get_session (store, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session->status, ==, OBD_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (session->sample_count, >=, reported);
  g_assert_nonnull (session->hash);
  count_sql = g_strdup_printf ("SELECT count(*) FROM samples WHERE session_id = %"
                               G_GINT64_FORMAT " AND time_us < %" G_GINT64_FORMAT,
                               session_id, T0 + reported);
  g_assert_cmpint (raw_int (path, count_sql), ==, reported);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM samples"), ==, session->sample_count);
  expect_chain_intact (store);
  g_test_message ("kill %u: after %u reports, %" G_GINT64_FORMAT " reported, %" G_GINT64_FORMAT
                  " committed", iteration, target, reported, session->sample_count);

  g_clear_object (&store);
  remove_dir_contents (dir);
  g_rmdir (dir);
}

static char *self_exe;

static void
test_kill9 (void)
{
  for (guint i = 0; i < 5; i++)
    kill_once (self_exe, i);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--record-child"))
    return run_child (argv[2]);

  g_test_init (&argc, &argv, NULL);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    self_exe = g_canonicalize_filename (argv[0], NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/recorder/basic", test_basic);
  ADD ("/recorder/live-session-kept", test_live_session_kept);
  ADD ("/recorder/dispose-completes", test_dispose_completes);
  ADD ("/recorder/close", test_close);
  ADD ("/recorder/disk-full", test_disk_full);
  ADD ("/recorder/failed-on-owner", test_failed_on_owner);
  ADD ("/recorder/failed-on-owner-thread", test_failed_on_owner_thread);
  ADD ("/recorder/other-writers-get-a-turn", test_other_writers_get_a_turn);
  g_test_add_func ("/recorder/kill-9", test_kill9);

  int ret = g_test_run ();
  g_free (self_exe);
  return ret;
}
