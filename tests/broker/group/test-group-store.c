/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-group-store.c: __consumer_offsets on a real data directory
 * (BrokerConfig + local metadata store + BrokerTopics): writing, replay
 * after a restart, tombstones, one batch per commit, compaction by
 * snapshot. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "broker-meta-store.h"
#include "broker-topics.h"
#include "caudal-record-batch.h"
#include "group/broker-group-store.h"

/* ---- an open data directory ---- */

typedef struct
{
  char             *dir;
  BrokerConfig     *config;
  BrokerMetaStore  *meta;
  BrokerTopics     *topics;
  BrokerGroupStore *store;
} Env;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
env_open (Env    *env,
          gint32  n_partitions)
{
  g_autoptr(GError) error = NULL;

  env->config = broker_config_new ();
  env->meta = broker_meta_store_local_new (env->dir, 1, &error);
  g_assert_no_error (error);
  env->topics = broker_topics_open (env->config, env->meta, env->dir, &error);
  g_assert_no_error (error);
  env->store = broker_group_store_new (env->topics, n_partitions, &error);
  g_assert_no_error (error);
  g_assert_nonnull (env->store);
}

static void
env_close (Env *env)
{
  g_clear_pointer (&env->store, broker_group_store_free);
  g_clear_pointer (&env->topics, broker_topics_close);
  g_clear_pointer (&env->meta, broker_meta_store_free);
  g_clear_pointer (&env->config, broker_config_free);
}

