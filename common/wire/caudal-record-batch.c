/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-record-batch.c: record batch v2 (KIP-98; "Record Batch" in
 * https://kafka.apache.org/documentation/#recordbatch).
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 |
 *   magic int8 | crc uint32 | attributes int16 | lastOffsetDelta int32 |
 *   baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
 *   producerEpoch int16 | baseSequence int32 | records count int32 | records
 *
 * and each record (Kafka's DefaultRecord):
 *
 *   length varint | attributes int8 | timestampDelta varlong |
 *   offsetDelta varint | keyLength varint | key | valueLength varint |
 *   value | headers count varint | [keyLength varint | key |
 *   valueLength varint | value]
 *
 * batchLength counts from partitionLeaderEpoch to the end; the CRC-32C
 * covers attributes to the end, so the two fields a broker rewrites
 * (baseOffset, partitionLeaderEpoch) lie outside it. When the batch is
 * compressed, only the records section is, as one codec stream. */
#include "caudal-record-batch.h"

#include "caudal-crc32c.h"
#include "caudal-primitives.h"

#include <string.h>

/* batchLength of a batch with no records: the header after batchLength. */
#define MIN_BATCH_LENGTH (CAUDAL_RECORD_BATCH_HEADER_SIZE - CAUDAL_RECORD_BATCH_LOG_OVERHEAD)
/* The smallest record: length, attributes, timestampDelta, offsetDelta,
 * keyLength, valueLength and headers count, one byte each. */
#define MIN_RECORD_SIZE 7

/* ---- big-endian helpers for the fixed header ---- */

static inline guint16
get_be16 (const guint8 *p)
{
  return (guint16) ((guint16) p[0] << 8 | p[1]);
}

static inline guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline guint64
get_be64 (const guint8 *p)
{
  return (guint64) get_be32 (p) << 32 | get_be32 (p + 4);
}

static inline void
put_be16 (guint8  *p,
          guint16  v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static inline void
put_be64 (guint8  *p,
          guint64  v)
{
  put_be32 (p, (guint32) (v >> 32));
  put_be32 (p + 4, (guint32) v);
}

/* Timestamps are base + delta, each attacker-controlled: add and subtract
 * modulo 2^64 rather than overflow a signed integer. */
static inline gint64
wrapping_add (gint64 a,
              gint64 b)
{
  return (gint64) ((guint64) a + (guint64) b);
}

static inline gint64
wrapping_sub (gint64 a,
              gint64 b)
{
  return (gint64) ((guint64) a - (guint64) b);
}

/* ---- header ---- */

/* Checks the magic byte; shared by every entry point so that the legacy
 * formats get the same clear message everywhere. */
static gboolean
check_magic (gint8    magic,
             GError **error)
{
  if (G_LIKELY (magic == CAUDAL_RECORD_BATCH_MAGIC))
    return TRUE;
  if (magic == 0 || magic == 1)
    /* Message sets v0/v1 (pre-0.11) have per-message CRC-32 and another
     * layout; Kafka 4 dropped them too (KIP-896). */
    g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED,
                 "legacy message format (magic %d) is not supported", magic);
  else
    g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                 "unknown record batch magic %d", magic);
  return FALSE;
}

gboolean
caudal_record_batch_peek_size (const guint8 *data,
                               gsize         len,
                               gsize        *out_size,
                               GError      **error)
{
  gint32 batch_length;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out_size != NULL, FALSE);

  if (len < CAUDAL_RECORD_BATCH_MAGIC_OFFSET + 1)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TRUNCATED,
                   "record batch header needs %d bytes to reach the magic, %" G_GSIZE_FORMAT " given",
                   CAUDAL_RECORD_BATCH_MAGIC_OFFSET + 1, len);
      return FALSE;
    }
  if (!check_magic ((gint8) data[CAUDAL_RECORD_BATCH_MAGIC_OFFSET], error))
    return FALSE;
  batch_length = (gint32) get_be32 (data + CAUDAL_RECORD_BATCH_LENGTH_OFFSET);
  if (batch_length < MIN_BATCH_LENGTH)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "record batch length %d is shorter than a batch header (%d)",
                   batch_length, MIN_BATCH_LENGTH);
      return FALSE;
    }
  *out_size = (gsize) batch_length + CAUDAL_RECORD_BATCH_LOG_OVERHEAD;
  return TRUE;
}

