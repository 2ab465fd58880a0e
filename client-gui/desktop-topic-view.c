/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topic-view.c: a topic's window. Partitions come from
 * DescribeTopics (Metadata) then ListOffsets (earliest and latest of
 * each); configs from DescribeConfigs, edited with
 * IncrementalAlterConfigs (SET, or DELETE to go back to the default) and
 * reloaded after. While the window is mapped, every RATE_INTERVAL_MS the
 * partitions' latest offsets (ListOffsets) give the messages-per-second
 * chart a sample. Closing the window cancels what it waits for. */

#include <glib/gi18n.h>
#include <inttypes.h>

#include "caudal-admin.h"
#include "desktop-chart.h"
#include "desktop-messages-view.h"
#include "desktop-produce-dialog.h"
#include "desktop-topic-view.h"
#include "desktop-util.h"

struct _DesktopTopicView
{
  AdwWindow             parent_instance;

  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  GtkListBox           *partitions_list;
  GtkListBox           *configs_list;
  DesktopMessagesView  *messages_view;
  DesktopChart         *rate_chart;

  CaudalCluster        *cluster;
  CaudalAdmin          *admin;
  char                 *bootstrap_servers;
  char                 *topic;
  GHashTable           *config_rows;   /* name → AdwEntryRow */
  GCancellable         *cancellable;   /* cancelled on dispose */
  gboolean              loading_partitions;
  gboolean              loading_configs;

  /* the messages-per-second chart */
  GArray               *partition_ids;     /* gint32, from the last describe */
  GCancellable         *rate_cancellable;  /* non-NULL while sampling */
  guint                 rate_timer;
  gboolean              rate_asking;       /* a ListOffsets is in flight */
  gboolean              rate_failed;       /* one toast per outage */
  gboolean              has_base;
  gint64                base_sum;          /* the latest offsets' sum … */
  gint64                base_time_us;      /* … when it was read (monotonic) */
  guint                 base_n_partitions;
};

#define RATE_INTERVAL_MS 2000

G_DEFINE_FINAL_TYPE (DesktopTopicView, desktop_topic_view, ADW_TYPE_WINDOW)

static void load_configs (DesktopTopicView *self);
static void sample_rate  (DesktopTopicView *self);

static void
show_error (DesktopTopicView *self,
            const char       *what,
            const GError     *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error->message);

  desktop_show_toast (GTK_WIDGET (self), message);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static char *
format_ids (GArray *ids)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    g_string_append_printf (out, i > 0 ? ", %d" : "%d", g_array_index (ids, gint32, i));
  return g_string_free (out, FALSE);
}

/* ---- partitions ---- */

typedef struct
{
  DesktopTopicView *self;
  GPtrArray        *partitions;   /* CaudalAdminPartitionDescription, ref'd */
} PartitionsCall;

static void
partitions_call_free (PartitionsCall *call)
{
  g_object_unref (call->self);
  g_ptr_array_unref (call->partitions);
  g_free (call);
}

static void
on_offsets (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PartitionsCall *call = user_data;
  DesktopTopicView *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offsets = NULL;

  offsets = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    {
      partitions_call_free (call);
      return;
    }
  self->loading_partitions = FALSE;
  if (offsets == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not list the offsets of “%s” on %s"),
                                               self->topic, self->bootstrap_servers);
      show_error (self, what, error);
      partitions_call_free (call);
      return;
    }
  clear_list (self->partitions_list);
  for (guint i = 0; i < call->partitions->len; i++)
    {
      CaudalAdminPartitionDescription *p = g_ptr_array_index (call->partitions, i);
      CaudalAdminListedOffset *earliest = g_ptr_array_index (offsets, 2 * i);
      CaudalAdminListedOffset *latest = g_ptr_array_index (offsets, 2 * i + 1);
      g_autofree char *title = g_strdup_printf (_("Partition %d"), p->partition);
      g_autofree char *replicas = format_ids (p->replicas);
      g_autofree char *isr = format_ids (p->isr);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      subtitle = g_strdup_printf (_("Leader %d · Replicas %s · ISR %s · Offsets %" PRId64
                                    " – %" PRId64 " · %" PRId64 " messages"),
                                  p->leader, replicas, isr, earliest->offset, latest->offset,
                                  latest->offset - earliest->offset);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->partitions_list, row);
    }
  desktop_messages_view_set_topic (self->messages_view, self->cluster, self->bootstrap_servers,
                                   self->topic, call->partitions->len);
  partitions_call_free (call);
}

