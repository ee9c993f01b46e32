/* obd-adapter.c — an ELM327 adapter on a transport: init, discovery, requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-adapter"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-adapter.h"
#include "obd-error.h"

#define AT_TIMEOUT_MS        2000
#define RESET_TIMEOUT_MS     5000
/* "SEARCHING..." tries every protocol; the 5-baud inits alone take ~5 s. */
#define SEARCH_TIMEOUT_MS    30000
#define REQUEST_TIMEOUT_MS   5000
#define MAX_PIDS_PER_REQUEST 6
#define MAX_REPLY_BYTES      (64 * 1024)
/* Longer than any gap inside a genuine reply (AT ST tops out at 1020 ms). */
#define REPLY_IDLE_GAP_MS    1200

struct _ObdAdapter
{
  GObject       parent_instance;

  ObdTransport *transport;
  ObdStrategy   strategy;

  GByteArray   *rx;
  GHashTable   *quirks;        /* AT commands the adapter rejected */

  char         *version;
  char         *device_description;
  ObdProtocol   requested_protocol;
  ObdProtocol   protocol;
  GArray       *ecus;          /* of ObdEcu */
  guint32       header;        /* request address set with AT SH; 0 = functional */

  guint64       n_requests;
  guint64       n_values;
  guint         multi_strikes; /* multi-PID requests answered in part, in a row */

  guint         connected : 1;
  guint         headers : 1;   /* AT H1 accepted */
  guint         multi_pid : 1; /* several PIDs in one request work */
  guint         counts : 1;    /* response counts ("010C 1") work */
};

G_DEFINE_FINAL_TYPE (ObdAdapter, obd_adapter, G_TYPE_OBJECT)

const char *
obd_strategy_to_string (ObdStrategy strategy)
{
  return strategy == OBD_STRATEGY_NAIVE ? "naive" : "fast";
}

gboolean
obd_strategy_parse (const char  *text,
                    ObdStrategy *out_strategy)
{
  if (g_strcmp0 (text, "fast") == 0)
    *out_strategy = OBD_STRATEGY_FAST;
  else if (g_strcmp0 (text, "naive") == 0)
    *out_strategy = OBD_STRATEGY_NAIVE;
  else
    return FALSE;
  return TRUE;
}

static void
obd_adapter_finalize (GObject *object)
{
  ObdAdapter *self = OBD_ADAPTER (object);

  g_clear_object (&self->transport);
  g_clear_pointer (&self->rx, g_byte_array_unref);
  g_clear_pointer (&self->quirks, g_hash_table_unref);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->device_description, g_free);
  g_clear_pointer (&self->ecus, g_array_unref);

  G_OBJECT_CLASS (obd_adapter_parent_class)->finalize (object);
}

static void
obd_adapter_class_init (ObdAdapterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = obd_adapter_finalize;
}

static void
obd_adapter_init (ObdAdapter *self)
{
  self->rx = g_byte_array_new ();
  self->quirks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ecus = g_array_new (FALSE, TRUE, sizeof (ObdEcu));
  self->multi_pid = TRUE;
  self->counts = TRUE;
}

ObdAdapter *
obd_adapter_new (ObdTransport *transport)
{
  ObdAdapter *self;

  g_return_val_if_fail (OBD_IS_TRANSPORT (transport), NULL);

  self = g_object_new (OBD_TYPE_ADAPTER, NULL);
  self->transport = g_object_ref (transport);

  return self;
}

ObdTransport *
obd_adapter_get_transport (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  return self->transport;
}

void
obd_adapter_set_strategy (ObdAdapter  *self,
                          ObdStrategy  strategy)
{
  g_return_if_fail (OBD_IS_ADAPTER (self));

  self->strategy = strategy;
}

ObdStrategy
obd_adapter_get_strategy (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), OBD_STRATEGY_FAST);

  return self->strategy;
}

