/* obd-guide-check.c — a live check deciding from samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each condition watches one quantity (or the sum of two: short + long
 * term fuel trim is the total correction a mechanic judges).  A reading
 * counts only while every "require" holds — readings taken while the
 * mechanic was not holding 2500 rpm say nothing about the mixture at
 * 2500 rpm — and a break resets the conditions that need readings in a
 * row.  A condition latches once satisfied or violated.  Any violation
 * fails the check; all satisfied passes it; the time limit times it out,
 * unless what was required was never held (NOT_HELD: do it again) or a
 * quantity never arrived (NO_DATA: the car does not report it).
 */
#define G_LOG_DOMAIN "obd-guide"
#include "config.h"

#include <math.h>

#include "obd-guide-check-private.h"
#include "obd-pid.h"

typedef enum { OPEN = 0, SATISFIED, VIOLATED } Result;

typedef struct
{
  ObdGuideCondition  c;        /* min/max already scaled */
  Result             result;
  gint64             result_us;
  gint64             since_us; /* hold or window start, -1 when none */
  double             vmin;     /* over the current window / overall eligible */
  double             vmax;
  double             sum;
  guint              n_window;
  int                side;     /* switches: -1 below, 1 above, 0 unknown */
  guint              flips;
  gint64             last_us;  /* no-gap: the previous reading */
  double             longest_gap_s;
  /* Evidence over every eligible reading. */
  guint              n;
  double             all_min;
  double             all_max;
  double             all_sum;
  double             last;
} CondState;

typedef struct
{
  ObdGuideQuantity q;
  gboolean         has;
  double           value;
  gint64           time_us;
} Latest;

struct _ObdGuideCheck
{
  const ObdGuideStep *step;
  gint64              start_us;
  gint64              now_us;
  gint64              decided_us;
  ObdGuideLiveStatus  status;
  CondState          *conds;
  ObdGuideCondition  *requires;
  GArray             *latest;   /* Latest */
  gboolean            held;     /* the requires held at least once */
};

static Latest *
find_latest (ObdGuideCheck    *self,
             ObdGuideQuantity  q)
{
  for (guint i = 0; i < self->latest->len; i++)
    {
      Latest *l = &g_array_index (self->latest, Latest, i);

      if (l->q.pid == q.pid && l->q.index == q.index)
        return l;
    }
  return NULL;
}

static void
watch (ObdGuideCheck    *self,
       ObdGuideQuantity  q)
{
  if (find_latest (self, q) == NULL)
    {
      Latest l = { .q = q };

      g_array_append_val (self->latest, l);
    }
}

static void
restart_window (CondState *s)
{
  s->since_us = -1;
  s->n_window = 0;
  s->sum = 0;
  s->vmin = G_MAXDOUBLE;
  s->vmax = -G_MAXDOUBLE;
}

ObdGuideCheck *
_obd_guide_check_new (const ObdGuideStep *step,
                      const double       *scales,
                      const double       *require_scales,
                      gint64              start_us)
{
  ObdGuideCheck *self = g_new0 (ObdGuideCheck, 1);

  g_return_val_if_fail (step->kind == OBD_GUIDE_STEP_LIVE_CHECK, NULL);

  self->step = step;
  self->start_us = start_us;
  self->now_us = start_us;
  self->status = OBD_GUIDE_LIVE_RUNNING;
  self->latest = g_array_new (FALSE, FALSE, sizeof (Latest));
  self->conds = g_new0 (CondState, step->n_conditions);
  self->requires = g_new0 (ObdGuideCondition, MAX (step->n_requires, 1));
  self->held = step->n_requires == 0;

  for (guint i = 0; i < step->n_conditions; i++)
    {
      CondState *s = &self->conds[i];
      double scale = scales != NULL ? scales[i] : 1.0;

      s->c = step->conditions[i];
      s->c.min *= scale;
      s->c.max *= scale;
      restart_window (s);
      s->last_us = -1;
      s->all_min = G_MAXDOUBLE;
      s->all_max = -G_MAXDOUBLE;
      watch (self, s->c.quantity);
      if (s->c.has_add)
        watch (self, s->c.add);
    }
  for (guint i = 0; i < step->n_requires; i++)
    {
      double scale = require_scales != NULL ? require_scales[i] : 1.0;

      self->requires[i] = step->requires[i];
      self->requires[i].min *= scale;
      self->requires[i].max *= scale;
      watch (self, self->requires[i].quantity);
    }
  for (guint i = 0; i < step->n_gauges; i++)
    watch (self, step->gauges[i]);
  return self;
}

