/* SPDX-License-Identifier: GPL-3.0-or-later */
/* screenshots.c: renders each caudal-desktop window with sample data to a
 * PNG, so a reviewer (and docs/desktop.md, the metainfo) can see every
 * window without clicking.
 *
 *   screenshots [--lang LANG] [--check] [OUTDIR]
 *
 * Starts a real caudald on an ephemeral port (gui-test-util), fills it
 * through libcaudal (topics with keyed JSON records, a consumer group with
 * a live member and lag, an empty group with committed offsets), opens the
 * real windows at fixed sizes in the light style (one dark shot), waits
 * for what each shows to load and renders the window's own render node
 * with its renderer into OUTDIR/NAME.png (default ./screenshots). --check
 * then loads every file back and fails unless it is a PNG of the expected
 * size that is not one flat colour (the gui-screenshots test).
 *
 * Translated: LANG / LANGUAGE as usual, or --lang pt_BR; the catalogues
 * come from CAUDAL_LOCALEDIR, by default the build tree's po/. Runs under
 * Xvfb with the GUI tests' environment (meson run target `screenshots`).
 * Waits only on data this program produced (topic, group and client
 * names) and on the windows' public API and template children, never on
 * translated text, so the windows can grow around it. */

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-consumer.h"
#include "caudal-producer.h"
#include "desktop-application.h"
#include "desktop-cluster-window.h"
#include "desktop-connections-window.h"
#include "desktop-create-topic-dialog.h"
#include "desktop-group-view.h"
#include "desktop-messages-view.h"
#include "desktop-overview-page.h"
#include "desktop-produce-dialog.h"
#include "desktop-topic-view.h"
#include "desktop-topic.h"
#include "desktop-topics-page.h"
#include "gui-a11y-check.h"
#include "gui-test-member.h"
#include "gui-test-util.h"

/* Frames and time each window gets after its content is there: layout,
 * two paints, and the replies already on their way (counts, lag). */
#define SETTLE_FRAMES 4
#define SETTLE_MS     400

/* What is shot, at which size (the --check expectations). */
typedef struct
{
  const char *name;      /* NAME.png */
  int         width;
  int         height;
} Shot;

#define CONNECTIONS_W 640
#define CONNECTIONS_H 480
#define MAIN_W        1000   /* cluster, topic windows */
#define MAIN_H        700
#define GROUP_W       760
#define GROUP_H       700
#define DIALOG_W      560
#define DIALOG_H      700
#define NARROW_W      360    /* the smallest width the app supports */
#define NARROW_H      720

static const Shot shots[] = {
  { "connections",         CONNECTIONS_W, CONNECTIONS_H },
  { "cluster-overview",    MAIN_W,        MAIN_H },
  { "cluster-topics",      MAIN_W,        MAIN_H },
  { "cluster-groups",      MAIN_W,        MAIN_H },
  { "cluster-topics-dark", MAIN_W,        MAIN_H },
  { "topic-partitions",    MAIN_W,        MAIN_H },
  { "topic-configs",       MAIN_W,        MAIN_H },
  { "topic-messages",      MAIN_W,        MAIN_H },
  { "group",               GROUP_W,       GROUP_H },
  { "produce",             DIALOG_W,      DIALOG_H },
  { "create-topic",        DIALOG_W,      DIALOG_H },
  { "cluster-narrow",      NARROW_W,      NARROW_H },
};

/* The sample cluster. */
#define ORDERS          "orders"
#define ORDERS_PARTS    3
#define ORDERS_READ     18    /* consumed and committed by GROUP_LIVE */
#define ORDERS_LATER    6     /* produced after: GROUP_LIVE's lag */
/* Seconds of live traffic on ORDERS while the topic and group windows are
 * open: their charts sample only then. */
#define TRAFFIC_SECONDS 8
#define PAYMENTS        "payments"
#define PAYMENTS_PARTS  2
#define AUDIT           "audit-log"
#define GROUP_LIVE      "billing"
#define GROUP_CLIENT    "billing-service"
#define GROUP_IDLE      "audit-archiver"

static struct
{
  const char         *out_dir;
  GuiTestBroker       broker;
  CaudalCluster      *client;        /* the sample data's producer side */
  CaudalAdmin        *admin;
  CaudalProducer     *producer;
  guint               orders;        /* records produced to ORDERS */
  DesktopApplication *app;
  GuiTestMember       member;        /* GROUP_LIVE's member */
  GString            *unnamed;       /* controls without an accessible name, per window */
} t;

