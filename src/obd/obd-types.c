/* obd-types.c — the OBD-II protocols as the ELM327 numbers them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include "obd-types.h"

typedef struct
{
  const char *key;
  const char *name;   /* the wording of the ELM327's AT DP reply */
  guint       bit_rate;
} ProtocolInfo;

/* Indexed by ObdProtocol.  The USER1/USER2 rates are the ELM327 defaults
 * (PP 2C/2D: 125 and 50 kbaud, 11-bit IDs); they can be reprogrammed. */
static const ProtocolInfo protocols[] = {
  [OBD_PROTOCOL_AUTO]              = { "auto",      "Automatic",                0 },
  [OBD_PROTOCOL_J1850_PWM]         = { "j1850-pwm", "SAE J1850 PWM",            41600 },
  [OBD_PROTOCOL_J1850_VPW]         = { "j1850-vpw", "SAE J1850 VPW",            10400 },
  [OBD_PROTOCOL_ISO_9141_2]        = { "iso9141-2", "ISO 9141-2",               10400 },
  [OBD_PROTOCOL_ISO_14230_4_5BAUD] = { "kwp-5baud", "ISO 14230-4 (KWP 5BAUD)",  10400 },
  [OBD_PROTOCOL_ISO_14230_4_FAST]  = { "kwp-fast",  "ISO 14230-4 (KWP FAST)",   10400 },
  [OBD_PROTOCOL_CAN_11BIT_500K]    = { "can11-500", "ISO 15765-4 (CAN 11/500)", 500000 },
  [OBD_PROTOCOL_CAN_29BIT_500K]    = { "can29-500", "ISO 15765-4 (CAN 29/500)", 500000 },
  [OBD_PROTOCOL_CAN_11BIT_250K]    = { "can11-250", "ISO 15765-4 (CAN 11/250)", 250000 },
  [OBD_PROTOCOL_CAN_29BIT_250K]    = { "can29-250", "ISO 15765-4 (CAN 29/250)", 250000 },
  [OBD_PROTOCOL_SAE_J1939]         = { "j1939",     "SAE J1939 (CAN 29/250)",   250000 },
  [OBD_PROTOCOL_USER1_CAN]         = { "user1-can", "USER1 (CAN 11/125)",       125000 },
  [OBD_PROTOCOL_USER2_CAN]         = { "user2-can", "USER2 (CAN 11/50)",        50000 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (protocols) == OBD_PROTOCOL_LAST + 1);

static inline gboolean
protocol_is_valid (ObdProtocol protocol)
{
  return (guint) protocol <= OBD_PROTOCOL_LAST;
}

gboolean
obd_protocol_is_can (ObdProtocol protocol)
{
  return protocol >= OBD_PROTOCOL_CAN_11BIT_500K && protocol <= OBD_PROTOCOL_LAST;
}

gboolean
obd_protocol_is_29bit (ObdProtocol protocol)
{
  return protocol == OBD_PROTOCOL_CAN_29BIT_500K ||
         protocol == OBD_PROTOCOL_CAN_29BIT_250K ||
         protocol == OBD_PROTOCOL_SAE_J1939;
}

guint
obd_protocol_get_bit_rate (ObdProtocol protocol)
{
  g_return_val_if_fail (protocol_is_valid (protocol), 0);

  return protocols[protocol].bit_rate;
}

const char *
obd_protocol_get_name (ObdProtocol protocol)
{
  g_return_val_if_fail (protocol_is_valid (protocol), NULL);

  return protocols[protocol].name;
}

const char *
obd_protocol_get_key (ObdProtocol protocol)
{
  g_return_val_if_fail (protocol_is_valid (protocol), NULL);

  return protocols[protocol].key;
}

static gboolean
parse_digit (const char  *text,
             ObdProtocol *out_protocol)
{
  int v = g_ascii_xdigit_value (text[0]);

  if (v < 0 || text[1] != '\0' || v > OBD_PROTOCOL_LAST)
    return FALSE;
  *out_protocol = (ObdProtocol) v;
  return TRUE;
}

gboolean
obd_protocol_parse (const char  *text,
                    ObdProtocol *out_protocol,
                    gboolean    *out_automatic)
{
  g_autofree char *s = NULL;
  const char *p;
  ObdProtocol protocol = OBD_PROTOCOL_AUTO;
  gboolean automatic = FALSE;
  gboolean found = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);

  s = g_strstrip (g_strdup (text));
  p = s;

  /* AT DPN answers "6", or "A6" when the protocol was found by the
   * automatic search (datasheet, AT DPN).  "A" alone is protocol A
   * (J1939), so the 'A' prefix only counts with a digit after it. */
  if (parse_digit (p, &protocol))
    found = TRUE;
  else if ((p[0] == 'A' || p[0] == 'a') && p[1] != '\0' && parse_digit (p + 1, &protocol))
    found = automatic = TRUE;

  /* AT DP answers "AUTO, ISO 15765-4 (CAN 11/500)" */
  if (!found && g_ascii_strncasecmp (p, "AUTO,", 5) == 0)
    {
      automatic = TRUE;
      p += 5;
      while (*p == ' ')
        p++;
    }

  for (guint i = 0; !found && i < G_N_ELEMENTS (protocols); i++)
    {
      if (g_ascii_strcasecmp (p, protocols[i].key) == 0 ||
          g_ascii_strcasecmp (p, protocols[i].name) == 0)
        {
          protocol = (ObdProtocol) i;
          found = TRUE;
        }
    }

  /* "AUTO" from AT DP before a protocol was found */
  if (!found && g_ascii_strcasecmp (p, "AUTO") == 0)
    {
      protocol = OBD_PROTOCOL_AUTO;
      found = TRUE;
    }

  if (!found)
    return FALSE;

  if (protocol == OBD_PROTOCOL_AUTO)
    automatic = TRUE;
  if (out_protocol)
    *out_protocol = protocol;
  if (out_automatic)
    *out_automatic = automatic;
  return TRUE;
}
