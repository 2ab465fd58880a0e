/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connections-window.c: the remembered clusters, as rows of a
 * boxed list bound to the application's GListModel. */

#include <glib/gi18n.h>

#include "desktop-connection.h"
#include "desktop-connection-dialog.h"
#include "desktop-connections-window.h"

struct _DesktopConnectionsWindow
{
  AdwApplicationWindow  parent_instance;

  GtkStack             *stack;
  GtkListBox           *list_box;
  AdwToastOverlay      *toast_overlay;
};

G_DEFINE_FINAL_TYPE (DesktopConnectionsWindow, desktop_connections_window, ADW_TYPE_APPLICATION_WINDOW)

static GListModel *
get_connections (DesktopConnectionsWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return desktop_application_get_connections (DESKTOP_APPLICATION (app));
}

/* The current position of @connection (positions move as rows go). */
static gboolean
find_position (DesktopConnectionsWindow *self,
               DesktopConnection        *connection,
               guint                    *position)
{
  return g_list_store_find (G_LIST_STORE (get_connections (self)), connection, position);
}

static void
on_row_activated (AdwActionRow             *row,
                  DesktopConnectionsWindow *self)
{
  DesktopConnection *c = g_object_get_data (G_OBJECT (row), "connection");
  guint position;

  if (find_position (self, c, &position))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-connection", "u", position);
}

static void
on_edit_clicked (GtkButton                *button,
                 DesktopConnectionsWindow *self)
{
  DesktopConnection *c = g_object_get_data (G_OBJECT (button), "connection");
  guint position;

  if (find_position (self, c, &position))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-connection", "u", position);
}

static void
on_remove_clicked (GtkButton                *button,
                   DesktopConnectionsWindow *self)
{
  DesktopConnection *c = g_object_get_data (G_OBJECT (button), "connection");
  guint position;

  if (find_position (self, c, &position))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.remove-connection", "u", position);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  DesktopConnectionsWindow *self = user_data;
  DesktopConnection *c = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *go = gtk_image_new_from_icon_name ("go-next-symbolic");
  g_autofree char *edit_label = g_strdup_printf (_("Edit “%s”"), desktop_connection_get_name (c));
  g_autofree char *remove_label = g_strdup_printf (_("Remove “%s”"), desktop_connection_get_name (c));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), desktop_connection_get_name (c));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), desktop_connection_get_bootstrap_servers (c));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "connection", g_object_ref (c), g_object_unref);
  g_signal_connect_object (row, "activated", G_CALLBACK (on_row_activated), self, 0);

  gtk_widget_set_name (edit, "edit-button");
  gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (edit, _("Edit"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (edit), GTK_ACCESSIBLE_PROPERTY_LABEL, edit_label, -1);
  gtk_widget_add_css_class (edit, "flat");
  g_object_set_data_full (G_OBJECT (edit), "connection", g_object_ref (c), g_object_unref);
  g_signal_connect_object (edit, "clicked", G_CALLBACK (on_edit_clicked), self, 0);

  gtk_widget_set_name (remove, "remove-button");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data_full (G_OBJECT (remove), "connection", g_object_ref (c), g_object_unref);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), self, 0);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), go);
  return row;
}

static void
update_stack (DesktopConnectionsWindow *self)
{
  gboolean empty = g_list_model_get_n_items (get_connections (self)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
on_items_changed (GListModel               *model,
                  guint                     position,
                  guint                     removed,
                  guint                     added,
                  DesktopConnectionsWindow *self)
{
  update_stack (self);
}

/* ---- actions ---- */

static void
add_connection_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  DesktopConnectionDialog *dialog = desktop_connection_dialog_new (DESKTOP_APPLICATION (app), GTK_WINDOW (self), -1);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_connection_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  guint position = g_variant_get_uint32 (parameter);
  DesktopConnectionDialog *dialog;

  if (position >= g_list_model_get_n_items (get_connections (self)))
    return;
  dialog = desktop_connection_dialog_new (DESKTOP_APPLICATION (app), GTK_WINDOW (self), (int) position);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remove_connection_activated (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  guint position = g_variant_get_uint32 (parameter);
  g_autoptr(DesktopConnection) c = NULL;
  g_autofree char *message = NULL;

  if (position >= g_list_model_get_n_items (get_connections (self)))
    return;
  /* Removing forgets a name and an address only: no confirmation, the
   * toast says what went. */
  c = g_list_model_get_item (get_connections (self), position);
  message = g_strdup_printf (_("Removed “%s”"), desktop_connection_get_name (c));
  desktop_application_remove_connection (DESKTOP_APPLICATION (app), position);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
open_connection_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  guint position = g_variant_get_uint32 (parameter);
  g_autoptr(DesktopConnection) c = NULL;

  if (position >= g_list_model_get_n_items (get_connections (self)))
    return;
  c = g_list_model_get_item (get_connections (self), position);
  desktop_application_open_cluster (DESKTOP_APPLICATION (app), desktop_connection_get_name (c),
                                    desktop_connection_get_bootstrap_servers (c));
}

/* ---- GObject ---- */

/* After construction: GtkWindow:application is not a construct property. */
static void
bind_connections (DesktopConnectionsWindow *self)
{
  GListModel *model;

  model = get_connections (self);
  gtk_list_box_bind_model (self->list_box, model, create_row, self, NULL);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, 0);
  update_stack (self);
}

static void
desktop_connections_window_class_init (DesktopConnectionsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-connections-window.ui");
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "add_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, toast_overlay);

  gtk_widget_class_install_action (widget_class, "win.add-connection", NULL, add_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-connection", "u", edit_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.remove-connection", "u", remove_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.open-connection", "u", open_connection_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.add-connection", NULL);
}

static void
desktop_connections_window_init (DesktopConnectionsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

DesktopConnectionsWindow *
desktop_connections_window_new (DesktopApplication *app)
{
  DesktopConnectionsWindow *self;

  g_return_val_if_fail (DESKTOP_IS_APPLICATION (app), NULL);

  self = g_object_new (DESKTOP_TYPE_CONNECTIONS_WINDOW, "application", app, NULL);
  bind_connections (self);
  return self;
}
