/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-load latency: end-to-end latency at a fixed rate. The main thread
 * sends R messages per second (each carries its send time, CLOCK_MONOTONIC,
 * and a sequence number); a consumer thread of the same process tails the
 * topic from its end offsets and records receive − send time for each
 * message. The first --warmup seconds of messages are sent but not
 * measured. */
#include "bench-load.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS  100
#define STAMP    16        /* payload head: send time (ns), sequence number */
#define GRACE_NS (G_GINT64_CONSTANT (30) * 1000000000)   /* after the last send: the peer answers fetches only when their wait expires */

typedef struct
{
  rd_kafka_t *rk;
  gint64      total;       /* messages sent, warm-up included */
  gint64      warmup;      /* leading sequence numbers not measured */
  gint64      deadline_ns;
  gint        sent_all;    /* atomic: the sender has flushed */
  gint64     *lat_ns;      /* [total - warmup], -1 until received */
  gint64      received;    /* measured messages received */
  gint64      errors;
} Tail;

typedef struct
{
  gint64 acked;
  gint64 errors;
  char  *first_error;
} Sent;

static void
note_error (Sent       *s,
            gint64      n,
            const char *what)
{
  if (s->errors == 0)
    s->first_error = g_strdup (what);
  s->errors += n;
}

static gpointer
tail_thread (gpointer data)
{
  Tail *t = data;
  gint64 seen = 0;
  gint64 grace_ns = G_MAXINT64;

  while (seen < t->total && bench_now_ns () < MIN (t->deadline_ns, grace_ns))
    {
      rd_kafka_message_t *msg = rd_kafka_consumer_poll (t->rk, POLL_MS);
      gint64 now = bench_now_ns ();
      gint64 sent_ns, seq;

      /* A lost message must not hold the run until --timeout. */
      if (grace_ns == G_MAXINT64 && g_atomic_int_get (&t->sent_all))
        grace_ns = now + GRACE_NS;
      if (msg == NULL)
        continue;
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        t->errors += msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF;
      else if (msg->len >= STAMP)
        {
          memcpy (&sent_ns, msg->payload, 8);
          memcpy (&seq, (char *) msg->payload + 8, 8);
          if (seq >= 0 && seq < t->total)
            seen++;
          if (seq >= t->warmup && seq < t->total && t->lat_ns[seq - t->warmup] < 0)
            {
              t->lat_ns[seq - t->warmup] = now - sent_ns;
              t->received++;
            }
        }
      rd_kafka_message_destroy (msg);
    }
  return NULL;
}

static void
on_delivery (rd_kafka_t                *rk,
             const rd_kafka_message_t  *msg,
             void                      *opaque)
{
  Sent *s = opaque;

  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    s->acked++;
  else
    note_error (s, 1, rd_kafka_err2str (msg->err));
}

/* A consumer assigned every partition at its current end offset, so it
 * sees exactly what is sent from now on. */
static rd_kafka_t *
tail_new (const BenchOptions  *o,
          GError             **error)
{
  rd_kafka_conf_t *conf = bench_conf_new (o);
  rd_kafka_topic_partition_list_t *list;
  rd_kafka_t *rk;
  int partitions;

  if (!bench_conf_assign_only (conf, error) ||
      !bench_conf_finish (o, conf, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }
  rk = bench_client_new (RD_KAFKA_CONSUMER, conf, error);
  if (rk == NULL)
    return NULL;
  rd_kafka_poll_set_consumer (rk);
  partitions = bench_topic_partitions (rk, o->topic, 0, error);
  list = rd_kafka_topic_partition_list_new (MAX (partitions, 1));
  for (int p = 0; p < partitions; p++)
    {
      int64_t lo, hi;
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets (rk, o->topic, p, &lo, &hi, 10000);

      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, BENCH_LOAD_ERROR, 0, "watermarks of %s [%d]: %s",
                       o->topic, p, rd_kafka_err2str (err));
          partitions = -1;
          break;
        }
      rd_kafka_topic_partition_list_add (list, o->topic, p)->offset = hi;
    }
  if (partitions > 0)
    {
      rd_kafka_resp_err_t err = rd_kafka_assign (rk, list);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          g_set_error (error, BENCH_LOAD_ERROR, 0, "assign: %s", rd_kafka_err2str (err));
          partitions = -1;
        }
    }
  rd_kafka_topic_partition_list_destroy (list);
  if (partitions <= 0)
    g_clear_pointer (&rk, rd_kafka_destroy);
  return rk;
}

static rd_kafka_t *
sender_new (const BenchOptions  *o,
            Sent                *sent,
            GError             **error)
{
  rd_kafka_conf_t *conf = bench_conf_new (o);
  rd_kafka_t *rk;

  rd_kafka_conf_set_dr_msg_cb (conf, on_delivery);
  rd_kafka_conf_set_opaque (conf, sent);
  if (!bench_conf_producer (o, conf, error) || !bench_conf_finish (o, conf, error))
    {
      rd_kafka_conf_destroy (conf);
      return NULL;
    }
  rk = bench_client_new (RD_KAFKA_PRODUCER, conf, error);
  if (rk != NULL && bench_topic_partitions (rk, o->topic, 0, error) <= 0)
    g_clear_pointer (&rk, rd_kafka_destroy);
  return rk;
}

/* Open loop: message i leaves at start + i/R whatever happened before, so
 * a slow broker cannot slow the sender down and hide its own delay. */
