/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-coordinator.c: Kafka's classic group state machine as the
 * coordinator implements it (broker/group/broker-group-coordinator.c):
 * JoinGroup (one- and two-step), the initial rebalance delay, protocol
 * selection, SyncGroup, Heartbeat and session expiry, rebalance timeouts,
 * LeaveGroup, static membership, committed offsets (commit, fetch,
 * delete, expiry) and the admin views (ListGroups, DescribeGroups,
 * DeleteGroups).
 *
 * The coordinator runs without a store, on a fake clock advanced by hand;
 * deadlines run when the test calls broker_group_coordinator_tick().
 * Callbacks record their results into recorders owned by the fixture
 * (so that the NOT_COORDINATOR answers of the coordinator's shutdown, in
 * teardown, still land in live memory).
 *
 * The expectations are Kafka's (GroupCoordinator.scala / GroupMetadata.scala
 * of Kafka 3.x, and ClassicGroup of the 4.x group coordinator). Cases where
 * the coordinator differs from Kafka are registered only when
 * CAUDAL_TEST_KNOWN_BUGS=1 (under /group/coordinator/known-bug/). */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "broker-group-coordinator.h"
#include "caudal-error-codes.h"

#if defined(__SANITIZE_ADDRESS__)
#define CAUDAL_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAUDAL_TEST_SANITIZED 1
#endif
#endif


/* A fake wall clock: the coordinator stores commit timestamps. */
#define T0 G_GINT64_CONSTANT (1700000000000)

#define MAX_MEMBERS 4

/* ---- recorders ---- */

typedef struct
{
  char   *member_id;
  char   *group_instance_id;
  GBytes *metadata;
} MemberCopy;

static void
member_copy_free (MemberCopy *c)
{
  g_free (c->member_id);
  g_free (c->group_instance_id);
  g_bytes_unref (c->metadata);
  g_free (c);
}

typedef struct
{
  guint      calls;
  gint16     error;
  gint32     generation;
  char      *protocol_type;
  char      *protocol_name;
  char      *leader;
  char      *member_id;
  gboolean   skip_assignment;
  GPtrArray *members;   /* MemberCopy*: the leader's member list */
} JoinRec;

static void
join_rec_free (JoinRec *rec)
{
  g_free (rec->protocol_type);
  g_free (rec->protocol_name);
  g_free (rec->leader);
  g_free (rec->member_id);
  g_ptr_array_unref (rec->members);
  g_free (rec);
}

typedef struct
{
  guint   calls;
  gint16  error;
  char   *protocol_type;
  char   *protocol_name;
  GBytes *assignment;
} SyncRec;

static void
sync_rec_free (SyncRec *rec)
{
  g_free (rec->protocol_type);
  g_free (rec->protocol_name);
  g_clear_pointer (&rec->assignment, g_bytes_unref);
  g_free (rec);
}

typedef struct
{
  guint  calls;
  gint16 error;
} CommitRec;

static void
on_join (const BrokerJoinResult *result,
         gpointer                user_data)
{
  JoinRec *rec = user_data;

  rec->calls++;
  rec->error = result->error;
  rec->generation = result->generation;
  g_free (rec->protocol_type);
  rec->protocol_type = g_strdup (result->protocol_type);
  g_free (rec->protocol_name);
  rec->protocol_name = g_strdup (result->protocol_name);
  g_free (rec->leader);
  rec->leader = g_strdup (result->leader);
  g_free (rec->member_id);
  rec->member_id = g_strdup (result->member_id);
  rec->skip_assignment = result->skip_assignment;
  g_ptr_array_set_size (rec->members, 0);
  for (guint i = 0; i < result->n_members; i++)
    {
      MemberCopy *c = g_new0 (MemberCopy, 1);

      c->member_id = g_strdup (result->members[i].member_id);
      c->group_instance_id = g_strdup (result->members[i].group_instance_id);
      c->metadata = result->members[i].metadata != NULL ? g_bytes_ref (result->members[i].metadata)
                                                        : g_bytes_new (NULL, 0);
      g_ptr_array_add (rec->members, c);
    }
}

static void
on_sync (const BrokerSyncResult *result,
         gpointer                user_data)
{
  SyncRec *rec = user_data;

  rec->calls++;
  rec->error = result->error;
  g_free (rec->protocol_type);
  rec->protocol_type = g_strdup (result->protocol_type);
  g_free (rec->protocol_name);
  rec->protocol_name = g_strdup (result->protocol_name);
  g_clear_pointer (&rec->assignment, g_bytes_unref);
  g_assert_nonnull (result->assignment);
  rec->assignment = g_bytes_ref (result->assignment);
}

static void
on_commit (gint16   error,
           gpointer user_data)
{
  CommitRec *rec = user_data;

  rec->calls++;
  rec->error = error;
}

/* ---- fixture ---- */

typedef struct
{
  gint64                  now;
  BrokerGroupConfig       cfg;
  BrokerGroupCoordinator *coord;
  GPtrArray              *joins;   /* JoinRec* (owned) */
  GPtrArray              *syncs;   /* SyncRec* (owned) */
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->now = T0;
  f->joins = g_ptr_array_new_with_free_func ((GDestroyNotify) join_rec_free);
  f->syncs = g_ptr_array_new_with_free_func ((GDestroyNotify) sync_rec_free);
  broker_group_config_init_defaults (&f->cfg);
  /* Most cases want a join to complete at once. */
  f->cfg.initial_rebalance_delay_ms = 0;
  f->coord = broker_group_coordinator_new (&f->cfg, NULL, fake_clock, &f->now);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* First the coordinator (its shutdown answers waiting requests), then
   * the recorders those answers went to. */
  g_clear_pointer (&f->coord, broker_group_coordinator_free);
  g_clear_pointer (&f->joins, g_ptr_array_unref);
  g_clear_pointer (&f->syncs, g_ptr_array_unref);
}

/* A new coordinator with f->cfg (after a test changed it). */
static void
fixture_restart (Fixture *f)
{
  g_clear_pointer (&f->coord, broker_group_coordinator_free);
  f->coord = broker_group_coordinator_new (&f->cfg, NULL, fake_clock, &f->now);
}

static JoinRec *
join_rec_new (Fixture *f)
{
  JoinRec *rec = g_new0 (JoinRec, 1);

  rec->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_copy_free);
  rec->generation = G_MININT32;
  g_ptr_array_add (f->joins, rec);
  return rec;
}

static SyncRec *
sync_rec_new (Fixture *f)
{
  SyncRec *rec = g_new0 (SyncRec, 1);

  g_ptr_array_add (f->syncs, rec);
  return rec;
}

static gint64
tick (Fixture *f)
{
  return broker_group_coordinator_tick (f->coord);
}

/* ---- the consumer protocol, by hand ---- */

/* ConsumerProtocolSubscription: int16 version, int32 topic count, int16
 * length-prefixed topics, int32 user-data length (-1: null). */
static GBytes *
subscription_new (gint16      version,
                  const char *topics_csv)
{
  g_auto(GStrv) topics = g_strsplit (topics_csv, ",", -1);
  GByteArray *buf = g_byte_array_new ();
  guint16 v = GUINT16_TO_BE ((guint16) version);
  guint32 n = GUINT32_TO_BE (g_strv_length (topics));
  guint32 no_user_data = GUINT32_TO_BE (G_MAXUINT32);

  g_byte_array_append (buf, (const guint8 *) &v, 2);
  g_byte_array_append (buf, (const guint8 *) &n, 4);
  for (guint i = 0; topics[i] != NULL; i++)
    {
      guint16 len = GUINT16_TO_BE ((guint16) strlen (topics[i]));

      g_byte_array_append (buf, (const guint8 *) &len, 2);
      g_byte_array_append (buf, (const guint8 *) topics[i], strlen (topics[i]));
    }
  g_byte_array_append (buf, (const guint8 *) &no_user_data, 4);
  return g_byte_array_free_to_bytes (buf);
}

static void
assert_bytes_equal (GBytes *got,
                    GBytes *want)
{
  gsize got_len, want_len;
  const guint8 *got_data, *want_data;

  g_assert_nonnull (got);
  got_data = g_bytes_get_data (got, &got_len);
  want_data = g_bytes_get_data (want, &want_len);
  g_assert_cmpmem (got_data, got_len, want_data, want_len);
}

static void
assert_subscription (GBytes     *got,
                     gint16      version,
                     const char *topics_csv)
{
  g_autoptr(GBytes) want = subscription_new (version, topics_csv);

  assert_bytes_equal (got, want);
}

static void
assert_bytes_mem (GBytes       *got,
                  const guint8 *want,
                  gsize         want_len)
{
  gsize got_len;
  const guint8 *got_data;

  g_assert_nonnull (got);
  got_data = g_bytes_get_data (got, &got_len);
  g_assert_cmpmem (got_data, got_len, want, want_len);
}

static void
assert_bytes_str (GBytes     *got,
                  const char *want)
{
  assert_bytes_mem (got, (const guint8 *) want, strlen (want));
}

/* ---- requests ---- */

typedef struct
{
  const char *group;           /* "g" */
  const char *member_id;       /* NULL: "" (a new member) */
  const char *instance_id;     /* NULL: dynamic */
  const char *protocol_type;   /* NULL: "consumer" */
  const char *protocols;       /* comma separated; NULL: "range"; "": none */
  const char *topics;          /* the subscription; NULL: "t1" */
  const char *raw_metadata;    /* instead of a subscription */
  const char *client_id;       /* NULL: "client" */
  const char *client_host;     /* NULL: "/127.0.0.1" */
  gint32      session_ms;      /* 0: 10000 */
  gint32      rebalance_ms;    /* 0: 30000 */
  gboolean    v4;              /* require_known_member_id */
} JoinSpec;

/* Protocol i of a member carries a subscription of version i, so that
 * which protocol's metadata the leader got can be told apart. */
