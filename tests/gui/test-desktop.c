/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desktop.c: caudal-desktop's real windows under Xvfb against a
 * real caudald, driven the way a click does (activate buttons, set
 * entries, answer dialogs), asserting on what the widgets show and on
 * what the broker holds (read back with libcaudal).
 *
 * The cases run in order and share one broker and one application. */

#include <string.h>

#include "caudal-admin.h"
#include "desktop-application.h"
#include "gui-test-util.h"
#include "desktop-cluster-window.h"
#include "desktop-connection-dialog.h"
#include "desktop-connections-window.h"
#include "desktop-create-topic-dialog.h"
#include "desktop-overview-page.h"
#include "desktop-topic.h"
#include "desktop-topics-page.h"
#include "desktop-util.h"

#define BROKER_SEGMENT_BYTES "2097152"

static struct
{
  GuiTestBroker       broker;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  GtkWindow          *connections;
  GtkWindow          *cluster_window;
} t;

/* The broker's topics, read with libcaudal (Metadata for all topics). */
static CaudalTopicInfo *
broker_lookup_topic (const char *name)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  caudal_cluster_refresh_metadata_async (t.client, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_cluster_refresh_metadata_finish (t.client, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
  return caudal_cluster_lookup_topic (t.client, name);
}

/* The config @key of @topic on the broker (CaudalAdmin). */
static CaudalAdminConfigEntry *
broker_config (const char *topic,
               const char *key)
{
  const char *keys[] = { key, NULL };
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  caudal_admin_describe_configs_async (t.admin, CAUDAL_ADMIN_RESOURCE_TOPIC, topic, keys, NULL,
                                       caudal_sync_callback, &sync);
  entries = caudal_admin_describe_configs_finish (t.admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  return caudal_admin_config_entry_ref (g_ptr_array_index (entries, 0));
}

/* The override entry of the Other Settings row for @key. */
static GtkEditable *
other_setting (GtkWindow  *dialog,
               const char *key)
{
  GtkWidget *list = CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "other_list");
  GtkWidget *row = find_widget (list, match_row_named, key);

  g_assert_nonnull (row);
  return GTK_EDITABLE (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
}

static gboolean
shown_has_topic (DesktopTopicsPage *page,
                 const char        *name)
{
  GListModel *shown = desktop_topics_page_get_shown (page);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DesktopTopic) topic = g_list_model_get_item (shown, i);
      if (strcmp (desktop_topic_get_name (topic), name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- the cases ---- */

static void
test_connections (void)
{
  GtkWidget *add_button;
  GtkListBox *list_box;
  GtkWindow *dialog = NULL;
  AdwEntryRow *name_row, *bootstrap_row;
  AdwActionRow *test_row;
  GtkListBoxRow *row;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.caudal.Caudal");
  g_autoptr(GVariant) saved = NULL;

  t.connections = desktop_application_open_connections (t.app);
  add_button = CHILD (t.connections, GtkWidget, DESKTOP_TYPE_CONNECTIONS_WINDOW, "add_button");
  list_box = CHILD (t.connections, GtkListBox, DESKTOP_TYPE_CONNECTIONS_WINDOW, "list_box");
  g_assert_null (gtk_list_box_get_row_at_index (list_box, 0));

  /* Add: the dialog opens, the connection test reports one broker. */
  gtk_widget_activate (add_button);
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_CONNECTION_DIALOG)) != NULL);
  name_row = CHILD (dialog, AdwEntryRow, DESKTOP_TYPE_CONNECTION_DIALOG, "name_row");
  bootstrap_row = CHILD (dialog, AdwEntryRow, DESKTOP_TYPE_CONNECTION_DIALOG, "bootstrap_row");
  test_row = CHILD (dialog, AdwActionRow, DESKTOP_TYPE_CONNECTION_DIALOG, "test_row");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "local");
  gtk_editable_set_text (GTK_EDITABLE (bootstrap_row), t.broker.bootstrap);
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CONNECTION_DIALOG, "test_button"));
  WAIT_FOR (g_str_has_prefix (adw_action_row_get_subtitle (test_row), "Connected: 1 broker,"));

  /* Save: listed, and remembered in GSettings. */
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CONNECTION_DIALOG, "save_button"));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_CONNECTION_DIALOG) == NULL);
  WAIT_FOR ((row = gtk_list_box_get_row_at_index (list_box, 0)) != NULL);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "local");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, t.broker.bootstrap);
  saved = g_settings_get_value (settings, "clusters");
  g_assert_cmpuint (g_variant_n_children (saved), ==, 1);

  /* An unreachable one: the test says so. */
  gtk_widget_activate (add_button);
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_CONNECTION_DIALOG)) != NULL);
  bootstrap_row = CHILD (dialog, AdwEntryRow, DESKTOP_TYPE_CONNECTION_DIALOG, "bootstrap_row");
  test_row = CHILD (dialog, AdwActionRow, DESKTOP_TYPE_CONNECTION_DIALOG, "test_row");
  gtk_editable_set_text (GTK_EDITABLE (bootstrap_row), "127.0.0.1:1");
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CONNECTION_DIALOG, "test_button"));
  WAIT_FOR (strstr (adw_action_row_get_subtitle (test_row), "cannot connect to 127.0.0.1:1") != NULL);
  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_CONNECTION_DIALOG) == NULL);
}

