/* obd-row.c — a list row with a title, a subtitle and widgets around them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One grid: the prefixes in the first column, the title over the
 * subtitle in the second, the suffixes in the third, both side columns
 * spanning the two lines; details, if any, on a third line across, with
 * an arrow in a fourth column.  Labels wrap at word boundaries only: breaking
 * inside words makes a label's minimum width one character, and every
 * width a container then tries is a new layout of its text.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include "obd-row.h"

typedef struct
{
  GtkWidget *grid;
  GtkWidget *prefixes;
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *suffixes;
  GtkWidget *arrow;                /* with details */
  GtkWidget *details;              /* under the text, shown while expanded */
  GtkWidget *activatable_widget;   /* weak */
  gboolean   expanded;
} ObdRowPrivate;

static void obd_row_buildable_init (GtkBuildableIface *iface);

G_DEFINE_TYPE_WITH_CODE (ObdRow, obd_row, ADW_TYPE_PREFERENCES_ROW,
                         G_ADD_PRIVATE (ObdRow)
                         G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, obd_row_buildable_init))

static GtkBuildableIface *parent_buildable;

enum
{
  PROP_0,
  PROP_SUBTITLE,
  PROP_TITLE_LINES,
  PROP_SUBTITLE_LINES,
  PROP_ACTIVATABLE_WIDGET,
  PROP_EXPANDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_lines (GtkWidget *label,
           int        lines)
{
  gtk_label_set_lines (GTK_LABEL (label), lines > 0 ? lines : -1);
  gtk_label_set_ellipsize (GTK_LABEL (label), lines > 0 ? PANGO_ELLIPSIZE_END
                                                        : PANGO_ELLIPSIZE_NONE);
}

static GtkWidget *
label_new (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD);
  gtk_widget_add_css_class (label, css_class);
  return label;
}

/* The text sits in the middle of a row taller than it (the row's 50 px
 * minimum): the title and subtitle lines share what is left over and
 * hold their text against each other.  Not valign on the grid: GTK 4.8
 * then measures the grid's width for its height, and each wrapping label
 * answers that with a binary search of about ten layouts. */
static void
center_text (ObdRow *self)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  gtk_label_set_yalign (GTK_LABEL (priv->title),
                        gtk_widget_get_visible (priv->subtitle) ? 1.0f : 0.5f);
}

/* Public ------------------------------------------------------------------ */

GtkWidget *
obd_row_new (void)
{
  return g_object_new (OBD_TYPE_ROW, NULL);
}

const char *
obd_row_get_title (ObdRow *self)
{
  g_return_val_if_fail (OBD_IS_ROW (self), NULL);
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));
}

void
obd_row_set_title (ObdRow     *self,
                   const char *title)
{
  g_return_if_fail (OBD_IS_ROW (self));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title != NULL ? title : "");
}

static void
on_title_cb (ObdRow *self)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  gtk_label_set_label (GTK_LABEL (priv->title),
                       adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self)));
}

const char *
obd_row_get_subtitle (ObdRow *self)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_ROW (self), NULL);
  return gtk_label_get_label (GTK_LABEL (priv->subtitle));
}

void
obd_row_set_subtitle (ObdRow     *self,
                      const char *subtitle)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));

  if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (priv->subtitle)),
                 subtitle != NULL ? subtitle : "") == 0)
    return;
  gtk_label_set_label (GTK_LABEL (priv->subtitle), subtitle);
  gtk_widget_set_visible (priv->subtitle, subtitle != NULL && *subtitle != '\0');
  center_text (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

void
obd_row_set_title_lines (ObdRow *self,
                         int     lines)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));
  set_lines (priv->title, lines);
}

void
obd_row_set_subtitle_lines (ObdRow *self,
                            int     lines)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));
  set_lines (priv->subtitle, lines);
}

void
obd_row_add_prefix (ObdRow    *self,
                    GtkWidget *widget)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_box_append (GTK_BOX (priv->prefixes), widget);
  gtk_widget_set_visible (priv->prefixes, TRUE);
}

