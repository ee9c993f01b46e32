/* obd-guides.h — the guided-repair guides of the application, loaded once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading the built-in guides and a workshop's own reads and validates
 * files, so it runs on a thread, once per process; every later caller
 * gets the same library at once.  A loaded library is only read, so its
 * guides may be looked up on any thread (ObdGuide is immutable).  Call
 * these on the main thread.
 */
#pragma once

#include <gio/gio.h>

#include "obd-guide-library.h"
#include "obd-guide-run.h"
#include "obd-store.h"

G_BEGIN_DECLS

void             obd_guides_load_async  (GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* A new reference to the library; never fails (a guide that cannot be
 * loaded is one of the library's problems). */
ObdGuideLibrary *obd_guides_load_finish (GAsyncResult        *result,
                                         GError             **error);
/* The library if it is loaded, else NULL (borrowed). */
ObdGuideLibrary *obd_guides_peek        (void);

/* A store job (ObdStoreJobFunc): the runs of the vehicle *(gint64 *)
 * data (0: of every vehicle) that can be continued, newest first, as a
 * GPtrArray of ObdStoreGuideRun. */
gpointer         obd_guides_list_unfinished_job (ObdStore      *store,
                                                 gpointer       data,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

/* A reading in units: "70 °C"; infinity is an open circuit ("OL"). */
char            *obd_guides_format_value    (double         value,
                                             ObdUnit        unit,
                                             ObdUnitSystem  units);
/* A step done, in words: "Warm up at idle — not met in time (70 °C)".
 * guide (nullable) gives the step's title and its answers' labels. */
char            *obd_guides_describe_record (ObdGuide             *guide,
                                             const ObdGuideRecord *record,
                                             ObdUnitSystem         units);
/* What the repairs the guide can end in take, for people who pay for
 * them; NULL when it ends in none. */
char            *obd_guides_describe_labour (ObdGuide      *guide);

G_END_DECLS
