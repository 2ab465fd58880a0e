/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topics-page.c: topics from Metadata (all topics) in a
 * GListStore → filter (search, internal) → sort (column headers) →
 * GtkColumnView. Once listed, ListOffsets (earliest, latest) fills each
 * topic's messages and DescribeLogDirs its size. Create opens
 * DesktopCreateTopicDialog, add partitions DesktopAddPartitionsDialog;
 * delete asks first, naming the topic. Narrower than NARROW_WIDTH, the
 * replication factor, messages and size columns hide (GTK 4.8 and
 * libadwaita 1.2 have no breakpoints, so the page watches its own
 * allocation). */

#include <glib/gi18n.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-error-codes.h"
#include "desktop-add-partitions-dialog.h"
#include "desktop-create-topic-dialog.h"
#include "desktop-topic.h"
#include "desktop-topic-view.h"
#include "desktop-topics-page.h"
#include "desktop-util.h"

struct _DesktopTopicsPage
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkSearchEntry     *search_entry;
  GtkToggleButton    *internal_toggle;
  GtkColumnView      *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *rf_column;
  GtkColumnViewColumn *messages_column;
  GtkColumnViewColumn *size_column;

  GListStore         *topics;     /* DesktopTopic */
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;

  CaudalCluster      *cluster;
  CaudalAdmin        *admin;
  char               *bootstrap_servers;
  GCancellable       *cancellable;   /* loading: cancelled on unmap and dispose */
  GCancellable       *stats;         /* messages and sizes of the last load: likewise */
  GCancellable       *life;          /* create/delete: cancelled on dispose only */
  gboolean            loading;
  gboolean            loaded;
  gboolean            narrow;        /* the columns are hidden */
  guint               narrow_idle;   /* applies the last width's layout */
};

/* Below this width (px) name, partitions and the row buttons are all
 * that fit without scrolling sideways. */
#define NARROW_WIDTH 600

G_DEFINE_FINAL_TYPE (DesktopTopicsPage, desktop_topics_page, ADW_TYPE_BIN)

/* ---- the list ---- */

static gboolean
filter_topic (gpointer item,
              gpointer user_data)
{
  DesktopTopicsPage *self = user_data;
  DesktopTopic *topic = item;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (desktop_topic_get_internal (topic) && !gtk_toggle_button_get_active (self->internal_toggle))
    return FALSE;
  if (search != NULL && *search != '\0')
    {
      g_autofree char *name = g_utf8_casefold (desktop_topic_get_name (topic), -1);
      g_autofree char *needle = g_utf8_casefold (search, -1);

      return strstr (name, needle) != NULL;
    }
  return TRUE;
}

static void
update_stack (DesktopTopicsPage *self)
{
  if (!self->loaded)
    return;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else
    {
      const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

      adw_status_page_set_title (self->empty_page, *search != '\0' ? _("No Matching Topics") : _("No Topics"));
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
}

static void
filter_changed (DesktopTopicsPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_stack (self);
}

static void
setup_label_start (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   DesktopTopicsPage        *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
setup_label_end (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 DesktopTopicsPage        *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_name (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           DesktopTopicsPage        *self)
{
  DesktopTopic *topic = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), desktop_topic_get_name (topic));
}

static void
bind_partitions (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 DesktopTopicsPage        *self)
{
  DesktopTopic *topic = gtk_list_item_get_item (item);
  g_autofree char *text = g_strdup_printf ("%u", desktop_topic_get_partitions (topic));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
bind_replication_factor (GtkSignalListItemFactory *factory,
                         GtkListItem              *item,
                         DesktopTopicsPage        *self)
{
  DesktopTopic *topic = gtk_list_item_get_item (item);
  g_autofree char *text = g_strdup_printf ("%u", desktop_topic_get_replication_factor (topic));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

/* A count not known (yet, or at all) shows as a dash. */
static void
show_messages (DesktopTopic *topic,
               GParamSpec   *pspec,
               GtkLabel     *label)
{
  gint64 n = desktop_topic_get_messages (topic);
  g_autofree char *text = n >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, n) : g_strdup ("—");

  gtk_label_set_text (label, text);
}

static void
show_size (DesktopTopic *topic,
           GParamSpec   *pspec,
           GtkLabel     *label)
{
  gint64 size = desktop_topic_get_size (topic);
  g_autofree char *text = size >= 0 ? g_format_size ((guint64) size) : g_strdup ("—");

  gtk_label_set_text (label, text);
}

/* The counts arrive after the rows: follow them while bound. */
static void
bind_messages (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               DesktopTopicsPage        *self)
{
  DesktopTopic *topic = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));

  show_messages (topic, NULL, label);
  g_signal_connect_object (topic, "notify::messages", G_CALLBACK (show_messages), label, 0);
}

