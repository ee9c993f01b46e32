/* obd-snapshot.c — everything a diagnosis reads from a vehicle, in one go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-snapshot"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-snapshot.h"

ObdSnapshot *
obd_snapshot_new (void)
{
  ObdSnapshot *snapshot = g_new0 (ObdSnapshot, 1);

  snapshot->time_us = g_get_real_time ();
  snapshot->battery_voltage = NAN;
  snapshot->km_since_clear = NAN;
  snapshot->warmups_since_clear = -1;
  snapshot->ecu_names = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_info_record_free);
  snapshot->calibration_ids =
    g_ptr_array_new_with_free_func ((GDestroyNotify) obd_info_record_free);
  snapshot->cvns = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_info_record_free);
  snapshot->dtcs = g_array_new (FALSE, FALSE, sizeof (ObdDtc));
  snapshot->freeze_values = obd_value_array_new ();
  snapshot->readiness = obd_value_array_new ();
  snapshot->readiness_cycle = obd_value_array_new ();
  snapshot->monitors = g_array_new (FALSE, FALSE, sizeof (ObdMonitorResult));

  return snapshot;
}

void
obd_snapshot_free (ObdSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_free (snapshot->vin);
  g_clear_pointer (&snapshot->vin_info, obd_vin_info_free);
  g_ptr_array_unref (snapshot->ecu_names);
  g_ptr_array_unref (snapshot->calibration_ids);
  g_ptr_array_unref (snapshot->cvns);
  g_array_unref (snapshot->dtcs);
  g_array_unref (snapshot->freeze_values);
  g_array_unref (snapshot->readiness);
  g_array_unref (snapshot->readiness_cycle);
  g_array_unref (snapshot->monitors);
  g_free (snapshot);
}

static GPtrArray *
copy_records (GPtrArray *records)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_info_record_free);

  for (guint i = 0; i < records->len; i++)
    {
      const ObdInfoRecord *record = g_ptr_array_index (records, i);
      ObdInfoRecord *dup = g_new0 (ObdInfoRecord, 1);

      *dup = *record;
      dup->vin = g_strdup (record->vin);
      dup->text = g_strdup (record->text);
      dup->ecu_acronym = g_strdup (record->ecu_acronym);
      dup->ecu_name = g_strdup (record->ecu_name);
      dup->strings = NULL;
      dup->counters = NULL;
      if (record->strings != NULL)
        {
          dup->strings = g_ptr_array_new_with_free_func (g_free);
          for (guint j = 0; j < record->strings->len; j++)
            g_ptr_array_add (dup->strings, g_strdup (g_ptr_array_index (record->strings, j)));
        }
      if (record->counters != NULL)
        dup->counters = g_array_copy (record->counters);
      g_ptr_array_add (copy, dup);
    }
  return copy;
}

static void
copy_values (GArray *to,
             GArray *from)
{
  for (guint i = 0; i < from->len; i++)
    {
      ObdValue value = g_array_index (from, ObdValue, i);

      value.text = g_strdup (value.text);
      g_array_append_val (to, value);
    }
}

ObdSnapshot *
obd_snapshot_copy (const ObdSnapshot *snapshot)
{
  ObdSnapshot *copy;

  g_return_val_if_fail (snapshot != NULL, NULL);

  copy = obd_snapshot_new ();
  copy->parts = snapshot->parts;
  copy->time_us = snapshot->time_us;
  copy->protocol = snapshot->protocol;
  copy->vin = g_strdup (snapshot->vin);
  if (snapshot->vin_info != NULL)
    {
      copy->vin_info = g_new (ObdVinInfo, 1);
      *copy->vin_info = *snapshot->vin_info;
      copy->vin_info->manufacturer = g_strdup (snapshot->vin_info->manufacturer);
    }
  copy->battery_voltage = snapshot->battery_voltage;
  g_ptr_array_unref (copy->ecu_names);
  copy->ecu_names = copy_records (snapshot->ecu_names);
  g_ptr_array_unref (copy->calibration_ids);
  copy->calibration_ids = copy_records (snapshot->calibration_ids);
  g_ptr_array_unref (copy->cvns);
  copy->cvns = copy_records (snapshot->cvns);
  g_array_append_vals (copy->dtcs, snapshot->dtcs->data, snapshot->dtcs->len);
  memcpy (copy->freeze_dtc, snapshot->freeze_dtc, sizeof copy->freeze_dtc);
  copy->freeze_ecu = snapshot->freeze_ecu;
  copy_values (copy->freeze_values, snapshot->freeze_values);
  copy_values (copy->readiness, snapshot->readiness);
  copy_values (copy->readiness_cycle, snapshot->readiness_cycle);
  copy->km_since_clear = snapshot->km_since_clear;
  copy->warmups_since_clear = snapshot->warmups_since_clear;
  copy->monitors_supported = snapshot->monitors_supported;
  g_array_append_vals (copy->monitors, snapshot->monitors->data, snapshot->monitors->len);
  return copy;
}

/* What may be skipped: the vehicle said no, or said nothing, to one
 * optional request.  A lost link or a cancel must end the read. */
