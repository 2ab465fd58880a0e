/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-failover.c: in cluster mode __consumer_offsets is a
 * replicated cluster topic, and the coordinator of a group is the leader
 * of partition partition_for(group) (Kafka's GroupCoordinator over
 * ReplicaManager). FindCoordinator creates the topic on first use and
 * names that leader; becoming leader loads the partition's groups,
 * stopping forgets them; a commit is answered once the high watermark
 * passes it. docs/cluster.md, "Consumer groups in cluster mode". */

#include "broker-group-failover.h"

#include "broker-cluster.h"
#include "broker-group-coordinator.h"
#include "broker-group-store.h"
#include "broker-offsets-format.h"
#include "caudal-error-codes.h"

/* Kafka's offsets.commit.timeout.ms default: how long a commit waits for
 * the followers before COORDINATOR_NOT_AVAILABLE. */
#define COMMIT_TIMEOUT_MS 5000

typedef struct
{
  BrokerGroupReplicatedFunc done;
  gpointer                  done_data;
} ReplicaWait;

/* GroupMetadataManager.storeOffsets maps the append's errors so that the
 * client looks for the coordinator again (NOT_COORDINATOR) or retries
 * (COORDINATOR_NOT_AVAILABLE). */
static gint16
commit_error (gint16 code)
{
  switch (code)
    {
    case CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER:
    case CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR:
      return CAUDAL_ERROR_CODE_NOT_COORDINATOR;
    case CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION:
    case CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS:
    case CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT:
      return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
    default:
      return code;
    }
}

static void
on_replicated (gint16   error_code,
               gpointer user_data)
{
  ReplicaWait *wait = user_data;

  wait->done (commit_error (error_code), wait->done_data);
  g_free (wait);
}

static BrokerPartition *
local_partition (Broker *broker,
                 gint32  partition)
{
  BrokerTopic *topic = broker_topics_lookup (broker->topics, BROKER_GROUP_STORE_TOPIC);

  if (topic == NULL || partition < 0 || (guint) partition >= topic->partitions->len)
    return NULL;
  return g_ptr_array_index (topic->partitions, partition);
}

static void
replicate (gint32                    partition,
           gint64                    end_offset,
           BrokerGroupReplicatedFunc done,
           gpointer                  done_data,
           gpointer                  user_data)
{
  Broker *broker = user_data;
  BrokerPartition *part = local_partition (broker, partition);
  ReplicaWait *wait;

  if (part == NULL || part->replica == NULL
      || broker_replica_get_role (part->replica) != BROKER_REPLICA_LEADER)
    {
      done (CAUDAL_ERROR_CODE_NOT_COORDINATOR, done_data);
      return;
    }
  wait = g_new0 (ReplicaWait, 1);
  wait->done = done;
  wait->done_data = done_data;
  broker_replica_wait_for_hw (part->replica, end_offset, COMMIT_TIMEOUT_MS, on_replicated, wait);
}

void
broker_group_failover_start (Broker *broker)
{
  g_return_if_fail (broker->cluster != NULL);

  broker_group_coordinator_set_partitioned (broker->groups);
  broker_group_coordinator_set_replicate (broker->groups, replicate, broker);
}

void
broker_group_failover_role_changed (Broker            *broker,
                                    gint32             partition,
                                    BrokerReplicaRole  old_role,
                                    BrokerReplicaRole  new_role)
{
  g_autoptr(GError) error = NULL;

  if (new_role != BROKER_REPLICA_LEADER)
    {
      if (old_role == BROKER_REPLICA_LEADER)
        broker_group_coordinator_unload_partition (broker->groups, partition);
      else if (!broker_group_store_refresh (broker->group_store, &error))
        /* A follower's log still needs the store's settings (no time or
         * size retention) for the day it leads. */
        g_warning ("%s: %s", BROKER_GROUP_STORE_TOPIC, error->message);
      return;
    }
  if (old_role == BROKER_REPLICA_LEADER)
    return;
  if (!broker_group_coordinator_load_partition (broker->groups, partition, &error))
    /* Its groups stay unserved (NOT_COORDINATOR) until leadership moves
     * again, rather than served from a partial replay. */
    g_warning ("%s-%d: cannot load its groups: %s", BROKER_GROUP_STORE_TOPIC, partition,
               error->message);
}

static void
on_created (gint16      error_code,
            const char *message,
            gpointer    user_data)
{
  if (error_code != CAUDAL_ERROR_CODE_NONE && error_code != CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS)
    g_warning ("creating %s: error %d: %s", BROKER_GROUP_STORE_TOPIC, error_code,
               message != NULL ? message : "");
}

/* Kafka creates the topic when a group first needs a coordinator, with
 * offsets.topic.replication.factor replicas, and refuses while fewer
 * brokers are live than that (a topic made on the first broker up would
 * otherwise keep one replica for good). Concurrent attempts are harmless:
 * all but one get TOPIC_ALREADY_EXISTS. */
static void
create_offsets_topic (Broker *broker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) assignments = NULL;
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  gint32 partitions = broker_config_get_int32 (broker->config, "offsets.topic.num.partitions");
  gint32 rf = broker_config_get_int32 (broker->config, "offsets.topic.replication.factor");

  assignments = broker_cluster_assign_replicas (broker->cluster, partitions, rf, 0, &error);
  if (assignments == NULL)
    {
      g_message ("not creating %s yet: %s", BROKER_GROUP_STORE_TOPIC, error->message);
      return;
    }
  /* Kafka's GroupCoordinator.groupMetadataTopicConfigs, as the store
   * makes them in single-node mode. */
  g_hash_table_insert (configs, (gpointer) "cleanup.policy", (gpointer) "compact");
  g_hash_table_insert (configs, (gpointer) "segment.bytes", (gpointer) BROKER_GROUP_STORE_SEGMENT_BYTES);
  g_hash_table_insert (configs, (gpointer) "compression.type", (gpointer) "producer");
  g_message ("creating %s: %d partitions, replication factor %d", BROKER_GROUP_STORE_TOPIC,
             partitions, rf);
  broker_cluster_create_topic (broker->cluster, BROKER_GROUP_STORE_TOPIC, assignments, configs, 0,
                               on_created, NULL);
}

gint16
broker_group_failover_find_coordinator (Broker     *broker,
                                        const char *group_id,
                                        gint32     *node_id)
{
  const BrokerClusterTopic *ct;
  const BrokerClusterPartition *cp;
  gint32 partition;

  g_return_val_if_fail (broker->cluster != NULL, CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE);

  *node_id = -1;
  ct = broker_cluster_lookup_topic (broker->cluster, BROKER_GROUP_STORE_TOPIC);
  if (ct == NULL)
    {
      create_offsets_topic (broker);
      return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
    }
  if (ct->deleting || ct->partitions->len == 0)
    return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
  /* The cluster's partition count places the group, whatever this
   * broker's offsets.topic.num.partitions says. */
  partition = broker_offsets_partition_for (group_id, (gint32) ct->partitions->len);
  cp = g_ptr_array_index (ct->partitions, partition);
  if (cp->state_version < 0 || cp->leader < 0 || !broker_cluster_is_live (broker->cluster, cp->leader))
    return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
  *node_id = cp->leader;
  return CAUDAL_ERROR_CODE_NONE;
}

gboolean
broker_group_is_coordinator (Broker     *broker,
                             const char *group_id)
{
  if (broker->cluster == NULL)
    return TRUE;
  return broker_group_coordinator_is_coordinator (broker->groups, group_id);
}
