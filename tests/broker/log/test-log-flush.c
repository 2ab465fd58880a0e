/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Flushing: fdatasync on a worker thread with completions on the log's
 * main context, group commit of concurrent calls, the recovery point,
 * cancellation, and closing with flushes in flight. */
#include "broker-log-private.h"
#include "log-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  BrokerLog *log;
  GPtrArray *order;       /* which call completed, in order (GINT_TO_POINTER) */
  GPtrArray *errors;      /* GError* or NULL, by call */
  GPtrArray *recovery;    /* recovery point seen in each callback */
} Calls;

typedef struct
{
  Calls *calls;
  guint  id;
} Call;

static void
flush_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Call *call = user_data;
  GError *error = NULL;

  g_assert_null (source);
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  broker_log_flush_finish (call->calls->log, result, &error);
  g_ptr_array_add (call->calls->order, GUINT_TO_POINTER (call->id));
  g_ptr_array_index (call->calls->errors, call->id) = error;
  if (call->calls->log != NULL)
    g_ptr_array_index (call->calls->recovery, call->id) =
      GSIZE_TO_POINTER ((gsize) broker_log_get_recovery_point (call->calls->log));
  g_free (call);
}

static void
start_flush (Calls        *calls,
             guint         id,
             GCancellable *cancellable)
{
  Call *call = g_new0 (Call, 1);

  call->calls = calls;
  call->id = id;
  broker_log_flush_async (calls->log, cancellable, flush_done, call);
}

static void
wait_for (Calls *calls,
          guint  n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (calls->order->len < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
calls_init (Calls     *calls,
            BrokerLog *log)
{
  calls->log = log;
  calls->order = g_ptr_array_new ();
  calls->errors = g_ptr_array_new ();
  g_ptr_array_set_size (calls->errors, 8);
  calls->recovery = g_ptr_array_new ();
  g_ptr_array_set_size (calls->recovery, 8);
}

static void
calls_clear (Calls *calls)
{
  for (guint i = 0; i < calls->errors->len; i++)
    if (g_ptr_array_index (calls->errors, i) != NULL)
      g_error_free (g_ptr_array_index (calls->errors, i));
  g_ptr_array_set_size (calls->errors, 0);
  g_ptr_array_unref (calls->errors);
  g_ptr_array_unref (calls->order);
  g_ptr_array_unref (calls->recovery);
}

static BrokerLog *
open_tmp_log (char **tmp)
{
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  BrokerLog *log;

  *tmp = log_test_make_tmp_dir ();
  dir = g_build_filename (*tmp, "payments-0", NULL);
  log = broker_log_open (dir, NULL, -1, &error);
  g_assert_no_error (error);
  return log;
}

/* A new, empty log is not synced at open (nothing to protect: start-up
 * would pay an fsync per partition); its directory stays owed to the
 * first flush, which must then sync it along with the data. A log with
 * data is flushed at open, so nothing is owed afterwards. */
static void
test_new_log_defers_dir_sync (void)
{
  g_autofree char *tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  BrokerLog *log = open_tmp_log (&tmp);

  g_assert_true (log->dir_dirty);
  g_assert_false (broker_log_active (log)->dirty);
  log_test_append (log, 2, T0, 1, 10, T0, 0);
  g_assert_true (broker_log_active (log)->dirty);
  g_assert_true (broker_log_flush (log, &error));
  g_assert_no_error (error);
  g_assert_false (log->dir_dirty);
  g_assert_false (broker_log_active (log)->dirty);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 2);

  dir = g_strdup (log->dir);
  broker_log_close (log);
  log = broker_log_open (dir, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_false (log->dir_dirty);
  g_assert_true (broker_log_delete (log, NULL));
  log_test_rm_rf (tmp);
}

static void
test_group_commit (void)
{
  g_autofree char *tmp = NULL;
  BrokerLog *log = open_tmp_log (&tmp);
  Calls calls;

  calls_init (&calls, log);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 0);
  log_test_append (log, 5, T0, 1, 10, T0, 0);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 0);

  /* The first call starts a job covering offsets < 5; the next two arrive
   * while it runs and share one job that also covers the append made in
   * between. */
  start_flush (&calls, 0, NULL);
  log_test_append (log, 3, T0, 1, 10, T0, 5);
  start_flush (&calls, 1, NULL);
  start_flush (&calls, 2, NULL);
  /* Nothing completes before the main context runs. */
  g_assert_cmpuint (calls.order->len, ==, 0);
  wait_for (&calls, 3);

  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (calls.order, 0)), ==, 0);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (calls.order, 1)), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (calls.order, 2)), ==, 2);
  for (guint i = 0; i < 3; i++)
    g_assert_null (g_ptr_array_index (calls.errors, i));
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_ptr_array_index (calls.recovery, 0)), ==, 5);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_ptr_array_index (calls.recovery, 1)), ==, 8);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_ptr_array_index (calls.recovery, 2)), ==, 8);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 8);

  calls_clear (&calls);
  g_assert_true (broker_log_delete (log, NULL));
  log_test_rm_rf (tmp);
}

