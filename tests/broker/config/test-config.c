/* SPDX-License-Identifier: GPL-3.0-or-later */
/* BrokerConfig: defaults, server.properties files, overrides, invalid
 * values, unknown keys, derived values and DescribeConfigs entries. */
#include "broker-config.h"

#include "broker-listeners.h"
#include "caudal-error-codes.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* Writes @text to a new temporary file; returns its path. */
static char *
write_temp (const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("caudal-config-XXXXXX.properties", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_temp (char *path)
{
  g_unlink (path);
  g_free (path);
}

static void
test_defaults (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (broker_config_get_string (cfg, "listeners"), ==,
                   "PLAINTEXT://:9092");
  g_assert_null (broker_config_get_string (cfg, "advertised.listeners"));
  g_assert_cmpint (broker_config_get_int32 (cfg, "num.partitions"), ==, 1);
  g_assert_cmpint (broker_config_get_int32 (cfg, "default.replication.factor"),
                   ==, 1);
  g_assert_true (broker_config_get_bool (cfg, "auto.create.topics.enable"));
  g_assert_true (broker_config_get_bool (cfg, "delete.topic.enable"));
  g_assert_false (broker_config_get_bool (cfg,
                                          "unclean.leader.election.enable"));
  g_assert_cmpint (broker_config_get_int32 (cfg, "socket.request.max.bytes"),
                   ==, 104857600);
  g_assert_cmpint (broker_config_get_int64 (cfg, "connections.max.idle.ms"),
                   ==, 600000);
  g_assert_cmpint (broker_config_get_int32 (cfg, "log.retention.hours"), ==,
                   168);
  g_assert_cmpint (broker_config_get_int32 (cfg, "message.max.bytes"), ==,
                   1048588);
  g_assert_cmpstr (broker_config_get_string (cfg, "compression.type"), ==,
                   "producer");
  g_assert_cmpint (broker_config_get_int64 (cfg, "log.flush.interval.messages"),
                   ==, G_MAXINT64);
  g_assert_cmpfloat (broker_config_get_double (cfg,
                                               "log.cleaner.min.cleanable.ratio"),
                     ==, 0.5);
  g_assert_null (broker_config_get_string (cfg, "cluster.id"));
  g_assert_null (broker_config_get_string (cfg, "no.such.key"));
  g_assert_false (broker_config_is_set (cfg, "listeners"));

  g_assert_cmpint (broker_config_get_node_id (cfg), ==, 1);
  g_assert_cmpint (broker_config_get_log_retention_ms (cfg), ==,
                   168 * G_GINT64_CONSTANT (3600000));
  g_assert_cmpint (broker_config_get_log_roll_ms (cfg), ==,
                   168 * G_GINT64_CONSTANT (3600000));

  /* Every default passes its own validator, and the whole default
   * configuration is consistent. */
  {
    gsize n = 0;
    const BrokerConfigDef *table = broker_config_get_table (&n);

    g_assert_cmpuint (n, >, 50);
    for (gsize i = 0; i < n; i++)
      {
        g_autofree char *reason = NULL;

        g_assert_nonnull (table[i].doc);
        g_assert_true (g_str_has_suffix (table[i].doc, "."));
        g_assert_true (table[i].type >= BROKER_CONFIG_TYPE_BOOLEAN
                       && table[i].type <= BROKER_CONFIG_TYPE_PASSWORD);
        g_assert_true (broker_config_lookup (table[i].name) == &table[i]);
        if (table[i].default_value == NULL)
          continue;
        if (!broker_config_value_check (table[i].type, &table[i].check,
                                        table[i].default_value, &reason))
          g_error ("default of %s: %s", table[i].name, reason);
      }
  }
  g_assert_true (broker_config_validate (cfg, &error));
  g_assert_no_error (error);
}

static void
test_file (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;
  char *path = write_temp (
      "# server.properties\n"
      "! Kafka-style comment\n"
      "broker.id=7\n"
      "num.partitions: 3\n"
      "log.dirs /srv/a,\\\n"
      "         /srv/b\n"
      "   auto.create.topics.enable = FALSE\n"
      "broker.rack=r\\u0061ck-\\t1\n"
      "log.retention.hours=24\n"
      "log.retention.hours=48\n"
      "queued.max.requests = 10   \n");

  g_assert_true (broker_config_load_file (cfg, path, &error));
  g_assert_no_error (error);

  g_assert_true (broker_config_is_set (cfg, "broker.id"));
  g_assert_cmpint (broker_config_get_node_id (cfg), ==, 7);
  g_assert_cmpint (broker_config_get_int32 (cfg, "num.partitions"), ==, 3);
  g_assert_cmpstr (broker_config_get_string (cfg, "log.dirs"), ==,
                   "/srv/a,/srv/b");
  g_assert_false (broker_config_get_bool (cfg, "auto.create.topics.enable"));
  g_assert_cmpstr (broker_config_get_string (cfg, "broker.rack"), ==,
                   "rack-\t1");
  /* The later line wins. */
  g_assert_cmpint (broker_config_get_int32 (cfg, "log.retention.hours"), ==,
                   48);
  /* Values are trimmed before use, as Kafka trims them. */
  g_assert_cmpstr (broker_config_get_string (cfg, "queued.max.requests"), ==,
                   "10");
  g_assert_false (broker_config_is_set (cfg, "listeners"));
  remove_temp (path);
}

static void
test_missing_file (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (broker_config_load_file (cfg, "/nonexistent/caudal.conf",
                                           &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_overrides (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;
  char *path = write_temp ("num.partitions=3\nlog.segment.bytes=1048576\n");

  g_assert_true (broker_config_load_file (cfg, path, &error));
  g_assert_true (broker_config_parse_override (cfg, "num.partitions=12",
                                               &error));
  g_assert_true (broker_config_parse_override (cfg, " listeners = "
                                               "PLAINTEXT://127.0.0.1:0",
                                               &error));
  g_assert_true (broker_config_parse_override (cfg, "log.dirs=/a=b", &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_config_get_int32 (cfg, "num.partitions"), ==, 12);
  g_assert_cmpint (broker_config_get_int32 (cfg, "log.segment.bytes"), ==,
                   1048576);
  g_assert_cmpstr (broker_config_get_string (cfg, "listeners"), ==,
                   "PLAINTEXT://127.0.0.1:0");
  g_assert_cmpstr (broker_config_get_string (cfg, "log.dirs"), ==, "/a=b");

  g_assert_false (broker_config_parse_override (cfg, "num.partitions", &error));
  g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_false (broker_config_parse_override (cfg, "=5", &error));
  g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX);
  remove_temp (path);
}

static void
test_invalid_values (void)
{
  static const struct
  {
    const char *key;
    const char *value;
    const char *message;
  } cases[] = {
    { "num.partitions", "abc",
      "invalid value 'abc' for num.partitions: not an integer" },
    { "num.partitions", "0",
      "invalid value '0' for num.partitions: must be at least 1" },
    { "num.partitions", "", "invalid value '' for num.partitions: not an integer" },
    { "num.partitions", "3000000000",
      "invalid value '3000000000' for num.partitions: out of range for a int" },
    { "offsets.topic.replication.factor", "40000", NULL },
    { "log.retention.ms", "1.5", NULL },
    { "log.retention.ms", "99999999999999999999", NULL },
    { "auto.create.topics.enable", "yes",
      "invalid value 'yes' for auto.create.topics.enable: not a boolean "
      "(expected true or false)" },
    { "compression.type", "brotli", NULL },
    { "log.cleanup.policy", "delete,archive", NULL },
    { "log.message.timestamp.type", "createtime", NULL },
    { "log.cleaner.min.cleanable.ratio", "1.5", NULL },
    { "log.cleaner.min.cleanable.ratio", "half", NULL },
    { "listeners", "PLAINTEXT://:99999", NULL },
    { "listeners", "localhost:9092", NULL },
    { "listener.security.protocol.map", "A:TLS", NULL },
    { "cluster.id", "has space", NULL },
    { "ssl.key.password", "x", NULL },  /* valid: see below */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BrokerConfig) cfg = broker_config_new ();
      g_autoptr (GError) error = NULL;
      gboolean ok = broker_config_set (cfg, cases[i].key, cases[i].value,
                                       &error);

      if (g_str_equal (cases[i].key, "ssl.key.password"))
        {
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, BROKER_CONFIG_ERROR,
                      BROKER_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, cases[i].key));
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_false (broker_config_is_set (cfg, cases[i].key));
      g_assert_cmpint (broker_config_error_to_kafka (error), ==,
                       CAUDAL_ERROR_CODE_INVALID_CONFIG);
    }
}

static void
test_invalid_in_file (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;
  char *path = write_temp ("broker.id=1\n\n# c\nnum.partitions=abc\n");
  g_autofree char *expected = g_strdup_printf (
      "%s:4: invalid value 'abc' for num.partitions: not an integer", path);

  g_assert_false (broker_config_load_file (cfg, path, &error));
  g_assert_error (error, BROKER_CONFIG_ERROR,
                  BROKER_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  remove_temp (path);

  path = write_temp ("a=\\uXYZW\n");
  g_assert_false (broker_config_load_file (cfg, path, &error));
  g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, path));
  remove_temp (path);
}

static void
test_unknown_key (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;
  BrokerConfigEntry entry;
  char *path = write_temp ("num.partitions=2\nfoo.bar=baz\n");

  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING,
                         "*unknown configuration key 'foo.bar'*");
  g_assert_true (broker_config_load_file (cfg, path, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  /* Kept, but not described. */
  g_assert_true (broker_config_is_set (cfg, "foo.bar"));
  g_assert_cmpstr (broker_config_get_string (cfg, "foo.bar"), ==, "baz");
  g_assert_false (broker_config_is_known ("foo.bar"));
  g_assert_false (broker_config_describe_key (cfg, "foo.bar", TRUE, &entry));
  g_assert_null (entry.synonyms);
  g_assert_cmpint (broker_config_get_int32 (cfg, "num.partitions"), ==, 2);
  remove_temp (path);
}

static void
test_retention_precedence (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();

  g_assert_true (broker_config_set (cfg, "log.retention.hours", "2", NULL));
  g_assert_cmpint (broker_config_get_log_retention_ms (cfg), ==, 7200000);
  g_assert_true (broker_config_set (cfg, "log.retention.minutes", "3", NULL));
  g_assert_cmpint (broker_config_get_log_retention_ms (cfg), ==, 180000);
  g_assert_true (broker_config_set (cfg, "log.retention.ms", "1234", NULL));
  g_assert_cmpint (broker_config_get_log_retention_ms (cfg), ==, 1234);
  g_assert_true (broker_config_set (cfg, "log.retention.ms", "-1", NULL));
  g_assert_cmpint (broker_config_get_log_retention_ms (cfg), ==, -1);

  g_assert_true (broker_config_set (cfg, "log.roll.hours", "1", NULL));
  g_assert_cmpint (broker_config_get_log_roll_ms (cfg), ==, 3600000);
  g_assert_true (broker_config_set (cfg, "log.roll.ms", "5000", NULL));
  g_assert_cmpint (broker_config_get_log_roll_ms (cfg), ==, 5000);
}

static void
test_retention_negative_hours (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();

  g_assert_true (broker_config_set (cfg, "log.retention.hours", "-1", NULL));
  g_assert_cmpint (broker_config_get_log_retention_ms (cfg), ==, -1);
}

static void
test_log_dirs (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("STATE_DIRECTORY"));
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "caudal",
                                            NULL);

  {
    g_autoptr (BrokerConfig) cfg = broker_config_new ();
    g_auto (GStrv) dirs = NULL;

    g_unsetenv ("STATE_DIRECTORY");
    dirs = broker_config_get_log_dirs (cfg);
    g_assert_cmpuint (g_strv_length (dirs), ==, 1);
    g_assert_cmpstr (dirs[0], ==, user);
  }
  {
    g_autoptr (BrokerConfig) cfg = broker_config_new ();
    g_auto (GStrv) a = NULL;
    g_auto (GStrv) b = NULL;
    g_auto (GStrv) c = NULL;
    g_auto (GStrv) d = NULL;

    g_setenv ("STATE_DIRECTORY", "/var/lib/caudal:/var/lib/other", TRUE);
    a = broker_config_get_log_dirs (cfg);
    g_assert_cmpstrv (a, ((const char *const[]) { "/var/lib/caudal", NULL }));

    g_assert_true (broker_config_set (cfg, "log.dir", "/d1", NULL));
    b = broker_config_get_log_dirs (cfg);
    g_assert_cmpstrv (b, ((const char *const[]) { "/d1", NULL }));

    g_assert_true (broker_config_set (cfg, "log.dirs", " /x , /y ,", NULL));
    c = broker_config_get_log_dirs (cfg);
    g_assert_cmpstrv (c, ((const char *const[]) { "/x", "/y", NULL }));

    /* An empty log.dirs falls through to log.dir. */
    g_assert_true (broker_config_set (cfg, "log.dirs", "", NULL));
    d = broker_config_get_log_dirs (cfg);
    g_assert_cmpstrv (d, ((const char *const[]) { "/d1", NULL }));
  }

  if (saved != NULL)
    g_setenv ("STATE_DIRECTORY", saved, TRUE);
  else
    g_unsetenv ("STATE_DIRECTORY");
}

static void
test_node_id (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (broker_config_set (cfg, "broker.id", "-1", NULL));
  g_assert_cmpint (broker_config_get_node_id (cfg), ==, 1);
  g_assert_true (broker_config_set (cfg, "broker.id", "4", NULL));
  g_assert_cmpint (broker_config_get_node_id (cfg), ==, 4);
  g_assert_true (broker_config_set (cfg, "node.id", "5", NULL));
  g_assert_cmpint (broker_config_get_node_id (cfg), ==, 5);

  g_assert_false (broker_config_validate (cfg, &error));
  g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_INCONSISTENT);
  g_clear_error (&error);
  g_assert_true (broker_config_set (cfg, "broker.id", "5", NULL));
  g_assert_true (broker_config_validate (cfg, &error));
  g_assert_no_error (error);

  g_assert_false (broker_config_set (cfg, "node.id", "-2", &error));
  g_assert_error (error, BROKER_CONFIG_ERROR,
                  BROKER_CONFIG_ERROR_INVALID_VALUE);
}

