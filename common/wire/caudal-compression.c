/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-compression.c: the record batch codecs (attributes bits 0-2).
 *
 * Byte formats follow what the Java client writes, since that is what
 * every other client reads:
 * - gzip: RFC 1952 members (java.util.zip.GZIPOutputStream);
 * - snappy: snappy-java's SnappyOutputStream framing ("xerial"): the magic
 *   0x82 'SNAPPY' 0x00, a big-endian version and minimum compatible version
 *   (both 1), then blocks of a big-endian int32 length and one raw snappy
 *   buffer of at most 32 KiB of input;
 * - lz4: the LZ4 frame format with 64 KiB independent blocks and no
 *   checksums other than the header's, as KafkaLZ4BlockOutputStream writes
 *   for magic ≥ 1 (KIP-57 fixed the header checksum);
 * - zstd: standard frames (KIP-110).
 *
 * Every decoder writes into output space handed out in bounded steps and
 * fails as soon as the output would pass the caller's maximum, so a small
 * input that expands enormously (a "zip bomb") is stopped early. */
#include "caudal-compression.h"

#include <string.h>

#include <lz4frame.h>
#include <lz4hc.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

/* snappy-java's stream header: magic, version 1, compatible version 1. */
static const guint8 xerial_magic[8] = { 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00 };
#define XERIAL_HEADER_SIZE 16
/* SnappyOutputStream's default block size, which Kafka keeps. */
#define XERIAL_BLOCK_SIZE  (32 * 1024)

/* Kafka's default zstd level (ZSTD_CLEVEL_DEFAULT, also 3). */
#define ZSTD_LEVEL_DEFAULT 3

/* The first output step; later steps double the space. */
#define OUT_STEP_MIN (64 * 1024)

/* A first guess at the decompressed size, to save a few regrowths. */
static inline gsize
expand_hint (gsize compressed)
{
  return compressed > G_MAXSIZE / 4 ? G_MAXSIZE : compressed * 4;
}

const char *
caudal_compression_name (CaudalCompression codec)
{
  switch (codec)
    {
    case CAUDAL_COMPRESSION_NONE:
      return "none";
    case CAUDAL_COMPRESSION_GZIP:
      return "gzip";
    case CAUDAL_COMPRESSION_SNAPPY:
      return "snappy";
    case CAUDAL_COMPRESSION_LZ4:
      return "lz4";
    case CAUDAL_COMPRESSION_ZSTD:
      return "zstd";
    default:
      return NULL;
    }
}

gboolean
caudal_compression_from_name (const char        *name,
                              CaudalCompression *out)
{
  for (int c = CAUDAL_COMPRESSION_NONE; c <= CAUDAL_COMPRESSION_ZSTD; c++)
    if (g_strcmp0 (name, caudal_compression_name ((CaudalCompression) c)) == 0)
      {
        *out = (CaudalCompression) c;
        return TRUE;
      }
  return FALSE;
}

static void
set_unsupported (GError          **error,
                 CaudalCompression codec)
{
  g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED,
               "unknown compression codec %d", (int) codec);
}

/* ---- bounded output ---- */

/* Output appended to a GByteArray whose length runs ahead of the bytes
 * produced: [base, base + produced) is output, the rest is scratch space
 * trimmed at the end. */
typedef struct
{
  GByteArray *out;
  guint       base;
  gsize       produced;
  gsize       limit;
} OutBuf;

static void
outbuf_init (OutBuf     *o,
             GByteArray *out,
             gsize       limit)
{
  o->out = out;
  o->base = out->len;
  o->produced = 0;
  /* A GByteArray holds at most G_MAXUINT bytes, and one byte past the
   * limit must still fit (see outbuf_space()). */
  o->limit = MIN (limit, out->len < G_MAXUINT ? (gsize) (G_MAXUINT - 1 - out->len) : 0);
}

