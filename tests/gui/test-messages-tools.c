/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-messages-tools.c: the messages browser's JSON view, copy and
 * export, and the produce dialog's JSON validation and recent messages,
 * under Xvfb against a real caudald, driven as clicks do.
 *
 * libcaudal produces known records to a one-partition topic: a JSON
 * value with a header, a binary (invalid UTF-8) value whose headers are
 * binary and null, and a plain text value with a null key. The topic
 * window opens from its row; the browser reads them, the JSON view
 * shows the JSON one indented and says why the others are not JSON; the
 * export (all, then filtered) is parsed back with json-glib and compared
 * with what was produced; Copy puts the same object on the clipboard.
 * The produce dialog flags invalid JSON as it is typed (and still sends
 * it), clears the flag once fixed, lists what was sent newest first,
 * fills the form from a row, and its Resend delivers an identical record
 * (read back with libcaudal).
 *
 * The cases run in order and share one broker and one application. */

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-consumer.h"
#include "caudal-producer.h"
#include "desktop-application.h"
#include "desktop-cluster-window.h"
#include "desktop-message.h"
#include "desktop-message-json.h"
#include "desktop-messages-view.h"
#include "desktop-overview-page.h"
#include "desktop-produce-dialog.h"
#include "desktop-topic.h"
#include "desktop-topic-view.h"
#include "desktop-topics-page.h"
#include "gui-test-util.h"

#define TOPIC "tools-me"

static struct
{
  GuiTestBroker       broker;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  GtkWindow          *cluster_window;
  DesktopTopicView   *view;
  char               *dir;           /* export files */
  gint64              timestamps[3]; /* of the produced records */
  char               *copied;        /* the clipboard's text */
} t;

#define JSON_VALUE "{\"name\":\"caudal\", \"n\": [1, 2.50, 1e400, {}], \"ok\":true, \"s\": \"a,b:{c}\"}"
/* Numbers as written (json-glib's generator would print 2.5 and inf.0). */
#define JSON_PRETTY \
  "{\n" \
  "  \"name\": \"caudal\",\n" \
  "  \"n\": [\n" \
  "    1,\n" \
  "    2.50,\n" \
  "    1e400,\n" \
  "    {}\n" \
  "  ],\n" \
  "  \"ok\": true,\n" \
  "  \"s\": \"a,b:{c}\"\n" \
  "}"

static const guint8 binary_value[] = { 0xff, 0xfe, 0x00, 'A' };
static const guint8 binary_header[] = { 0xc3, 0x28 };

/* ---- libcaudal on the test's side ---- */

static gint64
produce (const char               *key,
         const guint8             *value,
         gsize                     value_len,
         const CaudalRecordHeader *headers,
         gsize                     n_headers,
         gint64                    expected_offset)
{
  g_autoptr(CaudalProducer) producer = caudal_producer_new (t.client, NULL);
  g_autoptr(GBytes) k = key != NULL ? g_bytes_new (key, strlen (key)) : NULL;
  g_autoptr(GBytes) v = g_bytes_new (value, value_len);
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalProducerResult out;

  caudal_producer_send_async (producer, TOPIC, 0, k, v, headers, n_headers, -1, NULL,
                              caudal_sync_callback, &sync);
  g_assert_true (caudal_producer_send_finish (producer, caudal_sync_wait (&sync), &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out.partition, ==, 0);
  g_assert_cmpint (out.offset, ==, expected_offset);
  return out.timestamp;
}

/* The records of partition 0 from @from on, until @n were read. */
static GPtrArray *
consume (gint64 from,
         guint  n)
{
  g_autoptr(CaudalConsumer) consumer = caudal_consumer_new (t.client);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_message_free);

  caudal_consumer_assign (consumer, TOPIC, 0, from);
  for (guint tries = 0; all->len < n && tries < 50; tries++)
    {
      g_auto(CaudalSync) sync = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) messages = NULL;

      caudal_consumer_poll_async (consumer, NULL, caudal_sync_callback, &sync);
      messages = caudal_consumer_poll_finish (consumer, caudal_sync_wait (&sync), &error);
      g_assert_no_error (error);
      for (guint i = 0; i < messages->len; i++)
        g_ptr_array_add (all, g_steal_pointer (&g_ptr_array_index (messages, i)));
    }
  g_assert_cmpuint (all->len, ==, n);
  return all;
}

