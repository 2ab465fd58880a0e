/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-coordinator.c: group membership, as Kafka's classic
 * GroupCoordinator: Empty → PreparingRebalance → CompletingRebalance →
 * Stable, with Dead for deleted groups.
 *
 * A rebalance collects JoinGroup requests until every known member has
 * rejoined (or the rebalance timeout passes, dropping the silent ones),
 * then answers them all with the new generation; the leader gets the
 * members' subscriptions. The leader's SyncGroup carries the assignment,
 * which every member receives byte for byte. Heartbeats keep members
 * alive; a member silent for its session timeout leaves. */

#include "broker-group-private.h"

#include <string.h>

#include "broker-group-store.h"
#include "caudal-error-codes.h"

static void respond_join_error (BrokerJoinCallback callback, gpointer data, gint16 error,
                                const char *member_id);
static void respond_sync (GroupMember *m, gint16 error, Group *group);

void
broker_group_config_init_defaults (BrokerGroupConfig *cfg)
{
  cfg->min_session_timeout_ms = 6000;
  cfg->max_session_timeout_ms = 1800000;
  cfg->initial_rebalance_delay_ms = 3000;
  cfg->max_group_size = G_MAXINT32;
  cfg->offsets_retention_ms = (gint64) 7 * 24 * 60 * 60 * 1000;
  cfg->offset_metadata_max_bytes = 4096;
}

gint64
coordinator_now (BrokerGroupCoordinator *coord)
{
  return coord->clock (coord->clock_data);
}

void
coordinator_wakeup (BrokerGroupCoordinator *coord)
{
  if (coord->wakeup != NULL)
    coord->wakeup (coord->wakeup_data);
}

const char *
group_state_name (GroupState state)
{
  switch (state)
    {
    case GROUP_EMPTY: return "Empty";
    case GROUP_PREPARING_REBALANCE: return "PreparingRebalance";
    case GROUP_COMPLETING_REBALANCE: return "CompletingRebalance";
    case GROUP_STABLE: return "Stable";
    case GROUP_DEAD: return "Dead";
    default: g_assert_not_reached ();
    }
}

static void
member_protocol_free (MemberProtocol *p)
{
  g_free (p->name);
  g_bytes_unref (p->metadata);
  g_free (p);
}

static void
member_free (GroupMember *m)
{
  g_free (m->member_id);
  g_free (m->group_instance_id);
  g_free (m->client_id);
  g_free (m->client_host);
  g_free (m->protocol_type);
  g_ptr_array_unref (m->protocols);
  g_bytes_unref (m->assignment);
  g_free (m);
}

void
group_offset_free (GroupOffset *offset)
{
  g_free (offset->topic);
  g_free (offset->metadata);
  g_free (offset);
}

static void
group_free (Group *group)
{
  g_free (group->group_id);
  g_free (group->protocol_type);
  g_free (group->protocol);
  g_free (group->leader_id);
  g_ptr_array_unref (group->member_order);
  g_hash_table_unref (group->static_members);
  g_hash_table_unref (group->members);
  g_hash_table_unref (group->pending_members);
  g_hash_table_unref (group->offsets);
  g_free (group);
}

static void
set_state (BrokerGroupCoordinator *coord,
           Group                  *group,
           GroupState              state)
{
  g_debug ("group %s: %s → %s", group->group_id, group_state_name (group->state),
           group_state_name (state));
  group->state = state;
  group->state_timestamp = coordinator_now (coord);
}

Group *
coordinator_get_group (BrokerGroupCoordinator *coord,
                       const char             *group_id)
{
  return group_id != NULL ? g_hash_table_lookup (coord->groups, group_id) : NULL;
}

Group *
coordinator_add_group (BrokerGroupCoordinator *coord,
                       const char             *group_id)
{
  Group *group = g_new0 (Group, 1);

  group->group_id = g_strdup (group_id);
  group->state = GROUP_EMPTY;
  group->state_timestamp = coordinator_now (coord);
  group->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) member_free);
  group->member_order = g_ptr_array_new ();
  group->static_members = g_hash_table_new (g_str_hash, g_str_equal);
  group->pending_members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  group->offsets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) group_offset_free);
  g_hash_table_insert (coord->groups, group->group_id, group);
  return group;
}

void
coordinator_remove_group (BrokerGroupCoordinator *coord,
                          Group                  *group)
{
  g_hash_table_remove (coord->groups, group->group_id);
}

BrokerGroupCoordinator *
broker_group_coordinator_new (const BrokerGroupConfig *cfg,
                              BrokerGroupStore        *store,
                              BrokerClockFunc          clock,
                              gpointer                 clock_data)
{
  BrokerGroupCoordinator *coord = g_new0 (BrokerGroupCoordinator, 1);

  coord->cfg = *cfg;
  coord->store = store;
  coord->clock = clock;
  coord->clock_data = clock_data;
  coord->groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) group_free);
  return coord;
}

void
broker_group_coordinator_shutdown (BrokerGroupCoordinator *coord)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    coordinator_abort_waiters (value);
}

void
broker_group_coordinator_free (BrokerGroupCoordinator *coord)
{
  if (coord == NULL)
    return;
  broker_group_coordinator_shutdown (coord);
  g_hash_table_unref (coord->groups);
  g_free (coord);
}

