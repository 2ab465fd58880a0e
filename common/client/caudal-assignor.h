/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-assignor.h: the consumer side of Kafka's classic group protocol
 * (protocol type "consumer"): the ConsumerProtocol subscription and
 * assignment byte formats, and the partition assignors the group leader
 * runs — Kafka's RangeAssignor ("range") and RoundRobinAssignor
 * ("roundrobin"). Pure functions: no I/O. */
#pragma once

#include <gio/gio.h>

#include "caudal-client-types.h"

G_BEGIN_DECLS

#define CAUDAL_ASSIGNOR_RANGE      "range"
#define CAUDAL_ASSIGNOR_ROUNDROBIN "roundrobin"

/**
 * CaudalTopicPartitions:
 * @topic: a topic name
 * @partitions: (element-type gint32): partition numbers, ascending
 *
 * One topic's partitions in an assignment.
 */
typedef struct
{
  char   *topic;
  GArray *partitions;
} CaudalTopicPartitions;

CAUDAL_CLIENT_EXPORT CaudalTopicPartitions *caudal_topic_partitions_new  (const char *topic);
CAUDAL_CLIENT_EXPORT void                   caudal_topic_partitions_free (CaudalTopicPartitions *tp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalTopicPartitions, caudal_topic_partitions_free)

/**
 * CaudalGroupMemberSubscription:
 * @member_id: the member id the coordinator gave
 * @group_instance_id: (nullable): its static instance id (KIP-345)
 * @topics: the topics it subscribes to
 * @user_data: (nullable): the subscription's user data
 *
 * One member as the leader sees it in the JoinGroup response.
 */
typedef struct
{
  char   *member_id;
  char   *group_instance_id;
  GStrv   topics;
  GBytes *user_data;
} CaudalGroupMemberSubscription;

CAUDAL_CLIENT_EXPORT void caudal_group_member_subscription_free (CaudalGroupMemberSubscription *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalGroupMemberSubscription, caudal_group_member_subscription_free)

/* ConsumerProtocolSubscription v0: int16 version, [string] topics,
 * nullable bytes user_data. */
CAUDAL_CLIENT_EXPORT GBytes  *caudal_consumer_protocol_encode_subscription (const char *const *topics,
                                                                            GBytes            *user_data);
/* Decodes any version (v1+ only append fields, which are skipped).
 * Returns the topics; @user_data (optional) gets the user data or NULL. */
CAUDAL_CLIENT_EXPORT GStrv    caudal_consumer_protocol_decode_subscription (const guint8 *data,
                                                                            gsize         len,
                                                                            GBytes      **user_data,
                                                                            GError      **error);
/* ConsumerProtocolAssignment v0: int16 version, [(string topic,
 * [int32 partition])], nullable bytes user_data. @assignment holds
 * CaudalTopicPartitions*. */
CAUDAL_CLIENT_EXPORT GBytes    *caudal_consumer_protocol_encode_assignment (GPtrArray *assignment,
                                                                            GBytes    *user_data);
/* Any version; empty input (some leaders send it for "nothing") is an
 * empty assignment. Returns CaudalTopicPartitions*. */
CAUDAL_CLIENT_EXPORT GPtrArray *caudal_consumer_protocol_decode_assignment (const guint8 *data,
                                                                            gsize         len,
                                                                            GBytes      **user_data,
                                                                            GError      **error);

/* Whether @name is an assignor caudal implements ("range", "roundrobin"). */
CAUDAL_CLIENT_EXPORT gboolean caudal_assignor_is_known (const char *name);

/**
 * caudal_assignor_assign:
 * @name: "range" or "roundrobin"
 * @members: (element-type CaudalGroupMemberSubscription): the members
 * @partition_counts: topic name → GINT_TO_POINTER (partition count); topics
 *   missing from it (unknown to the metadata) are not assigned
 * @error: return location for a #GError
 *
 * Computes the group's assignment as Kafka's assignor of that name does
 * (members ordered by group instance id, then member id).
 *
 * Returns: (transfer full): member id → GPtrArray of
 *   CaudalTopicPartitions* (sorted by topic), one entry for every member,
 *   or NULL for an unknown assignor
 */
CAUDAL_CLIENT_EXPORT GHashTable *caudal_assignor_assign (const char *name,
                                                         GPtrArray  *members,
                                                         GHashTable *partition_counts,
                                                         GError    **error);

G_END_DECLS
