/* obd-elm.c — the ELM327 line protocol: formatting requests, parsing replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parser works on the reply in one pass, line by line, without
 * allocating per line: each line is copied (NULs dropped, blanks trimmed)
 * into a small stack buffer and classified as echo, status, error, data or
 * garbage.  Data lines either carry a header (CAN 11/29-bit ID, or the
 * three-byte header of the legacy protocols) or not; when any line of a
 * reply carries a header, header-less lines are treated as noise, so that
 * Bluetooth chatter is never attributed to an ECU.
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-elm.h"
#include "obd-error.h"

/* Longest line we look at.  A real ELM327 line is at most about 60
 * characters (29-bit header, DLC, eight data bytes, "<RX ERROR"), so
 * anything longer is noise and is skipped without being parsed. */
#define MAX_LINE_CHARS 256
#define MAX_LINE_BYTES (MAX_LINE_CHARS / 2)

/* Error lines and commands are compared in a normalised form (upper case,
 * no spaces); none of the ELM327 messages is longer than this. */
#define MAX_NORM_CHARS 64

/* ISO 15765-2: the first frame's 12-bit length limits a message to 4095
 * bytes. */
#define ISOTP_MAX_LEN 4095

/* How many ECUs may be in the middle of a multi-frame reply at once.
 * OBD-II allows eight responders (7E8..7EF); the rest is headroom. */
#define MAX_ASSEMBLIES 16

/* ------------------------------------------------------------------------ */
/* ObdResponse                                                              */

/* A message and its data live in one allocation, so freeing the message
 * with g_free() frees both. */
static ObdMessage *
message_new (guint32 ecu,
             gsize   capacity)
{
  ObdMessage *msg = g_malloc (sizeof (ObdMessage) + capacity);

  msg->ecu = ecu;
  msg->data = (guint8 *) (msg + 1);
  msg->len = 0;
  msg->checksum_ok = TRUE;
  return msg;
}

ObdResponse *
obd_response_new (void)
{
  ObdResponse *response = g_new0 (ObdResponse, 1);

  response->messages = g_ptr_array_new_with_free_func (g_free);
  return response;
}

void
obd_response_free (ObdResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->messages, g_ptr_array_unref);
  g_free (response->raw);
  g_free (response);
}

ObdMessage *
obd_response_add_message (ObdResponse  *response,
                          guint32       ecu,
                          const guint8 *data,
                          gsize         len)
{
  ObdMessage *msg;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  msg = message_new (ecu, len);
  if (len > 0)
    memcpy (msg->data, data, len);
  msg->len = len;
  g_ptr_array_add (response->messages, msg);
  return msg;
}

const ObdMessage *
obd_response_find (const ObdResponse *response,
                   guint32            ecu,
                   guint8             service)
{
  g_return_val_if_fail (response != NULL, NULL);

  for (guint i = 0; i < response->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (response->messages, i);

      /* A message whose checksum failed is kept for logs, but its bytes
       * cannot be trusted, so it is never handed out as an answer. */
      if (!msg->checksum_ok || msg->len == 0)
        continue;
      if ((ecu == 0 || msg->ecu == ecu) && msg->data[0] == service)
        return msg;
    }

  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */

static const char hex_digits[] = "0123456789ABCDEF";

char *
obd_elm_format_request (guint8        service,
                        const guint8 *pids,
                        gsize         n_pids,
                        guint         response_count)
{
  /* service + six PIDs + " N" + NUL */
  char buf[2 + 2 * 6 + 2 + 1];
  char *p = buf;

  g_return_val_if_fail (n_pids <= 6, NULL);
  g_return_val_if_fail (n_pids == 0 || pids != NULL, NULL);
  g_return_val_if_fail (response_count <= 15, NULL);

  /* Spaces are optional in ELM327 requests; leaving them out saves a
   * byte per PID on slow serial links. */
  *p++ = hex_digits[service >> 4];
  *p++ = hex_digits[service & 0xF];
  for (gsize i = 0; i < n_pids; i++)
    {
      *p++ = hex_digits[pids[i] >> 4];
      *p++ = hex_digits[pids[i] & 0xF];
    }

  /* Datasheet, "Response count": one hex digit after the data tells the
   * ELM327 how many replies to wait for before returning to the prompt. */
  if (response_count > 0)
    {
      *p++ = ' ';
      *p++ = hex_digits[response_count];
    }

  return g_strndup (buf, p - buf);
}

/* ------------------------------------------------------------------------ */
/* Error lines                                                              */

const char *
obd_elm_nrc_to_string (guint8 nrc)
{
  /* ISO 14229-1 Annex A.1 negative response codes; J1979 uses the same
   * values for the ones OBD-II ECUs send. */
  switch (nrc)
    {
    case 0x10: return _("the control unit rejected the request without giving a reason");
    case 0x11: return _("the control unit does not support this service");
    case 0x12: return _("the control unit does not support this sub-function or parameter");
    case 0x13: return _("the request had the wrong length or format");
    case 0x14: return _("the answer would be too long to send");
    case 0x21: return _("the control unit is busy; repeat the request");
    case 0x22: return _("the conditions are not right for this request (for example the "
                        "engine must be off, or running)");
    case 0x24: return _("the requests were sent in the wrong order");
    case 0x25: return _("another control unit needed for this request did not answer");
    case 0x26: return _("a fault in the control unit prevents this request");
    case 0x31: return _("the requested value is out of range or not available");
    case 0x33: return _("security access was denied");
    case 0x35: return _("the security key was wrong");
    case 0x36: return _("too many wrong security keys were sent");
    case 0x37: return _("the required waiting time has not passed yet");
    case 0x70: return _("the control unit does not accept a download now");
    case 0x71: return _("the data transfer was suspended");
    case 0x72: return _("programming the control unit failed");
    case 0x73: return _("a data block arrived out of sequence");
    case 0x78: return _("the control unit received the request and is still working on "
                        "the answer");
    case 0x7E: return _("this sub-function is not available in the current session");
    case 0x7F: return _("this service is not available in the current session");
    case 0x81: return _("the engine speed is too high");
    case 0x82: return _("the engine speed is too low");
    case 0x83: return _("the engine is running");
    case 0x84: return _("the engine is not running");
    case 0x85: return _("the engine has not run long enough");
    case 0x86: return _("the temperature is too high");
    case 0x87: return _("the temperature is too low");
    case 0x88: return _("the vehicle speed is too high");
    case 0x89: return _("the vehicle speed is too low");
    case 0x8A: return _("the throttle or pedal position is too high");
    case 0x8B: return _("the throttle or pedal position is too low");
    case 0x8C: return _("the transmission is not in neutral");
    case 0x8D: return _("the transmission is not in gear");
    case 0x8F: return _("the brake pedal is not pressed");
    case 0x90: return _("the transmission is not in park");
    case 0x91: return _("the torque converter clutch is locked");
    case 0x92: return _("the supply voltage is too high");
    case 0x93: return _("the supply voltage is too low");
    default:   return _("the control unit gave a reason this program does not know");
    }
}

/* Copies line into out, upper-cased, without spaces, tabs or NULs.
 * Returns the length, or -1 if it does not fit. */
static gssize
normalise (const char *line,
           gsize       len,
           char       *out,
           gsize       out_size)
{
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = line[i];

      if (c == ' ' || c == '\t' || c == '\0')
        continue;
      if (n + 1 >= out_size)
        return -1;
      out[n++] = g_ascii_toupper (c);
    }
  out[n] = '\0';
  return n;
}

