/* obd-guide-run.c — one walk through a guide
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every way forward goes through advance(): make the record, move along
 * the outcome's branch, tell the owner.  Restoring a saved record takes
 * the same path, so a resumed run is exactly the run that was saved.
 */
#define G_LOG_DOMAIN "obd-guide"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-guide-check-private.h"
#include "obd-guide-enums.h"
#include "obd-guide-run.h"
#include "obd-pid.h"

struct _ObdGuideRun
{
  GObject                parent_instance;

  ObdGuide              *guide;
  char                  *reason;
  const ObdGuideStep    *step;
  const ObdGuideFinding *finding;
  ObdGuideRunState       state;
  GPtrArray             *records;     /* ObdGuideRecord */

  ObdGuideCheck         *check;
  ObdGuideLiveStatus     live_status;
  double                 live_progress;
  GArray                *gauges;      /* ObdGuideGauge */
};

G_DEFINE_FINAL_TYPE (ObdGuideRun, obd_guide_run, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (ObdGuideRecord, obd_guide_record, obd_guide_record_copy, obd_guide_record_free)

enum
{
  PROP_0,
  PROP_GUIDE,
  PROP_REASON,
  PROP_STATE,
  PROP_STEP_ID,
  PROP_FINDING_ID,
  PROP_LIVE_STATUS,
  PROP_LIVE_PROGRESS,
  PROP_N_RECORDS,
  N_PROPS
};

enum
{
  SIGNAL_RECORDED,
  SIGNAL_REWOUND,
  SIGNAL_FINISHED,
  SIGNAL_LIVE_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

ObdGuideRecord *
obd_guide_record_copy (const ObdGuideRecord *record)
{
  ObdGuideRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, sizeof *record);
  copy->step_id = g_strdup (record->step_id);
  copy->outcome = g_strdup (record->outcome);
  copy->detail = g_strdup (record->detail);
  return copy;
}

void
obd_guide_record_free (ObdGuideRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->step_id);
  g_free (record->outcome);
  g_free (record->detail);
  g_free (record);
}

/* GObject ------------------------------------------------------------------ */

static void
obd_guide_run_dispose (GObject *object)
{
  ObdGuideRun *self = OBD_GUIDE_RUN (object);

  g_clear_pointer (&self->check, _obd_guide_check_free);
  g_clear_object (&self->guide);

  G_OBJECT_CLASS (obd_guide_run_parent_class)->dispose (object);
}

static void
obd_guide_run_finalize (GObject *object)
{
  ObdGuideRun *self = OBD_GUIDE_RUN (object);

  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->gauges, g_array_unref);
  g_free (self->reason);

  G_OBJECT_CLASS (obd_guide_run_parent_class)->finalize (object);
}

