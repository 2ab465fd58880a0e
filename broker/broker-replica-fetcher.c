/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-replica-fetcher.c: followers fetch from leaders (docs/cluster.md,
 * "Replication").
 *
 * One Fetcher per leader broker holds the partitions this broker follows
 * there and runs one request at a time: connect, send a Fetch v12 with
 * replica_id = our id, read the answer, apply it, send the next. The
 * leader long-polls for replica.fetch.wait.max.ms, so an idle follower
 * sends about two requests a second per leader.
 *
 * Every partition in a request carries its current leader epoch and the
 * epoch of its last batch (last_fetched_epoch). The leader answers a
 * follower whose log diverged from its own with that epoch's end offset
 * (diverging_epoch), and the follower truncates there before fetching on
 * (KIP-595's rule, as Kafka's followers do since 2.7): truncation is by
 * leader epoch, never to the high watermark (KIP-101). An answer is
 * applied only if the partition still follows the same leader in the same
 * epoch as when the request was sent. */

#include "broker-replica-fetcher.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "broker-cluster.h"
#include "broker-partition-producers.h"
#include "broker-replica.h"
#include "broker-topics.h"
#include "caudal-codec.h"
#include "caudal-error-codes.h"
#include "caudal-header.h"
#include "caudal-record-batch.h"

#define FETCH_VERSION 12
#define MAX_RESPONSE_BYTES (64 * 1024 * 1024)

typedef struct
{
  char   *topic;
  gint32  partition;
  gint32  sent_epoch;   /* the leader epoch of the request in flight */
} FetchPart;

typedef struct
{
  gint                   ref;
  gboolean               dead;       /* its owner dropped it */
  BrokerReplicaFetchers *owner;
  gint32                 leader;
  GHashTable            *parts;      /* "topic\x1fpartition" → FetchPart* */
  GSocketClient         *client;
  GSocketConnection     *conn;
  GCancellable          *cancellable;   /* the connection's operations */
  char                  *address;    /* host:port of the connection */
  gboolean               busy;
  guint                  flushing;   /* flushes the next fetch waits for */
  guint                  retry_id;
  guint                  timeout_id;     /* the request in flight */
  gint32                 correlation_id;
  GBytes                *out;
  guint8                 size_buf[4];
  guint8                *frame;
  gsize                  frame_len;
} Fetcher;

struct _BrokerReplicaFetchers
{
  Broker     *broker;
  GHashTable *by_leader;   /* leader id → Fetcher* */
};

static void fetcher_kick (Fetcher *f);

static char *
part_key (const char *topic,
          gint32      partition)
{
  return g_strdup_printf ("%s\x1f%d", topic, partition);
}

static void
fetch_part_free (FetchPart *p)
{
  g_free (p->topic);
  g_free (p);
}

static Fetcher *
fetcher_ref (Fetcher *f)
{
  f->ref++;
  return f;
}

/* Cancels what runs on the connection and drops it; a pending operation
 * keeps its stream until it completes (then the socket closes), and its
 * callback sees a stream that is no longer ours. */
static void
fetcher_close_connection (Fetcher *f)
{
  g_cancellable_cancel (f->cancellable);
  g_clear_object (&f->cancellable);
  f->cancellable = g_cancellable_new ();
  g_clear_object (&f->conn);
  g_clear_handle_id (&f->timeout_id, g_source_remove);
  g_clear_pointer (&f->address, g_free);
  g_clear_pointer (&f->out, g_bytes_unref);
  g_clear_pointer (&f->frame, g_free);
}

static void
fetcher_unref (Fetcher *f)
{
  if (--f->ref > 0)
    return;
  fetcher_close_connection (f);
  g_clear_handle_id (&f->retry_id, g_source_remove);
  g_clear_object (&f->cancellable);
  g_clear_object (&f->client);
  g_hash_table_unref (f->parts);
  g_free (f);
}

/* Dropped by its owner: in-flight callbacks see @dead and stop. */
static void
fetcher_kill (Fetcher *f)
{
  f->dead = TRUE;
  fetcher_close_connection (f);
  g_clear_handle_id (&f->retry_id, g_source_remove);
  fetcher_unref (f);
}

