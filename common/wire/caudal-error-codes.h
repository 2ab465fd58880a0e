/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-error-codes.h: Kafka's protocol error codes (the int16 ErrorCode
 * fields of every response), their names, retriable flags and short
 * messages, and the GError domain for errors reported by a Kafka peer. */
#pragma once

#include "caudal-wire-types.h"

G_BEGIN_DECLS

/**
 * CaudalErrorCode:
 *
 * The error codes of the Kafka protocol, under Kafka's own names with a
 * `CAUDAL_ERROR_CODE_` prefix, from %CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR
 * (-1) and %CAUDAL_ERROR_CODE_NONE (0) to the highest code Kafka defines
 * (%CAUDAL_ERROR_CODE_LAST). The codes are contiguous; each has one entry
 * in the table behind caudal_error_code_lookup().
 *
 * Wire fields are plain gint16 and may carry codes newer than this list,
 * so the functions below take a gint16 and cope with unknown values.
 */
typedef enum
{
  CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR = -1,
  CAUDAL_ERROR_CODE_NONE = 0,
  CAUDAL_ERROR_CODE_OFFSET_OUT_OF_RANGE = 1,
  CAUDAL_ERROR_CODE_CORRUPT_MESSAGE = 2,
  CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION = 3,
  CAUDAL_ERROR_CODE_INVALID_FETCH_SIZE = 4,
  CAUDAL_ERROR_CODE_LEADER_NOT_AVAILABLE = 5,
  CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER = 6,
  CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT = 7,
  CAUDAL_ERROR_CODE_BROKER_NOT_AVAILABLE = 8,
  CAUDAL_ERROR_CODE_REPLICA_NOT_AVAILABLE = 9,
  CAUDAL_ERROR_CODE_MESSAGE_TOO_LARGE = 10,
  CAUDAL_ERROR_CODE_STALE_CONTROLLER_EPOCH = 11,
  CAUDAL_ERROR_CODE_OFFSET_METADATA_TOO_LARGE = 12,
  CAUDAL_ERROR_CODE_NETWORK_EXCEPTION = 13,
  CAUDAL_ERROR_CODE_COORDINATOR_LOAD_IN_PROGRESS = 14,
  CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE = 15,
  CAUDAL_ERROR_CODE_NOT_COORDINATOR = 16,
  CAUDAL_ERROR_CODE_INVALID_TOPIC_EXCEPTION = 17,
  CAUDAL_ERROR_CODE_RECORD_LIST_TOO_LARGE = 18,
  CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS = 19,
  CAUDAL_ERROR_CODE_NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20,
  CAUDAL_ERROR_CODE_INVALID_REQUIRED_ACKS = 21,
  CAUDAL_ERROR_CODE_ILLEGAL_GENERATION = 22,
  CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL = 23,
  CAUDAL_ERROR_CODE_INVALID_GROUP_ID = 24,
  CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID = 25,
  CAUDAL_ERROR_CODE_INVALID_SESSION_TIMEOUT = 26,
  CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS = 27,
  CAUDAL_ERROR_CODE_INVALID_COMMIT_OFFSET_SIZE = 28,
  CAUDAL_ERROR_CODE_TOPIC_AUTHORIZATION_FAILED = 29,
  CAUDAL_ERROR_CODE_GROUP_AUTHORIZATION_FAILED = 30,
  CAUDAL_ERROR_CODE_CLUSTER_AUTHORIZATION_FAILED = 31,
  CAUDAL_ERROR_CODE_INVALID_TIMESTAMP = 32,
  CAUDAL_ERROR_CODE_UNSUPPORTED_SASL_MECHANISM = 33,
  CAUDAL_ERROR_CODE_ILLEGAL_SASL_STATE = 34,
  CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION = 35,
  CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS = 36,
  CAUDAL_ERROR_CODE_INVALID_PARTITIONS = 37,
  CAUDAL_ERROR_CODE_INVALID_REPLICATION_FACTOR = 38,
  CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT = 39,
  CAUDAL_ERROR_CODE_INVALID_CONFIG = 40,
  CAUDAL_ERROR_CODE_NOT_CONTROLLER = 41,
  CAUDAL_ERROR_CODE_INVALID_REQUEST = 42,
  CAUDAL_ERROR_CODE_UNSUPPORTED_FOR_MESSAGE_FORMAT = 43,
  CAUDAL_ERROR_CODE_POLICY_VIOLATION = 44,
  CAUDAL_ERROR_CODE_OUT_OF_ORDER_SEQUENCE_NUMBER = 45,
  CAUDAL_ERROR_CODE_DUPLICATE_SEQUENCE_NUMBER = 46,
  CAUDAL_ERROR_CODE_INVALID_PRODUCER_EPOCH = 47,
  CAUDAL_ERROR_CODE_INVALID_TXN_STATE = 48,
  CAUDAL_ERROR_CODE_INVALID_PRODUCER_ID_MAPPING = 49,
  CAUDAL_ERROR_CODE_INVALID_TRANSACTION_TIMEOUT = 50,
  CAUDAL_ERROR_CODE_CONCURRENT_TRANSACTIONS = 51,
  CAUDAL_ERROR_CODE_TRANSACTION_COORDINATOR_FENCED = 52,
  CAUDAL_ERROR_CODE_TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53,
  CAUDAL_ERROR_CODE_SECURITY_DISABLED = 54,
  CAUDAL_ERROR_CODE_OPERATION_NOT_ATTEMPTED = 55,
  CAUDAL_ERROR_CODE_KAFKA_STORAGE_ERROR = 56,
  CAUDAL_ERROR_CODE_LOG_DIR_NOT_FOUND = 57,
  CAUDAL_ERROR_CODE_SASL_AUTHENTICATION_FAILED = 58,
  CAUDAL_ERROR_CODE_UNKNOWN_PRODUCER_ID = 59,
  CAUDAL_ERROR_CODE_REASSIGNMENT_IN_PROGRESS = 60,
  CAUDAL_ERROR_CODE_DELEGATION_TOKEN_AUTH_DISABLED = 61,
  CAUDAL_ERROR_CODE_DELEGATION_TOKEN_NOT_FOUND = 62,
  CAUDAL_ERROR_CODE_DELEGATION_TOKEN_OWNER_MISMATCH = 63,
  CAUDAL_ERROR_CODE_DELEGATION_TOKEN_REQUEST_NOT_ALLOWED = 64,
  CAUDAL_ERROR_CODE_DELEGATION_TOKEN_AUTHORIZATION_FAILED = 65,
  CAUDAL_ERROR_CODE_DELEGATION_TOKEN_EXPIRED = 66,
  CAUDAL_ERROR_CODE_INVALID_PRINCIPAL_TYPE = 67,
  CAUDAL_ERROR_CODE_NON_EMPTY_GROUP = 68,
  CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND = 69,
  CAUDAL_ERROR_CODE_FETCH_SESSION_ID_NOT_FOUND = 70,
  CAUDAL_ERROR_CODE_INVALID_FETCH_SESSION_EPOCH = 71,
  CAUDAL_ERROR_CODE_LISTENER_NOT_FOUND = 72,
  CAUDAL_ERROR_CODE_TOPIC_DELETION_DISABLED = 73,
  CAUDAL_ERROR_CODE_FENCED_LEADER_EPOCH = 74,
  CAUDAL_ERROR_CODE_UNKNOWN_LEADER_EPOCH = 75,
  CAUDAL_ERROR_CODE_UNSUPPORTED_COMPRESSION_TYPE = 76,
  CAUDAL_ERROR_CODE_STALE_BROKER_EPOCH = 77,
  CAUDAL_ERROR_CODE_OFFSET_NOT_AVAILABLE = 78,
  CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED = 79,
  CAUDAL_ERROR_CODE_PREFERRED_LEADER_NOT_AVAILABLE = 80,
  CAUDAL_ERROR_CODE_GROUP_MAX_SIZE_REACHED = 81,
  CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID = 82,
  CAUDAL_ERROR_CODE_ELIGIBLE_LEADERS_NOT_AVAILABLE = 83,
  CAUDAL_ERROR_CODE_ELECTION_NOT_NEEDED = 84,
  CAUDAL_ERROR_CODE_NO_REASSIGNMENT_IN_PROGRESS = 85,
  CAUDAL_ERROR_CODE_GROUP_SUBSCRIBED_TO_TOPIC = 86,
  CAUDAL_ERROR_CODE_INVALID_RECORD = 87,
  CAUDAL_ERROR_CODE_UNSTABLE_OFFSET_COMMIT = 88,
  CAUDAL_ERROR_CODE_THROTTLING_QUOTA_EXCEEDED = 89,
  CAUDAL_ERROR_CODE_PRODUCER_FENCED = 90,
  CAUDAL_ERROR_CODE_RESOURCE_NOT_FOUND = 91,
  CAUDAL_ERROR_CODE_DUPLICATE_RESOURCE = 92,
  CAUDAL_ERROR_CODE_UNACCEPTABLE_CREDENTIAL = 93,
  CAUDAL_ERROR_CODE_INCONSISTENT_VOTER_SET = 94,
  CAUDAL_ERROR_CODE_INVALID_UPDATE_VERSION = 95,
  CAUDAL_ERROR_CODE_FEATURE_UPDATE_FAILED = 96,
  CAUDAL_ERROR_CODE_PRINCIPAL_DESERIALIZATION_FAILURE = 97,
  CAUDAL_ERROR_CODE_SNAPSHOT_NOT_FOUND = 98,
  CAUDAL_ERROR_CODE_POSITION_OUT_OF_RANGE = 99,
  CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_ID = 100,
  CAUDAL_ERROR_CODE_DUPLICATE_BROKER_REGISTRATION = 101,
  CAUDAL_ERROR_CODE_BROKER_ID_NOT_REGISTERED = 102,
  CAUDAL_ERROR_CODE_INCONSISTENT_TOPIC_ID = 103,
  CAUDAL_ERROR_CODE_INCONSISTENT_CLUSTER_ID = 104,
  CAUDAL_ERROR_CODE_TRANSACTIONAL_ID_NOT_FOUND = 105,
  CAUDAL_ERROR_CODE_FETCH_SESSION_TOPIC_ID_ERROR = 106,
  CAUDAL_ERROR_CODE_INELIGIBLE_REPLICA = 107,
  CAUDAL_ERROR_CODE_NEW_LEADER_ELECTED = 108,
  CAUDAL_ERROR_CODE_OFFSET_MOVED_TO_TIERED_STORAGE = 109,
  CAUDAL_ERROR_CODE_FENCED_MEMBER_EPOCH = 110,
  CAUDAL_ERROR_CODE_UNRELEASED_INSTANCE_ID = 111,
  CAUDAL_ERROR_CODE_UNSUPPORTED_ASSIGNOR = 112,
  CAUDAL_ERROR_CODE_STALE_MEMBER_EPOCH = 113,
  CAUDAL_ERROR_CODE_MISMATCHED_ENDPOINT_TYPE = 114,
  CAUDAL_ERROR_CODE_UNSUPPORTED_ENDPOINT_TYPE = 115,
  CAUDAL_ERROR_CODE_UNKNOWN_CONTROLLER_ID = 116,
  CAUDAL_ERROR_CODE_UNKNOWN_SUBSCRIPTION_ID = 117,
  CAUDAL_ERROR_CODE_TELEMETRY_TOO_LARGE = 118,
  CAUDAL_ERROR_CODE_INVALID_REGISTRATION = 119,
  CAUDAL_ERROR_CODE_TRANSACTION_ABORTABLE = 120,
  CAUDAL_ERROR_CODE_INVALID_RECORD_STATE = 121,
  CAUDAL_ERROR_CODE_SHARE_SESSION_NOT_FOUND = 122,
  CAUDAL_ERROR_CODE_INVALID_SHARE_SESSION_EPOCH = 123,
  CAUDAL_ERROR_CODE_FENCED_STATE_EPOCH = 124,
  CAUDAL_ERROR_CODE_INVALID_VOTER_KEY = 125,
  CAUDAL_ERROR_CODE_DUPLICATE_VOTER = 126,
  CAUDAL_ERROR_CODE_VOTER_NOT_FOUND = 127,
  CAUDAL_ERROR_CODE_INVALID_REGULAR_EXPRESSION = 128,
  CAUDAL_ERROR_CODE_REBOOTSTRAP_REQUIRED = 129,
  CAUDAL_ERROR_CODE_STREAMS_INVALID_TOPOLOGY = 130,
  CAUDAL_ERROR_CODE_STREAMS_INVALID_TOPOLOGY_EPOCH = 131,
  CAUDAL_ERROR_CODE_STREAMS_TOPOLOGY_FENCED = 132,
  CAUDAL_ERROR_CODE_SHARE_SESSION_LIMIT_REACHED = 133,
} CaudalErrorCode;

