/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-private.h: what the files of broker/cluster share: the
 * cluster's state (membership, the topic view, the controller's fencing
 * version) and the calls between membership (broker-cluster.c), the view
 * (broker-cluster-topics.c), the controller (broker-controller.c) and the
 * writes any broker makes (broker-cluster-writes.c). Not for broker/. */
#pragma once

#include <json-glib/json-glib.h>
#include <zookeeper/zookeeper.h>

#include "broker-cluster.h"

G_BEGIN_DECLS

/* A topic of the view: the public part first, so a
 * BrokerClusterTopic* handed out casts back. */
typedef struct
{
  BrokerClusterTopic pub;
  gint32   assignment_version;  /* -1 until the assignment is read */
  gint32   config_version;      /* -1 while /config/topics/<t> is absent */
  gboolean config_read;
} ClusterTopic;

typedef struct
{
  BrokerClusterPartition pub;
  gboolean state_read;          /* a read answered (present or absent) */
  gboolean write_pending;       /* a controller write is in flight */
} ClusterPartition;

struct _BrokerCluster
{
  Broker     *broker;
  char       *servers;        /* host:port,... without the chroot */
  char       *root;           /* the chroot ("" for none): our path prefix */
  int         session_timeout_ms;
  gint32      id;
  char       *registration;   /* our /brokers/ids/<id> JSON */
  BrokerClusterNode *self;
  GPtrArray  *setup_paths;    /* persistent paths made before registering */
  guint       setup_step;
  zhandle_t  *zh;
  GSource    *source;
  guint       renew_id;       /* idle replacing an expired session */
  gboolean    closing;        /* inside zookeeper_close(): ignore callbacks */
  gboolean    freeing;        /* inside broker_cluster_free() */
  gboolean    registering;
  gboolean    registered;
  gboolean    pause_fenced;   /* the loop stalled: leader work waits for ZooKeeper */
  gboolean    view_stale;     /* since an expiry, until the view is read again */
  gboolean    was_connected;
  GError     *fatal;          /* why we must not start (duplicate id) */
  gboolean    started;        /* broker_cluster_start() has returned it */
  gint32      controller_id;  /* -1 while unknown */
  gint64      broker_epoch;   /* czxid of our registration (KIP-380), -1 when none */
  GHashTable *nodes;          /* id → BrokerClusterNode* */
  GHashTable *live_ids;       /* ids of the last /brokers/ids listing */

  /* The topic view (broker-cluster-topics.c). */
  char       *cluster_id;     /* from /cluster/id; NULL until read */
  GHashTable *topics;         /* name → ClusterTopic* (owned) */
  GHashTable *deleting;       /* names under /admin/delete_topics */
  gboolean    topics_listed;  /* the first /brokers/topics listing came */
  guint       view_reads;     /* view reads in flight (for the start) */
  GPtrArray  *waiters;        /* ClusterWaiter* (broker-cluster-writes.c) */
  BrokerClusterHooks hooks;
  gpointer    hooks_data;

  /* The controller (broker-controller.c): set only while we are it. */
  gint32      controller_epoch;      /* the epoch we won */
  gint32      epoch_zk_version;      /* /controller_epoch's version; -1: not controller */
  guint       rebalance_id;          /* leader.imbalance.check.interval.seconds */
  GHashTable *deletions_running;     /* topic names being deleted */
};

/* broker-cluster.c */
char     *broker_cluster_zpath        (BrokerCluster *c,
                                       const char    *rel);
gboolean  broker_cluster_is_connection_error (int rc);
/* A fenced controller write failed its epoch check: someone else moved
 * /controller_epoch. Re-reads /controller, deleting it if it still names
 * us, so that an election settles who leads. */
void      broker_cluster_controller_moved    (BrokerCluster *c);

/* broker-cluster-topics.c: the view. */
void      broker_cluster_view_init    (BrokerCluster *c);
void      broker_cluster_view_clear   (BrokerCluster *c);
/* (Re)reads everything and arms every watch: after registering in a new
 * session, and after a reconnect within one. */
void      broker_cluster_view_load    (BrokerCluster *c);
gboolean  broker_cluster_view_loaded  (BrokerCluster *c);
void      broker_cluster_view_brokers_changed (BrokerCluster *c);
/* A registration was read (a broker joined or moved): hooks only. */
void      broker_cluster_view_node_changed (BrokerCluster *c);
void      broker_cluster_read_state   (BrokerCluster *c,
                                       const char    *topic,
                                       gint32         partition);
ClusterTopic *broker_cluster_view_topic (BrokerCluster *c,
                                         const char    *name);
/* JSON helpers shared with the controller and the writes. */
JsonNode *broker_cluster_parse_json   (const char *value,
                                       int         len);
char     *broker_cluster_state_json   (gint32  leader,
                                       gint32  leader_epoch,
                                       GArray *isr,
                                       gint32  controller_epoch);
char     *broker_cluster_assignment_json (const CaudalUuid *id,
                                          GPtrArray        *assignments);
char     *broker_cluster_config_json  (GHashTable *configs);

/* broker-cluster-writes.c: waiters for view changes. */
void      broker_cluster_writes_check (BrokerCluster *c);
void      broker_cluster_writes_clear (BrokerCluster *c);

/* broker-controller.c */
gboolean  broker_controller_is_active (BrokerCluster *c);
void      broker_controller_elected   (BrokerCluster *c,
                                       gint32         epoch,
                                       gint32         epoch_zk_version);
void      broker_controller_resign    (BrokerCluster *c,
                                       const char    *why);
/* Re-checks every partition and the deletion queue. */
void      broker_controller_check_all (BrokerCluster *c);
void      broker_controller_check_topic (BrokerCluster *c,
                                         ClusterTopic  *topic);
void      broker_controller_check_partition (BrokerCluster    *c,
                                             ClusterTopic     *topic,
                                             ClusterPartition *partition);
void      broker_controller_check_deletions (BrokerCluster *c);

G_END_DECLS