void
broker_group_coordinator_set_wakeup (BrokerGroupCoordinator *coord,
                                     BrokerGroupWakeupFunc   func,
                                     gpointer                user_data)
{
  coord->wakeup = func;
  coord->wakeup_data = user_data;
}

/* ---- members ---- */


static gboolean
member_supports (GroupMember *m,
                 const char  *protocol)
{
  for (guint i = 0; i < m->protocols->len; i++)
    if (strcmp (((MemberProtocol *) g_ptr_array_index (m->protocols, i))->name, protocol) == 0)
      return TRUE;
  return FALSE;
}

GBytes *
member_metadata_for (GroupMember *member,
                     const char  *protocol)
{
  for (guint i = 0; protocol != NULL && i < member->protocols->len; i++)
    {
      MemberProtocol *p = g_ptr_array_index (member->protocols, i);
      if (strcmp (p->name, protocol) == 0)
        return p->metadata;
    }
  return NULL;
}

/* Kafka's supportsProtocols: an empty group takes any non-empty protocol
 * type; otherwise the type must match and at least one protocol must be
 * supported by every current member (and the newcomer). */
static gboolean
group_supports_protocols (Group                   *group,
                          const BrokerJoinRequest *req,
                          GroupMember             *self)
{
  if (g_hash_table_size (group->members) == 0)
    return req->protocol_type != NULL && *req->protocol_type != '\0' && req->n_protocols > 0;
  if (g_strcmp0 (req->protocol_type, group->protocol_type) != 0)
    return FALSE;
  for (guint p = 0; p < req->n_protocols; p++)
    {
      gboolean all = TRUE;
      for (guint i = 0; i < group->member_order->len && all; i++)
        {
          GroupMember *m = g_ptr_array_index (group->member_order, i);
          /* The member's own current protocols count too (Kafka's
           * supportedProtocols includes them). */
          if (!member_supports (m, req->protocols[p].name))
            all = FALSE;
        }
      if (all)
        return TRUE;
    }
  return FALSE;
}

static void
member_set_protocols (GroupMember             *m,
                      const BrokerJoinRequest *req)
{
  g_ptr_array_set_size (m->protocols, 0);
  for (guint i = 0; i < req->n_protocols; i++)
    {
      MemberProtocol *p = g_new0 (MemberProtocol, 1);
      p->name = g_strdup (req->protocols[i].name);
      p->metadata = g_bytes_new (req->protocols[i].metadata, req->protocols[i].metadata_len);
      g_ptr_array_add (m->protocols, p);
    }
  g_free (m->protocol_type);
  m->protocol_type = g_strdup (req->protocol_type);
  m->session_timeout_ms = req->session_timeout_ms;
  m->rebalance_timeout_ms = req->rebalance_timeout_ms;
  g_free (m->client_id);
  m->client_id = g_strdup (req->client_id != NULL ? req->client_id : "");
  g_free (m->client_host);
  m->client_host = g_strdup (req->client_host != NULL ? req->client_host : "");
}

static gboolean
protocols_match (GroupMember             *m,
                 const BrokerJoinRequest *req)
{
  if (m->protocols->len != req->n_protocols)
    return FALSE;
  for (guint i = 0; i < req->n_protocols; i++)
    {
      MemberProtocol *p = g_ptr_array_index (m->protocols, i);
      gsize len;
      gconstpointer data = g_bytes_get_data (p->metadata, &len);

      if (strcmp (p->name, req->protocols[i].name) != 0 || len != req->protocols[i].metadata_len
          || (len > 0 && memcmp (data, req->protocols[i].metadata, len) != 0))
        return FALSE;
    }
  return TRUE;
}

static GroupMember *
add_member (Group                   *group,
            const char              *member_id,
            const BrokerJoinRequest *req)
{
  GroupMember *m = g_new0 (GroupMember, 1);

  m->member_id = g_strdup (member_id);
  m->group_instance_id = g_strdup (req->group_instance_id);
  m->protocols = g_ptr_array_new_with_free_func ((GDestroyNotify) member_protocol_free);
  m->assignment = g_bytes_new (NULL, 0);
  member_set_protocols (m, req);
  g_hash_table_insert (group->members, m->member_id, m);
  g_ptr_array_add (group->member_order, m);
  if (m->group_instance_id != NULL)
    g_hash_table_insert (group->static_members, m->group_instance_id, m->member_id);
  if (group->protocol_type == NULL || g_hash_table_size (group->members) == 1)
    {
      g_free (group->protocol_type);
      group->protocol_type = g_strdup (req->protocol_type);
    }
  if (group->leader_id == NULL)
    group->leader_id = g_strdup (member_id);
  return m;
}

static void
respond_join_error (BrokerJoinCallback callback,
                    gpointer           data,
                    gint16             error,
                    const char        *member_id)
{
  BrokerJoinResult result = { 0 };

  result.error = error;
  result.generation = -1;
  result.member_id = member_id != NULL ? member_id : "";
  result.leader = "";
  callback (&result, data);
}

