/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Real-client bytes: every frame that kcat (librdkafka), kafka-python and
 * kafkajs sent to a third-party broker, and every answer they got, captured
 * by tests/wire/capture/ into tests/wire/data/. Each request must decode
 * using all its bytes and re-encode to the same bytes; each response
 * likewise at the version of its request; the record batches inside Produce
 * requests must pass CRC-32C, decompress and yield exactly the records the
 * capture script produced (tests/wire/data/MANIFEST). */
#include "caudal-header.h"
#include "caudal-record-batch.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DECOMPRESSED (64 * 1024 * 1024)

static char *data_dir;

typedef struct
{
  char   *name;      /* file name */
  char   *path;
  gint16  version;   /* from the name: …-vN-req.bin */
  gboolean request;
  char   *api_slug;  /* from the name: produce, api-versions… */
} Fixture;

static void
fixture_free (gpointer p)
{
  Fixture *f = p;
  g_free (f->name);
  g_free (f->path);
  g_free (f->api_slug);
  g_free (f);
}

/* CLIENT-SEQ-API-vVER-(req|resp).bin */
static Fixture *
parse_name (const char *name)
{
  g_autoptr(GRegex) re = g_regex_new ("^[a-z0-9]+-[0-9]+-([a-z-]+)-v([0-9]+)-(req|resp)\\.bin$",
                                      0, 0, NULL);
  g_autoptr(GMatchInfo) m = NULL;
  Fixture *f;

  if (!g_regex_match (re, name, 0, &m))
    return NULL;
  f = g_new0 (Fixture, 1);
  f->name = g_strdup (name);
  f->path = g_build_filename (data_dir, name, NULL);
  f->api_slug = g_match_info_fetch (m, 1);
  {
    g_autofree char *v = g_match_info_fetch (m, 2);
    g_autofree char *dir = g_match_info_fetch (m, 3);
    f->version = (gint16) atoi (v);
    f->request = g_str_equal (dir, "req");
  }
  return f;
}

/* "api-versions" → "ApiVersions", matched against the API table. */
static const CaudalApiDesc *
api_from_slug (const char *slug)
{
  g_auto(GStrv) parts = g_strsplit (slug, "-", -1);
  g_autoptr(GString) name = g_string_new (NULL);

  for (guint i = 0; parts[i]; i++)
    {
      g_string_append_c (name, g_ascii_toupper (parts[i][0]));
      g_string_append (name, parts[i] + 1);
    }
  return caudal_api_lookup_name (name->str);
}


/* ---- MANIFEST facts ---- */

static GHashTable *manifest;   /* file name → GStrv of NAME=VALUE facts */

static void
load_manifest (void)
{
  g_autofree char *path = g_build_filename (data_dir, "MANIFEST", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  manifest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) words = NULL;
      GStrvBuilder *facts;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      words = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (words), >=, 5);
      facts = g_strv_builder_new ();
      for (guint j = 5; words[j]; j++)
        g_strv_builder_add (facts, words[j]);
      g_hash_table_insert (manifest, g_strdup (words[0]), g_strv_builder_end (facts));
      g_strv_builder_unref (facts);
    }
}

/* %XX-unescapes a MANIFEST value; "!" is null. */
static char *
unescape (const char *v)
{
  if (g_str_equal (v, "!"))
    return NULL;
  return g_uri_unescape_string (v, NULL);
}

/* The decoded message as path → value, from the dump. */
static GHashTable *
dump_map (const CaudalStructDesc *desc,
          gint16                  version,
          gconstpointer           msg,
          GPtrArray             **order)
{
  g_autoptr(GString) dump = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  *order = g_ptr_array_new_with_free_func (g_free);
  caudal_message_dump (desc, version, msg, NULL, dump);
  lines = g_strsplit (dump->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *eq = strstr (lines[i], " = ");
      if (eq == NULL)
        continue;
      *eq = '\0';
      g_hash_table_insert (map, g_strdup (lines[i]), g_strdup (eq + 3));
      g_ptr_array_add (*order, g_strdup (lines[i]));
    }
  return map;
}

static char *
quoted (const char *s)
{
  return s ? g_strdup_printf ("\"%s\"", s) : g_strdup ("null");
}

static const char *
last_segment (const char *path)
{
  const char *dot = strrchr (path, '.');
  return dot ? dot + 1 : path;
}

/* Topic names in body order, without repeats: string fields called name,
 * topic or topic_name inside an array whose path speaks of topics. */
