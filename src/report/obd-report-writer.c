/* obd-report-writer.c — the sections of the customer report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns an ObdReport into the flow of items the document paginates, in the
 * order a customer reads: who and what, the verdict, then the evidence,
 * then what to do, then how to check the report.  Every text comes from a
 * complete translatable sentence; every value the store or the user
 * supplied is escaped before it goes into pango markup.
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-mode06.h"
#include "obd-report-private.h"

#define CELL_PAD_X       4.0
#define CELL_PAD_Y       3.0
#define SECTION_SPACE   16.0
#define LOGO_MAX_W      96.0
#define LOGO_MAX_H      56.0
#define MAX_COLUMNS      6

/* Formatting ----------------------------------------------------------- */

char *
_obd_report_format_number (double value,
                           guint  decimals)
{
  /* Never "-0": a rounded zero has no sign. */
  if (fabs (value) < 0.5 * pow (10.0, -(double) decimals))
    value = 0.0;
  /* printf follows LC_NUMERIC: the locale's decimal separator. */
  return g_strdup_printf ("%.*f", (int) decimals, value);
}

char *
_obd_report_format_quantity (ObdUnit        unit,
                             ObdUnitSystem  units,
                             double         value)
{
  g_autofree char *number = NULL;
  const char *symbol;

  if (!isfinite (value))
    return g_strdup ("—");

  /* A customer reads 14.1 V, not the sensor's 14.099 V; ratios such as
   * lambda keep their two decimals. */
  number = _obd_report_format_number (obd_unit_convert (unit, units, value),
                                      unit == OBD_UNIT_RATIO
                                      ? obd_unit_get_decimals (unit, units)
                                      : MIN (obd_unit_get_decimals (unit, units), 1));
  symbol = obd_unit_get_symbol (unit, units);
  if (*symbol == '\0')
    return g_steal_pointer (&number);
  /* Translators: a number and its unit, "93 °C" */
  return g_strdup_printf (C_("quantity", "%s %s"), number, symbol);
}

static char *
format_local (gint64      time_us,
              const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("—");
  return g_date_time_format (dt, format);
}

char *
_obd_report_format_date_time (gint64 time_us)
{
  /* Translators: a date and time on the report, in g_date_time_format ()
   * notation; put it in the order your readers expect */
  return format_local (time_us, C_("report date and time", "%-d %B %Y, %H:%M"));
}

char *
_obd_report_format_date (gint64 time_us)
{
  /* Translators: a date on the report, in g_date_time_format () notation */
  return format_local (time_us, C_("report date", "%-d %B %Y"));
}

char *
_obd_report_format_time (gint64 time_us)
{
  /* Translators: a time of day on the report, in g_date_time_format ()
   * notation */
  return format_local (time_us, C_("report time", "%H:%M"));
}

static char *
format_duration (gint64 us)
{
  guint total = (guint) MAX (0, (us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC);

  if (total < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", total),
                            total);
  if (total < 3600)
    /* Translators: a duration, minutes and seconds */
    return g_strdup_printf (_("%u min %02u s"), total / 60, total % 60);
  /* Translators: a duration, hours and minutes */
  return g_strdup_printf (_("%u h %02u min"), total / 3600, total / 60 % 60);
}

/* The items ------------------------------------------------------------ */

static char *
escape (const char *text)
{
  return g_markup_escape_text (text != NULL ? text : "", -1);
}

/* Appends text escaped for markup, then suffix (markup, may be NULL). */
static void
append_escaped (GString    *out,
                const char *text,
                const char *suffix)
{
  g_autofree char *escaped = escape (text);

  g_string_append (out, escaped);
  if (suffix != NULL)
    g_string_append (out, suffix);
}

static ObdReportItem *
add_paragraph (ObdReportFlow  *flow,
               ObdReportStyle  style,
               const char     *markup,
               double          space_before)
{
  ObdReportItem *item = _obd_report_flow_add_item (flow);

  item->split = OBD_REPORT_SPLIT_LINES;
  item->space_before = space_before;
  _obd_report_item_add_cell (item, _obd_report_flow_layout (flow, style, markup,
                                                            _obd_report_flow_get_width (flow),
                                                            PANGO_ALIGN_LEFT),
                             0, 0, 0);
  return item;
}

/* Keeps item on the page of what follows it (an introduction with its
 * table). */
static ObdReportItem *
keep_with_next (ObdReportItem *item)
{
  item->keep_with_next = TRUE;
  return item;
}

static ObdReportItem *
add_text (ObdReportFlow  *flow,
          ObdReportStyle  style,
          const char     *text,
          double          space_before)
{
  g_autofree char *markup = escape (text);

  return add_paragraph (flow, style, markup, space_before);
}

static void
add_heading (ObdReportFlow *flow,
             const char    *text)
{
  g_autofree char *markup = escape (text);
  ObdReportItem *item = _obd_report_flow_add_item (flow);

  item->space_before = SECTION_SPACE;
  item->keep_with_next = TRUE;
  item->rule_below = 0.8;
  item->outline = g_strdup (text);
  _obd_report_item_add_cell (item, _obd_report_flow_layout (flow, OBD_REPORT_STYLE_HEADING,
                                                            markup,
                                                            _obd_report_flow_get_width (flow),
                                                            PANGO_ALIGN_LEFT),
                             0, 0, 5);
  /* Room under the rule before what follows. */
  item->height += 4;
}

void
_obd_report_add_subheading (ObdReportFlow *flow,
                            const char    *text)
{
  g_autofree char *markup = escape (text);
  ObdReportItem *item = add_paragraph (flow, OBD_REPORT_STYLE_SUBHEADING, markup, 10);

  item->split = OBD_REPORT_SPLIT_NEVER;
  item->keep_with_next = TRUE;
  item->height += 3;
}

typedef struct
{
  ObdReportFlow   *flow;
  guint            n;
  double           x[MAX_COLUMNS];
  double           w[MAX_COLUMNS];
  PangoAlignment   align[MAX_COLUMNS];
  ObdReportItem   *header;
  guint            rows;
} Table;

/* fractions of the width per column; headers may be NULL for a table
 * without a header row. */
static void
table_begin (Table                 *t,
             ObdReportFlow         *flow,
             guint                  n,
             const double          *fractions,
             const PangoAlignment  *align,
             const char * const    *headers)
{
  double width = _obd_report_flow_get_width (flow);
  double x = 0;

  g_assert (n <= MAX_COLUMNS);

  memset (t, 0, sizeof *t);
  t->flow = flow;
  t->n = n;
  for (guint i = 0; i < n; i++)
    {
      t->x[i] = x;
      t->w[i] = fractions[i] * width;
      t->align[i] = align != NULL ? align[i] : PANGO_ALIGN_LEFT;
      x += t->w[i];
    }

  if (headers == NULL)
    return;

  t->header = _obd_report_flow_add_item (flow);
  t->header->space_before = 4;
  t->header->keep_with_next = TRUE;
  t->header->fill = TRUE;
  t->header->fill_grey = 0.90;
  t->header->rule_below = 0.6;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *markup = escape (headers[i]);

      _obd_report_item_add_cell (t->header,
                                 _obd_report_flow_layout (flow, OBD_REPORT_STYLE_TABLE_HEAD,
                                                          markup, t->w[i] - 2 * CELL_PAD_X,
                                                          t->align[i]),
                                 t->x[i] + CELL_PAD_X, CELL_PAD_Y, CELL_PAD_Y);
    }
}