static void
unbind_messages (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 DesktopTopicsPage        *self)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), show_messages,
                                        gtk_list_item_get_child (item));
}

static void
bind_size (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           DesktopTopicsPage        *self)
{
  DesktopTopic *topic = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));

  show_size (topic, NULL, label);
  g_signal_connect_object (topic, "notify::size", G_CALLBACK (show_size), label, 0);
}

static void
unbind_size (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             DesktopTopicsPage        *self)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), show_size,
                                        gtk_list_item_get_child (item));
}

static void
setup_row_actions (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   DesktopTopicsPage        *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *add = gtk_button_new_from_icon_name ("list-add-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_name (add, "add-partitions-button");
  gtk_widget_add_css_class (add, "flat");
  gtk_widget_set_tooltip_text (add, _("Add Partitions"));
  gtk_widget_set_name (delete, "delete-button");
  gtk_widget_add_css_class (delete, "flat");
  gtk_widget_set_tooltip_text (delete, _("Delete Topic"));
  gtk_box_append (GTK_BOX (box), add);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_item_set_child (item, box);
}

static void
bind_action_button (GtkWidget  *button,
                    const char *action,
                    const char *topic,
                    const char *label)
{
  /* Target first: an action name without its target warns. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", topic);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
bind_row_actions (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  DesktopTopicsPage        *self)
{
  DesktopTopic *topic = gtk_list_item_get_item (item);
  const char *name = desktop_topic_get_name (topic);
  GtkWidget *add = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *delete = gtk_widget_get_next_sibling (add);
  g_autofree char *add_label = g_strdup_printf (_("Add partitions to “%s”"), name);
  g_autofree char *delete_label = g_strdup_printf (_("Delete “%s”"), name);

  bind_action_button (add, "topics.add-partitions", name, add_label);
  bind_action_button (delete, "topics.delete", name, delete_label);
}

/* ---- messages and sizes ---- */

static DesktopTopic *
find_topic (DesktopTopicsPage *self,
            const char        *name)
{
  GListModel *topics = G_LIST_MODEL (self->topics);

  for (guint i = 0; i < g_list_model_get_n_items (topics); i++)
    {
      g_autoptr(DesktopTopic) topic = g_list_model_get_item (topics, i);

      if (strcmp (desktop_topic_get_name (topic), name) == 0)
        return topic;   /* the store keeps its reference */
    }
  return NULL;
}

/* Values changed under the sorter: sort again (a column may sort by them). */
static void
resort (DesktopTopicsPage *self)
{
  gtk_sorter_changed (gtk_column_view_get_sorter (self->column_view), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
on_stats_offsets (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DesktopTopicsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offsets = NULL;
  g_autoptr(GHashTable) totals = NULL;   /* name → gint64* */
  GListModel *topics = G_LIST_MODEL (self->topics);

  offsets = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  if (offsets == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the offsets of the topics of %s: %s"),
                                                  self->bootstrap_servers, error->message);
      desktop_show_toast (GTK_WIDGET (self), message);
      return;
    }
  /* Pairs, earliest then latest, per partition. Their difference counts
   * offsets, as Kafka tools do (compaction and transaction markers make
   * it an upper bound on records). */
  totals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i + 1 < offsets->len; i += 2)
    {
      CaudalAdminListedOffset *earliest = g_ptr_array_index (offsets, i);
      CaudalAdminListedOffset *latest = g_ptr_array_index (offsets, i + 1);
      gint64 *total = g_hash_table_lookup (totals, earliest->topic);

      if (total == NULL)
        {
          total = g_new0 (gint64, 1);
          g_hash_table_insert (totals, earliest->topic, total);
        }
      if (earliest->offset >= 0 && latest->offset > earliest->offset)
        *total += latest->offset - earliest->offset;
    }
  for (guint i = 0; i < g_list_model_get_n_items (topics); i++)
    {
      g_autoptr(DesktopTopic) topic = g_list_model_get_item (topics, i);
      gint64 *total = g_hash_table_lookup (totals, desktop_topic_get_name (topic));

      desktop_topic_set_messages (topic, total != NULL ? *total : 0);
    }
  resort (self);
}

/* The leader of each partition when DescribeLogDirs was asked. */
typedef struct
{
  DesktopTopicsPage *self;
  GHashTable        *leaders;   /* "partition:topic" → leader id + 1 */
} LogDirsCall;

static void
log_dirs_call_free (LogDirsCall *call)
{
  g_object_unref (call->self);
  g_hash_table_unref (call->leaders);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LogDirsCall, log_dirs_call_free)

static char *
partition_key (const char *topic,
               gint32      partition)
{
  return g_strdup_printf ("%d:%s", partition, topic);
}

/* A broker too old for DescribeLogDirs (or one that does not offer it):
 * nothing to report, and nothing wrong either. */
static gboolean
error_is_unsupported (const GError *error)
{
  return g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED)
         || g_error_matches (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION);
}

static void
on_stats_log_dirs (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LogDirsCall) call = user_data;
  DesktopTopicsPage *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dirs = NULL;
  g_autoptr(GHashTable) sizes = NULL;   /* name → gint64* */
  GListModel *topics = G_LIST_MODEL (self->topics);

  dirs = caudal_admin_describe_log_dirs_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  if (dirs == NULL)
    {
      if (!error_is_unsupported (error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not read the sizes of the topics of %s: %s"),
                                                      self->bootstrap_servers, error->message);
          desktop_show_toast (GTK_WIDGET (self), message);
        }
      return;
    }
  /* Every broker reports each replica it holds, so summing all of them
   * counts a topic once per replica. Kafka UIs show one copy: each
   * partition's size is taken from the broker that leads it, and a topic
   * is the sum over its partitions. A partition without a leader (or a
   * leader's dir offline) adds nothing. Future replicas (a move between
   * dirs in progress) are copies too. */
  sizes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < dirs->len; i++)
    {
      CaudalAdminLogDir *dir = g_ptr_array_index (dirs, i);

      if (dir->error_code != 0)
        continue;
      for (guint r = 0; r < dir->replicas->len; r++)
        {
          CaudalAdminReplicaLogDir *replica = g_ptr_array_index (dir->replicas, r);
          g_autofree char *key = partition_key (replica->topic, replica->partition);
          gint32 leader = GPOINTER_TO_INT (g_hash_table_lookup (call->leaders, key)) - 1;
          gint64 *size;

          if (replica->is_future || leader != dir->broker_id)
            continue;
          size = g_hash_table_lookup (sizes, replica->topic);
          if (size == NULL)
            {
              size = g_new0 (gint64, 1);
              g_hash_table_insert (sizes, replica->topic, size);
            }
          *size += MAX (replica->size, 0);
        }
    }
  for (guint i = 0; i < g_list_model_get_n_items (topics); i++)
    {
      g_autoptr(DesktopTopic) topic = g_list_model_get_item (topics, i);
      gint64 *size = g_hash_table_lookup (sizes, desktop_topic_get_name (topic));

      /* Absent: no broker holds a byte of it yet. */
      desktop_topic_set_size (topic, size != NULL ? *size : 0);
    }
  resort (self);
}

