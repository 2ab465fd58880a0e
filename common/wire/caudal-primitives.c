/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-primitives.c: Kafka's primitive types, read with a bound check
 * before every access and written into a growable buffer. */
#include "caudal-primitives.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (caudal-wire-error-quark, caudal_wire_error)

void
caudal_reader_init (CaudalReader *r,
                    const guint8 *data,
                    gsize         len)
{
  r->data = data;
  r->len = len;
  r->pos = 0;
  r->api_key = -1;
  r->api_version = -1;
}

gsize
caudal_reader_remaining (const CaudalReader *r)
{
  return r->len - r->pos;
}

void
caudal_reader_set_error (const CaudalReader *r,
                         GError            **error,
                         CaudalWireError     code,
                         const char         *format,
                         ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);

  if (r->api_key >= 0)
    g_set_error (error, CAUDAL_WIRE_ERROR, code,
                 "API %d v%d, offset %" G_GSIZE_FORMAT ": %s",
                 r->api_key, r->api_version, r->pos, msg);
  else
    g_set_error (error, CAUDAL_WIRE_ERROR, code,
                 "offset %" G_GSIZE_FORMAT ": %s", r->pos, msg);
}

static gboolean
need (CaudalReader *r,
      gsize         n,
      const char   *what,
      GError      **error)
{
  if (G_LIKELY (r->len - r->pos >= n))
    return TRUE;
  caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TRUNCATED,
                           "%s needs %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT " left",
                           what, n, r->len - r->pos);
  return FALSE;
}

static inline guint64
load_be (const guint8 *p,
         guint         n)
{
  guint64 v = 0;
  for (guint i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

#define DEFINE_READ_FIXED(fn, type, n, label)                  \
  gboolean                                                     \
  fn (CaudalReader *r, type *out, GError **error)              \
  {                                                            \
    if (!need (r, n, label, error))                            \
      return FALSE;                                            \
    *out = (type) load_be (r->data + r->pos, n);               \
    r->pos += n;                                               \
    return TRUE;                                               \
  }

DEFINE_READ_FIXED (caudal_read_int8, gint8, 1, "INT8")
DEFINE_READ_FIXED (caudal_read_int16, gint16, 2, "INT16")
DEFINE_READ_FIXED (caudal_read_int32, gint32, 4, "INT32")
DEFINE_READ_FIXED (caudal_read_int64, gint64, 8, "INT64")
DEFINE_READ_FIXED (caudal_read_uint16, guint16, 2, "UINT16")
DEFINE_READ_FIXED (caudal_read_uint32, guint32, 4, "UINT32")

gboolean
caudal_read_float64 (CaudalReader *r,
                     gdouble      *out,
                     GError      **error)
{
  guint64 bits;

  if (!need (r, 8, "FLOAT64", error))
    return FALSE;
  bits = load_be (r->data + r->pos, 8);
  memcpy (out, &bits, sizeof bits);
  r->pos += 8;
  return TRUE;
}

gboolean
caudal_read_bool (CaudalReader *r,
                  gboolean     *out,
                  GError      **error)
{
  if (!need (r, 1, "BOOLEAN", error))
    return FALSE;
  /* The guide says 0 is false and anything else true; accept both. */
  *out = r->data[r->pos] != 0;
  r->pos++;
  return TRUE;
}

gboolean
caudal_read_uuid (CaudalReader *r,
                  CaudalUuid   *out,
                  GError      **error)
{
  if (!need (r, 16, "UUID", error))
    return FALSE;
  memcpy (out->bytes, r->data + r->pos, 16);
  r->pos += 16;
  return TRUE;
}

/* Reads a base-128 little-endian group varint of at most @max_bytes. */
static gboolean
read_raw_varint (CaudalReader *r,
                 guint         max_bytes,
                 guint64      *out,
                 const char   *what,
                 GError      **error)
{
  guint64 v = 0;

  for (guint i = 0; i < max_bytes; i++)
    {
      guint8 b;

      if (!need (r, 1, what, error))
        return FALSE;
      b = r->data[r->pos++];
      v |= (guint64) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0)
        {
          *out = v;
          return TRUE;
        }
    }
  caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                           "%s longer than %u bytes", what, max_bytes);
  return FALSE;
}

