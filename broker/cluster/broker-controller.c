/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-controller.c: the controller's work, done only by the broker
 * that won the election (docs/cluster.md, "The controller"):
 *
 *   - creates the state znode of every assigned partition that has none;
 *   - elects leaders from the ISR when brokers go or come back, and
 *     drops dead brokers from ISRs;
 *   - moves leadership back to the preferred replica every
 *     leader.imbalance.check.interval.seconds;
 *   - deletes the topics listed under /admin/delete_topics.
 *
 * Every write is a multi whose first op checks /controller_epoch at the
 * version our election left it (KAFKA-6082): a paused controller that
 * was replaced fails that check and stops. State writes are also
 * conditional on the state znode's version; on BADVERSION we re-read and
 * decide again from the value read. */

#include "broker-cluster-private.h"

#include <string.h>

typedef struct _Fenced Fenced;
typedef void (*FencedDone) (BrokerCluster *c,
                            Fenced        *f,
                            int            rc,
                            int            failed_op);

/* One fenced multi: ops[0] is the epoch check. */
struct _Fenced
{
  BrokerCluster  *cluster;
  zoo_op_t        ops[4];
  zoo_op_result_t results[4];
  struct Stat     stats[4];
  char           *paths[4];
  char           *data;
  int             n_ops;
  FencedDone      done;
  char           *topic;
  gint32          partition;
  gint            level;      /* state creation: the first path to create */
  GPtrArray      *pending;    /* deletion: the paths still to delete */
};

static void create_state (BrokerCluster *c, const char *topic, gint32 partition, gint level);
static ClusterPartition *lookup (BrokerCluster *c, const char *topic, gint32 partition,
                                 ClusterTopic **out_topic);
static void delete_next (BrokerCluster *c, const char *topic, GPtrArray *paths);

gboolean
broker_controller_is_active (BrokerCluster *c)
{
  return c->epoch_zk_version >= 0 && c->registered;
}

static Fenced *
fenced_new (BrokerCluster *c,
            const char    *topic,
            gint32         partition,
            FencedDone     done)
{
  Fenced *f = g_new0 (Fenced, 1);

  f->cluster = c;
  f->topic = g_strdup (topic);
  f->partition = partition;
  f->done = done;
  f->paths[0] = broker_cluster_zpath (c, "/controller_epoch");
  zoo_check_op_init (&f->ops[0], f->paths[0], c->epoch_zk_version);
  f->n_ops = 1;
  return f;
}

static void
fenced_free (Fenced *f)
{
  for (int i = 0; i < 4; i++)
    g_free (f->paths[i]);
  g_free (f->data);
  g_free (f->topic);
  g_clear_pointer (&f->pending, g_ptr_array_unref);
  g_free (f);
}

static const char *
fenced_add_path (Fenced     *f,
                 const char *rel)
{
  g_assert (f->n_ops < 4);
  f->paths[f->n_ops] = broker_cluster_zpath (f->cluster, rel);
  return f->paths[f->n_ops];
}

/* Drops @f without its completion: whoever is controller next (maybe
 * us again) checks the partition or the deletion from scratch, so
 * nothing may stay marked as in flight. */
static void
fenced_abandon (BrokerCluster *c,
                Fenced        *f)
{
  ClusterPartition *p = f->partition >= 0 ? lookup (c, f->topic, f->partition, NULL) : NULL;

  if (p != NULL)
    p->write_pending = FALSE;
  if (f->pending != NULL && c->deletions_running != NULL)
    g_hash_table_remove (c->deletions_running, f->topic);
  fenced_free (f);
}

static void
on_fenced_done (int         rc,
                const void *data)
{
  Fenced *f = (Fenced *) data;
  BrokerCluster *c = f->cluster;
  int failed_op = -1;

  if (c->closing)
    {
      /* The handle is going (an expired session is replaced). */
      fenced_abandon (c, f);
      return;
    }
  if (rc != ZOK && !broker_cluster_is_connection_error (rc))
    for (int i = 0; i < f->n_ops && failed_op < 0; i++)
      if (f->results[i].err != ZOK)
        failed_op = i;
  if (failed_op == 0)
    {
      /* The epoch moved: another broker was elected while we were away
       * (paused, partitioned). Nothing of ours was written. */
      broker_controller_resign (c, "the controller epoch moved on, a write was refused");
      broker_cluster_controller_moved (c);
      fenced_abandon (c, f);
      return;
    }
  f->done (c, f, rc, failed_op);
  fenced_free (f);
}

