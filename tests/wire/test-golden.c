/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the hand-written golden vectors of tests/wire/golden/ (*.golden files)
 * (format: docs/wire-schema.md): every vector must decode using all its
 * bytes, dump exactly the asserted values, and encode back to the same
 * bytes. A coverage test requires vectors at each API's lowest,
 * first-flexible and highest version in both directions. */
#include "caudal-header.h"

#include <string.h>

typedef enum
{
  VECTOR_REQUEST,
  VECTOR_RESPONSE,
  VECTOR_REQUEST_HEADER,
  VECTOR_RESPONSE_HEADER,
} VectorKind;

typedef struct
{
  char       *where;      /* file:line */
  VectorKind  kind;
  char       *api_name;
  gint16      version;
  GByteArray *bytes;
  GPtrArray  *assertions; /* char *, "path = value" */
} Vector;

static GPtrArray *all_vectors;

static void
vector_free (gpointer data)
{
  Vector *v = data;
  g_free (v->where);
  g_free (v->api_name);
  g_byte_array_unref (v->bytes);
  g_ptr_array_unref (v->assertions);
  g_free (v);
}

static gboolean
parse_hex (const char *text,
           GByteArray *out)
{
  gint hi = -1;

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isxdigit (*p))
        return FALSE;
      if (hi < 0)
        hi = g_ascii_xdigit_value (*p);
      else
        {
          guint8 b = (guint8) (hi << 4 | g_ascii_xdigit_value (*p));
          g_byte_array_append (out, &b, 1);
          hi = -1;
        }
    }
  return hi < 0;
}

static void
load_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *base = g_path_get_basename (path);
  Vector *v = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *bar;

      if (*line == '\0' || *line == '#')
        continue;
      if (g_str_has_prefix (line, "vector "))
        {
          g_auto(GStrv) w = g_strsplit_set (line, " \t", -1);
          GPtrArray *words = g_ptr_array_new ();

          if (v != NULL)
            g_error ("%s:%u: vector inside a vector", base, i + 1);
          for (guint j = 0; w[j]; j++)
            if (*w[j])
              g_ptr_array_add (words, w[j]);
          v = g_new0 (Vector, 1);
          v->where = g_strdup_printf ("%s:%u", base, i + 1);
          v->bytes = g_byte_array_new ();
          v->assertions = g_ptr_array_new_with_free_func (g_free);
          if (words->len == 4 && g_str_equal (words->pdata[1], "request"))
            v->kind = VECTOR_REQUEST;
          else if (words->len == 4 && g_str_equal (words->pdata[1], "response"))
            v->kind = VECTOR_RESPONSE;
          else if (words->len == 3 && g_str_equal (words->pdata[1], "request-header"))
            v->kind = VECTOR_REQUEST_HEADER;
          else if (words->len == 3 && g_str_equal (words->pdata[1], "response-header"))
            v->kind = VECTOR_RESPONSE_HEADER;
          else
            g_error ("%s: bad vector line '%s'", v->where, line);
          if (words->len == 4)
            v->api_name = g_strdup (words->pdata[2]);
          v->version = (gint16) g_ascii_strtoll (words->pdata[words->len - 1], NULL, 10);
          g_ptr_array_unref (words);
          continue;
        }
      if (g_str_equal (line, "end"))
        {
          if (v == NULL)
            g_error ("%s:%u: 'end' without 'vector'", base, i + 1);
          g_ptr_array_add (all_vectors, v);
          v = NULL;
          continue;
        }
      if (v == NULL)
        g_error ("%s:%u: text outside a vector: '%s'", base, i + 1, line);

      bar = strchr (line, '|');
      if (bar)
        {
          char *note = g_strstrip (bar + 1);
          *bar = '\0';
          if (*note != '(' && strstr (note, " = ") != NULL)
            g_ptr_array_add (v->assertions, g_strdup (note));
        }
      if (!parse_hex (line, v->bytes))
        g_error ("%s:%u: bad hex '%s'", base, i + 1, line);
    }
  if (v != NULL)
    g_error ("%s: vector %s has no 'end'", base, v->where);
}

