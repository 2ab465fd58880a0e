/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-groups-page.c: ListGroups, then DescribeGroups and the lag of
 * each group (CaudalAdmin), into a GListStore of DesktopGroupItem →
 * filter (search) → GtkListBox of AdwActionRows. Reloads every
 * REFRESH_SECONDS while mapped; activating a row opens DesktopGroupView.
 * DesktopGroupItem is this page's private row object. */

#include <glib/gi18n.h>
#include <string.h>

#include "caudal-admin.h"
#include "desktop-group-view.h"
#include "desktop-groups-page.h"
#include "desktop-util.h"

#define REFRESH_SECONDS 3

/* ---- DesktopGroupItem: one row ---- */

#define DESKTOP_TYPE_GROUP_ITEM (desktop_group_item_get_type ())
G_DECLARE_FINAL_TYPE (DesktopGroupItem, desktop_group_item, DESKTOP, GROUP_ITEM, GObject)

struct _DesktopGroupItem
{
  GObject  parent_instance;
  char    *group_id;
  char    *state;
  char    *topics;      /* comma-separated, may be "" */
  guint    members;
  gint64   lag;         /* -1 when unknown */
};

G_DEFINE_FINAL_TYPE (DesktopGroupItem, desktop_group_item, G_TYPE_OBJECT)

static void
desktop_group_item_finalize (GObject *object)
{
  DesktopGroupItem *self = DESKTOP_GROUP_ITEM (object);

  g_free (self->group_id);
  g_free (self->state);
  g_free (self->topics);
  G_OBJECT_CLASS (desktop_group_item_parent_class)->finalize (object);
}

static void
desktop_group_item_class_init (DesktopGroupItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = desktop_group_item_finalize;
}

static void
desktop_group_item_init (DesktopGroupItem *self)
{
  self->lag = -1;
  self->topics = g_strdup ("");
}

/* ---- the page ---- */

struct _DesktopGroupsPage
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkSearchEntry     *search_entry;
  GtkListBox         *list_box;

  GListStore         *groups;     /* DesktopGroupItem */
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;

  CaudalCluster      *cluster;
  CaudalAdmin        *admin;
  char               *bootstrap_servers;
  GCancellable       *cancellable;   /* loading: cancelled on unmap and dispose */
  guint               timer;
  gboolean            loading;
  gboolean            loaded;
  gboolean            failed;        /* the last load failed: one toast per outage */
};

G_DEFINE_FINAL_TYPE (DesktopGroupsPage, desktop_groups_page, ADW_TYPE_BIN)

static gboolean
filter_group (gpointer item,
              gpointer user_data)
{
  DesktopGroupsPage *self = user_data;
  DesktopGroupItem *group = item;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *id = NULL;
  g_autofree char *needle = NULL;

  if (search == NULL || *search == '\0')
    return TRUE;
  id = g_utf8_casefold (group->group_id, -1);
  needle = g_utf8_casefold (search, -1);
  return strstr (id, needle) != NULL;
}

static void
update_stack (DesktopGroupsPage *self)
{
  if (!self->loaded)
    return;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else
    {
      const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

      adw_status_page_set_title (self->empty_page,
                                 *search != '\0' ? _("No Matching Groups") : _("No Consumer Groups"));
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
}

static void
filter_changed (DesktopGroupsPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_stack (self);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  DesktopGroupItem *group = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *lag = group->lag >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, group->lag) : g_strdup ("–");
  g_autofree char *subtitle = NULL;

  subtitle = g_strdup_printf (ngettext ("%s · %u member · lag %s", "%s · %u members · lag %s", group->members),
                              group->state != NULL ? group->state : _("Unknown"), group->members, lag);
  if (*group->topics != '\0')
    {
      char *with_topics = g_strdup_printf ("%s · %s", subtitle, group->topics);
      g_free (subtitle);
      subtitle = with_topics;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), group->group_id);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, group->group_id);
  return row;
}

/* ---- loading ---- */

typedef struct
{
  DesktopGroupsPage *self;
  GCancellable      *cancellable;
  GPtrArray         *items;   /* DesktopGroupItem */
  guint              pending;
} LoadData;