static void
test_flush_across_roll (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  BrokerLog *log;
  BrokerLogConfig cfg;
  g_autoptr(GError) error = NULL;
  Calls calls;

  tmp = log_test_make_tmp_dir ();
  dir = g_build_filename (tmp, "payments-1", NULL);
  broker_log_config_init_defaults (&cfg);
  cfg.segment_bytes = 200;
  log = broker_log_open (dir, &cfg, -1, &error);
  g_assert_no_error (error);
  calls_init (&calls, log);

  /* Each batch fills a segment; the flush runs while segments roll and
   * retention deletes them under it. */
  for (guint i = 0; i < 4; i++)
    log_test_append (log, 1, T0, 0, 100, T0, i);
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 4);
  start_flush (&calls, 0, NULL);
  g_assert_true (broker_log_delete_records_before (log, 3, &error));
  g_assert_cmpuint (broker_log_get_n_segments (log), ==, 1);
  log_test_append (log, 1, T0, 0, 100, T0, 4);
  wait_for (&calls, 1);
  g_assert_null (g_ptr_array_index (calls.errors, 0));
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 4);

  /* The synchronous flush covers the rest. */
  g_assert_true (broker_log_flush (log, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_recovery_point (log), ==, 5);

  calls_clear (&calls);
  broker_log_close (log);
  log_test_rm_rf (tmp);
}

static void
test_cancelled (void)
{
  g_autofree char *tmp = NULL;
  BrokerLog *log = open_tmp_log (&tmp);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Calls calls;

  calls_init (&calls, log);
  log_test_append (log, 2, T0, 1, 10, T0, 0);
  g_cancellable_cancel (cancellable);
  start_flush (&calls, 0, cancellable);
  wait_for (&calls, 1);
  g_assert_error ((GError *) g_ptr_array_index (calls.errors, 0), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  calls_clear (&calls);
  broker_log_close (log);
  log_test_rm_rf (tmp);
}

static void
test_close_in_flight (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  BrokerLog *log = open_tmp_log (&tmp);
  g_autoptr(GError) error = NULL;
  Calls calls;

  dir = g_strdup (broker_log_get_dir (log));
  calls_init (&calls, log);
  log_test_append (log, 2, T0, 1, 10, T0, 0);
  start_flush (&calls, 0, NULL);
  log_test_append (log, 2, T0, 1, 10, T0, 2);
  start_flush (&calls, 1, NULL);
  broker_log_close (log);
  calls.log = NULL;

  /* The queued call learns the log closed; the running one completes. */
  wait_for (&calls, 2);
  g_assert_error ((GError *) g_ptr_array_index (calls.errors, 1), BROKER_LOG_ERROR, BROKER_LOG_ERROR_CLOSED);
  g_assert_null (g_ptr_array_index (calls.errors, 0));
  calls_clear (&calls);

  /* Close flushed everything. */
  log = broker_log_open (dir, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (broker_log_get_end_offset (log), ==, 4);
  broker_log_close (log);
  log_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log/flush/new-log-defers-dir-sync", test_new_log_defers_dir_sync);
  g_test_add_func ("/log/flush/group-commit", test_group_commit);
  g_test_add_func ("/log/flush/across-roll", test_flush_across_roll);
  g_test_add_func ("/log/flush/cancelled", test_cancelled);
  g_test_add_func ("/log/flush/close-in-flight", test_close_in_flight);

  return g_test_run ();
}
