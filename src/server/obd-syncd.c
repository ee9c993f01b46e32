/* obd-syncd.c — obd2-syncd, the shop's sync server, and its admin commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   obd2-syncd [--db FILE | --postgres CONNINFO [--pool-size N] [--pool-wait MS]
 *              [--pool-queue N]] [--listen ADDR:PORT] [--tls-cert F --tls-key F] [limits]
 *   obd2-syncd [--db FILE | --postgres CONNINFO] admin create-organisation NAME
 *   obd2-syncd [--db FILE] admin create-user ORGANISATION NAME ROLE [VEHICLE]
 *   obd2-syncd [--db FILE] admin create-token USER
 *   obd2-syncd [--db FILE] admin revoke TOKEN|TOKEN-ID|USER
 *   obd2-syncd [--db FILE] admin list
 *
 * Exit status as obd2's: 0 success, 1 failure, 2 bad usage.
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <sys/resource.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "obd-sync-backend-pg.h"
#include "obd-sync-backend-sqlite.h"
#include "obd-sync-message.h"
#include "obd-sync-server.h"

enum { EXIT_OK = 0, EXIT_FAILURE_ = 1, EXIT_USAGE = 2 };

static char *opt_db;
static char *opt_postgres;
static char *opt_listen;
static char *opt_tls_cert;
static char *opt_tls_key;
static gint64 opt_max_message = OBD_SYNC_DEFAULT_MAX_MESSAGE_BYTES;
static int opt_max_batch = OBD_SYNC_DEFAULT_MAX_BATCH;
static int opt_rate = OBD_SYNC_DEFAULT_RATE;
static int opt_burst = OBD_SYNC_DEFAULT_BURST;
static int opt_idle = OBD_SYNC_DEFAULT_IDLE_TIMEOUT_S;
static int opt_heartbeat = OBD_SYNC_DEFAULT_HEARTBEAT_S;
static gboolean opt_version;
static int opt_pool_size = OBD_PG_POOL_DEFAULT_SIZE;
static int opt_pool_wait = OBD_PG_POOL_DEFAULT_WAIT_TIMEOUT_MS;
static int opt_pool_queue = OBD_PG_POOL_DEFAULT_MAX_WAITING;

static GOptionEntry entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db,
    N_("Server database (default: the user data folder’s obd2-syncd/sync.db)"), "FILE" },
  { "postgres", 0, 0, G_OPTION_ARG_STRING, &opt_postgres,
    N_("Keep the data in PostgreSQL (a libpq connection string or URI), shared by several "
       "instances"), "CONNINFO" },
  { "pool-size", 0, 0, G_OPTION_ARG_INT, &opt_pool_size,
    N_("PostgreSQL connections of this instance (default 8)"), "N" },
  { "pool-wait", 0, 0, G_OPTION_ARG_INT, &opt_pool_wait,
    N_("Longest wait for a free connection before a client is told to retry (default 5000)"),
    "MS" },
  { "pool-queue", 0, 0, G_OPTION_ARG_INT, &opt_pool_queue,
    N_("Requests that may wait for a connection (default 1000)"), "N" },
  { "listen", 0, 0, G_OPTION_ARG_STRING, &opt_listen,
    N_("Address and port to serve on (default 127.0.0.1:8765)"), "ADDR:PORT" },
  { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_cert,
    N_("TLS certificate (PEM); serves wss:// with --tls-key"), "FILE" },
  { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_key, N_("TLS private key (PEM)"), "FILE" },
  { "max-message-bytes", 0, 0, G_OPTION_ARG_INT64, &opt_max_message,
    N_("Largest message accepted"), "BYTES" },
  { "max-batch", 0, 0, G_OPTION_ARG_INT, &opt_max_batch, N_("Most changes in one push"), "N" },
  { "rate", 0, 0, G_OPTION_ARG_INT, &opt_rate, N_("Messages per second per connection"), "N" },
  { "burst", 0, 0, G_OPTION_ARG_INT, &opt_burst,
    N_("Messages a connection may send at once"), "N" },
  { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &opt_idle,
    N_("Seconds of silence before a connection is closed"), "S" },
  { "heartbeat", 0, 0, G_OPTION_ARG_INT, &opt_heartbeat,
    N_("Seconds between the pings clients are asked to send"), "S" },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version"), NULL },
  { NULL }
};

static int
fail (const GError *error)
{
  g_printerr ("obd2-syncd: %s\n", error->message);
  return error->domain == G_OPTION_ERROR ? EXIT_USAGE : EXIT_FAILURE_;
}

static int
usage (const char *message)
{
  g_printerr ("obd2-syncd: %s\n", message);
  return EXIT_USAGE;
}

static char *
default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "obd2-syncd", "sync.db", NULL);
}

static ObdSyncBackend *
open_backend (GError **error)
{
  g_autofree char *path = opt_db != NULL ? g_strdup (opt_db) : default_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  if (opt_postgres != NULL)
    {
      ObdPgPoolConfig config;
      char *message = NULL;
      PQconninfoOption *parsed;

      if (opt_db != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Give either --db FILE or --postgres CONNINFO, not both."));
          return NULL;
        }
      parsed = PQconninfoParse (opt_postgres, &message);
      if (parsed == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not a PostgreSQL connection string (%s). Give one such as "
                         "\"host=db.example dbname=obd2 user=obd2\" or "
                         "postgresql://obd2@db.example/obd2."), opt_postgres,
                       message != NULL ? g_strstrip (message) : "?");
          PQfreemem (message);
          return NULL;
        }
      PQconninfoFree (parsed);
      if (opt_pool_size < 1 || opt_pool_size > 256 || opt_pool_wait < 1 || opt_pool_queue < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--pool-size is 1 to 256, --pool-wait at least 1 ms and --pool-queue "
                         "0 or more."));
          return NULL;
        }
      obd_pg_pool_config_init_default (&config);
      config.size = opt_pool_size;
      config.wait_timeout_ms = opt_pool_wait;
      config.max_waiting = opt_pool_queue;
      return obd_sync_backend_pg_new (opt_postgres, &config, error);
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (errno));
      return NULL;
    }
  return obd_sync_backend_sqlite_new (path, error);
}

static int
run_admin (int    argc,
           char **argv)
{
  g_autoptr(ObdSyncBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  const char *command = argc > 1 ? argv[1] : NULL;

  if (command == NULL)
    return usage (_("admin needs a command: create-organisation, create-user, create-token, "
                    "revoke or list."));

  backend = open_backend (&error);
  if (backend == NULL)
    return fail (error);

  if (g_str_equal (command, "create-organisation") && argc == 3)
    {
      g_autofree char *id = obd_sync_backend_create_organisation (backend, argv[2], &error);

      if (id == NULL)
        return fail (error);
      g_print ("%s\n", id);
      return EXIT_OK;
    }
  if (g_str_equal (command, "create-user") && (argc == 5 || argc == 6))
    {
      g_autofree char *id = NULL;
      ObdSyncRole role;

      if (!obd_sync_role_from_string (argv[4], &role))
        return usage (_("The role is one of mechanic, fleet, owner or admin."));
      if (role == OBD_SYNC_ROLE_OWNER && (argc != 6 || !obd_sync_id_is_valid (argv[5])))
        return usage (_("An owner sees one vehicle: give its id after the role."));
      id = obd_sync_backend_create_user (backend, argv[2], argv[3], role,
                                         argc == 6 ? argv[5] : NULL, &error);
      if (id == NULL)
        return fail (error);
      g_print ("%s\n", id);
      return EXIT_OK;
    }
  if (g_str_equal (command, "create-token") && argc == 3)
    {
      g_autofree char *token = obd_sync_backend_create_token (backend, argv[2], &error);

      if (token == NULL)
        return fail (error);
      /* Shown once: only its salted hash is kept. */
      g_print ("%s\n", token);
      g_printerr ("%s\n", _("Keep this token now: the server stores only a hash of it."));
      return EXIT_OK;
    }
  if (g_str_equal (command, "revoke") && argc == 3)
    {
      if (!obd_sync_backend_revoke (backend, argv[2], &error))
        return fail (error);
      g_print ("%s\n", _("Revoked."));
      return EXIT_OK;
    }
  if (g_str_equal (command, "list") && argc == 2)
    {
      g_autoptr(JsonNode) list = obd_sync_backend_list_accounts (backend, &error);
      g_autofree char *text = NULL;

      if (list == NULL)
        return fail (error);
      text = json_to_string (list, TRUE);
      g_print ("%s\n", text);
      return EXIT_OK;
    }
  return usage (_("Usage: obd2-syncd admin create-organisation NAME | create-user ORGANISATION "
                  "NAME ROLE [VEHICLE] | create-token USER | revoke TOKEN|USER | list"));
}

