/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-admin-util.h: what the admin handlers (CreateTopics, DeleteTopics,
 * CreatePartitions, DeleteRecords, the config APIs) share: GError to Kafka
 * error mapping, replica assignment checks, config resources. */
#pragma once

#include "broker.h"
#include "broker-request.h"
#include "broker-topics.h"

G_BEGIN_DECLS

/* ConfigResource.Type ids, as DescribeConfigs and the AlterConfigs APIs
 * send them (org.apache.kafka.common.config.ConfigResource). */
typedef enum
{
  BROKER_RESOURCE_UNKNOWN = 0,
  BROKER_RESOURCE_TOPIC = 2,
  BROKER_RESOURCE_BROKER = 4,
  BROKER_RESOURCE_BROKER_LOGGER = 8,
} BrokerResourceType;

/* IncrementalAlterConfigs config_operation (AlterConfigOp.OpType). */
typedef enum
{
  BROKER_CONFIG_OP_SET = 0,
  BROKER_CONFIG_OP_DELETE = 1,
  BROKER_CONFIG_OP_APPEND = 2,
  BROKER_CONFIG_OP_SUBTRACT = 3,
} BrokerConfigOp;

/* The Kafka error code for an error from the topic registry, a log, the
 * metadata store or the configuration tables; NONE for %NULL. The one
 * place that mapping lives. */
gint16      broker_error_from_gerror   (const GError *error);
/* @error's message copied into the request's arena (%NULL for %NULL). */
char       *broker_error_message       (BrokerRequest *req,
                                        const GError  *error);
/* printf into the request's arena, for error_message fields. */
char       *broker_request_printf      (BrokerRequest *req,
                                        const char    *format,
                                        ...) G_GNUC_PRINTF (2, 3);

/* Checks one manual replica assignment (CreateTopics, CreatePartitions)
 * against the one broker there is, with the checks and messages of
 * Kafka's ReplicationControlManager.validateManualPartitionAssignment.
 * @expected_rf: the replica count the other partitions have, or -1.
 * Returns INVALID_REPLICA_ASSIGNMENT (with *message set, arena) or NONE. */
gint16      broker_admin_check_replicas (BrokerRequest *req,
                                         const gint32  *broker_ids,
                                         gint32         n_broker_ids,
                                         gint32         expected_rf,
                                         char         **message);

/* The BROKER resource name check of Kafka's ConfigAdminManager
 * (validateResourceNameIsCurrentNodeId): the name must be our node id.
 * Returns INVALID_REQUEST (with *message set, arena) or NONE. */
gint16      broker_admin_check_node_id  (BrokerRequest *req,
                                         const char    *name,
                                         char         **message);

/* A new char* → char* table (both owned) holding a copy of @configs
 * (nullable). */
GHashTable *broker_admin_configs_copy   (GHashTable *configs);
/* Checks every override with broker_topic_config_validate(). Returns
 * the error code (INVALID_CONFIG…) with *message set (arena), or NONE. */
gint16      broker_admin_validate_topic_configs (BrokerRequest *req,
                                                 GHashTable    *configs,
                                                 char         **message);
/* Validates @configs, then (unless @validate_only) makes them the whole
 * set of @topic's overrides, durably. Returns a Kafka error code, with
 * *message set (arena) on error. */
gint16      broker_admin_replace_topic_configs (BrokerRequest *req,
                                                BrokerTopic   *topic,
                                                GHashTable    *configs,
                                                gboolean       validate_only,
                                                char         **message);
/* Every topic key's DescribeConfigs entry (BrokerConfigEntry, cleared on
 * free) for a topic with @overrides, in table (alphabetical) order. */
GArray     *broker_admin_describe_topic (Broker     *broker,
                                         GHashTable *overrides,
                                         gboolean    include_synonyms);

/* Counting names in a request, to find duplicates (Kafka answers each
 * copy with INVALID_REQUEST). NULL names are not counted. */
GHashTable *broker_admin_name_counts_new (void);
void        broker_admin_name_counts_add (GHashTable *counts,
                                          const char *name);
guint       broker_admin_name_counts_get (GHashTable *counts,
                                          const char *name);

G_END_DECLS
