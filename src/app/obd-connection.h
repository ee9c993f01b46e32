/* obd-connection.h — the link to the adapter, on the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One part of ObdSession: it starts and stops the adapter worker
 * (DESIGN.md §3), says how the connection goes, forwards the worker's
 * sample batches and runs snapshot reads and Mode 04 on it.  It knows
 * nothing of the store or of health.
 */
#pragma once

#include <gio/gio.h>

#include "obd-adapter.h"
#include "obd-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_SESSION_STATE_DISCONNECTED = 0,
  OBD_SESSION_STATE_CONNECTING,
  OBD_SESSION_STATE_CONNECTED,
  OBD_SESSION_STATE_RECONNECTING,
} ObdSessionState;

#define OBD_TYPE_CONNECTION (obd_connection_get_type ())
G_DECLARE_FINAL_TYPE (ObdConnection, obd_connection, OBD, CONNECTION, GObject)

/* Properties, all with notify: "state" (ObdSessionState as int),
 * "connection", "status-text", "error" (GError, why the last connection
 * ended or failed; NULL after a clean disconnect), "adapter-version",
 * "protocol-name", "link-rate" (values a second), "strategy" (read-write,
 * used from the next connect on).
 *
 * Signals: ::samples (GArray of ObdSample) as the worker delivers them;
 * ::connected when a connection is first established (not after a
 * reconnect), to read the vehicle. */
ObdConnection   *obd_connection_new                  (void);

void             obd_connection_connect              (ObdConnection       *self,
                                                      const char          *connection);
void             obd_connection_disconnect           (ObdConnection       *self);

ObdSessionState  obd_connection_get_state            (ObdConnection       *self);
const char      *obd_connection_get_connection       (ObdConnection       *self);
const char      *obd_connection_get_status_text      (ObdConnection       *self);
const GError    *obd_connection_get_error            (ObdConnection       *self);
const char      *obd_connection_get_adapter_version  (ObdConnection       *self);
const char      *obd_connection_get_protocol_name    (ObdConnection       *self);
double           obd_connection_get_link_rate        (ObdConnection       *self);
ObdStrategy      obd_connection_get_strategy         (ObdConnection       *self);
void             obd_connection_set_strategy         (ObdConnection       *self,
                                                      ObdStrategy          strategy);

/* How much of what came over the link was of use (obd-adapter.h), since
 * this connection began; after it ends, its last figures. */
void             obd_connection_get_link_stats       (ObdConnection       *self,
                                                      ObdLinkStats        *out_stats);
/* The figures in plain words, a few sentences; out_summary (nullable)
 * receives one word for them ("Good", "Fair", "Poor"), out_style_class
 * (nullable) its colour ("success", "warning", "error" or NULL). */
char            *obd_connection_describe_link_stats  (const ObdLinkStats  *stats,
                                                      char               **out_summary,
                                                      const char         **out_style_class);

GArray          *obd_connection_dup_supported_pids   (ObdConnection       *self);
void             obd_connection_set_watched_pids     (ObdConnection       *self,
                                                      const guint8        *pids,
                                                      const guint         *priorities,
                                                      gsize                n_pids);

/* The simulated car has no one at its pedal: holds its engine at rpm (0
 * lets go), for a guided check that asks for an engine speed.  Does
 * nothing on any other transport, whose pedal a person presses. */
void             obd_connection_hold_sim_rpm         (ObdConnection       *self,
                                                      double               rpm);

/* Reads parts of a snapshot on the worker; finish returns it (owned). */
void             obd_connection_read_async           (ObdConnection       *self,
                                                      ObdSnapshotParts     parts,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Mode 04, then reads codes, freeze frame and readiness as they are
 * after the clear; finish returns that snapshot. */
void             obd_connection_clear_codes_async    (ObdConnection       *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
ObdSnapshot     *obd_connection_read_finish          (ObdConnection       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