/* A row of markup cells (NULL for an empty cell). */
static ObdReportItem *
table_row (Table              *t,
           const char * const *cells)
{
  ObdReportItem *row = _obd_report_flow_add_item (t->flow);

  row->split = OBD_REPORT_SPLIT_OVERSIZE;
  row->header = t->header;
  row->rule_below = 0.3;
  /* Light banding keeps long rows readable; it prints as a pale grey. */
  row->fill = t->rows % 2 == 1;
  row->fill_grey = 0.965;
  if (t->header == NULL && t->rows == 0)
    row->space_before = 4;
  for (guint i = 0; i < t->n; i++)
    {
      if (cells[i] == NULL || cells[i][0] == '\0')
        continue;
      _obd_report_item_add_cell (row,
                                 _obd_report_flow_layout (t->flow, OBD_REPORT_STYLE_TABLE,
                                                          cells[i], t->w[i] - 2 * CELL_PAD_X,
                                                          t->align[i]),
                                 t->x[i] + CELL_PAD_X, CELL_PAD_Y, CELL_PAD_Y);
    }
  row->height = MAX (row->height, 2 * CELL_PAD_Y + 8);
  t->rows++;
  return row;
}

/* A table shorter than this is kept on one page with its heading; a
 * longer one breaks between rows, but never leaves its header and fewer
 * than two rows at the bottom of a page, nor one row at the top of the
 * next. */
#define KEEP_TABLE_HEIGHT 120.0
#define MIN_ROWS_BEFORE_BREAK 2

static void
table_end (Table *t)
{
  GPtrArray *items;
  double height = 0;
  guint first, keep_until;

  if (t->rows == 0)
    return;
  items = _obd_report_flow_get_items (t->flow);
  first = items->len - t->rows - (t->header != NULL ? 1 : 0);
  for (guint i = first; i < items->len; i++)
    height += ((ObdReportItem *) g_ptr_array_index (items, i))->height;

  keep_until = height <= KEEP_TABLE_HEIGHT
               ? items->len - 1
               : MIN (items->len - 1, first + (t->header != NULL ? 1 : 0) +
                                      MIN_ROWS_BEFORE_BREAK - 1);
  for (guint i = first; i < keep_until; i++)
    ((ObdReportItem *) g_ptr_array_index (items, i))->keep_with_next = TRUE;
  /* Nor a lone last row at the top of the next. */
  if (t->rows >= 2 * MIN_ROWS_BEFORE_BREAK)
    ((ObdReportItem *) g_ptr_array_index (items, items->len - 2))->keep_with_next = TRUE;
}

/* Label/value pairs (markup, both arrays the same length) in a table of
 * two pairs a row, read across: a page break between rows then keeps the
 * reading order. */
static void
table_pairs (Table     *t,
             GPtrArray *labels,
             GPtrArray *values)
{
  guint rows = (labels->len + 1) / 2;

  for (guint row = 0; row < rows; row++)
    {
      const char *cells[4] = { NULL };

      for (guint c = 0; c < 2; c++)
        {
          guint k = row * 2 + c;

          if (k >= labels->len)
            continue;
          cells[2 * c] = g_ptr_array_index (labels, k);
          cells[2 * c + 1] = g_ptr_array_index (values, k);
        }
      table_row (t, cells);
    }
  table_end (t);
}

/* "<b>title</b>\n<small>detail</small>" with both escaped. */
static char *
title_and_detail (const char *title,
                  const char *detail)
{
  if (detail == NULL || detail[0] == '\0')
    return g_markup_printf_escaped ("%s", title != NULL ? title : "");
  return g_markup_printf_escaped ("%s\n<span size=\"smaller\" foreground=\"#555555\">%s</span>",
                                  title != NULL ? title : "", detail);
}

/* A list of names joined for a sentence: "Catalyst, Evaporative system". */
static char *
join_names (GPtrArray *names)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        /* Translators: separates the items of a list of names */
        g_string_append (out, C_("list separator", ", "));
      g_string_append (out, g_ptr_array_index (names, i));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Letterhead ----------------------------------------------------------- */

typedef struct
{
  cairo_surface_t *logo;
  double           scale;
} LogoDraw;

