/* obd-remote-vehicle.c — a vehicle on another PC, as its live events tell it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client has checked each event against the protocol (types, lengths,
 * identifiers); what is checked here is what the protocol leaves open: a
 * reading is a finite number, a code is a trouble code, a step is not
 * past the last.  Anything else is dropped, so a broken or hostile sender
 * cannot put garbage in a view.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "obd-app-util.h"
#include "obd-dtc.h"
#include "obd-pid-format.h"
#include "obd-pid.h"
#include "obd-remote-vehicle.h"
#include "obd-sync-message.h"

#define MAX_NOTICES 20
/* The protocol's own bound on a vehicle_status. */
#define MAX_VALUES  256
/* The readings a one-line summary shows, in this order. */
static const char *summary_keys[] = { "speed", "rpm", "coolant_temp", "control_module_voltage" };

typedef struct
{
  double  value;
  char   *unit;       /* the sender's untranslated symbol, may be NULL */
} RemoteValue;

struct _ObdRemoteVehicle
{
  GObject          parent_instance;

  char            *vehicle_id;
  gboolean         live;
  gint64           updated_us;
  gint64           status_us;     /* last vehicle_status */
  char            *from_name;
  double           score;
  ObdHealthStatus  status;
  GHashTable      *values;        /* key → RemoteValue */
  GPtrArray       *keys;          /* char *, order first seen (owned by values) */
  GPtrArray       *codes;         /* ObdRemoteCode, NULL until a dtc_detected */
  char            *guide_id;
  guint            guide_step;
  guint            guide_steps;
  char            *guide_title;
  GPtrArray       *notices;       /* ObdRemoteNotice, newest first */
};

