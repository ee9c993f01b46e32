/* obd-store-sync.h — the store's side of syncing with the shop's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the sync client (src/sync/) needs from the local store: this PC's
 * device id, the cursor of the last change pulled from the server, the
 * highest outbox sequence the server stored, the chain head the server
 * holds (the anchor that makes deleting the newest sessions detectable),
 * the server version of each synced row, and the conflict history.
 *
 * Changes pulled from the server are applied here without outbox rows:
 * they came from the server and must not go back to it.  Like the rest of
 * ObdStore, call these from the thread that owns the store.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "obd-store.h"

G_BEGIN_DECLS

typedef struct
{
  char   *device_id;     /* random UUID, fixed for the life of the store */
  char   *server_url;    /* the server the cursor belongs to, or NULL */
  gint64  cursor;        /* server cursor of the last change pulled, 0 none */
  gint64  pushed_seq;    /* highest outbox seq the server stored, 0 none */
  gint64  anchor_seq;    /* chain position the server holds, 0 none */
  char   *anchor_hash;   /* hash of the session at anchor_seq */
  gint64  last_sync_us;  /* end of the last complete push and pull, 0 never */
} ObdStoreSyncState;

typedef struct
{
  gint64  id;
  char   *entity;
  char   *entity_id;
  gboolean local_won;    /* this PC's version was kept */
  char   *local_data;    /* JSON of this PC's version (NULL if unknown) */
  char   *remote_data;   /* JSON of the other PC's version */
  char   *remote_device;
  gint64  resolved_us;
} ObdStoreSyncConflict;

/* One recorded sample as it travels to the server. */
typedef struct
{
  gint64  time_us;
  double  value;
  guint32 ecu;
  guint8  service;
  guint8  pid;
  guint8  index;
} ObdStoreSyncSample;

/* Where a chunked read of a session's samples goes on from: the key of
 * the last sample read.  All zero starts at the beginning. */
typedef struct
{
  guint8  service;
  guint8  pid;
  guint8  index;
  gint64  time_us;
  guint32 ecu;
  gboolean started;
} ObdStoreSyncSampleKey;

void obd_store_sync_state_free    (ObdStoreSyncState    *state);
void obd_store_sync_conflict_free (ObdStoreSyncConflict *conflict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreSyncState, obd_store_sync_state_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreSyncConflict, obd_store_sync_conflict_free)

ObdStoreSyncState *obd_store_sync_get_state      (ObdStore     *self,
                                                  GError      **error);
/* Outbox rows not yet stored by the server. */
gint64             obd_store_sync_count_pending  (ObdStore     *self,
                                                  GError      **error);
/* Remembers which server this store syncs with.  Moving to another server
 * starts its cursor and anchor afresh; changes the old server already
 * stored are not sent again. */
gboolean           obd_store_sync_set_server     (ObdStore     *self,
                                                  const char   *url,
                                                  GError      **error);
gboolean           obd_store_sync_set_cursor     (ObdStore     *self,
                                                  gint64        cursor,
                                                  GError      **error);
/* The server stored every change up to up_to_seq: those outbox rows go,
 * pushed_seq moves on. */
gboolean           obd_store_sync_ack            (ObdStore     *self,
                                                  gint64        up_to_seq,
                                                  GError      **error);
/* The server holds this device's chain up to the session at chain
 * position seq with this hash. */
gboolean           obd_store_sync_set_anchor     (ObdStore     *self,
                                                  gint64        seq,
                                                  const char   *hash,
                                                  GError      **error);
gboolean           obd_store_sync_mark_synced    (ObdStore     *self,
                                                  gint64        time_us,
                                                  GError      **error);

/* Server version of a row, 0 when the server has not told one. */
gint64             obd_store_sync_get_version    (ObdStore     *self,
                                                  const char   *entity,
                                                  const char   *entity_id,
                                                  GError      **error);
gboolean           obd_store_sync_set_version    (ObdStore     *self,
                                                  const char   *entity,
                                                  const char   *entity_id,
                                                  gint64        version,
                                                  GError      **error);

/* Applies a change pulled from the server (entity "vehicle",
 * "maintenance_item", "note", "notification", "dtc_event"; "session" rows
 * stay on the server) and records its version, all in one transaction.
 * A row with an outbox entry not yet pushed is left alone (the push
 * resolves it), and so is a change older than the version this store
 * already has: *out_applied is then FALSE.  A change that refers to a
 * vehicle this store does not have is skipped the same way.  Fails on
 * data that does not fit the row (OBD_STORE_ERROR_FAILED). */
gboolean           obd_store_sync_apply          (ObdStore     *self,
                                                  const char   *entity,
                                                  const char   *entity_id,
                                                  const char   *op,
                                                  JsonObject   *data,
                                                  gint64        version,
                                                  gboolean     *out_applied,
                                                  GError      **error);

gboolean           obd_store_sync_add_conflict   (ObdStore                   *self,
                                                  const ObdStoreSyncConflict *conflict,
                                                  GError                    **error);
/* Element type ObdStoreSyncConflict, newest first. */
GPtrArray         *obd_store_sync_list_conflicts (ObdStore     *self,
                                                  GError      **error);

/* A sealed session by UUID: its position in the chain (0 if not in it)
 * and its hash (NULL if not sealed). */
gboolean           obd_store_sync_get_session_chain (ObdStore     *self,
                                                     const char   *session_uuid,
                                                     gint64       *out_chain_seq,
                                                     char        **out_hash,
                                                     GError      **error);
/* Up to limit samples of the session after *key, in primary-key order,
 * appended to samples (of ObdStoreSyncSample); *key moves to the last one
 * read.  Returns FALSE on error; fewer than limit means the end. */
gboolean           obd_store_sync_read_samples   (ObdStore               *self,
                                                  const char             *session_uuid,
                                                  ObdStoreSyncSampleKey  *key,
                                                  guint                   limit,
                                                  GArray                 *samples,
                                                  GError                **error);

/* Checks the local chain against the anchor the server holds.  Returns
 * FALSE only when the check could not run.  *out_ok is FALSE when the
 * session the server saw as this device's newest is gone or changed:
 * sessions were deleted or altered after they were synced.
 * out_anchor_seq receives the anchor's position (0: never synced). */
gboolean           obd_store_sync_verify_anchor  (ObdStore     *self,
                                                  gboolean     *out_ok,
                                                  gint64       *out_anchor_seq,
                                                  GError      **error);

G_END_DECLS