/* ---- widgets ---- */

#define MV(name, Type) CHILD (mv, Type, DESKTOP_TYPE_MESSAGES_VIEW, name)
#define PD(name, Type) CHILD (dialog, Type, DESKTOP_TYPE_PRODUCE_DIALOG, name)

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
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

/* Selects the shown row with @offset, as a click does. */
static void
select_offset (DesktopMessagesView *mv,
               gint64               offset)
{
  GtkColumnView *column_view = MV ("column_view", GtkColumnView);
  GListModel *shown = desktop_messages_view_get_shown (mv);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DesktopMessage) m = g_list_model_get_item (shown, i);
      if (desktop_message_get_offset (m) == offset)
        {
          gtk_selection_model_select_item (gtk_column_view_get_model (column_view), i, TRUE);
          return;
        }
    }
  g_assert_not_reached ();
}

static gboolean
match_toast_widget (GtkWidget    *widget,
                    gconstpointer data)
{
  /* AdwToastWidget is private: recognised by its type name. */
  return g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget") == 0;
}

static gboolean
match_close_button (GtkWidget    *widget,
                    gconstpointer data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)),
                                               "window-close-symbolic") == 0;
}

/* Closes the toasts of @window with their close buttons. A toast stays
 * 10 s and the next waits for it: tests checking several would wait. */
static void
dismiss_toasts (GtkWindow *window)
{
  GtkWidget *toast;

  while ((toast = find_widget (GTK_WIDGET (window), match_toast_widget, NULL)) != NULL)
    {
      GtkWidget *close = find_widget (toast, match_close_button, NULL);

      g_assert_nonnull (close);
      gtk_widget_activate (close);
      WAIT_FOR (find_widget (GTK_WIDGET (window), match_toast_widget, NULL) != toast);
    }
}

/* ---- JSON Lines checks ---- */

static JsonObject *
parse_object (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_string (JsonObject *object,
               const char *member,
               const char *expected)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

static void
assert_base64 (JsonObject   *object,
               const char   *member,
               const guint8 *expected,
               gsize         expected_len)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree guchar *decoded = NULL;
  gsize len;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (node)), ==, 1);
  decoded = g_base64_decode (json_object_get_string_member (json_node_get_object (node), "base64"), &len);
  g_assert_cmpmem (decoded, len, expected, expected_len);
}

static void
assert_common (JsonObject *object,
               gint64      offset)
{
  g_assert_cmpstr (json_object_get_string_member (object, "topic"), ==, TOPIC);
  g_assert_cmpint (json_object_get_int_member (object, "partition"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "offset"), ==, offset);
  g_assert_cmpint (json_object_get_int_member (object, "timestamp"), ==, t.timestamps[offset]);
  g_assert_cmpstr (json_object_get_string_member (object, "timestampType"), ==, "CreateTime");
}

