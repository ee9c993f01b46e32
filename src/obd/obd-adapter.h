/* obd-adapter.h — an ELM327 adapter on a transport: init, discovery, requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blocking and not thread-safe: one thread (the worker, or a command-line
 * tool) owns an adapter.  Every call takes a GCancellable, and every read
 * is bounded in bytes and time.
 *
 * The byte stream is never trusted to be in step (DESIGN.md §3): at
 * connect, and after a cancel, a timeout or a reply that does not answer
 * its request, the adapter interrupts whatever the ELM327 is doing with a
 * line it rejects and reads until the prompt is followed by silence.
 * Every reply is checked against its request (AT replies by kind, OBD
 * replies by service, PID and ECU); one that answers something else is
 * discarded, counted in ObdLinkStats, and the request sent again.
 */
#pragma once

#include <gio/gio.h>

#include "obd-elm.h"
#include "obd-pid.h"
#include "obd-sample.h"
#include "obd-transport.h"

G_BEGIN_DECLS

#define OBD_TYPE_ADAPTER (obd_adapter_get_type ())
G_DECLARE_FINAL_TYPE (ObdAdapter, obd_adapter, OBD, ADAPTER, GObject)

typedef enum
{
  OBD_STRATEGY_FAST = 0, /* up to six PIDs a request on CAN, response counts,
                          * aggressive adaptive timing, physical addressing */
  OBD_STRATEGY_NAIVE,    /* one PID a request to the functional address, no
                          * count: the adapter waits out its timeout */
} ObdStrategy;

const char *obd_strategy_to_string (ObdStrategy strategy);
gboolean    obd_strategy_parse     (const char  *text,
                                    ObdStrategy *out_strategy);

/* Link quality since the adapter (or the worker) was made: how much of
 * what came over the link was of use.  DESIGN.md §3. */
typedef struct
{
  guint64 n_requests;          /* OBD requests answered */
  guint64 n_values;            /* values decoded into samples */
  guint64 n_discarded_frames;  /* frames and messages that answered nothing
                                * asked: bus traffic, modules nobody asked,
                                * PIDs not asked, values already read */
  guint64 n_discarded_replies; /* whole replies out of step: late, doubled,
                                * interrupted ("STOPPED"), unreadable */
  guint64 n_discarded_bytes;   /* bytes nobody asked for, dropped while
                                * resynchronising */
  guint64 n_resyncs;           /* times the stream was brought back in step
                                * after a cancel, timeout or mismatch */
  guint64 n_dropped_samples;   /* worker: samples its full queue replaced */
  guint64 n_reconnects;        /* worker: links re-established */
} ObdLinkStats;

/* What the adapter found out about itself and the vehicle. */
typedef struct
{
  guint32  address;        /* reply address: 0x7E8, 0x18DAF110, legacy 0x10 */
  gboolean supported[256]; /* Mode 01 PIDs it claims */
  guint    n_supported;
} ObdEcu;

ObdAdapter       *obd_adapter_new                (ObdTransport  *transport);
ObdTransport     *obd_adapter_get_transport      (ObdAdapter    *self);

void              obd_adapter_set_strategy       (ObdAdapter    *self,
                                                  ObdStrategy    strategy);
ObdStrategy       obd_adapter_get_strategy       (ObdAdapter    *self);

/* Opens the transport if needed, resets and configures the ELM327, finds
 * the protocol (protocol AUTO searches) and the ECUs with their supported
 * PIDs.  Clone adapters that answer "?" or nothing to optional commands are
 * tolerated: those commands are remembered and not sent again. */
gboolean          obd_adapter_connect            (ObdAdapter    *self,
                                                  ObdProtocol    protocol,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Closes and reopens the transport and connects again with what was
 * learnt (protocol, quirks). */
gboolean          obd_adapter_reconnect          (ObdAdapter    *self,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
void              obd_adapter_disconnect         (ObdAdapter    *self);
gboolean          obd_adapter_is_connected       (ObdAdapter    *self);

const char       *obd_adapter_get_version        (ObdAdapter    *self); /* "ELM327 v1.5" */
const char       *obd_adapter_get_device_description (ObdAdapter *self); /* AT@1, may be NULL */
ObdProtocol       obd_adapter_get_protocol       (ObdAdapter    *self);
/* Battery voltage from AT RV, or NAN when the adapter cannot tell. */
double            obd_adapter_read_voltage       (ObdAdapter    *self,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* ECUs in order of their reply addresses. */
const ObdEcu     *obd_adapter_get_ecus           (ObdAdapter    *self,
                                                  guint         *n_ecus);
const ObdEcu     *obd_adapter_get_primary_ecu    (ObdAdapter    *self);
gboolean          obd_adapter_is_pid_supported   (ObdAdapter    *self,
                                                  guint8         pid);
/* AT commands this adapter rejected ("?" or silence), for diagnostics. */
GStrv             obd_adapter_dup_quirks         (ObdAdapter    *self);
/* FALSE once the adapter or ECU was seen to reject multi-PID requests. */
gboolean          obd_adapter_get_multi_pid      (ObdAdapter    *self);

/* Sends an AT command ("ATRV") and returns its reply text. */
char             *obd_adapter_at                 (ObdAdapter    *self,
                                                  const char    *command,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Sends an OBD request and returns the parsed reply of every ECU.
 * response_count 0 means none. */
ObdResponse      *obd_adapter_request            (ObdAdapter    *self,
                                                  guint8         service,
                                                  const guint8  *pids,
                                                  gsize          n_pids,
                                                  guint          response_count,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Sends a request to every ECU (functional address, no response count) —
 * for trouble codes, freeze frames, monitors and vehicle information. */
ObdResponse      *obd_adapter_query_all          (ObdAdapter    *self,
                                                  guint8         service,
                                                  const guint8  *pids,
                                                  gsize          n_pids,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Reads Mode 01 PIDs with the adapter's strategy and appends one ObdSample
 * per decoded value (time stamped on arrival).  PIDs that no ECU answers
 * are reported in the error only when nothing at all was decoded. */
gboolean          obd_adapter_read_pids          (ObdAdapter    *self,
                                                  const guint8  *pids,
                                                  gsize          n_pids,
                                                  GArray        *samples,
                                                  GCancellable  *cancellable,
                                                  GError       **error);

/* Request statistics since the adapter was made (over reconnects). */
guint64           obd_adapter_get_n_requests     (ObdAdapter    *self);
guint64           obd_adapter_get_n_values       (ObdAdapter    *self);
void              obd_adapter_get_link_stats     (ObdAdapter    *self,
                                                  ObdLinkStats  *out_stats);

G_END_DECLS