/* Drops whatever arrived unasked: the tail of a reply cut short, Bluetooth
 * module chatter, a late answer from a slow ECU.  Without this it would be
 * read as the start of the next reply. */
static gboolean
drain_input (ObdAdapter    *self,
             GCancellable  *cancellable,
             GError       **error)
{
  guint8 buf[256];
  gssize n;

  g_byte_array_set_size (self->rx, 0);

  while ((n = obd_transport_read (self->transport, buf, sizeof buf, 0, cancellable, error)) > 0)
    g_debug ("dropping %" G_GSSIZE_FORMAT " unexpected bytes", n);

  return n == 0;
}

typedef enum
{
  REPLY_OK,
  REPLY_SILENT,     /* nothing at all came back */
  REPLY_TRUNCATED,  /* some bytes, then silence before the prompt */
  REPLY_FAILED,     /* error set */
} ReplyStatus;

static gboolean
reply_is_searching (GByteArray *rx)
{
  /* While the adapter searches protocols or runs a 5-baud bus init it
   * prints "SEARCHING..." / "BUS INIT: ..." and then stays quiet for
   * seconds: that is not a cut-off reply. */
  return g_strstr_len ((const char *) rx->data, rx->len, "SEARCHING") != NULL ||
         g_strstr_len ((const char *) rx->data, rx->len, "BUS INIT") != NULL;
}

/* Sends one line and collects the reply up to the '>' prompt.
 *
 * Time is kept as budgets charged by what the transport reports: a read
 * that returns nothing has waited the whole timeout it was given, one that
 * returns bytes has waited what the clock says.  So the simulator without
 * delays (whose clock is virtual) times out as fast as it answers, and a
 * real adapter exactly as the wall clock runs. */

/* The adapter's bytes for a debug line: one line of printable text, with
 * its \r, NULs and garbage escaped, so a log (or a test's TAP output)
 * never gets a stray line break or invalid UTF-8 from the wire. */
static char *
shown_bytes (const guint8 *data,
             gsize         len)
{
  GString *out = g_string_sized_new (len + 8);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\r')
        g_string_append (out, "\\r");
      else if (data[i] >= 0x20 && data[i] < 0x7F && data[i] != '\\')
        g_string_append_c (out, (char) data[i]);
      else
        g_string_append_printf (out, "\\x%02X", data[i]);
    }
  return g_string_free (out, FALSE);
}

static ReplyStatus
transact_once (ObdAdapter    *self,
               const char    *command,
               guint          timeout_ms,
               gsize         *out_end,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *line = NULL;
  gint64 budget_us = (gint64) timeout_ms * 1000;
  gint64 idle_us = REPLY_IDLE_GAP_MS * 1000;

  if (!drain_input (self, cancellable, error))
    return REPLY_FAILED;

  line = g_strconcat (command, "\r", NULL);
  g_debug ("→ %s", command);
  if (!obd_transport_write (self->transport, (const guint8 *) line, strlen (line),
                            cancellable, error))
    return REPLY_FAILED;

  for (;;)
    {
      guint8 buf[512];
      gint64 wait_us = budget_us;
      gint64 started;
      guint wait_ms;
      gssize n;
      gsize end;

      /* A reply that stops mid-way (a link glitch, a clone's buffer
       * overrun) would otherwise hold us until the full deadline. */
      if (self->rx->len > 0 && !reply_is_searching (self->rx))
        wait_us = MIN (wait_us, idle_us);

      if (wait_us <= 0)
        return self->rx->len == 0 ? REPLY_SILENT : REPLY_TRUNCATED;

      wait_ms = (guint) ((wait_us + 999) / 1000);
      started = g_get_monotonic_time ();
      n = obd_transport_read (self->transport, buf, sizeof buf, wait_ms, cancellable, error);
      if (n < 0)
        return REPLY_FAILED;
      if (n == 0)
        {
          budget_us -= (gint64) wait_ms * 1000;
          idle_us -= (gint64) wait_ms * 1000;
          continue;
        }

      budget_us -= g_get_monotonic_time () - started;
      idle_us = REPLY_IDLE_GAP_MS * 1000;
      g_byte_array_append (self->rx, buf, n);
      end = obd_elm_find_prompt ((const char *) self->rx->data, self->rx->len);
      if (end > 0)
        {
          *out_end = end;
          return REPLY_OK;
        }

      if (self->rx->len > MAX_REPLY_BYTES)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                       _("The adapter sent more than %d bytes without finishing its reply. "
                         "Unplug it and plug it in again."), MAX_REPLY_BYTES);
          return REPLY_FAILED;
        }
    }
}

