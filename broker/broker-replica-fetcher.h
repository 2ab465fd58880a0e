/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-replica-fetcher.h: a follower's fetching from partition leaders
 * (Kafka's ReplicaFetcherThread, on the main loop): one connection per
 * leader broker, Fetch v12 with replica_id, the current leader epoch and
 * the last fetched epoch, truncation on a diverging-epoch answer
 * (KIP-595), and appends that keep the leader's bytes. */
#pragma once

#include "broker.h"

G_BEGIN_DECLS

typedef struct _BrokerReplicaFetchers BrokerReplicaFetchers;

BrokerReplicaFetchers *broker_replica_fetchers_new  (Broker *broker);
void                   broker_replica_fetchers_free (BrokerReplicaFetchers *fetchers);
/* Fetch @topic/@partition from @leader from now on (replacing any other
 * leader); @leader -1 stops fetching it. */
void                   broker_replica_fetchers_follow (BrokerReplicaFetchers *fetchers,
                                                       const char            *topic,
                                                       gint32                 partition,
                                                       gint32                 leader);
/* Registered brokers changed: connections to moved leaders restart. */
void                   broker_replica_fetchers_brokers_changed (BrokerReplicaFetchers *fetchers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerReplicaFetchers, broker_replica_fetchers_free)

G_END_DECLS