static void
load_all (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "wire", "golden", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  all_vectors = g_ptr_array_new_with_free_func (vector_free);
  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".golden"))
      g_ptr_array_add (names, g_build_filename (dir_path, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    load_file (names->pdata[i]);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Compares the decoder's dump with the vector's assertions as sets. */
static void
assert_dump_matches (const Vector *v,
                     const char   *dump)
{
  g_auto(GStrv) got = g_strsplit (dump, "\n", -1);
  g_autoptr(GPtrArray) got_lines = g_ptr_array_new ();
  g_autoptr(GPtrArray) want = g_ptr_array_new ();
  g_autoptr(GString) report = g_string_new (NULL);
  guint i = 0, j = 0;

  for (guint k = 0; got[k]; k++)
    if (*got[k])
      g_ptr_array_add (got_lines, got[k]);
  for (guint k = 0; k < v->assertions->len; k++)
    g_ptr_array_add (want, v->assertions->pdata[k]);
  g_ptr_array_sort (got_lines, compare_lines);
  g_ptr_array_sort (want, compare_lines);

  while (i < got_lines->len || j < want->len)
    {
      int c;
      if (i == got_lines->len)
        c = 1;
      else if (j == want->len)
        c = -1;
      else
        c = strcmp (got_lines->pdata[i], want->pdata[j]);
      if (c == 0)
        {
          i++;
          j++;
        }
      else if (c < 0)
        g_string_append_printf (report, "  decoded but not asserted: %s\n", (char *) got_lines->pdata[i++]);
      else
        g_string_append_printf (report, "  asserted but not decoded: %s\n", (char *) want->pdata[j++]);
    }
  if (report->len)
    g_test_fail_printf ("%s: dump differs from the assertions:\n%s", v->where, report->str);
}

static void
test_vector (gconstpointer data)
{
  const Vector *v = data;
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) dump = g_string_new (NULL);
  CaudalReader r;
  g_auto(CaudalWriter) w = { NULL };

  caudal_reader_init (&r, v->bytes->data, v->bytes->len);
  caudal_writer_init (&w);

  if (v->kind == VECTOR_REQUEST_HEADER)
    {
      CaudalRequestHeader h;

      g_assert_true (caudal_request_header_decode_version (&r, v->version, arena, &h, &error));
      g_assert_no_error (error);
      g_string_append_printf (dump, "request_api_key = %d\nrequest_api_version = %d\ncorrelation_id = %d\n",
                              h.request_api_key, h.request_api_version, h.correlation_id);
      if (v->version >= 1)
        {
          if (h.client_id)
            g_string_append_printf (dump, "client_id = \"%s\"\n", h.client_id);
          else
            g_string_append (dump, "client_id = null\n");
        }
      caudal_request_header_encode (&w, v->version, &h);
    }
  else if (v->kind == VECTOR_RESPONSE_HEADER)
    {
      gint32 correlation_id;

      g_assert_true (caudal_response_header_decode (&r, v->version, &correlation_id, &error));
      g_assert_no_error (error);
      g_string_append_printf (dump, "correlation_id = %d\n", correlation_id);
      caudal_response_header_encode (&w, v->version, correlation_id);
    }
  else
    {
      const CaudalApiDesc *api = caudal_api_lookup_name (v->api_name);
      const CaudalStructDesc *desc;
      gpointer msg;
      gboolean flexible;

      if (api == NULL)
        { g_test_fail_printf ("%s: unknown API %s", v->where, v->api_name); return; }
      if (!caudal_api_supports (api, v->version))
        { g_test_fail_printf ("%s: %s v%d is outside %d-%d", v->where, api->name, v->version,
                 api->min_version, api->max_version); return; }
      desc = v->kind == VECTOR_REQUEST ? api->request : api->response;
      flexible = caudal_api_is_flexible (api, v->version);
      msg = caudal_arena_alloc (arena, desc->size);
      r.api_key = api->key;
      r.api_version = v->version;
      if (!caudal_message_decode (desc, v->version, flexible, &r, arena, msg, &error))
        { g_test_fail_printf ("%s: decode failed: %s", v->where, error->message); return; }
      caudal_message_dump (desc, v->version, msg, NULL, dump);
      caudal_message_encode (desc, v->version, flexible, msg, &w);
    }

  if (r.pos != r.len)
    { g_test_fail_printf ("%s: %" G_GSIZE_FORMAT " of %u bytes left after decoding", v->where,
             r.len - r.pos, v->bytes->len); return; }
  assert_dump_matches (v, dump->str);
  if (w.buf->len != v->bytes->len
      || (w.buf->len > 0 && memcmp (w.buf->data, v->bytes->data, w.buf->len) != 0))
    {
      g_autofree char *got = g_strdup ("");
      for (guint i = 0; i < w.buf->len; i++)
        {
          char *next = g_strdup_printf ("%s%02x", got, w.buf->data[i]);
          g_free (got);
          got = next;
        }
      g_test_fail_printf ("%s: re-encoding differs: %s", v->where, got);
    }
}

/* Each API needs a request and a response vector at its lowest version, its
 * first flexible version (when in range) and its highest version. */
static void
test_coverage (void)
{
  guint n_apis;
  const CaudalApiDesc *apis = caudal_api_get_all (&n_apis);
  g_autoptr(GString) missing = g_string_new (NULL);

  for (guint i = 0; i < n_apis; i++)
    {
      const CaudalApiDesc *api = &apis[i];
      gint16 wanted[3] = { api->min_version, api->flexible_from, api->max_version };

      for (guint k = 0; k < 2; k++)
        for (guint j = 0; j < 3; j++)
          {
            gboolean found = FALSE;

            if (!caudal_api_supports (api, wanted[j]) ||
                (j > 0 && wanted[j] == wanted[0]) || (j > 1 && wanted[j] == wanted[1]))
              continue;
            for (guint n = 0; n < all_vectors->len && !found; n++)
              {
                const Vector *v = all_vectors->pdata[n];
                found = v->api_name && g_str_equal (v->api_name, api->name) &&
                        v->version == wanted[j] && v->kind == (k ? VECTOR_RESPONSE : VECTOR_REQUEST);
              }
            if (!found)
              g_string_append_printf (missing, " %s-%s-v%d", api->name,
                                      k ? "response" : "request", wanted[j]);
          }
    }
  if (missing->len)
    { g_test_fail_printf ("golden vectors missing:%s", missing->str); return; }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_all ();
  for (guint i = 0; i < all_vectors->len; i++)
    {
      const Vector *v = all_vectors->pdata[i];
      static const char *kinds[] = { "request", "response", "request-header", "response-header" };
      g_autofree char *path = g_strdup_printf ("/wire/golden/%s/%s/%s-v%d-%u",
                                               v->api_name ? v->api_name : "header",
                                               kinds[v->kind], v->api_name ? "body" : "header",
                                               v->version, i);
      g_test_add_data_func (path, v, test_vector);
    }
  g_test_add_func ("/wire/golden/coverage", test_coverage);
  ret = g_test_run ();
  g_ptr_array_unref (all_vectors);
  return ret;
}
