/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connection-dialog.c: add or edit a cluster; "Test" fetches the
 * cluster's metadata asynchronously and shows the broker count or the
 * error. */

#include <glib/gi18n.h>

#include "desktop-connection.h"
#include "desktop-connection-dialog.h"
#include "desktop-util.h"

struct _DesktopConnectionDialog
{
  AdwWindow           parent_instance;

  AdwEntryRow        *name_row;
  AdwEntryRow        *bootstrap_row;
  AdwActionRow       *test_row;
  GtkSpinner         *test_spinner;
  AdwToastOverlay    *toast_overlay;

  DesktopApplication *app;
  int                 position;
  GCancellable       *test_cancellable;
  CaudalCluster      *test_cluster;
};

G_DEFINE_FINAL_TYPE (DesktopConnectionDialog, desktop_connection_dialog, ADW_TYPE_WINDOW)

static char *
get_trimmed (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
update_actions (DesktopConnectionDialog *self)
{
  g_autofree char *name = get_trimmed (self->name_row);
  g_autofree char *bootstrap = get_trimmed (self->bootstrap_row);
  gboolean testing = self->test_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", *name != '\0' && *bootstrap != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.test", *bootstrap != '\0' && !testing);
}

static void
on_changed (GtkEditable             *editable,
            DesktopConnectionDialog *self)
{
  update_actions (self);
}

static void
on_entry_activated (AdwEntryRow             *row,
                    DesktopConnectionDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.save", NULL);
}

static void
cancel_test (DesktopConnectionDialog *self)
{
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  g_clear_object (&self->test_cluster);
  gtk_spinner_stop (self->test_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), FALSE);
}

static void
on_test_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DesktopConnectionDialog) self = user_data;
  CaudalCluster *cluster = CAUDAL_CLUSTER (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!caudal_cluster_refresh_metadata_finish (cluster, result, &error))
    {
      if (desktop_error_is_cancelled (error))
        return;
      text = g_strdup_printf (_("Failed: %s"), error->message);
    }
  else
    {
      guint n = caudal_cluster_get_brokers (cluster)->len;
      const char *id = caudal_cluster_get_cluster_id (cluster);

      if (id != NULL)
        text = g_strdup_printf (ngettext ("Connected: %u broker, cluster %s",
                                          "Connected: %u brokers, cluster %s", n), n, id);
      else
        text = g_strdup_printf (ngettext ("Connected: %u broker", "Connected: %u brokers", n), n);
    }
  adw_action_row_set_subtitle (self->test_row, text);
  cancel_test (self);
  update_actions (self);
}

static void
test_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DesktopConnectionDialog *self = DESKTOP_CONNECTION_DIALOG (widget);
  g_autofree char *bootstrap = get_trimmed (self->bootstrap_row);
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = NULL;

  cancel_test (self);
  cluster = caudal_cluster_new (bootstrap, "caudal-desktop", &error);
  if (cluster == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Failed: %s"), error->message);
      adw_action_row_set_subtitle (self->test_row, text);
      return;
    }
  caudal_cluster_set_timeout (cluster, desktop_application_get_request_timeout (self->app));
  self->test_cluster = g_steal_pointer (&cluster);
  self->test_cancellable = g_cancellable_new ();
  adw_action_row_set_subtitle (self->test_row, _("Connecting…"));
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), TRUE);
  gtk_spinner_start (self->test_spinner);
  update_actions (self);
  /* No topics: the brokers and the cluster id are all a test needs. */
  caudal_cluster_refresh_metadata_async (self->test_cluster, (const char *const[]) { NULL }, FALSE,
                                         self->test_cancellable, on_test_done, g_object_ref (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DesktopConnectionDialog *self = DESKTOP_CONNECTION_DIALOG (widget);
  g_autofree char *name = get_trimmed (self->name_row);
  g_autofree char *bootstrap = get_trimmed (self->bootstrap_row);
  g_autoptr(CaudalCluster) check = NULL;
  g_autoptr(GError) error = NULL;

  /* Refuse what libcaudal cannot parse now rather than when opened. */
  check = caudal_cluster_new (bootstrap, "caudal-desktop", &error);
  if (check == NULL)
    {
      desktop_show_toast (GTK_WIDGET (self->toast_overlay), error->message);
      return;
    }
  if (self->position < 0)
    desktop_application_add_connection (self->app, name, bootstrap);
  else
    desktop_application_replace_connection (self->app, (guint) self->position, name, bootstrap);
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
desktop_connection_dialog_close_request (GtkWindow *window)
{
  cancel_test (DESKTOP_CONNECTION_DIALOG (window));
  return GTK_WINDOW_CLASS (desktop_connection_dialog_parent_class)->close_request (window);
}

static void
desktop_connection_dialog_dispose (GObject *object)
{
  DesktopConnectionDialog *self = DESKTOP_CONNECTION_DIALOG (object);

  cancel_test (self);
  g_clear_object (&self->app);
  G_OBJECT_CLASS (desktop_connection_dialog_parent_class)->dispose (object);
}

static void
desktop_connection_dialog_class_init (DesktopConnectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = desktop_connection_dialog_dispose;
  window_class->close_request = desktop_connection_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-connection-dialog.ui");
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "test_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "save_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionDialog, bootstrap_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionDialog, toast_overlay);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "dialog.test", NULL, test_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
desktop_connection_dialog_init (DesktopConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (on_changed), self, 0);
  g_signal_connect_object (self->bootstrap_row, "changed", G_CALLBACK (on_changed), self, 0);
  /* Enter in the last entry saves. */
  g_signal_connect_object (self->bootstrap_row, "entry-activated", G_CALLBACK (on_entry_activated), self, 0);
}

DesktopConnectionDialog *
desktop_connection_dialog_new (DesktopApplication *app,
                               GtkWindow          *parent,
                               int                 position)
{
  DesktopConnectionDialog *self;

  g_return_val_if_fail (DESKTOP_IS_APPLICATION (app), NULL);

  self = g_object_new (DESKTOP_TYPE_CONNECTION_DIALOG,
                       "transient-for", parent,
                       "title", position < 0 ? _("Add Cluster") : _("Edit Cluster"),
                       NULL);
  self->app = g_object_ref (app);
  self->position = position;
  gtk_editable_set_text (GTK_EDITABLE (self->bootstrap_row), position < 0 ? "localhost:9092" : "");
  if (position >= 0)
    {
      g_autoptr(DesktopConnection) c = g_list_model_get_item (desktop_application_get_connections (app), (guint) position);

      gtk_editable_set_text (GTK_EDITABLE (self->name_row), desktop_connection_get_name (c));
      gtk_editable_set_text (GTK_EDITABLE (self->bootstrap_row), desktop_connection_get_bootstrap_servers (c));
    }
  update_actions (self);
  return self;
}
