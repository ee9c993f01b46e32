/* obd-report-document.c — layout, pagination and drawing of the report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <langinfo.h>
#include <math.h>
#include <stdint.h>

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>

#include "obd-report-private.h"

/* Page geometry, in points. */
#define MARGIN_SIDE    48.0
#define MARGIN_TOP     40.0
#define MARGIN_BOTTOM  36.0
#define RUNNING_HEAD   24.0   /* band above the flow on pages after the first */
#define FOOTER         22.0   /* band below the flow */

/* Positions closer than this are the same: pango units are 1/1024 pt. */
#define EPS 0.01

#define MIN_WIDTH  300.0
#define MIN_HEIGHT 400.0

struct _ObdReportFlow
{
  const ObdReport       *report;
  PangoContext          *context;
  PangoFontDescription  *fonts[OBD_REPORT_N_STYLES];
  double                 greys[OBD_REPORT_N_STYLES];
  double                 width;
  GPtrArray             *items;       /* ObdReportItem */
  gboolean               reduce_charts;
};

typedef struct
{
  guint           page;
  ObdReportItem  *item;
  double          y;        /* page position of the slice's top */
  double          y0;       /* the slice of the item, in item coordinates */
  double          y1;
  gboolean        repeat;   /* a table header placed again */
} Placement;

struct _ObdReportDocument
{
  const ObdReport    *report;
  double              width;
  double              height;
  ObdReportFlow       flow;
  GArray             *placements;   /* Placement, by page */
  guint               n_pages;
  cairo_surface_t    *logo;
  GError             *logo_error;

  /* Set while _obd_report_document_foreach_line () runs. */
  ObdReportLineFunc   line_func;
  gpointer            line_data;
};

/* Paper ---------------------------------------------------------------- */

static const struct
{
  const char *key;
  double      width;
  double      height;
} papers[] = {
  [OBD_REPORT_PAPER_A4] = { "a4", 595.28, 841.89 },        /* 210 × 297 mm */
  [OBD_REPORT_PAPER_LETTER] = { "letter", 612.0, 792.0 },  /* 8.5 × 11 in */
};

gboolean
obd_report_paper_parse (const char     *text,
                        ObdReportPaper *out_paper)
{
  g_return_val_if_fail (out_paper != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (papers); i++)
    if (g_ascii_strcasecmp (text, papers[i].key) == 0)
      {
        *out_paper = (ObdReportPaper) i;
        return TRUE;
      }
  return FALSE;
}

const char *
obd_report_paper_get_key (ObdReportPaper paper)
{
  g_return_val_if_fail (paper <= OBD_REPORT_PAPER_LETTER, NULL);
  return papers[paper].key;
}

void
obd_report_paper_get_size (ObdReportPaper  paper,
                           double         *out_width,
                           double         *out_height)
{
  g_return_if_fail (paper <= OBD_REPORT_PAPER_LETTER);

  if (out_width != NULL)
    *out_width = papers[paper].width;
  if (out_height != NULL)
    *out_height = papers[paper].height;
}

ObdReportPaper
obd_report_paper_for_locale (void)
{
#ifdef __GLIBC__
  /* glibc's LC_PAPER gives the size in millimetres: 216 × 279 is Letter. */
  int width = (int) (intptr_t) nl_langinfo (_NL_PAPER_WIDTH);
  int height = (int) (intptr_t) nl_langinfo (_NL_PAPER_HEIGHT);

  if (width == 216 && height == 279)
    return OBD_REPORT_PAPER_LETTER;
#endif
  return OBD_REPORT_PAPER_A4;
}

/* Flow ----------------------------------------------------------------- */

