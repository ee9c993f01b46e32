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
/* Unasked bytes read before a request; more means the adapter is talking
 * on its own, and the stream is resynchronised. */
#define MAX_DRAIN_BYTES      4096
/* Tries of one exchange whose reply turned out to be out of step. */
#define MAX_ATTEMPTS         3

/* Resynchronisation (DESIGN.md §3).  The probe is a line no ELM327 accepts:
 * its first byte interrupts a request still running ("STOPPED", the byte is
 * lost; datasheet, "Communicating with the ELM327"), the rest is answered
 * with "?" and the prompt.  Never an empty line: that repeats the previous
 * command, which may have been "clear trouble codes".  After that "?" the
 * line must stay quiet for SYNC_QUIET_MS; an adapter that says nothing for
 * SYNC_SILENT_MS is taken to be idle (some clones ignore lines they do not
 * know). */
#define SYNC_PROBE           "XX\r"
#define SYNC_QUIET_MS        20
#define SYNC_SILENT_MS       1500
#define SYNC_TIMEOUT_MS      RESET_TIMEOUT_MS

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

  ObdLinkStats  stats;
  guint         multi_strikes; /* multi-PID requests answered in part, in a row */

  guint         connected : 1;
  guint         headers : 1;   /* AT H1 accepted */
  guint         multi_pid : 1; /* several PIDs in one request work */
  guint         counts : 1;    /* response counts ("010C 1") work */
  guint         need_sync : 1; /* the stream may be out of step: resync first */
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

/* The time one exchange may take, kept as a budget charged by what the
 * transport reports: a read that returns nothing has waited the whole
 * timeout it was given, one that returns bytes has taken what the clock
 * says since the previous read ended (the work between reads included).
 * So the simulator without delays (whose clock is virtual) times out as
 * fast as it answers, and a real adapter exactly as the wall clock runs,
 * however small the pieces its bytes come in. */
typedef struct
{
  gint64 left_us;
  gint64 mark_us;   /* monotonic time the last read ended */
} Budget;

static void
budget_init (Budget *budget,
             guint   ms)
{
  budget->left_us = (gint64) ms * 1000;
  budget->mark_us = g_get_monotonic_time ();
}

/* Reads with a wait of at most wait_us and charges the budget for it. */
static gssize
read_charged (ObdAdapter    *self,
              guint8        *buf,
              gsize          len,
              gint64         wait_us,
              Budget        *budget,
              GCancellable  *cancellable,
              GError       **error)
{
  guint wait_ms = (guint) ((MAX (wait_us, 0) + 999) / 1000);
  gssize n;
  gint64 now;

  n = obd_transport_read (self->transport, buf, len, wait_ms, cancellable, error);
  now = g_get_monotonic_time ();
  if (n == 0)
    budget->left_us -= MAX ((gint64) wait_ms * 1000, 1);
  else if (n > 0)
    budget->left_us -= now - budget->mark_us;
  budget->mark_us = now;

  return n;
}

static void
set_babbling_error (ObdAdapter  *self,
                    GError     **error)
{
  g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_FAILED,
               _("The adapter at %s keeps sending data without finishing its replies. "
                 "Unplug it, plug it in again and connect again."),
               obd_transport_get_description (self->transport));
}

/* Brings the byte stream back in step with the adapter, at connect and
 * after anything that may have left a reply in flight: a cancel, a
 * timeout, a reply cut short, a reply that answered another request, bytes
 * nobody asked for.  Sends SYNC_PROBE and reads until the probe's own
 * answer, "?" and the prompt, is followed by SYNC_QUIET_MS of silence;
 * everything read is dropped.  A prompt after anything else ("STOPPED",
 * the tail of an old reply) is not the end: the probe's "?" is still to
 * come.  Bounded by SYNC_TIMEOUT_MS and MAX_REPLY_BYTES. */
