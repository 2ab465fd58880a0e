/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-group-partitions.c: the coordinator in cluster mode, over a real
 * __consumer_offsets: it serves only the groups of partitions it loaded,
 * forgets them on unload without writing anything, answers waiting joins
 * NOT_COORDINATOR, and answers commits only when the replication hook
 * says so (docs/groups.md, "In cluster mode"). */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "broker-meta-store.h"
#include "broker-topics.h"
#include "caudal-error-codes.h"
#include "group/broker-group-coordinator.h"
#include "group/broker-group-store.h"

typedef struct
{
  char                   *dir;
  BrokerConfig           *config;
  BrokerMetaStore        *meta;
  BrokerTopics           *topics;
  BrokerGroupStore       *store;
  BrokerGroupCoordinator *coord;
  gint64                  now;
  gint32                  pa;        /* partition of "group-a" */
  gint32                  pb;        /* partition of "group-b" */
} Env;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rmdir (path), ==, 0);
}

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
fixture_set_up (Env           *env,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BrokerGroupConfig cfg;

  memset (env, 0, sizeof *env);
  env->now = 1700000000000;
  env->dir = g_dir_make_tmp ("caudal-group-partitions-XXXXXX", &error);
  g_assert_no_error (error);
  env->config = broker_config_new ();
  env->meta = broker_meta_store_local_new (env->dir, 1, &error);
  g_assert_no_error (error);
  env->topics = broker_topics_open (env->config, env->meta, env->dir, &error);
  g_assert_no_error (error);
  env->store = broker_group_store_new (env->topics, 4, &error);
  g_assert_no_error (error);
  broker_group_config_init_defaults (&cfg);
  env->coord = broker_group_coordinator_new (&cfg, env->store, fake_clock, &env->now);
  env->pa = broker_group_store_partition_for (env->store, "group-a");
  env->pb = broker_group_store_partition_for (env->store, "group-b");
  g_assert_cmpint (env->pa, !=, env->pb);
}

static void
fixture_tear_down (Env           *env,
                   gconstpointer  data)
{
  g_clear_pointer (&env->coord, broker_group_coordinator_free);
  g_clear_pointer (&env->store, broker_group_store_free);
  g_clear_pointer (&env->topics, broker_topics_close);
  g_clear_pointer (&env->meta, broker_meta_store_free);
  g_clear_pointer (&env->config, broker_config_free);
  rm_rf (env->dir);
  g_free (env->dir);
}

typedef struct
{
  guint  calls;
  gint16 error;
} CommitRec;

static void
on_commit (gint16   error,
           gpointer user_data)
{
  CommitRec *rec = user_data;

  rec->calls++;
  rec->error = error;
}

/* A group-less commit (generation -1) of t-0 at @offset. */
static void
commit (Env        *env,
        const char *group,
        gint64      offset,
        CommitRec  *rec)
{
  BrokerCommitEntry e = { "t", 0, offset, -1, NULL, CAUDAL_ERROR_CODE_NONE };

  broker_group_commit_offsets (env->coord, group, "", NULL, -1, &e, 1, on_commit, rec);
}

static gint64
committed (Env        *env,
           const char *group)
{
  BrokerCommittedOffset out;

  if (!broker_group_fetch_offset (env->coord, group, "t", 0, &out))
    return -1;
  return out.offset;
}

static guint
n_groups (Env *env)
{
  g_autoptr(GArray) list = broker_group_list (env->coord);

  return list->len;
}

static void
load (Env    *env,
      gint32  partition)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (broker_group_coordinator_load_partition (env->coord, partition, &error));
  g_assert_no_error (error);
}

typedef struct
{
  guint  calls;
  gint16 error;
} JoinRec;

static void
on_join (const BrokerJoinResult *result,
         gpointer                user_data)
{
  JoinRec *rec = user_data;

  rec->calls++;
  rec->error = result->error;
}

