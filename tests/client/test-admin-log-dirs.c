/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-admin-log-dirs.c: DescribeLogDirs end to end against a real
 * caudald: the broker's answer at every version (sizes against the
 * segment files on disk, null topics, a topic and partition filter,
 * unknown topics absent, the volume's space in v4), and
 * caudal_admin_describe_log_dirs_async() over it, with one log dir and
 * with several; and the call against librdkafka's mock cluster, which
 * does not serve the API. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "caudal-admin.h"
#include "caudal-error-codes.h"
#include "caudal-record-batch.h"
#include "client-test-peer.h"

/* ---- helpers ---- */

static CaudalAdmin *
admin_new (Peer *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = caudal_cluster_new (peer->bootstrap, "test-admin-log-dirs", &error);

  g_assert_no_error (error);
  return caudal_admin_new (cluster);
}

static void
create_topic (CaudalAdmin *admin,
              const char  *name,
              gint32       partitions)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };

  caudal_admin_create_topic_async (admin, name, partitions, -1, NULL, FALSE, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_admin_create_topic_finish (admin, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
}

static GPtrArray *
describe_log_dirs (CaudalAdmin       *admin,
                   const char *const *topics)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  GPtrArray *dirs;

  caudal_admin_describe_log_dirs_async (admin, topics, NULL, caudal_sync_callback, &sync);
  dirs = caudal_admin_describe_log_dirs_finish (admin, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  g_assert_nonnull (dirs);
  return dirs;
}

/* A batch of @n records with values of @value_size bytes. */
static GBytes *
make_batch (guint n,
            gsize value_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalRecordBatchBuilder) builder = caudal_record_batch_builder_new ();
  g_autofree guint8 *value = g_malloc (value_size);
  GBytes *batch;

  memset (value, 'x', value_size);
  for (guint i = 0; i < n; i++)
    g_assert_true (caudal_record_batch_builder_append (builder, 1700000000000 + i, CAUDAL_BYTES_NULL,
                                                       (CaudalBytes) { value, (gint32) value_size },
                                                       NULL, 0, &error));
  batch = caudal_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  return batch;
}

static gpointer
build_produce (gint16       version,
               CaudalArena *arena,
               gpointer     user_data)
{
  gpointer *args = user_data;   /* topic, partition, batch */
  CaudalProduceRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_produce_request_desc, "topic_data");
  CaudalProduceRequestTopicProduceData *t;
  CaudalProduceRequestPartitionProduceData *p;
  gsize len;

  caudal_message_init (&caudal_produce_request_desc, req);
  req->acks = -1;
  req->timeout_ms = 30000;
  t = caudal_message_set_array (arena, &caudal_produce_request_desc, req, "topic_data", 1);
  t->name = args[0];
  p = caudal_message_set_array (arena, topic_desc, t, "partition_data", 1);
  p->index = GPOINTER_TO_INT (args[1]);
  p->records.data = g_bytes_get_data (args[2], &len);
  p->records.len = (gint32) len;
  return req;
}

/* Appends @batch to @topic-@partition; returns its size in bytes, which
 * the log stores unchanged. */
static gint64
produce (CaudalCluster *cluster,
         const char    *topic,
         gint32         partition,
         GBytes        *batch)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(CaudalResponse) resp = NULL;
  gpointer args[] = { (gpointer) topic, GINT_TO_POINTER (partition), batch };
  CaudalProduceResponse *body;

  caudal_cluster_request_async (cluster, CAUDAL_NODE_ANY, CAUDAL_API_KEY_PRODUCE, 7, build_produce, args,
                                NULL, caudal_sync_callback, &sync);
  resp = caudal_cluster_request_finish (cluster, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  body = resp->body;
  g_assert_cmpint (body->n_responses, ==, 1);
  g_assert_cmpint (body->responses[0].n_partition_responses, ==, 1);
  g_assert_cmpint (body->responses[0].partition_responses[0].error_code, ==, CAUDAL_ERROR_CODE_NONE);
  return (gint64) g_bytes_get_size (batch);
}

/* The bytes of the .log files of @topic-@partition under @data_dir, by
 * stat: what DescribeLogDirs must report. */
