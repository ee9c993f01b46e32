/* obd-code-item.c — a trouble code read from the vehicle, explained
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-code-item.h"
#include "obd-dtc-kb.h"
#include "obd-pid.h"

struct _ObdCodeItem
{
  GObject         parent_instance;

  ObdDtc          dtc;
  ObdDtcInfo      info;      /* strings owned by the knowledge base */
  char           *where;
  char           *explanation;
  char           *causes;
  GStrv           freeze_frame;
  char           *guide_id;
  char           *guide_title;
};

G_DEFINE_FINAL_TYPE (ObdCodeItem, obd_code_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CODE,
  PROP_TITLE,
  PROP_WHERE,
  PROP_EXPLANATION,
  PROP_CAUSES,
  PROP_HAS_CAUSES,
  PROP_SEVERITY_LABEL,
  PROP_SEVERITY_ICON,
  PROP_HAS_FREEZE_FRAME,
  PROP_GUIDE_TITLE,
  PROP_HAS_GUIDE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
severity_icon (ObdDtcSeverity severity)
{
  switch (severity)
    {
    case OBD_DTC_SEVERITY_CRITICAL:
      return "dialog-error-symbolic";
    case OBD_DTC_SEVERITY_WARNING:
      return "dialog-warning-symbolic";
    case OBD_DTC_SEVERITY_INFO:
    default:
      return "dialog-information-symbolic";
    }
}

const char *
obd_code_item_get_severity_class (ObdCodeItem *self)
{
  g_return_val_if_fail (OBD_IS_CODE_ITEM (self), NULL);

  switch (self->info.severity)
    {
    case OBD_DTC_SEVERITY_CRITICAL:
      return "error";
    case OBD_DTC_SEVERITY_WARNING:
      return "warning";
    case OBD_DTC_SEVERITY_INFO:
    default:
      return "dim-label";
    }
}

ObdDtcKind
obd_code_item_get_kind (ObdCodeItem *self)
{
  g_return_val_if_fail (OBD_IS_CODE_ITEM (self), OBD_DTC_KIND_STORED);

  return self->dtc.kind;
}

const char * const *
obd_code_item_get_freeze_frame (ObdCodeItem *self)
{
  g_return_val_if_fail (OBD_IS_CODE_ITEM (self), NULL);

  return (const char * const *) self->freeze_frame;
}

void
obd_code_item_set_guide (ObdCodeItem *self,
                         const char  *guide_id,
                         const char  *guide_title)
{
  g_return_if_fail (OBD_IS_CODE_ITEM (self));

  if (g_strcmp0 (self->guide_id, guide_id) == 0 && g_strcmp0 (self->guide_title, guide_title) == 0)
    return;
  g_free (self->guide_id);
  g_free (self->guide_title);
  self->guide_id = g_strdup (guide_id);
  self->guide_title = g_strdup (guide_title);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUIDE_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_GUIDE]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
obd_code_item_get_guide_id (ObdCodeItem *self)
{
  g_return_val_if_fail (OBD_IS_CODE_ITEM (self), NULL);

  return self->guide_id;
}

const char *
obd_code_item_get_code (ObdCodeItem *self)
{
  g_return_val_if_fail (OBD_IS_CODE_ITEM (self), NULL);

  return self->dtc.code;
}

static gboolean
freeze_frame_belongs_to (const ObdSnapshot *snapshot,
                         const ObdDtc      *dtc)
{
  if (snapshot->freeze_dtc[0] == '\0' || strcmp (snapshot->freeze_dtc, dtc->code) != 0)
    return FALSE;
  /* With headers off the ECU is unknown (0) on one side or both. */
  return snapshot->freeze_ecu == 0 || dtc->ecu == 0 || snapshot->freeze_ecu == dtc->ecu;
}

static GStrv
freeze_frame_lines (const ObdSnapshot *snapshot,
                    ObdUnitSystem      units)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  for (guint i = 0; snapshot->freeze_values != NULL && i < snapshot->freeze_values->len; i++)
    {
      const ObdValue *value = &g_array_index (snapshot->freeze_values, ObdValue, i);
      const ObdPidInfo *info = obd_pid_lookup (value->pid);
      g_autofree char *text = NULL;

      /* PID 02 is the code itself, and bitmaps say only which PIDs exist. */
      if (value->pid == 0x02 || (info != NULL && info->kind == OBD_PID_KIND_BITMAP))
        continue;
      text = obd_value_format (value, units);
      g_strv_builder_add (lines, obd_value_get_label (value));
      g_strv_builder_add (lines, text);
    }
  return g_strv_builder_end (lines);
}

