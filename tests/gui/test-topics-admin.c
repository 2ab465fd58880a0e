/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-topics-admin.c: the overview's groups and messages counts, the
 * topics page's messages and size columns, the add partitions dialog and
 * "Start Local Broker", under Xvfb against real caudalds, driven as
 * clicks do. Messages are produced and offsets committed with libcaudal
 * first; what the widgets show is compared with what the broker answers
 * libcaudal. The local broker is the built caudald ($CAUDALD) on an
 * ephemeral port, with XDG_DATA_HOME in a temporary dir; the last case
 * quits the application and sees the broker gone.
 *
 * The cases run in order and share one broker and one application. */

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "caudal-admin.h"
#include "caudal-producer.h"
#include "desktop-add-partitions-dialog.h"
#include "desktop-application.h"
#include "desktop-cluster-window.h"
#include "desktop-connections-window.h"
#include "desktop-local-broker.h"
#include "desktop-overview-page.h"
#include "desktop-topic.h"
#include "desktop-topics-page.h"
#include "gui-test-util.h"

#define TOPIC "admin-topic"   /* 2 partitions: 3 + 4 messages */
#define OTHER "admin-other"   /* 1 partition: 5 messages; grown to 3 */
#define GROUP "admin-grp"
#define TOTAL_MESSAGES 12

static struct
{
  GuiTestBroker       broker;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  GtkWindow          *cluster_window;
  GtkWindow          *connections;
  char               *data_home;     /* $XDG_DATA_HOME */
} t;

/* ---- the broker, through libcaudal ---- */

static void
create_topic (CaudalAdmin *admin,
              const char  *name,
              gint32       partitions)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  caudal_admin_create_topic_async (admin, name, partitions, 1, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_create_topic_finish (admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
}

static void
produce (const char *topic,
         gint32      partition,
         guint       n)
{
  g_autoptr(CaudalProducer) producer = caudal_producer_new (t.client, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = g_strdup_printf ("message %u of %s-%d", i, topic, partition);
      g_autoptr(GBytes) v = g_bytes_new (value, strlen (value));
      g_auto(CaudalSync) sync = { 0 };
      g_autoptr(GError) error = NULL;

      caudal_producer_send_async (producer, topic, partition, NULL, v, NULL, 0, -1, NULL,
                                  caudal_sync_callback, &sync);
      g_assert_true (caudal_producer_send_finish (producer, caudal_sync_wait (&sync), NULL, &error));
      g_assert_no_error (error);
    }
}

static guint
broker_group_count (void)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;

  caudal_admin_list_groups_async (t.admin, NULL, caudal_sync_callback, &sync);
  groups = caudal_admin_list_groups_finish (t.admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  return groups->len;
}

/* Bytes of @topic's replicas as DescribeLogDirs reports them (one broker:
 * every replica is the leader's). */
static gint64
broker_topic_size (const char *topic)
{
  const char *topics[] = { topic, NULL };
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dirs = NULL;
  gint64 size = 0;

  caudal_admin_describe_log_dirs_async (t.admin, topics, NULL, caudal_sync_callback, &sync);
  dirs = caudal_admin_describe_log_dirs_finish (t.admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < dirs->len; i++)
    {
      CaudalAdminLogDir *dir = g_ptr_array_index (dirs, i);

      for (guint r = 0; r < dir->replicas->len; r++)
        {
          CaudalAdminReplicaLogDir *replica = g_ptr_array_index (dir->replicas, r);

          if (strcmp (replica->topic, topic) == 0)
            size += replica->size;
        }
    }
  return size;
}

static guint
broker_partition_count (CaudalCluster *cluster,
                        const char    *topic)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalTopicInfo *info;

  caudal_cluster_refresh_metadata_async (cluster, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_cluster_refresh_metadata_finish (cluster, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
  info = caudal_cluster_lookup_topic (cluster, topic);
  return info != NULL ? info->partitions->len : 0;
}

/* Whether @address accepts a TCP connection (refused once a broker is
 * gone: its port is closed). */
static gboolean
can_connect (const char *address)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  if (connection == NULL)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  return connection != NULL;
}

/* ---- the widgets ---- */

static DesktopTopic *
shown_topic (DesktopTopicsPage *page,
             const char        *name)
{
  GListModel *shown = desktop_topics_page_get_shown (page);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DesktopTopic) topic = g_list_model_get_item (shown, i);

      if (strcmp (desktop_topic_get_name (topic), name) == 0)
        return topic;   /* the model keeps its reference */
    }
  return NULL;
}

