/* obd-worker.c — one thread per connection: connect, poll, run jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GObject lives on the owner's thread.  What the worker thread touches
 * is in WorkerShared, reference-counted so that either side may go first;
 * the thread never holds a reference on the GObject (it would finalize on
 * the wrong thread).  Results reach the owner through sources attached to
 * its main context, which look the worker up through a GWeakRef.
 */
#define G_LOG_DOMAIN "obd-worker"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-worker.h"

/* Consecutive failures after which polling gives up. */
#define MAX_PROTOCOL_FAILURES 10
#define MAX_RECONNECTS        3
#define RATE_WINDOW_US        (3 * G_USEC_PER_SEC)

/* A sample's identity for thinning the queue: ECU, PID and field (on
 * 32-bit machines 29-bit ECU addresses may share a key, which only makes
 * the thinning less even). */
#define SAMPLE_KEY(s) GSIZE_TO_POINTER (((gsize) (s)->ecu << 16) | ((gsize) (s)->pid << 8) | \
                                        (s)->index)

typedef struct
{
  guint8 pid;
  guint  priority;
  double pass;      /* stride scheduling: lowest pass is due next */
} PollEntry;

typedef struct
{
  gint64  time_us;
  guint64 n_requests;
  guint64 n_values;
} RatePoint;

typedef struct _WorkerShared WorkerShared;

/* Worker-thread only. */
typedef struct
{
  WorkerShared   *shared;
  ObdAdapter     *adapter;
  GArray         *samples;
  guint           protocol_failures;
  GSource        *source;
} PollState;

struct _WorkerShared
{
  gatomicrefcount  ref_count;

  char            *connection;
  ObdStrategy      strategy;
  ObdProtocol      protocol;
  gint             auto_reconnect;  /* atomic */

  GMainContext    *owner_context;
  GMainContext    *context;        /* the worker's */
  GMainLoop       *loop;
  GCancellable    *cancellable;
  GWeakRef         owner;          /* the ObdWorker */

  GMutex           lock;           /* protects what follows */
  GArray          *pending;        /* of ObdSample, at most OBD_WORKER_MAX_PENDING */
  gboolean         flush_scheduled;
  GArray          *poll;           /* of PollEntry */
  GError          *stop_error;
  gboolean         stopped;
  char            *version;        /* the worker's; the owner reads its own copy */
  ObdProtocol      found_protocol;
  GArray          *supported;      /* of guint8 */
  ObdLinkStats     stats;          /* adapter figures plus the worker's own */
  RatePoint        rate_old;
  RatePoint        rate_new;

  PollState       *ps;             /* worker thread only; NULL unless connected */
};

struct _ObdWorker
{
  GObject       parent_instance;
  WorkerShared *shared;
  GThread      *thread;
  ObdWorkerState state;       /* as last reported to the owner */
  gboolean      stop_emitted;
  /* Connection facts as of the last CONNECTED state, the owner's own
   * copies: the worker replaces its own on every reconnect. */
  char         *version;
  ObdProtocol   protocol;
};

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_SAMPLES,
  SIGNAL_STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ObdWorker, obd_worker, G_TYPE_OBJECT)

static WorkerShared *
shared_ref (WorkerShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (WorkerShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  g_free (shared->connection);
  g_clear_pointer (&shared->owner_context, g_main_context_unref);
  g_clear_pointer (&shared->context, g_main_context_unref);
  g_clear_pointer (&shared->loop, g_main_loop_unref);
  g_clear_object (&shared->cancellable);
  g_weak_ref_clear (&shared->owner);
  g_mutex_clear (&shared->lock);
  g_clear_pointer (&shared->pending, g_array_unref);
  g_clear_pointer (&shared->poll, g_array_unref);
  g_clear_error (&shared->stop_error);
  g_free (shared->version);
  g_clear_pointer (&shared->supported, g_array_unref);
  g_free (shared);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WorkerShared, shared_unref)

/* ---- delivery to the owner ---------------------------------------------- */

static void
owner_flush (ObdWorker *self)
{
  WorkerShared *shared = self->shared;
  g_autoptr(GArray) batch = NULL;

  g_mutex_lock (&shared->lock);
  shared->flush_scheduled = FALSE;
  if (shared->pending->len > 0)
    {
      batch = g_steal_pointer (&shared->pending);
      shared->pending = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample), batch->len);
    }
  g_mutex_unlock (&shared->lock);

  if (batch != NULL)
    g_signal_emit (self, signals[SIGNAL_SAMPLES], 0, batch);
}

