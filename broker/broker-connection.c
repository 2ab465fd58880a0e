/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-connection.c: read frames, decode, dispatch, reply in order.
 *
 * Everything here runs on the network thread's main context. The socket is
 * non-blocking; a GSource watches it for input while the connection accepts
 * more work, and for output while replies are queued. Backpressure: reading
 * stops while too many requests are in flight or too many reply bytes wait
 * to be sent, so a client that does not read cannot grow our memory. */

#include "broker-connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "broker-dispatch.h"
#include "broker-log-writer.h"
#include "broker-out-chunk.h"
#include "broker-server.h"
#include "caudal-error-codes.h"

#define READ_CHUNK (64 * 1024)

struct _BrokerConnection
{
  gint                   ref_count;
  Broker                *broker;
  BrokerServer          *server;      /* not owned; outlives connections */
  GSocketConnection     *stream;
  GSocket               *socket;
  char                  *peer;
  char                  *listener_name;
  BrokerConnectionLimits limits;

  GByteArray            *in;          /* bytes received, from in_pos on */
  gsize                  in_pos;
  GQueue                 pending;     /* BrokerRequest*, arrival order */
  GQueue                 out;         /* BrokerOutChunk*, send order */
  gsize                  out_bytes;

  GSource               *read_source;
  GSource               *write_source;
  gint64                 last_activity;
  gboolean               closed;
  gboolean               draining;
  gboolean               processing;  /* process_input() is on the stack */
};

static void update_reading (BrokerConnection *conn);

BrokerConnection *
broker_connection_ref (BrokerConnection *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

void
broker_connection_unref (BrokerConnection *conn)
{
  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  g_assert (conn->read_source == NULL && conn->write_source == NULL);
  g_byte_array_unref (conn->in);
  g_queue_clear_full (&conn->out, (GDestroyNotify) broker_out_chunk_free);
  g_clear_object (&conn->stream);
  g_free (conn->peer);
  g_free (conn->listener_name);
  g_free (conn);
}

static char *
describe_peer (GSocketConnection *stream)
{
  g_autoptr(GSocketAddress) addr = g_socket_connection_get_remote_address (stream, NULL);

  if (G_IS_INET_SOCKET_ADDRESS (addr))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (addr);
      g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint16 port = g_inet_socket_address_get_port (inet);

      if (g_inet_socket_address_get_address (inet) != NULL
          && g_inet_address_get_family (g_inet_socket_address_get_address (inet)) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host, port);
      return g_strdup_printf ("%s:%u", host, port);
    }
  return g_strdup ("unknown peer");
}

