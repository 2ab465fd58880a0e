/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-init-producer-id.c: InitProducerId (key 22) for idempotent
 * producers. Transactions (a transactional_id) come with a later issue. */

#include "broker.h"
#include "broker-cluster.h"
#include "broker-handlers.h"
#include "broker-producers.h"
#include "caudal-error-codes.h"

static void
on_block_claimed (gint64      first,
                  gint64      last,
                  gint16      error_code,
                  const char *message,
                  gpointer    user_data)
{
  Broker *broker = user_data;

  if (error_code != CAUDAL_ERROR_CODE_NONE)
    g_warning ("cannot claim producer ids: %s", message != NULL ? message : "error");
  else
    g_debug ("claimed producer ids %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, first, last);
  broker_producers_block_done (broker->producers, first, last);
}

void
broker_producer_ids_refill (Broker *broker)
{
  if (broker->cluster != NULL && broker_producers_want_block (broker->producers))
    broker_cluster_claim_producer_ids (broker->cluster, on_block_claimed, broker);
}

/* A new id, or -1 (with the claim of a block under way) in cluster mode
 * while this broker holds none. */
static gint64
allocate_id (Broker *broker)
{
  gint64 id = broker_producers_allocate (broker->producers);

  broker_producer_ids_refill (broker);
  return id;
}

void
broker_handle_init_producer_id (BrokerRequest *req)
{
  CaudalInitProducerIdRequest *body = req->body;
  CaudalInitProducerIdResponse *resp = req->response;

  if (body->transactional_id != NULL)
    {
      /* What Kafka answers when transactions are unavailable to a client. */
      resp->error_code = CAUDAL_ERROR_CODE_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      resp->producer_id = -1;
      resp->producer_epoch = -1;
    }
  else if (body->producer_id >= 0 && body->producer_epoch >= 0)
    {
      /* KIP-360: an idempotent producer bumping its epoch after an error
       * keeps its id; at the last epoch it gets a new id. */
      if (body->producer_epoch < G_MAXINT16 - 1)
        {
          resp->producer_id = body->producer_id;
          resp->producer_epoch = (gint16) (body->producer_epoch + 1);
        }
      else
        {
          resp->producer_id = allocate_id (req->broker);
          resp->producer_epoch = 0;
        }
    }
  else
    {
      resp->producer_id = allocate_id (req->broker);
      resp->producer_epoch = 0;
    }
  if (resp->producer_id < 0 && resp->error_code == CAUDAL_ERROR_CODE_NONE)
    {
      /* No block claimed yet (the first moments of a broker, or ZooKeeper
       * unreachable): retriable, as Kafka answers while its block is on
       * its way. */
      resp->error_code = CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS;
      resp->producer_epoch = -1;
    }
  broker_request_complete (req);
}
