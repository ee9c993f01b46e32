/* obd-sync-backend.h — where obd2-syncd keeps its data: the interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server never touches storage itself: accounts, tokens, pushed
 * changes, pulls, vehicles' organisations, remote-expert rooms and the
 * fan-out of live events all go through this interface, so that another
 * backend (PostgreSQL, several server instances on one database) fits
 * without changing the server.
 *
 * Rules every backend keeps:
 * - Calls are asynchronous; the callbacks and the "message" signal run on
 *   the thread-default main context of the thread that created the
 *   backend (the server's loop).  Nothing blocks that loop.
 * - Pushes are idempotent: a change is keyed by (device, seq), and a
 *   change seen before is acknowledged without being stored again.
 * - Every call is checked against the principal: its organisation, its
 *   role, and for owners their one vehicle.  A refusal is
 *   OBD_SYNC_ERROR_FORBIDDEN; storage failures are
 *   OBD_SYNC_ERROR_UNAVAILABLE (the client retries later).
 * - Live events reach every server instance: obd_sync_backend_publish ()
 *   ends in a "message" signal on each instance that shares the data and
 *   watches the event's organisation (obd_sync_backend_watch ()).
 * - Rooms and their members live in the backend, so that an expert
 *   connected to one instance and the mechanic connected to another share
 *   one room and one presence list.
 *
 * The admin calls (organisations, users, tokens) are synchronous: they are
 * for the `obd2-syncd admin` command line, never for the serving loop.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  OBD_SYNC_ROLE_MECHANIC = 0,
  OBD_SYNC_ROLE_FLEET,
  OBD_SYNC_ROLE_OWNER,
  OBD_SYNC_ROLE_ADMIN,
} ObdSyncRole;

const char *obd_sync_role_to_string   (ObdSyncRole  role);
gboolean    obd_sync_role_from_string (const char  *name,
                                       ObdSyncRole *out_role);

/* Who is on the other end of a connection, once authenticated. */
typedef struct
{
  char        *user_id;
  char        *user_name;
  char        *organisation_id;
  char        *organisation_name;  /* may be NULL */
  ObdSyncRole  role;
  char        *vehicle_id;   /* an owner's one vehicle; NULL for other roles */
} ObdSyncPrincipal;

ObdSyncPrincipal *obd_sync_principal_copy (const ObdSyncPrincipal *principal);
void              obd_sync_principal_free (ObdSyncPrincipal       *principal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSyncPrincipal, obd_sync_principal_free)

/* What authenticating a device returns. */
typedef struct
{
  ObdSyncPrincipal *principal;
  gint64            pushed_seq;   /* highest seq stored from this device */
  gint64            chain_seq;    /* the device's chain head, 0 none */
  char             *chain_hash;
} ObdSyncSession;

void obd_sync_session_free (ObdSyncSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSyncSession, obd_sync_session_free)

/* What a push returns: the push_ack payload's members. */
typedef struct
{
  gint64      acked_seq;
  JsonArray  *conflicts;   /* push_ack "conflicts" */
  JsonArray  *versions;    /* push_ack "versions" */
  gint64      chain_seq;
  char       *chain_hash;
  /* When a change was refused, the changes before it are stored and
   * acked; refused_seq names it and error says why. */
  gint64      refused_seq;
  GError     *error;
} ObdSyncPushResult;

void obd_sync_push_result_free (ObdSyncPushResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSyncPushResult, obd_sync_push_result_free)

typedef struct
{
  char      *room_id;
  char      *code;             /* the one-time invitation code (create only) */
  char      *vehicle_id;
  char      *host_user_id;
  char      *organisation_id;  /* the host's */
  gint64     expires_us;       /* until when the code can be used */
  JsonArray *members;          /* presence entries after the call (create, join, leave) */
  /* Grows with every change of the room's members: of two presence lists
   * the one with the higher version is the newer (live events of several
   * instances can arrive out of order). */
  gint64     presence_version;
} ObdSyncRoom;

void obd_sync_room_free (ObdSyncRoom *room);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSyncRoom, obd_sync_room_free)

#define OBD_TYPE_SYNC_BACKEND (obd_sync_backend_get_type ())
G_DECLARE_INTERFACE (ObdSyncBackend, obd_sync_backend, OBD, SYNC_BACKEND, GObject)

struct _ObdSyncBackendInterface
{
  GTypeInterface parent_iface;

