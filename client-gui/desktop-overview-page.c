/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-overview-page.c: Metadata for every topic, summarised, then
 * ListGroups (the groups count) and ListOffsets earliest and latest of
 * every partition (the messages count), both under the same cancellable.
 * The refresh timer runs only while the page is mapped; unmapping cancels
 * the calls in flight. */

#include <glib/gi18n.h>

#include "caudal-admin.h"
#include "desktop-broker.h"
#include "desktop-overview-page.h"
#include "desktop-util.h"

struct _DesktopOverviewPage
{
  AdwBin         parent_instance;

  GtkStack      *stack;
  AdwStatusPage *error_page;
  AdwActionRow  *cluster_id_row;
  AdwActionRow  *controller_row;
  AdwActionRow  *topics_row;
  AdwActionRow  *partitions_row;
  AdwActionRow  *under_replicated_row;
  AdwActionRow  *offline_row;
  AdwActionRow  *groups_row;
  AdwActionRow  *messages_row;
  GtkListBox    *brokers_list;

  GListStore    *brokers;   /* DesktopBroker */
  CaudalCluster *cluster;
  CaudalAdmin   *admin;
  char          *bootstrap_servers;
  GCancellable  *cancellable;   /* the refresh in flight, or NULL */
  guint          pending;       /* its calls still to answer after Metadata */
  guint          timer_id;
  gboolean       loaded;
  gboolean       failing;
  gboolean       groups_failing;
  gboolean       offsets_failing;
};

G_DEFINE_FINAL_TYPE (DesktopOverviewPage, desktop_overview_page, ADW_TYPE_BIN)

static GtkWidget *
create_broker_row (gpointer item,
                   gpointer user_data)
{
  DesktopBroker *b = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_strdup_printf (_("Broker %d"), desktop_broker_get_node_id (b));
  g_autofree char *subtitle = NULL;

  if (desktop_broker_get_rack (b) != NULL)
    subtitle = g_strdup_printf (_("%s · rack %s"), desktop_broker_get_address (b), desktop_broker_get_rack (b));
  else
    subtitle = g_strdup (desktop_broker_get_address (b));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (desktop_broker_get_controller (b))
    {
      GtkWidget *badge = gtk_label_new (_("Controller"));

      gtk_widget_add_css_class (badge, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }
  return row;
}

static void
set_count (AdwActionRow *row,
           guint         n)
{
  g_autofree char *text = g_strdup_printf ("%u", n);

  adw_action_row_set_subtitle (row, text);
}

static void
show_metadata (DesktopOverviewPage *self)
{
  GPtrArray *brokers = caudal_cluster_get_brokers (self->cluster);
  GPtrArray *topics = caudal_cluster_get_topics (self->cluster);
  gint32 controller = caudal_cluster_get_controller_id (self->cluster);
  const char *id = caudal_cluster_get_cluster_id (self->cluster);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint partitions = 0, under_replicated = 0, offline = 0;

  adw_action_row_set_subtitle (self->cluster_id_row, id != NULL ? id : _("Not reported"));
  if (controller >= 0)
    {
      g_autofree char *text = desktop_describe_broker (self->cluster, controller, NULL);
      adw_action_row_set_subtitle (self->controller_row, text != NULL ? text : "");
    }
  else
    adw_action_row_set_subtitle (self->controller_row, _("None"));
  for (guint i = 0; i < topics->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (topics, i);

      partitions += t->partitions->len;
      /* Kafka's UnderReplicatedPartitions and OfflinePartitionsCount. */
      for (guint p = 0; p < t->partitions->len; p++)
        {
          CaudalPartitionInfo *info = g_ptr_array_index (t->partitions, p);
          if (info->isr->len < info->replicas->len)
            under_replicated++;
          if (info->leader < 0)
            offline++;
        }
    }
  set_count (self->topics_row, topics->len);
  set_count (self->partitions_row, partitions);
  set_count (self->under_replicated_row, under_replicated);
  set_count (self->offline_row, offline);
  for (guint i = 0; i < brokers->len; i++)
    {
      CaudalBrokerInfo *b = g_ptr_array_index (brokers, i);
      g_ptr_array_add (items, desktop_broker_new_from_info (b, b->node_id == controller));
    }
  g_list_store_splice (self->brokers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->brokers)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->stack, "overview");
}

