/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Topic configs: the table, validation messages, effective values with
 * topic overrides and broker synonyms, DescribeConfigs sources and
 * synonyms. */
#include "broker-topic-config.h"

#include "caudal-error-codes.h"

#include <string.h>

static GHashTable *
overrides_new (const char *key, const char *value)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         g_free);

  if (key != NULL)
    g_hash_table_insert (h, g_strdup (key), g_strdup (value));
  return h;
}

static void
test_table (void)
{
  gsize n = 0;
  const BrokerTopicConfigDef *t = broker_topic_config_get_table (&n);

  g_assert_cmpuint (n, >=, 29);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *reason = NULL;

      /* Alphabetical, known, documented, default valid, and every
       * synonym a broker key of a compatible type. */
      if (i > 0)
        g_assert_cmpint (strcmp (t[i - 1].name, t[i].name), <, 0);
      g_assert_true (broker_topic_config_is_known (t[i].name));
      g_assert_true (g_str_has_suffix (t[i].doc, "."));
      g_assert_nonnull (t[i].default_value);
      if (!broker_config_value_check (t[i].type, &t[i].check,
                                      t[i].default_value, &reason))
        g_error ("default of %s: %s", t[i].name, reason);
      for (const BrokerTopicSynonym *s = t[i].synonyms; s->name != NULL; s++)
        {
          const BrokerConfigDef *b = broker_config_lookup (s->name);

          if (b == NULL)
            g_error ("synonym %s of %s is not a broker key", s->name,
                     t[i].name);
          if (b->default_value != NULL && s->factor <= 1)
            {
              g_clear_pointer (&reason, g_free);
              if (!broker_config_value_check (t[i].type, &t[i].check,
                                              b->default_value, &reason))
                g_error ("%s's default does not fit %s: %s", s->name,
                         t[i].name, reason);
            }
        }
    }
  g_assert_false (broker_topic_config_is_known ("log.retention.ms"));
}

static void
collect_key (gpointer key, gpointer user_data)
{
  g_ptr_array_add (user_data, key);
}

static void
test_foreach (void)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  gsize n = 0;
  const BrokerTopicConfigDef *t = broker_topic_config_get_table (&n);

  broker_topic_config_foreach_key (collect_key, keys);
  g_assert_cmpuint (keys->len, ==, n);
  g_assert_cmpstr (g_ptr_array_index (keys, 0), ==, t[0].name);
  g_assert_cmpstr (g_ptr_array_index (keys, 0), ==, "cleanup.policy");
}

static void
test_defaults (void)
{
  static const struct
  {
    const char *key;
    const char *value;
  } expected[] = {
    { "cleanup.policy", "delete" },
    { "compression.type", "producer" },
    { "flush.messages", "9223372036854775807" },
    { "flush.ms", "9223372036854775807" },
    { "retention.bytes", "-1" },
    { "retention.ms", "604800000" },
    { "segment.ms", "604800000" },
    { "max.message.bytes", "1048588" },
    { "segment.bytes", "1073741824" },
    { "message.timestamp.type", "CreateTime" },
    { "min.insync.replicas", "1" },
    { "remote.storage.enable", "false" },
    { "leader.replication.throttled.replicas", "" },
  };
  g_autoptr (BrokerConfig) broker = broker_config_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *a = broker_topic_config_get (broker, NULL,
                                                    expected[i].key);
      g_autofree char *b = broker_topic_config_get (NULL, NULL,
                                                    expected[i].key);

      g_assert_cmpstr (a, ==, expected[i].value);
      g_assert_cmpstr (b, ==, expected[i].value);
    }
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL, "flush.ms"),
                   ==, G_MAXINT64);
  g_assert_false (broker_topic_config_get_bool (broker, NULL, "preallocate"));
}

