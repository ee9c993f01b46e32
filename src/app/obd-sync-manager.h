/* obd-sync-manager.h — the application's side of syncing with the shop's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One per application, beside the store and the session.  It owns the
 * ObdSyncClient (all network work; src/app never speaks libsoup) on the
 * local store's file, and keeps it going: the server address is the one
 * the store syncs with (obd2 sync --server and build-aux/sync-local set
 * the same), the token comes from the keyring or the 0600 file
 * (obd-sync-token.h, looked up and saved on a thread of its own, never in
 * GSettings).  It relays what each side writes to the store to the other
 * (the app's writes are pushed at once, the client's pulls make the views
 * reload), shares the session's live data (ObdLiveShare), keeps what
 * other PCs' live events tell about their vehicles (ObdRemoteVehicle),
 * and opens and joins remote-expert rooms (ObdRoom).
 *
 * The main thread never waits on it: every property below changes when
 * an answer comes.
 *
 * Properties (read-only, with notify, unless said):
 *   "store"               ObdStoreService, construct
 *   "settings"            GSettings, construct, nullable: "sync-enabled"
 *                         and "sync-share-live"
 *   "session"             ObdSession, read-write: the session shared
 *   "state"               ObdSyncState: DISABLED when no server is set
 *                         or syncing is off, ERROR when a person must act
 *   "pending-count"       gint64, changes not yet on the server
 *   "last-error"          string, translated: what went wrong and what
 *                         to do; NULL when nothing did
 *   "last-sync"           gint64, µs, the end of the last full sync
 *   "server-url"          string, NULL when none is set
 *   "user-name", "role", "organisation-name"
 *                         strings: who this PC is signed in as (role as
 *                         the server names it: "mechanic", "fleet", …)
 *   "share-live"          boolean, read-write: the mechanic wants live
 *                         data shared ("sync-share-live")
 *   "sharing"             boolean: live data is being sent now
 *   "share-status"        string, translated: what is shared or why not
 *   "room"                ObdRoom: the room this PC hosts, or NULL
 *
 * Signals:
 *   ::remote-changed (ObdRemoteVehicle *)  a live event about a vehicle
 *                                          arrived
 *   ::conflict (const char *entity, const char *entity_id,
 *               gboolean local_won)         an edit here met another PC's
 */
#pragma once

#include "obd-live-share.h"
#include "obd-remote-vehicle.h"
#include "obd-room.h"
#include "obd-session.h"
#include "obd-store-service.h"
#include "obd-sync-client.h"

G_BEGIN_DECLS

#define OBD_TYPE_SYNC_MANAGER (obd_sync_manager_get_type ())
G_DECLARE_FINAL_TYPE (ObdSyncManager, obd_sync_manager, OBD, SYNC_MANAGER, GObject)

ObdSyncManager   *obd_sync_manager_new                (ObdStoreService   *store,
                                                       GSettings         *settings);

/* The client, once the store is open (NULL before, or without a store). */
ObdSyncClient    *obd_sync_manager_get_client         (ObdSyncManager    *self);
ObdStoreService  *obd_sync_manager_get_store          (ObdSyncManager    *self);
void              obd_sync_manager_set_session        (ObdSyncManager    *self,
                                                       ObdSession        *session);
ObdSession       *obd_sync_manager_get_session        (ObdSyncManager    *self);

ObdSyncState      obd_sync_manager_get_state          (ObdSyncManager    *self);
gint64            obd_sync_manager_get_pending_count  (ObdSyncManager    *self);
const char       *obd_sync_manager_get_last_error     (ObdSyncManager    *self);
gint64            obd_sync_manager_get_last_sync      (ObdSyncManager    *self);
const char       *obd_sync_manager_get_server_url     (ObdSyncManager    *self);
const char       *obd_sync_manager_get_user_name      (ObdSyncManager    *self);
const char       *obd_sync_manager_get_role           (ObdSyncManager    *self);
const char       *obd_sync_manager_get_organisation_name (ObdSyncManager *self);

/* Checks url and token, saves the token (keyring, else the 0600 file)
 * and the address, turns syncing on and syncs once: completes when this
 * PC is signed in and synced, or with the reason it is not (the address
 * and token stay saved, and syncing keeps trying). */
void              obd_sync_manager_configure_async    (ObdSyncManager      *self,
                                                       const char          *url,
                                                       const char          *token,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean          obd_sync_manager_configure_finish   (ObdSyncManager      *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* Turns syncing off on this PC ("sync-enabled"); what waits stays in the
 * store for later. */
void              obd_sync_manager_stop_syncing       (ObdSyncManager    *self);
/* Turns it on again with the address and token saved before. */
void              obd_sync_manager_resume_syncing     (ObdSyncManager    *self);
/* Push and pull now instead of at the next change. */
void              obd_sync_manager_sync_now           (ObdSyncManager    *self);

/* Live sharing: the wish ("sync-share-live"), and what happens. */
void              obd_sync_manager_set_share_live     (ObdSyncManager    *self,
                                                       gboolean           share);
gboolean          obd_sync_manager_get_share_live     (ObdSyncManager    *self);
gboolean          obd_sync_manager_get_sharing        (ObdSyncManager    *self);
const char       *obd_sync_manager_get_share_status   (ObdSyncManager    *self);
/* The UUID of the session's vehicle once the server has it, else NULL. */
const char       *obd_sync_manager_get_shared_vehicle (ObdSyncManager    *self);
ObdLiveShare     *obd_sync_manager_get_live_share     (ObdSyncManager    *self);

/* A fleet view is shown: follow every vehicle of the organisation
 * (counted: each view that calls it with TRUE calls it with FALSE). */
void              obd_sync_manager_follow_fleet       (ObdSyncManager    *self,
                                                       gboolean           follow);
/* What live events said about the vehicle with this UUID; NULL if none
 * came. */
ObdRemoteVehicle *obd_sync_manager_lookup_remote      (ObdSyncManager    *self,
                                                       const char        *vehicle_id);

/* Opens a room for the session's vehicle (shared live while it is open);
 * finish returns it (a new reference), also as "room". */
void              obd_sync_manager_open_room_async    (ObdSyncManager      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
ObdRoom          *obd_sync_manager_open_room_finish   (ObdSyncManager      *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
ObdRoom          *obd_sync_manager_get_room           (ObdSyncManager    *self);
/* Joins a room with the code the mechanic gave (blanks and case do not
 * matter); finish returns it (a new reference). */
void              obd_sync_manager_join_room_async    (ObdSyncManager      *self,
                                                       const char          *code,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
ObdRoom          *obd_sync_manager_join_room_finish   (ObdSyncManager      *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* A role as the server names it, in words: "Mechanic", "Fleet manager". */
const char       *obd_sync_manager_get_role_label     (const char        *role);
/* The state in one line: "Synced", "3 changes waiting", "Offline". */
char             *obd_sync_manager_dup_state_text     (ObdSyncManager    *self);

G_END_DECLS
