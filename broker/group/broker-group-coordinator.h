/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-coordinator.h: Kafka's classic group coordinator: group
 * membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), committed
 * offsets, and the admin views of groups.
 *
 * It knows nothing of the wire: handlers translate requests into these
 * calls and results into responses. Time comes from a clock function so
 * that tests drive it with a fake clock; broker_group_coordinator_tick()
 * runs the deadlines (session expiry, rebalance timeouts, the initial
 * rebalance delay). Everything runs on one thread. Error values are Kafka
 * error codes (CaudalErrorCode). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BrokerGroupCoordinator BrokerGroupCoordinator;
typedef struct _BrokerGroupStore       BrokerGroupStore;
typedef struct _BrokerLog              BrokerLog;

/* Milliseconds, wall clock (commit timestamps are stored). */
typedef gint64 (*BrokerClockFunc) (gpointer user_data);

typedef struct
{
  gint32 min_session_timeout_ms;      /* group.min.session.timeout.ms, 6000 */
  gint32 max_session_timeout_ms;      /* group.max.session.timeout.ms, 1800000 */
  gint32 initial_rebalance_delay_ms;  /* group.initial.rebalance.delay.ms, 3000 */
  gint32 max_group_size;              /* group.max.size, 2147483647 */
  gint64 offsets_retention_ms;        /* offsets.retention.minutes × 60000 */
  gint32 offset_metadata_max_bytes;   /* offset.metadata.max.bytes, 4096 */
} BrokerGroupConfig;

void broker_group_config_init_defaults (BrokerGroupConfig *cfg);

/* @store may be NULL: nothing persists (unit tests). */
BrokerGroupCoordinator *broker_group_coordinator_new  (const BrokerGroupConfig *cfg,
                                                       BrokerGroupStore        *store,
                                                       BrokerClockFunc          clock,
                                                       gpointer                 clock_data);
void                    broker_group_coordinator_free (BrokerGroupCoordinator *coord);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerGroupCoordinator, broker_group_coordinator_free)
/* Rebuilds groups and offsets from the store. */
gboolean broker_group_coordinator_load (BrokerGroupCoordinator *coord,
                                        GError                **error);
/* Runs every deadline that has passed; returns the milliseconds until the
 * next one, or -1 when none is pending. */
gint64   broker_group_coordinator_tick (BrokerGroupCoordinator *coord);
/* Compacts the partitions of __consumer_offsets holding more than
 * @max_bytes by re-writing their live state (docs/groups.md). */
guint    broker_group_coordinator_compact (BrokerGroupCoordinator *coord,
                                           gint64                  max_bytes);
/* Answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR (the
 * broker is stopping; clients will find the coordinator again). */
void     broker_group_coordinator_shutdown (BrokerGroupCoordinator *coord);
/* Called when the set of deadlines may have changed (so a driver can
 * re-arm its timer). */
typedef void (*BrokerGroupWakeupFunc) (gpointer user_data);
void     broker_group_coordinator_set_wakeup (BrokerGroupCoordinator *coord,
                                              BrokerGroupWakeupFunc   func,
                                              gpointer                user_data);

/* ---- cluster mode (docs/cluster.md, "Consumer groups in cluster mode") ----
 * The coordinator serves only the groups of the __consumer_offsets
 * partitions this broker leads. set_partitioned() drops every group and
 * serves none; load_partition() replays a partition this broker now leads
 * and serves its groups; unload_partition() forgets them (no tombstones;
 * their waiting JoinGroup/SyncGroup get NOT_COORDINATOR). In single-node
 * mode every group is served. */
void     broker_group_coordinator_set_partitioned (BrokerGroupCoordinator *coord);
gboolean broker_group_coordinator_load_partition  (BrokerGroupCoordinator *coord,
                                                    gint32                  partition,
                                                    GError                **error);
void     broker_group_coordinator_unload_partition (BrokerGroupCoordinator *coord,
                                                     gint32                  partition);
/* Whether @group_id's partition is served here (NOT_COORDINATOR if not). */
gboolean broker_group_coordinator_is_coordinator  (BrokerGroupCoordinator *coord,
                                                    const char             *group_id);
