/* test-store-service.c — the store on its own thread, and the recorder's
 * asynchronous calls and bounded transactions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store-service"
#include "config.h"

#include <glib/gstdio.h>

#include "obd-recorder-private.h"
#include "obd-store-private.h"
#include "obd-store-service.h"
#include "test-wait.h"

/* 2024-05-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1714557600000000)
#define VIN "WVWZZZ1JZXW000001"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-store-service-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->path);
}

/* Waiting -------------------------------------------------------------- */

typedef struct
{
  gboolean      done;
  gpointer      result;
  GError       *error;
  GThread      *thread;   /* where the callback ran */
  GSList      **order;    /* optional: callbacks append their tag */
  const char   *tag;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_error (&answer->error);
}

static void
on_run_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Answer *answer = data;

  answer->result = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result,
                                                 &answer->error);
  answer->thread = g_thread_self ();
  answer->done = TRUE;
  if (answer->order != NULL)
    *answer->order = g_slist_append (*answer->order, (gpointer) answer->tag);
}

static ObdStoreService *
service_open (const char        *path,
              ObdStoreOpenFlags  flags)
{
  ObdStoreService *service = obd_store_service_new (path, flags);

  WAIT_FOR (obd_store_service_get_state (service) != OBD_STORE_SERVICE_OPENING, 10);
  return service;
}

/* Jobs ------------------------------------------------------------------ */

static gpointer
ensure_vehicle_job (ObdStore      *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gint64 id = obd_store_ensure_vehicle (store, data, "Volkswagen", "Golf", 1999, error);

  return id > 0 ? g_memdup2 (&id, sizeof id) : NULL;
}

static gpointer
list_vehicles_job (ObdStore      *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return obd_store_list_vehicles (store, error);
}

/* Counts to a number large enough to take minutes: only an interrupt
 * ends it in time. */
static gpointer
endless_query_job (ObdStore      *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  int *started = data;

  g_atomic_int_set (started, TRUE);
  if (!_obd_store_exec (_obd_store_get_db (store),
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        "WHERE i < 100000000000) SELECT count(*) FROM n", error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* Holds the thread until *gate is set. */
static gpointer
gate_job (ObdStore      *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  int *gate = data;

  while (!g_atomic_int_get (gate))
    g_thread_yield ();
  return GINT_TO_POINTER (TRUE);
}

/* Tests ------------------------------------------------------------------ */

typedef struct
{
  guint   n;
  char   *what;
  gint64  vehicle_id;
  gboolean answered_first;
  Answer  *answer;
} Changes;

static void
on_changed_cb (ObdStoreService *service,
               const char      *what,
               gint64           vehicle_id,
               Changes         *changes)
{
  changes->n++;
  g_free (changes->what);
  changes->what = g_strdup (what);
  changes->vehicle_id = vehicle_id;
  changes->answered_first = changes->answer->done;
}

/* A write and a read, answered on the caller's thread, never inline; a
 * write tells ::changed before its caller hears back. */
static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(ObdStoreService) service = service_open (f->path, OBD_STORE_OPEN_DEFAULT);
  Answer write = { 0 }, read = { 0 };
  Changes changes = { 0, NULL, 0, FALSE, &write };
  g_autoptr(GPtrArray) vehicles = NULL;
  g_autofree gint64 *id = NULL;

  g_assert_cmpint (obd_store_service_get_state (service), ==, OBD_STORE_SERVICE_OPEN);
  g_assert_null (obd_store_service_get_error (service));
  g_assert_false (obd_store_service_get_read_only (service));
  g_signal_connect (service, "changed::vehicle", G_CALLBACK (on_changed_cb), &changes);

  obd_store_service_write_async (service, "vehicle", 0, ensure_vehicle_job, g_strdup (VIN),
                                 g_free, NULL, on_run_cb, &write);
  obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, NULL,
                               on_run_cb, &read);
  /* Queued, not run in the call. */
  g_assert_false (write.done);
  g_assert_false (read.done);
  WAIT_FOR (write.done && read.done, 10);

  g_assert_no_error (write.error);
  id = write.result;
  g_assert_cmpint (*id, >, 0);
  g_assert_true (write.thread == g_thread_self ());
  g_assert_cmpuint (changes.n, ==, 1);
  g_assert_cmpstr (changes.what, ==, "vehicle");
  g_assert_false (changes.answered_first);

  g_assert_no_error (read.error);
  vehicles = read.result;
  g_assert_cmpuint (vehicles->len, ==, 1);
  g_assert_cmpstr (((ObdStoreVehicle *) g_ptr_array_index (vehicles, 0))->vin, ==, VIN);

  g_signal_handlers_disconnect_by_data (service, &changes);
  g_free (changes.what);
  obd_store_service_close (service);
  g_assert_cmpint (obd_store_service_get_state (service), ==, OBD_STORE_SERVICE_CLOSED);
}

/* A query already running stops when its job is cancelled. */
static void
test_cancel_running (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ObdStoreService) service = service_open (f->path, OBD_STORE_OPEN_DEFAULT);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int started = FALSE;
  Answer answer = { 0 }, after = { 0 };

  obd_store_service_run_async (service, endless_query_job, &started, NULL, NULL,
                               G_PRIORITY_DEFAULT, cancellable, on_run_cb, &answer);
  WAIT_FOR (g_atomic_int_get (&started), 10);
  g_cancellable_cancel (cancellable);
  WAIT_FOR (answer.done, 10);
  g_assert_error (answer.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The thread is free again. */
  obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, NULL,
                               on_run_cb, &after);
  WAIT_FOR (after.done, 10);
  g_assert_no_error (after.error);
  g_ptr_array_unref (after.result);
  answer_clear (&answer);
}

