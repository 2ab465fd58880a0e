/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-codec: CRC-32C throughput (both implementations) and record batch
 * build / parse+iterate throughput for every codec. Prints a table and
 * asserts nothing about speed.
 *
 * MB is 10^6 bytes. Batch throughput counts the uncompressed batch bytes
 * (header + records), so codecs compare on the same work. Each figure is
 * the best of a few runs of at least CAUDAL_BENCH_SECONDS (default 0.25)
 * seconds each. */
#include "caudal-crc32c.h"
#include "caudal-record-batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_RECORDS   1000
#define VALUE_SIZE  100
#define RUNS        3

/* Keeps the compiler from discarding the measured work. */
static volatile guint64 sink;

static double bench_seconds = 0.25;

typedef void (*BenchFunc) (gpointer data);

/* Returns the best rate, in calls per second, of RUNS timed loops. */
static double
measure (BenchFunc fn,
         gpointer  data)
{
  double best = 0;

  fn (data);                    /* warm up caches and lazy tables */
  for (guint run = 0; run < RUNS; run++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;
      guint64 calls = 0;

      do
        {
          fn (data);
          calls++;
          elapsed = g_get_monotonic_time () - start;
        }
      while (elapsed < (gint64) (bench_seconds * G_USEC_PER_SEC));
      best = MAX (best, calls / (elapsed / (double) G_USEC_PER_SEC));
    }
  return best;
}

/* ---- CRC-32C ---- */

typedef struct
{
  guint32 (*fn) (guint32, const void *, gsize);
  const guint8 *buf;
  gsize         len;
} CrcBench;

static void
crc_step (gpointer data)
{
  CrcBench *b = data;
  sink += b->fn (0, b->buf, b->len);
}

static void
bench_crc (void)
{
  static const gsize sizes[] = { 64, 4096, 1 << 20 };
  gsize max = 1 << 20;
  g_autofree guint8 *buf = g_malloc (max);
  gboolean hw = caudal_crc32c_hardware_available ();

  for (gsize i = 0; i < max; i++)
    buf[i] = (guint8) (i * 2654435761u >> 13);

  printf ("CRC-32C                      %10s %12s\n", "size", "MB/s");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      CrcBench b = { caudal_crc32c_portable, buf, sizes[s] };
      double rate = measure (crc_step, &b);

      printf ("  %-26s %10" G_GSIZE_FORMAT " %12.0f\n", "portable (slicing-by-8)",
              sizes[s], rate * sizes[s] / 1e6);
      if (hw)
        {
          b.fn = caudal_crc32c_hardware;
          rate = measure (crc_step, &b);
          printf ("  %-26s %10" G_GSIZE_FORMAT " %12.0f\n", "hardware (SSE4.2)",
                  sizes[s], rate * sizes[s] / 1e6);
        }
    }
  if (!hw)
    printf ("  (no hardware CRC-32C on this machine)\n");
  printf ("\n");
}

/* ---- record batches ---- */

typedef struct
{
  CaudalRecordBatchBuilder *builder;
  CaudalCompression         codec;
  char                      keys[N_RECORDS][16];
  guint8                    values[N_RECORDS][VALUE_SIZE];
  GBytes                   *batch;
  gsize                     plain_size;
} BatchBench;

/* Values that look like small JSON events: compressible, but not
 * trivially. */
static void
fill_values (BatchBench *b)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);
  static const char *events[] = { "click", "view", "purchase", "scroll", "login" };

  for (guint i = 0; i < N_RECORDS; i++)
    {
      char tmp[VALUE_SIZE + 64];

      g_snprintf (b->keys[i], sizeof b->keys[i], "user-%05u", g_rand_int_range (rand, 0, 50000));
      g_snprintf (tmp, sizeof tmp,
                  "{\"event\":\"%s\",\"user\":%u,\"ts\":%u,\"amount\":%u.%02u,\"session\":\"%08x%08x\"}",
                  events[g_rand_int_range (rand, 0, G_N_ELEMENTS (events))],
                  g_rand_int_range (rand, 0, 50000), 1700000000 + i,
                  g_rand_int_range (rand, 0, 1000), g_rand_int_range (rand, 0, 100),
                  g_rand_int (rand), g_rand_int (rand));
      memset (b->values[i], ' ', VALUE_SIZE);
      memcpy (b->values[i], tmp, MIN (strlen (tmp), (gsize) VALUE_SIZE));
    }
}

