/* obd-elm.h — the ELM327 line protocol: formatting requests, parsing replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions, no I/O: the adapter reads bytes up to the '>' prompt and
 * hands the text here.  Everything that depends on adapter settings
 * (echo, linefeeds, spaces, headers) is detected from the text where it can
 * be, and taken from ObdElmParseOptions where it cannot.
 */
#pragma once

#include <glib.h>

#include "obd-error.h"
#include "obd-types.h"

G_BEGIN_DECLS

/* One OBD message from one ECU, after ISO-TP reassembly (CAN) or
 * header/checksum removal (legacy protocols).  data[0] is the service
 * byte (0x41 for a Mode 01 reply, 0x7F for a negative response). */
typedef struct
{
  guint32  ecu;        /* responder address: CAN ID (0x7E8, 0x18DAF110) or
                        * the legacy header's source byte (0x10);
                        * 0 when headers are off and it is unknown */
  guint8  *data;
  gsize    len;
  gboolean checksum_ok; /* legacy protocols with headers on; TRUE otherwise */
} ObdMessage;

typedef struct
{
  GPtrArray *messages;  /* of ObdMessage*, in arrival order of their first frame */
  gboolean   searching; /* the reply contained "SEARCHING..." */
  gboolean   stopped;   /* "STOPPED": the adapter was interrupted */
  gboolean   bus_init;  /* a "BUS INIT: ...OK" line was seen */
  char      *raw;       /* the text as received, for logs */
} ObdResponse;

typedef struct
{
  ObdProtocol protocol;      /* as reported by AT DPN; AUTO if unknown */
  gboolean    headers;       /* AT H1 was accepted (may be ignored by clones:
                              * the parser falls back if lines say otherwise) */
  const char *command;       /* the command sent, to recognise its echo; may be NULL */

  /* What was asked, so that what does not answer it is discarded and never
   * decoded (DESIGN.md §3: a late or doubled reply to an earlier request,
   * bus traffic, a module nobody asked).  service 0 checks nothing.
   *
   * A message answers when its first byte is service + 0x40 (or it is a
   * negative response 7F <service>), and, for the services whose second
   * byte repeats what was asked (01, 02, 05, 06, 08, 09), that byte is one
   * of pids[].  Frames are accepted from the addresses in ecus[] (and from
   * unknown senders, 0, when headers are off); with n_ecus 0, from any
   * address an OBD responder may use: 7E8–7EF and 18DAF1xx on CAN
   * (ISO 15765-4), a source byte on the legacy buses. */
  guint8         service;
  const guint8  *pids;
  gsize          n_pids;
  const guint32 *ecus;
  gsize          n_ecus;
  /* Out, may be NULL: increased by the number of frames and messages
   * discarded, whatever the result. */
  guint         *n_discarded;
} ObdElmParseOptions;

/* At most this many messages are kept from one reply (OBD-II allows eight
 * responders; the legacy buses split a VIN or a trouble-code list into a
 * few messages each); the rest are discarded. */
#define OBD_ELM_MAX_MESSAGES 64

typedef enum
{
  OBD_ELM_PARSE_OK,        /* a complete reply, ends with '>' */
  OBD_ELM_PARSE_NEED_MORE, /* no prompt yet */
  OBD_ELM_PARSE_INVALID,   /* error set */
} ObdElmParseResult;

/* Where the reply ends: returns the offset just after the '>' prompt, or 0
 * if the buffer holds no prompt yet.  Stray NULs and Bluetooth chatter
 * before the reply are tolerated by the parser, not here. */
gsize              obd_elm_find_prompt      (const char *buf,
                                             gsize       len);

/* Parses one reply (the text up to and including '>').  On an ELM327 error
 * reply ("NO DATA", "CAN ERROR", "?", ...) or an ECU negative response when
 * no other ECU answered positively, returns INVALID with an
 * OBD_PROTOCOL_ERROR; the message says in plain words what happened and
 * what to do next.  When the options say what was asked and the reply
 * held data but none of it answered, the error is
 * OBD_PROTOCOL_ERROR_MISMATCH. */
ObdElmParseResult  obd_elm_parse_response   (const char                *text,
                                             gsize                      len,
                                             const ObdElmParseOptions  *options,
                                             ObdResponse              **out_response,
                                             GError                   **error);

/* For AT commands: the reply text with echo, blank lines and prompt removed,
 * e.g. "ELM327 v1.5" for ATI or "OK".  NULL if the reply is "?" (error set). */
char              *obd_elm_parse_at_reply   (const char                *text,
                                             gsize                      len,
                                             const char                *command,
                                             GError                   **error);

/* Formats an OBD request: service, up to six PIDs (Mode 01 on CAN), and an
 * optional expected response count (1..15; 0 for none) that lets the ELM327
 * return as soon as that many replies arrived (datasheet: "Response count").
 * Returns e.g. "010C0D05 1" — without the trailing CR. */
char              *obd_elm_format_request   (guint8        service,
                                             const guint8 *pids,
                                             gsize         n_pids,
                                             guint         response_count);

/* Maps an ELM327 error line ("NO DATA", "BUS INIT: ...ERROR", "ERR94", ...)
 * to an error code; returns FALSE if the line is not an error reply. */
gboolean           obd_elm_line_is_error    (const char           *line,
                                             ObdProtocolErrorCode *out_code);

/* Plain-language text for an ISO 14229 / J1979 negative response code. */
const char        *obd_elm_nrc_to_string    (guint8 nrc);

ObdResponse       *obd_response_new         (void);
void               obd_response_free        (ObdResponse *response);
/* Adds a copy of data as a new message. */
ObdMessage        *obd_response_add_message (ObdResponse  *response,
                                             guint32       ecu,
                                             const guint8 *data,
                                             gsize         len);
/* First message from ecu (or from any ECU when ecu == 0) whose service byte
 * is service; NULL if none. */
const ObdMessage  *obd_response_find        (const ObdResponse *response,
                                             guint32            ecu,
                                             guint8             service);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdResponse, obd_response_free)

G_END_DECLS
