/* obd-trend-chart.c — a multi-series time chart for live and recorded data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widget lays its series out and hands the drawing to layers: a
 * legend on top, then one panel per unit stacked over a shared time axis,
 * each panel with its own value axis and the line layers of its series.
 * Every frame reduces each series to one min/max pair per device-pixel
 * column (obd-chart-columns.c, kept between frames), so its cost depends
 * on the width and not on how many samples are stored.  Data changes only
 * queue a draw; GTK coalesces those into at most one frame per
 * frame-clock tick.  Input lives in obd-trend-chart-input.c.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-chart-legend.h"
#include "obd-chart-line-layer.h"
#include "obd-chart-time-axis.h"
#include "obd-chart-value-axis.h"
#include "obd-trend-chart-private.h"

#define MIN_SPAN_US        (G_USEC_PER_SEC / 100)                   /* 10 ms */
#define MAX_SPAN_US        ((gint64) 31 * 24 * 3600 * G_USEC_PER_SEC) /* a month */
#define DEFAULT_SPAN_US    ((gint64) 60 * G_USEC_PER_SEC)
#define A11Y_DELAY_MS      1000
#define PAD                8.0
/* A panel keeps room for three lines of labels, so its axis has at least
 * two numbers. */
#define MIN_PANEL_LINES    3.0

G_DEFINE_FINAL_TYPE (ObdTrendChart, obd_trend_chart, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (ObdTrendChartTimeLabels, obd_trend_chart_time_labels,
  G_DEFINE_ENUM_VALUE (OBD_TREND_CHART_TIME_RELATIVE, "relative"),
  G_DEFINE_ENUM_VALUE (OBD_TREND_CHART_TIME_ELAPSED, "elapsed"),
  G_DEFINE_ENUM_VALUE (OBD_TREND_CHART_TIME_CLOCK, "clock"))

G_DEFINE_ENUM_TYPE (ObdTrendChartDecimation, obd_trend_chart_decimation,
  G_DEFINE_ENUM_VALUE (OBD_TREND_CHART_DECIMATION_CACHED, "cached"),
  G_DEFINE_ENUM_VALUE (OBD_TREND_CHART_DECIMATION_LINEAR, "linear"))

enum {
  PROP_0,
  PROP_TIME_SPAN,
  PROP_END_TIME,
  PROP_LIVE_FOLLOW,
  PROP_SELECTED_SERIES,
  PROP_DECIMATION,
  PROP_TIME_LABELS,
  PROP_TIME_ORIGIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Layout ------------------------------------------------------------- */

static void
ensure_metrics (ObdTrendChart *self)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoRectangle rect;

  if (self->line_height > 0.0)
    return;
  layout = _obd_chart_create_layout (GTK_WIDGET (self), "−8888.8", FALSE);
  pango_layout_get_pixel_extents (layout, NULL, &rect);
  self->line_height = MAX (rect.height, 1);
  self->label_width = rect.width;
}

/* Series of one unit share a panel; a series without a unit has its own,
 * as two unitless readings rarely mean the same thing. */
static gboolean
same_panel (ObdChartSeries *a,
            ObdChartSeries *b)
{
  const char *ua = _obd_chart_series_get_unit (a);

  return *ua != '\0' && g_str_equal (ua, _obd_chart_series_get_unit (b));
}

/* The value range of a panel: the union of its series' fixed ranges and
 * visible data, padded to round steps unless every series is fixed. */
static void
panel_range (ObdTrendChart *self,
             guint          panel,
             int            divisions,
             ObdChartPanel *out)
{
  double lo = NAN, hi = NAN, a, b;
  gboolean all_fixed = TRUE;

  for (guint i = 0; i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);

      if (g_array_index (self->panel_of, int, i) != (int) panel)
        continue;
      if (!_obd_chart_series_get_fixed_range (series, &a, &b))
        {
          all_fixed = FALSE;
          if (!_obd_chart_series_data_range (series, self->end_time - self->time_span,
                                             self->end_time, &a, &b))
            continue;
        }
      lo = isnan (lo) ? a : MIN (lo, a);
      hi = isnan (hi) ? b : MAX (hi, b);
    }

  if (all_fixed && !isnan (lo))
    {
      out->lo = lo;
      out->hi = hi;
      out->step = _obd_chart_nice_step ((hi - lo) / divisions);
      return;
    }
  _obd_chart_auto_range (lo, hi, &out->lo, &out->hi, &out->step);
  if (divisions != 4)
    {
      out->step = _obd_chart_nice_step ((out->hi - out->lo) / divisions);
      out->lo = floor (out->lo / out->step) * out->step;
      out->hi = ceil (out->hi / out->step) * out->step;
    }
}

