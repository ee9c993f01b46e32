/* obd-live-share.c — a mechanic's live session, shared through the sync server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Readings are not sent as they come (up to twenty batches a second):
 * the latest value of every reading seen goes out on a tick, at most two
 * a second and never more than a fortieth of the rate the server allows
 * this connection, which leaves the rest of the bucket to pushes and
 * pings.  A tick with nothing new sends only every five seconds, so a
 * watcher can tell a quiet engine from a lost link.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-app-util.h"
#include "obd-guide-library.h"
#include "obd-live-share.h"
#include "obd-pid.h"
#include "obd-remote-vehicle.h"
#include "obd-store-guide.h"
#include "obd-store-sync.h"

#define MIN_INTERVAL_MS   500
#define KEEPALIVE_US      (5 * G_USEC_PER_SEC)
/* The protocol allows 256 readings; two are the health. */
#define MAX_READINGS      254

struct _ObdLiveShare
{
  GObject          parent_instance;

  ObdStoreService *store;
  ObdSyncClient   *client;
  ObdSession      *session;
  GSignalGroup    *client_signals;
  GSignalGroup    *session_signals;
  GSignalGroup    *store_signals;

  gboolean         wanted;
  gboolean         required;
  gboolean         sharing;
  char            *status;

  /* The session's vehicle as the server knows it. */
  gint64           vehicle_local_id;
  char            *vehicle_uuid;
  gboolean         vehicle_synced;
  gboolean         resolving;
  guint            generation;      /* bumps when the vehicle changes */
  GCancellable    *cancellable;

  /* What is sent. */
  GArray          *readings;        /* guint16: pid << 8 | index, in the order seen */
  gboolean         fresh;           /* samples since the last vehicle_status */
  gint64           last_sent_us;    /* monotonic */
  guint            tick_source;
  char            *codes_sent;
  char            *guide_sent;
  gboolean         maintenance_sent;
};

G_DEFINE_FINAL_TYPE (ObdLiveShare, obd_live_share, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SHARING,
  PROP_STATUS,
  PROP_VEHICLE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update (ObdLiveShare *self);

static gboolean
client_connected (ObdSyncClient *client)
{
  ObdSyncState state = client != NULL ? obd_sync_client_get_state (client)
                                      : OBD_SYNC_STATE_DISABLED;

  return state == OBD_SYNC_STATE_SYNCING || state == OBD_SYNC_STATE_SYNCED;
}

static gboolean
session_connected (ObdSession *session)
{
  return session != NULL && obd_session_get_state (session) == OBD_SESSION_STATE_CONNECTED;
}

static gboolean
send_event (ObdLiveShare       *self,
            ObdSyncMessageType  type,
            JsonObject         *payload)
{
  json_object_set_string_member (payload, "vehicleId", self->vehicle_uuid);
  return obd_sync_client_send_event (self->client, type, payload);
}

/* Readings ----------------------------------------------------------------- */

static void
on_samples_cb (ObdLiveShare *self,
               GArray       *samples)
{
  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);
      guint16 packed = (guint16) (sample->pid << 8 | sample->index);
      gboolean known = FALSE;

      if (sample->service != 0x01)
        continue;
      for (guint j = 0; j < self->readings->len && !known; j++)
        known = g_array_index (self->readings, guint16, j) == packed;
      if (!known && self->readings->len < MAX_READINGS
          && obd_pid_get_value_info (sample->pid, sample->index) != NULL)
        g_array_append_val (self->readings, packed);
    }
  if (samples->len > 0)
    self->fresh = TRUE;
}

