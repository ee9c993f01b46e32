/* obd-vehicle-state.c — what the application knows of the vehicle on the
 * bench, and what of it goes into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Store answers carry the generation they were asked in: after a new
 * connection (reset) an answer about the previous car is dropped.
 */
#define G_LOG_DOMAIN "obd-session"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-diagnosis.h"
#include "obd-vehicle-state.h"

struct _ObdVehicleState
{
  GObject           parent_instance;

  ObdStoreService  *store;
  guint             generation;
  ObdSnapshot      *snapshot;
  ObdHealthReport  *health;
  guint             health_serial;   /* of the latest evaluation asked for */
  GPtrArray        *alerts;          /* a ref of the live data's set (replaced, never
                                      * changed, when alerts change) */
  GPtrArray        *trends;          /* ObdTrendResult of the vehicle, from the store */
  gint64            vehicle_id;
  char             *vehicle_title;
  char             *stored_title;    /* from the vehicle's row; NULL until read */
};

G_DEFINE_FINAL_TYPE (ObdVehicleState, obd_vehicle_state, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SNAPSHOT,
  PROP_HEALTH,
  PROP_VEHICLE_ID,
  PROP_VEHICLE_TITLE,
  N_PROPS
};

enum
{
  SIGNAL_STORE_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void read_vehicle (ObdVehicleState *self);
static void read_trends  (ObdVehicleState *self);

/* Title and health ---------------------------------------------------------- */

static char *
title_from_row (const ObdStoreVehicle *vehicle)
{
  g_autoptr(GString) title = g_string_new (NULL);

  if (vehicle->year > 0)
    g_string_append_printf (title, "%d", vehicle->year);
  if (vehicle->make != NULL)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", vehicle->make);
  if (vehicle->model != NULL)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", vehicle->model);
  return title->len > 0 ? g_string_free (g_steal_pointer (&title), FALSE) : NULL;
}

static void
update_title (ObdVehicleState *self)
{
  g_autofree char *title = NULL;
  const ObdVinInfo *info = self->snapshot != NULL ? self->snapshot->vin_info : NULL;

  /* What the workshop wrote down wins over what the VIN decoder guessed. */
  if (self->stored_title != NULL)
    title = g_strdup (self->stored_title);
  else if (info != NULL && info->manufacturer != NULL && info->model_year > 0)
    title = g_strdup_printf ("%d %s", info->model_year, info->manufacturer);
  else if (info != NULL && info->manufacturer != NULL)
    title = g_strdup (info->manufacturer);
  else if (self->snapshot != NULL && self->snapshot->vin != NULL)
    title = g_strdup (self->snapshot->vin);
  else
    title = g_strdup (_("Vehicle"));

  if (g_strcmp0 (title, self->vehicle_title) == 0)
    return;
  g_free (self->vehicle_title);
  self->vehicle_title = g_steal_pointer (&title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_TITLE]);
}

/* Judging asks the trouble-code knowledge base, which loads on first use
 * (tens of milliseconds): it runs on a worker thread, on copies, and the
 * latest evaluation asked for is the one kept. */
typedef struct
{
  ObdSnapshot *snapshot;
  GPtrArray   *alerts;
  GPtrArray   *trends;   /* shared read-only with the main thread */
  guint        serial;
} Judge;

static void
judge_free (gpointer data)
{
  Judge *judge = data;

  obd_snapshot_free (judge->snapshot);
  g_ptr_array_unref (judge->alerts);
  g_clear_pointer (&judge->trends, g_ptr_array_unref);
  g_free (judge);
}

static void
judge_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Judge *judge = data;

  /* With the vehicle's trends: the report the fleet list and the history
   * compute from the store for the same inputs. */
  g_task_return_pointer (task, obd_diagnosis_evaluate_full (judge->snapshot, judge->alerts,
                                                            judge->trends),
                         (GDestroyNotify) obd_health_report_free);
}

static void
on_judged_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  ObdVehicleState *self = OBD_VEHICLE_STATE (source);
  Judge *judge = g_task_get_task_data (G_TASK (result));
  ObdHealthReport *health = g_task_propagate_pointer (G_TASK (result), NULL);

  /* A newer snapshot or alert came meanwhile, or the car changed. */
  if (health == NULL || judge->serial != self->health_serial || self->snapshot == NULL)
    {
      g_clear_pointer (&health, obd_health_report_free);
      return;
    }
  g_clear_pointer (&self->health, obd_health_report_free);
  self->health = health;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
}

