/* obd-chart-series.c — one series of a trend chart: its samples and looks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-widgets"
#include "config.h"

#include <math.h>

#include "obd-chart-series.h"

struct _ObdChartSeries
{
  GObject          parent_instance;

  guint            id;
  char            *label;
  char            *unit;
  GdkRGBA          color;
  gboolean         visible;
  gboolean         fixed_range;
  double           fixed_min;
  double           fixed_max;
  ObdSeriesData   *data;
  ObdChartColumns *columns;
};

G_DEFINE_FINAL_TYPE (ObdChartSeries, obd_chart_series, G_TYPE_OBJECT)

/* GNOME palette tones that stay legible on light and dark backgrounds;
 * red comes late so that it is not mistaken for an alarm. */
static const char * const palette[] = {
  "#3584e4", "#e66100", "#26a269", "#9141ac", "#c88800", "#986a44", "#2190a4", "#c061cb",
  "#e01b24", "#5e5c64",
};

/* Distinct colours for the PIDs most often charted together. */
static const struct
{
  guint8 pid;
  guint8 slot;
} pid_slots[] = {
  { 0x0C, 0 },   /* engine speed: blue */
  { 0x05, 1 },   /* coolant: orange */
  { 0x0D, 2 },   /* vehicle speed: green */
  { 0x04, 3 },   /* engine load: purple */
  { 0x11, 4 },   /* throttle: amber */
  { 0x10, 5 },   /* air flow: brown */
  { 0x0F, 6 },   /* intake air: teal */
  { 0x0B, 7 },   /* manifold pressure: pink */
  { 0x42, 8 },   /* module voltage */
  { 0x5C, 9 },   /* oil temperature */
  { 0x06, 2 },   /* short-term trim bank 1 */
  { 0x07, 3 },   /* long-term trim bank 1 */
  { 0x08, 6 },   /* short-term trim bank 2 */
  { 0x09, 7 },   /* long-term trim bank 2 */
};

void
_obd_chart_series_color_for_id (guint    id,
                                GdkRGBA *out)
{
  guint slot = id % G_N_ELEMENTS (palette);

  for (guint i = 0; i < G_N_ELEMENTS (pid_slots); i++)
    if (pid_slots[i].pid == id)
      slot = pid_slots[i].slot;
  gdk_rgba_parse (out, palette[slot]);
}

static void
obd_chart_series_finalize (GObject *object)
{
  ObdChartSeries *self = OBD_CHART_SERIES (object);

  g_free (self->label);
  g_free (self->unit);
  _obd_series_data_free (self->data);
  _obd_chart_columns_free (self->columns);

  G_OBJECT_CLASS (obd_chart_series_parent_class)->finalize (object);
}

static void
obd_chart_series_class_init (ObdChartSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = obd_chart_series_finalize;
}

static void
obd_chart_series_init (ObdChartSeries *self)
{
  self->visible = TRUE;
  self->data = _obd_series_data_new ();
  self->columns = _obd_chart_columns_new ();
}

ObdChartSeries *
_obd_chart_series_new (guint          id,
                       const char    *label,
                       const char    *unit,
                       const GdkRGBA *color)
{
  ObdChartSeries *self = g_object_new (OBD_TYPE_CHART_SERIES, NULL);

  self->id = id;
  self->label = g_strdup (label);
  self->unit = g_strdup (unit != NULL ? unit : "");
  if (color != NULL)
    self->color = *color;
  else
    _obd_chart_series_color_for_id (id, &self->color);
  return self;
}

guint
_obd_chart_series_get_id (ObdChartSeries *self)
{
  return self->id;
}

const char *
_obd_chart_series_get_label (ObdChartSeries *self)
{
  return self->label;
}

const char *
_obd_chart_series_get_unit (ObdChartSeries *self)
{
  return self->unit;
}

const GdkRGBA *
_obd_chart_series_get_color (ObdChartSeries *self)
{
  return &self->color;
}

gboolean
_obd_chart_series_get_visible (ObdChartSeries *self)
{
  return self->visible;
}

gboolean
_obd_chart_series_set_visible (ObdChartSeries *self,
                               gboolean        visible)
{
  visible = !!visible;
  if (self->visible == visible)
    return FALSE;
  self->visible = visible;
  return TRUE;
}

ObdSeriesData *
_obd_chart_series_get_data (ObdChartSeries *self)
{
  return self->data;
}

ObdChartColumns *
_obd_chart_series_get_columns (ObdChartSeries *self)
{
  return self->columns;
}

void
_obd_chart_series_set_fixed_range (ObdChartSeries *self,
                                   double          min_value,
                                   double          max_value)
{
  self->fixed_range = TRUE;
  self->fixed_min = min_value;
  self->fixed_max = max_value;
}

void
_obd_chart_series_set_auto_range (ObdChartSeries *self)
{
  self->fixed_range = FALSE;
}

gboolean
_obd_chart_series_get_fixed_range (ObdChartSeries *self,
                                   double         *min_value,
                                   double         *max_value)
{
  if (!self->fixed_range)
    return FALSE;
  *min_value = self->fixed_min;
  *max_value = self->fixed_max;
  return TRUE;
}

gboolean
_obd_chart_series_data_range (ObdChartSeries *self,
                              gint64          t0,
                              gint64          t1,
                              double         *out_min,
                              double         *out_max)
{
  gsize n = _obd_series_data_get_length (self->data);
  gsize begin = _obd_series_data_lower_bound (self->data, t0);
  gsize end = t1 == G_MAXINT64 ? n : _obd_series_data_lower_bound (self->data, t1 + 1);

  return _obd_series_data_range (self->data, begin, end, out_min, out_max)
         || _obd_series_data_range (self->data, 0, n, out_min, out_max);
}

gboolean
_obd_chart_series_nearest (ObdChartSeries *self,
                           gint64          time_us,
                           gint64         *out_time,
                           double         *out_value)
{
  gsize n = _obd_series_data_get_length (self->data);
  const gint64 *times = _obd_series_data_get_times (self->data);
  gsize i;

  if (n == 0)
    return FALSE;
  i = _obd_series_data_lower_bound (self->data, time_us);
  if (i == n || (i > 0 && time_us - times[i - 1] <= times[i] - time_us))
    i--;
  if (out_time != NULL)
    *out_time = times[i];
  if (out_value != NULL)
    *out_value = _obd_series_data_get_values (self->data)[i];
  return TRUE;
}

gboolean
_obd_chart_series_latest (ObdChartSeries *self,
                          gint64         *out_time,
                          double         *out_value)
{
  gsize n = _obd_series_data_get_length (self->data);

  if (n == 0)
    return FALSE;
  if (out_time != NULL)
    *out_time = _obd_series_data_get_times (self->data)[n - 1];
  if (out_value != NULL)
    *out_value = _obd_series_data_get_values (self->data)[n - 1];
  return TRUE;
}
