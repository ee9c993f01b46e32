/* fuzz-adapter.c — libFuzzer target for the adapter's read loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives ObdAdapter over a scripted transport (tests/obd-script-transport.c)
 * whose replies are the input, so what an adapter sends — replies out of
 * step, half replies, prompts in the wrong place, streams that never end —
 * reaches the adapter's drain, resynchronisation and reply loops, not only
 * the parser.  Time is virtual: a read with nothing queued counts as a wait
 * that ran out, so every loop must end by its byte and time bounds, never
 * by the input running out of patience.
 *
 * First byte: bit 0 the strategy (fast, naive), bits 1-2 how many bytes a
 * read returns at most (1, 7, 64, 512), bit 3 whether the adapter streams
 * its last reply record forever once the others are used up.  Then reply
 * records, one per line the adapter writes: a length byte and that many
 * bytes (the last may be short).  A line without a record gets no reply.
 */
#define G_LOG_DOMAIN "fuzz-adapter"
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-adapter.h"
#include "obd-error.h"
#include "obd-script-transport.h"

typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
  gboolean      endless;
  char         *last;
} Input;

static GBytes *
reply_from_input (ObdScriptTransport *transport,
                  const char         *line,
                  guint               n,
                  gpointer            data)
{
  Input *in = data;
  gsize len;
  GBytes *reply;

  for (const char *c = line; *c != '\0'; c++)
    fuzz_check (*c >= 0x20 && *c < 0x7F, "the adapter writes printable lines");
  if (in->pos >= in->size)
    return NULL;

  len = MIN ((gsize) in->data[in->pos], in->size - in->pos - 1);
  reply = g_bytes_new (in->data + in->pos + 1, len);
  in->pos += 1 + len;

  if (in->pos >= in->size && in->endless && len > 0)
    {
      g_free (in->last);
      in->last = g_strndup ((const char *) g_bytes_get_data (reply, NULL), len);
      if (*in->last != '\0')
        obd_script_transport_set_endless (transport, in->last);
    }

  return reply;
}

static void
check_samples (GArray       *samples,
               guint         since,
               const guint8 *pids,
               gsize         n_pids)
{
  for (guint i = since; i < samples->len; i++)
    {
      const ObdSample *s = &g_array_index (samples, ObdSample, i);
      gboolean asked = FALSE;

      for (gsize p = 0; p < n_pids; p++)
        asked |= pids[p] == s->pid;
      fuzz_check (asked, "a sample is of a PID asked");
      fuzz_check (s->service == 0x01, "a sample is from Mode 01");

      for (guint j = since; j < i; j++)
        {
          const ObdSample *t = &g_array_index (samples, ObdSample, j);

          fuzz_check (t->ecu != s->ecu || t->pid != s->pid || t->index != s->index,
                      "each ECU, PID and field once per read");
        }
    }
}

static void
read_and_check (ObdAdapter   *adapter,
                const guint8 *pids,
                gsize         n_pids,
                GArray       *samples)
{
  g_autoptr(GError) error = NULL;
  guint since = samples->len;
  gboolean ok;

  ok = obd_adapter_read_pids (adapter, pids, n_pids, samples, NULL, &error);
  fuzz_check (ok == (error == NULL), "read_pids: FALSE exactly with an error");
  if (!ok)
    fuzz_check (error->domain == OBD_PROTOCOL_ERROR || error->domain == OBD_TRANSPORT_ERROR,
                "read_pids: a protocol or transport error");
  check_samples (samples, since, pids, n_pids);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const gsize chunks[] = { 1, 7, 64, 512 };
  static const guint8 dashboard[] = { 0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B, 0x0F, 0x10 };
  g_autoptr(ObdScriptTransport) transport = NULL;
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(GArray) samples = NULL;
  g_autoptr(GError) error = NULL;
  Input in = { 0 };
  ObdLinkStats stats;
  gboolean connected;

  fuzz_init ();
  if (size < 1)
    return 0;

  in.data = data + 1;
  in.size = size - 1;
  in.endless = (data[0] & 0x08) != 0;

  transport = obd_script_transport_new (reply_from_input, &in);
  obd_script_transport_set_chunk (transport, chunks[(data[0] >> 1) & 3]);
  adapter = obd_adapter_new (OBD_TRANSPORT (transport));
  obd_adapter_set_strategy (adapter, data[0] & 1 ? OBD_STRATEGY_NAIVE : OBD_STRATEGY_FAST);

  connected = obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, NULL, &error);
  fuzz_check (connected == (error == NULL), "connect: FALSE exactly with an error");
  g_clear_error (&error);

  samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  if (connected)
    {
      guint n_ecus = 0;
      const ObdEcu *ecus = obd_adapter_get_ecus (adapter, &n_ecus);
      g_autoptr(ObdResponse) codes = NULL;
      g_autofree char *voltage = NULL;

      fuzz_check (n_ecus > 0 && ecus != NULL, "connected: at least one ECU");
      fuzz_check (obd_adapter_get_version (adapter) != NULL, "connected: a version");
      read_and_check (adapter, dashboard, G_N_ELEMENTS (dashboard), samples);

      codes = obd_adapter_query_all (adapter, 0x03, NULL, 0, NULL, &error);
      fuzz_check ((codes == NULL) == (error != NULL), "query_all: NULL exactly with an error");
      if (codes != NULL)
        for (guint i = 0; i < codes->messages->len; i++)
          {
            const ObdMessage *msg = g_ptr_array_index (codes->messages, i);

            fuzz_check (msg->len > 0 && (msg->data[0] == 0x43 || msg->data[0] == 0x7F),
                        "query_all: only answers to the service asked");
          }
      g_clear_error (&error);

      voltage = obd_adapter_at (adapter, "ATRV", NULL, &error);
      fuzz_check ((voltage == NULL) == (error != NULL), "at: NULL exactly with an error");
      g_clear_error (&error);

      read_and_check (adapter, dashboard + 2, 3, samples);
    }

  obd_adapter_get_link_stats (adapter, &stats);
  fuzz_check (stats.n_values == samples->len, "every value decoded is a sample");
  fuzz_check (obd_script_transport_get_n_read (transport) <= 16 * 1024 * 1024,
              "reads are bounded");

  obd_adapter_disconnect (adapter);
  g_free (in.last);
  return 0;
}
