/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Record batch v2: a batch written byte by byte from Kafka's documentation
 * ("Record Batch", https://kafka.apache.org/documentation/#recordbatch),
 * builder round trips for every codec, corruption, truncation, legacy
 * magic, concatenated batches, control batches and in-place patching. */
#include "caudal-record-batch.h"

#include "caudal-crc32c.h"

#include <string.h>

#define MAX_DECOMPRESSED (64 << 20)

/* Two records, written by hand. The CRC was computed separately with a
 * bit-at-a-time CRC-32C over bytes 21..end. */
static const guint8 hand_batch[] = {
  /* baseOffset int64 = 5 */
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
  /* batchLength int32 = 75: 49 header bytes after this field + 26 */
  0x00, 0x00, 0x00, 0x4b,
  /* partitionLeaderEpoch int32 = 3 */
  0x00, 0x00, 0x00, 0x03,
  /* magic int8 = 2 */
  0x02,
  /* crc uint32 */
  0x08, 0x1d, 0xae, 0xfc,
  /* attributes int16: no compression, CreateTime, not transactional */
  0x00, 0x00,
  /* lastOffsetDelta int32 = 1 */
  0x00, 0x00, 0x00, 0x01,
  /* baseTimestamp int64 = 1700000000000 */
  0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
  /* maxTimestamp int64 = 1700000001000 */
  0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x6b, 0xe8,
  /* producerId int64 = 1000 */
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
  /* producerEpoch int16 = 2 */
  0x00, 0x02,
  /* baseSequence int32 = 7 */
  0x00, 0x00, 0x00, 0x07,
  /* records count int32 = 2 */
  0x00, 0x00, 0x00, 0x02,

  /* record 0: length varint 17 (zigzag 0x22) */
  0x22,
  0x00,                         /* attributes */
  0x00,                         /* timestampDelta varlong 0 */
  0x00,                         /* offsetDelta varint 0 */
  0x04, 'k', '1',               /* keyLength 2, key */
  0x0a, 'h', 'e', 'l', 'l', 'o', /* valueLength 5, value */
  0x02,                         /* headers count 1 */
  0x02, 'h',                    /* header keyLength 1, key */
  0x02, 'v',                    /* header valueLength 1, value */

  /* record 1: length varint 7 (zigzag 0x0e) */
  0x0e,
  0x00,                         /* attributes */
  0xd0, 0x0f,                   /* timestampDelta varlong 1000 (zigzag 2000) */
  0x02,                         /* offsetDelta varint 1 */
  0x01,                         /* keyLength -1: null key */
  0x01,                         /* valueLength -1: null value (tombstone) */
  0x00,                         /* headers count 0 */
};

static void
assert_bytes_str (CaudalBytes b,
                  const char *s)
{
  if (s == NULL)
    {
      g_assert_cmpint (b.len, ==, -1);
      return;
    }
  g_assert_cmpmem (b.data, b.len, s, strlen (s));
}

static void
test_hand_made (void)
{
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecordHeaderIter hiter;
  CaudalRecordHeader rh;
  CaudalRecord r;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (sizeof hand_batch, ==, 87);
  g_assert_true (caudal_record_batch_parse_header (hand_batch, sizeof hand_batch, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h.base_offset, ==, 5);
  g_assert_cmpint (h.batch_length, ==, 75);
  g_assert_cmpint (h.partition_leader_epoch, ==, 3);
  g_assert_cmpint (h.magic, ==, 2);
  g_assert_cmphex (h.crc, ==, 0x081daefc);
  g_assert_cmpint (h.attributes, ==, 0);
  g_assert_cmpint (h.last_offset_delta, ==, 1);
  g_assert_cmpint (h.base_timestamp, ==, G_GINT64_CONSTANT (1700000000000));
  g_assert_cmpint (h.max_timestamp, ==, G_GINT64_CONSTANT (1700000001000));
  g_assert_cmpint (h.producer_id, ==, 1000);
  g_assert_cmpint (h.producer_epoch, ==, 2);
  g_assert_cmpint (h.base_sequence, ==, 7);
  g_assert_cmpint (h.records_count, ==, 2);
  g_assert_true (h.data == hand_batch);
  g_assert_cmpuint (h.size, ==, sizeof hand_batch);
  g_assert_true (h.records == hand_batch + 61);
  g_assert_cmpuint (h.records_len, ==, 26);
  g_assert_cmpint (caudal_record_batch_header_get_compression (&h), ==, CAUDAL_COMPRESSION_NONE);
  g_assert_false (caudal_record_batch_header_is_transactional (&h));
  g_assert_false (caudal_record_batch_header_is_control (&h));
  g_assert_cmpint (caudal_record_batch_header_get_last_offset (&h), ==, 6);

  g_assert_cmphex (caudal_record_batch_compute_crc (hand_batch, sizeof hand_batch), ==, 0x081daefc);
  g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error));
  g_assert_no_error (error);

  g_assert_true (caudal_record_iter_init (&iter, &h, MAX_DECOMPRESSED, &error));
  g_assert_no_error (error);

  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.offset_delta, ==, 0);
  g_assert_cmpint (r.offset, ==, 5);
  g_assert_cmpint (r.timestamp_delta, ==, 0);
  g_assert_cmpint (r.timestamp, ==, G_GINT64_CONSTANT (1700000000000));
  assert_bytes_str (r.key, "k1");
  assert_bytes_str (r.value, "hello");
  /* Zero copy: the key points into the batch. */
  g_assert_true (r.key.data == hand_batch + 66);
  g_assert_cmpint (r.n_headers, ==, 1);
  caudal_record_header_iter_init (&hiter, &r);
  g_assert_true (caudal_record_header_iter_next (&hiter, &rh, &error));
  assert_bytes_str (rh.key, "h");
  assert_bytes_str (rh.value, "v");
  g_assert_false (caudal_record_header_iter_next (&hiter, &rh, &error));
  g_assert_no_error (error);

  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.offset, ==, 6);
  g_assert_cmpint (r.timestamp_delta, ==, 1000);
  g_assert_cmpint (r.timestamp, ==, G_GINT64_CONSTANT (1700000001000));
  assert_bytes_str (r.key, NULL);
  assert_bytes_str (r.value, NULL);
  g_assert_cmpint (r.n_headers, ==, 0);
  caudal_record_header_iter_init (&hiter, &r);
  g_assert_false (caudal_record_header_iter_next (&hiter, &rh, &error));
  g_assert_no_error (error);

  g_assert_false (caudal_record_iter_next (&iter, &r, &error));
  g_assert_no_error (error);
  g_assert_false (caudal_record_iter_next (&iter, &r, &error));
  g_assert_no_error (error);
}

