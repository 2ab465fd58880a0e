/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-record-batch.h: Kafka record batches, magic 2 (KIP-98), the unit
 * of storage and transfer: parse and validate without copying, iterate
 * batches and records, build batches, and patch the fields a broker
 * rewrites. Layout: https://kafka.apache.org/documentation/#recordbatch */
#pragma once

#include "caudal-compression.h"
#include "caudal-wire-types.h"

G_BEGIN_DECLS

/* Byte offsets of the batch header fields. */
#define CAUDAL_RECORD_BATCH_BASE_OFFSET_OFFSET            0
#define CAUDAL_RECORD_BATCH_LENGTH_OFFSET                 8
#define CAUDAL_RECORD_BATCH_PARTITION_LEADER_EPOCH_OFFSET 12
#define CAUDAL_RECORD_BATCH_MAGIC_OFFSET                  16
#define CAUDAL_RECORD_BATCH_CRC_OFFSET                    17
#define CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET             21
#define CAUDAL_RECORD_BATCH_LAST_OFFSET_DELTA_OFFSET      23
#define CAUDAL_RECORD_BATCH_BASE_TIMESTAMP_OFFSET         27
#define CAUDAL_RECORD_BATCH_MAX_TIMESTAMP_OFFSET          35
#define CAUDAL_RECORD_BATCH_PRODUCER_ID_OFFSET            43
#define CAUDAL_RECORD_BATCH_PRODUCER_EPOCH_OFFSET         51
#define CAUDAL_RECORD_BATCH_BASE_SEQUENCE_OFFSET          53
#define CAUDAL_RECORD_BATCH_RECORDS_COUNT_OFFSET          57

/* baseOffset + batchLength: the bytes before batchLength starts counting
 * (Kafka's LOG_OVERHEAD). */
#define CAUDAL_RECORD_BATCH_LOG_OVERHEAD 12
/* The whole header, up to the first record. */
#define CAUDAL_RECORD_BATCH_HEADER_SIZE  61
#define CAUDAL_RECORD_BATCH_MAGIC        2

/**
 * CaudalRecordBatchAttributes:
 * @CAUDAL_RECORD_BATCH_COMPRESSION_MASK: bits 0-2, the #CaudalCompression
 * @CAUDAL_RECORD_BATCH_LOG_APPEND_TIME: bit 3, timestampType: the broker's
 *   append time (in maxTimestamp) replaces every record's timestamp
 * @CAUDAL_RECORD_BATCH_TRANSACTIONAL: bit 4, isTransactional
 * @CAUDAL_RECORD_BATCH_CONTROL: bit 5, isControlBatch
 * @CAUDAL_RECORD_BATCH_DELETE_HORIZON: bit 6, hasDeleteHorizonMs (KIP-534):
 *   baseTimestamp holds the delete horizon set by compaction
 *
 * The bits of a batch's int16 attributes.
 */
typedef enum
{
  CAUDAL_RECORD_BATCH_COMPRESSION_MASK = 0x07,
  CAUDAL_RECORD_BATCH_LOG_APPEND_TIME  = 0x08,
  CAUDAL_RECORD_BATCH_TRANSACTIONAL    = 0x10,
  CAUDAL_RECORD_BATCH_CONTROL          = 0x20,
  CAUDAL_RECORD_BATCH_DELETE_HORIZON   = 0x40,
} CaudalRecordBatchAttributes;

/**
 * CaudalRecordBatchHeader:
 * @base_offset: baseOffset, the offset of the first record
 * @batch_length: batchLength, the bytes after this field
 * @partition_leader_epoch: partitionLeaderEpoch
 * @magic: magic, always 2 here
 * @crc: crc, CRC-32C of the bytes from @attributes to the end
 * @attributes: attributes (#CaudalRecordBatchAttributes)
 * @last_offset_delta: lastOffsetDelta
 * @base_timestamp: baseTimestamp
 * @max_timestamp: maxTimestamp
 * @producer_id: producerId, -1 without idempotence
 * @producer_epoch: producerEpoch
 * @base_sequence: baseSequence
 * @records_count: the number of records
 * @data: the first byte of the batch (borrowed)
 * @size: the batch's bytes: %CAUDAL_RECORD_BATCH_LOG_OVERHEAD + @batch_length
 * @records: the records section, compressed or not (borrowed)
 * @records_len: its length
 *
 * The decoded header of one batch, pointing into the caller's bytes,
 * which must outlive it.
 */
