/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-offset-index.h: a segment's sparse offset index (`.index`),
 * Kafka's OffsetIndex: 8-byte entries, big-endian int32 offset relative
 * to the segment's base offset (the last offset of a batch) and int32
 * byte position of that batch in the `.log` file. Internal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BROKER_OFFSET_INDEX_ENTRY_SIZE 8

typedef struct
{
  char   *path;
  int     fd;
  gint64  base_offset;
  guint32 n_entries;
  gint64  last_offset;    /* absolute offset of the last entry, -1 when empty */
  gint64  last_position;  /* its position, -1 when empty */
} BrokerOffsetIndex;

gboolean broker_offset_index_open     (BrokerOffsetIndex *idx,
                                       const char        *path,
                                       gint64             base_offset,
                                       gboolean           truncate,
                                       GError           **error);
void     broker_offset_index_close    (BrokerOffsetIndex *idx);
gboolean broker_offset_index_load     (BrokerOffsetIndex *idx,
                                       gint64             log_size,
                                       gint64             offset_limit,
                                       GError           **error);
gboolean broker_offset_index_reset    (BrokerOffsetIndex *idx,
                                       GError           **error);
gboolean broker_offset_index_truncate (BrokerOffsetIndex *idx,
                                       guint32            n_entries,
                                       GError           **error);
/* Keeps the entries below @offset. */
gboolean broker_offset_index_truncate_to_offset (BrokerOffsetIndex *idx,
                                                 gint64             offset,
                                                 GError           **error);
gboolean broker_offset_index_append   (BrokerOffsetIndex *idx,
                                       gint64             offset,
                                       gint64             position,
                                       GError           **error);
gboolean broker_offset_index_lookup   (BrokerOffsetIndex *idx,
                                       gint64             target,
                                       gint64            *position,
                                       GError           **error);

G_END_DECLS