static JoinRec *
join (Fixture        *f,
      const JoinSpec *spec)
{
  JoinRec *rec = join_rec_new (f);
  g_auto(GStrv) names = g_strsplit (spec->protocols != NULL ? spec->protocols : "range", ",", -1);
  guint n = g_strv_length (names);
  g_autofree BrokerGroupProtocol *protocols = g_new0 (BrokerGroupProtocol, MAX (n, 1));
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  BrokerJoinRequest req = { 0 };

  for (guint i = 0; i < n; i++)
    {
      GBytes *m = spec->raw_metadata != NULL
                    ? g_bytes_new (spec->raw_metadata, strlen (spec->raw_metadata))
                    : subscription_new ((gint16) i, spec->topics != NULL ? spec->topics : "t1");

      g_ptr_array_add (metadata, m);
      protocols[i].name = names[i];
      protocols[i].metadata = g_bytes_get_data (m, &protocols[i].metadata_len);
    }
  req.group_id = spec->group != NULL ? spec->group : "g";
  req.member_id = spec->member_id != NULL ? spec->member_id : "";
  req.group_instance_id = spec->instance_id;
  req.client_id = spec->client_id != NULL ? spec->client_id : "client";
  req.client_host = spec->client_host != NULL ? spec->client_host : "/127.0.0.1";
  req.protocol_type = spec->protocol_type != NULL ? spec->protocol_type : "consumer";
  req.session_timeout_ms = spec->session_ms != 0 ? spec->session_ms : 10000;
  req.rebalance_timeout_ms = spec->rebalance_ms != 0 ? spec->rebalance_ms : 30000;
  req.protocols = protocols;
  req.n_protocols = n;
  req.require_known_member_id = spec->v4;
  req.reason = "test";
  broker_group_join (f->coord, &req, on_join, rec);
  return rec;
}

#define JOIN(f, ...) join ((f), &(const JoinSpec) { __VA_ARGS__ })

typedef struct
{
  const char                 *group;          /* "g" */
  const char                 *member_id;
  const char                 *instance_id;
  const char                 *protocol_type;  /* v5 */
  const char                 *protocol_name;  /* v5 */
  gint32                      generation;
  const BrokerSyncAssignment *assignments;
  guint                       n_assignments;
} SyncSpec;

static SyncRec *
sync_group (Fixture        *f,
            const SyncSpec *spec)
{
  SyncRec *rec = sync_rec_new (f);
  BrokerSyncRequest req = { 0 };

  req.group_id = spec->group != NULL ? spec->group : "g";
  req.member_id = spec->member_id;
  req.group_instance_id = spec->instance_id;
  req.protocol_type = spec->protocol_type;
  req.protocol_name = spec->protocol_name;
  req.generation = spec->generation;
  req.assignments = spec->assignments;
  req.n_assignments = spec->n_assignments;
  broker_group_sync (f->coord, &req, on_sync, rec);
  return rec;
}

#define SYNC(f, ...) sync_group ((f), &(const SyncSpec) { __VA_ARGS__ })

static gint16
heartbeat (Fixture    *f,
           const char *group,
           const char *member_id,
           const char *instance_id,
           gint32      generation)
{
  return broker_group_heartbeat (f->coord, group, member_id, instance_id, generation);
}

/* Commits; the store is NULL, so the callback runs at once. */
static gint16
commit (Fixture           *f,
        const char        *group,
        const char        *member_id,
        const char        *instance_id,
        gint32             generation,
        BrokerCommitEntry *entries,
        guint              n_entries)
{
  CommitRec rec = { 0 };

  broker_group_commit_offsets (f->coord, group, member_id, instance_id, generation, entries,
                               n_entries, on_commit, &rec);
  g_assert_cmpuint (rec.calls, ==, 1);
  return rec.error;
}

static gint16
commit1 (Fixture    *f,
         const char *group,
         const char *member_id,
         const char *instance_id,
         gint32      generation,
         const char *topic,
         gint32      partition,
         gint64      offset)
{
  BrokerCommitEntry e = { topic, partition, offset, -1, NULL, CAUDAL_ERROR_CODE_NONE };
  gint16 error = commit (f, group, member_id, instance_id, generation, &e, 1);

  g_assert_cmpint (e.error, ==, CAUDAL_ERROR_CODE_NONE);
  return error;
}

static gboolean
has_offset (Fixture    *f,
            const char *group,
            const char *topic,
            gint32      partition)
{
  BrokerCommittedOffset out;

  return broker_group_fetch_offset (f->coord, group, topic, partition, &out);
}

/* ---- group views ---- */

static void
assert_group (Fixture    *f,
              const char *group,
              const char *state,
              guint       n_members)
{
  g_autoptr(BrokerGroupDescription) desc = broker_group_describe (f->coord, group);

  g_assert_cmpint (desc->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpstr (desc->state, ==, state);
  g_assert_cmpuint (desc->n_members, ==, n_members);
}

static gboolean
described_has (const BrokerGroupDescription *desc,
               const char                   *member_id)
{
  for (guint i = 0; i < desc->n_members; i++)
    if (g_strcmp0 (desc->members[i].member_id, member_id) == 0)
      return TRUE;
  return FALSE;
}

/* The member must be there. */
static const BrokerMemberDescription *
find_described (const BrokerGroupDescription *desc,
                const char                   *member_id)
{
  for (guint i = 0; i < desc->n_members; i++)
    if (g_strcmp0 (desc->members[i].member_id, member_id) == 0)
      return &desc->members[i];
  g_error ("member %s is not in the description of %s", member_id, desc->group_id);
}

static gboolean
joined_has (const JoinRec *rec,
            const char    *member_id)
{
  for (guint i = 0; i < rec->members->len; i++)
    if (g_strcmp0 (((const MemberCopy *) g_ptr_array_index (rec->members, i))->member_id, member_id) == 0)
      return TRUE;
  return FALSE;
}

/* The member must be in the leader's list. */
static const MemberCopy *
find_joined (const JoinRec *rec,
             const char    *member_id)
{
  for (guint i = 0; i < rec->members->len; i++)
    {
      const MemberCopy *c = g_ptr_array_index (rec->members, i);
      if (g_strcmp0 (c->member_id, member_id) == 0)
        return c;
    }
  g_error ("member %s is not in the leader's list", member_id);
}

/* ---- a group of n members ---- */

typedef struct
{
  guint       n;
  const char *ids[MAX_MEMBERS];      /* ids[0] is the leader */
  JoinRec    *joins[MAX_MEMBERS];    /* the last join of each member */
  SyncRec    *syncs[MAX_MEMBERS];    /* when synced */
  gint32      generation;
} Formed;

/* Joins the members one by one (JoinGroup v3, one step); each newcomer
 * starts a rebalance which the earlier members complete by rejoining.
 * The group ends in CompletingRebalance at generation n, led by the first
 * member; with @sync, the followers sync, then the leader with assignment
 * "assign-<i>" for member i, and the group is Stable. */
static void
form_group (Fixture        *f,
            const JoinSpec *specs,
            guint           n,
            gboolean        sync,
            Formed         *out)
{
  const char *group = specs[0].group != NULL ? specs[0].group : "g";

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, MAX_MEMBERS);
  memset (out, 0, sizeof *out);
  out->n = n;
  for (guint i = 0; i < n; i++)
    {
      JoinSpec s = specs[i];

      s.member_id = NULL;
      s.v4 = FALSE;
      out->joins[i] = join (f, &s);
      for (guint j = 0; j < i; j++)
        {
          JoinSpec r = specs[j];

          r.member_id = out->ids[j];
          r.v4 = FALSE;
          out->joins[j] = join (f, &r);
        }
      for (guint j = 0; j <= i; j++)
        {
          g_assert_cmpuint (out->joins[j]->calls, ==, 1);
          g_assert_cmpint (out->joins[j]->error, ==, CAUDAL_ERROR_CODE_NONE);
          g_assert_cmpint (out->joins[j]->generation, ==, out->joins[0]->generation);
        }
      out->ids[i] = out->joins[i]->member_id;
    }
  out->generation = out->joins[0]->generation;
  g_assert_cmpint (out->generation, ==, (gint32) n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (out->joins[i]->leader, ==, out->ids[0]);
  assert_group (f, group, "CompletingRebalance", n);

  if (sync)
    {
      BrokerSyncAssignment assignments[MAX_MEMBERS];
      char texts[MAX_MEMBERS][16];

      for (guint i = 0; i < n; i++)
        {
          g_snprintf (texts[i], sizeof texts[i], "assign-%u", i);
          assignments[i].member_id = out->ids[i];
          assignments[i].assignment = (const guint8 *) texts[i];
          assignments[i].assignment_len = strlen (texts[i]);
        }
      for (guint i = 1; i < n; i++)
        {
          out->syncs[i] = SYNC (f, .group = group, .member_id = out->ids[i],
                                .instance_id = specs[i].instance_id, .generation = out->generation);
          g_assert_cmpuint (out->syncs[i]->calls, ==, 0);
        }
      out->syncs[0] = SYNC (f, .group = group, .member_id = out->ids[0],
                            .instance_id = specs[0].instance_id, .generation = out->generation,
                            .assignments = assignments, .n_assignments = n);
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpuint (out->syncs[i]->calls, ==, 1);
          g_assert_cmpint (out->syncs[i]->error, ==, CAUDAL_ERROR_CODE_NONE);
          assert_bytes_str (out->syncs[i]->assignment, texts[i]);
        }
      assert_group (f, group, "Stable", n);
    }
}

static void
form_default (Fixture  *f,
              guint     n,
              gboolean  sync,
              Formed   *out)
{
  JoinSpec specs[MAX_MEMBERS] = { { 0 } };

  form_group (f, specs, n, sync, out);
}

/* ==== JoinGroup ==== */

/* KIP-394 (JoinGroup v4+): a new member first gets MEMBER_ID_REQUIRED
 * with its id, and only joins when it comes back with that id. */