typedef struct
{
  gint64        base_offset;
  gint32        batch_length;
  gint32        partition_leader_epoch;
  gint8         magic;
  guint32       crc;
  gint16        attributes;
  gint32        last_offset_delta;
  gint64        base_timestamp;
  gint64        max_timestamp;
  gint64        producer_id;
  gint16        producer_epoch;
  gint32        base_sequence;
  gint32        records_count;

  const guint8 *data;
  gsize         size;
  const guint8 *records;
  gsize         records_len;
} CaudalRecordBatchHeader;

/* Accessors for the attribute bits of a parsed header. */
static inline CaudalCompression
caudal_record_batch_header_get_compression (const CaudalRecordBatchHeader *h)
{
  return (CaudalCompression) (h->attributes & CAUDAL_RECORD_BATCH_COMPRESSION_MASK);
}

static inline gboolean
caudal_record_batch_header_is_transactional (const CaudalRecordBatchHeader *h)
{
  return (h->attributes & CAUDAL_RECORD_BATCH_TRANSACTIONAL) != 0;
}

static inline gboolean
caudal_record_batch_header_is_control (const CaudalRecordBatchHeader *h)
{
  return (h->attributes & CAUDAL_RECORD_BATCH_CONTROL) != 0;
}

static inline gboolean
caudal_record_batch_header_is_log_append_time (const CaudalRecordBatchHeader *h)
{
  return (h->attributes & CAUDAL_RECORD_BATCH_LOG_APPEND_TIME) != 0;
}

/**
 * caudal_record_batch_header_get_last_offset:
 * @h: a header
 *
 * Returns: the offset of the batch's last record: baseOffset +
 *   lastOffsetDelta (kept across compaction, so it may be past the last
 *   record still present)
 */
static inline gint64
caudal_record_batch_header_get_last_offset (const CaudalRecordBatchHeader *h)
{
  /* Both fields come off the wire: wrap rather than overflow. */
  return (gint64) ((guint64) h->base_offset + (guint64) (gint64) h->last_offset_delta);
}

/**
 * caudal_record_batch_peek_size:
 * @data: (array length=len): the start of a batch
 * @len: bytes available at @data, at least 17
 * @out_size: (out): the size of the whole batch
 * @error: return location for a #GError
 *
 * Reads just enough of a batch (baseOffset, batchLength, magic) to learn
 * its size, e.g. to know how much more to read from a file or socket.
 *
 * Returns: %TRUE on success; %CAUDAL_WIRE_ERROR_TRUNCATED if @len < 17,
 *   %CAUDAL_WIRE_ERROR_UNSUPPORTED for magic 0 or 1,
 *   %CAUDAL_WIRE_ERROR_INVALID for another magic or a batchLength too small
 *   for a header
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_peek_size    (const guint8 *data,
                                                              gsize         len,
                                                              gsize        *out_size,
                                                              GError      **error);

/**
 * caudal_record_batch_parse_header:
 * @data: (array length=len): the start of a batch
 * @len: bytes available at @data; may hold more after the batch
 * @out: (out caller-allocates): the header, pointing into @data
 * @error: return location for a #GError
 *
 * Decodes the fixed header of the batch at @data, checking the magic and
 * that batchLength covers a header and lies within @len. Copies nothing
 * and checks neither the CRC nor the records: see
 * caudal_record_batch_validate().
 *
 * Returns: %TRUE on success. Errors: %CAUDAL_WIRE_ERROR_UNSUPPORTED for
 *   magic 0 and 1 ("legacy message format (magic N) is not supported"),
 *   %CAUDAL_WIRE_ERROR_INVALID for any other magic but 2 or a bad length,
 *   %CAUDAL_WIRE_ERROR_TRUNCATED when @len is shorter than the batch
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_parse_header (const guint8            *data,
                                                              gsize                    len,
                                                              CaudalRecordBatchHeader *out,
                                                              GError                 **error);

/**
 * caudal_record_batch_compute_crc:
 * @data: (array length=size): a whole batch
 * @size: its size, at least %CAUDAL_RECORD_BATCH_HEADER_SIZE
 *
 * Returns: the CRC-32C the batch should carry: over attributes to the end
 */
