/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core-test-util.c: helpers shared by the broker core tests. */
#include "core-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#include "caudal-record-batch.h"

char *
core_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("caudal-core-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_nonnull (dir);
  return dir;
}

void
core_test_rm_rf (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        core_test_rm_rf (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rmdir (path), ==, 0);
}

GBytes *
core_test_make_batch (guint   n_records,
                      gint64  first_ts,
                      gsize   value_size,
                      char    fill,
                      gint64  producer_id,
                      gint16  epoch,
                      gint32  base_sequence)
{
  g_autoptr(CaudalRecordBatchBuilder) builder = caudal_record_batch_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *value = g_malloc (MAX (value_size, 1));
  GBytes *bytes;

  memset (value, fill, value_size);
  if (producer_id >= 0)
    caudal_record_batch_builder_set_producer (builder, producer_id, epoch, base_sequence);
  for (guint i = 0; i < n_records; i++)
    {
      char key[32];
      CaudalBytes k, v = { value, (gint32) value_size };

      g_snprintf (key, sizeof key, "key-%u", i);
      k = (CaudalBytes) { (const guint8 *) key, (gint32) strlen (key) };
      g_assert_true (caudal_record_batch_builder_append (builder, first_ts + (gint64) i, k, v,
                                                         NULL, 0, &error));
      g_assert_no_error (error);
    }
  bytes = caudal_record_batch_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}
