/* obd-report-chart.c — trend charts of the key readings, for paper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small multiples, two to a row: one chart per kind of reading, one unit
 * per chart (engine speed, temperatures, fuel trims, voltage), so no
 * series is drawn against another's scale.  Series in one chart differ by
 * line style and marker shape as well as colour, and the legend shows
 * both, so the chart reads on a black-and-white printer.
 *
 * Every label (title, legend, ticks) is a pango layout placed as a cell
 * of the chart's item: real text in the PDF, checked like all other text.
 * A series is reduced to the lowest and highest value per point of width
 * before it is drawn, which keeps its peaks and keeps the PDF small.
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-report-private.h"

#define CHART_HEIGHT   150.0
#define CHART_GAP       16.0
#define AXIS_W          34.0
#define MAX_SERIES       4
#define N_MARKERS        7

static const struct
{
  const char *title;
  const char *keys[MAX_SERIES];
} panels[] = {
  { N_("Engine speed"), { "rpm" } },
  { N_("Vehicle speed"), { "speed" } },
  { N_("Temperatures"), { "coolant_temp", "oil_temp", "intake_temp" } },
  { N_("Fuel trims"), { "stft_b1", "ltft_b1", "stft_b2", "ltft_b2" } },
  { N_("System voltage"), { "control_module_voltage" } },
};

typedef enum
{
  MARKER_DOT = 0,
  MARKER_SQUARE,
  MARKER_TRIANGLE,
  MARKER_CROSS,
} Marker;

/* Dark colours that print as distinct greys, each with its own dash and
 * marker. */
static const struct
{
  double  rgb[3];
  double  dash[4];
  int     n_dash;
  Marker  marker;
} looks[MAX_SERIES] = {
  { { 0.08, 0.08, 0.08 }, { 0 }, 0, MARKER_DOT },
  { { 0.10, 0.30, 0.62 }, { 5.0, 2.5 }, 2, MARKER_SQUARE },
  { { 0.70, 0.33, 0.00 }, { 1.2, 2.0 }, 2, MARKER_TRIANGLE },
  { { 0.10, 0.45, 0.20 }, { 6.0, 2.0, 1.2, 2.0 }, 4, MARKER_CROSS },
};

typedef struct
{
  double  x;
  double  y;
} Point;

typedef struct
{
  /* plot area, in item coordinates */
  double   px, py, pw, ph;
  double   v0, v1, vstep;
  double   t0, t1, tstep;
  guint    n_vticks;                /* ticks are v0 + i × vstep, i ≤ n_vticks */
  guint    n_tticks;
  guint    n;
  GArray  *paths[MAX_SERIES];     /* Point, reduced */
  GArray  *markers[MAX_SERIES];   /* Point */
  double   legend_x[MAX_SERIES];
  double   legend_y[MAX_SERIES];
} Panel;

typedef struct
{
  Panel  panels[2];
  guint  n;
} ChartDraw;

static void
chart_draw_free (ChartDraw *d)
{
  for (guint p = 0; p < d->n; p++)
    for (guint i = 0; i < d->panels[p].n; i++)
      {
        g_clear_pointer (&d->panels[p].paths[i], g_array_unref);
        g_clear_pointer (&d->panels[p].markers[i], g_array_unref);
      }
  g_free (d);
}

static double
nice_step (double range,
           double target)
{
  double raw = range / target;
  double mag = pow (10.0, floor (log10 (raw)));
  double f = raw / mag;

  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* The smallest span of a chart's scale, in display units. */
static double
min_span (ObdUnit       unit,
          ObdUnitSystem units)
{
  switch (unit)
    {
    case OBD_UNIT_RPM:
      return 500;
    case OBD_UNIT_KMH:
      return 20;
    case OBD_UNIT_CELSIUS:
      return units == OBD_UNIT_SYSTEM_US ? 36 : 20;
    case OBD_UNIT_PERCENT:
      return 10;
    case OBD_UNIT_VOLT:
      return 2;
    default:
      return 1;
    }
}

/* A step of clock-like size giving at most max_ticks intervals. */
static double
time_step (double seconds,
           double max_ticks)
{
  static const double steps[] = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (seconds / steps[i] <= max_ticks)
      return steps[i];
  return nice_step (seconds, max_ticks);
}

static void
draw_marker (cairo_t *cr,
             Marker   marker,
             double   x,
             double   y)
{
  const double r = 2.2;

  switch (marker)
    {
    case MARKER_DOT:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case MARKER_SQUARE:
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_rectangle (cr, x - r, y - r, 2 * r, 2 * r);
      cairo_fill_preserve (cr);
      break;
    case MARKER_TRIANGLE:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.1, y + r * 0.8);
      cairo_line_to (cr, x - r * 1.1, y + r * 0.8);
      cairo_close_path (cr);
      cairo_fill (cr);
      break;
    case MARKER_CROSS:
    default:
      cairo_move_to (cr, x - r, y - r);
      cairo_line_to (cr, x + r, y + r);
      cairo_move_to (cr, x - r, y + r);
      cairo_line_to (cr, x + r, y - r);
      break;
    }
}