/* Each line against what was produced at its offset. */
static void
assert_produced_line (const char *line)
{
  g_autoptr(JsonObject) object = parse_object (line);
  gint64 offset = json_object_get_int_member (object, "offset");
  JsonArray *headers = json_object_get_array_member (object, "headers");
  JsonObject *h;

  assert_common (object, offset);
  g_assert_nonnull (headers);
  switch (offset)
    {
    case 0:
      assert_string (object, "key", "json");
      assert_string (object, "value", JSON_VALUE);
      g_assert_cmpuint (json_array_get_length (headers), ==, 1);
      h = json_array_get_object_element (headers, 0);
      assert_string (h, "key", "h1");
      assert_string (h, "value", "v1");
      break;
    case 1:
      assert_string (object, "key", "bin");
      assert_base64 (object, "value", binary_value, sizeof binary_value);
      g_assert_cmpuint (json_array_get_length (headers), ==, 2);
      h = json_array_get_object_element (headers, 0);
      assert_string (h, "key", "bin-h");
      assert_base64 (h, "value", binary_header, sizeof binary_header);
      h = json_array_get_object_element (headers, 1);
      assert_string (h, "key", "null-h");
      g_assert_true (json_object_get_null_member (h, "value"));
      break;
    case 2:
      g_assert_true (json_object_get_null_member (object, "key"));
      assert_string (object, "value", "plain text");
      g_assert_cmpuint (json_array_get_length (headers), ==, 0);
      break;
    default:
      g_assert_not_reached ();
    }
}

static GStrv
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 0);
  /* JSON Lines: every line ends with a newline, the last one too. */
  g_assert_cmpint (contents[len - 1], ==, '\n');
  contents[len - 1] = '\0';
  return g_strsplit (contents, "\n", -1);
}

/* ---- the cases ---- */

