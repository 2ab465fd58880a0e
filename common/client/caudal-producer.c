/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-producer.c: the producer.
 *
 * A record goes to its topic's waiting queue until the topic's metadata
 * is known, then to a partition (explicit, murmur2 of the key, or the
 * topic's sticky partition) and into the open batch at the tail of that
 * partition's queue. The sender (run_sender(), run from an idle callback
 * or a timer) expires old records, drains the ready head batch of every
 * partition that has none in flight, groups them by leader into one
 * Produce request per broker, and asks for metadata when a topic or a
 * leader is unknown. Responses complete the records or put the batch
 * back at the head of its queue for a retry after retry.backoff.ms.
 *
 * Produce requests go over the leader's connection directly (not through
 * caudal_cluster_request_async()): with acks=0 no response must be
 * awaited, and connecting each broker once here, before any request is
 * sent, keeps concurrent requests from meeting a connection whose
 * ApiVersions exchange is still running.
 *
 * Records complete through a queue (done) emptied at the end of each
 * entry point, so that user callbacks, which may send more records, never
 * run while the producer's tables are being walked. */

#include "caudal-producer.h"

#include <string.h>

#include "caudal-error-codes.h"

#define PRODUCE_MAX_VERSION 9
/* Magic 2 record batches need Produce v3+. */
#define PRODUCE_MIN_VERSION 3
/* Rough per-record overhead in a batch: length, attributes, deltas,
 * key/value lengths, header count (varints). */
#define RECORD_OVERHEAD     21

typedef struct _Topic     Topic;
typedef struct _Partition Partition;
typedef struct _Batch     Batch;
typedef struct _Record    Record;

struct _Record
{
  GTask                *task;
  GList                *link;        /* in producer->incomplete */
  guint64               seq;
  Topic                *topic;
  gint32                partition;   /* asked for, or -1 */
  GBytes               *key;         /* until appended to a batch */
  GBytes               *value;
  CaudalRecordHeader   *headers;     /* copies */
  gsize                 n_headers;
  gsize                 size;        /* estimated bytes in a batch */
  gint64                timestamp;
  gint64                created_us;
  /* the outcome, once in producer->done */
  CaudalProducerResult  result;
  GError               *error;
};

struct _Batch
{
  Partition                *part;
  CaudalRecordBatchBuilder *builder;   /* until closed */
  GBytes                   *data;      /* once closed */
  GPtrArray                *records;   /* Record*, owned */
  gboolean                  full;
  gint64                    created_us;
  gint64                    retry_at_us;
  GError                   *last_error;
};

struct _Partition
{
  Topic    *topic;
  gint32    index;
  gint32    leader;
  GQueue    batches;     /* Batch*, oldest first; the tail may be open */
  gboolean  in_flight;
};

struct _Topic
{
  char      *name;
  GPtrArray *partitions;  /* Partition*; empty while unknown */
  GQueue     waiting;     /* Record* waiting for metadata */
  gint32     sticky;      /* -1: choose one */
  gint32     last_sticky;
  GError    *error;       /* the last metadata problem */
};

typedef struct
{
  gint32    id;
  gboolean  connecting;
  gboolean  negotiated;   /* our own connect succeeded at least once */
  gint64    not_before_us;
  GError   *error;
} Node;

typedef struct
{
  GTask  *task;
  guint64 target;         /* complete when every seq below is done */
} FlushWaiter;

struct _CaudalProducer
{
  GObject               parent_instance;
  CaudalCluster        *cluster;
  CaudalProducerConfig  cfg;
  GHashTable           *topics;       /* name → Topic* */
  GHashTable           *nodes;        /* id → Node* */
  GQueue                incomplete;   /* Record*, in send order */
  GQueue                done;         /* Record*, to complete */
  GQueue                flushes;      /* FlushWaiter* */
  guint64               next_seq;
  guint                 idle_id;
  guint                 timer_id;
  gint64                timer_at_us;
  gboolean              metadata_in_flight;
  guint                 n_connecting;
  gboolean              metadata_stale;
  gint64                metadata_not_before_us;
  GCancellable         *cancellable;
  GRand                *rand;
};

G_DEFINE_FINAL_TYPE (CaudalProducer, caudal_producer, G_TYPE_OBJECT)

static void run_sender (CaudalProducer *p);
static void schedule_run (CaudalProducer *p);

/* ---- configuration ---- */

void
caudal_producer_config_init (CaudalProducerConfig *cfg)
{
  g_return_if_fail (cfg != NULL);
  cfg->acks = -1;
  cfg->linger_ms = 5;
  cfg->batch_size = 16384;
  cfg->compression = CAUDAL_COMPRESSION_NONE;
  cfg->partition = -1;
  cfg->retry_backoff_ms = 100;
  cfg->delivery_timeout_ms = 120000;
  cfg->request_timeout_ms = 30000;
  cfg->max_block_ms = 60000;
  cfg->max_request_size = 1048576;
}