static void
set_look (cairo_t *cr,
          guint    i,
          gboolean dashed)
{
  cairo_set_source_rgb (cr, looks[i].rgb[0], looks[i].rgb[1], looks[i].rgb[2]);
  cairo_set_dash (cr, looks[i].dash, dashed ? looks[i].n_dash : 0, 0);
}

static void
stroke_marker (cairo_t *cr,
               guint    i,
               double   x,
               double   y)
{
  set_look (cr, i, FALSE);
  cairo_set_line_width (cr, 0.9);
  draw_marker (cr, looks[i].marker, x, y);
  if (looks[i].marker == MARKER_SQUARE)
    set_look (cr, i, FALSE);
  cairo_stroke (cr);
}

static void
draw_panel (const Panel *p,
            cairo_t     *cr)
{
  cairo_save (cr);

  /* Grid: light, dashed, under everything. */
  cairo_set_line_width (cr, 0.4);
  cairo_set_source_rgb (cr, 0.78, 0.78, 0.78);
  {
    static const double grid_dash[] = { 1.5, 1.5 };

    cairo_set_dash (cr, grid_dash, 2, 0);
  }
  for (guint i = 0; i <= p->n_vticks; i++)
    {
      double v = p->v0 + i * p->vstep;
      double y = p->py + p->ph - (v - p->v0) / (p->v1 - p->v0) * p->ph;

      cairo_move_to (cr, p->px, y);
      cairo_line_to (cr, p->px + p->pw, y);
    }
  for (guint i = 0; i <= p->n_tticks; i++)
    {
      double x = p->px + i * p->tstep / (p->t1 - p->t0) * p->pw;

      cairo_move_to (cr, x, p->py);
      cairo_line_to (cr, x, p->py + p->ph);
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  /* Axes. */
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_set_line_width (cr, 0.7);
  cairo_move_to (cr, p->px, p->py);
  cairo_line_to (cr, p->px, p->py + p->ph);
  cairo_line_to (cr, p->px + p->pw, p->py + p->ph);
  cairo_stroke (cr);

  /* Series, clipped to the plot. */
  cairo_save (cr);
  cairo_rectangle (cr, p->px - 3, p->py - 3, p->pw + 6, p->ph + 6);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < p->n; i++)
    {
      const GArray *path = p->paths[i];

      set_look (cr, i, TRUE);
      cairo_set_line_width (cr, 1.1);
      for (guint k = 0; k < path->len; k++)
        {
          const Point *pt = &g_array_index (path, Point, k);

          if (k == 0)
            cairo_move_to (cr, pt->x, pt->y);
          else
            cairo_line_to (cr, pt->x, pt->y);
        }
      cairo_stroke (cr);
      for (guint k = 0; k < p->markers[i]->len; k++)
        {
          const Point *pt = &g_array_index (p->markers[i], Point, k);

          stroke_marker (cr, i, pt->x, pt->y);
        }
    }
  cairo_restore (cr);

  /* Legend samples: line style and marker, beside their labels. */
  if (p->n > 1)
    for (guint i = 0; i < p->n; i++)
      {
        set_look (cr, i, TRUE);
        cairo_set_line_width (cr, 1.1);
        cairo_move_to (cr, p->legend_x[i], p->legend_y[i]);
        cairo_line_to (cr, p->legend_x[i] + 18, p->legend_y[i]);
        cairo_stroke (cr);
        stroke_marker (cr, i, p->legend_x[i] + 9, p->legend_y[i]);
      }

  cairo_restore (cr);
}

static void
draw_chart (ObdReportItem *item,
            cairo_t       *cr,
            gpointer       data)
{
  ChartDraw *d = data;

  for (guint i = 0; i < d->n; i++)
    draw_panel (&d->panels[i], cr);
}

/* The longest test a chart's time axis is drawn for, and the largest
 * reading: beyond them the data is damaged (the tables still show it). */
#define MAX_CHART_SECONDS (7 * 24 * 3600.0)
#define MAX_CHART_VALUE   1e6