void
obd_row_add_suffix (ObdRow    *self,
                    GtkWidget *widget)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_box_append (GTK_BOX (priv->suffixes), widget);
  gtk_widget_set_visible (priv->suffixes, TRUE);
}

void
obd_row_set_activatable_widget (ObdRow    *self,
                                GtkWidget *widget)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  if (priv->activatable_widget == widget)
    return;
  if (priv->activatable_widget != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->activatable_widget),
                                  (gpointer *) &priv->activatable_widget);
  priv->activatable_widget = widget;
  if (widget != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &priv->activatable_widget);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVATABLE_WIDGET]);
}

void
obd_row_set_details (ObdRow    *self,
                     GtkWidget *details)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (details));
  g_return_if_fail (priv->details == NULL);

  priv->details = details;
  gtk_widget_add_css_class (details, "obd-row-details");
  gtk_widget_set_visible (details, priv->expanded);
  gtk_grid_attach (GTK_GRID (priv->grid), details, 1, 2, 3, 1);
  /* AdwExpanderRow's arrow (libadwaita's own icon), turned as it does. */
  priv->arrow = gtk_image_new_from_icon_name ("adw-expander-arrow-symbolic");
  gtk_widget_add_css_class (priv->arrow, "obd-row-arrow");
  gtk_accessible_update_property (GTK_ACCESSIBLE (priv->arrow), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "", -1);
  gtk_grid_attach (GTK_GRID (priv->grid), priv->arrow, 3, 0, 1, 2);
  gtk_widget_set_valign (priv->arrow, GTK_ALIGN_CENTER);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_EXPANDED,
                               priv->expanded, -1);
}

gboolean
obd_row_get_expanded (ObdRow *self)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_ROW (self), FALSE);
  return priv->expanded;
}

void
obd_row_set_expanded (ObdRow   *self,
                      gboolean  expanded)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  g_return_if_fail (OBD_IS_ROW (self));

  expanded = !!expanded;
  if (priv->expanded == expanded || priv->details == NULL)
    return;
  priv->expanded = expanded;
  /* Hidden, the details are not measured at all (a closed AdwExpanderRow
   * measures what it hides). */
  gtk_widget_set_visible (priv->details, expanded);
  if (expanded)
    gtk_widget_add_css_class (GTK_WIDGET (self), "expanded");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "expanded");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_EXPANDED, expanded, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPANDED]);
}

/* GtkBuildable ------------------------------------------------------------ */

static void
obd_row_buildable_add_child (GtkBuildable *buildable,
                             GtkBuilder   *builder,
                             GObject      *child,
                             const char   *type)
{
  ObdRow *self = OBD_ROW (buildable);

  if (g_strcmp0 (type, "prefix") == 0)
    obd_row_add_prefix (self, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "suffix") == 0)
    obd_row_add_suffix (self, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "details") == 0)
    obd_row_set_details (self, GTK_WIDGET (child));
  else if (GTK_IS_WIDGET (child))
    /* The grid is the row's child: any other widget is a suffix. */
    obd_row_add_suffix (self, GTK_WIDGET (child));
  else
    parent_buildable->add_child (buildable, builder, child, type);
}

static void
obd_row_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable = g_type_interface_peek_parent (iface);
  iface->add_child = obd_row_buildable_add_child;
}

/* GObject --------------------------------------------------------------- */

static void
obd_row_activate (GtkListBoxRow *row)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (OBD_ROW (row));

  if (priv->activatable_widget != NULL)
    gtk_widget_mnemonic_activate (priv->activatable_widget, FALSE);
  else if (priv->details != NULL)
    obd_row_set_expanded (OBD_ROW (row), !priv->expanded);
  else if (GTK_LIST_BOX_ROW_CLASS (obd_row_parent_class)->activate != NULL)
    GTK_LIST_BOX_ROW_CLASS (obd_row_parent_class)->activate (row);
}

static void
obd_row_dispose (GObject *object)
{
  ObdRow *self = OBD_ROW (object);

  obd_row_set_activatable_widget (self, NULL);

  G_OBJECT_CLASS (obd_row_parent_class)->dispose (object);
}

