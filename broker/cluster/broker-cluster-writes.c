/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-writes.c: the ZooKeeper writes any broker makes for an
 * admin request (CreateTopics, DeleteTopics, CreatePartitions, the config
 * APIs) and a partition leader's ISR change, each completing once this
 * broker's own view shows the result — so the client that asked sees it
 * in the next Metadata from the same broker. */

#include "broker-cluster-private.h"

#include <string.h>

#include "broker-meta-store.h"
#include "caudal-error-codes.h"

typedef enum
{
  WAIT_TOPIC_READY,   /* listed, n_partitions, every state present */
  WAIT_TOPIC_GONE,
  WAIT_CONFIG,        /* configs read at config_version or later */
} WaitKind;

typedef struct
{
  BrokerCluster     *cluster;
  WaitKind           kind;
  char              *name;
  gint32             n_partitions;
  gint32             config_version;
  BrokerClusterDone  done;
  gpointer           user_data;
  guint              timeout_id;
} ClusterWaiter;

/* One write in flight. */
typedef struct
{
  BrokerCluster     *cluster;
  char              *name;
  BrokerClusterDone  done;
  gpointer           user_data;
  gint32             timeout_ms;
  GPtrArray         *new_assignments;   /* add_partitions */
  GHashTable        *configs;           /* set_topic_configs */
  guint              attempts;
  zoo_op_t           ops[2];
  zoo_op_result_t    results[2];
  char              *paths[2];
  char              *data[2];
  struct Stat        stat;
} Write;

static void
waiter_free (ClusterWaiter *w)
{
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  g_free (w->name);
  g_free (w);
}

static Write *
write_new (BrokerCluster     *c,
           const char        *name,
           BrokerClusterDone  done,
           gpointer           user_data)
{
  Write *w = g_new0 (Write, 1);

  w->cluster = c;
  w->name = g_strdup (name);
  w->done = done;
  w->user_data = user_data;
  return w;
}

static void
write_free (Write *w)
{
  g_free (w->name);
  g_clear_pointer (&w->new_assignments, g_ptr_array_unref);
  g_clear_pointer (&w->configs, g_hash_table_unref);
  for (int i = 0; i < 2; i++)
    {
      g_free (w->paths[i]);
      g_free (w->data[i]);
    }
  g_free (w);
}

/* Completes @w with @code (NONE: done) and frees it. */
static void
write_finish (Write      *w,
            gint16      code,
            const char *message)
{
  w->done (code, message, w->user_data);
  write_free (w);
}

/* A write whose outcome is unknown (the connection went with it) is
 * reported as a timeout, as Kafka reports a controller that did not
 * answer in time: the client re-reads to learn the outcome. */
static void
write_fail_rc (Write      *w,
               int         rc,
               const char *what)
{
  g_autofree char *message = g_strdup_printf ("%s %s: %s", what, w->name, zerror (rc));

  if (broker_cluster_is_connection_error (rc))
    write_finish (w, CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT, message);
  else
    write_finish (w, CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR, message);
}

/* An answer that came from closing the handle: when the broker stops,
 * dropped with it; when an expired session is replaced, the outcome is
 * unknown, which the client hears as a timeout. */
static gboolean
write_closing (Write *w)
{
  if (!w->cluster->closing)
    return FALSE;
  if (w->cluster->freeing)
    write_free (w);
  else
    write_finish (w, CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT,
                  "The ZooKeeper session ended before the write was confirmed.");
  return TRUE;
}

/* -- waiting for the view -------------------------------------------------- */

