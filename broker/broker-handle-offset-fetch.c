/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-offset-fetch.c: OffsetFetch (key 9), v1-8: a group's
 * committed offsets, for the partitions asked or all of them; v8 asks for
 * several groups at once (KIP-709). */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* One answered partition, whatever the version's struct. */
typedef struct
{
  gint32      partition;
  gint64      offset;
  gint32      leader_epoch;
  const char *metadata;
} FetchedOffset;

/* The committed offset of one partition, or Kafka's answer for none:
 * offset -1, no leader epoch, metadata "" and no error
 * (OffsetFetchResponse.INVALID_OFFSET, NO_METADATA). Unknown topics are
 * not an error either: Kafka does not look them up. */
static void
fetch_one (BrokerRequest *req,
           const char    *group_id,
           const char    *topic,
           gint32         partition,
           FetchedOffset *out)
{
  BrokerCommittedOffset committed;

  out->partition = partition;
  out->offset = -1;
  out->leader_epoch = -1;
  out->metadata = "";
  if (topic != NULL
      && broker_group_fetch_offset (req->broker->groups, group_id, topic, partition, &committed))
    {
      out->offset = committed.offset;
      out->leader_epoch = committed.leader_epoch;
      /* Borrowed from the coordinator: copy. */
      out->metadata = caudal_arena_strdup (req->arena, committed.metadata != NULL ? committed.metadata : "");
    }
}

/* Every committed offset of @group_id, as a sorted array of
 * BrokerCommittedOffset, with the number of distinct topics. */
static GArray *
list_all (BrokerRequest *req,
          const char    *group_id,
          guint         *n_topics)
{
  GArray *all = broker_group_list_offsets (req->broker->groups, group_id);

  *n_topics = 0;
  if (all == NULL)
    return g_array_new (FALSE, TRUE, sizeof (BrokerCommittedOffset));
  for (guint i = 0; i < all->len; i++)
    {
      const BrokerCommittedOffset *c = &g_array_index (all, BrokerCommittedOffset, i);

      if (i == 0 || g_strcmp0 (c->topic, g_array_index (all, BrokerCommittedOffset, i - 1).topic) != 0)
        (*n_topics)++;
    }
  return all;
}

/* ---- v1-7: one group ---- */

static void
set_partition_v1 (CaudalOffsetFetchResponseOffsetFetchResponsePartition *out,
                  const FetchedOffset                                   *f)
{
  out->partition_index = f->partition;
  out->committed_offset = f->offset;
  /* v5+ (KIP-320); the encoder drops it before. */
  out->committed_leader_epoch = f->leader_epoch;
  out->metadata = (char *) f->metadata;
  out->error_code = CAUDAL_ERROR_CODE_NONE;
}

static void
fetch_all_v1 (BrokerRequest             *req,
              const char                *group_id,
              CaudalOffsetFetchResponse *resp)
{
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_offset_fetch_response_desc, "topics");
  CaudalOffsetFetchResponseOffsetFetchResponseTopic *topics;
  CaudalOffsetFetchResponseOffsetFetchResponsePartition *parts = NULL;
  g_autoptr(GArray) all = NULL;
  guint n_topics;
  gint32 t = -1;

  all = list_all (req, group_id, &n_topics);
  topics = broker_request_set_array (req, &caudal_offset_fetch_response_desc, resp, "topics", n_topics);
  for (guint i = 0, p = 0; i < all->len; i++, p++)
    {
      const BrokerCommittedOffset *c = &g_array_index (all, BrokerCommittedOffset, i);
      FetchedOffset f = { c->partition, c->offset, c->leader_epoch,
                          caudal_arena_strdup (req->arena, c->metadata != NULL ? c->metadata : "") };

      if (t < 0 || g_strcmp0 (c->topic, topics[t].name) != 0)
        {
          guint n = 1;

          /* A new topic: its partitions are the run of entries with its name. */
          while (i + n < all->len && g_strcmp0 (g_array_index (all, BrokerCommittedOffset, i + n).topic, c->topic) == 0)
            n++;
          t++;
          topics[t].name = caudal_arena_strdup (req->arena, c->topic);
          parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions", n);
          p = 0;
        }
      set_partition_v1 (&parts[p], &f);
    }
}

static void
fetch_v1 (BrokerRequest *req)
{
  CaudalOffsetFetchRequest *body = req->body;
  CaudalOffsetFetchResponse *resp = req->response;
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_offset_fetch_response_desc, "topics");
  CaudalOffsetFetchResponseOffsetFetchResponseTopic *topics;
  const char *group_id = body->group_id != NULL ? body->group_id : "";

  /* The top-level error is v2+; the only group-level failure is another
   * broker coordinating the group (cluster mode). */
  resp->error_code = CAUDAL_ERROR_CODE_NONE;
  if (!broker_group_is_coordinator (req->broker, group_id))
    {
      /* OffsetFetchRequest.getErrorResponse: v2+ the top-level error and
       * no topics; v1 the error on every partition asked. */
      if (req->version >= 2)
        {
          resp->error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
          return;
        }
    }

  /* Null topics means every committed partition, from v2 (KIP-88). */
  if (body->n_topics < 0 && req->version >= 2)
    {
      fetch_all_v1 (req, group_id, resp);
      return;
    }

  topics = broker_request_set_array (req, &caudal_offset_fetch_response_desc, resp, "topics",
                                     (gsize) MAX (body->n_topics, 0));
  for (gint32 t = 0; t < body->n_topics; t++)
    {
      const CaudalOffsetFetchRequestOffsetFetchRequestTopic *in = &body->topics[t];
      CaudalOffsetFetchResponseOffsetFetchResponsePartition *parts;
      gint32 n_parts = MAX (in->n_partition_indexes, 0);

      topics[t].name = in->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions", (gsize) n_parts);
      for (gint32 p = 0; p < n_parts; p++)
        {
          FetchedOffset f;

          fetch_one (req, group_id, in->name, in->partition_indexes[p], &f);
          set_partition_v1 (&parts[p], &f);
          if (!broker_group_is_coordinator (req->broker, group_id))
            parts[p].error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
        }
    }
}

