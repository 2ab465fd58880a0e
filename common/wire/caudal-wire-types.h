/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-wire-types.h: the small value types and the error domain shared by
 * every part of the Kafka codec. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#if defined(CAUDAL_WIRE_COMPILATION)
# define CAUDAL_WIRE_EXPORT __attribute__ ((visibility ("default"))) extern
#else
# define CAUDAL_WIRE_EXPORT extern
#endif

/**
 * CaudalBytes:
 * @data: the first byte; borrowed (usually points into the decoded buffer)
 * @len: the number of bytes, or -1 for a null value
 *
 * A Kafka BYTES / RECORDS value.
 */
typedef struct
{
  const guint8 *data;
  gint32        len;
} CaudalBytes;

#define CAUDAL_BYTES_NULL ((CaudalBytes) { NULL, -1 })

/**
 * CaudalUuid:
 * @bytes: the 16 bytes, most significant first (Kafka's UUID type)
 */
typedef struct
{
  guint8 bytes[16];
} CaudalUuid;

/**
 * CaudalWireError:
 * @CAUDAL_WIRE_ERROR_TRUNCATED: input ended before a value was complete
 * @CAUDAL_WIRE_ERROR_INVALID: a value is malformed (bad length, varint too long…)
 * @CAUDAL_WIRE_ERROR_TOO_LARGE: a length or count exceeds the allowed maximum
 * @CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION: an API version we do not describe
 * @CAUDAL_WIRE_ERROR_UNKNOWN_API: an API key we do not describe
 * @CAUDAL_WIRE_ERROR_CORRUPT: a checksum does not match
 * @CAUDAL_WIRE_ERROR_UNSUPPORTED: a valid feature we do not implement
 *   (legacy message sets, an unknown compression codec…)
 * @CAUDAL_WIRE_ERROR_COMPRESSION: a codec failed to compress or decompress
 *
 * Errors of the Kafka codec, in the %CAUDAL_WIRE_ERROR domain. Messages
 * name the API key, version and byte offset where they apply.
 */
typedef enum
{
  CAUDAL_WIRE_ERROR_TRUNCATED,
  CAUDAL_WIRE_ERROR_INVALID,
  CAUDAL_WIRE_ERROR_TOO_LARGE,
  CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION,
  CAUDAL_WIRE_ERROR_UNKNOWN_API,
  CAUDAL_WIRE_ERROR_CORRUPT,
  CAUDAL_WIRE_ERROR_UNSUPPORTED,
  CAUDAL_WIRE_ERROR_COMPRESSION,
} CaudalWireError;

#define CAUDAL_WIRE_ERROR (caudal_wire_error_quark ())
CAUDAL_WIRE_EXPORT GQuark caudal_wire_error_quark (void);

G_END_DECLS