CAUDAL_WIRE_EXPORT guint32  caudal_record_batch_compute_crc  (const guint8 *data,
                                                              gsize         size);

/**
 * caudal_record_batch_verify_crc:
 * @header: a parsed header
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the stored CRC matches the bytes, else
 *   %CAUDAL_WIRE_ERROR_CORRUPT (Kafka's CORRUPT_MESSAGE)
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_verify_crc   (const CaudalRecordBatchHeader *header,
                                                              GError                       **error);

/**
 * CaudalRecordBatchValidateFlags:
 * @CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT: the checks that hold for any
 *   batch, including batches compaction has thinned
 * @CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE: also the stricter rules of a batch
 *   straight from a producer: at least one record, records_count ==
 *   lastOffsetDelta + 1, and offset deltas 0, 1, 2…
 * @CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS: also decompress a compressed
 *   batch and parse its records
 *
 * What caudal_record_batch_validate() checks besides the CRC.
 */
typedef enum
{
  CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT    = 0,
  CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE    = 1 << 0,
  CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS = 1 << 1,
} CaudalRecordBatchValidateFlags;

/**
 * caudal_record_batch_validate:
 * @header: a header from caudal_record_batch_parse_header()
 * @flags: the checks to make
 * @max_decompressed: with %CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS, the
 *   most bytes the records may decompress to
 * @error: return location for a #GError
 *
 * Checks a batch without unpacking it when possible: the CRC
 * (%CAUDAL_WIRE_ERROR_CORRUPT), a known codec, a non-negative record count
 * no greater than lastOffsetDelta + 1, and — for an uncompressed batch, or
 * any batch with %CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS — that exactly
 * records_count well-formed records fill the records section to its end,
 * with increasing offset deltas within lastOffsetDelta.
 *
 * Returns: %TRUE if the batch is valid
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_validate     (const CaudalRecordBatchHeader *header,
                                                              CaudalRecordBatchValidateFlags flags,
                                                              gsize                          max_decompressed,
                                                              GError                       **error);

/* ---- several batches in one records blob ---- */

/**
 * CaudalRecordBatchIter:
 *
 * Walks the batches of a records blob (a Produce partition's `records`, a
 * Fetch response's, a segment file's bytes). Stack-allocated; the fields
 * are private.
 */
typedef struct
{
  /*< private >*/
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gsize         partial;
} CaudalRecordBatchIter;

/**
 * caudal_record_batch_iter_init:
 * @iter: an iterator
 * @data: (array length=len): the blob (borrowed; must outlive @iter)
 * @len: its length
 *
 * Starts iterating the batches in @data.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_iter_init    (CaudalRecordBatchIter *iter,
                                                              const guint8          *data,
                                                              gsize                  len);

/**
 * caudal_record_batch_iter_next:
 * @iter: an iterator
 * @out: (out caller-allocates): the next batch's header
 * @error: return location for a #GError
 *
 * Parses the next batch's header (as caudal_record_batch_parse_header();
 * it does not validate the batch). Brokers may cut the last batch of a
 * Fetch response short; such a partial trailing batch ends the iteration
 * without an error, and caudal_record_batch_iter_get_partial_size() says
 * how many bytes it had. A caller that needs whole batches only (Produce)
 * checks that.
 *
 * Returns: %TRUE with @out set; %FALSE at the end (@error unset) or on a
 *   malformed batch (@error set, naming the offset in the blob)
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_iter_next    (CaudalRecordBatchIter   *iter,
                                                              CaudalRecordBatchHeader *out,
                                                              GError                 **error);

/**
 * caudal_record_batch_iter_get_partial_size:
 * @iter: an iterator that has returned %FALSE without an error
 *
 * Returns: the bytes of the truncated batch at the end of the blob, or 0
 *   if the blob ended on a batch boundary
 */