static char *
collect_topics (GHashTable *map,
                GPtrArray  *order)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  for (guint i = 0; i < order->len; i++)
    {
      const char *path = order->pdata[i];
      const char *leaf = last_segment (path);
      const char *value = g_hash_table_lookup (map, path);

      if (!(g_str_equal (leaf, "name") || g_str_equal (leaf, "topic") || g_str_equal (leaf, "topic_name")))
        continue;
      if (strstr (path, "topic") == NULL && strstr (path, "responses[") == NULL)
        continue;
      if (value[0] != '"')
        continue;
      if (!g_ptr_array_find_with_equal_func (seen, value, g_str_equal, NULL))
        g_ptr_array_add (seen, (gpointer) value);
    }
  {
    g_autoptr(GString) out = g_string_new (NULL);
    for (guint i = 0; i < seen->len; i++)
      {
        const char *v = seen->pdata[i];
        if (i)
          g_string_append_c (out, ',');
        g_string_append_len (out, v + 1, strlen (v) - 2);
      }
    return g_string_free (g_steal_pointer (&out), FALSE);
  }
}

static const char *
lookup_sibling (GHashTable  *map,
                const char  *prefix,
                const char **names)
{
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%s", prefix, names[i]);
      const char *v = g_hash_table_lookup (map, path);
      if (v)
        return v;
    }
  return NULL;
}

static GByteArray *
parse_hex_value (const char *v)
{
  GByteArray *a = g_byte_array_new ();

  g_assert_true (g_str_has_prefix (v, "0x"));
  for (const char *p = v + 2; p[0] && p[1]; p += 2)
    {
      guint8 b = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (a, &b, 1);
    }
  return a;
}

static const char *codec_names[] = { "none", "gzip", "snappy", "lz4", "zstd" };

/* Renders the batches of every records field as the MANIFEST's batch= and
 * record= facts, so both can be compared as strings. */
static void
render_batches (const char *name,
                GHashTable *map,
                GPtrArray  *order,
                GString    *out)
{
  static const char *topic_names[] = { "name", "topic", "topic_name", NULL };
  static const char *partition_names[] = { "index", "partition_index", "partition", NULL };

  for (guint i = 0; i < order->len; i++)
    {
      const char *path = order->pdata[i];
      const char *value = g_hash_table_lookup (map, path);
      g_autoptr(GByteArray) blob = NULL;
      g_autofree char *partition_path = NULL;
      g_autofree char *topic_path = NULL;
      const char *topic, *partition;
      CaudalRecordBatchIter batches;
      CaudalRecordBatchHeader h;
      g_autoptr(GError) error = NULL;
      char *cut;

      if (!g_str_equal (last_segment (path), "records") || !g_str_has_prefix (value, "0x") ||
          strlen (value) == 2)
        continue;
      blob = parse_hex_value (value);
      partition_path = g_strndup (path, strlen (path) - strlen (".records"));
      topic_path = g_strdup (partition_path);
      cut = strrchr (topic_path, '.');
      g_assert_nonnull (cut);
      *cut = '\0';
      topic = lookup_sibling (map, topic_path, topic_names);
      partition = lookup_sibling (map, partition_path, partition_names);
      g_assert_nonnull (topic);
      g_assert_nonnull (partition);

      caudal_record_batch_iter_init (&batches, blob->data, blob->len);
      while (caudal_record_batch_iter_next (&batches, &h, &error))
        {
          g_auto(CaudalRecordIter) records = { 0 };
          CaudalRecord r;
          CaudalCompression codec = caudal_record_batch_header_get_compression (&h);

          if (!caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_DECOMPRESS,
                                             MAX_DECOMPRESSED, &error))
            {
              g_test_fail_printf ("%s: %s: %s", name, path, error->message);
              return;
            }
          g_string_append_printf (out, " batch=%.*s/%s/%s/%d", (int) strlen (topic) - 2, topic + 1,
                                  partition, codec < G_N_ELEMENTS (codec_names) ? codec_names[codec] : "?",
                                  h.records_count);
          g_assert_true (caudal_record_iter_init (&records, &h, MAX_DECOMPRESSED, &error));
          while (caudal_record_iter_next (&records, &r, &error))
            {
              CaudalRecordHeaderIter hi;
              CaudalRecordHeader rh;

              g_string_append (out, " record=");
              if (r.key.len < 0)
                g_string_append (out, "!");
              else
                g_string_append_len (out, (const char *) r.key.data, r.key.len);
              g_string_append_c (out, ',');
              if (r.value.len < 0)
                g_string_append (out, "!");
              else
                g_string_append_len (out, (const char *) r.value.data, r.value.len);
              caudal_record_header_iter_init (&hi, &r);
              while (caudal_record_header_iter_next (&hi, &rh, &error))
                {
                  g_string_append_c (out, ',');
                  g_string_append_len (out, (const char *) rh.key.data, rh.key.len);
                  g_string_append_c (out, ':');
                  if (rh.value.len < 0)
                    g_string_append (out, "!");
                  else
                    g_string_append_len (out, (const char *) rh.value.data, rh.value.len);
                }
              g_assert_no_error (error);
            }
          g_assert_no_error (error);
        }
      g_assert_no_error (error);
    }
}

