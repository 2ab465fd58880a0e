/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-sync.h: this broker's logs and replica roles, kept in
 * step with the cluster's topic view in ZooKeeper (cluster mode only). */
#pragma once

#include "broker.h"

G_BEGIN_DECLS

typedef struct _BrokerClusterSync BrokerClusterSync;

/* Reconciles the local logs with the view loaded by broker_cluster_start()
 * and follows its changes from then on. */
BrokerClusterSync *broker_cluster_sync_new  (Broker            *broker);
void               broker_cluster_sync_free (BrokerClusterSync *sync);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerClusterSync, broker_cluster_sync_free)

G_END_DECLS