G_DEFINE_FINAL_TYPE (ObdRemoteVehicle, obd_remote_vehicle, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_VEHICLE_ID,
  PROP_LIVE,
  PROP_SCORE,
  PROP_FROM_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
remote_value_free (RemoteValue *v)
{
  g_free (v->unit);
  g_free (v);
}

static void
remote_code_free (ObdRemoteCode *c)
{
  g_free (c->code);
  g_free (c->kind);
  g_free (c);
}

static void
remote_notice_free (ObdRemoteNotice *n)
{
  g_free (n->type);
  g_free (n->title);
  g_free (n->body);
  g_free (n->severity);
  g_free (n);
}

/* PID table keys ---------------------------------------------------------- */

/* Every reading key of the PID table → its (pid << 8 | index) + 1. */
static GHashTable *
reading_keys (void)
{
  static gsize table;

  if (g_once_init_enter (&table))
    {
      GHashTable *keys = g_hash_table_new (g_str_hash, g_str_equal);
      gsize n_rows;
      const ObdPidInfo *rows = obd_pid_get_table (&n_rows);

      for (gsize i = 0; i < n_rows; i++)
        for (guint index = 0; index < 32; index++)
          {
            const ObdValue *info = obd_pid_get_value_info (rows[i].pid, (guint8) index);

            if (info == NULL)
              break;
            if (info->key != NULL && !g_hash_table_contains (keys, info->key))
              g_hash_table_insert (keys, (gpointer) info->key,
                                   GUINT_TO_POINTER (((guint) rows[i].pid << 8 | index) + 1));
          }
      g_once_init_leave (&table, (gsize) keys);
    }
  return (GHashTable *) table;
}

static const ObdValue *
lookup_reading (const char *key,
                guint8     *out_pid,
                guint8     *out_index)
{
  guint packed = GPOINTER_TO_UINT (g_hash_table_lookup (reading_keys (), key));

  if (packed == 0)
    return NULL;
  packed--;
  *out_pid = packed >> 8;
  *out_index = packed & 0xFF;
  return obd_pid_get_value_info (*out_pid, *out_index);
}

const char *
obd_remote_vehicle_get_label (const char *key)
{
  guint8 pid, index;
  const ObdValue *info;

  g_return_val_if_fail (key != NULL, NULL);

  info = lookup_reading (key, &pid, &index);
  return info != NULL ? obd_value_get_label (info) : key;
}

gboolean
obd_remote_vehicle_get_range (const char     *key,
                              ObdUnitSystem   units,
                              double         *out_min,
                              double         *out_max,
                              const char    **out_unit,
                              guint          *out_digits)
{
  guint8 pid, index;
  const ObdValue *info;
  double min, max;

  g_return_val_if_fail (key != NULL, FALSE);

  info = lookup_reading (key, &pid, &index);
  if (info == NULL || !obd_pid_get_display_range (pid, index, &min, &max))
    return FALSE;
  *out_min = obd_unit_convert (info->unit, units, min);
  *out_max = obd_unit_convert (info->unit, units, max);
  *out_unit = obd_unit_get_symbol (info->unit, units);
  *out_digits = obd_pid_get_decimals (pid, index, units);
  return TRUE;
}

double
obd_remote_vehicle_convert (const char    *key,
                            ObdUnitSystem  units,
                            double         value)
{
  guint8 pid, index;
  const ObdValue *info;

  g_return_val_if_fail (key != NULL, NAN);

  info = lookup_reading (key, &pid, &index);
  return info != NULL ? obd_unit_convert (info->unit, units, value) : value;
}

/* Taking events ---------------------------------------------------------- */

static gboolean
take_status (ObdRemoteVehicle *self,
             JsonObject       *payload)
{
  JsonObject *values = json_object_get_object_member (payload, "values");
  g_autoptr(GList) members = json_object_get_members (values);
  double score = -1;
  int status = -1;

  if (json_object_get_size (values) > MAX_VALUES)
    return FALSE;
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (values, key);
      JsonObject *object;
      JsonNode *value_node;
      RemoteValue *value;
      double number;
      const char *unit;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      value_node = json_object_get_member (object, "value");
      if (value_node == NULL || !JSON_NODE_HOLDS_VALUE (value_node)
          || (json_node_get_value_type (value_node) != G_TYPE_DOUBLE
              && json_node_get_value_type (value_node) != G_TYPE_INT64))
        continue;
      number = json_node_get_double (value_node);
      if (!isfinite (number) || !g_utf8_validate (key, -1, NULL) || *key == '\0'
          || strlen (key) > 64)
        continue;

      if (g_str_equal (key, OBD_REMOTE_KEY_HEALTH_SCORE))
        {
          if (number >= 0 && number <= 100)
            score = number;
          continue;
        }
      if (g_str_equal (key, OBD_REMOTE_KEY_HEALTH_STATUS))
        {
          if (number >= OBD_HEALTH_STATUS_HEALTHY && number <= OBD_HEALTH_STATUS_STOP_DRIVING)
            status = (int) number;
          continue;
        }

      unit = obd_sync_payload_get_string (object, "unit");
      value = g_hash_table_lookup (self->values, key);
      if (value == NULL)
        {
          char *owned_key = g_strdup (key);

          value = g_new0 (RemoteValue, 1);
          g_hash_table_insert (self->values, owned_key, value);
          g_ptr_array_add (self->keys, owned_key);
        }
      value->value = number;
      if (unit == NULL || strlen (unit) <= 16)
        obd_set_str (&value->unit, unit);
    }

  self->status_us = g_get_real_time ();
  if (score >= 0 && self->score != score)
    {
      self->score = score;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCORE]);
    }
  if (status >= 0)
    self->status = (ObdHealthStatus) status;
  if (!self->live)
    {
      self->live = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
    }
  return TRUE;
}

static gboolean
take_codes (ObdRemoteVehicle *self,
            JsonObject       *payload)
{
  JsonArray *array = json_object_get_array_member (payload, "codes");
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func ((GDestroyNotify) remote_code_free);

  for (guint i = 0; i < json_array_get_length (array) && i < 256; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *code, *kind;
      guint16 raw;
      ObdRemoteCode *c;
      char formatted[6];

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      code = obd_sync_payload_get_string (json_node_get_object (node), "code");
      kind = obd_sync_payload_get_string (json_node_get_object (node), "kind");
      if (code == NULL || !obd_dtc_parse_code (code, &raw))
        return FALSE;
      obd_dtc_format (raw, formatted);
      c = g_new0 (ObdRemoteCode, 1);
      c->code = g_strdup (formatted);
      c->kind = g_strdup (g_strcmp0 (kind, "pending") == 0 || g_strcmp0 (kind, "permanent") == 0
                          ? kind : "stored");
      g_ptr_array_add (codes, c);
    }
  g_clear_pointer (&self->codes, g_ptr_array_unref);
  self->codes = g_steal_pointer (&codes);
  return TRUE;
}

static gboolean
take_guide (ObdRemoteVehicle *self,
            JsonObject       *payload)
{
  gint64 step = obd_sync_payload_get_int (payload, "step", -1);
  gint64 steps = obd_sync_payload_get_int (payload, "steps", -1);

  if (step < 0 || steps < 0 || step > steps || steps > 10000)
    return FALSE;
  obd_set_str (&self->guide_id, obd_sync_payload_get_string (payload, "guideId"));
  obd_set_str (&self->guide_title, obd_sync_payload_get_string (payload, "title"));
  self->guide_step = (guint) step;
  self->guide_steps = (guint) steps;
  return TRUE;
}