static void
test_overview (void)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (CHILD (t.connections, GtkListBox,
                                                             DESKTOP_TYPE_CONNECTIONS_WINDOW, "list_box"), 0);
  DesktopOverviewPage *page;
  AdwActionRow *cluster_id_row;
  GtkListBox *brokers_list;
  CaudalBrokerInfo *broker;
  g_autofree char *broker_title = NULL;
  const char *cluster_id;

  /* Opening a connection: a click on its row. */
  gtk_widget_activate (GTK_WIDGET (row));
  WAIT_FOR ((t.cluster_window = find_toplevel (DESKTOP_TYPE_CLUSTER_WINDOW)) != NULL);
  g_assert_cmpstr (gtk_window_get_title (t.cluster_window), ==, "local");

  g_assert_null (broker_lookup_topic ("nothing-yet"));
  cluster_id = caudal_cluster_get_cluster_id (t.client);
  g_assert_nonnull (cluster_id);
  broker = g_ptr_array_index (caudal_cluster_get_brokers (t.client), 0);
  broker_title = g_strdup_printf ("Broker %d", broker->node_id);

  page = CHILD (t.cluster_window, DesktopOverviewPage, DESKTOP_TYPE_CLUSTER_WINDOW, "overview_page");
  cluster_id_row = CHILD (page, AdwActionRow, DESKTOP_TYPE_OVERVIEW_PAGE, "cluster_id_row");
  brokers_list = CHILD (page, GtkListBox, DESKTOP_TYPE_OVERVIEW_PAGE, "brokers_list");
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (cluster_id_row), cluster_id) == 0);
  WAIT_FOR (gtk_list_box_get_row_at_index (brokers_list, 0) != NULL);
  row = gtk_list_box_get_row_at_index (brokers_list, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, broker_title);
  g_assert_null (gtk_list_box_get_row_at_index (brokers_list, 1));
  /* A single node's partitions are all led and fully in sync (the counts
   * on a cluster with a broker down: tests/integration/test-cluster-failover.py
   * checks the same metadata through the CLI). */
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (CHILD (page, AdwActionRow, DESKTOP_TYPE_OVERVIEW_PAGE,
                                                          "under_replicated_row")), "0") == 0);
  g_assert_cmpstr (adw_action_row_get_subtitle (CHILD (page, AdwActionRow, DESKTOP_TYPE_OVERVIEW_PAGE,
                                                       "offline_row")), ==, "0");
}

static gboolean created_other;