gboolean
caudal_record_batch_parse_header (const guint8            *data,
                                  gsize                    len,
                                  CaudalRecordBatchHeader *out,
                                  GError                 **error)
{
  gsize size;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!caudal_record_batch_peek_size (data, len, &size, error))
    return FALSE;
  if (size > len)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TRUNCATED,
                   "record batch of %" G_GSIZE_FORMAT " bytes, only %" G_GSIZE_FORMAT " present",
                   size, len);
      return FALSE;
    }

  out->base_offset = (gint64) get_be64 (data + CAUDAL_RECORD_BATCH_BASE_OFFSET_OFFSET);
  out->batch_length = (gint32) get_be32 (data + CAUDAL_RECORD_BATCH_LENGTH_OFFSET);
  out->partition_leader_epoch = (gint32) get_be32 (data + CAUDAL_RECORD_BATCH_PARTITION_LEADER_EPOCH_OFFSET);
  out->magic = (gint8) data[CAUDAL_RECORD_BATCH_MAGIC_OFFSET];
  out->crc = get_be32 (data + CAUDAL_RECORD_BATCH_CRC_OFFSET);
  out->attributes = (gint16) get_be16 (data + CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET);
  out->last_offset_delta = (gint32) get_be32 (data + CAUDAL_RECORD_BATCH_LAST_OFFSET_DELTA_OFFSET);
  out->base_timestamp = (gint64) get_be64 (data + CAUDAL_RECORD_BATCH_BASE_TIMESTAMP_OFFSET);
  out->max_timestamp = (gint64) get_be64 (data + CAUDAL_RECORD_BATCH_MAX_TIMESTAMP_OFFSET);
  out->producer_id = (gint64) get_be64 (data + CAUDAL_RECORD_BATCH_PRODUCER_ID_OFFSET);
  out->producer_epoch = (gint16) get_be16 (data + CAUDAL_RECORD_BATCH_PRODUCER_EPOCH_OFFSET);
  out->base_sequence = (gint32) get_be32 (data + CAUDAL_RECORD_BATCH_BASE_SEQUENCE_OFFSET);
  out->records_count = (gint32) get_be32 (data + CAUDAL_RECORD_BATCH_RECORDS_COUNT_OFFSET);
  out->data = data;
  out->size = size;
  out->records = data + CAUDAL_RECORD_BATCH_HEADER_SIZE;
  out->records_len = size - CAUDAL_RECORD_BATCH_HEADER_SIZE;
  return TRUE;
}

guint32
caudal_record_batch_compute_crc (const guint8 *data,
                                 gsize         size)
{
  g_return_val_if_fail (size >= CAUDAL_RECORD_BATCH_HEADER_SIZE, 0);

  return caudal_crc32c (0, data + CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET,
                        size - CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET);
}

gboolean
caudal_record_batch_verify_crc (const CaudalRecordBatchHeader *header,
                                GError                       **error)
{
  guint32 crc;

  g_return_val_if_fail (header != NULL, FALSE);

  crc = caudal_record_batch_compute_crc (header->data, header->size);
  if (crc == header->crc)
    return TRUE;
  g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_CORRUPT,
               "record batch at base offset %" G_GINT64_FORMAT
               ": CRC-32C is 0x%08x, the batch says 0x%08x",
               header->base_offset, crc, header->crc);
  return FALSE;
}

/* ---- records ---- */

/* Reads a key or value: varint length (-1 null), then the bytes. */
static gboolean
read_varint_bytes (CaudalReader *r,
                   gboolean      nullable,
                   const char   *what,
                   CaudalBytes  *out,
                   GError      **error)
{
  gint32 len;

  if (!caudal_read_varint (r, &len, error))
    return FALSE;
  if (len < 0)
    {
      if (len == -1 && nullable)
        {
          *out = CAUDAL_BYTES_NULL;
          return TRUE;
        }
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "%s has invalid length %d", what, len);
      return FALSE;
    }
  if (!caudal_read_raw (r, (gsize) len, &out->data, error))
    return FALSE;
  out->len = len;
  return TRUE;
}

static gboolean
read_header (CaudalReader       *r,
             CaudalRecordHeader *out,
             GError            **error)
{
  /* Kafka rejects a null header key ("Invalid negative header key size"). */
  return read_varint_bytes (r, FALSE, "header key", &out->key, error) &&
         read_varint_bytes (r, TRUE, "header value", &out->value, error);
}

/* Decodes one record at the reader's position and checks that its fields
 * fill exactly its length prefix. The offsets in errors are relative to
 * the start of the records section (decompressed, if it was compressed). */
/* Decodes the fields of a record whose length prefix has been read; @body
 * ends where the record does. */
