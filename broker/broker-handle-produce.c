/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-produce.c: Produce (key 0): validate each partition's
 * record batch, check idempotent sequences, append, and acknowledge —
 * after an fsync when the topic's flush.messages asks for one. */

#include "broker.h"
#include "broker-fetch-waiters.h"
#include "broker-handlers.h"
#include "broker-producers.h"
#include "broker-admin-util.h"
#include "broker-replica.h"
#include "broker-cluster.h"
#include "broker-topic-config.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"
#include "caudal-record-batch.h"

typedef struct
{
  BrokerRequest *req;
  guint          pending;   /* flushes and acks=all waits */
} ProduceState;

typedef struct
{
  ProduceState                                  *state;
  CaudalProduceResponsePartitionProduceResponse *out;
  BrokerPartition                               *part;     /* acks=all in cluster mode */
  gint64                                         end_offset;
} FlushWait;

static void
finish_if_done (ProduceState *state)
{
  if (state->pending > 0)
    return;
  broker_request_complete (state->req);
  g_free (state);
}

static void
on_replicated (gint16   error_code,
               gpointer user_data)
{
  FlushWait *wait = user_data;

  if (error_code != CAUDAL_ERROR_CODE_NONE)
    {
      wait->out->error_code = error_code;
      /* Only the error tells the client the outcome is unknown. */
      if (error_code != CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS_AFTER_APPEND)
        wait->out->base_offset = -1;
    }
  wait->state->pending--;
  finish_if_done (wait->state);
  g_free (wait);
}

/* acks=all in cluster mode: the answer waits until the high watermark
 * passes the write, i.e. every ISR member has it (docs/cluster.md). */
static void
wait_for_replicas (FlushWait *wait)
{
  CaudalProduceRequest *body = wait->state->req->body;

  broker_replica_wait_for_hw (wait->part->replica, wait->end_offset, body->timeout_ms,
                              on_replicated, wait);
}

static void
on_flushed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FlushWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  if (!broker_log_flush_finish ((BrokerLog *) source, result, &error))
    {
      g_warning ("flush before acknowledging: %s", error->message);
      wait->out->error_code = CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
    }
  else if (wait->part != NULL)
    {
      wait_for_replicas (wait);
      return;
    }
  wait->state->pending--;
  finish_if_done (wait->state);
  g_free (wait);
}

/* Validates the records of one partition; the error code, or NONE with
 * *header describing the (single) batch. */
