/* obd-cli-table.h — live values as a table that refreshes in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "obd-sample.h"
#include "obd-units.h"

G_BEGIN_DECLS

typedef struct _ObdCliTable ObdCliTable;

/* ansi: the output is a terminal, so the table redraws over itself (at
 * most five times a second); otherwise each refresh is a new block of
 * plain lines, once a second, for logs and pipes. */
ObdCliTable *obd_cli_table_new         (ObdUnitSystem    units,
                                        gboolean         ansi);
void         obd_cli_table_free        (ObdCliTable     *table);
/* Takes the latest value of each (PID, index) and widens its min/max. */
void         obd_cli_table_add_samples (ObdCliTable     *table,
                                        const ObdSample *samples,
                                        gsize            n_samples);
/* The table as text (rows of label, value, min and max, each value
 * rounded to its PID's resolution), or NULL when it is not yet time to
 * show it again (force: now); now_us on the monotonic clock.  A value that
 * stopped arriving for 3 s is marked as such. */
char        *obd_cli_table_render      (ObdCliTable     *table,
                                        gint64           now_us,
                                        gboolean         force);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdCliTable, obd_cli_table_free)

G_END_DECLS
