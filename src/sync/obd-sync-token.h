/* obd-sync-token.h — where the sync token is kept on a PC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Never in GSettings or a world-readable file.  In order: the OBD2_TOKEN
 * environment variable; the desktop keyring (Secret Service, through
 * libsecret, when a session bus answers and OBD2_NO_KEYRING is unset); a
 * file "sync-tokens" in the user's config folder (obd2-diagnostics/),
 * readable by its owner only (0600), which is refused when anyone else
 * may read it.  Tokens are stored per server address.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  OBD_SYNC_TOKEN_NONE = 0,
  OBD_SYNC_TOKEN_ENVIRONMENT,
  OBD_SYNC_TOKEN_KEYRING,
  OBD_SYNC_TOKEN_FILE,
} ObdSyncTokenSource;

const char *obd_sync_token_source_to_string (ObdSyncTokenSource source);

/* The path of the token file. */
char       *obd_sync_token_file_path  (void);

/* The token for server_url, or NULL: with error set when a place that
 * should hold it could not be read (a file with loose permissions),
 * without when there is none. */
char       *obd_sync_token_lookup     (const char          *server_url,
                                       ObdSyncTokenSource  *out_source,
                                       GError             **error);
/* Saves to the keyring, or when none answers to the file (0600).
 * out_source says where it went. */
gboolean    obd_sync_token_store      (const char          *server_url,
                                       const char          *token,
                                       ObdSyncTokenSource  *out_source,
                                       GError             **error);

G_END_DECLS