static void
draw_logo (ObdReportItem *item,
           cairo_t       *cr,
           gpointer       data)
{
  LogoDraw *d = data;

  cairo_save (cr);
  cairo_scale (cr, d->scale, d->scale);
  cairo_set_source_surface (cr, d->logo, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
logo_draw_free (LogoDraw *d)
{
  cairo_surface_destroy (d->logo);
  g_free (d);
}

static void
write_letterhead (ObdReportFlow   *flow,
                  cairo_surface_t *logo)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  double width = _obd_report_flow_get_width (flow);
  ObdReportItem *item = _obd_report_flow_add_item (flow);
  g_autoptr(GString) shop = g_string_new (NULL);
  g_autoptr(GString) right = g_string_new (NULL);
  g_autofree char *visit = _obd_report_format_date_time (r->session->started_us);
  g_autofree char *printed = _obd_report_format_date (r->created_us);
  double text_x = 0;

  item->rule_below = 1.2;
  /* Boxes move whole to a new page; only one taller than a page (an
   * address of fifty lines) breaks between lines. */
  item->split = OBD_REPORT_SPLIT_OVERSIZE;

  if (logo != NULL)
    {
      LogoDraw *d = g_new0 (LogoDraw, 1);
      double w = cairo_image_surface_get_width (logo);
      double h = cairo_image_surface_get_height (logo);

      d->logo = cairo_surface_reference (logo);
      d->scale = MIN (LOGO_MAX_W / w, LOGO_MAX_H / h);
      item->draw = draw_logo;
      item->draw_data = d;
      item->draw_data_free = (GDestroyNotify) logo_draw_free;
      text_x = w * d->scale + 10;
      item->height = MAX (item->height, h * d->scale + 8);
    }

  if (r->shop_name != NULL)
    {
      g_string_append (shop, "<span font_desc=\"Sans Bold 13\">");
      append_escaped (shop, r->shop_name, "</span>\n");
    }
  if (r->shop_address != NULL)
    append_escaped (shop, r->shop_address, "\n");
  if (r->shop_phone != NULL)
    {
      g_autofree char *phone = g_strdup_printf (_("Phone %s"), r->shop_phone);

      append_escaped (shop, phone, "\n");
    }
  if (shop->len > 0)
    {
      g_string_truncate (shop, shop->len - 1);
      _obd_report_item_add_cell (item,
                                 _obd_report_flow_layout (flow, OBD_REPORT_STYLE_SMALL,
                                                          shop->str,
                                                          width * 0.55 - text_x,
                                                          PANGO_ALIGN_LEFT),
                                 text_x, 0, 8);
    }

  {
    g_autofree char *title = escape (_("Vehicle health report"));
    g_autofree char *visit_line = g_strdup_printf (_("Visit of %s"), visit);
    g_autofree char *printed_line = g_strdup_printf (_("Printed %s"), printed);
    g_autofree char *session_line = g_strdup_printf (_("Session %" PRId64),
                                                     r->session->id);

    g_string_append_printf (right, "<span font_desc=\"Sans Bold 17\">%s</span>\n", title);
    append_escaped (right, visit_line, "\n");
    append_escaped (right, printed_line, " · ");
    append_escaped (right, session_line, NULL);
  }
  _obd_report_item_add_cell (item,
                             _obd_report_flow_layout (flow, OBD_REPORT_STYLE_SMALL, right->str,
                                                      width * 0.45, PANGO_ALIGN_RIGHT),
                             width * 0.55, 0, 8);
}

/* Customer and vehicle --------------------------------------------------- */

typedef struct
{
  char *label;
  char *value;
} Field;

static void
field_clear (Field *f)
{
  g_free (f->label);
  g_free (f->value);
}

static void
add_field (GArray     *fields,
           const char *label,
           char       *value)
{
  Field f;

  if (value == NULL)
    return;
  f = (Field) { g_strdup (label), value };
  g_array_append_val (fields, f);
}

/* Label/value pairs in two columns inside a framed, shaded box. */
static void
write_fields_box (ObdReportFlow *flow,
                  GArray        *fields)
{
  double width = _obd_report_flow_get_width (flow);
  double col = width / 2;
  double label_w = 78;
  ObdReportItem *item = _obd_report_flow_add_item (flow);
  guint rows = (fields->len + 1) / 2;
  double y = 7;

  item->space_before = 12;
  item->fill = TRUE;
  item->fill_grey = 0.955;
  item->frame = TRUE;
  item->split = OBD_REPORT_SPLIT_OVERSIZE;

  for (guint r = 0; r < rows; r++)
    {
      double row_h = 0;

      for (guint c = 0; c < 2; c++)
        {
          guint i = c * rows + r;
          const Field *f;
          g_autofree char *label = NULL;
          g_autofree char *value = NULL;
          PangoLayout *l, *v;
          PangoRectangle a, b;

          if (i >= fields->len)
            continue;
          f = &g_array_index (fields, Field, i);
          label = escape (f->label);
          value = escape (f->value);
          l = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED, label, label_w - 6,
                                       PANGO_ALIGN_LEFT);
          v = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_BODY, value,
                                       col - label_w - 2 * CELL_PAD_X - 6, PANGO_ALIGN_LEFT);
          pango_layout_get_extents (l, NULL, &a);
          pango_layout_get_extents (v, NULL, &b);
          /* The small label sits on the value's first baseline. */
          _obd_report_item_add_cell (item, l, c * col + 8,
                                     y + (pango_layout_get_baseline (v) -
                                          pango_layout_get_baseline (l)) / (double) PANGO_SCALE,
                                     6);
          _obd_report_item_add_cell (item, v, c * col + 8 + label_w, y, 6);
          row_h = MAX (row_h, MAX (a.height, b.height) / (double) PANGO_SCALE);
        }
      y += row_h + 3;
    }
  item->height = MAX (item->height, y + 4);
}