static void
respond_sync (GroupMember *m,
              gint16       error,
              Group       *group)
{
  BrokerSyncCallback cb = m->sync_callback;
  gpointer data = m->sync_data;
  BrokerSyncResult result = { 0 };
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);

  if (cb == NULL)
    return;
  m->sync_callback = NULL;
  m->sync_data = NULL;
  result.error = error;
  result.protocol_type = group->protocol_type;
  result.protocol_name = group->protocol;
  result.assignment = error == CAUDAL_ERROR_CODE_NONE ? m->assignment : empty;
  cb (&result, data);
}

void
coordinator_abort_waiters (Group *group)
{
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      if (m->join_callback != NULL)
        {
          BrokerJoinCallback cb = m->join_callback;
          gpointer data = m->join_data;
          m->join_callback = NULL;
          m->join_data = NULL;
          respond_join_error (cb, data, CAUDAL_ERROR_CODE_NOT_COORDINATOR, m->member_id);
        }
      respond_sync (m, CAUDAL_ERROR_CODE_NOT_COORDINATOR, group);
    }
}

static void
schedule_session (BrokerGroupCoordinator *coord,
                  GroupMember            *m)
{
  m->session_deadline = coordinator_now (coord) + m->session_timeout_ms;
}

/* Drops a member, answering whatever it was waiting for. */
static void
remove_member (BrokerGroupCoordinator *coord,
               Group                  *group,
               GroupMember            *m)
{
  g_autofree char *id = g_strdup (m->member_id);

  if (m->join_callback != NULL)
    {
      BrokerJoinCallback cb = m->join_callback;
      gpointer data = m->join_data;
      m->join_callback = NULL;
      respond_join_error (cb, data, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID, id);
    }
  respond_sync (m, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID, group);
  if (m->group_instance_id != NULL)
    g_hash_table_remove (group->static_members, m->group_instance_id);
  g_ptr_array_remove (group->member_order, m);
  g_hash_table_remove (group->members, id);
  if (g_strcmp0 (group->leader_id, id) == 0)
    {
      g_free (group->leader_id);
      group->leader_id = group->member_order->len > 0
                           ? g_strdup (((GroupMember *) g_ptr_array_index (group->member_order, 0))->member_id)
                           : NULL;
    }
  /* Like Kafka, an emptied group keeps its protocol type: ListGroups and
   * DescribeGroups still show "consumer". */
}

static gint32
max_rebalance_timeout (Group *group)
{
  gint32 max = 0;

  for (guint i = 0; i < group->member_order->len; i++)
    max = MAX (max, ((GroupMember *) g_ptr_array_index (group->member_order, i))->rebalance_timeout_ms);
  return max;
}

static void complete_join (BrokerGroupCoordinator *coord, Group *group);

static gboolean
all_members_joined (Group *group)
{
  if (g_hash_table_size (group->pending_members) > 0)
    return FALSE;
  for (guint i = 0; i < group->member_order->len; i++)
    if (((GroupMember *) g_ptr_array_index (group->member_order, i))->join_callback == NULL)
      return FALSE;
  return TRUE;
}

static void
try_complete_join (BrokerGroupCoordinator *coord,
                   Group                  *group)
{
  if (group->state == GROUP_PREPARING_REBALANCE && group->initial_delay_end == 0
      && all_members_joined (group))
    complete_join (coord, group);
}

static void
prepare_rebalance (BrokerGroupCoordinator *coord,
                   Group                  *group,
                   const char             *reason)
{
  gint64 now = coordinator_now (coord);
  gboolean was_empty = group->state == GROUP_EMPTY;

  g_debug ("group %s: preparing to rebalance (%s)", group->group_id, reason);
  if (group->state == GROUP_COMPLETING_REBALANCE)
    {
      /* The assignment being synced is stale: tell the waiters to rejoin. */
      for (guint i = 0; i < group->member_order->len; i++)
        {
          GroupMember *m = g_ptr_array_index (group->member_order, i);
          respond_sync (m, CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS, group);
        }
    }
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      g_bytes_unref (m->assignment);
      m->assignment = g_bytes_new (NULL, 0);
    }
  set_state (coord, group, GROUP_PREPARING_REBALANCE);
  group->sync_deadline = 0;
  for (guint i = 0; i < group->member_order->len; i++)
    ((GroupMember *) g_ptr_array_index (group->member_order, i))->pending_sync = FALSE;
  if (was_empty && coord->cfg.initial_rebalance_delay_ms > 0)
    {
      /* group.initial.rebalance.delay.ms: wait for more members of a new
       * group before the first assignment, extending while they arrive,
       * up to the rebalance timeout. */
      gint32 timeout = max_rebalance_timeout (group);
      group->initial_delay_end = now + MIN (coord->cfg.initial_rebalance_delay_ms, timeout);
      group->initial_delay_limit = now + timeout;
      group->rebalance_deadline = group->initial_delay_limit;
    }
  else
    {
      group->initial_delay_end = 0;
      group->rebalance_deadline = now + max_rebalance_timeout (group);
    }
  coordinator_wakeup (coord);
  /* The member that triggered it may be the only one. */
  try_complete_join (coord, group);
}

/* The protocol most members prefer among those all support (Kafka's
 * selectProtocol); ties go to the earlier member's preference. */
