/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-group-member.c: the consumer as a group member: the coordinator
 * connection, FindCoordinator, JoinGroup/SyncGroup/OffsetFetch, Heartbeat,
 * OffsetCommit and, on close, LeaveGroup. See docs/groups.md. */

#include "caudal-group-member.h"

#include <string.h>

#include "caudal-error-codes.h"
#include "caudal-fetcher.h"

#define RETRY_DELAY_MS     200
#define MAX_GROUP_RETRIES  100

static char *
arena_strdup0 (CaudalArena *arena,
               const char  *s)
{
  return s != NULL ? caudal_arena_strdup (arena, s) : NULL;
}

/* ---- the coordinator connection ----
 * Group requests go over a connection of their own, as in Kafka's Java
 * client: a JoinGroup may wait for a whole rebalance, and a broker answers
 * one connection's requests in order. */

typedef struct
{
  gint16          api_key;
  gint16          max_version;
  CaudalBuildFunc build;
  gpointer        build_data;
} CoordRequest;

static void
on_coord_response (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  GError *error = NULL;
  CaudalResponse *resp = caudal_connection_request_finish (CAUDAL_CONNECTION (source), result, &error);

  if (resp == NULL)
    {
      /* The connection is gone: find the coordinator again next time. */
      if (consumer->coord == CAUDAL_CONNECTION (source))
        g_clear_object (&consumer->coord);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, resp, (GDestroyNotify) caudal_response_free);
}

static void
coord_send (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  CoordRequest *r = g_task_get_task_data (task);
  gint16 version;
  g_autoptr(CaudalArena) arena = NULL;
  gpointer body;

  if (consumer->coord == NULL)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_DISCONNECTED,
                               "lost the connection to the group coordinator");
      g_object_unref (task);
      return;
    }
  version = caudal_connection_pick_version (consumer->coord, r->api_key, r->max_version);
  if (version < 0)
    {
      const CaudalApiDesc *api = caudal_api_lookup (r->api_key);
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                               "the group coordinator does not support %s in a version caudal speaks",
                               api != NULL ? api->name : "this request");
      g_object_unref (task);
      return;
    }
  arena = caudal_arena_new (0);
  body = r->build (version, arena, r->build_data);
  /* The body is encoded before this returns: the arena may go. */
  caudal_connection_request_async (consumer->coord, r->api_key, version, body, TRUE, NULL,
                                   on_coord_response, task);
}

static void
on_coord_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CaudalConsumer) consumer = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = caudal_connection_connect_finish (CAUDAL_CONNECTION (source), result, &error);
  GTask *task;

  consumer->coord_connecting = FALSE;
  if (!ok && consumer->coord == CAUDAL_CONNECTION (source))
    g_clear_object (&consumer->coord);
  while ((task = g_queue_pop_head (&consumer->coord_waiters)) != NULL)
    {
      if (ok)
        coord_send (task);
      else
        {
          g_task_return_error (task, g_error_copy (error));
          g_object_unref (task);
        }
    }
}

static void
coord_request_async (CaudalConsumer     *consumer,
                     gint16              api_key,
                     gint16              max_version,
                     CaudalBuildFunc     build,
                     gpointer            build_data,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask *task = g_task_new (consumer, NULL, callback, user_data);
  CoordRequest *r = g_new0 (CoordRequest, 1);

  r->api_key = api_key;
  r->max_version = max_version;
  r->build = build;
  r->build_data = build_data;
  g_task_set_task_data (task, r, g_free);
  if (consumer->coord != NULL && caudal_connection_is_connected (consumer->coord))
    {
      coord_send (task);
      return;
    }
  if (consumer->coord == NULL)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_NOT_FOUND,
                               "the group coordinator is not known");
      g_object_unref (task);
      return;
    }
  g_queue_push_tail (&consumer->coord_waiters, task);
  if (!consumer->coord_connecting)
    {
      consumer->coord_connecting = TRUE;
      caudal_connection_connect_async (consumer->coord, NULL, on_coord_connected, g_object_ref (consumer));
    }
}

static CaudalResponse *
coord_request_finish (CaudalConsumer *consumer,
                      GAsyncResult   *result,
                      GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Whether a group error means the coordinator moved or is not ready. */
static gboolean
is_coordinator_error (gint16 code)
{
  return code == CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE
         || code == CAUDAL_ERROR_CODE_NOT_COORDINATOR
         || code == CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS;
}

static void
forget_coordinator (CaudalConsumer *consumer)
{
  if (consumer->coord != NULL && !consumer->coord_connecting)
    {
      caudal_connection_close (consumer->coord);
      g_clear_object (&consumer->coord);
    }
}

/* ---- FindCoordinator ---- */

static gpointer
build_find_coordinator (gint16       version,
                        CaudalArena *arena,
                        gpointer     user_data)
{
  CaudalConsumer *consumer = user_data;
  CaudalFindCoordinatorRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_find_coordinator_request_desc, req);
  req->key_type = 0;   /* GROUP */
  if (version >= 4)
    {
      req->n_coordinator_keys = 1;
      req->coordinator_keys = caudal_arena_alloc (arena, sizeof (char *));
      req->coordinator_keys[0] = arena_strdup0 (arena, consumer->group_id);
    }
  else
    req->key = arena_strdup0 (arena, consumer->group_id);
  return req;
}