/* Renders the MANIFEST's batch= and record= facts unescaped, in order. */
static void
render_manifest_batches (GStrv    facts,
                         GString *out)
{
  for (guint i = 0; facts[i]; i++)
    {
      if (g_str_has_prefix (facts[i], "batch="))
        {
          g_autofree char *v = unescape (facts[i] + 6);
          g_string_append_printf (out, " batch=%s", v);
        }
      else if (g_str_has_prefix (facts[i], "record="))
        {
          g_auto(GStrv) parts = g_strsplit (facts[i] + 7, ",", -1);
          g_string_append (out, " record=");
          for (guint j = 0; parts[j]; j++)
            {
              if (j)
                g_string_append_c (out, ',');
              if (j >= 2)
                {
                  g_auto(GStrv) kv = g_strsplit (parts[j], ":", 2);
                  g_autofree char *k = unescape (kv[0]);
                  g_autofree char *hv = kv[1] ? unescape (kv[1]) : NULL;
                  g_string_append_printf (out, "%s:%s", k, hv ? hv : "!");
                }
              else
                {
                  g_autofree char *u = unescape (parts[j]);
                  g_string_append (out, u ? u : "!");
                }
            }
        }
    }
}

static void
expect_value (const char *name,
              GHashTable *map,
              const char *path,
              const char *want)
{
  const char *got = g_hash_table_lookup (map, path);
  if (g_strcmp0 (got, want) != 0)
    g_test_fail_printf ("%s: %s is %s, the MANIFEST says %s", name, path, got ? got : "(absent)", want);
}

