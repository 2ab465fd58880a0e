/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-recovery.c: what broker_log_open() does before serving:
 * list the segments, drop those below the log start offset, check every
 * segment's indexes (rebuilding them when missing or wrong) and scan the
 * active segment batch by batch, cutting it at the first torn or corrupt
 * batch. Rules in docs/storage.md. */
#include "broker-log-private.h"

#include "broker-log-io.h"
#include "caudal-record-batch.h"

#include <stdlib.h>
#include <string.h>

#define BASE_DIGITS 20

/* "<20 digits><suffix>" → base offset, or -1. */
static gint64
parse_segment_name (const char *name,
                    const char *suffix)
{
  gsize len = strlen (name);
  gint64 base;

  if (len != BASE_DIGITS + strlen (suffix) || strcmp (name + BASE_DIGITS, suffix) != 0)
    return -1;
  for (guint i = 0; i < BASE_DIGITS; i++)
    if (!g_ascii_isdigit (name[i]))
      return -1;
  base = g_ascii_strtoll (name, NULL, 10);
  return base >= 0 && base < G_MAXINT64 ? base : -1;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
delete_segment_files (const char *dir,
                      gint64      base)
{
  static const char *const suffixes[] = { ".log", ".index", ".timeindex" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = broker_segment_file_name (dir, base, suffixes[i]);
      g_autoptr(GError) error = NULL;

      if (!broker_io_unlink (path, &error))
        g_warning ("%s", error->message);
    }
}

/* The sorted base offsets of the `.log` files; index files without a log
 * (left by an interrupted deletion) are removed. */
static GArray *
list_segments (const char *dir,
               GError    **error)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GArray) bases = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) orphans = g_ptr_array_new_with_free_func (g_free);
  GError *local = NULL;
  const char *name;

  d = g_dir_open (dir, 0, &local);
  if (d == NULL)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gint64 base = parse_segment_name (name, ".log");

      if (base >= 0)
        g_array_append_val (bases, base);
      else if (parse_segment_name (name, ".index") >= 0 ||
               parse_segment_name (name, ".timeindex") >= 0)
        g_ptr_array_add (orphans, g_strdup (name));
    }
  g_array_sort (bases, compare_gint64);

  for (guint i = 0; i < orphans->len; i++)
    {
      const char *orphan = g_ptr_array_index (orphans, i);
      gint64 base = parse_segment_name (orphan, ".index");
      g_autofree char *log_path = NULL;

      if (base < 0)
        base = parse_segment_name (orphan, ".timeindex");
      log_path = broker_segment_file_name (dir, base, ".log");
      if (!g_file_test (log_path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *path = g_build_filename (dir, orphan, NULL);
          g_autoptr(GError) unlink_error = NULL;

          g_info ("%s: removing %s, which has no segment", dir, orphan);
          if (!broker_io_unlink (path, &unlink_error))
            g_warning ("%s", unlink_error->message);
        }
    }
  return g_steal_pointer (&bases);
}

typedef enum
{
  SCAN_OK,
  SCAN_TRUNCATED,   /* cut at a bad batch */
  SCAN_REBUILD,     /* the indexes disagree with the data: scan again, fully */
  SCAN_ERROR,
} ScanResult;

/* Checks the batches of @seg from @position (the start, or the last index
 * entry's batch) to the end of the file, tracking them into the indexes.
 * @full: the indexes were reset and everything is being rebuilt.
 * @offset_limit: the next segment's base offset, or -1 for the last. */