/* transact_once(), asking once more after a reply that was cut short. */
static char *
transact (ObdAdapter    *self,
          const char    *command,
          guint          timeout_ms,
          gsize         *out_len,
          GCancellable  *cancellable,
          GError       **error)
{
  ReplyStatus status = REPLY_FAILED;
  gsize end = 0;
  char *reply;

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      status = transact_once (self, command, timeout_ms, &end, cancellable, error);
      if (status != REPLY_TRUNCATED)
        break;
      if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        {
          g_autofree char *shown = shown_bytes (self->rx->data, self->rx->len);

          g_debug ("reply to %s cut short: %s", command, shown);
        }
    }

  switch (status)
    {
    case REPLY_OK:
      break;
    case REPLY_SILENT:
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT,
                   _("The adapter did not answer “%s”. Check that it is plugged in "
                     "and powered, then connect again."), command);
      return NULL;
    case REPLY_TRUNCATED:
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The adapter’s reply to “%s” stopped half-way, twice. Check the "
                     "cable or the Bluetooth link."), command);
      return NULL;
    case REPLY_FAILED:
    default:
      return NULL;
    }

  *out_len = end;
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      g_autofree char *shown = shown_bytes (self->rx->data, end);

      g_debug ("← %s", shown);
    }

  /* Not g_strndup(): Bluetooth modules put NUL bytes in the stream and
   * the reply must reach the parser whole, prompt included. */
  reply = g_malloc (end + 1);
  memcpy (reply, self->rx->data, end);
  reply[end] = '\0';
  return reply;
}

char *
obd_adapter_at (ObdAdapter    *self,
                const char    *command,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *reply = NULL;
  gsize len = 0;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);
  g_return_val_if_fail (command != NULL, NULL);

  reply = transact (self, command, AT_TIMEOUT_MS, &len, cancellable, error);
  if (reply == NULL)
    return NULL;

  return obd_elm_parse_at_reply (reply, len, command, error);
}

/* Optional configuration: a clone that answers "?" or nothing is noted and
 * not asked again.  Returns FALSE only for failures that end the
 * connection; *accepted says whether the command took. */
static gboolean
at_optional (ObdAdapter    *self,
             const char    *command,
             gboolean      *accepted,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reply = NULL;

  *accepted = FALSE;

  if (g_hash_table_contains (self->quirks, command))
    return TRUE;

  reply = obd_adapter_at (self, command, cancellable, &local_error);
  if (reply != NULL)
    {
      *accepted = TRUE;
      return TRUE;
    }

  if (g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND) ||
      g_error_matches (local_error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT))
    {
      g_info ("The adapter does not support %s (%s); carrying on without it.",
                 command, local_error->message);
      g_hash_table_add (self->quirks, g_strdup (command));
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static ObdResponse *
request_text (ObdAdapter    *self,
              const char    *command,
              guint          timeout_ms,
              GCancellable  *cancellable,
              GError       **error)
{
  ObdElmParseOptions options = { 0 };
  g_autofree char *reply = NULL;
  ObdResponse *response = NULL;
  gsize len = 0;

  reply = transact (self, command, timeout_ms, &len, cancellable, error);
  if (reply == NULL)
    return NULL;

  self->n_requests++;

  options.protocol = self->protocol;
  options.headers = self->headers;
  options.command = command;

  switch (obd_elm_parse_response (reply, len, &options, &response, error))
    {
    case OBD_ELM_PARSE_OK:
      break;
    case OBD_ELM_PARSE_NEED_MORE:
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The adapter’s reply to “%s” ended early. Send the request again."),
                   command);
      return NULL;
    case OBD_ELM_PARSE_INVALID:
    default:
      return NULL;
    }

  return response;
}

