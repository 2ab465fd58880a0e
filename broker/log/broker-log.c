/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log.c: a partition log: open and close, append, read, roll.
 * Recovery, retention, timestamp search and flushing live in their own
 * broker-log-*.c files. */
#include "broker-log-private.h"

#include "broker-log-io.h"
#include "caudal-record-batch.h"

#include <errno.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (broker-log-error-quark, broker_log_error)

void
broker_log_config_init_defaults (BrokerLogConfig *cfg)
{
  g_return_if_fail (cfg != NULL);

  cfg->segment_bytes = 1073741824;
  cfg->segment_ms = 604800000;
  cfg->retention_ms = 604800000;
  cfg->retention_bytes = -1;
  cfg->flush_messages = G_MAXINT64;
  cfg->flush_ms = G_MAXINT64;
  cfg->index_interval_bytes = 4096;
  cfg->log_append_time = FALSE;
}

gint64
broker_log_wall_clock_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
broker_log_free (BrokerLog *log)
{
  g_clear_pointer (&log->segments, g_ptr_array_unref);
  g_clear_pointer (&log->flush_waiting, g_ptr_array_unref);
  g_clear_pointer (&log->context, g_main_context_unref);
  g_clear_pointer (&log->epochs, broker_leader_epochs_free);
  g_free (log->dir);
  g_free (log);
}

BrokerLog *
broker_log_open (const char            *dir,
                 const BrokerLogConfig *cfg,
                 gint64                 log_start_offset,
                 GError               **error)
{
  BrokerLog *log;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_mkdir_with_parents (dir, 0755) < 0)
    {
      int saved = errno;

      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_IO,
                   "cannot create %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  log = g_new0 (BrokerLog, 1);
  log->dir = g_strdup (dir);
  if (cfg != NULL)
    log->cfg = *cfg;
  else
    broker_log_config_init_defaults (&log->cfg);
  log->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_segment_unref);
  log->flush_waiting = g_ptr_array_new ();
  log->context = g_main_context_ref_thread_default ();
  log->last_flush_ms = broker_log_wall_clock_ms ();
  log->epochs = broker_leader_epochs_new (dir);

  /* Recovery may have truncated or rebuilt files: make that durable
   * before anything is served, so the recovery point is the end. An
   * empty log (a new partition) is the exception: losing it in a crash
   * leaves an empty log, so its directory stays dirty for the first
   * flush that has data to protect — creating a topic of many partitions
   * (the 50 of __consumer_offsets at first start) costs no fsync each.
   * The epoch cache is checked against the recovered log: it comes last. */
  if (!broker_log_recover (log, log_start_offset, error) ||
      (broker_log_get_end_offset (log) > log->start_offset && !broker_log_flush (log, error)) ||
      !broker_log_load_epochs (log, error))
    {
      broker_log_free (log);
      return NULL;
    }
  return log;
}

void
broker_log_close (BrokerLog *log)
{
  g_autoptr(GError) error = NULL;

  if (log == NULL)
    return;
  /* The flush covers a running job's segments too; then its callers are
   * told the log is gone. */
  if (!broker_log_flush (log, &error))
    g_warning ("%s: flush on close failed: %s", log->dir, error->message);
  broker_log_flush_detach (log);
  broker_log_free (log);
}

gboolean
broker_log_delete (BrokerLog *log,
                   GError   **error)
{
  g_autoptr(GDir) d = NULL;
  GError *first = NULL;
  const char *name;

  g_return_val_if_fail (log != NULL, FALSE);

  broker_log_flush_detach (log);
  for (guint i = 0; i < log->segments->len; i++)
    {
      g_autoptr(GError) local = NULL;

      if (!broker_segment_delete_files (broker_log_segment (log, i), &local) && first == NULL)
        first = g_steal_pointer (&local);
    }
  /* Whatever else the caller kept in the directory goes too. */
  d = g_dir_open (log->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (log->dir, name, NULL);
      g_autoptr(GError) local = NULL;

      if (!broker_io_unlink (path, &local) && first == NULL)
        first = g_steal_pointer (&local);
    }
  if (g_rmdir (log->dir) < 0 && errno != ENOENT && first == NULL)
    {
      int saved = errno;

      first = g_error_new (BROKER_LOG_ERROR, BROKER_LOG_ERROR_IO,
                           "cannot remove %s: %s", log->dir, g_strerror (saved));
    }
  broker_log_free (log);
  if (first != NULL)
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  return TRUE;
}

void
broker_log_set_config (BrokerLog             *log,
                       const BrokerLogConfig *cfg)
{
  g_return_if_fail (log != NULL && cfg != NULL);
  log->cfg = *cfg;
}

const char *
broker_log_get_dir (BrokerLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);
  return log->dir;
}

gint64
broker_log_get_start_offset (BrokerLog *log)
{
  g_return_val_if_fail (log != NULL, -1);
  return log->start_offset;
}

gint64
broker_log_get_end_offset (BrokerLog *log)
{
  g_return_val_if_fail (log != NULL, -1);
  return broker_log_active (log)->next_offset;
}

