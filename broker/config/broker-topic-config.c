/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-topic-config.c: the topic key table (Kafka 3.7 names, defaults
 * and server default properties) and effective topic values. */
#include "broker-topic-config.h"

#include <string.h>

#define NO_CHECK     { .kind = BROKER_CONFIG_CHECK_NONE }
#define RANGE(a, b)  { .kind = BROKER_CONFIG_CHECK_RANGE, .min = (a), .max = (b) }
#define AT_LEAST(a)  RANGE (a, G_MAXINT64)
#define DRANGE(a, b) { .kind = BROKER_CONFIG_CHECK_DRANGE, .dmin = (a), .dmax = (b) }
#define ONE_OF(c)    { .kind = BROKER_CONFIG_CHECK_ONE_OF, .choices = (c) }

#define BOOLEAN  BROKER_CONFIG_TYPE_BOOLEAN
#define STRING   BROKER_CONFIG_TYPE_STRING
#define INT      BROKER_CONFIG_TYPE_INT
#define LONG     BROKER_CONFIG_TYPE_LONG
#define DOUBLE   BROKER_CONFIG_TYPE_DOUBLE
#define LIST     BROKER_CONFIG_TYPE_LIST

#define YES      BROKER_CONFIG_HONOURED
#define PARTIAL  BROKER_CONFIG_PARTIAL
#define IGNORED  BROKER_CONFIG_IGNORED

#define SYN(n)          { (n), 1 }
#define SYN_X(n, f)     { (n), (f) }
#define HOUR_MS         (60 * 60 * 1000)
#define MINUTE_MS       (60 * 1000)
#define LONG_MAX_STR    "9223372036854775807"

static const char *const cleanup_policies[] = { "compact", "delete", NULL };
static const char *const timestamp_types[] = {
  "CreateTime", "LogAppendTime", NULL,
};
static const char *const compression_types[] = {
  "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", NULL,
};