/* Checks the facts the capture recorded against the decoded message. */
static void
check_facts (const char             *name,
             const CaudalStructDesc *desc,
             gint16                  version,
             gconstpointer           msg)
{
  GStrv facts = g_hash_table_lookup (manifest, name);
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_autoptr(GString) got_batches = g_string_new (NULL);
  g_autoptr(GString) want_batches = g_string_new (NULL);
  guint checked = 0;

  if (facts == NULL)
    {
      g_test_fail_printf ("%s: not in the MANIFEST", name);
      return;
    }
  map = dump_map (desc, version, msg, &order);
  for (guint i = 0; facts[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (facts[i], "=", 2);
      g_autofree char *v = kv[1] ? unescape (kv[1]) : NULL;
      g_autofree char *q = quoted (v);

      if (g_str_equal (kv[0], "topics"))
        {
          g_autofree char *topics = collect_topics (map, order);
          if (v != NULL && g_strcmp0 (topics, v) != 0)
            g_test_fail_printf ("%s: topics %s, the MANIFEST says %s", name, topics, v);
        }
      else if (g_str_equal (kv[0], "acks"))
        expect_value (name, map, "acks", v);
      else if (g_str_equal (kv[0], "error_code"))
        expect_value (name, map, "error_code", v);
      else if (g_str_equal (kv[0], "api_keys") || g_str_equal (kv[0], "brokers") ||
               g_str_equal (kv[0], "members"))
        {
          g_autofree char *n = g_strdup_printf ("[%s]", v);
          expect_value (name, map, kv[0], n);
        }
      else if (g_str_equal (kv[0], "protocol_type") || g_str_equal (kv[0], "protocol_name"))
        expect_value (name, map, kv[0], q);
      else if (g_str_equal (kv[0], "group"))
        {
          if (g_hash_table_contains (map, "group_id"))
            expect_value (name, map, "group_id", q);
          else if (g_hash_table_contains (map, "key"))
            expect_value (name, map, "key", q);
          else
            expect_value (name, map, "coordinator_keys[0]", q);
        }
      else if (g_str_equal (kv[0], "software"))
        {
          g_auto(GStrv) nv = g_strsplit (v, "/", 2);
          g_autofree char *n = quoted (nv[0]);
          g_autofree char *ver = quoted (nv[1]);
          expect_value (name, map, "client_software_name", n);
          expect_value (name, map, "client_software_version", ver);
        }
      else
        continue;
      checked++;
    }

  render_batches (name, map, order, got_batches);
  render_manifest_batches (facts, want_batches);
  g_assert_cmpstr (got_batches->str, ==, want_batches->str);
  g_test_message ("%s: %u facts and %" G_GSIZE_FORMAT " bytes of batches checked", name, checked,
                  want_batches->len);
}

static gboolean
has_fact (const char *name,
          const char *fact)
{
  GStrv facts = g_hash_table_lookup (manifest, name);
  return facts != NULL && g_strv_contains ((const char *const *) facts, fact);
}

static void
assert_reencodes (const char             *name,
                  const CaudalApiDesc    *api,
                  const CaudalStructDesc *desc,
                  gint16                  version,
                  gconstpointer           msg,
                  const guint8           *body,
                  gsize                   body_len)
{
  g_auto(CaudalWriter) w = { NULL };

  caudal_writer_init (&w);
  caudal_message_encode (desc, version, caudal_api_is_flexible (api, version), msg, &w);
  if (w.buf->len != body_len || memcmp (w.buf->data, body, body_len) != 0)
    g_test_fail_printf ("%s: re-encoding gives %u bytes that differ from the %" G_GSIZE_FORMAT
                        " captured", name, w.buf->len, body_len);
}

static void
test_request (gconstpointer data)
{
  const Fixture *f = data;
  g_autofree char *bytes = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  CaudalRequest req;
  CaudalReader r;
  CaudalRequestHeader h;
  const CaudalApiDesc *api;

  g_assert_true (g_file_get_contents (f->path, &bytes, &len, &error));
  api = api_from_slug (f->api_slug);
  if (api == NULL)
    {
      g_test_skip_printf ("%s: API not described", f->name);
      return;
    }
  if (!caudal_request_decode ((const guint8 *) bytes, len, arena, &req, &error))
    {
      g_test_fail_printf ("%s: %s", f->name, error->message);
      return;
    }
  g_assert_cmpint (req.header.request_api_version, ==, f->version);
  g_assert_true (req.api == api);

  /* Re-read the header alone to find where the body starts. */
  caudal_reader_init (&r, (const guint8 *) bytes, len);
  g_assert_true (caudal_request_header_decode (&r, arena, &h, &error));
  {
    CaudalReader body;
    gpointer again = caudal_arena_alloc (arena, api->request->size);

    caudal_reader_init (&body, (const guint8 *) bytes + r.pos, len - r.pos);
    g_assert_true (caudal_message_decode (api->request, f->version,
                                          caudal_api_is_flexible (api, f->version),
                                          &body, arena, again, &error));
    if (body.pos != body.len)
      g_test_fail_printf ("%s: %" G_GSIZE_FORMAT " bytes left after the body", f->name,
                          body.len - body.pos);
  }
  assert_reencodes (f->name, api, api->request, f->version, req.body,
                    (const guint8 *) bytes + r.pos, len - r.pos);

  {
    g_autofree char *client = g_strdup_printf ("client_id=%s", req.header.client_id);
    g_autofree char *corr = g_strdup_printf ("correlation_id=%d", req.header.correlation_id);
    g_autofree char *escaped = g_uri_escape_string (req.header.client_id ? req.header.client_id : "", NULL, FALSE);
    g_autofree char *client_escaped = g_strdup_printf ("client_id=%s", escaped);

    if (!has_fact (f->name, client) && !has_fact (f->name, client_escaped))
      g_test_fail_printf ("%s: client id %s is not the MANIFEST's", f->name, req.header.client_id);
    if (!has_fact (f->name, corr))
      g_test_fail_printf ("%s: correlation id %d is not the MANIFEST's", f->name, req.header.correlation_id);
  }
  check_facts (f->name, api->request, f->version, req.body);
}

static void
test_response (gconstpointer data)
{
  const Fixture *f = data;
  g_autofree char *bytes = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  const CaudalApiDesc *api = api_from_slug (f->api_slug);
  gint16 version = f->version;
  CaudalReader r;
  gint32 corr;
  gpointer msg;

  if (api == NULL)
    {
      g_test_skip_printf ("%s: API not described", f->name);
      return;
    }
  g_assert_true (g_file_get_contents (f->path, &bytes, &len, &error));
  msg = caudal_arena_alloc (arena, api->response->size);

  caudal_reader_init (&r, (const guint8 *) bytes, len);
  g_assert_true (caudal_response_header_decode (&r, caudal_response_header_version (api->key, version),
                                                &corr, &error));
  {
    CaudalReader body = r;
    body.api_key = api->key;
    body.api_version = version;
    if (!caudal_message_decode (api->response, version, caudal_api_is_flexible (api, version),
                                &body, arena, msg, &error) ||
        body.pos != body.len)
      {
        /* KIP-511: a broker answers an ApiVersions version it does not
         * support with a v0 body carrying UNSUPPORTED_VERSION (35); clients
         * re-read it as v0. */
        if (api->key == CAUDAL_API_KEY_API_VERSIONS)
          {
            CaudalApiVersionsResponse *av = msg;

            g_clear_error (&error);
            version = 0;
            body = r;
            g_assert_true (caudal_message_decode (api->response, 0, FALSE, &body, arena, msg, &error));
            g_assert_cmpint (av->error_code, ==, 35);
          }
        else
          {
            g_test_fail_printf ("%s: %s", f->name,
                                error ? error->message : "bytes left after the body");
            return;
          }
      }
    g_assert_cmpuint (body.pos, ==, body.len);
    assert_reencodes (f->name, api, api->response, version, msg, r.data + r.pos, len - r.pos);
  }
  {
    g_autofree char *fact = g_strdup_printf ("correlation_id=%d", corr);
    if (!has_fact (f->name, fact))
      g_test_fail_printf ("%s: correlation id %d is not the MANIFEST's", f->name, corr);
  }
  check_facts (f->name, api->response, version, msg);
}

/* The mock cluster's answer to ApiVersions v3 is malformed (see the
 * MANIFEST, layout=mock-quirk): it must fail cleanly at its version. */
static void
test_malformed (gconstpointer data)
{
  const char *path = data;
  g_autofree char *bytes = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  const CaudalApiDesc *api = caudal_api_lookup (CAUDAL_API_KEY_API_VERSIONS);
  gpointer msg = caudal_arena_alloc (arena, api->response->size);
  gint32 corr;
  gboolean ok;

  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
  ok = caudal_response_decode ((const guint8 *) bytes, len, api, 3, arena, &corr, msg, &error);
  g_assert_false (ok);
  g_assert_error (error, CAUDAL_WIRE_ERROR, error->code);
}

/* Each real client must have left the frames this test is about. */
static void
test_coverage (gconstpointer data)
{
  const GPtrArray *fixtures = data;
  static const char *clients[] = { "kcat", "kpy", "kjs" };
  static const char *apis[] = { "api-versions", "metadata", "produce", "fetch", "list-offsets",
                                "find-coordinator", "join-group", "sync-group", "heartbeat",
                                "offset-commit", "offset-fetch", "leave-group" };

  for (guint c = 0; c < G_N_ELEMENTS (clients); c++)
    for (guint a = 0; a < G_N_ELEMENTS (apis); a++)
      {
        gboolean found = FALSE;
        for (guint i = 0; i < fixtures->len && !found; i++)
          {
            const Fixture *f = fixtures->pdata[i];
            found = f->request && g_str_has_prefix (f->name, clients[c]) &&
                    g_str_equal (f->api_slug, apis[a]);
          }
        if (!found)
          g_test_fail_printf ("no %s request from %s", apis[a], clients[c]);
      }
}

static GPtrArray *
load_fixtures (void)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (fixture_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (data_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)))
    {
      Fixture *f = parse_name (name);
      if (f)
        g_ptr_array_add (all, f);
    }
  return all;
}

