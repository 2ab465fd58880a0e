/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-replica.c: what replication needs from a partition log:
 * leader epochs stamped and cached (Kafka's LeaderEpochFileCache), a
 * follower's append of the leader's batches as they are, and truncation
 * to where the follower's log agrees with the leader's. Rules in
 * docs/storage.md, "Leader epochs and truncation". */
#include "broker-log-private.h"

#include "caudal-record-batch.h"

void
broker_log_set_leader_epoch (BrokerLog *log,
                             gint32     epoch)
{
  g_return_if_fail (log != NULL);
  g_return_if_fail (epoch >= 0);

  log->leader_epoch = epoch;
}

gint32
broker_log_get_latest_epoch (BrokerLog *log)
{
  g_return_val_if_fail (log != NULL, -1);
  return broker_leader_epochs_latest (log->epochs);
}

gint64
broker_log_get_epoch_start_offset (BrokerLog *log,
                                   gint32     epoch)
{
  g_return_val_if_fail (log != NULL, -1);
  return broker_leader_epochs_start_offset (log->epochs, epoch);
}

void
broker_log_end_offset_for_epoch (BrokerLog *log,
                                 gint32     epoch,
                                 gint32    *out_epoch,
                                 gint64    *out_end_offset)
{
  g_return_if_fail (log != NULL && out_epoch != NULL && out_end_offset != NULL);

  broker_leader_epochs_end_offset_for (log->epochs, epoch, broker_log_get_end_offset (log),
                                       out_epoch, out_end_offset);
}

/* Parses and checks a follower's batches into @heads. */
static gboolean
parse_replica_batches (BrokerLog    *log,
                       const guint8 *batches,
                       gsize         len,
                       gint64        end_offset,
                       GArray       *heads,
                       GError      **error)
{
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader header;
  g_autoptr(GError) local = NULL;
  gint64 expected = end_offset;

  caudal_record_batch_iter_init (&iter, batches, len);
  while (caudal_record_batch_iter_next (&iter, &header, &local))
    {
      BrokerBatchHead head;

      /* The leader validated them; the bytes crossed a network since. */
      if (!caudal_record_batch_validate (&header, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, 0, &local) ||
          !broker_batch_head_decode (header.data, header.size, &head, &local))
        {
          g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                       "replicated batch at offset %" G_GINT64_FORMAT ": %s",
                       header.base_offset, local->message);
          return FALSE;
        }
      if (!broker_log_check_append_size (log, (gsize) head.size, error))
        return FALSE;
      if (head.base_offset != expected)
        {
          g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID,
                       "replicated batch at offset %" G_GINT64_FORMAT " where %" G_GINT64_FORMAT
                       " was expected (%s)", head.base_offset, expected,
                       heads->len == 0 ? "the log end offset" : "the batches must be contiguous");
          return FALSE;
        }
      g_array_append_val (heads, head);
      expected = head.last_offset + 1;
    }
  if (local != NULL || caudal_record_batch_iter_get_partial_size (&iter) != 0 || heads->len == 0)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID,
                   "not whole record batches: %s",
                   local != NULL ? local->message : "truncated or empty");
      return FALSE;
    }
  return TRUE;
}

/* Folds the result of one group of batches into the whole append's. */
static void
merge_info (BrokerLogAppendInfo       *all,
            const BrokerLogAppendInfo *group,
            gboolean                   first)
{
  if (first)
    {
      *all = *group;
      return;
    }
  all->last_offset = group->last_offset;
  all->needs_flush = group->needs_flush;
  if (group->max_timestamp > all->max_timestamp)
    {
      all->max_timestamp = group->max_timestamp;
      all->offset_of_max_timestamp = group->offset_of_max_timestamp;
    }
}

gboolean
broker_log_append_replica (BrokerLog           *log,
                           const guint8        *batches,
                           gsize                len,
                           BrokerLogAppendInfo *info,
                           GError             **error)
{
  g_autoptr(GArray) heads = NULL;
  g_autoptr(GArray) group = NULL;
  gint64 end_offset, now_ms = broker_log_wall_clock_ms ();
  gint64 max_segment;
  BrokerLogAppendInfo result = { -1, -1, -1, -1, -1, FALSE };
  gsize done = 0, group_len = 0;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (batches != NULL || len == 0, FALSE);

  heads = g_array_new (FALSE, FALSE, sizeof (BrokerBatchHead));
  group = g_array_new (FALSE, FALSE, sizeof (BrokerBatchHead));
  end_offset = broker_log_get_end_offset (log);
  if (!parse_replica_batches (log, batches, len, end_offset, heads, error))
    return FALSE;

  /* A fetch may carry more than a segment holds: the batches go in
   * groups that each fit one, and the log rolls between them. */
  max_segment = MIN (log->cfg.segment_bytes, (gint64) G_MAXINT32);
  for (guint i = 0; i < heads->len; i++)
    {
      const BrokerBatchHead *h = &g_array_index (heads, BrokerBatchHead, i);

      if (group->len > 0 && (gint64) (group_len + (gsize) h->size) > max_segment)
        {
          BrokerLogAppendInfo one;

          /* The leader's timestamps stay, LogAppendTime included: -1. */
          if (!broker_log_append_heads (log, batches + done, group_len, group, now_ms, -1,
                                        &one, error))
            goto undo;
          merge_info (&result, &one, done == 0);
          done += group_len;
          group_len = 0;
          g_array_set_size (group, 0);
        }
      g_array_append_val (group, *h);
      group_len += (gsize) h->size;
    }
  {
    BrokerLogAppendInfo one;

    if (!broker_log_append_heads (log, batches + done, len - done, group, now_ms, -1,
                                  &one, error))
      goto undo;
    merge_info (&result, &one, done == 0);
  }
  if (info != NULL)
    *info = result;
  return TRUE;

undo:
  /* All or nothing: groups already written are cut off again. */
  if (done > 0)
    {
      g_autoptr(GError) undo_error = NULL;

      if (!broker_log_truncate_to (log, end_offset, &undo_error))
        g_warning ("%s: cannot undo a replicated append: %s", log->dir, undo_error->message);
    }
  return FALSE;
}

