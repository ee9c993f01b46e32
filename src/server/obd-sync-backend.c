/* obd-sync-backend.c — the storage interface of obd2-syncd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-syncd"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "obd-sync-backend.h"

G_DEFINE_INTERFACE (ObdSyncBackend, obd_sync_backend, G_TYPE_OBJECT)

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
obd_sync_backend_default_init (ObdSyncBackendInterface *iface)
{
  /* A live event for this instance's connections: organisation_id and
   * vehicle_id (either may be NULL) and room_id (NULL unless the event is
   * for one room) say who gets it; text is the whole message. */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static const char * const role_names[] = { "mechanic", "fleet", "owner", "admin" };

const char *
obd_sync_role_to_string (ObdSyncRole role)
{
  g_return_val_if_fail (role <= OBD_SYNC_ROLE_ADMIN, NULL);
  return role_names[role];
}

gboolean
obd_sync_role_from_string (const char  *name,
                           ObdSyncRole *out_role)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (role_names); i++)
    if (g_str_equal (role_names[i], name))
      {
        *out_role = (ObdSyncRole) i;
        return TRUE;
      }
  return FALSE;
}

ObdSyncPrincipal *
obd_sync_principal_copy (const ObdSyncPrincipal *p)
{
  ObdSyncPrincipal *copy = g_new0 (ObdSyncPrincipal, 1);

  copy->user_id = g_strdup (p->user_id);
  copy->user_name = g_strdup (p->user_name);
  copy->organisation_id = g_strdup (p->organisation_id);
  copy->organisation_name = g_strdup (p->organisation_name);
  copy->role = p->role;
  copy->vehicle_id = g_strdup (p->vehicle_id);
  return copy;
}

void
obd_sync_principal_free (ObdSyncPrincipal *p)
{
  if (p == NULL)
    return;
  g_free (p->user_id);
  g_free (p->user_name);
  g_free (p->organisation_id);
  g_free (p->organisation_name);
  g_free (p->vehicle_id);
  g_free (p);
}

void
obd_sync_session_free (ObdSyncSession *session)
{
  if (session == NULL)
    return;
  obd_sync_principal_free (session->principal);
  g_free (session->chain_hash);
  g_free (session);
}

void
obd_sync_push_result_free (ObdSyncPushResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->conflicts, json_array_unref);
  g_clear_pointer (&result->versions, json_array_unref);
  g_free (result->chain_hash);
  g_clear_error (&result->error);
  g_free (result);
}

void
obd_sync_room_free (ObdSyncRoom *room)
{
  if (room == NULL)
    return;
  g_free (room->room_id);
  g_free (room->code);
  g_free (room->vehicle_id);
  g_free (room->host_user_id);
  g_free (room->organisation_id);
  g_clear_pointer (&room->members, json_array_unref);
  g_free (room);
}

#define IFACE(self) OBD_SYNC_BACKEND_GET_IFACE (self)

void
obd_sync_backend_authenticate_async (ObdSyncBackend      *self,
                                     const char          *token,
                                     const char          *device_id,
                                     const char          *device_name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (token != NULL && device_id != NULL);
  IFACE (self)->authenticate_async (self, token, device_id, device_name, cancellable,
                                    callback, user_data);
}

ObdSyncSession *
obd_sync_backend_authenticate_finish (ObdSyncBackend  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->authenticate_finish (self, result, error);
}

void
obd_sync_backend_push_async (ObdSyncBackend          *self,
                             const ObdSyncPrincipal  *principal,
                             const char              *device_id,
                             JsonArray               *changes,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (principal != NULL && device_id != NULL && changes != NULL);
  IFACE (self)->push_async (self, principal, device_id, changes, cancellable, callback,
                            user_data);
}

ObdSyncPushResult *
obd_sync_backend_push_finish (ObdSyncBackend  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->push_finish (self, result, error);
}