CAUDAL_WIRE_EXPORT gsize    caudal_record_batch_iter_get_partial_size (const CaudalRecordBatchIter *iter);

/**
 * caudal_record_batch_iter_get_position:
 * @iter: an iterator
 *
 * Returns: the offset in the blob of the batch the next call to
 *   caudal_record_batch_iter_next() reads (after the end: the bytes of
 *   whole batches, e.g. where to truncate a torn segment)
 */
CAUDAL_WIRE_EXPORT gsize    caudal_record_batch_iter_get_position (const CaudalRecordBatchIter *iter);

/* ---- records of one batch ---- */

/**
 * CaudalRecord:
 * @attributes: the record's int8 attributes (unused by Kafka so far)
 * @timestamp_delta: timestampDelta from the batch's baseTimestamp
 * @offset_delta: offsetDelta from the batch's baseOffset
 * @offset: baseOffset + @offset_delta
 * @timestamp: the record's timestamp: baseTimestamp + @timestamp_delta, or
 *   the batch's maxTimestamp in a LogAppendTime batch
 * @key: the key, len -1 for null (borrowed)
 * @value: the value, len -1 for null (borrowed)
 * @n_headers: the number of headers
 * @headers_data: the encoded headers, for caudal_record_header_iter_init()
 * @headers_len: their length
 *
 * One record. Its bytes point into the batch or, for a compressed batch,
 * into the iterator's buffer: they live as long as both.
 */
typedef struct
{
  gint8         attributes;
  gint64        timestamp_delta;
  gint32        offset_delta;
  gint64        offset;
  gint64        timestamp;
  CaudalBytes   key;
  CaudalBytes   value;
  gint32        n_headers;
  const guint8 *headers_data;
  gsize         headers_len;
} CaudalRecord;

/**
 * CaudalRecordHeader:
 * @key: the header key (a UTF-8 string in Kafka; never null), borrowed
 * @value: the value, len -1 for null, borrowed
 *
 * One record header (KIP-82).
 */
typedef struct
{
  CaudalBytes key;
  CaudalBytes value;
} CaudalRecordHeader;

/**
 * CaudalRecordIter:
 *
 * Walks the records of one batch. Stack-allocated; the fields are
 * private. Clear it with caudal_record_iter_clear() (or g_auto()).
 */
typedef struct
{
  /*< private >*/
  const guint8 *data;
  gsize         len;
  gsize         pos;
  GByteArray   *buffer;
  gint64        base_offset;
  gint64        base_timestamp;
  gint64        max_timestamp;
  gint32        count;
  gint32        index;
  gint32        last_offset_delta;
  gint32        prev_offset_delta;
  gboolean      log_append_time;
  gboolean      strict;
  gboolean      done;
} CaudalRecordIter;