/* Groups the visible series into panels and places them for a widget of
 * width × height (0 × 0 before the first allocation: ranges only). */
void
_obd_trend_chart_layout (ObdTrendChart *self,
                         int            width,
                         int            height)
{
  double left, top, bottom_room, gap, panel_height;
  guint n_panels = 0;

  ensure_metrics (self);
  g_array_set_size (self->panels, 0);
  g_array_set_size (self->panel_of, self->series->len);
  for (guint i = 0; i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);
      int panel = -1;

      if (_obd_chart_series_get_visible (series))
        {
          for (guint j = 0; j < i && panel < 0; j++)
            if (g_array_index (self->panel_of, int, j) >= 0
                && same_panel (g_ptr_array_index (self->series, j), series))
              panel = g_array_index (self->panel_of, int, j);
          if (panel < 0)
            {
              ObdChartPanel p = { .unit = _obd_chart_series_get_unit (series) };

              g_array_append_val (self->panels, p);
              panel = (int) n_panels++;
            }
        }
      g_array_index (self->panel_of, int, i) = panel;
    }

  _obd_chart_legend_set_series (self->legend, self->series,
                                _obd_trend_chart_get_selected (self) != NULL
                                ? _obd_chart_series_get_id (_obd_trend_chart_get_selected (self)) : 0);
  left = self->label_width + 2 * PAD;
  self->legend_height = width > 0 ? _obd_chart_legend_measure (self->legend, GTK_WIDGET (self),
                                                               width - left - PAD)
                                  : 0.0;
  /* Room above each panel for its unit, under the last for the times. */
  gap = self->line_height + PAD / 2;
  top = PAD / 2 + self->legend_height + gap;
  bottom_room = self->line_height + PAD * 1.5;
  graphene_rect_init (&self->plot, (float) left, (float) top,
                      (float) MAX (width - left - 2 * PAD, 1.0),
                      (float) MAX (height - top - bottom_room, 1.0));

  panel_height = n_panels > 0 ? (self->plot.size.height - gap * (n_panels - 1)) / n_panels
                              : self->plot.size.height;
  panel_height = MAX (panel_height, 1.0);
  for (guint p = 0; p < n_panels; p++)
    {
      ObdChartPanel *panel = &g_array_index (self->panels, ObdChartPanel, p);
      int divisions = height > 0 ? CLAMP ((int) (panel_height / (2 * self->line_height)), 1, 4)
                                 : 4;

      graphene_rect_init (&panel->area, self->plot.origin.x,
                          (float) (self->plot.origin.y + p * (panel_height + gap)),
                          self->plot.size.width, (float) panel_height);
      panel_range (self, p, divisions, panel);
    }
}

const ObdChartPanel *
_obd_trend_chart_get_panels (ObdTrendChart *self,
                             guint         *n_panels)
{
  *n_panels = self->panels->len;
  return (const ObdChartPanel *) (gpointer) self->panels->data;
}

int
_obd_trend_chart_get_series_panel (ObdTrendChart *self,
                                   guint          series_id)
{
  int i = _obd_trend_chart_find_index (self, series_id);

  if (i < 0 || (guint) i >= self->panel_of->len)
    return -1;
  return g_array_index (self->panel_of, int, i);
}

guint
_obd_trend_chart_get_last_recomputed (ObdTrendChart *self,
                                      guint          series_id)
{
  int i = _obd_trend_chart_find_index (self, series_id);

  g_return_val_if_fail (i >= 0, 0);
  return _obd_chart_line_layer_get_last_recomputed (g_ptr_array_index (self->lines, i));
}