static gboolean
has_prefix (const char *s,
            gsize       len,
            const char *prefix)
{
  gsize plen = strlen (prefix);

  return len >= plen && memcmp (s, prefix, plen) == 0;
}

static gboolean
contains (const char *s,
          gsize       len,
          const char *needle)
{
  gsize nlen = strlen (needle);

  for (gsize i = 0; i + nlen <= len; i++)
    if (memcmp (s + i, needle, nlen) == 0)
      return TRUE;
  return FALSE;
}

/* Matches a normalised line against the ELM327 error messages
 * (datasheet, "Error Messages and Alerts").  With AT S0 the adapter also
 * drops the spaces inside its messages ("NODATA"), which normalising
 * handles for free. */
static gboolean
match_error (const char           *s,
             gsize                 len,
             ObdProtocolErrorCode *out_code)
{
  static const struct
  {
    const char           *text;
    ObdProtocolErrorCode  code;
  } exact[] = {
    { "?",               OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND },
    { "NODATA",          OBD_PROTOCOL_ERROR_NO_DATA },
    { "UNABLETOCONNECT", OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT },
    { "BUSBUSY",         OBD_PROTOCOL_ERROR_BUS_BUSY },
    { "BUSERROR",        OBD_PROTOCOL_ERROR_BUS_ERROR },
    { "FBERROR",         OBD_PROTOCOL_ERROR_FB_ERROR },
    { "CANERROR",        OBD_PROTOCOL_ERROR_CAN_ERROR },
    { "DATAERROR",       OBD_PROTOCOL_ERROR_DATA_ERROR },
    { "<DATAERROR",      OBD_PROTOCOL_ERROR_DATA_ERROR },
    { "<RXERROR",        OBD_PROTOCOL_ERROR_RX_ERROR },
    { "BUFFERFULL",      OBD_PROTOCOL_ERROR_BUFFER_FULL },
    { "STOPPED",         OBD_PROTOCOL_ERROR_STOPPED },
    { "LVRESET",         OBD_PROTOCOL_ERROR_LOW_VOLTAGE_RESET },
    /* The '!' variants are printed when PP 0F bit 1 is set. */
    { "ACTALERT",        OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "!ACTALERT",       OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "LPALERT",         OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "!LPALERT",        OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
  };
  ObdProtocolErrorCode code;

  if (len == 0)
    return FALSE;

  /* "BUS INIT: ...ERROR" — the dots are printed while the slow init runs */
  if (has_prefix (s, len, "BUSINIT") && contains (s, len, "ERROR"))
    {
      code = OBD_PROTOCOL_ERROR_BUS_INIT;
      goto found;
    }

  /* "ERRxx": internal errors with a two-digit code, e.g. ERR94 (fatal CAN
   * error, the adapter reset itself). */
  if (len == 5 && has_prefix (s, len, "ERR") &&
      g_ascii_isdigit (s[3]) && g_ascii_isdigit (s[4]))
    {
      code = OBD_PROTOCOL_ERROR_INTERNAL;
      goto found;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (exact); i++)
    {
      if (strcmp (s, exact[i].text) == 0)
        {
          code = exact[i].code;
          goto found;
        }
    }

  return FALSE;

found:
  if (out_code)
    *out_code = code;
  return TRUE;
}

gboolean
obd_elm_line_is_error (const char           *line,
                       ObdProtocolErrorCode *out_code)
{
  char norm[MAX_NORM_CHARS];
  gssize n;

  g_return_val_if_fail (line != NULL, FALSE);

  n = normalise (line, strcspn (line, "\r\n"), norm, sizeof norm);
  return n > 0 && match_error (norm, n, out_code);
}

/* Sets the plain-language error for an ELM327 error reply.  norm is the
 * normalised line, which tells variants of one code apart. */
static void
set_elm_error (GError               **error,
               ObdProtocolErrorCode   code,
               const char            *norm)
{
  const char *msg = NULL;

  switch (code)
    {
    case OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND:
      msg = _("The adapter did not understand the request. It may not support this "
              "command; some inexpensive adapters only accept simpler requests.");
      break;
    case OBD_PROTOCOL_ERROR_NO_DATA:
      msg = _("The vehicle did not answer this request. It may not support it, or the "
              "ignition may be off.");
      break;
    case OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT:
      msg = _("The adapter could not find a diagnostic protocol the vehicle answers. "
              "Check that the ignition is on and the adapter is plugged in firmly, "
              "then try again.");
      break;
    case OBD_PROTOCOL_ERROR_BUS_INIT:
      msg = _("The adapter could not wake up the vehicle's diagnostic bus. Switch the "
              "ignition on, wait a few seconds and try again.");
      break;
    case OBD_PROTOCOL_ERROR_BUS_BUSY:
      msg = _("The vehicle's diagnostic bus was too busy for the adapter to send the "
              "request. This is usually a wiring or connector problem: check the "
              "adapter's connection and try again.");
      break;
    case OBD_PROTOCOL_ERROR_BUS_ERROR:
      msg = _("The adapter saw an invalid signal on the diagnostic bus. Check the "
              "connector and wiring; some vehicles also cause this briefly while "
              "starting.");
      break;
    case OBD_PROTOCOL_ERROR_FB_ERROR:
      msg = _("The adapter could not see its own signal on the diagnostic bus "
              "(feedback error). This is almost always a wiring problem: check the "
              "adapter and the diagnostic connector.");
      break;
    case OBD_PROTOCOL_ERROR_CAN_ERROR:
      msg = _("The adapter could not send or receive on the CAN bus. Check that the "
              "adapter is plugged in and the ignition is on, or try another protocol.");
      break;
    case OBD_PROTOCOL_ERROR_DATA_ERROR:
      if (norm[0] == '<')
        msg = _("The vehicle's answer failed its checksum, so it cannot be trusted. "
                "Send the request again.");
      else
        msg = _("The vehicle's answer was incomplete or damaged. Send the request "
                "again.");
      break;
    case OBD_PROTOCOL_ERROR_RX_ERROR:
      msg = _("The adapter received damaged data from the CAN bus. The protocol or bus "
              "speed may be wrong: try another protocol.");
      break;
    case OBD_PROTOCOL_ERROR_BUFFER_FULL:
      msg = _("The adapter's buffer overflowed and part of the answer was lost. Use a "
              "faster serial speed or ask for fewer values at once.");
      break;
    case OBD_PROTOCOL_ERROR_STOPPED:
      msg = _("The adapter stopped waiting for the answer because it received new "
              "input. Send the request again.");
      break;
    case OBD_PROTOCOL_ERROR_INTERNAL:
      g_set_error (error, OBD_PROTOCOL_ERROR, code,
                   _("The adapter reported an internal error (%s). Unplug it, plug it "
                     "back in and connect again."), norm);
      return;
    case OBD_PROTOCOL_ERROR_LOW_VOLTAGE_RESET:
      msg = _("The adapter restarted because its supply voltage dropped. Check the "
              "vehicle's battery and the connector, then connect again.");
      break;
    case OBD_PROTOCOL_ERROR_ACTIVITY_ALERT:
      if (contains (norm, strlen (norm), "LP"))
        msg = _("The adapter is about to switch to low-power standby. Connect again to "
                "wake it up.");
      else
        msg = _("The adapter is about to go to sleep because nothing happened for a "
                "while. Send a request to keep it awake.");
      break;
    case OBD_PROTOCOL_ERROR_MISMATCH:
      msg = _("The adapter's answer belonged to another request or came from a module "
              "that was not asked, so it was discarded. Send the request again.");
      break;
    case OBD_PROTOCOL_ERROR_FAILED:
    case OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE:
    case OBD_PROTOCOL_ERROR_MALFORMED:
    case OBD_PROTOCOL_ERROR_UNSUPPORTED:
    default:
      msg = _("The adapter's answer could not be understood. Send the request again; "
              "if this keeps happening, reconnect the adapter.");
      code = OBD_PROTOCOL_ERROR_MALFORMED;
      break;
    }

  g_set_error_literal (error, OBD_PROTOCOL_ERROR, code, msg);
}

/* ------------------------------------------------------------------------ */
/* Checksums of the legacy protocols                                        */

/* SAE J1850 §5.4: CRC-8, polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x1D),
 * initial value 0xFF, result inverted. */
static guint8
j1850_crc (const guint8 *data,
           gsize         len)
{
  guint8 crc = 0xFF;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc & 0x80) ? (guint8) ((crc << 1) ^ 0x1D) : (guint8) (crc << 1);
    }
  return crc ^ 0xFF;
}