void
_obd_guide_check_free (ObdGuideCheck *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->latest);
  g_free (self->conds);
  g_free (self->requires);
  g_free (self);
}

static gboolean
in_range (double value,
          double min,
          double max)
{
  return (isnan (min) || value >= min) && (isnan (max) || value <= max);
}

static gboolean
requires_hold (ObdGuideCheck *self)
{
  for (guint i = 0; i < self->step->n_requires; i++)
    {
      const ObdGuideCondition *r = &self->requires[i];
      Latest *l = find_latest (self, r->quantity);

      if (l == NULL || !l->has || !in_range (l->value, r->min, r->max))
        return FALSE;
    }
  return TRUE;
}

static void
latch (CondState *s,
       Result     result,
       gint64     time_us)
{
  s->result = result;
  s->result_us = time_us;
}

static double
elapsed_s (gint64 from_us,
           gint64 to_us)
{
  return (double) (to_us - from_us) / G_USEC_PER_SEC;
}

/* One reading v at t of condition s, taken while eligible (or not). */
static void
condition_reading (CondState *s,
                   double     v,
                   gint64     t,
                   gboolean   eligible)
{
  const ObdGuideCondition *c = &s->c;

  if (s->result != OPEN)
    return;

  if (!eligible)
    {
      /* Readings in a row only count while the requires hold. */
      if (c->kind != OBD_GUIDE_CONDITION_SWITCHES && c->kind != OBD_GUIDE_CONDITION_REACHES)
        restart_window (s);
      s->last_us = -1;
      return;
    }

  s->n++;
  s->all_min = MIN (s->all_min, v);
  s->all_max = MAX (s->all_max, v);
  s->all_sum += v;
  s->last = v;

  switch (c->kind)
    {
    case OBD_GUIDE_CONDITION_REACHES:
      if (in_range (v, c->min, c->max))
        latch (s, SATISFIED, t);
      break;

    case OBD_GUIDE_CONDITION_HOLDS:
    case OBD_GUIDE_CONDITION_STAYS:
      /* Out of range: a hold starts again, a stay has failed. */
      if (!in_range (v, c->min, c->max))
        {
          if (c->kind == OBD_GUIDE_CONDITION_STAYS)
            latch (s, VIOLATED, t);
          else
            restart_window (s);
          break;
        }
      if (s->since_us < 0)
        s->since_us = t;
      if (elapsed_s (s->since_us, t) >= c->seconds)
        latch (s, SATISFIED, t);
      break;

    case OBD_GUIDE_CONDITION_FLAT:
      if (s->since_us < 0)
        s->since_us = t;
      s->vmin = MIN (s->vmin, v);
      s->vmax = MAX (s->vmax, v);
      if (s->vmax - s->vmin > c->span)
        latch (s, VIOLATED, t);
      else if (elapsed_s (s->since_us, t) >= c->seconds)
        latch (s, SATISFIED, t);
      break;

    case OBD_GUIDE_CONDITION_AVERAGE:
      if (s->since_us < 0)
        s->since_us = t;
      s->sum += v;
      s->n_window++;
      if (elapsed_s (s->since_us, t) >= c->seconds)
        latch (s, in_range (s->sum / s->n_window, c->min, c->max) ? SATISFIED : VIOLATED, t);
      break;

    case OBD_GUIDE_CONDITION_SWITCHES:
      {
        /* Hysteresis: a crossing counts once the reading is band/2 past
         * the threshold, so noise around it is not switching. */
        int side = v > c->threshold + c->band / 2 ? 1 : v < c->threshold - c->band / 2 ? -1 : 0;

        if (side != 0 && s->side != 0 && side != s->side)
          s->flips++;
        if (side != 0)
          s->side = side;
        if (s->flips >= c->count)
          latch (s, SATISFIED, t);
        break;
      }

    case OBD_GUIDE_CONDITION_NO_GAP:
      if (s->since_us < 0)
        s->since_us = t;
      if (s->last_us >= 0)
        {
          double gap = elapsed_s (s->last_us, t);

          s->longest_gap_s = MAX (s->longest_gap_s, gap);
          if (gap > c->gap)
            {
              latch (s, VIOLATED, t);
              break;
            }
        }
      s->last_us = t;
      if (elapsed_s (s->since_us, t) >= c->seconds)
        latch (s, SATISFIED, t);
      break;

    default:
      g_assert_not_reached ();
    }
}