static void
test_builder_matches_hand_made (void)
{
  /* Our builder, given the same inputs, must write the same bytes. */
  g_autoptr(CaudalRecordBatchBuilder) b = caudal_record_batch_builder_new ();
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  CaudalRecordHeader hdr = { { (const guint8 *) "h", 1 }, { (const guint8 *) "v", 1 } };

  caudal_record_batch_builder_set_base_offset (b, 5);
  caudal_record_batch_builder_set_partition_leader_epoch (b, 3);
  caudal_record_batch_builder_set_producer (b, 1000, 2, 7);
  g_assert_true (caudal_record_batch_builder_append (b, G_GINT64_CONSTANT (1700000000000),
                                                     (CaudalBytes) { (const guint8 *) "k1", 2 },
                                                     (CaudalBytes) { (const guint8 *) "hello", 5 },
                                                     &hdr, 1, &error));
  g_assert_true (caudal_record_batch_builder_append (b, G_GINT64_CONSTANT (1700000001000),
                                                     CAUDAL_BYTES_NULL, CAUDAL_BYTES_NULL,
                                                     NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (caudal_record_batch_builder_get_count (b), ==, 2);
  g_assert_cmpuint (caudal_record_batch_builder_get_size (b), ==, sizeof hand_batch);
  out = caudal_record_batch_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                   hand_batch, sizeof hand_batch);
  /* finish resets the builder. */
  g_assert_cmpint (caudal_record_batch_builder_get_count (b), ==, 0);
}

/* ---- round trips ---- */

typedef struct
{
  gint64              timestamp;
  char               *key;        /* NULL: null key */
  char               *value;      /* NULL: null value */
  guint               n_headers;
  CaudalRecordHeader  headers[3];
  char               *header_keys[3];
  char               *header_values[3];
} TestRecord;

static void
test_record_clear (TestRecord *t)
{
  g_free (t->key);
  g_free (t->value);
  for (guint i = 0; i < 3; i++)
    {
      g_free (t->header_keys[i]);
      g_free (t->header_values[i]);
    }
}

static CaudalBytes
str_bytes (const char *s)
{
  if (s == NULL)
    return CAUDAL_BYTES_NULL;
  return (CaudalBytes) { (const guint8 *) s, (gint32) strlen (s) };
}

/* A deterministic mix: null keys, null and empty values, headers with and
 * without values, timestamps out of order. */
static void
make_records (TestRecord *recs,
              guint       n,
              GRand      *rand)
{
  for (guint i = 0; i < n; i++)
    {
      TestRecord *t = &recs[i];

      memset (t, 0, sizeof *t);
      t->timestamp = G_GINT64_CONSTANT (1700000000000) + g_rand_int_range (rand, -5000, 5000);
      t->key = (i % 4 == 1) ? NULL : g_strdup_printf ("key-%u", i);
      if (i % 5 == 2)
        t->value = NULL;
      else if (i % 7 == 3)
        t->value = g_strdup ("");
      else
        t->value = g_strdup_printf ("value %u: %0*d", i, (int) (i % 200), 0);
      t->n_headers = i % 4;
      for (guint h = 0; h < t->n_headers; h++)
        {
          t->header_keys[h] = g_strdup_printf ("h%u", h);
          t->header_values[h] = (h == 1) ? NULL : g_strdup_printf ("hv-%u-%u", i, h);
          t->headers[h].key = str_bytes (t->header_keys[h]);
          t->headers[h].value = str_bytes (t->header_values[h]);
        }
    }
}

static GBytes *
build_batch (const TestRecord *recs,
             guint             n,
             CaudalCompression codec)
{
  g_autoptr(CaudalRecordBatchBuilder) b = caudal_record_batch_builder_new ();
  g_autoptr(GError) error = NULL;
  GBytes *out;

  caudal_record_batch_builder_set_compression (b, codec);
  caudal_record_batch_builder_set_base_offset (b, 1000);
  caudal_record_batch_builder_set_producer (b, 42, 1, 100);
  for (guint i = 0; i < n; i++)
    g_assert_true (caudal_record_batch_builder_append (b, recs[i].timestamp,
                                                       str_bytes (recs[i].key),
                                                       str_bytes (recs[i].value),
                                                       recs[i].headers, recs[i].n_headers,
                                                       &error));
  g_assert_no_error (error);
  out = caudal_record_batch_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static void
assert_batch_matches (const guint8     *data,
                      gsize             len,
                      const TestRecord *recs,
                      guint             n,
                      CaudalCompression codec)
{
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };
  g_autoptr(GError) error = NULL;
  CaudalRecord r;
  gint64 max_ts = G_MININT64;
  guint i = 0;

  g_assert_true (caudal_record_batch_parse_header (data, len, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.size, ==, len);
  g_assert_cmpint (h.batch_length, ==, (gint32) len - 12);
  g_assert_cmpint (caudal_record_batch_header_get_compression (&h), ==, codec);
  g_assert_cmpint (h.base_offset, ==, 1000);
  g_assert_cmpint (h.records_count, ==, n);
  g_assert_cmpint (h.last_offset_delta, ==, n - 1);
  g_assert_cmpint (h.base_timestamp, ==, recs[0].timestamp);
  g_assert_cmpint (h.producer_id, ==, 42);
  g_assert_cmpint (h.producer_epoch, ==, 1);
  g_assert_cmpint (h.base_sequence, ==, 100);
  g_assert_cmpint (h.partition_leader_epoch, ==, -1);
  for (guint k = 0; k < n; k++)
    max_ts = MAX (max_ts, recs[k].timestamp);
  g_assert_cmpint (h.max_timestamp, ==, max_ts);

  g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE |
                                                   CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                               MAX_DECOMPRESSED, &error));
  g_assert_no_error (error);

  g_assert_true (caudal_record_iter_init (&iter, &h, MAX_DECOMPRESSED, &error));
  g_assert_no_error (error);
  while (caudal_record_iter_next (&iter, &r, &error))
    {
      const TestRecord *t = &recs[i];
      CaudalRecordHeaderIter hiter;
      CaudalRecordHeader rh;
      guint nh = 0;

      g_assert_cmpuint (i, <, n);
      g_assert_cmpint (r.offset_delta, ==, i);
      g_assert_cmpint (r.offset, ==, 1000 + i);
      g_assert_cmpint (r.timestamp, ==, t->timestamp);
      assert_bytes_str (r.key, t->key);
      assert_bytes_str (r.value, t->value);
      g_assert_cmpint (r.n_headers, ==, t->n_headers);
      caudal_record_header_iter_init (&hiter, &r);
      while (caudal_record_header_iter_next (&hiter, &rh, &error))
        {
          assert_bytes_str (rh.key, t->header_keys[nh]);
          assert_bytes_str (rh.value, t->header_values[nh]);
          nh++;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (nh, ==, t->n_headers);
      i++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, n);
}

static void
test_round_trip (gconstpointer user_data)
{
  CaudalCompression codec = GPOINTER_TO_INT (user_data);
  static const guint sizes[] = { 1, 2, 17, 500 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint n = sizes[s];
      TestRecord *recs = g_new0 (TestRecord, n);
      g_autoptr(GBytes) batch = NULL;

      make_records (recs, n, rand);
      batch = build_batch (recs, n, codec);
      assert_batch_matches (g_bytes_get_data (batch, NULL), g_bytes_get_size (batch),
                            recs, n, codec);
      for (guint i = 0; i < n; i++)
        test_record_clear (&recs[i]);
      g_free (recs);
    }
}

/* ---- corruption ---- */

static GBytes *
sample_batch (CaudalCompression codec,
              guint             n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  TestRecord *recs = g_new0 (TestRecord, n);
  GBytes *batch;

  make_records (recs, n, rand);
  batch = build_batch (recs, n, codec);
  for (guint i = 0; i < n; i++)
    test_record_clear (&recs[i]);
  g_free (recs);
  return batch;
}

static void
test_crc_flip (void)
{
  g_autoptr(GBytes) batch = sample_batch (CAUDAL_COMPRESSION_NONE, 5);
  gsize len;
  const guint8 *orig = g_bytes_get_data (batch, &len);
  g_autofree guint8 *copy = g_memdup2 (orig, len);

  /* Any bit flipped from attributes to the end, or in the CRC itself,
   * is CORRUPT. */
  for (gsize at = 17; at < len; at++)
    for (guint bit = 0; bit < 8; bit += 3)
      {
        CaudalRecordBatchHeader h;
        g_autoptr(GError) error = NULL;

        memcpy (copy, orig, len);
        copy[at] ^= (guint8) (1u << bit);
        g_assert_true (caudal_record_batch_parse_header (copy, len, &h, &error));
        g_assert_false (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT,
                                                      0, &error));
        g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_CORRUPT);
        g_assert_false (caudal_record_batch_verify_crc (&h, NULL));
      }

  /* baseOffset and partitionLeaderEpoch are outside the CRC. */
  {
    CaudalRecordBatchHeader h;
    g_autoptr(GError) error = NULL;

    memcpy (copy, orig, len);
    copy[3] ^= 0xff;
    copy[14] ^= 0xff;
    g_assert_true (caudal_record_batch_parse_header (copy, len, &h, &error));
    g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, 0, &error));
    g_assert_no_error (error);
  }
}