static void
update_health (ObdVehicleState *self)
{
  g_autoptr(GTask) task = NULL;
  Judge *judge;

  if (self->snapshot == NULL)
    return;

  judge = g_new0 (Judge, 1);
  judge->snapshot = obd_snapshot_copy (self->snapshot);
  judge->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  for (guint i = 0; self->alerts != NULL && i < self->alerts->len; i++)
    g_ptr_array_add (judge->alerts, obd_alert_event_copy (g_ptr_array_index (self->alerts, i)));
  judge->trends = self->trends != NULL ? g_ptr_array_ref (self->trends) : NULL;
  judge->serial = ++self->health_serial;
  task = g_task_new (self, NULL, on_judged_cb, NULL);
  g_task_set_task_data (task, judge, judge_free);
  g_task_run_in_thread (task, judge_thread);
}

static void
set_vehicle_id (ObdVehicleState *self,
                gint64           vehicle_id)
{
  if (self->vehicle_id == vehicle_id)
    return;
  self->vehicle_id = vehicle_id;
  g_clear_pointer (&self->stored_title, g_free);
  g_clear_pointer (&self->trends, g_ptr_array_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
  read_vehicle (self);
  read_trends (self);
  update_title (self);
}

/* Store answers -------------------------------------------------------------- */

typedef struct
{
  ObdVehicleState *self;
  guint            generation;
  gint64           vehicle_id;  /* the vehicle asked about, where it matters */
  const char      *what;    /* for ::store-error */
} Pending;

static Pending *
pending_new (ObdVehicleState *self,
             const char      *what)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = g_object_ref (self);
  pending->generation = self->generation;
  pending->what = what;
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

/* The answer, or NULL when there is none to act on: the write failed
 * (reported) or the car has changed since. */
static gpointer
pending_finish (Pending      *pending,
                GObject      *source,
                GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  gpointer answer = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);

  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && pending->what != NULL)
        g_signal_emit (pending->self, signals[SIGNAL_STORE_ERROR], 0, _(pending->what), error);
      return NULL;
    }
  return answer;
}

/* The vehicle's row: its title as the workshop knows it. */
static gpointer
read_vehicle_job (ObdStore      *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return obd_store_get_vehicle (store, *(gint64 *) data, error);
}

static void
on_vehicle_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(Pending) pending = data;
  g_autoptr(ObdStoreVehicle) vehicle = pending_finish (pending, source, result);
  ObdVehicleState *self = pending->self;

  if (vehicle == NULL || pending->generation != self->generation ||
      vehicle->id != self->vehicle_id)
    return;
  g_free (self->stored_title);
  self->stored_title = title_from_row (vehicle);
  update_title (self);
}

static void
read_vehicle (ObdVehicleState *self)
{
  if (self->store == NULL || self->vehicle_id == 0)
    return;
  /* A title is not worth a message if it cannot be read: the VIN's is
   * shown instead. */
  obd_store_service_run_async (self->store, read_vehicle_job,
                               g_memdup2 (&self->vehicle_id, sizeof self->vehicle_id), g_free,
                               (GDestroyNotify) obd_store_vehicle_free, G_PRIORITY_DEFAULT,
                               NULL, on_vehicle_read_cb, pending_new (self, NULL));
}

/* The trends of the vehicle's readings over its recorded sessions: a
 * recording that ends adds a point. */
static gpointer
read_trends_job (ObdStore      *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return obd_diagnosis_list_trends (store, *(gint64 *) data, error);
}

static void
on_trends_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(Pending) pending = data;
  g_autoptr(GPtrArray) trends = pending_finish (pending, source, result);
  ObdVehicleState *self = pending->self;

  if (trends == NULL || pending->generation != self->generation ||
      pending->vehicle_id != self->vehicle_id)
    return;
  g_clear_pointer (&self->trends, g_ptr_array_unref);
  self->trends = g_steal_pointer (&trends);
  update_health (self);
}

static void
read_trends (ObdVehicleState *self)
{
  Pending *pending;

  if (self->store == NULL || self->vehicle_id == 0 ||
      obd_store_service_get_state (self->store) == OBD_STORE_SERVICE_FAILED)
    return;
  pending = pending_new (self, N_("The trends of the vehicle’s readings could not be read "
                                  "from the local history"));
  pending->vehicle_id = self->vehicle_id;
  obd_store_service_run_async (self->store, read_trends_job,
                               g_memdup2 (&self->vehicle_id, sizeof self->vehicle_id), g_free,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_LOW,
                               NULL, on_trends_read_cb, pending);
}