static void
on_described (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DesktopTopicView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) topics = NULL;
  g_autofree CaudalAdminOffsetQuery *queries = NULL;
  CaudalAdminTopicDescription *topic;
  PartitionsCall *call;

  topics = caudal_admin_describe_topics_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  if (topics == NULL || topics->len == 0)
    {
      g_autofree char *what = g_strdup_printf (_("Could not describe “%s” on %s"),
                                               self->topic, self->bootstrap_servers);
      self->loading_partitions = FALSE;
      if (error != NULL)
        show_error (self, what, error);
      return;
    }
  topic = g_ptr_array_index (topics, 0);
  g_array_set_size (self->partition_ids, 0);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      CaudalAdminPartitionDescription *p = g_ptr_array_index (topic->partitions, i);

      g_array_append_val (self->partition_ids, p->partition);
    }
  /* The sampler waited for the partitions: take the baseline now. */
  if (!self->has_base)
    sample_rate (self);
  call = g_new0 (PartitionsCall, 1);
  call->self = g_object_ref (self);
  call->partitions = g_ptr_array_ref (topic->partitions);
  if (call->partitions->len == 0)
    {
      self->loading_partitions = FALSE;
      clear_list (self->partitions_list);
      partitions_call_free (call);
      return;
    }
  queries = g_new0 (CaudalAdminOffsetQuery, 2 * call->partitions->len);
  for (guint i = 0; i < call->partitions->len; i++)
    {
      CaudalAdminPartitionDescription *p = g_ptr_array_index (call->partitions, i);

      queries[2 * i] = (CaudalAdminOffsetQuery) { self->topic, p->partition, CAUDAL_ADMIN_OFFSET_EARLIEST };
      queries[2 * i + 1] = (CaudalAdminOffsetQuery) { self->topic, p->partition, CAUDAL_ADMIN_OFFSET_LATEST };
    }
  caudal_admin_list_offsets_async (self->admin, queries, 2 * call->partitions->len,
                                   self->cancellable, on_offsets, call);
}

static void
load_partitions (DesktopTopicView *self)
{
  const char *topics[] = { self->topic, NULL };

  if (self->loading_partitions)
    return;
  self->loading_partitions = TRUE;
  caudal_admin_describe_topics_async (self->admin, topics, self->cancellable,
                                      on_described, g_object_ref (self));
}

/* ---- messages per second ---- */

static void
on_rate_offsets (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DesktopTopicView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offsets = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 sum = 0;

  offsets = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  /* Cancelled: the window was hidden or closed, sampling stopped. */
  if (desktop_error_is_cancelled (error))
    return;
  self->rate_asking = FALSE;
  if (offsets == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not read the latest offsets of “%s” on %s"),
                                               self->topic, self->bootstrap_servers);
      if (!self->rate_failed)
        show_error (self, what, error);
      self->rate_failed = TRUE;
      self->has_base = FALSE;
      return;
    }
  self->rate_failed = FALSE;
  for (guint i = 0; i < offsets->len; i++)
    sum += ((CaudalAdminListedOffset *) g_ptr_array_index (offsets, i))->offset;

  /* A rate needs two readings over the same partitions; the first, or
   * one after partitions were added or the topic recreated (the sum went
   * down), only sets the baseline. */
  if (self->has_base && self->base_n_partitions == offsets->len && sum >= self->base_sum
      && now > self->base_time_us)
    desktop_chart_add_sample (self->rate_chart, self->topic, now,
                              (double) (sum - self->base_sum) * G_USEC_PER_SEC / (now - self->base_time_us));
  self->has_base = TRUE;
  self->base_sum = sum;
  self->base_time_us = now;
  self->base_n_partitions = offsets->len;
}

