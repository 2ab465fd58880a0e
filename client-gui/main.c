/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: caudal-desktop's entry point. */

#include <glib/gi18n.h>
#include <locale.h>

#include "desktop-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(DesktopApplication) app = NULL;
  const char *localedir = g_getenv ("CAUDAL_LOCALEDIR");

  /* CAUDAL_LOCALEDIR: the catalogues of a build tree (_build/po), so an
   * uninstalled app runs translated (tests, tools/run). */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = desktop_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
