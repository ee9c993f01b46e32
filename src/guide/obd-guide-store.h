/* obd-guide-store.h — saving guided-repair runs and resuming them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run does not touch the store (the GTK main thread never waits on
 * SQLite); its owner saves what the run's signals report, with these
 * functions in the CLI or through the store's asynchronous wrappers in the
 * app.  A run is resumed by replaying its saved steps into a fresh run of
 * the same guide.
 */
#pragma once

#include "obd-guide-library.h"
#include "obd-guide-run.h"
#include "obd-store-guide.h"

G_BEGIN_DECLS

/* Row forms of the run's parts (new, for the store's functions). */
ObdStoreGuideStep    *obd_guide_record_to_store    (ObdGuide                *guide,
                                                    const ObdGuideRecord    *record);
ObdStoreGuideFinding *obd_guide_finding_to_store   (const ObdGuideFinding   *finding);
/* NULL with OBD_GUIDE_ERROR_CHANGED for a row this program cannot read
 * (an unknown kind or unit: a newer version wrote it). */
ObdGuideRecord       *obd_guide_record_from_store  (const ObdStoreGuideStep *step,
                                                    GError                 **error);

/* Creates the run's row (vehicle_id and session_id may be 0) with every
 * record it has so far; returns its id, 0 on error. */
gint64                obd_guide_store_start_run    (ObdStore                *store,
                                                    ObdGuideRun             *run,
                                                    gint64                   vehicle_id,
                                                    gint64                   session_id,
                                                    GError                 **error);
/* Saves a record just made (::recorded); finishes the row when the run
 * reached its finding. */
gboolean              obd_guide_store_save_record  (ObdStore                *store,
                                                    gint64                   run_id,
                                                    ObdGuideRun             *run,
                                                    const ObdGuideRecord    *record,
                                                    GError                 **error);
/* Saves a step back (::rewound). */
gboolean              obd_guide_store_save_rewind  (ObdStore                *store,
                                                    gint64                   run_id,
                                                    ObdGuideRun             *run,
                                                    guint                    keep_seq,
                                                    GError                 **error);
/* What brings a run's row in the store up to the run as it is now,
 * copied from it (the run is not referenced).  run_id 0 creates the row
 * (vehicle_id and session_id may be 0) with every record; otherwise the
 * row holds stored_seq records of which the first common_seq are still
 * the run's (fewer after a step back): the rest are dropped, the run's
 * records after common_seq appended, and the row finished when the run
 * reached its finding. */
typedef struct _ObdGuideSave ObdGuideSave;

ObdGuideSave         *obd_guide_save_new           (ObdGuideRun             *run,
                                                    gint64                   run_id,
                                                    guint                    stored_seq,
                                                    guint                    common_seq,
                                                    gint64                   vehicle_id,
                                                    gint64                   session_id);
/* How many records the row holds once written. */
guint                 obd_guide_save_get_n_records (const ObdGuideSave      *save);
/* Writes it on the store's thread; returns the run id (the new one when
 * it was created), 0 on error. */
gint64                obd_guide_save_write         (const ObdGuideSave      *save,
                                                    ObdStore                *store,
                                                    GError                 **error);
void                  obd_guide_save_free          (ObdGuideSave            *save);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdGuideSave, obd_guide_save_free)

/* A saved run, replayed: at the step where it was left, or finished.
 * Fails with OBD_GUIDE_ERROR_NOT_FOUND when its guide is not in library,
 * OBD_GUIDE_ERROR_CHANGED when the guide changed so the steps no longer
 * fit. */
ObdGuideRun          *obd_guide_store_resume       (ObdStore                *store,
                                                    ObdGuideLibrary         *library,
                                                    gint64                   run_id,
                                                    GError                 **error);

G_END_DECLS
