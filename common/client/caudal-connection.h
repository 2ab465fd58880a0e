/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-connection.h: one TCP connection to one Kafka broker: connect,
 * negotiate versions with ApiVersions, send requests and match responses
 * by correlation id (several may be in flight), time out.
 *
 * Works against any Kafka-protocol broker, never assuming caudald: the
 * version of each request is the highest both sides support. */
#pragma once

#include <gio/gio.h>

#include "caudal-client-types.h"
#include "caudal-header.h"

G_BEGIN_DECLS

#define CAUDAL_TYPE_CONNECTION (caudal_connection_get_type ())
CAUDAL_CLIENT_EXPORT
G_DECLARE_FINAL_TYPE (CaudalConnection, caudal_connection, CAUDAL, CONNECTION, GObject)

/**
 * CaudalResponse:
 * @api: the API answered
 * @version: the version it was encoded at
 * @body: the decoded response (a struct of @api->response)
 *
 * A decoded response; its memory lives in its own arena, freed with
 * caudal_response_free().
 */
typedef struct
{
  const CaudalApiDesc *api;
  gint16               version;
  gpointer             body;
  /*< private >*/
  CaudalArena         *arena;
  GBytes              *frame;
} CaudalResponse;

CAUDAL_CLIENT_EXPORT void caudal_response_free (CaudalResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalResponse, caudal_response_free)

/* @host, @port: the broker; @client_id: sent in every request header. */
CAUDAL_CLIENT_EXPORT CaudalConnection *caudal_connection_new (const char *host,
                                                              guint16     port,
                                                              const char *client_id);
CAUDAL_CLIENT_EXPORT const char *caudal_connection_get_host (CaudalConnection *conn);
CAUDAL_CLIENT_EXPORT guint16     caudal_connection_get_port (CaudalConnection *conn);
/* Milliseconds before a connect or a request fails with
 * CAUDAL_CLIENT_ERROR_TIMED_OUT (default 30000, Kafka's request.timeout.ms). */
CAUDAL_CLIENT_EXPORT void     caudal_connection_set_timeout (CaudalConnection *conn,
                                                             guint             timeout_ms);
CAUDAL_CLIENT_EXPORT gboolean caudal_connection_is_connected (CaudalConnection *conn);

/* Connects and negotiates versions (ApiVersions v3, falling back to v0
 * when the broker is older — KIP-511). Errors:
 * CAUDAL_CLIENT_ERROR_CANNOT_CONNECT ("cannot connect to HOST:PORT: why"). */
CAUDAL_CLIENT_EXPORT void     caudal_connection_connect_async  (CaudalConnection   *conn,
                                                                GCancellable       *cancellable,
                                                                GAsyncReadyCallback callback,
                                                                gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_connection_connect_finish (CaudalConnection *conn,
                                                                GAsyncResult     *result,
                                                                GError          **error);

/* The version to send for @api_key: the highest both we (common/wire)
 * and the broker support, at most @max_wanted (-1: no cap); -1 when there
 * is none (the broker lacks the API or the ranges do not meet). */
CAUDAL_CLIENT_EXPORT gint16   caudal_connection_pick_version (CaudalConnection *conn,
                                                              gint16            api_key,
                                                              gint16            max_wanted);

/* Sends @body (a struct of the API's request) at @version. The callback
 * gets the decoded response; with @expect_response FALSE (Produce acks=0)
 * it completes once the request is written, with a NULL response. */
CAUDAL_CLIENT_EXPORT void            caudal_connection_request_async  (CaudalConnection   *conn,
                                                                       gint16              api_key,
                                                                       gint16              version,
                                                                       gconstpointer       body,
                                                                       gboolean            expect_response,
                                                                       GCancellable       *cancellable,
                                                                       GAsyncReadyCallback callback,
                                                                       gpointer            user_data);
CAUDAL_CLIENT_EXPORT CaudalResponse *caudal_connection_request_finish (CaudalConnection *conn,
                                                                       GAsyncResult     *result,
                                                                       GError          **error);

/* Fails every request in flight with CAUDAL_CLIENT_ERROR_DISCONNECTED,
 * and a connect under way with CAUDAL_CLIENT_ERROR_CANNOT_CONNECT. An
 * open connection's read holds a reference to it: its owner closes it
 * before dropping it (dropping the last reference does not). */
CAUDAL_CLIENT_EXPORT void caudal_connection_close (CaudalConnection *conn);

G_END_DECLS
