/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-load consume: N messages from the beginning of a topic, by one
 * consumer assigned every partition, or (--group) by a consumer that
 * subscribes in a fresh group. --fill produces the N messages first
 * (not timed). The clock runs from assign/subscribe to the Nth message,
 * so the group mode includes its join (first_msg_s); steady_msgs_per_s
 * counts from the first message on, without it. */
#include "bench-load.h"

#include <math.h>

#define POLL_MS 100

static gboolean
fill_topic (const BenchOptions  *o,
            GError             **error)
{
  BenchProduceResult res;
  gboolean ok;

  if (!o->no_create && !bench_create_topic (o, error))
    return FALSE;
  /* Round robin, so every partition holds the same share (under the
   * mock's 5 MiB per partition when the suite sizes the topic for it). */
  if (!bench_produce_run (o, o->messages, TRUE, &res, error))
    return FALSE;
  ok = res.errors == 0 && res.acked == o->messages;
  if (!ok)
    g_set_error (error, BENCH_LOAD_ERROR, 0, "fill: %" G_GINT64_FORMAT " messages "
                 "not acknowledged (%s)", o->messages - res.acked,
                 res.first_error ? res.first_error : "no delivery report");
  g_free (res.first_error);
  return ok;
}

/* Messages the topic holds now: the sum of high − low watermarks. */
static gint64
available_messages (rd_kafka_t  *rk,
                    const char  *topic,
                    int          partitions,
                    GError     **error)
{
  gint64 total = 0;

  for (int p = 0; p < partitions; p++)
    {
      int64_t lo, hi;
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets (rk, topic, p, &lo, &hi, 10000);

      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, BENCH_LOAD_ERROR, 0, "watermarks of %s [%d]: %s",
                       topic, p, rd_kafka_err2str (err));
          return -1;
        }
      total += hi - lo;
    }
  return total;
}

static rd_kafka_t *
consumer_new (const BenchOptions  *o,
              GError             **error)
{
  rd_kafka_conf_t *conf = bench_conf_new (o);
  gboolean ok = bench_conf_set (conf, "auto.offset.reset", "earliest", error);

  /* In a group keep the client's defaults (auto commit every 5 s), as an
   * application would. */
  if (ok && o->group != NULL)
    ok = bench_conf_set (conf, "group.id", o->group, error);
  else if (ok)
    ok = bench_conf_assign_only (conf, error);
  if (!ok || !bench_conf_finish (o, conf, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }
  return bench_client_new (RD_KAFKA_CONSUMER, conf, error);
}

static gboolean
start_consuming (const BenchOptions  *o,
                 rd_kafka_t          *rk,
                 int                  partitions,
                 GError             **error)
{
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new (partitions);
  rd_kafka_resp_err_t err;

  if (o->group != NULL)
    {
      rd_kafka_topic_partition_list_add (list, o->topic, RD_KAFKA_PARTITION_UA);
      err = rd_kafka_subscribe (rk, list);
    }
  else
    {
      for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add (list, o->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
      err = rd_kafka_assign (rk, list);
    }
  rd_kafka_topic_partition_list_destroy (list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    g_set_error (error, BENCH_LOAD_ERROR, 0, "%s: %s",
                 o->group ? "subscribe" : "assign", rd_kafka_err2str (err));
  return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

gboolean
bench_consume (const BenchOptions  *o,
               BenchReport         *r,
               GError             **error)
{
  g_autofree char *first_error = NULL;
  gint64 got = 0, bytes = 0, errors = 0, avail;
  gint64 start_ns, first_ns = 0, end_ns, deadline_ns;
  rd_kafka_t *rk;
  int partitions;
  double secs, rate, steady;

  if (o->fill && !fill_topic (o, error))
    return FALSE;
  rk = consumer_new (o, error);
  if (rk == NULL)
    return FALSE;
  rd_kafka_poll_set_consumer (rk);
  partitions = bench_topic_partitions (rk, o->topic, 0, error);
  avail = partitions > 0 ? available_messages (rk, o->topic, partitions, error) : -1;
  if (avail >= 0 && avail < o->messages)
    /* The mock drops the oldest batches beyond 5 MiB per partition:
     * better no figure than one measured on a truncated log. */
    g_set_error (error, BENCH_LOAD_ERROR, 0, "topic %s holds %" G_GINT64_FORMAT
                 " messages, fewer than %" G_GINT64_FORMAT " (a log truncated by the"
                 " broker? librdkafka's mock keeps 5 MiB per partition)",
                 o->topic, avail, o->messages);
  if (avail < o->messages || !start_consuming (o, rk, partitions, error))
    {
      rd_kafka_destroy (rk);
      return FALSE;
    }

  start_ns = bench_now_ns ();
  deadline_ns = start_ns + (gint64) (o->timeout_s * 1e9);
  while (got < o->messages && bench_now_ns () < deadline_ns)
    {
      rd_kafka_message_t *msg = rd_kafka_consumer_poll (rk, POLL_MS);

      if (msg == NULL)
        continue;
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          if (got++ == 0)
            first_ns = bench_now_ns ();
          bytes += msg->len;
        }
      else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        {
          /* Counted and shown; the run fails only if messages are missing. */
          errors++;
          if (first_error == NULL)
            first_error = g_strdup (rd_kafka_message_errstr (msg));
        }
      rd_kafka_message_destroy (msg);
    }
  end_ns = bench_now_ns ();
  rd_kafka_consumer_close (rk);
  rd_kafka_destroy (rk);

  secs = (end_ns - start_ns) / 1e9;
  rate = got / secs;
  steady = got > 1 ? (got - 1) / ((end_ns - first_ns) / 1e9) : NAN;
  bench_report_int (r, "topic_partitions", partitions);
  bench_report_int (r, "consumed", got);
  bench_report_int (r, "bytes", bytes);
  bench_report_int (r, "errors", errors);
  bench_report_string (r, "first_error", first_error);
  bench_report_double (r, "elapsed_s", secs);
  bench_report_double (r, "first_msg_s", got > 0 ? (first_ns - start_ns) / 1e9 : NAN);
  bench_report_double (r, "msgs_per_s", rate);
  bench_report_double (r, "mb_per_s", bytes / secs / 1e6);
  bench_report_double (r, "steady_msgs_per_s", steady);
  g_printerr ("consume%s: %" G_GINT64_FORMAT " x %d B in %.3f s (first after %.3f s): "
              "%.0f msg/s (%.0f from the first), %.1f MB/s, %" G_GINT64_FORMAT " errors\n",
              o->group ? " (group)" : "", got, o->size, secs,
              got > 0 ? (first_ns - start_ns) / 1e9 : 0.0, rate, steady,
              bytes / secs / 1e6, errors);

  if (got < o->messages)
    g_set_error (error, BENCH_LOAD_ERROR, 0, "consumed %" G_GINT64_FORMAT " of %"
                 G_GINT64_FORMAT " messages before the timeout", got, o->messages);
  return got == o->messages;
}
