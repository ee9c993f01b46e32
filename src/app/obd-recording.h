/* obd-recording.h — recording the live readings into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One part of ObdSession.  It runs an ObdRecorder on the store's file
 * (its own thread and connection) and never waits for it: starting and
 * stopping are asynchronous, batches are queued.  When recording fails
 * halfway (the disk is full), "error" says why and stays until the next
 * start, so the window can keep a banner up.
 */
#pragma once

#include <gio/gio.h>

#include "obd-alerts.h"
#include "obd-sample.h"
#include "obd-snapshot.h"
#include "obd-store-service.h"

G_BEGIN_DECLS

#define OBD_TYPE_RECORDING (obd_recording_get_type ())
G_DECLARE_FINAL_TYPE (ObdRecording, obd_recording, OBD, RECORDING, GObject)

/* Properties, all with notify:
 *   "recording"          boolean: samples go into a session
 *   "busy"               boolean: a start or a stop is under way
 *   "recorded-samples"   guint64, queued in the current session
 *   "recording-started"  gint64, wall clock µs, 0 when not recording
 *   "session-id"         gint64, the session being (or last) recorded
 *   "error"              GError: why recording stopped on its own */
ObdRecording *obd_recording_new             (ObdStoreService     *store);

/* Starts a session of vehicle_id (0 when unknown).  snapshot (nullable,
 * copied) is what was read at the start: its codes, freeze frame,
 * readiness and monitor results belong to the session and its hash. */
void          obd_recording_start_async     (ObdRecording        *self,
                                             gint64               vehicle_id,
                                             const char          *protocol,
                                             const char          *adapter,
                                             const char          *connection,
                                             const ObdSnapshot   *snapshot,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      obd_recording_start_finish    (ObdRecording        *self,
                                             GAsyncResult        *result,
                                             GError             **error);
/* Writes what is queued, seals the session into the chain. */
void          obd_recording_stop_async      (ObdRecording        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      obd_recording_stop_finish     (ObdRecording        *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* The live alerts now raised (ObdAlertEvent, copied): while recording
 * they are written into the session whenever they change, and the set at
 * the stop is in before the session is sealed, so the session's report
 * from the store is the one shown live. */
void          obd_recording_set_alerts      (ObdRecording        *self,
                                             GPtrArray           *active_alerts);

/* Queues a batch while recording; does nothing otherwise. */
void          obd_recording_push            (ObdRecording        *self,
                                             GArray              *samples);

gboolean      obd_recording_get_recording   (ObdRecording        *self);
gboolean      obd_recording_get_busy        (ObdRecording        *self);
guint64       obd_recording_get_recorded_samples (ObdRecording   *self);
gint64        obd_recording_get_started     (ObdRecording        *self);
gint64        obd_recording_get_session_id  (ObdRecording        *self);
const GError *obd_recording_get_error       (ObdRecording        *self);

G_END_DECLS