static gboolean
parse_uint (const char *key,
            const char *value,
            guint64     min,
            guint      *out,
            GError    **error)
{
  guint64 v;
  g_autoptr(GError) local = NULL;

  g_autofree char *text = g_strstrip (g_strdup (value));

  if (!g_ascii_string_to_unsigned (text, 10, min, G_MAXINT32, &v, &local))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid value %s for configuration %s: %s", value, key, local->message);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

gboolean
caudal_producer_config_set (CaudalProducerConfig *cfg,
                            const char           *key,
                            const char           *value,
                            GError              **error)
{
  g_return_val_if_fail (cfg != NULL && key != NULL && value != NULL, FALSE);

  if (strcmp (key, "acks") == 0)
    {
      g_autofree char *v = g_strstrip (g_strdup (value));

      if (g_ascii_strcasecmp (v, "all") == 0 || strcmp (v, "-1") == 0)
        cfg->acks = -1;
      else if (strcmp (v, "0") == 0)
        cfg->acks = 0;
      else if (strcmp (v, "1") == 0)
        cfg->acks = 1;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid value %s for configuration acks: String must be one of: all, -1, 0, 1",
                       value);
          return FALSE;
        }
      return TRUE;
    }
  if (strcmp (key, "compression.type") == 0)
    {
      g_autofree char *v = g_ascii_strdown (value, -1);
      CaudalCompression codec;

      g_strstrip (v);
      if (!caudal_compression_from_name (v, &codec))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid value %s for configuration compression.type: "
                       "String must be one of: none, gzip, snappy, lz4, zstd", value);
          return FALSE;
        }
      cfg->compression = codec;
      return TRUE;
    }
  if (strcmp (key, "linger.ms") == 0)
    return parse_uint (key, value, 0, &cfg->linger_ms, error);
  if (strcmp (key, "batch.size") == 0)
    return parse_uint (key, value, 0, &cfg->batch_size, error);
  if (strcmp (key, "retry.backoff.ms") == 0)
    return parse_uint (key, value, 0, &cfg->retry_backoff_ms, error);
  if (strcmp (key, "delivery.timeout.ms") == 0)
    return parse_uint (key, value, 0, &cfg->delivery_timeout_ms, error);
  if (strcmp (key, "request.timeout.ms") == 0)
    return parse_uint (key, value, 1, &cfg->request_timeout_ms, error);
  if (strcmp (key, "max.block.ms") == 0)
    return parse_uint (key, value, 0, &cfg->max_block_ms, error);
  if (strcmp (key, "max.request.size") == 0)
    return parse_uint (key, value, 1, &cfg->max_request_size, error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "The configuration '%s' was supplied but isn't a known config.", key);
  return FALSE;
}

/* ---- the partitioner ---- */

gint32
caudal_murmur2 (const guint8 *data,
                gsize         len)
{
  const guint32 m = 0x5bd1e995;
  const guint32 seed = 0x9747b28c;
  /* Java takes the length as an int. */
  guint32 h = seed ^ (guint32) len;
  gsize len4 = len / 4;

  for (gsize i = 0; i < len4; i++)
    {
      gsize i4 = i * 4;
      guint32 k = (guint32) data[i4] | ((guint32) data[i4 + 1] << 8)
                  | ((guint32) data[i4 + 2] << 16) | ((guint32) data[i4 + 3] << 24);

      k *= m;
      k ^= k >> 24;
      k *= m;
      h *= m;
      h ^= k;
    }
  switch (len % 4)
    {
    case 3:
      h ^= (guint32) data[(len & ~(gsize) 3) + 2] << 16;
      G_GNUC_FALLTHROUGH;
    case 2:
      h ^= (guint32) data[(len & ~(gsize) 3) + 1] << 8;
      G_GNUC_FALLTHROUGH;
    case 1:
      h ^= (guint32) data[len & ~(gsize) 3];
      h *= m;
      break;
    default:
      break;
    }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return (gint32) h;
}

gint32
caudal_partition_for_key (const guint8 *key,
                          gsize         len,
                          gint32        n_partitions)
{
  g_return_val_if_fail (n_partitions > 0, -1);
  return (gint32) (((guint32) caudal_murmur2 (key, len) & 0x7fffffffu) % (guint32) n_partitions);
}

/* ---- records, batches, topics ---- */

static void
record_free (Record *r)
{
  g_clear_object (&r->task);
  g_clear_pointer (&r->key, g_bytes_unref);
  g_clear_pointer (&r->value, g_bytes_unref);
  for (gsize i = 0; i < r->n_headers; i++)
    {
      g_free ((gpointer) r->headers[i].key.data);
      g_free ((gpointer) r->headers[i].value.data);
    }
  g_free (r->headers);
  g_clear_error (&r->error);
  g_free (r);
}

static void
batch_free (Batch *b)
{
  g_clear_pointer (&b->builder, caudal_record_batch_builder_free);
  g_clear_pointer (&b->data, g_bytes_unref);
  g_ptr_array_unref (b->records);
  g_clear_error (&b->last_error);
  g_free (b);
}

static void
partition_free (Partition *part)
{
  g_queue_clear_full (&part->batches, (GDestroyNotify) batch_free);
  g_free (part);
}

static void
topic_free (Topic *t)
{
  g_free (t->name);
  g_ptr_array_unref (t->partitions);
  g_queue_clear_full (&t->waiting, (GDestroyNotify) record_free);
  g_clear_error (&t->error);
  g_free (t);
}

static void
node_free (Node *n)
{
  g_clear_error (&n->error);
  g_free (n);
}

/* Queues @r for completion with @error (taken). */
static void
record_fail (CaudalProducer *p,
             Record         *r,
             GError         *error)
{
  r->error = error;
  g_queue_push_tail (&p->done, r);
}

/* Queues @r for completion with @result. */
static void
record_succeed (CaudalProducer             *p,
                Record                     *r,
                const CaudalProducerResult *result)
{
  r->result = *result;
  g_queue_push_tail (&p->done, r);
}

static void
check_flushes (CaudalProducer *p)
{
  Record *oldest = g_queue_peek_head (&p->incomplete);
  guint64 low = oldest != NULL ? oldest->seq : p->next_seq;

  while (!g_queue_is_empty (&p->flushes))
    {
      FlushWaiter *w = g_queue_peek_head (&p->flushes);

      if (w->target > low)
        break;
      g_queue_pop_head (&p->flushes);
      g_task_return_boolean (w->task, TRUE);
      g_object_unref (w->task);
      g_free (w);
    }
}

