/* obd-gauge.c — a round 270° gauge that shows a reading and its alert state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything is drawn from the widget's size, so one code path serves a
 * 96 px tile and a 400 px hero gauge: the square side `s` drives line
 * widths and font sizes.  Colours come from the style context (the
 * foreground colour and libadwaita's named colours), so light, dark and
 * high-contrast styles work without a stylesheet of our own.  The alert
 * state is never shown by colour alone: a shaped badge and a word sit
 * under the value when it is a warning or critical.
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "obd-gauge.h"
#include "obd-gauge-private.h"

#define ARC_START     (0.75 * G_PI)   /* 135°: bottom left, y grows down */
#define ARC_SWEEP     (1.5 * G_PI)    /* 270° clockwise to bottom right */
#define MIN_SIZE      64
#define NATURAL_SIZE  160
#define ANIMATION_MS  250

/* Everything the dial (track, alert bands, ticks) depends on: while it
 * stays the same, the dial is painted from its image and only the value
 * arc, the knob and the text are drawn again.  Zeroed before it is filled, so it can be
 * compared with memcmp(). */
typedef struct
{
  int     width;
  int     height;
  int     scale;
  GdkRGBA track;
  GdkRGBA tick;
  GdkRGBA warn;
  GdkRGBA crit;
  double  min_value;
  double  max_value;
  double  warning;
  double  critical;
  double  low_warning;
  double  low_critical;
} DialKey;

/* The text a gauge shows, each kept as a laid-out PangoLayout between
 * frames while its text, size and style stay the same: during a needle's
 * animation only the arc moves. */
enum
{
  TEXT_VALUE,
  TEXT_VALUE_FIT,   /* the value again, shrunk to fit inside the arc */
  TEXT_UNIT,
  TEXT_LABEL,
  TEXT_MIN,
  TEXT_MAX,
  TEXT_WORD,        /* "Warning", "Critical" */
  N_TEXTS
};

typedef struct
{
  PangoLayout *layout;
  char        *text;
  double       pixel_size;
  int          width;         /* Pango units, -1 for no ellipsis */
  guint        style_serial;
} TextSlot;

struct _ObdGauge
{
  GtkWidget     parent_instance;

  double        value;
  double        display_value;   /* what the arc shows while animating */
  double        min_value;
  double        max_value;
  double        warning;
  double        critical;
  double        low_warning;
  double        low_critical;
  ObdGaugeAlertState alert_state;
  char         *label;
  char         *unit;
  guint         digits;
  ObdGaugeZone  zone;

  AdwAnimation *animation;
  char         *a11y_text;       /* last label pushed to the AT context */
  guint         a11y_updates;

  cairo_surface_t *dial;         /* the track, bands and ticks, drawn once */
  DialKey       dial_key;        /* what the dial was drawn for */
  TextSlot      texts[N_TEXTS];  /* the layouts of the last frame */
  guint         style_serial;    /* bumped when fonts may have changed */
};

G_DEFINE_FINAL_TYPE (ObdGauge, obd_gauge, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (ObdGaugeAlertState, obd_gauge_alert_state,
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ALERT_STATE_NORMAL, "normal"),
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ALERT_STATE_WARNING, "warning"),
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ALERT_STATE_CRITICAL, "critical"))

G_DEFINE_ENUM_TYPE (ObdGaugeZone, obd_gauge_zone,
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ZONE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ZONE_NORMAL, "normal"),
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ZONE_WARNING, "warning"),
  G_DEFINE_ENUM_VALUE (OBD_GAUGE_ZONE_CRITICAL, "critical"))

