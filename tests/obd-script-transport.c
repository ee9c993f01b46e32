/* obd-script-transport.c — a transport that plays an adapter from a script
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-script"
#include "config.h"

#include <string.h>

#include "obd-error.h"
#include "obd-script-transport.h"

struct _ObdScriptTransport
{
  ObdTransport        parent_instance;

  ObdScriptReplyFunc  func;
  gpointer            data;
  GByteArray         *in;       /* the line being written */
  GByteArray         *out;      /* queued for reading */
  GPtrArray          *lines;
  gsize               chunk;
  guint64             n_read;
  guint64             trap_at;
  GCallback           trap_func;
  gpointer            trap_data;
  guint               n_timeouts;
  char               *endless;
  gboolean            dropped;
};

G_DEFINE_FINAL_TYPE (ObdScriptTransport, obd_script_transport, OBD_TYPE_TRANSPORT)

static void
set_dropped_error (GError **error)
{
  g_set_error_literal (error, OBD_TRANSPORT_ERROR, OBD_TRANSPORT_ERROR_DISCONNECTED,
                       "the scripted link dropped");
}

static gboolean
obd_script_transport_open (ObdTransport  *transport,
                           GCancellable  *cancellable,
                           GError       **error)
{
  ObdScriptTransport *self = OBD_SCRIPT_TRANSPORT (transport);

  if (self->dropped)
    {
      set_dropped_error (error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
obd_script_transport_write (ObdTransport  *transport,
                            const guint8  *buf,
                            gsize          len,
                            GCancellable  *cancellable,
                            GError       **error)
{
  ObdScriptTransport *self = OBD_SCRIPT_TRANSPORT (transport);

  if (self->dropped)
    {
      set_dropped_error (error);
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *line = NULL;
      g_autoptr(GBytes) reply = NULL;

      if (buf[i] != '\r')
        {
          /* an ELM327 keeps no more of a line than this */
          if (self->in->len < 256)
            g_byte_array_append (self->in, &buf[i], 1);
          continue;
        }

      line = g_strndup ((const char *) self->in->data, self->in->len);
      g_byte_array_set_size (self->in, 0);
      g_ptr_array_add (self->lines, g_strdup (line));
      reply = self->func (self, line, self->lines->len - 1, self->data);
      if (reply != NULL)
        g_byte_array_append (self->out, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
    }

  return TRUE;
}

static gssize
obd_script_transport_read (ObdTransport  *transport,
                           guint8        *buf,
                           gsize          len,
                           guint          timeout_ms,
                           GCancellable  *cancellable,
                           GError       **error)
{
  ObdScriptTransport *self = OBD_SCRIPT_TRANSPORT (transport);
  gsize n;

  if (self->trap_at > 0 && self->n_read >= self->trap_at)
    {
      GCallback func = self->trap_func;

      self->trap_at = 0;
      ((void (*) (gpointer)) func) (self->trap_data);
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->dropped)
    {
      set_dropped_error (error);
      return -1;
    }

  if (self->out->len == 0 && self->endless != NULL)
    g_byte_array_append (self->out, (const guint8 *) self->endless, strlen (self->endless));

  n = MIN (MIN (len, self->chunk), self->out->len);
  if (n == 0)
    {
      self->n_timeouts++;
      return 0;
    }

  memcpy (buf, self->out->data, n);
  g_byte_array_remove_range (self->out, 0, n);
  self->n_read += n;
  return n;
}

static void
obd_script_transport_finalize (GObject *object)
{
  ObdScriptTransport *self = OBD_SCRIPT_TRANSPORT (object);

  g_byte_array_unref (self->in);
  g_byte_array_unref (self->out);
  g_ptr_array_unref (self->lines);
  g_free (self->endless);

  G_OBJECT_CLASS (obd_script_transport_parent_class)->finalize (object);
}

static void
obd_script_transport_class_init (ObdScriptTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ObdTransportClass *transport_class = OBD_TRANSPORT_CLASS (klass);

  object_class->finalize = obd_script_transport_finalize;
  transport_class->open = obd_script_transport_open;
  transport_class->write = obd_script_transport_write;
  transport_class->read = obd_script_transport_read;
}

static void
obd_script_transport_init (ObdScriptTransport *self)
{
  self->in = g_byte_array_new ();
  self->out = g_byte_array_new ();
  self->lines = g_ptr_array_new_with_free_func (g_free);
  self->chunk = 64;
}

ObdScriptTransport *
obd_script_transport_new (ObdScriptReplyFunc func,
                          gpointer           data)
{
  ObdScriptTransport *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (OBD_TYPE_SCRIPT_TRANSPORT, NULL);
  self->func = func;
  self->data = data;
  obd_transport_set_description (OBD_TRANSPORT (self), "script");
  return self;
}

void
obd_script_transport_queue (ObdScriptTransport *self,
                            const char         *bytes,
                            gsize               len)
{
  g_return_if_fail (OBD_IS_SCRIPT_TRANSPORT (self));

  g_byte_array_append (self->out, (const guint8 *) bytes, len);
}

void
obd_script_transport_set_chunk (ObdScriptTransport *self,
                                gsize               chunk)
{
  g_return_if_fail (OBD_IS_SCRIPT_TRANSPORT (self));

  self->chunk = MAX (chunk, 1);
}

void
obd_script_transport_set_trap (ObdScriptTransport *self,
                               guint64             total,
                               GCallback           func,
                               gpointer            data)
{
  g_return_if_fail (OBD_IS_SCRIPT_TRANSPORT (self));

  self->trap_at = func != NULL ? total : 0;
  self->trap_func = func;
  self->trap_data = data;
}

GPtrArray *
obd_script_transport_get_lines (ObdScriptTransport *self)
{
  g_return_val_if_fail (OBD_IS_SCRIPT_TRANSPORT (self), NULL);

  return self->lines;
}

guint
obd_script_transport_get_n_timeouts (ObdScriptTransport *self)
{
  g_return_val_if_fail (OBD_IS_SCRIPT_TRANSPORT (self), 0);

  return self->n_timeouts;
}

void
obd_script_transport_drop (ObdScriptTransport *self)
{
  g_return_if_fail (OBD_IS_SCRIPT_TRANSPORT (self));

  self->dropped = TRUE;
}

void
obd_script_transport_set_endless (ObdScriptTransport *self,
                                  const char         *pattern)
{
  g_return_if_fail (OBD_IS_SCRIPT_TRANSPORT (self));
  g_return_if_fail (pattern == NULL || *pattern != '\0');

  g_free (self->endless);
  self->endless = g_strdup (pattern);
}

guint64
obd_script_transport_get_n_read (ObdScriptTransport *self)
{
  g_return_val_if_fail (OBD_IS_SCRIPT_TRANSPORT (self), 0);

  return self->n_read;
}
