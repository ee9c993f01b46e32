/* obd-guide.c — one guide: accessors, symptoms, units and descriptions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The guide is immutable once parsed (obd-guide-parser.c), so it can be
 * shared between threads and runs without locking.
 */
#define G_LOG_DOMAIN "obd-guide"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-guide-private.h"
#include "obd-pid.h"

G_DEFINE_QUARK (obd-guide-error-quark, obd_guide_error)

G_DEFINE_FINAL_TYPE (ObdGuide, obd_guide, G_TYPE_OBJECT)

static const ObdGuideSymptom symptoms[] = {
  { "no-start", N_("Cranks but does not start") },
  { "overheating", N_("Overheating") },
  { "rough-idle", N_("Rough or unstable idle") },
  { "mil-no-codes", N_("Check-engine light on, no trouble codes") },
  { "poor-fuel-economy", N_("Poor fuel economy") },
};

static const char * const step_kind_keys[] = {
  "instruction", "question", "measurement", "live-check", "code-check",
};

static const char * const finding_kind_keys[] = { "fault", "no-fault", "refer" };

/* Measurement units by their key in the files.  Litres (engine
 * displacement) have no ObdUnit and no US form worth converting to. */
static const struct
{
  const char *key;
  ObdUnit     unit;
} units[] = {
  { "none", OBD_UNIT_NONE },
  { "litre", OBD_UNIT_NONE },
  { "percent", OBD_UNIT_PERCENT },
  { "celsius", OBD_UNIT_CELSIUS },
  { "kpa", OBD_UNIT_KPA },
  { "pa", OBD_UNIT_PA },
  { "rpm", OBD_UNIT_RPM },
  { "kmh", OBD_UNIT_KMH },
  { "degree", OBD_UNIT_DEGREE },
  { "gps", OBD_UNIT_GRAMS_PER_SEC },
  { "volt", OBD_UNIT_VOLT },
  { "millivolt", OBD_UNIT_MILLIVOLT },
  { "milliamp", OBD_UNIT_MILLIAMP },
  { "amp", OBD_UNIT_AMP },
  { "second", OBD_UNIT_SECOND },
  { "millisecond", OBD_UNIT_MILLISECOND },
  { "ohm", OBD_UNIT_OHM },
  { "hertz", OBD_UNIT_HERTZ },
};

G_STATIC_ASSERT (G_N_ELEMENTS (step_kind_keys) == OBD_GUIDE_STEP_CODE_CHECK + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (finding_kind_keys) == OBD_GUIDE_FINDING_REFER + 1);

const ObdGuideSymptom *
obd_guide_list_symptoms (gsize *n_symptoms)
{
  if (n_symptoms != NULL)
    *n_symptoms = G_N_ELEMENTS (symptoms);
  return symptoms;
}

const ObdGuideSymptom *
obd_guide_find_symptom (const char *key)
{
  for (guint i = 0; key != NULL && i < G_N_ELEMENTS (symptoms); i++)
    if (g_str_equal (symptoms[i].key, key))
      return &symptoms[i];
  return NULL;
}

const char *
obd_guide_step_kind_to_string (ObdGuideStepKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (step_kind_keys), NULL);
  return step_kind_keys[kind];
}

const char *
obd_guide_finding_kind_to_string (ObdGuideFindingKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (finding_kind_keys), NULL);
  return finding_kind_keys[kind];
}

const char *
obd_guide_gettext (const char *msgid)
{
  return msgid != NULL && *msgid != '\0' ? g_dgettext (GETTEXT_PACKAGE, msgid) : msgid;
}

gboolean
_obd_guide_unit_lookup (const char *key,
                        ObdUnit    *out_unit)
{
  for (guint i = 0; key != NULL && i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (units[i].key, key))
      {
        *out_unit = units[i].unit;
        return TRUE;
      }
  return FALSE;
}

char *
_obd_guide_normalize_text (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      /* XML whitespace: space, tab, CR, LF. */
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* GObject ------------------------------------------------------------------ */

static void
obd_guide_finalize (GObject *object)
{
  ObdGuide *self = OBD_GUIDE (object);

  g_clear_pointer (&self->steps_by_id, g_hash_table_unref);
  g_clear_pointer (&self->findings_by_id, g_hash_table_unref);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);

  G_OBJECT_CLASS (obd_guide_parent_class)->finalize (object);
}

