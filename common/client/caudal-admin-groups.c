/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin-groups.c: consumer groups: list, describe, committed
 * offsets, lag, alter offsets, delete. Group requests go to the group's
 * coordinator (FindCoordinator, cached per group in the CaudalAdmin);
 * NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE (or a lost connection)
 * drop the cache and retry once, COORDINATOR_LOAD_IN_PROGRESS waits and
 * retries. */

#include "caudal-admin-private.h"

#include <string.h>

#define RETRY_BACKOFF_MS 100
#define MAX_WAITS        50

static void
caudal_admin_group_listing_clear (CaudalAdminGroupListing *self)
{
  g_free (self->group_id);
  g_free (self->protocol_type);
  g_free (self->state);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminGroupListing, caudal_admin_group_listing)

static void
caudal_admin_member_description_clear (CaudalAdminMemberDescription *self)
{
  g_free (self->member_id);
  g_free (self->group_instance_id);
  g_free (self->client_id);
  g_free (self->host);
  g_ptr_array_unref (self->assignment);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminMemberDescription, caudal_admin_member_description)

static void
caudal_admin_group_description_clear (CaudalAdminGroupDescription *self)
{
  g_free (self->group_id);
  g_free (self->state);
  g_free (self->protocol_type);
  g_free (self->protocol);
  g_ptr_array_unref (self->members);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminGroupDescription, caudal_admin_group_description)

static void
caudal_admin_committed_offset_clear (CaudalAdminCommittedOffset *self)
{
  g_free (self->topic);
  g_free (self->metadata);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminCommittedOffset, caudal_admin_committed_offset)

static void
caudal_admin_partition_lag_clear (CaudalAdminPartitionLag *self)
{
  g_free (self->topic);
  g_free (self->member_id);
  g_free (self->client_id);
  g_free (self->host);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminPartitionLag, caudal_admin_partition_lag)

/* ==== requests to the coordinator ==== */

/* The group-level error of a response (what tells a wrong coordinator). */
typedef gint16 (*GroupErrorFunc) (CaudalResponse *resp);

typedef struct
{
  char           *group;
  gint16          api_key;
  CaudalBuildFunc build;
  gpointer        data;
  GDestroyNotify  data_free;
  GroupErrorFunc  error_of;
  gint32          node;
  gboolean        refound;   /* the coordinator was looked up again */
  guint           waits;
} GroupReq;

static void
group_req_free (GroupReq *r)
{
  g_free (r->group);
  if (r->data_free != NULL)
    r->data_free (r->data);
  g_free (r);
}

static void group_find (GTask *task);
static void group_send (GTask *task);

static gboolean
on_find_backoff (gpointer user_data)
{
  group_find (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_send_backoff (gpointer user_data)
{
  group_send (user_data);
  return G_SOURCE_REMOVE;
}

/* Calls @func after the backoff, handing it our reference on @task. */
static void
group_backoff (GTask      *task,
               GSourceFunc func)
{
  GSource *source = g_timeout_source_new (RETRY_BACKOFF_MS);

  g_task_attach_source (task, source, func);
  g_source_unref (source);
}

static void
group_fail (GTask  *task,
            GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
on_group_response (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  GroupReq *r = g_task_get_task_data (task);
  GError *error = NULL;
  CaudalResponse *resp = caudal_admin_request_finish (admin, result, &error);
  gint16 code;

  if (resp == NULL)
    {
      /* The coordinator went away: look it up once more. */
      if (!r->refound && (g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_DISCONNECTED)
                          || g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT)))
        {
          g_clear_error (&error);
          r->refound = TRUE;
          g_hash_table_remove (admin->coordinators, r->group);
          group_find (task);
          return;
        }
      group_fail (task, error);
      return;
    }
  code = r->error_of (resp);
  if ((code == CAUDAL_ERROR_CODE_NOT_COORDINATOR || code == CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE)
      && !r->refound)
    {
      caudal_response_free (resp);
      r->refound = TRUE;
      g_hash_table_remove (admin->coordinators, r->group);
      group_find (task);
      return;
    }
  if (code == CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS && r->waits++ < MAX_WAITS)
    {
      caudal_response_free (resp);
      group_backoff (task, on_send_backoff);
      return;
    }
  g_task_return_pointer (task, resp, (GDestroyNotify) caudal_response_free);
  g_object_unref (task);
}

static void
group_send (GTask *task)
{
  GroupReq *r = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  caudal_admin_request_async (g_task_get_source_object (task), r->node, r->api_key, r->build, r->data,
                              g_task_get_cancellable (task), on_group_response, task);
}

static void
on_coordinator_known (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!caudal_admin_refresh_finish (CAUDAL_ADMIN (source), result, &error))
    {
      group_fail (task, error);
      return;
    }
  group_send (task);
}

