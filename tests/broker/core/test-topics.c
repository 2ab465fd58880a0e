/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-topics.c: the topic registry (broker-topics.c) on a temporary data
 * directory with a real BrokerConfig and the local metadata store: create,
 * look up, list, grow, configure, delete, name rules, checkpoints, and
 * what a restart restores. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "broker-checkpoint.h"
#include "broker-config.h"
#include "broker-meta-store.h"
#include "broker-partition-producers.h"
#include "broker-producers.h"
#include "broker-topics.h"
#include "caudal-record-batch.h"
#include "core-test-util.h"

typedef struct
{
  char            *dir;
  BrokerConfig    *config;
  BrokerMetaStore *store;
  BrokerTopics    *topics;
} Fixture;

static void
fixture_open (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = broker_meta_store_local_new (f->dir, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  f->topics = broker_topics_open (f->config, f->store, f->dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->topics);
}

static void
fixture_close (Fixture *f)
{
  g_clear_pointer (&f->topics, broker_topics_close);
  g_clear_pointer (&f->store, broker_meta_store_free);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = core_test_make_tmp_dir ();
  f->config = broker_config_new ();
  g_assert_true (broker_config_set (f->config, "log.dirs", f->dir, &error));
  g_assert_no_error (error);
  fixture_open (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  fixture_close (f);
  broker_config_free (f->config);
  core_test_rm_rf (f->dir);
  g_free (f->dir);
}

static GHashTable *
configs_new (const char *first_key,
             ...)
{
  GHashTable *configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list ap;

  va_start (ap, first_key);
  for (const char *k = first_key; k != NULL; k = va_arg (ap, const char *))
    g_hash_table_insert (configs, g_strdup (k), g_strdup (va_arg (ap, const char *)));
  va_end (ap);
  return configs;
}

static gboolean
partition_dir_exists (Fixture    *f,
                      const char *topic,
                      gint32      index)
{
  g_autofree char *base = g_strdup_printf ("%s-%d", topic, index);
  g_autofree char *path = g_build_filename (f->dir, base, NULL);

  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

static BrokerTopic *
create (Fixture    *f,
        const char *name,
        gint32      n_partitions,
        GHashTable *configs)
{
  g_autoptr(GError) error = NULL;
  BrokerTopic *topic;

  topic = broker_topics_create (f->topics, name, n_partitions, configs, &error);
  g_assert_no_error (error);
  g_assert_nonnull (topic);
  return topic;
}

/* Appends a batch of @n records to @topic's partition @index. */
static void
append (Fixture    *f,
        const char *topic,
        gint32      index,
        guint       n,
        gsize       value_size,
        gint64      expected_base)
{
  BrokerPartition *part = broker_topics_lookup_partition (f->topics, topic, index);
  g_autoptr(GBytes) batch = core_test_make_batch (n, g_get_real_time () / 1000, value_size, 'x', -1, -1, -1);
  gsize len;
  g_autofree guint8 *data = g_bytes_unref_to_data (g_bytes_ref (batch), &len);
  BrokerLogAppendInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (part);
  g_assert_true (broker_log_append (part->log, data, len, g_get_real_time () / 1000, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.base_offset, ==, expected_base);
  g_assert_cmpint (info.last_offset, ==, expected_base + n - 1);
}

static void
test_create_lookup_list (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GHashTable) cfg = configs_new ("retention.ms", "123456", NULL);
  BrokerTopic *orders, *found;
  g_autoptr(GPtrArray) list = NULL;
  CaudalUuid unknown;

  g_assert_cmpuint (broker_topics_count (f->topics), ==, 0);
  orders = create (f, "orders", 3, cfg);
  g_assert_cmpstr (orders->name, ==, "orders");
  g_assert_cmpuint (orders->partitions->len, ==, 3);
  g_assert_false (orders->internal);
  g_assert_cmpstr (g_hash_table_lookup (orders->configs, "retention.ms"), ==, "123456");
  /* The topic took a copy of the overrides. */
  g_assert_true (orders->configs != cfg);
  for (gint32 i = 0; i < 3; i++)
    {
      BrokerPartition *p = g_ptr_array_index (orders->partitions, i);

      g_assert_cmpint (p->index, ==, i);
      g_assert_true (partition_dir_exists (f, "orders", i));
      g_assert_cmpint (broker_log_get_end_offset (p->log), ==, 0);
      g_assert_cmpint (broker_log_get_start_offset (p->log), ==, 0);
    }
  g_assert_false (partition_dir_exists (f, "orders", 3));

  create (f, "b-topic", 1, NULL);
  create (f, "a_topic", 2, NULL);
  create (f, "__internal", 1, NULL);
  g_assert_true (broker_topics_lookup (f->topics, "__internal")->internal);
  g_assert_cmpuint (broker_topics_count (f->topics), ==, 4);

  found = broker_topics_lookup (f->topics, "orders");
  g_assert_true (found == orders);
  g_assert_null (broker_topics_lookup (f->topics, "Orders"));
  g_assert_null (broker_topics_lookup (f->topics, NULL));
  found = broker_topics_lookup_id (f->topics, &orders->id);
  g_assert_true (found == orders);
  memset (&unknown, 0x11, sizeof unknown);
  g_assert_null (broker_topics_lookup_id (f->topics, &unknown));

  g_assert_true (broker_topics_lookup_partition (f->topics, "orders", 2)
                 == g_ptr_array_index (orders->partitions, 2));
  g_assert_null (broker_topics_lookup_partition (f->topics, "orders", 3));
  g_assert_null (broker_topics_lookup_partition (f->topics, "orders", -1));
  g_assert_null (broker_topics_lookup_partition (f->topics, "nope", 0));

  list = broker_topics_list (f->topics);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpstr (((BrokerTopic *) list->pdata[0])->name, ==, "__internal");
  g_assert_cmpstr (((BrokerTopic *) list->pdata[1])->name, ==, "a_topic");
  g_assert_cmpstr (((BrokerTopic *) list->pdata[2])->name, ==, "b-topic");
  g_assert_cmpstr (((BrokerTopic *) list->pdata[3])->name, ==, "orders");

  /* Distinct topics get distinct ids. */
  g_assert_true (memcmp (&broker_topics_lookup (f->topics, "a_topic")->id,
                         &broker_topics_lookup (f->topics, "b-topic")->id, sizeof (CaudalUuid)) != 0);
}

static void
test_add_partitions_and_configs (Fixture       *f,
                                 gconstpointer  data)
{
  BrokerTopic *t = create (f, "grow", 2, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) cfg = configs_new ("segment.bytes", "1024", "retention.bytes", "-1", NULL);
  BrokerPartition *p0;
  CaudalUuid id = t->id;

  g_assert_true (broker_topics_add_partitions (f->topics, t, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (t->partitions->len, ==, 5);
  for (gint32 i = 0; i < 5; i++)
    {
      g_assert_true (partition_dir_exists (f, "grow", i));
      g_assert_cmpint (((BrokerPartition *) t->partitions->pdata[i])->index, ==, i);
    }
  g_assert_nonnull (broker_topics_lookup_partition (f->topics, "grow", 4));

  /* With the default segment.bytes, 3 batches of ~600 bytes stay in one
   * segment. */
  p0 = g_ptr_array_index (t->partitions, 0);
  append (f, "grow", 0, 1, 500, 0);
  append (f, "grow", 0, 1, 500, 1);
  append (f, "grow", 0, 1, 500, 2);
  g_assert_cmpuint (broker_log_get_n_segments (p0->log), ==, 1);

  /* segment.bytes=1024 applies to the open logs at once: each new batch
   * then rolls a segment. */
  g_assert_true (broker_topics_set_configs (f->topics, t, cfg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (t->configs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (t->configs, "segment.bytes"), ==, "1024");
  append (f, "grow", 0, 1, 500, 3);
  append (f, "grow", 0, 1, 500, 4);
  g_assert_cmpuint (broker_log_get_n_segments (p0->log), >=, 3);
  {
    BrokerLogConfig lc;

    broker_topics_log_config (f->topics, t->configs, &lc);
    g_assert_cmpint (lc.segment_bytes, ==, 1024);
    g_assert_cmpint (lc.retention_bytes, ==, -1);
  }

  /* Both survive a restart, with the same topic id. */
  fixture_close (f);
  fixture_open (f);
  t = broker_topics_lookup (f->topics, "grow");
  g_assert_nonnull (t);
  g_assert_cmpmem (&t->id, sizeof t->id, &id, sizeof id);
  g_assert_cmpuint (t->partitions->len, ==, 5);
  g_assert_cmpuint (g_hash_table_size (t->configs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (t->configs, "segment.bytes"), ==, "1024");
  g_assert_cmpstr (g_hash_table_lookup (t->configs, "retention.bytes"), ==, "-1");
  p0 = g_ptr_array_index (t->partitions, 0);
  g_assert_cmpint (broker_log_get_end_offset (p0->log), ==, 5);
  g_assert_cmpuint (broker_log_get_n_segments (p0->log), >=, 3);

  /* Replacing with an empty set removes every override. */
  {
    g_autoptr(GHashTable) empty = configs_new (NULL);

    g_assert_true (broker_topics_set_configs (f->topics, t, empty, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (t->configs), ==, 0);
  }
  fixture_close (f);
  fixture_open (f);
  t = broker_topics_lookup (f->topics, "grow");
  g_assert_cmpuint (g_hash_table_size (t->configs), ==, 0);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  BrokerTopic *t = create (f, "doomed", 2, NULL);
  g_autoptr(GError) error = NULL;

  create (f, "kept", 1, NULL);
  append (f, "doomed", 1, 3, 10, 0);
  g_assert_true (broker_topics_delete (f->topics, t, &error));
  g_assert_no_error (error);
  g_assert_null (broker_topics_lookup (f->topics, "doomed"));
  g_assert_false (partition_dir_exists (f, "doomed", 0));
  g_assert_false (partition_dir_exists (f, "doomed", 1));
  g_assert_true (partition_dir_exists (f, "kept", 0));
  g_assert_cmpuint (broker_topics_count (f->topics), ==, 1);

  fixture_close (f);
  fixture_open (f);
  g_assert_null (broker_topics_lookup (f->topics, "doomed"));
  g_assert_nonnull (broker_topics_lookup (f->topics, "kept"));
  g_assert_cmpuint (broker_topics_count (f->topics), ==, 1);

  /* The name can be used again, for a new topic with a new id and empty
   * logs. */
  t = create (f, "doomed", 1, NULL);
  g_assert_cmpint (broker_log_get_end_offset (((BrokerPartition *) t->partitions->pdata[0])->log), ==, 0);
}

static void
test_reopen_restores (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GHashTable) cfg = configs_new ("retention.ms", "86400000",
                                           "message.timestamp.type", "LogAppendTime", NULL);
  BrokerTopic *t;
  CaudalUuid a_id, b_id;
  gint64 ends[3] = { 2, 0, 7 };

  t = create (f, "alpha", 3, cfg);
  a_id = t->id;
  t = create (f, "beta.x", 1, NULL);
  b_id = t->id;
  append (f, "alpha", 0, 2, 10, 0);
  append (f, "alpha", 2, 3, 10, 0);
  append (f, "alpha", 2, 4, 10, 3);

  fixture_close (f);
  /* A new broker config, as after a process restart. */
  fixture_open (f);
  g_assert_cmpuint (broker_topics_count (f->topics), ==, 2);
  t = broker_topics_lookup (f->topics, "alpha");
  g_assert_nonnull (t);
  g_assert_cmpmem (&t->id, sizeof t->id, &a_id, sizeof a_id);
  g_assert_true (broker_topics_lookup_id (f->topics, &a_id) == t);
  g_assert_cmpuint (t->partitions->len, ==, 3);
  g_assert_cmpuint (g_hash_table_size (t->configs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (t->configs, "retention.ms"), ==, "86400000");
  g_assert_cmpstr (g_hash_table_lookup (t->configs, "message.timestamp.type"), ==, "LogAppendTime");
  for (guint i = 0; i < 3; i++)
    {
      BrokerPartition *p = g_ptr_array_index (t->partitions, i);
      g_assert_cmpint (p->index, ==, (gint32) i);
      g_assert_cmpint (broker_log_get_end_offset (p->log), ==, ends[i]);
    }
  {
    BrokerLogConfig lc;
    broker_topics_log_config (f->topics, t->configs, &lc);
    g_assert_true (lc.log_append_time);
    g_assert_cmpint (lc.retention_ms, ==, 86400000);
  }
  t = broker_topics_lookup (f->topics, "beta.x");
  g_assert_nonnull (t);
  g_assert_cmpmem (&t->id, sizeof t->id, &b_id, sizeof b_id);
  g_assert_cmpuint (t->partitions->len, ==, 1);
  g_assert_cmpuint (g_hash_table_size (t->configs), ==, 0);
}

static void
test_name_rules (Fixture       *f,
                 gconstpointer  data)
{
  static const char *const good[] = { "a", "A-b_c.d", "0", "...", "a..b", "-", "_" };
  static const char *const bad[] = { "", ".", "..", "a b", "a/b", "a\\b", "ä", "a:b", "a,b",
                                     "a*", "a\nb", "a\tb", "a@b", "a+b" };
  g_autofree char *n249 = g_strnfill (249, 'x');
  g_autofree char *n250 = g_strnfill (250, 'x');
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (broker_topic_name_validate (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("refusing \"%s\"", bad[i]);
      g_assert_false (broker_topic_name_validate (bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_false (broker_topic_name_validate (NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (broker_topic_name_validate (n249, &error));
  g_assert_no_error (error);
  g_assert_false (broker_topic_name_validate (n250, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "249"));
  g_clear_error (&error);

  /* Kafka's messages. */
  g_assert_false (broker_topic_name_validate ("", &error));
  g_assert_cmpstr (error->message, ==, "Topic name is illegal, it can't be empty");
  g_clear_error (&error);
  g_assert_false (broker_topic_name_validate ("..", &error));
  g_assert_cmpstr (error->message, ==, "Topic name cannot be \".\" or \"..\"");
  g_clear_error (&error);

  /* A 249-character topic can be created: its directories are
   * "<name>-<n>", within NAME_MAX. */
  create (f, n249, 1, NULL);
  g_assert_true (partition_dir_exists (f, n249, 0));
}

static void
test_collision (Fixture       *f,
                gconstpointer  data)
{
  BrokerTopic *dotted = create (f, "metrics.cpu", 1, NULL);
  BrokerTopic *under = create (f, "a_b_c", 1, NULL);

  g_assert_true (broker_topics_find_collision (f->topics, "metrics_cpu") == dotted);
  g_assert_true (broker_topics_find_collision (f->topics, "a.b.c") == under);
  g_assert_true (broker_topics_find_collision (f->topics, "a.b_c") == under);
  /* The same name is not a collision; other names are not either. */
  g_assert_null (broker_topics_find_collision (f->topics, "metrics.cpu"));
  g_assert_null (broker_topics_find_collision (f->topics, "a_b_c"));
  g_assert_null (broker_topics_find_collision (f->topics, "metricscpu"));
  g_assert_null (broker_topics_find_collision (f->topics, "metrics-cpu"));
  g_assert_null (broker_topics_find_collision (f->topics, "metrics.cpu.x"));
  g_assert_null (broker_topics_find_collision (f->topics, "plain"));
}

static gint64
checkpoint_offset (const char *path,
                   const char *topic,
                   gint32      partition)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = broker_checkpoint_read (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);
  for (guint i = 0; i < entries->len; i++)
    {
      BrokerCheckpointEntry *e = g_ptr_array_index (entries, i);
      if (strcmp (e->topic, topic) == 0 && e->partition == partition)
        return e->offset;
    }
  g_assert_not_reached ();
  return -2;
}

static void
test_checkpoints_and_delete_records (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *start_path = g_build_filename (f->dir, "log-start-offset-checkpoint", NULL);
  g_autofree char *recovery_path = g_build_filename (f->dir, "recovery-point-offset-checkpoint", NULL);
  g_autoptr(GError) error = NULL;
  BrokerPartition *p;

  create (f, "events", 2, NULL);
  append (f, "events", 0, 5, 20, 0);
  append (f, "events", 0, 5, 20, 5);
  append (f, "events", 0, 5, 20, 10);
  append (f, "events", 1, 4, 20, 0);

  g_assert_true (broker_topics_write_checkpoints (f->topics, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (start_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (recovery_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (checkpoint_offset (start_path, "events", 0), ==, 0);
  g_assert_cmpint (checkpoint_offset (start_path, "events", 1), ==, 0);

  /* DeleteRecords before offset 7 (inside the second batch). */
  p = broker_topics_lookup_partition (f->topics, "events", 0);
  g_assert_true (broker_log_delete_records_before (p->log, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_start_offset (p->log), ==, 7);

  /* Closing writes the checkpoints. */
  fixture_close (f);
  g_assert_cmpint (checkpoint_offset (start_path, "events", 0), ==, 7);
  g_assert_cmpint (checkpoint_offset (start_path, "events", 1), ==, 0);

  fixture_open (f);
  p = broker_topics_lookup_partition (f->topics, "events", 0);
  g_assert_nonnull (p);
  g_assert_cmpint (broker_log_get_start_offset (p->log), ==, 7);
  g_assert_cmpint (broker_log_get_end_offset (p->log), ==, 15);
  /* Below the start is out of range now. */
  {
    BrokerLogSlice slice = { 0 };

    g_assert_false (broker_log_read (p->log, 6, 1 << 20, &slice, &error));
    g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
    g_clear_error (&error);
    g_assert_true (broker_log_read (p->log, 7, 1 << 20, &slice, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (slice.length, >, 0);
    broker_log_slice_clear (&slice);
  }
  p = broker_topics_lookup_partition (f->topics, "events", 1);
  g_assert_cmpint (broker_log_get_start_offset (p->log), ==, 0);
  g_assert_cmpint (broker_log_get_end_offset (p->log), ==, 4);

  /* Housekeeping notices a moved start offset and rewrites the file. */
  g_assert_true (broker_log_delete_records_before (p->log, 4, &error));
  g_assert_no_error (error);
  broker_topics_housekeeping (f->topics, g_get_real_time () / 1000);
  g_assert_cmpint (checkpoint_offset (start_path, "events", 1), ==, 4);
}

/* The recovery point checkpoint after a flush, and after a clean close
 * (which flushes every log): Kafka writes the flushed end offsets. */
static void
test_recovery_point_checkpoint (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *recovery_path = g_build_filename (f->dir, "recovery-point-offset-checkpoint", NULL);
  g_autoptr(GError) error = NULL;

  create (f, "events", 2, NULL);
  append (f, "events", 0, 5, 20, 0);
  append (f, "events", 1, 4, 20, 0);
  g_assert_true (broker_topics_write_checkpoints (f->topics, &error));
  g_assert_no_error (error);
  /* Nothing flushed yet (flush.messages is left to the page cache). */
  g_assert_cmpint (checkpoint_offset (recovery_path, "events", 0), ==, 0);
  g_assert_cmpint (checkpoint_offset (recovery_path, "events", 1), ==, 0);

  g_assert_true (broker_log_flush (broker_topics_lookup_partition (f->topics, "events", 0)->log, &error));
  g_assert_no_error (error);
  g_assert_true (broker_topics_write_checkpoints (f->topics, &error));
  g_assert_no_error (error);
  g_assert_cmpint (checkpoint_offset (recovery_path, "events", 0), ==, 5);
  g_assert_cmpint (checkpoint_offset (recovery_path, "events", 1), ==, 0);

  append (f, "events", 0, 5, 20, 5);
  /* A clean close flushes everything: the checkpoint it leaves should say
   * so. */
  fixture_close (f);
  g_assert_cmpint (checkpoint_offset (recovery_path, "events", 0), ==, 10);
  g_assert_cmpint (checkpoint_offset (recovery_path, "events", 1), ==, 4);
}

static void
test_deleted_topic_leaves_checkpoint (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BrokerPartition *p;

  /* A start offset must not leak into a later topic of the same name. */
  create (f, "reused", 1, NULL);
  append (f, "reused", 0, 10, 5, 0);
  p = broker_topics_lookup_partition (f->topics, "reused", 0);
  g_assert_true (broker_log_delete_records_before (p->log, 8, &error));
  g_assert_no_error (error);
  g_assert_true (broker_topics_write_checkpoints (f->topics, &error));
  g_assert_no_error (error);
  g_assert_true (broker_topics_delete (f->topics, broker_topics_lookup (f->topics, "reused"), &error));
  g_assert_no_error (error);
  create (f, "other", 1, NULL);
  fixture_close (f);
  fixture_open (f);
  create (f, "reused", 1, NULL);
  p = broker_topics_lookup_partition (f->topics, "reused", 0);
  g_assert_cmpint (broker_log_get_start_offset (p->log), ==, 0);
  g_assert_cmpint (broker_log_get_end_offset (p->log), ==, 0);
  append (f, "reused", 0, 1, 5, 0);
}

/* Appends an idempotent batch of @n records (producer @pid, epoch 0,
 * @seq) as the produce handler does: log, then producer state. */
static gint64
append_idempotent (Fixture    *f,
                   const char *topic,
                   gint64      pid,
                   gint32      seq,
                   guint       n)
{
  BrokerPartition *part = broker_topics_lookup_partition (f->topics, topic, 0);
  g_autoptr(GBytes) batch = core_test_make_batch (n, g_get_real_time () / 1000, 8, 'p', pid, 0, seq);
  gsize len;
  g_autofree guint8 *data = g_bytes_unref_to_data (g_bytes_ref (batch), &len);
  BrokerLogAppendInfo info;
  g_autoptr(GError) error = NULL;
  gint64 dup = -1;

  g_assert_cmpint (broker_producer_state_check (part->producers, pid, 0, seq, (gint32) n, &dup), ==,
                   BROKER_SEQUENCE_OK);
  g_assert_true (broker_log_append (part->log, data, len, g_get_real_time () / 1000, &info, &error));
  g_assert_no_error (error);
  broker_producer_state_update (part->producers, pid, 0, seq, (gint32) n, info.base_offset,
                                g_get_real_time () / 1000);
  return info.base_offset;
}

/* What a retry of (@pid, @seq, @n) gets: DUPLICATE with its offset, or
 * another verdict (then *offset is -1). */
static BrokerSequenceCheck
retry_verdict (Fixture    *f,
               const char *topic,
               gint64      pid,
               gint32      seq,
               guint       n,
               gint64     *offset)
{
  BrokerPartition *part = broker_topics_lookup_partition (f->topics, topic, 0);

  *offset = -1;
  return broker_producer_state_check (part->producers, pid, 0, seq, (gint32) n, offset);
}

/* The number of producer snapshots of @topic's partition 0; with
 * @remove, they are deleted as well. */
static guint
snapshots (Fixture    *f,
           const char *topic,
           gboolean    remove)
{
  g_autofree char *dir = g_strdup_printf ("%s/%s-0", f->dir, topic);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".snapshot"))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        n++;
        if (remove)
          g_assert_cmpint (g_unlink (path), ==, 0);
      }
  return n;
}

/* Idempotent producers are known after a restart (KIP-98 as Kafka keeps
 * it with its snapshots): a retried batch is answered with its offset,
 * a gap is still a gap. Both from the snapshot of a clean close and,
 * with the snapshots gone (a crash before any), from the log alone. */
static void
test_producers_survive_restart (Fixture       *f,
                                gconstpointer  data)
{
  gint64 off_a, off_b, off_c, got;

  create (f, "idem", 1, NULL);
  off_a = append_idempotent (f, "idem", 77, 0, 3);
  off_b = append_idempotent (f, "idem", 77, 3, 2);
  off_c = append_idempotent (f, "idem", 88, 0, 1);
  append (f, "idem", 0, 2, 4, 6);      /* a plain producer in between */
  fixture_close (f);
  g_assert_cmpuint (snapshots (f, "idem", FALSE), ==, 1);

  for (guint round = 0; round < 2; round++)
    {
      fixture_open (f);
      g_assert_cmpint (retry_verdict (f, "idem", 77, 0, 3, &got), ==, BROKER_SEQUENCE_DUPLICATE);
      g_assert_cmpint (got, ==, off_a);
      g_assert_cmpint (retry_verdict (f, "idem", 77, 3, 2, &got), ==, BROKER_SEQUENCE_DUPLICATE);
      g_assert_cmpint (got, ==, off_b);
      g_assert_cmpint (retry_verdict (f, "idem", 88, 0, 1, &got), ==, BROKER_SEQUENCE_DUPLICATE);
      g_assert_cmpint (got, ==, off_c);
      g_assert_cmpint (retry_verdict (f, "idem", 77, 9, 1, &got), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
      g_assert_cmpint (retry_verdict (f, "idem", 77, 5, 1, &got), ==, BROKER_SEQUENCE_OK);
      fixture_close (f);
      /* Second round: as after a crash before the first snapshot. */
      snapshots (f, "idem", TRUE);
    }
}

/* Batches appended after the newest snapshot are replayed from the log;
 * a snapshot above the log end (the log lost its tail) is not used. */
static void
test_producers_replay_after_snapshot (Fixture       *f,
                                      gconstpointer  data)
{
  BrokerPartition *part;
  gint64 off_a, off_b, got;

  create (f, "replay", 1, NULL);
  off_a = append_idempotent (f, "replay", 5, 0, 2);
  part = broker_topics_lookup_partition (f->topics, "replay", 0);
  broker_partition_snapshot_producers (part);
  off_b = append_idempotent (f, "replay", 5, 2, 2);
  /* A snapshot that claims more than the log has: as if written before
   * a power loss cut the log back. */
  {
    g_autofree char *path = g_strdup_printf ("%s/replay-0/%020d.snapshot", f->dir, 1000);
    g_autofree char *real = g_strdup_printf ("%s/replay-0/%020d.snapshot", f->dir, 2);
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (real, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));
  }
  /* A clean close writes a snapshot at 4; remove it to play a crash. */
  g_clear_pointer (&f->topics, broker_topics_close);
  g_clear_pointer (&f->store, broker_meta_store_free);
  {
    g_autofree char *at4 = g_strdup_printf ("%s/replay-0/%020d.snapshot", f->dir, 4);
    g_assert_cmpint (g_unlink (at4), ==, 0);       /* a crash: only the one at 2 */
  }
  fixture_open (f);
  g_assert_cmpint (retry_verdict (f, "replay", 5, 0, 2, &got), ==, BROKER_SEQUENCE_DUPLICATE);
  g_assert_cmpint (got, ==, off_a);
  g_assert_cmpint (retry_verdict (f, "replay", 5, 2, 2, &got), ==, BROKER_SEQUENCE_DUPLICATE);
  g_assert_cmpint (got, ==, off_b);
  {
    g_autofree char *path = g_strdup_printf ("%s/replay-0/%020d.snapshot", f->dir, 1000);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

/* A damaged snapshot is skipped with a warning: the log is replayed. */
static void
test_producers_damaged_snapshot (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 off, got;

  create (f, "torn", 1, NULL);
  off = append_idempotent (f, "torn", 9, 0, 1);
  fixture_close (f);
  {
    g_autofree char *path = g_strdup_printf ("%s/torn-0/%020d.snapshot", f->dir, 1);
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    g_assert_cmpuint (len, >, 12);
    contents[len - 1] ^= 0x55;
    g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));
  }
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING, "ignoring producer snapshot*CRC mismatch*");
  fixture_open (f);
  g_test_assert_expected_messages ();
  g_assert_cmpint (retry_verdict (f, "torn", 9, 0, 1, &got), ==, BROKER_SEQUENCE_DUPLICATE);
  g_assert_cmpint (got, ==, off);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/broker/topics/create-lookup-list", test_create_lookup_list);
  ADD ("/broker/topics/add-partitions-and-configs", test_add_partitions_and_configs);
  ADD ("/broker/topics/delete", test_delete);
  ADD ("/broker/topics/reopen-restores", test_reopen_restores);
  ADD ("/broker/topics/name-rules", test_name_rules);
  ADD ("/broker/topics/collision", test_collision);
  ADD ("/broker/topics/checkpoints-and-delete-records", test_checkpoints_and_delete_records);
  ADD ("/broker/topics/deleted-topic-leaves-checkpoint", test_deleted_topic_leaves_checkpoint);
  ADD ("/broker/topics/recovery-point-checkpoint", test_recovery_point_checkpoint);
  ADD ("/broker/topics/producers-survive-restart", test_producers_survive_restart);
  ADD ("/broker/topics/producers-replay-after-snapshot", test_producers_replay_after_snapshot);
  ADD ("/broker/topics/producers-damaged-snapshot", test_producers_damaged_snapshot);
#undef ADD
  return g_test_run ();
}
