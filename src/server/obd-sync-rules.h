/* obd-sync-rules.h — the rules every storage backend of obd2-syncd keeps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Above the backend interface and below the backends: who may push what,
 * which vehicle a change is about and whether the principal may touch it,
 * the conflict rule of editable records (the later edit wins, a tie goes
 * to the device id that sorts last), what the fleet summary counts, and
 * the presence of an expert room.  A backend supplies its storage
 * primitives (ObdSyncPushOps) and runs obd_sync_push_change () for each
 * change inside its own transaction, so SQLite and PostgreSQL decide
 * alike and differ only in how they store and lock.
 */
#pragma once

#include "obd-sync-backend.h"

G_BEGIN_DECLS

gboolean    obd_sync_role_may_push        (ObdSyncRole  role,
                                           const char  *entity);
/* Records two PCs may edit offline, where the conflict rule applies. */
gboolean    obd_sync_entity_is_editable   (const char  *entity);
/* The summary state of a record (NULL when it has none): what the fleet
 * summary counts, kept in a column so the count needs no JSON. */
const char *obd_sync_entity_state         (const char  *entity,
                                           const char  *op,
                                           JsonObject  *data);

char       *obd_sync_object_to_string     (JsonObject  *object);
/* An empty object for NULL or text that is not one. */
JsonObject *obd_sync_object_from_string   (const char  *text);

/* The stored version of a record. */
typedef struct
{
  gboolean  exists;
  char     *data;
  gint64    version;
  gint64    changed_us;
  char     *device_id;
} ObdSyncCurrent;

void        obd_sync_current_clear        (ObdSyncCurrent *current);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ObdSyncCurrent, obd_sync_current_clear)

typedef struct _ObdSyncPush    ObdSyncPush;
typedef struct _ObdSyncPushOps ObdSyncPushOps;

/* The storage primitives of a push; each returns FALSE with error set on
 * a storage failure (OBD_SYNC_ERROR_UNAVAILABLE). */
struct _ObdSyncPushOps
{
  /* Whether (device, seq) is stored already. */
  gboolean (*seen)            (ObdSyncPush     *push,
                               gint64           seq,
                               gboolean        *out_seen,
                               GError         **error);
  /* One part of a session's samples, once per (device, seq, part). */
  gboolean (*store_samples)   (ObdSyncPush     *push,
                               JsonObject      *change,
                               GBytes          *packed,
                               gint64           first_us,
                               gint64           last_us,
                               GError         **error);
  /* How many samples of the session are stored (from every part). */
  gboolean (*count_samples)   (ObdSyncPush     *push,
                               const char      *session_id,
                               gint64          *out_count,
                               GError         **error);
  /* The vehicle an id names (through aliases) and its organisation;
   * *out_vehicle NULL when unknown. */
  gboolean (*resolve_vehicle) (gpointer         db,
                               const char      *id,
                               char           **out_vehicle,
                               char           **out_organisation,
                               GError         **error);
  /* The principal's organisation's vehicle with this VIN, or NULL. */
  gboolean (*find_vin)        (ObdSyncPush     *push,
                               const char      *vin,
                               char           **out_vehicle,
                               GError         **error);
  /* Registers id as another name of vehicle. */
  gboolean (*add_alias)       (ObdSyncPush     *push,
                               const char      *id,
                               const char      *vehicle,
                               GError         **error);
  /* A new vehicle of the principal's organisation.  *out_kept: id, or
   * the vehicle another writer registered for the VIN meanwhile (then id
   * is made its alias). */
  gboolean (*add_vehicle)     (ObdSyncPush     *push,
                               const char      *id,
                               const char      *vin,
                               char           **out_kept,
                               GError         **error);
  /* The stored record, locked against other writers until the end of the
   * transaction where the backend has concurrent writers. */
  gboolean (*read_current)    (ObdSyncPush     *push,
                               const char      *entity,
                               const char      *entity_id,
                               ObdSyncCurrent  *out,
                               GError         **error);
  gboolean (*write_entity)    (ObdSyncPush     *push,
                               JsonObject      *change,
                               const char      *vehicle_id,
                               gint64           version,
                               const char      *data_text,
                               const char      *state,
                               GError         **error);
  /* The change's row in the log pulls read, keyed by (device, seq). */
  gboolean (*record_change)   (ObdSyncPush     *push,
                               JsonObject      *change,
                               const char      *vehicle_id,
                               gint64           version,
                               gboolean         applied,
                               const char      *data_text,
                               const char      *conflict_text,
                               GError         **error);
  gboolean (*record_conflict) (ObdSyncPush     *push,
                               const char      *entity,
                               const char      *entity_id,
                               const char      *winner_device,
                               const char      *loser_device,
                               const char      *winner_data,
                               const char      *loser_data,
                               GError         **error);
  /* The device's chain head, when chain_seq is newer. */
  gboolean (*update_chain)    (ObdSyncPush     *push,
                               gint64           chain_seq,
                               const char      *hash,
                               GError         **error);
};

