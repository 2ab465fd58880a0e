/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-offset-delete.c: OffsetDelete (key 47), v0 (KIP-496):
 * forgets a group's committed offsets for some partitions. */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

void
broker_handle_offset_delete (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalOffsetDeleteRequest *body = req->body;
  CaudalOffsetDeleteResponse *resp = req->response;
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_offset_delete_response_desc, "topics");
  CaudalOffsetDeleteResponseOffsetDeleteResponseTopic *topics;
  gint32 n_topics = MAX (body->n_topics, 0);
  gint16 group_error;

  /* A group-level error is the whole answer, with no topics (Kafka's
   * error response); only groups coordinated through Kafka have a name
   * (isValidGroupId). */
  if (body->group_id == NULL || *body->group_id == '\0')
    group_error = CAUDAL_ERROR_CODE_INVALID_GROUP_ID;
  else if (!broker_group_is_coordinator (broker, body->group_id))
    group_error = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
  else
    group_error = broker_group_check_offset_delete (broker->groups, body->group_id);
  if (group_error != CAUDAL_ERROR_CODE_NONE)
    {
      resp->error_code = group_error;
      broker_request_complete (req);
      return;
    }

  topics = broker_request_set_array (req, &caudal_offset_delete_response_desc, resp, "topics",
                                     (gsize) n_topics);
  for (gint32 t = 0; t < n_topics; t++)
    {
      const CaudalOffsetDeleteRequestOffsetDeleteRequestTopic *in = &body->topics[t];
      CaudalOffsetDeleteResponseOffsetDeleteResponsePartition *parts;
      gint32 n_parts = MAX (in->n_partitions, 0);

      topics[t].name = in->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions", (gsize) n_parts);
      for (gint32 p = 0; p < n_parts; p++)
        {
          gint32 index = in->partitions[p].partition_index;

          parts[p].partition_index = index;
          /* Kafka checks the partitions against its metadata first
           * (KafkaApis.handleOffsetDeleteRequest). */
          if (in->name == NULL || broker_topics_lookup_partition (broker->topics, in->name, index) == NULL)
            parts[p].error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
          else
            /* NONE, or GROUP_SUBSCRIBED_TO_TOPIC while a member
             * consumes the topic. */
            parts[p].error_code = broker_group_delete_offset (broker->groups, body->group_id,
                                                              in->name, index);
        }
    }
  broker_request_complete (req);
}