static void
on_find_coordinator (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_cluster_request_finish (CAUDAL_CLUSTER (source), result, &error);
  CaudalFindCoordinatorResponse *body;
  gint16 code;
  const char *host, *message;
  gint32 port;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  body = resp->body;
  if (resp->version >= 4)
    {
      if (body->n_coordinators < 1)
        {
          g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                                   "FindCoordinator answered no coordinator");
          return;
        }
      code = body->coordinators[0].error_code;
      message = body->coordinators[0].error_message;
      host = body->coordinators[0].host;
      port = body->coordinators[0].port;
    }
  else
    {
      code = body->error_code;
      message = body->error_message;
      host = body->host;
      port = body->port;
    }
  if (code != CAUDAL_ERROR_CODE_NONE)
    {
      caudal_set_kafka_error (&error, code, message);
      g_task_return_error (task, error);
      return;
    }
  if (consumer->coord == NULL)
    {
      consumer->coord = caudal_connection_new (host, (guint16) port, consumer->client_id);
      /* A JoinGroup may wait for the whole rebalance (Kafka: rebalance
       * timeout + 5 s). */
      caudal_connection_set_timeout (consumer->coord,
                                     MAX (caudal_cluster_get_timeout (consumer->cluster),
                                          consumer->rebalance_timeout_ms + 5000));
    }
  g_task_return_boolean (task, TRUE);
}

