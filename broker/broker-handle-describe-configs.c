/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-describe-configs.c: DescribeConfigs (key 32), v1-4, for
 * TOPIC, BROKER and BROKER_LOGGER resources. */

#include <string.h>

#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-handlers.h"
#include "broker-topic-config.h"
#include "caudal-error-codes.h"

typedef CaudalDescribeConfigsRequestDescribeConfigsResource        Resource;
typedef CaudalDescribeConfigsResponseDescribeConfigsResult         Result;
typedef CaudalDescribeConfigsResponseDescribeConfigsResourceResult ConfigOut;

/* configuration_keys: null lists every key; so does an empty list, as in
 * Kafka's ConfigHelperUtils.createResponseConfig. Keys we do not know are
 * left out without an error. */
static gboolean
wanted (const Resource *resource,
        const char     *key)
{
  if (resource->n_configuration_keys <= 0)
    return TRUE;
  for (gint32 i = 0; i < resource->n_configuration_keys; i++)
    if (g_strcmp0 (resource->configuration_keys[i], key) == 0)
      return TRUE;
  return FALSE;
}

/* Copies @e into the response (its strings into the arena). */
static void
fill_entry (BrokerRequest           *req,
            ConfigOut               *out,
            const BrokerConfigEntry *e,
            gboolean                 include_documentation)
{
  const CaudalStructDesc *config_desc =
    caudal_struct_desc_child (&caudal_describe_configs_response_desc, "results.configs");
  CaudalDescribeConfigsResponseDescribeConfigsSynonym *syn;
  guint n_syn = e->synonyms != NULL ? e->synonyms->len : 0;

  out->name = (char *) e->name;
  /* Secrets never leave the broker: null value, null synonym values. */
  out->value = e->sensitive || e->value == NULL ? NULL : caudal_arena_strdup (req->arena, e->value);
  out->read_only = e->read_only;
  out->config_source = e->source;
  out->is_sensitive = e->sensitive;
  out->config_type = e->config_type;
  out->documentation = include_documentation ? (char *) e->documentation : NULL;
  syn = broker_request_set_array (req, config_desc, out, "synonyms", n_syn);
  for (guint i = 0; i < n_syn; i++)
    {
      const BrokerConfigSynonym *s = g_ptr_array_index (e->synonyms, i);

      syn[i].name = (char *) s->name;
      syn[i].value = e->sensitive || s->value == NULL ? NULL : caudal_arena_strdup (req->arena, s->value);
      syn[i].source = s->source;
    }
}

static void
fill_entries (BrokerRequest *req,
              Result        *out,
              GArray        *entries,
              gboolean       include_documentation)
{
  const CaudalStructDesc *result_desc =
    caudal_struct_desc_child (&caudal_describe_configs_response_desc, "results");
  ConfigOut *configs = broker_request_set_array (req, result_desc, out, "configs", entries->len);

  for (guint i = 0; i < entries->len; i++)
    fill_entry (req, &configs[i], &g_array_index (entries, BrokerConfigEntry, i),
                include_documentation);
}

static gint16
describe_topic (BrokerRequest  *req,
                const Resource *resource,
                gboolean        include_synonyms,
                GArray         *entries,
                char          **message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) all = NULL;
  GHashTable *overrides;

  if (!broker_topic_name_validate (resource->resource_name, &error))
    {
      *message = broker_error_message (req, error);
      return CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION;
    }
  /* Cluster mode: the overrides in /config/topics/<name>. */
  if (req->broker->cluster != NULL)
    {
      const BrokerClusterTopic *ct = broker_cluster_lookup_topic (req->broker->cluster,
                                                                  resource->resource_name);
      overrides = ct != NULL ? ct->configs : NULL;
    }
  else
    {
      BrokerTopic *topic = broker_topics_lookup (req->broker->topics, resource->resource_name);
      overrides = topic != NULL ? topic->configs : NULL;
    }
  if (overrides == NULL)
    {
      /* Kafka sends the code alone; its clients show the code's text. */
      *message = (char *) "This server does not host this topic-partition.";
      return CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
    }
  all = broker_admin_describe_topic (req->broker, overrides, include_synonyms);
  /* Move the wanted entries over; clear the others. */
  for (guint i = 0; i < all->len; i++)
    {
      BrokerConfigEntry *e = &g_array_index (all, BrokerConfigEntry, i);

      if (wanted (resource, e->name))
        {
          g_array_append_val (entries, *e);
          memset (e, 0, sizeof *e);
        }
    }
  return CAUDAL_ERROR_CODE_NONE;
}