static char *
select_protocol (Group *group)
{
  GroupMember *first = g_ptr_array_index (group->member_order, 0);
  g_autoptr(GHashTable) votes = g_hash_table_new (g_str_hash, g_str_equal);
  const char *best = NULL;
  guint best_votes = 0;

  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      for (guint p = 0; p < m->protocols->len; p++)
        {
          const char *name = ((MemberProtocol *) g_ptr_array_index (m->protocols, p))->name;
          gboolean all = TRUE;
          for (guint j = 0; j < group->member_order->len && all; j++)
            all = member_supports (g_ptr_array_index (group->member_order, j), name);
          if (all)
            {
              guint n = GPOINTER_TO_UINT (g_hash_table_lookup (votes, name)) + 1;
              g_hash_table_insert (votes, (gpointer) name, GUINT_TO_POINTER (n));
              break;
            }
        }
    }
  for (guint p = 0; p < first->protocols->len; p++)
    {
      const char *name = ((MemberProtocol *) g_ptr_array_index (first->protocols, p))->name;
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (votes, name));
      if (n > best_votes)
        {
          best = name;
          best_votes = n;
        }
    }
  if (best == NULL)
    {
      /* Votes only for protocols the first member ranks nowhere: take any. */
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, votes);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (GPOINTER_TO_UINT (value) > best_votes)
          {
            best = key;
            best_votes = GPOINTER_TO_UINT (value);
          }
    }
  return g_strdup (best);
}

static void
send_join_response (BrokerGroupCoordinator *coord,
                    Group                  *group,
                    GroupMember            *m)
{
  BrokerJoinCallback cb = m->join_callback;
  gpointer data = m->join_data;
  BrokerJoinResult result = { 0 };
  g_autofree BrokerJoinMember *members = NULL;
  gboolean is_leader = g_strcmp0 (group->leader_id, m->member_id) == 0;

  if (cb == NULL)
    return;
  m->join_callback = NULL;
  m->join_data = NULL;
  result.error = CAUDAL_ERROR_CODE_NONE;
  result.generation = group->generation;
  result.protocol_type = group->protocol_type;
  result.protocol_name = group->protocol;
  result.leader = group->leader_id;
  result.member_id = m->member_id;
  if (is_leader)
    {
      members = g_new0 (BrokerJoinMember, group->member_order->len);
      for (guint i = 0; i < group->member_order->len; i++)
        {
          GroupMember *other = g_ptr_array_index (group->member_order, i);
          members[i].member_id = other->member_id;
          members[i].group_instance_id = other->group_instance_id;
          members[i].metadata = member_metadata_for (other, group->protocol);
        }
      result.members = members;
      result.n_members = group->member_order->len;
    }
  schedule_session (coord, m);
  m->is_new = FALSE;
  m->pending_sync = TRUE;
  cb (&result, data);
}

static void
complete_join (BrokerGroupCoordinator *coord,
               Group                  *group)
{
  g_autoptr(GPtrArray) silent = g_ptr_array_new ();
  g_autoptr(GPtrArray) joined = NULL;

  /* Members that did not rejoin in time leave the group. */
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      /* Static members stay: they are expected back (KIP-345); only their
       * session timeout removes them. */
      if (m->join_callback == NULL && m->group_instance_id == NULL)
        g_ptr_array_add (silent, m);
    }
  for (guint i = 0; i < silent->len; i++)
    {
      GroupMember *m = g_ptr_array_index (silent, i);
      g_debug ("group %s: member %s did not rejoin in time", group->group_id, m->member_id);
      remove_member (coord, group, m);
    }
  g_hash_table_remove_all (group->pending_members);
  group->rebalance_deadline = 0;
  group->initial_delay_end = 0;
  group->generation++;
  g_clear_pointer (&group->protocol, g_free);

  if (group->member_order->len == 0)
    {
      set_state (coord, group, GROUP_EMPTY);
      g_clear_pointer (&group->leader_id, g_free);
      group_persist (coord, group);
      coordinator_wakeup (coord);
      return;
    }

  group->protocol = select_protocol (group);
  set_state (coord, group, GROUP_COMPLETING_REBALANCE);
  g_message ("group %s: generation %d with %u member(s), protocol %s", group->group_id,
             group->generation, group->member_order->len, group->protocol);
  /* Members that never sync (a dead leader) must not hold the group
   * forever: the rebalance timeout bounds this phase too. */
  group->rebalance_deadline = coordinator_now (coord) + max_rebalance_timeout (group);
  group->sync_deadline = group->rebalance_deadline;
  for (guint i = 0; i < group->member_order->len; i++)
    ((GroupMember *) g_ptr_array_index (group->member_order, i))->pending_sync = TRUE;

  /* Answer everyone; callbacks may re-enter, so work from a copy. */
  joined = g_ptr_array_copy (group->member_order, NULL, NULL);
  for (guint i = 0; i < joined->len; i++)
    send_join_response (coord, group, g_ptr_array_index (joined, i));
  coordinator_wakeup (coord);
}

/* ---- JoinGroup ---- */

static char *
new_member_id (const char *client_id)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s-%s", client_id != NULL ? client_id : "", uuid);
}

