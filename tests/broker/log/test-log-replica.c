/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replication support in the partition log: leader epochs stamped and
 * cached, OffsetsForLeaderEpoch answers, a follower's append of the
 * leader's bytes, truncation, and the leader-epoch-checkpoint file. */
#include "log-test-util.h"

#include <glib/gstdio.h>

#define T0 G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  char           *tmp;
  char           *dir;
  char           *epochs_path;
  BrokerLogConfig cfg;
  gsize           batch_len;   /* of two records */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree guint8 *probe = NULL;

  f->tmp = log_test_make_tmp_dir ();
  f->dir = g_build_filename (f->tmp, "events-0", NULL);
  f->epochs_path = g_build_filename (f->dir, "leader-epoch-checkpoint", NULL);
  broker_log_config_init_defaults (&f->cfg);
  probe = log_test_make_batch (2, T0, 1, 40, &f->batch_len);
  /* Two batches of two records per segment; an index entry per batch
   * after a segment's first. */
  f->cfg.segment_bytes = (gint64) (2 * f->batch_len);
  f->cfg.index_interval_bytes = 0;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  log_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
  g_free (f->epochs_path);
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

/* Appends batches of two records, batch i with leader epoch epochs[i]:
 * offsets 2i and 2i + 1. */
static void
append_epochs (BrokerLog    *log,
               const gint32 *epochs,
               guint         n)
{
  gint64 base = broker_log_get_end_offset (log);

  for (guint i = 0; i < n; i++)
    {
      broker_log_set_leader_epoch (log, epochs[i]);
      log_test_append (log, 2, T0 + i, 1, 40, T0, base + 2 * i);
    }
}

/* A batch as a leader would send it: base offset @base, epoch @epoch. */
static guint8 *
make_replica_batch (guint   n_records,
                    gint64  base,
                    gint32  epoch,
                    gsize  *len)
{
  guint8 *batch = log_test_make_batch (n_records, T0, 1, 40, len);

  caudal_record_batch_set_base_offset (batch, base);
  caudal_record_batch_set_partition_leader_epoch (batch, epoch);
  return batch;
}

/* Every byte of the log from its start, read slice by slice. */
static GBytes *
read_all (BrokerLog *log)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();
  gint64 offset = broker_log_get_start_offset (log);

  while (offset < broker_log_get_end_offset (log))
    {
      g_autoptr(GBytes) bytes = log_test_read (log, offset, G_MAXSIZE);
      CaudalRecordBatchIter iter;
      CaudalRecordBatchHeader h;
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      g_assert_cmpuint (len, >, 0);
      g_byte_array_append (all, data, (guint) len);
      caudal_record_batch_iter_init (&iter, data, len);
      while (caudal_record_batch_iter_next (&iter, &h, NULL))
        offset = caudal_record_batch_header_get_last_offset (&h) + 1;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

/* "base:epoch" of every batch of the log, space-separated, CRCs checked. */
static char *
describe_batches (BrokerLog *log)
{
  g_autoptr(GBytes) bytes = read_all (log);
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader h;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  caudal_record_batch_iter_init (&iter, data, len);
  while (caudal_record_batch_iter_next (&iter, &h, &error))
    {
      g_assert_true (caudal_record_batch_verify_crc (&h, &error));
      g_string_append_printf (s, "%s%" G_GINT64_FORMAT ":%d", s->len > 0 ? " " : "",
                              h.base_offset, h.partition_leader_epoch);
    }
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
assert_end_for (BrokerLog *log,
                gint32     epoch,
                gint32     want_epoch,
                gint64     want_end)
{
  gint32 got_epoch = 42;
  gint64 got_end = 42;

  broker_log_end_offset_for_epoch (log, epoch, &got_epoch, &got_end);
  g_assert_cmpint (got_epoch, ==, want_epoch);
  g_assert_cmpint (got_end, ==, want_end);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
test_stamp_and_cache (Fixture       *f,
                      gconstpointer  data)
{
  static const gint32 epochs[] = { 0, 0, 2, 5 };
  g_autoptr(BrokerLog) log = open_log (f, -1);
  g_autofree char *batches = NULL;
  g_autofree char *file = NULL;

  /* An empty cache knows nothing; a new log writes no file. */
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, -1);
  assert_end_for (log, 0, -1, -1);
  g_assert_false (g_file_test (f->epochs_path, G_FILE_TEST_EXISTS));

  append_epochs (log, epochs, G_N_ELEMENTS (epochs));
  batches = describe_batches (log);
  g_assert_cmpstr (batches, ==, "0:0 2:0 4:2 6:5");
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 5);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 0), ==, 0);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 2), ==, 4);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 5), ==, 6);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 1), ==, -1);
  file = read_file (f->epochs_path);
  g_assert_cmpstr (file, ==, "0\n3\n0 0\n2 4\n5 6\n");

  /* OffsetsForLeaderEpoch: the latest ends at the log end; others where
   * the next cached epoch starts; unknown ones are (-1, -1). */
  assert_end_for (log, 5, 5, 8);
  assert_end_for (log, 0, 0, 4);
  assert_end_for (log, 1, 0, 4);
  assert_end_for (log, 2, 2, 6);
  assert_end_for (log, 3, 2, 6);
  assert_end_for (log, 4, 2, 6);
  assert_end_for (log, 6, -1, -1);
  assert_end_for (log, -1, -1, -1);

  /* The same epoch again changes nothing: the file is not rewritten. */
  g_assert_cmpint (g_unlink (f->epochs_path), ==, 0);
  append_epochs (log, (const gint32[]) { 5 }, 1);
  g_assert_false (g_file_test (f->epochs_path, G_FILE_TEST_EXISTS));
  assert_end_for (log, 5, 5, 10);
}

