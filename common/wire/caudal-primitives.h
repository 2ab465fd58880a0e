/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-primitives.h: bounded reading and growable writing of Kafka's
 * primitive types (https://kafka.apache.org/protocol#protocol_types). */
#pragma once

#include "caudal-wire-types.h"

G_BEGIN_DECLS

/**
 * CaudalReader:
 * @data: the input (borrowed)
 * @len: bytes in @data
 * @pos: the next byte to read
 * @api_key: the API being decoded, or -1; only used in error messages
 * @api_version: its version, or -1
 *
 * A cursor over a byte buffer. Every read checks the bytes left first and
 * fails with a #GError naming the API, version and offset; a failed read
 * leaves @pos unspecified.
 */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gint16        api_key;
  gint16        api_version;
} CaudalReader;

CAUDAL_WIRE_EXPORT void     caudal_reader_init          (CaudalReader  *r,
                                                         const guint8  *data,
                                                         gsize          len);
CAUDAL_WIRE_EXPORT gsize    caudal_reader_remaining     (const CaudalReader *r);
/* Sets @error in the %CAUDAL_WIRE_ERROR domain with the reader's context
 * (API, version, offset) prepended to the formatted message. */
CAUDAL_WIRE_EXPORT void     caudal_reader_set_error     (const CaudalReader *r,
                                                         GError       **error,
                                                         CaudalWireError code,
                                                         const char    *format,
                                                         ...) G_GNUC_PRINTF (4, 5);