static gboolean
resync (ObdAdapter    *self,
        GCancellable  *cancellable,
        GError       **error)
{
  Budget budget;
  gboolean after_prompt = FALSE;  /* nothing but blanks since a prompt... */
  gboolean answered = FALSE;      /* ...that closed a "?" line */
  gboolean unit_has_q = FALSE;
  guint line_len = 0;
  gboolean line_is_q = FALSE;
  gsize total = 0;

  g_byte_array_set_size (self->rx, 0);
  if (!obd_transport_write (self->transport, (const guint8 *) SYNC_PROBE,
                            strlen (SYNC_PROBE), cancellable, error))
    return FALSE;
  budget_init (&budget, SYNC_TIMEOUT_MS);

  for (;;)
    {
      guint8 buf[512];
      gint64 wait_us;
      gssize n;

      if (budget.left_us <= 0)
        {
          set_babbling_error (self, error);
          return FALSE;
        }

      wait_us = after_prompt && answered ? SYNC_QUIET_MS * 1000
                                         : MIN (budget.left_us, (gint64) SYNC_SILENT_MS * 1000);
      n = read_charged (self, buf, sizeof buf, wait_us, &budget, cancellable, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          if (after_prompt && answered)
            break;
          /* Nothing at all, or nothing more for a long while: a clone
           * that ignores lines it does not know; nothing is in flight. */
          g_debug ("resync: the adapter is silent; taking it as idle");
          break;
        }

      total += n;
      for (gssize i = 0; i < n; i++)
        {
          guint8 b = buf[i];

          if (b == '\r' || b == '\n' || b == '>')
            {
              if (line_len == 1 && line_is_q)
                unit_has_q = TRUE;
              line_len = 0;
              line_is_q = FALSE;
              if (b == '>')
                {
                  after_prompt = TRUE;
                  answered = unit_has_q;
                  unit_has_q = FALSE;
                }
            }
          else if (b != ' ' && b != '\0')
            {
              after_prompt = FALSE;
              line_is_q = line_len == 0 && b == '?';
              line_len++;
            }
        }

      if (total > MAX_REPLY_BYTES)
        {
          set_babbling_error (self, error);
          return FALSE;
        }
    }

  if (total > 0)
    g_debug ("resync: dropped %" G_GSIZE_FORMAT " bytes", total);
  self->stats.n_discarded_bytes += total;
  /* The one at connect is routine, not a sign of a bad link. */
  if (self->connected)
    self->stats.n_resyncs++;
  self->need_sync = FALSE;
  return TRUE;
}

/* Drops whatever arrived unasked before a request: the tail of a reply
 * cut short, Bluetooth module chatter, a late answer from a slow ECU.
 * Without this it would be read as the start of the next reply.  Bounded
 * by MAX_DRAIN_BYTES; anything at all means the stream may be out of step,
 * so it is resynchronised before the request goes out. */