static gboolean
owner_flush_cb (gpointer data)
{
  WorkerShared *shared = data;
  g_autoptr(ObdWorker) self = g_weak_ref_get (&shared->owner);

  if (self != NULL)
    owner_flush (self);

  return G_SOURCE_REMOVE;
}

/* Called on the worker thread: at most one flush is pending at a time, and
 * it fires OBD_WORKER_BATCH_MS after the first sample of the batch, so the
 * owner wakes at most ~20 times a second however fast samples come. */
/* The queue is full: thins its older half, dropping every other sample of
 * each (ECU, PID, field) there (the second, the fourth...), so what the
 * owner gets still spans the whole time it fell behind, from its first
 * sample, at a lower rate, and the newest values are never lost.  Should
 * that free too little (a half of nearly all different PIDs), the oldest
 * quarter goes.  Called with the lock held. */
static void
thin_pending (WorkerShared *shared)
{
  GArray *q = shared->pending;
  g_autoptr(GHashTable) parity = g_hash_table_new (NULL, NULL);
  guint half = q->len / 2;
  guint out = 0;
  guint dropped;

  for (guint i = 0; i < q->len; i++)
    {
      ObdSample *s = &g_array_index (q, ObdSample, i);

      if (i < half)
        {
          gpointer key = SAMPLE_KEY (s);
          gboolean drop = GPOINTER_TO_UINT (g_hash_table_lookup (parity, key)) == 1;

          g_hash_table_insert (parity, key, GUINT_TO_POINTER (drop ? 2 : 1));
          if (drop)
            continue;
        }
      if (out != i)
        g_array_index (q, ObdSample, out) = *s;
      out++;
    }

  dropped = q->len - out;
  g_array_set_size (q, out);
  if (dropped < half / 4)
    {
      guint cut = MIN (half / 2, q->len);

      g_array_remove_range (q, 0, cut);
      dropped += cut;
    }

  shared->stats.n_dropped_samples += dropped;
  g_info ("The owner falls behind: dropped %u of the oldest samples waiting for it.", dropped);
}

static void
push_samples (WorkerShared *shared,
              const GArray *samples)
{
  gboolean schedule = FALSE;

  if (samples->len == 0)
    return;

  g_mutex_lock (&shared->lock);
  while (shared->pending->len + samples->len > OBD_WORKER_MAX_PENDING &&
         shared->pending->len > 0)
    thin_pending (shared);
  {
    /* (a batch larger than the whole queue keeps its newest samples) */
    guint take = MIN (samples->len, OBD_WORKER_MAX_PENDING);

    g_array_append_vals (shared->pending,
                         &g_array_index (samples, ObdSample, samples->len - take), take);
    shared->stats.n_dropped_samples += samples->len - take;
  }
  if (!shared->flush_scheduled)
    schedule = shared->flush_scheduled = TRUE;
  g_mutex_unlock (&shared->lock);

  if (schedule)
    {
      g_autoptr(GSource) source = g_timeout_source_new (OBD_WORKER_BATCH_MS);

      g_source_set_name (source, "[obd-worker] flush samples");
      g_source_set_callback (source, owner_flush_cb, shared_ref (shared),
                             (GDestroyNotify) shared_unref);
      g_source_attach (source, shared->owner_context);
    }
}

/* Queues func on the owner's context, always as a source.  Not
 * g_main_context_invoke(): it runs the function at once when the caller
 * can acquire the context, and at the end of the worker thread (its own
 * context popped) that would run owner code, and possibly the last unref
 * of the worker, on the worker thread. */
static void
invoke_on_owner (WorkerShared   *shared,
                 GSourceFunc     func,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[obd-worker] owner callback");
  g_source_set_callback (source, func, data, destroy);
  g_source_attach (source, shared->owner_context);
}

/* Queues func on the worker's context, as a source like every delivery
 * between threads: never run inline on the caller's. */
static void
invoke_on_worker (WorkerShared   *shared,
                  gint            priority,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  g_source_set_name (source, "[obd-worker] request");
  g_source_set_callback (source, func, data, destroy);
  g_source_attach (source, shared->context);
}

typedef struct
{
  WorkerShared   *shared;
  ObdWorkerState  state;
  char           *version;    /* CONNECTED: the facts as of now */
  ObdProtocol     protocol;
} StateChange;