/* One call of the refresh has answered; the refresh ends with the last. */
static void
call_done (DesktopOverviewPage *self)
{
  g_assert (self->pending > 0);
  if (--self->pending == 0)
    g_clear_object (&self->cancellable);
}

/* "—" on @row, and one toast per outage (@failing), not one per tick. */
static void
show_call_error (DesktopOverviewPage *self,
                 AdwActionRow        *row,
                 gboolean            *failing,
                 const char          *message)
{
  adw_action_row_set_subtitle (row, "—");
  if (!*failing)
    desktop_show_toast (GTK_WIDGET (self), message);
  *failing = TRUE;
}

static void
on_groups_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DesktopOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;

  groups = caudal_admin_list_groups_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  if (groups == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not list the consumer groups of %s: %s"),
                                                  self->bootstrap_servers, error->message);
      show_call_error (self, self->groups_row, &self->groups_failing, message);
    }
  else
    {
      set_count (self->groups_row, groups->len);
      self->groups_failing = FALSE;
    }
  call_done (self);
}

static void
on_offsets_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(DesktopOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offsets = NULL;
  g_autofree char *text = NULL;
  gint64 total = 0;

  offsets = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  if (offsets == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the offsets of the topics of %s: %s"),
                                                  self->bootstrap_servers, error->message);

      show_call_error (self, self->messages_row, &self->offsets_failing, message);
      call_done (self);
      return;
    }
  /* The answers come in pairs, earliest then latest, per partition. The
   * difference counts offsets, as Kafka tools do: a compacted partition
   * or transaction markers make it an upper bound on records. */
  for (guint i = 0; i + 1 < offsets->len; i += 2)
    {
      CaudalAdminListedOffset *earliest = g_ptr_array_index (offsets, i);
      CaudalAdminListedOffset *latest = g_ptr_array_index (offsets, i + 1);

      if (earliest->offset >= 0 && latest->offset > earliest->offset)
        total += latest->offset - earliest->offset;
    }
  text = g_strdup_printf ("%" G_GINT64_FORMAT, total);
  adw_action_row_set_subtitle (self->messages_row, text);
  self->offsets_failing = FALSE;
  call_done (self);
}

/* After Metadata: the groups and, for every partition of every topic but
 * the internal ones (__consumer_offsets holds commits, not messages),
 * its earliest and latest offsets. */
static void
load_counts (DesktopOverviewPage *self)
{
  GPtrArray *topics = caudal_cluster_get_topics (self->cluster);
  g_autoptr(GArray) queries = g_array_new (FALSE, FALSE, sizeof (CaudalAdminOffsetQuery));

  for (guint i = 0; i < topics->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (topics, i);

      if (t->internal || t->error != 0)
        continue;
      for (guint p = 0; p < t->partitions->len; p++)
        {
          CaudalPartitionInfo *info = g_ptr_array_index (t->partitions, p);
          CaudalAdminOffsetQuery earliest = { t->name, info->partition, CAUDAL_ADMIN_OFFSET_EARLIEST };
          CaudalAdminOffsetQuery latest = { t->name, info->partition, CAUDAL_ADMIN_OFFSET_LATEST };

          g_array_append_val (queries, earliest);
          g_array_append_val (queries, latest);
        }
    }

  self->pending = 1;
  caudal_admin_list_groups_async (self->admin, self->cancellable, on_groups_listed, g_object_ref (self));
  if (queries->len == 0)
    {
      adw_action_row_set_subtitle (self->messages_row, "0");
      return;
    }
  self->pending++;
  /* The queries are copied: the metadata cache may change meanwhile. */
  caudal_admin_list_offsets_async (self->admin, (const CaudalAdminOffsetQuery *) (gpointer) queries->data,
                                   queries->len, self->cancellable, on_offsets_listed, g_object_ref (self));
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DesktopOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!caudal_cluster_refresh_metadata_finish (CAUDAL_CLUSTER (source), result, &error))
    {
      if (desktop_error_is_cancelled (error))
        return;
      g_clear_object (&self->cancellable);
      /* One toast per outage, not one per tick. */
      if (!self->failing)
        {
          g_autofree char *message = g_strdup_printf (_("Could not load the overview of %s: %s"),
                                                      self->bootstrap_servers, error->message);
          desktop_show_toast (GTK_WIDGET (self), message);
        }
      self->failing = TRUE;
      if (!self->loaded)
        {
          adw_status_page_set_description (self->error_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "error");
        }
      return;
    }
  self->failing = FALSE;
  self->loaded = TRUE;
  show_metadata (self);
  load_counts (self);
}

