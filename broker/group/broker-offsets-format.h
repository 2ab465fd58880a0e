/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-offsets-format.h: the key and value formats of the records in
 * __consumer_offsets, byte for byte Kafka's (group-coordinator's
 * OffsetCommitKey/Value and GroupMetadataKey/Value schemas), so that Kafka
 * tooling can read the topic, and the group → partition mapping
 * (Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions).
 *
 * Every key and value starts with an int16 version. A key's version is
 * Kafka's record type: 0 and 1 are offset commits (same layout), 2 is
 * group metadata; newer Kafka writes further types (KIP-848 consumer
 * groups, share groups, streams groups), which parse as
 * %BROKER_OFFSETS_KEY_OTHER so that a reader can skip them. A record with
 * a null value (a tombstone) deletes its key.
 *
 * Encoding cannot fail, but every string must fit Kafka's int16 length
 * (32767 bytes; the store checks and reports G_IO_ERROR_INVALID_ARGUMENT):
 * a longer one is a programming error (a critical, and %NULL).
 *
 * Parsing never trusts the input: every read is bounded, unknown versions,
 * truncation, trailing bytes and embedded NULs fail with a
 * %CAUDAL_WIRE_ERROR. */
#pragma once

#include <glib.h>

#include "caudal-wire-types.h"

G_BEGIN_DECLS

/* Key versions (Kafka's record types). */
#define BROKER_OFFSETS_KEY_VERSION_OFFSET_COMMIT_LEGACY 0
#define BROKER_OFFSETS_KEY_VERSION_OFFSET_COMMIT        1
#define BROKER_OFFSETS_KEY_VERSION_GROUP_METADATA       2

/* The value versions written: what Kafka writes since 2.1 / 2.3. */
#define BROKER_OFFSET_COMMIT_VALUE_VERSION   3
#define BROKER_OFFSET_COMMIT_VALUE_MAX       4
#define BROKER_GROUP_METADATA_VALUE_VERSION  3
#define BROKER_GROUP_METADATA_VALUE_MAX      4

/**
 * BrokerOffsetsKeyType:
 * @BROKER_OFFSETS_KEY_OFFSET_COMMIT: key version 0 or 1: group, topic,
 *   partition
 * @BROKER_OFFSETS_KEY_GROUP_METADATA: key version 2: group
 * @BROKER_OFFSETS_KEY_OTHER: any other (non-negative) version: a record
 *   type of newer Kafka this broker does not use; only the version is set
 */
typedef enum
{
  BROKER_OFFSETS_KEY_OFFSET_COMMIT,
  BROKER_OFFSETS_KEY_GROUP_METADATA,
  BROKER_OFFSETS_KEY_OTHER,
} BrokerOffsetsKeyType;

/**
 * BrokerOffsetsKey:
 * @type: the kind of record
 * @version: the key's int16 version as read
 * @group: the group id (offset commit and group metadata keys)
 * @topic: the topic (offset commit keys)
 * @partition: the partition (offset commit keys), else -1
 *
 * A parsed key; clear with broker_offsets_key_clear() (or g_auto()).
 */
typedef struct
{
  BrokerOffsetsKeyType type;
  gint16               version;
  char                *group;
  char                *topic;
  gint32               partition;
} BrokerOffsetsKey;

/* Key version 1: [int16 1][string group][string topic][int32 partition]. */
GBytes  *broker_offsets_encode_offset_commit_key  (const char *group,
                                                   const char *topic,
                                                   gint32      partition);
/* Key version 2: [int16 2][string group]. */
GBytes  *broker_offsets_encode_group_metadata_key (const char *group);
/* Fills @out (which needs no initialisation and must be cleared after,
 * whatever this returns). */
gboolean broker_offsets_parse_key                 (const guint8     *data,
                                                   gsize             len,
                                                   BrokerOffsetsKey *out,
                                                   GError          **error);
void     broker_offsets_key_clear                 (BrokerOffsetsKey *key);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BrokerOffsetsKey, broker_offsets_key_clear)

/**
 * BrokerOffsetCommitValue:
 * @offset: the committed offset
 * @leader_epoch: the leader epoch of the committed record, or -1 (v3+)
 * @metadata: the client's metadata string; %NULL is written as ""
 *   (Kafka's OffsetAndMetadata.NO_METADATA), and parsing never gives %NULL
 * @commit_timestamp: when the commit was made, ms since the epoch
 * @expire_timestamp: v1 only (OffsetCommit v2-v4's retention time), else
 *   -1; writing a value with one >= 0 writes version 1 as Kafka does
 *
 * An OffsetCommitValue.
 */