static ScanResult
scan_segment (BrokerLog     *log,
              BrokerSegment *seg,
              gint64         position,
              gboolean       full,
              gint64         offset_limit,
              GError       **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gint64 file_size;
  gint64 prev_last = -1;
  gint64 now = broker_log_wall_clock_ms ();

  if (!broker_io_file_size (seg->log_fd, &file_size, seg->log_path, error))
    return SCAN_ERROR;
  /* Reads are bounded by seg->size: let them see the whole file. */
  seg->size = file_size;

  while (position < file_size)
    {
      g_autoptr(GError) bad = NULL;
      BrokerBatchHead head;
      CaudalRecordBatchHeader header;
      gsize got;

      g_byte_array_set_size (buf, CAUDAL_RECORD_BATCH_HEADER_SIZE);
      if (!broker_io_pread_all (seg->log_fd, buf->data, buf->len, position, &got,
                                seg->log_path, error))
        return SCAN_ERROR;
      if (broker_batch_head_decode (buf->data, got, &head, &bad) &&
          head.size > file_size - position)
        g_set_error (&bad, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                     "batch of %" G_GINT64_FORMAT " bytes, only %" G_GINT64_FORMAT " left",
                     head.size, file_size - position);
      if (bad == NULL)
        {
          g_byte_array_set_size (buf, (guint) head.size);
          if (!broker_io_pread_all (seg->log_fd, buf->data, buf->len, position, NULL,
                                    seg->log_path, error))
            return SCAN_ERROR;
          if (caudal_record_batch_parse_header (buf->data, buf->len, &header, &bad))
            caudal_record_batch_verify_crc (&header, &bad);
        }
      if (bad == NULL)
        {
          if (prev_last < 0 && head.base_offset < seg->base_offset)
            g_set_error (&bad, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                         "offset %" G_GINT64_FORMAT " is below the segment's base offset",
                         head.base_offset);
          else if (prev_last >= 0 && head.base_offset != prev_last + 1)
            g_set_error (&bad, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                         "offset %" G_GINT64_FORMAT " does not follow %" G_GINT64_FORMAT,
                         head.base_offset, prev_last);
          else if (head.last_offset - seg->base_offset > G_MAXINT32 ||
                   (offset_limit >= 0 && head.last_offset >= offset_limit))
            g_set_error (&bad, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                         "offset %" G_GINT64_FORMAT " is outside the segment", head.last_offset);
          else if (!full && prev_last < 0 && seg->offset_index.n_entries > 0 &&
                   head.last_offset != seg->offset_index.last_offset)
            return SCAN_REBUILD;   /* the last index entry names another batch */
        }
      if (bad != NULL)
        {
          if (!full)
            return SCAN_REBUILD;
          /* Everything from here on was never acknowledged as durable, or
           * is damaged: keep the batches before it, drop the rest. */
          g_warning ("%s: truncating at position %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
                     " bytes dropped): %s", seg->log_path, position, file_size - position,
                     bad->message);
          if (!broker_io_truncate (seg->log_fd, position, seg->log_path, error))
            return SCAN_ERROR;
          seg->size = position;
          seg->dirty = TRUE;
          return SCAN_TRUNCATED;
        }

      {
        g_autoptr(GError) track_error = NULL;

        /* segment.ms counts from the first batch's time, the best record
         * of when the segment started that survives a restart. */
        if (!broker_segment_track_batch (seg, position, &head, log->cfg.index_interval_bytes,
                                         head.max_timestamp >= 0 ? head.max_timestamp : now,
                                         &track_error))
          {
            if (!full && g_error_matches (track_error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT))
              return SCAN_REBUILD;
            g_propagate_error (error, g_steal_pointer (&track_error));
            return SCAN_ERROR;
          }
      }
      /* Tracking ends the segment after this batch: restore the bound. */
      seg->size = file_size;
      prev_last = head.last_offset;
      position += head.size;
    }
  seg->size = position;
  return SCAN_OK;
}

static ScanResult
rebuild_segment (BrokerLog     *log,
                 BrokerSegment *seg,
                 gint64         offset_limit,
                 GError       **error)
{
  broker_segment_reset_state (seg);
  seg->dirty = TRUE;
  if (!broker_offset_index_reset (&seg->offset_index, error) ||
      !broker_time_index_reset (&seg->time_index, error))
    return SCAN_ERROR;
  return scan_segment (log, seg, 0, TRUE, offset_limit, error);
}

