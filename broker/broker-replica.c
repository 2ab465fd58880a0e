/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-replica.c: a partition's replication state (docs/cluster.md,
 * "Replication"), Kafka's Partition.scala rules as the model:
 *
 * - the high watermark (HW) is the smallest log end offset (LEO) over the
 *   ISR, and a leader never moves it back;
 * - a follower leaves the ISR when it has not caught up for
 *   replica.lag.time.max.ms, and rejoins once its LEO reaches the HW and
 *   the start of the leader's epoch (KAFKA-7128);
 * - ISR changes are the leader's conditional write of the state znode
 *   (Kafka's ZooKeeper mode up to 2.6); the watch then brings the new
 *   state, which is what this code believes — never its own request;
 * - acks=all waits until the HW passes the write, i.e. for the whole ISR. */

#include "broker-replica.h"

#include "broker-cluster.h"
#include "broker-fetch-waiters.h"
#include "broker-producers.h"
#include "broker-topic-config.h"
#include "caudal-error-codes.h"
#include "caudal-record-batch.h"

typedef struct
{
  gint32 id;
  gint64 leo;                  /* -1 until it fetches */
  gint64 last_caught_up_ms;
  gint64 last_fetch_ms;
  gint64 last_fetch_leader_leo;
} FollowerState;

typedef struct
{
  BrokerReplica        *replica;
  gint64                end_offset;
  BrokerReplicaAckDone  done;
  gpointer              user_data;
  guint                 timeout_id;
} AckWait;

struct _BrokerReplica
{
  Broker            *broker;
  BrokerTopic       *topic;
  BrokerPartition   *part;
  BrokerReplicaRole  role;
  gint32             leader;
  gint32             leader_epoch;
  GArray            *replicas;
  GArray            *isr;
  gint32             state_version;
  gint64             hw;
  gint64             epoch_start_offset;
  GArray            *followers;        /* FollowerState, leader only */
  GQueue             waits;            /* AckWait*, by end offset */
  gboolean           isr_write_pending;
};

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static gboolean
array_contains (const GArray *ids,
                gint32        id)
{
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (g_array_index (ids, gint32, i) == id)
      return TRUE;
  return FALSE;
}

static GArray *
array_copy (const GArray *ids)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint32));
  if (ids != NULL)
    g_array_append_vals (out, ids->data, ids->len);
  return out;
}

BrokerReplica *
broker_replica_new (Broker          *broker,
                    BrokerTopic     *topic,
                    BrokerPartition *part)
{
  BrokerReplica *r = g_new0 (BrokerReplica, 1);
  gint64 leo = broker_log_get_end_offset (part->log);

  r->broker = broker;
  r->topic = topic;
  r->part = part;
  r->role = BROKER_REPLICA_NONE;
  r->leader = -1;
  r->leader_epoch = -1;
  r->replicas = g_array_new (FALSE, FALSE, sizeof (gint32));
  r->isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  r->state_version = -1;
  /* What we knew before a restart; never above what the log holds. */
  r->hw = part->checkpoint_hw >= 0 ? MIN (part->checkpoint_hw, leo) : 0;
  r->hw = MAX (r->hw, broker_log_get_start_offset (part->log));
  r->epoch_start_offset = -1;
  r->followers = g_array_new (FALSE, TRUE, sizeof (FollowerState));
  g_queue_init (&r->waits);
  return r;
}

static void
wait_finish (AckWait *w,
             gint16   error_code)
{
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  w->done (error_code, w->user_data);
  g_free (w);
}

static void
fail_waits (BrokerReplica *r,
            gint16         error_code)
{
  AckWait *w;

  while ((w = g_queue_pop_head (&r->waits)) != NULL)
    wait_finish (w, error_code);
}

void
broker_replica_free (BrokerReplica *r)
{
  if (r == NULL)
    return;
  fail_waits (r, CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER);
  g_array_unref (r->replicas);
  g_array_unref (r->isr);
  g_array_unref (r->followers);
  g_free (r);
}