static gboolean
drain_input (ObdAdapter    *self,
             GCancellable  *cancellable,
             GError       **error)
{
  gsize dropped = 0;

  g_byte_array_set_size (self->rx, 0);

  while (dropped < MAX_DRAIN_BYTES)
    {
      guint8 buf[256];
      gssize n = obd_transport_read (self->transport, buf, sizeof buf, 0, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      dropped += n;
    }

  if (dropped == 0)
    return TRUE;

  g_debug ("dropping %" G_GSIZE_FORMAT " unexpected bytes", dropped);
  self->stats.n_discarded_bytes += dropped;
  return resync (self, cancellable, error);
}

typedef enum
{
  REPLY_OK,
  REPLY_SILENT,     /* nothing at all came back */
  REPLY_TRUNCATED,  /* some bytes, then silence before the prompt */
  REPLY_ENDLESS,    /* bytes kept coming past the time or size allowed */
  REPLY_FAILED,     /* error set */
} ReplyStatus;

/* Whether rx[from..] (plus the few bytes before it a word may straddle)
 * holds "SEARCHING..." or "BUS INIT: ...": while the adapter searches
 * protocols or runs a 5-baud bus init it prints that and then stays quiet
 * for seconds, which is not a cut-off reply. */
static gboolean
reply_is_searching (GByteArray *rx,
                    gsize       from)
{
  gsize start = from > 8 ? from - 8 : 0;
  const char *text = (const char *) rx->data + start;

  return g_strstr_len (text, rx->len - start, "SEARCHING") != NULL ||
         g_strstr_len (text, rx->len - start, "BUS INIT") != NULL;
}

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

/* Sends one line and collects the reply up to the '>' prompt, within
 * timeout_ms and MAX_REPLY_BYTES. */
static ReplyStatus
transact_once (ObdAdapter    *self,
               const char    *command,
               guint          timeout_ms,
               gsize         *out_end,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *line = NULL;
  gint64 idle_us = REPLY_IDLE_GAP_MS * 1000;
  gboolean searching = FALSE;
  gboolean talking = FALSE;   /* the last read brought bytes */
  Budget budget;

  line = g_strconcat (command, "\r", NULL);
  g_debug ("→ %s", command);
  if (!obd_transport_write (self->transport, (const guint8 *) line, strlen (line),
                            cancellable, error))
    return REPLY_FAILED;
  budget_init (&budget, timeout_ms);

  for (;;)
    {
      guint8 buf[512];
      gint64 wait_us = budget.left_us;
      gint64 before;
      gssize n;
      gsize end;

      /* A reply that stops mid-way (a link glitch, a clone's buffer
       * overrun) would otherwise hold us until the full deadline. */
      if (self->rx->len > 0 && !searching)
        wait_us = MIN (wait_us, idle_us);

      if (self->rx->len == 0 && (budget.left_us <= 0 || wait_us <= 0))
        return REPLY_SILENT;
      if (budget.left_us <= 0 && talking)
        return REPLY_ENDLESS;
      if (budget.left_us <= 0 || wait_us <= 0)
        return REPLY_TRUNCATED;

      before = budget.left_us;
      n = read_charged (self, buf, sizeof buf, wait_us, &budget, cancellable, error);
      if (n < 0)
        return REPLY_FAILED;
      talking = n > 0;
      if (n == 0)
        {
          idle_us -= before - budget.left_us;
          continue;
        }

      idle_us = REPLY_IDLE_GAP_MS * 1000;
      g_byte_array_append (self->rx, buf, n);
      /* Only the new bytes are looked at: a reply may come a byte a read. */
      searching = searching || reply_is_searching (self->rx, self->rx->len - n);
      end = obd_elm_find_prompt ((const char *) self->rx->data + self->rx->len - n, n);
      if (end > 0)
        {
          end += self->rx->len - n;
          /* Bytes after the prompt belong to no request of ours. */
          for (gsize i = end; i < self->rx->len; i++)
            if (self->rx->data[i] > ' ')
              {
                g_debug ("%u bytes after the prompt", self->rx->len - (guint) end);
                self->need_sync = TRUE;
                break;
              }
          *out_end = end;
          return REPLY_OK;
        }

      if (self->rx->len > MAX_REPLY_BYTES)
        return REPLY_ENDLESS;
    }
}

/* Sends command and returns the raw reply up to and including the
 * prompt.  Resynchronises first when the stream may be out of step, and
 * asks once more after a reply that was cut short.  Every failure leaves
 * the stream marked for resynchronisation. */
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
      gboolean ready = self->need_sync ? resync (self, cancellable, error)
                                       : drain_input (self, cancellable, error);

      if (!ready)
        {
          self->need_sync = TRUE;
          return NULL;
        }

      status = transact_once (self, command, timeout_ms, &end, cancellable, error);
      if (status == REPLY_OK)
        break;

      /* Whatever is still on its way must not be read as the next reply. */
      self->need_sync = TRUE;
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
    case REPLY_ENDLESS:
      set_babbling_error (self, error);
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

/* How long an AT command may take: AT Z and AT WS restart the chip. */
static guint
at_timeout_ms (const char *command)
{
  if (g_ascii_strcasecmp (command, "ATZ") == 0 || g_ascii_strcasecmp (command, "ATWS") == 0)
    return RESET_TIMEOUT_MS;
  return AT_TIMEOUT_MS;
}

/* A line made of hex digits (and spaces) only, at least three of them:
 * OBD data or a CAN header, which no AT command answers. */
static gboolean
line_is_data (const char *line)
{
  guint digits = 0;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        digits++;
      else if (*p != ' ')
        return FALSE;
    }

  return digits >= 3;
}