static void
test_effective (void)
{
  g_autoptr (BrokerConfig) broker = broker_config_new ();
  g_autoptr (GHashTable) over = overrides_new ("retention.ms", "1000");
  g_autofree char *v = NULL;

  /* Broker synonyms, converted to the topic key's unit. */
  g_assert_true (broker_config_set (broker, "log.retention.hours", "1", NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL,
                                                  "retention.ms"),
                   ==, 3600000);
  g_assert_true (broker_config_set (broker, "log.retention.minutes", "2",
                                    NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL,
                                                  "retention.ms"),
                   ==, 120000);
  g_assert_true (broker_config_set (broker, "log.retention.ms", "-1", NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL,
                                                  "retention.ms"),
                   ==, -1);
  /* The topic override wins. */
  g_assert_cmpint (broker_topic_config_get_int64 (broker, over,
                                                  "retention.ms"),
                   ==, 1000);

  g_assert_true (broker_config_set (broker, "log.roll.hours", "2", NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL, "segment.ms"),
                   ==, 7200000);
  g_assert_true (broker_config_set (broker, "log.flush.scheduler.interval.ms",
                                    "500", NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL, "flush.ms"),
                   ==, 500);
  g_assert_true (broker_config_set (broker, "log.flush.interval.ms", "50",
                                    NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL, "flush.ms"),
                   ==, 50);
  g_assert_true (broker_config_set (broker, "message.max.bytes", "2000000",
                                    NULL));
  g_assert_cmpint (broker_topic_config_get_int64 (broker, NULL,
                                                  "max.message.bytes"),
                   ==, 2000000);
  g_assert_true (broker_config_set (broker, "log.cleanup.policy",
                                    "compact,delete", NULL));
  v = broker_topic_config_get (broker, NULL, "cleanup.policy");
  g_assert_cmpstr (v, ==, "compact,delete");
}

static const BrokerConfigSynonym *
synonym (const BrokerConfigEntry *e, guint i)
{
  g_assert_cmpuint (i, <, e->synonyms->len);
  return g_ptr_array_index (e->synonyms, i);
}

