/* obd-trend-chart.c — a multi-series time chart for live and recorded data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every series is drawn normalised into the same plot with its own y range
 * (automatic from the visible samples, or fixed); the y axis is labelled
 * for the selected series.  A frame reduces each series to one min/max
 * pair per device-pixel column through the pyramid in
 * obd-trend-chart-data.c, so its cost depends on the width and not on how
 * many samples are stored.  Data changes only queue a draw; GTK coalesces
 * those into at most one frame per frame-clock tick.
 *
 * The "reduce" property switches to drawing every sample; it exists so the
 * benchmark can compare both paths in one widget.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-trend-chart.h"
#include "obd-trend-chart-private.h"

#define MIN_SPAN_US        (G_USEC_PER_SEC / 100)                   /* 10 ms */
#define MAX_SPAN_US        ((gint64) 31 * 24 * 3600 * G_USEC_PER_SEC) /* a month */
#define DAY_US             ((gint64) 24 * 3600 * G_USEC_PER_SEC)
#define DEFAULT_SPAN_US    ((gint64) 60 * G_USEC_PER_SEC)
#define ZOOM_STEP          1.5
#define CURSOR_STEPS       100   /* keyboard cursor moves a hundredth of the span */
#define A11Y_DELAY_MS      1000
#define PAD                8.0

typedef struct
{
  guint          id;
  char          *label;
  char          *unit;
  GdkRGBA        color;
  gboolean       visible;
  gboolean       fixed_range;
  double         fixed_min;
  double         fixed_max;
  ObdSeriesData *data;
} Series;

struct _ObdTrendChart
{
  GtkWidget        parent_instance;

  GPtrArray       *series;           /* Series*, in the order added */
  guint            palette_next;
  gint64           time_span;
  gint64           end_time;
  guint            selected_series;
  gboolean         live_follow;
  gboolean         reduce;

  gboolean         cursor_visible;
  gint64           cursor_time;

  /* Geometry of the last allocation, for mapping pointer positions. */
  graphene_rect_t  plot;
  double           line_height;      /* of the label font, 0 when stale */
  double           y_label_width;

  /* Gesture state. */
  gint64           drag_begin_end;
  gboolean         dragging;
  gint64           zoom_begin_span;
  gint64           zoom_begin_end;
  gint64           zoom_anchor;

  GArray          *scratch;          /* per-column doubles for one frame */
  guint            a11y_source;
  char            *a11y_description;
};

G_DEFINE_FINAL_TYPE (ObdTrendChart, obd_trend_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TIME_SPAN,
  PROP_END_TIME,
  PROP_LIVE_FOLLOW,
  PROP_SELECTED_SERIES,
  PROP_REDUCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GNOME palette tones that stay legible on both light and dark
 * backgrounds; red comes late so it is not mistaken for an alarm. */
static const char * const palette[] = {
  "#3584e4", "#e66100", "#26a269", "#9141ac", "#c88800", "#986a44", "#e01b24", "#2190a4",
};

static void
series_free (Series *series)
{
  g_free (series->label);
  g_free (series->unit);
  _obd_series_data_free (series->data);
  g_free (series);
}

static Series *
find_series (ObdTrendChart *self,
             guint          id)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      if (series->id == id)
        return series;
    }
  return NULL;
}

static Series *
selected_series (ObdTrendChart *self)
{
  Series *series = find_series (self, self->selected_series);

  if (series != NULL && series->visible)
    return series;
  for (guint i = 0; i < self->series->len; i++)
    {
      series = g_ptr_array_index (self->series, i);
      if (series->visible)
        return series;
    }
  return NULL;
}

static gboolean
latest_time (ObdTrendChart *self,
             gint64        *out_time)
{
  gboolean found = FALSE;
  gint64 latest = G_MININT64;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);
      gsize n = _obd_series_data_get_length (series->data);

      if (n > 0)
        {
          latest = MAX (latest, _obd_series_data_get_times (series->data)[n - 1]);
          found = TRUE;
        }
    }
  *out_time = latest;
  return found;
}

static gboolean
earliest_time (ObdTrendChart *self,
               gint64        *out_time)
{
  gboolean found = FALSE;
  gint64 earliest = G_MAXINT64;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      if (_obd_series_data_get_length (series->data) > 0)
        {
          earliest = MIN (earliest, _obd_series_data_get_times (series->data)[0]);
          found = TRUE;
        }
    }
  *out_time = earliest;
  return found;
}

static gboolean
nearest_sample (Series *series,
                gint64  time_us,
                gint64 *out_time,
                double *out_value)
{
  gsize n = _obd_series_data_get_length (series->data);
  const gint64 *times = _obd_series_data_get_times (series->data);
  gsize i;

  if (n == 0)
    return FALSE;
  i = _obd_series_data_lower_bound (series->data, time_us);
  if (i == n || (i > 0 && time_us - times[i - 1] <= times[i] - time_us))
    i--;
  if (out_time != NULL)
    *out_time = times[i];
  if (out_value != NULL)
    *out_value = _obd_series_data_get_values (series->data)[i];
  return TRUE;
}

/* Formatting ---------------------------------------------------------- */

static char *
format_number (double value,
               int    digits)
{
  g_autofree char *text = NULL;
  double scale = pow (10.0, digits);
  double rounded = round (value * scale) / scale;

  if (rounded == 0.0)
    rounded = 0.0;
  text = g_strdup_printf ("%.*f", digits, fabs (rounded));
  return rounded < 0.0 ? g_strconcat ("−", text, NULL) : g_steal_pointer (&text);
}

/* Enough digits for a reading: 1726 rpm, 90.5 °C, 12.45 V. */
static char *
format_reading (double value)
{
  double magnitude = fabs (value);

  return format_number (value, magnitude >= 100.0 ? 0 : magnitude >= 10.0 ? 1 : 2);
}

