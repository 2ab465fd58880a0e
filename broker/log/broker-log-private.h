/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-private.h: the BrokerLog structure, shared by the files that
 * implement it (broker-log.c, -recovery.c, -retention.c, -search.c,
 * -flush.c). Internal. */
#pragma once

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

G_END_DECLS
