/* obd-session.h — the application's model of "the vehicle on the bench"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lives on the main thread and never waits: the adapter has its worker
 * thread, the store its service thread, recording its recorder thread.
 * ObdSession joins four parts, each with one job, and shows them as one
 * object to the window and every page:
 *
 *   ObdConnection    the link to the adapter (DESIGN.md §3)
 *   ObdLiveData      latest readings, their recent history, live alerts
 *   ObdVehicleState  the snapshot, its health, the vehicle in the store
 *   ObdRecording     recording into the store
 *
 * Pages observe the session's properties and signals; a page that needs
 * more of one part (the history of a reading, the alert state of a
 * gauge) asks that part.
 */
#pragma once

#include <gio/gio.h>

#include "obd-alerts.h"
#include "obd-connection.h"
#include "obd-health.h"
#include "obd-live-data.h"
#include "obd-recording.h"
#include "obd-snapshot.h"
#include "obd-store-service.h"
#include "obd-vehicle-state.h"

G_BEGIN_DECLS

#define OBD_TYPE_SESSION (obd_session_get_type ())
G_DECLARE_FINAL_TYPE (ObdSession, obd_session, OBD, SESSION, GObject)

/* store may be NULL (nothing is remembered then). */
ObdSession      *obd_session_new                 (ObdStoreService   *store);
ObdStoreService *obd_session_get_store           (ObdSession        *self);

ObdConnection   *obd_session_get_link            (ObdSession        *self);
ObdLiveData     *obd_session_get_live_data       (ObdSession        *self);
ObdVehicleState *obd_session_get_vehicle_state   (ObdSession        *self);
ObdRecording    *obd_session_get_recorder        (ObdSession        *self);

/* Properties, all with notify, read from the parts:
 *   "state"             ObdSessionState            (ObdConnection)
 *   "connection"        string, what was asked for ("sim:misfire")
 *   "status-text"       string, human progress/status
 *   "error"             GError (boxed), why the last connection ended or
 *                       failed; NULL after a clean disconnect
 *   "adapter-version"   string, "ELM327 v1.5"
 *   "protocol-name"     string, "ISO 15765-4 (CAN 11/500)"
 *   "link-rate"         double, values per second over the last seconds
 *   "strategy"          ObdStrategy as int, read-write, set before connect
 *   "vehicle-id"        gint64, row in the store (0 if unknown)  (ObdVehicleState)
 *   "vehicle-title"     string, "2014 Honda Accord", the VIN or "Vehicle"
 *   "snapshot"          pointer (ObdSnapshot*), NULL until the first read
 *   "health"            pointer (ObdHealthReport*), NULL until then
 *   "active-alerts"     pointer (GPtrArray of ObdAlertEvent)  (ObdLiveData)
 *   "alert-thresholds"  pointer (ObdAlertThresholds), the limits in force
 *   "engine-running"    boolean, which voltage limits apply
 *   "recording"         boolean                     (ObdRecording)
 *   "recording-busy"    boolean, a start or stop under way
 *   "recorded-samples"  guint64
 *   "recording-started" gint64, wall clock µs, 0 when not recording
 *   "recording-error"   GError, why recording stopped on its own
 *
 * Signals:
 *   ::samples (GArray *samples)       a batch of ObdSample, ~20 a second at most
 *   ::alert (ObdAlertEvent *event)    a live alert raised or cleared
 *   ::problem (const char *what, GError *error)
 *                                     something failed that nobody asked
 *                                     for directly: a raised alert or a
 *                                     clear not saved, the vehicle not read
 */

/* Starts connecting (asynchronously); any current connection is closed
 * first.  Progress and the outcome arrive through "state", "status-text"
 * and "error".  Once connected, a full snapshot is read once. */
void             obd_session_connect             (ObdSession        *self,
                                                  const char        *connection);
void             obd_session_disconnect          (ObdSession        *self);

