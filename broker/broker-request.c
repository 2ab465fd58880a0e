/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-request.c: the life of one request, from decode to encoded reply. */

#include "broker-request.h"

#include "broker-connection.h"

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
  g_clear_pointer (&req->encoded, g_bytes_unref);
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
      caudal_response_encode (&w, req->api, req->version, req->header.correlation_id,
                              req->response);
      req->encoded = caudal_writer_steal (&w);
    }
  /* The reply holds copies of everything now: the borrowed inputs can go. */
  g_ptr_array_set_size (req->keep, 0);
  broker_connection_request_done (req->conn, req);
}
