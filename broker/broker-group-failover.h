/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-failover.h: consumer-group coordinators that fail over with
 * the partitions of __consumer_offsets, as Kafka's do (cluster mode only;
 * docs/cluster.md, "Consumer groups in cluster mode"). */
#pragma once

#include "broker.h"
#include "broker-replica.h"

G_BEGIN_DECLS

/* At cluster start, before the view is applied: the coordinator serves no
 * group until this broker leads its partition, and commits wait for
 * replication. */
void     broker_group_failover_start (Broker *broker);
/* broker-cluster-sync.c: this broker's role for __consumer_offsets-
 * @partition went from @old_role to @new_role: load or unload its groups. */
void     broker_group_failover_role_changed (Broker            *broker,
                                             gint32             partition,
                                             BrokerReplicaRole  old_role,
                                             BrokerReplicaRole  new_role);
/* FindCoordinator for @group_id in cluster mode: NONE with the leader of
 * its __consumer_offsets partition in *@node_id, or
 * COORDINATOR_NOT_AVAILABLE (the topic is created on first use). */
gint16   broker_group_failover_find_coordinator (Broker     *broker,
                                                 const char *group_id,
                                                 gint32     *node_id);
/* Whether this broker coordinates @group_id: always in single-node mode;
 * in cluster mode when it leads, and has loaded, the group's partition.
 * The group APIs answer NOT_COORDINATOR otherwise. */
gboolean broker_group_is_coordinator (Broker     *broker,
                                      const char *group_id);

G_END_DECLS
