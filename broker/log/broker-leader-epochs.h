/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-leader-epochs.h: a partition's leader epoch cache, Kafka's
 * LeaderEpochFileCache: the ordered (epoch, start offset) pairs saying
 * from which offset each leader epoch wrote, kept in the partition
 * directory as `leader-epoch-checkpoint` (a checkpoint file whose lines
 * are `epoch startOffset`). Epochs and start offsets both strictly
 * increase. Changes are made in memory; broker_leader_epochs_save()
 * makes them durable. Internal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BROKER_LEADER_EPOCHS_FILE "leader-epoch-checkpoint"

typedef struct _BrokerLeaderEpochs BrokerLeaderEpochs;

/* An empty cache for the partition directory @dir; nothing is read. */
BrokerLeaderEpochs *broker_leader_epochs_new  (const char         *dir);
void                broker_leader_epochs_free (BrokerLeaderEpochs *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerLeaderEpochs, broker_leader_epochs_free)

/* Replaces the entries by the file's: BROKER_LOG_ERROR_CORRUPT for a
 * malformed file or entries out of order, G_FILE_ERROR_NOENT when it is
 * missing; the cache is left empty on failure. */
gboolean broker_leader_epochs_load     (BrokerLeaderEpochs *cache,
                                        GError            **error);
/* Rewrites the file (temp + fsync + rename + directory fsync). */
gboolean broker_leader_epochs_save     (BrokerLeaderEpochs *cache,
                                        GError            **error);

/* Kafka's assign: TRUE (the cache changed) when @epoch is larger than the
 * latest epoch; negative epochs (clients' -1) are never recorded. */
gboolean broker_leader_epochs_assign   (BrokerLeaderEpochs *cache,
                                        gint32              epoch,
                                        gint64              start_offset);
/* Kafka's truncateFromEnd: drops the entries starting at or after
 * @end_offset. TRUE when the cache changed. */
gboolean broker_leader_epochs_truncate_from_end   (BrokerLeaderEpochs *cache,
                                                   gint64              end_offset);
/* Kafka's truncateFromStart: drops the entries wholly below
 * @start_offset; the last one starting at or below it stays, starting at
 * @start_offset. TRUE when the cache changed. */
gboolean broker_leader_epochs_truncate_from_start (BrokerLeaderEpochs *cache,
                                                   gint64              start_offset);
void     broker_leader_epochs_clear    (BrokerLeaderEpochs *cache);

/* -1 when empty. */
gint32   broker_leader_epochs_latest   (BrokerLeaderEpochs *cache);
/* -1 when @epoch is not cached. */
gint64   broker_leader_epochs_start_offset (BrokerLeaderEpochs *cache,
                                            gint32              epoch);
/* Kafka's endOffsetFor, @log_end_offset answering for the latest epoch;
 * see broker_log_end_offset_for_epoch(). */
void     broker_leader_epochs_end_offset_for (BrokerLeaderEpochs *cache,
                                              gint32              epoch,
                                              gint64              log_end_offset,
                                              gint32             *out_epoch,
                                              gint64             *out_end_offset);

G_END_DECLS