gint64
_obd_trend_chart_time_at_x (ObdTrendChart *self,
                            double         x)
{
  double fraction;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  fraction = (x - self->plot.origin.x) / self->plot.size.width;
  return self->end_time - self->time_span
         + (gint64) llround (CLAMP (fraction, 0.0, 1.0) * (double) self->time_span);
}

double
_obd_trend_chart_x_at_time (ObdTrendChart *self,
           gint64         time_us)
{
  return self->plot.origin.x + (double) (time_us - (self->end_time - self->time_span))
                               / (double) self->time_span * self->plot.size.width;
}

/* Accessibility ------------------------------------------------------- */

char *
_obd_trend_chart_dup_description (ObdTrendChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), NULL);

  for (guint i = 0; i < self->series->len; i++)
    {
      ObdChartSeries *series = g_ptr_array_index (self->series, i);
      double v;

      if (!_obd_chart_series_get_visible (series))
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      if (_obd_chart_series_latest (series, NULL, &v))
        {
          g_autofree char *value = _obd_trend_chart_format_value (series, v);

          /* Translators: series label and latest value in the accessible
           * description of a chart, e.g. "Engine speed: 1726 rpm" */
          g_string_append_printf (text, _("%1$s: %2$s"), _obd_chart_series_get_label (series),
                                  value);
        }
      else
        /* Translators: a chart series without samples, e.g. "Engine speed: no data" */
        g_string_append_printf (text, _("%s: no data"), _obd_chart_series_get_label (series));
    }
  if (text->len == 0)
    g_string_append (text, _("No data"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
update_accessible_cb (gpointer user_data)
{
  ObdTrendChart *self = user_data;
  g_autofree char *description = _obd_trend_chart_dup_description (self);

  self->a11y_source = 0;
  if (g_strcmp0 (description, self->a11y_description) != 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                      -1);
      g_free (self->a11y_description);
      self->a11y_description = g_steal_pointer (&description);
    }
  return G_SOURCE_REMOVE;
}

/* Samples can arrive many times a second; screen readers need the latest
 * values at most once a second, so description updates are batched. */
static void
schedule_accessible_update (ObdTrendChart *self)
{
  if (self->a11y_source == 0)
    self->a11y_source = g_timeout_add_full (G_PRIORITY_LOW, A11Y_DELAY_MS,
                                            update_accessible_cb, self, NULL);
}

/* State changes -------------------------------------------------------- */

void
_obd_trend_chart_set_end_time_internal (ObdTrendChart *self,
                                        gint64         end_time)
{
  if (self->end_time == end_time)
    return;
  self->end_time = end_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_TIME]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
follow_latest (ObdTrendChart *self)
{
  gint64 latest;

  if (self->live_follow && _obd_trend_chart_get_newest (self, &latest))
    _obd_trend_chart_set_end_time_internal (self, latest);
}

void
_obd_trend_chart_data_changed (ObdTrendChart *self)
{
  follow_latest (self);
  /* Queued draws coalesce: however many samples arrive, the chart paints
   * at most once per frame-clock tick. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_accessible_update (self);
}

/* Series, units and visibility decide the panels and the legend's rows,
 * so the height the chart asks for. */
void
_obd_trend_chart_series_changed (ObdTrendChart *self)
{
  gtk_widget_queue_resize (GTK_WIDGET (self));
  schedule_accessible_update (self);
}

/* Pans by @delta_us; a person panning is looking at the past, so live
 * following stops. */
void
_obd_trend_chart_pan (ObdTrendChart *self,
                      gint64         delta_us)
{
  obd_trend_chart_set_live_follow (self, FALSE);
  _obd_trend_chart_set_end_time_internal (self, self->end_time + delta_us);
}

/* Changes the span keeping @anchor at the same place on screen; while
 * following, the right edge stays on the newest sample instead. */
void
_obd_trend_chart_zoom_around (ObdTrendChart *self,
                              gint64         anchor,
                              double         factor)
{
  gint64 span = (gint64) CLAMP ((double) self->time_span * factor,
                                (double) MIN_SPAN_US, (double) MAX_SPAN_US);
  double actual = (double) span / (double) self->time_span;

  if (!self->live_follow)
    _obd_trend_chart_set_end_time_internal (self, anchor +
                                            (gint64) llround ((double) (self->end_time - anchor) *
                                                              actual));
  obd_trend_chart_set_time_span (self, span);
}

/* Drawing ------------------------------------------------------------- */

static void
obd_trend_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  ObdChartSeries *selected;
  ObdChartFrame frame = { 0 };
  GdkRGBA frame_color;
  gint64 latest;
  gboolean have_data;

  if (width < 1 || height < 1)
    return;

  _obd_trend_chart_layout (self, width, height);
  selected = _obd_trend_chart_get_selected (self);
  have_data = _obd_trend_chart_get_newest (self, &latest);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &frame.fg);
  _obd_chart_lookup_color (widget, "window_bg_color", "#fafafa", &frame.bg);
  frame.high_contrast = adw_style_manager_get_high_contrast (
    adw_style_manager_get_for_display (gtk_widget_get_display (widget)));
  frame.t0 = self->end_time - self->time_span;
  frame.t1 = self->end_time;
  frame.scale = gtk_widget_get_scale_factor (widget);
  frame.line_height = self->line_height;
  frame.label_width = self->label_width;
  frame.strategy = self->decimation == OBD_TREND_CHART_DECIMATION_LINEAR
                   ? OBD_CHART_COLUMNS_LINEAR : OBD_CHART_COLUMNS_CACHED;
  frame.time_labels = self->time_labels;
  frame.time_origin = self->time_origin;
  frame.newest = have_data ? latest : self->end_time;

  /* The legend over the panels. */
  frame.area = GRAPHENE_RECT_INIT (self->plot.origin.x, (float) (PAD / 2),
                                   self->plot.size.width, (float) self->legend_height);
  _obd_chart_layer_snapshot (self->legend, widget, snapshot, &frame);

  /* The time grid through every panel, labels under the last. */
  frame.area = self->plot;
  _obd_chart_layer_snapshot (self->time_axis, widget, snapshot, &frame);

  while (self->axes->len < self->panels->len)
    g_ptr_array_add (self->axes, _obd_chart_value_axis_new ());
  frame_color = frame.fg;
  frame_color.alpha *= frame.high_contrast ? 0.6f : 0.25f;
  for (guint p = 0; p < self->panels->len; p++)
    {
      const ObdChartPanel *panel = &g_array_index (self->panels, ObdChartPanel, p);
      ObdChartLayer *axis = g_ptr_array_index (self->axes, p);
      const graphene_rect_t *a = &panel->area;

      frame.area = panel->area;
      frame.lo = panel->lo;
      frame.hi = panel->hi;
      frame.step = panel->step;
      _obd_chart_value_axis_set_unit (OBD_CHART_VALUE_AXIS (axis), panel->unit);
      _obd_chart_layer_snapshot (axis, widget, snapshot, &frame);

      /* Its frame, then its series, the selected one on top. */
      _obd_chart_append_hline (snapshot, a->origin.x, a->origin.x + a->size.width, a->origin.y,
                               &frame_color);
      _obd_chart_append_hline (snapshot, a->origin.x, a->origin.x + a->size.width,
                               a->origin.y + a->size.height - 1, &frame_color);
      _obd_chart_append_vline (snapshot, a->origin.x, a->origin.y, a->origin.y + a->size.height,
                               &frame_color);
      _obd_chart_append_vline (snapshot, a->origin.x + a->size.width - 1, a->origin.y,
                               a->origin.y + a->size.height, &frame_color);
      for (int pass = 0; pass < 2; pass++)
        for (guint i = 0; i < self->series->len; i++)
          {
            ObdChartSeries *series = g_ptr_array_index (self->series, i);
            ObdChartLayer *line = g_ptr_array_index (self->lines, i);
            gboolean is_selected = series == selected;

            if (g_array_index (self->panel_of, int, i) != (int) p || is_selected != (pass == 1))
              continue;
            _obd_chart_line_layer_set_selected (OBD_CHART_LINE_LAYER (line), is_selected);
            _obd_chart_layer_snapshot (line, widget, snapshot, &frame);
          }
    }

  if (!have_data || self->panels->len == 0)
    {
      g_autoptr(PangoLayout) layout = _obd_chart_create_layout (widget, _("No data"), FALSE);
      PangoRectangle rect;
      GdkRGBA dim = frame.fg;

      dim.alpha *= 0.7f;
      pango_layout_get_pixel_extents (layout, NULL, &rect);
      _obd_chart_append_layout (snapshot, layout,
                                self->plot.origin.x + (self->plot.size.width - rect.width) / 2,
                                self->plot.origin.y + (self->plot.size.height - rect.height) / 2,
                                &dim);
    }

  if (self->cursor_visible && self->cursor_time >= frame.t0 && self->cursor_time <= frame.t1)
    {
      _obd_trend_chart_draw_cursor (self, snapshot, &frame.fg, &frame.bg);
    }

  if (gtk_widget_has_visible_focus (widget))
    {
      GskRoundedRect outline;
      GdkRGBA ring;

      _obd_chart_lookup_color (widget, "accent_color", "#1c71d8", &ring);
      ring.alpha *= 0.5f;
      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, 1, width - 2, height - 2),
                                       6.0f);
      gtk_snapshot_append_border (snapshot, &outline, (float[4]) { 2, 2, 2, 2 },
                                  (GdkRGBA[4]) { ring, ring, ring, ring });
    }

  _obd_chart_layer_end_frame (self->legend);
  _obd_chart_layer_end_frame (self->time_axis);
  for (guint p = 0; p < self->axes->len; p++)
    _obd_chart_layer_end_frame (g_ptr_array_index (self->axes, p));
}

