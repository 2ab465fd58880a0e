/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-cluster.c: bootstrap, metadata cache, routing. */

#include "caudal-cluster.h"

#include <stdlib.h>
#include <string.h>

#include "caudal-error-codes.h"

struct _CaudalCluster
{
  GObject     parent_instance;
  char       *client_id;
  guint       timeout_ms;
  GPtrArray  *bootstrap;      /* CaudalConnection*, in the given order */
  GHashTable *connections;    /* node id → CaudalConnection* */
  GPtrArray  *brokers;        /* CaudalBrokerInfo* */
  GPtrArray  *topics;         /* CaudalTopicInfo* */
  char       *cluster_id;
  gint32      controller_id;
};

G_DEFINE_FINAL_TYPE (CaudalCluster, caudal_cluster, G_TYPE_OBJECT)

static void
broker_info_free (CaudalBrokerInfo *b)
{
  g_free (b->host);
  g_free (b->rack);
  g_free (b);
}

static void
partition_info_free (CaudalPartitionInfo *p)
{
  g_array_unref (p->replicas);
  g_array_unref (p->isr);
  g_array_unref (p->offline);
  g_free (p);
}

static void
topic_info_free (CaudalTopicInfo *t)
{
  g_free (t->name);
  g_ptr_array_unref (t->partitions);
  g_free (t);
}

/* An open connection's read holds a reference to it: dropping ours
 * without a close would leave it, and its socket, open for good. No
 * request is in flight here (each holds the cluster). */
static void
caudal_cluster_dispose (GObject *object)
{
  CaudalCluster *cluster = CAUDAL_CLUSTER (object);
  GHashTableIter iter;
  gpointer conn;

  for (guint i = 0; i < cluster->bootstrap->len; i++)
    caudal_connection_close (g_ptr_array_index (cluster->bootstrap, i));
  g_hash_table_iter_init (&iter, cluster->connections);
  while (g_hash_table_iter_next (&iter, NULL, &conn))
    caudal_connection_close (conn);
  G_OBJECT_CLASS (caudal_cluster_parent_class)->dispose (object);
}

static void
caudal_cluster_finalize (GObject *object)
{
  CaudalCluster *cluster = CAUDAL_CLUSTER (object);

  g_free (cluster->client_id);
  g_ptr_array_unref (cluster->bootstrap);
  g_hash_table_unref (cluster->connections);
  g_ptr_array_unref (cluster->brokers);
  g_ptr_array_unref (cluster->topics);
  g_free (cluster->cluster_id);
  G_OBJECT_CLASS (caudal_cluster_parent_class)->finalize (object);
}

static void
caudal_cluster_class_init (CaudalClusterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = caudal_cluster_dispose;
  G_OBJECT_CLASS (klass)->finalize = caudal_cluster_finalize;
}

static void
caudal_cluster_init (CaudalCluster *cluster)
{
  cluster->timeout_ms = 30000;
  cluster->bootstrap = g_ptr_array_new_with_free_func (g_object_unref);
  cluster->connections = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  cluster->brokers = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_info_free);
  cluster->topics = g_ptr_array_new_with_free_func ((GDestroyNotify) topic_info_free);
  cluster->controller_id = -1;
}

/* "host:port", "[v6]:port", or a bare host (port 9092). */
static gboolean
parse_server (const char *text,
              char      **host,
              guint16    *port,
              GError    **error)
{
  g_autofree char *s = g_strstrip (g_strdup (text));
  const char *colon;
  guint64 p = 9092;

  if (*s == '[')
    {
      char *end = strchr (s, ']');
      if (end == NULL)
        goto bad;
      *host = g_strndup (s + 1, (gsize) (end - s - 1));
      colon = end[1] == ':' ? end + 1 : NULL;
    }
  else
    {
      colon = strrchr (s, ':');
      *host = colon != NULL ? g_strndup (s, (gsize) (colon - s)) : g_strdup (s);
    }
  if (**host == '\0')
    {
      g_clear_pointer (host, g_free);
      goto bad;
    }
  if (colon != NULL && (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &p, NULL)))
    {
      g_clear_pointer (host, g_free);
      goto bad;
    }
  *port = (guint16) p;
  return TRUE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "invalid bootstrap server '%s' (expected HOST:PORT)", text);
  return FALSE;
}