static gboolean
read_record_body (CaudalReader *body,
                  CaudalRecord *out,
                  GError      **error)
{
  gsize headers_start;

  if (!caudal_read_int8 (body, &out->attributes, error) ||
      !caudal_read_varlong (body, &out->timestamp_delta, error) ||
      !caudal_read_varint (body, &out->offset_delta, error) ||
      !read_varint_bytes (body, TRUE, "key", &out->key, error) ||
      !read_varint_bytes (body, TRUE, "value", &out->value, error) ||
      !caudal_read_varint (body, &out->n_headers, error))
    return FALSE;

  /* Each header takes at least two bytes (two varint lengths). */
  if (out->n_headers < 0 || (gsize) out->n_headers > caudal_reader_remaining (body) / 2)
    {
      caudal_reader_set_error (body, error, CAUDAL_WIRE_ERROR_INVALID,
                               "invalid header count %d for %" G_GSIZE_FORMAT " bytes left",
                               out->n_headers, caudal_reader_remaining (body));
      return FALSE;
    }
  headers_start = body->pos;
  for (gint32 i = 0; i < out->n_headers; i++)
    {
      CaudalRecordHeader h;

      if (!read_header (body, &h, error))
        return FALSE;
    }
  out->headers_data = body->data + headers_start;
  out->headers_len = body->pos - headers_start;
  return TRUE;
}

/* Decodes one record at the reader's position and checks that its fields
 * fill exactly its length prefix. The offsets in errors are relative to
 * the start of the records section (decompressed, if it was compressed). */
static gboolean
read_record (CaudalReader *r,
             CaudalRecord *out,
             GError      **error)
{
  CaudalReader body;
  g_autoptr(GError) local = NULL;
  gint32 length;

  if (!caudal_read_varint (r, &length, error))
    return FALSE;
  if (length < MIN_RECORD_SIZE - 1)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "record length %d is shorter than a record", length);
      return FALSE;
    }
  if ((gsize) length > caudal_reader_remaining (r))
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TRUNCATED,
                               "record of %d bytes, %" G_GSIZE_FORMAT " left",
                               length, caudal_reader_remaining (r));
      return FALSE;
    }

  /* A reader that ends where the record does, so that no field can run
   * into the next record; it keeps the offsets of the whole section. */
  caudal_reader_init (&body, r->data, r->pos + (gsize) length);
  body.pos = r->pos;

  if (!read_record_body (&body, out, &local))
    {
      /* Running out of the record's own bytes means its length prefix is
       * wrong, not that the input ended. */
      if (g_error_matches (local, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TRUNCATED))
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                       "record length %d is shorter than its fields: %s",
                       length, local->message);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  /* Kafka: "Invalid record size: expected to read N bytes in record
   * payload, but instead read M". */
  if (caudal_reader_remaining (&body) != 0)
    {
      caudal_reader_set_error (&body, error, CAUDAL_WIRE_ERROR_INVALID,
                               "record length %d leaves %" G_GSIZE_FORMAT " bytes unread",
                               length, caudal_reader_remaining (&body));
      return FALSE;
    }
  r->pos = body.pos;
  return TRUE;
}

static gboolean
record_iter_setup (CaudalRecordIter              *iter,
                   const CaudalRecordBatchHeader *header,
                   gsize                          max_decompressed,
                   gboolean                       strict,
                   GError                       **error)
{
  CaudalCompression codec = caudal_record_batch_header_get_compression (header);

  memset (iter, 0, sizeof *iter);
  iter->base_offset = header->base_offset;
  iter->base_timestamp = header->base_timestamp;
  iter->max_timestamp = header->max_timestamp;
  iter->count = header->records_count;
  iter->last_offset_delta = header->last_offset_delta;
  iter->prev_offset_delta = -1;
  iter->log_append_time = caudal_record_batch_header_is_log_append_time (header);
  iter->strict = strict;
  /* Until set up completely, behave as an exhausted iterator. */
  iter->done = TRUE;

  if (codec == CAUDAL_COMPRESSION_NONE)
    {
      iter->data = header->records;
      iter->len = header->records_len;
    }
  else
    {
      if (caudal_compression_name (codec) == NULL)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED,
                       "record batch at base offset %" G_GINT64_FORMAT
                       ": unknown compression codec %d", header->base_offset, (int) codec);
          return FALSE;
        }
      iter->buffer = g_byte_array_new ();
      if (!caudal_decompress (codec, header->records, header->records_len,
                              max_decompressed, iter->buffer, error))
        {
          g_prefix_error (error, "record batch at base offset %" G_GINT64_FORMAT ": ",
                          header->base_offset);
          return FALSE;
        }
      iter->data = iter->buffer->data;
      iter->len = iter->buffer->len;
    }

  /* A count the bytes cannot hold is a lie: fail before any work. */
  if (iter->count < 0 || (gsize) iter->count > iter->len / MIN_RECORD_SIZE)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "record batch at base offset %" G_GINT64_FORMAT
                   ": records count %d does not fit in %" G_GSIZE_FORMAT " bytes of records",
                   header->base_offset, iter->count, iter->len);
      return FALSE;
    }
  iter->done = FALSE;
  return TRUE;
}