/* ---- v8: several groups ---- */

static void
set_partition_v8 (CaudalOffsetFetchResponseOffsetFetchResponsePartitions *out,
                  const FetchedOffset                                    *f)
{
  out->partition_index = f->partition;
  out->committed_offset = f->offset;
  out->committed_leader_epoch = f->leader_epoch;
  out->metadata = (char *) f->metadata;
  out->error_code = CAUDAL_ERROR_CODE_NONE;
}

static void
fetch_group_v8 (BrokerRequest                                         *req,
                const CaudalOffsetFetchRequestOffsetFetchRequestGroup *in,
                CaudalOffsetFetchResponseOffsetFetchResponseGroup     *out)
{
  const CaudalStructDesc *group_desc =
    caudal_struct_desc_child (&caudal_offset_fetch_response_desc, "groups");
  const CaudalStructDesc *topic_desc =
    caudal_struct_desc_child (&caudal_offset_fetch_response_desc, "groups.topics");
  CaudalOffsetFetchResponseOffsetFetchResponseTopics *topics;
  const char *group_id = in->group_id != NULL ? in->group_id : "";

  out->group_id = (char *) group_id;
  out->error_code = CAUDAL_ERROR_CODE_NONE;
  if (!broker_group_is_coordinator (req->broker, group_id))
    {
      /* Each group its own coordinator: this one's error, no topics. */
      out->error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
      return;
    }

  if (in->n_topics < 0)
    {
      /* Null topics: every committed partition of the group. */
      CaudalOffsetFetchResponseOffsetFetchResponsePartitions *parts = NULL;
      g_autoptr(GArray) all = NULL;
      guint n_topics;
      gint32 t = -1;

      all = list_all (req, group_id, &n_topics);
      topics = broker_request_set_array (req, group_desc, out, "topics", n_topics);
      for (guint i = 0, p = 0; i < all->len; i++, p++)
        {
          const BrokerCommittedOffset *c = &g_array_index (all, BrokerCommittedOffset, i);
          FetchedOffset f = { c->partition, c->offset, c->leader_epoch,
                              caudal_arena_strdup (req->arena, c->metadata != NULL ? c->metadata : "") };

          if (t < 0 || g_strcmp0 (c->topic, topics[t].name) != 0)
            {
              guint n = 1;

              while (i + n < all->len && g_strcmp0 (g_array_index (all, BrokerCommittedOffset, i + n).topic, c->topic) == 0)
                n++;
              t++;
              topics[t].name = caudal_arena_strdup (req->arena, c->topic);
              parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions", n);
              p = 0;
            }
          set_partition_v8 (&parts[p], &f);
        }
      return;
    }

  topics = broker_request_set_array (req, group_desc, out, "topics", (gsize) in->n_topics);
  for (gint32 t = 0; t < in->n_topics; t++)
    {
      const CaudalOffsetFetchRequestOffsetFetchRequestTopics *tin = &in->topics[t];
      CaudalOffsetFetchResponseOffsetFetchResponsePartitions *parts;
      gint32 n_parts = MAX (tin->n_partition_indexes, 0);

      topics[t].name = tin->name;
      parts = broker_request_set_array (req, topic_desc, &topics[t], "partitions", (gsize) n_parts);
      for (gint32 p = 0; p < n_parts; p++)
        {
          FetchedOffset f;

          fetch_one (req, group_id, tin->name, tin->partition_indexes[p], &f);
          set_partition_v8 (&parts[p], &f);
        }
    }
}

void
broker_handle_offset_fetch (BrokerRequest *req)
{
  CaudalOffsetFetchRequest *body = req->body;
  CaudalOffsetFetchResponse *resp = req->response;

  /* require_stable (v7+, KIP-447) asks to wait out pending transactional
   * offsets; there are none without transactions, so every offset is
   * stable. An empty group id is accepted, as Kafka does "for backwards
   * compatibility". */
  if (req->version < 8)
    fetch_v1 (req);
  else
    {
      CaudalOffsetFetchResponseOffsetFetchResponseGroup *groups;
      gint32 n = MAX (body->n_groups, 0);

      groups = broker_request_set_array (req, &caudal_offset_fetch_response_desc, resp, "groups",
                                         (gsize) n);
      for (gint32 i = 0; i < n; i++)
        fetch_group_v8 (req, &body->groups[i], &groups[i]);
    }
  broker_request_complete (req);
}
