/* obd-diagnosis.h — judgement over what was read and what was recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Joins the protocol layer (snapshots), the knowledge base, the store and
 * the pure health functions, so the command line and the application judge
 * a vehicle the same way.
 *
 * One verdict
 * ===========
 * A vehicle's health report is computed from five inputs: its trouble
 * codes (with the knowledge base's severity and system), the readiness
 * monitors not complete (forgiven after a recent clear), the failed Mode 06
 * tests, the live alerts active now, and the anomalies in its own history
 * (trends).  The live views compute it from a snapshot
 * (obd_diagnosis_evaluate_full); a session that records stores the very
 * same inputs (obd_diagnosis_attach_snapshot when it starts,
 * obd_diagnosis_store_session_alerts while it runs), and the fleet list,
 * the history and printed reports compute the report from the store
 * (obd_diagnosis_evaluate_stored, _evaluate_session) — so they show the
 * report the live view showed, not a second opinion from the codes alone.
 * Inputs are put in one canonical order on both paths, so even the
 * explanation text is the same.  Scores are shown with
 * obd_health_score_format() only.
 *
 * After a Mode 04 (obd_diagnosis_clear_codes, obd_store_clear_dtcs), SAE
 * J1979 says stored and pending codes, freeze frames, Mode 06 results and
 * readiness are reset: the fresh snapshot reads all four again, and the
 * stored report drops what a later clear voided.
 */
#pragma once

#include <glib.h>

#include "obd-alerts.h"
#include "obd-health.h"
#include "obd-snapshot.h"
#include "obd-store.h"
#include "obd-trend.h"

G_BEGIN_DECLS

/* Health from a fresh snapshot: every active code with its knowledge-base
 * severity and system, incomplete readiness monitors (forgiven after a
 * recent clear), failed Mode 06 tests, and the live alerts now raised
 * (ObdAlertEvent, nullable).  Without trends; see _evaluate_full. */
ObdHealthReport *obd_diagnosis_evaluate          (const ObdSnapshot  *snapshot,
                                                  GPtrArray          *active_alerts);
/* The same with the vehicle's trends (ObdTrendResult from
 * obd_diagnosis_list_trends, nullable; only anomalies count): what a live
 * view shows when the vehicle is known to the store. */
ObdHealthReport *obd_diagnosis_evaluate_full     (const ObdSnapshot  *snapshot,
                                                  GPtrArray          *active_alerts,
                                                  GPtrArray          *trends);

/* The vehicle's report from the store alone (fleet list, history, `obd2
 * health --vehicle`): the inputs of its newest session that has them,
 * with the codes still active (and any reported since), the Mode 06
 * results and readiness unless a clear came after them, the session's
 * alerts, and the vehicle's trends.  A vehicle whose sessions carry no
 * inputs (recorded by an older version) is judged by its active codes.
 * obd_store_find_health_session() names the session used. */
ObdHealthReport *obd_diagnosis_evaluate_stored   (ObdStore           *store,
                                                  gint64              vehicle_id,
                                                  GError            **error);
/* A session's report as it was live: its codes (cleared since or not),
 * readiness, Mode 06 and alerts; trends are left out, as they change with
 * every later session.  For printed reports of a past session. */
ObdHealthReport *obd_diagnosis_evaluate_session  (ObdStore           *store,
                                                  gint64              session_id,
                                                  GError            **error);

/* The vehicle of a snapshot's VIN, created with make and year from the VIN
 * decoder if new.  Returns 0 (no error) when the vehicle reports no VIN. */
gint64           obd_diagnosis_ensure_vehicle    (ObdStore           *store,
                                                  const ObdSnapshot  *snapshot,
                                                  GError            **error);

/* Attaches the snapshot read at connect to the session that starts
 * recording after it: the vehicle's trouble-code events (recorded, and
 * linked to the session even when first seen before it), the freeze
 * frame, readiness, Mode 06 results and since-clear figures — the inputs
 * of the session's health report.  vehicle_id may be 0 (no VIN): then the
 * codes cannot be kept, the rest is. */
gboolean         obd_diagnosis_attach_snapshot   (ObdStore           *store,
                                                  gint64              vehicle_id,
                                                  gint64              session_id,
                                                  const ObdSnapshot  *snapshot,
                                                  GError            **error);
/* With a session: obd_diagnosis_attach_snapshot.  With session_id 0: the
 * vehicle's trouble-code events only. */
gboolean         obd_diagnosis_store_snapshot    (ObdStore           *store,
                                                  gint64              vehicle_id,
                                                  gint64              session_id,
                                                  const ObdSnapshot  *snapshot,
                                                  GError            **error);
/* The live alerts active on a recording session now (RAISED ObdAlertEvent
 * from obd_alert_monitor_dup_active), replacing the previous set; call it
 * whenever the set changes and before the session stops. */
gboolean         obd_diagnosis_store_session_alerts (ObdStore        *store,
                                                     gint64           session_id,
                                                     GPtrArray       *active_alerts,
                                                     GError         **error);

/* The vehicle with this VIN had its codes cleared (Mode 04): its stored
 * and pending trouble-code events are marked cleared, as
 * obd_store_clear_dtcs () does.  A VIN the store does not know has no
 * history to update: *out_recorded is then FALSE, and it is no error. */
gboolean         obd_diagnosis_record_clear    (ObdStore           *store,
                                                const char         *vin,
                                                const char         *cleared_by,
                                                gint64              cleared_us,
                                                gboolean           *out_recorded,
                                                GError            **error);

/* A raised live alert becomes a notification. */
gboolean         obd_diagnosis_store_alert       (ObdStore           *store,
                                                  gint64              vehicle_id,
                                                  gint64              session_id,
                                                  const ObdAlertEvent *event,
                                                  GError            **error);

/* Mode 04, then what the car reports after it (codes, freeze frame,
 * readiness and Mode 06, all reset by the clear) as a fresh snapshot of
 * those parts.  out_ecus (nullable) receives the ECUs that acknowledged.
 * Blocking: the worker thread or a command-line tool. */
ObdSnapshot     *obd_diagnosis_clear_codes       (ObdAdapter         *adapter,
                                                  GArray            **out_ecus,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
/* A PID's trend over the vehicle's recorded sessions: one point per
 * session (its median, robust to the warm-up and to spikes; for the
 * readings of obd_diagnosis_list_trends at idle — vehicle stopped, engine
 * idling — when the session has speed and rpm), analysed by
 * obd_trend_analyze().  Sessions without the PID are skipped. */
ObdTrendResult  *obd_diagnosis_trend             (ObdStore           *store,
                                                  gint64              vehicle_id,
                                                  guint8              pid,
                                                  guint8              index,
                                                  GError            **error);
/* The trends of the readings whose slow change means wear (coolant
 * temperature, long-term fuel trims and battery voltage at idle), one
 * ObdTrendResult each for those the vehicle has recorded, in that order.
 * ObdTrendResult.explanation is the sentence to show ("Coolant
 * temperature at idle rising 3.0 °C per month since March 2024 …"). */
GPtrArray       *obd_diagnosis_list_trends       (ObdStore           *store,
                                                  gint64              vehicle_id,
                                                  GError            **error);

G_END_DECLS
