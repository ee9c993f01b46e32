/* obd-pid.h — Mode 01/02 parameter IDs: the table and the decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per PID of SAE J1979 / ISO 15031-5, 0x00 through 0xC4.  A PID
 * decodes to one or more ObdValue (multi-value PIDs such as the O2 sensor
 * lambda/voltage pairs, sensor A/B pairs, or bit-field PIDs such as monitor
 * status, which produce one value per field).
 */
#pragma once

#include <glib.h>

#include "obd-units.h"

G_BEGIN_DECLS

typedef struct _ObdPidInfo ObdPidInfo;

typedef enum
{
  OBD_PID_KIND_NUMERIC = 0,   /* scaled quantity with a range */
  OBD_PID_KIND_BITMAP,        /* supported-PID bitmap (00, 20, 40, ...) */
  OBD_PID_KIND_BITFIELD,      /* flags (monitor status, O2 sensors present) */
  OBD_PID_KIND_ENUM,          /* one of a set (fuel type, OBD standard) */
  OBD_PID_KIND_MULTI,         /* several quantities in one reply */
} ObdPidKind;

/* One decoded quantity. */
typedef struct
{
  guint8      pid;
  guint8      index;   /* 0 for the main value; 1.. for the further values
                        * of a multi-value or bit-field PID */
  const char *key;     /* stable machine name: "rpm", "o2_s1_lambda", "mil" */
  const char *label;   /* English, translatable with _(): "Engine speed" */
  ObdUnit     unit;
  double      value;   /* SI; booleans are 0/1; enums their code */
  double      min;     /* range the standard allows, for gauges; min == max if none */
  double      max;
  char       *text;    /* human text for enums/flags ("Closed loop"), else NULL */
} ObdValue;

typedef void (*ObdPidDecodeFunc) (const ObdPidInfo *info,
                                  const guint8     *data,
                                  gsize             len,
                                  GArray           *values);

struct _ObdPidInfo
{
  guint8            pid;
  guint8            n_bytes;   /* data bytes after service and PID; 0 = variable */
  ObdPidKind        kind;
  const char       *key;       /* stable machine name, also accepted by lookup */
  const char       *label;     /* English, translatable */
  ObdUnit           unit;      /* of the main value */
  double            min;
  double            max;
  ObdPidDecodeFunc  decode;
};

/* NULL if the standard defines no such PID. */
const ObdPidInfo *obd_pid_lookup          (guint8      pid);
/* Accepts hex numbers ("0C", "0x0c") and keys ("rpm"), case-insensitive. */
const ObdPidInfo *obd_pid_lookup_name     (const char *name);
/* All rows, ordered by PID. */
const ObdPidInfo *obd_pid_get_table       (gsize      *n_rows);

/* Decodes the data bytes of a Mode 01 / Mode 02 reply (after the service
 * byte, the PID byte and — for Mode 02 — the frame number).  Appends to
 * values (an GArray of ObdValue with obd_value_clear as clear func; see
 * obd_value_array_new).  Fails with OBD_PROTOCOL_ERROR_MALFORMED when the
 * reply is shorter than the PID needs, or OBD_PROTOCOL_ERROR_UNSUPPORTED
 * for an unknown PID. */
gboolean          obd_pid_decode          (guint8        pid,
                                           const guint8 *data,
                                           gsize         len,
                                           GArray       *values,
                                           GError      **error);

/* Splits a multi-PID Mode 01 reply payload (after 0x41) into PIDs and
 * decodes each, using the table's lengths.  Stops with an error at an
 * unknown PID or a truncated one; values decoded before it are kept. */
gboolean          obd_pid_decode_multi    (const guint8 *payload,
                                           gsize         len,
                                           GArray       *values,
                                           GError      **error);

/* Supported-PID bitmaps: sets supported[base + 1 .. base + 32] from the four
 * bytes of the reply to PID base (0x00, 0x20, ... 0xE0). */
void              obd_pid_parse_supported (guint8        base,
                                           const guint8  data[4],
                                           gboolean      supported[256]);

GArray           *obd_value_array_new     (void);
void              obd_value_clear         (ObdValue *value);
/* Formats value and unit for display in the given unit system, e.g.
 * "1726 rpm", "93 °C" or "199.4 °F", or the text for enums. */
char             *obd_value_format        (const ObdValue *value,
                                           ObdUnitSystem   system);
/* The label translated for display (ObdValue.label is the English msgid). */
const char       *obd_value_get_label     (const ObdValue *value);

/* The range a gauge should show for (pid, index): the standard's range is
 * what the encoding can hold (0–16383.75 rpm, 0–65.535 V), far wider than
 * any car reaches, so common readings have a workshop range (0–8000 rpm,
 * 8–16 V).  Falls back to the standard range.  FALSE for an unknown PID. */
gboolean          obd_pid_get_display_range (guint8   pid,
                                             guint8   index,
                                             double  *out_min,
                                             double  *out_max);

/* What a (pid, index) sample means — key, label, unit and range — without
 * the reply that produced it: for samples in the store, charts and CSV
 * headers.  The returned value's number and text are meaningless.  NULL
 * for an unknown PID or index.  Thread-safe; the result lives forever. */
const ObdValue   *obd_pid_get_value_info  (guint8          pid,
                                           guint8          index);

G_END_DECLS