BrokerConnection *
broker_connection_new (Broker                       *broker,
                       BrokerServer                 *server,
                       GSocketConnection            *stream,
                       const BrokerConnectionLimits *limits,
                       const char                   *listener_name)
{
  BrokerConnection *conn = g_new0 (BrokerConnection, 1);

  conn->ref_count = 1;
  conn->broker = broker;
  conn->server = server;
  conn->stream = g_object_ref (stream);
  conn->socket = g_socket_connection_get_socket (stream);
  conn->peer = describe_peer (stream);
  conn->listener_name = g_strdup (listener_name);
  conn->limits = *limits;
  conn->in = g_byte_array_sized_new (4096);
  g_queue_init (&conn->pending);
  g_queue_init (&conn->out);
  conn->last_activity = g_get_monotonic_time ();
  g_socket_set_blocking (conn->socket, FALSE);
  /* Replies are whole frames written at once: do not wait for more. */
  g_socket_set_option (conn->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return conn;
}

const char *
broker_connection_get_peer (BrokerConnection *conn)
{
  return conn->peer;
}

const char *
broker_connection_get_listener_name (BrokerConnection *conn)
{
  return conn->listener_name;
}

gboolean
broker_connection_is_closed (BrokerConnection *conn)
{
  return conn->closed;
}

gboolean
broker_connection_is_idle (BrokerConnection *conn)
{
  return g_queue_is_empty (&conn->pending) && g_queue_is_empty (&conn->out);
}

gint64
broker_connection_get_last_activity (BrokerConnection *conn)
{
  return conn->last_activity;
}

static void
remove_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

void
broker_connection_close (BrokerConnection *conn,
                         const char       *reason)
{
  BrokerRequest *req;

  if (conn->closed)
    return;
  conn->closed = TRUE;
  if (reason != NULL)
    g_debug ("closing connection from %s: %s", conn->peer, reason);
  remove_source (&conn->read_source);
  remove_source (&conn->write_source);
  g_io_stream_close (G_IO_STREAM (conn->stream), NULL, NULL);

  /* Handlers still holding a request see the cancellation and complete it;
   * a completed request of a closed connection is simply freed. */
  while ((req = g_queue_pop_head (&conn->pending)) != NULL)
    {
      if (req->done)
        broker_request_free (req);
      else
        g_cancellable_cancel (req->cancellable);
    }
  g_queue_clear_full (&conn->out, (GDestroyNotify) broker_out_chunk_free);
  conn->out_bytes = 0;
  broker_server_connection_closed (conn->server, conn);
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data);

/* Sends as much queued output as the socket takes. */
static void
flush_output (BrokerConnection *conn)
{
  while (!conn->closed && !g_queue_is_empty (&conn->out))
    {
      BrokerOutChunk *head = g_queue_peek_head (&conn->out);
      g_autoptr(GError) error = NULL;
      gssize n = broker_out_chunk_send (head, conn->socket, &error);

      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          broker_connection_close (conn, error->message);
          return;
        }
      conn->last_activity = g_get_monotonic_time ();
      conn->out_bytes -= (gsize) n;
      if (head->sent == broker_out_chunk_size (head))
        broker_out_chunk_free (g_queue_pop_head (&conn->out));
    }
  if (conn->closed)
    return;

  if (g_queue_is_empty (&conn->out))
    {
      remove_source (&conn->write_source);
      if (conn->draining && g_queue_is_empty (&conn->pending))
        {
          broker_connection_close (conn, NULL);
          return;
        }
    }
  else if (conn->write_source == NULL)
    {
      conn->write_source = g_socket_create_source (conn->socket, G_IO_OUT, NULL);
      g_source_set_callback (conn->write_source, G_SOURCE_FUNC (on_writable), conn, NULL);
      g_source_attach (conn->write_source, NULL);
    }
  update_reading (conn);
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  g_autoptr(BrokerConnection) conn = broker_connection_ref (user_data);

  flush_output (conn);
  return G_SOURCE_CONTINUE;
}

/* Moves completed replies from the head of the pending queue to the output,
 * so that replies leave in request order whatever order handlers finish. */
void
broker_connection_request_done (BrokerConnection *conn,
                                BrokerRequest    *req)
{
  BrokerRequest *head;

  if (conn->closed)
    {
      /* close() already dropped it from the queue. */
      broker_request_free (req);
      return;
    }
  while ((head = g_queue_peek_head (&conn->pending)) != NULL && head->done)
    {
      g_queue_pop_head (&conn->pending);
      if (head->chunks != NULL)
        {
          /* Move the chunks, in order: the request is freed right after. */
          for (guint i = 0; i < head->chunks->len; i++)
            {
              BrokerOutChunk *chunk = g_ptr_array_index (head->chunks, i);

              conn->out_bytes += broker_out_chunk_size (chunk);
              g_queue_push_tail (&conn->out, chunk);
            }
          g_ptr_array_set_free_func (head->chunks, NULL);
          g_ptr_array_set_size (head->chunks, 0);
        }
      broker_request_free (head);
    }
  flush_output (conn);
}

/* Kafka's answer to an ApiVersions version it does not know (KIP-511):
 * header v0 and a v0-layout body: error 35 and the ApiVersions entry. */
