/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-common.c: shared plumbing of the `caudal` commands. */

#include "cli-common.h"

#include <string.h>

gboolean
cli_parse (GOptionContext *context,
           int            *argc,
           char         ***argv)
{
  g_autoptr(GError) error = NULL;

  /* The summary and parameter string; the entries are marked N_() and
   * translated by the domain their group was given. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  g_printerr ("%s\n", error->message);
  {
    g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
    g_printerr ("%s", help);
  }
  return FALSE;
}

int
cli_usage_error (GOptionContext *context,
                 const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("%s\n%s", message, help);
  return CLI_EXIT_USAGE;
}

int
cli_missing (GOptionContext *context,
             const char     *name)
{
  g_autofree char *message = g_strdup_printf (_("Missing required argument \"[%s]\""), name);

  return cli_usage_error (context, message);
}

CaudalCluster *
cli_cluster_new (const char *bootstrap_server,
                 const char *client_id)
{
  g_autoptr(GError) error = NULL;
  CaudalCluster *cluster = caudal_cluster_new (bootstrap_server, client_id, &error);

  if (cluster == NULL)
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }
  /* Fail within seconds when nothing listens (the brief: "cannot connect
   * to HOST:PORT" quickly, never a hang); requests get Kafka's 30 s. */
  caudal_cluster_set_timeout (cluster, 30000);
  return cluster;
}

CaudalResponse *
cli_request (CaudalCluster  *cluster,
             gint32          node_id,
             gint16          api_key,
             gint16          max_version,
             CaudalBuildFunc build,
             gpointer        build_data,
             GError        **error)
{
  g_auto(CaudalSync) sync = { 0 };

  caudal_cluster_request_async (cluster, node_id, api_key, max_version, build, build_data, NULL,
                                caudal_sync_callback, &sync);
  return caudal_cluster_request_finish (cluster, caudal_sync_wait (&sync), error);
}

gboolean
cli_refresh_metadata (CaudalCluster      *cluster,
                      const char *const  *topics,
                      GError            **error)
{
  g_auto(CaudalSync) sync = { 0 };

  caudal_cluster_refresh_metadata_async (cluster, topics, FALSE, NULL, caudal_sync_callback, &sync);
  return caudal_cluster_refresh_metadata_finish (cluster, caudal_sync_wait (&sync), error);
}

char *
cli_kafka_error_message (gint16      code,
                         const char *detail)
{
  g_autoptr(GError) error = NULL;

  caudal_set_kafka_error (&error, code, detail);
  return g_strdup (error->message);
}

gboolean
cli_parse_properties (char      **items,
                      GHashTable *out,
                      GError    **error)
{
  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      const char *eq = strchr (items[i], '=');

      if (*items[i] == '\0')
        continue;
      if (eq == NULL || eq == items[i])
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Invalid property '%s': expected KEY=VALUE"), items[i]);
          return FALSE;
        }
      g_hash_table_insert (out, g_strndup (items[i], (gsize) (eq - items[i])), g_strdup (eq + 1));
    }
  return TRUE;
}
