/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-consumer-groups.c: `caudal consumer-groups` / kafka-consumer-groups:
 * list, describe (offsets, members, state), reset offsets and delete
 * consumer groups, with Kafka 3.x's flags and output (its
 * ConsumerGroupCommand: tables padded per column, "-" for missing values,
 * errors as "\nError: …" on stdout, notes on stderr).
 *
 * Data: FindCoordinator → DescribeGroups (members, with their
 * ConsumerProtocol assignments decoded) → OffsetFetch (every partition) →
 * ListOffsets on the partitions' leaders. Resets commit with OffsetCommit
 * (generation -1, no member) as Kafka's admin client does.
 *
 * This file: the options and dispatch, --list, --delete, and the requests
 * the other actions share; --describe is in cli-consumer-groups-describe.c,
 * --reset-offsets in cli-consumer-groups-reset.c. */

#include <stdlib.h>
#include <string.h>

#include "cli-consumer-groups.h"

/* ---- partition rows ---- */

PartRow *
cli_groups_part_row_new (const char *topic,
                         gint32      partition)
{
  PartRow *r = g_new0 (PartRow, 1);

  r->topic = g_strdup (topic);
  r->partition = partition;
  r->committed = -1;
  r->log_end = -1;
  r->value = -1;
  return r;
}

void
cli_groups_part_row_free (gpointer p)
{
  PartRow *r = p;

  g_free (r->topic);
  g_free (r);
}

int
cli_groups_part_row_compare (gconstpointer a,
                             gconstpointer b)
{
  const PartRow *x = *(const PartRow *const *) a;
  const PartRow *y = *(const PartRow *const *) b;
  int c = strcmp (x->topic, y->topic);

  if (c != 0)
    return c;
  return (x->partition > y->partition) - (x->partition < y->partition);
}

char *
cli_groups_part_key (const char *topic,
                     gint32      partition)
{
  return g_strdup_printf ("%s\x01%d", topic, partition);
}

/* ---- Kafka's error lines ---- */

void
cli_groups_print_error (const char *message)
{
  g_print ("\n");
  g_print (_("Error: %s\n"), message);
}

void
cli_groups_print_failure (const GError *error)
{
  g_autofree char *message = g_strdup_printf (_("Executing consumer group command failed due to %s"),
                                              error->message);

  cli_groups_print_error (message);
}

/* The Java exception Kafka's admin client raises for @code, as its
 * toString() reads. */
char *
cli_groups_java_exception (gint16 code)
{
  const char *cls = NULL;

  switch (code)
    {
    case CAUDAL_ERROR_CODE_NON_EMPTY_GROUP: cls = "GroupNotEmptyException"; break;
    case CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND: cls = "GroupIdNotFoundException"; break;
    case CAUDAL_ERROR_CODE_INVALID_GROUP_ID: cls = "InvalidGroupIdException"; break;
    case CAUDAL_ERROR_CODE_GROUP_AUTHORIZATION_FAILED: cls = "GroupAuthorizationException"; break;
    case CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE: cls = "CoordinatorNotAvailableException"; break;
    case CAUDAL_ERROR_CODE_NOT_COORDINATOR: cls = "NotCoordinatorException"; break;
    case CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS: cls = "CoordinatorLoadInProgressException"; break;
    case CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION: cls = "UnknownTopicOrPartitionException"; break;
    default: break;
    }
  if (cls == NULL)
    return cli_kafka_error_message (code, NULL);
  return g_strdup_printf ("org.apache.kafka.common.errors.%s: %s", cls, caudal_error_code_message (code));
}

/* ---- FindCoordinator ---- */

static gpointer
build_find_coordinator (gint16       version,
                        CaudalArena *arena,
                        gpointer     user_data)
{
  const char *group = user_data;
  CaudalFindCoordinatorRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_find_coordinator_request_desc, req);
  req->key_type = 0;   /* GROUP */
  if (version >= 4)
    {
      req->n_coordinator_keys = 1;
      req->coordinator_keys = caudal_arena_alloc (arena, sizeof (char *));
      req->coordinator_keys[0] = caudal_arena_strdup (arena, group);
    }
  else
    req->key = caudal_arena_strdup (arena, group);
  return req;
}

