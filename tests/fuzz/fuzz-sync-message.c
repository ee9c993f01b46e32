/* fuzz-sync-message.c — libFuzzer target for the sync protocol's parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a frame as it comes off the WebSocket, parsed as a client
 * would send it and as a server would.  A message that parses must build
 * back into text that parses to the same type and id; a parser failure
 * must be an OBD_SYNC_ERROR.  The input is also taken as the Base64 of
 * packed samples (the count from its length) and as a channel name.
 */
#define G_LOG_DOMAIN "fuzz-sync-message"
#include "config.h"

#include <math.h>
#include <string.h>

#include "fuzz-common.h"
#include "obd-sync-message.h"

static void
fuzz_parse (const char       *data,
            gsize             size,
            ObdSyncDirection  from)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(ObdSyncMessage) message = obd_sync_message_parse (data, size, 64 * 1024, from, &id,
                                                              &error);
  g_autoptr(ObdSyncMessage) again = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  fuzz_check ((message == NULL) == (error != NULL), "parse: NULL exactly with an error");
  if (message == NULL)
    {
      fuzz_check (error->domain == OBD_SYNC_ERROR, "parse: error domain");
      fuzz_check (error->code >= OBD_SYNC_ERROR_FAILED && error->code <= OBD_SYNC_ERROR_CLOSED,
                  "parse: a known error code");
      fuzz_touch (error->message, strlen (error->message));
      if (id != NULL)
        fuzz_check (obd_sync_id_is_valid (id), "parse: the id handed back is valid");
      return;
    }

  fuzz_check (message->type > OBD_SYNC_MSG_UNKNOWN && message->type <= OBD_SYNC_MSG_LAST,
              "parse: a known type");
  fuzz_check ((obd_sync_message_type_get_senders (message->type) & from) != 0,
              "parse: a type this side may send");
  fuzz_check (obd_sync_id_is_valid (message->message_id), "parse: a valid id");
  fuzz_check (g_strcmp0 (id, message->message_id) == 0, "parse: the same id handed back");

  text = obd_sync_message_to_string (message, &length);
  again = obd_sync_message_parse (text, length, G_MAXSIZE, from, NULL, &error);
  if (again == NULL)
    g_error ("round trip failed: %s\n%s", error->message, text);
  fuzz_check (again->type == message->type, "round trip: the same type");
  fuzz_check (g_str_equal (again->message_id, message->message_id), "round trip: the same id");

  if (message->type == OBD_SYNC_MSG_ERROR)
    {
      g_autoptr(GError) carried = obd_sync_message_dup_error (message);

      fuzz_check (carried->domain == OBD_SYNC_ERROR, "error: domain");
    }
}

static void
fuzz_samples (const char *text)
{
  gsize length = strlen (text);
  gsize count = (length / 4) * 3 / OBD_SYNC_SAMPLE_RECORD_SIZE;
  g_autoptr(GError) error = NULL;
  gint64 first = 0, last = 0;
  g_autoptr(GBytes) packed = obd_sync_samples_decode (text, count, &first, &last, &error);
  g_autoptr(GArray) samples = NULL;

  fuzz_check ((packed == NULL) == (error != NULL), "samples: NULL exactly with an error");
  if (packed == NULL)
    return;
  fuzz_check (g_bytes_get_size (packed) == count * OBD_SYNC_SAMPLE_RECORD_SIZE,
              "samples: the size announced");
  samples = g_array_new (FALSE, FALSE, sizeof (ObdSyncSample));
  obd_sync_samples_unpack (packed, samples);
  for (guint i = 0; i < samples->len; i++)
    {
      ObdSyncSample *s = &g_array_index (samples, ObdSyncSample, i);

      fuzz_check (isfinite (s->value), "samples: finite values");
      fuzz_check (s->time_us >= first && s->time_us <= last, "samples: within first and last");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  const char *id = NULL;

  fuzz_init ();
  fuzz_parse ((const char *) data, size, OBD_SYNC_FROM_CLIENT);
  fuzz_parse ((const char *) data, size, OBD_SYNC_FROM_SERVER);

  text = g_strndup ((const char *) data, size);
  fuzz_samples (text);
  if (obd_sync_channel_parse (text, &id) != OBD_SYNC_CHANNEL_INVALID)
    fuzz_check (obd_sync_id_is_valid (id), "channel: a valid id");
  return 0;
}
