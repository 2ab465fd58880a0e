/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-compression.h: the codecs of Kafka record batches, in the byte
 * formats the Java client writes and reads. */
#pragma once

#include "caudal-wire-types.h"

G_BEGIN_DECLS

/**
 * CaudalCompression:
 * @CAUDAL_COMPRESSION_NONE: no compression
 * @CAUDAL_COMPRESSION_GZIP: gzip (RFC 1952) members, via zlib
 * @CAUDAL_COMPRESSION_SNAPPY: snappy; written in the xerial (snappy-java)
 *   stream framing, read either framed or raw
 * @CAUDAL_COMPRESSION_LZ4: the LZ4 frame format
 * @CAUDAL_COMPRESSION_ZSTD: Zstandard frames (KIP-110)
 *
 * A codec, numbered as bits 0-2 of a record batch's attributes. Values 5-7
 * fit in those bits but name no codec.
 */
typedef enum
{
  CAUDAL_COMPRESSION_NONE   = 0,
  CAUDAL_COMPRESSION_GZIP   = 1,
  CAUDAL_COMPRESSION_SNAPPY = 2,
  CAUDAL_COMPRESSION_LZ4    = 3,
  CAUDAL_COMPRESSION_ZSTD   = 4,
} CaudalCompression;

/**
 * CAUDAL_COMPRESSION_LEVEL_DEFAULT:
 *
 * The level passed to caudal_compress_with_level() to get each codec's
 * default: gzip 6 (zlib's and java.util.zip's default), lz4 the fast mode,
 * zstd 3 (Kafka's default). Snappy has no levels.
 */
#define CAUDAL_COMPRESSION_LEVEL_DEFAULT G_MININT

/**
 * caudal_compression_name:
 * @codec: a codec number
 *
 * Returns: Kafka's name of @codec (`"none"`, `"gzip"`, `"snappy"`,
 *   `"lz4"`, `"zstd"`, as in the `compression.type` config), or %NULL
 *   for a number that names no codec
 */
CAUDAL_WIRE_EXPORT const char *caudal_compression_name  (CaudalCompression codec);

/**
 * caudal_compression_from_name:
 * @name: a codec name as returned by caudal_compression_name()
 * @out: (out): the codec
 *
 * Returns: %TRUE if @name names a codec
 */
CAUDAL_WIRE_EXPORT gboolean caudal_compression_from_name (const char        *name,
                                                          CaudalCompression *out);

/**
 * caudal_compress:
 * @codec: the codec
 * @in: (array length=len): the bytes to compress
 * @len: the number of bytes in @in
 * @out: the array the compressed bytes are appended to
 * @error: return location for a #GError
 *
 * Compresses @in with @codec at its default level, appending to @out.
 * %CAUDAL_COMPRESSION_NONE appends @in unchanged.
 *
 * Returns: %TRUE on success; on failure @out is left as it was and @error
 *   is %CAUDAL_WIRE_ERROR_UNSUPPORTED for an unknown codec or
 *   %CAUDAL_WIRE_ERROR_COMPRESSION if the codec failed
 */
CAUDAL_WIRE_EXPORT gboolean caudal_compress             (CaudalCompression codec,
                                                         const guint8     *in,
                                                         gsize             len,
                                                         GByteArray       *out,
                                                         GError          **error);

/**
 * caudal_compress_with_level:
 * @codec: the codec
 * @level: a codec-specific level, or %CAUDAL_COMPRESSION_LEVEL_DEFAULT
 * @in: (array length=len): the bytes to compress
 * @len: the number of bytes in @in
 * @out: the array the compressed bytes are appended to
 * @error: return location for a #GError
 *
 * As caudal_compress() with an explicit level (KIP-390): gzip 1-9, lz4
 * 0 (fast) or 1-12 (LZ4 HC), zstd -131072-22; ignored for snappy.
 * A level out of range is %CAUDAL_WIRE_ERROR_INVALID.
 *
 * Returns: %TRUE on success
 */
CAUDAL_WIRE_EXPORT gboolean caudal_compress_with_level  (CaudalCompression codec,
                                                         int               level,
                                                         const guint8     *in,
                                                         gsize             len,
                                                         GByteArray       *out,
                                                         GError          **error);

/**
 * caudal_decompress:
 * @codec: the codec
 * @in: (array length=len): the compressed bytes
 * @len: the number of bytes in @in
 * @max_out: the most bytes the decompressed data may have
 * @out: the array the decompressed bytes are appended to
 * @error: return location for a #GError
 *
 * Decompresses all of @in, appending to @out. Accepts what Kafka clients
 * write: concatenated gzip members; snappy in the xerial framing or raw;
 * one or more LZ4 frames; one or more zstd frames, with or without a
 * content size. Output is produced in bounded steps, so data that would
 * expand beyond @max_out fails as soon as it does, without allocating more
 * than about @max_out bytes.
 *
 * Returns: %TRUE on success; on failure @out is left as it was and @error
 *   is %CAUDAL_WIRE_ERROR_TOO_LARGE when the output exceeds @max_out,
 *   %CAUDAL_WIRE_ERROR_UNSUPPORTED for an unknown codec, or
 *   %CAUDAL_WIRE_ERROR_COMPRESSION for malformed or truncated input
 */
CAUDAL_WIRE_EXPORT gboolean caudal_decompress           (CaudalCompression codec,
                                                         const guint8     *in,
                                                         gsize             len,
                                                         gsize             max_out,
                                                         GByteArray       *out,
                                                         GError          **error);

G_END_DECLS
