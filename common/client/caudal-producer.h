/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-producer.h: an asynchronous Kafka producer on a CaudalCluster:
 * per-partition batching (linger.ms, batch.size, compression), Kafka's
 * default partitioner (murmur2 of the key; sticky partitions without a
 * key), metadata lookups that may auto-create topics, routing to each
 * partition's leader, retries of retriable errors with backoff until
 * delivery.timeout.ms, and acks 0, 1 or -1 (all).
 *
 * Ordering: at most one Produce request per partition is in flight (as
 * Kafka's max.in.flight.requests.per.connection=1), so retries never
 * reorder the records of a partition. Delivery is at least once: a
 * request that times out is sent again. */
#pragma once

#include "caudal-cluster.h"
#include "caudal-compression.h"
#include "caudal-record-batch.h"

G_BEGIN_DECLS

/**
 * CaudalProducerConfig:
 * @acks: acks: 0 (do not wait for the broker), 1 (the leader), -1 (all
 *   in-sync replicas; the default, as in Kafka 3.0+)
 * @linger_ms: linger.ms: how long a batch that is not full waits for more
 *   records. Default 5, Kafka 4.0's default (older clients used 0)
 * @batch_size: batch.size: the most bytes (uncompressed) a batch grows to
 *   before it is sent; a larger record gets a batch of its own. Default
 *   16384
 * @compression: compression.type; default none
 * @partition: the partition of every record that names none; -1 (the
 *   default) lets the partitioner choose
 * @retry_backoff_ms: retry.backoff.ms, the wait before a retry (100)
 * @delivery_timeout_ms: delivery.timeout.ms: a record not delivered this
 *   long after it was sent fails (120000)
 * @request_timeout_ms: request.timeout.ms, the wait for one Produce
 *   response (30000)
 * @max_block_ms: max.block.ms: how long a record waits for its topic to
 *   appear in the metadata (60000)
 * @max_request_size: max.request.size, the most bytes of batches put in
 *   one Produce request (1048576)
 *
 * Initialise with caudal_producer_config_init(), then change fields (or
 * set them from Kafka property names with caudal_producer_config_set()).
 */
typedef struct
{
  gint16            acks;
  guint             linger_ms;
  guint             batch_size;
  CaudalCompression compression;
  gint32            partition;
  guint             retry_backoff_ms;
  guint             delivery_timeout_ms;
  guint             request_timeout_ms;
  guint             max_block_ms;
  guint             max_request_size;
} CaudalProducerConfig;

/* Fills @cfg with the defaults above. */
CAUDAL_CLIENT_EXPORT void     caudal_producer_config_init (CaudalProducerConfig *cfg);
/* Sets one field from its Kafka producer property name ("acks" with 0, 1,
 * -1 or all; "linger.ms"; "batch.size"; "compression.type";
 * "retry.backoff.ms"; "delivery.timeout.ms"; "request.timeout.ms";
 * "max.block.ms"; "max.request.size"). Errors: G_IO_ERROR_INVALID_ARGUMENT
 * for a bad value, G_IO_ERROR_NOT_SUPPORTED for a property this producer
 * does not know (callers may ignore it, as Kafka warns and goes on). */
CAUDAL_CLIENT_EXPORT gboolean caudal_producer_config_set  (CaudalProducerConfig *cfg,
                                                           const char           *key,
                                                           const char           *value,
                                                           GError              **error);

/**
 * CaudalProducerResult:
 * @partition: the partition the record went to
 * @offset: its offset, or -1 with acks=0
 * @timestamp: its timestamp: the broker's append time for topics with
 *   LogAppendTime, else the record's own
 *
 * Where a record was delivered (Kafka's RecordMetadata).
 */
typedef struct
{
  gint32 partition;
  gint64 offset;
  gint64 timestamp;
} CaudalProducerResult;

#define CAUDAL_TYPE_PRODUCER (caudal_producer_get_type ())
CAUDAL_CLIENT_EXPORT
G_DECLARE_FINAL_TYPE (CaudalProducer, caudal_producer, CAUDAL, PRODUCER, GObject)

/* @cfg: (nullable): the settings (copied); NULL for the defaults. */
CAUDAL_CLIENT_EXPORT CaudalProducer *caudal_producer_new (CaudalCluster              *cluster,
                                                          const CaudalProducerConfig *cfg);
CAUDAL_CLIENT_EXPORT CaudalCluster  *caudal_producer_get_cluster (CaudalProducer *producer);

/* Queues one record. @partition: -1 for the configured partition or the
 * partitioner; @key, @value: (nullable) (null is Kafka's null, distinct
 * from empty); @headers: (array length=n_headers) (nullable): copied;
 * @timestamp_ms: -1 for now. Completes when the broker acknowledged the
 * record (with acks=0: when it was written), or on failure: errors from
 * the broker in the CAUDAL_KAFKA_ERROR domain (the Kafka code),
 * CAUDAL_CLIENT_ERROR_TIMED_OUT after delivery.timeout.ms (or
 * max.block.ms without metadata; the message carries the last error seen,
 * e.g. "cannot connect to HOST:PORT: …"), CAUDAL_CLIENT_ERROR_NOT_FOUND
 * for a partition the topic lacks, G_IO_ERROR_CANCELLED. */
CAUDAL_CLIENT_EXPORT void     caudal_producer_send_async  (CaudalProducer           *producer,
                                                           const char               *topic,
                                                           gint32                    partition,
                                                           GBytes                   *key,
                                                           GBytes                   *value,
                                                           const CaudalRecordHeader *headers,
                                                           gsize                     n_headers,
                                                           gint64                    timestamp_ms,
                                                           GCancellable             *cancellable,
                                                           GAsyncReadyCallback       callback,
                                                           gpointer                  user_data);
/* @out: (out caller-allocates) (optional): where the record went. */
CAUDAL_CLIENT_EXPORT gboolean caudal_producer_send_finish (CaudalProducer       *producer,
                                                           GAsyncResult         *result,
                                                           CaudalProducerResult *out,
                                                           GError              **error);

/* Sends every queued batch now (ignoring linger.ms) and completes when
 * all records sent before the call have completed, delivered or not. */
CAUDAL_CLIENT_EXPORT void     caudal_producer_flush_async  (CaudalProducer     *producer,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_producer_flush_finish (CaudalProducer *producer,
                                                            GAsyncResult   *result,
                                                            GError        **error);

/* ---- the default partitioner (Kafka's BuiltInPartitioner) ---- */

/* Kafka's Utils.murmur2 (MurmurHash2, seed 0x9747b28c), as a signed
 * 32-bit value like Java's. */
CAUDAL_CLIENT_EXPORT gint32 caudal_murmur2 (const guint8 *data,
                                            gsize         len);
/* The partition Kafka's default partitioner picks for a non-null key:
 * (murmur2 (key) & 0x7fffffff) % n_partitions. */
CAUDAL_CLIENT_EXPORT gint32 caudal_partition_for_key (const guint8 *key,
                                                      gsize         len,
                                                      gint32        n_partitions);

G_END_DECLS
