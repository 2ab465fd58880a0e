/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-groups.c: the produce dialog and the consumer groups page and
 * group view, under Xvfb against a real caudald, driven as clicks do.
 * Produces through the dialog and reads the records back with libcaudal;
 * runs a consumer group in-process (CaudalConsumer) and sees its member
 * and lag on the group view; the reset is refused while it has members;
 * once it has left, resets to earliest (preview first) and sees the lag
 * rise to the partition's size; deletes the group.
 *
 * The cases run in order and share one broker and one application. */

#include <string.h>

#include "caudal-admin.h"
#include "caudal-consumer.h"
#include "desktop-application.h"
#include "gui-test-member.h"
#include "gui-test-util.h"
#include "desktop-cluster-window.h"
#include "desktop-group-view.h"
#include "desktop-groups-page.h"
#include "desktop-produce-dialog.h"

#define TOPIC "gui-groups"
#define GROUP "gui-grp"
#define COPIES 5

static struct
{
  GuiTestBroker       broker;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  GtkWindow          *cluster_window;
  GuiTestMember       member;        /* the in-process group member */
} t;
/* ---- the cases ---- */

static void
test_produce (void)
{
  DesktopProduceDialog *dialog;
  GtkWidget *header_box;
  GtkWidget *key_entry;
  GtkLabel *result;
  g_autoptr(CaudalConsumer) consumer = NULL;
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint n = 0;

  gtk_widget_activate_action (GTK_WIDGET (t.cluster_window), "cluster.produce", NULL);
  dialog = DESKTOP_PRODUCE_DIALOG (find_toplevel (DESKTOP_TYPE_PRODUCE_DIALOG));
  g_assert_nonnull (dialog);
  result = CHILD (dialog, GtkLabel, DESKTOP_TYPE_PRODUCE_DIALOG, "result_label");

  /* A topic name Kafka refuses is not sent. */
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_PRODUCE_DIALOG, "topic_row"), "bad topic");
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_PRODUCE_DIALOG, "send_button"));
  WAIT_FOR (has_toast (GTK_WINDOW (dialog), "Use only letters"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (result)));

  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_PRODUCE_DIALOG, "topic_row"), TOPIC);
  gtk_editable_set_text (CHILD (dialog, GtkEditable, DESKTOP_TYPE_PRODUCE_DIALOG, "key_row"), "k1");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (CHILD (dialog, GtkTextView, DESKTOP_TYPE_PRODUCE_DIALOG, "value_view")),
                            "{\"n\": 1,\n \"s\": \"two lines\"}", -1);
  /* The first header row is there from the start; add a second. */
  header_box = CHILD (dialog, GtkWidget, DESKTOP_TYPE_PRODUCE_DIALOG, "headers_box");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "produce.add-header", NULL);
  {
    GtkWidget *row1 = gtk_widget_get_first_child (header_box);
    GtkWidget *row2 = gtk_widget_get_next_sibling (row1);

    g_assert_nonnull (row2);
    key_entry = gtk_widget_get_first_child (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row1)));
    gtk_editable_set_text (GTK_EDITABLE (key_entry), "h1");
    gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (key_entry)), "v1");
    key_entry = gtk_widget_get_first_child (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row2)));
    gtk_editable_set_text (GTK_EDITABLE (key_entry), "h2");
    gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (key_entry)), "v2");
  }
  adw_combo_row_set_selected (CHILD (dialog, AdwComboRow, DESKTOP_TYPE_PRODUCE_DIALOG, "compression_row"), 1); /* gzip */
  gtk_spin_button_set_value (CHILD (dialog, GtkSpinButton, DESKTOP_TYPE_PRODUCE_DIALOG, "copies_spin"), COPIES);
  gtk_widget_activate (CHILD (dialog, GtkWidget, DESKTOP_TYPE_PRODUCE_DIALOG, "send_button"));
  WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (result)));
  g_assert_cmpstr (gtk_label_get_text (result), ==, "Partition 0, offset 4");
  WAIT_FOR (has_toast (GTK_WINDOW (dialog), "Partition 0, offset 4"));
  gtk_window_close (GTK_WINDOW (dialog));

  /* Read back with libcaudal. */
  consumer = caudal_consumer_new (t.client);
  caudal_consumer_assign (consumer, TOPIC, 0, CAUDAL_OFFSET_BEGINNING);
  for (guint tries = 0; n < COPIES && tries < 50; tries++)
    {
      g_auto(CaudalSync) sync = { 0 };
      g_autoptr(GError) error = NULL;
      GPtrArray *messages;

      caudal_consumer_poll_async (consumer, NULL, caudal_sync_callback, &sync);
      messages = caudal_consumer_poll_finish (consumer, caudal_sync_wait (&sync), &error);
      g_assert_no_error (error);
      n += messages->len;
      g_ptr_array_add (got, messages);
    }
  g_assert_cmpuint (n, ==, COPIES);
  for (guint i = 0; i < got->len; i++)
    {
      GPtrArray *messages = g_ptr_array_index (got, i);

      for (guint j = 0; j < messages->len; j++)
        {
          CaudalMessage *m = g_ptr_array_index (messages, j);
          CaudalMessageHeader *h;
          gsize len;
          const char *data;

          data = g_bytes_get_data (m->key, &len);
          g_assert_cmpmem (data, len, "k1", 2);
          data = g_bytes_get_data (m->value, &len);
          g_assert_cmpmem (data, len, "{\"n\": 1,\n \"s\": \"two lines\"}", strlen ("{\"n\": 1,\n \"s\": \"two lines\"}"));
          g_assert_cmpuint (m->headers->len, ==, 2);
          h = g_ptr_array_index (m->headers, 0);
          g_assert_cmpstr (h->key, ==, "h1");
          data = g_bytes_get_data (h->value, &len);
          g_assert_cmpmem (data, len, "v1", 2);
          h = g_ptr_array_index (m->headers, 1);
          g_assert_cmpstr (h->key, ==, "h2");
        }
    }
}

