/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-admin.c: CaudalAdmin against caudald (every operation: cluster,
 * topics, partitions, configs with the AlterConfigs fallback, offsets,
 * consumer groups with a real CaudalConsumer) and the read-only ones
 * against librdkafka's mock cluster, so that the API is not tuned to
 * caudald. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-admin-private.h"
#include "caudal-consumer.h"
#include "caudal-producer.h"
#include "caudal-error-codes.h"
#include "client-test-peer.h"


static CaudalAdmin *
admin_new (Peer *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = caudal_cluster_new (peer->bootstrap, "test-admin", &error);

  g_assert_no_error (error);
  return caudal_admin_new (cluster);
}

/* ---- synchronous wrappers ---- */

#define WAIT(call) \
  G_STMT_START { g_auto(CaudalSync) sync_ = { 0 }; call; result_ = g_object_ref (caudal_sync_wait (&sync_)); } G_STMT_END
#define CB caudal_sync_callback, &sync_

static CaudalAdminClusterDescription *
describe_cluster (CaudalAdmin *admin,
                  GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_describe_cluster_async (admin, NULL, CB));
  return caudal_admin_describe_cluster_finish (admin, result_, error);
}

static GPtrArray *
list_topics (CaudalAdmin *admin,
             GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_list_topics_async (admin, NULL, CB));
  return caudal_admin_list_topics_finish (admin, result_, error);
}

static CaudalAdminTopicDescription *
describe_topic (CaudalAdmin *admin,
                const char  *name,
                GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;
  const char *names[] = { name, NULL };
  g_autoptr(GPtrArray) out = NULL;

  WAIT (caudal_admin_describe_topics_async (admin, names, NULL, CB));
  out = caudal_admin_describe_topics_finish (admin, result_, error);
  if (out == NULL)
    return NULL;
  g_assert_cmpuint (out->len, ==, 1);
  return caudal_admin_topic_description_ref (g_ptr_array_index (out, 0));
}

static gboolean
create_topic (CaudalAdmin *admin,
              const char  *name,
              gint32       partitions,
              gint16       rf,
              GHashTable  *configs,
              gboolean     validate_only,
              GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_create_topic_async (admin, name, partitions, rf, configs, validate_only, NULL, CB));
  return caudal_admin_create_topic_finish (admin, result_, error);
}

static GPtrArray *
describe_new_topic_configs (CaudalAdmin *admin,
                            GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_describe_new_topic_configs_async (admin, NULL, CB));
  return caudal_admin_describe_new_topic_configs_finish (admin, result_, error);
}

static gboolean
delete_topic (CaudalAdmin *admin,
              const char  *name,
              GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_delete_topic_async (admin, name, NULL, CB));
  return caudal_admin_delete_topic_finish (admin, result_, error);
}

static gboolean
create_partitions (CaudalAdmin *admin,
                   const char  *name,
                   gint32       total,
                   GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_create_partitions_async (admin, name, total, NULL, CB));
  return caudal_admin_create_partitions_finish (admin, result_, error);
}

static GPtrArray *
describe_configs (CaudalAdmin            *admin,
                  CaudalAdminResourceType type,
                  const char             *name,
                  const char *const      *keys,
                  GError                **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_describe_configs_async (admin, type, name, keys, NULL, CB));
  return caudal_admin_describe_configs_finish (admin, result_, error);
}

static gboolean
alter_configs (CaudalAdmin               *admin,
               CaudalAdminResourceType    type,
               const char                *name,
               const CaudalAdminConfigOp *ops,
               gsize                      n_ops,
               GError                   **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_incremental_alter_configs_async (admin, type, name, ops, n_ops, NULL, CB));
  return caudal_admin_incremental_alter_configs_finish (admin, result_, error);
}

static GPtrArray *
list_offsets (CaudalAdmin                  *admin,
              const CaudalAdminOffsetQuery *queries,
              gsize                         n,
              GError                      **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_list_offsets_async (admin, queries, n, NULL, CB));
  return caudal_admin_list_offsets_finish (admin, result_, error);
}

static GPtrArray *
list_groups (CaudalAdmin *admin,
             GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_list_groups_async (admin, NULL, CB));
  return caudal_admin_list_groups_finish (admin, result_, error);
}

static CaudalAdminGroupDescription *
describe_group (CaudalAdmin *admin,
                const char  *group,
                GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_describe_group_async (admin, group, NULL, CB));
  return caudal_admin_describe_group_finish (admin, result_, error);
}

static GPtrArray *
committed (CaudalAdmin *admin,
           const char  *group,
           GPtrArray   *partitions,
           GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_list_committed_offsets_async (admin, group, partitions, NULL, CB));
  return caudal_admin_list_committed_offsets_finish (admin, result_, error);
}