static gboolean
waiter_satisfied (BrokerCluster *c,
                  ClusterWaiter *w)
{
  const BrokerClusterTopic *t = broker_cluster_lookup_topic (c, w->name);

  switch (w->kind)
    {
    case WAIT_TOPIC_GONE:
      return t == NULL;
    case WAIT_CONFIG:
      return t != NULL && ((ClusterTopic *) t)->config_version >= w->config_version;
    case WAIT_TOPIC_READY:
      if (t == NULL || !((ClusterTopic *) t)->config_read || (gint32) t->partitions->len < w->n_partitions)
        return FALSE;
      for (guint i = 0; i < t->partitions->len; i++)
        if (((BrokerClusterPartition *) g_ptr_array_index (t->partitions, i))->state_version < 0)
          return FALSE;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

void
broker_cluster_writes_check (BrokerCluster *c)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);

  for (guint i = 0; i < c->waiters->len;)
    {
      ClusterWaiter *w = g_ptr_array_index (c->waiters, i);

      if (waiter_satisfied (c, w))
        g_ptr_array_add (ready, g_ptr_array_steal_index (c->waiters, i));
      else
        i++;
    }
  /* Called after the waiters are out: a completion may start a write. */
  for (guint i = 0; i < ready->len; i++)
    {
      ClusterWaiter *w = g_ptr_array_index (ready, i);
      w->done (CAUDAL_ERROR_CODE_NONE, NULL, w->user_data);
    }
}

void
broker_cluster_writes_clear (BrokerCluster *c)
{
  /* Only at free: the requests waiting are being torn down with the
   * broker, so no one is told. */
  while (c->waiters->len > 0)
    waiter_free (g_ptr_array_steal_index (c->waiters, c->waiters->len - 1));
}

static gboolean
on_waiter_timeout (gpointer user_data)
{
  ClusterWaiter *w = user_data;
  BrokerCluster *c = w->cluster;
  g_autofree char *message = NULL;

  w->timeout_id = 0;
  message = g_strdup_printf ("Timed out waiting for the cluster to %s topic %s; it continues.",
                             w->kind == WAIT_TOPIC_GONE ? "delete" : "set up", w->name);
  g_ptr_array_remove (c->waiters, w);
  w->done (CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT, message, w->user_data);
  waiter_free (w);
  return G_SOURCE_REMOVE;
}

/* Completes @wr (freed) once the view shows the result. A @timeout_ms
 * of 0 or less answers at once, as Kafka's CreateTopics does: the
 * request then only starts the change. */
static void
wait_for_view (Write   *wr,
               WaitKind kind,
               gint32   n_partitions,
               gint32   config_version)
{
  BrokerCluster *c = wr->cluster;
  ClusterWaiter *w;

  if (kind != WAIT_CONFIG && wr->timeout_ms <= 0)
    {
      write_finish (wr, CAUDAL_ERROR_CODE_NONE, NULL);
      return;
    }
  w = g_new0 (ClusterWaiter, 1);
  w->cluster = c;
  w->kind = kind;
  w->name = g_strdup (wr->name);
  w->n_partitions = n_partitions;
  w->config_version = config_version;
  w->done = wr->done;
  w->user_data = wr->user_data;
  if (kind != WAIT_CONFIG)
    w->timeout_id = g_timeout_add ((guint) wr->timeout_ms, on_waiter_timeout, w);
  write_free (wr);
  if (waiter_satisfied (c, w))
    {
      w->done (CAUDAL_ERROR_CODE_NONE, NULL, w->user_data);
      waiter_free (w);
      return;
    }
  g_ptr_array_add (c->waiters, w);
}

/* -- create_topic ------------------------------------------------------------ */

static void submit_create (Write *w, gboolean config_exists);

static void
on_topic_created (int         rc,
                  const void *data)
{
  Write *w = (Write *) data;

  if (write_closing (w))
    return;
  if (rc == ZOK)
    {
      wait_for_view (w, WAIT_TOPIC_READY, (gint32) w->new_assignments->len, -1);
      return;
    }
  if (rc == ZNODEEXISTS && w->results[1].err == ZNODEEXISTS)
    {
      g_autofree char *message = g_strdup_printf ("Topic '%s' already exists.", w->name);
      write_finish (w, CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS, message);
      return;
    }
  if (rc == ZNODEEXISTS && w->results[0].err == ZNODEEXISTS && w->attempts++ == 0)
    {
      /* Configs left by a topic whose deletion stopped half way: Kafka
       * overwrites them too (AdminZkClient.createTopicWithAssignment). */
      submit_create (w, TRUE);
      return;
    }
  write_fail_rc (w, rc, "cannot create topic");
}