static gboolean
outbuf_check (const OutBuf *o,
              const char   *what,
              GError      **error)
{
  if (o->produced <= o->limit)
    return TRUE;
  g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
               "%s: decompressed data exceeds the limit of %" G_GSIZE_FORMAT " bytes",
               what, o->limit);
  return FALSE;
}

/* Returns writable space after the output, growing geometrically but never
 * past limit + 1 bytes in all: one byte beyond the limit is enough to learn
 * that the data is too large. Returns 0 bytes only when that cap is
 * reached, which outbuf_check() then reports. */
static guint8 *
outbuf_space (OutBuf *o,
              gsize   hint,
              gsize  *avail)
{
  gsize cap = o->out->len - o->base;
  gsize max_cap = o->limit + 1;

  if (cap - o->produced == 0 && cap < max_cap)
    {
      gsize want = MAX (MAX (cap * 2, (gsize) OUT_STEP_MIN), hint);
      g_byte_array_set_size (o->out, o->base + (guint) MIN (want, max_cap));
      cap = o->out->len - o->base;
    }
  *avail = cap - o->produced;
  return o->out->data + o->base + o->produced;
}

/* Makes room for exactly @n more bytes (the caller checked the limit). */
static guint8 *
outbuf_reserve (OutBuf *o,
                gsize   n)
{
  gsize cap = o->out->len - o->base;

  /* At least one byte, so that the pointer is never NULL + 0. */
  if (cap - o->produced < MAX (n, 1))
    g_byte_array_set_size (o->out, o->base + (guint) (o->produced + MAX (n, 1)));
  return o->out->data + o->base + o->produced;
}

static void
outbuf_finish (OutBuf  *o,
               gboolean ok)
{
  g_byte_array_set_size (o->out, ok ? o->base + (guint) o->produced : o->base);
}

/* ---- gzip ---- */

/* zlib counts in uInt; feed it at most this much at a time. */
#define ZLIB_CHUNK ((gsize) G_MAXUINT32)

static gboolean
gzip_compress (int           level,
               const guint8 *in,
               gsize         len,
               OutBuf       *o,
               GError      **error)
{
  z_stream zs = { 0 };
  gsize in_pos = 0;
  int ret;
  gboolean ok = FALSE;

  if (level == CAUDAL_COMPRESSION_LEVEL_DEFAULT)
    level = Z_DEFAULT_COMPRESSION;
  if (level < Z_DEFAULT_COMPRESSION || level > Z_BEST_COMPRESSION)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "gzip: invalid level %d", level);
      return FALSE;
    }
  /* windowBits 15 + 16 selects the gzip wrapper rather than zlib's. */
  ret = deflateInit2 (&zs, level, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY);
  if (ret != Z_OK)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "gzip: cannot initialise the compressor (%d)", ret);
      return FALSE;
    }

  for (;;)
    {
      gsize avail;
      guint8 *dst = outbuf_space (o, deflateBound (&zs, (uLong) MIN (len, ZLIB_CHUNK)), &avail);
      gsize before;

      if (avail == 0)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                       "gzip: compressed data too large");
          break;
        }
      if (zs.avail_in == 0 && in_pos < len)
        {
          gsize n = MIN (len - in_pos, ZLIB_CHUNK);
          zs.next_in = (Bytef *) (in + in_pos);
          zs.avail_in = (uInt) n;
          in_pos += n;
        }
      zs.next_out = dst;
      zs.avail_out = (uInt) MIN (avail, ZLIB_CHUNK);
      before = zs.avail_out;
      ret = deflate (&zs, in_pos == len ? Z_FINISH : Z_NO_FLUSH);
      o->produced += before - zs.avail_out;
      if (ret == Z_STREAM_END)
        {
          ok = TRUE;
          break;
        }
      if (ret != Z_OK && ret != Z_BUF_ERROR)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "gzip: compression failed (%d)", ret);
          break;
        }
    }
  deflateEnd (&zs);
  return ok;
}

