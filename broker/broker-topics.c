/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-topics.c: the topic registry: metadata store + partition logs. */

#include "broker-topics.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "broker-checkpoint.h"
#include "broker-log-writer.h"
#include "broker-partition-producers.h"
#include "broker-producers.h"
#include "broker-replica.h"
#include "broker-topic-config.h"

#define LOG_START_CHECKPOINT "log-start-offset-checkpoint"
#define RECOVERY_CHECKPOINT  "recovery-point-offset-checkpoint"
/* Cluster mode: each partition's high watermark (Kafka's file name). */
#define REPLICATION_CHECKPOINT "replication-offset-checkpoint"

struct _BrokerTopics
{
  BrokerConfig    *config;
  BrokerMetaStore *store;
  char            *data_dir;
  GHashTable      *by_name;   /* name → BrokerTopic* (owned) */
  GHashTable      *checkpoint_hws;   /* while opening: "t-p" → HW */
};

static void
partition_free (BrokerPartition *p)
{
  g_clear_pointer (&p->replica, broker_replica_free);
  if (p->log != NULL)
    broker_log_close (p->log);
  broker_producer_state_free (p->producers);
  g_free (p);
}

static void
topic_free (BrokerTopic *topic)
{
  g_free (topic->name);
  g_ptr_array_unref (topic->partitions);
  g_hash_table_unref (topic->configs);
  g_free (topic);
}

static GHashTable *
copy_configs (GHashTable *configs)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer k, v;

  if (configs == NULL)
    return copy;
  g_hash_table_iter_init (&iter, configs);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_insert (copy, g_strdup (k), g_strdup (v));
  return copy;
}

BrokerConfig *
broker_topics_get_config (BrokerTopics *topics)
{
  return topics->config;
}

void
broker_topics_log_config (BrokerTopics    *topics,
                          GHashTable      *overrides,
                          BrokerLogConfig *out)
{
  BrokerConfig *c = topics->config;
  g_autofree char *ts_type = broker_topic_config_get (c, overrides, "message.timestamp.type");

  broker_log_config_init_defaults (out);
  out->segment_bytes = broker_topic_config_get_int64 (c, overrides, "segment.bytes");
  out->segment_ms = broker_topic_config_get_int64 (c, overrides, "segment.ms");
  out->retention_ms = broker_topic_config_get_int64 (c, overrides, "retention.ms");
  out->retention_bytes = broker_topic_config_get_int64 (c, overrides, "retention.bytes");
  out->flush_messages = broker_topic_config_get_int64 (c, overrides, "flush.messages");
  out->flush_ms = broker_topic_config_get_int64 (c, overrides, "flush.ms");
  out->index_interval_bytes = (gint32) broker_topic_config_get_int64 (c, overrides,
                                                                      "index.interval.bytes");
  out->log_append_time = g_strcmp0 (ts_type, "LogAppendTime") == 0;
  {
    /* Retention deletes only under cleanup.policy=delete: a compacted topic
     * such as __consumer_offsets keeps its latest values indefinitely. */
    g_autofree char *policy = broker_topic_config_get (c, overrides, "cleanup.policy");
    g_auto(GStrv) policies = g_strsplit (policy != NULL ? policy : "delete", ",", -1);
    gboolean deletes = FALSE;

    for (guint i = 0; policies[i] != NULL; i++)
      if (strcmp (g_strstrip (policies[i]), "delete") == 0)
        deletes = TRUE;
    if (!deletes)
      {
        out->retention_ms = -1;
        out->retention_bytes = -1;
      }
  }
}

static char *
partition_dir (BrokerTopics *topics,
               const char   *name,
               gint32        index)
{
  g_autofree char *base = g_strdup_printf ("%s-%d", name, index);
  return g_build_filename (topics->data_dir, base, NULL);
}

/* Start offsets recorded by DeleteRecords and retention; -1 when none. */
static gint64
lookup_offset (GHashTable *checkpoint,
               const char *name,
               gint32      index)
{
  g_autofree char *key = g_strdup_printf ("%s-%d", name, index);
  gpointer value;

  if (checkpoint == NULL || !g_hash_table_lookup_extended (checkpoint, key, NULL, &value))
    return -1;
  return *(gint64 *) value;
}

