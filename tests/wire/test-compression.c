/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compression codecs: round trips, hand-made inputs in the formats Java
 * clients write, bounded decompression and malformed input. */
#include "caudal-compression.h"

#include <string.h>

#include <lz4frame.h>
#include <zstd.h>

static const CaudalCompression all_codecs[] = {
  CAUDAL_COMPRESSION_NONE,
  CAUDAL_COMPRESSION_GZIP,
  CAUDAL_COMPRESSION_SNAPPY,
  CAUDAL_COMPRESSION_LZ4,
  CAUDAL_COMPRESSION_ZSTD,
};

static GByteArray *
random_bytes (gsize   len,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GByteArray *a = g_byte_array_sized_new ((guint) len);

  g_byte_array_set_size (a, (guint) len);
  for (gsize i = 0; i < len; i++)
    a->data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  return a;
}

static GByteArray *
repetitive_bytes (gsize len)
{
  static const char text[] = "{\"user\":\"caudal\",\"event\":\"click\",\"n\":";
  GByteArray *a = g_byte_array_sized_new ((guint) len);

  for (gsize i = 0; a->len < len; i++)
    {
      char num[32];
      gsize n;

      g_byte_array_append (a, (const guint8 *) text, sizeof text - 1);
      n = (gsize) g_snprintf (num, sizeof num, "%" G_GSIZE_FORMAT "}\n", i % 97);
      g_byte_array_append (a, (const guint8 *) num, (guint) n);
    }
  g_byte_array_set_size (a, (guint) len);
  return a;
}

