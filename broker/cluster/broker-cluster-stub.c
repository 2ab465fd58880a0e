/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-stub.c: cluster mode when caudald was built without the
 * ZooKeeper C client (libzookeeper-st-dev) or json-glib: it refuses to
 * start with zookeeper.connect set, and says why. */

#include "broker-cluster.h"

gboolean
broker_cluster_is_supported (void)
{
  return FALSE;
}

BrokerCluster *
broker_cluster_start (Broker  *broker,
                      GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "zookeeper.connect is set, but cluster mode is not built into this caudald "
               "(it needs libzookeeper-st-dev and json-glib at build time)");
  return NULL;
}

void
broker_cluster_free (BrokerCluster *cluster)
{
  g_return_if_fail (cluster == NULL);
}

gint32
broker_cluster_get_controller_id (BrokerCluster *cluster)
{
  return -1;
}

GPtrArray *
broker_cluster_list_nodes (BrokerCluster *cluster)
{
  return g_ptr_array_new ();
}

void
broker_cluster_node_endpoint (const BrokerClusterNode *node,
                              const char              *listener_name,
                              const char             **host,
                              guint16                 *port)
{
  *host = node->host;
  *port = node->port;
}