enum {
  PROP_0,
  PROP_VALUE,
  PROP_MIN_VALUE,
  PROP_MAX_VALUE,
  PROP_LABEL,
  PROP_UNIT,
  PROP_WARNING_THRESHOLD,
  PROP_CRITICAL_THRESHOLD,
  PROP_LOW_WARNING_THRESHOLD,
  PROP_LOW_CRITICAL_THRESHOLD,
  PROP_DIGITS,
  PROP_ALERT_STATE,
  PROP_ZONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
same_double (double a,
             double b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

/* g_set_str() is GLib 2.76; we target 2.74. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The owner's verdict, shown while there is a reading to show it on. */
static ObdGaugeZone
compute_zone (ObdGauge *self)
{
  if (isnan (self->value))
    return OBD_GAUGE_ZONE_UNKNOWN;
  switch (self->alert_state)
    {
    case OBD_GAUGE_ALERT_STATE_CRITICAL:
      return OBD_GAUGE_ZONE_CRITICAL;
    case OBD_GAUGE_ALERT_STATE_WARNING:
      return OBD_GAUGE_ZONE_WARNING;
    case OBD_GAUGE_ALERT_STATE_NORMAL:
    default:
      return OBD_GAUGE_ZONE_NORMAL;
    }
}

/* The zone as shown under the value; only warning and critical show. */
static const char *
zone_title (ObdGaugeZone zone)
{
  switch (zone)
    {
    case OBD_GAUGE_ZONE_WARNING:
      return C_("gauge zone title", "Warning");
    case OBD_GAUGE_ZONE_CRITICAL:
      return C_("gauge zone title", "Critical");
    case OBD_GAUGE_ZONE_NORMAL:
    case OBD_GAUGE_ZONE_UNKNOWN:
    default:
      return NULL;
    }
}

static const char *
zone_word (ObdGaugeZone zone)
{
  switch (zone)
    {
    case OBD_GAUGE_ZONE_NORMAL:
      return C_("gauge zone", "normal");
    case OBD_GAUGE_ZONE_WARNING:
      return C_("gauge zone", "warning");
    case OBD_GAUGE_ZONE_CRITICAL:
      return C_("gauge zone", "critical");
    case OBD_GAUGE_ZONE_UNKNOWN:
    default:
      return C_("gauge zone", "no reading");
    }
}

/* The value as shown: fixed precision, no "-0", and a real minus sign
 * (U+2212) which is as wide as the digits in tabular fonts. */
static char *
format_value (double value,
              guint  digits)
{
  double scale = pow (10.0, digits);
  double rounded = round (value * scale) / scale;
  g_autofree char *text = NULL;

  if (rounded == 0.0)
    rounded = 0.0;   /* turns -0.0 into 0.0 */
  text = g_strdup_printf ("%.*f", (int) digits, fabs (rounded));
  if (rounded < 0.0)
    return g_strconcat ("−", text, NULL);
  return g_steal_pointer (&text);
}

char *
obd_gauge_dup_reading_text (ObdGauge *self)
{
  g_autofree char *number = NULL;
  const char *label;

  g_return_val_if_fail (OBD_IS_GAUGE (self), NULL);

  label = self->label != NULL && *self->label != '\0' ? self->label : _("Gauge");

  if (isnan (self->value))
    /* Translators: accessible reading of a gauge without a value,
     * e.g. "Engine speed: no reading" */
    return g_strdup_printf (_("%s: no reading"), label);

  number = format_value (self->value, self->digits);
  if (self->unit != NULL && *self->unit != '\0')
    /* Translators: accessible reading of a gauge: label, value, unit and
     * zone, e.g. "Engine speed: 1726 rpm, normal" */
    return g_strdup_printf (_("%1$s: %2$s %3$s, %4$s"),
                            label, number, self->unit, zone_word (self->zone));
  /* Translators: accessible reading of a gauge without a unit:
   * label, value and zone, e.g. "Gear: 3, normal" */
  return g_strdup_printf (_("%1$s: %2$s, %3$s"), label, number, zone_word (self->zone));
}

/* Pushes the reading to assistive technologies, but only when the words
 * change: a gauge fed at 20 Hz would otherwise flood the accessibility bus
 * with events that say the same thing. */
static void
update_accessible (ObdGauge *self)
{
  g_autofree char *text = obd_gauge_dup_reading_text (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, self->min_value,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, self->max_value,
                                  -1);

  if (g_strcmp0 (text, self->a11y_text) == 0)
    return;

  if (isnan (self->value))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW);
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, self->value,
                                    -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                  -1);
  g_free (self->a11y_text);
  self->a11y_text = g_steal_pointer (&text);
  self->a11y_updates++;
}

guint
_obd_gauge_get_a11y_update_count (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), 0);

  return self->a11y_updates;
}

/* Recomputes everything derived from the value and the alert state. */
static void
reading_changed (ObdGauge *self)
{
  ObdGaugeZone zone = compute_zone (self);

  if (zone != self->zone)
    {
      self->zone = zone;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZONE]);
    }
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
animation_cb (double   value,
              gpointer user_data)
{
  ObdGauge *self = user_data;

  self->display_value = value;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Drawing helpers ------------------------------------------------------- */

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback,
              GdkRGBA    *out)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (!gtk_style_context_lookup_color (context, name, out))
    gdk_rgba_parse (out, fallback);
}

static void
zone_color (GtkWidget    *widget,
            ObdGaugeZone  zone,
            GdkRGBA      *out)
{
  switch (zone)
    {
    case OBD_GAUGE_ZONE_WARNING:
      lookup_color (widget, "warning_color", "#9c6e03", out);
      break;
    case OBD_GAUGE_ZONE_CRITICAL:
      lookup_color (widget, "error_color", "#c01c28", out);
      break;
    case OBD_GAUGE_ZONE_NORMAL:
    case OBD_GAUGE_ZONE_UNKNOWN:
    default:
      lookup_color (widget, "accent_color", "#1c71d8", out);
      break;
    }
}

