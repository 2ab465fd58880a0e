/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-config-table.c: the broker keys caudald uses or accepts, with
 * Kafka's names, types, defaults (Kafka 3.7, in Kafka's string form),
 * valid values and dynamic update modes. docs/configuration.md is
 * generated from this table and the topic table. */
#include "broker-config.h"

#include "broker-listeners.h"

#include <string.h>

#define NO_CHECK     { .kind = BROKER_CONFIG_CHECK_NONE }
#define RANGE(a, b)  { .kind = BROKER_CONFIG_CHECK_RANGE, .min = (a), .max = (b) }
#define AT_LEAST(a)  RANGE (a, G_MAXINT64)
#define DRANGE(a, b) { .kind = BROKER_CONFIG_CHECK_DRANGE, .dmin = (a), .dmax = (b) }
#define ONE_OF(c)    { .kind = BROKER_CONFIG_CHECK_ONE_OF, .choices = (c) }
#define CUSTOM(f)    { .kind = BROKER_CONFIG_CHECK_CUSTOM, .func = (f) }

#define BOOLEAN  BROKER_CONFIG_TYPE_BOOLEAN
#define STRING   BROKER_CONFIG_TYPE_STRING
#define INT      BROKER_CONFIG_TYPE_INT
#define SHORT    BROKER_CONFIG_TYPE_SHORT
#define LONG     BROKER_CONFIG_TYPE_LONG
#define DOUBLE   BROKER_CONFIG_TYPE_DOUBLE
#define LIST     BROKER_CONFIG_TYPE_LIST
#define PASSWORD BROKER_CONFIG_TYPE_PASSWORD

#define RO       BROKER_CONFIG_UPDATE_READ_ONLY
#define PER      BROKER_CONFIG_UPDATE_PER_BROKER
#define CLUSTER  BROKER_CONFIG_UPDATE_CLUSTER_WIDE

#define YES      BROKER_CONFIG_HONOURED
#define PARTIAL  BROKER_CONFIG_PARTIAL
#define IGNORED  BROKER_CONFIG_IGNORED

#define LONG_MAX_STR "9223372036854775807"

static const char *const cleanup_policies[] = { "compact", "delete", NULL };
static const char *const timestamp_types[] = {
  "CreateTime", "LogAppendTime", NULL,
};
static const char *const compression_types[] = {
  "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", NULL,
};
static const char *const process_roles[] = { "broker", "controller", NULL };

static gboolean
check_listeners (const char *value, char **reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) l = broker_listeners_parse_full (
      value, NULL, BROKER_LISTENERS_SYNTAX_ONLY, &error);

  if (l == NULL)
    *reason = g_strdup (error->message);
  return l != NULL;
}

static gboolean
check_advertised_listeners (const char *value, char **reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) l = broker_listeners_parse_full (
      value, NULL,
      BROKER_LISTENERS_SYNTAX_ONLY | BROKER_LISTENERS_ALLOW_DUPLICATE_PORTS,
      &error);

  if (l == NULL)
    *reason = g_strdup (error->message);
  return l != NULL;
}

static gboolean
check_protocol_map (const char *value, char **reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) map = broker_listeners_parse_protocol_map (value,
                                                                     &error);

  if (map == NULL)
    *reason = g_strdup (error->message);
  return map != NULL;
}