gboolean
caudal_record_iter_init (CaudalRecordIter              *iter,
                         const CaudalRecordBatchHeader *header,
                         gsize                          max_decompressed,
                         GError                       **error)
{
  g_return_val_if_fail (iter != NULL, FALSE);
  g_return_val_if_fail (header != NULL, FALSE);

  if (record_iter_setup (iter, header, max_decompressed, FALSE, error))
    return TRUE;
  /* Nothing to keep from a failed start, even if the caller forgets to
   * clear the iterator. */
  caudal_record_iter_clear (iter);
  return FALSE;
}

gboolean
caudal_record_iter_next (CaudalRecordIter *iter,
                         CaudalRecord     *out,
                         GError          **error)
{
  CaudalReader r;

  g_return_val_if_fail (iter != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (iter->done)
    return FALSE;

  if (iter->index == iter->count)
    {
      iter->done = TRUE;
      /* Kafka rejects a batch whose records section holds more than
       * records_count records ("records still remaining"). */
      if (iter->pos != iter->len)
        g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                     "%" G_GSIZE_FORMAT " bytes after the last of %d records",
                     iter->len - iter->pos, iter->count);
      return FALSE;
    }

  caudal_reader_init (&r, iter->data, iter->len);
  r.pos = iter->pos;
  if (!read_record (&r, out, error))
    {
      iter->done = TRUE;
      g_prefix_error (error, "record %d of %d: ", iter->index, iter->count);
      return FALSE;
    }

  if (iter->strict ? out->offset_delta != iter->index
                   : (out->offset_delta <= iter->prev_offset_delta ||
                      out->offset_delta > iter->last_offset_delta))
    {
      iter->done = TRUE;
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "record %d of %d: offset delta %d out of order (previous %d, last %d)",
                   iter->index, iter->count, out->offset_delta,
                   iter->prev_offset_delta, iter->last_offset_delta);
      return FALSE;
    }

  out->offset = wrapping_add (iter->base_offset, out->offset_delta);
  /* With LogAppendTime the broker's time, kept in maxTimestamp, is every
   * record's timestamp (KIP-32). */
  out->timestamp = iter->log_append_time ? iter->max_timestamp
                                         : wrapping_add (iter->base_timestamp, out->timestamp_delta);
  iter->prev_offset_delta = out->offset_delta;
  iter->pos = r.pos;
  iter->index++;
  return TRUE;
}

void
caudal_record_iter_clear (CaudalRecordIter *iter)
{
  g_return_if_fail (iter != NULL);

  g_clear_pointer (&iter->buffer, g_byte_array_unref);
  iter->data = NULL;
  iter->len = 0;
  iter->done = TRUE;
}

void
caudal_record_header_iter_init (CaudalRecordHeaderIter *iter,
                                const CaudalRecord     *record)
{
  g_return_if_fail (iter != NULL);
  g_return_if_fail (record != NULL);

  iter->data = record->headers_data;
  iter->len = record->headers_len;
  iter->pos = 0;
  iter->remaining = MAX (record->n_headers, 0);
}

gboolean
caudal_record_header_iter_next (CaudalRecordHeaderIter *iter,
                                CaudalRecordHeader     *out,
                                GError                **error)
{
  CaudalReader r;

  g_return_val_if_fail (iter != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (iter->remaining == 0)
    return FALSE;
  caudal_reader_init (&r, iter->data, iter->len);
  r.pos = iter->pos;
  if (!read_header (&r, out, error))
    {
      iter->remaining = 0;
      return FALSE;
    }
  iter->pos = r.pos;
  iter->remaining--;
  return TRUE;
}

gboolean
caudal_record_parse_control (const CaudalRecord  *record,
                             CaudalControlRecord *out,
                             GError             **error)
{
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  /* Key: version int16, type int16 (Kafka's ControlRecordType). A newer
   * key version may add fields after these; read what we know. */
  if (record->key.len < 4)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "control record key of %d bytes, at least 4 needed", record->key.len);
      return FALSE;
    }
  out->version = (gint16) get_be16 (record->key.data);
  out->type = (gint16) get_be16 (record->key.data + 2);
  out->coordinator_epoch = -1;
  if (out->version < 0)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "control record key has invalid version %d", out->version);
      return FALSE;
    }

  if ((out->type == CAUDAL_CONTROL_RECORD_ABORT || out->type == CAUDAL_CONTROL_RECORD_COMMIT) &&
      record->value.len >= 0)
    {
      /* EndTransactionMarker: version int16, coordinatorEpoch int32. */
      if (record->value.len < 6 || (gint16) get_be16 (record->value.data) < 0)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                       "malformed transaction marker value (%d bytes)", record->value.len);
          return FALSE;
        }
      out->coordinator_epoch = (gint32) get_be32 (record->value.data + 2);
    }
  return TRUE;
}

/* ---- validation ---- */

