/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-partitions.c: which groups this coordinator serves in
 * cluster mode: those of the __consumer_offsets partitions this broker
 * leads, loaded when it becomes leader and forgotten when it stops
 * (Kafka's GroupCoordinator.onElection / onResignation; docs/cluster.md,
 * "Consumer groups in cluster mode"). */

#include "broker-group-private.h"

#include "broker-group-store.h"

void
broker_group_coordinator_set_partitioned (BrokerGroupCoordinator *coord)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (coord != NULL && coord->store != NULL);

  /* What broker_new loaded came from a local, unreplicated topic: the
   * cluster's partitions are loaded as leadership arrives. */
  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    coordinator_abort_waiters (value);
  g_hash_table_remove_all (coord->groups);
  broker_group_store_set_partitioned (coord->store);
}

gint32
broker_group_coordinator_partition_for (BrokerGroupCoordinator *coord,
                                        const char             *group_id)
{
  g_return_val_if_fail (coord != NULL && group_id != NULL, 0);
  if (coord->store == NULL)
    return 0;
  return broker_group_store_partition_for (coord->store, group_id);
}

gboolean
broker_group_coordinator_is_coordinator (BrokerGroupCoordinator *coord,
                                         const char             *group_id)
{
  g_return_val_if_fail (coord != NULL, FALSE);
  if (coord->store == NULL || group_id == NULL)
    return TRUE;
  return broker_group_store_is_writable (coord->store,
                                         broker_group_store_partition_for (coord->store, group_id));
}

gboolean
broker_group_coordinator_load_partition (BrokerGroupCoordinator *coord,
                                         gint32                  partition,
                                         GError                **error)
{
  guint before;

  g_return_val_if_fail (coord != NULL && coord->store != NULL, FALSE);

  if (!broker_group_store_refresh (coord->store, error))
    return FALSE;
  if (broker_group_store_is_writable (coord->store, partition))
    return TRUE;
  /* Leftovers of an earlier leadership would mix with the replay. */
  broker_group_coordinator_unload_partition (coord, partition);
  before = g_hash_table_size (coord->groups);
  if (!broker_group_store_load_partition (coord->store, partition, &coordinator_load_visitor,
                                          coord, error))
    {
      broker_group_coordinator_unload_partition (coord, partition);
      return FALSE;
    }
  broker_group_store_set_writable (coord->store, partition, TRUE);
  g_message ("%s-%d: coordinating %u consumer group(s)", BROKER_GROUP_STORE_TOPIC, partition,
             g_hash_table_size (coord->groups) - before);
  coordinator_wakeup (coord);
  return TRUE;
}

void
broker_group_coordinator_unload_partition (BrokerGroupCoordinator *coord,
                                           gint32                  partition)
{
  GHashTableIter iter;
  gpointer value;
  guint dropped = 0;
  gboolean was_served;

  g_return_if_fail (coord != NULL && coord->store != NULL);

  was_served = broker_group_store_is_writable (coord->store, partition);
  if (partition >= 0 && partition < broker_group_store_get_n_partitions (coord->store))
    broker_group_store_set_writable (coord->store, partition, FALSE);
  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Group *group = value;

      if (broker_group_store_partition_for (coord->store, group->group_id) != partition)
        continue;
      /* The new coordinator has the group's state from the log; answering
       * the waiters sends the members to it (FindCoordinator again). */
      coordinator_abort_waiters (group);
      g_hash_table_iter_remove (&iter);
      dropped++;
    }
  if (was_served)
    g_message ("%s-%d: no longer led here, dropped %u consumer group(s)",
               BROKER_GROUP_STORE_TOPIC, partition, dropped);
}

void
broker_group_coordinator_set_replicate (BrokerGroupCoordinator  *coord,
                                        BrokerGroupReplicateFunc func,
                                        gpointer                 user_data)
{
  g_return_if_fail (coord != NULL);
  coord->replicate = func;
  coord->replicate_data = user_data;
}
