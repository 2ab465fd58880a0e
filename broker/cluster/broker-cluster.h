/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster.h: cluster membership through ZooKeeper (issue 9, first
 * slice): registration at /brokers/ids/<id>, controller election at
 * /controller, and a cache of the registered brokers for Metadata and
 * DescribeCluster. Only used when zookeeper.connect is set. */
#pragma once

#include <glib.h>

#include "broker.h"

G_BEGIN_DECLS

typedef struct _BrokerCluster BrokerCluster;

/**
 * BrokerClusterNode:
 * @id: broker.id
 * @host: the host of its first endpoint
 * @port: the port of its first endpoint
 * @rack: (nullable): broker.rack
 * @endpoints: "LISTENER://host:port" strings, as registered
 *
 * One registered broker, as read from /brokers/ids/<id>.
 */
typedef struct
{
  gint32   id;
  char    *host;
  guint16  port;
  char    *rack;
  GStrv    endpoints;
} BrokerClusterNode;

/* Whether this caudald was built with the ZooKeeper client. */
gboolean       broker_cluster_is_supported (void);

/* Connects to zookeeper.connect and registers @broker (its endpoints must
 * be bound). Runs the main context until registered, refused (duplicate
 * broker.id) or zookeeper.connection.timeout.ms passes. */
BrokerCluster *broker_cluster_start        (Broker  *broker,
                                            GError **error);
/* Closes the session: our registration (and controllership) go at once. */
void           broker_cluster_free         (BrokerCluster *cluster);

/* The controller's broker id, or -1 while unknown. */
gint32         broker_cluster_get_controller_id (BrokerCluster *cluster);
/* The registered brokers, by id: a new array of borrowed
 * BrokerClusterNode*, valid until the main loop runs again. This broker
 * is always among them. */
GPtrArray     *broker_cluster_list_nodes   (BrokerCluster *cluster);
/* @node's host and port for clients that came in on @listener_name: the
 * endpoint of that name, else the first. */
void           broker_cluster_node_endpoint (const BrokerClusterNode *node,
                                             const char              *listener_name,
                                             const char             **host,
                                             guint16                 *port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerCluster, broker_cluster_free)

G_END_DECLS
