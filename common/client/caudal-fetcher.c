/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-fetcher.c: the consumer's requests to partition leaders:
 * ListOffsets to resolve starting positions, Fetch, and decoding the
 * record batches into CaudalMessages. */

#include "caudal-fetcher.h"

#include <string.h>

#include "caudal-error-codes.h"
#include "caudal-record-batch.h"

#define MAX_DECOMPRESSED   (256u * 1024 * 1024)

/* ---- messages ---- */

static void
message_header_free (CaudalMessageHeader *h)
{
  g_free (h->key);
  g_clear_pointer (&h->value, g_bytes_unref);
  g_free (h);
}

void
caudal_message_free (CaudalMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->topic);
  g_clear_pointer (&message->key, g_bytes_unref);
  g_clear_pointer (&message->value, g_bytes_unref);
  g_clear_pointer (&message->headers, g_ptr_array_unref);
  g_free (message);
}

const char *
caudal_timestamp_type_to_string (CaudalTimestampType type)
{
  switch (type)
    {
    case CAUDAL_TIMESTAMP_CREATE_TIME:
      return "CreateTime";
    case CAUDAL_TIMESTAMP_LOG_APPEND_TIME:
      return "LogAppendTime";
    case CAUDAL_TIMESTAMP_NONE:
    default:
      return "NoTimestampType";
    }
}

/* ---- requests per leader ---- */

typedef struct
{
  char  *topic;
  gint32 partition;
  gint64 value;       /* fetch offset, or ListOffsets timestamp */
} ReqPart;

typedef struct
{
  GTask     *task;     /* a reference */
  gint32     node;
  GPtrArray *parts;    /* ReqPart*, sorted by topic */
} NodeRequest;

static void
req_part_free (ReqPart *rp)
{
  g_free (rp->topic);
  g_free (rp);
}

static void
node_request_free (NodeRequest *nr)
{
  g_clear_object (&nr->task);
  g_ptr_array_unref (nr->parts);
  g_free (nr);
}

static void step_fetch (GTask *task);

/* ---- leaders ---- */

static gint32
leader_of (CaudalConsumer *consumer,
           const char     *topic,
           gint32          partition)
{
  CaudalTopicInfo *t = caudal_cluster_lookup_topic (consumer->cluster, topic);

  if (t == NULL || t->error != CAUDAL_ERROR_CODE_NONE)
    return -1;
  for (guint i = 0; i < t->partitions->len; i++)
    {
      CaudalPartitionInfo *p = g_ptr_array_index (t->partitions, i);
      if (p->partition == partition)
        return p->error == CAUDAL_ERROR_CODE_NONE || p->error == CAUDAL_ERROR_CODE_REPLICA_NOT_AVAILABLE
               ? p->leader : -1;
    }
  return -1;
}

static gboolean
all_leaders_known (CaudalConsumer *consumer)
{
  for (guint i = 0; i < consumer->parts->len; i++)
    {
      PartState *ps = g_ptr_array_index (consumer->parts, i);
      if (leader_of (consumer, ps->topic, ps->partition) < 0)
        return FALSE;
    }
  return TRUE;
}

/* NodeRequest per leader for the partitions @want selects. */
static GPtrArray *
group_by_leader (GTask    *task,
                 gboolean  for_fetch)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < consumer->parts->len; i++)
    {
      PartState *ps = g_ptr_array_index (consumer->parts, i);
      gint32 leader;
      NodeRequest *nr = NULL;
      ReqPart *rp;

      if (for_fetch ? ps->position < 0 : ps->position >= 0)
        continue;
      leader = leader_of (consumer, ps->topic, ps->partition);
      if (leader < 0)
        {
          consumer->need_metadata = TRUE;
          continue;
        }
      for (guint n = 0; n < out->len; n++)
        if (((NodeRequest *) g_ptr_array_index (out, n))->node == leader)
          nr = g_ptr_array_index (out, n);
      if (nr == NULL)
        {
          nr = g_new0 (NodeRequest, 1);
          nr->task = g_object_ref (task);
          nr->node = leader;
          nr->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) req_part_free);
          g_ptr_array_add (out, nr);
        }
      rp = g_new0 (ReqPart, 1);
      rp->topic = g_strdup (ps->topic);
      rp->partition = ps->partition;
      if (for_fetch)
        rp->value = ps->position;
      else if (ps->by_timestamp)
        rp->value = ps->reset;
      else
        rp->value = ps->reset == OFFSET_RESET_NONE ? CAUDAL_OFFSET_END : ps->reset;
      g_ptr_array_add (nr->parts, rp);
    }
  return out;
}

