/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* decode(encode(x)) == x for every message of every API at every version:
 * messages are filled with pseudo-random values by walking the descriptors,
 * encoded, decoded, dumped and encoded again. Every strict prefix of each
 * encoding must then fail to decode cleanly (never crash, never read past
 * the end). */
#include "caudal-header.h"

#include <string.h>

typedef struct
{
  GRand       *rand;
  CaudalArena *arena;
} Filler;

static gboolean
present (const CaudalFieldDesc *f,
         gint16                 version)
{
  return f->min_version <= version && version <= f->max_version;
}

static gboolean
nullable (const CaudalFieldDesc *f,
          gint16                 version)
{
  return f->nullable_min <= version && version <= f->nullable_max;
}

static void fill_struct (Filler *fl, const CaudalStructDesc *desc, gint16 version, gpointer msg, guint depth);

static gsize
elem_size (const CaudalFieldDesc *f)
{
  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: return 1;
    case CAUDAL_FIELD_INT16:
    case CAUDAL_FIELD_UINT16: return 2;
    case CAUDAL_FIELD_INT32:
    case CAUDAL_FIELD_UINT32: return 4;
    case CAUDAL_FIELD_INT64: return 8;
    case CAUDAL_FIELD_FLOAT64: return sizeof (gdouble);
    case CAUDAL_FIELD_BOOL: return sizeof (gboolean);
    case CAUDAL_FIELD_UUID: return sizeof (CaudalUuid);
    case CAUDAL_FIELD_STRING: return sizeof (char *);
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS: return sizeof (CaudalBytes);
    case CAUDAL_FIELD_STRUCT: return f->child->size;
    default: g_assert_not_reached ();
    }
}

static void
fill_value (Filler                *fl,
            const CaudalFieldDesc *f,
            gint16                 version,
            gboolean               may_be_null,
            gpointer               p,
            guint                  depth)
{
  GRand *r = fl->rand;

  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: *(gint8 *) p = (gint8) g_rand_int (r); break;
    case CAUDAL_FIELD_INT16: *(gint16 *) p = (gint16) g_rand_int (r); break;
    case CAUDAL_FIELD_INT32: *(gint32 *) p = (gint32) g_rand_int (r); break;
    case CAUDAL_FIELD_INT64: *(gint64 *) p = (gint64) ((guint64) g_rand_int (r) << 32 | g_rand_int (r)); break;
    case CAUDAL_FIELD_UINT16: *(guint16 *) p = (guint16) g_rand_int (r); break;
    case CAUDAL_FIELD_UINT32: *(guint32 *) p = g_rand_int (r); break;
    case CAUDAL_FIELD_FLOAT64: *(gdouble *) p = g_rand_double_range (r, -1e6, 1e6); break;
    case CAUDAL_FIELD_BOOL: *(gboolean *) p = g_rand_boolean (r); break;
    case CAUDAL_FIELD_UUID:
      for (guint i = 0; i < 16; i++)
        ((CaudalUuid *) p)->bytes[i] = (guint8) g_rand_int (r);
      break;
    case CAUDAL_FIELD_STRING:
      if (may_be_null && g_rand_int_range (r, 0, 4) == 0)
        *(char **) p = NULL;
      else
        {
          gint len = g_rand_int_range (r, 0, 12);
          char *s = caudal_arena_alloc (fl->arena, len + 1);
          for (gint i = 0; i < len; i++)
            s[i] = (char) g_rand_int_range (r, 0x20, 0x7f);
          *(char **) p = s;
        }
      break;
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS:
      if (may_be_null && g_rand_int_range (r, 0, 4) == 0)
        *(CaudalBytes *) p = CAUDAL_BYTES_NULL;
      else
        {
          gint len = g_rand_int_range (r, 0, 20);
          guint8 *d = caudal_arena_alloc (fl->arena, len + 1);
          for (gint i = 0; i < len; i++)
            d[i] = (guint8) g_rand_int (r);
          *(CaudalBytes *) p = (CaudalBytes) { d, len };
        }
      break;
    case CAUDAL_FIELD_STRUCT:
      fill_struct (fl, f->child, version, p, depth + 1);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
fill_struct (Filler                 *fl,
             const CaudalStructDesc *desc,
             gint16                  version,
             gpointer                msg,
             guint                   depth)
{
  caudal_message_init (desc, msg);
  for (guint i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];
      guint8 *base = msg;

      if (!present (f, version))
        continue;
      /* Leave some tagged fields at their default: both paths matter. */
      if (f->tag >= 0 && g_rand_boolean (fl->rand))
        continue;
      if (f->is_array)
        {
          gint32 n;
          guint8 *items;

          if (nullable (f, version) && g_rand_int_range (fl->rand, 0, 4) == 0)
            {
              *(gint32 *) (base + f->offset) = -1;
              continue;
            }
          n = g_rand_int_range (fl->rand, 0, depth < 3 ? 3 : 1);
          items = caudal_arena_alloc (fl->arena, MAX (n, 1) * elem_size (f));
          for (gint32 j = 0; j < n; j++)
            fill_value (fl, f, version, FALSE, items + j * elem_size (f), depth);
          *(gint32 *) (base + f->offset) = n;
          *(gpointer *) (base + f->items_offset) = items;
          continue;
        }
      fill_value (fl, f, version, nullable (f, version), base + f->offset, depth);
    }
}

