/* obd-clamp.c — a child no wider than a maximum, centred, narrowing smoothly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The child's width w(W) in a clamp W wide, for lower L (the threshold, or
 * the child's minimum width when larger), maximum M and upper U = L + 3 (M - L):
 *   W <= L:      w = W
 *   L < W < U:   w = L + (M - L) (1 - (1 - t)^3),  t = (W - L) / (U - L)
 *   W >= U:      w = M
 * Its natural width is the W at which the child gets its natural width
 * (or M), found by inverting the middle piece.
 */
#define G_LOG_DOMAIN "obd-clamp"

#include <math.h>

#include "obd-clamp.h"

struct _ObdClamp
{
  GtkWidget  parent_instance;

  GtkWidget *child;
  int        maximum_size;
  int        tightening_threshold;
};

G_DEFINE_FINAL_TYPE (ObdClamp, obd_clamp, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHILD,
  PROP_MAXIMUM_SIZE,
  PROP_TIGHTENING_THRESHOLD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The three widths of the curve above. */
typedef struct
{
  double lower;
  double maximum;
  double upper;
} Curve;

static Curve
curve_new (int maximum_size,
           int tightening_threshold,
           int child_minimum)
{
  Curve curve;

  curve.lower = MAX (MIN (tightening_threshold, maximum_size), child_minimum);
  curve.maximum = MAX (curve.lower, maximum_size);
  curve.upper = curve.lower + 3.0 * (curve.maximum - curve.lower);
  return curve;
}

int
obd_clamp_child_width (int maximum_size,
                       int tightening_threshold,
                       int child_minimum,
                       int width)
{
  Curve curve = curve_new (maximum_size, tightening_threshold, child_minimum);
  double t, rest;

  if (width <= curve.lower)
    return MAX (width, child_minimum);
  if (width >= curve.upper)
    return (int) curve.maximum;
  t = (width - curve.lower) / (curve.upper - curve.lower);
  rest = 1.0 - t;
  return (int) (curve.lower + (curve.maximum - curve.lower) * (1.0 - rest * rest * rest));
}

/* The smallest clamp width that gives the child @child_width (at most the
 * maximum): the inverse of the curve, then made exact against the
 * rounding of obd_clamp_child_width (). */
static int
clamp_width_for (int maximum_size,
                 int tightening_threshold,
                 int child_minimum,
                 int child_width)
{
  Curve curve = curve_new (maximum_size, tightening_threshold, child_minimum);
  double share, t, exact;
  int width;

  child_width = MAX (child_width, child_minimum);
  if (child_width <= curve.lower)
    return child_width;
  child_width = MIN (child_width, (int) curve.maximum);
  share = (child_width - curve.lower) / (curve.maximum - curve.lower);
  t = 1.0 - cbrt (1.0 - share);
  exact = ceil (curve.lower + t * (curve.upper - curve.lower));
  /* Kept well inside int, for a maximum-size near G_MAXINT. */
  if (exact >= G_MAXINT / 2)
    return G_MAXINT / 2;
  width = (int) exact;
  while (width > 0 && obd_clamp_child_width (maximum_size, tightening_threshold,
                                             child_minimum, width - 1) >= child_width)
    width--;
  while (obd_clamp_child_width (maximum_size, tightening_threshold,
                                child_minimum, width) < child_width)
    width++;
  return width;
}

static gboolean
has_child (ObdClamp *self)
{
  return self->child != NULL && gtk_widget_get_visible (self->child);
}

static int
child_minimum_width (ObdClamp *self)
{
  int minimum;

  gtk_widget_measure (self->child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum;
}

static GtkSizeRequestMode
obd_clamp_get_request_mode (GtkWidget *widget)
{
  ObdClamp *self = OBD_CLAMP (widget);

  return has_child (self) ? GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
obd_clamp_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  ObdClamp *self = OBD_CLAMP (widget);

  if (!has_child (self))
    {
      *minimum = *natural = 0;
      return;
    }

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int child_minimum, child_natural;

      gtk_widget_measure (self->child, orientation, for_size, &child_minimum, &child_natural,
                          NULL, NULL);
      *minimum = child_minimum;
      *natural = clamp_width_for (self->maximum_size, self->tightening_threshold,
                                  child_minimum, child_natural);
      return;
    }

  /* The child's height at the width it gets; with no width given, at its
   * natural width (at most the maximum). */
  if (for_size >= 0)
    for_size = obd_clamp_child_width (self->maximum_size, self->tightening_threshold,
                                      child_minimum_width (self), for_size);
  else
    {
      int child_natural;

      gtk_widget_measure (self->child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &child_natural,
                          NULL, NULL);
      for_size = MIN (child_natural, MAX (self->maximum_size, child_minimum_width (self)));
    }
  gtk_widget_measure (self->child, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
obd_clamp_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  ObdClamp *self = OBD_CLAMP (widget);
  int child_width;

  if (!has_child (self))
    return;
  child_width = obd_clamp_child_width (self->maximum_size, self->tightening_threshold,
                                       child_minimum_width (self), width);
  gtk_widget_size_allocate (self->child,
                            &(GtkAllocation) { (width - child_width) / 2, 0, child_width, height },
                            baseline);
}

static void
obd_clamp_compute_expand (GtkWidget *widget,
                          gboolean  *hexpand,
                          gboolean  *vexpand)
{
  ObdClamp *self = OBD_CLAMP (widget);

  *hexpand = self->child != NULL && gtk_widget_compute_expand (self->child, GTK_ORIENTATION_HORIZONTAL);
  *vexpand = self->child != NULL && gtk_widget_compute_expand (self->child, GTK_ORIENTATION_VERTICAL);
}

static void
obd_clamp_dispose (GObject *object)
{
  ObdClamp *self = OBD_CLAMP (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);

  G_OBJECT_CLASS (obd_clamp_parent_class)->dispose (object);
}

static void
obd_clamp_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  ObdClamp *self = OBD_CLAMP (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      g_value_set_object (value, self->child);
      break;
    case PROP_MAXIMUM_SIZE:
      g_value_set_int (value, self->maximum_size);
      break;
    case PROP_TIGHTENING_THRESHOLD:
      g_value_set_int (value, self->tightening_threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_clamp_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  ObdClamp *self = OBD_CLAMP (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      obd_clamp_set_child (self, g_value_get_object (value));
      break;
    case PROP_MAXIMUM_SIZE:
      obd_clamp_set_maximum_size (self, g_value_get_int (value));
      break;
    case PROP_TIGHTENING_THRESHOLD:
      obd_clamp_set_tightening_threshold (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_clamp_class_init (ObdClampClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_clamp_dispose;
  object_class->get_property = obd_clamp_get_property;
  object_class->set_property = obd_clamp_set_property;

  widget_class->get_request_mode = obd_clamp_get_request_mode;
  widget_class->measure = obd_clamp_measure;
  widget_class->size_allocate = obd_clamp_size_allocate;
  widget_class->compute_expand = obd_clamp_compute_expand;

  properties[PROP_CHILD] =
    g_param_spec_object ("child", NULL, NULL, GTK_TYPE_WIDGET, flags);
  properties[PROP_MAXIMUM_SIZE] =
    g_param_spec_int ("maximum-size", NULL, NULL, 0, G_MAXINT, 600, flags);
  properties[PROP_TIGHTENING_THRESHOLD] =
    g_param_spec_int ("tightening-threshold", NULL, NULL, 0, G_MAXINT, 400, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The node name AdwClamp has, so a theme treats both alike. */
  gtk_widget_class_set_css_name (widget_class, "clamp");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

static void
obd_clamp_init (ObdClamp *self)
{
  self->maximum_size = 600;
  self->tightening_threshold = 400;
}

GtkWidget *
obd_clamp_new (void)
{
  return g_object_new (OBD_TYPE_CLAMP, NULL);
}

GtkWidget *
obd_clamp_get_child (ObdClamp *self)
{
  g_return_val_if_fail (OBD_IS_CLAMP (self), NULL);

  return self->child;
}

void
obd_clamp_set_child (ObdClamp  *self,
                     GtkWidget *child)
{
  g_return_if_fail (OBD_IS_CLAMP (self));
  g_return_if_fail (child == NULL || (GTK_IS_WIDGET (child) && gtk_widget_get_parent (child) == NULL));

  if (self->child == child)
    return;
  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILD]);
}

int
obd_clamp_get_maximum_size (ObdClamp *self)
{
  g_return_val_if_fail (OBD_IS_CLAMP (self), 0);

  return self->maximum_size;
}

void
obd_clamp_set_maximum_size (ObdClamp *self,
                            int       maximum_size)
{
  g_return_if_fail (OBD_IS_CLAMP (self));
  g_return_if_fail (maximum_size >= 0);

  if (self->maximum_size == maximum_size)
    return;
  self->maximum_size = maximum_size;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAXIMUM_SIZE]);
}

int
obd_clamp_get_tightening_threshold (ObdClamp *self)
{
  g_return_val_if_fail (OBD_IS_CLAMP (self), 0);

  return self->tightening_threshold;
}

void
obd_clamp_set_tightening_threshold (ObdClamp *self,
                                    int       tightening_threshold)
{
  g_return_if_fail (OBD_IS_CLAMP (self));
  g_return_if_fail (tightening_threshold >= 0);

  if (self->tightening_threshold == tightening_threshold)
    return;
  self->tightening_threshold = tightening_threshold;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIGHTENING_THRESHOLD]);
}