static void
send_status (ObdLiveShare *self)
{
  JsonObject *payload = json_object_new ();
  JsonObject *values = json_object_new ();
  const ObdHealthReport *health = obd_session_get_health (self->session);

  for (guint i = 0; i < self->readings->len; i++)
    {
      guint16 packed = g_array_index (self->readings, guint16, i);
      const ObdValue *info = obd_pid_get_value_info (packed >> 8, packed & 0xFF);
      double value = obd_session_get_latest (self->session, packed >> 8, packed & 0xFF, NULL);
      JsonObject *reading;

      if (info == NULL || info->key == NULL || !isfinite (value))
        continue;
      reading = json_object_new ();
      json_object_set_double_member (reading, "value", value);
      json_object_set_string_member (reading, "unit",
                                     obd_unit_get_name (info->unit, OBD_UNIT_SYSTEM_SI));
      json_object_set_object_member (values, info->key, reading);
    }
  if (health != NULL)
    {
      JsonObject *score = json_object_new ();
      JsonObject *status = json_object_new ();

      json_object_set_double_member (score, "value", obd_health_score_round (
                                       health->vehicle_score));
      json_object_set_double_member (status, "value", health->status);
      json_object_set_object_member (values, OBD_REMOTE_KEY_HEALTH_SCORE, score);
      json_object_set_object_member (values, OBD_REMOTE_KEY_HEALTH_STATUS, status);
    }
  json_object_set_int_member (payload, "sampledAt", g_get_real_time ());
  json_object_set_object_member (payload, "values", values);
  if (send_event (self, OBD_SYNC_MSG_VEHICLE_STATUS, payload))
    {
      self->fresh = FALSE;
      self->last_sent_us = g_get_monotonic_time ();
    }
}

guint
obd_live_share_get_interval (ObdLiveShare *self)
{
  double rate;

  g_return_val_if_fail (OBD_IS_LIVE_SHARE (self), MIN_INTERVAL_MS);

  rate = self->client != NULL ? obd_sync_client_get_rate_limit (self->client) : 0;
  if (rate <= 0)
    return MIN_INTERVAL_MS;
  /* A fortieth of the server's rate: 5/s at the default 200/s, capped at 2/s. */
  return (guint) MAX (MIN_INTERVAL_MS, ceil (40.0 * 1000.0 / rate));
}

static gboolean
on_tick_cb (gpointer data)
{
  ObdLiveShare *self = data;

  if (self->fresh || g_get_monotonic_time () - self->last_sent_us >= KEEPALIVE_US)
    send_status (self);
  return G_SOURCE_CONTINUE;
}

/* Codes -------------------------------------------------------------------- */

static void
send_codes (ObdLiveShare *self,
            gboolean      force)
{
  const ObdSnapshot *snapshot = obd_session_get_snapshot (self->session);
  g_autoptr(GString) key = g_string_new (NULL);
  JsonObject *payload;
  JsonArray *codes;

  if (snapshot == NULL || snapshot->dtcs == NULL)
    return;
  for (guint i = 0; i < snapshot->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);

      g_string_append_printf (key, "%s:%s,", dtc->code, obd_dtc_kind_get_key (dtc->kind));
    }
  if (!force && g_strcmp0 (key->str, self->codes_sent) == 0)
    return;

  payload = json_object_new ();
  codes = json_array_new ();
  for (guint i = 0; i < snapshot->dtcs->len && i < 256; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);
      JsonObject *code = json_object_new ();

      json_object_set_string_member (code, "code", dtc->code);
      json_object_set_string_member (code, "kind", obd_dtc_kind_get_key (dtc->kind));
      json_array_add_object_element (codes, code);
    }
  json_object_set_int_member (payload, "detectedAt", snapshot->time_us > 0 ? snapshot->time_us
                                                                           : g_get_real_time ());
  json_object_set_array_member (payload, "codes", codes);
  if (send_event (self, OBD_SYNC_MSG_DTC_DETECTED, payload))
    obd_set_str (&self->codes_sent, key->str);
}

static void
on_snapshot_cb (ObdLiveShare *self)
{
  if (self->sharing)
    send_codes (self, FALSE);
}

/* Alerts ------------------------------------------------------------------- */

static void
on_alert_cb (ObdLiveShare        *self,
             const ObdAlertEvent *event)
{
  JsonObject *payload;

  if (!self->sharing || event->type != OBD_ALERT_EVENT_RAISED)
    return;
  payload = json_object_new ();
  json_object_set_string_member (payload, "severity", obd_severity_get_key (event->severity));
  json_object_set_string_member (payload, "kind", obd_alert_kind_get_key (event->kind));
  json_object_set_string_member (payload, "title", event->title);
  if (event->message != NULL)
    json_object_set_string_member (payload, "body", event->message);
  send_event (self, OBD_SYNC_MSG_NOTIFICATION, payload);
}