static void
test_load_unload (Env           *env,
                  gconstpointer  data)
{
  static const guint8 metadata[] = { 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
  BrokerGroupProtocol protocol = { "range", metadata, sizeof metadata };
  BrokerJoinRequest join = { 0 };
  CommitRec rec = { 0 };
  JoinRec joined = { 0 };

  /* Single-node mode: every group is served and stored. */
  g_assert_true (broker_group_coordinator_is_coordinator (env->coord, "group-a"));
  commit (env, "group-a", 5, &rec);
  commit (env, "group-b", 6, &rec);
  g_assert_cmpuint (rec.calls, ==, 2);
  g_assert_cmpint (rec.error, ==, CAUDAL_ERROR_CODE_NONE);

  /* Cluster start: nothing is served until a partition is loaded. */
  broker_group_coordinator_set_partitioned (env->coord);
  g_assert_false (broker_group_coordinator_is_coordinator (env->coord, "group-a"));
  g_assert_false (broker_group_coordinator_is_coordinator (env->coord, "group-b"));
  g_assert_cmpuint (n_groups (env), ==, 0);
  g_assert_cmpint (committed (env, "group-a"), ==, -1);

  load (env, env->pa);
  g_assert_true (broker_group_coordinator_is_coordinator (env->coord, "group-a"));
  g_assert_false (broker_group_coordinator_is_coordinator (env->coord, "group-b"));
  g_assert_cmpint (committed (env, "group-a"), ==, 5);
  g_assert_cmpint (committed (env, "group-b"), ==, -1);
  g_assert_cmpuint (n_groups (env), ==, 1);

  /* A join waiting out the initial rebalance delay when leadership goes. */
  join.group_id = "group-a";
  join.member_id = "";
  join.client_id = "c";
  join.client_host = "/127.0.0.1";
  join.protocol_type = "consumer";
  join.session_timeout_ms = 10000;
  join.rebalance_timeout_ms = 30000;
  join.protocols = &protocol;
  join.n_protocols = 1;
  broker_group_join (env->coord, &join, on_join, &joined);
  g_assert_cmpuint (joined.calls, ==, 0);

  broker_group_coordinator_unload_partition (env->coord, env->pa);
  g_assert_cmpuint (joined.calls, ==, 1);
  g_assert_cmpint (joined.error, ==, CAUDAL_ERROR_CODE_NOT_COORDINATOR);
  g_assert_false (broker_group_coordinator_is_coordinator (env->coord, "group-a"));
  g_assert_cmpuint (n_groups (env), ==, 0);

  /* Unloading wrote nothing: the offsets come back with leadership. */
  load (env, env->pa);
  load (env, env->pb);
  g_assert_cmpint (committed (env, "group-a"), ==, 5);
  g_assert_cmpint (committed (env, "group-b"), ==, 6);
}

typedef struct
{
  guint                     calls;
  gint32                    partition;
  gint64                    end_offset;
  BrokerGroupReplicatedFunc done;
  gpointer                  done_data;
} ReplicateRec;

static void
replicate (gint32                    partition,
           gint64                    end_offset,
           BrokerGroupReplicatedFunc done,
           gpointer                  done_data,
           gpointer                  user_data)
{
  ReplicateRec *rec = user_data;

  rec->calls++;
  rec->partition = partition;
  rec->end_offset = end_offset;
  rec->done = done;
  rec->done_data = done_data;
}

static void
test_commit_waits_for_replication (Env           *env,
                                   gconstpointer  data)
{
  ReplicateRec hook = { 0 };
  CommitRec first = { 0 };
  CommitRec second = { 0 };
  BrokerLog *log;

  broker_group_coordinator_set_partitioned (env->coord);
  broker_group_coordinator_set_replicate (env->coord, replicate, &hook);
  load (env, env->pa);
  log = broker_group_store_get_log (env->store, "group-a");

  commit (env, "group-a", 9, &first);
  g_assert_cmpuint (hook.calls, ==, 1);
  g_assert_cmpint (hook.partition, ==, env->pa);
  g_assert_cmpint (hook.end_offset, ==, broker_log_get_end_offset (log));
  g_assert_cmpint (hook.end_offset, ==, 1);
  /* Not answered until the high watermark passes the commit. */
  g_assert_cmpuint (first.calls, ==, 0);
  hook.done (CAUDAL_ERROR_CODE_NONE, hook.done_data);
  g_assert_cmpuint (first.calls, ==, 1);
  g_assert_cmpint (first.error, ==, CAUDAL_ERROR_CODE_NONE);

  /* Leadership moved before the followers had it. */
  commit (env, "group-a", 10, &second);
  g_assert_cmpuint (hook.calls, ==, 2);
  g_assert_cmpint (hook.end_offset, ==, 2);
  g_assert_cmpuint (second.calls, ==, 0);
  hook.done (CAUDAL_ERROR_CODE_NOT_COORDINATOR, hook.done_data);
  g_assert_cmpuint (second.calls, ==, 1);
  g_assert_cmpint (second.error, ==, CAUDAL_ERROR_CODE_NOT_COORDINATOR);

  /* A partition not led here takes no write at all. */
  g_assert_false (broker_group_coordinator_is_coordinator (env->coord, "group-b"));
  g_assert_cmpint (broker_log_get_end_offset (broker_group_store_get_log (env->store, "group-b")), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/group/partitions/" path, Env, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("load-unload", test_load_unload);
  ADD ("commit-waits-for-replication", test_commit_waits_for_replication);
#undef ADD

  return g_test_run ();
}