static void
submit_create (Write   *w,
               gboolean config_exists)
{
  BrokerCluster *c = w->cluster;

  w->results[0].err = ZOK;
  w->results[1].err = ZOK;
  if (config_exists)
    zoo_set_op_init (&w->ops[0], w->paths[0], w->data[0], (int) strlen (w->data[0]), -1, NULL);
  else
    zoo_create_op_init (&w->ops[0], w->paths[0], w->data[0], (int) strlen (w->data[0]),
                        &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
  zoo_create_op_init (&w->ops[1], w->paths[1], w->data[1], (int) strlen (w->data[1]),
                      &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
  if (zoo_amulti (c->zh, 2, w->ops, w->results, on_topic_created, w) != ZOK)
    write_fail_rc (w, ZCONNECTIONLOSS, "cannot create topic");
}

void
broker_cluster_create_topic (BrokerCluster     *c,
                             const char        *name,
                             GPtrArray         *assignments,
                             GHashTable        *configs,
                             gint32             timeout_ms,
                             BrokerClusterDone  done,
                             gpointer           user_data)
{
  Write *w;
  CaudalUuid id;
  g_autofree char *config_rel = g_strconcat ("/config/topics/", name, NULL);
  g_autofree char *topic_rel = g_strconcat ("/brokers/topics/", name, NULL);

  g_return_if_fail (c != NULL && name != NULL && assignments != NULL && done != NULL);
  /* Kafka's AdminZkClient.validateTopicCreate: until the controller has
   * removed the marker, the old topic's znodes may still be deleted. */
  if (g_hash_table_contains (c->deleting, name))
    {
      g_autofree char *message = g_strdup_printf ("Topic '%s' is marked for deletion.", name);
      done (CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS, message, user_data);
      return;
    }
  w = write_new (c, name, done, user_data);
  w->timeout_ms = timeout_ms;
  w->new_assignments = g_ptr_array_ref (assignments);
  broker_uuid_generate (&id);
  w->paths[0] = broker_cluster_zpath (c, config_rel);
  w->paths[1] = broker_cluster_zpath (c, topic_rel);
  w->data[0] = broker_cluster_config_json (configs);
  w->data[1] = broker_cluster_assignment_json (&id, assignments);
  /* Configs first, as Kafka writes them: a broker that sees the topic
   * also sees its configs. One multi, so neither exists alone. */
  submit_create (w, FALSE);
}

/* -- delete_topic ------------------------------------------------------------- */

static void
on_deletion_marked (int         rc,
                    const char *value,
                    const void *data)
{
  Write *w = (Write *) data;

  if (write_closing (w))
    return;
  /* NODEEXISTS: already queued for deletion; wait like the first. */
  if (rc == ZOK || rc == ZNODEEXISTS)
    wait_for_view (w, WAIT_TOPIC_GONE, 0, -1);
  else
    write_fail_rc (w, rc, "cannot queue the deletion of topic");
}

void
broker_cluster_delete_topic (BrokerCluster     *c,
                             const char        *name,
                             gint32             timeout_ms,
                             BrokerClusterDone  done,
                             gpointer           user_data)
{
  Write *w;
  g_autofree char *rel = g_strconcat ("/admin/delete_topics/", name, NULL);

  g_return_if_fail (c != NULL && name != NULL && done != NULL);
  w = write_new (c, name, done, user_data);
  w->timeout_ms = timeout_ms;
  w->paths[0] = broker_cluster_zpath (c, rel);
  if (zoo_acreate (c->zh, w->paths[0], NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT,
                   on_deletion_marked, w) != ZOK)
    write_fail_rc (w, ZCONNECTIONLOSS, "cannot queue the deletion of topic");
}

/* -- add_partitions ------------------------------------------------------------- */

static void read_for_add (Write *w);

static void
on_partitions_added (int               rc,
                     const struct Stat *stat,
                     const void       *data)
{
  Write *w = (Write *) data;

  if (write_closing (w))
    return;
  if (rc == ZOK)
    {
      g_autoptr(JsonNode) root = broker_cluster_parse_json (w->data[0], (int) strlen (w->data[0]));
      JsonObject *parts = json_object_get_object_member (json_node_get_object (root), "partitions");

      wait_for_view (w, WAIT_TOPIC_READY, (gint32) json_object_get_size (parts), -1);
      return;
    }
  /* Someone else changed the assignment since our read: read again. */
  if (rc == ZBADVERSION && w->attempts++ < 5)
    {
      read_for_add (w);
      return;
    }
  if (rc == ZNONODE)
    {
      write_finish (w, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, NULL);
      return;
    }
  write_fail_rc (w, rc, "cannot add partitions to topic");
}

static void
on_assignment_for_add (int               rc,
                       const char       *value,
                       int               value_len,
                       const struct Stat *stat,
                       const void       *data)
{
  Write *w = (Write *) data;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *parts;
  guint n;

  if (write_closing (w))
    return;
  if (rc == ZNONODE)
    {
      write_finish (w, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, NULL);
      return;
    }
  if (rc != ZOK)
    {
      write_fail_rc (w, rc, "cannot read the assignment of topic");
      return;
    }
  root = broker_cluster_parse_json (value, value_len);
  if (root == NULL || !json_object_has_member (json_node_get_object (root), "partitions")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "partitions")))
    {
      write_finish (w, CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR, "The topic's assignment is unreadable.");
      return;
    }
  /* Everything else in the znode (topic_id, the reassignment fields)
   * stays as read: only partitions are added. */
  parts = json_object_get_object_member (json_node_get_object (root), "partitions");
  n = json_object_get_size (parts);
  for (guint i = 0; i < w->new_assignments->len; i++)
    {
      GArray *replicas = g_ptr_array_index (w->new_assignments, i);
      JsonArray *arr = json_array_new ();
      g_autofree char *key = g_strdup_printf ("%u", n + i);

      for (guint j = 0; j < replicas->len; j++)
        json_array_add_int_element (arr, g_array_index (replicas, gint32, j));
      json_object_set_array_member (parts, key, arr);
    }
  g_free (w->data[0]);
  w->data[0] = json_to_string (root, FALSE);
  if (zoo_aset (w->cluster->zh, w->paths[0], w->data[0], (int) strlen (w->data[0]), stat->version,
                on_partitions_added, w) != ZOK)
    write_fail_rc (w, ZCONNECTIONLOSS, "cannot add partitions to topic");
}