static void
ensure_coordinator_async (CaudalConsumer     *consumer,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  GTask *task = g_task_new (consumer, NULL, callback, user_data);

  if (consumer->coord != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  caudal_cluster_request_async (consumer->cluster, CAUDAL_NODE_ANY, CAUDAL_API_KEY_FIND_COORDINATOR, -1,
                                build_find_coordinator, consumer, NULL, on_find_coordinator, task);
}

static gboolean
ensure_coordinator_finish (CaudalConsumer *consumer,
                           GAsyncResult   *result,
                           GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- OffsetCommit ---- */

typedef struct
{
  GPtrArray *parts;   /* PartState* borrowed copies: topic, partition, position */
  char      *group_id;
  char      *member_id;
  gint32     generation;
  char      *instance_id;
} CommitOp;

static void
commit_op_free (CommitOp *op)
{
  g_ptr_array_unref (op->parts);
  g_free (op->group_id);
  g_free (op->member_id);
  g_free (op->instance_id);
  g_free (op);
}

static gpointer
build_offset_commit (gint16       version,
                     CaudalArena *arena,
                     gpointer     user_data)
{
  CommitOp *op = user_data;
  CaudalOffsetCommitRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_offset_commit_request_desc, "topics");
  guint n_topics = 0;
  CaudalOffsetCommitRequestOffsetCommitRequestTopic *topics;

  caudal_message_init (&caudal_offset_commit_request_desc, req);
  req->group_id = op->group_id;
  req->generation_id_or_member_epoch = op->generation;
  req->member_id = op->member_id;
  req->group_instance_id = op->instance_id;
  req->retention_time_ms = -1;
  for (guint i = 0; i < op->parts->len; i++)
    if (i == 0 || strcmp (((PartState *) g_ptr_array_index (op->parts, i))->topic,
                          ((PartState *) g_ptr_array_index (op->parts, i - 1))->topic) != 0)
      n_topics++;
  topics = caudal_message_set_array (arena, &caudal_offset_commit_request_desc, req, "topics", n_topics);
  for (guint i = 0, t = 0; i < op->parts->len; t++)
    {
      guint j = i, n;
      CaudalOffsetCommitRequestOffsetCommitRequestPartition *p;

      while (j < op->parts->len
             && strcmp (((PartState *) g_ptr_array_index (op->parts, j))->topic,
                        ((PartState *) g_ptr_array_index (op->parts, i))->topic) == 0)
        j++;
      n = j - i;
      topics[t].name = ((PartState *) g_ptr_array_index (op->parts, i))->topic;
      p = caudal_message_set_array (arena, topic_desc, &topics[t], "partitions", n);
      for (guint k = 0; k < n; k++)
        {
          PartState *ps = g_ptr_array_index (op->parts, i + k);
          p[k].partition_index = ps->partition;
          p[k].committed_offset = ps->position;
          p[k].committed_leader_epoch = -1;
          p[k].committed_metadata = (char *) "";
        }
      i = j;
    }
  return req;
}

static void
on_offset_commit (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  CommitOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = coord_request_finish (consumer, result, &error);
  CaudalOffsetCommitResponse *body;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  body = resp->body;
  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      {
        gint16 code = body->topics[t].partitions[p].error_code;
        PartState *ps;

        if (code != CAUDAL_ERROR_CODE_NONE)
          {
            if (error == NULL)
              caudal_set_kafka_error (&error, code, NULL);
            if (is_coordinator_error (code))
              forget_coordinator (consumer);
            if (code == CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS
                || code == CAUDAL_ERROR_CODE_ILLEGAL_GENERATION
                || code == CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID)
              consumer->rejoin_needed = consumer->subscribed;
            continue;
          }
        ps = caudal_consumer_lookup_part (consumer, body->topics[t].name,
                                          body->topics[t].partitions[p].partition_index);
        if (ps != NULL)
          {
            /* What was sent for it. */
            for (guint i = 0; i < op->parts->len; i++)
              {
                PartState *sent = g_ptr_array_index (op->parts, i);
                if (sent->partition == ps->partition && strcmp (sent->topic, ps->topic) == 0)
                  ps->committed = sent->position;
              }
          }
      }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
commit_on_coordinator (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  CommitOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ensure_coordinator_finish (consumer, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  coord_request_async (consumer, CAUDAL_API_KEY_OFFSET_COMMIT, -1, build_offset_commit, op,
                       on_offset_commit, task);
}

void
caudal_consumer_commit_async (CaudalConsumer     *consumer,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask *task = g_task_new (consumer, cancellable, callback, user_data);
  CommitOp *op = g_new0 (CommitOp, 1);

  g_task_set_source_tag (task, caudal_consumer_commit_async);
  op->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_consumer_part_state_free);
  g_task_set_task_data (task, op, (GDestroyNotify) commit_op_free);
  for (guint i = 0; i < consumer->parts->len; i++)
    {
      PartState *ps = g_ptr_array_index (consumer->parts, i);
      PartState *copy;

      if (ps->position < 0 || ps->position == ps->committed)
        continue;
      copy = g_new0 (PartState, 1);
      copy->topic = g_strdup (ps->topic);
      copy->partition = ps->partition;
      copy->position = ps->position;
      g_ptr_array_add (op->parts, copy);
    }
  if (consumer->group_id == NULL || op->parts->len == 0)
    {
      /* Nothing to commit (or nowhere to). */
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  op->group_id = g_strdup (consumer->group_id);
  op->instance_id = g_strdup (consumer->subscribed ? consumer->group_instance_id : NULL);
  if (consumer->subscribed)
    {
      op->member_id = g_strdup (consumer->member_id);
      op->generation = consumer->generation;
    }
  else
    {
      /* A simple consumer outside the group (KIP: generation -1). */
      op->member_id = g_strdup ("");
      op->generation = -1;
    }
  ensure_coordinator_async (consumer, commit_on_coordinator, task);
}

gboolean
caudal_consumer_commit_finish (CaudalConsumer *consumer,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, consumer), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Heartbeat ---- */

void
caudal_consumer_group_identity_free (GroupIdentity *g)
{
  g_free (g->group_id);
  g_free (g->member_id);
  g_free (g->instance_id);
  g_free (g);
}

static GroupIdentity *
group_identity_new (CaudalConsumer *consumer)
{
  GroupIdentity *g = g_new0 (GroupIdentity, 1);

  g->group_id = g_strdup (consumer->group_id);
  g->member_id = g_strdup (consumer->member_id);
  g->instance_id = g_strdup (consumer->group_instance_id);
  g->generation = consumer->generation;
  return g;
}

static gpointer
build_heartbeat (gint16       version,
                 CaudalArena *arena,
                 gpointer     user_data)
{
  GroupIdentity *g = user_data;
  CaudalHeartbeatRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_heartbeat_request_desc, req);
  req->group_id = g->group_id;
  req->generation_id = g->generation;
  req->member_id = g->member_id;
  req->group_instance_id = g->instance_id;
  return req;
}

static void
on_heartbeat (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  GroupIdentity *g = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = coord_request_finish (consumer, result, &error);
  gint16 code;

  consumer->heartbeat_in_flight = FALSE;
  if (g->generation != consumer->generation || consumer->closed)
    goto out;
  if (resp == NULL)
    {
      g_debug ("heartbeat failed: %s", error->message);
      consumer->rejoin_needed = TRUE;
      goto out;
    }
  code = ((CaudalHeartbeatResponse *) resp->body)->error_code;
  if (code == CAUDAL_ERROR_CODE_NONE)
    goto out;
  g_debug ("heartbeat: %s", caudal_error_code_name (code));
  if (code == CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID || code == CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID)
    {
      g_free (consumer->member_id);
      consumer->member_id = g_strdup ("");
      consumer->generation = -1;
    }
  if (is_coordinator_error (code))
    forget_coordinator (consumer);
  consumer->rejoin_needed = TRUE;

out:
  caudal_consumer_group_identity_free (g);
  g_object_unref (consumer);
}

static gboolean
on_heartbeat_tick (gpointer user_data)
{
  CaudalConsumer *consumer = user_data;

  if (consumer->closed || !consumer->joined || consumer->rejoin_needed)
    {
      consumer->heartbeat_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (!consumer->heartbeat_in_flight)
    {
      GroupIdentity *g = group_identity_new (consumer);

      consumer->heartbeat_in_flight = TRUE;
      /* Keeps @consumer alive until the answer. */
      g_object_ref (consumer);
      coord_request_async (consumer, CAUDAL_API_KEY_HEARTBEAT, -1, build_heartbeat, g, on_heartbeat, g);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- retrying the group step ---- */

static gboolean
retry_later_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!caudal_consumer_poll_is_done (task))
    caudal_consumer_step_group (task);
  return G_SOURCE_REMOVE;
}

/* Retries the group step after a short delay, up to a bound. */
static void
group_retry (GTask  *task,
             GError *error)
{
  PollOp *op = g_task_get_task_data (task);

  if (++op->retries > MAX_GROUP_RETRIES)
    {
      caudal_consumer_poll_fail (task, error);
      return;
    }
  g_debug ("group: %s; retrying", error->message);
  g_error_free (error);
  g_timeout_add_full (G_PRIORITY_DEFAULT, RETRY_DELAY_MS, retry_later_cb, g_object_ref (task), g_object_unref);
}

/* ---- joining: JoinGroup, SyncGroup, OffsetFetch ---- */

static void join_send (GTask *task);

static gpointer
build_join_group (gint16       version,
                  CaudalArena *arena,
                  gpointer     user_data)
{
  GTask *task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  CaudalJoinGroupRequest *req = caudal_arena_alloc (arena, sizeof *req);
  guint n = g_strv_length (consumer->assignors);
  CaudalJoinGroupRequestJoinGroupRequestProtocol *protocols;
  gsize len;
  const guint8 *data = g_bytes_get_data (op->subscription, &len);

  caudal_message_init (&caudal_join_group_request_desc, req);
  req->group_id = arena_strdup0 (arena, consumer->group_id);
  req->session_timeout_ms = (gint32) consumer->session_timeout_ms;
  req->rebalance_timeout_ms = (gint32) consumer->rebalance_timeout_ms;
  req->member_id = arena_strdup0 (arena, consumer->member_id);
  req->group_instance_id = arena_strdup0 (arena, consumer->group_instance_id);
  req->protocol_type = (char *) "consumer";
  protocols = caudal_message_set_array (arena, &caudal_join_group_request_desc, req, "protocols", n);
  for (guint i = 0; i < n; i++)
    {
      protocols[i].name = arena_strdup0 (arena, consumer->assignors[i]);
      protocols[i].metadata.data = data;
      protocols[i].metadata.len = (gint32) len;
    }
  return req;
}

static gpointer
build_sync_group (gint16       version,
                  CaudalArena *arena,
                  gpointer     user_data)
{
  GTask *task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  CaudalSyncGroupRequest *req = caudal_arena_alloc (arena, sizeof *req);
  guint n = op->sync_assignments != NULL ? op->sync_assignments->len / 2 : 0;
  CaudalSyncGroupRequestSyncGroupRequestAssignment *a;

  caudal_message_init (&caudal_sync_group_request_desc, req);
  req->group_id = arena_strdup0 (arena, consumer->group_id);
  req->generation_id = consumer->generation;
  req->member_id = arena_strdup0 (arena, consumer->member_id);
  req->group_instance_id = arena_strdup0 (arena, consumer->group_instance_id);
  req->protocol_type = (char *) "consumer";
  req->protocol_name = arena_strdup0 (arena, g_object_get_data (G_OBJECT (task), "protocol"));
  a = caudal_message_set_array (arena, &caudal_sync_group_request_desc, req, "assignments", n);
  for (guint i = 0; i < n; i++)
    {
      gsize len;
      a[i].member_id = g_ptr_array_index (op->sync_assignments, 2 * i);
      a[i].assignment.data = g_bytes_get_data (g_ptr_array_index (op->sync_assignments, 2 * i + 1), &len);
      a[i].assignment.len = (gint32) len;
    }
  return req;
}

static gpointer
build_offset_fetch (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  GTask *task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  CaudalOffsetFetchRequest *req = caudal_arena_alloc (arena, sizeof *req);
  GPtrArray *parts = op->fetch_parts;
  guint n_topics = 0;

  caudal_message_init (&caudal_offset_fetch_request_desc, req);
  for (guint i = 0; i < parts->len; i++)
    if (i == 0 || strcmp (((PartState *) g_ptr_array_index (parts, i))->topic,
                          ((PartState *) g_ptr_array_index (parts, i - 1))->topic) != 0)
      n_topics++;
  req->require_stable = FALSE;
  if (version >= 8)
    {
      CaudalOffsetFetchRequestOffsetFetchRequestGroup *g =
        caudal_message_set_array (arena, &caudal_offset_fetch_request_desc, req, "groups", 1);
      const CaudalStructDesc *gdesc = caudal_struct_desc_child (&caudal_offset_fetch_request_desc, "groups");
      CaudalOffsetFetchRequestOffsetFetchRequestTopics *t =
        caudal_message_set_array (arena, gdesc, g, "topics", n_topics);

      g->group_id = arena_strdup0 (arena, consumer->group_id);
      for (guint i = 0, k = 0; i < parts->len; k++)
        {
          guint j = i;
          while (j < parts->len && strcmp (((PartState *) g_ptr_array_index (parts, j))->topic,
                                           ((PartState *) g_ptr_array_index (parts, i))->topic) == 0)
            j++;
          t[k].name = ((PartState *) g_ptr_array_index (parts, i))->topic;
          t[k].n_partition_indexes = (gint32) (j - i);
          t[k].partition_indexes = caudal_arena_alloc (arena, sizeof (gint32) * (j - i));
          for (guint m = i; m < j; m++)
            t[k].partition_indexes[m - i] = ((PartState *) g_ptr_array_index (parts, m))->partition;
          i = j;
        }
    }
  else
    {
      CaudalOffsetFetchRequestOffsetFetchRequestTopic *t =
        caudal_message_set_array (arena, &caudal_offset_fetch_request_desc, req, "topics", n_topics);

      req->group_id = arena_strdup0 (arena, consumer->group_id);
      for (guint i = 0, k = 0; i < parts->len; k++)
        {
          guint j = i;
          while (j < parts->len && strcmp (((PartState *) g_ptr_array_index (parts, j))->topic,
                                           ((PartState *) g_ptr_array_index (parts, i))->topic) == 0)
            j++;
          t[k].name = ((PartState *) g_ptr_array_index (parts, i))->topic;
          t[k].n_partition_indexes = (gint32) (j - i);
          t[k].partition_indexes = caudal_arena_alloc (arena, sizeof (gint32) * (j - i));
          for (guint m = i; m < j; m++)
            t[k].partition_indexes[m - i] = ((PartState *) g_ptr_array_index (parts, m))->partition;
          i = j;
        }
    }
  return req;
}

static void
joined (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  consumer->joined = TRUE;
  consumer->rejoin_needed = FALSE;
  consumer->next_auto_commit = g_get_monotonic_time () + (gint64) consumer->auto_commit_interval_ms * 1000;
  g_clear_handle_id (&consumer->heartbeat_id, g_source_remove);
  consumer->heartbeat_id = g_timeout_add (consumer->heartbeat_interval_ms, on_heartbeat_tick, consumer);
  caudal_consumer_step_positions (task);
}

static void
on_offset_fetch (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = coord_request_finish (consumer, result, &error);
  CaudalOffsetFetchResponse *body;
  gint16 code = 0;

  if (caudal_consumer_poll_is_done (task))
    return;
  if (resp == NULL)
    {
      consumer->rejoin_needed = TRUE;
      group_retry (task, error);
      return;
    }
  body = resp->body;
  if (resp->version >= 8)
    {
      if (body->n_groups >= 1)
        {
          code = body->groups[0].error_code;
          for (gint32 t = 0; code == 0 && t < body->groups[0].n_topics; t++)
            for (gint32 p = 0; p < body->groups[0].topics[t].n_partitions; p++)
              {
                CaudalOffsetFetchResponseOffsetFetchResponsePartitions *pp = &body->groups[0].topics[t].partitions[p];
                PartState *ps = caudal_consumer_lookup_part (consumer, body->groups[0].topics[t].name,
                                                             pp->partition_index);
                if (pp->error_code != 0 && code == 0)
                  code = pp->error_code;
                if (ps != NULL && pp->error_code == 0 && pp->committed_offset >= 0)
                  ps->position = ps->committed = pp->committed_offset;
              }
        }
    }
  else
    {
      code = resp->version >= 2 ? body->error_code : 0;
      for (gint32 t = 0; code == 0 && t < body->n_topics; t++)
        for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
          {
            CaudalOffsetFetchResponseOffsetFetchResponsePartition *pp = &body->topics[t].partitions[p];
            PartState *ps = caudal_consumer_lookup_part (consumer, body->topics[t].name, pp->partition_index);
            if (pp->error_code != 0 && code == 0)
              code = pp->error_code;
            if (ps != NULL && pp->error_code == 0 && pp->committed_offset >= 0)
              ps->position = ps->committed = pp->committed_offset;
          }
    }
  if (code != CAUDAL_ERROR_CODE_NONE)
    {
      caudal_set_kafka_error (&error, code, NULL);
      if (code == CAUDAL_ERROR_CODE_UNSTABLE_OFFSET_COMMIT || is_coordinator_error (code))
        {
          if (is_coordinator_error (code))
            forget_coordinator (consumer);
          consumer->rejoin_needed = TRUE;
          group_retry (task, error);
          return;
        }
      caudal_consumer_poll_fail (task, error);
      return;
    }
  joined (task);
}

static void
offset_fetch_send (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);

  g_clear_pointer (&op->fetch_parts, g_ptr_array_unref);
  op->fetch_parts = g_ptr_array_copy (consumer->parts, NULL, NULL);
  /* The copy would inherit the free function: the states stay ours. */
  g_ptr_array_set_free_func (op->fetch_parts, NULL);
  if (op->fetch_parts->len == 0)
    {
      joined (task);
      g_object_unref (task);
      return;
    }
  /* Takes over the reference. */
  coord_request_async (consumer, CAUDAL_API_KEY_OFFSET_FETCH, -1, build_offset_fetch, task,
                       on_offset_fetch, task);
}

/* Handles a JoinGroup/SyncGroup error: TRUE if the join should start over
 * (after adjusting the member), FALSE if it is fatal. */
static gboolean
group_error_retriable (CaudalConsumer *consumer,
                       gint16          code)
{
  switch (code)
    {
    case CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID:
      g_free (consumer->member_id);
      consumer->member_id = g_strdup ("");
      consumer->generation = -1;
      return TRUE;
    case CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS:
    case CAUDAL_ERROR_CODE_ILLEGAL_GENERATION:
      return TRUE;
    case CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE:
    case CAUDAL_ERROR_CODE_NOT_COORDINATOR:
    case CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS:
      forget_coordinator (consumer);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_sync_group (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = coord_request_finish (consumer, result, &error);
  CaudalSyncGroupResponse *body;
  g_autoptr(GPtrArray) assignment = NULL;

  consumer->join_in_flight = FALSE;
  if (caudal_consumer_poll_is_done (task))
    return;
  if (resp == NULL)
    {
      group_retry (task, error);
      return;
    }
  body = resp->body;
  if (body->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      caudal_set_kafka_error (&error, body->error_code, NULL);
      if (group_error_retriable (consumer, body->error_code))
        group_retry (task, error);
      else
        caudal_consumer_poll_fail (task, error);
      return;
    }
  assignment = caudal_consumer_protocol_decode_assignment (body->assignment.data,
                                                           body->assignment.len > 0 ? (gsize) body->assignment.len : 0,
                                                           NULL, &error);
  if (assignment == NULL)
    {
      g_prefix_error (&error, "bad assignment from the group leader: ");
      caudal_consumer_poll_fail (task, error);
      return;
    }
  g_ptr_array_set_size (consumer->parts, 0);
  for (guint i = 0; i < assignment->len; i++)
    {
      CaudalTopicPartitions *tp = g_ptr_array_index (assignment, i);
      for (guint p = 0; p < tp->partitions->len; p++)
        caudal_consumer_add_part (consumer, tp->topic, g_array_index (tp->partitions, gint32, p));
    }
  offset_fetch_send (g_steal_pointer (&task));
}

static void
sync_send (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  consumer->join_in_flight = TRUE;
  coord_request_async (consumer, CAUDAL_API_KEY_SYNC_GROUP, -1, build_sync_group, task,
                       on_sync_group, task);
}

/* The leader: the members' subscriptions, the partition counts, then the
 * assignment. */
static void
on_leader_metadata (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  GPtrArray *members = g_object_get_data (G_OBJECT (task), "members");
  GError *error = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) plan = NULL;
  const char *protocol = g_object_get_data (G_OBJECT (task), "protocol");

  if (caudal_consumer_poll_is_done (task))
    return;
  if (!caudal_cluster_refresh_metadata_finish (CAUDAL_CLUSTER (source), result, &error))
    {
      group_retry (task, error);
      return;
    }
  for (guint i = 0; i < caudal_cluster_get_topics (consumer->cluster)->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (caudal_cluster_get_topics (consumer->cluster), i);
      if (t->error == CAUDAL_ERROR_CODE_NONE && t->partitions->len > 0)
        g_hash_table_insert (counts, t->name, GUINT_TO_POINTER (t->partitions->len));
    }
  plan = caudal_assignor_assign (protocol, members, counts, &error);
  if (plan == NULL)
    {
      caudal_consumer_poll_fail (task, error);
      return;
    }
  g_clear_pointer (&op->sync_assignments, g_ptr_array_unref);
  op->sync_assignments = g_ptr_array_new ();
  g_ptr_array_set_free_func (op->sync_assignments, NULL);
  {
    GHashTableIter iter;
    gpointer k, v;
    /* Strings and GBytes are kept alive by the task. */
    GPtrArray *keep = g_ptr_array_new_with_free_func (g_free);
    GPtrArray *keep_bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    g_hash_table_iter_init (&iter, plan);
    while (g_hash_table_iter_next (&iter, &k, &v))
      {
        char *member = g_strdup (k);
        GBytes *bytes = caudal_consumer_protocol_encode_assignment (v, NULL);

        g_ptr_array_add (keep, member);
        g_ptr_array_add (keep_bytes, bytes);
        g_ptr_array_add (op->sync_assignments, member);
        g_ptr_array_add (op->sync_assignments, bytes);
      }
    g_object_set_data_full (G_OBJECT (task), "keep-members", keep, (GDestroyNotify) g_ptr_array_unref);
    g_object_set_data_full (G_OBJECT (task), "keep-bytes", keep_bytes, (GDestroyNotify) g_ptr_array_unref);
  }
  sync_send (g_steal_pointer (&task));
}

static void
on_join_group (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  PollOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = coord_request_finish (consumer, result, &error);
  CaudalJoinGroupResponse *body;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GStrvBuilder) topics = NULL;
  g_auto(GStrv) topic_list = NULL;

  consumer->join_in_flight = FALSE;
  if (caudal_consumer_poll_is_done (task))
    return;
  if (resp == NULL)
    {
      group_retry (task, error);
      return;
    }
  body = resp->body;
  if (body->error_code == CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED)
    {
      /* KIP-394: rejoin at once with the id the coordinator chose. */
      g_free (consumer->member_id);
      consumer->member_id = g_strdup (body->member_id != NULL ? body->member_id : "");
      join_send (g_steal_pointer (&task));
      return;
    }
  if (body->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      caudal_set_kafka_error (&error, body->error_code, NULL);
      if (group_error_retriable (consumer, body->error_code))
        group_retry (task, error);
      else
        caudal_consumer_poll_fail (task, error);
      return;
    }
  g_free (consumer->member_id);
  consumer->member_id = g_strdup (body->member_id);
  consumer->generation = body->generation_id;
  g_object_set_data_full (G_OBJECT (task), "protocol", g_strdup (body->protocol_name), g_free);
  g_clear_pointer (&op->sync_assignments, g_ptr_array_unref);
  if (g_strcmp0 (body->leader, body->member_id) != 0)
    {
      sync_send (g_steal_pointer (&task));
      return;
    }

  /* We lead: decode every member's subscription. */
  members = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_group_member_subscription_free);
  topics = g_strv_builder_new ();
  for (gint32 i = 0; i < body->n_members; i++)
    {
      CaudalJoinGroupResponseJoinGroupResponseMember *m = &body->members[i];
      CaudalGroupMemberSubscription *sub = g_new0 (CaudalGroupMemberSubscription, 1);

      sub->member_id = g_strdup (m->member_id);
      sub->group_instance_id = g_strdup (m->group_instance_id);
      sub->topics = caudal_consumer_protocol_decode_subscription (m->metadata.data,
                                                                  m->metadata.len > 0 ? (gsize) m->metadata.len : 0,
                                                                  &sub->user_data, &error);
      if (sub->topics == NULL)
        {
          g_prefix_error (&error, "bad subscription from member %s: ", m->member_id);
          caudal_group_member_subscription_free (sub);
          caudal_consumer_poll_fail (task, error);
          return;
        }
      for (guint t = 0; sub->topics[t] != NULL; t++)
        g_strv_builder_add (topics, sub->topics[t]);
      g_ptr_array_add (members, sub);
    }
  g_object_set_data_full (G_OBJECT (task), "members", g_steal_pointer (&members), (GDestroyNotify) g_ptr_array_unref);
  topic_list = g_strv_builder_end (topics);
  caudal_cluster_refresh_metadata_async (consumer->cluster, (const char *const *) topic_list, TRUE, NULL,
                                         on_leader_metadata, g_steal_pointer (&task));
}

static void
join_send (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  consumer->join_in_flight = TRUE;
  coord_request_async (consumer, CAUDAL_API_KEY_JOIN_GROUP, -1, build_join_group, task,
                       on_join_group, task);
}

static void
on_pre_join_commit (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_commit_finish (CAUDAL_CONSUMER (source), result, &error))
    g_debug ("commit before rejoining failed: %s", error->message);
  if (caudal_consumer_poll_is_done (task))
    {
      g_object_unref (task);
      return;
    }
  join_send (task);
}

