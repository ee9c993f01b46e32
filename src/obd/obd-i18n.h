/* obd-i18n.h — the programs' language set-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void obd_i18n_init (void);

G_END_DECLS