static void
obd_guide_class_init (ObdGuideClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = obd_guide_finalize;
}

static void
obd_guide_init (ObdGuide *self)
{
  self->strings = g_string_chunk_new (1024);
  self->blocks = g_ptr_array_new_with_free_func (g_free);
  /* The structures live in blocks; the arrays only point at them. */
  self->steps = g_ptr_array_new ();
  self->findings = g_ptr_array_new ();
  self->steps_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->findings_by_id = g_hash_table_new (g_str_hash, g_str_equal);
}

ObdGuide *
_obd_guide_new (const char *filename)
{
  ObdGuide *self = g_object_new (OBD_TYPE_GUIDE, NULL);

  self->filename = _obd_guide_intern (self, filename != NULL ? filename : "guide.xml");
  return self;
}

const char *
_obd_guide_intern (ObdGuide   *self,
                   const char *text)
{
  return text != NULL ? g_string_chunk_insert_const (self->strings, text) : NULL;
}

gpointer
_obd_guide_alloc (ObdGuide *self,
                  gsize     n)
{
  gpointer block = g_malloc0 (MAX (n, 1));

  g_ptr_array_add (self->blocks, block);
  return block;
}

ObdGuide *
obd_guide_new_from_data (const char  *data,
                         gsize        len,
                         const char  *filename,
                         GError     **error)
{
  g_autoptr(ObdGuide) self = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  self = _obd_guide_new (filename);
  if (!_obd_guide_parse (self, data != NULL ? data : "", len, error))
    return NULL;
  return g_steal_pointer (&self);
}

ObdGuide *
obd_guide_new_from_file (GFile         *file,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  gsize len = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!g_file_load_contents (file, cancellable, &contents, &len, NULL, error))
    return NULL;
  name = g_file_get_parse_name (file);
  return obd_guide_new_from_data (contents, len, name, error);
}

/* Accessors ---------------------------------------------------------------- */

const char *
obd_guide_get_id (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return self->id;
}

int
obd_guide_get_version (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), 0);
  return self->version;
}

const char *
obd_guide_get_title (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return self->title;
}

const char *
obd_guide_get_summary (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return self->summary;
}

const char *
obd_guide_get_filename (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return self->filename;
}

const char * const *
obd_guide_get_tools (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return (const char * const *) self->tools;
}

const char * const *
obd_guide_get_safety (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return (const char * const *) self->safety;
}

const ObdGuideCodeRange *
obd_guide_get_codes (ObdGuide *self,
                     guint    *n_codes)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  if (n_codes != NULL)
    *n_codes = self->n_codes;
  return self->codes;
}

const char * const *
obd_guide_get_symptoms (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return (const char * const *) self->symptoms;
}

guint
obd_guide_match_code (ObdGuide   *self,
                      const char *code)
{
  guint16 raw;
  guint best = 0;

  g_return_val_if_fail (OBD_IS_GUIDE (self), 0);

  if (code == NULL || !obd_dtc_parse_code (code, &raw))
    return 0;
  for (guint i = 0; i < self->n_codes; i++)
    if (raw >= self->codes[i].from && raw <= self->codes[i].to)
      {
        /* 0x10000 for an exact code, less the wider the range. */
        guint fit = 0x10000 - (guint) (self->codes[i].to - self->codes[i].from);

        best = MAX (best, fit);
      }
  return best;
}

gboolean
obd_guide_has_symptom (ObdGuide   *self,
                       const char *symptom)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), FALSE);
  return symptom != NULL && self->symptoms != NULL &&
         g_strv_contains ((const char * const *) self->symptoms, symptom);
}

const ObdGuideStep *
obd_guide_get_first_step (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return self->steps->len > 0 ? g_ptr_array_index (self->steps, 0) : NULL;
}

guint
obd_guide_get_n_steps (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), 0);
  return self->steps->len;
}

const ObdGuideStep *
obd_guide_get_step (ObdGuide *self,
                    guint     index)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, index);
}

const ObdGuideStep *
obd_guide_find_step (ObdGuide   *self,
                     const char *id)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return id != NULL ? g_hash_table_lookup (self->steps_by_id, id) : NULL;
}