static BrokerPartition *
open_partition (BrokerTopics *topics,
                BrokerTopic  *topic,
                gint32        index,
                GHashTable   *start_offsets,
                GError      **error)
{
  g_autofree char *dir = partition_dir (topics, topic->name, index);
  BrokerLogConfig cfg;
  BrokerPartition *p;
  BrokerLog *log;

  broker_topics_log_config (topics, topic->configs, &cfg);
  /* Recovery's warnings (a torn tail truncated, indexes rebuilt) name
   * only files; in the journal they also carry the partition. */
  broker_log_writer_set_partition (topic->name, index);
  log = broker_log_open (dir, &cfg, lookup_offset (start_offsets, topic->name, index), error);
  broker_log_writer_set_partition (NULL, 0);
  if (log == NULL)
    return NULL;
  p = g_new0 (BrokerPartition, 1);
  p->index = index;
  p->log = log;
  p->leader_epoch = 0;
  p->snapshot_offset = -1;
  /* Idempotent producers are known again after a restart: their retried
   * batches are answered, not written twice. */
  broker_partition_rebuild_producers (p);
  p->checkpoint_hw = lookup_offset (topics->checkpoint_hws, topic->name, index);
  return p;
}

static GHashTable *
read_offsets (BrokerTopics *topics,
              const char   *file)
{
  g_autofree char *path = g_build_filename (topics->data_dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  entries = broker_checkpoint_read (path, &error);
  if (entries == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("ignoring %s: %s", path, error->message);
      return out;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      const BrokerCheckpointEntry *e = g_ptr_array_index (entries, i);
      gint64 *value = g_new (gint64, 1);
      *value = e->offset;
      g_hash_table_insert (out, g_strdup_printf ("%s-%d", e->topic, e->partition), value);
    }
  return out;
}

BrokerTopics *
broker_topics_open (BrokerConfig    *config,
                    BrokerMetaStore *store,
                    const char      *data_dir,
                    GError         **error)
{
  g_autoptr(GPtrArray) metas = NULL;
  g_autoptr(GHashTable) start_offsets = NULL;
  BrokerTopics *topics = g_new0 (BrokerTopics, 1);

  topics->config = config;
  topics->store = store;
  topics->data_dir = g_strdup (data_dir);
  topics->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) topic_free);

  metas = store->vtable->load_topics (store, error);
  if (metas == NULL)
    {
      broker_topics_close (topics);
      return NULL;
    }
  start_offsets = read_offsets (topics, LOG_START_CHECKPOINT);
  topics->checkpoint_hws = read_offsets (topics, REPLICATION_CHECKPOINT);
  for (guint i = 0; i < metas->len; i++)
    {
      BrokerTopicMeta *meta = g_ptr_array_index (metas, i);
      BrokerTopic *topic = g_new0 (BrokerTopic, 1);

      topic->name = g_strdup (meta->name);
      topic->id = meta->id;
      topic->configs = copy_configs (meta->configs);
      topic->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
      topic->internal = g_str_has_prefix (topic->name, "__");
      g_hash_table_insert (topics->by_name, topic->name, topic);
      for (gint32 p = 0; p < meta->n_partitions; p++)
        {
          BrokerPartition *part = open_partition (topics, topic, p, start_offsets, error);
          if (part == NULL)
            {
              g_prefix_error (error, "topic %s: ", topic->name);
              broker_topics_close (topics);
              return NULL;
            }
          g_ptr_array_add (topic->partitions, part);
        }
    }
  return topics;
}

void
broker_topics_close (BrokerTopics *topics)
{
  g_autoptr(GError) error = NULL;

  GHashTableIter iter;
  gpointer value;

  if (topics == NULL)
    return;
  /* Flush first, so the recovery points written next cover everything. */
  g_hash_table_iter_init (&iter, topics->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BrokerTopic *topic = value;
      for (guint i = 0; i < topic->partitions->len; i++)
        {
          BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
          g_autoptr(GError) flush_error = NULL;
          if (part->log != NULL && !broker_log_flush (part->log, &flush_error))
            g_warning ("closing %s: %s", broker_log_get_dir (part->log), flush_error->message);
          else if (part->log != NULL)
            broker_partition_snapshot_producers (part);
        }
    }
  if (g_hash_table_size (topics->by_name) > 0
      && !broker_topics_write_checkpoints (topics, &error))
    g_warning ("%s", error->message);
  g_hash_table_unref (topics->by_name);
  g_clear_pointer (&topics->checkpoint_hws, g_hash_table_unref);
  g_free (topics->data_dir);
  g_free (topics);
}

