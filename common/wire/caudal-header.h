/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-header.h: request and response headers, and whole frames
 * (size prefix + header + body) built on the generic codec. */
#pragma once

#include "caudal-messages.h"

G_BEGIN_DECLS

/**
 * CaudalRequestHeader:
 * @request_api_key: the API key
 * @request_api_version: the API version
 * @correlation_id: echoed in the response
 * @client_id: the client's id (header v1+); NULL when null or absent
 *
 * Request header v0-v2. In v2 the client id stays a classic
 * NULLABLE_STRING; only the tag buffer is added.
 */
typedef struct
{
  gint16  request_api_key;
  gint16  request_api_version;
  gint32  correlation_id;
  char   *client_id;
} CaudalRequestHeader;

/* Header versions per API and version (protocol-matrix.md, "Header rules"):
 * v2/v1 from the API's flexible version on, except that every ApiVersions
 * response uses header v0. Unknown APIs get request header v1. */
CAUDAL_WIRE_EXPORT gint16   caudal_request_header_version  (gint16 api_key,
                                                            gint16 api_version);
CAUDAL_WIRE_EXPORT gint16   caudal_response_header_version (gint16 api_key,
                                                            gint16 api_version);

/* Reads the request header; its version follows from the key and version
 * found in its first four bytes. */
CAUDAL_WIRE_EXPORT gboolean caudal_request_header_decode   (CaudalReader        *r,
                                                            CaudalArena         *arena,
                                                            CaudalRequestHeader *out,
                                                            GError             **error);
CAUDAL_WIRE_EXPORT gboolean caudal_request_header_decode_version (CaudalReader        *r,
                                                                  gint16               header_version,
                                                                  CaudalArena         *arena,
                                                                  CaudalRequestHeader *out,
                                                                  GError             **error);
CAUDAL_WIRE_EXPORT void     caudal_request_header_encode   (CaudalWriter              *w,
                                                            gint16                     header_version,
                                                            const CaudalRequestHeader *h);
CAUDAL_WIRE_EXPORT gboolean caudal_response_header_decode  (CaudalReader *r,
                                                            gint16        header_version,
                                                            gint32       *correlation_id,
                                                            GError      **error);
CAUDAL_WIRE_EXPORT void     caudal_response_header_encode  (CaudalWriter *w,
                                                            gint16        header_version,
                                                            gint32        correlation_id);

/**
 * CaudalRequest:
 * @header: the decoded header
 * @api: the API's descriptor
 * @body: the decoded body, a struct of @api's request type (e.g.
 *   #CaudalProduceRequest), allocated in the arena
 */
typedef struct
{
  CaudalRequestHeader  header;
  const CaudalApiDesc *api;
  gpointer             body;
} CaudalRequest;

/* Decodes a request frame (without its 4-byte size). On failure @out->header
 * is filled when the header itself could be read (so a broker can still
 * answer or log it); the error is CAUDAL_WIRE_ERROR_UNKNOWN_API or
 * _UNSUPPORTED_VERSION before the body is touched. */
CAUDAL_WIRE_EXPORT gboolean caudal_request_decode  (const guint8  *frame,
                                                    gsize          len,
                                                    CaudalArena   *arena,
                                                    CaudalRequest *out,
                                                    GError       **error);
/* Appends a whole request frame: size, header, body. */
CAUDAL_WIRE_EXPORT void     caudal_request_encode  (CaudalWriter        *w,
                                                    const CaudalApiDesc *api,
                                                    gint16               version,
                                                    gint32               correlation_id,
                                                    const char          *client_id,
                                                    gconstpointer        body);
/* Appends a whole response frame: size, header, body. */
CAUDAL_WIRE_EXPORT void     caudal_response_encode (CaudalWriter        *w,
                                                    const CaudalApiDesc *api,
                                                    gint16               version,
                                                    gint32               correlation_id,
                                                    gconstpointer        body);
/* Decodes a response frame (without its size) into @out, a struct of @api's
 * response type. */
CAUDAL_WIRE_EXPORT gboolean caudal_response_decode (const guint8        *frame,
                                                    gsize                len,
                                                    const CaudalApiDesc *api,
                                                    gint16               version,
                                                    CaudalArena         *arena,
                                                    gint32              *correlation_id,
                                                    gpointer             out,
                                                    GError             **error);

G_END_DECLS