guint
obd_guide_get_n_findings (ObdGuide *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), 0);
  return self->findings->len;
}

const ObdGuideFinding *
obd_guide_get_finding (ObdGuide *self,
                       guint     index)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  g_return_val_if_fail (index < self->findings->len, NULL);
  return g_ptr_array_index (self->findings, index);
}

const ObdGuideFinding *
obd_guide_find_finding (ObdGuide   *self,
                        const char *id)
{
  g_return_val_if_fail (OBD_IS_GUIDE (self), NULL);
  return id != NULL ? g_hash_table_lookup (self->findings_by_id, id) : NULL;
}

const char *
obd_guide_step_get_target (const ObdGuideStep *step,
                           const char         *outcome)
{
  g_return_val_if_fail (step != NULL, NULL);

  for (guint i = 0; outcome != NULL && i < step->n_branches; i++)
    if (g_str_equal (step->branches[i].outcome, outcome))
      return step->branches[i].target;
  return NULL;
}

double
obd_guide_step_get_held_rpm (const ObdGuideStep *step)
{
  g_return_val_if_fail (step != NULL, 0);

  for (guint i = 0; i < step->n_requires; i++)
    {
      const ObdGuideCondition *r = &step->requires[i];

      if (r->quantity.pid == 0x0C && r->quantity.index == 0 && !isnan (r->min) && r->min > 1000)
        return isnan (r->max) ? r->min + 200 : (r->min + r->max) / 2;
    }
  return 0;
}

/* Units and measurements --------------------------------------------------- */

const char *
obd_guide_step_get_unit_symbol (const ObdGuideStep *step,
                                ObdUnitSystem       system)
{
  g_return_val_if_fail (step != NULL, NULL);

  if (g_strcmp0 (step->unit_key, "litre") == 0)
    /* TRANSLATORS: symbol of litres (engine displacement) */
    return C_("unit", "L");
  return obd_unit_get_symbol (step->unit, system);
}

/* The SI value of v given in system: the US conversions of obd-units are
 * all affine (°F = °C × 9/5 + 32, psi = kPa × 0.145...), so two points
 * invert them. */
static double
to_si (ObdUnit       unit,
       ObdUnitSystem system,
       double        v)
{
  double a = obd_unit_convert (unit, system, 0.0);
  double b = obd_unit_convert (unit, system, 1.0) - a;

  if (b == 0.0 || !isfinite (b))
    return v;
  return (v - a) / b;
}

static gboolean
symbol_matches (const char    *text,
                ObdUnit        unit,
                ObdUnitSystem  system)
{
  return g_utf8_collate (text, obd_unit_get_symbol (unit, system)) == 0 ||
         g_ascii_strcasecmp (text, obd_unit_get_symbol (unit, system)) == 0 ||
         g_ascii_strcasecmp (text, obd_unit_get_name (unit, system)) == 0;
}

static char *
format_number (double        value,
               ObdUnit       unit,
               ObdUnitSystem system)
{
  guint decimals = obd_unit_get_decimals (unit, system);

  return g_strdup_printf ("%.*f", (int) MIN (decimals, 3), obd_unit_convert (unit, system, value));
}