static const ObdReportSeries *
find_series (const ObdReport *r,
             const char      *key)
{
  for (guint i = 0; i < r->series->len; i++)
    {
      const ObdReportSeries *s = g_ptr_array_index (r->series, i);
      gint64 span_us;

      if (s->info->key == NULL || !g_str_equal (s->info->key, key))
        continue;
      span_us = g_array_index (s->points, ObdStorePoint, s->points->len - 1).time_us -
                g_array_index (s->points, ObdStorePoint, 0).time_us;
      if (!isfinite (s->min) || !isfinite (s->max) || fabs (s->min) > MAX_CHART_VALUE ||
          fabs (s->max) > MAX_CHART_VALUE || span_us < 0 ||
          span_us / (double) G_USEC_PER_SEC > MAX_CHART_SECONDS)
        return NULL;
      return s;
    }
  return NULL;
}

/* Where sample k of s lies on the page. */
static Point
to_point (const Panel           *p,
          const ObdReportSeries *s,
          guint                  k,
          ObdUnitSystem          units,
          gint64                 start_us)
{
  const ObdStorePoint *sp = &g_array_index (s->points, ObdStorePoint, k);
  double t = (sp->time_us - start_us) / (double) G_USEC_PER_SEC;
  double v = obd_unit_convert (s->info->unit, units, sp->value);

  return (Point) {
    p->px + (t - p->t0) / (p->t1 - p->t0) * p->pw,
    p->py + p->ph - (v - p->v0) / (p->v1 - p->v0) * p->ph,
  };
}

/* Each point of width keeps its lowest and highest value, in time order. */
static void
flush_bucket (GArray      *out,
              const Point *lo,
              guint        lo_k,
              const Point *hi,
              guint        hi_k)
{
  if (lo_k == hi_k)
    {
      g_array_append_val (out, *lo);
      return;
    }
  g_array_append_vals (out, lo_k < hi_k ? lo : hi, 1);
  g_array_append_vals (out, lo_k < hi_k ? hi : lo, 1);
}

static GArray *
reduce (const ObdReportSeries *s,
        const Panel           *p,
        ObdUnitSystem          units,
        gint64                 start_us,
        gboolean               enabled)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Point));
  gint64 bucket = G_MININT64;
  Point lo = { 0 }, hi = { 0 };
  guint lo_k = 0, hi_k = 0;

  for (guint k = 0; k < s->points->len; k++)
    {
      Point pt = to_point (p, s, k, units, start_us);
      gint64 b = (gint64) floor (pt.x);

      if (!enabled)
        {
          g_array_append_val (out, pt);
          continue;
        }
      if (b != bucket)
        {
          if (bucket != G_MININT64)
            flush_bucket (out, &lo, lo_k, &hi, hi_k);
          bucket = b;
          lo = hi = pt;
          lo_k = hi_k = k;
          continue;
        }

      /* Screen y grows downwards: the lowest value has the largest y. */
      if (pt.y > lo.y)
        {
          lo = pt;
          lo_k = k;
        }
      if (pt.y < hi.y)
        {
          hi = pt;
          hi_k = k;
        }
    }
  if (bucket != G_MININT64)
    flush_bucket (out, &lo, lo_k, &hi, hi_k);

  return out;
}

static GArray *
pick_markers (const ObdReportSeries *s,
              const Panel           *p,
              guint                  index,
              ObdUnitSystem          units,
              gint64                 start_us)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Point));
  guint n = MIN (N_MARKERS, s->points->len);

  /* Evenly spread, each series shifted so markers do not sit on top of
   * one another where lines run together. */
  for (guint m = 0; m < n; m++)
    {
      double f = (m + (index + 1.0) / (MAX_SERIES + 1.0)) / n;
      guint k = MIN ((guint) (f * s->points->len), s->points->len - 1);
      Point pt = to_point (p, s, k, units, start_us);

      g_array_append_val (out, pt);
    }
  return out;
}

static char *
format_elapsed (double seconds,
                gboolean hours)
{
  guint total = (guint) (seconds + 0.5);

  /* Clock-style elapsed time, "4:30": minutes and seconds, or hours and
   * minutes for long tests. */
  if (hours)
    return g_strdup_printf ("%u:%02u", total / 3600, total / 60 % 60);
  return g_strdup_printf ("%u:%02u", total / 60, total % 60);
}

