/* obd-guide.h — one guided-troubleshooting guide: what it applies to, its
 * steps and its findings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Guides are data files (data/guides/, one XML file each, format in data/guides/README.md
 * and the RELAX NG schema data/guides/guide.rng).  An ObdGuide is the
 * loaded, validated, immutable form; ObdGuideRun walks one.  Every text
 * here is the guide's English text, a msgid of the GETTEXT_PACKAGE domain
 * (extracted with the ITS rules in data/guides/its/): show it through
 * obd_guide_gettext().  Structures returned by the accessors belong to the
 * guide and live as long as it does.
 */
#pragma once

#include <gio/gio.h>

#include "obd-dtc.h"
#include "obd-units.h"

G_BEGIN_DECLS

#define OBD_GUIDE_ERROR (obd_guide_error_quark ())

typedef enum
{
  OBD_GUIDE_ERROR_FAILED = 0,
  OBD_GUIDE_ERROR_INVALID,       /* a guide file that is not well formed or not valid */
  OBD_GUIDE_ERROR_NOT_FOUND,     /* no guide, step or finding by that name */
  OBD_GUIDE_ERROR_WRONG_STEP,    /* an action the current step does not take */
  OBD_GUIDE_ERROR_BAD_VALUE,     /* an answer or a measurement that cannot be used */
  OBD_GUIDE_ERROR_CHANGED,       /* a saved run no longer fits its guide */
} ObdGuideErrorCode;

GQuark obd_guide_error_quark (void);

typedef enum
{
  OBD_GUIDE_STEP_INSTRUCTION = 0,  /* do something, then confirm */
  OBD_GUIDE_STEP_QUESTION,         /* pick one answer; each branches */
  OBD_GUIDE_STEP_MEASUREMENT,      /* enter a reading; pass / low / high */
  OBD_GUIDE_STEP_LIVE_CHECK,       /* watch live data; pass / fail / timeout */
  OBD_GUIDE_STEP_CODE_CHECK,       /* read trouble codes; present / absent */
} ObdGuideStepKind;

typedef enum
{
  OBD_GUIDE_CONDITION_REACHES = 0, /* some reading gets into [min, max] */
  OBD_GUIDE_CONDITION_HOLDS,       /* readings stay in [min, max] for seconds in a row */
  OBD_GUIDE_CONDITION_STAYS,       /* every reading in [min, max]; one outside fails */
  OBD_GUIDE_CONDITION_FLAT,        /* max - min of the readings stays within span */
  OBD_GUIDE_CONDITION_SWITCHES,    /* crosses threshold ± band/2 at least count times */
  OBD_GUIDE_CONDITION_AVERAGE,     /* the mean over seconds is in [min, max] */
  OBD_GUIDE_CONDITION_NO_GAP,      /* no two readings further apart than gap */
} ObdGuideConditionKind;

typedef enum
{
  OBD_GUIDE_FINDING_FAULT = 0,     /* the fault is found; repairs follow */
  OBD_GUIDE_FINDING_NO_FAULT,      /* the suspect is cleared */
  OBD_GUIDE_FINDING_REFER,         /* continue with another guide */
} ObdGuideFindingKind;

/* Symptoms a guide can apply to; stable keys in the files. */
typedef struct
{
  const char *key;    /* "no-start" */
  const char *label;  /* msgid: "Cranks but does not start" */
} ObdGuideSymptom;

const ObdGuideSymptom *obd_guide_list_symptoms    (gsize        *n_symptoms);
/* NULL for an unknown key. */
const ObdGuideSymptom *obd_guide_find_symptom     (const char   *key);

const char            *obd_guide_step_kind_to_string    (ObdGuideStepKind    kind);
const char            *obd_guide_finding_kind_to_string (ObdGuideFindingKind kind);

/* The translation of a guide's text (NULL stays NULL). */
const char            *obd_guide_gettext          (const char   *msgid);

/* A code or a range of codes of the same letter: P0300-P0308. */
typedef struct
{
  guint16 from;
  guint16 to;
} ObdGuideCodeRange;

/* One branch: an outcome of a step and where it leads (a step or a
 * finding id).  Outcomes: "done" (instruction); an answer's value
 * (question); "pass", "low", "high" (measurement); "pass", "fail",
 * "timeout" (live check); "present", "absent" (code check). */
