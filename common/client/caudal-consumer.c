/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-consumer.c: assignment or group membership, offset resolution,
 * fetching and commits. See caudal-consumer.h and docs/groups.md. */

#include "caudal-consumer.h"

#include <string.h>

#include "caudal-error-codes.h"
#include "caudal-record-batch.h"

#define OFFSET_RESET_NONE  (-3)
#define MAX_DECOMPRESSED   (256u * 1024 * 1024)
#define RETRY_DELAY_MS     200
#define MAX_GROUP_RETRIES  100

typedef struct
{
  char    *topic;
  gint32   partition;
  gint64   position;      /* next offset to fetch; -1: to resolve */
  gint64   reset;         /* BEGINNING, END, or a timestamp */
  gboolean by_timestamp;
  gint64   committed;     /* last offset committed, -1 if none */
} PartState;

struct _CaudalConsumer
{
  GObject        parent_instance;
  CaudalCluster *cluster;

  /* configuration */
  char    *client_id;
  char    *group_instance_id;
  gint64   auto_offset_reset;
  gboolean auto_commit;
  guint    auto_commit_interval_ms;
  guint    session_timeout_ms;
  guint    heartbeat_interval_ms;
  guint    rebalance_timeout_ms;
  GStrv    assignors;
  gint8    isolation_level;
  gint32   max_wait_ms, min_bytes, max_bytes, partition_max_bytes;

  /* what to read */
  char      *group_id;
  GStrv      topics;
  gboolean   subscribed;
  GPtrArray *parts;          /* PartState* */
  gboolean   need_metadata;

  /* group membership */
  CaudalConnection *coord;
  gboolean          coord_connecting;
  GQueue            coord_waiters;   /* GTask* waiting for the connection */
  char             *member_id;
  gint32            generation;
  gboolean          joined;
  gboolean          rejoin_needed;
  gboolean          join_in_flight;
  guint             heartbeat_id;
  gboolean          heartbeat_in_flight;
  gint64            next_auto_commit;   /* monotonic µs */
  gboolean          closed;
};

G_DEFINE_FINAL_TYPE (CaudalConsumer, caudal_consumer, G_TYPE_OBJECT)

static char *
arena_strdup0 (CaudalArena *arena,
               const char  *s)
{
  return s != NULL ? caudal_arena_strdup (arena, s) : NULL;
}

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

/* ---- object ---- */

static void
part_state_free (PartState *ps)
{
  g_free (ps->topic);
  g_free (ps);
}

static void
caudal_consumer_dispose (GObject *object)
{
  CaudalConsumer *consumer = CAUDAL_CONSUMER (object);

  g_clear_handle_id (&consumer->heartbeat_id, g_source_remove);
  if (consumer->coord != NULL)
    caudal_connection_close (consumer->coord);
  g_clear_object (&consumer->coord);
  G_OBJECT_CLASS (caudal_consumer_parent_class)->dispose (object);
}

static void
caudal_consumer_finalize (GObject *object)
{
  CaudalConsumer *consumer = CAUDAL_CONSUMER (object);

  g_clear_object (&consumer->cluster);
  g_free (consumer->client_id);
  g_free (consumer->group_instance_id);
  g_strfreev (consumer->assignors);
  g_free (consumer->group_id);
  g_strfreev (consumer->topics);
  g_ptr_array_unref (consumer->parts);
  g_free (consumer->member_id);
  G_OBJECT_CLASS (caudal_consumer_parent_class)->finalize (object);
}

static void
caudal_consumer_class_init (CaudalConsumerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = caudal_consumer_dispose;
  G_OBJECT_CLASS (klass)->finalize = caudal_consumer_finalize;
}

static void
caudal_consumer_init (CaudalConsumer *consumer)
{
  consumer->client_id = g_strdup ("caudal");
  consumer->auto_offset_reset = CAUDAL_OFFSET_END;
  consumer->auto_commit = TRUE;
  consumer->auto_commit_interval_ms = 5000;
  consumer->session_timeout_ms = 45000;
  consumer->heartbeat_interval_ms = 3000;
  consumer->rebalance_timeout_ms = 300000;
  consumer->assignors = g_strsplit (CAUDAL_ASSIGNOR_RANGE, ",", -1);
  consumer->max_wait_ms = 500;
  consumer->min_bytes = 1;
  consumer->max_bytes = 52428800;
  consumer->partition_max_bytes = 1048576;
  consumer->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_state_free);
  consumer->member_id = g_strdup ("");
  consumer->generation = -1;
  consumer->need_metadata = TRUE;
  g_queue_init (&consumer->coord_waiters);
}