/* Whether an AT reply can answer command, or is a reply to something else
 * that arrived out of step: OBD data or error lines, "STOPPED" (the
 * command's first byte interrupted a request still running), "OK" where
 * information was asked, a banner or a voltage where "OK" was due. */
static gboolean
at_reply_fits (const char *command,
               const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  const char *what = command + 2;
  gboolean info;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (line_is_data (lines[i]) || obd_elm_line_is_error (lines[i], NULL) ||
          g_str_has_prefix (lines[i], "SEARCHING"))
        return FALSE;
    }

  info = g_ascii_strcasecmp (what, "Z") == 0 || g_ascii_strcasecmp (what, "WS") == 0 ||
         g_ascii_strcasecmp (what, "I") == 0 || what[0] == '@' ||
         g_ascii_strncasecmp (what, "DP", 2) == 0 || g_ascii_strcasecmp (what, "RV") == 0 ||
         g_ascii_strcasecmp (what, "CS") == 0 || g_ascii_strcasecmp (what, "IGN") == 0;

  if (info)
    {
      if (*text == '\0' || g_ascii_strcasecmp (text, "OK") == 0)
        return FALSE;
      /* AT RV: "12.3V"; AT DPN: "6" or "A6" */
      if (g_ascii_strcasecmp (what, "RV") == 0)
        return g_ascii_isdigit (text[0]);
      if (g_ascii_strcasecmp (what, "DPN") == 0)
        return strlen (text) <= 2 && g_ascii_isxdigit (text[strlen (text) - 1]);
      return TRUE;
    }

  /* Settings answer "OK"; be lenient with clones, but not with what is
   * plainly another command's answer. */
  return strstr (text, "ELM") == NULL && !(g_ascii_isdigit (text[0]) &&
                                           g_str_has_suffix (text, "V"));
}

char *
obd_adapter_at (ObdAdapter    *self,
                const char    *command,
                GCancellable  *cancellable,
                GError       **error)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);
  g_return_val_if_fail (command != NULL, NULL);

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *reply = NULL;
      g_autofree char *text = NULL;
      gsize len = 0;

      reply = transact (self, command, at_timeout_ms (command), &len, cancellable, error);
      if (reply == NULL)
        return NULL;

      /* "?" is an answer: the adapter does not know the command. */
      text = obd_elm_parse_at_reply (reply, len, command, &local_error);
      if (text == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (at_reply_fits (command, text))
        return g_steal_pointer (&text);

      {
        g_autofree char *shown = shown_bytes ((const guint8 *) text, strlen (text));

        g_debug ("“%s” does not answer %s; resynchronising", shown, command);
      }
      self->stats.n_discarded_replies++;
      self->need_sync = TRUE;
      if (attempt >= MAX_ATTEMPTS)
        {
          g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MISMATCH,
                       _("The adapter kept answering “%s” with replies to other commands. "
                         "Unplug it, plug it in again and connect again."), command);
          return NULL;
        }
    }
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

/* What a request asked, for checking that its reply answers it. */
typedef struct
{
  guint8         service;
  const guint8  *pids;
  gsize          n_pids;
  const guint32 *ecus;     /* NULL: any OBD responder */
  gsize          n_ecus;
} Asked;

/* Sends an OBD request and parses its reply, keeping only what answers
 * it.  A reply out of step (the answer to an earlier request, arriving
 * late or twice; "STOPPED" because our request interrupted one still
 * running; an unreadable one) is discarded, the stream resynchronised and
 * the request sent again, up to MAX_ATTEMPTS times. */