static void
state_change_free (StateChange *change)
{
  shared_unref (change->shared);
  g_free (change->version);
  g_free (change);
}

/* Owner thread: the state each change carries, in order, so that a
 * handler sees CONNECTING then CONNECTED even if both are dispatched in
 * one iteration. */
static gboolean
owner_state_cb (gpointer data)
{
  StateChange *change = data;
  g_autoptr(ObdWorker) self = g_weak_ref_get (&change->shared->owner);

  if (self != NULL && !self->stop_emitted)
    {
      self->state = change->state;
      if (change->state == OBD_WORKER_STATE_CONNECTED)
        {
          g_free (self->version);
          self->version = g_steal_pointer (&change->version);
          self->protocol = change->protocol;
        }
      g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
    }

  return G_SOURCE_REMOVE;
}

static void
set_state (WorkerShared   *shared,
           ObdWorkerState  state)
{
  StateChange *change = g_new0 (StateChange, 1);

  change->shared = shared_ref (shared);
  change->state = state;
  if (state == OBD_WORKER_STATE_CONNECTED)
    {
      g_mutex_lock (&shared->lock);
      change->version = g_strdup (shared->version);
      change->protocol = shared->found_protocol;
      g_mutex_unlock (&shared->lock);
    }
  invoke_on_owner (shared, owner_state_cb, change, (GDestroyNotify) state_change_free);
}

static void emit_stopped (ObdWorker *self);

static gboolean
owner_stopped_cb (gpointer data)
{
  WorkerShared *shared = data;
  g_autoptr(ObdWorker) self = g_weak_ref_get (&shared->owner);

  if (self != NULL)
    emit_stopped (self);

  return G_SOURCE_REMOVE;
}

/* ---- worker thread ------------------------------------------------------ */

static void
update_rate (WorkerShared *shared,
             ObdAdapter   *adapter)
{
  gint64 now = g_get_monotonic_time ();

  ObdLinkStats stats;

  obd_adapter_get_link_stats (adapter, &stats);

  g_mutex_lock (&shared->lock);
  /* The worker's own figures stay; the adapter's are its totals. */
  stats.n_dropped_samples = shared->stats.n_dropped_samples;
  stats.n_reconnects = shared->stats.n_reconnects;
  shared->stats = stats;
  if (now - shared->rate_new.time_us > RATE_WINDOW_US / 2)
    {
      shared->rate_old = shared->rate_new;
      shared->rate_new.time_us = now;
      shared->rate_new.n_requests = stats.n_requests;
      shared->rate_new.n_values = stats.n_values;
    }
  g_mutex_unlock (&shared->lock);
}

/* Picks the PIDs due now: the ones with the lowest pass, as many as one
 * request can carry.  Each read PID advances by 1/priority, so a PID of
 * priority 10 is read ten times as often as one of priority 1. */
static gsize
pick_due (WorkerShared *shared,
          guint8       *out,
          gsize         max)
{
  gsize n = 0;

  g_mutex_lock (&shared->lock);
  while (n < max && n < shared->poll->len)
    {
      PollEntry *best = NULL;

      for (guint i = 0; i < shared->poll->len; i++)
        {
          PollEntry *e = &g_array_index (shared->poll, PollEntry, i);
          gboolean taken = FALSE;

          for (gsize j = 0; j < n; j++)
            taken |= out[j] == e->pid;
          if (!taken && (best == NULL || e->pass < best->pass))
            best = e;
        }

      if (best == NULL)
        break;
      out[n++] = best->pid;
      best->pass += 1.0 / MAX (best->priority, 1);
    }
  g_mutex_unlock (&shared->lock);

  return n;
}

static gboolean
wait_cancellable (WorkerShared *shared,
                  guint         ms)
{
  GPollFD pfd;

  if (!g_cancellable_make_pollfd (shared->cancellable, &pfd))
    return FALSE;
  g_poll (&pfd, 1, (int) ms);
  g_cancellable_release_fd (shared->cancellable);

  return g_cancellable_is_cancelled (shared->cancellable);
}