static const BrokerTopicConfigDef topic_table[] = {
  { "cleanup.policy", LIST, "delete", ONE_OF (cleanup_policies), PARTIAL,
    "What happens to old segments: delete, compact, or both.",
    "compact is accepted but logs are not compacted yet.",
    { SYN ("log.cleanup.policy") } },
  { "compression.type", STRING, "producer", ONE_OF (compression_types),
    PARTIAL, "The compression batches are stored with; producer keeps "
    "what the producer used.",
    "Batches are always stored as the producer sent them.",
    { SYN ("compression.type") } },
  { "delete.retention.ms", LONG, "86400000", AT_LEAST (0), IGNORED,
    "How long tombstones are kept in a compacted topic.",
    "No compaction yet.",
    { SYN ("log.cleaner.delete.retention.ms") } },
  { "file.delete.delay.ms", LONG, "60000", AT_LEAST (0), IGNORED,
    "How long a deleted segment's files linger.", NULL,
    { SYN ("log.segment.delete.delay.ms") } },
  { "flush.messages", LONG, LONG_MAX_STR, AT_LEAST (1), YES,
    "The number of messages after which the log is fsynced.", NULL,
    { SYN ("log.flush.interval.messages") } },
  { "flush.ms", LONG, LONG_MAX_STR, AT_LEAST (0), YES,
    "The age of unflushed data after which the log is fsynced.", NULL,
    { SYN ("log.flush.interval.ms"),
      SYN ("log.flush.scheduler.interval.ms") } },
  { "follower.replication.throttled.replicas", LIST, "", NO_CHECK, IGNORED,
    "Replicas whose follower fetches are throttled.",
    "Single node: no replication.", { { 0 } } },
  { "index.interval.bytes", INT, "4096", AT_LEAST (0), YES,
    "The log bytes between two offset index entries.", NULL,
    { SYN ("log.index.interval.bytes") } },
  { "leader.replication.throttled.replicas", LIST, "", NO_CHECK, IGNORED,
    "Replicas whose leader-side replication is throttled.",
    "Single node: no replication.", { { 0 } } },
  { "local.retention.bytes", LONG, "-2", AT_LEAST (-2), IGNORED,
    "Local size limit with tiered storage; -2 means retention.bytes.",
    "No tiered storage.", { SYN ("log.local.retention.bytes") } },
  { "local.retention.ms", LONG, "-2", AT_LEAST (-2), IGNORED,
    "Local retention with tiered storage; -2 means retention.ms.",
    "No tiered storage.", { SYN ("log.local.retention.ms") } },
  { "max.compaction.lag.ms", LONG, LONG_MAX_STR, AT_LEAST (1), IGNORED,
    "The oldest a message may get before it must be compacted.",
    "No compaction yet.", { SYN ("log.cleaner.max.compaction.lag.ms") } },
  { "max.message.bytes", INT, "1048588", AT_LEAST (0), YES,
    "The largest record batch, in bytes, the topic accepts.", NULL,
    { SYN ("message.max.bytes") } },
  { "message.downconversion.enable", BOOLEAN, "true", NO_CHECK, IGNORED,
    "Whether old fetch versions get records down-converted.", NULL,
    { SYN ("log.message.downconversion.enable") } },
  { "message.timestamp.after.max.ms", LONG, LONG_MAX_STR, AT_LEAST (0),
    IGNORED, "How far in the future a CreateTime timestamp may be.", NULL,
    { SYN ("log.message.timestamp.after.max.ms") } },
  { "message.timestamp.before.max.ms", LONG, LONG_MAX_STR, AT_LEAST (0),
    IGNORED, "How far in the past a CreateTime timestamp may be.", NULL,
    { SYN ("log.message.timestamp.before.max.ms") } },
  { "message.timestamp.difference.max.ms", LONG, LONG_MAX_STR, AT_LEAST (0),
    IGNORED, "The largest gap allowed between a CreateTime timestamp and "
    "the broker's clock (deprecated).", NULL,
    { SYN ("log.message.timestamp.difference.max.ms") } },
  { "message.timestamp.type", STRING, "CreateTime", ONE_OF (timestamp_types),
    YES, "Whether record timestamps are the producer's (CreateTime) or "
    "the broker's append time (LogAppendTime).", NULL,
    { SYN ("log.message.timestamp.type") } },
  { "min.cleanable.dirty.ratio", DOUBLE, "0.5", DRANGE (0.0, 1.0), IGNORED,
    "The dirty share of the log that triggers compaction.",
    "No compaction yet.", { SYN ("log.cleaner.min.cleanable.ratio") } },
  { "min.compaction.lag.ms", LONG, "0", AT_LEAST (0), IGNORED,
    "The youngest a message may be when compacted.", "No compaction yet.",
    { SYN ("log.cleaner.min.compaction.lag.ms") } },
  { "min.insync.replicas", INT, "1", AT_LEAST (1), IGNORED,
    "The fewest in-sync replicas an acks=all write needs.",
    "Single node: the only replica is always in sync.",
    { SYN ("min.insync.replicas") } },
  { "preallocate", BOOLEAN, "false", NO_CHECK, IGNORED,
    "Whether new segment files are preallocated.", NULL,
    { SYN ("log.preallocate") } },
  { "remote.storage.enable", BOOLEAN, "false", NO_CHECK, IGNORED,
    "Whether the topic uses tiered storage.", "No tiered storage.",
    { { 0 } } },
  { "retention.bytes", LONG, "-1", NO_CHECK, YES,
    "The largest size of a partition's log before old segments are "
    "deleted; -1 means no limit.", NULL,
    { SYN ("log.retention.bytes") } },
  { "retention.ms", LONG, "604800000", AT_LEAST (-1), YES,
    "How long a segment is kept before deletion; -1 keeps it forever.",
    NULL,
    { SYN ("log.retention.ms"), SYN_X ("log.retention.minutes", MINUTE_MS),
      SYN_X ("log.retention.hours", HOUR_MS) } },
  { "segment.bytes", INT, "1073741824", AT_LEAST (14), YES,
    "The size at which a new segment is started.", NULL,
    { SYN ("log.segment.bytes") } },
  { "segment.index.bytes", INT, "10485760", AT_LEAST (4), IGNORED,
    "The largest offset or time index file.", NULL,
    { SYN ("log.index.size.max.bytes") } },
  { "segment.jitter.ms", LONG, "0", AT_LEAST (0), IGNORED,
    "The most random time taken off segment.ms.", NULL,
    { SYN ("log.roll.jitter.ms"), SYN_X ("log.roll.jitter.hours", HOUR_MS) } },
  { "segment.ms", LONG, "604800000", AT_LEAST (1), YES,
    "The age at which a new segment is started.", NULL,
    { SYN ("log.roll.ms"), SYN_X ("log.roll.hours", HOUR_MS) } },
  { "unclean.leader.election.enable", BOOLEAN, "false", NO_CHECK, PARTIAL,
    "Whether an out-of-sync replica may become leader, losing data.",
    "Cluster mode: honoured by the controller's elections. Single node: no "
    "leader election.",
    { SYN ("unclean.leader.election.enable") } },
};

