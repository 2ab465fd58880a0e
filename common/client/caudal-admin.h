/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin.h: the admin API of libcaudal on a CaudalCluster: the
 * cluster, topics, configs, offsets and consumer groups, as typed results
 * instead of wire structs. Works against any Kafka-protocol broker: each
 * request is sent at the highest version both sides speak.
 *
 * Every operation is an _async/_finish pair taking a GCancellable and
 * completing on the thread-default main context of the caller. Errors:
 * what a broker answered is in the CAUDAL_KAFKA_ERROR domain with the
 * Kafka error code (caudal-error-codes.h) and a message
 * "NAME: broker message"; failures of the client (cannot connect, timed
 * out, a request the broker does not offer, an unknown partition) are in
 * CAUDAL_CLIENT_ERROR; cancellation is G_IO_ERROR_CANCELLED.
 *
 * Results are plain structs in reference-counted boxes: take a reference
 * with the type's _ref(), drop it with _unref() (the last one frees the
 * struct and what it owns); g_autoptr() works on each. Each also has a
 * boxed GType. Fields are read-only for callers.
 *
 * Routing: CreateTopics, DeleteTopics and CreatePartitions go to the
 * controller; group requests to the group's coordinator (FindCoordinator,
 * cached per group; refreshed and retried once on NOT_COORDINATOR or
 * COORDINATOR_NOT_AVAILABLE); ListOffsets to each partition's leader
 * (metadata refreshed and retried once on NOT_LEADER_OR_FOLLOWER); configs
 * of a broker to that broker; DescribeLogDirs to every broker. */
#pragma once

#include "caudal-assignor.h"
#include "caudal-cluster.h"

G_BEGIN_DECLS

#define CAUDAL_TYPE_ADMIN (caudal_admin_get_type ())
CAUDAL_CLIENT_EXPORT
G_DECLARE_FINAL_TYPE (CaudalAdmin, caudal_admin, CAUDAL, ADMIN, GObject)

/* Takes a reference on @cluster, whose metadata cache the admin refreshes
 * as it needs. */
CAUDAL_CLIENT_EXPORT CaudalAdmin   *caudal_admin_new         (CaudalCluster *cluster);
CAUDAL_CLIENT_EXPORT CaudalCluster *caudal_admin_get_cluster (CaudalAdmin   *admin);

/* Declares _ref, _unref, the boxed GType and the g_autoptr cleanup. */
#define CAUDAL_ADMIN_DECLARE_RESULT(TypeName, type_name)                          \
  CAUDAL_CLIENT_EXPORT TypeName *type_name##_ref      (TypeName *self);            \
  CAUDAL_CLIENT_EXPORT void      type_name##_unref    (TypeName *self);            \
  CAUDAL_CLIENT_EXPORT GType     type_name##_get_type (void) G_GNUC_CONST;         \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (TypeName, type_name##_unref)

/* ==== cluster ==== */

/**
 * CaudalAdminBroker:
 * @node_id: the broker's id
 * @host: its advertised host
 * @port: its advertised port
 * @rack: (nullable): its rack
 */
typedef struct
{
  gint32   node_id;
  char    *host;
  guint16  port;
  char    *rack;
} CaudalAdminBroker;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminBroker, caudal_admin_broker)

/**
 * CaudalAdminClusterDescription:
 * @cluster_id: (nullable): the cluster id (NULL from brokers before
 *   Metadata v2)
 * @controller_id: the controller's node id as the broker reports it, -1
 *   when unknown (some brokers, librdkafka's mock among them, name one
 *   that is not in @brokers)
 * @brokers: (element-type CaudalAdminBroker): the brokers, by node id
 */
typedef struct
{
  char      *cluster_id;
  gint32     controller_id;
  GPtrArray *brokers;
} CaudalAdminClusterDescription;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminClusterDescription, caudal_admin_cluster_description)