/* What the store knows: the vehicle, maintenance, guided repair ------------ */

typedef struct
{
  gint64    vehicle_id;
  char     *uuid;
  gboolean  synced;
} Resolved;

static void
resolved_free (gpointer data)
{
  Resolved *r = data;

  g_free (r->uuid);
  g_free (r);
}

static gpointer
resolve_job (ObdStore      *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  gint64 vehicle_id = *(gint64 *) data;
  g_autoptr(ObdStoreVehicle) vehicle = obd_store_get_vehicle (store, vehicle_id, error);
  Resolved *r;
  gint64 version;

  if (vehicle == NULL)
    return NULL;
  version = obd_store_sync_get_version (store, "vehicle", vehicle->uuid, error);
  if (version < 0)
    return NULL;
  r = g_new0 (Resolved, 1);
  r->vehicle_id = vehicle_id;
  r->uuid = g_strdup (vehicle->uuid);
  r->synced = version > 0;
  return r;
}

typedef struct
{
  ObdLiveShare *self;
  guint         generation;
} Pending;

static Pending *
pending_new (ObdLiveShare *self)
{
  Pending *p = g_new0 (Pending, 1);

  p->self = g_object_ref (self);
  p->generation = self->generation;
  return p;
}

static void
pending_free (Pending *p)
{
  g_object_unref (p->self);
  g_free (p);
}

static void
on_resolved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Pending *p = data;
  ObdLiveShare *self = p->self;
  g_autoptr(GError) error = NULL;
  Resolved *r = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);

  if (p->generation == self->generation)
    self->resolving = FALSE;
  if (r == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not look up the vehicle to share: %s", error->message);
    }
  else if (p->generation == self->generation)
    {
      gboolean uuid_changed = obd_set_str (&self->vehicle_uuid, r->uuid);

      self->vehicle_synced = r->synced;
      if (uuid_changed)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
      update (self);
    }
  if (r != NULL)
    resolved_free (r);
  pending_free (p);
}

/* Looks up the session's vehicle again when it changed or the server may
 * have it by now. */
static void
resolve_vehicle (ObdLiveShare *self)
{
  gint64 vehicle_id = self->session != NULL ? obd_session_get_vehicle_id (self->session) : 0;
  gint64 *data;

  if (vehicle_id != self->vehicle_local_id)
    {
      self->generation++;
      self->vehicle_local_id = vehicle_id;
      self->vehicle_synced = FALSE;
      self->resolving = FALSE;
      self->maintenance_sent = FALSE;
      g_clear_pointer (&self->codes_sent, g_free);
      g_clear_pointer (&self->guide_sent, g_free);
      if (obd_set_str (&self->vehicle_uuid, NULL))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
    }
  if (vehicle_id <= 0 || self->vehicle_synced || self->resolving || self->store == NULL
      || obd_store_service_get_state (self->store) != OBD_STORE_SERVICE_OPEN)
    return;
  self->resolving = TRUE;
  data = g_new (gint64, 1);
  *data = vehicle_id;
  obd_store_service_run_async (self->store, resolve_job, data, g_free, resolved_free,
                               G_PRIORITY_DEFAULT, self->cancellable, on_resolved_cb,
                               pending_new (self));
}

/* Maintenance due or overdue, once per vehicle and share. */
static gpointer
maintenance_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return obd_store_list_maintenance_items (store, *(gint64 *) data, error);
}

static void
on_maintenance_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  Pending *p = data;
  ObdLiveShare *self = p->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result,
                                                             &error);

  if (items != NULL && p->generation == self->generation && self->sharing)
    for (guint i = 0; i < items->len; i++)
      {
        const ObdStoreMaintenanceItem *item = g_ptr_array_index (items, i);
        JsonObject *payload;

        if (item->status == OBD_STORE_MAINTENANCE_DONE)
          continue;
        payload = json_object_new ();
        json_object_set_string_member (payload, "itemId", item->uuid);
        json_object_set_string_member (payload, "title", item->title);
        json_object_set_string_member (payload, "status",
                                       obd_store_maintenance_status_to_string (item->status));
        send_event (self, OBD_SYNC_MSG_MAINTENANCE_ALERT, payload);
      }
  pending_free (p);
}

