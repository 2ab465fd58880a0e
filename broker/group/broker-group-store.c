/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-store.c: __consumer_offsets: writing offset commits and
 * group metadata, replaying them, compaction by snapshot. */
#include "broker-group-store.h"

#include <string.h>

#include "caudal-record-batch.h"

/* How much one read of the log asks for while loading. */
#define LOAD_READ_BYTES (1024 * 1024)
/* The most a compressed batch (written by someone else) may unpack to. */
#define LOAD_MAX_DECOMPRESSED (256 * 1024 * 1024)

struct _BrokerGroupStore
{
  BrokerTopics *topics;
  gint32        n_partitions;
  gint64       *compacted_size;    /* per partition: its size after its last compaction */
  gint32        compacting;        /* the partition being snapshotted, or -1 */
  gboolean      snapshot_failed;   /* a write to it failed during the snapshot */
  /* Cluster mode: which partitions this broker leads (may write and
   * compact); NULL in single-node mode, where it leads them all. */
  gboolean     *writable;
};

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* The topic's log settings, minus retention: cleanup.policy=compact means
 * no time or size retention in Kafka, and the log's start offset is this
 * store's business (compaction). broker_topics_log_config() does not
 * look at cleanup.policy, so the store applies this itself. */
static void
offsets_log_config (BrokerGroupStore *store,
                    BrokerTopic      *topic,
                    BrokerLogConfig  *cfg)
{
  broker_topics_log_config (store->topics, topic->configs, cfg);
  cfg->retention_ms = -1;
  cfg->retention_bytes = -1;
}

static BrokerTopic *
lookup_topic (BrokerGroupStore *store,
              GError          **error)
{
  BrokerTopic *topic = broker_topics_lookup (store->topics, BROKER_GROUP_STORE_TOPIC);

  if (topic == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the topic %s does not exist",
                 BROKER_GROUP_STORE_TOPIC);
  return topic;
}

static BrokerPartition *
lookup_partition (BrokerGroupStore *store,
                  gint32            index,
                  GError          **error)
{
  BrokerTopic *topic = lookup_topic (store, error);

  if (topic == NULL)
    return NULL;
  if (index < 0 || (guint) index >= topic->partitions->len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no partition %d",
                   BROKER_GROUP_STORE_TOPIC, index);
      return NULL;
    }
  return g_ptr_array_index (topic->partitions, index);
}

BrokerGroupStore *
broker_group_store_new (BrokerTopics *topics,
                        gint32        n_partitions,
                        GError      **error)
{
  g_autoptr(BrokerGroupStore) store = NULL;
  BrokerTopic *topic;

  g_return_val_if_fail (topics != NULL, NULL);
  g_return_val_if_fail (n_partitions > 0, NULL);

  topic = broker_topics_lookup (topics, BROKER_GROUP_STORE_TOPIC);
  if (topic == NULL)
    {
      g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);

      /* Kafka's GroupCoordinator.groupMetadataTopicConfigs. */
      g_hash_table_insert (configs, (gpointer) "cleanup.policy", (gpointer) "compact");
      g_hash_table_insert (configs, (gpointer) "segment.bytes",
                           (gpointer) BROKER_GROUP_STORE_SEGMENT_BYTES);
      g_hash_table_insert (configs, (gpointer) "compression.type", (gpointer) "producer");
      topic = broker_topics_create (topics, BROKER_GROUP_STORE_TOPIC, n_partitions, configs, error);
      if (topic == NULL)
        {
          g_prefix_error (error, "cannot create %s: ", BROKER_GROUP_STORE_TOPIC);
          return NULL;
        }
    }
  else if ((gint32) topic->partitions->len != n_partitions)
    {
      /* Kafka: changing offsets.topic.num.partitions after the topic
       * exists is not supported; the topic's own count is what places
       * the groups already in it. */
      g_message ("%s has %u partitions (offsets.topic.num.partitions is %d): using %u",
                 BROKER_GROUP_STORE_TOPIC, topic->partitions->len, n_partitions,
                 topic->partitions->len);
    }

  store = g_new0 (BrokerGroupStore, 1);
  store->topics = topics;
  store->n_partitions = (gint32) topic->partitions->len;
  store->compacted_size = g_new0 (gint64, store->n_partitions);
  store->compacting = -1;

  {
    BrokerLogConfig cfg;

    offsets_log_config (store, topic, &cfg);
    for (guint i = 0; i < topic->partitions->len; i++)
      {
        BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
        broker_log_set_config (part->log, &cfg);
      }
  }
  return g_steal_pointer (&store);
}

