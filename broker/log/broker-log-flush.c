/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-flush.c: making the log durable. One flush job at a time
 * runs fdatasync() on a worker thread over the segments written since the
 * previous job started (plus the directory when segments were created or
 * removed); callers arriving meanwhile wait together for the next job
 * (group commit). Completions run on the log's main context. */
#include "broker-log-private.h"

#include "broker-log-io.h"

struct _BrokerLogFlushJob
{
  BrokerLog *log;        /* NULL once the log is closed under the job */
  GPtrArray *segments;   /* BrokerSegment refs: their descriptors outlive a roll */
  char      *dir;        /* to fsync, or NULL */
  gint64     target;     /* end offset when the job started */
  guint64    truncations; /* the log's count when the job started */
  GPtrArray *waiters;    /* GTask* */
};

static void
flush_job_free (BrokerLogFlushJob *job)
{
  g_ptr_array_unref (job->segments);
  g_ptr_array_unref (job->waiters);
  g_free (job->dir);
  g_free (job);
}

static void
complete_waiters (GPtrArray    *waiters,
                  const GError *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  g_ptr_array_set_size (waiters, 0);
}

/* The segments written since the last flush started, referenced. */
static GPtrArray *
take_dirty_segments (BrokerLog *log)
{
  GPtrArray *segments = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_segment_unref);

  for (guint i = 0; i < log->segments->len; i++)
    {
      BrokerSegment *seg = broker_log_segment (log, i);

      if (seg->dirty)
        {
          seg->dirty = FALSE;
          g_ptr_array_add (segments, broker_segment_ref (seg));
        }
    }
  return segments;
}

static gboolean
sync_segments (GPtrArray  *segments,
               const char *dir,
               GError    **error)
{
  for (guint i = 0; i < segments->len; i++)
    if (!broker_segment_sync (g_ptr_array_index (segments, i), error))
      return FALSE;
  return dir == NULL || broker_io_fsync_dir (dir, error);
}

static void
flush_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BrokerLogFlushJob *job = task_data;
  GError *error = NULL;

  if (sync_segments (job->segments, job->dir, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void start_job (BrokerLog *log);

static void
flush_job_done (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  BrokerLogFlushJob *job = user_data;
  BrokerLog *log = job->log;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (log != NULL)
    {
      log->flush_running = NULL;
      /* After a truncation the target may name offsets since rewritten. */
      if (error == NULL && job->truncations == log->truncations)
        {
          log->recovery_point = MAX (log->recovery_point, job->target);
          log->last_flush_ms = broker_log_wall_clock_ms ();
        }
      else
        {
          /* Try again next time: still not durable. */
          for (guint i = 0; i < job->segments->len; i++)
            ((BrokerSegment *) g_ptr_array_index (job->segments, i))->dirty = TRUE;
          if (job->dir != NULL)
            log->dir_dirty = TRUE;
          g_warning ("%s: flush failed: %s", log->dir, error->message);
        }
    }
  complete_waiters (job->waiters, error);
  flush_job_free (job);
  if (log != NULL && log->flush_waiting->len > 0)
    start_job (log);
}

static void
start_job (BrokerLog *log)
{
  BrokerLogFlushJob *job = g_new0 (BrokerLogFlushJob, 1);
  GTask *task;

  job->log = log;
  job->segments = take_dirty_segments (log);
  job->dir = log->dir_dirty ? g_strdup (log->dir) : NULL;
  log->dir_dirty = FALSE;
  job->target = broker_log_get_end_offset (log);
  job->truncations = log->truncations;
  job->waiters = g_steal_pointer (&log->flush_waiting);
  log->flush_waiting = g_ptr_array_new ();
  log->flush_running = job;

  /* The job's completion must come back to the log's own context. */
  g_main_context_push_thread_default (log->context);
  task = g_task_new (NULL, NULL, flush_job_done, job);
  g_main_context_pop_thread_default (log->context);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, flush_thread);
  g_object_unref (task);
}

void
broker_log_flush_async (BrokerLog           *log,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  cb,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (log != NULL);

  g_main_context_push_thread_default (log->context);
  task = g_task_new (NULL, cancellable, cb, user_data);
  g_main_context_pop_thread_default (log->context);
  g_task_set_source_tag (task, broker_log_flush_async);
  g_ptr_array_add (log->flush_waiting, task);
  if (log->flush_running == NULL)
    start_job (log);
}

gboolean
broker_log_flush_finish (BrokerLog     *log,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == broker_log_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
broker_log_flush (BrokerLog *log,
                  GError   **error)
{
  g_autoptr(GPtrArray) segments = NULL;
  g_autofree char *dir = NULL;
  gint64 target;
  GError *local = NULL;

  g_return_val_if_fail (log != NULL, FALSE);

  target = broker_log_get_end_offset (log);
  segments = take_dirty_segments (log);
  /* A running job may not be done with its segments yet: sync them too,
   * or the recovery point would run ahead of the disk. */
  if (log->flush_running != NULL)
    for (guint i = 0; i < log->flush_running->segments->len; i++)
      g_ptr_array_add (segments,
                       broker_segment_ref (g_ptr_array_index (log->flush_running->segments, i)));
  if (log->dir_dirty || (log->flush_running != NULL && log->flush_running->dir != NULL))
    dir = g_strdup (log->dir);
  log->dir_dirty = FALSE;

  if (!sync_segments (segments, dir, &local))
    {
      for (guint i = 0; i < segments->len; i++)
        ((BrokerSegment *) g_ptr_array_index (segments, i))->dirty = TRUE;
      log->dir_dirty = dir != NULL;
      g_propagate_error (error, local);
      return FALSE;
    }
  log->recovery_point = MAX (log->recovery_point, target);
  log->last_flush_ms = broker_log_wall_clock_ms ();
  return TRUE;
}

void
broker_log_flush_detach (BrokerLog *log)
{
  g_autoptr(GError) error = g_error_new_literal (BROKER_LOG_ERROR, BROKER_LOG_ERROR_CLOSED,
                                                 "the log was closed");

  /* The running job finishes on its own (it holds its segments) and
   * answers its callers with its result; those queued for a next job
   * learn that the log went away. */
  if (log->flush_running != NULL)
    {
      log->flush_running->log = NULL;
      log->flush_running = NULL;
    }
  complete_waiters (log->flush_waiting, error);
}