gboolean
caudal_record_batch_validate (const CaudalRecordBatchHeader *header,
                              CaudalRecordBatchValidateFlags flags,
                              gsize                          max_decompressed,
                              GError                       **error)
{
  CaudalCompression codec;
  gboolean strict = (flags & CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE) != 0;

  g_return_val_if_fail (header != NULL, FALSE);

  if (!caudal_record_batch_verify_crc (header, error))
    return FALSE;

  codec = caudal_record_batch_header_get_compression (header);
  if (caudal_compression_name (codec) == NULL)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED,
                   "record batch at base offset %" G_GINT64_FORMAT
                   ": unknown compression codec %d", header->base_offset, (int) codec);
      return FALSE;
    }

  /* Counts (Kafka's LogValidator): offsets span lastOffsetDelta + 1 and
   * hold at most that many records; compaction may remove records but
   * keeps lastOffsetDelta, so only a producer's batch must be full. */
  if (header->last_offset_delta < 0 || header->records_count < 0 ||
      (gint64) header->records_count > (gint64) header->last_offset_delta + 1)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "record batch at base offset %" G_GINT64_FORMAT
                   ": records count %d does not fit last offset delta %d",
                   header->base_offset, header->records_count, header->last_offset_delta);
      return FALSE;
    }
  if (strict && (header->records_count == 0 ||
                 (gint64) header->records_count != (gint64) header->last_offset_delta + 1))
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "record batch at base offset %" G_GINT64_FORMAT
                   ": records count %d, but last offset delta %d",
                   header->base_offset, header->records_count, header->last_offset_delta);
      return FALSE;
    }

  if (codec == CAUDAL_COMPRESSION_NONE || (flags & CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS))
    {
      g_auto(CaudalRecordIter) iter = { 0 };
      g_autoptr(GError) local = NULL;
      CaudalRecord record;

      if (!record_iter_setup (&iter, header, max_decompressed, strict, error))
        return FALSE;
      /* The iterator ends with FALSE either way; only the error tells a
       * malformed record from the end, so collect it even when the
       * caller passes no @error. */
      while (caudal_record_iter_next (&iter, &record, &local))
        ;
      if (local != NULL)
        {
          g_prefix_error (&local, "record batch at base offset %" G_GINT64_FORMAT ": ",
                          header->base_offset);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- batch iteration ---- */

void
caudal_record_batch_iter_init (CaudalRecordBatchIter *iter,
                               const guint8          *data,
                               gsize                  len)
{
  g_return_if_fail (iter != NULL);
  g_return_if_fail (data != NULL || len == 0);

  iter->data = data;
  iter->len = len;
  iter->pos = 0;
  iter->partial = 0;
}

gboolean
caudal_record_batch_iter_next (CaudalRecordBatchIter   *iter,
                               CaudalRecordBatchHeader *out,
                               GError                 **error)
{
  const guint8 *p;
  gsize left;
  gint32 batch_length;

  g_return_val_if_fail (iter != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  left = iter->len - iter->pos;
  iter->partial = 0;
  if (left == 0)
    return FALSE;
  p = iter->data + iter->pos;

  /* Not even baseOffset and batchLength: a cut-off batch. */
  if (left < CAUDAL_RECORD_BATCH_LOG_OVERHEAD)
    {
      iter->partial = left;
      return FALSE;
    }
  /* When the magic is there, a legacy or unknown format is an error even
   * if the batch is incomplete: the rest would not help. */
  if (left > CAUDAL_RECORD_BATCH_MAGIC_OFFSET &&
      !check_magic ((gint8) p[CAUDAL_RECORD_BATCH_MAGIC_OFFSET], error))
    {
      g_prefix_error (error, "batch at byte %" G_GSIZE_FORMAT ": ", iter->pos);
      return FALSE;
    }
  batch_length = (gint32) get_be32 (p + CAUDAL_RECORD_BATCH_LENGTH_OFFSET);
  if (batch_length < MIN_BATCH_LENGTH)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "batch at byte %" G_GSIZE_FORMAT ": record batch length %d is shorter than a batch header (%d)",
                   iter->pos, batch_length, MIN_BATCH_LENGTH);
      return FALSE;
    }
  /* A Fetch response may end in the middle of a batch (the broker sends
   * up to max_bytes of the log): not an error, the consumer fetches it
   * again from its offset. */
  if ((gsize) batch_length + CAUDAL_RECORD_BATCH_LOG_OVERHEAD > left)
    {
      iter->partial = left;
      return FALSE;
    }
  if (!caudal_record_batch_parse_header (p, left, out, error))
    {
      g_prefix_error (error, "batch at byte %" G_GSIZE_FORMAT ": ", iter->pos);
      return FALSE;
    }
  iter->pos += out->size;
  return TRUE;
}

gsize
caudal_record_batch_iter_get_partial_size (const CaudalRecordBatchIter *iter)
{
  g_return_val_if_fail (iter != NULL, 0);

  return iter->partial;
}

gsize
caudal_record_batch_iter_get_position (const CaudalRecordBatchIter *iter)
{
  g_return_val_if_fail (iter != NULL, 0);

  return iter->pos;
}

/* ---- building ---- */

struct _CaudalRecordBatchBuilder
{
  /* CAUDAL_RECORD_BATCH_HEADER_SIZE bytes for the header, written at
   * the end, then the records as appended (uncompressed). */
  GByteArray       *buf;

  gint64            base_offset;
  gint32            partition_leader_epoch;
  gint64            producer_id;
  gint16            producer_epoch;
  gint32            base_sequence;
  gboolean          transactional;
  gboolean          control;
  CaudalCompression codec;
  gboolean          log_append_time;
  gint64            append_time;

  gint32            count;
  gint64            base_timestamp;
  gint64            max_timestamp;
};

CaudalRecordBatchBuilder *
caudal_record_batch_builder_new (void)
{
  CaudalRecordBatchBuilder *b = g_new0 (CaudalRecordBatchBuilder, 1);

  b->buf = g_byte_array_sized_new (4096);
  b->partition_leader_epoch = -1;
  b->producer_id = -1;
  b->producer_epoch = -1;
  b->base_sequence = -1;
  b->codec = CAUDAL_COMPRESSION_NONE;
  caudal_record_batch_builder_reset (b);
  return b;
}

void
caudal_record_batch_builder_free (CaudalRecordBatchBuilder *builder)
{
  if (builder == NULL)
    return;
  g_byte_array_unref (builder->buf);
  g_free (builder);
}

void
caudal_record_batch_builder_reset (CaudalRecordBatchBuilder *builder)
{
  g_return_if_fail (builder != NULL);

  g_byte_array_set_size (builder->buf, CAUDAL_RECORD_BATCH_HEADER_SIZE);
  builder->count = 0;
  builder->base_timestamp = -1;
  builder->max_timestamp = -1;
}

void
caudal_record_batch_builder_set_base_offset (CaudalRecordBatchBuilder *builder,
                                             gint64                    base_offset)
{
  g_return_if_fail (builder != NULL);
  builder->base_offset = base_offset;
}

void
caudal_record_batch_builder_set_partition_leader_epoch (CaudalRecordBatchBuilder *builder,
                                                        gint32                    epoch)
{
  g_return_if_fail (builder != NULL);
  builder->partition_leader_epoch = epoch;
}

void
caudal_record_batch_builder_set_producer (CaudalRecordBatchBuilder *builder,
                                          gint64                    producer_id,
                                          gint16                    producer_epoch,
                                          gint32                    base_sequence)
{
  g_return_if_fail (builder != NULL);
  builder->producer_id = producer_id;
  builder->producer_epoch = producer_epoch;
  builder->base_sequence = base_sequence;
}

void
caudal_record_batch_builder_set_transactional (CaudalRecordBatchBuilder *builder,
                                               gboolean                  transactional)
{
  g_return_if_fail (builder != NULL);
  builder->transactional = !!transactional;
}

void
caudal_record_batch_builder_set_control (CaudalRecordBatchBuilder *builder,
                                         gboolean                  control)
{
  g_return_if_fail (builder != NULL);
  builder->control = !!control;
}

void
caudal_record_batch_builder_set_compression (CaudalRecordBatchBuilder *builder,
                                             CaudalCompression         codec)
{
  g_return_if_fail (builder != NULL);
  builder->codec = codec;
}

void
caudal_record_batch_builder_set_log_append_time (CaudalRecordBatchBuilder *builder,
                                                 gint64                    timestamp)
{
  g_return_if_fail (builder != NULL);
  builder->log_append_time = TRUE;
  builder->append_time = timestamp;
}

gint32
caudal_record_batch_builder_get_count (const CaudalRecordBatchBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);
  return builder->count;
}

