/* fuzz-common.h — helpers shared by the fuzz targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>

#include <glib.h>

#include "obd-elm.h"

G_BEGIN_DECLS

int          LLVMFuzzerTestOneInput (const uint8_t *data,
                                     size_t         size);

/* Makes g_critical() fatal, so a g_return_if_fail() reached from outside
 * input (a parser handing a bad argument to GLib or to another function of
 * the project) stops the fuzzer like a crash.  Idempotent. */
void         fuzz_init              (void);

/* Aborts with what when condition is false: a broken API contract. */
void         fuzz_check             (gboolean      condition,
                                     const char   *what);

/* Reads every byte so that the sanitizers see an overrun. */
void         fuzz_touch             (const void   *data,
                                     gsize         len);

/* The responder address an input byte selects: a few CAN 11-bit and
 * 29-bit IDs, legacy source addresses and 0 (headers off), so that
 * replies from "the same ECU" are common. */
guint32      fuzz_ecu               (guint8        selector);

/* Splits input into OBD messages, each written as a length byte, an ECU
 * selector byte (fuzz_ecu) and that many data bytes; the last message may
 * be shorter than its length says.  Always returns a response, possibly
 * without messages. */
ObdResponse *fuzz_response_new      (const guint8 *data,
                                     gsize         size);

G_END_DECLS
