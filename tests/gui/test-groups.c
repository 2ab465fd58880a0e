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

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "caudal-admin.h"
#include "caudal-consumer.h"
#include "desktop-application.h"
#include "desktop-cluster-window.h"
#include "desktop-group-view.h"
#include "desktop-groups-page.h"
#include "desktop-produce-dialog.h"

#define WAIT_SECONDS 30
#define TOPIC "gui-groups"
#define GROUP "gui-grp"
#define COPIES 5

static struct
{
  GSubprocess        *broker;
  char               *dir;
  char               *bootstrap;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  GtkWindow          *cluster_window;
  /* the in-process group member */
  CaudalCluster      *member_cluster;
  CaudalConsumer     *member;
  gboolean            member_stop;
  gboolean            member_running;
  guint               member_consumed;
} t;
/* ---- the broker ---- */

#ifdef __linux__
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
broker_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("CAUDALD");
  g_autofree char *logdirs = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_nonnull (path);
  t.dir = g_dir_make_tmp ("caudal-gui-XXXXXX", &error);
  g_assert_no_error (error);
  logdirs = g_strdup_printf ("log.dirs=%s/data", t.dir);
  ready = g_build_filename (t.dir, "ready", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
#ifdef __linux__
  /* A test that aborts must not leave its broker behind. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  t.broker = g_subprocess_launcher_spawn (launcher, &error, path,
                                          "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                                          "--override", logdirs,
                                          "--ready-file", ready, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && !g_file_test (ready, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_assert_true (g_file_get_contents (ready, &contents, NULL, &error));
  fields = g_strsplit (g_strstrip (contents), " ", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  t.bootstrap = g_strdup_printf ("%s:%s", fields[1], fields[2]);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
broker_stop (void)
{
  if (t.broker != NULL)
    {
      g_subprocess_send_signal (t.broker, SIGTERM);
      g_subprocess_wait (t.broker, NULL, NULL);
      g_clear_object (&t.broker);
    }
  if (t.dir != NULL)
    rm_rf (t.dir);
  g_clear_pointer (&t.dir, g_free);
}

/* ---- driving the main loop ---- */

static gboolean
tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @cond holds, failing after
 * WAIT_SECONDS; a 10 ms ticker keeps each iteration short. */
#define WAIT_FOR(cond)                                                             \
  G_STMT_START {                                                                   \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;    \
    guint ticker_ = g_timeout_add (10, tick, NULL);                                \
    while (!(cond))                                                                \
      {                                                                            \
        if (g_get_monotonic_time () > deadline_)                                   \
          g_error ("timed out waiting for: %s", #cond);                            \
        g_main_context_iteration (NULL, TRUE);                                     \
      }                                                                            \
    g_source_remove (ticker_);                                                     \
  } G_STMT_END

/* ---- finding widgets ---- */

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget    *root,
             WidgetMatch   match,
             gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
match_label_containing (GtkWidget    *widget,
                        gconstpointer data)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

static gboolean
match_button_label (GtkWidget    *widget,
                    gconstpointer data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

/* Clicks @dialog's response button labelled @label. */
static void
click_response (GtkWindow  *dialog,
                const char *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (dialog), match_button_label, label);

  g_assert_nonnull (button);
  gtk_widget_activate (button);
}

static gboolean
match_toast (GtkWidget    *widget,
             gconstpointer data)
{
  return g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget") == 0
         && find_widget (widget, match_label_containing, data) != NULL;
}

/* A toast showing @text on @window. */
static gboolean
has_toast (GtkWindow  *window,
           const char *text)
{
  return find_widget (GTK_WIDGET (window), match_toast, text) != NULL;
}

/* The visible toplevel of @type, or NULL. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

#define CHILD(widget, Type, TYPE, name) \
  ((Type *) gtk_widget_get_template_child (GTK_WIDGET (widget), TYPE, name))

static gboolean
match_row_named (GtkWidget    *widget,
                 gconstpointer data)
{
  return ADW_IS_ACTION_ROW (widget) && g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

/* ---- the in-process group member: poll, commit, poll again ---- */

static void member_poll (void);

static void
on_member_committed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_commit_finish (CAUDAL_CONSUMER (source), result, &error))
    g_test_message ("commit: %s", error->message);
  member_poll ();
}

static void
on_member_polled (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = caudal_consumer_poll_finish (CAUDAL_CONSUMER (source), result, &error);

  if (messages == NULL)
    g_test_message ("poll: %s", error->message);
  else
    t.member_consumed += messages->len;
  if (messages != NULL && messages->len > 0)
    caudal_consumer_commit_async (t.member, NULL, on_member_committed, NULL);
  else
    member_poll ();
}

static void
member_poll (void)
{
  if (t.member_stop)
    {
      t.member_running = FALSE;
      return;
    }
  caudal_consumer_poll_async (t.member, NULL, on_member_polled, NULL);
}

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

  t.member_cluster = caudal_cluster_new (t.bootstrap, "gui-consumer", &error);
  g_assert_no_error (error);
  t.member = caudal_consumer_new (t.member_cluster);
  g_assert_true (caudal_consumer_set_config (t.member, "auto.offset.reset", "earliest", &error));
  g_assert_no_error (error);
  g_assert_true (caudal_consumer_set_config (t.member, "client.id", "gui-consumer", &error));
  g_assert_no_error (error);
  caudal_consumer_subscribe (t.member, GROUP, topics);
  t.member_running = TRUE;
  member_poll ();

  adw_view_stack_set_visible_child_name (stack, "groups");
  /* The page refreshes on its own: the member joins, reads and commits. */
  WAIT_FOR ((row = find_widget (page, match_row_named, GROUP)) != NULL
            && strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Stable · 1 member · lag 0") != NULL);
  g_assert_cmpuint (t.member_consumed, ==, COPIES);

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
  t.member_stop = TRUE;
  WAIT_FOR (!t.member_running);
  caudal_consumer_close_async (t.member, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_consumer_close_finish (t.member, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);

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

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  broker_start ();
  t.client = caudal_cluster_new (t.bootstrap, "test-groups", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);
  caudal_admin_create_topic_async (t.admin, TOPIC, 1, 1, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_create_topic_finish (t.admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);

  t.app = desktop_application_new ();
  g_application_set_flags (G_APPLICATION (t.app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (t.app), NULL, &error));
  g_assert_no_error (error);
  t.cluster_window = desktop_application_open_cluster (t.app, "local", t.bootstrap);

  g_test_add_func ("/groups/produce", test_produce);
  g_test_add_func ("/groups/members", test_group_members);
  g_test_add_func ("/groups/reset", test_group_reset);
  g_test_add_func ("/groups/delete", test_group_delete);
  ret = g_test_run ();

  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    while (g_list_model_get_n_items (toplevels) > 0)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, 0);
        gtk_window_destroy (w);
      }
  }
  g_clear_object (&t.member);
  g_clear_object (&t.member_cluster);
  g_clear_object (&t.app);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  broker_stop ();
  g_free (t.bootstrap);
  return ret;
}
