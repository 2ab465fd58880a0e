/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-offset-index.c: the `.index` file. Entries are appended with
 * pwrite() and searched with pread(): the page cache holds the hot part,
 * and nothing but the entry count and the last entry lives in memory. */
#include "broker-offset-index.h"

#include "broker-log-io.h"
#include "broker-log.h"

#include <fcntl.h>
#include <unistd.h>

#define LOAD_CHUNK_ENTRIES 8192

gboolean
broker_offset_index_open (BrokerOffsetIndex *idx,
                          const char        *path,
                          gint64             base_offset,
                          gboolean           truncate,
                          GError           **error)
{
  idx->fd = broker_io_open (path, O_RDWR | O_CREAT | (truncate ? O_TRUNC : 0), error);
  if (idx->fd < 0)
    return FALSE;
  idx->path = g_strdup (path);
  idx->base_offset = base_offset;
  idx->n_entries = 0;
  idx->last_offset = -1;
  idx->last_position = -1;
  return TRUE;
}

void
broker_offset_index_close (BrokerOffsetIndex *idx)
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
            gint64       *offset,
            gint64       *position)
{
  *offset = base_offset + (gint32) broker_io_get_be32 (p);
  *position = (gint32) broker_io_get_be32 (p + 4);
}

gboolean
broker_offset_index_load (BrokerOffsetIndex *idx,
                          gint64             log_size,
                          gint64             offset_limit,
                          GError           **error)
{
  g_autofree guint8 *buf = NULL;
  gint64 file_size;
  gint64 prev_offset = -1;
  gint64 prev_position = -1;
  guint32 n;

  if (!broker_io_file_size (idx->fd, &file_size, idx->path, error))
    return FALSE;
  if (file_size % BROKER_OFFSET_INDEX_ENTRY_SIZE != 0 ||
      file_size / BROKER_OFFSET_INDEX_ENTRY_SIZE > G_MAXUINT32)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "%s: size %" G_GINT64_FORMAT " is not a multiple of %d",
                   idx->path, file_size, BROKER_OFFSET_INDEX_ENTRY_SIZE);
      return FALSE;
    }
  n = (guint32) (file_size / BROKER_OFFSET_INDEX_ENTRY_SIZE);
  buf = g_malloc (LOAD_CHUNK_ENTRIES * BROKER_OFFSET_INDEX_ENTRY_SIZE);

  for (guint32 i = 0; i < n; i += LOAD_CHUNK_ENTRIES)
    {
      guint32 chunk = MIN (LOAD_CHUNK_ENTRIES, n - i);

      if (!broker_io_pread_all (idx->fd, buf, (gsize) chunk * BROKER_OFFSET_INDEX_ENTRY_SIZE,
                                (gint64) i * BROKER_OFFSET_INDEX_ENTRY_SIZE, NULL,
                                idx->path, error))
        return FALSE;
      for (guint32 j = 0; j < chunk; j++)
        {
          gint64 offset, position;

          read_entry (buf + (gsize) j * BROKER_OFFSET_INDEX_ENTRY_SIZE, idx->base_offset,
                      &offset, &position);
          /* Each entry names a later batch than the one before it. */
          if (offset < idx->base_offset || offset <= prev_offset ||
              position <= prev_position || position >= log_size ||
              (offset_limit >= 0 && offset >= offset_limit))
            {
              g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                           "%s: entry %u (offset %" G_GINT64_FORMAT ", position %"
                           G_GINT64_FORMAT ") is out of order or outside the segment",
                           idx->path, i + j, offset, position);
              return FALSE;
            }
          prev_offset = offset;
          prev_position = position;
        }
    }
  idx->n_entries = n;
  idx->last_offset = prev_offset;
  idx->last_position = prev_position;
  return TRUE;
}

gboolean
broker_offset_index_reset (BrokerOffsetIndex *idx,
                           GError           **error)
{
  idx->n_entries = 0;
  idx->last_offset = -1;
  idx->last_position = -1;
  return broker_io_truncate (idx->fd, 0, idx->path, error);
}