/* ISO 9141-2 §7 and ISO 14230-2 §4.7: the checksum is the sum of all
 * bytes modulo 256. */
static guint8
sum_checksum (const guint8 *data,
              gsize         len)
{
  guint8 sum = 0;

  for (gsize i = 0; i < len; i++)
    sum += data[i];
  return sum;
}

/* ------------------------------------------------------------------------ */
/* The parser                                                               */

typedef struct
{
  GPtrArray  *list;      /* the list msg was appended to; NULL when unused */
  ObdMessage *msg;       /* allocated for the full length, len = bytes so far */
  gsize       expected;
  guint32     ecu;
  guint8      next_sn;   /* next consecutive frame (or "N:" line) number */
} Assembly;

typedef enum
{
  MARK_NONE,
  MARK_DATA_ERROR,       /* "<DATA ERROR": checksum of this line was wrong */
  MARK_RX_ERROR,         /* "<RX ERROR": CAN frame received with errors */
} LineMark;

typedef struct
{
  const ObdElmParseOptions *options;
  ObdResponse *response;
  GPtrArray   *headerless;    /* messages from lines without header */
  Assembly     assemblies[MAX_ASSEMBLIES];

  char         command[MAX_NORM_CHARS];
  gssize       command_len;   /* -1: no command to recognise */

  guint        n_discarded;   /* frames and messages that answered nothing asked */
  guint        n_foreign;     /* ...of which frames from addresses nobody asked */

  gboolean     seen_data;
  gboolean     seen_header;
  gboolean     seen_garbage;
  gboolean     echo_done;
  gboolean     bus_init_pending;

  /* the first ELM327 error line, and the first error found in the data */
  gboolean               have_elm_error;
  ObdProtocolErrorCode   elm_code;
  char                   elm_norm[MAX_NORM_CHARS];
  gboolean               have_data_error;
  ObdProtocolErrorCode   data_code;
  const char            *data_norm;
} Parser;

static void
note_data_error (Parser               *parser,
                 ObdProtocolErrorCode  code,
                 const char           *norm)
{
  if (!parser->have_data_error)
    {
      parser->have_data_error = TRUE;
      parser->data_code = code;
      parser->data_norm = norm;
    }
}

static void
note_mark (Parser   *parser,
           LineMark  mark)
{
  if (mark == MARK_RX_ERROR)
    note_data_error (parser, OBD_PROTOCOL_ERROR_RX_ERROR, "<RXERROR");
  else if (mark == MARK_DATA_ERROR)
    note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "<DATAERROR");
}

static inline gboolean
protocol_is_legacy (ObdProtocol protocol)
{
  return protocol >= OBD_PROTOCOL_J1850_PWM && protocol <= OBD_PROTOCOL_ISO_14230_4_FAST;
}

/* The message under way from ecu (list tells header-less lines apart
 * from CAN frames), or NULL. */
static Assembly *
assembly_find (Parser    *parser,
               GPtrArray *list,
               guint32    ecu)
{
  if (list == NULL)
    return NULL;

  for (guint i = 0; i < MAX_ASSEMBLIES; i++)
    {
      Assembly *a = &parser->assemblies[i];

      if (a->list == list && a->ecu == ecu)
        return a;
    }
  return NULL;
}

static Assembly *
assembly_find_free (Parser *parser)
{
  for (guint i = 0; i < MAX_ASSEMBLIES; i++)
    if (parser->assemblies[i].list == NULL)
      return &parser->assemblies[i];
  return NULL;
}

static void
assembly_abort (Parser   *parser,
                Assembly *a)
{
  g_ptr_array_remove (a->list, a->msg);
  a->list = NULL;
  a->msg = NULL;
  note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
}

/* Appends up to len bytes; closes the assembly when the message is whole. */
static void
assembly_feed (Assembly     *a,
               const guint8 *data,
               gsize         len)
{
  gsize take = MIN (len, a->expected - a->msg->len);

  memcpy (a->msg->data + a->msg->len, data, take);
  a->msg->len += take;
  a->next_sn = (a->next_sn + 1) & 0xF;
  if (a->msg->len == a->expected)
    {
      a->list = NULL;
      a->msg = NULL;
    }
}

/* Starts reassembling a message of total bytes from ecu; NULL if too many
 * ECUs are mid-message already. */