static gpointer
build_find_coordinator (gint16       version,
                        CaudalArena *arena,
                        gpointer     user_data)
{
  GroupReq *r = user_data;
  CaudalFindCoordinatorRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_find_coordinator_request_desc, req);
  req->key_type = 0;   /* GROUP */
  if (version >= 4)
    {
      req->n_coordinator_keys = 1;
      req->coordinator_keys = caudal_arena_alloc (arena, sizeof (char *));
      req->coordinator_keys[0] = r->group;
    }
  else
    req->key = r->group;
  return req;
}

static void
on_find_coordinator (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  GroupReq *r = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (admin, result, &error);
  CaudalFindCoordinatorResponse *body;
  gint16 code;
  const char *detail;
  gint32 node;

  if (resp == NULL)
    {
      group_fail (task, error);
      return;
    }
  body = resp->body;
  if (resp->version >= 4)
    {
      if (body->n_coordinators < 1)
        {
          group_fail (task, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                                         "FindCoordinator answered no coordinator"));
          return;
        }
      code = body->coordinators[0].error_code;
      detail = body->coordinators[0].error_message;
      node = body->coordinators[0].node_id;
    }
  else
    {
      code = body->error_code;
      detail = body->error_message;
      node = body->node_id;
    }
  /* The offsets topic may still be coming up. */
  if ((code == CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE || code == CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS
       || code == CAUDAL_ERROR_CODE_NOT_COORDINATOR) && r->waits++ < MAX_WAITS)
    {
      group_backoff (task, on_find_backoff);
      return;
    }
  if (caudal_admin_check (code, detail, &error))
    {
      group_fail (task, error);
      return;
    }
  r->node = node;
  g_hash_table_insert (admin->coordinators, g_strdup (r->group), GINT_TO_POINTER (node + 1));
  if (caudal_cluster_get_connection (admin->cluster, node) == NULL)
    {
      static const char *const no_topics[] = { NULL };
      caudal_admin_refresh_async (admin, no_topics, g_task_get_cancellable (task), on_coordinator_known, task);
      return;
    }
  group_send (task);
}

static void
group_find (GTask *task)
{
  GroupReq *r = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  caudal_admin_request_async (g_task_get_source_object (task), CAUDAL_NODE_ANY, CAUDAL_API_KEY_FIND_COORDINATOR,
                              build_find_coordinator, r, g_task_get_cancellable (task), on_find_coordinator, task);
}

/* Sends a request built by @build from @data (freed with @data_free) to
 * @group's coordinator. The response comes whatever its error code; only
 * the coordinator's own troubles are handled here. */
static void
group_request_async (CaudalAdmin        *admin,
                     const char         *group,
                     gint16              api_key,
                     CaudalBuildFunc     build,
                     gpointer            data,
                     GDestroyNotify      data_free,
                     GroupErrorFunc      error_of,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask *task = g_task_new (admin, cancellable, callback, user_data);
  GroupReq *r = g_new0 (GroupReq, 1);
  gpointer cached;

  g_task_set_source_tag (task, group_request_async);
  r->group = g_strdup (group);
  r->api_key = api_key;
  r->build = build;
  r->data = data;
  r->data_free = data_free;
  r->error_of = error_of;
  g_task_set_task_data (task, r, (GDestroyNotify) group_req_free);
  if (g_hash_table_lookup_extended (admin->coordinators, group, NULL, &cached)
      && caudal_cluster_get_connection (admin->cluster, GPOINTER_TO_INT (cached) - 1) != NULL)
    {
      r->node = GPOINTER_TO_INT (cached) - 1;
      group_send (task);
    }
  else
    group_find (task);
}

static CaudalResponse *
group_request_finish (CaudalAdmin  *admin,
                      GAsyncResult *result,
                      gint32       *coordinator,
                      GError      **error)
{
  if (coordinator != NULL)
    *coordinator = ((GroupReq *) g_task_get_task_data (G_TASK (result)))->node;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== ListGroups ==== */

typedef struct
{
  GPtrArray  *out;       /* CaudalAdminGroupListing* */
  GHashTable *seen;      /* group id (in out) */
  guint       pending;
  GError     *error;
} ListGroupsOp;

static void
list_groups_op_free (ListGroupsOp *op)
{
  g_hash_table_unref (op->seen);
  g_ptr_array_unref (op->out);
  g_clear_error (&op->error);
  g_free (op);
}

static gpointer
build_list_groups (gint16       version,
                   CaudalArena *arena,
                   gpointer     user_data)
{
  CaudalListGroupsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_list_groups_request_desc, req);
  return req;
}