gsize
caudal_record_batch_builder_get_size (const CaudalRecordBatchBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);
  return builder->buf->len;
}

static gboolean
check_bytes_arg (CaudalBytes b,
                 gboolean    nullable,
                 const char *what,
                 GError    **error)
{
  if ((b.len == -1 && nullable) || (b.len >= 0 && (b.data != NULL || b.len == 0)))
    return TRUE;
  g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
               "%s: invalid length %d%s", what, b.len,
               b.len == -1 ? " (may not be null)" : "");
  return FALSE;
}

static inline gsize
varbytes_size (CaudalBytes b)
{
  return caudal_varint_size (b.len) + (gsize) MAX (b.len, 0);
}

static void
write_varbytes (CaudalWriter *w,
                CaudalBytes   b)
{
  caudal_write_varint (w, b.len);
  if (b.len > 0)
    caudal_write_raw (w, b.data, (gsize) b.len);
}

gboolean
caudal_record_batch_builder_append (CaudalRecordBatchBuilder *builder,
                                    gint64                    timestamp,
                                    CaudalBytes               key,
                                    CaudalBytes               value,
                                    const CaudalRecordHeader *headers,
                                    gsize                     n_headers,
                                    GError                  **error)
{
  CaudalWriter w;
  gint64 timestamp_delta;
  guint64 body;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (headers != NULL || n_headers == 0, FALSE);

  if (!check_bytes_arg (key, TRUE, "record key", error) ||
      !check_bytes_arg (value, TRUE, "record value", error))
    return FALSE;
  for (gsize i = 0; i < n_headers; i++)
    if (!check_bytes_arg (headers[i].key, FALSE, "header key", error) ||
        !check_bytes_arg (headers[i].value, TRUE, "header value", error))
      return FALSE;
  if (n_headers > G_MAXINT32 || builder->count == G_MAXINT32)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                   "too many records or headers for one batch");
      return FALSE;
    }

  timestamp_delta = builder->count == 0 ? 0 : wrapping_sub (timestamp, builder->base_timestamp);

  /* The length prefix comes first, so size the record before writing. */
  body = 1 + caudal_varlong_size (timestamp_delta) + caudal_varint_size (builder->count) +
         varbytes_size (key) + varbytes_size (value) + caudal_varint_size ((gint32) n_headers);
  for (gsize i = 0; i < n_headers && body <= G_MAXINT32; i++)
    body += varbytes_size (headers[i].key) + varbytes_size (headers[i].value);
  /* batchLength is an int32 counting all but the first 12 bytes. */
  if (body > G_MAXINT32 ||
      builder->buf->len + caudal_varint_size ((gint32) body) + body >
      (guint64) G_MAXINT32 + CAUDAL_RECORD_BATCH_LOG_OVERHEAD)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                   "record of %" G_GUINT64_FORMAT " bytes does not fit in the batch", body);
      return FALSE;
    }

  w.buf = builder->buf;
  caudal_write_varint (&w, (gint32) body);
  caudal_write_int8 (&w, 0);                      /* attributes: none defined */
  caudal_write_varlong (&w, timestamp_delta);
  caudal_write_varint (&w, builder->count);       /* offsetDelta */
  write_varbytes (&w, key);
  write_varbytes (&w, value);
  caudal_write_varint (&w, (gint32) n_headers);
  for (gsize i = 0; i < n_headers; i++)
    {
      write_varbytes (&w, headers[i].key);
      write_varbytes (&w, headers[i].value);
    }

  if (builder->count == 0)
    {
      builder->base_timestamp = timestamp;
      builder->max_timestamp = timestamp;
    }
  else if (timestamp > builder->max_timestamp)
    builder->max_timestamp = timestamp;
  builder->count++;
  return TRUE;
}