/**
 * caudal_record_iter_init:
 * @iter: an uninitialised iterator
 * @header: the batch (its bytes must outlive @iter)
 * @max_decompressed: the most bytes a compressed batch's records may
 *   decompress to
 * @error: return location for a #GError
 *
 * Prepares to iterate the records of @header. A compressed batch is
 * decompressed here, once, into a buffer the iterator owns. @iter must
 * be cleared with caudal_record_iter_clear() whatever this returns.
 *
 * Returns: %TRUE on success; on failure (an unknown codec, corrupt or
 *   oversized compressed data) @error is set
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_iter_init          (CaudalRecordIter              *iter,
                                                              const CaudalRecordBatchHeader *header,
                                                              gsize                          max_decompressed,
                                                              GError                       **error);

/**
 * caudal_record_iter_next:
 * @iter: an iterator
 * @out: (out caller-allocates): the next record
 * @error: return location for a #GError
 *
 * Decodes the next record, checking that it fits its length prefix and
 * that the offset deltas increase. After the last record the iterator
 * checks that the records section has been consumed exactly.
 *
 * Returns: %TRUE with @out set; %FALSE at the end (@error unset) or for
 *   a malformed record (@error set)
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_iter_next          (CaudalRecordIter *iter,
                                                              CaudalRecord     *out,
                                                              GError          **error);

/**
 * caudal_record_iter_clear:
 * @iter: an iterator
 *
 * Frees the iterator's decompression buffer; records obtained from it
 * that pointed there are no longer valid.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_iter_clear         (CaudalRecordIter *iter);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaudalRecordIter, caudal_record_iter_clear)

/**
 * CaudalRecordHeaderIter:
 *
 * Walks the headers of one record. Stack-allocated; fields are private.
 */
typedef struct
{
  /*< private >*/
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gint32        remaining;
} CaudalRecordHeaderIter;

/**
 * caudal_record_header_iter_init:
 * @iter: an iterator
 * @record: a record from caudal_record_iter_next()
 *
 * Starts iterating @record's headers.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_header_iter_init   (CaudalRecordHeaderIter *iter,
                                                              const CaudalRecord     *record);

/**
 * caudal_record_header_iter_next:
 * @iter: an iterator
 * @out: (out caller-allocates): the next header
 * @error: return location for a #GError
 *
 * The record iterator has already checked the headers, so this only fails
 * for a #CaudalRecord not obtained from it.
 *
 * Returns: %TRUE with @out set; %FALSE at the end (@error unset) or on
 *   malformed headers (@error set)
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_header_iter_next   (CaudalRecordHeaderIter *iter,
                                                              CaudalRecordHeader     *out,
                                                              GError                **error);

/* ---- control records (KIP-98) ---- */

/**
 * CaudalControlRecordType:
 * @CAUDAL_CONTROL_RECORD_ABORT: a transaction marker: aborted
 * @CAUDAL_CONTROL_RECORD_COMMIT: a transaction marker: committed
 *
 * The type in a control record's key. Kafka defines further types for its
 * own metadata log (leader change, snapshots…); they parse as their
 * number.
 */
typedef enum
{
  CAUDAL_CONTROL_RECORD_ABORT  = 0,
  CAUDAL_CONTROL_RECORD_COMMIT = 1,
} CaudalControlRecordType;

/**
 * CaudalControlRecord:
 * @version: the key's version (0)
 * @type: the #CaudalControlRecordType number
 * @coordinator_epoch: for abort and commit markers with a value
 *   (EndTransactionMarker: version int16, coordinatorEpoch int32), the
 *   transaction coordinator's epoch; otherwise -1
 *
 * The decoded key (version int16, type int16) and marker value of a
 * record in a control batch.
 */
typedef struct
{
  gint16 version;
  gint16 type;
  gint32 coordinator_epoch;
} CaudalControlRecord;

/**
 * caudal_record_parse_control:
 * @record: a record of a control batch
 * @out: (out caller-allocates): the decoded control record
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; %CAUDAL_WIRE_ERROR_INVALID for a key shorter
 *   than 4 bytes, a negative version or a malformed marker value
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_parse_control      (const CaudalRecord  *record,
                                                              CaudalControlRecord *out,
                                                              GError             **error);

/* ---- building ---- */

/**
 * CaudalRecordBatchBuilder:
 *
 * Accumulates records into one batch. Offsets are assigned in order
 * (offset delta 0, 1, 2…); the first record's timestamp is the batch's
 * baseTimestamp. Defaults: base offset 0, partition leader epoch -1,
 * producer id -1, epoch -1, base sequence -1, no compression.
 */
typedef struct _CaudalRecordBatchBuilder CaudalRecordBatchBuilder;

