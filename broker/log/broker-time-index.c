/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-time-index.c: the `.timeindex` file, appended with pwrite() and
 * searched with pread(), like the offset index. */
#include "broker-time-index.h"

#include "broker-log-io.h"
#include "broker-log.h"

#include <fcntl.h>

#define LOAD_CHUNK_ENTRIES 8192

gboolean
broker_time_index_open (BrokerTimeIndex *idx,
                        const char      *path,
                        gint64           base_offset,
                        gboolean         truncate,
                        GError         **error)
{
  idx->fd = broker_io_open (path, O_RDWR | O_CREAT | (truncate ? O_TRUNC : 0), error);
  if (idx->fd < 0)
    return FALSE;
  idx->path = g_strdup (path);
  idx->base_offset = base_offset;
  idx->n_entries = 0;
  idx->last_timestamp = -1;
  idx->last_offset = -1;
  return TRUE;
}

void
broker_time_index_close (BrokerTimeIndex *idx)
{
  g_autoptr(GError) error = NULL;

  if (idx->fd >= 0 && !broker_io_close (idx->fd, idx->path, &error))
    g_warning ("%s", error->message);
  idx->fd = -1;
  g_clear_pointer (&idx->path, g_free);
}

static void
read_entry (const guint8 *p,
            gint64        base_offset,
            gint64       *timestamp,
            gint64       *offset)
{
  *timestamp = (gint64) broker_io_get_be64 (p);
  *offset = base_offset + (gint32) broker_io_get_be32 (p + 8);
}

gboolean
broker_time_index_load (BrokerTimeIndex *idx,
                        gint64           offset_limit,
                        GError         **error)
{
  g_autofree guint8 *buf = NULL;
  gint64 file_size;
  gint64 prev_timestamp = -1;
  gint64 prev_offset = -1;
  guint32 n;

  if (!broker_io_file_size (idx->fd, &file_size, idx->path, error))
    return FALSE;
  if (file_size % BROKER_TIME_INDEX_ENTRY_SIZE != 0 ||
      file_size / BROKER_TIME_INDEX_ENTRY_SIZE > G_MAXUINT32)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "%s: size %" G_GINT64_FORMAT " is not a multiple of %d",
                   idx->path, file_size, BROKER_TIME_INDEX_ENTRY_SIZE);
      return FALSE;
    }
  n = (guint32) (file_size / BROKER_TIME_INDEX_ENTRY_SIZE);
  buf = g_malloc (LOAD_CHUNK_ENTRIES * BROKER_TIME_INDEX_ENTRY_SIZE);

  for (guint32 i = 0; i < n; i += LOAD_CHUNK_ENTRIES)
    {
      guint32 chunk = MIN (LOAD_CHUNK_ENTRIES, n - i);

      if (!broker_io_pread_all (idx->fd, buf, (gsize) chunk * BROKER_TIME_INDEX_ENTRY_SIZE,
                                (gint64) i * BROKER_TIME_INDEX_ENTRY_SIZE, NULL,
                                idx->path, error))
        return FALSE;
      for (guint32 j = 0; j < chunk; j++)
        {
          gint64 timestamp, offset;

          read_entry (buf + (gsize) j * BROKER_TIME_INDEX_ENTRY_SIZE, idx->base_offset,
                      &timestamp, &offset);
          if (timestamp < 0 || timestamp <= prev_timestamp ||
              offset < idx->base_offset || offset < prev_offset ||
              (offset_limit >= 0 && offset >= offset_limit))
            {
              g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                           "%s: entry %u (timestamp %" G_GINT64_FORMAT ", offset %"
                           G_GINT64_FORMAT ") is out of order or outside the segment",
                           idx->path, i + j, timestamp, offset);
              return FALSE;
            }
          prev_timestamp = timestamp;
          prev_offset = offset;
        }
    }
  idx->n_entries = n;
  idx->last_timestamp = prev_timestamp;
  idx->last_offset = prev_offset;
  return TRUE;
}

gboolean
broker_time_index_reset (BrokerTimeIndex *idx,
                         GError         **error)
{
  idx->n_entries = 0;
  idx->last_timestamp = -1;
  idx->last_offset = -1;
  return broker_io_truncate (idx->fd, 0, idx->path, error);
}