static guint
count_topics (GPtrArray *parts)
{
  guint n = 0;

  for (guint i = 0; i < parts->len; i++)
    if (i == 0 || strcmp (((ReqPart *) g_ptr_array_index (parts, i))->topic,
                          ((ReqPart *) g_ptr_array_index (parts, i - 1))->topic) != 0)
      n++;
  return n;
}

/* ---- ListOffsets ---- */

static gpointer
build_list_offsets (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  NodeRequest *nr = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (nr->task);
  CaudalListOffsetsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *tdesc = caudal_struct_desc_child (&caudal_list_offsets_request_desc, "topics");
  CaudalListOffsetsRequestListOffsetsTopic *t;

  caudal_message_init (&caudal_list_offsets_request_desc, req);
  req->replica_id = -1;
  req->isolation_level = consumer->isolation_level;
  t = caudal_message_set_array (arena, &caudal_list_offsets_request_desc, req, "topics", count_topics (nr->parts));
  for (guint i = 0, k = 0; i < nr->parts->len; k++)
    {
      guint j = i;
      CaudalListOffsetsRequestListOffsetsPartition *p;

      while (j < nr->parts->len && strcmp (((ReqPart *) g_ptr_array_index (nr->parts, j))->topic,
                                           ((ReqPart *) g_ptr_array_index (nr->parts, i))->topic) == 0)
        j++;
      t[k].name = ((ReqPart *) g_ptr_array_index (nr->parts, i))->topic;
      p = caudal_message_set_array (arena, tdesc, &t[k], "partitions", j - i);
      for (guint m = i; m < j; m++)
        {
          ReqPart *rp = g_ptr_array_index (nr->parts, m);
          p[m - i].partition_index = rp->partition;
          p[m - i].current_leader_epoch = -1;
          p[m - i].timestamp = rp->value;
        }
      i = j;
    }
  return req;
}

static void
list_offsets_done (GTask *task)
{
  PollOp *op = g_task_get_task_data (task);

  if (--op->pending > 0 || caudal_consumer_poll_is_done (task))
    return;
  if (op->error != NULL)
    {
      caudal_consumer_poll_fail (task, g_steal_pointer (&op->error));
      return;
    }
  caudal_consumer_step_positions (task);
}

static void
on_list_offsets (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  NodeRequest *nr = user_data;
  g_autoptr(GTask) task = g_object_ref (nr->task);
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_cluster_request_finish (CAUDAL_CLUSTER (source), result, &error);

  node_request_free (nr);
  if (resp == NULL)
    {
      /* The leader may have moved: look again. */
      g_debug ("ListOffsets failed: %s", error->message);
      consumer->need_metadata = TRUE;
    }
  else
    {
      CaudalListOffsetsResponse *body = resp->body;

      for (gint32 t = 0; t < body->n_topics; t++)
        for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
          {
            CaudalListOffsetsResponseListOffsetsPartitionResponse *pp = &body->topics[t].partitions[p];
            PartState *ps = caudal_consumer_lookup_part (consumer, body->topics[t].name, pp->partition_index);

            if (ps == NULL || ps->position >= 0)
              continue;
            if (pp->error_code != CAUDAL_ERROR_CODE_NONE)
              {
                if (caudal_error_code_is_retriable (pp->error_code))
                  consumer->need_metadata = TRUE;
                else if (op->error == NULL)
                  {
                    caudal_set_kafka_error (&op->error, pp->error_code, NULL);
                    g_prefix_error (&op->error, "%s-%d: ", ps->topic, ps->partition);
                  }
                continue;
              }
            if (pp->offset >= 0)
              ps->position = pp->offset;
            else if (ps->by_timestamp)
              {
                /* No record that late: start at the end. */
                ps->by_timestamp = FALSE;
                ps->reset = CAUDAL_OFFSET_END;
              }
          }
    }
  list_offsets_done (task);
}