static int
digits_for_step (double step)
{
  if (!(step > 0.0) || step >= 1.0)
    return 0;
  return MIN ((int) ceil (-log10 (step) - 1e-9), 6);
}

/* A time relative to the newest sample: "−12 s", "−2:30", "0 s". */
static char *
format_offset (gint64 offset_us,
               gint64 resolution_us)
{
  gboolean negative = offset_us < 0;
  gint64 magnitude = ABS (offset_us);
  const char *sign = negative ? "−" : "";

  /* Minutes once the offset or the label spacing reaches a minute, so an
   * axis reads "−2:00 … 0:00" rather than mixing "0 s" in. */
  if ((magnitude >= 60 * G_USEC_PER_SEC && resolution_us >= G_USEC_PER_SEC) ||
      resolution_us >= 60 * G_USEC_PER_SEC)
    {
      gint64 seconds = (magnitude + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;

      if (seconds >= 3600)
        return g_strdup_printf ("%s%" G_GINT64_FORMAT ":%02d:%02d", sign, seconds / 3600,
                                (int) (seconds / 60 % 60), (int) (seconds % 60));
      return g_strdup_printf ("%s%" G_GINT64_FORMAT ":%02d", sign, seconds / 60,
                              (int) (seconds % 60));
    }
  else
    {
      g_autofree char *number = format_number ((double) magnitude / G_USEC_PER_SEC,
                                               digits_for_step ((double) resolution_us /
                                                                G_USEC_PER_SEC));

      /* Translators: a time offset in seconds, e.g. "−12 s" */
      return g_strdup_printf (_("%s%s s"), magnitude == 0 ? "" : sign, number);
    }
}

/* 1, 2, 2.5 or 5 times a power of ten, at least @x. */
static double
nice_step (double x)
{
  double exponent, fraction;

  if (!(x > 0.0) || !isfinite (x))
    return 1.0;
  exponent = floor (log10 (x));
  fraction = x / pow (10.0, exponent);
  if (fraction <= 1.0)
    fraction = 1.0;
  else if (fraction <= 2.0)
    fraction = 2.0;
  else if (fraction <= 2.5)
    fraction = 2.5;
  else if (fraction <= 5.0)
    fraction = 5.0;
  else
    fraction = 10.0;
  return fraction * pow (10.0, exponent);
}

static gint64
nice_time_step (gint64 at_least_us)
{
  static const gint64 long_steps[] = { 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
                                       3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600 };

  if (at_least_us <= 10 * G_USEC_PER_SEC)
    return MAX ((gint64) nice_step ((double) at_least_us), 1);
  for (guint i = 0; i < G_N_ELEMENTS (long_steps); i++)
    if (long_steps[i] * G_USEC_PER_SEC >= at_least_us)
      return long_steps[i] * G_USEC_PER_SEC;
  return (at_least_us / DAY_US + 1) * DAY_US;
}

/* Scaling ------------------------------------------------------------- */

static void
visible_window (ObdTrendChart *self,
                gint64        *t0,
                gint64        *t1)
{
  *t1 = self->end_time;
  *t0 = self->end_time - self->time_span;
}

/* The y range of @series for the current window, and a tick step.  Auto
 * ranges are padded by 5 % and widened to whole ticks, so grid labels are
 * round numbers. */
static void
series_range (ObdTrendChart *self,
              Series        *series,
              double        *out_lo,
              double        *out_hi,
              double        *out_step)
{
  double lo, hi, step;

  if (series->fixed_range)
    {
      lo = series->fixed_min;
      hi = series->fixed_max;
      step = nice_step ((hi - lo) / 4.0);
    }
  else
    {
      ObdSeriesData *data = series->data;
      gsize n = _obd_series_data_get_length (data);
      gint64 t0, t1;
      gsize begin, end;

      visible_window (self, &t0, &t1);
      begin = _obd_series_data_lower_bound (data, t0);
      end = t1 == G_MAXINT64 ? n : _obd_series_data_lower_bound (data, t1 + 1);
      if (!_obd_series_data_range (data, begin, end, &lo, &hi) &&
          !_obd_series_data_range (data, 0, n, &lo, &hi))
        {
          lo = 0.0;
          hi = 1.0;
        }
      if (hi > lo)
        {
          double pad = (hi - lo) * 0.05;

          lo -= pad;
          hi += pad;
        }
      else
        {
          double pad = fabs (lo) > 0.0 ? fabs (lo) * 0.1 : 1.0;

          lo -= pad;
          hi += pad;
        }
      step = nice_step ((hi - lo) / 4.0);
      lo = floor (lo / step) * step;
      hi = ceil (hi / step) * step;
    }
  *out_lo = lo;
  *out_hi = hi;
  *out_step = step;
}

/* Geometry ------------------------------------------------------------ */

static PangoLayout *
create_label_layout (ObdTrendChart *self,
                     const char    *text,
                     gboolean       bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
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
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  return layout;
}

static void
ensure_metrics (ObdTrendChart *self)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoRectangle rect;

  if (self->line_height > 0.0)
    return;
  layout = create_label_layout (self, "−8888.8", FALSE);
  pango_layout_get_pixel_extents (layout, NULL, &rect);
  self->line_height = MAX (rect.height, 1);
  self->y_label_width = rect.width;
}

static void
compute_plot (ObdTrendChart *self,
              int            width,
              int            height)
{
  double left, top, right, bottom;

  ensure_metrics (self);
  left = self->y_label_width + 2 * PAD;
  top = self->line_height + 2 * PAD;
  right = PAD * 2;
  bottom = self->line_height + PAD * 1.5;
  graphene_rect_init (&self->plot, (float) left, (float) top,
                      (float) MAX (width - left - right, 1.0),
                      (float) MAX (height - top - bottom, 1.0));
}