/* What a person waits for goes first; equal priorities keep their order. */
static void
test_priority (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ObdStoreService) service = service_open (f->path, OBD_STORE_OPEN_DEFAULT);
  int gate = FALSE;
  GSList *order = NULL;
  Answer held = { 0 };
  Answer answers[4] = {
    { .order = &order, .tag = "low" },
    { .order = &order, .tag = "default-1" },
    { .order = &order, .tag = "high" },
    { .order = &order, .tag = "default-2" },
  };
  int priorities[4] = { G_PRIORITY_LOW, G_PRIORITY_DEFAULT, G_PRIORITY_HIGH,
                        G_PRIORITY_DEFAULT };
  const char *expected[] = { "high", "default-1", "default-2", "low" };

  obd_store_service_run_async (service, gate_job, &gate, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                               on_run_cb, &held);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                                 (GDestroyNotify) g_ptr_array_unref, priorities[i], NULL,
                                 on_run_cb, &answers[i]);
  g_atomic_int_set (&gate, TRUE);
  WAIT_FOR (g_slist_length (order) == G_N_ELEMENTS (answers), 10);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_slist_nth_data (order, i), ==, expected[i]);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    g_ptr_array_unref (answers[i].result);
  g_slist_free (order);
}

/* A file that is not ours: the service says why, and so does every job. */
static void
test_open_failure (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ObdStoreService) service = NULL;
  g_autoptr(GError) error = NULL;
  Answer answer = { 0 };

  g_file_set_contents (f->path, "This is a shopping list, not a database.\n", -1, &error);
  g_assert_no_error (error);
  service = service_open (f->path, OBD_STORE_OPEN_DEFAULT);

  g_assert_cmpint (obd_store_service_get_state (service), ==, OBD_STORE_SERVICE_FAILED);
  g_assert_error (obd_store_service_get_error (service), OBD_STORE_ERROR,
                  OBD_STORE_ERROR_NOT_A_DATABASE);
  obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, NULL,
                               on_run_cb, &answer);
  WAIT_FOR (answer.done, 10);
  g_assert_error (answer.error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_A_DATABASE);
  answer_clear (&answer);
}

/* Opened read-only: reads work, writes say why they cannot. */
static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ObdStoreService) service = NULL;
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Answer write = { 0 }, read = { 0 };

  store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  service = service_open (f->path, OBD_STORE_OPEN_READ_ONLY);
  g_assert_cmpint (obd_store_service_get_state (service), ==, OBD_STORE_SERVICE_OPEN);
  g_assert_true (obd_store_service_get_read_only (service));
  obd_store_service_write_async (service, "vehicle", 0, ensure_vehicle_job, g_strdup (VIN),
                                 g_free, NULL, on_run_cb, &write);
  obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, NULL,
                               on_run_cb, &read);
  WAIT_FOR (write.done && read.done, 10);
  g_assert_error (write.error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY);
  g_assert_no_error (read.error);
  g_ptr_array_unref (read.result);
  answer_clear (&write);
}

/* Closing keeps the writes already asked for. */
static void
test_close_keeps_writes (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(ObdStoreService) service = service_open (f->path, OBD_STORE_OPEN_DEFAULT);
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) vehicles = NULL;
  g_autoptr(GError) error = NULL;
  Answer read = { 0 }, write = { 0 }, late = { 0 };

  obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_LOW, NULL,
                               on_run_cb, &read);
  obd_store_service_write_async (service, "vehicle", 0, ensure_vehicle_job, g_strdup (VIN),
                                 g_free, NULL, on_run_cb, &write);
  obd_store_service_close (service);
  obd_store_service_run_async (service, list_vehicles_job, NULL, NULL,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, NULL,
                               on_run_cb, &late);
  WAIT_FOR (read.done && write.done && late.done, 10);

  g_assert_no_error (write.error);
  g_free (write.result);
  if (read.error != NULL)
    g_assert_error (read.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_ptr_array_unref (read.result);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  vehicles = obd_store_list_vehicles (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vehicles->len, ==, 1);
  answer_clear (&read);
  answer_clear (&late);
}