/* DescribeCluster when the broker offers it, else Metadata (no topics). */
CAUDAL_CLIENT_EXPORT void caudal_admin_describe_cluster_async (CaudalAdmin        *admin,
                                                               GCancellable       *cancellable,
                                                               GAsyncReadyCallback callback,
                                                               gpointer            user_data);
/* Returns: (transfer full): the cluster, or NULL with @error set. */
CAUDAL_CLIENT_EXPORT CaudalAdminClusterDescription *
caudal_admin_describe_cluster_finish (CaudalAdmin  *admin,
                                      GAsyncResult *result,
                                      GError      **error);

/* ==== topics ==== */

/**
 * CaudalAdminTopicListing:
 * @name: the topic's name
 * @internal: whether it is internal (such as __consumer_offsets)
 */
typedef struct
{
  char     *name;
  gboolean  internal;
} CaudalAdminTopicListing;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminTopicListing, caudal_admin_topic_listing)

/* Every topic (Metadata for all topics). */
CAUDAL_CLIENT_EXPORT void caudal_admin_list_topics_async (CaudalAdmin        *admin,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminTopicListing):
 * the topics sorted by name (the array frees its elements), or NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_list_topics_finish (CaudalAdmin  *admin,
                                                                 GAsyncResult *result,
                                                                 GError      **error);

/**
 * CaudalAdminPartitionDescription:
 * @partition: the partition number
 * @leader: the leader's node id, -1 when there is none
 * @leader_epoch: the leader epoch, -1 when the broker does not say
 * @replicas: (element-type gint32): the replicas' node ids
 * @isr: (element-type gint32): the in-sync replicas
 * @offline: (element-type gint32): the offline replicas
 * @error: the partition's error code (LEADER_NOT_AVAILABLE…), 0 if none
 */
typedef struct
{
  gint32  partition;
  gint32  leader;
  gint32  leader_epoch;
  GArray *replicas;
  GArray *isr;
  GArray *offline;
  gint16  error;
} CaudalAdminPartitionDescription;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminPartitionDescription, caudal_admin_partition_description)

/**
 * CaudalAdminTopicDescription:
 * @name: the topic's name
 * @topic_id: (nullable): its id as Kafka prints it (22 characters of
 *   URL-safe base64), NULL when the broker does not send ids (Metadata
 *   before v10) or sends the zero id
 * @internal: whether it is internal
 * @partitions: (element-type CaudalAdminPartitionDescription): by number
 */
typedef struct
{
  char      *name;
  char      *topic_id;
  gboolean   internal;
  GPtrArray *partitions;
} CaudalAdminTopicDescription;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminTopicDescription, caudal_admin_topic_description)

/* Describes @topics (NULL-terminated, at least one). An unknown topic
 * fails the call with UNKNOWN_TOPIC_OR_PARTITION; topics are never
 * auto-created (brokers before Metadata v4, which may create a topic a
 * request names, are asked for every topic instead). */
CAUDAL_CLIENT_EXPORT void caudal_admin_describe_topics_async (CaudalAdmin        *admin,
                                                              const char *const  *topics,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminTopicDescription):
 * in the order asked, or NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_describe_topics_finish (CaudalAdmin  *admin,
                                                                     GAsyncResult *result,
                                                                     GError      **error);

/* Creates @name with @partitions (-1: the broker's num.partitions) and
 * @replication_factor (-1: the broker's default.replication.factor; on
 * brokers before CreateTopics v4, -1 means 1 for both), with @configs
 * (nullable; name → value, both strings) as the topic's overrides. With
 * @validate_only the broker only checks the request. Errors such as
 * TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, INVALID_PARTITIONS,
 * INVALID_CONFIG come in CAUDAL_KAFKA_ERROR. */
