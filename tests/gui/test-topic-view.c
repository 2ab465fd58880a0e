/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-topic-view.c: the topic window and its messages browser under
 * Xvfb against a real caudald. A topic with 2 partitions gets known
 * messages from libcaudal's producer; the topic window opens from a row
 * activation in the topics list and must show its partitions and
 * offsets; editing and resetting retention.ms is checked on the broker
 * with CaudalAdmin; the messages browser must read back exactly what was
 * produced, filter by key, show a selected value, read from an offset
 * and tail new messages. The window's Produce… opens the produce dialog
 * on its topic; the topics list drops its wide columns at 360 px.
 *
 * The cases run in order and share one broker and one application. */

#include <string.h>

#include "caudal-admin.h"
#include "caudal-producer.h"
#include "desktop-application.h"
#include "gui-test-util.h"
#include "desktop-cluster-window.h"
#include "desktop-message.h"
#include "desktop-messages-view.h"
#include "desktop-overview-page.h"
#include "desktop-produce-dialog.h"
#include "desktop-topic.h"
#include "desktop-topic-view.h"
#include "desktop-topics-page.h"

#define TOPIC "browse-me"

static struct
{
  GuiTestBroker       broker;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  GtkWindow          *cluster_window;
  DesktopTopicView   *view;
  char               *default_retention;
} t;

/* What is produced: partition, key, value (offsets follow per partition). */
static const struct
{
  gint32      partition;
  gint64      offset;
  const char *key;
  const char *value;
} produced[] = {
  { 0, 0, "key-a", "value-a" },
  { 0, 1, "key-b", "{\"n\": 2}" },
  { 0, 2, "key-c", "value-c" },
  { 1, 0, "key-d", "value-d" },
  { 1, 1, "key-e", "value-e" },
};

/* ---- libcaudal on the test's side ---- */

static gboolean created;

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (caudal_admin_create_topic_finish (CAUDAL_ADMIN (source), result, &error));
  g_assert_no_error (error);
  created = TRUE;
}

static void
produce (gint32      partition,
         const char *key,
         const char *value,
         gint64      expected_offset)
{
  g_autoptr(CaudalProducer) producer = caudal_producer_new (t.client, NULL);
  g_autoptr(GBytes) k = g_bytes_new (key, strlen (key));
  g_autoptr(GBytes) v = g_bytes_new (value, strlen (value));
  CaudalRecordHeader header = { { (const guint8 *) "origin", 6 }, { (const guint8 *) "test", 4 } };
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalProducerResult out;

  caudal_producer_send_async (producer, TOPIC, partition, k, v, &header, 1, -1, NULL,
                              caudal_sync_callback, &sync);
  g_assert_true (caudal_producer_send_finish (producer, caudal_sync_wait (&sync), &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out.partition, ==, partition);
  g_assert_cmpint (out.offset, ==, expected_offset);
}

/* retention.ms of TOPIC on the broker: its value and source. */
static char *
broker_retention (CaudalAdminConfigSource *source)
{
  const char *keys[] = { "retention.ms", NULL };
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  CaudalAdminConfigEntry *entry;

  caudal_admin_describe_configs_async (t.admin, CAUDAL_ADMIN_RESOURCE_TOPIC, TOPIC, keys, NULL,
                                       caudal_sync_callback, &sync);
  entries = caudal_admin_describe_configs_finish (t.admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->name, ==, "retention.ms");
  *source = entry->source;
  return g_strdup (entry->value);
}

static gint
find_shown_topic (DesktopTopicsPage *page,
                  const char        *name)
{
  GListModel *shown = desktop_topics_page_get_shown (page);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DesktopTopic) topic = g_list_model_get_item (shown, i);
      if (strcmp (desktop_topic_get_name (topic), name) == 0)
        return (gint) i;
    }
  return -1;
}

static const char *
partition_subtitle (guint index)
{
  GtkListBox *list = CHILD (t.view, GtkListBox, DESKTOP_TYPE_TOPIC_VIEW, "partitions_list");
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, index);

  return row != NULL ? adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) : NULL;
}

static gboolean
subtitle_has (guint       index,
              const char *text)
{
  const char *subtitle = partition_subtitle (index);

  return subtitle != NULL && strstr (subtitle, text) != NULL;
}

