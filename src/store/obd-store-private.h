/* obd-store-private.h — shared internals of the store, the recorder and the
 * exporter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "obd-recorder.h"
#include "obd-store.h"

G_BEGIN_DECLS

typedef sqlite3_stmt ObdStmt;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStmt, sqlite3_finalize)

/* PRAGMA application_id of our files: "OBD2".  A SQLite file with another
 * id is another program's. */
#define OBD_STORE_APPLICATION_ID 0x4F424432

/* The schema this program writes (PRAGMA user_version). */
#define OBD_STORE_SCHEMA_VERSION 6

/* How long a connection waits for another one's write lock, and how often
 * it tries meanwhile. */
#define OBD_STORE_BUSY_TIMEOUT_MS 5000
#define OBD_STORE_BUSY_POLL_US    1000

/* Always returns FALSE, so callers can `return _obd_store_set_error (...)`.
 * Reads the message of db right away: call it before anything else runs
 * on that connection. */
gboolean  _obd_store_set_error       (sqlite3     *db,
                                      int          rc,
                                      const char  *context,
                                      GError     **error);
gboolean  _obd_store_exec            (sqlite3     *db,
                                      const char  *sql,
                                      GError     **error);
ObdStmt  *_obd_store_prepare         (sqlite3     *db,
                                      const char  *sql,
                                      GError     **error);
/* Steps a statement that returns no row. */
gboolean  _obd_store_step_done       (sqlite3     *db,
                                      ObdStmt     *stmt,
                                      GError     **error);
/* BEGIN IMMEDIATE: takes the write lock up front, so a transaction never
 * fails half-way on a lock upgrade another connection holds. */
gboolean  _obd_store_begin           (sqlite3     *db,
                                      GError     **error);
gboolean  _obd_store_commit          (sqlite3     *db,
                                      GError     **error);
void      _obd_store_rollback        (sqlite3     *db);

/* Text column or NULL, copied. */
char     *_obd_store_column_dup      (ObdStmt     *stmt,
                                      int          column);
/* Binds text, or NULL for a NULL or empty string. */
void      _obd_store_bind_text       (ObdStmt     *stmt,
                                      int          column,
                                      const char  *text);

/* The store's own connection, for the chain and export code. */
sqlite3  *_obd_store_get_db          (ObdStore    *self);

/* Opens a writing connection to a file that is known to be ours and sets
 * the connection's pragmas (WAL, foreign keys, busy timeout, synchronous).
 * Readers connect through obd_store_open (OBD_STORE_OPEN_READ_ONLY). */
int       _obd_store_exec_at_open   (sqlite3     *db,
                                      const char  *sql);
sqlite3  *_obd_store_connect         (const char  *path,
                                      GError     **error);
/* How long a connection waits for another's write lock (every connection
 * of the store waits OBD_STORE_BUSY_TIMEOUT_MS; tests set less). */
void      _obd_store_set_busy_timeout (sqlite3    *db,
                                       int         timeout_ms);

/* Runs the forward migrations from version from to OBD_STORE_SCHEMA_VERSION
 * inside the caller's transaction. */
gboolean  _obd_store_schema_migrate  (sqlite3     *db,
                                      int          from,
                                      GError     **error);

/* Appends an outbox row; payload is consumed.  A NULL payload (building
 * it failed, with error set) returns FALSE. */
gboolean  _obd_store_outbox_add      (sqlite3     *db,
                                      const char  *entity,
                                      const char  *entity_id,
                                      const char  *op,
                                      JsonNode    *payload,
                                      GError     **error);

ObdStoreSession *_obd_store_read_session (sqlite3  *db,
                                          gint64    session_id,
                                          GError  **error);
JsonNode        *_obd_store_session_to_json (const ObdStoreSession *session);
ObdStoreVehicle *_obd_store_read_vehicle    (sqlite3  *db,
                                             gint64    vehicle_id,
                                             GError  **error);
