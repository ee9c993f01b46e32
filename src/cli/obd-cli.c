/* obd-cli.c — the obd2 command-line tool: global options and dispatch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md §5 is the contract.  Every command goes through the same
 * protocol, simulator and store code as the application.
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "obd-cli-private.h"
#include "obd-error.h"
#include "obd-i18n.h"
#include "obd-sim-transport.h"

static const ObdCliCommand commands[] = {
  { "decode", "HEX...", N_("Decode one response, e.g. “obd2 decode 41 0C 1A F8”"),
    obd_cli_cmd_decode },
  { "codes", "CODE... | --stats", N_("Describe trouble codes from the built-in knowledge base"),
    obd_cli_cmd_codes },
  { "info", "", N_("Adapter, protocol, VIN (decoded), ECUs, supported PIDs"),
    obd_cli_cmd_info },
  { "dtc", "[--pending|--permanent|--all]", N_("Trouble codes with descriptions, per ECU"),
    obd_cli_cmd_dtc },
  { "clear", "--yes", N_("Clear trouble codes (Mode 04)"), obd_cli_cmd_clear },
  { "freeze", "", N_("Freeze-frame data"), obd_cli_cmd_freeze },
  { "readiness", "", N_("Monitor readiness"), obd_cli_cmd_readiness },
  { "monitors", "", N_("On-board monitor test results (Mode 06)"), obd_cli_cmd_monitors },
  { "live", "PID... [--duration S] [--csv]", N_("Stream values"), obd_cli_cmd_live },
  { "bench", "[--duration S] [--strategy naive|fast|both]",
    N_("Queries and PIDs per second"), obd_cli_cmd_bench },
  { "sim", "[--pty] [--scenario NAME] [--list-scenarios]", N_("Run the simulator"),
    obd_cli_cmd_sim },
  { "record", "[--duration S] [--pids PID,...]", N_("Record a session into the local store"),
    obd_cli_cmd_record },
  { "sessions", "[--vehicle ID] [--verify [CODE]]",
    N_("Recorded sessions; --verify checks their hash chain, or a report’s code"),
    obd_cli_cmd_sessions },
  { "export", "SESSION --csv|--json [-o FILE]", N_("Write a recorded session as CSV or JSON"),
    obd_cli_cmd_export },
  { "health", "[--vehicle ID] [--watch S]", N_("Health score of the vehicle and of each system"),
    obd_cli_cmd_health },
  { "maintenance", "[--vehicle ID] [--add|--done ...]",
    N_("Service items: due, overdue, and when next"), obd_cli_cmd_maintenance },
  { "guide", "list | show ID | run ID | runs | resume RUN",
    N_("Guided troubleshooting: the guides, walking one, saved runs"), obd_cli_cmd_guide },
  { "report", "SESSION -o FILE.pdf [--paper a4|letter]",
    N_("The customer report of a session, as PDF"), obd_cli_cmd_report },
  { "sync", "[--server URL] [--watch] [--status]",
    N_("Push and pull with the shop's server (token: OBD2_TOKEN, the keyring or a 0600 file)"),
    obd_cli_cmd_sync },
};

static char *opt_port;
static char *opt_db;
static gboolean opt_json;
static char *opt_units;
static gboolean opt_version;

static GOptionEntry global_entries[] = {
  { "port", 'p', 0, G_OPTION_ARG_STRING, &opt_port,
    N_("Connection: sim[:SCENARIO], a serial port, /dev/pts/N or tcp:HOST:PORT"), "CONN" },
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, N_("Local store file"), "FILE" },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
  { "units", 0, 0, G_OPTION_ARG_STRING, &opt_units, N_("Units: si or us"), "si|us" },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version"), NULL },
  { NULL }
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: obd2 [--port CONN] [--db FILE] [--json] [--units si|us] "
                            "COMMAND ..."));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *synopsis = g_strdup_printf ("%s %s", commands[i].name, commands[i].args);

      fprintf (out, "  %-48s %s\n", synopsis, _(commands[i].summary));
    }
  fprintf (out, "\n%s\n", _("The connection defaults to $OBD2_PORT, or “sim”, the built-in "
                            "simulated vehicle. Run “obd2 COMMAND --help” for a command’s "
                            "options."));
}

int
obd_cli_usage_error (const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("obd2: %s\n", message);
  return OBD_CLI_EXIT_USAGE;
}

int
obd_cli_no_arguments (const char  *command,
                      int          argc,
                      char       **argv)
{
  if (argc <= 1)
    return OBD_CLI_EXIT_OK;
  return obd_cli_usage_error (_("“%s” takes no arguments, so “%s” is not understood. Run “obd2 "
                                "%s --help” for its options."), command, argv[1], command);
}

int
obd_cli_fail (ObdCli       *cli,
              const GError *error)
{
  if (error->domain == G_OPTION_ERROR ||
      g_error_matches (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_INVALID_ADDRESS))
    {
      g_printerr ("obd2: %s\n", error->message);
      return OBD_CLI_EXIT_USAGE;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("obd2: %s\n", _("Interrupted."));
      return OBD_CLI_EXIT_FAILURE;
    }

  g_printerr ("obd2: %s\n", error->message);
  return OBD_CLI_EXIT_FAILURE;
}

gboolean
obd_cli_parse_options (ObdCli        *cli,
                       const char    *command,
                       const char    *parameter_string,
                       GOptionEntry  *entries,
                       int           *argc,
                       char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = g_strdup_printf ("%s %s", command, parameter_string);
  GOptionGroup *globals;

  context = g_option_context_new (title);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* Global options may follow the command too: "obd2 dtc --json". */
  globals = g_option_group_new ("global", _("Global options:"), _("Show global options"),
                                NULL, NULL);
  g_option_group_add_entries (globals, global_entries);
  g_option_group_set_translation_domain (globals, GETTEXT_PACKAGE);
  g_option_context_add_group (context, globals);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      obd_cli_usage_error ("%s", error->message);
      return FALSE;
    }

  g_free (cli->port);
  cli->port = g_strdup (opt_port != NULL ? opt_port
                        : g_getenv ("OBD2_PORT") != NULL ? g_getenv ("OBD2_PORT") : "sim");
  g_free (cli->db);
  cli->db = g_strdup (opt_db);
  cli->json = opt_json;
  if (opt_units != NULL && !obd_unit_system_parse (opt_units, &cli->units))
    {
      obd_cli_usage_error (_("Unknown unit system “%s”. Use si or us."), opt_units);
      return FALSE;
    }

  return TRUE;
}