CAUDAL_CLIENT_EXPORT void     caudal_admin_create_topic_async  (CaudalAdmin        *admin,
                                                                const char         *name,
                                                                gint32              partitions,
                                                                gint16              replication_factor,
                                                                GHashTable         *configs,
                                                                gboolean            validate_only,
                                                                GCancellable       *cancellable,
                                                                GAsyncReadyCallback callback,
                                                                gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_admin_create_topic_finish (CaudalAdmin  *admin,
                                                                GAsyncResult *result,
                                                                GError      **error);

/* The configs a topic created now with the broker's defaults (no
 * overrides) would get, for a form to show before the topic exists: a
 * validate-only CreateTopics (v5+, which returns them: KIP-525) for a
 * placeholder name, on the controller; nothing is created. Brokers before
 * CreateTopics v5 fail with CAUDAL_CLIENT_ERROR_UNSUPPORTED. */
CAUDAL_CLIENT_EXPORT void       caudal_admin_describe_new_topic_configs_async  (CaudalAdmin        *admin,
                                                                                GCancellable       *cancellable,
                                                                                GAsyncReadyCallback callback,
                                                                                gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminConfigEntry):
 * sorted by name, each with its value (NULL when sensitive), source
 * (DEFAULT_CONFIG, or a broker config that sets it) and no synonyms; or
 * NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_describe_new_topic_configs_finish (CaudalAdmin  *admin,
                                                                                GAsyncResult *result,
                                                                                GError      **error);

/* Deletes the topic @name (UNKNOWN_TOPIC_OR_PARTITION when there is none). */
CAUDAL_CLIENT_EXPORT void     caudal_admin_delete_topic_async  (CaudalAdmin        *admin,
                                                                const char         *name,
                                                                GCancellable       *cancellable,
                                                                GAsyncReadyCallback callback,
                                                                gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_admin_delete_topic_finish (CaudalAdmin  *admin,
                                                                GAsyncResult *result,
                                                                GError      **error);

/* Grows @topic to @total_count partitions (the new total, as Kafka's
 * CreatePartitions; INVALID_PARTITIONS when not more than now). */
CAUDAL_CLIENT_EXPORT void     caudal_admin_create_partitions_async  (CaudalAdmin        *admin,
                                                                     const char         *topic,
                                                                     gint32              total_count,
                                                                     GCancellable       *cancellable,
                                                                     GAsyncReadyCallback callback,
                                                                     gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_admin_create_partitions_finish (CaudalAdmin  *admin,
                                                                     GAsyncResult *result,
                                                                     GError      **error);

/* ==== configs ==== */

/**
 * CaudalAdminResourceType:
 * @CAUDAL_ADMIN_RESOURCE_TOPIC: a topic, by name
 * @CAUDAL_ADMIN_RESOURCE_BROKER: a broker, by node id ("1"); "" is the
 *   cluster-wide broker default
 *
 * Config resources, by their wire values.
 */
typedef enum
{
  CAUDAL_ADMIN_RESOURCE_TOPIC = 2,
  CAUDAL_ADMIN_RESOURCE_BROKER = 4,
} CaudalAdminResourceType;

/**
 * CaudalAdminConfigSource:
 *
 * Where a config value comes from (DescribeConfigs' ConfigSource, by the
 * names of Kafka's ConfigEntry.ConfigSource).
 */
typedef enum
{
  CAUDAL_ADMIN_CONFIG_SOURCE_UNKNOWN = 0,
  CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG = 1,
  CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG = 2,
  CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  CAUDAL_ADMIN_CONFIG_SOURCE_STATIC_BROKER_CONFIG = 4,
  CAUDAL_ADMIN_CONFIG_SOURCE_DEFAULT_CONFIG = 5,
  CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER_CONFIG = 6,
  CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_CLIENT_METRICS_CONFIG = 7,
  CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_GROUP_CONFIG = 8,
} CaudalAdminConfigSource;

/* Kafka's name for @source ("DYNAMIC_TOPIC_CONFIG"…; "UNKNOWN" for others). */
CAUDAL_CLIENT_EXPORT const char *caudal_admin_config_source_to_string (CaudalAdminConfigSource source);

/**
 * CaudalAdminConfigSynonym:
 * @name: the config's name at that level (e.g. "log.retention.ms")
 * @value: (nullable): its value (NULL if sensitive)
 * @source: the level
 */
typedef struct
{
  char                    *name;
  char                    *value;
  CaudalAdminConfigSource  source;
} CaudalAdminConfigSynonym;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminConfigSynonym, caudal_admin_config_synonym)

/**
 * CaudalAdminConfigEntry:
 * @name: the config's name
 * @value: (nullable): its value; NULL when sensitive (or unset)
 * @source: where @value comes from
 * @read_only: whether it cannot be altered
 * @sensitive: whether the value is hidden
 * @synonyms: (element-type CaudalAdminConfigSynonym): the levels that set
 *   it, the one in effect first
 */
typedef struct
{
  char                    *name;
  char                    *value;
  CaudalAdminConfigSource  source;
  gboolean                 read_only;
  gboolean                 sensitive;
  GPtrArray               *synonyms;
} CaudalAdminConfigEntry;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminConfigEntry, caudal_admin_config_entry)

/* The configs of one resource; @keys (nullable, NULL-terminated): only
 * these (NULL: all). Synonyms are always asked for. */
CAUDAL_CLIENT_EXPORT void caudal_admin_describe_configs_async (CaudalAdmin            *admin,
                                                               CaudalAdminResourceType type,
                                                               const char             *name,
                                                               const char *const      *keys,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
/* Returns: (transfer container) (element-type CaudalAdminConfigEntry):
 * sorted by name, or NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_describe_configs_finish (CaudalAdmin  *admin,
                                                                      GAsyncResult *result,
                                                                      GError      **error);

/**
 * CaudalAdminConfigOpType:
 * @CAUDAL_ADMIN_CONFIG_OP_SET: set the config to the value
 * @CAUDAL_ADMIN_CONFIG_OP_DELETE: remove the override (back to the default)
 */
typedef enum
{
  CAUDAL_ADMIN_CONFIG_OP_SET = 0,
  CAUDAL_ADMIN_CONFIG_OP_DELETE = 1,
} CaudalAdminConfigOpType;

/**
 * CaudalAdminConfigOp:
 * @name: the config
 * @op: what to do
 * @value: (nullable): the value for SET (ignored for DELETE)
 *
 * One change for caudal_admin_incremental_alter_configs_async(); the
 * caller's memory, copied by the call.
 */
typedef struct
{
  const char              *name;
  CaudalAdminConfigOpType  op;
  const char              *value;
} CaudalAdminConfigOp;

/* Applies @ops (@n_ops of them) to the resource's dynamic configs with
 * IncrementalAlterConfigs. Brokers without it get AlterConfigs, which
 * replaces the whole dynamic set: the current dynamic configs are
 * described first, @ops applied to them, and the result sent (a sensitive
 * dynamic config whose value the broker hides, and that @ops do not SET,
 * cannot be carried over: the call fails with CAUDAL_CLIENT_ERROR_UNSUPPORTED
 * before changing anything). */
CAUDAL_CLIENT_EXPORT void     caudal_admin_incremental_alter_configs_async  (CaudalAdmin               *admin,
                                                                             CaudalAdminResourceType    type,
                                                                             const char                *name,
                                                                             const CaudalAdminConfigOp *ops,
                                                                             gsize                      n_ops,
                                                                             GCancellable              *cancellable,
                                                                             GAsyncReadyCallback        callback,
                                                                             gpointer                   user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_admin_incremental_alter_configs_finish (CaudalAdmin  *admin,
                                                                             GAsyncResult *result,
                                                                             GError      **error);

/* ==== offsets ==== */

/* Special specs for CaudalAdminOffsetQuery (ListOffsets timestamps). */
#define CAUDAL_ADMIN_OFFSET_LATEST        (-1)
#define CAUDAL_ADMIN_OFFSET_EARLIEST      (-2)
#define CAUDAL_ADMIN_OFFSET_MAX_TIMESTAMP (-3)

/**
 * CaudalAdminOffsetQuery:
 * @topic: the topic
 * @partition: the partition
 * @spec: %CAUDAL_ADMIN_OFFSET_EARLIEST, %CAUDAL_ADMIN_OFFSET_LATEST,
 *   %CAUDAL_ADMIN_OFFSET_MAX_TIMESTAMP (the record with the highest
 *   timestamp; ListOffsets v7), or a timestamp in ms since the epoch (the
 *   first record at or after it)
 *
 * One question for caudal_admin_list_offsets_async(); copied by the call.
 */
typedef struct
{
  const char *topic;
  gint32      partition;
  gint64      spec;
} CaudalAdminOffsetQuery;

/**
 * CaudalAdminListedOffset:
 * @topic: the topic
 * @partition: the partition
 * @offset: the offset; -1 when no record matches a timestamp
 * @timestamp: the record's timestamp, -1 for EARLIEST/LATEST or no match
 * @leader_epoch: the leader epoch, -1 when the broker does not say
 */
typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  offset;
  gint64  timestamp;
  gint32  leader_epoch;
} CaudalAdminListedOffset;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminListedOffset, caudal_admin_listed_offset)

/* Answers @queries (@n_queries) with ListOffsets on each partition's
 * leader (read_uncommitted). A partition the topic lacks fails with
 * UNKNOWN_TOPIC_OR_PARTITION; MAX_TIMESTAMP on a broker without
 * ListOffsets v7 with CAUDAL_CLIENT_ERROR_UNSUPPORTED. */
CAUDAL_CLIENT_EXPORT void caudal_admin_list_offsets_async (CaudalAdmin                  *admin,
                                                           const CaudalAdminOffsetQuery *queries,
                                                           gsize                         n_queries,
                                                           GCancellable                 *cancellable,
                                                           GAsyncReadyCallback           callback,
                                                           gpointer                      user_data);
/* Returns: (transfer container) (element-type CaudalAdminListedOffset):
 * one per query, in their order, or NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_list_offsets_finish (CaudalAdmin  *admin,
                                                                  GAsyncResult *result,
                                                                  GError      **error);

/* ==== consumer groups ==== */

/**
 * CaudalAdminGroupListing:
 * @group_id: the group
 * @protocol_type: its protocol type ("consumer"; "" for a group that only
 *   stores offsets)
 * @state: (nullable): its state ("Stable", "Empty"…), NULL from brokers
 *   before ListGroups v4
 */
typedef struct
{
  char *group_id;
  char *protocol_type;
  char *state;
} CaudalAdminGroupListing;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminGroupListing, caudal_admin_group_listing)

