/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-producers.h: producer ids (InitProducerId) and the per-partition
 * sequence checks of idempotent producers (KIP-98). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BrokerProducers     BrokerProducers;
typedef struct _BrokerProducerState BrokerProducerState;

BrokerProducers *broker_producers_new      (void);
void             broker_producers_free     (BrokerProducers *producers);
/* A producer id not handed out before, even across restarts; -1 when
 * ids come in blocks and none is left (the caller answers a retriable
 * error and asks for a block). */
gint64           broker_producers_allocate (BrokerProducers *producers);

/* Cluster mode: ids come in blocks claimed in ZooKeeper
 * (/latest_producer_id_block, as Kafka), so that no two brokers hand out
 * the same id. The wall-clock ids of a single broker are not used. */
void             broker_producers_use_blocks  (BrokerProducers *producers);
/* Whether a block should be asked for now: none is queued, none is being
 * asked for, and the current one is 90 % used or more. Marks the request
 * as in flight when it returns TRUE. */
gboolean         broker_producers_want_block  (BrokerProducers *producers);
/* The answer to a request: ids [@first, @last], or (@first < 0) none. */
void             broker_producers_block_done  (BrokerProducers *producers,
                                               gint64           first,
                                               gint64           last);

typedef enum
{
  BROKER_SEQUENCE_OK,
  BROKER_SEQUENCE_DUPLICATE,      /* already appended: answer its offset */
  BROKER_SEQUENCE_OUT_OF_ORDER,   /* OUT_OF_ORDER_SEQUENCE_NUMBER */
  BROKER_SEQUENCE_FENCED,         /* INVALID_PRODUCER_EPOCH */
} BrokerSequenceCheck;

BrokerProducerState *broker_producer_state_new    (void);
void                 broker_producer_state_free   (BrokerProducerState *state);
/* Checks a batch of @count records starting at @base_sequence.
 * @duplicate_offset: the batch's first offset when it is a duplicate. */
BrokerSequenceCheck  broker_producer_state_check  (BrokerProducerState *state,
                                                   gint64               producer_id,
                                                   gint16               epoch,
                                                   gint32               base_sequence,
                                                   gint32               count,
                                                   gint64              *duplicate_offset);
/* Records an appended batch; @timestamp: its max timestamp (ms), which
 * producer.id.expiration.ms counts from, as Kafka's lastTimestamp. */
void                 broker_producer_state_update (BrokerProducerState *state,
                                                   gint64               producer_id,
                                                   gint16               epoch,
                                                   gint32               base_sequence,
                                                   gint32               count,
                                                   gint64               base_offset,
                                                   gint64               timestamp);
/* Forgets producers whose newest batch is @expiration_ms or more older
 * than @now_ms (producer.id.expiration.ms); returns how many. */
guint                broker_producer_state_expire (BrokerProducerState *state,
                                                   gint64               now_ms,
                                                   gint64               expiration_ms);

/* The whole state as bytes and back, for snapshots
 * (broker-producer-snapshot.c; the layout is in docs/storage.md). */
GBytes              *broker_producer_state_serialize   (BrokerProducerState *state);
BrokerProducerState *broker_producer_state_deserialize (const guint8        *data,
                                                        gsize                len,
                                                        GError             **error);

G_END_DECLS
