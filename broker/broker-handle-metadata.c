/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-metadata.c: Metadata (key 3): brokers, controller, cluster
 * id, and topics with their partitions; auto-creates topics when allowed. */

#include <string.h>

#include "broker.h"
#include "broker-cluster.h"
#include "broker-config.h"
#include "broker-connection.h"
#include "broker-handlers.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

static const CaudalUuid zero_uuid = { { 0 } };

static void
fill_topic (BrokerRequest                               *req,
            CaudalMetadataResponseMetadataResponseTopic *out,
            BrokerTopic                                 *topic)
{
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_metadata_response_desc, "topics");
  CaudalMetadataResponseMetadataResponsePartition *parts;
  gint32 node = req->broker->node_id;

  out->error_code = CAUDAL_ERROR_CODE_NONE;
  out->name = topic->name;
  out->topic_id = topic->id;
  out->is_internal = topic->internal;
  parts = broker_request_set_array (req, topic_desc, out, "partitions", topic->partitions->len);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *p = g_ptr_array_index (topic->partitions, i);
      gint32 *nodes = caudal_arena_alloc (req->arena, sizeof (gint32));

      /* Single node: we lead every partition and are its only replica. */
      nodes[0] = node;
      parts[i].error_code = CAUDAL_ERROR_CODE_NONE;
      parts[i].partition_index = p->index;
      parts[i].leader_id = node;
      parts[i].leader_epoch = p->leader_epoch;
      parts[i].n_replica_nodes = 1;
      parts[i].replica_nodes = nodes;
      parts[i].n_isr_nodes = 1;
      parts[i].isr_nodes = nodes;
      parts[i].n_offline_replicas = 0;
    }
}

/* Cluster mode: a topic from the ZooKeeper view. A partition without a
 * leader, or whose state the controller has not written yet, answers
 * LEADER_NOT_AVAILABLE with what is known (Kafka's MetadataCache). */
static void
fill_cluster_topic (BrokerRequest                               *req,
                    CaudalMetadataResponseMetadataResponseTopic *out,
                    const BrokerClusterTopic                    *topic)
{
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_metadata_response_desc, "topics");
  BrokerCluster *cluster = req->broker->cluster;
  CaudalMetadataResponseMetadataResponsePartition *parts;

  out->error_code = CAUDAL_ERROR_CODE_NONE;
  out->name = topic->name;
  out->topic_id = topic->id;
  out->is_internal = g_str_has_prefix (topic->name, "__consumer_offsets")
                     || g_str_has_prefix (topic->name, "__transaction_state");
  parts = broker_request_set_array (req, topic_desc, out, "partitions", topic->partitions->len);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      const BrokerClusterPartition *p = g_ptr_array_index (topic->partitions, i);
      gint32 *offline = caudal_arena_alloc (req->arena, sizeof (gint32) * MAX (p->replicas->len, 1));
      gint32 n_offline = 0;

      for (guint r = 0; r < p->replicas->len; r++)
        if (!broker_cluster_is_live (cluster, g_array_index (p->replicas, gint32, r)))
          offline[n_offline++] = g_array_index (p->replicas, gint32, r);
      parts[i].error_code = p->leader < 0 || p->state_version < 0
                            ? CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE : CAUDAL_ERROR_CODE_NONE;
      parts[i].partition_index = p->partition;
      parts[i].leader_id = p->leader;
      parts[i].leader_epoch = p->leader_epoch;
      /* The view lives until the main loop runs again; the response is
       * encoded before that. */
      parts[i].n_replica_nodes = (gint32) p->replicas->len;
      parts[i].replica_nodes = (gint32 *) p->replicas->data;
      parts[i].n_isr_nodes = (gint32) p->isr->len;
      parts[i].isr_nodes = (gint32 *) p->isr->data;
      parts[i].n_offline_replicas = n_offline;
      parts[i].offline_replicas = offline;
    }
}

static void
on_auto_created (gint16      error_code,
                 const char *message,
                 gpointer    user_data)
{
  g_autofree char *name = user_data;

  if (error_code != CAUDAL_ERROR_CODE_NONE && error_code != CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS)
    g_warning ("auto-creating topic %s: error %d: %s", name, error_code, message != NULL ? message : "");
}

