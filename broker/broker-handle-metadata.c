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
       * (-1 while there is none), from the ZooKeeper cache. Topics below
       * are still this broker's own (docs/cluster.md). */
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
