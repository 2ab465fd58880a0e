/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-leader-epochs.c: the leader epoch cache and its checkpoint file,
 * following Kafka's LeaderEpochFileCache. */
#include "broker-leader-epochs.h"

#include "broker-checkpoint.h"
#include "broker-log.h"

typedef struct
{
  gint32 epoch;
  gint64 start_offset;
} BrokerEpochEntry;

struct _BrokerLeaderEpochs
{
  char   *path;
  GArray *entries;   /* BrokerEpochEntry, epochs and start offsets increasing */
};

BrokerLeaderEpochs *
broker_leader_epochs_new (const char *dir)
{
  BrokerLeaderEpochs *cache = g_new0 (BrokerLeaderEpochs, 1);

  cache->path = g_build_filename (dir, BROKER_LEADER_EPOCHS_FILE, NULL);
  cache->entries = g_array_new (FALSE, FALSE, sizeof (BrokerEpochEntry));
  return cache;
}

void
broker_leader_epochs_free (BrokerLeaderEpochs *cache)
{
  if (cache == NULL)
    return;
  g_array_unref (cache->entries);
  g_free (cache->path);
  g_free (cache);
}

static BrokerEpochEntry *
entry_at (BrokerLeaderEpochs *cache,
          guint               i)
{
  return &g_array_index (cache->entries, BrokerEpochEntry, i);
}

gboolean
broker_leader_epochs_load (BrokerLeaderEpochs *cache,
                           GError            **error)
{
  g_autoptr(GPtrArray) lines = NULL;

  broker_leader_epochs_clear (cache);
  lines = broker_checkpoint_read_lines (cache->path, 2, error);
  if (lines == NULL)
    return FALSE;
  for (guint i = 0; i < lines->len; i++)
    {
      char **fields = g_ptr_array_index (lines, i);
      gint64 epoch, start;
      const BrokerEpochEntry *last = i > 0 ? entry_at (cache, i - 1) : NULL;
      BrokerEpochEntry e;

      if (!broker_checkpoint_parse_int (fields[0], 0, G_MAXINT32, &epoch) ||
          !broker_checkpoint_parse_int (fields[1], 0, G_MAXINT64, &start) ||
          (last != NULL && (epoch <= last->epoch || start <= last->start_offset)))
        {
          g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                       "%s: line %u: expected \"epoch startOffset\", both increasing",
                       cache->path, i + 3);
          broker_leader_epochs_clear (cache);
          return FALSE;
        }
      e = (BrokerEpochEntry) { (gint32) epoch, start };
      g_array_append_val (cache->entries, e);
    }
  return TRUE;
}

gboolean
broker_leader_epochs_save (BrokerLeaderEpochs *cache,
                           GError            **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%d\n%u\n", BROKER_CHECKPOINT_VERSION, cache->entries->len);
  for (guint i = 0; i < cache->entries->len; i++)
    g_string_append_printf (text, "%d %" G_GINT64_FORMAT "\n",
                            entry_at (cache, i)->epoch, entry_at (cache, i)->start_offset);
  return broker_checkpoint_write_text (cache->path, text->str, text->len, error);
}

gboolean
broker_leader_epochs_assign (BrokerLeaderEpochs *cache,
                             gint32              epoch,
                             gint64              start_offset)
{
  BrokerEpochEntry e = { epoch, start_offset };

  if (epoch < 0 || epoch <= broker_leader_epochs_latest (cache))
    return FALSE;
  /* Offsets only grow in a log: a smaller start means the caller did not
   * truncate first, and Kafka drops the conflicting entries likewise. */
  broker_leader_epochs_truncate_from_end (cache, start_offset);
  g_array_append_val (cache->entries, e);
  return TRUE;
}

gboolean
broker_leader_epochs_truncate_from_end (BrokerLeaderEpochs *cache,
                                        gint64              end_offset)
{
  guint n = cache->entries->len;

  while (n > 0 && entry_at (cache, n - 1)->start_offset >= end_offset)
    n--;
  if (n == cache->entries->len)
    return FALSE;
  g_array_set_size (cache->entries, n);
  return TRUE;
}

gboolean
broker_leader_epochs_truncate_from_start (BrokerLeaderEpochs *cache,
                                          gint64              start_offset)
{
  guint n_below = 0;

  /* Entries starting at or below @start_offset; all but the last of them
   * describe only deleted offsets. */
  while (n_below < cache->entries->len && entry_at (cache, n_below)->start_offset <= start_offset)
    n_below++;
  if (n_below == 0 || (n_below == 1 && entry_at (cache, 0)->start_offset == start_offset))
    return FALSE;
  g_array_remove_range (cache->entries, 0, n_below - 1);
  entry_at (cache, 0)->start_offset = start_offset;
  return TRUE;
}

void
broker_leader_epochs_clear (BrokerLeaderEpochs *cache)
{
  g_array_set_size (cache->entries, 0);
}

gint32
broker_leader_epochs_latest (BrokerLeaderEpochs *cache)
{
  guint n = cache->entries->len;

  return n > 0 ? entry_at (cache, n - 1)->epoch : -1;
}

gint64
broker_leader_epochs_start_offset (BrokerLeaderEpochs *cache,
                                   gint32              epoch)
{
  for (guint i = 0; i < cache->entries->len; i++)
    if (entry_at (cache, i)->epoch == epoch)
      return entry_at (cache, i)->start_offset;
  return -1;
}

void
broker_leader_epochs_end_offset_for (BrokerLeaderEpochs *cache,
                                     gint32              epoch,
                                     gint64              log_end_offset,
                                     gint32             *out_epoch,
                                     gint64             *out_end_offset)
{
  guint n = cache->entries->len;
  guint higher = 0;

  *out_epoch = -1;
  *out_end_offset = -1;
  if (epoch < 0 || n == 0)
    return;
  if (epoch == broker_leader_epochs_latest (cache))
    {
      *out_epoch = epoch;
      *out_end_offset = log_end_offset;
      return;
    }
  /* The first entry of a larger epoch ends the largest one <= @epoch.
   * None larger (past the latest) or none <= (before the first): unknown.
   * Kafka answers the second case with (@epoch, first start offset). */
  while (higher < n && entry_at (cache, higher)->epoch <= epoch)
    higher++;
  if (higher == n || higher == 0)
    return;
  *out_epoch = entry_at (cache, higher - 1)->epoch;
  *out_end_offset = entry_at (cache, higher)->start_offset;
}