static void
test_join_two_step (Fixture       *f,
                    gconstpointer  data)
{
  JoinRec *first = JOIN (f, .v4 = TRUE);
  JoinRec *second;
  const MemberCopy *c;

  g_assert_cmpuint (first->calls, ==, 1);
  g_assert_cmpint (first->error, ==, CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED);
  g_assert_cmpint (first->generation, ==, -1);
  g_assert_cmpstr (first->leader, ==, "");
  /* Kafka's generateMemberId: client id, "-", a UUID. */
  g_assert_true (g_str_has_prefix (first->member_id, "client-"));
  g_assert_cmpuint (strlen (first->member_id), >, strlen ("client-"));
  /* The pending member is not a member yet. */
  assert_group (f, "g", "Empty", 0);

  second = JOIN (f, .member_id = first->member_id, .v4 = TRUE);
  g_assert_cmpuint (second->calls, ==, 1);
  g_assert_cmpint (second->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (second->generation, ==, 1);
  g_assert_cmpstr (second->member_id, ==, first->member_id);
  g_assert_cmpstr (second->leader, ==, first->member_id);
  g_assert_cmpstr (second->protocol_type, ==, "consumer");
  g_assert_cmpstr (second->protocol_name, ==, "range");
  g_assert_false (second->skip_assignment);
  g_assert_cmpuint (second->members->len, ==, 1);
  c = find_joined (second, first->member_id);
  g_assert_nonnull (c);
  g_assert_null (c->group_instance_id);
  assert_subscription (c->metadata, 0, "t1");
  assert_group (f, "g", "CompletingRebalance", 1);
  g_assert_cmpuint (first->calls, ==, 1);
}

/* JoinGroup v3 and older: the member joins on its first request. */
static void
test_join_one_step (Fixture       *f,
                    gconstpointer  data)
{
  JoinRec *rec = JOIN (f, .client_id = "app");

  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (rec->generation, ==, 1);
  g_assert_true (g_str_has_prefix (rec->member_id, "app-"));
  g_assert_cmpstr (rec->leader, ==, rec->member_id);
  g_assert_cmpuint (rec->members->len, ==, 1);
  assert_group (f, "g", "CompletingRebalance", 1);
}

static void
assert_no_groups (Fixture *f)
{
  g_autoptr(GArray) groups = broker_group_list (f->coord);

  g_assert_cmpuint (groups->len, ==, 0);
}

static void
test_join_invalid_group_id (Fixture       *f,
                            gconstpointer  data)
{
  JoinRec *rec = JOIN (f, .group = "");
  JoinRec *rec4 = JOIN (f, .group = "", .v4 = TRUE);

  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INVALID_GROUP_ID);
  g_assert_cmpint (rec->generation, ==, -1);
  g_assert_cmpuint (rec4->calls, ==, 1);
  g_assert_cmpint (rec4->error, ==, CAUDAL_ERROR_CODE_INVALID_GROUP_ID);
  assert_no_groups (f);
}

/* group.min.session.timeout.ms / group.max.session.timeout.ms bound the
 * member's session timeout, inclusively. */
static void
test_join_invalid_session_timeout (Fixture       *f,
                                   gconstpointer  data)
{
  JoinRec *low = JOIN (f, .session_ms = 5999);
  JoinRec *high = JOIN (f, .session_ms = 1800001);
  JoinRec *min, *max;

  g_assert_cmpuint (low->calls, ==, 1);
  g_assert_cmpint (low->error, ==, CAUDAL_ERROR_CODE_INVALID_SESSION_TIMEOUT);
  g_assert_cmpuint (high->calls, ==, 1);
  g_assert_cmpint (high->error, ==, CAUDAL_ERROR_CODE_INVALID_SESSION_TIMEOUT);
  /* Checked before the group is created. */
  assert_no_groups (f);

  min = JOIN (f, .group = "g-min", .session_ms = 6000);
  max = JOIN (f, .group = "g-max", .session_ms = 1800000);
  g_assert_cmpint (min->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (max->error, ==, CAUDAL_ERROR_CODE_NONE);
}

static void
test_join_inconsistent_protocol (Fixture       *f,
                                 gconstpointer  data)
{
  Formed g;
  JoinRec *rec;

  /* An empty group takes any protocol type, but not none. */
  rec = JOIN (f, .group = "e", .protocol_type = "");
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  rec = JOIN (f, .group = "e", .protocols = "");
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);

  form_default (f, 1, TRUE, &g);
  /* Another protocol type. */
  rec = JOIN (f, .protocol_type = "connect");
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  /* No protocol in common with the members. */
  rec = JOIN (f, .protocols = "sticky");
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  /* Checked before KIP-394 hands out a member id. */
  rec = JOIN (f, .protocols = "sticky,cooperative-sticky", .v4 = TRUE);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  assert_group (f, "g", "Stable", 1);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
}

static void
test_join_unknown_member (Fixture       *f,
                          gconstpointer  data)
{
  Formed g;
  JoinRec *rec;
  g_autoptr(BrokerGroupDescription) desc = NULL;

  /* A member id for a group that does not exist: not created. */
  rec = JOIN (f, .group = "nogroup", .member_id = "ghost");
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  g_assert_cmpint (rec->generation, ==, -1);
  desc = broker_group_describe (f->coord, "nogroup");
  g_assert_cmpstr (desc->state, ==, "Dead");
  assert_no_groups (f);

  form_default (f, 1, TRUE, &g);
  rec = JOIN (f, .member_id = "ghost");
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  rec = JOIN (f, .member_id = "ghost", .v4 = TRUE);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  assert_group (f, "g", "Stable", 1);
}

/* ==== the initial rebalance delay ==== */

static void
test_initial_delay_single (Fixture       *f,
                           gconstpointer  data)
{
  JoinRec *rec;

  f->cfg.initial_rebalance_delay_ms = 3000;
  fixture_restart (f);
  g_assert_cmpint (tick (f), ==, -1);

  rec = JOIN (f, .rebalance_ms = 10000);
  g_assert_cmpuint (rec->calls, ==, 0);
  assert_group (f, "g", "PreparingRebalance", 1);
  g_assert_cmpint (tick (f), ==, 3000);

  f->now += 2999;
  tick (f);
  g_assert_cmpuint (rec->calls, ==, 0);
  assert_group (f, "g", "PreparingRebalance", 1);

  f->now += 1;
  tick (f);
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (rec->generation, ==, 1);
  g_assert_cmpstr (rec->leader, ==, rec->member_id);
  assert_group (f, "g", "CompletingRebalance", 1);
}

/* A member arriving during the delay joins the same (first) generation;
 * Kafka's InitialDelayedJoin then waits one more delay (newMemberAdded),
 * as long as the rebalance timeout leaves room. */