/* Cluster mode's auto.create.topics.enable: the topic is written to
 * ZooKeeper (num.partitions, the cluster's default replication factor)
 * and answered LEADER_NOT_AVAILABLE until the controller has elected its
 * leaders, as Kafka does; with fewer live brokers than the replication
 * factor nothing is created and the answer stays LEADER_NOT_AVAILABLE. */
static gint16
cluster_auto_create (BrokerRequest *req,
                     const char    *name)
{
  Broker *broker = req->broker;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) assignments = NULL;
  gint32 partitions = broker_config_get_int32 (broker->config, "num.partitions");

  if (!broker_topic_name_validate (name, NULL) || broker_cluster_find_collision (broker->cluster, name) != NULL)
    return CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
  assignments = broker_cluster_assign_replicas (broker->cluster, MAX (partitions, 1),
                                                broker_cluster_default_replication_factor (broker->cluster),
                                                0, &error);
  if (assignments == NULL)
    {
      g_message ("not auto-creating topic %s: %s", name, error->message);
      return CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE;
    }
  broker_cluster_create_topic (broker->cluster, name, assignments, NULL, 0, on_auto_created, g_strdup (name));
  return CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE;
}

static void
cluster_topics (BrokerRequest *req,
                gboolean       all,
                gboolean       may_create)
{
  BrokerCluster *cluster = req->broker->cluster;
  CaudalMetadataRequest *body = req->body;
  CaudalMetadataResponse *resp = req->response;
  CaudalMetadataResponseMetadataResponseTopic *topics;

  if (all)
    {
      g_autoptr(GPtrArray) list = broker_cluster_list_topics (cluster);

      topics = broker_request_set_array (req, &caudal_metadata_response_desc, resp, "topics", list->len);
      for (guint i = 0; i < list->len; i++)
        fill_cluster_topic (req, &topics[i], g_ptr_array_index (list, i));
      return;
    }
  topics = broker_request_set_array (req, &caudal_metadata_response_desc, resp, "topics", (gsize) body->n_topics);
  for (gint32 i = 0; i < body->n_topics; i++)
    {
      const CaudalMetadataRequestMetadataRequestTopic *want = &body->topics[i];
      const BrokerClusterTopic *topic;

      if (want->name == NULL)
        {
          topic = broker_cluster_lookup_topic_id (cluster, &want->topic_id);
          topics[i].topic_id = want->topic_id;
          if (topic == NULL)
            topics[i].error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_ID;
          else
            fill_cluster_topic (req, &topics[i], topic);
          continue;
        }
      topic = broker_cluster_lookup_topic (cluster, want->name);
      if (topic != NULL)
        {
          fill_cluster_topic (req, &topics[i], topic);
          continue;
        }
      topics[i].name = want->name;
      topics[i].topic_id = zero_uuid;
      if (!broker_topic_name_validate (want->name, NULL))
        topics[i].error_code = CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
      else if (may_create)
        topics[i].error_code = cluster_auto_create (req, want->name);
      else
        topics[i].error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
    }
}

/* Creates @name on first mention, as Kafka does with
 * auto.create.topics.enable; the error code to report otherwise. */
