/* obd-sync-backend-pg.c — obd2-syncd's data in PostgreSQL, shared by
 * several server instances
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why worker threads and not libpq's non-blocking API: a push is a
 * transaction of many dependent statements (the rules of obd-sync-rules.c
 * decide each from the last one's answer); written as blocking code on a
 * pool thread it reads as the SQLite backend does, while the server's loop
 * only queues GTasks and gets them back (obd-pg-pool.h).  LISTEN has its
 * own connection and thread (obd-pg-notify.h).
 *
 * What differs from SQLite is what several writers need:
 * - Pushes of one device are serialised by an advisory lock on the
 *   device, so two instances receiving the same retried batch store it
 *   once (and the (device_id, device_seq) unique constraint stands
 *   behind that).  Editable records are locked by an advisory lock on
 *   (entity, id) before the conflict rule reads them; a VIN two instances
 *   register at once ends as one vehicle and an alias.
 * - Pull cursors must not run ahead of transactions still in flight, or a
 *   pull could skip a change that commits later with a smaller number.  So
 *   a change is stored without a cursor, and cursors are given after the
 *   commit, per organisation, under a row lock on the organisation:
 *   numbers are given in commit order and a pull never sees a gap fill in
 *   behind it.  Whoever pulls gives cursors to what a crashed instance
 *   left without.
 * - Every statement is prepared with parameters; no SQL is ever built
 *   from a client's text (LISTEN's channel is a hash, see
 *   obd-pg-notify.c).
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-pg-notify.h"
#include "obd-sync-backend-pg.h"
#include "obd-sync-message.h"
#include "obd-sync-rules.h"

/* pg_advisory_lock key of schema migrations: "OBSD". */
#define MIGRATION_LOCK_KEY "1329746756"
#define HEARTBEAT_INTERVAL_S 5
/* An instance not seen for this long is gone: its rooms close. */
#define INSTANCE_DEAD_US (20 * G_USEC_PER_SEC)

/* Schema --------------------------------------------------------------------- */

/* Identifiers compare byte-wise (COLLATE "C"), as in SQLite: keyset pages
 * and the indexes that serve them agree whatever the database's locale. */
static const char * const migrations[] = {
  /* 1: sync protocol version 1. */
  "CREATE TABLE organisations (id text COLLATE \"C\" PRIMARY KEY, name text NOT NULL,"
  "  created_us bigint NOT NULL, last_cursor bigint NOT NULL DEFAULT 0);"
  "CREATE TABLE users (id text COLLATE \"C\" PRIMARY KEY,"
  "  organisation_id text COLLATE \"C\" NOT NULL REFERENCES organisations (id),"
  "  name text NOT NULL,"
  "  role text NOT NULL CHECK (role IN ('mechanic', 'fleet', 'owner', 'admin')),"
  "  vehicle_id text COLLATE \"C\", created_us bigint NOT NULL);"
  "CREATE TABLE tokens (id text COLLATE \"C\" PRIMARY KEY,"
  "  user_id text COLLATE \"C\" NOT NULL REFERENCES users (id),"
  "  salt text NOT NULL, hash text NOT NULL, created_us bigint NOT NULL, revoked_us bigint);"
  "CREATE INDEX tokens_user ON tokens (user_id);"
  "CREATE TABLE devices (id text COLLATE \"C\" PRIMARY KEY,"
  "  organisation_id text COLLATE \"C\" NOT NULL, user_id text COLLATE \"C\" NOT NULL,"
  "  name text, acked_seq bigint NOT NULL DEFAULT 0, chain_seq bigint NOT NULL DEFAULT 0,"
  "  chain_hash text, last_seen_us bigint);"
  "CREATE TABLE vehicles (id text COLLATE \"C\" PRIMARY KEY,"
  "  organisation_id text COLLATE \"C\" NOT NULL, vin text);"
  "CREATE UNIQUE INDEX vehicles_vin ON vehicles (organisation_id, vin) WHERE vin IS NOT NULL;"
  "CREATE INDEX vehicles_organisation ON vehicles (organisation_id, id);"
  "CREATE TABLE vehicle_aliases (alias text COLLATE \"C\" PRIMARY KEY,"
  "  vehicle_id text COLLATE \"C\" NOT NULL);"
  "CREATE TABLE entities (entity text COLLATE \"C\" NOT NULL,"
  "  entity_id text COLLATE \"C\" NOT NULL, organisation_id text COLLATE \"C\" NOT NULL,"
  "  vehicle_id text COLLATE \"C\", version bigint NOT NULL, data text NOT NULL,"
  "  changed_us bigint NOT NULL, device_id text COLLATE \"C\" NOT NULL,"
  "  deleted boolean NOT NULL DEFAULT false, state text COLLATE \"C\","
  "  PRIMARY KEY (entity, entity_id));"
  "CREATE INDEX entities_vehicle ON entities (vehicle_id, entity, state, changed_us)"
  "  WHERE NOT deleted;"
  "CREATE INDEX entities_history ON entities (vehicle_id, changed_us, entity, entity_id)"
  "  WHERE NOT deleted;"
  "CREATE TABLE changes (id bigserial PRIMARY KEY, cursor bigint,"
  "  organisation_id text COLLATE \"C\" NOT NULL, device_id text COLLATE \"C\" NOT NULL,"
  "  device_seq bigint NOT NULL, entity text NOT NULL, entity_id text NOT NULL,"
  "  vehicle_id text COLLATE \"C\", op text NOT NULL, version bigint NOT NULL,"
  "  applied boolean NOT NULL, data text NOT NULL, changed_us bigint NOT NULL,"
  "  received_us bigint NOT NULL, conflict text,"
  "  CONSTRAINT changes_device_seq UNIQUE (device_id, device_seq));"
  "CREATE UNIQUE INDEX changes_cursor ON changes (organisation_id, cursor)"
  "  WHERE cursor IS NOT NULL;"
  "CREATE INDEX changes_unsequenced ON changes (organisation_id, id) WHERE cursor IS NULL;"
  "CREATE INDEX changes_vehicle ON changes (vehicle_id, cursor) WHERE cursor IS NOT NULL;"
  "CREATE TABLE sample_chunks (device_id text COLLATE \"C\" NOT NULL,"
  "  device_seq bigint NOT NULL, part integer NOT NULL,"
  "  organisation_id text COLLATE \"C\" NOT NULL, session_id text COLLATE \"C\" NOT NULL,"
  "  count integer NOT NULL, first_us bigint, last_us bigint, data bytea NOT NULL,"
  "  PRIMARY KEY (device_id, device_seq, part));"
  "CREATE INDEX sample_chunks_session ON sample_chunks (session_id);"
  "CREATE TABLE conflicts (id bigserial PRIMARY KEY,"
  "  organisation_id text COLLATE \"C\" NOT NULL, entity text NOT NULL,"
  "  entity_id text NOT NULL, winner_device text, loser_device text, winner_data text,"
  "  loser_data text, resolved_us bigint NOT NULL);"
  "CREATE TABLE rooms (id text COLLATE \"C\" PRIMARY KEY,"
  "  organisation_id text COLLATE \"C\" NOT NULL, vehicle_id text COLLATE \"C\" NOT NULL,"
  "  host_user_id text NOT NULL, code_hash text, code_expires_us bigint,"
  "  created_us bigint NOT NULL, closed_us bigint);"
  "CREATE UNIQUE INDEX rooms_code ON rooms (code_hash) WHERE code_hash IS NOT NULL;"
  "CREATE TABLE room_members (room_id text COLLATE \"C\" NOT NULL REFERENCES rooms (id),"
  "  member_id text COLLATE \"C\" NOT NULL, user_id text NOT NULL, user_name text NOT NULL,"
  "  role text NOT NULL, host boolean NOT NULL, joined_us bigint NOT NULL,"
  "  PRIMARY KEY (room_id, member_id));",

  /* 2: several instances — which are alive, whose rooms are whose, and
   * the bodies of live events too large for a notification. */
  "CREATE TABLE instances (id text COLLATE \"C\" PRIMARY KEY, started_us bigint NOT NULL,"
  "  seen_us bigint NOT NULL);"
  "ALTER TABLE rooms ADD COLUMN host_instance text COLLATE \"C\";"
  "CREATE INDEX rooms_open_host ON rooms (host_instance) WHERE closed_us IS NULL;"
  "ALTER TABLE room_members ADD COLUMN instance_id text COLLATE \"C\";"
  "CREATE INDEX room_members_instance ON room_members (instance_id);"
  "CREATE TABLE live_events (id bigserial PRIMARY KEY, created_us bigint NOT NULL,"
  "  body text NOT NULL);",

  /* 3: presence lists are numbered, so instances deliver them in order. */
  "ALTER TABLE rooms ADD COLUMN presence_version bigint NOT NULL DEFAULT 0;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == OBD_SYNC_PG_SCHEMA_VERSION);

static gboolean
schema_error (GError     **error,
              const char  *reason)
{
  g_autofree char *trimmed = g_strdup (reason);

  /* The reason is a sentence of its own already. */
  g_strchomp (trimmed);
  if (g_str_has_suffix (trimmed, "."))
    trimmed[strlen (trimmed) - 1] = '\0';
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
               _("Could not prepare the PostgreSQL database for obd2-syncd: %s. Give "
                 "--postgres a database of its own."), trimmed);
  return FALSE;
}

/* Migrations run under an advisory lock: instances starting together
 * wait for the first, then find the schema current. */