static Assembly *
assembly_start (Parser    *parser,
                GPtrArray *list,
                guint32    ecu,
                gsize      total)
{
  Assembly *a = assembly_find (parser, list, ecu);

  if (a != NULL)
    {
      /* A new first frame while the previous message from this ECU is
       * incomplete: the rest of the old one was lost. */
      g_debug ("ELM327: ECU %X restarted a multi-frame message", ecu);
      assembly_abort (parser, a);
    }
  else
    {
      a = assembly_find_free (parser);
      if (a == NULL)
        {
          g_debug ("ELM327: too many interleaved multi-frame messages");
          return NULL;
        }
    }

  a->list = list;
  a->ecu = ecu;
  a->expected = total;
  a->next_sn = 0;
  a->msg = message_new (ecu, total);
  g_ptr_array_add (list, a->msg);
  return a;
}

static GPtrArray *
headerless_list (Parser *parser)
{
  if (parser->headerless == NULL)
    parser->headerless = g_ptr_array_new_with_free_func (g_free);
  return parser->headerless;
}

/* Whether a frame from id may answer the request (ObdElmParseOptions):
 * one of the ECUs asked, or any address an OBD responder may use. */
static gboolean
responder_accepted (Parser  *parser,
                    guint32  id)
{
  const ObdElmParseOptions *o = parser->options;
  ObdProtocol protocol = o->protocol;

  if (o->service == 0 || id == 0)
    return TRUE;

  if (o->n_ecus > 0)
    {
      for (gsize i = 0; i < o->n_ecus; i++)
        if (o->ecus[i] == id)
          return TRUE;
    }
  /* ISO 15765-4 §6.3.2: 11-bit responses come from 7E8..7EF, 29-bit ones
   * from 18 DA F1 xx (physical, to the tester F1). */
  else if ((id >= 0x7E8 && id <= 0x7EF) || (id & 0xFFFFFF00u) == 0x18DAF100u)
    return TRUE;
  /* A legacy header's source byte; F1 is the tester itself. */
  else if (id <= 0xFF && id != 0xF1 && !obd_protocol_is_can (protocol))
    return TRUE;

  parser->n_discarded++;
  parser->n_foreign++;
  return FALSE;
}

/* One CAN frame with its header: ISO 15765-2 network layer.  With headers
 * on, the ELM327 shows the PCI byte and every data byte the ECU sent,
 * padding included, so lengths come from the PCI, never from the line. */
static void
handle_can_frame (Parser       *parser,
                  guint32       ecu,
                  const guint8 *b,
                  gsize         n,
                  LineMark      mark)
{
  GPtrArray *list = parser->response->messages;
  Assembly *a;
  gsize len;

  parser->seen_header = TRUE;
  parser->seen_data = TRUE;

  /* Bus traffic and modules nobody asked never reach reassembly, so a
   * flood of them costs a comparison each. */
  if (!responder_accepted (parser, ecu))
    return;

  if (mark != MARK_NONE)
    {
      /* The frame is suspect; drop it.  If it was part of a multi-frame
       * message, the sequence check below catches the gap. */
      g_debug ("ELM327: dropping a CAN frame from %X marked as received with errors", ecu);
      note_mark (parser, mark);
      return;
    }

  if (n < 1 || n > 8)
    {
      g_debug ("ELM327: CAN frame from %X has %" G_GSIZE_FORMAT " data bytes", ecu, n);
      note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
      return;
    }

  switch (b[0] >> 4)
    {
    case 0x0: /* single frame: PCI 0L */
      len = b[0] & 0xF;
      if (len == 0 || len > n - 1)
        {
          g_debug ("ELM327: bad single frame length %" G_GSIZE_FORMAT " from %X", len, ecu);
          note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
          return;
        }
      obd_response_add_message (parser->response, ecu, b + 1, len);
      return;

    case 0x1: /* first frame: PCI 1L LL, 12-bit length */
      if (n < 2)
        return;
      len = ((gsize) (b[0] & 0xF) << 8) | b[1];
      /* ISO 15765-2 §9.6.3: a first frame announcing fewer than 8 bytes
       * is invalid on classic CAN and is ignored. */
      if (len < 8)
        {
          g_debug ("ELM327: first frame with length %" G_GSIZE_FORMAT " from %X", len, ecu);
          note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
          return;
        }
      a = assembly_start (parser, list, ecu, len);
      if (a != NULL)
        {
          /* consecutive frames count 1, 2, ... F, 0, 1 ... */
          assembly_feed (a, b + 2, n - 2);
        }
      return;

    case 0x2: /* consecutive frame: PCI 2N */
      a = assembly_find (parser, list, ecu);
      if (a == NULL)
        {
          g_debug ("ELM327: consecutive frame from %X without a first frame", ecu);
          note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
          return;
        }
      if ((b[0] & 0xF) != a->next_sn)
        {
          g_debug ("ELM327: frame %X from %X out of sequence (expected %X)",
                   b[0] & 0xF, ecu, a->next_sn);
          assembly_abort (parser, a);
          return;
        }
      assembly_feed (a, b + 1, n - 1);
      return;

    case 0x3: /* flow control: only the tester sends these in OBD */
      g_debug ("ELM327: ignoring flow control frame from %X", ecu);
      return;

    default:
      g_debug ("ELM327: unknown PCI type %X from %X", b[0] >> 4, ecu);
      note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
      return;
    }
}

/* Length of the legacy header at the start of b, or 0 if b does not start
 * with one.  The response headers are:
 *   J1850 PWM   41 6B <src>   (SAE J1979 §5.2.1, priority/type 0x41)
 *   J1850 VPW   48 6B <src>   (priority/type 0x48)
 *   ISO 9141-2  48 6B <src>   (ISO 9141-2 §7: same bytes as VPW)
 *   ISO 14230-4 8L F1 <src>   (format byte: 10xxxxxx with the data length in
 *               the low 6 bits; length 0 adds a separate length byte)
 * followed by the data and one checksum byte. */
static gsize
legacy_header_length (ObdProtocol   protocol,
                      const guint8 *b,
                      gsize         n)
{
  gboolean kwp_ok = protocol == OBD_PROTOCOL_AUTO ||
                    protocol == OBD_PROTOCOL_ISO_14230_4_5BAUD ||
                    protocol == OBD_PROTOCOL_ISO_14230_4_FAST;

  if (n < 5)
    return 0;

  if (b[1] == 0x6B && (b[0] == 0x41 || b[0] == 0x48 || protocol != OBD_PROTOCOL_AUTO) &&
      !(protocol == OBD_PROTOCOL_ISO_14230_4_5BAUD ||
        protocol == OBD_PROTOCOL_ISO_14230_4_FAST))
    return 3;

  if (kwp_ok && (b[0] & 0xC0) == 0x80 && b[1] == 0xF1)
    {
      gsize data_len = b[0] & 0x3F;

      if (data_len == 0)
        return n >= 6 && n == 4 + (gsize) b[3] + 1 && b[3] > 0 ? 4 : 0;
      if (n == 3 + data_len + 1)
        return 3;
      /* Some ECUs get the length bits wrong.  On a known KWP link the
       * header is still a header (the checksum decides whether the bytes
       * are sound); during the automatic search the length must agree. */
      if (protocol != OBD_PROTOCOL_AUTO)
        {
          g_debug ("ELM327: KWP format byte %02X does not match %" G_GSIZE_FORMAT " bytes",
                   b[0], n);
          return 3;
        }
    }

  return 0;
}

