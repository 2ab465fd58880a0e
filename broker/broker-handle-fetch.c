/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-fetch.c: Fetch (key 1), v4-12, with long polling.
 *
 * A fetch is answered at once when it has min_bytes of data or an error;
 * otherwise it waits until a produce adds data to one of its partitions or
 * max_wait_ms passes. Fetch sessions (KIP-227) are not kept: session_id 0
 * tells clients to send full fetches, which is always legal. */

#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "broker-fetch-waiters.h"
#include "broker-handlers.h"
#include "broker-replica.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

#define ISOLATION_READ_COMMITTED 1

/* The bytes of a batch header up to lastOffsetDelta (baseOffset 8,
 * batchLength 4, partitionLeaderEpoch 4, magic 1, crc 4, attributes 2,
 * lastOffsetDelta 4). */
#define BATCH_HEADER_PREFIX 27

/* Consumers read below the high watermark only: keeps the whole batches
 * of @slice whose last offset is below @limit. Batches end at offsets the
 * HW can take (it moves to some replica's log end, a batch boundary), so
 * nothing is cut inside one. */
static void
trim_slice (BrokerLogSlice *slice,
            gint64          limit)
{
  gsize kept = 0;

  while (kept + BATCH_HEADER_PREFIX <= slice->length)
    {
      guint8 head[BATCH_HEADER_PREFIX];
      guint64 base;
      guint32 batch_len, delta;

      if (pread (slice->fd, head, sizeof head, (off_t) (slice->position + (gint64) kept)) != (ssize_t) sizeof head)
        break;
      memcpy (&base, head, 8);
      memcpy (&batch_len, head + 8, 4);
      memcpy (&delta, head + 23, 4);
      if ((gint64) GUINT64_FROM_BE (base) + (gint32) GUINT32_FROM_BE (delta) >= limit)
        break;
      kept += 12 + (gsize) GUINT32_FROM_BE (batch_len);
    }
  slice->length = MIN (kept, slice->length);
}

/* A follower whose last fetched epoch ends earlier in our log than its
 * fetch offset (or that we do not have) diverged: KIP-595's answer is
 * that epoch's end, where it truncates. */
static gboolean
follower_diverged (BrokerPartition                        *part,
                   const CaudalFetchRequestFetchPartition *want,
                   gint32                                 *epoch,
                   gint64                                 *end_offset)
{
  if (want->last_fetched_epoch < 0)
    return FALSE;
  broker_log_end_offset_for_epoch (part->log, want->last_fetched_epoch, epoch, end_offset);
  if (*epoch < 0)
    {
      /* We have nothing at or before that epoch: all of it diverged. */
      *end_offset = broker_log_get_start_offset (part->log);
      return want->fetch_offset > *end_offset;
    }
  return *epoch != want->last_fetched_epoch || *end_offset < want->fetch_offset;
}

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
  gboolean is_replica = body->replica_id >= 0;

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
          gint64 hw, div_end;
          gint32 div_epoch;

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
          if (!broker_partition_is_leader (part) || (is_replica && part->replica == NULL))
            {
              out->error_code = CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER;
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
          hw = broker_partition_get_high_watermark (part);
          out->high_watermark = hw;
          out->last_stable_offset = hw;
          out->log_start_offset = broker_log_get_start_offset (part->log);
          if (is_replica && follower_diverged (part, want, &div_epoch, &div_end))
            {
              out->diverging_epoch.epoch = div_epoch;
              out->diverging_epoch.end_offset = div_end;
              any_error = TRUE;   /* answer now: the follower must truncate */
              continue;
            }
          /* Consumers see nothing at or above the high watermark yet. */
          if (!is_replica && want->fetch_offset >= hw
              && want->fetch_offset <= broker_log_get_end_offset (part->log))
            continue;

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
          if (!is_replica && slice.length > 0 && hw < broker_log_get_end_offset (part->log))
            trim_slice (&slice, hw);
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

/* A follower's fetch offset is its log end offset: once per request (not
 * on every long-poll retry), and not when its log diverged (KAFKA-13141:
 * a diverging offset must not move the high watermark). */
static void
note_follower_offsets (BrokerRequest *req)
{
  CaudalFetchRequest *body = req->body;

  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      {
        const CaudalFetchRequestFetchPartition *want = &body->topics[t].partitions[p];
        BrokerPartition *part = broker_topics_lookup_partition (req->broker->topics, body->topics[t].topic,
                                                                want->partition);
        gint32 epoch;
        gint64 end;

        if (part == NULL || part->replica == NULL || !broker_partition_is_leader (part)
            || (want->current_leader_epoch >= 0 && want->current_leader_epoch != part->leader_epoch)
            || follower_diverged (part, want, &epoch, &end))
          continue;
        broker_replica_follower_fetched (part->replica, body->replica_id, want->fetch_offset);
      }
}

void
broker_handle_fetch (BrokerRequest *req)
{
  CaudalFetchRequest *body = req->body;

  if (body->replica_id >= 0)
    note_follower_offsets (req);
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