static void
test_open (void)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalRecordHeader json_headers[] = { { { (const guint8 *) "h1", 2 }, { (const guint8 *) "v1", 2 } } };
  CaudalRecordHeader binary_headers[] = {
    { { (const guint8 *) "bin-h", 5 }, { binary_header, sizeof binary_header } },
    { { (const guint8 *) "null-h", 6 }, { NULL, -1 } },
  };
  DesktopTopicsPage *page;
  gint position = -1;

  caudal_admin_create_topic_async (t.admin, TOPIC, 1, 1, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_create_topic_finish (t.admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
  t.timestamps[0] = produce ("json", (const guint8 *) JSON_VALUE, strlen (JSON_VALUE), json_headers, 1, 0);
  t.timestamps[1] = produce ("bin", binary_value, sizeof binary_value, binary_headers, 2, 1);
  t.timestamps[2] = produce (NULL, (const guint8 *) "plain text", 10, NULL, 0, 2);

  t.cluster_window = desktop_application_open_cluster (t.app, "local", t.broker.bootstrap);
  page = CHILD (t.cluster_window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");
  /* As test-topic-view.c: let the overview's first load finish before
   * leaving it (a shared connection attempt fails with its cancel). */
  WAIT_FOR (caudal_cluster_get_cluster_id (t.client) != NULL
            && g_strcmp0 (adw_action_row_get_subtitle (CHILD (CHILD (t.cluster_window, DesktopOverviewPage,
                                                                     DESKTOP_TYPE_CLUSTER_WINDOW, "overview_page"),
                                                              AdwActionRow, DESKTOP_TYPE_OVERVIEW_PAGE,
                                                              "cluster_id_row")),
                          caudal_cluster_get_cluster_id (t.client)) == 0);
  adw_view_stack_set_visible_child_name (CHILD (t.cluster_window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW,
                                                "view_stack"), "topics");
  WAIT_FOR ((position = find_shown_topic (page, TOPIC)) >= 0);
  g_signal_emit_by_name (CHILD (page, GtkColumnView, DESKTOP_TYPE_TOPICS_PAGE, "column_view"), "activate",
                         (guint) position);
  WAIT_FOR ((t.view = (DesktopTopicView *) find_toplevel (DESKTOP_TYPE_TOPIC_VIEW)) != NULL);
  g_assert_cmpstr (desktop_topic_view_get_topic (t.view), ==, TOPIC);
}

static void
test_json_view (void)
{
  DesktopMessagesView *mv = desktop_topic_view_get_messages_view (t.view);
  GtkTextView *detail = MV ("detail_view", GtkTextView);
  GtkLabel *note = MV ("json_note", GtkLabel);
  GtkToggleButton *text_toggle = MV ("text_toggle", GtkToggleButton);
  GtkToggleButton *json_toggle = MV ("json_toggle", GtkToggleButton);
  GtkToggleButton *hex_toggle = MV ("hex_toggle", GtkToggleButton);
  g_autofree char *text = NULL;

  adw_view_stack_set_visible_child_name (CHILD (t.view, AdwViewStack, DESKTOP_TYPE_TOPIC_VIEW, "view_stack"),
                                         "messages");
  WAIT_FOR (g_list_model_get_n_items (gtk_drop_down_get_model (MV ("partition_dropdown", GtkDropDown))) == 2);
  /* Nothing to copy or export before a read. */
  g_assert_false (gtk_widget_is_sensitive (MV ("copy_button", GtkWidget)));
  g_assert_false (gtk_widget_is_sensitive (MV ("export_button", GtkWidget)));
  gtk_widget_activate (MV ("read_button", GtkWidget));
  WAIT_FOR (desktop_messages_view_is_reading (mv));
  WAIT_FOR (!desktop_messages_view_is_reading (mv));
  g_assert_cmpuint (g_list_model_get_n_items (desktop_messages_view_get_shown (mv)), ==, 3);
  g_assert_true (gtk_widget_is_sensitive (MV ("export_button", GtkWidget)));

  /* The JSON value: indented, numbers as written, no note. */
  select_offset (mv, 0);
  g_assert_true (gtk_widget_is_sensitive (MV ("copy_button", GtkWidget)));
  g_assert_true (gtk_toggle_button_get_active (text_toggle));
  text = buffer_text (detail);
  g_assert_cmpstr (text, ==, JSON_VALUE);
  gtk_widget_activate (GTK_WIDGET (json_toggle));
  WAIT_FOR (gtk_toggle_button_get_active (json_toggle));
  g_assert_false (gtk_toggle_button_get_active (text_toggle));
  g_clear_pointer (&text, g_free);
  text = buffer_text (detail);
  g_assert_cmpstr (text, ==, JSON_PRETTY);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (note)));

  /* Plain text: the parser's reason, and the text. */
  select_offset (mv, 2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (note)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (note), "Not valid JSON: line 1, column "));
  g_clear_pointer (&text, g_free);
  text = buffer_text (detail);
  g_assert_cmpstr (text, ==, "plain text");

  /* Binary: not text at all. */
  select_offset (mv, 1);
  g_assert_cmpstr (gtk_label_get_text (note), ==, "Not valid JSON: the value is not UTF-8 text");

  /* One view at a time; Hex clicked again returns to Text. */
  gtk_widget_activate (GTK_WIDGET (hex_toggle));
  WAIT_FOR (gtk_toggle_button_get_active (hex_toggle));
  g_assert_false (gtk_toggle_button_get_active (json_toggle));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (note)));
  g_clear_pointer (&text, g_free);
  text = buffer_text (detail);
  g_assert_nonnull (strstr (text, "ff fe 00 41"));
  gtk_widget_activate (GTK_WIDGET (hex_toggle));
  WAIT_FOR (!gtk_toggle_button_get_active (hex_toggle));
  g_assert_true (gtk_toggle_button_get_active (text_toggle));
  g_assert_false (gtk_toggle_button_get_active (json_toggle));
}

