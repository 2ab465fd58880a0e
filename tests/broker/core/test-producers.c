/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-producers.c: producer ids and the idempotent sequence checks of
 * broker-producers.c (KIP-98): in-order batches, gaps, retries of the last
 * five batches, epochs, and the wrap of sequences at INT32_MAX. */
#include "broker-producers.h"
#include "core-test-util.h"

#define PID 4242

typedef struct
{
  BrokerProducerState *state;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->state = broker_producer_state_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  broker_producer_state_free (f->state);
}

/* Checks, and when OK records the batch at @offset. */
static BrokerSequenceCheck
check (Fixture *f,
       gint64   pid,
       gint16   epoch,
       gint32   seq,
       gint32   count,
       gint64  *dup)
{
  gint64 ignored = -12345;

  return broker_producer_state_check (f->state, pid, epoch, seq, count, dup != NULL ? dup : &ignored);
}

static void
append (Fixture *f,
        gint64   pid,
        gint16   epoch,
        gint32   seq,
        gint32   count,
        gint64   offset)
{
  g_assert_cmpint (check (f, pid, epoch, seq, count, NULL), ==, BROKER_SEQUENCE_OK);
  broker_producer_state_update (f->state, pid, epoch, seq, count, offset, 1000);
}

static void
test_first_and_in_order (Fixture       *f,
                         gconstpointer  data)
{
  /* A producer we do not know is accepted at any sequence (docs). */
  g_assert_cmpint (check (f, PID, 0, 17, 3, NULL), ==, BROKER_SEQUENCE_OK);
  broker_producer_state_update (f->state, PID, 0, 17, 3, 100, 1000);
  /* Next in order: 20. */
  g_assert_cmpint (check (f, PID, 0, 20, 1, NULL), ==, BROKER_SEQUENCE_OK);
  broker_producer_state_update (f->state, PID, 0, 20, 1, 103, 1000);
  g_assert_cmpint (check (f, PID, 0, 21, 10, NULL), ==, BROKER_SEQUENCE_OK);
  /* Another producer is independent of this one. */
  g_assert_cmpint (check (f, PID + 1, 0, 999, 1, NULL), ==, BROKER_SEQUENCE_OK);
  append (f, PID + 1, 3, 0, 1, 104);
  g_assert_cmpint (check (f, PID + 1, 3, 1, 1, NULL), ==, BROKER_SEQUENCE_OK);
  g_assert_cmpint (check (f, PID, 0, 21, 1, NULL), ==, BROKER_SEQUENCE_OK);
}

