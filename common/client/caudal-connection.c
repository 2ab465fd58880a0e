/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-connection.c: one broker connection.
 *
 * Writes go out one at a time from a queue; a read loop takes frames
 * (4-byte size, then the response) and completes the request with that
 * correlation id. Every request has its own timeout; a timeout closes the
 * connection, as Kafka's clients do, because a late reply would otherwise
 * be matched to nothing and the stream position would be uncertain. */

#include "caudal-connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "caudal-error-codes.h"

#define DEFAULT_TIMEOUT_MS 30000
#define MAX_RESPONSE_SIZE  (1024 * 1024 * 1024)
#define SOFTWARE_NAME      "caudal"
#ifndef CAUDAL_VERSION
#define CAUDAL_VERSION     "0.1.0"
#endif

G_DEFINE_QUARK (caudal-client-error-quark, caudal_client_error)

typedef struct
{
  gint16 min;
  gint16 max;
} VersionRange;

struct _CaudalConnection
{
  GObject            parent_instance;
  char              *host;
  guint16            port;
  char              *client_id;
  guint              timeout_ms;

  GSocketConnection *stream;
  GCancellable      *io_cancellable;   /* cancelled on close */
  gint32             next_correlation;
  GHashTable        *pending;          /* correlation id → GTask* */
  GQueue             writes;           /* GBytes*, in order */
  gboolean           writing;
  guint8             size_buf[4];
  GHashTable        *versions;         /* api key → VersionRange* (broker's) */
  gboolean           connected;        /* connected and versions negotiated */
  gboolean           connecting;
  GPtrArray         *connect_waiters;  /* GTask*: callers of connect_async */
  GCancellable      *connect_cancellable;  /* the socket connect under way */
};

G_DEFINE_FINAL_TYPE (CaudalConnection, caudal_connection, G_TYPE_OBJECT)

typedef struct
{
  const CaudalApiDesc *api;
  gint16               version;
  gint32               correlation_id;
  gboolean             expect_response;
  guint                timeout_id;
} PendingRequest;

static void
pending_request_free (PendingRequest *p)
{
  g_clear_handle_id (&p->timeout_id, g_source_remove);
  g_free (p);
}

void
caudal_response_free (CaudalResponse *response)
{
  if (response == NULL)
    return;
  caudal_arena_free (response->arena);
  g_clear_pointer (&response->frame, g_bytes_unref);
  g_free (response);
}

static void
fail_all (CaudalConnection *conn,
          const GError     *error)
{
  g_autoptr(GList) tasks = g_hash_table_get_values (conn->pending);

  g_hash_table_steal_all (conn->pending);
  for (GList *l = tasks; l != NULL; l = l->next)
    {
      g_autoptr(GTask) task = l->data;
      PendingRequest *p = g_task_get_task_data (task);

      g_clear_handle_id (&p->timeout_id, g_source_remove);
      g_task_return_error (task, g_error_copy (error));
    }
}

void
caudal_connection_close (CaudalConnection *conn)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CAUDAL_IS_CONNECTION (conn));
  /* A close before the socket connected ends the connect: else the
   * connection would open after its owner closed and dropped it, and its
   * read would hold it, and its socket, open for good. */
  if (conn->connect_cancellable != NULL)
    g_cancellable_cancel (conn->connect_cancellable);
  if (!conn->connected && conn->stream == NULL)
    return;
  conn->connected = FALSE;
  g_cancellable_cancel (conn->io_cancellable);
  g_clear_object (&conn->io_cancellable);
  conn->io_cancellable = g_cancellable_new ();
  if (conn->stream != NULL)
    {
      g_io_stream_close (G_IO_STREAM (conn->stream), NULL, NULL);
      g_clear_object (&conn->stream);
    }
  g_queue_clear_full (&conn->writes, (GDestroyNotify) g_bytes_unref);
  conn->writing = FALSE;
  error = g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_DISCONNECTED,
                       "connection to %s:%u closed", conn->host, conn->port);
  fail_all (conn, error);
}

static void
caudal_connection_dispose (GObject *object)
{
  CaudalConnection *conn = CAUDAL_CONNECTION (object);

  caudal_connection_close (conn);
  G_OBJECT_CLASS (caudal_connection_parent_class)->dispose (object);
}

