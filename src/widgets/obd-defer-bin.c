/* obd-defer-bin.c — a part of a page laid out a frame after the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While deferred, the child is kept unmapped (child-visible FALSE, as a
 * stack keeps its hidden pages) and the bin measures as nothing, so GTK
 * neither measures, allocates nor draws the child.  A deferred bin that
 * is mapped waits in one list with the others; each frame, the first one
 * waiting on that frame clock lets its child in.
 */
#define G_LOG_DOMAIN "obd-defer-bin"

#include "obd-defer-bin.h"

struct _ObdDeferBin
{
  GtkWidget  parent_instance;

  GtkWidget *child;
  GBinding  *visible;     /* the child's "visible" onto the bin's */
  gboolean   deferred;
  guint      tick_id;     /* while mapped, deferred and waiting */
  gint64     mapped_frame;  /* the frame clock's count when it began */
};

G_DEFINE_FINAL_TYPE (ObdDeferBin, obd_defer_bin, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHILD,
  PROP_DEFERRED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The bins waiting to let their child in, in the order they were mapped,
 * and the frame in which the last one did (one a frame per clock). */
static GQueue         waiting = G_QUEUE_INIT;
static GdkFrameClock *released_clock;   /* compared only, never used */
static gint64         released_frame = -1;

static void
stop_waiting (ObdDeferBin *self)
{
  if (self->tick_id == 0)
    return;
  gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_queue_remove (&waiting, self);
}

static void
apply (ObdDeferBin *self)
{
  if (self->child != NULL)
    gtk_widget_set_child_visible (self->child, !self->deferred);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static gboolean
first_on_clock (ObdDeferBin   *self,
                GdkFrameClock *clock)
{
  for (GList *l = waiting.head; l != NULL; l = l->next)
    {
      if (gtk_widget_get_frame_clock (l->data) == clock)
        return l->data == self;
    }
  return FALSE;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  ObdDeferBin *self = OBD_DEFER_BIN (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);

  /* Not in the frame that shows the rest of the page (the bin may have
   * been mapped before that frame began), nor twice in one frame. */
  if (frame < self->mapped_frame + 2 ||
      (clock == released_clock && frame == released_frame) || !first_on_clock (self, clock))
    return G_SOURCE_CONTINUE;

  released_clock = clock;
  released_frame = frame;
  self->tick_id = 0;
  g_queue_remove (&waiting, self);
  self->deferred = FALSE;
  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFERRED]);
  return G_SOURCE_REMOVE;
}

