/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-client-types.h: what every libcaudal header shares: the export
 * macro and the CAUDAL_CLIENT_ERROR domain. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#if defined(CAUDAL_CLIENT_COMPILATION)
#define CAUDAL_CLIENT_EXPORT __attribute__ ((visibility ("default"))) extern
#else
#define CAUDAL_CLIENT_EXPORT extern
#endif

/**
 * CaudalClientError:
 * @CAUDAL_CLIENT_ERROR_CANNOT_CONNECT: the broker could not be reached
 * @CAUDAL_CLIENT_ERROR_TIMED_OUT: no answer within the timeout
 * @CAUDAL_CLIENT_ERROR_DISCONNECTED: the connection closed with requests in flight
 * @CAUDAL_CLIENT_ERROR_UNSUPPORTED: the broker does not offer a version we speak
 * @CAUDAL_CLIENT_ERROR_PROTOCOL: the broker's answer does not decode
 * @CAUDAL_CLIENT_ERROR_NOT_FOUND: a topic, partition, group or broker is unknown
 *
 * Failures of the client itself; errors a broker answers with are in the
 * CAUDAL_KAFKA_ERROR domain (caudal-error-codes.h), by Kafka error code.
 */
typedef enum
{
  CAUDAL_CLIENT_ERROR_CANNOT_CONNECT,
  CAUDAL_CLIENT_ERROR_TIMED_OUT,
  CAUDAL_CLIENT_ERROR_DISCONNECTED,
  CAUDAL_CLIENT_ERROR_UNSUPPORTED,
  CAUDAL_CLIENT_ERROR_PROTOCOL,
  CAUDAL_CLIENT_ERROR_NOT_FOUND,
} CaudalClientError;

#define CAUDAL_CLIENT_ERROR (caudal_client_error_quark ())
CAUDAL_CLIENT_EXPORT GQuark caudal_client_error_quark (void);

G_END_DECLS