static gint64
segment_bytes_on_disk (const char *data_dir,
                       const char *topic,
                       gint32      partition)
{
  g_autofree char *name = g_strdup_printf ("%s-%d", topic, partition);
  g_autofree char *path = g_build_filename (data_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *entry;
  gint64 total = 0;
  guint n_logs = 0;

  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = NULL;
      GStatBuf st;

      if (!g_str_has_suffix (entry, ".log"))
        continue;
      file = g_build_filename (path, entry, NULL);
      g_assert_cmpint (g_stat (file, &st), ==, 0);
      total += (gint64) st.st_size;
      n_logs++;
    }
  g_assert_cmpuint (n_logs, >, 0);
  return total;
}

/* ---- DescribeLogDirs requests on the wire ---- */

/* A DescribeLogDirs request's topics: NULL for null, else "topic:p,p…"
 * items ("topic:" for an empty partition list), NULL-terminated. */
static gpointer
build_describe_log_dirs (gint16       version,
                         CaudalArena *arena,
                         gpointer     user_data)
{
  const char *const *items = user_data;
  CaudalDescribeLogDirsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  CaudalDescribeLogDirsRequestDescribableLogDirTopic *topics;

  caudal_message_init (&caudal_describe_log_dirs_request_desc, req);
  if (items == NULL)
    {
      req->n_topics = -1;
      return req;
    }
  topics = caudal_message_set_array (arena, &caudal_describe_log_dirs_request_desc, req, "topics",
                                     g_strv_length ((char **) items));
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (items[i], ":", 2);
      g_auto(GStrv) numbers = g_strsplit (parts[1], ",", -1);
      guint n = *parts[1] == '\0' ? 0 : g_strv_length (numbers);
      gint32 *partitions;

      topics[i].topic = caudal_arena_strdup (arena, parts[0]);
      /* An array of int32: plain memory (set_array is for structs). */
      partitions = caudal_arena_alloc (arena, MAX (n, 1) * sizeof (gint32));
      topics[i].n_partitions = (gint32) n;
      topics[i].partitions = partitions;
      for (guint j = 0; j < n; j++)
        partitions[j] = (gint32) g_ascii_strtoll (numbers[j], NULL, 10);
    }
  return req;
}

static CaudalResponse *
request_log_dirs (CaudalCluster     *cluster,
                  gint16             version,
                  const char *const *items)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  CaudalResponse *resp;

  caudal_cluster_request_async (cluster, CAUDAL_NODE_ANY, CAUDAL_API_KEY_DESCRIBE_LOG_DIRS, version,
                                build_describe_log_dirs, (gpointer) items, NULL, caudal_sync_callback, &sync);
  resp = caudal_cluster_request_finish (cluster, caudal_sync_wait (&sync), &error);
  g_assert_no_error (error);
  g_assert_nonnull (resp);
  g_assert_cmpint (resp->version, ==, version);
  return resp;
}

/* The topic @name of @result; the test stops when there is none. */
static CaudalDescribeLogDirsResponseDescribeLogDirsTopic *
find_topic (CaudalDescribeLogDirsResponseDescribeLogDirsResult *result,
            const char                                         *name)
{
  for (gint32 i = 0; i < result->n_topics; i++)
    if (g_strcmp0 (result->topics[i].name, name) == 0)
      return &result->topics[i];
  g_error ("no topic %s in %s", name, result->log_dir);
}

/* ---- the test ---- */

typedef struct
{
  Peer           peer;
  CaudalAdmin   *admin;
  char          *data_dir;    /* canonical */
  gint64         sent[2];     /* bytes produced to sizes-0, sizes-1 */
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  CaudalCluster *cluster;

  peer_start_caudald (&f->peer);
  data_dir = g_build_filename (f->peer.dir, "data", NULL);
  f->data_dir = g_canonicalize_filename (data_dir, NULL);
  f->admin = admin_new (&f->peer);
  cluster = caudal_admin_get_cluster (f->admin);
  create_topic (f->admin, "sizes", 2);
  create_topic (f->admin, "other", 1);
  /* Known bytes: three batches of different sizes in partition 0, one in
   * partition 1, nothing in "other". */
  {
    g_autoptr(GBytes) a = make_batch (10, 100);
    g_autoptr(GBytes) b = make_batch (1, 5000);
    g_autoptr(GBytes) c = make_batch (3, 7);
    g_autoptr(GBytes) d = make_batch (20, 64);

    f->sent[0] = produce (cluster, "sizes", 0, a) + produce (cluster, "sizes", 0, b)
                 + produce (cluster, "sizes", 0, c);
    f->sent[1] = produce (cluster, "sizes", 1, d);
  }
  g_assert_cmpint (f->sent[0], >, 6000);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_pointer (&f->data_dir, g_free);
  peer_stop (&f->peer);
}

