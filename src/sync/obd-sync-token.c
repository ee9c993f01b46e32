/* obd-sync-token.c — where the sync token is kept on a PC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-sync"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#ifdef HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "obd-sync-message.h"
#include "obd-sync-token.h"

#define TOKEN_GROUP_PREFIX "server "

const char *
obd_sync_token_source_to_string (ObdSyncTokenSource source)
{
  switch (source)
    {
    case OBD_SYNC_TOKEN_ENVIRONMENT:
      return "environment";
    case OBD_SYNC_TOKEN_KEYRING:
      return "keyring";
    case OBD_SYNC_TOKEN_FILE:
      return "file";
    case OBD_SYNC_TOKEN_NONE:
    default:
      return "none";
    }
}

char *
obd_sync_token_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "obd2-diagnostics", "sync-tokens", NULL);
}

#ifdef HAVE_LIBSECRET
static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "io.github.obd2diagnostics.Workshop.SyncToken", SECRET_SCHEMA_NONE,
    { { "server", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
    0, 0, 0, 0, 0, 0, 0, 0
  };

  return &schema;
}
#endif

/* Only when a session bus is there to answer: without one libsecret would
 * try to start one, and on a server or in CI nothing would come. */
static gboolean
keyring_usable (void)
{
#ifdef HAVE_LIBSECRET
  return g_getenv ("OBD2_NO_KEYRING") == NULL && g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL;
#else
  return FALSE;
#endif
}

static char *
keyring_lookup (const char *server_url)
{
#ifdef HAVE_LIBSECRET
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_sync (token_schema (), NULL, &error,
                                             "server", server_url, NULL);

  if (error != NULL)
    g_debug ("The keyring did not answer (%s); trying the token file", error->message);
  return token;
#else
  return NULL;
#endif
}

static gboolean
keyring_store (const char *server_url,
               const char *token)
{
#ifdef HAVE_LIBSECRET
  g_autoptr(GError) error = NULL;
  g_autofree char *label = g_strdup_printf (_("OBD2 Diagnostics sync token for %s"), server_url);

  if (secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, NULL,
                                  &error, "server", server_url, NULL))
    return TRUE;
  g_debug ("The keyring did not take the token (%s); using the token file", error->message);
#endif
  return FALSE;
}

static GKeyFile *
read_file (const char  *path,
           GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return g_steal_pointer (&file);  /* none yet */
  if (!S_ISREG (st.st_mode) || (st.st_mode & 077) != 0 || st.st_uid != getuid ())
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN,
                   _("“%s” may be read by other users, so its tokens are not used. Run “chmod "
                     "600 %s” and ask for a new token: the old one may be known."), path, path);
      return NULL;
    }
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_NO_TOKEN,
                   _("Could not read the token file “%s”: %s"), path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&file);
}

char *
obd_sync_token_lookup (const char          *server_url,
                       ObdSyncTokenSource  *out_source,
                       GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *group = NULL;
  g_autoptr(GKeyFile) file = NULL;
  const char *env = g_getenv ("OBD2_TOKEN");
  char *token;

  g_return_val_if_fail (server_url != NULL, NULL);

  if (out_source != NULL)
    *out_source = OBD_SYNC_TOKEN_NONE;
  if (env != NULL && *env != '\0')
    {
      if (out_source != NULL)
        *out_source = OBD_SYNC_TOKEN_ENVIRONMENT;
      return g_strdup (env);
    }
  if (keyring_usable () && (token = keyring_lookup (server_url)) != NULL)
    {
      if (out_source != NULL)
        *out_source = OBD_SYNC_TOKEN_KEYRING;
      return token;
    }

  path = obd_sync_token_file_path ();
  file = read_file (path, error);
  if (file == NULL)
    return NULL;
  group = g_strconcat (TOKEN_GROUP_PREFIX, server_url, NULL);
  token = g_key_file_get_string (file, group, "token", NULL);
  if (token != NULL && out_source != NULL)
    *out_source = OBD_SYNC_TOKEN_FILE;
  return token;
}

gboolean
obd_sync_token_store (const char          *server_url,
                      const char          *token,
                      ObdSyncTokenSource  *out_source,
                      GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *group = NULL;
  g_autofree char *data = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GKeyFile) file = NULL;
  gsize length = 0;
  int fd;

  g_return_val_if_fail (server_url != NULL && token != NULL, FALSE);

  if (keyring_usable () && keyring_store (server_url, token))
    {
      if (out_source != NULL)
        *out_source = OBD_SYNC_TOKEN_KEYRING;
      return TRUE;
    }

  path = obd_sync_token_file_path ();
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  file = read_file (path, error);
  if (file == NULL)
    return FALSE;
  group = g_strconcat (TOKEN_GROUP_PREFIX, server_url, NULL);
  g_key_file_set_string (file, group, "token", token);
  data = g_key_file_to_data (file, &length, NULL);

  /* Written to a new 0600 file and renamed over the old one: the token
   * is never in a file someone else could open, even for a moment. */
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write the token file “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (write (fd, data, length) != (ssize_t) length || fsync (fd) != 0 || close (fd) != 0
      || g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write the token file “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (out_source != NULL)
    *out_source = OBD_SYNC_TOKEN_FILE;
  return TRUE;
}
