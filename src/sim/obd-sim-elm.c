/* obd-sim-elm.c — a virtual ELM327 in front of the simulated vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Behaviour follows the ELM327 datasheet (Elm Electronics, v1.4b–v2.3):
 * commands end with CR, spaces and case do not matter, an empty line
 * repeats the last command, every reply ends with an empty line and the
 * '>' prompt, a hex digit after the request bytes is the number of
 * replies to wait for ("response count"), and a byte received while a
 * request is being processed aborts it with "STOPPED".
 */
#define G_LOG_DOMAIN "obd-sim"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-error.h"
#include "obd-sim-elm.h"

typedef struct
{
  gint64 ready_us;
  guint8 byte;
} OutByte;

/* Settings AT D restores. */
typedef struct
{
  gboolean    echo;
  gboolean    linefeeds;
  gboolean    spaces;
  gboolean    headers;
  gboolean    caf;          /* CAN auto formatting */
  gboolean    responses;    /* AT R1 */
  gboolean    memory;
  guint       adaptive;     /* AT AT0/1/2 */
  guint       st;           /* AT ST hh, 4 ms units */
  ObdProtocol protocol;     /* AT SP: 0 = automatic */
  gboolean    automatic;    /* AT SP 0 or AT SP Ah */
  guint32     header;       /* AT SH */
  guint       header_digits;/* 0: default functional header */
  char        cra[9];       /* AT CRA filter with X wildcards, "" = none */
} ElmSettings;

/* A frame seen on the bus in reply to a request. */
typedef struct
{
  gint64  start_us;   /* ideal start (before bus arbitration) */
  gint64  end_us;
  guint   ecu;
  guint   message;    /* index among this ECU's messages */
  gboolean last;      /* last frame of its message */
  guint32 id;         /* CAN ID or legacy source address */
  guint8  data[12];   /* CAN: 8 bytes incl. PCI; legacy: header+data+checksum */
  guint   len;
  /* For CAF1 display on CAN: what the frame carries. */
  gint    kind;       /* 0 single, 1 first, 2 consecutive */
  guint   total_len;  /* first frame: message length */
} BusFrame;

struct _ObdSimElm
{
  ObdSimConfig  *config;
  ObdSimVehicle *vehicle;
  ObdSimTiming   timing;
  ObdSimFaults   faults;
  GRand         *rand;

  ElmSettings    s;
  gboolean       found;          /* automatic search has found the protocol */
  ObdProtocol    active;         /* protocol in use once found / set */
  gboolean       bus_init;       /* ISO 9141 / KWP initialised */

  GArray        *out;            /* OutByte, in ready order */
  guint          out_pos;
  gint64         tx_free_us;     /* adapter → host line free */
  gint64         rx_free_us;     /* host → adapter line free */
  gint64         busy_until_us;  /* prompt of the request in progress */
  gboolean       busy_obd;       /* ...and it is an OBD request (interruptible) */

  GString       *line;
  char          *last_command;
  guint          n_commands;
  guint          n_obd;

  gint64         disconnect_us;
  gboolean       drop_fired;

  double         adaptive_us;    /* measured ECU response time, < 0 unknown */

  gboolean       monitoring;
  gboolean       babbling;       /* the babble fault: monitoring nothing stops */
  gint64         monitor_next_us;
  guint          monitor_seq;
};

static const ObdSimProfileInfo profiles[OBD_SIM_N_PROFILES] = {
  { "genuine", N_("A genuine ELM327 v2.1: every command, adaptive timing, response counts") },
  { "clone-v15", N_("A cheap “v1.5” clone: answers “?” to AT0/AT1/AT2, CRA, CEA, FC and CS, "
                    "so it always waits the full AT ST timeout") },
  { "clone-no-multi", N_("A clone that forwards only the first PID of a multi-PID Mode 01 "
                         "request, so the reply holds one value") },
  { "clone-echo-stuck", N_("A clone that says OK to ATE0 but keeps echoing") },
  { "clone-reset-drop", N_("A clone whose link drops on ATZ (as many Bluetooth clones reboot)") },
  { "bt-chatter", N_("A Bluetooth adapter whose radio module now and then puts “+CONNECTED” "
                     "lines and NUL bytes into the stream") },
  { "clone-silent-at", N_("A clone that answers nothing at all (no prompt) to ATD, AT@1, "
                          "ATST, ATAT and ATCAF; the host has to time out") },
};

const ObdSimProfileInfo *
obd_sim_list_profiles (gsize *n_profiles)
{
  if (n_profiles)
    *n_profiles = OBD_SIM_N_PROFILES;
  return profiles;
}

/* ------------------------------------------------------------------ */
/* Configuration */

ObdSimConfig *
obd_sim_config_new (void)
{
  ObdSimConfig *config = g_new0 (ObdSimConfig, 1);

  config->profile = OBD_SIM_PROFILE_GENUINE;
  config->timing_scale = 1.0;
  config->protocol = OBD_PROTOCOL_CAN_11BIT_500K;
  config->seed = 1;
  config->baud = 115200;
  return config;
}

ObdSimConfig *
obd_sim_config_copy (const ObdSimConfig *config)
{
  ObdSimConfig *copy = g_memdup2 (config, sizeof *config);

  copy->scenario = g_strdup (config->scenario);
  return copy;
}

void
obd_sim_config_free (ObdSimConfig *config)
{
  if (!config)
    return;
  g_free (config->scenario);
  g_free (config);
}

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS, message);
  return FALSE;
}

static gboolean
parse_uint (const char *text,
            guint64     max,
            guint64    *out)
{
  return text && *text && g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL);
}

