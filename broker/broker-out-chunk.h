/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-out-chunk.h: a piece of a reply waiting to be sent: bytes in
 * memory, or a region of a segment file sent with sendfile (zero-copy
 * fetch). */
#pragma once

#include <gio/gio.h>

#include "broker-log.h"

G_BEGIN_DECLS

typedef struct
{
  GBytes        *bytes;   /* NULL for a file region */
  BrokerLogSlice slice;   /* the file region, when bytes is NULL */
  gsize          sent;
} BrokerOutChunk;

BrokerOutChunk *broker_out_chunk_new_bytes (GBytes         *bytes);
/* Takes over @slice (it is cleared). */
BrokerOutChunk *broker_out_chunk_new_slice (BrokerLogSlice *slice);
void            broker_out_chunk_free      (BrokerOutChunk *chunk);
gsize           broker_out_chunk_size      (const BrokerOutChunk *chunk);
/* Sends what the socket takes now; the bytes sent, or -1 with @error
 * (G_IO_ERROR_WOULD_BLOCK when it takes nothing). */
gssize          broker_out_chunk_send      (BrokerOutChunk *chunk,
                                            GSocket        *socket,
                                            GError        **error);

G_END_DECLS
