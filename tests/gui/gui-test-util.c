/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gui-test-util.c: see gui-test-util.h. */

#include "gui-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void
gui_test_init (int    *argc,
               char ***argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  gtk_test_init (argc, argv, NULL);
}

/* ---- the broker ---- */

#ifdef __linux__
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

void
gui_test_broker_start (GuiTestBroker      *broker,
                       const char * const *extra_overrides)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("CAUDALD");
  g_autofree char *ready = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_nonnull (path);
  broker->dir = g_dir_make_tmp ("caudal-gui-XXXXXX", &error);
  g_assert_no_error (error);
  ready = g_build_filename (broker->dir, "ready", NULL);

  g_ptr_array_add (argv, g_strdup (path));
  g_ptr_array_add (argv, g_strdup ("--override"));
  g_ptr_array_add (argv, g_strdup ("listeners=PLAINTEXT://127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup ("--override"));
  g_ptr_array_add (argv, g_strdup_printf ("log.dirs=%s/data", broker->dir));
  for (guint i = 0; extra_overrides != NULL && extra_overrides[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--override"));
      g_ptr_array_add (argv, g_strdup (extra_overrides[i]));
    }
  g_ptr_array_add (argv, g_strdup ("--ready-file"));
  g_ptr_array_add (argv, g_strdup (ready));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
#ifdef __linux__
  /* A test that aborts must not leave its broker behind. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  broker->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && !g_file_test (ready, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_assert_true (g_file_get_contents (ready, &contents, NULL, &error));
  /* The ready file: "NODE HOST PORT". */
  fields = g_strsplit (g_strstrip (contents), " ", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  broker->bootstrap = g_strdup_printf ("%s:%s", fields[1], fields[2]);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
gui_test_broker_stop (GuiTestBroker *broker)
{
  if (broker->process != NULL)
    {
      g_subprocess_send_signal (broker->process, SIGTERM);
      g_subprocess_wait (broker->process, NULL, NULL);
      g_clear_object (&broker->process);
    }
  if (broker->dir != NULL)
    rm_rf (broker->dir);
  g_clear_pointer (&broker->dir, g_free);
  g_clear_pointer (&broker->bootstrap, g_free);
}

/* ---- the application ---- */

DesktopApplication *
gui_test_app_new (void)
{
  g_autoptr(GError) error = NULL;
  DesktopApplication *app = desktop_application_new ();

  /* No session bus in tests: a non-unique application needs none. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

void
gui_test_destroy_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, 0);
      gtk_window_destroy (w);
    }
}

/* ---- driving the main loop ---- */

static gboolean
tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

guint
gui_test_ticker_start (void)
{
  return g_timeout_add (10, tick, NULL);
}

/* ---- finding widgets ---- */

GtkWidget *
find_widget (GtkWidget    *root,
             WidgetMatch   match,
             gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
match_label_containing (GtkWidget    *widget,
                        gconstpointer text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

gboolean
match_button_label (GtkWidget    *widget,
                    gconstpointer label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

gboolean
match_row_named (GtkWidget    *widget,
                 gconstpointer name)
{
  return ADW_IS_ACTION_ROW (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

void
click_response (GtkWindow  *dialog,
                const char *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (dialog), match_button_label, label);

  g_assert_nonnull (button);
  gtk_widget_activate (button);
}

static gboolean
match_toast (GtkWidget    *widget,
             gconstpointer text)
{
  /* AdwToastWidget is private: recognised by its type name. */
  return g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget") == 0
         && find_widget (widget, match_label_containing, text) != NULL;
}

gboolean
has_toast (GtkWindow  *window,
           const char *text)
{
  return find_widget (GTK_WIDGET (window), match_toast, text) != NULL;
}

GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}
