/* obd-adapter.h — an ELM327 adapter on a transport: init, discovery, requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blocking and not thread-safe: one thread (the worker, or a command-line
 * tool) owns an adapter.  Every call takes a GCancellable.
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

/* Request statistics since connect, for link-quality figures. */
guint64           obd_adapter_get_n_requests     (ObdAdapter    *self);
guint64           obd_adapter_get_n_values       (ObdAdapter    *self);

G_END_DECLS
