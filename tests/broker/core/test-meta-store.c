/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-meta-store.c: the local metadata store (meta.properties,
 * topics.metadata) and the text form of UUIDs. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "broker-meta-store.h"
#include "core-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = core_test_make_tmp_dir ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  core_test_rm_rf (f->dir);
  g_free (f->dir);
}

static BrokerMetaStore *
open_store (Fixture *f,
            gint32   node_id)
{
  g_autoptr(GError) error = NULL;
  BrokerMetaStore *store = broker_meta_store_local_new (f->dir, node_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static char *
read_property (const char *path,
               const char *key)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (key, "=", NULL);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

static void
assert_no_tmp_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_suffix (name, ".tmp"));
}

static void
test_cluster_id (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "meta.properties", NULL);
  g_autofree char *cluster_id = NULL;
  g_autofree char *from_file = NULL;
  g_autofree char *node = NULL;
  g_autofree char *version = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  CaudalUuid id;

  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 3);

    cluster_id = store->vtable->dup_cluster_id (store, &error);
    g_assert_no_error (error);
  }
  g_assert_nonnull (cluster_id);
  g_assert_cmpuint (strlen (cluster_id), ==, 22);
  g_assert_true (broker_uuid_from_string (cluster_id, &id));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  from_file = read_property (path, "cluster.id");
  node = read_property (path, "node.id");
  version = read_property (path, "version");
  g_assert_cmpstr (from_file, ==, cluster_id);
  g_assert_cmpstr (node, ==, "3");
  g_assert_cmpstr (version, ==, "1");
  assert_no_tmp_files (f->dir);

  /* Reopened by the same node: the same cluster. */
  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 3);

    again = store->vtable->dup_cluster_id (store, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, cluster_id);
  }

  /* Another node may not take over this directory. */
  {
    g_autoptr(BrokerMetaStore) store = broker_meta_store_local_new (f->dir, 4, &error);

    g_assert_null (store);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "node 3"));
  }
  /* …and the refusal changed nothing. */
  g_clear_pointer (&from_file, g_free);
  from_file = read_property (path, "cluster.id");
  g_assert_cmpstr (from_file, ==, cluster_id);
}