/**
 * caudal_record_batch_builder_new:
 *
 * Returns: (transfer full): an empty builder with the default settings
 */
CAUDAL_WIRE_EXPORT CaudalRecordBatchBuilder *caudal_record_batch_builder_new (void);

/**
 * caudal_record_batch_builder_free:
 * @builder: (nullable): a builder
 *
 * Frees @builder and the records it holds.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_free (CaudalRecordBatchBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalRecordBatchBuilder, caudal_record_batch_builder_free)

/**
 * caudal_record_batch_builder_reset:
 * @builder: a builder
 *
 * Drops the records appended so far, keeping every setting, so that the
 * builder can make another batch.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_reset (CaudalRecordBatchBuilder *builder);

/**
 * caudal_record_batch_builder_set_base_offset:
 * @builder: a builder
 * @base_offset: the offset of the first record (producers send 0; the
 *   broker assigns the real one with caudal_record_batch_set_base_offset())
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_base_offset (CaudalRecordBatchBuilder *builder,
                                                                         gint64                    base_offset);
/**
 * caudal_record_batch_builder_set_partition_leader_epoch:
 * @builder: a builder
 * @epoch: the partition leader epoch, or -1 (what clients send)
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_partition_leader_epoch (CaudalRecordBatchBuilder *builder,
                                                                                    gint32                    epoch);
/**
 * caudal_record_batch_builder_set_producer:
 * @builder: a builder
 * @producer_id: the idempotent producer's id (KIP-98), or -1
 * @producer_epoch: its epoch, or -1
 * @base_sequence: the sequence number of the first record, or -1
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_producer (CaudalRecordBatchBuilder *builder,
                                                                      gint64                    producer_id,
                                                                      gint16                    producer_epoch,
                                                                      gint32                    base_sequence);
/**
 * caudal_record_batch_builder_set_transactional:
 * @builder: a builder
 * @transactional: whether the batch belongs to a transaction (isTransactional)
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_transactional (CaudalRecordBatchBuilder *builder,
                                                                           gboolean                  transactional);
/**
 * caudal_record_batch_builder_set_control:
 * @builder: a builder
 * @control: whether this is a control batch (isControlBatch), holding
 *   control records such as transaction markers
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_control (CaudalRecordBatchBuilder *builder,
                                                                     gboolean                  control);
/**
 * caudal_record_batch_builder_set_compression:
 * @builder: a builder
 * @codec: the codec for the records section; an unknown one makes
 *   caudal_record_batch_builder_finish() fail
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_compression (CaudalRecordBatchBuilder *builder,
                                                                         CaudalCompression         codec);
/**
 * caudal_record_batch_builder_set_log_append_time:
 * @builder: a builder
 * @timestamp: the append time in ms since the epoch
 *
 * Makes a LogAppendTime batch: @timestamp becomes maxTimestamp and the
 * timestamp of every record.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_builder_set_log_append_time (CaudalRecordBatchBuilder *builder,
                                                                             gint64                    timestamp);

/**
 * caudal_record_batch_builder_append:
 * @builder: a builder
 * @timestamp: the record's timestamp, ms since the epoch
 * @key: the key (%CAUDAL_BYTES_NULL for null)
 * @value: the value (%CAUDAL_BYTES_NULL for null, a tombstone)
 * @headers: (array length=n_headers) (nullable): the headers; keys must
 *   not be null
 * @n_headers: their number
 * @error: return location for a #GError
 *
 * Appends one record (the bytes are copied).
 *
 * Returns: %TRUE on success; %CAUDAL_WIRE_ERROR_INVALID for a null header
 *   key or a length below -1, %CAUDAL_WIRE_ERROR_TOO_LARGE when the batch
 *   would exceed 2 GiB or the int32 offset delta
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_builder_append (CaudalRecordBatchBuilder *builder,
                                                                gint64                    timestamp,
                                                                CaudalBytes               key,
                                                                CaudalBytes               value,
                                                                const CaudalRecordHeader *headers,
                                                                gsize                     n_headers,
                                                                GError                  **error);

/**
 * caudal_record_batch_builder_append_control:
 * @builder: a builder
 * @type: abort or commit
 * @coordinator_epoch: the transaction coordinator's epoch
 * @timestamp: the marker's timestamp
 * @error: return location for a #GError
 *
 * Appends a transaction marker (key: version 0 + @type; value:
 * EndTransactionMarker version 0 + @coordinator_epoch) and marks the
 * batch as a transactional control batch. Set the producer id and epoch
 * of the transaction being ended with
 * caudal_record_batch_builder_set_producer().
 *
 * Returns: %TRUE on success
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_builder_append_control (CaudalRecordBatchBuilder *builder,
                                                                        CaudalControlRecordType   type,
                                                                        gint32                    coordinator_epoch,
                                                                        gint64                    timestamp,
                                                                        GError                  **error);

/**
 * caudal_record_batch_builder_get_count:
 * @builder: a builder
 *
 * Returns: the number of records appended since the last reset
 */