static void
load_data_done (LoadData *d)
{
  DesktopGroupsPage *self = d->self;

  if (--d->pending > 0)
    return;
  if (!g_cancellable_is_cancelled (d->cancellable))
    {
      self->loading = FALSE;
      self->loaded = TRUE;
      self->failed = FALSE;
      adw_status_page_set_description (self->empty_page, NULL);
      g_list_store_splice (self->groups, 0, g_list_model_get_n_items (G_LIST_MODEL (self->groups)),
                           d->items->pdata, d->items->len);
      update_stack (self);
    }
  g_object_unref (d->self);
  g_object_unref (d->cancellable);
  g_ptr_array_unref (d->items);
  g_free (d);
}

typedef struct
{
  LoadData         *load;
  DesktopGroupItem *item;
} ItemData;

static void
on_described (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ItemData *id = user_data;
  g_autoptr(CaudalAdminGroupDescription) desc = NULL;

  desc = caudal_admin_describe_group_finish (CAUDAL_ADMIN (source), result, NULL);
  if (desc != NULL)
    {
      g_free (id->item->state);
      id->item->state = g_strdup (desc->state);
      id->item->members = desc->members->len;
    }
  load_data_done (id->load);
  g_free (id);
}

static void
on_lag (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  ItemData *id = user_data;
  g_autoptr(GPtrArray) lags = NULL;

  lags = caudal_admin_describe_group_lag_finish (CAUDAL_ADMIN (source), result, NULL);
  if (lags != NULL)
    {
      g_autoptr(GString) topics = g_string_new (NULL);
      gint64 total = 0;
      const char *last = NULL;

      for (guint i = 0; i < lags->len; i++)
        {
          CaudalAdminPartitionLag *l = g_ptr_array_index (lags, i);

          if (l->lag > 0)
            total += l->lag;
          if (g_strcmp0 (last, l->topic) != 0)
            {
              if (topics->len > 0)
                g_string_append (topics, ", ");
              g_string_append (topics, l->topic);
              last = l->topic;
            }
        }
      id->item->lag = total;
      g_free (id->item->topics);
      id->item->topics = g_string_free (g_steal_pointer (&topics), FALSE);
    }
  load_data_done (id->load);
  g_free (id);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LoadData *d = user_data;
  DesktopGroupsPage *self = d->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listings = NULL;

  listings = caudal_admin_list_groups_finish (CAUDAL_ADMIN (source), result, &error);
  if (listings == NULL)
    {
      if (!desktop_error_is_cancelled (error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not list the consumer groups of %s: %s"),
                                                      self->bootstrap_servers, error->message);
          self->loading = FALSE;
          /* One toast per outage, not one per refresh. */
          if (!self->failed)
            desktop_show_toast (GTK_WIDGET (self), message);
          self->failed = TRUE;
          if (!self->loaded)
            {
              adw_status_page_set_title (self->empty_page, _("Cannot List Consumer Groups"));
              adw_status_page_set_description (self->empty_page, error->message);
              gtk_stack_set_visible_child_name (self->stack, "empty");
            }
        }
      load_data_done (d);
      return;
    }
  for (guint i = 0; i < listings->len; i++)
    {
      CaudalAdminGroupListing *l = g_ptr_array_index (listings, i);
      DesktopGroupItem *item = g_object_new (DESKTOP_TYPE_GROUP_ITEM, NULL);
      ItemData *id;

      item->group_id = g_strdup (l->group_id);
      item->state = g_strdup (l->state);
      g_ptr_array_add (d->items, item);
      d->pending += 2;
      id = g_new0 (ItemData, 1);
      id->load = d;
      id->item = item;
      caudal_admin_describe_group_async (self->admin, l->group_id, d->cancellable, on_described, id);
      id = g_new0 (ItemData, 1);
      id->load = d;
      id->item = item;
      caudal_admin_describe_group_lag_async (self->admin, l->group_id, d->cancellable, on_lag, id);
    }
  load_data_done (d);
}

void
desktop_groups_page_refresh (DesktopGroupsPage *self)
{
  LoadData *d;

  g_return_if_fail (DESKTOP_IS_GROUPS_PAGE (self));

  if (self->admin == NULL || self->loading)
    return;
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  d = g_new0 (LoadData, 1);
  d->self = g_object_ref (self);
  d->cancellable = g_object_ref (self->cancellable);
  d->items = g_ptr_array_new_with_free_func (g_object_unref);
  d->pending = 1;
  caudal_admin_list_groups_async (self->admin, d->cancellable, on_listed, d);
}

