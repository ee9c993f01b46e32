/* obd-guide-run.h — one walk through a guide: the state machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run starts at the guide's first step.  The owner (an app page, the
 * CLI, a test) does what the step asks and reports back: confirm an
 * instruction, answer a question, enter a measurement, feed live samples
 * to a live check (which decides by itself from the samples' timestamps),
 * feed trouble codes to a code check.  Each completed step is a record;
 * the run moves along the branch of the outcome until it reaches a
 * finding.  ::recorded, ::rewound and ::finished tell the owner what to
 * save (obd-guide-store.h does the saving); a saved run is resumed by
 * replaying its records.
 *
 * Not thread-safe: one thread (the main thread in the app) owns a run.
 * Properties notify only on real changes, for bindings.
 */
#pragma once

#include <gio/gio.h>

#include "obd-guide.h"
#include "obd-sample.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_GUIDE_RUN_STEP = 0,   /* waiting for the mechanic at the current step */
  OBD_GUIDE_RUN_LIVE,       /* a live check is watching samples */
  OBD_GUIDE_RUN_FINISHED,   /* a finding is reached */
} ObdGuideRunState;

typedef enum
{
  OBD_GUIDE_LIVE_IDLE = 0,  /* no live check running or decided */
  OBD_GUIDE_LIVE_RUNNING,
  OBD_GUIDE_LIVE_PASSED,
  OBD_GUIDE_LIVE_FAILED,
  OBD_GUIDE_LIVE_TIMED_OUT,
  OBD_GUIDE_LIVE_NO_DATA,   /* the car does not report what the check reads */
  OBD_GUIDE_LIVE_NOT_HELD,  /* the mechanic never held what was required */
} ObdGuideLiveStatus;

/* One completed step. */
typedef struct
{
  guint             seq;        /* 1, 2, ... */
  char             *step_id;
  ObdGuideStepKind  kind;
  char             *outcome;    /* see ObdGuideBranch */
  double            value;      /* measurement (SI), a live check's key reading, or NAN */
  ObdUnit           unit;
  char             *detail;     /* JSON object (evidence) or NULL */
  gboolean          manual;     /* a live check judged by the mechanic */
  gint64            time_us;    /* when: the deciding sample's time for live checks */
} ObdGuideRecord;

#define OBD_TYPE_GUIDE_RECORD (obd_guide_record_get_type ())
GType           obd_guide_record_get_type (void) G_GNUC_CONST;
ObdGuideRecord *obd_guide_record_copy     (const ObdGuideRecord *record);
void            obd_guide_record_free     (ObdGuideRecord       *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdGuideRecord, obd_guide_record_free)

/* A gauge beside a live check. */
typedef struct
{
  ObdGuideQuantity quantity;
  const char      *label;       /* msgid */
  ObdUnit          unit;
  double           min;         /* display range */
  double           max;
  gboolean         has_value;
  double           value;       /* latest, SI */
} ObdGuideGauge;

#define OBD_TYPE_GUIDE_RUN (obd_guide_run_get_type ())
G_DECLARE_FINAL_TYPE (ObdGuideRun, obd_guide_run, OBD, GUIDE_RUN, GObject)

/* reason: why the guide was started ("code:P0128", "symptom:no-start"),
 * may be NULL. */
ObdGuideRun         *obd_guide_run_new            (ObdGuide          *guide,
                                                   const char        *reason);

ObdGuide            *obd_guide_run_get_guide      (ObdGuideRun       *self);
const char          *obd_guide_run_get_reason     (ObdGuideRun       *self);
ObdGuideRunState     obd_guide_run_get_state      (ObdGuideRun       *self);
/* The step waiting for the mechanic; NULL once finished. */
const ObdGuideStep  *obd_guide_run_get_step       (ObdGuideRun       *self);
/* The finding reached; NULL before. */
const ObdGuideFinding *obd_guide_run_get_finding  (ObdGuideRun       *self);
/* Of ObdGuideRecord, in order; owned by the run. */
GPtrArray           *obd_guide_run_get_records    (ObdGuideRun       *self);

/* Instruction done. */
gboolean             obd_guide_run_confirm        (ObdGuideRun       *self,
                                                   GError           **error);
/* Question: value is one of the step's answers. */
gboolean             obd_guide_run_answer         (ObdGuideRun       *self,
                                                   const char        *value,
                                                   GError           **error);
/* Measurement, in SI (obd_guide_step_parse_measurement() reads what a
 * person typed); +INFINITY is an open circuit. */
gboolean             obd_guide_run_measure        (ObdGuideRun       *self,
                                                   double             value,
                                                   GError           **error);
/* Code check: the codes the vehicle reports now (every kind, every ECU;
 * the step picks the kinds it asks for). */
gboolean             obd_guide_run_feed_codes     (ObdGuideRun       *self,
                                                   const ObdDtc      *codes,
                                                   gsize              n_codes,
                                                   GError           **error);

/* Live check: starts watching at start_us in the samples' clock (the
 * wall clock for an adapter, the simulated clock in tests).  supported,
 * when not NULL, is the vehicle's supported Mode 01 PIDs: a check that
 * reads one it does not support ends at once with NO_DATA. */
gboolean             obd_guide_run_start_live_check (ObdGuideRun     *self,
                                                     gint64           start_us,
                                                     const gboolean  *supported,
                                                     GError         **error);
/* Samples of any PIDs; those the check does not read are ignored.  When
 * the check decides, the run records it and moves on. */
void                 obd_guide_run_feed_samples   (ObdGuideRun       *self,
                                                   const ObdSample   *samples,
                                                   gsize              n_samples);
/* The samples' clock moved to now_us without samples (the car answers
 * nothing): a check past its time limit ends. */
void                 obd_guide_run_advance_clock  (ObdGuideRun       *self,
                                                   gint64             now_us);
/* Stops a running live check without a verdict (the mechanic gave up). */
void                 obd_guide_run_stop_live_check (ObdGuideRun      *self);
/* The mechanic's own verdict on a live check that is not running (the car
 * has no such PID; measured another way). */
gboolean             obd_guide_run_judge          (ObdGuideRun       *self,
                                                   gboolean           passed,
                                                   GError           **error);
ObdGuideLiveStatus   obd_guide_run_get_live_status   (ObdGuideRun    *self);
/* A live check's outcome in words, translated: "not met in time". */
const char          *obd_guide_live_status_describe  (ObdGuideLiveStatus status);
double               obd_guide_run_get_live_progress (ObdGuideRun    *self);
/* The gauges of the current live check (empty otherwise); owned by the
 * run, valid until the next call into it. */
const ObdGuideGauge *obd_guide_run_get_gauges     (ObdGuideRun       *self,
                                                   guint             *n_gauges);
/* The factor a condition's min/max are scaled by (its scale_by
 * measurement's value, 1 without). */
double               obd_guide_run_get_scale      (ObdGuideRun       *self,
                                                   const char        *scale_by);

/* Undoes the last record: the run is back at that step. */
gboolean             obd_guide_run_back           (ObdGuideRun       *self,
                                                   GError           **error);

/* Applies a saved record (resume): its step must be the current one and
 * its outcome one of that step's.  Fails with OBD_GUIDE_ERROR_CHANGED when
 * the guide no longer fits.  Emits ::recorded like a live step would. */
gboolean             obd_guide_run_restore        (ObdGuideRun          *self,
                                                   const ObdGuideRecord *record,
                                                   GError              **error);

G_END_DECLS
