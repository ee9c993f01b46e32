/* obd-cli-report.c — obd2 report, and checking a report's verification code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workshop's details come from the application's preferences
 * (GSettings keys shop-name, shop-address, shop-phone, shop-logo,
 * mechanic-name, report-paper) when its schema is installed, and each can
 * be given on the command line instead, which wins.
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "obd-cli-private.h"
#include "obd-report-code.h"
#include "obd-report-document.h"

/* The preferences' string key, or NULL when the schema or the key is not
 * installed (an older schema must not abort the program). */
static char *
settings_string (GSettings       *settings,
                 GSettingsSchema *schema,
                 const char      *key)
{
  g_autofree char *value = NULL;

  if (settings == NULL || !g_settings_schema_has_key (schema, key))
    return NULL;
  value = g_settings_get_string (settings, key);
  if (value[0] == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

static GSettings *
open_settings (GSettingsSchema **out_schema)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GSettingsSchema *schema = source != NULL
                            ? g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE) : NULL;

  *out_schema = schema;
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

/* Takes an option value when it was given, else the preference. */
static void
take_setting (char            **option,
              GSettings        *settings,
              GSettingsSchema  *schema,
              const char       *key)
{
  if (*option == NULL)
    *option = settings_string (settings, schema, key);
}

int
obd_cli_cmd_report (ObdCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *paper_name = NULL;
  g_autofree char *shop_name = NULL;
  g_autofree char *shop_address = NULL;
  g_autofree char *shop_phone = NULL;
  g_autofree char *logo = NULL;
  g_autofree char *mechanic = NULL;
  g_autofree char *customer = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the PDF to FILE"), "FILE" },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper_name,
      N_("Paper size: a4 or letter (default: the preferences, else the locale’s)"),
      "a4|letter" },
    { "shop-name", 0, 0, G_OPTION_ARG_STRING, &shop_name, N_("Workshop name"), "NAME" },
    { "shop-address", 0, 0, G_OPTION_ARG_STRING, &shop_address,
      N_("Workshop address (\\n for a new line)"), "TEXT" },
    { "shop-phone", 0, 0, G_OPTION_ARG_STRING, &shop_phone, N_("Workshop phone number"),
      "PHONE" },
    { "logo", 0, 0, G_OPTION_ARG_FILENAME, &logo, N_("Workshop logo, a PNG file"), "FILE" },
    { "mechanic", 0, 0, G_OPTION_ARG_STRING, &mechanic, N_("Mechanic’s name"), "NAME" },
    { "customer", 0, 0, G_OPTION_ARG_STRING, &customer,
      N_("Customer’s name (default: the vehicle’s owner)"), "NAME" },
    { NULL }
  };
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(ObdReport) report = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) logo_error = NULL;
  ObdReportOptions options = { 0 };
  ObdReportPaper paper;
  gint64 session_id;

  if (!obd_cli_parse_options (cli, "report", "SESSION", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;

  if (argc != 2)
    return obd_cli_usage_error (_("Name one session (its id or UUID), e.g. “obd2 report 3 -o "
                                  "report.pdf”; “obd2 sessions” lists them."));
  if (output == NULL || output[0] == '\0')
    return obd_cli_usage_error (_("Say where to write the report with -o FILE.pdf."));

  settings = open_settings (&schema);
  take_setting (&paper_name, settings, schema, "report-paper");
  if (paper_name == NULL || g_str_equal (paper_name, "auto"))
    paper = obd_report_paper_for_locale ();
  else if (!obd_report_paper_parse (paper_name, &paper))
    return obd_cli_usage_error (_("Unknown paper size “%s”. Use a4 or letter."), paper_name);

  take_setting (&shop_name, settings, schema, "shop-name");
  take_setting (&shop_address, settings, schema, "shop-address");
  take_setting (&shop_phone, settings, schema, "shop-phone");
  take_setting (&logo, settings, schema, "shop-logo");
  take_setting (&mechanic, settings, schema, "mechanic-name");

  /* A shell makes typing a line break awkward: "\n" in the address is one. */
  if (shop_address != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (shop_address, "\\n", -1);

      g_free (shop_address);
      shop_address = g_strjoinv ("\n", lines);
    }

  store = obd_cli_open_store (cli, FALSE, &error);
  if (store == NULL)
    return obd_cli_fail (cli, error);
  session_id = obd_cli_find_session (store, argv[1], &error);
  if (session_id == 0)
    return obd_cli_fail (cli, error);

  options.shop_name = shop_name;
  options.shop_address = shop_address;
  options.shop_phone = shop_phone;
  options.logo_path = logo;
  options.mechanic = mechanic;
  options.customer = customer;
  options.units = cli->units;
  report = obd_report_new_from_store (store, session_id, &options, &error);
  if (report == NULL)
    return obd_cli_fail (cli, error);

  if (report->integrity == OBD_REPORT_INTEGRITY_CHANGED)
    {
      g_set_error (&error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_CHANGED,
                   _("Session %" PRId64 " was changed after it was recorded: its "
                     "data no longer matches its hash, so a report from it cannot be "
                     "trusted and none was written. Run “obd2 sessions --verify” to see "
                     "the state of the history."), session_id);
      return obd_cli_fail (cli, error);
    }

  file = g_file_new_for_commandline_arg (output);
  if (!obd_report_export_pdf (report, paper, file, cli->cancellable, &logo_error, &error))
    {
      g_prefix_error (&error, _("The report could not be written to “%s”: "), output);
      return obd_cli_fail (cli, error);
    }

  if (logo_error != NULL)
    g_printerr ("obd2: %s %s\n", logo_error->message, _("The report was written without it."));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *path = g_file_get_path (file);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, path != NULL ? path : output);
      json_builder_set_member_name (builder, "session");
      json_builder_add_int_value (builder, session_id);
      json_builder_set_member_name (builder, "paper");
      json_builder_add_string_value (builder, obd_report_paper_get_key (paper));
      json_builder_set_member_name (builder, "verification_code");
      json_builder_add_string_value (builder, report->verification_code);
      json_builder_set_member_name (builder, "logo_error");
      json_builder_add_string_value (builder, logo_error != NULL ? logo_error->message : NULL);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
    }
  else if (report->verification_code != NULL)
    g_print (_("Wrote the report of session %" PRId64 " to %s (verification code "
               "%s).\n"), session_id, output, report->verification_code);
  else
    g_print (_("Wrote the report of session %" PRId64 " to %s. The session is still "
               "recording, so the report has no verification code.\n"), session_id, output);

  return OBD_CLI_EXIT_OK;
}