static GPtrArray *
group_lag (CaudalAdmin *admin,
           const char  *group,
           GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_describe_group_lag_async (admin, group, NULL, CB));
  return caudal_admin_describe_group_lag_finish (admin, result_, error);
}

static gboolean
alter_offsets (CaudalAdmin                   *admin,
               const char                    *group,
               const CaudalAdminOffsetCommit *offsets,
               gsize                          n,
               GError                       **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_alter_group_offsets_async (admin, group, offsets, n, NULL, CB));
  return caudal_admin_alter_group_offsets_finish (admin, result_, error);
}

static gboolean
delete_group (CaudalAdmin *admin,
              const char  *group,
              GError     **error)
{
  g_autoptr(GAsyncResult) result_ = NULL;

  WAIT (caudal_admin_delete_group_async (admin, group, NULL, CB));
  return caudal_admin_delete_group_finish (admin, result_, error);
}

/* Produces @n records "v0"… to @partition of @topic with timestamps
 * @ts0, @ts0 + 1000… (or now when @ts0 < 0), on a cluster of its own. */
static void
produce (Peer       *peer,
         const char *topic,
         gint32      partition,
         guint       n,
         gint64      ts0)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = caudal_cluster_new (peer->bootstrap, "test-admin-producer", &error);
  g_autoptr(CaudalProducer) producer = NULL;
  CaudalProducerConfig cfg;

  g_assert_no_error (error);
  caudal_producer_config_init (&cfg);
  cfg.acks = -1;
  producer = caudal_producer_new (cluster, &cfg);
  for (guint i = 0; i < n; i++)
    {
      g_auto(CaudalSync) sync = { 0 };
      g_autofree char *v = g_strdup_printf ("v%u", i);
      g_autoptr(GBytes) value = g_bytes_new (v, strlen (v));
      CaudalProducerResult res = { 0 };

      caudal_producer_send_async (producer, topic, partition, NULL, value, NULL, 0,
                                  ts0 >= 0 ? ts0 + (gint64) i * 1000 : -1, NULL, caudal_sync_callback, &sync);
      g_assert_true (caudal_producer_send_finish (producer, caudal_sync_wait (&sync), &res, &error));
      g_assert_no_error (error);
      g_assert_cmpint (res.partition, ==, partition);
    }
}

static gint32
int_at (GArray *a,
        guint   i)
{
  return g_array_index (a, gint32, i);
}

/* The entry named @name; the test stops when there is none. */
static CaudalAdminConfigEntry *
find_entry (GPtrArray  *entries,
            const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    {
      CaudalAdminConfigEntry *e = g_ptr_array_index (entries, i);
      if (strcmp (e->name, name) == 0)
        return e;
    }
  g_error ("no config entry %s", name);
}

/* ==== caudald ==== */

static gint32
check_cluster (CaudalAdmin *admin,
               Peer        *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalAdminClusterDescription) d = describe_cluster (admin, &error);
  CaudalAdminBroker *b;

  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_nonnull (d->cluster_id);
  g_assert_cmpuint (strlen (d->cluster_id), >, 0);
  g_assert_cmpuint (d->brokers->len, ==, 1);
  b = g_ptr_array_index (d->brokers, 0);
  g_assert_cmpint (d->controller_id, ==, b->node_id);
  g_assert_cmpstr (b->host, ==, "127.0.0.1");
  g_assert_cmpuint (b->port, ==, peer_port (peer));
  return b->node_id;
}

static void
test_caudald_cluster (void)
{
  Peer peer = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(CaudalAdmin) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalAdminClusterDescription) a = NULL;
  g_autoptr(CaudalAdminClusterDescription) b = NULL;

  peer_start_caudald (&peer);
  admin = admin_new (&peer);
  check_cluster (admin, &peer);
  /* Without DescribeCluster, Metadata gives the same answer. */
  old = admin_new (&peer);
  caudal_admin_disable_api (old, CAUDAL_API_KEY_DESCRIBE_CLUSTER);
  check_cluster (old, &peer);
  a = describe_cluster (admin, &error);
  g_assert_no_error (error);
  b = describe_cluster (old, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->cluster_id, ==, b->cluster_id);
  g_assert_cmpint (a->controller_id, ==, b->controller_id);
  /* A result outlives the admin that made it; ref/unref balance. */
  caudal_admin_cluster_description_ref (a);
  caudal_admin_cluster_description_unref (a);
  g_assert_true (G_TYPE_IS_BOXED (caudal_admin_cluster_description_get_type ()));
  g_clear_object (&admin);
  g_clear_object (&old);
  peer_stop (&peer);
}

