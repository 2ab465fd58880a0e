/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-topics.c: `caudal topics` / kafka-topics: create, list, describe,
 * delete, alter --partitions — Kafka's flags and output. */

#include <string.h>

#include "cli-common.h"

typedef struct
{
  char    *bootstrap;
  gboolean create, list, describe, delete, alter;
  char    *topic;
  gint     partitions;
  gint     replication_factor;
  char   **configs;
  GHashTable *config_table;   /* --config, parsed once by do_create() */
  gboolean if_not_exists, if_exists, exclude_internal;
  gboolean under_replicated, unavailable;   /* --describe filters */
  char    *command_config;
} TopicsOptions;

/* ---- CreateTopics ---- */

static gpointer
build_create (gint16       version,
              CaudalArena *arena,
              gpointer     user_data)
{
  TopicsOptions *o = user_data;
  CaudalCreateTopicsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_create_topics_request_desc, "topics");
  CaudalCreateTopicsRequestCreatableTopic *t;
  GHashTable *configs = o->config_table;
  GHashTableIter iter;
  gpointer k, v;
  guint i = 0;

  caudal_message_init (&caudal_create_topics_request_desc, req);
  req->timeout_ms = 30000;
  t = caudal_message_set_array (arena, &caudal_create_topics_request_desc, req, "topics", 1);
  t->name = o->topic;
  /* -1 asks the broker for its defaults (KIP-464, v4+); older brokers
   * need numbers, so use Kafka's tool defaults there. */
  t->num_partitions = o->partitions > 0 ? o->partitions : (version >= 4 ? -1 : 1);
  t->replication_factor = (gint16) (o->replication_factor > 0 ? o->replication_factor : (version >= 4 ? -1 : 1));
  {
    CaudalCreateTopicsRequestCreatableTopicConfig *c =
      caudal_message_set_array (arena, topic_desc, t, "configs", g_hash_table_size (configs));
    g_hash_table_iter_init (&iter, configs);
    while (g_hash_table_iter_next (&iter, &k, &v))
      {
        c[i].name = caudal_arena_strdup (arena, k);
        c[i].value = caudal_arena_strdup (arena, v);
        i++;
      }
  }
  return req;
}

static int
do_create (CaudalCluster *cluster,
           TopicsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalCreateTopicsResponse *body;
  g_autoptr(GHashTable) configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!cli_parse_properties (o->configs, configs, &error))
    {
      g_printerr ("%s\n", error->message);
      return CLI_EXIT_USAGE;
    }
  o->config_table = configs;
  resp = cli_request (cluster, CAUDAL_NODE_CONTROLLER, CAUDAL_API_KEY_CREATE_TOPICS, -1, build_create, o, &error);
  if (resp == NULL)
    {
      /* Translators: Kafka's kafka-topics error line; %s is the reason. */
      g_printerr (_("Error while executing topic command : %s\n"), error->message);
      return CLI_EXIT_ERROR;
    }
  body = resp->body;
  if (body->n_topics < 1)
    {
      g_printerr (_("Error while executing topic command : the broker answered no topic\n"));
      return CLI_EXIT_ERROR;
    }
  if (body->topics[0].error_code == CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS && o->if_not_exists)
    return CLI_EXIT_OK;
  if (body->topics[0].error_code != CAUDAL_ERROR_CODE_NONE)
    {
      const char *detail = body->topics[0].error_message;
      g_autofree char *fallback = NULL;

      if (detail == NULL || *detail == '\0')
        detail = fallback = g_strdup (caudal_error_code_message (body->topics[0].error_code));
      g_printerr (_("Error while executing topic command : %s\n"), detail);
      return CLI_EXIT_ERROR;
    }
  g_print (_("Created topic %s.\n"), o->topic);
  return CLI_EXIT_OK;
}

/* ---- DescribeConfigs (for the Configs: column) ---- */

typedef struct
{
  GPtrArray *names;
} DescribeData;

static gpointer
build_describe_configs (gint16       version,
                        CaudalArena *arena,
                        gpointer     user_data)
{
  DescribeData *d = user_data;
  CaudalDescribeConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  CaudalDescribeConfigsRequestDescribeConfigsResource *r;

  caudal_message_init (&caudal_describe_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_describe_configs_request_desc, req, "resources", d->names->len);
  for (guint i = 0; i < d->names->len; i++)
    {
      r[i].resource_type = 2;   /* TOPIC */
      r[i].resource_name = g_ptr_array_index (d->names, i);
      r[i].n_configuration_keys = -1;
    }
  return req;
}

