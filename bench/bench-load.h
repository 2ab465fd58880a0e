/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-load: a load generator on Debian's librdkafka (an independent
 * client, not libcaudal). Shared options, helpers and the result record;
 * one file per mode (bench-load-{produce,consume,latency}.c). */
#pragma once

#include <glib.h>
#include <librdkafka/rdkafka.h>

G_BEGIN_DECLS

#define BENCH_LOAD_ERROR (bench_load_error_quark ())
GQuark bench_load_error_quark (void);

typedef struct
{
  char   *mode;           /* produce, consume, latency */
  char   *bootstrap;
  char   *topic;
  gint64  messages;       /* produce/consume: N; latency: measured messages */
  int     size;           /* value bytes */
  int     partitions;     /* of the topic created */
  char   *acks;           /* 0, 1, all */
  int     linger_ms;      /* -1 until main() sets the mode's default */
  int     batch_size;
  char   *compression;
  int     producers;      /* producer instances, one thread each */
  char   *group;          /* consume: subscribe in this group */
  int     rate;           /* latency: messages per second */
  double  warmup_s;       /* latency: leading seconds not measured */
  double  timeout_s;      /* the whole run */
  gboolean no_create;     /* the topic exists already (peer: no CreateTopics) */
  gboolean fill;          /* consume: produce the N messages first */
  gboolean allow_loss;    /* latency: missing messages are reported, not a failure */
  char  **topic_config;   /* k=v broker-side topic configs */
  char  **client_config;  /* -X k=v librdkafka settings, applied last */
} BenchOptions;

/* One JSON object of "key": value pairs, built in order. */
typedef struct
{
  GString *json;
} BenchReport;

void     bench_report_init   (BenchReport *r);
void     bench_report_int    (BenchReport *r, const char *key, gint64 value);
void     bench_report_double (BenchReport *r, const char *key, double value);
void     bench_report_string (BenchReport *r, const char *key, const char *value);
void     bench_report_bool   (BenchReport *r, const char *key, gboolean value);
char    *bench_report_finish (BenchReport *r);

gint64   bench_now_ns        (void);

/* Client configuration: bench_conf_new() sets the common settings, the
 * mode adds its own with bench_conf_set(), bench_conf_finish() applies the
 * -X settings last so they win. */
rd_kafka_conf_t *bench_conf_new (const BenchOptions *o);
gboolean bench_conf_set      (rd_kafka_conf_t *conf, const char *key,
                              const char *value, GError **error);
gboolean bench_conf_finish   (const BenchOptions *o, rd_kafka_conf_t *conf,
                              GError **error);
/* Sets acks, linger.ms, batch.size and compression from the options. */
gboolean bench_conf_producer (const BenchOptions *o, rd_kafka_conf_t *conf,
                              GError **error);
/* For a consumer that assigns partitions itself: no commits, and the
 * group.id that librdkafka's assign() insists on although it never joins. */
gboolean bench_conf_assign_only (rd_kafka_conf_t *conf, GError **error);
rd_kafka_t *bench_client_new (rd_kafka_type_t type, rd_kafka_conf_t *conf,
                              GError **error);

gboolean bench_create_topic  (const BenchOptions *o, GError **error);
/* Waits until the topic has leaders for all its partitions (and
 * @expected partitions when > 0); returns the partition count or -1. */
int      bench_topic_partitions (rd_kafka_t *rk, const char *topic,
                                 int expected, GError **error);

/* Modes: add their figures to @r and a summary line on stderr. FALSE with
 * @error when the workload failed (errors, missing messages, timeout). */
typedef struct
{
  gint64 acked;
  gint64 errors;
  gint64 elapsed_ns;
  char  *first_error;
} BenchProduceResult;

/* @round_robin: message i to partition i mod P instead of the client's
 * partitioner. */
gboolean bench_produce_run (const BenchOptions *o, gint64 messages,
                            gboolean round_robin, BenchProduceResult *res,
                            GError **error);
gboolean bench_produce     (const BenchOptions *o, BenchReport *r, GError **error);
gboolean bench_consume     (const BenchOptions *o, BenchReport *r, GError **error);
gboolean bench_latency     (const BenchOptions *o, BenchReport *r, GError **error);

G_END_DECLS
