/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster.h: cluster membership through ZooKeeper (issue 9, first
 * slice): registration at /brokers/ids/<id>, controller election at
 * /controller, and a cache of the registered brokers for Metadata and
 * DescribeCluster. Only used when zookeeper.connect is set. */
#pragma once

#include <glib.h>

#include "broker.h"
#include "caudal-wire-types.h"

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

/* ---- Topics and partition state (issue 9, slice 2; docs/cluster.md) ----
 * Every broker watches /brokers/topics, each topic's assignment znode,
 * /config/topics/<t> and every partition's state znode, and keeps this
 * view. The controller creates missing partition states, elects leaders
 * from the ISR when brokers go or come back, and deletes topics listed
 * under /admin/delete_topics. Every controller write is a multi with a
 * check of /controller_epoch's version (KAFKA-6082); every state write is
 * conditional on the state znode's version. */

/**
 * BrokerClusterPartition:
 * @partition: its index
 * @replicas: (element-type gint32): the assignment; the first is the
 *   preferred leader
 * @leader: from the state znode; -1 when there is none
 * @leader_epoch: from the state znode; -1 while there is no state
 * @isr: (element-type gint32): from the state znode; empty without one
 * @controller_epoch: the epoch of the controller that last wrote the state
 * @state_version: the state znode's version; -1 while it does not exist
 */
typedef struct
{
  gint32  partition;
  GArray *replicas;
  gint32  leader;
  gint32  leader_epoch;
  GArray *isr;
  gint32  controller_epoch;
  gint32  state_version;
} BrokerClusterPartition;

/**
 * BrokerClusterTopic:
 * @name: the topic
 * @id: its topic_id (from the assignment znode)
 * @partitions: (element-type BrokerClusterPartition*): by index
 * @configs: char* → char*: the overrides in /config/topics/<name>
 * @deleting: listed under /admin/delete_topics
 */
typedef struct
{
  char       *name;
  CaudalUuid  id;
  GPtrArray  *partitions;
  GHashTable *configs;
  gboolean    deleting;
} BrokerClusterTopic;

/**
 * BrokerClusterHooks:
 * @topic_changed: a topic appeared, or its partitions, assignment or
 *   configs changed
 * @topic_removed: a topic's assignment znode is gone
 * @partition_changed: a partition's state (leader, leader epoch, ISR,
 *   version) or its assignment changed
 * @brokers_changed: the set of registered brokers changed
 *
 * How the broker hears about changes of the view. Each is called on the
 * main loop after the cache is updated; the pointers are valid until the
 * main loop runs again.
 */
typedef struct
{
  void (*topic_changed)     (gpointer user_data, const BrokerClusterTopic *topic);
  void (*topic_removed)     (gpointer user_data, const char *name);
  void (*partition_changed) (gpointer user_data, const BrokerClusterTopic *topic,
                             const BrokerClusterPartition *partition);
  void (*brokers_changed)   (gpointer user_data);
} BrokerClusterHooks;

void  broker_cluster_set_hooks (BrokerCluster            *cluster,
                                const BrokerClusterHooks *hooks,
                                gpointer                  user_data);

/* The cluster id from /cluster/id (created by the first broker). */
const char *broker_cluster_get_cluster_id (BrokerCluster *cluster);
gint32      broker_cluster_get_node_id    (BrokerCluster *cluster);
gboolean    broker_cluster_is_live        (BrokerCluster *cluster,
                                           gint32         broker_id);
/* FALSE between a session loss and re-registration: leader-only work
 * (accepting writes, ISR changes) must wait. */
gboolean    broker_cluster_is_registered  (BrokerCluster *cluster);

/* The topics in ZooKeeper, sorted by name (a new array of borrowed
 * pointers, valid until the main loop runs again). */
GPtrArray                    *broker_cluster_list_topics  (BrokerCluster *cluster);
const BrokerClusterTopic     *broker_cluster_lookup_topic (BrokerCluster *cluster,
                                                           const char    *name);
const BrokerClusterPartition *broker_cluster_lookup_partition (BrokerCluster *cluster,
                                                               const char    *name,
                                                               gint32         partition);

/* The topic with topic_id @id, or NULL. */
const BrokerClusterTopic     *broker_cluster_lookup_topic_id (BrokerCluster    *cluster,
                                                              const CaudalUuid *id);
/* The topic whose name differs from @name only in '.' versus '_'
 * (Kafka's Topic.hasCollision), or NULL. */
