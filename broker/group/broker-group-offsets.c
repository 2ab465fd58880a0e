/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-offsets.c: committed offsets (OffsetCommit, OffsetFetch,
 * OffsetDelete, expiry) and the persistence of groups through the store
 * (__consumer_offsets, docs/groups.md). */

#include "broker-group-private.h"

#include <string.h>

#include "broker-group-store.h"
#include "broker-log.h"
#include "broker-offsets-format.h"
#include "caudal-error-codes.h"

static char *
offset_key (const char *topic,
            gint32      partition)
{
  /* 0x1f (unit separator) cannot occur in a topic name. */
  return g_strdup_printf ("%s\x1f%d", topic, partition);
}

static void
set_offset (Group      *group,
            const char *topic,
            gint32      partition,
            gint64      offset,
            gint32      leader_epoch,
            const char *metadata,
            gint64      commit_timestamp)
{
  GroupOffset *o = g_new0 (GroupOffset, 1);

  o->topic = g_strdup (topic);
  o->partition = partition;
  o->offset = offset;
  o->leader_epoch = leader_epoch;
  o->metadata = g_strdup (metadata != NULL ? metadata : "");
  o->commit_timestamp = commit_timestamp;
  g_hash_table_insert (group->offsets, offset_key (topic, partition), o);
}

/* ---- persistence ---- */

