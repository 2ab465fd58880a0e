/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-consumer.h: a Kafka consumer on a CaudalCluster. Either assign
 * partitions yourself (from an offset, the beginning, the end, or a
 * timestamp) or subscribe to topics as a member of a consumer group
 * (Kafka's classic protocol: FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup; range or roundrobin assignment computed by the
 * leader; committed offsets fetched on assignment and committed
 * automatically and on close). Messages come from Fetch requests sent to
 * each partition's leader. Everything runs on the thread-default main
 * context of the thread that created the consumer. */
#pragma once

#include "caudal-assignor.h"
#include "caudal-cluster.h"

G_BEGIN_DECLS

/* Special start offsets for caudal_consumer_assign() (Kafka's
 * ListOffsets timestamps; also the values of auto.offset.reset). */
#define CAUDAL_OFFSET_BEGINNING (-2)
#define CAUDAL_OFFSET_END       (-1)

/**
 * CaudalTimestampType:
 * @CAUDAL_TIMESTAMP_NONE: no timestamp (Kafka's NO_TIMESTAMP_TYPE)
 * @CAUDAL_TIMESTAMP_CREATE_TIME: set by the producer ("CreateTime")
 * @CAUDAL_TIMESTAMP_LOG_APPEND_TIME: set by the broker ("LogAppendTime")
 */
typedef enum
{
  CAUDAL_TIMESTAMP_NONE = -1,
  CAUDAL_TIMESTAMP_CREATE_TIME = 0,
  CAUDAL_TIMESTAMP_LOG_APPEND_TIME = 1,
} CaudalTimestampType;

/**
 * CaudalMessageHeader:
 * @key: the header's key
 * @value: (nullable): its value
 */
typedef struct
{
  char   *key;
  GBytes *value;
} CaudalMessageHeader;

/**
 * CaudalMessage:
 * @topic: the topic
 * @partition: the partition
 * @offset: the record's offset
 * @timestamp: ms since the epoch
 * @timestamp_type: what @timestamp means
 * @key: (nullable): the key, NULL for a null key
 * @value: (nullable): the value, NULL for a null value (tombstone)
 * @headers: (element-type CaudalMessageHeader): the headers, in order
 *
 * One consumed record.
 */
typedef struct
{
  char                *topic;
  gint32               partition;
  gint64               offset;
  gint64               timestamp;
  CaudalTimestampType  timestamp_type;
  GBytes              *key;
  GBytes              *value;
  GPtrArray           *headers;
} CaudalMessage;

CAUDAL_CLIENT_EXPORT void caudal_message_free (CaudalMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalMessage, caudal_message_free)

/* The name Kafka prints for @type: "CreateTime", "LogAppendTime",
 * "NoTimestampType". */
CAUDAL_CLIENT_EXPORT const char *caudal_timestamp_type_to_string (CaudalTimestampType type);

#define CAUDAL_TYPE_CONSUMER (caudal_consumer_get_type ())
CAUDAL_CLIENT_EXPORT
G_DECLARE_FINAL_TYPE (CaudalConsumer, caudal_consumer, CAUDAL, CONSUMER, GObject)

CAUDAL_CLIENT_EXPORT CaudalConsumer *caudal_consumer_new (CaudalCluster *cluster);

/* Sets a consumer configuration property by Kafka's name. Known:
 * client.id, group.id, group.instance.id, auto.offset.reset
 * (earliest|latest|none; default latest), enable.auto.commit (true),
 * auto.commit.interval.ms (5000), session.timeout.ms (45000),
 * heartbeat.interval.ms (3000), max.poll.interval.ms (300000),
 * partition.assignment.strategy (range|roundrobin or Kafka's class names,
 * comma-separated in preference order; default range), isolation.level
 * (read_uncommitted|read_committed), fetch.max.wait.ms (500),
 * fetch.min.bytes (1), fetch.max.bytes, max.partition.fetch.bytes.
 * Other names are accepted and ignored, as Kafka only warns about them.
 * Fails on a bad value. Call before assign/subscribe. */
CAUDAL_CLIENT_EXPORT gboolean caudal_consumer_set_config (CaudalConsumer *consumer,
                                                          const char     *name,
                                                          const char     *value,
                                                          GError        **error);

/* Reads @partition of @topic from @start: an offset, or
 * CAUDAL_OFFSET_BEGINNING / CAUDAL_OFFSET_END. Without a group nothing is
 * committed; with group.id set, commits go to that group (generation -1). */
CAUDAL_CLIENT_EXPORT void caudal_consumer_assign              (CaudalConsumer *consumer,
                                                               const char     *topic,
                                                               gint32          partition,
                                                               gint64          start);
/* Starts at the first offset whose timestamp is ≥ @timestamp_ms (ListOffsets);
 * at the end when there is none. */
CAUDAL_CLIENT_EXPORT void caudal_consumer_assign_by_timestamp (CaudalConsumer *consumer,
                                                               const char     *topic,
                                                               gint32          partition,
                                                               gint64          timestamp_ms);
/* Moves the position of an assigned partition (the next poll reads from
 * there). */
CAUDAL_CLIENT_EXPORT gboolean caudal_consumer_seek            (CaudalConsumer *consumer,
                                                               const char     *topic,
                                                               gint32          partition,
                                                               gint64          offset);
/* Joins @group_id subscribed to @topics; the first poll joins. */
CAUDAL_CLIENT_EXPORT void caudal_consumer_subscribe           (CaudalConsumer     *consumer,
                                                               const char         *group_id,
                                                               const char *const  *topics);

/* The current assignment: CaudalTopicPartitions*, sorted. */
CAUDAL_CLIENT_EXPORT GPtrArray  *caudal_consumer_get_assignment (CaudalConsumer *consumer);
CAUDAL_CLIENT_EXPORT const char *caudal_consumer_get_member_id  (CaudalConsumer *consumer);
CAUDAL_CLIENT_EXPORT gint32      caudal_consumer_get_generation (CaudalConsumer *consumer);

/* Joins (or rejoins) the group when needed, resolves start offsets, then
 * sends one Fetch per leader (max_wait 500 ms). The result is a GPtrArray
 * of CaudalMessage*, possibly empty. Cancelling @cancellable completes the
 * call at once with G_IO_ERROR_CANCELLED. One poll at a time. */
CAUDAL_CLIENT_EXPORT void       caudal_consumer_poll_async  (CaudalConsumer     *consumer,
                                                             GCancellable       *cancellable,
                                                             GAsyncReadyCallback callback,
                                                             gpointer            user_data);
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_consumer_poll_finish (CaudalConsumer *consumer,
                                                             GAsyncResult   *result,
                                                             GError        **error);

/* Commits the positions (the offsets after the messages polled so far). */
CAUDAL_CLIENT_EXPORT void     caudal_consumer_commit_async  (CaudalConsumer     *consumer,
                                                             GCancellable       *cancellable,
                                                             GAsyncReadyCallback callback,
                                                             gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_consumer_commit_finish (CaudalConsumer *consumer,
                                                             GAsyncResult   *result,
                                                             GError        **error);

/* Commits (with enable.auto.commit) and leaves the group. Not while a
 * poll is running: cancel it first. */
CAUDAL_CLIENT_EXPORT void     caudal_consumer_close_async  (CaudalConsumer     *consumer,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_consumer_close_finish (CaudalConsumer *consumer,
                                                            GAsyncResult   *result,
                                                            GError        **error);

G_END_DECLS
