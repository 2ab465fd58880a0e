/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-admin-util.c: helpers shared by the admin API handlers. */

#include "broker-admin-util.h"

#include <stdarg.h>
#include <stdlib.h>

#include "broker-log.h"
#include "broker-topic-config.h"
#include "caudal-error-codes.h"

gint16
broker_error_from_gerror (const GError *error)
{
  if (error == NULL)
    return CAUDAL_ERROR_CODE_NONE;

  if (error->domain == CAUDAL_KAFKA_ERROR)
    return (gint16) error->code;

  if (error->domain == BROKER_CONFIG_ERROR)
    return broker_config_error_to_kafka (error);

  if (error->domain == BROKER_LOG_ERROR)
    {
      switch ((BrokerLogError) error->code)
        {
        case BROKER_LOG_ERROR_OFFSET_OUT_OF_RANGE:
          return CAUDAL_ERROR_CODE_OFFSET_OUT_OF_RANGE;
        case BROKER_LOG_ERROR_TOO_LARGE:
          return CAUDAL_ERROR_CODE_MESSAGE_TOO_LARGE;
        case BROKER_LOG_ERROR_INVALID:
          return CAUDAL_ERROR_CODE_INVALID_RECORD;
        case BROKER_LOG_ERROR_CORRUPT:
        case BROKER_LOG_ERROR_IO:
        case BROKER_LOG_ERROR_CLOSED:
        default:
          /* What Kafka answers for a log dir it cannot use. */
          return CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
        }
    }

  /* broker_topic_name_validate() is the registry's only source of
   * G_IO_ERROR_INVALID_ARGUMENT; the other I/O errors come from the
   * metadata store and the log directories. */
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_INVALID_ARGUMENT
           ? CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION
           : CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;
  if (error->domain == G_FILE_ERROR)
    return CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR;

  return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;
}

char *
broker_error_message (BrokerRequest *req,
                      const GError  *error)
{
  if (error == NULL)
    return NULL;
  return caudal_arena_strdup (req->arena, error->message);
}

char *
broker_request_printf (BrokerRequest *req,
                       const char    *format,
                       ...)
{
  g_autofree char *s = NULL;
  va_list args;

  va_start (args, format);
  s = g_strdup_vprintf (format, args);
  va_end (args);
  return caudal_arena_strdup (req->arena, s);
}

static gint
compare_int32 (gconstpointer a,
               gconstpointer b)
{
  gint32 x = *(const gint32 *) a;
  gint32 y = *(const gint32 *) b;

  return (x > y) - (x < y);
}