gint32
broker_replica_min_insync (BrokerReplica *r)
{
  BrokerConfig *config = r->broker->config;

  if (r->topic->configs != NULL && g_hash_table_contains (r->topic->configs, "min.insync.replicas"))
    return (gint32) broker_topic_config_get_int64 (config, r->topic->configs, "min.insync.replicas");
  if (broker_config_is_set (config, "min.insync.replicas"))
    return broker_config_get_int32 (config, "min.insync.replicas");
  /* The cluster default of issue 9: a write survives one broker's loss
   * once three replicas exist. */
  return r->replicas->len >= 3 ? 2 : 1;
}

static void
complete_waits (BrokerReplica *r)
{
  while (!g_queue_is_empty (&r->waits))
    {
      AckWait *w = g_queue_peek_head (&r->waits);
      if (w->end_offset > r->hw)
        break;
      g_queue_pop_head (&r->waits);
      /* Kafka answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR
       * shrank below the minimum while waiting: the write is in the log,
       * its durability is below what was asked. */
      wait_finish (w, r->isr->len < (guint) broker_replica_min_insync (r)
                        ? CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS_AFTER_APPEND
                        : CAUDAL_ERROR_CODE_NONE);
    }
}

static FollowerState *
lookup_follower (BrokerReplica *r,
                 gint32         id)
{
  for (guint i = 0; i < r->followers->len; i++)
    {
      FollowerState *f = &g_array_index (r->followers, FollowerState, i);
      if (f->id == id)
        return f;
    }
  return NULL;
}

/* HW = min LEO over the ISR; only forward (Partition.maybeIncrementLeaderHW). */
static void
maybe_advance_hw (BrokerReplica *r)
{
  gint64 min_leo = broker_log_get_end_offset (r->part->log);

  if (r->role != BROKER_REPLICA_LEADER)
    return;
  for (guint i = 0; i < r->isr->len; i++)
    {
      gint32 id = g_array_index (r->isr, gint32, i);
      FollowerState *f;

      if (id == r->broker->node_id)
        continue;
      f = lookup_follower (r, id);
      if (f == NULL || f->leo < 0)
        return;   /* an ISR member we have not heard from holds the HW */
      min_leo = MIN (min_leo, f->leo);
    }
  if (min_leo > r->hw)
    {
      r->hw = min_leo;
      broker_fetch_waiters_notify (r->broker->fetch_waiters, r->topic->name, r->part->index);
      complete_waits (r);
    }
}

static void
on_isr_written (gint16      error_code,
                const char *message,
                gpointer    user_data)
{
  BrokerReplica *r = user_data;

  /* The replica may have been freed meanwhile: see write_isr(). */
  if (r == NULL)
    return;
  r->isr_write_pending = FALSE;
  if (error_code != CAUDAL_ERROR_CODE_NONE)
    g_message ("ISR change of %s-%d not written: %s (error %d)", r->topic->name,
               r->part->index, message != NULL ? message : "", error_code);
}

static void
write_isr (BrokerReplica *r,
           GArray        *isr,
           const char    *why)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (r->isr_write_pending || r->broker->cluster == NULL
      || !broker_cluster_is_registered (r->broker->cluster))
    return;
  for (guint i = 0; i < isr->len; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? "," : "", g_array_index (isr, gint32, i));
  g_message ("%s-%d: ISR to [%s] (%s)", r->topic->name, r->part->index, text->str, why);
  r->isr_write_pending = TRUE;
  /* The replica lives until its topic is deleted or the broker stops;
   * both happen after the ZooKeeper session's completions ran, since
   * broker_cluster_free() closes the handle first. */
  broker_cluster_update_isr (r->broker->cluster, r->topic->name, r->part->index,
                             r->leader_epoch, isr, r->state_version, on_isr_written, r);
}

