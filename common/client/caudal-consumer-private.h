/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-consumer-private.h: the consumer's state and the poll operation,
 * shared by caudal-consumer.c, caudal-group-member.c and caudal-fetcher.c.
 * Not installed; none of this is exported. */
#pragma once

#include "caudal-consumer.h"

G_BEGIN_DECLS

#define OFFSET_RESET_NONE  (-3)

typedef struct
{
  char    *topic;
  gint32   partition;
  gint64   position;      /* next offset to fetch; -1: to resolve */
  gint64   reset;         /* BEGINNING, END, or a timestamp */
  gboolean by_timestamp;
  gint64   committed;     /* last offset committed, -1 if none */
} PartState;

struct _CaudalConsumer
{
  GObject        parent_instance;
  CaudalCluster *cluster;

  /* configuration */
  char    *client_id;
  char    *group_instance_id;
  gint64   auto_offset_reset;
  gboolean auto_commit;
  guint    auto_commit_interval_ms;
  guint    session_timeout_ms;
  guint    heartbeat_interval_ms;
  guint    rebalance_timeout_ms;
  GStrv    assignors;
  gint8    isolation_level;
  gint32   max_wait_ms, min_bytes, max_bytes, partition_max_bytes;

  /* what to read */
  char      *group_id;
  GStrv      topics;
  gboolean   subscribed;
  GPtrArray *parts;          /* PartState* */
  gboolean   need_metadata;

  /* group membership */
  CaudalConnection *coord;
  gboolean          coord_connecting;
  GQueue            coord_waiters;   /* GTask* waiting for the connection */
  char             *member_id;
  gint32            generation;
  gboolean          joined;
  gboolean          rejoin_needed;
  gboolean          join_in_flight;
  guint             heartbeat_id;
  gboolean          heartbeat_in_flight;
  gint64            next_auto_commit;   /* monotonic µs */
  gboolean          closed;
};

/* The member a Heartbeat or LeaveGroup speaks for, as it was when sent. */
typedef struct
{
  char  *group_id;
  char  *member_id;
  char  *instance_id;
  gint32 generation;
} GroupIdentity;

/* A caudal_consumer_poll_async() in progress: its GTask's data. */
typedef struct
{
  GPtrArray    *messages;
  GCancellable *cancellable;
  gulong        cancel_id;
  gboolean      done;
  guint         pending;
  GError       *error;
  guint         retries;
  guint         rounds;
  /* joining */
  GBytes       *subscription;
  GPtrArray    *sync_assignments;   /* (member id, GBytes) pairs, flattened */
  GroupIdentity *identity;
  GPtrArray    *fetch_parts;        /* PartState* for OffsetFetch */
} PollOp;

void       caudal_consumer_part_state_free (PartState *ps);
PartState *caudal_consumer_lookup_part     (CaudalConsumer *consumer,
                                            const char     *topic,
                                            gint32          partition);
/* Adds the partition if new, and sets it to resolve its position. */
PartState *caudal_consumer_add_part        (CaudalConsumer *consumer,
                                            const char     *topic,
                                            gint32          partition);

/* The poll's completion, once: see caudal-consumer.c. */
gboolean   caudal_consumer_poll_is_done    (GTask  *task);
void       caudal_consumer_poll_fail       (GTask  *task,
                                            GError *error);
void       caudal_consumer_poll_succeed    (GTask  *task);

G_END_DECLS