static void
fenced_submit (Fenced *f)
{
  BrokerCluster *c = f->cluster;

  for (int i = 0; i < f->n_ops; i++)
    f->results[i].err = ZOK;
  if (zoo_amulti (c->zh, f->n_ops, f->ops, f->results, on_fenced_done, f) != ZOK)
    {
      /* Not sent (the handle is going): forget it; the next session
       * re-checks everything. */
      f->done (c, f, ZCONNECTIONLOSS, -1);
      fenced_free (f);
    }
}

static ClusterPartition *
lookup (BrokerCluster *c,
        const char    *topic,
        gint32         partition,
        ClusterTopic **out_topic)
{
  ClusterTopic *t = broker_cluster_view_topic (c, topic);

  if (t == NULL || partition < 0 || (guint) partition >= t->pub.partitions->len)
    return NULL;
  if (out_topic != NULL)
    *out_topic = t;
  return g_ptr_array_index (t->pub.partitions, partition);
}

static gboolean
array_contains (GArray *a,
                gint32  v)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, gint32, i) == v)
      return TRUE;
  return FALSE;
}

static gboolean
unclean_allowed (BrokerCluster *c,
                 ClusterTopic  *t)
{
  const char *value = g_hash_table_lookup (t->pub.configs, "unclean.leader.election.enable");

  if (value != NULL)
    return g_ascii_strcasecmp (value, "true") == 0;
  return broker_config_get_bool (c->broker->config, "unclean.leader.election.enable");
}

/* -- state creation ------------------------------------------------------- */

static void
on_state_created (BrokerCluster *c,
                  Fenced        *f,
                  int            rc,
                  int            failed_op)
{
  ClusterPartition *p = lookup (c, f->topic, f->partition, NULL);

  if (p != NULL)
    p->write_pending = FALSE;
  if (rc == ZOK)
    return;   /* the exists watch brings the state */
  if (failed_op > 0 && f->results[failed_op].err == ZNODEEXISTS)
    {
      /* ops[1..] create level, level+1, ... 2 (2 = the state itself). */
      gint existing = f->level + failed_op - 1;

      if (existing >= 2)
        broker_cluster_read_state (c, f->topic, f->partition);
      else if (p != NULL && broker_controller_is_active (c))
        create_state (c, f->topic, f->partition, existing + 1);
      return;
    }
  if (!broker_cluster_is_connection_error (rc))
    g_warning ("cluster: controller: cannot create the state of %s-%d: %s", f->topic, f->partition,
               zerror (rc));
}

/* The first state of a partition: leader = the first live replica, ISR =
 * the live replicas in assignment order. With none live, leader -1 and
 * every replica in the ISR (all are equally empty), so the first one to
 * come back leads (docs/cluster.md). */
static void
create_state (BrokerCluster *c,
              const char    *topic,
              gint32         partition,
              gint           level)
{
  ClusterPartition *p = lookup (c, topic, partition, NULL);
  g_autoptr(GArray) isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autofree char *dir = g_strdup_printf ("/brokers/topics/%s/partitions", topic);
  g_autofree char *pdir = g_strdup_printf ("%s/%d", dir, partition);
  g_autofree char *state = g_strdup_printf ("%s/state", pdir);
  const char *rels[3] = { dir, pdir, state };
  gint32 leader = -1;
  Fenced *f;

  if (p == NULL)
    return;
  for (guint i = 0; i < p->pub.replicas->len; i++)
    {
      gint32 r = g_array_index (p->pub.replicas, gint32, i);
      if (broker_cluster_is_live (c, r))
        {
          if (leader < 0)
            leader = r;
          g_array_append_val (isr, r);
        }
    }
  if (leader < 0)
    g_array_append_vals (isr, p->pub.replicas->data, p->pub.replicas->len);
  f = fenced_new (c, topic, partition, on_state_created);
  f->level = level;
  f->data = broker_cluster_state_json (leader, 0, isr, c->controller_epoch);
  for (gint l = level; l <= 2; l++)
    {
      const char *path = fenced_add_path (f, rels[l]);
      gboolean is_state = l == 2;

      zoo_create_op_init (&f->ops[f->n_ops], path, is_state ? f->data : NULL,
                          is_state ? (int) strlen (f->data) : -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT,
                          NULL, 0);
      f->n_ops++;
    }
  p->write_pending = TRUE;
  g_message ("cluster: controller: %s-%d starts with leader %d", topic, partition, leader);
  fenced_submit (f);
}

