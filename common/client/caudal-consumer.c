/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-consumer.c: the consumer object, its configuration, assignment
 * and the poll operation: group membership first (caudal-group-member.c),
 * then offset resolution and fetching (caudal-fetcher.c). See
 * caudal-consumer.h and docs/groups.md. */

#include "caudal-consumer.h"

#include <string.h>

#include "caudal-consumer-private.h"
#include "caudal-group-member.h"

G_DEFINE_FINAL_TYPE (CaudalConsumer, caudal_consumer, G_TYPE_OBJECT)

/* ---- object ---- */

void
caudal_consumer_part_state_free (PartState *ps)
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
  consumer->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_consumer_part_state_free);
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

PartState *
caudal_consumer_lookup_part (CaudalConsumer *consumer,
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

PartState *
caudal_consumer_add_part (CaudalConsumer *consumer,
                          const char     *topic,
                          gint32          partition)
{
  PartState *ps = caudal_consumer_lookup_part (consumer, topic, partition);

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
  ps = caudal_consumer_add_part (consumer, topic, partition);
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
  ps = caudal_consumer_add_part (consumer, topic, partition);
  ps->reset = timestamp_ms;
  ps->by_timestamp = TRUE;
}

gboolean
caudal_consumer_seek (CaudalConsumer *consumer,
                      const char     *topic,
                      gint32          partition,
                      gint64          offset)
{
  PartState *ps = caudal_consumer_lookup_part (consumer, topic, partition);

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

/* ---- poll: the operation ---- */

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
  g_clear_pointer (&op->identity, caudal_consumer_group_identity_free);
  g_clear_pointer (&op->fetch_parts, g_ptr_array_unref);
  g_free (op);
}

/* Completes the poll (once); FALSE if it already was (cancelled). */
gboolean
caudal_consumer_poll_is_done (GTask *task)
{
  PollOp *op = g_task_get_task_data (task);

  return op->done;
}

void
caudal_consumer_poll_fail (GTask  *task,
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

void
caudal_consumer_poll_succeed (GTask *task)
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

  caudal_consumer_poll_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
on_poll_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, poll_cancel_idle, g_object_ref (user_data), g_object_unref);
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
      caudal_consumer_poll_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "the consumer is closed"));
      return;
    }
  if (cancellable != NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          caudal_consumer_poll_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                "Operation was cancelled"));
          return;
        }
      op->cancellable = g_object_ref (cancellable);
      /* The handler holds no reference: it is disconnected when the op
       * goes, before the task is finalized. */
      op->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_poll_cancelled), task, NULL);
    }
  caudal_consumer_step_group (task);
}

GPtrArray *
caudal_consumer_poll_finish (CaudalConsumer *consumer,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, consumer), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