gboolean
caudal_read_uvarint (CaudalReader *r,
                     guint32      *out,
                     GError      **error)
{
  guint64 v;

  if (!read_raw_varint (r, 5, &v, "UNSIGNED_VARINT", error))
    return FALSE;
  if (v > G_MAXUINT32)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "UNSIGNED_VARINT exceeds 32 bits");
      return FALSE;
    }
  *out = (guint32) v;
  return TRUE;
}

gboolean
caudal_read_varint (CaudalReader *r,
                    gint32       *out,
                    GError      **error)
{
  guint64 v;
  guint32 u;

  if (!read_raw_varint (r, 5, &v, "VARINT", error))
    return FALSE;
  if (v > G_MAXUINT32)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "VARINT exceeds 32 bits");
      return FALSE;
    }
  u = (guint32) v;
  /* Zigzag: 0,-1,1,-2… map to 0,1,2,3… */
  *out = (gint32) ((u >> 1) ^ (~(u & 1) + 1));
  return TRUE;
}

gboolean
caudal_read_varlong (CaudalReader *r,
                     gint64       *out,
                     GError      **error)
{
  guint64 u;

  if (!read_raw_varint (r, 10, &u, "VARLONG", error))
    return FALSE;
  *out = (gint64) ((u >> 1) ^ (~(u & 1) + 1));
  return TRUE;
}

gboolean
caudal_read_raw (CaudalReader  *r,
                 gsize          len,
                 const guint8 **out,
                 GError       **error)
{
  if (!need (r, len, "bytes", error))
    return FALSE;
  *out = r->data + r->pos;
  r->pos += len;
  return TRUE;
}

/* Reads the length prefix shared by strings and bytes: INT16/INT32 for the
 * classic types, UNSIGNED_VARINT N+1 for the compact ones (KIP-482). */
static gboolean
read_length (CaudalReader *r,
             gboolean      compact,
             gboolean      wide,
             gboolean      nullable,
             const char   *what,
             gint32       *out,
             GError      **error)
{
  gint64 len;

  if (compact)
    {
      guint32 u;
      if (!caudal_read_uvarint (r, &u, error))
        return FALSE;
      len = (gint64) u - 1;
    }
  else if (wide)
    {
      gint32 v;
      if (!caudal_read_int32 (r, &v, error))
        return FALSE;
      len = v;
    }
  else
    {
      gint16 v;
      if (!caudal_read_int16 (r, &v, error))
        return FALSE;
      len = v;
    }

  if (len < -1 || len > G_MAXINT32)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "%s has invalid length %" G_GINT64_FORMAT, what, len);
      return FALSE;
    }
  if (len == -1 && !nullable)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "%s is null but not nullable", what);
      return FALSE;
    }
  if (len > (gint64) caudal_reader_remaining (r))
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TRUNCATED,
                               "%s of %" G_GINT64_FORMAT " bytes, %" G_GSIZE_FORMAT " left",
                               what, len, caudal_reader_remaining (r));
      return FALSE;
    }
  *out = (gint32) len;
  return TRUE;
}

gboolean
caudal_read_string (CaudalReader *r,
                    gboolean      compact,
                    gboolean      nullable,
                    const char  **out,
                    gint32       *out_len,
                    GError      **error)
{
  gint32 len;

  if (!read_length (r, compact, FALSE, nullable, "STRING", &len, error))
    return FALSE;
  if (len < 0)
    {
      *out = NULL;
      *out_len = -1;
      return TRUE;
    }
  *out = (const char *) r->data + r->pos;
  *out_len = len;
  r->pos += len;
  return TRUE;
}