static gboolean
find_coordinator (CaudalCluster *cluster,
                  const char    *group,
                  Coordinator   *out,
                  GError       **error)
{
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalFindCoordinatorResponse *body;
  gint16 code;
  const char *detail;

  for (guint attempt = 0; ; attempt++)
    {
      resp = cli_request (cluster, CAUDAL_NODE_ANY, CAUDAL_API_KEY_FIND_COORDINATOR, -1,
                          build_find_coordinator, (gpointer) group, error);
      if (resp == NULL)
        return FALSE;
      body = resp->body;
      if (resp->version >= 4)
        {
          if (body->n_coordinators < 1)
            {
              g_set_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                           _("FindCoordinator answered no coordinator"));
              return FALSE;
            }
          code = body->coordinators[0].error_code;
          detail = body->coordinators[0].error_message;
          out->node_id = body->coordinators[0].node_id;
          out->host = g_strdup (body->coordinators[0].host);
          out->port = body->coordinators[0].port;
        }
      else
        {
          code = body->error_code;
          detail = body->error_message;
          out->node_id = body->node_id;
          out->host = g_strdup (body->host);
          out->port = body->port;
        }
      if (code == CAUDAL_ERROR_CODE_NONE)
        return TRUE;
      g_clear_pointer (&out->host, g_free);
      if (!caudal_error_code_is_retriable (code) || attempt >= 20)
        {
          caudal_set_kafka_error (error, code, detail);
          return FALSE;
        }
      g_clear_pointer (&resp, caudal_response_free);
      g_usleep (100 * 1000);
    }
}

/* ---- DescribeGroups ---- */

static gpointer
build_describe_groups (gint16       version,
                       CaudalArena *arena,
                       gpointer     user_data)
{
  const char *group = user_data;
  CaudalDescribeGroupsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_describe_groups_request_desc, req);
  req->n_groups = 1;
  req->groups = caudal_arena_alloc (arena, sizeof (char *));
  req->groups[0] = caudal_arena_strdup (arena, group);
  return req;
}

static void
member_free (gpointer p)
{
  Member *m = p;

  g_ptr_array_unref (m->parts);
  g_free (m);
}

void
cli_groups_group_info_free (GroupInfo *g)
{
  g_free (g->group);
  g_free (g->coordinator.host);
  g_clear_pointer (&g->resp, caudal_response_free);
  g_clear_pointer (&g->members, g_ptr_array_unref);
  g_free (g);
}

static gboolean
read_i16 (const guint8 **p, const guint8 *end, gint16 *v)
{
  if (end - *p < 2)
    return FALSE;
  *v = (gint16) (((guint16) (*p)[0] << 8) | (*p)[1]);
  *p += 2;
  return TRUE;
}

static gboolean
read_i32 (const guint8 **p, const guint8 *end, gint32 *v)
{
  if (end - *p < 4)
    return FALSE;
  *v = (gint32) (((guint32) (*p)[0] << 24) | ((guint32) (*p)[1] << 16) | ((guint32) (*p)[2] << 8) | (*p)[3]);
  *p += 4;
  return TRUE;
}

/* ConsumerProtocolAssignment: int16 version, [string topic, [int32]]… ;
 * what follows (user data) is not needed. Garbage gives what decoded. */
static GPtrArray *
decode_assignment (CaudalBytes bytes)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (cli_groups_part_row_free);
  const guint8 *p = bytes.data;
  const guint8 *end = p + (bytes.len > 0 ? bytes.len : 0);
  gint16 version;
  gint32 n_topics;

  if (bytes.len <= 0 || !read_i16 (&p, end, &version) || !read_i32 (&p, end, &n_topics))
    return out;
  for (gint32 t = 0; t < n_topics; t++)
    {
      gint16 len;
      gint32 n_parts;
      g_autofree char *topic = NULL;

      if (!read_i16 (&p, end, &len) || len < 0 || end - p < len)
        break;
      topic = g_strndup ((const char *) p, (gsize) len);
      p += len;
      if (!read_i32 (&p, end, &n_parts))
        break;
      for (gint32 i = 0; i < n_parts; i++)
        {
          gint32 part;

          if (!read_i32 (&p, end, &part))
            break;
          g_ptr_array_add (out, cli_groups_part_row_new (topic, part));
        }
    }
  g_ptr_array_sort (out, cli_groups_part_row_compare);
  return out;
}