gboolean
obd_sim_faults_parse (const char    *text,
                      ObdSimFaults  *faults,
                      GError       **error)
{
  g_auto(GStrv) items = g_strsplit (text ? text : "", ",", -1);

  for (guint i = 0; items[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_strstrip (items[i]), ":", -1);
      guint n = g_strv_length (parts);
      guint64 a = 0, b = 0;
      const char *kind = parts[0];

      if (n == 0 || *kind == '\0')
        continue;
      if (g_str_equal (kind, "ignition-off") && n == 1)
        faults->ignition_off = TRUE;
      else if (g_str_equal (kind, "drop-after") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->drop_after = MAX (a, 1);
      else if (g_str_equal (kind, "drop-at") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->drop_at_us = (gint64) MAX (a, 1) * 1000;
      else if (g_str_equal (kind, "garbage") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->garbage_every = MAX (a, 1);
      else if (g_str_equal (kind, "truncate") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->truncate_every = MAX (a, 1);
      else if (g_str_equal (kind, "can-error") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->can_error_every = MAX (a, 1);
      else if (g_str_equal (kind, "bus-busy") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->bus_busy_every = MAX (a, 1);
      else if (g_str_equal (kind, "stall") && n == 3 && parse_uint (parts[1], G_MAXUINT, &a) &&
               parse_uint (parts[2], 600000, &b))
        {
          faults->stall_request = MAX (a, 1);
          faults->stall_ms = b;
        }
      else if (g_str_equal (kind, "late") && n == 3 && parse_uint (parts[1], G_MAXUINT, &a) &&
               parse_uint (parts[2], 600000, &b))
        {
          faults->late_request = MAX (a, 1);
          faults->late_ms = b;
        }
      else if (g_str_equal (kind, "double") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->double_every = MAX (a, 1);
      else if (g_str_equal (kind, "flood") && n == 2 && parse_uint (parts[1], 10000, &a))
        faults->flood_frames = a;
      else if (g_str_equal (kind, "babble") && n == 2 && parse_uint (parts[1], G_MAXUINT, &a))
        faults->babble_from = MAX (a, 1);
      else
        return invalid (error,
                        _("Unknown simulator fault “%s”. Valid faults: drop-after:N, drop-at:MS, "
                          "garbage:N, truncate:N, stall:N:MS, can-error:N, bus-busy:N, "
                          "ignition-off, late:N:MS, double:N, flood:N, babble:N."),
                        items[i]);
    }
  return TRUE;
}

static gboolean
parse_profile (const char    *name,
               ObdSimProfile *out)
{
  for (guint i = 0; i < OBD_SIM_N_PROFILES; i++)
    if (g_ascii_strcasecmp (profiles[i].name, name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

ObdSimConfig *
obd_sim_config_parse (const char  *text,
                      GError     **error)
{
  g_autoptr(ObdSimConfig) config = obd_sim_config_new ();
  g_autofree char *scenario = NULL;
  const char *query;
  gsize n_scenarios;
  const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n_scenarios);
  gboolean known = FALSE;

  if (!text)
    text = "";
  query = strchr (text, '?');
  scenario = query ? g_strndup (text, query - text) : g_strdup (text);
  g_strstrip (scenario);

  if (*scenario)
    {
      for (gsize i = 0; i < n_scenarios; i++)
        known |= g_ascii_strcasecmp (scenarios[i].name, scenario) == 0;
      if (!known)
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (gsize i = 0; i < n_scenarios; i++)
            g_string_append_printf (names, "%s%s", i ? ", " : "", scenarios[i].name);
          invalid (error, _("Unknown simulator scenario “%s”. Valid scenarios: %s."),
                   scenario, names->str);
          return NULL;
        }
      config->scenario = g_ascii_strdown (scenario, -1);
    }

  if (query)
    {
      g_auto(GStrv) options = g_strsplit (query + 1, "&", -1);

      for (guint i = 0; options[i]; i++)
        {
          const char *eq = strchr (options[i], '=');
          g_autofree char *key = NULL;
          const char *value;
          guint64 n;

          if (*options[i] == '\0')
            continue;
          if (!eq)
            {
              invalid (error, _("Simulator option “%s” needs a value (KEY=VALUE)."), options[i]);
              return NULL;
            }
          key = g_strndup (options[i], eq - options[i]);
          value = eq + 1;

          if (g_str_equal (key, "profile"))
            {
              if (!parse_profile (value, &config->profile))
                {
                  g_autoptr(GString) names = g_string_new (NULL);

                  for (guint p = 0; p < OBD_SIM_N_PROFILES; p++)
                    g_string_append_printf (names, "%s%s", p ? ", " : "", profiles[p].name);
                  invalid (error, _("Unknown adapter profile “%s”. Valid profiles: %s."),
                           value, names->str);
                  return NULL;
                }
            }
          else if (g_str_equal (key, "timing"))
            {
              char *end = NULL;
              double scale = g_ascii_strtod (value, &end);

              if (!end || end == value || *end || scale < 0.0 || scale > 1000.0)
                {
                  invalid (error, _("Simulator timing “%s” is not a scale between 0 and 1000."),
                           value);
                  return NULL;
                }
              config->timing_scale = scale;
            }
          else if (g_str_equal (key, "protocol"))
            {
              guint64 p;

              if (!g_ascii_string_to_unsigned (value, 16, 1, 9, &p, NULL))
                {
                  invalid (error, _("Simulator protocol “%s” is not an ELM327 protocol number "
                                    "from 1 to 9."), value);
                  return NULL;
                }
              config->protocol = p;
            }
          else if (g_str_equal (key, "seed"))
            {
              if (!parse_uint (value, G_MAXUINT32, &n))
                {
                  invalid (error, _("Simulator seed “%s” is not a number."), value);
                  return NULL;
                }
              config->seed = n;
            }
          else if (g_str_equal (key, "baud"))
            {
              if (!parse_uint (value, 4000000, &n) || n < 300)
                {
                  invalid (error, _("Simulator baud rate “%s” is not between 300 and 4000000."),
                           value);
                  return NULL;
                }
              config->baud = n;
            }
          else if (g_str_equal (key, "fault"))
            {
              if (!obd_sim_faults_parse (value, &config->faults, error))
                return NULL;
            }
          else
            {
              invalid (error, _("Unknown simulator option “%s”. Valid options: profile, timing, "
                                "protocol, seed, baud, fault."), key);
              return NULL;
            }
        }
    }

  return g_steal_pointer (&config);
}

void
obd_sim_timing_init_defaults (ObdSimTiming *timing)
{
  timing->baud = 115200;
  timing->processing_us = 1000;
  timing->reset_us = 500000;
  timing->jitter_us = 400;
  timing->search_step_us = 40000;
  timing->bus_init_us = 2600000;
}

/* ------------------------------------------------------------------ */
/* Protocol facts */

static gboolean
proto_is_can (ObdProtocol p)
{
  return p >= OBD_PROTOCOL_CAN_11BIT_500K && p <= OBD_PROTOCOL_CAN_29BIT_250K;
}

static gboolean
proto_is_29bit (ObdProtocol p)
{
  return p == OBD_PROTOCOL_CAN_29BIT_500K || p == OBD_PROTOCOL_CAN_29BIT_250K;
}

static gboolean
proto_is_kline (ObdProtocol p)
{
  return p >= OBD_PROTOCOL_ISO_9141_2 && p <= OBD_PROTOCOL_ISO_14230_4_FAST;
}

static guint
proto_can_bitrate (ObdProtocol p)
{
  return p == OBD_PROTOCOL_CAN_11BIT_250K || p == OBD_PROTOCOL_CAN_29BIT_250K ? 250000 : 500000;
}

/* Names as AT DP prints them. */
static const char *
proto_name (ObdProtocol p)
{
  static const char *names[] = {
    "AUTO", "SAE J1850 PWM", "SAE J1850 VPW", "ISO 9141-2", "ISO 14230-4 (KWP 5BAUD)",
    "ISO 14230-4 (KWP FAST)", "ISO 15765-4 (CAN 11/500)", "ISO 15765-4 (CAN 29/500)",
    "ISO 15765-4 (CAN 11/250)", "ISO 15765-4 (CAN 29/250)", "SAE J1939 (CAN 29/250)",
    "USER1 (CAN 11/125)", "USER2 (CAN 11/50)",
  };
  return p <= OBD_PROTOCOL_LAST ? names[p] : "?";
}

/* Duration of a CAN frame: arbitration, control, CRC, ACK, EOF and the
 * 3-bit intermission, plus about one stuff bit in ten. */
static gint64
can_frame_us (ObdProtocol p,
              guint       dlc)
{
  guint bits = (proto_is_29bit (p) ? 67 : 47) + 8 * dlc;

  bits += (bits - 13) / 10;
  return (gint64) bits * G_USEC_PER_SEC / proto_can_bitrate (p);
}

/* Time a byte takes on a legacy bus, including inter-byte gaps. */
static gint64
legacy_byte_us (ObdProtocol p)
{
  switch (p)
    {
    case OBD_PROTOCOL_J1850_PWM:
      return 200;   /* 8 bits at 41.6 kbit/s */
    case OBD_PROTOCOL_J1850_VPW:
      return 770;   /* 8 bits at 10.4 kbit/s average pulse width */
    default:
      return 1000;  /* 10 bits at 10.4 kbaud plus the P1 gap */
    }
}

/* SAE J1850 CRC-8: polynomial 0x1D, initial 0xFF, inverted result. */
static guint8
crc8_j1850 (const guint8 *data,
            gsize         len)
{
  guint8 crc = 0xFF;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (guint b = 0; b < 8; b++)
        crc = crc & 0x80 ? (guint8) ((crc << 1) ^ 0x1D) : (guint8) (crc << 1);
    }
  return crc ^ 0xFF;
}

/* ISO 9141-2 / ISO 14230-4: sum of the bytes modulo 256. */
static guint8
checksum_sum (const guint8 *data,
              gsize         len)
{
  guint sum = 0;

  for (gsize i = 0; i < len; i++)
    sum += data[i];
  return sum & 0xFF;
}

/* ------------------------------------------------------------------ */
/* Output */

static gint64
byte_us (ObdSimElm *self)
{
  /* 8N1: ten bits per byte. */
  return MAX ((gint64) 10 * G_USEC_PER_SEC / self->timing.baud, 1);
}

static void
emit_bytes (ObdSimElm  *self,
            gint64      t,
            const char *data,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      OutByte b;

      b.ready_us = MAX (t, self->tx_free_us) + byte_us (self);
      b.byte = (guint8) data[i];
      self->tx_free_us = b.ready_us;
      g_array_append_val (self->out, b);
    }
}

static void
emit (ObdSimElm  *self,
      gint64      t,
      const char *text)
{
  emit_bytes (self, t, text, strlen (text));
}

static const char *
eol (ObdSimElm *self)
{
  return self->s.linefeeds ? "\r\n" : "\r";
}

static void
emit_line (ObdSimElm  *self,
           gint64      t,
           const char *text)
{
  emit (self, t, text);
  emit (self, t, eol (self));
}

/* Every reply ends with an empty line and the prompt. */
static void
emit_prompt (ObdSimElm *self,
             gint64     t)
{
  emit (self, t, eol (self));
  emit (self, t, ">");
  self->busy_until_us = self->tx_free_us;
}

static void
emit_reply (ObdSimElm  *self,
            gint64      t,
            const char *text)
{
  emit_line (self, t, text);
  emit_prompt (self, t);
}

static gint64
last_ready (ObdSimElm *self)
{
  return self->out->len ? g_array_index (self->out, OutByte, self->out->len - 1).ready_us : 0;
}

/* Forgets output not yet on the wire at t (an interrupted request). */
static void
cut_output (ObdSimElm *self,
            gint64     t)
{
  guint keep = self->out->len;

  while (keep > self->out_pos && g_array_index (self->out, OutByte, keep - 1).ready_us > t)
    keep--;
  g_array_set_size (self->out, keep);
  self->tx_free_us = MAX (t, last_ready (self));
}

/* ------------------------------------------------------------------ */

static void
settings_defaults (ObdSimElm *self)
{
  ObdProtocol protocol = self->s.protocol;
  gboolean automatic = self->s.automatic;
  gboolean initialised = self->s.st != 0;

  memset (&self->s, 0, sizeof self->s);
  self->s.echo = TRUE;
  /* The real chip takes the linefeed default from a pin; adapters are
   * mostly wired for "off". */
  self->s.linefeeds = FALSE;
  self->s.spaces = TRUE;
  self->s.headers = FALSE;
  self->s.caf = TRUE;
  self->s.responses = TRUE;
  self->s.memory = TRUE;
  self->s.adaptive = 1;
  self->s.st = 0x32;   /* 0x32 × 4 ms = 200 ms */
  /* AT SP is kept in EEPROM and survives resets. */
  self->s.protocol = initialised ? protocol : OBD_PROTOCOL_AUTO;
  self->s.automatic = initialised ? automatic : TRUE;
  self->found = FALSE;
  self->bus_init = FALSE;
  self->adaptive_us = -1;
  self->monitoring = FALSE;
  self->babbling = FALSE;
}

ObdSimElm *
obd_sim_elm_new (const ObdSimConfig *config,
                 GError            **error)
{
  g_autoptr(ObdSimConfig) defaults = NULL;
  ObdSimVehicle *vehicle;
  ObdSimElm *self;

  if (!config)
    config = defaults = obd_sim_config_new ();

  vehicle = obd_sim_vehicle_new (config->scenario, config->seed, error);
  if (!vehicle)
    return NULL;
  obd_sim_vehicle_set_protocol (vehicle, config->protocol);

  self = g_new0 (ObdSimElm, 1);
  self->config = obd_sim_config_copy (config);
  self->vehicle = vehicle;
  obd_sim_timing_init_defaults (&self->timing);
  self->timing.baud = config->baud;
  self->rand = g_rand_new_with_seed (config->seed);
  self->out = g_array_new (FALSE, FALSE, sizeof (OutByte));
  self->line = g_string_new (NULL);
  self->disconnect_us = OBD_SIM_NEVER;
  settings_defaults (self);
  obd_sim_elm_set_faults (self, &config->faults);
  return self;
}

void
obd_sim_elm_free (ObdSimElm *self)
{
  if (!self)
    return;
  obd_sim_config_free (self->config);
  obd_sim_vehicle_free (self->vehicle);
  g_rand_free (self->rand);
  g_array_unref (self->out);
  g_string_free (self->line, TRUE);
  g_free (self->last_command);
  g_free (self);
}

ObdSimVehicle *
obd_sim_elm_get_vehicle (ObdSimElm *self)
{
  return self->vehicle;
}

ObdSimProfile
obd_sim_elm_get_profile (ObdSimElm *self)
{
  return self->config->profile;
}

void
obd_sim_elm_set_faults (ObdSimElm          *self,
                        const ObdSimFaults *faults)
{
  self->faults = *faults;
  obd_sim_vehicle_set_ignition (self->vehicle, !faults->ignition_off);
  if (faults->drop_at_us > 0 && !self->drop_fired)
    self->disconnect_us = MIN (self->disconnect_us, faults->drop_at_us);
}

const ObdSimTiming *
obd_sim_elm_get_timing (ObdSimElm *self)
{
  return &self->timing;
}

void
obd_sim_elm_set_timing (ObdSimElm          *self,
                        const ObdSimTiming *timing)
{
  self->timing = *timing;
  if (self->timing.baud == 0)
    self->timing.baud = 115200;
}

/* ------------------------------------------------------------------ */
/* AT commands */

static const char *
banner (ObdSimElm *self)
{
  return self->config->profile == OBD_SIM_PROFILE_GENUINE ? "ELM327 v2.1" : "ELM327 v1.5";
}

static gboolean
is_hex (const char *s,
        gsize       n)
{
  if (strlen (s) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
parse_protocol_arg (const char  *arg,
                    ObdProtocol *protocol,
                    gboolean    *automatic)
{
  gsize n = strlen (arg);

  *automatic = FALSE;
  if (n == 2 && arg[0] == 'A' && g_ascii_isxdigit (arg[1]))
    {
      *automatic = TRUE;
      arg++;
    }
  else if (n != 1 || !g_ascii_isxdigit (arg[0]))
    return FALSE;
  *protocol = g_ascii_xdigit_value (arg[0]);
  if (*protocol > OBD_PROTOCOL_LAST)
    return FALSE;
  if (*protocol == OBD_PROTOCOL_AUTO)
    *automatic = TRUE;
  return TRUE;
}

/* AT commands a cheap v1.5 clone does not know. */
static gboolean
clone_v15_unknown (const char *cmd)
{
  static const char *prefixes[] = { "AT0", "AT1", "AT2", "CRA", "CEA", "FC", "CS", "@2", "PP",
                                    "CFC", "AMC", "AMT" };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (cmd, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* AT commands a silent clone swallows without any answer. */
static gboolean
clone_silent (const char *cmd)
{
  return g_str_equal (cmd, "D") || g_str_equal (cmd, "@1") || g_str_has_prefix (cmd, "ST") ||
         g_str_has_prefix (cmd, "AT") || g_str_has_prefix (cmd, "CAF");
}

static void
start_monitor (ObdSimElm *self,
               gint64     t);

static void
drop_link (ObdSimElm *self,
           gint64     t)
{
  self->disconnect_us = MIN (self->disconnect_us, t);
  self->drop_fired = TRUE;
}

static void
handle_at (ObdSimElm  *self,
           const char *cmd,
           gint64      t)
{
  ObdSimProfile profile = self->config->profile;
  char buf[64];
  ObdProtocol protocol;
  gboolean automatic;

  if (profile == OBD_SIM_PROFILE_CLONE_V15 && clone_v15_unknown (cmd))
    {
      emit_reply (self, t, "?");
      return;
    }
  if (profile == OBD_SIM_PROFILE_CLONE_SILENT_AT && clone_silent (cmd))
    {
      self->busy_until_us = t;
      return;
    }

  if (g_str_equal (cmd, "Z") || g_str_equal (cmd, "WS"))
    {
      gboolean full = g_str_equal (cmd, "Z");

      if (full && profile == OBD_SIM_PROFILE_CLONE_RESET_DROP)
        {
          /* Many Bluetooth clones reboot their radio with the chip. */
          drop_link (self, t + 10000);
          return;
        }
      settings_defaults (self);
      /* The banner follows two CRs, whatever the linefeed setting was. */
      t += full ? self->timing.reset_us : self->timing.reset_us / 10;
      emit (self, t, "\r\r");
      emit (self, t, banner (self));
      emit (self, t, "\r\r>");
      self->busy_until_us = self->tx_free_us;
      return;
    }
  if (g_str_equal (cmd, "D"))
    {
      settings_defaults (self);
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_equal (cmd, "I"))
    {
      emit_reply (self, t, banner (self));
      return;
    }
  if (g_str_equal (cmd, "@1"))
    {
      emit_reply (self, t, "OBDII to RS232 Interpreter");
      return;
    }
  if (g_str_equal (cmd, "@2"))
    {
      emit_reply (self, t, "OBD2SIM00001");
      return;
    }
  if (g_str_equal (cmd, "RV"))
    {
      g_ascii_formatd (buf, sizeof buf - 1, "%.1f",
                       obd_sim_vehicle_get_battery_voltage (self->vehicle));
      strcat (buf, "V");
      emit_reply (self, t, buf);
      return;
    }
  if (g_str_equal (cmd, "DP"))
    {
      ObdProtocol shown = self->found ? self->active : self->s.protocol;

      if (self->s.automatic && shown != OBD_PROTOCOL_AUTO)
        g_snprintf (buf, sizeof buf, "AUTO, %s", proto_name (shown));
      else
        g_snprintf (buf, sizeof buf, "%s", proto_name (shown));
      emit_reply (self, t, buf);
      return;
    }
  if (g_str_equal (cmd, "DPN"))
    {
      /* "A" marks a protocol chosen automatically (datasheet, AT DPN). */
      ObdProtocol shown = self->found ? self->active : self->s.protocol;

      g_snprintf (buf, sizeof buf, "%s%X",
                  self->s.automatic && shown != OBD_PROTOCOL_AUTO ? "A" : "", shown);
      emit_reply (self, t, buf);
      return;
    }
  if (g_str_equal (cmd, "CS"))
    {
      emit_reply (self, t, "T:00 R:00");
      return;
    }
  if (g_str_equal (cmd, "IGN"))
    {
      emit_reply (self, t, obd_sim_vehicle_get_ignition (self->vehicle) ? "ON" : "OFF");
      return;
    }
  if (g_str_equal (cmd, "MA"))
    {
      start_monitor (self, t);
      return;
    }

  {
    /* Two-state switches: E0/E1, L0/L1, ... */
    static const struct { const char *name; gsize offset; } switches[] = {
      { "E", G_STRUCT_OFFSET (ElmSettings, echo) },
      { "L", G_STRUCT_OFFSET (ElmSettings, linefeeds) },
      { "S", G_STRUCT_OFFSET (ElmSettings, spaces) },
      { "H", G_STRUCT_OFFSET (ElmSettings, headers) },
      { "M", G_STRUCT_OFFSET (ElmSettings, memory) },
      { "R", G_STRUCT_OFFSET (ElmSettings, responses) },
      { "CAF", G_STRUCT_OFFSET (ElmSettings, caf) },
      { "V", G_MAXSIZE }, { "KW", G_MAXSIZE }, { "CFC", G_MAXSIZE }, { "D", G_MAXSIZE },
      { "JHF", G_MAXSIZE }, { "AL", G_MAXSIZE },
    };
    gsize n = strlen (cmd);

    for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
      {
        gsize k = strlen (switches[i].name);

        if (n == k + 1 && strncmp (cmd, switches[i].name, k) == 0 &&
            (cmd[k] == '0' || cmd[k] == '1'))
          {
            if (switches[i].offset != G_MAXSIZE &&
                !(profile == OBD_SIM_PROFILE_CLONE_ECHO_STUCK && switches[i].name[0] == 'E'))
              *(gboolean *) ((char *) &self->s + switches[i].offset) = cmd[k] == '1';
            emit_reply (self, t, "OK");
            return;
          }
      }
  }

  if (g_str_has_prefix (cmd, "AT") && strlen (cmd) == 3 && cmd[2] >= '0' && cmd[2] <= '2')
    {
      self->s.adaptive = cmd[2] - '0';
      emit_reply (self, t, "OK");
      return;
    }
  if ((g_str_has_prefix (cmd, "SP") || g_str_has_prefix (cmd, "TP")) &&
      parse_protocol_arg (cmd + 2, &protocol, &automatic))
    {
      self->s.protocol = protocol;
      self->s.automatic = automatic;
      self->found = FALSE;
      self->bus_init = FALSE;
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_has_prefix (cmd, "ST") && is_hex (cmd + 2, 2))
    {
      guint st = strtoul (cmd + 2, NULL, 16);

      /* AT ST 00 restores the default. */
      self->s.st = st ? st : 0x32;
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_has_prefix (cmd, "SH") &&
      (is_hex (cmd + 2, 3) || is_hex (cmd + 2, 6) || is_hex (cmd + 2, 8)))
    {
      self->s.header = strtoul (cmd + 2, NULL, 16);
      self->s.header_digits = strlen (cmd + 2);
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_has_prefix (cmd, "CRA") || g_str_has_prefix (cmd, "AR"))
    {
      const char *arg = cmd[0] == 'C' ? cmd + 3 : cmd + 2;
      gsize n = strlen (arg);
      gboolean ok = n == 0 || n == 3 || n == 8;

      for (gsize i = 0; ok && i < n; i++)
        ok = g_ascii_isxdigit (arg[i]) || arg[i] == 'X';
      if (!ok)
        {
          emit_reply (self, t, "?");
          return;
        }
      g_strlcpy (self->s.cra, arg, sizeof self->s.cra);
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_equal (cmd, "PC"))
    {
      /* Protocol close: a K-line bus needs a new initialisation. */
      self->bus_init = FALSE;
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_equal (cmd, "BI"))
    {
      /* Bypass initialisation. */
      self->bus_init = TRUE;
      emit_reply (self, t, "OK");
      return;
    }
  if (g_str_equal (cmd, "LP"))
    {
      emit_reply (self, t, "OK");
      return;
    }
  {
    /* Accepted and without effect on the simulation. */
    static const char *accepted[] = { "CEA", "FCSH", "FCSD", "FCSM", "CP", "SW", "WM", "IB",
                                      "SS", "CF", "CM", "AMC", "TA", "SI", "FI", "PP", "JS",
                                      "JE", "NL" };

    for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
      if (g_str_has_prefix (cmd, accepted[i]))
        {
          emit_reply (self, t, "OK");
          return;
        }
  }

  /* Unknown, and baud rate changes (AT BRD): not emulated, the host falls
   * back as with adapters that refuse them. */
  emit_reply (self, t, "?");
}

/* ------------------------------------------------------------------ */
/* OBD requests */

static gint64
current_timeout_us (ObdSimElm *self)
{
  gint64 st = (gint64) self->s.st * 4000;

  /* Adaptive timing (datasheet, AT AT1/AT2): the adapter measures how
   * long the ECUs take and waits a margin beyond that instead of the full
   * AT ST time; AT2 is more aggressive.  The margins are this model's. */
  if (self->config->profile == OBD_SIM_PROFILE_CLONE_V15 || self->adaptive_us < 0)
    return st;
  switch (self->s.adaptive)
    {
    case 1:
      return MIN (st, MAX ((gint64) (self->adaptive_us * 2.0) + 4000, 20000));
    case 2:
      return MIN (st, MAX ((gint64) (self->adaptive_us * 1.25) + 1000, 8000));
    default:
      return st;
    }
}

static void
learn_response_time (ObdSimElm *self,
                     gint64     measured_us)
{
  if (self->adaptive_us < 0 || measured_us > self->adaptive_us)
    self->adaptive_us = measured_us;
  else
    self->adaptive_us = 0.75 * self->adaptive_us + 0.25 * measured_us;
}

static void
append_byte (ObdSimElm *self,
             GString   *line,
             guint8     b)
{
  g_string_append_printf (line, self->s.spaces ? "%02X " : "%02X", b);
}

static void
append_can_id (ObdSimElm *self,
               GString   *line,
               guint32    id,
               gboolean   is29)
{
  if (!is29)
    g_string_append_printf (line, self->s.spaces ? "%03X " : "%03X", id);
  else
    for (int shift = 24; shift >= 0; shift -= 8)
      append_byte (self, line, (id >> shift) & 0xFF);
}

static gboolean
cra_matches (ObdSimElm *self,
             guint32    id,
             gboolean   is29)
{
  char text[9];
  gsize n = strlen (self->s.cra);

  if (n == 0)
    return TRUE;
  g_snprintf (text, sizeof text, is29 ? "%08X" : "%03X", id);
  if (strlen (text) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (self->s.cra[i] != 'X' && self->s.cra[i] != text[i])
      return FALSE;
  return TRUE;
}

/* Which ECUs the current header addresses: -1 all (functional). */
static int
addressed_ecu (ObdSimElm  *self,
               ObdProtocol p,
               gboolean   *none)
{
  guint32 h = self->s.header;
  int ecu = -1;

  *none = FALSE;
  if (self->s.header_digits == 0)
    return -1;

  if (proto_is_can (p) && !proto_is_29bit (p))
    {
      if (self->s.header_digits != 3 || h == 0x7DF)
        return -1;
      for (guint i = 0; i < obd_sim_vehicle_get_n_ecus (self->vehicle); i++)
        if (obd_sim_vehicle_get_ecu (self->vehicle, i)->can_request_id == h)
          ecu = i;
    }
  else if (proto_is_29bit (p))
    {
      /* DA = physical, DB = functional (ISO 15765-4 normal fixed). */
      guint8 format = (h >> 16) & 0xFF;
      guint8 target = (h >> 8) & 0xFF;

      if (self->s.header_digits == 3 || format == 0xDB)
        return -1;
      ecu = obd_sim_vehicle_find_ecu (self->vehicle, target);
    }
  else
    {
      /* Legacy: priority, target, source; 6A / 33 are functional. */
      guint8 target = (h >> 8) & 0xFF;

      if (self->s.header_digits != 6 || target == 0x6A || target == 0x33)
        return -1;
      ecu = obd_sim_vehicle_find_ecu (self->vehicle, target);
    }
  if (ecu < 0)
    *none = TRUE;
  return ecu;
}

static gint
compare_frames (gconstpointer a,
                gconstpointer b)
{
  const BusFrame *fa = a, *fb = b;

  if (fa->start_us != fb->start_us)
    return fa->start_us < fb->start_us ? -1 : 1;
  return (gint) fa->ecu - (gint) fb->ecu;
}

/* Builds the frames ECU ecu puts on the bus for its reply messages. */
static void
frames_for_ecu (ObdSimElm  *self,
                ObdProtocol p,
                guint       ecu_index,
                GPtrArray  *messages,
                gint64      request_end,
                GArray     *frames)
{
  const ObdSimEcu *ecu = obd_sim_vehicle_get_ecu (self->vehicle, ecu_index);
  gint64 jitter = self->timing.jitter_us > 0 ?
                  g_rand_int_range (self->rand, 0, (gint32) self->timing.jitter_us + 1) : 0;
  gint64 t = request_end + ecu->response_delay_us + jitter;

  if (proto_is_kline (p))
    t += 25000;   /* ISO 9141-2 / 14230-4 P2: ECUs answer 25-50 ms later */

  for (guint m = 0; m < messages->len; m++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (messages->pdata[m], &len);

      if (proto_is_can (p))
        {
          guint32 id = proto_is_29bit (p) ? 0x18DAF100u | ecu->address : ecu->can_reply_id;
          gsize pos = 0;
          guint sn = 0;

          /* ISO 15765-2 segmentation. */
          while (pos < len || sn == 0)
            {
              BusFrame f = { 0 };
              guint payload;

              f.ecu = ecu_index;
              f.message = m;
              f.id = id;
              f.len = 8;
              f.total_len = len;
              memset (f.data, ecu->padding, 8);
              if (sn == 0 && len <= 7)
                {
                  f.kind = 0;
                  f.data[0] = len;
                  memcpy (f.data + 1, data, len);
                  pos = len;
                }
              else if (sn == 0)
                {
                  f.kind = 1;
                  f.data[0] = 0x10 | ((len >> 8) & 0x0F);
                  f.data[1] = len & 0xFF;
                  memcpy (f.data + 2, data, 6);
                  pos = 6;
                }
              else
                {
                  f.kind = 2;
                  payload = MIN (7, len - pos);
                  f.data[0] = 0x20 | (sn & 0x0F);
                  memcpy (f.data + 1, data + pos, payload);
                  pos += payload;
                }
              f.start_us = t;
              f.end_us = t + can_frame_us (p, 8);
              f.last = pos >= len;
              g_array_append_val (frames, f);

              if (f.kind == 1)
                /* The adapter answers the first frame with a flow control
                 * frame (block size 0, STmin 0); the ECU then streams. */
                t = f.end_us + can_frame_us (p, 8) + 300;
              else
                t = f.end_us;
              sn++;
            }
          t += 1000;
        }
      else
        {
          BusFrame f = { 0 };
          guint8 h0, h1;

          switch (p)
            {
            case OBD_PROTOCOL_J1850_PWM:
              h0 = 0x41;
              h1 = 0x6B;
              break;
            case OBD_PROTOCOL_ISO_14230_4_5BAUD:
            case OBD_PROTOCOL_ISO_14230_4_FAST:
              /* Format byte: physical addressing, length in the low bits. */
              h0 = 0x80 | (len & 0x3F);
              h1 = 0xF1;
              break;
            default:
              h0 = 0x48;
              h1 = 0x6B;
              break;
            }
          f.ecu = ecu_index;
          f.message = m;
          f.id = ecu->address;
          f.data[0] = h0;
          f.data[1] = h1;
          f.data[2] = ecu->address;
          len = MIN (len, 7);
          memcpy (f.data + 3, data, len);
          f.len = 3 + len;
          f.data[f.len] = p <= OBD_PROTOCOL_J1850_VPW ? crc8_j1850 (f.data, f.len) :
                                                        checksum_sum (f.data, f.len);
          f.len++;
          f.start_us = t;
          f.end_us = t + (gint64) f.len * legacy_byte_us (p);
          f.last = TRUE;
          g_array_append_val (frames, f);
          /* Next message after the inter-message time (P2 / J1850 IFS). */
          t = f.end_us + (proto_is_kline (p) ? 25000 : 1000);
        }
    }
}

/* The line(s) the adapter prints for one frame. */
static void
format_frame (ObdSimElm      *self,
              ObdProtocol     p,
              const BusFrame *f,
              GPtrArray      *lines)
{
  GString *line = g_string_new (NULL);

  if (!proto_is_can (p))
    {
      /* Legacy: headers and checksum only with AT H1. */
      guint from = self->s.headers ? 0 : 3;
      guint to = self->s.headers ? f->len : f->len - 1;

      for (guint i = from; i < to; i++)
        append_byte (self, line, f->data[i]);
    }
  else if (self->s.headers || !self->s.caf)
    {
      /* With H1 the frame shows as received: PCI and all eight bytes,
       * padding included (datasheet, CAF1 with H1). */
      if (self->s.headers)
        append_can_id (self, line, f->id, proto_is_29bit (p));
      for (guint i = 0; i < 8; i++)
        append_byte (self, line, f->data[i]);
    }
  else if (f->kind == 0)
    {
      for (guint i = 1; i <= f->data[0]; i++)
        append_byte (self, line, f->data[i]);
    }
  else if (f->kind == 1)
    {
      /* CAF1, H0 multi-frame: total length in hex on its own line, then
       * numbered segments "0: ..." (datasheet, Multiline Responses). */
      g_ptr_array_add (lines, g_strdup_printf ("%03X", f->total_len));
      g_string_append (line, self->s.spaces ? "0: " : "0:");
      for (guint i = 2; i < 8; i++)
        append_byte (self, line, f->data[i]);
    }
  else
    {
      guint n = 7;

      if (f->last)
        {
          /* Padding after the end of the message is not shown. */
          n = (f->total_len - 6) % 7;
          if (n == 0)
            n = 7;
        }
      g_string_append_printf (line, self->s.spaces ? "%X: " : "%X:", f->data[0] & 0x0F);
      for (guint i = 1; i <= n; i++)
        append_byte (self, line, f->data[i]);
    }
  g_ptr_array_add (lines, g_string_free (line, FALSE));
}

/* The flood fault: frames from IDs no OBD responder uses (ISO 15765-4
 * gives them 7E8-7EF and 18DAF1xx), shaped like a positive answer to the
 * request, as bus traffic shows when nothing filters it. */
static void
emit_flood (ObdSimElm    *self,
            ObdProtocol   p,
            const guint8 *req,
            gsize         req_len,
            gint64        t)
{
  static const guint32 ids11[] = { 0x7FF, 0x3C1, 0x0C9, 0x1E9, 0x7DF };
  static const guint32 ids29[] = { 0x18FEF100, 0x0CF00400, 0x18DB33F1 };

  for (guint i = 0; i < self->faults.flood_frames; i++)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      BusFrame f = { 0 };

      f.id = proto_is_29bit (p) ? ids29[i % G_N_ELEMENTS (ids29)] :
                                  ids11[i % G_N_ELEMENTS (ids11)];
      f.len = 8;
      f.kind = 0;
      f.last = TRUE;
      f.data[0] = 6;
      f.data[1] = req[0] + 0x40;
      f.data[2] = req_len > 1 ? req[1] : 0x00;
      for (guint b = 3; b < 8; b++)
        f.data[b] = (guint8) g_rand_int_range (self->rand, 0, 256);
      format_frame (self, p, &f, lines);
      for (guint l = 0; l < lines->len; l++)
        emit_line (self, t, lines->pdata[l]);
    }
}

static gboolean
parse_obd (const char *cmd,
           guint8     *bytes,
           gsize      *n_bytes,
           guint      *count)
{
  gsize n = strlen (cmd);

  *count = 0;
  if (n < 2)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (cmd[i]))
      return FALSE;
  if (n % 2 == 1)
    {
      /* A single trailing digit is the response count (1-F). */
      *count = g_ascii_xdigit_value (cmd[n - 1]);
      if (*count == 0)
        return FALSE;
      n--;
    }
  if (n / 2 > 8)
    return FALSE;
  for (gsize i = 0; i < n / 2; i++)
    bytes[i] = g_ascii_xdigit_value (cmd[2 * i]) << 4 | g_ascii_xdigit_value (cmd[2 * i + 1]);
  *n_bytes = n / 2;
  return TRUE;
}

/* The error a configured protocol shows when nobody answers on it. */
static const char *
no_vehicle_error (ObdProtocol p)
{
  if (proto_is_can (p))
    return "CAN ERROR";    /* no ECU acknowledges the frame */
  if (p == OBD_PROTOCOL_ISO_14230_4_FAST)
    return "BUS INIT: ERROR";
  if (proto_is_kline (p))
    return "BUS INIT: ...ERROR";
  return "NO DATA";
}

static gint64
search_cost (ObdSimElm  *self,
             ObdProtocol p)
{
  if (proto_is_can (p))
    return self->timing.search_step_us;
  if (p == OBD_PROTOCOL_ISO_9141_2 || p == OBD_PROTOCOL_ISO_14230_4_5BAUD)
    return self->timing.bus_init_us;
  if (p == OBD_PROTOCOL_ISO_14230_4_FAST)
    return 350000;
  return 2 * self->timing.search_step_us;
}

static void
handle_obd (ObdSimElm  *self,
            const char *cmd,
            gint64      t)
{
  ObdProtocol vehicle_p = obd_sim_vehicle_get_protocol (self->vehicle);
  gboolean awake = obd_sim_vehicle_get_ignition (self->vehicle);
  guint8 req[8];
  gsize req_len = 0;
  guint count = 0;
  ObdProtocol p;
  g_autoptr(GArray) frames = NULL;
  gint64 request_end, wait_until, bus_free;
  gboolean none = FALSE;
  int target;
  guint complete = 0;
  gint64 prompt_at = -1;

  if (!parse_obd (cmd, req, &req_len, &count))
    {
      emit_reply (self, t, "?");
      return;
    }

  self->n_obd++;
  self->busy_obd = TRUE;

  /* Protocol: automatic search on the first request (datasheet: the
   * adapter prints "SEARCHING..." and keeps the protocol it finds). */
  if (self->s.automatic && !self->found)
    {
      /* Search order of current adapters: the protocol asked for first,
       * then CAN (the most common), then the older buses. */
      static const ObdProtocol order[] = { 6, 8, 7, 9, 1, 2, 3, 4, 5 };

      emit_line (self, t, "SEARCHING...");
      if (self->s.protocol != OBD_PROTOCOL_AUTO && self->s.protocol != vehicle_p &&
          self->s.protocol <= OBD_PROTOCOL_CAN_29BIT_250K)
        t += search_cost (self, self->s.protocol);
      for (guint i = 0; i < G_N_ELEMENTS (order); i++)
        {
          if (awake && order[i] == vehicle_p)
            break;
          if (order[i] != self->s.protocol)
            t += search_cost (self, order[i]);
        }
      if (!awake)
        {
          emit_line (self, t, "UNABLE TO CONNECT");
          emit_prompt (self, t);
          return;
        }
      /* Found on a K-line bus: its initialisation was part of the search. */
      if (vehicle_p == OBD_PROTOCOL_ISO_14230_4_FAST)
        t += 350000;
      else if (proto_is_kline (vehicle_p))
        t += self->timing.bus_init_us;
      self->found = TRUE;
      self->active = vehicle_p;
      self->bus_init = TRUE;
    }
  else if (!self->s.automatic)
    self->active = self->s.protocol;
  p = self->active;

  if (!awake || p != vehicle_p)
    {
      /* Nothing answers on this protocol. */
      gboolean same_bus = proto_is_can (p) && proto_is_can (vehicle_p) &&
                          proto_can_bitrate (p) == proto_can_bitrate (vehicle_p) && awake;

      if (proto_is_kline (p) && !self->bus_init)
        {
          emit (self, t, p == OBD_PROTOCOL_ISO_14230_4_FAST ? "BUS INIT: " : "BUS INIT: ...");
          t += p == OBD_PROTOCOL_ISO_14230_4_FAST ? 350000 : self->timing.bus_init_us;
          emit_line (self, t, "ERROR");
          emit_prompt (self, t);
          return;
        }
      t += current_timeout_us (self);
      emit_line (self, t, same_bus ? "NO DATA" : no_vehicle_error (p));
      emit_prompt (self, t);
      return;
    }

  if (proto_is_kline (p) && !self->bus_init)
    {
      /* 5-baud (or fast) initialisation before the first request. */
      gboolean fast = p == OBD_PROTOCOL_ISO_14230_4_FAST;

      emit (self, t, fast ? "BUS INIT: " : "BUS INIT: ...");
      t += fast ? 350000 : self->timing.bus_init_us;
      emit_line (self, t, "OK");
      self->bus_init = TRUE;
    }

  if (self->faults.can_error_every && self->n_obd % self->faults.can_error_every == 0)
    {
      t += current_timeout_us (self);
      emit_line (self, t, proto_is_can (p) ? "CAN ERROR" : "BUS ERROR");
      emit_prompt (self, t);
      return;
    }
  if (self->faults.bus_busy_every && self->n_obd % self->faults.bus_busy_every == 0)
    {
      t += current_timeout_us (self);
      emit_line (self, t, "BUS BUSY");
      emit_prompt (self, t);
      return;
    }

  if ((proto_is_can (p) && req_len > 7) || (!proto_is_can (p) && req_len > 7))
    {
      emit_reply (self, t, "?");
      return;
    }

  request_end = t + (proto_is_can (p) ? can_frame_us (p, 8) :
                                        (gint64) (req_len + 4) * legacy_byte_us (p));
  if (!self->s.responses)
    {
      emit_prompt (self, request_end);
      return;
    }

  /* Which ECUs hear it, and what they answer. */
  if (self->config->profile == OBD_SIM_PROFILE_CLONE_NO_MULTI && req[0] == 0x01 && req_len > 2)
    req_len = 2;
  target = addressed_ecu (self, p, &none);
  frames = g_array_new (FALSE, FALSE, sizeof (BusFrame));
  for (guint e = 0; !none && e < obd_sim_vehicle_get_n_ecus (self->vehicle); e++)
    {
      g_autoptr(GPtrArray) messages = NULL;

      if (target >= 0 && (guint) target != e)
        continue;
      obd_sim_vehicle_set_time (self->vehicle, request_end);
      messages = obd_sim_vehicle_request (self->vehicle, e, req, req_len, proto_is_can (p));
      if (messages)
        frames_for_ecu (self, p, e, messages, request_end, frames);
    }

  if (self->faults.flood_frames > 0 && proto_is_can (p))
    emit_flood (self, p, req, req_len, request_end);

  /* One bus: frames go one after the other, interleaving ECUs. */
  g_array_sort (frames, compare_frames);
  bus_free = request_end;
  wait_until = request_end + current_timeout_us (self);
  for (guint i = 0; i < frames->len; i++)
    {
      BusFrame *f = &g_array_index (frames, BusFrame, i);
      gint64 duration = f->end_us - f->start_us;
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      gint64 shown;

      f->start_us = MAX (f->start_us, bus_free);
      f->end_us = f->start_us + duration;
      /* What the adapter learns is how long it waited for each frame. */
      learn_response_time (self, f->start_us - bus_free);
      bus_free = f->end_us;

      if (proto_is_can (p) && !cra_matches (self, f->id, proto_is_29bit (p)))
        continue;

      shown = f->end_us + 50;
      format_frame (self, p, f, lines);
      for (guint l = 0; l < lines->len; l++)
        emit_line (self, shown, lines->pdata[l]);

      wait_until = f->end_us + current_timeout_us (self);
      if (f->last)
        {
          complete++;
          /* Response count reached: no need to wait for more. */
          if (count && complete == count && prompt_at < 0)
            prompt_at = f->end_us + 100;
        }
      if (prompt_at >= 0)
        break;
    }

  if (complete == 0 && prompt_at < 0)
    {
      emit_line (self, wait_until, "NO DATA");
      emit_prompt (self, wait_until);
      return;
    }
  emit_prompt (self, prompt_at >= 0 ? prompt_at : wait_until);
}

/* ------------------------------------------------------------------ */
/* Monitoring (AT MA): the bus's own broadcast traffic */

static void
start_monitor (ObdSimElm *self,
               gint64     t)
{
  self->monitoring = TRUE;
  self->busy_obd = TRUE;
  self->monitor_next_us = t + 2000;
  self->busy_until_us = OBD_SIM_NEVER;
}

static void
monitor_pump (ObdSimElm *self,
              gint64     limit)
{
  /* Broadcast frames of a CAN powertrain bus (11-bit IDs). */
  static const guint16 ids[] = { 0x0C9, 0x1E9, 0x0F1, 0x3C1 };

  while (self->monitoring && self->monitor_next_us <= limit)
    {
      gint64 t = self->monitor_next_us;
      guint16 id = ids[self->monitor_seq % G_N_ELEMENTS (ids)];
      g_autoptr(GString) line = g_string_new (NULL);
      double rpm;

      /* The adapter's transmit buffer holds 256 bytes: if the host link
       * cannot keep up with the bus, it overflows (datasheet: BUFFER FULL).
       * A babbling one just keeps the line busy. */
      if (self->babbling && self->tx_free_us > t)
        {
          self->monitor_next_us = self->tx_free_us;
          continue;
        }
      if (!self->babbling && self->tx_free_us - t > 256 * byte_us (self))
        {
          self->monitoring = FALSE;
          emit_line (self, t, "BUFFER FULL");
          emit_prompt (self, t);
          return;
        }

      obd_sim_vehicle_set_time (self->vehicle, t);
      rpm = obd_sim_vehicle_get_value (self->vehicle, "rpm");
      if (self->s.headers)
        append_can_id (self, line, id, FALSE);
      for (guint i = 0; i < 8; i++)
        {
          guint8 b = i == 0 ? ((guint) (rpm * 4) >> 8) & 0xFF :
                     i == 1 ? (guint) (rpm * 4) & 0xFF :
                     i == 7 ? self->monitor_seq & 0xFF : (id >> i) & 0xFF;
          append_byte (self, line, b);
        }
      emit_line (self, t, line->str);
      self->monitor_seq++;
      self->monitor_next_us += 5000;
    }
}

static void
stop (ObdSimElm *self,
      gint64     t)
{
  const OutByte *last;

  if (self->monitoring)
    monitor_pump (self, t);
  self->monitoring = FALSE;
  cut_output (self, t);
  last = self->out->len > self->out_pos ? &g_array_index (self->out, OutByte, self->out->len - 1) :
                                          NULL;
  if (last && last->byte != '\r' && last->byte != '\n')
    emit (self, t, eol (self));
  emit_line (self, t, "STOPPED");
  emit_prompt (self, t);
  self->busy_obd = FALSE;
}

/* ------------------------------------------------------------------ */
/* Input */

static void
process_line (ObdSimElm *self,
              gint64     t)
{
  g_autofree char *cmd = NULL;
  GString *clean = g_string_new (NULL);
  gsize mark = self->out->len;

  /* Spaces and control characters are ignored, case does not matter. */
  for (gsize i = 0; i < self->line->len; i++)
    {
      char c = self->line->str[i];

      if (c > ' ' && c < 0x7F)
        g_string_append_c (clean, g_ascii_toupper (c));
      else if ((guchar) c >= 0x7F)
        g_string_append_c (clean, '?');   /* not a command character */
    }
  g_string_truncate (self->line, 0);
  cmd = g_string_free (clean, FALSE);

  if (*cmd == '\0')
    {
      /* An empty line repeats the last command (datasheet). */
      if (!self->last_command)
        {
          emit_prompt (self, t);
          return;
        }
      g_free (cmd);
      cmd = g_strdup (self->last_command);
    }
  else
    {
      g_free (self->last_command);
      self->last_command = g_strdup (cmd);
    }

  self->n_commands++;
  self->busy_obd = FALSE;

  if (self->faults.drop_after && !self->drop_fired && self->n_commands > self->faults.drop_after)
    {
      drop_link (self, t);
      return;
    }
  if (self->faults.babble_from && self->n_commands >= self->faults.babble_from)
    {
      /* A hung clone: it talks on and on and hears nothing. */
      start_monitor (self, t);
      self->babbling = TRUE;
      return;
    }
  if (self->faults.stall_request == self->n_commands)
    t += (gint64) self->faults.stall_ms * 1000;
  if (self->faults.late_request == self->n_commands)
    t += (gint64) self->faults.late_ms * 1000;
  if (self->faults.garbage_every && self->n_commands % self->faults.garbage_every == 0)
    {
      char noise[8];
      guint n = g_rand_int_range (self->rand, 3, 8);

      for (guint i = 0; i < n; i++)
        {
          noise[i] = (char) g_rand_int_range (self->rand, 0x80, 0x100);
        }
      emit_bytes (self, t, noise, n);
    }
  if (self->config->profile == OBD_SIM_PROFILE_BT_CHATTER &&
      g_rand_int_range (self->rand, 0, 4) == 0)
    {
      /* The radio module's own status messages share the serial line. */
      if (g_rand_boolean (self->rand))
        emit (self, t, "\r\n+CONNECTED\r\n");
      else
        emit_bytes (self, t, "\0\0\0", 3);
    }

  if (g_str_has_prefix (cmd, "AT"))
    handle_at (self, cmd + 2, t);
  else
    handle_obd (self, cmd, t);

  /* Held back outside the chip: nothing the host sends can stop it. */
  if (self->faults.late_request == self->n_commands)
    self->busy_obd = FALSE;

  if (self->faults.double_every && !g_str_has_prefix (cmd, "AT") && self->n_obd > 0 &&
      self->n_obd % self->faults.double_every == 0 && self->out->len > mark)
    {
      g_autoptr(GByteArray) copy = g_byte_array_new ();

      for (guint i = mark; i < self->out->len; i++)
        g_byte_array_append (copy, &g_array_index (self->out, OutByte, i).byte, 1);
      emit_bytes (self, self->tx_free_us, (const char *) copy->data, copy->len);
      self->busy_until_us = self->tx_free_us;
      self->busy_obd = FALSE;
    }

  if (self->faults.truncate_every && self->n_commands % self->faults.truncate_every == 0 &&
      self->out->len > mark + 2)
    {
      /* The reply is cut short: half of it arrives, then nothing. */
      g_array_set_size (self->out, mark + (self->out->len - mark) / 2);
      self->tx_free_us = MAX (t, last_ready (self));
      self->busy_until_us = self->tx_free_us;
    }
}

void
obd_sim_elm_write (ObdSimElm    *self,
                   const guint8 *buf,
                   gsize         len,
                   gint64        now_us)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = buf[i];
      gint64 arrival = MAX (now_us, self->rx_free_us) + byte_us (self);

      self->rx_free_us = arrival;
      if (arrival >= self->disconnect_us)
        return;
      if (self->babbling)
        continue;

      if (self->monitoring || (self->busy_obd && arrival < self->busy_until_us))
        {
          /* Any byte aborts monitoring or a request still in progress;
           * the byte itself is lost (datasheet: "STOPPED"). */
          stop (self, arrival);
          continue;
        }

      /* Commands wait for the previous reply to finish. */
      arrival = MAX (arrival, self->busy_until_us);

      if (c == '\n' || c == '\0')
        continue;
      if (self->s.echo || self->config->profile == OBD_SIM_PROFILE_CLONE_ECHO_STUCK)
        {
          if (c == '\r')
            emit (self, arrival, eol (self));
          else
            emit_bytes (self, arrival, (const char *) &c, 1);
        }
      if (c == '\r')
        process_line (self, arrival + self->timing.processing_us);
      else if (self->line->len < 128)
        g_string_append_c (self->line, c);
    }
}

gsize
obd_sim_elm_read (ObdSimElm *self,
                  guint8    *buf,
                  gsize      len,
                  gint64     now_us)
{
  gsize n = 0;
  gint64 limit = MIN (now_us, self->disconnect_us);

  if (self->monitoring)
    monitor_pump (self, limit);
  while (n < len && self->out_pos < self->out->len)
    {
      const OutByte *b = &g_array_index (self->out, OutByte, self->out_pos);

      if (b->ready_us > limit)
        break;
      buf[n++] = b->byte;
      self->out_pos++;
    }
  if (self->out_pos == self->out->len && self->out_pos > 0)
    {
      g_array_set_size (self->out, 0);
      self->out_pos = 0;
    }
  if (now_us > obd_sim_vehicle_get_time (self->vehicle))
    obd_sim_vehicle_set_time (self->vehicle, now_us);
  return n;
}

gint64
obd_sim_elm_get_next_event (ObdSimElm *self)
{
  gint64 next = OBD_SIM_NEVER;

  if (self->monitoring && self->out_pos == self->out->len)
    monitor_pump (self, self->monitor_next_us);
  if (self->out_pos < self->out->len)
    next = g_array_index (self->out, OutByte, self->out_pos).ready_us;
  if (next >= self->disconnect_us)
    next = self->disconnect_us;
  return next;
}

gboolean
obd_sim_elm_is_disconnected (ObdSimElm *self,
                             gint64     now_us)
{
  return now_us >= self->disconnect_us;
}

void
obd_sim_elm_reconnect (ObdSimElm *self,
                       gint64     now_us)
{
  if (self->disconnect_us <= now_us)
    self->drop_fired = TRUE;
  self->disconnect_us = OBD_SIM_NEVER;
  g_array_set_size (self->out, 0);
  self->out_pos = 0;
  self->tx_free_us = now_us;
  self->rx_free_us = now_us;
  self->busy_until_us = now_us;
  self->busy_obd = FALSE;
  g_string_truncate (self->line, 0);
  g_clear_pointer (&self->last_command, g_free);
  settings_defaults (self);
}

char *
obd_sim_elm_transact (ObdSimElm  *self,
                      const char *command,
                      gint64     *now_us)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *line = g_strconcat (command, "\r", NULL);
  gint64 now = *now_us;

  obd_sim_elm_write (self, (const guint8 *) line, strlen (line), now);
  while (text->len < 65536)
    {
      guint8 buf[256];
      gsize n;
      gint64 next = obd_sim_elm_get_next_event (self);

      if (next == OBD_SIM_NEVER || next >= self->disconnect_us)
        break;
      now = MAX (now, next);
      n = obd_sim_elm_read (self, buf, sizeof buf, now);
      g_string_append_len (text, (const char *) buf, n);
      if (text->len && text->str[text->len - 1] == '>' &&
          self->out_pos == self->out->len)
        break;
    }
  *now_us = now;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gint64
obd_sim_elm_estimate_request_us (ObdSimElm  *self,
                                 const char *request)
{
  g_autoptr(ObdSimConfig) config = obd_sim_config_copy (self->config);
  g_autoptr(ObdSimElm) probe = NULL;
  g_autofree char *reply = NULL;
  gint64 now = 0;

  /* A fresh adapter with the same settings, the protocol already found
   * and no jitter or faults: the least time the model allows. */
  memset (&config->faults, 0, sizeof config->faults);
  probe = obd_sim_elm_new (config, NULL);
  probe->timing = self->timing;
  probe->timing.jitter_us = 0;
  probe->s = self->s;
  probe->found = TRUE;
  probe->active = self->found || !self->s.automatic ? self->active :
                  obd_sim_vehicle_get_protocol (self->vehicle);
  if (probe->active == OBD_PROTOCOL_AUTO)
    probe->active = obd_sim_vehicle_get_protocol (self->vehicle);
  probe->s.automatic = TRUE;
  probe->bus_init = TRUE;
  probe->adaptive_us = self->adaptive_us;
  if (probe->adaptive_us < 0)
    {
      const ObdSimEcu *ecu = obd_sim_vehicle_get_ecu (probe->vehicle, 0);
      probe->adaptive_us = ecu->response_delay_us;
    }
  reply = obd_sim_elm_transact (probe, request, &now);
  return now;
}