/* -- elections ------------------------------------------------------------- */

static void
on_state_written (BrokerCluster *c,
                  Fenced        *f,
                  int            rc,
                  int            failed_op)
{
  ClusterPartition *p = lookup (c, f->topic, f->partition, NULL);

  if (p != NULL)
    p->write_pending = FALSE;
  if (rc != ZOK && failed_op > 0 && !broker_cluster_is_connection_error (rc)
      && f->results[failed_op].err != ZBADVERSION && f->results[failed_op].err != ZNONODE)
    g_warning ("cluster: controller: cannot write the state of %s-%d: %s", f->topic, f->partition,
               zerror (rc));
  /* Success, or BADVERSION (someone wrote first): the value read back
   * decides what comes next. */
  if (p != NULL && !broker_cluster_is_connection_error (rc))
    broker_cluster_read_state (c, f->topic, f->partition);
}

static void
write_state (BrokerCluster    *c,
             ClusterTopic     *t,
             ClusterPartition *p,
             gint32            leader,
             gint32            leader_epoch,
             GArray           *isr,
             const char       *why)
{
  g_autofree char *rel = g_strdup_printf ("/brokers/topics/%s/partitions/%d/state", t->pub.name,
                                          p->pub.partition);
  Fenced *f = fenced_new (c, t->pub.name, p->pub.partition, on_state_written);
  const char *path = fenced_add_path (f, rel);

  f->data = broker_cluster_state_json (leader, leader_epoch, isr, c->controller_epoch);
  zoo_set_op_init (&f->ops[1], path, f->data, (int) strlen (f->data), p->pub.state_version, &f->stats[1]);
  f->n_ops = 2;
  p->write_pending = TRUE;
  g_message ("cluster: controller: %s-%d: %s: leader %d → %d, leader epoch %d", t->pub.name,
             p->pub.partition, why, p->pub.leader, leader, leader_epoch);
  fenced_submit (f);
}

/* What the partition's state should become; FALSE when it is fine.
 * Kafka's OfflinePartitionLeaderElectionStrategy and the ISR shrink on
 * broker failure (KafkaController.onReplicasBecomeOffline). */
static gboolean
decide (BrokerCluster    *c,
        ClusterTopic     *t,
        ClusterPartition *p,
        gboolean          preferred,
        gint32           *leader,
        gint32           *leader_epoch,
        GArray           *isr,
        const char      **why)
{
  const BrokerClusterPartition *s = &p->pub;
  gint32 first = s->replicas->len > 0 ? g_array_index (s->replicas, gint32, 0) : -1;

  *leader = s->leader;
  *leader_epoch = s->leader_epoch;
  for (guint i = 0; i < s->isr->len; i++)
    {
      gint32 r = g_array_index (s->isr, gint32, i);
      if (broker_cluster_is_live (c, r))
        g_array_append_val (isr, r);
    }

  if (s->leader < 0 || !broker_cluster_is_live (c, s->leader))
    {
      for (guint i = 0; i < s->replicas->len; i++)
        {
          gint32 r = g_array_index (s->replicas, gint32, i);
          if (broker_cluster_is_live (c, r) && array_contains (isr, r))
            {
              *leader = r;
              *leader_epoch = s->leader_epoch + 1;
              *why = "leader elected from the ISR";
              return TRUE;
            }
        }
      if (unclean_allowed (c, t))
        for (guint i = 0; i < s->replicas->len; i++)
          {
            gint32 r = g_array_index (s->replicas, gint32, i);
            if (broker_cluster_is_live (c, r))
              {
                /* unclean.leader.election.enable: data loss by design. */
                g_array_set_size (isr, 0);
                g_array_append_val (isr, r);
                *leader = r;
                *leader_epoch = s->leader_epoch + 1;
                *why = "unclean leader election (out of the ISR)";
                return TRUE;
              }
          }
      if (s->leader < 0)
        return FALSE;   /* already offline; wait for an ISR member */
      /* No live ISR member: offline, and the ISR keeps the last members
       * so that only one of them may lead when it returns (Kafka). */
      g_array_set_size (isr, 0);
      g_array_append_vals (isr, s->isr->data, s->isr->len);
      *leader = -1;
      *leader_epoch = s->leader_epoch + 1;
      *why = "no live ISR member: offline";
      return TRUE;
    }

  if (preferred && first >= 0 && first != s->leader && broker_cluster_is_live (c, first)
      && array_contains (isr, first))
    {
      *leader = first;
      *leader_epoch = s->leader_epoch + 1;
      *why = "preferred replica back as leader";
      return TRUE;
    }
  if (isr->len != s->isr->len)
    {
      *why = "dead replicas leave the ISR";
      return TRUE;
    }
  return FALSE;
}