static void
test_truncation (gconstpointer user_data)
{
  CaudalCompression codec = GPOINTER_TO_INT (user_data);
  g_autoptr(GBytes) batch = sample_batch (codec, 20);
  gsize len;
  const guint8 *orig = g_bytes_get_data (batch, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (orig, MAX (cut, 1));
      CaudalRecordBatchHeader h;
      CaudalRecordBatchIter it;
      g_autoptr(GError) error = NULL;

      /* As given: the header says more bytes than there are. */
      g_assert_false (caudal_record_batch_parse_header (copy, cut, &h, &error));
      g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TRUNCATED);
      g_clear_error (&error);

      /* In a blob it is a partial trailing batch, not an error. */
      caudal_record_batch_iter_init (&it, copy, cut);
      g_assert_false (caudal_record_batch_iter_next (&it, &h, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (caudal_record_batch_iter_get_partial_size (&it), ==, cut);
      g_assert_cmpuint (caudal_record_batch_iter_get_position (&it), ==, 0);

      /* With batchLength and CRC made to agree with the cut, the records
       * themselves are short: validation must fail cleanly. */
      if (cut >= CAUDAL_RECORD_BATCH_HEADER_SIZE)
        {
          guint32 v = GUINT32_TO_BE ((guint32) (cut - 12));

          memcpy (copy + 8, &v, 4);
          v = GUINT32_TO_BE (caudal_record_batch_compute_crc (copy, cut));
          memcpy (copy + 17, &v, 4);
          g_assert_true (caudal_record_batch_parse_header (copy, cut, &h, &error));
          g_assert_no_error (error);
          g_assert_false (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                                        MAX_DECOMPRESSED, &error));
          g_assert_nonnull (error);
          g_assert_true (error->domain == CAUDAL_WIRE_ERROR);
          g_assert_true (error->code == CAUDAL_WIRE_ERROR_TRUNCATED ||
                         error->code == CAUDAL_WIRE_ERROR_INVALID ||
                         error->code == CAUDAL_WIRE_ERROR_COMPRESSION);
        }
    }
}