typedef struct
{
  gint64  offset;
  gint32  leader_epoch;
  char   *metadata;
  gint64  commit_timestamp;
  gint64  expire_timestamp;
} BrokerOffsetCommitValue;

BrokerOffsetCommitValue *broker_offset_commit_value_new    (gint64      offset,
                                                            gint32      leader_epoch,
                                                            const char *metadata,
                                                            gint64      commit_timestamp);
BrokerOffsetCommitValue *broker_offset_commit_value_copy   (const BrokerOffsetCommitValue *value);
void                     broker_offset_commit_value_free   (BrokerOffsetCommitValue *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerOffsetCommitValue, broker_offset_commit_value_free)
/* Version 3 ([int16 3][int64 offset][int32 leader_epoch][string metadata]
 * [int64 commit_timestamp]), or version 1 when @value has an expire
 * timestamp. */
GBytes                  *broker_offset_commit_value_encode (const BrokerOffsetCommitValue *value);
/* As broker_offset_commit_value_encode() but in @version (0-4): fields the
 * version lacks are dropped. For tests and tools. */
GBytes                  *broker_offset_commit_value_encode_version (const BrokerOffsetCommitValue *value,
                                                                    gint16                         version);
/* Versions 0-4 (4: flexible, tagged fields skipped). */
BrokerOffsetCommitValue *broker_offset_commit_value_parse  (const guint8 *data,
                                                            gsize         len,
                                                            GError      **error);

/**
 * BrokerGroupMemberRecord:
 * @member_id: the member id
 * @group_instance_id: (nullable): the static member's instance id (v3+)
 * @client_id: the client id
 * @client_host: the client's host ("/" + address, as Kafka writes it)
 * @rebalance_timeout_ms: v1+; version 0 values take the session timeout,
 *   as Kafka did
 * @session_timeout_ms: the session timeout
 * @subscription: the member's metadata for the chosen protocol (never
 *   %NULL once parsed; %NULL is written as empty)
 * @assignment: the leader's assignment for it (likewise)
 *
 * One member of a GroupMetadataValue.
 */
typedef struct
{
  char   *member_id;
  char   *group_instance_id;
  char   *client_id;
  char   *client_host;
  gint32  rebalance_timeout_ms;
  gint32  session_timeout_ms;
  GBytes *subscription;
  GBytes *assignment;
} BrokerGroupMemberRecord;

BrokerGroupMemberRecord *broker_group_member_record_new  (void);
BrokerGroupMemberRecord *broker_group_member_record_copy (const BrokerGroupMemberRecord *member);
void                     broker_group_member_record_free (BrokerGroupMemberRecord *member);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerGroupMemberRecord, broker_group_member_record_free)

/**
 * BrokerGroupMetadataRecord:
 * @protocol_type: "consumer", "connect"…; %NULL is written as ""
 * @generation: the generation id
 * @protocol: (nullable): the chosen protocol (assignor)
 * @leader: (nullable): the leader's member id
 * @current_state_timestamp: when the group entered its state, ms since
 *   the epoch, or -1 (v2+)
 * @members: BrokerGroupMemberRecord*, owned (never %NULL from _new() or
 *   parsing)
 *
 * A GroupMetadataValue.
 */
typedef struct
{
  char      *protocol_type;
  gint32     generation;
  char      *protocol;
  char      *leader;
  gint64     current_state_timestamp;
  GPtrArray *members;
} BrokerGroupMetadataRecord;

BrokerGroupMetadataRecord *broker_group_metadata_record_new    (void);
BrokerGroupMetadataRecord *broker_group_metadata_record_copy   (const BrokerGroupMetadataRecord *record);
void                       broker_group_metadata_record_free   (BrokerGroupMetadataRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerGroupMetadataRecord, broker_group_metadata_record_free)
/* Version 3. */
GBytes                    *broker_group_metadata_record_encode (const BrokerGroupMetadataRecord *record);
/* In @version (0-4), for tests and tools. */
GBytes                    *broker_group_metadata_record_encode_version (const BrokerGroupMetadataRecord *record,
                                                                        gint16                           version);
/* Versions 0-4. */
BrokerGroupMetadataRecord *broker_group_metadata_record_parse  (const guint8 *data,
                                                                gsize         len,
                                                                GError      **error);

/* Kafka's partitionFor: Utils.abs(groupId.hashCode()) % @n_partitions,
 * with Java's String.hashCode over the UTF-16 code units that Java's
 * UTF-8 decoder (replacement of malformed input included) makes of
 * @group_id. */
gint32 broker_offsets_partition_for (const char *group_id,
                                     gint32      n_partitions);
/* The Java String.hashCode() of @group_id decoded as Kafka decodes it. */
gint32 broker_offsets_java_string_hash (const char *group_id);

G_END_DECLS
