/* obd-report-code.c — checking a verification code against the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <string.h>

#include "obd-report.h"
#include "obd-report-code.h"

static const ObdStoreSession *
find_by_hash (GPtrArray  *sessions,
              const char *hash)
{
  for (guint i = 0; i < sessions->len; i++)
    {
      const ObdStoreSession *s = g_ptr_array_index (sessions, i);

      if (s->hash != NULL && g_ascii_strcasecmp (s->hash, hash) == 0)
        return s;
    }
  return NULL;
}

/* Recomputes session and each one before it along prev_hash.  Sets
 * first_bad to the first (newest) session that fails, 0 when all match;
 * out_link says whether it failed by its link (the session it was sealed
 * after is missing) rather than by its content. */
static gboolean
walk_back (ObdStore               *store,
           GPtrArray              *sessions,
           const ObdStoreSession  *session,
           gint64                 *out_first_bad,
           gboolean               *out_link,
           GError                **error)
{
  *out_link = FALSE;

  /* A damaged store may link in a circle: no walk is longer than the
   * number of sessions. */
  for (guint steps = 0; session != NULL && steps <= sessions->len; steps++)
    {
      g_autofree char *computed = obd_store_compute_session_hash (store, session->id, error);
      const ObdStoreSession *prev;

      if (computed == NULL)
        return FALSE;
      if (g_ascii_strcasecmp (computed, session->hash) != 0)
        {
          *out_first_bad = session->id;
          return TRUE;
        }
      if (session->prev_hash == NULL)
        {
          *out_first_bad = 0;
          return TRUE;
        }
      prev = find_by_hash (sessions, session->prev_hash);
      if (prev == NULL)
        {
          /* The session it was sealed after is gone or was changed. */
          *out_first_bad = session->id;
          *out_link = TRUE;
          return TRUE;
        }
      session = prev;
    }

  *out_first_bad = session != NULL ? session->id : 0;
  *out_link = TRUE;
  return TRUE;
}

gboolean
obd_report_code_verify (ObdStore            *store,
                        const char          *digits,
                        ObdReportCodeCheck  *out,
                        GError             **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  const ObdStoreSession *session = NULL;
  gint64 first_bad = 0;
  gboolean link = FALSE;

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (digits != NULL && strlen (digits) == OBD_REPORT_CODE_DIGITS, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  sessions = obd_store_list_sessions (store, 0, error);
  if (sessions == NULL)
    return FALSE;

  for (guint i = 0; i < sessions->len && session == NULL; i++)
    {
      const ObdStoreSession *s = g_ptr_array_index (sessions, i);

      if (s->hash != NULL && g_ascii_strncasecmp (s->hash, digits, OBD_REPORT_CODE_DIGITS) == 0)
        session = s;
    }

  if (session == NULL)
    {
      out->result = OBD_REPORT_CODE_UNKNOWN;
      return TRUE;
    }

  out->session_id = session->id;
  if (!walk_back (store, sessions, session, &first_bad, &link, error))
    return FALSE;

  out->first_bad = first_bad;
  if (first_bad == 0)
    out->result = OBD_REPORT_CODE_INTACT;
  else if (first_bad == session->id && !link)
    out->result = OBD_REPORT_CODE_CHANGED;
  else
    out->result = OBD_REPORT_CODE_HISTORY_BROKEN;
  return TRUE;
}