static GtkSizeRequestMode
obd_trend_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
obd_trend_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);

  ensure_metrics (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) (self->label_width + 4 * PAD + 80);
      *natural = 480;
    }
  else
    {
      double legend, panels;
      guint n_panels;

      /* Height for the width: the legend's rows, and every panel tall
       * enough for its numbers. */
      _obd_trend_chart_layout (self, for_size > 0 ? for_size : 480, 0);
      legend = self->legend_height;
      n_panels = MAX (self->panels->len, 1);
      panels = n_panels * (MIN_PANEL_LINES * self->line_height)
               + n_panels * (self->line_height + PAD / 2);
      *minimum = (int) ceil (PAD / 2 + legend + panels + self->line_height + PAD * 1.5);
      *natural = MAX (*minimum, (int) (legend + 120 * n_panels + 60));
    }
}

static void
obd_trend_chart_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  _obd_trend_chart_layout (OBD_TREND_CHART (widget), width, height);
}

static void
obd_trend_chart_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);

  GTK_WIDGET_CLASS (obd_trend_chart_parent_class)->css_changed (widget, change);

  /* The font may have changed: measure and shape labels again.  Named
   * colours change with the colour scheme without our own style
   * changing, so repaint. */
  self->line_height = 0;
  _obd_chart_layer_style_changed (self->legend);
  _obd_chart_layer_style_changed (self->time_axis);
  for (guint p = 0; p < self->axes->len; p++)
    _obd_chart_layer_style_changed (g_ptr_array_index (self->axes, p));
  gtk_widget_queue_resize (widget);
  gtk_widget_queue_draw (widget);
}