static void
test_describe (void)
{
  g_autoptr (BrokerConfig) broker = broker_config_new ();
  g_autoptr (GHashTable) over = overrides_new ("retention.ms", "1000");
  BrokerConfigEntry e;

  /* Default. */
  g_assert_true (broker_topic_config_describe (broker, NULL, "retention.ms",
                                               TRUE, &e));
  g_assert_cmpstr (e.name, ==, "retention.ms");
  g_assert_cmpstr (e.value, ==, "604800000");
  g_assert_cmpint (e.source, ==, BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_assert_false (e.read_only);
  g_assert_false (e.sensitive);
  g_assert_cmpint (e.config_type, ==, BROKER_CONFIG_TYPE_LONG);
  g_assert_nonnull (e.documentation);
  g_assert_cmpuint (e.synonyms->len, ==, 1);
  g_assert_cmpstr (synonym (&e, 0)->name, ==, "log.retention.hours");
  g_assert_cmpstr (synonym (&e, 0)->value, ==, "168");
  g_assert_cmpint (synonym (&e, 0)->source, ==,
                   BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
  broker_config_entry_clear (&e);

  /* Broker synonym set. */
  g_assert_true (broker_config_set (broker, "log.retention.minutes", "10",
                                    NULL));
  g_assert_true (broker_topic_config_describe (broker, NULL, "retention.ms",
                                               TRUE, &e));
  g_assert_cmpstr (e.value, ==, "600000");
  g_assert_cmpint (e.source, ==, BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  g_assert_cmpuint (e.synonyms->len, ==, 2);
  g_assert_cmpstr (synonym (&e, 0)->name, ==, "log.retention.minutes");
  g_assert_cmpstr (synonym (&e, 0)->value, ==, "10");
  g_assert_cmpint (synonym (&e, 0)->source, ==,
                   BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  g_assert_cmpstr (synonym (&e, 1)->name, ==, "log.retention.hours");
  broker_config_entry_clear (&e);

  /* Topic override. */
  g_assert_true (broker_topic_config_describe (broker, over, "retention.ms",
                                               TRUE, &e));
  g_assert_cmpstr (e.value, ==, "1000");
  g_assert_cmpint (e.source, ==, BROKER_CONFIG_SOURCE_TOPIC_CONFIG);
  g_assert_cmpint (e.source, ==, 1);
  g_assert_cmpuint (e.synonyms->len, ==, 3);
  g_assert_cmpstr (synonym (&e, 0)->name, ==, "retention.ms");
  g_assert_cmpstr (synonym (&e, 0)->value, ==, "1000");
  g_assert_cmpint (synonym (&e, 0)->source, ==,
                   BROKER_CONFIG_SOURCE_TOPIC_CONFIG);
  g_assert_cmpstr (synonym (&e, 1)->name, ==, "log.retention.minutes");
  g_assert_cmpstr (synonym (&e, 2)->name, ==, "log.retention.hours");
  broker_config_entry_clear (&e);

  /* Without synonyms. */
  g_assert_true (broker_topic_config_describe (broker, over, "retention.ms",
                                               FALSE, &e));
  g_assert_null (e.synonyms);
  broker_config_entry_clear (&e);

  /* No broker synonym: the key's own default. */
  g_assert_true (broker_topic_config_describe (broker, NULL,
                                               "remote.storage.enable", TRUE,
                                               &e));
  g_assert_cmpstr (e.value, ==, "false");
  g_assert_cmpint (e.config_type, ==, BROKER_CONFIG_TYPE_BOOLEAN);
  g_assert_cmpuint (e.synonyms->len, ==, 1);
  g_assert_cmpstr (synonym (&e, 0)->name, ==, "remote.storage.enable");
  broker_config_entry_clear (&e);

  /* A broker synonym without default comes after the one with. */
  g_assert_true (broker_topic_config_describe (broker, NULL, "flush.ms",
                                               TRUE, &e));
  g_assert_cmpuint (e.synonyms->len, ==, 1);
  g_assert_cmpstr (synonym (&e, 0)->name, ==,
                   "log.flush.scheduler.interval.ms");
  broker_config_entry_clear (&e);

  g_assert_false (broker_topic_config_describe (broker, NULL, "nope", TRUE,
                                                &e));
  g_assert_null (e.value);
}

static void
test_validate (void)
{
  static const struct
  {
    const char *key;
    const char *value;
    const char *message;
  } bad[] = {
    { "retention.ms", "abc",
      "Invalid value abc for configuration retention.ms: not an integer" },
    { "retention.ms", "-2",
      "Invalid value -2 for configuration retention.ms: must be at least -1" },
    { "segment.bytes", "10",
      "Invalid value 10 for configuration segment.bytes: must be at least 14" },
    { "cleanup.policy", "delete,forever", NULL },
    { "compression.type", "brotli", NULL },
    { "message.timestamp.type", "Now", NULL },
    { "min.cleanable.dirty.ratio", "2", NULL },
    { "preallocate", "1", NULL },
    { "max.message.bytes", "4294967296", NULL },
  };
  static const struct
  {
    const char *key;
    const char *value;
  } good[] = {
    { "retention.ms", "-1" },
    { "retention.ms", " 1000 " },
    { "cleanup.policy", "compact, delete" },
    { "cleanup.policy", "" },
    { "compression.type", "zstd" },
    { "min.cleanable.dirty.ratio", "0.25" },
    { "preallocate", "TRUE" },
    { "flush.messages", "9223372036854775807" },
  };
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;

      g_assert_false (broker_topic_config_validate (bad[i].key, bad[i].value,
                                                    &e));
      g_assert_error (e, BROKER_CONFIG_ERROR,
                      BROKER_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (e->message, bad[i].key));
      if (bad[i].message != NULL)
        g_assert_cmpstr (e->message, ==, bad[i].message);
      g_assert_cmpint (broker_config_error_to_kafka (e), ==,
                       CAUDAL_ERROR_CODE_INVALID_CONFIG);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (broker_topic_config_validate (good[i].key, good[i].value,
                                                   &error));
      g_assert_no_error (error);
    }

  g_assert_false (broker_topic_config_validate ("retention.hours", "1",
                                                &error));
  g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_cmpstr (error->message, ==,
                   "Unknown topic config name: retention.hours");
  g_assert_cmpint (broker_config_error_to_kafka (error), ==,
                   CAUDAL_ERROR_CODE_INVALID_CONFIG);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/topic-config/table", test_table);
  g_test_add_func ("/topic-config/foreach", test_foreach);
  g_test_add_func ("/topic-config/defaults", test_defaults);
  g_test_add_func ("/topic-config/effective", test_effective);
  g_test_add_func ("/topic-config/describe", test_describe);
  g_test_add_func ("/topic-config/validate", test_validate);
  return g_test_run ();
}
