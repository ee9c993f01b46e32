/* obd-sim-transport.c — the simulated adapter and vehicle as a transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-sim"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-sim-transport.h"

struct _ObdSimTransport
{
  ObdTransport  parent_instance;

  GMutex        lock;
  GCond         cond;
  ObdSimConfig *config;
  ObdSimElm    *elm;
  double        scale;
  gint64        real_base_us;   /* monotonic time of virtual time 0 (scale > 0) */
  gint64        virtual_us;     /* the clock itself when scale == 0 */
  gboolean      closed;
};

G_DEFINE_FINAL_TYPE (ObdSimTransport, obd_sim_transport, OBD_TYPE_TRANSPORT)

/* Called with the lock held. */
static gint64
virtual_now (ObdSimTransport *self)
{
  if (self->scale > 0.0)
    {
      gint64 v = (gint64) ((double) (g_get_monotonic_time () - self->real_base_us) / self->scale);

      /* Never backwards, even across a change of scale. */
      self->virtual_us = MAX (self->virtual_us, v);
    }
  return self->virtual_us;
}

static gint64
real_for_virtual (ObdSimTransport *self,
                  gint64           v)
{
  if (v == OBD_SIM_NEVER)
    return G_MAXINT64;
  return self->real_base_us + (gint64) ((double) v * self->scale);
}

static void
set_disconnected_error (GError **error)
{
  g_set_error_literal (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                       _("The simulated adapter dropped the connection. Connect again."));
}

static gboolean
obd_sim_transport_open (ObdTransport  *transport,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ObdSimTransport *self = OBD_SIM_TRANSPORT (transport);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gint64 now = virtual_now (self);

  /* Opening again after a dropped link is plugging the adapter back in:
   * it starts from its defaults; the vehicle keeps its state. */
  if (obd_sim_elm_is_disconnected (self->elm, now))
    obd_sim_elm_reconnect (self->elm, now);
  self->closed = FALSE;
  return TRUE;
}

static gboolean
obd_sim_transport_write (ObdTransport  *transport,
                         const guint8  *buf,
                         gsize          len,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ObdSimTransport *self = OBD_SIM_TRANSPORT (transport);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gint64 now = virtual_now (self);

  if (obd_sim_elm_is_disconnected (self->elm, now))
    {
      set_disconnected_error (error);
      return FALSE;
    }
  obd_sim_elm_write (self->elm, buf, len, now);
  g_cond_broadcast (&self->cond);
  return TRUE;
}

static void
on_cancelled (GCancellable    *cancellable,
              ObdSimTransport *self)
{
  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gssize
read_locked (ObdSimTransport  *self,
             guint8           *buf,
             gsize             len,
             guint             timeout_ms,
             GCancellable     *cancellable,
             GError          **error)
{
  gint64 deadline_real = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gint64 deadline_virtual = self->virtual_us + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 now = virtual_now (self);
      gint64 next;
      gsize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;
      if (self->closed)
        {
          set_disconnected_error (error);
          return -1;
        }

      n = obd_sim_elm_read (self->elm, buf, len, now);
      if (n > 0)
        return n;
      if (obd_sim_elm_is_disconnected (self->elm, now))
        {
          set_disconnected_error (error);
          return -1;
        }

      next = obd_sim_elm_get_next_event (self->elm);
      if (self->scale <= 0.0)
        {
          /* No waiting: the virtual clock jumps to the next event, but a
           * read still times out in virtual time, so stalls and timeouts
           * behave as they would in real time. */
          if (next > deadline_virtual)
            {
              self->virtual_us = MAX (self->virtual_us, deadline_virtual);
              return 0;
            }
          self->virtual_us = MAX (self->virtual_us, next);
          continue;
        }

      if (g_get_monotonic_time () >= deadline_real)
        return 0;
      g_cond_wait_until (&self->cond, &self->lock,
                         MIN (deadline_real, real_for_virtual (self, next)));
    }
}

static gssize
obd_sim_transport_read (ObdTransport  *transport,
                        guint8        *buf,
                        gsize          len,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  ObdSimTransport *self = OBD_SIM_TRANSPORT (transport);
  gulong handler = 0;
  gssize n;

  /* Connect before taking the lock: the callback runs at once (and takes
   * the lock) when the cancellable is already cancelled. */
  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL);

  g_mutex_lock (&self->lock);
  n = read_locked (self, buf, len, timeout_ms, cancellable, error);
  g_mutex_unlock (&self->lock);

  if (cancellable)
    g_cancellable_disconnect (cancellable, handler);
  return n;
}