/**
 * CAUDAL_ERROR_CODE_FIRST:
 *
 * The lowest code in the table (UNKNOWN_SERVER_ERROR).
 */
#define CAUDAL_ERROR_CODE_FIRST CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR

/**
 * CAUDAL_ERROR_CODE_LAST:
 *
 * The highest code in the table; every code from %CAUDAL_ERROR_CODE_FIRST
 * to this one is known.
 */
#define CAUDAL_ERROR_CODE_LAST CAUDAL_ERROR_CODE_SHARE_SESSION_LIMIT_REACHED

/**
 * CAUDAL_ERROR_CODE_UNKNOWN_NAME:
 *
 * What caudal_error_code_name() returns for a code outside the table.
 * It is not the name of any code.
 */
#define CAUDAL_ERROR_CODE_UNKNOWN_NAME "UNKNOWN_ERROR_CODE"

/**
 * CaudalErrorCodeInfo:
 * @code: the Kafka error code
 * @retriable: whether Kafka classes the error as retriable (its exception
 *   is a RetriableException): the same request may succeed if sent again,
 *   possibly after refreshing metadata
 * @name: Kafka's name for the code, in UPPER_SNAKE case
 * @message: a short description in one sentence
 *
 * One entry of the error-code table. Entries are static: never free them.
 */