static gboolean
take_notice (ObdRemoteVehicle *self,
             const char       *type,
             JsonObject       *payload)
{
  ObdRemoteNotice *notice = g_new0 (ObdRemoteNotice, 1);
  const char *severity = obd_sync_payload_get_string (payload, "severity");

  notice->type = g_strdup (type);
  notice->title = g_strdup (obd_sync_payload_get_string (payload, "title"));
  if (g_str_equal (type, "notification"))
    {
      notice->body = g_strdup (obd_sync_payload_get_string (payload, "body"));
      notice->severity = g_strdup (g_strcmp0 (severity, "critical") == 0
                                   || g_strcmp0 (severity, "warning") == 0
                                   ? severity : "info");
    }
  else
    {
      notice->body = g_strdup (obd_sync_payload_get_string (payload, "status"));
    }
  notice->received_us = g_get_real_time ();
  if (notice->title == NULL)
    {
      remote_notice_free (notice);
      return FALSE;
    }
  g_ptr_array_insert (self->notices, 0, notice);
  if (self->notices->len > MAX_NOTICES)
    g_ptr_array_set_size (self->notices, MAX_NOTICES);
  return TRUE;
}

gboolean
obd_remote_vehicle_take_event (ObdRemoteVehicle *self,
                               const char       *type,
                               JsonObject       *payload)
{
  JsonObject *from;
  gboolean taken;

  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), FALSE);
  g_return_val_if_fail (type != NULL && payload != NULL, FALSE);

  if (g_strcmp0 (obd_sync_payload_get_string (payload, "vehicleId"), self->vehicle_id) != 0)
    return FALSE;

  if (g_str_equal (type, "vehicle_status"))
    taken = json_object_has_member (payload, "values") && take_status (self, payload);
  else if (g_str_equal (type, "dtc_detected"))
    taken = json_object_has_member (payload, "codes") && take_codes (self, payload);
  else if (g_str_equal (type, "guide_progress"))
    taken = take_guide (self, payload);
  else if (g_str_equal (type, "notification") || g_str_equal (type, "maintenance_alert"))
    taken = take_notice (self, type, payload);
  else
    taken = FALSE;
  if (!taken)
    return FALSE;

  self->updated_us = g_get_real_time ();
  from = json_object_has_member (payload, "from")
         && JSON_NODE_HOLDS_OBJECT (json_object_get_member (payload, "from"))
         ? json_object_get_object_member (payload, "from") : NULL;
  if (from != NULL && obd_set_str (&self->from_name, obd_sync_payload_get_string (from, "userName")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM_NAME]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

gboolean
obd_remote_vehicle_check_live (ObdRemoteVehicle *self,
                               gint64            now_us)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), FALSE);

  if (!self->live || now_us - self->status_us <= OBD_REMOTE_LIVE_TIMEOUT_US)
    return FALSE;
  self->live = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

/* Reading it ------------------------------------------------------------- */

const char *
obd_remote_vehicle_get_vehicle_id (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);
  return self->vehicle_id;
}

gboolean
obd_remote_vehicle_get_live (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), FALSE);
  return self->live;
}

gint64
obd_remote_vehicle_get_updated (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), 0);
  return self->updated_us;
}

const char *
obd_remote_vehicle_get_from_name (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);
  return self->from_name;
}

double
obd_remote_vehicle_get_score (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), -1);
  return self->score;
}

ObdHealthStatus
obd_remote_vehicle_get_status (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), OBD_HEALTH_STATUS_HEALTHY);
  return self->status;
}

GPtrArray *
obd_remote_vehicle_dup_keys (ObdRemoteVehicle *self)
{
  GPtrArray *keys;

  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);

  keys = g_ptr_array_sized_new (self->keys->len);
  for (guint i = 0; i < self->keys->len; i++)
    g_ptr_array_add (keys, g_ptr_array_index (self->keys, i));
  return keys;
}

double
obd_remote_vehicle_get_value (ObdRemoteVehicle *self,
                              const char       *key)
{
  RemoteValue *value;

  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NAN);
  g_return_val_if_fail (key != NULL, NAN);

  value = g_hash_table_lookup (self->values, key);
  return value != NULL ? value->value : NAN;
}