static double
value_fraction (ObdGauge *self,
                double    value)
{
  double span = self->max_value - self->min_value;

  if (isnan (value) || !(span > 0.0))
    return 0.0;
  return CLAMP ((value - self->min_value) / span, 0.0, 1.0);
}

static double
value_angle (ObdGauge *self,
             double    value)
{
  return ARC_START + ARC_SWEEP * value_fraction (self, value);
}

static PangoLayout *
create_layout (ObdGauge   *self,
               const char *text,
               double      pixel_size,
               PangoWeight weight,
               gboolean    tabular)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  const PangoFontDescription *base;
  g_autoptr(PangoFontDescription) desc = NULL;

  base = pango_context_get_font_description (pango_layout_get_context (layout));
  desc = pango_font_description_copy (base);
  pango_font_description_set_absolute_size (desc, MAX (pixel_size, 1.0) * PANGO_SCALE);
  pango_font_description_set_weight (desc, weight);
  pango_layout_set_font_description (layout, desc);

  if (tabular)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      /* Tabular figures keep the value from jittering sideways as it
       * changes: every digit has the same advance. */
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
      pango_layout_set_attributes (layout, attrs);
    }
  return layout;
}

/* @text laid out at @pixel_size, from @slot when it holds the same;
 * owned by the gauge. */
static PangoLayout *
text_layout (ObdGauge    *self,
             guint        slot,
             const char  *text,
             double       pixel_size,
             PangoWeight  weight,
             gboolean     tabular,
             int          width)
{
  TextSlot *cached = &self->texts[slot];

  if (cached->layout != NULL && cached->pixel_size == pixel_size &&
      cached->width == width && cached->style_serial == self->style_serial &&
      g_strcmp0 (cached->text, text) == 0)
    return cached->layout;

  g_clear_object (&cached->layout);
  g_free (cached->text);
  cached->layout = create_layout (self, text, pixel_size, weight, tabular);
  if (width >= 0)
    {
      pango_layout_set_width (cached->layout, width);
      pango_layout_set_ellipsize (cached->layout, PANGO_ELLIPSIZE_END);
    }
  cached->text = g_strdup (text);
  cached->pixel_size = pixel_size;
  cached->width = width;
  cached->style_serial = self->style_serial;
  return cached->layout;
}

static void
clear_texts (ObdGauge *self)
{
  for (guint i = 0; i < N_TEXTS; i++)
    {
      g_clear_object (&self->texts[i].layout);
      g_clear_pointer (&self->texts[i].text, g_free);
    }
}

/* Appends @layout so that its logical rectangle is centred on (cx, cy). */
static void
append_layout_centered (GtkSnapshot   *snapshot,
                        PangoLayout   *layout,
                        double         cx,
                        double         cy,
                        const GdkRGBA *color)
{
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (roundf ((float) (cx - logical.width / 2.0)),
                                                roundf ((float) (cy - logical.height / 2.0))));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
arc_segment (cairo_t       *cr,
             double         cx,
             double         cy,
             double         radius,
             double         a0,
             double         a1,
             const GdkRGBA *color)
{
  if (a1 <= a0)
    return;
  cairo_new_path (cr);
  cairo_arc (cr, cx, cy, radius, a0, a1);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_stroke (cr);
}

/* A badge whose shape names the zone for people who cannot tell the
 * colours apart: a triangle for warning, an octagon for critical, both
 * with an exclamation mark. */
static void
draw_zone_badge (cairo_t       *cr,
                 ObdGaugeZone   zone,
                 double         cx,
                 double         cy,
                 double         size,
                 const GdkRGBA *color,
                 const GdkRGBA *mark)
{
  double r = size / 2.0;

  cairo_new_path (cr);
  if (zone == OBD_GAUGE_ZONE_WARNING)
    {
      cairo_move_to (cr, cx, cy - r);
      cairo_line_to (cr, cx + r * 1.1, cy + r * 0.85);
      cairo_line_to (cr, cx - r * 1.1, cy + r * 0.85);
      cairo_close_path (cr);
    }
  else
    {
      for (int i = 0; i < 8; i++)
        {
          double a = G_PI / 8.0 + i * G_PI / 4.0;
          cairo_line_to (cr, cx + r * cos (a), cy + r * sin (a));
        }
      cairo_close_path (cr);
    }
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);

  gdk_cairo_set_source_rgba (cr, mark);
  cairo_set_line_width (cr, MAX (size * 0.14, 1.0));
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_move_to (cr, cx, cy - r * (zone == OBD_GAUGE_ZONE_WARNING ? 0.35 : 0.5));
  cairo_line_to (cr, cx, cy + r * 0.15);
  cairo_stroke (cr);
  cairo_arc (cr, cx, cy + r * 0.5, MAX (size * 0.08, 0.6), 0, 2 * G_PI);
  cairo_fill (cr);
}

