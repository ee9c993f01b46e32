/* obd-error.h — error domains of the protocol layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OBD_TRANSPORT_ERROR (obd_transport_error_quark ())
#define OBD_PROTOCOL_ERROR  (obd_protocol_error_quark ())

/* Failures of the link to the adapter itself. */
typedef enum
{
  OBD_TRANSPORT_ERROR_FAILED = 0,
  OBD_TRANSPORT_ERROR_NOT_FOUND,          /* no such port / host unreachable */
  OBD_TRANSPORT_ERROR_PERMISSION_DENIED,  /* e.g. not in the dialout group */
  OBD_TRANSPORT_ERROR_BUSY,               /* another program has the port */
  OBD_TRANSPORT_ERROR_INVALID_ADDRESS,    /* malformed connection string */
  OBD_TRANSPORT_ERROR_TIMEOUT,            /* the adapter did not answer in time */
  OBD_TRANSPORT_ERROR_DISCONNECTED,       /* cable pulled, socket closed, EOF */
  OBD_TRANSPORT_ERROR_NO_ADAPTER,         /* something answers, but not an ELM327 */
} ObdTransportErrorCode;

/* Every error reply the ELM327 datasheet defines, plus negative responses
 * from the ECU (service 0x7F) and replies we cannot make sense of. */
typedef enum
{
  OBD_PROTOCOL_ERROR_FAILED = 0,
  OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND,     /* "?" */
  OBD_PROTOCOL_ERROR_NO_DATA,             /* "NO DATA" */
  OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT,   /* "UNABLE TO CONNECT" */
  OBD_PROTOCOL_ERROR_BUS_INIT,            /* "BUS INIT: ...ERROR" */
  OBD_PROTOCOL_ERROR_BUS_BUSY,            /* "BUS BUSY" */
  OBD_PROTOCOL_ERROR_BUS_ERROR,           /* "BUS ERROR" */
  OBD_PROTOCOL_ERROR_FB_ERROR,            /* "FB ERROR" */
  OBD_PROTOCOL_ERROR_CAN_ERROR,           /* "CAN ERROR" */
  OBD_PROTOCOL_ERROR_DATA_ERROR,          /* "DATA ERROR", "<DATA ERROR" */
  OBD_PROTOCOL_ERROR_RX_ERROR,            /* "<RX ERROR" */
  OBD_PROTOCOL_ERROR_BUFFER_FULL,         /* "BUFFER FULL" */
  OBD_PROTOCOL_ERROR_STOPPED,             /* "STOPPED" */
  OBD_PROTOCOL_ERROR_INTERNAL,            /* "ERRxx" */
  OBD_PROTOCOL_ERROR_LOW_VOLTAGE_RESET,   /* "LV RESET" */
  OBD_PROTOCOL_ERROR_ACTIVITY_ALERT,      /* "ACT ALERT", "LP ALERT" */
  OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,   /* 7F <service> <NRC> */
  OBD_PROTOCOL_ERROR_MALFORMED,           /* a reply we cannot parse */
  OBD_PROTOCOL_ERROR_UNSUPPORTED,         /* the vehicle does not support this */
  OBD_PROTOCOL_ERROR_MISMATCH,            /* a reply to another request (late,
                                           * doubled, shifted) or from a
                                           * module nobody asked */
} ObdProtocolErrorCode;

GQuark obd_transport_error_quark (void);
GQuark obd_protocol_error_quark  (void);

G_END_DECLS
