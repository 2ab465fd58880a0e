/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connections-window.c: the remembered clusters, as rows of a
 * boxed list bound to the application's GListModel, and the button that
 * starts or stops the application's local broker. */

#include <glib/gi18n.h>

#include "desktop-connection.h"
#include "desktop-connection-dialog.h"
#include "desktop-connections-window.h"
#include "desktop-util.h"

struct _DesktopConnectionsWindow
{
  AdwApplicationWindow  parent_instance;

  GtkStack             *stack;
  GtkListBox           *list_box;
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *local_box;
  GtkButton            *local_button;
  GtkSpinner           *local_spinner;

  DesktopLocalBroker   *local_broker;
  char                 *caudald;            /* the executable found, or NULL */
  GCancellable         *probe_cancellable;  /* the port probe in flight, or NULL */
  gboolean              probed;
  gboolean              port_taken;
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

/* Rows and their buttons carry their DesktopConnection, not a position:
 * positions move as connections are added and removed. */
static void
activate_for_connection (DesktopConnectionsWindow *self,
                         GtkWidget                *widget,
                         const char               *action)
{
  DesktopConnection *c = g_object_get_data (G_OBJECT (widget), "connection");
  guint position;

  if (find_position (self, c, &position))
    gtk_widget_activate_action (GTK_WIDGET (self), action, "u", position);
}

static void
on_row_activated (AdwActionRow             *row,
                  DesktopConnectionsWindow *self)
{
  activate_for_connection (self, GTK_WIDGET (row), "win.open-connection");
}

static void
on_edit_clicked (GtkButton                *button,
                 DesktopConnectionsWindow *self)
{
  activate_for_connection (self, GTK_WIDGET (button), "win.edit-connection");
}

static void
on_remove_clicked (GtkButton                *button,
                   DesktopConnectionsWindow *self)
{
  activate_for_connection (self, GTK_WIDGET (button), "win.remove-connection");
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

/* ---- the local broker ---- */

/* Shown when we run one, or when one could run: caudald is there and
 * nothing listens on its port yet. */
static void
update_local_broker (DesktopConnectionsWindow *self)
{
  DesktopLocalBrokerState state = desktop_local_broker_get_state (self->local_broker);
  gboolean ours = state != DESKTOP_LOCAL_BROKER_STOPPED;
  gboolean busy = state == DESKTOP_LOCAL_BROKER_STARTING || state == DESKTOP_LOCAL_BROKER_STOPPING;

  gtk_widget_set_visible (self->local_box, ours || (self->caudald != NULL && self->probed && !self->port_taken));
  gtk_button_set_label (self->local_button, ours ? _("_Stop Local Broker") : _("_Start Local Broker"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->local_button), state != DESKTOP_LOCAL_BROKER_STOPPING);
  gtk_widget_set_visible (GTK_WIDGET (self->local_spinner), busy);
  gtk_spinner_set_spinning (self->local_spinner, busy);
}

static void
on_probed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  DesktopConnectionsWindow *self;
  g_autoptr(GError) error = NULL;
  gboolean taken;

  /* Cancelled on unmap and dispose: @user_data may be gone. */
  taken = desktop_local_broker_probe_finish (DESKTOP_LOCAL_BROKER (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  self = user_data;
  g_clear_object (&self->probe_cancellable);
  self->probed = TRUE;
  self->port_taken = taken;
  update_local_broker (self);
}

static void
probe_local_broker (DesktopConnectionsWindow *self)
{
  if (self->local_broker == NULL)
    return;
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_free (self->caudald);
  self->caudald = desktop_local_broker_find_executable ();
  update_local_broker (self);
  if (self->caudald == NULL)
    return;
  self->probe_cancellable = g_cancellable_new ();
  desktop_local_broker_probe_async (self->local_broker, self->probe_cancellable, on_probed, self);
}

static void
on_local_broker_state (DesktopLocalBroker       *broker,
                       GParamSpec               *pspec,
                       DesktopConnectionsWindow *self)
{
  update_local_broker (self);
  /* Whether the port is free again, once ours has gone. */
  if (desktop_local_broker_get_state (broker) == DESKTOP_LOCAL_BROKER_STOPPED
      && gtk_widget_get_mapped (GTK_WIDGET (self)))
    probe_local_broker (self);
}

static void
on_local_broker_exited (DesktopLocalBroker       *broker,
                        const char               *message,
                        DesktopConnectionsWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("The local broker stopped: %s"), message);

  desktop_show_toast (GTK_WIDGET (self), text);
}

/* The connection named "Local broker", added or pointed at @bootstrap
 * (its port can change between runs when the listener asks for port 0). */
static void
remember_local_broker (DesktopApplication *app,
                       const char         *name,
                       const char         *bootstrap)
{
  GListModel *connections = desktop_application_get_connections (app);

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(DesktopConnection) c = g_list_model_get_item (connections, i);

      if (g_strcmp0 (desktop_connection_get_name (c), name) != 0)
        continue;
      if (g_strcmp0 (desktop_connection_get_bootstrap_servers (c), bootstrap) != 0)
        desktop_application_replace_connection (app, i, name, bootstrap);
      return;
    }
  desktop_application_add_connection (app, name, bootstrap);
}

typedef struct
{
  DesktopConnectionsWindow *self;
  DesktopApplication       *app;   /* the window may have left it by the time */
} StartData;

static void
start_data_free (StartData *d)
{
  g_object_unref (d->self);
  g_object_unref (d->app);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartData, start_data_free)

static void
on_local_broker_started (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(StartData) d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *bootstrap = NULL;
  const char *name = _("Local broker");

  bootstrap = desktop_local_broker_start_finish (DESKTOP_LOCAL_BROKER (source), result, &error);
  if (bootstrap == NULL)
    {
      /* Cancelled: stopped by the user before it was ready. */
      if (!desktop_error_is_cancelled (error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not start the local broker: %s"), error->message);
          desktop_show_toast (GTK_WIDGET (d->self), message);
        }
      return;
    }
  remember_local_broker (d->app, name, bootstrap);
  desktop_application_open_cluster (d->app, name, bootstrap);
}

static void
on_local_broker_stopped (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  desktop_local_broker_stop_finish (DESKTOP_LOCAL_BROKER (source), result, NULL);
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

static void
local_broker_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  StartData *d;

  if (self->local_broker == NULL)
    return;
  switch (desktop_local_broker_get_state (self->local_broker))
    {
    case DESKTOP_LOCAL_BROKER_STOPPED:
      d = g_new0 (StartData, 1);
      d->self = g_object_ref (self);
      d->app = DESKTOP_APPLICATION (g_object_ref (app));
      /* Not cancelled with the window: the broker is the application's. */
      desktop_local_broker_start_async (self->local_broker, NULL, on_local_broker_started, d);
      break;
    case DESKTOP_LOCAL_BROKER_STARTING:
    case DESKTOP_LOCAL_BROKER_RUNNING:
      desktop_local_broker_stop_async (self->local_broker, NULL, on_local_broker_stopped, NULL);
      break;
    case DESKTOP_LOCAL_BROKER_STOPPING:
    default:
      break;
    }
}

/* ---- GObject ---- */

/* After construction: GtkWindow:application is not a construct property. */
static void
bind_connections (DesktopConnectionsWindow *self)
{
  DesktopApplication *app;
  GListModel *model;

  model = get_connections (self);
  gtk_list_box_bind_model (self->list_box, model, create_row, self, NULL);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, 0);
  update_stack (self);

  app = DESKTOP_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  self->local_broker = g_object_ref (desktop_application_get_local_broker (app));
  g_signal_connect_object (self->local_broker, "notify::state", G_CALLBACK (on_local_broker_state), self, 0);
  g_signal_connect_object (self->local_broker, "exited", G_CALLBACK (on_local_broker_exited), self, 0);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    probe_local_broker (self);
}

static void
desktop_connections_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (desktop_connections_window_parent_class)->map (widget);
  /* Something may have taken the port, or let it go, since last time. */
  probe_local_broker (DESKTOP_CONNECTIONS_WINDOW (widget));
}

static void
desktop_connections_window_unmap (GtkWidget *widget)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (widget);

  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  GTK_WIDGET_CLASS (desktop_connections_window_parent_class)->unmap (widget);
}

static void
desktop_connections_window_dispose (GObject *object)
{
  DesktopConnectionsWindow *self = DESKTOP_CONNECTIONS_WINDOW (object);

  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_clear_object (&self->local_broker);
  g_clear_pointer (&self->caudald, g_free);
  G_OBJECT_CLASS (desktop_connections_window_parent_class)->dispose (object);
}

static void
desktop_connections_window_class_init (DesktopConnectionsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_connections_window_dispose;
  widget_class->map = desktop_connections_window_map;
  widget_class->unmap = desktop_connections_window_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-connections-window.ui");
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "add_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, local_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, local_button);
  gtk_widget_class_bind_template_child (widget_class, DesktopConnectionsWindow, local_spinner);

  gtk_widget_class_install_action (widget_class, "win.add-connection", NULL, add_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-connection", "u", edit_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.remove-connection", "u", remove_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.open-connection", "u", open_connection_activated);
  gtk_widget_class_install_action (widget_class, "win.local-broker", NULL, local_broker_activated);
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
