/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: any bytes as a records blob (a Produce partition's
 * `records`, a Fetch response's, or a segment file's contents). Batches are
 * iterated, validated, decompressed and their records and headers walked;
 * every decompressor also sees the raw input. */
#include "caudal-compression.h"
#include "caudal-record-batch.h"

#include <string.h>

#define MAX_DECOMPRESSED (1 << 20)

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
walk_records (const CaudalRecordBatchHeader *header)
{
  g_auto(CaudalRecordIter) records = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalRecord record;

  if (!caudal_record_iter_init (&records, header, MAX_DECOMPRESSED, &error))
    return;
  while (caudal_record_iter_next (&records, &record, &error))
    {
      CaudalRecordHeaderIter headers;
      CaudalRecordHeader h;
      CaudalControlRecord control;
      g_autoptr(GError) header_error = NULL;
      g_autoptr(GError) control_error = NULL;

      caudal_record_header_iter_init (&headers, &record);
      while (caudal_record_header_iter_next (&headers, &h, &header_error))
        ;
      (void) caudal_record_parse_control (&record, &control, &control_error);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autoptr(GError) error = NULL;
  CaudalRecordBatchIter batches;
  CaudalRecordBatchHeader header;
  gsize batch_size;

  /* Most random inputs fail the CRC; fix the first batch's CRC in a copy so
   * the fuzzer also reaches the record parser. */
  if (caudal_record_batch_peek_size (copy, size, &batch_size, NULL) && batch_size <= size &&
      batch_size >= 21)
    {
      guint32 crc = GUINT32_TO_BE (caudal_record_batch_compute_crc (copy, batch_size));
      memcpy (copy + 17, &crc, sizeof crc);
    }

  caudal_record_batch_iter_init (&batches, copy, size);
  while (caudal_record_batch_iter_next (&batches, &header, &error))
    {
      g_autoptr(GError) validate_error = NULL;

      (void) caudal_record_batch_validate (&header, CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                           MAX_DECOMPRESSED, &validate_error);
      walk_records (&header);
    }

  for (int codec = CAUDAL_COMPRESSION_GZIP; codec <= CAUDAL_COMPRESSION_ZSTD; codec++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) codec_error = NULL;

      (void) caudal_decompress (codec, data, size, MAX_DECOMPRESSED, out, &codec_error);
    }
  return 0;
}