void
broker_group_store_free (BrokerGroupStore *store)
{
  if (store == NULL)
    return;
  g_free (store->compacted_size);
  g_free (store->writable);
  g_free (store);
}

void
broker_group_store_set_partitioned (BrokerGroupStore *store)
{
  g_return_if_fail (store != NULL);
  g_clear_pointer (&store->writable, g_free);
  store->writable = g_new0 (gboolean, store->n_partitions);
}

gboolean
broker_group_store_refresh (BrokerGroupStore *store,
                            GError          **error)
{
  BrokerTopic *topic;
  BrokerLogConfig cfg;
  gint32 n;

  g_return_val_if_fail (store != NULL, FALSE);
  topic = lookup_topic (store, error);
  if (topic == NULL)
    return FALSE;
  n = (gint32) topic->partitions->len;
  if (n != store->n_partitions)
    {
      /* Only before any partition is led: partition_for would move the
       * groups already placed (Kafka does not support a change either). */
      for (gint32 i = 0; store->writable != NULL && i < store->n_partitions; i++)
        if (store->writable[i])
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                         "%s now has %d partitions, %d when its groups were loaded",
                         BROKER_GROUP_STORE_TOPIC, n, store->n_partitions);
            return FALSE;
          }
      g_message ("%s has %d partitions", BROKER_GROUP_STORE_TOPIC, n);
      store->n_partitions = n;
      g_free (store->compacted_size);
      store->compacted_size = g_new0 (gint64, n);
      if (store->writable != NULL)
        {
          g_free (store->writable);
          store->writable = g_new0 (gboolean, n);
        }
    }
  /* Logs made again from the cluster's view got the broker's retention. */
  offsets_log_config (store, topic, &cfg);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
      broker_log_set_config (part->log, &cfg);
    }
  return TRUE;
}

void
broker_group_store_set_writable (BrokerGroupStore *store,
                                 gint32            partition,
                                 gboolean          writable)
{
  g_return_if_fail (store != NULL && store->writable != NULL);
  g_return_if_fail (partition >= 0 && partition < store->n_partitions);
  store->writable[partition] = writable;
}

gboolean
broker_group_store_is_writable (BrokerGroupStore *store,
                                gint32            partition)
{
  g_return_val_if_fail (store != NULL, FALSE);
  if (partition < 0 || partition >= store->n_partitions)
    return FALSE;
  return store->writable == NULL || store->writable[partition];
}

gint32
broker_group_store_get_n_partitions (BrokerGroupStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  return store->n_partitions;
}

gint32
broker_group_store_partition_for (BrokerGroupStore *store,
                                  const char       *group)
{
  g_return_val_if_fail (store != NULL && group != NULL, 0);
  return broker_offsets_partition_for (group, store->n_partitions);
}

BrokerLog *
broker_group_store_get_log (BrokerGroupStore *store,
                            const char       *group)
{
  BrokerPartition *part;

  g_return_val_if_fail (store != NULL && group != NULL, NULL);
  part = lookup_partition (store, broker_group_store_partition_for (store, group), NULL);
  return part != NULL ? part->log : NULL;
}

/* ---- writing ---- */