static gboolean
migrate (ObdPgConn  *conn,
         GError    **error)
{
  g_autoptr(PGresult) result = NULL;
  GError *local_error = NULL;
  gint64 version;
  gboolean ok = FALSE;

  if (!obd_pg_run_simple (conn, "SELECT pg_advisory_lock (" MIGRATION_LOCK_KEY ")", error))
    return FALSE;
  if (!obd_pg_run_simple (conn, "CREATE TABLE IF NOT EXISTS obd2_schema ("
                                " version integer PRIMARY KEY, applied_us bigint NOT NULL)",
                          &local_error))
    goto out;
  result = obd_pg_exec (conn, "SELECT coalesce (max (version), 0) FROM obd2_schema", NULL,
                        &local_error);
  if (result == NULL)
    goto out;
  version = obd_pg_int (result, 0, 0);
  if (version > OBD_SYNC_PG_SCHEMA_VERSION)
    {
      g_set_error (&local_error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE,
                   _("The database was written by a newer obd2-syncd (schema version %"
                     PRId64 "). Update this server."), version);
      goto out;
    }
  for (gint64 v = version + 1; v <= OBD_SYNC_PG_SCHEMA_VERSION; v++)
    {
      g_auto(ObdPgParams) params = { 0 };

      obd_pg_params_int (&params, v);
      obd_pg_params_int (&params, g_get_real_time ());
      if (!obd_pg_run_simple (conn, "BEGIN", &local_error))
        goto out;
      if (!obd_pg_run_simple (conn, migrations[v - 1], &local_error)
          || !obd_pg_run (conn, "INSERT INTO obd2_schema (version, applied_us) VALUES ($1, $2)",
                          &params, &local_error)
          || !obd_pg_run_simple (conn, "COMMIT", &local_error))
        {
          obd_pg_run_simple (conn, "ROLLBACK", NULL);
          g_prefix_error (&local_error, "schema version %" G_GINT64_FORMAT ": ", v);
          goto out;
        }
    }
  ok = TRUE;

out:
  obd_pg_run_simple (conn, "SELECT pg_advisory_unlock (" MIGRATION_LOCK_KEY ")", NULL);
  if (!ok)
    {
      schema_error (error, local_error->message);
      g_error_free (local_error);
    }
  return ok;
}

/* The object ------------------------------------------------------------------ */

struct _ObdSyncBackendPg
{
  GObject         parent_instance;

  char           *conninfo;
  char           *instance_id;
  ObdPgPoolConfig config;
  ObdPgPool      *pool;
  ObdPgNotifier  *notifier;
  guint           heartbeat_source;
  gboolean        heartbeat_running;
  /* device id → GQueue of GTask * waiting behind the push in flight */
  GHashTable     *pushing;
};

static void backend_iface_init (ObdSyncBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ObdSyncBackendPg, obd_sync_backend_pg, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (OBD_TYPE_SYNC_BACKEND,
                                                      backend_iface_init))

/* Requests carry copies: they run on a pool thread. */
typedef struct
{
  char             *token;
  char             *device_id;
  char             *device_name;
  ObdSyncPrincipal *principal;
  char             *vehicle_id;
  char             *room_id;
  char             *code;
  char             *member_id;
  char             *instance_id;
  gint64            cursor;
  guint             limit;
  JsonArray        *changes;
  char             *name;
  char             *organisation_id;
  char             *key_entity;
  char             *key_id;
  ObdSyncRole       role;
} Request;

static void
request_free (Request *r)
{
  g_free (r->token);
  g_free (r->device_id);
  g_free (r->device_name);
  obd_sync_principal_free (r->principal);
  g_free (r->vehicle_id);
  g_free (r->room_id);
  g_free (r->code);
  g_free (r->member_id);
  g_free (r->instance_id);
  g_clear_pointer (&r->changes, json_array_unref);
  g_free (r->name);
  g_free (r->organisation_id);
  g_free (r->key_entity);
  g_free (r->key_id);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static Request *
request_new (ObdSyncBackendPg       *self,
             const ObdSyncPrincipal *principal)
{
  Request *r = g_new0 (Request, 1);

  if (principal != NULL)
    r->principal = obd_sync_principal_copy (principal);
  r->instance_id = g_strdup (self->instance_id);
  return r;
}

static gboolean heartbeat_cb (gpointer data);
static void     on_notified  (const char *organisation_id,
                              const char *vehicle_id,
                              const char *room_id,
                              const char *text,
                              gpointer    user_data);

/* The pool, the live-event thread and the heartbeat start with the first
 * request of a server: the admin commands need none of them. */
static void
ensure_serving (ObdSyncBackendPg *self)
{
  if (self->pool != NULL)
    return;
  self->pool = obd_pg_pool_new (self->conninfo, &self->config);
  self->notifier = obd_pg_notifier_new (self->conninfo, self->instance_id, on_notified, self);
  heartbeat_cb (self);
  self->heartbeat_source = g_timeout_add_seconds (HEARTBEAT_INTERVAL_S, heartbeat_cb, self);
}

static void
queue (ObdSyncBackendPg    *self,
       Request             *r,
       ObdPgJob             job,
       GDestroyNotify       result_free,
       gpointer             tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, r, (GDestroyNotify) request_free);
  ensure_serving (self);
  obd_pg_pool_run (self->pool, task, job, result_free);
}

