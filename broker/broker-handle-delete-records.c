/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-delete-records.c: DeleteRecords (key 21), v0-2: moves
 * partitions' log start offsets forward. */

#include "broker-admin-util.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* DeleteRecordsRequest.HIGH_WATERMARK: "delete up to the high watermark". */
#define HIGH_WATERMARK -1
/* DeleteRecordsResponse.INVALID_LOW_WATERMARK, sent with errors. */
#define INVALID_LOW_WATERMARK -1

/* Kafka's ReplicaManager.deleteRecordsOnLocalLog for one partition.
 * Sets *moved when the start offset changed. */
static gint16
delete_before (BrokerPartition *part,
               gint64           offset,
               gint64          *low_watermark,
               gboolean        *moved)
{
  g_autoptr(GError) error = NULL;
  /* A single replica: the high watermark is the log end offset. */
  gint64 hw = broker_log_get_end_offset (part->log);
  gint64 target = offset == HIGH_WATERMARK ? hw : offset;

  if (target < 0 || target > hw)
    return CAUDAL_ERROR_CODE_OFFSET_OUT_OF_RANGE;
  /* The start offset only moves forward; asking for less than it is
   * not an error and leaves it where it is. */
  if (target > broker_log_get_start_offset (part->log))
    {
      if (!broker_log_delete_records_before (part->log, target, &error))
        {
          g_warning ("deleting records of partition %d before %" G_GINT64_FORMAT ": %s",
                     part->index, target, error->message);
          return broker_error_from_gerror (error);
        }
      *moved = TRUE;
    }
  *low_watermark = broker_log_get_start_offset (part->log);
  return CAUDAL_ERROR_CODE_NONE;
}

void
broker_handle_delete_records (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalDeleteRecordsRequest *body = req->body;
  CaudalDeleteRecordsResponse *resp = req->response;
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_delete_records_response_desc, "topics");
  CaudalDeleteRecordsResponseDeleteRecordsTopicResult *topics;
  gboolean any_moved = FALSE;
  g_autoptr(GError) error = NULL;

  topics = broker_request_set_array (req, &caudal_delete_records_response_desc, resp, "topics",
                                     (gsize) MAX (body->n_topics, 0));
  for (gint32 t = 0; t < body->n_topics; t++)
    {
      const CaudalDeleteRecordsRequestDeleteRecordsTopic *want = &body->topics[t];
      CaudalDeleteRecordsResponseDeleteRecordsPartitionResult *parts;

      topics[t].name = want->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions",
                                        (gsize) MAX (want->n_partitions, 0));
      for (gint32 p = 0; p < want->n_partitions; p++)
        {
          BrokerPartition *part = broker_topics_lookup_partition (broker->topics, want->name,
                                                                  want->partitions[p].partition_index);
          gboolean moved = FALSE;

          parts[p].partition_index = want->partitions[p].partition_index;
          parts[p].low_watermark = INVALID_LOW_WATERMARK;
          if (part == NULL)
            {
              parts[p].error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
              continue;
            }
          /* The request's timeout_ms bounds waiting for followers; with no
           * followers the answer is immediate. */
          parts[p].error_code = delete_before (part, want->partitions[p].offset,
                                               &parts[p].low_watermark, &moved);
          any_moved |= moved;
        }
    }

  /* The new start offsets must survive a restart, or the deleted records
   * would come back: record them before answering. */
  if (any_moved && !broker_topics_write_checkpoints (broker->topics, &error))
    {
      g_warning ("DeleteRecords: writing the start offset checkpoint: %s", error->message);
      for (gint32 t = 0; t < body->n_topics; t++)
        for (gint32 p = 0; p < topics[t].n_partitions; p++)
          if (topics[t].partitions[p].error_code == CAUDAL_ERROR_CODE_NONE)
            {
              topics[t].partitions[p].error_code = CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
              topics[t].partitions[p].low_watermark = INVALID_LOW_WATERMARK;
            }
    }
  broker_request_complete (req);
}