/* Kafka's non-flexible strings have an int16 length. */
static gboolean
check_string (const char *s,
              const char *what,
              GError    **error)
{
  if (s != NULL && strlen (s) > G_MAXINT16)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is longer than %d bytes", what, G_MAXINT16);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_group_record (const BrokerGroupMetadataRecord *value,
                    GError                         **error)
{
  if (!check_string (value->protocol_type, "the protocol type", error) ||
      !check_string (value->protocol, "the protocol", error) ||
      !check_string (value->leader, "the leader", error))
    return FALSE;
  for (guint i = 0; value->members != NULL && i < value->members->len; i++)
    {
      const BrokerGroupMemberRecord *m = g_ptr_array_index (value->members, i);

      if (!check_string (m->member_id, "a member id", error) ||
          !check_string (m->group_instance_id, "a group instance id", error) ||
          !check_string (m->client_id, "a client id", error) ||
          !check_string (m->client_host, "a client host", error))
        return FALSE;
      if ((m->subscription != NULL && g_bytes_get_size (m->subscription) > G_MAXINT32) ||
          (m->assignment != NULL && g_bytes_get_size (m->assignment) > G_MAXINT32))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "a member's subscription or assignment is too large");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
add_record (CaudalRecordBatchBuilder *builder,
            gint64                    timestamp,
            GBytes                   *key,
            GBytes                   *value,
            GError                  **error)
{
  gsize key_len, value_len = 0;
  const guint8 *key_data = g_bytes_get_data (key, &key_len);
  const guint8 *value_data = value != NULL ? g_bytes_get_data (value, &value_len) : NULL;
  CaudalBytes k = { key_data, (gint32) key_len };
  CaudalBytes v = CAUDAL_BYTES_NULL;

  if (value != NULL)
    v = (CaudalBytes) { value_data != NULL ? value_data : (const guint8 *) "", (gint32) value_len };
  return caudal_record_batch_builder_append (builder, timestamp, k, v, NULL, 0, error);
}

static gboolean
append_batch (BrokerGroupStore         *store,
              gint32                    partition,
              CaudalRecordBatchBuilder *builder,
              gboolean                 *needs_flush,
              GError                  **error)
{
  BrokerPartition *part = lookup_partition (store, partition, error);
  g_autoptr(GBytes) batch = NULL;
  g_autofree guint8 *data = NULL;
  BrokerLogAppendInfo info;
  gsize len;

  if (part == NULL)
    return FALSE;
  /* A follower's log takes only what it fetches from the leader. */
  if (!broker_group_store_is_writable (store, partition))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s-%d is not led by this broker", BROKER_GROUP_STORE_TOPIC, partition);
      return FALSE;
    }
  batch = caudal_record_batch_builder_finish (builder, error);
  if (batch == NULL)
    return FALSE;
  /* The log assigns the offsets in place. */
  data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);
  if (!broker_log_append (part->log, data, len, now_ms (), &info, error))
    {
      g_prefix_error (error, "%s-%d: ", BROKER_GROUP_STORE_TOPIC, partition);
      return FALSE;
    }
  if (needs_flush != NULL)
    *needs_flush = info.needs_flush;
  return TRUE;
}

static gboolean
write_failed (BrokerGroupStore *store,
              gint32            partition)
{
  if (store->compacting == partition)
    store->snapshot_failed = TRUE;
  return FALSE;
}

gboolean
broker_group_store_write_offsets (BrokerGroupStore              *store,
                                  const char                    *group,
                                  const BrokerOffsetCommitEntry *entries,
                                  guint                          n,
                                  gboolean                      *needs_flush,
                                  GError                       **error)
{
  g_autoptr(CaudalRecordBatchBuilder) builder = NULL;
  gint32 partition;
  gint64 timestamp = now_ms ();

  g_return_val_if_fail (store != NULL && group != NULL, FALSE);
  g_return_val_if_fail (entries != NULL || n == 0, FALSE);

  if (needs_flush != NULL)
    *needs_flush = FALSE;
  if (n == 0)
    return TRUE;
  partition = broker_group_store_partition_for (store, group);
  if (!check_string (group, "the group id", error))
    return write_failed (store, partition);

  builder = caudal_record_batch_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      const BrokerOffsetCommitEntry *e = &entries[i];
      g_autoptr(GBytes) key = NULL;
      g_autoptr(GBytes) value = NULL;

      if (e->topic == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "an offset commit without a topic");
          return write_failed (store, partition);
        }
      if (!check_string (e->topic, "the topic name", error) ||
          (e->value != NULL && !check_string (e->value->metadata, "the offset metadata", error)))
        return write_failed (store, partition);
      key = broker_offsets_encode_offset_commit_key (group, e->topic, e->partition);
      if (e->value != NULL)
        value = broker_offset_commit_value_encode (e->value);
      if (!add_record (builder, timestamp, key, value, error))
        return write_failed (store, partition);
    }
  if (!append_batch (store, partition, builder, needs_flush, error))
    return write_failed (store, partition);
  return TRUE;
}

gboolean
broker_group_store_write_group (BrokerGroupStore                *store,
                                const char                      *group,
                                const BrokerGroupMetadataRecord *value,
                                gboolean                        *needs_flush,
                                GError                         **error)
{
  g_autoptr(CaudalRecordBatchBuilder) builder = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) encoded = NULL;
  gint32 partition;

  g_return_val_if_fail (store != NULL && group != NULL, FALSE);

  if (needs_flush != NULL)
    *needs_flush = FALSE;
  partition = broker_group_store_partition_for (store, group);
  if (!check_string (group, "the group id", error) ||
      (value != NULL && !check_group_record (value, error)))
    return write_failed (store, partition);

  builder = caudal_record_batch_builder_new ();
  key = broker_offsets_encode_group_metadata_key (group);
  if (value != NULL)
    encoded = broker_group_metadata_record_encode (value);
  if (!add_record (builder, now_ms (), key, encoded, error) ||
      !append_batch (store, partition, builder, needs_flush, error))
    return write_failed (store, partition);
  return TRUE;
}

/* ---- loading ---- */

