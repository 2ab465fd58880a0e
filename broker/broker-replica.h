/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-replica.h: one partition's replication state in cluster mode
 * (docs/cluster.md, "Replication"): its role from the ZooKeeper state,
 * and as leader the followers' log end offsets, the high watermark, ISR
 * shrink and expand, and the acks=all waits. NULL on every partition in
 * single-node mode, where the high watermark is the log end offset. */
#pragma once

#include "broker.h"
#include "broker-topics.h"

G_BEGIN_DECLS

typedef enum
{
  BROKER_REPLICA_NONE,       /* not among the replicas, or no leader */
  BROKER_REPLICA_LEADER,
  BROKER_REPLICA_FOLLOWER,
} BrokerReplicaRole;

/* Called when an acks=all wait ends: @error_code NONE once the high
 * watermark passed the write, else why not. */
typedef void (*BrokerReplicaAckDone) (gint16   error_code,
                                      gpointer user_data);

BrokerReplica    *broker_replica_new   (Broker          *broker,
                                        BrokerTopic     *topic,
                                        BrokerPartition *part);
/* Fails the acks=all waits with NOT_LEADER_OR_FOLLOWER and frees. */
void              broker_replica_free  (BrokerReplica   *replica);

/* The partition's state as read from ZooKeeper: becomes leader, follower
 * or neither; a new leader epoch is stamped from now on. */
void              broker_replica_apply_state (BrokerReplica *replica,
                                              gint32         leader,
                                              gint32         leader_epoch,
                                              const GArray  *replicas,
                                              const GArray  *isr,
                                              gint32         state_version);
BrokerReplicaRole broker_replica_get_role    (BrokerReplica *replica);
gint32            broker_replica_get_leader  (BrokerReplica *replica);
guint             broker_replica_get_isr_size (BrokerReplica *replica);
/* The leader's log end offset when it took this epoch (KIP-207: ListOffsets
 * latest is not answered while the high watermark is below it). */
gint64            broker_replica_get_epoch_start_offset (BrokerReplica *replica);

/* Leader: a follower fetched from @fetch_offset (its log end offset). */
void              broker_replica_follower_fetched (BrokerReplica *replica,
                                                   gint32         follower,
                                                   gint64         fetch_offset);
/* Leader: the log grew; the high watermark may move (ISR of one). */
void              broker_replica_leader_appended  (BrokerReplica *replica);
/* Follower: the leader's high watermark from a fetch response. */
void              broker_replica_follower_update_hw (BrokerReplica *replica,
                                                     gint64         leader_hw);
/* After truncation: the high watermark cannot exceed the log end. */
void              broker_replica_clamp_hw (BrokerReplica *replica);
/* min.insync.replicas for this partition: the topic's, else the broker's
 * when set, else 2 with three or more replicas and 1 otherwise. */
gint32            broker_replica_min_insync (BrokerReplica *replica);
/* acks=all: calls @done once the high watermark reaches @end_offset, or
 * with NOT_LEADER_OR_FOLLOWER when leadership goes, or REQUEST_TIMED_OUT
 * after @timeout_ms. */
void              broker_replica_wait_for_hw (BrokerReplica        *replica,
                                              gint64                end_offset,
                                              gint32                timeout_ms,
                                              BrokerReplicaAckDone  done,
                                              gpointer              user_data);
/* Periodic: ISR shrink of followers lagging past replica.lag.time.max.ms. */
void              broker_replica_check_isr (BrokerReplica *replica);

/* The high watermark: the log end offset without replication. */
gint64            broker_partition_get_high_watermark (BrokerPartition *part);
/* Whether this broker is among @part's replicas (always in single-node
 * mode); it keeps a local log for every partition of the view. */
gboolean          broker_partition_is_replica (BrokerPartition *part);
/* Whether this broker may serve produce and consumer fetch for @part
 * (always in single-node mode). */
gboolean          broker_partition_is_leader (BrokerPartition *part);
G_END_DECLS