static void
caudal_connection_finalize (GObject *object)
{
  CaudalConnection *conn = CAUDAL_CONNECTION (object);

  g_free (conn->host);
  g_free (conn->client_id);
  g_clear_object (&conn->io_cancellable);
  g_clear_object (&conn->connect_cancellable);
  g_hash_table_unref (conn->pending);
  g_hash_table_unref (conn->versions);
  g_ptr_array_unref (conn->connect_waiters);
  G_OBJECT_CLASS (caudal_connection_parent_class)->finalize (object);
}

static void
caudal_connection_class_init (CaudalConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = caudal_connection_dispose;
  object_class->finalize = caudal_connection_finalize;
}

static void
caudal_connection_init (CaudalConnection *conn)
{
  conn->timeout_ms = DEFAULT_TIMEOUT_MS;
  conn->next_correlation = 1;
  conn->io_cancellable = g_cancellable_new ();
  conn->pending = g_hash_table_new_full (NULL, NULL, NULL, NULL);
  conn->versions = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  conn->connect_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&conn->writes);
}

CaudalConnection *
caudal_connection_new (const char *host,
                       guint16     port,
                       const char *client_id)
{
  CaudalConnection *conn = g_object_new (CAUDAL_TYPE_CONNECTION, NULL);

  conn->host = g_strdup (host);
  conn->port = port;
  conn->client_id = g_strdup (client_id != NULL ? client_id : "caudal");
  return conn;
}

const char *
caudal_connection_get_host (CaudalConnection *conn)
{
  return conn->host;
}

guint16
caudal_connection_get_port (CaudalConnection *conn)
{
  return conn->port;
}

void
caudal_connection_set_timeout (CaudalConnection *conn,
                               guint             timeout_ms)
{
  conn->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
}

gboolean
caudal_connection_is_connected (CaudalConnection *conn)
{
  return conn->connected;
}

gint16
caudal_connection_pick_version (CaudalConnection *conn,
                                gint16            api_key,
                                gint16            max_wanted)
{
  const CaudalApiDesc *api = caudal_api_lookup (api_key);
  VersionRange *theirs = g_hash_table_lookup (conn->versions, GINT_TO_POINTER ((gint) api_key));
  gint16 lo, hi;

  if (api == NULL || theirs == NULL)
    return -1;
  lo = MAX (api->min_version, theirs->min);
  hi = MIN (api->max_version, theirs->max);
  if (max_wanted >= 0)
    hi = MIN (hi, max_wanted);
  return hi >= lo ? hi : -1;
}

/* ---- writing ---- */

static void write_next (CaudalConnection *conn);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CaudalConnection) conn = user_data;
  g_autoptr(GError) error = NULL;
  gsize written;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        caudal_connection_close (conn);
      return;
    }
  g_bytes_unref (g_queue_pop_head (&conn->writes));
  conn->writing = FALSE;
  write_next (conn);
}

static void
write_next (CaudalConnection *conn)
{
  GBytes *head;
  gsize len;
  gconstpointer data;

  if (conn->writing || conn->stream == NULL || (head = g_queue_peek_head (&conn->writes)) == NULL)
    return;
  conn->writing = TRUE;
  data = g_bytes_get_data (head, &len);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (conn->stream)),
                                   data, len, G_PRIORITY_DEFAULT, conn->io_cancellable,
                                   on_written, g_object_ref (conn));
}

/* ---- reading ---- */

static void read_frame (CaudalConnection *conn);

static gboolean
decode_response (CaudalConnection *conn,
                 PendingRequest   *p,
                 GBytes           *frame,
                 CaudalResponse  **out,
                 GError          **error)
{
  g_autoptr(CaudalResponse) resp = g_new0 (CaudalResponse, 1);
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);
  gint32 corr;

  resp->api = p->api;
  resp->version = p->version;
  resp->frame = g_bytes_ref (frame);
  resp->arena = caudal_arena_new (0);
  resp->body = caudal_arena_alloc (resp->arena, p->api->response->size);
  if (!caudal_response_decode (data, len, p->api, p->version, resp->arena, &corr, resp->body, error))
    {
      /* KIP-511: a broker older than our ApiVersions request answers in
       * the v0 layout; read it as such. */
      if (p->api->key == CAUDAL_API_KEY_API_VERSIONS && p->version > 0)
        {
          g_clear_error (error);
          caudal_arena_free (resp->arena);
          resp->arena = caudal_arena_new (0);
          resp->body = caudal_arena_alloc (resp->arena, p->api->response->size);
          resp->version = 0;
          if (caudal_response_decode (data, len, p->api, 0, resp->arena, &corr, resp->body, error))
            {
              *out = g_steal_pointer (&resp);
              return TRUE;
            }
        }
      return FALSE;
    }
  *out = g_steal_pointer (&resp);
  return TRUE;
}

