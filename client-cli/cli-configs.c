/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-configs.c: `caudal configs` / kafka-configs: describe and alter
 * topic and broker configs, with Kafka 3.x's flags and output (its
 * ConfigCommand): "Dynamic configs for topic T are:" and one
 * "  key=value sensitive=false synonyms={SOURCE:key=value, …}" line per
 * config, sorted by name; alters with IncrementalAlterConfigs (SET and
 * DELETE), or AlterConfigs with the whole new set on brokers without it. */

#include <string.h>

#include "cli-common.h"

#define RESOURCE_TOPIC  2
#define RESOURCE_BROKER 4

/* ConfigEntry.ConfigSource, as Kafka's Java client names the wire values. */
enum
{
  SOURCE_UNKNOWN = 0,
  SOURCE_DYNAMIC_TOPIC = 1,
  SOURCE_DYNAMIC_BROKER = 2,
  SOURCE_DYNAMIC_DEFAULT_BROKER = 3,
};

typedef struct
{
  char     *bootstrap;
  char    **entity_types;
  char    **entity_names;
  gboolean  entity_default;
  char     *topic;
  char     *broker;
  gboolean  broker_defaults;
  gboolean  describe, alter, all, force;
  char    **add_config;
  char    **delete_config;
  char     *command_config;
  /* resolved */
  const char *type;      /* "topics" / "brokers" */
  const char *name;      /* NULL: every entity; "": the cluster default */
  char       *args;      /* the command line, for error messages */
} ConfigsOptions;

static const char *
source_name (gint8 source)
{
  switch (source)
    {
    case 1: return "DYNAMIC_TOPIC_CONFIG";
    case 2: return "DYNAMIC_BROKER_CONFIG";
    case 3: return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case 4: return "STATIC_BROKER_CONFIG";
    case 5: return "DEFAULT_CONFIG";
    case 6: return "DYNAMIC_BROKER_LOGGER_CONFIG";
    case 7: return "DYNAMIC_CLIENT_METRICS_CONFIG";
    case 8: return "DYNAMIC_GROUP_CONFIG";
    default: return "UNKNOWN";
    }
}

/* The Java exception text Kafka's admin client shows for @code. */
static char *
java_exception (gint16      code,
                const char *detail)
{
  const char *cls = NULL;

  switch (code)
    {
    case CAUDAL_ERROR_CODE_INVALID_CONFIG: cls = "InvalidConfigurationException"; break;
    case CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION: cls = "UnknownTopicOrPartitionException"; break;
    case CAUDAL_ERROR_CODE_POLICY_VIOLATION: cls = "PolicyViolationException"; break;
    case CAUDAL_ERROR_CODE_INVALID_REQUEST: cls = "InvalidRequestException"; break;
    case CAUDAL_ERROR_CODE_TOPIC_AUTHORIZATION_FAILED: cls = "TopicAuthorizationException"; break;
    case CAUDAL_ERROR_CODE_CLUSTER_AUTHORIZATION_FAILED: cls = "ClusterAuthorizationException"; break;
    case CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION: cls = "UnsupportedVersionException"; break;
    default: break;
    }
  if (detail == NULL || *detail == '\0')
    detail = caudal_error_code_message (code);
  if (cls == NULL)
    return cli_kafka_error_message (code, detail);
  return g_strdup_printf ("org.apache.kafka.common.errors.%s: %s", cls, detail);
}

/* Kafka's catch-all: the command line, then the exception. */
static int
command_failed (ConfigsOptions *o,
                const char     *exception)
{
  /* Translators: %s is the command line the user gave. */
  g_printerr (_("Error while executing config command with args '%s'\n"), o->args);
  /* Kafka's exception line: never translated. */
  g_printerr ("java.util.concurrent.ExecutionException: %s\n", exception);
  return CLI_EXIT_ERROR;
}

/* ---- DescribeConfigs ---- */

typedef struct
{
  gint8       type;
  const char *name;
  gboolean    synonyms;
} DescribeData;