CaudalConsumer *
caudal_consumer_new (CaudalCluster *cluster)
{
  CaudalConsumer *consumer = g_object_new (CAUDAL_TYPE_CONSUMER, NULL);

  g_return_val_if_fail (CAUDAL_IS_CLUSTER (cluster), NULL);
  consumer->cluster = g_object_ref (cluster);
  return consumer;
}

/* ---- configuration ---- */

static gboolean
parse_uint (const char *name,
            const char *value,
            guint64     min,
            guint64     max,
            guint64    *out,
            GError    **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_ascii_string_to_unsigned (g_strstrip ((char *) value), 10, min, max, out, &local))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid value %s for configuration %s: %s", value, name, local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_bool (const char *name,
            const char *value,
            gboolean   *out,
            GError    **error)
{
  if (g_ascii_strcasecmp (value, "true") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0)
    *out = FALSE;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid value %s for configuration %s: Expected value to be either true or false",
                   value, name);
      return FALSE;
    }
  return TRUE;
}

/* "range", "roundrobin" or Kafka's class names, in preference order. */
static gboolean
parse_assignors (const char *value,
                 GStrv      *out,
                 GError    **error)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      const char *name;

      if (*item == '\0')
        continue;
      if (strcmp (item, "org.apache.kafka.clients.consumer.RangeAssignor") == 0)
        name = CAUDAL_ASSIGNOR_RANGE;
      else if (strcmp (item, "org.apache.kafka.clients.consumer.RoundRobinAssignor") == 0)
        name = CAUDAL_ASSIGNOR_ROUNDROBIN;
      else if (caudal_assignor_is_known (item))
        name = item;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid value %s for configuration partition.assignment.strategy: "
                       "caudal implements range and roundrobin", item);
          return FALSE;
        }
      g_strv_builder_add (builder, name);
      n++;
    }
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "partition.assignment.strategy names no assignor");
      return FALSE;
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
caudal_consumer_set_config (CaudalConsumer *consumer,
                            const char     *name,
                            const char     *value,
                            GError        **error)
{
  guint64 n;

  g_return_val_if_fail (CAUDAL_IS_CONSUMER (consumer), FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  if (strcmp (name, "client.id") == 0)
    {
      g_free (consumer->client_id);
      consumer->client_id = g_strdup (value);
    }
  else if (strcmp (name, "group.id") == 0)
    {
      g_free (consumer->group_id);
      consumer->group_id = *value != '\0' ? g_strdup (value) : NULL;
    }
  else if (strcmp (name, "group.instance.id") == 0)
    {
      g_free (consumer->group_instance_id);
      consumer->group_instance_id = *value != '\0' ? g_strdup (value) : NULL;
    }
  else if (strcmp (name, "auto.offset.reset") == 0)
    {
      if (strcmp (value, "earliest") == 0)
        consumer->auto_offset_reset = CAUDAL_OFFSET_BEGINNING;
      else if (strcmp (value, "latest") == 0)
        consumer->auto_offset_reset = CAUDAL_OFFSET_END;
      else if (strcmp (value, "none") == 0)
        consumer->auto_offset_reset = OFFSET_RESET_NONE;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid value %s for configuration auto.offset.reset: "
                       "String must be one of: latest, earliest, none", value);
          return FALSE;
        }
    }
  else if (strcmp (name, "enable.auto.commit") == 0)
    return parse_bool (name, value, &consumer->auto_commit, error);
  else if (strcmp (name, "auto.commit.interval.ms") == 0)
    {
      if (!parse_uint (name, value, 0, G_MAXINT32, &n, error))
        return FALSE;
      consumer->auto_commit_interval_ms = (guint) n;
    }
  else if (strcmp (name, "session.timeout.ms") == 0)
    {
      if (!parse_uint (name, value, 1, G_MAXINT32, &n, error))
        return FALSE;
      consumer->session_timeout_ms = (guint) n;
    }
  else if (strcmp (name, "heartbeat.interval.ms") == 0)
    {
      if (!parse_uint (name, value, 1, G_MAXINT32, &n, error))
        return FALSE;
      consumer->heartbeat_interval_ms = (guint) n;
    }
  else if (strcmp (name, "max.poll.interval.ms") == 0)
    {
      if (!parse_uint (name, value, 1, G_MAXINT32 - 5000, &n, error))
        return FALSE;
      consumer->rebalance_timeout_ms = (guint) n;
    }
  else if (strcmp (name, "partition.assignment.strategy") == 0)
    {
      GStrv list;
      if (!parse_assignors (value, &list, error))
        return FALSE;
      g_strfreev (consumer->assignors);
      consumer->assignors = list;
    }
  else if (strcmp (name, "isolation.level") == 0)
    {
      if (strcmp (value, "read_uncommitted") == 0)
        consumer->isolation_level = 0;
      else if (strcmp (value, "read_committed") == 0)
        consumer->isolation_level = 1;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid value %s for configuration isolation.level: "
                       "String must be one of: read_committed, read_uncommitted", value);
          return FALSE;
        }
    }
  else if (strcmp (name, "fetch.max.wait.ms") == 0)
    {
      if (!parse_uint (name, value, 0, G_MAXINT32, &n, error))
        return FALSE;
      consumer->max_wait_ms = (gint32) n;
    }
  else if (strcmp (name, "fetch.min.bytes") == 0)
    {
      if (!parse_uint (name, value, 0, G_MAXINT32, &n, error))
        return FALSE;
      consumer->min_bytes = (gint32) n;
    }
  else if (strcmp (name, "fetch.max.bytes") == 0)
    {
      if (!parse_uint (name, value, 0, G_MAXINT32, &n, error))
        return FALSE;
      consumer->max_bytes = (gint32) n;
    }
  else if (strcmp (name, "max.partition.fetch.bytes") == 0)
    {
      if (!parse_uint (name, value, 0, G_MAXINT32, &n, error))
        return FALSE;
      consumer->partition_max_bytes = (gint32) n;
    }
  /* Anything else: accepted and ignored, as Kafka only logs a warning. */
  return TRUE;
}