ObdAdapter *
obd_cli_connect (ObdCli       *cli,
                 ObdStrategy   strategy,
                 GError      **error)
{
  g_autoptr(ObdTransport) transport = NULL;
  g_autoptr(ObdAdapter) adapter = NULL;

  transport = obd_transport_new_for_string (cli->port, error);
  if (transport == NULL)
    return NULL;

  adapter = obd_adapter_new (transport);
  obd_adapter_set_strategy (adapter, strategy);
  if (!obd_adapter_connect (adapter, OBD_PROTOCOL_AUTO, cli->cancellable, error))
    return NULL;

  return g_steal_pointer (&adapter);
}

void
obd_cli_print_json (JsonNode *node,
                    gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
obd_cli_add_quantity (ObdCli      *cli,
                      JsonBuilder *builder,
                      const char  *member,
                      double       value,
                      ObdUnit      unit)
{
  if (member != NULL)
    json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_double_value (builder, obd_unit_convert (unit, cli->units, value));
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, obd_unit_get_symbol (unit, cli->units));
  json_builder_end_object (builder);
}

char *
obd_cli_format_time (gint64 time_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S%:z") : g_strdup ("?");
}

static gboolean
on_signal_cb (gpointer data)
{
  ObdCli *cli = data;

  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
on_cancelled_cb (GCancellable *cancellable,
                 GMainLoop    *loop)
{
  g_main_loop_quit (loop);
}

void
obd_cli_run_loop (ObdCli    *cli,
                  GMainLoop *loop)
{
  guint sigint = g_unix_signal_add (SIGINT, on_signal_cb, cli);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal_cb, cli);
  gulong handler = g_cancellable_connect (cli->cancellable, G_CALLBACK (on_cancelled_cb),
                                          loop, NULL);

  if (!g_cancellable_is_cancelled (cli->cancellable))
    g_main_loop_run (loop);

  g_cancellable_disconnect (cli->cancellable, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
}

typedef struct
{
  GMainLoop *loop;
  gboolean   connected;
  gboolean   stopped;
  GError    *error;
} WorkerStart;

static void
on_start_state_changed_cb (ObdWorker   *worker,
                           WorkerStart *start)
{
  if (obd_worker_get_state (worker) == OBD_WORKER_STATE_CONNECTED)
    {
      start->connected = TRUE;
      g_main_loop_quit (start->loop);
    }
}

static void
on_start_stopped_cb (ObdWorker    *worker,
                     const GError *error,
                     WorkerStart  *start)
{
  start->stopped = TRUE;
  if (error != NULL && start->error == NULL)
    start->error = g_error_copy (error);
  g_main_loop_quit (start->loop);
}

ObdWorker *
obd_cli_start_worker (ObdCli       *cli,
                      ObdStrategy   strategy,
                      GMainLoop    *loop,
                      GError      **error)
{
  g_autoptr(ObdWorker) worker = obd_worker_new (cli->port, strategy, OBD_PROTOCOL_AUTO);
  WorkerStart start = { .loop = loop };

  g_signal_connect (worker, "state-changed", G_CALLBACK (on_start_state_changed_cb), &start);
  g_signal_connect (worker, "stopped", G_CALLBACK (on_start_stopped_cb), &start);
  obd_worker_start (worker);

  obd_cli_run_loop (cli, loop);

  if (!start.connected || start.stopped)
    /* Joins the thread; a failure to connect arrives with ::stopped. */
    obd_worker_stop (worker);
  g_signal_handlers_disconnect_by_data (worker, &start);

  if (start.connected && !start.stopped)
    return g_steal_pointer (&worker);

  if (start.error != NULL)
    g_propagate_error (error, start.error);
  else if (!g_cancellable_set_error_if_cancelled (cli->cancellable, error))
    g_set_error (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                 _("The connection to “%s” ended before it was ready."), cli->port);
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  ObdCli cli = { 0 };
  const ObdCliCommand *command = NULL;
  const char *name = NULL;
  int status;

  obd_i18n_init ();

  obd_sim_register ();

  /* The command is the first argument that is neither an option nor the
   * value of a global option that takes one. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--port") || g_str_equal (argv[i], "-p") ||
          g_str_equal (argv[i], "--db") || g_str_equal (argv[i], "--units"))
        {
          i++;
          continue;
        }
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_help (stdout);
          return OBD_CLI_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--version"))
        {
          g_print ("obd2 %s\n", PACKAGE_VERSION);
          return OBD_CLI_EXIT_OK;
        }
      if (argv[i][0] != '-')
        {
          name = argv[i];
          /* Move the command name out of the way of option parsing. */
          memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
          argc--;
          break;
        }
    }

  if (name == NULL)
    {
      print_help (stderr);
      return OBD_CLI_EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      command = &commands[i];

  if (command == NULL)
    return obd_cli_usage_error (_("Unknown command “%s”. Run “obd2 --help” for the list."),
                                name);

  cli.cancellable = g_cancellable_new ();
  status = command->run (&cli, argc, argv);

  g_clear_object (&cli.cancellable);
  g_free (cli.port);
  g_free (cli.db);
  return status;
}