/* ---- sample data through libcaudal ---- */

static void
create_topic (const char *name,
              gint32      partitions,
              const char *cleanup_policy)
{
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  if (cleanup_policy != NULL)
    g_hash_table_insert (configs, (gpointer) "cleanup.policy", (gpointer) cleanup_policy);
  caudal_admin_create_topic_async (t.admin, name, partitions, 1, configs, FALSE, NULL, caudal_sync_callback, &sync);
  if (!caudal_admin_create_topic_finish (t.admin, caudal_sync_wait (&sync), &error))
    g_error ("creating %s: %s", name, error->message);
}

static void
produce (const char *topic,
         gint32      partition,
         const char *key,
         const char *value,
         const char *content_type)
{
  g_autoptr(GBytes) k = g_bytes_new (key, strlen (key));
  g_autoptr(GBytes) v = g_bytes_new (value, strlen (value));
  CaudalRecordHeader headers[] = {
    { { (const guint8 *) "content-type", strlen ("content-type") },
      { (const guint8 *) content_type, strlen (content_type) } },
    { { (const guint8 *) "source", strlen ("source") }, { (const guint8 *) "web-shop", strlen ("web-shop") } },
  };
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  caudal_producer_send_async (t.producer, topic, partition, k, v, headers, G_N_ELEMENTS (headers), -1, NULL,
                              caudal_sync_callback, &sync);
  if (!caudal_producer_send_finish (t.producer, caudal_sync_wait (&sync), NULL, &error))
    g_error ("producing to %s: %s", topic, error->message);
}

/* Appends @n records to ORDERS, round robin over its partitions. */
static void
produce_orders (guint n)
{
  static const char *items[] = { "espresso beans", "grinder", "milk jug", "filter papers", "kettle", "scale" };
  const guint n_items = G_N_ELEMENTS (items);

  for (guint i = t.orders; i < t.orders + n; i++)
    {
      g_autofree char *key = g_strdup_printf ("customer-%u", 100 + i % 7);
      g_autofree char *value = g_strdup_printf ("{\"order_id\": %u, \"customer\": \"%s\", "
                                                "\"items\": [{\"sku\": \"SKU-%03u\", \"name\": \"%s\", "
                                                "\"qty\": %u}], \"total\": %u.%02u, \"currency\": \"EUR\"}",
                                                1000 + i, key, 100 + i % n_items, items[i % n_items], 1 + i % 3,
                                                9 + (i * 7) % 90, (i * 37) % 100);

      /* Round robin: every partition has records and lag. */
      produce (ORDERS, i % ORDERS_PARTS, key, value, "application/json");
    }
  t.orders += n;
}

/* Produces to ORDERS for @seconds at a rate that changes every second,
 * the main loop turning (the windows sample and refresh meanwhile). */
static void
traffic (guint seconds)
{
  static const guint per_second[] = { 4, 9, 15, 7, 12, 3, 10, 6 };

  for (guint i = 0; i < seconds; i++)
    {
      gint64 next = g_get_monotonic_time () + G_USEC_PER_SEC;

      produce_orders (per_second[i % G_N_ELEMENTS (per_second)]);
      WAIT_FOR (g_get_monotonic_time () >= next);
    }
}

static void
produce_samples (void)
{
  static const char *audit[] = {
    "alice signed in", "alice created topic orders", "bob signed in", "bob changed retention.ms of payments",
    "carol reset offsets of billing", "alice signed out", "dave signed in", "dave deleted topic scratch",
  };

  produce_orders (ORDERS_READ);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *key = g_strdup_printf ("order-%u", 1000 + i);
      g_autofree char *value = g_strdup_printf ("{\"payment_id\": \"pay_%04u\", \"order_id\": %u, "
                                                "\"amount\": %u.50, \"method\": \"%s\", \"status\": \"%s\"}",
                                                7000 + i, 1000 + i, 12 + i * 5, i % 3 == 0 ? "card" : "sepa",
                                                i == 7 ? "refunded" : "captured");

      produce (PAYMENTS, i % PAYMENTS_PARTS, key, value, "application/json");
    }
  for (guint i = 0; i < G_N_ELEMENTS (audit); i++)
    {
      g_autofree char *key = g_strndup (audit[i], strcspn (audit[i], " "));

      produce (AUDIT, 0, key, audit[i], "text/plain");
    }
}