gint64
_obd_trend_chart_time_at_x (ObdTrendChart *self,
                            double         x)
{
  gint64 t0, t1;
  double fraction;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  visible_window (self, &t0, &t1);
  fraction = (x - self->plot.origin.x) / self->plot.size.width;
  return t0 + (gint64) llround (CLAMP (fraction, 0.0, 1.0) * (double) (t1 - t0));
}

static double
x_at_time (ObdTrendChart *self,
           gint64         t0,
           gint64         t1,
           gint64         time_us)
{
  return self->plot.origin.x + (double) (time_us - t0) / (double) (t1 - t0) * self->plot.size.width;
}

static inline double
y_at_value (const graphene_rect_t *plot,
            double                 lo,
            double                 hi,
            double                 value)
{
  return plot->origin.y + plot->size.height * (1.0 - (value - lo) / (hi - lo));
}

/* Accessibility ------------------------------------------------------- */

char *
_obd_trend_chart_dup_description (ObdTrendChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), NULL);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);
      gint64 t;
      double v;

      if (!series->visible)
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      if (obd_trend_chart_get_latest (self, series->id, &t, &v))
        {
          g_autofree char *number = format_reading (v);

          /* Translators: series label, latest value and unit in the
           * accessible description of a chart, e.g. "Engine speed: 1726 rpm" */
          g_string_append_printf (text, _("%1$s: %2$s %3$s"), series->label, number,
                                  series->unit != NULL ? series->unit : "");
          while (text->len > 0 && text->str[text->len - 1] == ' ')
            g_string_truncate (text, text->len - 1);
        }
      else
        /* Translators: a chart series without samples, e.g. "Engine speed: no data" */
        g_string_append_printf (text, _("%s: no data"), series->label);
    }
  if (text->len == 0)
    g_string_append (text, _("No data"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_accessible (ObdTrendChart *self)
{
  g_autofree char *description = _obd_trend_chart_dup_description (self);

  if (g_strcmp0 (description, self->a11y_description) == 0)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  g_free (self->a11y_description);
  self->a11y_description = g_steal_pointer (&description);
}

static gboolean
update_accessible_cb (gpointer user_data)
{
  ObdTrendChart *self = user_data;

  self->a11y_source = 0;
  update_accessible (self);
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

static void
set_end_time_internal (ObdTrendChart *self,
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

  if (self->live_follow && latest_time (self, &latest))
    set_end_time_internal (self, latest);
}

static void
data_changed (ObdTrendChart *self)
{
  follow_latest (self);
  /* Queued draws coalesce: however many samples arrive, the chart paints
   * at most once per frame-clock tick. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_accessible_update (self);
}

/* Pans by @delta_us; a person panning is looking at the past, so live
 * following stops. */
static void
pan (ObdTrendChart *self,
     gint64         delta_us)
{
  obd_trend_chart_set_live_follow (self, FALSE);
  set_end_time_internal (self, self->end_time + delta_us);
}

/* Changes the span keeping @anchor at the same place on screen; while
 * following, the right edge stays on the newest sample instead. */
static void
zoom_around (ObdTrendChart *self,
             gint64         anchor,
             double         factor)
{
  gint64 span = (gint64) CLAMP ((double) self->time_span * factor,
                                (double) MIN_SPAN_US, (double) MAX_SPAN_US);
  double actual = (double) span / (double) self->time_span;

  if (!self->live_follow)
    set_end_time_internal (self, anchor + (gint64) llround ((double) (self->end_time - anchor) *
                                                            actual));
  obd_trend_chart_set_time_span (self, span);
}

/* Drawing ------------------------------------------------------------- */

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback,
              GdkRGBA    *out)
{
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, out))
    gdk_rgba_parse (out, fallback);
}

static void
append_layout_at (GtkSnapshot   *snapshot,
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

static void
draw_series (ObdTrendChart *self,
             cairo_t       *cr,
             Series        *series,
             gint64         t0,
             gint64         t1,
             guint          n_columns,
             double         column_width,
             gboolean       selected)
{
  const graphene_rect_t *plot = &self->plot;
  ObdSeriesData *data = series->data;
  gsize n = _obd_series_data_get_length (data);
  const gint64 *times = _obd_series_data_get_times (data);
  const double *values = _obd_series_data_get_values (data);
  double line_width = selected ? 2.0 : 1.5;
  gsize begin, end;
  double lo, hi, step;
  gboolean started = FALSE;

  if (n == 0)
    return;

  series_range (self, series, &lo, &hi, &step);
  begin = _obd_series_data_lower_bound (data, t0);
  end = _obd_series_data_lower_bound (data, t1 + 1);

  cairo_new_path (cr);
  gdk_cairo_set_source_rgba (cr, &series->color);

  if (self->reduce)
    {
      double *col_min, *col_max, *col_last;

      g_array_set_size (self->scratch, 3 * n_columns);
      col_min = &g_array_index (self->scratch, double, 0);
      col_max = col_min + n_columns;
      col_last = col_max + n_columns;
      _obd_series_data_reduce (data, t0, t1 + 1, n_columns, col_min, col_max, NULL, col_last);

      /* Each column's min..max as an axis-aligned bar, all filled at
       * once: cairo fills boxes fast, whereas stroking a polyline that
       * runs up and down the same column is what makes a naive path slow
       * (the stroker's self-overlap handling). */
      for (guint c = 0; c < n_columns; c++)
        {
          double x = plot->origin.x + (c + 0.5) * column_width;
          double top, bottom;

          if (isnan (col_min[c]))
            continue;
          top = y_at_value (plot, lo, hi, col_max[c]);
          bottom = y_at_value (plot, lo, hi, col_min[c]);
          if (bottom - top >= 0.5)
            cairo_rectangle (cr, x - line_width / 2, top - line_width / 2,
                             line_width, bottom - top + line_width);
        }
      cairo_fill (cr);

      /* Then one line through every non-empty column, which joins the
       * bars and is all there is where samples are sparser than pixels.
       * Start at the sample left of the window so the line enters from
       * the edge instead of starting in mid-air. */
      if (begin > 0)
        {
          cairo_move_to (cr, x_at_time (self, t0, t1, times[begin - 1]),
                         y_at_value (plot, lo, hi, values[begin - 1]));
          started = TRUE;
        }
      for (guint c = 0; c < n_columns; c++)
        {
          double x = plot->origin.x + (c + 0.5) * column_width;
          double y;

          if (isnan (col_min[c]))
            continue;
          y = y_at_value (plot, lo, hi, col_last[c]);
          if (started)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          started = TRUE;
        }
    }
  else
    {
      if (begin > 0)
        {
          cairo_move_to (cr, x_at_time (self, t0, t1, times[begin - 1]),
                         y_at_value (plot, lo, hi, values[begin - 1]));
          started = TRUE;
        }
      for (gsize i = begin; i < end; i++)
        {
          double x = x_at_time (self, t0, t1, times[i]);
          double y = y_at_value (plot, lo, hi, values[i]);

          if (started)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          started = TRUE;
        }
    }

  if (end < n && started)
    cairo_line_to (cr, x_at_time (self, t0, t1, times[end]),
                   y_at_value (plot, lo, hi, values[end]));

  cairo_set_line_width (cr, line_width);
  cairo_stroke (cr);
}

char *
_obd_trend_chart_dup_readout (ObdTrendChart *self)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *when = NULL;
  gint64 latest;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), NULL);

  if (!self->cursor_visible)
    return NULL;

  if (!latest_time (self, &latest))
    latest = self->end_time;
  when = format_offset (self->cursor_time - latest, MAX (self->time_span / CURSOR_STEPS, 1));
  text = g_string_new (when);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);
      g_autofree char *number = NULL;
      double value;

      if (!series->visible || !nearest_sample (series, self->cursor_time, NULL, &value))
        continue;
      number = format_reading (value);
      g_string_append_c (text, '\n');
      /* Translators: one line of the chart cursor readout: series label,
       * value and unit, e.g. "Engine speed: 1726 rpm" */
      g_string_append_printf (text, _("%1$s: %2$s %3$s"), series->label, number,
                              series->unit != NULL ? series->unit : "");
      while (text->str[text->len - 1] == ' ')
        g_string_truncate (text, text->len - 1);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