static gboolean
on_retry (gpointer user_data)
{
  Fetcher *f = user_data;

  f->retry_id = 0;
  fetcher_kick (f);
  return G_SOURCE_REMOVE;
}

/* A failed connection or request: start over after the backoff. */
static void
fetcher_fail (Fetcher    *f,
              const char *what,
              GError     *error)
{
  gint32 backoff = broker_config_get_int32 (f->owner->broker->config, "replica.fetch.backoff.ms");

  if (!f->owner->broker->stopping)
    g_message ("replica fetch from broker %d: %s%s%s", f->leader, what,
               error != NULL ? ": " : "", error != NULL ? error->message : "");
  fetcher_close_connection (f);
  f->busy = FALSE;
  if (f->retry_id == 0)
    f->retry_id = g_timeout_add (MAX (backoff, 50), on_retry, f);
}

/* Whether a completion belongs to a connection we dropped since. */
static gboolean
is_stale (Fetcher *f,
          GObject *stream)
{
  return f->dead || f->conn == NULL
         || (stream != G_OBJECT (g_io_stream_get_input_stream (G_IO_STREAM (f->conn)))
             && stream != G_OBJECT (g_io_stream_get_output_stream (G_IO_STREAM (f->conn))));
}

static gboolean
on_request_timeout (gpointer user_data)
{
  Fetcher *f = user_data;

  f->timeout_id = 0;
  /* A paused or cut-off leader answers nothing, not even a reset. */
  fetcher_fail (f, "no answer in time", NULL);
  return G_SOURCE_REMOVE;
}

/* ---- applying an answer ---- */

static void
truncate_diverged (BrokerPartition                        *part,
                   const char                             *topic,
                   const CaudalFetchResponseEpochEndOffset *diverging)
{
  g_autoptr(GError) error = NULL;
  gint64 target = diverging->end_offset;
  gint32 our_epoch;
  gint64 our_end;

  if (diverging->epoch >= 0)
    {
      /* Our end of that epoch bounds the cut too (Kafka's
       * AbstractFetcherThread): when we lack the epoch, cutting to our end
       * of the largest earlier one makes the next fetch ask again. */
      broker_log_end_offset_for_epoch (part->log, diverging->epoch, &our_epoch, &our_end);
      if (our_epoch == diverging->epoch)
        target = MIN (target, our_end);
      else if (our_end >= 0)
        target = MIN (target, our_end);
    }
  target = MAX (target, broker_log_get_start_offset (part->log));
  g_message ("%s-%d: log diverged from the leader's (epoch %d ends at %" G_GINT64_FORMAT
             "): truncating from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
             topic, part->index, diverging->epoch, diverging->end_offset,
             broker_log_get_end_offset (part->log), target);
  if (!broker_log_truncate_to (part->log, target, &error))
    {
      g_warning ("%s-%d: truncation failed: %s", topic, part->index, error->message);
      return;
    }
  broker_replica_clamp_hw (part->replica);
  broker_partition_rebuild_producers (part);
}

/* Appends the whole batches of @records; TRUE when the topic's flush
 * policy (flush.messages, flush.ms) asks for a flush now. */
static gboolean
append_fetched (BrokerPartition   *part,
                const char        *topic,
                const CaudalBytes *records)
{
  g_autoptr(GError) error = NULL;
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader h;
  BrokerLogAppendInfo info;
  gsize whole;

  if (records->data == NULL || records->len <= 0)
    return FALSE;
  /* Only whole batches: a leader may cut the last one at its size limit. */
  caudal_record_batch_iter_init (&iter, records->data, (gsize) records->len);
  while (caudal_record_batch_iter_next (&iter, &h, &error))
    ;
  whole = caudal_record_batch_iter_get_position (&iter);
  if (error != NULL && whole == 0)
    {
      g_warning ("%s-%d: unreadable batches from the leader: %s", topic, part->index, error->message);
      return FALSE;
    }
  if (whole == 0)
    return FALSE;
  if (!broker_log_append_replica (part->log, records->data, whole, &info, &error))
    {
      g_warning ("%s-%d: replica append: %s", topic, part->index, error->message);
      return FALSE;
    }
  broker_partition_track_producers (part, records->data, whole);
  return info.needs_flush;
}