static void
start_groups (void)
{
  const char *topics[] = { ORDERS, NULL };
  const CaudalAdminOffsetCommit idle[] = { { AUDIT, 0, 3 } };
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  /* A group the admin API committed for: Empty, with lag. */
  caudal_admin_alter_group_offsets_async (t.admin, GROUP_IDLE, idle, G_N_ELEMENTS (idle), NULL,
                                          caudal_sync_callback, &sync);
  if (!caudal_admin_alter_group_offsets_finish (t.admin, caudal_sync_wait (&sync), &error))
    g_error ("committing for %s: %s", GROUP_IDLE, error->message);

  /* A live member: reads ORDERS_READ records, commits, then idles in the
   * group while more arrive (so it has lag). */
  gui_test_member_start (&t.member, t.broker.bootstrap, GROUP_CLIENT, GROUP_LIVE, topics, ORDERS_READ);
  WAIT_FOR (!t.member.polling);
  produce_orders (ORDERS_LATER);
}

/* ---- rendering ---- */

static const Shot *
lookup_shot (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    if (strcmp (shots[i].name, name) == 0)
      return &shots[i];
  g_assert_not_reached ();
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Lets @window lay out and paint what it holds now. */
static void
settle (GtkWindow *window)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, &frames, NULL);
  gint64 until = g_get_monotonic_time () + SETTLE_MS * 1000;

  gtk_widget_queue_draw (GTK_WIDGET (window));
  WAIT_FOR (frames >= SETTLE_FRAMES && g_get_monotonic_time () >= until);
  gtk_widget_remove_tick_callback (GTK_WIDGET (window), id);
}

static gboolean
has_size (GtkWindow *window,
          int        width,
          int        height)
{
  return gtk_widget_get_width (GTK_WIDGET (window)) == width
         && gtk_widget_get_height (GTK_WIDGET (window)) == height;
}

/* Shows @window at the size of shot @name. The default size is the X
 * window's, which has a border for resizing around the window itself:
 * measured once mapped, and added. A window whose content asks for more
 * stays larger (shoot() says so, --check fails). */
static void
present_at (GtkWindow  *window,
            const char *name)
{
  const Shot *shot = lookup_shot (name);
  GtkWidget *widget = GTK_WIDGET (window);
  GdkSurface *surface;
  gint64 deadline;

  gtk_window_set_default_size (window, shot->width, shot->height);
  gtk_window_present (window);
  WAIT_FOR (gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0);
  settle (window);
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  gtk_window_set_default_size (window,
                               shot->width + gdk_surface_get_width (surface) - gtk_widget_get_width (widget),
                               shot->height + gdk_surface_get_height (surface) - gtk_widget_get_height (widget));
  /* Not WAIT_FOR: a window that cannot shrink to the size is reported,
   * not fatal. */
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (!has_size (window, shot->width, shot->height) && g_get_monotonic_time () < deadline)
    settle (window);
}

/* Renders @window as it was last painted (its render node, through its
 * own renderer) into OUTDIR/@name.png. */
static void
shoot (GtkWindow  *window,
       const char *name)
{
  const Shot *shot = lookup_shot (name);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", t.out_dir, name);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  settle (window);
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  if (width != shot->width || height != shot->height)
    g_printerr ("screenshots: %s is %d×%d, not %d×%d (its content asks for more)\n",
                name, width, height, shot->width, shot->height);

  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  /* A window mapped a moment ago may not have drawn its first frame yet
   * (a loaded machine): let it settle again rather than fail. */
  for (guint attempt = 0; node == NULL && attempt < 5; attempt++)
    {
      if (attempt > 0)
        settle (window);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  if (node == NULL)
    g_error ("%s: the window has painted nothing", name);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("cannot write %s", path);
  g_print ("%s\n", path);

  /* Every window shot is also checked for controls a screen reader
   * cannot name (--check fails on any). */
  {
    g_autofree char *unnamed = gui_a11y_unnamed_controls (GTK_WIDGET (window));

    if (*unnamed != '\0')
      g_string_append_printf (t.unnamed, "%s:\n%s", name, unnamed);
  }
}

/* ---- the windows ---- */

static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  return find_widget (root, match_label_containing, text) != NULL;
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

static void
shoot_connections (void)
{
  GtkWindow *window = GTK_WINDOW (desktop_connections_window_new (t.app));
  GtkListBox *list = CHILD (window, GtkListBox, DESKTOP_TYPE_CONNECTIONS_WINDOW, "list_box");

  present_at (window, "connections");
  WAIT_FOR (gtk_list_box_get_row_at_index (list, 2) != NULL);
  shoot (window, "connections");
  gtk_window_destroy (window);
}

static GtkWindow *
open_cluster (const char *shot)
{
  GtkWindow *window = GTK_WINDOW (desktop_cluster_window_new (t.app, "local", t.broker.bootstrap));
  const char *cluster_id = caudal_cluster_get_cluster_id (t.client);
  DesktopOverviewPage *overview = CHILD (window, DesktopOverviewPage, DESKTOP_TYPE_CLUSTER_WINDOW, "overview_page");

  present_at (window, shot);
  /* The overview's first load, before another page shares the cluster's
   * connection (see test-topic-view.c). */
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (CHILD (overview, AdwActionRow, DESKTOP_TYPE_OVERVIEW_PAGE,
                                                            "cluster_id_row")), cluster_id) == 0
            && gtk_list_box_get_row_at_index (CHILD (overview, GtkListBox, DESKTOP_TYPE_OVERVIEW_PAGE,
                                                     "brokers_list"), 0) != NULL);
  return window;
}

