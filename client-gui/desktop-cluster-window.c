/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-cluster-window.c: a cluster's window. It owns the
 * CaudalCluster its pages share; closing the window cancels their calls
 * (each page cancels its own when unmapped or disposed). */

#include <glib/gi18n.h>

#include "desktop-cluster-window.h"
#include "desktop-groups-page.h"
#include "desktop-overview-page.h"
#include "desktop-produce-dialog.h"
#include "desktop-topics-page.h"

struct _DesktopClusterWindow
{
  AdwApplicationWindow  parent_instance;

  GtkStack             *stack;
  AdwViewStack         *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwStatusPage        *invalid_page;
  DesktopOverviewPage  *overview_page;
  DesktopTopicsPage    *topics_page;
  DesktopGroupsPage    *groups_page;

  char                 *name;
  char                 *bootstrap_servers;
  CaudalCluster        *cluster;
};

G_DEFINE_FINAL_TYPE (DesktopClusterWindow, desktop_cluster_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_NAME, PROP_BOOTSTRAP_SERVERS, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* After construction: GtkWindow:application is not a construct property. */
static void
connect_cluster (DesktopClusterWindow *self)
{
  GtkApplication *app;
  g_autoptr(GError) error = NULL;
  const char *title;

  title = self->name != NULL && *self->name != '\0' ? self->name : self->bootstrap_servers;
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_view_switcher_title_set_title (self->switcher_title, title);
  adw_view_switcher_title_set_subtitle (self->switcher_title, self->bootstrap_servers);

  self->cluster = caudal_cluster_new (self->bootstrap_servers, "caudal-desktop", &error);
  if (self->cluster == NULL)
    {
      adw_status_page_set_description (self->invalid_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "invalid");
      return;
    }
  app = gtk_window_get_application (GTK_WINDOW (self));
  if (DESKTOP_IS_APPLICATION (app))
    caudal_cluster_set_timeout (self->cluster, desktop_application_get_request_timeout (DESKTOP_APPLICATION (app)));
  desktop_overview_page_set_cluster (self->overview_page, self->cluster, self->bootstrap_servers);
  desktop_topics_page_set_cluster (self->topics_page, self->cluster, self->bootstrap_servers);
  desktop_groups_page_set_cluster (self->groups_page, self->cluster, self->bootstrap_servers);
}

static void
desktop_cluster_window_dispose (GObject *object)
{
  DesktopClusterWindow *self = DESKTOP_CLUSTER_WINDOW (object);

  g_clear_object (&self->cluster);
  G_OBJECT_CLASS (desktop_cluster_window_parent_class)->dispose (object);
}

static void
desktop_cluster_window_finalize (GObject *object)
{
  DesktopClusterWindow *self = DESKTOP_CLUSTER_WINDOW (object);

  g_free (self->name);
  g_free (self->bootstrap_servers);
  G_OBJECT_CLASS (desktop_cluster_window_parent_class)->finalize (object);
}

static void
desktop_cluster_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  DesktopClusterWindow *self = DESKTOP_CLUSTER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_BOOTSTRAP_SERVERS:
      g_value_set_string (value, self->bootstrap_servers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_cluster_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  DesktopClusterWindow *self = DESKTOP_CLUSTER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_BOOTSTRAP_SERVERS:
      self->bootstrap_servers = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
produce_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DesktopClusterWindow *self = DESKTOP_CLUSTER_WINDOW (widget);
  DesktopProduceDialog *dialog;

  if (self->cluster == NULL)
    return;
  dialog = desktop_produce_dialog_new (GTK_WINDOW (self), self->cluster, self->bootstrap_servers, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Alt+1…3: the pages by name, as GNOME apps with a view switcher do. */
static void
show_page_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DesktopClusterWindow *self = DESKTOP_CLUSTER_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (parameter, NULL));
}

static void
desktop_cluster_window_class_init (DesktopClusterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_cluster_window_dispose;
  object_class->finalize = desktop_cluster_window_finalize;
  object_class->get_property = desktop_cluster_window_get_property;
  object_class->set_property = desktop_cluster_window_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOOTSTRAP_SERVERS] =
    g_param_spec_string ("bootstrap-servers", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DESKTOP_TYPE_OVERVIEW_PAGE);
  g_type_ensure (DESKTOP_TYPE_TOPICS_PAGE);
  g_type_ensure (DESKTOP_TYPE_GROUPS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-cluster-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, invalid_page);
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, topics_page);
  gtk_widget_class_bind_template_child (widget_class, DesktopClusterWindow, groups_page);
  gtk_widget_class_install_action (widget_class, "cluster.produce", NULL, produce_activated);
  gtk_widget_class_install_action (widget_class, "cluster.show-page", "s", show_page_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "cluster.produce", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "cluster.show-page", "s", "overview");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "cluster.show-page", "s", "topics");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "cluster.show-page", "s", "groups");
}

static void
desktop_cluster_window_init (DesktopClusterWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

DesktopClusterWindow *
desktop_cluster_window_new (DesktopApplication *app,
                            const char         *name,
                            const char         *bootstrap_servers)
{
  DesktopClusterWindow *self;

  g_return_val_if_fail (DESKTOP_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (bootstrap_servers != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_CLUSTER_WINDOW,
                       "application", app,
                       "name", name,
                       "bootstrap-servers", bootstrap_servers,
                       NULL);
  connect_cluster (self);
  return self;
}

const char *
desktop_cluster_window_get_bootstrap_servers (DesktopClusterWindow *self)
{
  g_return_val_if_fail (DESKTOP_IS_CLUSTER_WINDOW (self), NULL);
  return self->bootstrap_servers;
}

CaudalCluster *
desktop_cluster_window_get_cluster (DesktopClusterWindow *self)
{
  g_return_val_if_fail (DESKTOP_IS_CLUSTER_WINDOW (self), NULL);
  return self->cluster;
}