/* DeleteRecords, retention and the group store's compaction move the
 * leader's log start; followers follow (Kafka's follower
 * logStartOffset = max(own, leader's)), so that a new leader does not
 * serve what was deleted. */
static void
follow_log_start (BrokerPartition *part,
                  const char      *topic,
                  gint64           leader_start)
{
  g_autoptr(GError) error = NULL;

  if (leader_start <= broker_log_get_start_offset (part->log)
      || leader_start > broker_log_get_end_offset (part->log))
    return;
  if (!broker_log_delete_records_before (part->log, leader_start, &error))
    g_warning ("%s-%d: following the leader's log start %" G_GINT64_FORMAT ": %s", topic,
               part->index, leader_start, error->message);
}

/* Applies one partition's answer; returns its log when it must be
 * flushed before our next fetch reports its end, else NULL. */
static BrokerLog *
apply_partition (Fetcher                                *f,
                 const char                             *topic,
                 const CaudalFetchResponsePartitionData *in)
{
  Broker *broker = f->owner->broker;
  g_autofree char *key = part_key (topic, in->partition_index);
  FetchPart *fp = g_hash_table_lookup (f->parts, key);
  BrokerPartition *part = broker_topics_lookup_partition (broker->topics, topic, in->partition_index);
  gboolean needs_flush;

  if (fp == NULL || part == NULL || part->replica == NULL
      || broker_replica_get_role (part->replica) != BROKER_REPLICA_FOLLOWER
      || broker_replica_get_leader (part->replica) != f->leader
      || part->leader_epoch != fp->sent_epoch)
    return NULL;   /* the state moved on while the request was out */
  if (in->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      /* NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH: one side has
       * not read the newest state yet; the watch will tell us. */
      g_debug ("%s-%d: fetch from broker %d: error %d", topic, in->partition_index, f->leader,
               in->error_code);
      return NULL;
    }
  if (in->diverging_epoch.epoch >= 0 || in->diverging_epoch.end_offset >= 0)
    {
      truncate_diverged (part, topic, &in->diverging_epoch);
      return NULL;
    }
  needs_flush = append_fetched (part, topic, &in->records);
  broker_replica_follower_update_hw (part->replica, in->high_watermark);
  follow_log_start (part, topic, in->log_start_offset);
  return needs_flush ? part->log : NULL;
}

/* Replication notes, rule (8): an offset counts toward the high
 * watermark only once durable per the topic's flush policy. Our next
 * fetch reports our log end to the leader, so when an append reached
 * flush.messages or flush.ms, that fetch waits for the flush (with the
 * defaults, never: the page cache rule, as Kafka). */
static void
on_appended_flushed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Fetcher *f = user_data;
  g_autoptr(GError) error = NULL;

  /* The log may be gone (a deleted topic): the task alone is checked. */
  if (!broker_log_flush_finish (NULL, result, &error)
      && !g_error_matches (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CLOSED))
    g_warning ("flushing replicated records from broker %d: %s", f->leader, error->message);
  if (--f->flushing == 0)
    {
      f->busy = FALSE;
      fetcher_kick (f);
    }
  fetcher_unref (f);
}

