/* SPDX-License-Identifier: GPL-3.0-or-later */
/* log-test-util.c: helpers for the broker/log tests. */
#include "log-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

char *
log_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("caudal-log-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
log_test_rm_rf (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        log_test_rm_rf (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rmdir (path), ==, 0);
}

guint8 *
log_test_make_batch (guint   n_records,
                     gint64  first_ts,
                     gint64  ts_step,
                     gsize   value_size,
                     gsize  *len)
{
  g_autoptr(CaudalRecordBatchBuilder) builder = caudal_record_batch_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *value = g_malloc (MAX (value_size, 1));
  GBytes *bytes;

  memset (value, 'v', value_size);
  for (guint i = 0; i < n_records; i++)
    {
      char key[32];
      CaudalBytes k, v = { value, (gint32) value_size };

      g_snprintf (key, sizeof key, "key-%u", i);
      k = (CaudalBytes) { (const guint8 *) key, (gint32) strlen (key) };
      g_assert_true (caudal_record_batch_builder_append (builder, first_ts + (gint64) i * ts_step,
                                                         k, v, NULL, 0, &error));
      g_assert_no_error (error);
    }
  bytes = caudal_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  return g_bytes_unref_to_data (bytes, len);
}

void
log_test_append (BrokerLog *log,
                 guint      n_records,
                 gint64     first_ts,
                 gint64     ts_step,
                 gsize      value_size,
                 gint64     now_ms,
                 gint64     expected_base)
{
  gsize len;
  g_autofree guint8 *batch = log_test_make_batch (n_records, first_ts, ts_step, value_size, &len);
  BrokerLogAppendInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_true (broker_log_append (log, batch, len, now_ms, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.base_offset, ==, expected_base);
  g_assert_cmpint (info.last_offset, ==, expected_base + n_records - 1);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, expected_base + n_records);
}

GBytes *
log_test_read (BrokerLog *log,
               gint64     offset,
               gsize      max_bytes)
{
  BrokerLogSlice slice;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  g_assert_true (broker_log_read (log, offset, max_bytes, &slice, &error));
  g_assert_no_error (error);
  bytes = broker_log_slice_read_bytes (&slice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, slice.length);
  broker_log_slice_clear (&slice);
  g_assert_null (slice.segment_ref);
  return bytes;
}

GArray *
log_test_batch_bases (GBytes *bytes)
{
  GArray *bases = g_array_new (FALSE, FALSE, sizeof (gint64));
  CaudalRecordBatchIter iter;
  CaudalRecordBatchHeader h;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gint64 next = -1;

  caudal_record_batch_iter_init (&iter, data, len);
  while (caudal_record_batch_iter_next (&iter, &h, &error))
    {
      g_assert_true (caudal_record_batch_verify_crc (&h, &error));
      g_assert_no_error (error);
      g_assert_cmpint (h.partition_leader_epoch, ==, 0);
      if (next >= 0)
        g_assert_cmpint (h.base_offset, ==, next);
      next = caudal_record_batch_header_get_last_offset (&h) + 1;
      g_array_append_val (bases, h.base_offset);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (caudal_record_batch_iter_get_partial_size (&iter), ==, 0);
  return bases;
}

gint64
log_test_file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) < 0)
    return -1;
  return (gint64) st.st_size;
}

char *
log_test_segment_path (const char *dir,
                       gint64      base,
                       const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%020" G_GINT64_FORMAT "%s", base, suffix);

  return g_build_filename (dir, name, NULL);
}
