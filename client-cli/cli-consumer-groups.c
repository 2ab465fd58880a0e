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
 * (generation -1, no member) as Kafka's admin client does. */

#include <stdlib.h>
#include <string.h>

#include "cli-common.h"

#define MISSING "-"

typedef struct
{
  char     *bootstrap;
  gboolean  list, describe, delete, reset;
  char    **groups;
  gboolean  all_groups;
  char    **topics;
  gboolean  all_topics;
  gboolean  members, verbose, offsets;
  gboolean  state_given;
  char     *state_value;
  gboolean  dry_run, execute, export;
  gboolean  to_earliest, to_latest, to_current;
  char     *to_offset, *shift_by, *to_datetime, *by_duration;
  gint64    to_offset_n, shift_by_n;
  char     *command_config;
  gint      timeout;
} GroupsOptions;

/* A (topic, partition) with its numbers; offsets -1 when unknown. */
typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  committed;      /* -1: none */
  gint64  log_end;        /* -1: unknown */
  gint64  value;          /* scratch (new offset, timestamp result) */
  const char *consumer_id;
  const char *host;
  const char *client_id;
} PartRow;

static PartRow *
part_row_new (const char *topic,
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

static void
part_row_free (gpointer p)
{
  PartRow *r = p;

  g_free (r->topic);
  g_free (r);
}

static int
part_row_compare (gconstpointer a,
                  gconstpointer b)
{
  const PartRow *x = *(const PartRow *const *) a;
  const PartRow *y = *(const PartRow *const *) b;
  int c = strcmp (x->topic, y->topic);

  if (c != 0)
    return c;
  return (x->partition > y->partition) - (x->partition < y->partition);
}

static char *
part_key (const char *topic,
          gint32      partition)
{
  return g_strdup_printf ("%s\x01%d", topic, partition);
}

/* ---- Kafka's error lines ---- */

static void
print_error (const char *message)
{
  g_print ("\nError: %s\n", message);
}

/* The Java exception Kafka's admin client raises for @code, as its
 * toString() reads. */
static char *
java_exception (gint16 code)
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

typedef struct
{
  gint32   node_id;
  char    *host;
  gint32   port;
} Coordinator;

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
                           "FindCoordinator answered no coordinator");
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

/* A member's assignment, decoded from the ConsumerProtocol bytes. */
typedef struct
{
  const char *member_id;
  const char *group_instance_id;
  const char *client_id;
  const char *host;
  GPtrArray  *parts;   /* PartRow*, sorted */
} Member;

static void
member_free (gpointer p)
{
  Member *m = p;

  g_ptr_array_unref (m->parts);
  g_free (m);
}

typedef struct
{
  char           *group;
  Coordinator     coordinator;
  CaudalResponse *resp;       /* DescribeGroups, owns the strings below */
  const char     *state;      /* "Dead" for unknown groups */
  const char     *protocol;   /* assignment strategy */
  GPtrArray      *members;    /* Member*, in the broker's order */
} GroupInfo;

static void
group_info_free (GroupInfo *g)
{
  g_free (g->group);
  g_free (g->coordinator.host);
  g_clear_pointer (&g->resp, caudal_response_free);
  g_clear_pointer (&g->members, g_ptr_array_unref);
  g_free (g);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GroupInfo, group_info_free)

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
  GPtrArray *out = g_ptr_array_new_with_free_func (part_row_free);
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
          g_ptr_array_add (out, part_row_new (topic, part));
        }
    }
  g_ptr_array_sort (out, part_row_compare);
  return out;
}

static GroupInfo *
describe_group (CaudalCluster *cluster,
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
                       "DescribeGroups answered no group");
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
      g_autofree char *text = java_exception (d->error_code);
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
static GPtrArray *
fetch_committed (CaudalCluster     *cluster,
                 const Coordinator *coordinator,
                 const char        *group,
                 GError           **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (part_row_free);
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
          g_autofree char *text = java_exception (code);
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
                  PartRow *r = part_row_new (topic->name, topic->partitions[p].partition_index);
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
                PartRow *r = part_row_new (topic->name, topic->partitions[p].partition_index);
                r->committed = topic->partitions[p].committed_offset;
                g_ptr_array_add (out, r);
              }
        }
    }
  g_ptr_array_sort (out, part_row_compare);
  return g_steal_pointer (&out);
}

/* ---- ListOffsets on each partition's leader ---- */