/* Every group of every broker (ListGroups on each). */
CAUDAL_CLIENT_EXPORT void caudal_admin_list_groups_async (CaudalAdmin        *admin,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminGroupListing):
 * sorted by group id, or NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_list_groups_finish (CaudalAdmin  *admin,
                                                                 GAsyncResult *result,
                                                                 GError      **error);

/**
 * CaudalAdminMemberDescription:
 * @member_id: the member id the coordinator gave
 * @group_instance_id: (nullable): its static instance id
 * @client_id: its client.id
 * @host: its host as the coordinator saw it ("/127.0.0.1")
 * @assignment: (element-type CaudalTopicPartitions): its partitions,
 *   decoded from the ConsumerProtocol assignment (empty for other
 *   protocol types or while rebalancing)
 */
typedef struct
{
  char      *member_id;
  char      *group_instance_id;
  char      *client_id;
  char      *host;
  GPtrArray *assignment;
} CaudalAdminMemberDescription;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminMemberDescription, caudal_admin_member_description)

/**
 * CaudalAdminGroupDescription:
 * @group_id: the group
 * @state: "Stable", "Empty", "PreparingRebalance", "CompletingRebalance",
 *   or "Dead" for a group that does not exist
 * @protocol_type: "consumer", or "" when none
 * @protocol: the chosen assignor ("range"…), "" when none
 * @coordinator: the coordinator's node id
 * @members: (element-type CaudalAdminMemberDescription): in the broker's order
 */