/* ---- assignment ---- */

static PartState *
lookup_part (CaudalConsumer *consumer,
             const char     *topic,
             gint32          partition)
{
  for (guint i = 0; i < consumer->parts->len; i++)
    {
      PartState *ps = g_ptr_array_index (consumer->parts, i);
      if (ps->partition == partition && strcmp (ps->topic, topic) == 0)
        return ps;
    }
  return NULL;
}

static gint
compare_parts (gconstpointer a,
               gconstpointer b)
{
  const PartState *x = *(PartState *const *) a, *y = *(PartState *const *) b;
  int c = strcmp (x->topic, y->topic);

  return c != 0 ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

static PartState *
add_part (CaudalConsumer *consumer,
          const char     *topic,
          gint32          partition)
{
  PartState *ps = lookup_part (consumer, topic, partition);

  if (ps == NULL)
    {
      ps = g_new0 (PartState, 1);
      ps->topic = g_strdup (topic);
      ps->partition = partition;
      g_ptr_array_add (consumer->parts, ps);
      g_ptr_array_sort (consumer->parts, compare_parts);
    }
  ps->position = -1;
  ps->committed = -1;
  ps->by_timestamp = FALSE;
  ps->reset = consumer->auto_offset_reset;
  consumer->need_metadata = TRUE;
  return ps;
}

void
caudal_consumer_assign (CaudalConsumer *consumer,
                        const char     *topic,
                        gint32          partition,
                        gint64          start)
{
  PartState *ps;

  g_return_if_fail (CAUDAL_IS_CONSUMER (consumer));
  consumer->subscribed = FALSE;
  ps = add_part (consumer, topic, partition);
  if (start >= 0)
    ps->position = start;
  else
    ps->reset = start;
}

void
caudal_consumer_assign_by_timestamp (CaudalConsumer *consumer,
                                     const char     *topic,
                                     gint32          partition,
                                     gint64          timestamp_ms)
{
  PartState *ps;

  g_return_if_fail (CAUDAL_IS_CONSUMER (consumer));
  consumer->subscribed = FALSE;
  ps = add_part (consumer, topic, partition);
  ps->reset = timestamp_ms;
  ps->by_timestamp = TRUE;
}

gboolean
caudal_consumer_seek (CaudalConsumer *consumer,
                      const char     *topic,
                      gint32          partition,
                      gint64          offset)
{
  PartState *ps = lookup_part (consumer, topic, partition);

  if (ps == NULL)
    return FALSE;
  if (offset >= 0)
    ps->position = offset;
  else
    {
      ps->position = -1;
      ps->reset = offset;
      ps->by_timestamp = FALSE;
    }
  return TRUE;
}

void
caudal_consumer_subscribe (CaudalConsumer    *consumer,
                           const char        *group_id,
                           const char *const *topics)
{
  g_return_if_fail (CAUDAL_IS_CONSUMER (consumer));
  g_return_if_fail (group_id != NULL && topics != NULL);
  g_free (consumer->group_id);
  consumer->group_id = g_strdup (group_id);
  g_strfreev (consumer->topics);
  consumer->topics = g_strdupv ((GStrv) topics);
  consumer->subscribed = TRUE;
  consumer->rejoin_needed = TRUE;
  g_ptr_array_set_size (consumer->parts, 0);
}

GPtrArray *
caudal_consumer_get_assignment (CaudalConsumer *consumer)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free);
  CaudalTopicPartitions *tp = NULL;

  for (guint i = 0; i < consumer->parts->len; i++)
    {
      PartState *ps = g_ptr_array_index (consumer->parts, i);
      if (tp == NULL || strcmp (tp->topic, ps->topic) != 0)
        {
          tp = caudal_topic_partitions_new (ps->topic);
          g_ptr_array_add (out, tp);
        }
      g_array_append_val (tp->partitions, ps->partition);
    }
  return out;
}