JsonNode        *_obd_store_vehicle_to_json (const ObdStoreVehicle *vehicle);
const char      *_obd_store_dtc_kind_to_string (ObdDtcKind kind);
gboolean         _obd_store_session_status_from_string (const char            *text,
                                                        ObdStoreSessionStatus *out_status);

/* Fails with OBD_STORE_ERROR_NOT_FOUND or _SESSION_CLOSED unless the
 * session exists and is still recording. */
gboolean          _obd_store_check_session_recording (sqlite3  *db,
                                                      gint64    session_id,
                                                      GError  **error);
/* A row of SQL_DTC_COLUMNS. */
ObdStoreDtcEvent *_obd_store_read_dtc_event          (ObdStmt  *stmt);
/* Records a Mode 04 of the vehicle (obd-store-health.c), inside the
 * caller's transaction. */
gboolean          _obd_store_log_clear               (sqlite3     *db,
                                                      gint64       vehicle_id,
                                                      const char  *cleared_by,
                                                      gint64       cleared_us,
                                                      GError     **error);

/* Hash chain (obd-store-chain.c). */
char     *_obd_store_compute_hash    (sqlite3     *db,
                                      gint64       session_id,
                                      const char  *prev_hash,
                                      GError     **error);
/* Ends a session still in "recording": sets status and end time, links it
 * to the chain and writes its outbox row.  Inside the caller's
 * transaction.  Does nothing when the session already ended. */
gboolean  _obd_store_seal_session    (sqlite3     *db,
                                      gint64       session_id,
                                      ObdStoreSessionStatus status,
                                      gint64       ended_us,
                                      GError     **error);

/* Recording locks: a recorder holds flock() on "<db>-recording-<uuid>.lock"
 * for as long as its session records.  The kernel drops the lock when the
 * process dies however it dies, so an opener that can take the lock knows
 * the session was abandoned.  flock() rather than a process id: ids are
 * reused, and each Flatpak instance has its own pid namespace. */
int       _obd_store_session_lock_acquire (const char  *db_path,
                                           const char  *uuid,
                                           GError     **error);
void      _obd_store_session_lock_release (const char  *db_path,
                                           const char  *uuid,
                                           int          fd);
/* TRUE while a recorder holds the lock.  remove_stale: a lock file left
 * by a recorder that died is deleted (writers only; readers never write). */
gboolean  _obd_store_session_lock_is_held (const char  *db_path,
                                           const char  *uuid,
                                           gboolean     remove_stale);

/* Row readers and JSON payload helpers of obd-store.c, for the other files
 * of the store.  A reader builds one row's struct from a stepped statement;
 * query_one fails with OBD_STORE_ERROR_NOT_FOUND and not_found when there
 * is no row. */
typedef gpointer (*ObdStoreRowReader) (ObdStmt *stmt);
gpointer   _obd_store_query_one   (sqlite3           *db,
                                   ObdStmt           *stmt,
                                   ObdStoreRowReader  reader,
                                   const char        *not_found,
                                   GError           **error);
GPtrArray *_obd_store_query_all   (sqlite3           *db,
                                   ObdStmt           *stmt,
                                   ObdStoreRowReader  reader,
                                   GDestroyNotify     free_func,
                                   GError           **error);
/* A string member, null for NULL. */
void       _obd_store_json_add_string    (JsonBuilder *b,
                                          const char  *name,
                                          const char  *value);
/* The UUID of row id of table as member name (null for 0): the server
 * knows rows by UUID, never by local id.  A failed lookup fails. */
gboolean   _obd_store_json_add_reference (JsonBuilder  *b,
                                          sqlite3      *db,
                                          const char   *name,
                                          const char   *table,
                                          gint64        id,
                                          GError      **error);

/* For tests: the recorder connection's PRAGMA max_page_count, to make
 * SQLITE_FULL happen without filling a disk. */
gboolean  _obd_recorder_set_page_limit (ObdRecorder  *self,
                                        gint64        max_pages,
                                        GError      **error);

G_END_DECLS