/* ListOffsets for every partition listed, and DescribeLogDirs, in
 * parallel; a new load or leaving the page cancels both. */
static void
load_stats (DesktopTopicsPage *self)
{
  GPtrArray *topics = caudal_cluster_get_topics (self->cluster);
  g_autoptr(GArray) queries = g_array_new (FALSE, FALSE, sizeof (CaudalAdminOffsetQuery));
  LogDirsCall *call;

  g_cancellable_cancel (self->stats);
  g_clear_object (&self->stats);
  self->stats = g_cancellable_new ();

  call = g_new0 (LogDirsCall, 1);
  call->self = g_object_ref (self);
  call->leaders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < topics->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (topics, i);

      if (t->error != 0)
        continue;
      for (guint p = 0; p < t->partitions->len; p++)
        {
          CaudalPartitionInfo *info = g_ptr_array_index (t->partitions, p);
          CaudalAdminOffsetQuery earliest = { t->name, info->partition, CAUDAL_ADMIN_OFFSET_EARLIEST };
          CaudalAdminOffsetQuery latest = { t->name, info->partition, CAUDAL_ADMIN_OFFSET_LATEST };

          g_array_append_val (queries, earliest);
          g_array_append_val (queries, latest);
          g_hash_table_insert (call->leaders, partition_key (t->name, info->partition),
                               GINT_TO_POINTER (info->leader + 1));
        }
    }
  if (queries->len > 0)
    /* The queries are copied by the call. */
    caudal_admin_list_offsets_async (self->admin, (const CaudalAdminOffsetQuery *) (gpointer) queries->data,
                                     queries->len, self->stats, on_stats_offsets,
                                     g_object_ref (self));
  else
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->topics)); i++)
      {
        g_autoptr(DesktopTopic) topic = g_list_model_get_item (G_LIST_MODEL (self->topics), i);
        desktop_topic_set_messages (topic, 0);
      }
  caudal_admin_describe_log_dirs_async (self->admin, NULL, self->stats, on_stats_log_dirs, call);
}