GroupInfo *
cli_groups_describe_group (CaudalCluster *cluster,
                           const char    *group,
                           GError       **error)
{
  g_autoptr(GroupInfo) g = g_new0 (GroupInfo, 1);
  CaudalDescribeGroupsResponse *body;
  CaudalDescribeGroupsResponseDescribedGroup *d;

  g->group = g_strdup (group);
  g->members = g_ptr_array_new_with_free_func (member_free);
  if (!find_coordinator (cluster, group, &g->coordinator, error))
    return NULL;
  for (guint attempt = 0; ; attempt++)
    {
      g->resp = cli_request (cluster, g->coordinator.node_id, CAUDAL_API_KEY_DESCRIBE_GROUPS, -1,
                             build_describe_groups, (gpointer) group, error);
      if (g->resp == NULL)
        return NULL;
      body = g->resp->body;
      if (body->n_groups < 1)
        {
          g_set_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                       _("DescribeGroups answered no group"));
          return NULL;
        }
      d = &body->groups[0];
      if (d->error_code == CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS && attempt < 50)
        {
          g_clear_pointer (&g->resp, caudal_response_free);
          g_usleep (100 * 1000);
          continue;
        }
      break;
    }
  if (d->error_code == CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND)
    {
      g->state = "Dead";
      g->protocol = "";
      return g_steal_pointer (&g);
    }
  if (d->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      g_autofree char *text = cli_groups_java_exception (d->error_code);
      g_set_error (error, CAUDAL_KAFKA_ERROR, d->error_code, "%s", text);
      return NULL;
    }
  g->state = d->group_state != NULL ? d->group_state : "Unknown";
  g->protocol = d->protocol_data != NULL ? d->protocol_data : "";
  for (gint32 i = 0; i < d->n_members; i++)
    {
      Member *m = g_new0 (Member, 1);

      m->member_id = d->members[i].member_id != NULL ? d->members[i].member_id : "";
      m->group_instance_id = d->members[i].group_instance_id;
      m->client_id = d->members[i].client_id != NULL ? d->members[i].client_id : "";
      m->host = d->members[i].client_host != NULL ? d->members[i].client_host : "";
      m->parts = decode_assignment (d->members[i].member_assignment);
      g_ptr_array_add (g->members, m);
    }
  return g_steal_pointer (&g);
}

/* ---- OffsetFetch (every partition) ---- */

static gpointer
build_offset_fetch (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  const char *group = user_data;
  CaudalOffsetFetchRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_offset_fetch_request_desc, req);
  if (version >= 8)
    {
      CaudalOffsetFetchRequestOffsetFetchRequestGroup *g =
        caudal_message_set_array (arena, &caudal_offset_fetch_request_desc, req, "groups", 1);
      g->group_id = caudal_arena_strdup (arena, group);
      g->n_topics = -1;
      g->topics = NULL;
    }
  else
    {
      req->group_id = caudal_arena_strdup (arena, group);
      req->n_topics = -1;
      req->topics = NULL;
    }
  return req;
}

/* Committed offsets: PartRow* sorted, only partitions with an offset. */
GPtrArray *
cli_groups_fetch_committed (CaudalCluster     *cluster,
                            const Coordinator *coordinator,
                            const char        *group,
                            GError           **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (cli_groups_part_row_free);
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalOffsetFetchResponse *body;

  for (guint attempt = 0; ; attempt++)
    {
      gint16 code;

      resp = cli_request (cluster, coordinator->node_id, CAUDAL_API_KEY_OFFSET_FETCH, -1,
                          build_offset_fetch, (gpointer) group, error);
      if (resp == NULL)
        return NULL;
      body = resp->body;
      code = resp->version >= 8 ? (body->n_groups > 0 ? body->groups[0].error_code : 0) : body->error_code;
      if (code == CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS && attempt < 50)
        {
          g_clear_pointer (&resp, caudal_response_free);
          g_usleep (100 * 1000);
          continue;
        }
      if (code == CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND)
        return g_steal_pointer (&out);
      if (code != CAUDAL_ERROR_CODE_NONE)
        {
          g_autofree char *text = cli_groups_java_exception (code);
          g_set_error (error, CAUDAL_KAFKA_ERROR, code, "%s", text);
          return NULL;
        }
      break;
    }
  if (resp->version >= 8)
    {
      for (gint32 gi = 0; gi < body->n_groups; gi++)
        for (gint32 t = 0; t < body->groups[gi].n_topics; t++)
          {
            CaudalOffsetFetchResponseOffsetFetchResponseTopics *topic = &body->groups[gi].topics[t];

            for (gint32 p = 0; p < topic->n_partitions; p++)
              if (topic->partitions[p].error_code == 0 && topic->partitions[p].committed_offset >= 0)
                {
                  PartRow *r = cli_groups_part_row_new (topic->name, topic->partitions[p].partition_index);
                  r->committed = topic->partitions[p].committed_offset;
                  g_ptr_array_add (out, r);
                }
          }
    }
  else
    {
      for (gint32 t = 0; t < body->n_topics; t++)
        {
          CaudalOffsetFetchResponseOffsetFetchResponseTopic *topic = &body->topics[t];

          for (gint32 p = 0; p < topic->n_partitions; p++)
            if (topic->partitions[p].error_code == 0 && topic->partitions[p].committed_offset >= 0)
              {
                PartRow *r = cli_groups_part_row_new (topic->name, topic->partitions[p].partition_index);
                r->committed = topic->partitions[p].committed_offset;
                g_ptr_array_add (out, r);
              }
        }
    }
  g_ptr_array_sort (out, cli_groups_part_row_compare);
  return g_steal_pointer (&out);
}