/* Every version with null topics: the one dir, every topic, the sizes of
 * the segment files; v3 has the top-level error code, v4 the space of
 * the volume. */
static void
test_wire_all_topics (Fixture      *f,
                      gconstpointer data)
{
  CaudalCluster *cluster = caudal_admin_get_cluster (f->admin);
  struct statvfs vfs;

  g_assert_cmpint (statvfs (f->data_dir, &vfs), ==, 0);
  for (gint16 v = 0; v <= 4; v++)
    {
      g_autoptr(CaudalResponse) resp = request_log_dirs (cluster, v, NULL);
      CaudalDescribeLogDirsResponse *body = resp->body;
      CaudalDescribeLogDirsResponseDescribeLogDirsResult *result;
      CaudalDescribeLogDirsResponseDescribeLogDirsTopic *sizes, *other;

      g_test_message ("DescribeLogDirs v%d", v);
      g_assert_cmpint (body->error_code, ==, CAUDAL_ERROR_CODE_NONE);
      g_assert_cmpint (body->n_results, ==, 1);
      result = &body->results[0];
      g_assert_cmpint (result->error_code, ==, CAUDAL_ERROR_CODE_NONE);
      g_assert_cmpstr (result->log_dir, ==, f->data_dir);

      sizes = find_topic (result, "sizes");
      g_assert_cmpint (sizes->n_partitions, ==, 2);
      for (gint32 p = 0; p < 2; p++)
        {
          g_assert_cmpint (sizes->partitions[p].partition_index, ==, p);
          g_assert_cmpint (sizes->partitions[p].partition_size, ==, f->sent[p]);
          g_assert_cmpint (sizes->partitions[p].partition_size, ==,
                           segment_bytes_on_disk (f->data_dir, "sizes", p));
          g_assert_cmpint (sizes->partitions[p].offset_lag, ==, 0);
          g_assert_false (sizes->partitions[p].is_future_key);
        }
      other = find_topic (result, "other");
      g_assert_cmpint (other->n_partitions, ==, 1);
      g_assert_cmpint (other->partitions[0].partition_size, ==, 0);
      g_assert_cmpint (segment_bytes_on_disk (f->data_dir, "other", 0), ==, 0);

      if (v >= 4)
        {
          /* The volume's size is fixed; what is free moves with every
           * writer on the machine. */
          g_assert_cmpint (result->total_bytes, ==, (gint64) vfs.f_blocks * (gint64) vfs.f_frsize);
          g_assert_cmpint (result->usable_bytes, >, 0);
          g_assert_cmpint (result->usable_bytes, <=, result->total_bytes);
        }
      else
        {
          /* Not on the wire: the decoder's defaults. */
          g_assert_cmpint (result->total_bytes, ==, -1);
          g_assert_cmpint (result->usable_bytes, ==, -1);
        }
    }
}

/* Named partitions only; an unknown topic, an unknown partition and a
 * topic listed without partitions are simply absent (as in Kafka). */
static void
test_wire_filter (Fixture      *f,
                  gconstpointer data)
{
  CaudalCluster *cluster = caudal_admin_get_cluster (f->admin);
  const char *const items[] = { "sizes:1,7", "no-such-topic:0", "other:", NULL };
  const char *const unknown[] = { "no-such-topic:0,1", NULL };

  for (gint16 v = 0; v <= 4; v += 2)
    {
      g_autoptr(CaudalResponse) resp = request_log_dirs (cluster, v, items);
      g_autoptr(CaudalResponse) none = request_log_dirs (cluster, v, unknown);
      CaudalDescribeLogDirsResponse *body = resp->body;
      CaudalDescribeLogDirsResponse *none_body = none->body;
      CaudalDescribeLogDirsResponseDescribeLogDirsResult *result;

      g_assert_cmpint (body->n_results, ==, 1);
      result = &body->results[0];
      g_assert_cmpint (result->n_topics, ==, 1);
      g_assert_cmpstr (result->topics[0].name, ==, "sizes");
      g_assert_cmpint (result->topics[0].n_partitions, ==, 1);
      g_assert_cmpint (result->topics[0].partitions[0].partition_index, ==, 1);
      g_assert_cmpint (result->topics[0].partitions[0].partition_size, ==, f->sent[1]);

      /* The dir is still listed, with no topics. */
      g_assert_cmpint (none_body->n_results, ==, 1);
      g_assert_cmpstr (none_body->results[0].log_dir, ==, f->data_dir);
      g_assert_cmpint (none_body->results[0].n_topics, ==, 0);
    }
}

