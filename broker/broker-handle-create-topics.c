/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-create-topics.c: CreateTopics (key 19), v2-7. */

#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-handlers.h"
#include "broker-topic-config.h"
#include "caudal-error-codes.h"

/* What one topic of the request comes to, once checked. */
typedef struct
{
  gint32      n_partitions;
  gint16      replication_factor;
  GHashTable *configs;
  GPtrArray  *assignments;   /* cluster mode: GArray* of gint32 per partition */
} TopicPlan;

/* Manual assignments (the `assignments` field): only our node can hold a
 * replica, every partition must have the same replica count, and the
 * partitions must be 0..n-1 (ReplicationControlManager.createTopic). */
static gint16
check_assignments (BrokerRequest                                 *req,
                   const CaudalCreateTopicsRequestCreatableTopic *topic,
                   TopicPlan                                     *plan,
                   char                                         **message)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  gint32 rf = -1;

  /* Counts come from the assignments; giving both is ambiguous. */
  if (topic->replication_factor != -1)
    {
      *message = (char *) "A manual partition assignment was specified, but replication factor "
                          "was not set to -1.";
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (topic->num_partitions != -1)
    {
      *message = (char *) "A manual partition assignment was specified, but numPartitions was "
                          "not set to -1.";
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  for (gint32 i = 0; i < topic->n_assignments; i++)
    {
      const CaudalCreateTopicsRequestCreatableReplicaAssignment *a = &topic->assignments[i];
      gint16 code;

      if (!g_hash_table_add (seen, GINT_TO_POINTER (a->partition_index)))
        {
          *message = broker_request_printf (req, "Found multiple manual partition assignments "
                                            "for partition %d", a->partition_index);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
      if (req->broker->cluster != NULL)
        {
          g_autofree char *text = NULL;

          code = broker_cluster_check_assignment (req->broker->cluster, a->broker_ids, a->n_broker_ids,
                                                  rf, &text);
          if (code != CAUDAL_ERROR_CODE_NONE)
            *message = broker_request_printf (req, "%s", text);
        }
      else
        code = broker_admin_check_replicas (req, a->broker_ids, a->n_broker_ids, rf, message);
      if (code != CAUDAL_ERROR_CODE_NONE)
        return code;
      rf = a->n_broker_ids;
    }
  for (gint32 p = 0; p < topic->n_assignments; p++)
    if (!g_hash_table_contains (seen, GINT_TO_POINTER (p)))
      {
        *message = (char *) "partitions should be a consecutive 0-based integer sequence";
        return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
      }
  plan->n_partitions = topic->n_assignments;
  plan->replication_factor = (gint16) rf;
  if (req->broker->cluster != NULL)
    {
      plan->assignments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      g_ptr_array_set_size (plan->assignments, topic->n_assignments);
      for (gint32 i = 0; i < topic->n_assignments; i++)
        {
          const CaudalCreateTopicsRequestCreatableReplicaAssignment *a = &topic->assignments[i];
          GArray *replicas = g_array_new (FALSE, FALSE, sizeof (gint32));

          g_array_append_vals (replicas, a->broker_ids, (guint) a->n_broker_ids);
          g_ptr_array_index (plan->assignments, a->partition_index) = replicas;
        }
    }
  return CAUDAL_ERROR_CODE_NONE;
}

/* Counts without assignments: -1 means the broker default (KIP-464). */
static gint16
check_counts (BrokerRequest                                 *req,
              const CaudalCreateTopicsRequestCreatableTopic *topic,
              TopicPlan                                     *plan,
              char                                         **message)
{
  BrokerConfig *config = req->broker->config;

  if (topic->replication_factor < -1 || topic->replication_factor == 0)
    {
      *message = (char *) "Replication factor must be larger than 0, or -1 to use the default value.";
      return CAUDAL_ERROR_CODE_INVALID_REPLICATION_FACTOR;
    }
  if (topic->num_partitions < -1 || topic->num_partitions == 0)
    {
      *message = (char *) "Number of partitions was set to an invalid non-positive value.";
      return CAUDAL_ERROR_CODE_INVALID_PARTITIONS;
    }
  plan->n_partitions = topic->num_partitions == -1
                       ? broker_config_get_int32 (config, "num.partitions")
                       : topic->num_partitions;
  if (req->broker->cluster != NULL)
    {
      /* Kafka's AdminUtils placement over the live brokers; the default
       * replication factor is the cluster's (docs/cluster.md). */
      BrokerCluster *cluster = req->broker->cluster;
      g_autoptr(GError) error = NULL;

      plan->replication_factor = topic->replication_factor == -1
                                 ? (gint16) broker_cluster_default_replication_factor (cluster)
                                 : topic->replication_factor;
      plan->assignments = broker_cluster_assign_replicas (cluster, plan->n_partitions,
                                                          plan->replication_factor, 0, &error);
      if (plan->assignments == NULL)
        {
          *message = broker_error_message (req, error);
          return CAUDAL_ERROR_CODE_INVALID_REPLICATION_FACTOR;
        }
      return CAUDAL_ERROR_CODE_NONE;
    }
  plan->replication_factor = topic->replication_factor == -1
                             ? (gint16) broker_config_get_int32 (config, "default.replication.factor")
                             : topic->replication_factor;
  /* One registered broker: the wording of Kafka's StripedReplicaPlacer,
   * prefixed as ReplicationControlManager does. */
  if (plan->replication_factor > 1)
    {
      *message = broker_request_printf (req, "Unable to replicate the partition %d time(s): The "
                                        "target replication factor of %d cannot be reached "
                                        "because only 1 broker(s) are registered.",
                                        plan->replication_factor, plan->replication_factor);
      return CAUDAL_ERROR_CODE_INVALID_REPLICATION_FACTOR;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

/* Kafka's order: the name (valid, new, no '.'/'_' collision), then the
 * configs, then the partition layout. */
static gint16
check_topic (BrokerRequest                                 *req,
             const CaudalCreateTopicsRequestCreatableTopic *topic,
             TopicPlan                                     *plan,
             char                                         **message)
{
  BrokerTopics *topics = req->broker->topics;
  BrokerCluster *cluster = req->broker->cluster;
  g_autoptr(GError) error = NULL;
  const char *other_name;
  gint16 code;

  if (!broker_topic_name_validate (topic->name, &error))
    {
      *message = broker_error_message (req, error);
      return CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
    }
  /* Cluster mode: the cluster's topics, not this broker's logs. */
  if (cluster != NULL ? broker_cluster_lookup_topic (cluster, topic->name) != NULL
                      : broker_topics_lookup (topics, topic->name) != NULL)
    {
      *message = broker_request_printf (req, "Topic '%s' already exists.", topic->name);
      return CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS;
    }
  if (cluster != NULL)
    {
      const BrokerClusterTopic *other = broker_cluster_find_collision (cluster, topic->name);
      other_name = other != NULL ? other->name : NULL;
    }
  else
    {
      BrokerTopic *other = broker_topics_find_collision (topics, topic->name);
      other_name = other != NULL ? other->name : NULL;
    }
  if (other_name != NULL)
    {
      *message = broker_request_printf (req, "Topic '%s' collides with existing topic: %s",
                                        topic->name, other_name);
      return CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
    }

  /* The request's configs are a keyed set in Kafka's schema; should a
   * key come twice anyway, the last one wins as in Kafka's controller. */
  plan->configs = broker_admin_configs_copy (NULL);
  for (gint32 i = 0; i < topic->n_configs; i++)
    {
      const CaudalCreateTopicsRequestCreatableTopicConfig *c = &topic->configs[i];
      g_autoptr(GError) config_error = NULL;

      if (!broker_topic_config_validate (c->name, c->value, &config_error))
        {
          *message = broker_error_message (req, config_error);
          return broker_error_from_gerror (config_error);
        }
      g_hash_table_insert (plan->configs, g_strdup (c->name), g_strstrip (g_strdup (c->value)));
    }

  if (topic->n_assignments > 0)
    code = check_assignments (req, topic, plan, message);
  else
    code = check_counts (req, topic, plan, message);
  return code;
}

/* KIP-525 (v5+): the new topic's partition count, replication factor and
 * every effective config, as DescribeConfigs would list them. */
static void
fill_configs (BrokerRequest                                  *req,
              CaudalCreateTopicsResponseCreatableTopicResult *out,
              GHashTable                                     *overrides)
{
  const CaudalStructDesc *desc = caudal_struct_desc_child (&caudal_create_topics_response_desc, "topics");
  g_autoptr(GArray) entries = broker_admin_describe_topic (req->broker, overrides, FALSE);
  CaudalCreateTopicsResponseCreatableTopicConfigs *configs;

  configs = broker_request_set_array (req, desc, out, "configs", entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const BrokerConfigEntry *e = &g_array_index (entries, BrokerConfigEntry, i);

      configs[i].name = (char *) e->name;
      configs[i].value = e->sensitive || e->value == NULL
                         ? NULL : caudal_arena_strdup (req->arena, e->value);
      configs[i].read_only = e->read_only;
      configs[i].config_source = e->source;
      configs[i].is_sensitive = e->sensitive;
    }
}

/* Sets @out from @code and the plan, as every path answers. */
static void
fill_result (BrokerRequest                                  *req,
             CaudalCreateTopicsResponseCreatableTopicResult *out,
             const TopicPlan                                *plan,
             gint16                                          code,
             char                                           *message)
{
  out->error_code = code;
  out->error_message = message;
  if (code == CAUDAL_ERROR_CODE_NONE)
    {
      out->num_partitions = plan->n_partitions;
      out->replication_factor = plan->replication_factor;
      fill_configs (req, out, plan->configs);
    }
  else
    {
      /* Kafka sends an empty list, not null, with an error. */
      broker_request_set_array (req, caudal_struct_desc_child (&caudal_create_topics_response_desc,
                                                               "topics"),
                                out, "configs", 0);
    }
}

/* Cluster mode: the topics being written to ZooKeeper; the response goes
 * once the last is answered. */
typedef struct
{
  BrokerRequest *req;
  guint          pending;
} ClusterBatch;

typedef struct
{
  ClusterBatch                                   *batch;
  CaudalCreateTopicsResponseCreatableTopicResult *out;
  TopicPlan                                       plan;
} ClusterCreate;

static void
cluster_batch_release (ClusterBatch *batch)
{
  if (--batch->pending > 0)
    return;
  broker_request_complete (batch->req);
  g_free (batch);
}

static void
on_cluster_created (gint16      error_code,
                    const char *message,
                    gpointer    user_data)
{
  ClusterCreate *cc = user_data;
  BrokerRequest *req = cc->batch->req;
  const BrokerClusterTopic *topic;

  if (error_code == CAUDAL_ERROR_CODE_NONE)
    {
      topic = broker_cluster_lookup_topic (req->broker->cluster, cc->out->name);
      if (topic != NULL)
        cc->out->topic_id = topic->id;
    }
  fill_result (req, cc->out, &cc->plan, error_code,
               message != NULL ? caudal_arena_strdup (req->arena, message) : NULL);
  g_clear_pointer (&cc->plan.configs, g_hash_table_unref);
  g_clear_pointer (&cc->plan.assignments, g_ptr_array_unref);
  cluster_batch_release (cc->batch);
  g_free (cc);
}

void
broker_handle_create_topics (BrokerRequest *req)
{
  CaudalCreateTopicsRequest *body = req->body;
  CaudalCreateTopicsResponse *resp = req->response;
  g_autoptr(GHashTable) counts = broker_admin_name_counts_new ();
  g_autoptr(GHashTable) answered = g_hash_table_new (g_str_hash, g_str_equal);
  CaudalCreateTopicsResponseCreatableTopicResult *results;
  gint32 n_results = 0;
  ClusterBatch *batch = NULL;

  for (gint32 i = 0; i < body->n_topics; i++)
    broker_admin_name_counts_add (counts, body->topics[i].name);
  if (req->broker->cluster != NULL)
    {
      batch = g_new0 (ClusterBatch, 1);
      batch->req = req;
      batch->pending = 1;   /* this loop's own reference */
    }

  /* One result per name: a duplicated name gets a single error result,
   * as from Kafka's ControllerApis. */
  results = broker_request_set_array (req, &caudal_create_topics_response_desc, resp, "topics",
                                      (gsize) MAX (body->n_topics, 0));
  for (gint32 i = 0; i < body->n_topics; i++)
    {
      const CaudalCreateTopicsRequestCreatableTopic *topic = &body->topics[i];
      CaudalCreateTopicsResponseCreatableTopicResult *out;
      TopicPlan plan = { -1, -1, NULL, NULL };
      g_autoptr(GError) error = NULL;
      BrokerTopic *created;
      char *message = NULL;
      gint16 code;

      if (topic->name != NULL && !g_hash_table_add (answered, topic->name))
        continue;
      out = &results[n_results++];
      out->name = topic->name;

      if (broker_admin_name_counts_get (counts, topic->name) > 1)
        {
          code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
          message = (char *) "Duplicate topic name.";
        }
      else
        code = check_topic (req, topic, &plan, &message);

      if (code == CAUDAL_ERROR_CODE_NONE && !body->validate_only && batch != NULL)
        {
          /* Cluster mode: written to ZooKeeper; answered once the
           * controller has elected every partition's leader and this
           * broker has read it, or after timeout_ms. */
          ClusterCreate *cc = g_new0 (ClusterCreate, 1);

          cc->batch = batch;
          cc->out = out;
          cc->plan = plan;
          batch->pending++;
          broker_cluster_create_topic (req->broker->cluster, topic->name, plan.assignments, plan.configs,
                                       body->timeout_ms, on_cluster_created, cc);
          continue;
        }
      if (code == CAUDAL_ERROR_CODE_NONE && !body->validate_only)
        {
          /* Creation is synchronous, so timeout_ms has nothing to bound. */
          created = broker_topics_create (req->broker->topics, topic->name, plan.n_partitions,
                                          plan.configs, &error);
          if (created == NULL)
            {
              g_warning ("creating topic %s: %s", topic->name, error->message);
              code = broker_error_from_gerror (error);
              message = broker_error_message (req, error);
            }
          else
            out->topic_id = created->id;
        }

      fill_result (req, out, &plan, code, message);
      if (plan.configs != NULL)
        g_hash_table_unref (plan.configs);
      if (plan.assignments != NULL)
        g_ptr_array_unref (plan.assignments);
    }
  resp->n_topics = n_results;
  if (batch != NULL)
    cluster_batch_release (batch);
  else
    broker_request_complete (req);
}