static void
join_wait (BrokerGroupCoordinator *coord,
           Group                  *group,
           GroupMember            *m,
           BrokerJoinCallback      callback,
           gpointer                user_data)
{
  if (m->join_callback != NULL)
    /* A duplicate join replaces the earlier one, which is answered now. */
    respond_join_error (m->join_callback, m->join_data, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID,
                        m->member_id);
  m->join_callback = callback;
  m->join_data = user_data;
}

/* Swaps @old for a new member @member_id in place: same position in the
 * join order, same assignment, the request's timeouts and client details.
 * Answers the join at once with the current generation. */
static void
replace_static_member (BrokerGroupCoordinator  *coord,
                       Group                   *group,
                       GroupMember             *old,
                       const char              *member_id,
                       const BrokerJoinRequest *req,
                       BrokerJoinCallback       callback,
                       gpointer                 user_data)
{
  GroupMember *m = g_new0 (GroupMember, 1);
  guint index = 0;

  m->member_id = g_strdup (member_id);
  m->group_instance_id = g_strdup (req->group_instance_id);
  m->protocols = g_ptr_array_new_with_free_func ((GDestroyNotify) member_protocol_free);
  m->assignment = g_bytes_ref (old->assignment);
  member_set_protocols (m, req);
  g_ptr_array_find (group->member_order, old, &index);
  g_ptr_array_index (group->member_order, index) = m;
  g_hash_table_remove (group->static_members, old->group_instance_id);
  g_hash_table_remove (group->members, old->member_id);
  g_hash_table_insert (group->members, m->member_id, m);
  g_hash_table_insert (group->static_members, m->group_instance_id, m->member_id);
  group_persist (coord, group);
  m->join_callback = callback;
  m->join_data = user_data;
  send_join_response (coord, group, m);
  /* The member syncs next, but the group is already Stable. */
  m->pending_sync = FALSE;
  coordinator_wakeup (coord);
}

static void
join_new_member (BrokerGroupCoordinator  *coord,
                 Group                   *group,
                 const BrokerJoinRequest *req,
                 BrokerJoinCallback       callback,
                 gpointer                 user_data)
{
  g_autofree char *member_id = new_member_id (req->client_id);
  GroupMember *m;

  if (req->group_instance_id != NULL)
    {
      const char *old_id = g_hash_table_lookup (group->static_members, req->group_instance_id);

      if (old_id != NULL)
        {
          /* A static member restarted: the new instance replaces (fences)
           * the old one, keeping its place; its assignment is redone. */
          GroupMember *old = g_hash_table_lookup (group->members, old_id);
          g_message ("group %s: static member %s replaced %s by %s", group->group_id,
                     req->group_instance_id, old_id, member_id);
          /* Whatever the old instance waits for is fenced (Kafka's
           * replaceStaticMember). */
          if (old->join_callback != NULL)
            {
              BrokerJoinCallback cb = old->join_callback;
              gpointer data = old->join_data;
              old->join_callback = NULL;
              respond_join_error (cb, data, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID, old->member_id);
            }
          respond_sync (old, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID, group);

          /* Kafka's updateStaticMemberAndRebalance: in a Stable group a
           * follower that comes back with the same subscription takes its
           * old place and assignment without a rebalance. */
          if (group->state == GROUP_STABLE && protocols_match (old, req)
              && g_strcmp0 (group->leader_id, old->member_id) != 0)
            {
              replace_static_member (coord, group, old, member_id, req, callback, user_data);
              return;
            }
          remove_member (coord, group, old);
        }
    }
  else if (req->require_known_member_id)
    {
      /* KIP-394: hand out an id and ask the client to rejoin with it, so a
       * lost response does not leave an unknown member behind. */
      gint64 *deadline = g_new (gint64, 1);
      *deadline = coordinator_now (coord) + req->session_timeout_ms;
      g_hash_table_insert (group->pending_members, g_strdup (member_id), deadline);
      coordinator_wakeup (coord);
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED, member_id);
      return;
    }

  m = add_member (group, member_id, req);
  m->is_new = TRUE;
  join_wait (coord, group, m, callback, user_data);
  if (group->state == GROUP_PREPARING_REBALANCE)
    try_complete_join (coord, group);
  else
    prepare_rebalance (coord, group, "a new member joined");
}