static void
test_export (void)
{
  DesktopMessagesView *mv = desktop_topic_view_get_messages_view (t.view);
  g_autofree char *all_path = g_build_filename (t.dir, TOPIC ".jsonl", NULL);
  g_autofree char *some_path = g_build_filename (t.dir, "filtered.jsonl", NULL);
  g_autofree char *toast = NULL;
  g_autoptr(GFile) all = g_file_new_for_path (all_path);
  g_autoptr(GFile) some = g_file_new_for_path (some_path);
  g_auto(GStrv) lines = NULL;
  gboolean seen[3] = { FALSE, FALSE, FALSE };

  desktop_messages_view_export (mv, all);
  toast = g_strdup_printf ("Exported 3 messages to %s", all_path);
  WAIT_FOR (has_toast (GTK_WINDOW (t.view), toast));
  dismiss_toasts (GTK_WINDOW (t.view));
  lines = read_lines (all_path);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonObject) object = parse_object (lines[i]);
      gint64 offset = json_object_get_int_member (object, "offset");

      g_assert_cmpint (offset, >=, 0);
      g_assert_cmpint (offset, <, 3);
      g_assert_false (seen[offset]);
      seen[offset] = TRUE;
      assert_produced_line (lines[i]);
    }

  /* Only the rows the search leaves. */
  gtk_editable_set_text (MV ("search_entry", GtkEditable), "plain");
  WAIT_FOR (g_list_model_get_n_items (desktop_messages_view_get_shown (mv)) == 1);
  desktop_messages_view_export (mv, some);
  g_clear_pointer (&toast, g_free);
  toast = g_strdup_printf ("Exported 1 message to %s", some_path);
  WAIT_FOR (has_toast (GTK_WINDOW (t.view), toast));
  dismiss_toasts (GTK_WINDOW (t.view));
  g_clear_pointer (&lines, g_strfreev);
  lines = read_lines (some_path);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  assert_produced_line (lines[0]);
  gtk_editable_set_text (MV ("search_entry", GtkEditable), "");
  WAIT_FOR (g_list_model_get_n_items (desktop_messages_view_get_shown (mv)) == 3);

  /* A folder that is not there: the error, not a success. */
  {
    g_autofree char *bad_path = g_build_filename (t.dir, "missing", "x.jsonl", NULL);
    g_autoptr(GFile) bad = g_file_new_for_path (bad_path);

    g_clear_pointer (&toast, g_free);
    toast = g_strdup_printf ("Could not export to %s: ", bad_path);
    desktop_messages_view_export (mv, bad);
    WAIT_FOR (has_toast (GTK_WINDOW (t.view), toast));
    dismiss_toasts (GTK_WINDOW (t.view));
    g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
  }
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  t.copied = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t.copied);
}

static GtkShortcutAction *
find_shortcut (GtkWidget  *widget,
               const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (strcmp (text, trigger) == 0)
            return gtk_shortcut_get_action (shortcut);
        }
    }
  return NULL;
}

static void
test_copy (void)
{
  DesktopMessagesView *mv = desktop_topic_view_get_messages_view (t.view);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (mv));
  g_autofree char *path = g_build_filename (t.dir, TOPIC ".jsonl", NULL);
  g_auto(GStrv) lines = read_lines (path);
  GtkWidget *column_view = MV ("column_view", GtkWidget);
  GtkShortcutAction *ctrl_c;

  /* The binary one: the copy is its export line. */
  select_offset (mv, 1);
  gtk_widget_activate (MV ("copy_button", GtkWidget));
  WAIT_FOR (has_toast (GTK_WINDOW (t.view), "Copied message at offset 1"));
  dismiss_toasts (GTK_WINDOW (t.view));
  gdk_clipboard_read_text_async (clipboard, NULL, on_clipboard_text, NULL);
  WAIT_FOR (t.copied != NULL);
  assert_produced_line (t.copied);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "\"offset\":1,") != NULL)
      g_assert_cmpstr (t.copied, ==, lines[i]);

  /* Ctrl+C on the list: what its key press runs, on the list. */
  select_offset (mv, 2);
  ctrl_c = find_shortcut (column_view, "<Control>c");
  g_assert_nonnull (ctrl_c);
  g_assert_true (gtk_shortcut_action_activate (ctrl_c, 0, column_view, NULL));
  WAIT_FOR (has_toast (GTK_WINDOW (t.view), "Copied message at offset 2"));
  g_clear_pointer (&t.copied, g_free);
  gdk_clipboard_read_text_async (clipboard, NULL, on_clipboard_text, NULL);
  WAIT_FOR (t.copied != NULL);
  assert_produced_line (t.copied);
  {
    g_autoptr(JsonObject) object = parse_object (t.copied);
    g_assert_cmpint (json_object_get_int_member (object, "offset"), ==, 2);
  }

  gtk_window_close (GTK_WINDOW (t.view));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_TOPIC_VIEW) == NULL);
  t.view = NULL;
}