/* Each topic's overrides as Kafka prints them: "k=v,k=v" of the configs
 * whose source is the topic itself (DYNAMIC_TOPIC_CONFIG, 1). */
static GHashTable *
topic_overrides (CaudalCluster *cluster,
                 GPtrArray     *names)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  DescribeData d = { names };
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalDescribeConfigsResponse *body;

  if (names->len == 0)
    return out;
  resp = cli_request (cluster, CAUDAL_NODE_ANY, CAUDAL_API_KEY_DESCRIBE_CONFIGS, -1,
                      build_describe_configs, &d, NULL);
  if (resp == NULL)
    return out;
  body = resp->body;
  for (gint32 i = 0; i < body->n_results; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (gint32 c = 0; c < body->results[i].n_configs; c++)
        {
          CaudalDescribeConfigsResponseDescribeConfigsResourceResult *e = &body->results[i].configs[c];
          /* DYNAMIC_TOPIC_CONFIG: the topic's own override. */
          gboolean is_topic = e->config_source == 1;

          if (!is_topic)
            continue;
          g_string_append_printf (text, "%s%s=%s", text->len > 0 ? "," : "", e->name,
                                  e->value != NULL ? e->value : "");
        }
      g_hash_table_insert (out, g_strdup (body->results[i].resource_name), g_string_free (g_steal_pointer (&text), FALSE));
    }
  return out;
}

static void
print_nodes (GString      *out,
             const GArray *nodes)
{
  for (guint i = 0; i < nodes->len; i++)
    g_string_append_printf (out, "%s%d", i > 0 ? "," : "", g_array_index (nodes, gint32, i));
}

static gboolean
node_is_offline (const CaudalPartitionInfo *pi,
                 gint32                     id)
{
  for (guint i = 0; i < pi->offline->len; i++)
    if (g_array_index (pi->offline, gint32, i) == id)
      return TRUE;
  return FALSE;
}

static int
do_describe (CaudalCluster *cluster,
             TopicsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) overrides = NULL;
  const char *one[] = { o->topic, NULL };

  if (!cli_refresh_metadata (cluster, o->topic != NULL ? one : NULL, &error))
    {
      g_printerr (_("Error while executing topic command : %s\n"), error->message);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < caudal_cluster_get_topics (cluster)->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (caudal_cluster_get_topics (cluster), i);

      if (t->error != CAUDAL_ERROR_CODE_NONE)
        continue;
      if (o->exclude_internal && t->internal)
        continue;
      g_ptr_array_add (chosen, t);
      g_ptr_array_add (names, t->name);
    }
  if (o->topic != NULL && chosen->len == 0)
    {
      if (o->if_exists)
        return CLI_EXIT_OK;
      g_printerr (_("Error while executing topic command : Topic '%s' does not exist as expected\n"), o->topic);
      return CLI_EXIT_ERROR;
    }
  overrides = topic_overrides (cluster, names);
  for (guint i = 0; i < chosen->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (chosen, i);
      g_autofree char *id = NULL;
      g_autoptr(GString) line = g_string_new (NULL);
      const char *configs = g_hash_table_lookup (overrides, t->name);
      guint rf = 0;

      {
        /* Kafka's base64 topic id, 22 characters. */
        g_autofree char *b64 = g_base64_encode (t->id.bytes, 16);
        for (char *p = b64; *p; p++)
          *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
        id = g_strndup (b64, 22);
      }
      if (t->partitions->len > 0)
        rf = ((CaudalPartitionInfo *) g_ptr_array_index (t->partitions, 0))->replicas->len;
      /* Kafka's lines, which scripts parse: never translated. With a
       * partition filter Kafka prints the matching partitions only. */
      if (!o->under_replicated && !o->unavailable)
        g_string_append_printf (line, "Topic: %s\tTopicId: %s\tPartitionCount: %u\tReplicationFactor: %u\tConfigs: %s\n",
                                t->name, id, t->partitions->len, rf, configs != NULL ? configs : "");
      for (guint p = 0; p < t->partitions->len; p++)
        {
          CaudalPartitionInfo *pi = g_ptr_array_index (t->partitions, p);

          if (o->under_replicated && pi->isr->len >= pi->replicas->len)
            continue;
          if (o->unavailable && pi->leader >= 0 && !node_is_offline (pi, pi->leader))
            continue;

          g_string_append_printf (line, "\tTopic: %s\tPartition: %d\tLeader: ", t->name, pi->partition);
          if (pi->leader >= 0)
            g_string_append_printf (line, "%d", pi->leader);
          else
            g_string_append (line, "none");
          g_string_append (line, "\tReplicas: ");
          print_nodes (line, pi->replicas);
          g_string_append (line, "\tIsr: ");
          print_nodes (line, pi->isr);
          if (pi->offline->len > 0)
            {
              g_string_append (line, "\tOffline: ");
              print_nodes (line, pi->offline);
            }
          g_string_append_c (line, '\n');
        }
      g_print ("%s", line->str);
    }
  return CLI_EXIT_OK;
}