static void
obd_guide_run_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdGuideRun *self = OBD_GUIDE_RUN (object);

  switch (prop_id)
    {
    case PROP_GUIDE:
      g_value_set_object (value, self->guide);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STEP_ID:
      g_value_set_string (value, self->step != NULL ? self->step->id : NULL);
      break;
    case PROP_FINDING_ID:
      g_value_set_string (value, self->finding != NULL ? self->finding->id : NULL);
      break;
    case PROP_LIVE_STATUS:
      g_value_set_enum (value, self->live_status);
      break;
    case PROP_LIVE_PROGRESS:
      g_value_set_double (value, self->live_progress);
      break;
    case PROP_N_RECORDS:
      g_value_set_uint (value, self->records->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_guide_run_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ObdGuideRun *self = OBD_GUIDE_RUN (object);

  switch (prop_id)
    {
    case PROP_GUIDE:
      self->guide = g_value_dup_object (value);
      break;
    case PROP_REASON:
      self->reason = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_guide_run_constructed (GObject *object)
{
  ObdGuideRun *self = OBD_GUIDE_RUN (object);

  G_OBJECT_CLASS (obd_guide_run_parent_class)->constructed (object);

  g_assert (OBD_IS_GUIDE (self->guide));
  self->step = obd_guide_get_first_step (self->guide);
}

static void
obd_guide_run_class_init (ObdGuideRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_guide_run_dispose;
  object_class->finalize = obd_guide_run_finalize;
  object_class->get_property = obd_guide_run_get_property;
  object_class->set_property = obd_guide_run_set_property;
  object_class->constructed = obd_guide_run_constructed;

  properties[PROP_GUIDE] =
    g_param_spec_object ("guide", NULL, NULL, OBD_TYPE_GUIDE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OBD_TYPE_GUIDE_RUN_STATE, OBD_GUIDE_RUN_STEP,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP_ID] =
    g_param_spec_string ("step-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINDING_ID] =
    g_param_spec_string ("finding-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE_STATUS] =
    g_param_spec_enum ("live-status", NULL, NULL, OBD_TYPE_GUIDE_LIVE_STATUS, OBD_GUIDE_LIVE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE_PROGRESS] =
    g_param_spec_double ("live-progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_RECORDS] =
    g_param_spec_uint ("n-records", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A step was completed; the record is the run's, copy what you keep. */
  signals[SIGNAL_RECORDED] =
    g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, OBD_TYPE_GUIDE_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* The mechanic went back: records after keep_seq are gone. */
  signals[SIGNAL_REWOUND] =
    g_signal_new ("rewound", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* New readings on the gauges, progress of the live check. */
  signals[SIGNAL_LIVE_UPDATED] =
    g_signal_new ("live-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
obd_guide_run_init (ObdGuideRun *self)
{
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_guide_record_free);
  self->gauges = g_array_new (FALSE, FALSE, sizeof (ObdGuideGauge));
}

ObdGuideRun *
obd_guide_run_new (ObdGuide   *guide,
                   const char *reason)
{
  g_return_val_if_fail (OBD_IS_GUIDE (guide), NULL);

  return g_object_new (OBD_TYPE_GUIDE_RUN, "guide", guide, "reason", reason, NULL);
}

/* Accessors ---------------------------------------------------------------- */

ObdGuide *
obd_guide_run_get_guide (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NULL);
  return self->guide;
}

const char *
obd_guide_run_get_reason (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NULL);
  return self->reason;
}

ObdGuideRunState
obd_guide_run_get_state (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), OBD_GUIDE_RUN_STEP);
  return self->state;
}

const ObdGuideStep *
obd_guide_run_get_step (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NULL);
  return self->step;
}

const ObdGuideFinding *
obd_guide_run_get_finding (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NULL);
  return self->finding;
}

GPtrArray *
obd_guide_run_get_records (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NULL);
  return self->records;
}

ObdGuideLiveStatus
obd_guide_run_get_live_status (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), OBD_GUIDE_LIVE_IDLE);
  return self->live_status;
}

const char *
obd_guide_live_status_describe (ObdGuideLiveStatus status)
{
  switch (status)
    {
    case OBD_GUIDE_LIVE_PASSED:
      return _("passed");
    case OBD_GUIDE_LIVE_FAILED:
      return _("failed");
    case OBD_GUIDE_LIVE_TIMED_OUT:
      return _("not met in time");
    case OBD_GUIDE_LIVE_NO_DATA:
      return _("the vehicle does not report what this check reads");
    case OBD_GUIDE_LIVE_NOT_HELD:
      return _("what the check needs held (such as the engine speed) was never held");
    default:
      return _("stopped");
    }
}

double
obd_guide_run_get_live_progress (ObdGuideRun *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), 0.0);
  return self->live_progress;
}

const ObdGuideGauge *
obd_guide_run_get_gauges (ObdGuideRun *self,
                          guint       *n_gauges)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NULL);

  if (n_gauges != NULL)
    *n_gauges = self->gauges->len;
  return (const ObdGuideGauge *) self->gauges->data;
}

double
obd_guide_run_get_scale (ObdGuideRun *self,
                         const char  *scale_by)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), NAN);

  if (scale_by == NULL)
    return 1.0;
  /* The latest reading of that measurement on the way here. */
  for (guint i = self->records->len; i > 0; i--)
    {
      const ObdGuideRecord *record = g_ptr_array_index (self->records, i - 1);

      if (record->kind == OBD_GUIDE_STEP_MEASUREMENT && g_str_equal (record->step_id, scale_by))
        return record->value;
    }
  return NAN;
}

/* Moving ------------------------------------------------------------------- */

