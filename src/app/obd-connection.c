/* obd-connection.c — the link to the adapter, on the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-session"
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-connection.h"
#include "obd-diagnosis.h"
#include "obd-error.h"
#include "obd-sim-transport.h"
#include "obd-worker.h"

struct _ObdConnection
{
  GObject          parent_instance;

  ObdWorker       *worker;
  ObdStrategy      strategy;
  ObdSessionState  state;
  char            *connection;
  char            *status_text;
  GError          *error;
  char            *adapter_version;
  char            *protocol_name;
  double           link_rate;
  guint            rate_source;
  ObdLinkStats     last_stats;      /* of the last worker, once it stopped */
};

G_DEFINE_FINAL_TYPE (ObdConnection, obd_connection, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_CONNECTION,
  PROP_STATUS_TEXT,
  PROP_ERROR,
  PROP_ADAPTER_VERSION,
  PROP_PROTOCOL_NAME,
  PROP_LINK_RATE,
  PROP_STRATEGY,
  N_PROPS
};

enum
{
  SIGNAL_SAMPLES,
  SIGNAL_CONNECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_string (ObdConnection  *self,
            char          **field,
            const char     *value,
            guint           prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_state (ObdConnection   *self,
           ObdSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (ObdConnection *self,
           const GError  *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_link_rate (ObdConnection *self,
               double         rate)
{
  if (self->link_rate == rate)
    return;
  self->link_rate = rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_RATE]);
}

/* The rate moves with every batch; a second is often enough to say it. */
static gboolean
update_rate_cb (gpointer data)
{
  ObdConnection *self = data;
  double rate = self->worker != NULL ? obd_worker_get_values_per_second (self->worker) : 0;

  if (fabs (rate - self->link_rate) >= 0.5)
    set_link_rate (self, rate);
  return G_SOURCE_CONTINUE;
}

static void
on_worker_samples_cb (ObdConnection *self,
                      GArray        *samples)
{
  g_signal_emit (self, signals[SIGNAL_SAMPLES], 0, samples);
}

static void
on_worker_state_changed_cb (ObdConnection *self,
                            ObdWorker     *worker)
{
  switch (obd_worker_get_state (worker))
    {
    case OBD_WORKER_STATE_CONNECTING:
      set_string (self, &self->status_text,
                  _("Connecting to the adapter and searching for the vehicle’s protocol…"),
                  PROP_STATUS_TEXT);
      set_state (self, OBD_SESSION_STATE_CONNECTING);
      break;

    case OBD_WORKER_STATE_CONNECTED:
      {
        gboolean first = self->state == OBD_SESSION_STATE_CONNECTING;

        set_string (self, &self->adapter_version, obd_worker_get_adapter_version (worker),
                    PROP_ADAPTER_VERSION);
        set_string (self, &self->protocol_name,
                    obd_protocol_get_name (obd_worker_get_protocol (worker)),
                    PROP_PROTOCOL_NAME);
        set_string (self, &self->status_text, _("Connected"), PROP_STATUS_TEXT);
        set_state (self, OBD_SESSION_STATE_CONNECTED);
        if (self->rate_source == 0)
          self->rate_source = g_timeout_add_seconds (1, update_rate_cb, self);
        if (first)
          g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
      }
      break;

    case OBD_WORKER_STATE_RECONNECTING:
      set_string (self, &self->status_text,
                  _("The link to the adapter dropped. Reconnecting…"), PROP_STATUS_TEXT);
      set_state (self, OBD_SESSION_STATE_RECONNECTING);
      break;

    case OBD_WORKER_STATE_IDLE:
    case OBD_WORKER_STATE_STOPPED:
    default:
      break;
    }
}

static void
teardown (ObdConnection *self,
          const GError  *error)
{
  g_clear_handle_id (&self->rate_source, g_source_remove);
  set_link_rate (self, 0);
  set_error (self, error);
  set_string (self, &self->status_text,
              error != NULL ? error->message : _("Not connected"), PROP_STATUS_TEXT);
  set_state (self, OBD_SESSION_STATE_DISCONNECTED);
}

static void
on_worker_stopped_cb (ObdConnection *self,
                      const GError  *error,
                      ObdWorker     *worker)
{
  if (worker != self->worker)
    return;

  obd_worker_get_link_stats (worker, &self->last_stats);
  g_signal_handlers_disconnect_by_data (worker, self);
  g_clear_object (&self->worker);
  teardown (self, error);
}

void
obd_connection_connect (ObdConnection *self,
                        const char    *connection)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));
  g_return_if_fail (connection != NULL);

  obd_connection_disconnect (self);

  set_error (self, NULL);
  set_string (self, &self->connection, connection, PROP_CONNECTION);
  set_string (self, &self->adapter_version, NULL, PROP_ADAPTER_VERSION);
  set_string (self, &self->protocol_name, NULL, PROP_PROTOCOL_NAME);
  memset (&self->last_stats, 0, sizeof self->last_stats);

  self->worker = obd_worker_new (connection, self->strategy, OBD_PROTOCOL_AUTO);
  g_signal_connect_object (self->worker, "state-changed",
                           G_CALLBACK (on_worker_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->worker, "samples", G_CALLBACK (on_worker_samples_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->worker, "stopped", G_CALLBACK (on_worker_stopped_cb), self,
                           G_CONNECT_SWAPPED);

  set_string (self, &self->status_text, _("Connecting to the adapter…"), PROP_STATUS_TEXT);
  set_state (self, OBD_SESSION_STATE_CONNECTING);
  obd_worker_start (self->worker);
}

void
obd_connection_disconnect (ObdConnection *self)
{
  g_autoptr(ObdWorker) worker = NULL;

  g_return_if_fail (OBD_IS_CONNECTION (self));

  if (self->worker == NULL)
    return;

  /* Stop delivers the samples still pending (forwarded, so they are
   * recorded) and then ::stopped, which we no longer listen to: a
   * disconnect asked for is not an error. */
  worker = g_steal_pointer (&self->worker);
  g_signal_handlers_disconnect_matched (worker, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_signal_connect_object (worker, "samples", G_CALLBACK (on_worker_samples_cb), self,
                           G_CONNECT_SWAPPED);
  obd_worker_stop (worker);
  g_signal_handlers_disconnect_matched (worker, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  obd_worker_get_link_stats (worker, &self->last_stats);

  teardown (self, NULL);
}

/* Worker jobs ------------------------------------------------------------- */

static gpointer
read_snapshot_job (ObdAdapter    *adapter,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return obd_snapshot_read (adapter, GPOINTER_TO_UINT (data), cancellable, error);
}

static gpointer
clear_codes_job (ObdAdapter    *adapter,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  /* The clear and what the car reports after it, Mode 06 included: the
   * test results from before the clear must not keep counting. */
  return obd_diagnosis_clear_codes (adapter, NULL, cancellable, error);
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  ObdSnapshot *snapshot = obd_worker_run_finish (OBD_WORKER (source), result, &error);

  if (snapshot == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, snapshot, (GDestroyNotify) obd_snapshot_free);
}

static void
run_job (ObdConnection       *self,
         ObdWorkerJobFunc     func,
         gpointer             data,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, obd_connection_read_async);
  if (self->worker == NULL || self->state != OBD_SESSION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                               _("Not connected to a vehicle. Connect first."));
      return;
    }
  obd_worker_run_async (self->worker, func, data, NULL, (GDestroyNotify) obd_snapshot_free,
                        cancellable, on_job_done_cb, g_steal_pointer (&task));
}

void
obd_connection_read_async (ObdConnection       *self,
                           ObdSnapshotParts     parts,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));

  run_job (self, read_snapshot_job, GUINT_TO_POINTER (parts), cancellable, callback, user_data);
}