typedef struct
{
  char      *group_id;
  char      *state;
  char      *protocol_type;
  char      *protocol;
  gint32     coordinator;
  GPtrArray *members;
} CaudalAdminGroupDescription;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminGroupDescription, caudal_admin_group_description)

CAUDAL_CLIENT_EXPORT void caudal_admin_describe_group_async (CaudalAdmin        *admin,
                                                             const char         *group_id,
                                                             GCancellable       *cancellable,
                                                             GAsyncReadyCallback callback,
                                                             gpointer            user_data);
CAUDAL_CLIENT_EXPORT CaudalAdminGroupDescription *
caudal_admin_describe_group_finish (CaudalAdmin  *admin,
                                    GAsyncResult *result,
                                    GError      **error);

/**
 * CaudalAdminCommittedOffset:
 * @topic: the topic
 * @partition: the partition
 * @offset: the committed offset, -1 when none
 * @leader_epoch: the committed leader epoch, -1 when none
 * @metadata: (nullable): the commit's metadata string
 */
typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  offset;
  gint32  leader_epoch;
  char   *metadata;
} CaudalAdminCommittedOffset;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminCommittedOffset, caudal_admin_committed_offset)

/* The group's committed offsets (OffsetFetch on its coordinator) for
 * @partitions (nullable; CaudalTopicPartitions*), or every committed
 * partition when NULL. A group that does not exist has none. */
