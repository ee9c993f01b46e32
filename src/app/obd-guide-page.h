/* obd-guide-page.h — guided repair: choosing a guide, walking its steps,
 * its finding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-guide-run.h"
#include "obd-page.h"
#include "obd-sample.h"

G_BEGIN_DECLS

#define OBD_TYPE_GUIDE_PAGE (obd_guide_page_get_type ())
G_DECLARE_FINAL_TYPE (ObdGuidePage, obd_guide_page, OBD, GUIDE_PAGE, ObdPage)

GtkWidget   *obd_guide_page_new          (ObdSession   *session);

/* Starts the guide guide_id for reason ("code:P0128", "symptom:no-start",
 * or NULL).  A guide being walked is left where it is: it is saved and
 * can be continued.  The run is saved with the session being recorded;
 * when the car is connected and nothing is recorded, recording starts. */
void         obd_guide_page_start        (ObdGuidePage *self,
                                          const char   *guide_id,
                                          const char   *reason);
/* Continues a saved run (read on the store's thread). */
void         obd_guide_page_resume       (ObdGuidePage *self,
                                          gint64        run_id);

/* The run shown, NULL while choosing; its row in the store, 0 until the
 * first save has landed. */
ObdGuideRun *obd_guide_page_get_run      (ObdGuidePage *self);
gint64       obd_guide_page_get_run_id   (ObdGuidePage *self);
/* The recorded session the run belongs to, 0 for none. */
gint64       obd_guide_page_get_session_id (ObdGuidePage *self);
/* Whether every step done so far is in the store. */
gboolean     obd_guide_page_is_saved     (ObdGuidePage *self);

/* Live readings for a running live check, in their own clock: what the
 * session's ::samples deliver, or a simulated vehicle's samples in tests
 * (a check decides from the samples' timestamps, so minutes of simulated
 * driving take milliseconds). */
void         obd_guide_page_feed_samples (ObdGuidePage    *self,
                                          const ObdSample *samples,
                                          gsize            n_samples);

G_END_DECLS