typedef struct
{
  const char *outcome;
  const char *target;
} ObdGuideBranch;

typedef struct
{
  const char *value;   /* stable key, also the outcome */
  const char *label;   /* msgid */
} ObdGuideAnswer;

/* One quantity of live data: a Mode 01 PID and which of its values. */
typedef struct
{
  guint8 pid;
  guint8 index;
} ObdGuideQuantity;

typedef struct
{
  ObdGuideConditionKind  kind;
  ObdGuideQuantity       quantity;
  gboolean               has_add;    /* the reading is quantity + add (total fuel trim) */
  ObdGuideQuantity       add;
  double                 min;        /* NAN when open */
  double                 max;
  double                 seconds;    /* holds, stays, flat, average, no-gap; 0 if unused */
  double                 span;       /* flat */
  double                 threshold;  /* switches */
  double                 band;
  guint                  count;
  double                 gap;        /* no-gap, seconds */
  const char            *scale_by;   /* measurement step whose value scales min/max, or NULL */
} ObdGuideCondition;

typedef struct _ObdGuideStep ObdGuideStep;

struct _ObdGuideStep
{
  const char        *id;
  ObdGuideStepKind   kind;
  guint              line;       /* in the guide file, for messages */
  const char        *title;      /* msgid */
  const char        *text;       /* msgid or NULL */
  const char *const *tools;      /* msgids, NULL-terminated, may be empty */
  const char *const *safety;

  const ObdGuideBranch *branches;
  guint              n_branches;

  /* QUESTION */
  const ObdGuideAnswer *answers;
  guint              n_answers;

  /* MEASUREMENT: the reading is entered in the unit system of the person
   * but kept in SI.  min/max (NAN when open) are the expected range,
   * scaled by the value of the measurement step scale_by when set;
   * valid_min/valid_max what a reading can be at all. */
  ObdUnit            unit;
  const char        *unit_key;   /* "ohm", "kpa", "litre", ... */
  double             min;
  double             max;
  double             valid_min;
  double             valid_max;
  const char        *scale_by;

  /* LIVE_CHECK: conditions decide by themselves from the samples' own
   * timestamps; requires are what the mechanic must hold ("engine at
   * 2300-2700 rpm"): readings taken while one is not met do not count. */
  double             time_limit; /* seconds */
  double             settle;     /* seconds ignored at the start */
  const ObdGuideCondition *conditions;
  guint              n_conditions;
  const ObdGuideCondition *requires;  /* kind REACHES: min/max */
  guint              n_requires;
  const ObdGuideQuantity *gauges; /* every quantity to show, conditions' first */
  guint              n_gauges;

  /* CODE_CHECK */
  const ObdGuideCodeRange *codes;
  guint              n_codes;
  guint              kinds;      /* 1 << ObdDtcKind */
};

typedef struct
{
  const char *title;      /* msgid */
  double      hours;      /* typical labour time */
  double      max_hours;  /* NAN unless it varies with the car */
} ObdGuideRepair;

typedef struct
{
  const char           *id;
  ObdGuideFindingKind   kind;
  guint                 line;
  const char           *title;       /* msgid */
  const char           *text;        /* msgid or NULL */
  const char           *refer_guide; /* REFER: the guide to continue with */
  const ObdGuideRepair *repairs;
  guint                 n_repairs;
} ObdGuideFinding;

#define OBD_TYPE_GUIDE (obd_guide_get_type ())
G_DECLARE_FINAL_TYPE (ObdGuide, obd_guide, OBD, GUIDE, GObject)

/* Parses and validates a guide file's contents.  filename names it in
 * messages.  Fails with OBD_GUIDE_ERROR_INVALID and a message that starts
 * "FILE:LINE: " for a file that is not a valid guide. */
ObdGuide              *obd_guide_new_from_data    (const char    *data,
                                                   gsize          len,
                                                   const char    *filename,
                                                   GError       **error);
ObdGuide              *obd_guide_new_from_file    (GFile         *file,
                                                   GCancellable  *cancellable,
                                                   GError       **error);

