/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-retention.c: moving the log start offset forward:
 * DeleteRecords, retention.ms and retention.bytes, following Kafka's
 * UnifiedLog.deleteOldSegments. */
#include "broker-log-private.h"

/* Deletes the first @n segments; when that is all of them, rolls first so
 * the log keeps an (empty) active segment at its end offset. */
static guint
delete_leading (BrokerLog *log,
                guint      n)
{
  if (n == 0)
    return 0;
  if (n == log->segments->len)
    {
      g_autoptr(GError) error = NULL;

      if (!broker_log_roll (log, &error))
        {
          g_warning ("%s: cannot roll before deleting the active segment: %s",
                     log->dir, error->message);
          n--;
        }
    }
  for (guint i = 0; i < n; i++)
    broker_log_remove_segment (log, 0);
  log->start_offset = MAX (log->start_offset, broker_log_segment (log, 0)->base_offset);
  return n;
}

/* Segments whose every offset is below the start offset. */
static guint
delete_below_start (BrokerLog *log)
{
  guint n = 0;

  while (n < log->segments->len)
    {
      BrokerSegment *seg = broker_log_segment (log, n);

      if (broker_segment_is_empty (seg) || seg->next_offset > log->start_offset)
        break;
      n++;
    }
  return delete_leading (log, n);
}

gboolean
broker_log_delete_records_before (BrokerLog *log,
                                  gint64     offset,
                                  GError   **error)
{
  gint64 end_offset;

  g_return_val_if_fail (log != NULL, FALSE);

  end_offset = broker_log_get_end_offset (log);
  if (offset < 0 || offset > end_offset)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE,
                   "cannot delete records before %" G_GINT64_FORMAT ": the log ends at %"
                   G_GINT64_FORMAT, offset, end_offset);
      return FALSE;
    }
  if (offset <= log->start_offset)
    return TRUE;
  log->start_offset = offset;
  delete_below_start (log);
  return broker_log_epochs_start_moved (log, error);
}

guint
broker_log_apply_retention (BrokerLog *log,
                            gint64     now_ms)
{
  guint deleted = 0;
  guint n;

  g_return_val_if_fail (log != NULL, 0);

  /* retention.ms: from the oldest, while the segment's largest timestamp
   * is older than the limit. An empty active segment never counts. */
  if (log->cfg.retention_ms >= 0)
    {
      for (n = 0; n < log->segments->len; n++)
        {
          BrokerSegment *seg = broker_log_segment (log, n);

          if (broker_segment_is_empty (seg) ||
              now_ms - broker_segment_largest_timestamp (seg) <= log->cfg.retention_ms)
            break;
        }
      deleted += delete_leading (log, n);
    }

  /* retention.bytes: from the oldest, while what remains still exceeds
   * the limit without it. */
  if (log->cfg.retention_bytes >= 0)
    {
      gint64 excess = broker_log_get_size (log) - log->cfg.retention_bytes;

      for (n = 0; n < log->segments->len; n++)
        {
          BrokerSegment *seg = broker_log_segment (log, n);

          if (broker_segment_is_empty (seg) || excess - seg->size < 0)
            break;
          excess -= seg->size;
        }
      deleted += delete_leading (log, n);
    }

  deleted += delete_below_start (log);
  if (deleted > 0)
    {
      g_autoptr(GError) error = NULL;

      /* Retention has no error to report: the next call retries. */
      if (!broker_log_epochs_start_moved (log, &error))
        g_warning ("%s: %s", log->dir, error->message);
    }
  return deleted;
}
