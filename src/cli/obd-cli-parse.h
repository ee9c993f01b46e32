/* obd-cli-parse.h — what people type on the obd2 command line: durations,
 * whole numbers, PID lists, and names of sessions and vehicles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every number and name an obd2 command takes goes through these, so each
 * is checked the same way: no nan, inf, hex, exponent, sign or overflow
 * slips through, and a bad value fails with G_OPTION_ERROR_BAD_VALUE (exit
 * status 2) naming the option and saying what it takes.  GLib and the PID
 * table only, so the fuzz target links it alone (tests/fuzz/fuzz-cli-args.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest --duration / --watch: 30 days, well inside the millisecond
 * timers' 49 days. */
#define OBD_CLI_MAX_SECONDS (30.0 * 24 * 3600)

/* A duration: a decimal number of seconds ("30", "2.5", ".5"), or one with
 * a unit: s, m or min, h ("90s", "10m", "1.5h").  More than 0 and at most
 * OBD_CLI_MAX_SECONDS.  option names it in messages ("--duration"). */
gboolean  obd_cli_parse_seconds    (const char   *option,
                                    const char   *text,
                                    double       *out_seconds,
                                    GError      **error);
/* Whole milliseconds for a timer, rounded up (so never 0): a duration
 * that obd_cli_parse_seconds () accepted always fits. */
guint     obd_cli_seconds_to_ms    (double        seconds);

/* A whole decimal number from min to max: digits only, no sign, no
 * spaces, no leading "0x". */
gboolean  obd_cli_parse_number     (const char   *option,
                                    const char   *text,
                                    gint64        min,
                                    gint64        max,
                                    gint64       *out_value,
                                    GError      **error);

/* Appends the PIDs named in text ("0C,rpm,speed": hex numbers or names
 * from the PID table, numeric Mode 01 PIDs only) to pids (of guint8).
 * Empty items are skipped; an unknown name is an error. */
gboolean  obd_cli_parse_pids       (const char   *text,
                                    GArray       *pids,
                                    GError      **error);

typedef enum
{
  OBD_CLI_REFERENCE_ID = 0,  /* a row number: out_id */
  OBD_CLI_REFERENCE_UUID,    /* 8-4-4-4-12 hex digits */
  OBD_CLI_REFERENCE_VIN,     /* 1 to 17 letters and digits (vehicles only) */
} ObdCliReference;

/* How a session (allow_vin FALSE) or a vehicle (allow_vin TRUE) is named:
 * its number, its UUID or (vehicles) its VIN.  A number is also a valid
 * VIN shape, so a vehicle named by digits is looked up both ways.  what
 * names the thing in messages ("session", "--vehicle"). */
gboolean  obd_cli_parse_reference  (const char       *what,
                                    const char       *text,
                                    gboolean          allow_vin,
                                    ObdCliReference  *out_kind,
                                    gint64           *out_id,
                                    GError          **error);

G_END_DECLS