/* Where everything goes, from the widget's size: the square side drives
 * the line widths, so one path serves a 96 px tile and a 400 px gauge. */
typedef struct
{
  double s;           /* the square's side */
  double cx, cy;      /* its centre */
  double line_width;  /* of the track and the value arc */
  double radius;      /* of their middle line */
} Geometry;

static Geometry
geometry (int width,
          int height)
{
  Geometry g;

  g.s = MIN (width, height);
  g.cx = width / 2.0;
  g.cy = height / 2.0;
  g.line_width = MAX (g.s * 0.075, 3.0);
  g.radius = g.s / 2.0 - g.line_width / 2.0 - MAX (g.s * 0.03, 2.0);
  return g;
}

/* The dial at the widget's size and scale, in an image: fifty ticks and
 * a few arcs, antialiased, are most of a gauge's drawing, and a gauge is
 * drawn again at every reading (and every frame of its animation).  An
 * image painted in a cairo node, not a GdkTexture: the cairo renderer
 * converts a texture to a new surface every frame, which cost more than
 * the strokes (bench-ui-batch). */
static cairo_surface_t *
render_dial (ObdGauge      *self,
             const DialKey *key)
{
  Geometry g = geometry (key->width, key->height);
  double s = g.s, cx = g.cx, cy = g.cy, line_width = g.line_width, radius = g.radius;
  int width = key->width * key->scale;
  int height = key->height * key->scale;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_scale (cr, key->scale, key->scale);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);

  /* The track, then the warning and critical bands tinted on top of it so
   * the scale itself shows where trouble starts. */
  cairo_set_line_width (cr, line_width);
  arc_segment (cr, cx, cy, radius, ARC_START, ARC_START + ARC_SWEEP, &key->track);
  {
    double band_width = line_width * 0.3;
    double band_radius = radius + line_width / 2.0 - band_width / 2.0;
    GdkRGBA wband = key->warn, cband = key->crit;
    double a_max = ARC_START + ARC_SWEEP;

    wband.alpha *= 0.6f;
    cband.alpha *= 0.7f;
    cairo_set_line_width (cr, band_width);
    if (!isnan (key->warning))
      arc_segment (cr, cx, cy, band_radius, value_angle (self, key->warning),
                   isnan (key->critical) ? a_max : value_angle (self, key->critical), &wband);
    if (!isnan (key->critical))
      arc_segment (cr, cx, cy, band_radius, value_angle (self, key->critical), a_max, &cband);
    if (!isnan (key->low_warning))
      arc_segment (cr, cx, cy, band_radius,
                   isnan (key->low_critical) ? ARC_START : value_angle (self, key->low_critical),
                   value_angle (self, key->low_warning), &wband);
    if (!isnan (key->low_critical))
      arc_segment (cr, cx, cy, band_radius, ARC_START,
                   value_angle (self, key->low_critical), &cband);
  }

  /* Ten divisions, with minor ticks only when there is room for them. */
  {
    int divisions = s >= 200 ? 50 : 10;
    double inner = radius - line_width / 2.0 - MAX (s * 0.015, 1.5);

    gdk_cairo_set_source_rgba (cr, &key->tick);
    for (int i = 0; i <= divisions; i++)
      {
        gboolean major = divisions == 10 || i % 5 == 0;
        double a = ARC_START + ARC_SWEEP * i / divisions;
        double len = major ? s * 0.045 : s * 0.022;

        cairo_set_line_width (cr, MAX (s * (major ? 0.008 : 0.005), 1.0));
        cairo_move_to (cr, cx + inner * cos (a), cy + inner * sin (a));
        cairo_line_to (cr, cx + (inner - len) * cos (a), cy + (inner - len) * sin (a));
        cairo_stroke (cr);
      }
  }
  cairo_destroy (cr);
  cairo_surface_set_device_scale (surface, key->scale, key->scale);
  return surface;
}