static void
fixture_set_up (Env           *env,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  memset (env, 0, sizeof *env);
  env->dir = g_dir_make_tmp ("caudal-group-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Env           *env,
                   gconstpointer  data)
{
  env_close (env);
  rm_rf (env->dir);
  g_free (env->dir);
}

static BrokerPartition *
offsets_partition (Env    *env,
                   gint32  index)
{
  BrokerPartition *p = broker_topics_lookup_partition (env->topics, BROKER_GROUP_STORE_TOPIC, index);

  g_assert_nonnull (p);
  return p;
}

/* ---- the state a load rebuilds ---- */

typedef struct
{
  GHashTable *offsets;   /* "group/topic/partition" → "offset:epoch:metadata:ts" */
  GHashTable *groups;    /* group → "protocol_type:generation:leader:n_members" */
  guint       n_offset_calls;
  guint       n_group_calls;
} State;

static void
state_init (State *s)
{
  s->offsets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->n_offset_calls = s->n_group_calls = 0;
}

static void
state_clear (State *s)
{
  g_clear_pointer (&s->offsets, g_hash_table_unref);
  g_clear_pointer (&s->groups, g_hash_table_unref);
}

static char *
offset_key (const char *group,
            const char *topic,
            gint32      partition)
{
  return g_strdup_printf ("%s/%s/%d", group, topic, partition);
}

static void
state_set_offset (State                         *s,
                  const char                    *group,
                  const char                    *topic,
                  gint32                         partition,
                  const BrokerOffsetCommitValue *value)
{
  char *key = offset_key (group, topic, partition);

  if (value == NULL)
    {
      g_hash_table_remove (s->offsets, key);
      g_free (key);
      return;
    }
  g_hash_table_replace (s->offsets, key,
                        g_strdup_printf ("%" G_GINT64_FORMAT ":%d:%s:%" G_GINT64_FORMAT, value->offset,
                                         value->leader_epoch, value->metadata,
                                         value->commit_timestamp));
}

static void
state_set_group (State                           *s,
                 const char                      *group,
                 const BrokerGroupMetadataRecord *value)
{
  if (value == NULL)
    {
      g_hash_table_remove (s->groups, group);
      return;
    }
  g_hash_table_replace (s->groups, g_strdup (group),
                        g_strdup_printf ("%s:%d:%s:%u", value->protocol_type, value->generation,
                                         value->leader != NULL ? value->leader : "(null)",
                                         value->members->len));
}

static void
on_offset (const char                    *group,
           const char                    *topic,
           gint32                         partition,
           const BrokerOffsetCommitValue *value,
           gpointer                       user_data)
{
  State *s = user_data;

  s->n_offset_calls++;
  state_set_offset (s, group, topic, partition, value);
}

static void
on_group (const char                      *group,
          const BrokerGroupMetadataRecord *value,
          gpointer                         user_data)
{
  State *s = user_data;

  s->n_group_calls++;
  state_set_group (s, group, value);
}

static const BrokerGroupStoreVisitor visitor = { on_offset, on_group };

static void
assert_tables_equal (GHashTable *a,
                     GHashTable *b)
{
  GHashTableIter iter;
  gpointer k, v;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_cmpstr (g_hash_table_lookup (b, k), ==, v);
}

static void
assert_load_gives (Env   *env,
                   State *want)
{
  g_autoptr(GError) error = NULL;
  State got;

  state_init (&got);
  g_assert_true (broker_group_store_load (env->store, &visitor, &got, &error));
  g_assert_no_error (error);
  assert_tables_equal (got.offsets, want->offsets);
  assert_tables_equal (got.groups, want->groups);
  state_clear (&got);
}

/* ---- writing through the store and a model at once ---- */

static void
commit (Env        *env,
        State      *model,
        const char *group,
        const char *topic,
        gint32      partition,
        gint64      offset)
{
  g_autoptr(BrokerOffsetCommitValue) value = NULL;
  g_autoptr(GError) error = NULL;
  BrokerOffsetCommitEntry e;
  gboolean needs_flush = TRUE;

  if (offset >= 0)
    value = broker_offset_commit_value_new (offset, 1, "m", 1000 + offset);
  e = (BrokerOffsetCommitEntry) { topic, partition, value };
  g_assert_true (broker_group_store_write_offsets (env->store, group, &e, 1, &needs_flush, &error));
  g_assert_no_error (error);
  g_assert_false (needs_flush);
  state_set_offset (model, group, topic, partition, value);
}

static BrokerGroupMetadataRecord *
make_group (gint32 generation,
            guint  n_members)
{
  BrokerGroupMetadataRecord *g = broker_group_metadata_record_new ();

  g->protocol_type = g_strdup ("consumer");
  g->generation = generation;
  g->protocol = g_strdup ("range");
  g->current_state_timestamp = 5;
  for (guint i = 0; i < n_members; i++)
    {
      BrokerGroupMemberRecord *m = broker_group_member_record_new ();

      m->member_id = g_strdup_printf ("member-%u", i);
      m->client_id = g_strdup ("client");
      m->client_host = g_strdup ("/127.0.0.1");
      m->rebalance_timeout_ms = 300000;
      m->session_timeout_ms = 45000;
      m->subscription = g_bytes_new ("sub", 3);
      m->assignment = g_bytes_new ("asg", 3);
      if (i == 0)
        g->leader = g_strdup (m->member_id);
      g_ptr_array_add (g->members, m);
    }
  return g;
}

static void
put_group (Env                             *env,
           State                           *model,
           const char                      *group,
           const BrokerGroupMetadataRecord *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (broker_group_store_write_group (env->store, group, value, NULL, &error));
  g_assert_no_error (error);
  state_set_group (model, group, value);
}

/* ---- tests ---- */

static void
test_create (Env           *env,
             gconstpointer  data)
{
  BrokerTopic *topic;
  g_autoptr(GError) error = NULL;
  State empty;

  env_open (env, 50);
  topic = broker_topics_lookup (env->topics, BROKER_GROUP_STORE_TOPIC);
  g_assert_nonnull (topic);
  g_assert_true (topic->internal);
  g_assert_cmpuint (topic->partitions->len, ==, 50);
  g_assert_cmpstr (g_hash_table_lookup (topic->configs, "cleanup.policy"), ==, "compact");
  g_assert_cmpstr (g_hash_table_lookup (topic->configs, "segment.bytes"), ==, "104857600");
  g_assert_cmpint (broker_group_store_get_n_partitions (env->store), ==, 50);
  /* Kafka's placement (see test-offsets-format's partition-for). */
  g_assert_cmpint (broker_group_store_partition_for (env->store, "my-group"), ==, 36);
  g_assert_true (broker_group_store_get_log (env->store, "my-group") ==
                 offsets_partition (env, 36)->log);

  state_init (&empty);
  assert_load_gives (env, &empty);

  /* Reopened with another count: the topic keeps its own. */
  env_close (env);
  g_test_expect_message ("caudald", G_LOG_LEVEL_MESSAGE, "*__consumer_offsets has 50 partitions*");
  env_open (env, 3);
  g_test_assert_expected_messages ();
  g_assert_cmpint (broker_group_store_get_n_partitions (env->store), ==, 50);
  g_assert_cmpint (broker_group_store_partition_for (env->store, "my-group"), ==, 36);
  g_assert_true (broker_group_store_load (env->store, &visitor, &empty, &error));
  g_assert_no_error (error);
  state_clear (&empty);
}

static void
test_reload (Env           *env,
             gconstpointer  data)
{
  State model;
  g_autoptr(BrokerGroupMetadataRecord) g1 = make_group (1, 2);
  g_autoptr(BrokerGroupMetadataRecord) g2 = make_group (2, 1);
  g_autoptr(BrokerGroupMetadataRecord) empty = make_group (3, 0);

  state_init (&model);
  env_open (env, 5);

  put_group (env, &model, "alpha", g1);
  commit (env, &model, "alpha", "orders", 0, 10);
  commit (env, &model, "alpha", "orders", 1, 20);
  commit (env, &model, "alpha", "orders", 0, 15);
  commit (env, &model, "beta", "orders", 0, 7);
  commit (env, &model, "beta", "payments", 3, 99);
  put_group (env, &model, "beta", g1);
  put_group (env, &model, "beta", g2);
  commit (env, &model, "gamma", "orders", 0, 1);
  put_group (env, &model, "gamma", empty);
  /* Deletions: one offset, and a whole group (metadata + offsets, as the
   * coordinator writes them). */
  commit (env, &model, "alpha", "orders", 1, -1);
  commit (env, &model, "gamma", "orders", 0, -1);
  put_group (env, &model, "gamma", NULL);
  /* A group that reuses a deleted name later. */
  commit (env, &model, "delta", "t", 0, 5);
  commit (env, &model, "delta", "t", 0, -1);
  commit (env, &model, "delta", "t", 0, 6);

  g_assert_cmpuint (g_hash_table_size (model.offsets), ==, 4);
  g_assert_cmpuint (g_hash_table_size (model.groups), ==, 2);
  assert_load_gives (env, &model);

  env_close (env);
  env_open (env, 5);
  assert_load_gives (env, &model);

  {
    State got;
    g_autoptr(GError) error = NULL;

    /* The visitor sees every record, tombstones included. */
    state_init (&got);
    g_assert_true (broker_group_store_load (env->store, &visitor, &got, &error));
    g_assert_cmpuint (got.n_offset_calls, ==, 11);
    g_assert_cmpuint (got.n_group_calls, ==, 5);
    g_assert_cmpstr (g_hash_table_lookup (got.offsets, "alpha/orders/0"), ==, "15:1:m:1015");
    g_assert_cmpstr (g_hash_table_lookup (got.groups, "beta"), ==, "consumer:2:member-0:1");
    g_assert_cmpstr (g_hash_table_lookup (got.groups, "alpha"), ==, "consumer:1:member-0:2");
    g_assert_null (g_hash_table_lookup (got.groups, "gamma"));
    state_clear (&got);
  }
  state_clear (&model);
}

/* Reads all of a partition's batches. */
static GBytes *
read_partition (BrokerLog *log)
{
  g_autoptr(GError) error = NULL;
  BrokerLogSlice slice;
  GBytes *bytes;

  g_assert_true (broker_log_read (log, broker_log_get_start_offset (log), G_MAXINT32, &slice, &error));
  g_assert_no_error (error);
  bytes = broker_log_slice_read_bytes (&slice, &error);
  g_assert_no_error (error);
  broker_log_slice_clear (&slice);
  return bytes;
}

static void
test_one_batch (Env           *env,
                gconstpointer  data)
{
  g_autoptr(BrokerOffsetCommitValue) v1 = broker_offset_commit_value_new (100, 2, "", 1);
  g_autoptr(BrokerOffsetCommitValue) v2 = broker_offset_commit_value_new (200, 2, "x", 2);
  BrokerOffsetCommitEntry entries[] = {
    { "t", 0, v1 },
    { "t", 1, v2 },
    { "u", 0, NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  BrokerLog *log;
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader header;
  gint64 before = g_get_real_time () / 1000;
  gsize len;
  const guint8 *data_ptr;
  guint n_batches = 0;

  env_open (env, 5);
  log = broker_group_store_get_log (env->store, "my-group");
  g_assert_nonnull (log);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 0);
  g_assert_true (broker_group_store_write_offsets (env->store, "my-group", entries, 3, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 3);
  /* Nothing to write: nothing written. */
  g_assert_true (broker_group_store_write_offsets (env->store, "my-group", NULL, 0, NULL, &error));
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 3);

  bytes = read_partition (log);
  data_ptr = g_bytes_get_data (bytes, &len);
  caudal_record_batch_iter_init (&iter, data_ptr, len);
  while (caudal_record_batch_iter_next (&iter, &header, &error))
    {
      g_auto(CaudalRecordIter) records = { 0 };
      CaudalRecord record;
      guint i = 0;

      n_batches++;
      g_assert_true (caudal_record_batch_validate (&header, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpint (header.records_count, ==, 3);
      g_assert_cmpint (header.producer_id, ==, -1);
      g_assert_cmpint (caudal_record_batch_header_get_compression (&header), ==, CAUDAL_COMPRESSION_NONE);
      g_assert_false (caudal_record_batch_header_is_transactional (&header));
      g_assert_true (caudal_record_iter_init (&records, &header, 1 << 20, &error));
      while (caudal_record_iter_next (&records, &record, &error))
        {
          g_auto(BrokerOffsetsKey) key = { 0 };

          g_assert_true (broker_offsets_parse_key (record.key.data, (gsize) record.key.len, &key, &error));
          g_assert_cmpint (key.version, ==, 1);
          g_assert_cmpstr (key.group, ==, "my-group");
          g_assert_cmpint (record.n_headers, ==, 0);
          g_assert_cmpint (record.timestamp, >=, before);
          g_assert_cmpint (record.timestamp, <=, g_get_real_time () / 1000);
          if (i == 2)
            g_assert_cmpint (record.value.len, ==, -1);   /* the tombstone */
          else
            g_assert_cmpint (record.value.data[1], ==, 3);   /* value version 3 */
          i++;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (i, ==, 3);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n_batches, ==, 1);

  /* A group's metadata goes to the same partition. */
  {
    g_autoptr(BrokerGroupMetadataRecord) g = make_group (1, 1);
    gboolean needs_flush = TRUE;

    g_assert_true (broker_group_store_write_group (env->store, "my-group", g, &needs_flush, &error));
    g_assert_no_error (error);
    g_assert_false (needs_flush);
    g_assert_cmpint (broker_log_get_end_offset (log), ==, 4);
  }
}

static void
test_too_long_string (Env           *env,
                      gconstpointer  data)
{
  g_autofree char *long_topic = g_strnfill (G_MAXINT16 + 1, 't');
  g_autoptr(BrokerOffsetCommitValue) v = broker_offset_commit_value_new (1, -1, NULL, 1);
  BrokerOffsetCommitEntry e = { long_topic, 0, v };
  g_autoptr(GError) error = NULL;

  env_open (env, 1);
  g_assert_false (broker_group_store_write_offsets (env->store, "g", &e, 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (broker_log_get_end_offset (offsets_partition (env, 0)->log), ==, 0);
}

/* ---- compaction ---- */

typedef struct
{
  Env    *env;
  State  *model;
  guint   n_calls;
  gint64  end_before;   /* the partition's end offset when the snapshot began */
  gboolean fail;
} Snapshot;

static void
snapshot_cb (BrokerGroupStore *store,
             gint32            partition,
             gpointer          user_data)
{
  Snapshot *snap = user_data;
  GHashTableIter iter;
  gpointer k, v;

  snap->n_calls++;
  snap->end_before = broker_log_get_end_offset (offsets_partition (snap->env, partition)->log);

  /* Re-write the live state of the partition's groups from the model. */
  g_hash_table_iter_init (&iter, snap->model->groups);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      const char *group = k;
      g_auto(GStrv) f = g_strsplit (v, ":", -1);
      g_autoptr(BrokerGroupMetadataRecord) g = NULL;
      g_autoptr(GError) error = NULL;

      if (broker_group_store_partition_for (store, group) != partition)
        continue;
      g = make_group ((gint32) g_ascii_strtoll (f[1], NULL, 10), (guint) g_ascii_strtoull (f[3], NULL, 10));
      g_assert_true (broker_group_store_write_group (store, group, g, NULL, &error));
      g_assert_no_error (error);
    }
  g_hash_table_iter_init (&iter, snap->model->offsets);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      g_auto(GStrv) key = g_strsplit (k, "/", 3);
      g_auto(GStrv) f = g_strsplit (v, ":", 4);
      g_autoptr(BrokerOffsetCommitValue) value = NULL;
      BrokerOffsetCommitEntry e;
      g_autoptr(GError) error = NULL;

      if (broker_group_store_partition_for (store, key[0]) != partition)
        continue;
      value = broker_offset_commit_value_new (g_ascii_strtoll (f[0], NULL, 10),
                                              (gint32) g_ascii_strtoll (f[1], NULL, 10), f[2],
                                              g_ascii_strtoll (f[3], NULL, 10));
      e = (BrokerOffsetCommitEntry) { key[1], (gint32) g_ascii_strtoll (key[2], NULL, 10), value };
      if (snap->fail)
        {
          g_autofree char *long_topic = g_strnfill (G_MAXINT16 + 1, 't');
          e.topic = long_topic;
          g_assert_false (broker_group_store_write_offsets (store, key[0], &e, 1, NULL, &error));
          return;
        }
      g_assert_true (broker_group_store_write_offsets (store, key[0], &e, 1, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
fill (Env   *env,
      State *model)
{
  g_autoptr(BrokerGroupMetadataRecord) g = make_group (7, 3);

  for (guint round = 0; round < 40; round++)
    for (guint i = 0; i < 6; i++)
      {
        g_autofree char *group = g_strdup_printf ("group-%u", i);

        commit (env, model, group, "orders", (gint32) (round % 4), round * 10 + i);
        if (round % 10 == 0)
          put_group (env, model, group, g);
      }
  /* Deleted state must stay deleted after compaction. */
  commit (env, model, "group-0", "orders", 1, -1);
  put_group (env, model, "group-5", NULL);
  commit (env, model, "group-5", "orders", 0, -1);
  commit (env, model, "group-5", "orders", 1, -1);
  commit (env, model, "group-5", "orders", 2, -1);
  commit (env, model, "group-5", "orders", 3, -1);
}

static void
test_compact (Env           *env,
              gconstpointer  data)
{
  State model;
  Snapshot snap = { env, &model, 0, -1, FALSE };
  gint64 sizes[3], starts[3];
  guint compacted;

  state_init (&model);
  env_open (env, 3);
  fill (env, &model);
  assert_load_gives (env, &model);
  for (gint32 p = 0; p < 3; p++)
    {
      sizes[p] = broker_log_get_size (offsets_partition (env, p)->log);
      starts[p] = broker_log_get_start_offset (offsets_partition (env, p)->log);
      g_assert_cmpint (starts[p], ==, 0);
    }

  /* Above every partition's size: nothing to do. */
  g_assert_cmpuint (broker_group_store_compact (env->store, G_MAXINT64, snapshot_cb, &snap), ==, 0);
  g_assert_cmpuint (snap.n_calls, ==, 0);

  compacted = broker_group_store_compact (env->store, 2048, snapshot_cb, &snap);
  g_assert_cmpuint (compacted, >=, 1);
  g_assert_cmpuint (snap.n_calls, ==, compacted);
  for (gint32 p = 0; p < 3; p++)
    {
      BrokerLog *log = offsets_partition (env, p)->log;

      if (sizes[p] <= 2048)
        continue;
      /* Everything before the snapshot is gone: the start offset is the
       * snapshot's first, the old segment deleted, and the log smaller. */
      g_assert_cmpint (broker_log_get_start_offset (log), >, 0);
      g_assert_cmpint (broker_log_get_size (log), <, sizes[p]);
      g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
    }
  assert_load_gives (env, &model);

  /* Right after compacting, the live state alone does not compact again
   * (partitions not compacted above may be now). */
  for (gint32 p = 0; p < 3; p++)
    starts[p] = broker_log_get_start_offset (offsets_partition (env, p)->log);
  (void) broker_group_store_compact (env->store, 1, snapshot_cb, &snap);
  for (gint32 p = 0; p < 3; p++)
    if (sizes[p] > 2048)
      g_assert_cmpint (broker_log_get_start_offset (offsets_partition (env, p)->log), ==, starts[p]);
  assert_load_gives (env, &model);

  /* New writes after the snapshot still count, and survive a restart with
   * the start offsets (checkpointed). */
  commit (env, &model, "group-1", "orders", 0, 12345);
  commit (env, &model, "group-9", "new", 2, 1);
  for (gint32 p = 0; p < 3; p++)
    starts[p] = broker_log_get_start_offset (offsets_partition (env, p)->log);
  env_close (env);
  env_open (env, 3);
  for (gint32 p = 0; p < 3; p++)
    g_assert_cmpint (broker_log_get_start_offset (offsets_partition (env, p)->log), ==, starts[p]);
  assert_load_gives (env, &model);
  state_clear (&model);
}

static void
test_compact_twice (Env           *env,
                    gconstpointer  data)
{
  State model;
  Snapshot snap = { env, &model, 0, -1, FALSE };

  state_init (&model);
  env_open (env, 1);
  fill (env, &model);
  g_assert_cmpuint (broker_group_store_compact (env->store, 1024, snapshot_cb, &snap), ==, 1);
  g_assert_cmpint (broker_log_get_start_offset (offsets_partition (env, 0)->log), ==, snap.end_before);
  assert_load_gives (env, &model);
  /* More history, then again: still the same state. */
  fill (env, &model);
  g_assert_cmpuint (broker_group_store_compact (env->store, 1024, snapshot_cb, &snap), ==, 1);
  g_assert_cmpint (broker_log_get_start_offset (offsets_partition (env, 0)->log), ==, snap.end_before);
  assert_load_gives (env, &model);
  env_close (env);
  env_open (env, 1);
  assert_load_gives (env, &model);
  state_clear (&model);
}

static void
test_compact_everything_deleted (Env           *env,
                                 gconstpointer  data)
{
  State model;
  Snapshot snap = { env, &model, 0, -1, FALSE };
  BrokerLog *log;

  state_init (&model);
  env_open (env, 1);
  for (guint i = 0; i < 50; i++)
    commit (env, &model, "g", "t", 0, i);
  commit (env, &model, "g", "t", 0, -1);
  log = offsets_partition (env, 0)->log;
  g_assert_cmpuint (broker_group_store_compact (env->store, 100, snapshot_cb, &snap), ==, 1);
  /* No live state: the log is empty from its end offset on. */
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 51);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 51);
  assert_load_gives (env, &model);
  state_clear (&model);
}

static void
test_compact_failed_snapshot (Env           *env,
                              gconstpointer  data)
{
  State model;
  Snapshot snap = { env, &model, 0, -1, TRUE };
  BrokerLog *log;

  state_init (&model);
  env_open (env, 1);
  fill (env, &model);
  log = offsets_partition (env, 0)->log;
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING, "*compacting __consumer_offsets-0*snapshot*");
  g_assert_cmpuint (broker_group_store_compact (env->store, 1024, snapshot_cb, &snap), ==, 0);
  g_test_assert_expected_messages ();
  /* Nothing dropped: the state is whole. */
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 0);
  assert_load_gives (env, &model);
  state_clear (&model);
}

/* ---- records the store did not write ---- */

static void
append_raw (BrokerLog    *log,
            const guint8 *key,
            gsize         key_len,
            const guint8 *value,
            gssize        value_len)
{
  g_autoptr(CaudalRecordBatchBuilder) builder = caudal_record_batch_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autofree guint8 *data = NULL;
  BrokerLogAppendInfo info;
  CaudalBytes k = { key, (gint32) key_len };
  CaudalBytes v = { value, (gint32) value_len };
  gsize len;

  g_assert_true (caudal_record_batch_builder_append (builder, 1, k, v, NULL, 0, &error));
  batch = caudal_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);
  g_assert_true (broker_log_append (log, data, len, 1, &info, &error));
  g_assert_no_error (error);
}

static void
test_load_foreign_records (Env           *env,
                           gconstpointer  data)
{
  /* A KIP-848 ConsumerGroupMetadata record (type 3) is skipped. */
  static const guint8 type3_key[] = { 0x00, 0x03, 0x00, 0x01, 'g' };
  static const guint8 type3_value[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 };
  /* An offset commit written in version 0 by an old Kafka. */
  static const guint8 v0_key[] = {
    0x00, 0x00, 0x00, 0x01, 'g', 0x00, 0x01, 't', 0x00, 0x00, 0x00, 0x02,
  };
  static const guint8 v0_value[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
  };
  static const guint8 bad_value[] = { 0x00, 0x03, 0x00 };
  g_autoptr(GError) error = NULL;
  BrokerLog *log;
  State got;

  env_open (env, 1);
  log = offsets_partition (env, 0)->log;
  append_raw (log, type3_key, sizeof type3_key, type3_value, sizeof type3_value);
  append_raw (log, v0_key, sizeof v0_key, v0_value, sizeof v0_value);

  state_init (&got);
  g_assert_true (broker_group_store_load (env->store, &visitor, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got.n_offset_calls, ==, 1);
  g_assert_cmpuint (got.n_group_calls, ==, 0);
  g_assert_cmpstr (g_hash_table_lookup (got.offsets, "g/t/2"), ==, "9:-1::4");
  state_clear (&got);

  /* A malformed value of a known type fails the load, naming where. */
  append_raw (log, v0_key, sizeof v0_key, bad_value, sizeof bad_value);
  state_init (&got);
  g_assert_false (broker_group_store_load (env->store, &visitor, &got, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "__consumer_offsets-0"));
  g_assert_nonnull (strstr (error->message, "offset 2"));
  state_clear (&got);
}

static void
snapshot_nothing (BrokerGroupStore *store,
                  gint32            partition,
                  gpointer          user_data)
{
}

/* Cluster mode: only partitions this broker leads take writes or are
 * compacted, and one partition replays alone. */
static void
test_partitioned (Env           *env,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BrokerOffsetCommitValue) value = broker_offset_commit_value_new (7, 1, "m", 1000);
  BrokerOffsetCommitEntry e = { "t", 0, value };
  const char *a = "group-a";
  const char *b = "group-b";
  gint32 pa, pb;
  State model, got;

  env_open (env, 4);
  state_init (&model);
  pa = broker_group_store_partition_for (env->store, a);
  pb = broker_group_store_partition_for (env->store, b);
  g_assert_cmpint (pa, !=, pb);
  commit (env, &model, a, "t", 0, 5);
  commit (env, &model, b, "t", 0, 6);

  broker_group_store_set_partitioned (env->store);
  g_assert_false (broker_group_store_is_writable (env->store, pa));
  g_assert_false (broker_group_store_write_offsets (env->store, a, &e, 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  broker_group_store_set_writable (env->store, pa, TRUE);
  g_assert_true (broker_group_store_is_writable (env->store, pa));
  g_assert_false (broker_group_store_is_writable (env->store, pb));
  commit (env, &model, a, "t", 0, 8);
  g_assert_false (broker_group_store_write_offsets (env->store, b, &e, 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Only group-a's records, the latest winning. */
  state_init (&got);
  g_assert_true (broker_group_store_load_partition (env->store, pa, &visitor, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got.n_offset_calls, ==, 2);
  g_assert_cmpuint (g_hash_table_size (got.offsets), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (got.offsets, "group-a/t/0"), ==,
                   g_hash_table_lookup (model.offsets, "group-a/t/0"));
  state_clear (&got);

  /* Compaction leaves a partition that is not led alone (its snapshot
   * would come from groups this broker does not have). */
  g_assert_true (broker_group_store_refresh (env->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (broker_group_store_compact (env->store, 0, snapshot_nothing, NULL), ==, 1);
  g_assert_cmpint (broker_log_get_start_offset (offsets_partition (env, pa)->log), ==, 2);
  g_assert_cmpint (broker_log_get_start_offset (offsets_partition (env, pb)->log), ==, 0);
  state_clear (&model);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/group/store/" path, Env, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("create", test_create);
  ADD ("reload", test_reload);
  ADD ("one-batch", test_one_batch);
  ADD ("too-long-string", test_too_long_string);
  ADD ("compact", test_compact);
  ADD ("compact-twice", test_compact_twice);
  ADD ("compact-everything-deleted", test_compact_everything_deleted);
  ADD ("compact-failed-snapshot", test_compact_failed_snapshot);
  ADD ("load-foreign-records", test_load_foreign_records);
  ADD ("partitioned", test_partitioned);
#undef ADD

  return g_test_run ();
}