static PangoLayout *
text_cell (ObdReportFlow  *flow,
           ObdReportItem  *item,
           ObdReportStyle  style,
           const char     *text,
           double          x,
           double          y,
           double          width,
           PangoAlignment  align)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  PangoLayout *layout = _obd_report_flow_layout (flow, style, markup, width, align);

  _obd_report_item_add_cell (item, layout, x, y, 0);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  PangoRectangle e;

  pango_layout_get_extents (layout, NULL, &e);
  return e.height / (double) PANGO_SCALE;
}

/* Lays out one panel in (x, y, w, CHART_HEIGHT) of item. */
static void
build_panel (ObdReportFlow          *flow,
             ObdReportItem          *item,
             Panel                  *p,
             const char             *title,
             const ObdReportSeries **series,
             guint                   n,
             double                  x,
             double                  y,
             double                  w)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  ObdUnit unit = series[0]->info->unit;
  const char *symbol = obd_unit_get_symbol (unit, r->units);
  g_autofree char *heading = *symbol != '\0'
                             /* Translators: a chart title and its unit, "Temperatures (°C)" */
                             ? g_strdup_printf (_("%s (%s)"), title, symbol)
                             : g_strdup (title);
  gint64 start_us = G_MAXINT64, end_us = G_MININT64;
  double vmin = INFINITY, vmax = -INFINITY;
  double top, lx, decimals;
  gboolean hours;
  PangoLayout *l;

  p->n = n;

  for (guint i = 0; i < n; i++)
    {
      const ObdReportSeries *s = series[i];

      start_us = MIN (start_us, g_array_index (s->points, ObdStorePoint, 0).time_us);
      end_us = MAX (end_us, g_array_index (s->points, ObdStorePoint,
                                           s->points->len - 1).time_us);
      vmin = MIN (vmin, MIN (obd_unit_convert (unit, r->units, s->min),
                             obd_unit_convert (unit, r->units, s->max)));
      vmax = MAX (vmax, MAX (obd_unit_convert (unit, r->units, s->min),
                             obd_unit_convert (unit, r->units, s->max)));
    }
  /* Sensor noise must not look like a swing: the scale spans at least
   * what a mechanic would call a change for this kind of reading. */
  {
    double span = min_span (unit, r->units);

    if (vmax - vmin < span)
      {
        double mid = (vmax + vmin) / 2;

        vmin = mid - span / 2;
        vmax = mid + span / 2;
        /* No negative speeds, loads or engine speeds on the scale. */
        if (vmin < 0 && (unit == OBD_UNIT_RPM || unit == OBD_UNIT_KMH || unit == OBD_UNIT_VOLT))
          {
            vmax -= vmin;
            vmin = 0;
          }
      }
  }
  /* Labels need about 14 points of height and 36 of width each; the
   * plot's size is known once the legend is laid out, so estimate it. */
  p->vstep = nice_step (vmax - vmin, CLAMP ((CHART_HEIGHT - 60) / 22, 2, 4));
  p->v0 = floor (vmin / p->vstep) * p->vstep;
  p->v1 = ceil (vmax / p->vstep) * p->vstep;
  if (p->v1 - p->v0 < p->vstep)
    p->v1 = p->v0 + p->vstep;

  /* Counted, not stepped to: a step lost in a large value's rounding
   * must not loop for ever. */
  p->n_vticks = (guint) CLAMP (floor ((p->v1 - p->v0) / p->vstep + 0.5), 1, 12);

  p->t0 = 0;
  p->t1 = MAX ((end_us - start_us) / (double) G_USEC_PER_SEC, 1.0);
  p->tstep = time_step (p->t1, MAX (1, floor ((w - AXIS_W - 8) / 40)));
  p->n_tticks = (guint) CLAMP (floor (p->t1 / p->tstep + 1e-9), 0, 12);
  hours = p->t1 >= 3600;

  l = text_cell (flow, item, OBD_REPORT_STYLE_SUBHEADING, heading, x, y, w, PANGO_ALIGN_LEFT);
  top = y + layout_height (l) + 2;

  /* Legend: sample and label, wrapping when the row is full. */
  lx = x;
  if (n > 1)
    {
      for (guint i = 0; i < n; i++)
        {
          const char *label = obd_value_get_label (series[i]->info);
          PangoLayout *probe = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED, "", -1,
                                                        PANGO_ALIGN_LEFT);
          PangoRectangle e;
          double lw;

          pango_layout_set_text (probe, label, -1);
          pango_layout_get_extents (probe, NULL, &e);
          lw = MIN (e.width / (double) PANGO_SCALE + 1, w - 24);
          g_object_unref (probe);
          if (lx > x && lx + 24 + lw > x + w)
            {
              lx = x;
              top += 11;
            }
          l = text_cell (flow, item, OBD_REPORT_STYLE_MUTED, label, lx + 22, top, lw + 1,
                         PANGO_ALIGN_LEFT);
          p->legend_x[i] = lx;
          p->legend_y[i] = top + layout_height (l) / 2;
          lx += 22 + lw + 10;
        }
      top += 13;
    }

  p->px = x + AXIS_W;
  p->pw = w - AXIS_W - 8;
  p->py = top + 4;
  p->ph = y + CHART_HEIGHT - 24 - p->py;

  decimals = p->vstep < 1 ? ceil (-log10 (p->vstep)) : 0;
  for (guint i = 0; i <= p->n_vticks; i++)
    {
      double v = p->v0 + i * p->vstep;
      g_autofree char *label = _obd_report_format_number (v, (guint) decimals);
      double ty = p->py + p->ph - (v - p->v0) / (p->v1 - p->v0) * p->ph;
      PangoLayout *probe = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED, "", -1,
                                                    PANGO_ALIGN_LEFT);
      double h;

      h = layout_height (probe);
      g_object_unref (probe);
      text_cell (flow, item, OBD_REPORT_STYLE_MUTED, label, x, ty - h / 2, AXIS_W - 4,
                 PANGO_ALIGN_RIGHT);
    }
  for (guint i = 0; i <= p->n_tticks; i++)
    {
      double t = i * p->tstep;
      g_autofree char *label = format_elapsed (t, hours);
      double tx = p->px + t / p->t1 * p->pw;

      /* The first label starts at the axis, clear of the value scale's
       * lowest label in the corner. */
      if (t == 0)
        text_cell (flow, item, OBD_REPORT_STYLE_MUTED, label, tx, p->py + p->ph + 2, 32,
                   PANGO_ALIGN_LEFT);
      else if (tx + 16 > x + w)
        /* and the last ends at the panel's edge */
        text_cell (flow, item, OBD_REPORT_STYLE_MUTED, label, x + w - 32, p->py + p->ph + 2, 32,
                   PANGO_ALIGN_RIGHT);
      else
        text_cell (flow, item, OBD_REPORT_STYLE_MUTED, label, tx - 16, p->py + p->ph + 2, 32,
                   PANGO_ALIGN_CENTER);
    }
  text_cell (flow, item, OBD_REPORT_STYLE_MUTED,
             hours ? _("Time since the start of the test (h:min)")
                   : _("Time since the start of the test (min:s)"),
             p->px, p->py + p->ph + 12, p->pw, PANGO_ALIGN_CENTER);

  for (guint i = 0; i < n; i++)
    {
      p->paths[i] = reduce (series[i], p, r->units, start_us,
                            _obd_report_flow_get_reduce_charts (flow));
      p->markers[i] = pick_markers (series[i], p, i, r->units, start_us);
    }
}