gboolean
broker_log_truncate_to (BrokerLog *log,
                        gint64     offset,
                        GError   **error)
{
  gint64 end_offset, new_end;
  guint keep;
  gboolean epochs_changed;

  g_return_val_if_fail (log != NULL, FALSE);

  end_offset = broker_log_get_end_offset (log);
  if (offset < log->start_offset)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE,
                   "cannot truncate to %" G_GINT64_FORMAT ": the log starts at %" G_GINT64_FORMAT,
                   offset, log->start_offset);
      return FALSE;
    }
  if (offset >= end_offset)
    return TRUE;

  /* Kafka's LocalLog.truncateTo: the segments starting past @offset go
   * whole; the one holding it is cut and becomes the active segment. */
  keep = broker_log_find_segment (log, offset) + 1;
  while (log->segments->len > keep)
    broker_log_remove_segment (log, log->segments->len - 1);
  if (!broker_segment_truncate_to (broker_log_active (log), offset, error))
    return FALSE;
  new_end = broker_log_get_end_offset (log);
  g_info ("%s: truncated from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
          log->dir, end_offset, new_end);

  /* A start offset inside the cut batch (DeleteRecords) cannot stay past
   * the end: Kafka lowers it likewise. */
  log->start_offset = MIN (log->start_offset, new_end);
  log->recovery_point = MIN (log->recovery_point, new_end);
  /* A flush job already running was aimed at the old end. */
  log->truncations++;
  epochs_changed = broker_leader_epochs_truncate_from_end (log->epochs, new_end);

  /* The follower appends right after this: a crash must not bring the
   * cut tail back, so the cut files (fdatasync covers their new size) and
   * the unlinks (directory fsync) are made durable, and only then the
   * cache that no longer names the epochs of the tail. */
  if (!broker_log_flush (log, error))
    return FALSE;
  return !epochs_changed || broker_leader_epochs_save (log->epochs, error);
}

/* Reads every batch header of the log: slow, but needed only once, for a
 * log written before the cache existed or whose checkpoint was lost. */
static gboolean
rebuild_epochs (BrokerLog *log,
                GError   **error)
{
  broker_leader_epochs_clear (log->epochs);
  for (guint i = 0; i < log->segments->len; i++)
    {
      BrokerSegment *seg = broker_log_segment (log, i);
      BrokerBatchHead head;

      for (gint64 position = 0; position < seg->size; position += head.size)
        {
          if (!broker_segment_read_head (seg, position, &head, error))
            return FALSE;
          broker_leader_epochs_assign (log->epochs, head.leader_epoch, head.base_offset);
        }
    }
  broker_leader_epochs_truncate_from_start (log->epochs, log->start_offset);
  return TRUE;
}

static gboolean
load_epochs (BrokerLog *log,
             GError   **error)
{
  g_autoptr(GError) local = NULL;
  gint64 end_offset = broker_log_get_end_offset (log);
  gboolean changed;

  if (!broker_leader_epochs_load (log->epochs, &local))
    {
      /* An empty log has no epoch to remember: a new partition costs no
       * write, and a bad file is replaced at the first epoch. */
      if (end_offset == log->start_offset)
        {
          if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            g_warning ("%s: ignoring the leader epoch cache: %s", log->dir, local->message);
          return TRUE;
        }
      g_message ("%s: rebuilding the leader epoch cache from the batches: %s",
                 log->dir, local->message);
      return rebuild_epochs (log, error) && broker_leader_epochs_save (log->epochs, error);
    }
  /* Recovery may have cut a torn tail, or the start moved while the file
   * was not rewritten. */
  changed = broker_leader_epochs_truncate_from_end (log->epochs, end_offset);
  changed |= broker_leader_epochs_truncate_from_start (log->epochs, log->start_offset);
  return !changed || broker_leader_epochs_save (log->epochs, error);
}

gboolean
broker_log_load_epochs (BrokerLog *log,
                        GError   **error)
{
  if (!load_epochs (log, error))
    return FALSE;
  /* A reopened log keeps stamping its latest epoch, never an older one,
   * until its owner says otherwise; a new one stamps 0. */
  log->leader_epoch = MAX (broker_leader_epochs_latest (log->epochs), 0);
  return TRUE;
}

gboolean
broker_log_epochs_start_moved (BrokerLog *log,
                               GError   **error)
{
  /* Kafka's truncateFromStart, written only when it changed something. */
  return !broker_leader_epochs_truncate_from_start (log->epochs, log->start_offset) ||
         broker_leader_epochs_save (log->epochs, error);
}
