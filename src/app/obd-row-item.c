/* obd-row-item.c — one line of a list: what an ObdItemRow shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include "obd-row-item.h"

struct _ObdRowItem
{
  GObject   parent_instance;

  gint64    id;
  char     *title;
  char     *subtitle;
  int       subtitle_lines;
  char     *badge;
  char     *badge_class;
  char     *action_name;
  char     *action_icon;
  char     *action_label;
  gboolean  checkable;
  gboolean  checked;
  char     *check_label;
  gboolean  activatable;
  char     *css_class;
};

G_DEFINE_FINAL_TYPE (ObdRowItem, obd_row_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_SUBTITLE_LINES,
  PROP_BADGE,
  PROP_BADGE_CLASS,
  PROP_ACTION_NAME,
  PROP_ACTION_ICON,
  PROP_ACTION_LABEL,
  PROP_CHECKABLE,
  PROP_CHECKED,
  PROP_CHECK_LABEL,
  PROP_ACTIVATABLE,
  PROP_CSS_CLASS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
obd_row_item_finalize (GObject *object)
{
  ObdRowItem *self = OBD_ROW_ITEM (object);

  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->badge);
  g_free (self->badge_class);
  g_free (self->action_name);
  g_free (self->action_icon);
  g_free (self->action_label);
  g_free (self->check_label);
  g_free (self->css_class);

  G_OBJECT_CLASS (obd_row_item_parent_class)->finalize (object);
}

static void
obd_row_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ObdRowItem *self = OBD_ROW_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_SUBTITLE_LINES:
      g_value_set_int (value, self->subtitle_lines);
      break;
    case PROP_BADGE:
      g_value_set_string (value, self->badge);
      break;
    case PROP_BADGE_CLASS:
      g_value_set_string (value, self->badge_class);
      break;
    case PROP_ACTION_NAME:
      g_value_set_string (value, self->action_name);
      break;
    case PROP_ACTION_ICON:
      g_value_set_string (value, self->action_icon);
      break;
    case PROP_ACTION_LABEL:
      g_value_set_string (value, self->action_label);
      break;
    case PROP_CHECKABLE:
      g_value_set_boolean (value, self->checkable);
      break;
    case PROP_CHECKED:
      g_value_set_boolean (value, self->checked);
      break;
    case PROP_CHECK_LABEL:
      g_value_set_string (value, self->check_label);
      break;
    case PROP_ACTIVATABLE:
      g_value_set_boolean (value, self->activatable);
      break;
    case PROP_CSS_CLASS:
      g_value_set_string (value, self->css_class);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_row_item_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ObdRowItem *self = OBD_ROW_ITEM (object);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_ID:
      if ((changed = self->id != g_value_get_int64 (value)))
        self->id = g_value_get_int64 (value);
      break;
    case PROP_TITLE:
      if ((changed = g_strcmp0 (self->title, g_value_get_string (value)) != 0))
        {
          g_free (self->title);
          self->title = g_value_dup_string (value);
        }
      break;
    case PROP_SUBTITLE:
      if ((changed = g_strcmp0 (self->subtitle, g_value_get_string (value)) != 0))
        {
          g_free (self->subtitle);
          self->subtitle = g_value_dup_string (value);
        }
      break;
    case PROP_SUBTITLE_LINES:
      if ((changed = self->subtitle_lines != g_value_get_int (value)))
        self->subtitle_lines = g_value_get_int (value);
      break;
    case PROP_BADGE:
      if ((changed = g_strcmp0 (self->badge, g_value_get_string (value)) != 0))
        {
          g_free (self->badge);
          self->badge = g_value_dup_string (value);
        }
      break;
    case PROP_BADGE_CLASS:
      if ((changed = g_strcmp0 (self->badge_class, g_value_get_string (value)) != 0))
        {
          g_free (self->badge_class);
          self->badge_class = g_value_dup_string (value);
        }
      break;
    case PROP_ACTION_NAME:
      if ((changed = g_strcmp0 (self->action_name, g_value_get_string (value)) != 0))
        {
          g_free (self->action_name);
          self->action_name = g_value_dup_string (value);
        }
      break;
    case PROP_ACTION_ICON:
      if ((changed = g_strcmp0 (self->action_icon, g_value_get_string (value)) != 0))
        {
          g_free (self->action_icon);
          self->action_icon = g_value_dup_string (value);
        }
      break;
    case PROP_ACTION_LABEL:
      if ((changed = g_strcmp0 (self->action_label, g_value_get_string (value)) != 0))
        {
          g_free (self->action_label);
          self->action_label = g_value_dup_string (value);
        }
      break;
    case PROP_CHECKABLE:
      if ((changed = self->checkable != g_value_get_boolean (value)))
        self->checkable = g_value_get_boolean (value);
      break;
    case PROP_CHECKED:
      if ((changed = self->checked != g_value_get_boolean (value)))
        self->checked = g_value_get_boolean (value);
      break;
    case PROP_CHECK_LABEL:
      if ((changed = g_strcmp0 (self->check_label, g_value_get_string (value)) != 0))
        {
          g_free (self->check_label);
          self->check_label = g_value_dup_string (value);
        }
      break;
    case PROP_ACTIVATABLE:
      if ((changed = self->activatable != g_value_get_boolean (value)))
        self->activatable = g_value_get_boolean (value);
      break;
    case PROP_CSS_CLASS:
      if ((changed = g_strcmp0 (self->css_class, g_value_get_string (value)) != 0))
        {
          g_free (self->css_class);
          self->css_class = g_value_dup_string (value);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
obd_row_item_class_init (ObdRowItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = obd_row_item_finalize;
  object_class->get_property = obd_row_item_get_property;
  object_class->set_property = obd_row_item_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, rw);
  properties[PROP_SUBTITLE_LINES] = g_param_spec_int ("subtitle-lines", NULL, NULL, 0, G_MAXINT, 1,
                                                      rw);
  properties[PROP_BADGE] = g_param_spec_string ("badge", NULL, NULL, NULL, rw);
  properties[PROP_BADGE_CLASS] = g_param_spec_string ("badge-class", NULL, NULL, NULL, rw);
  properties[PROP_ACTION_NAME] = g_param_spec_string ("action-name", NULL, NULL, NULL, rw);
  properties[PROP_ACTION_ICON] = g_param_spec_string ("action-icon", NULL, NULL, NULL, rw);
  properties[PROP_ACTION_LABEL] = g_param_spec_string ("action-label", NULL, NULL, NULL, rw);
  properties[PROP_CHECKABLE] = g_param_spec_boolean ("checkable", NULL, NULL, FALSE, rw);
  properties[PROP_CHECKED] = g_param_spec_boolean ("checked", NULL, NULL, FALSE, rw);
  properties[PROP_CHECK_LABEL] = g_param_spec_string ("check-label", NULL, NULL, NULL, rw);
  properties[PROP_ACTIVATABLE] = g_param_spec_boolean ("activatable", NULL, NULL, FALSE, rw);
  properties[PROP_CSS_CLASS] = g_param_spec_string ("css-class", NULL, NULL, NULL, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_row_item_init (ObdRowItem *self)
{
  self->subtitle_lines = 1;
}

ObdRowItem *
obd_row_item_new (gint64      id,
                  const char *title,
                  const char *subtitle)
{
  return g_object_new (OBD_TYPE_ROW_ITEM, "id", id, "title", title, "subtitle", subtitle, NULL);
}

gint64
obd_row_item_get_id (ObdRowItem *self)
{
  g_return_val_if_fail (OBD_IS_ROW_ITEM (self), 0);
  return self->id;
}

const char *
obd_row_item_get_title (ObdRowItem *self)
{
  g_return_val_if_fail (OBD_IS_ROW_ITEM (self), NULL);
  return self->title;
}

const char *
obd_row_item_get_subtitle (ObdRowItem *self)
{
  g_return_val_if_fail (OBD_IS_ROW_ITEM (self), NULL);
  return self->subtitle;
}

const char *
obd_row_item_get_badge (ObdRowItem *self)
{
  g_return_val_if_fail (OBD_IS_ROW_ITEM (self), NULL);
  return self->badge;
}

gboolean
obd_row_item_get_checked (ObdRowItem *self)
{
  g_return_val_if_fail (OBD_IS_ROW_ITEM (self), FALSE);
  return self->checked;
}

void
obd_row_item_set_checked (ObdRowItem *self,
                          gboolean    checked)
{
  g_return_if_fail (OBD_IS_ROW_ITEM (self));
  g_object_set (self, "checked", checked, NULL);
}