static void
on_group_coordinator (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  PollOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (caudal_consumer_poll_is_done (task))
    {
      g_object_unref (task);
      return;
    }
  if (!ensure_coordinator_finish (consumer, result, &error))
    {
      group_retry (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_pointer (&op->subscription, g_bytes_unref);
  op->subscription = caudal_consumer_protocol_encode_subscription ((const char *const *) consumer->topics, NULL);
  /* Kafka commits before rejoining (onJoinPrepare). */
  if (consumer->joined && consumer->auto_commit && consumer->generation >= 0)
    {
      consumer->joined = FALSE;
      caudal_consumer_commit_async (consumer, NULL, on_pre_join_commit, task);
      return;
    }
  consumer->joined = FALSE;
  join_send (task);
}

/* Joins first when subscribed and not (or no longer) in the group. */
void
caudal_consumer_step_group (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  if (!consumer->subscribed || (consumer->joined && !consumer->rejoin_needed))
    {
      caudal_consumer_step_positions (task);
      return;
    }
  ensure_coordinator_async (consumer, on_group_coordinator, g_object_ref (task));
}

/* ---- close: commit, LeaveGroup ---- */

static gpointer
build_leave_group (gint16       version,
                   CaudalArena *arena,
                   gpointer     user_data)
{
  GroupIdentity *g = user_data;
  CaudalLeaveGroupRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_leave_group_request_desc, req);
  req->group_id = g->group_id;
  if (version >= 3)
    {
      CaudalLeaveGroupRequestMemberIdentity *m =
        caudal_message_set_array (arena, &caudal_leave_group_request_desc, req, "members", 1);
      m->member_id = g->member_id;
      m->group_instance_id = g->instance_id;
      m->reason = (char *) "the consumer is being closed";
    }
  else
    req->member_id = g->member_id;
  return req;
}

static void
close_done (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  if (consumer->coord != NULL && !consumer->coord_connecting)
    {
      caudal_connection_close (consumer->coord);
      g_clear_object (&consumer->coord);
    }
  g_free (consumer->member_id);
  consumer->member_id = g_strdup ("");
  consumer->generation = -1;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_leave_group (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = coord_request_finish (CAUDAL_CONSUMER (source), result, &error);

  if (resp == NULL)
    g_debug ("LeaveGroup failed: %s", error->message);
  close_done (task);
}

static void
on_leave_coordinator (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  CaudalConsumer *consumer = CAUDAL_CONSUMER (source);
  g_autoptr(GError) error = NULL;

  if (!ensure_coordinator_finish (consumer, result, &error))
    {
      close_done (task);
      return;
    }
  coord_request_async (consumer, CAUDAL_API_KEY_LEAVE_GROUP, -1, build_leave_group,
                       g_task_get_task_data (task), on_leave_group, task);
}

static void
close_leave (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  if (!consumer->subscribed || consumer->member_id == NULL || *consumer->member_id == '\0')
    {
      close_done (task);
      return;
    }
  g_task_set_task_data (task, group_identity_new (consumer), (GDestroyNotify) caudal_consumer_group_identity_free);
  ensure_coordinator_async (consumer, on_leave_coordinator, task);
}

static void
on_close_commit (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_commit_finish (CAUDAL_CONSUMER (source), result, &error))
    g_debug ("commit on close failed: %s", error->message);
  close_leave (user_data);
}

void
caudal_consumer_close_async (CaudalConsumer     *consumer,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task = g_task_new (consumer, cancellable, callback, user_data);
  gboolean was_joined = consumer->joined && !consumer->rejoin_needed;

  g_task_set_source_tag (task, caudal_consumer_close_async);
  consumer->closed = TRUE;
  consumer->joined = FALSE;
  g_clear_handle_id (&consumer->heartbeat_id, g_source_remove);
  if (consumer->join_in_flight && consumer->coord != NULL)
    {
      /* A JoinGroup or SyncGroup is waiting: drop that connection and
       * leave over a fresh one. */
      caudal_connection_close (consumer->coord);
      if (!consumer->coord_connecting)
        g_clear_object (&consumer->coord);
      consumer->join_in_flight = FALSE;
    }
  if (consumer->group_id != NULL && consumer->auto_commit && (was_joined || !consumer->subscribed))
    {
      caudal_consumer_commit_async (consumer, NULL, on_close_commit, task);
      return;
    }
  close_leave (task);
}

gboolean
caudal_consumer_close_finish (CaudalConsumer *consumer,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, consumer), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