void
group_persist (BrokerGroupCoordinator *coord,
               Group                  *group)
{
  g_autoptr(BrokerGroupMetadataRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gboolean needs_flush = FALSE;

  if (coord->store == NULL)
    return;
  if (group->state != GROUP_DEAD)
    {
      record = broker_group_metadata_record_new ();
      record->protocol_type = g_strdup (group->protocol_type != NULL ? group->protocol_type : "");
      record->generation = group->generation;
      record->protocol = g_strdup (group->protocol);
      record->leader = g_strdup (group->leader_id);
      record->current_state_timestamp = group->state_timestamp;
      for (guint i = 0; i < group->member_order->len; i++)
        {
          GroupMember *m = g_ptr_array_index (group->member_order, i);
          BrokerGroupMemberRecord *mr = broker_group_member_record_new ();
          GBytes *subscription = member_metadata_for (m, group->protocol);

          mr->member_id = g_strdup (m->member_id);
          mr->group_instance_id = g_strdup (m->group_instance_id);
          mr->client_id = g_strdup (m->client_id);
          mr->client_host = g_strdup (m->client_host);
          mr->rebalance_timeout_ms = m->rebalance_timeout_ms;
          mr->session_timeout_ms = m->session_timeout_ms;
          mr->subscription = subscription != NULL ? g_bytes_ref (subscription) : g_bytes_new (NULL, 0);
          mr->assignment = g_bytes_ref (m->assignment);
          g_ptr_array_add (record->members, mr);
        }
    }
  /* Group metadata is advisory (members rejoin after a restart): it is
   * written but not waited on, like Kafka's own group metadata appends
   * under acks=1 replication of a single node. */
  if (!broker_group_store_write_group (coord->store, group->group_id, record, &needs_flush, &error))
    g_warning ("group %s: cannot store its metadata: %s", group->group_id, error->message);
}

void
coordinator_restore_group (BrokerGroupCoordinator *coord,
                           const char             *group_id,
                           const char             *protocol_type,
                           gint32                  generation,
                           const char             *protocol,
                           gint64                  state_timestamp)
{
  Group *group = coordinator_get_group (coord, group_id);

  if (group == NULL)
    group = coordinator_add_group (coord, group_id);
  /* Members are not restored: after a restart they rejoin (their
   * heartbeats get UNKNOWN_MEMBER_ID), which is a rebalance, not a loss. */
  group->generation = generation;
  group->state = GROUP_EMPTY;
  group->state_timestamp = state_timestamp;
}

void
coordinator_restore_offset (BrokerGroupCoordinator *coord,
                            const char             *group_id,
                            const char             *topic,
                            gint32                  partition,
                            gint64                  offset,
                            gint32                  leader_epoch,
                            const char             *metadata,
                            gint64                  commit_timestamp)
{
  Group *group = coordinator_get_group (coord, group_id);

  if (group == NULL)
    group = coordinator_add_group (coord, group_id);
  set_offset (group, topic, partition, offset, leader_epoch, metadata, commit_timestamp);
}

void
coordinator_forget (BrokerGroupCoordinator *coord,
                    const char             *group_id,
                    const char             *topic,
                    gint32                  partition)
{
  Group *group = coordinator_get_group (coord, group_id);
  g_autofree char *key = NULL;

  if (group == NULL)
    return;
  key = offset_key (topic, partition);
  g_hash_table_remove (group->offsets, key);
}

static void
load_offset (const char                    *group_id,
             const char                    *topic,
             gint32                         partition,
             const BrokerOffsetCommitValue *value,
             gpointer                       user_data)
{
  BrokerGroupCoordinator *coord = user_data;

  if (value == NULL)
    coordinator_forget (coord, group_id, topic, partition);
  else
    coordinator_restore_offset (coord, group_id, topic, partition, value->offset,
                                value->leader_epoch, value->metadata, value->commit_timestamp);
}

static void
load_group (const char                      *group_id,
            const BrokerGroupMetadataRecord *value,
            gpointer                         user_data)
{
  BrokerGroupCoordinator *coord = user_data;
  Group *group = coordinator_get_group (coord, group_id);

  if (value == NULL)
    {
      /* A tombstone: the group was deleted (its offsets went before). */
      if (group != NULL)
        coordinator_remove_group (coord, group);
      return;
    }
  coordinator_restore_group (coord, group_id, value->protocol_type, value->generation,
                             value->protocol, value->current_state_timestamp);
}

const BrokerGroupStoreVisitor coordinator_load_visitor = { load_offset, load_group };

gboolean
broker_group_coordinator_load (BrokerGroupCoordinator *coord,
                               GError                **error)
{
  if (coord->store == NULL)
    return TRUE;
  if (!broker_group_store_load (coord->store, &coordinator_load_visitor, coord, error))
    return FALSE;
  g_message ("loaded %u consumer group(s)", g_hash_table_size (coord->groups));
  return TRUE;
}

/* ---- OffsetCommit ---- */

typedef struct
{
  BrokerCommitCallback     callback;
  gpointer                 user_data;
  BrokerGroupReplicateFunc replicate;   /* NULL: single-node mode */
  gpointer                 replicate_data;
  gint32                   partition;
  gint64                   end_offset;
} CommitWait;

static void
on_commit_replicated (gint16   error,
                      gpointer user_data)
{
  CommitWait *wait = user_data;

  wait->callback (error, wait->user_data);
  g_free (wait);
}

/* Flushed (when the policy asked for it): in cluster mode the answer
 * also waits for the high watermark, as Kafka's offset appends use
 * acks=-1 (GroupMetadataManager.storeOffsets). */
static void
commit_stored (CommitWait *wait)
{
  if (wait->replicate != NULL)
    {
      wait->replicate (wait->partition, wait->end_offset, on_commit_replicated, wait,
                       wait->replicate_data);
      return;
    }
  on_commit_replicated (CAUDAL_ERROR_CODE_NONE, wait);
}

static void
on_commit_flushed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CommitWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  if (!broker_log_flush_finish ((BrokerLog *) source, result, &error))
    {
      g_warning ("flushing committed offsets: %s", error->message);
      on_commit_replicated (CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR, wait);
      return;
    }
  commit_stored (wait);
}