static void
set_magic (guint8 *batch,
           guint8  magic)
{
  batch[16] = magic;
}

static void
test_legacy_magic (void)
{
  guint8 copy[sizeof hand_batch];

  for (guint8 magic = 0; magic <= 1; magic++)
    {
      CaudalRecordBatchHeader h;
      CaudalRecordBatchIter it;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autofree char *expected = g_strdup_printf ("legacy message format (magic %u) is not supported", magic);
      gsize size;

      memcpy (copy, hand_batch, sizeof copy);
      set_magic (copy, magic);
      g_assert_false (caudal_record_batch_parse_header (copy, sizeof copy, &h, &error));
      g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, ==, expected);

      caudal_record_batch_iter_init (&it, copy, sizeof copy);
      g_assert_false (caudal_record_batch_iter_next (&it, &h, &error2));
      g_assert_error (error2, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error2->message, expected));
      g_clear_error (&error2);

      /* A legacy message is much shorter than a v2 header; the magic
       * decides first. */
      copy[11] = 20;
      g_assert_false (caudal_record_batch_peek_size (copy, 17, &size, &error2));
      g_assert_error (error2, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
    }

  for (guint m = 3; m < 256; m += 60)
    {
      CaudalRecordBatchHeader h;
      g_autoptr(GError) error = NULL;

      memcpy (copy, hand_batch, sizeof copy);
      set_magic (copy, (guint8) m);
      g_assert_false (caudal_record_batch_parse_header (copy, sizeof copy, &h, &error));
      g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
    }
}

