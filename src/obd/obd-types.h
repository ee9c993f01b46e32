/* obd-types.h — small types shared by the whole protocol layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The OBD-II protocols as the ELM327 numbers them (AT SP n / AT DPN).
 * The numbering is the adapter's, so it can be sent and parsed verbatim. */
typedef enum
{
  OBD_PROTOCOL_AUTO               = 0x0,
  OBD_PROTOCOL_J1850_PWM          = 0x1, /* SAE J1850 PWM, 41.6 kbaud */
  OBD_PROTOCOL_J1850_VPW          = 0x2, /* SAE J1850 VPW, 10.4 kbaud */
  OBD_PROTOCOL_ISO_9141_2         = 0x3, /* ISO 9141-2, 5 baud init */
  OBD_PROTOCOL_ISO_14230_4_5BAUD  = 0x4, /* ISO 14230-4 KWP, 5 baud init */
  OBD_PROTOCOL_ISO_14230_4_FAST   = 0x5, /* ISO 14230-4 KWP, fast init */
  OBD_PROTOCOL_CAN_11BIT_500K     = 0x6, /* ISO 15765-4 CAN, 11 bit ID, 500 kbaud */
  OBD_PROTOCOL_CAN_29BIT_500K     = 0x7, /* ISO 15765-4 CAN, 29 bit ID, 500 kbaud */
  OBD_PROTOCOL_CAN_11BIT_250K     = 0x8, /* ISO 15765-4 CAN, 11 bit ID, 250 kbaud */
  OBD_PROTOCOL_CAN_29BIT_250K     = 0x9, /* ISO 15765-4 CAN, 29 bit ID, 250 kbaud */
  OBD_PROTOCOL_SAE_J1939          = 0xA, /* SAE J1939 CAN, 29 bit ID, 250 kbaud */
  OBD_PROTOCOL_USER1_CAN          = 0xB,
  OBD_PROTOCOL_USER2_CAN          = 0xC,
} ObdProtocol;

#define OBD_PROTOCOL_LAST OBD_PROTOCOL_USER2_CAN

gboolean     obd_protocol_is_can        (ObdProtocol protocol);
gboolean     obd_protocol_is_29bit      (ObdProtocol protocol);
/* Bus bit rate in bit/s (CAN 500000/250000, PWM 41600, VPW 10400, ISO 10400). */
guint        obd_protocol_get_bit_rate  (ObdProtocol protocol);
/* Human name, e.g. "ISO 15765-4 (CAN 11/500)", untranslated technical name. */
const char  *obd_protocol_get_name      (ObdProtocol protocol);
/* Short stable key for JSON and settings, e.g. "can11-500", "j1850-pwm". */
const char  *obd_protocol_get_key       (ObdProtocol protocol);
/* Parses "6", "A6" (auto, 6 found), a key, returns FALSE if unknown. */
gboolean     obd_protocol_parse         (const char  *text,
                                         ObdProtocol *out_protocol,
                                         gboolean    *out_automatic);

/* Unit system for presentation. Values are always decoded in SI-ish
 * units (as SAE J1979 defines them); conversion is a presentation step. */
typedef enum
{
  OBD_UNIT_SYSTEM_SI = 0,
  OBD_UNIT_SYSTEM_US,
} ObdUnitSystem;

G_END_DECLS
