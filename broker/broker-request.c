/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-request.c: the life of one request, from decode to encoded reply. */

#include "broker-request.h"

#include <string.h>

#include "broker-connection.h"
#include "broker-out-chunk.h"

BrokerRequest *
broker_request_new (Broker              *broker,
                    BrokerConnection    *conn,
                    CaudalArena         *arena,
                    const CaudalRequest *decoded)
{
  BrokerRequest *req = g_new0 (BrokerRequest, 1);

  req->broker = broker;
  req->conn = broker_connection_ref (conn);
  req->arena = arena;
  req->header = decoded->header;
  req->api = decoded->api;
  req->version = decoded->header.request_api_version;
  req->body = decoded->body;
  req->cancellable = g_cancellable_new ();
  req->keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  req->slices = g_array_new (FALSE, TRUE, sizeof (BrokerLogSlice));
  g_array_set_clear_func (req->slices, (GDestroyNotify) broker_log_slice_clear);
  req->received_us = g_get_monotonic_time ();
  if (req->api != NULL && req->body != NULL)
    {
      req->response = caudal_arena_alloc (arena, req->api->response->size);
      caudal_message_init (req->api->response, req->response);
    }
  return req;
}

void
broker_request_free (BrokerRequest *req)
{
  if (req == NULL)
    return;
  g_clear_pointer (&req->chunks, g_ptr_array_unref);
  g_array_unref (req->slices);
  g_ptr_array_unref (req->keep);
  g_object_unref (req->cancellable);
  caudal_arena_free (req->arena);
  broker_connection_unref (req->conn);
  g_free (req);
}

void
broker_request_keep (BrokerRequest *req,
                     GBytes        *bytes)
{
  g_ptr_array_add (req->keep, g_bytes_ref (bytes));
}

CaudalBytes
broker_request_add_slice (BrokerRequest  *req,
                          BrokerLogSlice *slice)
{
  CaudalBytes b = { NULL, (gint32) slice->length };

  g_array_append_val (req->slices, *slice);
  memset (slice, 0, sizeof *slice);
  slice->fd = -1;
  return b;
}

void
broker_request_set_reply (BrokerRequest *req,
                          GBytes        *frame)
{
  g_clear_pointer (&req->chunks, g_ptr_array_unref);
  req->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_out_chunk_free);
  g_ptr_array_add (req->chunks, broker_out_chunk_new_bytes (frame));
}

/* Cuts the encoded frame at its splices and puts the file regions in the
 * holes: memory, file, memory, file, ..., memory. */
static void
build_chunks (BrokerRequest *req,
              CaudalWriter  *w)
{
  guint n_splices;
  const CaudalWriterSplice *splices = caudal_writer_get_splices (w, &n_splices);
  g_autoptr(GArray) holes = g_array_new (FALSE, FALSE, sizeof (CaudalWriterSplice));
  g_autoptr(GBytes) frame = NULL;
  gsize start = 0;

  g_array_append_vals (holes, splices, n_splices);
  frame = caudal_writer_steal (w);
  g_assert (holes->len == req->slices->len);
  req->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_out_chunk_free);
  for (guint i = 0; i < holes->len; i++)
    {
      const CaudalWriterSplice *hole = &g_array_index (holes, CaudalWriterSplice, i);
      BrokerLogSlice *slice = &g_array_index (req->slices, BrokerLogSlice, i);
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (frame, start, hole->at - start);

      g_assert (slice->length == hole->len);
      if (g_bytes_get_size (part) > 0)
        g_ptr_array_add (req->chunks, broker_out_chunk_new_bytes (part));
      g_ptr_array_add (req->chunks, broker_out_chunk_new_slice (slice));
      start = hole->at;
    }
  if (start < g_bytes_get_size (frame))
    {
      g_autoptr(GBytes) rest = g_bytes_new_from_bytes (frame, start, g_bytes_get_size (frame) - start);
      g_ptr_array_add (req->chunks, broker_out_chunk_new_bytes (rest));
    }
}

const char *
broker_request_get_peer (BrokerRequest *req)
{
  return broker_connection_get_peer (req->conn);
}

void
broker_request_complete (BrokerRequest *req)
{
  g_return_if_fail (!req->done);

  req->done = TRUE;
  if (!req->no_response && !broker_connection_is_closed (req->conn))
    {
      CaudalWriter w;

      caudal_writer_init (&w);
      if (req->slices->len > 0)
        caudal_writer_enable_splices (&w);
      caudal_response_encode (&w, req->api, req->version, req->header.correlation_id,
                              req->response);
      build_chunks (req, &w);
      caudal_writer_clear (&w);
    }
  /* The reply holds copies of everything now: the borrowed inputs can go. */
  g_ptr_array_set_size (req->keep, 0);
  broker_connection_request_done (req->conn, req);
}