/* Completes the records in producer->done (user callbacks run here). */
static void
complete_done (CaudalProducer *p)
{
  Record *r;

  g_object_ref (p);
  while ((r = g_queue_pop_head (&p->done)) != NULL)
    {
      g_queue_delete_link (&p->incomplete, r->link);
      r->link = NULL;
      if (r->error != NULL)
        g_task_return_error (r->task, g_steal_pointer (&r->error));
      else
        g_task_return_pointer (r->task, g_memdup2 (&r->result, sizeof r->result), g_free);
      record_free (r);
    }
  check_flushes (p);
  g_object_unref (p);
}

/* Fails every record of @b (detached from its partition) with @error
 * (taken), and frees @b. */
static void
batch_fail (CaudalProducer *p,
            Batch          *b,
            GError         *error)
{
  for (guint i = 0; i < b->records->len; i++)
    record_fail (p, g_ptr_array_index (b->records, i), g_error_copy (error));
  g_ptr_array_set_free_func (b->records, NULL);
  g_error_free (error);
  batch_free (b);
}

static Topic *
get_topic (CaudalProducer *p,
           const char     *name)
{
  Topic *t = g_hash_table_lookup (p->topics, name);

  if (t != NULL)
    return t;
  t = g_new0 (Topic, 1);
  t->name = g_strdup (name);
  t->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
  g_queue_init (&t->waiting);
  t->sticky = -1;
  t->last_sticky = -1;
  g_hash_table_insert (p->topics, t->name, t);
  return t;
}

static Node *
get_node (CaudalProducer *p,
          gint32          id)
{
  Node *n = g_hash_table_lookup (p->nodes, GINT_TO_POINTER (id));

  if (n == NULL)
    {
      n = g_new0 (Node, 1);
      n->id = id;
      g_hash_table_insert (p->nodes, GINT_TO_POINTER (id), n);
    }
  return n;
}

/* A random partition with a leader (any partition if none has one),
 * other than the last sticky one when there is a choice (KIP-480). */
static gint32
choose_sticky (CaudalProducer *p,
               Topic          *t)
{
  g_autoptr(GArray) avail = g_array_new (FALSE, FALSE, sizeof (gint32));

  for (guint i = 0; i < t->partitions->len; i++)
    {
      Partition *part = g_ptr_array_index (t->partitions, i);
      if (part->leader >= 0 && (gint32) i != t->last_sticky)
        g_array_append_val (avail, part->index);
    }
  if (avail->len == 0)
    {
      for (guint i = 0; i < t->partitions->len; i++)
        if ((gint32) i != t->last_sticky || t->partitions->len == 1)
          g_array_append_val (avail, i);
    }
  return g_array_index (avail, gint32, g_rand_int_range (p->rand, 0, (gint32) avail->len));
}

static Batch *
batch_new (CaudalProducer *p,
           Partition      *part)
{
  Batch *b = g_new0 (Batch, 1);

  b->part = part;
  b->builder = caudal_record_batch_builder_new ();
  caudal_record_batch_builder_set_compression (b->builder, p->cfg.compression);
  b->records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  b->created_us = g_get_monotonic_time ();
  g_queue_push_tail (&part->batches, b);
  return b;
}

/* The open batch at the tail of @part's queue, if it can take @size more
 * bytes. */
static Batch *
open_batch (CaudalProducer *p,
            Partition      *part,
            gsize           size)
{
  Batch *b = g_queue_peek_tail (&part->batches);

  if (b == NULL || b->builder == NULL || b->full)
    return NULL;
  if (b->records->len > 0
      && caudal_record_batch_builder_get_size (b->builder) + size > p->cfg.batch_size)
    {
      b->full = TRUE;
      return NULL;
    }
  return b;
}

/* Puts @r (whose topic's partitions are known) into a batch, or fails it. */
static void
assign_record (CaudalProducer *p,
               Record         *r)
{
  Topic *t = r->topic;
  gint32 n = (gint32) t->partitions->len;
  gint32 index = r->partition >= 0 ? r->partition : p->cfg.partition;
  gboolean sticky = FALSE;
  Partition *part;
  Batch *b;
  GError *error = NULL;
  CaudalBytes key = CAUDAL_BYTES_NULL, value = CAUDAL_BYTES_NULL;

  if (index >= 0)
    {
      if (index >= n)
        {
          record_fail (p, r, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_NOT_FOUND,
                                      "Invalid partition given with record: %d is not in the range [0...%d).",
                                      index, n));
          return;
        }
    }
  else if (r->key != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (r->key, &len);
      index = caudal_partition_for_key (data, len, n);
    }
  else
    {
      if (t->sticky < 0 || t->sticky >= n)
        t->sticky = choose_sticky (p, t);
      index = t->sticky;
      sticky = TRUE;
    }

  part = g_ptr_array_index (t->partitions, index);
  b = open_batch (p, part, r->size);
  if (b == NULL && sticky && n > 1 && !g_queue_is_empty (&part->batches))
    {
      /* The sticky partition's batch is full: switch (KIP-480). */
      t->last_sticky = t->sticky;
      t->sticky = choose_sticky (p, t);
      part = g_ptr_array_index (t->partitions, t->sticky);
      b = open_batch (p, part, r->size);
    }
  if (b == NULL)
    b = batch_new (p, part);

  if (r->key != NULL)
    {
      gsize len;
      key.data = g_bytes_get_data (r->key, &len);
      key.len = (gint32) len;
    }
  if (r->value != NULL)
    {
      gsize len;
      value.data = g_bytes_get_data (r->value, &len);
      value.len = (gint32) len;
    }
  if (!caudal_record_batch_builder_append (b->builder, r->timestamp, key, value, r->headers, r->n_headers, &error))
    {
      record_fail (p, r, error);
      if (b->records->len == 0)
        {
          g_queue_remove (&part->batches, b);
          batch_free (b);
        }
      return;
    }
  r->result.partition = index;
  g_clear_pointer (&r->key, g_bytes_unref);
  g_clear_pointer (&r->value, g_bytes_unref);
  g_ptr_array_add (b->records, r);
  if (caudal_record_batch_builder_get_size (b->builder) >= p->cfg.batch_size)
    b->full = TRUE;
  schedule_run (p);
}