static void
on_other_created (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (caudal_admin_create_topic_finish (CAUDAL_ADMIN (source), result, &error));
  g_assert_no_error (error);
  created_other = TRUE;
}

static void
test_topics_create (void)
{
  AdwViewStack *view_stack = CHILD (t.cluster_window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW, "view_stack");
  DesktopTopicsPage *page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  GtkWindow *dialog = NULL;
  AdwEntryRow *name_row;
  GtkWidget *create_button, *name_error;
  GtkColumnView *column_view;
  GtkWidget *other_list, *row;
  GtkEditable *filter;
  CaudalTopicInfo *info;
  g_autoptr(CaudalAdminConfigEntry) segment_bytes = NULL;
  g_autoptr(CaudalAdminConfigEntry) entry = NULL;
  g_autofree char *segment_default = NULL;

  /* Another topic, so that search has something to hide. */
  caudal_admin_create_topic_async (t.admin, "other-topic", 1, 1, NULL, FALSE, NULL, on_other_created, NULL);
  WAIT_FOR (created_other);

  adw_view_stack_set_visible_child_name (view_stack, "topics");
  WAIT_FOR (shown_has_topic (page, "other-topic"));

  gtk_widget_activate (CHILD (page, GtkWidget, DESKTOP_TYPE_TOPICS_PAGE, "create_button"));
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_CREATE_TOPIC_DIALOG)) != NULL);
  name_row = CHILD (dialog, AdwEntryRow, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "name_row");
  create_button = CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "create_button");
  name_error = CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "name_error");

  /* Kafka's name rule, as typed. */
  g_assert_false (gtk_widget_get_sensitive (create_button));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "no spaces");
  g_assert_false (gtk_widget_get_sensitive (create_button));
  g_assert_true (gtk_widget_get_visible (name_error));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "..");
  g_assert_false (gtk_widget_get_sensitive (create_button));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "gui-topic.v1_x");
  g_assert_true (gtk_widget_get_sensitive (create_button));
  g_assert_false (gtk_widget_get_visible (name_error));

  /* Other Settings: every other key with the default a new topic gets,
   * as a topic created without overrides (other-topic) has it: here the
   * broker's own log.segment.bytes (see main). */
  segment_bytes = broker_config ("other-topic", "segment.bytes");
  g_assert_cmpstr (segment_bytes->value, ==, BROKER_SEGMENT_BYTES);
  segment_default = g_strdup_printf ("Default: %s", segment_bytes->value);
  other_list = CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "other_list");
  WAIT_FOR (gtk_widget_get_visible (other_list));
  row = find_widget (other_list, match_row_named, "segment.bytes");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "segment.bytes");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, segment_default);
  /* The keys with rows of their own above are not listed twice. */
  g_assert_null (find_widget (other_list, match_row_named, "retention.ms"));
  g_assert_null (find_widget (other_list, match_row_named, "cleanup.policy"));
  /* The filter narrows the list by name. */
  filter = CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "other_search");
  gtk_editable_set_text (filter, "MAX.MESSAGE");
  WAIT_FOR (!gtk_widget_get_child_visible (row));
  g_assert_true (gtk_widget_get_child_visible (find_widget (other_list, match_row_named, "max.message.bytes")));
  gtk_editable_set_text (filter, "");
  WAIT_FOR (gtk_widget_get_child_visible (row));

  gtk_spin_button_set_value (CHILD (dialog, GtkSpinButton, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "partitions_spin"), 3);
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "retention_row"), "60000");
  adw_combo_row_set_selected (CHILD (dialog, AdwComboRow, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "cleanup_row"), 2);
  gtk_editable_set_text (other_setting (dialog, "max.message.bytes"), "200000");
  gtk_widget_activate (create_button);

  /* Created on the broker, the dialog gone, the list showing it. */
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_CREATE_TOPIC_DIALOG) == NULL);
  info = broker_lookup_topic ("gui-topic.v1_x");
  g_assert_nonnull (info);
  g_assert_cmpuint (info->partitions->len, ==, 3);
  /* With the overrides: the two rows above and one from Other Settings;
   * the rows left empty stay at the default. */
  entry = broker_config ("gui-topic.v1_x", "max.message.bytes");
  g_assert_cmpstr (entry->value, ==, "200000");
  g_assert_cmpint (entry->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  g_clear_pointer (&entry, caudal_admin_config_entry_unref);
  entry = broker_config ("gui-topic.v1_x", "retention.ms");
  g_assert_cmpstr (entry->value, ==, "60000");
  g_assert_cmpint (entry->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  g_clear_pointer (&entry, caudal_admin_config_entry_unref);
  entry = broker_config ("gui-topic.v1_x", "cleanup.policy");
  g_assert_cmpstr (entry->value, ==, "compact");
  g_clear_pointer (&entry, caudal_admin_config_entry_unref);
  entry = broker_config ("gui-topic.v1_x", "segment.bytes");
  g_assert_cmpstr (entry->value, ==, segment_bytes->value);
  g_assert_cmpint (entry->source, !=, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  WAIT_FOR (shown_has_topic (page, "gui-topic.v1_x"));
  WAIT_FOR (has_toast (t.cluster_window, "Created topic “gui-topic.v1_x”"));
  column_view = CHILD (page, GtkColumnView, DESKTOP_TYPE_TOPICS_PAGE, "column_view");
  WAIT_FOR (find_widget (GTK_WIDGET (column_view), match_label_containing, "gui-topic.v1_x") != NULL);

  /* Creating it again: the broker's refusal is a toast on the dialog. */
  gtk_widget_activate (CHILD (page, GtkWidget, DESKTOP_TYPE_TOPICS_PAGE, "create_button"));
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_CREATE_TOPIC_DIALOG)) != NULL);
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "name_row"), "gui-topic.v1_x");
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "create_button"));
  WAIT_FOR (has_toast (dialog, "TOPIC_ALREADY_EXISTS"));
  g_assert_true (has_toast (dialog, t.broker.bootstrap));   /* names the broker */

  /* A value the broker refuses (segment.bytes is at least 14): its
   * INVALID_CONFIG, and nothing created. */
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "name_row"), "gui-bad-config");
  WAIT_FOR (gtk_widget_get_visible (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "other_list")));
  gtk_editable_set_text (other_setting (dialog, "segment.bytes"), "1");
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "create_button"));
  WAIT_FOR (has_toast (dialog, "INVALID_CONFIG"));
  g_assert_null (broker_lookup_topic ("gui-bad-config"));
  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_CREATE_TOPIC_DIALOG) == NULL);
}