gint16
broker_admin_check_replicas (BrokerRequest *req,
                             const gint32  *broker_ids,
                             gint32         n_broker_ids,
                             gint32         expected_rf,
                             char         **message)
{
  g_autofree gint32 *sorted = NULL;
  gint32 node = req->broker->node_id;

  if (n_broker_ids <= 0)
    {
      *message = (char *) "The manual partition assignment includes an empty replica list.";
      return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
    }

  /* Kafka looks at the ids in ascending order, so the first unknown or
   * repeated id it names is the smallest. */
  sorted = g_memdup2 (broker_ids, sizeof (gint32) * (gsize) n_broker_ids);
  qsort (sorted, (gsize) n_broker_ids, sizeof (gint32), (GCompareFunc) compare_int32);
  for (gint32 i = 0; i < n_broker_ids; i++)
    {
      if (sorted[i] != node)
        {
          *message = broker_request_printf (req, "The manual partition assignment includes broker %d, "
                                            "but no such broker is registered.", sorted[i]);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
      if (i > 0 && sorted[i] == sorted[i - 1])
        {
          *message = broker_request_printf (req, "The manual partition assignment includes the broker "
                                            "%d more than once.", sorted[i]);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
    }
  if (expected_rf >= 0 && n_broker_ids != expected_rf)
    {
      *message = broker_request_printf (req, "The manual partition assignment includes a partition with "
                                        "%d replica(s), but this is not consistent with previous "
                                        "partitions, which have %d replica(s).",
                                        n_broker_ids, expected_rf);
      return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

gint16
broker_admin_check_node_id (BrokerRequest *req,
                            const char    *name,
                            char         **message)
{
  gint64 id = 0;

  if (name == NULL || !g_ascii_string_to_signed (name, 10, G_MININT32, G_MAXINT32, &id, NULL))
    {
      *message = broker_request_printf (req, "Node id must be an integer, but it is: %s",
                                        name != NULL ? name : "null");
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  if (id != req->broker->node_id)
    {
      *message = broker_request_printf (req, "Unexpected broker id, expected %d, but received %s",
                                        req->broker->node_id, name);
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    }
  return CAUDAL_ERROR_CODE_NONE;
}

GHashTable *
broker_admin_configs_copy (GHashTable *configs)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer k, v;

  if (configs == NULL)
    return copy;
  g_hash_table_iter_init (&iter, configs);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_insert (copy, g_strdup (k), g_strdup (v));
  return copy;
}

gint16
broker_admin_validate_topic_configs (BrokerRequest *req,
                                     GHashTable    *configs,
                                     char         **message)
{
  g_autoptr(GList) keys = NULL;

  if (configs == NULL)
    return CAUDAL_ERROR_CODE_NONE;
  /* In key order, so that the key an error names does not depend on the
   * hash table's. */
  keys = g_list_sort (g_hash_table_get_keys (configs), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autoptr(GError) error = NULL;

      if (!broker_topic_config_validate (l->data, g_hash_table_lookup (configs, l->data), &error))
        {
          *message = broker_error_message (req, error);
          return broker_error_from_gerror (error);
        }
    }
  return CAUDAL_ERROR_CODE_NONE;
}

gint16
broker_admin_replace_topic_configs (BrokerRequest *req,
                                    BrokerTopic   *topic,
                                    GHashTable    *configs,
                                    gboolean       validate_only,
                                    char         **message)
{
  g_autoptr(GError) error = NULL;
  gint16 code = broker_admin_validate_topic_configs (req, configs, message);

  if (code != CAUDAL_ERROR_CODE_NONE || validate_only)
    return code;
  if (!broker_topics_set_configs (req->broker->topics, topic, configs, &error))
    {
      g_warning ("changing the configuration of topic %s: %s", topic->name, error->message);
      *message = broker_error_message (req, error);
      return broker_error_from_gerror (error);
    }
  g_message ("topic %s: configuration changed (%u override(s))", topic->name,
             g_hash_table_size (configs));
  return CAUDAL_ERROR_CODE_NONE;
}

typedef struct
{
  Broker     *broker;
  GHashTable *overrides;
  gboolean    include_synonyms;
  GArray     *out;
} DescribeTopicData;

static void
describe_topic_key (gpointer key,
                    gpointer user_data)
{
  DescribeTopicData *data = user_data;
  BrokerConfigEntry entry;

  if (broker_topic_config_describe (data->broker->config, data->overrides, key,
                                    data->include_synonyms, &entry))
    g_array_append_val (data->out, entry);
}

GArray *
broker_admin_describe_topic (Broker     *broker,
                             GHashTable *overrides,
                             gboolean    include_synonyms)
{
  DescribeTopicData data = { broker, overrides, include_synonyms, NULL };

  data.out = g_array_new (FALSE, TRUE, sizeof (BrokerConfigEntry));
  g_array_set_clear_func (data.out, (GDestroyNotify) broker_config_entry_clear);
  broker_topic_config_foreach_key (describe_topic_key, &data);
  return data.out;
}

GHashTable *
broker_admin_name_counts_new (void)
{
  return g_hash_table_new (g_str_hash, g_str_equal);
}

void
broker_admin_name_counts_add (GHashTable *counts,
                              const char *name)
{
  if (name == NULL)
    return;
  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (broker_admin_name_counts_get (counts, name) + 1));
}

guint
broker_admin_name_counts_get (GHashTable *counts,
                              const char *name)
{
  if (name == NULL)
    return 0;
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}
