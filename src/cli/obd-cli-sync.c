/* obd-cli-sync.c — obd2 sync: push and pull once, stay connected, or show
 * where the store stands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   obd2 sync [--server URL] [--watch] [--status] [--set-token] [--ca-file F]
 *
 * The server is --server, else $OBD2_SERVER, else the one this store last
 * synced with.  The token is $OBD2_TOKEN, the keyring or the 0600 token
 * file; --set-token reads one from standard input (never from the command
 * line, where other users could see it) and saves it.
 */
#define G_LOG_DOMAIN "obd-cli"
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-store-sync.h"
#include "obd-sync-client.h"
#include "obd-sync-token.h"

typedef struct
{
  ObdCli    *cli;
  GMainLoop *loop;
  GError    *error;
  gboolean   done;
} SyncRun;

static void
print_stats (ObdCli        *cli,
             ObdSyncClient *client,
             gboolean       ok)
{
  ObdSyncStats stats;

  obd_sync_client_get_stats (client, &stats);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, ok);
      json_builder_set_member_name (b, "pushed");
      json_builder_add_int_value (b, stats.changes_pushed);
      json_builder_set_member_name (b, "samples_pushed");
      json_builder_add_int_value (b, stats.samples_pushed);
      json_builder_set_member_name (b, "pulled");
      json_builder_add_int_value (b, stats.changes_pulled);
      json_builder_set_member_name (b, "conflicts");
      json_builder_add_int_value (b, stats.conflicts);
      json_builder_set_member_name (b, "pending");
      json_builder_add_int_value (b, obd_sync_client_get_pending_count (client));
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, obd_sync_state_to_string (
                                          obd_sync_client_get_state (client)));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      obd_cli_print_json (root, FALSE);
      return;
    }
  if (!ok)
    return;
  g_print (_("Synced: %" PRIu64 " changes and %" PRIu64 " samples sent, %"
             PRIu64 " changes received, %" PRIu64 " conflicts.\n"),
           stats.changes_pushed, stats.samples_pushed, stats.changes_pulled, stats.conflicts);
  if (stats.conflicts > 0)
    g_print ("%s\n", _("Both versions of each conflict are kept: see “obd2 sync --status”."));
}