CaudalCluster *
caudal_cluster_new (const char *bootstrap_servers,
                    const char *client_id,
                    GError    **error)
{
  g_autoptr(CaudalCluster) cluster = g_object_new (CAUDAL_TYPE_CLUSTER, NULL);
  g_auto(GStrv) parts = g_strsplit (bootstrap_servers != NULL ? bootstrap_servers : "", ",", -1);

  cluster->client_id = g_strdup (client_id != NULL ? client_id : "caudal");
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      guint16 port;

      if (*g_strstrip (parts[i]) == '\0')
        continue;
      if (!parse_server (parts[i], &host, &port, error))
        return NULL;
      g_ptr_array_add (cluster->bootstrap, caudal_connection_new (host, port, cluster->client_id));
    }
  if (cluster->bootstrap->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no bootstrap server given");
      return NULL;
    }
  return g_steal_pointer (&cluster);
}

void
caudal_cluster_set_timeout (CaudalCluster *cluster,
                            guint          timeout_ms)
{
  cluster->timeout_ms = timeout_ms;
  for (guint i = 0; i < cluster->bootstrap->len; i++)
    caudal_connection_set_timeout (g_ptr_array_index (cluster->bootstrap, i), timeout_ms);
}

guint
caudal_cluster_get_timeout (CaudalCluster *cluster)
{
  return cluster->timeout_ms;
}

const char *
caudal_cluster_get_cluster_id (CaudalCluster *cluster)
{
  return cluster->cluster_id;
}

gint32
caudal_cluster_get_controller_id (CaudalCluster *cluster)
{
  return cluster->controller_id;
}

GPtrArray *
caudal_cluster_get_brokers (CaudalCluster *cluster)
{
  return cluster->brokers;
}

GPtrArray *
caudal_cluster_get_topics (CaudalCluster *cluster)
{
  return cluster->topics;
}

CaudalTopicInfo *
caudal_cluster_lookup_topic (CaudalCluster *cluster,
                             const char    *name)
{
  for (guint i = 0; i < cluster->topics->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (cluster->topics, i);
      if (g_strcmp0 (t->name, name) == 0)
        return t;
    }
  return NULL;
}

static CaudalBrokerInfo *
lookup_broker (CaudalCluster *cluster,
               gint32         node_id)
{
  for (guint i = 0; i < cluster->brokers->len; i++)
    {
      CaudalBrokerInfo *b = g_ptr_array_index (cluster->brokers, i);
      if (b->node_id == node_id)
        return b;
    }
  return NULL;
}

CaudalConnection *
caudal_cluster_get_connection (CaudalCluster *cluster,
                               gint32         node_id)
{
  CaudalConnection *conn = g_hash_table_lookup (cluster->connections, GINT_TO_POINTER (node_id));
  CaudalBrokerInfo *b;

  if (conn != NULL)
    return conn;
  b = lookup_broker (cluster, node_id);
  if (b == NULL)
    return NULL;
  /* Reuse a bootstrap connection to the same address. */
  for (guint i = 0; i < cluster->bootstrap->len; i++)
    {
      CaudalConnection *c = g_ptr_array_index (cluster->bootstrap, i);
      if (g_strcmp0 (caudal_connection_get_host (c), b->host) == 0
          && caudal_connection_get_port (c) == b->port)
        {
          g_hash_table_insert (cluster->connections, GINT_TO_POINTER (node_id), g_object_ref (c));
          return c;
        }
    }
  conn = caudal_connection_new (b->host, b->port, cluster->client_id);
  caudal_connection_set_timeout (conn, cluster->timeout_ms);
  g_hash_table_insert (cluster->connections, GINT_TO_POINTER (node_id), conn);
  return conn;
}