static void
test_gap (Fixture       *f,
          gconstpointer  data)
{
  gint64 dup = -7;

  append (f, PID, 0, 0, 5, 0);   /* 0-4 */
  /* A gap after the last sequence. */
  g_assert_cmpint (check (f, PID, 0, 6, 1, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, 1000, 1, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  /* Overlapping but not an exact retry. */
  g_assert_cmpint (check (f, PID, 0, 0, 4, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, 2, 3, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, 4, 2, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  /* Negative sequences are never in order after 4. */
  g_assert_cmpint (check (f, PID, 0, -1, 1, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, 5, 1, &dup), ==, BROKER_SEQUENCE_OK);
}

static void
test_duplicates (Fixture       *f,
                 gconstpointer  data)
{
  /* Seven batches of 2 records: sequences 0-1, 2-3, … 12-13, at offsets
   * 1000, 1010, … 1060. Only the last five are remembered. */
  for (gint32 i = 0; i < 7; i++)
    append (f, PID, 1, i * 2, 2, 1000 + i * 10);

  for (gint32 i = 2; i < 7; i++)
    {
      gint64 dup = -1;

      g_assert_cmpint (check (f, PID, 1, i * 2, 2, &dup), ==, BROKER_SEQUENCE_DUPLICATE);
      g_assert_cmpint (dup, ==, 1000 + i * 10);
    }
  /* Older than the last five: out of order, not a duplicate. */
  for (gint32 i = 0; i < 2; i++)
    {
      gint64 dup = -1;

      g_assert_cmpint (check (f, PID, 1, i * 2, 2, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
      g_assert_cmpint (dup, ==, -1);
    }
  /* Same first sequence, different length: not the same batch. */
  g_assert_cmpint (check (f, PID, 1, 12, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  /* The next batch is still accepted, and pushes 4-5 out of the cache. */
  append (f, PID, 1, 14, 2, 1070);
  g_assert_cmpint (check (f, PID, 1, 4, 2, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  {
    gint64 dup = -1;
    g_assert_cmpint (check (f, PID, 1, 6, 2, &dup), ==, BROKER_SEQUENCE_DUPLICATE);
    g_assert_cmpint (dup, ==, 1030);
    g_assert_cmpint (check (f, PID, 1, 14, 2, &dup), ==, BROKER_SEQUENCE_DUPLICATE);
    g_assert_cmpint (dup, ==, 1070);
  }
}

static void
test_epochs (Fixture       *f,
             gconstpointer  data)
{
  gint64 dup = -1;

  append (f, PID, 5, 0, 3, 0);
  append (f, PID, 5, 3, 3, 3);
  /* A zombie with an older epoch is fenced, even for a perfect retry. */
  g_assert_cmpint (check (f, PID, 4, 6, 1, NULL), ==, BROKER_SEQUENCE_FENCED);
  g_assert_cmpint (check (f, PID, 4, 3, 3, NULL), ==, BROKER_SEQUENCE_FENCED);
  g_assert_cmpint (check (f, PID, 0, 0, 1, NULL), ==, BROKER_SEQUENCE_FENCED);
  /* A bumped epoch must start at sequence 0. */
  g_assert_cmpint (check (f, PID, 6, 6, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 6, 1, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 6, 0, 2, NULL), ==, BROKER_SEQUENCE_OK);
  broker_producer_state_update (f->state, PID, 6, 0, 2, 6, 1000);
  /* The old epoch is now fenced and its batches forgotten. */
  g_assert_cmpint (check (f, PID, 5, 3, 3, &dup), ==, BROKER_SEQUENCE_FENCED);
  g_assert_cmpint (check (f, PID, 6, 0, 2, &dup), ==, BROKER_SEQUENCE_DUPLICATE);
  g_assert_cmpint (dup, ==, 6);
  g_assert_cmpint (check (f, PID, 6, 2, 1, NULL), ==, BROKER_SEQUENCE_OK);
}

static void
test_wrap (Fixture       *f,
           gconstpointer  data)
{
  gint64 dup = -1;

  /* Ends exactly at INT32_MAX: the next sequence is 0. */
  append (f, PID, 0, G_MAXINT32 - 2, 3, 500);
  g_assert_cmpint (check (f, PID, 0, G_MAXINT32, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, G_MININT32, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, 1, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, 0, 1, NULL), ==, BROKER_SEQUENCE_OK);
  g_assert_cmpint (check (f, PID, 0, G_MAXINT32 - 2, 3, &dup), ==, BROKER_SEQUENCE_DUPLICATE);
  g_assert_cmpint (dup, ==, 500);

  /* A batch that spans the wrap: INT32_MAX-1, INT32_MAX, 0, 1. */
  broker_producer_state_free (f->state);
  f->state = broker_producer_state_new ();
  append (f, PID, 0, G_MAXINT32 - 5, 4, 10);   /* …-5 to …-2 */
  append (f, PID, 0, G_MAXINT32 - 1, 4, 14);   /* …-1, MAX, 0, 1 */
  g_assert_cmpint (check (f, PID, 0, 0, 1, NULL), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
  g_assert_cmpint (check (f, PID, 0, G_MAXINT32 - 1, 4, &dup), ==, BROKER_SEQUENCE_DUPLICATE);
  g_assert_cmpint (dup, ==, 14);
  g_assert_cmpint (check (f, PID, 0, 2, 5, NULL), ==, BROKER_SEQUENCE_OK);
}

static void
test_allocate (void)
{
  BrokerProducers *producers = broker_producers_new ();
  BrokerProducers *restarted;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 prev = -1, first, last = -1;

  first = broker_producers_allocate (producers);
  g_assert_cmpint (first, >, 0);
  prev = first;
  for (guint i = 0; i < 1000; i++)
    {
      gint64 id = broker_producers_allocate (producers);
      gint64 *key = g_new (gint64, 1);

      g_assert_cmpint (id, >, prev);
      *key = id;
      g_assert_true (g_hash_table_add (seen, key));
      prev = last = id;
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1000);
  broker_producers_free (producers);

  /* A restart (a new instance) must not hand out the same ids again. The
   * ids come from the clock at 1024 per millisecond: 1001 ids need a
   * millisecond to pass. */
  g_usleep (2000);
  restarted = broker_producers_new ();
  g_assert_cmpint (broker_producers_allocate (restarted), >, last);
  broker_producers_free (restarted);
}

/* Cluster mode: ids only from claimed blocks; the next block is asked for
 * once, at 90 % of the current one, and taken over when it runs out. */
static void
test_blocks (void)
{
  BrokerProducers *producers = broker_producers_new ();

  broker_producers_use_blocks (producers);
  g_assert_cmpint (broker_producers_allocate (producers), ==, -1);
  g_assert_true (broker_producers_want_block (producers));
  g_assert_false (broker_producers_want_block (producers));   /* asked already */
  broker_producers_block_done (producers, -1, -1);            /* the claim failed */
  g_assert_cmpint (broker_producers_allocate (producers), ==, -1);
  g_assert_true (broker_producers_want_block (producers));    /* asked again */
  broker_producers_block_done (producers, 2000, 2009);
  g_assert_false (broker_producers_want_block (producers));   /* one is queued */

  for (gint64 want = 2000; want <= 2008; want++)
    {
      g_assert_cmpint (broker_producers_allocate (producers), ==, want);
      /* 9 of 10 used (90 %) after 2008: only then a new claim. */
      if (want < 2008)
        g_assert_false (broker_producers_want_block (producers));
    }
  g_assert_true (broker_producers_want_block (producers));
  g_assert_cmpint (broker_producers_allocate (producers), ==, 2009);
  g_assert_cmpint (broker_producers_allocate (producers), ==, -1);   /* claim still out */
  broker_producers_block_done (producers, 7000, 7999);
  g_assert_cmpint (broker_producers_allocate (producers), ==, 7000);
  g_assert_cmpint (broker_producers_allocate (producers), ==, 7001);
  g_assert_false (broker_producers_want_block (producers));
  broker_producers_free (producers);
}

/* producer.id.expiration.ms: a producer whose newest batch is that old
 * is forgotten (its next batch is accepted at any sequence); the others
 * stay; the timestamps survive a snapshot's bytes. */
static void
test_expire (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) bytes = NULL;
  BrokerProducerState *copy;
  gint64 dup = -1;

  broker_producer_state_update (f->state, 1, 0, 0, 1, 10, 1000);
  broker_producer_state_update (f->state, 2, 0, 0, 1, 11, 5000);
  broker_producer_state_update (f->state, 1, 0, 1, 1, 12, 2000);   /* 1's newest: 2000 */
  bytes = broker_producer_state_serialize (f->state);
  copy = broker_producer_state_deserialize (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  g_assert_nonnull (copy);

  for (guint round = 0; round < 2; round++)
    {
      BrokerProducerState *s = round == 0 ? f->state : copy;

      g_assert_cmpuint (broker_producer_state_expire (s, 2999, 1000), ==, 0);
      g_assert_cmpuint (broker_producer_state_expire (s, 3000, 1000), ==, 1);   /* producer 1 */
      /* Forgotten: any sequence is accepted; producer 2 still checks. */
      g_assert_cmpint (broker_producer_state_check (s, 1, 0, 7, 1, &dup), ==, BROKER_SEQUENCE_OK);
      g_assert_cmpint (broker_producer_state_check (s, 2, 0, 7, 1, &dup), ==, BROKER_SEQUENCE_OUT_OF_ORDER);
      g_assert_cmpuint (broker_producer_state_expire (s, 6000, 1000), ==, 1);   /* producer 2 */
    }
  broker_producer_state_free (copy);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/broker/producers/first-and-in-order", test_first_and_in_order);
  ADD ("/broker/producers/gap", test_gap);
  ADD ("/broker/producers/duplicates", test_duplicates);
  ADD ("/broker/producers/epochs", test_epochs);
  ADD ("/broker/producers/wrap", test_wrap);
  ADD ("/broker/producers/expire", test_expire);
#undef ADD
  g_test_add_func ("/broker/producers/allocate", test_allocate);
  g_test_add_func ("/broker/producers/blocks", test_blocks);
  return g_test_run ();
}