static void
on_synced_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SyncRun *run = data;

  obd_sync_client_sync_finish (OBD_SYNC_CLIENT (source), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

static void
on_state_cb (ObdSyncClient *client,
             GParamSpec    *pspec,
             ObdCli        *cli)
{
  ObdSyncState state = obd_sync_client_get_state (client);
  g_autofree char *line = NULL;

  switch (state)
    {
    case OBD_SYNC_STATE_SYNCED:
      line = g_strdup (_("Synced; watching for changes."));
      break;
    case OBD_SYNC_STATE_SYNCING:
      line = g_strdup (_("Syncing…"));
      break;
    case OBD_SYNC_STATE_CONNECTING:
      line = g_strdup (_("Connecting…"));
      break;
    case OBD_SYNC_STATE_OFFLINE:
      line = g_strdup_printf (_("Offline (%s); retrying."),
                              obd_sync_client_get_last_error (client) != NULL
                                ? obd_sync_client_get_last_error (client) : "?");
      break;
    case OBD_SYNC_STATE_ERROR:
      line = g_strdup_printf (_("Error: %s"), obd_sync_client_get_last_error (client));
      break;
    case OBD_SYNC_STATE_DISABLED:
    default:
      return;
    }
  if (cli->json)
    g_print ("{\"state\":\"%s\",\"pending\":%" G_GINT64_FORMAT "}\n",
             obd_sync_state_to_string (state), obd_sync_client_get_pending_count (client));
  else
    g_printerr ("obd2: %s\n", line);
}

static int
show_status (ObdCli      *cli,
             ObdStore    *store,
             const char  *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreSyncState) state = obd_store_sync_get_state (store, &error);
  g_autoptr(GPtrArray) conflicts = NULL;
  ObdSyncTokenSource source = OBD_SYNC_TOKEN_NONE;
  g_autofree char *token = NULL;
  gint64 pending;

  if (state == NULL || (pending = obd_store_sync_count_pending (store, &error)) < 0
      || (conflicts = obd_store_sync_list_conflicts (store, &error)) == NULL)
    return obd_cli_fail (cli, error);
  if (server != NULL)
    token = obd_sync_token_lookup (server, &source, NULL);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, state->device_id);
      json_builder_set_member_name (b, "server");
      json_builder_add_string_value (b, server);
      json_builder_set_member_name (b, "token");
      json_builder_add_string_value (b, obd_sync_token_source_to_string (source));
      json_builder_set_member_name (b, "pending");
      json_builder_add_int_value (b, pending);
      json_builder_set_member_name (b, "pushed_seq");
      json_builder_add_int_value (b, state->pushed_seq);
      json_builder_set_member_name (b, "cursor");
      json_builder_add_int_value (b, state->cursor);
      json_builder_set_member_name (b, "anchor_seq");
      json_builder_add_int_value (b, state->anchor_seq);
      json_builder_set_member_name (b, "last_sync_us");
      json_builder_add_int_value (b, state->last_sync_us);
      json_builder_set_member_name (b, "conflicts");
      json_builder_begin_array (b);
      for (guint i = 0; i < conflicts->len; i++)
        {
          const ObdStoreSyncConflict *c = g_ptr_array_index (conflicts, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "entity");
          json_builder_add_string_value (b, c->entity);
          json_builder_set_member_name (b, "entity_id");
          json_builder_add_string_value (b, c->entity_id);
          json_builder_set_member_name (b, "winner");
          json_builder_add_string_value (b, c->local_won ? "local" : "remote");
          json_builder_set_member_name (b, "local");
          json_builder_add_string_value (b, c->local_data);
          json_builder_set_member_name (b, "remote");
          json_builder_add_string_value (b, c->remote_data);
          json_builder_set_member_name (b, "resolved_us");
          json_builder_add_int_value (b, c->resolved_us);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  g_print (_("This PC:        %s\n"), state->device_id);
  g_print (_("Server:         %s\n"), server != NULL ? server : _("none set"));
  g_print (_("Token:          %s\n"),
           source == OBD_SYNC_TOKEN_NONE ? _("none found")
           : source == OBD_SYNC_TOKEN_ENVIRONMENT ? _("from OBD2_TOKEN")
           : source == OBD_SYNC_TOKEN_KEYRING ? _("in the keyring") : _("in the token file"));
  g_print (_("Waiting to send: %" PRId64 " changes\n"), pending);
  if (state->last_sync_us > 0)
    {
      g_autofree char *when = obd_cli_format_time (state->last_sync_us);
      g_print (_("Last synced:    %s\n"), when);
    }
  else
    g_print ("%s\n", _("Last synced:    never"));
  for (guint i = 0; i < conflicts->len; i++)
    {
      const ObdStoreSyncConflict *c = g_ptr_array_index (conflicts, i);
      g_autofree char *when = obd_cli_format_time (c->resolved_us);

      g_print (_("Conflict %s: %s %s edited on two PCs; %s version kept.\n"
                 "  this PC:   %s\n  other PC:  %s\n"), when, c->entity, c->entity_id,
               c->local_won ? _("this PC's") : _("the other PC's"),
               c->local_data != NULL ? c->local_data : "—",
               c->remote_data != NULL ? c->remote_data : "—");
    }
  return OBD_CLI_EXIT_OK;
}

static char *
read_token_from_stdin (GError **error)
{
  char buffer[512];
  g_autofree char *token = NULL;

  if (isatty (STDIN_FILENO))
    g_printerr ("%s", _("Paste the token and press Enter: "));
  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("No token on standard input."));
      return NULL;
    }
  token = g_strstrip (g_strdup (buffer));
  memset (buffer, 0, sizeof buffer);
  if (*token == '\0' || strchr (token, ' ') != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("That does not look like a token. Copy the whole line “obd2-syncd admin "
                     "create-token” printed."));
      return NULL;
    }
  return g_steal_pointer (&token);
}