static char *
vehicle_name (const ObdStoreVehicle *v)
{
  g_autoptr(GString) name = g_string_new (NULL);

  if (v->make != NULL)
    g_string_append (name, v->make);
  if (v->model != NULL)
    g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", v->model);
  if (name->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
write_vehicle (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  const ObdStoreVehicle *v = r->vehicle;
  g_autoptr(GArray) fields = g_array_new (FALSE, TRUE, sizeof (Field));
  gint64 end = r->session->ended_us != 0 ? r->session->ended_us : r->created_us;

  g_array_set_clear_func (fields, (GDestroyNotify) field_clear);

  add_field (fields, _("Customer"), g_strdup (r->customer));
  if (v != NULL)
    {
      add_field (fields, _("Vehicle"), vehicle_name (v));
      if (v->year != 0)
        add_field (fields, _("Model year"), g_strdup_printf ("%d", v->year));
      add_field (fields, _("VIN"), g_strdup (v->vin));
      add_field (fields, _("Plate"), g_strdup (v->plate));
    }
  else
    add_field (fields, _("Vehicle"), g_strdup (_("Not identified (no VIN reported)")));
  if (r->odometer_km >= 0)
    add_field (fields, _("Odometer"),
               _obd_report_format_quantity (OBD_UNIT_KM, r->units, r->odometer_km));
  add_field (fields, _("Date"), _obd_report_format_date_time (r->session->started_us));
  add_field (fields, _("Test time"), format_duration (end - r->session->started_us));
  add_field (fields, _("Mechanic"), g_strdup (r->mechanic));

  write_fields_box (flow, fields);
}

/* Summary --------------------------------------------------------------- */

typedef struct
{
  double grey;
} AccentDraw;

static void
draw_accent (ObdReportItem *item,
             cairo_t       *cr,
             gpointer       data)
{
  AccentDraw *d = data;

  cairo_set_source_rgb (cr, d->grey, d->grey, d->grey);
  cairo_rectangle (cr, 0, 0, 5, item->height);
  cairo_fill (cr);
}

static const char *
status_sentence (ObdHealthStatus status)
{
  switch (status)
    {
    case OBD_HEALTH_STATUS_HEALTHY:
      return _("No fault that needs work was found.");
    case OBD_HEALTH_STATUS_STOP_DRIVING:
      return _("A serious fault was found. The vehicle should not be driven until it is "
               "repaired.");
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
    default:
      return _("Faults were found that need attention; see the trouble codes and the "
               "recommended work below.");
    }
}

static char *
inspection_sentence (const ObdReportInspection *inspection)
{
  g_autofree char *names = join_names (inspection->incomplete);

  switch (inspection->verdict)
    {
    case OBD_INSPECTION_READY:
      if (inspection->n_incomplete == 0)
        return g_strdup (_("Ready for an emissions inspection: every monitor is complete."));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Ready for an emissions inspection: %u monitor is "
                                           "not yet complete (%s), which many inspection "
                                           "programmes accept for this model year.",
                                           "Ready for an emissions inspection: %u monitors "
                                           "are not yet complete (%s), which many inspection "
                                           "programmes accept for this model year.",
                                           inspection->n_incomplete),
                              inspection->n_incomplete, names);
    case OBD_INSPECTION_NOT_READY:
      return g_strdup_printf (_("Not yet ready for an emissions inspection: drive cycles are "
                                "needed to complete %s."), names);
    case OBD_INSPECTION_CODES:
      return g_strdup (_("Not ready for an emissions inspection: confirmed engine trouble "
                         "codes are stored, which keeps the engine warning lamp on. Have the "
                         "fault repaired, then drive until the monitors complete."));
    case OBD_INSPECTION_UNKNOWN:
    default:
      if (inspection->model_year != 0 && inspection->model_year < 1996)
        return g_strdup (_("Emissions readiness does not apply: OBD-II inspections cover "
                           "model year 1996 and later."));
      return g_strdup (_("Emissions readiness was not read during this visit."));
    }
}

static char *
codes_sentence (GPtrArray *codes)
{
  guint present = 0, cleared = 0;

  for (guint i = 0; i < codes->len; i++)
    {
      const ObdReportCode *c = g_ptr_array_index (codes, i);

      if (c->status == OBD_REPORT_CODE_CLEARED)
        cleared++;
      else
        present++;
    }

  if (present == 0 && cleared == 0)
    return g_strdup (_("No trouble codes were reported."));
  if (cleared == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u trouble code is present.",
                                         "%u trouble codes are present.", present), present);
  if (present == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u trouble code was cleared during this visit; "
                                         "none is present now.",
                                         "%u trouble codes were cleared during this visit; "
                                         "none is present now.", cleared), cleared);
  {
    /* Two counts, two plurals: two sentences, each translated whole. */
    g_autofree char *a = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%u trouble code is present.",
                                                       "%u trouble codes are present.",
                                                       present), present);
    g_autofree char *b = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%u was cleared during this visit.",
                                                       "%u were cleared during this visit.",
                                                       cleared), cleared);
    return g_strdup_printf ("%s %s", a, b);
  }
}

static char *
format_score (double score)
{
  return _obd_report_format_number (floor (score + 0.5), 0);
}

static void
write_summary (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  double width = _obd_report_flow_get_width (flow);
  ObdReportItem *item = _obd_report_flow_add_item (flow);
  AccentDraw *accent = g_new0 (AccentDraw, 1);
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *inspection = inspection_sentence (&r->inspection);
  g_autofree char *codes = codes_sentence (r->codes);
  double y = 8;

  item->space_before = 12;
  item->frame = TRUE;
  item->split = OBD_REPORT_SPLIT_OVERSIZE;
  item->draw = draw_accent;
  item->draw_data = accent;
  item->draw_data_free = g_free;
  accent->grey = 0.55;

  if (r->health != NULL)
    {
      g_autofree char *score = format_score (r->health->vehicle_score);
      /* Translators: the report's headline, "Overall health 34 of 100: Stop driving" */
      g_autofree char *headline = g_strdup_printf (_("Overall health %s of 100: %s"), score,
                                                   obd_health_status_get_label (r->health->status));
      g_autofree char *h = escape (headline);
      PangoLayout *l = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_VERDICT, h, width - 24,
                                                PANGO_ALIGN_LEFT);
      PangoRectangle e;

      _obd_report_item_add_cell (item, l, 16, y, 8);
      pango_layout_get_extents (l, NULL, &e);
      y += e.height / (double) PANGO_SCALE + 3;
      accent->grey = r->health->status == OBD_HEALTH_STATUS_HEALTHY ? 0.7
                     : r->health->status == OBD_HEALTH_STATUS_STOP_DRIVING ? 0.0 : 0.35;
      append_escaped (markup, status_sentence (r->health->status), "\n");
    }
  else
    append_escaped (markup, _("Health scores need a vehicle identified by its VIN."), "\n");

  {
    g_autofree char *c = escape (codes);
    g_autofree char *i = escape (inspection);

    g_string_append_printf (markup, "%s\n%s", c, i);
  }
  if (r->integrity == OBD_REPORT_INTEGRITY_CHANGED)
    {
      g_string_append (markup, "\n<b>");
      append_escaped (markup, _("Warning: the recorded data of this session was changed "
                                "after it was recorded. This report cannot be verified."),
                      "</b>");
    }
  _obd_report_item_add_cell (item, _obd_report_flow_layout (flow, OBD_REPORT_STYLE_BODY,
                                                            markup->str, width - 24,
                                                            PANGO_ALIGN_LEFT),
                             16, y, 9);
}

/* Health by system ------------------------------------------------------ */

typedef struct
{
  double x;
  double y;
  double w;
  double h;
  double fraction;
} BarDraw;

static void
draw_bar (ObdReportItem *item,
          cairo_t       *cr,
          gpointer       data)
{
  BarDraw *b = data;

  /* A filled part and an outline: reads on any printer. */
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
  cairo_rectangle (cr, b->x, b->y, b->w * CLAMP (b->fraction, 0, 1), b->h);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_set_line_width (cr, 0.6);
  cairo_rectangle (cr, b->x + 0.3, b->y + 0.3, b->w - 0.6, b->h - 0.6);
  cairo_stroke (cr);
}

