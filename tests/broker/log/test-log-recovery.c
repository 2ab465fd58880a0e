/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Recovery on open: torn and corrupt tails are cut at the first bad batch
 * and every batch before it is kept; missing or wrong indexes are rebuilt
 * byte for byte; the log start offset drops old segments. */
#include "log-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define T0 G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  char           *tmp;
  char           *dir;
  BrokerLogConfig cfg;
  gsize           batch_len;   /* of a 4-record batch as fill() makes them */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree guint8 *probe = NULL;

  f->tmp = log_test_make_tmp_dir ();
  f->dir = g_build_filename (f->tmp, "clicks-1", NULL);
  broker_log_config_init_defaults (&f->cfg);
  probe = log_test_make_batch (4, T0, 10, 30, &f->batch_len);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  log_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
}

static BrokerLog *
open_log (Fixture *f,
          gint64   log_start_offset)
{
  g_autoptr(GError) error = NULL;
  BrokerLog *log = broker_log_open (f->dir, &f->cfg, log_start_offset, &error);

  g_assert_no_error (error);
  g_assert_nonnull (log);
  return log;
}

/* @n batches of 4 records, batch i at T0 + 1000 i, then closed. */
static void
fill (Fixture *f,
      guint    n)
{
  BrokerLog *log = open_log (f, -1);

  for (guint i = 0; i < n; i++)
    log_test_append (log, 4, T0 + 1000 * i, 10, 30, T0, 4 * i);
  broker_log_close (log);
}

static void
truncate_file (const char *path,
               gint64      size)
{
  g_assert_cmpint (truncate (path, size), ==, 0);
}

static void
flip_byte (const char *path,
           gint64      position)
{
  int fd = open (path, O_RDWR);
  guint8 b;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &b, 1, position), ==, 1);
  b ^= 0x40;
  g_assert_cmpint (pwrite (fd, &b, 1, position), ==, 1);
  g_assert_cmpint (close (fd), ==, 0);
}

static void
assert_contents (BrokerLog *log,
                 guint      n_batches)
{
  g_autoptr(GBytes) bytes = log_test_read (log, 0, G_MAXSIZE);
  g_autoptr(GArray) bases = log_test_batch_bases (bytes);

  g_assert_cmpuint (bases->len, ==, n_batches);
  for (guint i = 0; i < n_batches; i++)
    g_assert_cmpint (g_array_index (bases, gint64, i), ==, 4 * i);
}

/* The warning recovery gives when it cuts @path at @position. */
static void
expect_truncation (const char *segment,
                   gint64      position,
                   gint64      dropped,
                   const char *reason)
{
  g_autofree char *pattern = NULL;

  if (dropped >= 0)
    pattern = g_strdup_printf ("*%s: truncating at position %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
                               " bytes dropped): %s", segment, position, dropped, reason);
  else
    pattern = g_strdup_printf ("*%s: truncating at position %" G_GINT64_FORMAT " *%s",
                               segment, position, reason);
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING, pattern);
}

static void
test_torn_tail (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = log_test_segment_path (f->dir, 0, ".log");
  BrokerLog *log;

  fill (f, 3);
  g_assert_cmpint (log_test_file_size (path), ==, (gint64) (3 * f->batch_len));
  /* A crash in the middle of writing the third batch. */
  truncate_file (path, (gint64) (3 * f->batch_len - 10));

  expect_truncation ("00000000000000000000.log", 2 * f->batch_len, f->batch_len - 10, "batch of *");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();

  g_assert_cmpint (broker_log_get_end_offset (log), ==, 8);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 8);
  g_assert_cmpint (log_test_file_size (path), ==, (gint64) (2 * f->batch_len));
  assert_contents (log, 2);
  /* The next append takes the lost batch's offsets. */
  log_test_append (log, 4, T0 + 5000, 10, 30, T0, 8);
  assert_contents (log, 3);
  broker_log_close (log);

  /* A cut inside the header, and a cut at a batch boundary (no loss). */
  truncate_file (path, (gint64) (2 * f->batch_len + 5));
  expect_truncation ("00000000000000000000.log", 2 * f->batch_len, 5, "only 5 bytes*");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 8);
  broker_log_close (log);

  truncate_file (path, (gint64) f->batch_len);
  log = open_log (f, -1);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 4);
  assert_contents (log, 1);
  broker_log_close (log);
}