struct _ObdSyncPush
{
  const ObdSyncPushOps   *ops;
  gpointer                db;          /* the backend's connection */
  const ObdSyncPrincipal *principal;
  const char             *device_id;
  ObdSyncPushResult      *result;      /* acked_seq, conflicts and versions grow */
  gint64                  now;
};

/* Applies one change of a push (already checked by obd_sync_message_parse)
 * inside the caller's transaction.  FALSE with error when it is refused
 * (OBD_SYNC_ERROR_FORBIDDEN, _NOT_FOUND, _BAD_MESSAGE: the push stops
 * there) or storage failed (OBD_SYNC_ERROR_UNAVAILABLE).  A change is
 * refused before it writes anything. */
gboolean    obd_sync_push_change          (ObdSyncPush            *push,
                                           JsonObject             *change,
                                           GError                **error);

/* May the principal touch the vehicle?  *out_vehicle: the id the server
 * keeps for it (may be NULL). */
gboolean    obd_sync_check_vehicle        (const ObdSyncPushOps   *ops,
                                           gpointer                db,
                                           const ObdSyncPrincipal *principal,
                                           const char             *id,
                                           char                  **out_vehicle,
                                           GError                **error);

/* Authentication: the same work whether or not the token's row exists
 * (row FALSE), so timing tells nothing.  TRUE when the token is good. */
gboolean    obd_sync_token_check          (gboolean                row,
                                           const guint8           *salt,
                                           gsize                   salt_length,
                                           const char             *stored_hash,
                                           gboolean                revoked,
                                           const char             *secret);
gboolean    obd_sync_auth_failed          (GError                **error);

/* Rooms: the role rules, one-time codes and their hash. */
gboolean    obd_sync_room_may_create      (const ObdSyncPrincipal *principal,
                                           GError                **error);
gboolean    obd_sync_room_may_join        (const ObdSyncPrincipal *principal,
                                           GError                **error);
gboolean    obd_sync_room_may_close       (const ObdSyncPrincipal *principal,
                                           const char             *host_user_id,
                                           const char             *organisation_id,
                                           GError                **error);
char       *obd_sync_room_new_code        (void);
char       *obd_sync_room_hash_code       (const char             *code);
#define OBD_SYNC_ROOM_CODE_LIFETIME_US (15 * 60 * G_USEC_PER_SEC)
/* A "presence" member entry. */
JsonObject *obd_sync_room_member          (const char             *user_id,
                                           const char             *user_name,
                                           const char             *role,
                                           gboolean                host);
/* The whole "presence" or "room_closed" message, as text to publish. */
char       *obd_sync_room_presence_text   (const ObdSyncRoom      *room);
char       *obd_sync_room_closed_text     (const char             *room_id,
                                           const char             *reason);

/* Paged queries: the fleet summary row of one vehicle from the counts a
 * backend's one query returns, so both backends answer alike. */
typedef struct
{
  const char *vehicle_id;
  const char *vehicle_data;     /* the vehicle record's JSON, may be NULL */
  gint64      active_codes;
  gint64      pending_codes;
  gint64      maintenance_due;
  gint64      maintenance_overdue;
  gint64      unread_warnings;
  gint64      unread_critical;
  gint64      sessions;
  gint64      last_session_us;  /* 0: none */
  gint64      last_change_us;   /* 0: none */
} ObdSyncFleetRow;

JsonObject *obd_sync_fleet_row_to_json    (const ObdSyncFleetRow  *row);
/* "next": the last vehicle id of a full page, or null. */
void        obd_sync_page_set_next_vehicle (JsonObject            *payload,
                                            const char            *last);
/* A history row, its key ("entity:entityId") and "next" ({"before",
 * "key"} of the last row of a full page, or null). */
JsonObject *obd_sync_history_item         (const char             *entity,
                                           const char             *entity_id,
                                           gint64                  version,
                                           gint64                  changed_us,
                                           const char             *device,
                                           const char             *data,
                                           const char             *state);
char       *obd_sync_history_key          (const char             *entity,
                                           const char             *entity_id);
/* Splits a key; an empty entity and id for NULL or a key without ':'. */
void        obd_sync_history_key_split    (const char             *key,
                                           char                  **out_entity,
                                           char                  **out_entity_id);
void        obd_sync_page_set_next_history (JsonObject            *payload,
                                            gboolean               more,
                                            gint64                 last_us,
                                            const char            *last_key);
/* A row of a pull's "changes". */
JsonObject *obd_sync_pulled_change        (gint64                  cursor,
                                           const char             *entity,
                                           const char             *entity_id,
                                           const char             *op,
                                           gint64                  version,
                                           gint64                  changed_us,
                                           const char             *device,
                                           const char             *data,
                                           const char             *conflict);

G_END_DECLS
