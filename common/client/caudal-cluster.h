/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-cluster.h: a client's view of a Kafka cluster: bootstrap
 * servers, connections per broker, the metadata cache, and requests routed
 * to any broker, a given node, the controller, or a group coordinator. */
#pragma once

#include "caudal-connection.h"

G_BEGIN_DECLS

#define CAUDAL_TYPE_CLUSTER (caudal_cluster_get_type ())
CAUDAL_CLIENT_EXPORT
G_DECLARE_FINAL_TYPE (CaudalCluster, caudal_cluster, CAUDAL, CLUSTER, GObject)

/* Special targets for caudal_cluster_request_async(). */
#define CAUDAL_NODE_ANY        (-1)
#define CAUDAL_NODE_CONTROLLER (-2)

typedef struct
{
  gint32   node_id;
  char    *host;
  guint16  port;
  char    *rack;
} CaudalBrokerInfo;

typedef struct
{
  gint32  partition;
  gint16  error;
  gint32  leader;
  gint32  leader_epoch;
  GArray *replicas;   /* gint32 */
  GArray *isr;        /* gint32 */
  GArray *offline;    /* gint32 */
} CaudalPartitionInfo;

typedef struct
{
  char       *name;
  CaudalUuid  id;
  gboolean    internal;
  gint16      error;
  GPtrArray  *partitions;   /* CaudalPartitionInfo*, by partition */
} CaudalTopicInfo;

/* @bootstrap_servers: "host:port[,host:port…]" (IPv6 as [addr]:port). */
CAUDAL_CLIENT_EXPORT CaudalCluster *caudal_cluster_new (const char *bootstrap_servers,
                                                        const char *client_id,
                                                        GError    **error);
CAUDAL_CLIENT_EXPORT void caudal_cluster_set_timeout (CaudalCluster *cluster,
                                                      guint          timeout_ms);
CAUDAL_CLIENT_EXPORT guint caudal_cluster_get_timeout (CaudalCluster *cluster);

/* Fetches metadata for @topics (NULL: every topic) into the cache.
 * @allow_auto_create: whether unknown topics may be created. */
CAUDAL_CLIENT_EXPORT void     caudal_cluster_refresh_metadata_async  (CaudalCluster      *cluster,
                                                                      const char *const  *topics,
                                                                      gboolean            allow_auto_create,
                                                                      GCancellable       *cancellable,
                                                                      GAsyncReadyCallback callback,
                                                                      gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_cluster_refresh_metadata_finish (CaudalCluster *cluster,
                                                                      GAsyncResult  *result,
                                                                      GError       **error);

/* The cache (valid until the next refresh). */
CAUDAL_CLIENT_EXPORT const char      *caudal_cluster_get_cluster_id    (CaudalCluster *cluster);
CAUDAL_CLIENT_EXPORT gint32           caudal_cluster_get_controller_id (CaudalCluster *cluster);
/* CaudalBrokerInfo*, sorted by node id. */
CAUDAL_CLIENT_EXPORT GPtrArray       *caudal_cluster_get_brokers       (CaudalCluster *cluster);
/* CaudalTopicInfo*, sorted by name: the topics of the last refresh. */
CAUDAL_CLIENT_EXPORT GPtrArray       *caudal_cluster_get_topics        (CaudalCluster *cluster);
CAUDAL_CLIENT_EXPORT CaudalTopicInfo *caudal_cluster_lookup_topic      (CaudalCluster *cluster,
                                                                        const char    *name);

/* Builds a request body for the negotiated @version, in @arena. */
typedef gpointer (*CaudalBuildFunc) (gint16       version,
                                     CaudalArena *arena,
                                     gpointer     user_data);

/* Sends one request to @node_id (or CAUDAL_NODE_ANY / _CONTROLLER),
 * connecting first if needed, at the highest version both sides support
 * up to @max_version (-1: ours). Connection failures to "any" broker try
 * the next one. */
CAUDAL_CLIENT_EXPORT void            caudal_cluster_request_async  (CaudalCluster      *cluster,
                                                                    gint32              node_id,
                                                                    gint16              api_key,
                                                                    gint16              max_version,
                                                                    CaudalBuildFunc     build,
                                                                    gpointer            build_data,
                                                                    GCancellable       *cancellable,
                                                                    GAsyncReadyCallback callback,
                                                                    gpointer            user_data);
CAUDAL_CLIENT_EXPORT CaudalResponse *caudal_cluster_request_finish (CaudalCluster *cluster,
                                                                    GAsyncResult  *result,
                                                                    GError       **error);

/* The connection to @node_id (NULL if unknown); connects lazily on the
 * next request. */
CAUDAL_CLIENT_EXPORT CaudalConnection *caudal_cluster_get_connection (CaudalCluster *cluster,
                                                                      gint32         node_id);

/* ---- running async calls from synchronous code (the CLI) ---- */

/* Use caudal_sync_callback as the GAsyncReadyCallback with a CaudalSync
 * as user data, then caudal_sync_wait() iterates the thread-default main
 * context until the call completes and returns its result (owned by the
 * CaudalSync; cleared by caudal_sync_clear()). */
typedef struct
{
  GAsyncResult *result;
} CaudalSync;

CAUDAL_CLIENT_EXPORT void          caudal_sync_callback (GObject      *source,
                                                         GAsyncResult *result,
                                                         gpointer      user_data);
CAUDAL_CLIENT_EXPORT GAsyncResult *caudal_sync_wait     (CaudalSync *sync);
CAUDAL_CLIENT_EXPORT void          caudal_sync_clear    (CaudalSync *sync);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaudalSync, caudal_sync_clear)

G_END_DECLS
