/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-application.c: caudal-desktop's application object. */

#include <glib/gi18n.h>

#include "desktop-application.h"
#include "desktop-cluster-window.h"
#include "desktop-connection.h"
#include "desktop-connections-window.h"
#include "desktop-local-broker.h"

struct _DesktopApplication
{
  AdwApplication      parent_instance;
  GSettings          *settings;
  GListStore         *connections;   /* DesktopConnection */
  DesktopLocalBroker *local_broker;  /* the caudald we run, if any */
  gboolean            saving;
};

G_DEFINE_FINAL_TYPE (DesktopApplication, desktop_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Open a window on the cluster at HOST:PORT[,HOST:PORT…]"), N_("HOST:PORT") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

/* ---- the remembered clusters ---- */

static void
load_connections (DesktopApplication *self)
{
  g_autoptr(GVariant) value = g_settings_get_value (self->settings, "clusters");
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GVariantIter iter;
  const char *name, *bootstrap;

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&s)", &name, &bootstrap))
    g_ptr_array_add (items, desktop_connection_new (name, bootstrap));
  g_list_store_splice (self->connections, 0, g_list_model_get_n_items (G_LIST_MODEL (self->connections)),
                       items->pdata, items->len);
}

static void
save_connections (DesktopApplication *self)
{
  GVariantBuilder builder;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DesktopConnection) c = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      g_variant_builder_add (&builder, "(ss)", desktop_connection_get_name (c),
                             desktop_connection_get_bootstrap_servers (c));
    }
  /* Our own write needs no reload (it would rebuild every row). */
  self->saving = TRUE;
  g_settings_set_value (self->settings, "clusters", g_variant_builder_end (&builder));
  self->saving = FALSE;
}

static void
on_clusters_changed (GSettings          *settings,
                     const char         *key,
                     DesktopApplication *self)
{
  if (!self->saving)
    load_connections (self);
}

GListModel *
desktop_application_get_connections (DesktopApplication *self)
{
  g_return_val_if_fail (DESKTOP_IS_APPLICATION (self), NULL);
  return G_LIST_MODEL (self->connections);
}

void
desktop_application_add_connection (DesktopApplication *self,
                                    const char         *name,
                                    const char         *bootstrap_servers)
{
  g_autoptr(DesktopConnection) c = NULL;

  g_return_if_fail (DESKTOP_IS_APPLICATION (self));
  g_return_if_fail (name != NULL && bootstrap_servers != NULL);

  c = desktop_connection_new (name, bootstrap_servers);
  g_list_store_append (self->connections, c);
  save_connections (self);
}

void
desktop_application_replace_connection (DesktopApplication *self,
                                        guint               position,
                                        const char         *name,
                                        const char         *bootstrap_servers)
{
  g_autoptr(DesktopConnection) c = NULL;

  g_return_if_fail (DESKTOP_IS_APPLICATION (self));
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->connections)));

  c = desktop_connection_new (name, bootstrap_servers);
  g_list_store_splice (self->connections, position, 1, (gpointer *) &c, 1);
  save_connections (self);
}

void
desktop_application_remove_connection (DesktopApplication *self,
                                       guint               position)
{
  g_return_if_fail (DESKTOP_IS_APPLICATION (self));
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->connections)));

  g_list_store_remove (self->connections, position);
  save_connections (self);
}

DesktopLocalBroker *
desktop_application_get_local_broker (DesktopApplication *self)
{
  g_return_val_if_fail (DESKTOP_IS_APPLICATION (self), NULL);
  return self->local_broker;
}

guint
desktop_application_get_request_timeout (DesktopApplication *self)
{
  g_return_val_if_fail (DESKTOP_IS_APPLICATION (self), 30000);
  return g_settings_get_uint (self->settings, "request-timeout");
}

GtkWindow *
desktop_application_open_cluster (DesktopApplication *self,
                                  const char         *name,
                                  const char         *bootstrap_servers)
{
  GtkWindow *window;

  g_return_val_if_fail (DESKTOP_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (bootstrap_servers != NULL, NULL);

  window = GTK_WINDOW (desktop_cluster_window_new (self, name, bootstrap_servers));
  gtk_window_present (window);
  return window;
}

GtkWindow *
desktop_application_open_connections (DesktopApplication *self)
{
  GtkWindow *window;

  g_return_val_if_fail (DESKTOP_IS_APPLICATION (self), NULL);

  window = GTK_WINDOW (desktop_connections_window_new (self));
  gtk_window_present (window);
  return window;
}

/* ---- actions ---- */

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
new_window_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  desktop_application_open_connections (DESKTOP_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Caudal developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Caudal"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Caudal developers"),
                        /* Translators: your name(s), one per line, as the About window credits them */
                        "translator-credits", _("translator-credits"),
                        "developers", developers,
                        "version", CAUDAL_VERSION,
                        "comments", _("Manage Kafka-protocol clusters: topics, messages and consumer groups"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated },
  { .name = "about", .activate = about_activated },
  { .name = "new-window", .activate = new_window_activated },
};

/* ---- GApplication ---- */

static void
desktop_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_window_accels[] = { "<Control>n", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (desktop_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
}

static void
on_local_broker_stopped (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  gboolean *done = user_data;

  desktop_local_broker_stop_finish (DESKTOP_LOCAL_BROKER (source), result, NULL);
  *done = TRUE;
}

static void
desktop_application_shutdown (GApplication *app)
{
  DesktopApplication *self = DESKTOP_APPLICATION (app);
  gboolean done = FALSE;

  /* Only a broker we started is ours to stop. The main loop has ended:
   * turn the context ourselves until it has exited (SIGKILL bounds it). */
  desktop_local_broker_stop_async (self->local_broker, NULL, on_local_broker_stopped, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  G_APPLICATION_CLASS (desktop_application_parent_class)->shutdown (app);
}

static void
desktop_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window != NULL)
    gtk_window_present (window);
  else
    desktop_application_open_connections (DESKTOP_APPLICATION (app));
}

static int
desktop_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("caudal-desktop %s\n", CAUDAL_VERSION);
      return 0;
    }
  return -1;
}

static int
desktop_application_command_line (GApplication            *app,
                                  GApplicationCommandLine *command_line)
{
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *bootstrap = NULL;

  if (g_variant_dict_lookup (options, "bootstrap-server", "&s", &bootstrap))
    desktop_application_open_cluster (DESKTOP_APPLICATION (app), NULL, bootstrap);
  else
    g_application_activate (app);
  return 0;
}

static void
desktop_application_dispose (GObject *object)
{
  DesktopApplication *self = DESKTOP_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->connections);
  g_clear_object (&self->local_broker);
  G_OBJECT_CLASS (desktop_application_parent_class)->dispose (object);
}

static void
desktop_application_class_init (DesktopApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = desktop_application_dispose;
  app_class->startup = desktop_application_startup;
  app_class->shutdown = desktop_application_shutdown;
  app_class->activate = desktop_application_activate;
  app_class->handle_local_options = desktop_application_handle_local_options;
  app_class->command_line = desktop_application_command_line;
}

static void
desktop_application_init (DesktopApplication *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  self->connections = g_list_store_new (DESKTOP_TYPE_CONNECTION);
  self->local_broker = desktop_local_broker_new ();
  g_signal_connect_object (self->settings, "changed::clusters", G_CALLBACK (on_clusters_changed), self, 0);
  load_connections (self);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

DesktopApplication *
desktop_application_new (void)
{
  return g_object_new (DESKTOP_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/caudal/Caudal",
                       NULL);
}