const char            *obd_guide_get_id           (ObdGuide      *self);
int                    obd_guide_get_version      (ObdGuide      *self);
const char            *obd_guide_get_title        (ObdGuide      *self);
const char            *obd_guide_get_summary      (ObdGuide      *self);
/* The file it was loaded from, as given. */
const char            *obd_guide_get_filename     (ObdGuide      *self);
const char *const     *obd_guide_get_tools        (ObdGuide      *self);
const char *const     *obd_guide_get_safety       (ObdGuide      *self);
const ObdGuideCodeRange *obd_guide_get_codes      (ObdGuide      *self,
                                                   guint         *n_codes);
const char *const     *obd_guide_get_symptoms     (ObdGuide      *self);

/* How well the guide fits a code: 0 not at all, else higher is a closer
 * fit (an exact code beats a narrow range beats a wide one). */
guint                  obd_guide_match_code       (ObdGuide      *self,
                                                   const char    *code);
gboolean               obd_guide_has_symptom      (ObdGuide      *self,
                                                   const char    *symptom);

const ObdGuideStep    *obd_guide_get_first_step   (ObdGuide      *self);
guint                  obd_guide_get_n_steps      (ObdGuide      *self);
const ObdGuideStep    *obd_guide_get_step         (ObdGuide      *self,
                                                   guint          index);
const ObdGuideStep    *obd_guide_find_step        (ObdGuide      *self,
                                                   const char    *id);
guint                  obd_guide_get_n_findings   (ObdGuide      *self);
const ObdGuideFinding *obd_guide_get_finding      (ObdGuide      *self,
                                                   guint          index);
const ObdGuideFinding *obd_guide_find_finding     (ObdGuide      *self,
                                                   const char    *id);

/* Where outcome of step leads, NULL if it is not one of the step's. */
const char            *obd_guide_step_get_target  (const ObdGuideStep *step,
                                                   const char         *outcome);

/* The engine speed a live check asks the mechanic to hold (the middle of
 * its engine-speed requirement above 1000 rpm), or 0 when it asks for
 * none: what an app shows in large type, and what the simulator's pedal
 * is pressed to. */
double                 obd_guide_step_get_held_rpm (const ObdGuideStep *step);

/* Units of measurements: the stable key in the files and its symbol for
 * display in system (translated).  Litres have no ObdUnit: unit NONE,
 * symbol "L". */
const char            *obd_guide_step_get_unit_symbol (const ObdGuideStep *step,
                                                       ObdUnitSystem       system);

/* Parses what a person typed for a measurement step: a number in the unit
 * system's unit, optionally followed by the symbol of either system
 * ("60 psi", "414 kPa"); "OL" (an open circuit on the meter) for
 * resistance.  Returns the SI value (+INFINITY for OL).  Fails with
 * OBD_GUIDE_ERROR_BAD_VALUE and what to type instead. */
gboolean               obd_guide_step_parse_measurement (const ObdGuideStep *step,
                                                         const char         *text,
                                                         ObdUnitSystem       system,
                                                         double             *out_value,
                                                         GError            **error);

/* Describes a condition for people ("Coolant temperature reaches
 * 80 °C"), translated, in the unit system; scale is the factor of its
 * scale_by measurement (1 without one). */
char                  *obd_guide_condition_describe (const ObdGuideCondition *condition,
                                                     gboolean                 require,
                                                     double                   scale,
                                                     ObdUnitSystem            system);
/* Codes for people: "P0115–P0119, P0128" (a new string). */
char                  *obd_guide_format_codes       (const ObdGuideCodeRange *codes,
                                                     guint                    n_codes);
/* Labour time, translated: "0.8 h", or "0.8–2.5 h" when max_hours is
 * larger (NAN: it does not vary). */
char                  *obd_guide_format_hours       (double                   hours,
                                                     double                   max_hours);

/* Label (msgid) and unit of a live-data quantity. */
const char            *obd_guide_quantity_get_label (ObdGuideQuantity quantity);
ObdUnit                obd_guide_quantity_get_unit  (ObdGuideQuantity quantity);
/* The stable key of a quantity ("coolant_temp"). */
const char            *obd_guide_quantity_get_key   (ObdGuideQuantity quantity);

G_END_DECLS