static gint
compare_listings (gconstpointer a,
                  gconstpointer b)
{
  return strcmp ((*(CaudalAdminGroupListing *const *) a)->group_id,
                 (*(CaudalAdminGroupListing *const *) b)->group_id);
}

static void
on_list_groups (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  ListGroupsOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);

  if (resp != NULL)
    {
      CaudalListGroupsResponse *body = resp->body;

      if (!caudal_admin_check (body->error_code, NULL, &error))
        for (gint32 i = 0; i < body->n_groups; i++)
          {
            CaudalListGroupsResponseListedGroup *lg = &body->groups[i];
            CaudalAdminGroupListing *l;

            if (lg->group_id == NULL || g_hash_table_contains (op->seen, lg->group_id))
              continue;
            l = g_atomic_rc_box_new0 (CaudalAdminGroupListing);
            l->group_id = g_strdup (lg->group_id);
            l->protocol_type = g_strdup (lg->protocol_type != NULL ? lg->protocol_type : "");
            l->state = resp->version >= 4 ? g_strdup (lg->group_state) : NULL;
            g_ptr_array_add (op->out, l);
            g_hash_table_add (op->seen, l->group_id);
          }
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
      g_ptr_array_sort (op->out, compare_listings);
      g_task_return_pointer (task, g_ptr_array_ref (op->out), (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (task);
}

static void
on_list_groups_brokers (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  ListGroupsOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *brokers;

  if (!caudal_admin_refresh_finish (admin, result, &error))
    {
      group_fail (task, error);
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
    caudal_admin_request_async (admin, ((CaudalBrokerInfo *) g_ptr_array_index (brokers, i))->node_id,
                                CAUDAL_API_KEY_LIST_GROUPS, build_list_groups, NULL,
                                g_task_get_cancellable (task), on_list_groups, task);
}

void
caudal_admin_list_groups_async (CaudalAdmin        *admin,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  static const char *const no_topics[] = { NULL };
  GTask *task;
  ListGroupsOp *op;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_list_groups_async);
  op = g_new0 (ListGroupsOp, 1);
  op->out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_group_listing_unref);
  op->seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_task_set_task_data (task, op, (GDestroyNotify) list_groups_op_free);
  caudal_admin_refresh_async (admin, no_topics, cancellable, on_list_groups_brokers, task);
}

GPtrArray *
caudal_admin_list_groups_finish (CaudalAdmin  *admin,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== DescribeGroups ==== */

static gpointer
build_describe_group (gint16       version,
                      CaudalArena *arena,
                      gpointer     user_data)
{
  CaudalDescribeGroupsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_describe_groups_request_desc, req);
  req->n_groups = 1;
  req->groups = caudal_arena_alloc (arena, sizeof (char *));
  req->groups[0] = user_data;
  return req;
}

static gint16
describe_group_error (CaudalResponse *resp)
{
  CaudalDescribeGroupsResponse *body = resp->body;

  return body->n_groups > 0 ? body->groups[0].error_code : CAUDAL_ERROR_CODE_NONE;
}

static void
on_describe_group (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *group = g_task_get_task_data (task);
  GError *error = NULL;
  gint32 coordinator = -1;
  g_autoptr(CaudalResponse) resp = group_request_finish (CAUDAL_ADMIN (source), result, &coordinator, &error);
  CaudalDescribeGroupsResponseDescribedGroup *g;
  CaudalAdminGroupDescription *d;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (((CaudalDescribeGroupsResponse *) resp->body)->n_groups < 1)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                               "DescribeGroups answered no group");
      return;
    }
  g = &((CaudalDescribeGroupsResponse *) resp->body)->groups[0];
  d = g_atomic_rc_box_new0 (CaudalAdminGroupDescription);
  d->group_id = g_strdup (group);
  d->coordinator = coordinator;
  d->members = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_member_description_unref);
  /* Kafka answers an unknown group as Dead; some brokers with an error. */
  if (g->error_code == CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND)
    {
      d->state = g_strdup ("Dead");
      d->protocol_type = g_strdup ("");
      d->protocol = g_strdup ("");
      g_task_return_pointer (task, d, (GDestroyNotify) caudal_admin_group_description_unref);
      return;
    }
  if (caudal_admin_check (g->error_code, NULL, &error))
    {
      caudal_admin_group_description_unref (d);
      g_task_return_error (task, error);
      return;
    }
  d->state = g_strdup (g->group_state != NULL ? g->group_state : "Unknown");
  d->protocol_type = g_strdup (g->protocol_type != NULL ? g->protocol_type : "");
  d->protocol = g_strdup (g->protocol_data != NULL ? g->protocol_data : "");
  for (gint32 i = 0; i < g->n_members; i++)
    {
      CaudalDescribeGroupsResponseDescribedGroupMember *in = &g->members[i];
      CaudalAdminMemberDescription *m = g_atomic_rc_box_new0 (CaudalAdminMemberDescription);

      m->member_id = g_strdup (in->member_id != NULL ? in->member_id : "");
      m->group_instance_id = g_strdup (in->group_instance_id);
      m->client_id = g_strdup (in->client_id != NULL ? in->client_id : "");
      m->host = g_strdup (in->client_host != NULL ? in->client_host : "");
      if (strcmp (d->protocol_type, "consumer") == 0 && in->member_assignment.len > 0)
        m->assignment = caudal_consumer_protocol_decode_assignment (in->member_assignment.data,
                                                                    (gsize) in->member_assignment.len, NULL, NULL);
      if (m->assignment == NULL)
        m->assignment = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free);
      g_ptr_array_add (d->members, m);
    }
  g_task_return_pointer (task, d, (GDestroyNotify) caudal_admin_group_description_unref);
}