ObdResponse *
obd_adapter_request (ObdAdapter    *self,
                     guint8         service,
                     const guint8  *pids,
                     gsize          n_pids,
                     guint          response_count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *command = NULL;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);
  g_return_val_if_fail (n_pids <= MAX_PIDS_PER_REQUEST, NULL);

  command = obd_elm_format_request (service, pids, n_pids,
                                    self->counts ? response_count : 0);
  return request_text (self, command, REQUEST_TIMEOUT_MS, cancellable, error);
}

static gint
compare_ecus (gconstpointer a,
              gconstpointer b)
{
  const ObdEcu *ea = a;
  const ObdEcu *eb = b;

  return ea->address < eb->address ? -1 : ea->address > eb->address;
}

static ObdEcu *
find_or_add_ecu (ObdAdapter *self,
                 guint32     address)
{
  ObdEcu ecu = { 0 };

  for (guint i = 0; i < self->ecus->len; i++)
    {
      ObdEcu *e = &g_array_index (self->ecus, ObdEcu, i);

      if (e->address == address)
        return e;
    }

  ecu.address = address;
  g_array_append_val (self->ecus, ecu);
  return &g_array_index (self->ecus, ObdEcu, self->ecus->len - 1);
}

/* Records the supported-PID bitmaps in a reply to 01 00/20/40/...; returns
 * TRUE if some ECU claims the next range. */
static gboolean
note_supported (ObdAdapter        *self,
                const ObdResponse *response,
                guint8             base)
{
  gboolean more = FALSE;

  for (guint i = 0; i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);
      ObdEcu *ecu;

      if (msg->len < 6 || msg->data[0] != 0x41 || msg->data[1] != base)
        continue;

      ecu = find_or_add_ecu (self, msg->ecu);
      obd_pid_parse_supported (base, msg->data + 2, ecu->supported);
      ecu->n_supported = 0;
      for (guint p = 1; p < 256; p++)
        ecu->n_supported += ecu->supported[p] ? 1 : 0;

      if (base < 0xE0 && ecu->supported[base + 0x20])
        more = TRUE;
    }

  return more;
}

static gboolean
discover (ObdAdapter    *self,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(ObdResponse) response = NULL;
  g_autofree char *dpn = NULL;
  gboolean automatic = FALSE;
  ObdProtocol protocol;

  g_array_set_size (self->ecus, 0);

  /* The first request after AT SP 0 makes the adapter try each protocol in
   * turn ("SEARCHING..."), so it gets a much longer deadline. */
  response = request_text (self, "0100", SEARCH_TIMEOUT_MS, cancellable, error);
  if (response == NULL)
    return FALSE;

  dpn = obd_adapter_at (self, "ATDPN", cancellable, NULL);
  if (dpn != NULL && obd_protocol_parse (dpn, &protocol, &automatic))
    self->protocol = protocol;
  else if (self->requested_protocol != OBD_PROTOCOL_AUTO)
    self->protocol = self->requested_protocol;

  /* With headers on, the parser could only guess the header layout for the
   * first reply; parse it again now that the protocol is known. */
  g_clear_pointer (&response, obd_response_free);
  response = request_text (self, "0100", REQUEST_TIMEOUT_MS, cancellable, error);
  if (response == NULL)
    return FALSE;

  for (guint8 base = 0x00; ; base += 0x20)
    {
      guint8 pid = base;

      if (base > 0)
        {
          g_autoptr(GError) local_error = NULL;

          g_clear_pointer (&response, obd_response_free);
          response = obd_adapter_request (self, 0x01, &pid, 1, 0, cancellable, &local_error);
          if (response == NULL)
            {
              if (local_error->domain == OBD_PROTOCOL_ERROR)
                break;
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }

      if (!note_supported (self, response, base) || base == 0xE0)
        break;
    }

  if (self->ecus->len == 0)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("The vehicle answered, but no engine computer reported live data. "
                     "Check that the ignition is on."));
      return FALSE;
    }

  g_array_sort (self->ecus, compare_ecus);
  return TRUE;
}

