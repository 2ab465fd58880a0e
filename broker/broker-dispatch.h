/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-dispatch.h: the table from API key to handler. */
#pragma once

#include "broker-request.h"

G_BEGIN_DECLS

/* A handler fills req->response and calls broker_request_complete(), now
 * or later. It never fails: errors become Kafka error codes. */
typedef void (*BrokerHandler) (BrokerRequest *req);

/* Runs the handler of req->api; requests of APIs we decode but do not
 * serve close the connection, as Kafka does for unknown APIs. */
void     broker_dispatch           (BrokerRequest *req);
/* Whether this broker serves @api_key (what ApiVersions advertises). */
gboolean broker_dispatch_serves    (gint16 api_key);

G_END_DECLS