gint32   broker_group_coordinator_partition_for   (BrokerGroupCoordinator *coord,
                                                    const char             *group_id);

/* Cluster mode: an offset commit appended at @end_offset (the log end
 * after it) of __consumer_offsets-@partition is answered by @done once
 * replicated, with a Kafka error code. */
typedef void (*BrokerGroupReplicatedFunc) (gint16   error,
                                           gpointer user_data);
typedef void (*BrokerGroupReplicateFunc)  (gint32                    partition,
                                           gint64                    end_offset,
                                           BrokerGroupReplicatedFunc done,
                                           gpointer                  done_data,
                                           gpointer                  user_data);
void     broker_group_coordinator_set_replicate (BrokerGroupCoordinator  *coord,
                                                 BrokerGroupReplicateFunc func,
                                                 gpointer                 user_data);

/* ---- membership ---- */

typedef struct
{
  const char   *name;
  const guint8 *metadata;
  gsize         metadata_len;
} BrokerGroupProtocol;

typedef struct
{
  const char                *group_id;
  const char                *member_id;          /* "" for a new member */
  const char                *group_instance_id;  /* NULL: dynamic member */
  const char                *client_id;
  const char                *client_host;
  const char                *protocol_type;
  gint32                     session_timeout_ms;
  gint32                     rebalance_timeout_ms;
  const BrokerGroupProtocol *protocols;
  guint                      n_protocols;
  gboolean                   require_known_member_id;  /* JoinGroup v4+ */
  const char                *reason;
} BrokerJoinRequest;

typedef struct
{
  const char *member_id;
  const char *group_instance_id;
  GBytes     *metadata;        /* for the selected protocol */
} BrokerJoinMember;

typedef struct
{
  gint16           error;
  gint32           generation;
  const char      *protocol_type;
  const char      *protocol_name;
  const char      *leader;
  const char      *member_id;
  gboolean         skip_assignment;
  BrokerJoinMember *members;   /* only for the leader */
  guint            n_members;
} BrokerJoinResult;

/* The result is valid during the callback only. The callback runs at once
 * or when the rebalance completes. */
typedef void (*BrokerJoinCallback) (const BrokerJoinResult *result,
                                    gpointer                user_data);
void broker_group_join (BrokerGroupCoordinator  *coord,
                        const BrokerJoinRequest *request,
                        BrokerJoinCallback       callback,
                        gpointer                 user_data);

typedef struct
{
  const char   *member_id;
  const guint8 *assignment;
  gsize         assignment_len;
} BrokerSyncAssignment;

typedef struct
{
  const char                 *group_id;
  const char                 *member_id;
  const char                 *group_instance_id;
  const char                 *protocol_type;   /* v5+, NULL otherwise */
  const char                 *protocol_name;   /* v5+, NULL otherwise */
  gint32                      generation;
  const BrokerSyncAssignment *assignments;     /* from the leader */
  guint                       n_assignments;
} BrokerSyncRequest;

typedef struct
{
  gint16      error;
  const char *protocol_type;
  const char *protocol_name;
  GBytes     *assignment;   /* empty, never NULL */
} BrokerSyncResult;

typedef void (*BrokerSyncCallback) (const BrokerSyncResult *result,
                                    gpointer                user_data);
void   broker_group_sync      (BrokerGroupCoordinator  *coord,
                               const BrokerSyncRequest *request,
                               BrokerSyncCallback       callback,
                               gpointer                 user_data);

gint16 broker_group_heartbeat (BrokerGroupCoordinator *coord,
                               const char             *group_id,
                               const char             *member_id,
                               const char             *group_instance_id,
                               gint32                  generation);

/* One member leaving (LeaveGroup v0-2 send one, v3+ a list). A static
 * member may be named by its instance id with member_id "" (v4+). */
gint16 broker_group_leave     (BrokerGroupCoordinator *coord,
                               const char             *group_id,
                               const char             *member_id,
                               const char             *group_instance_id,
                               const char             *reason);
/* Group-level check for LeaveGroup: COORDINATOR_NOT_AVAILABLE for a dead
 * group, UNKNOWN_MEMBER_ID for a missing one, else NONE. */
