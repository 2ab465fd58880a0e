/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cluster.c: libcaudal's connection and cluster layers against two
 * real peers: librdkafka's mock cluster (a third-party Kafka-protocol
 * broker, via tests/client/mock-cluster) and caudald. Version
 * negotiation, metadata, routing to the controller, and the "cannot
 * connect" error. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "caudal-cluster.h"
#include "caudal-consumer.h"
#include "caudal-producer.h"
#include "client-test-peer.h"
#include "caudal-error-codes.h"

static gboolean
refresh (CaudalCluster      *cluster,
         const char *const  *topics,
         gboolean            create,
         GError            **error)
{
  g_auto(CaudalSync) sync = { 0 };

  caudal_cluster_refresh_metadata_async (cluster, topics, create, NULL, caudal_sync_callback, &sync);
  return caudal_cluster_refresh_metadata_finish (cluster, caudal_sync_wait (&sync), error);
}

/* Metadata of a known topic, and the version negotiated for it. */
static void
check_metadata (const char *bootstrap,
                const char *topic,
                guint       partitions,
                gint16      metadata_max)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = caudal_cluster_new (bootstrap, "test-cluster", &error);
  const char *one[] = { topic, NULL };
  CaudalTopicInfo *t;
  CaudalConnection *conn;

  g_assert_no_error (error);
  refresh (cluster, one, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (caudal_cluster_get_brokers (cluster)->len, >=, 1);
  g_assert_cmpint (caudal_cluster_get_controller_id (cluster), >=, 0);
  t = caudal_cluster_lookup_topic (cluster, topic);
  g_assert_nonnull (t);
  g_assert_cmpint (t->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpuint (t->partitions->len, ==, partitions);
  for (guint p = 0; p < partitions; p++)
    {
      CaudalPartitionInfo *pi = g_ptr_array_index (t->partitions, p);
      g_assert_cmpint (pi->partition, ==, (gint) p);
      g_assert_cmpint (pi->leader, >=, 0);
    }
  /* The connection behind a broker negotiated versions: Metadata at the
   * peer's maximum, not ours. */
  {
    CaudalBrokerInfo *b = g_ptr_array_index (caudal_cluster_get_brokers (cluster), 0);
    conn = caudal_cluster_get_connection (cluster, b->node_id);
  }
  g_assert_nonnull (conn);
  {
    g_auto(CaudalSync) sync = { 0 };
    caudal_connection_connect_async (conn, NULL, caudal_sync_callback, &sync);
    g_assert_true (caudal_connection_connect_finish (conn, caudal_sync_wait (&sync), &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (caudal_connection_pick_version (conn, CAUDAL_API_KEY_METADATA, -1), ==, metadata_max);
}

static void
test_mock_metadata (void)
{
  Peer peer = { 0 };
  const char *topics[] = { "mock-three:3", NULL };

  peer_start_mock (&peer, topics);
  /* librdkafka 2.0.2's mock offers Metadata up to v2 (protocol-matrix.md). */
  check_metadata (peer.bootstrap, "mock-three", 3, 2);
  peer_stop (&peer);
}

static void
test_caudald_metadata (void)
{
  Peer peer = { 0 };

  peer_start_caudald (&peer);
  /* Auto-created with num.partitions=3; Metadata at our maximum. */
  check_metadata (peer.bootstrap, "auto-three", 3,
                  caudal_api_lookup (CAUDAL_API_KEY_METADATA)->max_version);
  peer_stop (&peer);
}

/* Our producer writes N keyed records, our consumer reads them back from
 * the beginning: same keys, values, order, and keyed partitions. */
static void
check_round_trip (const char *bootstrap,
                  const char *topic,
                  guint       partitions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = caudal_cluster_new (bootstrap, "test-roundtrip", &error);
  g_autoptr(CaudalProducer) producer = NULL;
  g_autoptr(CaudalConsumer) consumer = NULL;
  CaudalProducerConfig cfg;
  const guint n = 30;
  guint got = 0;
  gint64 next_offset[8] = { 0 };

  g_assert_no_error (error);
  caudal_producer_config_init (&cfg);
  cfg.acks = -1;
  producer = caudal_producer_new (cluster, &cfg);
  for (guint i = 0; i < n; i++)
    {
      g_auto(CaudalSync) sync = { 0 };
      g_autofree char *k = g_strdup_printf ("key-%u", i % 5);
      g_autofree char *v = g_strdup_printf ("value-%u", i);
      g_autoptr(GBytes) key = g_bytes_new (k, strlen (k));
      g_autoptr(GBytes) value = g_bytes_new (v, strlen (v));
      CaudalProducerResult res = { 0 };

      caudal_producer_send_async (producer, topic, -1, key, value, NULL, 0, -1, NULL,
                                  caudal_sync_callback, &sync);
      g_assert_true (caudal_producer_send_finish (producer, caudal_sync_wait (&sync), &res, &error));
      g_assert_no_error (error);
      /* Java's partitioner: the same key, the same partition. */
      g_assert_cmpint (res.partition, ==, caudal_partition_for_key ((const guint8 *) k, strlen (k), (gint32) partitions));
      g_assert_cmpint (res.offset, ==, next_offset[res.partition]);
      next_offset[res.partition]++;
    }

  consumer = caudal_consumer_new (cluster);
  for (guint p = 0; p < partitions; p++)
    caudal_consumer_assign (consumer, topic, (gint32) p, CAUDAL_OFFSET_BEGINNING);
  for (guint attempt = 0; attempt < 50 && got < n; attempt++)
    {
      g_auto(CaudalSync) sync = { 0 };
      g_autoptr(GPtrArray) messages = NULL;

      caudal_consumer_poll_async (consumer, NULL, caudal_sync_callback, &sync);
      messages = caudal_consumer_poll_finish (consumer, caudal_sync_wait (&sync), &error);
      g_assert_no_error (error);
      for (guint i = 0; messages != NULL && i < messages->len; i++)
        {
          CaudalMessage *m = g_ptr_array_index (messages, i);
          gsize klen, vlen;
          const char *kd = g_bytes_get_data (m->key, &klen);
          const char *vd = g_bytes_get_data (m->value, &vlen);
          g_autofree char *k = g_strndup (kd, klen);
          g_autofree char *v = g_strndup (vd, vlen);
          g_autofree char *expected_key = NULL;
          guint index;

          g_assert_true (g_str_has_prefix (v, "value-"));
          index = (guint) g_ascii_strtoull (v + 6, NULL, 10);
          expected_key = g_strdup_printf ("key-%u", index % 5);
          g_assert_cmpstr (k, ==, expected_key);
          g_assert_cmpint (m->partition, ==, caudal_partition_for_key ((const guint8 *) k, klen, (gint32) partitions));
          got++;
        }
    }
  g_assert_cmpuint (got, ==, n);
}

static void
test_mock_round_trip (void)
{
  Peer peer = { 0 };
  const char *topics[] = { "mock-rt:3", NULL };

  peer_start_mock (&peer, topics);
  check_round_trip (peer.bootstrap, "mock-rt", 3);
  peer_stop (&peer);
}

static void
test_caudald_round_trip (void)
{
  Peer peer = { 0 };

  peer_start_caudald (&peer);
  /* Auto-created with num.partitions=3. */
  check_round_trip (peer.bootstrap, "rt-three", 3);
  peer_stop (&peer);
}

/* A port nothing listens on fails at once with the address in the
 * message. */
static void
test_cannot_connect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *bootstrap = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(CaudalCluster) cluster = NULL;
  guint16 port;

  /* Bind without listening: the port is ours and refuses connections. */
  g_assert_true (g_socket_bind (sock, addr, TRUE, &error));
  bound = g_socket_get_local_address (sock, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  bootstrap = g_strdup_printf ("127.0.0.1:%u", port);
  cluster = caudal_cluster_new (bootstrap, "test", &error);
  g_assert_no_error (error);
  g_assert_false (refresh (cluster, NULL, FALSE, &error));
  g_assert_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT);
  expected = g_strdup_printf ("cannot connect to 127.0.0.1:%u: ", port);
  g_assert_true (g_str_has_prefix (error->message, expected));
}

static void
test_bad_bootstrap (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = caudal_cluster_new ("localhost:notaport", "test", &error);

  g_assert_null (cluster);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (caudal_cluster_new ("", "test", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/cluster/bad-bootstrap", test_bad_bootstrap);
  g_test_add_func ("/client/cluster/cannot-connect", test_cannot_connect);
  g_test_add_func ("/client/cluster/mock-metadata", test_mock_metadata);
  g_test_add_func ("/client/cluster/caudald-metadata", test_caudald_metadata);
  g_test_add_func ("/client/roundtrip/mock", test_mock_round_trip);
  g_test_add_func ("/client/roundtrip/caudald", test_caudald_round_trip);
  return g_test_run ();
}