static void
test_bad_lengths (void)
{
  guint8 copy[sizeof hand_batch];
  CaudalRecordBatchHeader h;
  gsize size;
  static const guint32 lengths[] = { 0, 48, 0x80000000u, 0xffffffffu };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autoptr(GError) error = NULL;
      guint32 v = GUINT32_TO_BE (lengths[i]);

      memcpy (copy, hand_batch, sizeof copy);
      memcpy (copy + 8, &v, 4);
      g_assert_false (caudal_record_batch_parse_header (copy, sizeof copy, &h, &error));
      g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
    }
  g_assert_true (caudal_record_batch_peek_size (hand_batch, 17, &size, NULL));
  g_assert_cmpuint (size, ==, sizeof hand_batch);
}

/* Rewrites a field of a copy of the hand-made batch and fixes the CRC. */
static void
patch_and_recrc (guint8 *copy,
                 gsize   at,
                 guint32 value,
                 guint   width)
{
  guint32 crc;

  if (width == 4)
    {
      guint32 v = GUINT32_TO_BE (value);
      memcpy (copy + at, &v, 4);
    }
  else
    copy[at] = (guint8) value;
  crc = GUINT32_TO_BE (caudal_record_batch_compute_crc (copy, sizeof hand_batch));
  memcpy (copy + 17, &crc, 4);
}

static void
assert_invalid (const guint8                  *copy,
                CaudalRecordBatchValidateFlags flags,
                gint                           code)
{
  CaudalRecordBatchHeader h;
  g_autoptr(GError) error = NULL;

  g_assert_true (caudal_record_batch_parse_header (copy, sizeof hand_batch, &h, &error));
  g_assert_false (caudal_record_batch_validate (&h, flags, 0, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, code);
  g_test_message ("%s", error->message);
}

static void
test_bad_counts (void)
{
  guint8 copy[sizeof hand_batch];

  /* More records announced than present. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 57, 3, 4);
  patch_and_recrc (copy, 23, 2, 4);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_TRUNCATED);

  /* Fewer announced than present: bytes left after the last. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 57, 1, 4);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);

  /* count > lastOffsetDelta + 1. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 23, 0, 4);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);

  /* count < lastOffsetDelta + 1: fine after compaction, not from a
   * producer. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 23, 5, 4);
  {
    CaudalRecordBatchHeader h;
    g_assert_true (caudal_record_batch_parse_header (copy, sizeof copy, &h, NULL));
    g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, 0, NULL));
  }
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, CAUDAL_WIRE_ERROR_INVALID);

  /* Negative count; a count too big for the bytes. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 57, 0xffffffffu, 4);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 23, 0x7ffffffe, 4);
  patch_and_recrc (copy, 57, 0x7fffffff, 4);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);

  /* Second record's offsetDelta 0: not increasing. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 61 + 18 + 4, 0x00, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);

  /* First record's length one too short / key length past the record. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 61, 0x20, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 65, 0x7e, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);

  /* Key length -2; header count -1; null header key. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 65, 0x03, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 74, 0x01, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 75, 0x01, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_INVALID);

  /* An unknown codec in the attributes. */
  memcpy (copy, hand_batch, sizeof copy);
  patch_and_recrc (copy, 22, 0x05, 1);
  assert_invalid (copy, CAUDAL_RECORD_BATCH_VALIDATE_DEFAULT, CAUDAL_WIRE_ERROR_UNSUPPORTED);
  {
    CaudalRecordBatchHeader h;
    g_auto(CaudalRecordIter) iter = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true (caudal_record_batch_parse_header (copy, sizeof copy, &h, NULL));
    g_assert_false (caudal_record_iter_init (&iter, &h, MAX_DECOMPRESSED, &error));
    g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
  }
}

static void
test_random_mutations (void)
{
  /* Random bytes changed, CRC then fixed so that the record parser sees
   * them: no crash, and either valid or a clean error. */
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);

  for (guint c = 0; c <= CAUDAL_COMPRESSION_ZSTD; c++)
    {
      g_autoptr(GBytes) batch = sample_batch ((CaudalCompression) c, 6);
      gsize len;
      const guint8 *orig = g_bytes_get_data (batch, &len);
      g_autofree guint8 *copy = g_malloc (len);

      for (guint round = 0; round < 3000; round++)
        {
          CaudalRecordBatchHeader h;
          g_autoptr(GError) error = NULL;
          guint flips = 1 + g_rand_int_range (rand, 0, 4);
          guint32 crc;

          memcpy (copy, orig, len);
          for (guint f = 0; f < flips; f++)
            copy[g_rand_int_range (rand, 21, (gint32) len)] = (guint8) g_rand_int_range (rand, 0, 256);
          crc = GUINT32_TO_BE (caudal_record_batch_compute_crc (copy, len));
          memcpy (copy + 17, &crc, 4);
          g_assert_true (caudal_record_batch_parse_header (copy, len, &h, &error));
          if (!caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                             1 << 20, &error))
            {
              g_assert_nonnull (error);
              g_assert_true (error->domain == CAUDAL_WIRE_ERROR);
            }
          else
            {
              g_auto(CaudalRecordIter) iter = { 0 };
              CaudalRecord r;

              /* What validates also iterates without error. */
              g_assert_true (caudal_record_iter_init (&iter, &h, 1 << 20, &error));
              while (caudal_record_iter_next (&iter, &r, &error))
                {
                  CaudalRecordHeaderIter hi;
                  CaudalRecordHeader rh;

                  caudal_record_header_iter_init (&hi, &r);
                  while (caudal_record_header_iter_next (&hi, &rh, &error))
                    ;
                  g_assert_no_error (error);
                }
              g_assert_no_error (error);
            }
        }
    }
}