static gboolean
legacy_checksum_ok (ObdProtocol   protocol,
                    const guint8 *b,
                    gsize         n)
{
  guint8 expected = b[n - 1];

  switch (protocol)
    {
    case OBD_PROTOCOL_J1850_PWM:
    case OBD_PROTOCOL_J1850_VPW:
      return j1850_crc (b, n - 1) == expected;
    case OBD_PROTOCOL_ISO_9141_2:
    case OBD_PROTOCOL_ISO_14230_4_5BAUD:
    case OBD_PROTOCOL_ISO_14230_4_FAST:
      return sum_checksum (b, n - 1) == expected;
    case OBD_PROTOCOL_AUTO:
    case OBD_PROTOCOL_CAN_11BIT_500K:
    case OBD_PROTOCOL_CAN_29BIT_500K:
    case OBD_PROTOCOL_CAN_11BIT_250K:
    case OBD_PROTOCOL_CAN_29BIT_250K:
    case OBD_PROTOCOL_SAE_J1939:
    case OBD_PROTOCOL_USER1_CAN:
    case OBD_PROTOCOL_USER2_CAN:
    default:
      /* "48 6B" is both VPW and ISO 9141-2: accept either checksum. */
      return j1850_crc (b, n - 1) == expected || sum_checksum (b, n - 1) == expected;
    }
}

/* A line of bytes that is not a CAN 11-bit frame: a CAN 29-bit frame, a
 * legacy frame with header and checksum, or plain data (headers off). */
static void
handle_bytes (Parser       *parser,
              const guint8 *b,
              gsize         n,
              gssize        dlc_at,
              LineMark      mark)
{
  ObdProtocol protocol = parser->options->protocol;
  ObdMessage *msg;
  gsize hlen;

  /* CAN 29-bit, ISO 15765-4 §6.3.2.2: "18 DA F1 10" — priority 18,
   * format DA (physical) or DB (functional), target F1 (tester), source. */
  if (!protocol_is_legacy (protocol) && n >= 5 &&
      ((obd_protocol_is_29bit (protocol) && b[0] <= 0x1F) ||
       (b[0] == 0x18 && (b[1] == 0xDA || b[1] == 0xDB))))
    {
      guint32 ecu = ((guint32) b[0] << 24) | ((guint32) b[1] << 16) |
                    ((guint32) b[2] << 8) | b[3];

      /* AT D1 shows the DLC as one digit after the header */
      if (dlc_at >= 0 && dlc_at != 4)
        goto garbage;
      handle_can_frame (parser, ecu, b + 4, n - 4, mark);
      return;
    }

  if (!obd_protocol_is_can (protocol) &&
      (hlen = legacy_header_length (protocol, b, n)) > 0 && n > hlen + 1)
    {
      gboolean ok = legacy_checksum_ok (protocol, b, n);

      /* Without AT H1 a header-like start is only a header if the
       * checksum agrees; otherwise it is data that happens to look like
       * one (e.g. "41 6B ..." is a Mode 01 PID 6B reply). */
      if (dlc_at < 0 && (parser->options->headers || ok))
        {
          parser->seen_header = TRUE;
          parser->seen_data = TRUE;
          if (!responder_accepted (parser, b[2]))
            return;
          msg = obd_response_add_message (parser->response, b[2], b + hlen, n - hlen - 1);
          msg->checksum_ok = ok && mark == MARK_NONE;
          if (!msg->checksum_ok)
            {
              g_debug ("ELM327: checksum error in a message from %02X", b[2]);
              note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "<DATAERROR");
            }
          return;
        }
    }

  if (dlc_at >= 0)
    goto garbage;

  /* An echo the command did not match (clones that echo differently, or
   * no command given): a short request before any reply.  Replies start
   * with the service byte + 0x40 (or 0x7F), requests below 0x40. */
  if (!parser->seen_data && !parser->echo_done && mark == MARK_NONE &&
      b[0] >= 0x01 && b[0] < 0x40 && n <= 8)
    {
      g_debug ("ELM327: skipping what looks like the echo of a request");
      parser->echo_done = TRUE;
      return;
    }

  parser->seen_data = TRUE;
  if (mark != MARK_NONE)
    {
      g_debug ("ELM327: dropping a line marked as received with errors");
      note_mark (parser, mark);
      return;
    }

  /* Header-less messages wait in their own list until the end of the
   * reply tells whether other lines had headers. */
  msg = message_new (0, n);
  memcpy (msg->data, b, n);
  msg->len = n;
  g_ptr_array_add (headerless_list (parser), msg);
  return;

garbage:
  g_debug ("ELM327: ignoring a line of unexpected shape");
  parser->seen_garbage = TRUE;
}

static inline int
xdigit (char c)
{
  return g_ascii_xdigit_value (c);
}

/* Parses hex bytes, either spaced ("41 0C 1A F8", two digits each) or
 * not ("410C1AF8"). */