/* One frame being read; owned by the read, so a close and reconnect
 * cannot mix up buffers. */
typedef struct
{
  CaudalConnection *conn;
  guint8           *buf;
  gsize             len;
} BodyRead;

static void
on_body (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  BodyRead *read = user_data;
  g_autoptr(CaudalConnection) conn = read->conn;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GTask) task = NULL;
  gsize got = 0;
  gsize want = read->len;
  g_autofree guint8 *buf = read->buf;
  CaudalResponse *resp = NULL;
  PendingRequest *p;
  gint32 corr;
  guint32 be;

  g_free (read);
  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &got, &error) || got < want)
    {
      if (error == NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        caudal_connection_close (conn);
      return;
    }
  frame = g_bytes_new_take (g_steal_pointer (&buf), want);
  if (g_bytes_get_size (frame) < 4)
    {
      caudal_connection_close (conn);
      return;
    }
  memcpy (&be, g_bytes_get_data (frame, NULL), 4);
  corr = (gint32) GUINT32_FROM_BE (be);
  if (!g_hash_table_steal_extended (conn->pending, GINT_TO_POINTER (corr), NULL, (gpointer *) &task))
    {
      /* A reply to nothing we sent: the stream cannot be trusted. */
      g_debug ("%s:%u sent an unexpected correlation id %d", conn->host, conn->port, corr);
      caudal_connection_close (conn);
      return;
    }
  p = g_task_get_task_data (task);
  g_clear_handle_id (&p->timeout_id, g_source_remove);
  if (!decode_response (conn, p, frame, &resp, &error))
    g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL,
                             "%s:%u sent a %s v%d response that does not decode: %s", conn->host,
                             conn->port, p->api->name, p->version, error->message);
  else
    g_task_return_pointer (task, resp, (GDestroyNotify) caudal_response_free);
  if (conn->stream != NULL)
    read_frame (conn);
}

static void
on_size (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CaudalConnection) conn = user_data;
  g_autoptr(GError) error = NULL;
  gsize got = 0;
  guint32 be;
  gint32 size;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &got, &error) || got < 4)
    {
      if (error == NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        caudal_connection_close (conn);
      return;
    }
  memcpy (&be, conn->size_buf, 4);
  size = (gint32) GUINT32_FROM_BE (be);
  if (size < 4 || size > MAX_RESPONSE_SIZE)
    {
      caudal_connection_close (conn);
      return;
    }
  /* read_all: a reply arrives in pieces (a fetch's records follow its
   * header through sendfile); read_bytes would stop at the first one. */
  {
    BodyRead *read = g_new0 (BodyRead, 1);

    read->conn = g_object_ref (conn);
    read->len = (gsize) size;
    read->buf = g_malloc (read->len);
    g_input_stream_read_all_async (G_INPUT_STREAM (source), read->buf, read->len, G_PRIORITY_DEFAULT,
                                   conn->io_cancellable, on_body, read);
  }
}

static void
read_frame (CaudalConnection *conn)
{
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->stream)),
                                 conn->size_buf, 4, G_PRIORITY_DEFAULT, conn->io_cancellable,
                                 on_size, g_object_ref (conn));
}

/* ---- requests ---- */

static gboolean
on_request_timeout (gpointer user_data)
{
  GTask *task = user_data;
  CaudalConnection *conn = g_task_get_source_object (task);
  PendingRequest *p = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  p->timeout_id = 0;
  error = g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_TIMED_OUT,
                       "%s request to %s:%u timed out after %u ms", p->api->name, conn->host,
                       conn->port, conn->timeout_ms);
  if (g_hash_table_steal (conn->pending, GINT_TO_POINTER (p->correlation_id)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
    }
  caudal_connection_close (conn);
  return G_SOURCE_REMOVE;
}

static void
send_request (CaudalConnection *conn,
              GTask            *task)
{
  PendingRequest *p = g_task_get_task_data (task);
  gconstpointer body = g_object_get_data (G_OBJECT (task), "body");
  CaudalWriter w;

  caudal_writer_init (&w);
  caudal_request_encode (&w, p->api, p->version, p->correlation_id, conn->client_id, body);
  g_queue_push_tail (&conn->writes, caudal_writer_steal (&w));
  caudal_writer_clear (&w);
  write_next (conn);
}