static gpointer
build_describe (gint16       version,
                CaudalArena *arena,
                gpointer     user_data)
{
  DescribeData *d = user_data;
  CaudalDescribeConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  CaudalDescribeConfigsRequestDescribeConfigsResource *r;

  caudal_message_init (&caudal_describe_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_describe_configs_request_desc, req, "resources", 1);
  r->resource_type = d->type;
  r->resource_name = caudal_arena_strdup (arena, d->name);
  r->n_configuration_keys = -1;
  r->configuration_keys = NULL;
  req->include_synonyms = d->synonyms;
  return req;
}

static gint32
node_for (gint8       type,
          const char *name)
{
  if (type == RESOURCE_BROKER && name != NULL && *name != '\0')
    return (gint32) g_ascii_strtoll (name, NULL, 10);
  return CAUDAL_NODE_ANY;
}

/* The resource's configs; NULL with *exception set on failure. The
 * result points into @out_resp. */
static CaudalDescribeConfigsResponseDescribeConfigsResult *
describe_resource (CaudalCluster   *cluster,
                   gint8            type,
                   const char      *name,
                   gboolean         synonyms,
                   CaudalResponse **out_resp,
                   char           **exception)
{
  g_autoptr(GError) error = NULL;
  DescribeData d = { type, name, synonyms };
  CaudalDescribeConfigsResponse *body;
  CaudalDescribeConfigsResponseDescribeConfigsResult *res;

  *out_resp = cli_request (cluster, node_for (type, name), CAUDAL_API_KEY_DESCRIBE_CONFIGS, -1,
                           build_describe, &d, &error);
  if (*out_resp == NULL)
    {
      *exception = g_strdup (error->message);
      return NULL;
    }
  body = (*out_resp)->body;
  if (body->n_results < 1)
    {
      *exception = g_strdup (_("DescribeConfigs answered no resource"));
      return NULL;
    }
  res = &body->results[0];
  if (res->error_code != CAUDAL_ERROR_CODE_NONE)
    {
      *exception = java_exception (res->error_code, res->error_message);
      return NULL;
    }
  return res;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const CaudalDescribeConfigsResponseDescribeConfigsResourceResult *x = *(const gpointer *) a;
  const CaudalDescribeConfigsResponseDescribeConfigsResourceResult *y = *(const gpointer *) b;

  return strcmp (x->name, y->name);
}

static gint8
resource_type (ConfigsOptions *o)
{
  return strcmp (o->type, "topics") == 0 ? RESOURCE_TOPIC : RESOURCE_BROKER;
}

static gint8
dynamic_source (ConfigsOptions *o,
                const char     *name)
{
  if (strcmp (o->type, "topics") == 0)
    return SOURCE_DYNAMIC_TOPIC;
  return *name == '\0' ? SOURCE_DYNAMIC_DEFAULT_BROKER : SOURCE_DYNAMIC_BROKER;
}

static int
describe_one (CaudalCluster  *cluster,
              ConfigsOptions *o,
              const char     *name)
{
  g_autoptr(CaudalResponse) resp = NULL;
  g_autofree char *exception = NULL;
  CaudalDescribeConfigsResponseDescribeConfigsResult *res;
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  gint8 wanted = dynamic_source (o, name);
  g_autoptr(GString) out = g_string_new (NULL);

  res = describe_resource (cluster, resource_type (o), name, TRUE, &resp, &exception);
  if (res == NULL)
    return command_failed (o, exception);
  /* Kafka's output, which scripts parse: never translated. */
  if (*name == '\0')
    g_string_append_printf (out, "Default configs for %s in the cluster are:\n", o->type);
  else
    g_string_append_printf (out, "%s configs for %s %s are:\n", o->all ? "All" : "Dynamic",
                            strcmp (o->type, "topics") == 0 ? "topic" : "broker", name);
  for (gint32 i = 0; i < res->n_configs; i++)
    if (o->all || res->configs[i].config_source == wanted)
      g_ptr_array_add (entries, &res->configs[i]);
  g_ptr_array_sort (entries, compare_entries);
  for (guint i = 0; i < entries->len; i++)
    {
      CaudalDescribeConfigsResponseDescribeConfigsResourceResult *e = g_ptr_array_index (entries, i);

      g_string_append_printf (out, "  %s=%s sensitive=%s synonyms={", e->name,
                              e->value != NULL ? e->value : "null", e->is_sensitive ? "true" : "false");
      for (gint32 s = 0; s < e->n_synonyms; s++)
        g_string_append_printf (out, "%s%s:%s=%s", s > 0 ? ", " : "", source_name (e->synonyms[s].source),
                                e->synonyms[s].name, e->synonyms[s].value != NULL ? e->synonyms[s].value : "null");
      g_string_append (out, "}\n");
    }
  g_print ("%s", out->str);
  return CLI_EXIT_OK;
}