static const struct
{
  const char *font;
  double      grey;
} styles[OBD_REPORT_N_STYLES] = {
  [OBD_REPORT_STYLE_BODY] = { "Sans 9.5", 0.10 },
  [OBD_REPORT_STYLE_SMALL] = { "Sans 8.5", 0.10 },
  [OBD_REPORT_STYLE_MUTED] = { "Sans 8", 0.33 },
  [OBD_REPORT_STYLE_TABLE] = { "Sans 8.8", 0.10 },
  [OBD_REPORT_STYLE_TABLE_HEAD] = { "Sans Bold 8", 0.25 },
  [OBD_REPORT_STYLE_HEADING] = { "Sans Bold 12.5", 0.05 },
  [OBD_REPORT_STYLE_SUBHEADING] = { "Sans Bold 10", 0.10 },
  [OBD_REPORT_STYLE_TITLE] = { "Sans Bold 17", 0.05 },
  [OBD_REPORT_STYLE_SHOP] = { "Sans Bold 13", 0.05 },
  [OBD_REPORT_STYLE_VERDICT] = { "Sans Bold 13", 0.05 },
  [OBD_REPORT_STYLE_CODE] = { "Monospace Bold 15", 0.0 },
  [OBD_REPORT_STYLE_MONO_SMALL] = { "Monospace 7", 0.33 },
};

static GQuark
grey_quark (void)
{
  return g_quark_from_static_string ("obd-report-grey");
}

static void
item_free (ObdReportItem *item)
{
  g_clear_pointer (&item->cells, g_ptr_array_unref);
  g_free (item->outline);
  if (item->draw_data_free != NULL)
    item->draw_data_free (item->draw_data);
  g_free (item);
}

static void
cell_free (ObdReportCell *cell)
{
  g_clear_object (&cell->layout);
  g_free (cell);
}

static void
flow_init (ObdReportFlow   *flow,
           const ObdReport *report,
           double           width)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  flow->report = report;
  flow->width = width;
  flow->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);

  /* Points as units, and no hinting: glyph positions then do not depend
   * on the device, so pagination done here holds on paper and in a PDF. */
  flow->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  pango_cairo_context_set_resolution (flow->context, 72.0);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (flow->context, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (flow->context, FALSE);

  for (guint i = 0; i < OBD_REPORT_N_STYLES; i++)
    {
      flow->fonts[i] = pango_font_description_from_string (styles[i].font);
      flow->greys[i] = styles[i].grey;
    }
}

static void
flow_clear (ObdReportFlow *flow)
{
  g_clear_pointer (&flow->items, g_ptr_array_unref);
  g_clear_object (&flow->context);
  for (guint i = 0; i < OBD_REPORT_N_STYLES; i++)
    g_clear_pointer (&flow->fonts[i], pango_font_description_free);
}

PangoContext *
_obd_report_flow_get_context (ObdReportFlow *flow)
{
  return flow->context;
}

double
_obd_report_flow_get_width (ObdReportFlow *flow)
{
  return flow->width;
}

gboolean
_obd_report_flow_get_reduce_charts (ObdReportFlow *flow)
{
  return flow->reduce_charts;
}

GPtrArray *
_obd_report_flow_get_items (ObdReportFlow *flow)
{
  return flow->items;
}

const ObdReport *
_obd_report_flow_get_report (ObdReportFlow *flow)
{
  return flow->report;
}

PangoLayout *
_obd_report_flow_layout (ObdReportFlow  *flow,
                         ObdReportStyle  style,
                         const char     *markup,
                         double          width,
                         PangoAlignment  alignment)
{
  PangoLayout *layout = pango_layout_new (flow->context);
  guint grey = (guint) (flow->greys[style] * 1000 + 0.5);

  g_return_val_if_fail (style < OBD_REPORT_N_STYLES, layout);

  pango_layout_set_font_description (layout, flow->fonts[style]);
  /* Word-and-character wrapping: even a VIN-long word with no space
   * breaks inside its column rather than running past it. */
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  if (width > 0)
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_markup (layout, markup, -1);
  g_object_set_qdata (G_OBJECT (layout), grey_quark (), GUINT_TO_POINTER (grey + 1));
  return layout;
}