static void
test_decompression_bound (void)
{
  g_autoptr(CaudalRecordBatchBuilder) b = caudal_record_batch_builder_new ();
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *zeros = g_malloc0 (1 << 20);
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };

  caudal_record_batch_builder_set_compression (b, CAUDAL_COMPRESSION_ZSTD);
  for (guint i = 0; i < 4; i++)
    g_assert_true (caudal_record_batch_builder_append (b, 0, CAUDAL_BYTES_NULL,
                                                       (CaudalBytes) { zeros, 1 << 20 },
                                                       NULL, 0, &error));
  batch = caudal_record_batch_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (batch), <, 4096);

  g_assert_true (caudal_record_batch_parse_header (g_bytes_get_data (batch, NULL),
                                                   g_bytes_get_size (batch), &h, &error));
  g_assert_false (caudal_record_iter_init (&iter, &h, 1 << 20, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_false (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                                1 << 20, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* Without DECOMPRESS, a compressed batch is checked by its header only. */
  g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error));
  g_assert_no_error (error);
}

/* ---- blobs of several batches ---- */

static void
test_concatenated (void)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  g_autoptr(GBytes) b1 = sample_batch (CAUDAL_COMPRESSION_NONE, 3);
  g_autoptr(GBytes) b2 = sample_batch (CAUDAL_COMPRESSION_LZ4, 10);
  gsize whole, partial_len = 30;
  CaudalRecordBatchIter it;
  CaudalRecordBatchHeader h;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_byte_array_append (blob, g_bytes_get_data (b1, NULL), (guint) g_bytes_get_size (b1));
  g_byte_array_append (blob, hand_batch, sizeof hand_batch);
  g_byte_array_append (blob, g_bytes_get_data (b2, NULL), (guint) g_bytes_get_size (b2));
  whole = blob->len;
  /* The start of another batch, cut off as a Fetch response may be. */
  g_byte_array_append (blob, hand_batch, (guint) partial_len);

  caudal_record_batch_iter_init (&it, blob->data, blob->len);
  while (caudal_record_batch_iter_next (&it, &h, &error))
    {
      g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                                   MAX_DECOMPRESSED, &error));
      g_assert_no_error (error);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (caudal_record_batch_iter_get_partial_size (&it), ==, partial_len);
  g_assert_cmpuint (caudal_record_batch_iter_get_position (&it), ==, whole);

  /* Exactly whole batches: no partial. */
  caudal_record_batch_iter_init (&it, blob->data, whole);
  n = 0;
  while (caudal_record_batch_iter_next (&it, &h, &error))
    n++;
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (caudal_record_batch_iter_get_partial_size (&it), ==, 0);

  /* An empty blob. */
  caudal_record_batch_iter_init (&it, NULL, 0);
  g_assert_false (caudal_record_batch_iter_next (&it, &h, &error));
  g_assert_no_error (error);

  /* A bad batch in the middle is an error naming its position. */
  blob->data[g_bytes_get_size (b1) + 16] = 7;
  caudal_record_batch_iter_init (&it, blob->data, blob->len);
  g_assert_true (caudal_record_batch_iter_next (&it, &h, &error));
  g_assert_false (caudal_record_batch_iter_next (&it, &h, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "batch at byte"));
}

/* ---- control batches and patching ---- */