const char *
caudal_consumer_get_member_id (CaudalConsumer *consumer)
{
  return consumer->member_id;
}

gint32
caudal_consumer_get_generation (CaudalConsumer *consumer)
{
  return consumer->generation;
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
        ps = lookup_part (consumer, body->topics[t].name, body->topics[t].partitions[p].partition_index);
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
  op->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_state_free);
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

static void
on_auto_commit (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_commit_finish (CAUDAL_CONSUMER (source), result, &error))
    g_debug ("auto-commit failed: %s", error->message);
}

/* ---- Heartbeat ---- */

typedef struct
{
  char  *group_id;
  char  *member_id;
  char  *instance_id;
  gint32 generation;
} GroupIdentity;

static void
group_identity_free (GroupIdentity *g)
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
  group_identity_free (g);
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

/* ---- poll: the operation ---- */

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

typedef struct
{
  GPtrArray    *messages;
  GCancellable *cancellable;
  gulong        cancel_id;
  gboolean      done;
  guint         pending;
  GError       *error;
  guint         retries;
  guint         rounds;
  /* joining */
  GBytes       *subscription;
  GPtrArray    *sync_assignments;   /* (member id, GBytes) pairs, flattened */
  GroupIdentity *identity;
  GPtrArray    *fetch_parts;        /* PartState* for OffsetFetch */
} PollOp;

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

static void
poll_op_free (PollOp *op)
{
  if (op->cancel_id != 0)
    g_cancellable_disconnect (op->cancellable, op->cancel_id);
  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->messages, g_ptr_array_unref);
  g_clear_error (&op->error);
  g_clear_pointer (&op->subscription, g_bytes_unref);
  g_clear_pointer (&op->sync_assignments, g_ptr_array_unref);
  g_clear_pointer (&op->identity, group_identity_free);
  g_clear_pointer (&op->fetch_parts, g_ptr_array_unref);
  g_free (op);
}

/* Completes the poll (once); FALSE if it already was (cancelled). */
static gboolean
poll_is_done (GTask *task)
{
  PollOp *op = g_task_get_task_data (task);

  return op->done;
}

static void
poll_fail (GTask  *task,
           GError *error)
{
  PollOp *op = g_task_get_task_data (task);

  if (op->done)
    {
      g_error_free (error);
      return;
    }
  op->done = TRUE;
  g_task_return_error (task, error);
}

static void
poll_succeed (GTask *task)
{
  PollOp *op = g_task_get_task_data (task);

  if (op->done)
    return;
  op->done = TRUE;
  g_task_return_pointer (task, g_steal_pointer (&op->messages), (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
poll_cancel_idle (gpointer user_data)
{
  GTask *task = user_data;

  poll_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
on_poll_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, poll_cancel_idle, g_object_ref (user_data), g_object_unref);
}

static void step_group (GTask *task);
static void step_positions (GTask *task);
static void step_fetch (GTask *task);
static void join_send (GTask *task);

static gboolean
retry_later_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!poll_is_done (task))
    step_group (task);
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
      poll_fail (task, error);
      return;
    }
  g_debug ("group: %s; retrying", error->message);
  g_error_free (error);
  g_timeout_add_full (G_PRIORITY_DEFAULT, RETRY_DELAY_MS, retry_later_cb, g_object_ref (task), g_object_unref);
}