gboolean
obd_guide_step_parse_measurement (const ObdGuideStep  *step,
                                  const char          *text,
                                  ObdUnitSystem        system,
                                  double              *out_value,
                                  GError             **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *number = NULL;
  const char *symbol = obd_guide_step_get_unit_symbol (step, system);
  char *end = NULL;
  double value;

  g_return_val_if_fail (step != NULL, FALSE);
  g_return_val_if_fail (step->kind == OBD_GUIDE_STEP_MEASUREMENT, FALSE);

  copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (step->unit == OBD_UNIT_OHM &&
      (g_ascii_strcasecmp (copy, "OL") == 0 || g_ascii_strcasecmp (copy, "open") == 0 ||
       g_str_equal (copy, "∞")))
    {
      *out_value = INFINITY;
      return TRUE;
    }

  /* A decimal comma is what half the world types. */
  number = g_strdup (copy);
  if (strchr (number, '.') == NULL)
    g_strdelimit (number, ",", '.');
  value = g_ascii_strtod (number, &end);
  if (end == number || !isfinite (value))
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                   step->unit == OBD_UNIT_OHM
                   ? _("“%s” is not a reading. Type a number in %s, or OL for an open circuit.")
                   : _("“%s” is not a reading. Type a number in %s."),
                   copy, *symbol != '\0' ? symbol : _("plain numbers"));
      return FALSE;
    }

  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0' && step->unit != OBD_UNIT_NONE)
    {
      if (symbol_matches (end, step->unit, OBD_UNIT_SYSTEM_SI))
        system = OBD_UNIT_SYSTEM_SI;
      else if (symbol_matches (end, step->unit, OBD_UNIT_SYSTEM_US))
        system = OBD_UNIT_SYSTEM_US;
      else
        {
          g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                       _("“%s” is not a unit of this reading. Type the number in %s."),
                       end, symbol);
          return FALSE;
        }
    }
  else if (*end != '\0' && g_strcmp0 (end, symbol) != 0)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                   _("“%s” is not a reading. Type a number only."), copy);
      return FALSE;
    }

  value = to_si (step->unit, system, value);
  if ((!isnan (step->valid_min) && value < step->valid_min) ||
      (!isnan (step->valid_max) && value > step->valid_max))
    {
      g_autofree char *lo = format_number (step->valid_min, step->unit, system);
      g_autofree char *hi = format_number (step->valid_max, step->unit, system);

      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                   _("%s is not a possible reading here (%s to %s %s). Check the meter "
                     "and its range, then type it again."),
                   copy, lo, hi, obd_guide_step_get_unit_symbol (step, system));
      return FALSE;
    }

  *out_value = value;
  return TRUE;
}

/* Live-data quantities ----------------------------------------------------- */

const char *
obd_guide_quantity_get_label (ObdGuideQuantity quantity)
{
  const ObdValue *info = obd_pid_get_value_info (quantity.pid, quantity.index);

  return info != NULL ? info->label : NULL;
}

ObdUnit
obd_guide_quantity_get_unit (ObdGuideQuantity quantity)
{
  const ObdValue *info = obd_pid_get_value_info (quantity.pid, quantity.index);

  return info != NULL ? info->unit : OBD_UNIT_NONE;
}

const char *
obd_guide_quantity_get_key (ObdGuideQuantity quantity)
{
  const ObdValue *info = obd_pid_get_value_info (quantity.pid, quantity.index);

  return info != NULL ? info->key : NULL;
}

static char *
format_quantity (double        value,
                 ObdUnit       unit,
                 ObdUnitSystem system)
{
  g_autofree char *number = format_number (value, unit, system);
  const char *symbol = obd_unit_get_symbol (unit, system);

  return *symbol != '\0' ? g_strdup_printf ("%s %s", number, symbol) : g_steal_pointer (&number);
}

static char *
format_seconds (double seconds)
{
  if (seconds >= 120 && fmod (seconds, 60) == 0)
    return g_strdup_printf (_("%.0f min"), seconds / 60);
  return g_strdup_printf (_("%.0f s"), seconds);
}

