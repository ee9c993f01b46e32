/* obd-store-service.c — the store on its own thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One thread, one connection, one queue (epiphany's history service is
 * the model).  A request carries the job, its input, the caller's GTask
 * and the context to answer on.  The thread never touches the GTask's
 * reference count or frees a request's input: the answer is a source
 * attached to the caller's context, which returns the task and frees the
 * request there, so nothing of the caller's is ever finalized on the
 * store's thread.
 */
#define G_LOG_DOMAIN "obd-store"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-store-private.h"
#include "obd-store-service.h"

/* SQLite calls the progress handler every this many virtual machine
 * steps: often enough that a cancelled chain check stops within a
 * millisecond, rarely enough to cost nothing. */
#define PROGRESS_STEPS 4096

typedef struct
{
  ObdStoreJobFunc  func;          /* NULL: the thread's last request */
  gpointer         data;
  GDestroyNotify   data_destroy;
  GDestroyNotify   result_destroy;
  GTask           *task;          /* owner's side only */
  GCancellable    *cancellable;
  GMainContext    *context;       /* where the task completes */
  int              priority;
  guint64          seq;
  char            *what;          /* a write: what it changes */
  gint64           vehicle_id;
  gpointer         result;
  GError          *error;
} Request;

struct _ObdStoreService
{
  GObject               parent_instance;

  char                 *path;
  ObdStoreOpenFlags     flags;
  GMainContext         *owner;
  GThread              *thread;
  GAsyncQueue          *queue;
  guint64               next_seq;
  int                   closing;      /* atomic */

  /* The owner's view, updated by sources on the owner's context. */
  ObdStoreServiceState  state;
  GError               *error;
  gboolean              read_only;
  GPtrArray            *open_waiters; /* GTask */
};

