/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-charts.c: the lag and throughput charts and the reset of a
 * group's offsets to a date and time, under Xvfb against a real caudald.
 * The chart widget alone: its series, sliding window and a real render
 * (the window's own renderer) that shows a series' colour only once the
 * series exists. The topic window: records produced with libcaudal while
 * it is open give its messages-per-second chart a rate above 0. The
 * group window: its lag chart has a series per partition whose latest
 * value is the lag the window shows. Reset to a date and time: records
 * with known timestamps, a time between two batches (typed as local
 * time) previews and commits the first offset of the second batch, read
 * back with CaudalAdmin; a time after the last record (ISO 8601 in UTC)
 * goes to the log end offset; a malformed time is refused as typed.
 *
 * The cases run in order and share one broker and one application. */

#include <string.h>

#include "caudal-admin.h"
#include "caudal-producer.h"
#include "desktop-application.h"
#include "desktop-chart.h"
#include "desktop-group-view.h"
#include "desktop-topic-view.h"
#include "gui-test-util.h"

#define RATE_TOPIC "gui-rate"
#define LAG_TOPIC  "gui-lag"
#define LAG_GROUP  "gui-lag-grp"
#define TIME_TOPIC "gui-time"
#define TIME_GROUP "gui-time-grp"

static struct
{
  GuiTestBroker       broker;
  DesktopApplication *app;
  CaudalCluster      *client;        /* the test's own view of the broker */
  CaudalAdmin        *admin;
  CaudalProducer     *producer;
  GtkWindow          *cluster_window;
} t;

/* ---- libcaudal on the test's side ---- */

static void
create_topic (const char *name,
              gint32      partitions)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  caudal_admin_create_topic_async (t.admin, name, partitions, 1, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_create_topic_finish (t.admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
}

/* Produces one record and checks where it went. */
static void
produce (const char *topic,
         gint32      partition,
         gint64      timestamp_ms,
         gint64      expected_offset)
{
  g_autoptr(GBytes) value = g_bytes_new_static ("chart", 5);
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalProducerResult out;

  caudal_producer_send_async (t.producer, topic, partition, NULL, value, NULL, 0, timestamp_ms, NULL,
                              caudal_sync_callback, &sync);
  g_assert_true (caudal_producer_send_finish (t.producer, caudal_sync_wait (&sync), &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out.partition, ==, partition);
  if (expected_offset >= 0)
    g_assert_cmpint (out.offset, ==, expected_offset);
}

static void
commit (const char                    *group,
        const CaudalAdminOffsetCommit *offsets,
        gsize                          n_offsets)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  caudal_admin_alter_group_offsets_async (t.admin, group, offsets, n_offsets, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_alter_group_offsets_finish (t.admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
}

/* The broker's committed offset of @group on @topic-0. */
static gint64
committed_offset (const char *group,
                  const char *topic)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) committed = NULL;

  caudal_admin_list_committed_offsets_async (t.admin, group, NULL, NULL, caudal_sync_callback, &sync);
  committed = caudal_admin_list_committed_offsets_finish (t.admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < committed->len; i++)
    {
      CaudalAdminCommittedOffset *c = g_ptr_array_index (committed, i);

      if (g_strcmp0 (c->topic, topic) == 0 && c->partition == 0)
        return c->offset;
    }
  g_assert_not_reached ();
}

/* ---- rendering ---- */

/* How many pixels of @widget, rendered by its window's renderer, have
 * @color (opaque, give or take rounding). */
static guint
count_pixels (GtkWidget     *widget,
              const GdkRGBA *color)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  graphene_rect_t bounds;
  gsize stride;
  int width, height;
  guint n = 0, distinct = 0;
  guint32 first = 0;

  /* The real drawing path: GTK snapshots the child as its parent would. */
  gtk_widget_snapshot_child (parent, widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  g_assert_true (gtk_widget_compute_bounds (widget, parent, &bounds));
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (width, >, 0);
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  /* GDK_MEMORY_DEFAULT: B, G, R, A (premultiplied) in memory. */
  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + y * stride + x * 4;
        guint32 value;

        memcpy (&value, p, 4);
        if (x == 0 && y == 0)
          first = value;
        else if (value != first)
          distinct++;
        if (p[3] == 255 && ABS (p[2] - (int) (color->red * 255 + 0.5)) <= 2
            && ABS (p[1] - (int) (color->green * 255 + 0.5)) <= 2
            && ABS (p[0] - (int) (color->blue * 255 + 0.5)) <= 2)
          n++;
      }
  /* Never a blank render: the empty state has its text. */
  g_assert_cmpuint (distinct, >, 0);
  return n;
}

/* ---- the cases ---- */

static void
test_chart_widget (void)
{
  GtkWidget *window = gtk_window_new ();
  DesktopChart *chart = DESKTOP_CHART (desktop_chart_new ());
  gint64 t0 = g_get_monotonic_time ();
  GdkRGBA color;
  double value;

  desktop_chart_set_title (chart, "Test chart");
  g_assert_cmpstr (desktop_chart_get_title (chart), ==, "Test chart");
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 240);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (chart)) && gtk_widget_get_width (GTK_WIDGET (chart)) > 100);

  g_assert_cmpuint (desktop_chart_get_n_series (chart), ==, 0);
  g_assert_false (desktop_chart_get_latest (chart, "a", &value));
  g_assert_cmpuint (desktop_chart_get_n_samples (chart, "a"), ==, 0);

  desktop_chart_add_sample (chart, "a", t0, 1);
  desktop_chart_add_sample (chart, "a", t0 + G_USEC_PER_SEC, 3);
  desktop_chart_add_sample (chart, "b", t0 + G_USEC_PER_SEC, 10);
  g_assert_cmpuint (desktop_chart_get_n_series (chart), ==, 2);
  g_assert_cmpuint (desktop_chart_get_n_samples (chart, "a"), ==, 2);
  g_assert_cmpuint (desktop_chart_get_n_samples (chart, "b"), ==, 1);
  g_assert_true (desktop_chart_get_latest (chart, "a", &value));
  g_assert_cmpfloat (value, ==, 3);
  g_assert_true (desktop_chart_get_latest (chart, "b", &value));
  g_assert_cmpfloat (value, ==, 10);

  /* Rendered, the first series' colour shows (legend and line); it did
   * not before the series existed. */
  g_assert_true (desktop_chart_get_series_color (chart, "a", &color));
  g_assert_cmpuint (count_pixels (GTK_WIDGET (chart), &color), >, 0);
  desktop_chart_clear (chart);
  g_assert_cmpuint (desktop_chart_get_n_series (chart), ==, 0);
  g_assert_cmpuint (count_pixels (GTK_WIDGET (chart), &color), ==, 0);

  /* The window slides: 5 minutes after, the old samples and the series
   * left without any are gone. */
  desktop_chart_add_sample (chart, "a", t0, 1);
  desktop_chart_add_sample (chart, "a", t0 + G_USEC_PER_SEC, 3);
  desktop_chart_add_sample (chart, "b", t0 + G_USEC_PER_SEC, 10);
  desktop_chart_add_sample (chart, "a", t0 + DESKTOP_CHART_WINDOW_US + 2 * G_USEC_PER_SEC, 5);
  g_assert_cmpuint (desktop_chart_get_n_series (chart), ==, 1);
  g_assert_cmpuint (desktop_chart_get_n_samples (chart, "a"), ==, 1);
  g_assert_cmpuint (desktop_chart_get_n_samples (chart, "b"), ==, 0);
  g_assert_true (desktop_chart_get_latest (chart, "a", &value));
  g_assert_cmpfloat (value, ==, 5);
  g_assert_cmpuint (count_pixels (GTK_WIDGET (chart), &color), >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_topic_rate (void)
{
  DesktopTopicView *view;
  DesktopChart *chart;
  double rate = -1;

  create_topic (RATE_TOPIC, 2);
  view = desktop_topic_view_new (t.cluster_window, t.client, t.broker.bootstrap, RATE_TOPIC);
  gtk_window_present (GTK_WINDOW (view));
  chart = CHILD (view, DesktopChart, DESKTOP_TYPE_TOPIC_VIEW, "rate_chart");

  /* The first reading is only the baseline; the second is a rate of 0,
   * nothing having been produced. */
  WAIT_FOR (desktop_chart_get_n_samples (chart, RATE_TOPIC) >= 1);
  g_assert_true (desktop_chart_get_latest (chart, RATE_TOPIC, &rate));
  g_assert_cmpfloat (rate, ==, 0);

  for (guint i = 0; i < 20; i++)
    produce (RATE_TOPIC, i % 2, -1, i / 2);
  WAIT_FOR (desktop_chart_get_latest (chart, RATE_TOPIC, &rate) && rate > 0);
  g_assert_cmpuint (desktop_chart_get_n_series (chart), ==, 1);

  gtk_window_close (GTK_WINDOW (view));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_TOPIC_VIEW) == NULL);
}

