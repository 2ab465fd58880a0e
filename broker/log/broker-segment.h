/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-segment.h: one segment of a partition log: the `.log` file of
 * record batches and its two sparse indexes. Refcounted so that a fetch
 * slice or a flush on a worker thread keeps the descriptors open while
 * the log rolls or deletes the segment. Internal. */
#pragma once

#include "broker-offset-index.h"
#include "broker-time-index.h"

G_BEGIN_DECLS

/* What a segment needs from a batch header, decoded from its first
 * CAUDAL_RECORD_BATCH_HEADER_SIZE bytes. */
typedef struct
{
  gint64 base_offset;
  gint64 last_offset;
  gint64 max_timestamp;
  gint64 size;
  gint32 leader_epoch;   /* partitionLeaderEpoch */
  gint16 attributes;
} BrokerBatchHead;

/* The fields an append changes, saved to undo a failed one. */
typedef struct
{
  gint64  size;
  gint64  next_offset;
  gint64  max_timestamp;
  gint64  offset_of_max_timestamp;
  gint64  bytes_since_last_index_entry;
  gint64  roll_base_ms;
  guint32 index_entries;
  guint32 time_entries;
} BrokerSegmentState;

typedef struct
{
  gint               ref_count;        /* atomic */
  gint64             base_offset;
  char              *log_path;
  int                log_fd;
  BrokerOffsetIndex  offset_index;
  BrokerTimeIndex    time_index;

  gint64             size;             /* bytes of whole batches in the .log */
  gint64             next_offset;      /* last offset + 1; base offset when empty */
  gint64             max_timestamp;    /* largest batch maxTimestamp, -1 when none */
  gint64             offset_of_max_timestamp;  /* last offset of that batch */
  gint64             bytes_since_last_index_entry;
  gint64             roll_base_ms;     /* segment.ms counts from here; -1 when empty */
  gboolean           dirty;            /* written since the last flush started */
  gboolean           deleted;
} BrokerSegment;

char          *broker_segment_file_name   (const char          *dir,
                                           gint64               base_offset,
                                           const char          *suffix);
BrokerSegment *broker_segment_open        (const char          *dir,
                                           gint64               base_offset,
                                           gboolean             create,
                                           GError             **error);
BrokerSegment *broker_segment_ref         (BrokerSegment       *seg);
void           broker_segment_unref       (BrokerSegment       *seg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerSegment, broker_segment_unref)

gboolean broker_segment_delete_files      (BrokerSegment       *seg,
                                           GError             **error);
gboolean broker_segment_is_empty          (BrokerSegment       *seg);
gint64   broker_segment_largest_timestamp (BrokerSegment       *seg);

gboolean broker_batch_head_decode         (const guint8        *data,
                                           gsize                len,
                                           BrokerBatchHead     *head,
                                           GError             **error);
gboolean broker_segment_read_head         (BrokerSegment       *seg,
                                           gint64               position,
                                           BrokerBatchHead     *head,
                                           GError             **error);
GBytes  *broker_segment_read_bytes        (BrokerSegment       *seg,
                                           gint64               position,
                                           gsize                length,
                                           GError             **error);
gboolean broker_segment_find_batch        (BrokerSegment       *seg,
                                           gint64               offset,
                                           gint64              *position,
                                           BrokerBatchHead     *head,
                                           GError             **error);

void     broker_segment_reset_state       (BrokerSegment       *seg);
gboolean broker_segment_track_batch       (BrokerSegment       *seg,
                                           gint64               position,
                                           const BrokerBatchHead *head,
                                           gint32               index_interval_bytes,
                                           gint64               roll_time_ms,
                                           GError             **error);
void     broker_segment_save_state        (BrokerSegment       *seg,
                                           BrokerSegmentState  *state);
gboolean broker_segment_restore_state     (BrokerSegment       *seg,
                                           const BrokerSegmentState *state,
                                           GError             **error);
gboolean broker_segment_append            (BrokerSegment       *seg,
                                           const guint8        *data,
                                           gsize                len,
                                           const BrokerBatchHead *heads,
                                           guint                n_heads,
                                           gint32               index_interval_bytes,
                                           gint64               now_ms,
                                           GError             **error);
gboolean broker_segment_truncate_to       (BrokerSegment       *seg,
                                           gint64               offset,
                                           GError             **error);
gboolean broker_segment_seal              (BrokerSegment       *seg,
                                           GError             **error);
gboolean broker_segment_sync              (BrokerSegment       *seg,
                                           GError             **error);

G_END_DECLS
