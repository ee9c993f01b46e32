/* obd-ports.h — the serial adapters of this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Through libserialport, plus the bound Bluetooth serial links it does not
 * list.  Reading sysfs takes a moment: call it off the GTK main thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char     *path;       /* "/dev/ttyUSB0", "/dev/rfcomm0" */
  char     *title;      /* "FTDI FT232R USB UART", or NULL when nothing says more than the path */
  gboolean  bluetooth;
} ObdPortInfo;

void       obd_port_info_free (ObdPortInfo *info);

/* Element type ObdPortInfo, by path: USB adapters named by manufacturer
 * and product, others by the driver's description. */
GPtrArray *obd_ports_list     (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdPortInfo, obd_port_info_free)

G_END_DECLS