/* ---- requests ---- */

typedef struct
{
  gint32          node_id;
  gint16          api_key;
  gint16          max_version;
  CaudalBuildFunc build;
  gpointer        build_data;
  GPtrArray      *candidates;   /* CaudalConnection* to try in order */
  guint           next;
  CaudalArena    *arena;
  GError         *last_error;
} RequestOp;

static void
request_op_free (RequestOp *op)
{
  g_ptr_array_unref (op->candidates);
  g_clear_pointer (&op->arena, caudal_arena_free);
  g_clear_error (&op->last_error);
  g_free (op);
}

static void try_next (GTask *task);

static void
on_response (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CaudalResponse *resp = caudal_connection_request_finish (CAUDAL_CONNECTION (source), result, &error);

  if (resp == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, resp, (GDestroyNotify) caudal_response_free);
}

static void
send_on (GTask            *task,
         CaudalConnection *conn)
{
  RequestOp *op = g_task_get_task_data (task);
  gint16 version = caudal_connection_pick_version (conn, op->api_key, op->max_version);
  const CaudalApiDesc *api = caudal_api_lookup (op->api_key);
  gpointer body;

  if (version < 0)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                               "the broker at %s:%u does not support %s in a version caudal speaks",
                               caudal_connection_get_host (conn), caudal_connection_get_port (conn),
                               api != NULL ? api->name : "this request");
      g_object_unref (task);
      return;
    }
  g_clear_pointer (&op->arena, caudal_arena_free);
  op->arena = caudal_arena_new (0);
  body = op->build (version, op->arena, op->build_data);
  caudal_connection_request_async (conn, op->api_key, version, body, TRUE,
                                   g_task_get_cancellable (task), on_response, task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  RequestOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!caudal_connection_connect_finish (CAUDAL_CONNECTION (source), result, &error))
    {
      g_clear_error (&op->last_error);
      op->last_error = error;
      try_next (task);
      return;
    }
  send_on (task, CAUDAL_CONNECTION (source));
}

/* Takes over @task's reference. */
static void
try_next (GTask *task)
{
  RequestOp *op = g_task_get_task_data (task);
  CaudalConnection *conn;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (op->next >= op->candidates->len)
    {
      g_task_return_error (task, op->last_error != NULL
                                   ? g_steal_pointer (&op->last_error)
                                   : g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_NOT_FOUND,
                                                  "no broker to send the request to"));
      g_object_unref (task);
      return;
    }
  conn = g_ptr_array_index (op->candidates, op->next++);
  if (caudal_connection_is_connected (conn))
    send_on (task, conn);
  else
    caudal_connection_connect_async (conn, g_task_get_cancellable (task), on_connected, task);
}

static void
start_request (GTask *task)
{
  CaudalCluster *cluster = g_task_get_source_object (task);
  RequestOp *op = g_task_get_task_data (task);
  gint32 node = op->node_id == CAUDAL_NODE_CONTROLLER ? cluster->controller_id : op->node_id;

  /* A controller id that names no listed broker (some brokers report
   * one; protocol-matrix.md gotcha 15): any broker will forward. */
  if (op->node_id == CAUDAL_NODE_CONTROLLER && caudal_cluster_get_connection (cluster, node) == NULL)
    node = CAUDAL_NODE_ANY;
  if (node >= 0)
    {
      CaudalConnection *conn = caudal_cluster_get_connection (cluster, node);
      if (conn == NULL)
        {
          g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_NOT_FOUND,
                                   "broker %d is not in the cluster's metadata", node);
          g_object_unref (task);
          return;
        }
      g_ptr_array_add (op->candidates, g_object_ref (conn));
    }
  else
    {
      /* Connected ones first, then the rest: one round trip when we can. */
      GHashTableIter iter;
      gpointer value;
      g_hash_table_iter_init (&iter, cluster->connections);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (caudal_connection_is_connected (value))
          g_ptr_array_add (op->candidates, g_object_ref (value));
      for (guint i = 0; i < cluster->bootstrap->len; i++)
        {
          CaudalConnection *c = g_ptr_array_index (cluster->bootstrap, i);
          if (!g_ptr_array_find (op->candidates, c, NULL))
            g_ptr_array_add (op->candidates, g_object_ref (c));
        }
    }
  try_next (task);
}