BrokerTopic *
broker_topics_lookup (BrokerTopics *topics,
                      const char   *name)
{
  if (name == NULL)
    return NULL;
  return g_hash_table_lookup (topics->by_name, name);
}

BrokerTopic *
broker_topics_lookup_id (BrokerTopics     *topics,
                         const CaudalUuid *id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, topics->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BrokerTopic *topic = value;
      if (memcmp (&topic->id, id, sizeof *id) == 0)
        return topic;
    }
  return NULL;
}

BrokerPartition *
broker_topics_lookup_partition (BrokerTopics *topics,
                                const char   *name,
                                gint32        partition)
{
  BrokerTopic *topic = broker_topics_lookup (topics, name);

  if (topic == NULL || partition < 0 || (guint) partition >= topic->partitions->len)
    return NULL;
  return g_ptr_array_index (topic->partitions, partition);
}

static gint
compare_topic_names (gconstpointer a,
                     gconstpointer b)
{
  const BrokerTopic *ta = *(BrokerTopic *const *) a;
  const BrokerTopic *tb = *(BrokerTopic *const *) b;

  return strcmp (ta->name, tb->name);
}

GPtrArray *
broker_topics_list (BrokerTopics *topics)
{
  GPtrArray *out = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, topics->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (out, value);
  g_ptr_array_sort (out, compare_topic_names);
  return out;
}

guint
broker_topics_count (BrokerTopics *topics)
{
  return g_hash_table_size (topics->by_name);
}

gboolean
broker_topic_name_validate (const char *name,
                            GError    **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Topic name is illegal, it can't be empty");
      return FALSE;
    }
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Topic name cannot be \".\" or \"..\"");
      return FALSE;
    }
  if (len > BROKER_TOPIC_NAME_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Topic name is illegal, it can't be longer than %d characters, topic name: %s",
                   BROKER_TOPIC_NAME_MAX, name);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "Topic name \"%s\" is illegal, it contains a character other than ASCII "
                     "alphanumerics, '.', '_' and '-'", name);
        return FALSE;
      }
  return TRUE;
}

BrokerTopic *
broker_topics_find_collision (BrokerTopics *topics,
                              const char   *name)
{
  g_autofree char *unified = g_strdelimit (g_strdup (name), ".", '_');
  GHashTableIter iter;
  gpointer value;

  if (strchr (name, '.') == NULL && strchr (name, '_') == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, topics->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BrokerTopic *topic = value;
      g_autofree char *other = g_strdelimit (g_strdup (topic->name), ".", '_');

      if (strcmp (topic->name, name) != 0 && strcmp (other, unified) == 0)
        return topic;
    }
  return NULL;
}

static gboolean
store_topic (BrokerTopics *topics,
             BrokerTopic  *topic,
             gint32        n_partitions,
             GError      **error)
{
  g_autoptr(BrokerTopicMeta) meta = broker_topic_meta_new (topic->name, &topic->id, n_partitions,
                                                           topic->configs);

  return topics->store->vtable->put_topic (topics->store, meta, error);
}

BrokerTopic *
broker_topics_create (BrokerTopics *topics,
                      const char   *name,
                      gint32        n_partitions,
                      GHashTable   *configs,
                      GError      **error)
{
  return broker_topics_create_with_id (topics, name, NULL, n_partitions, configs, error);
}

