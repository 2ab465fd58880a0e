/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-offset-commit.c: OffsetCommit (key 8), v2-8: checks the
 * partitions exist, has the coordinator store the rest, and answers once
 * the commit is written. */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"

typedef struct
{
  BrokerRequest     *req;
  BrokerCommitEntry *entries;    /* every partition, in request order */
  gboolean          *sent;       /* entries the coordinator was given */
  guint              n_entries;
  gboolean           in_call;    /* still inside broker_group_commit_offsets() */
  gboolean           answered;
} CommitState;

/* Writes the entries' errors into the response, in request order, and
 * completes. */
static void
finish (CommitState *state)
{
  BrokerRequest *req = state->req;
  CaudalOffsetCommitRequest *body = req->body;
  CaudalOffsetCommitResponse *resp = req->response;
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_offset_commit_response_desc, "topics");
  CaudalOffsetCommitResponseOffsetCommitResponseTopic *topics;
  guint k = 0;
  gint32 n_topics = MAX (body->n_topics, 0);

  topics = broker_request_set_array (req, &caudal_offset_commit_response_desc, resp, "topics",
                                     (gsize) n_topics);
  for (gint32 t = 0; t < n_topics; t++)
    {
      const CaudalOffsetCommitRequestOffsetCommitRequestTopic *in = &body->topics[t];
      CaudalOffsetCommitResponseOffsetCommitResponsePartition *parts;
      gint32 n_parts = MAX (in->n_partitions, 0);

      topics[t].name = in->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions", (gsize) n_parts);
      for (gint32 p = 0; p < n_parts; p++, k++)
        {
          parts[p].partition_index = in->partitions[p].partition_index;
          parts[p].error_code = state->entries[k].error;
        }
    }
  g_assert (k == state->n_entries);
  g_free (state);
  broker_request_complete (req);
}

static void
on_committed (gint16   error,
              gpointer user_data)
{
  CommitState *state = user_data;

  g_return_if_fail (!state->answered);

  /* A group-level error (unknown member, illegal generation, rebalance
   * in progress...) is every sent partition's answer; partitions refused
   * before (unknown topics) keep their own, as Kafka merges them
   * (OffsetCommitResponse.Builder.merge). */
  if (error != CAUDAL_ERROR_CODE_NONE)
    for (guint i = 0; i < state->n_entries; i++)
      if (state->sent[i])
        state->entries[i].error = error;

  state->answered = TRUE;
  /* An answer given at once completes after the coordinator returns:
   * completing frees the entries it was handed. */
  if (!state->in_call)
    finish (state);
}

void
broker_handle_offset_commit (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalOffsetCommitRequest *body = req->body;
  CommitState *state = g_new0 (CommitState, 1);
  gint32 n_topics = MAX (body->n_topics, 0);
  guint n = 0;
  guint n_sent = 0;
  guint k = 0;
  /* The coordinator keeps no nameless group, so an empty id is refused
   * for every partition alike. (Kafka itself accepts it "for backwards
   * compatibility": isValidGroupId lets OffsetCommit through with "".) */
  gboolean no_group = body->group_id == NULL || *body->group_id == '\0';

  state->req = req;
  for (gint32 t = 0; t < n_topics; t++)
    n += (guint) MAX (body->topics[t].n_partitions, 0);
  state->n_entries = n;
  if (n > 0)
    {
      state->entries = caudal_arena_alloc (req->arena, n * sizeof *state->entries);
      state->sent = caudal_arena_alloc (req->arena, n * sizeof *state->sent);
    }

  for (gint32 t = 0; t < n_topics; t++)
    {
      const CaudalOffsetCommitRequestOffsetCommitRequestTopic *in = &body->topics[t];

      for (gint32 p = 0; p < in->n_partitions; p++, k++)
        {
          const CaudalOffsetCommitRequestOffsetCommitRequestPartition *part = &in->partitions[p];
          BrokerCommitEntry *e = &state->entries[k];

          e->topic = in->name;
          e->partition = part->partition_index;
          e->offset = part->committed_offset;
          /* v6+ (KIP-320); the decoder leaves -1 before. */
          e->leader_epoch = req->version >= 6 ? part->committed_leader_epoch : -1;
          /* A null metadata is stored as "" (Kafka's OffsetAndMetadata). */
          e->metadata = part->committed_metadata != NULL ? part->committed_metadata : "";
          if (no_group)
            {
              e->error = CAUDAL_ERROR_CODE_INVALID_GROUP_ID;
              continue;
            }
          /* Kafka checks the partitions against its metadata before the
           * coordinator sees them (KafkaApis.handleOffsetCommitRequest). */
          if (in->name == NULL
              || broker_topics_lookup_partition (broker->topics, in->name, part->partition_index) == NULL)
            {
              e->error = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
              continue;
            }
          e->error = CAUDAL_ERROR_CODE_NONE;
          state->sent[k] = TRUE;
          n_sent++;
        }
    }

  /* Nothing left to store: Kafka answers without the coordinator, so the
   * group and member are not checked either. */
  if (n_sent == 0)
    {
      finish (state);
      return;
    }

  /* Cluster mode: another broker leads the group's partition; the
   * partitions it would have stored get the group-level error. */
  if (!broker_group_is_coordinator (broker, body->group_id))
    {
      state->in_call = TRUE;
      on_committed (CAUDAL_ERROR_CODE_NOT_COORDINATOR, state);
      finish (state);
      return;
    }

  /* retention_time_ms (v2-4) is ignored: offsets.retention.minutes
   * applies to every commit. */
  state->in_call = TRUE;
  broker_group_commit_offsets (broker->groups, body->group_id,
                               body->member_id != NULL ? body->member_id : "",
                               /* KIP-345: v7+ */
                               req->version >= 7 ? body->group_instance_id : NULL,
                               body->generation_id_or_member_epoch,
                               state->entries, state->n_entries,
                               on_committed, state);
  state->in_call = FALSE;
  if (state->answered)
    finish (state);
}