/* ---- loading ---- */

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(DesktopTopicsPage) self = user_data;
  CaudalCluster *cluster = CAUDAL_CLUSTER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GPtrArray *topics;

  if (!caudal_cluster_refresh_metadata_finish (cluster, result, &error))
    {
      if (desktop_error_is_cancelled (error))
        return;
      self->loading = FALSE;
      {
        g_autofree char *message = g_strdup_printf (_("Could not list the topics of %s: %s"),
                                                    self->bootstrap_servers, error->message);
        desktop_show_toast (GTK_WIDGET (self), message);
      }
      if (!self->loaded)
        {
          adw_status_page_set_title (self->empty_page, _("Cannot List Topics"));
          adw_status_page_set_description (self->empty_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "empty");
        }
      return;
    }
  self->loading = FALSE;
  self->loaded = TRUE;
  adw_status_page_set_description (self->empty_page, NULL);
  topics = caudal_cluster_get_topics (cluster);
  items = g_ptr_array_new_full (topics->len, g_object_unref);
  for (guint i = 0; i < topics->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (topics, i);

      /* A topic being deleted can answer with an error: leave it out. */
      if (t->error == 0)
        g_ptr_array_add (items, desktop_topic_new_from_info (t));
    }
  g_list_store_splice (self->topics, 0, g_list_model_get_n_items (G_LIST_MODEL (self->topics)),
                       items->pdata, items->len);
  update_stack (self);
  load_stats (self);
}

void
desktop_topics_page_refresh (DesktopTopicsPage *self)
{
  g_return_if_fail (DESKTOP_IS_TOPICS_PAGE (self));

  if (self->cluster == NULL || self->loading)
    return;
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  caudal_cluster_refresh_metadata_async (self->cluster, NULL, FALSE, self->cancellable,
                                         on_loaded, g_object_ref (self));
}

GListModel *
desktop_topics_page_get_topics (DesktopTopicsPage *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPICS_PAGE (self), NULL);
  return G_LIST_MODEL (self->topics);
}

GListModel *
desktop_topics_page_get_shown (DesktopTopicsPage *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPICS_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

void
desktop_topics_page_set_cluster (DesktopTopicsPage *self,
                                 CaudalCluster     *cluster,
                                 const char        *bootstrap_servers)
{
  g_return_if_fail (DESKTOP_IS_TOPICS_PAGE (self));
  g_return_if_fail (CAUDAL_IS_CLUSTER (cluster));

  g_set_object (&self->cluster, cluster);
  g_clear_object (&self->admin);
  self->admin = caudal_admin_new (cluster);
  g_free (self->bootstrap_servers);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  self->loaded = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    desktop_topics_page_refresh (self);
}

/* ---- create ---- */

static void
on_topic_created (DesktopCreateTopicDialog *dialog,
                  const char               *name,
                  DesktopTopicsPage        *self)
{
  g_autofree char *message = g_strdup_printf (_("Created topic “%s”"), name);

  desktop_show_toast (GTK_WIDGET (self), message);
  desktop_topics_page_refresh (self);
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (widget);
  DesktopCreateTopicDialog *dialog;

  if (self->cluster == NULL)
    return;
  dialog = desktop_create_topic_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->cluster,
                                            self->bootstrap_servers);
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_topic_created), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- delete ---- */