static void
read_for_add (Write *w)
{
  if (zoo_aget (w->cluster->zh, w->paths[0], 0, on_assignment_for_add, w) != ZOK)
    write_fail_rc (w, ZCONNECTIONLOSS, "cannot read the assignment of topic");
}

void
broker_cluster_add_partitions (BrokerCluster     *c,
                               const char        *name,
                               GPtrArray         *new_assignments,
                               gint32             timeout_ms,
                               BrokerClusterDone  done,
                               gpointer           user_data)
{
  Write *w;
  g_autofree char *rel = g_strconcat ("/brokers/topics/", name, NULL);

  g_return_if_fail (c != NULL && name != NULL && new_assignments != NULL && done != NULL);
  w = write_new (c, name, done, user_data);
  w->timeout_ms = timeout_ms;
  w->new_assignments = g_ptr_array_ref (new_assignments);
  w->paths[0] = broker_cluster_zpath (c, rel);
  /* A fresh read rather than the cache: the set below is conditional on
   * the version it returns. */
  read_for_add (w);
}

/* -- set_topic_configs ------------------------------------------------------------ */

static void
on_configs_created (int         rc,
                    const char *value,
                    const void *data)
{
  Write *w = (Write *) data;

  if (write_closing (w))
    return;
  if (rc == ZOK)
    wait_for_view (w, WAIT_CONFIG, 0, 0);
  else
    write_fail_rc (w, rc, "cannot write the configs of topic");
}