static gpointer
propagate (GAsyncResult  *result,
           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
forbidden (GError     **error,
           const char  *message)
{
  g_set_error_literal (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN, message);
  return FALSE;
}

/* Ends a transaction that failed (or was abandoned) so the connection
 * goes back to the pool clean. */
static void
rollback (ObdPgConn *conn)
{
  if (!obd_pg_conn_is_broken (conn)
      && PQtransactionStatus (obd_pg_conn_get_pgconn (conn)) != PQTRANS_IDLE)
    obd_pg_run_simple (conn, "ROLLBACK", NULL);
}

/* Statements ----------------------------------------------------------------- */

static const char SQL_TOKEN[] =
  "SELECT t.salt, t.hash, t.revoked_us IS NOT NULL, u.id, u.name, u.organisation_id, u.role,"
  " u.vehicle_id FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1";
/* A device stays in the organisation that first synced it: the update
 * happens (and a row comes back) only in that organisation. */
static const char SQL_DEVICE[] =
  "INSERT INTO devices AS d (id, organisation_id, user_id, name, last_seen_us)"
  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET user_id = $3,"
  " name = coalesce ($4, d.name), last_seen_us = $5 WHERE d.organisation_id = $2"
  " RETURNING acked_seq, chain_seq, chain_hash";
static const char SQL_SEEN[] =
  "SELECT 1 FROM changes WHERE device_id = $1 AND device_seq = $2";
static const char SQL_RESOLVE_VEHICLE[] =
  "SELECT v.id, v.organisation_id FROM vehicles v WHERE v.id ="
  " coalesce ((SELECT vehicle_id FROM vehicle_aliases WHERE alias = $1), $1)";
static const char SQL_COUNT_SAMPLES[] =
  "SELECT coalesce (sum (count), 0) FROM sample_chunks"
  " WHERE session_id = $1 AND organisation_id = $2";
static const char SQL_FIND_VIN[] =
  "SELECT id FROM vehicles WHERE organisation_id = $1 AND vin = $2";
static const char SQL_READ_CURRENT[] =
  "SELECT data, version, changed_us, device_id FROM entities"
  " WHERE entity = $1 AND entity_id = $2 FOR UPDATE";
static const char SQL_UNSEQUENCED[] =
  "SELECT EXISTS (SELECT 1 FROM changes WHERE organisation_id = $1 AND cursor IS NULL)";
static const char SQL_PULL[] =
  "SELECT cursor, entity, entity_id, op, version, changed_us, device_id, data, conflict"
  " FROM changes WHERE organisation_id = $1 AND cursor > $2 AND applied AND device_id <> $3"
  " ORDER BY cursor LIMIT $4";
/* An owner's: one vehicle's changes, from their own index. */
static const char SQL_PULL_OWNER[] =
  "SELECT cursor, entity, entity_id, op, version, changed_us, device_id, data, conflict"
  " FROM changes WHERE vehicle_id = $4 AND organisation_id = $1 AND cursor > $2 AND applied"
  " AND device_id <> $3 ORDER BY cursor LIMIT $5";
/* A page of vehicles by id, each with counts from the index of its
 * records' states: one query for the whole page. */
static const char SQL_FLEET[] =
  "SELECT v.id, ve.data, s.active, s.pending, s.due, s.overdue, s.warnings, s.critical,"
  " s.sessions, s.last_session, s.last_change"
  " FROM (SELECT id FROM vehicles WHERE organisation_id = $1 AND id > $2"
  "       AND ($3::text IS NULL OR id = $3) ORDER BY id LIMIT $4) v"
  " LEFT JOIN entities ve ON ve.entity = 'vehicle' AND ve.entity_id = v.id"
  " CROSS JOIN LATERAL (SELECT"
  "   count (*) FILTER (WHERE e.entity = 'dtc_event' AND e.state = 'active') AS active,"
  "   count (*) FILTER (WHERE e.entity = 'dtc_event' AND e.state = 'pending') AS pending,"
  "   count (*) FILTER (WHERE e.entity = 'maintenance_item' AND e.state = 'due') AS due,"
  "   count (*) FILTER (WHERE e.entity = 'maintenance_item' AND e.state = 'overdue')"
  "     AS overdue,"
  "   count (*) FILTER (WHERE e.entity = 'notification' AND e.state = 'unread-warning')"
  "     AS warnings,"
  "   count (*) FILTER (WHERE e.entity = 'notification' AND e.state = 'unread-critical')"
  "     AS critical,"
  "   count (*) FILTER (WHERE e.entity = 'session') AS sessions,"
  "   max (e.changed_us) FILTER (WHERE e.entity = 'session') AS last_session,"
  "   max (e.changed_us) AS last_change"
  "   FROM entities e WHERE e.vehicle_id = v.id AND NOT e.deleted) s"
  " ORDER BY v.id";
static const char SQL_HISTORY_FIRST[] =
  "SELECT entity, entity_id, version, changed_us, device_id, data, state FROM entities"
  " WHERE vehicle_id = $1 AND NOT deleted AND entity <> 'vehicle'"
  " ORDER BY changed_us DESC, entity DESC, entity_id DESC LIMIT $2";
static const char SQL_HISTORY_NEXT[] =
  "SELECT entity, entity_id, version, changed_us, device_id, data, state FROM entities"
  " WHERE vehicle_id = $1 AND NOT deleted AND entity <> 'vehicle'"
  " AND (changed_us, entity, entity_id) < ($3, $4, $5)"
  " ORDER BY changed_us DESC, entity DESC, entity_id DESC LIMIT $2";
static const char SQL_ROOM_CODE[] =
  "SELECT id, vehicle_id, host_user_id, code_expires_us, organisation_id FROM rooms"
  " WHERE code_hash = $1 AND closed_us IS NULL FOR UPDATE";

static const ObdSyncPgQuery hot_queries[] = {
  { "token", SQL_TOKEN, "t" },
  { "seen", SQL_SEEN, "dn" },
  { "resolve-vehicle", SQL_RESOLVE_VEHICLE, "v" },
  { "find-vin", SQL_FIND_VIN, "oV" },
  { "count-samples", SQL_COUNT_SAMPLES, "so" },
  { "read-current", SQL_READ_CURRENT, "ei" },
  { "unsequenced", SQL_UNSEQUENCED, "o" },
  { "pull", SQL_PULL, "ondn" },
  { "pull-owner", SQL_PULL_OWNER, "ondvn" },
  { "fleet", SQL_FLEET, "oz-n" },
  { "fleet-owner", SQL_FLEET, "ozvn" },
  { "history-first", SQL_HISTORY_FIRST, "vn" },
  { "history-next", SQL_HISTORY_NEXT, "vnnei" },
  { "room-code", SQL_ROOM_CODE, "t" },
};

const ObdSyncPgQuery *
obd_sync_backend_pg_hot_queries (guint *n_queries)
{
  *n_queries = G_N_ELEMENTS (hot_queries);
  return hot_queries;
}

/* Shared lookups (pool thread) ----------------------------------------------- */

static gboolean
resolve_vehicle (gpointer     db,
                 const char  *id,
                 char       **out_vehicle,
                 char       **out_organisation,
                 GError     **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  *out_vehicle = NULL;
  if (out_organisation != NULL)
    *out_organisation = NULL;
  obd_pg_params_text (&params, id);
  result = obd_pg_exec (db, SQL_RESOLVE_VEHICLE, &params, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    {
      *out_vehicle = obd_pg_dup (result, 0, 0);
      if (out_organisation != NULL)
        *out_organisation = obd_pg_dup (result, 0, 1);
    }
  return TRUE;
}

/* Authenticate ---------------------------------------------------------------- */

static guint8 *
salt_from_hex (const char *hex,
               gsize      *out_length)
{
  gsize n = hex != NULL ? strlen (hex) / 2 : 0;
  guint8 *salt = g_malloc0 (n + 1);

  for (gsize i = 0; i < n; i++)
    salt[i] = (g_ascii_xdigit_value (hex[2 * i]) << 4) | g_ascii_xdigit_value (hex[2 * i + 1]);
  *out_length = n;
  return salt;
}

static gpointer
authenticate_job (ObdPgConn  *conn,
                  gpointer    data,
                  GError    **error)
{
  Request *r = data;
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_autofree guint8 *salt = NULL;
  g_autoptr(ObdSyncSession) session = g_new0 (ObdSyncSession, 1);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(PGresult) device = NULL;
  g_auto(ObdPgParams) params = { 0 };
  g_auto(ObdPgParams) device_params = { 0 };
  ObdSyncPrincipal *p;
  gsize salt_length = 0;
  gboolean row;

  if (!obd_sync_token_split (r->token, &id, &secret))
    return obd_sync_auth_failed (error), NULL;
  obd_pg_params_text (&params, id);
  result = obd_pg_exec (conn, SQL_TOKEN, &params, error);
  if (result == NULL)
    return NULL;
  row = PQntuples (result) > 0;
  if (row)
    salt = salt_from_hex (obd_pg_text (result, 0, 0), &salt_length);
  if (!obd_sync_token_check (row, salt, salt_length, row ? obd_pg_text (result, 0, 1) : NULL,
                             row && g_str_equal (obd_pg_text (result, 0, 2), "t"), secret))
    return obd_sync_auth_failed (error), NULL;

  p = session->principal = g_new0 (ObdSyncPrincipal, 1);
  p->user_id = obd_pg_dup (result, 0, 3);
  p->user_name = obd_pg_dup (result, 0, 4);
  p->organisation_id = obd_pg_dup (result, 0, 5);
  if (!obd_sync_role_from_string (obd_pg_text (result, 0, 6), &p->role))
    p->role = OBD_SYNC_ROLE_OWNER;  /* the least a damaged row can do */
  p->vehicle_id = obd_pg_dup (result, 0, 7);

  obd_pg_params_text (&device_params, r->device_id);
  obd_pg_params_text (&device_params, p->organisation_id);
  obd_pg_params_text (&device_params, p->user_id);
  obd_pg_params_text (&device_params, r->device_name);
  obd_pg_params_int (&device_params, g_get_real_time ());
  device = obd_pg_exec (conn, SQL_DEVICE, &device_params, error);
  if (device == NULL)
    return NULL;
  if (PQntuples (device) == 0)
    return forbidden (error, _("This PC synced with another organisation before. Use a token "
                               "of that organisation.")), NULL;
  session->pushed_seq = obd_pg_int (device, 0, 0);
  session->chain_seq = obd_pg_int (device, 0, 1);
  session->chain_hash = obd_pg_dup (device, 0, 2);
  return g_steal_pointer (&session);
}

static void
pg_authenticate_async (ObdSyncBackend      *backend,
                       const char          *token,
                       const char          *device_id,
                       const char          *device_name,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, NULL);

  r->token = g_strdup (token);
  r->device_id = g_strdup (device_id);
  r->device_name = g_strdup (device_name);
  queue (self, r, authenticate_job, (GDestroyNotify) obd_sync_session_free,
         pg_authenticate_async, cancellable, callback, user_data);
}

static ObdSyncSession *
pg_authenticate_finish (ObdSyncBackend  *backend,
                        GAsyncResult    *result,
                        GError         **error)
{
  return propagate (result, error);
}

/* Push ------------------------------------------------------------------------ */

#define PUSH_CONN(push) ((ObdPgConn *) (push)->db)

typedef struct
{
  ObdSyncPush push;
  guint       recorded;   /* change rows written (they need cursors) */
} PgPush;

static gboolean
op_seen (ObdSyncPush  *push,
         gint64        seq,
         gboolean     *out_seen,
         GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  obd_pg_params_text (&params, push->device_id);
  obd_pg_params_int (&params, seq);
  result = obd_pg_exec (PUSH_CONN (push), SQL_SEEN, &params, error);
  if (result == NULL)
    return FALSE;
  *out_seen = PQntuples (result) > 0;
  return TRUE;
}

static gboolean
op_store_samples (ObdSyncPush  *push,
                  JsonObject   *change,
                  GBytes       *packed,
                  gint64        first,
                  gint64        last,
                  GError      **error)
{
  JsonObject *data = json_object_get_object_member (change, "data");
  g_auto(ObdPgParams) params = { 0 };
  gsize size = 0;
  gconstpointer bytes = g_bytes_get_data (packed, &size);

  obd_pg_params_text (&params, push->device_id);
  obd_pg_params_int (&params, json_object_get_int_member (change, "seq"));
  obd_pg_params_int (&params, json_object_get_int_member (change, "part"));
  obd_pg_params_text (&params, push->principal->organisation_id);
  obd_pg_params_text (&params, json_object_get_string_member (change, "entityId"));
  obd_pg_params_int (&params, json_object_get_int_member (data, "count"));
  obd_pg_params_int (&params, first);
  obd_pg_params_int (&params, last);
  obd_pg_params_bytes (&params, bytes, size);
  return obd_pg_run (PUSH_CONN (push),
                     "INSERT INTO sample_chunks (device_id, device_seq, part, organisation_id,"
                     " session_id, count, first_us, last_us, data)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                     &params, error);
}

static gboolean
op_count_samples (ObdSyncPush  *push,
                  const char   *session_id,
                  gint64       *out_count,
                  GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  obd_pg_params_text (&params, session_id);
  obd_pg_params_text (&params, push->principal->organisation_id);
  result = obd_pg_exec (PUSH_CONN (push), SQL_COUNT_SAMPLES, &params, error);
  if (result == NULL)
    return FALSE;
  *out_count = obd_pg_int (result, 0, 0);
  return TRUE;
}

static gboolean
op_find_vin (ObdSyncPush  *push,
             const char   *vin,
             char        **out_vehicle,
             GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  *out_vehicle = NULL;
  obd_pg_params_text (&params, push->principal->organisation_id);
  obd_pg_params_text (&params, vin);
  result = obd_pg_exec (PUSH_CONN (push), SQL_FIND_VIN, &params, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    *out_vehicle = obd_pg_dup (result, 0, 0);
  return TRUE;
}

static gboolean
op_add_alias (ObdSyncPush  *push,
              const char   *id,
              const char   *vehicle,
              GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, id);
  obd_pg_params_text (&params, vehicle);
  return obd_pg_run (PUSH_CONN (push), "INSERT INTO vehicle_aliases (alias, vehicle_id)"
                                       " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                     &params, error);
}

static gboolean
op_add_vehicle (ObdSyncPush  *push,
                const char   *id,
                const char   *vin,
                char        **out_kept,
                GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;
  g_autofree char *existing = NULL;

  obd_pg_params_text (&params, id);
  obd_pg_params_text (&params, push->principal->organisation_id);
  obd_pg_params_text (&params, vin);
  /* Another instance may be registering the same VIN right now: the
   * insert then waits for it and does nothing, and the id becomes an
   * alias of the vehicle that won. */
  result = obd_pg_exec (PUSH_CONN (push), "INSERT INTO vehicles (id, organisation_id, vin)"
                                          " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
                                          " RETURNING id", &params, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    {
      *out_kept = g_strdup (id);
      return TRUE;
    }
  if (vin != NULL && !op_find_vin (push, vin, &existing, error))
    return FALSE;
  if (existing != NULL)
    {
      if (!op_add_alias (push, id, existing, error))
        return FALSE;
      *out_kept = g_steal_pointer (&existing);
      return TRUE;
    }
  /* The same id, registered meanwhile: whose is it? */
  return obd_sync_check_vehicle (push->ops, push->db, push->principal, id, out_kept, error);
}

static gboolean
op_read_current (ObdSyncPush     *push,
                 const char      *entity,
                 const char      *entity_id,
                 ObdSyncCurrent  *out,
                 GError         **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  memset (out, 0, sizeof *out);
  obd_pg_params_text (&params, entity);
  obd_pg_params_text (&params, entity_id);
  /* FOR UPDATE locks a record that exists; the advisory lock also covers
   * one that two instances create at once, so the conflict rule always
   * sees the other's edit. */
  if (obd_sync_entity_is_editable (entity)
      && !obd_pg_run (PUSH_CONN (push), "SELECT pg_advisory_xact_lock (hashtextextended ("
                                        "$1 || ':' || $2, 1))", &params, error))
    return FALSE;
  result = obd_pg_exec (PUSH_CONN (push), SQL_READ_CURRENT, &params, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    {
      out->exists = TRUE;
      out->data = obd_pg_dup (result, 0, 0);
      out->version = obd_pg_int (result, 0, 1);
      out->changed_us = obd_pg_int (result, 0, 2);
      out->device_id = obd_pg_dup (result, 0, 3);
    }
  return TRUE;
}

static gboolean
op_write_entity (ObdSyncPush  *push,
                 JsonObject   *change,
                 const char   *vehicle_id,
                 gint64        version,
                 const char   *data_text,
                 const char   *state,
                 GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, json_object_get_string_member (change, "entity"));
  obd_pg_params_text (&params, json_object_get_string_member (change, "entityId"));
  obd_pg_params_text (&params, push->principal->organisation_id);
  obd_pg_params_text (&params, vehicle_id);
  obd_pg_params_int (&params, version);
  obd_pg_params_text (&params, data_text);
  obd_pg_params_int (&params, json_object_get_int_member (change, "changedAt"));
  obd_pg_params_text (&params, push->device_id);
  obd_pg_params_bool (&params, g_str_equal (json_object_get_string_member (change, "op"),
                                            "delete"));
  obd_pg_params_text (&params, state);
  return obd_pg_run (PUSH_CONN (push),
                     "INSERT INTO entities (entity, entity_id, organisation_id, vehicle_id,"
                     " version, data, changed_us, device_id, deleted, state)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                     " ON CONFLICT (entity, entity_id) DO UPDATE SET vehicle_id = $4,"
                     " version = $5, data = $6, changed_us = $7, device_id = $8,"
                     " deleted = $9, state = $10", &params, error);
}

static gboolean
op_record_change (ObdSyncPush  *push,
                  JsonObject   *change,
                  const char   *vehicle_id,
                  gint64        version,
                  gboolean      applied,
                  const char   *data_text,
                  const char   *conflict_text,
                  GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, push->principal->organisation_id);
  obd_pg_params_text (&params, push->device_id);
  obd_pg_params_int (&params, json_object_get_int_member (change, "seq"));
  obd_pg_params_text (&params, json_object_get_string_member (change, "entity"));
  obd_pg_params_text (&params, json_object_get_string_member (change, "entityId"));
  obd_pg_params_text (&params, vehicle_id);
  obd_pg_params_text (&params, json_object_get_string_member (change, "op"));
  obd_pg_params_int (&params, version);
  obd_pg_params_bool (&params, applied);
  obd_pg_params_text (&params, data_text);
  obd_pg_params_int (&params, json_object_get_int_member (change, "changedAt"));
  obd_pg_params_int (&params, push->now);
  obd_pg_params_text (&params, conflict_text);
  if (!obd_pg_run (PUSH_CONN (push),
                   "INSERT INTO changes (organisation_id, device_id, device_seq, entity,"
                   " entity_id, vehicle_id, op, version, applied, data, changed_us,"
                   " received_us, conflict)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                   &params, error))
    return FALSE;
  ((PgPush *) push)->recorded++;
  return TRUE;
}

static gboolean
op_record_conflict (ObdSyncPush  *push,
                    const char   *entity,
                    const char   *entity_id,
                    const char   *winner_device,
                    const char   *loser_device,
                    const char   *winner_data,
                    const char   *loser_data,
                    GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, push->principal->organisation_id);
  obd_pg_params_text (&params, entity);
  obd_pg_params_text (&params, entity_id);
  obd_pg_params_text (&params, winner_device);
  obd_pg_params_text (&params, loser_device);
  obd_pg_params_text (&params, winner_data);
  obd_pg_params_text (&params, loser_data);
  obd_pg_params_int (&params, push->now);
  return obd_pg_run (PUSH_CONN (push),
                     "INSERT INTO conflicts (organisation_id, entity, entity_id, winner_device,"
                     " loser_device, winner_data, loser_data, resolved_us)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &params, error);
}

static gboolean
op_update_chain (ObdSyncPush  *push,
                 gint64        chain_seq,
                 const char   *hash,
                 GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_int (&params, chain_seq);
  obd_pg_params_text (&params, hash);
  obd_pg_params_text (&params, push->device_id);
  return obd_pg_run (PUSH_CONN (push), "UPDATE devices SET chain_seq = $1, chain_hash = $2"
                                       " WHERE id = $3 AND chain_seq < $1", &params, error);
}

static const ObdSyncPushOps push_ops = {
  .seen = op_seen,
  .store_samples = op_store_samples,
  .count_samples = op_count_samples,
  .resolve_vehicle = resolve_vehicle,
  .find_vin = op_find_vin,
  .add_alias = op_add_alias,
  .add_vehicle = op_add_vehicle,
  .read_current = op_read_current,
  .write_entity = op_write_entity,
  .record_change = op_record_change,
  .record_conflict = op_record_conflict,
  .update_chain = op_update_chain,
};

/* Gives the organisation's changes stored without a cursor their
 * cursors, in the order they were stored.  Its own transaction, after
 * theirs committed; the organisation's row lock orders concurrent runs,
 * and the numbering statement starts after the lock is held, so it sees
 * every change a run before it numbered. */
static gboolean
sequence (ObdPgConn   *conn,
          const char  *organisation_id,
          GError     **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_auto(ObdPgParams) numbering = { 0 };
  g_autoptr(PGresult) base = NULL;

  obd_pg_params_text (&params, organisation_id);
  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return FALSE;
  base = obd_pg_exec (conn, "SELECT last_cursor FROM organisations WHERE id = $1 FOR UPDATE",
                      &params, error);
  if (base == NULL)
    goto fail;
  if (PQntuples (base) == 0)
    {
      rollback (conn);
      return TRUE;
    }
  obd_pg_params_text (&numbering, organisation_id);
  obd_pg_params_int (&numbering, obd_pg_int (base, 0, 0));
  if (!obd_pg_run (conn,
                   "WITH pending AS (SELECT id, row_number () OVER (ORDER BY id) AS n"
                   "   FROM changes WHERE organisation_id = $1 AND cursor IS NULL),"
                   " numbered AS (UPDATE changes c SET cursor = $2 + p.n FROM pending p"
                   "   WHERE c.id = p.id AND c.cursor IS NULL RETURNING c.cursor)"
                   " UPDATE organisations SET last_cursor ="
                   " coalesce ((SELECT max (cursor) FROM numbered), last_cursor) WHERE id = $1",
                   &numbering, error)
      || !obd_pg_run_simple (conn, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  rollback (conn);
  return FALSE;
}

static gpointer
push_job (ObdPgConn  *conn,
          gpointer    data,
          GError    **error)
{
  Request *r = data;
  g_autoptr(ObdSyncPushResult) result = g_new0 (ObdSyncPushResult, 1);
  PgPush ctx = { { &push_ops, conn, r->principal, r->device_id, result, g_get_real_time () },
                 0 };
  g_auto(ObdPgParams) lock = { 0 };
  g_auto(ObdPgParams) ack = { 0 };
  g_autoptr(PGresult) device = NULL;
  guint n = json_array_get_length (r->changes);

  result->conflicts = json_array_new ();
  result->versions = json_array_new ();

  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return NULL;
  /* One push of a device at a time, on any instance: the same batch
   * retried through two instances is stored by the first and
   * acknowledged by the second. */
  obd_pg_params_text (&lock, r->device_id);
  if (!obd_pg_run (conn, "SELECT pg_advisory_xact_lock (hashtextextended ($1, 0))", &lock,
                   error))
    goto fail;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *change = json_array_get_object_element (r->changes, i);
      GError *refused = NULL;

      if (!obd_sync_push_change (&ctx.push, change, &refused))
        {
          /* Refused before it wrote anything (obd-sync-rules.h): the
           * changes before it stay; this one and the rest wait. */
          if (g_error_matches (refused, OBD_SYNC_ERROR, OBD_SYNC_ERROR_UNAVAILABLE))
            {
              g_propagate_error (error, refused);
              goto fail;
            }
          result->refused_seq = json_object_get_int_member (change, "seq");
          result->error = refused;
          break;
        }
    }

  obd_pg_params_int (&ack, result->acked_seq);
  obd_pg_params_int (&ack, ctx.push.now);
  obd_pg_params_text (&ack, r->device_id);
  device = obd_pg_exec (conn, "UPDATE devices SET acked_seq = greatest (acked_seq, $1),"
                              " last_seen_us = $2 WHERE id = $3 RETURNING chain_seq, chain_hash",
                        &ack, error);
  if (device == NULL)
    goto fail;
  if (PQntuples (device) > 0)
    {
      result->chain_seq = obd_pg_int (device, 0, 0);
      result->chain_hash = obd_pg_dup (device, 0, 1);
    }
  if (!obd_pg_run_simple (conn, "COMMIT", error))
    goto fail;

  /* Stored: a failure to number them now is made good by the next pull
   * of the organisation. */
  if (ctx.recorded > 0)
    {
      g_autoptr(GError) late = NULL;

      if (!sequence (conn, r->principal->organisation_id, &late))
        g_debug ("Numbering changes after a push: %s", late->message);
    }
  return g_steal_pointer (&result);

fail:
  rollback (conn);
  return NULL;
}

static void start_push (ObdSyncBackendPg *self,
                        GTask            *outer);

static void
on_push_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (source);
  g_autoptr(GTask) outer = data;
  Request *r = g_task_get_task_data (outer);
  GQueue *waiting = g_hash_table_lookup (self->pushing, r->device_id);
  GError *error = NULL;
  ObdSyncPushResult *pushed = g_task_propagate_pointer (G_TASK (result), &error);
  GTask *next = waiting != NULL ? g_queue_pop_head (waiting) : NULL;

  if (next != NULL)
    start_push (self, next);
  else
    g_hash_table_remove (self->pushing, r->device_id);
  if (pushed == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, pushed, (GDestroyNotify) obd_sync_push_result_free);
}

/* The pool's task borrows the request of the caller's. */
static void
start_push (ObdSyncBackendPg *self,
            GTask            *outer)
{
  GTask *inner = g_task_new (self, NULL, on_push_done_cb, outer);

  g_task_set_task_data (inner, g_task_get_task_data (outer), NULL);
  ensure_serving (self);
  obd_pg_pool_run (self->pool, inner, push_job, (GDestroyNotify) obd_sync_push_result_free);
}

/* A connection's pushes are pipelined, and the pool has many workers:
 * one device's pushes run one after the other, in the order they came,
 * or a session could be stored (and its seq acknowledged) before the
 * samples that travel ahead of it, which would then count as seen. */
static void
pg_push_async (ObdSyncBackend          *backend,
               const ObdSyncPrincipal  *principal,
               const char              *device_id,
               JsonArray               *changes,
               GCancellable            *cancellable,
               GAsyncReadyCallback      callback,
               gpointer                 user_data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, principal);
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  GQueue *waiting = g_hash_table_lookup (self->pushing, device_id);

  r->device_id = g_strdup (device_id);
  r->changes = json_array_ref (changes);
  g_task_set_source_tag (outer, pg_push_async);
  g_task_set_task_data (outer, r, (GDestroyNotify) request_free);
  if (waiting != NULL)
    {
      g_queue_push_tail (waiting, outer);
      return;
    }
  g_hash_table_insert (self->pushing, g_strdup (device_id), g_queue_new ());
  start_push (self, outer);
}

static ObdSyncPushResult *
pg_push_finish (ObdSyncBackend  *backend,
                GAsyncResult    *result,
                GError         **error)
{
  return propagate (result, error);
}

/* Pull ------------------------------------------------------------------------ */

static gpointer
pull_job (ObdPgConn  *conn,
          gpointer    data,
          GError    **error)
{
  Request *r = data;
  g_autoptr(JsonObject) payload = json_object_new ();
  g_auto(ObdPgParams) org = { 0 };
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) unsequenced = NULL;
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(PGresult) last = NULL;
  JsonArray *changes = json_array_new ();
  gint64 cursor = r->cursor;
  gboolean more;
  int n;

  json_object_set_array_member (payload, "changes", changes);
  obd_pg_params_text (&org, r->principal->organisation_id);
  unsequenced = obd_pg_exec (conn, SQL_UNSEQUENCED, &org, error);
  if (unsequenced == NULL)
    return NULL;
  if (g_str_equal (obd_pg_text (unsequenced, 0, 0), "t")
      && !sequence (conn, r->principal->organisation_id, error))
    return NULL;

  /* One snapshot for the page and the organisation's last cursor, so the
   * cursor never passes a change this page did not show. */
  if (!obd_pg_run_simple (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error))
    return NULL;
  obd_pg_params_text (&params, r->principal->organisation_id);
  obd_pg_params_int (&params, r->cursor);
  obd_pg_params_text (&params, r->device_id);
  if (r->principal->role == OBD_SYNC_ROLE_OWNER)
    obd_pg_params_text (&params, r->principal->vehicle_id);
  obd_pg_params_int (&params, (gint64) r->limit + 1);
  rows = obd_pg_exec (conn, r->principal->role == OBD_SYNC_ROLE_OWNER ? SQL_PULL_OWNER : SQL_PULL,
                      &params, error);
  if (rows == NULL)
    goto fail;
  n = PQntuples (rows);
  more = n > (int) r->limit;
  for (int i = 0; i < MIN (n, (int) r->limit); i++)
    {
      cursor = obd_pg_int (rows, i, 0);
      json_array_add_object_element (changes,
                                     obd_sync_pulled_change (cursor, obd_pg_text (rows, i, 1),
                                                             obd_pg_text (rows, i, 2),
                                                             obd_pg_text (rows, i, 3),
                                                             obd_pg_int (rows, i, 4),
                                                             obd_pg_int (rows, i, 5),
                                                             obd_pg_text (rows, i, 6),
                                                             obd_pg_text (rows, i, 7),
                                                             obd_pg_text (rows, i, 8)));
    }
  /* Nothing more for this device: skip the rows it may not or need not
   * see, so the next pull starts at the end. */
  if (!more)
    {
      last = obd_pg_exec (conn, "SELECT last_cursor FROM organisations WHERE id = $1", &org,
                          error);
      if (last == NULL)
        goto fail;
      if (PQntuples (last) > 0)
        cursor = MAX (cursor, obd_pg_int (last, 0, 0));
    }
  if (!obd_pg_run_simple (conn, "COMMIT", error))
    goto fail;
  json_object_set_int_member (payload, "cursor", cursor);
  json_object_set_boolean_member (payload, "more", more);
  return g_steal_pointer (&payload);

fail:
  rollback (conn);
  return NULL;
}

static void
pg_pull_async (ObdSyncBackend          *backend,
               const ObdSyncPrincipal  *principal,
               const char              *device_id,
               gint64                   cursor,
               guint                    limit,
               GCancellable            *cancellable,
               GAsyncReadyCallback      callback,
               gpointer                 user_data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, principal);

  r->device_id = g_strdup (device_id);
  r->cursor = cursor;
  r->limit = CLAMP (limit, 1, OBD_SYNC_MAX_PULL);
  queue (self, r, pull_job, (GDestroyNotify) json_object_unref, pg_pull_async, cancellable,
         callback, user_data);
}

static JsonObject *
pg_pull_finish (ObdSyncBackend  *backend,
                GAsyncResult    *result,
                GError         **error)
{
  return propagate (result, error);
}

/* Vehicle access ------------------------------------------------------------- */

static gpointer
vehicle_access_job (ObdPgConn  *conn,
                    gpointer    data,
                    GError    **error)
{
  Request *r = data;
  char *vehicle = NULL;

  if (!obd_sync_check_vehicle (&push_ops, conn, r->principal, r->vehicle_id, &vehicle, error))
    return NULL;
  return vehicle;
}

static void
pg_vehicle_access_async (ObdSyncBackend          *backend,
                         const ObdSyncPrincipal  *principal,
                         const char              *vehicle_id,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, principal);

  r->vehicle_id = g_strdup (vehicle_id);
  queue (self, r, vehicle_access_job, g_free, pg_vehicle_access_async, cancellable, callback,
         user_data);
}

static char *
pg_vehicle_access_finish (ObdSyncBackend  *backend,
                          GAsyncResult    *result,
                          GError         **error)
{
  return propagate (result, error);
}

/* Rooms ---------------------------------------------------------------------- */

static gboolean
add_member (ObdPgConn               *conn,
            Request                 *r,
            const char              *room_id,
            gboolean                 host,
            GError                 **error)
{
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, room_id);
  obd_pg_params_text (&params, r->member_id);
  obd_pg_params_text (&params, r->principal->user_id);
  obd_pg_params_text (&params, r->principal->user_name);
  obd_pg_params_text (&params, obd_sync_role_to_string (r->principal->role));
  obd_pg_params_bool (&params, host);
  obd_pg_params_int (&params, g_get_real_time ());
  obd_pg_params_text (&params, r->instance_id);
  return obd_pg_run (conn, "INSERT INTO room_members (room_id, member_id, user_id, user_name,"
                           " role, host, joined_us, instance_id)"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                           " ON CONFLICT (room_id, member_id) DO NOTHING", &params, error);
}

