/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The partition log: append and read back, KIP-74 max_bytes, offsets out
 * of range, rolling by size and age, the offset and time indexes across
 * many segments, LogAppendTime, reopening, and deleting a log. */
#include "log-test-util.h"

#include <string.h>

#define T0 G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  char           *dir;
  BrokerLogConfig cfg;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *tmp = log_test_make_tmp_dir ();

  f->dir = g_build_filename (tmp, "orders-0", NULL);
  broker_log_config_init_defaults (&f->cfg);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *tmp = g_path_get_dirname (f->dir);

  log_test_rm_rf (tmp);
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

static void
assert_bases (GBytes       *bytes,
              const gint64 *expected,
              guint         n)
{
  g_autoptr(GArray) bases = log_test_batch_bases (bytes);

  g_assert_cmpmem (bases->data, bases->len * sizeof (gint64), expected, n * sizeof (gint64));
}

static void
test_defaults (void)
{
  BrokerLogConfig cfg;

  broker_log_config_init_defaults (&cfg);
  g_assert_cmpint (cfg.segment_bytes, ==, 1073741824);
  g_assert_cmpint (cfg.segment_ms, ==, 604800000);
  g_assert_cmpint (cfg.retention_ms, ==, 604800000);
  g_assert_cmpint (cfg.retention_bytes, ==, -1);
  g_assert_cmpint (cfg.flush_messages, ==, G_MAXINT64);
  g_assert_cmpint (cfg.flush_ms, ==, G_MAXINT64);
  g_assert_cmpint (cfg.index_interval_bytes, ==, 4096);
  g_assert_false (cfg.log_append_time);
}