gboolean
caudal_record_batch_builder_append_control (CaudalRecordBatchBuilder *builder,
                                            CaudalControlRecordType   type,
                                            gint32                    coordinator_epoch,
                                            gint64                    timestamp,
                                            GError                  **error)
{
  guint8 key[4];
  guint8 value[6];

  g_return_val_if_fail (builder != NULL, FALSE);

  put_be16 (key, 0);                        /* key version */
  put_be16 (key + 2, (guint16) type);
  put_be16 (value, 0);                      /* EndTransactionMarker version */
  put_be32 (value + 2, (guint32) coordinator_epoch);
  if (!caudal_record_batch_builder_append (builder, timestamp,
                                           (CaudalBytes) { key, sizeof key },
                                           (CaudalBytes) { value, sizeof value },
                                           NULL, 0, error))
    return FALSE;
  builder->control = TRUE;
  builder->transactional = TRUE;
  return TRUE;
}

GBytes *
caudal_record_batch_builder_finish (CaudalRecordBatchBuilder *builder,
                                    GError                  **error)
{
  GByteArray *out;
  guint8 *h;
  guint16 attributes;

  g_return_val_if_fail (builder != NULL, NULL);

  if (builder->count == 0)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "a record batch needs at least one record");
      return NULL;
    }
  if (caudal_compression_name (builder->codec) == NULL)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED,
                   "unknown compression codec %d", (int) builder->codec);
      return NULL;
    }

  if (builder->codec == CAUDAL_COMPRESSION_NONE)
    {
      /* The records are already in place after the header: hand over the
       * buffer itself rather than copy it. */
      out = builder->buf;
      builder->buf = g_byte_array_sized_new (MAX (out->len, 4096));
    }
  else
    {
      out = g_byte_array_sized_new (builder->buf->len / 2 + CAUDAL_RECORD_BATCH_HEADER_SIZE);
      g_byte_array_set_size (out, CAUDAL_RECORD_BATCH_HEADER_SIZE);
      if (!caudal_compress (builder->codec,
                            builder->buf->data + CAUDAL_RECORD_BATCH_HEADER_SIZE,
                            builder->buf->len - CAUDAL_RECORD_BATCH_HEADER_SIZE,
                            out, error))
        {
          g_byte_array_unref (out);
          return NULL;
        }
      if (out->len > (guint64) G_MAXINT32 + CAUDAL_RECORD_BATCH_LOG_OVERHEAD)
        {
          g_byte_array_unref (out);
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                       "compressed record batch exceeds 2 GiB");
          return NULL;
        }
    }

  attributes = (guint16) builder->codec;
  if (builder->log_append_time)
    attributes |= CAUDAL_RECORD_BATCH_LOG_APPEND_TIME;
  if (builder->transactional)
    attributes |= CAUDAL_RECORD_BATCH_TRANSACTIONAL;
  if (builder->control)
    attributes |= CAUDAL_RECORD_BATCH_CONTROL;

  h = out->data;
  put_be64 (h + CAUDAL_RECORD_BATCH_BASE_OFFSET_OFFSET, (guint64) builder->base_offset);
  put_be32 (h + CAUDAL_RECORD_BATCH_LENGTH_OFFSET, out->len - CAUDAL_RECORD_BATCH_LOG_OVERHEAD);
  put_be32 (h + CAUDAL_RECORD_BATCH_PARTITION_LEADER_EPOCH_OFFSET, (guint32) builder->partition_leader_epoch);
  h[CAUDAL_RECORD_BATCH_MAGIC_OFFSET] = CAUDAL_RECORD_BATCH_MAGIC;
  put_be16 (h + CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET, attributes);
  /* Offsets are assigned densely from 0, so the last delta is count - 1. */
  put_be32 (h + CAUDAL_RECORD_BATCH_LAST_OFFSET_DELTA_OFFSET, (guint32) (builder->count - 1));
  put_be64 (h + CAUDAL_RECORD_BATCH_BASE_TIMESTAMP_OFFSET, (guint64) builder->base_timestamp);
  put_be64 (h + CAUDAL_RECORD_BATCH_MAX_TIMESTAMP_OFFSET,
            (guint64) (builder->log_append_time ? builder->append_time : builder->max_timestamp));
  put_be64 (h + CAUDAL_RECORD_BATCH_PRODUCER_ID_OFFSET, (guint64) builder->producer_id);
  put_be16 (h + CAUDAL_RECORD_BATCH_PRODUCER_EPOCH_OFFSET, (guint16) builder->producer_epoch);
  put_be32 (h + CAUDAL_RECORD_BATCH_BASE_SEQUENCE_OFFSET, (guint32) builder->base_sequence);
  put_be32 (h + CAUDAL_RECORD_BATCH_RECORDS_COUNT_OFFSET, (guint32) builder->count);
  /* Last: the CRC covers every field written above from attributes on. */
  put_be32 (h + CAUDAL_RECORD_BATCH_CRC_OFFSET, caudal_record_batch_compute_crc (h, out->len));

  caudal_record_batch_builder_reset (builder);
  return g_byte_array_free_to_bytes (out);
}