static void
write_health (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  const ObdHealthReport *h = r->health;
  static const double widths[] = { 0.2, 0.09, 0.2, 0.51 };
  static const PangoAlignment align[] = {
    PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT,
  };
  const char *headers[] = { _("System"), _("Score"), "", _("Why") };
  Table t;

  if (h == NULL)
    return;

  add_heading (flow, _("Health by system"));
  keep_with_next (add_text (flow, OBD_REPORT_STYLE_MUTED,
            _("Each system starts at 100 and loses points for every problem found; 80 and "
              "above is good, below 40 needs attention now."), 2));
  if (!r->health_current)
    keep_with_next (add_text (flow, OBD_REPORT_STYLE_SMALL,
              _("The vehicle was checked again after this visit: the scores show it as last "
                "checked, not as on the date of this report."), 4));

  table_begin (&t, flow, 4, widths, align, headers);
  for (guint s = 0; s < OBD_HEALTH_N_SYSTEMS; s++)
    {
      g_autofree char *name = escape (obd_health_system_get_label (s));
      g_autofree char *score = format_score (h->system_scores[s]);
      g_autoptr(GString) why = g_string_new (NULL);
      const char *cells[4];
      ObdReportItem *row;
      BarDraw *bar = g_new0 (BarDraw, 1);
      double width = _obd_report_flow_get_width (flow);

      for (guint i = 0; h->deductions != NULL && i < h->deductions->len; i++)
        {
          const ObdHealthDeduction *d = &g_array_index (h->deductions, ObdHealthDeduction, i);
          g_autofree char *reason = NULL;

          if (d->system != (ObdHealthSystem) s || d->reason == NULL)
            continue;
          reason = escape (d->reason);
          g_string_append_printf (why, "%s%s", why->len > 0 ? "\n" : "", reason);
        }
      if (why->len == 0)
        append_escaped (why, _("No problems found"), NULL);

      cells[0] = name;
      cells[1] = score;
      cells[2] = NULL;
      cells[3] = why->str;
      row = table_row (&t, cells);

      bar->x = widths[0] * width + widths[1] * width + CELL_PAD_X + 2;
      bar->y = CELL_PAD_Y + 2;
      bar->w = widths[2] * width - 2 * CELL_PAD_X - 4;
      bar->h = 7;
      bar->fraction = h->system_scores[s] / 100.0;
      row->draw = draw_bar;
      row->draw_data = bar;
      row->draw_data_free = g_free;
    }
  table_end (&t);
}

/* Trouble codes --------------------------------------------------------- */

static char *
code_status_text (const ObdReportCode *c)
{
  g_autoptr(GString) kinds = g_string_new (NULL);
  g_autofree char *status = NULL;

  for (ObdDtcKind k = OBD_DTC_KIND_STORED; k <= OBD_DTC_KIND_PERMANENT; k++)
    if (c->kinds & (1u << k))
      {
        if (kinds->len > 0)
          g_string_append (kinds, C_("list separator", ", "));
        g_string_append (kinds, obd_dtc_kind_get_label (k));
      }

  switch (c->status)
    {
    case OBD_REPORT_CODE_CLEARED:
      {
        g_autofree char *time = _obd_report_format_time (c->cleared_us);

        status = c->cleared_by != NULL
                 ? g_strdup_printf (_("Cleared at %s by %s"), time, c->cleared_by)
                 : g_strdup_printf (_("Cleared at %s"), time);
      }
      break;
    case OBD_REPORT_CODE_RETURNED:
      status = g_strdup (_("Came back after clearing"));
      break;
    case OBD_REPORT_CODE_PRESENT:
    default:
      status = g_strdup (_("Present"));
      break;
    }

  return title_and_detail (status, kinds->str);
}

static void
write_codes (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.11, 0.53, 0.13, 0.23 };
  const char *headers[] = { _("Code"), _("Problem"), _("Severity"), _("Status") };
  Table t;

  add_heading (flow, _("Trouble codes"));
  if (r->codes->len == 0)
    {
      add_text (flow, OBD_REPORT_STYLE_BODY,
                r->vehicle != NULL ? _("No trouble codes were reported during this visit.")
                                   : _("Trouble codes are kept per vehicle; this session has "
                                       "no identified vehicle."), 2);
      return;
    }

  table_begin (&t, flow, 4, widths, NULL, headers);
  for (guint i = 0; i < r->codes->len; i++)
    {
      const ObdReportCode *c = g_ptr_array_index (r->codes, i);
      g_autofree char *code = g_markup_printf_escaped ("<b>%s</b>", c->code);
      g_autofree char *problem = title_and_detail (c->title != NULL ? c->title
                                                   : _("Not in the code list: see the maker's "
                                                       "documentation"),
                                                   c->explanation);
      g_autofree char *severity = NULL;
      g_autofree char *status = code_status_text (c);
      const char *cells[4];

      severity = c->severity == OBD_DTC_SEVERITY_CRITICAL
                 ? g_markup_printf_escaped ("<b>%s</b>", obd_dtc_severity_get_label (c->severity))
                 : escape (obd_dtc_severity_get_label (c->severity));
      cells[0] = code;
      cells[1] = problem;
      cells[2] = severity;
      cells[3] = status;
      table_row (&t, cells);
    }
  table_end (&t);
}

/* Freeze frames --------------------------------------------------------- */

static char *
format_value (const ObdReportValue *v,
              ObdUnitSystem         units)
{
  const ObdValue *info = obd_pid_get_value_info (v->pid, v->index);

  return _obd_report_format_quantity (info != NULL ? info->unit : OBD_UNIT_NONE, units,
                                      v->value);
}

static void
write_freeze_frames (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.32, 0.18, 0.32, 0.18 };
  static const PangoAlignment align[] = {
    PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT,
  };
  const char *headers[] = { _("Reading"), _("Value"), _("Reading"), _("Value") };

  if (r->freeze_frames->len == 0)
    return;

  add_heading (flow, _("Freeze frames"));
  keep_with_next (add_text (flow, OBD_REPORT_STYLE_MUTED,
            _("What the engine computer recorded at the moment it stored a trouble code: the "
              "conditions the fault appeared in."), 2));

  for (guint i = 0; i < r->freeze_frames->len; i++)
    {
      const ObdReportFreezeFrame *f = g_ptr_array_index (r->freeze_frames, i);
      g_autofree char *title = NULL;
      g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
      Table t;

      if (f->dtc != NULL && f->dtc_title != NULL)
        title = g_strdup_printf (_("Freeze frame of %s: %s"), f->dtc, f->dtc_title);
      else if (f->dtc != NULL)
        title = g_strdup_printf (_("Freeze frame of %s"), f->dtc);
      else
        title = g_strdup (_("Freeze frame"));
      _obd_report_add_subheading (flow, title);

      if (f->values->len == 0)
        {
          add_text (flow, OBD_REPORT_STYLE_SMALL, _("The frame holds no readings."), 2);
          continue;
        }

      table_begin (&t, flow, 4, widths, align, headers);
      for (guint k = 0; k < f->values->len; k++)
        {
          const ObdReportValue *v = &g_array_index (f->values, ObdReportValue, k);
          g_autofree char *value = format_value (v, r->units);

          g_ptr_array_add (labels,
                           escape (obd_value_get_label (obd_pid_get_value_info (v->pid,
                                                                                v->index))));
          g_ptr_array_add (values, escape (value));
        }
      table_pairs (&t, labels, values);
    }
}

