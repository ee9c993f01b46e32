/* obd-sync-backend-sqlite.h — the embedded backend of obd2-syncd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SQLite file for a single shop's server.  A thread of its own owns
 * the connection and runs the requests in the order they came; results
 * and live events are delivered to the creator's main context.
 */
#pragma once

#include "obd-sync-backend.h"

G_BEGIN_DECLS

#define OBD_TYPE_SYNC_BACKEND_SQLITE (obd_sync_backend_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncBackendSqlite, obd_sync_backend_sqlite, OBD,
                      SYNC_BACKEND_SQLITE, GObject)

/* Opens (creating) the server database at path; a file that is another
 * program's is refused and left alone. */
ObdSyncBackend *obd_sync_backend_sqlite_new (const char  *path,
                                             GError     **error);

G_END_DECLS