/* ---- in-place patching ---- */

void
caudal_record_batch_set_base_offset (guint8 *batch,
                                     gint64  base_offset)
{
  g_return_if_fail (batch != NULL);
  put_be64 (batch + CAUDAL_RECORD_BATCH_BASE_OFFSET_OFFSET, (guint64) base_offset);
}

void
caudal_record_batch_set_partition_leader_epoch (guint8 *batch,
                                                gint32  epoch)
{
  g_return_if_fail (batch != NULL);
  put_be32 (batch + CAUDAL_RECORD_BATCH_PARTITION_LEADER_EPOCH_OFFSET, (guint32) epoch);
}

gboolean
caudal_record_batch_set_log_append_time (guint8  *batch,
                                         gsize    len,
                                         gint64   timestamp,
                                         GError **error)
{
  CaudalRecordBatchHeader header;
  guint16 attributes;

  g_return_val_if_fail (batch != NULL, FALSE);

  if (!caudal_record_batch_parse_header (batch, len, &header, error))
    return FALSE;
  attributes = (guint16) header.attributes | CAUDAL_RECORD_BATCH_LOG_APPEND_TIME;
  put_be16 (batch + CAUDAL_RECORD_BATCH_ATTRIBUTES_OFFSET, attributes);
  put_be64 (batch + CAUDAL_RECORD_BATCH_MAX_TIMESTAMP_OFFSET, (guint64) timestamp);
  put_be32 (batch + CAUDAL_RECORD_BATCH_CRC_OFFSET,
            caudal_record_batch_compute_crc (batch, header.size));
  return TRUE;
}