static void
apply_response (Fetcher *f)
{
  g_autoptr(GPtrArray) to_flush = g_ptr_array_new ();
  g_autoptr(CaudalArena) arena = caudal_arena_new (MAX_RESPONSE_BYTES * 2);
  g_autoptr(GError) error = NULL;
  CaudalFetchResponse resp;
  gint32 correlation_id = -1;

  caudal_message_init (&caudal_fetch_response_desc, &resp);
  if (!caudal_response_decode (f->frame, f->frame_len, caudal_api_lookup (1), FETCH_VERSION, arena,
                               &correlation_id, &resp, &error))
    {
      fetcher_fail (f, "undecodable answer", error);
      return;
    }
  if (resp.error_code != CAUDAL_ERROR_CODE_NONE)
    g_debug ("fetch from broker %d: error %d", f->leader, resp.error_code);
  for (gint32 t = 0; t < resp.n_responses; t++)
    for (gint32 p = 0; p < resp.responses[t].n_partitions; p++)
      {
        BrokerLog *log = apply_partition (f, resp.responses[t].topic, &resp.responses[t].partitions[p]);

        if (log != NULL)
          g_ptr_array_add (to_flush, log);
      }
  g_clear_pointer (&f->frame, g_free);
  g_clear_handle_id (&f->timeout_id, g_source_remove);
  if (to_flush->len > 0)
    {
      /* Still busy: the next fetch leaves once every flush is done. */
      f->flushing = to_flush->len;
      for (guint i = 0; i < to_flush->len; i++)
        broker_log_flush_async (g_ptr_array_index (to_flush, i), NULL, on_appended_flushed,
                                fetcher_ref (f));
      return;
    }
  f->busy = FALSE;
  fetcher_kick (f);
}

/* ---- the request cycle ---- */

static void
on_frame_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fetcher *f = user_data;
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error)
      || is_stale (f, source))
    {
      if (!is_stale (f, source))
        fetcher_fail (f, "reading the answer", error);
      fetcher_unref (f);
      return;
    }
  if (n != f->frame_len)
    fetcher_fail (f, "the leader closed the connection", NULL);
  else
    apply_response (f);
  fetcher_unref (f);
}

static void
on_size_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fetcher *f = user_data;
  g_autoptr(GError) error = NULL;
  gsize n = 0;
  guint32 size;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error)
      || is_stale (f, source))
    {
      if (!is_stale (f, source))
        fetcher_fail (f, "reading the answer", error);
      fetcher_unref (f);
      return;
    }
  memcpy (&size, f->size_buf, 4);
  size = GUINT32_FROM_BE (size);
  if (n != 4 || size == 0 || size > MAX_RESPONSE_BYTES)
    {
      fetcher_fail (f, n != 4 ? "the leader closed the connection" : "an answer of an impossible size",
                    NULL);
      fetcher_unref (f);
      return;
    }
  f->frame_len = size;
  f->frame = g_malloc (size);
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (f->conn)), f->frame,
                                 size, G_PRIORITY_DEFAULT, f->cancellable, on_frame_read, f);
}

static void
on_request_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Fetcher *f = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error)
      || is_stale (f, source))
    {
      if (!is_stale (f, source))
        fetcher_fail (f, "sending the request", error);
      fetcher_unref (f);
      return;
    }
  g_clear_pointer (&f->out, g_bytes_unref);
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (f->conn)), f->size_buf,
                                 4, G_PRIORITY_DEFAULT, f->cancellable, on_size_read, f);
}