ObdReportItem *
_obd_report_flow_add_item (ObdReportFlow *flow)
{
  ObdReportItem *item = g_new0 (ObdReportItem, 1);

  item->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
  item->fill_grey = 1.0;
  g_ptr_array_add (flow->items, item);
  return item;
}

void
_obd_report_item_add_cell (ObdReportItem *item,
                           PangoLayout   *layout,
                           double         x,
                           double         y,
                           double         bottom_padding)
{
  ObdReportCell *cell = g_new0 (ObdReportCell, 1);
  PangoRectangle logical;

  cell->layout = layout;
  cell->x = x;
  cell->y = y;
  g_ptr_array_add (item->cells, cell);

  pango_layout_get_extents (layout, NULL, &logical);
  item->height = MAX (item->height,
                      y + (logical.y + logical.height) / (double) PANGO_SCALE + bottom_padding);
}

/* Lines ---------------------------------------------------------------- */

typedef struct
{
  double top;
  double bottom;
} Span;

/* Every line of every cell of item, in item coordinates. */
static GArray *
item_line_spans (const ObdReportItem *item)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));

  for (guint i = 0; i < item->cells->len; i++)
    {
      const ObdReportCell *cell = g_ptr_array_index (item->cells, i);
      PangoLayoutIter *iter = pango_layout_get_iter (cell->layout);

      do
        {
          PangoRectangle logical;
          Span span;

          pango_layout_iter_get_line_extents (iter, NULL, &logical);
          span.top = cell->y + logical.y / (double) PANGO_SCALE;
          span.bottom = span.top + logical.height / (double) PANGO_SCALE;
          g_array_append_val (spans, span);
        }
      while (pango_layout_iter_next_line (iter));
      pango_layout_iter_free (iter);
    }

  return spans;
}

/* The largest place in (y0, limit] where item may be cut without cutting
 * a line, or y0 when there is none.  Cuts fall at line bottoms. */
static double
find_break (const ObdReportItem *item,
            double               y0,
            double               limit)
{
  g_autoptr(GArray) spans = item_line_spans (item);
  double best = y0;

  if (item->height <= limit + EPS)
    return item->height;

  for (guint i = 0; i < spans->len; i++)
    {
      double b = g_array_index (spans, Span, i).bottom;
      gboolean clean = TRUE;

      if (b <= y0 + EPS || b > limit + EPS || b <= best)
        continue;
      for (guint j = 0; j < spans->len && clean; j++)
        {
          const Span *s = &g_array_index (spans, Span, j);

          clean = !(s->top < b - EPS && s->bottom > b + EPS);
        }
      if (clean)
        best = b;
    }

  return best;
}

/* Pagination ----------------------------------------------------------- */

static double
body_top (guint page)
{
  return MARGIN_TOP + (page > 0 ? RUNNING_HEAD : 0);
}

static double
body_bottom (const ObdReportDocument *doc)
{
  return doc->height - MARGIN_BOTTOM - FOOTER;
}

/* Height that must follow a keep-with-next item on its page: the next
 * item, or its first line if it may be split anywhere. */
static double
first_piece (ObdReportFlow *flow,
             guint          index)
{
  const ObdReportItem *item;
  double piece;

  if (index >= flow->items->len)
    return 0;
  item = g_ptr_array_index (flow->items, index);

  piece = item->height;
  if (item->split == OBD_REPORT_SPLIT_LINES)
    {
      g_autoptr(GArray) spans = item_line_spans (item);

      if (spans->len > 0)
        piece = g_array_index (spans, Span, 0).bottom;
    }

  if (item->keep_with_next)
    piece += first_piece (flow, index + 1);
  return item->space_before + piece;
}

typedef struct
{
  ObdReportDocument *doc;
  guint              page;
  double             y;
  double             content_top;   /* below a repeated table header */
} Cursor;

