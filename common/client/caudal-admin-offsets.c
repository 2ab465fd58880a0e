/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin-offsets.c: ListOffsets for (topic, partition) pairs, sent
 * to each partition's leader; the metadata is refreshed and the
 * partitions retried once when a leader moved. */

#include "caudal-admin-private.h"

#include <string.h>

static void
caudal_admin_listed_offset_clear (CaudalAdminListedOffset *self)
{
  g_free (self->topic);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminListedOffset, caudal_admin_listed_offset)

/* The results array has holes until every query is answered. */
static void
listed_offset_unref0 (gpointer p)
{
  if (p != NULL)
    caudal_admin_listed_offset_unref (p);
}

typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  spec;
} Query;

typedef struct _ListOp ListOp;

/* The queries one request carries to one leader. */
typedef struct
{
  ListOp *op;
  gint32  leader;
  GArray *indexes;   /* guint: into op->queries */
} Batch;

struct _ListOp
{
  GTask      *task;      /* unowned: alive while requests are out */
  GArray     *queries;   /* Query */
  GPtrArray  *results;   /* CaudalAdminListedOffset*, NULL until answered */
  GPtrArray  *batches;   /* Batch* of the current round */
  GArray     *retry;     /* guint: queries whose leader moved */
  gint16      retry_code;
  guint       pending;
  gboolean    retried;
  GError     *error;
};

static void
batch_free (Batch *b)
{
  g_array_unref (b->indexes);
  g_free (b);
}

static void
list_op_free (ListOp *op)
{
  for (guint i = 0; i < op->queries->len; i++)
    g_free (g_array_index (op->queries, Query, i).topic);
  g_array_unref (op->queries);
  g_ptr_array_unref (op->results);
  g_ptr_array_unref (op->batches);
  g_array_unref (op->retry);
  g_clear_error (&op->error);
  g_free (op);
}

static gpointer
build_list_offsets (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  Batch *b = user_data;
  GArray *queries = b->op->queries;
  CaudalListOffsetsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_list_offsets_request_desc, "topics");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  CaudalListOffsetsRequestListOffsetsTopic *topics;

  caudal_message_init (&caudal_list_offsets_request_desc, req);
  req->replica_id = -1;
  req->isolation_level = 0;   /* read_uncommitted */
  for (guint i = 0; i < b->indexes->len; i++)
    {
      Query *q = &g_array_index (queries, Query, g_array_index (b->indexes, guint, i));

      if (!g_ptr_array_find_with_equal_func (names, q->topic, g_str_equal, NULL))
        g_ptr_array_add (names, q->topic);
    }
  topics = caudal_message_set_array (arena, &caudal_list_offsets_request_desc, req, "topics", names->len);
  for (guint t = 0; t < names->len; t++)
    {
      CaudalListOffsetsRequestListOffsetsPartition *parts;
      guint n = 0, k = 0;

      topics[t].name = g_ptr_array_index (names, t);
      for (guint i = 0; i < b->indexes->len; i++)
        n += strcmp (g_array_index (queries, Query, g_array_index (b->indexes, guint, i)).topic, topics[t].name) == 0;
      parts = caudal_message_set_array (arena, topic_desc, &topics[t], "partitions", n);
      for (guint i = 0; i < b->indexes->len; i++)
        {
          Query *q = &g_array_index (queries, Query, g_array_index (b->indexes, guint, i));

          if (strcmp (q->topic, topics[t].name) != 0)
            continue;
          parts[k].partition_index = q->partition;
          parts[k].current_leader_epoch = -1;
          parts[k].timestamp = q->spec;
          k++;
        }
    }
  return req;
}

static gboolean
leader_moved (gint16 code)
{
  return code == CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER || code == CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE
         || code == CAUDAL_ERROR_CODE_FENCED_LEADER_EPOCH || code == CAUDAL_ERROR_CODE_UNKNOWN_LEADER_EPOCH;
}

static void list_round (GTask *task);