static gint
compare_parts (gconstpointer a,
               gconstpointer b)
{
  const FetchPart *x = *(FetchPart *const *) a;
  const FetchPart *y = *(FetchPart *const *) b;
  int c = strcmp (x->topic, y->topic);

  return c != 0 ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* The Fetch request for every partition we follow at this leader, sorted
 * by topic; NULL when none is in a state to fetch. */
static GBytes *
build_request (Fetcher *f)
{
  Broker *broker = f->owner->broker;
  g_autoptr(CaudalArena) arena = caudal_arena_new (16 * 1024 * 1024);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const CaudalStructDesc *tdesc = caudal_struct_desc_child (&caudal_fetch_request_desc, "topics");
  CaudalFetchRequest req;
  CaudalFetchRequestFetchTopic *topics;
  gint32 max_bytes = broker_config_get_int32 (broker->config, "replica.fetch.max.bytes");
  GHashTableIter iter;
  gpointer value;
  guint n_topics = 0;
  CaudalWriter w;

  g_hash_table_iter_init (&iter, f->parts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FetchPart *fp = value;
      BrokerPartition *part = broker_topics_lookup_partition (broker->topics, fp->topic, fp->partition);

      if (part == NULL || part->replica == NULL
          || broker_replica_get_role (part->replica) != BROKER_REPLICA_FOLLOWER)
        continue;
      g_ptr_array_add (parts, fp);
    }
  if (parts->len == 0)
    return NULL;
  g_ptr_array_sort (parts, compare_parts);
  for (guint i = 0; i < parts->len; i++)
    if (i == 0 || strcmp (((FetchPart *) parts->pdata[i])->topic, ((FetchPart *) parts->pdata[i - 1])->topic) != 0)
      n_topics++;

  caudal_message_init (&caudal_fetch_request_desc, &req);
  req.replica_id = broker->node_id;
  req.max_wait_ms = broker_config_get_int32 (broker->config, "replica.fetch.wait.max.ms");
  req.min_bytes = 1;
  req.max_bytes = MAX (max_bytes, 1024 * 1024) * 16;
  req.isolation_level = 0;
  req.session_id = 0;
  req.session_epoch = -1;
  req.rack_id = (char *) "";
  topics = caudal_message_set_array (arena, &caudal_fetch_request_desc, &req, "topics", n_topics);
  for (guint i = 0, k = 0; i < parts->len; k++)
    {
      guint j = i;
      CaudalFetchRequestFetchPartition *out;

      while (j < parts->len && strcmp (((FetchPart *) parts->pdata[j])->topic,
                                       ((FetchPart *) parts->pdata[i])->topic) == 0)
        j++;
      topics[k].topic = ((FetchPart *) parts->pdata[i])->topic;
      out = caudal_message_set_array (arena, tdesc, &topics[k], "partitions", j - i);
      for (guint m = i; m < j; m++)
        {
          FetchPart *fp = parts->pdata[m];
          BrokerPartition *part = broker_topics_lookup_partition (broker->topics, fp->topic, fp->partition);

          fp->sent_epoch = part->leader_epoch;
          out[m - i].partition = fp->partition;
          out[m - i].current_leader_epoch = part->leader_epoch;
          out[m - i].fetch_offset = broker_log_get_end_offset (part->log);
          out[m - i].last_fetched_epoch = broker_log_get_latest_epoch (part->log);
          out[m - i].log_start_offset = broker_log_get_start_offset (part->log);
          out[m - i].partition_max_bytes = max_bytes;
        }
      i = j;
    }
  caudal_writer_init (&w);
  caudal_request_encode (&w, caudal_api_lookup (1), FETCH_VERSION, ++f->correlation_id,
                         "caudald-replica-fetcher", &req);
  {
    GBytes *bytes = caudal_writer_steal (&w);
    caudal_writer_clear (&w);
    return bytes;
  }
}

static void
send_fetch (Fetcher *f)
{
  gint32 max_wait = broker_config_get_int32 (f->owner->broker->config, "replica.fetch.wait.max.ms");

  f->out = build_request (f);
  if (f->out == NULL)
    {
      f->busy = FALSE;
      return;
    }
  f->timeout_id = g_timeout_add ((guint) max_wait + 10000, on_request_timeout, f);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (f->conn)),
                                   g_bytes_get_data (f->out, NULL), g_bytes_get_size (f->out),
                                   G_PRIORITY_DEFAULT, f->cancellable, on_request_written,
                                   fetcher_ref (f));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fetcher *f = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result,
                                                                    &error);

  if (f->dead)
    {
      g_clear_object (&conn);
      fetcher_unref (f);
      return;
    }
  if (conn == NULL)
    {
      g_autofree char *what = g_strdup_printf ("cannot connect to %s", f->address);
      fetcher_fail (f, what, error);
      fetcher_unref (f);
      return;
    }
  f->conn = conn;
  g_socket_set_option (g_socket_connection_get_socket (conn), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  send_fetch (f);
  fetcher_unref (f);
}