static void
place (Cursor        *c,
       ObdReportItem *item,
       double         y0,
       double         y1,
       gboolean       repeat)
{
  Placement p = { c->page, item, c->y, y0, y1, repeat };

  g_array_append_val (c->doc->placements, p);
  c->y += y1 - y0;
}

static void
new_page (Cursor        *c,
          ObdReportItem *continuing)
{
  c->page++;
  c->y = body_top (c->page);

  /* A table goes on with its header row. */
  if (continuing != NULL && continuing->header != NULL && continuing->header != continuing)
    place (c, continuing->header, 0, continuing->header->height, TRUE);
  c->content_top = c->y;
}

static void
paginate (ObdReportDocument *doc)
{
  ObdReportFlow *flow = &doc->flow;
  Cursor c = { doc, 0, body_top (0), body_top (0) };
  double bottom = body_bottom (doc);

  for (guint i = 0; i < flow->items->len; i++)
    {
      ObdReportItem *item = g_ptr_array_index (flow->items, i);
      double header = item->header != NULL && item->header != item ? item->header->height : 0;
      double page_body = bottom - body_top (c.page + 1) - header;
      double y0 = 0;

      if (c.y > c.content_top + EPS)
        c.y += item->space_before;

      if (item->keep_with_next && c.y > c.content_top + EPS &&
          c.y + item->height + first_piece (flow, i + 1) > bottom + EPS)
        new_page (&c, item);

      while (y0 < item->height - EPS)
        {
          double avail = bottom - c.y;
          double rest = item->height - y0;
          gboolean at_top = c.y <= c.content_top + EPS;

          if (rest <= avail + EPS)
            {
              place (&c, item, y0, item->height, FALSE);
              break;
            }

          /* Paragraphs break between any lines; a table row only when it
           * would not fit on a page of its own either. */
          if (item->split == OBD_REPORT_SPLIT_LINES ||
              (item->split == OBD_REPORT_SPLIT_OVERSIZE && (rest > page_body || at_top)))
            {
              double b = find_break (item, y0, y0 + avail);

              if (b > y0 + EPS)
                {
                  place (&c, item, y0, b, FALSE);
                  y0 = b;
                  new_page (&c, item);
                  continue;
                }
            }

          if (at_top)
            {
              /* Nothing smaller can be cut: a drawing taller than a page
               * is a bug in the writer, which sizes them to fit. */
              g_warn_if_reached ();
              place (&c, item, y0, item->height, FALSE);
              break;
            }

          new_page (&c, item);
        }
    }

  doc->n_pages = c.page + 1;
}

/* Drawing -------------------------------------------------------------- */

static void
set_grey (cairo_t *cr,
          double   grey)
{
  cairo_set_source_rgb (cr, grey, grey, grey);
}

/* Draws the lines of layout whose logical extents lie within [y0, y1] of
 * the item.  (x, y) is where the layout's top-left would be on the page
 * if the item's y0 were at page position top. */
static void
draw_layout_lines (ObdReportDocument *doc,
                   cairo_t           *cr,
                   guint              page,
                   ObdReportLineKind  kind,
                   PangoLayout       *layout,
                   double             x,
                   double             cell_y,
                   double             top,
                   double             y0,
                   double             y1)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  const char *text = pango_layout_get_text (layout);
  guint grey = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (layout), grey_quark ()));

  set_grey (cr, grey > 0 ? (grey - 1) / 1000.0 : 0.1);

  do
    {
      PangoRectangle logical;
      PangoLayoutLine *line;
      double line_top, line_bottom, page_y, baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      line_top = cell_y + logical.y / (double) PANGO_SCALE;
      line_bottom = line_top + logical.height / (double) PANGO_SCALE;
      if (line_top < y0 - EPS || line_bottom > y1 + EPS)
        continue;

      line = pango_layout_iter_get_line_readonly (iter);
      page_y = top + (line_top - y0);
      baseline = top + (cell_y + pango_layout_iter_get_baseline (iter) / (double) PANGO_SCALE
                        - y0);
      cairo_move_to (cr, x + logical.x / (double) PANGO_SCALE, baseline);
      pango_cairo_show_layout_line (cr, line);

      if (doc->line_func != NULL)
        {
          g_autofree char *line_text = g_strndup (text + line->start_index, line->length);

          doc->line_func (page, kind, x + logical.x / (double) PANGO_SCALE, page_y,
                          logical.width / (double) PANGO_SCALE,
                          logical.height / (double) PANGO_SCALE, line_text, doc->line_data);
        }
    }
  while (pango_layout_iter_next_line (iter));

  pango_layout_iter_free (iter);
}