static void
on_positions_metadata (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (caudal_consumer_poll_is_done (task))
    return;
  if (!caudal_cluster_refresh_metadata_finish (CAUDAL_CLUSTER (source), result, &error))
    {
      /* A dropped connection is retried by the next poll, as Kafka's
       * consumer retries; anything else ends the poll. */
      if (g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_DISCONNECTED)
          || g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_TIMED_OUT))
        {
          g_debug ("metadata refresh failed: %s; retrying", error->message);
          consumer->need_metadata = TRUE;
          step_fetch (task);
          return;
        }
      caudal_consumer_poll_fail (task, g_steal_pointer (&error));
      return;
    }
  consumer->need_metadata = FALSE;
  caudal_consumer_step_positions (task);
}

/* Metadata for the assigned topics, then the offsets to start from. */
void
caudal_consumer_step_positions (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) requests = NULL;

  if (caudal_consumer_poll_is_done (task))
    return;
  if (consumer->parts->len > 0 && (consumer->need_metadata || !all_leaders_known (consumer)) && op->rounds++ < 3)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) topics = NULL;

      for (guint i = 0; i < consumer->parts->len; i++)
        {
          PartState *ps = g_ptr_array_index (consumer->parts, i);
          if (i == 0 || strcmp (ps->topic, ((PartState *) g_ptr_array_index (consumer->parts, i - 1))->topic) != 0)
            g_strv_builder_add (builder, ps->topic);
        }
      topics = g_strv_builder_end (builder);
      consumer->need_metadata = FALSE;
      caudal_cluster_refresh_metadata_async (consumer->cluster, (const char *const *) topics, FALSE, NULL,
                                             on_positions_metadata, g_object_ref (task));
      return;
    }
  for (guint i = 0; i < consumer->parts->len; i++)
    {
      PartState *ps = g_ptr_array_index (consumer->parts, i);
      if (ps->position < 0 && !ps->by_timestamp && ps->reset == OFFSET_RESET_NONE)
        {
          caudal_consumer_poll_fail (task, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_NOT_FOUND,
                                                        "Undefined offset with no reset policy for partition: %s-%d",
                                                        ps->topic, ps->partition));
          return;
        }
    }
  requests = group_by_leader (task, FALSE);
  if (requests->len == 0 || op->rounds > 6)
    {
      for (guint i = 0; i < requests->len; i++)
        node_request_free (g_ptr_array_index (requests, i));
      step_fetch (task);
      return;
    }
  op->rounds++;
  op->pending = requests->len;
  for (guint i = 0; i < requests->len; i++)
    {
      NodeRequest *nr = g_ptr_array_index (requests, i);
      caudal_cluster_request_async (consumer->cluster, nr->node, CAUDAL_API_KEY_LIST_OFFSETS, -1,
                                    build_list_offsets, nr, NULL, on_list_offsets, nr);
    }
}

/* ---- Fetch ---- */