static void
sample_rate (DesktopTopicView *self)
{
  g_autofree CaudalAdminOffsetQuery *queries = NULL;

  if (self->rate_cancellable == NULL || self->rate_asking || self->partition_ids->len == 0)
    return;
  queries = g_new0 (CaudalAdminOffsetQuery, self->partition_ids->len);
  for (guint i = 0; i < self->partition_ids->len; i++)
    queries[i] = (CaudalAdminOffsetQuery) { self->topic, g_array_index (self->partition_ids, gint32, i),
                                            CAUDAL_ADMIN_OFFSET_LATEST };
  self->rate_asking = TRUE;
  caudal_admin_list_offsets_async (self->admin, queries, self->partition_ids->len, self->rate_cancellable,
                                   on_rate_offsets, g_object_ref (self));
}

static gboolean
on_rate_timer (gpointer user_data)
{
  sample_rate (user_data);
  return G_SOURCE_CONTINUE;
}

static void
start_sampling (DesktopTopicView *self)
{
  if (self->rate_cancellable != NULL || self->admin == NULL)
    return;
  self->rate_cancellable = g_cancellable_new ();
  self->has_base = FALSE;
  /* g_timeout_add, not _seconds: the rate divides by the interval, and
   * the seconds variant may fire up to a second off. */
  self->rate_timer = g_timeout_add (RATE_INTERVAL_MS, on_rate_timer, self);
  sample_rate (self);
}

static void
stop_sampling (DesktopTopicView *self)
{
  g_clear_handle_id (&self->rate_timer, g_source_remove);
  g_cancellable_cancel (self->rate_cancellable);
  g_clear_object (&self->rate_cancellable);
  self->rate_asking = FALSE;
  self->has_base = FALSE;
}

/* ---- configs ---- */

typedef struct
{
  DesktopTopicView        *self;
  char                    *name;
  CaudalAdminConfigOpType  op;
} AlterCall;

static void
alter_call_free (AlterCall *call)
{
  g_object_unref (call->self);
  g_free (call->name);
  g_free (call);
}

static void
on_altered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AlterCall *call = user_data;
  DesktopTopicView *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!caudal_admin_incremental_alter_configs_finish (CAUDAL_ADMIN (source), result, &error))
    {
      if (!desktop_error_is_cancelled (error))
        {
          g_autofree char *what = g_strdup_printf (_("Could not change “%s” of “%s” on %s"),
                                                   call->name, self->topic, self->bootstrap_servers);
          show_error (self, what, error);
          load_configs (self);
        }
      alter_call_free (call);
      return;
    }
  if (call->op == CAUDAL_ADMIN_CONFIG_OP_DELETE)
    message = g_strdup_printf (_("Reset “%s” of “%s” to its default"), call->name, self->topic);
  else
    message = g_strdup_printf (_("Changed “%s” of “%s”"), call->name, self->topic);
  desktop_show_toast (GTK_WIDGET (self), message);
  load_configs (self);
  alter_call_free (call);
}

static void
alter_config (DesktopTopicView        *self,
              const char              *name,
              CaudalAdminConfigOpType  op,
              const char              *value)
{
  CaudalAdminConfigOp config_op = { name, op, value };
  AlterCall *call = g_new0 (AlterCall, 1);

  call->self = g_object_ref (self);
  call->name = g_strdup (name);
  call->op = op;
  caudal_admin_incremental_alter_configs_async (self->admin, CAUDAL_ADMIN_RESOURCE_TOPIC, self->topic,
                                                &config_op, 1, self->cancellable, on_altered, call);
}