CAUDAL_CLIENT_EXPORT void caudal_admin_list_committed_offsets_async (CaudalAdmin        *admin,
                                                                     const char         *group_id,
                                                                     GPtrArray          *partitions,
                                                                     GCancellable       *cancellable,
                                                                     GAsyncReadyCallback callback,
                                                                     gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminCommittedOffset):
 * sorted by topic and partition; with @partitions, one per partition asked
 * (offset -1 where nothing is committed); without, only committed ones. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_list_committed_offsets_finish (CaudalAdmin  *admin,
                                                                            GAsyncResult *result,
                                                                            GError      **error);

/**
 * CaudalAdminPartitionLag:
 * @topic: the topic
 * @partition: the partition
 * @current_offset: the committed offset, -1 when none
 * @log_end_offset: the partition's latest offset, -1 when unknown
 * @lag: @log_end_offset - @current_offset, -1 when either is unknown
 * @member_id: (nullable): the member that owns it, NULL when none
 * @client_id: (nullable): that member's client id
 * @host: (nullable): that member's host
 *
 * One row of kafka-consumer-groups --describe.
 */
typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  current_offset;
  gint64  log_end_offset;
  gint64  lag;
  char   *member_id;
  char   *client_id;
  char   *host;
} CaudalAdminPartitionLag;
CAUDAL_ADMIN_DECLARE_RESULT (CaudalAdminPartitionLag, caudal_admin_partition_lag)

/* The group's lag: DescribeGroups (owners), OffsetFetch (committed) and
 * ListOffsets LATEST for every partition assigned or committed. */
CAUDAL_CLIENT_EXPORT void caudal_admin_describe_group_lag_async (CaudalAdmin        *admin,
                                                                 const char         *group_id,
                                                                 GCancellable       *cancellable,
                                                                 GAsyncReadyCallback callback,
                                                                 gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminPartitionLag):
 * sorted by topic and partition, or NULL. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_describe_group_lag_finish (CaudalAdmin  *admin,
                                                                        GAsyncResult *result,
                                                                        GError      **error);

/**
 * CaudalAdminOffsetCommit:
 * @topic: the topic
 * @partition: the partition
 * @offset: the offset to commit (the next record to consume)
 *
 * One offset for caudal_admin_alter_group_offsets_async(); copied.
 */
typedef struct
{
  const char *topic;
  gint32      partition;
  gint64      offset;
} CaudalAdminOffsetCommit;

/* Commits @offsets for @group_id as Kafka's admin client does (OffsetCommit
 * with generation -1 and no member): the group must have no members (the
 * coordinator answers UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS
 * otherwise). The first partition error fails the call. */