/* Kafka's doCommitOffsets checks, in its order. */
static gint16
check_commit (BrokerGroupCoordinator *coord,
              Group                  *group,
              const char             *member_id,
              const char             *group_instance_id,
              gint32                  generation)
{
  GroupMember *m;

  if (group->state == GROUP_DEAD)
    return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
  if (generation < 0 && group->state == GROUP_EMPTY)
    /* A commit from a client that manages its own partitions. */
    return CAUDAL_ERROR_CODE_NONE;
  if (group_instance_id != NULL)
    {
      const char *current = g_hash_table_lookup (group->static_members, group_instance_id);
      if (current != NULL && g_strcmp0 (current, member_id) != 0)
        return CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID;
    }
  m = member_id != NULL ? g_hash_table_lookup (group->members, member_id) : NULL;
  if (m == NULL)
    return CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID;
  if (generation != group->generation)
    return CAUDAL_ERROR_CODE_ILLEGAL_GENERATION;
  /* The member is current but the assignment is being synced. */
  if (group->state == GROUP_COMPLETING_REBALANCE)
    return CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS;
  /* A commit is a sign of life. */
  m->session_deadline = coordinator_now (coord) + m->session_timeout_ms;
  return CAUDAL_ERROR_CODE_NONE;
}

void
broker_group_commit_offsets (BrokerGroupCoordinator *coord,
                             const char             *group_id,
                             const char             *member_id,
                             const char             *group_instance_id,
                             gint32                  generation,
                             BrokerCommitEntry      *entries,
                             guint                   n_entries,
                             BrokerCommitCallback    callback,
                             gpointer                user_data)
{
  Group *group;
  gint16 error;
  gint64 now = coordinator_now (coord);
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean needs_flush = FALSE;

  if (group_id == NULL)
    {
      callback (CAUDAL_ERROR_CODE_INVALID_GROUP_ID, user_data);
      return;
    }
  /* "" is a valid id for commits (Kafka keeps it for old clients). */
  group = coordinator_get_group (coord, group_id);
  if (group == NULL)
    {
      if (generation >= 0)
        {
          /* A member of a group we do not know. */
          callback (CAUDAL_ERROR_CODE_ILLEGAL_GENERATION, user_data);
          return;
        }
      group = coordinator_add_group (coord, group_id);
    }
  error = check_commit (coord, group, member_id, group_instance_id, generation);
  if (error != CAUDAL_ERROR_CODE_NONE)
    {
      callback (error, user_data);
      return;
    }

  stored = g_array_new (FALSE, TRUE, sizeof (BrokerOffsetCommitEntry));
  values = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_offset_commit_value_free);
  for (guint i = 0; i < n_entries; i++)
    {
      BrokerCommitEntry *e = &entries[i];
      BrokerOffsetCommitEntry se = { 0 };
      BrokerOffsetCommitValue *value;

      if (e->error != CAUDAL_ERROR_CODE_NONE)
        continue;
      if (e->metadata != NULL && strlen (e->metadata) > (gsize) coord->cfg.offset_metadata_max_bytes)
        {
          e->error = CAUDAL_ERROR_CODE_OFFSET_METADATA_TOO_LARGE;
          continue;
        }
      value = broker_offset_commit_value_new (e->offset, e->leader_epoch,
                                              e->metadata != NULL ? e->metadata : "", now);
      g_ptr_array_add (values, value);
      se.topic = e->topic;
      se.partition = e->partition;
      se.value = value;
      g_array_append_val (stored, se);
    }

  /* Durable first (one batch: the commit is atomic), then visible. */
  if (coord->store != NULL && stored->len > 0
      && !broker_group_store_write_offsets (coord->store, group_id,
                                            (const BrokerOffsetCommitEntry *) (gpointer) stored->data,
                                            stored->len, &needs_flush, &local_error))
    {
      g_warning ("group %s: cannot store offsets: %s", group_id, local_error->message);
      callback (CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR, user_data);
      return;
    }
  for (guint i = 0; i < n_entries; i++)
    {
      BrokerCommitEntry *e = &entries[i];
      if (e->error == CAUDAL_ERROR_CODE_NONE)
        set_offset (group, e->topic, e->partition, e->offset, e->leader_epoch, e->metadata, now);
    }

  if (needs_flush || (coord->replicate != NULL && stored->len > 0))
    {
      CommitWait *wait = g_new0 (CommitWait, 1);
      BrokerLog *log = broker_group_store_get_log (coord->store, group_id);

      wait->callback = callback;
      wait->user_data = user_data;
      if (stored->len > 0)
        {
          wait->replicate = coord->replicate;
          wait->replicate_data = coord->replicate_data;
          wait->partition = broker_group_store_partition_for (coord->store, group_id);
          /* The append above was synchronous: the log ends with it. */
          wait->end_offset = broker_log_get_end_offset (log);
        }
      if (needs_flush)
        broker_log_flush_async (log, NULL, on_commit_flushed, wait);
      else
        commit_stored (wait);
      return;
    }
  callback (CAUDAL_ERROR_CODE_NONE, user_data);
}