static void
on_config_apply (AdwEntryRow      *row,
                 DesktopTopicView *self)
{
  const char *name = g_object_get_data (G_OBJECT (row), "config-name");

  alter_config (self, name, CAUDAL_ADMIN_CONFIG_OP_SET, gtk_editable_get_text (GTK_EDITABLE (row)));
}

static GtkWidget *
config_row_new (DesktopTopicView       *self,
                CaudalAdminConfigEntry *entry)
{
  GtkWidget *row = adw_entry_row_new ();
  GtkWidget *source = gtk_label_new (caudal_admin_config_source_to_string (entry->source));
  GtkWidget *reset = gtk_button_new_from_icon_name ("edit-undo-symbolic");
  g_autofree char *reset_label = g_strdup_printf (_("Reset “%s” to default"), entry->name);
  gboolean overridden = entry->source == CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->name);
  g_object_set_data_full (G_OBJECT (row), "config-name", g_strdup (entry->name), g_free);
  /* The text first: a change after show-apply-button shows the button. */
  gtk_editable_set_text (GTK_EDITABLE (row), entry->value != NULL ? entry->value : "");
  gtk_editable_set_editable (GTK_EDITABLE (row), !entry->read_only && !entry->sensitive);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_signal_connect (row, "apply", G_CALLBACK (on_config_apply), self);

  gtk_widget_add_css_class (source, "dim-label");
  gtk_widget_add_css_class (source, "caption");
  gtk_widget_set_valign (source, GTK_ALIGN_CENTER);
  gtk_widget_set_name (source, "source");
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), source);

  gtk_widget_add_css_class (reset, "flat");
  gtk_widget_set_valign (reset, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (reset, _("Reset to Default"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (reset), GTK_ACCESSIBLE_PROPERTY_LABEL, reset_label, -1);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (reset), "s", entry->name);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reset), "topic.reset-config");
  gtk_widget_set_visible (reset, overridden && !entry->read_only);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), reset);
  return row;
}

static void
on_configs (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(DesktopTopicView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  entries = caudal_admin_describe_configs_finish (CAUDAL_ADMIN (source), result, &error);
  if (desktop_error_is_cancelled (error))
    return;
  self->loading_configs = FALSE;
  if (entries == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not describe the configs of “%s” on %s"),
                                               self->topic, self->bootstrap_servers);
      show_error (self, what, error);
      return;
    }
  clear_list (self->configs_list);
  g_hash_table_remove_all (self->config_rows);
  for (guint i = 0; i < entries->len; i++)
    {
      CaudalAdminConfigEntry *entry = g_ptr_array_index (entries, i);
      GtkWidget *row = config_row_new (self, entry);

      gtk_list_box_append (self->configs_list, row);
      g_hash_table_insert (self->config_rows, g_strdup (entry->name), row);
    }
}

static void
load_configs (DesktopTopicView *self)
{
  if (self->loading_configs)
    return;
  self->loading_configs = TRUE;
  caudal_admin_describe_configs_async (self->admin, CAUDAL_ADMIN_RESOURCE_TOPIC, self->topic, NULL,
                                       self->cancellable, on_configs, g_object_ref (self));
}

/* ---- actions ---- */

static void
reset_config_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  alter_config (DESKTOP_TOPIC_VIEW (widget), g_variant_get_string (parameter, NULL),
                CAUDAL_ADMIN_CONFIG_OP_DELETE, NULL);
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  desktop_topic_view_refresh (DESKTOP_TOPIC_VIEW (widget));
}

/* ---- public ---- */

void
desktop_topic_view_refresh (DesktopTopicView *self)
{
  g_return_if_fail (DESKTOP_IS_TOPIC_VIEW (self));

  if (self->admin == NULL)
    return;
  load_partitions (self);
  load_configs (self);
}

