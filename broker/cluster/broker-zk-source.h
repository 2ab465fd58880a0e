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
GSource *broker_zk_source_new (zhandle_t *zh);

G_END_DECLS