/* ---- metadata ---- */

static void
fail_waiting (CaudalProducer *p,
              Topic          *t,
              const GError   *error)
{
  Record *r;

  while ((r = g_queue_pop_head (&t->waiting)) != NULL)
    record_fail (p, r, g_error_copy (error));
}

static void
store_topic (CaudalProducer        *p,
             Topic                 *t,
             const CaudalTopicInfo *info)
{
  Record *r;

  if (info == NULL)
    {
      g_clear_error (&t->error);
      caudal_set_kafka_error (&t->error, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, NULL);
      return;
    }
  if (info->error != CAUDAL_ERROR_CODE_NONE || info->partitions->len == 0)
    {
      gint16 code = info->error != CAUDAL_ERROR_CODE_NONE ? info->error : CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE;

      g_clear_error (&t->error);
      caudal_set_kafka_error (&t->error, code, NULL);
      /* A topic that cannot be used (invalid name, not authorised…):
       * its waiting records fail now. */
      if (!caudal_error_code_is_retriable (code))
        fail_waiting (p, t, t->error);
      if (info->partitions->len == 0)
        return;
    }
  else
    g_clear_error (&t->error);

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const CaudalPartitionInfo *pi = g_ptr_array_index (info->partitions, i);
      Partition *part;

      if (pi->partition < 0 || pi->partition > 1000000)
        continue;
      while (t->partitions->len <= (guint) pi->partition)
        {
          part = g_new0 (Partition, 1);
          part->topic = t;
          part->index = (gint32) t->partitions->len;
          part->leader = -1;
          g_queue_init (&part->batches);
          g_ptr_array_add (t->partitions, part);
        }
      part = g_ptr_array_index (t->partitions, pi->partition);
      part->leader = pi->leader;
    }
  while ((r = g_queue_pop_head (&t->waiting)) != NULL)
    assign_record (p, r);
}

static void
on_metadata (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CaudalProducer *p = user_data;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  p->metadata_in_flight = FALSE;
  p->metadata_not_before_us = g_get_monotonic_time () + (gint64) p->cfg.retry_backoff_ms * 1000;
  if (!caudal_cluster_refresh_metadata_finish (CAUDAL_CLUSTER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_object_unref (p);
          return;
        }
      p->metadata_stale = TRUE;
      g_hash_table_iter_init (&iter, p->topics);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Topic *t = value;
          if (t->partitions->len == 0)
            {
              g_clear_error (&t->error);
              t->error = g_error_copy (error);
            }
        }
    }
  else
    {
      g_hash_table_iter_init (&iter, p->topics);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Topic *t = value;
          store_topic (p, t, caudal_cluster_lookup_topic (p->cluster, t->name));
        }
    }
  run_sender (p);
  g_object_unref (p);
}

static void
request_metadata (CaudalProducer *p)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (p->metadata_in_flight)
    return;
  g_hash_table_iter_init (&iter, p->topics);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_add (names, NULL);
  p->metadata_in_flight = TRUE;
  p->metadata_stale = FALSE;
  caudal_cluster_refresh_metadata_async (p->cluster, (const char *const *) names->pdata, TRUE,
                                         p->cancellable, on_metadata, g_object_ref (p));
}

/* ---- sending ---- */

typedef struct
{
  CaudalProducer *producer;
  gint32          node;
  gint16          acks;
  GPtrArray      *batches;   /* Batch*, owned while in flight */
  CaudalArena    *arena;
} ProduceOp;

static void
produce_op_free (ProduceOp *op)
{
  g_ptr_array_unref (op->batches);
  g_clear_pointer (&op->arena, caudal_arena_free);
  g_object_unref (op->producer);
  g_free (op);
}

static gint
compare_batches (gconstpointer a,
                 gconstpointer b)
{
  const Batch *x = *(Batch *const *) a, *y = *(Batch *const *) b;
  int c = strcmp (x->part->topic->name, y->part->topic->name);

  return c != 0 ? c : (x->part->index > y->part->index) - (x->part->index < y->part->index);
}

static CaudalProduceRequest *
build_produce (ProduceOp *op)
{
  CaudalProduceRequest *req = caudal_arena_alloc (op->arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_produce_request_desc, "topic_data");
  CaudalProduceRequestTopicProduceData *topics;
  guint n_topics = 0, ti = 0;

  caudal_message_init (&caudal_produce_request_desc, req);
  req->acks = op->acks;
  req->timeout_ms = (gint32) op->producer->cfg.request_timeout_ms;
  g_ptr_array_sort (op->batches, compare_batches);
  for (guint i = 0; i < op->batches->len; i++)
    if (i == 0 || ((Batch *) op->batches->pdata[i - 1])->part->topic != ((Batch *) op->batches->pdata[i])->part->topic)
      n_topics++;
  topics = caudal_message_set_array (op->arena, &caudal_produce_request_desc, req, "topic_data", n_topics);
  for (guint i = 0; i < op->batches->len;)
    {
      Topic *t = ((Batch *) op->batches->pdata[i])->part->topic;
      guint j = i;
      CaudalProduceRequestPartitionProduceData *parts;

      while (j < op->batches->len && ((Batch *) op->batches->pdata[j])->part->topic == t)
        j++;
      topics[ti].name = t->name;
      parts = caudal_message_set_array (op->arena, topic_desc, &topics[ti], "partition_data", j - i);
      for (guint k = i; k < j; k++)
        {
          Batch *b = op->batches->pdata[k];
          gsize len;

          parts[k - i].index = b->part->index;
          parts[k - i].records.data = g_bytes_get_data (b->data, &len);
          parts[k - i].records.len = (gint32) len;
        }
      ti++;
      i = j;
    }
  return req;
}