#define TS_LATEST   (-1)
#define TS_EARLIEST (-2)

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
static gboolean
list_offsets (CaudalCluster *cluster,
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
static GPtrArray *
selected_groups (CaudalCluster *cluster,
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
      g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
      print_error (msg);
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
  g_print ("%-*s %-20s\n", (int) width, "GROUP", "STATE");
  for (guint i = 0; i < chosen->len; i++)
    {
      Listing *l = g_ptr_array_index (chosen, i);

      g_print ("%-*s %-20s\n", (int) width, l->group, l->state != NULL ? l->state : "Unknown");
    }
  return CLI_EXIT_OK;
}

/* ---- --describe ---- */

/* Kafka's shouldPrintMemberState(): the state notes, and whether to print
 * the table. Returns -1 when the group does not exist. */
static int
member_state_check (const char *group,
                    const char *state,
                    guint       n_rows)
{
  if (strcmp (state, "Dead") == 0)
    {
      g_autofree char *msg = g_strdup_printf ("Consumer group '%s' does not exist.", group);
      print_error (msg);
      return -1;
    }
  if (strcmp (state, "Empty") == 0)
    g_printerr ("\nConsumer group '%s' has no active members.\n", group);
  else if (strcmp (state, "PreparingRebalance") == 0 || strcmp (state, "CompletingRebalance") == 0 ||
           strcmp (state, "Assigning") == 0 || strcmp (state, "Reconciling") == 0)
    g_printerr ("\nWarning: Consumer group '%s' is rebalancing.\n", group);
  return n_rows > 0;
}

static int
member_compare_by_size (gconstpointer a,
                        gconstpointer b)
{
  const Member *x = *(const Member *const *) a;
  const Member *y = *(const Member *const *) b;

  return (x->parts->len < y->parts->len) - (x->parts->len > y->parts->len);
}


static int
describe_offsets (CaudalCluster *cluster,
                  GroupInfo     *g)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) committed = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (part_row_free);
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize w_group = 15, w_topic = 15, w_consumer = 15, w_host = 15;
  int check;

  if (strcmp (g->state, "Dead") != 0)
    {
      committed = fetch_committed (cluster, &g->coordinator, g->group, &error);
      if (committed == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
          print_error (msg);
          return CLI_EXIT_ERROR;
        }
    }
  else
    committed = g_ptr_array_new_with_free_func (part_row_free);
  for (guint i = 0; i < committed->len; i++)
    {
      PartRow *c = g_ptr_array_index (committed, i);
      g_hash_table_insert (by_key, part_key (c->topic, c->partition), c);
    }

  /* Members with partitions, the most partitions first (Scala's sortBy
   * is stable, and so is g_ptr_array_sort), each one's partitions by
   * topic and partition; then committed partitions nobody owns. */
  for (guint i = 0; i < g->members->len; i++)
    {
      Member *m = g_ptr_array_index (g->members, i);
      if (m->parts->len > 0)
        g_ptr_array_add (members, m);
    }
  g_ptr_array_sort (members, member_compare_by_size);
  for (guint i = 0; i < members->len; i++)
    {
      Member *m = g_ptr_array_index (members, i);

      for (guint p = 0; p < m->parts->len; p++)
        {
          PartRow *a = g_ptr_array_index (m->parts, p);
          PartRow *r = part_row_new (a->topic, a->partition);
          g_autofree char *key = part_key (a->topic, a->partition);
          PartRow *c = g_hash_table_lookup (by_key, key);

          if (c != NULL)
            {
              r->committed = c->committed;
              c->value = 0;   /* owned */
            }
          r->consumer_id = m->member_id;
          r->host = m->host;
          r->client_id = m->client_id;
          g_ptr_array_add (rows, r);
        }
    }
  for (guint i = 0; i < committed->len; i++)
    {
      PartRow *c = g_ptr_array_index (committed, i);
      PartRow *r;

      if (c->value == 0)
        continue;
      r = part_row_new (c->topic, c->partition);
      r->committed = c->committed;
      r->consumer_id = r->host = r->client_id = MISSING;
      g_ptr_array_add (rows, r);
    }

  check = member_state_check (g->group, g->state, rows->len);
  if (check < 0)
    return CLI_EXIT_ERROR;
  if (check == 0)
    return CLI_EXIT_OK;

  if (!list_offsets (cluster, rows, TS_LATEST, &error))
    {
      g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
      print_error (msg);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);

      r->log_end = r->value;
      w_group = MAX (w_group, strlen (g->group));
      w_topic = MAX (w_topic, strlen (r->topic));
      w_consumer = MAX (w_consumer, strlen (r->consumer_id));
      w_host = MAX (w_host, strlen (r->host));
    }
