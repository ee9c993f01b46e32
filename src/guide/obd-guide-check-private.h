/* obd-guide-check-private.h — a live check deciding from samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: fed ObdSample batches, it decides pass, fail or timeout from the
 * samples' own timestamps, never from the wall clock, so the same samples
 * always give the same verdict (tests run minutes of simulated driving in
 * milliseconds).  ObdGuideRun owns one per running live check.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "obd-guide-run.h"
#include "obd-sample.h"

G_BEGIN_DECLS

typedef struct _ObdGuideCheck ObdGuideCheck;

/* scales[i] multiplies conditions[i].min/max (its scale_by measurement;
 * 1 without); require_scales the same for requires.  start_us is the
 * check's time zero in the samples' clock: earlier samples are ignored. */
ObdGuideCheck       *_obd_guide_check_new        (const ObdGuideStep *step,
                                                  const double       *scales,
                                                  const double       *require_scales,
                                                  gint64              start_us);
void                 _obd_guide_check_free       (ObdGuideCheck      *self);

/* Returns the status after the samples: RUNNING until decided. */
ObdGuideLiveStatus   _obd_guide_check_feed       (ObdGuideCheck      *self,
                                                  const ObdSample    *samples,
                                                  gsize               n_samples);
/* Time passed without samples (the adapter answers nothing): may time out. */
ObdGuideLiveStatus   _obd_guide_check_advance    (ObdGuideCheck      *self,
                                                  gint64              now_us);
ObdGuideLiveStatus   _obd_guide_check_get_status (ObdGuideCheck      *self);
/* 0..1 of the time limit. */
double               _obd_guide_check_get_progress (ObdGuideCheck    *self);
/* When the verdict fell, in the samples' clock; 0 while running. */
gint64               _obd_guide_check_get_decided_us (ObdGuideCheck  *self);
/* Latest reading of a quantity; FALSE before the first. */
gboolean             _obd_guide_check_get_latest (ObdGuideCheck      *self,
                                                  ObdGuideQuantity    quantity,
                                                  double             *out_value);
/* The reading that stands for the verdict (what a report prints: the
 * highest coolant temperature reached, the mean trim...) and its unit. */
double               _obd_guide_check_get_key_value (ObdGuideCheck   *self,
                                                     ObdUnit         *out_unit);
/* {"elapsed_s", "conditions": [{"kind", "pid", "key", "unit", "samples",
 * "min", "max", "mean", "last", "result"}], "held"}: the evidence. */
JsonNode            *_obd_guide_check_to_json    (ObdGuideCheck      *self);

G_END_DECLS
