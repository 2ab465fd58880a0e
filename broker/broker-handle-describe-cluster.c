/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-describe-cluster.c: DescribeCluster (key 60), v0-1
 * (KIP-700): cluster id, controller and brokers for admin clients. */

#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-connection.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* KIP-919 endpoint types. */
#define ENDPOINT_TYPE_BROKERS     1
#define ENDPOINT_TYPE_CONTROLLERS 2

/* AclOperation codes a CLUSTER resource supports (AclEntry.
 * supportedOperations): CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
 * DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12,
 * CREATE_TOKENS 13, DESCRIBE_TOKENS 14. With no authorizer, Kafka reports
 * all of them as allowed. */
#define CLUSTER_OPERATIONS ((1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) \
                            | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14))

void
broker_handle_describe_cluster (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalDescribeClusterRequest *body = req->body;
  CaudalDescribeClusterResponse *resp = req->response;
  CaudalDescribeClusterResponseDescribeClusterBroker *brokers;
  const char *rack = broker_config_get_string (broker->config, "broker.rack");
  /* v0 has no endpoint_type: it means brokers. */
  gint8 endpoint_type = req->version >= 1 ? body->endpoint_type : ENDPOINT_TYPE_BROKERS;

  resp->endpoint_type = endpoint_type;
  if (endpoint_type != ENDPOINT_TYPE_BROKERS)
    {
      /* A broker listener answers for brokers only; Kafka's wording. */
      resp->error_code = CAUDAL_ERROR_CODE_UNSUPPORTED_ENDPOINT_TYPE;
      resp->error_message = endpoint_type == ENDPOINT_TYPE_CONTROLLERS
                            ? (char *) "The broker does not support the controller endpoint type."
                            : broker_request_printf (req, "Unsupported endpoint type %d",
                                                     endpoint_type);
      broker_request_complete (req);
      return;
    }

  resp->cluster_id = broker->cluster_id;
  if (broker->cluster != NULL)
    {
      /* The cluster's id is ZooKeeper's /cluster/id. */
      if (broker_cluster_get_cluster_id (broker->cluster) != NULL)
        resp->cluster_id = (char *) broker_cluster_get_cluster_id (broker->cluster);
      /* Cluster mode: the registered brokers and the elected controller,
       * as Metadata lists them. */
      g_autoptr(GPtrArray) nodes = broker_cluster_list_nodes (broker->cluster);
      const char *listener = broker_connection_get_listener_name (req->conn);

      resp->controller_id = broker_cluster_get_controller_id (broker->cluster);
      brokers = broker_request_set_array (req, &caudal_describe_cluster_response_desc, resp, "brokers",
                                          nodes->len);
      for (guint i = 0; i < nodes->len; i++)
        {
          const BrokerClusterNode *node = g_ptr_array_index (nodes, i);
          const char *host;
          guint16 port;

          broker_cluster_node_endpoint (node, listener, &host, &port);
          brokers[i].broker_id = node->id;
          brokers[i].host = (char *) host;
          brokers[i].port = port;
          brokers[i].rack = node->rack;
        }
      if (body->include_cluster_authorized_operations)
        resp->cluster_authorized_operations = CLUSTER_OPERATIONS;
      broker_request_complete (req);
      return;
    }
  /* Admin clients send controller requests to this id, so it must be a
   * broker they know (protocol-matrix.md, gotcha 15): we are both. */
  resp->controller_id = broker->node_id;

  /* One broker, at the endpoint of the listener this request came in
   * on, as Metadata and Kafka do. */
  brokers = broker_request_set_array (req, &caudal_describe_cluster_response_desc, resp, "brokers", 1);
  {
    const BrokerEndpoint *ep =
      broker_get_endpoint (broker, broker_connection_get_listener_name (req->conn));

    brokers[0].broker_id = broker->node_id;
    brokers[0].host = ep != NULL ? ep->host : (char *) "localhost";
    brokers[0].port = ep != NULL ? ep->port : 9092;
    brokers[0].rack = rack != NULL && *rack != '\0' ? (char *) rack : NULL;
  }

  /* INT32_MIN (the schema default) unless asked for (KIP-430). */
  if (body->include_cluster_authorized_operations)
    resp->cluster_authorized_operations = CLUSTER_OPERATIONS;
  broker_request_complete (req);
}