/* Readiness ------------------------------------------------------------- */

static void
write_readiness (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  const ObdReportInspection *ins = &r->inspection;
  static const double widths[] = { 0.34, 0.16, 0.34, 0.16 };
  const char *headers[] = { _("Monitor"), _("Status"), _("Monitor"), _("Status") };
  g_autoptr(GPtrArray) fitted = g_ptr_array_new ();
  g_autoptr(GPtrArray) absent = g_ptr_array_new ();
  g_autofree char *verdict = inspection_sentence (ins);
  g_autofree char *verdict_markup = g_markup_printf_escaped ("<b>%s</b>", verdict);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  Table t;

  add_heading (flow, _("Emissions readiness"));
  add_paragraph (flow, OBD_REPORT_STYLE_BODY, verdict_markup, 2)->keep_with_next =
    r->monitors->len > 0;
  if (r->monitors->len == 0)
    return;

  {
    g_autofree char *taken = _obd_report_format_time (ins->taken_us);
    g_autofree char *rule = NULL;

    if (ins->model_year != 0)
      rule = g_strdup_printf (_("Read at %s. The car's computer tests its emission systems "
                                "while it is driven; each monitor says whether its test has "
                                "run since the codes were last cleared. In many inspection "
                                "programmes vehicles of model year 2001 and later may have "
                                "one monitor incomplete, model years 1996–2000 two. This is a "
                                "guide, not an official inspection result."), taken);
    else
      rule = g_strdup_printf (_("Read at %s. The car's computer tests its emission systems "
                                "while it is driven; each monitor says whether its test has "
                                "run since the codes were last cleared. In many inspection "
                                "programmes vehicles of model year 2001 and later may have "
                                "one monitor incomplete, model years 1996–2000 two; the model "
                                "year is not known here, so the stricter rule is used. This "
                                "is a guide, not an official inspection result."), taken);
    keep_with_next (add_text (flow, OBD_REPORT_STYLE_MUTED, rule, 3));
  }

  for (guint i = 0; i < r->monitors->len; i++)
    {
      ObdReportMonitor *m = g_ptr_array_index (r->monitors, i);

      g_ptr_array_add (m->available ? fitted : absent, m);
    }

  for (guint i = 0; i < fitted->len; i++)
    {
      const ObdReportMonitor *m = g_ptr_array_index (fitted, i);

      g_ptr_array_add (names, escape (m->label));
      g_ptr_array_add (states, m->complete ? escape (_("Complete"))
                                           : g_markup_printf_escaped ("<b>%s</b>",
                                                                      _("Not complete")));
    }
  table_begin (&t, flow, 4, widths, NULL, headers);
  table_pairs (&t, names, states);

  if (absent->len > 0)
    {
      g_autoptr(GPtrArray) absent_names = g_ptr_array_new ();
      g_autofree char *list = NULL;
      g_autofree char *text = NULL;

      for (guint i = 0; i < absent->len; i++)
        g_ptr_array_add (absent_names,
                         (gpointer) ((ObdReportMonitor *) g_ptr_array_index (absent, i))->label);
      list = join_names (absent_names);
      text = g_strdup_printf (_("Not fitted to this vehicle: %s."), list);
      add_text (flow, OBD_REPORT_STYLE_MUTED, text, 4);
    }
}

/* Mode 06 --------------------------------------------------------------- */

static char *
format_mode06 (double      value,
               const char *unit)
{
  g_autofree char *number = NULL;

  if (!isfinite (value))
    return g_strdup ("—");
  number = _obd_report_format_number (value, fabs (value) >= 100 || value == floor (value)
                                             ? 0 : 2);
  if (unit == NULL || unit[0] == '\0')
    return g_steal_pointer (&number);
  return g_strdup_printf (C_("quantity", "%s %s"), number, unit);
}

static void
write_mode06 (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.32, 0.30, 0.16, 0.22 };
  static const PangoAlignment align[] = {
    PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT,
  };
  const char *headers[] = { _("Monitor"), _("Test"), _("Result"), _("Allowed") };
  guint failed = 0;
  g_autofree char *summary = NULL;
  Table t;

  if (r->mode06->len == 0)
    return;

  for (guint i = 0; i < r->mode06->len; i++)
    if (!g_array_index (r->mode06, ObdStoreMode06Row, i).passed)
      failed++;

  add_heading (flow, _("On-board test results"));
  if (failed == 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "The car's own test of its emission and engine "
                                            "systems passed (%u test).",
                                            "The car's own tests of its emission and engine "
                                            "systems all passed (%u tests).",
                                            r->mode06->len), r->mode06->len);
  else
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u of %u tests the car ran on its emission and "
                                            "engine systems failed:",
                                            "%u of %u tests the car ran on its emission and "
                                            "engine systems failed:", failed),
                               failed, r->mode06->len);
  add_text (flow, OBD_REPORT_STYLE_BODY, summary, 2)->keep_with_next = failed > 0;
  if (failed == 0)
    return;

  table_begin (&t, flow, 4, widths, align, headers);
  for (guint i = 0; i < r->mode06->len; i++)
    {
      const ObdStoreMode06Row *m = &g_array_index (r->mode06, ObdStoreMode06Row, i);
      g_autofree char *mid = NULL, *tid = NULL, *value = NULL, *range = NULL;
      g_autofree char *lo = NULL, *hi = NULL, *range_text = NULL;
      const char *cells[4];

      if (m->passed)
        continue;
      mid = escape (obd_mode06_get_mid_name (m->mid));
      tid = escape (obd_mode06_get_tid_name (m->mid, m->tid));
      {
        g_autofree char *result = format_mode06 (m->value, m->unit);

        value = g_markup_printf_escaped ("<b>%s</b>", result);
      }
      lo = format_mode06 (m->min, m->unit);
      hi = format_mode06 (m->max, m->unit);
      /* Translators: the range a test result must lie in, "0 – 65" */
      range_text = g_strdup_printf (_("%s – %s"), lo, hi);
      range = escape (range_text);
      cells[0] = mid;
      cells[1] = tid;
      cells[2] = value;
      cells[3] = range;
      table_row (&t, cells);
    }
  table_end (&t);
}