#define OFFSETS_FORMAT "%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s\n"
  g_print ("\n" OFFSETS_FORMAT, (int) w_group, "GROUP", (int) w_topic, "TOPIC", "PARTITION",
           "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", (int) w_consumer, "CONSUMER-ID",
           (int) w_host, "HOST", "CLIENT-ID");
  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);
      char partition[16], current[24], end[24], lag[24];

      g_snprintf (partition, sizeof partition, "%d", r->partition);
      if (r->committed >= 0)
        g_snprintf (current, sizeof current, "%" G_GINT64_FORMAT, r->committed);
      else
        g_strlcpy (current, MISSING, sizeof current);
      if (r->log_end >= 0)
        g_snprintf (end, sizeof end, "%" G_GINT64_FORMAT, r->log_end);
      else
        g_strlcpy (end, MISSING, sizeof end);
      if (r->committed >= 0 && r->log_end >= 0)
        g_snprintf (lag, sizeof lag, "%" G_GINT64_FORMAT, r->log_end - r->committed);
      else
        g_strlcpy (lag, MISSING, sizeof lag);
      g_print (OFFSETS_FORMAT, (int) w_group, g->group, (int) w_topic, r->topic, partition,
               current, end, lag, (int) w_consumer, r->consumer_id, (int) w_host, r->host, r->client_id);
    }
#undef OFFSETS_FORMAT
  return CLI_EXIT_OK;
}

/* "topic(0,1), other(2)" as Kafka's --members --verbose prints it. */
static char *
assignment_string (GPtrArray *parts)
{
  GString *out = g_string_new (NULL);
  const char *topic = NULL;

  if (parts->len == 0)
    return g_string_free (g_string_append (out, MISSING), FALSE);
  for (guint i = 0; i < parts->len; i++)
    {
      PartRow *p = g_ptr_array_index (parts, i);

      if (topic == NULL || strcmp (topic, p->topic) != 0)
        {
          if (topic != NULL)
            g_string_append (out, "), ");
          g_string_append_printf (out, "%s(%d", p->topic, p->partition);
          topic = p->topic;
        }
      else
        g_string_append_printf (out, ",%d", p->partition);
    }
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

static int
describe_members (GroupInfo *g,
                  gboolean   verbose)
{
  gsize w_group = 15, w_consumer = 15, w_instance = 17, w_host = 15, w_client = 15;
  gboolean with_instance = FALSE;
  int check = member_state_check (g->group, g->state, g->members->len);

  if (check < 0)
    return CLI_EXIT_ERROR;
  if (check == 0)
    return CLI_EXIT_OK;
  for (guint i = 0; i < g->members->len; i++)
    {
      Member *m = g_ptr_array_index (g->members, i);
      const char *instance = m->group_instance_id != NULL ? m->group_instance_id : "";

      w_group = MAX (w_group, strlen (g->group));
      w_consumer = MAX (w_consumer, strlen (m->member_id));
      w_instance = MAX (w_instance, strlen (instance));
      w_host = MAX (w_host, strlen (m->host));
      w_client = MAX (w_client, strlen (m->client_id));
      with_instance |= *instance != '\0';
    }
  if (with_instance)
    g_print ("\n%-*s %-*s %-*s %-*s %-*s %-15s ", (int) w_group, "GROUP", (int) w_consumer, "CONSUMER-ID",
             (int) w_instance, "GROUP-INSTANCE-ID", (int) w_host, "HOST", (int) w_client, "CLIENT-ID", "#PARTITIONS");
  else
    g_print ("\n%-*s %-*s %-*s %-*s %-15s ", (int) w_group, "GROUP", (int) w_consumer, "CONSUMER-ID",
             (int) w_host, "HOST", (int) w_client, "CLIENT-ID", "#PARTITIONS");
  g_print ("%s\n", verbose ? "ASSIGNMENT" : "");
  for (guint i = 0; i < g->members->len; i++)
    {
      Member *m = g_ptr_array_index (g->members, i);
      char count[16];

      g_snprintf (count, sizeof count, "%u", m->parts->len);
      if (with_instance)
        g_print ("%-*s %-*s %-*s %-*s %-*s %-15s ", (int) w_group, g->group, (int) w_consumer, m->member_id,
                 (int) w_instance, m->group_instance_id != NULL ? m->group_instance_id : "",
                 (int) w_host, m->host, (int) w_client, m->client_id, count);
      else
        g_print ("%-*s %-*s %-*s %-*s %-15s ", (int) w_group, g->group, (int) w_consumer, m->member_id,
                 (int) w_host, m->host, (int) w_client, m->client_id, count);
      if (verbose)
        {
          g_autofree char *text = assignment_string (m->parts);
          g_print ("%s", text);
        }
      g_print ("\n");
    }
  return CLI_EXIT_OK;
}

static int
describe_state (GroupInfo *g)
{
  g_autofree char *coordinator = NULL;
  gsize w_coordinator;
  int check = member_state_check (g->group, g->state, 1);

  if (check < 0)
    return CLI_EXIT_ERROR;
  coordinator = g_strdup_printf ("%s:%d (%d)", g->coordinator.host, g->coordinator.port, g->coordinator.node_id);
  w_coordinator = MAX (25, strlen (coordinator));
  /* Kafka 3.x sizes the first column (GROUP) by the coordinator's text. */
#define STATE_FORMAT "\n%-*s %-25s %-20s %-15s %s"
  g_print (STATE_FORMAT, (int) w_coordinator, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
  {
    char count[16];

    g_snprintf (count, sizeof count, "%u", g->members->len);
    g_print (STATE_FORMAT "\n", (int) w_coordinator, g->group, coordinator, g->protocol, g->state, count);
  }
#undef STATE_FORMAT
  return CLI_EXIT_OK;
}

static int
do_describe (CaudalCluster *cluster,
             GroupsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = selected_groups (cluster, o, &error);
  int status = CLI_EXIT_OK;

  if (groups == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
      print_error (msg);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < groups->len; i++)
    {
      const char *name = g_ptr_array_index (groups, i);
      g_autoptr(GroupInfo) g = describe_group (cluster, name, &error);
      int one;

      if (g == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
          print_error (msg);
          return CLI_EXIT_ERROR;
        }
      if (o->members)
        one = describe_members (g, o->verbose);
      else if (o->state_given && !o->offsets)
        one = describe_state (g);
      else
        one = describe_offsets (cluster, g);
      if (one != CLI_EXIT_OK)
        status = one;
    }
  return status;
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

static int
do_delete (CaudalCluster *cluster,
           GroupsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) succeeded = g_ptr_array_new ();
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);

  if (o->all_groups)
    groups = selected_groups (cluster, o, &error);
  else
    {
      /* In the order given, as Kafka reports them. */
      groups = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; o->groups[i] != NULL; i++)
        g_ptr_array_add (groups, g_strdup (o->groups[i]));
    }
  if (groups == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
      print_error (msg);
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
          g_ptr_array_add (failures, g_strdup_printf ("* Group '%s' could not be deleted due to: java.util.concurrent.ExecutionException: %s",
                                                      group, error->message));
          g_clear_error (&error);
          continue;
        }
      resp = cli_request (cluster, coordinator.node_id, CAUDAL_API_KEY_DELETE_GROUPS, -1,
                          build_delete_groups, (gpointer) group, &error);
      g_free (coordinator.host);
      if (resp == NULL)
        {
          g_ptr_array_add (failures, g_strdup_printf ("* Group '%s' could not be deleted due to: java.util.concurrent.ExecutionException: %s",
                                                      group, error->message));
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
          g_autofree char *text = java_exception (code);
          g_ptr_array_add (failures, g_strdup_printf ("* Group '%s' could not be deleted due to: java.util.concurrent.ExecutionException: %s",
                                                      group, text));
        }
    }
  {
    g_autoptr(GString) names = g_string_new (NULL);

    for (guint i = 0; i < succeeded->len; i++)
      g_string_append_printf (names, "%s'%s'", i > 0 ? ", " : "", (const char *) g_ptr_array_index (succeeded, i));
    if (failures->len == 0)
      {
        g_print ("Deletion of requested consumer groups (%s) was successful.\n", names->str);
        return CLI_EXIT_OK;
      }
    print_error ("Deletion of some consumer groups failed:");
    for (guint i = 0; i < failures->len; i++)
      g_print ("%s\n", (const char *) g_ptr_array_index (failures, i));
    if (succeeded->len > 0)
      g_print ("\nThese consumer groups were deleted successfully: %s\n", names->str);
  }
  return CLI_EXIT_ERROR;
}