static void
test_bit_flip (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = log_test_segment_path (f->dir, 0, ".log");
  BrokerLog *log;

  fill (f, 4);
  /* A value byte of the third batch: covered by the CRC. */
  flip_byte (path, (gint64) (2 * f->batch_len + f->batch_len - 3));

  expect_truncation ("00000000000000000000.log", 2 * f->batch_len, 2 * f->batch_len, "*CRC*");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 8);
  assert_contents (log, 2);
  broker_log_close (log);
}

static void
test_garbage_tail (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = log_test_segment_path (f->dir, 0, ".log");
  BrokerLog *log;

  fill (f, 2);
  /* Zeros after the last batch, as a preallocated or half-flushed file
   * would show: batchLength 0 is not a batch. */
  truncate_file (path, (gint64) (2 * f->batch_len + 4096));
  expect_truncation ("00000000000000000000.log", 2 * f->batch_len, 4096, "*");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 8);
  g_assert_cmpint (log_test_file_size (path), ==, (gint64) (2 * f->batch_len));
  broker_log_close (log);
}

/* 30 batches, 7 per segment (bases 0, 28, 56, 84, 112), an index entry
 * every other batch. */
static void
fill_segments (Fixture *f)
{
  f->cfg.segment_bytes = (gint64) (7 * f->batch_len);
  f->cfg.index_interval_bytes = (gint32) f->batch_len;
  fill (f, 30);
}

static char *
read_file (const char *path,
           gsize      *len)
{
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, len, NULL));
  return data;
}

static void
assert_timestamps (BrokerLog *log)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 30; i++)
    {
      gint64 offset, ts;

      g_assert_true (broker_log_offset_for_timestamp (log, T0 + 1000 * i + 5, &offset, &ts, &error));
      g_assert_no_error (error);
      g_assert_cmpint (offset, ==, 4 * i + 1);
      g_assert_cmpint (ts, ==, T0 + 1000 * i + 10);
    }
}

static void
test_index_rebuild (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *index0 = NULL;
  g_autofree char *time28 = NULL;
  g_autofree char *index56 = NULL;
  g_autofree char *time84 = NULL;
  g_autofree char *saved_index0 = NULL, *saved_time28 = NULL, *saved_index56 = NULL;
  g_autofree char *saved_time84 = NULL;
  gsize n_index0, n_time28, n_index56, n_time84;
  BrokerLog *log;

  fill_segments (f);
  index0 = log_test_segment_path (f->dir, 0, ".index");
  time28 = log_test_segment_path (f->dir, 28, ".timeindex");
  index56 = log_test_segment_path (f->dir, 56, ".index");
  time84 = log_test_segment_path (f->dir, 84, ".timeindex");
  saved_index0 = read_file (index0, &n_index0);
  saved_time28 = read_file (time28, &n_time28);
  saved_index56 = read_file (index56, &n_index56);
  saved_time84 = read_file (time84, &n_time84);
  g_assert_cmpuint (n_index0, ==, 3 * 8);
  g_assert_cmpuint (n_time28, ==, 3 * 12);

  /* Missing offset index: rebuilt quietly. Time index with entries out of
   * order, offset index of a torn size, time index missing: rebuilt with
   * a warning. */
  g_assert_cmpint (g_unlink (index0), ==, 0);
  {
    char *swapped = g_memdup2 (saved_time28, n_time28);

    memcpy (swapped, saved_time28 + 12, 12);
    memcpy (swapped + 12, saved_time28, 12);
    g_assert_true (g_file_set_contents (time28, swapped, (gssize) n_time28, NULL));
    g_free (swapped);
  }
  truncate_file (index56, (gint64) n_index56 - 3);
  g_assert_cmpint (g_unlink (time84), ==, 0);

  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING,
                         "*rebuilding the indexes of *00000000000000000028.log*out of order*");
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING,
                         "*rebuilding the indexes of *00000000000000000056.log*not a multiple of 8*");
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING,
                         "*rebuilding the indexes of *00000000000000000084.log*time index is empty*");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();

  g_assert_cmpint (broker_log_get_end_offset (log), ==, 120);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 5);
  {
    g_autofree char *index0_after = NULL, *time28_after = NULL, *index56_after = NULL;
    g_autofree char *time84_after = NULL;
    gsize n;

    index0_after = read_file (index0, &n);
    g_assert_cmpmem (index0_after, n, saved_index0, n_index0);
    time28_after = read_file (time28, &n);
    g_assert_cmpmem (time28_after, n, saved_time28, n_time28);
    index56_after = read_file (index56, &n);
    g_assert_cmpmem (index56_after, n, saved_index56, n_index56);
    time84_after = read_file (time84, &n);
    g_assert_cmpmem (time84_after, n, saved_time84, n_time84);
  }
  assert_timestamps (log);
  for (gint64 o = 0; o < 120; o += 3)
    {
      g_autoptr(GBytes) bytes = log_test_read (log, o, 1);
      g_autoptr(GArray) bases = log_test_batch_bases (bytes);

      g_assert_cmpint (g_array_index (bases, gint64, 0), ==, o - o % 4);
    }
  broker_log_close (log);

  /* An entry pointing past the end of its segment. */
  {
    g_autofree char *bad = g_malloc0 (n_index0);

    memcpy (bad, saved_index0, n_index0);
    bad[n_index0 - 4] = 0x7f;
    g_assert_true (g_file_set_contents (index0, bad, (gssize) n_index0, NULL));
  }
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING,
                         "*rebuilding the indexes of *00000000000000000000.log*outside the segment*");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();
  {
    g_autofree char *index0_after = NULL;
    gsize n;

    index0_after = read_file (index0, &n);
    g_assert_cmpmem (index0_after, n, saved_index0, n_index0);
  }
  assert_timestamps (log);
  broker_log_close (log);
}