static void
check_one (const CaudalApiDesc    *api,
           const CaudalStructDesc *desc,
           gint16                  version,
           guint32                 seed)
{
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Filler fl = { rand, arena };
  gboolean flexible = caudal_api_is_flexible (api, version);
  gpointer msg = caudal_arena_alloc (arena, desc->size);
  gpointer back = caudal_arena_alloc (arena, desc->size);
  g_auto(CaudalWriter) w1 = { NULL };
  g_auto(CaudalWriter) w2 = { NULL };
  g_autoptr(GString) dump1 = g_string_new (NULL);
  g_autoptr(GString) dump2 = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  CaudalReader r;

  fill_struct (&fl, desc, version, msg, 0);
  caudal_writer_init (&w1);
  caudal_message_encode (desc, version, flexible, msg, &w1);

  caudal_reader_init (&r, w1.buf->data, w1.buf->len);
  if (!caudal_message_decode (desc, version, flexible, &r, arena, back, &error))
    g_error ("%s v%d seed %u: %s", desc->name, version, seed, error->message);
  g_assert_cmpuint (r.pos, ==, w1.buf->len);

  caudal_message_dump (desc, version, msg, NULL, dump1);
  caudal_message_dump (desc, version, back, NULL, dump2);
  g_assert_cmpstr (dump1->str, ==, dump2->str);

  caudal_writer_init (&w2);
  caudal_message_encode (desc, version, flexible, back, &w2);
  g_assert_cmpmem (w1.buf->data, w1.buf->len, w2.buf->data, w2.buf->len);

  /* Every strict prefix is an incomplete message: a clean error. The bytes
   * are copied so that ASan sees a read past the prefix. */
  for (guint cut = 0; cut < w1.buf->len; cut++)
    {
      g_autofree guint8 *prefix = g_memdup2 (w1.buf->data, cut);
      g_autoptr(CaudalArena) scratch = caudal_arena_new (0);
      g_autoptr(GError) prefix_error = NULL;
      gpointer out = caudal_arena_alloc (scratch, desc->size);

      caudal_reader_init (&r, prefix, cut);
      if (caudal_message_decode (desc, version, flexible, &r, scratch, out, &prefix_error))
        {
          /* A shorter message can only parse if it stops early, never
           * past its end. */
          g_assert_cmpuint (r.pos, <=, cut);
        }
      else
        g_assert_error (prefix_error, CAUDAL_WIRE_ERROR, prefix_error->code);
    }
}

static void
test_all_apis (void)
{
  guint n_apis;
  const CaudalApiDesc *apis = caudal_api_get_all (&n_apis);
  guint checked = 0;

  g_assert_cmpuint (n_apis, >, 0);
  for (guint i = 0; i < n_apis; i++)
    for (gint16 v = apis[i].min_version; v <= apis[i].max_version; v++)
      for (guint32 seed = 1; seed <= 8; seed++)
        {
          check_one (&apis[i], apis[i].request, v, seed * 7919 + v);
          check_one (&apis[i], apis[i].response, v, seed * 104729 + v);
          checked += 2;
        }
  g_test_message ("%u messages round-tripped", checked);
}