static void
test_append_read (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(BrokerLog) log = open_log (f, -1);
  g_autoptr(GError) error = NULL;
  gsize len1, len2, len3;
  g_autofree guint8 *b1 = log_test_make_batch (5, T0, 1, 10, &len1);
  g_autofree guint8 *b2 = log_test_make_batch (3, T0 + 10, 1, 10, &len2);
  g_autofree guint8 *b3 = log_test_make_batch (1, T0 + 20, 1, 10, &len3);
  g_autofree guint8 *two = g_malloc (len2 + len3);
  g_autofree guint8 *expected = NULL;
  BrokerLogAppendInfo info;
  BrokerLogSlice slice;

  g_assert_cmpstr (broker_log_get_dir (log), ==, f->dir);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 0);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 0);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  g_assert_true (g_file_test (f->dir, G_FILE_TEST_IS_DIR));

  /* Empty log: reading at the end gives nothing, past it is an error. */
  {
    g_autoptr(GBytes) empty = log_test_read (log, 0, 1000);
    g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
  }
  g_assert_false (broker_log_read (log, 1, 1000, &slice, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);

  g_assert_true (broker_log_append (log, b1, len1, T0, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.base_offset, ==, 0);
  g_assert_cmpint (info.last_offset, ==, 4);
  g_assert_cmpint (info.log_append_time, ==, -1);
  g_assert_cmpint (info.max_timestamp, ==, T0 + 4);
  g_assert_cmpint (info.offset_of_max_timestamp, ==, 4);
  g_assert_false (info.needs_flush);

  /* Two batches in one append. */
  memcpy (two, b2, len2);
  memcpy (two + len2, b3, len3);
  g_assert_true (broker_log_append (log, two, len2 + len3, T0, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.base_offset, ==, 5);
  g_assert_cmpint (info.last_offset, ==, 8);
  g_assert_cmpint (info.max_timestamp, ==, T0 + 20);
  g_assert_cmpint (info.offset_of_max_timestamp, ==, 8);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 9);
  g_assert_cmpint (broker_log_get_size (log), ==, (gint64) (len1 + len2 + len3));

  /* The stored bytes are the producer's, with the offsets rewritten (the
   * append patched the caller's buffer in place). */
  expected = g_malloc (len1 + len2 + len3);
  memcpy (expected, b1, len1);
  memcpy (expected + len1, two, len2 + len3);
  {
    g_autoptr(GBytes) all = log_test_read (log, 0, G_MAXSIZE);
    static const gint64 bases[] = { 0, 5, 8 };

    g_assert_cmpmem (g_bytes_get_data (all, NULL), g_bytes_get_size (all),
                     expected, len1 + len2 + len3);
    assert_bases (all, bases, G_N_ELEMENTS (bases));
  }
  /* Offset 6 is inside the second batch: the read starts with it. */
  {
    g_autoptr(GBytes) mid = log_test_read (log, 6, G_MAXSIZE);
    static const gint64 bases[] = { 5, 8 };

    assert_bases (mid, bases, G_N_ELEMENTS (bases));
  }
  /* max_bytes: whole batches only, and at least one (KIP-74). */
  {
    g_autoptr(GBytes) one = log_test_read (log, 0, 1);
    g_autoptr(GBytes) exact = log_test_read (log, 0, len1 + len2);
    g_autoptr(GBytes) short_of_two = log_test_read (log, 0, len1 + len2 - 1);
    static const gint64 first[] = { 0 };
    static const gint64 first_two[] = { 0, 5 };

    g_assert_cmpuint (g_bytes_get_size (one), ==, len1);
    assert_bases (one, first, 1);
    assert_bases (exact, first_two, 2);
    assert_bases (short_of_two, first, 1);
  }
  {
    g_autoptr(GBytes) end = log_test_read (log, 9, 1000);

    g_assert_cmpuint (g_bytes_get_size (end), ==, 0);
  }
  g_assert_false (broker_log_read (log, 10, 1000, &slice, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (broker_log_read (log, -1, 1000, &slice, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
}

static void
test_append_invalid (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(BrokerLog) log = open_log (f, -1);
  g_autoptr(GError) error = NULL;
  BrokerLogConfig small = f->cfg;
  gsize len;
  g_autofree guint8 *batch = log_test_make_batch (10, T0, 1, 100, &len);

  /* Cut short: not a whole batch. */
  g_assert_false (broker_log_append (log, batch, len - 1, T0, NULL, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (broker_log_append (log, batch, 0, T0, NULL, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID);
  g_clear_error (&error);
  /* More than a segment holds. */
  small.segment_bytes = 512;
  broker_log_set_config (log, &small);
  g_assert_cmpuint (len, >, 512);
  g_assert_false (broker_log_append (log, batch, len, T0, NULL, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_TOO_LARGE);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 0);
  g_assert_cmpint (broker_log_get_size (log), ==, 0);
}

static void
test_roll_by_size (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  gsize len;
  g_free (log_test_make_batch (2, T0, 1, 50, &len));
  gint64 offset = 0;

  /* Room for exactly three batches per segment. */
  f->cfg.segment_bytes = (gint64) (3 * len);
  log = open_log (f, -1);
  for (guint i = 0; i < 10; i++, offset += 2)
    log_test_append (log, 2, T0 + i, 0, 50, T0, offset);

  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 4);
  for (gint64 base = 0; base <= 18; base += 6)
    {
      g_autofree char *path = log_test_segment_path (f->dir, base, ".log");
      g_autofree char *index = log_test_segment_path (f->dir, base, ".index");
      g_autofree char *timeindex = log_test_segment_path (f->dir, base, ".timeindex");

      g_assert_cmpint (log_test_file_size (path), ==, (gint64) (base < 18 ? 3 * len : len));
      g_assert_cmpint (log_test_file_size (index), >=, 0);
      g_assert_cmpint (log_test_file_size (timeindex), >=, 0);
    }
  /* A read stays in one segment. */
  {
    g_autoptr(GBytes) bytes = log_test_read (log, 2, G_MAXSIZE);
    static const gint64 bases[] = { 2, 4 };

    assert_bases (bytes, bases, G_N_ELEMENTS (bases));
  }
  {
    g_autoptr(GBytes) bytes = log_test_read (log, 7, G_MAXSIZE);
    static const gint64 bases[] = { 6, 8, 10 };

    assert_bases (bytes, bases, G_N_ELEMENTS (bases));
  }
}

static void
test_roll_by_time (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  g_autoptr(GError) error = NULL;

  f->cfg.segment_ms = 1000;
  log = open_log (f, -1);

  /* An empty segment never rolls. */
  g_assert_true (broker_log_maybe_roll (log, T0 + 1000000, &error));
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);

  log_test_append (log, 1, T0, 0, 10, T0, 0);
  log_test_append (log, 1, T0, 0, 10, T0 + 1000, 1);   /* exactly segment.ms: not yet */
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  log_test_append (log, 1, T0, 0, 10, T0 + 1001, 2);   /* older: roll first */
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);

  /* The timer path: the new segment counts from its first append. */
  g_assert_true (broker_log_maybe_roll (log, T0 + 2001, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);
  g_assert_true (broker_log_maybe_roll (log, T0 + 2002, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);
  /* The rolled active segment is empty: no further roll. */
  g_assert_true (broker_log_maybe_roll (log, T0 + 9999, &error));
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);

  {
    g_autofree char *path = log_test_segment_path (f->dir, 3, ".log");

    g_assert_cmpint (log_test_file_size (path), ==, 0);
  }
  log_test_append (log, 1, T0, 0, 10, T0 + 10000, 3);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);
}

/* 40 batches of 4 records over several segments; batch i has timestamps
 * T0 + 1000 i + 10 j. Small intervals give many index entries. */
static BrokerLog *
fill_timed_log (Fixture *f)
{
  BrokerLog *log;
  gsize len;
  g_free (log_test_make_batch (4, T0, 10, 20, &len));

  f->cfg.segment_bytes = (gint64) (7 * len);
  f->cfg.index_interval_bytes = (gint32) len;
  log = open_log (f, -1);
  for (guint i = 0; i < 40; i++)
    log_test_append (log, 4, T0 + 1000 * i, 10, 20, T0, 4 * i);
  return log;
}

static void
assert_time_lookups (BrokerLog *log)
{
  g_autoptr(GError) error = NULL;
  gint64 offset, ts;

  for (guint i = 0; i < 40; i++)
    {
      /* Exactly a batch's first timestamp. */
      g_assert_true (broker_log_offset_for_timestamp (log, T0 + 1000 * i, &offset, &ts, &error));
      g_assert_no_error (error);
      g_assert_cmpint (offset, ==, 4 * i);
      g_assert_cmpint (ts, ==, T0 + 1000 * i);
      /* Between the 2nd and 3rd record: the 3rd. */
      g_assert_true (broker_log_offset_for_timestamp (log, T0 + 1000 * i + 15, &offset, &ts, &error));
      g_assert_cmpint (offset, ==, 4 * i + 2);
      g_assert_cmpint (ts, ==, T0 + 1000 * i + 20);
      /* After the batch's last record: the next batch. */
      if (i < 39)
        {
          g_assert_true (broker_log_offset_for_timestamp (log, T0 + 1000 * i + 31, &offset, &ts, &error));
          g_assert_cmpint (offset, ==, 4 * (i + 1));
          g_assert_cmpint (ts, ==, T0 + 1000 * (i + 1));
        }
    }
  g_assert_true (broker_log_offset_for_timestamp (log, 0, &offset, &ts, &error));
  g_assert_cmpint (offset, ==, 0);
  g_assert_false (broker_log_offset_for_timestamp (log, T0 + 39030 + 1, &offset, &ts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (offset, ==, -1);
  g_assert_cmpint (ts, ==, -1);

  broker_log_max_timestamp (log, &offset, &ts);
  g_assert_cmpint (offset, ==, 159);
  g_assert_cmpint (ts, ==, T0 + 39030);

  /* Every offset reads back from the batch that holds it. */
  for (gint64 o = 0; o < 160; o++)
    {
      g_autoptr(GBytes) bytes = log_test_read (log, o, 1);
      g_autoptr(GArray) bases = log_test_batch_bases (bytes);

      g_assert_cmpuint (bases->len, ==, 1);
      g_assert_cmpint (g_array_index (bases, gint64, 0), ==, o - o % 4);
    }
}

static void
test_index_lookups (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(BrokerLog) log = fill_timed_log (f);
  gsize len;
  g_free (log_test_make_batch (4, T0, 10, 20, &len));
  g_autofree char *index = log_test_segment_path (f->dir, 0, ".index");
  g_autofree char *timeindex = log_test_segment_path (f->dir, 0, ".timeindex");
  g_autofree char *index_data = NULL;
  gsize index_len;

  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 6);
  /* Kafka's rule: an entry (batch last offset, batch position) once more
   * than index.interval.bytes passed since the last one, checked before
   * each batch: batches 2, 4, 6 of the first segment. */
  g_assert_true (g_file_get_contents (index, &index_data, &index_len, NULL));
  {
    static const guint8 expected_head[] = { 0, 0, 0, 11 };

    g_assert_cmpuint (index_len, ==, 3 * 8);
    g_assert_cmpmem (index_data, 4, expected_head, 4);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (index_data + 4)), ==, 2 * len);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (index_data + 12)), ==, 4 * len);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (index_data + 8)), ==, 19);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (index_data + 16)), ==, 27);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (index_data + 20)), ==, 6 * len);
  }
  /* One entry per offset index entry (the timestamps grow); sealing at the
   * roll adds none, the last entry already has the segment's maximum. */
  g_assert_cmpint (log_test_file_size (timeindex), ==, 3 * 12);

  assert_time_lookups (log);
}