static int
compare_fixtures (gconstpointer a,
                  gconstpointer b)
{
  return strcmp ((*(Fixture *const *) a)->name, (*(Fixture *const *) b)->name);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) fixtures = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  data_dir = g_test_build_filename (G_TEST_DIST, "wire", "data", NULL);
  fixtures = load_fixtures ();
  load_manifest ();
  g_assert_cmpuint (fixtures->len, >, 0);
  g_ptr_array_sort (fixtures, compare_fixtures);
  for (guint i = 0; i < fixtures->len; i++)
    {
      const Fixture *f = fixtures->pdata[i];
      g_autofree char *path = g_strdup_printf ("/wire/fixtures/%s", f->name);
      g_test_add_data_func (path, f, f->request ? test_request : test_response);
    }
  g_test_add_data_func ("/wire/fixtures/coverage", fixtures, test_coverage);
  {
    g_autoptr(GDir) dir = g_dir_open (data_dir, 0, NULL);
    const char *name;
    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)))
      if (g_str_has_suffix (name, "-malformed.bin"))
        {
          g_autofree char *path = g_strdup_printf ("/wire/fixtures/%s", name);
          g_test_add_data_func_full (path, g_build_filename (data_dir, name, NULL), test_malformed, g_free);
        }
  }
  ret = g_test_run ();
  g_free (data_dir);
  g_hash_table_unref (manifest);
  return ret;
}