/* The presence list of a room, host first: members on every instance. */
static JsonArray *
list_members (ObdPgConn   *conn,
              const char  *room_id,
              GError     **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;
  JsonArray *members;

  obd_pg_params_text (&params, room_id);
  result = obd_pg_exec (conn, "SELECT user_id, user_name, role, host FROM room_members"
                              " WHERE room_id = $1 ORDER BY host DESC, joined_us, member_id",
                        &params, error);
  if (result == NULL)
    return NULL;
  members = json_array_new ();
  for (int i = 0; i < PQntuples (result); i++)
    json_array_add_object_element (members,
                                   obd_sync_room_member (obd_pg_text (result, i, 0),
                                                         obd_pg_text (result, i, 1),
                                                         obd_pg_text (result, i, 2),
                                                         g_str_equal (obd_pg_text (result, i, 3),
                                                                      "t")));
  return members;
}

/* The room's members after a change, numbered, inside the change's
 * transaction.  The UPDATE's row lock puts two changes of one room in
 * order and each lists what is committed before it plus its own change,
 * so the higher version always lists the newer members. */
static gboolean
list_presence (ObdPgConn    *conn,
               ObdSyncRoom  *room,
               GError      **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  obd_pg_params_text (&params, room->room_id);
  result = obd_pg_exec (conn, "UPDATE rooms SET presence_version = presence_version + 1"
                              " WHERE id = $1 RETURNING presence_version", &params, error);
  if (result == NULL)
    return FALSE;
  room->presence_version = PQntuples (result) > 0 ? obd_pg_int (result, 0, 0) : 0;
  room->members = list_members (conn, room->room_id, error);
  return room->members != NULL;
}