static void
set_value (DesktopProduceDialog *dialog,
           const char           *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (PD ("value_view", GtkTextView)), text, -1);
}

static const char *
row_title (GtkListBox *box,
           int         index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (box, index);

  return row != NULL ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : NULL;
}

#define VALID_VALUE "{\"a\": 1}"
#define INVALID_VALUE "{\"a\": 1,\n \"b\" 2}"

static void
send_and_wait (DesktopProduceDialog *dialog,
               GtkWidget            *button,
               const char           *expected)
{
  GtkLabel *result = PD ("result_label", GtkLabel);

  gtk_label_set_text (result, "");
  gtk_widget_activate (button);
  WAIT_FOR (g_strcmp0 (gtk_label_get_text (result), "") != 0);
  g_assert_cmpstr (gtk_label_get_text (result), ==, expected);
}

static void
test_produce (void)
{
  DesktopProduceDialog *dialog;
  GtkLabel *json_label;
  GtkListBox *recent;
  GtkWidget *header_row;
  GtkWidget *resend;
  g_autoptr(GPtrArray) got = NULL;
  g_autofree char *value = NULL;

  gtk_widget_activate_action (GTK_WIDGET (t.cluster_window), "cluster.produce", NULL);
  dialog = DESKTOP_PRODUCE_DIALOG (find_toplevel (DESKTOP_TYPE_PRODUCE_DIALOG));
  g_assert_nonnull (dialog);
  json_label = PD ("json_label", GtkLabel);
  recent = PD ("recent_box", GtkListBox);
  g_assert_false (gtk_widget_get_visible (PD ("recent_group", GtkWidget)));

  gtk_editable_set_text (PD ("topic_row", GtkEditable), TOPIC);
  gtk_editable_set_text (PD ("key_row", GtkEditable), "k-json");
  header_row = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (gtk_widget_get_first_child (PD ("headers_box",
                                                                                              GtkWidget))));
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_first_child (header_row)), "hk");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (gtk_widget_get_first_child (header_row))), "hv");
  /* -1 reads "Automatic" (a numeric spin button would refuse the word). */
  g_assert_cmpstr (gtk_editable_get_text (PD ("partition_spin", GtkEditable)), ==, "Automatic");
  gtk_spin_button_set_value (PD ("partition_spin", GtkSpinButton), 0);

  /* Broken JSON: said where, under the value. */
  set_value (dialog, INVALID_VALUE);
  WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (json_label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (json_label), "Not valid JSON: line 2, column "));
  /* Text that does not look like JSON is not checked. */
  set_value (dialog, "just text");
  WAIT_FOR (!gtk_widget_get_visible (GTK_WIDGET (json_label)));
  set_value (dialog, INVALID_VALUE);
  WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (json_label)));

  /* It is still sent: Kafka values are bytes. */
  send_and_wait (dialog, PD ("send_button", GtkWidget), "Partition 0, offset 3");
  dismiss_toasts (GTK_WINDOW (dialog));
  WAIT_FOR (gtk_widget_get_visible (PD ("recent_group", GtkWidget)));
  g_assert_cmpstr (row_title (recent, 0), ==, TOPIC ", key k-json");
  g_assert_null (row_title (recent, 1));

  /* Fixed: the note goes. */
  set_value (dialog, VALID_VALUE);
  WAIT_FOR (!gtk_widget_get_visible (GTK_WIDGET (json_label)));
  send_and_wait (dialog, PD ("send_button", GtkWidget), "Partition 0, offset 4");
  dismiss_toasts (GTK_WINDOW (dialog));
  WAIT_FOR (row_title (recent, 1) != NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (recent, 0))), ==,
                   VALID_VALUE);

  /* A row fills the form with what it sent: the older, broken one. */
  gtk_editable_set_text (PD ("key_row", GtkEditable), "");
  set_value (dialog, "");
  g_signal_emit_by_name (recent, "row-activated", gtk_list_box_get_row_at_index (recent, 1));
  g_assert_cmpstr (gtk_editable_get_text (PD ("key_row", GtkEditable)), ==, "k-json");
  value = buffer_text (PD ("value_view", GtkTextView));
  g_assert_cmpstr (value, ==, INVALID_VALUE);
  WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (json_label)));
  header_row = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (gtk_widget_get_first_child (PD ("headers_box",
                                                                                              GtkWidget))));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_first_child (header_row))), ==, "hk");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (PD ("partition_spin", GtkSpinButton)), ==, 0);

  /* Resend the newest as it was (the form now holds the other one). */
  resend = find_widget (GTK_WIDGET (gtk_list_box_get_row_at_index (recent, 0)), match_button_label, "_Resend");
  g_assert_nonnull (resend);
  send_and_wait (dialog, resend, "Partition 0, offset 5");
  WAIT_FOR (has_toast (GTK_WINDOW (dialog), "Partition 0, offset 5"));
  /* Sent again, not a new entry. */
  g_assert_null (row_title (recent, 2));
  gtk_window_close (GTK_WINDOW (dialog));

  /* On the broker: 3 as typed, 4 and 5 the same record. */
  got = consume (3, 3);
  for (guint i = 0; i < got->len; i++)
    {
      CaudalMessage *m = g_ptr_array_index (got, i);
      CaudalMessageHeader *h;
      const char *expected = i == 0 ? INVALID_VALUE : VALID_VALUE;
      const char *data;
      gsize len;

      g_assert_cmpint (m->offset, ==, 3 + i);
      data = g_bytes_get_data (m->key, &len);
      g_assert_cmpmem (data, len, "k-json", 6);
      data = g_bytes_get_data (m->value, &len);
      g_assert_cmpmem (data, len, expected, strlen (expected));
      g_assert_cmpuint (m->headers->len, ==, 1);
      h = g_ptr_array_index (m->headers, 0);
      g_assert_cmpstr (h->key, ==, "hk");
      data = g_bytes_get_data (h->value, &len);
      g_assert_cmpmem (data, len, "hv", 2);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gui_test_init (&argc, &argv);
  gui_test_broker_start (&t.broker, NULL);
  t.client = caudal_cluster_new (t.broker.bootstrap, "test-messages-tools", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);
  t.dir = g_dir_make_tmp ("caudal-export-XXXXXX", &error);
  g_assert_no_error (error);

  t.app = gui_test_app_new ();

  g_test_add_func ("/messages-tools/open", test_open);
  g_test_add_func ("/messages-tools/json-view", test_json_view);
  g_test_add_func ("/messages-tools/export", test_export);
  g_test_add_func ("/messages-tools/copy", test_copy);
  g_test_add_func ("/messages-tools/produce", test_produce);
  ret = g_test_run ();

  gui_test_destroy_toplevels ();
  g_clear_object (&t.app);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  {
    g_autofree char *all = g_build_filename (t.dir, TOPIC ".jsonl", NULL);
    g_autofree char *some = g_build_filename (t.dir, "filtered.jsonl", NULL);

    g_unlink (all);
    g_unlink (some);
    g_rmdir (t.dir);
  }
  g_free (t.dir);
  g_free (t.copied);
  return ret;
}