static gpointer
build_fetch (gint16       version,
             CaudalArena *arena,
             gpointer     user_data)
{
  NodeRequest *nr = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (nr->task);
  CaudalFetchRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *tdesc = caudal_struct_desc_child (&caudal_fetch_request_desc, "topics");
  CaudalFetchRequestFetchTopic *t;

  caudal_message_init (&caudal_fetch_request_desc, req);
  req->replica_id = -1;
  req->max_wait_ms = consumer->max_wait_ms;
  req->min_bytes = consumer->min_bytes;
  req->max_bytes = consumer->max_bytes;
  req->isolation_level = consumer->isolation_level;
  req->session_id = 0;
  req->session_epoch = -1;   /* a full fetch, no session (KIP-227) */
  req->rack_id = (char *) "";
  t = caudal_message_set_array (arena, &caudal_fetch_request_desc, req, "topics", count_topics (nr->parts));
  for (guint i = 0, k = 0; i < nr->parts->len; k++)
    {
      guint j = i;
      CaudalFetchRequestFetchPartition *p;

      while (j < nr->parts->len && strcmp (((ReqPart *) g_ptr_array_index (nr->parts, j))->topic,
                                           ((ReqPart *) g_ptr_array_index (nr->parts, i))->topic) == 0)
        j++;
      t[k].topic = ((ReqPart *) g_ptr_array_index (nr->parts, i))->topic;
      p = caudal_message_set_array (arena, tdesc, &t[k], "partitions", j - i);
      for (guint m = i; m < j; m++)
        {
          ReqPart *rp = g_ptr_array_index (nr->parts, m);
          p[m - i].partition = rp->partition;
          p[m - i].current_leader_epoch = -1;
          p[m - i].fetch_offset = rp->value;
          p[m - i].last_fetched_epoch = -1;
          p[m - i].log_start_offset = -1;
          p[m - i].partition_max_bytes = consumer->partition_max_bytes;
        }
      i = j;
    }
  return req;
}

static GBytes *
bytes_or_null (CaudalBytes b)
{
  return b.len < 0 ? NULL : g_bytes_new (b.data, (gsize) b.len);
}

static gint
compare_aborted (gconstpointer a,
                 gconstpointer b)
{
  const CaudalFetchResponseAbortedTransaction *x = *(CaudalFetchResponseAbortedTransaction *const *) a;
  const CaudalFetchResponseAbortedTransaction *y = *(CaudalFetchResponseAbortedTransaction *const *) b;

  return (x->first_offset > y->first_offset) - (x->first_offset < y->first_offset);
}

/* Appends the records of one partition's answer at or after its position
 * and advances the position. */