static gpointer
room_create_job (ObdPgConn  *conn,
                 gpointer    data,
                 GError    **error)
{
  Request *r = data;
  g_autoptr(ObdSyncRoom) room = g_new0 (ObdSyncRoom, 1);
  g_autofree char *code_hash = NULL;
  g_auto(ObdPgParams) params = { 0 };

  if (!obd_sync_room_may_create (r->principal, error)
      || !obd_sync_check_vehicle (&push_ops, conn, r->principal, r->vehicle_id,
                                  &room->vehicle_id, error))
    return NULL;
  room->room_id = g_uuid_string_random ();
  room->code = obd_sync_room_new_code ();
  room->host_user_id = g_strdup (r->principal->user_id);
  room->organisation_id = g_strdup (r->principal->organisation_id);
  room->expires_us = g_get_real_time () + OBD_SYNC_ROOM_CODE_LIFETIME_US;
  code_hash = obd_sync_room_hash_code (room->code);

  obd_pg_params_text (&params, room->room_id);
  obd_pg_params_text (&params, room->organisation_id);
  obd_pg_params_text (&params, room->vehicle_id);
  obd_pg_params_text (&params, room->host_user_id);
  obd_pg_params_text (&params, code_hash);
  obd_pg_params_int (&params, room->expires_us);
  obd_pg_params_int (&params, g_get_real_time ());
  obd_pg_params_text (&params, r->instance_id);
  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return NULL;
  if (!obd_pg_run (conn, "INSERT INTO rooms (id, organisation_id, vehicle_id, host_user_id,"
                         " code_hash, code_expires_us, created_us, host_instance)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &params, error)
      || !add_member (conn, r, room->room_id, TRUE, error)
      || !list_presence (conn, room, error)
      || !obd_pg_run_simple (conn, "COMMIT", error))
    {
      rollback (conn);
      return NULL;
    }
  return g_steal_pointer (&room);
}

static gpointer
room_join_job (ObdPgConn  *conn,
               gpointer    data,
               GError    **error)
{
  Request *r = data;
  g_autoptr(ObdSyncRoom) room = NULL;
  g_autofree char *code_hash = obd_sync_room_hash_code (r->code);
  g_auto(ObdPgParams) params = { 0 };
  g_auto(ObdPgParams) used = { 0 };
  g_autoptr(PGresult) result = NULL;

  if (!obd_sync_room_may_join (r->principal, error))
    return NULL;
  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return NULL;
  /* FOR UPDATE: two experts typing the code on two instances at once —
   * one gets the room, the other finds the code used. */
  obd_pg_params_text (&params, code_hash);
  result = obd_pg_exec (conn, SQL_ROOM_CODE, &params, error);
  if (result == NULL)
    goto fail;
  if (PQntuples (result) == 0 || obd_pg_int (result, 0, 3) < g_get_real_time ())
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                   _("This invitation code is unknown, used or expired. Ask the mechanic for "
                     "a new one."));
      goto fail;
    }
  room = g_new0 (ObdSyncRoom, 1);
  room->room_id = obd_pg_dup (result, 0, 0);
  room->vehicle_id = obd_pg_dup (result, 0, 1);
  room->host_user_id = obd_pg_dup (result, 0, 2);
  room->organisation_id = obd_pg_dup (result, 0, 4);
  obd_pg_params_text (&used, room->room_id);
  if (!obd_pg_run (conn, "UPDATE rooms SET code_hash = NULL WHERE id = $1", &used, error)
      || !add_member (conn, r, room->room_id, FALSE, error)
      || !list_presence (conn, room, error)
      || !obd_pg_run_simple (conn, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&room);

fail:
  rollback (conn);
  return NULL;
}

