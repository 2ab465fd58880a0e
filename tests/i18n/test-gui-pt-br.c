/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-pt-br.c: caudal-desktop speaks Brazilian Portuguese. Run by
 * tests/i18n/pt_br_env.py (pt_BR locale, CAUDAL_LOCALEDIR = the build's
 * po/) under Xvfb: the connections window shows its template's strings
 * translated, the Add Cluster dialog its title set in C, and testing a
 * connection to a real caudald the singular of a plural message. */

#include <glib/gi18n.h>
#include <locale.h>

#include "desktop-connection-dialog.h"
#include "desktop-connections-window.h"
#include "gui-test-util.h"

static void
test_connections_window (void)
{
  g_autoptr(DesktopApplication) app = gui_test_app_new ();
  GuiTestBroker broker = { 0 };
  GtkWindow *window;
  GtkWindow *dialog = NULL;
  AdwEntryRow *bootstrap_row;
  AdwActionRow *test_row;

  gui_test_broker_start (&broker, NULL);
  window = desktop_application_open_connections (app);

  /* From the .ui template: "No Clusters". */
  WAIT_FOR (find_widget (GTK_WIDGET (window), match_label_containing, "Nenhum cluster") != NULL);
  g_assert_null (find_widget (GTK_WIDGET (window), match_label_containing, "No Clusters"));

  /* From C: the dialog's title. */
  gtk_widget_activate (CHILD (window, GtkWidget, DESKTOP_TYPE_CONNECTIONS_WINDOW, "add_button"));
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_CONNECTION_DIALOG)) != NULL);
  g_assert_cmpstr (gtk_window_get_title (dialog), ==, "Adicionar cluster");

  /* ngettext: one broker, Portuguese singular. */
  bootstrap_row = CHILD (dialog, AdwEntryRow, DESKTOP_TYPE_CONNECTION_DIALOG, "bootstrap_row");
  test_row = CHILD (dialog, AdwActionRow, DESKTOP_TYPE_CONNECTION_DIALOG, "test_row");
  gtk_editable_set_text (GTK_EDITABLE (bootstrap_row), broker.bootstrap);
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CONNECTION_DIALOG, "test_button"));
  WAIT_FOR (g_str_has_prefix (adw_action_row_get_subtitle (test_row), "Conectado: 1 broker, cluster "));

  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_CONNECTION_DIALOG) == NULL);
  gui_test_destroy_toplevels ();
  gui_test_broker_stop (&broker);
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("CAUDAL_LOCALEDIR");

  /* As client-gui/main.c does, with the build's catalogues. */
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gui_test_init (&argc, &argv);
  /* gtk_test_init() chose a fixed locale of its own: take the
   * environment's again, which must not be "C" (gettext ignores
   * LANGUAGE there). */
  g_assert_nonnull (setlocale (LC_ALL, ""));
  g_assert_cmpstr (setlocale (LC_MESSAGES, NULL), !=, "C");

  g_test_add_func ("/i18n/pt_BR/connections-window", test_connections_window);
  return g_test_run ();
}