static ObdResponse *
request_text (ObdAdapter    *self,
              const char    *command,
              const Asked   *asked,
              guint          timeout_ms,
              GCancellable  *cancellable,
              GError       **error)
{
  for (guint attempt = 1; ; attempt++)
    {
      ObdElmParseOptions options = { 0 };
      g_autoptr(GError) local_error = NULL;
      g_autofree char *reply = NULL;
      ObdResponse *response = NULL;
      guint discarded = 0;
      gsize len = 0;

      reply = transact (self, command, timeout_ms, &len, cancellable, error);
      if (reply == NULL)
        return NULL;

      self->stats.n_requests++;

      options.protocol = self->protocol;
      options.headers = self->headers;
      options.command = command;
      options.service = asked->service;
      options.pids = asked->pids;
      options.n_pids = asked->n_pids;
      options.ecus = asked->ecus;
      options.n_ecus = asked->n_ecus;
      options.n_discarded = &discarded;

      switch (obd_elm_parse_response (reply, len, &options, &response, &local_error))
        {
        case OBD_ELM_PARSE_OK:
          self->stats.n_discarded_frames += discarded;
          return response;
        case OBD_ELM_PARSE_NEED_MORE:
          g_set_error (&local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED,
                       _("The adapter’s reply to “%s” ended early. Send the request again."),
                       command);
          break;
        case OBD_ELM_PARSE_INVALID:
        default:
          break;
        }

      self->stats.n_discarded_frames += discarded;
      if (!g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MISMATCH) &&
          !g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_STOPPED) &&
          !g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MALFORMED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_debug ("reply to %s out of step (%s); resynchronising", command, local_error->message);
      self->stats.n_discarded_replies++;
      self->need_sync = TRUE;
      if (attempt >= MAX_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
}

static ObdResponse *
request (ObdAdapter    *self,
         guint8         service,
         const guint8  *pids,
         gsize          n_pids,
         guint          response_count,
         const guint32 *ecus,
         gsize          n_ecus,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autofree char *command = NULL;
  Asked asked = { service, pids, n_pids, ecus, n_ecus };

  command = obd_elm_format_request (service, pids, n_pids,
                                    self->counts ? response_count : 0);
  return request_text (self, command, &asked, REQUEST_TIMEOUT_MS, cancellable, error);
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
  g_return_val_if_fail (OBD_IS_ADAPTER (self), NULL);
  g_return_val_if_fail (n_pids <= MAX_PIDS_PER_REQUEST, NULL);

  return request (self, service, pids, n_pids, response_count, NULL, 0, cancellable, error);
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
  static const guint8 base_pid = 0x00;
  const Asked asked = { 0x01, &base_pid, 1, NULL, 0 };
  g_autofree char *dpn = NULL;
  gboolean automatic = FALSE;
  ObdProtocol protocol;

  g_array_set_size (self->ecus, 0);

  /* The first request after AT SP 0 makes the adapter try each protocol in
   * turn ("SEARCHING..."), so it gets a much longer deadline. */
  response = request_text (self, "0100", &asked, SEARCH_TIMEOUT_MS, cancellable, error);
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
  response = request_text (self, "0100", &asked, REQUEST_TIMEOUT_MS, cancellable, error);
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

  g_return_val_if_fail (OBD_IS_ADAPTER (self), FALSE);

  self->connected = FALSE;
  self->requested_protocol = protocol;
  self->protocol = protocol;
  self->header = 0;
  self->multi_strikes = 0;
  /* Whatever the adapter was doing before (another program's request, a
   * reply to a request we gave up on) may still be on its way. */
  self->need_sync = TRUE;

  if (!obd_transport_is_open (self->transport) &&
      !obd_transport_open (self->transport, cancellable, error))
    return FALSE;

  /* AT Z restarts the chip (about a second).  Some clones drop the
   * Bluetooth or USB link when reset: reopen and use AT D (defaults) then. */
  if (!g_hash_table_contains (self->quirks, "ATZ"))
    {
      /* The banner, not any reply: obd_adapter_at() resynchronises on a
       * reply that answers something else. */
      banner = obd_adapter_at (self, "ATZ", cancellable, &local_error);
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
          self->need_sync = TRUE;
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

  return self->stats.n_requests;
}

guint64
obd_adapter_get_n_values (ObdAdapter *self)
{
  g_return_val_if_fail (OBD_IS_ADAPTER (self), 0);

  return self->stats.n_values;
}

void
obd_adapter_get_link_stats (ObdAdapter   *self,
                            ObdLinkStats *out_stats)
{
  g_return_if_fail (OBD_IS_ADAPTER (self));
  g_return_if_fail (out_stats != NULL);

  *out_stats = self->stats;
}

/* The reply addresses of the ECUs found at connect, for requests that
 * only they may answer; NULL (any OBD responder) before discovery. */
static const guint32 *
known_ecus (ObdAdapter *self,
            guint32     out[16],
            gsize      *n_out)
{
  *n_out = MIN (self->ecus->len, 16);
  for (gsize i = 0; i < *n_out; i++)
    out[i] = g_array_index (self->ecus, ObdEcu, i).address;

  return *n_out > 0 ? out : NULL;
}

static gboolean
sample_already_read (GArray   *samples,
                     guint     since,
                     guint32   ecu,
                     guint8    pid,
                     guint8    index)
{
  for (guint i = since; i < samples->len; i++)
    {
      const ObdSample *s = &g_array_index (samples, ObdSample, i);

      if (s->ecu == ecu && s->pid == pid && s->index == index)
        return TRUE;
    }

  return FALSE;
}

/* Decodes every positive Mode 01 message of a response into samples:
 * only values of the PIDs asked, and each (ECU, PID, field) at most once
 * since samples[since] — a reply repeated by the adapter or a PID the ECU
 * slipped into a multi-PID answer is counted and dropped, never recorded
 * twice.  Marks in seen[] which PIDs arrived and returns how many. */
static guint
collect_samples (ObdAdapter        *self,
                 const ObdResponse *response,
                 const guint8      *pids,
                 gsize              n_pids,
                 gboolean           seen[MAX_PIDS_PER_REQUEST],
                 GArray            *samples,
                 guint              since)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GArray) values = obd_value_array_new ();
  guint n_seen = 0;

  for (guint i = 0; i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);
      g_autoptr(GError) local_error = NULL;
      guint dropped = 0;

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
          gssize asked = -1;

          for (gsize p = 0; p < n_pids && asked < 0; p++)
            if (pids[p] == value->pid)
              asked = p;

          if (asked < 0 ||
              sample_already_read (samples, since, msg->ecu, value->pid, value->index))
            {
              dropped++;
              continue;
            }

          g_array_append_val (samples, sample);
          self->stats.n_values++;

          if (!seen[asked])
            {
              seen[asked] = TRUE;
              n_seen++;
            }
        }

      if (dropped > 0)
        {
          g_debug ("dropped %u value(s) from %X that were not asked or already read",
                   dropped, msg->ecu);
          self->stats.n_discarded_frames++;
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
            guint          since,
            GCancellable  *cancellable,
            GError       **error)
{
  guint32 ecus[16];
  gsize n_ecus;
  const guint32 *asked = known_ecus (self, ecus, &n_ecus);
  gboolean seen[MAX_PIDS_PER_REQUEST] = { FALSE };
  g_autoptr(ObdResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean rejected;
  guint n_seen = 0;
  guint n_recovered = 0;

  response = request (self, 0x01, pids, n_pids, count, asked, n_ecus, cancellable,
                      &local_error);

  if (response == NULL &&
      g_error_matches (local_error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND) &&
      self->counts && count > 0)
    {
      /* Adapters older than ELM327 v1.3 and some clones answer "?" to the
       * response-count digit. */
      g_info ("The adapter rejects response counts; requests will wait for its timeout.");
      self->counts = FALSE;
      g_clear_error (&local_error);
      response = request (self, 0x01, pids, n_pids, 0, asked, n_ecus, cancellable,
                          &local_error);
    }

  if (response != NULL)
    n_seen = collect_samples (self, response, pids, n_pids, seen, samples, since);
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

      if (!read_group (self, &pids[p], 1, count, samples, since, cancellable, &single_error))
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

  for (gsize i = 0, n; i < n_pids; i += n)
    {
      g_autoptr(GError) local_error = NULL;
      guint count = 0;

      /* A group the fall-back finished one PID at a time is done: the
       * next one starts after it even if multi-PID was switched off. */
      n = MIN (group, n_pids - i);

      if (self->strategy == OBD_STRATEGY_FAST)
        count = physical || self->ecus->len == 1 ? 1 : 0;

      if (!read_group (self, pids + i, n, count, samples, start_len, cancellable,
                       &local_error))
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
