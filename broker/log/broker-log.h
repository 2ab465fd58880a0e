/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log.h: one partition's log on disk, in Kafka's layout
 * (docs/storage.md): segments of record batches named by base offset,
 * sparse offset and time indexes, recovery of a torn tail on open,
 * retention, and fsync on a worker thread with group commit.
 *
 * Every call is made from one thread, the owner's; only the fsync work of
 * broker_log_flush_async() runs elsewhere. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BrokerLogError:
 * @BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE: an offset below the log start
 *   offset or above the log end offset (Kafka's OFFSET_OUT_OF_RANGE)
 * @BROKER_LOG_ERROR_CORRUPT: bytes on disk or handed in are not what they
 *   should be (Kafka's CORRUPT_MESSAGE / KAFKA_STORAGE_ERROR)
 * @BROKER_LOG_ERROR_IO: a system call failed (KAFKA_STORAGE_ERROR)
 * @BROKER_LOG_ERROR_TOO_LARGE: an append larger than a segment may hold
 *   (RECORD_BATCH_TOO_LARGE / MESSAGE_TOO_LARGE)
 * @BROKER_LOG_ERROR_INVALID: an append that is not whole record batches
 *   (INVALID_RECORD)
 * @BROKER_LOG_ERROR_CLOSED: the log was closed before a flush completed
 */
typedef enum
{
  BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE,
  BROKER_LOG_ERROR_CORRUPT,
  BROKER_LOG_ERROR_IO,
  BROKER_LOG_ERROR_TOO_LARGE,
  BROKER_LOG_ERROR_INVALID,
  BROKER_LOG_ERROR_CLOSED,
} BrokerLogError;

#define BROKER_LOG_ERROR (broker_log_error_quark ())
GQuark broker_log_error_quark (void);

/**
 * BrokerLogConfig:
 * @segment_bytes: segment.bytes, default 1073741824
 * @segment_ms: segment.ms, default 604800000
 * @retention_ms: retention.ms, -1 = unlimited, default 604800000
 * @retention_bytes: retention.bytes, -1 = unlimited (the default)
 * @flush_messages: flush.messages, %G_MAXINT64 = leave to the page cache
 * @flush_ms: flush.ms, %G_MAXINT64 = leave to the page cache
 * @index_interval_bytes: index.interval.bytes, default 4096
 * @log_append_time: message.timestamp.type=LogAppendTime
 *
 * A topic's log settings, with Kafka's names and defaults.
 */
typedef struct
{
  gint64   segment_bytes;
  gint64   segment_ms;
  gint64   retention_ms;
  gint64   retention_bytes;
  gint64   flush_messages;
  gint64   flush_ms;
  gint32   index_interval_bytes;
  gboolean log_append_time;
} BrokerLogConfig;

void broker_log_config_init_defaults (BrokerLogConfig *cfg);

typedef struct _BrokerLog BrokerLog;

/* Opens (creating the directory if needed) and recovers the partition at
 * @dir. @log_start_offset: from the caller's checkpoint, or -1 when
 * unknown. */
BrokerLog  *broker_log_open        (const char            *dir,
                                    const BrokerLogConfig *cfg,
                                    gint64                 log_start_offset,
                                    GError               **error);
/* Flushes (fsync) and frees. A flush_async already running completes
 * with its own result; those queued behind it fail with
 * BROKER_LOG_ERROR_CLOSED. */
void        broker_log_close       (BrokerLog             *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerLog, broker_log_close)
/* Closes and removes the directory and its files; frees @log either way. */
gboolean    broker_log_delete      (BrokerLog             *log,
                                    GError               **error);
void        broker_log_set_config  (BrokerLog             *log,
                                    const BrokerLogConfig *cfg);
const char *broker_log_get_dir     (BrokerLog             *log);

gint64 broker_log_get_start_offset    (BrokerLog *log);
gint64 broker_log_get_end_offset      (BrokerLog *log);
gint64 broker_log_get_size            (BrokerLog *log);
guint  broker_log_get_n_segments      (BrokerLog *log);
gint64 broker_log_get_recovery_point  (BrokerLog *log);

/**
 * BrokerLogAppendInfo:
 * @base_offset: the first offset assigned
 * @last_offset: the last offset assigned
 * @log_append_time: the append time written into the batches, or -1
 *   unless the topic uses LogAppendTime
 * @max_timestamp: the largest batch maxTimestamp of the append
 * @offset_of_max_timestamp: the last offset of the batch carrying it
 * @needs_flush: flush.messages or flush.ms reached: the caller should
 *   flush before acknowledging
 */
typedef struct
{
  gint64   base_offset;
  gint64   last_offset;
  gint64   log_append_time;
  gint64   max_timestamp;
  gint64   offset_of_max_timestamp;
  gboolean needs_flush;
} BrokerLogAppendInfo;

/* @batches: one or more whole, already validated (CRC, magic) v2 batches,
 * modified in place (base offsets, leader epoch, LogAppendTime).
 * @now_ms: wall clock for LogAppendTime and the segment.ms roll.
 * All or nothing: on a write error the files are cut back. */
gboolean broker_log_append (BrokerLog           *log,
                            guint8              *batches,
                            gsize                len,
                            gint64               now_ms,
                            BrokerLogAppendInfo *info,
                            GError             **error);

/* Replication (docs/storage.md, "Leader epochs and truncation"). */

/* The partitionLeaderEpoch that later broker_log_append() calls stamp
 * into their batches; until set, the latest cached epoch of a reopened
 * log, else 0. An append whose epoch is larger than
 * the latest cached one adds (epoch, its base offset) to the leader epoch
 * cache (Kafka's LeaderEpochFileCache.assign). */
void     broker_log_set_leader_epoch (BrokerLog           *log,
                                      gint32               epoch);
/* A follower's append of whole v2 batches fetched from the leader, kept
 * byte for byte (offsets, partitionLeaderEpoch, timestamps). The first
 * base offset must be the log end offset and the batches contiguous
 * (BROKER_LOG_ERROR_INVALID otherwise); each batch is validated (CRC)
 * like a produced one. Every batch whose epoch is larger than the latest
 * cached one assigns (epoch, its base offset). All or nothing. */
gboolean broker_log_append_replica   (BrokerLog           *log,
                                      const guint8        *batches,
                                      gsize                len,
                                      BrokerLogAppendInfo *info,
                                      GError             **error);
/* A follower's truncation: the log ends at @offset afterwards — or, when
 * @offset falls inside a batch, at that batch's base offset, since batches
 * are never split. No-op at or past the end; OFFSET_OUT_OF_RANGE below the
 * start offset. Later segments are deleted, the cache forgets the epochs
 * starting at or past the new end, the recovery point is lowered to it,
 * and all of it is durable before this returns. */
gboolean broker_log_truncate_to      (BrokerLog           *log,
                                      gint64               offset,
                                      GError             **error);
/* The latest cached leader epoch, -1 when none. */
gint32   broker_log_get_latest_epoch (BrokerLog           *log);
/* Where @epoch starts in the log, -1 if it is not cached. */
gint64   broker_log_get_epoch_start_offset (BrokerLog     *log,
                                            gint32         epoch);
/* OffsetsForLeaderEpoch (Kafka's LeaderEpochFileCache.endOffsetFor): for
 * the latest epoch, (it, log end offset); else the largest cached epoch
 * <= @epoch, ending where the next cached epoch starts; (-1, -1) when
 * @epoch is negative, below every cached epoch or past the latest, or
 * the cache is empty. */
void     broker_log_end_offset_for_epoch (BrokerLog       *log,
                                          gint32           epoch,
                                          gint32          *out_epoch,
                                          gint64          *out_end_offset);

/**
 * BrokerLogSlice:
 * @fd: the segment file to read (or sendfile) from; -1 when empty
 * @position: where the bytes start in @fd
 * @length: how many bytes; 0 at the end of the log
 * @segment_ref: keeps the segment (and @fd) alive until
 *   broker_log_slice_clear()
 */
typedef struct
{
  int      fd;
  gint64   position;
  gsize    length;
  gpointer segment_ref;
} BrokerLogSlice;

/* Whole batches starting with the one that contains @offset, up to
 * @max_bytes but at least one batch (KIP-74), from one segment; empty at
 * the end offset; OFFSET_OUT_OF_RANGE below the start or past the end. */
gboolean broker_log_read             (BrokerLog            *log,
                                      gint64                offset,
                                      gsize                 max_bytes,
                                      BrokerLogSlice       *out,
                                      GError              **error);
GBytes  *broker_log_slice_read_bytes (const BrokerLogSlice *slice,
                                      GError              **error);
void     broker_log_slice_clear      (BrokerLogSlice       *slice);

/* ListOffsets by time: the first record at or after the log start offset
 * whose timestamp is >= @timestamp, found through the time index and a
 * scan of batch headers, then within the first matching batch. FALSE with
 * *offset = -1 (and no error) when there is none. */
gboolean broker_log_offset_for_timestamp (BrokerLog *log,
                                          gint64     timestamp,
                                          gint64    *offset,
                                          gint64    *found_timestamp,
                                          GError   **error);
/* ListOffsets -3 (KIP-734): the record with the largest timestamp (its
 * first record when several share it); -1/-1 when empty. */
void     broker_log_max_timestamp        (BrokerLog *log,
                                          gint64    *offset,
                                          gint64    *timestamp);

/* DeleteRecords: moves the start offset to @offset (<= end offset, else
 * OFFSET_OUT_OF_RANGE) and deletes the segments entirely below it. */
gboolean broker_log_delete_records_before (BrokerLog *log,
                                           gint64     offset,
                                           GError   **error);
/* Deletes segments by retention.ms and retention.bytes (see
 * docs/storage.md), and those below the start offset. Returns how many. */
guint    broker_log_apply_retention       (BrokerLog *log,
                                           gint64     now_ms);
/* Rolls when the active segment is non-empty and older than segment.ms.
 * TRUE unless rolling failed. */
gboolean broker_log_maybe_roll            (BrokerLog *log,
                                           gint64     now_ms,
                                           GError   **error);

/* fdatasync of what is not yet flushed, on a worker thread; completes on
 * the log's main context. Calls made while a flush runs share the next
 * one (group commit). The recovery point advances on completion. */
void     broker_log_flush_async  (BrokerLog           *log,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  cb,
                                  gpointer             user_data);
gboolean broker_log_flush_finish (BrokerLog           *log,
                                  GAsyncResult        *result,
                                  GError             **error);
gboolean broker_log_flush        (BrokerLog           *log,
                                  GError             **error);

G_END_DECLS