const BrokerTopicConfigDef *
broker_topic_config_get_table (gsize *n_defs)
{
  if (n_defs != NULL)
    *n_defs = G_N_ELEMENTS (topic_table);
  return topic_table;
}

const BrokerTopicConfigDef *
broker_topic_config_lookup (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (topic_table); i++)
    if (strcmp (topic_table[i].name, key) == 0)
      return &topic_table[i];
  return NULL;
}

gboolean
broker_topic_config_is_known (const char *key)
{
  return broker_topic_config_lookup (key) != NULL;
}

/**
 * broker_topic_config_validate:
 *
 * Checks a topic override as CreateTopics and AlterConfigs receive it.
 * The messages follow Kafka's ("Unknown topic config name: x",
 * "Invalid value v for configuration k: reason"); answer them with
 * INVALID_CONFIG (see broker_config_error_to_kafka()).
 */
gboolean
broker_topic_config_validate (const char *key,
                              const char *value,
                              GError **error)
{
  const BrokerTopicConfigDef *def;
  g_autofree char *v = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (key != NULL, FALSE);

  def = broker_topic_config_lookup (key);
  if (def == NULL)
    {
      g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_UNKNOWN_KEY,
                   "Unknown topic config name: %s", key);
      return FALSE;
    }
  if (value == NULL)
    {
      g_set_error (error, BROKER_CONFIG_ERROR,
                   BROKER_CONFIG_ERROR_INVALID_VALUE,
                   "Invalid value null for configuration %s", key);
      return FALSE;
    }
  v = g_strstrip (g_strdup (value));
  if (!broker_config_value_check (def->type, &def->check, v, &reason))
    {
      g_set_error (error, BROKER_CONFIG_ERROR,
                   BROKER_CONFIG_ERROR_INVALID_VALUE,
                   "Invalid value %s for configuration %s: %s", v, key,
                   reason);
      return FALSE;
    }
  return TRUE;
}