static void
on_store_changed_cb (ObdVehicleState *self,
                     const char      *what,
                     gint64           vehicle_id)
{
  if (vehicle_id != 0 && vehicle_id != self->vehicle_id)
    return;
  if (g_str_equal (what, "session"))
    read_trends (self);
  else
    read_vehicle (self);
}

/* The vehicle and its codes ------------------------------------------------- */

typedef struct
{
  ObdSnapshot *snapshot;
  gboolean     codes;
  gboolean     read_only;
} SaveSnapshot;

static void
save_snapshot_free (gpointer data)
{
  SaveSnapshot *save = data;

  obd_snapshot_free (save->snapshot);
  g_free (save);
}

static gint64
find_vehicle (ObdStore    *store,
              const char  *vin,
              GError     **error)
{
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, error);

  for (guint i = 0; vehicles != NULL && i < vehicles->len; i++)
    {
      const ObdStoreVehicle *vehicle = g_ptr_array_index (vehicles, i);

      if (g_strcmp0 (vehicle->vin, vin) == 0)
        return vehicle->id;
    }
  return vehicles != NULL ? 0 : -1;
}

/* Returns the vehicle's id (0: no VIN, or not in a read-only store). */
static gpointer
save_snapshot_job (ObdStore      *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  SaveSnapshot *save = data;
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  if (save->read_only)
    id = save->snapshot->vin != NULL ? find_vehicle (store, save->snapshot->vin, error) : 0;
  else
    id = obd_diagnosis_ensure_vehicle (store, save->snapshot, &local_error);
  if (id < 0 || local_error != NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Codes enter the vehicle's history as they are seen. */
  if (save->codes && id > 0 && !save->read_only)
    {
      g_autoptr(ObdSnapshot) codes_only = obd_snapshot_new ();

      g_array_append_vals (codes_only->dtcs, save->snapshot->dtcs->data,
                           save->snapshot->dtcs->len);
      codes_only->time_us = save->snapshot->time_us;
      if (!obd_diagnosis_store_snapshot (store, id, 0, codes_only, error))
        return NULL;
    }
  return g_memdup2 (&id, sizeof id);
}

static void
on_snapshot_saved_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr(Pending) pending = data;
  g_autofree gint64 *id = pending_finish (pending, source, result);
  ObdVehicleState *self = pending->self;

  if (id == NULL || pending->generation != self->generation)
    return;
  set_vehicle_id (self, *id);
}

/* Takes the parts that fresh holds into the current snapshot. */
static void
merge (ObdVehicleState *self,
       ObdSnapshot     *fresh)
{
  ObdSnapshot *current = self->snapshot;

  if (current == NULL || fresh->parts == OBD_SNAPSHOT_ALL)
    {
      g_clear_pointer (&self->snapshot, obd_snapshot_free);
      self->snapshot = fresh;
      return;
    }

  current->time_us = fresh->time_us;
  if (fresh->parts & OBD_SNAPSHOT_INFO)
    {
      g_free (current->vin);
      current->vin = g_steal_pointer (&fresh->vin);
      g_clear_pointer (&current->vin_info, obd_vin_info_free);
      current->vin_info = g_steal_pointer (&fresh->vin_info);
      current->battery_voltage = fresh->battery_voltage;
      g_ptr_array_unref (current->ecu_names);
      current->ecu_names = g_ptr_array_ref (fresh->ecu_names);
      g_ptr_array_unref (current->calibration_ids);
      current->calibration_ids = g_ptr_array_ref (fresh->calibration_ids);
      g_ptr_array_unref (current->cvns);
      current->cvns = g_ptr_array_ref (fresh->cvns);
    }
  if (fresh->parts & OBD_SNAPSHOT_DTCS)
    {
      g_array_unref (current->dtcs);
      current->dtcs = g_array_ref (fresh->dtcs);
    }
  if (fresh->parts & OBD_SNAPSHOT_FREEZE)
    {
      memcpy (current->freeze_dtc, fresh->freeze_dtc, sizeof current->freeze_dtc);
      current->freeze_ecu = fresh->freeze_ecu;
      g_array_unref (current->freeze_values);
      current->freeze_values = g_array_ref (fresh->freeze_values);
    }
  if (fresh->parts & OBD_SNAPSHOT_READINESS)
    {
      g_array_unref (current->readiness);
      current->readiness = g_array_ref (fresh->readiness);
      g_array_unref (current->readiness_cycle);
      current->readiness_cycle = g_array_ref (fresh->readiness_cycle);
      current->km_since_clear = fresh->km_since_clear;
      current->warmups_since_clear = fresh->warmups_since_clear;
    }
  if (fresh->parts & OBD_SNAPSHOT_MONITORS)
    {
      current->monitors_supported = fresh->monitors_supported;
      g_array_unref (current->monitors);
      current->monitors = g_array_ref (fresh->monitors);
    }
  current->parts |= fresh->parts;
  obd_snapshot_free (fresh);
}

