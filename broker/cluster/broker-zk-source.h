/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-zk-source.h: a GSource that drives a single-threaded ZooKeeper
 * client handle (libzookeeper_st) from a GLib main context. */
#pragma once

#include <glib.h>
#include <zookeeper/zookeeper.h>

G_BEGIN_DECLS

/* A new source polling @zh's socket and timers; the caller attaches it.
 * Completions and watchers of @zh then run inside this source's dispatch,
 * on the thread of the context it is attached to. The source does not own
 * @zh: destroy the source before zookeeper_close(), and never close the
 * handle from inside a completion or watcher (defer it to an idle). */
/* Called from the source's prepare, check or dispatch, before the client
 * is asked or run, when the loop last ran the source more than the gap
 * ago (beyond the poll timeout it asked for): the process was paused (or
 * starved) and whatever it believed may be stale. */
typedef void (*BrokerZkGapFunc) (gint64   gap_us,
                                 gpointer user_data);

/* @max_gap_us, @on_gap: see BrokerZkGapFunc; @on_gap may be NULL. The
 * gap is noticed in the first callback after a pause, before the loop
 * dispatches any client request; the source also runs at G_PRIORITY_HIGH,
 * so the ZooKeeper answers it brings come first too. */
GSource *broker_zk_source_new (zhandle_t       *zh,
                               gint64           max_gap_us,
                               BrokerZkGapFunc  on_gap,
                               gpointer         user_data);

G_END_DECLS