int
obd_cli_cmd_sync (ObdCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *ca_file = NULL;
  gboolean watch = FALSE, status = FALSE, set_token = FALSE;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      N_("Sync server, e.g. ws://server:8765/sync (default: $OBD2_SERVER or the last one)"),
      "URL" },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch,
      N_("Stay connected and sync every change until Ctrl+C"), NULL },
    { "status", 0, 0, G_OPTION_ARG_NONE, &status,
      N_("Show what waits to be sent and the conflicts, without connecting"), NULL },
    { "set-token", 0, 0, G_OPTION_ARG_NONE, &set_token,
      N_("Read a token from standard input and keep it for the server"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("Trust the certificate authorities in this file (PEM) for wss://, instead of the "
         "system’s"), "FILE" },
    { NULL }
  };
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(ObdStoreSyncState) state = NULL;
  g_autoptr(ObdSyncClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  ObdSyncTokenSource source;
  SyncRun run = { cli };

  if (!obd_cli_parse_options (cli, "sync", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc > 1)
    return obd_cli_usage_error (_("“sync” takes no arguments."));
  if (watch + status + set_token > 1)
    return obd_cli_usage_error (_("Choose one of --watch, --status and --set-token."));

  store = obd_cli_open_store (cli, TRUE, &error);
  if (store == NULL || (state = obd_store_sync_get_state (store, &error)) == NULL)
    return obd_cli_fail (cli, error);
  if (server == NULL && g_getenv ("OBD2_SERVER") != NULL && *g_getenv ("OBD2_SERVER") != '\0')
    server = g_strdup (g_getenv ("OBD2_SERVER"));
  if (server == NULL)
    server = g_strdup (state->server_url);

  if (status)
    return show_status (cli, store, server);

  if (server == NULL)
    return obd_cli_usage_error (_("No sync server set. Give --server ws://HOST:PORT/sync (or "
                                  "set OBD2_SERVER); it is remembered after the first sync."));
  if (!g_str_has_prefix (server, "ws://") && !g_str_has_prefix (server, "wss://"))
    return obd_cli_usage_error (_("“%s” is not a sync server address: it starts with ws:// or "
                                  "wss://."), server);

  if (set_token)
    {
      token = read_token_from_stdin (&error);
      if (token == NULL || !obd_sync_token_store (server, token, &source, &error))
        return obd_cli_fail (cli, error);
      g_print ("%s\n", source == OBD_SYNC_TOKEN_KEYRING ? _("Token saved in the keyring.")
                                                       : _("Token saved in the token file "
                                                           "(readable by you only)."));
      return OBD_CLI_EXIT_OK;
    }

  token = obd_sync_token_lookup (server, &source, &error);
  if (token == NULL)
    {
      if (error != NULL)
        return obd_cli_fail (cli, error);
      g_printerr ("obd2: %s\n", _("No token for this server. Set OBD2_TOKEN, or run “obd2 sync "
                                  "--set-token” and paste the token the server's administrator "
                                  "gave you."));
      return OBD_CLI_EXIT_FAILURE;
    }

  /* The client opens the store on its own thread. */
  g_clear_object (&store);
  client = obd_sync_client_new (cli->db != NULL ? cli->db : obd_store_get_default_path ());
  obd_sync_client_set_server_url (client, server);
  obd_sync_client_set_token (client, token);
  obd_sync_client_set_device_name (client, g_get_host_name ());
  if (ca_file != NULL && !obd_sync_client_set_ca_file (client, ca_file, &error))
    return obd_cli_fail (cli, error);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  if (watch)
    {
      g_signal_connect (client, "notify::state", G_CALLBACK (on_state_cb), cli);
      obd_sync_client_start (client);
      obd_cli_run_loop (cli, loop);
      /* Stopping drops the connection: not an "offline, retrying". */
      g_signal_handlers_disconnect_by_func (client, on_state_cb, cli);
      obd_sync_client_stop (client);
      print_stats (cli, client, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  obd_sync_client_sync_async (client, cli->cancellable, on_synced_cb, &run);
  obd_cli_run_loop (cli, loop);
  if (!run.done)
    {
      /* Ctrl+C: stop, and let the cycle report its cancellation. */
      obd_sync_client_stop (client);
      while (!run.done)
        g_main_context_iteration (NULL, TRUE);
    }
  print_stats (cli, client, run.error == NULL);
  if (run.error != NULL)
    return obd_cli_fail (cli, run.error);
  return OBD_CLI_EXIT_OK;
}
