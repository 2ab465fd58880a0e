/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-wire-dump: print a captured Kafka frame field by field.
 *
 *   caudal-wire-dump REQUEST.bin                 a request frame (no size prefix)
 *   caudal-wire-dump --response API VERSION F    a response frame of that API/version
 *
 * A debugging aid for fixtures; it uses the same codec as everything else. */
#include "caudal-header.h"

#include <stdlib.h>

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CaudalArena) arena = caudal_arena_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) dump = g_string_new (NULL);
  g_autofree char *data = NULL;
  gsize len;

  if (argc == 2)
    {
      CaudalRequest req;

      if (!g_file_get_contents (argv[1], &data, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      if (!caudal_request_decode ((const guint8 *) data, len, arena, &req, &error))
        {
          g_printerr ("%s: %s\n", argv[1], error->message);
          return 1;
        }
      g_print ("# %s v%d, correlation %d, client %s\n", req.api->name,
               req.header.request_api_version, req.header.correlation_id,
               req.header.client_id ? req.header.client_id : "(null)");
      caudal_message_dump (req.api->request, req.header.request_api_version, req.body, NULL, dump);
    }
  else if (argc == 5 && g_str_equal (argv[1], "--response"))
    {
      const CaudalApiDesc *api = caudal_api_lookup_name (argv[2]);
      gint16 version = (gint16) atoi (argv[3]);
      gint32 corr;
      gpointer body;

      if (api == NULL)
        api = caudal_api_lookup ((gint16) atoi (argv[2]));
      if (api == NULL)
        {
          g_printerr ("unknown API %s\n", argv[2]);
          return 2;
        }
      if (!g_file_get_contents (argv[4], &data, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      body = caudal_arena_alloc (arena, api->response->size);
      if (!caudal_response_decode ((const guint8 *) data, len, api, version, arena, &corr, body, &error))
        {
          g_printerr ("%s: %s\n", argv[4], error->message);
          return 1;
        }
      g_print ("# %s v%d response, correlation %d\n", api->name, version, corr);
      caudal_message_dump (api->response, version, body, NULL, dump);
    }
  else
    {
      g_printerr ("usage: %s REQUEST-FRAME | --response API VERSION RESPONSE-FRAME\n", argv[0]);
      return 2;
    }
  g_print ("%s", dump->str);
  return 0;
}