void
obd_vehicle_state_apply (ObdVehicleState *self,
                         ObdSnapshot     *fresh)
{
  ObdSnapshotParts parts;

  g_return_if_fail (OBD_IS_VEHICLE_STATE (self));
  g_return_if_fail (fresh != NULL);

  parts = fresh->parts;
  merge (self, fresh);

  if (self->store != NULL &&
      obd_store_service_get_state (self->store) != OBD_STORE_SERVICE_FAILED &&
      (((parts & OBD_SNAPSHOT_INFO) && self->snapshot->vin != NULL) ||
       ((parts & OBD_SNAPSHOT_DTCS) && self->vehicle_id != 0)))
    {
      SaveSnapshot *save = g_new0 (SaveSnapshot, 1);

      save->snapshot = obd_snapshot_copy (self->snapshot);
      save->codes = (parts & OBD_SNAPSHOT_DTCS) != 0;
      save->read_only = obd_store_service_get_read_only (self->store);
      /* Seen codes change the vehicle's health in every view of it. */
      obd_store_service_write_async (self->store, save->codes ? "dtc" : "vehicle",
                                     self->vehicle_id, save_snapshot_job, save, save_snapshot_free,
                                     NULL,
                                     on_snapshot_saved_cb,
                                     pending_new (self, N_("The vehicle and its trouble "
                                                           "codes could not be saved in the "
                                                           "local history")));
    }

  update_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
  update_health (self);
}

/* A clear, an alert ------------------------------------------------------------ */

typedef struct
{
  gint64         vehicle_id;
  gint64         session_id;
  char          *cleared_by;
  gint64         time_us;
  ObdAlertEvent *event;
} Record;

static void
record_free (gpointer data)
{
  Record *record = data;

  g_free (record->cleared_by);
  g_clear_pointer (&record->event, obd_alert_event_free);
  g_free (record);
}