static void
show_topics (GtkWindow *window)
{
  DesktopTopicsPage *page = CHILD (window, DesktopTopicsPage, DESKTOP_TYPE_CLUSTER_WINDOW, "topics_page");

  adw_view_stack_set_visible_child_name (CHILD (window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW, "view_stack"),
                                         "topics");
  WAIT_FOR (shown_has_topic (page, ORDERS) && shown_has_topic (page, PAYMENTS) && shown_has_topic (page, AUDIT));
  WAIT_FOR (has_label (GTK_WIDGET (page), AUDIT));
}

static void
shoot_cluster (GtkWindow *window)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *groups = CHILD (window, GtkWidget, DESKTOP_TYPE_CLUSTER_WINDOW, "groups_page");

  shoot (window, "cluster-overview");

  show_topics (window);
  shoot (window, "cluster-topics");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  WAIT_FOR (adw_style_manager_get_dark (style));
  shoot (window, "cluster-topics-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  WAIT_FOR (!adw_style_manager_get_dark (style));

  adw_view_stack_set_visible_child_name (CHILD (window, AdwViewStack, DESKTOP_TYPE_CLUSTER_WINDOW, "view_stack"),
                                         "groups");
  WAIT_FOR (has_label (groups, GROUP_LIVE) && has_label (groups, GROUP_IDLE));
  shoot (window, "cluster-groups");
}

static void
shoot_topic (GtkWindow *cluster_window)
{
  DesktopClusterWindow *cw = DESKTOP_CLUSTER_WINDOW (cluster_window);
  DesktopTopicView *view = desktop_topic_view_new (cluster_window, desktop_cluster_window_get_cluster (cw),
                                                   t.broker.bootstrap, ORDERS);
  GtkWindow *window = GTK_WINDOW (view);
  AdwViewStack *stack = CHILD (view, AdwViewStack, DESKTOP_TYPE_TOPIC_VIEW, "view_stack");
  GtkListBox *partitions = CHILD (view, GtkListBox, DESKTOP_TYPE_TOPIC_VIEW, "partitions_list");
  DesktopMessagesView *mv = desktop_topic_view_get_messages_view (view);
  GtkColumnView *column_view = CHILD (mv, GtkColumnView, DESKTOP_TYPE_MESSAGES_VIEW, "column_view");
  GObject *json;

  present_at (window, "topic-partitions");
  WAIT_FOR (gtk_list_box_get_row_at_index (partitions, ORDERS_PARTS - 1) != NULL);
  traffic (TRAFFIC_SECONDS);
  /* The offsets after the traffic (the reply is local: settle() waits). */
  desktop_topic_view_refresh (view);
  shoot (window, "topic-partitions");

  adw_view_stack_set_visible_child_name (stack, "configs");
  WAIT_FOR (desktop_topic_view_lookup_config (view, "retention.ms") != NULL);
  shoot (window, "topic-configs");

  adw_view_stack_set_visible_child_name (stack, "messages");
  /* The partitions are known once the topic is described ("all" + 3). */
  WAIT_FOR (g_list_model_get_n_items (gtk_drop_down_get_model (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW,
                                                                      "partition_dropdown"))) > ORDERS_PARTS);
  gtk_drop_down_set_selected (CHILD (mv, GtkDropDown, DESKTOP_TYPE_MESSAGES_VIEW, "from_dropdown"),
                              DESKTOP_MESSAGES_FROM_BEGINNING);
  gtk_widget_activate (CHILD (mv, GtkWidget, DESKTOP_TYPE_MESSAGES_VIEW, "read_button"));
  WAIT_FOR (desktop_messages_view_is_reading (mv));
  WAIT_FOR (!desktop_messages_view_is_reading (mv));
  WAIT_FOR (g_list_model_get_n_items (desktop_messages_view_get_shown (mv)) == MIN (t.orders, 100));
  /* A message selected, its value in the detail pane. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_column_view_get_model (column_view)), 2);
  /* Pretty JSON, where the detail pane offers it. */
  json = gtk_widget_get_template_child (GTK_WIDGET (mv), DESKTOP_TYPE_MESSAGES_VIEW, "json_toggle");
  if (json != NULL && GTK_IS_TOGGLE_BUTTON (json))
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (json), TRUE);
  shoot (window, "topic-messages");
  gtk_window_destroy (window);
}