BrokerTopic *
broker_topics_create_with_id (BrokerTopics     *topics,
                              const char       *name,
                              const CaudalUuid *id,
                              gint32            n_partitions,
                              GHashTable       *configs,
                              GError          **error)
{
  BrokerTopic *topic;

  g_return_val_if_fail (broker_topics_lookup (topics, name) == NULL, NULL);
  g_return_val_if_fail (n_partitions > 0, NULL);

  topic = g_new0 (BrokerTopic, 1);
  topic->name = g_strdup (name);
  if (id != NULL)
    topic->id = *id;
  else
    broker_uuid_generate (&topic->id);
  topic->configs = copy_configs (configs);
  topic->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
  topic->internal = g_str_has_prefix (name, "__");

  for (gint32 p = 0; p < n_partitions; p++)
    {
      BrokerPartition *part = open_partition (topics, topic, p, NULL, error);
      if (part == NULL)
        goto fail;
      g_ptr_array_add (topic->partitions, part);
    }
  /* Recorded last: a crash before this leaves directories that the next
   * start ignores, never a topic without its logs. */
  if (!store_topic (topics, topic, n_partitions, error))
    goto fail;
  g_hash_table_insert (topics->by_name, topic->name, topic);
  g_message ("created topic %s with %d partition(s)", name, n_partitions);
  return topic;

fail:
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
      (void) broker_log_delete (part->log, NULL);
      part->log = NULL;
    }
  topic_free (topic);
  return NULL;
}

gboolean
broker_topics_delete (BrokerTopics *topics,
                      BrokerTopic  *topic,
                      GError      **error)
{
  g_autofree char *name = g_strdup (topic->name);

  /* Forget it durably first: a crash mid-way then leaves only orphan
   * directories, never a topic whose files are half gone. */
  if (!topics->store->vtable->delete_topic (topics->store, topic->name, error))
    return FALSE;
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
      g_autoptr(GError) local_error = NULL;

      if (!broker_log_delete (part->log, &local_error))
        g_warning ("topic %s partition %u: %s", name, i, local_error->message);
      part->log = NULL;
    }
  g_hash_table_remove (topics->by_name, name);
  g_message ("deleted topic %s", name);
  return TRUE;
}

gboolean
broker_topics_add_partitions (BrokerTopics *topics,
                              BrokerTopic  *topic,
                              gint32        new_total,
                              GError      **error)
{
  guint old_total = topic->partitions->len;

  g_return_val_if_fail (new_total > (gint32) old_total, FALSE);
  for (gint32 p = (gint32) old_total; p < new_total; p++)
    {
      BrokerPartition *part = open_partition (topics, topic, p, NULL, error);
      if (part == NULL)
        goto fail;
      g_ptr_array_add (topic->partitions, part);
    }
  if (!store_topic (topics, topic, new_total, error))
    goto fail;
  g_message ("topic %s now has %d partitions", topic->name, new_total);
  return TRUE;

fail:
  while (topic->partitions->len > old_total)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, topic->partitions->len - 1);
      (void) broker_log_delete (part->log, NULL);
      part->log = NULL;
      g_ptr_array_set_size (topic->partitions, topic->partitions->len - 1);
    }
  return FALSE;
}

gboolean
broker_topics_set_configs (BrokerTopics *topics,
                           BrokerTopic  *topic,
                           GHashTable   *configs,
                           GError      **error)
{
  GHashTable *old = topic->configs;
  BrokerLogConfig cfg;

  topic->configs = copy_configs (configs);
  if (!store_topic (topics, topic, (gint32) topic->partitions->len, error))
    {
      g_hash_table_unref (topic->configs);
      topic->configs = old;
      return FALSE;
    }
  g_hash_table_unref (old);
  broker_topics_log_config (topics, topic->configs, &cfg);
  for (guint i = 0; i < topic->partitions->len; i++)
    {
      BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
      broker_log_set_config (part->log, &cfg);
    }
  return TRUE;
}