static void
obd_gauge_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  ObdGauge *self = OBD_GAUGE (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  Geometry g = geometry (width, height);
  double s = g.s, cx = g.cx, cy = g.cy, line_width = g.line_width, radius = g.radius;
  GdkRGBA fg, accent, warn, crit, track, tick, zone_rgba, window_bg;
  gboolean high_contrast = adw_style_manager_get_high_contrast (
    adw_style_manager_get_for_display (gtk_widget_get_display (widget)));
  g_autofree char *value_text = NULL;
  PangoLayout *value_layout;
  PangoRectangle value_rect;
  double value_px;
  cairo_t *cr;

  if (s < 8)
    return;

  gtk_style_context_get_color (context, &fg);
  lookup_color (widget, "accent_color", "#1c71d8", &accent);
  zone_color (widget, OBD_GAUGE_ZONE_WARNING, &warn);
  zone_color (widget, OBD_GAUGE_ZONE_CRITICAL, &crit);
  zone_color (widget, self->zone, &zone_rgba);
  lookup_color (widget, "window_bg_color", "#fafafa", &window_bg);
  track = fg;
  /* High contrast: no faint greys, everything at full strength. */
  track.alpha = fg.alpha * (high_contrast ? 0.3f : 0.12f);
  tick = fg;
  tick.alpha = fg.alpha * (high_contrast ? 1.0f : 0.55f);

  {
    DialKey key;

    memset (&key, 0, sizeof key);
    key.width = width;
    key.height = height;
    key.scale = gtk_widget_get_scale_factor (widget);
    key.track = track;
    key.tick = tick;
    key.warn = warn;
    key.crit = crit;
    key.min_value = self->min_value;
    key.max_value = self->max_value;
    key.warning = self->warning;
    key.critical = self->critical;
    key.low_warning = self->low_warning;
    key.low_critical = self->low_critical;
    if (self->dial == NULL || memcmp (&key, &self->dial_key, sizeof key) != 0)
      {
        g_clear_pointer (&self->dial, cairo_surface_destroy);
        self->dial = render_dial (self, &key);
        self->dial_key = key;
      }
  }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_source_surface (cr, self->dial, 0, 0);
  cairo_paint (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);

  /* The value arc, ending in a knob that marks the exact position. */
  if (!isnan (self->display_value))
    {
      double a = value_angle (self, self->display_value);

      cairo_set_line_width (cr, line_width);
      if (a > ARC_START)
        arc_segment (cr, cx, cy, radius, ARC_START, a, &zone_rgba);
      cairo_new_path (cr);
      cairo_arc (cr, cx + radius * cos (a), cy + radius * sin (a),
                 line_width * 0.65, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &zone_rgba);
      cairo_fill_preserve (cr);
      gdk_cairo_set_source_rgba (cr, &window_bg);
      cairo_set_line_width (cr, MAX (line_width * 0.25, 1.0));
      cairo_stroke (cr);
    }

  if (self->zone == OBD_GAUGE_ZONE_WARNING || self->zone == OBD_GAUGE_ZONE_CRITICAL)
    {
      /* The badge sits in the open bottom of the arc, left of the word. */
      PangoLayout *word = text_layout (self, TEXT_WORD, zone_title (self->zone),
                                       MAX (s * 0.07, 8.0), PANGO_WEIGHT_BOLD, FALSE, -1);
      PangoRectangle rect;
      double badge = MAX (s * 0.075, 8.0);
      double y = cy + radius * 0.78;
      double total;

      pango_layout_get_pixel_extents (word, NULL, &rect);
      total = badge + badge * 0.4 + rect.width;
      draw_zone_badge (cr, self->zone, cx - total / 2.0 + badge / 2.0, y, badge,
                       &zone_rgba, &window_bg);
      cairo_destroy (cr);
      cr = NULL;
      append_layout_centered (snapshot, word, cx + total / 2.0 - rect.width / 2.0, y,
                              &zone_rgba);
    }
  g_clear_pointer (&cr, cairo_destroy);

  /* Value, shrunk when a long number would not fit inside the arc. */
  value_px = s * 0.21;
  value_text = isnan (self->value) ? g_strdup ("—") : format_value (self->value, self->digits);
  value_layout = text_layout (self, TEXT_VALUE, value_text, value_px, PANGO_WEIGHT_BOLD, TRUE,
                              -1);
  pango_layout_get_pixel_extents (value_layout, NULL, &value_rect);
  if (value_rect.width > radius * 1.4)
    {
      value_px *= radius * 1.4 / value_rect.width;
      value_layout = text_layout (self, TEXT_VALUE_FIT, value_text, value_px,
                                  PANGO_WEIGHT_BOLD, TRUE, -1);
      pango_layout_get_pixel_extents (value_layout, NULL, &value_rect);
    }
  append_layout_centered (snapshot, value_layout, cx, cy, &fg);

  {
    double small_px = MAX (s * 0.075, 8.0);
    GdkRGBA dim = fg;

    dim.alpha = fg.alpha * (high_contrast ? 1.0f : 0.7f);
    if (self->unit != NULL && *self->unit != '\0')
      {
        PangoLayout *unit = text_layout (self, TEXT_UNIT, self->unit, small_px,
                                         PANGO_WEIGHT_NORMAL, FALSE, -1);
        PangoRectangle rect;

        pango_layout_get_pixel_extents (unit, NULL, &rect);
        append_layout_centered (snapshot, unit, cx,
                                cy + value_rect.height / 2.0 + rect.height / 2.0 - s * 0.01,
                                &dim);
      }
    if (self->label != NULL && *self->label != '\0')
      {
        PangoLayout *label = text_layout (self, TEXT_LABEL, self->label, small_px,
                                          PANGO_WEIGHT_NORMAL, FALSE,
                                          (int) (radius * 1.5 * PANGO_SCALE));
        PangoRectangle rect;

        pango_layout_get_pixel_extents (label, NULL, &rect);
        append_layout_centered (snapshot, label, cx,
                                cy - value_rect.height / 2.0 - rect.height / 2.0 + s * 0.01,
                                &dim);
      }

    /* Scale ends, only where they stay readable. */
    if (s >= 150)
      {
        g_autofree char *min_text = format_value (self->min_value, 0);
        g_autofree char *max_text = format_value (self->max_value, 0);
        PangoLayout *min_layout = text_layout (self, TEXT_MIN, min_text, s * 0.06,
                                               PANGO_WEIGHT_NORMAL, TRUE, -1);
        PangoLayout *max_layout = text_layout (self, TEXT_MAX, max_text, s * 0.06,
                                               PANGO_WEIGHT_NORMAL, TRUE, -1);
        double end_r = radius;
        double y = cy + end_r * sin (ARC_START) + line_width * 1.2;

        append_layout_centered (snapshot, min_layout, cx + end_r * cos (ARC_START), y, &dim);
        append_layout_centered (snapshot, max_layout,
                                cx + end_r * cos (ARC_START + ARC_SWEEP), y, &dim);
      }
  }

  if (gtk_widget_has_visible_focus (widget))
    {
      GskRoundedRect outline;
      GdkRGBA ring = accent;
      float w = 2.0f;

      ring.alpha *= 0.5f;
      gsk_rounded_rect_init_from_rect (&outline,
                                       &GRAPHENE_RECT_INIT (w / 2, w / 2, width - w, height - w),
                                       8.0f);
      gtk_snapshot_append_border (snapshot, &outline,
                                  (float[4]) { w, w, w, w },
                                  (GdkRGBA[4]) { ring, ring, ring, ring });
    }
}

