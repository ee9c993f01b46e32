/* obd-severity.h — how serious a finding is: one scale for every layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Trouble codes (the knowledge base), live alerts, health deductions and
 * stored notifications all grade with this one enum, so nothing converts
 * between parallel copies.  It is ordered: CRITICAL > WARNING > INFO can be
 * compared.  The GEnum type (OBD_TYPE_SEVERITY, generated into
 * obd-enum-types.h) has the stable keys as nicks: "info", "warning",
 * "critical" — the words the data files, the store and JSON use.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  OBD_SEVERITY_INFO = 0,
  OBD_SEVERITY_WARNING,
  OBD_SEVERITY_CRITICAL,
} ObdSeverity;

#define OBD_SEVERITY_COUNT (OBD_SEVERITY_CRITICAL + 1)

/* Stable key: "info", "warning", "critical". */
const char *obd_severity_get_key   (ObdSeverity   severity);
/* Translated: "Information", "Warning", "Critical". */
const char *obd_severity_get_label (ObdSeverity   severity);
/* Parses a stable key (exactly, as written by get_key).  Unknown text is an
 * error (G_IO_ERROR_INVALID_DATA naming the accepted words), never INFO. */
gboolean    obd_severity_from_key  (const char   *key,
                                    ObdSeverity  *out_severity,
                                    GError      **error);

G_END_DECLS
