/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-producers.c: producer ids and idempotent sequence checks.
 *
 * Like Kafka, each partition remembers the last five batches of each
 * producer, so a retried batch is recognised and answered with its
 * original offset instead of being written twice. The state survives a
 * restart through snapshots and a replay of the log after them
 * (broker-producer-snapshot.c, docs/storage.md). */

#include "broker-producers.h"

#include <gio/gio.h>

#include "caudal-primitives.h"

#define CACHED_BATCHES 5

struct _BrokerProducers
{
  gint64   next_id;
  /* Cluster mode: [next_id, block_end] is the current block, and
   * [queued_first, queued_last] the next one once claimed. */
  gboolean use_blocks;
  gint64   block_first;
  gint64   block_end;
  gint64   queued_first;    /* -1: none queued */
  gint64   queued_last;
  gboolean asking;
};

typedef struct
{
  gint32 first_seq;
  gint32 last_seq;
  gint64 first_offset;
} CachedBatch;

typedef struct
{
  gint16      epoch;
  gint64      last_timestamp;   /* ms: the newest batch's max timestamp */
  CachedBatch batches[CACHED_BATCHES];
  guint       n_batches;
  guint       newest;   /* index of the newest cached batch */
} ProducerEntry;

struct _BrokerProducerState
{
  GHashTable *by_id;    /* gint64* → ProducerEntry* */
};

BrokerProducers *
broker_producers_new (void)
{
  BrokerProducers *producers = g_new0 (BrokerProducers, 1);

  /* Ids must not repeat across restarts and nothing is stored: start from
   * the wall clock in milliseconds, shifted to leave room for 1024
   * ids per millisecond of downtime. */
  producers->next_id = (g_get_real_time () / 1000) << 10;
  producers->queued_first = -1;
  return producers;
}

void
broker_producers_free (BrokerProducers *producers)
{
  g_free (producers);
}

gint64
broker_producers_allocate (BrokerProducers *producers)
{
  if (!producers->use_blocks)
    return producers->next_id++;
  if (producers->next_id > producers->block_end && producers->queued_first >= 0)
    {
      producers->block_first = producers->next_id = producers->queued_first;
      producers->block_end = producers->queued_last;
      producers->queued_first = -1;
    }
  if (producers->next_id > producers->block_end)
    return -1;
  return producers->next_id++;
}

void
broker_producers_use_blocks (BrokerProducers *producers)
{
  producers->use_blocks = TRUE;
  /* An empty current block: the first allocation waits for a claim. */
  producers->block_first = producers->next_id = 0;
  producers->block_end = -1;
  producers->queued_first = -1;
}

gboolean
broker_producers_want_block (BrokerProducers *producers)
{
  gint64 size = producers->block_end - producers->block_first + 1;
  gint64 used = producers->next_id - producers->block_first;

  if (!producers->use_blocks || producers->asking || producers->queued_first >= 0)
    return FALSE;
  /* Ask ahead, as Kafka's ProducerIdManager does at 90 %: a client rarely
   * waits for ZooKeeper. */
  if (size > 0 && used * 10 < size * 9)
    return FALSE;
  producers->asking = TRUE;
  return TRUE;
}

void
broker_producers_block_done (BrokerProducers *producers,
                             gint64           first,
                             gint64           last)
{
  producers->asking = FALSE;
  if (first < 0 || last < first)
    return;
  producers->queued_first = first;
  producers->queued_last = last;
}

BrokerProducerState *
broker_producer_state_new (void)
{
  BrokerProducerState *state = g_new0 (BrokerProducerState, 1);

  state->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  return state;
}

void
broker_producer_state_free (BrokerProducerState *state)
{
  if (state == NULL)
    return;
  g_hash_table_unref (state->by_id);
  g_free (state);
}

/* Sequences wrap from INT32_MAX to 0 (KIP-98). */
static gint32
next_sequence (gint32 seq)
{
  return seq == G_MAXINT32 ? 0 : seq + 1;
}

static gint32
last_sequence (gint32 base,
               gint32 count)
{
  gint64 last = (gint64) base + count - 1;

  return (gint32) (last > G_MAXINT32 ? last - G_MAXINT32 - 1 : last);
}

BrokerSequenceCheck
broker_producer_state_check (BrokerProducerState *state,
                             gint64               producer_id,
                             gint16               epoch,
                             gint32               base_sequence,
                             gint32               count,
                             gint64              *duplicate_offset)
{
  ProducerEntry *entry = g_hash_table_lookup (state->by_id, &producer_id);
  gint32 last = last_sequence (base_sequence, count);

  if (entry == NULL || entry->n_batches == 0)
    return BROKER_SEQUENCE_OK;
  if (epoch < entry->epoch)
    return BROKER_SEQUENCE_FENCED;
  if (epoch > entry->epoch)
    /* A bumped epoch starts again at sequence 0. */
    return base_sequence == 0 ? BROKER_SEQUENCE_OK : BROKER_SEQUENCE_OUT_OF_ORDER;

  for (guint i = 0; i < entry->n_batches; i++)
    if (entry->batches[i].first_seq == base_sequence && entry->batches[i].last_seq == last)
      {
        *duplicate_offset = entry->batches[i].first_offset;
        return BROKER_SEQUENCE_DUPLICATE;
      }
  if (base_sequence != next_sequence (entry->batches[entry->newest].last_seq))
    return BROKER_SEQUENCE_OUT_OF_ORDER;
  return BROKER_SEQUENCE_OK;
}