static void
set_live_status (ObdGuideRun        *self,
                 ObdGuideLiveStatus  status,
                 double              progress)
{
  if (self->live_status != status)
    {
      self->live_status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE_STATUS]);
    }
  if (self->live_progress != progress)
    {
      self->live_progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE_PROGRESS]);
    }
}

static void
set_state (ObdGuideRun      *self,
           ObdGuideRunState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
end_live_check (ObdGuideRun *self)
{
  g_clear_pointer (&self->check, _obd_guide_check_free);
  g_array_set_size (self->gauges, 0);
}

static gboolean
check_kind (ObdGuideRun       *self,
            ObdGuideStepKind   kind,
            GError           **error)
{
  if (self->state == OBD_GUIDE_RUN_FINISHED)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                   _("This guide has reached its finding. Go back a step to change an answer."));
      return FALSE;
    }
  if (self->step->kind != kind)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                   /* TRANSLATORS: %s is a step title; the kinds are question, measurement... */
                   _("“%s” is a %s step; it cannot take that."),
                   obd_guide_gettext (self->step->title),
                   obd_guide_step_kind_to_string (self->step->kind));
      return FALSE;
    }
  if (self->state == OBD_GUIDE_RUN_LIVE && kind != OBD_GUIDE_STEP_LIVE_CHECK)
    {
      g_set_error_literal (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                           _("A live check is running; stop it first."));
      return FALSE;
    }
  return TRUE;
}

/* Records step's outcome and follows its branch. */
static gboolean
advance (ObdGuideRun  *self,
         const char   *outcome,
         double        value,
         ObdUnit       unit,
         char         *detail,     /* taken */
         gboolean      manual,
         gint64        time_us,
         GError      **error)
{
  g_autofree char *owned_detail = detail;
  const char *target = obd_guide_step_get_target (self->step, outcome);
  ObdGuideRecord *record;
  const ObdGuideFinding *finding = NULL;
  const ObdGuideStep *next = NULL;

  if (target == NULL)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                   _("“%s” is not an outcome of the step “%s”."), outcome, self->step->id);
      return FALSE;
    }
  next = obd_guide_find_step (self->guide, target);
  finding = next == NULL ? obd_guide_find_finding (self->guide, target) : NULL;
  g_assert (next != NULL || finding != NULL);   /* the parser checked every target */

  record = g_new0 (ObdGuideRecord, 1);
  record->seq = self->records->len + 1;
  record->step_id = g_strdup (self->step->id);
  record->kind = self->step->kind;
  record->outcome = g_strdup (outcome);
  record->value = value;
  record->unit = unit;
  record->detail = g_steal_pointer (&owned_detail);
  record->manual = manual;
  record->time_us = time_us != 0 ? time_us : g_get_real_time ();
  g_ptr_array_add (self->records, record);

  end_live_check (self);
  self->step = next;
  self->finding = finding;
  set_state (self, finding != NULL ? OBD_GUIDE_RUN_FINISHED : OBD_GUIDE_RUN_STEP);

  g_signal_emit (self, signals[SIGNAL_RECORDED], 0, record);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RECORDS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_ID]);
  if (finding != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINDING_ID]);
  g_object_thaw_notify (G_OBJECT (self));
  if (finding != NULL)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  return TRUE;
}

gboolean
obd_guide_run_confirm (ObdGuideRun  *self,
                       GError      **error)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);

  return check_kind (self, OBD_GUIDE_STEP_INSTRUCTION, error) &&
         advance (self, "done", NAN, OBD_UNIT_NONE, NULL, FALSE, 0, error);
}

gboolean
obd_guide_run_answer (ObdGuideRun  *self,
                      const char   *value,
                      GError      **error)
{
  g_autoptr(GString) choices = NULL;

  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);

  if (!check_kind (self, OBD_GUIDE_STEP_QUESTION, error))
    return FALSE;
  for (guint i = 0; value != NULL && i < self->step->n_answers; i++)
    if (g_str_equal (self->step->answers[i].value, value))
      return advance (self, value, NAN, OBD_UNIT_NONE, NULL, FALSE, 0, error);

  choices = g_string_new (NULL);
  for (guint i = 0; i < self->step->n_answers; i++)
    g_string_append_printf (choices, "%s%s", i > 0 ? ", " : "", self->step->answers[i].value);
  g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
               _("“%s” is not an answer to “%s”. Answer one of: %s."),
               value != NULL ? value : "", obd_guide_gettext (self->step->title), choices->str);
  return FALSE;
}

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonNode) owned = node;

  return json_to_string (owned, FALSE);
}

