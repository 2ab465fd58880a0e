/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Moving the log start offset: retention.ms, retention.bytes,
 * DeleteRecords, and fetch slices that outlive the segment they read. */
#include "log-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000)
#define HOUR G_GINT64_CONSTANT (3600000)

typedef struct
{
  char           *tmp;
  char           *dir;
  BrokerLogConfig cfg;
  gsize           batch_len;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree guint8 *probe = NULL;

  f->tmp = log_test_make_tmp_dir ();
  f->dir = g_build_filename (f->tmp, "events-3", NULL);
  broker_log_config_init_defaults (&f->cfg);
  probe = log_test_make_batch (2, T0, 1, 40, &f->batch_len);
  /* Two batches per segment. */
  f->cfg.segment_bytes = (gint64) (2 * f->batch_len);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  log_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
}

/* 5 segments: batch i (offsets 2i, 2i+1) carries timestamps T0 + i hours. */
static BrokerLog *
fill (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  BrokerLog *log = broker_log_open (f->dir, &f->cfg, -1, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 10; i++)
    log_test_append (log, 2, T0 + i * HOUR, 1, 40, T0, 2 * i);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 5);
  return log;
}

static void
assert_out_of_range (BrokerLog *log,
                     gint64     offset)
{
  BrokerLogSlice slice;
  g_autoptr(GError) error = NULL;

  g_assert_false (broker_log_read (log, offset, 100, &slice, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_assert_null (slice.segment_ref);
}

static void
test_retention_ms (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  BrokerLogConfig cfg;
  g_autofree char *first = log_test_segment_path (f->dir, 0, ".log");
  g_autofree char *first_index = log_test_segment_path (f->dir, 0, ".timeindex");

  f->cfg.retention_ms = 2 * HOUR;
  log = fill (f);

  /* Segment 0 ends at T0 + 1h + 1 ms: older than 2 h only after T0 + 3h + 1. */
  g_assert_cmpuint (broker_log_apply_retention (log, T0 + 3 * HOUR + 1), ==, 0);
  g_assert_cmpuint (broker_log_apply_retention (log, T0 + 3 * HOUR + 2), ==, 1);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 4);
  g_assert_cmpint (log_test_file_size (first), ==, -1);
  g_assert_cmpint (log_test_file_size (first_index), ==, -1);
  assert_out_of_range (log, 3);
  {
    g_autoptr(GBytes) bytes = log_test_read (log, 4, G_MAXSIZE);
    g_autoptr(GArray) bases = log_test_batch_bases (bytes);

    g_assert_cmpint (g_array_index (bases, gint64, 0), ==, 4);
  }

  /* Two more segments expire; the rest stays. */
  g_assert_cmpuint (broker_log_apply_retention (log, T0 + 7 * HOUR + 2), ==, 2);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 12);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);

  /* Everything expired: the active segment is rolled, then deleted. */
  g_assert_cmpuint (broker_log_apply_retention (log, T0 + 100 * HOUR), ==, 2);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 20);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 20);
  g_assert_cmpint (broker_log_get_size (log), ==, 0);
  {
    g_autoptr(GBytes) bytes = log_test_read (log, 20, G_MAXSIZE);

    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  }
  /* The empty active segment never expires. */
  g_assert_cmpuint (broker_log_apply_retention (log, T0 + 1000 * HOUR), ==, 0);
  log_test_append (log, 1, T0, 0, 40, T0, 20);

  /* Unlimited retention deletes nothing. */
  cfg = f->cfg;
  cfg.retention_ms = -1;
  broker_log_set_config (log, &cfg);
  g_assert_cmpuint (broker_log_apply_retention (log, T0 + 1000 * HOUR), ==, 0);
}

static void
test_retention_bytes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;

  f->cfg.retention_ms = -1;
  /* Keep at least 5 batches' worth: 10 batches, drop whole segments of 2
   * while what remains is still >= the limit. */
  f->cfg.retention_bytes = (gint64) (5 * f->batch_len);
  log = fill (f);
  g_assert_cmpuint (broker_log_apply_retention (log, T0), ==, 2);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 8);
  g_assert_cmpint (broker_log_get_size (log), ==, (gint64) (6 * f->batch_len));
  g_assert_cmpuint (broker_log_apply_retention (log, T0), ==, 0);

  f->cfg.retention_bytes = 0;
  broker_log_set_config (log, &f->cfg);
  g_assert_cmpuint (broker_log_apply_retention (log, T0), ==, 3);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 20);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 20);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
}

static void
test_delete_records (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  g_autoptr(GError) error = NULL;
  gint64 offset, ts;

  f->cfg.retention_ms = -1;
  log = fill (f);

  g_assert_false (broker_log_delete_records_before (log, 21, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_clear_error (&error);

  /* Offset 9 is in the third segment [8, 11]: two segments go. */
  g_assert_true (broker_log_delete_records_before (log, 9, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 9);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);
  assert_out_of_range (log, 8);
  {
    /* The batch holding 9 starts at 8; the consumer skips offset 8. */
    g_autoptr(GBytes) bytes = log_test_read (log, 9, 1);
    g_autoptr(GArray) bases = log_test_batch_bases (bytes);

    g_assert_cmpint (g_array_index (bases, gint64, 0), ==, 8);
  }
  /* Timestamp lookups skip what was deleted. */
  g_assert_true (broker_log_offset_for_timestamp (log, 0, &offset, &ts, &error));
  g_assert_cmpint (offset, ==, 9);
  g_assert_cmpint (ts, ==, T0 + 4 * HOUR + 1);

  /* Going backwards is a no-op. */
  g_assert_true (broker_log_delete_records_before (log, 2, &error));
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 9);

  /* Up to the end: everything goes, the log stays usable. */
  g_assert_true (broker_log_delete_records_before (log, 20, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_start_offset (log), ==, 20);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  g_assert_cmpint (broker_log_get_size (log), ==, 0);
  g_assert_false (broker_log_offset_for_timestamp (log, 0, &offset, &ts, &error));
  g_assert_no_error (error);
  log_test_append (log, 2, T0, 1, 40, T0, 20);
}

static void
test_slice_outlives_segment (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(BrokerLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  BrokerLogSlice slice;

  f->cfg.retention_ms = -1;
  log = fill (f);
  before = log_test_read (log, 0, G_MAXSIZE);
  g_assert_true (broker_log_read (log, 0, G_MAXSIZE, &slice, &error));
  g_assert_cmpint (slice.fd, >=, 0);
  g_assert_cmpint (slice.position, ==, 0);
  g_assert_cmpuint (slice.length, ==, 2 * f->batch_len);

  g_assert_true (broker_log_delete_records_before (log, 12, &error));
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);

  /* The files are gone, the descriptor still reads (for sendfile). */
  after = broker_log_slice_read_bytes (&slice, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (before, after));
  broker_log_slice_clear (&slice);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) \
  g_test_add ("/log/retention/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("ms", test_retention_ms);
  ADD ("bytes", test_retention_bytes);
  ADD ("delete-records", test_delete_records);
  ADD ("slice-outlives-segment", test_slice_outlives_segment);
#undef ADD

  return g_test_run ();
}