gboolean
caudal_read_bytes (CaudalReader *r,
                   gboolean      compact,
                   gboolean      nullable,
                   CaudalBytes  *out,
                   GError      **error)
{
  gint32 len;

  if (!read_length (r, compact, TRUE, nullable, "BYTES", &len, error))
    return FALSE;
  if (len < 0)
    {
      *out = CAUDAL_BYTES_NULL;
      return TRUE;
    }
  out->data = r->data + r->pos;
  out->len = len;
  r->pos += len;
  return TRUE;
}

gboolean
caudal_read_array_count (CaudalReader *r,
                         gboolean      compact,
                         gboolean      nullable,
                         gsize         min_element_size,
                         gint32       *out,
                         GError      **error)
{
  gint64 count;

  if (compact)
    {
      guint32 u;
      if (!caudal_read_uvarint (r, &u, error))
        return FALSE;
      count = (gint64) u - 1;
    }
  else
    {
      gint32 v;
      if (!caudal_read_int32 (r, &v, error))
        return FALSE;
      count = v;
    }

  if (count < -1)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "array has invalid count %" G_GINT64_FORMAT, count);
      return FALSE;
    }
  if (count == -1 && !nullable)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "array is null but not nullable");
      return FALSE;
    }
  /* Cap the count by the bytes left before anyone allocates for it: an
   * element takes at least one byte, so a bigger count is a lie. */
  if (count > 0 && (guint64) count * MAX (min_element_size, 1) > caudal_reader_remaining (r))
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TOO_LARGE,
                               "array count %" G_GINT64_FORMAT " exceeds the %" G_GSIZE_FORMAT " bytes left",
                               count, caudal_reader_remaining (r));
      return FALSE;
    }
  *out = (gint32) count;
  return TRUE;
}

/* ---- writer ---- */

void
caudal_writer_init (CaudalWriter *w)
{
  w->buf = g_byte_array_sized_new (256);
  w->splices = NULL;
  w->external_len = 0;
}

void
caudal_writer_clear (CaudalWriter *w)
{
  g_clear_pointer (&w->buf, g_byte_array_unref);
  g_clear_pointer (&w->splices, g_array_unref);
  w->external_len = 0;
}

void
caudal_writer_enable_splices (CaudalWriter *w)
{
  if (w->splices == NULL)
    w->splices = g_array_new (FALSE, FALSE, sizeof (CaudalWriterSplice));
}

const CaudalWriterSplice *
caudal_writer_get_splices (const CaudalWriter *w,
                           guint              *n_splices)
{
  *n_splices = w->splices != NULL ? w->splices->len : 0;
  return w->splices != NULL ? (const CaudalWriterSplice *) (gconstpointer) w->splices->data : NULL;
}

/* Leaves the writer empty: the splices go too (read them first). */
GBytes *
caudal_writer_steal (CaudalWriter *w)
{
  GBytes *b = g_byte_array_free_to_bytes (g_steal_pointer (&w->buf));
  w->buf = g_byte_array_sized_new (256);
  if (w->splices != NULL)
    g_array_set_size (w->splices, 0);
  w->external_len = 0;
  return b;
}

gsize
caudal_writer_len (const CaudalWriter *w)
{
  return w->buf->len + w->external_len;
}

static inline void
store_be (CaudalWriter *w,
          guint64       v,
          guint         n)
{
  guint8 tmp[8];
  for (guint i = 0; i < n; i++)
    tmp[i] = (guint8) (v >> (8 * (n - 1 - i)));
  g_byte_array_append (w->buf, tmp, n);
}

void caudal_write_int8 (CaudalWriter *w, gint8 v) { store_be (w, (guint8) v, 1); }
void caudal_write_int16 (CaudalWriter *w, gint16 v) { store_be (w, (guint16) v, 2); }
void caudal_write_int32 (CaudalWriter *w, gint32 v) { store_be (w, (guint32) v, 4); }
void caudal_write_int64 (CaudalWriter *w, gint64 v) { store_be (w, (guint64) v, 8); }
void caudal_write_uint16 (CaudalWriter *w, guint16 v) { store_be (w, v, 2); }
void caudal_write_uint32 (CaudalWriter *w, guint32 v) { store_be (w, v, 4); }