static void
test_epoch_below_first (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(BrokerLog) log = open_log (f, -1);

  append_epochs (log, (const gint32[]) { 3, 7 }, 2);
  assert_end_for (log, 1, -1, -1);
  assert_end_for (log, 3, 3, 2);
  assert_end_for (log, 7, 7, 4);
}

static void
test_append_replica (Fixture       *f,
                     gconstpointer  data)
{
  static const gint32 epochs[] = { 0, 3, 3, 4 };
  g_autofree char *leader_dir = g_build_filename (f->tmp, "leader", NULL);
  g_autoptr(BrokerLog) leader = broker_log_open (leader_dir, &f->cfg, -1, NULL);
  g_autoptr(BrokerLog) follower = open_log (f, -1);
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autofree char *batches = NULL;
  g_autoptr(GError) error = NULL;
  BrokerLogAppendInfo info;
  gsize len;

  append_epochs (leader, epochs, G_N_ELEMENTS (epochs));
  sent = read_all (leader);
  g_assert_true (broker_log_append_replica (follower, g_bytes_get_data (sent, NULL),
                                            g_bytes_get_size (sent), &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.base_offset, ==, 0);
  g_assert_cmpint (info.last_offset, ==, 7);
  g_assert_cmpint (info.log_append_time, ==, -1);
  g_assert_cmpint (info.max_timestamp, ==, T0 + 4);
  g_assert_cmpint (info.offset_of_max_timestamp, ==, 7);
  g_assert_cmpint (broker_log_get_end_offset (follower), ==, 8);
  /* Byte for byte, epochs included, across segment rolls. */
  kept = read_all (follower);
  g_assert_true (g_bytes_equal (sent, kept));
  g_assert_cmpuint (broker_log_get_n_segments (follower), ==, 2);
  batches = describe_batches (follower);
  g_assert_cmpstr (batches, ==, "0:0 2:3 4:3 6:4");
  g_assert_cmpint (broker_log_get_epoch_start_offset (follower, 3), ==, 2);
  g_assert_cmpint (broker_log_get_latest_epoch (follower), ==, 4);
  assert_end_for (follower, 3, 3, 6);

  /* The same bytes again: their base offset is not the log end. */
  g_assert_false (broker_log_append_replica (follower, g_bytes_get_data (sent, NULL),
                                             g_bytes_get_size (sent), NULL, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID);
  g_clear_error (&error);

  /* A gap between two batches: nothing of either is kept. */
  {
    gsize len_a, len_b;
    g_autofree guint8 *a = make_replica_batch (2, 8, 6, &len_a);
    g_autofree guint8 *b = make_replica_batch (2, 11, 6, &len_b);
    g_autoptr(GByteArray) both = g_byte_array_new ();

    g_byte_array_append (both, a, (guint) len_a);
    g_byte_array_append (both, b, (guint) len_b);
    g_assert_false (broker_log_append_replica (follower, both->data, both->len, NULL, &error));
    g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (broker_log_get_end_offset (follower), ==, 8);
    g_assert_cmpint (broker_log_get_latest_epoch (follower), ==, 4);
  }

  /* A damaged batch fails its CRC. */
  {
    g_autofree guint8 *c = make_replica_batch (2, 8, 6, &len);

    c[len - 1] ^= 0xff;
    g_assert_false (broker_log_append_replica (follower, c, len, NULL, &error));
    g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT);
    g_clear_error (&error);
    g_assert_cmpint (broker_log_get_end_offset (follower), ==, 8);
  }

  /* The right next batch is taken, with its epoch. */
  {
    g_autofree guint8 *d = make_replica_batch (3, 8, 6, &len);

    g_assert_true (broker_log_append_replica (follower, d, len, &info, &error));
    g_assert_no_error (error);
    g_assert_cmpint (info.base_offset, ==, 8);
    g_assert_cmpint (info.last_offset, ==, 10);
    g_assert_cmpint (broker_log_get_epoch_start_offset (follower, 6), ==, 8);
    assert_end_for (follower, 4, 4, 8);
  }
}

static void
test_truncate (Fixture       *f,
               gconstpointer  data)
{
  /* Offsets 0..19 in five segments [0,4) [4,8) [8,12) [12,16) [16,20);
   * epochs (0, 0) (1, 4) (2, 10). */
  static const gint32 epochs[] = { 0, 0, 1, 1, 1, 2, 2, 2, 2, 2 };
  g_autoptr(BrokerLog) log = open_log (f, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *last_index = log_test_segment_path (f->dir, 16, ".index");
  g_autofree char *last_timeindex = log_test_segment_path (f->dir, 16, ".timeindex");
  g_autofree char *seg8 = log_test_segment_path (f->dir, 8, ".log");
  g_autofree char *seg16 = log_test_segment_path (f->dir, 16, ".log");

  append_epochs (log, epochs, G_N_ELEMENTS (epochs));
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 5);
  g_assert_cmpint (log_test_file_size (last_index), ==, 8);
  g_assert_cmpint (log_test_file_size (last_timeindex), ==, 12);

  /* At or past the end: nothing to do. */
  g_assert_true (broker_log_truncate_to (log, 20, &error));
  g_assert_true (broker_log_truncate_to (log, 1000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 20);

  /* Inside the last batch: it goes whole, with its index entries. */
  g_assert_true (broker_log_truncate_to (log, 19, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 18);
  g_assert_cmpint (log_test_file_size (seg16), ==, (gint64) f->batch_len);
  g_assert_cmpint (log_test_file_size (last_index), ==, 0);
  g_assert_cmpint (log_test_file_size (last_timeindex), ==, 0);
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 2);

  /* At a batch boundary, across segments: epoch 2 is gone. */
  g_assert_true (broker_log_truncate_to (log, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 10);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 10);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 3);
  g_assert_cmpint (log_test_file_size (seg16), ==, -1);
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 1);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 2), ==, -1);
  assert_end_for (log, 1, 1, 10);
  assert_end_for (log, 2, -1, -1);

  /* Inside a batch of an earlier segment: the end is that batch's base. */
  g_assert_true (broker_log_truncate_to (log, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 6);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);
  g_assert_cmpint (log_test_file_size (seg8), ==, -1);
  {
    g_autofree char *batches = describe_batches (log);

    g_assert_cmpstr (batches, ==, "0:0 2:0 4:1");
  }

  /* Appends continue at the new end, in the segment that was cut; reads
   * see them. */
  broker_log_set_leader_epoch (log, 3);
  log_test_append (log, 2, T0, 1, 40, T0, 6);
  {
    g_autofree char *batches = describe_batches (log);
    g_autoptr(GBytes) bytes = log_test_read (log, 7, G_MAXSIZE);
    CaudalRecordBatchHeader h;

    g_assert_cmpstr (batches, ==, "0:0 2:0 4:1 6:3");
    g_assert_true (caudal_record_batch_parse_header (g_bytes_get_data (bytes, NULL),
                                                     g_bytes_get_size (bytes), &h, NULL));
    g_assert_cmpint (h.base_offset, ==, 6);
  }
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 3), ==, 6);

  /* Reopening keeps the truncation and the cache. */
  g_clear_pointer (&log, broker_log_close);
  log = open_log (f, -1);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 8);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);
  {
    g_autofree char *batches = describe_batches (log);
    g_autofree char *file = read_file (f->epochs_path);

    g_assert_cmpstr (batches, ==, "0:0 2:0 4:1 6:3");
    g_assert_cmpstr (file, ==, "0\n3\n0 0\n1 4\n3 6\n");
  }

  /* At a segment's base offset: it stays, empty, as the active one. */
  g_assert_true (broker_log_truncate_to (log, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 4);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 2);
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 0);
  /* Not set since the open: the epoch that was latest then, 3. */
  log_test_append (log, 2, T0, 1, 40, T0, 4);
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 3);

  /* Below the start offset. */
  g_assert_true (broker_log_delete_records_before (log, 2, &error));
  g_assert_false (broker_log_truncate_to (log, 1, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 6);
}

