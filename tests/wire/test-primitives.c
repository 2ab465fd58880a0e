/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Golden bytes for every Kafka primitive, written by hand from the
 * protocol guide's "Protocol Primitive Types" section. */
#include "caudal-primitives.h"

#include <string.h>

typedef struct
{
  const char *hex;
  gint64      value;
} IntVector;

static GBytes *
hex_bytes (const char *hex)
{
  GByteArray *a = g_byte_array_new ();

  for (const char *p = hex; *p;)
    {
      guint8 b;
      if (*p == ' ')
        {
          p++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
      b = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (a, &b, 1);
      p += 2;
    }
  return g_byte_array_free_to_bytes (a);
}

static void
assert_written (CaudalWriter *w,
                const char   *hex)
{
  g_autoptr(GBytes) expected = hex_bytes (hex);
  gsize n;
  const guint8 *e = g_bytes_get_data (expected, &n);

  g_assert_cmpmem (w->buf->data, w->buf->len, e, n);
  g_byte_array_set_size (w->buf, 0);
}

#define READ_VECTOR(hex, reader_fn, type, expect)                         \
  G_STMT_START {                                                          \
    g_autoptr(GBytes) b_ = hex_bytes (hex);                               \
    CaudalReader r_;                                                      \
    type v_;                                                              \
    g_autoptr(GError) e_ = NULL;                                          \
    caudal_reader_init (&r_, g_bytes_get_data (b_, NULL), g_bytes_get_size (b_)); \
    g_assert_true (reader_fn (&r_, &v_, &e_));                            \
    g_assert_no_error (e_);                                               \
    g_assert_true (v_ == (type) (expect));                                \
    g_assert_cmpuint (caudal_reader_remaining (&r_), ==, 0);              \
  } G_STMT_END

static void
test_fixed_ints (void)
{
  CaudalWriter w;

  caudal_writer_init (&w);
  READ_VECTOR ("7f", caudal_read_int8, gint8, 127);
  READ_VECTOR ("80", caudal_read_int8, gint8, -128);
  READ_VECTOR ("01 2c", caudal_read_int16, gint16, 300);
  READ_VECTOR ("ff fe", caudal_read_int16, gint16, -2);
  READ_VECTOR ("00 01 e2 40", caudal_read_int32, gint32, 123456);
  READ_VECTOR ("80 00 00 00", caudal_read_int32, gint32, G_MININT32);
  READ_VECTOR ("01 23 45 67 89 ab cd ef", caudal_read_int64, gint64, G_GINT64_CONSTANT (0x0123456789abcdef));
  READ_VECTOR ("ff ff ff ff ff ff ff ff", caudal_read_int64, gint64, -1);
  READ_VECTOR ("ff ff", caudal_read_uint16, guint16, 65535);
  READ_VECTOR ("ff ff ff fe", caudal_read_uint32, guint32, 4294967294u);

  caudal_write_int8 (&w, -128); assert_written (&w, "80");
  caudal_write_int16 (&w, 300); assert_written (&w, "012c");
  caudal_write_int32 (&w, -2); assert_written (&w, "fffffffe");
  caudal_write_int64 (&w, G_GINT64_CONSTANT (0x0123456789abcdef)); assert_written (&w, "0123456789abcdef");
  caudal_write_uint16 (&w, 65535); assert_written (&w, "ffff");
  caudal_write_uint32 (&w, 4294967294u); assert_written (&w, "fffffffe");
  caudal_writer_clear (&w);
}

static void
test_float_bool_uuid (void)
{
  CaudalWriter w;
  g_autoptr(GBytes) b = hex_bytes ("3ff8000000000000 00 01 02 "
                                   "000102030405060708090a0b0c0d0e0f");
  CaudalReader r;
  gdouble d;
  gboolean t;
  CaudalUuid u;
  g_autoptr(GError) error = NULL;

  caudal_reader_init (&r, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_assert_true (caudal_read_float64 (&r, &d, &error));
  g_assert_cmpfloat (d, ==, 1.5);
  g_assert_true (caudal_read_bool (&r, &t, &error));
  g_assert_false (t);
  g_assert_true (caudal_read_bool (&r, &t, &error));
  g_assert_true (t);
  /* Non-zero other than 1 still reads as true. */
  g_assert_true (caudal_read_bool (&r, &t, &error));
  g_assert_true (t);
  g_assert_true (caudal_read_uuid (&r, &u, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpuint (u.bytes[i], ==, i);

  caudal_writer_init (&w);
  caudal_write_float64 (&w, -2.0); assert_written (&w, "c000000000000000");
  caudal_write_bool (&w, 7); assert_written (&w, "01");
  caudal_write_uuid (&w, &u); assert_written (&w, "000102030405060708090a0b0c0d0e0f");
  caudal_writer_clear (&w);
}

static void
test_varints (void)
{
  /* Zigzag VARINT: 0→0, -1→1, 1→2, -64→127, 64→128… (protobuf's scheme). */
  static const IntVector varints[] = {
    { "00", 0 }, { "01", -1 }, { "02", 1 }, { "7f", -64 }, { "80 01", 64 },
    { "d8 04", 300 }, { "fe ff ff ff 0f", G_MAXINT32 }, { "ff ff ff ff 0f", G_MININT32 },
  };
  static const IntVector varlongs[] = {
    { "00", 0 }, { "03", -2 }, { "80 01", 64 },
    { "fe ff ff ff ff ff ff ff ff 01", G_MAXINT64 },
    { "ff ff ff ff ff ff ff ff ff 01", G_MININT64 },
  };
  static const IntVector uvarints[] = {
    { "00", 0 }, { "7f", 127 }, { "80 01", 128 }, { "ac 02", 300 },
    { "ff ff ff ff 0f", G_MAXUINT32 },
  };
  CaudalWriter w;

  caudal_writer_init (&w);
  for (guint i = 0; i < G_N_ELEMENTS (varints); i++)
    {
      g_autoptr(GBytes) expected = hex_bytes (varints[i].hex);
      READ_VECTOR (varints[i].hex, caudal_read_varint, gint32, varints[i].value);
      caudal_write_varint (&w, (gint32) varints[i].value);
      g_assert_cmpuint (caudal_varint_size ((gint32) varints[i].value), ==, g_bytes_get_size (expected));
      assert_written (&w, varints[i].hex);
    }
  for (guint i = 0; i < G_N_ELEMENTS (varlongs); i++)
    {
      g_autoptr(GBytes) expected = hex_bytes (varlongs[i].hex);
      READ_VECTOR (varlongs[i].hex, caudal_read_varlong, gint64, varlongs[i].value);
      caudal_write_varlong (&w, varlongs[i].value);
      g_assert_cmpuint (caudal_varlong_size (varlongs[i].value), ==, g_bytes_get_size (expected));
      assert_written (&w, varlongs[i].hex);
    }
  for (guint i = 0; i < G_N_ELEMENTS (uvarints); i++)
    {
      g_autoptr(GBytes) expected = hex_bytes (uvarints[i].hex);
      READ_VECTOR (uvarints[i].hex, caudal_read_uvarint, guint32, uvarints[i].value);
      caudal_write_uvarint (&w, (guint32) uvarints[i].value);
      g_assert_cmpuint (caudal_uvarint_size ((guint32) uvarints[i].value), ==, g_bytes_get_size (expected));
      assert_written (&w, uvarints[i].hex);
    }
  caudal_writer_clear (&w);
}

static void
expect_failure (const char     *hex,
                gboolean      (*fn) (CaudalReader *, GError **),
                gint            code)
{
  g_autoptr(GBytes) b = hex_bytes (hex);
  CaudalReader r;
  g_autoptr(GError) error = NULL;

  caudal_reader_init (&r, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_assert_false (fn (&r, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, code);
  /* Every message says where it failed. */
  g_assert_nonnull (strstr (error->message, "offset "));
}

static gboolean read_varint_6 (CaudalReader *r, GError **e) { gint32 v; return caudal_read_varint (r, &v, e); }
static gboolean read_uvarint_any (CaudalReader *r, GError **e) { guint32 v; return caudal_read_uvarint (r, &v, e); }
static gboolean read_varlong_any (CaudalReader *r, GError **e) { gint64 v; return caudal_read_varlong (r, &v, e); }
static gboolean read_int32_any (CaudalReader *r, GError **e) { gint32 v; return caudal_read_int32 (r, &v, e); }
static gboolean read_uuid_any (CaudalReader *r, GError **e) { CaudalUuid v; return caudal_read_uuid (r, &v, e); }

static void
test_bad_varints_and_truncation (void)
{
  expect_failure ("80 80 80 80 80 00", read_varint_6, CAUDAL_WIRE_ERROR_INVALID);
  expect_failure ("ff ff ff ff 1f", read_uvarint_any, CAUDAL_WIRE_ERROR_INVALID);
  expect_failure ("80 80", read_uvarint_any, CAUDAL_WIRE_ERROR_TRUNCATED);
  expect_failure ("80 80 80 80 80 80 80 80 80 80 00", read_varlong_any, CAUDAL_WIRE_ERROR_INVALID);
  expect_failure ("00 00 01", read_int32_any, CAUDAL_WIRE_ERROR_TRUNCATED);
  expect_failure ("00", read_uuid_any, CAUDAL_WIRE_ERROR_TRUNCATED);
}

typedef struct
{
  const char *hex;
  gboolean    compact;
  gboolean    nullable;
  const char *value;   /* NULL: null */
  gboolean    ok;
} StringVector;

static void
test_strings (void)
{
  static const StringVector vectors[] = {
    { "00 02 61 62", FALSE, FALSE, "ab", TRUE },
    { "00 00", FALSE, FALSE, "", TRUE },
    { "ff ff", FALSE, TRUE, NULL, TRUE },
    { "ff ff", FALSE, FALSE, NULL, FALSE },          /* null, not nullable */
    { "00 03 61 62", FALSE, FALSE, NULL, FALSE },    /* truncated */
    { "ff fe", FALSE, TRUE, NULL, FALSE },           /* -2 */
    { "03 61 62", TRUE, FALSE, "ab", TRUE },         /* COMPACT: N+1 */
    { "01", TRUE, FALSE, "", TRUE },
    { "00", TRUE, TRUE, NULL, TRUE },
    { "00", TRUE, FALSE, NULL, FALSE },
  };
  CaudalWriter w;

  caudal_writer_init (&w);
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      const StringVector *v = &vectors[i];
      g_autoptr(GBytes) b = hex_bytes (v->hex);
      CaudalReader r;
      const char *s = "unset";
      gint32 len = -5;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      caudal_reader_init (&r, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
      ok = caudal_read_string (&r, v->compact, v->nullable, &s, &len, &error);
      g_assert_cmpint (ok, ==, v->ok);
      if (!ok)
        {
          g_assert_nonnull (error);
          continue;
        }
      if (v->value == NULL)
        {
          g_assert_null (s);
          g_assert_cmpint (len, ==, -1);
        }
      else
        g_assert_cmpmem (s, len, v->value, strlen (v->value));
      caudal_write_string (&w, v->compact, v->value, v->value ? (gint32) strlen (v->value) : -1);
      assert_written (&w, v->hex);
    }
  caudal_writer_clear (&w);
}

static void
test_bytes (void)
{
  static const struct
  {
    const char *hex;
    gboolean    compact;
    gint32      len;
  } vectors[] = {
    { "00 00 00 03 01 02 03", FALSE, 3 },
    { "ff ff ff ff", FALSE, -1 },
    { "04 01 02 03", TRUE, 3 },
    { "00", TRUE, -1 },
    { "01", TRUE, 0 },
  };
  CaudalWriter w;

  caudal_writer_init (&w);
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GBytes) b = hex_bytes (vectors[i].hex);
      CaudalReader r;
      CaudalBytes out;
      g_autoptr(GError) error = NULL;

      caudal_reader_init (&r, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
      g_assert_true (caudal_read_bytes (&r, vectors[i].compact, TRUE, &out, &error));
      g_assert_cmpint (out.len, ==, vectors[i].len);
      for (gint32 j = 0; j < out.len; j++)
        g_assert_cmpuint (out.data[j], ==, j + 1);
      /* The value is borrowed from the input, not copied. */
      if (out.len > 0)
        g_assert_true (out.data >= (const guint8 *) g_bytes_get_data (b, NULL));
      caudal_write_bytes (&w, vectors[i].compact, &out);
      assert_written (&w, vectors[i].hex);
    }
  caudal_writer_clear (&w);
}

static void
test_array_counts (void)
{
  static const struct
  {
    const char *hex;
    gboolean    compact;
    gsize       min_size;
    gint32      count;
    gint        error;   /* -1: none */
  } vectors[] = {
    { "00 00 00 02 aa bb", FALSE, 1, 2, -1 },
    { "ff ff ff ff", FALSE, 1, -1, -1 },
    { "03 aa bb", TRUE, 1, 2, -1 },
    { "00", TRUE, 1, -1, -1 },
    { "01", TRUE, 1, 0, -1 },
    /* A count the remaining bytes cannot hold is refused before any
     * allocation. */
    { "00 00 00 03 aa bb", FALSE, 1, 0, CAUDAL_WIRE_ERROR_TOO_LARGE },
    { "03 aa bb", TRUE, 2, 0, CAUDAL_WIRE_ERROR_TOO_LARGE },
    { "7f ff ff ff", FALSE, 1, 0, CAUDAL_WIRE_ERROR_TOO_LARGE },
    { "ff ff ff fe", FALSE, 1, 0, CAUDAL_WIRE_ERROR_INVALID },
  };
  CaudalWriter w;

  caudal_writer_init (&w);
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GBytes) b = hex_bytes (vectors[i].hex);
      CaudalReader r;
      gint32 count;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      caudal_reader_init (&r, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
      ok = caudal_read_array_count (&r, vectors[i].compact, TRUE, vectors[i].min_size, &count, &error);
      if (vectors[i].error >= 0)
        {
          g_assert_false (ok);
          g_assert_error (error, CAUDAL_WIRE_ERROR, vectors[i].error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (count, ==, vectors[i].count);
      caudal_write_array_count (&w, vectors[i].compact, count);
      g_assert_cmpuint (w.buf->len, ==, r.pos);
      g_assert_cmpmem (w.buf->data, w.buf->len, g_bytes_get_data (b, NULL), r.pos);
      g_byte_array_set_size (w.buf, 0);
    }
  caudal_writer_clear (&w);
}

static void
test_error_context (void)
{
  g_autoptr(GBytes) b = hex_bytes ("00 01 02");
  CaudalReader r;
  gint32 v;
  g_autoptr(GError) error = NULL;

  caudal_reader_init (&r, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  r.api_key = 3;
  r.api_version = 12;
  r.pos = 1;
  g_assert_false (caudal_read_int32 (&r, &v, &error));
  g_assert_cmpstr (error->message, ==, "API 3 v12, offset 1: INT32 needs 4 bytes, 2 left");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/primitives/fixed-ints", test_fixed_ints);
  g_test_add_func ("/wire/primitives/float-bool-uuid", test_float_bool_uuid);
  g_test_add_func ("/wire/primitives/varints", test_varints);
  g_test_add_func ("/wire/primitives/bad-varints", test_bad_varints_and_truncation);
  g_test_add_func ("/wire/primitives/strings", test_strings);
  g_test_add_func ("/wire/primitives/bytes", test_bytes);
  g_test_add_func ("/wire/primitives/array-counts", test_array_counts);
  g_test_add_func ("/wire/primitives/error-context", test_error_context);
  return g_test_run ();
}
