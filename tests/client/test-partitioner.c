/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-partitioner.c: the producer's default partitioner must agree with
 * Kafka's Java client, so that keyed records land on the same partitions
 * whichever client produced them.
 *
 * The expected values were computed with a verbatim copy of Kafka's
 * org.apache.kafka.common.utils.Utils.murmur2 compiled with javac and run
 * on OpenJDK (key.getBytes(UTF_8); partition = (murmur2 & 0x7fffffff) % n,
 * as BuiltInPartitioner.partitionForKey); the Java program was not kept. */

#include <string.h>

#include "caudal-producer.h"

typedef struct
{
  const char *key;
  gint32      murmur2;
  gint32      p3;
  gint32      p7;
  gint32      p100;
} Case;

static const Case cases[] = {
  { "", 275646681, 0, 2, 81 },
  { "a", -1563381124, 1, 5, 24 },
  { "ab", 316155434, 2, 0, 34 },
  { "abc", 479470107, 0, 4, 7 },
  { "abcd", -1323649548, 2, 5, 0 },
  { "key1", 28543940, 2, 5, 40 },
  { "user-42", 1459644460, 1, 1, 60 },
  { "caudal", -159766318, 1, 4, 30 },
  { "\xc3\xa9t\xc3\xa9", -2101193575, 1, 4, 73 },   /* "été" in UTF-8 */
  { "The quick brown fox jumps over the lazy dog", 495243318, 0, 3, 18 },
};

static void
test_murmur2_strings (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      gsize len = strlen (c->key);

      g_test_message ("key '%s'", c->key);
      g_assert_cmpint (caudal_murmur2 ((const guint8 *) c->key, len), ==, c->murmur2);
      g_assert_cmpint (caudal_partition_for_key ((const guint8 *) c->key, len, 3), ==, c->p3);
      g_assert_cmpint (caudal_partition_for_key ((const guint8 *) c->key, len, 7), ==, c->p7);
      g_assert_cmpint (caudal_partition_for_key ((const guint8 *) c->key, len, 100), ==, c->p100);
    }
}

static void
test_murmur2_binary (void)
{
  /* Bytes with the high bit set: Java's signed bytes are masked. */
  const guint8 key[] = { 0xff, 0x00, 0x80, 0x7f, 0x01 };

  g_assert_cmpint (caudal_murmur2 (key, sizeof key), ==, -315781896);
  g_assert_cmpint (caudal_partition_for_key (key, sizeof key, 3), ==, 2);
  g_assert_cmpint (caudal_partition_for_key (key, sizeof key, 7), ==, 6);
}

static void
test_single_partition (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (caudal_partition_for_key ((const guint8 *) cases[i].key, strlen (cases[i].key), 1), ==, 0);
}

static void
test_config (void)
{
  CaudalProducerConfig cfg;
  g_autoptr(GError) error = NULL;

  caudal_producer_config_init (&cfg);
  g_assert_cmpint (cfg.acks, ==, -1);
  g_assert_cmpuint (cfg.linger_ms, ==, 5);
  g_assert_cmpuint (cfg.batch_size, ==, 16384);
  g_assert_cmpint (cfg.partition, ==, -1);
  g_assert_cmpuint (cfg.retry_backoff_ms, ==, 100);
  g_assert_cmpuint (cfg.delivery_timeout_ms, ==, 120000);

  g_assert_true (caudal_producer_config_set (&cfg, "acks", "all", &error));
  g_assert_cmpint (cfg.acks, ==, -1);
  g_assert_true (caudal_producer_config_set (&cfg, "acks", "0", &error));
  g_assert_cmpint (cfg.acks, ==, 0);
  g_assert_true (caudal_producer_config_set (&cfg, "compression.type", "zstd", &error));
  g_assert_cmpint (cfg.compression, ==, CAUDAL_COMPRESSION_ZSTD);
  g_assert_true (caudal_producer_config_set (&cfg, "linger.ms", "0", &error));
  g_assert_cmpuint (cfg.linger_ms, ==, 0);

  g_assert_false (caudal_producer_config_set (&cfg, "acks", "2", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (caudal_producer_config_set (&cfg, "compression.type", "brotli", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (caudal_producer_config_set (&cfg, "batch.size", "-1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (caudal_producer_config_set (&cfg, "key.serializer", "x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/partitioner/murmur2-strings", test_murmur2_strings);
  g_test_add_func ("/client/partitioner/murmur2-binary", test_murmur2_binary);
  g_test_add_func ("/client/partitioner/single-partition", test_single_partition);
  g_test_add_func ("/client/producer/config", test_config);
  return g_test_run ();
}