static void
test_damaged_older_segment (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path0 = NULL;
  g_autofree char *path28 = NULL;
  BrokerLog *log;

  fill_segments (f);
  path0 = log_test_segment_path (f->dir, 0, ".log");
  path28 = log_test_segment_path (f->dir, 28, ".log");
  /* The last batch of the first segment (after its last index entry). */
  flip_byte (path0, (gint64) (7 * f->batch_len - 3));

  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING, "*rebuilding the indexes of *00000000000000000000.log*");
  expect_truncation ("00000000000000000000.log", 6 * f->batch_len, f->batch_len, "*CRC*");
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING, "*dropping 4 segments*");
  log = open_log (f, -1);
  g_test_assert_expected_messages ();

  /* Offsets must stay contiguous: what followed the hole is gone. */
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 24);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (log_test_file_size (path28), ==, -1);
  assert_contents (log, 6);
  log_test_append (log, 4, T0, 10, 30, T0, 24);
  broker_log_close (log);
}

static void
test_log_start_offset (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path0 = NULL;
  g_autofree char *path28 = NULL;
  g_autofree char *path56 = NULL;
  g_autofree char *orphan = NULL;
  BrokerLog *log;
  BrokerLogSlice slice;
  g_autoptr(GError) error = NULL;

  fill_segments (f);
  path0 = log_test_segment_path (f->dir, 0, ".log");
  path28 = log_test_segment_path (f->dir, 28, ".log");
  path56 = log_test_segment_path (f->dir, 56, ".log");
  /* An index whose segment is gone (a deletion cut short). */
  orphan = log_test_segment_path (f->dir, 7, ".index");
  g_assert_true (g_file_set_contents (orphan, "12345678", 8, NULL));

  /* 56 starts the third segment: the first two lie wholly below it. */
  log = open_log (f, 56);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 56);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 120);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);
  g_assert_cmpint (log_test_file_size (path0), ==, -1);
  g_assert_cmpint (log_test_file_size (path28), ==, -1);
  g_assert_cmpint (log_test_file_size (path56), >, 0);
  g_assert_cmpint (log_test_file_size (orphan), ==, -1);
  g_assert_false (broker_log_read (log, 55, 1, &slice, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);
  broker_log_close (log);

  /* Inside a segment: it stays, the start moves. */
  log = open_log (f, 70);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 70);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);
  broker_log_close (log);

  /* Past the end (the data went with a crash): start over there. */
  g_test_expect_message ("caudald", G_LOG_LEVEL_WARNING, "*log start offset 500 is past the end 120*");
  log = open_log (f, 500);
  g_test_assert_expected_messages ();
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 500);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 500);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (log_test_file_size (path56), ==, -1);
  log_test_append (log, 4, T0, 10, 30, T0, 500);
  broker_log_close (log);

  log = open_log (f, 500);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 504);
  broker_log_close (log);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) \
  g_test_add ("/log/recovery/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("torn-tail", test_torn_tail);
  ADD ("bit-flip", test_bit_flip);
  ADD ("garbage-tail", test_garbage_tail);
  ADD ("index-rebuild", test_index_rebuild);
  ADD ("damaged-older-segment", test_damaged_older_segment);
  ADD ("log-start-offset", test_log_start_offset);
#undef ADD

  return g_test_run ();
}