static void
maybe_expand_isr (BrokerReplica *r,
                  FollowerState *f)
{
  g_autoptr(GArray) isr = NULL;

  if (array_contains (r->isr, f->id) || !array_contains (r->replicas, f->id))
    return;
  /* A broker back from a pause may fetch before it has registered again;
   * the controller would only take it out again (it drops unregistered
   * brokers from every ISR). */
  if (!broker_cluster_is_live (r->broker->cluster, f->id))
    return;
  /* Partition.isFollowerAtHighwatermark plus the epoch start: a replica
   * that has not reached this epoch could still hold a diverging tail. */
  if (f->leo < r->hw || f->leo < r->epoch_start_offset)
    return;
  if (r->isr_write_pending)
    return;
  isr = array_copy (r->isr);
  g_array_append_val (isr, f->id);
  write_isr (r, isr, "a follower caught up");
  /* Kafka's "maximal ISR" (KIP-497): the new member counts toward the HW
   * from the moment its addition may be in ZooKeeper — the controller
   * could elect it right after the write, so nothing it lacks may be
   * acknowledged meanwhile. The watch then brings the state that won. */
  if (r->isr_write_pending)
    g_array_append_val (r->isr, f->id);
}

void
broker_replica_check_isr (BrokerReplica *r)
{
  g_autoptr(GArray) isr = NULL;
  gint64 lag_max = broker_config_get_int64 (r->broker->config, "replica.lag.time.max.ms");
  gint64 leo = broker_log_get_end_offset (r->part->log);
  gint64 now = now_ms ();
  gboolean shrink = FALSE;

  if (r->role != BROKER_REPLICA_LEADER)
    return;
  isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint i = 0; i < r->isr->len; i++)
    {
      gint32 id = g_array_index (r->isr, gint32, i);
      FollowerState *f = id != r->broker->node_id ? lookup_follower (r, id) : NULL;

      if (f != NULL && f->leo != leo && now - f->last_caught_up_ms > lag_max)
        {
          shrink = TRUE;
          continue;
        }
      g_array_append_val (isr, id);
    }
  if (shrink)
    write_isr (r, isr, "followers out of sync");
}

void
broker_replica_apply_state (BrokerReplica *r,
                            gint32         leader,
                            gint32         leader_epoch,
                            const GArray  *replicas,
                            const GArray  *isr,
                            gint32         state_version)
{
  gint32 self = r->broker->node_id;
  BrokerReplicaRole role;
  gboolean new_epoch = leader_epoch != r->leader_epoch || leader != r->leader;

  if (leader == self)
    role = BROKER_REPLICA_LEADER;
  else if (leader >= 0 && array_contains (replicas, self))
    role = BROKER_REPLICA_FOLLOWER;
  else
    role = BROKER_REPLICA_NONE;

  g_array_set_size (r->replicas, 0);
  g_array_append_vals (r->replicas, replicas->data, replicas->len);
  g_array_set_size (r->isr, 0);
  g_array_append_vals (r->isr, isr->data, isr->len);
  r->state_version = state_version;
  r->isr_write_pending = FALSE;

  if (new_epoch || role != r->role)
    {
      if (r->role == BROKER_REPLICA_LEADER)
        /* The writes waiting here may or may not survive: the client
         * retries, as with Kafka. */
        fail_waits (r, CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER);
      r->leader = leader;
      r->leader_epoch = leader_epoch;
      r->part->leader_epoch = MAX (leader_epoch, 0);
      r->role = role;
      g_array_set_size (r->followers, 0);
      if (role == BROKER_REPLICA_LEADER)
        {
          gint64 leo = broker_log_get_end_offset (r->part->log);
          gint64 now = now_ms ();

          broker_log_set_leader_epoch (r->part->log, leader_epoch);
          r->epoch_start_offset = leo;
          for (guint i = 0; i < replicas->len; i++)
            {
              FollowerState f = { g_array_index (replicas, gint32, i), -1, now, 0, -1 };
              if (f.id == self)
                continue;
              /* Kafka starts every ISR member's clock at the election so
               * that a new leader does not shrink the ISR at once. */
              g_array_append_val (r->followers, f);
            }
          g_message ("%s-%d: leader in epoch %d at offset %" G_GINT64_FORMAT " (HW %" G_GINT64_FORMAT ")",
                     r->topic->name, r->part->index, leader_epoch, leo, r->hw);
        }
      else
        r->epoch_start_offset = -1;
    }
  /* The ISR may have lost members: the HW may now move. */
  maybe_advance_hw (r);
  complete_waits (r);
}