void
caudal_write_float64 (CaudalWriter *w,
                      gdouble       v)
{
  guint64 bits;
  memcpy (&bits, &v, sizeof bits);
  store_be (w, bits, 8);
}

void
caudal_write_bool (CaudalWriter *w,
                   gboolean      v)
{
  store_be (w, v ? 1 : 0, 1);
}

void
caudal_write_uuid (CaudalWriter     *w,
                   const CaudalUuid *v)
{
  g_byte_array_append (w->buf, v->bytes, 16);
}

static void
write_raw_varint (CaudalWriter *w,
                  guint64       v)
{
  guint8 tmp[10];
  guint n = 0;

  while (v >= 0x80)
    {
      tmp[n++] = (guint8) (v | 0x80);
      v >>= 7;
    }
  tmp[n++] = (guint8) v;
  g_byte_array_append (w->buf, tmp, n);
}

void
caudal_write_uvarint (CaudalWriter *w,
                      guint32       v)
{
  write_raw_varint (w, v);
}

void
caudal_write_varint (CaudalWriter *w,
                     gint32        v)
{
  write_raw_varint (w, ((guint32) v << 1) ^ (guint32) (v >> 31));
}

void
caudal_write_varlong (CaudalWriter *w,
                      gint64        v)
{
  write_raw_varint (w, ((guint64) v << 1) ^ (guint64) (v >> 63));
}

static guint
raw_varint_size (guint64 v)
{
  guint n = 1;
  while (v >= 0x80)
    {
      v >>= 7;
      n++;
    }
  return n;
}

guint caudal_uvarint_size (guint32 v) { return raw_varint_size (v); }
guint caudal_varint_size (gint32 v) { return raw_varint_size (((guint32) v << 1) ^ (guint32) (v >> 31)); }
guint caudal_varlong_size (gint64 v) { return raw_varint_size (((guint64) v << 1) ^ (guint64) (v >> 63)); }

void
caudal_write_raw (CaudalWriter *w,
                  const void   *data,
                  gsize         len)
{
  if (len > 0)
    g_byte_array_append (w->buf, data, len);
}

void
caudal_write_string (CaudalWriter *w,
                     gboolean      compact,
                     const char   *s,
                     gint32        len)
{
  if (compact)
    caudal_write_uvarint (w, (guint32) (len + 1));
  else
    caudal_write_int16 (w, (gint16) len);
  if (len > 0)
    caudal_write_raw (w, s, len);
}

void
caudal_write_bytes (CaudalWriter      *w,
                    gboolean           compact,
                    const CaudalBytes *b)
{
  if (compact)
    caudal_write_uvarint (w, (guint32) (b->len + 1));
  else
    caudal_write_int32 (w, b->len);
  if (b->len > 0 && b->data == NULL)
    {
      /* Bytes the caller sends itself (see CaudalWriterSplice). */
      CaudalWriterSplice splice = { w->buf->len, (gsize) b->len };

      g_return_if_fail (w->splices != NULL);
      g_array_append_val (w->splices, splice);
      w->external_len += (gsize) b->len;
      return;
    }
  if (b->len > 0)
    caudal_write_raw (w, b->data, b->len);
}

void
caudal_write_array_count (CaudalWriter *w,
                          gboolean      compact,
                          gint32        count)
{
  if (compact)
    caudal_write_uvarint (w, (guint32) (count + 1));
  else
    caudal_write_int32 (w, count);
}

gsize
caudal_writer_reserve (CaudalWriter *w,
                       gsize         len)
{
  gsize at = w->buf->len;
  g_byte_array_set_size (w->buf, at + len);
  memset (w->buf->data + at, 0, len);
  return at;
}

void
caudal_writer_patch_int32 (CaudalWriter *w,
                           gsize         at,
                           gint32        v)
{
  guint32 u = (guint32) v;
  g_assert (at + 4 <= w->buf->len);
  w->buf->data[at] = (guint8) (u >> 24);
  w->buf->data[at + 1] = (guint8) (u >> 16);
  w->buf->data[at + 2] = (guint8) (u >> 8);
  w->buf->data[at + 3] = (guint8) u;
}