static gboolean
replay_record (const CaudalRecord            *record,
               const BrokerGroupStoreVisitor *visitor,
               gpointer                       user_data,
               GError                       **error)
{
  g_auto(BrokerOffsetsKey) key = { 0 };

  if (record->key.len < 0)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID, "a record without a key");
      return FALSE;
    }
  if (!broker_offsets_parse_key (record->key.data, (gsize) record->key.len, &key, error))
    return FALSE;

  switch (key.type)
    {
    case BROKER_OFFSETS_KEY_OFFSET_COMMIT:
      {
        g_autoptr(BrokerOffsetCommitValue) value = NULL;

        if (record->value.len >= 0)
          {
            value = broker_offset_commit_value_parse (record->value.data, (gsize) record->value.len,
                                                      error);
            if (value == NULL)
              return FALSE;
          }
        if (visitor->offset != NULL)
          visitor->offset (key.group, key.topic, key.partition, value, user_data);
        return TRUE;
      }

    case BROKER_OFFSETS_KEY_GROUP_METADATA:
      {
        g_autoptr(BrokerGroupMetadataRecord) value = NULL;

        if (record->value.len >= 0)
          {
            value = broker_group_metadata_record_parse (record->value.data,
                                                        (gsize) record->value.len, error);
            if (value == NULL)
              return FALSE;
          }
        if (visitor->group != NULL)
          visitor->group (key.group, value, user_data);
        return TRUE;
      }

    case BROKER_OFFSETS_KEY_OTHER:
    default:
      /* Kafka's loader skips record types it does not know, too. */
      g_debug ("%s: skipping a record of type %d", BROKER_GROUP_STORE_TOPIC, key.version);
      return TRUE;
    }
}

