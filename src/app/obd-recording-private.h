/* obd-recording-private.h — for tests: the recorder behind an ObdRecording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-recorder.h"
#include "obd-recording.h"

G_BEGIN_DECLS

/* NULL before the first start. */
ObdRecorder *_obd_recording_get_recorder (ObdRecording *self);

G_END_DECLS