static void
shoot_group (GtkWindow *cluster_window)
{
  DesktopClusterWindow *cw = DESKTOP_CLUSTER_WINDOW (cluster_window);
  g_autoptr(CaudalAdmin) admin = caudal_admin_new (desktop_cluster_window_get_cluster (cw));
  DesktopGroupView *view = desktop_group_view_new (cluster_window, admin, GROUP_LIVE, t.broker.bootstrap);
  GtkWidget *members = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "members_box");
  GtkListBox *offsets = CHILD (view, GtkListBox, DESKTOP_TYPE_GROUP_VIEW, "offsets_box");

  present_at (GTK_WINDOW (view), "group");
  WAIT_FOR (has_label (members, GROUP_CLIENT) && gtk_list_box_get_row_at_index (offsets, ORDERS_PARTS - 1) != NULL);
  /* The lag grows: the member has stopped reading. */
  traffic (TRAFFIC_SECONDS);
  shoot (GTK_WINDOW (view), "group");
  gtk_window_destroy (GTK_WINDOW (view));
}

/* Sets a template child's text when the dialog still has it. */
static void
set_text (GtkWidget  *dialog,
          GType       type,
          const char *child,
          const char *text)
{
  GObject *widget = gtk_widget_get_template_child (dialog, type, child);

  if (widget != NULL && GTK_IS_EDITABLE (widget))
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static void
shoot_produce (GtkWindow *cluster_window)
{
  DesktopClusterWindow *cw = DESKTOP_CLUSTER_WINDOW (cluster_window);
  DesktopProduceDialog *dialog = desktop_produce_dialog_new (cluster_window, desktop_cluster_window_get_cluster (cw),
                                                             t.broker.bootstrap, ORDERS);
  GtkTextView *value = CHILD (dialog, GtkTextView, DESKTOP_TYPE_PRODUCE_DIALOG, "value_view");
  GtkWidget *headers = CHILD (dialog, GtkWidget, DESKTOP_TYPE_PRODUCE_DIALOG, "headers_box");
  GtkWidget *row = headers != NULL ? gtk_widget_get_first_child (headers) : NULL;

  set_text (GTK_WIDGET (dialog), DESKTOP_TYPE_PRODUCE_DIALOG, "key_row", "customer-104");
  if (value != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (value),
                              "{\n  \"order_id\": 1024,\n  \"customer\": \"customer-104\",\n"
                              "  \"items\": [{\"sku\": \"SKU-102\", \"qty\": 2}],\n"
                              "  \"total\": 31.80,\n  \"currency\": \"EUR\"\n}", -1);
  /* The first header row: a key entry and a value entry (test-groups.c). */
  if (row != NULL && GTK_IS_LIST_BOX_ROW (row) && gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)) != NULL)
    {
      GtkWidget *key = gtk_widget_get_first_child (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));
      GtkWidget *val = key != NULL ? gtk_widget_get_next_sibling (key) : NULL;

      if (key != NULL && GTK_IS_EDITABLE (key) && val != NULL && GTK_IS_EDITABLE (val))
        {
          gtk_editable_set_text (GTK_EDITABLE (key), "content-type");
          gtk_editable_set_text (GTK_EDITABLE (val), "application/json");
        }
    }
  present_at (GTK_WINDOW (dialog), "produce");
  shoot (GTK_WINDOW (dialog), "produce");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