CAUDAL_WIRE_EXPORT gint32   caudal_record_batch_builder_get_count (const CaudalRecordBatchBuilder *builder);

/**
 * caudal_record_batch_builder_get_size:
 * @builder: a builder
 *
 * Returns: the size the batch would have uncompressed, header included
 *   (for a producer to stop at its batch.size)
 */
CAUDAL_WIRE_EXPORT gsize    caudal_record_batch_builder_get_size  (const CaudalRecordBatchBuilder *builder);

/**
 * caudal_record_batch_builder_finish:
 * @builder: a builder with at least one record
 * @error: return location for a #GError
 *
 * Compresses the records if asked, then writes the header with the right
 * batchLength, lastOffsetDelta, maxTimestamp, record count and CRC.
 * The builder is reset (as by caudal_record_batch_builder_reset()) on
 * success.
 *
 * Returns: (transfer full): the batch, or %NULL with @error set (no
 *   records: %CAUDAL_WIRE_ERROR_INVALID; unknown codec:
 *   %CAUDAL_WIRE_ERROR_UNSUPPORTED; codec failure)
 */
CAUDAL_WIRE_EXPORT GBytes  *caudal_record_batch_builder_finish (CaudalRecordBatchBuilder *builder,
                                                                GError                  **error);

/* ---- in-place patching ---- */

/**
 * caudal_record_batch_set_base_offset:
 * @batch: a batch (at least %CAUDAL_RECORD_BATCH_HEADER_SIZE bytes)
 * @base_offset: the offset of its first record
 *
 * Rewrites baseOffset, as a broker does to assign offsets. The field lies
 * before the checksummed range, so the CRC stays valid.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_set_base_offset (guint8 *batch,
                                                                 gint64  base_offset);

/**
 * caudal_record_batch_set_partition_leader_epoch:
 * @batch: a batch (at least %CAUDAL_RECORD_BATCH_HEADER_SIZE bytes)
 * @epoch: the leader epoch
 *
 * Rewrites partitionLeaderEpoch; also outside the CRC.
 */
CAUDAL_WIRE_EXPORT void     caudal_record_batch_set_partition_leader_epoch (guint8 *batch,
                                                                            gint32  epoch);

/**
 * caudal_record_batch_set_log_append_time:
 * @batch: (array length=len): a batch
 * @len: bytes at @batch
 * @timestamp: the broker's append time, ms since the epoch
 * @error: return location for a #GError
 *
 * Turns the batch into a LogAppendTime batch: sets the timestampType
 * attribute and maxTimestamp, then recomputes the CRC, since both are
 * inside the checksummed range. Validate the batch first: this makes any
 * earlier corruption look valid.
 *
 * Returns: %TRUE on success; the errors of
 *   caudal_record_batch_parse_header() otherwise
 */
CAUDAL_WIRE_EXPORT gboolean caudal_record_batch_set_log_append_time (guint8  *batch,
                                                                     gsize    len,
                                                                     gint64   timestamp,
                                                                     GError **error);

G_END_DECLS