typedef struct
{
  DesktopTopicsPage *self;
  char              *name;
} DeleteData;

static void
delete_data_free (DeleteData *d)
{
  g_object_unref (d->self);
  g_free (d->name);
  g_free (d);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DeleteData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!caudal_admin_delete_topic_finish (CAUDAL_ADMIN (source), result, &error))
    {
      if (!desktop_error_is_cancelled (error))
        {
          g_autofree char *reason = desktop_describe_admin_error (d->self->cluster, error);

          message = g_strdup_printf (_("Could not delete topic “%s”: %s"), d->name, reason);
          desktop_show_toast (GTK_WIDGET (d->self), message);
        }
      delete_data_free (d);
      return;
    }
  message = g_strdup_printf (_("Deleted topic “%s”"), d->name);
  desktop_show_toast (GTK_WIDGET (d->self), message);
  desktop_topics_page_refresh (d->self);
  delete_data_free (d);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    DeleteData       *d)
{
  if (g_strcmp0 (response, "delete") != 0 || d->self->admin == NULL)
    {
      delete_data_free (d);
      return;
    }
  caudal_admin_delete_topic_async (d->self->admin, d->name, d->self->life, on_deleted, d);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), name);
  GtkWidget *dialog;
  DeleteData *d;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The topic “%s” and all its messages will be deleted from %s. This cannot be undone."),
                                  name, self->bootstrap_servers);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  d = g_new0 (DeleteData, 1);
  d->self = g_object_ref (self);
  d->name = g_strdup (name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_delete_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- add partitions ---- */

static void
on_partitions_added (DesktopAddPartitionsDialog *dialog,
                     const char                 *name,
                     int                         total,
                     DesktopTopicsPage          *self)
{
  g_autofree char *message = g_strdup_printf (ngettext ("Topic “%s” now has %d partition",
                                                        "Topic “%s” now has %d partitions", total),
                                              name, total);

  desktop_show_toast (GTK_WIDGET (self), message);
  desktop_topics_page_refresh (self);
}

static void
add_partitions_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  DesktopTopic *topic = find_topic (self, name);
  DesktopAddPartitionsDialog *dialog;

  if (topic == NULL || self->admin == NULL)
    return;
  dialog = desktop_add_partitions_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->admin,
                                              self->bootstrap_servers, name,
                                              desktop_topic_get_partitions (topic));
  g_signal_connect_object (dialog, "added", G_CALLBACK (on_partitions_added), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  desktop_topics_page_refresh (DESKTOP_TOPICS_PAGE (widget));
}

/* Activating a row opens the topic's own window. */
static void
topic_activated (GtkColumnView     *column_view,
                 guint              position,
                 DesktopTopicsPage *self)
{
  g_autoptr(DesktopTopic) topic = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  DesktopTopicView *view;

  if (topic == NULL || self->cluster == NULL)
    return;
  view = desktop_topic_view_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->cluster,
                                 self->bootstrap_servers, desktop_topic_get_name (topic));
  gtk_window_present (GTK_WINDOW (view));
}

/* ---- GtkWidget ---- */

static gboolean
apply_narrow (gpointer user_data)
{
  DesktopTopicsPage *self = user_data;

  self->narrow_idle = 0;
  self->narrow = gtk_widget_get_width (GTK_WIDGET (self)) < NARROW_WIDTH;
  gtk_column_view_column_set_visible (self->rf_column, !self->narrow);
  gtk_column_view_column_set_visible (self->messages_column, !self->narrow);
  gtk_column_view_column_set_visible (self->size_column, !self->narrow);
  return G_SOURCE_REMOVE;
}

/* The page lays out its one child itself, as AdwBin's GtkBinLayout
 * would: a widget with a layout manager never gets size_allocate. */
