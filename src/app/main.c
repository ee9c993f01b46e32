/* main.c — obd2-diagnostics, the workshop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "obd-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(ObdApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("OBD2 Diagnostics"));
  app = obd_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
