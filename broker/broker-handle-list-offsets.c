/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-list-offsets.c: ListOffsets (key 2), v1-7: earliest (-2),
 * latest (-1), max timestamp (-3, KIP-734) and offsets by time. */

#include "broker.h"
#include "broker-handlers.h"
#include "broker-replica.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

#define LATEST_TIMESTAMP   (-1)
#define EARLIEST_TIMESTAMP (-2)
#define MAX_TIMESTAMP      (-3)

static void
list_partition (BrokerRequest                                         *req,
                BrokerTopic                                           *topic,
                const CaudalListOffsetsRequestListOffsetsPartition    *in,
                CaudalListOffsetsResponseListOffsetsPartitionResponse *out)
{
  BrokerPartition *part = NULL;
  g_autoptr(GError) error = NULL;

  out->partition_index = in->partition_index;
  out->timestamp = -1;
  out->offset = -1;
  out->leader_epoch = -1;
  if (topic != NULL && in->partition_index >= 0 && (guint) in->partition_index < topic->partitions->len)
    part = g_ptr_array_index (topic->partitions, in->partition_index);
  if (part == NULL)
    {
      out->error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
      return;
    }
  if (!broker_partition_is_leader (part))
    {
      out->error_code = CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER;
      return;
    }
  if (in->current_leader_epoch >= 0 && in->current_leader_epoch != part->leader_epoch)
    {
      out->error_code = in->current_leader_epoch < part->leader_epoch
                          ? CAUDAL_ERROR_CODE_FENCED_LEADER_EPOCH
                          : CAUDAL_ERROR_CODE_UNKNOWN_LEADER_EPOCH;
      return;
    }
  out->leader_epoch = part->leader_epoch;

  switch (in->timestamp)
    {
    case LATEST_TIMESTAMP:
      /* With no open transactions the last stable offset is the high
       * watermark, so read_committed gets the same answer. */
      out->offset = broker_partition_get_high_watermark (part);
      /* KIP-207: a new leader whose HW is still below the start of its
       * epoch could answer an offset lower than the old leader did. */
      if (part->replica != NULL && out->offset < broker_replica_get_epoch_start_offset (part->replica))
        {
          out->error_code = CAUDAL_ERROR_CODE_OFFSET_NOT_AVAILABLE;
          out->offset = -1;
        }
      break;
    case EARLIEST_TIMESTAMP:
      out->offset = broker_log_get_start_offset (part->log);
      break;
    case MAX_TIMESTAMP:
      broker_log_max_timestamp (part->log, &out->offset, &out->timestamp);
      break;
    default:
      if (in->timestamp < 0)
        {
          /* -4 and below (tiered storage, KIP-1005) need v8+. */
          out->error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
          break;
        }
      if (!broker_log_offset_for_timestamp (part->log, in->timestamp, &out->offset, &out->timestamp, &error))
        {
          if (error != NULL)
            {
              g_warning ("offset by time on %s-%d: %s", topic->name, in->partition_index, error->message);
              out->error_code = CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
            }
          /* No record that late: offset and timestamp stay -1. */
          out->offset = -1;
          out->timestamp = -1;
        }
      break;
    }
}

void
broker_handle_list_offsets (BrokerRequest *req)
{
  CaudalListOffsetsRequest *body = req->body;
  CaudalListOffsetsResponse *resp = req->response;
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_list_offsets_response_desc, "topics");
  CaudalListOffsetsResponseListOffsetsTopicResponse *topics;

  topics = broker_request_set_array (req, &caudal_list_offsets_response_desc, resp, "topics",
                                     (gsize) MAX (body->n_topics, 0));
  for (gint32 t = 0; t < body->n_topics; t++)
    {
      const CaudalListOffsetsRequestListOffsetsTopic *in = &body->topics[t];
      BrokerTopic *topic = broker_topics_lookup (req->broker->topics, in->name);
      CaudalListOffsetsResponseListOffsetsPartitionResponse *parts;

      topics[t].name = in->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions",
                                        (gsize) MAX (in->n_partitions, 0));
      for (gint32 p = 0; p < in->n_partitions; p++)
        list_partition (req, topic, &in->partitions[p], &parts[p]);
    }
  broker_request_complete (req);
}
