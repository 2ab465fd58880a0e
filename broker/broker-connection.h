/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-connection.h: one client connection: framing, in-order replies,
 * bounded buffers with backpressure, idle timeout. */
#pragma once

#include <gio/gio.h>

#include "broker-request.h"

G_BEGIN_DECLS

typedef struct _BrokerServer BrokerServer;

typedef struct
{
  gsize  max_request_size;     /* socket.request.max.bytes */
  guint  max_pending_requests; /* queued.max.requests per connection */
  gsize  max_output_bytes;     /* stop reading while more is queued to send */
} BrokerConnectionLimits;

BrokerConnection *broker_connection_new        (Broker                       *broker,
                                                BrokerServer                 *server,
                                                GSocketConnection            *stream,
                                                const BrokerConnectionLimits *limits,
                                                const char                   *listener_name);
BrokerConnection *broker_connection_ref        (BrokerConnection *conn);
void              broker_connection_unref      (BrokerConnection *conn);
/* Starts reading. */
void              broker_connection_start      (BrokerConnection *conn);
/* Closes at once: pending requests are cancelled, queued output dropped. */
void              broker_connection_close      (BrokerConnection *conn,
                                                const char       *reason);
/* Stops reading new requests; closes once every in-flight reply is sent. */
void              broker_connection_drain      (BrokerConnection *conn);
gboolean          broker_connection_is_closed  (BrokerConnection *conn);
gboolean          broker_connection_is_idle    (BrokerConnection *conn);
gint64            broker_connection_get_last_activity (BrokerConnection *conn);
const char       *broker_connection_get_peer   (BrokerConnection *conn);
/* The listener (e.g. "PLAINTEXT") that accepted it; NULL if unknown. */
const char       *broker_connection_get_listener_name (BrokerConnection *conn);
/* Called by broker_request_complete(). */
void              broker_connection_request_done (BrokerConnection *conn,
                                                  BrokerRequest    *req);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerConnection, broker_connection_unref)

G_END_DECLS