static gboolean
parse_plain_bytes (const char *s,
                   gsize       len,
                   guint8     *out,
                   gsize      *out_n)
{
  gboolean spaced = memchr (s, ' ', len) != NULL;
  gsize n = 0;
  gsize i = 0;

  while (i < len)
    {
      int hi, lo;

      if (s[i] == ' ')
        {
          i++;
          continue;
        }
      if (i + 1 >= len || n >= MAX_LINE_BYTES)
        return FALSE;
      hi = xdigit (s[i]);
      lo = xdigit (s[i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      out[n++] = (guint8) ((hi << 4) | lo);
      i += 2;
      if (spaced && i < len && s[i] != ' ')
        return FALSE;
    }
  *out_n = n;
  return n > 0;
}

/* Tries to read the line as data.  Returns FALSE if it is not a data line
 * (it may still be a status or error line). */
static gboolean
parse_data_line (Parser     *parser,
                 const char *s,
                 gsize       len)
{
  guint8 bytes[MAX_LINE_BYTES];
  gsize n = 0;
  LineMark mark = MARK_NONE;
  const char *lt;

  /* "<DATA ERROR" / "<RX ERROR" after the bytes: the ELM327 shows what it
   * received, then flags the line (datasheet, error messages). */
  lt = memchr (s, '<', len);
  if (lt != NULL)
    {
      char norm[MAX_NORM_CHARS];
      gssize nn = normalise (lt, s + len - lt, norm, sizeof norm);

      if (nn < 0)
        return FALSE;
      if (strcmp (norm, "<DATAERROR") == 0)
        mark = MARK_DATA_ERROR;
      else if (strcmp (norm, "<RXERROR") == 0)
        mark = MARK_RX_ERROR;
      else
        return FALSE;
      len = lt - s;
      while (len > 0 && s[len - 1] == ' ')
        len--;
      if (len == 0)
        return FALSE;
    }

  /* Headers off, multi-frame CAN reply: "0: 49 02 01 31 44 34" — the
   * ELM327 numbers the frames 0..F, then 0 again, and strips the PCI. */
  if (len >= 3 && s[1] == ':' && xdigit (s[0]) >= 0)
    {
      Assembly *a;
      guint8 idx = (guint8) xdigit (s[0]);

      if (!parse_plain_bytes (s + 2, len - 2, bytes, &n))
        return FALSE;
      parser->seen_data = TRUE;
      a = assembly_find (parser, parser->headerless, 0);
      if (a == NULL)
        {
          g_debug ("ELM327: numbered line without a length line");
          note_data_error (parser, OBD_PROTOCOL_ERROR_DATA_ERROR, "DATAERROR");
          return TRUE;
        }
      if (mark != MARK_NONE || idx != a->next_sn)
        {
          g_debug ("ELM327: numbered line %X out of sequence or damaged", idx);
          note_mark (parser, mark);
          assembly_abort (parser, a);
          return TRUE;
        }
      assembly_feed (a, bytes, n);
      return TRUE;
    }

  if (memchr (s, ' ', len) == NULL)
    {
      /* spaces off (AT S0), or a single token */
      gsize hlen = 0;

      for (gsize i = 0; i < len; i++)
        if (xdigit (s[i]) < 0)
          return FALSE;

      /* Headers off, multi-frame CAN reply: the first line is the total
       * length in three hex digits ("014"). */
      if (len == 3)
        {
          gsize total = ((gsize) xdigit (s[0]) << 8) | ((gsize) xdigit (s[1]) << 4) |
                        (gsize) xdigit (s[2]);

          parser->seen_data = TRUE;
          if (mark != MARK_NONE || total == 0)
            {
              note_mark (parser, mark);
              return TRUE;
            }
          assembly_start (parser, headerless_list (parser), 0, total);
          return TRUE;
        }

      /* an ID needs three digits and a frame at least one byte */
      if ((len & 1) && len < 5)
        return FALSE;

      /* The echo of a request with a response count ("010C1" for
       * "010C 1") when the command was not matched: requests start with a
       * service byte below 0x40, while OBD replies on 11-bit CAN come from
       * IDs 7E8..7EF (ISO 15765-4 §6.3.2.1). */
      if ((len & 1) && !parser->seen_data && !parser->echo_done && len <= 15 &&
          mark == MARK_NONE && ((xdigit (s[0]) << 4) | xdigit (s[1])) < 0x40)
        {
          g_debug ("ELM327: skipping what looks like the echo of a request");
          parser->echo_done = TRUE;
          return TRUE;
        }

      if (len & 1)
        hlen = 3;
      if (len > hlen + 2 * MAX_LINE_BYTES)
        return FALSE;
      for (gsize i = hlen; i < len; i += 2)
        bytes[n++] = (guint8) ((xdigit (s[i]) << 4) | xdigit (s[i + 1]));

      if (hlen == 3)
        {
          /* 11-bit CAN ID: the first digit is at most 7 */
          if (xdigit (s[0]) > 7)
            return FALSE;
          handle_can_frame (parser,
                            (guint32) ((xdigit (s[0]) << 8) | (xdigit (s[1]) << 4) |
                                       xdigit (s[2])),
                            bytes, n, mark);
        }
      else
        {
          handle_bytes (parser, bytes, n, -1, mark);
        }
      return TRUE;
    }
  else
    {
      /* spaces on: "7E8 06 41 00 BE 3F A8 13 00", "48 6B 10 41 0C 1A F8 C6",
       * and with AT D1 a one-digit DLC after the header: "7E8 8 06 41 ..." */
      gboolean can11 = FALSE;
      guint32 id = 0;
      gssize dlc_at = -1;
      gsize i = 0;
      guint tok = 0;

      while (i < len)
        {
          gsize start, tlen;

          while (i < len && s[i] == ' ')
            i++;
          if (i >= len)
            break;
          start = i;
          while (i < len && s[i] != ' ')
            {
              if (xdigit (s[i]) < 0)
                return FALSE;
              i++;
            }
          tlen = i - start;

          if (tok == 0 && tlen == 3)
            {
              if (xdigit (s[start]) > 7)
                return FALSE;
              can11 = TRUE;
              id = (guint32) ((xdigit (s[start]) << 8) | (xdigit (s[start + 1]) << 4) |
                              xdigit (s[start + 2]));
            }
          else if (tlen == 1 && tok > 0 && dlc_at < 0)
            {
              dlc_at = n;
            }
          else if (tlen == 2 && n < MAX_LINE_BYTES)
            {
              bytes[n++] = (guint8) ((xdigit (s[start]) << 4) | xdigit (s[start + 1]));
            }
          else
            {
              return FALSE;
            }
          tok++;
        }

      if (can11)
        {
          if (dlc_at > 0)
            return FALSE;
          handle_can_frame (parser, id, bytes, n, mark);
          return TRUE;
        }
      if (n == 0)
        return FALSE;
      handle_bytes (parser, bytes, n, dlc_at, mark);
      return TRUE;
    }
}

/* Copies a raw line into out without NULs and surrounding blanks.
 * Returns its length, or -1 if it is too long to be an ELM327 line. */
static gssize
clean_line (const char *raw,
            gsize       len,
            char       *out)
{
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = raw[i];

      /* Stray NULs: some adapters send one before the prompt, and
       * Bluetooth bridges sometimes insert them. */
      if (c == '\0')
        continue;
      if (c == '\t')
        c = ' ';
      if (n == 0 && c == ' ')
        continue;
      if (n >= MAX_LINE_CHARS)
        return -1;
      out[n++] = c;
    }
  while (n > 0 && out[n - 1] == ' ')
    n--;
  out[n] = '\0';
  return n;
}

static void
handle_line (Parser     *parser,
             const char *raw,
             gsize       raw_len)
{
  char line[MAX_LINE_CHARS + 1];
  char norm[MAX_NORM_CHARS];
  gssize len, nn;
  ObdProtocolErrorCode code;

  len = clean_line (raw, raw_len, line);
  if (len == 0)
    return;
  if (len < 0)
    {
      g_debug ("ELM327: ignoring an overlong line");
      parser->seen_garbage = TRUE;
      return;
    }

  /* Echo (AT E1, the default): the adapter repeats the command first.
   * Clones sometimes change its case or spacing, so compare normalised. */
  if (!parser->seen_data && !parser->echo_done && parser->command_len > 0)
    {
      nn = normalise (line, len, norm, sizeof norm);
      if (nn == parser->command_len && memcmp (norm, parser->command, nn) == 0)
        {
          parser->echo_done = TRUE;
          return;
        }
    }

  /* Most lines are data; try that first, before normalising for the
   * status and error messages. */
  if (parse_data_line (parser, line, len))
    return;

  nn = normalise (line, len, norm, sizeof norm);
  if (nn <= 0)
    goto garbage;

  /* "SEARCHING...": AT SP 0 looks for a protocol before the first reply. */
  if (has_prefix (norm, nn, "SEARCHING"))
    {
      parser->response->searching = TRUE;
      return;
    }

  /* "BUS INIT: ...OK" / "BUS INIT: ...ERROR" before the first reply on
   * ISO 9141-2 and ISO 14230-4 (5-baud or fast init).  Some adapters end
   * the line after the dots and print OK or ERROR on the next one. */
  if (has_prefix (norm, nn, "BUSINIT") && !contains (norm, nn, "ERROR"))
    {
      if (g_str_has_suffix (norm, "OK"))
        parser->response->bus_init = TRUE;
      else
        parser->bus_init_pending = TRUE;
      return;
    }
  if (parser->bus_init_pending)
    {
      parser->bus_init_pending = FALSE;
      if (strcmp (norm, "OK") == 0 || strcmp (norm, "...OK") == 0)
        {
          parser->response->bus_init = TRUE;
          return;
        }
      if (strcmp (norm, "ERROR") == 0 || strcmp (norm, "...ERROR") == 0)
        {
          memcpy (norm, "BUSINIT:ERROR", sizeof "BUSINIT:ERROR");
          nn = strlen (norm);
        }
    }

  if (match_error (norm, nn, &code))
    {
      if (code == OBD_PROTOCOL_ERROR_STOPPED)
        parser->response->stopped = TRUE;
      if (!parser->have_elm_error)
        {
          parser->have_elm_error = TRUE;
          parser->elm_code = code;
          memcpy (parser->elm_norm, norm, nn + 1);
        }
      return;
    }

garbage:
  /* Bluetooth modules announce themselves ("+CONNECTING<<00:11:22:...",
   * "OK", "CONNECTED") in the same stream; such lines are never data. */
  g_debug ("ELM327: ignoring unexpected line");
  parser->seen_garbage = TRUE;
}

static inline gboolean
message_is_negative (const ObdMessage *msg)
{
  return msg->len >= 1 && msg->data[0] == 0x7F;
}

/* ISO 14229-1 NRC 0x78 "response pending": the ECU will answer later in
 * the same reply.  Drop the pending notice when anything else from that
 * ECU follows it. */
static void
drop_superseded_pending (GPtrArray *messages)
{
  g_autoptr(GHashTable) later = NULL;
  gboolean any = FALSE;

  for (guint i = 0; i < messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (messages, i);

      if (message_is_negative (msg) && msg->len >= 3 && msg->data[2] == 0x78)
        {
          any = TRUE;
          break;
        }
    }
  if (!any)
    return;

  later = g_hash_table_new (NULL, NULL);
  for (guint i = messages->len; i-- > 0;)
    {
      const ObdMessage *msg = g_ptr_array_index (messages, i);
      gboolean followed = g_hash_table_contains (later, GUINT_TO_POINTER (msg->ecu));

      g_hash_table_add (later, GUINT_TO_POINTER (msg->ecu));
      if (followed && message_is_negative (msg) && msg->len >= 3 && msg->data[2] == 0x78)
        {
          g_debug ("ELM327: ECU %X answered after a response-pending notice", msg->ecu);
          g_ptr_array_remove_index (messages, i);
        }
    }
}

/* Whether msg answers what the options say was asked. */
static gboolean
message_answers (const ObdElmParseOptions *o,
                 const ObdMessage         *msg)
{
  if (o->service == 0)
    return TRUE;
  if (msg->len >= 2 && msg->data[0] == 0x7F)
    return msg->data[1] == o->service;
  if (msg->len < 1 || msg->data[0] != (guint8) (o->service + 0x40))
    return FALSE;

  /* SAE J1979: the replies of these services repeat the PID (01, 02),
   * test ID (05, 08), monitor ID (06) or info type (09) asked. */
  switch (o->service)
    {
    case 0x01: case 0x02: case 0x05: case 0x06: case 0x08: case 0x09:
      if (o->n_pids == 0)
        return TRUE;
      if (msg->len < 2)
        return FALSE;
      for (gsize i = 0; i < o->n_pids; i++)
        if (msg->data[1] == o->pids[i])
          return TRUE;
      return FALSE;
    default:
      return TRUE;
    }
}

/* Drops the messages that answer something else, and every message past
 * OBD_ELM_MAX_MESSAGES. */
static void
discard_unasked (Parser *parser)
{
  GPtrArray *messages = parser->response->messages;
  guint before = parser->n_discarded;

  for (guint i = messages->len; i-- > 0;)
    {
      const ObdMessage *msg = g_ptr_array_index (messages, i);

      if (!message_answers (parser->options, msg))
        {
          g_ptr_array_remove_index (messages, i);
          parser->n_discarded++;
        }
    }

  if (messages->len > OBD_ELM_MAX_MESSAGES)
    {
      parser->n_discarded += messages->len - OBD_ELM_MAX_MESSAGES;
      g_ptr_array_set_size (messages, OBD_ELM_MAX_MESSAGES);
    }

  if (parser->n_discarded > 0)
    g_debug ("ELM327: discarded %u frame(s) from addresses nobody asked and %u message(s) "
             "that do not answer the request", parser->n_foreign,
             parser->n_discarded - before);
}

static ObdElmParseResult
parser_finish (Parser  *parser,
               GError **error)
{
  GPtrArray *messages = parser->response->messages;
  const ObdMessage *negative = NULL;
  guint positives = 0;
  guint bad = 0;

  /* Multi-frame messages still missing frames when the prompt came. */
  for (guint i = 0; i < MAX_ASSEMBLIES; i++)
    {
      if (parser->assemblies[i].list != NULL)
        {
          g_debug ("ELM327: multi-frame message from %X is incomplete",
                   parser->assemblies[i].ecu);
          assembly_abort (parser, &parser->assemblies[i]);
        }
    }

  if (parser->headerless != NULL)
    {
      if (parser->seen_header)
        {
          if (parser->headerless->len > 0)
            g_debug ("ELM327: ignoring %u line(s) without header among lines with one",
                     parser->headerless->len);
          parser->n_discarded += parser->headerless->len;
          g_clear_pointer (&parser->headerless, g_ptr_array_unref);
        }
      else
        {
          g_ptr_array_extend_and_steal (messages, g_steal_pointer (&parser->headerless));
        }
    }

  discard_unasked (parser);
  drop_superseded_pending (messages);

  for (guint i = 0; i < messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (messages, i);

      if (!msg->checksum_ok)
        bad++;
      else if (message_is_negative (msg))
        negative = negative ? negative : msg;
      else
        positives++;
    }

  if (positives > 0)
    {
      /* One ECU answered, another refused (typically "service not
       * supported"): the answer is what the caller wants. */
      if (negative != NULL)
        {
          for (guint i = messages->len; i-- > 0;)
            {
              const ObdMessage *msg = g_ptr_array_index (messages, i);

              if (msg->checksum_ok && message_is_negative (msg))
                {
                  g_debug ("ELM327: ECU %X refused the request, others answered", msg->ecu);
                  g_ptr_array_remove_index (messages, i);
                }
            }
        }
      if (parser->have_elm_error)
        g_debug ("ELM327: reply also had an error line (%s)", parser->elm_norm);
      return OBD_ELM_PARSE_OK;
    }

  if (negative != NULL)
    {
      guint8 service = negative->len >= 2 ? negative->data[1] : 0;
      guint8 nrc = negative->len >= 3 ? negative->data[2] : 0;

      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,
                   _("Control unit %X refused the request for service %02X: %s (code %02X)."),
                   negative->ecu, service, obd_elm_nrc_to_string (nrc), nrc);
      return OBD_ELM_PARSE_INVALID;
    }

  if (parser->have_elm_error)
    set_elm_error (error, parser->elm_code, parser->elm_norm);
  else if (parser->n_discarded > 0 && messages->len == 0)
    set_elm_error (error, OBD_PROTOCOL_ERROR_MISMATCH, "");
  else if (bad > 0)
    set_elm_error (error, OBD_PROTOCOL_ERROR_DATA_ERROR, "<DATAERROR");
  else if (parser->have_data_error)
    set_elm_error (error, parser->data_code, parser->data_norm);
  else if (parser->seen_garbage)
    set_elm_error (error, OBD_PROTOCOL_ERROR_MALFORMED, "");
  else
    /* Only a prompt: the vehicle said nothing. */
    set_elm_error (error, OBD_PROTOCOL_ERROR_NO_DATA, "NODATA");
  return OBD_ELM_PARSE_INVALID;
}