static void
start_waiting (ObdDeferBin *self)
{
  if (self->tick_id != 0 || !self->deferred || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  g_queue_push_tail (&waiting, self);
  self->mapped_frame = gdk_frame_clock_get_frame_counter (gtk_widget_get_frame_clock (GTK_WIDGET (self)));
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
obd_defer_bin_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (obd_defer_bin_parent_class)->map (widget);
  start_waiting (OBD_DEFER_BIN (widget));
}

static void
obd_defer_bin_unmap (GtkWidget *widget)
{
  stop_waiting (OBD_DEFER_BIN (widget));
  GTK_WIDGET_CLASS (obd_defer_bin_parent_class)->unmap (widget);
}

static GtkSizeRequestMode
obd_defer_bin_get_request_mode (GtkWidget *widget)
{
  ObdDeferBin *self = OBD_DEFER_BIN (widget);

  if (self->deferred || self->child == NULL)
    return GTK_SIZE_REQUEST_CONSTANT_SIZE;
  return gtk_widget_get_request_mode (self->child);
}

static void
obd_defer_bin_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  ObdDeferBin *self = OBD_DEFER_BIN (widget);

  if (self->deferred || self->child == NULL || !gtk_widget_get_visible (self->child))
    {
      *minimum = *natural = 0;
      return;
    }
  gtk_widget_measure (self->child, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
obd_defer_bin_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  ObdDeferBin *self = OBD_DEFER_BIN (widget);

  if (!self->deferred && self->child != NULL && gtk_widget_get_visible (self->child))
    gtk_widget_allocate (self->child, width, height, baseline, NULL);
}

/* The child's wish to expand is the bin's, deferred or not, so that the
 * page around it does not change its mind when the child comes in. */
static void
obd_defer_bin_compute_expand (GtkWidget *widget,
                              gboolean  *hexpand,
                              gboolean  *vexpand)
{
  ObdDeferBin *self = OBD_DEFER_BIN (widget);

  *hexpand = self->child != NULL && gtk_widget_compute_expand (self->child, GTK_ORIENTATION_HORIZONTAL);
  *vexpand = self->child != NULL && gtk_widget_compute_expand (self->child, GTK_ORIENTATION_VERTICAL);
}

static void
obd_defer_bin_dispose (GObject *object)
{
  ObdDeferBin *self = OBD_DEFER_BIN (object);

  stop_waiting (self);
  g_clear_pointer (&self->visible, g_binding_unbind);
  g_clear_pointer (&self->child, gtk_widget_unparent);

  G_OBJECT_CLASS (obd_defer_bin_parent_class)->dispose (object);
}

static void
obd_defer_bin_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdDeferBin *self = OBD_DEFER_BIN (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      g_value_set_object (value, self->child);
      break;
    case PROP_DEFERRED:
      g_value_set_boolean (value, self->deferred);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_defer_bin_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ObdDeferBin *self = OBD_DEFER_BIN (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      obd_defer_bin_set_child (self, g_value_get_object (value));
      break;
    case PROP_DEFERRED:
      obd_defer_bin_set_deferred (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_defer_bin_class_init (ObdDeferBinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_defer_bin_dispose;
  object_class->get_property = obd_defer_bin_get_property;
  object_class->set_property = obd_defer_bin_set_property;

  widget_class->map = obd_defer_bin_map;
  widget_class->unmap = obd_defer_bin_unmap;
  widget_class->get_request_mode = obd_defer_bin_get_request_mode;
  widget_class->measure = obd_defer_bin_measure;
  widget_class->size_allocate = obd_defer_bin_size_allocate;
  widget_class->compute_expand = obd_defer_bin_compute_expand;

  properties[PROP_CHILD] =
    g_param_spec_object ("child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFERRED] =
    g_param_spec_boolean ("deferred", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "deferbin");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

static void
obd_defer_bin_init (ObdDeferBin *self)
{
  self->deferred = TRUE;
}

GtkWidget *
obd_defer_bin_new (GtkWidget *child)
{
  g_return_val_if_fail (child == NULL || GTK_IS_WIDGET (child), NULL);

  return g_object_new (OBD_TYPE_DEFER_BIN, "child", child, NULL);
}

GtkWidget *
obd_defer_bin_get_child (ObdDeferBin *self)
{
  g_return_val_if_fail (OBD_IS_DEFER_BIN (self), NULL);

  return self->child;
}

void
obd_defer_bin_set_child (ObdDeferBin *self,
                         GtkWidget   *child)
{
  g_return_if_fail (OBD_IS_DEFER_BIN (self));
  g_return_if_fail (child == NULL || (GTK_IS_WIDGET (child) && gtk_widget_get_parent (child) == NULL));

  if (self->child == child)
    return;
  g_clear_pointer (&self->visible, g_binding_unbind);
  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
      gtk_widget_set_child_visible (child, !self->deferred);
      /* A hidden child takes no room, nor the spacing of the box the bin
       * is in. */
      self->visible = g_object_bind_property (child, "visible", self, "visible",
                                              G_BINDING_SYNC_CREATE);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILD]);
}

gboolean
obd_defer_bin_get_deferred (ObdDeferBin *self)
{
  g_return_val_if_fail (OBD_IS_DEFER_BIN (self), FALSE);

  return self->deferred;
}

void
obd_defer_bin_set_deferred (ObdDeferBin *self,
                            gboolean     deferred)
{
  g_return_if_fail (OBD_IS_DEFER_BIN (self));

  deferred = !!deferred;
  if (self->deferred == deferred)
    return;
  self->deferred = deferred;
  if (deferred)
    start_waiting (self);
  else
    stop_waiting (self);
  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFERRED]);
}

static void
defer_all (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (OBD_IS_DEFER_BIN (child))
        obd_defer_bin_set_deferred (OBD_DEFER_BIN (child), TRUE);
      defer_all (child);
    }
}

void
obd_defer_bin_show_stack_child (GtkStack   *stack,
                                const char *name)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_STACK (stack));
  g_return_if_fail (name != NULL);

  child = gtk_stack_get_child_by_name (stack, name);
  if (child != NULL && gtk_stack_get_visible_child (stack) != child)
    defer_all (child);
  gtk_stack_set_visible_child_name (stack, name);
}
