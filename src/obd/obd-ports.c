/* obd-ports.c — the serial adapters of this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-ports"
#include "config.h"

#include <string.h>

#include <libserialport.h>

#include "obd-ports.h"

void
obd_port_info_free (ObdPortInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->title);
  g_free (info);
}

static int
compare_ports (gconstpointer a,
               gconstpointer b)
{
  const ObdPortInfo *pa = *(ObdPortInfo * const *) a;
  const ObdPortInfo *pb = *(ObdPortInfo * const *) b;

  return g_strcmp0 (pa->path, pb->path);
}

static gboolean
has_port (GPtrArray  *ports,
          const char *path)
{
  for (guint i = 0; i < ports->len; i++)
    if (g_strcmp0 (((ObdPortInfo *) g_ptr_array_index (ports, i))->path, path) == 0)
      return TRUE;
  return FALSE;
}

GPtrArray *
obd_ports_list (void)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_port_info_free);
  struct sp_port **list = NULL;
  g_autoptr(GDir) dev = NULL;
  const char *name;

  if (sp_list_ports (&list) == SP_OK)
    {
      for (guint i = 0; list[i] != NULL; i++)
        {
          ObdPortInfo *info = g_new0 (ObdPortInfo, 1);
          enum sp_transport transport = sp_get_port_transport (list[i]);
          const char *description = sp_get_port_description (list[i]);

          info->path = g_strdup (sp_get_port_name (list[i]));
          info->bluetooth = transport == SP_TRANSPORT_BLUETOOTH ||
                            strstr (info->path, "rfcomm") != NULL;
          if (transport == SP_TRANSPORT_USB)
            {
              const char *manufacturer = sp_get_port_usb_manufacturer (list[i]);
              const char *product = sp_get_port_usb_product (list[i]);

              if (manufacturer != NULL && product != NULL)
                info->title = g_strdup_printf ("%s %s", manufacturer, product);
              else if (product != NULL)
                info->title = g_strdup (product);
            }
          /* Built-in ports describe themselves by their name ("ttyS0"),
           * which says nothing the path does not. */
          if (info->title == NULL && description != NULL && *description != '\0' &&
              !g_str_has_suffix (info->path, description))
            info->title = g_strdup (description);
          g_ptr_array_add (ports, info);
        }
      sp_free_port_list (list);
    }

  /* Bound Bluetooth serial links (rfcomm bind) have no "device" link in
   * /sys/class/tty, so libserialport 0.1.1 does not list them; they are
   * the usual way to reach a Bluetooth ELM327, so look for them here. */
  dev = g_dir_open ("/dev", 0, NULL);
  while (dev != NULL && (name = g_dir_read_name (dev)) != NULL)
    {
      g_autofree char *path = NULL;
      ObdPortInfo *info;

      if (!g_str_has_prefix (name, "rfcomm"))
        continue;
      path = g_build_filename ("/dev", name, NULL);
      if (has_port (ports, path))
        continue;
      info = g_new0 (ObdPortInfo, 1);
      info->path = g_steal_pointer (&path);
      info->bluetooth = TRUE;
      g_ptr_array_add (ports, info);
    }

  g_ptr_array_sort (ports, compare_ports);
  return ports;
}