static gpointer
room_leave_job (ObdPgConn  *conn,
                gpointer    data,
                GError    **error)
{
  Request *r = data;
  g_autoptr(ObdSyncRoom) room = g_new0 (ObdSyncRoom, 1);
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, r->room_id);
  obd_pg_params_text (&params, r->member_id);
  room->room_id = g_strdup (r->room_id);
  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return NULL;
  if (!obd_pg_run (conn, "DELETE FROM room_members WHERE room_id = $1 AND member_id = $2",
                   &params, error)
      || !list_presence (conn, room, error)
      || !obd_pg_run_simple (conn, "COMMIT", error))
    {
      rollback (conn);
      return NULL;
    }
  return g_steal_pointer (&room);
}

static gpointer
room_close_job (ObdPgConn  *conn,
                gpointer    data,
                GError    **error)
{
  Request *r = data;
  g_autoptr(ObdSyncRoom) room = NULL;
  g_auto(ObdPgParams) params = { 0 };
  g_auto(ObdPgParams) closing = { 0 };
  g_autoptr(PGresult) result = NULL;

  obd_pg_params_text (&params, r->room_id);
  result = obd_pg_exec (conn, "SELECT vehicle_id, host_user_id, organisation_id FROM rooms"
                              " WHERE id = $1 AND closed_us IS NULL", &params, error);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) == 0)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_ROOM_CLOSED,
                   _("This room is closed or does not exist."));
      return NULL;
    }
  room = g_new0 (ObdSyncRoom, 1);
  room->room_id = g_strdup (r->room_id);
  room->vehicle_id = obd_pg_dup (result, 0, 0);
  room->host_user_id = obd_pg_dup (result, 0, 1);
  room->organisation_id = obd_pg_dup (result, 0, 2);
  if (!obd_sync_room_may_close (r->principal, room->host_user_id, room->organisation_id, error))
    return NULL;
  obd_pg_params_int (&closing, g_get_real_time ());
  obd_pg_params_text (&closing, room->room_id);
  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return NULL;
  if (!obd_pg_run (conn, "UPDATE rooms SET closed_us = $1, code_hash = NULL WHERE id = $2",
                   &closing, error)
      || !obd_pg_run (conn, "DELETE FROM room_members WHERE room_id = $1", &params, error)
      || !obd_pg_run_simple (conn, "COMMIT", error))
    {
      rollback (conn);
      return NULL;
    }
  return g_steal_pointer (&room);
}

static void
queue_room (ObdSyncBackend          *backend,
            const ObdSyncPrincipal  *principal,
            Request                 *r,
            ObdPgJob                 job,
            GCancellable            *cancellable,
            GAsyncReadyCallback      callback,
            gpointer                 user_data)
{
  queue (OBD_SYNC_BACKEND_PG (backend), r, job, (GDestroyNotify) obd_sync_room_free,
         queue_room, cancellable, callback, user_data);
}

static void
pg_room_create_async (ObdSyncBackend          *backend,
                      const ObdSyncPrincipal  *principal,
                      const char              *vehicle_id,
                      const char              *member_id,
                      GCancellable            *cancellable,
                      GAsyncReadyCallback      callback,
                      gpointer                 user_data)
{
  Request *r = request_new (OBD_SYNC_BACKEND_PG (backend), principal);

  r->vehicle_id = g_strdup (vehicle_id);
  r->member_id = g_strdup (member_id);
  queue_room (backend, principal, r, room_create_job, cancellable, callback, user_data);
}

static void
pg_room_join_async (ObdSyncBackend          *backend,
                    const ObdSyncPrincipal  *principal,
                    const char              *code,
                    const char              *member_id,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  Request *r = request_new (OBD_SYNC_BACKEND_PG (backend), principal);

  r->code = g_strdup (code);
  r->member_id = g_strdup (member_id);
  queue_room (backend, principal, r, room_join_job, cancellable, callback, user_data);
}

static void
pg_room_leave_async (ObdSyncBackend      *backend,
                     const char          *room_id,
                     const char          *member_id,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  Request *r = request_new (OBD_SYNC_BACKEND_PG (backend), NULL);

  r->room_id = g_strdup (room_id);
  r->member_id = g_strdup (member_id);
  queue_room (backend, NULL, r, room_leave_job, cancellable, callback, user_data);
}

static void
pg_room_close_async (ObdSyncBackend          *backend,
                     const ObdSyncPrincipal  *principal,
                     const char              *room_id,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  Request *r = request_new (OBD_SYNC_BACKEND_PG (backend), principal);

  r->room_id = g_strdup (room_id);
  queue_room (backend, principal, r, room_close_job, cancellable, callback, user_data);
}

static ObdSyncRoom *
pg_room_finish (ObdSyncBackend  *backend,
                GAsyncResult    *result,
                GError         **error)
{
  return propagate (result, error);
}

/* Paged queries ------------------------------------------------------------- */

static gpointer
fleet_job (ObdPgConn  *conn,
           gpointer    data,
           GError    **error)
{
  Request *r = data;
  g_autoptr(JsonObject) payload = json_object_new ();
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;
  JsonArray *vehicles = json_array_new ();
  int n;

  json_object_set_array_member (payload, "vehicles", vehicles);
  obd_pg_params_text (&params, r->principal->organisation_id);
  obd_pg_params_text (&params, r->code != NULL ? r->code : "");
  obd_pg_params_text (&params, r->principal->role == OBD_SYNC_ROLE_OWNER
                               ? r->principal->vehicle_id : NULL);
  obd_pg_params_int (&params, r->limit);
  result = obd_pg_exec (conn, SQL_FLEET, &params, error);
  if (result == NULL)
    return NULL;
  n = PQntuples (result);
  for (int i = 0; i < n; i++)
    {
      ObdSyncFleetRow row = {
        .vehicle_id = obd_pg_text (result, i, 0),
        .vehicle_data = obd_pg_text (result, i, 1),
        .active_codes = obd_pg_int (result, i, 2),
        .pending_codes = obd_pg_int (result, i, 3),
        .maintenance_due = obd_pg_int (result, i, 4),
        .maintenance_overdue = obd_pg_int (result, i, 5),
        .unread_warnings = obd_pg_int (result, i, 6),
        .unread_critical = obd_pg_int (result, i, 7),
        .sessions = obd_pg_int (result, i, 8),
        .last_session_us = obd_pg_int (result, i, 9),
        .last_change_us = obd_pg_int (result, i, 10),
      };

      json_array_add_object_element (vehicles, obd_sync_fleet_row_to_json (&row));
    }
  obd_sync_page_set_next_vehicle (payload, n == (int) r->limit && n > 0
                                           ? obd_pg_text (result, n - 1, 0) : NULL);
  return g_steal_pointer (&payload);
}

static gpointer
history_job (ObdPgConn  *conn,
             gpointer    data,
             GError    **error)
{
  Request *r = data;
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *vehicle = NULL;
  g_autofree char *last_key = NULL;
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;
  JsonArray *items = json_array_new ();
  int n;

  json_object_set_array_member (payload, "items", items);
  if (!obd_sync_check_vehicle (&push_ops, conn, r->principal, r->vehicle_id, &vehicle, error))
    return NULL;
  json_object_set_string_member (payload, "vehicleId", vehicle);
  obd_pg_params_text (&params, vehicle);
  obd_pg_params_int (&params, r->limit);
  if (r->key_entity != NULL)
    {
      obd_pg_params_int (&params, r->cursor);
      obd_pg_params_text (&params, r->key_entity);
      obd_pg_params_text (&params, r->key_id);
    }
  result = obd_pg_exec (conn, r->key_entity != NULL ? SQL_HISTORY_NEXT : SQL_HISTORY_FIRST,
                        &params, error);
  if (result == NULL)
    return NULL;
  n = PQntuples (result);
  for (int i = 0; i < n; i++)
    json_array_add_object_element (items,
                                   obd_sync_history_item (obd_pg_text (result, i, 0),
                                                          obd_pg_text (result, i, 1),
                                                          obd_pg_int (result, i, 2),
                                                          obd_pg_int (result, i, 3),
                                                          obd_pg_text (result, i, 4),
                                                          obd_pg_text (result, i, 5),
                                                          obd_pg_text (result, i, 6)));
  if (n > 0)
    last_key = obd_sync_history_key (obd_pg_text (result, n - 1, 0),
                                     obd_pg_text (result, n - 1, 1));
  obd_sync_page_set_next_history (payload, n == (int) r->limit,
                                  n > 0 ? obd_pg_int (result, n - 1, 3) : 0, last_key);
  return g_steal_pointer (&payload);
}