/* ---- --reset-offsets ---- */

/* Java's Duration.parse() for "[-]PnDTnHnMn.nS", in milliseconds. */
static gboolean
parse_duration (const char *text,
                gint64     *out_ms)
{
  const char *p = text;
  gboolean negative = FALSE, in_time = FALSE, any = FALSE;
  gdouble total = 0;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  if (*p != 'P' && *p != 'p')
    return FALSE;
  p++;
  while (*p != '\0')
    {
      char *end;
      gdouble n;

      if ((*p == 'T' || *p == 't') && !in_time)
        {
          in_time = TRUE;
          p++;
          continue;
        }
      n = g_ascii_strtod (p, &end);
      if (end == p)
        return FALSE;
      p = end;
      switch (g_ascii_toupper (*p))
        {
        case 'D': if (in_time) return FALSE; total += n * 86400000.0; break;
        case 'H': if (!in_time) return FALSE; total += n * 3600000.0; break;
        case 'M': if (!in_time) return FALSE; total += n * 60000.0; break;
        case 'S': if (!in_time) return FALSE; total += n * 1000.0; break;
        default: return FALSE;
        }
      any = TRUE;
      p++;
    }
  if (!any)
    return FALSE;
  *out_ms = (gint64) (negative ? -total : total);
  return TRUE;
}

/* Kafka's Utils.getDateTime(): ISO 8601 with milliseconds, UTC when no
 * zone is given. */
static gboolean
parse_datetime (const char *text,
                gint64     *out_ms)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  const char *t = strchr (text, 'T');

  if (t == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;
  *out_ms = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
  return TRUE;
}