static void
send_maintenance (ObdLiveShare *self)
{
  gint64 *data;

  if (self->maintenance_sent)
    return;
  self->maintenance_sent = TRUE;
  data = g_new (gint64, 1);
  *data = self->vehicle_local_id;
  obd_store_service_run_async (self->store, maintenance_job, data, g_free,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_LOW,
                               self->cancellable, on_maintenance_cb, pending_new (self));
}

/* The guided repair going on on the vehicle: the newest active run. */
typedef struct
{
  char  *guide_id;
  guint  step;
  guint  steps;
  char  *title;
} Progress;

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_free (p->guide_id);
  g_free (p->title);
  g_free (p);
}

/* Built once, read from any store thread afterwards. */
static ObdGuideLibrary *
guide_library (void)
{
  static gsize library;

  if (g_once_init_enter (&library))
    g_once_init_leave (&library, (gsize) obd_guide_library_new_default ());
  return (ObdGuideLibrary *) library;
}

static gpointer
guide_job (ObdStore      *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GPtrArray) runs = obd_store_list_guide_runs (store, *(gint64 *) data, 0, error);
  Progress *p;

  if (runs == NULL)
    return NULL;
  p = g_new0 (Progress, 1);
  for (guint i = 0; i < runs->len; i++)
    {
      const ObdStoreGuideRun *run = g_ptr_array_index (runs, i);
      ObdGuide *guide;
      const ObdGuideStep *step;

      if (run->status != OBD_STORE_GUIDE_RUN_ACTIVE)
        continue;
      guide = obd_guide_library_lookup (guide_library (), run->guide_id);
      step = guide != NULL && run->current_step != NULL
             ? obd_guide_find_step (guide, run->current_step) : NULL;
      p->guide_id = g_strdup (run->guide_id);
      p->step = run->n_steps + 1;
      /* Paths branch: the guide's step count is the most it can take. */
      p->steps = MAX (p->step, guide != NULL ? obd_guide_get_n_steps (guide) : 0);
      /* The msgid: each viewer shows it in their own language. */
      p->title = g_strdup (step != NULL && step->title != NULL ? step->title
                                                              : run->guide_title);
      break;
    }
  return p;
}

static void
on_guide_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Pending *pending = data;
  ObdLiveShare *self = pending->self;
  g_autoptr(GError) error = NULL;
  Progress *p = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);

  if (p != NULL && p->guide_id != NULL && p->title != NULL
      && pending->generation == self->generation && self->sharing)
    {
      g_autofree char *key = g_strdup_printf ("%s:%u/%u:%s", p->guide_id, p->step, p->steps,
                                              p->title);
      if (g_strcmp0 (key, self->guide_sent) != 0)
        {
          JsonObject *payload = json_object_new ();

          json_object_set_string_member (payload, "guideId", p->guide_id);
          json_object_set_int_member (payload, "step", p->step);
          json_object_set_int_member (payload, "steps", p->steps);
          json_object_set_string_member (payload, "title", p->title);
          if (send_event (self, OBD_SYNC_MSG_GUIDE_PROGRESS, payload))
            obd_set_str (&self->guide_sent, key);
        }
    }
  if (p != NULL)
    progress_free (p);
  pending_free (pending);
}

static void
send_guide (ObdLiveShare *self)
{
  gint64 *data = g_new (gint64, 1);

  *data = self->vehicle_local_id;
  obd_store_service_run_async (self->store, guide_job, data, g_free, progress_free,
                               G_PRIORITY_LOW, self->cancellable, on_guide_cb,
                               pending_new (self));
}

static void
on_store_changed_cb (ObdLiveShare *self,
                     const char   *what,
                     gint64        vehicle_id)
{
  if (self->sharing && (vehicle_id == 0 || vehicle_id == self->vehicle_local_id)
      && g_str_has_prefix (what, "guide"))
    send_guide (self);
  if (g_str_equal (what, "vehicle") && !self->vehicle_synced)
    resolve_vehicle (self);
}