static DesktopGroupView *view;

static void
test_group_members (void)
{
  g_autoptr(GError) error = NULL;
  const char *topics[] = { TOPIC, NULL };
  AdwViewStack *stack = CHILD (t.cluster_window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW, "view_stack");
  GtkWidget *page = CHILD (t.cluster_window, GtkWidget, DESKTOP_TYPE_CLUSTER_WINDOW, "groups_page");
  GtkWidget *row;

  gui_test_member_start (&t.member, t.broker.bootstrap, "gui-consumer", GROUP, topics, 0);

  adw_view_stack_set_visible_child_name (stack, "groups");
  /* The page refreshes on its own: the member joins, reads and commits. */
  WAIT_FOR ((row = find_widget (page, match_row_named, GROUP)) != NULL
            && strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Stable · 1 member · lag 0") != NULL);
  g_assert_cmpuint (t.member.consumed, ==, COPIES);

  /* Search hides it, then shows it again. */
  gtk_editable_set_text (CHILD (page, GtkEditable, DESKTOP_TYPE_GROUPS_PAGE, "search_entry"), "no-such-group");
  WAIT_FOR (find_widget (page, match_row_named, GROUP) == NULL);
  gtk_editable_set_text (CHILD (page, GtkEditable, DESKTOP_TYPE_GROUPS_PAGE, "search_entry"), "GUI-g");
  WAIT_FOR ((row = find_widget (page, match_row_named, GROUP)) != NULL);

  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  view = DESKTOP_GROUP_VIEW (find_toplevel (DESKTOP_TYPE_GROUP_VIEW));
  g_assert_nonnull (view);
  g_assert_cmpstr (desktop_group_view_get_group_id (view), ==, GROUP);
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "client gui-consumer") != NULL);
  g_assert_nonnull (find_widget (GTK_WIDGET (view), match_label_containing, "partitions " TOPIC "-0"));
  g_assert_cmpstr (gtk_label_get_text (CHILD (view, GtkLabel, DESKTOP_TYPE_GROUP_VIEW, "state_label")), ==, "Stable");
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "lag 0") != NULL);
  g_assert_nonnull (find_widget (GTK_WIDGET (view), match_label_containing, "current offset 5 · log end offset 5"));

  /* Reset is refused, with the reason, while the member is in. */
  g_assert_true (gtk_widget_get_visible (CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "refusal_label")));
  g_assert_nonnull (strstr (gtk_label_get_text (CHILD (view, GtkLabel, DESKTOP_TYPE_GROUP_VIEW, "refusal_label")),
                            "1 active member"));
  g_assert_false (gtk_widget_is_sensitive (CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "preview_button")));
  g_assert_false (gtk_widget_is_sensitive (CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "reset_button")));
}