static void
on_controller_metadata (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!caudal_cluster_refresh_metadata_finish (CAUDAL_CLUSTER (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  start_request (task);
}

void
caudal_cluster_request_async (CaudalCluster      *cluster,
                              gint32              node_id,
                              gint16              api_key,
                              gint16              max_version,
                              CaudalBuildFunc     build,
                              gpointer            build_data,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask *task = g_task_new (cluster, cancellable, callback, user_data);
  RequestOp *op = g_new0 (RequestOp, 1);

  g_task_set_source_tag (task, caudal_cluster_request_async);
  op->node_id = node_id;
  op->api_key = api_key;
  op->max_version = max_version;
  op->build = build;
  op->build_data = build_data;
  op->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, op, (GDestroyNotify) request_op_free);
  if (node_id == CAUDAL_NODE_CONTROLLER && cluster->controller_id < 0)
    {
      /* Admin requests go to the controller: learn who it is first. */
      caudal_cluster_refresh_metadata_async (cluster, (const char *const[]) { NULL }, FALSE,
                                             cancellable, on_controller_metadata, task);
      return;
    }
  start_request (task);
}

CaudalResponse *
caudal_cluster_request_finish (CaudalCluster *cluster,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cluster), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- metadata ---- */

typedef struct
{
  char   **topics;   /* NULL: all */
  gboolean allow_auto_create;
} MetadataOp;

static void
metadata_op_free (MetadataOp *op)
{
  g_strfreev (op->topics);
  g_free (op);
}

static gpointer
build_metadata (gint16       version,
                CaudalArena *arena,
                gpointer     user_data)
{
  MetadataOp *op = user_data;
  CaudalMetadataRequest *req = caudal_arena_alloc (arena, sizeof *req);
  guint n = op->topics != NULL ? g_strv_length (op->topics) : 0;

  caudal_message_init (&caudal_metadata_request_desc, req);
  if (op->topics == NULL)
    {
      /* Every topic: null from v1, an empty list in v0. */
      req->n_topics = version >= 1 ? -1 : 0;
    }
  else
    {
      CaudalMetadataRequestMetadataRequestTopic *t =
        caudal_message_set_array (arena, &caudal_metadata_request_desc, req, "topics", n);
      for (guint i = 0; i < n; i++)
        t[i].name = op->topics[i];
    }
  req->allow_auto_topic_creation = op->allow_auto_create;
  return req;
}

static gint
compare_brokers (gconstpointer a,
                 gconstpointer b)
{
  const CaudalBrokerInfo *x = *(CaudalBrokerInfo *const *) a, *y = *(CaudalBrokerInfo *const *) b;

  return (x->node_id > y->node_id) - (x->node_id < y->node_id);
}

static gint
compare_topics (gconstpointer a,
                gconstpointer b)
{
  return strcmp ((*(CaudalTopicInfo *const *) a)->name, (*(CaudalTopicInfo *const *) b)->name);
}

static GArray *
int_array (const gint32 *items,
           gint32        n)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (gint32));

  if (n > 0)
    g_array_append_vals (a, items, (guint) n);
  return a;
}

