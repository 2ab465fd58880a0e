/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-segment.c: one segment: `<base offset, 20 digits>.log` with its
 * `.index` and `.timeindex`. Batches are appended with pwrite() at the
 * tracked size, never at the file's end, so that a failed append can be
 * cut back exactly. */
#include "broker-segment.h"

#include "broker-log-io.h"
#include "broker-log.h"
#include "caudal-record-batch.h"

#include <fcntl.h>
#include <sys/stat.h>

char *
broker_segment_file_name (const char *dir,
                          gint64      base_offset,
                          const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%020" G_GINT64_FORMAT "%s", base_offset, suffix);

  return g_build_filename (dir, name, NULL);
}

BrokerSegment *
broker_segment_open (const char *dir,
                     gint64      base_offset,
                     gboolean    create,
                     GError    **error)
{
  g_autoptr(BrokerSegment) seg = g_new0 (BrokerSegment, 1);
  g_autofree char *index_path = broker_segment_file_name (dir, base_offset, ".index");
  g_autofree char *time_path = broker_segment_file_name (dir, base_offset, ".timeindex");

  seg->ref_count = 1;
  seg->base_offset = base_offset;
  seg->log_fd = -1;
  seg->offset_index.fd = -1;
  seg->time_index.fd = -1;
  seg->log_path = broker_segment_file_name (dir, base_offset, ".log");
  broker_segment_reset_state (seg);

  /* A new segment must not reuse an old file; stale indexes are replaced. */
  seg->log_fd = broker_io_open (seg->log_path, O_RDWR | (create ? O_CREAT | O_EXCL : 0), error);
  if (seg->log_fd < 0)
    return NULL;
  if (!broker_offset_index_open (&seg->offset_index, index_path, base_offset, create, error) ||
      !broker_time_index_open (&seg->time_index, time_path, base_offset, create, error))
    return NULL;
  /* A new segment has nothing to sync: its three files are empty, and
   * the directory fsync the caller owes (dir_dirty) makes the names
   * durable. Skipping three fdatasyncs per
   * new partition is most of an empty broker's start-up (50 partitions
   * of __consumer_offsets). The first append marks it dirty. */
  seg->dirty = FALSE;
  return g_steal_pointer (&seg);
}

BrokerSegment *
broker_segment_ref (BrokerSegment *seg)
{
  g_atomic_int_inc (&seg->ref_count);
  return seg;
}

void
broker_segment_unref (BrokerSegment *seg)
{
  g_autoptr(GError) error = NULL;

  if (!g_atomic_int_dec_and_test (&seg->ref_count))
    return;
  if (seg->log_fd >= 0 && !broker_io_close (seg->log_fd, seg->log_path, &error))
    g_warning ("%s", error->message);
  broker_offset_index_close (&seg->offset_index);
  broker_time_index_close (&seg->time_index);
  g_free (seg->log_path);
  g_free (seg);
}

gboolean
broker_segment_delete_files (BrokerSegment *seg,
                             GError       **error)
{
  const char *paths[] = { seg->log_path, seg->offset_index.path, seg->time_index.path };
  gboolean ok = TRUE;

  /* Open descriptors (slices, a running flush) stay valid after unlink. */
  seg->deleted = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    if (!broker_io_unlink (paths[i], ok ? error : NULL))
      ok = FALSE;   /* report the first failure, still try the rest */
  return ok;
}

gboolean
broker_segment_is_empty (BrokerSegment *seg)
{
  return seg->size == 0;
}

gint64
broker_segment_largest_timestamp (BrokerSegment *seg)
{
  struct stat st;

  if (seg->max_timestamp >= 0)
    return seg->max_timestamp;
  /* Batches without timestamps: Kafka falls back to the file's mtime. */
  if (fstat (seg->log_fd, &st) < 0)
    return -1;
  return (gint64) st.st_mtime * 1000;
}

gboolean
broker_batch_head_decode (const guint8    *data,
                          gsize            len,
                          BrokerBatchHead *head,
                          GError         **error)
{
  gsize size;
  gint32 delta;

  if (len < CAUDAL_RECORD_BATCH_HEADER_SIZE)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "only %" G_GSIZE_FORMAT " bytes of a %d-byte batch header",
                   len, CAUDAL_RECORD_BATCH_HEADER_SIZE);
      return FALSE;
    }
  if (!caudal_record_batch_peek_size (data, len, &size, error))
    return FALSE;
  delta = (gint32) broker_io_get_be32 (data + CAUDAL_RECORD_BATCH_LAST_OFFSET_DELTA_OFFSET);
  head->base_offset = (gint64) broker_io_get_be64 (data + CAUDAL_RECORD_BATCH_BASE_OFFSET_OFFSET);
  if (delta < 0 || head->base_offset < 0 || head->base_offset > G_MAXINT64 - G_MAXINT32)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "bad offsets (base %" G_GINT64_FORMAT ", last delta %d)",
                   head->base_offset, delta);
      return FALSE;
    }
  head->last_offset = head->base_offset + delta;
  head->max_timestamp = (gint64) broker_io_get_be64 (data + CAUDAL_RECORD_BATCH_MAX_TIMESTAMP_OFFSET);
  head->leader_epoch =
    (gint32) broker_io_get_be32 (data + CAUDAL_RECORD_BATCH_PARTITION_LEADER_EPOCH_OFFSET);
  head->attributes = (gint16) (broker_io_get_be32 (data + CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET) >> 16);
  head->size = (gint64) size;
  return TRUE;
}