void
caudal_admin_describe_group_async (CaudalAdmin        *admin,
                                   const char         *group_id,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (group_id != NULL);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_describe_group_async);
  g_task_set_task_data (task, g_strdup (group_id), g_free);
  group_request_async (admin, group_id, CAUDAL_API_KEY_DESCRIBE_GROUPS, build_describe_group,
                       g_strdup (group_id), g_free, describe_group_error, cancellable, on_describe_group, task);
}

CaudalAdminGroupDescription *
caudal_admin_describe_group_finish (CaudalAdmin  *admin,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== OffsetFetch ==== */

typedef struct
{
  char      *group;
  GPtrArray *partitions;   /* CaudalTopicPartitions*, or NULL: all */
} FetchData;

static void
fetch_data_free (FetchData *d)
{
  g_free (d->group);
  g_clear_pointer (&d->partitions, g_ptr_array_unref);
  g_free (d);
}

static gpointer
build_offset_fetch (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  FetchData *d = user_data;
  CaudalOffsetFetchRequest *req = caudal_arena_alloc (arena, sizeof *req);
  guint n = d->partitions != NULL ? d->partitions->len : 0;

  caudal_message_init (&caudal_offset_fetch_request_desc, req);
  if (version >= 8)
    {
      const CaudalStructDesc *group_desc = caudal_struct_desc_child (&caudal_offset_fetch_request_desc, "groups");
      CaudalOffsetFetchRequestOffsetFetchRequestGroup *g =
        caudal_message_set_array (arena, &caudal_offset_fetch_request_desc, req, "groups", 1);

      g->group_id = d->group;
      if (d->partitions == NULL)
        {
          g->n_topics = -1;
          g->topics = NULL;
        }
      else
        {
          CaudalOffsetFetchRequestOffsetFetchRequestTopics *t =
            caudal_message_set_array (arena, group_desc, g, "topics", n);
          for (guint i = 0; i < n; i++)
            {
              CaudalTopicPartitions *tp = g_ptr_array_index (d->partitions, i);
              t[i].name = tp->topic;
              t[i].n_partition_indexes = (gint32) tp->partitions->len;
              t[i].partition_indexes = (gint32 *) (gpointer) tp->partitions->data;
            }
        }
    }
  else
    {
      req->group_id = d->group;
      if (d->partitions == NULL)
        {
          req->n_topics = -1;
          req->topics = NULL;
        }
      else
        {
          CaudalOffsetFetchRequestOffsetFetchRequestTopic *t =
            caudal_message_set_array (arena, &caudal_offset_fetch_request_desc, req, "topics", n);
          for (guint i = 0; i < n; i++)
            {
              CaudalTopicPartitions *tp = g_ptr_array_index (d->partitions, i);
              t[i].name = tp->topic;
              t[i].n_partition_indexes = (gint32) tp->partitions->len;
              t[i].partition_indexes = (gint32 *) (gpointer) tp->partitions->data;
            }
        }
    }
  return req;
}

/* v1 has no group-level code: its partitions carry it. */
static gint16
offset_fetch_error (CaudalResponse *resp)
{
  CaudalOffsetFetchResponse *body = resp->body;

  if (resp->version >= 8)
    return body->n_groups > 0 ? body->groups[0].error_code : CAUDAL_ERROR_CODE_NONE;
  if (resp->version >= 2 && body->error_code != CAUDAL_ERROR_CODE_NONE)
    return body->error_code;
  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      if (body->topics[t].partitions[p].error_code != CAUDAL_ERROR_CODE_NONE)
        return body->topics[t].partitions[p].error_code;
  return CAUDAL_ERROR_CODE_NONE;
}

static CaudalAdminCommittedOffset *
committed_new (const char *topic,
               gint32      partition)
{
  CaudalAdminCommittedOffset *c = g_atomic_rc_box_new0 (CaudalAdminCommittedOffset);

  c->topic = g_strdup (topic);
  c->partition = partition;
  c->offset = -1;
  c->leader_epoch = -1;
  return c;
}

/* Adds one answered partition: into the slot asked for (@asked), or as a
 * new row when everything was asked. FALSE with @error on its error. */
static gboolean
add_committed (GPtrArray  *out,
               GHashTable *asked,
               const char *topic,
               gint32      partition,
               gint64      offset,
               gint32      epoch,
               const char *metadata,
               gint16      code,
               GError    **error)
{
  CaudalAdminCommittedOffset *c;

  if (code != CAUDAL_ERROR_CODE_NONE)
    {
      g_autofree char *detail = g_strdup_printf ("%s-%d", topic, partition);
      caudal_set_kafka_error (error, code, detail);
      return FALSE;
    }
  if (asked != NULL)
    {
      g_autofree char *key = g_strdup_printf ("%s\x01%d", topic, partition);
      c = g_hash_table_lookup (asked, key);
      if (c == NULL)
        return TRUE;
    }
  else
    {
      if (offset < 0)
        return TRUE;
      c = committed_new (topic, partition);
      g_ptr_array_add (out, c);
    }
  c->offset = offset;
  c->leader_epoch = epoch;
  g_free (c->metadata);
  c->metadata = g_strdup (metadata);
  return TRUE;
}

static void
on_offset_fetch (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GPtrArray *partitions = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = group_request_finish (CAUDAL_ADMIN (source), result, NULL, &error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_committed_offset_unref);
  g_autoptr(GHashTable) asked = NULL;
  CaudalOffsetFetchResponse *body;
  gint16 code;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (partitions != NULL)
    {
      asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < partitions->len; i++)
        {
          CaudalTopicPartitions *tp = g_ptr_array_index (partitions, i);
          for (guint p = 0; p < tp->partitions->len; p++)
            {
              gint32 part = g_array_index (tp->partitions, gint32, p);
              CaudalAdminCommittedOffset *c = committed_new (tp->topic, part);

              g_ptr_array_add (out, c);
              g_hash_table_insert (asked, g_strdup_printf ("%s\x01%d", tp->topic, part), c);
            }
        }
    }
  body = resp->body;
  code = resp->version >= 8 ? (body->n_groups > 0 ? body->groups[0].error_code : 0)
                            : (resp->version >= 2 ? body->error_code : 0);
  /* An unknown group has committed nothing. */
  if (code != CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND)
    {
      if (caudal_admin_check (code, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      if (resp->version >= 8)
        {
          for (gint32 gi = 0; gi < body->n_groups; gi++)
            for (gint32 t = 0; t < body->groups[gi].n_topics; t++)
              for (gint32 p = 0; p < body->groups[gi].topics[t].n_partitions; p++)
                {
                  CaudalOffsetFetchResponseOffsetFetchResponsePartitions *pr = &body->groups[gi].topics[t].partitions[p];

                  if (!add_committed (out, asked, body->groups[gi].topics[t].name, pr->partition_index,
                                      pr->committed_offset, pr->committed_leader_epoch, pr->metadata,
                                      pr->error_code, &error))
                    {
                      g_task_return_error (task, error);
                      return;
                    }
                }
        }
      else
        {
          for (gint32 t = 0; t < body->n_topics; t++)
            for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
              {
                CaudalOffsetFetchResponseOffsetFetchResponsePartition *pr = &body->topics[t].partitions[p];

                if (!add_committed (out, asked, body->topics[t].name, pr->partition_index, pr->committed_offset,
                                    resp->version >= 5 ? pr->committed_leader_epoch : -1, pr->metadata,
                                    pr->error_code, &error))
                  {
                    g_task_return_error (task, error);
                    return;
                  }
              }
        }
    }
  g_ptr_array_sort (out, caudal_admin_compare_topic_partition);
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
copy_partitions (GPtrArray *partitions)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free);

  for (guint i = 0; i < partitions->len; i++)
    {
      CaudalTopicPartitions *tp = g_ptr_array_index (partitions, i);
      CaudalTopicPartitions *c = caudal_topic_partitions_new (tp->topic);

      g_array_append_vals (c->partitions, tp->partitions->data, tp->partitions->len);
      g_ptr_array_add (copy, c);
    }
  return copy;
}

void
caudal_admin_list_committed_offsets_async (CaudalAdmin        *admin,
                                           const char         *group_id,
                                           GPtrArray          *partitions,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  GTask *task;
  FetchData *d;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (group_id != NULL);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_list_committed_offsets_async);
  d = g_new0 (FetchData, 1);
  d->group = g_strdup (group_id);
  if (partitions != NULL)
    {
      d->partitions = copy_partitions (partitions);
      g_task_set_task_data (task, g_ptr_array_ref (d->partitions), (GDestroyNotify) g_ptr_array_unref);
    }
  group_request_async (admin, group_id, CAUDAL_API_KEY_OFFSET_FETCH, build_offset_fetch, d,
                       (GDestroyNotify) fetch_data_free, offset_fetch_error, cancellable, on_offset_fetch, task);
}

