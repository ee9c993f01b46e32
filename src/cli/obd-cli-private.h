/* obd-cli-private.h — shared state of the obd2 command-line tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "obd-adapter.h"
#include "obd-cli-parse.h"
#include "obd-snapshot.h"
#include "obd-store.h"
#include "obd-units.h"
#include "obd-worker.h"

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
/* OBD_CLI_EXIT_OK when argv holds no argument after the command's
 * options, else prints why and returns OBD_CLI_EXIT_USAGE. */
int          obd_cli_no_arguments    (const char    *command,
                                      int            argc,
                                      char         **argv);
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
/* Starts an adapter worker on --port and runs loop until it is connected.
 * Returns the running worker, or NULL with why it gave up (cancelled on
 * Ctrl+C). */
ObdWorker   *obd_cli_start_worker    (ObdCli        *cli,
                                      ObdStrategy    strategy,
                                      GMainLoop     *loop,
                                      GError       **error);
/* Opens --db (or the default store): for writing (created if missing), or
 * read-only for commands that only read (nothing is written, a missing
 * file is an error). */
ObdStore    *obd_cli_open_store      (ObdCli        *cli,
                                      gboolean       write,
                                      GError       **error);
/* Whether name can name a vehicle (id, VIN or UUID), before any store is
 * opened: G_OPTION_ERROR (bad usage) when it cannot. */
gboolean     obd_cli_check_vehicle_name (const char *name,
                                         GError    **error);
/* A vehicle of the store named by its id, VIN or UUID; 0 with error set
 * when there is none (G_OPTION_ERROR when name cannot be one). */
gint64       obd_cli_find_vehicle    (ObdStore      *store,
                                      const char    *name,
                                      GError       **error);
/* Connects through a worker, reads a full snapshot, then polls the
 * dashboard PIDs for duration seconds (or until Ctrl+C) through the
 * default alert thresholds, printing raised alerts on stderr.
 * out_alerts receives the alerts still active (of ObdAlertEvent). */
ObdSnapshot *obd_cli_watch_vehicle   (ObdCli        *cli,
                                      double         duration,
                                      GPtrArray    **out_alerts,
                                      GError       **error);
/* ISO 8601 with the offset of the local time zone, to the second. */
char        *obd_cli_format_time     (gint64         time_us);

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
int obd_cli_cmd_record    (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_sessions  (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_export    (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_health    (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_maintenance (ObdCli *cli, int argc, char **argv);
int obd_cli_cmd_guide     (ObdCli *cli, int argc, char **argv);

G_END_DECLS