static void
test_validate_listeners (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) adv = NULL;
  BrokerListener *l;

  /* A custom name parses per key, but needs a mapping as a whole. */
  g_assert_true (broker_config_set (cfg, "listeners",
                                    "CLIENT://:9092,PLAINTEXT://:9093", NULL));
  g_assert_false (broker_config_validate (cfg, &error));
  g_assert_error (error, BROKER_CONFIG_ERROR,
                  BROKER_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "CLIENT"));
  g_clear_error (&error);

  g_assert_true (broker_config_set (cfg, "listener.security.protocol.map",
                                    "CLIENT:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                                    NULL));
  g_assert_true (broker_config_validate (cfg, &error));
  g_assert_no_error (error);

  /* advertised.listeners defaults to listeners; it may repeat ports. */
  adv = broker_config_get_advertised_listeners (cfg, &error);
  g_assert_cmpuint (adv->len, ==, 2);
  g_clear_pointer (&adv, g_ptr_array_unref);
  g_assert_true (broker_config_set (cfg, "advertised.listeners",
                                    "CLIENT://a.example:9092,"
                                    "PLAINTEXT://b.example:9092", NULL));
  adv = broker_config_get_advertised_listeners (cfg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adv->len, ==, 2);
  l = g_ptr_array_index (adv, 0);
  g_assert_cmpstr (l->host, ==, "a.example");

  g_assert_true (broker_config_set (cfg, "listener.security.protocol.map",
                                    "CLIENT:SSL,PLAINTEXT:PLAINTEXT", NULL));
  g_assert_false (broker_config_validate (cfg, &error));
  g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "SSL"));
}