/* @value of broker synonym @syn in the topic key's unit. */
static char *
convert_synonym (const BrokerTopicSynonym *syn, const char *value)
{
  gint64 v;

  if (syn->factor <= 1 || !broker_config_value_parse_int64 (value, &v))
    return g_strdup (value);
  if (v < 0)
    v = -1;
  else if (v > G_MAXINT64 / syn->factor)
    v = G_MAXINT64;
  else
    v *= syn->factor;
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

typedef enum
{
  FROM_TOPIC,
  FROM_BROKER,
  FROM_DEFAULT,
} Origin;

static char *
effective_value (BrokerConfig *broker,
                 GHashTable *overrides,
                 const BrokerTopicConfigDef *def,
                 Origin *origin)
{
  const char *v;

  if (overrides != NULL
      && (v = g_hash_table_lookup (overrides, def->name)) != NULL)
    {
      *origin = FROM_TOPIC;
      return g_strstrip (g_strdup (v));
    }

  *origin = FROM_DEFAULT;
  if (broker == NULL)
    return g_strdup (def->default_value);

  for (const BrokerTopicSynonym *s = def->synonyms; s->name != NULL; s++)
    if (broker_config_is_set (broker, s->name)
        && (v = broker_config_get_string (broker, s->name)) != NULL)
      {
        *origin = FROM_BROKER;
        return convert_synonym (s, v);
      }
  for (const BrokerTopicSynonym *s = def->synonyms; s->name != NULL; s++)
    if ((v = broker_config_get_string (broker, s->name)) != NULL)
      return convert_synonym (s, v);
  return g_strdup (def->default_value);
}

/**
 * broker_topic_config_get:
 * @broker: (nullable): the broker configuration
 * @overrides: (nullable): the topic's overrides, key → value
 *
 * Returns: (transfer full) (nullable): the effective value of @key for
 * the topic: its override, else the first broker synonym that is set
 * (converted to @key's unit), else the broker default, else the topic
 * default.
 */
char *
broker_topic_config_get (BrokerConfig *broker,
                         GHashTable *overrides,
                         const char *key)
{
  const BrokerTopicConfigDef *def = broker_topic_config_lookup (key);
  Origin origin;

  g_return_val_if_fail (def != NULL, NULL);
  return effective_value (broker, overrides, def, &origin);
}

gint64
broker_topic_config_get_int64 (BrokerConfig *broker,
                               GHashTable *overrides,
                               const char *key)
{
  g_autofree char *v = broker_topic_config_get (broker, overrides, key);
  gint64 out = 0;

  if (v != NULL && !broker_config_value_parse_int64 (v, &out))
    g_critical ("topic configuration %s is not an integer: %s", key, v);
  return out;
}

gboolean
broker_topic_config_get_bool (BrokerConfig *broker,
                              GHashTable *overrides,
                              const char *key)
{
  g_autofree char *v = broker_topic_config_get (broker, overrides, key);
  gboolean out = FALSE;

  if (v != NULL && !broker_config_value_parse_bool (v, &out))
    g_critical ("topic configuration %s is not a boolean: %s", key, v);
  return out;
}

/**
 * broker_topic_config_describe:
 * @out: (out caller-allocates): release with broker_config_entry_clear()
 *
 * Fills the DescribeConfigs entry of @key for a topic. Its source is
 * TOPIC_CONFIG (an override), STATIC_BROKER_CONFIG (a broker synonym is
 * set) or DEFAULT_CONFIG. The synonyms, when asked for, are: the override,
 * the broker synonyms that are set, then one default (the first broker
 * synonym with a default, else @key's own default).
 *
 * Returns: %FALSE (with @out cleared) for an unknown key.
 */
gboolean
broker_topic_config_describe (BrokerConfig *broker,
                              GHashTable *overrides,
                              const char *key,
                              gboolean include_synonyms,
                              BrokerConfigEntry *out)
{
  const BrokerTopicConfigDef *def;
  Origin origin;
  const char *v;

  g_return_val_if_fail (key != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  def = broker_topic_config_lookup (key);
  if (def == NULL)
    return FALSE;

  out->name = def->name;
  out->value = effective_value (broker, overrides, def, &origin);
  out->source = origin == FROM_TOPIC ? BROKER_CONFIG_SOURCE_TOPIC_CONFIG
              : origin == FROM_BROKER ? BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG
              : BROKER_CONFIG_SOURCE_DEFAULT_CONFIG;
  out->read_only = FALSE;
  out->sensitive = FALSE;
  out->config_type = (gint8) def->type;
  out->documentation = def->doc;
  if (!include_synonyms)
    return TRUE;

  broker_config_entry_ensure_synonyms (out);
  if (overrides != NULL
      && (v = g_hash_table_lookup (overrides, def->name)) != NULL)
    broker_config_entry_add_synonym (out, def->name, v,
                                     BROKER_CONFIG_SOURCE_TOPIC_CONFIG);
  if (broker != NULL)
    for (const BrokerTopicSynonym *s = def->synonyms; s->name != NULL; s++)
      if (broker_config_is_set (broker, s->name))
        broker_config_entry_add_synonym (
            out, s->name, broker_config_get_string (broker, s->name),
            BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  for (const BrokerTopicSynonym *s = def->synonyms; s->name != NULL; s++)
    {
      const BrokerConfigDef *bd = broker_config_lookup (s->name);

      if (bd != NULL && bd->default_value != NULL)
        {
          broker_config_entry_add_synonym (out, s->name, bd->default_value,
                                           BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
          return TRUE;
        }
    }
  if (def->default_value != NULL)
    broker_config_entry_add_synonym (out, def->name, def->default_value,
                                     BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
  return TRUE;
}

/**
 * broker_topic_config_foreach_key:
 * @func: called with each key (a const char *) and @user_data
 *
 * Visits every topic key in table (alphabetical) order.
 */
void
broker_topic_config_foreach_key (GFunc func, gpointer user_data)
{
  g_return_if_fail (func != NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (topic_table); i++)
    func ((gpointer) topic_table[i].name, user_data);
}