gboolean
obd_guide_run_measure (ObdGuideRun  *self,
                       double        value,
                       GError      **error)
{
  const ObdGuideStep *step;
  double scale, min, max;
  const char *outcome;
  g_autoptr(JsonBuilder) b = NULL;

  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);

  if (!check_kind (self, OBD_GUIDE_STEP_MEASUREMENT, error))
    return FALSE;
  step = self->step;
  /* An open circuit reads infinite ohms; anything else infinite or NaN
   * is a bug or a broken input, not a reading. */
  if (isnan (value) || (isinf (value) && (value < 0 || step->unit != OBD_UNIT_OHM)))
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                   _("A measurement must be a number."));
      return FALSE;
    }
  if (isfinite (value) && ((!isnan (step->valid_min) && value < step->valid_min) ||
                           (!isnan (step->valid_max) && value > step->valid_max)))
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE,
                   _("%g is not a possible reading for “%s”; check the meter and measure "
                     "again."), value, obd_guide_gettext (step->title));
      return FALSE;
    }

  scale = obd_guide_run_get_scale (self, step->scale_by);
  if (!isfinite (scale))
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                   _("This reading is compared with the one of “%s”, which was not taken on "
                     "the way here."), step->scale_by);
      return FALSE;
    }
  min = step->min * scale;
  max = step->max * scale;
  outcome = !isnan (min) && value < min ? "low" : !isnan (max) && value > max ? "high" : "pass";

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "expected");
  json_builder_begin_array (b);
  if (isnan (min))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, min);
  if (isnan (max))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, max);
  json_builder_end_array (b);
  json_builder_end_object (b);

  return advance (self, outcome, value, step->unit, node_to_string (json_builder_get_root (b)),
                  FALSE, 0, error);
}

static gboolean
code_matches (const ObdGuideStep *step,
              const ObdDtc       *dtc)
{
  if (!(step->kinds & (1u << dtc->kind)))
    return FALSE;
  for (guint i = 0; i < step->n_codes; i++)
    if (dtc->raw >= step->codes[i].from && dtc->raw <= step->codes[i].to)
      return TRUE;
  return FALSE;
}

gboolean
obd_guide_run_feed_codes (ObdGuideRun   *self,
                          const ObdDtc  *codes,
                          gsize          n_codes,
                          GError       **error)
{
  g_autoptr(JsonBuilder) b = NULL;
  gboolean present = FALSE;

  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);
  g_return_val_if_fail (codes != NULL || n_codes == 0, FALSE);

  if (!check_kind (self, OBD_GUIDE_STEP_CODE_CHECK, error))
    return FALSE;

  /* The evidence: every code seen, and which matched. */
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "codes");
  json_builder_begin_array (b);
  for (gsize i = 0; i < n_codes; i++)
    {
      static const char * const kinds[] = { "stored", "pending", "permanent" };
      char code[6];
      gboolean match;

      if ((guint) codes[i].kind >= G_N_ELEMENTS (kinds))
        continue;
      obd_dtc_format (codes[i].raw, code);
      match = code_matches (self->step, &codes[i]);
      present = present || match;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, code);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kinds[codes[i].kind]);
      json_builder_set_member_name (b, "ecu");
      json_builder_add_int_value (b, codes[i].ecu);
      json_builder_set_member_name (b, "match");
      json_builder_add_boolean_value (b, match);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return advance (self, present ? "present" : "absent", NAN, OBD_UNIT_NONE,
                  node_to_string (json_builder_get_root (b)), FALSE, 0, error);
}

/* Live checks -------------------------------------------------------------- */

static void
update_gauges (ObdGuideRun *self)
{
  for (guint i = 0; i < self->gauges->len; i++)
    {
      ObdGuideGauge *gauge = &g_array_index (self->gauges, ObdGuideGauge, i);

      gauge->has_value = _obd_guide_check_get_latest (self->check, gauge->quantity, &gauge->value);
    }
}