static void
assert_round_trip (CaudalCompression codec,
                   const guint8     *data,
                   gsize             len)
{
  g_autoptr(GByteArray) packed = g_byte_array_new ();
  g_autoptr(GByteArray) unpacked = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  static const guint8 prefix[] = { 0xde, 0xad };

  /* Output is appended: what is already in the array stays. */
  g_byte_array_append (packed, prefix, sizeof prefix);
  g_byte_array_append (unpacked, prefix, sizeof prefix);

  g_assert_true (caudal_compress (codec, data, len, packed, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (packed->data, 2, prefix, 2);
  g_assert_true (caudal_decompress (codec, packed->data + 2, packed->len - 2, len,
                                    unpacked, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (unpacked->data, 2, prefix, 2);
  g_assert_cmpmem (unpacked->data + 2, unpacked->len - 2, data, len);
}

static void
test_round_trip (gconstpointer user_data)
{
  CaudalCompression codec = GPOINTER_TO_INT (user_data);
  g_autoptr(GByteArray) random_small = random_bytes (1000, 1);
  g_autoptr(GByteArray) repetitive = repetitive_bytes (1 << 20);
  g_autoptr(GByteArray) random_big = random_bytes (1 << 20, 2);

  assert_round_trip (codec, NULL, 0);
  assert_round_trip (codec, (const guint8 *) "a", 1);
  assert_round_trip (codec, (const guint8 *) "hello, kafka", 12);
  assert_round_trip (codec, random_small->data, random_small->len);
  assert_round_trip (codec, repetitive->data, repetitive->len);
  assert_round_trip (codec, random_big->data, random_big->len);
}

static void
test_repetitive_shrinks (void)
{
  g_autoptr(GByteArray) repetitive = repetitive_bytes (1 << 20);

  for (guint i = 1; i < G_N_ELEMENTS (all_codecs); i++)
    {
      g_autoptr(GByteArray) packed = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_true (caudal_compress (all_codecs[i], repetitive->data, repetitive->len,
                                      packed, &error));
      g_assert_no_error (error);
      g_test_message ("%s: 1 MiB of JSON-like lines -> %u bytes",
                      caudal_compression_name (all_codecs[i]), packed->len);
      g_assert_cmpuint (packed->len, <, repetitive->len / 4);
    }
}

static void
assert_decodes (CaudalCompression codec,
                const guint8     *in,
                gsize             len,
                const char       *expected)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (caudal_decompress (codec, in, len, 1 << 20, out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out->data, out->len, expected, strlen (expected));
}

static void
test_snappy_hand_made (void)
{
  /* Raw snappy (format_description.txt in google/snappy): the varint
   * uncompressed length 7, then one literal: tag (7 - 1) << 2 = 0x18. */
  static const guint8 raw[] = { 0x07, 0x18, 'f', 'o', 'o', 'b', 'a', 'r', '\n' };
  /* The same block in snappy-java's stream framing: magic, version 1,
   * compatible version 1, then a big-endian block length of 9. */
  static const guint8 xerial[] = {
    0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00,
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x09,
    0x07, 0x18, 'f', 'o', 'o', 'b', 'a', 'r', '\n',
  };
  /* Two blocks, the second using a copy: "abcd" then "abababab" (a
   * 2-byte literal "ab" and a 1-byte-offset copy of length 6, offset 2:
   * tag ((6 - 4) << 2) | 1 = 0x09, offset byte 0x02). */
  static const guint8 xerial_two[] = {
    0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00,
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x06,
    0x04, 0x0c, 'a', 'b', 'c', 'd',
    0x00, 0x00, 0x00, 0x06,
    0x08, 0x04, 'a', 'b', 0x09, 0x02,
  };
  /* A header and no blocks: what snappy-java writes for empty input. */
  static const guint8 xerial_empty[] = {
    0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00,
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01,
  };

  assert_decodes (CAUDAL_COMPRESSION_SNAPPY, raw, sizeof raw, "foobar\n");
  assert_decodes (CAUDAL_COMPRESSION_SNAPPY, xerial, sizeof xerial, "foobar\n");
  assert_decodes (CAUDAL_COMPRESSION_SNAPPY, xerial_two, sizeof xerial_two, "abcdabababab");
  assert_decodes (CAUDAL_COMPRESSION_SNAPPY, xerial_empty, sizeof xerial_empty, "");
}

static void
test_snappy_writes_xerial (void)
{
  g_autoptr(GByteArray) big = repetitive_bytes (100000);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gsize pos, blocks = 0;

  g_assert_true (caudal_compress (CAUDAL_COMPRESSION_SNAPPY, big->data, big->len, out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out->data, 16,
                   "\x82SNAPPY\0\0\0\0\1\0\0\0\1", 16);
  /* Blocks of at most 32 KiB of input, each length-prefixed. */
  for (pos = 16; pos < out->len; blocks++)
    {
      guint32 n = (guint32) out->data[pos] << 24 | (guint32) out->data[pos + 1] << 16 |
                  (guint32) out->data[pos + 2] << 8 | out->data[pos + 3];
      pos += 4 + n;
    }
  g_assert_cmpuint (pos, ==, out->len);
  g_assert_cmpuint (blocks, ==, (100000 + 32767) / 32768);
}

static void
test_gzip_hand_made (void)
{
  /* RFC 1952 member: ID1 ID2 CM=8 FLG=0 MTIME=0 XFL=0 OS=255, then a
   * single stored deflate block (RFC 1951 §3.2.4: BFINAL=1 BTYPE=00,
   * LEN=5, NLEN=~5), then CRC-32 ("hello" = 0x3610A686) and ISIZE, both
   * little-endian. */
  static const guint8 member[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
    0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o',
    0x86, 0xa6, 0x10, 0x36,
    0x05, 0x00, 0x00, 0x00,
  };
  guint8 two[2 * sizeof member];
  guint8 bad_crc[sizeof member];
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  assert_decodes (CAUDAL_COMPRESSION_GZIP, member, sizeof member, "hello");

  /* Concatenated members decode as one stream, as GZIPInputStream does. */
  memcpy (two, member, sizeof member);
  memcpy (two + sizeof member, member, sizeof member);
  assert_decodes (CAUDAL_COMPRESSION_GZIP, two, sizeof two, "hellohello");

  /* A wrong CRC-32 in the trailer is an error. */
  memcpy (bad_crc, member, sizeof member);
  bad_crc[20] ^= 1;
  g_assert_false (caudal_decompress (CAUDAL_COMPRESSION_GZIP, bad_crc, sizeof bad_crc,
                                     1024, out, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION);
  g_assert_cmpuint (out->len, ==, 0);
  g_clear_error (&error);

  /* Bytes after the last member that are not another member. */
  memcpy (two + sizeof member, "garbage", 7);
  g_assert_false (caudal_decompress (CAUDAL_COMPRESSION_GZIP, two, sizeof member + 7,
                                     1024, out, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION);
}

static void
test_lz4_frame_options (void)
{
  /* Whatever frame options another client picked (dependent blocks,
   * checksums, a content size, 4 MiB blocks), one decoder reads them. */
  g_autoptr(GByteArray) data = repetitive_bytes (300000);
  LZ4F_preferences_t prefs;
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint variant = 0; variant < 3; variant++)
    {
      gsize bound, n;
      guint old = frames->len;

      memset (&prefs, 0, sizeof prefs);
      if (variant == 0)
        {
          prefs.frameInfo.blockMode = LZ4F_blockLinked;
          prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        }
      else if (variant == 1)
        {
          prefs.frameInfo.blockSizeID = LZ4F_max4MB;
          prefs.frameInfo.contentSize = data->len;
          prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
        }
      else
        prefs.compressionLevel = 9;
      bound = LZ4F_compressFrameBound (data->len, &prefs);
      g_byte_array_set_size (frames, (guint) (old + bound));
      n = LZ4F_compressFrame (frames->data + old, bound, data->data, data->len, &prefs);
      g_assert_false (LZ4F_isError (n));
      g_byte_array_set_size (frames, (guint) (old + n));
      g_byte_array_append (expected, data->data, data->len);
    }

  /* Three frames back to back decode as their concatenation. */
  {
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_assert_true (caudal_decompress (CAUDAL_COMPRESSION_LZ4, frames->data, frames->len,
                                      expected->len, out, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (out->data, out->len, expected->data, expected->len);
  }
}

static void
test_lz4_writes_kafka_frame (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (caudal_compress (CAUDAL_COMPRESSION_LZ4, (const guint8 *) "x", 1, out, &error));
  g_assert_no_error (error);
  /* Magic 0x184D2204 (little-endian), then FLG = version 01, block
   * independence, no checksums, no content size (0x60) and BD = 64 KiB
   * blocks (0x40), the frame KafkaLZ4BlockOutputStream writes. */
  g_assert_cmpmem (out->data, 6, "\x04\x22\x4d\x18\x60\x40", 6);
}

static void
test_zstd_streamed_frames (void)
{
  /* Java's ZstdOutputStream writes frames without a content size; make
   * two such frames with the streaming API and concatenate them. */
  g_autoptr(GByteArray) data = repetitive_bytes (200000);
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();

  g_assert_nonnull (cctx);
  g_assert_false (ZSTD_isError (ZSTD_CCtx_setParameter (cctx, ZSTD_c_contentSizeFlag, 0)));
  for (guint f = 0; f < 2; f++)
    {
      ZSTD_inBuffer in = { data->data, data->len, 0 };
      size_t left;

      g_assert_false (ZSTD_isError (ZSTD_CCtx_reset (cctx, ZSTD_reset_session_only)));
      do
        {
          guint8 chunk[4096];
          ZSTD_outBuffer o = { chunk, sizeof chunk, 0 };

          left = ZSTD_compressStream2 (cctx, &o, &in, ZSTD_e_end);
          g_assert_false (ZSTD_isError (left));
          g_byte_array_append (frames, chunk, (guint) o.pos);
        }
      while (left != 0);
    }
  ZSTD_freeCCtx (cctx);
  /* The frame header says the size is unknown. */
  g_assert_cmpuint (ZSTD_getFrameContentSize (frames->data, frames->len), ==,
                    ZSTD_CONTENTSIZE_UNKNOWN);

  g_assert_true (caudal_decompress (CAUDAL_COMPRESSION_ZSTD, frames->data, frames->len,
                                    2 * data->len, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, 2 * data->len);
  g_assert_cmpmem (out->data, data->len, data->data, data->len);
  g_assert_cmpmem (out->data + data->len, data->len, data->data, data->len);
}

static void
test_bounded (gconstpointer user_data)
{
  CaudalCompression codec = GPOINTER_TO_INT (user_data);
  gsize big = 10 << 20;
  g_autofree guint8 *zeros = g_malloc0 (big);
  g_autoptr(GByteArray) packed = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_assert_true (caudal_compress (codec, zeros, big, packed, &error));
  g_assert_no_error (error);

  /* 10 MiB of zeros with a 1 MiB limit: fails, and fails quickly. */
  g_byte_array_append (out, (const guint8 *) "keep", 4);
  start = g_get_monotonic_time ();
  g_assert_false (caudal_decompress (codec, packed->data, packed->len, 1 << 20, out, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE);
  g_test_message ("%s: %u compressed bytes rejected in %" G_GINT64_FORMAT " us",
                  caudal_compression_name (codec), packed->len,
                  g_get_monotonic_time () - start);
  /* Nothing is left behind on failure. */
  g_assert_cmpuint (out->len, ==, 4);
  g_clear_error (&error);

  /* The limit is inclusive: exactly the size passes, one less fails. */
  g_assert_true (caudal_decompress (codec, packed->data, packed->len, big, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, 4 + big);
  g_byte_array_set_size (out, 0);
  g_assert_false (caudal_decompress (codec, packed->data, packed->len, big - 1, out, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE);
  g_assert_cmpuint (out->len, ==, 0);
  g_clear_error (&error);

  /* A zero limit admits only empty data. */
  g_assert_false (caudal_decompress (codec, packed->data, packed->len, 0, out, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE);
}

static void
test_garbage (gconstpointer user_data)
{
  CaudalCompression codec = GPOINTER_TO_INT (user_data);
  g_autoptr(GByteArray) data = repetitive_bytes (70000);
  g_autoptr(GByteArray) packed = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  /* Random bytes: a clean error (a raw snappy stream of random bytes is
   * not certain to be invalid, so only absence of crashes is required). */
  for (guint32 seed = 0; seed < 200; seed++)
    {
      g_autoptr(GByteArray) junk = random_bytes (g_random_int_range (0, 300), seed);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gboolean ok;

      ok = caudal_decompress (codec, junk->data, junk->len, 1 << 16, out, &error);
      if (codec != CAUDAL_COMPRESSION_SNAPPY)
        g_assert_false (ok);
      if (!ok)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == CAUDAL_WIRE_ERROR);
          g_assert_cmpuint (out->len, ==, 0);
        }
      g_clear_error (&error);
    }

  /* Every truncation of valid data fails (none of these formats can end
   * early by accident: each has an end marker or a length). */
  g_assert_true (caudal_compress (codec, data->data, data->len, packed, &error));
  g_assert_no_error (error);
  for (gsize cut = 0; cut < packed->len; cut += (cut < 64 ? 1 : 97))
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();

      if (codec == CAUDAL_COMPRESSION_SNAPPY && cut == 16)
        continue;               /* a bare xerial header is valid, empty data */
      g_assert_false (caudal_decompress (codec, packed->data, cut, 1 << 20, out, &error));
      g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION);
      g_assert_cmpuint (out->len, ==, 0);
      g_clear_error (&error);
    }

  /* Flipped bits in the middle must not crash; most are detected. */
  for (gsize at = 0; at < packed->len; at += 13)
    {
      g_autoptr(GByteArray) copy = g_byte_array_new ();
      g_autoptr(GByteArray) out = g_byte_array_new ();

      g_byte_array_append (copy, packed->data, packed->len);
      copy->data[at] ^= 0x5a;
      (void) caudal_decompress (codec, copy->data, copy->len, 1 << 20, out, &error);
      g_clear_error (&error);
    }
}

static void
test_unknown_codec (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  for (int c = 5; c <= 7; c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;

      g_assert_false (caudal_compress ((CaudalCompression) c, (const guint8 *) "x", 1, out, &error));
      g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
      g_assert_false (caudal_decompress ((CaudalCompression) c, (const guint8 *) "x", 1, 10,
                                         out, &error2));
      g_assert_error (error2, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED);
      g_assert_null (caudal_compression_name ((CaudalCompression) c));
    }
  g_assert_cmpuint (out->len, ==, 0);
}

static void
test_names_and_levels (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  CaudalCompression c;

  for (guint i = 0; i < G_N_ELEMENTS (all_codecs); i++)
    {
      g_assert_true (caudal_compression_from_name (caudal_compression_name (all_codecs[i]), &c));
      g_assert_cmpint (c, ==, all_codecs[i]);
    }
  g_assert_false (caudal_compression_from_name ("brotli", &c));
  g_assert_false (caudal_compression_from_name (NULL, &c));

  g_assert_true (caudal_compress_with_level (CAUDAL_COMPRESSION_GZIP, 9, (const guint8 *) "abc", 3,
                                             out, &error));
  g_assert_true (caudal_compress_with_level (CAUDAL_COMPRESSION_LZ4, 9, (const guint8 *) "abc", 3,
                                             out, &error));
  g_assert_true (caudal_compress_with_level (CAUDAL_COMPRESSION_ZSTD, 19, (const guint8 *) "abc", 3,
                                             out, &error));
  g_assert_no_error (error);
  g_byte_array_set_size (out, 0);
  g_assert_false (caudal_compress_with_level (CAUDAL_COMPRESSION_GZIP, 42, (const guint8 *) "abc", 3,
                                              out, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_assert_cmpuint (out->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (all_codecs); i++)
    {
      const char *name = caudal_compression_name (all_codecs[i]);
      gconstpointer codec = GINT_TO_POINTER (all_codecs[i]);
      g_autofree char *rt = g_strdup_printf ("/compression/%s/round-trip", name);
      g_autofree char *bounded = g_strdup_printf ("/compression/%s/bounded", name);
      g_autofree char *garbage = g_strdup_printf ("/compression/%s/garbage", name);

      g_test_add_data_func (rt, codec, test_round_trip);
      g_test_add_data_func (bounded, codec, test_bounded);
      if (all_codecs[i] != CAUDAL_COMPRESSION_NONE)
        g_test_add_data_func (garbage, codec, test_garbage);
    }
  g_test_add_func ("/compression/repetitive-shrinks", test_repetitive_shrinks);
  g_test_add_func ("/compression/snappy/hand-made", test_snappy_hand_made);
  g_test_add_func ("/compression/snappy/writes-xerial", test_snappy_writes_xerial);
  g_test_add_func ("/compression/gzip/hand-made", test_gzip_hand_made);
  g_test_add_func ("/compression/lz4/frame-options", test_lz4_frame_options);
  g_test_add_func ("/compression/lz4/writes-kafka-frame", test_lz4_writes_kafka_frame);
  g_test_add_func ("/compression/zstd/streamed-frames", test_zstd_streamed_frames);
  g_test_add_func ("/compression/unknown-codec", test_unknown_codec);
  g_test_add_func ("/compression/names-and-levels", test_names_and_levels);
  return g_test_run ();
}