static void
draw_placement (ObdReportDocument *doc,
                cairo_t           *cr,
                const Placement   *p)
{
  ObdReportItem *item = p->item;
  double x = MARGIN_SIDE;
  double w = doc->flow.width;
  double h = p->y1 - p->y0;
  gboolean first = p->y0 <= EPS;
  gboolean last = p->y1 >= item->height - EPS;

  cairo_save (cr);

  if (item->fill)
    {
      set_grey (cr, item->fill_grey);
      cairo_rectangle (cr, x, p->y, w, h);
      cairo_fill (cr);
    }

  if (item->draw != NULL)
    {
      cairo_save (cr);
      cairo_rectangle (cr, x, p->y, w, h);
      cairo_clip (cr);
      cairo_translate (cr, x, p->y - p->y0);
      item->draw (item, cr, item->draw_data);
      cairo_restore (cr);
    }

  for (guint i = 0; i < item->cells->len; i++)
    {
      const ObdReportCell *cell = g_ptr_array_index (item->cells, i);

      draw_layout_lines (doc, cr, p->page,
                         p->repeat ? OBD_REPORT_LINE_REPEAT : OBD_REPORT_LINE_FLOW,
                         cell->layout, x + cell->x, cell->y, p->y, p->y0, p->y1);
    }

  set_grey (cr, 0.45);
  if (item->rule_above > 0 && first)
    {
      cairo_set_line_width (cr, item->rule_above);
      cairo_move_to (cr, x, p->y + item->rule_above / 2);
      cairo_line_to (cr, x + w, p->y + item->rule_above / 2);
      cairo_stroke (cr);
    }
  if (item->rule_below > 0 && last)
    {
      cairo_set_line_width (cr, item->rule_below);
      cairo_move_to (cr, x, p->y + h - item->rule_below / 2);
      cairo_line_to (cr, x + w, p->y + h - item->rule_below / 2);
      cairo_stroke (cr);
    }
  if (item->frame)
    {
      cairo_set_line_width (cr, 0.8);
      cairo_move_to (cr, x + 0.4, p->y);
      cairo_line_to (cr, x + 0.4, p->y + h);
      cairo_move_to (cr, x + w - 0.4, p->y);
      cairo_line_to (cr, x + w - 0.4, p->y + h);
      if (first)
        {
          cairo_move_to (cr, x, p->y + 0.4);
          cairo_line_to (cr, x + w, p->y + 0.4);
        }
      if (last)
        {
          cairo_move_to (cr, x, p->y + h - 0.4);
          cairo_line_to (cr, x + w, p->y + h - 0.4);
        }
      cairo_stroke (cr);
    }

  cairo_restore (cr);
}