/* The check's verdict, if it has one, becomes a record. */
static void
conclude (ObdGuideRun *self)
{
  ObdGuideLiveStatus status = _obd_guide_check_get_status (self->check);
  const char *outcome = NULL;
  ObdUnit unit = OBD_UNIT_NONE;
  double value;
  gint64 when;
  char *detail;

  update_gauges (self);
  set_live_status (self, status, _obd_guide_check_get_progress (self->check));
  g_signal_emit (self, signals[SIGNAL_LIVE_UPDATED], 0);

  switch (status)
    {
    case OBD_GUIDE_LIVE_RUNNING:
      return;
    case OBD_GUIDE_LIVE_PASSED:
      outcome = "pass";
      break;
    case OBD_GUIDE_LIVE_FAILED:
      outcome = "fail";
      break;
    case OBD_GUIDE_LIVE_TIMED_OUT:
      outcome = "timeout";
      break;
    case OBD_GUIDE_LIVE_NO_DATA:
    case OBD_GUIDE_LIVE_NOT_HELD:
    default:
      /* No verdict: the step stays, to be tried again or judged by hand.
       * The gauges stay too, to show what was (not) seen. */
      g_clear_pointer (&self->check, _obd_guide_check_free);
      set_state (self, OBD_GUIDE_RUN_STEP);
      return;
    }

  value = _obd_guide_check_get_key_value (self->check, &unit);
  when = _obd_guide_check_get_decided_us (self->check);
  detail = node_to_string (_obd_guide_check_to_json (self->check));
  advance (self, outcome, value, unit, detail, FALSE, when, NULL);
}

gboolean
obd_guide_run_start_live_check (ObdGuideRun     *self,
                                gint64           start_us,
                                const gboolean  *supported,
                                GError         **error)
{
  const ObdGuideStep *step;
  g_autofree double *scales = NULL;
  g_autofree double *require_scales = NULL;

  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);

  if (!check_kind (self, OBD_GUIDE_STEP_LIVE_CHECK, error))
    return FALSE;
  step = self->step;

  scales = g_new (double, MAX (step->n_conditions, 1));
  require_scales = g_new (double, MAX (step->n_requires, 1));
  for (guint i = 0; i < step->n_conditions + step->n_requires; i++)
    {
      gboolean is_require = i >= step->n_conditions;
      const ObdGuideCondition *c = is_require ? &step->requires[i - step->n_conditions]
                                              : &step->conditions[i];
      double scale = obd_guide_run_get_scale (self, c->scale_by);

      if (!isfinite (scale))
        {
          g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                       _("This check is compared with the reading of “%s”, which was not "
                         "taken on the way here."), c->scale_by);
          return FALSE;
        }
      if (is_require)
        require_scales[i - step->n_conditions] = scale;
      else
        scales[i] = scale;
    }

  g_clear_pointer (&self->check, _obd_guide_check_free);
  self->check = _obd_guide_check_new (step, scales, require_scales, start_us);

  g_array_set_size (self->gauges, 0);
  for (guint i = 0; i < step->n_gauges; i++)
    {
      ObdGuideGauge gauge = { .quantity = step->gauges[i] };
      const ObdValue *info = obd_pid_get_value_info (gauge.quantity.pid, gauge.quantity.index);

      gauge.label = info->label;
      gauge.unit = info->unit;
      if (!obd_pid_get_display_range (gauge.quantity.pid, gauge.quantity.index,
                                      &gauge.min, &gauge.max))
        {
          gauge.min = info->min;
          gauge.max = info->max;
        }
      g_array_append_val (self->gauges, gauge);
    }

  set_state (self, OBD_GUIDE_RUN_LIVE);
  set_live_status (self, OBD_GUIDE_LIVE_RUNNING, 0.0);

  if (supported != NULL)
    for (guint i = 0; i < step->n_conditions; i++)
      if (!supported[step->conditions[i].quantity.pid] ||
          (step->conditions[i].has_add && !supported[step->conditions[i].add.pid]))
        {
          /* No point waiting for what will never come. */
          g_clear_pointer (&self->check, _obd_guide_check_free);
          set_state (self, OBD_GUIDE_RUN_STEP);
          set_live_status (self, OBD_GUIDE_LIVE_NO_DATA, 1.0);
          g_signal_emit (self, signals[SIGNAL_LIVE_UPDATED], 0);
          return TRUE;
        }
  g_signal_emit (self, signals[SIGNAL_LIVE_UPDATED], 0);
  return TRUE;
}

