/* obd-recorder-private.h — the recorder's knobs for tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-recorder.h"

G_BEGIN_DECLS

/* How long one transaction may run before the recorder commits and
 * starts the next (50 ms unless set); 0 commits at every check. */
void     _obd_recorder_set_transaction_budget (ObdRecorder *self,
                                               int          budget_us);
/* Transactions committed for samples so far. */
guint64  _obd_recorder_get_n_transactions     (ObdRecorder *self);

G_END_DECLS