  void              (*authenticate_async)  (ObdSyncBackend          *self,
                                            const char              *token,
                                            const char              *device_id,
                                            const char              *device_name,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  ObdSyncSession   *(*authenticate_finish) (ObdSyncBackend          *self,
                                            GAsyncResult            *result,
                                            GError                 **error);

  /* changes: the "changes" array of a push, already checked by
   * obd_sync_message_parse (). */
  void              (*push_async)          (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *device_id,
                                            JsonArray               *changes,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  ObdSyncPushResult *(*push_finish)        (ObdSyncBackend          *self,
                                            GAsyncResult            *result,
                                            GError                 **error);

  /* Changes of the principal's organisation (an owner: of their vehicle)
   * after cursor, not made by device_id: the "changes" payload. */
  void              (*pull_async)          (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *device_id,
                                            gint64                   cursor,
                                            guint                    limit,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  JsonObject       *(*pull_finish)         (ObdSyncBackend          *self,
                                            GAsyncResult            *result,
                                            GError                 **error);

  /* May the principal see the vehicle?  Returns its organisation. */
  void              (*vehicle_access_async)  (ObdSyncBackend          *self,
                                              const ObdSyncPrincipal  *principal,
                                              const char              *vehicle_id,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data);
  char             *(*vehicle_access_finish) (ObdSyncBackend          *self,
                                              GAsyncResult            *result,
                                              GError                 **error);

  /* member_id: the connection (unique across instances) that becomes
   * the room's host or member. */
  void              (*room_create_async)   (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *vehicle_id,
                                            const char              *member_id,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  /* Uses up the code: a second join with it fails. */
  void              (*room_join_async)     (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *code,
                                            const char              *member_id,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  /* A member (not the host) leaves, or its connection ended. */
  void              (*room_leave_async)    (ObdSyncBackend          *self,
                                            const char              *room_id,
                                            const char              *member_id,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  /* Only the host (or an admin of the host's organisation) closes. */
  void              (*room_close_async)    (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *room_id,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  ObdSyncRoom      *(*room_finish)         (ObdSyncBackend          *self,
                                            GAsyncResult            *result,
                                            GError                 **error);

  /* Live events: every instance gets a "message" signal. */
  void              (*publish)             (ObdSyncBackend          *self,
                                            const char              *organisation_id,
                                            const char              *vehicle_id,
                                            const char              *room_id,
                                            const char              *text);
  /* Optional: this instance has (or no longer has) someone interested in
   * the organisation's events; counted, so watch and unwatch pair up. */
  void              (*watch)               (ObdSyncBackend          *self,
                                            const char              *organisation_id);
  void              (*unwatch)             (ObdSyncBackend          *self,
                                            const char              *organisation_id);
  /* Optional: figures for /healthz and /metrics ({"healthy": bool, and
   * numbers}); NULL when the backend has none. */
  JsonObject       *(*dup_status)          (ObdSyncBackend          *self);

  /* Paged queries (keyset pagination).  fleet: the organisation's
   * vehicles (an owner: theirs) after vehicle id `after` (NULL: from the
   * start) with their health summary, the "fleet_page" payload.  history:
   * a vehicle's records newest first, before (before_us, before_key)
   * (before_us < 0: from the newest), the "history_page" payload. */
  void              (*fleet_async)         (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *after,
                                            guint                    limit,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  void              (*history_async)       (ObdSyncBackend          *self,
                                            const ObdSyncPrincipal  *principal,
                                            const char              *vehicle_id,
                                            gint64                   before_us,
                                            const char              *before_key,
                                            guint                    limit,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
  JsonObject       *(*page_finish)         (ObdSyncBackend          *self,
                                            GAsyncResult            *result,
                                            GError                 **error);

  /* Admin, synchronous. */
  char             *(*create_organisation) (ObdSyncBackend          *self,
                                            const char              *name,
                                            GError                 **error);
  char             *(*create_user)         (ObdSyncBackend          *self,
                                            const char              *organisation_id,
                                            const char              *name,
                                            ObdSyncRole              role,
                                            const char              *vehicle_id,
                                            GError                 **error);
  /* Returns the token, which is stored only as a salted hash. */
  char             *(*create_token)        (ObdSyncBackend          *self,
                                            const char              *user_id,
                                            GError                 **error);
  /* token_or_user: a token (or its id) or a user id (all their tokens). */
  gboolean          (*revoke)              (ObdSyncBackend          *self,
                                            const char              *token_or_user,
                                            GError                 **error);
  /* {"organisations": [...], "users": [...]} without secrets. */
  JsonNode         *(*list_accounts)       (ObdSyncBackend          *self,
                                            GError                 **error);
};

void               obd_sync_backend_authenticate_async  (ObdSyncBackend          *self,
                                                         const char              *token,
                                                         const char              *device_id,
                                                         const char              *device_name,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
ObdSyncSession    *obd_sync_backend_authenticate_finish (ObdSyncBackend          *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               obd_sync_backend_push_async          (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *device_id,
                                                         JsonArray               *changes,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
ObdSyncPushResult *obd_sync_backend_push_finish         (ObdSyncBackend          *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               obd_sync_backend_pull_async          (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *device_id,
                                                         gint64                   cursor,
                                                         guint                    limit,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
JsonObject        *obd_sync_backend_pull_finish         (ObdSyncBackend          *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               obd_sync_backend_vehicle_access_async  (ObdSyncBackend          *self,
                                                           const ObdSyncPrincipal  *principal,
                                                           const char              *vehicle_id,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
char              *obd_sync_backend_vehicle_access_finish (ObdSyncBackend          *self,
                                                           GAsyncResult            *result,
                                                           GError                 **error);
void               obd_sync_backend_room_create_async   (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *vehicle_id,
                                                         const char              *member_id,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
void               obd_sync_backend_room_join_async     (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *code,
                                                         const char              *member_id,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
void               obd_sync_backend_room_leave_async    (ObdSyncBackend          *self,
                                                         const char              *room_id,
                                                         const char              *member_id,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
void               obd_sync_backend_room_close_async    (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *room_id,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
ObdSyncRoom       *obd_sync_backend_room_finish         (ObdSyncBackend          *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               obd_sync_backend_publish             (ObdSyncBackend          *self,
                                                         const char              *organisation_id,
                                                         const char              *vehicle_id,
                                                         const char              *room_id,
                                                         const char              *text);
void               obd_sync_backend_watch               (ObdSyncBackend          *self,
                                                         const char              *organisation_id);
void               obd_sync_backend_unwatch             (ObdSyncBackend          *self,
                                                         const char              *organisation_id);
JsonObject        *obd_sync_backend_dup_status          (ObdSyncBackend          *self);
void               obd_sync_backend_fleet_async         (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *after,
                                                         guint                    limit,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
void               obd_sync_backend_history_async       (ObdSyncBackend          *self,
                                                         const ObdSyncPrincipal  *principal,
                                                         const char              *vehicle_id,
                                                         gint64                   before_us,
                                                         const char              *before_key,
                                                         guint                    limit,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
JsonObject        *obd_sync_backend_page_finish         (ObdSyncBackend          *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
char              *obd_sync_backend_create_organisation (ObdSyncBackend          *self,
                                                         const char              *name,
                                                         GError                 **error);
char              *obd_sync_backend_create_user         (ObdSyncBackend          *self,
                                                         const char              *organisation_id,
                                                         const char              *name,
                                                         ObdSyncRole              role,
                                                         const char              *vehicle_id,
                                                         GError                 **error);
char              *obd_sync_backend_create_token        (ObdSyncBackend          *self,
                                                         const char              *user_id,
                                                         GError                 **error);
gboolean           obd_sync_backend_revoke              (ObdSyncBackend          *self,
                                                         const char              *token_or_user,
                                                         GError                 **error);
JsonNode          *obd_sync_backend_list_accounts       (ObdSyncBackend          *self,
                                                         GError                 **error);

/* Emits "message" (for backends). */
void               _obd_sync_backend_emit_message       (ObdSyncBackend          *self,
                                                         const char              *organisation_id,
                                                         const char              *vehicle_id,
                                                         const char              *room_id,
                                                         const char              *text);

/* Token helpers shared by backends: a token is "obd2_" + 16 hex id + "_"
 * + 64 hex secret; the id finds the row, the secret is checked against
 * SHA-256 (salt || secret) in constant time. */
gboolean           obd_sync_token_split                 (const char   *token,
                                                         char        **out_id,
                                                         char        **out_secret);
char              *obd_sync_token_hash                  (const guint8 *salt,
                                                         gsize         salt_length,
                                                         const char   *secret);
/* Fills buffer from the kernel's random source (getrandom): tokens and
 * invitation codes must not be predictable, which GRand is. */
void               obd_sync_random_bytes                (guint8       *buffer,
                                                         gsize         length);
gboolean           obd_sync_constant_time_equal         (const char   *a,
                                                         const char   *b);

G_END_DECLS
