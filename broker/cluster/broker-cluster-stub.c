/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-stub.c: cluster mode when caudald was built without the
 * ZooKeeper C client (libzookeeper-st-dev) or json-glib: it refuses to
 * start with zookeeper.connect set, and says why. */

#include "broker-cluster.h"
#include "caudal-error-codes.h"

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

/* The topic view: without cluster mode there is none (a broker that
 * refuses to start never calls these; they exist so caudald links). */

void
broker_cluster_set_hooks (BrokerCluster            *cluster,
                          const BrokerClusterHooks *hooks,
                          gpointer                  user_data)
{
}

const char *
broker_cluster_get_cluster_id (BrokerCluster *cluster)
{
  return NULL;
}

gint32
broker_cluster_get_node_id (BrokerCluster *cluster)
{
  return -1;
}

gboolean
broker_cluster_is_live (BrokerCluster *cluster,
                        gint32         broker_id)
{
  return FALSE;
}

gboolean
broker_cluster_is_registered (BrokerCluster *cluster)
{
  return FALSE;
}

GPtrArray *
broker_cluster_list_topics (BrokerCluster *cluster)
{
  return g_ptr_array_new ();
}

const BrokerClusterTopic *
broker_cluster_lookup_topic (BrokerCluster *cluster,
                             const char    *name)
{
  return NULL;
}

const BrokerClusterPartition *
broker_cluster_lookup_partition (BrokerCluster *cluster,
                                 const char    *name,
                                 gint32         partition)
{
  return NULL;
}

GPtrArray *
broker_cluster_assign_replicas (BrokerCluster *cluster,
                                gint32         n_partitions,
                                gint32         replication_factor,
                                gint32         first_partition,
                                GError       **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "cluster mode is not built in");
  return NULL;
}

/* The writes complete at once with UNKNOWN_SERVER_ERROR. */
#define NOT_BUILT(done, user_data) \
  (done) (CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR, "cluster mode is not built in", (user_data))

void
broker_cluster_create_topic (BrokerCluster     *cluster,
                             const char        *name,
                             GPtrArray         *assignments,
                             GHashTable        *configs,
                             gint32             timeout_ms,
                             BrokerClusterDone  done,
                             gpointer           user_data)
{
  NOT_BUILT (done, user_data);
}

void
broker_cluster_delete_topic (BrokerCluster     *cluster,
                             const char        *name,
                             gint32             timeout_ms,
                             BrokerClusterDone  done,
                             gpointer           user_data)
{
  NOT_BUILT (done, user_data);
}

void
broker_cluster_add_partitions (BrokerCluster     *cluster,
                               const char        *name,
                               GPtrArray         *new_assignments,
                               gint32             timeout_ms,
                               BrokerClusterDone  done,
                               gpointer           user_data)
{
  NOT_BUILT (done, user_data);
}

void
broker_cluster_set_topic_configs (BrokerCluster     *cluster,
                                  const char        *name,
                                  GHashTable        *configs,
                                  BrokerClusterDone  done,
                                  gpointer           user_data)
{
  NOT_BUILT (done, user_data);
}

void
broker_cluster_update_isr (BrokerCluster     *cluster,
                           const char        *topic,
                           gint32             partition,
                           gint32             leader_epoch,
                           GArray            *isr,
                           gint32             expected_version,
                           BrokerClusterDone  done,
                           gpointer           user_data)
{
  NOT_BUILT (done, user_data);
}

gint32
broker_cluster_default_replication_factor (BrokerCluster *cluster)
{
  return 1;
}

gint16
broker_cluster_check_assignment (BrokerCluster *cluster,
                                 const gint32  *broker_ids,
                                 gint32         n_broker_ids,
                                 gint32         expected_rf,
                                 char         **message)
{
  *message = g_strdup ("cluster mode is not built in");
  return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
}

const BrokerClusterTopic *
broker_cluster_find_collision (BrokerCluster *cluster,
                               const char    *name)
{
  return NULL;
}

const BrokerClusterTopic *
broker_cluster_lookup_topic_id (BrokerCluster    *cluster,
                                const CaudalUuid *id)
{
  return NULL;
}

void
broker_cluster_claim_producer_ids (BrokerCluster        *cluster,
                                   BrokerClusterIdsDone  done,
                                   gpointer              user_data)
{
  done (-1, -1, CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE, "cluster mode is not built in", user_data);
}