/* Live readings --------------------------------------------------------- */

static void
write_readings (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.46, 0.18, 0.18, 0.18 };
  static const PangoAlignment align[] = {
    PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT, PANGO_ALIGN_RIGHT,
  };
  const char *headers[] = { _("Reading"), _("Lowest"), _("Average"), _("Highest") };
  Table t;

  if (r->series->len == 0)
    return;

  add_heading (flow, _("Key readings during the test"));
  table_begin (&t, flow, 4, widths, align, headers);
  for (guint i = 0; i < r->series->len; i++)
    {
      const ObdReportSeries *s = g_ptr_array_index (r->series, i);
      g_autofree char *label = escape (obd_value_get_label (s->info));
      g_autofree char *lo = _obd_report_format_quantity (s->info->unit, r->units, s->min);
      g_autofree char *mean = _obd_report_format_quantity (s->info->unit, r->units, s->mean);
      g_autofree char *hi = _obd_report_format_quantity (s->info->unit, r->units, s->max);
      g_autofree char *lo_m = escape (lo), *mean_m = escape (mean), *hi_m = escape (hi);
      const char *cells[4] = { label, lo_m, mean_m, hi_m };

      table_row (&t, cells);
    }
  table_end (&t);

  _obd_report_write_charts (flow);
}

/* Warnings raised while recording --------------------------------------- */

static void
write_alerts (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.12, 0.14, 0.74 };
  const char *headers[] = { _("Time"), _("Level"), _("Warning") };
  Table t;

  if (r->alerts->len == 0)
    return;

  add_heading (flow, _("Warnings during the test"));
  table_begin (&t, flow, 3, widths, NULL, headers);
  for (guint i = 0; i < r->alerts->len; i++)
    {
      const ObdStoreNotification *n = g_ptr_array_index (r->alerts, i);
      g_autofree char *time = _obd_report_format_time (n->created_us);
      g_autofree char *time_m = escape (time);
      g_autofree char *level = NULL;
      g_autofree char *what = title_and_detail (n->title, n->body);
      const char *cells[3];

      switch (n->severity)
        {
        case OBD_STORE_SEVERITY_CRITICAL:
          level = g_markup_printf_escaped ("<b>%s</b>", _("Critical"));
          break;
        case OBD_STORE_SEVERITY_WARNING:
          level = escape (_("Warning"));
          break;
        case OBD_STORE_SEVERITY_INFO:
        default:
          level = escape (_("Information"));
          break;
        }
      cells[0] = time_m;
      cells[1] = level;
      cells[2] = what;
      table_row (&t, cells);
    }
  table_end (&t);
}

/* Guided repair --------------------------------------------------------- */

static void
write_guide (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.36, 0.50, 0.14 };
  static const PangoAlignment align[] = {
    PANGO_ALIGN_LEFT, PANGO_ALIGN_LEFT, PANGO_ALIGN_RIGHT,
  };
  const char *headers[] = { _("Recommended work"), _("Details"), _("Labour") };
  Table t;

  if (r->findings->len == 0 && r->recommendations->len == 0)
    return;

  add_heading (flow, _("Findings and recommended work"));
  for (guint i = 0; i < r->findings->len; i++)
    {
      const ObdReportFinding *f = g_ptr_array_index (r->findings, i);
      g_autofree char *markup = f->detail != NULL
                                ? g_markup_printf_escaped ("• <b>%s</b> — %s", f->title,
                                                           f->detail)
                                : g_markup_printf_escaped ("• <b>%s</b>", f->title);

      add_paragraph (flow, OBD_REPORT_STYLE_BODY, markup, i == 0 ? 2 : 3);
    }

  if (r->recommendations->len == 0)
    return;

  table_begin (&t, flow, 3, widths, align, headers);
  t.header->space_before = 8;
  for (guint i = 0; i < r->recommendations->len; i++)
    {
      const ObdReportRecommendation *w = g_ptr_array_index (r->recommendations, i);
      g_autofree char *title = g_markup_printf_escaped ("<b>%s</b>", w->title);
      g_autofree char *detail = escape (w->detail);
      g_autofree char *hours = NULL;
      g_autofree char *hours_m = NULL;
      const char *cells[3];

      if (isfinite (w->labour_hours))
        {
          g_autofree char *number = _obd_report_format_number (w->labour_hours, 1);

          /* Translators: labour time in hours, "1.5 h" */
          hours = g_strdup_printf (_("%s h"), number);
        }
      else
        hours = g_strdup ("—");
      hours_m = escape (hours);
      cells[0] = title;
      cells[1] = detail;
      cells[2] = hours_m;
      table_row (&t, cells);
    }
  table_end (&t);
}

/* Maintenance ------------------------------------------------------------ */

static char *
service_when (const ObdReport        *r,
              const ObdReportService *s)
{
  const ObdServiceForecast *f = &s->forecast;
  g_autoptr(GString) out = g_string_new (NULL);

  if (f->by_distance)
    {
      g_autofree char *distance = _obd_report_format_quantity (OBD_UNIT_KM, r->units,
                                                               fabs (f->remaining_km));
      g_autofree char *line = f->remaining_km >= 0
                              ? g_strdup_printf (_("in %s"), distance)
                              : g_strdup_printf (_("%s overdue"), distance);

      g_string_append (out, line);
    }
  if (f->by_time)
    {
      g_autofree char *line = NULL;
      int days = f->remaining_days;

      line = days >= 0
             ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %d day", "in %d days", days),
                                days)
             : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day overdue",
                                             "%d days overdue", -days), -days);
      g_string_append_printf (out, "%s%s", out->len > 0 ? "\n" : "", line);
    }
  if (f->has_prediction && g_date_valid (&f->predicted_date))
    {
      char date[64];
      g_autofree char *line = NULL;

      /* Translators: a date on the report, in strftime () notation */
      if (g_date_strftime (date, sizeof date, C_("report date (strftime)", "%e %B %Y"),
                           &f->predicted_date) > 0)
        {
          line = f->predicted_days >= 0
                 ? g_strdup_printf (_("expected around %s"), g_strstrip (date))
                 : g_strdup_printf (_("was due around %s"), g_strstrip (date));
          g_string_append_printf (out, "%s%s", out->len > 0 ? "\n" : "", line);
        }
    }
  if (out->len == 0)
    g_string_append (out, "—");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