static gboolean
leader_address (Fetcher  *f,
                char    **host,
                guint16  *port)
{
  Broker *broker = f->owner->broker;
  g_autoptr(GPtrArray) nodes = broker_cluster_list_nodes (broker->cluster);
  const BrokerEndpoint *self = broker_get_endpoint (broker, NULL);

  for (guint i = 0; i < nodes->len; i++)
    {
      const BrokerClusterNode *node = g_ptr_array_index (nodes, i);
      const char *h;

      if (node->id != f->leader)
        continue;
      /* Brokers talk over the listener of the same name as our first
       * (Kafka's inter.broker.listener.name defaults likewise). */
      broker_cluster_node_endpoint (node, self != NULL ? self->name : NULL, &h, port);
      *host = g_strdup (h);
      return TRUE;
    }
  return FALSE;
}

static void
fetcher_kick (Fetcher *f)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (f->dead || f->busy || f->retry_id != 0 || g_hash_table_size (f->parts) == 0
      || f->owner->broker->stopping)
    return;
  f->busy = TRUE;
  if (f->conn != NULL)
    {
      send_fetch (f);
      return;
    }
  if (!leader_address (f, &host, &port))
    {
      fetcher_fail (f, "the leader is not registered", NULL);
      return;
    }
  f->address = g_strdup_printf ("%s:%u", host, port);
  g_socket_client_connect_to_host_async (f->client, host, port, f->cancellable, on_connected,
                                         fetcher_ref (f));
}

/* ---- the set of fetchers ---- */

BrokerReplicaFetchers *
broker_replica_fetchers_new (Broker *broker)
{
  BrokerReplicaFetchers *fetchers = g_new0 (BrokerReplicaFetchers, 1);

  fetchers->broker = broker;
  fetchers->by_leader = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) fetcher_kill);
  return fetchers;
}

void
broker_replica_fetchers_free (BrokerReplicaFetchers *fetchers)
{
  if (fetchers == NULL)
    return;
  g_hash_table_unref (fetchers->by_leader);
  g_free (fetchers);
}

static Fetcher *
fetcher_new (BrokerReplicaFetchers *owner,
             gint32                 leader)
{
  Fetcher *f = g_new0 (Fetcher, 1);

  f->ref = 1;
  f->owner = owner;
  f->leader = leader;
  f->parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) fetch_part_free);
  f->client = g_socket_client_new ();
  /* A leader that does not answer a connect within this is treated as
   * gone; the request itself is bounded by the leader's long-poll. */
  g_socket_client_set_timeout (f->client, 10);
  f->cancellable = g_cancellable_new ();
  return f;
}

void
broker_replica_fetchers_follow (BrokerReplicaFetchers *fetchers,
                                const char            *topic,
                                gint32                 partition,
                                gint32                 leader)
{
  g_autofree char *key = part_key (topic, partition);
  GHashTableIter iter;
  gpointer value;
  Fetcher *f;

  g_hash_table_iter_init (&iter, fetchers->by_leader);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Fetcher *other = value;
      if (other->leader != leader && g_hash_table_remove (other->parts, key)
          && g_hash_table_size (other->parts) == 0)
        g_hash_table_iter_remove (&iter);
    }
  if (leader < 0 || leader == fetchers->broker->node_id)
    return;
  f = g_hash_table_lookup (fetchers->by_leader, GINT_TO_POINTER (leader));
  if (f == NULL)
    {
      f = fetcher_new (fetchers, leader);
      g_hash_table_insert (fetchers->by_leader, GINT_TO_POINTER (leader), f);
    }
  if (!g_hash_table_contains (f->parts, key))
    {
      FetchPart *fp = g_new0 (FetchPart, 1);
      fp->topic = g_strdup (topic);
      fp->partition = partition;
      fp->sent_epoch = -1;
      g_hash_table_insert (f->parts, g_steal_pointer (&key), fp);
    }
  fetcher_kick (f);
}

void
broker_replica_fetchers_brokers_changed (BrokerReplicaFetchers *fetchers)
{
  GHashTableIter iter;
  gpointer value;

  /* A leader that came back may listen elsewhere: reconnect the idle
   * fetchers that are backing off, now. */
  g_hash_table_iter_init (&iter, fetchers->by_leader);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Fetcher *f = value;
      if (f->retry_id != 0)
        {
          g_clear_handle_id (&f->retry_id, g_source_remove);
          fetcher_kick (f);
        }
    }
}