static void
test_max_timestamp_out_of_order (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offset, ts;

  f->cfg.index_interval_bytes = 1;
  log = open_log (f, -1);
  broker_log_max_timestamp (log, &offset, &ts);
  g_assert_cmpint (offset, ==, -1);
  g_assert_cmpint (ts, ==, -1);

  log_test_append (log, 3, T0 + 100, 1, 10, T0, 0);
  /* Timestamps 500, 400, 300, 200 within one batch: the max is its first. */
  log_test_append (log, 4, T0 + 500, -100, 10, T0, 3);
  log_test_append (log, 2, T0 + 50, 1, 10, T0, 7);

  broker_log_max_timestamp (log, &offset, &ts);
  g_assert_cmpint (offset, ==, 3);
  g_assert_cmpint (ts, ==, T0 + 500);

  /* The first record at or after T0 + 300 in log order is offset 3. */
  g_assert_true (broker_log_offset_for_timestamp (log, T0 + 300, &offset, &ts, &error));
  g_assert_cmpint (offset, ==, 3);
  g_assert_cmpint (ts, ==, T0 + 500);
  g_assert_true (broker_log_offset_for_timestamp (log, T0 + 51, &offset, &ts, &error));
  g_assert_cmpint (offset, ==, 0);
  g_assert_cmpint (ts, ==, T0 + 100);
}