gboolean
broker_segment_read_head (BrokerSegment   *seg,
                          gint64           position,
                          BrokerBatchHead *head,
                          GError         **error)
{
  guint8 buf[CAUDAL_RECORD_BATCH_HEADER_SIZE];
  gsize want = (gsize) MIN ((gint64) sizeof buf, seg->size - position);
  gsize got;
  g_autoptr(GError) local = NULL;

  if (!broker_io_pread_all (seg->log_fd, buf, want, position, &got, seg->log_path, error))
    return FALSE;
  if (!broker_batch_head_decode (buf, got, head, &local) ||
      position + head->size > seg->size)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "%s: batch at position %" G_GINT64_FORMAT ": %s", seg->log_path, position,
                   local != NULL ? local->message : "runs past the end of the segment");
      return FALSE;
    }
  return TRUE;
}

GBytes *
broker_segment_read_bytes (BrokerSegment *seg,
                           gint64         position,
                           gsize          length,
                           GError       **error)
{
  g_autofree guint8 *buf = g_malloc (MAX (length, 1));

  if (!broker_io_pread_all (seg->log_fd, buf, length, position, NULL, seg->log_path, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&buf), length);
}

gboolean
broker_segment_find_batch (BrokerSegment   *seg,
                           gint64           offset,
                           gint64          *position,
                           BrokerBatchHead *head,
                           GError         **error)
{
  gint64 pos;

  if (!broker_offset_index_lookup (&seg->offset_index, offset, &pos, error))
    return FALSE;
  /* The index entry names a batch at or before the wanted one: walk the
   * headers from there. */
  while (pos < seg->size)
    {
      if (!broker_segment_read_head (seg, pos, head, error))
        return FALSE;
      if (head->last_offset >= offset)
        {
          *position = pos;
          return TRUE;
        }
      pos += head->size;
    }
  *position = seg->size;
  return FALSE;
}

void
broker_segment_reset_state (BrokerSegment *seg)
{
  seg->size = 0;
  seg->next_offset = seg->base_offset;
  seg->max_timestamp = -1;
  seg->offset_of_max_timestamp = -1;
  seg->bytes_since_last_index_entry = 0;
  seg->roll_base_ms = -1;
}

gboolean
broker_segment_track_batch (BrokerSegment         *seg,
                            gint64                 position,
                            const BrokerBatchHead *head,
                            gint32                 index_interval_bytes,
                            gint64                 roll_time_ms,
                            GError               **error)
{
  if (head->max_timestamp > seg->max_timestamp)
    {
      seg->max_timestamp = head->max_timestamp;
      seg->offset_of_max_timestamp = head->last_offset;
    }
  /* Kafka's LogSegment.append: an entry for the batch's last offset at its
   * position once more than index.interval.bytes were written since the
   * previous entry, checked before counting this batch. */
  if (seg->bytes_since_last_index_entry > index_interval_bytes)
    {
      if (!broker_offset_index_append (&seg->offset_index, head->last_offset, position, error) ||
          !broker_time_index_maybe_append (&seg->time_index, seg->max_timestamp,
                                           seg->offset_of_max_timestamp, error))
        return FALSE;
      seg->bytes_since_last_index_entry = 0;
    }
  seg->bytes_since_last_index_entry += head->size;
  seg->size = position + head->size;
  seg->next_offset = head->last_offset + 1;
  if (seg->roll_base_ms < 0)
    seg->roll_base_ms = roll_time_ms;
  return TRUE;
}

void
broker_segment_save_state (BrokerSegment      *seg,
                           BrokerSegmentState *state)
{
  state->size = seg->size;
  state->next_offset = seg->next_offset;
  state->max_timestamp = seg->max_timestamp;
  state->offset_of_max_timestamp = seg->offset_of_max_timestamp;
  state->bytes_since_last_index_entry = seg->bytes_since_last_index_entry;
  state->roll_base_ms = seg->roll_base_ms;
  state->index_entries = seg->offset_index.n_entries;
  state->time_entries = seg->time_index.n_entries;
}