static int
do_describe (CaudalCluster  *cluster,
             ConfigsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (o->name != NULL)
    return describe_one (cluster, o, o->name);
  if (!cli_refresh_metadata (cluster, NULL, &error))
    return command_failed (o, error->message);
  if (strcmp (o->type, "topics") == 0)
    {
      GPtrArray *topics = caudal_cluster_get_topics (cluster);

      for (guint i = 0; i < topics->len; i++)
        {
          CaudalTopicInfo *t = g_ptr_array_index (topics, i);
          if (t->error == CAUDAL_ERROR_CODE_NONE)
            g_ptr_array_add (names, g_strdup (t->name));
        }
    }
  else
    {
      GPtrArray *brokers = caudal_cluster_get_brokers (cluster);

      for (guint i = 0; i < brokers->len; i++)
        g_ptr_array_add (names, g_strdup_printf ("%d", ((CaudalBrokerInfo *) g_ptr_array_index (brokers, i))->node_id));
      g_ptr_array_add (names, g_strdup (""));
    }
  for (guint i = 0; i < names->len; i++)
    {
      int status = describe_one (cluster, o, g_ptr_array_index (names, i));
      if (status != CLI_EXIT_OK)
        return status;
    }
  return CLI_EXIT_OK;
}

/* ---- --alter ---- */

/* Kafka's --add-config: "k1=v1,k2=[v1,v2],k3=v3": commas inside square
 * brackets belong to the value; the brackets go. */
static gboolean
parse_add_config (char      **items,
                  GPtrArray  *keys,
                  GHashTable *values,
                  GError    **error)
{
  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      const char *p = items[i];
      int depth = 0;
      g_autoptr(GString) cur = g_string_new (NULL);

      for (;; p++)
        {
          if (*p == '\0' || (*p == ',' && depth == 0))
            {
              const char *eq = strchr (cur->str, '=');
              g_autofree char *key = NULL;
              g_autoptr(GString) value = NULL;

              if (eq == NULL)
                {
                  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                       _("requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\"."));
                  return FALSE;
                }
              key = g_strstrip (g_strndup (cur->str, (gsize) (eq - cur->str)));
              value = g_string_new (eq + 1);
              g_string_replace (value, "[", "", 0);
              g_string_replace (value, "]", "", 0);
              for (const char *k = key; *k; k++)
                if (!g_ascii_isalnum (*k) && *k != '.' && *k != '_' && *k != '-')
                  {
                    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                 _("Invalid character found for config key: %s"), key);
                    return FALSE;
                  }
              if (!g_hash_table_contains (values, key))
                g_ptr_array_add (keys, g_strdup (key));
              g_hash_table_insert (values, g_strdup (key), g_strdup (g_strstrip (value->str)));
              g_string_truncate (cur, 0);
              if (*p == '\0')
                break;
              continue;
            }
          if (*p == '[')
            depth++;
          else if (*p == ']' && depth > 0)
            depth--;
          g_string_append_c (cur, *p);
        }
    }
  return TRUE;
}

typedef struct
{
  gint8       type;
  const char *name;
  GPtrArray  *set_keys;     /* char* */
  GHashTable *set_values;
  GPtrArray  *delete_keys;  /* char* */
  GHashTable *full;         /* AlterConfigs: the whole new set */
} AlterData;

