/* obd-live-share.h — a mechanic's live session, shared through the sync server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While it is wanted (the mechanic turned sharing on, or an expert room
 * is open) and possible (signed in with a role that may send live data,
 * connected to a car whose vehicle the server already has), ObdLiveShare
 * sends what the session reads as live events (src/sync/PROTOCOL.md):
 *
 *   vehicle_status     the latest readings, paced well below the rate the
 *                      server announced (at most two a second), plus the
 *                      session's health score and status, so watchers
 *                      show the same verdict as the mechanic's PC
 *   dtc_detected       the trouble codes, when they change and at start
 *   notification       each live alert raised
 *   maintenance_alert  the vehicle's maintenance due or overdue, at start
 *   guide_progress     the step of the vehicle's guided repair, whenever
 *                      the store records one
 *
 * Nothing is queued while it cannot send: live data that arrives late is
 * of no use.  Main thread only; the store is read on its own thread.
 *
 * Properties (read-only, with notify): "sharing" (boolean: sending now),
 * "status" (a translated sentence: what is shared, or why not),
 * "vehicle-id" (the UUID the server knows the session's vehicle by, once
 * it has it; NULL before).
 */
#pragma once

#include "obd-session.h"
#include "obd-sync-client.h"

G_BEGIN_DECLS

#define OBD_TYPE_LIVE_SHARE (obd_live_share_get_type ())
G_DECLARE_FINAL_TYPE (ObdLiveShare, obd_live_share, OBD, LIVE_SHARE, GObject)

ObdLiveShare *obd_live_share_new            (ObdStoreService *store);

/* Either may be NULL. */
void          obd_live_share_set_client     (ObdLiveShare    *self,
                                             ObdSyncClient   *client);
void          obd_live_share_set_session    (ObdLiveShare    *self,
                                             ObdSession      *session);
/* The mechanic's wish (the "sync-share-live" setting). */
void          obd_live_share_set_wanted     (ObdLiveShare    *self,
                                             gboolean         wanted);
/* A room is open: share whatever the wish. */
void          obd_live_share_set_required   (ObdLiveShare    *self,
                                             gboolean         required);

gboolean      obd_live_share_get_sharing    (ObdLiveShare    *self);
const char   *obd_live_share_get_status     (ObdLiveShare    *self);
const char   *obd_live_share_get_vehicle_id (ObdLiveShare    *self);
/* Milliseconds between two vehicle_status, from the server's rate. */
guint         obd_live_share_get_interval   (ObdLiveShare    *self);

/* Someone started watching: sends the codes, the guide's step and the
 * readings again now instead of when they next change. */
void          obd_live_share_resend         (ObdLiveShare    *self);

G_END_DECLS