gboolean
broker_time_index_truncate (BrokerTimeIndex *idx,
                            guint32          n_entries,
                            GError         **error)
{
  guint8 entry[BROKER_TIME_INDEX_ENTRY_SIZE];

  g_return_val_if_fail (n_entries <= idx->n_entries, FALSE);

  if (!broker_io_truncate (idx->fd, (gint64) n_entries * BROKER_TIME_INDEX_ENTRY_SIZE,
                           idx->path, error))
    return FALSE;
  idx->n_entries = n_entries;
  idx->last_timestamp = -1;
  idx->last_offset = -1;
  if (n_entries == 0)
    return TRUE;
  if (!broker_io_pread_all (idx->fd, entry, sizeof entry,
                            (gint64) (n_entries - 1) * BROKER_TIME_INDEX_ENTRY_SIZE,
                            NULL, idx->path, error))
    return FALSE;
  read_entry (entry, idx->base_offset, &idx->last_timestamp, &idx->last_offset);
  return TRUE;
}

gboolean
broker_time_index_truncate_to_offset (BrokerTimeIndex *idx,
                                     gint64           offset,
                                     GError         **error)
{
  guint32 lo = 0, hi = idx->n_entries;

  /* Offsets never decrease along the file: find the first entry at or
   * past @offset by bisection. */
  if (idx->n_entries == 0 || idx->last_offset < offset)
    return TRUE;
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      guint8 entry[BROKER_TIME_INDEX_ENTRY_SIZE];
      gint64 off, unused;

      if (!broker_io_pread_all (idx->fd, entry, sizeof entry,
                                (gint64) mid * BROKER_TIME_INDEX_ENTRY_SIZE, NULL,
                                idx->path, error))
        return FALSE;
      read_entry (entry, idx->base_offset, &unused, &off);
      if (off < offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return broker_time_index_truncate (idx, lo, error);
}

gboolean
broker_time_index_maybe_append (BrokerTimeIndex *idx,
                                gint64           timestamp,
                                gint64           offset,
                                GError         **error)
{
  guint8 entry[BROKER_TIME_INDEX_ENTRY_SIZE];

  /* Only a larger timestamp makes a new entry (Kafka's maybeAppend). */
  if (timestamp < 0 || timestamp <= idx->last_timestamp)
    return TRUE;
  if (offset < idx->last_offset || offset < idx->base_offset ||
      offset - idx->base_offset > G_MAXINT32)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "%s: entry (timestamp %" G_GINT64_FORMAT ", offset %" G_GINT64_FORMAT
                   ") does not follow offset %" G_GINT64_FORMAT,
                   idx->path, timestamp, offset, idx->last_offset);
      return FALSE;
    }

  broker_io_put_be64 (entry, (guint64) timestamp);
  broker_io_put_be32 (entry + 8, (guint32) (gint32) (offset - idx->base_offset));
  if (!broker_io_pwrite_all (idx->fd, entry, sizeof entry,
                             (gint64) idx->n_entries * BROKER_TIME_INDEX_ENTRY_SIZE,
                             idx->path, error))
    return FALSE;
  idx->n_entries++;
  idx->last_timestamp = timestamp;
  idx->last_offset = offset;
  return TRUE;
}

gboolean
broker_time_index_lookup (BrokerTimeIndex *idx,
                          gint64           target,
                          gint64          *offset,
                          GError         **error)
{
  guint32 lo = 0, hi = idx->n_entries;

  /* The last entry whose timestamp is strictly below @target: every batch
   * up to its offset is too old, so a scan can start at that batch. */
  *offset = -1;
  if (idx->n_entries == 0)
    return TRUE;
  if (idx->last_timestamp < target)
    {
      *offset = idx->last_offset;
      return TRUE;
    }
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      guint8 entry[BROKER_TIME_INDEX_ENTRY_SIZE];
      gint64 timestamp, off;

      if (!broker_io_pread_all (idx->fd, entry, sizeof entry,
                                (gint64) mid * BROKER_TIME_INDEX_ENTRY_SIZE, NULL,
                                idx->path, error))
        return FALSE;
      read_entry (entry, idx->base_offset, &timestamp, &off);
      if (timestamp < target)
        {
          *offset = off;
          lo = mid + 1;
        }
      else
        hi = mid;
    }
  return TRUE;
}