GPtrArray *
caudal_admin_list_committed_offsets_finish (CaudalAdmin  *admin,
                                            GAsyncResult *result,
                                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== lag: DescribeGroups + OffsetFetch + ListOffsets ==== */

typedef struct
{
  CaudalAdminGroupDescription *description;
  GPtrArray                   *rows;      /* CaudalAdminPartitionLag* */
  GArray                      *queries;   /* CaudalAdminOffsetQuery, pointing into rows */
} LagOp;

static void
lag_op_free (LagOp *op)
{
  g_clear_pointer (&op->description, caudal_admin_group_description_unref);
  g_ptr_array_unref (op->rows);
  g_clear_pointer (&op->queries, g_array_unref);
  g_free (op);
}

static void
on_lag_offsets (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LagOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GPtrArray) listed = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);

  if (listed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < op->rows->len; i++)
    {
      CaudalAdminPartitionLag *r = g_ptr_array_index (op->rows, i);
      CaudalAdminListedOffset *l = g_ptr_array_index (listed, i);

      r->log_end_offset = l->offset;
      r->lag = r->current_offset >= 0 && r->log_end_offset >= 0 ? MAX (r->log_end_offset - r->current_offset, 0) : -1;
    }
  g_task_return_pointer (task, g_ptr_array_ref (op->rows), (GDestroyNotify) g_ptr_array_unref);
}