/* The lag a row of the offsets list shows, or -1. */
static gint64
shown_lag (GtkWidget *row)
{
  GtkWidget *label = find_widget (row, match_label_containing, "lag ");

  if (label == NULL || !g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "lag "))
    return -1;
  return g_ascii_strtoll (gtk_label_get_text (GTK_LABEL (label)) + 4, NULL, 10);
}

static gboolean
chart_has (DesktopChart *chart,
           const char   *series,
           double        expected)
{
  double value;

  return desktop_chart_get_latest (chart, series, &value) && value == expected;
}

static void
test_group_lag (void)
{
  const CaudalAdminOffsetCommit offsets[] = { { LAG_TOPIC, 0, 2 }, { LAG_TOPIC, 1, 1 } };
  DesktopGroupView *view;
  DesktopChart *chart;
  GtkWidget *offsets_box;
  guint n_rows = 0;

  /* 5 and 3 records, committed at 2 and 1: lags 3 and 2. */
  create_topic (LAG_TOPIC, 2);
  for (guint i = 0; i < 5; i++)
    produce (LAG_TOPIC, 0, -1, i);
  for (guint i = 0; i < 3; i++)
    produce (LAG_TOPIC, 1, -1, i);
  commit (LAG_GROUP, offsets, G_N_ELEMENTS (offsets));

  view = desktop_group_view_new (t.cluster_window, t.admin, LAG_GROUP, t.broker.bootstrap);
  gtk_window_present (GTK_WINDOW (view));
  chart = CHILD (view, DesktopChart, DESKTOP_TYPE_GROUP_VIEW, "lag_chart");
  offsets_box = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "offsets_box");

  WAIT_FOR (chart_has (chart, LAG_TOPIC "-0", 3) && chart_has (chart, LAG_TOPIC "-1", 2)
            && chart_has (chart, "Total", 5));
  g_assert_cmpuint (desktop_chart_get_n_series (chart), ==, 3);
  /* Each row's lag is its series' latest sample. */
  for (GtkWidget *row = gtk_widget_get_first_child (offsets_box); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      double value;

      g_assert_true (desktop_chart_get_latest (chart, title, &value));
      g_assert_cmpint (shown_lag (row), ==, (gint64) value);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, 2);

  /* It keeps sampling at each refresh. */
  WAIT_FOR (desktop_chart_get_n_samples (chart, LAG_TOPIC "-0") >= 2);
  g_assert_cmpuint (desktop_chart_get_n_samples (chart, "Total"), >=, 2);

  gtk_window_close (GTK_WINDOW (view));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_GROUP_VIEW) == NULL);
}