static const CaudalAdminReplicaLogDir *
lookup_replica (const CaudalAdminLogDir *dir,
                const char              *topic,
                gint32                   partition)
{
  for (guint i = 0; i < dir->replicas->len; i++)
    {
      const CaudalAdminReplicaLogDir *r = g_ptr_array_index (dir->replicas, i);

      if (g_str_equal (r->topic, topic) && r->partition == partition)
        return r;
    }
  return NULL;
}

/* The replica @topic-@partition of @dir; the test stops when there is
 * none. */
static const CaudalAdminReplicaLogDir *
find_replica (const CaudalAdminLogDir *dir,
              const char              *topic,
              gint32                   partition)
{
  const CaudalAdminReplicaLogDir *r = lookup_replica (dir, topic, partition);

  if (r == NULL)
    g_error ("no replica %s-%d in %s", topic, partition, dir->path);
  return r;
}

/* The admin call: every topic, then some, then only unknown ones. */
static void
test_admin (Fixture      *f,
            gconstpointer data)
{
  CaudalCluster *cluster = caudal_admin_get_cluster (f->admin);
  CaudalBrokerInfo *broker;
  g_autoptr(GPtrArray) all = describe_log_dirs (f->admin, NULL);
  g_autoptr(GPtrArray) some = NULL;
  g_autoptr(GPtrArray) unknown = NULL;
  const CaudalAdminLogDir *dir;
  const CaudalAdminReplicaLogDir *r;
  const char *const some_topics[] = { "sizes", "no-such-topic", NULL };
  const char *const unknown_topics[] = { "no-such-topic", NULL };
  guint n_internal = 0;

  g_assert_cmpuint (caudal_cluster_get_brokers (cluster)->len, ==, 1);
  broker = g_ptr_array_index (caudal_cluster_get_brokers (cluster), 0);

  g_assert_cmpuint (all->len, ==, 1);
  dir = g_ptr_array_index (all, 0);
  g_assert_cmpint (dir->broker_id, ==, broker->node_id);
  g_assert_cmpstr (dir->path, ==, f->data_dir);
  g_assert_cmpint (dir->error_code, ==, CAUDAL_ERROR_CODE_NONE);
  /* caudald speaks v4: the space is known. */
  g_assert_cmpint (dir->total_bytes, >, 0);
  g_assert_cmpint (dir->usable_bytes, >, 0);
  g_assert_cmpint (dir->usable_bytes, <=, dir->total_bytes);
  /* Sorted by topic and partition: __consumer_offsets (caudald creates
   * it at start), then ours. */
  for (guint i = 0; i < dir->replicas->len; i++)
    {
      r = g_ptr_array_index (dir->replicas, i);
      if (!g_str_equal (r->topic, "__consumer_offsets"))
        break;
      g_assert_cmpint (r->partition, ==, (gint32) i);
      n_internal++;
    }
  g_assert_cmpuint (n_internal, >, 0);
  g_assert_cmpuint (dir->replicas->len, ==, n_internal + 3);
  r = g_ptr_array_index (dir->replicas, n_internal);
  g_assert_cmpstr (r->topic, ==, "other");
  g_assert_cmpint (r->size, ==, 0);
  for (gint32 p = 0; p < 2; p++)
    {
      r = g_ptr_array_index (dir->replicas, n_internal + 1 + (guint) p);
      g_assert_cmpstr (r->topic, ==, "sizes");
      g_assert_cmpint (r->partition, ==, p);
      g_assert_cmpint (r->size, ==, f->sent[p]);
      g_assert_cmpint (r->size, ==, segment_bytes_on_disk (f->data_dir, "sizes", p));
      g_assert_cmpint (r->offset_lag, ==, 0);
      g_assert_false (r->is_future);
    }

  some = describe_log_dirs (f->admin, some_topics);
  g_assert_cmpuint (some->len, ==, 1);
  dir = g_ptr_array_index (some, 0);
  g_assert_cmpuint (dir->replicas->len, ==, 2);
  r = find_replica (dir, "sizes", 0);
  g_assert_cmpint (r->size, ==, f->sent[0]);
  r = find_replica (dir, "sizes", 1);
  g_assert_cmpint (r->size, ==, f->sent[1]);
  g_assert_null (lookup_replica (dir, "other", 0));

  unknown = describe_log_dirs (f->admin, unknown_topics);
  g_assert_cmpuint (unknown->len, ==, 1);
  g_assert_cmpuint (((CaudalAdminLogDir *) g_ptr_array_index (unknown, 0))->replicas->len, ==, 0);
}