static CaudalAdminPartitionLag *
lag_row (LagOp      *op,
         GHashTable *by_key,
         const char *topic,
         gint32      partition)
{
  g_autofree char *key = g_strdup_printf ("%s\x01%d", topic, partition);
  CaudalAdminPartitionLag *r = g_hash_table_lookup (by_key, key);

  if (r == NULL)
    {
      r = g_atomic_rc_box_new0 (CaudalAdminPartitionLag);
      r->topic = g_strdup (topic);
      r->partition = partition;
      r->current_offset = r->log_end_offset = r->lag = -1;
      g_ptr_array_add (op->rows, r);
      g_hash_table_insert (by_key, g_steal_pointer (&key), r);
    }
  return r;
}

static void
on_lag_committed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LagOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GPtrArray) committed = caudal_admin_list_committed_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (committed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < op->description->members->len; i++)
    {
      CaudalAdminMemberDescription *m = g_ptr_array_index (op->description->members, i);

      for (guint t = 0; t < m->assignment->len; t++)
        {
          CaudalTopicPartitions *tp = g_ptr_array_index (m->assignment, t);

          for (guint p = 0; p < tp->partitions->len; p++)
            {
              CaudalAdminPartitionLag *r = lag_row (op, by_key, tp->topic, g_array_index (tp->partitions, gint32, p));

              g_free (r->member_id);
              g_free (r->client_id);
              g_free (r->host);
              r->member_id = g_strdup (m->member_id);
              r->client_id = g_strdup (m->client_id);
              r->host = g_strdup (m->host);
            }
        }
    }
  for (guint i = 0; i < committed->len; i++)
    {
      CaudalAdminCommittedOffset *c = g_ptr_array_index (committed, i);
      lag_row (op, by_key, c->topic, c->partition)->current_offset = c->offset;
    }
  g_ptr_array_sort (op->rows, caudal_admin_compare_topic_partition);
  op->queries = g_array_sized_new (FALSE, FALSE, sizeof (CaudalAdminOffsetQuery), op->rows->len);
  for (guint i = 0; i < op->rows->len; i++)
    {
      CaudalAdminPartitionLag *r = g_ptr_array_index (op->rows, i);
      CaudalAdminOffsetQuery q = { r->topic, r->partition, CAUDAL_ADMIN_OFFSET_LATEST };

      g_array_append_val (op->queries, q);
    }
  {
    GTask *owned = g_steal_pointer (&task);

    caudal_admin_list_offsets_async (CAUDAL_ADMIN (source), (const CaudalAdminOffsetQuery *) (gpointer) op->queries->data,
                                     op->queries->len, g_task_get_cancellable (owned), on_lag_offsets, owned);
  }
}