void
obd_sync_backend_pull_async (ObdSyncBackend          *self,
                             const ObdSyncPrincipal  *principal,
                             const char              *device_id,
                             gint64                   cursor,
                             guint                    limit,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (principal != NULL && device_id != NULL);
  IFACE (self)->pull_async (self, principal, device_id, cursor, limit, cancellable, callback,
                            user_data);
}

JsonObject *
obd_sync_backend_pull_finish (ObdSyncBackend  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->pull_finish (self, result, error);
}

void
obd_sync_backend_vehicle_access_async (ObdSyncBackend          *self,
                                       const ObdSyncPrincipal  *principal,
                                       const char              *vehicle_id,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (principal != NULL && vehicle_id != NULL);
  IFACE (self)->vehicle_access_async (self, principal, vehicle_id, cancellable, callback,
                                      user_data);
}

char *
obd_sync_backend_vehicle_access_finish (ObdSyncBackend  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->vehicle_access_finish (self, result, error);
}

void
obd_sync_backend_room_create_async (ObdSyncBackend          *self,
                                    const ObdSyncPrincipal  *principal,
                                    const char              *vehicle_id,
                                    const char              *member_id,
                                    GCancellable            *cancellable,
                                    GAsyncReadyCallback      callback,
                                    gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (member_id != NULL);
  IFACE (self)->room_create_async (self, principal, vehicle_id, member_id, cancellable,
                                   callback, user_data);
}

void
obd_sync_backend_room_join_async (ObdSyncBackend          *self,
                                  const ObdSyncPrincipal  *principal,
                                  const char              *code,
                                  const char              *member_id,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (member_id != NULL);
  IFACE (self)->room_join_async (self, principal, code, member_id, cancellable, callback,
                                 user_data);
}

void
obd_sync_backend_room_leave_async (ObdSyncBackend      *self,
                                   const char          *room_id,
                                   const char          *member_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (room_id != NULL && member_id != NULL);
  IFACE (self)->room_leave_async (self, room_id, member_id, cancellable, callback, user_data);
}

void
obd_sync_backend_room_close_async (ObdSyncBackend          *self,
                                   const ObdSyncPrincipal  *principal,
                                   const char              *room_id,
                                   GCancellable            *cancellable,
                                   GAsyncReadyCallback      callback,
                                   gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  IFACE (self)->room_close_async (self, principal, room_id, cancellable, callback, user_data);
}

ObdSyncRoom *
obd_sync_backend_room_finish (ObdSyncBackend  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->room_finish (self, result, error);
}

void
obd_sync_backend_publish (ObdSyncBackend *self,
                          const char     *organisation_id,
                          const char     *vehicle_id,
                          const char     *room_id,
                          const char     *text)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (text != NULL);
  IFACE (self)->publish (self, organisation_id, vehicle_id, room_id, text);
}

void
obd_sync_backend_watch (ObdSyncBackend *self,
                        const char     *organisation_id)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (organisation_id != NULL);
  if (IFACE (self)->watch != NULL)
    IFACE (self)->watch (self, organisation_id);
}

void
obd_sync_backend_unwatch (ObdSyncBackend *self,
                          const char     *organisation_id)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (organisation_id != NULL);
  if (IFACE (self)->unwatch != NULL)
    IFACE (self)->unwatch (self, organisation_id);
}

JsonObject *
obd_sync_backend_dup_status (ObdSyncBackend *self)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->dup_status != NULL ? IFACE (self)->dup_status (self) : NULL;
}

void
obd_sync_backend_fleet_async (ObdSyncBackend          *self,
                              const ObdSyncPrincipal  *principal,
                              const char              *after,
                              guint                    limit,
                              GCancellable            *cancellable,
                              GAsyncReadyCallback      callback,
                              gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (principal != NULL);
  IFACE (self)->fleet_async (self, principal, after, limit, cancellable, callback, user_data);
}

void
obd_sync_backend_history_async (ObdSyncBackend          *self,
                                const ObdSyncPrincipal  *principal,
                                const char              *vehicle_id,
                                gint64                   before_us,
                                const char              *before_key,
                                guint                    limit,
                                GCancellable            *cancellable,
                                GAsyncReadyCallback      callback,
                                gpointer                 user_data)
{
  g_return_if_fail (OBD_IS_SYNC_BACKEND (self));
  g_return_if_fail (principal != NULL && vehicle_id != NULL);
  IFACE (self)->history_async (self, principal, vehicle_id, before_us, before_key, limit,
                               cancellable, callback, user_data);
}