draw_readout (ObdTrendChart *self,
              GtkSnapshot   *snapshot,
              double         cursor_x,
              const GdkRGBA *fg)
{
  g_autofree char *text = _obd_trend_chart_dup_readout (self);
  g_auto(GStrv) lines = NULL;
  GPtrArray *layouts = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *colors = g_ptr_array_new ();
  double swatch = self->line_height * 0.6;
  double width = 0, height = 0, x, y;
  GdkRGBA bg, border = *fg;
  GskRoundedRect box;
  guint series_index = 0;

  if (text == NULL)
    goto out;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      PangoLayout *layout = create_label_layout (self, lines[i], i == 0);
      PangoRectangle rect;

      pango_layout_get_pixel_extents (layout, NULL, &rect);
      width = MAX (width, rect.width + (i > 0 ? swatch + 6 : 0));
      height += self->line_height;
      g_ptr_array_add (layouts, layout);
    }
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      if (series->visible && _obd_series_data_get_length (series->data) > 0)
        g_ptr_array_add (colors, &series->color);
    }

  width += 2 * PAD;
  height += PAD;
  x = cursor_x + PAD;
  if (x + width > self->plot.origin.x + self->plot.size.width)
    x = cursor_x - PAD - width;
  x = MAX (x, 0.0);
  y = self->plot.origin.y + PAD;

  lookup_color (GTK_WIDGET (self), "popover_bg_color", "#ffffff", &bg);
  bg.alpha = 0.95f;
  border.alpha *= 0.2f;
  gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT ((float) x, (float) y,
                                                              (float) width, (float) height), 6.0f);
  gtk_snapshot_push_rounded_clip (snapshot, &box);
  gtk_snapshot_append_color (snapshot, &bg, &box.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &box, (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { border, border, border, border });

  for (guint i = 0; i < layouts->len; i++)
    {
      double row_y = y + PAD / 2 + i * self->line_height;
      double text_x = x + PAD;

      if (i > 0 && series_index < colors->len)
        {
          GdkRGBA *color = g_ptr_array_index (colors, series_index++);
          float dot_y = (float) (row_y + (self->line_height - swatch) / 2);
          GskRoundedRect dot;

          gsk_rounded_rect_init_from_rect (&dot,
                                           &GRAPHENE_RECT_INIT ((float) text_x, dot_y,
                                                                (float) swatch, (float) swatch),
                                           (float) swatch / 2);
          gtk_snapshot_push_rounded_clip (snapshot, &dot);
          gtk_snapshot_append_color (snapshot, color, &dot.bounds);
          gtk_snapshot_pop (snapshot);
          text_x += swatch + 6;
        }
      append_layout_at (snapshot, g_ptr_array_index (layouts, i), text_x, row_y, fg);
    }

out:
  g_ptr_array_unref (layouts);
  g_ptr_array_unref (colors);
}