static gint64
shown_messages (DesktopTopicsPage *page,
                const char        *name)
{
  DesktopTopic *topic = shown_topic (page, name);

  return topic != NULL ? desktop_topic_get_messages (topic) : -2;
}

static gint64
shown_size (DesktopTopicsPage *page,
            const char        *name)
{
  DesktopTopic *topic = shown_topic (page, name);

  return topic != NULL ? desktop_topic_get_size (topic) : -2;
}

static gboolean
match_label_exact (GtkWidget    *widget,
                   gconstpointer text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

/* The row button that activates topics.add-partitions for @topic. */
static gboolean
match_add_partitions_button (GtkWidget    *widget,
                             gconstpointer topic)
{
  GVariant *target;

  if (!GTK_IS_BUTTON (widget)
      || g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "topics.add-partitions") != 0)
    return FALSE;
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return target != NULL && g_strcmp0 (g_variant_get_string (target, NULL), topic) == 0;
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *view,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;   /* the view keeps its reference */
    }
  return NULL;
}

static const char *
row_subtitle (GtkWidget  *page,
              GType       type,
              const char *row)
{
  return adw_action_row_get_subtitle (CHILD (page, AdwActionRow, type, row));
}

/* The cluster window titled @title (several are open by the end). */
static GtkWindow *
find_cluster_window (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (DESKTOP_IS_CLUSTER_WINDOW (w) && gtk_widget_get_visible (GTK_WIDGET (w))
          && g_strcmp0 (gtk_window_get_title (w), title) == 0)
        return w;
    }
  return NULL;
}

