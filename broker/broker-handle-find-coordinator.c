/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-find-coordinator.c: FindCoordinator (key 10), v0-4: this
 * broker coordinates every group in single-node mode, the leader of the
 * group's __consumer_offsets partition in cluster mode; transactions have
 * no coordinator yet. */

#include "broker.h"
#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-connection.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* CoordinatorType (FindCoordinatorRequest.json, key_type). */
#define KEY_TYPE_GROUP       0
#define KEY_TYPE_TRANSACTION 1

#define TXN_UNSUPPORTED "Transactions are not supported by this broker yet."

typedef struct
{
  gint16      error;
  const char *message;
  gint32      node_id;
  const char *host;
  gint32      port;
} Answer;

/* The answer for one key of a known type. Kafka does not look at the key
 * itself: an empty group id hashes to a partition like any other. */
/* Cluster mode: the leader of the group's __consumer_offsets partition
 * (created on first use), through the listener the request came in on;
 * COORDINATOR_NOT_AVAILABLE (retriable) until it has one. */
static void
answer_cluster (BrokerRequest *req,
                const char    *group_id,
                Answer        *out)
{
  BrokerCluster *cluster = req->broker->cluster;
  g_autoptr(GPtrArray) nodes = broker_cluster_list_nodes (cluster);
  gint32 coordinator = -1;

  if (broker_group_failover_find_coordinator (req->broker, group_id, &coordinator)
      == CAUDAL_ERROR_CODE_NONE)
    for (guint i = 0; i < nodes->len; i++)
      {
        const BrokerClusterNode *node = g_ptr_array_index (nodes, i);
        const char *host;
        guint16 port;

        if (node->id != coordinator)
          continue;
        broker_cluster_node_endpoint (node, broker_connection_get_listener_name (req->conn), &host, &port);
        out->error = CAUDAL_ERROR_CODE_NONE;
        out->message = NULL;
        out->node_id = node->id;
        /* The node cache may change before the answer is encoded. */
        out->host = broker_request_printf (req, "%s", host);
        out->port = port;
        return;
      }
  out->error = CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
  out->message = "The coordinator is not available.";
  out->node_id = -1;
  out->host = "";
  out->port = -1;
}

static void
answer_key (BrokerRequest *req,
            gint8          key_type,
            const char    *key,
            Answer        *out)
{
  const BrokerEndpoint *ep;

  if (key_type == KEY_TYPE_TRANSACTION)
    {
      /* Node.noNode(): id -1, host "", port -1. Retriable, so producers
       * keep asking rather than fail outright. */
      out->error = CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
      out->message = TXN_UNSUPPORTED;
      out->node_id = -1;
      out->host = "";
      out->port = -1;
      return;
    }
  if (req->broker->cluster != NULL)
    {
      answer_cluster (req, key != NULL ? key : "", out);
      return;
    }
  /* Single node: we lead every __consumer_offsets partition. Clients must
   * reach us through the listener they came in on. */
  ep = broker_get_endpoint (req->broker, broker_connection_get_listener_name (req->conn));
  out->error = CAUDAL_ERROR_CODE_NONE;
  out->message = NULL;
  out->node_id = req->broker->node_id;
  out->host = ep != NULL ? ep->host : "localhost";
  out->port = ep != NULL ? ep->port : 9092;
}

void
broker_handle_find_coordinator (BrokerRequest *req)
{
  CaudalFindCoordinatorRequest *body = req->body;
  CaudalFindCoordinatorResponse *resp = req->response;
  /* v0 has no key_type: the decoder leaves the schema default, 0 (group). */
  gint8 key_type = body->key_type;
  gboolean known = key_type == KEY_TYPE_GROUP || key_type == KEY_TYPE_TRANSACTION;
  Answer answer = { 0 };

  if (req->version >= 4)
    {
      /* KIP-699: a batch of keys, one coordinator entry each. */
      CaudalFindCoordinatorResponseCoordinator *coords;
      gint32 n = MAX (body->n_coordinator_keys, 0);

      coords = broker_request_set_array (req, &caudal_find_coordinator_response_desc, resp,
                                         "coordinators", (gsize) n);
      for (gint32 i = 0; i < n; i++)
        {
          coords[i].key = body->coordinator_keys[i];
          if (!known)
            {
              /* CoordinatorType.forId() throws InvalidRequestException and
               * Kafka's error response marks every key with it. */
              coords[i].error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
              coords[i].error_message = broker_request_printf (req, "Unknown coordinator type: %d",
                                                               key_type);
              coords[i].node_id = -1;
              coords[i].host = (char *) "";
              coords[i].port = -1;
              continue;
            }
          answer_key (req, key_type, body->coordinator_keys[i], &answer);
          coords[i].error_code = answer.error;
          coords[i].error_message = (char *) answer.message;
          coords[i].node_id = answer.node_id;
          coords[i].host = (char *) answer.host;
          coords[i].port = answer.port;
        }
      broker_request_complete (req);
      return;
    }

  if (!known)
    {
      answer.error = CAUDAL_ERROR_CODE_INVALID_REQUEST;
      answer.message = broker_request_printf (req, "Unknown coordinator type: %d", key_type);
      answer.node_id = -1;
      answer.host = "";
      answer.port = -1;
    }
  else
    answer_key (req, key_type, body->key, &answer);

  resp->error_code = answer.error;
  /* error_message is v1+; the encoder leaves it out of v0. */
  resp->error_message = (char *) answer.message;
  resp->node_id = answer.node_id;
  resp->host = (char *) answer.host;
  resp->port = answer.port;
  broker_request_complete (req);
}