static void
test_rebuild (Fixture       *f,
              gconstpointer  data)
{
  static const gint32 epochs[] = { 0, 0, 2, 2, 4 };
  g_autoptr(BrokerLog) log = open_log (f, -1);
  g_autofree char *file = NULL;

  append_epochs (log, epochs, G_N_ELEMENTS (epochs));
  g_clear_pointer (&log, broker_log_close);

  /* Missing (a log from before the cache): rebuilt from the batches. */
  g_assert_cmpint (g_unlink (f->epochs_path), ==, 0);
  log = open_log (f, -1);
  file = read_file (f->epochs_path);
  g_assert_cmpstr (file, ==, "0\n3\n0 0\n2 4\n4 8\n");
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 4);
  g_clear_pointer (&log, broker_log_close);

  /* Unreadable: rebuilt too. */
  g_assert_true (g_file_set_contents (f->epochs_path, "0\n2\n0 0\n", -1, NULL));
  log = open_log (f, -1);
  g_clear_pointer (&file, g_free);
  file = read_file (f->epochs_path);
  g_assert_cmpstr (file, ==, "0\n3\n0 0\n2 4\n4 8\n");
  g_clear_pointer (&log, broker_log_close);

  /* Entries at or past the end (a tail recovery cut) are dropped. */
  g_assert_true (g_file_set_contents (f->epochs_path, "0\n4\n0 0\n2 4\n4 8\n6 10\n", -1, NULL));
  log = open_log (f, -1);
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 4);
  assert_end_for (log, 4, 4, 10);
  g_clear_pointer (&file, g_free);
  file = read_file (f->epochs_path);
  g_assert_cmpstr (file, ==, "0\n3\n0 0\n2 4\n4 8\n");
}

