/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-load: the issue 8 load generator, on Debian's librdkafka.
 *
 *   bench-load produce|consume|latency -b HOST:PORT -t TOPIC [OPTION…]
 *
 * Prints one line of JSON per run on stdout (the options, then the
 * figures, then "ok") and a human summary on stderr. Exit status: 0 when
 * the workload completed, 1 when it failed (errors, missing messages,
 * timeout), 2 on bad flags. */
#include "bench-load.h"

#include <stdio.h>
#include <string.h>

#define EXIT_BAD_FLAGS 2

static const char *const modes[] = { "produce", "consume", "latency", NULL };
static const char *const acks_values[] = { "0", "1", "all", "-1", NULL };
static const char *const codecs[] = { "none", "gzip", "snappy", "lz4", "zstd", NULL };

static gboolean
check_kv (char **list, const char *flag, GError **error)
{
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      const char *eq = strchr (list[i], '=');
      if (eq == NULL || eq == list[i])
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s %s: expected KEY=VALUE", flag, list[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Values GOption cannot check, and the defaults that depend on the mode
 * (linger 5 ms, librdkafka 2.0's default, except linger 0 for latency). */
static gboolean
check_options (BenchOptions  *o,
               GError       **error)
{
  const char *bad = NULL;

  if (o->mode == NULL || !g_strv_contains (modes, o->mode))
    bad = "the mode must be produce, consume or latency";
  else if (o->bootstrap == NULL || o->topic == NULL)
    bad = "--bootstrap and --topic are required";
  else if (o->messages < 1 || o->size < 1 || o->partitions < 1 || o->producers < 1 ||
           o->producers > 1024 || o->batch_size < 1 || o->timeout_s <= 0 || o->warmup_s < 0)
    bad = "out of range: --messages, --size, --partitions, --batch-size, --timeout "
          "and --producers (≤ 1024) must be positive, --warmup ≥ 0";
  else if (!g_strv_contains (acks_values, o->acks))
    bad = "--acks must be 0, 1 or all";
  else if (!g_strv_contains (codecs, o->compression))
    bad = "--compression must be none, gzip, snappy, lz4 or zstd";
  else if (g_str_equal (o->mode, "latency") && (o->size < 16 || o->rate < 1))
    bad = "latency needs --size ≥ 16 (the payload carries a timestamp) and --rate ≥ 1";
  else if (o->group != NULL && !g_str_equal (o->mode, "consume"))
    bad = "--group is for consume";
  if (bad != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, bad);
      return FALSE;
    }
  if (!check_kv (o->topic_config, "--topic-config", error) ||
      !check_kv (o->client_config, "-X", error))
    return FALSE;
  if (o->linger_ms < 0)
    o->linger_ms = g_str_equal (o->mode, "latency") ? 0 : 5;
  return TRUE;
}

static void
report_options (BenchReport        *r,
                const BenchOptions *o)
{
  bench_report_string (r, "mode", o->mode);
  bench_report_string (r, "topic", o->topic);
  bench_report_int (r, "messages", o->messages);
  bench_report_int (r, "size", o->size);
  bench_report_int (r, "partitions", o->partitions);
  bench_report_string (r, "acks", o->acks);
  bench_report_int (r, "linger_ms", o->linger_ms);
  bench_report_int (r, "batch_size", o->batch_size);
  bench_report_string (r, "compression", o->compression);
  bench_report_int (r, "producers", o->producers);
  if (g_str_equal (o->mode, "consume"))
    bench_report_string (r, "group", o->group);
  if (g_str_equal (o->mode, "latency"))
    {
      bench_report_int (r, "rate", o->rate);
      bench_report_double (r, "warmup_s", o->warmup_s);
    }
}

int
main (int   argc,
      char *argv[])
{
  BenchOptions o = {
    .messages = 100000, .size = 100, .partitions = 1, .linger_ms = -1,
    .batch_size = 1000000, .producers = 1, .rate = 10000, .warmup_s = 1.0,
    .timeout_s = 300.0,
  };
  g_autofree char *acks = NULL, *compression = NULL;
  const GOptionEntry entries[] = {
    { "bootstrap", 'b', 0, G_OPTION_ARG_STRING, &o.bootstrap, "Bootstrap servers", "HOST:PORT" },
    { "topic", 't', 0, G_OPTION_ARG_STRING, &o.topic, "Topic", "NAME" },
    { "messages", 'n', 0, G_OPTION_ARG_INT64, &o.messages,
      "Messages (latency: measured ones, after the warm-up; default 100000)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &o.size, "Value bytes (default 100)", "S" },
    { "partitions", 'p', 0, G_OPTION_ARG_INT, &o.partitions,
      "Partitions of the topic created (default 1)", "P" },
    { "no-create", 0, 0, G_OPTION_ARG_NONE, &o.no_create,
      "Do not create the topic (it exists; the mock has no CreateTopics)", NULL },
    { "topic-config", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.topic_config,
      "Broker-side topic config at creation, e.g. flush.messages=1 (repeatable)", "K=V" },
    { "acks", 'a', 0, G_OPTION_ARG_STRING, &acks, "0, 1 or all (default 1)", "ACKS" },
    { "linger-ms", 'l', 0, G_OPTION_ARG_INT, &o.linger_ms,
      "linger.ms (default 5; latency: 0)", "MS" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &o.batch_size,
      "batch.size (default 1000000)", "BYTES" },
    { "compression", 'z', 0, G_OPTION_ARG_STRING, &compression,
      "none, gzip, snappy, lz4, zstd (default none)", "CODEC" },
    { "producers", 'k', 0, G_OPTION_ARG_INT, &o.producers,
      "produce: producer instances, one thread each (default 1)", "K" },
    { "fill", 0, 0, G_OPTION_ARG_NONE, &o.fill,
      "consume: create the topic and produce the N messages first (not timed)", NULL },
    { "group", 'g', 0, G_OPTION_ARG_STRING, &o.group,
      "consume: subscribe in consumer group ID instead of assigning", "ID" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &o.rate,
      "latency: messages per second (default 10000)", "R" },
    { "allow-loss", 0, 0, G_OPTION_ARG_NONE, &o.allow_loss,
      "latency: report messages never received instead of failing (the mock drops "
      "a partition's oldest data past 5 MiB)", NULL },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &o.warmup_s,
      "latency: seconds sent first and not measured (default 1)", "SECONDS" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.timeout_s,
      "Give up after this many seconds (default 300)", "SECONDS" },
    { "set", 'X', 0, G_OPTION_ARG_STRING_ARRAY, &o.client_config,
      "librdkafka setting for every client, applied last (repeatable)", "K=V" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new ("produce|consume|latency - Kafka load generator (librdkafka)");
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  BenchReport r;
  gboolean ok;

  g_option_context_add_main_entries (ctx, entries, NULL);
  ok = g_option_context_parse (ctx, &argc, &argv, &error);
  if (ok && argc != 2)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "expected one mode: produce, consume or latency");
      ok = FALSE;
    }
  o.mode = ok ? argv[1] : NULL;
  o.acks = acks ? acks : "1";
  o.compression = compression ? compression : "none";
  if (!ok || !check_options (&o, &error))
    {
      g_printerr ("bench-load: %s\nUsage: bench-load produce|consume|latency -b HOST:PORT"
                  " -t TOPIC [OPTION...]\n(bench-load --help lists the options)\n",
                  error->message);
      return EXIT_BAD_FLAGS;
    }

  bench_report_init (&r);
  report_options (&r, &o);
  if (g_str_equal (o.mode, "produce"))
    ok = bench_produce (&o, &r, &error);
  else if (g_str_equal (o.mode, "consume"))
    ok = bench_consume (&o, &r, &error);
  else
    ok = bench_latency (&o, &r, &error);
  bench_report_string (&r, "error", ok ? NULL : error ? error->message : "failed");
  bench_report_bool (&r, "ok", ok);
  line = bench_report_finish (&r);
  printf ("%s\n", line);
  if (!ok)
    g_printerr ("bench-load: %s\n", error ? error->message : "failed");

  g_free (o.bootstrap);
  g_free (o.topic);
  g_free (o.group);
  g_strfreev (o.topic_config);
  g_strfreev (o.client_config);
  return ok ? 0 : 1;
}