/* State -------------------------------------------------------------------- */

static void
start_sharing (ObdLiveShare *self)
{
  self->tick_source = g_timeout_add (obd_live_share_get_interval (self), on_tick_cb, self);
  self->fresh = TRUE;
  send_status (self);
  send_codes (self, TRUE);
  send_maintenance (self);
  send_guide (self);
}

static void
update (ObdLiveShare *self)
{
  const char *role = self->client != NULL ? obd_sync_client_get_role (self->client) : NULL;
  g_autofree char *status = NULL;
  gboolean sharing = FALSE;

  if (!self->wanted && !self->required)
    status = g_strdup (_("Live data is not shared."));
  else if (self->client == NULL || obd_sync_client_get_server_url (self->client) == NULL)
    status = g_strdup (_("Set up a sync server in Preferences to share live data."));
  else if (!client_connected (self->client))
    status = g_strdup (_("Live data is shared once the sync server answers."));
  else if (g_strcmp0 (role, "mechanic") != 0 && g_strcmp0 (role, "admin") != 0)
    status = g_strdup (_("This sync account may only watch: live data is shared from a "
                         "mechanic’s account."));
  else if (!session_connected (self->session))
    status = g_strdup (_("Connect to a vehicle to share its live data."));
  else if (self->vehicle_local_id <= 0)
    status = g_strdup (_("This vehicle did not report its VIN, so it cannot be shared."));
  else if (!self->vehicle_synced)
    status = g_strdup (_("Sharing starts as soon as this vehicle has reached the server."));
  else
    {
      status = g_strdup (_("Live data of this vehicle is shared with the fleet and with the "
                           "experts you invite."));
      sharing = TRUE;
    }

  if (obd_set_str (&self->status, status))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  if (sharing == self->sharing)
    return;
  self->sharing = sharing;
  if (sharing)
    start_sharing (self);
  else
    g_clear_handle_id (&self->tick_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARING]);
}

static void
on_session_state_cb (ObdLiveShare *self)
{
  /* A new connection may be another car: its readings start afresh. */
  if (!session_connected (self->session))
    {
      g_array_set_size (self->readings, 0);
      g_clear_pointer (&self->codes_sent, g_free);
      self->maintenance_sent = FALSE;
    }
  resolve_vehicle (self);
  update (self);
}

static void
on_vehicle_changed_cb (ObdLiveShare *self)
{
  resolve_vehicle (self);
  update (self);
}

static void
on_client_state_cb (ObdLiveShare *self)
{
  /* What was sent on a lost connection reached nobody new: send all again
   * on the next. */
  if (!client_connected (self->client))
    {
      g_clear_pointer (&self->codes_sent, g_free);
      g_clear_pointer (&self->guide_sent, g_free);
      self->maintenance_sent = FALSE;
    }
  resolve_vehicle (self);
  update (self);
}

static void
on_client_pending_cb (ObdLiveShare *self)
{
  if (!self->vehicle_synced)
    resolve_vehicle (self);
}

static void
on_client_store_changed_cb (ObdLiveShare *self,
                            const char   *entity)
{
  /* A vehicle created on two PCs for one VIN takes the server's id. */
  if (g_str_equal (entity, "vehicle"))
    {
      self->vehicle_synced = FALSE;
      resolve_vehicle (self);
    }
}

/* Public ------------------------------------------------------------------- */

void
obd_live_share_set_client (ObdLiveShare  *self,
                           ObdSyncClient *client)
{
  g_return_if_fail (OBD_IS_LIVE_SHARE (self));
  g_return_if_fail (client == NULL || OBD_IS_SYNC_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;
  g_signal_group_set_target (self->client_signals, client);
  update (self);
}

void
obd_live_share_set_session (ObdLiveShare *self,
                            ObdSession   *session)
{
  g_return_if_fail (OBD_IS_LIVE_SHARE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  g_array_set_size (self->readings, 0);
  resolve_vehicle (self);
  update (self);
}

void
obd_live_share_set_wanted (ObdLiveShare *self,
                           gboolean      wanted)
{
  g_return_if_fail (OBD_IS_LIVE_SHARE (self));

  self->wanted = !!wanted;
  update (self);
}

void
obd_live_share_set_required (ObdLiveShare *self,
                             gboolean      required)
{
  g_return_if_fail (OBD_IS_LIVE_SHARE (self));

  self->required = !!required;
  update (self);
}

gboolean
obd_live_share_get_sharing (ObdLiveShare *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_SHARE (self), FALSE);
  return self->sharing;
}

const char *
obd_live_share_get_status (ObdLiveShare *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_SHARE (self), NULL);
  return self->status;
}

