/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin-log-dirs.c: DescribeLogDirs on every broker of the
 * cluster: each broker's log dirs and the size of the replicas in them. */

#include "caudal-admin-private.h"

#include <string.h>

static void
replica_log_dir_free (CaudalAdminReplicaLogDir *replica)
{
  g_free (replica->topic);
  g_free (replica);
}

void
caudal_admin_log_dir_free (CaudalAdminLogDir *dir)
{
  if (dir == NULL)
    return;
  g_free (dir->path);
  g_clear_pointer (&dir->replicas, g_ptr_array_unref);
  g_free (dir);
}

typedef struct
{
  char     **topics;    /* NULL: every topic */
  GPtrArray *out;       /* CaudalAdminLogDir* */
  guint      pending;
  GError    *error;
} LogDirsOp;

/* One broker's request. */
typedef struct
{
  GTask  *task;
  gint32  broker_id;
} Call;

static void
log_dirs_op_free (LogDirsOp *op)
{
  g_strfreev (op->topics);
  g_ptr_array_unref (op->out);
  g_clear_error (&op->error);
  g_free (op);
}

/* Always every topic (null, in every version): the request names
 * partitions, not topics, so asking for some topics would take a
 * metadata round trip for their partitions (one that, before Metadata v4,
 * may create them). The topics asked for are picked from the answer, as
 * Kafka's kafka-log-dirs --topic-list does. */
static gpointer
build_describe_log_dirs (gint16       version,
                         CaudalArena *arena,
                         gpointer     user_data)
{
  CaudalDescribeLogDirsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_describe_log_dirs_request_desc, req);
  req->n_topics = -1;
  req->topics = NULL;
  return req;
}

static gint
compare_log_dirs (gconstpointer a,
                  gconstpointer b)
{
  const CaudalAdminLogDir *x = *(CaudalAdminLogDir *const *) a;
  const CaudalAdminLogDir *y = *(CaudalAdminLogDir *const *) b;

  if (x->broker_id != y->broker_id)
    return (x->broker_id > y->broker_id) - (x->broker_id < y->broker_id);
  return strcmp (x->path, y->path);
}

/* The dirs of one broker's answer, with the replicas of the topics asked
 * for. */
static void
collect (LogDirsOp      *op,
         gint32          broker_id,
         CaudalResponse *resp)
{
  CaudalDescribeLogDirsResponse *body = resp->body;

  for (gint32 r = 0; r < body->n_results; r++)
    {
      CaudalDescribeLogDirsResponseDescribeLogDirsResult *result = &body->results[r];
      CaudalAdminLogDir *dir = g_new0 (CaudalAdminLogDir, 1);

      dir->broker_id = broker_id;
      dir->path = g_strdup (result->log_dir != NULL ? result->log_dir : "");
      dir->error_code = result->error_code;
      /* Only v4 reports the volume's space (KIP-827). */
      dir->total_bytes = resp->version >= 4 ? result->total_bytes : -1;
      dir->usable_bytes = resp->version >= 4 ? result->usable_bytes : -1;
      dir->replicas = g_ptr_array_new_with_free_func ((GDestroyNotify) replica_log_dir_free);
      for (gint32 t = 0; t < result->n_topics; t++)
        {
          CaudalDescribeLogDirsResponseDescribeLogDirsTopic *topic = &result->topics[t];

          if (topic->name == NULL
              || (op->topics != NULL
                  && !g_strv_contains ((const char *const *) op->topics, topic->name)))
            continue;
          for (gint32 p = 0; p < topic->n_partitions; p++)
            {
              CaudalAdminReplicaLogDir *replica = g_new0 (CaudalAdminReplicaLogDir, 1);

              replica->topic = g_strdup (topic->name);
              replica->partition = topic->partitions[p].partition_index;
              replica->size = topic->partitions[p].partition_size;
              replica->offset_lag = topic->partitions[p].offset_lag;
              replica->is_future = topic->partitions[p].is_future_key;
              g_ptr_array_add (dir->replicas, replica);
            }
        }
      g_ptr_array_sort (dir->replicas, caudal_admin_compare_topic_partition);
      g_ptr_array_add (op->out, dir);
    }
}

static void
on_describe_log_dirs (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autofree Call *call = user_data;
  GTask *task = call->task;
  LogDirsOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);

  if (resp != NULL)
    {
      CaudalDescribeLogDirsResponse *body = resp->body;

      /* v3+: an error for the whole request (CLUSTER_AUTHORIZATION_FAILED). */
      if (!caudal_admin_check (resp->version >= 3 ? body->error_code : CAUDAL_ERROR_CODE_NONE,
                               "DescribeLogDirs", &error))
        collect (op, call->broker_id, resp);
    }
  if (error != NULL && op->error == NULL)
    op->error = error;
  else
    g_clear_error (&error);
  if (--op->pending > 0)
    return;
  if (op->error != NULL)
    g_task_return_error (task, g_steal_pointer (&op->error));
  else
    {
      g_ptr_array_sort (op->out, compare_log_dirs);
      g_task_return_pointer (task, g_ptr_array_ref (op->out), (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (task);
}

static void
on_log_dirs_brokers (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  LogDirsOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *brokers;

  if (!caudal_admin_refresh_finish (admin, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  brokers = caudal_cluster_get_brokers (admin->cluster);
  if (brokers->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (op->out), (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  op->pending = brokers->len;
  for (guint i = 0; i < brokers->len; i++)
    {
      Call *call = g_new0 (Call, 1);

      call->task = task;
      call->broker_id = ((CaudalBrokerInfo *) g_ptr_array_index (brokers, i))->node_id;
      caudal_admin_request_async (admin, call->broker_id, CAUDAL_API_KEY_DESCRIBE_LOG_DIRS,
                                  build_describe_log_dirs, NULL, g_task_get_cancellable (task),
                                  on_describe_log_dirs, call);
    }
}

void
caudal_admin_describe_log_dirs_async (CaudalAdmin        *admin,
                                      const char * const *topics,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  static const char *const no_topics[] = { NULL };
  GTask *task;
  LogDirsOp *op;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_describe_log_dirs_async);
  op = g_new0 (LogDirsOp, 1);
  op->topics = g_strdupv ((char **) topics);
  op->out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_log_dir_free);
  g_task_set_task_data (task, op, (GDestroyNotify) log_dirs_op_free);
  /* Metadata for the brokers only. */
  caudal_admin_refresh_async (admin, no_topics, cancellable, on_log_dirs_brokers, task);
}

GPtrArray *
caudal_admin_describe_log_dirs_finish (CaudalAdmin  *admin,
                                       GAsyncResult *result,
                                       GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
