/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-partition-producers.h: a partition's idempotent-producer state
 * kept in step with its log: loaded at start from the newest snapshot and
 * the batches after it, rebuilt after a truncation, followed through
 * replicated batches, and snapshotted (broker-producer-snapshot.h). */
#pragma once

#include "broker-topics.h"

G_BEGIN_DECLS

/* Replaces the state with the newest snapshot at or below the log end
 * plus a replay of the batch headers after it (from the log start when
 * there is none): at start, and after a truncation so that a truncated
 * batch is not taken for a duplicate. */
void broker_partition_rebuild_producers  (BrokerPartition *part);
/* Updates the state from replicated batches (so deduplication survives
 * failover). */
void broker_partition_track_producers    (BrokerPartition *part,
                                          const guint8    *batches,
                                          gsize            len);
/* Writes a snapshot at the log end unless one is there already. */
void broker_partition_snapshot_producers (BrokerPartition *part);

G_END_DECLS