static GBytes *
build_once (BatchBench *b)
{
  g_autoptr(GError) error = NULL;
  static const CaudalRecordHeader header = {
    { (const guint8 *) "trace", 5 }, { (const guint8 *) "0123456789abcdef", 16 },
  };
  GBytes *out;

  caudal_record_batch_builder_set_compression (b->builder, b->codec);
  for (guint i = 0; i < N_RECORDS; i++)
    if (!caudal_record_batch_builder_append (b->builder, G_GINT64_CONSTANT (1700000000000) + i,
                                             (CaudalBytes) { (const guint8 *) b->keys[i],
                                                             (gint32) strlen (b->keys[i]) },
                                             (CaudalBytes) { b->values[i], VALUE_SIZE },
                                             &header, (i % 10 == 0) ? 1 : 0, &error))
      g_error ("append: %s", error->message);
  out = caudal_record_batch_builder_finish (b->builder, &error);
  if (out == NULL)
    g_error ("finish: %s", error->message);
  return out;
}

static void
build_step (gpointer data)
{
  GBytes *out = build_once (data);

  sink += g_bytes_get_size (out);
  g_bytes_unref (out);
}

static void
parse_step (gpointer data)
{
  BatchBench *b = data;
  g_autoptr(GError) error = NULL;
  CaudalRecordBatchHeader h;
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecord r;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (b->batch, &len);

  /* What a broker does on Produce (header, CRC, counts, and the records
   * of an uncompressed batch), then what a consumer does: every record. */
  if (!caudal_record_batch_parse_header (bytes, len, &h, &error) ||
      !caudal_record_batch_validate (&h, CAUDAL_RECORD_BATCH_VALIDATE_PRODUCE, 0, &error) ||
      !caudal_record_iter_init (&iter, &h, 64 << 20, &error))
    g_error ("parse: %s", error->message);
  while (caudal_record_iter_next (&iter, &r, &error))
    sink += (guint64) r.value.len + (guint64) r.key.len;
  if (error != NULL)
    g_error ("iterate: %s", error->message);
}

static void
bench_batches (void)
{
  BatchBench *b = g_new0 (BatchBench, 1);

  b->builder = caudal_record_batch_builder_new ();
  fill_values (b);

  printf ("record batch (%d records x %d B values)\n", N_RECORDS, VALUE_SIZE);
  printf ("  %-8s %12s %8s %12s %20s\n", "codec", "batch bytes", "ratio", "build MB/s",
          "parse+iterate MB/s");
  for (int c = CAUDAL_COMPRESSION_NONE; c <= CAUDAL_COMPRESSION_ZSTD; c++)
    {
      double build_rate, parse_rate;

      b->codec = (CaudalCompression) c;
      b->batch = build_once (b);
      if (c == CAUDAL_COMPRESSION_NONE)
        b->plain_size = g_bytes_get_size (b->batch);
      build_rate = measure (build_step, b);
      parse_rate = measure (parse_step, b);
      printf ("  %-8s %12" G_GSIZE_FORMAT " %8.2f %12.0f %20.0f\n",
              caudal_compression_name (b->codec), g_bytes_get_size (b->batch),
              (double) b->plain_size / g_bytes_get_size (b->batch),
              build_rate * b->plain_size / 1e6, parse_rate * b->plain_size / 1e6);
      g_clear_pointer (&b->batch, g_bytes_unref);
    }

  caudal_record_batch_builder_free (b->builder);
  g_free (b);
}

int
main (int   argc,
      char *argv[])
{
  const char *env = g_getenv ("CAUDAL_BENCH_SECONDS");

  if (argc > 1 && strcmp (argv[1], "--quick") == 0)
    bench_seconds = 0.01;
  else if (env != NULL)
    bench_seconds = g_ascii_strtod (env, NULL);
  if (!(bench_seconds > 0))
    bench_seconds = 0.25;

  printf ("bench-codec: %s hardware CRC-32C; %.2f s per measurement, best of %d\n\n",
          caudal_crc32c_hardware_available () ? "with" : "without", bench_seconds, RUNS);
  bench_crc ();
  bench_batches ();
  return EXIT_SUCCESS;
}