CAUDAL_CLIENT_EXPORT void     caudal_admin_alter_group_offsets_async  (CaudalAdmin                   *admin,
                                                                       const char                    *group_id,
                                                                       const CaudalAdminOffsetCommit *offsets,
                                                                       gsize                          n_offsets,
                                                                       GCancellable                  *cancellable,
                                                                       GAsyncReadyCallback            callback,
                                                                       gpointer                       user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_admin_alter_group_offsets_finish (CaudalAdmin  *admin,
                                                                       GAsyncResult *result,
                                                                       GError      **error);

/* Deletes @group_id and its offsets (DeleteGroups on its coordinator):
 * NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown. */
CAUDAL_CLIENT_EXPORT void     caudal_admin_delete_group_async  (CaudalAdmin        *admin,
                                                                const char         *group_id,
                                                                GCancellable       *cancellable,
                                                                GAsyncReadyCallback callback,
                                                                gpointer            user_data);
CAUDAL_CLIENT_EXPORT gboolean caudal_admin_delete_group_finish (CaudalAdmin  *admin,
                                                                GAsyncResult *result,
                                                                GError      **error);

/* ==== log dirs ==== */

/**
 * CaudalAdminReplicaLogDir:
 * @topic: the topic
 * @partition: the partition
 * @size: the bytes of its log on disk (the sum of its segments' .log files)
 * @offset_lag: how far a future replica is behind the current one (0 when
 *   @is_future is FALSE)
 * @is_future: whether this is a future replica, being moved to this dir
 *
 * One replica in a CaudalAdminLogDir, freed with it.
 */
typedef struct
{
  char    *topic;
  gint32   partition;
  gint64   size;         /* bytes on disk */
  gint64   offset_lag;
  gboolean is_future;
} CaudalAdminReplicaLogDir;

/**
 * CaudalAdminLogDir:
 * @broker_id: the broker holding the dir
 * @path: the dir's absolute path on that broker
 * @error_code: the Kafka error code for this dir (KAFKA_STORAGE_ERROR for
 *   an offline dir), 0 if none
 * @total_bytes: the size of the dir's volume, -1 when the broker does not
 *   report it (DescribeLogDirs before v4)
 * @usable_bytes: the bytes still free on it, -1 likewise
 * @replicas: (element-type CaudalAdminReplicaLogDir): sorted by topic and
 *   partition
 *
 * Unlike the other results, a plain struct with no reference count or
 * boxed type: free it with caudal_admin_log_dir_free().
 */
typedef struct
{
  gint32     broker_id;
  char      *path;
  gint16     error_code;   /* Kafka error code for this dir */
  gint64     total_bytes;  /* -1 when the broker does not report it (< v4) */
  gint64     usable_bytes; /* -1 likewise */
  GPtrArray *replicas;     /* of CaudalAdminReplicaLogDir */
} CaudalAdminLogDir;

/* Frees @dir and its replicas. */
CAUDAL_CLIENT_EXPORT void       caudal_admin_log_dir_free (CaudalAdminLogDir *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalAdminLogDir, caudal_admin_log_dir_free)

/* Asks every broker of the cluster for its log dirs holding @topics (NULL:
 * all topics). The result is one array of CaudalAdminLogDir over all brokers. */
CAUDAL_CLIENT_EXPORT void       caudal_admin_describe_log_dirs_async  (CaudalAdmin        *admin,
                                                                       const char * const *topics,
                                                                       GCancellable       *cancellable,
                                                                       GAsyncReadyCallback callback,
                                                                       gpointer            user_data);
/* Returns: (transfer container) (element-type CaudalAdminLogDir): sorted
 * by broker id and path (the array frees its elements), or NULL. A topic
 * no broker holds is absent; a broker that fails fails the call. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_admin_describe_log_dirs_finish (CaudalAdmin  *admin,
                                                                       GAsyncResult *result,
                                                                       GError      **error);

G_END_DECLS