const char *
obd_live_share_get_vehicle_id (ObdLiveShare *self)
{
  g_return_val_if_fail (OBD_IS_LIVE_SHARE (self), NULL);
  return self->vehicle_synced ? self->vehicle_uuid : NULL;
}

void
obd_live_share_resend (ObdLiveShare *self)
{
  g_return_if_fail (OBD_IS_LIVE_SHARE (self));

  if (!self->sharing)
    return;
  send_status (self);
  send_codes (self, TRUE);
  g_clear_pointer (&self->guide_sent, g_free);
  send_guide (self);
}

/* GObject ------------------------------------------------------------------ */

static void
obd_live_share_dispose (GObject *object)
{
  ObdLiveShare *self = OBD_LIVE_SHARE (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->client_signals != NULL)
    g_signal_group_set_target (self->client_signals, NULL);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->client_signals);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (obd_live_share_parent_class)->dispose (object);
}

static void
obd_live_share_finalize (GObject *object)
{
  ObdLiveShare *self = OBD_LIVE_SHARE (object);

  g_array_unref (self->readings);
  g_free (self->status);
  g_free (self->vehicle_uuid);
  g_free (self->codes_sent);
  g_free (self->guide_sent);

  G_OBJECT_CLASS (obd_live_share_parent_class)->finalize (object);
}

static void
obd_live_share_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdLiveShare *self = OBD_LIVE_SHARE (object);

  switch (prop_id)
    {
    case PROP_SHARING:
      g_value_set_boolean (value, self->sharing);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_string (value, obd_live_share_get_vehicle_id (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_live_share_class_init (ObdLiveShareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_live_share_dispose;
  object_class->finalize = obd_live_share_finalize;
  object_class->get_property = obd_live_share_get_property;

  properties[PROP_SHARING] = g_param_spec_boolean ("sharing", NULL, NULL, FALSE, ro);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, ro);
  properties[PROP_VEHICLE_ID] = g_param_spec_string ("vehicle-id", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_live_share_init (ObdLiveShare *self)
{
  self->readings = g_array_new (FALSE, FALSE, sizeof (guint16));
  self->cancellable = g_cancellable_new ();

  self->client_signals = g_signal_group_new (OBD_TYPE_SYNC_CLIENT);
  g_signal_group_connect_swapped (self->client_signals, "notify::state",
                                  G_CALLBACK (on_client_state_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::role",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::server-url",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->client_signals, "notify::pending-count",
                                  G_CALLBACK (on_client_pending_cb), self);
  g_signal_group_connect_swapped (self->client_signals, "store-changed",
                                  G_CALLBACK (on_client_store_changed_cb), self);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "samples",
                                  G_CALLBACK (on_samples_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (on_session_state_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-id",
                                  G_CALLBACK (on_vehicle_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::snapshot",
                                  G_CALLBACK (on_snapshot_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "alert",
                                  G_CALLBACK (on_alert_cb), self);

  self->store_signals = g_signal_group_new (OBD_TYPE_STORE_SERVICE);
  g_signal_group_connect_swapped (self->store_signals, "changed",
                                  G_CALLBACK (on_store_changed_cb), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::state",
                                  G_CALLBACK (on_vehicle_changed_cb), self);
}

ObdLiveShare *
obd_live_share_new (ObdStoreService *store)
{
  ObdLiveShare *self;

  g_return_val_if_fail (store == NULL || OBD_IS_STORE_SERVICE (store), NULL);

  self = g_object_new (OBD_TYPE_LIVE_SHARE, NULL);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  g_signal_group_set_target (self->store_signals, store);
  update (self);
  return self;
}