static void
test_initial_delay_second_member (Fixture       *f,
                                  gconstpointer  data)
{
  JoinRec *a, *b_first, *b;

  f->cfg.initial_rebalance_delay_ms = 3000;
  fixture_restart (f);

  a = JOIN (f, .rebalance_ms = 10000, .topics = "t1");
  f->now += 1000;
  b_first = JOIN (f, .rebalance_ms = 10000, .topics = "t2", .v4 = TRUE);
  g_assert_cmpint (b_first->error, ==, CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED);
  b = JOIN (f, .member_id = b_first->member_id, .rebalance_ms = 10000, .topics = "t2", .v4 = TRUE);
  g_assert_cmpuint (a->calls, ==, 0);
  g_assert_cmpuint (b->calls, ==, 0);
  assert_group (f, "g", "PreparingRebalance", 2);

  f->now = T0 + 2999;
  tick (f);
  g_assert_cmpuint (a->calls + b->calls, ==, 0);
  /* The delay ends; a member arrived, so it is extended by one delay. */
  f->now = T0 + 3000;
  tick (f);
  g_assert_cmpuint (a->calls + b->calls, ==, 0);
  f->now = T0 + 5999;
  tick (f);
  g_assert_cmpuint (a->calls + b->calls, ==, 0);
  f->now = T0 + 6000;
  tick (f);

  g_assert_cmpuint (a->calls, ==, 1);
  g_assert_cmpuint (b->calls, ==, 1);
  g_assert_cmpint (a->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (b->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (a->generation, ==, 1);
  g_assert_cmpint (b->generation, ==, 1);
  g_assert_cmpstr (a->leader, ==, a->member_id);
  g_assert_cmpstr (b->leader, ==, a->member_id);
  g_assert_cmpuint (a->members->len, ==, 2);
  g_assert_cmpuint (b->members->len, ==, 0);
  assert_group (f, "g", "CompletingRebalance", 2);
}

static void
test_initial_delay_zero (Fixture       *f,
                         gconstpointer  data)
{
  JoinRec *rec;

  g_assert_cmpint (f->cfg.initial_rebalance_delay_ms, ==, 0);
  rec = JOIN (f, .group = "g");
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (rec->generation, ==, 1);
  assert_group (f, "g", "CompletingRebalance", 1);
}

/* ==== two members: the leader's view, protocol selection ==== */

static void
test_join_leader_member_list (Fixture       *f,
                              gconstpointer  data)
{
  JoinSpec specs[2] = { { .topics = "t1" }, { .topics = "t2,t3" } };
  Formed g;
  const MemberCopy *c;

  form_group (f, specs, 2, FALSE, &g);
  g_assert_cmpint (g.generation, ==, 2);
  g_assert_cmpstr (g.joins[0]->protocol_name, ==, "range");
  g_assert_cmpstr (g.joins[1]->protocol_name, ==, "range");
  g_assert_cmpstr (g.joins[1]->protocol_type, ==, "consumer");

  /* The leader gets every member with its metadata ... */
  g_assert_cmpuint (g.joins[0]->members->len, ==, 2);
  c = find_joined (g.joins[0], g.ids[0]);
  g_assert_nonnull (c);
  assert_subscription (c->metadata, 0, "t1");
  c = find_joined (g.joins[0], g.ids[1]);
  g_assert_nonnull (c);
  assert_subscription (c->metadata, 0, "t2,t3");
  /* ... the follower nobody. */
  g_assert_cmpuint (g.joins[1]->members->len, ==, 0);
  g_assert_cmpstr (g.joins[1]->member_id, ==, g.ids[1]);
  g_assert_cmpstr (g.ids[0], !=, g.ids[1]);
}

/* Kafka's selectProtocol: among the protocols every member supports, each
 * member votes for its most preferred one; the most votes win. */
static void
test_join_protocol_votes (Fixture       *f,
                          gconstpointer  data)
{
  JoinSpec two[2] = {
    { .group = "g2", .protocols = "range,roundrobin", .topics = "t1" },
    { .group = "g2", .protocols = "roundrobin", .topics = "t2" },
  };
  JoinSpec three_rr[3] = {
    { .group = "g3", .protocols = "range,roundrobin" },
    { .group = "g3", .protocols = "roundrobin,range" },
    { .group = "g3", .protocols = "roundrobin,range" },
  };
  JoinSpec three_range[3] = {
    { .group = "g4", .protocols = "range,roundrobin" },
    { .group = "g4", .protocols = "range,roundrobin" },
    { .group = "g4", .protocols = "roundrobin,range" },
  };
  Formed g;
  const MemberCopy *c;

  form_group (f, two, 2, FALSE, &g);
  g_assert_cmpstr (g.joins[0]->protocol_name, ==, "roundrobin");
  g_assert_cmpstr (g.joins[1]->protocol_name, ==, "roundrobin");
  /* The metadata each member gave for roundrobin: the leader's second
   * protocol (version 1), the follower's first (version 0). */
  c = find_joined (g.joins[0], g.ids[0]);
  g_assert_nonnull (c);
  assert_subscription (c->metadata, 1, "t1");
  c = find_joined (g.joins[0], g.ids[1]);
  g_assert_nonnull (c);
  assert_subscription (c->metadata, 0, "t2");

  form_group (f, three_rr, 3, TRUE, &g);
  g_assert_cmpstr (g.joins[0]->protocol_name, ==, "roundrobin");
  g_assert_cmpstr (g.syncs[2]->protocol_name, ==, "roundrobin");

  form_group (f, three_range, 3, TRUE, &g);
  g_assert_cmpstr (g.joins[0]->protocol_name, ==, "range");
  g_assert_cmpstr (g.joins[2]->protocol_name, ==, "range");
}

/* ==== SyncGroup ==== */

static void
test_sync_assignments (Fixture       *f,
                       gconstpointer  data)
{
  static const guint8 assign_a[] = { 0x00, 0x01, 0x00, 0xff, 'a' };
  static const guint8 assign_b[] = { 0xfe, 0x00, 0x07 };
  Formed g;
  BrokerSyncAssignment assignments[2];
  SyncRec *sa, *sb, *again;

  form_default (f, 2, FALSE, &g);
  assignments[0] = (BrokerSyncAssignment) { g.ids[0], assign_a, sizeof assign_a };
  assignments[1] = (BrokerSyncAssignment) { g.ids[1], assign_b, sizeof assign_b };

  /* The follower waits for the leader. */
  sb = SYNC (f, .member_id = g.ids[1], .generation = g.generation);
  g_assert_cmpuint (sb->calls, ==, 0);
  assert_group (f, "g", "CompletingRebalance", 2);

  sa = SYNC (f, .member_id = g.ids[0], .generation = g.generation, .protocol_type = "consumer",
             .protocol_name = "range", .assignments = assignments, .n_assignments = 2);
  g_assert_cmpuint (sa->calls, ==, 1);
  g_assert_cmpuint (sb->calls, ==, 1);
  g_assert_cmpint (sa->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (sb->error, ==, CAUDAL_ERROR_CODE_NONE);
  assert_bytes_mem (sa->assignment, assign_a, sizeof assign_a);
  assert_bytes_mem (sb->assignment, assign_b, sizeof assign_b);
  g_assert_cmpstr (sa->protocol_type, ==, "consumer");
  g_assert_cmpstr (sa->protocol_name, ==, "range");
  g_assert_cmpstr (sb->protocol_type, ==, "consumer");
  g_assert_cmpstr (sb->protocol_name, ==, "range");
  assert_group (f, "g", "Stable", 2);

  /* Stable: a sync gets the current assignment at once. */
  again = SYNC (f, .member_id = g.ids[1], .generation = g.generation);
  g_assert_cmpuint (again->calls, ==, 1);
  g_assert_cmpint (again->error, ==, CAUDAL_ERROR_CODE_NONE);
  assert_bytes_mem (again->assignment, assign_b, sizeof assign_b);
}

/* Kafka fills the members the leader left out with empty assignments. */
static void
test_sync_missing_assignment (Fixture       *f,
                              gconstpointer  data)
{
  Formed g;
  BrokerSyncAssignment only_leader;
  SyncRec *sa, *sb;

  form_default (f, 2, FALSE, &g);
  only_leader = (BrokerSyncAssignment) { g.ids[0], (const guint8 *) "all", 3 };
  sb = SYNC (f, .member_id = g.ids[1], .generation = g.generation);
  sa = SYNC (f, .member_id = g.ids[0], .generation = g.generation, .assignments = &only_leader,
             .n_assignments = 1);
  g_assert_cmpint (sa->error, ==, CAUDAL_ERROR_CODE_NONE);
  assert_bytes_str (sa->assignment, "all");
  g_assert_cmpuint (sb->calls, ==, 1);
  g_assert_cmpint (sb->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpuint (g_bytes_get_size (sb->assignment), ==, 0);
  assert_group (f, "g", "Stable", 2);
}

static void
test_sync_errors (Fixture       *f,
                  gconstpointer  data)
{
  Formed g;
  SyncRec *rec;

  form_default (f, 2, FALSE, &g);

  rec = SYNC (f, .member_id = g.ids[1], .generation = g.generation + 1);
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  g_assert_cmpuint (g_bytes_get_size (rec->assignment), ==, 0);
  rec = SYNC (f, .member_id = g.ids[0], .generation = g.generation - 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  rec = SYNC (f, .member_id = "ghost", .generation = g.generation);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  rec = SYNC (f, .group = "nope", .member_id = g.ids[0], .generation = g.generation);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  /* SyncGroup v5: the protocol the client expects. */
  rec = SYNC (f, .member_id = g.ids[1], .generation = g.generation, .protocol_type = "consumer",
              .protocol_name = "roundrobin");
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  rec = SYNC (f, .member_id = g.ids[1], .generation = g.generation, .protocol_type = "connect");
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  /* None of it moved the group. */
  assert_group (f, "g", "CompletingRebalance", 2);
}

static void
test_sync_rebalance_in_progress (Fixture       *f,
                                 gconstpointer  data)
{
  Formed g;
  JoinRec *c;
  SyncRec *rec;

  form_default (f, 2, TRUE, &g);
  c = JOIN (f, .group = "g");
  g_assert_cmpuint (c->calls, ==, 0);
  assert_group (f, "g", "PreparingRebalance", 3);

  rec = SYNC (f, .member_id = g.ids[0], .generation = g.generation);
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  rec = SYNC (f, .member_id = g.ids[1], .generation = g.generation);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  assert_group (f, "g", "PreparingRebalance", 3);
}

/* ==== Heartbeat ==== */

static void
test_heartbeat_errors (Fixture       *f,
                       gconstpointer  data)
{
  Formed g;
  JoinRec *c, *a, *b;

  form_default (f, 2, TRUE, &g);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation - 1), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation + 1), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  g_assert_cmpint (heartbeat (f, "g", "ghost", NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  g_assert_cmpint (heartbeat (f, "nope", g.ids[0], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);

  /* A newcomer: the members learn of the rebalance by heartbeat. */
  c = JOIN (f, .group = "g");
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  a = JOIN (f, .member_id = g.ids[0]);
  b = JOIN (f, .member_id = g.ids[1]);
  g_assert_cmpuint (c->calls, ==, 1);
  g_assert_cmpint (a->generation, ==, g.generation + 1);
  g_assert_cmpint (b->generation, ==, g.generation + 1);
  assert_group (f, "g", "CompletingRebalance", 3);
  /* CompletingRebalance: heartbeats of the new generation are fine. */
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation + 1), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (heartbeat (f, "g", c->member_id, NULL, g.generation + 1), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
}

/* A member silent for its session timeout is removed, while the one that
 * heartbeats stays; the survivor rebalances alone. */
static void
test_heartbeat_session_timeout (Fixture       *f,
                                gconstpointer  data)
{
  Formed g;
  JoinRec *rejoin;

  form_default (f, 2, TRUE, &g);   /* session 10000 ms, synced at T0 */
  for (guint i = 0; i < 3; i++)
    {
      f->now += 3000;
      g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
      tick (f);
      assert_group (f, "g", "Stable", 2);
    }
  f->now = T0 + 9999;
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
  tick (f);
  assert_group (f, "g", "Stable", 2);

  f->now = T0 + 10000;
  tick (f);
  assert_group (f, "g", "PreparingRebalance", 1);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);

  rejoin = JOIN (f, .member_id = g.ids[1]);
  g_assert_cmpuint (rejoin->calls, ==, 1);
  g_assert_cmpint (rejoin->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (rejoin->generation, ==, g.generation + 1);
  g_assert_cmpstr (rejoin->leader, ==, g.ids[1]);
  g_assert_cmpuint (rejoin->members->len, ==, 1);
  g_assert_true (joined_has (rejoin, g.ids[1]));
  assert_group (f, "g", "CompletingRebalance", 1);
}

/* ==== rebalance timeout ==== */

static void
test_rebalance_timeout (Fixture       *f,
                        gconstpointer  data)
{
  JoinSpec specs[2] = { { .rebalance_ms = 20000 }, { .rebalance_ms = 20000 } };
  Formed g;
  JoinRec *c, *a;

  form_group (f, specs, 2, TRUE, &g);
  c = JOIN (f, .rebalance_ms = 20000);
  a = JOIN (f, .member_id = g.ids[0], .rebalance_ms = 20000);
  /* The second member keeps its session alive but does not rejoin. */
  for (guint i = 0; i < 3; i++)
    {
      f->now += 5000;
      g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                       CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
      tick (f);
    }
  f->now = T0 + 19999;
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  tick (f);
  g_assert_cmpuint (a->calls, ==, 0);
  g_assert_cmpuint (c->calls, ==, 0);
  assert_group (f, "g", "PreparingRebalance", 3);

  f->now = T0 + 20000;
  tick (f);
  g_assert_cmpuint (a->calls, ==, 1);
  g_assert_cmpuint (c->calls, ==, 1);
  g_assert_cmpint (a->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (c->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (a->generation, ==, g.generation + 1);
  g_assert_cmpint (c->generation, ==, g.generation + 1);
  g_assert_cmpstr (a->leader, ==, g.ids[0]);
  g_assert_cmpstr (c->leader, ==, g.ids[0]);
  g_assert_cmpuint (a->members->len, ==, 2);
  g_assert_true (joined_has (a, g.ids[0]));
  g_assert_true (joined_has (a, c->member_id));
  g_assert_false (joined_has (a, g.ids[1]));
  assert_group (f, "g", "CompletingRebalance", 2);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
}

/* ==== LeaveGroup ==== */

static void
test_leave_triggers_rebalance (Fixture       *f,
                               gconstpointer  data)
{
  Formed g;
  JoinRec *a;

  form_default (f, 2, TRUE, &g);
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[1], NULL, "bye"), ==,
                   CAUDAL_ERROR_CODE_NONE);
  assert_group (f, "g", "PreparingRebalance", 1);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);

  a = JOIN (f, .member_id = g.ids[0]);
  g_assert_cmpuint (a->calls, ==, 1);
  g_assert_cmpint (a->generation, ==, g.generation + 1);
  g_assert_cmpuint (a->members->len, ==, 1);
  assert_group (f, "g", "CompletingRebalance", 1);
}

/* The last member leaving empties the group in a new generation (Kafka's
 * initNextGeneration with no members). */
static void
test_leave_last_member (Fixture       *f,
                        gconstpointer  data)
{
  Formed g;
  JoinRec *next;

  form_default (f, 1, TRUE, &g);
  g_assert_cmpint (g.generation, ==, 1);
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[0], NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  assert_group (f, "g", "Empty", 0);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);

  /* Generation 2 was the empty one: the next member starts generation 3. */
  next = JOIN (f, .group = "g");
  g_assert_cmpuint (next->calls, ==, 1);
  g_assert_cmpint (next->generation, ==, 3);
}

/* KIP-345 (LeaveGroup v4+): a static member is removed by instance id
 * with member id "". */
static void
test_leave_by_instance_id (Fixture       *f,
                           gconstpointer  data)
{
  JoinSpec specs[2] = { { 0 }, { .instance_id = "inst-s" } };
  Formed g;
  g_autoptr(BrokerGroupDescription) desc = NULL;

  form_group (f, specs, 2, TRUE, &g);
  g_assert_cmpint (broker_group_leave (f->coord, "g", "", "unknown-inst", NULL), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  assert_group (f, "g", "Stable", 2);

  g_assert_cmpint (broker_group_leave (f->coord, "g", "", "inst-s", NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  desc = broker_group_describe (f->coord, "g");
  g_assert_cmpstr (desc->state, ==, "PreparingRebalance");
  g_assert_cmpuint (desc->n_members, ==, 1);
  g_assert_cmpstr (desc->members[0].member_id, ==, g.ids[0]);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], "inst-s", g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
}

static void
test_leave_unknown (Fixture       *f,
                    gconstpointer  data)
{
  JoinSpec specs[2] = { { 0 }, { .instance_id = "inst-s" } };
  Formed g;
  JoinRec *pending;

  g_assert_cmpint (broker_group_leave (f->coord, "nope", "ghost", NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  form_group (f, specs, 2, TRUE, &g);
  g_assert_cmpint (broker_group_leave (f->coord, "g", "ghost", NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  /* A member id that is not the one of that instance. */
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[0], "inst-s", NULL), ==,
                   CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
  assert_group (f, "g", "Stable", 2);

  /* A pending (KIP-394) member may leave; the group does not move. */
  pending = JOIN (f, .v4 = TRUE);
  g_assert_cmpint (pending->error, ==, CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED);
  g_assert_cmpint (broker_group_leave (f->coord, "g", pending->member_id, NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  assert_group (f, "g", "Stable", 2);
  g_assert_cmpint (broker_group_leave (f->coord, "g", pending->member_id, NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
}

/* The leader leaves while the follower waits in SyncGroup: the follower
 * is told to rejoin. */
static void
test_leave_leader_completing (Fixture       *f,
                              gconstpointer  data)
{
  Formed g;
  SyncRec *sb;
  JoinRec *b;

  form_default (f, 2, FALSE, &g);
  sb = SYNC (f, .member_id = g.ids[1], .generation = g.generation);
  g_assert_cmpuint (sb->calls, ==, 0);

  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[0], NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpuint (sb->calls, ==, 1);
  g_assert_cmpint (sb->error, ==, CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  g_assert_cmpuint (g_bytes_get_size (sb->assignment), ==, 0);
  assert_group (f, "g", "PreparingRebalance", 1);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);

  b = JOIN (f, .member_id = g.ids[1]);
  g_assert_cmpuint (b->calls, ==, 1);
  g_assert_cmpint (b->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (b->generation, ==, g.generation + 1);
  g_assert_cmpstr (b->leader, ==, g.ids[1]);
  g_assert_cmpuint (b->members->len, ==, 1);
}

/* ==== static membership ==== */

/* A static member restarting (unknown member id, same instance id)
 * replaces its old incarnation, which is fenced from then on. */
static void
test_static_replaced_is_fenced (Fixture       *f,
                                gconstpointer  data)
{
  JoinSpec specs[2] = { { 0 }, { .instance_id = "inst-s" } };
  Formed g;
  SyncRec *rec;
  g_autoptr(BrokerGroupDescription) desc = NULL;

  form_group (f, specs, 2, TRUE, &g);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], "inst-s", g.generation), ==, CAUDAL_ERROR_CODE_NONE);
  /* A wrong member id for the instance. */
  g_assert_cmpint (heartbeat (f, "g", "impostor", "inst-s", g.generation), ==,
                   CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], "inst-s", g.generation), ==,
                   CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);

  JOIN (f, .instance_id = "inst-s");
  desc = broker_group_describe (f->coord, "g");
  g_assert_cmpuint (desc->n_members, ==, 2);
  g_assert_false (described_has (desc, g.ids[1]));
  g_assert_true (described_has (desc, g.ids[0]));

  g_assert_cmpint (heartbeat (f, "g", g.ids[1], "inst-s", g.generation), ==,
                   CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
  rec = SYNC (f, .member_id = g.ids[1], .instance_id = "inst-s", .generation = g.generation);
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
  g_assert_cmpint (commit1 (f, "g", g.ids[1], "inst-s", g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
  g_assert_false (has_offset (f, "g", "t1", 0));
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[1], "inst-s", NULL), ==,
                   CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
  g_clear_pointer (&desc, broker_group_description_free);
  desc = broker_group_describe (f->coord, "g");
  g_assert_cmpuint (desc->n_members, ==, 2);
}

/* ==== offsets ==== */

/* A client managing its own partitions commits with generation -1 and no
 * member id: the group is created, Empty, just to hold offsets. */
static void
test_offsets_group_less_commit (Fixture       *f,
                                gconstpointer  data)
{
  BrokerCommitEntry e[2] = {
    { "t1", 0, 42, 3, "meta", CAUDAL_ERROR_CODE_NONE },
    { "t1", 1, 7, -1, NULL, CAUDAL_ERROR_CODE_NONE },
  };
  BrokerCommittedOffset out;
  g_autoptr(GArray) groups = NULL;
  BrokerGroupListing *l;

  f->now = T0 + 5;
  g_assert_cmpint (commit (f, "solo", "", NULL, -1, e, 2), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (e[0].error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (e[1].error, ==, CAUDAL_ERROR_CODE_NONE);

  g_assert_true (broker_group_fetch_offset (f->coord, "solo", "t1", 0, &out));
  g_assert_cmpstr (out.topic, ==, "t1");
  g_assert_cmpint (out.partition, ==, 0);
  g_assert_cmpint (out.offset, ==, 42);
  g_assert_cmpint (out.leader_epoch, ==, 3);
  g_assert_cmpstr (out.metadata, ==, "meta");
  g_assert_cmpint (out.commit_timestamp, ==, T0 + 5);
  g_assert_true (broker_group_fetch_offset (f->coord, "solo", "t1", 1, &out));
  g_assert_cmpint (out.offset, ==, 7);
  g_assert_cmpstr (out.metadata, ==, "");
  g_assert_false (broker_group_fetch_offset (f->coord, "solo", "t1", 2, &out));
  g_assert_false (broker_group_fetch_offset (f->coord, "nope", "t1", 0, &out));

  assert_group (f, "solo", "Empty", 0);
  groups = broker_group_list (f->coord);
  g_assert_cmpuint (groups->len, ==, 1);
  l = &g_array_index (groups, BrokerGroupListing, 0);
  g_assert_cmpstr (l->group_id, ==, "solo");
  g_assert_cmpstr (l->state, ==, "Empty");
  g_assert_cmpstr (l->protocol_type, ==, "");

  /* Again: the offset moves. */
  g_assert_cmpint (commit1 (f, "solo", "", NULL, -1, "t1", 0, 43), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_true (broker_group_fetch_offset (f->coord, "solo", "t1", 0, &out));
  g_assert_cmpint (out.offset, ==, 43);

  /* A generation for a group the coordinator does not know: an old
   * generation (Kafka: ILLEGAL_GENERATION), and no group is created. */
  g_assert_cmpint (commit1 (f, "other", "m", NULL, 5, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  assert_group (f, "other", "Dead", 0);
  g_assert_false (has_offset (f, "other", "t1", 0));
}

static void
test_offsets_commit_errors (Fixture       *f,
                            gconstpointer  data)
{
  Formed g;

  form_default (f, 2, TRUE, &g);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation - 1, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation + 1, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
  g_assert_cmpint (commit1 (f, "g", "ghost", NULL, g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  /* Only members commit to a group with members. */
  g_assert_cmpint (commit1 (f, "g", "", NULL, -1, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  g_assert_false (has_offset (f, "g", "t1", 0));

  g_assert_cmpint (commit1 (f, "g", g.ids[1], NULL, g.generation, "t1", 0, 10), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_true (has_offset (f, "g", "t1", 0));

  /* PreparingRebalance: members still commit (they learn of the
   * rebalance from their heartbeats). */
  JOIN (f, .group = "g");
  assert_group (f, "g", "PreparingRebalance", 3);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation, "t1", 1, 11), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_true (has_offset (f, "g", "t1", 1));
}

static void
test_offsets_commit_completing (Fixture       *f,
                                gconstpointer  data)
{
  Formed g;

  form_default (f, 2, FALSE, &g);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  g_assert_cmpint (commit1 (f, "g", g.ids[1], NULL, g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_REBALANCE_IN_PROGRESS);
  g_assert_false (has_offset (f, "g", "t1", 0));
  assert_group (f, "g", "CompletingRebalance", 2);
}

/* offset.metadata.max.bytes fails that entry only; entries the handler
 * already marked (unknown topics) are left alone. */
static void
test_offsets_metadata_too_large (Fixture       *f,
                                 gconstpointer  data)
{
  BrokerCommitEntry e[4] = {
    { "t1", 0, 1, -1, "short", CAUDAL_ERROR_CODE_NONE },
    { "t1", 1, 2, -1, "xxxxxxxxxxxxxxxxx", CAUDAL_ERROR_CODE_NONE },     /* 17 bytes */
    { "t1", 2, 3, -1, "yyyyyyyyyyyyyyyy", CAUDAL_ERROR_CODE_NONE },      /* 16 bytes */
    { "gone", 0, 4, -1, NULL, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION },
  };
  BrokerCommittedOffset out;

  f->cfg.offset_metadata_max_bytes = 16;
  fixture_restart (f);
  g_assert_cmpint (commit (f, "g", "", NULL, -1, e, G_N_ELEMENTS (e)), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (e[0].error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (e[1].error, ==, CAUDAL_ERROR_CODE_OFFSET_METADATA_TOO_LARGE);
  g_assert_cmpint (e[2].error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (e[3].error, ==, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION);

  g_assert_true (broker_group_fetch_offset (f->coord, "g", "t1", 0, &out));
  g_assert_cmpstr (out.metadata, ==, "short");
  g_assert_false (has_offset (f, "g", "t1", 1));
  g_assert_true (broker_group_fetch_offset (f->coord, "g", "t1", 2, &out));
  g_assert_cmpint (out.offset, ==, 3);
  g_assert_cmpstr (out.metadata, ==, "yyyyyyyyyyyyyyyy");
  g_assert_false (has_offset (f, "g", "gone", 0));
}

static void
test_offsets_list_sorted (Fixture       *f,
                          gconstpointer  data)
{
  BrokerCommitEntry e[5] = {
    { "t2", 1, 21, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t1", 10, 110, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t1", 2, 12, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t10", 0, 100, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t1", 0, 10, -1, NULL, CAUDAL_ERROR_CODE_NONE },
  };
  static const struct { const char *topic; gint32 partition; gint64 offset; } want[] = {
    { "t1", 0, 10 }, { "t1", 2, 12 }, { "t1", 10, 110 }, { "t10", 0, 100 }, { "t2", 1, 21 },
  };
  g_autoptr(GArray) list = NULL;
  g_autoptr(GArray) none = NULL;

  g_assert_cmpint (commit (f, "g", "", NULL, -1, e, G_N_ELEMENTS (e)), ==, CAUDAL_ERROR_CODE_NONE);
  list = broker_group_list_offsets (f->coord, "g");
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      BrokerCommittedOffset *o = &g_array_index (list, BrokerCommittedOffset, i);

      g_assert_cmpstr (o->topic, ==, want[i].topic);
      g_assert_cmpint (o->partition, ==, want[i].partition);
      g_assert_cmpint (o->offset, ==, want[i].offset);
    }
  none = broker_group_list_offsets (f->coord, "nope");
  g_assert_cmpuint (none->len, ==, 0);
}

static void
assert_offsets (Fixture    *f,
                const char *group,
                const char *want)   /* "topic/partition ..." */
{
  g_autoptr(GArray) list = broker_group_list_offsets (f->coord, group);
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      BrokerCommittedOffset *o = &g_array_index (list, BrokerCommittedOffset, i);

      g_string_append_printf (got, "%s%s/%d", i > 0 ? " " : "", o->topic, o->partition);
    }
  g_assert_cmpstr (got->str, ==, want);
}

static void
test_offsets_topic_deleted (Fixture       *f,
                            gconstpointer  data)
{
  BrokerCommitEntry a[3] = {
    { "t1", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t1", 1, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t2", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
  };
  BrokerCommitEntry b[2] = {
    { "t1", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t3", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
  };

  g_assert_cmpint (commit (f, "ga", "", NULL, -1, a, 3), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (commit (f, "gb", "", NULL, -1, b, 2), ==, CAUDAL_ERROR_CODE_NONE);
  assert_offsets (f, "ga", "t1/0 t1/1 t2/0");
  assert_offsets (f, "gb", "t1/0 t3/0");

  broker_group_coordinator_topic_deleted (f->coord, "t1");
  assert_offsets (f, "ga", "t2/0");
  assert_offsets (f, "gb", "t3/0");
  broker_group_coordinator_topic_deleted (f->coord, "unknown-topic");
  assert_offsets (f, "ga", "t2/0");
}

/* ==== DeleteGroups, OffsetDelete ==== */

static gboolean
listed (Fixture    *f,
        const char *group)
{
  g_autoptr(GArray) groups = broker_group_list (f->coord);

  for (guint i = 0; i < groups->len; i++)
    if (strcmp (g_array_index (groups, BrokerGroupListing, i).group_id, group) == 0)
      return TRUE;
  return FALSE;
}

static void
test_delete_groups (Fixture       *f,
                    gconstpointer  data)
{
  Formed g;

  form_default (f, 1, FALSE, &g);
  g_assert_cmpint (broker_group_delete (f->coord, "g"), ==, CAUDAL_ERROR_CODE_NON_EMPTY_GROUP);
  g_assert_cmpint (SYNC (f, .member_id = g.ids[0], .generation = g.generation)->error, ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation, "t1", 0, 5), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (broker_group_delete (f->coord, "g"), ==, CAUDAL_ERROR_CODE_NON_EMPTY_GROUP);
  JOIN (f, .group = "g");
  assert_group (f, "g", "PreparingRebalance", 2);
  g_assert_cmpint (broker_group_delete (f->coord, "g"), ==, CAUDAL_ERROR_CODE_NON_EMPTY_GROUP);

  g_assert_cmpint (broker_group_delete (f->coord, "nope"), ==, CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND);

  g_assert_cmpint (commit1 (f, "solo", "", NULL, -1, "t1", 0, 9), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (commit1 (f, "solo", "", NULL, -1, "t2", 3, 9), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_true (listed (f, "solo"));
  g_assert_cmpint (broker_group_delete (f->coord, "solo"), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_false (has_offset (f, "solo", "t1", 0));
  g_assert_false (has_offset (f, "solo", "t2", 3));
  assert_offsets (f, "solo", "");
  assert_group (f, "solo", "Dead", 0);
  g_assert_false (listed (f, "solo"));
  g_assert_cmpint (broker_group_delete (f->coord, "solo"), ==, CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND);
  /* The other group's offsets are untouched. */
  g_assert_true (has_offset (f, "g", "t1", 0));
}

/* A group emptied by its members leaving can be deleted. */
static void
test_delete_emptied_group (Fixture       *f,
                           gconstpointer  data)
{
  Formed g;

  form_default (f, 1, TRUE, &g);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation, "t1", 0, 5), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[0], NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  assert_group (f, "g", "Empty", 0);
  g_assert_cmpint (broker_group_delete (f->coord, "g"), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_false (has_offset (f, "g", "t1", 0));
  assert_group (f, "g", "Dead", 0);
  /* A deleted group is gone; a new one may take its name. */
  g_assert_cmpint (JOIN (f, .group = "g")->generation, ==, 1);
}

/* OffsetDelete in a Stable consumer group: refused for the topics a
 * member subscribes to (read from its ConsumerProtocolSubscription). */
static void
test_offset_delete_subscribed (Fixture       *f,
                               gconstpointer  data)
{
  JoinSpec specs[1] = { { .topics = "alpha,t1" } };
  Formed g;
  BrokerCommitEntry e[3] = {
    { "t1", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t2", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "alph", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
  };

  form_group (f, specs, 1, TRUE, &g);
  g_assert_cmpint (commit (f, "g", g.ids[0], NULL, g.generation, e, 3), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (broker_group_check_offset_delete (f->coord, "g"), ==, CAUDAL_ERROR_CODE_NONE);
  /* The member subscribes to t1 (its second topic). */
  g_assert_cmpint (broker_group_delete_offset (f->coord, "g", "t1", 0), ==,
                   CAUDAL_ERROR_CODE_GROUP_SUBSCRIBED_TO_TOPIC);
  g_assert_true (has_offset (f, "g", "t1", 0));
  g_assert_cmpint (broker_group_delete_offset (f->coord, "g", "t2", 0), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_false (has_offset (f, "g", "t2", 0));
  /* "alph" is a prefix of a subscribed topic, not one. */
  g_assert_cmpint (broker_group_delete_offset (f->coord, "g", "alph", 0), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_false (has_offset (f, "g", "alph", 0));
  assert_offsets (f, "g", "t1/0");
}

static void
test_offset_delete_other_groups (Fixture       *f,
                                 gconstpointer  data)
{
  g_assert_cmpint (broker_group_check_offset_delete (f->coord, "nope"), ==,
                   CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND);
  g_assert_cmpint (broker_group_delete_offset (f->coord, "nope", "t1", 0), ==,
                   CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND);

  /* Not a consumer group, with members: Kafka cannot read subscriptions. */
  JOIN (f, .group = "conn", .protocol_type = "connect");
  g_assert_cmpint (broker_group_check_offset_delete (f->coord, "conn"), ==,
                   CAUDAL_ERROR_CODE_NON_EMPTY_GROUP);

  /* An empty group deletes anything. */
  g_assert_cmpint (commit1 (f, "solo", "", NULL, -1, "t1", 0, 1), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (broker_group_check_offset_delete (f->coord, "solo"), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (broker_group_delete_offset (f->coord, "solo", "t1", 0), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_false (has_offset (f, "solo", "t1", 0));
}

/* ==== offset expiry ==== */

#define MINUTES(m) ((gint64) (m) * 60 * 1000)

/* Group-less offsets expire offsets.retention after their commit; the
 * check runs every 10 minutes (offsets.retention.check.interval.ms). An
 * empty group left without offsets goes away. */
static void
test_offsets_expiry_group_less (Fixture       *f,
                                gconstpointer  data)
{
  f->cfg.offsets_retention_ms = MINUTES (15);
  fixture_restart (f);

  g_assert_cmpint (commit1 (f, "solo", "", NULL, -1, "t1", 0, 1), ==, CAUDAL_ERROR_CODE_NONE);
  tick (f);
  g_assert_true (has_offset (f, "solo", "t1", 0));
  f->now = T0 + MINUTES (10);
  tick (f);
  g_assert_true (has_offset (f, "solo", "t1", 0));
  /* Past the retention, but the next check is 10 minutes after the last. */
  f->now = T0 + MINUTES (16);
  tick (f);
  g_assert_true (has_offset (f, "solo", "t1", 0));
  f->now = T0 + MINUTES (20);
  tick (f);
  g_assert_false (has_offset (f, "solo", "t1", 0));
  assert_group (f, "solo", "Dead", 0);
  g_assert_false (listed (f, "solo"));
}

/* KIP-211: the offsets of a consumer group expire offsets.retention after
 * the group became empty, however old the commits. */
static void
test_offsets_expiry_after_empty (Fixture       *f,
                                 gconstpointer  data)
{
  Formed g;

  f->cfg.offsets_retention_ms = MINUTES (15);
  fixture_restart (f);
  form_default (f, 1, TRUE, &g);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_NONE);
  tick (f);

  /* Alive for 20 minutes. */
  while (f->now < T0 + MINUTES (20))
    {
      f->now += 5000;
      g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
      tick (f);
    }
  g_assert_true (has_offset (f, "g", "t1", 0));
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[0], NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  assert_group (f, "g", "Empty", 0);

  /* The commit is 30 minutes old, the group empty for 10. */
  f->now = T0 + MINUTES (30);
  tick (f);
  g_assert_true (has_offset (f, "g", "t1", 0));
  assert_group (f, "g", "Empty", 0);
  /* Empty for 20 minutes. */
  f->now = T0 + MINUTES (40);
  tick (f);
  g_assert_false (has_offset (f, "g", "t1", 0));
  assert_group (f, "g", "Dead", 0);
  g_assert_false (listed (f, "g"));
}

/* ==== DescribeGroups, ListGroups ==== */

static void
test_describe_unknown (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BrokerGroupDescription) desc = broker_group_describe (f->coord, "nope");

  g_assert_cmpint (desc->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpstr (desc->group_id, ==, "nope");
  g_assert_cmpstr (desc->state, ==, "Dead");
  g_assert_cmpstr (desc->protocol_type, ==, "");
  g_assert_cmpstr (desc->protocol, ==, "");
  g_assert_cmpuint (desc->n_members, ==, 0);
}

static void
test_describe_stable (Fixture       *f,
                      gconstpointer  data)
{
  JoinSpec specs[2] = {
    { .topics = "t1", .client_id = "client-a", .client_host = "/10.0.0.1" },
    { .topics = "t2", .client_id = "client-b", .client_host = "/10.0.0.2", .instance_id = "inst-b" },
  };
  Formed g;
  const BrokerMemberDescription *m;

  form_group (f, specs, 2, FALSE, &g);
  {
    g_autoptr(BrokerGroupDescription) desc = broker_group_describe (f->coord, "g");

    /* Not Stable: no protocol, metadata nor assignment (Kafka's
     * summaryNoMetadata). */
    g_assert_cmpstr (desc->state, ==, "CompletingRebalance");
    g_assert_cmpstr (desc->protocol_type, ==, "consumer");
    g_assert_cmpstr (desc->protocol, ==, "");
    g_assert_cmpuint (desc->n_members, ==, 2);
    m = find_described (desc, g.ids[1]);
    g_assert_nonnull (m);
    g_assert_cmpstr (m->client_id, ==, "client-b");
    g_assert_cmpuint (g_bytes_get_size (m->metadata), ==, 0);
    g_assert_cmpuint (g_bytes_get_size (m->assignment), ==, 0);
  }

  {
    BrokerSyncAssignment assignments[2] = {
      { g.ids[0], (const guint8 *) "for-a", 5 },
      { g.ids[1], (const guint8 *) "for-b", 5 },
    };
    g_autoptr(BrokerGroupDescription) desc = NULL;

    SYNC (f, .member_id = g.ids[0], .generation = g.generation, .assignments = assignments,
          .n_assignments = 2);
    desc = broker_group_describe (f->coord, "g");
    g_assert_cmpint (desc->error, ==, CAUDAL_ERROR_CODE_NONE);
    g_assert_cmpstr (desc->group_id, ==, "g");
    g_assert_cmpstr (desc->state, ==, "Stable");
    g_assert_cmpstr (desc->protocol_type, ==, "consumer");
    g_assert_cmpstr (desc->protocol, ==, "range");
    g_assert_cmpuint (desc->n_members, ==, 2);

    m = find_described (desc, g.ids[0]);
    g_assert_nonnull (m);
    g_assert_null (m->group_instance_id);
    g_assert_cmpstr (m->client_id, ==, "client-a");
    g_assert_cmpstr (m->client_host, ==, "/10.0.0.1");
    assert_subscription (m->metadata, 0, "t1");
    assert_bytes_str (m->assignment, "for-a");

    m = find_described (desc, g.ids[1]);
    g_assert_nonnull (m);
    g_assert_cmpstr (m->group_instance_id, ==, "inst-b");
    g_assert_cmpstr (m->client_id, ==, "client-b");
    g_assert_cmpstr (m->client_host, ==, "/10.0.0.2");
    assert_subscription (m->metadata, 0, "t2");
    assert_bytes_str (m->assignment, "for-b");
  }
}

static void
test_list_groups (Fixture       *f,
                  gconstpointer  data)
{
  JoinSpec d[1] = { { .group = "d" } };
  JoinSpec b[1] = { { .group = "b" } };
  static const struct { const char *id, *type, *state; } want[] = {
    { "a", "", "Empty" },
    { "b", "consumer", "Stable" },
    { "c", "connect", "CompletingRebalance" },
    { "d", "consumer", "PreparingRebalance" },
  };
  Formed g;
  g_autoptr(GArray) groups = NULL;
  g_autoptr(GArray) after = NULL;

  assert_no_groups (f);

  form_group (f, d, 1, TRUE, &g);
  JOIN (f, .group = "d");
  JOIN (f, .group = "c", .protocol_type = "connect");
  form_group (f, b, 1, TRUE, &g);
  g_assert_cmpint (commit1 (f, "a", "", NULL, -1, "t1", 0, 1), ==, CAUDAL_ERROR_CODE_NONE);

  groups = broker_group_list (f->coord);
  g_assert_cmpuint (groups->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      BrokerGroupListing *l = &g_array_index (groups, BrokerGroupListing, i);

      g_assert_cmpstr (l->group_id, ==, want[i].id);
      g_assert_cmpstr (l->protocol_type, ==, want[i].type);
      g_assert_cmpstr (l->state, ==, want[i].state);
    }

  g_assert_cmpint (broker_group_delete (f->coord, "a"), ==, CAUDAL_ERROR_CODE_NONE);
  after = broker_group_list (f->coord);
  g_assert_cmpuint (after->len, ==, 3);
  g_assert_cmpstr (g_array_index (after, BrokerGroupListing, 0).group_id, ==, "b");
}

/* ==== known divergences from Kafka (CAUDAL_TEST_KNOWN_BUGS=1) ==== */

/* Kafka's updateStaticMemberAndRebalance: a static member rejoining with
 * an unknown member id while the group is Stable (and the selected
 * protocol would not change) takes the old member's place without a
 * rebalance: same generation, its old assignment, the old leader. */
static void
test_bug_static_rejoin_no_rebalance (Fixture       *f,
                                     gconstpointer  data)
{
  JoinSpec specs[2] = { { 0 }, { .instance_id = "inst-s" } };
  Formed g;
  JoinRec *rejoin;
  SyncRec *sync;

  form_group (f, specs, 2, TRUE, &g);
  rejoin = JOIN (f, .instance_id = "inst-s");
  g_assert_cmpuint (rejoin->calls, ==, 1);
  g_assert_cmpint (rejoin->error, ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (rejoin->generation, ==, g.generation);
  g_assert_cmpstr (rejoin->member_id, !=, g.ids[1]);
  g_assert_cmpstr (rejoin->leader, ==, g.ids[0]);
  g_assert_cmpstr (rejoin->protocol_name, ==, "range");
  g_assert_cmpuint (rejoin->members->len, ==, 0);
  assert_group (f, "g", "Stable", 2);
  g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);

  sync = SYNC (f, .member_id = rejoin->member_id, .instance_id = "inst-s", .generation = g.generation);
  g_assert_cmpuint (sync->calls, ==, 1);
  g_assert_cmpint (sync->error, ==, CAUDAL_ERROR_CODE_NONE);
  assert_bytes_str (sync->assignment, "assign-1");
}

/* Kafka's replaceStaticMember answers the old incarnation's waiting
 * JoinGroup/SyncGroup with FENCED_INSTANCE_ID. */
static void
test_bug_static_replace_fences_waiting_sync (Fixture       *f,
                                             gconstpointer  data)
{
  JoinSpec specs[2] = { { 0 }, { .instance_id = "inst-s" } };
  Formed g;
  SyncRec *old_sync;

  form_group (f, specs, 2, FALSE, &g);
  old_sync = SYNC (f, .member_id = g.ids[1], .instance_id = "inst-s", .generation = g.generation);
  g_assert_cmpuint (old_sync->calls, ==, 0);
  JOIN (f, .instance_id = "inst-s");
  g_assert_cmpuint (old_sync->calls, ==, 1);
  g_assert_cmpint (old_sync->error, ==, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
}

/* Kafka's validateCurrentMember checks the instance id first: a JoinGroup
 * with the replaced member id and the instance id is fenced. */
static void
test_bug_static_join_with_fenced_id (Fixture       *f,
                                     gconstpointer  data)
{
  JoinSpec specs[2] = { { 0 }, { .instance_id = "inst-s" } };
  Formed g;
  JoinRec *old;

  form_group (f, specs, 2, TRUE, &g);
  JOIN (f, .instance_id = "inst-s");
  old = JOIN (f, .member_id = g.ids[1], .instance_id = "inst-s");
  g_assert_cmpuint (old->calls, ==, 1);
  g_assert_cmpint (old->error, ==, CAUDAL_ERROR_CODE_FENCED_INSTANCE_ID);
}

/* Kafka's onCompleteJoin removes only the dynamic members that did not
 * rejoin in time; static members stay (their session timeout decides). */
static void
test_bug_rebalance_timeout_keeps_static (Fixture       *f,
                                         gconstpointer  data)
{
  JoinSpec specs[2] = { { .rebalance_ms = 20000 }, { .rebalance_ms = 20000, .instance_id = "inst-s" } };
  Formed g;
  JoinRec *c, *a;

  form_group (f, specs, 2, TRUE, &g);
  c = JOIN (f, .rebalance_ms = 20000);
  a = JOIN (f, .member_id = g.ids[0], .rebalance_ms = 20000);
  while (f->now < T0 + 20000)
    {
      f->now += 5000;
      heartbeat (f, "g", g.ids[1], "inst-s", g.generation);
      tick (f);
    }
  g_assert_cmpuint (a->calls, ==, 1);
  g_assert_cmpuint (c->calls, ==, 1);
  g_assert_cmpint (a->generation, ==, g.generation + 1);
  g_assert_cmpuint (a->members->len, ==, 3);
  g_assert_true (joined_has (a, g.ids[1]));
  assert_group (f, "g", "CompletingRebalance", 3);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], "inst-s", g.generation), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
}

/* Kafka's pending-sync timeout (DelayedSync, 3.x; ClassicGroup's sync
 * timer, 4.x) also runs once the group is Stable: a member that never
 * sends SyncGroup within the rebalance timeout is removed, although it
 * heartbeats. */
static void
test_bug_pending_sync_timeout_stable (Fixture       *f,
                                      gconstpointer  data)
{
  JoinSpec specs[2] = { { .rebalance_ms = 20000 }, { .rebalance_ms = 20000 } };
  Formed g;
  BrokerSyncAssignment only_leader;
  SyncRec *sa;

  form_group (f, specs, 2, FALSE, &g);
  only_leader = (BrokerSyncAssignment) { g.ids[0], (const guint8 *) "x", 1 };
  sa = SYNC (f, .member_id = g.ids[0], .generation = g.generation, .assignments = &only_leader,
             .n_assignments = 1);
  g_assert_cmpint (sa->error, ==, CAUDAL_ERROR_CODE_NONE);
  assert_group (f, "g", "Stable", 2);
  while (f->now < T0 + 20000)
    {
      f->now += 5000;
      heartbeat (f, "g", g.ids[0], NULL, g.generation);
      heartbeat (f, "g", g.ids[1], NULL, g.generation);
      tick (f);
    }
  assert_group (f, "g", "PreparingRebalance", 1);
  g_assert_cmpint (heartbeat (f, "g", g.ids[1], NULL, g.generation), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
}

/* Kafka (2.x to 4.x) validates the member and generation before the
 * CompletingRebalance state (validateOffsetCommit, then the state match). */
static void
test_bug_commit_validation_order (Fixture       *f,
                                  gconstpointer  data)
{
  Formed g;

  form_default (f, 2, FALSE, &g);
  g_assert_cmpint (commit1 (f, "g", "ghost", NULL, g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation - 1, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_ILLEGAL_GENERATION);
}

/* Kafka keeps the protocol type of a group whose members all left
 * (GroupMetadata.remove does not clear it): ListGroups and DescribeGroups
 * still say "consumer". */
static void
test_bug_emptied_group_keeps_protocol_type (Fixture       *f,
                                            gconstpointer  data)
{
  Formed g;
  g_autoptr(GArray) groups = NULL;
  g_autoptr(BrokerGroupDescription) desc = NULL;

  form_default (f, 1, TRUE, &g);
  g_assert_cmpint (broker_group_leave (f->coord, "g", g.ids[0], NULL, NULL), ==,
                   CAUDAL_ERROR_CODE_NONE);
  groups = broker_group_list (f->coord);
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpstr (g_array_index (groups, BrokerGroupListing, 0).state, ==, "Empty");
  g_assert_cmpstr (g_array_index (groups, BrokerGroupListing, 0).protocol_type, ==, "consumer");
  desc = broker_group_describe (f->coord, "g");
  g_assert_cmpstr (desc->protocol_type, ==, "consumer");
}

/* KIP-496: in a Stable consumer group, the offsets of topics no member
 * subscribes to expire offsets.retention after their commit. */
static void
test_bug_expiry_stable_unsubscribed (Fixture       *f,
                                     gconstpointer  data)
{
  Formed g;
  BrokerCommitEntry e[2] = {
    { "t1", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
    { "t2", 0, 1, -1, NULL, CAUDAL_ERROR_CODE_NONE },
  };

  f->cfg.offsets_retention_ms = MINUTES (15);
  fixture_restart (f);
  form_default (f, 1, TRUE, &g);   /* subscribes to t1 */
  g_assert_cmpint (commit (f, "g", g.ids[0], NULL, g.generation, e, 2), ==, CAUDAL_ERROR_CODE_NONE);
  tick (f);
  while (f->now < T0 + MINUTES (20))
    {
      f->now += 5000;
      g_assert_cmpint (heartbeat (f, "g", g.ids[0], NULL, g.generation), ==, CAUDAL_ERROR_CODE_NONE);
      tick (f);
    }
  assert_group (f, "g", "Stable", 1);
  g_assert_true (has_offset (f, "g", "t1", 0));
  g_assert_false (has_offset (f, "g", "t2", 0));
}

/* Kafka's isSubscribedToTopic answers "subscribed" when it cannot read
 * the members' subscriptions, so OffsetDelete refuses. */
static void
test_bug_offset_delete_unreadable_subscription (Fixture       *f,
                                                gconstpointer  data)
{
  JoinSpec specs[1] = { { .raw_metadata = "zz" } };
  Formed g;

  form_group (f, specs, 1, TRUE, &g);
  g_assert_cmpint (commit1 (f, "g", g.ids[0], NULL, g.generation, "t1", 0, 1), ==,
                   CAUDAL_ERROR_CODE_NONE);
  g_assert_cmpint (broker_group_delete_offset (f->coord, "g", "t1", 0), ==,
                   CAUDAL_ERROR_CODE_GROUP_SUBSCRIBED_TO_TOPIC);
  g_assert_true (has_offset (f, "g", "t1", 0));
}

/* Kafka's supportsProtocols only waives the checks for an Empty group: a
 * group's sole member rejoining with another protocol type, or with
 * protocols none of which it supported before, is inconsistent. */
static void
test_bug_sole_member_changes_protocol (Fixture       *f,
                                       gconstpointer  data)
{
  Formed g;
  JoinRec *rec;

  form_default (f, 1, TRUE, &g);
  rec = JOIN (f, .member_id = g.ids[0], .protocol_type = "connect");
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  rec = JOIN (f, .member_id = g.ids[0], .protocols = "sticky");
  g_assert_cmpuint (rec->calls, ==, 1);
  g_assert_cmpint (rec->error, ==, CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL);
  assert_group (f, "g", "Stable", 1);
}

/* Kafka accepts OffsetCommit for the empty group id (kept for backward
 * compatibility: isValidGroupId only rejects null for OFFSET_COMMIT). */
static void
test_bug_commit_empty_group_id (Fixture       *f,
                                gconstpointer  data)
{
  g_assert_cmpint (commit1 (f, "", "", NULL, -1, "t1", 0, 1), ==, CAUDAL_ERROR_CODE_NONE);
  g_assert_true (has_offset (f, "", "t1", 0));
}

/* ==== main ==== */

typedef void (*TestFunc) (Fixture *f, gconstpointer data);

static void
add (const char *path,
     TestFunc    func)
{
  g_autofree char *full = g_strconcat ("/group/coordinator/", path, NULL);

  g_test_add (full, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{

  g_test_init (&argc, &argv, NULL);

  add ("join/two-step", test_join_two_step);
  add ("join/one-step", test_join_one_step);
  add ("join/invalid-group-id", test_join_invalid_group_id);
  add ("join/invalid-session-timeout", test_join_invalid_session_timeout);
  add ("join/inconsistent-protocol", test_join_inconsistent_protocol);
  add ("join/unknown-member", test_join_unknown_member);
  add ("join/leader-member-list", test_join_leader_member_list);
  add ("join/protocol-votes", test_join_protocol_votes);
  add ("initial-delay/single", test_initial_delay_single);
  add ("initial-delay/second-member", test_initial_delay_second_member);
  add ("initial-delay/zero", test_initial_delay_zero);
  add ("sync/assignments", test_sync_assignments);
  add ("sync/missing-assignment", test_sync_missing_assignment);
  add ("sync/errors", test_sync_errors);
  add ("sync/rebalance-in-progress", test_sync_rebalance_in_progress);
  add ("heartbeat/errors", test_heartbeat_errors);
  add ("heartbeat/session-timeout", test_heartbeat_session_timeout);
  add ("rebalance-timeout", test_rebalance_timeout);
  add ("leave/triggers-rebalance", test_leave_triggers_rebalance);
  add ("leave/last-member", test_leave_last_member);
  add ("leave/by-instance-id", test_leave_by_instance_id);
  add ("leave/unknown", test_leave_unknown);
  add ("leave/leader-during-completing", test_leave_leader_completing);
  add ("static/replaced-is-fenced", test_static_replaced_is_fenced);
  add ("offsets/group-less-commit", test_offsets_group_less_commit);
  add ("offsets/commit-errors", test_offsets_commit_errors);
  add ("offsets/commit-completing", test_offsets_commit_completing);
  add ("offsets/metadata-too-large", test_offsets_metadata_too_large);
  add ("offsets/list-sorted", test_offsets_list_sorted);
  add ("offsets/topic-deleted", test_offsets_topic_deleted);
  add ("offsets/expiry-group-less", test_offsets_expiry_group_less);
  add ("offsets/expiry-after-empty", test_offsets_expiry_after_empty);
  add ("delete-groups", test_delete_groups);
  add ("delete-groups/emptied", test_delete_emptied_group);
  add ("offset-delete/subscribed", test_offset_delete_subscribed);
  add ("offset-delete/other-groups", test_offset_delete_other_groups);
  add ("describe/unknown", test_describe_unknown);
  add ("describe/stable", test_describe_stable);
  add ("list-groups", test_list_groups);

  /* Divergences from Kafka found by these tests and fixed since. */
  add ("static/rejoin-no-rebalance", test_bug_static_rejoin_no_rebalance);
  add ("static/replace-fences-waiting-sync", test_bug_static_replace_fences_waiting_sync);
  add ("static/join-with-fenced-id", test_bug_static_join_with_fenced_id);
  add ("static/rebalance-timeout-keeps-static", test_bug_rebalance_timeout_keeps_static);
  add ("sync/pending-sync-timeout-stable", test_bug_pending_sync_timeout_stable);
  add ("offsets/commit-validation-order", test_bug_commit_validation_order);
  add ("list-groups/emptied-keeps-protocol-type", test_bug_emptied_group_keeps_protocol_type);
  add ("offset-delete/unreadable-subscription", test_bug_offset_delete_unreadable_subscription);
  add ("offsets/commit-empty-group-id", test_bug_commit_empty_group_id);
  add ("join/sole-member-changes-protocol", test_bug_sole_member_changes_protocol);

  add ("offsets/expiry-stable-unsubscribed", test_bug_expiry_stable_unsubscribed);

  return g_test_run ();
}