static gboolean
gzip_decompress (const guint8 *in,
                 gsize         len,
                 OutBuf       *o,
                 GError      **error)
{
  z_stream zs = { 0 };
  gsize in_pos = 0;
  int ret;
  gboolean ok = FALSE;

  ret = inflateInit2 (&zs, MAX_WBITS + 16);
  if (ret != Z_OK)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "gzip: cannot initialise the decompressor (%d)", ret);
      return FALSE;
    }

  for (;;)
    {
      gsize avail;
      guint8 *dst;
      gsize before;

      if (!outbuf_check (o, "gzip", error))
        break;
      /* Within the limit there is always at least one byte of room. */
      dst = outbuf_space (o, expand_hint (len), &avail);
      g_assert (avail > 0);
      if (zs.avail_in == 0 && in_pos < len)
        {
          gsize n = MIN (len - in_pos, ZLIB_CHUNK);
          zs.next_in = (Bytef *) (in + in_pos);
          zs.avail_in = (uInt) n;
          in_pos += n;
        }
      zs.next_out = dst;
      zs.avail_out = (uInt) MIN (avail, ZLIB_CHUNK);
      before = zs.avail_out;
      ret = inflate (&zs, Z_NO_FLUSH);
      o->produced += before - zs.avail_out;

      if (ret == Z_STREAM_END)
        {
          /* zlib's input chunks are consecutive slices of @in, so
           * next_in always points into it. */
          const guint8 *next = zs.next_in;
          gsize left = len - (gsize) (next - in);

          if (left == 0)
            {
              ok = outbuf_check (o, "gzip", error);
              break;
            }
          /* RFC 1952 §2.2: a gzip file is a series of members; Java's
           * GZIPInputStream reads on into the next one. Anything else
           * after a member is not gzip data. */
          if (left < 2 || next[0] != 0x1f || next[1] != 0x8b)
            {
              g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                           "gzip: %" G_GSIZE_FORMAT " bytes of trailing data after the last member",
                           left);
              break;
            }
          ret = inflateReset (&zs);
          if (ret != Z_OK)
            {
              g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                           "gzip: cannot reset the decompressor (%d)", ret);
              break;
            }
          continue;
        }
      if (ret == Z_BUF_ERROR && zs.avail_in == 0 && in_pos == len)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "gzip: truncated data");
          break;
        }
      if (ret != Z_OK && ret != Z_BUF_ERROR)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "gzip: %s", zs.msg ? zs.msg : "invalid data");
          break;
        }
    }
  inflateEnd (&zs);
  return ok;
}

/* ---- snappy ---- */

static gboolean
snappy_compress_xerial (const guint8 *in,
                        gsize         len,
                        OutBuf       *o,
                        GError      **error)
{
  guint8 *hdr = outbuf_reserve (o, XERIAL_HEADER_SIZE);

  memcpy (hdr, xerial_magic, sizeof xerial_magic);
  /* version 1, minimum compatible version 1 (big-endian int32s) */
  memcpy (hdr + 8, "\0\0\0\1\0\0\0\1", 8);
  o->produced += XERIAL_HEADER_SIZE;

  for (gsize pos = 0; pos < len; pos += XERIAL_BLOCK_SIZE)
    {
      gsize n = MIN (len - pos, (gsize) XERIAL_BLOCK_SIZE);
      gsize bound = snappy_max_compressed_length (n);
      size_t clen = bound;
      guint8 *dst;
      guint32 be;
      snappy_status st;

      if (o->produced + 4 + bound > o->limit)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                       "snappy: compressed data too large");
          return FALSE;
        }
      dst = outbuf_reserve (o, 4 + bound);
      st = snappy_compress ((const char *) in + pos, n, (char *) dst + 4, &clen);
      if (st != SNAPPY_OK)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "snappy: compression failed (%d)", (int) st);
          return FALSE;
        }
      be = GUINT32_TO_BE ((guint32) clen);
      memcpy (dst, &be, 4);
      o->produced += 4 + clen;
    }
  return TRUE;
}