JsonObject *
obd_sync_backend_page_finish (ObdSyncBackend  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->page_finish (self, result, error);
}

void
_obd_sync_backend_emit_message (ObdSyncBackend *self,
                                const char     *organisation_id,
                                const char     *vehicle_id,
                                const char     *room_id,
                                const char     *text)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, organisation_id, vehicle_id, room_id, text);
}

char *
obd_sync_backend_create_organisation (ObdSyncBackend  *self,
                                      const char      *name,
                                      GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return IFACE (self)->create_organisation (self, name, error);
}

char *
obd_sync_backend_create_user (ObdSyncBackend  *self,
                              const char      *organisation_id,
                              const char      *name,
                              ObdSyncRole      role,
                              const char      *vehicle_id,
                              GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  g_return_val_if_fail (organisation_id != NULL && name != NULL, NULL);
  return IFACE (self)->create_user (self, organisation_id, name, role, vehicle_id, error);
}

char *
obd_sync_backend_create_token (ObdSyncBackend  *self,
                               const char      *user_id,
                               GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  return IFACE (self)->create_token (self, user_id, error);
}

gboolean
obd_sync_backend_revoke (ObdSyncBackend  *self,
                         const char      *token_or_user,
                         GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), FALSE);
  g_return_val_if_fail (token_or_user != NULL, FALSE);
  return IFACE (self)->revoke (self, token_or_user, error);
}

JsonNode *
obd_sync_backend_list_accounts (ObdSyncBackend  *self,
                                GError         **error)
{
  g_return_val_if_fail (OBD_IS_SYNC_BACKEND (self), NULL);
  return IFACE (self)->list_accounts (self, error);
}

/* Tokens ---------------------------------------------------------------- */

#define TOKEN_PREFIX "obd2_"
#define TOKEN_ID_LENGTH 16
#define TOKEN_SECRET_LENGTH 64

static gboolean
is_hex (const char *text,
        gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

gboolean
obd_sync_token_split (const char  *token,
                      char       **out_id,
                      char       **out_secret)
{
  const char *id, *secret;

  if (token == NULL
      || strlen (token) != strlen (TOKEN_PREFIX) + TOKEN_ID_LENGTH + 1 + TOKEN_SECRET_LENGTH
      || !g_str_has_prefix (token, TOKEN_PREFIX))
    return FALSE;
  id = token + strlen (TOKEN_PREFIX);
  secret = id + TOKEN_ID_LENGTH + 1;
  if (id[TOKEN_ID_LENGTH] != '_' || !is_hex (id, TOKEN_ID_LENGTH)
      || !is_hex (secret, TOKEN_SECRET_LENGTH))
    return FALSE;
  *out_id = g_strndup (id, TOKEN_ID_LENGTH);
  *out_secret = g_strdup (secret);
  return TRUE;
}

/* The secret is 256 random bits, so one round of SHA-256 is enough: a
 * slow password hash protects guessable secrets, and these are not. */
char *
obd_sync_token_hash (const guint8 *salt,
                     gsize         salt_length,
                     const char   *secret)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, salt, salt_length);
  g_checksum_update (sum, (const guchar *) secret, strlen (secret));
  return g_strdup (g_checksum_get_string (sum));
}

/* Compares without returning early, so the time taken does not tell how
 * many leading characters matched. */
gboolean
obd_sync_constant_time_equal (const char *a,
                              const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < MAX (la, lb); i++)
    diff |= (guint8) (i < la ? a[i] : 0) ^ (guint8) (i < lb ? b[i] : 0);
  return diff == 0;
}

void
obd_sync_random_bytes (guint8 *buffer,
                       gsize   length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("The kernel's random source failed: %s", g_strerror (errno));
      done += n;
    }
}