void
obd_connection_clear_codes_async (ObdConnection       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));

  run_job (self, clear_codes_job, NULL, cancellable, callback, user_data);
}

static gpointer
sim_pedal_job (ObdAdapter    *adapter,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  ObdTransport *transport = obd_adapter_get_transport (adapter);

  if (OBD_IS_SIM_TRANSPORT (transport))
    obd_sim_transport_hold_rpm (OBD_SIM_TRANSPORT (transport), *(const double *) data);
  return GINT_TO_POINTER (TRUE);
}

void
obd_connection_hold_sim_rpm (ObdConnection *self,
                             double         rpm)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));
  g_return_if_fail (isfinite (rpm) && rpm >= 0);

  /* Nobody waits for it: a link that is gone has no pedal to hold. */
  if (self->worker != NULL)
    obd_worker_run_async (self->worker, sim_pedal_job, g_memdup2 (&rpm, sizeof rpm), g_free,
                          NULL, NULL, NULL, NULL);
}

ObdSnapshot *
obd_connection_read_finish (ObdConnection  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Accessors ---------------------------------------------------------------- */

ObdSessionState
obd_connection_get_state (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), OBD_SESSION_STATE_DISCONNECTED);
  return self->state;
}

const char *
obd_connection_get_connection (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), NULL);
  return self->connection;
}