void
obd_guide_run_feed_samples (ObdGuideRun     *self,
                            const ObdSample *samples,
                            gsize            n_samples)
{
  g_return_if_fail (OBD_IS_GUIDE_RUN (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  if (self->check == NULL || self->state != OBD_GUIDE_RUN_LIVE)
    return;
  _obd_guide_check_feed (self->check, samples, n_samples);
  conclude (self);
}

void
obd_guide_run_advance_clock (ObdGuideRun *self,
                             gint64       now_us)
{
  g_return_if_fail (OBD_IS_GUIDE_RUN (self));

  if (self->check == NULL || self->state != OBD_GUIDE_RUN_LIVE)
    return;
  _obd_guide_check_advance (self->check, now_us);
  conclude (self);
}

void
obd_guide_run_stop_live_check (ObdGuideRun *self)
{
  g_return_if_fail (OBD_IS_GUIDE_RUN (self));

  if (self->state != OBD_GUIDE_RUN_LIVE)
    return;
  end_live_check (self);
  set_state (self, OBD_GUIDE_RUN_STEP);
  set_live_status (self, OBD_GUIDE_LIVE_IDLE, 0.0);
}

gboolean
obd_guide_run_judge (ObdGuideRun  *self,
                     gboolean      passed,
                     GError      **error)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);

  if (!check_kind (self, OBD_GUIDE_STEP_LIVE_CHECK, error))
    return FALSE;
  if (self->state == OBD_GUIDE_RUN_LIVE)
    {
      g_set_error_literal (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                           _("The live check is still running; let it decide, or stop it "
                             "first."));
      return FALSE;
    }
  set_live_status (self, OBD_GUIDE_LIVE_IDLE, 0.0);
  return advance (self, passed ? "pass" : "fail", NAN, OBD_UNIT_NONE, NULL, TRUE, 0, error);
}

/* Going back and resuming -------------------------------------------------- */

gboolean
obd_guide_run_back (ObdGuideRun  *self,
                    GError      **error)
{
  const ObdGuideRecord *last;
  const ObdGuideStep *step;
  gboolean was_finished;

  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);

  if (self->records->len == 0)
    {
      g_set_error_literal (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP,
                           _("This is the first step; there is nothing to go back to."));
      return FALSE;
    }
  last = g_ptr_array_index (self->records, self->records->len - 1);
  step = obd_guide_find_step (self->guide, last->step_id);
  g_assert (step != NULL);

  was_finished = self->finding != NULL;
  end_live_check (self);
  self->step = step;
  self->finding = NULL;
  g_ptr_array_set_size (self->records, self->records->len - 1);
  set_state (self, OBD_GUIDE_RUN_STEP);
  set_live_status (self, OBD_GUIDE_LIVE_IDLE, 0.0);

  g_signal_emit (self, signals[SIGNAL_REWOUND], 0, self->records->len);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RECORDS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_ID]);
  if (was_finished)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINDING_ID]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

gboolean
obd_guide_run_restore (ObdGuideRun           *self,
                       const ObdGuideRecord  *record,
                       GError               **error)
{
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (self->state == OBD_GUIDE_RUN_FINISHED || g_strcmp0 (record->step_id, self->step->id) != 0 ||
      record->kind != self->step->kind ||
      obd_guide_step_get_target (self->step, record->outcome) == NULL)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_CHANGED,
                   _("The guide “%s” has changed since this run was saved (step %u, “%s”, "
                     "no longer fits). The run can be read but not continued; start the "
                     "guide again."),
                   obd_guide_gettext (obd_guide_get_title (self->guide)), record->seq,
                   record->step_id != NULL ? record->step_id : "");
      return FALSE;
    }
  end_live_check (self);
  set_state (self, OBD_GUIDE_RUN_STEP);
  set_live_status (self, OBD_GUIDE_LIVE_IDLE, 0.0);
  return advance (self, record->outcome, record->value, record->unit, g_strdup (record->detail),
                  record->manual, record->time_us, error);
}