static void
test_dynamic (void)
{
  g_assert_false (broker_config_is_dynamic ("broker.id"));
  g_assert_false (broker_config_is_dynamic ("num.partitions"));
  g_assert_true (broker_config_is_dynamic ("listeners"));
  g_assert_true (broker_config_is_dynamic ("log.retention.ms"));
  g_assert_false (broker_config_is_dynamic ("log.retention.hours"));
  g_assert_false (broker_config_is_dynamic ("no.such.key"));
}

static const BrokerConfigSynonym *
synonym (const BrokerConfigEntry *e, guint i)
{
  g_assert_nonnull (e->synonyms);
  g_assert_cmpuint (i, <, e->synonyms->len);
  return g_ptr_array_index (e->synonyms, i);
}

static void
test_describe (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  BrokerConfigEntry e;

  g_assert_true (broker_config_set (cfg, "log.retention.minutes", "30", NULL));
  g_assert_true (broker_config_set (cfg, "num.partitions", "4", NULL));
  g_assert_true (broker_config_set (cfg, "ssl.keystore.password", "secret",
                                    NULL));

  g_assert_true (broker_config_describe_key (cfg, "num.partitions", FALSE, &e));
  g_assert_cmpstr (e.name, ==, "num.partitions");
  g_assert_cmpstr (e.value, ==, "4");
  g_assert_cmpint (e.source, ==, BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  g_assert_cmpint (e.source, ==, 4);
  g_assert_true (e.read_only);
  g_assert_false (e.sensitive);
  g_assert_cmpint (e.config_type, ==, BROKER_CONFIG_TYPE_INT);
  g_assert_cmpint (e.config_type, ==, 3);
  g_assert_nonnull (e.documentation);
  g_assert_null (e.synonyms);
  broker_config_entry_clear (&e);

  g_assert_true (broker_config_describe_key (cfg, "log.retention.hours", TRUE,
                                             &e));
  g_assert_cmpstr (e.value, ==, "168");
  g_assert_cmpint (e.source, ==, BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
  g_assert_cmpint (e.source, ==, 5);
  g_assert_cmpuint (e.synonyms->len, ==, 2);
  g_assert_cmpstr (synonym (&e, 0)->name, ==, "log.retention.minutes");
  g_assert_cmpstr (synonym (&e, 0)->value, ==, "30");
  g_assert_cmpint (synonym (&e, 0)->source, ==,
                   BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  g_assert_cmpstr (synonym (&e, 1)->name, ==, "log.retention.hours");
  g_assert_cmpstr (synonym (&e, 1)->value, ==, "168");
  g_assert_cmpint (synonym (&e, 1)->source, ==,
                   BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
  broker_config_entry_clear (&e);

  /* A null default, not set: value null, empty synonym list. */
  g_assert_true (broker_config_describe_key (cfg, "advertised.listeners",
                                             TRUE, &e));
  g_assert_null (e.value);
  g_assert_false (e.read_only);
  g_assert_cmpuint (e.synonyms->len, ==, 0);
  broker_config_entry_clear (&e);

  /* Sensitive: no value anywhere. */
  g_assert_true (broker_config_describe_key (cfg, "ssl.keystore.password",
                                             TRUE, &e));
  g_assert_true (e.sensitive);
  g_assert_null (e.value);
  g_assert_cmpint (e.config_type, ==, BROKER_CONFIG_TYPE_PASSWORD);
  g_assert_cmpint (e.source, ==, BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  g_assert_cmpuint (e.synonyms->len, ==, 1);
  g_assert_null (synonym (&e, 0)->value);
  broker_config_entry_clear (&e);
}

static void
count_entry (const BrokerConfigEntry *entry, gpointer user_data)
{
  guint *n = user_data;

  g_assert_nonnull (entry->name);
  g_assert_nonnull (entry->synonyms);
  (*n)++;
}

static void
test_foreach_describe (void)
{
  g_autoptr (BrokerConfig) cfg = broker_config_new ();
  gsize n = 0;
  guint seen = 0;

  broker_config_get_table (&n);
  broker_config_foreach_describe (cfg, TRUE, count_entry, &seen);
  g_assert_cmpuint (seen, ==, n);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/file", test_file);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/overrides", test_overrides);
  g_test_add_func ("/config/invalid-values", test_invalid_values);
  g_test_add_func ("/config/invalid-in-file", test_invalid_in_file);
  g_test_add_func ("/config/unknown-key", test_unknown_key);
  g_test_add_func ("/config/retention-precedence", test_retention_precedence);
  g_test_add_func ("/config/retention-negative-hours",
                   test_retention_negative_hours);
  g_test_add_func ("/config/log-dirs", test_log_dirs);
  g_test_add_func ("/config/node-id", test_node_id);
  g_test_add_func ("/config/validate-listeners", test_validate_listeners);
  g_test_add_func ("/config/dynamic", test_dynamic);
  g_test_add_func ("/config/describe", test_describe);
  g_test_add_func ("/config/foreach-describe", test_foreach_describe);
  return g_test_run ();
}
