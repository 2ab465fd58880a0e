/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-describe-log-dirs.c: DescribeLogDirs (key 35), v0-4
 * (KIP-113): the log dirs of log.dirs and, per partition in them, the
 * log's size on disk; v4 adds the volume's total and usable bytes
 * (KIP-827). */

#include "broker-admin-util.h"
#include "broker-handlers.h"
#include "broker-replica.h"
#include "caudal-error-codes.h"

#include <errno.h>

#ifdef G_OS_UNIX
#include <sys/statvfs.h>
#endif

typedef CaudalDescribeLogDirsResponseDescribeLogDirsResult    Result;
typedef CaudalDescribeLogDirsResponseDescribeLogDirsTopic     TopicOut;
typedef CaudalDescribeLogDirsResponseDescribeLogDirsPartition PartitionOut;

/* "topic\x01partition" keys of the partitions asked for; NULL when the
 * request's topics are null (every topic). A topic listed with no
 * partitions asks for none of them, as in Kafka's ReplicaManager. */
static GHashTable *
wanted_partitions (CaudalDescribeLogDirsRequest *body)
{
  GHashTable *set;

  if (body->n_topics < 0)
    return NULL;
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      g_hash_table_add (set, g_strdup_printf ("%s\x01%d", body->topics[t].topic,
                                              body->topics[t].partitions[p]));
  return set;
}

static gboolean
is_wanted (GHashTable  *wanted,
           const char  *topic,
           gint32       partition)
{
  g_autofree char *key = NULL;

  if (wanted == NULL)
    return TRUE;
  key = g_strdup_printf ("%s\x01%d", topic, partition);
  return g_hash_table_contains (wanted, key);
}

/* The partitions of the data dir that were asked for, by topic name and
 * partition index. Unknown topics and partitions are simply absent, as
 * in Kafka. partition_size is the log's size: the sum of its segments'
 * .log files (Kafka's UnifiedLog.size), indexes not counted. */
static void
fill_topics (BrokerRequest *req,
             Result        *out,
             GHashTable    *wanted)
{
  const CaudalStructDesc *result_desc =
    caudal_struct_desc_child (&caudal_describe_log_dirs_response_desc, "results");
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_describe_log_dirs_response_desc, "results.topics");
  g_autoptr(GPtrArray) all = broker_topics_list (req->broker->topics);
  g_autoptr(GPtrArray) topics = g_ptr_array_new ();
  /* GPtrArray* of BrokerPartition*, one per entry of topics. */
  g_autoptr(GPtrArray) partitions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  TopicOut *topics_out;

  for (guint i = 0; i < all->len; i++)
    {
      BrokerTopic *topic = g_ptr_array_index (all, i);
      g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

      for (guint p = 0; p < topic->partitions->len; p++)
        {
          BrokerPartition *partition = g_ptr_array_index (topic->partitions, p);

          /* In a cluster only the partitions this broker replicates, as
           * Kafka (it keeps an empty log for the others). */
          if (is_wanted (wanted, topic->name, partition->index) && broker_partition_is_replica (partition))
            g_ptr_array_add (chosen, partition);
        }
      if (chosen->len == 0)
        continue;
      g_ptr_array_add (topics, topic);
      g_ptr_array_add (partitions, g_steal_pointer (&chosen));
    }

  topics_out = broker_request_set_array (req, result_desc, out, "topics", topics->len);
  for (guint i = 0; i < topics->len; i++)
    {
      BrokerTopic *topic = g_ptr_array_index (topics, i);
      GPtrArray *chosen = g_ptr_array_index (partitions, i);
      PartitionOut *parts_out;

      topics_out[i].name = topic->name;
      parts_out = broker_request_set_array (req, topic_desc, &topics_out[i], "partitions", chosen->len);
      for (guint p = 0; p < chosen->len; p++)
        {
          BrokerPartition *partition = g_ptr_array_index (chosen, p);

          parts_out[p].partition_index = partition->index;
          parts_out[p].partition_size = broker_log_get_size (partition->log);
          /* One broker has no future replicas (AlterReplicaLogDirs), and
           * its logs are their own high watermark: no lag. */
          parts_out[p].offset_lag = 0;
          parts_out[p].is_future_key = FALSE;
        }
    }
}

/* total_bytes and usable_bytes (v4) of the volume holding @path, as
 * Kafka's File.getTotalSpace/getUsableSpace: statvfs's f_blocks and
 * f_bavail (the blocks an unprivileged writer may still take) times
 * f_frsize. statvfs rather than GIO's filesystem query, which would load
 * the GVfs modules (and reach for a session bus) inside a daemon. Left at
 * -1 (the schema default) when the system cannot say: off Unix, or when
 * statvfs fails. */
static void
fill_space (Result     *out,
            const char *path)
{
#ifdef G_OS_UNIX
  struct statvfs st;

  if (statvfs (path, &st) != 0)
    {
      int saved = errno;

      g_debug ("DescribeLogDirs: no space figures for %s: %s", path, g_strerror (saved));
      return;
    }
  out->total_bytes = (gint64) MIN ((guint64) st.f_blocks * st.f_frsize, (guint64) G_MAXINT64);
  out->usable_bytes = (gint64) MIN ((guint64) st.f_bavail * st.f_frsize, (guint64) G_MAXINT64);
#endif
}

void
broker_handle_describe_log_dirs (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalDescribeLogDirsRequest *body = req->body;
  CaudalDescribeLogDirsResponse *resp = req->response;
  g_auto(GStrv) dirs = broker_config_get_log_dirs (broker->config);
  g_autoptr(GHashTable) wanted = wanted_partitions (body);
  guint n_dirs = g_strv_length (dirs);
  Result *results;

  /* One result per configured dir, in log.dirs order. caudald keeps every
   * partition in the first (broker.c warns about the others), so the
   * others are listed empty, or offline when they are not directories. */
  results = broker_request_set_array (req, &caudal_describe_log_dirs_response_desc, resp, "results",
                                      n_dirs);
  for (guint i = 0; i < n_dirs; i++)
    {
      /* LogDir is the absolute path (Kafka's File.getAbsolutePath). */
      g_autofree char *path = g_canonicalize_filename (dirs[i], NULL);
      /* broker->data_dir is the first of log.dirs. */
      gboolean is_data_dir = i == 0;

      results[i].log_dir = caudal_arena_strdup (req->arena, path);
      if (!is_data_dir && !g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          results[i].error_code = CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
          continue;
        }
      if (is_data_dir)
        fill_topics (req, &results[i], wanted);
      if (req->version >= 4)
        fill_space (&results[i], path);
    }
  broker_request_complete (req);
}