/* GObject ----------------------------------------------------------- */

static void
obd_trend_chart_dispose (GObject *object)
{
  ObdTrendChart *self = OBD_TREND_CHART (object);

  g_clear_handle_id (&self->a11y_source, g_source_remove);
  g_clear_object (&self->legend);
  g_clear_object (&self->time_axis);

  G_OBJECT_CLASS (obd_trend_chart_parent_class)->dispose (object);
}

static void
obd_trend_chart_finalize (GObject *object)
{
  ObdTrendChart *self = OBD_TREND_CHART (object);

  g_ptr_array_unref (self->series);
  g_ptr_array_unref (self->lines);
  g_ptr_array_unref (self->axes);
  g_array_unref (self->panels);
  g_array_unref (self->panel_of);
  g_free (self->a11y_description);

  G_OBJECT_CLASS (obd_trend_chart_parent_class)->finalize (object);
}

static void
obd_trend_chart_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ObdTrendChart *self = OBD_TREND_CHART (object);

  switch (prop_id)
    {
    case PROP_TIME_SPAN:
      g_value_set_int64 (value, self->time_span);
      break;
    case PROP_END_TIME:
      g_value_set_int64 (value, self->end_time);
      break;
    case PROP_LIVE_FOLLOW:
      g_value_set_boolean (value, self->live_follow);
      break;
    case PROP_SELECTED_SERIES:
      g_value_set_uint (value, self->selected_series);
      break;
    case PROP_DECIMATION:
      g_value_set_enum (value, self->decimation);
      break;
    case PROP_TIME_LABELS:
      g_value_set_enum (value, self->time_labels);
      break;
    case PROP_TIME_ORIGIN:
      g_value_set_int64 (value, self->time_origin);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_trend_chart_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ObdTrendChart *self = OBD_TREND_CHART (object);

  switch (prop_id)
    {
    case PROP_TIME_SPAN:
      obd_trend_chart_set_time_span (self, g_value_get_int64 (value));
      break;
    case PROP_END_TIME:
      obd_trend_chart_set_end_time (self, g_value_get_int64 (value));
      break;
    case PROP_LIVE_FOLLOW:
      obd_trend_chart_set_live_follow (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTED_SERIES:
      obd_trend_chart_set_selected_series (self, g_value_get_uint (value));
      break;
    case PROP_DECIMATION:
      if (self->decimation != (ObdTrendChartDecimation) g_value_get_enum (value))
        {
          self->decimation = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    case PROP_TIME_LABELS:
      obd_trend_chart_set_time_labels (self, g_value_get_enum (value));
      break;
    case PROP_TIME_ORIGIN:
      obd_trend_chart_set_time_origin (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_trend_chart_class_init (ObdTrendChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_trend_chart_dispose;
  object_class->finalize = obd_trend_chart_finalize;
  object_class->get_property = obd_trend_chart_get_property;
  object_class->set_property = obd_trend_chart_set_property;

  widget_class->snapshot = obd_trend_chart_snapshot;
  widget_class->measure = obd_trend_chart_measure;
  widget_class->get_request_mode = obd_trend_chart_get_request_mode;
  widget_class->size_allocate = obd_trend_chart_size_allocate;
  widget_class->css_changed = obd_trend_chart_css_changed;

  properties[PROP_TIME_SPAN] =
    g_param_spec_int64 ("time-span", "Time span", "Visible span in microseconds",
                        MIN_SPAN_US, MAX_SPAN_US, DEFAULT_SPAN_US, rw);
  properties[PROP_END_TIME] =
    g_param_spec_int64 ("end-time", "End time", "Time at the right edge, in microseconds",
                        G_MININT64 / 2, G_MAXINT64 / 2, 0, rw);
  properties[PROP_LIVE_FOLLOW] =
    g_param_spec_boolean ("live-follow", "Live follow",
                          "Whether the right edge follows the newest sample", TRUE, rw);
  properties[PROP_SELECTED_SERIES] =
    g_param_spec_uint ("selected-series", "Selected series",
                       "Id of the series drawn on top, 0 for the first visible one",
                       0, G_MAXUINT, 0, rw);
  properties[PROP_DECIMATION] =
    g_param_spec_enum ("decimation", "Decimation",
                       "How a frame reduces series to pixel columns (linear is for benchmarks)",
                       OBD_TYPE_TREND_CHART_DECIMATION, OBD_TREND_CHART_DECIMATION_CACHED, rw);
  properties[PROP_TIME_LABELS] =
    g_param_spec_enum ("time-labels", "Time labels", "How the time axis names a moment",
                       OBD_TYPE_TREND_CHART_TIME_LABELS, OBD_TREND_CHART_TIME_RELATIVE, rw);
  properties[PROP_TIME_ORIGIN] =
    g_param_spec_int64 ("time-origin", "Time origin",
                        "The time elapsed labels count from, in microseconds",
                        G_MININT64 / 2, G_MAXINT64 / 2, 0, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  _obd_trend_chart_class_init_input (widget_class);

  gtk_widget_class_set_css_name (widget_class, "trendchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
obd_trend_chart_init (ObdTrendChart *self)
{
  self->series = g_ptr_array_new_with_free_func (g_object_unref);
  self->lines = g_ptr_array_new_with_free_func (g_object_unref);
  self->axes = g_ptr_array_new_with_free_func (g_object_unref);
  self->panels = g_array_new (FALSE, TRUE, sizeof (ObdChartPanel));
  self->panel_of = g_array_new (FALSE, TRUE, sizeof (int));
  self->time_axis = _obd_chart_time_axis_new ();
  self->legend = _obd_chart_legend_new ();
  self->time_span = DEFAULT_SPAN_US;
  self->live_follow = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  _obd_trend_chart_init_input (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Trend chart"),
                                  -1);
  update_accessible_cb (self);
}

/* Public API -------------------------------------------------------- */

GtkWidget *
obd_trend_chart_new (void)
{
  return g_object_new (OBD_TYPE_TREND_CHART, NULL);
}

gint64
obd_trend_chart_get_time_span (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  return self->time_span;
}

void
obd_trend_chart_set_time_span (ObdTrendChart *self,
                               gint64         time_span_us)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  time_span_us = CLAMP (time_span_us, MIN_SPAN_US, MAX_SPAN_US);
  if (self->time_span == time_span_us)
    return;
  self->time_span = time_span_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_SPAN]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
obd_trend_chart_get_end_time (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  return self->end_time;
}

/* Placing the right edge by hand stops live following: otherwise the next
 * sample would move the view away again. */
void
obd_trend_chart_set_end_time (ObdTrendChart *self,
                              gint64         end_time_us)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  obd_trend_chart_set_live_follow (self, FALSE);
  _obd_trend_chart_set_end_time_internal (self, end_time_us);
}

gboolean
obd_trend_chart_get_live_follow (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  return self->live_follow;
}

void
obd_trend_chart_set_live_follow (ObdTrendChart *self,
                                 gboolean       live_follow)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  live_follow = !!live_follow;
  if (self->live_follow == live_follow)
    return;
  self->live_follow = live_follow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE_FOLLOW]);
  follow_latest (self);
}

ObdTrendChartTimeLabels
obd_trend_chart_get_time_labels (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), OBD_TREND_CHART_TIME_RELATIVE);

  return self->time_labels;
}

void
obd_trend_chart_set_time_labels (ObdTrendChart           *self,
                                 ObdTrendChartTimeLabels  labels)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));
  g_return_if_fail (labels <= OBD_TREND_CHART_TIME_CLOCK);

  if (self->time_labels == labels)
    return;
  self->time_labels = labels;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_LABELS]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