/* ---- ListOffsets on each partition's leader ---- */

typedef struct
{
  GPtrArray *rows;       /* PartRow*, one leader's */
  gint64     timestamp;
} ListOffsetsData;

static gpointer
build_list_offsets (gint16       version,
                    CaudalArena *arena,
                    gpointer     user_data)
{
  ListOffsetsData *d = user_data;
  CaudalListOffsetsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_list_offsets_request_desc, "topics");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  CaudalListOffsetsRequestListOffsetsTopic *topics;

  caudal_message_init (&caudal_list_offsets_request_desc, req);
  req->replica_id = -1;
  req->isolation_level = 0;
  for (guint i = 0; i < d->rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (d->rows, i);

      if (!g_ptr_array_find_with_equal_func (names, r->topic, g_str_equal, NULL))
        g_ptr_array_add (names, r->topic);
    }
  topics = caudal_message_set_array (arena, &caudal_list_offsets_request_desc, req, "topics", names->len);
  for (guint t = 0; t < names->len; t++)
    {
      guint n = 0, k = 0;
      CaudalListOffsetsRequestListOffsetsPartition *parts;

      topics[t].name = caudal_arena_strdup (arena, g_ptr_array_index (names, t));
      for (guint i = 0; i < d->rows->len; i++)
        n += strcmp (((PartRow *) g_ptr_array_index (d->rows, i))->topic, topics[t].name) == 0;
      parts = caudal_message_set_array (arena, topic_desc, &topics[t], "partitions", n);
      for (guint i = 0; i < d->rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (d->rows, i);

          if (strcmp (r->topic, topics[t].name) != 0)
            continue;
          parts[k].partition_index = r->partition;
          parts[k].current_leader_epoch = -1;
          parts[k].timestamp = d->timestamp;
          k++;
        }
    }
  return req;
}

static gint32
leader_of (CaudalCluster *cluster,
           const char    *topic,
           gint32         partition)
{
  CaudalTopicInfo *t = caudal_cluster_lookup_topic (cluster, topic);

  if (t == NULL || t->error != CAUDAL_ERROR_CODE_NONE)
    return -1;
  for (guint i = 0; i < t->partitions->len; i++)
    {
      CaudalPartitionInfo *p = g_ptr_array_index (t->partitions, i);

      if (p->partition == partition)
        return p->leader;
    }
  return -1;
}

/* Sets each row's ->value to the offset for @timestamp (-1: unknown). */
gboolean
cli_groups_list_offsets (CaudalCluster *cluster,
                         GPtrArray     *rows,
                         gint64         timestamp,
                         GError       **error)
{
  g_autoptr(GHashTable) by_leader = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);
      gint32 leader = leader_of (cluster, r->topic, r->partition);
      GPtrArray *list;

      r->value = -1;
      if (leader < 0)
        continue;
      list = g_hash_table_lookup (by_leader, GINT_TO_POINTER (leader + 1));
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_leader, GINT_TO_POINTER (leader + 1), list);
        }
      g_ptr_array_add (list, r);
    }
  g_hash_table_iter_init (&iter, by_leader);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ListOffsetsData d = { value, timestamp };
      g_autoptr(CaudalResponse) resp = cli_request (cluster, GPOINTER_TO_INT (key) - 1, CAUDAL_API_KEY_LIST_OFFSETS, -1,
                                                    build_list_offsets, &d, error);
      CaudalListOffsetsResponse *body;

      if (resp == NULL)
        return FALSE;
      body = resp->body;
      for (gint32 t = 0; t < body->n_topics; t++)
        for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
          {
            CaudalListOffsetsResponseListOffsetsPartitionResponse *pr = &body->topics[t].partitions[p];

            if (pr->error_code != CAUDAL_ERROR_CODE_NONE)
              continue;
            for (guint i = 0; i < d.rows->len; i++)
              {
                PartRow *r = g_ptr_array_index (d.rows, i);

                if (r->partition == pr->partition_index && strcmp (r->topic, body->topics[t].name) == 0)
                  r->value = pr->offset;
              }
          }
    }
  return TRUE;
}