static void
test_log_append_time (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_auto(CaudalRecordIter) iter = { 0 };
  CaudalRecordBatchHeader h;
  CaudalRecord r;
  gsize len;
  g_autofree guint8 *batch = log_test_make_batch (3, T0, 1, 10, &len);
  BrokerLogAppendInfo info;
  gint64 offset, ts;
  guint n = 0;

  f->cfg.log_append_time = TRUE;
  log = open_log (f, -1);
  log_test_append (log, 2, T0, 1, 10, T0 + 5000, 0);
  g_assert_true (broker_log_append (log, batch, len, T0 + 7777, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.base_offset, ==, 2);
  g_assert_cmpint (info.log_append_time, ==, T0 + 7777);
  g_assert_cmpint (info.max_timestamp, ==, T0 + 7777);
  g_assert_cmpint (info.offset_of_max_timestamp, ==, 2);

  bytes = log_test_read (log, 2, G_MAXSIZE);
  g_assert_true (caudal_record_batch_parse_header (g_bytes_get_data (bytes, NULL),
                                                   g_bytes_get_size (bytes), &h, &error));
  g_assert_true (caudal_record_batch_verify_crc (&h, &error));
  g_assert_no_error (error);
  g_assert_true (caudal_record_batch_header_is_log_append_time (&h));
  g_assert_cmpint (h.max_timestamp, ==, T0 + 7777);
  g_assert_true (caudal_record_iter_init (&iter, &h, 1 << 20, &error));
  while (caudal_record_iter_next (&iter, &r, &error))
    {
      g_assert_cmpint (r.timestamp, ==, T0 + 7777);
      g_assert_cmpint (r.offset, ==, 2 + n);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);

  broker_log_max_timestamp (log, &offset, &ts);
  g_assert_cmpint (offset, ==, 2);
  g_assert_cmpint (ts, ==, T0 + 7777);
  g_assert_true (broker_log_offset_for_timestamp (log, T0 + 5001, &offset, &ts, &error));
  g_assert_cmpint (offset, ==, 2);
  g_assert_cmpint (ts, ==, T0 + 7777);
}

static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  BrokerLog *log = fill_timed_log (f);
  g_autoptr(GBytes) before = log_test_read (log, 0, G_MAXSIZE);
  g_autoptr(GBytes) after = NULL;
  g_autofree char *index_before = NULL, *index_after = NULL;
  g_autofree char *active_before = NULL, *active_after = NULL;
  g_autofree char *index = log_test_segment_path (f->dir, 28, ".index");
  g_autofree char *active_index = log_test_segment_path (f->dir, 140, ".index");
  gsize n_before, n_after, n_active_before, n_active_after;

  g_assert_true (g_file_get_contents (index, &index_before, &n_before, NULL));
  g_assert_true (g_file_get_contents (active_index, &active_before, &n_active_before, NULL));
  /* Batches 37 and 39 of the active segment (offsets 151 and 159). */
  g_assert_cmpuint (n_active_before, ==, 2 * 8);
  broker_log_close (log);

  log = open_log (f, 5);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 160);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 5);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 160);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 6);
  after = log_test_read (log, 0 + 5, G_MAXSIZE);
  /* Offset 5 is in the second batch: the rest of the first segment. */
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (before, NULL) + g_bytes_get_size (before) / 7,
                   g_bytes_get_size (before) - g_bytes_get_size (before) / 7,
                   g_bytes_get_data (after, NULL), g_bytes_get_size (after));
  g_assert_true (g_file_get_contents (index, &index_after, &n_after, NULL));
  g_assert_cmpmem (index_before, n_before, index_after, n_after);
  /* The active segment's indexes were rebuilt by the recovery scan. */
  g_assert_true (g_file_get_contents (active_index, &active_after, &n_active_after, NULL));
  g_assert_cmpmem (active_before, n_active_before, active_after, n_active_after);

  /* Appends continue where the log ended. */
  log_test_append (log, 4, T0 + 40000, 10, 20, T0, 160);
  broker_log_close (log);

  log = open_log (f, -1);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 0);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 164);
  {
    gint64 offset, ts;

    broker_log_max_timestamp (log, &offset, &ts);
    g_assert_cmpint (offset, ==, 163);
    g_assert_cmpint (ts, ==, T0 + 40030);
  }
  broker_log_close (log);
}