static void
pg_fleet_async (ObdSyncBackend          *backend,
                const ObdSyncPrincipal  *principal,
                const char              *after,
                guint                    limit,
                GCancellable            *cancellable,
                GAsyncReadyCallback      callback,
                gpointer                 user_data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, principal);

  r->code = g_strdup (after);
  r->limit = CLAMP (limit, 1, OBD_SYNC_MAX_PAGE);
  queue (self, r, fleet_job, (GDestroyNotify) json_object_unref, pg_fleet_async, cancellable,
         callback, user_data);
}

static void
pg_history_async (ObdSyncBackend          *backend,
                  const ObdSyncPrincipal  *principal,
                  const char              *vehicle_id,
                  gint64                   before_us,
                  const char              *before_key,
                  guint                    limit,
                  GCancellable            *cancellable,
                  GAsyncReadyCallback      callback,
                  gpointer                 user_data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, principal);

  r->vehicle_id = g_strdup (vehicle_id);
  r->cursor = before_us;
  if (before_us >= 0)
    obd_sync_history_key_split (before_key, &r->key_entity, &r->key_id);
  r->limit = CLAMP (limit, 1, OBD_SYNC_MAX_PAGE);
  queue (self, r, history_job, (GDestroyNotify) json_object_unref, pg_history_async,
         cancellable, callback, user_data);
}

static JsonObject *
pg_page_finish (ObdSyncBackend  *backend,
                GAsyncResult    *result,
                GError         **error)
{
  return propagate (result, error);
}

/* Live events ----------------------------------------------------------------- */

/* Delivered here at once, and to the other instances through the
 * organisation's channel; the echo of our own is ignored. */
static void
pg_publish (ObdSyncBackend *backend,
            const char     *organisation_id,
            const char     *vehicle_id,
            const char     *room_id,
            const char     *text)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);

  ensure_serving (self);
  if (organisation_id != NULL)
    obd_pg_notifier_publish (self->notifier, organisation_id, vehicle_id, room_id, text);
  _obd_sync_backend_emit_message (backend, organisation_id, vehicle_id, room_id, text);
}

static void
on_notified (const char *organisation_id,
             const char *vehicle_id,
             const char *room_id,
             const char *text,
             gpointer    user_data)
{
  _obd_sync_backend_emit_message (user_data, organisation_id, vehicle_id, room_id, text);
}

static void
pg_watch (ObdSyncBackend *backend,
          const char     *organisation_id)
{
  ensure_serving (OBD_SYNC_BACKEND_PG (backend));
  obd_pg_notifier_listen (OBD_SYNC_BACKEND_PG (backend)->notifier, organisation_id);
}

static void
pg_unwatch (ObdSyncBackend *backend,
            const char     *organisation_id)
{
  ensure_serving (OBD_SYNC_BACKEND_PG (backend));
  obd_pg_notifier_unlisten (OBD_SYNC_BACKEND_PG (backend)->notifier, organisation_id);
}

static JsonObject *
pg_dup_status (ObdSyncBackend *backend)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  JsonObject *status;

  ensure_serving (self);
  status = obd_pg_pool_dup_status (self->pool);
  obd_pg_notifier_add_status (self->notifier, status);
  /* The live-event connection notices a database that went away at once;
   * the pool only when it next needs a connection. */
  if (!json_object_get_boolean_member (status, "notify_connected"))
    json_object_set_boolean_member (status, "healthy", FALSE);
  return status;
}

/* Instances --------------------------------------------------------------------- */

/* What the heartbeat found: rooms whose host's instance is gone, and
 * rooms that lost members of a gone instance. */
typedef struct
{
  GPtrArray *closed;     /* ObdSyncRoom * */
  GPtrArray *shrunk;     /* ObdSyncRoom * with members */
} Reaped;

static void
reaped_free (Reaped *reaped)
{
  g_ptr_array_unref (reaped->closed);
  g_ptr_array_unref (reaped->shrunk);
  g_free (reaped);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reaped, reaped_free)

/* This instance is alive; instances silent for INSTANCE_DEAD_US are not
 * (killed, or cut off): their hosts' rooms close, their members leave. */
static gpointer
heartbeat_job (ObdPgConn  *conn,
               gpointer    data,
               GError    **error)
{
  Request *r = data;
  g_autoptr(Reaped) reaped = g_new0 (Reaped, 1);
  g_auto(ObdPgParams) beat = { 0 };
  g_auto(ObdPgParams) dead = { 0 };
  g_autoptr(PGresult) closed = NULL;
  g_autoptr(PGresult) left = NULL;
  gint64 now = g_get_real_time ();

  reaped->closed = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_sync_room_free);
  reaped->shrunk = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_sync_room_free);
  obd_pg_params_text (&beat, r->instance_id);
  obd_pg_params_int (&beat, now);
  if (!obd_pg_run (conn, "INSERT INTO instances (id, started_us, seen_us) VALUES ($1, $2, $2)"
                         " ON CONFLICT (id) DO UPDATE SET seen_us = $2", &beat, error))
    return NULL;

  obd_pg_params_int (&dead, now - INSTANCE_DEAD_US);
  if (!obd_pg_run_simple (conn, "BEGIN", error))
    return NULL;
  closed = obd_pg_exec (conn, "UPDATE rooms SET closed_us = $1, code_hash = NULL"
                              " WHERE closed_us IS NULL AND host_instance IS NOT NULL"
                              " AND NOT EXISTS (SELECT 1 FROM instances i"
                              "   WHERE i.id = rooms.host_instance AND i.seen_us >= $1)"
                              " RETURNING id, organisation_id", &dead, error);
  if (closed == NULL
      || !obd_pg_run (conn, "DELETE FROM room_members m USING rooms r"
                            " WHERE r.id = m.room_id AND r.closed_us IS NOT NULL", NULL, error))
    goto fail;
  left = obd_pg_exec (conn, "WITH gone AS (DELETE FROM room_members m"
                            "   WHERE NOT EXISTS (SELECT 1 FROM instances i"
                            "     WHERE i.id = m.instance_id AND i.seen_us >= $1)"
                            "   RETURNING room_id)"
                            " SELECT DISTINCT r.id, r.organisation_id FROM gone g"
                            " JOIN rooms r ON r.id = g.room_id", &dead, error);
  if (left == NULL
      || !obd_pg_run (conn, "DELETE FROM instances WHERE seen_us < $1", &dead, error)
      || !obd_pg_run_simple (conn, "COMMIT", error))
    goto fail;

  for (int i = 0; i < PQntuples (closed); i++)
    {
      ObdSyncRoom *room = g_new0 (ObdSyncRoom, 1);

      room->room_id = obd_pg_dup (closed, i, 0);
      room->organisation_id = obd_pg_dup (closed, i, 1);
      g_ptr_array_add (reaped->closed, room);
    }
  for (int i = 0; i < PQntuples (left); i++)
    {
      g_autoptr(ObdSyncRoom) room = g_new0 (ObdSyncRoom, 1);

      room->room_id = obd_pg_dup (left, i, 0);
      room->organisation_id = obd_pg_dup (left, i, 1);
      if (!obd_pg_run_simple (conn, "BEGIN", error))
        return NULL;
      if (!list_presence (conn, room, error) || !obd_pg_run_simple (conn, "COMMIT", error))
        goto fail;
      g_ptr_array_add (reaped->shrunk, g_steal_pointer (&room));
    }
  return g_steal_pointer (&reaped);

fail:
  rollback (conn);
  return NULL;
}

static void
on_heartbeat_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(Reaped) reaped = g_task_propagate_pointer (G_TASK (result), &error);

  self->heartbeat_running = FALSE;
  if (reaped == NULL)
    {
      g_debug ("Heartbeat: %s", error->message);
      return;
    }
  /* Told to every instance, this one included, as the server itself
   * would: the rooms' members hear it wherever they are connected. */
  for (guint i = 0; i < reaped->closed->len; i++)
    {
      ObdSyncRoom *room = g_ptr_array_index (reaped->closed, i);
      g_autofree char *text = obd_sync_room_closed_text (room->room_id, "host_left");

      pg_publish (OBD_SYNC_BACKEND (self), room->organisation_id, NULL, room->room_id, text);
    }
  for (guint i = 0; i < reaped->shrunk->len; i++)
    {
      ObdSyncRoom *room = g_ptr_array_index (reaped->shrunk, i);
      g_autofree char *text = obd_sync_room_presence_text (room);

      pg_publish (OBD_SYNC_BACKEND (self), room->organisation_id, NULL, room->room_id, text);
    }
}

static gboolean
heartbeat_cb (gpointer data)
{
  ObdSyncBackendPg *self = data;

  if (!self->heartbeat_running)
    {
      self->heartbeat_running = TRUE;
      queue (self, request_new (self, NULL), heartbeat_job, (GDestroyNotify) reaped_free, NULL,
             NULL, on_heartbeat_done_cb, NULL);
    }
  return G_SOURCE_CONTINUE;
}

/* Admin (synchronous, on a connection of the caller's) -------------------------- */