void
desktop_groups_page_set_cluster (DesktopGroupsPage *self,
                                 CaudalCluster     *cluster,
                                 const char        *bootstrap_servers)
{
  g_return_if_fail (DESKTOP_IS_GROUPS_PAGE (self));
  g_return_if_fail (CAUDAL_IS_CLUSTER (cluster));

  g_set_object (&self->cluster, cluster);
  g_clear_object (&self->admin);
  self->admin = caudal_admin_new (cluster);
  g_free (self->bootstrap_servers);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  self->loaded = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    desktop_groups_page_refresh (self);
}

/* ---- the group view ---- */

static void
on_group_deleted (DesktopGroupView  *view,
                  const char        *group_id,
                  DesktopGroupsPage *self)
{
  g_autofree char *message = g_strdup_printf (_("Deleted consumer group “%s”"), group_id);

  desktop_show_toast (GTK_WIDGET (self), message);
  desktop_groups_page_refresh (self);
}

void
desktop_groups_page_open_group (DesktopGroupsPage *self,
                                const char        *group_id)
{
  DesktopGroupView *view;

  g_return_if_fail (DESKTOP_IS_GROUPS_PAGE (self));
  g_return_if_fail (group_id != NULL);

  if (self->admin == NULL)
    return;
  view = desktop_group_view_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                 self->admin, group_id, self->bootstrap_servers);
  g_signal_connect_object (view, "deleted", G_CALLBACK (on_group_deleted), self, 0);
  gtk_window_present (GTK_WINDOW (view));
}

static void
on_row_activated (GtkListBox        *box,
                  GtkListBoxRow     *row,
                  DesktopGroupsPage *self)
{
  g_autoptr(DesktopGroupItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered),
                                                            gtk_list_box_row_get_index (row));

  if (item != NULL)
    desktop_groups_page_open_group (self, item->group_id);
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  desktop_groups_page_refresh (DESKTOP_GROUPS_PAGE (widget));
}

/* ---- GtkWidget ---- */

static gboolean
on_timer (gpointer user_data)
{
  desktop_groups_page_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
desktop_groups_page_map (GtkWidget *widget)
{
  DesktopGroupsPage *self = DESKTOP_GROUPS_PAGE (widget);

  GTK_WIDGET_CLASS (desktop_groups_page_parent_class)->map (widget);
  desktop_groups_page_refresh (self);
  if (self->timer == 0)
    self->timer = g_timeout_add_seconds (REFRESH_SECONDS, on_timer, self);
}

static void
desktop_groups_page_unmap (GtkWidget *widget)
{
  DesktopGroupsPage *self = DESKTOP_GROUPS_PAGE (widget);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->loading = FALSE;
  GTK_WIDGET_CLASS (desktop_groups_page_parent_class)->unmap (widget);
}

static void
desktop_groups_page_dispose (GObject *object)
{
  DesktopGroupsPage *self = DESKTOP_GROUPS_PAGE (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->filtered);
  g_clear_object (&self->groups);
  g_clear_object (&self->admin);
  g_clear_object (&self->cluster);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  G_OBJECT_CLASS (desktop_groups_page_parent_class)->dispose (object);
}

static void
desktop_groups_page_class_init (DesktopGroupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_groups_page_dispose;
  widget_class->map = desktop_groups_page_map;
  widget_class->unmap = desktop_groups_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-groups-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupsPage, list_box);

  gtk_widget_class_install_action (widget_class, "groups.refresh", NULL, refresh_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "groups.refresh", NULL);
}

static void
desktop_groups_page_init (DesktopGroupsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->groups = g_list_store_new (DESKTOP_TYPE_GROUP_ITEM);
  self->filter = gtk_custom_filter_new (filter_group, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->groups)),
                                              GTK_FILTER (self->filter));
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->filtered), create_row, self, NULL);
  g_signal_connect_object (self->list_box, "row-activated", G_CALLBACK (on_row_activated), self, 0);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (filter_changed), self);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
}
