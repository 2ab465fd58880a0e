/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-alter-configs.c: AlterConfigs (key 33, v0-2) and
 * IncrementalAlterConfigs (key 44, v0-1, KIP-339) on topics; broker
 * resources are checked as Kafka does but caudald applies no dynamic
 * broker change. */

#include <string.h>

#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-handlers.h"
#include "broker-topic-config.h"
#include "caudal-error-codes.h"

/* One change, from either API. AlterConfigs sends plain SETs that
 * replace the whole set of overrides. */
typedef struct
{
  const char *name;
  gint8       op;       /* BrokerConfigOp */
  const char *value;
} Change;

typedef struct
{
  gint8       type;     /* BrokerResourceType */
  const char *name;
  Change     *changes;
  gint32      n_changes;
  gboolean    incremental;
  gboolean    duplicate;  /* the same resource appears twice */
  GHashTable *cluster_configs;  /* cluster mode: the overrides to write */
} AlterResource;

/* Cluster mode: the topic configs being written to ZooKeeper; the
 * response goes once the last write is answered. */
typedef struct
{
  BrokerRequest *req;
  guint          pending;
} ConfigBatch;

typedef struct
{
  ConfigBatch *batch;
  gint16      *error_code;
  char       **error_message;
} ConfigWrite;

static void
config_batch_release (ConfigBatch *batch)
{
  if (--batch->pending > 0)
    return;
  broker_request_complete (batch->req);
  g_free (batch);
}

static void
on_cluster_configs_written (gint16      error_code,
                            const char *message,
                            gpointer    user_data)
{
  ConfigWrite *w = user_data;

  *w->error_code = error_code;
  *w->error_message = message != NULL ? caudal_arena_strdup (w->batch->req->arena, message) : NULL;
  config_batch_release (w->batch);
  g_free (w);
}

/* Starts the cluster write of @res (when alter_resource() left one) and
 * has its outcome land in the response's fields. */
static void
write_cluster_configs (ConfigBatch   *batch,
                       AlterResource *res,
                       gint16        *error_code,
                       char         **error_message)
{
  ConfigWrite *w;

  if (res->cluster_configs == NULL)
    return;
  w = g_new0 (ConfigWrite, 1);
  w->batch = batch;
  w->error_code = error_code;
  w->error_message = error_message;
  batch->pending++;
  broker_cluster_set_topic_configs (batch->req->broker->cluster, res->name, res->cluster_configs,
                                    on_cluster_configs_written, w);
  g_clear_pointer (&res->cluster_configs, g_hash_table_unref);
}

static const char *
op_name (gint8 op)
{
  switch (op)
    {
    case BROKER_CONFIG_OP_SET: return "SET";
    case BROKER_CONFIG_OP_DELETE: return "DELETE";
    case BROKER_CONFIG_OP_APPEND: return "APPEND";
    case BROKER_CONFIG_OP_SUBTRACT: return "SUBTRACT";
    default: return "UNKNOWN";
    }
}

/* Scala's Set(a, b) form, which Kafka's messages print. */
static char *
format_set (BrokerRequest *req,
            GPtrArray     *names)
{
  g_autoptr(GString) s = g_string_new ("Set(");

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, g_ptr_array_index (names, i));
    }
  g_string_append_c (s, ')');
  return caudal_arena_strdup (req->arena, s->str);
}

/* The resource-independent checks of Kafka's ConfigAdminManager.preprocess:
 * repeated keys, and null values (allowed for DELETE only). */