static void
log_warn (const char *message)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  g_printerr ("[%s,%03d] WARN %s (kafka.admin.ConsumerGroupCommand$)\n", stamp,
              g_date_time_get_microsecond (now) / 1000, message);
}

/* Kafka's checkOffsetsRange(): requested offsets in ->value, clamped to
 * [log start, log end]. */
static gboolean
clamp_offsets (CaudalCluster *cluster,
               GPtrArray     *rows,
               GError       **error)
{
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (wanted, ((PartRow *) g_ptr_array_index (rows, i))->value);
  if (!list_offsets (cluster, rows, TS_LATEST, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (ends, ((PartRow *) g_ptr_array_index (rows, i))->value);
  if (!list_offsets (cluster, rows, TS_EARLIEST, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);
      gint64 offset = g_array_index (wanted, gint64, i);
      gint64 end = g_array_index (ends, gint64, i);
      gint64 start = r->value;

      if (end >= 0 && offset > end)
        {
          g_autofree char *msg = g_strdup_printf ("New offset (%" G_GINT64_FORMAT ") is higher than latest offset for topic partition %s-%d. Value will be set to %" G_GINT64_FORMAT,
                                                  offset, r->topic, r->partition, end);
          log_warn (msg);
          offset = end;
        }
      else if (start >= 0 && offset < start)
        {
          g_autofree char *msg = g_strdup_printf ("New offset (%" G_GINT64_FORMAT ") is lower than earliest offset for topic partition %s-%d. Value will be set to %" G_GINT64_FORMAT,
                                                  offset, r->topic, r->partition, start);
          log_warn (msg);
          offset = start;
        }
      r->value = offset;
    }
  return TRUE;
}

/* The partitions --topic names: "t" (all its partitions) or "t:0,1". */
static GPtrArray *
partitions_to_reset (CaudalCluster *cluster,
                     GroupsOptions *o,
                     GPtrArray     *committed,
                     GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (part_row_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (o->all_topics)
    {
      for (guint i = 0; i < committed->len; i++)
        {
          PartRow *c = g_ptr_array_index (committed, i);
          g_ptr_array_add (out, part_row_new (c->topic, c->partition));
        }
      return g_steal_pointer (&out);
    }
  for (guint i = 0; o->topics[i] != NULL; i++)
    {
      const char *arg = o->topics[i];
      const char *colon = strchr (arg, ':');

      if (colon != NULL)
        {
          g_autofree char *topic = g_strndup (arg, (gsize) (colon - arg));
          g_auto(GStrv) parts = g_strsplit (colon + 1, ",", -1);

          if (strchr (colon + 1, ':') != NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Invalid topic arg '%s', expected topic name and partitions", arg);
              return NULL;
            }
          for (guint j = 0; parts[j] != NULL; j++)
            {
              char *end = NULL;
              gint64 n = g_ascii_strtoll (parts[j], &end, 10);

              if (*parts[j] == '\0' || *end != '\0' || n < 0 || n > G_MAXINT32)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid partition '%s' specified in topic arg '%s''", parts[j], arg);
                  return NULL;
                }
              if (g_hash_table_add (seen, part_key (topic, (gint32) n)))
                g_ptr_array_add (out, part_row_new (topic, (gint32) n));
            }
        }
      else
        {
          CaudalTopicInfo *t = caudal_cluster_lookup_topic (cluster, arg);

          if (t == NULL || t->error != CAUDAL_ERROR_CODE_NONE)
            {
              g_set_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION,
                           "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: %s",
                           caudal_error_code_message (CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION));
              return NULL;
            }
          for (guint p = 0; p < t->partitions->len; p++)
            {
              CaudalPartitionInfo *pi = g_ptr_array_index (t->partitions, p);

              if (g_hash_table_add (seen, part_key (arg, pi->partition)))
                g_ptr_array_add (out, part_row_new (arg, pi->partition));
            }
        }
    }
  g_ptr_array_sort (out, part_row_compare);
  return g_steal_pointer (&out);
}

/* New offsets into each row's ->value; FALSE with @error, or with
 * *usage set for Kafka's usage errors. */
static gboolean
prepare_offsets (CaudalCluster *cluster,
                 GroupsOptions *o,
                 GPtrArray     *rows,
                 GPtrArray     *committed,
                 char         **usage,
                 GError       **error)
{
  g_autoptr(GHashTable) current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < committed->len; i++)
    {
      PartRow *c = g_ptr_array_index (committed, i);
      g_hash_table_insert (current, part_key (c->topic, c->partition), c);
    }
  if (o->to_offset != NULL)
    {
      for (guint i = 0; i < rows->len; i++)
        ((PartRow *) g_ptr_array_index (rows, i))->value = o->to_offset_n;
      return clamp_offsets (cluster, rows, error);
    }
  if (o->shift_by != NULL)
    {
      for (guint i = 0; i < rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (rows, i);
          g_autofree char *key = part_key (r->topic, r->partition);
          PartRow *c = g_hash_table_lookup (current, key);

          if (c == NULL)
            {
              *usage = g_strdup_printf ("Cannot shift offset for partition %s-%d since there is no current committed offset",
                                        r->topic, r->partition);
              return FALSE;
            }
          r->value = c->committed + o->shift_by_n;
        }
      return clamp_offsets (cluster, rows, error);
    }
  if (o->to_earliest || o->to_latest)
    {
      const char *which = o->to_earliest ? "starting" : "ending";

      if (!list_offsets (cluster, rows, o->to_earliest ? TS_EARLIEST : TS_LATEST, error))
        return FALSE;
      for (guint i = 0; i < rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (rows, i);

          if (r->value < 0)
            {
              *usage = g_strdup_printf ("Error getting %s offset of topic partition: %s-%d", which, r->topic, r->partition);
              return FALSE;
            }
        }
      return TRUE;
    }
  if (o->to_current)
    {
      g_autoptr(GPtrArray) uncommitted = g_ptr_array_new ();

      for (guint i = 0; i < rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (rows, i);
          g_autofree char *key = part_key (r->topic, r->partition);
          PartRow *c = g_hash_table_lookup (current, key);

          if (c != NULL)
            r->value = c->committed;
          else
            g_ptr_array_add (uncommitted, r);
        }
      if (!list_offsets (cluster, uncommitted, TS_LATEST, error))
        return FALSE;
      for (guint i = 0; i < uncommitted->len; i++)
        {
          PartRow *r = g_ptr_array_index (uncommitted, i);

          if (r->value < 0)
            {
              *usage = g_strdup_printf ("Error getting ending offset of topic partition: %s-%d", r->topic, r->partition);
              return FALSE;
            }
        }
      return TRUE;
    }
  /* --to-datetime / --by-duration */
  {
    gint64 timestamp;
    g_autoptr(GPtrArray) empty = g_ptr_array_new ();

    if (o->to_datetime != NULL)
      {
        if (!parse_datetime (o->to_datetime, &timestamp))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Unparseable date: \"%s\"", o->to_datetime);
            return FALSE;
          }
      }
    else
      {
        gint64 duration;

        if (!parse_duration (o->by_duration, &duration))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Text cannot be parsed to a Duration");
            return FALSE;
          }
        timestamp = g_get_real_time () / 1000 - duration;
      }
    if (!list_offsets (cluster, rows, timestamp, error))
      return FALSE;
    for (guint i = 0; i < rows->len; i++)
      {
        PartRow *r = g_ptr_array_index (rows, i);

        if (r->value < 0)
          {
            g_print ("\nWarn: Partition %d from topic %s is empty. Falling back to latest known offset.\n",
                     r->partition, r->topic);
            g_ptr_array_add (empty, r);
          }
      }
    if (!list_offsets (cluster, empty, TS_LATEST, error))
      return FALSE;
    for (guint i = 0; i < rows->len; i++)
      {
        PartRow *r = g_ptr_array_index (rows, i);

        if (r->value < 0)
          {
            *usage = g_strdup_printf ("Error getting offset by timestamp of topic partition: %s-%d", r->topic, r->partition);
            return FALSE;
          }
      }
    return TRUE;
  }
}

