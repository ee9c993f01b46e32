/* obd-cli-codes.c — `obd2 codes`: the trouble-code knowledge base
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-dtc-kb.h"

static void
add_info_json (JsonBuilder      *builder,
               const ObdDtcInfo *info)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, info->code);
  json_builder_set_member_name (builder, "known");
  json_builder_add_boolean_value (builder, info->known);
  json_builder_set_member_name (builder, "manufacturer_specific");
  json_builder_add_boolean_value (builder, info->manufacturer_specific);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, info->title);
  json_builder_set_member_name (builder, "system");
  json_builder_add_string_value (builder, obd_dtc_system_get_key (info->system));
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, obd_dtc_severity_to_string (info->severity));
  json_builder_set_member_name (builder, "explanation");
  json_builder_add_string_value (builder, info->explanation);
  json_builder_set_member_name (builder, "causes");
  json_builder_begin_array (builder);
  for (guint i = 0; info->causes != NULL && info->causes[i] != NULL; i++)
    json_builder_add_string_value (builder, info->causes[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_info (const ObdDtcInfo *info)
{
  g_print ("%s  %s\n", info->code, info->title);
  g_print ("       %s · %s\n", obd_dtc_system_get_label (info->system),
           obd_dtc_severity_get_label (info->severity));
  if (info->explanation != NULL)
    g_print ("       %s\n", info->explanation);
  if (info->causes != NULL && info->causes[0] != NULL)
    {
      g_print ("       %s\n", _("Likely causes:"));
      for (guint i = 0; info->causes[i] != NULL; i++)
        g_print ("         – %s\n", info->causes[i]);
    }
}

static int
print_stats (ObdCli *cli)
{
  g_autoptr(GError) error = NULL;
  ObdDtcKbStats stats;
  static const char letters[] = "PCBU";

  if (!obd_dtc_kb_get_stats (&stats, &error))
    return obd_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, stats.total);
      json_builder_set_member_name (builder, "with_explanation");
      json_builder_add_int_value (builder, stats.with_explanation);
      json_builder_set_member_name (builder, "per_prefix");
      json_builder_begin_object (builder);
      for (guint i = 0; i < OBD_DTC_KB_PREFIX_COUNT; i++)
        {
          json_builder_set_member_name (builder, obd_dtc_kb_prefix_get_key (i));
          json_builder_add_int_value (builder, stats.per_prefix[i]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "per_system");
      json_builder_begin_object (builder);
      for (guint i = 0; i < OBD_DTC_SYSTEM_COUNT; i++)
        {
          json_builder_set_member_name (builder, obd_dtc_system_get_key (i));
          json_builder_add_int_value (builder, stats.per_system[i]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "per_severity");
      json_builder_begin_object (builder);
      for (guint i = 0; i < OBD_DTC_SEVERITY_COUNT; i++)
        {
          json_builder_set_member_name (builder, obd_dtc_severity_to_string (i));
          json_builder_add_int_value (builder, stats.per_severity[i]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "load_time_ms");
      json_builder_add_double_value (builder, stats.load_time_us / 1000.0);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  g_print (_("%u generic codes, %u with explanations and likely causes\n"), stats.total,
           stats.with_explanation);
  for (guint i = 0; i < 4; i++)
    g_print ("  %c: %u\n", letters[i], stats.per_letter[i]);
  g_print ("%s\n", _("By prefix:"));
  for (guint i = 0; i < OBD_DTC_KB_PREFIX_COUNT; i++)
    g_print ("  %-4s %u\n", obd_dtc_kb_prefix_get_key (i), stats.per_prefix[i]);
  g_print ("%s\n", _("By system:"));
  for (guint i = 0; i < OBD_DTC_SYSTEM_COUNT; i++)
    g_print ("  %-24s %u\n", obd_dtc_system_get_label (i), stats.per_system[i]);
  g_print ("%s\n", _("By severity:"));
  for (guint i = 0; i < OBD_DTC_SEVERITY_COUNT; i++)
    g_print ("  %-24s %u\n", obd_dtc_severity_get_label (i), stats.per_severity[i]);
  g_print (_("Loaded in %.1f ms\n"), stats.load_time_us / 1000.0);

  return OBD_CLI_EXIT_OK;
}

int
obd_cli_cmd_codes (ObdCli  *cli,
                   int      argc,
                   char   **argv)
{
  gboolean stats = FALSE;
  GOptionEntry entries[] = {
    { "stats", 0, 0, G_OPTION_ARG_NONE, &stats, N_("Counts of the knowledge base"), NULL },
    { NULL }
  };
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_free);

  if (!obd_cli_parse_options (cli, "codes", "CODE... | --stats", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;

  if (stats && argc > 1)
    return obd_cli_usage_error (_("Give either --stats or codes to describe, not both."));
  if (stats)
    return print_stats (cli);

  if (argc < 2)
    return obd_cli_usage_error (_("Name the codes to describe, e.g. “obd2 codes P0301 P0420”, "
                                  "or use --stats."));

  /* Validate every code before printing any, so bad usage prints nothing
   * on stdout. */
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      ObdDtcInfo *info = g_new0 (ObdDtcInfo, 1);

      g_ptr_array_add (infos, info);
      if (!obd_dtc_kb_lookup (argv[i], info, &error))
        {
          if (g_error_matches (error, OBD_DTC_KB_ERROR, OBD_DTC_KB_ERROR_INVALID_CODE))
            return obd_cli_usage_error ("%s", error->message);
          return obd_cli_fail (cli, error);
        }
    }

  if (cli->json)
    {
      g_autoptr(JsonNode) root = NULL;

      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "codes");
      json_builder_begin_array (builder);
      for (guint i = 0; i < infos->len; i++)
        add_info_json (builder, g_ptr_array_index (infos, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  for (guint i = 0; i < infos->len; i++)
    print_info (g_ptr_array_index (infos, i));

  return OBD_CLI_EXIT_OK;
}