static void
draw_legend (ObdTrendChart *self,
             GtkSnapshot   *snapshot,
             const GdkRGBA *fg,
             int            width)
{
  double x = self->plot.origin.x;
  double y = PAD / 2;
  double swatch = self->line_height * 0.6;
  Series *selected = selected_series (self);
  GdkRGBA dim = *fg;

  dim.alpha *= 0.5f;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);
      g_autoptr(PangoLayout) layout = NULL;
      g_autofree char *text = NULL;
      g_autofree char *number = NULL;
      PangoRectangle rect;
      GskRoundedRect dot;
      gint64 t;
      double v;

      if (obd_trend_chart_get_latest (self, series->id, &t, &v))
        {
          number = format_reading (v);
          /* Translators: a chart legend entry: series label, latest value
           * and unit, e.g. "Engine speed  1726 rpm" */
          text = g_strdup_printf (_("%1$s  %2$s %3$s"), series->label, number,
                                  series->unit != NULL ? series->unit : "");
        }
      else
        text = g_strdup (series->label);
      layout = create_label_layout (self, text, series == selected);
      pango_layout_get_pixel_extents (layout, NULL, &rect);
      if (x + swatch + 6 + rect.width > width - PAD)
        break;

      gsk_rounded_rect_init_from_rect (&dot,
                                       &GRAPHENE_RECT_INIT ((float) x,
                                                            (float) (y + (self->line_height -
                                                                          swatch) / 2),
                                                            (float) swatch, (float) swatch),
                                       (float) swatch / 2);
      if (series->visible)
        {
          gtk_snapshot_push_rounded_clip (snapshot, &dot);
          gtk_snapshot_append_color (snapshot, &series->color, &dot.bounds);
          gtk_snapshot_pop (snapshot);
        }
      else
        gtk_snapshot_append_border (snapshot, &dot, (float[4]) { 1, 1, 1, 1 },
                                    (GdkRGBA[4]) { series->color, series->color,
                                                   series->color, series->color });
      append_layout_at (snapshot, layout, x + swatch + 6, y, series->visible ? fg : &dim);
      x += swatch + 6 + rect.width + 2 * PAD;
    }
}

static void
obd_trend_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const graphene_rect_t *plot = &self->plot;
  int scale = gtk_widget_get_scale_factor (widget);
  guint n_columns = (guint) MAX (plot->size.width * scale, 1.0f);
  Series *selected = selected_series (self);
  GdkRGBA fg, grid, dim, frame, bg;
  gint64 t0, t1, latest, time_step;
  gboolean have_data;
  double lo = 0, hi = 1, step = 0.25;
  cairo_t *cr;

  if (width < 1 || height < 1)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  lookup_color (widget, "window_bg_color", "#fafafa", &bg);
  grid = dim = frame = fg;
  grid.alpha *= 0.1f;
  frame.alpha *= 0.25f;
  dim.alpha *= 0.7f;

  visible_window (self, &t0, &t1);
  have_data = latest_time (self, &latest);
  if (!have_data)
    latest = t1;
  if (selected != NULL)
    series_range (self, selected, &lo, &hi, &step);
  time_step = nice_time_step ((gint64) ((double) self->time_span * 100.0 /
                                        MAX (plot->size.width, 1.0f)));

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* Grid: crisp one-pixel lines from the foreground colour, so they work
   * on light, dark and high-contrast backgrounds alike. */
  cairo_set_line_width (cr, 1.0);
  gdk_cairo_set_source_rgba (cr, &grid);
  for (double v = ceil (lo / step) * step; v <= hi + step * 1e-6; v += step)
    {
      double y = round (y_at_value (plot, lo, hi, v)) + 0.5;

      cairo_move_to (cr, plot->origin.x, y);
      cairo_line_to (cr, plot->origin.x + plot->size.width, y);
    }
  for (gint64 t = latest - ((latest - t0) / time_step) * time_step; t <= t1; t += time_step)
    {
      double x = round (x_at_time (self, t0, t1, t)) + 0.5;

      cairo_move_to (cr, x, plot->origin.y);
      cairo_line_to (cr, x, plot->origin.y + plot->size.height);
    }
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &frame);
  cairo_rectangle (cr, round (plot->origin.x) + 0.5, round (plot->origin.y) + 0.5,
                   round (plot->size.width) - 1, round (plot->size.height) - 1);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_rectangle (cr, plot->origin.x, plot->origin.y, plot->size.width, plot->size.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      if (series->visible && series != selected)
        draw_series (self, cr, series, t0, t1, n_columns, 1.0 / scale, FALSE);
    }
  if (selected != NULL)
    draw_series (self, cr, selected, t0, t1, n_columns, 1.0 / scale, TRUE);

  if (self->cursor_visible && self->cursor_time >= t0 && self->cursor_time <= t1)
    {
      double x = round (x_at_time (self, t0, t1, self->cursor_time)) + 0.5;
      GdkRGBA line = fg;

      line.alpha *= 0.5f;
      gdk_cairo_set_source_rgba (cr, &line);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, x, plot->origin.y);
      cairo_line_to (cr, x, plot->origin.y + plot->size.height);
      cairo_stroke (cr);

      for (guint i = 0; i < self->series->len; i++)
        {
          Series *series = g_ptr_array_index (self->series, i);
          gint64 st;
          double sv, slo, shi, sstep;

          if (!series->visible || !nearest_sample (series, self->cursor_time, &st, &sv))
            continue;
          series_range (self, series, &slo, &shi, &sstep);
          cairo_arc (cr, x_at_time (self, t0, t1, st), y_at_value (plot, slo, shi, sv),
                     4.0, 0, 2 * G_PI);
          gdk_cairo_set_source_rgba (cr, &series->color);
          cairo_fill_preserve (cr);
          gdk_cairo_set_source_rgba (cr, &bg);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
  cairo_destroy (cr);

  /* Y labels for the selected series, in its units. */
  if (selected != NULL)
    {
      int digits = digits_for_step (step);

      for (double v = ceil (lo / step) * step; v <= hi + step * 1e-6; v += step)
        {
          g_autofree char *text = format_number (v, digits);
          g_autoptr(PangoLayout) layout = create_label_layout (self, text, FALSE);
          PangoRectangle rect;

          pango_layout_get_pixel_extents (layout, NULL, &rect);
          append_layout_at (snapshot, layout, plot->origin.x - PAD - rect.width,
                            y_at_value (plot, lo, hi, v) - self->line_height / 2, &dim);
        }
      if (selected->unit != NULL && *selected->unit != '\0')
        {
          g_autoptr(PangoLayout) layout = create_label_layout (self, selected->unit, TRUE);
          PangoRectangle rect;

          pango_layout_get_pixel_extents (layout, NULL, &rect);
          append_layout_at (snapshot, layout, plot->origin.x - PAD - rect.width,
                            plot->origin.y - self->line_height - PAD / 2, &selected->color);
        }
    }

  /* Time labels, relative to the newest sample; skipped where they would
   * collide with the previous one. */
  {
    double last_right = -G_MAXDOUBLE;

    for (gint64 t = latest - ((latest - t0) / time_step) * time_step; t <= t1; t += time_step)
      {
        g_autofree char *text = format_offset (t - latest, time_step);
        g_autoptr(PangoLayout) layout = create_label_layout (self, text, FALSE);
        PangoRectangle rect;
        double x;

        pango_layout_get_pixel_extents (layout, NULL, &rect);
        x = x_at_time (self, t0, t1, t) - rect.width / 2.0;
        x = CLAMP (x, plot->origin.x - self->y_label_width, width - rect.width - 1.0);
        if (x < last_right + PAD)
          continue;
        append_layout_at (snapshot, layout, x, plot->origin.y + plot->size.height + PAD / 2,
                          &dim);
        last_right = x + rect.width;
      }
  }

  draw_legend (self, snapshot, &fg, width);

  if (!have_data)
    {
      g_autoptr(PangoLayout) layout = create_label_layout (self, _("No data"), FALSE);
      PangoRectangle rect;

      pango_layout_get_pixel_extents (layout, NULL, &rect);
      append_layout_at (snapshot, layout,
                        plot->origin.x + (plot->size.width - rect.width) / 2,
                        plot->origin.y + (plot->size.height - rect.height) / 2, &dim);
    }

  if (self->cursor_visible && self->cursor_time >= t0 && self->cursor_time <= t1)
    draw_readout (self, snapshot, x_at_time (self, t0, t1, self->cursor_time), &fg);

  if (gtk_widget_has_visible_focus (widget))
    {
      GskRoundedRect outline;
      GdkRGBA ring;

      lookup_color (widget, "accent_color", "#1c71d8", &ring);
      ring.alpha *= 0.5f;
      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, 1, width - 2, height - 2),
                                       6.0f);
      gtk_snapshot_append_border (snapshot, &outline, (float[4]) { 2, 2, 2, 2 },
                                  (GdkRGBA[4]) { ring, ring, ring, ring });
    }
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
      *minimum = (int) (self->y_label_width + 4 * PAD + 80);
      *natural = 480;
    }
  else
    {
      *minimum = (int) (2 * self->line_height + 4 * PAD + 60);
      *natural = 240;
    }
}