static gpointer
build_incremental (gint16       version,
                   CaudalArena *arena,
                   gpointer     user_data)
{
  AlterData *d = user_data;
  CaudalIncrementalAlterConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *res_desc = caudal_struct_desc_child (&caudal_incremental_alter_configs_request_desc, "resources");
  CaudalIncrementalAlterConfigsRequestAlterConfigsResource *r;
  CaudalIncrementalAlterConfigsRequestAlterableConfig *c;
  guint k = 0;

  caudal_message_init (&caudal_incremental_alter_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_incremental_alter_configs_request_desc, req, "resources", 1);
  r->resource_type = d->type;
  r->resource_name = caudal_arena_strdup (arena, d->name);
  c = caudal_message_set_array (arena, res_desc, r, "configs", d->set_keys->len + d->delete_keys->len);
  for (guint i = 0; i < d->set_keys->len; i++, k++)
    {
      const char *key = g_ptr_array_index (d->set_keys, i);

      c[k].name = caudal_arena_strdup (arena, key);
      c[k].config_operation = 0;   /* SET */
      c[k].value = caudal_arena_strdup (arena, g_hash_table_lookup (d->set_values, key));
    }
  for (guint i = 0; i < d->delete_keys->len; i++, k++)
    {
      c[k].name = caudal_arena_strdup (arena, g_ptr_array_index (d->delete_keys, i));
      c[k].config_operation = 1;   /* DELETE */
      c[k].value = caudal_arena_strdup (arena, "");
    }
  return req;
}

static gpointer
build_alter (gint16       version,
             CaudalArena *arena,
             gpointer     user_data)
{
  AlterData *d = user_data;
  CaudalAlterConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *res_desc = caudal_struct_desc_child (&caudal_alter_configs_request_desc, "resources");
  CaudalAlterConfigsRequestAlterConfigsResource *r;
  CaudalAlterConfigsRequestAlterableConfig *c;
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (d->full), (GCompareFunc) strcmp);
  guint k = 0;

  caudal_message_init (&caudal_alter_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_alter_configs_request_desc, req, "resources", 1);
  r->resource_type = d->type;
  r->resource_name = caudal_arena_strdup (arena, d->name);
  c = caudal_message_set_array (arena, res_desc, r, "configs", g_hash_table_size (d->full));
  for (GList *l = keys; l != NULL; l = l->next, k++)
    {
      c[k].name = caudal_arena_strdup (arena, l->data);
      c[k].value = caudal_arena_strdup (arena, g_hash_table_lookup (d->full, l->data));
    }
  return req;
}

static int
do_alter (CaudalCluster  *cluster,
          ConfigsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) set_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) set_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) delete_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) full = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) invalid = g_string_new (NULL);
  g_autoptr(CaudalResponse) old_resp = NULL;
  g_autoptr(CaudalResponse) resp = NULL;
  g_autofree char *exception = NULL;
  CaudalDescribeConfigsResponseDescribeConfigsResult *old;
  gint8 wanted = dynamic_source (o, o->name);
  AlterData d;
  gint16 code = CAUDAL_ERROR_CODE_NONE;
  const char *detail = NULL;

  if (!parse_add_config (o->add_config, set_keys, set_values, &error))
    {
      g_printerr ("%s\n", error->message);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; o->delete_config != NULL && o->delete_config[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (o->delete_config[i], ",", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        if (*g_strstrip (parts[j]) != '\0')
          g_ptr_array_add (delete_keys, g_strdup (parts[j]));
    }

  /* Kafka fails the command when a config to delete is not set. */
  old = describe_resource (cluster, resource_type (o), o->name, FALSE, &old_resp, &exception);
  if (old == NULL)
    return command_failed (o, exception);
  for (gint32 i = 0; i < old->n_configs; i++)
    if (old->configs[i].config_source == wanted)
      g_hash_table_insert (full, g_strdup (old->configs[i].name),
                           g_strdup (old->configs[i].value != NULL ? old->configs[i].value : ""));
  for (guint i = 0; i < delete_keys->len; i++)
    {
      const char *key = g_ptr_array_index (delete_keys, i);

      if (!g_hash_table_contains (full, key))
        g_string_append_printf (invalid, "%s%s", invalid->len > 0 ? "," : "", key);
    }
  if (invalid->len > 0)
    {
      g_printerr (_("Invalid config(s): %s\n"), invalid->str);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < delete_keys->len; i++)
    g_hash_table_remove (full, g_ptr_array_index (delete_keys, i));
  for (guint i = 0; i < set_keys->len; i++)
    {
      const char *key = g_ptr_array_index (set_keys, i);
      g_hash_table_insert (full, g_strdup (key), g_strdup (g_hash_table_lookup (set_values, key)));
    }

  d = (AlterData) { resource_type (o), o->name, set_keys, set_values, delete_keys, full };
  resp = cli_request (cluster, node_for (d.type, d.name), CAUDAL_API_KEY_INCREMENTAL_ALTER_CONFIGS, -1,
                      build_incremental, &d, &error);
  if (resp == NULL && g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED))
    {
      CaudalAlterConfigsResponse *body;

      g_clear_error (&error);
      resp = cli_request (cluster, node_for (d.type, d.name), CAUDAL_API_KEY_ALTER_CONFIGS, -1,
                          build_alter, &d, &error);
      if (resp == NULL)
        return command_failed (o, error->message);
      body = resp->body;
      if (body->n_responses > 0)
        {
          code = body->responses[0].error_code;
          detail = body->responses[0].error_message;
        }
    }
  else if (resp == NULL)
    return command_failed (o, error->message);
  else
    {
      CaudalIncrementalAlterConfigsResponse *body = resp->body;

      if (body->n_responses > 0)
        {
          code = body->responses[0].error_code;
          detail = body->responses[0].error_message;
        }
    }
  if (code != CAUDAL_ERROR_CODE_NONE)
    {
      g_autofree char *text = java_exception (code, detail);
      return command_failed (o, text);
    }
  /* Whole sentences, so that translations need not assemble them; only
   * brokers have a cluster default. */
  if (*o->name == '\0')
    g_print (_("Completed updating default config for brokers in the cluster.\n"));
  else if (strcmp (o->type, "topics") == 0)
    g_print (_("Completed updating config for topic %s.\n"), o->name);
  else
    g_print (_("Completed updating config for broker %s.\n"), o->name);
  return CLI_EXIT_OK;
}

