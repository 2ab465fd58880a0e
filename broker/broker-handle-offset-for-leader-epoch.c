/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-offset-for-leader-epoch.c: OffsetForLeaderEpoch (key 23),
 * v0-4: where a leader epoch ends in a partition's log. Consumers (Java's
 * and librdkafka's, KIP-320) ask it after a leader change to learn
 * whether the log they read was truncated under them; followers here use
 * Fetch's diverging epoch instead (docs/cluster.md). Kafka's rules
 * (Partition.lastOffsetForLeaderEpoch): the leader answers, or any replica
 * for replica id -2 (debugging, the default before v3); a stale
 * current_leader_epoch is FENCED_LEADER_EPOCH, a newer one
 * UNKNOWN_LEADER_EPOCH; the answer is LeaderEpochFileCache.endOffsetFor. */

#include "broker.h"
#include "broker-handlers.h"
#include "broker-replica.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

#define DEBUGGING_REPLICA_ID (-2)

static void
answer_partition (BrokerPartition                                        *part,
                  gint32                                                  replica_id,
                  const CaudalOffsetForLeaderEpochRequestOffsetForLeaderPartition *in,
                  CaudalOffsetForLeaderEpochResponseEpochEndOffset       *out)
{
  gint32 epoch = -1;
  gint64 end = -1;
  gint32 current = part->leader_epoch;

  out->partition = in->partition;
  out->leader_epoch = -1;
  out->end_offset = -1;
  if (replica_id == DEBUGGING_REPLICA_ID ? !broker_partition_is_replica (part)
                                         : !broker_partition_is_leader (part))
    {
      out->error_code = CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER;
      return;
    }
  if (in->current_leader_epoch >= 0 && in->current_leader_epoch != current)
    {
      out->error_code = in->current_leader_epoch < current ? CAUDAL_ERROR_CODE_FENCED_LEADER_EPOCH
                                                          : CAUDAL_ERROR_CODE_UNKNOWN_LEADER_EPOCH;
      return;
    }
  broker_log_end_offset_for_epoch (part->log, in->leader_epoch, &epoch, &end);
  /* Kafka caches the current epoch when a replica takes it, before any
   * batch of it is appended; ours appears with its first batch. Until
   * then an epoch from the latest cached one up to the current one ends
   * at the log end (nothing was written after it). */
  if (epoch < 0 && in->leader_epoch >= 0 && in->leader_epoch <= current)
    {
      gint32 latest = broker_log_get_latest_epoch (part->log);

      if (in->leader_epoch == current || (latest >= 0 && in->leader_epoch > latest))
        {
          epoch = in->leader_epoch == current ? current : latest;
          end = broker_log_get_end_offset (part->log);
        }
    }
  out->leader_epoch = epoch;
  out->end_offset = end;
}

void
broker_handle_offset_for_leader_epoch (BrokerRequest *req)
{
  CaudalOffsetForLeaderEpochRequest *body = req->body;
  CaudalOffsetForLeaderEpochResponse *resp = req->response;
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_offset_for_leader_epoch_response_desc, "topics");
  CaudalOffsetForLeaderEpochResponseOffsetForLeaderTopicResult *topics;

  topics = broker_request_set_array (req, &caudal_offset_for_leader_epoch_response_desc, resp, "topics",
                                     (gsize) MAX (body->n_topics, 0));
  for (gint32 t = 0; t < body->n_topics; t++)
    {
      const CaudalOffsetForLeaderEpochRequestOffsetForLeaderTopic *in = &body->topics[t];
      BrokerTopic *topic = broker_topics_lookup (req->broker->topics, in->topic);
      CaudalOffsetForLeaderEpochResponseEpochEndOffset *parts;

      topics[t].topic = in->topic;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions",
                                        (gsize) MAX (in->n_partitions, 0));
      for (gint32 p = 0; p < in->n_partitions; p++)
        {
          const CaudalOffsetForLeaderEpochRequestOffsetForLeaderPartition *want = &in->partitions[p];

          if (topic == NULL || want->partition < 0 || (guint) want->partition >= topic->partitions->len)
            {
              parts[p].partition = want->partition;
              parts[p].leader_epoch = -1;
              parts[p].end_offset = -1;
              parts[p].error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
              continue;
            }
          answer_partition (g_ptr_array_index (topic->partitions, want->partition), body->replica_id,
                            want, &parts[p]);
        }
    }
  broker_request_complete (req);
}