static gboolean
is_vehicle_refusal (const GError *error)
{
  return error->domain == OBD_PROTOCOL_ERROR;
}

static gboolean
read_dtcs (ObdAdapter    *adapter,
           ObdDtcKind     kind,
           GArray        *out,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GArray) dtcs = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 service = obd_dtc_kind_get_service (kind);

  response = obd_adapter_query_all (adapter, service, NULL, 0, cancellable, &local_error);
  if (response == NULL)
    {
      /* Pending and permanent lists are newer than OBD-II itself: an older
       * ECU stays silent or refuses, which means "none to report". */
      if (kind != OBD_DTC_KIND_STORED && is_vehicle_refusal (local_error))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  dtcs = obd_dtc_parse_response (response, service,
                                 obd_protocol_is_can (obd_adapter_get_protocol (adapter)),
                                 NULL, error);
  if (dtcs == NULL)
    return FALSE;

  g_array_append_vals (out, dtcs->data, dtcs->len);
  return TRUE;
}

static gboolean
read_freeze (ObdAdapter    *adapter,
             ObdSnapshot   *snapshot,
             GCancellable  *cancellable,
             GError       **error)
{
  gboolean supported[256] = { FALSE };
  guint8 request[2] = { 0x00, 0x00 };
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  const ObdMessage *msg;

  /* Mode 02 requests carry the PID and the frame number, always 0 in
   * SAE J1979 (one frame per ECU). */
  for (guint base = 0; base < 0x100; base += 0x20)
    {
      g_autoptr(ObdResponse) bitmap = NULL;

      request[0] = (guint8) base;
      bitmap = obd_adapter_query_all (adapter, 0x02, request, 2, cancellable, &local_error);
      if (bitmap == NULL)
        {
          if (!is_vehicle_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&local_error);
          break;
        }
      msg = obd_response_find (bitmap, 0, 0x42);
      if (msg == NULL || msg->len < 7)
        break;
      obd_pid_parse_supported ((guint8) base, msg->data + 3, supported);
      if (base + 0x20 > 0xE0 || !supported[base + 0x20])
        break;
    }

  request[0] = 0x02;
  response = obd_adapter_query_all (adapter, 0x02, request, 2, cancellable, &local_error);
  if (response == NULL)
    {
      if (is_vehicle_refusal (local_error))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  msg = obd_response_find (response, 0, 0x42);
  if (msg == NULL || msg->len < 3 ||
      !obd_dtc_parse_freeze_frame (msg->data + 3, msg->len - 3, NULL, snapshot->freeze_dtc,
                                   NULL))
    return TRUE;
  snapshot->freeze_ecu = msg->ecu;

  if (snapshot->freeze_dtc[0] == '\0')
    return TRUE;

  for (guint p = 0x03; p < 0x100; p++)
    {
      g_autoptr(ObdResponse) reply = NULL;

      if ((p & 0x1F) == 0 || !supported[p])
        continue;
      request[0] = (guint8) p;
      reply = obd_adapter_query_all (adapter, 0x02, request, 2, cancellable, &local_error);
      if (reply == NULL)
        {
          if (!is_vehicle_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&local_error);
          continue;
        }
      msg = obd_response_find (reply, snapshot->freeze_ecu, 0x42);
      if (msg != NULL && msg->len > 3 && msg->data[1] == p)
        obd_pid_decode ((guint8) p, msg->data + 3, msg->len - 3, snapshot->freeze_values, NULL);
    }

  return TRUE;
}

/* Reads one Mode 01 PID from the ECU that answers it first; FALSE with
 * error only for failures that must end the read. */
static gboolean
read_one_pid (ObdAdapter    *adapter,
              guint8         pid,
              GArray        *values,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  const ObdMessage *msg;

  response = obd_adapter_query_all (adapter, 0x01, &pid, 1, cancellable, &local_error);
  if (response == NULL)
    {
      if (is_vehicle_refusal (local_error))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  msg = obd_response_find (response, 0, 0x41);
  if (msg != NULL && msg->len >= 2 && msg->data[1] == pid)
    obd_pid_decode (pid, msg->data + 2, msg->len - 2, values, NULL);

  return TRUE;
}

static gboolean
read_readiness (ObdAdapter    *adapter,
                ObdSnapshot   *snapshot,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GArray) extra = obd_value_array_new ();

  if (!read_one_pid (adapter, 0x01, snapshot->readiness, cancellable, error))
    return FALSE;

  if (obd_adapter_is_pid_supported (adapter, 0x41) &&
      !read_one_pid (adapter, 0x41, snapshot->readiness_cycle, cancellable, error))
    return FALSE;

  /* Distance and warm-ups since the codes were cleared tell a fresh clear
   * (monitors not yet run) from monitors that cannot complete. */
  if (obd_adapter_is_pid_supported (adapter, 0x31) &&
      !read_one_pid (adapter, 0x31, extra, cancellable, error))
    return FALSE;
  if (obd_adapter_is_pid_supported (adapter, 0x30) &&
      !read_one_pid (adapter, 0x30, extra, cancellable, error))
    return FALSE;

  for (guint i = 0; i < extra->len; i++)
    {
      const ObdValue *v = &g_array_index (extra, ObdValue, i);

      if (v->pid == 0x31)
        snapshot->km_since_clear = v->value;
      else if (v->pid == 0x30)
        snapshot->warmups_since_clear = (int) v->value;
    }

  return TRUE;
}

static gboolean
read_monitors (ObdAdapter    *adapter,
               ObdSnapshot   *snapshot,
               GCancellable  *cancellable,
               GError       **error)
{
  gboolean mids[256] = { FALSE };
  g_autoptr(GError) local_error = NULL;

  /* The ISO 15765-4 layout of Mode 06 is what the decoder reads; the
   * legacy buses use an older, different one. */
  if (!obd_protocol_is_can (obd_adapter_get_protocol (adapter)))
    return TRUE;

  for (guint base = 0; base < 0x100; base += 0x20)
    {
      g_autoptr(ObdResponse) response = NULL;
      g_autoptr(GArray) support = NULL;
      g_autoptr(GArray) none = NULL;
      guint8 mid = (guint8) base;

      response = obd_adapter_query_all (adapter, 0x06, &mid, 1, cancellable, &local_error);
      if (response == NULL)
        {
          if (!is_vehicle_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&local_error);
          break;
        }
      none = obd_mode06_parse (response, &support, NULL);
      if (none == NULL || support == NULL)
        break;
      snapshot->monitors_supported = TRUE;
      for (guint i = 0; i < support->len; i++)
        {
          const ObdMidSupport *s = &g_array_index (support, ObdMidSupport, i);

          for (guint m = base + 1; m <= base + 0x20 && m < 0x100; m++)
            if (obd_mode06_support_has (s, (guint8) m))
              mids[m] = TRUE;
        }
      if (base + 0x20 >= 0x100 || !mids[base + 0x20])
        break;
    }

  for (guint m = 1; m < 0x100; m++)
    {
      g_autoptr(ObdResponse) response = NULL;
      g_autoptr(GArray) part = NULL;
      guint8 mid = (guint8) m;

      if ((m & 0x1F) == 0 || !mids[m])
        continue;
      response = obd_adapter_query_all (adapter, 0x06, &mid, 1, cancellable, &local_error);
      if (response == NULL)
        {
          if (!is_vehicle_refusal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&local_error);
          continue;
        }
      part = obd_mode06_parse (response, NULL, NULL);
      if (part != NULL)
        g_array_append_vals (snapshot->monitors, part->data, part->len);
    }

  return TRUE;
}

static gboolean
read_info_records (ObdAdapter    *adapter,
                   guint8         infotype,
                   GPtrArray     *out,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) local_error = NULL;

  response = obd_adapter_query_all (adapter, 0x09, &infotype, 1, cancellable, &local_error);
  if (response == NULL)
    {
      if (is_vehicle_refusal (local_error))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  records = obd_mode09_parse (response, infotype,
                              obd_protocol_is_can (obd_adapter_get_protocol (adapter)), NULL);
  while (records != NULL && records->len > 0)
    g_ptr_array_add (out, g_ptr_array_steal_index (records, 0));

  return TRUE;
}

static gboolean
read_info (ObdAdapter    *adapter,
           ObdSnapshot   *snapshot,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GPtrArray) vins = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_info_record_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) local_error = NULL;

  snapshot->battery_voltage = obd_adapter_read_voltage (adapter, cancellable, &local_error);
  if (isnan (snapshot->battery_voltage) && local_error != NULL &&
      local_error->domain != OBD_PROTOCOL_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!read_info_records (adapter, 0x02, vins, cancellable, error) ||
      !read_info_records (adapter, 0x04, snapshot->calibration_ids, cancellable, error) ||
      !read_info_records (adapter, 0x06, snapshot->cvns, cancellable, error) ||
      !read_info_records (adapter, 0x0A, snapshot->ecu_names, cancellable, error))
    return FALSE;

  for (guint i = 0; i < vins->len && snapshot->vin == NULL; i++)
    {
      ObdInfoRecord *record = g_ptr_array_index (vins, i);

      if (record->vin != NULL)
        {
          snapshot->vin = g_strdup (record->vin);
          snapshot->vin_info = obd_vin_decode (record->vin, g_date_time_get_year (now), NULL);
        }
    }

  return TRUE;
}