static void
on_lag_described (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LagOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  op->description = caudal_admin_describe_group_finish (CAUDAL_ADMIN (source), result, &error);
  if (op->description == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    GTask *owned = g_steal_pointer (&task);

    caudal_admin_list_committed_offsets_async (CAUDAL_ADMIN (source), op->description->group_id, NULL,
                                               g_task_get_cancellable (owned), on_lag_committed, owned);
  }
}

void
caudal_admin_describe_group_lag_async (CaudalAdmin        *admin,
                                       const char         *group_id,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GTask *task;
  LagOp *op;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (group_id != NULL);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_describe_group_lag_async);
  op = g_new0 (LagOp, 1);
  op->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_partition_lag_unref);
  g_task_set_task_data (task, op, (GDestroyNotify) lag_op_free);
  caudal_admin_describe_group_async (admin, group_id, cancellable, on_lag_described, task);
}

GPtrArray *
caudal_admin_describe_group_lag_finish (CaudalAdmin  *admin,
                                        GAsyncResult *result,
                                        GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== OffsetCommit (generation -1) ==== */

typedef struct
{
  char   *group;
  GArray *offsets;   /* CaudalAdminOffsetCommit, topics strdup'ed */
} CommitData;

static void
commit_data_free (CommitData *d)
{
  for (guint i = 0; i < d->offsets->len; i++)
    g_free ((char *) g_array_index (d->offsets, CaudalAdminOffsetCommit, i).topic);
  g_array_unref (d->offsets);
  g_free (d->group);
  g_free (d);
}

static gpointer
build_offset_commit (gint16       version,
                     CaudalArena *arena,
                     gpointer     user_data)
{
  CommitData *d = user_data;
  CaudalOffsetCommitRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_offset_commit_request_desc, "topics");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  CaudalOffsetCommitRequestOffsetCommitRequestTopic *topics;

  caudal_message_init (&caudal_offset_commit_request_desc, req);
  req->group_id = d->group;
  req->generation_id_or_member_epoch = -1;
  req->member_id = (char *) "";
  req->group_instance_id = NULL;
  req->retention_time_ms = -1;
  for (guint i = 0; i < d->offsets->len; i++)
    {
      const char *topic = g_array_index (d->offsets, CaudalAdminOffsetCommit, i).topic;
      if (!g_ptr_array_find_with_equal_func (names, topic, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) topic);
    }
  topics = caudal_message_set_array (arena, &caudal_offset_commit_request_desc, req, "topics", names->len);
  for (guint t = 0; t < names->len; t++)
    {
      CaudalOffsetCommitRequestOffsetCommitRequestPartition *parts;
      guint n = 0, k = 0;

      topics[t].name = g_ptr_array_index (names, t);
      for (guint i = 0; i < d->offsets->len; i++)
        n += strcmp (g_array_index (d->offsets, CaudalAdminOffsetCommit, i).topic, topics[t].name) == 0;
      parts = caudal_message_set_array (arena, topic_desc, &topics[t], "partitions", n);
      for (guint i = 0; i < d->offsets->len; i++)
        {
          CaudalAdminOffsetCommit *o = &g_array_index (d->offsets, CaudalAdminOffsetCommit, i);

          if (strcmp (o->topic, topics[t].name) != 0)
            continue;
          parts[k].partition_index = o->partition;
          parts[k].committed_offset = o->offset;
          parts[k].committed_leader_epoch = -1;
          parts[k].committed_metadata = (char *) "";
          k++;
        }
    }
  return req;
}