static void
note_connected (WorkerShared *shared,
                ObdAdapter   *adapter)
{
  g_autoptr(GArray) supported = g_array_new (FALSE, FALSE, sizeof (guint8));

  for (guint p = 1; p < 256; p++)
    {
      guint8 pid = p;

      if ((pid & 0x1F) != 0 && obd_adapter_is_pid_supported (adapter, pid))
        g_array_append_val (supported, pid);
    }

  g_mutex_lock (&shared->lock);
  g_free (shared->version);
  shared->version = g_strdup (obd_adapter_get_version (adapter));
  shared->found_protocol = obd_adapter_get_protocol (adapter);
  g_clear_pointer (&shared->supported, g_array_unref);
  shared->supported = g_steal_pointer (&supported);
  g_mutex_unlock (&shared->lock);
}

static gboolean
try_reconnect (WorkerShared  *shared,
               ObdAdapter    *adapter,
               GError       **error)
{
  g_autoptr(GError) last_error = NULL;

  if (!g_atomic_int_get (&shared->auto_reconnect))
    return FALSE;

  set_state (shared, OBD_WORKER_STATE_RECONNECTING);

  for (guint attempt = 0; attempt < MAX_RECONNECTS; attempt++)
    {
      g_clear_error (&last_error);

      /* Back off a little more each time: a Bluetooth link that dropped
       * needs a moment before it accepts a new connection. */
      if (wait_cancellable (shared, 300 * (1 << attempt)))
        break;

      if (obd_adapter_reconnect (adapter, shared->cancellable, &last_error))
        {
          g_mutex_lock (&shared->lock);
          shared->stats.n_reconnects++;
          g_mutex_unlock (&shared->lock);
          note_connected (shared, adapter);
          set_state (shared, OBD_WORKER_STATE_CONNECTED);
          return TRUE;
        }
      g_debug ("reconnect %u failed: %s", attempt + 1, last_error->message);
    }

  if (last_error != NULL && error != NULL && *error == NULL)
    g_propagate_error (error, g_steal_pointer (&last_error));
  return FALSE;
}

