/* obd-diagnosis.h — judgement over what was read and what was recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Joins the protocol layer (snapshots), the knowledge base, the store and
 * the pure health functions, so the command line and the application judge
 * a vehicle the same way.
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
 * (ObdAlertEvent, nullable). */
ObdHealthReport *obd_diagnosis_evaluate        (const ObdSnapshot  *snapshot,
                                                GPtrArray          *active_alerts);

/* Health from the store alone (fleet view, history): the vehicle's active
 * trouble-code events.  Readiness and Mode 06 need the car present. */
ObdHealthReport *obd_diagnosis_evaluate_stored (ObdStore           *store,
                                                gint64              vehicle_id,
                                                GError            **error);

/* The vehicle of a snapshot's VIN, created with make and year from the VIN
 * decoder if new.  Returns 0 (no error) when the vehicle reports no VIN. */
gint64           obd_diagnosis_ensure_vehicle  (ObdStore           *store,
                                                const ObdSnapshot  *snapshot,
                                                GError            **error);

/* Writes what a snapshot holds into the store: trouble-code events of the
 * vehicle, and the freeze frame, readiness and Mode 06 results of the
 * session (session_id may be 0 for codes only). */
gboolean         obd_diagnosis_store_snapshot  (ObdStore           *store,
                                                gint64              vehicle_id,
                                                gint64              session_id,
                                                const ObdSnapshot  *snapshot,
                                                GError            **error);

/* A raised live alert becomes a notification. */
gboolean         obd_diagnosis_store_alert     (ObdStore           *store,
                                                gint64              vehicle_id,
                                                gint64              session_id,
                                                const ObdAlertEvent *event,
                                                GError            **error);

/* A PID's trend over the vehicle's recorded sessions: one point per
 * session (its median, robust to the warm-up and to spikes), analysed by
 * obd_trend_analyze().  Sessions without the PID are skipped. */
ObdTrendResult  *obd_diagnosis_trend           (ObdStore           *store,
                                                gint64              vehicle_id,
                                                guint8              pid,
                                                guint8              index,
                                                GError            **error);

/* The translated name of a readiness monitor by its stable key
 * ("catalyst" → "Catalyst"), as ObdStoreReadiness.monitor holds it; an
 * unknown key is returned as it is. */
const char      *obd_diagnosis_get_monitor_label (const char *key);

G_END_DECLS