static const char *
code_result_key (ObdReportCodeResult result)
{
  switch (result)
    {
    case OBD_REPORT_CODE_INTACT:
      return "intact";
    case OBD_REPORT_CODE_CHANGED:
      return "changed";
    case OBD_REPORT_CODE_HISTORY_BROKEN:
      return "history-broken";
    case OBD_REPORT_CODE_UNKNOWN:
    default:
      return "unknown";
    }
}

int
obd_cli_verify_code (ObdCli     *cli,
                     ObdStore   *store,
                     const char *text)
{
  char digits[OBD_REPORT_CODE_DIGITS + 1];
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreSession) session = NULL;
  ObdReportCodeCheck check;

  if (!obd_report_code_parse (text, digits, &error))
    return obd_cli_usage_error ("%s", error->message);
  code = obd_report_code_from_hash (digits);

  if (!obd_report_code_verify (store, digits, &check, &error))
    return obd_cli_fail (cli, error);
  if (check.session_id != 0)
    session = obd_store_get_session (store, check.session_id, NULL);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "result");
      json_builder_add_string_value (builder, code_result_key (check.result));
      json_builder_set_member_name (builder, "intact");
      json_builder_add_boolean_value (builder, check.result == OBD_REPORT_CODE_INTACT);
      json_builder_set_member_name (builder, "session");
      if (check.session_id != 0)
        json_builder_add_int_value (builder, check.session_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "first_bad");
      if (check.first_bad != 0)
        json_builder_add_int_value (builder, check.first_bad);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
    }

  switch (check.result)
    {
    case OBD_REPORT_CODE_INTACT:
      if (!cli->json)
        {
          g_autofree char *when = session != NULL ? obd_cli_format_time (session->started_us)
                                                  : g_strdup ("?");

          g_print (_("Code %s belongs to session %" PRId64 " (%s), recorded %s. It is "
                     "intact: the session and every session before it are exactly as "
                     "recorded, so the report printed with this code shows what was "
                     "measured.\n"), code, check.session_id,
                   session != NULL ? session->uuid : "?", when);
        }
      return OBD_CLI_EXIT_OK;

    case OBD_REPORT_CODE_UNKNOWN:
      g_printerr ("obd2: ");
      g_printerr (_("No session in this store carries the code %s. Check that it was typed "
                    "as printed and that this is the store the report came from (--db). If "
                    "both are right, the session was changed after the report was printed."),
                  code);
      g_printerr ("\n");
      return OBD_CLI_EXIT_FAILURE;

    case OBD_REPORT_CODE_CHANGED:
      g_printerr ("obd2: ");
      g_printerr (_("Session %" PRId64 " carries the code %s, but its data no longer "
                    "matches: it was changed after it was recorded. The report cannot be "
                    "trusted."), check.session_id, code);
      g_printerr ("\n");
      return OBD_CLI_EXIT_FAILURE;

    case OBD_REPORT_CODE_HISTORY_BROKEN:
    default:
      g_printerr ("obd2: ");
      g_printerr (_("Session %" PRId64 " matches the code %s, but session %"
                    PRId64 ", recorded before it, was changed or removed: the "
                    "history the report belongs to is not intact."),
                  check.session_id, code, check.first_bad);
      g_printerr ("\n");
      return OBD_CLI_EXIT_FAILURE;
    }
}