char *
obd_guide_condition_describe (const ObdGuideCondition *c,
                              gboolean                 require,
                              double                   scale,
                              ObdUnitSystem            system)
{
  g_autofree char *label = NULL;
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;
  g_autofree char *time = NULL;
  ObdUnit unit;
  double min, max;

  g_return_val_if_fail (c != NULL, NULL);

  unit = obd_guide_quantity_get_unit (c->quantity);
  if (c->has_add)
    /* TRANSLATORS: the sum of two readings, e.g. short + long term fuel trim */
    label = g_strdup_printf (_("%s + %s"), _(obd_guide_quantity_get_label (c->quantity)),
                             _(obd_guide_quantity_get_label (c->add)));
  else
    label = g_strdup (_(obd_guide_quantity_get_label (c->quantity)));

  if (!isfinite (scale))
    scale = 1.0;
  min = c->min * scale;
  max = c->max * scale;
  if (!isnan (min))
    lo = format_quantity (min, unit, system);
  if (!isnan (max))
    hi = format_quantity (max, unit, system);
  time = format_seconds (c->seconds);

  if (require)
    {
      if (lo != NULL && hi != NULL)
        /* TRANSLATORS: what the mechanic keeps steady: “Hold Engine speed between
         * 2300 rpm and 2700 rpm” */
        return g_strdup_printf (_("Hold %s between %s and %s"), label, lo, hi);
      if (lo != NULL)
        return g_strdup_printf (_("Keep %s above %s"), label, lo);
      return g_strdup_printf (_("Keep %s below %s"), label, hi);
    }

  switch (c->kind)
    {
    case OBD_GUIDE_CONDITION_REACHES:
      if (lo != NULL && hi != NULL)
        return g_strdup_printf (_("%s gets between %s and %s"), label, lo, hi);
      if (lo != NULL)
        return g_strdup_printf (_("%s reaches %s"), label, lo);
      return g_strdup_printf (_("%s falls to %s"), label, hi);
    case OBD_GUIDE_CONDITION_HOLDS:
      if (lo != NULL && hi != NULL)
        return g_strdup_printf (_("%s stays between %s and %s for %s"), label, lo, hi, time);
      if (lo != NULL)
        return g_strdup_printf (_("%s stays above %s for %s"), label, lo, time);
      return g_strdup_printf (_("%s stays below %s for %s"), label, hi, time);
    case OBD_GUIDE_CONDITION_STAYS:
      if (lo != NULL && hi != NULL)
        return g_strdup_printf (_("%s never leaves %s to %s during %s"), label, lo, hi, time);
      if (lo != NULL)
        return g_strdup_printf (_("%s never drops below %s during %s"), label, lo, time);
      return g_strdup_printf (_("%s never rises above %s during %s"), label, hi, time);
    case OBD_GUIDE_CONDITION_FLAT:
      {
        /* A difference of temperatures converts without the offset; the
         * other US conversions have none. */
        g_autofree char *span = unit == OBD_UNIT_CELSIUS && system == OBD_UNIT_SYSTEM_US
                                ? g_strdup_printf ("%.1f %s", c->span * 9.0 / 5.0,
                                                   obd_unit_get_symbol (unit, system))
                                : format_quantity (c->span, unit, system);

        return g_strdup_printf (_("%s varies by no more than %s over %s"), label, span, time);
      }
    case OBD_GUIDE_CONDITION_SWITCHES:
      {
        g_autofree char *threshold = format_quantity (c->threshold, unit, system);

        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s crosses %s at least %u time",
                                             "%s crosses %s at least %u times", c->count),
                                label, threshold, c->count);
      }
    case OBD_GUIDE_CONDITION_AVERAGE:
      if (lo != NULL && hi != NULL)
        return g_strdup_printf (_("%s averages between %s and %s over %s"), label, lo, hi, time);
      if (lo != NULL)
        return g_strdup_printf (_("%s averages above %s over %s"), label, lo, time);
      return g_strdup_printf (_("%s averages below %s over %s"), label, hi, time);
    case OBD_GUIDE_CONDITION_NO_GAP:
      {
        g_autofree char *gap = format_seconds (c->gap);

        return g_strdup_printf (_("%s keeps arriving, never more than %s apart, for %s"),
                                label, gap, time);
      }
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
obd_guide_format_codes (const ObdGuideCodeRange *codes,
                        guint                    n_codes)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (codes != NULL || n_codes == 0, g_string_free (out, FALSE));

  for (guint i = 0; i < n_codes; i++)
    {
      char from[6], to[6];

      obd_dtc_format (codes[i].from, from);
      obd_dtc_format (codes[i].to, to);
      if (out->len > 0)
        g_string_append (out, ", ");
      if (codes[i].from == codes[i].to)
        g_string_append (out, from);
      else
        g_string_append_printf (out, "%s–%s", from, to);
    }
  return g_string_free (out, FALSE);
}

char *
obd_guide_format_hours (double hours,
                        double max_hours)
{
  if (isfinite (max_hours) && max_hours > hours)
    /* TRANSLATORS: labour time, a range of hours */
    return g_strdup_printf (_("%.1f–%.1f h"), hours, max_hours);
  /* TRANSLATORS: labour time in hours */
  return g_strdup_printf (_("%.1f h"), hours);
}