typedef struct
{
  gint16      code;
  gboolean    retriable;
  const char *name;
  const char *message;
} CaudalErrorCodeInfo;

/**
 * caudal_error_code_lookup:
 * @code: a Kafka error code
 *
 * Returns: (nullable): the table entry for @code, or %NULL when @code is
 *   not one this library knows
 */
CAUDAL_WIRE_EXPORT const CaudalErrorCodeInfo *
                   caudal_error_code_lookup    (gint16 code);

/**
 * caudal_error_code_get_table:
 * @n_entries: (out) (optional): where to store the number of entries
 *
 * The whole table, sorted by code, one entry per code from
 * %CAUDAL_ERROR_CODE_FIRST to %CAUDAL_ERROR_CODE_LAST.
 *
 * Returns: (array length=n_entries): the first entry
 */
CAUDAL_WIRE_EXPORT const CaudalErrorCodeInfo *
                   caudal_error_code_get_table (gsize *n_entries);

/**
 * caudal_error_code_name:
 * @code: a Kafka error code
 *
 * Returns: Kafka's name for @code (for example "TOPIC_ALREADY_EXISTS"), or
 *   %CAUDAL_ERROR_CODE_UNKNOWN_NAME for a code outside the table; a static
 *   string, never %NULL
 */
CAUDAL_WIRE_EXPORT const char *caudal_error_code_name         (gint16 code);

