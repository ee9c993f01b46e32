/* obd-cli-sim.c — `obd2 sim`: the simulated vehicle for other programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-sim-pty.h"
#include "obd-sim-vehicle.h"

int
obd_cli_cmd_sim (ObdCli  *cli,
                 int      argc,
                 char   **argv)
{
  gboolean pty = FALSE;
  gboolean list = FALSE;
  g_autofree char *scenario = NULL;
  g_autofree char *options = NULL;
  GOptionEntry entries[] = {
    { "pty", 0, 0, G_OPTION_ARG_NONE, &pty,
      N_("Serve the simulator on a pseudo-terminal and print its path"), NULL },
    { "scenario", 's', 0, G_OPTION_ARG_STRING, &scenario,
      N_("Vehicle scenario (default healthy-idle)"), "NAME" },
    { "options", 'o', 0, G_OPTION_ARG_STRING, &options,
      N_("Simulator options, e.g. profile=clone-v15&protocol=3"), "OPTIONS" },
    { "list-scenarios", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the scenarios"), NULL },
    { NULL }
  };
  g_autoptr(ObdSimPty) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;

  if (!obd_cli_parse_options (cli, "sim", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (obd_cli_no_arguments ("sim", argc, argv) != OBD_CLI_EXIT_OK)
    return OBD_CLI_EXIT_USAGE;

  if (list)
    {
      gsize n = 0;
      const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n);

      if (cli->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "scenarios");
          json_builder_begin_array (builder);
          for (gsize i = 0; i < n; i++)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, scenarios[i].name);
              json_builder_set_member_name (builder, "description");
              json_builder_add_string_value (builder, _(scenarios[i].description));
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          obd_cli_print_json (root, TRUE);
        }
      else
        for (gsize i = 0; i < n; i++)
          g_print ("%-18s %s\n", scenarios[i].name, _(scenarios[i].description));

      return OBD_CLI_EXIT_OK;
    }

  if (!pty)
    return obd_cli_usage_error (_("Say how to serve the simulator: “obd2 sim --pty”, or "
                                  "“obd2 sim --list-scenarios”."));

  spec = g_strdup_printf ("%s%s%s", scenario != NULL ? scenario : "healthy-idle",
                          options != NULL ? "?" : "", options != NULL ? options : "");

  server = obd_sim_pty_new (spec, &error);
  if (server == NULL || !obd_sim_pty_start (server, &error))
    return obd_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pty");
      json_builder_add_string_value (builder, obd_sim_pty_get_path (server));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, FALSE);
    }
  else
    g_print ("%s\n", obd_sim_pty_get_path (server));
  fflush (stdout);

  if (!cli->json && isatty (fileno (stderr)))
    g_printerr (_("Serving the simulated vehicle on %s; connect any ELM327 program to it. "
                  "Ctrl+C stops.\n"), obd_sim_pty_get_path (server));

  loop = g_main_loop_new (NULL, FALSE);
  obd_cli_run_loop (cli, loop);
  obd_sim_pty_stop (server);

  return OBD_CLI_EXIT_OK;
}