static void
test_control_batch (void)
{
  g_autoptr(CaudalRecordBatchBuilder) b = caudal_record_batch_builder_new ();
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecord r;
  CaudalControlRecord ctl;
  static const guint8 commit_key[] = { 0x00, 0x00, 0x00, 0x01 };
  static const guint8 marker_value[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x09 };

  caudal_record_batch_builder_set_producer (b, 77, 3, -1);
  g_assert_true (caudal_record_batch_builder_append_control (b, CAUDAL_CONTROL_RECORD_COMMIT, 9,
                                                             1234, &error));
  batch = caudal_record_batch_builder_finish (b, &error);
  g_assert_no_error (error);

  g_assert_true (caudal_record_batch_parse_header (g_bytes_get_data (batch, NULL),
                                                   g_bytes_get_size (batch), &h, &error));
  g_assert_true (caudal_record_batch_header_is_control (&h));
  g_assert_true (caudal_record_batch_header_is_transactional (&h));
  g_assert_cmpint (h.attributes, ==, 0x30);
  g_assert_cmpint (h.producer_id, ==, 77);
  g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error));
  g_assert_no_error (error);

  g_assert_true (caudal_record_iter_init (&iter, &h, 0, &error));
  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_no_error (error);
  /* Key: version int16 0, type int16 1 (commit); value: version 0,
   * coordinator epoch int32. */
  g_assert_cmpmem (r.key.data, r.key.len, commit_key, sizeof commit_key);
  g_assert_cmpmem (r.value.data, r.value.len, marker_value, sizeof marker_value);
  g_assert_true (caudal_record_parse_control (&r, &ctl, &error));
  g_assert_cmpint (ctl.version, ==, 0);
  g_assert_cmpint (ctl.type, ==, CAUDAL_CONTROL_RECORD_COMMIT);
  g_assert_cmpint (ctl.coordinator_epoch, ==, 9);

  /* An abort marker by hand, and malformed keys. */
  {
    static const guint8 abort_key[] = { 0x00, 0x00, 0x00, 0x00 };
    static const guint8 bad_version[] = { 0xff, 0xff, 0x00, 0x00 };
    CaudalRecord fake = { 0 };

    fake.key = (CaudalBytes) { abort_key, 4 };
    fake.value = CAUDAL_BYTES_NULL;
    g_assert_true (caudal_record_parse_control (&fake, &ctl, &error));
    g_assert_cmpint (ctl.type, ==, CAUDAL_CONTROL_RECORD_ABORT);
    g_assert_cmpint (ctl.coordinator_epoch, ==, -1);
    fake.key.len = 3;
    g_assert_false (caudal_record_parse_control (&fake, &ctl, &error));
    g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
    g_clear_error (&error);
    fake.key = (CaudalBytes) { bad_version, 4 };
    g_assert_false (caudal_record_parse_control (&fake, &ctl, &error));
    g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
    g_clear_error (&error);
    fake.key = (CaudalBytes) { abort_key, 4 };
    fake.value = (CaudalBytes) { marker_value, 5 };
    g_assert_false (caudal_record_parse_control (&fake, &ctl, &error));
    g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  }
}

static void
test_set_base_offset_and_epoch (void)
{
  guint8 copy[sizeof hand_batch];
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecord r;
  g_autoptr(GError) error = NULL;

  memcpy (copy, hand_batch, sizeof copy);
  caudal_record_batch_set_base_offset (copy, G_GINT64_CONSTANT (0x0102030405060708));
  caudal_record_batch_set_partition_leader_epoch (copy, 0x11223344);
  g_assert_cmpmem (copy, 16, "\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x00\x4b\x11\x22\x33\x44", 16);
  /* Everything from the magic on is untouched, CRC included. */
  g_assert_cmpmem (copy + 16, sizeof copy - 16, hand_batch + 16, sizeof hand_batch - 16);

  g_assert_true (caudal_record_batch_parse_header (copy, sizeof copy, &h, &error));
  g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h.partition_leader_epoch, ==, 0x11223344);
  g_assert_true (caudal_record_iter_init (&iter, &h, 0, &error));
  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_cmpint (r.offset, ==, G_GINT64_CONSTANT (0x0102030405060708) + 1);
  caudal_record_iter_clear (&iter);

  /* Offsets come off the wire: an absurd base offset must not overflow
   * (undefined behaviour) on the way to the record's offset. */
  caudal_record_batch_set_base_offset (copy, G_MAXINT64);
  g_assert_true (caudal_record_batch_parse_header (copy, sizeof copy, &h, &error));
  g_assert_cmpint (caudal_record_batch_header_get_last_offset (&h), ==, G_MININT64);
  g_assert_true (caudal_record_iter_init (&iter, &h, 0, &error));
  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_cmpint (r.offset, ==, G_MAXINT64);
  g_assert_true (caudal_record_iter_next (&iter, &r, &error));
  g_assert_cmpint (r.offset, ==, G_MININT64);
  g_assert_no_error (error);
}