const BrokerClusterTopic     *broker_cluster_find_collision (BrokerCluster *cluster,
                                                             const char    *name);

/* Completion of a producer id claim: ids [@first, @last] (inclusive),
 * or @error_code (then @first and @last are -1). */
typedef void (*BrokerClusterIdsDone) (gint64      first,
                                      gint64      last,
                                      gint16      error_code,
                                      const char *message,
                                      gpointer    user_data);
/* Claims the next block of 1000 producer ids for this broker in
 * /latest_producer_id_block (docs/cluster.md). */
void broker_cluster_claim_producer_ids (BrokerCluster        *cluster,
                                        BrokerClusterIdsDone  done,
                                        gpointer              user_data);

/* Completion of an asynchronous cluster write: @error_code is a Kafka
 * error code (0 = done), @message a text for the response or NULL. */
typedef void (*BrokerClusterDone) (gint16      error_code,
                                   const char *message,
                                   gpointer    user_data);

/* Kafka's replica assignment (AdminUtils.assignReplicasToBrokers, rack
 * aware when every live broker has broker.rack) over the live brokers:
 * an array of @n_partitions GArray* of gint32, starting at partition
 * @first_partition. NULL with INVALID_REPLICATION_FACTOR's message when
 * @replication_factor exceeds the live brokers. */
GPtrArray *broker_cluster_assign_replicas (BrokerCluster *cluster,
                                           gint32         n_partitions,
                                           gint32         replication_factor,
                                           gint32         first_partition,
                                           GError       **error);
/* default.replication.factor for a cluster: the key when set explicitly,
 * else min(3, live brokers) (docs/cluster.md). */
gint32     broker_cluster_default_replication_factor (BrokerCluster *cluster);
/* Checks one manual replica assignment against the registered brokers,
 * with the messages of Kafka's validateManualPartitionAssignment:
 * non-empty, distinct, registered, @expected_rf replicas (unless -1).
 * Returns INVALID_REPLICA_ASSIGNMENT with a new *message, or 0. */
gint16     broker_cluster_check_assignment (BrokerCluster *cluster,
                                            const gint32  *broker_ids,
                                            gint32         n_broker_ids,
                                            gint32         expected_rf,
                                            char         **message);

/* Writes /config/topics/<name> and /brokers/topics/<name> in one multi
 * (TOPIC_ALREADY_EXISTS on NODEEXISTS), then completes once the
 * controller has created every partition's state and this broker has read
 * it (REQUEST_TIMED_OUT after @timeout_ms; the topic then still exists).
 * @assignments: GArray* of gint32 per partition; @configs: overrides. */
void broker_cluster_create_topic   (BrokerCluster     *cluster,
                                    const char        *name,
                                    GPtrArray         *assignments,
                                    GHashTable        *configs,
                                    gint32             timeout_ms,
                                    BrokerClusterDone  done,
                                    gpointer           user_data);
/* Creates /admin/delete_topics/<name>; completes when the topic has left
 * this broker's view (REQUEST_TIMED_OUT after @timeout_ms). */
void broker_cluster_delete_topic   (BrokerCluster     *cluster,
                                    const char        *name,
                                    gint32             timeout_ms,
                                    BrokerClusterDone  done,
                                    gpointer           user_data);
/* Adds partitions with @new_assignments (for partitions n..m) to the
 * assignment znode, conditional on its version; completes once their
 * states are read. */
void broker_cluster_add_partitions (BrokerCluster     *cluster,
                                    const char        *name,
                                    GPtrArray         *new_assignments,
                                    gint32             timeout_ms,
                                    BrokerClusterDone  done,
                                    gpointer           user_data);
/* Replaces /config/topics/<name> (the whole override set). */
void broker_cluster_set_topic_configs (BrokerCluster     *cluster,
                                       const char        *name,
                                       GHashTable        *configs,
                                       BrokerClusterDone  done,
                                       gpointer           user_data);
/* The partition leader's ISR change: sets the state znode to the same
 * leader and leader epoch with @isr, conditional on @expected_version
 * (Kafka ZK mode <= 2.6). On BADVERSION completes with
 * INVALID_UPDATE_VERSION (95); the
 * watch then brings the state that won. */
void broker_cluster_update_isr     (BrokerCluster     *cluster,
                                    const char        *topic,
                                    gint32             partition,
                                    gint32             leader_epoch,
                                    GArray            *isr,
                                    gint32             expected_version,
                                    BrokerClusterDone  done,
                                    gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerCluster, broker_cluster_free)

G_END_DECLS
