/* fuzz-elm-response.c — libFuzzer target for the ELM327 reply parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the parse options (bits 0-3 the protocol, bit 4
 * headers, bits 5-6 the command whose echo to expect, bit 7 whether the
 * parser is told what that command asked, and from which ECU); the rest is
 * the adapter's reply.  Besides memory errors, the target checks the
 * parser's contract: OK exactly with a response, INVALID exactly with an
 * error, and with the request known, every message kept answers it.
 */
#define G_LOG_DOMAIN "fuzz-elm"
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "obd-elm.h"
#include "obd-error.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    g_error ("contract broken: %s", what);
}

/* where message bytes are read into, so the reads are not optimised away */
static volatile guint8 sink;

static void
fuzz_response (const char               *text,
               gsize                     len,
               const ObdElmParseOptions *options)
{
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  ObdElmParseResult result;
  gsize prompt = obd_elm_find_prompt (text, len);

  check (prompt <= len, "prompt offset within the buffer");

  result = obd_elm_parse_response (text, len, options, &response, &error);
  switch (result)
    {
    case OBD_ELM_PARSE_OK:
      check (response != NULL && error == NULL, "OK comes with a response and no error");
      check (prompt > 0, "OK only with a prompt");
      check (options->service == 0 || response->messages->len <= OBD_ELM_MAX_MESSAGES,
             "at most OBD_ELM_MAX_MESSAGES messages");
      for (guint i = 0; i < response->messages->len; i++)
        {
          const ObdMessage *msg = g_ptr_array_index (response->messages, i);

          check (msg->len > 0 && msg->len <= 4095, "message length");
          if (options->service != 0)
            {
              check (msg->data[0] == options->service + 0x40 ||
                     (msg->data[0] == 0x7F && msg->len >= 2 && msg->data[1] == options->service),
                     "a kept message answers the service asked");
              check (msg->ecu == 0 || options->n_ecus == 0 || msg->ecu == options->ecus[0],
                     "a kept message comes from the ECU asked");
            }
          /* touch every byte so ASan sees any overrun */
          for (gsize j = 0; j < msg->len; j++)
            sink += msg->data[j];
          (void) obd_response_find (response, msg->ecu, msg->data[0]);
        }
      break;
    case OBD_ELM_PARSE_NEED_MORE:
      check (response == NULL && error == NULL, "NEED_MORE has no response and no error");
      check (prompt == 0, "NEED_MORE only without a prompt");
      break;
    case OBD_ELM_PARSE_INVALID:
      check (response == NULL && error != NULL, "INVALID sets an error");
      check (error->domain == OBD_PROTOCOL_ERROR, "error domain");
      break;
    default:
      check (FALSE, "known result");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char *commands[] = { NULL, "010C", "0902", "ATI" };
  static const guint8 services[] = { 0x03, 0x01, 0x09, 0x01 };
  static const guint8 pids[][1] = { { 0x00 }, { 0x0C }, { 0x02 }, { 0x00 } };
  static const guint32 engine = 0x7E8;
  ObdElmParseOptions options = { 0 };
  guint discarded = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *at = NULL;
  g_autofree char *line = NULL;
  char *text;
  gsize len;

  if (size < 1)
    return 0;

  options.protocol = (ObdProtocol) ((data[0] & 0x0F) % (OBD_PROTOCOL_LAST + 1));
  options.headers = (data[0] >> 4) & 1;
  options.command = commands[(data[0] >> 5) & 3];
  if (data[0] & 0x80)
    {
      guint which = (data[0] >> 5) & 3;

      options.service = services[which];
      options.pids = pids[which];
      options.n_pids = which == 0 ? 0 : 1;
      options.ecus = &engine;
      options.n_ecus = which == 3 ? 1 : 0;
      options.n_discarded = &discarded;
    }

  /* A heap copy of exactly the reply, so that reading one byte past it
   * is caught. */
  len = size - 1;
  text = malloc (len > 0 ? len : 1);
  if (text == NULL)
    return 0;
  if (len > 0)
    memcpy (text, data + 1, len);

  fuzz_response (text, len, &options);

  at = obd_elm_parse_at_reply (text, len, options.command, &error);
  check ((at == NULL) == (error != NULL), "AT reply: NULL exactly with an error");

  line = g_strndup (text, len);
  (void) obd_elm_line_is_error (line, NULL);

  free (text);
  return 0;
}