static ObdGuideLiveStatus
decide (ObdGuideCheck *self,
        gint64         now_us)
{
  gboolean all = TRUE;

  if (self->status != OBD_GUIDE_LIVE_RUNNING)
    return self->status;

  for (guint i = 0; i < self->step->n_conditions; i++)
    {
      if (self->conds[i].result == VIOLATED)
        {
          self->status = OBD_GUIDE_LIVE_FAILED;
          self->decided_us = self->conds[i].result_us;
          return self->status;
        }
      all = all && self->conds[i].result == SATISFIED;
    }
  if (all)
    {
      self->status = OBD_GUIDE_LIVE_PASSED;
      self->decided_us = now_us;
      return self->status;
    }

  if (elapsed_s (self->start_us, now_us) >= self->step->time_limit)
    {
      gboolean data = TRUE;

      for (guint i = 0; i < self->step->n_conditions; i++)
        {
          Latest *l = find_latest (self, self->conds[i].c.quantity);

          data = data && l != NULL && l->has;
        }
      self->status = !data ? OBD_GUIDE_LIVE_NO_DATA :
                     !self->held ? OBD_GUIDE_LIVE_NOT_HELD : OBD_GUIDE_LIVE_TIMED_OUT;
      self->decided_us = now_us;
    }
  return self->status;
}

ObdGuideLiveStatus
_obd_guide_check_feed (ObdGuideCheck   *self,
                       const ObdSample *samples,
                       gsize            n_samples)
{
  for (gsize i = 0; i < n_samples && self->status == OBD_GUIDE_LIVE_RUNNING; i++)
    {
      const ObdSample *sample = &samples[i];
      ObdGuideQuantity q = { sample->pid, sample->index };
      Latest *latest;
      gboolean eligible;
      gint64 limit_us = self->start_us + (gint64) (self->step->time_limit * G_USEC_PER_SEC);

      /* Live data only; nothing from before the check, nor garbage. */
      if (sample->service != 0x01 || sample->time_us < self->start_us ||
          !isfinite (sample->value))
        continue;
      /* Past the time limit the verdict is what the limit found; the
       * sample itself came too late to count. */
      if (sample->time_us > limit_us)
        {
          decide (self, sample->time_us);
          break;
        }
      if ((latest = find_latest (self, q)) == NULL)
        continue;

      self->now_us = MAX (self->now_us, sample->time_us);
      latest->has = TRUE;
      latest->value = sample->value;
      latest->time_us = sample->time_us;

      eligible = sample->time_us >= self->start_us + (gint64) (self->step->settle * G_USEC_PER_SEC) &&
                 requires_hold (self);
      if (eligible && self->step->n_requires > 0)
        self->held = TRUE;

      for (guint c = 0; c < self->step->n_conditions; c++)
        {
          CondState *s = &self->conds[c];
          gboolean mine = s->c.quantity.pid == q.pid && s->c.quantity.index == q.index;
          double v = sample->value;

          if (!mine)
            {
              /* A require that stops holding breaks a run of readings now,
               * not at the condition's next reading. */
              if (!eligible && self->step->n_requires > 0)
                condition_reading (s, NAN, sample->time_us, FALSE);
              continue;
            }
          if (s->c.has_add)
            {
              Latest *add = find_latest (self, s->c.add);

              if (add == NULL || !add->has)
                continue;
              v += add->value;
            }
          condition_reading (s, v, sample->time_us, eligible);
        }
      decide (self, sample->time_us);
    }
  return self->status;
}

ObdGuideLiveStatus
_obd_guide_check_advance (ObdGuideCheck *self,
                          gint64         now_us)
{
  if (self->status == OBD_GUIDE_LIVE_RUNNING && now_us > self->now_us)
    {
      self->now_us = now_us;
      decide (self, now_us);
    }
  return self->status;
}

ObdGuideLiveStatus
_obd_guide_check_get_status (ObdGuideCheck *self)
{
  return self->status;
}

double
_obd_guide_check_get_progress (ObdGuideCheck *self)
{
  if (self->status != OBD_GUIDE_LIVE_RUNNING)
    return 1.0;
  return CLAMP (elapsed_s (self->start_us, self->now_us) / self->step->time_limit, 0.0, 1.0);
}