static GtkListBoxRow *
find_connection_row (const char *title)
{
  GtkListBox *list_box = CHILD (t.connections, GtkListBox, DESKTOP_TYPE_CONNECTIONS_WINDOW, "list_box");
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list_box, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  return NULL;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---- the cases ---- */

static void
test_overview_counts (void)
{
  GtkWidget *page;

  t.cluster_window = desktop_application_open_cluster (t.app, "admin", t.broker.bootstrap);
  page = CHILD (t.cluster_window, GtkWidget, DESKTOP_TYPE_CLUSTER_WINDOW, "overview_page");

  /* What the broker holds: one group, 12 messages outside internal topics
   * (__consumer_offsets holds the commit and is not counted). */
  g_assert_cmpuint (broker_group_count (), ==, 1);
  WAIT_FOR (g_strcmp0 (row_subtitle (page, DESKTOP_TYPE_OVERVIEW_PAGE, "groups_row"), "1") == 0);
  WAIT_FOR (g_strcmp0 (row_subtitle (page, DESKTOP_TYPE_OVERVIEW_PAGE, "messages_row"), "12") == 0);
  g_assert_cmpstr (row_subtitle (page, DESKTOP_TYPE_OVERVIEW_PAGE, "topics_row"), ==, "3");

  /* The periodic refresh follows the broker: one more message. */
  produce (OTHER, 0, 1);
  WAIT_FOR (g_strcmp0 (row_subtitle (page, DESKTOP_TYPE_OVERVIEW_PAGE, "messages_row"), "13") == 0);
}

static void
test_topics_columns (void)
{
  AdwViewStack *view_stack = CHILD (t.cluster_window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW, "view_stack");
  DesktopTopicsPage *page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  GtkColumnView *column_view = CHILD (page, GtkColumnView, DESKTOP_TYPE_TOPICS_PAGE, "column_view");
  g_autoptr(DesktopTopic) first = NULL;
  g_autofree char *size_text = NULL;
  gint64 size;

  adw_view_stack_set_visible_child_name (view_stack, "topics");
  WAIT_FOR (shown_messages (page, TOPIC) == 7 && shown_messages (page, OTHER) == 6);
  WAIT_FOR (shown_size (page, TOPIC) >= 0);

  /* The size is what DescribeLogDirs reports for the topic's replicas. */
  size = broker_topic_size (TOPIC);
  g_assert_cmpint (size, >, 0);
  g_assert_cmpint (shown_size (page, TOPIC), ==, size);
  size_text = g_format_size ((guint64) size);
  WAIT_FOR (find_widget (GTK_WIDGET (column_view), match_label_exact, size_text) != NULL);
  WAIT_FOR (find_widget (GTK_WIDGET (column_view), match_label_exact, "7") != NULL);

  /* Sortable: most messages first. */
  gtk_column_view_sort_by_column (column_view, column_titled (column_view, "Messages"), GTK_SORT_DESCENDING);
  first = g_list_model_get_item (desktop_topics_page_get_shown (page), 0);
  g_assert_cmpstr (desktop_topic_get_name (first), ==, TOPIC);
  g_clear_object (&first);
  gtk_column_view_sort_by_column (column_view, column_titled (column_view, "Messages"), GTK_SORT_ASCENDING);
  first = g_list_model_get_item (desktop_topics_page_get_shown (page), 0);
  g_assert_cmpstr (desktop_topic_get_name (first), !=, TOPIC);
  g_clear_object (&first);
  gtk_column_view_sort_by_column (column_view, column_titled (column_view, "Size"), GTK_SORT_DESCENDING);
  first = g_list_model_get_item (desktop_topics_page_get_shown (page), 0);
  g_assert_cmpint (desktop_topic_get_size (first), >=, size);
}

static void
test_add_partitions (void)
{
  DesktopTopicsPage *page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  GtkColumnView *column_view = CHILD (page, GtkColumnView, DESKTOP_TYPE_TOPICS_PAGE, "column_view");
  GtkWidget *button = NULL;
  GtkWindow *dialog = NULL;
  GtkSpinButton *spin;

  g_assert_cmpuint (broker_partition_count (t.client, OTHER), ==, 1);

  /* The row's button opens the dialog on the topic. */
  WAIT_FOR ((button = find_widget (GTK_WIDGET (column_view), match_add_partitions_button, OTHER)) != NULL);
  gtk_widget_activate (button);
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_ADD_PARTITIONS_DIALOG)) != NULL);
  g_assert_cmpstr (row_subtitle (GTK_WIDGET (dialog), DESKTOP_TYPE_ADD_PARTITIONS_DIALOG, "current_row"), ==, "1");
  spin = CHILD (dialog, GtkSpinButton, DESKTOP_TYPE_ADD_PARTITIONS_DIALOG, "total_spin");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 2);

  /* Lowering (or keeping) the count cannot be entered. */
  gtk_spin_button_set_value (spin, 1);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 2);
  gtk_editable_set_text (GTK_EDITABLE (spin), "0");
  gtk_spin_button_update (spin);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 2);

  gtk_spin_button_set_value (spin, 3);
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_ADD_PARTITIONS_DIALOG, "add_button"));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_ADD_PARTITIONS_DIALOG) == NULL);
  g_assert_cmpuint (broker_partition_count (t.client, OTHER), ==, 3);
  WAIT_FOR (has_toast (t.cluster_window, "Topic “" OTHER "” now has 3 partitions"));
  WAIT_FOR (shown_topic (page, OTHER) != NULL && desktop_topic_get_partitions (shown_topic (page, OTHER)) == 3);
  /* The messages stay where they were. */
  WAIT_FOR (shown_messages (page, OTHER) == 6);

  /* Again: now at least 4. */
  WAIT_FOR ((button = find_widget (GTK_WIDGET (column_view), match_add_partitions_button, OTHER)) != NULL);
  gtk_widget_activate (button);
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_ADD_PARTITIONS_DIALOG)) != NULL);
  g_assert_cmpstr (row_subtitle (GTK_WIDGET (dialog), DESKTOP_TYPE_ADD_PARTITIONS_DIALOG, "current_row"), ==, "3");
  spin = CHILD (dialog, GtkSpinButton, DESKTOP_TYPE_ADD_PARTITIONS_DIALOG, "total_spin");
  gtk_spin_button_set_value (spin, 2);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 4);
  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_ADD_PARTITIONS_DIALOG) == NULL);
  g_assert_cmpuint (broker_partition_count (t.client, OTHER), ==, 3);
}

