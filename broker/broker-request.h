/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-request.h: one decoded request on its way to its response.
 *
 * A connection decodes a frame into a BrokerRequest and hands it to the
 * dispatcher. The handler fills req->response (already initialised to the
 * schema's defaults) and calls broker_request_complete(), at once or later
 * (a long-polling Fetch, a Produce waiting for fsync). The connection sends
 * completed responses in arrival order. */
#pragma once

#include <gio/gio.h>

#include "broker-log.h"
#include "caudal-header.h"

G_BEGIN_DECLS

typedef struct _Broker           Broker;
typedef struct _BrokerConnection BrokerConnection;
typedef struct _BrokerRequest    BrokerRequest;

struct _BrokerRequest
{
  Broker              *broker;
  BrokerConnection    *conn;          /* owned ref */
  CaudalArena         *arena;         /* the request, its response, scratch */
  CaudalRequestHeader  header;
  const CaudalApiDesc *api;
  gint16               version;
  gpointer             body;          /* api->request struct */
  gpointer             response;      /* api->response struct, defaults set */
  GCancellable        *cancellable;   /* cancelled when the connection closes */
  GPtrArray           *keep;          /* GBytes the response points into */
  GPtrArray           *chunks;        /* BrokerOutChunk*: the reply, once complete */
  GArray              *slices;        /* BrokerLogSlice: records sent by sendfile */
  gint64               received_us;   /* monotonic */
  gboolean             no_response;   /* Produce acks=0: complete without a reply */
  gboolean             done;
};

BrokerRequest *broker_request_new      (Broker              *broker,
                                        BrokerConnection    *conn,
                                        CaudalArena         *arena,
                                        const CaudalRequest *decoded);
void           broker_request_free     (BrokerRequest *req);
/* Encodes the response (unless no_response) and tells the connection. */
void           broker_request_complete (BrokerRequest *req);
/* Records to send straight from a segment file: takes @slice over and
 * returns the CaudalBytes to put in the response (data NULL, the length),
 * which the encoder turns into a splice. Slices are matched to splices in
 * encoding order, so add them in the order of the response's fields. */
CaudalBytes    broker_request_add_slice (BrokerRequest  *req,
                                         BrokerLogSlice *slice);
/* Sets the whole reply frame directly (no encoding). */
void           broker_request_set_reply (BrokerRequest *req,
                                         GBytes        *frame);
/* Keeps @bytes alive until the response has been encoded. */
void           broker_request_keep     (BrokerRequest *req,
                                        GBytes        *bytes);
/* "host:port" of the client, for logs. */
const char    *broker_request_get_peer (BrokerRequest *req);
/* Allocates @n default items of array @field in @msg (a struct of @desc). */
#define broker_request_set_array(req, desc, msg, field, n) \
  caudal_message_set_array ((req)->arena, (desc), (msg), (field), (n))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerRequest, broker_request_free)

G_END_DECLS
