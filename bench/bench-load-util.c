/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-load helpers: the JSON result line, the clock, client
 * configuration and topic creation through the admin API. */
#include "bench-load.h"

#include <math.h>
#include <string.h>
#include <time.h>

G_DEFINE_QUARK (bench-load-error-quark, bench_load_error)

#define ADMIN_TIMEOUT_MS 15000
#define TOPIC_WAIT_US    (15 * G_USEC_PER_SEC)

/* ---- JSON ---- */

void
bench_report_init (BenchReport *r)
{
  r->json = g_string_new ("{");
}

static void
append_key (BenchReport *r,
            const char  *key)
{
  if (r->json->len > 1)
    g_string_append (r->json, ", ");
  g_string_append_printf (r->json, "\"%s\": ", key);
}

void
bench_report_int (BenchReport *r,
                  const char  *key,
                  gint64       value)
{
  append_key (r, key);
  g_string_append_printf (r->json, "%" G_GINT64_FORMAT, value);
}

void
bench_report_double (BenchReport *r,
                     const char  *key,
                     double       value)
{
  append_key (r, key);
  /* JSON has no NaN or infinity; g_ascii_ keeps the '.' in any locale. */
  if (isfinite (value))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (r->json, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
    }
  else
    g_string_append (r->json, "null");
}