static void
on_configs_set (int               rc,
                const struct Stat *stat,
                const void       *data)
{
  Write *w = (Write *) data;

  if (write_closing (w))
    return;
  if (rc == ZOK)
    wait_for_view (w, WAIT_CONFIG, 0, stat->version);
  else if (rc == ZNONODE)
    {
      if (zoo_acreate (w->cluster->zh, w->paths[0], w->data[0], (int) strlen (w->data[0]),
                       &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, on_configs_created, w) != ZOK)
        write_fail_rc (w, ZCONNECTIONLOSS, "cannot write the configs of topic");
    }
  else
    write_fail_rc (w, rc, "cannot write the configs of topic");
}

void
broker_cluster_set_topic_configs (BrokerCluster     *c,
                                  const char        *name,
                                  GHashTable        *configs,
                                  BrokerClusterDone  done,
                                  gpointer           user_data)
{
  Write *w;
  g_autofree char *rel = g_strconcat ("/config/topics/", name, NULL);

  g_return_if_fail (c != NULL && name != NULL && done != NULL);
  w = write_new (c, name, done, user_data);
  w->paths[0] = broker_cluster_zpath (c, rel);
  w->data[0] = broker_cluster_config_json (configs);
  /* Unconditional, as Kafka's config entity writes are; no
   * /config/changes notification: every broker watches this znode. */
  if (zoo_aset (c->zh, w->paths[0], w->data[0], (int) strlen (w->data[0]), -1, on_configs_set, w) != ZOK)
    write_fail_rc (w, ZCONNECTIONLOSS, "cannot write the configs of topic");
}

/* -- update_isr --------------------------------------------------------------------- */

static void
on_isr_set (int               rc,
            const struct Stat *stat,
            const void       *data)
{
  Write *w = (Write *) data;

  if (write_closing (w))
    return;
  switch (rc)
    {
    case ZOK:
      write_finish (w, CAUDAL_ERROR_CODE_NONE, NULL);
      break;
    case ZBADVERSION:
      /* Kafka: "Cached zkVersion not equal to that in zookeeper, skip
       * updating ISR"; the watch brings the state that won. */
      write_finish (w, CAUDAL_ERROR_CODE_INVALID_UPDATE_VERSION,
                  "The partition state changed since it was read.");
      break;
    case ZNONODE:
      write_finish (w, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, NULL);
      break;
    default:
      write_fail_rc (w, rc, "cannot update the ISR of");
    }
}

void
broker_cluster_update_isr (BrokerCluster     *c,
                           const char        *topic,
                           gint32             partition,
                           gint32             leader_epoch,
                           GArray            *isr,
                           gint32             expected_version,
                           BrokerClusterDone  done,
                           gpointer           user_data)
{
  const BrokerClusterPartition *p;
  g_autofree char *rel = NULL;
  Write *w;

  g_return_if_fail (c != NULL && topic != NULL && isr != NULL && done != NULL);
  p = broker_cluster_lookup_partition (c, topic, partition);
  if (p == NULL)
    {
      done (CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, NULL, user_data);
      return;
    }
  /* Only the leader of this epoch changes its ISR, and only while its
   * session holds (a broker that lost it may have been replaced). */
  if (p->leader != c->id || p->leader_epoch != leader_epoch || !c->registered)
    {
      done (CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER,
            "This broker is not the partition's leader in that leader epoch.", user_data);
      return;
    }
  rel = g_strdup_printf ("/brokers/topics/%s/partitions/%d/state", topic, partition);
  w = write_new (c, topic, done, user_data);
  w->paths[0] = broker_cluster_zpath (c, rel);
  /* The controller epoch stays that of the last controller write, as
   * Kafka's leader keeps it in its ISR updates. */
  w->data[0] = broker_cluster_state_json (p->leader, p->leader_epoch, isr, p->controller_epoch);
  if (zoo_aset (c->zh, w->paths[0], w->data[0], (int) strlen (w->data[0]), expected_version,
                on_isr_set, w) != ZOK)
    write_fail_rc (w, ZCONNECTIONLOSS, "cannot update the ISR of");
}
