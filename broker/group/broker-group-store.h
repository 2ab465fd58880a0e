/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-store.h: committed offsets and group metadata, persisted
 * in the internal topic __consumer_offsets in Kafka's record formats
 * (broker-offsets-format.h), replayed on start, and compacted by
 * snapshot. See docs/groups.md, "How offsets and groups are stored".
 *
 * Owned by the network thread, like the BrokerTopics it writes through. */
#pragma once

#include "broker-topics.h"
#include "broker-offsets-format.h"

G_BEGIN_DECLS

#define BROKER_GROUP_STORE_TOPIC "__consumer_offsets"
/* offsets.topic.segment.bytes's default. */
#define BROKER_GROUP_STORE_SEGMENT_BYTES "104857600"

typedef struct _BrokerGroupStore BrokerGroupStore;

/* Ensures __consumer_offsets exists (internal; @n_partitions, Kafka's
 * offsets.topic.num.partitions, only when creating it: an existing topic
 * keeps its partition count, which then decides partition_for; configs
 * cleanup.policy=compact, segment.bytes=104857600,
 * compression.type=producer) and opens it. Its logs never apply time or
 * size retention (the store itself moves their start offsets). */
BrokerGroupStore *broker_group_store_new  (BrokerTopics *topics,
                                           gint32        n_partitions,
                                           GError      **error);
void              broker_group_store_free (BrokerGroupStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerGroupStore, broker_group_store_free)

typedef struct
{
  /* @value: NULL when the offset was deleted (tombstone). */
  void (*offset) (const char                    *group,
                  const char                    *topic,
                  gint32                         partition,
                  const BrokerOffsetCommitValue *value,
                  gpointer                       user_data);
  /* @value: NULL when the group was deleted (tombstone). */
  void (*group)  (const char                      *group,
                  const BrokerGroupMetadataRecord *value,
                  gpointer                         user_data);
} BrokerGroupStoreVisitor;

/* Replays every partition from its start offset, in offset order; later
 * records override earlier ones (the visitor sees every record, so the
 * last call for a key is its state). Record types of newer Kafka are
 * skipped, as are control and transactional batches; a corrupt batch or a
 * malformed record of a known type fails the load. */
gboolean broker_group_store_load (BrokerGroupStore              *store,
                                  const BrokerGroupStoreVisitor *visitor,
                                  gpointer                       user_data,
                                  GError                       **error);

typedef struct
{
  const char                    *topic;
  gint32                         partition;
  const BrokerOffsetCommitValue *value;   /* NULL = tombstone */
} BrokerOffsetCommitEntry;

/* Replays one partition, as broker_group_store_load() does them all. */
gboolean broker_group_store_load_partition (BrokerGroupStore              *store,
                                            gint32                         partition,
                                            const BrokerGroupStoreVisitor *visitor,
                                            gpointer                       user_data,
                                            GError                       **error);

/* ---- cluster mode (docs/cluster.md, "Consumer groups in cluster mode") ----
 * Only the leader of a partition may write to it (and compact it). After
 * set_partitioned() no partition is writable until set_writable() says
 * so; in single-node mode every partition is. refresh() follows the topic
 * after the cluster's view replaced the local one: its partition count
 * (refused once a partition is writable) and the store's log settings. */
void     broker_group_store_set_partitioned (BrokerGroupStore *store);
gboolean broker_group_store_refresh         (BrokerGroupStore *store,
                                             GError          **error);
void     broker_group_store_set_writable    (BrokerGroupStore *store,
                                             gint32            partition,
                                             gboolean          writable);
gboolean broker_group_store_is_writable     (BrokerGroupStore *store,
                                             gint32            partition);

/* Appends, in ONE record batch (atomic), the offset commits of one group
 * to partition_for(group). @n == 0 writes nothing. *@needs_flush (may be
 * NULL): the log's flush.messages / flush.ms say to flush before
 * acknowledging. Errors: G_IO_ERROR_INVALID_ARGUMENT for a string too long
 * for Kafka's int16-length strings; BROKER_LOG_ERROR from the append. */
gboolean broker_group_store_write_offsets (BrokerGroupStore              *store,
                                           const char                    *group,
                                           const BrokerOffsetCommitEntry *entries,
                                           guint                          n,
                                           gboolean                      *needs_flush,
                                           GError                       **error);
gboolean broker_group_store_write_group   (BrokerGroupStore                *store,
                                           const char                      *group,
                                           const BrokerGroupMetadataRecord *value,   /* NULL = tombstone */
                                           gboolean                        *needs_flush,
                                           GError                         **error);

/* The log behind a group's partition, for flush_async when needs_flush. */
BrokerLog *broker_group_store_get_log       (BrokerGroupStore *store,
                                             const char       *group);
gint32     broker_group_store_partition_for (BrokerGroupStore *store,
                                             const char       *group);
gint32     broker_group_store_get_n_partitions (BrokerGroupStore *store);

/* Compaction by snapshot. For each partition whose log holds more than
 * @max_bytes (and more than twice what it held after its previous
 * compaction, so that live state bigger than @max_bytes does not compact
 * on every call): a new segment is rolled, @snapshot is asked to re-write
 * the live state of that partition's groups (with write_offsets /
 * write_group), the log is fsynced, and everything before the snapshot is
 * dropped with broker_log_delete_records_before(); then the checkpoints
 * are written. A snapshot during which a write to that partition failed
 * drops nothing. Returns how many partitions were compacted.
 *
 * Why readers of the topic see what Kafka's compaction gives them: after
 * this, the log from its start offset holds a value record for every live
 * key and nothing else, which is exactly a fully compacted log without its
 * (expired) tombstones. Anyone replaying from the start offset (the
 * coordinator on start, a tool reading the topic) rebuilds the current
 * state. See docs/groups.md. */
typedef void (*BrokerGroupStoreSnapshotFunc) (BrokerGroupStore *store,
                                              gint32            partition,
                                              gpointer          user_data);
guint broker_group_store_compact (BrokerGroupStore            *store,
                                  gint64                       max_bytes,
                                  BrokerGroupStoreSnapshotFunc snapshot,
                                  gpointer                     user_data);

G_END_DECLS
