/* fuzz-pg-notify.c — libFuzzer target for the payload of live-event
 * notifications between obd2-syncd instances
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a NOTIFY payload as PostgreSQL hands it over (anyone who
 * may connect to the database may send one).  A payload that parses must
 * hold only valid identifiers and events with a body or a reference, and
 * build back, event by event, into a payload that parses the same.
 */
#define G_LOG_DOMAIN "fuzz-pg-notify"
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "obd-pg-notify-format.h"
#include "obd-sync-message.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *payload = g_strndup ((const char *) data, size);
  g_autofree char *origin = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GString) rebuilt = NULL;
  g_autofree char *origin_again = NULL;
  g_autoptr(GPtrArray) events_again = NULL;
  gboolean ok;

  fuzz_init ();
  ok = obd_pg_notify_parse (payload, &origin, &events, &error);
  fuzz_check (ok == (error == NULL), "parse: FALSE exactly with an error");
  if (!ok)
    {
      fuzz_check (error->domain == OBD_SYNC_ERROR, "parse: error domain");
      return 0;
    }
  fuzz_check (obd_sync_id_is_valid (origin), "parse: a valid origin");

  header = obd_pg_notify_header (origin);
  rebuilt = g_string_new (header);
  for (guint i = 0; i < events->len; i++)
    {
      ObdPgEvent *event = g_ptr_array_index (events, i);

      fuzz_check ((event->text != NULL) != (event->ref > 0), "parse: a body or a reference");
      fuzz_check (event->vehicle_id == NULL || obd_sync_id_is_valid (event->vehicle_id),
                  "parse: a valid vehicle");
      fuzz_check (event->room_id == NULL || obd_sync_id_is_valid (event->room_id),
                  "parse: a valid room");
      if (event->text != NULL)
        fuzz_touch (event->text, strlen (event->text));
      obd_pg_notify_append (rebuilt, event->vehicle_id, event->room_id, event->text, event->ref);
    }
  fuzz_check (obd_pg_notify_parse (rebuilt->str, &origin_again, &events_again, NULL),
              "round trip parses");
  fuzz_check (g_str_equal (origin, origin_again), "round trip: the same origin");
  fuzz_check (events_again->len == events->len, "round trip: as many events");

  /* A channel name: "obd2_" and hex only, whatever the organisation. */
  {
    g_autofree char *channel = obd_pg_notify_channel (payload);

    fuzz_check (strlen (channel) == 45 && g_str_has_prefix (channel, "obd2_"),
                "channel: obd2_ and 40 hex digits");
    for (const char *p = channel + 5; *p != '\0'; p++)
      fuzz_check (g_ascii_isxdigit (*p), "channel: hex digits");
  }
  return 0;
}