static char *
detail_text (DesktopMessagesView *mv)
{
  GtkTextView *view = CHILD (mv, GtkTextView, DESKTOP_TYPE_MESSAGES_VIEW, "detail_view");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static DesktopMessage *
find_message (GListModel *model,
              gint32      partition,
              gint64      offset)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DesktopMessage) m = g_list_model_get_item (model, i);
      if (desktop_message_get_partition (m) == partition && desktop_message_get_offset (m) == offset)
        return m;   /* the model keeps it alive */
    }
  return NULL;
}

static gboolean
has_value (GListModel *model,
           const char *value)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DesktopMessage) m = g_list_model_get_item (model, i);
      if (g_strcmp0 (desktop_message_get_value_text (m), value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- the cases ---- */

static void
test_open (void)
{
  DesktopTopicsPage *page;
  GtkColumnView *column_view;
  gint position = -1;

  caudal_admin_create_topic_async (t.admin, TOPIC, 2, 1, NULL, FALSE, NULL, on_created, NULL);
  WAIT_FOR (created);
  {
    CaudalAdminConfigSource source;

    t.default_retention = broker_retention (&source);
    g_assert_nonnull (t.default_retention);
    g_assert_cmpint (source, !=, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  }
  for (guint i = 0; i < G_N_ELEMENTS (produced); i++)
    produce (produced[i].partition, produced[i].key, produced[i].value, produced[i].offset);

  t.cluster_window = desktop_application_open_cluster (t.app, "local", t.broker.bootstrap);
  page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  /* Let the overview finish its first load before leaving it: leaving
   * cancels its request, and a connection attempt shared with the topics
   * page would fail with it (a libcaudal limitation). */
  WAIT_FOR (caudal_cluster_get_cluster_id (t.client) != NULL
            && g_strcmp0 (adw_action_row_get_subtitle (CHILD (CHILD (t.cluster_window, DesktopOverviewPage,
                                                                     DESKTOP_TYPE_CLUSTER_WINDOW, "overview_page"),
                                                              AdwActionRow, DESKTOP_TYPE_OVERVIEW_PAGE,
                                                              "cluster_id_row")),
                          caudal_cluster_get_cluster_id (t.client)) == 0);
  adw_view_stack_set_visible_child_name (CHILD (t.cluster_window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW,
                                                "view_stack"), "topics");
  WAIT_FOR ((position = find_shown_topic (page, TOPIC)) >= 0);

  /* A row activation (double click, Enter) opens the topic's window. */
  column_view = CHILD (page, GtkColumnView, DESKTOP_TYPE_TOPICS_PAGE, "column_view");
  g_signal_emit_by_name (column_view, "activate", (guint) position);
  WAIT_FOR ((t.view = (DesktopTopicView *) find_toplevel (DESKTOP_TYPE_TOPIC_VIEW)) != NULL);
  g_assert_cmpstr (desktop_topic_view_get_topic (t.view), ==, TOPIC);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (t.view)), ==, TOPIC);
}

static gboolean
columns_shown (GtkColumnViewColumn **columns,
               guint                 n,
               gboolean              shown)
{
  for (guint i = 0; i < n; i++)
    if (gtk_column_view_column_get_visible (columns[i]) != shown)
      return FALSE;
  return TRUE;
}

/* Resizes @window to @width and waits for @columns to be @shown. The
 * request is repeated every 2 s: X may answer an earlier configure after
 * it, and GTK then takes the old size back as the window's size. */
static void
resize_until (GtkWindow            *window,
              GtkWidget            *page,
              int                   width,
              GtkColumnViewColumn **columns,
              guint                 n,
              gboolean              shown)
{
  guint ticker = gui_test_ticker_start ();

  for (guint attempt = 0; attempt < WAIT_SECONDS / 2 && !columns_shown (columns, n, shown); attempt++)
    {
      gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

      g_test_message ("resize to %d (attempt %u): the page is %d px wide", width, attempt,
                      gtk_widget_get_width (page));
      gtk_window_set_default_size (window, width, 640);
      while (!columns_shown (columns, n, shown) && g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ticker);
  if (!columns_shown (columns, n, shown))
    g_error ("columns still %s at %d px (the page is %d px wide)", shown ? "hidden" : "shown", width,
             gtk_widget_get_width (page));
}

/* The list's numbers other than partitions give way below 600 px, and
 * come back. */
static void
test_narrow (void)
{
  DesktopTopicsPage *page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  GtkColumnViewColumn *hidden[] = {
    CHILD (page, GtkColumnViewColumn, DESKTOP_TYPE_TOPICS_PAGE, "rf_column"),
    CHILD (page, GtkColumnViewColumn, DESKTOP_TYPE_TOPICS_PAGE, "messages_column"),
    CHILD (page, GtkColumnViewColumn, DESKTOP_TYPE_TOPICS_PAGE, "size_column"),
  };
  GtkColumnViewColumn *name = CHILD (page, GtkColumnViewColumn, DESKTOP_TYPE_TOPICS_PAGE, "name_column");

  g_assert_true (columns_shown (hidden, G_N_ELEMENTS (hidden), TRUE));
  resize_until (t.cluster_window, GTK_WIDGET (page), 360, hidden, G_N_ELEMENTS (hidden), FALSE);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (page)), <, 600);
  g_assert_true (gtk_column_view_column_get_visible (name));
  resize_until (t.cluster_window, GTK_WIDGET (page), 1000, hidden, G_N_ELEMENTS (hidden), TRUE);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (page)), >=, 600);
}

