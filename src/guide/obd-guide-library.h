/* obd-guide-library.h — every guide the program knows, and what went wrong
 * loading the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built-in guides are compiled into the GResource; a workshop adds its
 * own as files in $XDG_DATA_HOME/obd2-diagnostics/guides/ or in the
 * folders of $OBD2_GUIDE_PATH (colon-separated).  A guide there with the
 * id of a built-in one replaces it.  A file that is not a valid guide is
 * skipped and listed as a problem with its file and line; it never stops
 * the others from loading.
 *
 * A GListModel of ObdGuide, sorted by id.  Loading reads files: do it off
 * the main thread in the app (the library is not used from two threads at
 * once; a loaded library is only read).
 */
#pragma once

#include "obd-guide.h"

G_BEGIN_DECLS

typedef struct
{
  char  *filename;
  guint  line;      /* 0 when the problem is not at one line */
  char  *message;   /* translated, without the file and line */
} ObdGuideProblem;

void obd_guide_problem_free (ObdGuideProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdGuideProblem, obd_guide_problem_free)

#define OBD_TYPE_GUIDE_LIBRARY (obd_guide_library_get_type ())
G_DECLARE_FINAL_TYPE (ObdGuideLibrary, obd_guide_library, OBD, GUIDE_LIBRARY, GObject)

/* An empty library. */
ObdGuideLibrary *obd_guide_library_new                (void);
/* The built-in guides, then the user's folders. */
ObdGuideLibrary *obd_guide_library_new_default        (void);

/* Loads every *.xml of a GResource folder / a folder on disk, in name
 * order.  Problems are recorded, not returned: only a folder that cannot
 * be listed at all is an error (a missing folder is not). */
gboolean         obd_guide_library_add_resource_dir   (ObdGuideLibrary  *self,
                                                       const char       *path,
                                                       GError          **error);
gboolean         obd_guide_library_add_directory      (ObdGuideLibrary  *self,
                                                       GFile            *dir,
                                                       GCancellable     *cancellable,
                                                       GError          **error);
/* Adds one guide; a problem (and FALSE) when it is not valid. */
gboolean         obd_guide_library_add_data           (ObdGuideLibrary  *self,
                                                       const char       *data,
                                                       gsize             len,
                                                       const char       *filename);
/* Lists, as problems, findings that refer to guides this library does
 * not have.  Call once everything is loaded. */
void             obd_guide_library_check_references   (ObdGuideLibrary  *self);

/* Of ObdGuideProblem, in the order found; owned by the library. */
GPtrArray       *obd_guide_library_get_problems       (ObdGuideLibrary  *self);
ObdGuide        *obd_guide_library_lookup             (ObdGuideLibrary  *self,
                                                       const char       *id);
/* Guides for a code, the closest fit first (new array of ObdGuide refs). */
GPtrArray       *obd_guide_library_find_for_code      (ObdGuideLibrary  *self,
                                                       const char       *code);
/* Guides for a symptom key, by title. */
GPtrArray       *obd_guide_library_find_for_symptom   (ObdGuideLibrary  *self,
                                                       const char       *symptom);

G_END_DECLS