/* Whole frames: size prefix, header (with the ApiVersions exception), body. */
static void
test_frames (void)
{
  guint n_apis;
  const CaudalApiDesc *apis = caudal_api_get_all (&n_apis);

  for (guint i = 0; i < n_apis; i++)
    for (gint16 v = apis[i].min_version; v <= apis[i].max_version; v++)
      {
        const CaudalApiDesc *api = &apis[i];
        g_autoptr(CaudalArena) arena = caudal_arena_new (0);
        g_autoptr(GRand) rand = g_rand_new_with_seed (v + 1);
        Filler fl = { rand, arena };
        gpointer body = caudal_arena_alloc (arena, api->request->size);
        gpointer resp = caudal_arena_alloc (arena, api->response->size);
        gpointer resp_back = caudal_arena_alloc (arena, api->response->size);
        g_auto(CaudalWriter) w = { NULL };
        g_autoptr(GError) error = NULL;
        CaudalRequest req;
        gint32 corr = 0;
        guint32 size;

        fill_struct (&fl, api->request, v, body, 0);
        caudal_writer_init (&w);
        caudal_request_encode (&w, api, v, 0x01020304, "caudal-test", body);
        size = (guint32) w.buf->data[0] << 24 | w.buf->data[1] << 16 | w.buf->data[2] << 8 | w.buf->data[3];
        g_assert_cmpuint (size, ==, w.buf->len - 4);
        g_assert_true (caudal_request_decode (w.buf->data + 4, w.buf->len - 4, arena, &req, &error));
        g_assert_no_error (error);
        g_assert_cmpint (req.header.request_api_key, ==, api->key);
        g_assert_cmpint (req.header.request_api_version, ==, v);
        g_assert_cmpint (req.header.correlation_id, ==, 0x01020304);
        g_assert_cmpstr (req.header.client_id, ==, "caudal-test");

        fill_struct (&fl, api->response, v, resp, 0);
        g_byte_array_set_size (w.buf, 0);
        caudal_response_encode (&w, api, v, 77, resp);
        g_assert_true (caudal_response_decode (w.buf->data + 4, w.buf->len - 4, api, v, arena,
                                               &corr, resp_back, &error));
        g_assert_no_error (error);
        g_assert_cmpint (corr, ==, 77);
        /* ApiVersions: header v0 (no tag byte) even when the body is flexible. */
        if (api->key == 18 && caudal_api_is_flexible (api, v))
          g_assert_cmpint (caudal_response_header_version (api->key, v), ==, 0);
      }
}

/* Kafka ignores bytes after a body (librdkafka 2.0 sends some); only an
 * ApiVersions response with bytes left over is refused (the KIP-511
 * fallback relies on it). */
static void
test_trailing_bytes (void)
{
  const CaudalApiDesc *api = caudal_api_lookup (CAUDAL_API_KEY_LIST_GROUPS);
  CaudalListGroupsRequest lg;
  CaudalListGroupsResponse resp;
  g_auto(CaudalWriter) w = { 0 };
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  g_autoptr(GError) error = NULL;
  CaudalRequest req;
  gint32 corr = 0;

  caudal_message_init (api->request, &lg);
  caudal_writer_init (&w);
  caudal_request_encode (&w, api, 4, 42, "t", &lg);
  caudal_write_int8 (&w, 0);   /* the extra tag byte librdkafka 2.0 writes */
  g_assert_true (caudal_request_decode (w.buf->data + 4, w.buf->len - 4, arena, &req, &error));
  g_assert_no_error (error);
  g_assert_cmpint (req.header.correlation_id, ==, 42);

  caudal_message_init (api->response, &resp);
  caudal_writer_clear (&w);
  caudal_writer_init (&w);
  caudal_response_encode (&w, api, 4, 43, &resp);
  caudal_write_int8 (&w, 0);
  g_assert_true (caudal_response_decode (w.buf->data + 4, w.buf->len - 4, api, 4, arena, &corr,
                                         caudal_arena_alloc (arena, api->response->size), &error));
  g_assert_no_error (error);
  g_assert_cmpint (corr, ==, 43);

  {
    const CaudalApiDesc *av = caudal_api_lookup (CAUDAL_API_KEY_API_VERSIONS);
    CaudalApiVersionsResponse avr;

    caudal_message_init (av->response, &avr);
    caudal_writer_clear (&w);
    caudal_writer_init (&w);
    caudal_response_encode (&w, av, 3, 44, &avr);
    caudal_write_int8 (&w, 0);
    g_assert_false (caudal_response_decode (w.buf->data + 4, w.buf->len - 4, av, 3, arena, &corr,
                                            caudal_arena_alloc (arena, av->response->size), &error));
    g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  }
}

static void
test_unknown_and_unsupported (void)
{
  /* key 99 (unknown), v0, correlation 5, client id null */
  static const guint8 unknown[] = { 0, 99, 0, 0, 0, 0, 0, 5, 0xff, 0xff };
  /* ApiVersions v9: too new; the header must still be read (KIP-511). */
  static const guint8 too_new[] = { 0, 18, 0, 9, 0, 0, 0, 6, 0, 1, 'x', 0 };
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  g_autoptr(GError) error = NULL;
  CaudalRequest req;

  g_assert_false (caudal_request_decode (unknown, sizeof unknown, arena, &req, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNKNOWN_API);
  g_assert_cmpint (req.header.correlation_id, ==, 5);
  g_clear_error (&error);

  g_assert_false (caudal_request_decode (too_new, sizeof too_new, arena, &req, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION);
  g_assert_cmpint (req.header.correlation_id, ==, 6);
  g_assert_cmpstr (req.header.client_id, ==, "x");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/roundtrip/trailing-bytes", test_trailing_bytes);
  g_test_add_func ("/wire/roundtrip/all-apis", test_all_apis);
  g_test_add_func ("/wire/roundtrip/frames", test_frames);
  g_test_add_func ("/wire/roundtrip/unknown-and-unsupported", test_unknown_and_unsupported);
  return g_test_run ();
}