CAUDAL_WIRE_EXPORT gboolean caudal_read_int8            (CaudalReader *r, gint8   *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_int16           (CaudalReader *r, gint16  *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_int32           (CaudalReader *r, gint32  *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_int64           (CaudalReader *r, gint64  *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_uint16          (CaudalReader *r, guint16 *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_uint32          (CaudalReader *r, guint32 *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_float64         (CaudalReader *r, gdouble *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_bool            (CaudalReader *r, gboolean *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_uuid            (CaudalReader *r, CaudalUuid *out, GError **error);
/* VARINT / VARLONG: zigzag-encoded signed values (at most 5 / 10 bytes). */
CAUDAL_WIRE_EXPORT gboolean caudal_read_varint          (CaudalReader *r, gint32  *out, GError **error);
CAUDAL_WIRE_EXPORT gboolean caudal_read_varlong         (CaudalReader *r, gint64  *out, GError **error);
/* UNSIGNED_VARINT: at most 5 bytes, no zigzag. */
CAUDAL_WIRE_EXPORT gboolean caudal_read_uvarint         (CaudalReader *r, guint32 *out, GError **error);
/* Borrow @len bytes at the cursor and advance past them. */
CAUDAL_WIRE_EXPORT gboolean caudal_read_raw             (CaudalReader *r, gsize len, const guint8 **out, GError **error);

/* STRING / NULLABLE_STRING / COMPACT_(NULLABLE_)STRING. The value is borrowed
 * from the input and is NOT NUL-terminated: *out_len is -1 for null. A null
 * where @nullable is FALSE is an error. */
CAUDAL_WIRE_EXPORT gboolean caudal_read_string          (CaudalReader *r, gboolean compact, gboolean nullable,
                                                         const char **out, gint32 *out_len, GError **error);
/* BYTES / NULLABLE_BYTES / COMPACT_(NULLABLE_)BYTES, borrowed. */
CAUDAL_WIRE_EXPORT gboolean caudal_read_bytes           (CaudalReader *r, gboolean compact, gboolean nullable,
                                                         CaudalBytes *out, GError **error);
/* The element count of an ARRAY / COMPACT_ARRAY; -1 for null. The count is
 * checked against the bytes left: every element takes at least
 * @min_element_size bytes (pass 1 when an element may be empty). */
CAUDAL_WIRE_EXPORT gboolean caudal_read_array_count     (CaudalReader *r, gboolean compact, gboolean nullable,
                                                         gsize min_element_size, gint32 *out, GError **error);

/**
 * CaudalWriter:
 * @buf: the bytes written so far
 *
 * A growable output buffer. Writes cannot fail (GLib aborts on OOM).
 */
typedef struct
{
  GByteArray *buf;
  /*< private >*/
  GArray     *splices;        /* CaudalWriterSplice, NULL unless enabled */
  gsize       external_len;   /* bytes the splices stand for */
} CaudalWriter;

/**
 * CaudalWriterSplice:
 * @at: where in the written buffer the external bytes belong
 * @len: how many bytes
 *
 * A hole for bytes the caller sends itself (a fetch's records straight
 * from a segment file, for zero-copy). Enabled per writer: a bytes or
 * records value with data %NULL and len > 0 then writes its length prefix
 * and records a splice instead of copying.
 */
typedef struct
{
  gsize at;
  gsize len;
} CaudalWriterSplice;

CAUDAL_WIRE_EXPORT void  caudal_writer_init     (CaudalWriter *w);
CAUDAL_WIRE_EXPORT void  caudal_writer_clear    (CaudalWriter *w);
CAUDAL_WIRE_EXPORT void  caudal_writer_enable_splices (CaudalWriter *w);
/* The splices recorded so far, in write order (owned by the writer). */
CAUDAL_WIRE_EXPORT const CaudalWriterSplice *caudal_writer_get_splices (const CaudalWriter *w,
                                                                        guint              *n_splices);
/* Returns the bytes and leaves the writer empty. */
CAUDAL_WIRE_EXPORT GBytes *caudal_writer_steal  (CaudalWriter *w);
/* Bytes written, counting the splices' external bytes. */
CAUDAL_WIRE_EXPORT gsize caudal_writer_len      (const CaudalWriter *w);

CAUDAL_WIRE_EXPORT void caudal_write_int8       (CaudalWriter *w, gint8 v);
CAUDAL_WIRE_EXPORT void caudal_write_int16      (CaudalWriter *w, gint16 v);
CAUDAL_WIRE_EXPORT void caudal_write_int32      (CaudalWriter *w, gint32 v);
CAUDAL_WIRE_EXPORT void caudal_write_int64      (CaudalWriter *w, gint64 v);
CAUDAL_WIRE_EXPORT void caudal_write_uint16     (CaudalWriter *w, guint16 v);
CAUDAL_WIRE_EXPORT void caudal_write_uint32     (CaudalWriter *w, guint32 v);
CAUDAL_WIRE_EXPORT void caudal_write_float64    (CaudalWriter *w, gdouble v);
CAUDAL_WIRE_EXPORT void caudal_write_bool       (CaudalWriter *w, gboolean v);
CAUDAL_WIRE_EXPORT void caudal_write_uuid       (CaudalWriter *w, const CaudalUuid *v);
CAUDAL_WIRE_EXPORT void caudal_write_varint     (CaudalWriter *w, gint32 v);
CAUDAL_WIRE_EXPORT void caudal_write_varlong    (CaudalWriter *w, gint64 v);
CAUDAL_WIRE_EXPORT void caudal_write_uvarint    (CaudalWriter *w, guint32 v);
CAUDAL_WIRE_EXPORT void caudal_write_raw        (CaudalWriter *w, const void *data, gsize len);
/* @len -1 writes null (the caller checks that null is allowed). */
CAUDAL_WIRE_EXPORT void caudal_write_string     (CaudalWriter *w, gboolean compact, const char *s, gint32 len);
CAUDAL_WIRE_EXPORT void caudal_write_bytes      (CaudalWriter *w, gboolean compact, const CaudalBytes *b);
CAUDAL_WIRE_EXPORT void caudal_write_array_count (CaudalWriter *w, gboolean compact, gint32 count);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaudalWriter, caudal_writer_clear)

/* Patch helpers for length prefixes written before the content is known. */
CAUDAL_WIRE_EXPORT gsize caudal_writer_reserve  (CaudalWriter *w, gsize len);
CAUDAL_WIRE_EXPORT void  caudal_writer_patch_int32 (CaudalWriter *w, gsize at, gint32 v);

/* Sizes of the variable-length encodings, for callers that precompute. */
CAUDAL_WIRE_EXPORT guint caudal_varint_size     (gint32 v);
CAUDAL_WIRE_EXPORT guint caudal_varlong_size    (gint64 v);
CAUDAL_WIRE_EXPORT guint caudal_uvarint_size    (guint32 v);

G_END_DECLS
