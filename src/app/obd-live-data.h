/* obd-live-data.h — the latest readings, their recent history and the
 * live alerts they raise
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One part of ObdSession, fed with the worker's sample batches on the main
 * thread.  It owns what the views of the live car share: the latest value
 * of every reading (following the ECU that answered first), the last
 * minutes of each reading (so a chart built later, after a role switch,
 * starts full), and the live alerts with the alert state of each reading,
 * so a gauge, the overview and the health report give one verdict.
 */
#pragma once

#include <gio/gio.h>

#include "obd-alerts.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 time_us;
  double value;
} ObdLivePoint;

#define OBD_TYPE_LIVE_DATA (obd_live_data_get_type ())
G_DECLARE_FINAL_TYPE (ObdLiveData, obd_live_data, OBD, LIVE_DATA, GObject)

/* Property "active-alerts" (pointer to the GPtrArray of ObdAlertEvent,
 * owned) is notified when the set of raised alerts changes, "thresholds"
 * (pointer to ObdAlertThresholds) when the limits change, and
 * "engine-running" (boolean) when the engine starts or stops; signal
 * ::alert (ObdAlertEvent *, valid during the emission) for each alert
 * raised or cleared. */
ObdLiveData         *obd_live_data_new               (void);

/* Forgets every reading and alert (a new connection). */
void                 obd_live_data_reset             (ObdLiveData              *self);
/* Takes a batch of ObdSample: latest values, history, alerts. */
void                 obd_live_data_feed              (ObdLiveData              *self,
                                                      GArray                   *samples);

/* Latest value of (pid, index) in SI; NAN if none yet.  time_us
 * (nullable) receives when it was read. */
double               obd_live_data_get_latest        (ObdLiveData              *self,
                                                      guint8                    pid,
                                                      guint8                    index,
                                                      gint64                   *time_us);

/* Element type ObdLivePoint, oldest first: what was read of (pid, index)
 * over the history span.  A new array. */
GArray              *obd_live_data_dup_history       (ObdLiveData              *self,
                                                      guint8                    pid,
                                                      guint8                    index);
/* How much history to keep (at least; up to twice as much between
 * trims).  60 s until set. */
void                 obd_live_data_set_history_span  (ObdLiveData              *self,
                                                      gint64                    span_us);
gint64               obd_live_data_get_history_span  (ObdLiveData              *self);

void                 obd_live_data_set_thresholds    (ObdLiveData              *self,
                                                      const ObdAlertThresholds *thresholds);
/* The thresholds the alerts are judged by (borrowed). */
const ObdAlertThresholds *obd_live_data_get_thresholds (ObdLiveData           *self);
/* What a gauge of the reading with this key ("coolant_temp") shows: the
 * level of the alerts the session has raised on it, after minimum
 * duration, hysteresis and the resting-voltage rule
 * (obd_alert_monitor_get_state).  It changes only when "active-alerts"
 * is notified. */
ObdAlertState        obd_live_data_get_alert_state   (ObdLiveData              *self,
                                                      const char               *key);
/* Whether the alerts take the engine as running (the voltage limits of a
 * running engine apply), from the latest engine speed. */
gboolean             obd_live_data_get_engine_running (ObdLiveData             *self);
/* The same alerts as a list model of ObdAlertItem, for lists. */
GListModel          *obd_live_data_get_alerts        (ObdLiveData              *self);
/* Live alerts now raised (ObdAlertEvent *, owned). */
GPtrArray           *obd_live_data_get_active_alerts (ObdLiveData              *self);
/* The alert now raised on the reading with this key ("coolant_temp"),
 * the most severe if several; NULL when the reading is within limits. */
const ObdAlertEvent *obd_live_data_get_alert         (ObdLiveData              *self,
                                                      const char               *key);

G_END_DECLS