static void
stop_with_error (WorkerShared *shared,
                 GError       *error)
{
  g_mutex_lock (&shared->lock);
  if (shared->stop_error == NULL && error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    shared->stop_error = g_error_copy (error);
  g_mutex_unlock (&shared->lock);

  g_main_loop_quit (shared->loop);
}

static gboolean
poll_cb (gpointer data)
{
  PollState *ps = data;
  WorkerShared *shared = ps->shared;
  g_autoptr(GError) error = NULL;
  guint8 pids[6];
  gsize max;
  gsize n;

  g_assert (g_main_context_is_owner (shared->context));

  if (g_cancellable_is_cancelled (shared->cancellable))
    {
      g_main_loop_quit (shared->loop);
      return G_SOURCE_REMOVE;
    }

  max = obd_adapter_get_strategy (ps->adapter) == OBD_STRATEGY_FAST &&
        obd_adapter_get_multi_pid (ps->adapter) &&
        obd_protocol_is_can (obd_adapter_get_protocol (ps->adapter)) ? 6 : 1;

  n = pick_due (shared, pids, max);
  if (n == 0)
    {
      /* Nothing to poll: idle until obd_worker_set_pids() wakes us. */
      g_clear_pointer (&ps->source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  g_array_set_size (ps->samples, 0);
  if (obd_adapter_read_pids (ps->adapter, pids, n, ps->samples, shared->cancellable, &error))
    {
      ps->protocol_failures = 0;
      push_samples (shared, ps->samples);
      update_rate (shared, ps->adapter);
      return G_SOURCE_CONTINUE;
    }

  /* Samples read before the failure are kept. */
  push_samples (shared, ps->samples);
  update_rate (shared, ps->adapter);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_main_loop_quit (shared->loop);
      return G_SOURCE_REMOVE;
    }

  if (error->domain == OBD_PROTOCOL_ERROR)
    {
      if (++ps->protocol_failures < MAX_PROTOCOL_FAILURES)
        {
          g_debug ("poll: %s", error->message);
          return G_SOURCE_CONTINUE;
        }
      g_prefix_error (&error, _("The vehicle stopped answering: "));
      stop_with_error (shared, error);
      g_clear_pointer (&ps->source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  /* A transport failure: the cable, the Bluetooth link or the adapter. */
  g_info ("Link to the adapter lost: %s", error->message);
  if (try_reconnect (shared, ps->adapter, &error))
    return G_SOURCE_CONTINUE;

  stop_with_error (shared, error);
  g_clear_pointer (&ps->source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Worker thread: (re)starts polling if it is idle.  Polls run at idle
 * priority so that jobs (read codes, clear...) queued at default priority
 * go between two polls. */
static gboolean
wake_poll_cb (gpointer data)
{
  WorkerShared *shared = data;
  PollState *ps = shared->ps;

  g_assert (g_main_context_is_owner (shared->context));

  if (ps == NULL || ps->source != NULL)
    return G_SOURCE_REMOVE;

  ps->source = g_idle_source_new ();
  g_source_set_priority (ps->source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_name (ps->source, "[obd-worker] poll");
  g_source_set_callback (ps->source, poll_cb, ps, NULL);
  g_source_attach (ps->source, shared->context);

  return G_SOURCE_REMOVE;
}

typedef struct
{
  WorkerShared     *shared;
  ObdWorkerJobFunc  func;
  gpointer          data;
  GDestroyNotify    data_destroy;
  GDestroyNotify    result_destroy;
} Job;

static void
job_free (Job *job)
{
  if (job->data_destroy != NULL)
    job->data_destroy (job->data);
  shared_unref (job->shared);
  g_free (job);
}

static gboolean
job_cb (gpointer data)
{
  GTask *task = data;
  Job *job = g_task_get_task_data (task);
  WorkerShared *shared = job->shared;
  GError *error = NULL;
  gpointer result;

  g_assert (g_main_context_is_owner (shared->context));

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  if (shared->ps == NULL || g_cancellable_is_cancelled (shared->cancellable))
    {
      g_task_return_new_error (task, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                               _("Not connected to a vehicle. Connect first."));
      return G_SOURCE_REMOVE;
    }

  result = job->func (shared->ps->adapter, job->data, g_task_get_cancellable (task), &error);
  update_rate (shared, shared->ps->adapter);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, job->result_destroy);

  return G_SOURCE_REMOVE;
}

static gpointer
worker_thread (gpointer data)
{
  g_autoptr(WorkerShared) shared = data;
  g_autoptr(ObdTransport) transport = NULL;
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(GError) error = NULL;
  PollState ps = { 0 };

  /* Owned from the first to the last moment, so that nothing queued for
   * the worker can ever run on another thread. */
  if (!g_main_context_acquire (shared->context))
    g_assert_not_reached ();
  g_main_context_push_thread_default (shared->context);

  set_state (shared, OBD_WORKER_STATE_CONNECTING);

  transport = obd_transport_new_for_string (shared->connection, &error);
  if (transport != NULL)
    {
      adapter = obd_adapter_new (transport);
      obd_adapter_set_strategy (adapter, shared->strategy);
      if (!obd_adapter_connect (adapter, shared->protocol, shared->cancellable, &error))
        g_clear_object (&adapter);
    }

  if (adapter != NULL)
    {
      note_connected (shared, adapter);
      update_rate (shared, adapter);
      set_state (shared, OBD_WORKER_STATE_CONNECTED);

      ps.shared = shared;
      ps.adapter = adapter;
      ps.samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
      shared->ps = &ps;
      wake_poll_cb (shared);

      if (!g_cancellable_is_cancelled (shared->cancellable))
        g_main_loop_run (shared->loop);

      if (ps.source != NULL)
        {
          g_source_destroy (ps.source);
          g_clear_pointer (&ps.source, g_source_unref);
        }
      shared->ps = NULL;
      g_clear_pointer (&ps.samples, g_array_unref);
      obd_adapter_disconnect (adapter);
    }
  else
    {
      stop_with_error (shared, error);
    }

  /* From here on obd_worker_run_async() refuses new jobs (it checks
   * stopped under the lock it queues with), so one drain completes every
   * job's task. */
  g_mutex_lock (&shared->lock);
  shared->stopped = TRUE;
  g_mutex_unlock (&shared->lock);

  while (g_main_context_iteration (shared->context, FALSE))
    ;

  g_main_context_pop_thread_default (shared->context);
  g_main_context_release (shared->context);

  invoke_on_owner (shared, owner_stopped_cb, shared_ref (shared),
                   (GDestroyNotify) shared_unref);
  return NULL;
}

/* ---- owner side --------------------------------------------------------- */

static void
emit_stopped (ObdWorker *self)
{
  g_autoptr(GError) error = NULL;

  if (self->stop_emitted)
    return;

  g_mutex_lock (&self->shared->lock);
  if (!self->shared->stopped)
    {
      g_mutex_unlock (&self->shared->lock);
      return;
    }
  if (self->shared->stop_error != NULL)
    error = g_error_copy (self->shared->stop_error);
  g_mutex_unlock (&self->shared->lock);

  /* Samples first: the caller records them before it reports the error. */
  owner_flush (self);

  self->stop_emitted = TRUE;
  self->state = OBD_WORKER_STATE_STOPPED;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0, error);
}

static void
obd_worker_dispose (GObject *object)
{
  ObdWorker *self = OBD_WORKER (object);

  if (self->thread != NULL)
    {
      g_cancellable_cancel (self->shared->cancellable);
      g_main_loop_quit (self->shared->loop);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  G_OBJECT_CLASS (obd_worker_parent_class)->dispose (object);
}

static void
obd_worker_finalize (GObject *object)
{
  ObdWorker *self = OBD_WORKER (object);

  g_clear_pointer (&self->shared, shared_unref);
  g_free (self->version);

  G_OBJECT_CLASS (obd_worker_parent_class)->finalize (object);
}

static void
obd_worker_class_init (ObdWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_worker_dispose;
  object_class->finalize = obd_worker_finalize;

  /**
   * ObdWorker::state-changed:
   *
   * The connection state changed; read it with obd_worker_get_state().
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * ObdWorker::samples:
   * @samples: (element-type ObdSample): a batch of readings, oldest first
   */
  signals[SIGNAL_SAMPLES] =
    g_signal_new ("samples", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * ObdWorker::stopped:
   * @error: (nullable): why it stopped; %NULL when asked to
   */
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
obd_worker_init (ObdWorker *self)
{
  WorkerShared *shared = g_new0 (WorkerShared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  g_mutex_init (&shared->lock);
  g_weak_ref_init (&shared->owner, self);
  shared->context = g_main_context_new ();
  shared->loop = g_main_loop_new (shared->context, FALSE);
  shared->cancellable = g_cancellable_new ();
  shared->pending = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  shared->poll = g_array_new (FALSE, FALSE, sizeof (PollEntry));
  shared->auto_reconnect = TRUE;

  self->shared = shared;
}

ObdWorker *
obd_worker_new (const char  *connection,
                ObdStrategy  strategy,
                ObdProtocol  protocol)
{
  ObdWorker *self;

  g_return_val_if_fail (connection != NULL, NULL);

  self = g_object_new (OBD_TYPE_WORKER, NULL);
  self->shared->connection = g_strdup (connection);
  self->shared->strategy = strategy;
  self->shared->protocol = protocol;

  return self;
}

const char *
obd_worker_get_connection (ObdWorker *self)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), NULL);

  return self->shared->connection;
}

ObdWorkerState
obd_worker_get_state (ObdWorker *self)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), OBD_WORKER_STATE_IDLE);

  return self->state;
}

void
obd_worker_set_auto_reconnect (ObdWorker *self,
                               gboolean   auto_reconnect)
{
  g_return_if_fail (OBD_IS_WORKER (self));

  g_atomic_int_set (&self->shared->auto_reconnect, !!auto_reconnect);
}

void
obd_worker_start (ObdWorker *self)
{
  g_return_if_fail (OBD_IS_WORKER (self));
  g_return_if_fail (self->thread == NULL);
  g_return_if_fail (self->shared->owner_context == NULL);

  self->shared->owner_context = g_main_context_ref_thread_default ();
  self->thread = g_thread_new ("obd-worker", worker_thread, shared_ref (self->shared));
}

void
obd_worker_stop (ObdWorker *self)
{
  g_return_if_fail (OBD_IS_WORKER (self));

  if (self->thread == NULL)
    return;

  g_cancellable_cancel (self->shared->cancellable);
  g_main_loop_quit (self->shared->loop);
  g_thread_join (g_steal_pointer (&self->thread));

  emit_stopped (self);
}

void
obd_worker_set_pids (ObdWorker    *self,
                     const guint8 *pids,
                     const guint  *priorities,
                     gsize         n_pids)
{
  WorkerShared *shared;

  g_return_if_fail (OBD_IS_WORKER (self));
  g_return_if_fail (pids != NULL || n_pids == 0);

  shared = self->shared;

  g_mutex_lock (&shared->lock);
  g_array_set_size (shared->poll, 0);
  for (gsize i = 0; i < n_pids; i++)
    {
      PollEntry entry = {
        .pid = pids[i],
        .priority = priorities != NULL ? CLAMP (priorities[i], 1, 10) : 1,
        .pass = 0,
      };

      g_array_append_val (shared->poll, entry);
    }
  /* A worker that has ended iterates its context no more: a source left
   * there would keep the shared state, and so itself, alive for ever.
   * (Before the start, the new list is simply there when polling begins.) */
  if (self->thread != NULL && !shared->stopped)
    invoke_on_worker (shared, G_PRIORITY_DEFAULT, wake_poll_cb, shared_ref (shared),
                      (GDestroyNotify) shared_unref);
  g_mutex_unlock (&shared->lock);
}

void
obd_worker_run_async (ObdWorker           *self,
                      ObdWorkerJobFunc     func,
                      gpointer             data,
                      GDestroyNotify       data_destroy,
                      GDestroyNotify       result_destroy,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (OBD_IS_WORKER (self));
  g_return_if_fail (func != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, obd_worker_run_async);

  job = g_new0 (Job, 1);
  job->shared = shared_ref (self->shared);
  job->func = func;
  job->data = data;
  job->data_destroy = data_destroy;
  job->result_destroy = result_destroy;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  g_mutex_lock (&self->shared->lock);
  if (self->thread != NULL && !self->shared->stopped)
    {
      invoke_on_worker (self->shared, G_PRIORITY_DEFAULT, job_cb, g_steal_pointer (&task),
                        g_object_unref);
      g_mutex_unlock (&self->shared->lock);
      return;
    }
  g_mutex_unlock (&self->shared->lock);

  g_task_return_new_error (task, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                           _("Not connected to a vehicle. Connect first."));
}

gpointer
obd_worker_run_finish (ObdWorker     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
obd_worker_get_adapter_version (ObdWorker *self)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), NULL);

  return self->version;
}

ObdProtocol
obd_worker_get_protocol (ObdWorker *self)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), OBD_PROTOCOL_AUTO);

  return self->protocol;
}

