/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-private.h: the BrokerLog structure, shared by the files that
 * implement it (broker-log.c, -recovery.c, -retention.c, -search.c,
 * -flush.c). Internal. */
#pragma once

#include "broker-leader-epochs.h"
#include "broker-log.h"
#include "broker-segment.h"

G_BEGIN_DECLS

typedef struct _BrokerLogFlushJob BrokerLogFlushJob;

struct _BrokerLog
{
  char              *dir;
  BrokerLogConfig    cfg;
  GPtrArray         *segments;        /* BrokerSegment*, by base offset; last = active */
  gint64             start_offset;
  gint64             recovery_point;
  gint64             last_flush_ms;   /* wall clock of the last flush, for flush.ms */
  gboolean           dir_dirty;       /* entries created or removed since the last flush */
  GMainContext      *context;         /* thread-default at open: flush completions */
  BrokerLogFlushJob *flush_running;
  GPtrArray         *flush_waiting;   /* GTask*: they share the next flush */
  guint64            truncations;     /* a flush started before one proves nothing */
  gint32             leader_epoch;    /* stamped by broker_log_append() */
  BrokerLeaderEpochs *epochs;
};

static inline BrokerSegment *
broker_log_active (BrokerLog *log)
{
  return g_ptr_array_index (log->segments, log->segments->len - 1);
}

static inline BrokerSegment *
broker_log_segment (BrokerLog *log,
                    guint      i)
{
  return g_ptr_array_index (log->segments, i);
}

gint64   broker_log_wall_clock_ms     (void);
gboolean broker_log_recover           (BrokerLog *log,
                                       gint64     log_start_offset,
                                       GError   **error);
gboolean broker_log_roll              (BrokerLog *log,
                                       GError   **error);
guint    broker_log_find_segment      (BrokerLog *log,
                                       gint64     offset);
void     broker_log_remove_segment    (BrokerLog *log,
                                       guint      i);
void     broker_log_flush_detach      (BrokerLog *log);
/* broker-log.c: TOO_LARGE when @len bytes cannot fit a segment. */
gboolean broker_log_check_append_size (BrokerLog *log,
                                       gsize      len,
                                       GError   **error);
/* broker-log.c: rolls if needed, writes @batches (parsed into @heads) to
 * the active segment, records new leader epochs and fills @info. */
gboolean broker_log_append_heads      (BrokerLog           *log,
                                       const guint8        *batches,
                                       gsize                len,
                                       GArray              *heads,
                                       gint64               now_ms,
                                       gint64               log_append_time,
                                       BrokerLogAppendInfo *info,
                                       GError             **error);
/* broker-log-replica.c */
gboolean broker_log_load_epochs       (BrokerLog *log,
                                       GError   **error);
gboolean broker_log_epochs_start_moved (BrokerLog *log,
                                        GError   **error);

G_END_DECLS