/* ---- reading offsets ---- */

gboolean
broker_group_fetch_offset (BrokerGroupCoordinator *coord,
                           const char             *group_id,
                           const char             *topic,
                           gint32                  partition,
                           BrokerCommittedOffset  *out)
{
  Group *group = coordinator_get_group (coord, group_id);
  g_autofree char *key = NULL;
  GroupOffset *o;

  if (group == NULL)
    return FALSE;
  key = offset_key (topic, partition);
  o = g_hash_table_lookup (group->offsets, key);
  if (o == NULL)
    return FALSE;
  out->topic = o->topic;
  out->partition = o->partition;
  out->offset = o->offset;
  out->leader_epoch = o->leader_epoch;
  out->metadata = o->metadata;
  out->commit_timestamp = o->commit_timestamp;
  return TRUE;
}

static gint
compare_offsets (gconstpointer a,
                 gconstpointer b)
{
  const BrokerCommittedOffset *oa = a, *ob = b;
  int c = strcmp (oa->topic, ob->topic);

  return c != 0 ? c : (oa->partition > ob->partition) - (oa->partition < ob->partition);
}

GArray *
broker_group_list_offsets (BrokerGroupCoordinator *coord,
                           const char             *group_id)
{
  Group *group = coordinator_get_group (coord, group_id);
  GArray *out = g_array_new (FALSE, TRUE, sizeof (BrokerCommittedOffset));
  GHashTableIter iter;
  gpointer value;

  if (group == NULL)
    return out;
  g_hash_table_iter_init (&iter, group->offsets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GroupOffset *o = value;
      BrokerCommittedOffset c = { o->topic, o->partition, o->offset, o->leader_epoch, o->metadata,
                                  o->commit_timestamp };
      g_array_append_val (out, c);
    }
  g_array_sort (out, compare_offsets);
  return out;
}

/* ---- deleting offsets ---- */

static void
store_tombstones (BrokerGroupCoordinator *coord,
                  const char             *group_id,
                  GPtrArray              *removed)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (BrokerOffsetCommitEntry));
  g_autoptr(GError) error = NULL;
  gboolean needs_flush = FALSE;

  if (coord->store == NULL || removed->len == 0)
    return;
  for (guint i = 0; i < removed->len; i++)
    {
      GroupOffset *o = g_ptr_array_index (removed, i);
      BrokerOffsetCommitEntry e = { o->topic, o->partition, NULL };
      g_array_append_val (entries, e);
    }
  if (!broker_group_store_write_offsets (coord->store, group_id,
                                         (const BrokerOffsetCommitEntry *) (gpointer) entries->data,
                                         entries->len, &needs_flush, &error))
    g_warning ("group %s: cannot store deleted offsets: %s", group_id, error->message);
}

/* Removes the offsets @pred selects, durably. */
static guint
remove_offsets (BrokerGroupCoordinator *coord,
                Group                  *group,
                gboolean              (*pred) (GroupOffset *o, gpointer data),
                gpointer                data)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func ((GDestroyNotify) group_offset_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, group->offsets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (pred (value, data))
      {
        /* Stealing hands us the key too. */
        g_hash_table_iter_steal (&iter);
        g_free (key);
        g_ptr_array_add (removed, value);
      }
  store_tombstones (coord, group->group_id, removed);
  return removed->len;
}

