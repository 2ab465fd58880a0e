/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-out-chunk.c: sending reply pieces, file regions with sendfile. */

#include "broker-out-chunk.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <unistd.h>

BrokerOutChunk *
broker_out_chunk_new_bytes (GBytes *bytes)
{
  BrokerOutChunk *chunk = g_new0 (BrokerOutChunk, 1);

  chunk->bytes = g_bytes_ref (bytes);
  return chunk;
}

BrokerOutChunk *
broker_out_chunk_new_slice (BrokerLogSlice *slice)
{
  BrokerOutChunk *chunk = g_new0 (BrokerOutChunk, 1);

  chunk->slice = *slice;
  memset (slice, 0, sizeof *slice);
  slice->fd = -1;
  return chunk;
}

void
broker_out_chunk_free (BrokerOutChunk *chunk)
{
  if (chunk == NULL)
    return;
  if (chunk->bytes != NULL)
    g_bytes_unref (chunk->bytes);
  else
    broker_log_slice_clear (&chunk->slice);
  g_free (chunk);
}

gsize
broker_out_chunk_size (const BrokerOutChunk *chunk)
{
  return chunk->bytes != NULL ? g_bytes_get_size (chunk->bytes) : chunk->slice.length;
}

static gssize
send_file_region (BrokerOutChunk *chunk,
                  GSocket        *socket,
                  GError        **error)
{
  int sock = g_socket_get_fd (socket);
  gsize left = chunk->slice.length - chunk->sent;
  off_t offset = (off_t) (chunk->slice.position + (gint64) chunk->sent);
  ssize_t n;

#ifdef __linux__
  /* The kernel copies from the page cache to the socket: the records never
   * pass through our memory. */
  do
    n = sendfile (sock, chunk->slice.fd, &offset, left);
  while (n < 0 && errno == EINTR);
#else
  {
    guint8 buf[64 * 1024];
    ssize_t r;

    do
      r = pread (chunk->slice.fd, buf, MIN (left, sizeof buf), offset);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
      n = r;
    else
      do
        n = send (sock, buf, (size_t) r, 0);
      while (n < 0 && errno == EINTR);
  }
#endif
  if (n < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "sending records: %s",
                   g_strerror (saved));
      return -1;
    }
  if (n == 0)
    {
      /* The file is shorter than the slice: never send a short frame. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "segment file ended early");
      return -1;
    }
  return n;
}

gssize
broker_out_chunk_send (BrokerOutChunk *chunk,
                       GSocket        *socket,
                       GError        **error)
{
  gssize n;

  if (chunk->bytes != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (chunk->bytes, &len);

      n = g_socket_send (socket, (const char *) data + chunk->sent, len - chunk->sent, NULL, error);
    }
  else
    n = send_file_region (chunk, socket, error);
  if (n > 0)
    chunk->sent += (gsize) n;
  return n;
}