obd_trend_chart_get_time_origin (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  return self->time_origin;
}

void
obd_trend_chart_set_time_origin (ObdTrendChart *self,
                                 gint64         origin_us)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  if (self->time_origin == origin_us)
    return;
  self->time_origin = origin_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_ORIGIN]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
obd_trend_chart_get_selected_series (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  return self->selected_series;
}

void
obd_trend_chart_set_selected_series (ObdTrendChart *self,
                                     guint          series_id)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  if (self->selected_series == series_id)
    return;
  self->selected_series = series_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_SERIES]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
obd_trend_chart_get_cursor_time (ObdTrendChart *self,
                                 gint64        *time_us)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  if (time_us != NULL)
    *time_us = self->cursor_time;
  return self->cursor_visible;
}

void
obd_trend_chart_set_cursor_time (ObdTrendChart *self,
                                 gint64         time_us)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  if (self->cursor_visible && self->cursor_time == time_us)
    return;
  self->cursor_visible = TRUE;
  self->cursor_time = time_us;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
obd_trend_chart_hide_cursor (ObdTrendChart *self)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  if (!self->cursor_visible)
    return;
  self->cursor_visible = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
obd_trend_chart_get_cursor_value (ObdTrendChart *self,
                                  guint          series_id,
                                  gint64        *sample_time_us,
                                  double        *value)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  if (!self->cursor_visible)
    return FALSE;
  return obd_trend_chart_lookup (self, series_id, self->cursor_time, sample_time_us, value);
}

