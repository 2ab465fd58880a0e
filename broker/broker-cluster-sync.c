/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-sync.c: makes this broker's logs and replica roles follow
 * the cluster's view in ZooKeeper (docs/cluster.md, "Replication").
 *
 * ZooKeeper is the truth for which topics exist, their ids, partition
 * counts and configs; the local meta store only remembers which logs to
 * open at the next start. A topic in the view gets local logs; a topic
 * gone from the view, or whose id changed (deleted and made again while
 * we were away), loses them. Each partition's state (leader, epoch, ISR)
 * goes to its BrokerReplica, and a follower's partition to the fetcher of
 * its leader. */

#include "broker-cluster-sync.h"

#include <string.h>

#include "broker-cluster.h"
#include "broker-group-failover.h"
#include "broker-group-store.h"
#include "broker-replica.h"
#include "broker-replica-fetcher.h"
#include "broker-topics.h"

struct _BrokerClusterSync
{
  Broker                *broker;
  BrokerReplicaFetchers *fetchers;
  guint                  isr_timer_id;
  guint                  checkpoint_timer_id;
};

static gboolean
same_configs (GHashTable *a,
              GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if ((a != NULL ? g_hash_table_size (a) : 0) != (b != NULL ? g_hash_table_size (b) : 0))
    return FALSE;
  if (a == NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (b == NULL || g_strcmp0 (g_hash_table_lookup (b, key), value) != 0)
      return FALSE;
  return TRUE;
}

static void
drop_local_topic (BrokerClusterSync *sync,
                  BrokerTopic       *topic,
                  const char        *why)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (topic->name);

  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);

      broker_replica_fetchers_follow (sync->fetchers, name, (gint32) i, -1);
      if (part->replica != NULL && strcmp (name, BROKER_GROUP_STORE_TOPIC) == 0
          && broker_replica_get_role (part->replica) == BROKER_REPLICA_LEADER)
        broker_group_failover_role_changed (sync->broker, (gint32) i, BROKER_REPLICA_LEADER,
                                            BROKER_REPLICA_NONE);
    }
  if (!broker_topics_delete (sync->broker->topics, topic, &error))
    g_warning ("removing the logs of topic %s: %s", name, error->message);
  else
    g_message ("removed the logs of topic %s (%s)", name, why);
}

static void
apply_partition (BrokerClusterSync            *sync,
                 BrokerTopic                  *topic,
                 const BrokerClusterPartition *cp)
{
  BrokerPartition *part;
  BrokerReplicaRole old_role, new_role;
  gint32 leader;

  if (cp->partition < 0 || (guint) cp->partition >= topic->partitions->len)
    return;
  part = g_ptr_array_index (topic->partitions, cp->partition);
  if (part->replica == NULL)
    part->replica = broker_replica_new (sync->broker, topic, part);
  old_role = broker_replica_get_role (part->replica);
  broker_replica_apply_state (part->replica, cp->state_version >= 0 ? cp->leader : -1,
                              cp->leader_epoch, cp->replicas, cp->isr, cp->state_version);
  new_role = broker_replica_get_role (part->replica);
  leader = new_role == BROKER_REPLICA_FOLLOWER ? broker_replica_get_leader (part->replica) : -1;
  broker_replica_fetchers_follow (sync->fetchers, topic->name, cp->partition, leader);
  /* Group coordinators follow the leadership of their partition. */
  if (new_role != old_role && strcmp (topic->name, BROKER_GROUP_STORE_TOPIC) == 0)
    broker_group_failover_role_changed (sync->broker, cp->partition, old_role, new_role);
}

static void
on_topic_changed (gpointer                  user_data,
                  const BrokerClusterTopic *ct)
{
  BrokerClusterSync *sync = user_data;
  Broker *broker = sync->broker;
  BrokerTopic *topic = broker_topics_lookup (broker->topics, ct->name);
  g_autoptr(GError) error = NULL;
  gint32 n = (gint32) ct->partitions->len;

  if (n == 0)
    return;
  if (topic != NULL && memcmp (&topic->id, &ct->id, sizeof ct->id) != 0)
    {
      drop_local_topic (sync, topic, "made again with a new id");
      topic = NULL;
    }
  if (topic == NULL)
    {
      topic = broker_topics_create_with_id (broker->topics, ct->name, &ct->id, n, ct->configs, &error);
      if (topic == NULL)
        {
          g_warning ("topic %s: cannot create its logs: %s", ct->name, error->message);
          return;
        }
    }
  else if ((gint32) topic->partitions->len < n
           && !broker_topics_add_partitions (broker->topics, topic, n, &error))
    {
      g_warning ("topic %s: cannot add partitions: %s", ct->name, error->message);
      return;
    }
  if (!same_configs (topic->configs, ct->configs)
      && !broker_topics_set_configs (broker->topics, topic, ct->configs, &error))
    g_warning ("topic %s: cannot apply its configs: %s", ct->name, error->message);
  for (guint i = 0; i < ct->partitions->len; i++)
    apply_partition (sync, topic, g_ptr_array_index (ct->partitions, i));
}