static void
check_partition (BrokerCluster    *c,
                 ClusterTopic     *t,
                 ClusterPartition *p,
                 gboolean          preferred)
{
  g_autoptr(GArray) isr = NULL;
  gint32 leader, leader_epoch;
  const char *why = NULL;

  if (!broker_controller_is_active (c) || t->assignment_version < 0 || !p->state_read
      || p->write_pending || p->pub.replicas->len == 0
      || g_hash_table_contains (c->deleting, t->pub.name))
    return;
  if (p->pub.state_version < 0)
    {
      create_state (c, t->pub.name, p->pub.partition, 0);
      return;
    }
  isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  if (decide (c, t, p, preferred, &leader, &leader_epoch, isr, &why))
    write_state (c, t, p, leader, leader_epoch, isr, why);
}

void
broker_controller_check_partition (BrokerCluster    *c,
                                   ClusterTopic     *t,
                                   ClusterPartition *p)
{
  check_partition (c, t, p, FALSE);
}

void
broker_controller_check_topic (BrokerCluster *c,
                               ClusterTopic  *t)
{
  if (!broker_controller_is_active (c))
    return;
  for (guint i = 0; i < t->pub.partitions->len; i++)
    check_partition (c, t, g_ptr_array_index (t->pub.partitions, i), FALSE);
}

void
broker_controller_check_all (BrokerCluster *c)
{
  GHashTableIter iter;
  gpointer value;

  if (!broker_controller_is_active (c))
    return;
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    broker_controller_check_topic (c, value);
  broker_controller_check_deletions (c);
}

/* Kafka's auto.leader.rebalance.enable: every
 * leader.imbalance.check.interval.seconds, leadership goes back to the
 * first replica of the assignment wherever it is live and in the ISR (we
 * do not wait for Kafka's 10 % imbalance ratio: partitions are few). */
static gboolean
on_rebalance_tick (gpointer user_data)
{
  BrokerCluster *c = user_data;
  GHashTableIter iter;
  gpointer value;

  if (!broker_controller_is_active (c))
    return G_SOURCE_CONTINUE;
  if (!broker_config_get_bool (c->broker->config, "auto.leader.rebalance.enable"))
    return G_SOURCE_CONTINUE;
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ClusterTopic *t = value;
      for (guint i = 0; i < t->pub.partitions->len; i++)
        check_partition (c, t, g_ptr_array_index (t->pub.partitions, i), TRUE);
    }
  return G_SOURCE_CONTINUE;
}

/* -- topic deletion ---------------------------------------------------------- */

static void
deletion_finished (BrokerCluster *c,
                   const char    *topic)
{
  g_hash_table_remove (c->deletions_running, topic);
}

static void
on_deleted (BrokerCluster *c,
            Fenced        *f,
            int            rc,
            int            failed_op)
{
  int err = failed_op > 0 ? f->results[failed_op].err : rc;

  if (rc == ZOK || err == ZNONODE)
    {
      delete_next (c, f->topic, g_steal_pointer (&f->pending));
      return;
    }
  /* NOTEMPTY (a child appeared) or a lost connection: the next check
   * (the deletion listing, a new session) starts over from a listing. */
  if (!broker_cluster_is_connection_error (rc))
    g_warning ("cluster: controller: cannot delete %s of topic %s: %s", f->paths[1], f->topic,
               zerror (err));
  deletion_finished (c, f->topic);
}