void
_obd_report_write_charts (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  double width = _obd_report_flow_get_width (flow);
  double panel_w = (width - CHART_GAP) / 2;
  ObdReportItem *item = NULL;
  ChartDraw *draw = NULL;
  /* Two charts side by side when each still gets a useful width. */
  guint per_row = width >= 420 ? 2 : 1;

  if (per_row == 1)
    panel_w = width;

  for (guint i = 0; i < G_N_ELEMENTS (panels); i++)
    {
      const ObdReportSeries *series[MAX_SERIES];
      guint n = 0;

      for (guint k = 0; k < MAX_SERIES && panels[i].keys[k] != NULL; k++)
        {
          const ObdReportSeries *s = find_series (r, panels[i].keys[k]);

          /* Road speed stuck at 0 (a car on the bench) says nothing. */
          if (s != NULL && !(g_str_equal (panels[i].keys[k], "speed") && s->max <= 0))
            series[n++] = s;
        }
      if (n == 0)
        continue;

      if (item == NULL)
        _obd_report_add_subheading (flow, _("How the readings changed during the test"));
      if (item == NULL || draw->n == per_row)
        {
          item = _obd_report_flow_add_item (flow);
          draw = g_new0 (ChartDraw, 1);
          item->space_before = 10;
          item->height = CHART_HEIGHT;
          item->draw = draw_chart;
          item->draw_data = draw;
          item->draw_data_free = (GDestroyNotify) chart_draw_free;
        }
      build_panel (flow, item, &draw->panels[draw->n], _(panels[i].title), series, n,
                   draw->n * (panel_w + CHART_GAP), 0, panel_w);
      draw->n++;
    }
}