BrokerReplicaRole
broker_replica_get_role (BrokerReplica *r)
{
  return r->role;
}

gint32
broker_replica_get_leader (BrokerReplica *r)
{
  return r->leader;
}

guint
broker_replica_get_isr_size (BrokerReplica *r)
{
  return r->isr->len;
}

gint64
broker_replica_get_epoch_start_offset (BrokerReplica *r)
{
  return r->epoch_start_offset;
}

void
broker_replica_follower_fetched (BrokerReplica *r,
                                 gint32         follower,
                                 gint64         fetch_offset)
{
  FollowerState *f = lookup_follower (r, follower);
  gint64 leo = broker_log_get_end_offset (r->part->log);
  gint64 now = now_ms ();

  if (f == NULL || r->role != BROKER_REPLICA_LEADER)
    return;
  /* Replica.updateFetchState: caught up now when it asked for our end;
   * caught up as of its previous fetch when it asked for what our end
   * was then. */
  if (fetch_offset >= leo)
    f->last_caught_up_ms = now;
  else if (f->last_fetch_leader_leo >= 0 && fetch_offset >= f->last_fetch_leader_leo)
    f->last_caught_up_ms = MAX (f->last_caught_up_ms, f->last_fetch_ms);
  f->last_fetch_ms = now;
  f->last_fetch_leader_leo = leo;
  f->leo = MIN (fetch_offset, leo);
  maybe_advance_hw (r);
  maybe_expand_isr (r, f);
}

void
broker_replica_leader_appended (BrokerReplica *r)
{
  maybe_advance_hw (r);
}

void
broker_replica_follower_update_hw (BrokerReplica *r,
                                   gint64         leader_hw)
{
  gint64 hw = MIN (leader_hw, broker_log_get_end_offset (r->part->log));

  if (hw > r->hw)
    {
      r->hw = hw;
      broker_fetch_waiters_notify (r->broker->fetch_waiters, r->topic->name, r->part->index);
    }
}

void
broker_replica_clamp_hw (BrokerReplica *r)
{
  r->hw = MIN (r->hw, broker_log_get_end_offset (r->part->log));
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  AckWait *w = user_data;

  w->timeout_id = 0;
  g_queue_remove (&w->replica->waits, w);
  wait_finish (w, CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT);
  return G_SOURCE_REMOVE;
}

void
broker_replica_wait_for_hw (BrokerReplica        *r,
                            gint64                end_offset,
                            gint32                timeout_ms,
                            BrokerReplicaAckDone  done,
                            gpointer              user_data)
{
  AckWait *w = g_new0 (AckWait, 1);

  w->replica = r;
  w->end_offset = end_offset;
  w->done = done;
  w->user_data = user_data;
  /* Appends are in offset order, so the queue stays sorted. */
  g_queue_push_tail (&r->waits, w);
  w->timeout_id = g_timeout_add (MAX (timeout_ms, 1), on_wait_timeout, w);
  complete_waits (r);
}

gint64
broker_partition_get_high_watermark (BrokerPartition *part)
{
  if (part->replica == NULL)
    return broker_log_get_end_offset (part->log);
  return part->replica->hw;
}

gboolean
broker_partition_is_replica (BrokerPartition *part)
{
  if (part->replica == NULL)
    return TRUE;
  return array_contains (part->replica->replicas, part->replica->broker->node_id);
}

gboolean
broker_partition_is_leader (BrokerPartition *part)
{
  if (part->replica == NULL)
    return TRUE;
  /* Without a live, confirmed session another broker may lead already. */
  return part->replica->role == BROKER_REPLICA_LEADER
         && broker_cluster_is_registered (part->replica->broker->cluster);
}