static void
delete_next (BrokerCluster *c,
             const char    *topic,
             GPtrArray     *paths)
{
  Fenced *f;

  if (paths->len == 0)
    {
      g_message ("cluster: controller: topic %s deleted", topic);
      g_ptr_array_unref (paths);
      deletion_finished (c, topic);
      return;
    }
  if (!broker_controller_is_active (c))
    {
      g_ptr_array_unref (paths);
      deletion_finished (c, topic);
      return;
    }
  f = fenced_new (c, topic, -1, on_deleted);
  zoo_delete_op_init (&f->ops[1], fenced_add_path (f, g_ptr_array_index (paths, 0)), -1);
  f->n_ops = 2;
  g_ptr_array_remove_index (paths, 0);
  f->pending = paths;
  fenced_submit (f);
}

typedef struct
{
  BrokerCluster *cluster;
  char          *topic;
} DeletionList;

/* Kafka's TopicDeletionManager, without replicas to stop (the brokers
 * drop their logs on topic_removed): the partition states, the
 * assignment, the configs, then the marker. */
static void
on_partitions_listed (int                          rc,
                      const struct String_vector *strings,
                      const void                 *data)
{
  DeletionList *d = (DeletionList *) data;
  BrokerCluster *c = d->cluster;
  g_autofree char *topic = d->topic;
  GPtrArray *paths;

  g_free (d);
  if (c->closing)
    return;
  if (rc != ZOK && rc != ZNONODE)
    {
      deletion_finished (c, topic);
      return;
    }
  paths = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; rc == ZOK && i < strings->count; i++)
    {
      g_ptr_array_add (paths, g_strdup_printf ("/brokers/topics/%s/partitions/%s/state", topic,
                                               strings->data[i]));
      g_ptr_array_add (paths, g_strdup_printf ("/brokers/topics/%s/partitions/%s", topic,
                                               strings->data[i]));
    }
  g_ptr_array_add (paths, g_strdup_printf ("/brokers/topics/%s/partitions", topic));
  g_ptr_array_add (paths, g_strdup_printf ("/brokers/topics/%s", topic));
  g_ptr_array_add (paths, g_strdup_printf ("/config/topics/%s", topic));
  g_ptr_array_add (paths, g_strdup_printf ("/admin/delete_topics/%s", topic));
  g_message ("cluster: controller: deleting topic %s", topic);
  delete_next (c, topic, paths);
}

void
broker_controller_check_deletions (BrokerCluster *c)
{
  GHashTableIter iter;
  gpointer key;

  if (!broker_controller_is_active (c))
    return;
  g_hash_table_iter_init (&iter, c->deleting);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *rel = NULL;
      g_autofree char *path = NULL;
      DeletionList *d;

      if (!g_hash_table_add (c->deletions_running, g_strdup (key)))
        continue;
      rel = g_strdup_printf ("/brokers/topics/%s/partitions", (const char *) key);
      path = broker_cluster_zpath (c, rel);
      d = g_new0 (DeletionList, 1);
      d->cluster = c;
      d->topic = g_strdup (key);
      if (zoo_aget_children (c->zh, path, 0, on_partitions_listed, d) != ZOK)
        {
          deletion_finished (c, d->topic);
          g_free (d->topic);
          g_free (d);
        }
    }
}

/* -- becoming and ceasing to be controller -------------------------------------- */

void
broker_controller_elected (BrokerCluster *c,
                           gint32         epoch,
                           gint32         epoch_zk_version)
{
  gint32 interval = broker_config_get_int32 (c->broker->config, "leader.imbalance.check.interval.seconds");

  c->controller_epoch = epoch;
  c->epoch_zk_version = epoch_zk_version;
  if (c->deletions_running == NULL)
    c->deletions_running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_clear_handle_id (&c->rebalance_id, g_source_remove);
  c->rebalance_id = g_timeout_add_seconds ((guint) MAX (interval, 1), on_rebalance_tick, c);
  /* A new controller trusts nothing its predecessor left half done. */
  broker_controller_check_all (c);
}

void
broker_controller_resign (BrokerCluster *c,
                          const char    *why)
{
  if (c->epoch_zk_version < 0)
    return;
  g_warning ("cluster: no longer controller: %s (controller epoch %d)", why, c->controller_epoch);
  c->epoch_zk_version = -1;
  g_clear_handle_id (&c->rebalance_id, g_source_remove);
  if (c->deletions_running != NULL)
    g_hash_table_remove_all (c->deletions_running);
}
