/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-assign.c: replica placement for new topics and
 * partitions, after Kafka's AdminUtils.assignReplicasToBrokers: the
 * first replicas go round the brokers from a random start, and the
 * followers are shifted by a random amount that grows by one every full
 * round, so leaders and followers both spread evenly. When every live
 * broker has a rack, the broker list alternates racks and a partition's
 * replicas land on distinct racks first. */

#include "broker-cluster-private.h"

#include <string.h>

#include "caudal-error-codes.h"

/* Kafka's AdminUtils.replicaIndex. */
static guint
replica_index (guint first,
               guint shift,
               guint j,
               guint n)
{
  guint s = 1 + (shift + j) % (n - 1);

  return (first + s) % n;
}

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint32 x = *(const gint32 *) a;
  gint32 y = *(const gint32 *) b;

  return (x > y) - (x < y);
}

/* Kafka's getRackAlternatedBrokerList: racks in name order, taking the
 * next broker (by id) of each rack in turn. */
static GArray *
rack_alternated (GPtrArray *nodes)
{
  g_autoptr(GHashTable) by_rack = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          (GDestroyNotify) g_array_unref);
  g_autoptr(GList) racks = NULL;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint32));
  guint round = 0;

  for (guint i = 0; i < nodes->len; i++)
    {
      const BrokerClusterNode *node = g_ptr_array_index (nodes, i);
      GArray *ids = g_hash_table_lookup (by_rack, node->rack);

      if (ids == NULL)
        {
          ids = g_array_new (FALSE, FALSE, sizeof (gint32));
          g_hash_table_insert (by_rack, node->rack, ids);
        }
      g_array_append_val (ids, node->id);
    }
  racks = g_list_sort (g_hash_table_get_keys (by_rack), (GCompareFunc) strcmp);
  while (out->len < nodes->len)
    {
      for (GList *l = racks; l != NULL; l = l->next)
        {
          GArray *ids = g_hash_table_lookup (by_rack, l->data);
          if (round < ids->len)
            g_array_append_val (out, g_array_index (ids, gint32, round));
        }
      round++;
    }
  return out;
}

static const char *
rack_of (GPtrArray *nodes,
         gint32     id)
{
  for (guint i = 0; i < nodes->len; i++)
    if (((BrokerClusterNode *) g_ptr_array_index (nodes, i))->id == id)
      return ((BrokerClusterNode *) g_ptr_array_index (nodes, i))->rack;
  return NULL;
}

static gboolean
contains_id (GArray *a,
             gint32  id)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, gint32, i) == id)
      return TRUE;
  return FALSE;
}

static GPtrArray *
assign (GPtrArray *nodes,
        GArray    *brokers,
        gboolean   rack_aware,
        gint32     n_partitions,
        gint32     rf,
        gint32     first_partition)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint n = brokers->len;
  guint start = (guint) g_random_int_range (0, (gint32) n);
  guint shift = (guint) g_random_int_range (0, (gint32) n);
  g_autoptr(GHashTable) all_racks = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_racks;
  gint32 p = MAX (first_partition, 0);

  for (guint i = 0; rack_aware && i < nodes->len; i++)
    g_hash_table_add (all_racks, ((BrokerClusterNode *) g_ptr_array_index (nodes, i))->rack);
  n_racks = g_hash_table_size (all_racks);
  for (gint32 k = 0; k < n_partitions; k++, p++)
    {
      GArray *replicas = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr(GHashTable) racks_used = g_hash_table_new (g_str_hash, g_str_equal);
      guint first;
      gint32 leader;

      if (p > 0 && (guint) p % n == 0)
        shift++;
      first = ((guint) p + start) % n;
      leader = g_array_index (brokers, gint32, first);
      g_array_append_val (replicas, leader);
      if (!rack_aware)
        {
          for (gint32 j = 0; j < rf - 1; j++)
            g_array_append_val (replicas, g_array_index (brokers, gint32,
                                                         replica_index (first, shift, (guint) j, n)));
        }
      else
        {
          guint j = 0;

          g_hash_table_add (racks_used, (gpointer) rack_of (nodes, leader));
          for (gint32 r = 0; r < rf - 1; r++)
            for (;;)
              {
                gint32 b = g_array_index (brokers, gint32, replica_index (first, shift * n_racks, j++, n));
                const char *rack = rack_of (nodes, b);

                /* A new rack (unless every rack has one) and a new broker
                 * (unless every broker has one). */
                if ((!g_hash_table_contains (racks_used, rack) || g_hash_table_size (racks_used) == n_racks)
                    && (!contains_id (replicas, b) || replicas->len == n))
                  {
                    g_array_append_val (replicas, b);
                    g_hash_table_add (racks_used, (gpointer) rack);
                    break;
                  }
              }
        }
      g_ptr_array_add (out, replicas);
    }
  return out;
}

