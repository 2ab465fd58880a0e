/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: any bytes as a request frame (without its size). The
 * decoder must fail cleanly or produce a message that encodes and dumps
 * without touching memory outside what it owns. */
#include "caudal-header.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  /* A cap like the broker's keeps the fuzzer from spending its time in
   * legitimately huge allocations. */
  g_autoptr(CaudalArena) arena = caudal_arena_new (16 * 1024 * 1024);
  g_autoptr(GError) error = NULL;
  CaudalRequest req;

  if (caudal_request_decode (data, size, arena, &req, &error))
    {
      gint16 version = req.header.request_api_version;
      g_auto(CaudalWriter) w = { NULL };
      g_autoptr(GString) dump = g_string_new (NULL);

      caudal_writer_init (&w);
      caudal_message_encode (req.api->request, version,
                             caudal_api_is_flexible (req.api, version), req.body, &w);
      caudal_message_dump (req.api->request, version, req.body, NULL, dump);
    }
  else
    g_assert (error != NULL);
  return 0;
}