/* The physical request address of an ECU, from its reply address
 * (ISO 15765-4: 7E8+n answers 7E0+n; 18DAF1xx answers 18DAxxF1). */
static guint32
request_address_for (ObdAdapter *self,
                     guint32     reply)
{
  if (!obd_protocol_is_can (self->protocol))
    return 0;

  if (obd_protocol_is_29bit (self->protocol))
    {
      if ((reply & 0xFFFF00) == 0xDAF100)
        return 0xDA00F1 | ((reply & 0xFF) << 8);
      return 0;
    }

  if (reply >= 0x7E8 && reply <= 0x7EF)
    return reply - 8;

  return 0;
}

static gboolean
set_header (ObdAdapter    *self,
            guint32        header,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *command = NULL;
  gboolean accepted = FALSE;

  if (header == self->header)
    return TRUE;

  if (header == 0)
    command = g_strdup (obd_protocol_is_29bit (self->protocol) ? "ATSHDB33F1" : "ATSH7DF");
  else if (header > 0xFFF)
    command = g_strdup_printf ("ATSH%06X", header);
  else
    command = g_strdup_printf ("ATSH%03X", header);

  if (!at_optional (self, command, &accepted, cancellable, error))
    return FALSE;

  if (accepted)
    self->header = header;

  return TRUE;
}