gint64
_obd_guide_check_get_decided_us (ObdGuideCheck *self)
{
  return self->decided_us;
}

gboolean
_obd_guide_check_get_latest (ObdGuideCheck    *self,
                             ObdGuideQuantity  quantity,
                             double           *out_value)
{
  Latest *l = find_latest (self, quantity);

  if (l == NULL || !l->has)
    return FALSE;
  *out_value = l->value;
  return TRUE;
}

static double
key_value (const CondState *s)
{
  if (s->n == 0)
    return NAN;
  switch (s->c.kind)
    {
    case OBD_GUIDE_CONDITION_REACHES:
      /* How far it got towards the target. */
      return !isnan (s->c.min) ? s->all_max : s->all_min;
    case OBD_GUIDE_CONDITION_STAYS:
      /* The reading that broke it, or the worst one. */
      if (s->result == VIOLATED)
        return s->last;
      return !isnan (s->c.max) ? s->all_max : s->all_min;
    case OBD_GUIDE_CONDITION_FLAT:
      return s->all_max - s->all_min;
    case OBD_GUIDE_CONDITION_SWITCHES:
      return s->flips;
    case OBD_GUIDE_CONDITION_NO_GAP:
      return s->longest_gap_s;
    case OBD_GUIDE_CONDITION_AVERAGE:
      return s->n_window > 0 ? s->sum / s->n_window : s->all_sum / s->n;
    case OBD_GUIDE_CONDITION_HOLDS:
    default:
      return s->all_sum / s->n;
    }
}

static ObdUnit
key_unit (const CondState *s)
{
  switch (s->c.kind)
    {
    case OBD_GUIDE_CONDITION_SWITCHES:
      return OBD_UNIT_COUNT;
    case OBD_GUIDE_CONDITION_NO_GAP:
      return OBD_UNIT_SECOND;
    default:
      return obd_guide_quantity_get_unit (s->c.quantity);
    }
}

double
_obd_guide_check_get_key_value (ObdGuideCheck *self,
                                ObdUnit       *out_unit)
{
  const CondState *pick = &self->conds[0];

  /* The condition that decided, if one did. */
  for (guint i = 0; i < self->step->n_conditions; i++)
    if (self->conds[i].result == VIOLATED)
      {
        pick = &self->conds[i];
        break;
      }
  if (self->status == OBD_GUIDE_LIVE_TIMED_OUT)
    for (guint i = 0; i < self->step->n_conditions; i++)
      if (self->conds[i].result == OPEN)
        {
          pick = &self->conds[i];
          break;
        }
  if (out_unit != NULL)
    *out_unit = key_unit (pick);
  return key_value (pick);
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
_obd_guide_check_to_json (ObdGuideCheck *self)
{
  static const char * const kinds[] = {
    "reaches", "holds", "stays", "flat", "switches", "average", "no-gap",
  };
  static const char * const results[] = { "open", "satisfied", "violated" };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_number (b, "elapsed_s", elapsed_s (self->start_us,
                                         self->decided_us != 0 ? self->decided_us : self->now_us));
  json_builder_set_member_name (b, "held");
  json_builder_add_boolean_value (b, self->held);
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->step->n_conditions; i++)
    {
      const CondState *s = &self->conds[i];
      g_autofree char *pid = g_strdup_printf ("%02X", s->c.quantity.pid);
      ObdUnit unit = key_unit (s);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kinds[s->c.kind]);
      json_builder_set_member_name (b, "pid");
      json_builder_add_string_value (b, pid);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, obd_guide_quantity_get_key (s->c.quantity));
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, obd_unit_get_name (obd_guide_quantity_get_unit (s->c.quantity),
                                                           OBD_UNIT_SYSTEM_SI));
      add_number (b, "min_allowed", s->c.min);
      add_number (b, "max_allowed", s->c.max);
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, s->n);
      add_number (b, "min", s->n > 0 ? s->all_min : NAN);
      add_number (b, "max", s->n > 0 ? s->all_max : NAN);
      add_number (b, "mean", s->n > 0 ? s->all_sum / s->n : NAN);
      add_number (b, "last", s->n > 0 ? s->last : NAN);
      add_number (b, "key", key_value (s));
      json_builder_set_member_name (b, "key_unit");
      json_builder_add_string_value (b, obd_unit_get_name (unit, OBD_UNIT_SYSTEM_SI));
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, results[s->result]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