/* Whether a member's consumer-protocol subscription names @topic. The
 * subscription (ConsumerProtocolSubscription) starts with an int16
 * version and an array of string topics. */
/* Whether a member's consumer-protocol subscription names @topic. The
 * subscription (ConsumerProtocolSubscription) starts with an int16
 * version and an array of string topics. One that cannot be read counts
 * as subscribed, as Kafka's isSubscribedToTopic does. */
static gboolean
subscription_has_topic (GBytes     *metadata,
                        const char *topic)
{
  gsize len = 0;
  const guint8 *p = metadata != NULL ? g_bytes_get_data (metadata, &len) : NULL;
  gsize pos = 2;
  gint32 n;

  if (p == NULL || len < 6)
    return TRUE;
  n = (gint32) (((guint32) p[2] << 24) | ((guint32) p[3] << 16) | ((guint32) p[4] << 8) | p[5]);
  pos += 4;
  if (n < 0)
    return TRUE;
  for (gint32 i = 0; i < n; i++)
    {
      guint16 slen;

      if (pos + 2 > len)
        return TRUE;
      slen = (guint16) ((p[pos] << 8) | p[pos + 1]);
      pos += 2;
      if (pos + slen > len)
        return TRUE;
      if (slen == strlen (topic) && memcmp (p + pos, topic, slen) == 0)
        return TRUE;
      pos += slen;
    }
  return FALSE;
}

gint16
broker_group_check_offset_delete (BrokerGroupCoordinator *coord,
                                  const char             *group_id)
{
  Group *group = coordinator_get_group (coord, group_id);

  if (group == NULL || group->state == GROUP_DEAD)
    return CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND;
  /* Kafka refuses for groups of a protocol it cannot read subscriptions
   * of; only "consumer" groups with members are checked per topic. */
  if (g_hash_table_size (group->members) > 0 && g_strcmp0 (group->protocol_type, "consumer") != 0)
    return CAUDAL_ERROR_CODE_NON_EMPTY_GROUP;
  return CAUDAL_ERROR_CODE_NONE;
}

typedef struct
{
  const char *topic;
  gint32      partition;
} OffsetMatch;

static gboolean
match_partition (GroupOffset *o,
                 gpointer     data)
{
  OffsetMatch *m = data;

  return strcmp (o->topic, m->topic) == 0 && (m->partition < 0 || o->partition == m->partition);
}

gint16
broker_group_delete_offset (BrokerGroupCoordinator *coord,
                            const char             *group_id,
                            const char             *topic,
                            gint32                  partition)
{
  Group *group = coordinator_get_group (coord, group_id);
  OffsetMatch match = { topic, partition };

  if (group == NULL || group->state == GROUP_DEAD)
    return CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND;
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      if (subscription_has_topic (member_metadata_for (m, group->protocol), topic))
        return CAUDAL_ERROR_CODE_GROUP_SUBSCRIBED_TO_TOPIC;
    }
  remove_offsets (coord, group, match_partition, &match);
  return CAUDAL_ERROR_CODE_NONE;
}

void
broker_group_coordinator_topic_deleted (BrokerGroupCoordinator *coord,
                                        const char             *topic)
{
  OffsetMatch match = { topic, -1 };
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    remove_offsets (coord, value, match_partition, &match);
}

static gboolean
older_than (GroupOffset *o,
            gpointer     data)
{
  return o->commit_timestamp < *(gint64 *) data;
}

static gboolean
any_offset (GroupOffset *o,
            gpointer     data)
{
  return TRUE;
}

void
coordinator_remove_all_offsets (BrokerGroupCoordinator *coord,
                                Group                  *group)
{
  remove_offsets (coord, group, any_offset, NULL);
}

typedef struct
{
  Group *group;
  gint64 cutoff;
} UnsubscribedMatch;