const char *
obd_connection_get_status_text (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), NULL);
  return self->status_text;
}

const GError *
obd_connection_get_error (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), NULL);
  return self->error;
}

const char *
obd_connection_get_adapter_version (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), NULL);
  return self->adapter_version;
}

const char *
obd_connection_get_protocol_name (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), NULL);
  return self->protocol_name;
}

double
obd_connection_get_link_rate (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), 0);
  return self->link_rate;
}

void
obd_connection_get_link_stats (ObdConnection *self,
                               ObdLinkStats  *out_stats)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));
  g_return_if_fail (out_stats != NULL);

  if (self->worker != NULL)
    obd_worker_get_link_stats (self->worker, out_stats);
  else
    *out_stats = self->last_stats;
}

/* Frames from modules nobody asked are normal bus traffic; what says the
 * link is poor is a reply out of step with its request (a clone adapter,
 * a noisy Bluetooth link) and the resynchronisations it costs. */
char *
obd_connection_describe_link_stats (const ObdLinkStats  *stats,
                                    char               **out_summary,
                                    const char         **out_style_class)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint64 out_of_step;
  const char *summary, *style_class;

  g_return_val_if_fail (stats != NULL, NULL);

  out_of_step = stats->n_discarded_replies;
  if (stats->n_requests == 0)
    summary = C_("link quality", "No replies yet"), style_class = NULL;
  else if (out_of_step == 0 && stats->n_resyncs <= 1 && stats->n_reconnects == 0)
    summary = C_("link quality", "Good"), style_class = "success";
  else if (out_of_step * 20 <= stats->n_requests && stats->n_reconnects == 0)
    summary = C_("link quality", "Fair"), style_class = "warning";
  else
    summary = C_("link quality", "Poor"), style_class = "error";
  if (out_summary != NULL)
    *out_summary = g_strdup (summary);
  if (out_style_class != NULL)
    *out_style_class = style_class;

  if (stats->n_requests == 0)
    {
      g_string_append (text, _("The adapter has not answered a request yet."));
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  /* Translators: first sentence of the link details: requests answered,
   * then values read */
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                             "%'" PRIu64 " request answered",
                                             "%'" PRIu64 " requests answered",
                                             stats->n_requests),
                          stats->n_requests);
  g_string_append (text, ", ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                             "%'" PRIu64 " value read.",
                                             "%'" PRIu64 " values read.",
                                             stats->n_values),
                          stats->n_values);

  if (out_of_step == 0)
    g_string_append_printf (text, " %s", _("Every reply matched its request."));
  else
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%'" PRIu64 " reply came out of step "
                                                 "and was dropped, not read.",
                                                 "%'" PRIu64 " replies came out of "
                                                 "step and were dropped, not read.",
                                                 out_of_step),
                              out_of_step);
    }
  if (stats->n_resyncs > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "The link was brought back in step "
                                                 "%'" PRIu64 " time.",
                                                 "The link was brought back in step "
                                                 "%'" PRIu64 " times.",
                                                 stats->n_resyncs),
                              stats->n_resyncs);
    }
  if (stats->n_discarded_frames > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%'" PRIu64 " message nobody asked "
                                                 "for was ignored.",
                                                 "%'" PRIu64 " messages nobody asked "
                                                 "for were ignored.",
                                                 stats->n_discarded_frames),
                              stats->n_discarded_frames);
    }
  if (stats->n_reconnects > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "The link dropped and came back "
                                                 "%'" PRIu64 " time.",
                                                 "The link dropped and came back "
                                                 "%'" PRIu64 " times.",
                                                 stats->n_reconnects),
                              stats->n_reconnects);
    }
  if (stats->n_dropped_samples > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "The window fell behind and "
                                                 "%'" PRIu64 " older value was "
                                                 "thinned out.",
                                                 "The window fell behind and "
                                                 "%'" PRIu64 " older values were "
                                                 "thinned out.",
                                                 stats->n_dropped_samples),
                              stats->n_dropped_samples);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