gboolean
obd_adapter_connect (ObdAdapter    *self,
                     ObdProtocol    protocol,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *banner = NULL;
  g_autofree char *sp = NULL;
  gboolean accepted = FALSE;
  gsize len = 0;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);

  self->connected = FALSE;
  self->requested_protocol = protocol;
  self->protocol = protocol;
  self->header = 0;
  self->multi_strikes = 0;
  self->n_requests = 0;
  self->n_values = 0;

  if (!obd_transport_is_open (self->transport) &&
      !obd_transport_open (self->transport, cancellable, error))
    return FALSE;

  /* AT Z restarts the chip (about a second).  Some clones drop the
   * Bluetooth or USB link when reset: reopen and use AT D (defaults) then. */
  if (!g_hash_table_contains (self->quirks, "ATZ"))
    {
      banner = transact (self, "ATZ", RESET_TIMEOUT_MS, &len, cancellable, &local_error);
      if (banner == NULL)
        {
          if (!g_error_matches (local_error, OBD_TRANSPORT_ERROR,
                                OBD_TRANSPORT_ERROR_DISCONNECTED) &&
              !g_error_matches (local_error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_TIMEOUT))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_info ("The adapter did not survive AT Z (%s); using AT D instead.",
                     local_error->message);
          g_hash_table_add (self->quirks, g_strdup ("ATZ"));
          g_clear_error (&local_error);
          obd_transport_close (self->transport);
          if (!obd_transport_open (self->transport, cancellable, error))
            return FALSE;
        }
    }

  if (banner == NULL)
    {
      g_autofree char *reply = obd_adapter_at (self, "ATD", cancellable, &local_error);

      if (reply == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  /* Echo off first: everything after is shorter to read.  If echo stays on
   * (a known clone fault) the parser recognises and drops it. */
  if (!at_optional (self, "ATE0", &accepted, cancellable, error))
    return FALSE;

  g_clear_pointer (&self->version, g_free);
  self->version = obd_adapter_at (self, "ATI", cancellable, &local_error);
  if (self->version == NULL)
    {
      /* Anything that does not know ATI is not an ELM327. */
      g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_NO_ADAPTER,
                   _("The device at %s does not answer like an ELM327 adapter (%s). "
                     "Check that you picked the right port."),
                   obd_transport_get_description (self->transport), local_error->message);
      return FALSE;
    }

  if (!at_optional (self, "ATL0", &accepted, cancellable, error))
    return FALSE;
  /* Spaces off: a third fewer bytes on the serial line for every reply. */
  if (!at_optional (self, "ATS0", &accepted, cancellable, error))
    return FALSE;
  /* Headers on: the only way to tell which ECU sent which reply. */
  if (!at_optional (self, "ATH1", &accepted, cancellable, error))
    return FALSE;
  self->headers = accepted;

  if (self->strategy == OBD_STRATEGY_FAST)
    {
      /* Adaptive timing, aggressive mode (datasheet "AT AT2"): the adapter
       * waits only as long as the ECUs have been seen to need. */
      if (!at_optional (self, "ATAT2", &accepted, cancellable, error))
        return FALSE;
      if (!accepted && !at_optional (self, "ATAT1", &accepted, cancellable, error))
        return FALSE;
    }

  g_clear_pointer (&self->device_description, g_free);
  if (!g_hash_table_contains (self->quirks, "AT@1"))
    {
      self->device_description = obd_adapter_at (self, "AT@1", cancellable, NULL);
      if (self->device_description == NULL)
        g_hash_table_add (self->quirks, g_strdup ("AT@1"));
    }

  sp = g_strdup_printf ("ATSP%X", protocol);
  {
    g_autofree char *reply = obd_adapter_at (self, sp, cancellable, &local_error);

    if (reply == NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
  }

  if (!discover (self, cancellable, error))
    return FALSE;

  self->connected = TRUE;
  g_debug ("connected: %s, protocol %s, %u ECU(s)", self->version,
           obd_protocol_get_name (self->protocol), self->ecus->len);
  return TRUE;
}

gboolean
obd_adapter_reconnect (ObdAdapter    *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);

  obd_transport_close (self->transport);
  return obd_adapter_connect (self,
                              self->protocol != OBD_PROTOCOL_AUTO ? self->protocol
                                                                  : self->requested_protocol,
                              cancellable, error);
}

void
obd_adapter_disconnect (ObdAdapter *self)
{
  g_return_if_fail (OBD_IS_ADAPTER (self));

  self->connected = FALSE;
  obd_transport_close (self->transport);
}

gboolean
obd_adapter_is_connected (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);

  return self->connected && obd_transport_is_open (self->transport);
}

const char *
obd_adapter_get_version (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  return self->version;
}

const char *
obd_adapter_get_device_description (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  return self->device_description;
}

ObdProtocol
obd_adapter_get_protocol (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), OBD_PROTOCOL_AUTO);

  return self->protocol;
}

double
obd_adapter_read_voltage (ObdAdapter    *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *reply = NULL;
  char *end = NULL;
  double volts;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), NAN);

  reply = obd_adapter_at (self, "ATRV", cancellable, error);
  if (reply == NULL)
    return NAN;

  volts = g_ascii_strtod (reply, &end);
  if (end == reply || volts < 0 || volts > 40)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                   _("The adapter reported the battery voltage as “%s”, which is not a "
                     "voltage."), reply);
      return NAN;
    }

  return volts;
}

const ObdEcu *
obd_adapter_get_ecus (ObdAdapter *self,
                      guint      *n_ecus)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  if (n_ecus != NULL)
    *n_ecus = self->ecus->len;

  return (const ObdEcu *) self->ecus->data;
}