void
caudal_connection_request_async (CaudalConnection   *conn,
                                 gint16              api_key,
                                 gint16              version,
                                 gconstpointer       body,
                                 gboolean            expect_response,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (conn, cancellable, callback, user_data);
  PendingRequest *p = g_new0 (PendingRequest, 1);

  g_task_set_source_tag (task, caudal_connection_request_async);
  g_task_set_task_data (task, p, (GDestroyNotify) pending_request_free);
  p->api = caudal_api_lookup (api_key);
  p->version = version;
  p->expect_response = expect_response;
  if (p->api == NULL || !caudal_api_supports (p->api, version))
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                               "API %d version %d is not supported", api_key, version);
      return;
    }
  if (conn->stream == NULL)
    {
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_DISCONNECTED,
                               "not connected to %s:%u", conn->host, conn->port);
      return;
    }
  p->correlation_id = conn->next_correlation++;
  if (conn->next_correlation == G_MAXINT32)
    conn->next_correlation = 1;
  /* The body is encoded right away; the caller may free it on return. */
  g_object_set_data (G_OBJECT (task), "body", (gpointer) body);
  send_request (conn, task);
  g_object_set_data (G_OBJECT (task), "body", NULL);
  if (!expect_response)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  p->timeout_id = g_timeout_add (conn->timeout_ms, on_request_timeout, task);
  g_hash_table_insert (conn->pending, GINT_TO_POINTER (p->correlation_id), g_steal_pointer (&task));
}

CaudalResponse *
caudal_connection_request_finish (CaudalConnection *conn,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- connect and negotiate ---- */

typedef struct
{
  guint         timeout_id;
  GCancellable *connect_cancellable;
  gboolean      timed_out;
} ConnectState;

static void
connect_state_free (ConnectState *st)
{
  g_clear_handle_id (&st->timeout_id, g_source_remove);
  g_clear_object (&st->connect_cancellable);
  g_free (st);
}

static void
store_versions (CaudalConnection          *conn,
                const CaudalApiVersionsResponse *av)
{
  g_hash_table_remove_all (conn->versions);
  for (gint32 i = 0; i < av->n_api_keys; i++)
    {
      VersionRange *r = g_new (VersionRange, 1);
      r->min = av->api_keys[i].min_version;
      r->max = av->api_keys[i].max_version;
      g_hash_table_insert (conn->versions, GINT_TO_POINTER ((gint) av->api_keys[i].api_key), r);
    }
}

static void send_api_versions (GTask *task, gint16 version);

static void
on_api_versions (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConnection *conn = CAUDAL_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_connection_request_finish (conn, result, &error);
  const CaudalApiVersionsResponse *av;

  if (resp == NULL && g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL)
      && GPOINTER_TO_INT (g_task_get_task_data (task)) == 0)
    {
      /* An answer we cannot read at either layout (librdkafka 2.0's mock
       * sends one): do what librdkafka does, ask again at v0. */
      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      send_api_versions (g_steal_pointer (&task), 0);
      return;
    }
  if (resp == NULL)
    {
      caudal_connection_close (conn);
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
                               "cannot connect to %s:%u: %s", conn->host, conn->port, error->message);
      return;
    }
  av = resp->body;
  if (av->error_code == CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION
      && GPOINTER_TO_INT (g_task_get_task_data (task)) == 0)
    {
      /* Retry at the highest version the broker names for ApiVersions. */
      gint16 retry = 0;
      for (gint32 i = 0; i < av->n_api_keys; i++)
        if (av->api_keys[i].api_key == CAUDAL_API_KEY_API_VERSIONS)
          retry = MIN (av->api_keys[i].max_version, caudal_api_lookup (CAUDAL_API_KEY_API_VERSIONS)->max_version);
      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      send_api_versions (g_steal_pointer (&task), retry);
      return;
    }
  if (av->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      g_autoptr(GError) kafka_error = NULL;
      caudal_set_kafka_error (&kafka_error, av->error_code, NULL);
      caudal_connection_close (conn);
      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
                               "cannot connect to %s:%u: %s", conn->host, conn->port,
                               kafka_error->message);
      return;
    }
  store_versions (conn, av);
  g_task_return_boolean (task, TRUE);
}

static void
send_api_versions (GTask  *task,
                   gint16  version)
{
  CaudalConnection *conn = g_task_get_source_object (task);
  CaudalApiVersionsRequest req;

  caudal_message_init (&caudal_api_versions_request_desc, &req);
  req.client_software_name = (char *) SOFTWARE_NAME;
  req.client_software_version = (char *) CAUDAL_VERSION;
  caudal_connection_request_async (conn, CAUDAL_API_KEY_API_VERSIONS, version, &req, TRUE,
                                   g_task_get_cancellable (task), on_api_versions, task);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  ConnectState *st = user_data;

  st->timeout_id = 0;
  st->timed_out = TRUE;
  g_cancellable_cancel (st->connect_cancellable);
  return G_SOURCE_REMOVE;
}

