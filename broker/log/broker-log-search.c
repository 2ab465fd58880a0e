/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-search.c: ListOffsets by timestamp: the time index narrows
 * the search to a batch, batch headers narrow it to one batch, and that
 * batch's records give the exact offset (Kafka's searchForTimestamp). */
#include "broker-log-private.h"

#include "caudal-record-batch.h"

/* Decompression bound for looking inside one stored batch. */
#define MAX_DECOMPRESSED (256 << 20)

typedef enum
{
  MATCH_AT_LEAST,   /* the first record with timestamp >= target */
  MATCH_EQUAL,      /* the first record with timestamp == target */
} MatchMode;

typedef enum
{
  SEARCH_FOUND,
  SEARCH_NONE,
  SEARCH_UNDECODABLE,   /* the caller answers with the batch instead */
} SearchResult;

/* Finds the matching record in the batch at @position. */
static SearchResult
search_batch (BrokerSegment  *seg,
              gint64          position,
              gint64          size,
              gint64          target,
              MatchMode       mode,
              gint64          min_offset,
              gint64         *offset,
              gint64         *timestamp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = broker_segment_read_bytes (seg, position, (gsize) size, &error);
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecordBatchHeader header;
  CaudalRecord record;
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    goto failed;
  data = g_bytes_get_data (bytes, &len);
  if (!caudal_record_batch_parse_header (data, len, &header, &error) ||
      !caudal_record_iter_init (&iter, &header, MAX_DECOMPRESSED, &error))
    goto failed;
  while (caudal_record_iter_next (&iter, &record, &error))
    {
      if (record.offset < min_offset)
        continue;
      if (mode == MATCH_AT_LEAST ? record.timestamp >= target : record.timestamp == target)
        {
          *offset = record.offset;
          *timestamp = record.timestamp;
          return SEARCH_FOUND;
        }
    }
  if (error == NULL)
    return SEARCH_NONE;

failed:
  g_debug ("%s: cannot look inside the batch at %" G_GINT64_FORMAT ": %s",
           seg->log_path, position, error != NULL ? error->message : "?");
  return SEARCH_UNDECODABLE;
}

gboolean
broker_log_offset_for_timestamp (BrokerLog *log,
                                 gint64     timestamp,
                                 gint64    *offset,
                                 gint64    *found_timestamp,
                                 GError   **error)
{
  g_return_val_if_fail (log != NULL && offset != NULL, FALSE);

  *offset = -1;
  if (found_timestamp != NULL)
    *found_timestamp = -1;

  for (guint i = 0; i < log->segments->len; i++)
    {
      BrokerSegment *seg = broker_log_segment (log, i);
      gint64 from, position;
      BrokerBatchHead head;
      g_autoptr(GError) local = NULL;

      if (seg->max_timestamp < timestamp || seg->next_offset <= log->start_offset)
        continue;

      /* Every batch up to the entry's offset is older than the target. */
      if (!broker_time_index_lookup (&seg->time_index, timestamp, &from, error))
        return FALSE;
      from = MAX (MAX (from, seg->base_offset), log->start_offset);
      if (!broker_segment_find_batch (seg, from, &position, &head, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          continue;
        }
      while (position < seg->size)
        {
          if (!broker_segment_read_head (seg, position, &head, error))
            return FALSE;
          if (head.max_timestamp >= timestamp && head.last_offset >= log->start_offset)
            {
              gint64 o = -1, ts = -1;

              switch (search_batch (seg, position, head.size, timestamp, MATCH_AT_LEAST,
                                    log->start_offset, &o, &ts))
                {
                case SEARCH_FOUND:
                  break;
                case SEARCH_UNDECODABLE:
                  /* Answer with the batch, as its header says. */
                  o = MAX (head.base_offset, log->start_offset);
                  ts = head.max_timestamp;
                  break;
                case SEARCH_NONE:
                default:
                  position += head.size;
                  continue;
                }
              *offset = o;
              if (found_timestamp != NULL)
                *found_timestamp = ts;
              return TRUE;
            }
          position += head.size;
        }
    }
  return FALSE;
}

void
broker_log_max_timestamp (BrokerLog *log,
                          gint64    *offset,
                          gint64    *timestamp)
{
  BrokerSegment *best = NULL;
  BrokerBatchHead head;
  gint64 position, o, ts;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (log != NULL && offset != NULL && timestamp != NULL);

  *offset = -1;
  *timestamp = -1;
  for (guint i = 0; i < log->segments->len; i++)
    {
      BrokerSegment *seg = broker_log_segment (log, i);

      /* The first segment holding the largest timestamp, as Kafka's maxBy. */
      if (seg->max_timestamp >= 0 && (best == NULL || seg->max_timestamp > best->max_timestamp))
        best = seg;
    }
  if (best == NULL)
    return;
  *offset = best->offset_of_max_timestamp;
  *timestamp = best->max_timestamp;

  /* The segment knows the batch (by its last offset); its records say
   * which one carries the timestamp. */
  if (broker_segment_find_batch (best, best->offset_of_max_timestamp, &position, &head, &error) &&
      search_batch (best, position, head.size, best->max_timestamp, MATCH_EQUAL,
                    head.base_offset, &o, &ts) == SEARCH_FOUND)
    *offset = o;
  else if (error != NULL)
    g_debug ("%s: %s", best->log_path, error->message);
}