gboolean
broker_segment_restore_state (BrokerSegment            *seg,
                              const BrokerSegmentState *state,
                              GError                  **error)
{
  seg->size = state->size;
  seg->next_offset = state->next_offset;
  seg->max_timestamp = state->max_timestamp;
  seg->offset_of_max_timestamp = state->offset_of_max_timestamp;
  seg->bytes_since_last_index_entry = state->bytes_since_last_index_entry;
  seg->roll_base_ms = state->roll_base_ms;
  seg->dirty = TRUE;
  if (!broker_io_truncate (seg->log_fd, state->size, seg->log_path, error))
    return FALSE;
  if (seg->offset_index.n_entries > state->index_entries &&
      !broker_offset_index_truncate (&seg->offset_index, state->index_entries, error))
    return FALSE;
  if (seg->time_index.n_entries > state->time_entries &&
      !broker_time_index_truncate (&seg->time_index, state->time_entries, error))
    return FALSE;
  return TRUE;
}

gboolean
broker_segment_append (BrokerSegment         *seg,
                       const guint8          *data,
                       gsize                  len,
                       const BrokerBatchHead *heads,
                       guint                  n_heads,
                       gint32                 index_interval_bytes,
                       gint64                 now_ms,
                       GError               **error)
{
  BrokerSegmentState saved;
  gint64 position;

  broker_segment_save_state (seg, &saved);
  seg->dirty = TRUE;
  if (!broker_io_pwrite_all (seg->log_fd, data, len, seg->size, seg->log_path, error))
    goto fail;
  position = seg->size;
  for (guint i = 0; i < n_heads; i++)
    {
      if (!broker_segment_track_batch (seg, position, &heads[i], index_interval_bytes,
                                       now_ms, error))
        goto fail;
      position += heads[i].size;
    }
  return TRUE;

fail:
  {
    g_autoptr(GError) undo_error = NULL;

    /* Whatever part of the write landed must not survive: a later append
     * would otherwise follow garbage. */
    if (!broker_segment_restore_state (seg, &saved, &undo_error))
      g_warning ("%s: cannot undo a failed append: %s", seg->log_path, undo_error->message);
  }
  return FALSE;
}

gboolean
broker_segment_truncate_to (BrokerSegment *seg,
                            gint64         offset,
                            GError       **error)
{
  BrokerBatchHead head;
  gint64 cut, position;
  g_autoptr(GError) local = NULL;

  /* The whole batch holding @offset goes: the segment ends at its base. */
  if (!broker_segment_find_batch (seg, offset, &cut, &head, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;   /* @offset is past the last batch */
    }
  offset = head.base_offset;

  /* Kafka's LogSegment.truncateTo: index entries for cut batches go,
   * then the data. */
  seg->dirty = TRUE;
  if (!broker_offset_index_truncate_to_offset (&seg->offset_index, offset, error) ||
      !broker_time_index_truncate_to_offset (&seg->time_index, offset, error) ||
      !broker_io_truncate (seg->log_fd, cut, seg->log_path, error))
    return FALSE;

  /* What the appends had tracked, for the batches that remain: the time
   * index's last entry covers every batch up to the last offset index
   * entry; the few batches after it are read again (as recovery does). */
  position = MAX (seg->offset_index.last_position, 0);
  seg->size = cut;
  seg->next_offset = offset;
  seg->max_timestamp = seg->time_index.last_timestamp;
  seg->offset_of_max_timestamp = seg->time_index.last_offset;
  seg->bytes_since_last_index_entry = 0;
  if (cut == 0)
    seg->roll_base_ms = -1;
  while (position < cut)
    {
      if (!broker_segment_read_head (seg, position, &head, error))
        return FALSE;
      if (head.max_timestamp > seg->max_timestamp)
        {
          seg->max_timestamp = head.max_timestamp;
          seg->offset_of_max_timestamp = head.last_offset;
        }
      seg->bytes_since_last_index_entry += head.size;
      position += head.size;
    }
  return TRUE;
}

gboolean
broker_segment_seal (BrokerSegment *seg,
                     GError       **error)
{
  /* A segment that stops being active gets a last time index entry with
   * its largest timestamp (Kafka's onBecomeInactiveSegment), so retention
   * and recovery can read it without a scan. */
  if (seg->max_timestamp >= 0 && seg->max_timestamp > seg->time_index.last_timestamp)
    {
      seg->dirty = TRUE;
      return broker_time_index_maybe_append (&seg->time_index, seg->max_timestamp,
                                             seg->offset_of_max_timestamp, error);
    }
  return TRUE;
}

gboolean
broker_segment_sync (BrokerSegment *seg,
                     GError       **error)
{
  /* Runs on a worker thread: touches only the descriptors, which live as
   * long as the caller's reference. */
  return broker_io_datasync (seg->log_fd, seg->log_path, error) &&
         broker_io_datasync (seg->offset_index.fd, seg->offset_index.path, error) &&
         broker_io_datasync (seg->time_index.fd, seg->time_index.path, error);
}