static int
do_list (CaudalCluster *cluster,
         TopicsOptions *o)
{
  g_autoptr(GError) error = NULL;

  if (!cli_refresh_metadata (cluster, NULL, &error))
    {
      g_printerr (_("Error while executing topic command : %s\n"), error->message);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < caudal_cluster_get_topics (cluster)->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (caudal_cluster_get_topics (cluster), i);

      if (o->exclude_internal && t->internal)
        continue;
      if (o->topic != NULL && strcmp (o->topic, t->name) != 0)
        continue;
      g_print ("%s\n", t->name);
    }
  return CLI_EXIT_OK;
}

/* ---- DeleteTopics ---- */

static gpointer
build_delete (gint16       version,
              CaudalArena *arena,
              gpointer     user_data)
{
  TopicsOptions *o = user_data;
  CaudalDeleteTopicsRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_delete_topics_request_desc, req);
  req->timeout_ms = 30000;
  if (version >= 6)
    {
      CaudalDeleteTopicsRequestDeleteTopicState *t =
        caudal_message_set_array (arena, &caudal_delete_topics_request_desc, req, "topics", 1);
      t->name = o->topic;
    }
  else
    {
      req->n_topic_names = 1;
      req->topic_names = caudal_arena_alloc (arena, sizeof (char *));
      req->topic_names[0] = o->topic;
    }
  return req;
}

static int
do_delete (CaudalCluster *cluster,
           TopicsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = cli_request (cluster, CAUDAL_NODE_CONTROLLER,
                                                CAUDAL_API_KEY_DELETE_TOPICS, -1, build_delete, o, &error);
  CaudalDeleteTopicsResponse *body;

  if (resp == NULL)
    {
      g_printerr (_("Error while executing topic command : %s\n"), error->message);
      return CLI_EXIT_ERROR;
    }
  body = resp->body;
  if (body->n_responses > 0 && body->responses[0].error_code != CAUDAL_ERROR_CODE_NONE)
    {
      gint16 code = body->responses[0].error_code;

      if (code == CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION)
        {
          if (o->if_exists)
            return CLI_EXIT_OK;
          g_printerr (_("Error while executing topic command : Topic '%s' does not exist as expected\n"), o->topic);
        }
      else
        {
          const char *detail = body->responses[0].error_message;
          g_printerr (_("Error while executing topic command : %s\n"),
                      detail != NULL && *detail ? detail : caudal_error_code_message (code));
        }
      return CLI_EXIT_ERROR;
    }
  return CLI_EXIT_OK;
}

/* ---- CreatePartitions ---- */

static gpointer
build_partitions (gint16       version,
                  CaudalArena *arena,
                  gpointer     user_data)
{
  TopicsOptions *o = user_data;
  CaudalCreatePartitionsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  CaudalCreatePartitionsRequestCreatePartitionsTopic *t;

  caudal_message_init (&caudal_create_partitions_request_desc, req);
  req->timeout_ms = 30000;
  t = caudal_message_set_array (arena, &caudal_create_partitions_request_desc, req, "topics", 1);
  t->name = o->topic;
  t->count = o->partitions;
  t->n_assignments = -1;
  return req;
}