/* ---- ListGroups (every broker) ---- */

typedef struct
{
  char *group;
  char *state;
} Listing;

static void
listing_free (gpointer p)
{
  Listing *l = p;

  g_free (l->group);
  g_free (l->state);
  g_free (l);
}

static int
listing_compare (gconstpointer a,
                 gconstpointer b)
{
  return strcmp ((*(const Listing *const *) a)->group, (*(const Listing *const *) b)->group);
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

/* Consumer groups (protocol type "consumer" or none), sorted by id. */
static GPtrArray *
list_groups (CaudalCluster *cluster,
             GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (listing_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *brokers = caudal_cluster_get_brokers (cluster);

  for (guint b = 0; b < brokers->len; b++)
    {
      CaudalBrokerInfo *info = g_ptr_array_index (brokers, b);
      g_autoptr(CaudalResponse) resp = cli_request (cluster, info->node_id, CAUDAL_API_KEY_LIST_GROUPS, -1,
                                                    build_list_groups, NULL, error);
      CaudalListGroupsResponse *body;

      if (resp == NULL)
        return NULL;
      body = resp->body;
      if (body->error_code != CAUDAL_ERROR_CODE_NONE)
        {
          caudal_set_kafka_error (error, body->error_code, NULL);
          return NULL;
        }
      for (gint32 i = 0; i < body->n_groups; i++)
        {
          CaudalListGroupsResponseListedGroup *lg = &body->groups[i];
          Listing *l;

          if (lg->protocol_type != NULL && *lg->protocol_type != '\0' && strcmp (lg->protocol_type, "consumer") != 0)
            continue;
          if (g_hash_table_contains (seen, lg->group_id))
            continue;
          l = g_new0 (Listing, 1);
          l->group = g_strdup (lg->group_id);
          l->state = g_strdup (lg->group_state);
          g_ptr_array_add (out, l);
          g_hash_table_add (seen, l->group);
        }
    }
  g_ptr_array_sort (out, listing_compare);
  return g_steal_pointer (&out);
}

static int
compare_str_ptr (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The groups an action is about: --group …, or every group. */
GPtrArray *
cli_groups_selected_groups (CaudalCluster *cluster,
                            GroupsOptions *o,
                            GError       **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  if (o->all_groups)
    {
      g_autoptr(GPtrArray) listings = list_groups (cluster, error);

      if (listings == NULL)
        {
          g_ptr_array_unref (out);
          return NULL;
        }
      for (guint i = 0; i < listings->len; i++)
        g_ptr_array_add (out, g_strdup (((Listing *) g_ptr_array_index (listings, i))->group));
    }
  else
    {
      for (guint i = 0; o->groups[i] != NULL; i++)
        g_ptr_array_add (out, g_strdup (o->groups[i]));
      /* Kafka collects the groups in a TreeMap: by id. */
      g_ptr_array_sort (out, compare_str_ptr);
    }
  return out;
}

/* ---- --list ---- */

static gboolean
state_matches (const char  *state,
               char       **filters)
{
  if (filters == NULL || filters[0] == NULL)
    return TRUE;
  for (guint i = 0; filters[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (filters[i]), state != NULL ? state : "") == 0)
      return TRUE;
  return FALSE;
}

static int
do_list (CaudalCluster *cluster,
         GroupsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listings = list_groups (cluster, &error);
  g_auto(GStrv) filters = NULL;
  gsize width = 15;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

  if (listings == NULL)
    {
      cli_groups_print_failure (error);
      return CLI_EXIT_ERROR;
    }
  if (!o->state_given)
    {
      for (guint i = 0; i < listings->len; i++)
        g_print ("%s\n", ((Listing *) g_ptr_array_index (listings, i))->group);
      return CLI_EXIT_OK;
    }
  if (o->state_value != NULL && *o->state_value != '\0')
    filters = g_strsplit (o->state_value, ",", -1);
  for (guint i = 0; i < listings->len; i++)
    {
      Listing *l = g_ptr_array_index (listings, i);

      if (!state_matches (l->state, filters))
        continue;
      g_ptr_array_add (chosen, l);
      width = MAX (width, strlen (l->group));
    }
  width += 10;
  /* Kafka's table, which scripts parse: never translated. */
  g_print ("%-*s %-20s\n", (int) width, "GROUP", "STATE");
  for (guint i = 0; i < chosen->len; i++)
    {
      Listing *l = g_ptr_array_index (chosen, i);

      g_print ("%-*s %-20s\n", (int) width, l->group, l->state != NULL ? l->state : "Unknown");
    }
  return CLI_EXIT_OK;
}

/* ---- --delete ---- */

static gpointer
build_delete_groups (gint16       version,
                     CaudalArena *arena,
                     gpointer     user_data)
{
  const char *group = user_data;
  CaudalDeleteGroupsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_delete_groups_request_desc, req);
  req->n_groups_names = 1;
  req->groups_names = caudal_arena_alloc (arena, sizeof (char *));
  req->groups_names[0] = caudal_arena_strdup (arena, group);
  return req;
}

/* "* Group 'G' could not be deleted due to: java…ExecutionException: …":
 * the sentence translated, Kafka's exception as it is. */
static char *
delete_failure (const char *group,
                const char *message)
{
  g_autofree char *exception = g_strdup_printf ("java.util.concurrent.ExecutionException: %s", message);

  return g_strdup_printf (_("* Group '%s' could not be deleted due to: %s"), group, exception);
}

static int
do_delete (CaudalCluster *cluster,
           GroupsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) succeeded = g_ptr_array_new ();
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);

  if (o->all_groups)
    groups = cli_groups_selected_groups (cluster, o, &error);
  else
    {
      /* In the order given, as Kafka reports them. */
      groups = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; o->groups[i] != NULL; i++)
        g_ptr_array_add (groups, g_strdup (o->groups[i]));
    }
  if (groups == NULL)
    {
      cli_groups_print_failure (error);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < groups->len; i++)
    {
      const char *group = g_ptr_array_index (groups, i);
      Coordinator coordinator = { 0 };
      g_autoptr(CaudalResponse) resp = NULL;
      CaudalDeleteGroupsResponse *body;
      gint16 code = CAUDAL_ERROR_CODE_NONE;

      if (!find_coordinator (cluster, group, &coordinator, &error))
        {
          g_ptr_array_add (failures, delete_failure (group, error->message));
          g_clear_error (&error);
          continue;
        }
      resp = cli_request (cluster, coordinator.node_id, CAUDAL_API_KEY_DELETE_GROUPS, -1,
                          build_delete_groups, (gpointer) group, &error);
      g_free (coordinator.host);
      if (resp == NULL)
        {
          g_ptr_array_add (failures, delete_failure (group, error->message));
          g_clear_error (&error);
          continue;
        }
      body = resp->body;
      for (gint32 r = 0; r < body->n_results; r++)
        if (g_strcmp0 (body->results[r].group_id, group) == 0)
          code = body->results[r].error_code;
      if (code == CAUDAL_ERROR_CODE_NONE)
        g_ptr_array_add (succeeded, (gpointer) group);
      else
        {
          g_autofree char *text = cli_groups_java_exception (code);
          g_ptr_array_add (failures, delete_failure (group, text));
        }
    }
  {
    g_autoptr(GString) names = g_string_new (NULL);

    for (guint i = 0; i < succeeded->len; i++)
      g_string_append_printf (names, "%s'%s'", i > 0 ? ", " : "", (const char *) g_ptr_array_index (succeeded, i));
    if (failures->len == 0)
      {
        g_print (_("Deletion of requested consumer groups (%s) was successful.\n"), names->str);
        return CLI_EXIT_OK;
      }
    cli_groups_print_error (_("Deletion of some consumer groups failed:"));
    for (guint i = 0; i < failures->len; i++)
      g_print ("%s\n", (const char *) g_ptr_array_index (failures, i));
    if (succeeded->len > 0)
      {
        g_print ("\n");
        g_print (_("These consumer groups were deleted successfully: %s\n"), names->str);
      }
  }
  return CLI_EXIT_ERROR;
}

