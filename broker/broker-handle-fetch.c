/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-fetch.c: Fetch (key 1), v4-12, with long polling.
 *
 * A fetch is answered at once when it has min_bytes of data or an error;
 * otherwise it waits until a produce adds data to one of its partitions or
 * max_wait_ms passes. Fetch sessions (KIP-227) are not kept: session_id 0
 * tells clients to send full fetches, which is always legal. */

#include <string.h>

#include "broker.h"
#include "broker-fetch-waiters.h"
#include "broker-handlers.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

#define ISOLATION_READ_COMMITTED 1

/* Builds the response; TRUE when it should be sent now (enough bytes or
 * an error), or always when @final. Read data is kept only when sent. */
gboolean
broker_fetch_try (BrokerRequest *req,
                  gboolean       final)
{
  Broker *broker = req->broker;
  CaudalFetchRequest *body = req->body;
  CaudalFetchResponse *resp = req->response;
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_fetch_response_desc, "responses");
  CaudalFetchResponseFetchableTopicResponse *topics;
  g_autoptr(GArray) slices = g_array_new (FALSE, TRUE, sizeof (BrokerLogSlice));
  g_array_set_clear_func (slices, (GDestroyNotify) broker_log_slice_clear);
  gsize budget = body->max_bytes > 0 ? (gsize) body->max_bytes : 0;
  gsize total = 0;
  gboolean any_error = FALSE;
  gboolean first_data = TRUE;

  resp->error_code = CAUDAL_ERROR_CODE_NONE;
  resp->session_id = 0;
  topics = broker_request_set_array (req, &caudal_fetch_response_desc, resp, "responses",
                                     (gsize) MAX (body->n_topics, 0));
  for (gint32 t = 0; t < body->n_topics; t++)
    {
      const CaudalFetchRequestFetchTopic *in = &body->topics[t];
      BrokerTopic *topic = broker_topics_lookup (broker->topics, in->topic);
      CaudalFetchResponsePartitionData *parts;

      topics[t].topic = in->topic;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions",
                                        (gsize) MAX (in->n_partitions, 0));
      for (gint32 p = 0; p < in->n_partitions; p++)
        {
          const CaudalFetchRequestFetchPartition *want = &in->partitions[p];
          CaudalFetchResponsePartitionData *out = &parts[p];
          BrokerPartition *part = NULL;
          BrokerLogSlice slice = { 0 };
          g_autoptr(GError) error = NULL;
          gsize limit;

          out->partition_index = want->partition;
          out->high_watermark = -1;
          out->last_stable_offset = -1;
          out->log_start_offset = -1;
          out->preferred_read_replica = -1;
          /* read_uncommitted: null; read_committed: an empty list, since
           * no transaction is ever aborted here. */
          out->n_aborted_transactions = body->isolation_level == ISOLATION_READ_COMMITTED ? 0 : -1;
          out->records.data = NULL;
          out->records.len = 0;

          if (topic != NULL && want->partition >= 0 && (guint) want->partition < topic->partitions->len)
            part = g_ptr_array_index (topic->partitions, want->partition);
          if (part == NULL)
            {
              out->error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
              any_error = TRUE;
              continue;
            }
          if (want->current_leader_epoch >= 0 && want->current_leader_epoch != part->leader_epoch)
            {
              out->error_code = want->current_leader_epoch < part->leader_epoch
                                  ? CAUDAL_ERROR_CODE_FENCED_LEADER_EPOCH
                                  : CAUDAL_ERROR_CODE_UNKNOWN_LEADER_EPOCH;
              any_error = TRUE;
              continue;
            }
          out->high_watermark = broker_log_get_end_offset (part->log);
          out->last_stable_offset = out->high_watermark;
          out->log_start_offset = broker_log_get_start_offset (part->log);

          /* KIP-74: the first batch is sent whole even past the limits, so
           * a client always progresses; later partitions get what is left. */
          limit = want->partition_max_bytes > 0 ? (gsize) want->partition_max_bytes : 0;
          if (!first_data)
            limit = MIN (limit, budget > total ? budget - total : 0);
          if (limit == 0 && !first_data)
            continue;
          if (!broker_log_read (part->log, want->fetch_offset, MAX (limit, 1), &slice, &error))
            {
              if (g_error_matches (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE))
                out->error_code = CAUDAL_ERROR_CODE_OFFSET_OUT_OF_RANGE;
              else
                {
                  g_warning ("fetch from %s-%d: %s", topic->name, want->partition, error->message);
                  out->error_code = CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
                }
              any_error = TRUE;
              continue;
            }
          if (slice.length > 0)
            {
              total += slice.length;
              first_data = FALSE;
              g_array_append_val (slices, slice);
              /* Placeholder until the attempt is kept (see below). */
              out->records.data = NULL;
              out->records.len = (gint32) slice.length;
              memset (&slice, 0, sizeof slice);
              slice.fd = -1;
            }
          broker_log_slice_clear (&slice);
        }
    }

  if (!final && !any_error && total < (gsize) MAX (body->min_bytes, 0) && body->max_wait_ms > 0)
    return FALSE;
  /* Kept: the records go out by sendfile, in the order the encoder meets
   * them, which is the order they were read in. */
  for (guint i = 0; i < slices->len; i++)
    broker_request_add_slice (req, &g_array_index (slices, BrokerLogSlice, i));
  return TRUE;
}

void
broker_handle_fetch (BrokerRequest *req)
{
  CaudalFetchRequest *body = req->body;

  if (body->replica_id >= 0)
    {
      /* Follower fetches arrive with replication (issue 9). */
      CaudalFetchResponse *resp = req->response;
      resp->error_code = CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER;
      broker_request_complete (req);
      return;
    }
  if (broker_fetch_try (req, req->broker->stopping))
    {
      broker_request_complete (req);
      return;
    }
  broker_fetch_waiters_add (req->broker->fetch_waiters, req, body->max_wait_ms);
}

gboolean
broker_fetch_wants (BrokerRequest *req,
                    const char    *topic,
                    gint32         partition)
{
  CaudalFetchRequest *body = req->body;

  for (gint32 t = 0; t < body->n_topics; t++)
    {
      if (g_strcmp0 (body->topics[t].topic, topic) != 0)
        continue;
      for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
        if (body->topics[t].partitions[p].partition == partition)
          return TRUE;
    }
  return FALSE;
}
