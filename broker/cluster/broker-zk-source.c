/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-zk-source.c: the ZooKeeper C client's single-threaded event loop
 * (zookeeper_interest() / zookeeper_process()) as a GSource.
 *
 * Why the single-threaded library: caudald runs everything on one main
 * loop, and libzookeeper_st calls completions and watchers from inside
 * zookeeper_process(), i.e. on our thread, so cluster state needs no
 * locks. The multi-threaded library would add an I/O and a completion
 * thread whose every result must be copied and marshalled back with
 * g_main_context_invoke(). (docs/cluster.md, "Main-loop integration".) */

#include "broker-zk-source.h"

#include <glib-unix.h>

/* While the handle reports an error (connect failed, session expired) it
 * may ask for a zero timeout: poll it no faster than this instead of
 * spinning (replication-notes.md §4). */
#define ERROR_POLL_MS 100

typedef struct
{
  GSource    source;
  zhandle_t *zh;
  int        fd;       /* the fd @tag watches, or -1 */
  gpointer   tag;
  gint64     deadline; /* monotonic µs at which the client wants a call */
  gboolean   stale;    /* processed since the last zookeeper_interest() */
  gint64     last_run;  /* monotonic µs: when the loop last ran us, or, while
                         * it polls, the latest it should wake; 0 at first */
  gint64     max_gap;
  BrokerZkGapFunc on_gap;
  gpointer   on_gap_data;
} ZkSource;

/* Asks the client what it waits for and updates our fd and deadline. */
static void
zk_source_query (ZkSource *z,
                 gint64    now)
{
  GSource *source = (GSource *) z;
  struct timeval tv = { 0, 0 };
  int fd = -1;
  int interest = 0;
  int rc;
  gint64 ms;

  /* Also where the client connects, reconnects and sends pings. */
  rc = zookeeper_interest (z->zh, &fd, &interest, &tv);
  ms = (gint64) tv.tv_sec * 1000 + tv.tv_usec / 1000;
  if (rc != ZOK)
    {
      fd = -1;
      ms = ERROR_POLL_MS;
    }
  if (fd != z->fd && z->tag != NULL)
    {
      g_source_remove_unix_fd (source, z->tag);
      z->tag = NULL;
    }
  z->fd = fd;
  if (fd >= 0)
    {
      GIOCondition cond = G_IO_ERR | G_IO_HUP;

      if (interest & ZOOKEEPER_READ)
        cond |= G_IO_IN;
      if (interest & ZOOKEEPER_WRITE)
        cond |= G_IO_OUT;
      if (z->tag == NULL)
        z->tag = g_source_add_unix_fd (source, fd, cond);
      else
        g_source_modify_unix_fd (source, z->tag, cond);
    }
  z->deadline = now + CLAMP (ms, 0, G_MAXINT) * 1000;
  z->stale = FALSE;
}

/* A healthy loop runs each of our callbacks within max_gap of the last
 * one (the poll between prepare and check never outlasts the timeout we
 * give). Checked in all three, before anything else: the first callback
 * after a pause may be prepare, whose zookeeper_interest() notices the
 * lost connection and changes our deadline — then this iteration would
 * dispatch a queued client request before us. */
static void
note_run (ZkSource *z,
          gint64    now,
          gint64    next)
{
  if (z->on_gap != NULL && z->last_run > 0 && now - z->last_run > z->max_gap)
    z->on_gap (now - z->last_run, z->on_gap_data);
  z->last_run = next;
}

static gboolean
zk_source_prepare (GSource *source,
                   gint    *timeout)
{
  ZkSource *z = (ZkSource *) source;
  gint64 now = g_get_monotonic_time ();
  gint64 left;

  note_run (z, now, now);

  /* Only after processing or once the client's timeout has passed: the
   * main loop prepares on every iteration, and an early call defeats the
   * client's own pacing (after all servers refused, it returns "call me
   * in 300 ms" once and connects again on the next call: a busy loop). */
  if (z->stale || now >= z->deadline)
    zk_source_query (z, now);
  left = z->deadline - now;
  /* Round up, or the last millisecond before the deadline spins. */
  *timeout = (gint) MIN ((MAX (left, 0) + 999) / 1000, G_MAXINT);
  /* The poll may sleep until then. */
  z->last_run = now + (gint64) *timeout * 1000;
  return left <= 0;
}

static gboolean
zk_source_check (GSource *source)
{
  ZkSource *z = (ZkSource *) source;
  gint64 now = g_get_monotonic_time ();

  note_run (z, now, MAX (now, z->last_run));
  if (z->tag != NULL && g_source_query_unix_fd (source, z->tag) != 0)
    return TRUE;
  return g_source_get_time (source) >= z->deadline;
}

static gboolean
zk_source_dispatch (GSource    *source,
                    GSourceFunc callback,
                    gpointer    user_data)
{
  ZkSource *z = (ZkSource *) source;
  GIOCondition revents = z->tag != NULL ? g_source_query_unix_fd (source, z->tag) : 0;
  int events = 0;

  if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    events |= ZOOKEEPER_READ;
  if (revents & G_IO_OUT)
    events |= ZOOKEEPER_WRITE;
  {
    gint64 now = g_get_monotonic_time ();

    note_run (z, now, now);
  }
  /* Errors surface as state changes through the watcher; a call with no
   * events lets the client notice its own timeouts. */
  (void) zookeeper_process (z->zh, events);
  /* Requests queued by the completions just run may need a write. */
  z->stale = TRUE;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs zk_source_funcs = {
  zk_source_prepare,
  zk_source_check,
  zk_source_dispatch,
  NULL, NULL, NULL,
};

GSource *
broker_zk_source_new (zhandle_t       *zh,
                      gint64           max_gap_us,
                      BrokerZkGapFunc  on_gap,
                      gpointer         user_data)
{
  GSource *source = g_source_new (&zk_source_funcs, sizeof (ZkSource));
  ZkSource *z = (ZkSource *) source;

  z->zh = zh;
  z->max_gap = max_gap_us;
  z->on_gap = on_gap;
  z->on_gap_data = user_data;
  g_source_set_priority (source, G_PRIORITY_HIGH);
  z->fd = -1;
  z->stale = TRUE;
  g_source_set_name (source, "caudald-zookeeper");
  return source;
}