static GtkSizeRequestMode
desktop_topics_page_get_request_mode (GtkWidget *widget)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  return child != NULL ? gtk_widget_get_request_mode (child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
desktop_topics_page_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

/* Hiding columns inside an allocation would queue another one mid-way:
 * only note a crossing of NARROW_WIDTH here and hide or show them from
 * an idle after it. The page's width comes from the window, not from the
 * columns (they sit in a scrolled window), so this cannot loop. */
static void
desktop_topics_page_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (widget);
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
  if ((width < NARROW_WIDTH) != self->narrow && self->narrow_idle == 0)
    self->narrow_idle = g_idle_add (apply_narrow, self);
}

static void
desktop_topics_page_map (GtkWidget *widget)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (widget);

  GTK_WIDGET_CLASS (desktop_topics_page_parent_class)->map (widget);
  desktop_topics_page_refresh (self);
}

static void
desktop_topics_page_unmap (GtkWidget *widget)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (widget);

  /* Leaving the page abandons what it was waiting for. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->stats);
  g_clear_object (&self->stats);
  self->loading = FALSE;
  GTK_WIDGET_CLASS (desktop_topics_page_parent_class)->unmap (widget);
}

static void
desktop_topics_page_dispose (GObject *object)
{
  DesktopTopicsPage *self = DESKTOP_TOPICS_PAGE (object);

  g_clear_handle_id (&self->narrow_idle, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->stats);
  g_clear_object (&self->stats);
  g_cancellable_cancel (self->life);
  g_clear_object (&self->life);
  g_clear_object (&self->sorted);
  g_clear_object (&self->topics);
  g_clear_object (&self->admin);
  g_clear_object (&self->cluster);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  G_OBJECT_CLASS (desktop_topics_page_parent_class)->dispose (object);
}

static void
desktop_topics_page_class_init (DesktopTopicsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_topics_page_dispose;
  widget_class->map = desktop_topics_page_map;
  widget_class->unmap = desktop_topics_page_unmap;
  widget_class->get_request_mode = desktop_topics_page_get_request_mode;
  widget_class->measure = desktop_topics_page_measure;
  widget_class->size_allocate = desktop_topics_page_size_allocate;

  g_type_ensure (DESKTOP_TYPE_TOPIC);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-topics-page.ui");
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "create_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, internal_toggle);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, rf_column);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, messages_column);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicsPage, size_column);
  gtk_widget_class_bind_template_callback (widget_class, setup_label_start);
  gtk_widget_class_bind_template_callback (widget_class, setup_label_end);
  gtk_widget_class_bind_template_callback (widget_class, bind_name);
  gtk_widget_class_bind_template_callback (widget_class, bind_partitions);
  gtk_widget_class_bind_template_callback (widget_class, bind_replication_factor);
  gtk_widget_class_bind_template_callback (widget_class, bind_messages);
  gtk_widget_class_bind_template_callback (widget_class, unbind_messages);
  gtk_widget_class_bind_template_callback (widget_class, bind_size);
  gtk_widget_class_bind_template_callback (widget_class, unbind_size);
  gtk_widget_class_bind_template_callback (widget_class, setup_row_actions);
  gtk_widget_class_bind_template_callback (widget_class, bind_row_actions);

  gtk_widget_class_install_action (widget_class, "topics.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "topics.delete", "s", delete_activated);
  gtk_widget_class_install_action (widget_class, "topics.add-partitions", "s", add_partitions_activated);
  gtk_widget_class_install_action (widget_class, "topics.refresh", NULL, refresh_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "topics.create", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "topics.refresh", NULL);
}

static void
desktop_topics_page_init (DesktopTopicsPage *self)
{
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* See desktop_topics_page_size_allocate(). */
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);

  self->life = g_cancellable_new ();
  self->topics = g_list_store_new (DESKTOP_TYPE_TOPIC);
  self->filter = gtk_custom_filter_new (filter_topic, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->topics)),
                                              GTK_FILTER (self->filter));
  sorter = gtk_column_view_get_sorter (self->column_view);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered), g_object_ref (sorter));
  gtk_column_view_set_model (self->column_view,
                             GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)))));
  gtk_column_view_sort_by_column (self->column_view, self->name_column, GTK_SORT_ASCENDING);

  g_signal_connect (self->column_view, "activate", G_CALLBACK (topic_activated), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (filter_changed), self);
  g_signal_connect_swapped (self->internal_toggle, "toggled", G_CALLBACK (filter_changed), self);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
}