void
broker_group_join (BrokerGroupCoordinator  *coord,
                   const BrokerJoinRequest *req,
                   BrokerJoinCallback       callback,
                   gpointer                 user_data)
{
  Group *group;
  GroupMember *m;
  gboolean unknown = req->member_id == NULL || *req->member_id == '\0';

  if (req->group_id == NULL || *req->group_id == '\0')
    {
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_INVALID_GROUP_ID, req->member_id);
      return;
    }
  if (req->session_timeout_ms < coord->cfg.min_session_timeout_ms
      || req->session_timeout_ms > coord->cfg.max_session_timeout_ms)
    {
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_INVALID_SESSION_TIMEOUT, req->member_id);
      return;
    }

  group = coordinator_get_group (coord, req->group_id);
  if (group == NULL)
    {
      if (!unknown)
        {
          respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID, req->member_id);
          return;
        }
      group = coordinator_add_group (coord, req->group_id);
    }
  if (group->state == GROUP_DEAD)
    {
      /* Being deleted: the client looks for the coordinator again. */
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE, req->member_id);
      return;
    }

  m = unknown ? NULL : g_hash_table_lookup (group->members, req->member_id);
  if (!group_supports_protocols (group, req, m))
    {
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL, req->member_id);
      return;
    }

  if (unknown)
    {
      if ((guint) coord->cfg.max_group_size <= g_hash_table_size (group->members)
          && (req->group_instance_id == NULL
              || !g_hash_table_contains (group->static_members, req->group_instance_id)))
        {
          respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_GROUP_MAX_SIZE_REACHED, "");
          return;
        }
      join_new_member (coord, group, req, callback, user_data);
      return;
    }

  if (m == NULL)
    {
      if (g_hash_table_contains (group->pending_members, req->member_id))
        {
          /* The second step of KIP-394's join. */
          g_hash_table_remove (group->pending_members, req->member_id);
          m = add_member (group, req->member_id, req);
          m->is_new = TRUE;
          join_wait (coord, group, m, callback, user_data);
          if (group->state == GROUP_PREPARING_REBALANCE)
            try_complete_join (coord, group);
          else
            prepare_rebalance (coord, group, "a new member joined");
          return;
        }
      if (req->group_instance_id != NULL
          && g_hash_table_contains (group->static_members, req->group_instance_id))
        {
          /* The instance rejoined under a new id: this is the old one. */
          respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID, req->member_id);
          return;
        }
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID, req->member_id);
      return;
    }
  if (req->group_instance_id != NULL
      && g_strcmp0 (g_hash_table_lookup (group->static_members, req->group_instance_id), m->member_id) != 0)
    {
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID, req->member_id);
      return;
    }

  switch (group->state)
    {
    case GROUP_PREPARING_REBALANCE:
      member_set_protocols (m, req);
      join_wait (coord, group, m, callback, user_data);
      try_complete_join (coord, group);
      break;
    case GROUP_COMPLETING_REBALANCE:
      if (protocols_match (m, req))
        {
          /* A retry of a join already answered: answer it again. */
          m->join_callback = callback;
          m->join_data = user_data;
          send_join_response (coord, group, m);
        }
      else
        {
          member_set_protocols (m, req);
          join_wait (coord, group, m, callback, user_data);
          prepare_rebalance (coord, group, "a member changed its protocols");
        }
      break;
    case GROUP_STABLE:
      if (g_strcmp0 (group->leader_id, m->member_id) == 0 || !protocols_match (m, req))
        {
          /* The leader rejoining wants a new assignment (e.g. metadata
           * changed); so does a member with new subscriptions. */
          member_set_protocols (m, req);
          join_wait (coord, group, m, callback, user_data);
          prepare_rebalance (coord, group, "the leader or a member's protocols changed");
        }
      else
        {
          m->join_callback = callback;
          m->join_data = user_data;
          send_join_response (coord, group, m);
        }
      break;
    case GROUP_EMPTY:
    case GROUP_DEAD:
    default:
      respond_join_error (callback, user_data, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID, req->member_id);
      break;
    }
}

/* ---- SyncGroup ---- */

static gint16
check_member (Group      *group,
              const char *member_id,
              const char *group_instance_id,
              GroupMember **out)
{
  GroupMember *m;

  if (group == NULL)
    return CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID;
  if (group->state == GROUP_DEAD)
    return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
  m = member_id != NULL ? g_hash_table_lookup (group->members, member_id) : NULL;
  if (group_instance_id != NULL)
    {
      const char *current = g_hash_table_lookup (group->static_members, group_instance_id);
      if (current != NULL && g_strcmp0 (current, member_id) != 0)
        return CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID;
    }
  if (m == NULL)
    return CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID;
  *out = m;
  return CAUDAL_ERROR_CODE_NONE;
}

static void
sync_error (BrokerSyncCallback callback,
            gpointer           user_data,
            gint16             error)
{
  BrokerSyncResult result = { 0 };
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);

  result.error = error;
  result.assignment = empty;
  callback (&result, user_data);
}