static gint16
preprocess (BrokerRequest       *req,
            const AlterResource *res,
            char               **message)
{
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) nulls = NULL;

  for (gint32 i = 0; i < res->n_changes; i++)
    if (res->changes[i].name != NULL && !g_hash_table_add (keys, (gpointer) res->changes[i].name))
      {
        *message = (char *) "Error due to duplicate config keys";
        return CAUDAL_ERROR_CODE_INVALID_REQUEST;
      }
  for (gint32 i = 0; i < res->n_changes; i++)
    {
      const Change *c = &res->changes[i];

      if (c->value != NULL || (res->incremental && c->op == BROKER_CONFIG_OP_DELETE))
        continue;
      if (nulls == NULL)
        nulls = g_string_new (NULL);
      else
        g_string_append (nulls, ", ");
      g_string_append (nulls, c->name != NULL ? c->name : "null");
    }
  if (nulls != NULL)
    {
      *message = broker_request_printf (req, "Null value not supported for : %s", nulls->str);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

/* BROKER resources. Kafka applies dynamic keys at run time and refuses
 * the others (DynamicBrokerConfig.validateConfigs), answering either
 * refusal with INVALID_REQUEST (ConfigAdminManager, KAFKA-13609).
 * caudald reads its configuration at start only, so every change is
 * refused; removing a dynamic value there is none of is a no-op. */
static gint16
alter_broker (BrokerRequest       *req,
              const AlterResource *res,
              char               **message)
{
  g_autoptr(GPtrArray) static_keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) other_keys = g_ptr_array_new ();
  gint16 code;

  if (res->name != NULL && *res->name != '\0')
    {
      code = broker_admin_check_node_id (req, res->name, message);
      if (code != CAUDAL_ERROR_CODE_NONE)
        return code;
    }
  for (gint32 i = 0; i < res->n_changes; i++)
    {
      const Change *c = &res->changes[i];

      if (res->incremental && c->op == BROKER_CONFIG_OP_DELETE)
        continue;
      if (res->incremental && c->op > BROKER_CONFIG_OP_SUBTRACT)
        {
          *message = broker_request_printf (req, "Unknown operations type %d", c->op);
          return CAUDAL_ERROR_CODE_INVALID_REQUEST;
        }
      if (broker_config_is_known (c->name) && !broker_config_is_dynamic (c->name))
        g_ptr_array_add (static_keys, (gpointer) c->name);
      else
        g_ptr_array_add (other_keys, (gpointer) c->name);
    }
  if (static_keys->len > 0)
    {
      *message = broker_request_printf (req, "Cannot update these configs dynamically: %s",
                                        format_set (req, static_keys));
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (other_keys->len > 0)
    {
      *message = broker_request_printf (req, "caudald does not support dynamic broker configs "
                                        "yet; set these in server.properties: %s",
                                        format_set (req, other_keys));
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

/* KIP-412 log levels (IncrementalAlterConfigs only). caudald has no named
 * loggers, so every logger is unknown, as Kafka's RuntimeLoggerManager
 * words it. */
static gint16
alter_broker_logger (BrokerRequest       *req,
                     const AlterResource *res,
                     char               **message)
{
  gint16 code = broker_admin_check_node_id (req, res->name, message);

  if (code != CAUDAL_ERROR_CODE_NONE)
    return code;
  for (gint32 i = 0; i < res->n_changes; i++)
    {
      const Change *c = &res->changes[i];

      if (c->op == BROKER_CONFIG_OP_APPEND || c->op == BROKER_CONFIG_OP_SUBTRACT)
        {
          *message = broker_request_printf (req, "%s operation is not allowed for the "
                                            "BROKER_LOGGER resource", op_name (c->op));
          return CAUDAL_ERROR_CODE_INVALID_REQUEST;
        }
      *message = broker_request_printf (req, "Logger %s does not exist!", c->name);
      return CAUDAL_ERROR_CODE_INVALID_CONFIG;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

/* The list items of a LIST value, empty ones dropped (Kafka's
 * ConfigurationControlManager.getParts). */
static GPtrArray *
split_list (const char *value)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) items = NULL;

  if (value == NULL)
    return parts;
  items = g_strsplit (value, ",", -1);
  for (char **p = items; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add (parts, g_strdup (*p));
  return parts;
}

static gboolean
list_contains (GPtrArray  *list,
               const char *item)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (g_ptr_array_index (list, i), item) == 0)
      return TRUE;
  return FALSE;
}

static char *
join_list (GPtrArray *list)
{
  g_ptr_array_add (list, NULL);
  return g_strjoinv (",", (char **) list->pdata);
}

/* Applies one IncrementalAlterConfigs operation to @overrides, with the
 * rules of Kafka's ConfigurationControlManager. APPEND and SUBTRACT start
 * from the effective value when the topic has no override. */
static gint16
apply_incremental (BrokerRequest *req,
                   GHashTable    *overrides,
                   const Change  *c,
                   char         **message)
{
  const BrokerTopicConfigDef *def;
  g_autoptr(GPtrArray) parts = NULL;
  g_autofree char *current = NULL;
  g_auto(GStrv) values = NULL;

  switch (c->op)
    {
    case BROKER_CONFIG_OP_SET:
      g_hash_table_insert (overrides, g_strdup (c->name), g_strstrip (g_strdup (c->value)));
      return CAUDAL_ERROR_CODE_NONE;
    case BROKER_CONFIG_OP_DELETE:
      g_hash_table_remove (overrides, c->name);
      return CAUDAL_ERROR_CODE_NONE;
    case BROKER_CONFIG_OP_APPEND:
    case BROKER_CONFIG_OP_SUBTRACT:
      break;
    default:
      *message = broker_request_printf (req, "Unknown operation type %d", c->op);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }

  def = broker_topic_config_lookup (c->name);
  if (def == NULL)
    {
      *message = broker_request_printf (req, "Unknown topic config name: %s", c->name);
      return CAUDAL_ERROR_CODE_INVALID_CONFIG;
    }
  if (def->type != BROKER_CONFIG_TYPE_LIST)
    {
      *message = broker_request_printf (req, "Can't %s to key %s because its type is not LIST.",
                                        op_name (c->op), c->name);
      return CAUDAL_ERROR_CODE_INVALID_CONFIG;
    }
  current = broker_topic_config_get (req->broker->config, overrides, c->name);
  parts = split_list (current);
  values = g_strsplit (c->value, ",", -1);
  for (char **v = values; *v != NULL; v++)
    {
      if (c->op == BROKER_CONFIG_OP_APPEND)
        {
          if (!list_contains (parts, *v))
            g_ptr_array_add (parts, g_strdup (*v));
        }
      else
        for (guint i = 0; i < parts->len; i++)
          if (strcmp (g_ptr_array_index (parts, i), *v) == 0)
            {
              g_ptr_array_remove_index (parts, i);
              break;
            }
    }
  g_hash_table_insert (overrides, g_strdup (c->name), join_list (parts));
  return CAUDAL_ERROR_CODE_NONE;
}

static gint16
alter_topic (BrokerRequest *req,
             AlterResource *res,
             gboolean       validate_only,
             char         **message)
{
  g_autoptr(GHashTable) overrides = NULL;
  g_autoptr(GError) error = NULL;
  BrokerTopic *topic = NULL;
  GHashTable *current;

  /* The checks of Kafka's ControllerConfigurationValidator and the
   * controller's existence check. */
  if (res->name == NULL || *res->name == '\0')
    {
      *message = (char *) "Default topic resources are not allowed.";
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (!broker_topic_name_validate (res->name, &error))
    {
      *message = broker_error_message (req, error);
      return CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
    }
  /* Cluster mode: the topic and its overrides are ZooKeeper's. */
  if (req->broker->cluster != NULL)
    {
      const BrokerClusterTopic *ct = broker_cluster_lookup_topic (req->broker->cluster, res->name);
      current = ct != NULL ? ct->configs : NULL;
    }
  else
    {
      topic = broker_topics_lookup (req->broker->topics, res->name);
      current = topic != NULL ? topic->configs : NULL;
    }
  if (current == NULL)
    {
      *message = broker_request_printf (req, "The topic '%s' does not exist.", res->name);
      return CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
    }

  if (res->incremental)
    {
      overrides = broker_admin_configs_copy (current);
      for (gint32 i = 0; i < res->n_changes; i++)
        {
          gint16 code = apply_incremental (req, overrides, &res->changes[i], message);

          if (code != CAUDAL_ERROR_CODE_NONE)
            return code;
        }
    }
  else
    {
      /* AlterConfigs replaces the whole set: keys left out go back to
       * their defaults. */
      overrides = broker_admin_configs_copy (NULL);
      for (gint32 i = 0; i < res->n_changes; i++)
        g_hash_table_insert (overrides, g_strdup (res->changes[i].name),
                             g_strstrip (g_strdup (res->changes[i].value)));
    }
  if (req->broker->cluster != NULL)
    {
      gint16 code = broker_admin_validate_topic_configs (req, overrides, message);

      /* Written by the caller, which waits for the answer. */
      if (code == CAUDAL_ERROR_CODE_NONE && !validate_only)
        res->cluster_configs = g_steal_pointer (&overrides);
      return code;
    }
  return broker_admin_replace_topic_configs (req, topic, overrides, validate_only, message);
}

static gint16
alter_resource (BrokerRequest *req,
                AlterResource *res,
                gboolean       validate_only,
                char         **message)
{
  gint16 code;

  if (res->duplicate)
    {
      *message = (char *) "Each resource must appear at most once.";
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  code = preprocess (req, res, message);
  if (code != CAUDAL_ERROR_CODE_NONE)
    return code;

  switch (res->type)
    {
    case BROKER_RESOURCE_TOPIC:
      return alter_topic (req, res, validate_only, message);
    case BROKER_RESOURCE_BROKER:
      return alter_broker (req, res, message);
    case BROKER_RESOURCE_BROKER_LOGGER:
      /* Log levels came with IncrementalAlterConfigs only (KIP-412). */
      if (res->incremental)
        return alter_broker_logger (req, res, message);
      G_GNUC_FALLTHROUGH;
    default:
      *message = broker_request_printf (req, "Unknown resource type %d", res->type);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
}

/* Marks every resource that appears more than once (same type and
 * name): Kafka answers each copy with INVALID_REQUEST. */
static void
mark_duplicates (AlterResource *res,
                 gint32         n)
{
  g_autoptr(GHashTable) first = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gint32 i = 0; i < n; i++)
    {
      char *key = g_strdup_printf ("%d/%s", res[i].type, res[i].name != NULL ? res[i].name : "");
      gpointer prev;

      if (g_hash_table_lookup_extended (first, key, NULL, &prev))
        {
          res[GPOINTER_TO_INT (prev)].duplicate = TRUE;
          res[i].duplicate = TRUE;
          g_free (key);
        }
      else
        g_hash_table_insert (first, key, GINT_TO_POINTER (i));
    }
}

void
broker_handle_alter_configs (BrokerRequest *req)
{
  CaudalAlterConfigsRequest *body = req->body;
  CaudalAlterConfigsResponse *resp = req->response;
  CaudalAlterConfigsResponseAlterConfigsResourceResponse *out;
  ConfigBatch *batch;
  gint32 n = MAX (body->n_resources, 0);
  g_autofree AlterResource *res = g_new0 (AlterResource, n);

  for (gint32 i = 0; i < n; i++)
    {
      const CaudalAlterConfigsRequestAlterConfigsResource *r = &body->resources[i];

      res[i].type = r->resource_type;
      res[i].name = r->resource_name;
      res[i].n_changes = MAX (r->n_configs, 0);
      res[i].changes = caudal_arena_alloc (req->arena, sizeof (Change) * (gsize) (res[i].n_changes + 1));
      for (gint32 j = 0; j < res[i].n_changes; j++)
        {
          res[i].changes[j].name = r->configs[j].name;
          res[i].changes[j].op = BROKER_CONFIG_OP_SET;
          res[i].changes[j].value = r->configs[j].value;
        }
    }
  mark_duplicates (res, n);

  out = broker_request_set_array (req, &caudal_alter_configs_response_desc, resp, "responses", (gsize) n);
  batch = g_new0 (ConfigBatch, 1);
  batch->req = req;
  batch->pending = 1;   /* this loop's own reference */
  for (gint32 i = 0; i < n; i++)
    {
      char *message = NULL;

      out[i].error_code = alter_resource (req, &res[i], body->validate_only, &message);
      out[i].error_message = message;
      out[i].resource_type = res[i].type;
      out[i].resource_name = (char *) res[i].name;
      write_cluster_configs (batch, &res[i], &out[i].error_code, &out[i].error_message);
    }
  config_batch_release (batch);
}

void
broker_handle_incremental_alter_configs (BrokerRequest *req)
{
  CaudalIncrementalAlterConfigsRequest *body = req->body;
  CaudalIncrementalAlterConfigsResponse *resp = req->response;
  CaudalIncrementalAlterConfigsResponseAlterConfigsResourceResponse *out;
  ConfigBatch *batch;
  gint32 n = MAX (body->n_resources, 0);
  g_autofree AlterResource *res = g_new0 (AlterResource, n);

  for (gint32 i = 0; i < n; i++)
    {
      const CaudalIncrementalAlterConfigsRequestAlterConfigsResource *r = &body->resources[i];

      res[i].type = r->resource_type;
      res[i].name = r->resource_name;
      res[i].incremental = TRUE;
      res[i].n_changes = MAX (r->n_configs, 0);
      res[i].changes = caudal_arena_alloc (req->arena, sizeof (Change) * (gsize) (res[i].n_changes + 1));
      for (gint32 j = 0; j < res[i].n_changes; j++)
        {
          res[i].changes[j].name = r->configs[j].name;
          res[i].changes[j].op = r->configs[j].config_operation;
          res[i].changes[j].value = r->configs[j].value;
        }
    }
  mark_duplicates (res, n);

  out = broker_request_set_array (req, &caudal_incremental_alter_configs_response_desc, resp,
                                  "responses", (gsize) n);
  batch = g_new0 (ConfigBatch, 1);
  batch->req = req;
  batch->pending = 1;   /* this loop's own reference */
  for (gint32 i = 0; i < n; i++)
    {
      char *message = NULL;

      out[i].error_code = alter_resource (req, &res[i], body->validate_only, &message);
      out[i].error_message = message;
      out[i].resource_type = res[i].type;
      out[i].resource_name = (char *) res[i].name;
      write_cluster_configs (batch, &res[i], &out[i].error_code, &out[i].error_message);
    }
  config_batch_release (batch);
}