static gboolean
check_cluster_id (const char *value, char **reason)
{
  if (*value == '\0' || strlen (value) > 64)
    {
      *reason = g_strdup ("must be 1 to 64 characters");
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      {
        *reason = g_strdup ("may only hold letters, digits, '-' and '_'");
        return FALSE;
      }
  return TRUE;
}

static const BrokerConfigDef broker_table[] = {
  /* Identity. */
  { "node.id", INT, "-1", RANGE (-1, G_MAXINT32), RO, FALSE, YES,
    "The id of this node in the cluster.",
    "When neither node.id nor broker.id is set, caudald uses 1 (Kafka "
    "would generate one)." },
  { "broker.id", INT, "-1", RANGE (-1, G_MAXINT32), RO, FALSE, YES,
    "The older name of node.id; when both are set they must be equal.",
    NULL },
  { "cluster.id", STRING, NULL, CUSTOM (check_cluster_id), RO, FALSE, YES,
    "The cluster id reported to clients.",
    "caudald-specific and optional (Kafka keeps the id in "
    "meta.properties); when unset, the broker chooses one." },
  { "broker.rack", STRING, NULL, NO_CHECK, RO, FALSE, YES,
    "The rack of this broker, reported to clients.", NULL },

  /* Network. */
  { "listeners", STRING, "PLAINTEXT://:9092", CUSTOM (check_listeners),
    PER, FALSE, YES,
    "The addresses to listen on, as NAME://host:port items separated by "
    "commas; an empty host means every interface, port 0 an ephemeral port.",
    "PLAINTEXT only: an SSL or SASL listener stops the daemon." },
  { "advertised.listeners", STRING, NULL,
    CUSTOM (check_advertised_listeners), PER, FALSE, YES,
    "The addresses given to clients in Metadata, when they differ from "
    "listeners; unset means the listeners themselves.", NULL },
  { "listener.security.protocol.map", STRING,
    BROKER_LISTENERS_DEFAULT_PROTOCOL_MAP, CUSTOM (check_protocol_map),
    PER, FALSE, PARTIAL,
    "Maps listener names to security protocols, as NAME:PROTOCOL items.",
    "Every listener must map to PLAINTEXT." },
  { "inter.broker.listener.name", STRING, NULL, NO_CHECK, RO, FALSE, IGNORED,
    "The listener brokers use to talk to each other.",
    "Single node: there is no other broker." },
  { "socket.request.max.bytes", INT, "104857600", AT_LEAST (1), RO, FALSE,
    YES, "The largest request, in bytes, a client may send.", NULL },
  { "socket.send.buffer.bytes", INT, "102400", AT_LEAST (-1), CLUSTER, FALSE,
    IGNORED, "The socket send buffer size (SO_SNDBUF); -1 keeps the OS "
    "default.", NULL },
  { "socket.receive.buffer.bytes", INT, "102400", AT_LEAST (-1), CLUSTER,
    FALSE, IGNORED, "The socket receive buffer size (SO_RCVBUF); -1 keeps "
    "the OS default.", NULL },
  { "connections.max.idle.ms", LONG, "600000", NO_CHECK, RO, FALSE, YES,
    "Connections idle for longer than this are closed.", NULL },
  { "max.connections", INT, "2147483647", AT_LEAST (0), CLUSTER, FALSE, YES,
    "The most client connections accepted at once.", NULL },
  { "queued.max.requests", INT, "500", AT_LEAST (1), RO, FALSE, PARTIAL,
    "The most requests queued before the network stops reading.",
    "Applied per connection (capped at 10000): a connection stops being "
    "read while that many of its requests are pending." },
  { "num.network.threads", INT, "3", AT_LEAST (1), CLUSTER, FALSE, IGNORED,
    "The number of threads handling network traffic.",
    "One GLib main loop owns the network." },
  { "num.io.threads", INT, "8", AT_LEAST (1), CLUSTER, FALSE, IGNORED,
    "The number of threads processing requests.",
    "One GLib main loop dispatches requests." },

  /* Topics. */
  { "num.partitions", INT, "1", AT_LEAST (1), RO, FALSE, YES,
    "The partition count of topics created without one.", NULL },
  { "default.replication.factor", INT, "1", AT_LEAST (1), RO, FALSE, PARTIAL,
    "The replication factor of topics created without one.",
    "Single node: only 1 can be satisfied. Cluster mode, when not set: "
    "min(3, live brokers)." },
  { "auto.create.topics.enable", BOOLEAN, "true", NO_CHECK, RO, FALSE, YES,
    "Whether Metadata and Produce requests create missing topics.", NULL },
  { "delete.topic.enable", BOOLEAN, "true", NO_CHECK, RO, FALSE, YES,
    "Whether DeleteTopics is allowed.", NULL },
  { "min.insync.replicas", INT, "1", AT_LEAST (1), CLUSTER, FALSE, IGNORED,
    "The fewest in-sync replicas an acks=all write needs.",
    "Single node: the only replica is always in sync." },
  { "unclean.leader.election.enable", BOOLEAN, "false", NO_CHECK, CLUSTER,
    FALSE, PARTIAL,
    "Whether an out-of-sync replica may become leader, losing data.",
    "Cluster mode: the controller's elections, unless a topic overrides "
    "it. Single node: no leader election." },
  { "auto.leader.rebalance.enable", BOOLEAN, "true", NO_CHECK, RO, FALSE,
    PARTIAL, "Whether the controller moves leadership back to each "
    "partition's preferred replica.",
    "Cluster mode only; every partition whose preferred replica is live "
    "and in the ISR, without Kafka's imbalance ratio." },
  { "leader.imbalance.check.interval.seconds", INT, "300", AT_LEAST (1), RO,
    FALSE, YES, "How often the controller checks for partitions whose "
    "preferred replica is not the leader.", NULL },
  { "message.max.bytes", INT, "1048588", AT_LEAST (0), CLUSTER, FALSE, YES,
    "The largest record batch, in bytes, a topic accepts by default.", NULL },
  { "compression.type", STRING, "producer", ONE_OF (compression_types),
    CLUSTER, FALSE, PARTIAL,
    "The compression batches are stored with by default; producer keeps "
    "what the producer used.",
    "Batches are always stored as the producer sent them." },

  /* Log storage. */
  { "log.dirs", STRING, NULL, NO_CHECK, RO, FALSE, YES,
    "The directories holding partition logs, separated by commas.",
    "Unset (with log.dir unset too): $STATE_DIRECTORY under systemd, else "
    "$XDG_DATA_HOME/caudal." },
  { "log.dir", STRING, NULL, NO_CHECK, RO, FALSE, YES,
    "The log directory, used when log.dirs is unset.",
    "No default (Kafka's is /tmp/kafka-logs): see log.dirs." },
  { "log.segment.bytes", INT, "1073741824", AT_LEAST (14), CLUSTER, FALSE,
    YES, "The size at which a new log segment is started.", NULL },
  { "log.roll.ms", LONG, NULL, NO_CHECK, CLUSTER, FALSE, YES,
    "The age at which a new log segment is started; overrides "
    "log.roll.hours.", NULL },
  { "log.roll.hours", INT, "168", AT_LEAST (1), RO, FALSE, YES,
    "log.roll.ms in hours.", NULL },
  { "log.roll.jitter.ms", LONG, NULL, NO_CHECK, CLUSTER, FALSE, IGNORED,
    "The most random time taken off the roll age; overrides "
    "log.roll.jitter.hours.", NULL },
  { "log.roll.jitter.hours", INT, "0", AT_LEAST (0), RO, FALSE, IGNORED,
    "log.roll.jitter.ms in hours.", NULL },
  { "log.retention.ms", LONG, NULL, NO_CHECK, CLUSTER, FALSE, YES,
    "How long a segment is kept before deletion; -1 keeps it forever. "
    "Overrides log.retention.minutes and log.retention.hours.", NULL },
  { "log.retention.minutes", INT, NULL, NO_CHECK, RO, FALSE, YES,
    "log.retention.ms in minutes; overrides log.retention.hours.", NULL },
  { "log.retention.hours", INT, "168", NO_CHECK, RO, FALSE, YES,
    "log.retention.ms in hours.", NULL },
  { "log.retention.bytes", LONG, "-1", NO_CHECK, CLUSTER, FALSE, YES,
    "The largest size of a partition's log before old segments are "
    "deleted; -1 means no limit.", NULL },
  { "log.retention.check.interval.ms", LONG, "300000", AT_LEAST (1), RO,
    FALSE, YES, "How often segments are checked for deletion.", NULL },
  { "log.segment.delete.delay.ms", LONG, "60000", AT_LEAST (0), CLUSTER,
    FALSE, IGNORED, "How long a deleted segment's files linger.", NULL },
  { "log.flush.interval.messages", LONG, LONG_MAX_STR, AT_LEAST (1), CLUSTER,
    FALSE, YES, "The number of messages after which a log is fsynced.",
    NULL },
  { "log.flush.interval.ms", LONG, NULL, NO_CHECK, CLUSTER, FALSE, YES,
    "The age of unflushed data after which a log is fsynced; unset means "
    "log.flush.scheduler.interval.ms.", NULL },
  { "log.flush.scheduler.interval.ms", LONG, LONG_MAX_STR, NO_CHECK, RO,
    FALSE, YES, "How often logs are checked for a time-based flush.", NULL },
  { "log.index.interval.bytes", INT, "4096", AT_LEAST (0), CLUSTER, FALSE,
    YES, "The log bytes between two offset index entries.", NULL },
  { "log.index.size.max.bytes", INT, "10485760", AT_LEAST (4), CLUSTER,
    FALSE, IGNORED, "The largest offset or time index file.", NULL },
  { "log.preallocate", BOOLEAN, "false", NO_CHECK, CLUSTER, FALSE, IGNORED,
    "Whether new segment files are preallocated.", NULL },
  { "log.cleanup.policy", LIST, "delete", ONE_OF (cleanup_policies), CLUSTER,
    FALSE, PARTIAL,
    "The default policy for old segments: delete, compact, or both.",
    "compact is accepted but logs are not compacted yet." },
  { "log.cleaner.enable", BOOLEAN, "true", NO_CHECK, RO, FALSE, IGNORED,
    "Whether the log cleaner (compaction) runs.", "No compaction yet." },
  { "log.cleaner.delete.retention.ms", LONG, "86400000", AT_LEAST (0),
    CLUSTER, FALSE, IGNORED,
    "How long tombstones are kept in compacted logs.", "No compaction yet." },
  { "log.cleaner.min.compaction.lag.ms", LONG, "0", AT_LEAST (0), CLUSTER,
    FALSE, IGNORED, "The youngest a message may be when compacted.",
    "No compaction yet." },
  { "log.cleaner.max.compaction.lag.ms", LONG, LONG_MAX_STR, AT_LEAST (1),
    CLUSTER, FALSE, IGNORED,
    "The oldest a message may get before it must be compacted.",
    "No compaction yet." },
  { "log.cleaner.min.cleanable.ratio", DOUBLE, "0.5", DRANGE (0.0, 1.0),
    CLUSTER, FALSE, IGNORED,
    "The dirty share of a log that triggers compaction.",
    "No compaction yet." },
  { "log.message.timestamp.type", STRING, "CreateTime",
    ONE_OF (timestamp_types), CLUSTER, FALSE, YES,
    "Whether record timestamps are the producer's (CreateTime) or the "
    "broker's append time (LogAppendTime).", NULL },
  { "log.message.timestamp.difference.max.ms", LONG, LONG_MAX_STR,
    AT_LEAST (0), CLUSTER, FALSE, IGNORED,
    "The largest gap allowed between a CreateTime timestamp and the "
    "broker's clock (deprecated by the before/after keys).", NULL },
  { "log.message.timestamp.before.max.ms", LONG, LONG_MAX_STR, AT_LEAST (0),
    CLUSTER, FALSE, IGNORED,
    "How far in the past a CreateTime timestamp may be.", NULL },
  { "log.message.timestamp.after.max.ms", LONG, LONG_MAX_STR, AT_LEAST (0),
    CLUSTER, FALSE, IGNORED,
    "How far in the future a CreateTime timestamp may be.", NULL },
  { "log.message.downconversion.enable", BOOLEAN, "true", NO_CHECK, CLUSTER,
    FALSE, IGNORED,
    "Whether old fetch versions get records down-converted.", NULL },
  { "log.local.retention.ms", LONG, "-2", AT_LEAST (-2), CLUSTER, FALSE,
    IGNORED, "Local retention with tiered storage; -2 means "
    "log.retention.ms.", "No tiered storage." },
  { "log.local.retention.bytes", LONG, "-2", AT_LEAST (-2), CLUSTER, FALSE,
    IGNORED, "Local size limit with tiered storage; -2 means "
    "log.retention.bytes.", "No tiered storage." },
  { "remote.log.storage.system.enable", BOOLEAN, "false", NO_CHECK, RO,
    FALSE, IGNORED, "Whether tiered storage is enabled.",
    "No tiered storage." },
  { "num.recovery.threads.per.data.dir", INT, "1", AT_LEAST (1), CLUSTER,
    FALSE, IGNORED, "Threads per log directory for recovery at start.",
    NULL },

  /* Consumer groups and internal topics. */
  { "offsets.topic.replication.factor", SHORT, "3", AT_LEAST (1), RO, FALSE,
    PARTIAL, "The replication factor of the committed-offsets topic.",
    "Cluster mode: __consumer_offsets is created with it once that many "
    "brokers are live (docs/groups.md); a single node keeps its own." },
  { "offsets.topic.num.partitions", INT, "50", AT_LEAST (1), RO, FALSE,
    IGNORED, "The partition count of the committed-offsets topic.", NULL },
  { "offsets.retention.minutes", INT, "10080", AT_LEAST (1), RO, FALSE,
    IGNORED, "How long the committed offsets of an empty group are kept.",
    "No consumer group coordinator yet." },
  { "group.initial.rebalance.delay.ms", INT, "3000", NO_CHECK, RO, FALSE,
    IGNORED, "How long a new group waits for more members before its first "
    "rebalance.", "No consumer group coordinator yet." },
  { "group.min.session.timeout.ms", INT, "6000", NO_CHECK, RO, FALSE,
    IGNORED, "The shortest session timeout a member may ask for.",
    "No consumer group coordinator yet." },
  { "group.max.session.timeout.ms", INT, "1800000", NO_CHECK, RO, FALSE,
    IGNORED, "The longest session timeout a member may ask for.",
    "No consumer group coordinator yet." },
  { "transaction.state.log.replication.factor", SHORT, "3", AT_LEAST (1), RO,
    FALSE, IGNORED, "The replication factor of the transaction state topic.",
    "No transactions yet." },
  { "transaction.state.log.min.isr", INT, "2", AT_LEAST (1), RO, FALSE,
    IGNORED, "min.insync.replicas of the transaction state topic.",
    "No transactions yet." },

  /* Cluster coordination. */
  { "zookeeper.connect", STRING, NULL, NO_CHECK, RO, FALSE, PARTIAL,
    "The ZooKeeper connection string (host:port,…[/chroot]); setting it "
    "turns cluster mode on.",
    "Brokers register, elect a controller and replicate partitions "
    "(docs/cluster.md). Use numeric "
    "addresses: the ZooKeeper client resolves names with blocking calls." },
  { "zookeeper.session.timeout.ms", INT, "18000", AT_LEAST (1), RO, FALSE,
    YES, "The ZooKeeper session timeout: how long after a broker dies its "
    "registration (and controllership) lasts.", NULL },
  { "zookeeper.connection.timeout.ms", INT, NULL, NO_CHECK, RO, FALSE,
    YES, "How long to wait for a ZooKeeper connection; when unset, "
    "zookeeper.session.timeout.ms.",
    "Bounds the start: caudald exits when it cannot register in time." },
  { "producer.id.expiration.ms", LONG, "86400000", AT_LEAST (1), RO, FALSE, YES,
    "How long after its newest batch an idempotent producer's sequence state "
    "is kept (counted from the batch's max timestamp, as Kafka).", NULL },
  /* Replication (docs/cluster.md). */
  { "replica.lag.time.max.ms", LONG, "30000", AT_LEAST (1), RO, FALSE, YES,
    "How long a follower may lag before the leader drops it from the ISR.",
    NULL },
  { "replica.fetch.wait.max.ms", INT, "500", AT_LEAST (0), RO, FALSE, YES,
    "How long a follower's fetch waits at the leader for new data.", NULL },
  { "replica.fetch.max.bytes", INT, "1048576", AT_LEAST (0), RO, FALSE, YES,
    "How many bytes a follower fetches per partition at most.", NULL },
  { "replica.fetch.backoff.ms", INT, "1000", AT_LEAST (0), RO, FALSE, YES,
    "How long a follower waits after a failed fetch.", NULL },
  { "replica.high.watermark.checkpoint.interval.ms", LONG, "5000", AT_LEAST (1), RO,
    FALSE, YES, "How often high watermarks are written to disk.", NULL },
  { "process.roles", LIST, "", ONE_OF (process_roles), RO, FALSE, IGNORED,
    "The KRaft roles of this process.", "caudald has no KRaft." },
  { "controller.quorum.voters", LIST, "", NO_CHECK, RO, FALSE, IGNORED,
    "The KRaft controller quorum.", "caudald has no KRaft." },
  { "controller.listener.names", STRING, NULL, NO_CHECK, RO, FALSE, IGNORED,
    "The listeners KRaft controllers use.", "caudald has no KRaft." },

  /* TLS: accepted so Kafka's files load; SSL listeners are refused. */
  { "ssl.keystore.location", STRING, NULL, NO_CHECK, PER, FALSE, IGNORED,
    "The key store file.", "No SSL yet." },
  { "ssl.keystore.password", PASSWORD, NULL, NO_CHECK, PER, TRUE, IGNORED,
    "The key store password.", "No SSL yet." },
  { "ssl.key.password", PASSWORD, NULL, NO_CHECK, PER, TRUE, IGNORED,
    "The password of the private key.", "No SSL yet." },
  { "ssl.truststore.location", STRING, NULL, NO_CHECK, PER, FALSE, IGNORED,
    "The trust store file.", "No SSL yet." },
  { "ssl.truststore.password", PASSWORD, NULL, NO_CHECK, PER, TRUE, IGNORED,
    "The trust store password.", "No SSL yet." },
};

/**
 * broker_config_get_table:
 * @n_defs: (out) (optional): the number of rows
 *
 * Returns: the broker key table, in documentation order.
 */
const BrokerConfigDef *
broker_config_get_table (gsize *n_defs)
{
  if (n_defs != NULL)
    *n_defs = G_N_ELEMENTS (broker_table);
  return broker_table;
}

/**
 * broker_config_lookup:
 *
 * Returns: (nullable): the row of @key, or %NULL for an unknown key.
 */
const BrokerConfigDef *
broker_config_lookup (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (broker_table); i++)
    if (strcmp (broker_table[i].name, key) == 0)
      return &broker_table[i];
  return NULL;
}
