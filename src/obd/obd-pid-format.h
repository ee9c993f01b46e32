/* obd-pid-format.h — a reading as people read it: rounded to what the PID resolves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every Mode 01 quantity is an integer count of some step (engine speed
 * in quarters of an rpm, throttle in 1/255 of full travel, fuel trims in
 * 1/128 of 100 %).  Printing 1107.25 rpm or 21.5686 % shows digits the
 * car never measured; these functions show a value with no more decimals
 * than one step of its PID is worth (a step of 0.25 rpm shows whole rpm,
 * 0.39 % whole percent, 1 mV three decimals).  The step is found by
 * decoding replies one count apart, so it follows the decoders of the PID
 * table (obd-pid.c) without a second table to keep in step.
 */
#pragma once

#include "obd-pid.h"

G_BEGIN_DECLS

/* One step of the value (pid, index), in SI units; 0 when it has none (an
 * unknown PID, a flag, a code, text). */
double  obd_pid_get_resolution   (guint8         pid,
                                  guint8         index);
/* Decimals worth showing for it in the given unit system. */
guint   obd_pid_get_decimals     (guint8         pid,
                                  guint8         index,
                                  ObdUnitSystem  system);
/* "1107 rpm", "22 %", "13.874 V", "199 °F": converted to the unit
 * system, rounded to the PID's resolution, no "-0", unit symbol after a
 * space (none when the quantity has no unit). */
char   *obd_pid_format_value     (guint8         pid,
                                  guint8         index,
                                  double         value,
                                  ObdUnitSystem  system);

G_END_DECLS