static gboolean
snappy_decompress_raw (const guint8 *in,
                       gsize         len,
                       OutBuf       *o,
                       GError      **error)
{
  size_t ulen;
  guint8 *dst;

  if (snappy_uncompressed_length ((const char *) in, len, &ulen) != SNAPPY_OK)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "snappy: invalid block header");
      return FALSE;
    }
  /* The block states its decompressed length up front: check it before
   * allocating anything. */
  if (ulen > o->limit - MIN (o->produced, o->limit) || o->produced > o->limit)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                   "snappy: decompressed data exceeds the limit of %" G_GSIZE_FORMAT " bytes",
                   o->limit);
      return FALSE;
    }
  dst = outbuf_reserve (o, ulen);
  if (snappy_uncompress ((const char *) in, len, (char *) dst, &ulen) != SNAPPY_OK)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "snappy: invalid compressed data");
      return FALSE;
    }
  o->produced += ulen;
  return TRUE;
}

static gboolean
snappy_decompress (const guint8 *in,
                   gsize         len,
                   OutBuf       *o,
                   GError      **error)
{
  gsize pos;

  /* Without the xerial magic it is a bare snappy buffer, as some
   * non-Java clients send (librdkafka accepts both the same way). */
  if (len < XERIAL_HEADER_SIZE || memcmp (in, xerial_magic, sizeof xerial_magic) != 0)
    return snappy_decompress_raw (in, len, o, error);

  /* The version fields are not checked: every snappy-java version wrote
   * the same block layout, and Java's reader does not reject on them. */
  for (pos = XERIAL_HEADER_SIZE; pos < len;)
    {
      guint32 n;

      if (len - pos < 4)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "snappy: truncated block length at offset %" G_GSIZE_FORMAT, pos);
          return FALSE;
        }
      memcpy (&n, in + pos, 4);
      n = GUINT32_FROM_BE (n);
      pos += 4;
      if (n > len - pos)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "snappy: block of %u bytes at offset %" G_GSIZE_FORMAT
                       " exceeds the %" G_GSIZE_FORMAT " bytes left",
                       n, pos - 4, len - pos);
          return FALSE;
        }
      /* An empty block holds nothing; skip it rather than fail. */
      if (n > 0 && !snappy_decompress_raw (in + pos, n, o, error))
        return FALSE;
      pos += n;
    }
  return TRUE;
}

/* ---- lz4 ---- */

static gboolean
lz4_compress (int           level,
              const guint8 *in,
              gsize         len,
              OutBuf       *o,
              GError      **error)
{
  LZ4F_preferences_t prefs;
  gsize bound;
  size_t n;
  guint8 *dst;

  if (level == CAUDAL_COMPRESSION_LEVEL_DEFAULT)
    level = 0;
  /* Kafka accepts 1-17 (KIP-390, lz4-java's HC range); liblz4 caps at 12. */
  if (level < 0 || level > 17)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "lz4: invalid level %d", level);
      return FALSE;
    }

  memset (&prefs, 0, sizeof prefs);
  /* KafkaLZ4BlockInputStream reads only independent blocks, and 64 KiB is
   * the block size the Java writer uses. */
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.compressionLevel = MIN (level, LZ4HC_CLEVEL_MAX);

  bound = LZ4F_compressFrameBound (len, &prefs);
  if (bound > o->limit - MIN (o->produced, o->limit))
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                   "lz4: compressed data too large");
      return FALSE;
    }
  dst = outbuf_reserve (o, bound);
  n = LZ4F_compressFrame (dst, bound, in, len, &prefs);
  if (LZ4F_isError (n))
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "lz4: %s", LZ4F_getErrorName (n));
      return FALSE;
    }
  o->produced += n;
  return TRUE;
}