/* log.dirs with three dirs: caudald keeps every partition in the first;
 * the second exists and is listed empty; the third is missing and is
 * reported offline (KAFKA_STORAGE_ERROR) without space figures. */
static void
test_admin_several_dirs (void)
{
  g_autoptr(GError) error = NULL;
  Peer peer = { 0 };
  const char *path = g_getenv ("CAUDALD");
  g_autofree char *first = NULL, *second = NULL, *missing = NULL;
  g_autofree char *logdirs = NULL, *ready = NULL, *contents = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GPtrArray) dirs = NULL;
  const CaudalAdminLogDir *dir;
  const char *const topics[] = { "t", NULL };

  /* peer_start_caudald() has one dir; this needs its own log.dirs. */
  g_assert_nonnull (path);
  peer.dir = g_dir_make_tmp ("caudal-log-dirs-XXXXXX", &error);
  g_assert_no_error (error);
  first = g_build_filename (peer.dir, "a", NULL);
  second = g_build_filename (peer.dir, "b", NULL);
  missing = g_build_filename (peer.dir, "c-missing", NULL);
  g_assert_cmpint (g_mkdir (second, 0755), ==, 0);
  logdirs = g_strdup_printf ("log.dirs=%s,%s,%s", first, second, missing);
  ready = g_build_filename (peer.dir, "ready", NULL);
  peer.proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                path, "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                                "--override", logdirs, "--ready-file", ready, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && !g_file_test (ready, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_assert_true (g_file_get_contents (ready, &contents, NULL, &error));
  fields = g_strsplit (g_strstrip (contents), " ", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  peer.bootstrap = g_strdup_printf ("%s:%s", fields[1], fields[2]);

  admin = admin_new (&peer);
  create_topic (admin, "t", 2);
  dirs = describe_log_dirs (admin, topics);
  g_assert_cmpuint (dirs->len, ==, 3);

  dir = g_ptr_array_index (dirs, 0);
  g_assert_cmpstr (dir->path, ==, first);
  g_assert_cmpint (dir->error_code, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpuint (dir->replicas->len, ==, 2);
  g_assert_cmpint (dir->total_bytes, >, 0);

  dir = g_ptr_array_index (dirs, 1);
  g_assert_cmpstr (dir->path, ==, second);
  g_assert_cmpint (dir->error_code, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpuint (dir->replicas->len, ==, 0);
  g_assert_cmpint (dir->total_bytes, >, 0);

  dir = g_ptr_array_index (dirs, 2);
  g_assert_cmpstr (dir->path, ==, missing);
  g_assert_cmpint (dir->error_code, ==, CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR);
  g_assert_cmpuint (dir->replicas->len, ==, 0);
  g_assert_cmpint (dir->total_bytes, ==, -1);
  g_assert_cmpint (dir->usable_bytes, ==, -1);

  g_clear_object (&admin);
  peer_stop (&peer);
}

/* librdkafka's mock cluster (a third-party broker) does not serve
 * DescribeLogDirs: ApiVersions says so, and the call fails cleanly. */
static void
test_mock_unsupported (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GPtrArray) dirs = NULL;
  const char *mock_topics[] = { "mock-a:2", NULL };
  Peer peer = { 0 };

  peer_start_mock (&peer, mock_topics);
  admin = admin_new (&peer);
  caudal_admin_describe_log_dirs_async (admin, NULL, NULL, caudal_sync_callback, &sync);
  dirs = caudal_admin_describe_log_dirs_finish (admin, caudal_sync_wait (&sync), &error);
  g_assert_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED);
  g_assert_null (dirs);
  g_clear_object (&admin);
  peer_stop (&peer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/client/log-dirs/wire/all-topics", Fixture, NULL, fixture_set_up, test_wire_all_topics,
              fixture_tear_down);
  g_test_add ("/client/log-dirs/wire/filter", Fixture, NULL, fixture_set_up, test_wire_filter,
              fixture_tear_down);
  g_test_add ("/client/log-dirs/admin", Fixture, NULL, fixture_set_up, test_admin, fixture_tear_down);
  g_test_add_func ("/client/log-dirs/admin/several-dirs", test_admin_several_dirs);
  g_test_add_func ("/client/log-dirs/mock/unsupported", test_mock_unsupported);
  return g_test_run ();
}