GPtrArray *
broker_cluster_assign_replicas (BrokerCluster *c,
                                gint32         n_partitions,
                                gint32         replication_factor,
                                gint32         first_partition,
                                GError       **error)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) live = g_ptr_array_new ();
  g_autoptr(GArray) brokers = NULL;
  gboolean rack_aware = TRUE;

  g_return_val_if_fail (c != NULL, NULL);
  if (replication_factor <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Replication factor must be larger than 0.");
      return NULL;
    }
  if (n_partitions <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Number of partitions must be larger than 0.");
      return NULL;
    }
  /* The registered brokers whose registration we have read. */
  all = broker_cluster_list_nodes (c);
  for (guint i = 0; i < all->len; i++)
    {
      BrokerClusterNode *node = g_ptr_array_index (all, i);
      if (broker_cluster_is_live (c, node->id))
        {
          g_ptr_array_add (live, node);
          if (node->rack == NULL)
            rack_aware = FALSE;
        }
    }
  if (replication_factor > (gint32) live->len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Replication factor: %d larger than available brokers: %u.", replication_factor,
                   live->len);
      return NULL;
    }
  if (rack_aware)
    brokers = rack_alternated (live);
  else
    {
      brokers = g_array_new (FALSE, FALSE, sizeof (gint32));
      for (guint i = 0; i < live->len; i++)
        g_array_append_val (brokers, ((BrokerClusterNode *) g_ptr_array_index (live, i))->id);
      g_array_sort (brokers, compare_ids);
    }
  return assign (live, brokers, rack_aware, n_partitions, replication_factor, first_partition);
}

gint32
broker_cluster_default_replication_factor (BrokerCluster *c)
{
  BrokerConfig *config = c->broker->config;
  g_autoptr(GPtrArray) nodes = NULL;
  guint live = 0;

  if (broker_config_is_set (config, "default.replication.factor"))
    return broker_config_get_int32 (config, "default.replication.factor");
  /* Kafka's default of 1 loses data with any broker; a cluster of three
   * or more gets 3 (issue 9), a smaller one what it can hold. */
  nodes = broker_cluster_list_nodes (c);
  for (guint i = 0; i < nodes->len; i++)
    if (broker_cluster_is_live (c, ((BrokerClusterNode *) g_ptr_array_index (nodes, i))->id))
      live++;
  return (gint32) CLAMP (live, 1, 3);
}

gint16
broker_cluster_check_assignment (BrokerCluster *c,
                                 const gint32  *broker_ids,
                                 gint32         n_broker_ids,
                                 gint32         expected_rf,
                                 char         **message)
{
  g_autoptr(GArray) sorted = g_array_new (FALSE, FALSE, sizeof (gint32));

  if (n_broker_ids <= 0)
    {
      *message = g_strdup ("The manual partition assignment includes an empty replica list.");
      return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
    }
  /* Kafka looks at the ids in ascending order. */
  g_array_append_vals (sorted, broker_ids, (guint) n_broker_ids);
  g_array_sort (sorted, compare_ids);
  for (guint i = 0; i < sorted->len; i++)
    {
      gint32 id = g_array_index (sorted, gint32, i);

      if (!broker_cluster_is_live (c, id))
        {
          *message = g_strdup_printf ("The manual partition assignment includes broker %d, but no "
                                      "such broker is registered.", id);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
      if (i > 0 && id == g_array_index (sorted, gint32, i - 1))
        {
          *message = g_strdup_printf ("The manual partition assignment includes the broker %d more "
                                      "than once.", id);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
    }
  if (expected_rf >= 0 && n_broker_ids != expected_rf)
    {
      *message = g_strdup_printf ("The manual partition assignment includes a partition with %d "
                                  "replica(s), but this is not consistent with previous partitions, "
                                  "which have %d replica(s).", n_broker_ids, expected_rf);
      return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
    }
  return CAUDAL_ERROR_CODE_NONE;
}