static void
test_log_append_time (void)
{
  guint8 copy[sizeof hand_batch];
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecord r;
  g_autoptr(GError) error = NULL;
  gint64 now = G_GINT64_CONSTANT (1800000000000);
  guint n = 0;

  memcpy (copy, hand_batch, sizeof copy);
  g_assert_true (caudal_record_batch_set_log_append_time (copy, sizeof copy, now, &error));
  g_assert_no_error (error);
  g_assert_true (caudal_record_batch_parse_header (copy, sizeof copy, &h, &error));
  g_assert_true (caudal_record_batch_header_is_log_append_time (&h));
  g_assert_cmpint (h.attributes, ==, 0x08);
  g_assert_cmpint (h.max_timestamp, ==, now);
  g_assert_cmpint (h.base_timestamp, ==, G_GINT64_CONSTANT (1700000000000));
  g_assert_cmphex (h.crc, !=, 0x081daefc);
  g_assert_true (caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (caudal_record_iter_init (&iter, &h, 0, &error));
  while (caudal_record_iter_next (&iter, &r, &error))
    {
      g_assert_cmpint (r.timestamp, ==, now);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  /* A truncated buffer is refused, not patched. */
  g_assert_false (caudal_record_batch_set_log_append_time (copy, sizeof copy - 1, now, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TRUNCATED);
}

static void
test_builder_log_append_time_and_flags (void)
{
  g_autoptr(CaudalRecordBatchBuilder) b = caudal_record_batch_builder_new ();
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  CaudalRecordBatchHeader h;

  caudal_record_batch_builder_set_log_append_time (b, 99);
  caudal_record_batch_builder_set_transactional (b, TRUE);
  caudal_record_batch_builder_set_compression (b, CAUDAL_COMPRESSION_GZIP);
  g_assert_true (caudal_record_batch_builder_append (b, 5, str_bytes ("k"), str_bytes ("v"),
                                                     NULL, 0, &error));
  g_assert_true (caudal_record_batch_builder_append (b, 3, str_bytes ("k"), str_bytes ("v"),
                                                     NULL, 0, &error));
  batch = caudal_record_batch_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_true (caudal_record_batch_parse_header (g_bytes_get_data (batch, NULL),
                                                   g_bytes_get_size (batch), &h, &error));
  g_assert_cmpint (h.attributes, ==, 0x08 | 0x10 | CAUDAL_COMPRESSION_GZIP);
  g_assert_cmpint (h.base_timestamp, ==, 5);
  g_assert_cmpint (h.max_timestamp, ==, 99);
}

static void
test_builder_errors (void)
{
  g_autoptr(CaudalRecordBatchBuilder) b = caudal_record_batch_builder_new ();
  g_autoptr(GError) error = NULL;
  CaudalRecordHeader null_key = { CAUDAL_BYTES_NULL, CAUDAL_BYTES_NULL };
  GBytes *batch;

  /* No records. */
  batch = caudal_record_batch_builder_finish (b, &error);
  g_assert_null (batch);
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_clear_error (&error);

  /* Null header key, invalid lengths. */
  g_assert_false (caudal_record_batch_builder_append (b, 0, CAUDAL_BYTES_NULL, CAUDAL_BYTES_NULL,
                                                      &null_key, 1, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (caudal_record_batch_builder_append (b, 0, (CaudalBytes) { NULL, -2 },
                                                      CAUDAL_BYTES_NULL, NULL, 0, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (caudal_record_batch_builder_get_count (b), ==, 0);

  /* Unknown codec, then recover by fixing it: records are kept. */
  caudal_record_batch_builder_set_compression (b, (CaudalCompression) 6);
  g_assert_true (caudal_record_batch_builder_append (b, 0, CAUDAL_BYTES_NULL, str_bytes ("x"),
                                                     NULL, 0, &error));
  batch = caudal_record_batch_builder_finish (b, &error);
  g_assert_null (batch);
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  caudal_record_batch_builder_set_compression (b, CAUDAL_COMPRESSION_SNAPPY);
  batch = caudal_record_batch_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_nonnull (batch);
  g_bytes_unref (batch);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record-batch/hand-made", test_hand_made);
  g_test_add_func ("/record-batch/builder-matches-hand-made", test_builder_matches_hand_made);
  for (int c = CAUDAL_COMPRESSION_NONE; c <= CAUDAL_COMPRESSION_ZSTD; c++)
    {
      const char *name = caudal_compression_name ((CaudalCompression) c);
      g_autofree char *rt = g_strdup_printf ("/record-batch/round-trip/%s", name);
      g_autofree char *tr = g_strdup_printf ("/record-batch/truncation/%s", name);

      g_test_add_data_func (rt, GINT_TO_POINTER (c), test_round_trip);
      g_test_add_data_func (tr, GINT_TO_POINTER (c), test_truncation);
    }
  g_test_add_func ("/record-batch/crc-flip", test_crc_flip);
  g_test_add_func ("/record-batch/legacy-magic", test_legacy_magic);
  g_test_add_func ("/record-batch/bad-lengths", test_bad_lengths);
  g_test_add_func ("/record-batch/bad-counts", test_bad_counts);
  g_test_add_func ("/record-batch/random-mutations", test_random_mutations);
  g_test_add_func ("/record-batch/decompression-bound", test_decompression_bound);
  g_test_add_func ("/record-batch/concatenated", test_concatenated);
  g_test_add_func ("/record-batch/control", test_control_batch);
  g_test_add_func ("/record-batch/set-base-offset", test_set_base_offset_and_epoch);
  g_test_add_func ("/record-batch/log-append-time", test_log_append_time);
  g_test_add_func ("/record-batch/builder-flags", test_builder_log_append_time_and_flags);
  g_test_add_func ("/record-batch/builder-errors", test_builder_errors);
  return g_test_run ();
}