static void
obd_sim_transport_close (ObdTransport *transport)
{
  ObdSimTransport *self = OBD_SIM_TRANSPORT (transport);

  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
obd_sim_transport_finalize (GObject *object)
{
  ObdSimTransport *self = OBD_SIM_TRANSPORT (object);

  g_clear_pointer (&self->elm, obd_sim_elm_free);
  g_clear_pointer (&self->config, obd_sim_config_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (obd_sim_transport_parent_class)->finalize (object);
}

static void
obd_sim_transport_class_init (ObdSimTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ObdTransportClass *transport_class = OBD_TRANSPORT_CLASS (klass);

  object_class->finalize = obd_sim_transport_finalize;
  transport_class->open = obd_sim_transport_open;
  transport_class->write = obd_sim_transport_write;
  transport_class->read = obd_sim_transport_read;
  transport_class->close = obd_sim_transport_close;
}

static void
obd_sim_transport_init (ObdSimTransport *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->closed = TRUE;
}

ObdTransport *
obd_sim_transport_new_for_config (const ObdSimConfig *config,
                                  GError            **error)
{
  g_autoptr(ObdSimTransport) self = NULL;
  ObdSimElm *elm;

  g_return_val_if_fail (config != NULL, NULL);

  elm = obd_sim_elm_new (config, error);
  if (!elm)
    return NULL;

  self = g_object_new (OBD_TYPE_SIM_TRANSPORT, NULL);
  self->config = obd_sim_config_copy (config);
  self->elm = elm;
  self->scale = config->timing_scale;
  self->real_base_us = g_get_monotonic_time ();
  return OBD_TRANSPORT (g_steal_pointer (&self));
}

ObdTransport *
obd_sim_transport_new (const char  *options,
                       GError     **error)
{
  g_autoptr(ObdSimConfig) config = obd_sim_config_parse (options, error);

  if (!config)
    return NULL;
  return obd_sim_transport_new_for_config (config, error);
}

static ObdTransport *
sim_factory (const char  *address,
             GError     **error)
{
  return obd_sim_transport_new (address, error);
}

void
obd_sim_register (void)
{
  obd_transport_register_scheme ("sim", sim_factory);
}

double
obd_sim_transport_get_timing_scale (ObdSimTransport *self)
{
  g_return_val_if_fail (OBD_IS_SIM_TRANSPORT (self), 1.0);
  return self->scale;
}

const char *
obd_sim_transport_get_scenario (ObdSimTransport *self)
{
  g_return_val_if_fail (OBD_IS_SIM_TRANSPORT (self), NULL);
  return obd_sim_vehicle_get_scenario (obd_sim_elm_get_vehicle (self->elm));
}

gint64
obd_sim_transport_get_virtual_time_us (ObdSimTransport *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (OBD_IS_SIM_TRANSPORT (self), 0);
  locker = g_mutex_locker_new (&self->lock);
  return virtual_now (self);
}

void
obd_sim_transport_set_faults (ObdSimTransport    *self,
                              const ObdSimFaults *faults)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (OBD_IS_SIM_TRANSPORT (self));
  locker = g_mutex_locker_new (&self->lock);
  obd_sim_elm_set_faults (self->elm, faults);
  g_cond_broadcast (&self->cond);
}

void
obd_sim_transport_set_ignition (ObdSimTransport *self,
                                gboolean         on)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (OBD_IS_SIM_TRANSPORT (self));
  locker = g_mutex_locker_new (&self->lock);
  obd_sim_vehicle_set_ignition (obd_sim_elm_get_vehicle (self->elm), on);
}

void
obd_sim_transport_hold_rpm (ObdSimTransport *self,
                            double           rpm)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ObdSimVehicle *vehicle;

  g_return_if_fail (OBD_IS_SIM_TRANSPORT (self));
  locker = g_mutex_locker_new (&self->lock);
  vehicle = obd_sim_elm_get_vehicle (self->elm);
  /* From now on the virtual clock, so the engine starts moving now. */
  obd_sim_vehicle_set_time (vehicle, virtual_now (self));
  obd_sim_vehicle_hold_rpm (vehicle, rpm);
}

gint64
obd_sim_transport_estimate_request_us (ObdSimTransport *self,
                                       const char      *request)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (OBD_IS_SIM_TRANSPORT (self), 0);
  locker = g_mutex_locker_new (&self->lock);
  return obd_sim_elm_estimate_request_us (self->elm, request);
}