/**
 * caudal_error_code_message:
 * @code: a Kafka error code
 *
 * Returns: a short description of @code, or a generic one for a code
 *   outside the table; a static string, never %NULL
 */
CAUDAL_WIRE_EXPORT const char *caudal_error_code_message      (gint16 code);

/**
 * caudal_error_code_is_retriable:
 * @code: a Kafka error code
 *
 * Returns: %TRUE when Kafka classes @code as retriable; %FALSE for
 *   %CAUDAL_ERROR_CODE_NONE and for codes outside the table (which Kafka's
 *   own clients treat as UNKNOWN_SERVER_ERROR)
 */
CAUDAL_WIRE_EXPORT gboolean    caudal_error_code_is_retriable (gint16 code);

/**
 * caudal_error_code_from_name:
 * @name: (nullable): a Kafka error name, for example "NOT_COORDINATOR";
 *   matched exactly (case-sensitive)
 * @out: (out) (optional): where to store the code
 *
 * The reverse of caudal_error_code_name(). @out is left untouched when
 * @name is not found.
 *
 * Returns: %TRUE if @name is the name of a known code
 */
CAUDAL_WIRE_EXPORT gboolean    caudal_error_code_from_name    (const char *name,
                                                            gint16     *out);

/**
 * CAUDAL_KAFKA_ERROR:
 *
 * The error domain for errors a Kafka peer reported in a response. The
 * error codes are the Kafka codes themselves (#CaudalErrorCode values, or
 * any other gint16 a peer sent); the message starts with the code's name.
 */
#define CAUDAL_KAFKA_ERROR (caudal_kafka_error_quark ())
CAUDAL_WIRE_EXPORT GQuark caudal_kafka_error_quark (void);

/**
 * caudal_set_kafka_error:
 * @error: (nullable): a return location for a #GError, or %NULL
 * @code: the Kafka error code the peer reported
 * @detail: (nullable): the peer's error message (for example a response's
 *   ErrorMessage field), or %NULL or "" to use the table's message
 *
 * Sets @error in the %CAUDAL_KAFKA_ERROR domain with @code as its code and
 * a message "NAME: detail", for example
 * "TOPIC_ALREADY_EXISTS: Topic 'x' already exists.". For a code outside
 * the table the name part reads "UNKNOWN_ERROR_CODE(n)".
 *
 * @code is meant to be an error; %CAUDAL_ERROR_CODE_NONE is accepted but
 * gives an error whose code is 0.
 */
CAUDAL_WIRE_EXPORT void   caudal_set_kafka_error   (GError    **error,
                                                   gint16      code,
                                                   const char *detail);

G_END_DECLS
