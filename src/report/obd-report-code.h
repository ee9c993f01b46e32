/* obd-report-code.h — verification codes: a printed report's link to the
 * store's hash chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sealed session's hash is 64 hex digits (SHA-256, obd-store.h).  A
 * report prints its first 16 as four groups of four, "3F2A-91C0-77DE-
 * 4B12", short enough to type from paper.  64 bits cannot be matched by
 * changing a session and searching for a collision in any practical time,
 * so a session that still carries the printed code is the one printed.
 *
 * Checking a code: the session whose stored hash starts with it is found;
 * its hash is recomputed from its content, and so is every session before
 * it, following the prev_hash links back to the first one.  Changing a
 * session and storing its new hash changes the code, and changing an
 * earlier one breaks a link, so either shows.
 */
#pragma once

#include <glib.h>

#include "obd-store.h"

G_BEGIN_DECLS

/* Hex digits of the hash a code carries. */
#define OBD_REPORT_CODE_DIGITS 16

/* "3F2A-91C0-77DE-4B12" from a hex hash; NULL when hash is not at least
 * OBD_REPORT_CODE_DIGITS hex digits. */
char     *obd_report_code_from_hash (const char  *hash);

/* Reads a code as a person types it: any case, groups separated by
 * dashes, spaces or nothing; a full hash is accepted too.  Writes the
 * first OBD_REPORT_CODE_DIGITS digits in lower case (the store's form).
 * Fails with OBD_REPORT_ERROR_INVALID_CODE. */
gboolean  obd_report_code_parse     (const char  *text,
                                     char         out_digits[OBD_REPORT_CODE_DIGITS + 1],
                                     GError     **error);

typedef enum
{
  OBD_REPORT_CODE_INTACT = 0,    /* the session and every one before it match */
  OBD_REPORT_CODE_UNKNOWN,       /* no session carries this code */
  OBD_REPORT_CODE_CHANGED,       /* the session's content no longer matches */
  OBD_REPORT_CODE_HISTORY_BROKEN,/* the session matches; one before it does not */
} ObdReportCodeResult;

typedef struct
{
  ObdReportCodeResult  result;
  gint64               session_id;  /* 0 for UNKNOWN */
  gint64               first_bad;   /* CHANGED, HISTORY_BROKEN: the first session that fails */
} ObdReportCodeCheck;

/* Checks digits (from obd_report_code_parse ()) against store.  FALSE
 * only when the check could not run. */
gboolean  obd_report_code_verify    (ObdStore            *store,
                                     const char          *digits,
                                     ObdReportCodeCheck  *out,
                                     GError             **error);

G_END_DECLS