gsize
obd_elm_find_prompt (const char *buf,
                     gsize       len)
{
  const char *gt;

  g_return_val_if_fail (buf != NULL || len == 0, 0);

  if (len == 0)
    return 0;
  gt = memchr (buf, '>', len);
  return gt != NULL ? (gsize) (gt - buf) + 1 : 0;
}

typedef struct
{
  const char *p;
  const char *end;
} LineIter;

/* Splits text at CR or LF: AT L0 (CR only, the default), AT L1 (CR LF),
 * and adapters or bridges that send LF alone. */
static gboolean
line_iter_next (LineIter    *it,
                const char **line,
                gsize       *len)
{
  const char *eol;

  if (it->p >= it->end)
    return FALSE;
  eol = it->p;
  while (eol < it->end && *eol != '\r' && *eol != '\n')
    eol++;
  *line = it->p;
  *len = eol - it->p;
  it->p = eol + 1;
  return TRUE;
}

ObdElmParseResult
obd_elm_parse_response (const char                *text,
                        gsize                      len,
                        const ObdElmParseOptions  *options,
                        ObdResponse              **out_response,
                        GError                   **error)
{
  static const ObdElmParseOptions defaults = { OBD_PROTOCOL_AUTO, FALSE, NULL, 0, NULL, 0,
                                                NULL, 0, NULL };
  g_autoptr(ObdResponse) response = NULL;
  ObdElmParseResult result;
  Parser parser = { 0 };
  LineIter it;
  const char *line;
  gsize line_len;
  gsize end;

  g_return_val_if_fail (text != NULL || len == 0, OBD_ELM_PARSE_INVALID);
  g_return_val_if_fail (out_response != NULL, OBD_ELM_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, OBD_ELM_PARSE_INVALID);

  *out_response = NULL;

  end = obd_elm_find_prompt (text, len);
  if (end == 0)
    return OBD_ELM_PARSE_NEED_MORE;

  response = obd_response_new ();
  /* kept for logs; NULs would cut the string short */
  response->raw = g_malloc (end + 1);
  {
    gsize n = 0;

    for (gsize i = 0; i < end; i++)
      if (text[i] != '\0')
        response->raw[n++] = text[i];
    response->raw[n] = '\0';
  }

  parser.options = options != NULL ? options : &defaults;
  parser.response = response;
  parser.command_len = -1;
  if (parser.options->command != NULL)
    parser.command_len = normalise (parser.options->command, strlen (parser.options->command),
                                    parser.command, sizeof parser.command);

  it.p = text;
  it.end = text + end - 1;
  while (line_iter_next (&it, &line, &line_len))
    handle_line (&parser, line, line_len);

  result = parser_finish (&parser, error);
  g_clear_pointer (&parser.headerless, g_ptr_array_unref);
  if (parser.options->n_discarded != NULL)
    *parser.options->n_discarded += parser.n_discarded;

  if (result == OBD_ELM_PARSE_OK)
    *out_response = g_steal_pointer (&response);
  return result;
}

