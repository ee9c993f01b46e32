/* obd-gauge-private.h — internals of ObdGauge shared with its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-gauge.h"

G_BEGIN_DECLS

/* How many times the accessible label was pushed to the AT context; tests
 * use it to check that unchanged readings cause no accessibility events. */
guint  _obd_gauge_get_a11y_update_count (ObdGauge *self);

/* Where the needle is drawn: the value, or on its way there. */
double _obd_gauge_get_display_value     (ObdGauge *self);

G_END_DECLS