const ObdEcu *
obd_adapter_get_primary_ecu (ObdAdapter *self)
{
  const ObdEcu *best = NULL;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  /* The engine computer answers at the lowest address (7E8 on 11-bit CAN,
   * 18DAF110 on 29-bit, 10 on the legacy buses) — unless it is absent, when
   * the ECU that supports the most PIDs is the useful one. */
  for (guint i = 0; i < self->ecus->len; i++)
    {
      const ObdEcu *e = &g_array_index (self->ecus, ObdEcu, i);

      if (e->address == 0x7E8 || e->address == 0x18DAF110 || e->address == 0x10)
        return e;
      if (best == NULL || e->n_supported > best->n_supported)
        best = e;
    }

  return best;
}

gboolean
obd_adapter_is_pid_supported (ObdAdapter *self,
                              guint8      pid)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);

  for (guint i = 0; i < self->ecus->len; i++)
    if (g_array_index (self->ecus, ObdEcu, i).supported[pid])
      return TRUE;

  return FALSE;
}

GStrv
obd_adapter_dup_quirks (ObdAdapter *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  g_hash_table_iter_init (&iter, self->quirks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  if (!self->multi_pid)
    g_strv_builder_add (builder, "multi-pid");
  if (!self->counts)
    g_strv_builder_add (builder, "response-count");

  return g_strv_builder_end (builder);
}

gboolean
obd_adapter_get_multi_pid (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);

  return self->multi_pid;
}

guint64
obd_adapter_get_n_requests (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), 0);

  return self->n_requests;
}

guint64
obd_adapter_get_n_values (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), 0);

  return self->n_values;
}

/* Decodes every positive Mode 01 message of a response into samples;
 * returns a bitmask-ish count of which requested PIDs were seen. */
static guint
collect_samples (ObdAdapter        *self,
                 const ObdResponse *response,
                 const guint8      *pids,
                 gsize              n_pids,
                 gboolean           seen[MAX_PIDS_PER_REQUEST],
                 GArray            *samples)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GArray) values = obd_value_array_new ();
  guint n_seen = 0;

  for (guint i = 0; i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);
      g_autoptr(GError) local_error = NULL;

      if (msg->len < 2 || msg->data[0] != 0x41)
        continue;

      g_array_set_size (values, 0);
      if (!obd_pid_decode_multi (msg->data + 1, msg->len - 1, values, &local_error))
        g_debug ("reply from %X: %s", msg->ecu, local_error->message);

      for (guint v = 0; v < values->len; v++)
        {
          const ObdValue *value = &g_array_index (values, ObdValue, v);
          ObdSample sample = {
            .time_us = now,
            .ecu = msg->ecu,
            .service = 0x01,
            .pid = value->pid,
            .index = value->index,
            .value = value->value,
          };

          g_array_append_val (samples, sample);
          self->n_values++;

          for (gsize p = 0; p < n_pids; p++)
            if (pids[p] == value->pid && !seen[p])
              {
                seen[p] = TRUE;
                n_seen++;
              }
        }
    }

  return n_seen;
}

/* One request for up to six PIDs.  Some clones and some ECUs reject
 * multi-PID requests: they answer only the first PID, or NO DATA for the
 * whole.  The missing PIDs are then asked one at a time, and when that
 * happens twice in a row while single requests work, multi-PID requests are
 * switched off for good.  A garbled reply does not count against them. */