shoot_create_topic (GtkWindow *cluster_window)
{
  DesktopClusterWindow *cw = DESKTOP_CLUSTER_WINDOW (cluster_window);
  DesktopCreateTopicDialog *dialog = desktop_create_topic_dialog_new (cluster_window,
                                                                      desktop_cluster_window_get_cluster (cw),
                                                                      t.broker.bootstrap);
  GtkSpinButton *partitions = CHILD (dialog, GtkSpinButton, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "partitions_spin");

  set_text (GTK_WIDGET (dialog), DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "name_row", "invoices");
  set_text (GTK_WIDGET (dialog), DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "retention_row", "604800000");
  if (partitions != NULL)
    gtk_spin_button_set_value (partitions, 6);
  present_at (GTK_WINDOW (dialog), "create-topic");
  /* The topic defaults load when the dialog opens: shoot the list, not
   * its spinner. */
  {
    GtkWidget *other_spinner = CHILD (dialog, GtkWidget, DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "other_spinner");

    if (other_spinner != NULL)
      WAIT_FOR (!gtk_widget_get_visible (other_spinner));
  }
  shoot (GTK_WINDOW (dialog), "create-topic");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
shoot_narrow (void)
{
  GtkWindow *window = open_cluster ("cluster-narrow");

  show_topics (window);
  shoot (window, "cluster-narrow");
  gtk_window_destroy (window);
}

/* ---- --check: what the gui-screenshots test asserts ---- */

static gboolean
check_shot (const Shot *shot)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.png", t.out_dir, shot->name);
  g_autofree char *contents = NULL;
  g_autofree guchar *pixels = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  int width, height;
  gsize stride, differing = 0;
  guint32 first;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("not ok: %s\n", error->message);
      return FALSE;
    }
  if (length < 8 || memcmp (contents, "\x89PNG\r\n\x1a\n", 8) != 0)
    {
      g_printerr ("not ok: %s is not a PNG\n", path);
      return FALSE;
    }
  texture = gdk_texture_new_from_filename (path, &error);
  if (texture == NULL)
    {
      g_printerr ("not ok: %s: %s\n", path, error->message);
      return FALSE;
    }
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  if (width != shot->width || height != shot->height)
    {
      g_printerr ("not ok: %s is %d×%d, expected %d×%d\n", path, width, height, shot->width, shot->height);
      return FALSE;
    }
  /* Not one flat colour: a window that painted only its background (or
   * nothing) has almost every pixel equal to its first one. A real window
   * has text, rows and a header bar, far over 2 % of the pixels. */
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);
  memcpy (&first, pixels, 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    if (memcmp (pixels + i * 4, &first, 4) != 0)
      differing++;
  if (differing * 50 < (gsize) width * height)
    {
      g_printerr ("not ok: %s is nearly one colour (%" G_GSIZE_FORMAT " of %d pixels differ)\n",
                  path, differing, width * height);
      return FALSE;
    }
  g_print ("ok: %s (%d×%d)\n", path, width, height);
  return TRUE;
}

static gboolean
check_all (void)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    ok = check_shot (&shots[i]) && ok;
  return ok;
}

/* The accessibility check must be able to fail: an icon-only button
 * with no name is reported, and the same button named is not. */
static gboolean
a11y_check_catches_unnamed (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");
  g_autofree char *unnamed = NULL;
  g_autofree char *named = NULL;

  gtk_window_set_child (GTK_WINDOW (window), button);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (button));
  unnamed = gui_a11y_unnamed_controls (button);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Add", -1);
  named = gui_a11y_unnamed_controls (button);
  gtk_window_destroy (GTK_WINDOW (window));
  if (strstr (unnamed, "icon=list-add-symbolic") == NULL || *named != '\0')
    {
      g_printerr ("the accessibility check does not tell a named button from an unnamed one: [%s] [%s]\n", unnamed, named);
      return FALSE;
    }
  return TRUE;
}

/* ---- main ---- */

/* LANG/LANGUAGE, or --lang: the UI language. A locale this machine has not
 * generated still gets its translations: C.UTF-8 with LANGUAGE set, which
 * gettext honours in any locale but "C". */