static gint16
auto_create (BrokerRequest *req,
             const char    *name,
             BrokerTopic  **out)
{
  Broker *broker = req->broker;
  g_autoptr(GError) error = NULL;
  gint32 partitions = broker_config_get_int32 (broker->config, "num.partitions");

  if (!broker_topic_name_validate (name, NULL) || broker_topics_find_collision (broker->topics, name) != NULL)
    return CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
  *out = broker_topics_create (broker->topics, name, MAX (partitions, 1), NULL, &error);
  if (*out == NULL)
    {
      g_warning ("auto-creating topic %s: %s", name, error->message);
      return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

void
broker_handle_metadata (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalMetadataRequest *body = req->body;
  CaudalMetadataResponse *resp = req->response;
  CaudalMetadataResponseMetadataResponseBroker *brokers;
  CaudalMetadataResponseMetadataResponseTopic *topics;
  const BrokerEndpoint *ep =
    broker_get_endpoint (broker, broker_connection_get_listener_name (req->conn));
  /* v0: an empty list means every topic; v1+: null means every topic
   * and empty means none (apache/kafka#1095). */
  gboolean all = body->n_topics < 0 || (req->version == 0 && body->n_topics == 0);
  /* Before v4 there is no flag: creation depends on the broker alone. */
  gboolean may_create = (req->version < 4 || body->allow_auto_topic_creation)
                        && broker_config_get_bool (broker->config, "auto.create.topics.enable");

  if (broker->cluster != NULL)
    {
      /* Cluster mode: every registered broker and the elected controller
       * (-1 while there is none), from the ZooKeeper cache. */
      g_autoptr(GPtrArray) nodes = broker_cluster_list_nodes (broker->cluster);
      const char *listener = broker_connection_get_listener_name (req->conn);

      brokers = broker_request_set_array (req, &caudal_metadata_response_desc, resp, "brokers", nodes->len);
      for (guint i = 0; i < nodes->len; i++)
        {
          const BrokerClusterNode *node = g_ptr_array_index (nodes, i);
          const char *host;
          guint16 port;

          broker_cluster_node_endpoint (node, listener, &host, &port);
          brokers[i].node_id = node->id;
          brokers[i].host = (char *) host;
          brokers[i].port = port;
          brokers[i].rack = node->rack;
        }
      resp->controller_id = broker_cluster_get_controller_id (broker->cluster);
    }
  else
    {
      brokers = broker_request_set_array (req, &caudal_metadata_response_desc, resp, "brokers", 1);
      brokers[0].node_id = broker->node_id;
      brokers[0].host = ep != NULL ? ep->host : (char *) "localhost";
      brokers[0].port = ep != NULL ? ep->port : 9092;
      brokers[0].rack = (char *) broker_config_get_string (broker->config, "broker.rack");
      if (brokers[0].rack != NULL && *brokers[0].rack == '\0')
        brokers[0].rack = NULL;
      /* Admin clients send to the controller: it must be a listed broker. */
      resp->controller_id = broker->node_id;
    }
  resp->cluster_id = broker->cluster_id;

  if (broker->cluster != NULL)
    {
      /* The cluster's id and topics, from ZooKeeper (docs/cluster.md). */
      if (broker_cluster_get_cluster_id (broker->cluster) != NULL)
        resp->cluster_id = (char *) broker_cluster_get_cluster_id (broker->cluster);
      cluster_topics (req, all, may_create);
      broker_request_complete (req);
      return;
    }

  if (all)
    {
      g_autoptr(GPtrArray) list = broker_topics_list (broker->topics);

      topics = broker_request_set_array (req, &caudal_metadata_response_desc, resp, "topics", list->len);
      for (guint i = 0; i < list->len; i++)
        fill_topic (req, &topics[i], g_ptr_array_index (list, i));
      broker_request_complete (req);
      return;
    }

  topics = broker_request_set_array (req, &caudal_metadata_response_desc, resp, "topics", (gsize) body->n_topics);
  for (gint32 i = 0; i < body->n_topics; i++)
    {
      const CaudalMetadataRequestMetadataRequestTopic *want = &body->topics[i];
      BrokerTopic *topic = NULL;

      if (want->name == NULL)
        {
          /* v10+: by topic id. */
          topic = broker_topics_lookup_id (broker->topics, &want->topic_id);
          topics[i].topic_id = want->topic_id;
          if (topic == NULL)
            {
              topics[i].error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_ID;
              continue;
            }
          fill_topic (req, &topics[i], topic);
          continue;
        }

      topic = broker_topics_lookup (broker->topics, want->name);
      if (topic == NULL)
        {
          gint16 code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;

          if (!broker_topic_name_validate (want->name, NULL))
            code = CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
          else if (may_create)
            code = auto_create (req, want->name, &topic);
          if (topic == NULL)
            {
              topics[i].error_code = code;
              topics[i].name = want->name;
              topics[i].topic_id = zero_uuid;
              continue;
            }
        }
      fill_topic (req, &topics[i], topic);
    }
  broker_request_complete (req);
}
