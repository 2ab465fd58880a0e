/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-partition-producers.c: a partition's idempotent-producer state
 * and its log (see the header). Kafka does the same with its producer
 * snapshots and a replay of the log after the newest one. */

#include "broker-partition-producers.h"

#include "broker-producer-snapshot.h"
#include "broker-producers.h"
#include "caudal-record-batch.h"

void
broker_partition_track_producers (BrokerPartition *part,
                                  const guint8    *batches,
                                  gsize            len)
{
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader h;
  g_autoptr(GError) error = NULL;

  caudal_record_batch_iter_init (&iter, batches, len);
  while (caudal_record_batch_iter_next (&iter, &h, &error))
    if (h.producer_id >= 0 && !caudal_record_batch_header_is_control (&h))
      broker_producer_state_update (part->producers, h.producer_id, h.producer_epoch,
                                    h.base_sequence, h.last_offset_delta + 1, h.base_offset,
                                    h.max_timestamp);
}

/* Feeds the batch headers from @offset to the log end into the state. */
static void
replay (BrokerPartition *part,
        gint64           offset)
{
  gint64 end = broker_log_get_end_offset (part->log);

  while (offset < end)
    {
      BrokerLogSlice slice = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      CaudalRecordBatchIter iter;
      CaudalRecordBatchHeader h;
      gint64 next = offset;

      if (!broker_log_read (part->log, offset, 1024 * 1024, &slice, &error)
          || slice.length == 0
          || (bytes = broker_log_slice_read_bytes (&slice, &error)) == NULL)
        {
          if (error != NULL)
            g_warning ("replaying producer state of %s: %s", broker_log_get_dir (part->log),
                       error->message);
          broker_log_slice_clear (&slice);
          return;
        }
      broker_log_slice_clear (&slice);
      caudal_record_batch_iter_init (&iter, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      while (caudal_record_batch_iter_next (&iter, &h, &error))
        {
          if (h.producer_id >= 0 && !caudal_record_batch_header_is_control (&h))
            broker_producer_state_update (part->producers, h.producer_id, h.producer_epoch,
                                          h.base_sequence, h.last_offset_delta + 1, h.base_offset,
                                          h.max_timestamp);
          next = caudal_record_batch_header_get_last_offset (&h) + 1;
        }
      if (next <= offset)
        return;   /* nothing whole was read: do not loop */
      offset = next;
    }
}

void
broker_partition_rebuild_producers (BrokerPartition *part)
{
  const char *dir = broker_log_get_dir (part->log);
  gint64 start = broker_log_get_start_offset (part->log);
  gint64 at = -1;
  BrokerProducerState *state;

  state = broker_producer_snapshot_load (dir, broker_log_get_end_offset (part->log), &at);
  broker_producer_state_free (part->producers);
  part->producers = state != NULL ? state : broker_producer_state_new ();
  part->snapshot_offset = at;
  /* A snapshot older than the log start still holds what it knew; the
   * batches before the start are gone. */
  replay (part, state != NULL ? MAX (at, start) : start);
}

void
broker_partition_snapshot_producers (BrokerPartition *part)
{
  gint64 end = broker_log_get_end_offset (part->log);
  g_autoptr(GError) error = NULL;

  /* An empty log replays for free: no file (every partition of every
   * topic would get one otherwise, fsynced at each stop). */
  if (end == part->snapshot_offset || end == broker_log_get_start_offset (part->log))
    return;
  if (!broker_producer_snapshot_write (broker_log_get_dir (part->log), end, part->producers, &error))
    {
      g_warning ("producer snapshot of %s: %s", broker_log_get_dir (part->log), error->message);
      return;
    }
  part->snapshot_offset = end;
}
