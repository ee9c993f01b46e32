/* obd-cli-private.h — shared state of the obd2 command-line tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "obd-adapter.h"
#include "obd-units.h"

G_BEGIN_DECLS

/* Exit status (DESIGN.md §5). */
enum
{
  OBD_CLI_EXIT_OK = 0,
  OBD_CLI_EXIT_FAILURE = 1,  /* adapter, vehicle, server */
  OBD_CLI_EXIT_USAGE = 2,
};

typedef struct
{
  char          *port;
  char          *db;
  gboolean       json;
  ObdUnitSystem  units;
  GCancellable  *cancellable;
} ObdCli;

typedef struct
{
  const char *name;
  const char *args;        /* synopsis after the name */
  const char *summary;     /* N_() */
  int       (*run) (ObdCli *cli, int argc, char **argv);
} ObdCliCommand;

/* Parses the command's own options; globals are accepted there too.
 * Returns FALSE (and prints the reason) on bad usage. */
gboolean     obd_cli_parse_options   (ObdCli        *cli,
                                      const char    *command,
                                      const char    *parameter_string,
                                      GOptionEntry  *entries,
                                      int           *argc,
                                      char        ***argv);
/* Prints an error for people on stderr and returns the exit status that
 * matches it (1 operational, 2 usage). */
int          obd_cli_fail            (ObdCli        *cli,
                                      const GError  *error);
int          obd_cli_usage_error     (const char    *format,
                                      ...) G_GNUC_PRINTF (1, 2);
/* Opens --port and brings the adapter up. */
ObdAdapter  *obd_cli_connect         (ObdCli        *cli,
                                      ObdStrategy    strategy,
                                      GError       **error);
void         obd_cli_print_json      (JsonNode      *node,
                                      gboolean       pretty);
/* {"value": v, "unit": "°C"} in the chosen unit system. */
void         obd_cli_add_quantity    (ObdCli        *cli,
                                      JsonBuilder   *builder,
                                      const char    *member,
                                      double         value,
                                      ObdUnit        unit);
/* Runs the main loop until quit or Ctrl+C (which cancels cli->cancellable). */
void         obd_cli_run_loop        (ObdCli        *cli,
                                      GMainLoop     *loop);

int obd_cli_cmd_decode    (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_codes     (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_info      (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_dtc       (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_clear     (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_freeze    (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_readiness (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_monitors  (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_live      (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_bench     (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_sim       (ObdCli *cli, int argc, char **argv);

G_END_DECLS
