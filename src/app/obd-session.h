/* obd-session.h — the application's model of "the vehicle on the bench"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lives on the main thread.  Wraps the adapter worker (DESIGN.md §3), keeps
 * the latest value of every reading, the latest snapshot (codes, freeze
 * frame, readiness, monitors, vehicle information) and its health report,
 * raises live alerts, records into the store, and remembers the vehicle in
 * the store.  Every page of the window observes one ObdSession through its
 * properties and signals; no page talks to the worker itself.
 */
#pragma once

#include <gio/gio.h>

#include "obd-alerts.h"
#include "obd-health.h"
#include "obd-snapshot.h"
#include "obd-store.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_SESSION_STATE_DISCONNECTED = 0,
  OBD_SESSION_STATE_CONNECTING,
  OBD_SESSION_STATE_CONNECTED,
  OBD_SESSION_STATE_RECONNECTING,
} ObdSessionState;

#define OBD_TYPE_SESSION (obd_session_get_type ())
G_DECLARE_FINAL_TYPE (ObdSession, obd_session, OBD, SESSION, GObject)

/* store may be NULL (nothing is remembered then). */
ObdSession      *obd_session_new                 (ObdStore          *store);
ObdStore        *obd_session_get_store           (ObdSession        *self);

/* Properties, all with notify:
 *   "state"             ObdSessionState
 *   "connection"        string, what was asked for ("sim:misfire", "/dev/ttyUSB0")
 *   "status-text"       string, human progress/status: "Searching for the
 *                       vehicle’s protocol…", "Connected"
 *   "error"             GError (boxed), why the last connection ended or
 *                       failed; NULL after a clean disconnect
 *   "adapter-version"   string, "ELM327 v1.5"
 *   "protocol-name"     string, "ISO 15765-4 (CAN 11/500)"
 *   "vehicle-id"        gint64, row in the store (0 if unknown)
 *   "vehicle-title"     string, "2014 Honda" or the VIN or "Vehicle"
 *   "link-rate"         double, values per second over the last seconds
 *   "snapshot"          pointer (ObdSnapshot*, owned by the session), NULL
 *                       until the first refresh after connecting
 *   "health"            pointer (ObdHealthReport*, owned), NULL until then
 *   "recording"         boolean
 *   "recorded-samples"  guint64
 *   "recording-started" gint64, wall clock µs, 0 when not recording
 *   "strategy"          ObdStrategy as int (fast/naive), set before connect
 *
 * Signals:
 *   ::samples (GArray *samples)       a batch of ObdSample, ~20 a second at most
 *   ::alert (ObdAlertEvent *event)    a live alert raised or cleared
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

/* Mode 01 PIDs the vehicle supports (guint8, sorted); empty if not connected. */
GArray          *obd_session_dup_supported_pids  (ObdSession        *self);
/* What to poll: pids with priorities 1..10 (see obd_worker_set_pids). */
void             obd_session_set_watched_pids    (ObdSession        *self,
                                                  const guint8      *pids,
                                                  const guint       *priorities,
                                                  gsize              n_pids);
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
 * recorded in the store's history with cleared_by. */
void             obd_session_clear_codes_async   (ObdSession          *self,
                                                  const char          *cleared_by,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         obd_session_clear_codes_finish  (ObdSession          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Recording of every polled sample into the store (a new session row). */
gboolean         obd_session_start_recording     (ObdSession        *self,
                                                  GError           **error);
gboolean         obd_session_stop_recording      (ObdSession        *self,
                                                  GError           **error);
gboolean         obd_session_get_recording       (ObdSession        *self);
guint64          obd_session_get_recorded_samples (ObdSession       *self);
gint64           obd_session_get_recording_started (ObdSession      *self);

/* How long the main thread spent on sample batches since connect (the
 * session's own work and every ::samples handler): the longest, the
 * mean, and how many batches.  The UI budget is 4 ms a batch. */
void             obd_session_get_batch_stats     (ObdSession        *self,
                                                  gint64            *out_max_us,
                                                  double            *out_mean_us,
                                                  guint64           *out_n_batches);

/* Alert thresholds (copied); defaults until set. */
void             obd_session_set_alert_thresholds (ObdSession              *self,
                                                   const ObdAlertThresholds *thresholds);

G_END_DECLS