static gint16
validate_records (BrokerRequest           *req,
                  BrokerTopic             *topic,
                  const CaudalBytes       *records,
                  CaudalRecordBatchHeader *header,
                  char                   **message)
{
  BrokerConfig *config = broker_topics_get_config (req->broker->topics);
  CaudalRecordBatchIter iter;
  g_autoptr(GError) error = NULL;
  guint n_batches = 0;
  CaudalRecordBatchHeader h;
  gint64 max_bytes = broker_topic_config_get_int64 (config, topic->configs, "max.message.bytes");

  if (records->data == NULL || records->len <= 0)
    {
      *message = g_strdup ("the request has no records for this partition");
      return CAUDAL_ERROR_CODE_CORRUPT_MESSAGE;
    }
  caudal_record_batch_iter_init (&iter, records->data, (gsize) records->len);
  while (caudal_record_batch_iter_next (&iter, &h, &error))
    {
      if (h.size > (gsize) max_bytes)
        {
          *message = g_strdup_printf ("the record batch is %" G_GSIZE_FORMAT
                                      " bytes, larger than max.message.bytes (%" G_GINT64_FORMAT ")",
                                      h.size, max_bytes);
          return CAUDAL_ERROR_CODE_MESSAGE_TOO_LARGE;
        }
      if (!caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error))
        {
          *message = g_strdup (error->message);
          return CAUDAL_ERROR_CODE_CORRUPT_MESSAGE;
        }
      if (caudal_record_batch_header_is_control (&h))
        {
          *message = g_strdup ("control records may not be produced by clients");
          return CAUDAL_ERROR_CODE_INVALID_RECORD;
        }
      if (caudal_record_batch_header_is_transactional (&h))
        {
          *message = g_strdup ("transactions are not supported yet");
          return CAUDAL_ERROR_CODE_INVALID_TXN_STATE;
        }
      *header = h;
      n_batches++;
    }
  if (error != NULL || caudal_record_batch_iter_get_partial_size (&iter) > 0)
    {
      *message = g_strdup (error != NULL ? error->message : "the records end with a partial batch");
      return CAUDAL_ERROR_CODE_CORRUPT_MESSAGE;
    }
  /* Produce v3+ carries exactly one batch per partition (Kafka's
   * ProduceRequest.validateRecords). */
  if (n_batches != 1)
    {
      *message = g_strdup_printf ("produce requests must hold exactly one record batch per partition, not %u",
                                  n_batches);
      return CAUDAL_ERROR_CODE_INVALID_RECORD;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

static void
produce_partition (BrokerRequest                                  *req,
                   ProduceState                                   *state,
                   BrokerTopic                                    *topic,
                   const CaudalProduceRequestPartitionProduceData *in,
                   CaudalProduceResponsePartitionProduceResponse  *out)
{
  Broker *broker = req->broker;
  BrokerPartition *part;
  CaudalRecordBatchHeader header = { 0 };
  BrokerLogAppendInfo info;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean idempotent;
  gint64 duplicate_offset = -1;

  out->index = in->index;
  out->base_offset = -1;
  out->log_append_time_ms = -1;
  out->log_start_offset = -1;
  if (topic == NULL || in->index < 0 || (guint) in->index >= topic->partitions->len)
    {
      out->error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
      return;
    }
  if (topic->internal)
    {
      /* __consumer_offsets belongs to the coordinator (Kafka refuses too). */
      out->error_code = CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
      return;
    }
  part = g_ptr_array_index (topic->partitions, in->index);
  if (!broker_partition_is_leader (part)
      || (broker->cluster != NULL && !broker_cluster_is_registered (broker->cluster)))
    {
      /* Not the leader, or cut off from ZooKeeper (a new leader may be
       * taking writes already): the client refreshes its metadata. */
      out->error_code = CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER;
      return;
    }
  out->log_start_offset = broker_log_get_start_offset (part->log);

  out->error_code = validate_records (req, topic, &in->records, &header, &message);
  if (out->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      g_debug ("produce to %s-%d from %s refused: %s", topic->name, in->index,
               broker_request_get_peer (req), message);
      if (req->version >= 8)
        out->error_message = caudal_arena_strdup (req->arena, message);
      return;
    }

  if (part->replica != NULL && ((CaudalProduceRequest *) req->body)->acks == -1
      && broker_replica_get_isr_size (part->replica) < (guint) broker_replica_min_insync (part->replica))
    {
      /* Refused before anything is written: a definite failure. */
      out->error_code = CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS;
      if (req->version >= 8)
        out->error_message = broker_request_printf (req, "The ISR has %u replica(s), fewer than "
                                                    "min.insync.replicas (%d)",
                                                    broker_replica_get_isr_size (part->replica),
                                                    broker_replica_min_insync (part->replica));
      return;
    }

  idempotent = header.producer_id >= 0;
  if (idempotent)
    {
      switch (broker_producer_state_check (part->producers, header.producer_id,
                                           header.producer_epoch, header.base_sequence,
                                           header.last_offset_delta + 1, &duplicate_offset))
        {
        case BROKER_SEQUENCE_OK:
          break;
        case BROKER_SEQUENCE_DUPLICATE:
          /* A retry of a batch we already have: acknowledge it again —
           * with acks=all only once it is replicated, like the first. */
          out->base_offset = duplicate_offset;
          if (part->replica != NULL && ((CaudalProduceRequest *) req->body)->acks == -1)
            {
              FlushWait *wait = g_new0 (FlushWait, 1);
              wait->state = state;
              wait->out = out;
              wait->part = part;
              wait->end_offset = duplicate_offset + header.last_offset_delta + 1;
              state->pending++;
              wait_for_replicas (wait);
            }
          return;
        case BROKER_SEQUENCE_OUT_OF_ORDER:
          out->error_code = CAUDAL_ERROR_CODE_OUT_OF_ORDER_SEQUENCE_NUMBER;
          return;
        case BROKER_SEQUENCE_FENCED:
          out->error_code = CAUDAL_ERROR_CODE_INVALID_PRODUCER_EPOCH;
          return;
        default:
          g_assert_not_reached ();
        }
    }

  /* The records live in the request's own copy of the frame: the log may
   * rewrite their base offsets in place. */
  if (!broker_log_append (part->log, (guint8 *) in->records.data, (gsize) in->records.len,
                          g_get_real_time () / 1000, &info, &error))
    {
      g_warning ("append to %s-%d: %s", topic->name, in->index, error->message);
      out->error_code = CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
      return;
    }
  if (idempotent)
    broker_producer_state_update (part->producers, header.producer_id, header.producer_epoch,
                                  header.base_sequence, header.last_offset_delta + 1,
                                  info.base_offset,
                                  info.log_append_time >= 0 ? info.log_append_time : header.max_timestamp);
  out->base_offset = info.base_offset;
  out->log_append_time_ms = info.log_append_time;
  out->log_start_offset = broker_log_get_start_offset (part->log);
  broker_fetch_waiters_notify (broker->fetch_waiters, topic->name, in->index);
  if (part->replica != NULL)
    broker_replica_leader_appended (part->replica);

  if (info.needs_flush || (part->replica != NULL && ((CaudalProduceRequest *) req->body)->acks == -1))
    {
      FlushWait *wait = g_new0 (FlushWait, 1);
      wait->state = state;
      wait->out = out;
      if (part->replica != NULL && ((CaudalProduceRequest *) req->body)->acks == -1)
        {
          wait->part = part;
          wait->end_offset = info.last_offset + 1;
        }
      state->pending++;
      if (info.needs_flush)
        broker_log_flush_async (part->log, NULL, on_flushed, wait);
      else
        wait_for_replicas (wait);
    }
}

void
broker_handle_produce (BrokerRequest *req)
{
  CaudalProduceRequest *body = req->body;
  CaudalProduceResponse *resp = req->response;
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_produce_response_desc, "responses");
  CaudalProduceResponseTopicProduceResponse *topics;
  ProduceState *state = g_new0 (ProduceState, 1);
  gint16 global_error = CAUDAL_ERROR_CODE_NONE;

  state->req = req;
  /* The handler itself counts as pending: a wait that completes at once
   * (the HW is already past) must not free the request mid-loop. */
  state->pending = 1;
  /* acks=0: the client expects no reply at all. */
  req->no_response = body->acks == 0;
  if (body->acks != 0 && body->acks != 1 && body->acks != -1)
    global_error = CAUDAL_ERROR_CODE_INVALID_REQUIRED_ACKS;
  else if (body->transactional_id != NULL)
    global_error = CAUDAL_ERROR_CODE_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

  topics = broker_request_set_array (req, &caudal_produce_response_desc, resp, "responses",
                                     (gsize) MAX (body->n_topic_data, 0));
  for (gint32 t = 0; t < body->n_topic_data; t++)
    {
      const CaudalProduceRequestTopicProduceData *in = &body->topic_data[t];
      BrokerTopic *topic = broker_topics_lookup (req->broker->topics, in->name);
      CaudalProduceResponsePartitionProduceResponse *parts;

      topics[t].name = in->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partition_responses",
                                        (gsize) MAX (in->n_partition_data, 0));
      for (gint32 p = 0; p < in->n_partition_data; p++)
        {
          if (global_error != CAUDAL_ERROR_CODE_NONE)
            {
              parts[p].index = in->partition_data[p].index;
              parts[p].error_code = global_error;
              parts[p].base_offset = -1;
              continue;
            }
          produce_partition (req, state, topic, &in->partition_data[p], &parts[p]);
        }
    }
  state->pending--;
  finish_if_done (state);
}