G_DEFINE_FINAL_TYPE (ObdStoreService, obd_store_service, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_STATE,
  PROP_ERROR,
  PROP_READ_ONLY,
  N_PROPS
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Requests --------------------------------------------------------------- */

/* On the owner's context (or wherever the delivery source is destroyed). */
static void
request_free (gpointer data)
{
  Request *request = data;

  if (request->result != NULL && request->result_destroy != NULL)
    request->result_destroy (request->result);
  if (request->data_destroy != NULL)
    request->data_destroy (request->data);
  g_clear_error (&request->error);
  g_clear_object (&request->task);
  g_clear_object (&request->cancellable);
  g_clear_pointer (&request->context, g_main_context_unref);
  g_free (request->what);
  g_free (request);
}

static int
compare_requests (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const Request *x = a, *y = b;

  if (x->priority != y->priority)
    return x->priority < y->priority ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static gboolean
complete_cb (gpointer data)
{
  Request *request = data;
  ObdStoreService *self = g_task_get_source_object (request->task);

  if (request->error != NULL)
    {
      g_task_return_error (request->task, g_steal_pointer (&request->error));
      return G_SOURCE_REMOVE;
    }

  /* Views reload on ::changed; the caller learns of its own write after
   * them, so that it sees the same state they do. */
  if (request->what != NULL)
    g_signal_emit (self, signals[SIGNAL_CHANGED], g_quark_from_string (request->what),
                   request->what, request->vehicle_id);
  g_task_return_pointer (request->task, g_steal_pointer (&request->result),
                         request->result_destroy);
  return G_SOURCE_REMOVE;
}

/* From the thread: answer on the caller's context. */
static void
deliver (Request *request)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[obd] store result");
  g_source_set_callback (source, complete_cb, request, request_free);
  g_source_attach (source, request->context);
  g_source_unref (source);
}

/* The thread ------------------------------------------------------------- */

static int
progress_cb (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static void
run_request (ObdStoreService *self,
             ObdStore        *store,
             const GError    *open_error,
             Request         *request)
{
  sqlite3 *db;
  gboolean watch;

  if (g_cancellable_set_error_if_cancelled (request->cancellable, &request->error))
    return;
  /* Closing: what is only read is no longer wanted; writes are kept. */
  if (request->what == NULL && g_atomic_int_get (&self->closing))
    {
      g_set_error_literal (&request->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The local history was closed."));
      return;
    }
  if (store == NULL)
    {
      request->error = g_error_copy (open_error);
      return;
    }

  /* Reads stop where they are when cancelled; a write, once begun, is
   * finished so that nothing half-done is rolled back unasked. */
  db = _obd_store_get_db (store);
  watch = request->cancellable != NULL && request->what == NULL;
  if (watch)
    sqlite3_progress_handler (db, PROGRESS_STEPS, progress_cb, request->cancellable);
  request->result = request->func (store, request->data, request->cancellable, &request->error);
  if (watch)
    sqlite3_progress_handler (db, 0, NULL, NULL);

  if (request->result == NULL && request->error == NULL)
    {
      g_critical ("A store job returned nothing and no error");
      g_set_error_literal (&request->error, OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                           _("The local history could not answer."));
    }
  if (request->error != NULL && g_cancellable_is_cancelled (request->cancellable))
    {
      g_clear_error (&request->error);
      g_cancellable_set_error_if_cancelled (request->cancellable, &request->error);
    }
}

typedef struct
{
  GWeakRef  service;
  gboolean  ok;
  gboolean  read_only;
  GError   *error;
} OpenReport;

static void
open_report_free (gpointer data)
{
  OpenReport *report = data;

  g_weak_ref_clear (&report->service);
  g_clear_error (&report->error);
  g_free (report);
}

static void
set_state (ObdStoreService      *self,
           ObdStoreServiceState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
complete_waiters (ObdStoreService *self)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->open_waiters);

  self->open_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (self->error != NULL)
        g_task_return_error (task, g_error_copy (self->error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static gboolean
open_done_cb (gpointer data)
{
  OpenReport *report = data;
  g_autoptr(ObdStoreService) self = g_weak_ref_get (&report->service);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_object_freeze_notify (G_OBJECT (self));
  if (report->error != NULL)
    {
      self->error = g_steal_pointer (&report->error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (report->read_only != self->read_only)
    {
      self->read_only = report->read_only;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_ONLY]);
    }
  if (self->state == OBD_STORE_SERVICE_OPENING)
    set_state (self, report->ok ? OBD_STORE_SERVICE_OPEN : OBD_STORE_SERVICE_FAILED);
  g_object_thaw_notify (G_OBJECT (self));

  complete_waiters (self);
  return G_SOURCE_REMOVE;
}

static ObdStore *
open_store (ObdStoreService  *self,
            GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ObdStore *store = obd_store_open (self->path, self->flags, &local_error);

  /* A history that cannot be written is still worth reading: the fleet
   * and the sessions recorded before stay visible, and the views say why
   * nothing new is saved. */
  if (store == NULL && !(self->flags & OBD_STORE_OPEN_READ_ONLY) &&
      g_error_matches (local_error, OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY))
    {
      g_debug ("“%s” cannot be written, opening it read-only: %s", self->path,
               local_error->message);
      store = obd_store_open (self->path, self->flags | OBD_STORE_OPEN_READ_ONLY, NULL);
    }
  if (store == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return store;
}

static gpointer
service_thread (gpointer data)
{
  ObdStoreService *self = data;   /* joined before it is finalized */
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) open_error = NULL;
  OpenReport *report = g_new0 (OpenReport, 1);
  GSource *source;

  store = open_store (self, &open_error);
  g_weak_ref_init (&report->service, self);
  report->ok = store != NULL;
  report->read_only = store != NULL && obd_store_is_read_only (store);
  report->error = open_error != NULL ? g_error_copy (open_error) : NULL;
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[obd] store opened");
  g_source_set_callback (source, open_done_cb, report, open_report_free);
  g_source_attach (source, self->owner);
  g_source_unref (source);

  for (;;)
    {
      Request *request = g_async_queue_pop (self->queue);

      if (request->func == NULL)
        {
          g_free (request);
          break;
        }
      run_request (self, store, open_error, request);
      deliver (request);
    }

  return NULL;
}

/* Owner's side ------------------------------------------------------------ */

static void
queue_request (ObdStoreService     *self,
               const char          *what,
               gint64               vehicle_id,
               ObdStoreJobFunc      func,
               gpointer             data,
               GDestroyNotify       data_destroy,
               GDestroyNotify       result_destroy,
               int                  io_priority,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  Request *request = g_new0 (Request, 1);

  request->func = func;
  request->data = data;
  request->data_destroy = data_destroy;
  request->result_destroy = result_destroy;
  request->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (request->task, source_tag);
  request->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  request->context = g_main_context_ref_thread_default ();
  request->priority = io_priority;
  request->seq = self->next_seq++;
  request->what = g_strdup (what);
  request->vehicle_id = vehicle_id;

  if (self->thread == NULL)
    {
      if (self->error != NULL)
        request->error = g_error_copy (self->error);
      else
        g_set_error_literal (&request->error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                             _("The local history was closed."));
      deliver (request);
      return;
    }
  g_async_queue_push_sorted (self->queue, request, compare_requests, NULL);
}

void
obd_store_service_run_async (ObdStoreService     *self,
                             ObdStoreJobFunc      func,
                             gpointer             data,
                             GDestroyNotify       data_destroy,
                             GDestroyNotify       result_destroy,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (OBD_IS_STORE_SERVICE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  queue_request (self, NULL, 0, func, data, data_destroy, result_destroy, io_priority,
                 cancellable, callback, user_data, obd_store_service_run_async);
}

void
obd_store_service_write_async (ObdStoreService     *self,
                               const char          *what,
                               gint64               vehicle_id,
                               ObdStoreJobFunc      func,
                               gpointer             data,
                               GDestroyNotify       data_destroy,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (OBD_IS_STORE_SERVICE (self));
  g_return_if_fail (what != NULL);
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  queue_request (self, what, vehicle_id, func, data, data_destroy, NULL, G_PRIORITY_HIGH,
                 cancellable, callback, user_data, obd_store_service_run_async);
}

gpointer
obd_store_service_run_finish (ObdStoreService  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == obd_store_service_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
obd_store_service_open_async (ObdStoreService     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OBD_IS_STORE_SERVICE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_store_service_open_async);
  if (self->state == OBD_STORE_SERVICE_OPENING)
    g_ptr_array_add (self->open_waiters, g_steal_pointer (&task));
  else if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else if (self->state == OBD_STORE_SERVICE_CLOSED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                             _("The local history was closed."));
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
obd_store_service_open_finish (ObdStoreService  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
obd_store_service_emit_changed (ObdStoreService *self,
                                const char      *what,
                                gint64           vehicle_id)
{
  g_return_if_fail (OBD_IS_STORE_SERVICE (self));
  g_return_if_fail (what != NULL);

  g_signal_emit (self, signals[SIGNAL_CHANGED], g_quark_from_string (what), what, vehicle_id);
}

void
obd_store_service_close (ObdStoreService *self)
{
  Request *last;

  g_return_if_fail (OBD_IS_STORE_SERVICE (self));

  if (self->thread == NULL)
    return;

  g_atomic_int_set (&self->closing, TRUE);
  last = g_new0 (Request, 1);
  last->priority = G_MAXINT;
  last->seq = self->next_seq++;
  g_async_queue_push_sorted (self->queue, last, compare_requests, NULL);
  g_thread_join (g_steal_pointer (&self->thread));

  if (self->state == OBD_STORE_SERVICE_OPENING)
    {
      /* Closed before the open result arrived: nobody waits for it any
       * more. */
      g_set_error_literal (&self->error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           _("The local history was closed."));
      complete_waiters (self);
    }
  set_state (self, OBD_STORE_SERVICE_CLOSED);
}

const char *
obd_store_service_get_path (ObdStoreService *self)
{
  g_return_val_if_fail (OBD_IS_STORE_SERVICE (self), NULL);

  return self->path;
}

ObdStoreServiceState
obd_store_service_get_state (ObdStoreService *self)
{
  g_return_val_if_fail (OBD_IS_STORE_SERVICE (self), OBD_STORE_SERVICE_FAILED);

  return self->state;
}

const GError *
obd_store_service_get_error (ObdStoreService *self)
{
  g_return_val_if_fail (OBD_IS_STORE_SERVICE (self), NULL);

  return self->error;
}

gboolean
obd_store_service_get_read_only (ObdStoreService *self)
{
  g_return_val_if_fail (OBD_IS_STORE_SERVICE (self), FALSE);

  return self->read_only;
}

/* GObject ----------------------------------------------------------------- */

static void
obd_store_service_dispose (GObject *object)
{
  ObdStoreService *self = OBD_STORE_SERVICE (object);

  obd_store_service_close (self);

  G_OBJECT_CLASS (obd_store_service_parent_class)->dispose (object);
}

static void
obd_store_service_finalize (GObject *object)
{
  ObdStoreService *self = OBD_STORE_SERVICE (object);

  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->owner, g_main_context_unref);
  g_clear_pointer (&self->open_waiters, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_free (self->path);

  G_OBJECT_CLASS (obd_store_service_parent_class)->finalize (object);
}

static void
obd_store_service_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ObdStoreService *self = OBD_STORE_SERVICE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_store_service_class_init (ObdStoreServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_store_service_dispose;
  object_class->finalize = obd_store_service_finalize;
  object_class->get_property = obd_store_service_get_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, OBD_STORE_SERVICE_OPENING, OBD_STORE_SERVICE_CLOSED,
                      OBD_STORE_SERVICE_OPENING, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ObdStoreService::changed:
   * @what: what a write changed: "vehicle", "session", "dtc", …
   * @vehicle_id: the vehicle concerned, 0 for none or several
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_INT64);
}

static void
obd_store_service_init (ObdStoreService *self)
{
  self->queue = g_async_queue_new ();
  self->open_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

ObdStoreService *
obd_store_service_new (const char        *path,
                       ObdStoreOpenFlags  flags)
{
  ObdStoreService *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (OBD_TYPE_STORE_SERVICE, NULL);
  self->path = g_strdup (path);
  self->flags = flags;
  self->owner = g_main_context_ref_thread_default ();
  self->thread = g_thread_try_new ("obd-store", service_thread, self, &error);
  if (self->thread == NULL)
    {
      /* No thread, no store: say so the way a failed open would. */
      self->error = g_error_new (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                 _("Could not start the local history: %s"), error->message);
      self->state = OBD_STORE_SERVICE_FAILED;
    }
  return self;
}
