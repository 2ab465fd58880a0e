/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-server.h: the listening sockets and the set of open connections. */
#pragma once

#include "broker.h"
#include "broker-connection.h"

G_BEGIN_DECLS

BrokerServer *broker_server_new    (Broker                       *broker,
                                    const BrokerConnectionLimits *limits,
                                    guint                         max_connections,
                                    gint64                        idle_timeout_ms);
/* Binds one listener; @out_port receives the bound port (for port 0). */
gboolean      broker_server_listen (BrokerServer *server,
                                    const char   *listener_name,
                                    const char   *host,
                                    guint16       port,
                                    guint16      *out_port,
                                    GError      **error);
void          broker_server_start  (BrokerServer *server);
/* Stops accepting; every connection finishes what it has in flight. */
void          broker_server_stop_accepting (BrokerServer *server);
guint         broker_server_count_connections (BrokerServer *server);
/* Closes what remains. */
void          broker_server_free   (BrokerServer *server);
/* Called by a connection once it has closed. */
void          broker_server_connection_closed (BrokerServer     *server,
                                               BrokerConnection *conn);

G_END_DECLS
