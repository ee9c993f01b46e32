/* obd-report-private.h — the report's layout engine, shared by the
 * document, the section writer and the chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A document is a flow of items laid out top to bottom in the content
 * width.  An item is one or more pango layouts ("cells") at fixed places
 * inside it, plus decorations and an optional drawing function.  The
 * paginator places whole items, or — for paragraphs, and for table rows
 * taller than a page — slices of them cut between lines, so no line of
 * text is ever cut.
 */
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "obd-report-document.h"
#include "obd-report-parse.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_REPORT_STYLE_BODY = 0,
  OBD_REPORT_STYLE_SMALL,
  OBD_REPORT_STYLE_MUTED,        /* small, grey: explanations, captions */
  OBD_REPORT_STYLE_TABLE,
  OBD_REPORT_STYLE_TABLE_HEAD,
  OBD_REPORT_STYLE_HEADING,      /* a section */
  OBD_REPORT_STYLE_SUBHEADING,
  OBD_REPORT_STYLE_TITLE,
  OBD_REPORT_STYLE_SHOP,
  OBD_REPORT_STYLE_VERDICT,      /* the summary's large line */
  OBD_REPORT_STYLE_CODE,         /* the verification code */
  OBD_REPORT_STYLE_MONO_SMALL,
  OBD_REPORT_N_STYLES
} ObdReportStyle;

typedef struct _ObdReportItem ObdReportItem;

/* Draws an item's extra content (a chart, a bar, a logo) with the origin
 * at the item's top-left corner. */
typedef void (*ObdReportDrawFunc) (ObdReportItem *item,
                                   cairo_t       *cr,
                                   gpointer       data);

typedef struct
{
  PangoLayout *layout;
  double       x;
  double       y;
} ObdReportCell;

typedef enum
{
  OBD_REPORT_SPLIT_NEVER = 0,    /* moves to the next page whole */
  OBD_REPORT_SPLIT_OVERSIZE,     /* whole when it fits a page, else between lines */
  OBD_REPORT_SPLIT_LINES,        /* between any two lines (paragraphs) */
} ObdReportSplit;

struct _ObdReportItem
{
  double             height;
  double             space_before;   /* dropped at the top of a page */
  gboolean           keep_with_next;
  ObdReportSplit     split;
  ObdReportItem     *header;         /* a table row's header, repeated on a new page */
  GPtrArray         *cells;          /* ObdReportCell */

  gboolean           fill;
  double             fill_grey;      /* 0 black .. 1 white */
  double             rule_below;     /* line width, 0 for none */
  double             rule_above;
  gboolean           frame;          /* a box around the item */

  char              *outline;        /* a heading's bookmark in the PDF, or NULL */

  ObdReportDrawFunc  draw;
  gpointer           draw_data;
  GDestroyNotify     draw_data_free;
};

typedef struct _ObdReportFlow ObdReportFlow;

/* The writer's view of a document under construction. */
PangoContext  *_obd_report_flow_get_context (ObdReportFlow  *flow);
double         _obd_report_flow_get_width   (ObdReportFlow  *flow);
const ObdReport *_obd_report_flow_get_report (ObdReportFlow *flow);
/* A layout of markup in a style, wrapped to width (-1: unwrapped). */
PangoLayout   *_obd_report_flow_layout      (ObdReportFlow  *flow,
                                             ObdReportStyle  style,
                                             const char     *markup,
                                             double          width,
                                             PangoAlignment  alignment);
/* FALSE only in the benchmark: charts then stroke every sample. */
gboolean       _obd_report_flow_get_reduce_charts (ObdReportFlow *flow);
/* The items so far (ObdReportItem), in flow order. */
GPtrArray     *_obd_report_flow_get_items   (ObdReportFlow  *flow);
/* A new, empty item appended to the flow. */
ObdReportItem *_obd_report_flow_add_item    (ObdReportFlow  *flow);
/* Adds a layout as a cell at (x, y) of item and grows the item to hold
 * it plus bottom_padding. */
void           _obd_report_item_add_cell    (ObdReportItem  *item,
                                             PangoLayout    *layout,
                                             double          x,
                                             double          y,
                                             double          bottom_padding);

/* A bold line kept with what follows it. */
void           _obd_report_add_subheading   (ObdReportFlow  *flow,
                                             const char     *text);
/* Builds every section of the report (obd-report-writer.c). */
void           _obd_report_write            (ObdReportFlow  *flow,
                                             cairo_surface_t *logo);

/* Text helpers shared by the writer and the chart. */
char          *_obd_report_format_number    (double          value,
                                             guint           decimals);
char          *_obd_report_format_quantity  (ObdUnit         unit,
                                             ObdUnitSystem   units,
                                             double          value);
char          *_obd_report_format_date_time (gint64          time_us);
char          *_obd_report_format_date      (gint64          time_us);
char          *_obd_report_format_time      (gint64          time_us);

/* Charts of the key readings (obd-report-chart.c): appends chart items. */
void           _obd_report_write_charts     (ObdReportFlow  *flow);

/* The workshop's logo (obd-report-logo.c), checked with
 * _obd_report_png_get_size () before it is decoded. */
cairo_surface_t *_obd_report_load_logo      (const char     *path,
                                             GError        **error);

typedef enum
{
  OBD_REPORT_LINE_FLOW = 0,   /* the flow's text, drawn once */
  OBD_REPORT_LINE_REPEAT,     /* a table header repeated on a new page */
  OBD_REPORT_LINE_MARGIN,     /* running header and footer, in the margins */
} ObdReportLineKind;

/* obd_report_document_new () with a choice the benchmark compares:
 * reduce_charts FALSE strokes every sample of a chart instead of the
 * lowest and highest per point of width. */
ObdReportDocument *_obd_report_document_new_full (const ObdReport *report,
                                                  double           width,
                                                  double           height,
                                                  gboolean         reduce_charts);

/* For tests: every line of text a page draws, with its logical rectangle
 * in page coordinates. */
typedef void (*ObdReportLineFunc) (guint              page,
                                   ObdReportLineKind  kind,
                                   double             x,
                                   double             y,
                                   double             width,
                                   double             height,
                                   const char        *text,
                                   gpointer           data);
void   _obd_report_document_foreach_line (ObdReportDocument *doc,
                                          ObdReportLineFunc  func,
                                          gpointer           data);
/* Lines in the flow's layouts, each to be drawn exactly once. */
guint  _obd_report_document_count_lines  (ObdReportDocument *doc);
/* The area the flow may use on page. */
void   _obd_report_document_get_body     (ObdReportDocument *doc,
                                          guint              page,
                                          double            *out_left,
                                          double            *out_top,
                                          double            *out_right,
                                          double            *out_bottom);

G_END_DECLS