void
broker_group_sync (BrokerGroupCoordinator  *coord,
                   const BrokerSyncRequest *req,
                   BrokerSyncCallback       callback,
                   gpointer                 user_data)
{
  Group *group = coordinator_get_group (coord, req->group_id);
  GroupMember *m = NULL;
  gint16 error = check_member (group, req->member_id, req->group_instance_id, &m);

  if (error != CAUDAL_ERROR_CODE_NONE)
    {
      sync_error (callback, user_data, error);
      return;
    }
  if (req->generation != group->generation)
    {
      sync_error (callback, user_data, CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
      return;
    }
  /* v5: the client states the protocol it expects. */
  if ((req->protocol_type != NULL && g_strcmp0 (req->protocol_type, group->protocol_type) != 0)
      || (req->protocol_name != NULL && g_strcmp0 (req->protocol_name, group->protocol) != 0))
    {
      sync_error (callback, user_data, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
      return;
    }

  switch (group->state)
    {
    case GROUP_PREPARING_REBALANCE:
      sync_error (callback, user_data, CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
      return;
    case GROUP_STABLE:
      m->pending_sync = FALSE;
      schedule_session (coord, m);
      m->sync_callback = callback;
      m->sync_data = user_data;
      respond_sync (m, CAUDAL_ERROR_CODE_NONE, group);
      return;
    case GROUP_COMPLETING_REBALANCE:
      m->pending_sync = FALSE;
      if (m->sync_callback != NULL)
        respond_sync (m, CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS, group);
      m->sync_callback = callback;
      m->sync_data = user_data;
      schedule_session (coord, m);
      if (g_strcmp0 (group->leader_id, m->member_id) == 0)
        {
          g_autoptr(GPtrArray) members = NULL;

          /* The leader's assignment, byte for byte; members it left out
           * get an empty one (Kafka does the same). */
          for (guint i = 0; i < group->member_order->len; i++)
            {
              GroupMember *other = g_ptr_array_index (group->member_order, i);
              g_bytes_unref (other->assignment);
              other->assignment = g_bytes_new (NULL, 0);
              for (guint a = 0; a < req->n_assignments; a++)
                if (g_strcmp0 (req->assignments[a].member_id, other->member_id) == 0)
                  {
                    g_bytes_unref (other->assignment);
                    other->assignment = g_bytes_new (req->assignments[a].assignment,
                                                     req->assignments[a].assignment_len);
                  }
            }
          group->rebalance_deadline = 0;
          set_state (coord, group, GROUP_STABLE);
          group_persist (coord, group);
          members = g_ptr_array_copy (group->member_order, NULL, NULL);
          for (guint i = 0; i < members->len; i++)
            respond_sync (g_ptr_array_index (members, i), CAUDAL_ERROR_CODE_NONE, group);
          coordinator_wakeup (coord);
        }
      return;
    case GROUP_EMPTY:
    case GROUP_DEAD:
    default:
      sync_error (callback, user_data, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
      return;
    }
}

/* ---- Heartbeat and LeaveGroup ---- */

gint16
broker_group_heartbeat (BrokerGroupCoordinator *coord,
                        const char             *group_id,
                        const char             *member_id,
                        const char             *group_instance_id,
                        gint32                  generation)
{
  Group *group = coordinator_get_group (coord, group_id);
  GroupMember *m = NULL;
  gint16 error = check_member (group, member_id, group_instance_id, &m);

  if (error != CAUDAL_ERROR_CODE_NONE)
    return error;
  if (group->state == GROUP_EMPTY)
    return CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID;
  if (generation != group->generation)
    return CAUDAL_ERROR_CODE_ILLEGAL_GENERATION;
  schedule_session (coord, m);
  /* In PreparingRebalance the heartbeat tells the member to rejoin. */
  if (group->state == GROUP_PREPARING_REBALANCE)
    return CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS;
  return CAUDAL_ERROR_CODE_NONE;
}

gint16
broker_group_check_exists (BrokerGroupCoordinator *coord,
                           const char             *group_id)
{
  Group *group = coordinator_get_group (coord, group_id);

  if (group == NULL)
    return CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID;
  if (group->state == GROUP_DEAD)
    return CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE;
  return CAUDAL_ERROR_CODE_NONE;
}

static void
member_left (BrokerGroupCoordinator *coord,
             Group                  *group,
             GroupMember            *m,
             const char             *why)
{
  g_message ("group %s: member %s left (%s)", group->group_id, m->member_id, why);
  remove_member (coord, group, m);
  switch (group->state)
    {
    case GROUP_STABLE:
    case GROUP_COMPLETING_REBALANCE:
      prepare_rebalance (coord, group, why);
      break;
    case GROUP_PREPARING_REBALANCE:
      try_complete_join (coord, group);
      break;
    case GROUP_EMPTY:
    case GROUP_DEAD:
    default:
      break;
    }
}

gint16
broker_group_leave (BrokerGroupCoordinator *coord,
                    const char             *group_id,
                    const char             *member_id,
                    const char             *group_instance_id,
                    const char             *reason)
{
  Group *group = coordinator_get_group (coord, group_id);
  GroupMember *m = NULL;
  gint16 error = broker_group_check_exists (coord, group_id);

  if (error != CAUDAL_ERROR_CODE_NONE)
    return error;
  if ((member_id == NULL || *member_id == '\0') && group_instance_id != NULL)
    {
      /* KIP-345: an operator removes a static member by instance id. */
      member_id = g_hash_table_lookup (group->static_members, group_instance_id);
      if (member_id == NULL)
        return CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID;
    }
  if (member_id != NULL && g_hash_table_remove (group->pending_members, member_id))
    {
      try_complete_join (coord, group);
      return CAUDAL_ERROR_CODE_NONE;
    }
  error = check_member (group, member_id, group_instance_id, &m);
  if (error != CAUDAL_ERROR_CODE_NONE)
    return error;
  member_left (coord, group, m, reason != NULL && *reason != '\0' ? reason : "LeaveGroup");
  return CAUDAL_ERROR_CODE_NONE;
}

/* ---- deadlines ---- */

static gint64
group_tick (BrokerGroupCoordinator *coord,
            Group                  *group,
            gint64                  now)
{
  gint64 next = G_MAXINT64;
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  g_autoptr(GPtrArray) expired_pending = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  /* Pending ids of KIP-394 joins that never came back. */
  g_hash_table_iter_init (&iter, group->pending_members);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 deadline = *(gint64 *) value;
      if (deadline <= now)
        g_ptr_array_add (expired_pending, key);
      else
        next = MIN (next, deadline);
    }
  for (guint i = 0; i < expired_pending->len; i++)
    g_hash_table_remove (group->pending_members, g_ptr_array_index (expired_pending, i));
  if (expired_pending->len > 0)
    try_complete_join (coord, group);

  /* Session expiry, except for members waiting on a response (Kafka's
   * shouldKeepAlive). */
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      if (m->join_callback != NULL || m->sync_callback != NULL || m->session_deadline == 0)
        continue;
      if (m->session_deadline <= now)
        g_ptr_array_add (expired, m);
      else
        next = MIN (next, m->session_deadline);
    }
  for (guint i = 0; i < expired->len; i++)
    member_left (coord, group, g_ptr_array_index (expired, i), "session timeout expired");

  if (group->state == GROUP_PREPARING_REBALANCE && group->initial_delay_end != 0)
    {
      if (now >= group->initial_delay_end)
        {
          /* Extend while new members keep arriving, up to the limit. */
          gboolean arrived = FALSE;
          for (guint i = 0; i < group->member_order->len; i++)
            if (((GroupMember *) g_ptr_array_index (group->member_order, i))->is_new)
              arrived = TRUE;
          if (arrived && now + coord->cfg.initial_rebalance_delay_ms < group->initial_delay_limit
              && g_hash_table_size (group->members) > 1)
            {
              for (guint i = 0; i < group->member_order->len; i++)
                ((GroupMember *) g_ptr_array_index (group->member_order, i))->is_new = FALSE;
              group->initial_delay_end = now + coord->cfg.initial_rebalance_delay_ms;
            }
          else
            {
              group->initial_delay_end = 0;
              complete_join (coord, group);
            }
        }
    }
  else if (group->state == GROUP_PREPARING_REBALANCE && group->rebalance_deadline != 0
           && now >= group->rebalance_deadline)
    complete_join (coord, group);
  else if (group->state == GROUP_COMPLETING_REBALANCE && group->rebalance_deadline != 0
           && now >= group->rebalance_deadline)
    {
      /* The leader never sent the assignment: drop those that did not
       * sync and start over (Kafka's pending-sync timeout). */
      g_autoptr(GPtrArray) unsynced = g_ptr_array_new ();
      for (guint i = 0; i < group->member_order->len; i++)
        {
          GroupMember *m = g_ptr_array_index (group->member_order, i);
          if (m->sync_callback == NULL)
            g_ptr_array_add (unsynced, m);
        }
      for (guint i = 0; i < unsynced->len; i++)
        remove_member (coord, group, g_ptr_array_index (unsynced, i));
      prepare_rebalance (coord, group, "members did not sync in time");
    }

  if (group->state == GROUP_STABLE && group->sync_deadline != 0)
    {
      if (now >= group->sync_deadline)
        {
          /* Kafka's pending-sync timeout: a member that got its join
           * response but never synced is gone. */
          g_autoptr(GPtrArray) unsynced = g_ptr_array_new ();
          group->sync_deadline = 0;
          for (guint i = 0; i < group->member_order->len; i++)
            {
              GroupMember *m = g_ptr_array_index (group->member_order, i);
              if (m->pending_sync)
                g_ptr_array_add (unsynced, m);
            }
          for (guint i = 0; i < unsynced->len; i++)
            remove_member (coord, group, g_ptr_array_index (unsynced, i));
          if (unsynced->len > 0)
            prepare_rebalance (coord, group, "members did not sync in time");
        }
      else
        next = MIN (next, group->sync_deadline);
    }

  if (group->state == GROUP_PREPARING_REBALANCE && group->initial_delay_end != 0)
    next = MIN (next, group->initial_delay_end);
  else if ((group->state == GROUP_PREPARING_REBALANCE || group->state == GROUP_COMPLETING_REBALANCE)
           && group->rebalance_deadline != 0)
    next = MIN (next, group->rebalance_deadline);
  /* Session deadlines restarted by this tick. */
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      if (m->join_callback == NULL && m->sync_callback == NULL && m->session_deadline != 0)
        next = MIN (next, m->session_deadline);
    }
  return next;
}

gint64
broker_group_coordinator_tick (BrokerGroupCoordinator *coord)
{
  gint64 now = coordinator_now (coord);
  gint64 next = G_MAXINT64;
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (groups, value);
  for (guint i = 0; i < groups->len; i++)
    next = MIN (next, group_tick (coord, g_ptr_array_index (groups, i), now));
  if (now >= coord->next_expiry_check)
    {
      coordinator_expire_offsets (coord);
      /* offsets.retention.check.interval.ms defaults to 10 minutes. */
      coord->next_expiry_check = now + 10 * 60 * 1000;
    }
  return next == G_MAXINT64 ? -1 : MAX (next - now, 0);
}