static void
obd_trend_chart_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  compute_plot (OBD_TREND_CHART (widget), width, height);
}

static void
obd_trend_chart_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);

  GTK_WIDGET_CLASS (obd_trend_chart_parent_class)->css_changed (widget, change);

  /* The font may have changed: measure labels again.  Named colours change
   * with the colour scheme without our own style changing, so repaint. */
  self->line_height = 0;
  gtk_widget_queue_resize (widget);
  gtk_widget_queue_draw (widget);
}

/* Input ------------------------------------------------------------ */

static void
motion_cb (ObdTrendChart            *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  if (graphene_rect_contains_point (&self->plot, &GRAPHENE_POINT_INIT ((float) x, (float) y)))
    obd_trend_chart_set_cursor_time (self, _obd_trend_chart_time_at_x (self, x));
  else
    obd_trend_chart_hide_cursor (self);
}

static void
leave_cb (ObdTrendChart            *self,
          GtkEventControllerMotion *motion)
{
  obd_trend_chart_hide_cursor (self);
}

static gboolean
scroll_cb (ObdTrendChart            *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *scroll)
{
  GdkModifierType state;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if (state & GDK_CONTROL_MASK)
    {
      gint64 anchor = self->cursor_visible ? self->cursor_time : self->end_time;

      zoom_around (self, anchor, pow (1.1, dy));
      return TRUE;
    }
  pan (self, (gint64) llround ((dx != 0.0 ? dx : dy) * (double) self->time_span / 20.0));
  return TRUE;
}

static void
drag_begin_cb (ObdTrendChart  *self,
               double          x,
               double          y,
               GtkGestureDrag *drag)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_begin_end = self->end_time;
  self->dragging = FALSE;
}

static void
drag_update_cb (ObdTrendChart  *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *drag)
{
  double us_per_px = (double) self->time_span / self->plot.size.width;

  /* A few pixels of slack, so a click to focus does not stop following. */
  if (!self->dragging && fabs (offset_x) < 4.0)
    return;
  self->dragging = TRUE;
  obd_trend_chart_set_live_follow (self, FALSE);
  set_end_time_internal (self, self->drag_begin_end - (gint64) llround (offset_x * us_per_px));
}

static void
zoom_begin_cb (ObdTrendChart    *self,
               GdkEventSequence *sequence,
               GtkGesture       *gesture)
{
  double x, y;

  self->zoom_begin_span = self->time_span;
  self->zoom_begin_end = self->end_time;
  if (gtk_gesture_get_bounding_box_center (gesture, &x, &y))
    self->zoom_anchor = _obd_trend_chart_time_at_x (self, x);
  else
    self->zoom_anchor = self->end_time;
}

static void
zoom_scale_changed_cb (ObdTrendChart  *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  gint64 span;

  if (!(scale > 0.0))
    return;
  span = (gint64) CLAMP ((double) self->zoom_begin_span / scale,
                         (double) MIN_SPAN_US, (double) MAX_SPAN_US);
  if (!self->live_follow)
    {
      double ratio = (double) span / (double) self->zoom_begin_span;

      set_end_time_internal (self, self->zoom_anchor +
                             (gint64) llround ((double) (self->zoom_begin_end - self->zoom_anchor) *
                                               ratio));
    }
  obd_trend_chart_set_time_span (self, span);
}