static char *
vehicle_line (const ObdReport *report)
{
  const ObdStoreVehicle *v = report->vehicle;
  g_autoptr(GString) name = g_string_new (NULL);

  if (v == NULL)
    return g_strdup (_("Vehicle not identified"));
  if (v->make != NULL)
    g_string_append (name, v->make);
  if (v->model != NULL)
    g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", v->model);
  if (v->year != 0)
    g_string_append_printf (name, "%s%d", name->len > 0 ? " " : "", v->year);
  if (v->vin != NULL)
    {
      if (name->len > 0)
        /* Translators: the vehicle's name, then its VIN, in the running
         * header of the report's pages */
        return g_strdup_printf (_("%s, VIN %s"), name->str, v->vin);
      return g_strdup_printf (_("VIN %s"), v->vin);
    }
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
draw_margins (ObdReportDocument *doc,
              cairo_t           *cr,
              guint              page)
{
  ObdReportFlow *flow = &doc->flow;
  const ObdReport *report = doc->report;
  double w = flow->width;
  double footer_top = doc->height - MARGIN_BOTTOM - FOOTER + 8;
  g_autofree char *page_text = NULL;
  g_autofree char *left_text = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autoptr(PangoLayout) left = NULL;
  g_autofree char *markup = NULL;

  /* Translators: the page number in the report's footer */
  page_text = g_strdup_printf (_("Page %u of %u"), page + 1, doc->n_pages);
  markup = g_markup_escape_text (page_text, -1);
  right = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED, markup, w * 0.3,
                                   PANGO_ALIGN_RIGHT);

  if (report->verification_code != NULL &&
      report->integrity == OBD_REPORT_INTEGRITY_INTACT)
    left_text = g_strdup_printf (_("Verification code %s"), report->verification_code);
  else if (report->shop_name != NULL)
    left_text = g_strdup (report->shop_name);
  else
    left_text = g_strdup (_("Vehicle health report"));
  g_free (markup);
  markup = g_markup_escape_text (left_text, -1);
  left = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED, markup, w * 0.68,
                                  PANGO_ALIGN_LEFT);

  cairo_save (cr);
  set_grey (cr, 0.6);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, MARGIN_SIDE, footer_top - 4);
  cairo_line_to (cr, MARGIN_SIDE + w, footer_top - 4);
  cairo_stroke (cr);
  draw_layout_lines (doc, cr, page, OBD_REPORT_LINE_MARGIN, left, MARGIN_SIDE, 0, footer_top,
                     0, G_MAXDOUBLE);
  draw_layout_lines (doc, cr, page, OBD_REPORT_LINE_MARGIN, right, MARGIN_SIDE + w * 0.7, 0,
                     footer_top, 0, G_MAXDOUBLE);

  if (page > 0)
    {
      g_autofree char *vehicle = vehicle_line (report);
      g_autofree char *date = _obd_report_format_date (report->session->started_us);
      /* Translators: the running header of the report's pages and the
       * PDF's title; %s is the vehicle, "Honda 2014, VIN 1HG…" */
      g_autofree char *head_text = g_strdup_printf (_("Vehicle health report — %s"), vehicle);
      g_autofree char *head = g_markup_escape_text (head_text, -1);
      g_autofree char *date_markup = g_markup_escape_text (date, -1);
      g_autoptr(PangoLayout) head_left = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED,
                                                                  head, w * 0.74,
                                                                  PANGO_ALIGN_LEFT);
      g_autoptr(PangoLayout) head_right = _obd_report_flow_layout (flow,
                                                                   OBD_REPORT_STYLE_MUTED,
                                                                   date_markup, w * 0.25,
                                                                   PANGO_ALIGN_RIGHT);

      pango_layout_set_ellipsize (head_left, PANGO_ELLIPSIZE_END);
      pango_layout_set_height (head_left, 0);
      draw_layout_lines (doc, cr, page, OBD_REPORT_LINE_MARGIN, head_left, MARGIN_SIDE, 0,
                         MARGIN_TOP, 0, G_MAXDOUBLE);
      draw_layout_lines (doc, cr, page, OBD_REPORT_LINE_MARGIN, head_right,
                         MARGIN_SIDE + w * 0.75, 0, MARGIN_TOP, 0, G_MAXDOUBLE);
      set_grey (cr, 0.6);
      cairo_move_to (cr, MARGIN_SIDE, MARGIN_TOP + RUNNING_HEAD - 8);
      cairo_line_to (cr, MARGIN_SIDE + w, MARGIN_TOP + RUNNING_HEAD - 8);
      cairo_stroke (cr);
    }

  cairo_restore (cr);
}

