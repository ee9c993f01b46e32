/* obd-chart-layer.h — one thing a trend chart draws: a line, an axis, a legend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ObdTrendChart lays out its panels (one per unit) and asks each layer to
 * draw into the part of a frame that is its own; the layer knows nothing of
 * gestures, properties or the other layers.  Modelled on Sysprof's chart
 * layers.  Private to src/widgets.
 */
#pragma once

#include <gtk/gtk.h>

#include "obd-chart-columns.h"
#include "obd-chart-scale.h"

G_BEGIN_DECLS

/* Everything a layer needs to draw one frame. */
typedef struct
{
  graphene_rect_t          area;          /* the layer's plot area (a panel, or
                                           * all panels for the time axis) */
  gint64                   t0;            /* visible window [t0, t1) */
  gint64                   t1;
  double                   lo;            /* the panel's value range */
  double                   hi;
  double                   step;          /* its tick step */
  int                      scale;         /* device pixels per widget pixel */
  double                   line_height;   /* of the label font */
  double                   label_width;   /* room left of the plot for labels */
  GdkRGBA                  fg;
  GdkRGBA                  bg;
  gboolean                 high_contrast;
  ObdChartColumnsStrategy  strategy;
  ObdTrendChartTimeLabels  time_labels;
  gint64                   time_origin;
  gint64                   newest;        /* newest sample of any series */
} ObdChartFrame;

#define OBD_TYPE_CHART_LAYER (obd_chart_layer_get_type ())
G_DECLARE_DERIVABLE_TYPE (ObdChartLayer, obd_chart_layer, OBD, CHART_LAYER, GObject)

struct _ObdChartLayerClass
{
  GObjectClass parent_class;

  void (*snapshot)      (ObdChartLayer       *self,
                         GtkWidget           *widget,
                         GtkSnapshot         *snapshot,
                         const ObdChartFrame *frame);
  /* Fonts or scale changed: drop what was measured.  Optional. */
  void (*style_changed) (ObdChartLayer       *self);
};

void         _obd_chart_layer_snapshot        (ObdChartLayer       *self,
                                               GtkWidget           *widget,
                                               GtkSnapshot         *snapshot,
                                               const ObdChartFrame *frame);

/* A label layout in the chart's axis font (a little smaller than body
 * text, tabular figures), kept between frames: axis labels repeat, and
 * shaping them anew every frame is most of what a frame of text costs. */
PangoLayout *_obd_chart_layer_get_layout      (ObdChartLayer       *self,
                                               GtkWidget           *widget,
                                               const char          *text,
                                               gboolean             bold);
/* Drops the kept layouts (fonts or scale changed). */
void         _obd_chart_layer_style_changed   (ObdChartLayer       *self);
/* Kept layouts not used since the last call are dropped; call once a
 * frame. */
void         _obd_chart_layer_end_frame       (ObdChartLayer       *self);

/* The same font, for measuring and one-off text. */
PangoLayout *_obd_chart_create_layout         (GtkWidget           *widget,
                                               const char          *text,
                                               gboolean             bold);
void         _obd_chart_append_layout         (GtkSnapshot         *snapshot,
                                               PangoLayout         *layout,
                                               double               x,
                                               double               y,
                                               const GdkRGBA       *color);
/* A crisp 1 px line as a colour node. */
void         _obd_chart_append_hline          (GtkSnapshot         *snapshot,
                                               double               x0,
                                               double               x1,
                                               double               y,
                                               const GdkRGBA       *color);
void         _obd_chart_append_vline          (GtkSnapshot         *snapshot,
                                               double               x,
                                               double               y0,
                                               double               y1,
                                               const GdkRGBA       *color);
void         _obd_chart_lookup_color          (GtkWidget           *widget,
                                               const char          *name,
                                               const char          *fallback,
                                               GdkRGBA             *out);

G_END_DECLS