static void
test_local_broker_fails (void)
{
  GtkWidget *local_box;
  GtkButton *local_button;
  DesktopLocalBroker *local = desktop_application_get_local_broker (t.app);
  g_autofree char *dir = g_build_filename (t.data_home, "caudal-desktop", "local-broker", NULL);
  g_autofree char *busy = g_strconcat ("PLAINTEXT://", t.broker.bootstrap, NULL);

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  /* A listener caudald refuses: it exits at once, saying why on stderr. */
  g_setenv ("CAUDAL_DESKTOP_LOCAL_LISTENER", "NOPE://127.0.0.1:0", TRUE);
  t.connections = desktop_application_open_connections (t.app);
  local_box = CHILD (t.connections, GtkWidget, DESKTOP_TYPE_CONNECTIONS_WINDOW, "local_box");
  local_button = CHILD (t.connections, GtkButton, DESKTOP_TYPE_CONNECTIONS_WINDOW, "local_button");
  WAIT_FOR (gtk_widget_get_visible (local_box));
  g_assert_cmpstr (gtk_button_get_label (local_button), ==, "_Start Local Broker");

  /* Shown again, the window probes again: with something listening on
   * the port (the test's broker) there is nothing to offer. */
  g_setenv ("CAUDAL_DESKTOP_LOCAL_LISTENER", busy, TRUE);
  gtk_widget_hide (GTK_WIDGET (t.connections));
  gtk_window_present (t.connections);
  WAIT_FOR (!gtk_widget_get_visible (local_box));
  g_setenv ("CAUDAL_DESKTOP_LOCAL_LISTENER", "NOPE://127.0.0.1:0", TRUE);
  gtk_widget_hide (GTK_WIDGET (t.connections));
  gtk_window_present (t.connections);
  WAIT_FOR (gtk_widget_get_visible (local_box));

  gtk_widget_activate (GTK_WIDGET (local_button));
  WAIT_FOR (has_toast (t.connections, "Could not start the local broker"));
  g_assert_true (has_toast (t.connections, "listener NOPE has no security protocol"));
  WAIT_FOR (desktop_local_broker_get_state (local) == DESKTOP_LOCAL_BROKER_STOPPED);
  g_assert_cmpstr (gtk_button_get_label (local_button), ==, "_Start Local Broker");
  g_assert_null (find_connection_row ("Local broker"));
  /* The data dir was made for it, all the same. */
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
}

static void
test_local_broker (void)
{
  DesktopLocalBroker *local = desktop_application_get_local_broker (t.app);
  GtkButton *local_button = CHILD (t.connections, GtkButton, DESKTOP_TYPE_CONNECTIONS_WINDOW, "local_button");
  g_autofree char *dir = g_build_filename (t.data_home, "caudal-desktop", "local-broker", NULL);
  g_autofree char *topic_dir = g_build_filename (dir, "data", "local-topic-0", NULL);
  g_autofree char *bootstrap = NULL;
  g_autoptr(CaudalCluster) cluster = NULL;
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window = NULL;
  GtkListBoxRow *row = NULL;
  GStatBuf st;

  g_setenv ("CAUDAL_DESKTOP_LOCAL_LISTENER", "PLAINTEXT://127.0.0.1:0", TRUE);

  /* Start: a connection "Local broker" is remembered and opened. */
  gtk_widget_activate (GTK_WIDGET (local_button));
  WAIT_FOR ((window = find_cluster_window ("Local broker")) != NULL);
  g_assert_cmpint (desktop_local_broker_get_state (local), ==, DESKTOP_LOCAL_BROKER_RUNNING);
  bootstrap = g_strdup (desktop_cluster_window_get_bootstrap_servers (DESKTOP_CLUSTER_WINDOW (window)));
  g_assert_cmpstr (bootstrap, ==, desktop_local_broker_get_bootstrap_servers (local));
  g_assert_true (g_str_has_prefix (bootstrap, "127.0.0.1:"));
  WAIT_FOR ((row = find_connection_row ("Local broker")) != NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, bootstrap);
  g_assert_cmpstr (gtk_button_get_label (local_button), ==, "_Stop Local Broker");

  /* Its data is the user's, private, under XDG_DATA_HOME. */
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* A real broker: a topic created with libcaudal is there. */
  cluster = caudal_cluster_new (bootstrap, "test-topics-admin", &error);
  g_assert_no_error (error);
  admin = caudal_admin_new (cluster);
  create_topic (admin, "local-topic", 2);
  g_assert_cmpuint (broker_partition_count (cluster, "local-topic"), ==, 2);
  g_clear_object (&admin);
  g_clear_object (&cluster);
  /* ...with its log in the data dir. */
  g_assert_true (g_file_test (topic_dir, G_FILE_TEST_IS_DIR));

  /* Stop: the port closes, the button offers Start again. */
  gtk_widget_activate (GTK_WIDGET (local_button));
  WAIT_FOR (desktop_local_broker_get_state (local) == DESKTOP_LOCAL_BROKER_STOPPED);
  g_assert_false (can_connect (bootstrap));
  WAIT_FOR (g_strcmp0 (gtk_button_get_label (local_button), "_Start Local Broker") == 0);
  gtk_window_destroy (window);

  /* Start again: the same data (the topic is still there), a new port,
   * the same remembered connection pointed at it. */
  gtk_widget_activate (GTK_WIDGET (local_button));
  WAIT_FOR ((window = find_cluster_window ("Local broker")) != NULL);
  g_clear_pointer (&bootstrap, g_free);
  bootstrap = g_strdup (desktop_cluster_window_get_bootstrap_servers (DESKTOP_CLUSTER_WINDOW (window)));
  g_assert_cmpstr (bootstrap, ==, desktop_local_broker_get_bootstrap_servers (local));
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_connection_row ("Local broker"))),
                       bootstrap) == 0);
  cluster = caudal_cluster_new (bootstrap, "test-topics-admin", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (broker_partition_count (cluster, "local-topic"), ==, 2);
}