/* Produce… in the topic window: the produce dialog, on this topic. */
static void
test_produce (void)
{
  GtkWindow *dialog = NULL;

  gtk_widget_activate (CHILD (t.view, GtkWidget, DESKTOP_TYPE_TOPIC_VIEW, "produce_button"));
  WAIT_FOR ((dialog = find_toplevel (DESKTOP_TYPE_PRODUCE_DIALOG)) != NULL);
  g_assert_cmpstr (gtk_editable_get_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_PRODUCE_DIALOG, "topic_row")),
                   ==, TOPIC);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (t.view));
  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_PRODUCE_DIALOG) == NULL);
}

static void
test_partitions (void)
{
  GtkListBox *list = CHILD (t.view, GtkListBox, DESKTOP_TYPE_TOPIC_VIEW, "partitions_list");
  GtkListBoxRow *row;
  g_autofree char *leader = NULL;
  CaudalBrokerInfo *broker;

  WAIT_FOR (subtitle_has (0, "Offsets 0 – 3 · 3 messages") && subtitle_has (1, "Offsets 0 – 2 · 2 messages"));
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Partition 0");
  row = gtk_list_box_get_row_at_index (list, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Partition 1");
  g_assert_null (gtk_list_box_get_row_at_index (list, 2));

  /* One broker: it leads, replicates and is in sync for both. */
  broker = g_ptr_array_index (caudal_cluster_get_brokers (t.client), 0);
  leader = g_strdup_printf ("Leader %d · Replicas %d · ISR %d ·", broker->node_id, broker->node_id, broker->node_id);
  g_assert_true (subtitle_has (0, leader));
  g_assert_true (subtitle_has (1, leader));
}

static void
test_configs (void)
{
  AdwEntryRow *row = NULL;
  CaudalAdminConfigSource source;
  g_autofree char *value = NULL;

  WAIT_FOR ((row = desktop_topic_view_lookup_config (t.view, "retention.ms")) != NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, t.default_retention);

  /* Edit: type a value and press the row's apply button. */
  gtk_editable_set_text (GTK_EDITABLE (row), "123456");
  g_signal_emit_by_name (row, "apply");
  WAIT_FOR (has_toast (GTK_WINDOW (t.view), "Changed “retention.ms” of “" TOPIC "”"));
  value = broker_retention (&source);
  g_assert_cmpstr (value, ==, "123456");
  g_assert_cmpint (source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  /* Reloaded after the change. */
  WAIT_FOR ((row = desktop_topic_view_lookup_config (t.view, "retention.ms")) != NULL
            && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), "123456") == 0);

  /* Reset to default: the row's reset button's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.view), "topic.reset-config", "s", "retention.ms"));
  WAIT_FOR (has_toast (GTK_WINDOW (t.view), "Reset “retention.ms” of “" TOPIC "” to its default"));
  g_clear_pointer (&value, g_free);
  value = broker_retention (&source);
  g_assert_cmpstr (value, ==, t.default_retention);
  g_assert_cmpint (source, !=, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  WAIT_FOR ((row = desktop_topic_view_lookup_config (t.view, "retention.ms")) != NULL
            && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), t.default_retention) == 0);
}

static void
test_messages (void)
{
  DesktopMessagesView *mv = desktop_topic_view_get_messages_view (t.view);
  GtkColumnView *column_view = CHILD (mv, GtkColumnView, DESKTOP_TYPE_MESSAGES_VIEW, "column_view");
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (column_view));
  GtkEditable *search = CHILD (mv, GtkEditable, DESKTOP_TYPE_MESSAGES_VIEW, "search_entry");
  GListModel *messages = desktop_messages_view_get_messages (mv);
  GListModel *shown = desktop_messages_view_get_shown (mv);
  g_autoptr(DesktopMessage) selected = NULL;
  g_autofree char *text = NULL;

  adw_view_stack_set_visible_child_name (CHILD (t.view, AdwViewStack, DESKTOP_TYPE_TOPIC_VIEW, "view_stack"),
                                         "messages");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (CHILD (mv, GtkSpinButton, DESKTOP_TYPE_MESSAGES_VIEW,
                                                            "max_spin")), ==, 100);
  /* The partitions are known once the topic is described. */
  WAIT_FOR (g_list_model_get_n_items (gtk_drop_down_get_model (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW,
                                                                      "partition_dropdown"))) == 3);

  /* From the beginning, all partitions: exactly what was produced. */
  gtk_drop_down_set_selected (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW, "from_dropdown"),
                              DESKTOP_MESSAGES_FROM_BEGINNING);
  /* A button's activation clicks it a moment later, as a key press does. */
  gtk_widget_activate (CHILD (mv, GtkWidget, DESKTOP_TYPE_MESSAGES_VIEW, "read_button"));
  WAIT_FOR (desktop_messages_view_is_reading (mv));
  WAIT_FOR (!desktop_messages_view_is_reading (mv));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, G_N_ELEMENTS (produced));
  for (guint i = 0; i < G_N_ELEMENTS (produced); i++)
    {
      DesktopMessage *m = find_message (messages, produced[i].partition, produced[i].offset);

      g_assert_nonnull (m);
      g_assert_cmpstr (desktop_message_get_topic (m), ==, TOPIC);
      g_assert_cmpstr (desktop_message_get_key_text (m), ==, produced[i].key);
      g_assert_cmpstr (desktop_message_get_value_text (m), ==, produced[i].value);
      g_assert_cmpstr (desktop_message_get_headers_text (m), ==, "origin=test");
    }
  /* The column view shows them. */
  WAIT_FOR (find_widget (GTK_WIDGET (column_view), match_label_containing, "value-e") != NULL);
  g_assert_nonnull (find_widget (GTK_WIDGET (column_view), match_label_containing, "key-b"));

  /* Filter by a key. */
  gtk_editable_set_text (search, "KEY-D");
  WAIT_FOR (g_list_model_get_n_items (shown) == 1);
  selected = g_list_model_get_item (shown, 0);
  g_assert_cmpstr (desktop_message_get_key_text (selected), ==, "key-d");
  g_assert_cmpint (desktop_message_get_partition (selected), ==, 1);
  g_assert_cmpint (desktop_message_get_offset (selected), ==, 0);

  /* Select it: its value in the detail pane, as text then hex. */
  gtk_single_selection_set_selected (selection, 0);
  text = detail_text (mv);
  g_assert_cmpstr (text, ==, "value-d");
  gtk_widget_activate (CHILD (mv, GtkWidget, DESKTOP_TYPE_MESSAGES_VIEW, "hex_toggle"));
  WAIT_FOR (gtk_toggle_button_get_active (CHILD (mv, GtkToggleButton, DESKTOP_TYPE_MESSAGES_VIEW, "hex_toggle")));
  g_clear_pointer (&text, g_free);
  text = detail_text (mv);
  g_assert_nonnull (strstr (text, "76 61 6c 75 65 2d 64"));   /* "value-d" */
  g_assert_nonnull (strstr (text, "|value-d|"));
  gtk_widget_activate (CHILD (mv, GtkWidget, DESKTOP_TYPE_MESSAGES_VIEW, "hex_toggle"));
  WAIT_FOR (!gtk_toggle_button_get_active (CHILD (mv, GtkToggleButton, DESKTOP_TYPE_MESSAGES_VIEW, "hex_toggle")));
  g_clear_pointer (&text, g_free);
  text = detail_text (mv);
  g_assert_cmpstr (text, ==, "value-d");

  /* A value search. */
  gtk_editable_set_text (search, "\"n\"");
  WAIT_FOR (g_list_model_get_n_items (shown) == 1);
  g_clear_object (&selected);
  selected = g_list_model_get_item (shown, 0);
  g_assert_cmpstr (desktop_message_get_key_text (selected), ==, "key-b");
  gtk_editable_set_text (search, "");
  WAIT_FOR (g_list_model_get_n_items (shown) == G_N_ELEMENTS (produced));
}