static gboolean
on_signal_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

/* A thousand connections need a thousand descriptors; the default soft
 * limit is often 1024. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_debug ("Could not raise the open file limit: %s", g_strerror (errno));
    }
}

static int
run_server (void)
{
  g_autoptr(ObdSyncBackend) backend = NULL;
  g_autoptr(ObdSyncServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  ObdSyncServerLimits limits;
  guint sigint, sigterm;

  if ((opt_tls_cert == NULL) != (opt_tls_key == NULL))
    return usage (_("TLS needs both --tls-cert and --tls-key."));
  if (opt_max_message < 4096 || opt_max_message > 256 * 1024 * 1024 || opt_max_batch < 1
      || opt_rate < 1 || opt_burst < 1 || opt_idle < 2 || opt_heartbeat < 1
      || opt_heartbeat >= opt_idle)
    return usage (_("Limits must be positive, messages at least 4096 bytes, and the heartbeat "
                    "shorter than the idle timeout."));

  raise_file_limit ();
  backend = open_backend (&error);
  if (backend == NULL)
    return fail (error);

  obd_sync_server_limits_init_default (&limits);
  limits.max_message_bytes = opt_max_message;
  limits.max_batch = opt_max_batch;
  limits.rate = opt_rate;
  limits.burst = opt_burst;
  limits.idle_timeout_s = opt_idle;
  limits.heartbeat_s = opt_heartbeat;
  server = obd_sync_server_new (backend, &limits);
  if (opt_tls_cert != NULL
      && !obd_sync_server_set_tls_files (server, opt_tls_cert, opt_tls_key, &error))
    return fail (error);
  if (!obd_sync_server_listen (server, opt_listen != NULL ? opt_listen : "127.0.0.1:8765",
                               &error))
    return fail (error);

  url = obd_sync_server_dup_url (server);
  /* One line a script can read the port from (with --listen …:0). */
  g_print ("obd2-syncd %s listening on port %u (%s)\n", PACKAGE_VERSION,
           obd_sync_server_get_port (server), url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal_cb, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  obd_sync_server_shutdown (server);
  return EXIT_OK;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("[admin COMMAND …] — the OBD2 Diagnostics sync server"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (opt_version)
    {
      g_print ("obd2-syncd %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (argc > 1 && g_str_equal (argv[1], "admin"))
    return run_admin (argc - 1, argv + 1);
  if (argc > 1)
    return usage (_("Unknown argument. Run “obd2-syncd --help”."));
  return run_server ();
}