static void
test_group_reset (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GPtrArray) committed = NULL;
  GtkWidget *preview_button = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "preview_button");
  GtkWidget *reset_button = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "reset_button");
  GtkWidget *preview_box = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "preview_box");

  /* The member leaves. */
  gui_test_member_leave (&t.member);

  WAIT_FOR (g_strcmp0 (gtk_label_get_text (CHILD (view, GtkLabel, DESKTOP_TYPE_GROUP_VIEW, "state_label")), "Empty") == 0);
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "No active members") != NULL);
  WAIT_FOR (gtk_widget_is_sensitive (preview_button));
  g_assert_false (gtk_widget_get_visible (CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "refusal_label")));
  /* Nothing to execute before a preview. */
  g_assert_false (gtk_widget_is_sensitive (reset_button));

  /* Earliest (the first choice): preview, then execute. */
  g_assert_cmpuint (adw_combo_row_get_selected (CHILD (view, AdwComboRow, DESKTOP_TYPE_GROUP_VIEW, "mode_row")), ==, 0);
  gtk_widget_activate (preview_button);
  WAIT_FOR (gtk_widget_get_visible (preview_box)
            && find_widget (preview_box, match_label_containing, "5 → 0") != NULL);
  g_assert_nonnull (find_widget (preview_box, match_label_containing, TOPIC "-0"));
  WAIT_FOR (gtk_widget_is_sensitive (reset_button));
  gtk_widget_activate (reset_button);
  WAIT_FOR (has_toast (GTK_WINDOW (view), "Reset the offsets of “" GROUP "”"));
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "lag 5") != NULL);
  g_assert_nonnull (find_widget (GTK_WIDGET (view), match_label_containing, "current offset 0 · log end offset 5"));
  g_assert_false (gtk_widget_get_visible (preview_box));

  /* The broker holds the new offset. */
  caudal_sync_clear (&sync);
  caudal_admin_list_committed_offsets_async (t.admin, GROUP, NULL, NULL, caudal_sync_callback, &sync);
  committed = caudal_admin_list_committed_offsets_finish (t.admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (committed->len, ==, 1);
  g_assert_cmpint (((CaudalAdminCommittedOffset *) g_ptr_array_index (committed, 0))->offset, ==, 0);

  /* Shift by 3: preview shows 0 → 3. */
  adw_combo_row_set_selected (CHILD (view, AdwComboRow, DESKTOP_TYPE_GROUP_VIEW, "mode_row"), DESKTOP_RESET_SHIFT);
  gtk_spin_button_set_value (CHILD (view, GtkSpinButton, DESKTOP_TYPE_GROUP_VIEW, "value_spin"), 3);
  gtk_widget_activate (preview_button);
  WAIT_FOR (gtk_widget_get_visible (preview_box)
            && find_widget (preview_box, match_label_containing, "0 → 3") != NULL);
  gtk_widget_activate (reset_button);
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "lag 2") != NULL);
}

static void
test_group_delete (void)
{
  GtkWidget *page = CHILD (t.cluster_window, GtkWidget, DESKTOP_TYPE_CLUSTER_WINDOW, "groups_page");
  GtkWindow *dialog;

  gtk_widget_activate (CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "delete_button"));
  WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  click_response (dialog, "_Delete");
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_GROUP_VIEW) == NULL);
  view = NULL;
  WAIT_FOR (has_toast (t.cluster_window, "Deleted consumer group “" GROUP "”"));
  WAIT_FOR (find_widget (page, match_row_named, GROUP) == NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  int ret;

  gui_test_init (&argc, &argv);
  gui_test_broker_start (&t.broker, NULL);
  t.client = caudal_cluster_new (t.broker.bootstrap, "test-groups", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);
  caudal_admin_create_topic_async (t.admin, TOPIC, 1, 1, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_create_topic_finish (t.admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);

  t.app = gui_test_app_new ();
  t.cluster_window = desktop_application_open_cluster (t.app, "local", t.broker.bootstrap);

  g_test_add_func ("/groups/produce", test_produce);
  g_test_add_func ("/groups/members", test_group_members);
  g_test_add_func ("/groups/reset", test_group_reset);
  g_test_add_func ("/groups/delete", test_group_delete);
  ret = g_test_run ();

  gui_test_destroy_toplevels ();
  gui_test_member_clear (&t.member);
  g_clear_object (&t.app);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  return ret;
}