/* The first partition error, with the partition it names. */
static gint16
offset_commit_error_at (CaudalResponse *resp,
                        const char    **topic,
                        gint32         *partition)
{
  CaudalOffsetCommitResponse *body = resp->body;

  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      if (body->topics[t].partitions[p].error_code != CAUDAL_ERROR_CODE_NONE)
        {
          *topic = body->topics[t].name;
          *partition = body->topics[t].partitions[p].partition_index;
          return body->topics[t].partitions[p].error_code;
        }
  return CAUDAL_ERROR_CODE_NONE;
}

static gint16
offset_commit_error (CaudalResponse *resp)
{
  const char *topic;
  gint32 partition;

  return offset_commit_error_at (resp, &topic, &partition);
}

static void
on_offset_commit (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = group_request_finish (CAUDAL_ADMIN (source), result, NULL, &error);
  const char *topic = NULL;
  gint32 partition = -1;
  gint16 code;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  code = offset_commit_error_at (resp, &topic, &partition);
  if (code != CAUDAL_ERROR_CODE_NONE)
    {
      g_autofree char *detail = g_strdup_printf ("%s-%d", topic != NULL ? topic : "", partition);
      caudal_set_kafka_error (&error, code, detail);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
caudal_admin_alter_group_offsets_async (CaudalAdmin                   *admin,
                                        const char                    *group_id,
                                        const CaudalAdminOffsetCommit *offsets,
                                        gsize                          n_offsets,
                                        GCancellable                  *cancellable,
                                        GAsyncReadyCallback            callback,
                                        gpointer                       user_data)
{
  GTask *task;
  CommitData *d;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (group_id != NULL);
  g_return_if_fail (offsets != NULL || n_offsets == 0);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_alter_group_offsets_async);
  d = g_new0 (CommitData, 1);
  d->group = g_strdup (group_id);
  d->offsets = g_array_sized_new (FALSE, FALSE, sizeof (CaudalAdminOffsetCommit), (guint) n_offsets);
  for (gsize i = 0; i < n_offsets; i++)
    {
      CaudalAdminOffsetCommit o = { g_strdup (offsets[i].topic), offsets[i].partition, offsets[i].offset };
      g_array_append_val (d->offsets, o);
    }
  group_request_async (admin, group_id, CAUDAL_API_KEY_OFFSET_COMMIT, build_offset_commit, d,
                       (GDestroyNotify) commit_data_free, offset_commit_error, cancellable, on_offset_commit, task);
}

gboolean
caudal_admin_alter_group_offsets_finish (CaudalAdmin  *admin,
                                         GAsyncResult *result,
                                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ==== DeleteGroups ==== */

static gpointer
build_delete_group (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  CaudalDeleteGroupsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_delete_groups_request_desc, req);
  req->n_groups_names = 1;
  req->groups_names = caudal_arena_alloc (arena, sizeof (char *));
  req->groups_names[0] = user_data;
  return req;
}

static gint16
delete_group_error (CaudalResponse *resp)
{
  CaudalDeleteGroupsResponse *body = resp->body;

  return body->n_results > 0 ? body->results[0].error_code : CAUDAL_ERROR_CODE_NONE;
}

static void
on_delete_group (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = group_request_finish (admin, result, NULL, &error);
  CaudalDeleteGroupsResponse *body;

  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  body = resp->body;
  if (body->n_results < 1)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                               "DeleteGroups answered no group");
      return;
    }
  if (caudal_admin_check (body->results[0].error_code, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_hash_table_remove (admin->coordinators, g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
}

void
caudal_admin_delete_group_async (CaudalAdmin        *admin,
                                 const char         *group_id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (group_id != NULL);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_delete_group_async);
  g_task_set_task_data (task, g_strdup (group_id), g_free);
  group_request_async (admin, group_id, CAUDAL_API_KEY_DELETE_GROUPS, build_delete_group, g_strdup (group_id),
                       g_free, delete_group_error, cancellable, on_delete_group, task);
}

gboolean
caudal_admin_delete_group_finish (CaudalAdmin  *admin,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