static GBytes *
encode_api_versions_unsupported (gint32 correlation_id)
{
  CaudalWriter w;
  const CaudalApiDesc *api = caudal_api_lookup (CAUDAL_API_KEY_API_VERSIONS);

  caudal_writer_init (&w);
  caudal_write_int32 (&w, 0);                   /* size, patched below */
  caudal_write_int32 (&w, correlation_id);
  caudal_write_int16 (&w, CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION);
  caudal_write_int32 (&w, 1);
  caudal_write_int16 (&w, api->key);
  caudal_write_int16 (&w, api->min_version);
  caudal_write_int16 (&w, api->max_version);
  caudal_writer_patch_int32 (&w, 0, (gint32) (caudal_writer_len (&w) - 4));
  return caudal_writer_steal (&w);
}

/* Decodes one frame and queues it; FALSE when the connection must close. */
static gboolean
handle_frame (BrokerConnection *conn,
              const guint8     *frame,
              gsize             len)
{
  g_autoptr(CaudalArena) arena = NULL;
  g_autoptr(GError) error = NULL;
  CaudalRequest decoded;
  BrokerRequest *req;
  GBytes *copy;

  /* The decoded request borrows strings and records from the frame: give
   * it a copy that lives as long as the request. */
  copy = g_bytes_new (frame, len);
  frame = g_bytes_get_data (copy, NULL);
  /* A hostile frame may claim huge arrays of tiny items: cap what decoding
   * may allocate relative to the frame's size. */
  arena = caudal_arena_new (64 * len + 64 * 1024);

  if (!caudal_request_decode (frame, len, arena, &decoded, &error))
    {
      if (g_error_matches (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION)
          && decoded.header.request_api_key == CAUDAL_API_KEY_API_VERSIONS)
        {
          /* Only ApiVersions gets an answer: the client then retries lower.
           * It queues like any request so replies stay in order. */
          g_bytes_unref (copy);
          req = broker_request_new (conn->broker, conn, g_steal_pointer (&arena), &decoded);
          req->api = caudal_api_lookup (CAUDAL_API_KEY_API_VERSIONS);
          req->done = TRUE;
          {
            g_autoptr(GBytes) reply = encode_api_versions_unsupported (decoded.header.correlation_id);
            broker_request_set_reply (req, reply);
          }
          g_queue_push_tail (&conn->pending, req);
          broker_connection_request_done (conn, req);
          return TRUE;
        }
      if (g_error_matches (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION)
          || g_error_matches (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNKNOWN_API))
        /* As Kafka does: no error code, the connection closes. */
        broker_log_with_field (G_LOG_LEVEL_MESSAGE, "CAUDAL_PEER", conn->peer,
                               "closing connection from %s: %s", conn->peer, error->message);
      else
        /* A client's fault, not the broker's: not a warning (which a
         * supervisor may treat as fatal), but worth a line. */
        broker_log_with_field (G_LOG_LEVEL_MESSAGE, "CAUDAL_PEER", conn->peer,
                               "closing connection from %s: malformed request: %s", conn->peer,
                               error->message);
      g_bytes_unref (copy);
      return FALSE;
    }

  caudal_arena_set_limit (arena, 0);
  req = broker_request_new (conn->broker, conn, g_steal_pointer (&arena), &decoded);
  broker_request_keep (req, copy);
  g_bytes_unref (copy);
  g_queue_push_tail (&conn->pending, req);
  broker_dispatch (req);
  return TRUE;
}