const char *
desktop_topic_view_get_topic (DesktopTopicView *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC_VIEW (self), NULL);
  return self->topic;
}

AdwEntryRow *
desktop_topic_view_lookup_config (DesktopTopicView *self,
                                  const char       *name)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC_VIEW (self), NULL);
  return g_hash_table_lookup (self->config_rows, name);
}

DesktopMessagesView *
desktop_topic_view_get_messages_view (DesktopTopicView *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC_VIEW (self), NULL);
  return self->messages_view;
}

DesktopTopicView *
desktop_topic_view_new (GtkWindow     *parent,
                        CaudalCluster *cluster,
                        const char    *bootstrap_servers,
                        const char    *topic)
{
  DesktopTopicView *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CAUDAL_IS_CLUSTER (cluster), NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_TOPIC_VIEW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       "title", topic,
                       NULL);
  self->cluster = g_object_ref (cluster);
  self->admin = caudal_admin_new (cluster);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  self->topic = g_strdup (topic);
  adw_view_switcher_title_set_title (self->switcher_title, topic);
  adw_view_switcher_title_set_subtitle (self->switcher_title, bootstrap_servers);
  desktop_messages_view_set_topic (self->messages_view, cluster, bootstrap_servers, topic, 0);
  desktop_topic_view_refresh (self);
  return self;
}

/* The produce dialog with this topic filled in. */
static void
produce_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DesktopTopicView *self = DESKTOP_TOPIC_VIEW (widget);
  DesktopProduceDialog *dialog;

  dialog = desktop_produce_dialog_new (GTK_WINDOW (self), self->cluster, self->bootstrap_servers, self->topic);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- GObject ---- */

/* The chart samples only while the window shows: hidden or closed, it
 * costs the broker nothing. */
static void
desktop_topic_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (desktop_topic_view_parent_class)->map (widget);
  start_sampling (DESKTOP_TOPIC_VIEW (widget));
}

static void
desktop_topic_view_unmap (GtkWidget *widget)
{
  stop_sampling (DESKTOP_TOPIC_VIEW (widget));
  GTK_WIDGET_CLASS (desktop_topic_view_parent_class)->unmap (widget);
}

static void
desktop_topic_view_dispose (GObject *object)
{
  DesktopTopicView *self = DESKTOP_TOPIC_VIEW (object);

  stop_sampling (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config_rows, g_hash_table_unref);
  g_clear_object (&self->admin);
  g_clear_object (&self->cluster);
  G_OBJECT_CLASS (desktop_topic_view_parent_class)->dispose (object);
}

static void
desktop_topic_view_finalize (GObject *object)
{
  DesktopTopicView *self = DESKTOP_TOPIC_VIEW (object);

  g_free (self->bootstrap_servers);
  g_free (self->topic);
  g_array_unref (self->partition_ids);
  G_OBJECT_CLASS (desktop_topic_view_parent_class)->finalize (object);
}

static void
desktop_topic_view_class_init (DesktopTopicViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_topic_view_dispose;
  object_class->finalize = desktop_topic_view_finalize;
  widget_class->map = desktop_topic_view_map;
  widget_class->unmap = desktop_topic_view_unmap;

  g_type_ensure (DESKTOP_TYPE_CHART);
  g_type_ensure (DESKTOP_TYPE_MESSAGES_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-topic-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicView, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicView, partitions_list);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicView, configs_list);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicView, messages_view);
  gtk_widget_class_bind_template_child (widget_class, DesktopTopicView, rate_chart);
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "produce_button", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "topic.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "topic.reset-config", "s", reset_config_activated);
  gtk_widget_class_install_action (widget_class, "topic.produce", NULL, produce_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "topic.refresh", NULL);
  /* As in the cluster window, which lists it in the shortcuts window. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "topic.produce", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
desktop_topic_view_init (DesktopTopicView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->config_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->partition_ids = g_array_new (FALSE, FALSE, sizeof (gint32));
}