static ObdCodeItem *
code_item_new (const ObdDtc *dtc)
{
  ObdCodeItem *self = g_object_new (OBD_TYPE_CODE_ITEM, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) where = g_string_new (NULL);

  self->dtc = *dtc;
  if (!obd_dtc_kb_lookup (dtc->code, &self->info, &error))
    {
      g_debug ("No knowledge base entry for %s: %s", dtc->code, error->message);
      self->info.title = _("Unknown code");
      self->info.severity = OBD_DTC_SEVERITY_WARNING;
      self->info.system = OBD_DTC_SYSTEM_OTHER;
    }

  g_string_append (where, obd_dtc_system_get_label (self->info.system));
  if (dtc->ecu != 0)
    {
      g_string_append (where, " · ");
      /* Translators: the control unit (ECU) that reported a code, by its
       * bus address in hexadecimal, e.g. "Control unit 7E8" */
      g_string_append_printf (where, _("Control unit %X"), dtc->ecu);
    }
  self->where = g_string_free (g_steal_pointer (&where), FALSE);

  if (self->info.explanation != NULL)
    self->explanation = g_strdup (self->info.explanation);
  else if (self->info.manufacturer_specific)
    self->explanation = g_strdup (_("The vehicle manufacturer defines what this code means. "
                                    "Look it up in the service information for this make."));
  else
    self->explanation = g_strdup (_("No plain-language explanation is available for this "
                                    "code yet."));

  {
    g_autoptr(GString) causes = g_string_new (NULL);

    for (guint i = 0; self->info.causes != NULL && self->info.causes[i] != NULL; i++)
      g_string_append_printf (causes, "%s• %s", i > 0 ? "\n" : "", self->info.causes[i]);
    self->causes = g_string_free (g_steal_pointer (&causes), FALSE);
  }
  return self;
}

GPtrArray *
obd_code_items_new_for_snapshot (const ObdSnapshot *snapshot,
                                 ObdUnitSystem      units)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean freeze_shown = FALSE;

  g_return_val_if_fail (snapshot != NULL, items);

  /* Stored first: the freeze frame belongs to the code that set it, which
   * is normally a stored one, and is shown once. */
  for (ObdDtcKind kind = OBD_DTC_KIND_STORED; kind <= OBD_DTC_KIND_PERMANENT; kind++)
    for (guint i = 0; snapshot->dtcs != NULL && i < snapshot->dtcs->len; i++)
      {
        const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);
        ObdCodeItem *item;

        if (dtc->kind != kind)
          continue;
        item = code_item_new (dtc);
        if (!freeze_shown && freeze_frame_belongs_to (snapshot, dtc))
          {
            item->freeze_frame = freeze_frame_lines (snapshot, units);
            freeze_shown = TRUE;
          }
        g_ptr_array_add (items, item);
      }
  return items;
}

static void
obd_code_item_finalize (GObject *object)
{
  ObdCodeItem *self = OBD_CODE_ITEM (object);

  g_free (self->where);
  g_free (self->explanation);
  g_free (self->causes);
  g_strfreev (self->freeze_frame);
  g_free (self->guide_id);
  g_free (self->guide_title);

  G_OBJECT_CLASS (obd_code_item_parent_class)->finalize (object);
}

static void
obd_code_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdCodeItem *self = OBD_CODE_ITEM (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->dtc.code);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->info.title);
      break;
    case PROP_WHERE:
      g_value_set_string (value, self->where);
      break;
    case PROP_EXPLANATION:
      g_value_set_string (value, self->explanation);
      break;
    case PROP_CAUSES:
      g_value_set_string (value, self->causes);
      break;
    case PROP_HAS_CAUSES:
      g_value_set_boolean (value, self->causes[0] != '\0');
      break;
    case PROP_SEVERITY_LABEL:
      g_value_set_string (value, obd_dtc_severity_get_label (self->info.severity));
      break;
    case PROP_SEVERITY_ICON:
      g_value_set_string (value, severity_icon (self->info.severity));
      break;
    case PROP_HAS_FREEZE_FRAME:
      g_value_set_boolean (value, self->freeze_frame != NULL);
      break;
    case PROP_GUIDE_TITLE:
      g_value_set_string (value, self->guide_title);
      break;
    case PROP_HAS_GUIDE:
      g_value_set_boolean (value, self->guide_id != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_code_item_class_init (ObdCodeItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = obd_code_item_finalize;
  object_class->get_property = obd_code_item_get_property;

  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_WHERE] = g_param_spec_string ("where", NULL, NULL, NULL, ro);
  properties[PROP_EXPLANATION] = g_param_spec_string ("explanation", NULL, NULL, NULL, ro);
  properties[PROP_CAUSES] = g_param_spec_string ("causes", NULL, NULL, NULL, ro);
  properties[PROP_HAS_CAUSES] = g_param_spec_boolean ("has-causes", NULL, NULL, FALSE, ro);
  properties[PROP_SEVERITY_LABEL] = g_param_spec_string ("severity-label", NULL, NULL, NULL, ro);
  properties[PROP_SEVERITY_ICON] = g_param_spec_string ("severity-icon", NULL, NULL, NULL, ro);
  properties[PROP_HAS_FREEZE_FRAME] =
    g_param_spec_boolean ("has-freeze-frame", NULL, NULL, FALSE, ro);
  properties[PROP_GUIDE_TITLE] =
    g_param_spec_string ("guide-title", NULL, NULL, NULL, ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HAS_GUIDE] =
    g_param_spec_boolean ("has-guide", NULL, NULL, FALSE, ro | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_code_item_init (ObdCodeItem *self)
{
}