static gboolean
decode_partition (CaudalConsumer                         *consumer,
                  PartState                              *ps,
                  const CaudalFetchResponsePartitionData *pd,
                  GPtrArray                              *messages,
                  GError                                **error)
{
  CaudalRecordBatchIter bi;
  CaudalRecordBatchHeader h;
  g_autoptr(GHashTable) aborted_pids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) aborted = g_ptr_array_new ();
  guint next_aborted = 0;
  gboolean read_committed = consumer->isolation_level == 1;
  guint before = messages->len;
  GError *local = NULL;

  if (pd->records.len <= 0)
    return TRUE;
  for (gint32 i = 0; read_committed && i < pd->n_aborted_transactions; i++)
    g_ptr_array_add (aborted, (gpointer) &pd->aborted_transactions[i]);
  g_ptr_array_sort (aborted, compare_aborted);

  caudal_record_batch_iter_init (&bi, pd->records.data, (gsize) pd->records.len);
  while (caudal_record_batch_iter_next (&bi, &h, &local))
    {
      gint64 last = caudal_record_batch_header_get_last_offset (&h);
      gboolean control = caudal_record_batch_header_is_control (&h);
      CaudalTimestampType ts_type = caudal_record_batch_header_is_log_append_time (&h)
                                    ? CAUDAL_TIMESTAMP_LOG_APPEND_TIME : CAUDAL_TIMESTAMP_CREATE_TIME;
      g_auto(CaudalRecordIter) ri = { 0 };
      CaudalRecord rec;

      if (last < ps->position)
        continue;
      if (read_committed && h.producer_id >= 0)
        {
          while (next_aborted < aborted->len
                 && ((CaudalFetchResponseAbortedTransaction *) g_ptr_array_index (aborted, next_aborted))->first_offset <= last)
            {
              gint64 *pid = g_new (gint64, 1);
              *pid = ((CaudalFetchResponseAbortedTransaction *) g_ptr_array_index (aborted, next_aborted))->producer_id;
              g_hash_table_add (aborted_pids, pid);
              next_aborted++;
            }
          if (control)
            {
              /* An abort marker ends that producer's aborted run. */
              g_auto(CaudalRecordIter) ci = { 0 };
              if (caudal_record_iter_init (&ci, &h, MAX_DECOMPRESSED, NULL)
                  && caudal_record_iter_next (&ci, &rec, NULL))
                {
                  CaudalControlRecord cr;
                  if (caudal_record_parse_control (&rec, &cr, NULL) && cr.type == CAUDAL_CONTROL_RECORD_ABORT)
                    g_hash_table_remove (aborted_pids, &h.producer_id);
                }
            }
          else if (caudal_record_batch_header_is_transactional (&h)
                   && g_hash_table_contains (aborted_pids, &h.producer_id))
            {
              ps->position = last + 1;
              continue;
            }
        }
      if (control)
        {
          ps->position = last + 1;
          continue;
        }
      if (!caudal_record_iter_init (&ri, &h, MAX_DECOMPRESSED, &local))
        break;
      while (caudal_record_iter_next (&ri, &rec, &local))
        {
          CaudalMessage *m;
          CaudalRecordHeaderIter hi;
          CaudalRecordHeader hdr;

          if (rec.offset < ps->position)
            continue;
          m = g_new0 (CaudalMessage, 1);
          m->topic = g_strdup (ps->topic);
          m->partition = ps->partition;
          m->offset = rec.offset;
          m->timestamp = rec.timestamp;
          m->timestamp_type = ts_type;
          m->key = bytes_or_null (rec.key);
          m->value = bytes_or_null (rec.value);
          m->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) message_header_free);
          caudal_record_header_iter_init (&hi, &rec);
          while (caudal_record_header_iter_next (&hi, &hdr, NULL))
            {
              CaudalMessageHeader *mh = g_new0 (CaudalMessageHeader, 1);
              mh->key = g_strndup ((const char *) hdr.key.data, hdr.key.len > 0 ? (gsize) hdr.key.len : 0);
              mh->value = bytes_or_null (hdr.value);
              g_ptr_array_add (m->headers, mh);
            }
          g_ptr_array_add (messages, m);
          ps->position = rec.offset + 1;
        }
      if (local != NULL)
        break;
      /* Compaction may leave the batch's last offsets empty. */
      ps->position = MAX (ps->position, last + 1);
    }
  if (local != NULL)
    {
      if (messages->len > before)
        {
          /* Deliver what decoded; the next fetch starts at the bad batch. */
          g_clear_error (&local);
          return TRUE;
        }
      g_prefix_error (&local, "%s-%d at offset %" G_GINT64_FORMAT ": ", ps->topic, ps->partition, ps->position);
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static void
fetch_done (GTask *task)
{
  PollOp *op = g_task_get_task_data (task);

  if (--op->pending > 0 || caudal_consumer_poll_is_done (task))
    return;
  if (op->error != NULL && op->messages->len == 0)
    {
      caudal_consumer_poll_fail (task, g_steal_pointer (&op->error));
      return;
    }
  caudal_consumer_poll_succeed (task);
}

static void
on_fetch (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  NodeRequest *nr = user_data;
  g_autoptr(GTask) task = g_object_ref (nr->task);
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_cluster_request_finish (CAUDAL_CLUSTER (source), result, &error);
  CaudalFetchResponse *body;

  if (resp == NULL || caudal_consumer_poll_is_done (task))
    {
      if (resp == NULL)
        {
          g_debug ("Fetch failed: %s", error->message);
          consumer->need_metadata = TRUE;
          if (error->domain == CAUDAL_CLIENT_ERROR && error->code == CAUDAL_CLIENT_ERROR_UNSUPPORTED && op->error == NULL)
            op->error = g_steal_pointer (&error);
        }
      node_request_free (nr);
      fetch_done (task);
      return;
    }
  body = resp->body;
  if (resp->version >= 7 && body->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      if (op->error == NULL)
        caudal_set_kafka_error (&op->error, body->error_code, NULL);
      node_request_free (nr);
      fetch_done (task);
      return;
    }
  for (gint32 t = 0; t < body->n_responses; t++)
    for (gint32 p = 0; p < body->responses[t].n_partitions; p++)
      {
        CaudalFetchResponsePartitionData *pd = &body->responses[t].partitions[p];
        PartState *ps = caudal_consumer_lookup_part (consumer, body->responses[t].topic, pd->partition_index);
        gint64 requested = -1;

        if (ps == NULL)
          continue;
        for (guint i = 0; i < nr->parts->len; i++)
          {
            ReqPart *rp = g_ptr_array_index (nr->parts, i);
            if (rp->partition == ps->partition && strcmp (rp->topic, ps->topic) == 0)
              requested = rp->value;
          }
        /* Seeked or reassigned meanwhile: drop the answer. */
        if (requested != ps->position)
          continue;
        switch (pd->error_code)
          {
          case CAUDAL_ERROR_CODE_NONE:
            if (!decode_partition (consumer, ps, pd, op->messages, op->error == NULL ? &op->error : NULL))
              continue;
            break;
          case CAUDAL_ERROR_CODE_OFFSET_OUT_OF_RANGE:
            if (consumer->auto_offset_reset == OFFSET_RESET_NONE)
              {
                if (op->error == NULL)
                  op->error = g_error_new (CAUDAL_KAFKA_ERROR, pd->error_code,
                                           "OFFSET_OUT_OF_RANGE: Fetch position %" G_GINT64_FORMAT
                                           " is out of range for partition %s-%d",
                                           ps->position, ps->topic, ps->partition);
              }
            else
              {
                ps->position = -1;
                ps->by_timestamp = FALSE;
                ps->reset = consumer->auto_offset_reset;
              }
            break;
          default:
            if (caudal_error_code_is_retriable (pd->error_code)
                || pd->error_code == CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION)
              consumer->need_metadata = TRUE;
            else if (op->error == NULL)
              {
                caudal_set_kafka_error (&op->error, pd->error_code, NULL);
                g_prefix_error (&op->error, "%s-%d: ", ps->topic, ps->partition);
              }
            break;
          }
      }
  node_request_free (nr);
  fetch_done (task);
}

static gboolean
idle_succeed (gpointer user_data)
{
  caudal_consumer_poll_succeed (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_auto_commit (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_commit_finish (CAUDAL_CONSUMER (source), result, &error))
    g_debug ("auto-commit failed: %s", error->message);
}

static void
step_fetch (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) requests = NULL;

  if (caudal_consumer_poll_is_done (task))
    return;
  if (consumer->group_id != NULL && consumer->auto_commit && !consumer->rejoin_needed
      && (consumer->joined || !consumer->subscribed)
      && g_get_monotonic_time () >= consumer->next_auto_commit)
    {
      consumer->next_auto_commit = g_get_monotonic_time () + (gint64) consumer->auto_commit_interval_ms * 1000;
      caudal_consumer_commit_async (consumer, NULL, on_auto_commit, NULL);
    }
  requests = group_by_leader (task, TRUE);
  if (requests->len == 0)
    {
      /* Nothing to fetch yet (no assignment, or leaders unknown): wait as
       * long as a fetch would rather than spin. */
      g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MAX (consumer->max_wait_ms, 100), idle_succeed,
                          g_object_ref (task), g_object_unref);
      return;
    }
  op->pending = requests->len;
  for (guint i = 0; i < requests->len; i++)
    {
      NodeRequest *nr = g_ptr_array_index (requests, i);
      caudal_cluster_request_async (consumer->cluster, nr->node, CAUDAL_API_KEY_FETCH, 12,
                                    build_fetch, nr, NULL, on_fetch, nr);
    }
}
