/* obd-sync-backend-pg.h — obd2-syncd's data in PostgreSQL, shared by
 * several server instances
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-pg-pool.h"
#include "obd-sync-backend.h"

G_BEGIN_DECLS

#define OBD_TYPE_SYNC_BACKEND_PG (obd_sync_backend_pg_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncBackendPg, obd_sync_backend_pg, OBD, SYNC_BACKEND_PG, GObject)

/* Connects (blocking, at start-up), brings the schema up to date under an
 * advisory lock, and starts the pool and the live-event thread.  config
 * may be NULL for the defaults.  Runs on the server's thread: callbacks
 * and "message" arrive on its thread-default context. */
ObdSyncBackend *obd_sync_backend_pg_new          (const char            *conninfo,
                                                  const ObdPgPoolConfig *config,
                                                  GError               **error);
/* The identifier of this instance (in room members and live events). */
const char     *obd_sync_backend_pg_get_instance (ObdSyncBackendPg      *self);

/* The schema version this build writes. */
#define OBD_SYNC_PG_SCHEMA_VERSION 3

/* The hot queries, for the test that checks their plans on a large
 * database.  params: one letter per parameter of what to pass —
 * o organisation, v vehicle, d device, t token id or code hash, e entity
 * name, i entity id, s a session id, V a VIN, n a number, z an empty
 * string, - NULL. */
typedef struct
{
  const char *name;
  const char *sql;
  const char *params;
} ObdSyncPgQuery;

const ObdSyncPgQuery *obd_sync_backend_pg_hot_queries (guint *n_queries);

G_END_DECLS