static gpointer
clear_job (ObdStore      *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Record *record = data;

  if (!obd_store_clear_dtcs (store, record->vehicle_id, record->cleared_by, record->time_us,
                             error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
alert_job (ObdStore      *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Record *record = data;

  if (!obd_diagnosis_store_alert (store, record->vehicle_id, record->session_id, record->event,
                                  error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
on_recorded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(Pending) pending = data;

  pending_finish (pending, source, result);
}

static gboolean
can_write (ObdVehicleState *self)
{
  /* A read-only history is said once, by the window's banner; every
   * code seen would otherwise repeat it. */
  return self->store != NULL &&
         obd_store_service_get_state (self->store) != OBD_STORE_SERVICE_FAILED &&
         !obd_store_service_get_read_only (self->store);
}

void
obd_vehicle_state_record_clear (ObdVehicleState *self,
                                const char      *cleared_by)
{
  Record *record;

  g_return_if_fail (OBD_IS_VEHICLE_STATE (self));

  if (!can_write (self) || self->vehicle_id == 0)
    return;

  record = g_new0 (Record, 1);
  record->vehicle_id = self->vehicle_id;
  record->cleared_by = g_strdup (cleared_by);
  record->time_us = g_get_real_time ();
  obd_store_service_write_async (self->store, "dtc", self->vehicle_id, clear_job, record,
                                 record_free, NULL, on_recorded_cb,
                                 pending_new (self, N_("The codes were cleared, but the "
                                                       "vehicle’s history could not record "
                                                       "it")));
}

void
obd_vehicle_state_record_alert (ObdVehicleState     *self,
                                const ObdAlertEvent *event,
                                gint64               session_id)
{
  Record *record;

  g_return_if_fail (OBD_IS_VEHICLE_STATE (self));
  g_return_if_fail (event != NULL);

  if (!can_write (self))
    return;

  record = g_new0 (Record, 1);
  record->vehicle_id = self->vehicle_id;
  record->session_id = session_id;
  record->event = obd_alert_event_copy (event);
  obd_store_service_write_async (self->store, "notification", self->vehicle_id, alert_job,
                                 record, record_free, NULL, on_recorded_cb,
                                 pending_new (self, N_("A live alert could not be saved in the "
                                                       "local history")));
}

/* The rest ---------------------------------------------------------------------- */

void
obd_vehicle_state_reset (ObdVehicleState *self)
{
  g_return_if_fail (OBD_IS_VEHICLE_STATE (self));

  self->generation++;
  self->health_serial++;
  g_clear_pointer (&self->snapshot, obd_snapshot_free);
  g_clear_pointer (&self->health, obd_health_report_free);
  g_object_freeze_notify (G_OBJECT (self));
  set_vehicle_id (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
  update_title (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
obd_vehicle_state_set_alerts (ObdVehicleState *self,
                              GPtrArray       *active_alerts)
{
  g_return_if_fail (OBD_IS_VEHICLE_STATE (self));

  /* A ref: an answer from the store may judge again after the live data
   * (and the set it held) are gone. */
  if (active_alerts != NULL)
    g_ptr_array_ref (active_alerts);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  self->alerts = active_alerts;
  update_health (self);
}

const ObdSnapshot *
obd_vehicle_state_get_snapshot (ObdVehicleState *self)
{
  g_return_val_if_fail (OBD_IS_VEHICLE_STATE (self), NULL);
  return self->snapshot;
}

const ObdHealthReport *
obd_vehicle_state_get_health (ObdVehicleState *self)
{
  g_return_val_if_fail (OBD_IS_VEHICLE_STATE (self), NULL);
  return self->health;
}

gint64
obd_vehicle_state_get_vehicle_id (ObdVehicleState *self)
{
  g_return_val_if_fail (OBD_IS_VEHICLE_STATE (self), 0);
  return self->vehicle_id;
}

const char *
obd_vehicle_state_get_vehicle_title (ObdVehicleState *self)
{
  g_return_val_if_fail (OBD_IS_VEHICLE_STATE (self), NULL);
  return self->vehicle_title;
}

static void
obd_vehicle_state_dispose (GObject *object)
{
  ObdVehicleState *self = OBD_VEHICLE_STATE (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (obd_vehicle_state_parent_class)->dispose (object);
}

static void
obd_vehicle_state_finalize (GObject *object)
{
  ObdVehicleState *self = OBD_VEHICLE_STATE (object);

  g_clear_pointer (&self->snapshot, obd_snapshot_free);
  g_clear_pointer (&self->health, obd_health_report_free);
  g_clear_pointer (&self->trends, g_ptr_array_unref);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  g_free (self->vehicle_title);
  g_free (self->stored_title);

  G_OBJECT_CLASS (obd_vehicle_state_parent_class)->finalize (object);
}

static void
obd_vehicle_state_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ObdVehicleState *self = OBD_VEHICLE_STATE (object);

  switch (prop_id)
    {
    case PROP_SNAPSHOT:
      g_value_set_pointer (value, self->snapshot);
      break;
    case PROP_HEALTH:
      g_value_set_pointer (value, self->health);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_int64 (value, self->vehicle_id);
      break;
    case PROP_VEHICLE_TITLE:
      g_value_set_string (value, self->vehicle_title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_vehicle_state_class_init (ObdVehicleStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = obd_vehicle_state_dispose;
  object_class->finalize = obd_vehicle_state_finalize;
  object_class->get_property = obd_vehicle_state_get_property;

  properties[PROP_SNAPSHOT] = g_param_spec_pointer ("snapshot", NULL, NULL, ro);
  properties[PROP_HEALTH] = g_param_spec_pointer ("health", NULL, NULL, ro);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_VEHICLE_TITLE] = g_param_spec_string ("vehicle-title", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_STORE_ERROR] =
    g_signal_new ("store-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
obd_vehicle_state_init (ObdVehicleState *self)
{
  self->vehicle_title = g_strdup (_("Vehicle"));
}

ObdVehicleState *
obd_vehicle_state_new (ObdStoreService *store)
{
  ObdVehicleState *self;

  g_return_val_if_fail (store == NULL || OBD_IS_STORE_SERVICE (store), NULL);

  self = g_object_new (OBD_TYPE_VEHICLE_STATE, NULL);
  if (store != NULL)
    {
      self->store = g_object_ref (store);
      g_signal_connect_object (store, "changed::vehicle", G_CALLBACK (on_store_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "changed::session", G_CALLBACK (on_store_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  return self;
}