ObdSessionState  obd_session_get_state           (ObdSession        *self);
const char      *obd_session_get_connection      (ObdSession        *self);
const char      *obd_session_get_status_text     (ObdSession        *self);
const GError    *obd_session_get_error           (ObdSession        *self);
const char      *obd_session_get_adapter_version (ObdSession        *self);
const char      *obd_session_get_protocol_name   (ObdSession        *self);
gint64           obd_session_get_vehicle_id      (ObdSession        *self);
const char      *obd_session_get_vehicle_title   (ObdSession        *self);
double           obd_session_get_link_rate       (ObdSession        *self);
void             obd_session_set_strategy        (ObdSession        *self,
                                                  ObdStrategy        strategy);

/* How much of what came over the link was of use since connect (after a
 * disconnect, the last connection's figures); see
 * obd_connection_describe_link_stats() for words. */
void             obd_session_get_link_stats      (ObdSession        *self,
                                                  ObdLinkStats      *out_stats);

/* Mode 01 PIDs the vehicle supports (guint8, sorted); empty if not connected. */
GArray          *obd_session_dup_supported_pids  (ObdSession        *self);
/* What to poll: pids with priorities 1..10 (see obd_worker_set_pids;
 * priorities may be NULL: all 1).  The readings the live alerts need are
 * polled too, in the background; the list is kept for the next
 * connection. */
void             obd_session_set_watched_pids    (ObdSession        *self,
                                                  const guint8      *pids,
                                                  const guint       *priorities,
                                                  gsize              n_pids);
/* More PIDs to poll at priority (1..10) on top of the watched ones, for
 * as long as a view needs them (a guided live check on screen): returns
 * an id for obd_session_unwatch_pids ().  Kept across reconnections. */
guint            obd_session_watch_pids          (ObdSession        *self,
                                                  const guint8      *pids,
                                                  gsize              n_pids,
                                                  guint              priority);
void             obd_session_unwatch_pids        (ObdSession        *self,
                                                  guint              id);

/* Latest value of (pid, index) from the primary ECU, in SI; NAN if none
 * yet.  time_us (nullable) receives when it was read. */
double           obd_session_get_latest          (ObdSession        *self,
                                                  guint8             pid,
                                                  guint8             index,
                                                  gint64            *time_us);

const ObdSnapshot     *obd_session_get_snapshot  (ObdSession        *self);
const ObdHealthReport *obd_session_get_health    (ObdSession        *self);
/* Live alerts now raised (ObdAlertEvent*, owned by the session). */
GPtrArray       *obd_session_get_active_alerts   (ObdSession        *self);

/* Re-reads parts of the snapshot on the worker thread; "snapshot" and
 * "health" are updated before the callback runs. */
void             obd_session_refresh_async       (ObdSession          *self,
                                                  ObdSnapshotParts     parts,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         obd_session_refresh_finish      (ObdSession          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Mode 04, then a refresh of codes, freeze frame and readiness; the clear is
 * recorded in the store's history with cleared_by (a failure to record it
 * comes as ::problem: the car's codes are cleared all the same). */
void             obd_session_clear_codes_async   (ObdSession          *self,
                                                  const char          *cleared_by,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         obd_session_clear_codes_finish  (ObdSession          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Recording of every polled sample into the store (a new session row),
 * with the snapshot as read at the start. */
void             obd_session_start_recording_async  (ObdSession          *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean         obd_session_start_recording_finish (ObdSession          *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void             obd_session_stop_recording_async   (ObdSession          *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean         obd_session_stop_recording_finish  (ObdSession          *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
gboolean         obd_session_get_recording       (ObdSession        *self);
gboolean         obd_session_get_recording_busy  (ObdSession        *self);
guint64          obd_session_get_recorded_samples (ObdSession       *self);
gint64           obd_session_get_recording_started (ObdSession      *self);
const GError    *obd_session_get_recording_error (ObdSession        *self);

/* How long the main thread spent on sample batches since connect (the
 * session's own work and every ::samples handler): the longest, the
 * mean, and how many batches. */
void             obd_session_get_batch_stats     (ObdSession        *self,
                                                  gint64            *out_max_us,
                                                  double            *out_mean_us,
                                                  guint64           *out_n_batches);

/* Alert thresholds (copied); defaults until set. */
void             obd_session_set_alert_thresholds (ObdSession              *self,
                                                   const ObdAlertThresholds *thresholds);

G_END_DECLS