static void
test_reset_datetime (void)
{
  const CaudalAdminOffsetCommit start[] = { { TIME_TOPIC, 0, 0 } };
  /* Whole seconds, an hour ago: the local-time entry has no milliseconds. */
  gint64 t0 = (g_get_real_time () / G_USEC_PER_SEC - 3600) * 1000;
  DesktopGroupView *view;
  GtkWidget *preview_button, *reset_button, *preview_box, *error_label;
  AdwEntryRow *datetime_row;
  g_autoptr(GDateTime) between = NULL;
  g_autoptr(GDateTime) after = NULL;
  g_autofree char *between_text = NULL;
  g_autofree char *after_text = NULL;

  /* Batch one at t0, +1 s, +2 s (offsets 0-2); batch two at +10 s and
   * +11 s (offsets 3-4). */
  create_topic (TIME_TOPIC, 1);
  for (guint i = 0; i < 3; i++)
    produce (TIME_TOPIC, 0, t0 + i * 1000, i);
  produce (TIME_TOPIC, 0, t0 + 10000, 3);
  produce (TIME_TOPIC, 0, t0 + 11000, 4);
  commit (TIME_GROUP, start, G_N_ELEMENTS (start));

  view = desktop_group_view_new (t.cluster_window, t.admin, TIME_GROUP, t.broker.bootstrap);
  gtk_window_present (GTK_WINDOW (view));
  preview_button = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "preview_button");
  reset_button = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "reset_button");
  preview_box = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "preview_box");
  error_label = CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "datetime_error_label");
  datetime_row = CHILD (view, AdwEntryRow, DESKTOP_TYPE_GROUP_VIEW, "datetime_row");
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "lag 5") != NULL);
  WAIT_FOR (gtk_widget_is_sensitive (preview_button));

  /* The mode shows the entry, filled with a valid time, instead of the value. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (datetime_row)));
  adw_combo_row_set_selected (CHILD (view, AdwComboRow, DESKTOP_TYPE_GROUP_VIEW, "mode_row"), DESKTOP_RESET_DATETIME);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (datetime_row)));
  g_assert_false (gtk_widget_get_visible (CHILD (view, GtkWidget, DESKTOP_TYPE_GROUP_VIEW, "value_row")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (datetime_row)), !=, "");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_is_sensitive (preview_button));

  /* Refused as typed. */
  gtk_editable_set_text (GTK_EDITABLE (datetime_row), "2026-02-30 10:00");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (datetime_row), "error"));
  g_assert_false (gtk_widget_is_sensitive (preview_button));

  /* Between the batches, in local time: the first offset of batch two. */
  between = g_date_time_new_from_unix_local (t0 / 1000 + 5);
  between_text = g_date_time_format (between, "%Y-%m-%d %H:%M:%S");
  gtk_editable_set_text (GTK_EDITABLE (datetime_row), between_text);
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (datetime_row), "error"));
  g_assert_true (gtk_widget_is_sensitive (preview_button));
  gtk_widget_activate (preview_button);
  WAIT_FOR (gtk_widget_get_visible (preview_box)
            && find_widget (preview_box, match_label_containing, "0 → 3") != NULL);
  WAIT_FOR (gtk_widget_is_sensitive (reset_button));
  gtk_widget_activate (reset_button);
  WAIT_FOR (has_toast (GTK_WINDOW (view), "Reset the offsets of “" TIME_GROUP "”"));
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "lag 2") != NULL);
  g_assert_cmpint (committed_offset (TIME_GROUP, TIME_TOPIC), ==, 3);

  /* After the last record, as ISO 8601 in UTC: the log end offset. */
  after = g_date_time_new_from_unix_utc (t0 / 1000 + 60);
  after_text = g_date_time_format (after, "%Y-%m-%dT%H:%M:%SZ");
  gtk_editable_set_text (GTK_EDITABLE (datetime_row), after_text);
  g_assert_false (gtk_widget_get_visible (error_label));
  WAIT_FOR (gtk_widget_is_sensitive (preview_button));
  gtk_widget_activate (preview_button);
  WAIT_FOR (gtk_widget_get_visible (preview_box)
            && find_widget (preview_box, match_label_containing, "3 → 5") != NULL);
  WAIT_FOR (gtk_widget_is_sensitive (reset_button));
  gtk_widget_activate (reset_button);
  WAIT_FOR (find_widget (GTK_WIDGET (view), match_label_containing, "lag 0") != NULL);
  g_assert_cmpint (committed_offset (TIME_GROUP, TIME_TOPIC), ==, 5);

  gtk_window_close (GTK_WINDOW (view));
  WAIT_FOR (find_toplevel (DESKTOP_TYPE_GROUP_VIEW) == NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  gui_test_init (&argc, &argv);
  gui_test_broker_start (&t.broker, NULL);
  t.client = caudal_cluster_new (t.broker.bootstrap, "test-charts", &error);
  g_assert_no_error (error);
  t.admin = caudal_admin_new (t.client);
  t.producer = caudal_producer_new (t.client, NULL);

  t.app = gui_test_app_new ();
  t.cluster_window = desktop_application_open_cluster (t.app, "local", t.broker.bootstrap);

  g_test_add_func ("/charts/widget", test_chart_widget);
  g_test_add_func ("/charts/topic-rate", test_topic_rate);
  g_test_add_func ("/charts/group-lag", test_group_lag);
  g_test_add_func ("/charts/reset-datetime", test_reset_datetime);
  ret = g_test_run ();

  gui_test_destroy_toplevels ();
  g_clear_object (&t.app);
  g_clear_object (&t.producer);
  g_clear_object (&t.admin);
  g_clear_object (&t.client);
  gui_test_broker_stop (&t.broker);
  return ret;
}
