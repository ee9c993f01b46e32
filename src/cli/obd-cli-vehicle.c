/* obd-cli-vehicle.c — one-shot commands against a vehicle: info, dtc, clear,
 * freeze, readiness, monitors; and decode, which needs no vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"
#include "obd-dtc.h"
#include "obd-error.h"
#include "obd-mode06.h"
#include "obd-mode09.h"
#include "obd-snapshot.h"
#include "obd-vin.h"

static char *
format_ecu (guint32 ecu)
{
  if (ecu == 0)
    return g_strdup ("?");
  return g_strdup_printf (ecu > 0xFFF ? "%08X" : ecu > 0xFF ? "%03X" : "%02X", ecu);
}

/* ---- values ---------------------------------------------------------- */

static void
add_value_json (ObdCli         *cli,
                JsonBuilder    *builder,
                const ObdValue *value,
                guint32         ecu)
{
  g_autofree char *pid = g_strdup_printf ("%02X", value->pid);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_string_value (builder, pid);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, value->key);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, _(value->label));
  if (ecu != 0)
    {
      g_autofree char *e = format_ecu (ecu);

      json_builder_set_member_name (builder, "ecu");
      json_builder_add_string_value (builder, e);
    }
  json_builder_set_member_name (builder, "value");
  json_builder_add_double_value (builder, obd_unit_convert (value->unit, cli->units,
                                                            value->value));
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, obd_unit_get_symbol (value->unit, cli->units));
  if (value->text != NULL)
    {
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, value->text);
    }
  json_builder_end_object (builder);
}

static void
print_value (ObdCli         *cli,
             const ObdValue *value)
{
  g_autofree char *formatted = obd_value_format (value, cli->units);

  g_print ("  %02X  %-44s %s\n", value->pid, _(value->label), formatted);
}

static gboolean
parse_hex_args (int      argc,
                char   **argv,
                GArray  *bytes,
                GError **error)
{
  g_autoptr(GString) all = g_string_new (NULL);

  for (int i = 1; i < argc; i++)
    for (const char *p = argv[i]; *p; p++)
      if (!g_ascii_isspace (*p))
        g_string_append_c (all, *p);

  if (all->len == 0 || all->len % 2 != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Give the response as hex bytes, e.g. “obd2 decode 41 0C 1A F8”."));
      return FALSE;
    }

  for (gsize i = 0; i < all->len; i += 2)
    {
      int hi = g_ascii_xdigit_value (all->str[i]);
      int lo = g_ascii_xdigit_value (all->str[i + 1]);
      guint8 b;

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%c%c” is not a hex byte. Give the response as hex bytes, e.g. "
                         "“obd2 decode 41 0C 1A F8”."), all->str[i], all->str[i + 1]);
          return FALSE;
        }
      b = (guint8) (hi << 4 | lo);
      g_array_append_val (bytes, b);
    }

  return TRUE;
}

static void
print_values (ObdCli *cli,
              GArray *values)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "values");
      json_builder_begin_array (builder);
      for (guint i = 0; i < values->len; i++)
        add_value_json (cli, builder, &g_array_index (values, ObdValue, i), 0);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return;
    }

  for (guint i = 0; i < values->len; i++)
    print_value (cli, &g_array_index (values, ObdValue, i));
}

static const char *
dtc_title (const char      *code,
           ObdDtcSeverity  *out_severity)
{
  ObdDtcInfo info;

  if (!obd_dtc_kb_lookup (code, &info, NULL))
    {
      *out_severity = OBD_DTC_SEVERITY_WARNING;
      return _("Unknown code");
    }

  *out_severity = info.severity;
  return info.title;
}