/* Puts @b back at the head of its partition's queue for a retry, or fails
 * it when its delivery timeout has passed. Takes @error. */
static void
batch_retry (CaudalProducer *p,
             Batch          *b,
             GError         *error)
{
  gint64 now = g_get_monotonic_time ();

  b->part->in_flight = FALSE;
  g_debug ("producer: retrying %u record(s) for %s-%d: %s", b->records->len, b->part->topic->name,
           b->part->index, error->message);
  g_clear_error (&b->last_error);
  b->last_error = error;
  if (now - b->created_us >= (gint64) p->cfg.delivery_timeout_ms * 1000)
    {
      GError *e = g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_TIMED_OUT,
                               "Expiring %u record(s) for %s-%d: %" G_GINT64_FORMAT
                               " ms has passed since batch creation (last error: %s)",
                               b->records->len, b->part->topic->name, b->part->index,
                               (now - b->created_us) / 1000, error->message);
      batch_fail (p, b, e);
      return;
    }
  b->retry_at_us = now + (gint64) p->cfg.retry_backoff_ms * 1000;
  g_queue_push_head (&b->part->batches, b);
  p->metadata_stale = TRUE;
}

static void
batch_delivered (CaudalProducer *p,
                 Batch          *b,
                 gint64          base_offset,
                 gint64          log_append_time)
{
  for (guint i = 0; i < b->records->len; i++)
    {
      Record *r = g_ptr_array_index (b->records, i);
      CaudalProducerResult res = { b->part->index, base_offset >= 0 ? base_offset + i : -1,
                                   log_append_time >= 0 ? log_append_time : r->timestamp };
      record_succeed (p, r, &res);
    }
  g_ptr_array_set_free_func (b->records, NULL);
  batch_free (b);
}

static void
on_produce (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ProduceOp *op = user_data;
  CaudalProducer *p = g_object_ref (op->producer);
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_connection_request_finish (CAUDAL_CONNECTION (source), result, &error);

  if (op->acks == 0 && error == NULL)
    {
      /* Written; the broker will not answer. */
      for (guint i = 0; i < op->batches->len; i++)
        {
          Batch *b = op->batches->pdata[i];
          b->part->in_flight = FALSE;
          batch_delivered (p, b, -1, -1);
        }
      g_ptr_array_set_free_func (op->batches, NULL);
    }
  else if (resp == NULL)
    {
      /* Disconnected or timed out: retriable (Kafka's NetworkException). */
      for (guint i = 0; i < op->batches->len; i++)
        {
          Batch *b = op->batches->pdata[i];
          b->part->in_flight = FALSE;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            batch_fail (p, b, g_error_copy (error));
          else
            batch_retry (p, b, g_error_copy (error));
        }
      g_ptr_array_set_free_func (op->batches, NULL);
    }
  else
    {
      const CaudalProduceResponse *body = resp->body;

      for (guint i = 0; i < op->batches->len; i++)
        {
          Batch *b = op->batches->pdata[i];
          const CaudalProduceResponsePartitionProduceResponse *pr = NULL;

          for (gint32 ti = 0; ti < body->n_responses && pr == NULL; ti++)
            {
              if (g_strcmp0 (body->responses[ti].name, b->part->topic->name) != 0)
                continue;
              for (gint32 pi = 0; pi < body->responses[ti].n_partition_responses; pi++)
                if (body->responses[ti].partition_responses[pi].index == b->part->index)
                  {
                    pr = &body->responses[ti].partition_responses[pi];
                    break;
                  }
            }
          b->part->in_flight = FALSE;
          if (pr == NULL)
            batch_fail (p, b, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                                           "the Produce response has no result for %s-%d",
                                           b->part->topic->name, b->part->index));
          else if (pr->error_code == CAUDAL_ERROR_CODE_NONE)
            batch_delivered (p, b, pr->base_offset, pr->log_append_time_ms);
          else
            {
              GError *e = NULL;

              caudal_set_kafka_error (&e, pr->error_code, pr->error_message);
              if (caudal_error_code_is_retriable (pr->error_code))
                batch_retry (p, b, e);
              else
                batch_fail (p, b, e);
            }
        }
      g_ptr_array_set_free_func (op->batches, NULL);
    }
  produce_op_free (op);
  run_sender (p);
  g_object_unref (p);
}

static void
send_batches (CaudalProducer   *p,
              CaudalConnection *conn,
              gint16            version,
              gint32            node,
              GPtrArray        *batches)
{
  ProduceOp *op = g_new0 (ProduceOp, 1);
  CaudalProduceRequest *req;

  op->producer = g_object_ref (p);
  op->node = node;
  op->acks = p->cfg.acks;
  op->batches = g_ptr_array_ref (batches);
  op->arena = caudal_arena_new (0);
  for (guint i = 0; i < batches->len; i++)
    ((Batch *) batches->pdata[i])->part->in_flight = TRUE;
  req = build_produce (op);
  caudal_connection_set_timeout (conn, p->cfg.request_timeout_ms);
  caudal_connection_request_async (conn, CAUDAL_API_KEY_PRODUCE, version, req, op->acks != 0,
                                   p->cancellable, on_produce, op);
}

typedef struct
{
  CaudalProducer *producer;
  gint32          node;
} ConnectOp;