GArray *
obd_worker_dup_supported_pids (ObdWorker *self)
{
  GArray *copy;

  g_return_val_if_fail (OBD_IS_WORKER (self), NULL);

  g_mutex_lock (&self->shared->lock);
  copy = g_array_new (FALSE, FALSE, sizeof (guint8));
  if (self->shared->supported != NULL)
    g_array_append_vals (copy, self->shared->supported->data, self->shared->supported->len);
  g_mutex_unlock (&self->shared->lock);

  return copy;
}

static double
rate (WorkerShared *shared,
      gboolean      values)
{
  double seconds;
  double delta;
  gboolean valid;

  g_mutex_lock (&shared->lock);
  seconds = (shared->rate_new.time_us - shared->rate_old.time_us) / (double) G_USEC_PER_SEC;
  delta = values ? (double) (shared->rate_new.n_values - shared->rate_old.n_values)
                 : (double) (shared->rate_new.n_requests - shared->rate_old.n_requests);
  valid = shared->rate_old.time_us > 0;
  g_mutex_unlock (&shared->lock);

  return seconds > 0 && valid ? delta / seconds : 0;
}

double
obd_worker_get_requests_per_second (ObdWorker *self)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), 0);

  return rate (self->shared, FALSE);
}

double
obd_worker_get_values_per_second (ObdWorker *self)
{
  g_return_val_if_fail (OBD_IS_WORKER (self), 0);

  return rate (self->shared, TRUE);
}

guint64
obd_worker_get_n_requests (ObdWorker *self)
{
  ObdLinkStats stats;

  g_return_val_if_fail (OBD_IS_WORKER (self), 0);

  obd_worker_get_link_stats (self, &stats);
  return stats.n_requests;
}

guint64
obd_worker_get_n_values (ObdWorker *self)
{
  ObdLinkStats stats;

  g_return_val_if_fail (OBD_IS_WORKER (self), 0);

  obd_worker_get_link_stats (self, &stats);
  return stats.n_values;
}

void
obd_worker_get_link_stats (ObdWorker    *self,
                           ObdLinkStats *out_stats)
{
  g_return_if_fail (OBD_IS_WORKER (self));
  g_return_if_fail (out_stats != NULL);

  g_mutex_lock (&self->shared->lock);
  *out_stats = self->shared->stats;
  g_mutex_unlock (&self->shared->lock);
}
