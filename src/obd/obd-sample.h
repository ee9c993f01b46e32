/* obd-sample.h — one decoded reading, as the worker delivers it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Plain data, copied by value in GArrays: the worker's batches, the
 * recorder's rows and the charts' series all use it. */
typedef struct
{
  gint64  time_us;  /* wall clock (g_get_real_time ()) when the reply arrived */
  guint32 ecu;      /* responder address (0x7E8...), 0 if unknown */
  guint8  service;  /* 0x01 live data, 0x02 freeze frame */
  guint8  pid;
  guint8  index;    /* value index within the PID (ObdValue.index) */
  double  value;    /* SI units, as ObdValue.value */
} ObdSample;

G_END_DECLS
