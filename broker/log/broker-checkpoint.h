/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-checkpoint.h: Kafka's offset checkpoint files
 * (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * replication-offset-checkpoint): a text file of a version line `0`, a
 * count line, then one `topic partition offset` line per partition.
 * Written to `<path>.tmp`, fsynced, renamed over @path, and the directory
 * fsynced, so a crash leaves the old file or the new one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BROKER_CHECKPOINT_VERSION 0

typedef struct
{
  char  *topic;
  gint32 partition;
  gint64 offset;
} BrokerCheckpointEntry;

void       broker_checkpoint_entry_free (BrokerCheckpointEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerCheckpointEntry, broker_checkpoint_entry_free)
/* A new entry (the topic is copied). */
BrokerCheckpointEntry *broker_checkpoint_entry_new (const char *topic,
                                                    gint32      partition,
                                                    gint64      offset);

/* @entries: BrokerCheckpointEntry*. Topic names must be non-empty and
 * free of whitespace (BROKER_LOG_ERROR_INVALID otherwise). */
gboolean   broker_checkpoint_write (const char *path,
                                    GPtrArray  *entries,
                                    GError    **error);
/* Returns: (transfer full): BrokerCheckpointEntry* in file order, or NULL
 * with BROKER_LOG_ERROR_CORRUPT for a malformed file, or a
 * G_FILE_ERROR (G_FILE_ERROR_NOENT when it does not exist) */
GPtrArray *broker_checkpoint_read  (const char *path,
                                    GError    **error);

/* The building blocks, for other files in the same format (the
 * partition's leader-epoch-checkpoint): @text written atomically and
 * durably as above; the entry lines of a checkpoint, each split into
 * exactly @n_fields space-separated fields (GPtrArray of GStrv; the same
 * errors as broker_checkpoint_read()); and the strict integer parser. */
gboolean   broker_checkpoint_write_text (const char *path,
                                         const char *text,
                                         gsize       len,
                                         GError    **error);
GPtrArray *broker_checkpoint_read_lines (const char *path,
                                         guint       n_fields,
                                         GError    **error);
gboolean   broker_checkpoint_parse_int  (const char *s,
                                         gint64      min,
                                         gint64      max,
                                         gint64     *out);

G_END_DECLS