static void
test_caudald_topics (void)
{
  Peer peer = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(CaudalAdminTopicDescription) d = NULL;
  gint32 node;
  gboolean seen_t1 = FALSE, seen_default = FALSE;

  peer_start_caudald (&peer);
  admin = admin_new (&peer);
  node = check_cluster (admin, &peer);

  g_hash_table_insert (configs, (gpointer) "retention.ms", (gpointer) "12345");
  g_assert_true (create_topic (admin, "t1", 3, 1, configs, FALSE, &error));
  g_assert_no_error (error);
  /* Broker defaults: num.partitions=3, one replica. */
  g_assert_true (create_topic (admin, "t-default", -1, -1, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* validate_only checks without creating. */
  g_assert_true (create_topic (admin, "t-validate", 2, 1, NULL, TRUE, &error));
  g_assert_no_error (error);

  g_assert_false (create_topic (admin, "t1", 3, 1, NULL, FALSE, &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS);
  g_assert_true (g_str_has_prefix (error->message, "TOPIC_ALREADY_EXISTS: "));
  g_clear_error (&error);
  g_assert_false (create_topic (admin, "t-rf", 1, 3, NULL, FALSE, &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_INVALID_REPLICATION_FACTOR);
  g_clear_error (&error);
  g_assert_false (create_topic (admin, "t-zero", 0, 1, NULL, FALSE, &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_INVALID_PARTITIONS);
  g_clear_error (&error);

  topics = list_topics (admin, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < topics->len; i++)
    {
      CaudalAdminTopicListing *l = g_ptr_array_index (topics, i);

      g_assert_cmpstr (l->name, !=, "t-validate");
      g_assert_cmpstr (l->name, !=, "t-rf");
      if (i > 0)
        g_assert_cmpint (strcmp (((CaudalAdminTopicListing *) g_ptr_array_index (topics, i - 1))->name, l->name), <, 0);
      if (strcmp (l->name, "t1") == 0)
        {
          seen_t1 = TRUE;
          g_assert_false (l->internal);
        }
      seen_default |= strcmp (l->name, "t-default") == 0;
    }
  g_assert_true (seen_t1);
  g_assert_true (seen_default);

  d = describe_topic (admin, "t1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->name, ==, "t1");
  g_assert_false (d->internal);
  g_assert_nonnull (d->topic_id);
  g_assert_cmpuint (strlen (d->topic_id), ==, 22);
  g_assert_cmpuint (d->partitions->len, ==, 3);
  for (guint p = 0; p < 3; p++)
    {
      CaudalAdminPartitionDescription *pd = g_ptr_array_index (d->partitions, p);

      g_assert_cmpint (pd->partition, ==, (gint32) p);
      g_assert_cmpint (pd->error, ==, 0);
      g_assert_cmpint (pd->leader, ==, node);
      g_assert_cmpuint (pd->replicas->len, ==, 1);
      g_assert_cmpint (int_at (pd->replicas, 0), ==, node);
      g_assert_cmpuint (pd->isr->len, ==, 1);
      g_assert_cmpint (int_at (pd->isr, 0), ==, node);
      g_assert_cmpuint (pd->offline->len, ==, 0);
    }
  g_clear_pointer (&d, caudal_admin_topic_description_unref);
  d = describe_topic (admin, "t-default", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->partitions->len, ==, 3);
  g_clear_pointer (&d, caudal_admin_topic_description_unref);

  g_assert_null (describe_topic (admin, "t-validate", &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_error (&error);

  /* Partitions: the new total. */
  g_assert_true (create_partitions (admin, "t1", 5, &error));
  g_assert_no_error (error);
  d = describe_topic (admin, "t1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->partitions->len, ==, 5);
  g_assert_cmpint (((CaudalAdminPartitionDescription *) g_ptr_array_index (d->partitions, 4))->leader, ==, node);
  g_clear_pointer (&d, caudal_admin_topic_description_unref);
  g_assert_false (create_partitions (admin, "t1", 2, &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_INVALID_PARTITIONS);
  g_clear_error (&error);
  g_assert_false (create_partitions (admin, "nope", 2, &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_error (&error);

  g_assert_true (delete_topic (admin, "t1", &error));
  g_assert_no_error (error);
  g_assert_null (describe_topic (admin, "t1", &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_error (&error);
  g_assert_false (delete_topic (admin, "t1", &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_error (&error);

  g_clear_object (&admin);
  peer_stop (&peer);
}

static void
check_dynamic (GPtrArray  *entries,
               const char *name,
               const char *value)
{
  CaudalAdminConfigEntry *e = find_entry (entries, name);

  g_assert_cmpstr (e->value, ==, value);
  g_assert_cmpint (e->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  g_assert_false (e->sensitive);
  g_assert_false (e->read_only);
  g_assert_cmpuint (e->synonyms->len, >=, 1);
  g_assert_cmpint (((CaudalAdminConfigSynonym *) g_ptr_array_index (e->synonyms, 0))->source, ==,
                   CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  g_assert_cmpstr (((CaudalAdminConfigSynonym *) g_ptr_array_index (e->synonyms, 0))->value, ==, value);
}

static void
check_not_dynamic (GPtrArray  *entries,
                   const char *name)
{
  CaudalAdminConfigEntry *e = find_entry (entries, name);

  g_assert_cmpint (e->source, !=, CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
}

static void
test_caudald_configs (void)
{
  Peer peer = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(CaudalAdmin) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) configs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *node = NULL;
  const char *retention[] = { "retention.ms", NULL };
  CaudalAdminConfigEntry *e;

  peer_start_caudald (&peer);
  admin = admin_new (&peer);
  node = g_strdup_printf ("%d", check_cluster (admin, &peer));
  g_hash_table_insert (configs, (gpointer) "retention.ms", (gpointer) "12345");
  g_assert_true (create_topic (admin, "cfg", 1, 1, configs, FALSE, &error));
  g_assert_no_error (error);

  /* All of a topic's configs, sorted, with sources. */
  entries = describe_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, >, 10);
  for (guint i = 1; i < entries->len; i++)
    g_assert_cmpint (strcmp (((CaudalAdminConfigEntry *) g_ptr_array_index (entries, i - 1))->name,
                             ((CaudalAdminConfigEntry *) g_ptr_array_index (entries, i))->name), <, 0);
  check_dynamic (entries, "retention.ms", "12345");
  e = find_entry (entries, "cleanup.policy");
  g_assert_cmpstr (e->value, ==, "delete");
  g_assert_cmpint (e->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_assert_cmpstr (caudal_admin_config_source_to_string (e->source), ==, "DEFAULT_CONFIG");
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Only the keys asked for. */
  entries = describe_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", retention, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  check_dynamic (entries, "retention.ms", "12345");
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* IncrementalAlterConfigs: SET and DELETE. */
  {
    const CaudalAdminConfigOp ops[] = {
      { "cleanup.policy", CAUDAL_ADMIN_CONFIG_OP_SET, "compact" },
      { "max.message.bytes", CAUDAL_ADMIN_CONFIG_OP_SET, "100000" },
      { "retention.ms", CAUDAL_ADMIN_CONFIG_OP_DELETE, NULL },
    };
    g_assert_true (alter_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", ops, G_N_ELEMENTS (ops), &error));
    g_assert_no_error (error);
  }
  entries = describe_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", NULL, &error);
  g_assert_no_error (error);
  check_dynamic (entries, "cleanup.policy", "compact");
  check_dynamic (entries, "max.message.bytes", "100000");
  check_not_dynamic (entries, "retention.ms");
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* The AlterConfigs fallback keeps the dynamic configs the ops leave. */
  old = admin_new (&peer);
  caudal_admin_disable_api (old, CAUDAL_API_KEY_INCREMENTAL_ALTER_CONFIGS);
  {
    const CaudalAdminConfigOp ops[] = {
      { "segment.ms", CAUDAL_ADMIN_CONFIG_OP_SET, "600000" },
      { "cleanup.policy", CAUDAL_ADMIN_CONFIG_OP_DELETE, NULL },
    };
    g_assert_true (alter_configs (old, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", ops, G_N_ELEMENTS (ops), &error));
    g_assert_no_error (error);
  }
  entries = describe_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", NULL, &error);
  g_assert_no_error (error);
  check_dynamic (entries, "segment.ms", "600000");
  check_dynamic (entries, "max.message.bytes", "100000");
  check_not_dynamic (entries, "cleanup.policy");
  g_assert_cmpstr (find_entry (entries, "cleanup.policy")->value, ==, "delete");
  check_not_dynamic (entries, "retention.ms");
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* A bad value is the broker's INVALID_CONFIG, by either path. */
  {
    const CaudalAdminConfigOp bad[] = { { "cleanup.policy", CAUDAL_ADMIN_CONFIG_OP_SET, "bogus" } };

    g_assert_false (alter_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", bad, 1, &error));
    g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_INVALID_CONFIG);
    g_clear_error (&error);
    g_assert_false (alter_configs (old, CAUDAL_ADMIN_RESOURCE_TOPIC, "cfg", bad, 1, &error));
    g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_INVALID_CONFIG);
    g_clear_error (&error);
  }

  /* Unknown topic. */
  g_assert_null (describe_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "nope", NULL, &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_error (&error);

  /* A broker's configs, routed to it by id: the command line's override
   * is a static broker config. */
  {
    g_autoptr(CaudalAdmin) fresh = admin_new (&peer);   /* no metadata yet */

    entries = describe_configs (fresh, CAUDAL_ADMIN_RESOURCE_BROKER, node, NULL, &error);
    g_assert_no_error (error);
    e = find_entry (entries, "num.partitions");
    g_assert_cmpstr (e->value, ==, "3");
    g_assert_cmpint (e->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
    g_clear_pointer (&entries, g_ptr_array_unref);
  }

  g_clear_object (&admin);
  g_clear_object (&old);
  peer_stop (&peer);
}

/* What a new topic would get (a validate-only CreateTopics) is what a
 * topic created without overrides then has, key by key. */
static void
test_caudald_new_topic_configs (void)
{
  Peer peer = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(GPtrArray) created = NULL;
  CaudalAdminConfigEntry *e;

  peer_start_caudald (&peer);
  admin = admin_new (&peer);
  before = describe_new_topic_configs (admin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->len, >, 10);
  /* Nothing was created (the broker has its internal topics only). */
  topics = list_topics (admin, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < topics->len; i++)
    g_assert_true (((CaudalAdminTopicListing *) g_ptr_array_index (topics, i))->internal);

  /* Kafka's defaults. */
  e = find_entry (before, "retention.ms");
  g_assert_cmpstr (e->value, ==, "604800000");
  g_assert_cmpint (e->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_assert_false (e->read_only);
  g_assert_false (e->sensitive);
  e = find_entry (before, "cleanup.policy");
  g_assert_cmpstr (e->value, ==, "delete");
  g_assert_cmpint (e->source, ==, CAUDAL_ADMIN_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_assert_nonnull (find_entry (before, "max.message.bytes")->value);

  g_assert_true (create_topic (admin, "plain", 1, 1, NULL, FALSE, &error));
  g_assert_no_error (error);
  created = describe_configs (admin, CAUDAL_ADMIN_RESOURCE_TOPIC, "plain", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->len, ==, created->len);
  for (guint i = 0; i < before->len; i++)
    {
      CaudalAdminConfigEntry *b = g_ptr_array_index (before, i);
      CaudalAdminConfigEntry *c = g_ptr_array_index (created, i);

      g_assert_cmpstr (b->name, ==, c->name);
      g_assert_cmpstr (b->value, ==, c->value);
      g_assert_cmpint (b->source, ==, c->source);
      g_assert_cmpint (b->read_only, ==, c->read_only);
      g_assert_cmpint (b->sensitive, ==, c->sensitive);
      g_assert_cmpuint (b->synonyms->len, ==, 0);
    }

  g_clear_object (&admin);
  peer_stop (&peer);
}

static CaudalAdminListedOffset *
listed (GPtrArray *out,
        guint      i)
{
  return g_ptr_array_index (out, i);
}

static void
test_caudald_offsets (void)
{
  Peer peer = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) out = NULL;
  const CaudalAdminOffsetQuery queries[] = {
    { "off", 0, CAUDAL_ADMIN_OFFSET_EARLIEST },
    { "off", 0, CAUDAL_ADMIN_OFFSET_LATEST },
    { "off", 1, CAUDAL_ADMIN_OFFSET_LATEST },
    { "off", 0, 3000 },      /* exact */
    { "off", 0, 2500 },      /* the next one */
    { "off", 0, 99999 },     /* none */
    { "off", 0, CAUDAL_ADMIN_OFFSET_MAX_TIMESTAMP },
    { "off", 1, CAUDAL_ADMIN_OFFSET_EARLIEST },
  };

  peer_start_caudald (&peer);
  admin = admin_new (&peer);
  g_assert_true (create_topic (admin, "off", 2, 1, NULL, FALSE, &error));
  g_assert_no_error (error);
  produce (&peer, "off", 0, 5, 1000);   /* timestamps 1000…5000 */

  out = list_offsets (admin, queries, G_N_ELEMENTS (queries), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, G_N_ELEMENTS (queries));
  for (guint i = 0; i < out->len; i++)
    {
      g_assert_cmpstr (listed (out, i)->topic, ==, "off");
      g_assert_cmpint (listed (out, i)->partition, ==, queries[i].partition);
    }
  g_assert_cmpint (listed (out, 0)->offset, ==, 0);
  g_assert_cmpint (listed (out, 1)->offset, ==, 5);
  g_assert_cmpint (listed (out, 2)->offset, ==, 0);
  g_assert_cmpint (listed (out, 3)->offset, ==, 2);
  g_assert_cmpint (listed (out, 3)->timestamp, ==, 3000);
  g_assert_cmpint (listed (out, 4)->offset, ==, 2);
  g_assert_cmpint (listed (out, 4)->timestamp, ==, 3000);
  g_assert_cmpint (listed (out, 5)->offset, ==, -1);
  g_assert_cmpint (listed (out, 5)->timestamp, ==, -1);
  g_assert_cmpint (listed (out, 6)->offset, ==, 4);
  g_assert_cmpint (listed (out, 6)->timestamp, ==, 5000);
  g_assert_cmpint (listed (out, 7)->offset, ==, 0);
  g_clear_pointer (&out, g_ptr_array_unref);

  /* A partition the topic lacks, a topic that does not exist. */
  {
    const CaudalAdminOffsetQuery bad[] = { { "off", 7, CAUDAL_ADMIN_OFFSET_LATEST } };
    const CaudalAdminOffsetQuery unknown[] = { { "nope", 0, CAUDAL_ADMIN_OFFSET_LATEST } };

    g_assert_null (list_offsets (admin, bad, 1, &error));
    g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
    g_clear_error (&error);
    g_assert_null (list_offsets (admin, unknown, 1, &error));
    g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
    g_clear_error (&error);
  }
  /* Nothing asked, nothing answered. */
  out = list_offsets (admin, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, 0);
  g_clear_pointer (&out, g_ptr_array_unref);

  g_clear_object (&admin);
  peer_stop (&peer);
}

static gboolean
poll_until (CaudalConsumer *consumer,
            guint           wanted)
{
  g_autoptr(GError) error = NULL;
  guint got = 0;

  for (guint attempt = 0; attempt < 100 && got < wanted; attempt++)
    {
      g_auto(CaudalSync) sync = { 0 };
      g_autoptr(GPtrArray) messages = NULL;

      caudal_consumer_poll_async (consumer, NULL, caudal_sync_callback, &sync);
      messages = caudal_consumer_poll_finish (consumer, caudal_sync_wait (&sync), &error);
      g_assert_no_error (error);
      got += messages != NULL ? messages->len : 0;
    }
  return got == wanted;
}

static CaudalAdminPartitionLag *
lag_at (GPtrArray *rows,
        guint      i)
{
  return g_ptr_array_index (rows, i);
}

static CaudalAdminCommittedOffset *
committed_at (GPtrArray *rows,
              guint      i)
{
  return g_ptr_array_index (rows, i);
}

static void
test_caudald_groups (void)
{
  Peer peer = { 0 };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) consumer_cluster = NULL;
  g_autoptr(CaudalConsumer) consumer = NULL;
  g_autoptr(CaudalAdminGroupDescription) d = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  const char *topics[] = { "gt", NULL };
  CaudalAdminMemberDescription *m;
  CaudalTopicPartitions *tp;
  gboolean found = FALSE;

  peer_start_caudald (&peer);
  admin = admin_new (&peer);
  g_assert_true (create_topic (admin, "gt", 2, 1, NULL, FALSE, &error));
  g_assert_no_error (error);
  produce (&peer, "gt", 0, 5, -1);
  produce (&peer, "gt", 1, 5, -1);

  /* An unknown group: Dead, nothing committed. */
  d = describe_group (admin, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->state, ==, "Dead");
  g_assert_cmpuint (d->members->len, ==, 0);
  g_clear_pointer (&d, caudal_admin_group_description_unref);
  rows = committed (admin, "g1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  consumer_cluster = caudal_cluster_new (peer.bootstrap, "test-admin-consumer", &error);
  g_assert_no_error (error);
  consumer = caudal_consumer_new (consumer_cluster);
  g_assert_true (caudal_consumer_set_config (consumer, "client.id", "admin-test-client", &error));
  g_assert_true (caudal_consumer_set_config (consumer, "auto.offset.reset", "earliest", &error));
  g_assert_true (caudal_consumer_set_config (consumer, "enable.auto.commit", "false", &error));
  g_assert_no_error (error);
  caudal_consumer_subscribe (consumer, "g1", topics);
  g_assert_true (poll_until (consumer, 10));
  {
    g_auto(CaudalSync) sync = { 0 };
    caudal_consumer_commit_async (consumer, NULL, caudal_sync_callback, &sync);
    g_assert_true (caudal_consumer_commit_finish (consumer, caudal_sync_wait (&sync), &error));
    g_assert_no_error (error);
  }

  groups = list_groups (admin, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < groups->len; i++)
    {
      CaudalAdminGroupListing *l = g_ptr_array_index (groups, i);

      if (strcmp (l->group_id, "g1") != 0)
        continue;
      found = TRUE;
      g_assert_cmpstr (l->protocol_type, ==, "consumer");
      g_assert_cmpstr (l->state, ==, "Stable");
    }
  g_assert_true (found);

  d = describe_group (admin, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->group_id, ==, "g1");
  g_assert_cmpstr (d->state, ==, "Stable");
  g_assert_cmpstr (d->protocol_type, ==, "consumer");
  g_assert_cmpstr (d->protocol, ==, "range");
  g_assert_cmpint (d->coordinator, >=, 0);
  g_assert_cmpuint (d->members->len, ==, 1);
  m = g_ptr_array_index (d->members, 0);
  g_assert_cmpstr (m->member_id, ==, caudal_consumer_get_member_id (consumer));
  g_assert_null (m->group_instance_id);
  g_assert_cmpstr (m->client_id, ==, "admin-test-client");
  g_assert_cmpstr (m->host, ==, "/127.0.0.1");
  g_assert_cmpuint (m->assignment->len, ==, 1);
  tp = g_ptr_array_index (m->assignment, 0);
  g_assert_cmpstr (tp->topic, ==, "gt");
  g_assert_cmpuint (tp->partitions->len, ==, 2);
  g_assert_cmpint (int_at (tp->partitions, 0), ==, 0);
  g_assert_cmpint (int_at (tp->partitions, 1), ==, 1);
  g_clear_pointer (&d, caudal_admin_group_description_unref);

  /* Committed: all, then the partitions asked (one with nothing). */
  rows = committed (admin, "g1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpstr (committed_at (rows, i)->topic, ==, "gt");
      g_assert_cmpint (committed_at (rows, i)->partition, ==, (gint32) i);
      g_assert_cmpint (committed_at (rows, i)->offset, ==, 5);
    }
  g_clear_pointer (&rows, g_ptr_array_unref);
  {
    g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free);
    CaudalTopicPartitions *one = caudal_topic_partitions_new ("gt");
    gint32 parts[] = { 1 };

    g_array_append_vals (one->partitions, parts, 1);
    g_ptr_array_add (asked, one);
    rows = committed (admin, "g1", asked, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 1);
    g_assert_cmpint (committed_at (rows, 0)->partition, ==, 1);
    g_assert_cmpint (committed_at (rows, 0)->offset, ==, 5);
    g_clear_pointer (&rows, g_ptr_array_unref);
  }

  /* Lag: three more records on partition 0. */
  produce (&peer, "gt", 0, 3, -1);
  rows = group_lag (admin, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (lag_at (rows, 0)->partition, ==, 0);
  g_assert_cmpint (lag_at (rows, 0)->current_offset, ==, 5);
  g_assert_cmpint (lag_at (rows, 0)->log_end_offset, ==, 8);
  g_assert_cmpint (lag_at (rows, 0)->lag, ==, 3);
  g_assert_cmpstr (lag_at (rows, 0)->member_id, ==, caudal_consumer_get_member_id (consumer));
  g_assert_cmpstr (lag_at (rows, 0)->client_id, ==, "admin-test-client");
  g_assert_cmpstr (lag_at (rows, 0)->host, ==, "/127.0.0.1");
  g_assert_cmpint (lag_at (rows, 1)->partition, ==, 1);
  g_assert_cmpint (lag_at (rows, 1)->current_offset, ==, 5);
  g_assert_cmpint (lag_at (rows, 1)->log_end_offset, ==, 5);
  g_assert_cmpint (lag_at (rows, 1)->lag, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* While it has a member: no admin commits, no deletion. */
  {
    const CaudalAdminOffsetCommit offsets[] = { { "gt", 0, 1 } };

    g_assert_false (alter_offsets (admin, "g1", offsets, 1, &error));
    g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
    g_clear_error (&error);
  }
  g_assert_false (delete_group (admin, "g1", &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_NON_EMPTY_GROUP);
  g_clear_error (&error);

  {
    g_auto(CaudalSync) sync = { 0 };
    caudal_consumer_close_async (consumer, NULL, caudal_sync_callback, &sync);
    g_assert_true (caudal_consumer_close_finish (consumer, caudal_sync_wait (&sync), &error));
    g_assert_no_error (error);
  }

  d = describe_group (admin, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->state, ==, "Empty");
  g_assert_cmpuint (d->members->len, ==, 0);
  g_clear_pointer (&d, caudal_admin_group_description_unref);
  rows = group_lag (admin, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_null (lag_at (rows, 0)->member_id);
  g_assert_null (lag_at (rows, 0)->host);
  g_assert_cmpint (lag_at (rows, 0)->lag, ==, 3);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Empty: the admin may move its offsets. */
  {
    const CaudalAdminOffsetCommit offsets[] = { { "gt", 0, 1 }, { "gt", 1, 2 } };

    g_assert_true (alter_offsets (admin, "g1", offsets, G_N_ELEMENTS (offsets), &error));
    g_assert_no_error (error);
  }
  rows = committed (admin, "g1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (committed_at (rows, 0)->offset, ==, 1);
  g_assert_cmpint (committed_at (rows, 1)->offset, ==, 2);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* A group made by the admin alone. */
  {
    const CaudalAdminOffsetCommit offsets[] = { { "gt", 1, 4 } };

    g_assert_true (alter_offsets (admin, "g-admin", offsets, 1, &error));
    g_assert_no_error (error);
    rows = committed (admin, "g-admin", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 1);
    g_assert_cmpint (committed_at (rows, 0)->offset, ==, 4);
    g_clear_pointer (&rows, g_ptr_array_unref);
  }

  g_assert_true (delete_group (admin, "g1", &error));
  g_assert_no_error (error);
  d = describe_group (admin, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->state, ==, "Dead");
  g_clear_pointer (&d, caudal_admin_group_description_unref);
  rows = committed (admin, "g1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_false (delete_group (admin, "g1", &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND);
  g_clear_error (&error);

  g_clear_object (&consumer);
  g_clear_object (&admin);
  peer_stop (&peer);
}

/* ==== librdkafka's mock cluster: the read-only operations ==== */

static void
test_mock_read_only (void)
{
  Peer peer = { 0 };
  const char *mock_topics[] = { "mock-a:3", "mock-b:1", NULL };
  g_autoptr(CaudalAdmin) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalAdminClusterDescription) c = NULL;
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(CaudalAdminTopicDescription) d = NULL;
  g_autoptr(GPtrArray) out = NULL;
  const CaudalAdminOffsetQuery queries[] = {
    { "mock-a", 0, CAUDAL_ADMIN_OFFSET_EARLIEST },
    { "mock-a", 0, CAUDAL_ADMIN_OFFSET_LATEST },
    { "mock-a", 2, CAUDAL_ADMIN_OFFSET_LATEST },
    { "mock-b", 0, CAUDAL_ADMIN_OFFSET_LATEST },
  };
  CaudalAdminBroker *b;

  peer_start_mock (&peer, mock_topics);
  admin = admin_new (&peer);

  c = describe_cluster (admin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->brokers->len, ==, 1);
  b = g_ptr_array_index (c->brokers, 0);
  g_assert_cmpuint (b->port, ==, peer_port (&peer));
  /* Reported as the broker has it: the mock names a controller that is
   * not among its brokers (see caudal-cluster.c's controller routing). */
  g_assert_cmpint (c->controller_id, >=, 0);

  topics = list_topics (admin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (topics->len, ==, 2);
  g_assert_cmpstr (((CaudalAdminTopicListing *) g_ptr_array_index (topics, 0))->name, ==, "mock-a");
  g_assert_cmpstr (((CaudalAdminTopicListing *) g_ptr_array_index (topics, 1))->name, ==, "mock-b");

  d = describe_topic (admin, "mock-a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->partitions->len, ==, 3);
  /* Metadata v2 carries no topic ids. */
  g_assert_null (d->topic_id);
  for (guint p = 0; p < 3; p++)
    {
      CaudalAdminPartitionDescription *pd = g_ptr_array_index (d->partitions, p);
      g_assert_cmpint (pd->partition, ==, (gint32) p);
      g_assert_cmpint (pd->leader, ==, b->node_id);
      g_assert_cmpuint (pd->replicas->len, ==, 1);
    }
  g_assert_null (describe_topic (admin, "nope", &error));
  g_assert_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);
  g_clear_error (&error);

  produce (&peer, "mock-a", 0, 4, -1);
  /* One partition per call: librdkafka 2.0.2's mock misreads ListOffsets
   * requests with more than one partition (it answers the first only, and
   * a null name for any later topic), which caudald and Kafka do not. */
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      gint64 expected[] = { 0, 4, 0, 0 };

      out = list_offsets (admin, &queries[i], 1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (out->len, ==, 1);
      g_assert_cmpstr (listed (out, 0)->topic, ==, queries[i].topic);
      g_assert_cmpint (listed (out, 0)->partition, ==, queries[i].partition);
      g_assert_cmpint (listed (out, 0)->offset, ==, expected[i]);
      g_clear_pointer (&out, g_ptr_array_unref);
    }

  /* Nor a new topic's configs (no CreateTopics v5+). */
  g_assert_null (describe_new_topic_configs (admin, &error));
  g_assert_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Its ListOffsets stops before v7: no MAX_TIMESTAMP. */
  {
    const CaudalAdminOffsetQuery max[] = { { "mock-a", 0, CAUDAL_ADMIN_OFFSET_MAX_TIMESTAMP } };

    g_assert_null (list_offsets (admin, max, 1, &error));
    g_assert_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }

  g_clear_object (&admin);
  peer_stop (&peer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/admin/caudald/cluster", test_caudald_cluster);
  g_test_add_func ("/client/admin/caudald/topics", test_caudald_topics);
  g_test_add_func ("/client/admin/caudald/configs", test_caudald_configs);
  g_test_add_func ("/client/admin/caudald/new-topic-configs", test_caudald_new_topic_configs);
  g_test_add_func ("/client/admin/caudald/offsets", test_caudald_offsets);
  g_test_add_func ("/client/admin/caudald/groups", test_caudald_groups);
  g_test_add_func ("/client/admin/mock/read-only", test_mock_read_only);
  return g_test_run ();
}