static gboolean
lz4_decompress (const guint8 *in,
                gsize         len,
                OutBuf       *o,
                GError      **error)
{
  LZ4F_dctx *dctx = NULL;
  LZ4F_errorCode_t err;
  gsize in_pos = 0;
  gboolean ok = FALSE;

  err = LZ4F_createDecompressionContext (&dctx, LZ4F_VERSION);
  if (LZ4F_isError (err))
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "lz4: %s", LZ4F_getErrorName (err));
      return FALSE;
    }

  for (;;)
    {
      gsize avail;
      guint8 *dst;
      size_t dst_size, src_size;
      size_t hint;

      if (!outbuf_check (o, "lz4", error))
        break;
      /* Within the limit there is always at least one byte of room. */
      dst = outbuf_space (o, expand_hint (len), &avail);
      g_assert (avail > 0);
      dst_size = avail;
      src_size = len - in_pos;
      hint = LZ4F_decompress (dctx, dst, &dst_size, in + in_pos, &src_size, NULL);
      if (LZ4F_isError (hint))
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "lz4: %s", LZ4F_getErrorName (hint));
          break;
        }
      in_pos += src_size;
      o->produced += dst_size;

      if (hint == 0 && in_pos == len)
        {
          /* A frame just ended and nothing follows. */
          ok = outbuf_check (o, "lz4", error);
          break;
        }
      /* hint == 0 with input left: another frame follows; the context
       * is ready for it. */
      if (in_pos == len && dst_size < avail)
        {
          /* All input taken, output not full, frame not finished. */
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "lz4: truncated frame");
          break;
        }
      if (src_size == 0 && dst_size == 0)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "lz4: the decoder made no progress");
          break;
        }
    }
  LZ4F_freeDecompressionContext (dctx);
  return ok;
}

/* ---- zstd ---- */

static gboolean
zstd_compress (int           level,
               const guint8 *in,
               gsize         len,
               OutBuf       *o,
               GError      **error)
{
  gsize bound;
  size_t n;
  guint8 *dst;

  if (level == CAUDAL_COMPRESSION_LEVEL_DEFAULT)
    level = ZSTD_LEVEL_DEFAULT;
  if (level < ZSTD_minCLevel () || level > ZSTD_maxCLevel ())
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                   "zstd: invalid level %d", level);
      return FALSE;
    }
  bound = ZSTD_compressBound (len);
  if (ZSTD_isError (bound) || bound > o->limit - MIN (o->produced, o->limit))
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                   "zstd: compressed data too large");
      return FALSE;
    }
  dst = outbuf_reserve (o, bound);
  n = ZSTD_compress (dst, bound, in, len, level);
  if (ZSTD_isError (n))
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "zstd: %s", ZSTD_getErrorName (n));
      return FALSE;
    }
  o->produced += n;
  return TRUE;
}

static gboolean
zstd_decompress (const guint8 *in,
                 gsize         len,
                 OutBuf       *o,
                 GError      **error)
{
  ZSTD_DCtx *dctx = ZSTD_createDCtx ();
  ZSTD_inBuffer inb = { in, len, 0 };
  gboolean ok = FALSE;

  if (dctx == NULL)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "zstd: cannot create a decompression context");
      return FALSE;
    }
  if (len == 0)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                   "zstd: empty input");
      ZSTD_freeDCtx (dctx);
      return FALSE;
    }
  /* A hostile frame may declare a window of up to 2 GiB that zstd would
   * allocate before producing a byte; 2^23 (8 MiB) is the default window
   * limit of zstd's own "normal" levels and what Kafka producers use. */
  ZSTD_DCtx_setParameter (dctx, ZSTD_d_windowLogMax, 23);

  /* Streaming rather than ZSTD_decompress(): Java's ZstdOutputStream
   * writes frames without a content size, so the size is only known at
   * the end, and output must be bounded as it is produced. */
  for (;;)
    {
      gsize avail;
      guint8 *dst;
      ZSTD_outBuffer outb;
      size_t ret;

      if (!outbuf_check (o, "zstd", error))
        break;
      /* Within the limit there is always at least one byte of room. */
      dst = outbuf_space (o, expand_hint (len), &avail);
      g_assert (avail > 0);
      outb.dst = dst;
      outb.size = avail;
      outb.pos = 0;
      ret = ZSTD_decompressStream (dctx, &outb, &inb);
      if (ZSTD_isError (ret))
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "zstd: %s", ZSTD_getErrorName (ret));
          break;
        }
      o->produced += outb.pos;
      /* 0: a frame is complete and flushed; with input left, the next
       * call starts the next frame. */
      if (ret == 0 && inb.pos == inb.size)
        {
          ok = outbuf_check (o, "zstd", error);
          break;
        }
      if (inb.pos == inb.size && outb.pos < outb.size)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_COMPRESSION,
                       "zstd: truncated frame");
          break;
        }
    }
  ZSTD_freeDCtx (dctx);
  return ok;
}