static ScanResult
recover_segment (BrokerLog     *log,
                 BrokerSegment *seg,
                 gboolean       active,
                 gint64         offset_limit,
                 GError       **error)
{
  g_autoptr(GError) bad = NULL;
  gint64 file_size;
  guint32 n_index, n_time;
  ScanResult r;

  if (active)
    return rebuild_segment (log, seg, offset_limit, error);

  if (!broker_io_file_size (seg->log_fd, &file_size, seg->log_path, error))
    return SCAN_ERROR;
  if (!broker_offset_index_load (&seg->offset_index, file_size, offset_limit, &bad) ||
      !broker_time_index_load (&seg->time_index, offset_limit, &bad))
    {
      g_warning ("rebuilding the indexes of %s: %s", seg->log_path, bad->message);
      return rebuild_segment (log, seg, offset_limit, error);
    }

  /* Every offset index entry tries a time index entry, and the first one
   * always lands when batches carry timestamps: an empty time index next
   * to a non-empty offset index was lost. */
  if (seg->offset_index.n_entries > 0 && seg->time_index.n_entries == 0)
    {
      g_warning ("rebuilding the indexes of %s: the time index is empty", seg->log_path);
      return rebuild_segment (log, seg, offset_limit, error);
    }

  /* Trust the indexed part of an older segment; check the batches after
   * the last index entry (the part a crash after a roll may have torn),
   * starting from the largest timestamp the time index holds. */
  broker_segment_reset_state (seg);
  seg->max_timestamp = seg->time_index.last_timestamp;
  seg->offset_of_max_timestamp = seg->time_index.last_offset;
  n_index = seg->offset_index.n_entries;
  n_time = seg->time_index.n_entries;
  r = scan_segment (log, seg, MAX (seg->offset_index.last_position, 0), FALSE, offset_limit, error);
  /* Entries the scan added (a lost index) must reach the disk too. */
  if (seg->offset_index.n_entries != n_index || seg->time_index.n_entries != n_time)
    seg->dirty = TRUE;
  if (r == SCAN_REBUILD)
    {
      g_warning ("rebuilding the indexes of %s: they disagree with the data", seg->log_path);
      return rebuild_segment (log, seg, offset_limit, error);
    }
  return r;
}

static gboolean
start_empty (BrokerLog *log,
             gint64     base,
             gboolean   is_new,
             GError   **error)
{
  BrokerSegment *seg;

  /* Stale index files of that base may be left (a segment cut short);
   * a new directory has none, so skip three failing unlinks there. */
  if (!is_new)
    delete_segment_files (log->dir, base);
  seg = broker_segment_open (log->dir, base, TRUE, error);
  if (seg == NULL)
    return FALSE;
  g_ptr_array_add (log->segments, seg);
  log->start_offset = base;
  log->dir_dirty = TRUE;
  return TRUE;
}

gboolean
broker_log_recover (BrokerLog *log,
                    gint64     log_start_offset,
                    GError   **error)
{
  g_autoptr(GArray) bases = list_segments (log->dir, error);
  gint64 end_offset;
  guint first = 0;

  if (bases == NULL)
    return FALSE;

  /* Segments wholly below the start offset: the next one starts at or
   * before it. */
  while (log_start_offset >= 0 && bases->len - first > 1 &&
         g_array_index (bases, gint64, first + 1) <= log_start_offset)
    {
      delete_segment_files (log->dir, g_array_index (bases, gint64, first));
      log->dir_dirty = TRUE;
      first++;
    }
  if (first == bases->len)
    return start_empty (log, MAX (log_start_offset, 0), bases->len == 0, error);

  for (guint i = first; i < bases->len; i++)
    {
      gint64 base = g_array_index (bases, gint64, i);
      BrokerSegment *seg = broker_segment_open (log->dir, base, FALSE, error);

      if (seg == NULL)
        return FALSE;
      g_ptr_array_add (log->segments, seg);
    }

  for (guint i = 0; i < log->segments->len; i++)
    {
      BrokerSegment *seg = broker_log_segment (log, i);
      gboolean active = i + 1 == log->segments->len;
      gint64 limit = active ? -1 : broker_log_segment (log, i + 1)->base_offset;
      ScanResult r = recover_segment (log, seg, active, limit, error);

      if (r == SCAN_ERROR)
        return FALSE;
      if (r == SCAN_TRUNCATED && !active)
        {
          /* Later segments would leave a hole in the offsets: Kafka drops
           * them too. */
          g_warning ("%s: dropping %u segments after the damaged %s", log->dir,
                     log->segments->len - i - 1, seg->log_path);
          while (log->segments->len > i + 1)
            broker_log_remove_segment (log, i + 1);
        }
    }

  end_offset = broker_log_active (log)->next_offset;
  log->start_offset = broker_log_segment (log, 0)->base_offset;
  if (log_start_offset > end_offset)
    {
      /* The checkpoint is ahead of the data (lost on a crash, or deleted
       * by DeleteRecords up to the end): start over there, like Kafka. */
      g_warning ("%s: log start offset %" G_GINT64_FORMAT " is past the end %" G_GINT64_FORMAT
                 ": emptying the log", log->dir, log_start_offset, end_offset);
      while (log->segments->len > 0)
        broker_log_remove_segment (log, 0);
      return start_empty (log, log_start_offset, FALSE, error);
    }
  log->start_offset = MAX (log->start_offset, log_start_offset);
  return TRUE;
}