typedef struct
{
  const char *group;
  GPtrArray  *rows;
} CommitData;

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
  req->group_id = caudal_arena_strdup (arena, d->group);
  req->generation_id_or_member_epoch = -1;
  req->member_id = caudal_arena_strdup (arena, "");
  req->group_instance_id = NULL;
  req->retention_time_ms = -1;
  for (guint i = 0; i < d->rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (d->rows, i);

      if (!g_ptr_array_find_with_equal_func (names, r->topic, g_str_equal, NULL))
        g_ptr_array_add (names, r->topic);
    }
  topics = caudal_message_set_array (arena, &caudal_offset_commit_request_desc, req, "topics", names->len);
  for (guint t = 0; t < names->len; t++)
    {
      guint n = 0, k = 0;
      CaudalOffsetCommitRequestOffsetCommitRequestPartition *parts;

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
          parts[k].committed_offset = r->value;
          parts[k].committed_leader_epoch = -1;
          parts[k].committed_metadata = caudal_arena_strdup (arena, "");
          k++;
        }
    }
  return req;
}

static gboolean
commit_offsets (CaudalCluster     *cluster,
                const Coordinator *coordinator,
                const char        *group,
                GPtrArray         *rows,
                GError           **error)
{
  CommitData d = { group, rows };
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalOffsetCommitResponse *body;

  if (rows->len == 0)
    return TRUE;
  resp = cli_request (cluster, coordinator->node_id, CAUDAL_API_KEY_OFFSET_COMMIT, -1,
                      build_offset_commit, &d, error);
  if (resp == NULL)
    return FALSE;
  body = resp->body;
  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      if (body->topics[t].partitions[p].error_code != CAUDAL_ERROR_CODE_NONE)
        {
          g_autofree char *text = java_exception (body->topics[t].partitions[p].error_code);
          g_set_error (error, CAUDAL_KAFKA_ERROR, body->topics[t].partitions[p].error_code, "%s", text);
          return FALSE;
        }
  return TRUE;
}