static GtkSizeRequestMode
obd_gauge_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* Square: the natural height follows the width we are given, so a gauge
 * in a column of a grid grows with the column without stretching. */
static void
obd_gauge_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  *minimum = MIN_SIZE;
  if (orientation == GTK_ORIENTATION_VERTICAL && for_size > 0)
    *natural = MAX (for_size, MIN_SIZE);
  else
    *natural = NATURAL_SIZE;
}

static void
obd_gauge_css_changed (GtkWidget         *widget,
                       GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (obd_gauge_parent_class)->css_changed (widget, change);

  /* Named colours (accent, warning, error) change with the colour scheme
   * without our own style changing, so always repaint; the font may have
   * changed too, so the text is laid out again. */
  OBD_GAUGE (widget)->style_serial++;
  gtk_widget_queue_draw (widget);
}

static void
obd_gauge_dispose (GObject *object)
{
  ObdGauge *self = OBD_GAUGE (object);

  g_clear_object (&self->animation);
  g_clear_pointer (&self->dial, cairo_surface_destroy);
  clear_texts (self);

  G_OBJECT_CLASS (obd_gauge_parent_class)->dispose (object);
}

static void
obd_gauge_finalize (GObject *object)
{
  ObdGauge *self = OBD_GAUGE (object);

  g_free (self->label);
  g_free (self->unit);
  g_free (self->a11y_text);

  G_OBJECT_CLASS (obd_gauge_parent_class)->finalize (object);
}

