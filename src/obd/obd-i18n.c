/* obd-i18n.c — the programs' language set-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * obd2, obd2-diagnostics and obd2-syncd start the same way: the locale
 * from the environment (language, decimal comma, dates), and the
 * translations installed under LOCALEDIR.  A program run from its build
 * tree (the tests, development) has none installed there; OBD2_LOCALEDIR
 * names another folder of LANG/LC_MESSAGES/obd2-diagnostics.mo files,
 * such as the build tree's po/.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "obd-i18n.h"

void
obd_i18n_init (void)
{
  const char *dir = g_getenv ("OBD2_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