static void
test_topics_search (void)
{
  DesktopTopicsPage *page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  GtkEditable *search = CHILD (page, GtkEditable, DESKTOP_TYPE_TOPICS_PAGE, "search_entry");

  gtk_editable_set_text (search, "GUI-");
  WAIT_FOR (!shown_has_topic (page, "other-topic"));
  g_assert_true (shown_has_topic (page, "gui-topic.v1_x"));
  g_assert_cmpuint (g_list_model_get_n_items (desktop_topics_page_get_shown (page)), ==, 1);
  gtk_editable_set_text (search, "no-such");
  WAIT_FOR (g_list_model_get_n_items (desktop_topics_page_get_shown (page)) == 0);
  gtk_editable_set_text (search, "");
  WAIT_FOR (shown_has_topic (page, "other-topic") && shown_has_topic (page, "gui-topic.v1_x"));
}

static void
test_topics_delete (void)
{
  DesktopTopicsPage *page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  GtkWindow *dialog = NULL;

  /* The row's trash button activates topics.delete with the name. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "topics.delete", "s", "gui-topic.v1_x"));
  WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), "gui-topic.v1_x"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "gui-topic.v1_x"));

  /* Cancel keeps it. */
  click_response (dialog, "_Cancel");
  WAIT_FOR (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_nonnull (broker_lookup_topic ("gui-topic.v1_x"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "topics.delete", "s", "gui-topic.v1_x"));
  WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  click_response (dialog, "_Delete");
  WAIT_FOR (!shown_has_topic (page, "gui-topic.v1_x"));
  g_assert_null (broker_lookup_topic ("gui-topic.v1_x"));
  g_assert_true (shown_has_topic (page, "other-topic"));
  WAIT_FOR (has_toast (t.cluster_window, "Deleted topic “gui-topic.v1_x”"));
}

static guint ticks;

static gboolean
count_tick (gpointer user_data)
{
  ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_unreachable (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.caudal.Caudal");
  g_autoptr(GError) error = NULL;
  g_autofree char *bootstrap = NULL;
  GtkWindow *window, *dialog = NULL;
  GtkWidget *create_button;
  guint counter;
  gint64 start;

  /* A broker that accepts connections (the kernel's backlog) and never
   * answers: the worst case, where only the timeout ends the wait. */
  g_assert_true (g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_assert_no_error (error);
  bootstrap = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_settings_set_uint (settings, "request-timeout", 1500);

  counter = g_timeout_add (20, count_tick, NULL);
  start = g_get_monotonic_time ();
  window = desktop_application_open_cluster (t.app, "silent", bootstrap);
  WAIT_FOR (has_toast (window, bootstrap));
  g_assert_true (has_toast (window, "timed out"));
  /* The loop kept turning while the broker said nothing. Not a timing
   * check: ~75 ticks are due in 1.5 s, a blocked loop gets one or none, and
   * a loaded 2-core CI machine still gets well over the bound. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * 1000);
  g_assert_cmpuint (ticks, >=, 5);
  g_source_remove (counter);

  /* Nor can the New Topic dialog learn the defaults there: it says why
   * and offers a setting by name, checked as typed (a value needs a
   * name). */
  g_assert_true (gtk_widget_activate_action (CHILD (window, GtkWidget, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page"),
                                             "topics.create", NULL));
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_CREATE_TOPIC_DIALOG)) != NULL);
  WAIT_FOR (gtk_widget_get_visible (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "free_list")));
  g_assert_false (gtk_widget_get_visible (CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "other_list")));
  g_assert_nonnull (strstr (gtk_label_get_text (CHILD (dialog, GtkLabel, DESKTOP_TYPE_CREATE_TOPIC_DIALOG,
                                                       "other_status")), "timed out"));
  create_button = CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "create_button");
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "name_row"), "by-name");
  g_assert_true (gtk_widget_get_sensitive (create_button));
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "free_value_row"), "100");
  g_assert_false (gtk_widget_get_sensitive (create_button));
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "free_key_row"),
                         "segment.jitter.ms");
  g_assert_true (gtk_widget_get_sensitive (create_button));
  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_CREATE_TOPIC_DIALOG) == NULL);

  gtk_window_close (window);
  g_settings_reset (settings, "request-timeout");
}

int
main (int    argc,
      char **argv)
{
  /* Not Kafka's default, so that the create dialog's defaults must come
   * from the broker. */
  const char *const overrides[] = { "log.segment.bytes=" BROKER_SEGMENT_BYTES, NULL };
  g_autoptr(GError) error = NULL;
  int ret;

  gui_test_init (&argc, &argv);
  gui_test_broker_start (&t.broker, overrides);
  t.client = caudal_cluster_new (t.broker.bootstrap, "test-desktop", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);

  t.app = gui_test_app_new ();

  g_test_add_func ("/desktop/connections", test_connections);
  g_test_add_func ("/desktop/overview", test_overview);
  g_test_add_func ("/desktop/topics-create", test_topics_create);
  g_test_add_func ("/desktop/topics-search", test_topics_search);
  g_test_add_func ("/desktop/topics-delete", test_topics_delete);
  g_test_add_func ("/desktop/unreachable", test_unreachable);
  ret = g_test_run ();

  gui_test_destroy_toplevels ();
  g_clear_object (&t.app);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  return ret;
}