static void
on_topic_removed (gpointer    user_data,
                  const char *name)
{
  BrokerClusterSync *sync = user_data;
  BrokerTopic *topic = broker_topics_lookup (sync->broker->topics, name);

  if (topic != NULL && !topic->internal)
    drop_local_topic (sync, topic, "deleted from the cluster");
}

static void
on_partition_changed (gpointer                      user_data,
                      const BrokerClusterTopic     *ct,
                      const BrokerClusterPartition *cp)
{
  BrokerClusterSync *sync = user_data;
  BrokerTopic *topic = broker_topics_lookup (sync->broker->topics, ct->name);

  if (topic == NULL || (guint) cp->partition >= topic->partitions->len)
    on_topic_changed (user_data, ct);   /* creates what is missing */
  else
    apply_partition (sync, topic, cp);
}

static void
on_brokers_changed (gpointer user_data)
{
  BrokerClusterSync *sync = user_data;

  broker_replica_fetchers_brokers_changed (sync->fetchers);
}

static gboolean
on_isr_timer (gpointer user_data)
{
  BrokerClusterSync *sync = user_data;
  g_autoptr(GPtrArray) list = broker_topics_list (sync->broker->topics);

  for (guint t = 0; t < list->len; t++)
    {
      BrokerTopic *topic = g_ptr_array_index (list, t);
      for (guint i = 0; i < topic->partitions->len; i++)
        {
          BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
          if (part->replica != NULL)
            broker_replica_check_isr (part->replica);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* Kafka's replication-offset-checkpoint cadence: a broker restarted after
 * kill -9 starts from a high watermark at most this old. */
static gboolean
on_checkpoint_timer (gpointer user_data)
{
  BrokerClusterSync *sync = user_data;
  g_autoptr(GError) error = NULL;

  if (!broker_topics_write_checkpoints (sync->broker->topics, &error))
    g_warning ("writing checkpoints: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static const BrokerClusterHooks hooks = {
  on_topic_changed,
  on_topic_removed,
  on_partition_changed,
  on_brokers_changed,
};

BrokerClusterSync *
broker_cluster_sync_new (Broker *broker)
{
  BrokerClusterSync *sync = g_new0 (BrokerClusterSync, 1);
  g_autoptr(GPtrArray) view = broker_cluster_list_topics (broker->cluster);
  g_autoptr(GPtrArray) local = broker_topics_list (broker->topics);
  gint64 lag_max = broker_config_get_int64 (broker->config, "replica.lag.time.max.ms");

  sync->broker = broker;
  sync->fetchers = broker_replica_fetchers_new (broker);
  /* Before the view is applied: groups wait for their partition's
   * leadership, which the view brings. */
  broker_group_failover_start (broker);
  /* Logs of topics the cluster no longer has: deleted while we were
   * down. Internal topics (__consumer_offsets) stay local for now. */
  for (guint i = 0; i < local->len; i++)
    {
      BrokerTopic *topic = g_ptr_array_index (local, i);
      if (!topic->internal && broker_cluster_lookup_topic (broker->cluster, topic->name) == NULL)
        drop_local_topic (sync, topic, "not in the cluster");
    }
  for (guint i = 0; i < view->len; i++)
    on_topic_changed (sync, g_ptr_array_index (view, i));
  broker_cluster_set_hooks (broker->cluster, &hooks, sync);
  /* Kafka checks every replica.lag.time.max.ms / 2. */
  sync->isr_timer_id = g_timeout_add ((guint) CLAMP (lag_max / 2, 100, 5000), on_isr_timer, sync);
  sync->checkpoint_timer_id =
    g_timeout_add ((guint) CLAMP (broker_config_get_int64 (broker->config,
                                                           "replica.high.watermark.checkpoint.interval.ms"),
                                  100, G_MAXINT32),
                   on_checkpoint_timer, sync);
  return sync;
}

void
broker_cluster_sync_free (BrokerClusterSync *sync)
{
  if (sync == NULL)
    return;
  g_clear_handle_id (&sync->isr_timer_id, g_source_remove);
  g_clear_handle_id (&sync->checkpoint_timer_id, g_source_remove);
  if (sync->broker->cluster != NULL)
    broker_cluster_set_hooks (sync->broker->cluster, NULL, NULL);
  broker_replica_fetchers_free (sync->fetchers);
  g_free (sync);
}