static void
activate_quit (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "quit", NULL);
}

static void
test_local_broker_quit (void)
{
  DesktopLocalBroker *local = desktop_application_get_local_broker (t.app);
  g_autofree char *bootstrap = g_strdup (desktop_local_broker_get_bootstrap_servers (local));

  g_assert_nonnull (bootstrap);
  g_assert_true (can_connect (bootstrap));

  /* Quit as Ctrl+Q does; g_application_run() returns after shutdown. */
  g_idle_add_once (activate_quit, NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (t.app), 0, NULL), ==, 0);

  g_assert_cmpint (desktop_local_broker_get_state (local), ==, DESKTOP_LOCAL_BROKER_STOPPED);
  g_assert_false (can_connect (bootstrap));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  CaudalAdminOffsetCommit commit = { TOPIC, 0, 2 };
  int ret;

  /* Before anything asks GLib for it (g_get_user_data_dir() caches). */
  t.data_home = g_dir_make_tmp ("caudal-gui-data-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", t.data_home, TRUE);
  g_setenv ("CAUDAL_DESKTOP_CAUDALD", g_getenv ("CAUDALD"), TRUE);

  gui_test_init (&argc, &argv);
  gui_test_broker_start (&t.broker, NULL);
  t.client = caudal_cluster_new (t.broker.bootstrap, "test-topics-admin", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);

  create_topic (t.admin, TOPIC, 2);
  create_topic (t.admin, OTHER, 1);
  produce (TOPIC, 0, 3);
  produce (TOPIC, 1, 4);
  produce (OTHER, 0, 5);
  {
    g_auto(CaudalSync) sync = { 0 };

    caudal_admin_alter_group_offsets_async (t.admin, GROUP, &commit, 1, NULL, caudal_sync_callback, &sync);
    g_assert_true (caudal_admin_alter_group_offsets_finish (t.admin, caudal_sync_wait (&sync), &error));
    g_assert_no_error (error);
  }

  t.app = gui_test_app_new ();

  g_test_add_func ("/topics-admin/overview-counts", test_overview_counts);
  g_test_add_func ("/topics-admin/topics-columns", test_topics_columns);
  g_test_add_func ("/topics-admin/add-partitions", test_add_partitions);
  g_test_add_func ("/topics-admin/local-broker-fails", test_local_broker_fails);
  g_test_add_func ("/topics-admin/local-broker", test_local_broker);
  g_test_add_func ("/topics-admin/local-broker-quit", test_local_broker_quit);
  ret = g_test_run ();

  gui_test_destroy_toplevels ();
  g_clear_object (&t.app);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  rm_rf (t.data_home);
  g_free (t.data_home);
  return ret;
}