static void
move_cursor_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  gint64 t0, t1, start;
  int direction = g_variant_get_int32 (parameter);

  visible_window (self, &t0, &t1);
  start = self->cursor_visible ? self->cursor_time : t0 + (t1 - t0) / 2;
  obd_trend_chart_set_cursor_time (self, CLAMP (start + direction * self->time_span / CURSOR_STEPS,
                                                t0, t1));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  int direction = g_variant_get_int32 (parameter);
  gint64 anchor = self->cursor_visible ? self->cursor_time : self->end_time - self->time_span / 2;

  zoom_around (self, anchor, direction > 0 ? 1.0 / ZOOM_STEP : ZOOM_STEP);
}

static void
home_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  gint64 earliest;

  if (!earliest_time (self, &earliest))
    return;
  obd_trend_chart_set_live_follow (self, FALSE);
  set_end_time_internal (self, earliest + self->time_span);
}

/* End goes back to the live edge: the newest data, following again. */
static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  obd_trend_chart_set_live_follow (OBD_TREND_CHART (widget), TRUE);
}

static void
next_series_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ObdTrendChart *self = OBD_TREND_CHART (widget);
  Series *current = selected_series (self);
  guint start = 0;

  if (current == NULL)
    return;
  for (guint i = 0; i < self->series->len; i++)
    if (g_ptr_array_index (self->series, i) == current)
      start = i;
  for (guint k = 1; k <= self->series->len; k++)
    {
      Series *series = g_ptr_array_index (self->series, (start + k) % self->series->len);

      if (series->visible)
        {
          obd_trend_chart_set_selected_series (self, series->id);
          return;
        }
    }
}

/* GObject ----------------------------------------------------------- */

static void
obd_trend_chart_dispose (GObject *object)
{
  ObdTrendChart *self = OBD_TREND_CHART (object);

  g_clear_handle_id (&self->a11y_source, g_source_remove);

  G_OBJECT_CLASS (obd_trend_chart_parent_class)->dispose (object);
}