static gint16
describe_broker (BrokerRequest  *req,
                 const Resource *resource,
                 gboolean        include_synonyms,
                 GArray         *entries,
                 char          **message)
{
  const char *name = resource->resource_name;
  const BrokerConfigDef *table;
  gsize n_defs = 0;
  gint64 id;

  /* "" is the cluster-wide default resource: Kafka lists the dynamic
   * cluster defaults there, and caudald has none. */
  if (name == NULL || *name == '\0')
    return CAUDAL_ERROR_CODE_NONE;
  if (!g_ascii_string_to_signed (name, 10, G_MININT32, G_MAXINT32, &id, NULL))
    {
      *message = broker_request_printf (req, "Broker id must be an integer, but it is: %s", name);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (id != req->broker->node_id)
    {
      *message = broker_request_printf (req, "Unexpected broker id, expected %d or empty string, "
                                        "but received %s", req->broker->node_id, name);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  /* In table order, like broker_config_foreach_describe(), describing
   * only the wanted keys. */
  table = broker_config_get_table (&n_defs);
  for (gsize i = 0; i < n_defs; i++)
    {
      BrokerConfigEntry entry;

      if (wanted (resource, table[i].name)
          && broker_config_describe_key (req->broker->config, table[i].name, include_synonyms, &entry))
        g_array_append_val (entries, entry);
    }
  return CAUDAL_ERROR_CODE_NONE;
}

/* KIP-412 log levels. caudald has no named loggers to report, so a valid
 * request gets an empty list. */
static gint16
describe_broker_logger (BrokerRequest  *req,
                        const Resource *resource,
                        char          **message)
{
  const char *name = resource->resource_name;
  gint64 id;

  if (name == NULL || *name == '\0')
    {
      *message = (char *) "Broker id must not be empty";
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (!g_ascii_string_to_signed (name, 10, G_MININT32, G_MAXINT32, &id, NULL))
    {
      *message = broker_request_printf (req, "Broker id must be an integer, but it is: %s", name);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (id != req->broker->node_id)
    {
      *message = broker_request_printf (req, "Unexpected broker id, expected %d but received %s",
                                        req->broker->node_id, name);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

void
broker_handle_describe_configs (BrokerRequest *req)
{
  CaudalDescribeConfigsRequest *body = req->body;
  CaudalDescribeConfigsResponse *resp = req->response;
  /* include_documentation exists from v3 (KIP-569); decoded as false
   * before. */
  gboolean include_documentation = req->version >= 3 && body->include_documentation;
  Result *results;

  results = broker_request_set_array (req, &caudal_describe_configs_response_desc, resp, "results",
                                      (gsize) MAX (body->n_resources, 0));
  for (gint32 i = 0; i < body->n_resources; i++)
    {
      const Resource *resource = &body->resources[i];
      g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (BrokerConfigEntry));
      char *message = NULL;
      gint16 code;

      g_array_set_clear_func (entries, (GDestroyNotify) broker_config_entry_clear);
      switch (resource->resource_type)
        {
        case BROKER_RESOURCE_TOPIC:
          code = describe_topic (req, resource, body->include_synonyms, entries, &message);
          break;
        case BROKER_RESOURCE_BROKER:
          code = describe_broker (req, resource, body->include_synonyms, entries, &message);
          break;
        case BROKER_RESOURCE_BROKER_LOGGER:
          code = describe_broker_logger (req, resource, &message);
          break;
        default:
          code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
          message = broker_request_printf (req, "Unsupported resource type: %d",
                                           resource->resource_type);
          break;
        }

      results[i].resource_type = resource->resource_type;
      results[i].resource_name = resource->resource_name;
      results[i].error_code = code;
      results[i].error_message = message;
      if (code == CAUDAL_ERROR_CODE_NONE)
        fill_entries (req, &results[i], entries, include_documentation);
    }
  broker_request_complete (req);
}