/* Every request of the round answered: finish, or retry once. */
static void
list_round_done (GTask *task)
{
  ListOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) topics = NULL;

  if (op->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&op->error));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; op->retry->len == 0 && i < op->queries->len; i++)
    if (g_ptr_array_index (op->results, i) == NULL)
      {
        Query *q = &g_array_index (op->queries, Query, i);

        g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                                 "ListOffsets answered nothing for %s-%d", q->topic, q->partition);
        g_object_unref (task);
        return;
      }
  if (op->retry->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (op->results), (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  if (op->retried)
    {
      Query *q = &g_array_index (op->queries, Query, g_array_index (op->retry, guint, 0));
      g_autofree char *detail = g_strdup_printf ("no leader for %s-%d", q->topic, q->partition);

      caudal_set_kafka_error (&op->error, op->retry_code, detail);
      g_task_return_error (task, g_steal_pointer (&op->error));
      g_object_unref (task);
      return;
    }
  op->retried = TRUE;
  topics = g_ptr_array_new ();
  for (guint i = 0; i < op->retry->len; i++)
    {
      Query *q = &g_array_index (op->queries, Query, g_array_index (op->retry, guint, i));
      if (!g_ptr_array_find_with_equal_func (topics, q->topic, g_str_equal, NULL))
        g_ptr_array_add (topics, q->topic);
    }
  g_ptr_array_add (topics, NULL);
  caudal_admin_refresh_then (task, (const char *const *) topics->pdata, list_round);
}

static void
on_list_offsets (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Batch *b = user_data;
  ListOp *op = b->op;
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);

  if (resp == NULL)
    {
      if (op->error == NULL)
        op->error = error;
      else
        g_error_free (error);
    }
  else
    {
      CaudalListOffsetsResponse *body = resp->body;
      gboolean max_ts = FALSE;

      for (guint i = 0; i < b->indexes->len; i++)
        max_ts |= g_array_index (op->queries, Query, g_array_index (b->indexes, guint, i)).spec == CAUDAL_ADMIN_OFFSET_MAX_TIMESTAMP;
      if (max_ts && resp->version < 7 && op->error == NULL)
        g_set_error (&op->error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                     "the broker does not support ListOffsets v7 (MAX_TIMESTAMP)");
      for (gint32 t = 0; t < body->n_topics; t++)
        for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
          {
            CaudalListOffsetsResponseListOffsetsPartitionResponse *pr = &body->topics[t].partitions[p];

            for (guint i = 0; i < b->indexes->len; i++)
              {
                guint index = g_array_index (b->indexes, guint, i);
                Query *q = &g_array_index (op->queries, Query, index);
                CaudalAdminListedOffset *r;

                if (q->partition != pr->partition_index || g_strcmp0 (q->topic, body->topics[t].name) != 0
                    || g_ptr_array_index (op->results, index) != NULL)
                  continue;
                if (leader_moved (pr->error_code))
                  {
                    g_array_append_val (op->retry, index);
                    op->retry_code = pr->error_code;
                  }
                else if (pr->error_code != CAUDAL_ERROR_CODE_NONE)
                  {
                    if (op->error == NULL)
                      {
                        g_autofree char *detail = g_strdup_printf ("%s-%d", q->topic, q->partition);
                        caudal_set_kafka_error (&op->error, pr->error_code, detail);
                      }
                  }
                else
                  {
                    r = g_atomic_rc_box_new0 (CaudalAdminListedOffset);
                    r->topic = g_strdup (q->topic);
                    r->partition = q->partition;
                    r->offset = pr->offset;
                    r->timestamp = pr->timestamp;
                    r->leader_epoch = resp->version >= 4 ? pr->leader_epoch : -1;
                    g_ptr_array_index (op->results, index) = r;
                  }
                break;
              }
          }
    }
  if (--op->pending == 0)
    list_round_done (op->task);
}

/* Where @q goes: its leader (>= 0), or -1 with @error set. */
static gint32
leader_for (CaudalAdmin *admin,
            const Query *q,
            gint16      *no_leader,
            GError     **error)
{
  CaudalTopicInfo *t = caudal_cluster_lookup_topic (admin->cluster, q->topic);

  *no_leader = CAUDAL_ERROR_CODE_NONE;
  if (t == NULL || t->error == CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION)
    {
      g_autofree char *detail = g_strdup_printf ("Topic '%s' does not exist.", q->topic);
      caudal_set_kafka_error (error, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, detail);
      return -1;
    }
  if (t->error != CAUDAL_ERROR_CODE_NONE && !leader_moved (t->error))
    {
      caudal_set_kafka_error (error, t->error, q->topic);
      return -1;
    }
  for (guint i = 0; i < t->partitions->len; i++)
    {
      CaudalPartitionInfo *p = g_ptr_array_index (t->partitions, i);

      if (p->partition != q->partition)
        continue;
      if (p->leader < 0 || caudal_cluster_get_connection (admin->cluster, p->leader) == NULL)
        *no_leader = CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE;
      return p->leader;
    }
  if (t->error != CAUDAL_ERROR_CODE_NONE)
    {
      *no_leader = t->error;
      return -1;
    }
  {
    g_autofree char *detail = g_strdup_printf ("Partition %s-%d does not exist.", q->topic, q->partition);
    caudal_set_kafka_error (error, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, detail);
  }
  return -1;
}