static char *
random_hex (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  GString *text = g_string_sized_new (n_bytes * 2);

  obd_sync_random_bytes (bytes, n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (text, "%02x", bytes[i]);
  return g_string_free (text, FALSE);
}

static gpointer
run_admin (ObdSyncBackendPg  *self,
           ObdPgJob           job,
           Request           *r,
           GError           **error)
{
  g_autoptr(Request) owned = r;
  g_autoptr(ObdPgConn) conn = obd_pg_conn_open (self->conninfo, error);

  if (conn == NULL)
    return NULL;
  return job (conn, r, error);
}

static gboolean
exists (ObdPgConn   *conn,
        const char  *sql,
        const char  *id,
        GError     **error)
{
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;

  obd_pg_params_text (&params, id);
  result = obd_pg_exec (conn, sql, &params, error);
  return result != NULL && PQntuples (result) > 0;
}

static gpointer
create_organisation_job (ObdPgConn  *conn,
                         gpointer    data,
                         GError    **error)
{
  Request *r = data;
  g_autofree char *id = g_uuid_string_random ();
  g_auto(ObdPgParams) params = { 0 };

  obd_pg_params_text (&params, id);
  obd_pg_params_text (&params, r->name);
  obd_pg_params_int (&params, g_get_real_time ());
  if (!obd_pg_run (conn, "INSERT INTO organisations (id, name, created_us) VALUES ($1, $2, $3)",
                   &params, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gpointer
create_user_job (ObdPgConn  *conn,
                 gpointer    data,
                 GError    **error)
{
  Request *r = data;
  g_autofree char *id = g_uuid_string_random ();
  g_auto(ObdPgParams) params = { 0 };
  GError *local_error = NULL;

  if (!exists (conn, "SELECT 1 FROM organisations WHERE id = $1", r->organisation_id,
               &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                     _("There is no organisation “%s”. “obd2-syncd admin list” shows them."),
                     r->organisation_id);
      return NULL;
    }
  obd_pg_params_text (&params, id);
  obd_pg_params_text (&params, r->organisation_id);
  obd_pg_params_text (&params, r->name);
  obd_pg_params_text (&params, obd_sync_role_to_string (r->role));
  obd_pg_params_text (&params, r->vehicle_id);
  obd_pg_params_int (&params, g_get_real_time ());
  if (!obd_pg_run (conn, "INSERT INTO users (id, organisation_id, name, role, vehicle_id,"
                         " created_us) VALUES ($1, $2, $3, $4, $5, $6)", &params, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gpointer
create_token_job (ObdPgConn  *conn,
                  gpointer    data,
                  GError    **error)
{
  Request *r = data;
  g_autofree char *id = random_hex (8);
  g_autofree char *secret = random_hex (32);
  g_autofree char *salt_hex = NULL;
  g_autofree char *hash = NULL;
  g_auto(ObdPgParams) params = { 0 };
  guint8 salt[16];
  GError *local_error = NULL;

  if (!exists (conn, "SELECT 1 FROM users WHERE id = $1", r->name, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                     _("There is no user “%s”. “obd2-syncd admin list” shows them."), r->name);
      return NULL;
    }
  obd_sync_random_bytes (salt, sizeof salt);
  hash = obd_sync_token_hash (salt, sizeof salt, secret);
  {
    GString *hex = g_string_new (NULL);

    for (gsize i = 0; i < sizeof salt; i++)
      g_string_append_printf (hex, "%02x", salt[i]);
    salt_hex = g_string_free (hex, FALSE);
  }
  obd_pg_params_text (&params, id);
  obd_pg_params_text (&params, r->name);
  obd_pg_params_text (&params, salt_hex);
  obd_pg_params_text (&params, hash);
  obd_pg_params_int (&params, g_get_real_time ());
  if (!obd_pg_run (conn, "INSERT INTO tokens (id, user_id, salt, hash, created_us)"
                         " VALUES ($1, $2, $3, $4, $5)", &params, error))
    return NULL;
  return g_strdup_printf ("obd2_%s_%s", id, secret);
}

static gpointer
revoke_job (ObdPgConn  *conn,
            gpointer    data,
            GError    **error)
{
  Request *r = data;
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_auto(ObdPgParams) params = { 0 };
  g_autoptr(PGresult) result = NULL;
  const char *key = r->name;

  if (obd_sync_token_split (r->name, &id, &secret))
    key = id;
  obd_pg_params_int (&params, g_get_real_time ());
  obd_pg_params_text (&params, key);
  result = obd_pg_exec (conn, "UPDATE tokens SET revoked_us = $1 WHERE (id = $2 OR user_id = $2)"
                              " AND revoked_us IS NULL RETURNING id", &params, error);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) == 0)
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NOT_FOUND,
                   _("No active token matches “%s”. Give a token, its id or a user id."), key);
      return NULL;
    }
  return g_strdup_printf ("%d", PQntuples (result));
}

static gboolean
add_rows (ObdPgConn    *conn,
          JsonBuilder  *b,
          const char   *member,
          const char   *sql,
          GError      **error)
{
  g_autoptr(PGresult) result = obd_pg_exec (conn, sql, NULL, error);

  if (result == NULL)
    return FALSE;
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (int i = 0; i < PQntuples (result); i++)
    {
      json_builder_begin_object (b);
      for (int c = 0; c < PQnfields (result); c++)
        {
          json_builder_set_member_name (b, PQfname (result, c));
          if (PQgetisnull (result, i, c))
            json_builder_add_null_value (b);
          else if (PQftype (result, c) == 20 || PQftype (result, c) == 23)  /* int8, int4 */
            json_builder_add_int_value (b, obd_pg_int (result, i, c));
          else
            json_builder_add_string_value (b, obd_pg_text (result, i, c));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return TRUE;
}

static gpointer
list_accounts_job (ObdPgConn  *conn,
                   gpointer    data,
                   GError    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (!add_rows (conn, b, "organisations",
                 "SELECT id, name FROM organisations ORDER BY created_us", error)
      || !add_rows (conn, b, "users",
                    "SELECT u.id, u.organisation_id, u.name, u.role, u.vehicle_id,"
                    " (SELECT count (*) FROM tokens t WHERE t.user_id = u.id"
                    "  AND t.revoked_us IS NULL)::integer AS active_tokens"
                    " FROM users u ORDER BY u.created_us", error)
      || !add_rows (conn, b, "devices",
                    "SELECT id, organisation_id, user_id, name, acked_seq, chain_seq,"
                    " last_seen_us FROM devices ORDER BY last_seen_us DESC NULLS LAST", error))
    return NULL;
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
pg_create_organisation (ObdSyncBackend  *backend,
                        const char      *name,
                        GError         **error)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, NULL);

  r->name = g_strdup (name);
  return run_admin (self, create_organisation_job, r, error);
}

static char *
pg_create_user (ObdSyncBackend  *backend,
                const char      *organisation_id,
                const char      *name,
                ObdSyncRole      role,
                const char      *vehicle_id,
                GError         **error)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, NULL);

  r->organisation_id = g_strdup (organisation_id);
  r->name = g_strdup (name);
  r->role = role;
  r->vehicle_id = g_strdup (vehicle_id);
  return run_admin (self, create_user_job, r, error);
}

static char *
pg_create_token (ObdSyncBackend  *backend,
                 const char      *user_id,
                 GError         **error)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, NULL);

  r->name = g_strdup (user_id);
  return run_admin (self, create_token_job, r, error);
}

static gboolean
pg_revoke (ObdSyncBackend  *backend,
           const char      *token_or_user,
           GError         **error)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);
  Request *r = request_new (self, NULL);
  g_autofree char *count = NULL;

  r->name = g_strdup (token_or_user);
  count = run_admin (self, revoke_job, r, error);
  return count != NULL;
}

static JsonNode *
pg_list_accounts (ObdSyncBackend  *backend,
                  GError         **error)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (backend);

  return run_admin (self, list_accounts_job, request_new (self, NULL), error);
}

/* GObject ------------------------------------------------------------------------ */

static void
obd_sync_backend_pg_dispose (GObject *object)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (object);

  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
  g_clear_pointer (&self->notifier, obd_pg_notifier_free);
  g_clear_pointer (&self->pool, obd_pg_pool_free);
  G_OBJECT_CLASS (obd_sync_backend_pg_parent_class)->dispose (object);
}

static void
obd_sync_backend_pg_finalize (GObject *object)
{
  ObdSyncBackendPg *self = OBD_SYNC_BACKEND_PG (object);

  g_free (self->conninfo);
  g_free (self->instance_id);
  g_hash_table_unref (self->pushing);
  G_OBJECT_CLASS (obd_sync_backend_pg_parent_class)->finalize (object);
}

static void
obd_sync_backend_pg_class_init (ObdSyncBackendPgClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = obd_sync_backend_pg_dispose;
  object_class->finalize = obd_sync_backend_pg_finalize;
}

static void
free_waiting (GQueue *waiting)
{
  g_queue_free_full (waiting, g_object_unref);
}

static void
obd_sync_backend_pg_init (ObdSyncBackendPg *self)
{
  self->instance_id = g_uuid_string_random ();
  self->pushing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) free_waiting);
}

ObdSyncBackend *
obd_sync_backend_pg_new (const char             *conninfo,
                         const ObdPgPoolConfig  *config,
                         GError                **error)
{
  g_autoptr(ObdSyncBackendPg) self = NULL;
  g_autoptr(ObdPgConn) conn = NULL;

  g_return_val_if_fail (conninfo != NULL, NULL);

  self = g_object_new (OBD_TYPE_SYNC_BACKEND_PG, NULL);
  self->conninfo = g_strdup (conninfo);
  conn = obd_pg_conn_open (conninfo, error);
  if (conn == NULL || !migrate (conn, error))
    return NULL;
  if (config != NULL)
    self->config = *config;
  else
    obd_pg_pool_config_init_default (&self->config);
  return OBD_SYNC_BACKEND (g_steal_pointer (&self));
}

const char *
obd_sync_backend_pg_get_instance (ObdSyncBackendPg *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND_PG (self), NULL);
  return self->instance_id;
}

static void
backend_iface_init (ObdSyncBackendInterface *iface)
{
  iface->authenticate_async = pg_authenticate_async;
  iface->authenticate_finish = pg_authenticate_finish;
  iface->push_async = pg_push_async;
  iface->push_finish = pg_push_finish;
  iface->pull_async = pg_pull_async;
  iface->pull_finish = pg_pull_finish;
  iface->vehicle_access_async = pg_vehicle_access_async;
  iface->vehicle_access_finish = pg_vehicle_access_finish;
  iface->room_create_async = pg_room_create_async;
  iface->room_join_async = pg_room_join_async;
  iface->room_leave_async = pg_room_leave_async;
  iface->room_close_async = pg_room_close_async;
  iface->room_finish = pg_room_finish;
  iface->publish = pg_publish;
  iface->watch = pg_watch;
  iface->unwatch = pg_unwatch;
  iface->dup_status = pg_dup_status;
  iface->fleet_async = pg_fleet_async;
  iface->history_async = pg_history_async;
  iface->page_finish = pg_page_finish;
  iface->create_organisation = pg_create_organisation;
  iface->create_user = pg_create_user;
  iface->create_token = pg_create_token;
  iface->revoke = pg_revoke;
  iface->list_accounts = pg_list_accounts;
}