/* Public --------------------------------------------------------------- */

ObdReportDocument *
obd_report_document_new (const ObdReport *report,
                         double           width,
                         double           height)
{
  return _obd_report_document_new_full (report, width, height, TRUE);
}

ObdReportDocument *
_obd_report_document_new_full (const ObdReport *report,
                               double           width,
                               double           height,
                               gboolean         reduce_charts)
{
  ObdReportDocument *doc;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (report->session != NULL, NULL);
  g_return_val_if_fail (width >= MIN_WIDTH && height >= MIN_HEIGHT, NULL);

  doc = g_new0 (ObdReportDocument, 1);
  doc->report = report;
  doc->width = width;
  doc->height = height;
  doc->placements = g_array_new (FALSE, FALSE, sizeof (Placement));
  flow_init (&doc->flow, report, width - 2 * MARGIN_SIDE);
  doc->flow.reduce_charts = reduce_charts;

  if (report->logo_path != NULL)
    doc->logo = _obd_report_load_logo (report->logo_path, &doc->logo_error);

  _obd_report_write (&doc->flow, doc->logo);
  paginate (doc);
  return doc;
}

void
obd_report_document_free (ObdReportDocument *doc)
{
  if (doc == NULL)
    return;
  flow_clear (&doc->flow);
  g_clear_pointer (&doc->placements, g_array_unref);
  g_clear_pointer (&doc->logo, cairo_surface_destroy);
  g_clear_error (&doc->logo_error);
  g_free (doc);
}

guint
obd_report_document_get_n_pages (ObdReportDocument *doc)
{
  g_return_val_if_fail (doc != NULL, 0);
  return doc->n_pages;
}

void
obd_report_document_get_page_size (ObdReportDocument *doc,
                                   double            *out_width,
                                   double            *out_height)
{
  g_return_if_fail (doc != NULL);

  if (out_width != NULL)
    *out_width = doc->width;
  if (out_height != NULL)
    *out_height = doc->height;
}

const GError *
obd_report_document_get_logo_error (ObdReportDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  return doc->logo_error;
}

