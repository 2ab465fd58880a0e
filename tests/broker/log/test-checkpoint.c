/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Offset checkpoint files: Kafka's exact text, an atomic replace, and
 * strict reading that rejects anything malformed. */
#include "broker-checkpoint.h"
#include "broker-log.h"
#include "log-test-util.h"

static void
test_round_trip (void)
{
  g_autofree char *tmp = log_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "recovery-point-offset-checkpoint", NULL);
  g_autofree char *tmp_path = g_strconcat (path, ".tmp", NULL);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_checkpoint_entry_free);
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_ptr_array_add (entries, broker_checkpoint_entry_new ("orders", 0, 42));
  g_ptr_array_add (entries, broker_checkpoint_entry_new ("__consumer_offsets", 49, 0));
  g_ptr_array_add (entries, broker_checkpoint_entry_new ("a.b-c_d", 7, G_MAXINT64));
  g_assert_true (broker_checkpoint_write (path, entries, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (tmp_path, G_FILE_TEST_EXISTS));

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==,
                   "0\n3\norders 0 42\n__consumer_offsets 49 0\na.b-c_d 7 9223372036854775807\n");

  read = broker_checkpoint_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      BrokerCheckpointEntry *a = g_ptr_array_index (entries, i);
      BrokerCheckpointEntry *b = g_ptr_array_index (read, i);

      g_assert_cmpstr (a->topic, ==, b->topic);
      g_assert_cmpint (a->partition, ==, b->partition);
      g_assert_cmpint (a->offset, ==, b->offset);
    }

  /* Rewriting replaces the file whole; an empty checkpoint is valid. */
  g_ptr_array_set_size (entries, 0);
  g_assert_true (broker_checkpoint_write (path, entries, &error));
  g_clear_pointer (&read, g_ptr_array_unref);
  read = broker_checkpoint_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->len, ==, 0);

  log_test_rm_rf (tmp);
}

static void
test_write_invalid (void)
{
  g_autofree char *tmp = log_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "log-start-offset-checkpoint", NULL);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_checkpoint_entry_free);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (entries, broker_checkpoint_entry_new ("bad topic", 0, 1));
  g_assert_false (broker_checkpoint_write (path, entries, &error));
  g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  log_test_rm_rf (tmp);
}

static void
test_malformed (void)
{
  static const char *const bad[] = {
    "",
    "0\n",
    "1\n0\n",                          /* unknown version */
    "0\n1\n",                          /* count without entries */
    "0\n0\nt 0 1\n",                   /* entries beyond the count */
    "0\n1\nt 0 1",                     /* no final newline */
    "0\n1\nt 0\n",                     /* missing offset */
    "0\n1\nt 0 1 2\n",                 /* extra field */
    "0\n1\nt x 1\n",                   /* partition not a number */
    "0\n1\nt -1 1\n",                  /* negative partition */
    "0\n1\nt 0 +1\n",                  /* sign */
    "0\n1\nt 0 1x\n",                  /* trailing garbage */
    "0\n1\n 0 1\n",                    /* empty topic */
    "0\n1\nt  0 1\n",                  /* two spaces */
    "0\n1\nt 0 99999999999999999999\n", /* offset overflows int64 */
    "0\n2\nt 0 1\n\n",                 /* an empty entry line */
    " 0\n0\n",                         /* whitespace */
  };
  g_autofree char *tmp = log_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "cp", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = NULL;

      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
      entries = broker_checkpoint_read (path, &error);
      if (entries != NULL)
        g_error ("accepted %s", g_strescape (bad[i], NULL));
      g_assert_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT);
    }

  /* A negative offset is valid (Kafka writes -1 for unknown). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) entries = NULL;

    g_assert_true (g_file_set_contents (path, "0\n1\nt 3 -1\n", -1, NULL));
    entries = broker_checkpoint_read (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (((BrokerCheckpointEntry *) g_ptr_array_index (entries, 0))->offset, ==, -1);
  }

  /* Missing: a G_FILE_ERROR the caller can tell apart (first start). */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *missing = g_build_filename (tmp, "missing", NULL);

    g_assert_null (broker_checkpoint_read (missing, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  }
  log_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/round-trip", test_round_trip);
  g_test_add_func ("/checkpoint/write-invalid", test_write_invalid);
  g_test_add_func ("/checkpoint/malformed", test_malformed);

  return g_test_run ();
}