write_maintenance (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  static const double widths[] = { 0.44, 0.18, 0.38 };
  const char *headers[] = { _("Service"), _("Status"), _("When") };
  Table t;

  if (r->services->len == 0)
    return;

  add_heading (flow, _("Maintenance"));
  table_begin (&t, flow, 3, widths, NULL, headers);
  for (guint i = 0; i < r->services->len; i++)
    {
      const ObdReportService *s = g_ptr_array_index (r->services, i);
      g_autofree char *title = escape (s->title);
      g_autofree char *when = service_when (r, s);
      g_autofree char *when_m = escape (when);
      g_autofree char *status = s->forecast.status == OBD_SERVICE_STATUS_OK
                                ? escape (obd_service_status_get_label (s->forecast.status))
                                : g_markup_printf_escaped (
                                    "<b>%s</b>", obd_service_status_get_label (s->forecast.status));
      const char *cells[3] = { title, status, when_m };

      table_row (&t, cells);
    }
  table_end (&t);
}

/* Notes ----------------------------------------------------------------- */

static void
write_notes (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);

  if (r->notes->len == 0)
    return;

  add_heading (flow, _("Mechanic’s notes"));
  for (guint i = 0; i < r->notes->len; i++)
    {
      const ObdStoreNote *n = g_ptr_array_index (r->notes, i);
      g_autofree char *when = _obd_report_format_date_time (n->created_us);
      g_autofree char *byline = n->author != NULL
                                ? g_strdup_printf (_("%s, %s"), n->author, when)
                                : g_strdup (when);
      ObdReportItem *item = add_text (flow, OBD_REPORT_STYLE_MUTED, byline, i == 0 ? 2 : 8);

      item->keep_with_next = TRUE;
      add_text (flow, OBD_REPORT_STYLE_BODY, n->text, 1);
    }
}

/* Verification ---------------------------------------------------------- */

static void
write_verification (ObdReportFlow *flow)
{
  const ObdReport *r = _obd_report_flow_get_report (flow);
  double width = _obd_report_flow_get_width (flow);
  g_autofree char *sealed = NULL;
  g_autofree char *text = NULL;
  g_autofree char *command = NULL;
  ObdReportItem *box;
  double y = 8;

  add_heading (flow, _("Verification"));

  switch (r->integrity)
    {
    case OBD_REPORT_INTEGRITY_UNSEALED:
      add_text (flow, OBD_REPORT_STYLE_BODY,
                _("This session was still being recorded when the report was printed, so it "
                  "has no verification code yet. Print the report again once the recording "
                  "has ended."), 2);
      return;
    case OBD_REPORT_INTEGRITY_CHANGED:
      {
        g_autofree char *markup =
          g_markup_printf_escaped ("<b>%s</b>",
                                   _("The recorded data of this session no longer matches "
                                     "the fingerprint it was sealed with: it was changed "
                                     "after it was recorded. This report cannot be "
                                     "verified."));

        add_paragraph (flow, OBD_REPORT_STYLE_BODY, markup, 2);
      }
      return;
    case OBD_REPORT_INTEGRITY_INTACT:
    default:
      break;
    }

  box = _obd_report_flow_add_item (flow);
  box->space_before = 4;
  box->frame = TRUE;
  box->split = OBD_REPORT_SPLIT_OVERSIZE;
  box->fill = TRUE;
  box->fill_grey = 0.955;

  {
    g_autofree char *label = escape (_("Verification code"));
    g_autofree char *code = escape (r->verification_code);
    PangoLayout *l = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MUTED, label, width / 3,
                                              PANGO_ALIGN_LEFT);
    PangoLayout *c = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_CODE, code, -1,
                                              PANGO_ALIGN_LEFT);
    PangoRectangle e;

    _obd_report_item_add_cell (box, l, 12, y, 6);
    pango_layout_get_extents (l, NULL, &e);
    y += e.height / (double) PANGO_SCALE + 2;
    _obd_report_item_add_cell (box, c, 12, y, 6);
    pango_layout_get_extents (c, NULL, &e);
    y += e.height / (double) PANGO_SCALE + 4;
  }

  sealed = _obd_report_format_date_time (r->session->ended_us != 0 ? r->session->ended_us
                                                                   : r->session->started_us);
  text = g_strdup_printf (_("The data in this report was sealed on %s into the workshop’s "
                            "tamper-evident history: each recorded session carries a "
                            "fingerprint of its content and of every session before it. To "
                            "confirm that nothing was changed since, the workshop runs the "
                            "command below; it answers whether the session with this code is "
                            "intact."), sealed);
  command = g_strdup_printf ("obd2 sessions --verify %s", r->verification_code);
  {
    g_autofree char *markup = g_markup_printf_escaped ("%s\n<tt>%s</tt>", text, command);
    g_autofree char *hash = g_markup_printf_escaped ("%s %s", _("Full fingerprint (SHA-256):"),
                                                     r->session->hash);
    PangoLayout *p = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_SMALL, markup, width - 24,
                                              PANGO_ALIGN_LEFT);
    PangoLayout *h = _obd_report_flow_layout (flow, OBD_REPORT_STYLE_MONO_SMALL, hash,
                                              width - 24, PANGO_ALIGN_LEFT);
    PangoRectangle e;

    _obd_report_item_add_cell (box, p, 12, y, 8);
    pango_layout_get_extents (p, NULL, &e);
    y += e.height / (double) PANGO_SCALE + 4;
    _obd_report_item_add_cell (box, h, 12, y, 8);
  }
}

void
_obd_report_write (ObdReportFlow   *flow,
                   cairo_surface_t *logo)
{
  write_letterhead (flow, logo);
  write_vehicle (flow);
  write_summary (flow);
  write_health (flow);
  write_codes (flow);
  write_guide (flow);
  write_maintenance (flow);
  write_freeze_frames (flow);
  write_readiness (flow);
  write_mode06 (flow);
  write_readings (flow);
  write_alerts (flow);
  write_notes (flow);
  write_verification (flow);
}
