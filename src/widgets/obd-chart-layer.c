/* obd-chart-layer.c — one thing a trend chart draws: a line, an axis, a legend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-chart-layer.h"

typedef struct
{
  GHashTable *layouts;       /* "b"/"n" + text → PangoLayout, kept across frames */
  GHashTable *used;          /* keys used this frame */
} ObdChartLayerPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ObdChartLayer, obd_chart_layer, G_TYPE_OBJECT)

static void
obd_chart_layer_finalize (GObject *object)
{
  ObdChartLayerPrivate *priv = obd_chart_layer_get_instance_private (OBD_CHART_LAYER (object));

  g_hash_table_unref (priv->layouts);
  g_hash_table_unref (priv->used);

  G_OBJECT_CLASS (obd_chart_layer_parent_class)->finalize (object);
}

static void
obd_chart_layer_class_init (ObdChartLayerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = obd_chart_layer_finalize;
}

static void
obd_chart_layer_init (ObdChartLayer *self)
{
  ObdChartLayerPrivate *priv = obd_chart_layer_get_instance_private (self);

  priv->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  priv->used = g_hash_table_new (g_str_hash, g_str_equal);
}

void
_obd_chart_layer_snapshot (ObdChartLayer       *self,
                           GtkWidget           *widget,
                           GtkSnapshot         *snapshot,
                           const ObdChartFrame *frame)
{
  g_return_if_fail (OBD_IS_CHART_LAYER (self));

  OBD_CHART_LAYER_GET_CLASS (self)->snapshot (self, widget, snapshot, frame);
}

PangoLayout *
_obd_chart_create_layout (GtkWidget  *widget,
                          const char *text,
                          gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  const PangoFontDescription *base;
  g_autoptr(PangoFontDescription) desc = NULL;
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  base = pango_context_get_font_description (pango_layout_get_context (layout));
  desc = pango_font_description_copy (base);
  /* Axis text a little smaller than body text, as in GNOME's charts. */
  if (pango_font_description_get_size_is_absolute (desc))
    pango_font_description_set_absolute_size (desc, pango_font_description_get_size (desc) * 0.85);
  else
    pango_font_description_set_size (desc, (int) (pango_font_description_get_size (desc) * 0.85));
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  /* Tabular figures: numbers do not jitter sideways as they change. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  return layout;
}

PangoLayout *
_obd_chart_layer_get_layout (ObdChartLayer *self,
                             GtkWidget     *widget,
                             const char    *text,
                             gboolean       bold)
{
  ObdChartLayerPrivate *priv = obd_chart_layer_get_instance_private (self);
  g_autofree char *key = g_strconcat (bold ? "b" : "n", text, NULL);
  gpointer own_key = NULL;
  gpointer layout = NULL;

  if (!g_hash_table_lookup_extended (priv->layouts, key, &own_key, &layout))
    {
      own_key = g_steal_pointer (&key);
      layout = _obd_chart_create_layout (widget, text, bold);
      g_hash_table_insert (priv->layouts, own_key, layout);
    }
  /* The set holds the table's own key, which lives as long as the layout. */
  g_hash_table_add (priv->used, own_key);
  return layout;
}

void
_obd_chart_layer_end_frame (ObdChartLayer *self)
{
  ObdChartLayerPrivate *priv = obd_chart_layer_get_instance_private (self);
  GHashTableIter iter;
  gpointer key;

  /* Labels scroll past (time axes, live values): keep what this frame
   * drew, so the cache never grows beyond one frame's text. */
  g_hash_table_iter_init (&iter, priv->layouts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (priv->used, key))
      g_hash_table_iter_remove (&iter);
  g_hash_table_remove_all (priv->used);
}

void
_obd_chart_layer_style_changed (ObdChartLayer *self)
{
  ObdChartLayerPrivate *priv = obd_chart_layer_get_instance_private (self);

  g_hash_table_remove_all (priv->used);
  g_hash_table_remove_all (priv->layouts);
  if (OBD_CHART_LAYER_GET_CLASS (self)->style_changed != NULL)
    OBD_CHART_LAYER_GET_CLASS (self)->style_changed (self);
}

void
_obd_chart_append_layout (GtkSnapshot   *snapshot,
                          PangoLayout   *layout,
                          double         x,
                          double         y,
                          const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (roundf ((float) x), roundf ((float) y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
_obd_chart_append_hline (GtkSnapshot   *snapshot,
                         double         x0,
                         double         x1,
                         double         y,
                         const GdkRGBA *color)
{
  float top = floorf ((float) y);

  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT ((float) x0, top, (float) (x1 - x0), 1.0f));
}

void
_obd_chart_append_vline (GtkSnapshot   *snapshot,
                         double         x,
                         double         y0,
                         double         y1,
                         const GdkRGBA *color)
{
  float left = floorf ((float) x);

  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT (left, (float) y0, 1.0f, (float) (y1 - y0)));
}

void
_obd_chart_lookup_color (GtkWidget  *widget,
                         const char *name,
                         const char *fallback,
                         GdkRGBA    *out)
{
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, out))
    gdk_rgba_parse (out, fallback);
}