void
broker_topics_housekeeping (BrokerTopics *topics,
                            gint64        now_ms)
{
  gint64 expiration_ms = broker_config_get_int64 (topics->config, "producer.id.expiration.ms");
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, topics->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BrokerTopic *topic = value;

      for (guint i = 0; i < topic->partitions->len; i++)
        {
          BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
          g_autoptr(GError) error = NULL;

          if (!broker_log_maybe_roll (part->log, now_ms, &error))
            g_warning ("topic %s partition %u: %s", topic->name, i, error->message);
          if (broker_log_apply_retention (part->log, now_ms) > 0)
            g_debug ("retention on %s-%u moved the start offset to %" G_GINT64_FORMAT, topic->name,
                     i, broker_log_get_start_offset (part->log));
          broker_producer_state_expire (part->producers, now_ms, expiration_ms);
          /* Bounds the replay after a crash to the batches since. */
          broker_partition_snapshot_producers (part);
        }
    }
  /* Start offsets move by retention and DeleteRecords, recovery points by
   * flushes: record both, as Kafka's periodic checkpoint tasks do. */
  {
    g_autoptr(GError) error = NULL;
    if (!broker_topics_write_checkpoints (topics, &error))
      g_warning ("%s", error->message);
  }
}

/* Cluster mode only: a restarted broker starts from the high watermark
 * it knew, so consumers never see it move back on its own. */
static gboolean
write_hw_checkpoint (BrokerTopics *topics,
                     GPtrArray    *list,
                     GError      **error)
{
  g_autoptr(GPtrArray) hws = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_checkpoint_entry_free);
  g_autofree char *path = g_build_filename (topics->data_dir, REPLICATION_CHECKPOINT, NULL);

  for (guint t = 0; t < list->len; t++)
    {
      BrokerTopic *topic = g_ptr_array_index (list, t);
      for (guint i = 0; i < topic->partitions->len; i++)
        {
          BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
          if (part->replica != NULL)
            g_ptr_array_add (hws, broker_checkpoint_entry_new (topic->name, (gint32) i,
                                                               broker_partition_get_high_watermark (part)));
        }
    }
  return hws->len == 0 || broker_checkpoint_write (path, hws, error);
}

gboolean
broker_topics_write_checkpoints (BrokerTopics *topics,
                                 GError      **error)
{
  g_autoptr(GPtrArray) start = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_checkpoint_entry_free);
  g_autoptr(GPtrArray) recovery = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_checkpoint_entry_free);
  g_autofree char *start_path = g_build_filename (topics->data_dir, LOG_START_CHECKPOINT, NULL);
  g_autofree char *recovery_path = g_build_filename (topics->data_dir, RECOVERY_CHECKPOINT, NULL);
  g_autoptr(GPtrArray) list = broker_topics_list (topics);

  for (guint t = 0; t < list->len; t++)
    {
      BrokerTopic *topic = g_ptr_array_index (list, t);
      for (guint i = 0; i < topic->partitions->len; i++)
        {
          BrokerPartition *part = g_ptr_array_index (topic->partitions, i);
          g_ptr_array_add (start, broker_checkpoint_entry_new (topic->name, (gint32) i,
                                                               broker_log_get_start_offset (part->log)));
          g_ptr_array_add (recovery, broker_checkpoint_entry_new (topic->name, (gint32) i,
                                                                  broker_log_get_recovery_point (part->log)));
        }
    }
  if (!broker_checkpoint_write (start_path, start, error)
      || !broker_checkpoint_write (recovery_path, recovery, error))
    return FALSE;
  return write_hw_checkpoint (topics, list, error);
}

static void
on_scheduled_flush (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!broker_log_flush_finish ((BrokerLog *) source, result, &error)
      && !g_error_matches (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CLOSED))
    g_warning ("scheduled flush of %s: %s", broker_log_get_dir ((BrokerLog *) source), error->message);
}

void
broker_topics_flush_dirty (BrokerTopics *topics)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, topics->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BrokerTopic *topic = value;
      BrokerLogConfig cfg;

      broker_topics_log_config (topics, topic->configs, &cfg);
      /* Kafka flushes a log here once flush.ms has passed since its last
       * flush; the scheduler interval bounds how late that can be. */
      if (cfg.flush_ms == G_MAXINT64)
        continue;
      for (guint i = 0; i < topic->partitions->len; i++)
        {
          BrokerPartition *part = g_ptr_array_index (topic->partitions, i);

          if (broker_log_get_recovery_point (part->log) < broker_log_get_end_offset (part->log))
            broker_log_flush_async (part->log, NULL, on_scheduled_flush, NULL);
        }
    }
}