void
desktop_overview_page_refresh (DesktopOverviewPage *self)
{
  g_return_if_fail (DESKTOP_IS_OVERVIEW_PAGE (self));

  if (self->cluster == NULL || self->cancellable != NULL)
    return;
  self->cancellable = g_cancellable_new ();
  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  caudal_cluster_refresh_metadata_async (self->cluster, NULL, FALSE, self->cancellable,
                                         on_refreshed, g_object_ref (self));
}

static gboolean
on_timer (gpointer user_data)
{
  desktop_overview_page_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
stop (DesktopOverviewPage *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
start (DesktopOverviewPage *self)
{
  if (self->cluster == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  desktop_overview_page_refresh (self);
  if (self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (DESKTOP_OVERVIEW_REFRESH_SECONDS, on_timer, self);
}

void
desktop_overview_page_set_cluster (DesktopOverviewPage *self,
                                   CaudalCluster       *cluster,
                                   const char          *bootstrap_servers)
{
  g_return_if_fail (DESKTOP_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (CAUDAL_IS_CLUSTER (cluster));

  stop (self);
  g_set_object (&self->cluster, cluster);
  g_clear_object (&self->admin);
  self->admin = caudal_admin_new (cluster);
  g_free (self->bootstrap_servers);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  self->loaded = FALSE;
  self->failing = FALSE;
  self->groups_failing = FALSE;
  self->offsets_failing = FALSE;
  start (self);
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  desktop_overview_page_refresh (DESKTOP_OVERVIEW_PAGE (widget));
}

static void
desktop_overview_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (desktop_overview_page_parent_class)->map (widget);
  start (DESKTOP_OVERVIEW_PAGE (widget));
}

static void
desktop_overview_page_unmap (GtkWidget *widget)
{
  stop (DESKTOP_OVERVIEW_PAGE (widget));
  GTK_WIDGET_CLASS (desktop_overview_page_parent_class)->unmap (widget);
}

static void
desktop_overview_page_dispose (GObject *object)
{
  DesktopOverviewPage *self = DESKTOP_OVERVIEW_PAGE (object);

  stop (self);
  g_clear_object (&self->brokers);
  g_clear_object (&self->admin);
  g_clear_object (&self->cluster);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  G_OBJECT_CLASS (desktop_overview_page_parent_class)->dispose (object);
}

static void
desktop_overview_page_class_init (DesktopOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_overview_page_dispose;
  widget_class->map = desktop_overview_page_map;
  widget_class->unmap = desktop_overview_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, cluster_id_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, controller_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, topics_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, partitions_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, under_replicated_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, offline_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, groups_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, messages_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopOverviewPage, brokers_list);

  gtk_widget_class_install_action (widget_class, "overview.refresh", NULL, refresh_activated);
}

static void
desktop_overview_page_init (DesktopOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->brokers = g_list_store_new (DESKTOP_TYPE_BROKER);
  gtk_list_box_bind_model (self->brokers_list, G_LIST_MODEL (self->brokers), create_broker_row, NULL, NULL);
}