/* The socket connect ended. The flow's reference is ours here: a
 * g_task_return_*() does not take it (GTask holds its own until the
 * callback ran), so @task is only ever handed on or dropped. */
static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalConnection *conn = g_task_get_source_object (task);
  ConnectState *st = g_object_get_data (G_OBJECT (task), "connect-state");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) stream =
    g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  g_clear_handle_id (&st->timeout_id, g_source_remove);
  g_clear_object (&conn->connect_cancellable);
  /* Only the timeout and a close cancel the connect; a socket that got
   * through in the same iteration is not wanted either. */
  if (stream != NULL && g_cancellable_is_cancelled (st->connect_cancellable))
    {
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
      g_clear_object (&stream);
    }
  if (stream == NULL)
    {
      if (st->timed_out)
        g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
                                 "cannot connect to %s:%u: timed out after %u ms", conn->host,
                                 conn->port, conn->timeout_ms);
      else if (g_cancellable_is_cancelled (st->connect_cancellable))
        g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
                                 "cannot connect to %s:%u: the connection was closed", conn->host,
                                 conn->port);
      else
        {
          /* GIO says "Could not connect to HOST: why"; keep the why. */
          const char *why = error->message;
          const char *sep = g_str_has_prefix (why, "Could not connect to ") ? strstr (why, ": ") : NULL;

          g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
                                   "cannot connect to %s:%u: %s", conn->host, conn->port,
                                   sep != NULL ? sep + 2 : why);
        }
      return;
    }
  conn->stream = g_steal_pointer (&stream);
  g_socket_set_option (g_socket_connection_get_socket (conn->stream), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  read_frame (conn);
  /* ApiVersions v3 first; an older broker answers error 35 and we retry
   * at the version it names (KIP-511). */
  send_api_versions (g_steal_pointer (&task),
                     caudal_api_lookup (CAUDAL_API_KEY_API_VERSIONS)->max_version >= 3 ? 3 : 0);
}

/* The one connect-and-negotiate flow ended: answer everyone who asked. */
static void
on_flow_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CaudalConnection *conn = CAUDAL_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  conn->connecting = FALSE;
  conn->connected = ok && conn->stream != NULL;
  /* Negotiated, then closed before this ran: that is a failure too. */
  if (ok && !conn->connected)
    error = g_error_new (CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
                         "cannot connect to %s:%u: the connection was closed", conn->host, conn->port);
  waiters = g_steal_pointer (&conn->connect_waiters);
  conn->connect_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      if (conn->connected)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

void
caudal_connection_connect_async (CaudalConnection   *conn,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (conn, cancellable, callback, user_data);
  g_autoptr(GTask) flow = NULL;
  g_autoptr(GSocketClient) client = NULL;
  ConnectState *st;

  g_task_set_source_tag (task, caudal_connection_connect_async);
  if (conn->connected)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* Callers arriving while a connect is under way share its outcome: one
   * socket per connection, and no request before versions are known. */
  g_ptr_array_add (conn->connect_waiters, g_steal_pointer (&task));
  if (conn->connecting)
    return;
  conn->connecting = TRUE;

  flow = g_task_new (conn, NULL, on_flow_done, NULL);
  g_task_set_task_data (flow, GINT_TO_POINTER (0), NULL);
  client = g_socket_client_new ();
  st = g_new0 (ConnectState, 1);
  /* The flow is shared: one caller cancelling must not fail the others.
   * A cancelled caller's task answers G_IO_ERROR_CANCELLED when the flow
   * ends (GTask checks its cancellable); the connect timeout bounds that. */
  st->connect_cancellable = g_cancellable_new ();
  conn->connect_cancellable = g_object_ref (st->connect_cancellable);
  g_object_set_data_full (G_OBJECT (flow), "connect-state", st, (GDestroyNotify) connect_state_free);
  st->timeout_id = g_timeout_add (conn->timeout_ms, on_connect_timeout, st);
  g_socket_client_connect_to_host_async (client, conn->host, conn->port, st->connect_cancellable,
                                         on_connected, g_steal_pointer (&flow));
}

gboolean
caudal_connection_connect_finish (CaudalConnection *conn,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