static void
test_start_moves (Fixture       *f,
                  gconstpointer  data)
{
  static const gint32 epochs[] = { 0, 0, 1, 1, 1, 2, 2, 2, 2, 2 };
  g_autoptr(BrokerLog) log = open_log (f, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  BrokerLogConfig cfg = f->cfg;

  append_epochs (log, epochs, G_N_ELEMENTS (epochs));

  /* Epoch 0 lies wholly below 6; epoch 1, the last at or below it, now
   * starts there. */
  g_assert_true (broker_log_delete_records_before (log, 6, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 0), ==, -1);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 1), ==, 6);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 2), ==, 10);
  file = read_file (f->epochs_path);
  g_assert_cmpstr (file, ==, "0\n2\n1 6\n2 10\n");

  /* The same after a reopen at that start offset. */
  g_clear_pointer (&log, broker_log_close);
  log = open_log (f, 6);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 1), ==, 6);
  g_assert_cmpint (broker_log_get_latest_epoch (log), ==, 2);

  /* Retention.bytes dropping segments moves it too. */
  cfg.retention_bytes = broker_log_get_size (log) / 4;
  broker_log_set_config (log, &cfg);
  g_assert_cmpuint (broker_log_apply_retention (log, T0), >, 0);
  g_assert_cmpint (broker_log_get_start_offset (log), >, 10);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 1), ==, -1);
  g_assert_cmpint (broker_log_get_epoch_start_offset (log, 2), ==,
                   broker_log_get_start_offset (log));
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  BrokerLog *log = open_log (f, -1);
  g_autoptr(GError) error = NULL;

  append_epochs (log, (const gint32[]) { 1 }, 1);
  g_assert_true (g_file_test (f->epochs_path, G_FILE_TEST_EXISTS));
  g_assert_true (broker_log_delete (log, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (f->dir, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/log/replica/stamp-and-cache", test_stamp_and_cache);
  ADD ("/log/replica/epoch-below-first", test_epoch_below_first);
  ADD ("/log/replica/append-replica", test_append_replica);
  ADD ("/log/replica/truncate", test_truncate);
  ADD ("/log/replica/rebuild", test_rebuild);
  ADD ("/log/replica/start-moves", test_start_moves);
  ADD ("/log/replica/delete", test_delete);
#undef ADD

  return g_test_run ();
}