static void
obd_trend_chart_finalize (GObject *object)
{
  ObdTrendChart *self = OBD_TREND_CHART (object);

  g_ptr_array_unref (self->series);
  g_array_unref (self->scratch);
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
    case PROP_REDUCE:
      g_value_set_boolean (value, self->reduce);
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
    case PROP_REDUCE:
      if (self->reduce != g_value_get_boolean (value))
        {
          self->reduce = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
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
  static const struct {
    guint           keyval;
    GdkModifierType mods;
    const char     *action;
    int             arg;   /* for actions taking an "i", else ignored */
  } bindings[] = {
    { GDK_KEY_Left, 0, "chart.move-cursor", -1 },
    { GDK_KEY_Right, 0, "chart.move-cursor", 1 },
    { GDK_KEY_plus, 0, "chart.zoom", 1 },
    { GDK_KEY_equal, 0, "chart.zoom", 1 },
    { GDK_KEY_KP_Add, 0, "chart.zoom", 1 },
    { GDK_KEY_minus, 0, "chart.zoom", -1 },
    { GDK_KEY_KP_Subtract, 0, "chart.zoom", -1 },
    { GDK_KEY_Home, 0, "chart.home", 0 },
    { GDK_KEY_End, 0, "chart.end", 0 },
    { GDK_KEY_f, 0, "chart.live-follow", 0 },
    { GDK_KEY_s, 0, "chart.next-series", 0 },
  };

  object_class->dispose = obd_trend_chart_dispose;
  object_class->finalize = obd_trend_chart_finalize;
  object_class->get_property = obd_trend_chart_get_property;
  object_class->set_property = obd_trend_chart_set_property;

  widget_class->snapshot = obd_trend_chart_snapshot;
  widget_class->measure = obd_trend_chart_measure;
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
                       "Id of the series whose axis is labelled, 0 for the first",
                       0, G_MAXUINT, 0, rw);
  properties[PROP_REDUCE] =
    g_param_spec_boolean ("reduce", "Reduce",
                          "Draw per-pixel-column min/max instead of every sample "
                          "(turning it off is for benchmarks)", TRUE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "chart.move-cursor", "i", move_cursor_action);
  gtk_widget_class_install_action (widget_class, "chart.zoom", "i", zoom_action);
  gtk_widget_class_install_action (widget_class, "chart.home", NULL, home_action);
  gtk_widget_class_install_action (widget_class, "chart.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "chart.next-series", NULL, next_series_action);
  gtk_widget_class_install_property_action (widget_class, "chart.live-follow", "live-follow");

  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    {
      gboolean takes_int = g_str_equal (bindings[i].action, "chart.move-cursor") ||
                           g_str_equal (bindings[i].action, "chart.zoom");

      if (takes_int)
        gtk_widget_class_add_binding_action (widget_class, bindings[i].keyval, bindings[i].mods,
                                             bindings[i].action, "i", bindings[i].arg);
      else
        gtk_widget_class_add_binding_action (widget_class, bindings[i].keyval, bindings[i].mods,
                                             bindings[i].action, NULL);
    }

  gtk_widget_class_set_css_name (widget_class, "trendchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
obd_trend_chart_init (ObdTrendChart *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  self->scratch = g_array_new (FALSE, FALSE, sizeof (double));
  self->time_span = DEFAULT_SPAN_US;
  self->live_follow = TRUE;
  self->reduce = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect_object (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "drag-update", G_CALLBACK (drag_update_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_object (gesture, "begin", G_CALLBACK (zoom_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Trend chart"),
                                  -1);
  update_accessible (self);
}

/* Public API -------------------------------------------------------- */

GtkWidget *
obd_trend_chart_new (void)
{
  return g_object_new (OBD_TYPE_TREND_CHART, NULL);
}

guint
obd_trend_chart_add_series (ObdTrendChart *self,
                            guint          id,
                            const char    *label,
                            const char    *unit,
                            const GdkRGBA *color)
{
  Series *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);
  g_return_val_if_fail (label != NULL, 0);

  if (id == 0)
    {
      id = 1;
      while (find_series (self, id) != NULL)
        id++;
    }
  else if (find_series (self, id) != NULL)
    {
      g_critical ("Trend chart already has a series with id %u", id);
      return 0;
    }

  series = g_new0 (Series, 1);
  series->id = id;
  series->label = g_strdup (label);
  series->unit = g_strdup (unit);
  series->visible = TRUE;
  series->data = _obd_series_data_new ();
  if (color != NULL)
    series->color = *color;
  else
    gdk_rgba_parse (&series->color, palette[self->palette_next++ % G_N_ELEMENTS (palette)]);
  g_ptr_array_add (self->series, series);

  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_accessible_update (self);
  return id;
}

void
obd_trend_chart_remove_series (ObdTrendChart *self,
                               guint          series_id)
{
  Series *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = find_series (self, series_id);
  g_return_if_fail (series != NULL);
  g_ptr_array_remove (self->series, series);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_accessible_update (self);
}

guint
obd_trend_chart_get_n_series (ObdTrendChart *self)
{
  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  return self->series->len;
}

void
obd_trend_chart_append (ObdTrendChart *self,
                        guint          series_id,
                        gint64         time_us,
                        double         value)
{
  Series *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = find_series (self, series_id);
  g_return_if_fail (series != NULL);
  _obd_series_data_append (series->data, time_us, value);
  data_changed (self);
}

void
obd_trend_chart_append_many (ObdTrendChart *self,
                             guint          series_id,
                             const gint64  *times_us,
                             const double  *values,
                             gsize          n_values)
{
  Series *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));
  g_return_if_fail (n_values == 0 || (times_us != NULL && values != NULL));

  series = find_series (self, series_id);
  g_return_if_fail (series != NULL);
  for (gsize i = 0; i < n_values; i++)
    _obd_series_data_append (series->data, times_us[i], values[i]);
  data_changed (self);
}

void
obd_trend_chart_clear (ObdTrendChart *self)
{
  g_return_if_fail (OBD_IS_TREND_CHART (self));

  for (guint i = 0; i < self->series->len; i++)
    _obd_series_data_clear (((Series *) g_ptr_array_index (self->series, i))->data);
  data_changed (self);
}

gsize
obd_trend_chart_get_n_samples (ObdTrendChart *self,
                               guint          series_id)
{
  Series *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), 0);

  series = find_series (self, series_id);
  g_return_val_if_fail (series != NULL, 0);
  return _obd_series_data_get_length (series->data);
}

gboolean
obd_trend_chart_get_latest (ObdTrendChart *self,
                            guint          series_id,
                            gint64        *time_us,
                            double        *value)
{
  Series *series;
  gsize n;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  n = _obd_series_data_get_length (series->data);
  if (n == 0)
    return FALSE;
  if (time_us != NULL)
    *time_us = _obd_series_data_get_times (series->data)[n - 1];
  if (value != NULL)
    *value = _obd_series_data_get_values (series->data)[n - 1];
  return TRUE;
}

gboolean
obd_trend_chart_lookup (ObdTrendChart *self,
                        guint          series_id,
                        gint64         time_us,
                        gint64        *sample_time_us,
                        double        *value)
{
  Series *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  return nearest_sample (series, time_us, sample_time_us, value);
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
  set_end_time_internal (self, end_time_us);
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

void
obd_trend_chart_set_series_range (ObdTrendChart *self,
                                  guint          series_id,
                                  double         min_value,
                                  double         max_value)
{
  Series *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));
  g_return_if_fail (isfinite (min_value) && isfinite (max_value) && min_value < max_value);

  series = find_series (self, series_id);
  g_return_if_fail (series != NULL);
  series->fixed_range = TRUE;
  series->fixed_min = min_value;
  series->fixed_max = max_value;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
obd_trend_chart_set_series_auto_range (ObdTrendChart *self,
                                       guint          series_id)
{
  Series *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = find_series (self, series_id);
  g_return_if_fail (series != NULL);
  series->fixed_range = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
obd_trend_chart_get_series_range (ObdTrendChart *self,
                                  guint          series_id,
                                  double        *min_value,
                                  double        *max_value)
{
  Series *series;
  double lo, hi, step;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  series_range (self, series, &lo, &hi, &step);
  if (min_value != NULL)
    *min_value = lo;
  if (max_value != NULL)
    *max_value = hi;
  return series->fixed_range;
}

void
obd_trend_chart_set_series_visible (ObdTrendChart *self,
                                    guint          series_id,
                                    gboolean       visible)
{
  Series *series;

  g_return_if_fail (OBD_IS_TREND_CHART (self));

  series = find_series (self, series_id);
  g_return_if_fail (series != NULL);
  visible = !!visible;
  if (series->visible == visible)
    return;
  series->visible = visible;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  schedule_accessible_update (self);
}

gboolean
obd_trend_chart_get_series_visible (ObdTrendChart *self,
                                    guint          series_id)
{
  Series *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);

  series = find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  return series->visible;
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

gboolean
obd_trend_chart_reduce (ObdTrendChart *self,
                        guint          series_id,
                        gint64         t0,
                        gint64         t1,
                        guint          n_columns,
                        double        *out_min,
                        double        *out_max)
{
  Series *series;

  g_return_val_if_fail (OBD_IS_TREND_CHART (self), FALSE);
  g_return_val_if_fail (t0 < t1, FALSE);
  g_return_val_if_fail (n_columns == 0 || (out_min != NULL && out_max != NULL), FALSE);

  series = find_series (self, series_id);
  g_return_val_if_fail (series != NULL, FALSE);
  _obd_series_data_reduce (series->data, t0, t1, n_columns, out_min, out_max, NULL, NULL);
  return TRUE;
}
