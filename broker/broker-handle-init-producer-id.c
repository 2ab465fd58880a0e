/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-init-producer-id.c: InitProducerId (key 22) for idempotent
 * producers. Transactions (a transactional_id) come with a later issue. */

#include "broker.h"
#include "broker-handlers.h"
#include "broker-producers.h"
#include "caudal-error-codes.h"

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
          resp->producer_id = broker_producers_allocate (req->broker->producers);
          resp->producer_epoch = 0;
        }
    }
  else
    {
      resp->producer_id = broker_producers_allocate (req->broker->producers);
      resp->producer_epoch = 0;
    }
  broker_request_complete (req);
}
