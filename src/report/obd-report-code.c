/* obd-report-code.c — verification codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-report"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-report.h"
#include "obd-report-code.h"

#define GROUP 4

char *
obd_report_code_from_hash (const char *hash)
{
  GString *code;

  if (hash == NULL)
    return NULL;
  for (guint i = 0; i < OBD_REPORT_CODE_DIGITS; i++)
    if (!g_ascii_isxdigit (hash[i]))
      return NULL;

  code = g_string_sized_new (OBD_REPORT_CODE_DIGITS + OBD_REPORT_CODE_DIGITS / GROUP);
  for (guint i = 0; i < OBD_REPORT_CODE_DIGITS; i++)
    {
      if (i > 0 && i % GROUP == 0)
        g_string_append_c (code, '-');
      g_string_append_c (code, g_ascii_toupper (hash[i]));
    }
  return g_string_free (code, FALSE);
}

gboolean
obd_report_code_parse (const char  *text,
                       char         out_digits[OBD_REPORT_CODE_DIGITS + 1],
                       GError     **error)
{
  guint n = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_digits != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-' || *p == ' ' || *p == '\t')
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_INVALID_CODE,
                       _("“%s” is not a verification code: it has characters other than "
                         "0–9, A–F and dashes. Type it as printed at the bottom of the "
                         "report, e.g. 3F2A-91C0-77DE-4B12."), text);
          return FALSE;
        }
      /* A whole hash (64 digits) is fine: only its start is compared. */
      if (n < OBD_REPORT_CODE_DIGITS)
        out_digits[n] = g_ascii_tolower (*p);
      n++;
    }

  if (n < OBD_REPORT_CODE_DIGITS || (n > OBD_REPORT_CODE_DIGITS && n != 64))
    {
      g_set_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_INVALID_CODE,
                   _("“%s” is not a verification code: a code has 16 characters in four "
                     "groups, e.g. 3F2A-91C0-77DE-4B12. Check it against the report."), text);
      return FALSE;
    }

  out_digits[OBD_REPORT_CODE_DIGITS] = '\0';
  return TRUE;
}

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