/* Recorder ----------------------------------------------------------------- */

typedef struct
{
  gboolean  done;
  gint64    id;
  gboolean  ok;
  GError   *error;
  GThread  *thread;
} RecorderAnswer;

static void
on_started_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  RecorderAnswer *answer = data;

  answer->id = obd_recorder_start_session_finish (OBD_RECORDER (source), result, &answer->error);
  answer->thread = g_thread_self ();
  answer->done = TRUE;
}

static void
on_stopped_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  RecorderAnswer *answer = data;

  answer->ok = obd_recorder_stop_session_finish (OBD_RECORDER (source), result, &answer->error);
  answer->thread = g_thread_self ();
  answer->done = TRUE;
}

static GArray *
make_batch (gint64 first,
            guint  n)
{
  GArray *batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample), n);

  for (guint i = 0; i < n; i++)
    {
      ObdSample sample = { .time_us = T0 + first + i, .ecu = 0x7E8, .service = 1,
                           .pid = 0x0C, .index = 0, .value = (double) (first + i) };

      g_array_append_val (batch, sample);
    }
  return batch;
}

/* Start and stop without waiting, answered on the caller's context; a
 * big batch goes in several transactions when their time is up. */
static void
test_recorder_async (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GArray) batch = make_batch (0, 6000);
  g_autoptr(ObdStoreSession) session = NULL;
  g_autoptr(GError) error = NULL;
  RecorderAnswer started = { 0 }, stopped = { 0 };
  gint64 committed = 0;

  store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  recorder = obd_recorder_new_for_path (f->path);
  obd_recorder_start_session_async (recorder, 0, "can11-500", "ELM327", "sim", NULL,
                                    on_started_cb, &started);
  g_assert_false (started.done);
  WAIT_FOR (started.done, 10);
  g_assert_no_error (started.error);
  g_assert_cmpint (started.id, >, 0);
  g_assert_true (started.thread == g_thread_self ());

  /* Every check point is past the budget: the 6000 rows take one
   * transaction per 256. */
  _obd_recorder_set_transaction_budget (recorder, 0);
  obd_recorder_push (recorder, batch);
  g_assert_true (obd_recorder_flush (recorder, &committed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (committed, ==, 6000);
  g_assert_cmpuint (_obd_recorder_get_n_transactions (recorder), ==, (6000 + 255) / 256);

  obd_recorder_stop_session_async (recorder, NULL, on_stopped_cb, &stopped);
  g_assert_false (stopped.done);
  WAIT_FOR (stopped.done, 10);
  g_assert_no_error (stopped.error);
  g_assert_true (stopped.ok);

  session = obd_store_get_session (store, started.id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session->sample_count, ==, 6000);
  g_assert_cmpint (session->status, ==, OBD_STORE_SESSION_COMPLETE);
  g_assert_nonnull (session->hash);
}

/* A file the recorder cannot use: the first start says why. */
static void
test_recorder_open_failure (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(ObdRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  RecorderAnswer started = { 0 };

  g_file_set_contents (f->path, "This is a shopping list, not a database.\n", -1, &error);
  g_assert_no_error (error);
  recorder = obd_recorder_new_for_path (f->path);
  obd_recorder_start_session_async (recorder, 0, NULL, NULL, NULL, NULL, on_started_cb,
                                    &started);
  WAIT_FOR (started.done, 10);
  g_assert_nonnull (started.error);
  g_assert_true (started.error->domain == OBD_STORE_ERROR);
  g_assert_cmpint (started.id, ==, 0);
  g_test_message ("start failed: %s", started.error->message);
  g_clear_error (&started.error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/store/service/run", test_run);
  ADD ("/store/service/cancel-running", test_cancel_running);
  ADD ("/store/service/priority", test_priority);
  ADD ("/store/service/open-failure", test_open_failure);
  ADD ("/store/service/read-only", test_read_only);
  ADD ("/store/service/close-keeps-writes", test_close_keeps_writes);
  ADD ("/store/recorder/async", test_recorder_async);
  ADD ("/store/recorder/open-failure", test_recorder_open_failure);

  return g_test_run ();
}
