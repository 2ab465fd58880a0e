/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-requests.c: CreateTopics and DeleteTopics through
 * caudal_cluster_request_async(), sent to the controller at the highest
 * version both sides speak. */

#include <glib/gi18n.h>

#include "caudal-error-codes.h"
#include "desktop-requests.h"
#include "desktop-util.h"

typedef struct
{
  char       *name;
  gint32      partitions;
  gint16      replication_factor;
  GHashTable *configs;
} TopicOp;

static void
topic_op_free (TopicOp *op)
{
  g_free (op->name);
  g_clear_pointer (&op->configs, g_hash_table_unref);
  g_free (op);
}

/* Fails @task with @code, naming the broker that answered: admin
 * requests go to the controller. */
static void
return_kafka_error (GTask      *task,
                    gint16      code,
                    const char *detail)
{
  CaudalCluster *cluster = g_task_get_source_object (task);
  g_autofree char *broker = desktop_describe_broker (cluster, caudal_cluster_get_controller_id (cluster),
                                                     _("the cluster"));
  g_autoptr(GError) error = NULL;

  caudal_set_kafka_error (&error, code, detail);
  g_task_return_new_error (task, error->domain, error->code, _("%s (on %s)"), error->message, broker);
}

/* ---- CreateTopics ---- */

static gpointer
build_create (gint16       version,
              CaudalArena *arena,
              gpointer     user_data)
{
  TopicOp *op = user_data;
  CaudalCreateTopicsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_create_topics_request_desc, "topics");
  CaudalCreateTopicsRequestCreatableTopic *t;
  CaudalCreateTopicsRequestCreatableTopicConfig *c;
  GHashTableIter iter;
  gpointer k, v;
  guint i = 0;

  caudal_message_init (&caudal_create_topics_request_desc, req);
  req->timeout_ms = 30000;
  t = caudal_message_set_array (arena, &caudal_create_topics_request_desc, req, "topics", 1);
  t->name = caudal_arena_strdup (arena, op->name);
  /* -1 asks for the broker's defaults (KIP-464, v4+); older brokers need
   * numbers: Kafka's tool defaults there. */
  t->num_partitions = op->partitions > 0 ? op->partitions : (version >= 4 ? -1 : 1);
  t->replication_factor = op->replication_factor > 0 ? op->replication_factor : (version >= 4 ? -1 : 1);
  c = caudal_message_set_array (arena, topic_desc, t, "configs",
                                op->configs != NULL ? g_hash_table_size (op->configs) : 0);
  if (op->configs != NULL)
    {
      g_hash_table_iter_init (&iter, op->configs);
      while (g_hash_table_iter_next (&iter, &k, &v))
        {
          c[i].name = caudal_arena_strdup (arena, k);
          c[i].value = caudal_arena_strdup (arena, v);
          i++;
        }
    }
  return req;
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_cluster_request_finish (CAUDAL_CLUSTER (source), result, &error);
  CaudalCreateTopicsResponse *body;

  if (resp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  body = resp->body;
  if (body->n_topics < 1)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                               _("The broker answered no topic"));
      return;
    }
  if (body->topics[0].error_code != CAUDAL_ERROR_CODE_NONE)
    {
      return_kafka_error (task, body->topics[0].error_code, body->topics[0].error_message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
desktop_create_topic_async (CaudalCluster      *cluster,
                            const char         *name,
                            gint32              partitions,
                            gint16              replication_factor,
                            GHashTable         *configs,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;
  TopicOp *op;

  g_return_if_fail (CAUDAL_IS_CLUSTER (cluster));
  g_return_if_fail (name != NULL);

  task = g_task_new (cluster, cancellable, callback, user_data);
  g_task_set_source_tag (task, desktop_create_topic_async);
  op = g_new0 (TopicOp, 1);
  op->name = g_strdup (name);
  op->partitions = partitions;
  op->replication_factor = replication_factor;
  op->configs = configs != NULL ? g_hash_table_ref (configs) : NULL;
  g_task_set_task_data (task, op, (GDestroyNotify) topic_op_free);
  caudal_cluster_request_async (cluster, CAUDAL_NODE_CONTROLLER, CAUDAL_API_KEY_CREATE_TOPICS, -1,
                                build_create, op, cancellable, on_created, task);
}

gboolean
desktop_create_topic_finish (CaudalCluster *cluster,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cluster), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- DeleteTopics ---- */

static gpointer
build_delete (gint16       version,
              CaudalArena *arena,
              gpointer     user_data)
{
  TopicOp *op = user_data;
  CaudalDeleteTopicsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_delete_topics_request_desc, req);
  req->timeout_ms = 30000;
  if (version >= 6)
    {
      /* v6 names topics by name or id (KIP-516). */
      CaudalDeleteTopicsRequestDeleteTopicState *t =
        caudal_message_set_array (arena, &caudal_delete_topics_request_desc, req, "topics", 1);
      t->name = caudal_arena_strdup (arena, op->name);
    }
  else
    {
      req->n_topic_names = 1;
      req->topic_names = caudal_arena_alloc (arena, sizeof (char *));
      req->topic_names[0] = caudal_arena_strdup (arena, op->name);
    }
  return req;
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_cluster_request_finish (CAUDAL_CLUSTER (source), result, &error);
  CaudalDeleteTopicsResponse *body;

  if (resp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  body = resp->body;
  if (body->n_responses > 0 && body->responses[0].error_code != CAUDAL_ERROR_CODE_NONE)
    {
      return_kafka_error (task, body->responses[0].error_code, body->responses[0].error_message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
desktop_delete_topic_async (CaudalCluster      *cluster,
                            const char         *name,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;
  TopicOp *op;

  g_return_if_fail (CAUDAL_IS_CLUSTER (cluster));
  g_return_if_fail (name != NULL);

  task = g_task_new (cluster, cancellable, callback, user_data);
  g_task_set_source_tag (task, desktop_delete_topic_async);
  op = g_new0 (TopicOp, 1);
  op->name = g_strdup (name);
  g_task_set_task_data (task, op, (GDestroyNotify) topic_op_free);
  caudal_cluster_request_async (cluster, CAUDAL_NODE_CONTROLLER, CAUDAL_API_KEY_DELETE_TOPICS, -1,
                                build_delete, op, cancellable, on_deleted, task);
}

gboolean
desktop_delete_topic_finish (CaudalCluster *cluster,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cluster), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