static int
do_alter (CaudalCluster *cluster,
          TopicsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalCreatePartitionsResponse *body;

  if (o->partitions <= 0)
    {
      /* Kafka 3: topic configs are altered with kafka-configs. */
      g_printerr (_("Error while executing topic command : --alter needs --partitions (use configs --alter for configs)\n"));
      return CLI_EXIT_USAGE;
    }
  resp = cli_request (cluster, CAUDAL_NODE_CONTROLLER, CAUDAL_API_KEY_CREATE_PARTITIONS, -1,
                      build_partitions, o, &error);
  if (resp == NULL)
    {
      g_printerr (_("Error while executing topic command : %s\n"), error->message);
      return CLI_EXIT_ERROR;
    }
  body = resp->body;
  if (body->n_results > 0 && body->results[0].error_code != CAUDAL_ERROR_CODE_NONE)
    {
      gint16 code = body->results[0].error_code;
      const char *detail = body->results[0].error_message;

      if (code == CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION && o->if_exists)
        return CLI_EXIT_OK;
      g_printerr (_("Error while executing topic command : %s\n"),
                  detail != NULL && *detail ? detail : caudal_error_code_message (code));
      return CLI_EXIT_ERROR;
    }
  return CLI_EXIT_OK;
}

int
cli_topics_main (int    argc,
                 char **argv)
{
  TopicsOptions o = { 0 };
  GOptionEntry entries[] = {
    { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, &o.bootstrap, N_("The Kafka server to connect to (REQUIRED)"), N_("HOST:PORT") },
    { "create", 0, 0, G_OPTION_ARG_NONE, &o.create, N_("Create a new topic"), NULL },
    { "list", 0, 0, G_OPTION_ARG_NONE, &o.list, N_("List all available topics"), NULL },
    { "describe", 0, 0, G_OPTION_ARG_NONE, &o.describe, N_("List details for the given topics"), NULL },
    { "delete", 0, 0, G_OPTION_ARG_NONE, &o.delete, N_("Delete a topic"), NULL },
    { "alter", 0, 0, G_OPTION_ARG_NONE, &o.alter, N_("Alter the number of partitions"), NULL },
    { "topic", 0, 0, G_OPTION_ARG_STRING, &o.topic, N_("The topic to create, alter, describe or delete"), N_("TOPIC") },
    { "partitions", 0, 0, G_OPTION_ARG_INT, &o.partitions, N_("The number of partitions"), N_("N") },
    { "replication-factor", 0, 0, G_OPTION_ARG_INT, &o.replication_factor, N_("The replication factor of each partition"), N_("N") },
    { "config", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.configs, N_("A topic configuration override (repeatable)"), N_("NAME=VALUE") },
    { "if-not-exists", 0, 0, G_OPTION_ARG_NONE, &o.if_not_exists, N_("With --create: only if the topic does not exist"), NULL },
    { "if-exists", 0, 0, G_OPTION_ARG_NONE, &o.if_exists, N_("With --alter, --describe or --delete: only if the topic exists"), NULL },
    { "exclude-internal", 0, 0, G_OPTION_ARG_NONE, &o.exclude_internal, N_("Leave internal topics out of --list and --describe"), NULL },
    { "under-replicated-partitions", 0, 0, G_OPTION_ARG_NONE, &o.under_replicated, N_("With --describe: only partitions whose ISR is smaller than their replicas"), NULL },
    { "unavailable-partitions", 0, 0, G_OPTION_ARG_NONE, &o.unavailable, N_("With --describe: only partitions whose leader is not available"), NULL },
    { "command-config", 0, 0, G_OPTION_ARG_FILENAME, &o.command_config, N_("Admin client properties (accepted; not used yet)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("- create, delete, describe, or change a topic"));
  g_autoptr(CaudalCluster) cluster = NULL;
  int actions;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  actions = o.create + o.list + o.describe + o.delete + o.alter;
  if (argc > 1)
    status = cli_usage_error (context, _("Unexpected argument; options start with --"));
  else if (actions != 1)
    status = cli_usage_error (context, _("Command must include exactly one action: --list, --describe, --create, --alter or --delete"));
  else if (o.bootstrap == NULL)
    status = cli_missing (context, "bootstrap-server");
  else if ((o.create || o.delete || o.alter) && o.topic == NULL)
    status = cli_missing (context, "topic");
  else if (o.create && o.partitions < 0)
    status = cli_usage_error (context, _("The partitions must be greater than 0"));
  else if ((cluster = cli_cluster_new (o.bootstrap, "caudal-topics")) == NULL)
    status = CLI_EXIT_USAGE;
  else if (o.create)
    status = do_create (cluster, &o);
  else if (o.list)
    status = do_list (cluster, &o);
  else if (o.describe)
    status = do_describe (cluster, &o);
  else if (o.delete)
    status = do_delete (cluster, &o);
  else
    status = do_alter (cluster, &o);

  g_free (o.bootstrap);
  g_free (o.topic);
  g_strfreev (o.configs);
  g_free (o.command_config);
  return status;
}
