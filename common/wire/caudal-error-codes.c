/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-error-codes.c: the Kafka error-code table.
 *
 * Names and codes are Kafka's (the protocol guide's "Error Codes" table and
 * the Errors enum of the Java client); the retriable flags follow Kafka's
 * exception hierarchy (an error is retriable when its exception derives
 * from RetriableException); the messages are our own short summaries.
 *
 * The table is indexed by code - CAUDAL_ERROR_CODE_FIRST through designated
 * initialisers, so lookup by code is one bounds check and one index; the
 * name is the enumerator's own spelling, so enum and name cannot drift
 * apart. A code listed twice is a compile error under -Wextra
 * (-Woverride-init), a code above CAUDAL_ERROR_CODE_LAST fails the static
 * assertion below, and a gap (an all-zero entry) is caught by
 * test-error-codes, which also checks the order, the uniqueness of names
 * and that every entry has a message. */
#include "caudal-error-codes.h"

#include <string.h>

#define ENTRY(sym, retriable, message) \
  [CAUDAL_ERROR_CODE_ ## sym - CAUDAL_ERROR_CODE_FIRST] = \
    { CAUDAL_ERROR_CODE_ ## sym, retriable, #sym, message }

#define R TRUE   /* retriable */
#define F FALSE  /* not retriable */

static const CaudalErrorCodeInfo error_codes[] = {
  ENTRY (UNKNOWN_SERVER_ERROR, F,
         "The server hit an unexpected error while handling the request."),
  ENTRY (NONE, F,
         "No error."),
  ENTRY (OFFSET_OUT_OF_RANGE, F,
         "The requested offset is outside the range the server holds."),
  ENTRY (CORRUPT_MESSAGE, R,
         "The message failed its CRC check, has an invalid size, has a null "
         "key on a compacted topic or is otherwise corrupt."),
  ENTRY (UNKNOWN_TOPIC_OR_PARTITION, R,
         "This server does not host the topic-partition."),
  ENTRY (INVALID_FETCH_SIZE, F,
         "The requested fetch size is invalid."),
  ENTRY (LEADER_NOT_AVAILABLE, R,
         "The topic-partition has no leader while an election is under way."),
  ENTRY (NOT_LEADER_OR_FOLLOWER, R,
         "This broker is not the leader, or not a replica, of the "
         "topic-partition."),
  ENTRY (REQUEST_TIMED_OUT, R,
         "The request timed out."),
  ENTRY (BROKER_NOT_AVAILABLE, F,
         "The broker is not available."),
  ENTRY (REPLICA_NOT_AVAILABLE, R,
         "The replica is not available for the topic-partition."),
  ENTRY (MESSAGE_TOO_LARGE, F,
         "The request holds a message larger than the server accepts."),
  ENTRY (STALE_CONTROLLER_EPOCH, F,
         "The controller has moved to another broker."),
  ENTRY (OFFSET_METADATA_TOO_LARGE, F,
         "The metadata of the offset commit is too large."),
  ENTRY (NETWORK_EXCEPTION, R,
         "The server disconnected before a response was received."),
  ENTRY (COORDINATOR_LOAD_IN_PROGRESS, R,
         "The coordinator is still loading and cannot serve requests yet."),
  ENTRY (COORDINATOR_NOT_AVAILABLE, R,
         "The coordinator is not available."),
  ENTRY (NOT_COORDINATOR, R,
         "This broker is not the right coordinator."),
  ENTRY (INVALID_TOPIC_EXCEPTION, F,
         "The request names an invalid topic."),
  ENTRY (RECORD_LIST_TOO_LARGE, F,
         "The request holds a record batch larger than the server's segment "
         "size."),
  ENTRY (NOT_ENOUGH_REPLICAS, R,
         "Rejected: there are fewer in-sync replicas than required."),
  ENTRY (NOT_ENOUGH_REPLICAS_AFTER_APPEND, R,
         "Written to the log, but to fewer in-sync replicas than required."),
  ENTRY (INVALID_REQUIRED_ACKS, F,
         "The produce request has an invalid acks value."),
  ENTRY (ILLEGAL_GENERATION, F,
         "The group generation id is not valid."),
  ENTRY (INCONSISTENT_GROUP_PROTOCOL, F,
         "The member's protocols do not match the group's, or its protocol "
         "type or list is empty."),
  ENTRY (INVALID_GROUP_ID, F,
         "The group id is invalid."),
  ENTRY (UNKNOWN_MEMBER_ID, F,
         "The coordinator does not know this member."),
  ENTRY (INVALID_SESSION_TIMEOUT, F,
         "The session timeout is outside the range the broker allows."),
  ENTRY (REBALANCE_IN_PROGRESS, F,
         "The group is rebalancing; the member must rejoin."),
  ENTRY (INVALID_COMMIT_OFFSET_SIZE, F,
         "The size of the committed offset data is invalid."),
  ENTRY (TOPIC_AUTHORIZATION_FAILED, F,
         "Not authorized to access the topic."),
  ENTRY (GROUP_AUTHORIZATION_FAILED, F,
         "Not authorized to access the group."),
  ENTRY (CLUSTER_AUTHORIZATION_FAILED, F,
         "Not authorized to perform this cluster operation."),
  ENTRY (INVALID_TIMESTAMP, F,
         "The message timestamp is outside the acceptable range."),
  ENTRY (UNSUPPORTED_SASL_MECHANISM, F,
         "The broker does not support the requested SASL mechanism."),
  ENTRY (ILLEGAL_SASL_STATE, F,
         "The request is not valid in the current SASL state."),
  ENTRY (UNSUPPORTED_VERSION, F,
         "The API version is not supported."),
  ENTRY (TOPIC_ALREADY_EXISTS, F,
         "A topic with this name already exists."),
  ENTRY (INVALID_PARTITIONS, F,
         "The number of partitions is invalid."),
  ENTRY (INVALID_REPLICATION_FACTOR, F,
         "The replication factor is invalid."),
  ENTRY (INVALID_REPLICA_ASSIGNMENT, F,
         "The replica assignment is invalid."),
  ENTRY (INVALID_CONFIG, F,
         "The configuration is invalid."),
  ENTRY (NOT_CONTROLLER, R,
         "This broker is not the active controller."),
  ENTRY (INVALID_REQUEST, F,
         "The request is malformed or was sent to an incompatible broker; "
         "the broker log has details."),
  ENTRY (UNSUPPORTED_FOR_MESSAGE_FORMAT, F,
         "The broker's message format version does not support the request."),
  ENTRY (POLICY_VIOLATION, F,
         "The request violates a configured policy."),
  ENTRY (OUT_OF_ORDER_SEQUENCE_NUMBER, F,
         "The broker received an out-of-order sequence number."),
  ENTRY (DUPLICATE_SEQUENCE_NUMBER, F,
         "The broker received a duplicate sequence number."),
  ENTRY (INVALID_PRODUCER_EPOCH, F,
         "The producer used an old epoch."),
  ENTRY (INVALID_TXN_STATE, F,
         "The transactional operation is invalid in the current state."),
  ENTRY (INVALID_PRODUCER_ID_MAPPING, F,
         "The producer id is not the one assigned to its transactional id."),
  ENTRY (INVALID_TRANSACTION_TIMEOUT, F,
         "The transaction timeout exceeds the broker's maximum."),
  ENTRY (CONCURRENT_TRANSACTIONS, R,
         "Another operation on the same transaction is in progress."),
  ENTRY (TRANSACTION_COORDINATOR_FENCED, F,
         "The transaction coordinator that sent the marker is no longer "
         "current."),
  ENTRY (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, F,
         "Not authorized to use the transactional id."),
  ENTRY (SECURITY_DISABLED, F,
         "Security features are disabled."),
  ENTRY (OPERATION_NOT_ATTEMPTED, F,
         "The broker skipped this operation because others in the batch "
         "failed."),
  ENTRY (KAFKA_STORAGE_ERROR, R,
         "A disk error occurred while accessing a log file."),
  ENTRY (LOG_DIR_NOT_FOUND, F,
         "The log directory is not in the broker's configuration."),
  ENTRY (SASL_AUTHENTICATION_FAILED, F,
         "SASL authentication failed."),
  ENTRY (UNKNOWN_PRODUCER_ID, F,
         "The broker has no state for this producer id; its records may have "
         "expired."),
  ENTRY (REASSIGNMENT_IN_PROGRESS, F,
         "A partition reassignment is in progress."),
  ENTRY (DELEGATION_TOKEN_AUTH_DISABLED, F,
         "Delegation tokens are not enabled."),
  ENTRY (DELEGATION_TOKEN_NOT_FOUND, F,
         "The delegation token was not found."),
  ENTRY (DELEGATION_TOKEN_OWNER_MISMATCH, F,
         "The principal is not a valid owner or renewer of the token."),
  ENTRY (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, F,
         "Delegation token requests are not allowed on this channel."),
  ENTRY (DELEGATION_TOKEN_AUTHORIZATION_FAILED, F,
         "Delegation token authorization failed."),
  ENTRY (DELEGATION_TOKEN_EXPIRED, F,
         "The delegation token has expired."),
  ENTRY (INVALID_PRINCIPAL_TYPE, F,
         "The principal type is not supported."),
  ENTRY (NON_EMPTY_GROUP, F,
         "The group is not empty."),
  ENTRY (GROUP_ID_NOT_FOUND, F,
         "The group id does not exist."),
  ENTRY (FETCH_SESSION_ID_NOT_FOUND, R,
         "The fetch session id was not found."),
  ENTRY (INVALID_FETCH_SESSION_EPOCH, R,
         "The fetch session epoch is invalid."),
  ENTRY (LISTENER_NOT_FOUND, R,
         "The leader has no listener matching the one the metadata request "
         "arrived on."),
  ENTRY (TOPIC_DELETION_DISABLED, F,
         "Topic deletion is disabled."),
  ENTRY (FENCED_LEADER_EPOCH, R,
         "The leader epoch in the request is older than the broker's."),
  ENTRY (UNKNOWN_LEADER_EPOCH, R,
         "The leader epoch in the request is newer than the broker's."),
  ENTRY (UNSUPPORTED_COMPRESSION_TYPE, F,
         "The client does not support the partition's compression type."),
  ENTRY (STALE_BROKER_EPOCH, F,
         "The broker epoch has changed."),
  ENTRY (OFFSET_NOT_AVAILABLE, R,
         "The new leader's high watermark has not caught up, so offsets are "
         "not available yet."),
  ENTRY (MEMBER_ID_REQUIRED, F,
         "The member needs a member id before it can join the group."),
  ENTRY (PREFERRED_LEADER_NOT_AVAILABLE, R,
         "The preferred leader is not available."),
  ENTRY (GROUP_MAX_SIZE_REACHED, F,
         "The group has reached its maximum size."),
  ENTRY (FENCED_INSTANCE_ID, F,
         "Another member with the same group.instance.id has registered."),
  ENTRY (ELIGIBLE_LEADERS_NOT_AVAILABLE, R,
         "No eligible leader is available for the topic-partition."),
  ENTRY (ELECTION_NOT_NEEDED, R,
         "The topic-partition does not need a leader election."),
  ENTRY (NO_REASSIGNMENT_IN_PROGRESS, F,
         "No partition reassignment is in progress."),
  ENTRY (GROUP_SUBSCRIBED_TO_TOPIC, F,
         "The offsets of a topic the group subscribes to cannot be deleted."),
  ENTRY (INVALID_RECORD, F,
         "The broker rejected a record that failed validation."),
  ENTRY (UNSTABLE_OFFSET_COMMIT, R,
         "There are unstable offsets waiting to be cleared."),
  ENTRY (THROTTLING_QUOTA_EXCEEDED, R,
         "The throttling quota has been exceeded."),
  ENTRY (PRODUCER_FENCED, F,
         "A newer producer with the same transactional id has fenced this "
         "one."),
  ENTRY (RESOURCE_NOT_FOUND, F,
         "The request refers to a resource that does not exist."),
  ENTRY (DUPLICATE_RESOURCE, F,
         "The request refers to the same resource twice."),
  ENTRY (UNACCEPTABLE_CREDENTIAL, F,
         "The credential does not meet the acceptability criteria."),
  ENTRY (INCONSISTENT_VOTER_SET, F,
         "The sender or receiver of a voter-only request is not an expected "
         "voter."),
  ENTRY (INVALID_UPDATE_VERSION, F,
         "The update version is invalid."),
  ENTRY (FEATURE_UPDATE_FAILED, F,
         "A server error prevented updating the finalized features."),
  ENTRY (PRINCIPAL_DESERIALIZATION_FAILURE, F,
         "The principal of a forwarded request could not be deserialized."),
  ENTRY (SNAPSHOT_NOT_FOUND, F,
         "The snapshot was not found."),
  ENTRY (POSITION_OUT_OF_RANGE, F,
         "The position lies outside the snapshot."),
  ENTRY (UNKNOWN_TOPIC_ID, R,
         "This server does not host a topic with this id."),
  ENTRY (DUPLICATE_BROKER_REGISTRATION, F,
         "This broker id is already in use."),
  ENTRY (BROKER_ID_NOT_REGISTERED, F,
         "This broker id is not registered."),
  ENTRY (INCONSISTENT_TOPIC_ID, R,
         "The topic id in the request does not match the log's."),
  ENTRY (INCONSISTENT_CLUSTER_ID, F,
         "The cluster id in the request does not match the server's."),
  ENTRY (TRANSACTIONAL_ID_NOT_FOUND, F,
         "The transactional id was not found."),
  ENTRY (FETCH_SESSION_TOPIC_ID_ERROR, R,
         "The fetch session used topic ids inconsistently."),
  ENTRY (INELIGIBLE_REPLICA, F,
         "The new ISR contains an ineligible replica."),
  ENTRY (NEW_LEADER_ELECTED, F,
         "The partition state was updated, but the leader has changed."),
  ENTRY (OFFSET_MOVED_TO_TIERED_STORAGE, F,
         "The requested offset has moved to tiered storage."),
  ENTRY (FENCED_MEMBER_EPOCH, F,
         "The member epoch is fenced; the member must give up its partitions "
         "and rejoin."),
  ENTRY (UNRELEASED_INSTANCE_ID, F,
         "Another member still uses this instance id and must leave first."),
  ENTRY (UNSUPPORTED_ASSIGNOR, F,
         "The group does not support the assignor or its version range."),
  ENTRY (STALE_MEMBER_EPOCH, F,
         "The member epoch is stale; retry with the epoch of the latest "
         "heartbeat."),
  ENTRY (MISMATCHED_ENDPOINT_TYPE, F,
         "The request was sent to the wrong type of endpoint."),
  ENTRY (UNSUPPORTED_ENDPOINT_TYPE, F,
         "This endpoint type is not supported."),
  ENTRY (UNKNOWN_CONTROLLER_ID, F,
         "The controller id is not known."),
  ENTRY (UNKNOWN_SUBSCRIPTION_ID, F,
         "The telemetry subscription id is invalid or outdated."),
  ENTRY (TELEMETRY_TOO_LARGE, F,
         "The telemetry push is larger than the broker accepts."),
  ENTRY (INVALID_REGISTRATION, F,
         "The controller considers the broker registration invalid."),
  ENTRY (TRANSACTION_ABORTABLE, F,
         "The transaction failed; abort it to keep using the transactional "
         "id."),
  ENTRY (INVALID_RECORD_STATE, F,
         "The record state is invalid, so the acknowledgement failed."),
  ENTRY (SHARE_SESSION_NOT_FOUND, R,
         "The share session was not found."),
  ENTRY (INVALID_SHARE_SESSION_EPOCH, R,
         "The share session epoch is invalid."),
  ENTRY (FENCED_STATE_EPOCH, F,
         "The share-group state epoch does not match."),
  ENTRY (INVALID_VOTER_KEY, F,
         "The voter key does not match the receiving replica's."),
  ENTRY (DUPLICATE_VOTER, F,
         "The voter is already in the voter set."),
  ENTRY (VOTER_NOT_FOUND, F,
         "The voter is not in the voter set."),
  ENTRY (INVALID_REGULAR_EXPRESSION, F,
         "The regular expression is invalid."),
  ENTRY (REBOOTSTRAP_REQUIRED, F,
         "The client's metadata is stale; it must rebootstrap."),
  ENTRY (STREAMS_INVALID_TOPOLOGY, F,
         "The topology is invalid."),
  ENTRY (STREAMS_INVALID_TOPOLOGY_EPOCH, F,
         "The topology epoch is invalid."),
  ENTRY (STREAMS_TOPOLOGY_FENCED, F,
         "The topology epoch is outdated."),
  ENTRY (SHARE_SESSION_LIMIT_REACHED, R,
         "The limit on share sessions has been reached."),
};

#undef R
#undef F
#undef ENTRY

G_STATIC_ASSERT (G_N_ELEMENTS (error_codes)
                 == CAUDAL_ERROR_CODE_LAST - CAUDAL_ERROR_CODE_FIRST + 1);

static const char unknown_message[] =
  "The error code is not a known Kafka error code.";

G_DEFINE_QUARK (caudal-kafka-error-quark, caudal_kafka_error)

const CaudalErrorCodeInfo *
caudal_error_code_lookup (gint16 code)
{
  const CaudalErrorCodeInfo *info;

  if (code < CAUDAL_ERROR_CODE_FIRST || code > CAUDAL_ERROR_CODE_LAST)
    return NULL;

  info = &error_codes[code - CAUDAL_ERROR_CODE_FIRST];
  /* A gap in the table (an entry nobody initialised) reads as unknown. */
  if (info->name == NULL)
    return NULL;
  return info;
}

const CaudalErrorCodeInfo *
caudal_error_code_get_table (gsize *n_entries)
{
  if (n_entries != NULL)
    *n_entries = G_N_ELEMENTS (error_codes);
  return error_codes;
}

const char *
caudal_error_code_name (gint16 code)
{
  const CaudalErrorCodeInfo *info = caudal_error_code_lookup (code);

  return info != NULL ? info->name : CAUDAL_ERROR_CODE_UNKNOWN_NAME;
}

const char *
caudal_error_code_message (gint16 code)
{
  const CaudalErrorCodeInfo *info = caudal_error_code_lookup (code);

  return info != NULL ? info->message : unknown_message;
}

gboolean
caudal_error_code_is_retriable (gint16 code)
{
  const CaudalErrorCodeInfo *info = caudal_error_code_lookup (code);

  return info != NULL && info->retriable;
}

gboolean
caudal_error_code_from_name (const char *name,
                             gint16     *out)
{
  if (name == NULL)
    return FALSE;

  /* A linear scan of ~135 short names: cheap, lock-free, and only used
   * when parsing text (configuration, tests), never per response. */
  for (gsize i = 0; i < G_N_ELEMENTS (error_codes); i++)
    {
      if (error_codes[i].name != NULL
          && strcmp (error_codes[i].name, name) == 0)
        {
          if (out != NULL)
            *out = error_codes[i].code;
          return TRUE;
        }
    }
  return FALSE;
}

void
caudal_set_kafka_error (GError    **error,
                        gint16      code,
                        const char *detail)
{
  const CaudalErrorCodeInfo *info;

  if (error == NULL)
    return;

  info = caudal_error_code_lookup (code);
  if (detail == NULL || detail[0] == '\0')
    detail = info != NULL ? info->message : unknown_message;

  if (info != NULL)
    g_set_error (error, CAUDAL_KAFKA_ERROR, code, "%s: %s", info->name, detail);
  else
    g_set_error (error, CAUDAL_KAFKA_ERROR, code, "%s(%d): %s",
                 CAUDAL_ERROR_CODE_UNKNOWN_NAME, (int) code, detail);
}