static gint64
send_all (rd_kafka_t *rk,
          Sent       *sent,
          const char *topic,
          int         size,
          int         rate,
          gint64      total)
{
  rd_kafka_topic_t *rkt = rd_kafka_topic_new (rk, topic, NULL);
  g_autofree char *payload = g_malloc0 (size);
  gint64 start_ns = bench_now_ns ();

  for (gint64 i = 0; i < total; i++)
    {
      gint64 due = start_ns + i * G_GINT64_CONSTANT (1000000000) / rate;
      struct timespec ts = { due / 1000000000, due % 1000000000 };
      gint64 now;

      while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
      now = bench_now_ns ();
      memcpy (payload, &now, 8);
      memcpy (payload + 8, &i, 8);
      while (rd_kafka_produce (rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                               payload, size, NULL, 0, NULL) != 0)
        {
          if (rd_kafka_last_error () != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            {
              note_error (sent, total - i, rd_kafka_err2str (rd_kafka_last_error ()));
              goto flush;
            }
          rd_kafka_poll (rk, 1);   /* queue full: serve delivery reports */
        }
      rd_kafka_poll (rk, 0);
    }
flush:
  if (rd_kafka_flush (rk, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    note_error (sent, rd_kafka_outq_len (rk), "not delivered within 30 s");
  rd_kafka_topic_destroy (rkt);
  return bench_now_ns () - start_ns;
}

static int
cmp_gint64 (const void *a,
            const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values, in ms. */
static double
percentile_ms (const gint64 *sorted,
               gint64        n,
               double        q)
{
  gint64 rank = (gint64) ceil (q * n);
  return n > 0 ? sorted[CLAMP (rank, 1, n) - 1] / 1e6 : NAN;
}

static void
report_latencies (BenchReport  *r,
                  Tail         *t,
                  gint64        n_measured)
{
  g_autofree gint64 *v = g_new (gint64, MAX (t->received, 1));
  gint64 n = 0;
  double sum = 0;

  for (gint64 i = 0; i < n_measured; i++)
    if (t->lat_ns[i] >= 0)
      {
        v[n++] = t->lat_ns[i];
        sum += t->lat_ns[i];
      }
  qsort (v, n, sizeof *v, cmp_gint64);
  bench_report_double (r, "mean_ms", n > 0 ? sum / n / 1e6 : NAN);
  bench_report_double (r, "p50_ms", percentile_ms (v, n, 0.50));
  bench_report_double (r, "p99_ms", percentile_ms (v, n, 0.99));
  bench_report_double (r, "p999_ms", percentile_ms (v, n, 0.999));
  bench_report_double (r, "max_ms", n > 0 ? v[n - 1] / 1e6 : NAN);
  g_printerr ("latency: %" G_GINT64_FORMAT " messages measured: p50 %.3f ms, p99 %.3f ms, "
              "p99.9 %.3f ms, max %.3f ms\n", n, percentile_ms (v, n, 0.50),
              percentile_ms (v, n, 0.99), percentile_ms (v, n, 0.999),
              n > 0 ? v[n - 1] / 1e6 : NAN);
}

gboolean
bench_latency (const BenchOptions  *o,
               BenchReport         *r,
               GError             **error)
{
  Sent sent = { 0 };
  Tail tail = { 0 };
  g_autofree gint64 *lat = NULL;
  rd_kafka_t *producer;
  GThread *thread;
  gint64 send_ns;
  gboolean ok;

  if (!o->no_create && !bench_create_topic (o, error))
    return FALSE;
  tail.rk = tail_new (o, error);
  if (tail.rk == NULL)
    return FALSE;
  producer = sender_new (o, &sent, error);
  if (producer == NULL)
    {
      rd_kafka_destroy (tail.rk);
      return FALSE;
    }

  tail.warmup = (gint64) (o->rate * o->warmup_s);
  tail.total = tail.warmup + o->messages;
  tail.deadline_ns = bench_now_ns () + (gint64) (o->timeout_s * 1e9);
  lat = tail.lat_ns = g_new (gint64, o->messages);
  for (gint64 i = 0; i < o->messages; i++)
    lat[i] = -1;

  thread = g_thread_new ("tail", tail_thread, &tail);
  send_ns = send_all (producer, &sent, o->topic, o->size, o->rate, tail.total);
  g_atomic_int_set (&tail.sent_all, 1);
  g_thread_join (thread);
  rd_kafka_destroy (producer);
  rd_kafka_consumer_close (tail.rk);
  rd_kafka_destroy (tail.rk);

  bench_report_int (r, "sent", tail.total);
  bench_report_int (r, "acked", sent.acked);
  bench_report_int (r, "errors", sent.errors + tail.errors);
  bench_report_string (r, "first_error", sent.first_error);
  bench_report_int (r, "measured", tail.received);
  bench_report_double (r, "send_rate", tail.total / (send_ns / 1e9));
  report_latencies (r, &tail, o->messages);

  bench_report_int (r, "lost", o->messages - tail.received);
  ok = sent.errors == 0 && sent.acked == tail.total
       && (tail.received == o->messages || (o->allow_loss && tail.received > 0));
  if (!ok)
    g_set_error (error, BENCH_LOAD_ERROR, 0, "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                 " sent acknowledged, %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                 " measured received (%s)", sent.acked, tail.total, tail.received,
                 o->messages, sent.first_error ? sent.first_error : "no error reported");
  g_free (sent.first_error);
  return ok;
}