int
obd_cli_cmd_decode (ObdCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GArray) bytes = g_array_new (FALSE, FALSE, 1);
  g_autoptr(GArray) values = obd_value_array_new ();
  g_autoptr(GError) error = NULL;
  const guint8 *data;

  if (!obd_cli_parse_options (cli, "decode", "HEX...", NULL, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;

  if (!parse_hex_args (argc, argv, bytes, &error))
    return obd_cli_fail (cli, error);

  data = (const guint8 *) bytes->data;

  switch (data[0])
    {
    case 0x41:
      if (!obd_pid_decode_multi (data + 1, bytes->len - 1, values, &error))
        return obd_cli_fail (cli, error);
      print_values (cli, values);
      return OBD_CLI_EXIT_OK;

    case 0x42:
      /* 42 PID FRAME DATA... */
      if (bytes->len < 3)
        break;
      if (!obd_pid_decode (data[1], data + 3, bytes->len - 3, values, &error))
        return obd_cli_fail (cli, error);
      print_values (cli, values);
      return OBD_CLI_EXIT_OK;

    case 0x43:
    case 0x47:
    case 0x4A:
      {
        g_autoptr(ObdResponse) response = obd_response_new ();
        g_autoptr(GArray) dtcs = NULL;

        obd_response_add_message (response, 0, data, bytes->len);
        /* A single message: CAN when the count byte matches the length. */
        dtcs = obd_dtc_parse_response (response, data[0],
                                       bytes->len >= 2 && bytes->len == 2u + data[1] * 2u,
                                       NULL, &error);
        if (dtcs == NULL)
          return obd_cli_fail (cli, error);

        if (cli->json)
          {
            g_autoptr(JsonBuilder) builder = json_builder_new ();
            g_autoptr(JsonNode) root = NULL;

            json_builder_begin_object (builder);
            json_builder_set_member_name (builder, "codes");
            json_builder_begin_array (builder);
            for (guint i = 0; i < dtcs->len; i++)
              {
                const ObdDtc *dtc = &g_array_index (dtcs, ObdDtc, i);
                ObdDtcSeverity severity;
                const char *title = dtc_title (dtc->code, &severity);

                json_builder_begin_object (builder);
                json_builder_set_member_name (builder, "code");
                json_builder_add_string_value (builder, dtc->code);
                json_builder_set_member_name (builder, "title");
                json_builder_add_string_value (builder, title);
                json_builder_end_object (builder);
              }
            json_builder_end_array (builder);
            json_builder_end_object (builder);
            root = json_builder_get_root (builder);
            obd_cli_print_json (root, TRUE);
          }
        else
          {
            if (dtcs->len == 0)
              g_print ("%s\n", _("No trouble codes."));
            for (guint i = 0; i < dtcs->len; i++)
              {
                const ObdDtc *dtc = &g_array_index (dtcs, ObdDtc, i);
                ObdDtcSeverity severity;
                const char *title = dtc_title (dtc->code, &severity);

                g_print ("  %s  %s\n", dtc->code, title);
              }
          }
        return OBD_CLI_EXIT_OK;
      }

    case 0x7F:
      if (bytes->len >= 3)
        {
          g_set_error (&error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE,
                       _("Negative response to service %02X: %s"), data[1],
                       obd_elm_nrc_to_string (data[2]));
          g_print ("%s\n", error->message);
          return OBD_CLI_EXIT_OK;
        }
      break;

    default:
      break;
    }

  return obd_cli_usage_error (_("Cannot decode a reply that starts with %02X. Give a Mode 01 "
                                "(41 …), Mode 02 (42 …) or trouble code (43/47/4A …) reply."),
                              data[0]);
}

/* Connects to --port and reads the given parts of the vehicle. */
static ObdSnapshot *
connect_and_read (ObdCli            *cli,
                  ObdSnapshotParts   parts,
                  ObdAdapter       **out_adapter,
                  GError           **error)
{
  g_autoptr(ObdAdapter) adapter = obd_cli_connect (cli, OBD_STRATEGY_FAST, error);
  ObdSnapshot *snapshot;

  if (adapter == NULL)
    return NULL;

  snapshot = obd_snapshot_read (adapter, parts, cli->cancellable, error);
  if (snapshot != NULL && out_adapter != NULL)
    *out_adapter = g_steal_pointer (&adapter);

  return snapshot;
}

/* ---- dtc ------------------------------------------------------------- */

int
obd_cli_cmd_dtc (ObdCli  *cli,
                 int      argc,
                 char   **argv)
{
  gboolean pending = FALSE, permanent = FALSE, all = FALSE;
  GOptionEntry entries[] = {
    { "pending", 0, 0, G_OPTION_ARG_NONE, &pending, N_("Pending codes (Mode 07)"), NULL },
    { "permanent", 0, 0, G_OPTION_ARG_NONE, &permanent, N_("Permanent codes (Mode 0A)"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Stored, pending and permanent"), NULL },
    { NULL }
  };
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(ObdSnapshot) snapshot = NULL;
  g_autoptr(GArray) dtcs = g_array_new (FALSE, FALSE, sizeof (ObdDtc));
  g_autoptr(GError) error = NULL;
  gboolean wanted[3] = { FALSE };

  if (!obd_cli_parse_options (cli, "dtc", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("dtc", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  wanted[OBD_DTC_KIND_STORED] = all || (!pending && !permanent);
  wanted[OBD_DTC_KIND_PENDING] = all || pending;
  wanted[OBD_DTC_KIND_PERMANENT] = all || permanent;

  snapshot = connect_and_read (cli, OBD_SNAPSHOT_DTCS, &adapter, &error);
  if (snapshot == NULL)
    return obd_cli_fail (cli, error);

  for (guint i = 0; i < snapshot->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);

      if (wanted[dtc->kind])
        g_array_append_val (dtcs, *dtc);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "codes");
      json_builder_begin_array (builder);
      for (guint i = 0; i < dtcs->len; i++)
        {
          const ObdDtc *dtc = &g_array_index (dtcs, ObdDtc, i);
          g_autofree char *ecu = format_ecu (dtc->ecu);
          ObdDtcSeverity severity;
          const char *title = dtc_title (dtc->code, &severity);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "code");
          json_builder_add_string_value (builder, dtc->code);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, obd_dtc_kind_get_key (dtc->kind));
          json_builder_set_member_name (builder, "ecu");
          json_builder_add_string_value (builder, ecu);
          json_builder_set_member_name (builder, "title");
          json_builder_add_string_value (builder, title);
          json_builder_set_member_name (builder, "severity");
          json_builder_add_string_value (builder, obd_dtc_severity_to_string (severity));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  if (dtcs->len == 0)
    {
      g_print ("%s\n", _("No trouble codes."));
      return OBD_CLI_EXIT_OK;
    }

  for (guint i = 0; i < dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (dtcs, ObdDtc, i);
      g_autofree char *ecu = format_ecu (dtc->ecu);
      ObdDtcSeverity severity;
      const char *title = dtc_title (dtc->code, &severity);

      g_print ("%-5s %-10s %-9s %-8s %s\n", dtc->code, obd_dtc_kind_get_label (dtc->kind), ecu,
               obd_dtc_severity_get_label (severity), title);
    }

  return OBD_CLI_EXIT_OK;
}

int
obd_cli_cmd_clear (ObdCli  *cli,
                   int      argc,
                   char   **argv)
{
  gboolean yes = FALSE;
  GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Confirm: codes, freeze frames and readiness are erased"), NULL },
    { NULL }
  };
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(ObdSnapshot) after = NULL;
  g_autoptr(ObdSnapshot) info = NULL;
  g_autoptr(GArray) ecus = NULL;
  g_autoptr(GError) error = NULL;
  gboolean recorded = FALSE;
  gint64 cleared_us;

  if (!obd_cli_parse_options (cli, "clear", "--yes", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("clear", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  if (!yes)
    return obd_cli_usage_error (_("Clearing erases the trouble codes, their freeze frames and "
                                  "the readiness monitors (the car will need a drive cycle "
                                  "before an emissions test). Run “obd2 clear --yes” to "
                                  "confirm."));

  adapter = obd_cli_connect (cli, OBD_STRATEGY_FAST, &error);
  if (adapter == NULL)
    return obd_cli_fail (cli, error);

  /* With a local store, the vehicle's history notes the clearing (as the
   * application does): its VIN says which vehicle it is.  Without a store
   * nothing is created. */
  if (g_file_test (cli->db != NULL ? cli->db : obd_store_get_default_path (),
                   G_FILE_TEST_EXISTS))
    {
      info = obd_snapshot_read (adapter, OBD_SNAPSHOT_INFO, cli->cancellable, &error);
      if (info == NULL)
        return obd_cli_fail (cli, error);
    }

  /* What the car reports after the clear: permanent codes stay until their
   * monitor passes (J1979 Mode 0A), which the mechanic needs to know. */
  after = obd_diagnosis_clear_codes (adapter, &ecus, cli->cancellable, &error);
  if (after == NULL)
    return obd_cli_fail (cli, error);
  cleared_us = g_get_real_time ();

  if (info != NULL && info->vin == NULL)
    g_printerr ("obd2: %s\n", _("The vehicle reports no VIN, so its history in the local store "
                                "cannot be told the codes were cleared."));
  else if (info != NULL)
    {
      g_autoptr(ObdStore) store = obd_cli_open_store (cli, TRUE, &error);

      if (store == NULL ||
          !obd_diagnosis_record_clear (store, info->vin, g_get_user_name (), cleared_us,
                                       &recorded, &error))
        {
          g_printerr ("obd2: %s\n", _("The trouble codes were cleared, but the local store "
                                      "could not note it: its history still shows them as "
                                      "active."));
          return obd_cli_fail (cli, error);
        }
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cleared");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "ecus");
      json_builder_begin_array (builder);
      for (guint i = 0; ecus != NULL && i < ecus->len; i++)
        {
          g_autofree char *ecu = format_ecu (g_array_index (ecus, guint32, i));

          json_builder_add_string_value (builder, ecu);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "remaining");
      json_builder_begin_array (builder);
      for (guint i = 0; i < after->dtcs->len; i++)
        json_builder_add_string_value (builder, g_array_index (after->dtcs, ObdDtc, i).code);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "history_updated");
      json_builder_add_boolean_value (builder, recorded);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
    }
  else
    {
      g_print ("%s\n", _("Trouble codes cleared. Readiness monitors are reset until the next "
                         "drive cycle."));
      for (guint i = 0; i < after->dtcs->len; i++)
        {
          const ObdDtc *dtc = &g_array_index (after->dtcs, ObdDtc, i);

          if (dtc->kind == OBD_DTC_KIND_PERMANENT)
            /* Translators: a code Mode 04 cannot erase */
            g_print (_("%s stays as a permanent code until the car's own test passes.\n"),
                     dtc->code);
        }
    }

  return OBD_CLI_EXIT_OK;
}

/* ---- freeze ------------------------------------------------------------ */

int
obd_cli_cmd_freeze (ObdCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(ObdSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  const char *code;
  GArray *values;

  if (!obd_cli_parse_options (cli, "freeze", "", NULL, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("freeze", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  snapshot = connect_and_read (cli, OBD_SNAPSHOT_FREEZE, &adapter, &error);
  if (snapshot == NULL)
    return obd_cli_fail (cli, error);
  code = snapshot->freeze_dtc;
  values = snapshot->freeze_values;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dtc");
      if (code[0] != '\0')
        json_builder_add_string_value (builder, code);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "values");
      json_builder_begin_array (builder);
      for (guint i = 0; i < values->len; i++)
        add_value_json (cli, builder, &g_array_index (values, ObdValue, i), 0);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  if (code[0] == '\0')
    {
      g_print ("%s\n", _("No freeze frame stored."));
      return OBD_CLI_EXIT_OK;
    }

  {
    ObdDtcSeverity severity;

    g_print (_("Freeze frame for %s (%s):\n"), code, dtc_title (code, &severity));
  }
  for (guint i = 0; i < values->len; i++)
    print_value (cli, &g_array_index (values, ObdValue, i));

  return OBD_CLI_EXIT_OK;
}

/* ---- readiness ------------------------------------------------------- */

int
obd_cli_cmd_readiness (ObdCli  *cli,
                       int      argc,
                       char   **argv)
{
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(ObdSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  GArray *values;
  GArray *cycle;

  if (!obd_cli_parse_options (cli, "readiness", "", NULL, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("readiness", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  snapshot = connect_and_read (cli, OBD_SNAPSHOT_READINESS, &adapter, &error);
  if (snapshot == NULL)
    return obd_cli_fail (cli, error);
  values = snapshot->readiness;
  cycle = snapshot->readiness_cycle;
  if (values->len == 0)
    {
      g_set_error (&error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("The vehicle did not report its monitor status (PID 01)."));
      return obd_cli_fail (cli, error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "since_clear");
      json_builder_begin_array (builder);
      for (guint i = 0; i < values->len; i++)
        add_value_json (cli, builder, &g_array_index (values, ObdValue, i), 0);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "this_cycle");
      json_builder_begin_array (builder);
      for (guint i = 0; i < cycle->len; i++)
        add_value_json (cli, builder, &g_array_index (cycle, ObdValue, i), 0);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  g_print ("%s\n", _("Since codes were last cleared:"));
  for (guint i = 0; i < values->len; i++)
    print_value (cli, &g_array_index (values, ObdValue, i));
  if (cycle->len > 0)
    {
      g_print ("%s\n", _("This drive cycle:"));
      for (guint i = 0; i < cycle->len; i++)
        print_value (cli, &g_array_index (cycle, ObdValue, i));
    }

  return OBD_CLI_EXIT_OK;
}

/* ---- monitors ----------------------------------------------------------- */

int
obd_cli_cmd_monitors (ObdCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(ObdSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  GArray *results;

  if (!obd_cli_parse_options (cli, "monitors", "", NULL, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("monitors", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  snapshot = connect_and_read (cli, OBD_SNAPSHOT_MONITORS, &adapter, &error);
  if (snapshot == NULL)
    return obd_cli_fail (cli, error);

  if (!obd_protocol_is_can (snapshot->protocol))
    {
      g_set_error (&error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("On-board monitor results (Mode 06) are only read on CAN vehicles; "
                     "this one uses %s."),
                   obd_protocol_get_name (snapshot->protocol));
      return obd_cli_fail (cli, error);
    }
  results = snapshot->monitors;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
      for (guint i = 0; i < results->len; i++)
        {
          const ObdMonitorResult *r = &g_array_index (results, ObdMonitorResult, i);
          g_autofree char *ecu = format_ecu (r->ecu);
          g_autofree char *mid = g_strdup_printf ("%02X", r->mid);
          g_autofree char *tid = g_strdup_printf ("%02X", r->tid);
          const char *quantities[] = { "value", "min", "max" };
          const double numbers[] = { r->value, r->min, r->max };

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "ecu");
          json_builder_add_string_value (builder, ecu);
          json_builder_set_member_name (builder, "mid");
          json_builder_add_string_value (builder, mid);
          json_builder_set_member_name (builder, "monitor");
          json_builder_add_string_value (builder, r->mid_name);
          json_builder_set_member_name (builder, "tid");
          json_builder_add_string_value (builder, tid);
          json_builder_set_member_name (builder, "test");
          json_builder_add_string_value (builder, r->tid_name);
          for (guint q = 0; q < G_N_ELEMENTS (quantities); q++)
            {
              json_builder_set_member_name (builder, quantities[q]);
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "value");
              json_builder_add_double_value (builder, numbers[q]);
              json_builder_set_member_name (builder, "unit");
              json_builder_add_string_value (builder, r->unit_symbol);
              json_builder_end_object (builder);
            }
          json_builder_set_member_name (builder, "passed");
          json_builder_add_boolean_value (builder, r->passed);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  if (results->len == 0)
    g_print ("%s\n", _("The vehicle reports no on-board monitor results."));

  for (guint i = 0; i < results->len; i++)
    {
      const ObdMonitorResult *r = &g_array_index (results, ObdMonitorResult, i);

      g_print ("%-4s %02X/%02X  %-40s %-44s %10.4g %-5s [%g … %g]\n",
               r->passed ? _("ok") : _("FAIL"), r->mid, r->tid, r->mid_name, r->tid_name,
               r->value, r->unit_symbol, r->min, r->max);
    }

  return OBD_CLI_EXIT_OK;
}

/* ---- info --------------------------------------------------------------- */

/* The strings (calibration IDs, CVNs) that one ECU reported. */
static void
add_ecu_strings (JsonBuilder *builder,
                 const char  *member,
                 GPtrArray   *records,
                 guint32      ecu)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint n = 0; records != NULL && n < records->len; n++)
    {
      ObdInfoRecord *record = g_ptr_array_index (records, n);

      if (record->ecu == ecu && record->strings != NULL)
        for (guint s = 0; s < record->strings->len; s++)
          json_builder_add_string_value (builder, g_ptr_array_index (record->strings, s));
    }
  json_builder_end_array (builder);
}

static void
print_ecu_strings (const char *label,
                   GPtrArray  *records,
                   guint32     ecu)
{
  for (guint n = 0; records != NULL && n < records->len; n++)
    {
      ObdInfoRecord *record = g_ptr_array_index (records, n);

      if (record->ecu == ecu && record->strings != NULL)
        for (guint s = 0; s < record->strings->len; s++)
          g_print ("  %s: %s\n", label, (char *) g_ptr_array_index (record->strings, s));
    }
}

int
obd_cli_cmd_info (ObdCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(ObdAdapter) adapter = NULL;
  g_autoptr(ObdSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) quirks = NULL;
  const ObdVinInfo *vin;
  GPtrArray *calids, *cvns, *names;
  const ObdEcu *ecus;
  guint n_ecus = 0;
  double volts;

  if (!obd_cli_parse_options (cli, "info", "", NULL, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("info", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  snapshot = connect_and_read (cli, OBD_SNAPSHOT_INFO, &adapter, &error);
  if (snapshot == NULL)
    return obd_cli_fail (cli, error);

  volts = snapshot->battery_voltage;
  vin = snapshot->vin_info;
  calids = snapshot->calibration_ids;
  cvns = snapshot->cvns;
  names = snapshot->ecu_names;
  ecus = obd_adapter_get_ecus (adapter, &n_ecus);
  quirks = obd_adapter_dup_quirks (adapter);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "adapter");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, obd_adapter_get_version (adapter));
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, obd_adapter_get_device_description (adapter));
      json_builder_set_member_name (builder, "connection");
      json_builder_add_string_value (builder, cli->port);
      json_builder_set_member_name (builder, "quirks");
      json_builder_begin_array (builder);
      for (guint i = 0; quirks[i] != NULL; i++)
        json_builder_add_string_value (builder, quirks[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      json_builder_set_member_name (builder, "protocol");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder,
                                     obd_protocol_get_key (obd_adapter_get_protocol (adapter)));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder,
                                     obd_protocol_get_name (obd_adapter_get_protocol (adapter)));
      json_builder_end_object (builder);

      if (volts == volts)
        obd_cli_add_quantity (cli, builder, "battery_voltage", volts, OBD_UNIT_VOLT);

      json_builder_set_member_name (builder, "vin");
      if (vin != NULL)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "vin");
          json_builder_add_string_value (builder, vin->vin);
          json_builder_set_member_name (builder, "manufacturer");
          json_builder_add_string_value (builder, vin->manufacturer);
          json_builder_set_member_name (builder, "country");
          json_builder_add_string_value (builder, vin->country);
          json_builder_set_member_name (builder, "model_year");
          json_builder_add_int_value (builder, vin->model_year);
          json_builder_set_member_name (builder, "check_digit_ok");
          json_builder_add_boolean_value (builder, vin->check_digit_ok);
          json_builder_set_member_name (builder, "check_digit_applies");
          json_builder_add_boolean_value (builder, vin->check_digit_applies);
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);

      json_builder_set_member_name (builder, "ecus");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_ecus; i++)
        {
          g_autofree char *address = format_ecu (ecus[i].address);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "address");
          json_builder_add_string_value (builder, address);
          for (guint n = 0; names != NULL && n < names->len; n++)
            {
              ObdInfoRecord *record = g_ptr_array_index (names, n);

              if (record->ecu == ecus[i].address && record->text != NULL)
                {
                  json_builder_set_member_name (builder, "name");
                  json_builder_add_string_value (builder, record->text);
                }
            }
          add_ecu_strings (builder, "calibration_ids", calids, ecus[i].address);
          add_ecu_strings (builder, "cvns", cvns, ecus[i].address);
          json_builder_set_member_name (builder, "supported_pids");
          json_builder_begin_array (builder);
          for (guint p = 1; p < 256; p++)
            if (ecus[i].supported[p] && (p & 0x1F) != 0)
              {
                const ObdPidInfo *info = obd_pid_lookup ((guint8) p);
                g_autofree char *hex = g_strdup_printf ("%02X", p);

                json_builder_begin_object (builder);
                json_builder_set_member_name (builder, "pid");
                json_builder_add_string_value (builder, hex);
                json_builder_set_member_name (builder, "key");
                json_builder_add_string_value (builder, info != NULL ? info->key : NULL);
                json_builder_end_object (builder);
              }
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  g_print (_("Adapter:   %s (%s)\n"), obd_adapter_get_version (adapter), cli->port);
  if (obd_adapter_get_device_description (adapter) != NULL)
    g_print (_("Device:    %s\n"), obd_adapter_get_device_description (adapter));
  if (quirks[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", quirks);

      g_print (_("Quirks:    %s\n"), joined);
    }
  g_print (_("Protocol:  %s\n"), obd_protocol_get_name (obd_adapter_get_protocol (adapter)));
  if (volts == volts)
    g_print (_("Battery:   %.1f V\n"), volts);
  if (vin != NULL)
    {
      g_print (_("VIN:       %s\n"), vin->vin);
      g_print (_("           %s, %s, model year %d, check digit %s\n"),
               vin->manufacturer != NULL ? vin->manufacturer : _("unknown manufacturer"),
               vin->country != NULL ? vin->country : _("unknown country"), vin->model_year,
               !vin->check_digit_applies ? _("not used")
               : vin->check_digit_ok ? _("correct") : _("WRONG"));
    }
  else
    g_print ("%s\n", _("VIN:       not reported"));

  for (guint i = 0; i < n_ecus; i++)
    {
      g_autofree char *address = format_ecu (ecus[i].address);
      g_autoptr(GString) pids = g_string_new (NULL);

      g_print (_("ECU %s"), address);
      for (guint n = 0; names != NULL && n < names->len; n++)
        {
          ObdInfoRecord *record = g_ptr_array_index (names, n);

          if (record->ecu == ecus[i].address && record->text != NULL)
            g_print (" — %s", record->text);
        }
      g_print ("\n");
      print_ecu_strings (_("Calibration ID"), calids, ecus[i].address);
      print_ecu_strings (_("CVN"), cvns, ecus[i].address);
      for (guint p = 1; p < 256; p++)
        if (ecus[i].supported[p] && (p & 0x1F) != 0)
          {
            const ObdPidInfo *info = obd_pid_lookup ((guint8) p);

            g_string_append_printf (pids, "%s%02X %s", pids->len ? ", " : "", p,
                                    info != NULL ? info->key : "?");
          }
      g_print (_("  Supported PIDs: %s\n"), pids->str);
    }

  return OBD_CLI_EXIT_OK;
}