static void
test_broker_id_and_missing_cluster (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "meta.properties", NULL);
  g_autoptr(GError) error = NULL;

  /* Kafka's ZooKeeper-era file names broker.id. */
  g_assert_true (g_file_set_contents (path, "version=0\nbroker.id=7\ncluster.id=abcdefghijklmnopqrstuv\n",
                                      -1, NULL));
  {
    g_autoptr(BrokerMetaStore) store = broker_meta_store_local_new (f->dir, 8, &error);
    g_assert_null (store);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }
  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 7);
    g_autofree char *id = store->vtable->dup_cluster_id (store, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (id, ==, "abcdefghijklmnopqrstuv");
  }

  /* A file without a cluster id is refused rather than replaced. */
  g_assert_true (g_file_set_contents (path, "version=1\nnode.id=7\n", -1, NULL));
  {
    g_autoptr(BrokerMetaStore) store = broker_meta_store_local_new (f->dir, 7, &error);
    g_assert_null (store);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static GHashTable *
configs_new (const char *first_key,
             ...)
{
  GHashTable *configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list ap;

  va_start (ap, first_key);
  for (const char *k = first_key; k != NULL; k = va_arg (ap, const char *))
    g_hash_table_insert (configs, g_strdup (k), g_strdup (va_arg (ap, const char *)));
  va_end (ap);
  return configs;
}

static BrokerTopicMeta *
find_meta (GPtrArray  *metas,
           const char *name)
{
  for (guint i = 0; i < metas->len; i++)
    {
      BrokerTopicMeta *m = g_ptr_array_index (metas, i);
      if (strcmp (m->name, name) == 0)
        return m;
    }
  return NULL;
}

static GPtrArray *
load (BrokerMetaStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *metas = store->vtable->load_topics (store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (metas);
  return metas;
}

static void
test_topics_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) orders_cfg = configs_new ("retention.ms", "60000",
                                                  "cleanup.policy", "compact,delete",
                                                  "message.timestamp.type", "LogAppendTime",
                                                  NULL);
  CaudalUuid orders_id, logs_id;

  broker_uuid_generate (&orders_id);
  broker_uuid_generate (&logs_id);
  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 1);
    g_autoptr(BrokerTopicMeta) orders = broker_topic_meta_new ("orders.v1_x-y", &orders_id, 6, orders_cfg);
    g_autoptr(BrokerTopicMeta) logs = broker_topic_meta_new ("logs", &logs_id, 1, NULL);
    g_autoptr(GPtrArray) metas = load (store);

    g_assert_cmpuint (metas->len, ==, 0);
    g_assert_true (store->vtable->put_topic (store, orders, &error));
    g_assert_no_error (error);
    g_assert_true (store->vtable->put_topic (store, logs, &error));
    g_assert_no_error (error);
  }
  assert_no_tmp_files (f->dir);

  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 1);
    g_autoptr(GPtrArray) metas = load (store);
    BrokerTopicMeta *m;

    g_assert_cmpuint (metas->len, ==, 2);
    m = find_meta (metas, "orders.v1_x-y");
    g_assert_nonnull (m);
    g_assert_cmpmem (&m->id, sizeof m->id, &orders_id, sizeof orders_id);
    g_assert_cmpint (m->n_partitions, ==, 6);
    g_assert_cmpuint (g_hash_table_size (m->configs), ==, 3);
    g_assert_cmpstr (g_hash_table_lookup (m->configs, "retention.ms"), ==, "60000");
    g_assert_cmpstr (g_hash_table_lookup (m->configs, "cleanup.policy"), ==, "compact,delete");
    g_assert_cmpstr (g_hash_table_lookup (m->configs, "message.timestamp.type"), ==, "LogAppendTime");
    m = find_meta (metas, "logs");
    g_assert_nonnull (m);
    g_assert_cmpmem (&m->id, sizeof m->id, &logs_id, sizeof logs_id);
    g_assert_cmpint (m->n_partitions, ==, 1);
    g_assert_cmpuint (g_hash_table_size (m->configs), ==, 0);

    /* Replacing a record drops configs it no longer has. */
    {
      g_autoptr(GHashTable) cfg = configs_new ("segment.bytes", "1048576", NULL);
      g_autoptr(BrokerTopicMeta) orders = broker_topic_meta_new ("orders.v1_x-y", &orders_id, 8, cfg);

      g_assert_true (store->vtable->put_topic (store, orders, &error));
      g_assert_no_error (error);
    }
    g_assert_true (store->vtable->delete_topic (store, "logs", &error));
    g_assert_no_error (error);
    /* Deleting what is not there is not an error. */
    g_assert_true (store->vtable->delete_topic (store, "never-was", &error));
    g_assert_no_error (error);
  }
  assert_no_tmp_files (f->dir);

  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 1);
    g_autoptr(GPtrArray) metas = load (store);
    BrokerTopicMeta *m;

    g_assert_cmpuint (metas->len, ==, 1);
    m = find_meta (metas, "orders.v1_x-y");
    g_assert_nonnull (m);
    g_assert_cmpmem (&m->id, sizeof m->id, &orders_id, sizeof orders_id);
    g_assert_cmpint (m->n_partitions, ==, 8);
    g_assert_cmpuint (g_hash_table_size (m->configs), ==, 1);
    g_assert_cmpstr (g_hash_table_lookup (m->configs, "segment.bytes"), ==, "1048576");
    g_assert_null (find_meta (metas, "logs"));
  }
}

