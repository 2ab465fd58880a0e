/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-time-index.h: a segment's sparse time index (`.timeindex`),
 * Kafka's TimeIndex: 12-byte entries, big-endian int64 timestamp (the
 * largest batch maxTimestamp so far in the segment) and int32 offset,
 * relative to the segment's base offset, of the last record of the batch
 * that carried it. Timestamps strictly increase. Internal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BROKER_TIME_INDEX_ENTRY_SIZE 12

typedef struct
{
  char   *path;
  int     fd;
  gint64  base_offset;
  guint32 n_entries;
  gint64  last_timestamp;  /* -1 when empty */
  gint64  last_offset;     /* absolute, -1 when empty */
} BrokerTimeIndex;

gboolean broker_time_index_open         (BrokerTimeIndex *idx,
                                         const char      *path,
                                         gint64           base_offset,
                                         gboolean         truncate,
                                         GError         **error);
void     broker_time_index_close        (BrokerTimeIndex *idx);
gboolean broker_time_index_load         (BrokerTimeIndex *idx,
                                         gint64           offset_limit,
                                         GError         **error);
gboolean broker_time_index_reset        (BrokerTimeIndex *idx,
                                         GError         **error);
gboolean broker_time_index_truncate     (BrokerTimeIndex *idx,
                                         guint32          n_entries,
                                         GError         **error);
/* Keeps the entries below @offset. */
gboolean broker_time_index_truncate_to_offset (BrokerTimeIndex *idx,
                                               gint64           offset,
                                               GError         **error);
gboolean broker_time_index_maybe_append (BrokerTimeIndex *idx,
                                         gint64           timestamp,
                                         gint64           offset,
                                         GError         **error);
gboolean broker_time_index_lookup       (BrokerTimeIndex *idx,
                                         gint64           target,
                                         gint64          *offset,
                                         GError         **error);

G_END_DECLS