ObdStrategy
obd_connection_get_strategy (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), OBD_STRATEGY_FAST);
  return self->strategy;
}

void
obd_connection_set_strategy (ObdConnection *self,
                             ObdStrategy    strategy)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));

  if (self->strategy == strategy)
    return;
  self->strategy = strategy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRATEGY]);
}

GArray *
obd_connection_dup_supported_pids (ObdConnection *self)
{
  g_return_val_if_fail (OBD_IS_CONNECTION (self), NULL);

  if (self->worker == NULL || self->state == OBD_SESSION_STATE_CONNECTING)
    return g_array_new (FALSE, FALSE, sizeof (guint8));
  return obd_worker_dup_supported_pids (self->worker);
}

void
obd_connection_set_watched_pids (ObdConnection *self,
                                 const guint8  *pids,
                                 const guint   *priorities,
                                 gsize          n_pids)
{
  g_return_if_fail (OBD_IS_CONNECTION (self));

  if (self->worker != NULL)
    obd_worker_set_pids (self->worker, pids, priorities, n_pids);
}

/* GObject ------------------------------------------------------------------ */

static void
obd_connection_dispose (GObject *object)
{
  obd_connection_disconnect (OBD_CONNECTION (object));

  G_OBJECT_CLASS (obd_connection_parent_class)->dispose (object);
}

static void
obd_connection_finalize (GObject *object)
{
  ObdConnection *self = OBD_CONNECTION (object);

  g_free (self->connection);
  g_free (self->status_text);
  g_clear_error (&self->error);
  g_free (self->adapter_version);
  g_free (self->protocol_name);

  G_OBJECT_CLASS (obd_connection_parent_class)->finalize (object);
}

static void
obd_connection_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdConnection *self = OBD_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_CONNECTION:
      g_value_set_string (value, self->connection);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_ADAPTER_VERSION:
      g_value_set_string (value, self->adapter_version);
      break;
    case PROP_PROTOCOL_NAME:
      g_value_set_string (value, self->protocol_name);
      break;
    case PROP_LINK_RATE:
      g_value_set_double (value, self->link_rate);
      break;
    case PROP_STRATEGY:
      g_value_set_int (value, self->strategy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_connection_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_STRATEGY:
      obd_connection_set_strategy (OBD_CONNECTION (object), g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_connection_class_init (ObdConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = obd_connection_dispose;
  object_class->finalize = obd_connection_finalize;
  object_class->get_property = obd_connection_get_property;
  object_class->set_property = obd_connection_set_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, OBD_SESSION_STATE_DISCONNECTED,
                      OBD_SESSION_STATE_RECONNECTING, OBD_SESSION_STATE_DISCONNECTED, ro);
  properties[PROP_CONNECTION] = g_param_spec_string ("connection", NULL, NULL, NULL, ro);
  properties[PROP_STATUS_TEXT] = g_param_spec_string ("status-text", NULL, NULL, NULL, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_ADAPTER_VERSION] =
    g_param_spec_string ("adapter-version", NULL, NULL, NULL, ro);
  properties[PROP_PROTOCOL_NAME] = g_param_spec_string ("protocol-name", NULL, NULL, NULL, ro);
  properties[PROP_LINK_RATE] =
    g_param_spec_double ("link-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_STRATEGY] =
    g_param_spec_int ("strategy", NULL, NULL, OBD_STRATEGY_FAST, OBD_STRATEGY_NAIVE,
                      OBD_STRATEGY_FAST,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAMPLES] =
    g_signal_new ("samples", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
obd_connection_init (ObdConnection *self)
{
  self->status_text = g_strdup (_("Not connected"));
}

ObdConnection *
obd_connection_new (void)
{
  return g_object_new (OBD_TYPE_CONNECTION, NULL);
}