static void
store_metadata (CaudalCluster                *cluster,
                const CaudalMetadataResponse *md)
{
  g_ptr_array_set_size (cluster->brokers, 0);
  for (gint32 i = 0; i < md->n_brokers; i++)
    {
      CaudalBrokerInfo *b = g_new0 (CaudalBrokerInfo, 1);

      b->node_id = md->brokers[i].node_id;
      b->host = g_strdup (md->brokers[i].host);
      b->port = (guint16) md->brokers[i].port;
      b->rack = g_strdup (md->brokers[i].rack);
      g_ptr_array_add (cluster->brokers, b);
      /* A broker that moved gets a new connection. */
      if (g_hash_table_contains (cluster->connections, GINT_TO_POINTER (b->node_id)))
        {
          CaudalConnection *c = g_hash_table_lookup (cluster->connections, GINT_TO_POINTER (b->node_id));
          if (g_strcmp0 (caudal_connection_get_host (c), b->host) != 0
              || caudal_connection_get_port (c) != b->port)
            g_hash_table_remove (cluster->connections, GINT_TO_POINTER (b->node_id));
        }
    }
  g_ptr_array_sort (cluster->brokers, compare_brokers);
  g_free (cluster->cluster_id);
  cluster->cluster_id = g_strdup (md->cluster_id);
  cluster->controller_id = md->controller_id;

  g_ptr_array_set_size (cluster->topics, 0);
  for (gint32 i = 0; i < md->n_topics; i++)
    {
      const CaudalMetadataResponseMetadataResponseTopic *in = &md->topics[i];
      CaudalTopicInfo *t = g_new0 (CaudalTopicInfo, 1);

      t->name = g_strdup (in->name);
      t->id = in->topic_id;
      t->internal = in->is_internal;
      t->error = in->error_code;
      t->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_info_free);
      for (gint32 p = 0; p < in->n_partitions; p++)
        {
          CaudalPartitionInfo *pi = g_new0 (CaudalPartitionInfo, 1);
          pi->partition = in->partitions[p].partition_index;
          pi->error = in->partitions[p].error_code;
          pi->leader = in->partitions[p].leader_id;
          pi->leader_epoch = in->partitions[p].leader_epoch;
          pi->replicas = int_array (in->partitions[p].replica_nodes, in->partitions[p].n_replica_nodes);
          pi->isr = int_array (in->partitions[p].isr_nodes, in->partitions[p].n_isr_nodes);
          pi->offline = int_array (in->partitions[p].offline_replicas, in->partitions[p].n_offline_replicas);
          g_ptr_array_add (t->partitions, pi);
        }
      g_ptr_array_add (cluster->topics, t);
    }
  g_ptr_array_sort (cluster->topics, compare_topics);
}

static void
on_metadata (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalCluster *cluster = CAUDAL_CLUSTER (source);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_cluster_request_finish (cluster, result, &error);

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  store_metadata (cluster, resp->body);
  g_task_return_boolean (task, TRUE);
}

void
caudal_cluster_refresh_metadata_async (CaudalCluster      *cluster,
                                       const char *const  *topics,
                                       gboolean            allow_auto_create,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GTask *task = g_task_new (cluster, cancellable, callback, user_data);
  MetadataOp *op = g_new0 (MetadataOp, 1);

  g_task_set_source_tag (task, caudal_cluster_refresh_metadata_async);
  /* An empty, non-NULL list asks for no topics (brokers and controller
   * only); NULL asks for all. */
  op->topics = topics != NULL ? g_strdupv ((char **) topics) : NULL;
  op->allow_auto_create = allow_auto_create;
  g_task_set_task_data (task, op, (GDestroyNotify) metadata_op_free);
  caudal_cluster_request_async (cluster, CAUDAL_NODE_ANY, CAUDAL_API_KEY_METADATA,
                                /* v1+ tells "no topics" from "all" */
                                -1, build_metadata, op, cancellable, on_metadata, task);
}

gboolean
caudal_cluster_refresh_metadata_finish (CaudalCluster *cluster,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cluster), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- sync helpers ---- */

void
caudal_sync_callback (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CaudalSync *sync = user_data;

  sync->result = g_object_ref (result);
}

GAsyncResult *
caudal_sync_wait (CaudalSync *sync)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (sync->result == NULL)
    g_main_context_iteration (context, TRUE);
  return sync->result;
}

void
caudal_sync_clear (CaudalSync *sync)
{
  g_clear_object (&sync->result);
}