/* ---- public ---- */

gboolean
caudal_compress_with_level (CaudalCompression codec,
                            int               level,
                            const guint8     *in,
                            gsize             len,
                            GByteArray       *out,
                            GError          **error)
{
  OutBuf o;
  gboolean ok;

  g_return_val_if_fail (in != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Empty input may come as NULL; pointer arithmetic on NULL is
   * undefined even with a zero offset. */
  if (len == 0)
    in = (const guint8 *) "";
  outbuf_init (&o, out, G_MAXSIZE);
  switch (codec)
    {
    case CAUDAL_COMPRESSION_NONE:
      if (len > o.limit)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                       "data too large");
          return FALSE;
        }
      if (len > 0)
        g_byte_array_append (out, in, (guint) len);
      return TRUE;
    case CAUDAL_COMPRESSION_GZIP:
      ok = gzip_compress (level, in, len, &o, error);
      break;
    case CAUDAL_COMPRESSION_SNAPPY:
      ok = snappy_compress_xerial (in, len, &o, error);
      break;
    case CAUDAL_COMPRESSION_LZ4:
      ok = lz4_compress (level, in, len, &o, error);
      break;
    case CAUDAL_COMPRESSION_ZSTD:
      ok = zstd_compress (level, in, len, &o, error);
      break;
    default:
      set_unsupported (error, codec);
      return FALSE;
    }
  outbuf_finish (&o, ok);
  return ok;
}

gboolean
caudal_compress (CaudalCompression codec,
                 const guint8     *in,
                 gsize             len,
                 GByteArray       *out,
                 GError          **error)
{
  return caudal_compress_with_level (codec, CAUDAL_COMPRESSION_LEVEL_DEFAULT,
                                     in, len, out, error);
}

gboolean
caudal_decompress (CaudalCompression codec,
                   const guint8     *in,
                   gsize             len,
                   gsize             max_out,
                   GByteArray       *out,
                   GError          **error)
{
  OutBuf o;
  gboolean ok;

  g_return_val_if_fail (in != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Empty input may come as NULL; pointer arithmetic on NULL is
   * undefined even with a zero offset. */
  if (len == 0)
    in = (const guint8 *) "";
  outbuf_init (&o, out, max_out);
  switch (codec)
    {
    case CAUDAL_COMPRESSION_NONE:
      if (len > o.limit)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_TOO_LARGE,
                       "data exceeds the limit of %" G_GSIZE_FORMAT " bytes", o.limit);
          return FALSE;
        }
      if (len > 0)
        g_byte_array_append (out, in, (guint) len);
      return TRUE;
    case CAUDAL_COMPRESSION_GZIP:
      ok = gzip_decompress (in, len, &o, error);
      break;
    case CAUDAL_COMPRESSION_SNAPPY:
      ok = snappy_decompress (in, len, &o, error);
      break;
    case CAUDAL_COMPRESSION_LZ4:
      ok = lz4_decompress (in, len, &o, error);
      break;
    case CAUDAL_COMPRESSION_ZSTD:
      ok = zstd_decompress (in, len, &o, error);
      break;
    default:
      set_unsupported (error, codec);
      return FALSE;
    }
  outbuf_finish (&o, ok);
  return ok;
}