static void
obd_gauge_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  ObdGauge *self = OBD_GAUGE (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      g_value_set_double (value, self->value);
      break;
    case PROP_MIN_VALUE:
      g_value_set_double (value, self->min_value);
      break;
    case PROP_MAX_VALUE:
      g_value_set_double (value, self->max_value);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case PROP_WARNING_THRESHOLD:
      g_value_set_double (value, self->warning);
      break;
    case PROP_CRITICAL_THRESHOLD:
      g_value_set_double (value, self->critical);
      break;
    case PROP_LOW_WARNING_THRESHOLD:
      g_value_set_double (value, self->low_warning);
      break;
    case PROP_LOW_CRITICAL_THRESHOLD:
      g_value_set_double (value, self->low_critical);
      break;
    case PROP_DIGITS:
      g_value_set_uint (value, self->digits);
      break;
    case PROP_ALERT_STATE:
      g_value_set_enum (value, self->alert_state);
      break;
    case PROP_ZONE:
      g_value_set_enum (value, self->zone);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_gauge_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  ObdGauge *self = OBD_GAUGE (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      obd_gauge_set_value (self, g_value_get_double (value));
      break;
    case PROP_MIN_VALUE:
      obd_gauge_set_min_value (self, g_value_get_double (value));
      break;
    case PROP_MAX_VALUE:
      obd_gauge_set_max_value (self, g_value_get_double (value));
      break;
    case PROP_LABEL:
      obd_gauge_set_label (self, g_value_get_string (value));
      break;
    case PROP_UNIT:
      obd_gauge_set_unit (self, g_value_get_string (value));
      break;
    case PROP_WARNING_THRESHOLD:
      obd_gauge_set_warning_threshold (self, g_value_get_double (value));
      break;
    case PROP_CRITICAL_THRESHOLD:
      obd_gauge_set_critical_threshold (self, g_value_get_double (value));
      break;
    case PROP_LOW_WARNING_THRESHOLD:
      obd_gauge_set_low_warning_threshold (self, g_value_get_double (value));
      break;
    case PROP_LOW_CRITICAL_THRESHOLD:
      obd_gauge_set_low_critical_threshold (self, g_value_get_double (value));
      break;
    case PROP_DIGITS:
      obd_gauge_set_digits (self, g_value_get_uint (value));
      break;
    case PROP_ALERT_STATE:
      obd_gauge_set_alert_state (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
threshold_pspec (const char *name,
                 const char *nick,
                 const char *blurb)
{
  return g_param_spec_double (name, nick, blurb, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                              G_PARAM_STATIC_STRINGS);
}

static void
obd_gauge_class_init (ObdGaugeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_gauge_dispose;
  object_class->finalize = obd_gauge_finalize;
  object_class->get_property = obd_gauge_get_property;
  object_class->set_property = obd_gauge_set_property;

  widget_class->snapshot = obd_gauge_snapshot;
  widget_class->measure = obd_gauge_measure;
  widget_class->get_request_mode = obd_gauge_get_request_mode;
  widget_class->css_changed = obd_gauge_css_changed;

  /* NaN is accepted everywhere a double is: it means "no reading" for the
   * value and "not set" for thresholds, and it is what a new gauge starts
   * with.  GParamSpec cannot declare NaN as the default (the range check
   * fails), so the specs say 0 and obd_gauge_init() sets NaN. */
  properties[PROP_VALUE] =
    g_param_spec_double ("value", "Value", "The current reading, NaN for none",
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, rw);
  properties[PROP_MIN_VALUE] =
    g_param_spec_double ("min-value", "Minimum value", "The start of the scale",
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, rw);
  properties[PROP_MAX_VALUE] =
    g_param_spec_double ("max-value", "Maximum value", "The end of the scale",
                         -G_MAXDOUBLE, G_MAXDOUBLE, 100.0, rw);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", "Label", "What is measured", NULL, rw);
  properties[PROP_UNIT] =
    g_param_spec_string ("unit", "Unit", "The unit of the value", NULL, rw);
  properties[PROP_WARNING_THRESHOLD] =
    threshold_pspec ("warning-threshold", "Warning threshold",
                     "Where the scale's warning band starts");
  properties[PROP_CRITICAL_THRESHOLD] =
    threshold_pspec ("critical-threshold", "Critical threshold",
                     "Where the scale's critical band starts");
  properties[PROP_LOW_WARNING_THRESHOLD] =
    threshold_pspec ("low-warning-threshold", "Low warning threshold",
                     "Where the scale's low warning band ends");
  properties[PROP_LOW_CRITICAL_THRESHOLD] =
    threshold_pspec ("low-critical-threshold", "Low critical threshold",
                     "Where the scale's low critical band ends");
  properties[PROP_DIGITS] =
    g_param_spec_uint ("digits", "Digits", "Decimal places shown", 0, 6, 0, rw);
  properties[PROP_ALERT_STATE] =
    g_param_spec_enum ("alert-state", "Alert state",
                       "The alert engine's verdict on the reading",
                       OBD_TYPE_GAUGE_ALERT_STATE, OBD_GAUGE_ALERT_STATE_NORMAL, rw);
  properties[PROP_ZONE] =
    g_param_spec_enum ("zone", "Zone", "What the gauge shows: no reading, or the alert state",
                       OBD_TYPE_GAUGE_ZONE, OBD_GAUGE_ZONE_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "gauge");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_METER);
}

static void
obd_gauge_init (ObdGauge *self)
{
  self->value = NAN;
  self->display_value = NAN;
  self->min_value = 0.0;
  self->max_value = 100.0;
  self->warning = NAN;
  self->critical = NAN;
  self->low_warning = NAN;
  self->low_critical = NAN;
  self->zone = OBD_GAUGE_ZONE_UNKNOWN;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  self->animation = adw_timed_animation_new (GTK_WIDGET (self), 0.0, 0.0, ANIMATION_MS,
                                             adw_callback_animation_target_new (animation_cb,
                                                                                self, NULL));
  adw_timed_animation_set_easing (ADW_TIMED_ANIMATION (self->animation), ADW_EASE_OUT_CUBIC);
  update_accessible (self);
}

GtkWidget *
obd_gauge_new (void)
{
  return g_object_new (OBD_TYPE_GAUGE, NULL);
}

double
obd_gauge_get_value (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), NAN);

  return self->value;
}