/* Parses every complete frame in the input buffer. */
static void
process_input (BrokerConnection *conn)
{
  /* A handler that completes at once re-enters through flush_output():
   * the outer loop goes on with the remaining frames. */
  if (conn->processing)
    return;
  conn->processing = TRUE;
  /* Frames already buffered count too: stop at either limit, not just
   * stop reading the socket. */
  while (!conn->closed && !conn->draining
         && g_queue_get_length (&conn->pending) < conn->limits.max_pending_requests
         && conn->out_bytes < conn->limits.max_output_bytes)
    {
      gsize avail = conn->in->len - conn->in_pos;
      const guint8 *p = conn->in->data + conn->in_pos;
      gint32 size;

      if (avail < 4)
        break;
      {
        guint32 be;
        /* The prefix may sit at any alignment in the buffer. */
        memcpy (&be, p, sizeof be);
        size = (gint32) GUINT32_FROM_BE (be);
      }
      if (size <= 0 || (gsize) size > conn->limits.max_request_size)
        {
          broker_log_with_field (G_LOG_LEVEL_MESSAGE, "CAUDAL_PEER", conn->peer,
                                 "closing connection from %s: request size %d is outside 1-%"
                                 G_GSIZE_FORMAT " (socket.request.max.bytes)", conn->peer, size,
                                 conn->limits.max_request_size);
          conn->processing = FALSE;
          broker_connection_close (conn, NULL);
          return;
        }
      if (avail - 4 < (gsize) size)
        break;
      conn->in_pos += 4 + (gsize) size;
      if (!handle_frame (conn, p + 4, (gsize) size))
        {
          conn->processing = FALSE;
          broker_connection_close (conn, NULL);
          return;
        }
    }
  /* Compact once the consumed prefix dominates, so memmove stays rare. */
  if (conn->in_pos > 0 && (conn->in_pos == conn->in->len || conn->in_pos > conn->in->len / 2))
    {
      g_byte_array_remove_range (conn->in, 0, (guint) conn->in_pos);
      conn->in_pos = 0;
    }
  conn->processing = FALSE;
  if (!conn->closed)
    flush_output (conn);
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  g_autoptr(BrokerConnection) conn = broker_connection_ref (user_data);
  guint old_len = conn->in->len;
  g_autoptr(GError) error = NULL;
  gssize n;

  /* A frame's size is known once its first 4 bytes are in: read the whole
   * frame at once when it is big, in chunks otherwise. */
  g_byte_array_set_size (conn->in, old_len + READ_CHUNK);
  n = g_socket_receive (conn->socket, (char *) conn->in->data + old_len, READ_CHUNK, NULL, &error);
  if (n < 0)
    {
      g_byte_array_set_size (conn->in, old_len);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      broker_connection_close (conn, error->message);
      return G_SOURCE_CONTINUE;
    }
  g_byte_array_set_size (conn->in, old_len + (guint) n);
  if (n == 0)
    {
      /* The client closed its side: answer nothing more. */
      broker_connection_close (conn, "closed by the client");
      return G_SOURCE_CONTINUE;
    }
  conn->last_activity = g_get_monotonic_time ();
  process_input (conn);
  return G_SOURCE_CONTINUE;
}

/* Reads only while the connection can take more work. */
static void
update_reading (BrokerConnection *conn)
{
  gboolean want = !conn->closed && !conn->draining
                  && g_queue_get_length (&conn->pending) < conn->limits.max_pending_requests
                  && conn->out_bytes < conn->limits.max_output_bytes;

  if (want && conn->read_source == NULL)
    {
      conn->read_source = g_socket_create_source (conn->socket, G_IO_IN, NULL);
      g_source_set_callback (conn->read_source, G_SOURCE_FUNC (on_readable), conn, NULL);
      g_source_attach (conn->read_source, NULL);
      /* Frames may already be buffered from before the pause. */
      if (conn->in->len > conn->in_pos && !conn->processing)
        process_input (conn);
    }
  else if (!want && conn->read_source != NULL)
    remove_source (&conn->read_source);
}

void
broker_connection_start (BrokerConnection *conn)
{
  update_reading (conn);
}

void
broker_connection_drain (BrokerConnection *conn)
{
  if (conn->closed)
    return;
  conn->draining = TRUE;
  remove_source (&conn->read_source);
  if (broker_connection_is_idle (conn))
    broker_connection_close (conn, NULL);
}
