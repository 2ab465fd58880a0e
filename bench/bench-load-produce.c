/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-load produce: N messages of S bytes from K producer instances, one
 * thread each. Only messages whose delivery report says success count; the
 * clock runs from the first send to the last producer's flush. */
#include "bench-load.h"

#include <string.h>

typedef struct
{
  rd_kafka_t       *rk;
  rd_kafka_topic_t *rkt;
  const char       *payload;
  int               size;
  gint64            count;       /* messages this producer sends */
  int               partitions;  /* > 0: round robin over them */
  gint64            deadline_ns;
  gint64            end_ns;
  gint64            acked;       /* delivery reports: success */
  gint64            errors;      /* failed or never sent */
  char             *first_error;
} Producer;

static void
note_error (Producer   *p,
            gint64      n,
            const char *what)
{
  p->errors += n;
  if (p->first_error == NULL)
    p->first_error = g_strdup (what);
}

/* Runs on the producer's own thread, inside rd_kafka_poll()/flush(). */
static void
on_delivery (rd_kafka_t                *rk,
             const rd_kafka_message_t  *msg,
             void                      *opaque)
{
  Producer *p = opaque;

  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    p->acked++;
  else
    note_error (p, 1, rd_kafka_err2str (msg->err));
}

static gpointer
producer_thread (gpointer data)
{
  Producer *p = data;
  gint64 left_ms;

  for (gint64 i = 0; i < p->count; i++)
    {
      /* No copy and no free: every message points at the same payload,
       * so the client's cost is the protocol, not our buffers. */
      int32_t partition = p->partitions > 0 ? (int32_t) (i % p->partitions) : RD_KAFKA_PARTITION_UA;

      while (rd_kafka_produce (p->rkt, partition, 0, (void *) p->payload,
                               p->size, NULL, 0, NULL) != 0)
        {
          rd_kafka_resp_err_t err = rd_kafka_last_error ();

          if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || bench_now_ns () > p->deadline_ns)
            {
              note_error (p, p->count - i, rd_kafka_err2str (err));
              goto flush;
            }
          rd_kafka_poll (p->rk, 1);   /* queue full: serve delivery reports */
        }
      if ((i & 1023) == 0)
        rd_kafka_poll (p->rk, 0);
    }

flush:
  left_ms = MAX (0, (p->deadline_ns - bench_now_ns ()) / 1000000);
  if (rd_kafka_flush (p->rk, (int) left_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      /* Timed out: purged messages come back as failed delivery reports. */
      rd_kafka_purge (p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush (p->rk, 5000);
      if (p->first_error == NULL)
        p->first_error = g_strdup ("timed out");
    }
  p->end_ns = bench_now_ns ();
  return NULL;
}

static gboolean
producer_init (const BenchOptions  *o,
               Producer            *p,
               gboolean             round_robin,
               GError             **error)
{
  rd_kafka_conf_t *conf = bench_conf_new (o);
  int partitions;

  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rd_kafka_conf_set_opaque (conf, p);
  if (!bench_conf_producer (o, conf, error) || !bench_conf_finish (o, conf, error))
    {
      rd_kafka_conf_destroy (conf);
      return FALSE;
    }
  p->rk = bench_client_new (RD_KAFKA_PRODUCER, conf, error);
  if (p->rk == NULL)
    return FALSE;
  p->rkt = rd_kafka_topic_new (p->rk, o->topic, NULL);
  /* Connect and learn the partitions before the clock starts. */
  partitions = bench_topic_partitions (p->rk, o->topic, 0, error);
  p->partitions = round_robin ? partitions : 0;
  return partitions > 0;
}

static void
producer_clear (Producer *p)
{
  g_clear_pointer (&p->rkt, rd_kafka_topic_destroy);
  g_clear_pointer (&p->rk, rd_kafka_destroy);
  g_clear_pointer (&p->first_error, g_free);
}

gboolean
bench_produce_run (const BenchOptions  *o,
                   gint64               messages,
                   gboolean             round_robin,
                   BenchProduceResult  *res,
                   GError             **error)
{
  g_autofree Producer *producers = g_new0 (Producer, o->producers);
  g_autofree GThread **threads = g_new0 (GThread *, o->producers);
  g_autofree char *payload = g_malloc (o->size);
  gint64 start_ns, end_ns = 0;
  gboolean ok = TRUE;

  for (int i = 0; i < o->size; i++)
    payload[i] = 'a' + i % 26;
  memset (res, 0, sizeof *res);

  for (int k = 0; k < o->producers && ok; k++)
    {
      producers[k].payload = payload;
      producers[k].size = o->size;
      producers[k].count = messages / o->producers + (k < messages % o->producers);
      ok = producer_init (o, &producers[k], round_robin, error);
    }

  if (ok)
    {
      start_ns = bench_now_ns ();
      for (int k = 0; k < o->producers; k++)
        {
          producers[k].deadline_ns = start_ns + (gint64) (o->timeout_s * 1e9);
          threads[k] = g_thread_new ("producer", producer_thread, &producers[k]);
        }
      for (int k = 0; k < o->producers; k++)
        {
          g_thread_join (threads[k]);
          end_ns = MAX (end_ns, producers[k].end_ns);
          res->acked += producers[k].acked;
          res->errors += producers[k].errors;
          if (res->first_error == NULL && producers[k].first_error != NULL)
            res->first_error = g_strdup (producers[k].first_error);
        }
      res->elapsed_ns = end_ns - start_ns;
    }

  for (int k = 0; k < o->producers; k++)
    producer_clear (&producers[k]);
  return ok;
}

gboolean
bench_produce (const BenchOptions  *o,
               BenchReport         *r,
               GError             **error)
{
  BenchProduceResult res;
  double secs, rate;

  if (!o->no_create && !bench_create_topic (o, error))
    return FALSE;
  /* The client's own partitioner (sticky for keyless messages), as an
   * application would produce. */
  if (!bench_produce_run (o, o->messages, FALSE, &res, error))
    return FALSE;

  secs = res.elapsed_ns / 1e9;
  rate = res.acked / secs;
  bench_report_int (r, "acked", res.acked);
  bench_report_int (r, "errors", res.errors);
  bench_report_string (r, "first_error", res.first_error);
  bench_report_double (r, "elapsed_s", secs);
  bench_report_double (r, "msgs_per_s", rate);
  bench_report_double (r, "mb_per_s", rate * o->size / 1e6);
  g_printerr ("produce: %" G_GINT64_FORMAT " x %d B acked (acks=%s) in %.3f s: "
              "%.0f msg/s, %.1f MB/s, %" G_GINT64_FORMAT " errors%s%s\n",
              res.acked, o->size, o->acks, secs, rate, rate * o->size / 1e6,
              res.errors, res.first_error ? ", first: " : "",
              res.first_error ? res.first_error : "");

  if (res.errors > 0 || res.acked != o->messages)
    g_set_error (error, BENCH_LOAD_ERROR, 0, "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                 " messages not acknowledged (%s)", o->messages - res.acked, o->messages,
                 res.first_error ? res.first_error : "no delivery report");
  g_free (res.first_error);
  return res.errors == 0 && res.acked == o->messages;
}