/* ---- options ---- */

static GroupsOptions *parsing;

static gboolean
on_state (const char *name,
          const char *value,
          gpointer    data,
          GError    **error)
{
  parsing->state_given = TRUE;
  g_free (parsing->state_value);
  parsing->state_value = g_strdup (value);
  return TRUE;
}

static gboolean
parse_int64 (const char *text,
             gint64     *out)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *out = g_ascii_strtoll (text, &end, 10);
  return *end == '\0';
}

int
cli_consumer_groups_main (int    argc,
                          char **argv)
{
  GroupsOptions o = { 0 };
  GOptionEntry entries[] = {
    { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, &o.bootstrap, N_("REQUIRED: The server(s) to connect to."), N_("HOST:PORT") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &o.list, N_("List all consumer groups."), NULL },
    { "describe", 0, 0, G_OPTION_ARG_NONE, &o.describe, N_("Describe consumer group and list offset lag (number of messages not yet processed) related to given group."), NULL },
    { "delete", 0, 0, G_OPTION_ARG_NONE, &o.delete, N_("Pass in groups to delete topic partition offsets and ownership information over the entire consumer group."), NULL },
    { "reset-offsets", 0, 0, G_OPTION_ARG_NONE, &o.reset, N_("Reset offsets of consumer group; the group must be inactive. --dry-run (the default) or --execute."), NULL },
    { "group", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.groups, N_("The consumer group we wish to act on (repeatable)."), N_("GROUP") },
    { "all-groups", 0, 0, G_OPTION_ARG_NONE, &o.all_groups, N_("Apply to all consumer groups."), NULL },
    { "topic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.topics, N_("A topic to reset, optionally with partitions: topic1:0,1,2 (repeatable)."), N_("TOPIC") },
    { "all-topics", 0, 0, G_OPTION_ARG_NONE, &o.all_topics, N_("Consider all topics assigned to a group in the reset-offsets process."), NULL },
    { "members", 0, 0, G_OPTION_ARG_NONE, &o.members, N_("Describe members of the group."), NULL },
    { "verbose", 0, 0, G_OPTION_ARG_NONE, &o.verbose, N_("Provide additional information, if any, when describing the group."), NULL },
    { "offsets", 0, 0, G_OPTION_ARG_NONE, &o.offsets, N_("Describe the group and list all topic partitions in the group along with their offset lag (the default)."), NULL },
    { "state", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer) on_state, N_("With --describe: the group's state. With --list: the state of all groups, optionally only these (stable,empty)."), N_("[STATES]") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &o.dry_run, N_("Only show results without executing changes on Consumer Groups."), NULL },
    { "execute", 0, 0, G_OPTION_ARG_NONE, &o.execute, N_("Execute operation."), NULL },
    { "to-earliest", 0, 0, G_OPTION_ARG_NONE, &o.to_earliest, N_("Reset offsets to earliest offset."), NULL },
    { "to-latest", 0, 0, G_OPTION_ARG_NONE, &o.to_latest, N_("Reset offsets to latest offset."), NULL },
    { "to-current", 0, 0, G_OPTION_ARG_NONE, &o.to_current, N_("Reset offsets to current offset."), NULL },
    { "to-offset", 0, 0, G_OPTION_ARG_STRING, &o.to_offset, N_("Reset offsets to a specific offset."), N_("OFFSET") },
    { "shift-by", 0, 0, G_OPTION_ARG_STRING, &o.shift_by, N_("Reset offsets shifting current offset by 'n', where 'n' can be positive or negative."), N_("N") },
    { "to-datetime", 0, 0, G_OPTION_ARG_STRING, &o.to_datetime, N_("Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'"), N_("DATETIME") },
    { "by-duration", 0, 0, G_OPTION_ARG_STRING, &o.by_duration, N_("Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'"), N_("DURATION") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout, N_("Timeout in ms (accepted; requests use 30 s)."), N_("MS") },
    { "command-config", 0, 0, G_OPTION_ARG_FILENAME, &o.command_config, N_("Admin client properties (accepted; not used yet)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("- list, describe, reset or delete consumer groups"));
  g_autoptr(CaudalCluster) cluster = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  char **argv_copy;
  int argc_copy;
  int actions, scenarios, status;
  gboolean have_group;

  /* Kafka takes "--state VALUE"; GOption's optional arguments only come
   * as "--state=VALUE". */
  for (int i = 0; i < argc; i++)
    {
      if (strcmp (argv[i], "--state") == 0 && i + 1 < argc && argv[i + 1][0] != '-')
        {
          g_ptr_array_add (args, g_strconcat ("--state=", argv[i + 1], NULL));
          i++;
        }
      else
        g_ptr_array_add (args, g_strdup (argv[i]));
    }
  g_ptr_array_add (args, NULL);
  argc_copy = (int) args->len - 1;
  argv_copy = g_memdup2 (args->pdata, sizeof (char *) * args->len);   /* parse may reorder it */

  parsing = &o;
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cli_parse (context, &argc_copy, &argv_copy))
    {
      g_free (argv_copy);
      return CLI_EXIT_USAGE;
    }
  g_free (argv_copy);

  actions = o.list + o.describe + o.delete + o.reset;
  scenarios = o.to_earliest + o.to_latest + o.to_current + (o.to_offset != NULL) + (o.shift_by != NULL) +
              (o.to_datetime != NULL) + (o.by_duration != NULL);
  have_group = (o.groups != NULL && o.groups[0] != NULL) || o.all_groups;
  if (argc_copy > 1)
    status = cli_usage_error (context, _("Unexpected argument; options start with --"));
  else if (actions != 1)
    status = cli_usage_error (context, _("Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets"));
  else if (o.bootstrap == NULL)
    status = cli_missing (context, "bootstrap-server");
  else if (o.describe && !have_group)
    status = cli_usage_error (context, _("Option [describe] takes one of these options: [all-groups], [group]"));
  else if (o.describe && o.members + o.offsets + o.state_given > 1)
    status = cli_usage_error (context, _("Option [describe] takes at most one of these options: [members], [offsets], [state]"));
  else if (o.describe && o.state_value != NULL)
    status = cli_usage_error (context, _("Option [describe] does not take a value for [state]"));
  else if (o.delete && !have_group)
    status = cli_usage_error (context, _("Option [delete] takes one of these options: [all-groups], [group]"));
  else if (o.delete && o.topics != NULL)
    status = cli_usage_error (context, _("The consumer does not support topic-specific offset deletion from a consumer group."));
  else if (o.reset && o.dry_run && o.execute)
    status = cli_usage_error (context, _("Option [reset-offsets] only accepts one of [execute] and [dry-run]"));
  else if (o.reset && !have_group)
    status = cli_usage_error (context, _("Option [reset-offsets] takes one of these options: [all-groups], [group]"));
  else if (o.reset && scenarios > 1)
    status = cli_usage_error (context, _("Option [reset-offsets] takes only one of these options: [to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current]"));
  else if (o.reset && scenarios == 0)
    status = cli_usage_error (context, _("Option '[reset-offsets]' requires one of the following scenarios: [to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current]"));
  else if (o.reset && !o.all_topics && o.topics == NULL)
    status = cli_usage_error (context, _("One of the reset scopes should be defined: --all-topics, --topic."));
  else if (o.to_offset != NULL && !parse_int64 (o.to_offset, &o.to_offset_n))
    status = cli_usage_error (context, _("Cannot parse argument of option [to-offset]: not a number"));
  else if (o.shift_by != NULL && !parse_int64 (o.shift_by, &o.shift_by_n))
    status = cli_usage_error (context, _("Cannot parse argument of option [shift-by]: not a number"));
  else if ((cluster = cli_cluster_new (o.bootstrap, "caudal-consumer-groups")) == NULL)
    status = CLI_EXIT_USAGE;
  else
    {
      g_autoptr(GError) error = NULL;

      if (o.reset && !o.dry_run && !o.execute)
        g_printerr (_("WARN: No action will be performed as the --execute option is missing."
                      "In a future major release, the default behavior of this command will be to prompt the user before "
                      "executing the reset rather than doing a dry run. You should add the --dry-run option explicitly "
                      "if you are scripting this command and want to keep the current default behavior without prompting.\n"));
      if (!cli_refresh_metadata (cluster, NULL, &error))
        {
          cli_groups_print_failure (error);
          status = CLI_EXIT_ERROR;
        }
      else if (o.list)
        status = do_list (cluster, &o);
      else if (o.describe)
        status = cli_groups_do_describe (cluster, &o);
      else if (o.delete)
        status = do_delete (cluster, &o);
      else
        status = cli_groups_do_reset (cluster, &o, context);
    }

  parsing = NULL;
  g_free (o.bootstrap);
  g_strfreev (o.groups);
  g_strfreev (o.topics);
  g_free (o.state_value);
  g_free (o.to_offset);
  g_free (o.shift_by);
  g_free (o.to_datetime);
  g_free (o.by_duration);
  g_free (o.command_config);
  return status;
}
