/* obd-guide-private.h — the guide's insides, shared by obd-guide.c (the
 * object), obd-guide-parser.c (which fills it) and the run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obd-guide.h"

G_BEGIN_DECLS

struct _ObdGuide
{
  GObject        parent_instance;

  GStringChunk  *strings;
  GPtrArray     *blocks;       /* memory the arrays below live in */

  const char    *filename;
  const char    *id;
  int            version;
  const char    *title;
  const char    *summary;
  const char   **tools;        /* NULL-terminated */
  const char   **safety;
  const char   **symptoms;
  ObdGuideCodeRange *codes;
  guint          n_codes;

  GPtrArray     *steps;        /* ObdGuideStep *, in file order; [0] starts */
  GPtrArray     *findings;     /* ObdGuideFinding * */
  GHashTable    *steps_by_id;
  GHashTable    *findings_by_id;
};

ObdGuide   *_obd_guide_new          (const char *filename);
/* A copy of text owned by the guide; NULL stays NULL. */
const char *_obd_guide_intern       (ObdGuide   *self,
                                     const char *text);
/* n zeroed bytes owned by the guide. */
gpointer    _obd_guide_alloc        (ObdGuide   *self,
                                     gsize       n);

/* obd-guide-parser.c: fills self from a file's contents; FALSE with
 * OBD_GUIDE_ERROR_INVALID "FILE:LINE: message". */
gboolean    _obd_guide_parse        (ObdGuide    *self,
                                     const char  *data,
                                     gsize        len,
                                     GError     **error);

/* The key and ObdUnit of a measurement unit key; FALSE if unknown. */
gboolean    _obd_guide_unit_lookup  (const char  *key,
                                     ObdUnit     *out_unit);

/* Text rules shared by the parser and the tests: whitespace runs become
 * one space, ends trimmed — exactly what xgettext does to the msgid. */
char       *_obd_guide_normalize_text (const char *text);

G_END_DECLS