static gboolean
unsubscribed_and_old (GroupOffset *o,
                      gpointer     data)
{
  UnsubscribedMatch *m = data;

  if (o->commit_timestamp >= m->cutoff)
    return FALSE;
  for (guint i = 0; i < m->group->member_order->len; i++)
    {
      GroupMember *member = g_ptr_array_index (m->group->member_order, i);
      if (subscription_has_topic (member_metadata_for (member, m->group->protocol), o->topic))
        return FALSE;
    }
  return TRUE;
}

/* KIP-211: the offsets of a group expire offsets.retention.minutes after
 * the group became empty; an empty group without offsets then goes. */
void
coordinator_expire_offsets (BrokerGroupCoordinator *coord)
{
  gint64 now = coordinator_now (coord);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Group *group = value;
      gint64 cutoff = now - coord->cfg.offsets_retention_ms;

      guint removed;

      if (group->state == GROUP_STABLE && g_strcmp0 (group->protocol_type, "consumer") == 0)
        {
          /* KIP-496: a live consumer group drops the offsets of topics no
           * member subscribes to any more, by their commit time. */
          UnsubscribedMatch match = { group, cutoff };
          if (remove_offsets (coord, group, unsubscribed_and_old, &match) > 0)
            g_message ("group %s: offsets of unsubscribed topics expired", group->group_id);
          continue;
        }
      if (group->state != GROUP_EMPTY)
        continue;
      /* A group that had members: everything goes once it has been empty
       * for the retention period. Group-less commits: each offset by its
       * own commit time (Kafka's base timestamps). */
      if (group->protocol_type == NULL && group->generation == 0)
        removed = remove_offsets (coord, group, older_than, &cutoff);
      else if (group->state_timestamp <= cutoff)
        removed = remove_offsets (coord, group, any_offset, NULL);
      else
        continue;
      if (removed > 0)
        g_message ("group %s: committed offsets expired", group->group_id);
      if (g_hash_table_size (group->offsets) == 0)
        g_ptr_array_add (gone, group);
    }
  for (guint i = 0; i < gone->len; i++)
    {
      Group *group = g_ptr_array_index (gone, i);
      group->state = GROUP_DEAD;
      group_persist (coord, group);
      coordinator_remove_group (coord, group);
    }
}

/* ---- compaction ---- */

static void
snapshot_partition (BrokerGroupStore *store,
                    gint32            partition,
                    gpointer          user_data)
{
  BrokerGroupCoordinator *coord = user_data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Group *group = value;
      g_autoptr(GArray) entries = NULL;
      g_autoptr(GPtrArray) values = NULL;
      g_autoptr(GError) error = NULL;
      GHashTableIter oi;
      gpointer ov;
      gboolean needs_flush = FALSE;

      if (group->state == GROUP_DEAD
          || broker_group_store_partition_for (store, group->group_id) != partition)
        continue;
      group_persist (coord, group);
      entries = g_array_new (FALSE, TRUE, sizeof (BrokerOffsetCommitEntry));
      values = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_offset_commit_value_free);
      g_hash_table_iter_init (&oi, group->offsets);
      while (g_hash_table_iter_next (&oi, NULL, &ov))
        {
          GroupOffset *o = ov;
          BrokerOffsetCommitValue *v = broker_offset_commit_value_new (o->offset, o->leader_epoch,
                                                                       o->metadata, o->commit_timestamp);
          BrokerOffsetCommitEntry e = { o->topic, o->partition, v };
          g_ptr_array_add (values, v);
          g_array_append_val (entries, e);
        }
      if (entries->len > 0
          && !broker_group_store_write_offsets (store, group->group_id,
                                                (const BrokerOffsetCommitEntry *) (gpointer) entries->data,
                                                entries->len, &needs_flush, &error))
        g_warning ("group %s: snapshot of offsets failed: %s", group->group_id, error->message);
    }
}

guint
broker_group_coordinator_compact (BrokerGroupCoordinator *coord,
                                  gint64                  max_bytes)
{
  if (coord->store == NULL)
    return 0;
  return broker_group_store_compact (coord->store, max_bytes, snapshot_partition, coord);
}