/* ---- joining: JoinGroup, SyncGroup, OffsetFetch ---- */

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
  step_positions (task);
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

  if (poll_is_done (task))
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
                PartState *ps = lookup_part (consumer, body->groups[0].topics[t].name, pp->partition_index);
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
            PartState *ps = lookup_part (consumer, body->topics[t].name, pp->partition_index);
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
      poll_fail (task, error);
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
  if (poll_is_done (task))
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
        poll_fail (task, error);
      return;
    }
  assignment = caudal_consumer_protocol_decode_assignment (body->assignment.data,
                                                           body->assignment.len > 0 ? (gsize) body->assignment.len : 0,
                                                           NULL, &error);
  if (assignment == NULL)
    {
      g_prefix_error (&error, "bad assignment from the group leader: ");
      poll_fail (task, error);
      return;
    }
  g_ptr_array_set_size (consumer->parts, 0);
  for (guint i = 0; i < assignment->len; i++)
    {
      CaudalTopicPartitions *tp = g_ptr_array_index (assignment, i);
      for (guint p = 0; p < tp->partitions->len; p++)
        add_part (consumer, tp->topic, g_array_index (tp->partitions, gint32, p));
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

  if (poll_is_done (task))
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
      poll_fail (task, error);
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
  if (poll_is_done (task))
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
        poll_fail (task, error);
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
          poll_fail (task, error);
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
  if (poll_is_done (task))
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

  if (poll_is_done (task))
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
static void
step_group (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);

  if (!consumer->subscribed || (consumer->joined && !consumer->rejoin_needed))
    {
      step_positions (task);
      return;
    }
  ensure_coordinator_async (consumer, on_group_coordinator, g_object_ref (task));
}

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

  if (--op->pending > 0 || poll_is_done (task))
    return;
  if (op->error != NULL)
    {
      poll_fail (task, g_steal_pointer (&op->error));
      return;
    }
  step_positions (task);
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
            PartState *ps = lookup_part (consumer, body->topics[t].name, pp->partition_index);

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

  if (poll_is_done (task))
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
      poll_fail (task, g_steal_pointer (&error));
      return;
    }
  consumer->need_metadata = FALSE;
  step_positions (task);
}

/* Metadata for the assigned topics, then the offsets to start from. */
static void
step_positions (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) requests = NULL;

  if (poll_is_done (task))
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
          poll_fail (task, g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_NOT_FOUND,
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

  if (--op->pending > 0 || poll_is_done (task))
    return;
  if (op->error != NULL && op->messages->len == 0)
    {
      poll_fail (task, g_steal_pointer (&op->error));
      return;
    }
  poll_succeed (task);
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

  if (resp == NULL || poll_is_done (task))
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
        PartState *ps = lookup_part (consumer, body->responses[t].topic, pd->partition_index);
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
  poll_succeed (user_data);
  return G_SOURCE_REMOVE;
}

static void
step_fetch (GTask *task)
{
  CaudalConsumer *consumer = g_task_get_source_object (task);
  PollOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) requests = NULL;

  if (poll_is_done (task))
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

void
caudal_consumer_poll_async (CaudalConsumer     *consumer,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (consumer, cancellable, callback, user_data);
  PollOp *op = g_new0 (PollOp, 1);

  g_return_if_fail (CAUDAL_IS_CONSUMER (consumer));
  g_task_set_source_tag (task, caudal_consumer_poll_async);
  op->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_message_free);
  g_task_set_task_data (task, op, (GDestroyNotify) poll_op_free);
  if (consumer->closed)
    {
      poll_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "the consumer is closed"));
      return;
    }
  if (cancellable != NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          poll_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
          return;
        }
      op->cancellable = g_object_ref (cancellable);
      /* The handler holds no reference: it is disconnected when the op
       * goes, before the task is finalized. */
      op->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_poll_cancelled), task, NULL);
    }
  step_group (task);
}

GPtrArray *
caudal_consumer_poll_finish (CaudalConsumer *consumer,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, consumer), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
  g_task_set_task_data (task, group_identity_new (consumer), (GDestroyNotify) group_identity_free);
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
