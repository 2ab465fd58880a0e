/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-api-versions.c: ApiVersions (key 18). Versions above ours
 * never reach here: the connection answers them (KIP-511). */

#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* KIP-511: client_software_name/version must match this pattern, else
 * INVALID_REQUEST (librdkafka then retries with v0). */
static gboolean
valid_software_token (const char *s)
{
  gsize len;

  if (s == NULL)
    return TRUE;
  len = strlen (s);
  if (len == 0)
    return FALSE;
  if (!g_ascii_isalnum (s[0]) || !g_ascii_isalnum (s[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-' && s[i] != '.')
      return FALSE;
  return TRUE;
}

void
broker_handle_api_versions (BrokerRequest *req)
{
  CaudalApiVersionsRequest *body = req->body;
  CaudalApiVersionsResponse *resp = req->response;
  const CaudalApiDesc *apis;
  guint n_apis, n = 0;
  CaudalApiVersionsResponseApiVersion *items;

  if (req->version >= 3
      && (!valid_software_token (body->client_software_name)
          || !valid_software_token (body->client_software_version)))
    resp->error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;

  /* Advertised even with an error, as Kafka does, so the client can pick
   * a version for its retry. */
  apis = caudal_api_get_all (&n_apis);
  for (guint i = 0; i < n_apis; i++)
    if (broker_dispatch_serves (apis[i].key))
      n++;
  items = broker_request_set_array (req, &caudal_api_versions_response_desc, resp, "api_keys", n);
  n = 0;
  for (guint i = 0; i < n_apis; i++)
    if (broker_dispatch_serves (apis[i].key))
      {
        items[n].api_key = apis[i].key;
        items[n].min_version = apis[i].min_version;
        items[n].max_version = apis[i].max_version;
        n++;
      }
  /* No feature tags: older clients fail on some (KAFKA-17492). */
  broker_request_complete (req);
}