static void
test_reopen_timed (Fixture       *f,
                   gconstpointer  data)
{
  BrokerLog *log = fill_timed_log (f);

  broker_log_close (log);
  log = open_log (f, -1);
  assert_time_lookups (log);
  broker_log_close (log);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  BrokerLog *log = open_log (f, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *extra = g_build_filename (f->dir, "partition.metadata", NULL);

  log_test_append (log, 3, T0, 1, 10, T0, 0);
  g_assert_true (g_file_set_contents (extra, "version: 0\n", -1, NULL));
  g_assert_true (broker_log_delete (log, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (f->dir, G_FILE_TEST_EXISTS));
}

static void
test_set_config (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(BrokerLog) log = open_log (f, -1);
  BrokerLogConfig cfg = f->cfg;
  BrokerLogAppendInfo info;
  g_autoptr(GError) error = NULL;
  gsize len;
  g_autofree guint8 *batch = log_test_make_batch (3, T0, 1, 10, &len);

  cfg.flush_messages = 4;
  broker_log_set_config (log, &cfg);
  log_test_append (log, 3, T0, 1, 10, T0, 0);
  g_assert_true (broker_log_append (log, batch, len, T0, &info, &error));
  g_assert_no_error (error);
  /* Six unflushed offsets >= flush.messages. */
  g_assert_true (info.needs_flush);
  g_assert_true (broker_log_flush (log, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log/defaults", test_defaults);
#define ADD(path, fn) \
  g_test_add ("/log/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("append-read", test_append_read);
  ADD ("append-invalid", test_append_invalid);
  ADD ("roll-by-size", test_roll_by_size);
  ADD ("roll-by-time", test_roll_by_time);
  ADD ("index-lookups", test_index_lookups);
  ADD ("max-timestamp-out-of-order", test_max_timestamp_out_of_order);
  ADD ("log-append-time", test_log_append_time);
  ADD ("reopen", test_reopen);
  ADD ("reopen-timed", test_reopen_timed);
  ADD ("delete", test_delete);
  ADD ("set-config", test_set_config);
#undef ADD

  return g_test_run ();
}
