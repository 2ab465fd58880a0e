/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-private.h: the coordinator's groups and members, shared by
 * its files (membership, offsets, admin views). */
#pragma once

#include "broker-group-coordinator.h"
#include "broker-group-store.h"

G_BEGIN_DECLS

typedef enum
{
  GROUP_EMPTY,
  GROUP_PREPARING_REBALANCE,
  GROUP_COMPLETING_REBALANCE,
  GROUP_STABLE,
  GROUP_DEAD,
} GroupState;

typedef struct
{
  char   *name;
  GBytes *metadata;
} MemberProtocol;

typedef struct
{
  char              *member_id;
  char              *group_instance_id;
  char              *client_id;
  char              *client_host;
  char              *protocol_type;
  gint32             session_timeout_ms;
  gint32             rebalance_timeout_ms;
  GPtrArray         *protocols;          /* MemberProtocol*, in preference order */
  GBytes            *assignment;         /* empty until a sync completes */
  BrokerJoinCallback join_callback;      /* set while awaiting the join response */
  gpointer           join_data;
  BrokerSyncCallback sync_callback;      /* set while awaiting the sync response */
  gpointer           sync_data;
  gint64             session_deadline;   /* ms; 0 while not ticking */
  gboolean           is_new;             /* joined during this rebalance */
  gboolean           pending_sync;       /* got its join response, has not synced yet */
} GroupMember;

typedef struct
{
  char       *topic;
  gint32      partition;
  gint64      offset;
  gint32      leader_epoch;
  char       *metadata;
  gint64      commit_timestamp;
} GroupOffset;

typedef struct
{
  char       *group_id;
  GroupState  state;
  gint64      state_timestamp;    /* ms when the state last changed */
  gint32      generation;
  char       *protocol_type;
  char       *protocol;           /* the selected protocol */
  char       *leader_id;
  GHashTable *members;            /* member id → GroupMember* (owned) */
  GPtrArray  *member_order;       /* GroupMember*, join order (first = leader candidate) */
  GHashTable *static_members;     /* instance id → member id (borrowed) */
  GHashTable *pending_members;    /* member ids handed out by MEMBER_ID_REQUIRED → deadline */
  GHashTable *offsets;            /* "topic\x1fpartition" → GroupOffset* (owned) */
  gint64      rebalance_deadline; /* ms; 0 when not rebalancing */
  gint64      sync_deadline;      /* ms; members still pending_sync then are dropped */
  gint64      initial_delay_end;  /* ms; initial rebalance delay of an empty group */
  gint64      initial_delay_limit;
} Group;

struct _BrokerGroupCoordinator
{
  BrokerGroupConfig     cfg;
  BrokerGroupStore     *store;
  BrokerClockFunc       clock;
  gpointer              clock_data;
  BrokerGroupWakeupFunc wakeup;
  gpointer              wakeup_data;
  GHashTable           *groups;   /* group id → Group* (owned) */
  gint64                next_expiry_check;
  BrokerGroupReplicateFunc replicate;   /* cluster mode: commits wait for it */
  gpointer                 replicate_data;
};

gint64      coordinator_now        (BrokerGroupCoordinator *coord);
void        coordinator_wakeup     (BrokerGroupCoordinator *coord);
Group      *coordinator_get_group  (BrokerGroupCoordinator *coord,
                                    const char             *group_id);
Group      *coordinator_add_group  (BrokerGroupCoordinator *coord,
                                    const char             *group_id);
void        coordinator_remove_group (BrokerGroupCoordinator *coord,
                                      Group                  *group);
const char *group_state_name       (GroupState state);
GBytes     *member_metadata_for    (GroupMember *member,
                                    const char  *protocol);
/* Writes the group's metadata record (or a tombstone when Dead). */
void        group_persist          (BrokerGroupCoordinator *coord,
                                    Group                  *group);
void        group_offset_free      (GroupOffset *offset);
/* Offsets of an empty group older than offsets.retention: dropped. */
void        coordinator_expire_offsets (BrokerGroupCoordinator *coord);
/* Rebuilds a group from its stored record (members are not restored). */
void        coordinator_restore_group  (BrokerGroupCoordinator *coord,
                                        const char             *group_id,
                                        const char             *protocol_type,
                                        gint32                  generation,
                                        const char             *protocol,
                                        gint64                  state_timestamp);
void        coordinator_restore_offset (BrokerGroupCoordinator *coord,
                                        const char             *group_id,
                                        const char             *topic,
                                        gint32                  partition,
                                        gint64                  offset,
                                        gint32                  leader_epoch,
                                        const char             *metadata,
                                        gint64                  commit_timestamp);
/* Deletes every committed offset of @group, durably (one batch). */
void        coordinator_remove_all_offsets (BrokerGroupCoordinator *coord,
                                            Group                  *group);
/* Answers the group's waiting JoinGroup/SyncGroup with NOT_COORDINATOR. */
void        coordinator_abort_waiters  (Group *group);
/* Replays one record of the store into the groups (load and load_partition). */
extern const BrokerGroupStoreVisitor coordinator_load_visitor;
void        coordinator_forget         (BrokerGroupCoordinator *coord,
                                        const char             *group_id,
                                        const char             *topic,
                                        gint32                  partition);

G_END_DECLS
