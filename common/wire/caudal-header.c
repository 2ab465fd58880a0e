/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-header.c: header versions, header codecs and whole frames. */
#include "caudal-header.h"

#include <string.h>

gint16
caudal_request_header_version (gint16 api_key,
                               gint16 api_version)
{
  const CaudalApiDesc *api = caudal_api_lookup (api_key);

  /* ControlledShutdown v0 (key 7) is the only user of header v0. */
  if (api_key == 7 && api_version == 0)
    return 0;
  if (api != NULL && caudal_api_is_flexible (api, api_version))
    return 2;
  return 1;
}

gint16
caudal_response_header_version (gint16 api_key,
                                gint16 api_version)
{
  const CaudalApiDesc *api = caudal_api_lookup (api_key);

  /* ApiVersions answers with header v0 at every version, so that a client
   * can read the error of a version it sent too high (KIP-511). */
  if (api_key == 18 /* ApiVersions */)
    return 0;
  if (api != NULL && caudal_api_is_flexible (api, api_version))
    return 1;
  return 0;
}

static gboolean
skip_tag_buffer (CaudalReader *r,
                 GError      **error)
{
  guint32 n;

  if (!caudal_read_uvarint (r, &n, error))
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    {
      guint32 tag, size;
      const guint8 *ignored;

      if (!caudal_read_uvarint (r, &tag, error) ||
          !caudal_read_uvarint (r, &size, error) ||
          !caudal_read_raw (r, size, &ignored, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
caudal_request_header_decode_version (CaudalReader        *r,
                                      gint16               header_version,
                                      CaudalArena         *arena,
                                      CaudalRequestHeader *out,
                                      GError             **error)
{
  memset (out, 0, sizeof *out);
  if (!caudal_read_int16 (r, &out->request_api_key, error) ||
      !caudal_read_int16 (r, &out->request_api_version, error) ||
      !caudal_read_int32 (r, &out->correlation_id, error))
    return FALSE;

  if (header_version >= 1)
    {
      const char *s;
      gint32 len;

      /* Even in header v2 the client id is a classic NULLABLE_STRING. */
      if (!caudal_read_string (r, FALSE, TRUE, &s, &len, error))
        return FALSE;
      if (len >= 0)
        {
          out->client_id = caudal_arena_strndup (arena, s, len);
          if (out->client_id == NULL)
            {
              caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TOO_LARGE,
                                       "client id exceeds the decode memory limit");
              return FALSE;
            }
        }
    }
  if (header_version >= 2)
    return skip_tag_buffer (r, error);
  return TRUE;
}

gboolean
caudal_request_header_decode (CaudalReader        *r,
                              CaudalArena         *arena,
                              CaudalRequestHeader *out,
                              GError             **error)
{
  CaudalReader peek = *r;
  gint16 key, version;

  if (!caudal_read_int16 (&peek, &key, error) ||
      !caudal_read_int16 (&peek, &version, error))
    return FALSE;
  return caudal_request_header_decode_version (r, caudal_request_header_version (key, version),
                                               arena, out, error);
}

void
caudal_request_header_encode (CaudalWriter              *w,
                              gint16                     header_version,
                              const CaudalRequestHeader *h)
{
  caudal_write_int16 (w, h->request_api_key);
  caudal_write_int16 (w, h->request_api_version);
  caudal_write_int32 (w, h->correlation_id);
  if (header_version >= 1)
    caudal_write_string (w, FALSE, h->client_id,
                         h->client_id ? (gint32) strlen (h->client_id) : -1);
  if (header_version >= 2)
    caudal_write_uvarint (w, 0);
}

gboolean
caudal_response_header_decode (CaudalReader *r,
                               gint16        header_version,
                               gint32       *correlation_id,
                               GError      **error)
{
  if (!caudal_read_int32 (r, correlation_id, error))
    return FALSE;
  if (header_version >= 1)
    return skip_tag_buffer (r, error);
  return TRUE;
}

void
caudal_response_header_encode (CaudalWriter *w,
                               gint16        header_version,
                               gint32        correlation_id)
{
  caudal_write_int32 (w, correlation_id);
  if (header_version >= 1)
    caudal_write_uvarint (w, 0);
}

/* Bytes after a body are ignored, as Kafka's Java code ignores them: real
 * peers send some (librdkafka 2.0's ListGroups v4 repeats the tag byte,
 * its OffsetFetch v7 leaves a reserved count behind; its mock broker pads
 * ListOffsets v5 answers). The exception is an ApiVersions response: there
 * bytes left over mean the layout is not the one asked for (KIP-511's v0
 * answer), which the client must notice to fall back. */
static gboolean
decode_body_whole (CaudalReader           *r,
                   const CaudalApiDesc    *api,
                   const CaudalStructDesc *desc,
                   gint16                  version,
                   CaudalArena            *arena,
                   gpointer                out,
                   gboolean                allow_trailing,
                   GError                **error)
{
  if (!caudal_message_decode (desc, version, caudal_api_is_flexible (api, version), r, arena,
                              out, error))
    return FALSE;
  if (r->pos != r->len && !allow_trailing)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "%" G_GSIZE_FORMAT " bytes left after the %s v%d body",
                               (gsize) (r->len - r->pos), api->name, version);
      return FALSE;
    }
  return TRUE;
}

gboolean
caudal_request_decode (const guint8  *frame,
                       gsize          len,
                       CaudalArena   *arena,
                       CaudalRequest *out,
                       GError       **error)
{
  CaudalReader r;
  const CaudalApiDesc *api;
  gint16 version;

  memset (out, 0, sizeof *out);
  caudal_reader_init (&r, frame, len);
  if (!caudal_request_header_decode (&r, arena, &out->header, error))
    return FALSE;

  version = out->header.request_api_version;
  r.api_key = out->header.request_api_key;
  r.api_version = version;
  api = caudal_api_lookup (out->header.request_api_key);
  if (api == NULL)
    {
      caudal_reader_set_error (&r, error, CAUDAL_WIRE_ERROR_UNKNOWN_API,
                               "unknown API key %d", out->header.request_api_key);
      return FALSE;
    }
  out->api = api;
  if (!caudal_api_supports (api, version))
    {
      caudal_reader_set_error (&r, error, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION,
                               "%s v%d is outside the supported versions %d-%d",
                               api->name, version, api->min_version, api->max_version);
      return FALSE;
    }

  out->body = caudal_arena_try_alloc (arena, api->request->size);
  if (out->body == NULL)
    {
      caudal_reader_set_error (&r, error, CAUDAL_WIRE_ERROR_TOO_LARGE,
                               "request exceeds the decode memory limit");
      return FALSE;
    }
  return decode_body_whole (&r, api, api->request, version, arena, out->body, TRUE, error);
}

static void
encode_frame (CaudalWriter           *w,
              const CaudalApiDesc    *api,
              const CaudalStructDesc *desc,
              gint16                  version,
              gconstpointer           body,
              gsize                   size_at)
{
  caudal_message_encode (desc, version, caudal_api_is_flexible (api, version), body, w);
  caudal_writer_patch_int32 (w, size_at, (gint32) (caudal_writer_len (w) - size_at - 4));
}

void
caudal_request_encode (CaudalWriter        *w,
                       const CaudalApiDesc *api,
                       gint16               version,
                       gint32               correlation_id,
                       const char          *client_id,
                       gconstpointer        body)
{
  CaudalRequestHeader h = { api->key, version, correlation_id, (char *) client_id };
  gsize size_at = caudal_writer_reserve (w, 4);

  caudal_request_header_encode (w, caudal_request_header_version (api->key, version), &h);
  encode_frame (w, api, api->request, version, body, size_at);
}

void
caudal_response_encode (CaudalWriter        *w,
                        const CaudalApiDesc *api,
                        gint16               version,
                        gint32               correlation_id,
                        gconstpointer        body)
{
  gsize size_at = caudal_writer_reserve (w, 4);

  caudal_response_header_encode (w, caudal_response_header_version (api->key, version),
                                 correlation_id);
  encode_frame (w, api, api->response, version, body, size_at);
}

gboolean
caudal_response_decode (const guint8        *frame,
                        gsize                len,
                        const CaudalApiDesc *api,
                        gint16               version,
                        CaudalArena         *arena,
                        gint32              *correlation_id,
                        gpointer             out,
                        GError             **error)
{
  CaudalReader r;

  caudal_reader_init (&r, frame, len);
  r.api_key = api->key;
  r.api_version = version;
  if (!caudal_response_header_decode (&r, caudal_response_header_version (api->key, version),
                                      correlation_id, error))
    return FALSE;
  return decode_body_whole (&r, api, api->response, version, arena, out,
                            api->key != CAUDAL_API_KEY_API_VERSIONS, error);
}