static void
obd_row_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  ObdRow *self = OBD_ROW (object);
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SUBTITLE:
      g_value_set_string (value, obd_row_get_subtitle (self));
      break;
    case PROP_TITLE_LINES:
      g_value_set_int (value, MAX (gtk_label_get_lines (GTK_LABEL (priv->title)), 0));
      break;
    case PROP_SUBTITLE_LINES:
      g_value_set_int (value, MAX (gtk_label_get_lines (GTK_LABEL (priv->subtitle)), 0));
      break;
    case PROP_ACTIVATABLE_WIDGET:
      g_value_set_object (value, priv->activatable_widget);
      break;
    case PROP_EXPANDED:
      g_value_set_boolean (value, priv->expanded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_row_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  ObdRow *self = OBD_ROW (object);

  switch (prop_id)
    {
    case PROP_SUBTITLE:
      obd_row_set_subtitle (self, g_value_get_string (value));
      break;
    case PROP_TITLE_LINES:
      obd_row_set_title_lines (self, g_value_get_int (value));
      break;
    case PROP_SUBTITLE_LINES:
      obd_row_set_subtitle_lines (self, g_value_get_int (value));
      break;
    case PROP_ACTIVATABLE_WIDGET:
      obd_row_set_activatable_widget (self, g_value_get_object (value));
      break;
    case PROP_EXPANDED:
      obd_row_set_expanded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_row_class_init (ObdRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkListBoxRowClass *row_class = GTK_LIST_BOX_ROW_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_row_dispose;
  object_class->get_property = obd_row_get_property;
  object_class->set_property = obd_row_set_property;
  row_class->activate = obd_row_activate;

  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, "", rw);
  properties[PROP_TITLE_LINES] =
    g_param_spec_int ("title-lines", NULL, NULL, 0, G_MAXINT, 0, rw);
  properties[PROP_SUBTITLE_LINES] =
    g_param_spec_int ("subtitle-lines", NULL, NULL, 0, G_MAXINT, 0, rw);
  properties[PROP_ACTIVATABLE_WIDGET] =
    g_param_spec_object ("activatable-widget", NULL, NULL, GTK_TYPE_WIDGET, rw);
  properties[PROP_EXPANDED] = g_param_spec_boolean ("expanded", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_row_init (ObdRow *self)
{
  ObdRowPrivate *priv = obd_row_get_instance_private (self);

  gtk_widget_add_css_class (GTK_WIDGET (self), "obd-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  g_signal_connect (self, "notify::title", G_CALLBACK (on_title_cb), NULL);

  priv->grid = gtk_grid_new ();
  gtk_widget_add_css_class (priv->grid, "obd-row-header");
  /* The labels' vexpand shares out the room; the row does not grow for it. */
  gtk_widget_set_vexpand (priv->grid, FALSE);
  gtk_grid_set_column_spacing (GTK_GRID (priv->grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (priv->grid), 3);

  priv->prefixes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_visible (priv->prefixes, FALSE);
  gtk_widget_set_valign (priv->prefixes, GTK_ALIGN_CENTER);
  priv->suffixes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_visible (priv->suffixes, FALSE);
  gtk_widget_set_valign (priv->suffixes, GTK_ALIGN_CENTER);
  priv->title = label_new ("title");
  gtk_widget_set_hexpand (priv->title, TRUE);
  gtk_widget_set_vexpand (priv->title, TRUE);
  priv->subtitle = label_new ("subtitle");
  gtk_widget_set_vexpand (priv->subtitle, TRUE);
  gtk_label_set_yalign (GTK_LABEL (priv->subtitle), 0.0f);
  gtk_widget_set_visible (priv->subtitle, FALSE);

  gtk_grid_attach (GTK_GRID (priv->grid), priv->prefixes, 0, 0, 1, 2);
  gtk_grid_attach (GTK_GRID (priv->grid), priv->title, 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (priv->grid), priv->subtitle, 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (priv->grid), priv->suffixes, 2, 0, 1, 2);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), priv->grid);
  center_text (self);

  /* Named by its title, described by its subtitle, as AdwActionRow. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, priv->title, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, priv->subtitle, NULL,
                                  -1);
}