char *
obd_remote_vehicle_format_value (ObdRemoteVehicle *self,
                                 const char       *key,
                                 ObdUnitSystem     units)
{
  RemoteValue *value;
  guint8 pid, index;

  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_hash_table_lookup (self->values, key);
  if (value == NULL)
    return NULL;
  if (lookup_reading (key, &pid, &index) != NULL)
    return obd_pid_format_value (pid, index, value->value, units);
  /* Not ours: as sent. */
  if (value->unit != NULL && *value->unit != '\0')
    return g_strdup_printf ("%.6g %s", value->value, value->unit);
  return g_strdup_printf ("%.6g", value->value);
}

char *
obd_remote_vehicle_dup_summary (ObdRemoteVehicle *self,
                                ObdUnitSystem     units)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (summary_keys); i++)
    {
      g_autofree char *value = obd_remote_vehicle_format_value (self, summary_keys[i], units);

      if (value == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, value);
    }
  /* None of the main ones: the first few of what came. */
  for (guint i = 0; text->len == 0 && i < self->keys->len && i < 3; i++)
    {
      g_autofree char *value = obd_remote_vehicle_format_value (self,
                                                                g_ptr_array_index (self->keys,
                                                                                   i), units);

      if (i > 0)
        g_string_append (text, " · ");
      g_string_append (text, value);
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

GPtrArray *
obd_remote_vehicle_get_codes (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);
  return self->codes;
}

gboolean
obd_remote_vehicle_get_guide (ObdRemoteVehicle  *self,
                              const char       **out_guide_id,
                              guint             *out_step,
                              guint             *out_steps,
                              const char       **out_title)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), FALSE);

  if (self->guide_id == NULL)
    return FALSE;
  if (out_guide_id != NULL)
    *out_guide_id = self->guide_id;
  if (out_step != NULL)
    *out_step = self->guide_step;
  if (out_steps != NULL)
    *out_steps = self->guide_steps;
  if (out_title != NULL)
    *out_title = self->guide_title;
  return TRUE;
}

GPtrArray *
obd_remote_vehicle_get_notices (ObdRemoteVehicle *self)
{
  g_return_val_if_fail (OBD_IS_REMOTE_VEHICLE (self), NULL);
  return self->notices;
}

/* GObject ---------------------------------------------------------------- */

static void
obd_remote_vehicle_finalize (GObject *object)
{
  ObdRemoteVehicle *self = OBD_REMOTE_VEHICLE (object);

  g_free (self->vehicle_id);
  g_free (self->from_name);
  g_free (self->guide_id);
  g_free (self->guide_title);
  g_ptr_array_unref (self->keys);
  g_hash_table_unref (self->values);
  g_clear_pointer (&self->codes, g_ptr_array_unref);
  g_ptr_array_unref (self->notices);

  G_OBJECT_CLASS (obd_remote_vehicle_parent_class)->finalize (object);
}

static void
obd_remote_vehicle_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ObdRemoteVehicle *self = OBD_REMOTE_VEHICLE (object);

  switch (prop_id)
    {
    case PROP_VEHICLE_ID:
      g_value_set_string (value, self->vehicle_id);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_SCORE:
      g_value_set_double (value, self->score);
      break;
    case PROP_FROM_NAME:
      g_value_set_string (value, self->from_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_remote_vehicle_class_init (ObdRemoteVehicleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = obd_remote_vehicle_finalize;
  object_class->get_property = obd_remote_vehicle_get_property;

  properties[PROP_VEHICLE_ID] = g_param_spec_string ("vehicle-id", NULL, NULL, NULL, ro);
  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE, ro);
  properties[PROP_SCORE] = g_param_spec_double ("score", NULL, NULL, -1, 100, -1, ro);
  properties[PROP_FROM_NAME] = g_param_spec_string ("from-name", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
obd_remote_vehicle_init (ObdRemoteVehicle *self)
{
  self->score = -1;
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) remote_value_free);
  self->keys = g_ptr_array_new ();
  self->notices = g_ptr_array_new_with_free_func ((GDestroyNotify) remote_notice_free);
}

ObdRemoteVehicle *
obd_remote_vehicle_new (const char *vehicle_id)
{
  ObdRemoteVehicle *self;

  g_return_val_if_fail (vehicle_id != NULL, NULL);

  self = g_object_new (OBD_TYPE_REMOTE_VEHICLE, NULL);
  self->vehicle_id = g_strdup (vehicle_id);
  return self;
}