static void
setup_locale (const char *lang)
{
  const char *localedir = g_getenv ("CAUDAL_LOCALEDIR");

  if (lang != NULL)
    {
      g_autofree char *locale = g_strdup_printf ("%s.UTF-8", lang);

      g_setenv ("LANGUAGE", lang, TRUE);
      g_setenv ("LANG", locale, TRUE);
      g_unsetenv ("LC_ALL");
      g_unsetenv ("LC_MESSAGES");
    }
  if (setlocale (LC_ALL, "") == NULL)
    {
      const char *env = g_getenv ("LC_ALL");

      if (env == NULL || *env == '\0')
        env = g_getenv ("LC_MESSAGES");
      if (env == NULL || *env == '\0')
        env = g_getenv ("LANG");
      if (g_getenv ("LANGUAGE") == NULL && env != NULL)
        {
          g_autofree char *language = g_strndup (env, strcspn (env, ".@"));

          g_setenv ("LANGUAGE", language, TRUE);
        }
      setlocale (LC_ALL, "C.UTF-8");
    }
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* GTK must not set the locale again: it would fall back to "C". */
  gtk_disable_setlocale ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *lang = NULL;
  gboolean check = FALSE;
  const GOptionEntry entries[] = {
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "Render in LANG (e.g. pt_BR) instead of $LANG", "LANG" },
    { "check", 0, 0, G_OPTION_ARG_NONE, &check, "Then check every PNG (size, not one colour)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[OUTDIR] — render caudal-desktop's windows to PNG");
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  GtkWindow *cluster_window;
  int ret;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "at most one OUTDIR");
      return 2;
    }
  t.out_dir = argc == 2 ? argv[1] : "screenshots";
  if (g_mkdir_with_parents (t.out_dir, 0755) != 0)
    {
      g_printerr ("cannot create %s: %s\n", t.out_dir, g_strerror (errno));
      return 1;
    }

  /* A failed run must not leave an earlier run's files to be checked. */
  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.png", t.out_dir, shots[i].name);

      g_unlink (path);
    }

  t.unnamed = g_string_new (NULL);
  setup_locale (lang);
  /* As gui_test_init() does, without gtk_test_init(): that forces en_US. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* GTK's test accessibility backend: it records what a screen reader
   * would be told, for gui_a11y_unnamed_controls(). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  gtk_init ();
  /* Reproducible frames: no transitions half-way, no cursor blinking;
   * and GNOME's defaults rather than plain X11's (font, title buttons). */
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                "gtk-font-name", "Cantarell 11",
                "gtk-decoration-layout", "appmenu:close",
                NULL);

  gui_test_broker_start (&t.broker, NULL);
  t.client = caudal_cluster_new (t.broker.bootstrap, "screenshots", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);
  t.producer = caudal_producer_new (t.client, NULL);
  create_topic (ORDERS, ORDERS_PARTS, NULL);
  create_topic (PAYMENTS, PAYMENTS_PARTS, NULL);
  create_topic (AUDIT, 1, "compact");
  produce_samples ();
  start_groups ();
  caudal_cluster_refresh_metadata_async (t.client, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  if (!caudal_cluster_refresh_metadata_finish (t.client, caudal_sync_wait (&sync), &error))
    g_error ("metadata: %s", error->message);

  t.app = gui_test_app_new ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  desktop_application_add_connection (t.app, "local", t.broker.bootstrap);
  desktop_application_add_connection (t.app, "staging", "kafka-staging.example.com:9092");
  desktop_application_add_connection (t.app, "production",
                                      "kafka-1.example.com:9092,kafka-2.example.com:9092,kafka-3.example.com:9092");

  shoot_connections ();
  cluster_window = open_cluster ("cluster-overview");
  shoot_cluster (cluster_window);
  shoot_topic (cluster_window);
  shoot_group (cluster_window);
  shoot_produce (cluster_window);
  shoot_create_topic (cluster_window);
  gtk_window_destroy (cluster_window);
  shoot_narrow ();

  ret = check && !check_all () ? 1 : 0;
  if (check && !a11y_check_catches_unnamed ())
    ret = 1;
  if (check && t.unnamed->len > 0)
    {
      g_printerr ("controls without an accessible name (set a tooltip, an accessible label or a labelled-by):\n%s",
                  t.unnamed->str);
      ret = 1;
    }
  g_string_free (t.unnamed, TRUE);

  gui_test_destroy_toplevels ();
  g_clear_object (&t.app);
  gui_test_member_clear (&t.member);
  g_clear_object (&t.producer);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  return ret;
}