int
cli_configs_main (int    argc,
                  char **argv)
{
  ConfigsOptions o = { 0 };
  GOptionEntry entries[] = {
    { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, &o.bootstrap, N_("The Kafka server to connect to (REQUIRED)"), N_("HOST:PORT") },
    { "entity-type", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.entity_types, N_("Type of entity (topics/brokers)"), N_("TYPE") },
    { "entity-name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.entity_names, N_("Name of entity (topic name/broker id)"), N_("NAME") },
    { "entity-default", 0, 0, G_OPTION_ARG_NONE, &o.entity_default, N_("Default entity name for brokers"), NULL },
    { "topic", 0, 0, G_OPTION_ARG_STRING, &o.topic, N_("The topic's name (--entity-type topics --entity-name TOPIC)"), N_("TOPIC") },
    { "broker", 0, 0, G_OPTION_ARG_STRING, &o.broker, N_("The broker's id (--entity-type brokers --entity-name ID)"), N_("ID") },
    { "broker-defaults", 0, 0, G_OPTION_ARG_NONE, &o.broker_defaults, N_("The config defaults for all brokers"), NULL },
    { "describe", 0, 0, G_OPTION_ARG_NONE, &o.describe, N_("List configs for the given entity."), NULL },
    { "alter", 0, 0, G_OPTION_ARG_NONE, &o.alter, N_("Alter the configuration for the entity."), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &o.all, N_("List all configs for the given entity, not only the dynamic ones"), NULL },
    { "add-config", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.add_config, N_("Key Value pairs of configs to add: 'k1=v1,k2=[v1,v2,v2],k3=v3'"), N_("K=V,…") },
    { "delete-config", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.delete_config, N_("Config keys to remove: 'k1,k2'"), N_("K,…") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &o.force, N_("Suppress console prompts (accepted)"), NULL },
    { "command-config", 0, 0, G_OPTION_ARG_FILENAME, &o.command_config, N_("Admin client properties (accepted; not used yet)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("- describe or change topic and broker configs"));
  g_autoptr(CaudalCluster) cluster = NULL;
  g_autofree char *type = NULL;
  g_autofree char *name = NULL;
  gboolean have_name = FALSE;
  int status;

  {
    g_autoptr(GString) joined = g_string_new (NULL);
    for (int i = 1; i < argc; i++)
      g_string_append_printf (joined, "%s%s", i > 1 ? " " : "", argv[i]);
    o.args = g_string_free (g_steal_pointer (&joined), FALSE);
  }
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cli_parse (context, &argc, &argv))
    {
      g_free (o.args);
      return CLI_EXIT_USAGE;
    }

  /* One entity: --entity-type/--entity-name, or a shortcut. */
  if (o.topic != NULL)
    {
      type = g_strdup ("topics");
      name = g_strdup (o.topic);
      have_name = TRUE;
    }
  else if (o.broker != NULL)
    {
      type = g_strdup ("brokers");
      name = g_strdup (o.broker);
      have_name = TRUE;
    }
  else if (o.broker_defaults)
    {
      type = g_strdup ("brokers");
      name = g_strdup ("");
      have_name = TRUE;
    }
  else if (o.entity_types != NULL && o.entity_types[0] != NULL)
    {
      type = g_strdup (o.entity_types[0]);
      if (o.entity_names != NULL && o.entity_names[0] != NULL)
        {
          name = g_strdup (o.entity_names[0]);
          have_name = TRUE;
        }
      else if (o.entity_default)
        {
          name = g_strdup ("");
          have_name = TRUE;
        }
    }
  o.type = type;
  o.name = have_name ? name : NULL;

  if (argc > 1)
    status = cli_usage_error (context, _("Unexpected argument; options start with --"));
  else if (o.describe + o.alter != 1)
    status = cli_usage_error (context, _("Command must include exactly one action: --describe, --alter"));
  else if (o.bootstrap == NULL)
    status = cli_usage_error (context, _("One of the required --bootstrap-server or --bootstrap-controller arguments must be specified"));
  else if (o.describe && (o.add_config != NULL || o.delete_config != NULL))
    status = cli_usage_error (context, _("Option \"[describe]\" can't be used with option \"[add-config]\" or \"[delete-config]\""));
  else if (type == NULL)
    status = cli_usage_error (context, _("At least one entity type must be specified"));
  else if (strcmp (type, "topics") != 0 && strcmp (type, "brokers") != 0)
    {
      g_printerr (_("Invalid entity type %s, the entity type must be one of topics, brokers "
                    "(clients, users, broker-loggers, ips and client-metrics are not supported yet)\n"), type);
      status = CLI_EXIT_USAGE;
    }
  else if (strcmp (type, "topics") == 0 && o.name != NULL && *o.name == '\0')
    status = cli_usage_error (context, _("--entity-default is not a valid option for entity type topics"));
  else if (strcmp (type, "brokers") == 0 && o.name != NULL && *o.name != '\0' &&
           (strspn (o.name, "0123456789") != strlen (o.name)))
    {
      g_printerr (_("The entity name for brokers must be a valid integer broker id, but it is: %s\n"), o.name);
      status = CLI_EXIT_USAGE;
    }
  else if (o.alter && o.name == NULL)
    status = cli_usage_error (context, strcmp (type, "topics") == 0
                                       ? _("An entity name must be specified with --alter of topics")
                                       : _("an entity name must be specified with --alter of brokers"));
  else if (o.alter && o.add_config == NULL && o.delete_config == NULL)
    status = cli_usage_error (context, _("At least one of --add-config or --delete-config must be specified with --alter"));
  else if ((cluster = cli_cluster_new (o.bootstrap, "caudal-configs")) == NULL)
    status = CLI_EXIT_USAGE;
  else
    {
      g_autoptr(GError) error = NULL;

      /* Broker ids route requests: know the brokers first. */
      if (strcmp (type, "brokers") == 0 && !cli_refresh_metadata (cluster, NULL, &error))
        status = command_failed (&o, error->message);
      else if (o.describe)
        status = do_describe (cluster, &o);
      else
        status = do_alter (cluster, &o);
    }

  g_free (o.args);
  g_free (o.bootstrap);
  g_strfreev (o.entity_types);
  g_strfreev (o.entity_names);
  g_free (o.topic);
  g_free (o.broker);
  g_strfreev (o.add_config);
  g_strfreev (o.delete_config);
  g_free (o.command_config);
  return status;
}