/* Sends the unanswered queries (all at first, the moved ones on the
 * retry), one request per leader; a partition asked twice goes in
 * separate requests, as brokers reject duplicates. */
static void
list_round (GTask *task)
{
  CaudalAdmin *admin = g_task_get_source_object (task);
  ListOp *op = g_task_get_task_data (task);
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) todo = NULL;

  if (op->retried)
    todo = g_steal_pointer (&op->retry);
  else
    {
      todo = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < op->queries->len; i++)
        g_array_append_val (todo, i);
      g_clear_pointer (&op->retry, g_array_unref);
    }
  op->retry = g_array_new (FALSE, FALSE, sizeof (guint));
  g_ptr_array_set_size (op->batches, 0);

  for (guint i = 0; i < todo->len; i++)
    {
      guint index = g_array_index (todo, guint, i);
      Query *q = &g_array_index (op->queries, Query, index);
      GError *error = NULL;
      gint16 no_leader;
      gint32 leader = leader_for (admin, q, &no_leader, &error);
      g_autofree char *tp = g_strdup_printf ("%s\x01%d", q->topic, q->partition);
      guint round = GPOINTER_TO_UINT (g_hash_table_lookup (seen, tp));
      g_autofree char *key = NULL;
      Batch *b;

      if (error != NULL)
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      if (no_leader != CAUDAL_ERROR_CODE_NONE)
        {
          g_array_append_val (op->retry, index);
          op->retry_code = no_leader;
          continue;
        }
      g_hash_table_insert (seen, g_steal_pointer (&tp), GUINT_TO_POINTER (round + 1));
      key = g_strdup_printf ("%d/%u", leader, round);
      b = g_hash_table_lookup (by_key, key);
      if (b == NULL)
        {
          b = g_new0 (Batch, 1);
          b->op = op;
          b->leader = leader;
          b->indexes = g_array_new (FALSE, FALSE, sizeof (guint));
          g_ptr_array_add (op->batches, b);
          g_hash_table_insert (by_key, g_steal_pointer (&key), b);
        }
      g_array_append_val (b->indexes, index);
    }
  if (op->batches->len == 0)
    {
      list_round_done (task);
      return;
    }
  op->pending = op->batches->len;
  for (guint i = 0; i < op->batches->len; i++)
    {
      Batch *b = g_ptr_array_index (op->batches, i);
      caudal_admin_request_async (admin, b->leader, CAUDAL_API_KEY_LIST_OFFSETS, build_list_offsets, b,
                                  g_task_get_cancellable (task), on_list_offsets, b);
    }
}

void
caudal_admin_list_offsets_async (CaudalAdmin                  *admin,
                                 const CaudalAdminOffsetQuery *queries,
                                 gsize                         n_queries,
                                 GCancellable                 *cancellable,
                                 GAsyncReadyCallback           callback,
                                 gpointer                      user_data)
{
  GTask *task;
  ListOp *op;
  g_autoptr(GPtrArray) topics = g_ptr_array_new ();

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (queries != NULL || n_queries == 0);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_list_offsets_async);
  op = g_new0 (ListOp, 1);
  op->task = task;
  op->queries = g_array_sized_new (FALSE, FALSE, sizeof (Query), (guint) n_queries);
  op->results = g_ptr_array_new_with_free_func (listed_offset_unref0);
  g_ptr_array_set_size (op->results, (guint) n_queries);
  op->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_free);
  op->retry = g_array_new (FALSE, FALSE, sizeof (guint));
  for (gsize i = 0; i < n_queries; i++)
    {
      Query q = { g_strdup (queries[i].topic), queries[i].partition, queries[i].spec };

      g_array_append_val (op->queries, q);
      if (!g_ptr_array_find_with_equal_func (topics, q.topic, g_str_equal, NULL))
        g_ptr_array_add (topics, q.topic);
    }
  g_task_set_task_data (task, op, (GDestroyNotify) list_op_free);
  if (n_queries == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (op->results), (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (topics, NULL);
  caudal_admin_refresh_then (task, (const char *const *) topics->pdata, list_round);
}

GPtrArray *
caudal_admin_list_offsets_finish (CaudalAdmin  *admin,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
