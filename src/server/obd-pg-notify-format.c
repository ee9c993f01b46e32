/* obd-pg-notify-format.c — the payload of obd2-syncd's live-event
 * notifications
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A payload:
 *
 *   obd2-live 1 INSTANCE-ID
 *   e<TAB>VEHICLE-ID or -<TAB>ROOM-ID or -<TAB>MESSAGE-JSON
 *   r<TAB>VEHICLE-ID or -<TAB>ROOM-ID or -<TAB>LIVE-EVENTS-ROW-ID
 *
 * one line per event ("e": inline, "r": the body is in live_events).  The
 * JSON of our messages never holds a raw newline or tab: json-glib escapes
 * them inside strings.
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <string.h>

#include "obd-pg-notify-format.h"
#include "obd-sync-message.h"

#define HEADER_PREFIX "obd2-live 1 "

void
obd_pg_event_free (ObdPgEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->vehicle_id);
  g_free (event->room_id);
  g_free (event->text);
  g_free (event);
}

char *
obd_pg_notify_channel (const char *organisation_id)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, organisation_id, -1);

  return g_strdup_printf ("obd2_%.40s", hash);
}

char *
obd_pg_notify_header (const char *origin)
{
  return g_strconcat (HEADER_PREFIX, origin, NULL);
}

void
obd_pg_notify_append (GString    *payload,
                      const char *vehicle_id,
                      const char *room_id,
                      const char *text,
                      gint64      ref)
{
  g_string_append_c (payload, '\n');
  g_string_append_c (payload, ref > 0 ? 'r' : 'e');
  g_string_append_c (payload, '\t');
  g_string_append (payload, vehicle_id != NULL ? vehicle_id : "-");
  g_string_append_c (payload, '\t');
  g_string_append (payload, room_id != NULL ? room_id : "-");
  g_string_append_c (payload, '\t');
  if (ref > 0)
    g_string_append_printf (payload, "%" G_GINT64_FORMAT, ref);
  else
    g_string_append (payload, text);
}

static gboolean
bad_payload (GError     **error,
             const char  *what)
{
  g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE,
               "A live-event notification from the database is malformed: %s", what);
  return FALSE;
}

/* "-" or an identifier. */
static gboolean
parse_id (const char  *field,
          char       **out)
{
  if (g_str_equal (field, "-"))
    {
      *out = NULL;
      return TRUE;
    }
  if (!obd_sync_id_is_valid (field))
    return FALSE;
  *out = g_strdup (field);
  return TRUE;
}

gboolean
obd_pg_notify_parse (const char  *payload,
                     char       **out_origin,
                     GPtrArray  **out_events,
                     GError     **error)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_pg_event_free);
  const char *origin;

  g_return_val_if_fail (payload != NULL, FALSE);

  if (!g_utf8_validate (payload, -1, NULL))
    return bad_payload (error, "not UTF-8");
  lines = g_strsplit (payload, "\n", -1);
  if (lines[0] == NULL || !g_str_has_prefix (lines[0], HEADER_PREFIX))
    return bad_payload (error, "no header");
  origin = lines[0] + strlen (HEADER_PREFIX);
  if (!obd_sync_id_is_valid (origin))
    return bad_payload (error, "bad origin");

  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 4);
      g_autoptr(ObdPgEvent) event = NULL;
      char *end = NULL;

      if (g_strv_length (fields) != 4 || (!g_str_equal (fields[0], "e")
                                          && !g_str_equal (fields[0], "r")))
        return bad_payload (error, "bad event line");
      event = g_new0 (ObdPgEvent, 1);
      if (!parse_id (fields[1], &event->vehicle_id) || !parse_id (fields[2], &event->room_id))
        return bad_payload (error, "bad vehicle or room");
      if (fields[0][0] == 'r')
        {
          guint64 ref = g_ascii_strtoull (fields[3], &end, 10);

          if (end == fields[3] || *end != '\0' || ref == 0 || ref > G_MAXINT64)
            return bad_payload (error, "bad reference");
          event->ref = (gint64) ref;
        }
      else if (*fields[3] == '\0')
        return bad_payload (error, "empty event");
      else
        event->text = g_strdup (fields[3]);
      g_ptr_array_add (events, g_steal_pointer (&event));
    }
  *out_origin = g_strdup (origin);
  *out_events = g_steal_pointer (&events);
  return TRUE;
}

