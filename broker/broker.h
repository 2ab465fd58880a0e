/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker.h: the broker as a whole: configuration, topics, the network
 * server, and their start and graceful stop. One per process. */
#pragma once

#include <gio/gio.h>

#include "broker-config.h"
#include "broker-listeners.h"
#include "caudal-wire-types.h"

G_BEGIN_DECLS

typedef struct _Broker          Broker;
typedef struct _BrokerServer    BrokerServer;
typedef struct _BrokerTopics    BrokerTopics;
typedef struct _BrokerProducers BrokerProducers;
typedef struct _BrokerFetchWaiters BrokerFetchWaiters;
typedef struct _BrokerMetaStore BrokerMetaStore;
typedef struct _BrokerGroupCoordinator BrokerGroupCoordinator;
typedef struct _BrokerGroupStore BrokerGroupStore;
typedef struct _BrokerCluster   BrokerCluster;
typedef struct _BrokerClusterSync BrokerClusterSync;

/* An address clients are told to use: one per listener. */
typedef struct
{
  char   *name;
  char   *host;
  guint16 port;
} BrokerEndpoint;

struct _Broker
{
  BrokerConfig       *config;
  gint32              node_id;
  char               *cluster_id;
  char               *data_dir;       /* the first of log.dirs */
  BrokerMetaStore    *store;
  BrokerTopics       *topics;
  BrokerServer       *server;
  BrokerProducers    *producers;
  BrokerFetchWaiters *fetch_waiters;
  BrokerGroupStore   *group_store;    /* __consumer_offsets */
  BrokerGroupCoordinator *groups;
  guint               group_timer_id;
  GPtrArray          *endpoints;      /* BrokerEndpoint*, advertised */
  BrokerCluster      *cluster;        /* NULL unless zookeeper.connect is set */
  BrokerClusterSync  *cluster_sync;   /* logs and replicas following the cluster */
  guint               housekeeping_id;
  guint               flush_scheduler_id;
  gboolean            stopping;
};

/* Opens the data directory (recovering every partition) but does not
 * listen yet. */
Broker  *broker_new             (BrokerConfig *config,
                                 GError      **error);
/* Binds every listener; writes @ready_file ("NAME HOST PORT" lines) when
 * set, once all are bound. */
gboolean broker_start           (Broker      *broker,
                                 const char  *ready_file,
                                 GError     **error);
/* Stops accepting, lets in-flight requests finish (up to @timeout_ms),
 * then calls @done on the main context. */
void     broker_stop            (Broker      *broker,
                                 guint        timeout_ms,
                                 GSourceFunc  done,
                                 gpointer     user_data);
/* Flushes and closes the logs, frees everything. */
void     broker_free            (Broker *broker);
/* The advertised endpoint clients should use for @listener_name (or the
 * first one when NULL). */
const BrokerEndpoint *broker_get_endpoint (Broker     *broker,
                                           const char *listener_name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Broker, broker_free)

G_END_DECLS