static int
do_reset (CaudalCluster  *cluster,
          GroupsOptions  *o,
          GOptionContext *context)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = selected_groups (cluster, o, &error);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gboolean dry_run = o->dry_run || !o->execute;
  int status = CLI_EXIT_OK;

  if (groups == NULL)
    goto failed;
  for (guint i = 0; i < groups->len; i++)
    {
      const char *name = g_ptr_array_index (groups, i);
      g_autoptr(GroupInfo) g = describe_group (cluster, name, &error);
      g_autoptr(GPtrArray) committed = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      g_autofree char *usage = NULL;

      if (g == NULL)
        goto failed;
      if (strcmp (g->state, "Empty") != 0 && strcmp (g->state, "Dead") != 0)
        {
          g_autofree char *msg = g_strdup_printf ("Assignments can only be reset if the group '%s' is inactive, but the current state is %s.",
                                                  name, g->state);
          print_error (msg);
          g_ptr_array_add (results, g_ptr_array_new ());
          status = CLI_EXIT_ERROR;
          continue;
        }
      committed = fetch_committed (cluster, &g->coordinator, name, &error);
      if (committed == NULL)
        goto failed;
      rows = partitions_to_reset (cluster, o, committed, &error);
      if (rows == NULL)
        goto failed;
      if (!prepare_offsets (cluster, o, rows, committed, &usage, &error))
        {
          if (usage != NULL)
            return cli_usage_error (context, usage);
          goto failed;
        }
      if (!dry_run && !commit_offsets (cluster, &g->coordinator, name, rows, &error))
        goto failed;
      for (guint r = 0; r < rows->len; r++)
        ((PartRow *) g_ptr_array_index (rows, r))->consumer_id = g_ptr_array_index (groups, i);
      g_ptr_array_add (results, g_steal_pointer (&rows));
    }
  if (results->len > 0)
    {
#define RESET_FORMAT "%-30s %-30s %-10s %-15s\n"
      g_print ("\n" RESET_FORMAT, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
      for (guint i = 0; i < results->len; i++)
        {
          GPtrArray *rows = g_ptr_array_index (results, i);

          for (guint r = 0; r < rows->len; r++)
            {
              PartRow *row = g_ptr_array_index (rows, r);
              char partition[16], offset[24];

              g_snprintf (partition, sizeof partition, "%d", row->partition);
              g_snprintf (offset, sizeof offset, "%" G_GINT64_FORMAT, row->value);
              g_print (RESET_FORMAT, row->consumer_id, row->topic, partition, offset);
            }
        }
#undef RESET_FORMAT
    }
  return status;

failed:
  {
    g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
    print_error (msg);
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
    { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, &o.bootstrap, "REQUIRED: The server(s) to connect to.", "HOST:PORT" },
    { "list", 0, 0, G_OPTION_ARG_NONE, &o.list, "List all consumer groups.", NULL },
    { "describe", 0, 0, G_OPTION_ARG_NONE, &o.describe, "Describe consumer group and list offset lag (number of messages not yet processed) related to given group.", NULL },
    { "delete", 0, 0, G_OPTION_ARG_NONE, &o.delete, "Pass in groups to delete topic partition offsets and ownership information over the entire consumer group.", NULL },
    { "reset-offsets", 0, 0, G_OPTION_ARG_NONE, &o.reset, "Reset offsets of consumer group; the group must be inactive. --dry-run (the default) or --execute.", NULL },
    { "group", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.groups, "The consumer group we wish to act on (repeatable).", "GROUP" },
    { "all-groups", 0, 0, G_OPTION_ARG_NONE, &o.all_groups, "Apply to all consumer groups.", NULL },
    { "topic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.topics, "A topic to reset, optionally with partitions: topic1:0,1,2 (repeatable).", "TOPIC" },
    { "all-topics", 0, 0, G_OPTION_ARG_NONE, &o.all_topics, "Consider all topics assigned to a group in the reset-offsets process.", NULL },
    { "members", 0, 0, G_OPTION_ARG_NONE, &o.members, "Describe members of the group.", NULL },
    { "verbose", 0, 0, G_OPTION_ARG_NONE, &o.verbose, "Provide additional information, if any, when describing the group.", NULL },
    { "offsets", 0, 0, G_OPTION_ARG_NONE, &o.offsets, "Describe the group and list all topic partitions in the group along with their offset lag (the default).", NULL },
    { "state", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer) on_state, "With --describe: the group's state. With --list: the state of all groups, optionally only these (stable,empty).", "[STATES]" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &o.dry_run, "Only show results without executing changes on Consumer Groups.", NULL },
    { "execute", 0, 0, G_OPTION_ARG_NONE, &o.execute, "Execute operation.", NULL },
    { "to-earliest", 0, 0, G_OPTION_ARG_NONE, &o.to_earliest, "Reset offsets to earliest offset.", NULL },
    { "to-latest", 0, 0, G_OPTION_ARG_NONE, &o.to_latest, "Reset offsets to latest offset.", NULL },
    { "to-current", 0, 0, G_OPTION_ARG_NONE, &o.to_current, "Reset offsets to current offset.", NULL },
    { "to-offset", 0, 0, G_OPTION_ARG_STRING, &o.to_offset, "Reset offsets to a specific offset.", "OFFSET" },
    { "shift-by", 0, 0, G_OPTION_ARG_STRING, &o.shift_by, "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.", "N" },
    { "to-datetime", 0, 0, G_OPTION_ARG_STRING, &o.to_datetime, "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", "DATETIME" },
    { "by-duration", 0, 0, G_OPTION_ARG_STRING, &o.by_duration, "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'", "DURATION" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout, "Timeout in ms (accepted; requests use 30 s).", "MS" },
    { "command-config", 0, 0, G_OPTION_ARG_FILENAME, &o.command_config, "Admin client properties (accepted; not used yet)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- list, describe, reset or delete consumer groups");
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
  g_option_context_add_main_entries (context, entries, NULL);
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
    status = cli_usage_error (context, "Unexpected argument; options start with --");
  else if (actions != 1)
    status = cli_usage_error (context, "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets");
  else if (o.bootstrap == NULL)
    status = cli_missing (context, "bootstrap-server");
  else if (o.describe && !have_group)
    status = cli_usage_error (context, "Option [describe] takes one of these options: [all-groups], [group]");
  else if (o.describe && o.members + o.offsets + o.state_given > 1)
    status = cli_usage_error (context, "Option [describe] takes at most one of these options: [members], [offsets], [state]");
  else if (o.describe && o.state_value != NULL)
    status = cli_usage_error (context, "Option [describe] does not take a value for [state]");
  else if (o.delete && !have_group)
    status = cli_usage_error (context, "Option [delete] takes one of these options: [all-groups], [group]");
  else if (o.delete && o.topics != NULL)
    status = cli_usage_error (context, "The consumer does not support topic-specific offset deletion from a consumer group.");
  else if (o.reset && o.dry_run && o.execute)
    status = cli_usage_error (context, "Option [reset-offsets] only accepts one of [execute] and [dry-run]");
  else if (o.reset && !have_group)
    status = cli_usage_error (context, "Option [reset-offsets] takes one of these options: [all-groups], [group]");
  else if (o.reset && scenarios > 1)
    status = cli_usage_error (context, "Option [reset-offsets] takes only one of these options: [to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current]");
  else if (o.reset && scenarios == 0)
    status = cli_usage_error (context, "Option '[reset-offsets]' requires one of the following scenarios: [to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current]");
  else if (o.reset && !o.all_topics && o.topics == NULL)
    status = cli_usage_error (context, "One of the reset scopes should be defined: --all-topics, --topic.");
  else if (o.to_offset != NULL && !parse_int64 (o.to_offset, &o.to_offset_n))
    status = cli_usage_error (context, "Cannot parse argument of option [to-offset]: not a number");
  else if (o.shift_by != NULL && !parse_int64 (o.shift_by, &o.shift_by_n))
    status = cli_usage_error (context, "Cannot parse argument of option [shift-by]: not a number");
  else if ((cluster = cli_cluster_new (o.bootstrap, "caudal-consumer-groups")) == NULL)
    status = CLI_EXIT_USAGE;
  else
    {
      g_autoptr(GError) error = NULL;

      if (o.reset && !o.dry_run && !o.execute)
        g_printerr ("WARN: No action will be performed as the --execute option is missing."
                    "In a future major release, the default behavior of this command will be to prompt the user before "
                    "executing the reset rather than doing a dry run. You should add the --dry-run option explicitly "
                    "if you are scripting this command and want to keep the current default behavior without prompting.\n");
      if (!cli_refresh_metadata (cluster, NULL, &error))
        {
          g_autofree char *msg = g_strdup_printf ("Executing consumer group command failed due to %s", error->message);
          print_error (msg);
          status = CLI_EXIT_ERROR;
        }
      else if (o.list)
        status = do_list (cluster, &o);
      else if (o.describe)
        status = do_describe (cluster, &o);
      else if (o.delete)
        status = do_delete (cluster, &o);
      else
        status = do_reset (cluster, &o, context);
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