void
bench_report_string (BenchReport *r,
                     const char  *key,
                     const char  *value)
{
  append_key (r, key);
  if (value == NULL)
    {
      g_string_append (r->json, "null");
      return;
    }
  g_string_append_c (r->json, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (r->json, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (r->json, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (r->json, *p);
    }
  g_string_append_c (r->json, '"');
}

void
bench_report_bool (BenchReport *r,
                   const char  *key,
                   gboolean     value)
{
  append_key (r, key);
  g_string_append (r->json, value ? "true" : "false");
}

char *
bench_report_finish (BenchReport *r)
{
  g_string_append_c (r->json, '}');
  return g_string_free (g_steal_pointer (&r->json), FALSE);
}

/* CLOCK_MONOTONIC in ns: latency payloads carry it between threads of one
 * process, so both ends read the same clock. */
gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* ---- client configuration ---- */

gboolean
bench_conf_set (rd_kafka_conf_t  *conf,
                const char       *key,
                const char       *value,
                GError          **error)
{
  char errstr[512];

  if (rd_kafka_conf_set (conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    {
      g_set_error (error, BENCH_LOAD_ERROR, 0, "%s=%s: %s", key, value, errstr);
      return FALSE;
    }
  return TRUE;
}

rd_kafka_conf_t *
bench_conf_new (const BenchOptions *o)
{
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();

  /* Both keys exist in every librdkafka: failure is impossible here. */
  rd_kafka_conf_set (conf, "bootstrap.servers", o->bootstrap, NULL, 0);
  rd_kafka_conf_set (conf, "client.id", "bench-load", NULL, 0);
  return conf;
}

gboolean
bench_conf_finish (const BenchOptions  *o,
                   rd_kafka_conf_t     *conf,
                   GError             **error)
{
  for (guint i = 0; o->client_config != NULL && o->client_config[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (o->client_config[i], "=", 2);

      if (kv[0] == NULL || kv[1] == NULL)
        {
          g_set_error (error, BENCH_LOAD_ERROR, 0, "-X %s: expected KEY=VALUE",
                       o->client_config[i]);
          return FALSE;
        }
      if (!bench_conf_set (conf, kv[0], kv[1], error))
        return FALSE;
    }
  return TRUE;
}

gboolean
bench_conf_producer (const BenchOptions  *o,
                     rd_kafka_conf_t     *conf,
                     GError             **error)
{
  g_autofree char *linger = g_strdup_printf ("%d", o->linger_ms);
  g_autofree char *batch = g_strdup_printf ("%d", o->batch_size);

  return bench_conf_set (conf, "acks", o->acks, error) &&
         bench_conf_set (conf, "compression.codec", o->compression, error) &&
         bench_conf_set (conf, "linger.ms", linger, error) &&
         bench_conf_set (conf, "batch.size", batch, error);
}

gboolean
bench_conf_assign_only (rd_kafka_conf_t  *conf,
                        GError          **error)
{
  g_autofree char *group = g_strdup_printf ("bench-load-assign-%08x", g_random_int ());

  return bench_conf_set (conf, "group.id", group, error) &&
         bench_conf_set (conf, "enable.auto.commit", "false", error);
}

rd_kafka_t *
bench_client_new (rd_kafka_type_t   type,
                  rd_kafka_conf_t  *conf,
                  GError          **error)
{
  char errstr[512];
  rd_kafka_t *rk = rd_kafka_new (type, conf, errstr, sizeof errstr);

  if (rk == NULL)
    {
      rd_kafka_conf_destroy (conf);
      g_set_error (error, BENCH_LOAD_ERROR, 0, "rd_kafka_new: %s", errstr);
    }
  return rk;
}

/* ---- topics ---- */

static gboolean
topic_ready (const rd_kafka_metadata_topic_t *t,
             int                              expected)
{
  if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR || t->partition_cnt < 1 ||
      (expected > 0 && t->partition_cnt != expected))
    return FALSE;
  for (int i = 0; i < t->partition_cnt; i++)
    if (t->partitions[i].err != RD_KAFKA_RESP_ERR_NO_ERROR || t->partitions[i].leader < 0)
      return FALSE;
  return TRUE;
}

int
bench_topic_partitions (rd_kafka_t  *rk,
                        const char  *topic,
                        int          expected,
                        GError     **error)
{
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (rk, topic, NULL);
  gint64 deadline = g_get_monotonic_time () + TOPIC_WAIT_US;
  const char *why = "no answer";
  int count = -1;

  /* A broker may answer Metadata before a new topic has leaders; ask
   * again until it has, as any client would. */
  while (count < 0 && g_get_monotonic_time () < deadline)
    {
      const struct rd_kafka_metadata *md = NULL;
      rd_kafka_resp_err_t err = rd_kafka_metadata (rk, 0, rkt, &md, 5000);

      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        why = rd_kafka_err2str (err);
      else if (md->topic_cnt == 1 && topic_ready (&md->topics[0], expected))
        count = md->topics[0].partition_cnt;
      else
        why = md->topic_cnt == 1 && md->topics[0].err != 0
          ? rd_kafka_err2str (md->topics[0].err) : "partitions not ready";
      if (md != NULL)
        rd_kafka_metadata_destroy (md);
      if (count < 0)
        g_usleep (50000);
    }
  rd_kafka_topic_destroy (rkt);
  if (count < 0)
    g_set_error (error, BENCH_LOAD_ERROR, 0, "topic %s not ready: %s", topic, why);
  return count;
}

static gboolean
create_topics_result (rd_kafka_event_t  *ev,
                      GError           **error)
{
  const rd_kafka_CreateTopics_result_t *res;
  const rd_kafka_topic_result_t **topics;
  size_t n;

  if (ev == NULL)
    {
      g_set_error (error, BENCH_LOAD_ERROR, 0, "CreateTopics: no answer");
      return FALSE;
    }
  if (rd_kafka_event_error (ev) != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, BENCH_LOAD_ERROR, 0, "CreateTopics: %s",
                   rd_kafka_event_error_string (ev));
      return FALSE;
    }
  res = rd_kafka_event_CreateTopics_result (ev);
  topics = rd_kafka_CreateTopics_result_topics (res, &n);
  for (size_t i = 0; i < n; i++)
    if (rd_kafka_topic_result_error (topics[i]) != RD_KAFKA_RESP_ERR_NO_ERROR)
      {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error (topics[i]);
        const char *msg = rd_kafka_topic_result_error_string (topics[i]);

        g_set_error (error, BENCH_LOAD_ERROR, 0, "CreateTopics %s: %s",
                     rd_kafka_topic_result_name (topics[i]),
                     msg != NULL ? msg : rd_kafka_err2str (err));
        return FALSE;
      }
  return TRUE;
}

/* CreateTopics with the requested partitions and --topic-config, then
 * waits until Metadata shows every partition with a leader. */
gboolean
bench_create_topic (const BenchOptions  *o,
                    GError             **error)
{
  rd_kafka_conf_t *conf = bench_conf_new (o);
  rd_kafka_t *rk;
  rd_kafka_NewTopic_t *nt;
  rd_kafka_AdminOptions_t *opts;
  rd_kafka_queue_t *queue;
  rd_kafka_event_t *ev;
  char errstr[512];
  gboolean ok = FALSE;

  if (!bench_conf_finish (o, conf, error))
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  rk = bench_client_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk == NULL)
    return FALSE;

  nt = rd_kafka_NewTopic_new (o->topic, o->partitions, 1, errstr, sizeof errstr);
  if (nt == NULL)
    {
      g_set_error (error, BENCH_LOAD_ERROR, 0, "topic %s: %s", o->topic, errstr);
      rd_kafka_destroy (rk);
      return FALSE;
    }
  for (guint i = 0; o->topic_config != NULL && o->topic_config[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (o->topic_config[i], "=", 2);
      /* main() checked the KEY=VALUE form. */
      rd_kafka_NewTopic_set_config (nt, kv[0], kv[1]);
    }

  opts = rd_kafka_AdminOptions_new (rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout (opts, ADMIN_TIMEOUT_MS, NULL, 0);
  rd_kafka_AdminOptions_set_operation_timeout (opts, ADMIN_TIMEOUT_MS, NULL, 0);
  queue = rd_kafka_queue_new (rk);
  rd_kafka_CreateTopics (rk, &nt, 1, opts, queue);
  ev = rd_kafka_queue_poll (queue, ADMIN_TIMEOUT_MS + 5000);
  ok = create_topics_result (ev, error) &&
       bench_topic_partitions (rk, o->topic, o->partitions, error) > 0;

  if (ev != NULL)
    rd_kafka_event_destroy (ev);
  rd_kafka_queue_destroy (queue);
  rd_kafka_AdminOptions_destroy (opts);
  rd_kafka_NewTopic_destroy (nt);
  rd_kafka_destroy (rk);
  return ok;
}
