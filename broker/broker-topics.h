/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-topics.h: the topics this broker hosts, their partitions' logs,
 * and the metadata store that makes them survive restarts. Owned by the
 * network thread. */
#pragma once

#include "broker.h"
#include "broker-log.h"
#include "broker-meta-store.h"

G_BEGIN_DECLS

typedef struct _BrokerProducerState BrokerProducerState;
typedef struct _BrokerReplica       BrokerReplica;

typedef struct
{
  gint32               index;
  BrokerLog           *log;
  gint32               leader_epoch;
  BrokerProducerState *producers;   /* idempotent producers' sequences */
  BrokerReplica       *replica;     /* cluster mode only (broker-replica.h) */
  gint64               checkpoint_hw;  /* replication-offset-checkpoint, -1 if none */
  gint64               snapshot_offset; /* of the newest producer snapshot, -1 if none */
} BrokerPartition;

typedef struct
{
  char       *name;
  CaudalUuid  id;
  GPtrArray  *partitions;   /* BrokerPartition*, by index */
  GHashTable *configs;      /* char* → char*: the topic's overrides */
  gboolean    internal;
} BrokerTopic;

#define BROKER_TOPIC_NAME_MAX 249

BrokerTopics *broker_topics_open   (BrokerConfig    *config,
                                    BrokerMetaStore *store,
                                    const char      *data_dir,
                                    GError         **error);
/* Flushes every log and writes the checkpoints. */
void          broker_topics_close  (BrokerTopics *topics);

BrokerTopic  *broker_topics_lookup     (BrokerTopics *topics,
                                        const char   *name);
BrokerTopic  *broker_topics_lookup_id  (BrokerTopics     *topics,
                                        const CaudalUuid *id);
BrokerPartition *broker_topics_lookup_partition (BrokerTopics *topics,
                                                 const char   *name,
                                                 gint32        partition);
/* Every topic, sorted by name (the array does not own them). */
GPtrArray    *broker_topics_list       (BrokerTopics *topics);
guint         broker_topics_count      (BrokerTopics *topics);

/* Kafka's topic name rules: 1-249 of [a-zA-Z0-9._-], not "." or "..".
 * Sets a G_IO_ERROR_INVALID_ARGUMENT message like Kafka's. */
gboolean      broker_topic_name_validate (const char *name,
                                          GError    **error);
/* A name that differs from an existing one only by '.' versus '_'
 * (they collide in metric names, so Kafka refuses it). */
BrokerTopic  *broker_topics_find_collision (BrokerTopics *topics,
                                            const char   *name);

/* Creates the topic's logs and records it durably. @configs: overrides,
 * already validated (borrowed; copied). */
BrokerTopic  *broker_topics_create     (BrokerTopics *topics,
                                        const char   *name,
                                        gint32        n_partitions,
                                        GHashTable   *configs,
                                        GError      **error);
/* The same with a given topic id (cluster mode: the id in ZooKeeper);
 * @id NULL generates one. */
BrokerTopic  *broker_topics_create_with_id (BrokerTopics     *topics,
                                            const char       *name,
                                            const CaudalUuid *id,
                                            gint32            n_partitions,
                                            GHashTable       *configs,
                                            GError          **error);
gboolean      broker_topics_delete     (BrokerTopics *topics,
                                        BrokerTopic  *topic,
                                        GError      **error);
gboolean      broker_topics_add_partitions (BrokerTopics *topics,
                                            BrokerTopic  *topic,
                                            gint32        new_total,
                                            GError      **error);
/* Replaces the topic's overrides (takes a copy) and applies them to its
 * logs. */
gboolean      broker_topics_set_configs (BrokerTopics *topics,
                                         BrokerTopic  *topic,
                                         GHashTable   *configs,
                                         GError      **error);
/* Segment roll by time, retention, and checkpoints: called on a timer. */
void          broker_topics_housekeeping (BrokerTopics *topics,
                                          gint64        now_ms);
/* log.flush.scheduler.interval.ms: fsyncs (off the loop) the partitions
 * of topics with a flush.ms that have unflushed data. */
void          broker_topics_flush_dirty (BrokerTopics *topics);
gboolean      broker_topics_write_checkpoints (BrokerTopics *topics,
                                               GError      **error);
/* The log configuration a topic's overrides and the broker's keys give. */
void          broker_topics_log_config (BrokerTopics    *topics,
                                        GHashTable      *overrides,
                                        BrokerLogConfig *out);
BrokerConfig *broker_topics_get_config (BrokerTopics *topics);

G_END_DECLS