gboolean
broker_offset_index_truncate (BrokerOffsetIndex *idx,
                              guint32            n_entries,
                              GError           **error)
{
  guint8 entry[BROKER_OFFSET_INDEX_ENTRY_SIZE];

  g_return_val_if_fail (n_entries <= idx->n_entries, FALSE);

  if (!broker_io_truncate (idx->fd, (gint64) n_entries * BROKER_OFFSET_INDEX_ENTRY_SIZE,
                           idx->path, error))
    return FALSE;
  idx->n_entries = n_entries;
  idx->last_offset = -1;
  idx->last_position = -1;
  if (n_entries == 0)
    return TRUE;
  if (!broker_io_pread_all (idx->fd, entry, sizeof entry,
                            (gint64) (n_entries - 1) * BROKER_OFFSET_INDEX_ENTRY_SIZE,
                            NULL, idx->path, error))
    return FALSE;
  read_entry (entry, idx->base_offset, &idx->last_offset, &idx->last_position);
  return TRUE;
}

gboolean
broker_offset_index_truncate_to_offset (BrokerOffsetIndex *idx,
                                       gint64             offset,
                                       GError           **error)
{
  guint32 lo = 0, hi = idx->n_entries;

  /* Offsets never decrease along the file: find the first entry at or
   * past @offset by bisection. */
  if (idx->n_entries == 0 || idx->last_offset < offset)
    return TRUE;
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      guint8 entry[BROKER_OFFSET_INDEX_ENTRY_SIZE];
      gint64 off, unused;

      if (!broker_io_pread_all (idx->fd, entry, sizeof entry,
                                (gint64) mid * BROKER_OFFSET_INDEX_ENTRY_SIZE, NULL,
                                idx->path, error))
        return FALSE;
      read_entry (entry, idx->base_offset, &off, &unused);
      if (off < offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return broker_offset_index_truncate (idx, lo, error);
}

gboolean
broker_offset_index_append (BrokerOffsetIndex *idx,
                            gint64             offset,
                            gint64             position,
                            GError           **error)
{
  guint8 entry[BROKER_OFFSET_INDEX_ENTRY_SIZE];

  /* Recovery feeds this from disk: an error, not a programming check. */
  if (offset <= idx->last_offset || offset < idx->base_offset ||
      offset - idx->base_offset > G_MAXINT32 || position <= idx->last_position ||
      position > G_MAXINT32)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "%s: entry (offset %" G_GINT64_FORMAT ", position %" G_GINT64_FORMAT
                   ") does not follow (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                   idx->path, offset, position, idx->last_offset, idx->last_position);
      return FALSE;
    }

  broker_io_put_be32 (entry, (guint32) (gint32) (offset - idx->base_offset));
  broker_io_put_be32 (entry + 4, (guint32) (gint32) position);
  if (!broker_io_pwrite_all (idx->fd, entry, sizeof entry,
                             (gint64) idx->n_entries * BROKER_OFFSET_INDEX_ENTRY_SIZE,
                             idx->path, error))
    return FALSE;
  idx->n_entries++;
  idx->last_offset = offset;
  idx->last_position = position;
  return TRUE;
}

gboolean
broker_offset_index_lookup (BrokerOffsetIndex *idx,
                            gint64             target,
                            gint64            *position,
                            GError           **error)
{
  guint32 lo = 0, hi = idx->n_entries;   /* answer: entries [0, lo) are <= target */

  *position = 0;
  if (idx->n_entries == 0 || target < idx->base_offset)
    return TRUE;
  if (target >= idx->last_offset)
    {
      *position = idx->last_position;
      return TRUE;
    }
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      guint8 entry[BROKER_OFFSET_INDEX_ENTRY_SIZE];
      gint64 offset, pos;

      if (!broker_io_pread_all (idx->fd, entry, sizeof entry,
                                (gint64) mid * BROKER_OFFSET_INDEX_ENTRY_SIZE, NULL,
                                idx->path, error))
        return FALSE;
      read_entry (entry, idx->base_offset, &offset, &pos);
      if (offset <= target)
        {
          *position = pos;
          lo = mid + 1;
        }
      else
        hi = mid;
    }
  return TRUE;
}