static void
on_node_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ConnectOp *op = user_data;
  CaudalProducer *p = op->producer;
  g_autoptr(GError) error = NULL;
  Node *node;

  if (!caudal_connection_connect_finish (CAUDAL_CONNECTION (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;
  node = get_node (p, op->node);
  node->connecting = FALSE;
  p->n_connecting--;
  g_clear_error (&node->error);
  if (error != NULL)
    {
      node->error = g_steal_pointer (&error);
      node->not_before_us = g_get_monotonic_time () + (gint64) p->cfg.retry_backoff_ms * 1000;
      p->metadata_stale = TRUE;
    }
  else
    node->negotiated = TRUE;
  run_sender (p);

out:
  g_object_unref (p);
  g_free (op);
}

typedef enum
{
  NODE_READY,
  NODE_WAIT,
  NODE_UNSUPPORTED,
} NodeState;

/* Whether @id's connection can take Produce requests now; starts
 * connecting when it is not connected. */
static NodeState
node_state (CaudalProducer    *p,
            gint32             id,
            gint64             now,
            gint64            *wake,
            CaudalConnection **out_conn,
            gint16            *out_version)
{
  Node *n = get_node (p, id);
  CaudalConnection *conn;
  gint16 version;

  if (n->connecting)
    return NODE_WAIT;
  conn = caudal_cluster_get_connection (p->cluster, id);
  if (conn == NULL)
    {
      p->metadata_stale = TRUE;
      return NODE_WAIT;
    }
  if (!caudal_connection_is_connected (conn))
    {
      /* Never two connects of one connection at once: a metadata refresh
       * may be connecting this very connection (a bootstrap one). */
      if (p->metadata_in_flight)
        return NODE_WAIT;
      if (now < n->not_before_us)
        {
          *wake = MIN (*wake, n->not_before_us);
          return NODE_WAIT;
        }
      ConnectOp *op = g_new0 (ConnectOp, 1);

      op->producer = g_object_ref (p);
      op->node = id;
      n->connecting = TRUE;
      p->n_connecting++;
      caudal_connection_set_timeout (conn, p->cfg.request_timeout_ms);
      caudal_connection_connect_async (conn, p->cancellable, on_node_connected, op);
      return NODE_WAIT;
    }
  version = caudal_connection_pick_version (conn, CAUDAL_API_KEY_PRODUCE, PRODUCE_MAX_VERSION);
  if (version < PRODUCE_MIN_VERSION)
    {
      /* Connected but not negotiated yet by someone else's connect:
       * wait; negotiated and still no version: the broker is too old. */
      if (version >= 0 || n->negotiated)
        return NODE_UNSUPPORTED;
      *wake = MIN (*wake, now + (gint64) p->cfg.retry_backoff_ms * 1000);
      return NODE_WAIT;
    }
  *out_conn = conn;
  *out_version = version;
  return NODE_READY;
}

static gboolean
batch_ready (CaudalProducer *p,
             Batch          *b,
             gint64          now,
             gint64         *wake)
{
  gint64 linger_end;

  if (b->retry_at_us > now)
    {
      *wake = MIN (*wake, b->retry_at_us);
      return FALSE;
    }
  if (b->builder == NULL || b->full || b != g_queue_peek_tail (&b->part->batches)
      || !g_queue_is_empty (&p->flushes))
    return TRUE;
  linger_end = b->created_us + (gint64) p->cfg.linger_ms * 1000;
  if (now >= linger_end)
    return TRUE;
  *wake = MIN (*wake, linger_end);
  return FALSE;
}

/* Finishes @b's builder into bytes. FALSE (with @b failed and removed)
 * when that fails. */
static gboolean
batch_close (CaudalProducer *p,
             Batch          *b)
{
  GError *error = NULL;
  Topic *t = b->part->topic;

  if (b->builder == NULL)
    return TRUE;
  b->data = caudal_record_batch_builder_finish (b->builder, &error);
  g_clear_pointer (&b->builder, caudal_record_batch_builder_free);
  if (t->sticky == b->part->index)
    {
      /* Its batch is on its way: the next keyless record picks anew. */
      t->last_sticky = t->sticky;
      t->sticky = -1;
    }
  if (b->data == NULL)
    {
      g_queue_remove (&b->part->batches, b);
      batch_fail (p, b, error);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  CaudalConnection *conn;
  gint16            version;
  GPtrArray        *batches;
  gsize             bytes;
} NodeDrain;

static void
node_drain_free (NodeDrain *d)
{
  g_ptr_array_unref (d->batches);
  g_free (d);
}

static gboolean
on_timer (gpointer user_data)
{
  CaudalProducer *p = user_data;

  p->timer_id = 0;
  run_sender (p);
  return G_SOURCE_REMOVE;
}

static gboolean
on_idle (gpointer user_data)
{
  CaudalProducer *p = user_data;

  p->idle_id = 0;
  run_sender (p);
  return G_SOURCE_REMOVE;
}

static void
schedule_run (CaudalProducer *p)
{
  if (p->idle_id == 0)
    p->idle_id = g_idle_add (on_idle, p);
}

static void
run_sender (CaudalProducer *p)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wake = G_MAXINT64;
  gboolean need_metadata = p->metadata_stale;
  g_autoptr(GHashTable) drains = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) node_drain_free);
  g_autoptr(GHashTable) skip = g_hash_table_new (NULL, NULL);
  GHashTableIter iter, niter;
  gpointer value, key;

  g_object_ref (p);
  g_clear_handle_id (&p->idle_id, g_source_remove);

  g_hash_table_iter_init (&iter, p->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Topic *t = value;

      /* Records waiting for the topic's metadata: max.block.ms. */
      while (!g_queue_is_empty (&t->waiting))
        {
          Record *r = g_queue_peek_head (&t->waiting);
          gint64 deadline = r->created_us + (gint64) p->cfg.max_block_ms * 1000;

          if (now < deadline)
            {
              wake = MIN (wake, deadline);
              need_metadata = TRUE;
              break;
            }
          g_queue_pop_head (&t->waiting);
          if (t->error != NULL && t->error->domain == CAUDAL_CLIENT_ERROR)
            record_fail (p, r, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_TIMED_OUT,
                                                    "Topic %s not present in metadata after %u ms: %s",
                                                    t->name, p->cfg.max_block_ms, t->error->message));
          else
            record_fail (p, r, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_TIMED_OUT,
                                                    "Topic %s not present in metadata after %u ms%s%s",
                                                    t->name, p->cfg.max_block_ms,
                                                    t->error != NULL ? " (last error: " : ".",
                                                    t->error != NULL ? t->error->message : ""));
        }

      for (guint i = 0; i < t->partitions->len; i++)
        {
          Partition *part = g_ptr_array_index (t->partitions, i);
          Batch *b;
          NodeDrain *d;

          if (part->in_flight || g_queue_is_empty (&part->batches))
            continue;
          /* delivery.timeout.ms, for batches not in flight. */
          while ((b = g_queue_peek_head (&part->batches)) != NULL
                 && now - b->created_us >= (gint64) p->cfg.delivery_timeout_ms * 1000)
            {
              g_queue_pop_head (&part->batches);
              batch_fail (p, b, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_TIMED_OUT,
                                             "Expiring %u record(s) for %s-%d: %" G_GINT64_FORMAT
                                             " ms has passed since batch creation%s%s%s",
                                             b->records->len, t->name, part->index,
                                             (now - b->created_us) / 1000,
                                             b->last_error != NULL ? " (last error: " : "",
                                             b->last_error != NULL ? b->last_error->message : "",
                                             b->last_error != NULL ? ")" : ""));
            }
          if (b == NULL)
            continue;
          wake = MIN (wake, b->created_us + (gint64) p->cfg.delivery_timeout_ms * 1000);
          if (part->leader < 0)
            {
              need_metadata = TRUE;
              continue;
            }
          if (!batch_ready (p, b, now, &wake))
            continue;
          if (g_hash_table_contains (skip, GINT_TO_POINTER (part->leader)))
            continue;
          d = g_hash_table_lookup (drains, GINT_TO_POINTER (part->leader));
          if (d == NULL)
            {
              CaudalConnection *conn = NULL;
              gint16 version = -1;
              Node *n;

              switch (node_state (p, part->leader, now, &wake, &conn, &version))
                {
                case NODE_WAIT:
                  n = get_node (p, part->leader);
                  if (n->error != NULL)
                    {
                      g_clear_error (&b->last_error);
                      b->last_error = g_error_copy (n->error);
                    }
                  g_hash_table_add (skip, GINT_TO_POINTER (part->leader));
                  continue;
                case NODE_UNSUPPORTED:
                  g_queue_pop_head (&part->batches);
                  batch_fail (p, b, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                                                 "broker %d does not support Produce v%d+ (record batches, magic 2)",
                                                 part->leader, PRODUCE_MIN_VERSION));
                  continue;
                case NODE_READY:
                default:
                  break;
                }
              d = g_new0 (NodeDrain, 1);
              d->conn = conn;
              d->version = version;
              d->batches = g_ptr_array_new ();
              g_hash_table_insert (drains, GINT_TO_POINTER (part->leader), d);
            }
          if (!batch_close (p, b))
            continue;
          if (d->batches->len > 0 && d->bytes + g_bytes_get_size (b->data) > p->cfg.max_request_size)
            {
              /* Next request. */
              wake = MIN (wake, now);
              continue;
            }
          g_queue_pop_head (&part->batches);
          d->bytes += g_bytes_get_size (b->data);
          g_ptr_array_add (d->batches, b);
        }
    }

  g_hash_table_iter_init (&niter, drains);
  while (g_hash_table_iter_next (&niter, &key, &value))
    {
      NodeDrain *d = value;

      if (d->batches->len > 0)
        send_batches (p, d->conn, d->version, GPOINTER_TO_INT (key), d->batches);
    }

  if (need_metadata || p->metadata_stale)
    {
      if (p->metadata_in_flight || p->n_connecting > 0)
        ;   /* on_metadata() or on_node_connected() runs the sender again */
      else if (now >= p->metadata_not_before_us)
        request_metadata (p);
      else
        wake = MIN (wake, p->metadata_not_before_us);
    }

  if (wake != G_MAXINT64 && (p->timer_id == 0 || wake < p->timer_at_us))
    {
      gint64 delay_ms = (wake - now + 999) / 1000;

      g_clear_handle_id (&p->timer_id, g_source_remove);
      p->timer_at_us = wake;
      p->timer_id = g_timeout_add ((guint) CLAMP (delay_ms, 0, G_MAXINT32), on_timer, p);
    }
  complete_done (p);
  g_object_unref (p);
}