static void
test_offset_and_tail (void)
{
  DesktopMessagesView *mv = desktop_topic_view_get_messages_view (t.view);
  GListModel *messages = desktop_messages_view_get_messages (mv);
  GtkToggleButton *live = CHILD (mv, GtkToggleButton, DESKTOP_TYPE_MESSAGES_VIEW, "live_toggle");
  DesktopMessage *m;

  /* Partition 1 from offset 1: one message. */
  gtk_drop_down_set_selected (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW, "from_dropdown"),
                              DESKTOP_MESSAGES_FROM_OFFSET);
  gtk_editable_set_text (CHILD (mv, GtkEditable, DESKTOP_TYPE_MESSAGES_VIEW, "position_entry"), "1");
  gtk_drop_down_set_selected (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW, "partition_dropdown"), 2);
  gtk_widget_activate (CHILD (mv, GtkWidget, DESKTOP_TYPE_MESSAGES_VIEW, "read_button"));
  WAIT_FOR (desktop_messages_view_is_reading (mv));
  WAIT_FOR (!desktop_messages_view_is_reading (mv));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 1);
  m = find_message (messages, 1, 1);
  g_assert_nonnull (m);
  g_assert_cmpstr (desktop_message_get_value_text (m), ==, "value-e");

  /* From a date far back: everything of partition 1. */
  gtk_drop_down_set_selected (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW, "from_dropdown"),
                              DESKTOP_MESSAGES_FROM_TIME);
  gtk_editable_set_text (CHILD (mv, GtkEditable, DESKTOP_TYPE_MESSAGES_VIEW, "position_entry"), "2000-01-01 00:00:00");
  gtk_widget_activate (CHILD (mv, GtkWidget, DESKTOP_TYPE_MESSAGES_VIEW, "read_button"));
  WAIT_FOR (desktop_messages_view_is_reading (mv));
  WAIT_FOR (!desktop_messages_view_is_reading (mv));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 2);

  /* Live tail: keeps reading what is produced next. */
  gtk_widget_activate (GTK_WIDGET (live));
  WAIT_FOR (gtk_toggle_button_get_active (live));
  g_assert_true (desktop_messages_view_is_reading (mv));
  produce (1, "key-live", "value-live", 2);
  WAIT_FOR (has_value (messages, "value-live"));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 3);
  gtk_widget_activate (GTK_WIDGET (live));
  WAIT_FOR (!desktop_messages_view_is_reading (mv));

  /* Closing the window cancels what it waits for. */
  gtk_window_close (GTK_WINDOW (t.view));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_TOPIC_VIEW) == NULL);
  t.view = NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gui_test_init (&argc, &argv);
  gui_test_broker_start (&t.broker, NULL);
  t.client = caudal_cluster_new (t.broker.bootstrap, "test-topic-view", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);

  t.app = gui_test_app_new ();

  g_test_add_func ("/topic-view/open", test_open);
  g_test_add_func ("/topic-view/narrow", test_narrow);
  g_test_add_func ("/topic-view/produce", test_produce);
  g_test_add_func ("/topic-view/partitions", test_partitions);
  g_test_add_func ("/topic-view/configs", test_configs);
  g_test_add_func ("/topic-view/messages", test_messages);
  g_test_add_func ("/topic-view/offset-and-tail", test_offset_and_tail);
  ret = g_test_run ();

  gui_test_destroy_toplevels ();
  g_clear_object (&t.app);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  g_free (t.default_retention);
  return ret;
}