void
broker_producer_state_update (BrokerProducerState *state,
                              gint64               producer_id,
                              gint16               epoch,
                              gint32               base_sequence,
                              gint32               count,
                              gint64               base_offset,
                              gint64               timestamp)
{
  ProducerEntry *entry = g_hash_table_lookup (state->by_id, &producer_id);

  if (entry == NULL)
    {
      gint64 *key = g_new (gint64, 1);
      *key = producer_id;
      entry = g_new0 (ProducerEntry, 1);
      g_hash_table_insert (state->by_id, key, entry);
    }
  if (epoch != entry->epoch)
    entry->n_batches = 0;
  entry->epoch = epoch;
  entry->last_timestamp = timestamp;
  entry->newest = entry->n_batches == 0 ? 0 : (entry->newest + 1) % CACHED_BATCHES;
  entry->batches[entry->newest].first_seq = base_sequence;
  entry->batches[entry->newest].last_seq = last_sequence (base_sequence, count);
  entry->batches[entry->newest].first_offset = base_offset;
  if (entry->n_batches < CACHED_BATCHES)
    entry->n_batches++;
}

guint
broker_producer_state_expire (BrokerProducerState *state,
                              gint64               now_ms,
                              gint64               expiration_ms)
{
  GHashTableIter iter;
  gpointer value;
  guint removed = 0;

  g_hash_table_iter_init (&iter, state->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now_ms - ((ProducerEntry *) value)->last_timestamp >= expiration_ms)
      {
        g_hash_table_iter_remove (&iter);
        removed++;
      }
  return removed;
}

/* ---- serialization: big-endian, entries in no particular order:
 *   count u32, then per producer: id i64, epoch i16, last timestamp i64, n u8 (1..5),
 *   n × (first_seq i32, last_seq i32, first_offset i64), oldest first. */

GBytes *
broker_producer_state_serialize (BrokerProducerState *state)
{
  g_auto(CaudalWriter) w;
  GHashTableIter iter;
  gpointer key, value;

  caudal_writer_init (&w);
  caudal_write_uint32 (&w, g_hash_table_size (state->by_id));
  g_hash_table_iter_init (&iter, state->by_id);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const ProducerEntry *e = value;

      caudal_write_int64 (&w, *(gint64 *) key);
      caudal_write_int16 (&w, e->epoch);
      caudal_write_int64 (&w, e->last_timestamp);
      caudal_write_int8 (&w, (gint8) e->n_batches);
      for (guint k = 0; k < e->n_batches; k++)
        {
          /* Oldest first: the newest is at e->newest, older ones before it. */
          guint i = (e->newest + CACHED_BATCHES - (e->n_batches - 1 - k)) % CACHED_BATCHES;

          caudal_write_int32 (&w, e->batches[i].first_seq);
          caudal_write_int32 (&w, e->batches[i].last_seq);
          caudal_write_int64 (&w, e->batches[i].first_offset);
        }
    }
  return caudal_writer_steal (&w);
}

static gboolean
read_entry (CaudalReader  *r,
            gint64        *id,
            ProducerEntry *e,
            GError       **error)
{
  gint8 n;

  if (!caudal_read_int64 (r, id, error) || !caudal_read_int16 (r, &e->epoch, error)
      || !caudal_read_int64 (r, &e->last_timestamp, error) || !caudal_read_int8 (r, &n, error))
    return FALSE;
  if (n < 1 || n > CACHED_BATCHES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a producer with %d cached batches", n);
      return FALSE;
    }
  for (gint8 k = 0; k < n; k++)
    if (!caudal_read_int32 (r, &e->batches[k].first_seq, error)
        || !caudal_read_int32 (r, &e->batches[k].last_seq, error)
        || !caudal_read_int64 (r, &e->batches[k].first_offset, error))
      return FALSE;
  e->n_batches = (guint) n;
  e->newest = (guint) n - 1;
  return TRUE;
}

BrokerProducerState *
broker_producer_state_deserialize (const guint8  *data,
                                   gsize          len,
                                   GError       **error)
{
  BrokerProducerState *state = broker_producer_state_new ();
  CaudalReader r;
  guint32 count;

  caudal_reader_init (&r, data, len);
  if (!caudal_read_uint32 (&r, &count, error))
    goto fail;
  for (guint32 c = 0; c < count; c++)
    {
      g_autofree ProducerEntry *e = g_new0 (ProducerEntry, 1);
      gint64 id;
      gint64 *key;

      if (!read_entry (&r, &id, e, error))
        goto fail;
      key = g_new (gint64, 1);
      *key = id;
      g_hash_table_replace (state->by_id, key, g_steal_pointer (&e));
    }
  if (caudal_reader_remaining (&r) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%" G_GSIZE_FORMAT " bytes after the last producer", caudal_reader_remaining (&r));
      goto fail;
    }
  return state;

fail:
  broker_producer_state_free (state);
  return NULL;
}