gint64
broker_log_get_size (BrokerLog *log)
{
  gint64 size = 0;

  g_return_val_if_fail (log != NULL, -1);
  for (guint i = 0; i < log->segments->len; i++)
    size += broker_log_segment (log, i)->size;
  return size;
}

guint
broker_log_get_n_segments (BrokerLog *log)
{
  g_return_val_if_fail (log != NULL, 0);
  return log->segments->len;
}

gint64
broker_log_get_recovery_point (BrokerLog *log)
{
  g_return_val_if_fail (log != NULL, -1);
  return log->recovery_point;
}

guint
broker_log_find_segment (BrokerLog *log,
                         gint64     offset)
{
  guint lo = 0, hi = log->segments->len;

  /* The last segment whose base offset is <= @offset (or the first). */
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (broker_log_segment (log, mid)->base_offset <= offset)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

void
broker_log_remove_segment (BrokerLog *log,
                           guint      i)
{
  BrokerSegment *seg = broker_log_segment (log, i);
  g_autoptr(GError) error = NULL;

  if (!broker_segment_delete_files (seg, &error))
    g_warning ("%s", error->message);
  log->dir_dirty = TRUE;
  g_ptr_array_remove_index (log->segments, i);
}

gboolean
broker_log_roll (BrokerLog *log,
                 GError   **error)
{
  BrokerSegment *active = broker_log_active (log);
  BrokerSegment *seg;

  if (!broker_segment_seal (active, error))
    return FALSE;
  seg = broker_segment_open (log->dir, active->next_offset, TRUE, error);
  if (seg == NULL)
    return FALSE;
  g_ptr_array_add (log->segments, seg);
  log->dir_dirty = TRUE;
  g_debug ("%s: rolled a new segment at offset %" G_GINT64_FORMAT, log->dir, seg->base_offset);
  return TRUE;
}

gboolean
broker_log_maybe_roll (BrokerLog *log,
                       gint64     now_ms,
                       GError   **error)
{
  BrokerSegment *active;

  g_return_val_if_fail (log != NULL, FALSE);

  active = broker_log_active (log);
  if (!broker_segment_is_empty (active) && now_ms - active->roll_base_ms > log->cfg.segment_ms)
    return broker_log_roll (log, error);
  return TRUE;
}

gboolean
broker_log_check_append_size (BrokerLog *log,
                              gsize      len,
                              GError   **error)
{
  /* Index positions are int32: no segment grows past 2 GiB. */
  gint64 max_segment = MIN (log->cfg.segment_bytes, (gint64) G_MAXINT32);

  /* Kafka: RecordBatchTooLargeException when it cannot fit a segment. */
  if ((gint64) MIN (len, (gsize) G_MAXINT64) > max_segment)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_TOO_LARGE,
                   "%" G_GSIZE_FORMAT " bytes do not fit a segment of %" G_GINT64_FORMAT,
                   len, max_segment);
      return FALSE;
    }
  return TRUE;
}

/* Parses @batches into @heads, assigning offsets from @next_offset and
 * patching the fields the broker owns. */
