/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin-topics.c: the operations that change topics, each one
 * request to the controller with one result code: CreateTopics (and,
 * validate-only, a new topic's default configs), DeleteTopics and
 * CreatePartitions. Listing and describing topics are in caudal-admin.c. */

#include "caudal-admin-private.h"

#include <string.h>

/* ---- one request, one result code ---- */

/* The result code and message of a response with one entry. */
typedef gint16 (*ResultFunc) (CaudalResponse *resp,
                              const char    **detail);
/* What a successful response holds, for a call that returns more than
 * success; NULL with @error set when it holds nothing usable. */
typedef GPtrArray *(*ValuesFunc) (CaudalResponse *resp,
                                  GError        **error);

typedef struct
{
  gint32          node_id;
  gint16          api_key;
  CaudalBuildFunc build;
  gpointer        data;
  GDestroyNotify  data_free;
  ResultFunc      result;
  ValuesFunc      values;    /* NULL: the call returns a boolean */
  gboolean        retried;
} SimpleOp;

static void
simple_op_free (SimpleOp *op)
{
  if (op->data_free != NULL)
    op->data_free (op->data);
  g_free (op);
}

static void simple_send (GTask *task);

static void
on_simple_response (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  SimpleOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);
  const char *detail = NULL;
  GPtrArray *values;
  gint16 code;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  code = op->result (resp, &detail);
  /* The controller moved: learn the new one and try once more. */
  if (code == CAUDAL_ERROR_CODE_NOT_CONTROLLER && op->node_id == CAUDAL_NODE_CONTROLLER && !op->retried)
    {
      static const char *const no_topics[] = { NULL };

      op->retried = TRUE;
      caudal_admin_refresh_then (task, no_topics, simple_send);
      return;
    }
  if (caudal_admin_check (code, detail, &error))
    g_task_return_error (task, error);
  else if (op->values == NULL)
    g_task_return_boolean (task, TRUE);
  else if ((values = op->values (resp, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, values, (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
simple_send (GTask *task)
{
  SimpleOp *op = g_task_get_task_data (task);

  caudal_admin_request_async (g_task_get_source_object (task), op->node_id, op->api_key, op->build,
                              op->data, g_task_get_cancellable (task), on_simple_response, task);
}

static void
simple_request (CaudalAdmin        *admin,
                gpointer            source_tag,
                gint32              node_id,
                gint16              api_key,
                CaudalBuildFunc     build,
                gpointer            data,
                GDestroyNotify      data_free,
                ResultFunc          result,
                ValuesFunc          values,
                GCancellable       *cancellable,
                GAsyncReadyCallback callback,
                gpointer            user_data)
{
  GTask *task = g_task_new (admin, cancellable, callback, user_data);
  SimpleOp *op = g_new0 (SimpleOp, 1);

  g_task_set_source_tag (task, source_tag);
  op->node_id = node_id;
  op->api_key = api_key;
  op->build = build;
  op->data = data;
  op->data_free = data_free;
  op->result = result;
  op->values = values;
  g_task_set_task_data (task, op, (GDestroyNotify) simple_op_free);
  simple_send (task);
}

static gboolean
simple_finish (CaudalAdmin  *admin,
               GAsyncResult *result,
               gpointer      source_tag,
               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- CreateTopics ---- */

typedef struct
{
  char       *name;
  gint32      partitions;
  gint16      replication_factor;
  GHashTable *configs;   /* owned copy */
  gboolean    validate_only;
} CreateTopicData;

static void
create_topic_data_free (CreateTopicData *d)
{
  g_free (d->name);
  g_hash_table_unref (d->configs);
  g_free (d);
}

static gpointer
build_create_topic (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  CreateTopicData *d = user_data;
  CaudalCreateTopicsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_create_topics_request_desc, "topics");
  CaudalCreateTopicsRequestCreatableTopic *t;
  CaudalCreateTopicsRequestCreatableTopicConfig *c;
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (d->configs), (GCompareFunc) strcmp);
  guint i = 0;

  caudal_message_init (&caudal_create_topics_request_desc, req);
  req->timeout_ms = 30000;
  req->validate_only = d->validate_only;
  t = caudal_message_set_array (arena, &caudal_create_topics_request_desc, req, "topics", 1);
  t->name = d->name;
  /* -1 asks for the broker's defaults from v4 (KIP-464); before, 1. */
  t->num_partitions = d->partitions > 0 || version >= 4 ? d->partitions : 1;
  t->replication_factor = d->replication_factor > 0 || version >= 4 ? d->replication_factor : 1;
  t->n_assignments = 0;
  c = caudal_message_set_array (arena, topic_desc, t, "configs", g_hash_table_size (d->configs));
  for (GList *l = keys; l != NULL; l = l->next, i++)
    {
      c[i].name = l->data;
      c[i].value = g_hash_table_lookup (d->configs, l->data);
    }
  return req;
}

static gint16
create_topic_result (CaudalResponse *resp,
                     const char    **detail)
{
  CaudalCreateTopicsResponse *body = resp->body;

  if (body->n_topics < 1)
    return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;
  *detail = body->topics[0].error_message;
  return body->topics[0].error_code;
}

void
caudal_admin_create_topic_async (CaudalAdmin        *admin,
                                 const char         *name,
                                 gint32              partitions,
                                 gint16              replication_factor,
                                 GHashTable         *configs,
                                 gboolean            validate_only,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  CreateTopicData *d;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (name != NULL);
  d = g_new0 (CreateTopicData, 1);
  d->name = g_strdup (name);
  d->partitions = partitions;
  d->replication_factor = replication_factor;
  d->validate_only = validate_only;
  d->configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (configs != NULL)
    {
      GHashTableIter iter;
      gpointer k, v;

      g_hash_table_iter_init (&iter, configs);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_hash_table_insert (d->configs, g_strdup (k), g_strdup (v));
    }
  simple_request (admin, caudal_admin_create_topic_async, CAUDAL_NODE_CONTROLLER, CAUDAL_API_KEY_CREATE_TOPICS,
                  build_create_topic, d, (GDestroyNotify) create_topic_data_free, create_topic_result, NULL,
                  cancellable, callback, user_data);
}

gboolean
caudal_admin_create_topic_finish (CaudalAdmin  *admin,
                                  GAsyncResult *result,
                                  GError      **error)
{
  return simple_finish (admin, result, caudal_admin_create_topic_async, error);
}

/* The configs of the (validate-only) topic: v5+ sends them (KIP-525). */
static GPtrArray *
new_topic_configs (CaudalResponse *resp,
                   GError        **error)
{
  CaudalCreateTopicsResponseCreatableTopicResult *t = &((CaudalCreateTopicsResponse *) resp->body)->topics[0];
  GPtrArray *out;

  if (resp->version < 5)
    {
      g_set_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                   "the broker's CreateTopics v%d does not return a new topic's configs (v5+)", resp->version);
      return NULL;
    }
  /* Kafka leaves the configs out, with this code, when describing them
   * is not allowed (TOPIC_AUTHORIZATION_FAILED on DescribeConfigs). */
  if (caudal_admin_check (t->topic_config_error_code, NULL, error))
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_config_entry_unref);
  for (gint32 i = 0; i < t->n_configs; i++)
    g_ptr_array_add (out, caudal_admin_config_entry_new (t->configs[i].name, t->configs[i].value,
                                                         t->configs[i].config_source, t->configs[i].read_only,
                                                         t->configs[i].is_sensitive));
  g_ptr_array_sort (out, caudal_admin_compare_config_entries);
  return out;
}

void
caudal_admin_describe_new_topic_configs_async (CaudalAdmin        *admin,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data)
{
  CreateTopicData *d;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  d = g_new0 (CreateTopicData, 1);
  /* Valid by Kafka's rule and unlikely to exist (TOPIC_ALREADY_EXISTS
   * would answer no configs); only '-' so that it cannot collide with a
   * topic by the '.'/'_' rule either. */
  d->name = g_strdup_printf ("caudal-new-topic-defaults-%08x", g_random_int ());
  d->partitions = -1;
  d->replication_factor = -1;
  d->validate_only = TRUE;
  d->configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  simple_request (admin, caudal_admin_describe_new_topic_configs_async, CAUDAL_NODE_CONTROLLER,
                  CAUDAL_API_KEY_CREATE_TOPICS, build_create_topic, d, (GDestroyNotify) create_topic_data_free,
                  create_topic_result, new_topic_configs, cancellable, callback, user_data);
}

GPtrArray *
caudal_admin_describe_new_topic_configs_finish (CaudalAdmin  *admin,
                                                GAsyncResult *result,
                                                GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == caudal_admin_describe_new_topic_configs_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- DeleteTopics ---- */

static gpointer
build_delete_topic (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  char *name = user_data;
  CaudalDeleteTopicsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_delete_topics_request_desc, req);
  req->timeout_ms = 30000;
  if (version >= 6)
    {
      CaudalDeleteTopicsRequestDeleteTopicState *t =
        caudal_message_set_array (arena, &caudal_delete_topics_request_desc, req, "topics", 1);
      t->name = name;
    }
  else
    {
      req->n_topic_names = 1;
      req->topic_names = caudal_arena_alloc (arena, sizeof (char *));
      req->topic_names[0] = name;
    }
  return req;
}

static gint16
delete_topic_result (CaudalResponse *resp,
                     const char    **detail)
{
  CaudalDeleteTopicsResponse *body = resp->body;

  if (body->n_responses < 1)
    return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;
  *detail = body->responses[0].error_message;
  return body->responses[0].error_code;
}

void
caudal_admin_delete_topic_async (CaudalAdmin        *admin,
                                 const char         *name,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (name != NULL);
  simple_request (admin, caudal_admin_delete_topic_async, CAUDAL_NODE_CONTROLLER, CAUDAL_API_KEY_DELETE_TOPICS,
                  build_delete_topic, g_strdup (name), g_free, delete_topic_result, NULL,
                  cancellable, callback, user_data);
}

gboolean
caudal_admin_delete_topic_finish (CaudalAdmin  *admin,
                                  GAsyncResult *result,
                                  GError      **error)
{
  return simple_finish (admin, result, caudal_admin_delete_topic_async, error);
}

/* ---- CreatePartitions ---- */

typedef struct
{
  char   *topic;
  gint32  count;
} PartitionsData;

static void
partitions_data_free (PartitionsData *d)
{
  g_free (d->topic);
  g_free (d);
}

static gpointer
build_create_partitions (gint16       version,
                         CaudalArena *arena,
                         gpointer     user_data)
{
  PartitionsData *d = user_data;
  CaudalCreatePartitionsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  CaudalCreatePartitionsRequestCreatePartitionsTopic *t;

  caudal_message_init (&caudal_create_partitions_request_desc, req);
  req->timeout_ms = 30000;
  t = caudal_message_set_array (arena, &caudal_create_partitions_request_desc, req, "topics", 1);
  t->name = d->topic;
  t->count = d->count;
  t->n_assignments = -1;
  return req;
}

static gint16
create_partitions_result (CaudalResponse *resp,
                          const char    **detail)
{
  CaudalCreatePartitionsResponse *body = resp->body;

  if (body->n_results < 1)
    return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;
  *detail = body->results[0].error_message;
  return body->results[0].error_code;
}

void
caudal_admin_create_partitions_async (CaudalAdmin        *admin,
                                      const char         *topic,
                                      gint32              total_count,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  PartitionsData *d;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (topic != NULL);
  d = g_new0 (PartitionsData, 1);
  d->topic = g_strdup (topic);
  d->count = total_count;
  simple_request (admin, caudal_admin_create_partitions_async, CAUDAL_NODE_CONTROLLER,
                  CAUDAL_API_KEY_CREATE_PARTITIONS, build_create_partitions, d,
                  (GDestroyNotify) partitions_data_free, create_partitions_result, NULL,
                  cancellable, callback, user_data);
}

gboolean
caudal_admin_create_partitions_finish (CaudalAdmin  *admin,
                                       GAsyncResult *result,
                                       GError      **error)
{
  return simple_finish (admin, result, caudal_admin_create_partitions_async, error);
}