ObdSnapshot *
obd_snapshot_read (ObdAdapter        *adapter,
                   ObdSnapshotParts   parts,
                   GCancellable      *cancellable,
                   GError           **error)
{
  g_autoptr(ObdSnapshot) snapshot = NULL;
  static const ObdDtcKind kinds[] = {
    OBD_DTC_KIND_STORED, OBD_DTC_KIND_PENDING, OBD_DTC_KIND_PERMANENT,
  };

  g_return_val_if_fail (OBD_IS_ADAPTER (adapter), NULL);

  snapshot = obd_snapshot_new ();
  snapshot->parts = parts;
  snapshot->protocol = obd_adapter_get_protocol (adapter);

  if ((parts & OBD_SNAPSHOT_INFO) && !read_info (adapter, snapshot, cancellable, error))
    return NULL;

  if (parts & OBD_SNAPSHOT_DTCS)
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
      if (!read_dtcs (adapter, kinds[k], snapshot->dtcs, cancellable, error))
        return NULL;

  if ((parts & OBD_SNAPSHOT_FREEZE) && !read_freeze (adapter, snapshot, cancellable, error))
    return NULL;

  if ((parts & OBD_SNAPSHOT_READINESS) &&
      !read_readiness (adapter, snapshot, cancellable, error))
    return NULL;

  if ((parts & OBD_SNAPSHOT_MONITORS) && !read_monitors (adapter, snapshot, cancellable, error))
    return NULL;

  return g_steal_pointer (&snapshot);
}

const ObdValue *
obd_snapshot_find_readiness (const ObdSnapshot *snapshot,
                             const char        *key)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < snapshot->readiness->len; i++)
    {
      const ObdValue *v = &g_array_index (snapshot->readiness, ObdValue, i);

      if (g_strcmp0 (v->key, key) == 0)
        return v;
    }

  return NULL;
}

gboolean
obd_snapshot_clear_codes (ObdAdapter    *adapter,
                          GArray       **out_ecus,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(ObdResponse) response = NULL;

  g_return_val_if_fail (OBD_IS_ADAPTER (adapter), FALSE);

  response = obd_adapter_query_all (adapter, 0x04, NULL, 0, cancellable, error);
  if (response == NULL)
    return FALSE;

  return obd_dtc_check_clear_reply (response, out_ecus, error);
}