gint16 broker_group_check_exists (BrokerGroupCoordinator *coord,
                                  const char             *group_id);

/* ---- offsets ---- */

typedef struct
{
  const char *topic;
  gint32      partition;
  gint64      offset;
  gint32      leader_epoch;
  const char *metadata;      /* NULL: "" */
  gint16      error;         /* out: per partition */
} BrokerCommitEntry;

/* Validates the member and generation (-1 and "" for a group-less
 * commit), then stores every entry whose error is NONE on entry (the
 * handler marks unknown topics first). The callback gets the group-level
 * error (applied to every entry by the handler when not NONE); it runs
 * once the commit is appended, and fsynced when the flush policy says so. */
typedef void (*BrokerCommitCallback) (gint16   error,
                                      gpointer user_data);
void broker_group_commit_offsets (BrokerGroupCoordinator *coord,
                                  const char             *group_id,
                                  const char             *member_id,
                                  const char             *group_instance_id,
                                  gint32                  generation,
                                  BrokerCommitEntry      *entries,
                                  guint                   n_entries,
                                  BrokerCommitCallback    callback,
                                  gpointer                user_data);

typedef struct
{
  const char *topic;
  gint32      partition;
  gint64      offset;
  gint32      leader_epoch;
  const char *metadata;
  gint64      commit_timestamp;
} BrokerCommittedOffset;

/* FALSE when nothing is committed for that partition. */
gboolean broker_group_fetch_offset (BrokerGroupCoordinator *coord,
                                    const char             *group_id,
                                    const char             *topic,
                                    gint32                  partition,
                                    BrokerCommittedOffset  *out);
/* Every committed offset of the group (BrokerCommittedOffset), sorted by
 * topic then partition; strings borrowed until the next change. */
GArray  *broker_group_list_offsets (BrokerGroupCoordinator *coord,
                                    const char             *group_id);

/* OffsetDelete: GROUP_ID_NOT_FOUND, or per partition
 * GROUP_SUBSCRIBED_TO_TOPIC while a member subscribes to the topic. */
gint16   broker_group_delete_offset (BrokerGroupCoordinator *coord,
                                     const char             *group_id,
                                     const char             *topic,
                                     gint32                  partition);
gint16   broker_group_check_offset_delete (BrokerGroupCoordinator *coord,
                                           const char             *group_id);
/* A topic was deleted: forget its committed offsets in every group. */
void     broker_group_coordinator_topic_deleted (BrokerGroupCoordinator *coord,
                                                 const char             *topic);

/* ---- admin views ---- */

typedef struct
{
  const char *group_id;
  const char *protocol_type;
  const char *state;          /* Kafka's names: "Empty", "Stable", ... */
} BrokerGroupListing;

/* All groups (not Dead), sorted by id (BrokerGroupListing; strings
 * borrowed until the next change). */
GArray  *broker_group_list (BrokerGroupCoordinator *coord);

typedef struct
{
  const char *member_id;
  const char *group_instance_id;
  const char *client_id;
  const char *client_host;
  GBytes     *metadata;     /* the selected protocol's; empty unless Stable */
  GBytes     *assignment;   /* empty unless Stable */
} BrokerMemberDescription;

typedef struct
{
  gint16                   error;
  const char              *group_id;
  const char              *state;
  const char              *protocol_type;
  const char              *protocol;      /* selected protocol, "" if none */
  BrokerMemberDescription *members;
  guint                    n_members;
} BrokerGroupDescription;

/* Unknown groups are described as Dead with no error, as Kafka does.
 * Strings are borrowed from the coordinator (valid until the next call
 * into it); the arrays are the description's. */
BrokerGroupDescription *broker_group_describe (BrokerGroupCoordinator *coord,
                                               const char             *group_id);
void                    broker_group_description_free (BrokerGroupDescription *desc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerGroupDescription, broker_group_description_free)

/* DeleteGroups: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or NONE. */
gint16   broker_group_delete (BrokerGroupCoordinator *coord,
                              const char             *group_id);

G_END_DECLS
