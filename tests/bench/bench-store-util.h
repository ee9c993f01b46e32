/* bench-store-util.h — small helpers shared by the store benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A benchmark has nobody to report a failure to but its log: these stop
 * it with the reason.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

static inline void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

static inline void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}
