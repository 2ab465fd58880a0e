/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-server.c: accept connections, enforce the connection limit and the
 * idle timeout (connections.max.idle.ms). */

#include "broker-server.h"

struct _BrokerServer
{
  Broker                *broker;
  GSocketService        *service;
  BrokerConnectionLimits limits;
  guint                  max_connections;
  gint64                 idle_timeout_us;
  GHashTable            *connections;   /* BrokerConnection* (owned) set */
  GPtrArray             *listener_tags;  /* GObject* naming each listener */
  guint                  idle_timer;
  gboolean               accepting;
};

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *stream,
             GObject           *source_object,
             gpointer           user_data)
{
  BrokerServer *server = user_data;
  BrokerConnection *conn;

  if (!server->accepting)
    return TRUE;
  if (g_hash_table_size (server->connections) >= server->max_connections)
    {
      /* Like Kafka's max.connections: refuse by closing at once. */
      g_warning ("refusing a connection: max.connections (%u) reached", server->max_connections);
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
      return TRUE;
    }
  conn = broker_connection_new (server->broker, server, stream, &server->limits,
                                source_object != NULL
                                  ? g_object_get_data (source_object, "listener-name")
                                  : NULL);
  g_hash_table_add (server->connections, conn);
  g_debug ("connection from %s", broker_connection_get_peer (conn));
  broker_connection_start (conn);
  return TRUE;
}

void
broker_server_connection_closed (BrokerServer     *server,
                                 BrokerConnection *conn)
{
  /* Drops the server's reference; the caller still holds its own. */
  g_hash_table_remove (server->connections, conn);
}

static gboolean
check_idle (gpointer user_data)
{
  BrokerServer *server = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_connection_unref);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BrokerConnection *conn = key;
      /* A connection waiting on a long poll is busy, not idle. */
      if (broker_connection_is_idle (conn)
          && now - broker_connection_get_last_activity (conn) > server->idle_timeout_us)
        g_ptr_array_add (expired, broker_connection_ref (conn));
    }
  for (guint i = 0; i < expired->len; i++)
    broker_connection_close (g_ptr_array_index (expired, i), "idle (connections.max.idle.ms)");
  return G_SOURCE_CONTINUE;
}

BrokerServer *
broker_server_new (Broker                       *broker,
                   const BrokerConnectionLimits *limits,
                   guint                         max_connections,
                   gint64                        idle_timeout_ms)
{
  BrokerServer *server = g_new0 (BrokerServer, 1);
  guint interval_ms;

  server->broker = broker;
  server->service = g_socket_service_new ();
  server->limits = *limits;
  server->max_connections = max_connections;
  server->idle_timeout_us = idle_timeout_ms * 1000;
  server->connections = g_hash_table_new_full (NULL, NULL,
                                               (GDestroyNotify) broker_connection_unref, NULL);
  server->accepting = TRUE;
  server->listener_tags = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  /* Check a few times per timeout period, at most once a second. */
  interval_ms = (guint) CLAMP (idle_timeout_ms / 4, 10, 1000);
  if (idle_timeout_ms >= 0)
    server->idle_timer = g_timeout_add (interval_ms, check_idle, server);
  return server;
}

gboolean
broker_server_listen (BrokerServer *server,
                      const char   *listener_name,
                      const char   *host,
                      guint16       port,
                      guint16      *out_port,
                      GError      **error)
{
  GSocketListener *listener = G_SOCKET_LISTENER (server->service);
  /* The source object tells on_incoming() which listener accepted, so
   * Metadata can advertise that listener's endpoint (as Kafka does). */
  GObject *tag = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data_full (tag, "listener-name", g_strdup (listener_name), g_free);
  g_ptr_array_add (server->listener_tags, tag);

  if (host == NULL || *host == '\0')
    {
      /* All interfaces, IPv6 and IPv4, as Kafka's empty host. */
      if (port == 0)
        {
          *out_port = g_socket_listener_add_any_inet_port (listener, tag, error);
          return *out_port != 0;
        }
      *out_port = port;
      return g_socket_listener_add_inet_port (listener, port, tag, error);
    }
  else
    {
      g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (host);
      g_autolist(GInetAddress) addresses = NULL;
      guint16 bound = port;

      if (literal != NULL)
        addresses = g_list_append (NULL, g_steal_pointer (&literal));
      else
        {
          g_autoptr(GResolver) resolver = g_resolver_get_default ();
          /* A name such as localhost may stand for ::1 and 127.0.0.1:
           * listen on each, so every client's resolution works. */
          addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);
          if (addresses == NULL)
            return FALSE;
        }
      for (GList *l = addresses; l != NULL; l = l->next)
        {
          g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, bound);
          g_autoptr(GSocketAddress) effective = NULL;
          g_autoptr(GError) local_error = NULL;

          if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, tag, &effective,
                                              l == addresses ? error : &local_error))
            {
              if (l == addresses)
                return FALSE;
              /* The extra families are a convenience, not a requirement. */
              g_debug ("not listening on another address of %s: %s", host, local_error->message);
              continue;
            }
          /* Port 0: the other addresses take the port the first one got. */
          bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
        }
      *out_port = bound;
      return TRUE;
    }
}

void
broker_server_start (BrokerServer *server)
{
  g_socket_service_start (server->service);
}

void
broker_server_stop_accepting (BrokerServer *server)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_connection_unref);
  GHashTableIter iter;
  gpointer key;

  server->accepting = FALSE;
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (conns, broker_connection_ref (key));
  for (guint i = 0; i < conns->len; i++)
    broker_connection_drain (g_ptr_array_index (conns, i));
}

guint
broker_server_count_connections (BrokerServer *server)
{
  return g_hash_table_size (server->connections);
}

void
broker_server_free (BrokerServer *server)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_connection_unref);
  GHashTableIter iter;
  gpointer key;

  if (server == NULL)
    return;
  g_clear_handle_id (&server->idle_timer, g_source_remove);
  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (conns, broker_connection_ref (key));
  for (guint i = 0; i < conns->len; i++)
    broker_connection_close (g_ptr_array_index (conns, i), "shutting down");
  g_hash_table_unref (server->connections);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_object_unref (server->service);
  g_ptr_array_unref (server->listener_tags);
  g_free (server);
}
