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

  setlocale (LC_ALL, "");
  bindtextdomain ("caudal", LOCALEDIR);
  bind_textdomain_codeset ("caudal", "UTF-8");
  textdomain ("caudal");

  app = desktop_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