/* ---- the object ---- */

static void
caudal_producer_dispose (GObject *object)
{
  CaudalProducer *p = CAUDAL_PRODUCER (object);

  g_cancellable_cancel (p->cancellable);
  g_clear_handle_id (&p->idle_id, g_source_remove);
  g_clear_handle_id (&p->timer_id, g_source_remove);
  G_OBJECT_CLASS (caudal_producer_parent_class)->dispose (object);
}

static void
caudal_producer_finalize (GObject *object)
{
  CaudalProducer *p = CAUDAL_PRODUCER (object);

  /* Every record's task holds a reference: none is left here. */
  g_hash_table_unref (p->topics);
  g_hash_table_unref (p->nodes);
  g_clear_object (&p->cancellable);
  g_clear_object (&p->cluster);
  g_rand_free (p->rand);
  G_OBJECT_CLASS (caudal_producer_parent_class)->finalize (object);
}

static void
caudal_producer_class_init (CaudalProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = caudal_producer_dispose;
  G_OBJECT_CLASS (klass)->finalize = caudal_producer_finalize;
}

static void
caudal_producer_init (CaudalProducer *p)
{
  caudal_producer_config_init (&p->cfg);
  p->topics = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) topic_free);
  p->nodes = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) node_free);
  g_queue_init (&p->incomplete);
  g_queue_init (&p->done);
  g_queue_init (&p->flushes);
  p->cancellable = g_cancellable_new ();
  p->rand = g_rand_new ();
}