static gboolean
assign_offsets (BrokerLog *log,
                guint8    *batches,
                gsize      len,
                gint64     next_offset,
                gint64     now_ms,
                GArray    *heads,
                GError   **error)
{
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader header;
  g_autoptr(GError) local = NULL;

  caudal_record_batch_iter_init (&iter, batches, len);
  while (caudal_record_batch_iter_next (&iter, &header, &local))
    {
      guint8 *batch = batches + (header.data - batches);
      BrokerBatchHead head;

      if (header.last_offset_delta < 0)
        {
          g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID,
                       "batch with a negative last offset delta (%d)", header.last_offset_delta);
          return FALSE;
        }
      caudal_record_batch_set_base_offset (batch, next_offset);
      caudal_record_batch_set_partition_leader_epoch (batch, log->leader_epoch);
      if (log->cfg.log_append_time &&
          !caudal_record_batch_set_log_append_time (batch, header.size, now_ms, &local))
        break;
      if (!broker_batch_head_decode (batch, header.size, &head, &local))
        break;
      g_array_append_val (heads, head);
      next_offset = head.last_offset + 1;
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

gboolean
broker_log_append_heads (BrokerLog           *log,
                         const guint8        *batches,
                         gsize                len,
                         GArray              *heads,
                         gint64               now_ms,
                         gint64               log_append_time,
                         BrokerLogAppendInfo *info,
                         GError             **error)
{
  gint64 max_segment = MIN (log->cfg.segment_bytes, (gint64) G_MAXINT32);
  gint64 end_offset = broker_log_get_end_offset (log);
  gint64 last_offset = g_array_index (heads, BrokerBatchHead, heads->len - 1).last_offset;
  gboolean epochs_changed = FALSE;
  BrokerSegment *active;
  BrokerLogAppendInfo result = { -1, -1, -1, -1, -1, FALSE };

  /* Roll first when this append would overflow the segment's size, its
   * age limit, or the int32 relative offsets of its index. */
  active = broker_log_active (log);
  if (!broker_segment_is_empty (active) &&
      (active->size + (gint64) len > max_segment ||
       now_ms - active->roll_base_ms > log->cfg.segment_ms ||
       last_offset - active->base_offset > G_MAXINT32))
    {
      if (!broker_log_roll (log, error))
        return FALSE;
      active = broker_log_active (log);
    }

  if (!broker_segment_append (active, batches, len, (BrokerBatchHead *) heads->data, heads->len,
                              log->cfg.index_interval_bytes, now_ms, error))
    return FALSE;

  result.base_offset = end_offset;
  result.last_offset = last_offset;
  result.log_append_time = log_append_time;
  for (guint i = 0; i < heads->len; i++)
    {
      const BrokerBatchHead *h = &g_array_index (heads, BrokerBatchHead, i);

      /* Kafka's LeaderEpochFileCache.assign, for each batch. */
      epochs_changed |= broker_leader_epochs_assign (log->epochs, h->leader_epoch, h->base_offset);
      if (h->max_timestamp > result.max_timestamp)
        {
          result.max_timestamp = h->max_timestamp;
          /* Every record of a LogAppendTime batch shares the timestamp:
           * the first one is exact. Otherwise Kafka's "shallow" offset. */
          result.offset_of_max_timestamp =
            (h->attributes & CAUDAL_RECORD_BATCH_LOG_APPEND_TIME) != 0 ? h->base_offset : h->last_offset;
        }
    }
  /* A new epoch is rare (a leader change): the checkpoint is rewritten
   * then only. If it cannot be, the append is undone, so that the cache
   * never misses an epoch the log holds. */
  if (epochs_changed && !broker_leader_epochs_save (log->epochs, error))
    {
      g_autoptr(GError) undo_error = NULL;

      if (!broker_log_truncate_to (log, end_offset, &undo_error))
        g_warning ("%s: cannot undo an append: %s", log->dir, undo_error->message);
      return FALSE;
    }
  result.needs_flush =
    last_offset + 1 - log->recovery_point >= log->cfg.flush_messages ||
    (log->cfg.flush_ms != G_MAXINT64 && now_ms - log->last_flush_ms >= log->cfg.flush_ms);
  if (info != NULL)
    *info = result;
  return TRUE;
}

gboolean
broker_log_append (BrokerLog           *log,
                   guint8              *batches,
                   gsize                len,
                   gint64               now_ms,
                   BrokerLogAppendInfo *info,
                   GError             **error)
{
  g_autoptr(GArray) heads = NULL;

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (batches != NULL || len == 0, FALSE);

  heads = g_array_new (FALSE, FALSE, sizeof (BrokerBatchHead));
  if (!broker_log_check_append_size (log, len, error) ||
      !assign_offsets (log, batches, len, broker_log_get_end_offset (log), now_ms, heads, error))
    return FALSE;
  return broker_log_append_heads (log, batches, len, heads, now_ms,
                                  log->cfg.log_append_time ? now_ms : -1, info, error);
}

gboolean
broker_log_read (BrokerLog      *log,
                 gint64          offset,
                 gsize           max_bytes,
                 BrokerLogSlice *out,
                 GError        **error)
{
  gint64 end_offset;

  g_return_val_if_fail (log != NULL && out != NULL, FALSE);

  *out = (BrokerLogSlice) { -1, 0, 0, NULL };
  end_offset = broker_log_get_end_offset (log);
  if (offset < log->start_offset || offset > end_offset)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE,
                   "offset %" G_GINT64_FORMAT " is outside the log [%" G_GINT64_FORMAT
                   ", %" G_GINT64_FORMAT "]", offset, log->start_offset, end_offset);
      return FALSE;
    }

  for (guint i = broker_log_find_segment (log, offset); i < log->segments->len; i++)
    {
      BrokerSegment *seg = broker_log_segment (log, i);
      BrokerBatchHead head;
      gint64 position, next;
      g_autoptr(GError) local = NULL;

      if (!broker_segment_find_batch (seg, offset, &position, &head, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          continue;   /* past this segment's last batch: the next one has it */
        }
      /* KIP-74: the first batch goes out whole even above max_bytes. */
      next = position + head.size;
      while (next < seg->size)
        {
          if (!broker_segment_read_head (seg, next, &head, error))
            return FALSE;
          if ((guint64) (next + head.size - position) > max_bytes)
            break;
          next += head.size;
        }
      out->fd = seg->log_fd;
      out->position = position;
      out->length = (gsize) (next - position);
      out->segment_ref = broker_segment_ref (seg);
      return TRUE;
    }
  return TRUE;
}

GBytes *
broker_log_slice_read_bytes (const BrokerLogSlice *slice,
                             GError              **error)
{
  g_return_val_if_fail (slice != NULL, NULL);

  if (slice->segment_ref == NULL || slice->length == 0)
    return g_bytes_new (NULL, 0);
  return broker_segment_read_bytes (slice->segment_ref, slice->position, slice->length, error);
}

void
broker_log_slice_clear (BrokerLogSlice *slice)
{
  g_return_if_fail (slice != NULL);

  g_clear_pointer (&slice->segment_ref, broker_segment_unref);
  slice->fd = -1;
  slice->position = 0;
  slice->length = 0;
}