/* How far the needle's tip moves from one value to another, in pixels. */
static double
needle_travel (ObdGauge *self,
               double    from,
               double    to)
{
  int size = MIN (gtk_widget_get_width (GTK_WIDGET (self)),
                  gtk_widget_get_height (GTK_WIDGET (self)));

  return fabs (value_angle (self, to) - value_angle (self, from)) * size / 2.0;
}

double
_obd_gauge_get_display_value (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), NAN);

  return self->display_value;
}

void
obd_gauge_set_value (ObdGauge *self,
                     double    value)
{
  double from;

  g_return_if_fail (OBD_IS_GAUGE (self));

  if (same_double (self->value, value))
    return;

  from = self->display_value;
  self->value = value;

  /* Animate only between two real readings, and only a move that shows:
   * a reading that shifts the needle by less than a pixel (a temperature
   * going up a tenth) would redraw the gauge for a quarter of a second to
   * show nothing.  AdwAnimation itself skips to the end when the widget
   * is unmapped or gtk-enable-animations is off. */
  if (!isnan (from) && !isnan (value) && needle_travel (self, from, value) >= 1.0)
    {
      adw_timed_animation_set_value_from (ADW_TIMED_ANIMATION (self->animation), from);
      adw_timed_animation_set_value_to (ADW_TIMED_ANIMATION (self->animation), value);
      adw_animation_play (self->animation);
    }
  else
    {
      adw_animation_reset (self->animation);
      self->display_value = value;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
  reading_changed (self);
}

#define DEFINE_DOUBLE_PROP(name, field, PROP)                          \
double                                                                 \
obd_gauge_get_##name (ObdGauge *self)                                  \
{                                                                      \
  g_return_val_if_fail (OBD_IS_GAUGE (self), NAN);                     \
  return self->field;                                                  \
}                                                                      \
                                                                       \
void                                                                   \
obd_gauge_set_##name (ObdGauge *self,                                  \
                      double    value)                                 \
{                                                                      \
  g_return_if_fail (OBD_IS_GAUGE (self));                              \
  if (same_double (self->field, value))                                \
    return;                                                            \
  self->field = value;                                                 \
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);        \
  reading_changed (self);                                              \
}

DEFINE_DOUBLE_PROP (min_value, min_value, PROP_MIN_VALUE)
DEFINE_DOUBLE_PROP (max_value, max_value, PROP_MAX_VALUE)
DEFINE_DOUBLE_PROP (warning_threshold, warning, PROP_WARNING_THRESHOLD)
DEFINE_DOUBLE_PROP (critical_threshold, critical, PROP_CRITICAL_THRESHOLD)
DEFINE_DOUBLE_PROP (low_warning_threshold, low_warning, PROP_LOW_WARNING_THRESHOLD)
DEFINE_DOUBLE_PROP (low_critical_threshold, low_critical, PROP_LOW_CRITICAL_THRESHOLD)

#undef DEFINE_DOUBLE_PROP

const char *
obd_gauge_get_label (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), NULL);

  return self->label;
}

void
obd_gauge_set_label (ObdGauge   *self,
                     const char *label)
{
  g_return_if_fail (OBD_IS_GAUGE (self));

  if (set_str (&self->label, label))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
      reading_changed (self);
    }
}

const char *
obd_gauge_get_unit (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), NULL);

  return self->unit;
}

void
obd_gauge_set_unit (ObdGauge   *self,
                    const char *unit)
{
  g_return_if_fail (OBD_IS_GAUGE (self));

  if (set_str (&self->unit, unit))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIT]);
      reading_changed (self);
    }
}

guint
obd_gauge_get_digits (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), 0);

  return self->digits;
}

void
obd_gauge_set_digits (ObdGauge *self,
                      guint     digits)
{
  g_return_if_fail (OBD_IS_GAUGE (self));
  g_return_if_fail (digits <= 6);

  if (self->digits == digits)
    return;
  self->digits = digits;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIGITS]);
  reading_changed (self);
}

ObdGaugeAlertState
obd_gauge_get_alert_state (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), OBD_GAUGE_ALERT_STATE_NORMAL);

  return self->alert_state;
}

void
obd_gauge_set_alert_state (ObdGauge           *self,
                           ObdGaugeAlertState  state)
{
  g_return_if_fail (OBD_IS_GAUGE (self));
  g_return_if_fail (state <= OBD_GAUGE_ALERT_STATE_CRITICAL);

  if (self->alert_state == state)
    return;
  self->alert_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALERT_STATE]);
  reading_changed (self);
}

ObdGaugeZone
obd_gauge_get_zone (ObdGauge *self)
{
  g_return_val_if_fail (OBD_IS_GAUGE (self), OBD_GAUGE_ZONE_UNKNOWN);

  return self->zone;
}