CaudalProducer *
caudal_producer_new (CaudalCluster              *cluster,
                     const CaudalProducerConfig *cfg)
{
  CaudalProducer *p;

  g_return_val_if_fail (CAUDAL_IS_CLUSTER (cluster), NULL);
  p = g_object_new (CAUDAL_TYPE_PRODUCER, NULL);
  p->cluster = g_object_ref (cluster);
  if (cfg != NULL)
    p->cfg = *cfg;
  if (p->cfg.acks != 0 && p->cfg.acks != 1)
    p->cfg.acks = -1;
  if (p->cfg.max_request_size == 0)
    p->cfg.max_request_size = 1048576;
  return p;
}

CaudalCluster *
caudal_producer_get_cluster (CaudalProducer *producer)
{
  g_return_val_if_fail (CAUDAL_IS_PRODUCER (producer), NULL);
  return producer->cluster;
}

static gsize
bytes_len (GBytes *b)
{
  return b != NULL ? g_bytes_get_size (b) : 0;
}

void
caudal_producer_send_async (CaudalProducer           *producer,
                            const char               *topic,
                            gint32                    partition,
                            GBytes                   *key,
                            GBytes                   *value,
                            const CaudalRecordHeader *headers,
                            gsize                     n_headers,
                            gint64                    timestamp_ms,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  CaudalProducer *p = producer;
  g_autoptr(GTask) task = NULL;
  Record *r;
  Topic *t;
  gsize size;

  g_return_if_fail (CAUDAL_IS_PRODUCER (producer));
  g_return_if_fail (topic != NULL);
  g_return_if_fail (headers != NULL || n_headers == 0);

  task = g_task_new (p, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_producer_send_async);
  if (*topic == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the topic name is empty");
      return;
    }
  size = RECORD_OVERHEAD + bytes_len (key) + bytes_len (value);
  for (gsize i = 0; i < n_headers; i++)
    {
      if (headers[i].key.data == NULL && headers[i].key.len != 0)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a header key is null");
          return;
        }
      size += 10 + (gsize) MAX (headers[i].key.len, 0) + (gsize) MAX (headers[i].value.len, 0);
    }
  if (size + CAUDAL_RECORD_BATCH_HEADER_SIZE > p->cfg.max_request_size)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *detail =
        g_strdup_printf ("The message is %" G_GSIZE_FORMAT " bytes when serialized which is larger than %u, "
                         "which is the value of the max.request.size configuration.",
                         size + CAUDAL_RECORD_BATCH_HEADER_SIZE, p->cfg.max_request_size);

      caudal_set_kafka_error (&error, CAUDAL_ERROR_CODE_MESSAGE_TOO_LARGE, detail);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  r = g_new0 (Record, 1);
  r->task = g_steal_pointer (&task);
  r->seq = p->next_seq++;
  t = r->topic = get_topic (p, topic);
  r->partition = partition;
  r->key = key != NULL ? g_bytes_ref (key) : NULL;
  r->value = value != NULL ? g_bytes_ref (value) : NULL;
  r->size = size;
  r->timestamp = timestamp_ms >= 0 ? timestamp_ms : g_get_real_time () / 1000;
  r->created_us = g_get_monotonic_time ();
  if (n_headers > 0)
    {
      r->headers = g_new0 (CaudalRecordHeader, n_headers);
      r->n_headers = n_headers;
      for (gsize i = 0; i < n_headers; i++)
        {
          r->headers[i].key.len = headers[i].key.len;
          r->headers[i].key.data = headers[i].key.len > 0 ? g_memdup2 (headers[i].key.data, (gsize) headers[i].key.len) : g_malloc0 (1);
          r->headers[i].value.len = headers[i].value.len;
          r->headers[i].value.data = headers[i].value.len >= 0
                                       ? (headers[i].value.len > 0 ? g_memdup2 (headers[i].value.data, (gsize) headers[i].value.len) : g_malloc0 (1))
                                       : NULL;
        }
    }
  g_queue_push_tail (&p->incomplete, r);
  r->link = p->incomplete.tail;

  if (t->partitions->len > 0)
    assign_record (p, r);
  else
    g_queue_push_tail (&t->waiting, r);
  schedule_run (p);
  /* A record that failed at once (bad partition) completes from here; its
   * GTask defers the callback to the main loop. */
  complete_done (p);
}

gboolean
caudal_producer_send_finish (CaudalProducer       *producer,
                             GAsyncResult         *result,
                             CaudalProducerResult *out,
                             GError              **error)
{
  g_autofree CaudalProducerResult *res = NULL;

  g_return_val_if_fail (g_task_is_valid (result, producer), FALSE);
  res = g_task_propagate_pointer (G_TASK (result), error);
  if (res == NULL)
    return FALSE;
  if (out != NULL)
    *out = *res;
  return TRUE;
}

void
caudal_producer_flush_async (CaudalProducer     *producer,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  FlushWaiter *w;

  g_return_if_fail (CAUDAL_IS_PRODUCER (producer));
  w = g_new0 (FlushWaiter, 1);
  w->task = g_task_new (producer, cancellable, callback, user_data);
  g_task_set_source_tag (w->task, caudal_producer_flush_async);
  w->target = producer->next_seq;
  g_queue_push_tail (&producer->flushes, w);
  /* Batches become ready at once while a flush waits. */
  schedule_run (producer);
  check_flushes (producer);
}

gboolean
caudal_producer_flush_finish (CaudalProducer *producer,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, producer), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
