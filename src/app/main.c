/* main.c — obd2-diagnostics, the workshop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-application.h"
#include "obd-i18n.h"

int
main (int argc, char **argv)
{
  g_autoptr(ObdApplication) app = NULL;

  obd_i18n_init ();

  g_set_application_name (_("OBD2 Diagnostics"));
  app = obd_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