static void
test_newer_format_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "topics.metadata", NULL);
  g_autoptr(GError) error = NULL;

  /* Creates meta.properties; then a newer caudald rewrites topics. */
  broker_meta_store_free (open_store (f, 1));
  g_assert_true (g_file_set_contents (path, "[caudal]\nformat-version=2\n\n[topic:a]\nid=AAECAwQFBgcICQoLDA0ODw\npartitions=1\n",
                                      -1, NULL));
  {
    g_autoptr(BrokerMetaStore) store = broker_meta_store_local_new (f->dir, 1, &error);

    g_assert_null (store);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "newer"));
    g_clear_error (&error);
  }
  /* The current version is accepted. */
  g_assert_true (g_file_set_contents (path, "[caudal]\nformat-version=1\n\n[topic:a]\nid=AAECAwQFBgcICQoLDA0ODw\npartitions=2\n",
                                      -1, NULL));
  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 1);
    g_autoptr(GPtrArray) metas = load (store);

    g_assert_cmpuint (metas->len, ==, 1);
    g_assert_cmpint (((BrokerTopicMeta *) metas->pdata[0])->n_partitions, ==, 2);
  }
  /* A topic without a valid id is an error, not a silent skip. */
  g_assert_true (g_file_set_contents (path, "[caudal]\nformat-version=1\n\n[topic:a]\nid=nope\npartitions=2\n",
                                      -1, NULL));
  {
    g_autoptr(BrokerMetaStore) store = open_store (f, 1);
    g_autoptr(GPtrArray) metas = store->vtable->load_topics (store, &error);

    g_assert_null (metas);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static void
test_uuid_strings (void)
{
  static const struct
  {
    guint8      bytes[16];
    const char *text;
  } vectors[] = {
    { { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, "AAECAwQFBgcICQoLDA0ODw" },
    { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "_____________________w" },
    { { 0xfb, 0xef, 0xbe }, "----AAAAAAAAAAAAAAAAAA" },
  };
  static const char *const bad[] = {
    "", "AAECAwQFBgcICQoLDA0OD", "AAECAwQFBgcICQoLDA0ODwA", "AAECAwQFBgcICQoLDA0OD+",
    "AAECAwQFBgcICQoLDA0OD/", "AAECAwQFBgcICQoLDA0OD=", "AAECAwQFBgcICQoLDA0O w",
    "AAECAwQFBgcICQoLDA0O\xc3\xa9", "AAECAwQFBgcICQoLDA0ODw==",
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      CaudalUuid id, back;
      g_autofree char *text = NULL;

      memcpy (id.bytes, vectors[i].bytes, 16);
      text = broker_uuid_to_string (&id);
      g_assert_cmpstr (text, ==, vectors[i].text);
      memset (&back, 0x5a, sizeof back);
      g_assert_true (broker_uuid_from_string (text, &back));
      g_assert_cmpmem (back.bytes, 16, id.bytes, 16);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CaudalUuid out;

      g_test_message ("rejecting \"%s\"", bad[i]);
      g_assert_false (broker_uuid_from_string (bad[i], &out));
    }
  {
    CaudalUuid out;
    g_assert_false (broker_uuid_from_string (NULL, &out));
  }

  /* Random ones: 22 URL-safe characters, version 4, never zero. */
  for (guint i = 0; i < 200; i++)
    {
      static const CaudalUuid zero = { { 0 } };
      CaudalUuid id, back;
      g_autofree char *text = NULL;

      broker_uuid_generate (&id);
      g_assert_true (memcmp (&id, &zero, sizeof id) != 0);
      g_assert_cmpint (id.bytes[6] >> 4, ==, 4);
      g_assert_cmpint (id.bytes[8] & 0xc0, ==, 0x80);
      text = broker_uuid_to_string (&id);
      g_assert_cmpuint (strlen (text), ==, 22);
      g_assert_cmpuint (strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), ==, 22);
      g_assert_true (broker_uuid_from_string (text, &back));
      g_assert_cmpmem (back.bytes, 16, id.bytes, 16);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/broker/meta-store/cluster-id", test_cluster_id);
  ADD ("/broker/meta-store/broker-id-and-missing-cluster", test_broker_id_and_missing_cluster);
  ADD ("/broker/meta-store/topics-round-trip", test_topics_round_trip);
  ADD ("/broker/meta-store/newer-format-refused", test_newer_format_refused);
#undef ADD
  g_test_add_func ("/broker/meta-store/uuid-strings", test_uuid_strings);
  return g_test_run ();
}