char *
obd_elm_parse_at_reply (const char  *text,
                        gsize        len,
                        const char  *command,
                        GError     **error)
{
  g_autoptr(GString) out = NULL;
  char command_norm[MAX_NORM_CHARS];
  gssize command_len = -1;
  gboolean first = TRUE;
  gboolean unknown = FALSE;
  LineIter it;
  const char *raw;
  gsize raw_len;
  gsize end;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  end = obd_elm_find_prompt (text, len);
  end = end > 0 ? end - 1 : len;

  if (command != NULL)
    command_len = normalise (command, strlen (command), command_norm, sizeof command_norm);

  out = g_string_new (NULL);

  it.p = text;
  it.end = text + end;
  while (line_iter_next (&it, &raw, &raw_len))
    {
      char line[MAX_LINE_CHARS + 1];
      char norm[MAX_NORM_CHARS];
      gssize n = clean_line (raw, raw_len, line);
      gssize nn;

      if (n == 0)
        continue;
      if (n < 0)
        {
          g_debug ("ELM327: ignoring an overlong line in an AT reply");
          continue;
        }

      /* Bluetooth module notifications ("+CONNECTING<<00:11:22:33:44:55") */
      if (line[0] == '+')
        {
          g_debug ("ELM327: ignoring Bluetooth chatter in an AT reply");
          continue;
        }

      nn = normalise (line, n, norm, sizeof norm);

      /* The echo of the command (AT E1), compared without case and spaces.
       * Without the command, a first line starting with "AT": no AT reply
       * does. */
      if (first)
        {
          first = FALSE;
          if (command_len > 0 ? (nn == command_len && memcmp (norm, command_norm, nn) == 0)
                              : (nn >= 2 && norm[0] == 'A' && norm[1] == 'T'))
            continue;
        }

      if (nn == 1 && norm[0] == '?')
        {
          unknown = TRUE;
          continue;
        }

      for (gssize i = 0; i < n; i++)
        if (!g_ascii_isprint (line[i]))
          line[i] = '?';

      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append_len (out, line, n);
    }

  if (unknown)
    {
      set_elm_error (error, OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND, "?");
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