static gboolean
read_group (ObdAdapter    *self,
            const guint8  *pids,
            gsize          n_pids,
            guint          count,
            GArray        *samples,
            GCancellable  *cancellable,
            GError       **error)
{
  gboolean seen[MAX_PIDS_PER_REQUEST] = { FALSE };
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean rejected;
  guint n_seen = 0;
  guint n_recovered = 0;

  response = obd_adapter_request (self, 0x01, pids, n_pids, count, cancellable, &local_error);

  if (response == NULL &&
      g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND) &&
      self->counts && count > 0)
    {
      /* Adapters older than ELM327 v1.3 and some clones answer "?" to the
       * response-count digit. */
      g_info ("The adapter rejects response counts; requests will wait for its timeout.");
      self->counts = FALSE;
      g_clear_error (&local_error);
      response = obd_adapter_request (self, 0x01, pids, n_pids, 0, cancellable, &local_error);
    }

  if (response != NULL)
    n_seen = collect_samples (self, response, pids, n_pids, seen, samples);
  else if (local_error->domain != OBD_PROTOCOL_ERROR || n_pids == 1)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (n_seen == n_pids)
    {
      if (n_pids > 1)
        self->multi_strikes = 0;
      return TRUE;
    }
  if (n_pids == 1)
    return TRUE;

  rejected = (response != NULL && n_seen > 0) ||
             g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NO_DATA);

  for (gsize p = 0; p < n_pids; p++)
    {
      g_autoptr(GError) single_error = NULL;
      guint before = samples->len;

      if (seen[p])
        continue;

      if (!read_group (self, &pids[p], 1, count, samples, cancellable, &single_error))
        {
          if (single_error->domain != OBD_PROTOCOL_ERROR)
            {
              g_propagate_error (error, g_steal_pointer (&single_error));
              return FALSE;
            }
          g_debug ("PID %02X: %s", pids[p], single_error->message);
        }
      if (samples->len > before)
        n_recovered++;
    }

  if (rejected && n_recovered > 0 && ++self->multi_strikes >= 2 && self->multi_pid)
    {
      g_info ("The adapter or ECU answers only part of multi-PID requests; asking one "
                 "PID at a time from now on.");
      self->multi_pid = FALSE;
    }

  return TRUE;
}

gboolean
obd_adapter_read_pids (ObdAdapter    *self,
                       const guint8  *pids,
                       gsize          n_pids,
                       GArray        *samples,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) last_error = NULL;
  guint start_len;
  gboolean can;
  gboolean physical = FALSE;
  gsize group;

  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);
  g_return_val_if_fail (samples != NULL, FALSE);

  start_len = samples->len;
  can = obd_protocol_is_can (self->protocol);

  if (self->strategy == OBD_STRATEGY_FAST)
    {
      const ObdEcu *primary = obd_adapter_get_primary_ecu (self);
      guint32 header = primary != NULL ? request_address_for (self, primary->address) : 0;

      /* Talk to the engine computer alone: then exactly one reply comes
       * back and the response count "1" is exact, so the adapter returns at
       * once instead of waiting for other ECUs. */
      if (header != 0 && !set_header (self, header, cancellable, error))
        return FALSE;
      physical = header != 0 && self->header == header;
      group = can && self->multi_pid ? MAX_PIDS_PER_REQUEST : 1;
    }
  else
    {
      if (self->header != 0 && !set_header (self, 0, cancellable, error))
        return FALSE;
      group = 1;
    }

  for (gsize i = 0; i < n_pids; i += group)
    {
      g_autoptr(GError) local_error = NULL;
      gsize n = MIN (group, n_pids - i);
      guint count = 0;

      if (self->strategy == OBD_STRATEGY_FAST)
        count = physical || self->ecus->len == 1 ? 1 : 0;

      if (!read_group (self, pids + i, n, count, samples, cancellable, &local_error))
        {
          if (local_error->domain != OBD_PROTOCOL_ERROR)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_clear_error (&last_error);
          last_error = g_steal_pointer (&local_error);
        }

      /* The fall-back may have switched multi-PID off mid-way. */
      if (group > 1 && !self->multi_pid)
        group = 1;
    }

  if (samples->len == start_len && last_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&last_error));
      return FALSE;
    }

  return TRUE;
}

ObdResponse *
obd_adapter_query_all (ObdAdapter    *self,
                       guint8         service,
                       const guint8  *pids,
                       gsize          n_pids,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);

  /* Back to the functional address (7DF / 18DB33F1) so that every ECU
   * hears the request, and no response count: we cannot know how many
   * will answer, so the adapter waits for its timeout. */
  if (self->header != 0 && !set_header (self, 0, cancellable, error))
    return NULL;

  return obd_adapter_request (self, service, pids, n_pids, 0, cancellable, error);
}