void
obd_report_document_render_page (ObdReportDocument *doc,
                                  cairo_t           *cr,
                                  guint              page)
{
  g_return_if_fail (doc != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (page < doc->n_pages);

  cairo_save (cr);
  for (guint i = 0; i < doc->placements->len; i++)
    {
      const Placement *p = &g_array_index (doc->placements, Placement, i);

      if (p->page == page)
        draw_placement (doc, cr, p);
      else if (p->page > page)
        break;
    }
  draw_margins (doc, cr, page);
  cairo_restore (cr);
}

typedef struct
{
  GOutputStream *stream;
  GCancellable  *cancellable;
  GError        *error;
} PdfWriter;

static cairo_status_t
write_pdf_cb (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  PdfWriter *w = closure;

  if (w->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (w->stream, data, length, NULL, w->cancellable, &w->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static void
set_metadata (ObdReportDocument *doc,
              cairo_surface_t   *surface)
{
  const ObdReport *report = doc->report;
  g_autofree char *vehicle = vehicle_line (report);
  g_autofree char *title = g_strdup_printf (_("Vehicle health report — %s"), vehicle);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (report->created_us /
                                                              G_USEC_PER_SEC);
  g_autofree char *date = now != NULL ? g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z")
                                      : NULL;

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  if (report->shop_name != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, report->shop_name);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR,
                                  "OBD2 Diagnostics " PACKAGE_VERSION);
  if (date != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
  if (report->verification_code != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_SUBJECT,
                                    report->verification_code);
}

/* The section headings as the PDF's bookmarks. */
static void
add_outline (ObdReportDocument *doc,
             cairo_surface_t   *surface)
{
  for (guint i = 0; i < doc->placements->len; i++)
    {
      const Placement *p = &g_array_index (doc->placements, Placement, i);
      g_autofree char *link = NULL;

      if (p->item->outline == NULL || p->repeat || p->y0 > EPS)
        continue;
      /* Whole points: a locale's decimal comma must not reach the link. */
      link = g_strdup_printf ("page=%u pos=[%d %d]", p->page + 1, (int) MARGIN_SIDE,
                              (int) p->y);
      cairo_pdf_surface_add_outline (surface, CAIRO_PDF_OUTLINE_ROOT, p->item->outline, link,
                                     0);
    }
}

gboolean
obd_report_document_write_pdf (ObdReportDocument  *doc,
                               GOutputStream      *stream,
                               GCancellable       *cancellable,
                               GError            **error)
{
  PdfWriter writer = { stream, cancellable, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (doc != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  surface = cairo_pdf_surface_create_for_stream (write_pdf_cb, &writer, doc->width,
                                                 doc->height);
  set_metadata (doc, surface);
  add_outline (doc, surface);
  cr = cairo_create (surface);
  for (guint page = 0; page < doc->n_pages && writer.error == NULL; page++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, &writer.error))
        break;
      obd_report_document_render_page (doc, cr, page);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (writer.error != NULL)
    {
      g_propagate_error (error, writer.error);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_RENDER,
                   _("The report could not be drawn (%s)."), cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
obd_report_export_pdf (const ObdReport  *report,
                       ObdReportPaper    paper,
                       GFile            *file,
                       GCancellable     *cancellable,
                       GError          **out_logo_error,
                       GError          **error)
{
  g_autoptr(ObdReportDocument) doc = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GCancellable) abandon = NULL;
  double width, height;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  obd_report_paper_get_size (paper, &width, &height);
  doc = obd_report_document_new (report, width, height);
  if (out_logo_error != NULL && doc->logo_error != NULL)
    *out_logo_error = g_error_copy (doc->logo_error);

  /* g_file_replace () writes a temporary file and renames it over the
   * old one on close: a reader never sees half a report. */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable,
                           error);
  if (stream == NULL)
    return FALSE;

  if (obd_report_document_write_pdf (doc, G_OUTPUT_STREAM (stream), cancellable, error))
    return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);

  /* Closing with a cancelled cancellable drops the temporary file and
   * keeps the old one. */
  abandon = g_cancellable_new ();
  g_cancellable_cancel (abandon);
  g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
  return FALSE;
}

/* Tests ---------------------------------------------------------------- */

void
_obd_report_document_foreach_line (ObdReportDocument *doc,
                                   ObdReportLineFunc  func,
                                   gpointer           data)
{
  cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cairo_t *cr = cairo_create (surface);

  doc->line_func = func;
  doc->line_data = data;
  for (guint page = 0; page < doc->n_pages; page++)
    obd_report_document_render_page (doc, cr, page);
  doc->line_func = NULL;
  doc->line_data = NULL;

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

guint
_obd_report_document_count_lines (ObdReportDocument *doc)
{
  guint n = 0;

  for (guint i = 0; i < doc->flow.items->len; i++)
    {
      const ObdReportItem *item = g_ptr_array_index (doc->flow.items, i);

      for (guint j = 0; j < item->cells->len; j++)
        n += pango_layout_get_line_count (((ObdReportCell *) g_ptr_array_index (item->cells,
                                                                                 j))->layout);
    }
  return n;
}

void
_obd_report_document_get_body (ObdReportDocument *doc,
                               guint              page,
                               double            *out_left,
                               double            *out_top,
                               double            *out_right,
                               double            *out_bottom)
{
  *out_left = MARGIN_SIDE;
  *out_right = MARGIN_SIDE + doc->flow.width;
  *out_top = body_top (page);
  *out_bottom = body_bottom (doc);
}