static gboolean
replay_batch (const CaudalRecordBatchHeader *header,
              gint64                         from_offset,
              const BrokerGroupStoreVisitor *visitor,
              gpointer                       user_data,
              GError                       **error)
{
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecord record;
  g_autoptr(GError) local = NULL;

  if (!caudal_record_iter_init (&iter, header, LOAD_MAX_DECOMPRESSED, error))
    return FALSE;
  while (caudal_record_iter_next (&iter, &record, &local))
    {
      if (record.offset < from_offset)
        continue;
      if (!replay_record (&record, visitor, user_data, error))
        {
          g_prefix_error (error, "offset %" G_GINT64_FORMAT ": ", record.offset);
          return FALSE;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_partition (BrokerLog                     *log,
                const BrokerGroupStoreVisitor *visitor,
                gpointer                       user_data,
                GError                       **error)
{
  gint64 offset = broker_log_get_start_offset (log);
  gint64 end = broker_log_get_end_offset (log);

  while (offset < end)
    {
      BrokerLogSlice slice;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) local = NULL;
      CaudalRecordBatchIter iter;
      CaudalRecordBatchHeader header;
      const guint8 *data;
      gsize len;
      gint64 before = offset;

      if (!broker_log_read (log, offset, LOAD_READ_BYTES, &slice, error))
        return FALSE;
      if (slice.length == 0)
        {
          broker_log_slice_clear (&slice);
          break;
        }
      bytes = broker_log_slice_read_bytes (&slice, error);
      broker_log_slice_clear (&slice);
      if (bytes == NULL)
        return FALSE;

      data = g_bytes_get_data (bytes, &len);
      caudal_record_batch_iter_init (&iter, data, len);
      while (caudal_record_batch_iter_next (&iter, &header, &local))
        {
          gint64 last = caudal_record_batch_header_get_last_offset (&header);

          if (last < offset)
            continue;
          if (!caudal_record_batch_validate (&header, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, 0, error))
            {
              g_prefix_error (error, "batch at offset %" G_GINT64_FORMAT ": ", header.base_offset);
              return FALSE;
            }
          /* This store writes neither; a transaction's offset commits
           * (TxnOffsetCommit) would need its markers. */
          if (caudal_record_batch_header_is_control (&header) ||
              caudal_record_batch_header_is_transactional (&header))
            g_debug ("%s: skipping a %s batch at offset %" G_GINT64_FORMAT, BROKER_GROUP_STORE_TOPIC,
                     caudal_record_batch_header_is_control (&header) ? "control" : "transactional",
                     header.base_offset);
          else if (!replay_batch (&header, offset, visitor, user_data, error))
            return FALSE;
          offset = last + 1;
        }
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (offset <= before)
        {
          g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                       "no progress reading offset %" G_GINT64_FORMAT, before);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
broker_group_store_load (BrokerGroupStore              *store,
                         const BrokerGroupStoreVisitor *visitor,
                         gpointer                       user_data,
                         GError                       **error)
{
  BrokerTopic *topic;

  g_return_val_if_fail (store != NULL && visitor != NULL, FALSE);

  topic = lookup_topic (store, error);
  if (topic == NULL)
    return FALSE;
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);

      if (!load_partition (part->log, visitor, user_data, error))
        {
          g_prefix_error (error, "loading %s-%u: ", BROKER_GROUP_STORE_TOPIC, i);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
broker_group_store_load_partition (BrokerGroupStore              *store,
                                   gint32                         partition,
                                   const BrokerGroupStoreVisitor *visitor,
                                   gpointer                       user_data,
                                   GError                       **error)
{
  BrokerPartition *part;

  g_return_val_if_fail (store != NULL && visitor != NULL, FALSE);

  part = lookup_partition (store, partition, error);
  if (part == NULL)
    return FALSE;
  if (!load_partition (part->log, visitor, user_data, error))
    {
      g_prefix_error (error, "loading %s-%d: ", BROKER_GROUP_STORE_TOPIC, partition);
      return FALSE;
    }
  return TRUE;
}

/* ---- compaction ---- */

/* Rolls the partition's active segment now (when it holds anything), so
 * that the snapshot starts a segment of its own and everything before it
 * lies in whole segments that delete_records_before can remove. The log
 * has no explicit roll: make any segment age count as expired for one
 * maybe_roll. */
static gboolean
roll_now (BrokerGroupStore *store,
          BrokerTopic      *topic,
          BrokerLog        *log,
          GError          **error)
{
  BrokerLogConfig cfg, now_cfg;
  gboolean ok;

  offsets_log_config (store, topic, &cfg);
  now_cfg = cfg;
  now_cfg.segment_ms = G_MININT64 / 2;
  broker_log_set_config (log, &now_cfg);
  ok = broker_log_maybe_roll (log, now_ms (), error);
  broker_log_set_config (log, &cfg);
  return ok;
}

static gboolean
compact_partition (BrokerGroupStore            *store,
                   BrokerTopic                 *topic,
                   gint32                       index,
                   BrokerGroupStoreSnapshotFunc snapshot,
                   gpointer                     user_data,
                   GError                     **error)
{
  BrokerPartition *part = g_ptr_array_index (topic->partitions, index);
  gint64 end = broker_log_get_end_offset (part->log);

  if (!roll_now (store, topic, part->log, error))
    return FALSE;

  store->compacting = index;
  store->snapshot_failed = FALSE;
  snapshot (store, index, user_data);
  store->compacting = -1;
  if (store->snapshot_failed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "a write of the snapshot failed: keeping the records before it");
      return FALSE;
    }

  /* The snapshot must be on disk before the records it replaces go: a
   * crash would otherwise recover a log without either. */
  if (!broker_log_flush (part->log, error))
    return FALSE;
  return broker_log_delete_records_before (part->log, end, error);
}

guint
broker_group_store_compact (BrokerGroupStore            *store,
                            gint64                       max_bytes,
                            BrokerGroupStoreSnapshotFunc snapshot,
                            gpointer                     user_data)
{
  BrokerTopic *topic;
  guint compacted = 0;

  g_return_val_if_fail (store != NULL && snapshot != NULL, 0);

  topic = lookup_topic (store, NULL);
  if (topic == NULL)
    return 0;
  for (gint32 i = 0; i < store->n_partitions && (guint) i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
      gint64 size = broker_log_get_size (part->log);
      gint64 start = broker_log_get_start_offset (part->log);
      gint64 end = broker_log_get_end_offset (part->log);
      g_autoptr(GError) error = NULL;

      if (size <= max_bytes || size <= 2 * store->compacted_size[i] || start == end)
        continue;
      /* The snapshot comes from the groups in memory: only a led
       * partition's are there, and only a leader may write. */
      if (!broker_group_store_is_writable (store, i))
        continue;
      if (!compact_partition (store, topic, i, snapshot, user_data, &error))
        {
          g_warning ("compacting %s-%d: %s", BROKER_GROUP_STORE_TOPIC, i, error->message);
          continue;
        }
      store->compacted_size[i] = broker_log_get_size (part->log);
      g_debug ("compacted %s-%d: %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT " bytes, start offset %"
               G_GINT64_FORMAT, BROKER_GROUP_STORE_TOPIC, i, size, store->compacted_size[i],
               broker_log_get_start_offset (part->log));
      compacted++;
    }
  if (compacted > 0)
    {
      g_autoptr(GError) error = NULL;

      if (!broker_topics_write_checkpoints (store->topics, &error))
        g_warning ("%s", error->message);
    }
  return compacted;
}
