/* obd-sim-pty.h — the simulated adapter served on a pseudo-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any ELM327 program can open the slave path (printed by `obd2 sim --pty`)
 * as if it were a serial port.  The server runs on its own thread, keeps
 * the timing model in real time (scaled by the "timing" option), and
 * survives clients that close and reopen the path.
 */
#pragma once

#include <glib.h>

#include "obd-sim-elm.h"

G_BEGIN_DECLS

typedef struct _ObdSimPty ObdSimPty;

/* options: as for "sim:OPTIONS" (obd-sim-elm.h), NULL for the defaults.
 * Creates the pseudo-terminal at once, so the path is known before
 * obd_sim_pty_start(). */
ObdSimPty  *obd_sim_pty_new       (const char  *options,
                                   GError     **error);
/* Stops the server if it runs, closes the pseudo-terminal. */
void        obd_sim_pty_free      (ObdSimPty   *self);
/* The slave path, e.g. "/dev/pts/3". */
const char *obd_sim_pty_get_path  (ObdSimPty   *self);
gboolean    obd_sim_pty_start     (ObdSimPty   *self,
                                   GError     **error);
/* Wakes the server thread and joins it; safe to call twice. */
void        obd_sim_pty_stop      (ObdSimPty   *self);
gboolean    obd_sim_pty_is_running (ObdSimPty  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSimPty, obd_sim_pty_free)

G_END_DECLS
