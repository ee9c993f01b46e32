/* obd-error.c — error domains of the protocol layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include "obd-error.h"

G_DEFINE_QUARK (obd-transport-error-quark, obd_transport_error)
G_DEFINE_QUARK (obd-protocol-error-quark, obd_protocol_error)
