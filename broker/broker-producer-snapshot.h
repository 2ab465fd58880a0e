/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-producer-snapshot.h: idempotent producers' state on disk, so
 * that a restarted broker still recognises a retried batch. Like Kafka,
 * a snapshot is named after the log end offset it was taken at
 * (<offset, 20 digits>.snapshot in the partition's directory); the state
 * at start is the newest snapshot at or below the log end, plus a replay
 * of the batches after it. The layout is in docs/storage.md. */
#pragma once

#include "broker-producers.h"

G_BEGIN_DECLS

/* Writes the snapshot of @state taken at @offset (replacing the file
 * atomically) and removes all but the newest two. */
gboolean             broker_producer_snapshot_write (const char           *dir,
                                                     gint64                offset,
                                                     BrokerProducerState  *state,
                                                     GError              **error);
/* The newest readable snapshot at or below @max_offset, and its offset
 * in @offset; NULL when there is none. Snapshots above @max_offset (the
 * log was truncated below them) are removed; unreadable ones are skipped
 * with a warning. */
BrokerProducerState *broker_producer_snapshot_load  (const char           *dir,
                                                     gint64                max_offset,
                                                     gint64               *offset);

G_END_DECLS
